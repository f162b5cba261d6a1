"""BibTeX and BibLaTeX entries, in the layout of bibtexparser's writer.

Two dialects of one entry:

* **BibTeX** (``@misc``, for bibtex with plain, natbib, IEEEtran, ACL …): every
  field is TeX-encoded to ASCII where a command exists (bibtex is byte-oriented
  and sorts ``{\\'e}`` correctly but not UTF-8), ``year`` and an unbraced
  ``month`` macro exactly as far as they are known, ``eprint`` /
  ``archivePrefix`` / ``primaryClass`` as arXiv writes them, and ``howpublished``
  because most ``.bst`` styles print neither ``eprint`` nor ``url``. The
  record's own date also goes in ``date`` (biber reads it; bibtex ignores it),
  which keeps the day.
* **BibLaTeX** (``@online`` when there is a URL or an arXiv id, ``@misc``
  otherwise): UTF-8 text (biber reads it), ``date`` with its real precision
  (``2023-11``), ``eprinttype = {arxiv}``, ``eprint``, ``eprintclass``.

A ``url`` (and ``urldate``) that only resolves the ``doi`` beside it is left out
(:attr:`~readlist.core.reference.Reference.url_beside_doi`) where styles print the
DOI, which they then printed twice: in every BibLaTeX entry, and in a BibTeX
``@article`` (natbib's styles print ``doi`` there). A BibTeX ``@misc`` keeps it:
no classic style prints ``doi`` in one, and plainnat prints the ``url``.

A *complete* entry (what ``readlist export`` writes) also carries what readlist
needs to read its own file back without loss: the abstract, ``readlist-upvotes``,
every arXiv category in ``readlist-categories`` when there are several (and the
field empty when none is recorded and the primary class shown is only the archive an
old-style id names, ``hep-th/9901001``), the paper's own page in ``readlist-url`` when it is not the cited URL, and
``readlist-date = {arxiv-id}`` on a date known only from the arXiv id (so that
reading it back does not turn it into a date some source gave), and ``readlist-title``,
the title as recorded, when its TeX outside math is written as the letters it makes
(:attr:`~readlist.core.reference.Reference.tex_title`). Styles ignore
fields they do not know; a citation to paste (``readlist cite``, the TUI) leaves
them out.
With user data they also carry ``keywords`` (tags), ``annote`` (the note),
``readlist-rating`` and ``readlist-status``.

Authors are never invented: names when known, the organization as one braced
corporate author (``{{Spiral Works}}``), and when only a count is known no
``author`` but a ``note`` saying so, plus (BibTeX) a ``key`` so that styles can
still sort the entry. The BibLaTeX dialect writes no ``label`` for such a paper:
biblatex's author-year styles print ``label`` in place of the authors, in the
citation and at the head of the entry (``ImN 2024`` for a paper they otherwise
cite by its title), and its ``alphabetic`` label template reads only fields
that author-year styles print too (``shorthand``, ``label``, the names), so no
field labels an alphabetic citation without also replacing the title in an
author-year one. Title-only papers are cited by their title in author-year and
author-title styles, by number in numeric ones; ``docs/citations.md`` gives the
preamble line that labels them from the title in ``alphabetic``.

Entries are written here, one at a time, in exactly the text bibtexparser's writer gives for them (two-space
indent, every value in braces but the ``month`` macro, one blank line between entries; a test holds the two
side by side on real and hostile papers). Building its ``Library`` of ``Entry`` and ``Field`` objects and the
whole file as one string cost a fifth of an export and most of its memory; an export of 100,000 papers now
streams its entries to the file as they are made.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache

from readlist.core.dates import PartialDate
from readlist.core.names import bibtex_order, is_literal
from readlist.core.reference import Reference, verbatim_doi
from readlist.core.tex import encode, protect_title

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
UPVOTES_FIELD = "readlist-upvotes"
URL_FIELD = "readlist-url"
TITLE_FIELD = "readlist-title"
CATEGORIES_FIELD = "readlist-categories"
RATING_FIELD = "readlist-rating"
STATUS_FIELD = "readlist-status"
# Marks a date that no source gave: readlist took the year and month from the arXiv id.
DATE_SOURCE_FIELD = "readlist-date"
DATE_FROM_ID = "arxiv-id"
# Fields written as a bare macro (``month = nov``), not in braces: styles print the month's name from it.
BARE_FIELDS = frozenset({"month"})

# A field: its name and its value as TeX, before the braces around it.
Field = tuple[str, str]


def _authors(ref: Reference, *, ascii_only: bool) -> str | None:
    """``A and B``; a name BibTeX would split wrongly is braced whole; an organization is one braced name."""
    if ref.names:
        written = [_author(name, ascii_only) for name in ref.names]
        if ref.more_authors:
            written.append("others")  # what every style prints as "et al."
        return " and ".join(written)
    if ref.organization:
        return _whole(_name_tex(ref.organization, ascii_only=ascii_only), ascii_only=ascii_only)
    return None


# The commands the encoder writes in a brace group of their own for a TeX special (``{`` → ``{\textbraceleft}``).
_SPECIAL_GROUP = re.compile(r"\{\\(textbraceleft|textbraceright|textbackslash|textasciitilde|textasciicircum)\}")


def _name_tex(name: str, *, ascii_only: bool) -> str:
    """A name (a person, an organization) encoded as every other field, but a brace, backslash, tilde or
    circumflex written ``\\textbraceleft{}``, not ``{\\textbraceleft}``.

    biber makes each name part's initials from its text with the commands taken out and the braces in front
    stripped: ``{\\textbraceleft}Curly`` left ``}Curly``, whose initial ``}`` went into the ``.bbl`` unbalanced
    and stopped pdflatex (the entry printed half the ``.bbl`` as text). Written ``\\textbraceleft{}Curly`` the
    command goes with its empty argument and the initial is ``C``. Both forms print the same.
    """
    encoded = encode(name, ascii_only=ascii_only)
    return _SPECIAL_GROUP.sub(r"\\\1{}", encoded) if "{\\text" in encoded else encoded


def _whole(encoded: str, *, ascii_only: bool) -> str:
    """A name kept whole (an organization, a name BibTeX would split wrongly), as BibTeX reads it as one.

    Braced whole, ``{Spiral Works}``, unless a TeX command sits in it: bibtex treats ``{\\&}`` as one letter
    only outside any other braces, and alpha-like styles label an entry by its first three letters, so in
    ``{AT{\\&}T Labs}`` the cut fell on the backslash and left ``{AT{\\}}``, which stops pdflatex. Such a name
    is written as brace groups side by side, its text in some and each command in one of its own
    (``{AT}{\\&}{T Labs}``): still one name, with no space outside braces to split it at, and labelled
    ``AT&``. biber counts letters, not bytes or braces, so the BibLaTeX dialect keeps the single group.
    """
    pieces = _depth0_groups(encoded) if ascii_only else None
    if not pieces or not any(piece.startswith("{\\") for piece in pieces):
        return "{" + encoded + "}"
    out: list[str] = []
    run = ""
    for piece in pieces:
        if piece.startswith("{\\"):
            if run:
                out.append("{" + run + "}")
                run = ""
            out.append(piece)
        else:
            run += piece
    if run:
        out.append("{" + run + "}")
    return "".join(out)


def _depth0_groups(text: str) -> list[str] | None:
    """``text`` cut into its brace groups and the characters between them; None if its braces do not balance."""
    pieces: list[str] = []
    depth = 0
    start = 0
    for index, char in enumerate(text):
        if char == "{":
            if depth == 0 and index > start:
                pieces.append(text[start:index])
                start = index
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return None
            if depth == 0:
                pieces.append(text[start:index + 1])
                start = index + 1
    if depth:
        return None
    if start < len(text):
        pieces.append(text[start:])
    return pieces


# A word of a name that starts with a TeX special: biber would make its initial from the command.
_SPECIAL_FIRST = re.compile(r"(?:^|\s)[~^$&%#_]")


@lru_cache(maxsize=65536)
def _author(name: str, ascii_only: bool) -> str:
    """One name as ``author`` holds it; remembered, as the same people write many of a library's papers.

    A name with a word that starts with a TeX special (``&Co Person``, ``Ann ~Bo Smith``) is braced whole, as
    names with braces are: biber makes the initial of a given name from its text with the letter commands
    taken out and keeps ``\\&`` and the like, so with ``giveninits`` the name printed as a line break and the
    word "bibinitperiod". Braced whole it has no given name to shorten and prints as written.
    """
    if is_literal(name) or _SPECIAL_FIRST.search(name):
        return _whole(_name_tex(name, ascii_only=ascii_only), ascii_only=ascii_only)
    ordered = bibtex_order(name)
    family, comma, rest = ordered.partition(",")
    if comma and family[:1].islower() and " " not in family:
        # ``boyd, danah``: biber reads a family name in lower case with no particle before it as a particle,
        # and gave the name none ("boyd danah" its particle); braced, it is the family name to both tools.
        return _whole(_name_tex(family, ascii_only=ascii_only), ascii_only=ascii_only) + comma + _name_tex(
            rest, ascii_only=ascii_only)
    return _name_tex(ordered, ascii_only=ascii_only)


def _organization(name: str, *, ascii_only: bool) -> str:
    """The ``organization`` field beside the authors, braced whole as the corporate author is: biblatex holds it
    as a list split at "and", and pandoc's BibTeX reader does so in both dialects, so ``Multimedia and Human
    Understanding Group`` would become two organizations (pandoc prints "Multimedia; Human Understanding
    Group")."""
    return "{" + _name_tex(name, ascii_only=ascii_only) + "}"


def _common_tail(ref: Reference, *, ascii_only: bool, user_data: bool, complete: bool,
                 dated: PartialDate | None) -> list[Field]:
    """Fields after the bibliographic ones: with ``complete``, what readlist needs to read its own file back
    (``dated``: the date the entry's date fields give)."""
    fields: list[Field] = []
    if ref.doi:
        fields.append(("doi", verbatim_doi(ref.doi, biblatex=not ascii_only)))  # verbatim, as the url field
    note = ref.count_note
    if note:
        fields.append(("note", note))
    if complete:
        fields += _archival(ref, ascii_only=ascii_only, dated=dated)
    if user_data:
        if ref.tags:
            fields.append(("keywords", encode(", ".join(ref.tags), ascii_only=ascii_only)))
        note = ref.note
        if note.strip():
            fields.append(("annote", encode(note, ascii_only=ascii_only)))
        if ref.rating:
            fields.append((RATING_FIELD, str(ref.rating)))
        fields.append((STATUS_FIELD, ref.status))
    return fields


def _archival(ref: Reference, *, ascii_only: bool, dated: PartialDate | None) -> list[Field]:
    """The abstract and readlist's own fields: not needed to cite, needed to read the export back unchanged."""
    fields: list[Field] = []
    if dated is not None and dated != ref.own_date:
        # The entry is dated more precisely than the record, from its arXiv id: the record's own date (or that it
        # has none) is kept here, or reading the file back would store a month the record never had.
        fields.append((DATE_SOURCE_FIELD, ref.own_date.iso() if ref.own_date else DATE_FROM_ID))
    if ref.tex_title != ref.title:
        # Styles print the title with its TeX outside math rendered (see Reference.tex_title); the title as
        # recorded, its TeX as written, is kept here, to be read back as it was.
        fields.append((TITLE_FIELD, encode(ref.title, ascii_only=ascii_only)))
    abstract = ref.abstract  # read from the library file and cleaned on each access
    if abstract:
        fields.append(("abstract", encode(abstract, ascii_only=ascii_only)))
    if ref.upvotes is not None:
        fields.append((UPVOTES_FIELD, str(ref.upvotes)))
    if ref.own_url and ref.own_url != ref.url:
        fields.append((URL_FIELD, ref.own_url))
    if len(ref.categories) > 1:
        fields.append((CATEGORIES_FIELD, encode(" ".join(ref.categories), ascii_only=True)))
    elif not ref.categories and ref.primary_class:
        # The primary class written above is only the archive of an old-style id: none is recorded.
        fields.append((CATEGORIES_FIELD, ""))
    return fields


def bibtex_fields(ref: Reference, *, user_data: bool = False, complete: bool = False) -> tuple[str, list[Field]]:
    """The entry type and fields of a classic BibTeX ``@misc`` entry."""
    fields = [("title", protect_title(ref.tex_title, ascii_only=True))]
    authors = _authors(ref, ascii_only=True)
    if authors:
        fields.append(("author", authors))
        if ref.names and ref.organization:
            fields.append(("organization", _organization(ref.organization, ascii_only=True)))
    if ref.date:
        fields.append(("year", str(ref.date.year)))
        if ref.date.month:
            fields.append(("month", _MONTHS[ref.date.month - 1]))
    if ref.own_date:
        fields.append(("date", ref.own_date.iso()))
    if ref.arxiv_id:
        fields.append(("eprint", encode(ref.arxiv_id, ascii_only=True)))
        fields.append(("archivePrefix", "arXiv"))
        if ref.primary_class:
            fields.append(("primaryClass", encode(ref.primary_class, ascii_only=True)))
    # natbib's styles print ``doi`` and ``url`` in an @article, only ``url`` in a @misc.
    url = ref.url_beside_doi if ref.venue else ref.url
    if url:
        fields.append(("url", url))
    if ref.venue:
        fields.append(("journal", encode(ref.venue, ascii_only=True)))
    elif ref.arxiv_id:
        fields.append(("howpublished", "arXiv preprint arXiv:" + encode(ref.arxiv_id, ascii_only=True)))
    if not authors:
        # Styles sort by author, else by this key ("to sort, need author or key"); author-year styles (natbib's
        # plainnat) also print it where the authors would go, in the text and at the head of the entry, so it
        # is the title's short form, not the whole title twice. Plain text, math rendered and folded to letters
        # (``S$^{2}$FT`` gives ``S2FT``): alpha-style labels take the key's first characters, and a cut through
        # ``$^{2}$`` leaves TeX that does not compile.
        # It starts at the first letter or digit: alpha labelled ``"I'm Not Sure…"`` ``["I']`` and every style
        # sorted it before the letters.
        fields.append(("key", encode(_from_first_letter(_short_title(_folded_title(ref))), ascii_only=True)))
    fields += _common_tail(ref, ascii_only=True, user_data=user_data, complete=complete,
                           dated=ref.own_date or ref.date)  # ``date`` holds the record's own
    return ("article" if ref.venue else "misc"), fields


def _folded_title(ref: Reference) -> str:
    """The title as plain letters: math rendered and folded (``S$^{2}$FT`` gives ``S2FT``)."""
    return unicodedata.normalize("NFKC", ref.plain_title)


# The closing mark for each opening one a title's short form may start with.
_CLOSING = {'"': '"', "'": "'", "`": "'", "\u201c": "\u201d", "\u2018": "\u2019", "(": ")", "[": "]"}


def _from_first_letter(short: str) -> str:
    """A short form from its first letter or digit, without the quotes or brackets opened before it and their
    closing marks: ``I'm Not Sure, But...`` for ``"I'm Not Sure, But..."``; as it is when it has no letter or
    digit."""
    start = next((index for index, char in enumerate(short) if char.isalnum()), None)
    if not start:
        return short
    rest = short[start:]
    for char in short[:start]:
        closing = _CLOSING.get(char)
        if closing:
            cut = rest.find(closing, 1 if closing == "'" else 0)
            while closing == "'" and 0 < cut < len(rest) - 1 and rest[cut + 1].isalnum():
                cut = rest.find(closing, cut + 1)  # an apostrophe inside a word (``I'm``) closes nothing
            if cut > 0:
                rest = rest[:cut] + rest[cut + 1:]
    return " ".join(rest.split())


def _short_title(title: str) -> str:
    """What a paper without authors is called in an author-year citation: ``AgentRefine`` for ``AgentRefine:
    Enhancing Agent Generalization …``, else the first three words."""
    head, colon, _ = title.partition(":")
    if colon and 0 < len(head.strip()) <= 40:
        return head.strip()
    return " ".join(title.split()[:3])


def biblatex_fields(ref: Reference, *, user_data: bool = False, complete: bool = False) -> tuple[str, list[Field]]:
    """The entry type and fields of a BibLaTeX ``@online`` entry (``@misc`` without URL or eprint)."""
    fields = [("title", protect_title(ref.tex_title, ascii_only=False))]
    authors = _authors(ref, ascii_only=False)
    if authors:
        fields.append(("author", authors))
        if ref.names and ref.organization:
            fields.append(("organization", _organization(ref.organization, ascii_only=False)))
    if ref.date:
        fields.append(("date", ref.date.iso()))
    if ref.venue:
        fields.append(("journaltitle", encode(ref.venue, ascii_only=False)))
    if ref.arxiv_id:
        fields.append(("eprinttype", "arxiv"))
        fields.append(("eprint", encode(ref.arxiv_id, ascii_only=True)))
        if ref.primary_class:
            fields.append(("eprintclass", encode(ref.primary_class, ascii_only=True)))
    url = ref.url_beside_doi
    if url:
        fields.append(("url", url))
        if ref.added_day:
            fields.append(("urldate", ref.added_day))
    fields += _common_tail(ref, ascii_only=False, user_data=user_data, complete=complete, dated=ref.date)
    return ("article" if ref.venue else "online" if url or ref.arxiv_id else "misc"), fields


def write_entries(
    refs: Sequence[Reference], keys: Sequence[str], *, biblatex: bool, user_data: bool = False, complete: bool = False
) -> str:
    """Entries separated by a blank line, as bibtexparser writes them."""
    return "".join(iter_entries(refs, keys, biblatex=biblatex, user_data=user_data, complete=complete))


def iter_entries(
    refs: Iterable[Reference], keys: Iterable[str], *, biblatex: bool, user_data: bool = False, complete: bool = False
) -> Iterator[str]:
    """The text of :func:`write_entries` an entry at a time (the blank line before each but the first).

    Keys come unique from :func:`~readlist.core.citekeys.assign_keys`; one given twice is refused, as
    bibtexparser's library refused it, rather than written into a file that cites two papers by one key.
    """
    build = biblatex_fields if biblatex else bibtex_fields
    separator = ""
    seen: set[str] = set()
    for ref, key in zip(refs, keys, strict=True):
        if key in seen:
            raise ValueError(f"duplicate citation key {key!r}")
        seen.add(key)
        entry_type, fields = build(ref, user_data=user_data, complete=complete)
        yield separator + entry_text(entry_type, key, fields)
        separator = "\n"


def entry_text(entry_type: str, key: str, fields: Sequence[Field]) -> str:
    """One entry as bibtexparser's writer lays it out: ``@type{key,``, a field a line, ``}`` and a newline.

    Joined once from its pieces: the abstract, most of an entry, is copied into the text one time.
    """
    if not fields:
        return "@" + entry_type + "{" + key + ",\n}\n"
    parts = ["@", entry_type, "{", key]
    for name, value in fields:
        if name in BARE_FIELDS:
            parts += (",\n  ", name, " = ", value)
        else:
            parts += (",\n  ", name, " = {", value, "}")
    parts.append("\n}\n")
    return "".join(parts)
