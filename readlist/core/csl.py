"""CSL-JSON (what Zotero, pandoc and citeproc read) and plain-text references rendered from it.

An arXiv paper becomes a CSL ``article`` (a preprint: CSL's type for "a
manuscript, preprint or working paper"), with ``number`` = ``arXiv:ID`` and
``publisher`` = ``arXiv``: the fields Zotero maps to a preprint's archive id and
repository. ``issued`` has as many ``date-parts`` as are known (``[[2023, 11]]``).
Names are ``family``/``given`` (plus ``non-dropping-particle`` and ``suffix``),
an organization is one ``literal`` name; a complete item has the ``abstract``. With user data the tags go in
``keyword``, the note in ``annote`` and the rating and status in ``custom``.

Plain text is rendered from the same items by citeproc-py with readlist's own
CSL style (``data/csl/readlist-apa.csl``: APA 7 conventions for preprints), so
name initials, ``&``, the 20-author rule and ``(n.d.)`` come from a CSL
processor, not from string formatting here.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import Any

from readlist.core.names import PersonName
from readlist.core.reference import Reference
from readlist.core.tex import mark_protected

ItemDict = dict[str, Any]


def _name(person: PersonName, written: str) -> dict[str, str]:
    if person.literal or not person.family:
        return {"literal": person.literal or written}
    name = {"family": person.family}
    if person.given:
        name["given"] = person.given
    if person.particle:
        name["non-dropping-particle"] = person.particle
    if person.suffix:
        name["suffix"] = person.suffix
    return name


def _nocase(word: str) -> str:
    return '<span class="nocase">' + word + "</span>"


def csl_title(plain_title: str) -> str:
    """The title with the words the BibTeX export braces (``LLaMA``, ``E(3)``, ``C#``, a name in a sentence-case
    title, a word that was math: ``O(n log n)``, ``k-means``) in ``<span class="nocase">``, the CSL-JSON markup
    for "keep this word's case". ``plain_title``: with its math words marked
    (:attr:`~readlist.core.reference.Reference.plain_title_math_marked`).

    A style that puts titles in sentence case (APA, many journals') lower-cases every word that is only
    capitalised: pandoc printed ``e(3)``, ``c#``, ``r`` and ``gaussian`` where the PDF built from the BibTeX
    export keeps them. citeproc-js (Zotero), pandoc and citeproc-py honour the span and print only the word;
    no other markup is written.
    """
    return mark_protected(plain_title, _nocase)


def csl_item(ref: Reference, key: str, *, user_data: bool = False, complete: bool = False) -> ItemDict:
    """One CSL-JSON item; only fields the CSL-JSON schema defines, with the types it requires."""
    item: ItemDict = {"id": key, "type": "article-journal" if ref.venue else "article",
                      "title": csl_title(ref.plain_title_math_marked)}
    if ref.names:
        item["author"] = [_name(p, n) for p, n in zip(ref.people, ref.names, strict=True)]
    elif ref.organization:
        item["author"] = [{"literal": ref.organization}]
    if ref.date:
        item["issued"] = {"date-parts": [ref.date.parts()]}
    if ref.venue:
        item["container-title"] = ref.venue
    elif ref.arxiv_id:
        item["number"] = "arXiv:" + ref.arxiv_id
        item["publisher"] = "arXiv"
    url = ref.url_beside_doi  # not the DOI a second time: the style prints the DOI as a link
    if url:
        item["URL"] = url
        if ref.added_day:
            item["accessed"] = {"date-parts": [[int(p) for p in ref.added_day.split("-")]]}
    if ref.doi:
        item["DOI"] = ref.doi
    abstract = ref.abstract if complete else ""  # read from the library file on each access: once
    if abstract:
        item["abstract"] = abstract
    note = ref.count_note
    if note:
        item["note"] = note
    if user_data:
        if ref.tags:
            item["keyword"] = ", ".join(ref.tags)
        note = ref.note
        if note.strip():
            item["annote"] = note
        custom: dict[str, Any] = {"readlist-status": ref.status}
        if ref.rating:
            custom["readlist-rating"] = ref.rating
        item["custom"] = custom
    return item


# ---------------------------------------------------------------------------
# plain text through citeproc-py

_STYLE_FILE = "readlist-apa.csl"
# citeproc-py does not merge a suffix period into a title's own ? or ! (CSL says processors should).
_DOUBLED = re.compile(r"([?!])\.(?= |$)")


@cache
def _style() -> Any:
    from citeproc import CitationStylesStyle

    path = resources.files("readlist") / "data" / "csl" / _STYLE_FILE
    with resources.as_file(path) as file:
        return CitationStylesStyle(str(file), validate=False)


def _initials(given: str) -> str:
    """``d.`` for ``danah``, ``J.-L.`` for ``Jean-Luc``, ``م.`` for ``محمد``: the first letter of each part."""
    return "-".join(" ".join(word[0] + "." for word in part.split()) for part in given.replace(".", " ").split("-")
                    if part.split())


def _initialized(item: ItemDict) -> ItemDict:
    """The item's authors, with the names citeproc-py would garble written out as APA writes them.

    citeproc-py takes every given name that does not start with a capital letter for a particle and leaves it
    out of the initials: ``danah boyd`` came out as ``boyd, . danah .``, and so did every name in a script
    without capitals (Arabic, Hebrew, CJK). Those names are passed as the literal ``boyd, d.``.
    """
    authors = item.get("author")
    if not authors:
        return {}
    written = []
    for name in authors:
        given = name.get("given", "")
        if given and not all(word[0].isupper() for word in given.replace("-", " ").replace(".", " ").split()):
            family = " ".join(x for x in (name.get("non-dropping-particle"), name["family"]) if x)
            name = {"literal": ", ".join(x for x in (family, _initials(given), name.get("suffix")) if x)}
        written.append(name)
    return {"author": written}


def text_entries(items: Sequence[ItemDict]) -> list[str]:
    """One plain-text reference per item, in the order given."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    if not items:
        return []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # citeproc-py warns about CSL features this style does not use
        # citeproc-py keeps the order of registration when the style has no sort, and lower-cases ids.
        source = CiteProcJSON([{**item, "id": f"i{n}", **_initialized(item)} for n, item in enumerate(items)])
        bibliography = CitationStylesBibliography(_style(), source, formatter.plain)
        for n in range(len(items)):
            bibliography.register(Citation([CitationItem(f"i{n}")]))
        rendered = [str(entry) for entry in bibliography.bibliography()]
    return [_DOUBLED.sub(r"\1", line) for line in rendered]
