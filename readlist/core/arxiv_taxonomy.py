"""arXiv's subject categories, for checking what a pull asks for before anything is sent.

The API matches ``cat:`` queries exactly and answers an unknown or mistyped category (``cs.cl``,
``cs.Cl``, ``nosuch.CAT``) with an empty feed, which a pull would report as "no new papers" day after
day. The taxonomy changes rarely (the last archives, econ and eess, came in 2017); a category
missing from this list is refused with its nearest names, so a new one means a readlist update.

Categories found in imported records are not checked against it: old records carry retired ones
(``alg-geom``, ``cmp-lg``), and they are facts about those papers.
"""

from __future__ import annotations

import difflib
from functools import cache

# Each archive and its subject classes; an archive without classes is a category itself (``hep-th``).
_TAXONOMY = {
    "astro-ph": "CO EP GA HE IM SR",
    "cond-mat": "dis-nn mes-hall mtrl-sci other quant-gas soft stat-mech str-el supr-con",
    "cs": "AI AR CC CE CG CL CR CV CY DB DC DL DM DS ET FL GL GR GT HC IR IT LG LO MA MM MS NA NE NI OH OS PF PL RO "
          "SC SD SE SI SY",
    "econ": "EM GN TH",
    "eess": "AS IV SP SY",
    "gr-qc": "",
    "hep-ex": "",
    "hep-lat": "",
    "hep-ph": "",
    "hep-th": "",
    "math": "AC AG AP AT CA CO CT CV DG DS FA GM GN GR GT HO IT KT LO MG MP NA NT OA OC PR QA RA RT SG SP ST",
    "math-ph": "",
    "nlin": "AO CD CG PS SI",
    "nucl-ex": "",
    "nucl-th": "",
    "physics": "acc-ph ao-ph app-ph atm-clus atom-ph bio-ph chem-ph class-ph comp-ph data-an ed-ph flu-dyn gen-ph "
               "geo-ph hist-ph ins-det med-ph optics plasm-ph pop-ph soc-ph space-ph",
    "q-bio": "BM CB GN MN NC OT PE QM SC TO",
    "q-fin": "CP EC GN MF PM PR RM ST TR",
    "quant-ph": "",
    "stat": "AP CO ME ML OT TH",
}
# Archives with subject classes that are still categories of their own in queries (papers filed under
# ``astro-ph`` before it was divided).
_ARCHIVES_ASKED_WHOLE = frozenset({"astro-ph"})


@cache
def categories() -> frozenset[str]:
    """Every category a pull may ask for."""
    found = {archive for archive, classes in _TAXONOMY.items() if not classes or archive in _ARCHIVES_ASKED_WHOLE}
    found.update(f"{archive}.{name}" for archive, classes in _TAXONOMY.items() for name in classes.split())
    return frozenset(found)


def category_problem(text: str) -> str | None:
    """Why ``text`` is no arXiv category a pull can ask for (with the one meant, when it is clear), or None."""
    known = categories()
    if text in known:
        return None
    folded = {category.casefold(): category for category in known}
    if text.casefold() in folded:  # arXiv compares case: cs.cl finds nothing
        return f"{text!r} is written {folded[text.casefold()]!r} on arXiv"
    if text in _TAXONOMY:  # an archive with subject classes: ``cs`` alone is not asked for
        first = min(category for category in known if category.startswith(text + "."))
        return f"{text!r} is an arXiv archive, not a category; name one of its categories (e.g. {first})"
    close = difflib.get_close_matches(text, sorted(known), n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else " (e.g. cs.CL, hep-th, math.AG)"
    return f"{text!r} is not an arXiv category{hint}"
