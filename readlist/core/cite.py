"""Citations in every format readlist writes, from one entry point.

Pure functions, no UI imports, so the CLI, the TUI and the exporters share one
implementation. :func:`format_entries` is what they call; the formats live in
their own modules (``bibtex_out``, ``csl``, ``ris``) and all render the same
:class:`~readlist.core.reference.Reference`, so they agree on the cited URL,
the date and its precision, and how names split. Keys come from
:mod:`readlist.core.citekeys`: a paper's stored key when it has one, otherwise
a new key that avoids the keys passed in. Policies for users are in
``docs/citations.md``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from itertools import islice

import msgspec

from readlist.core.citekeys import (
    STOP_WORDS,
    assign_keys,
    citation_keys,
    key_base,
    title_words,
    unique_papers,
    validate_key,
)
from readlist.core.csl import ItemDict, csl_item, text_entries
from readlist.core.model import Paper
from readlist.core.names import ascii_fold, given_name_first
from readlist.core.reference import Reference, clean_field, reference, safe_url
from readlist.core.reference import clean_note as clean_block
from readlist.core.ris import iter_ris_entries
from readlist.core.text import inert_json

__all__ = [
    "FORMATS",
    "FORMAT_LABELS",
    "STOP_WORDS",
    "ascii_fold",
    "assign_keys",
    "biblatex_entry",
    "bibtex_entry",
    "citation_key",
    "citation_keys",
    "clean_block",
    "clean_field",
    "csl_items",
    "format_entries",
    "key_base",
    "markdown_entry",
    "md_escape",
    "paper_url",
    "safe_url",
    "text_entry",
    "title_words",
    "validate_key",
]

# The order is the order of the TUI chooser (its first four keys are fixed by habit).
FORMATS: tuple[str, ...] = ("bibtex", "biblatex", "markdown", "text", "csl-json", "ris")
FORMAT_LABELS: dict[str, str] = {
    "bibtex": "BibTeX",
    "biblatex": "BibLaTeX",
    "markdown": "Markdown",
    "text": "Plain text (APA-like)",
    "csl-json": "CSL-JSON (Zotero, pandoc)",
    "ris": "RIS (reference managers)",
}
# Formats that carry a citation key and can carry the user's tags, note, rating and status.
KEYED_FORMATS = frozenset({"bibtex", "biblatex", "csl-json", "ris"})

# Inline Markdown/HTML syntax; block syntax only matters at the start of a line (handled separately).
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~$])|&(?=#?\w+;)")
_MD_LINE_START = re.compile(r"^(?:[#>+=-]|\d+[.)])")


def paper_url(paper: Paper) -> str | None:
    """The page to cite: the arXiv abstract page when the id is known (permanent, what readers expect), else the
    paper's own page (e.g. its Hugging Face page)."""
    return reference(paper).url


def citation_key(paper: Paper) -> str:
    """The key a paper gets when cited on its own (its stored key when it has one)."""
    return assign_keys([paper])[paper.id]


# ---------------------------------------------------------------------------
# Markdown


def md_escape(text: str, *, line_start: bool = False) -> str:
    """Backslash-escape Markdown syntax so web text renders as typed, never as markup or HTML."""
    text = _MD_SPECIAL.sub(lambda m: "\\" + (m.group(1) or "&"), text)
    if line_start and _MD_LINE_START.match(text):
        text = "\\" + text if not text[0].isdigit() else re.sub(r"^(\d+)([.)])", r"\1\\\2", text)
    return text


def _md_url(url: str) -> str:
    """A link destination: parentheses encoded, since Markdown would end the link at ``)``."""
    return url.replace("(", "%28").replace(")", "%29")


def _short_authors(ref: Reference) -> str:
    names = [given_name_first(name) for name in ref.names[:4]]  # a fourth makes it "et al."
    if names:
        if len(names) > 3 or ref.more_authors:
            return f"{names[0]} et al."
        if len(names) == 3:
            return f"{names[0]}, {names[1]} and {names[2]}"
        return " and ".join(names)
    if ref.organization:
        return ref.organization
    if ref.authors_count:
        return f"{ref.authors_count} author" + ("s" if ref.authors_count != 1 else "")
    return ""


def _markdown(ref: Reference) -> str:
    title = md_escape(ref.plain_title, line_start=not ref.url)
    head = f"[{title}]({_md_url(ref.url)})" if ref.url else title
    year = str(ref.date.year) if ref.date else ""
    tail = ", ".join(x for x in (md_escape(_short_authors(ref)), md_escape(ref.venue), year) if x)
    return f"{head} — {tail}" if tail else head


def markdown_entry(paper: Paper) -> str:
    """``[Title](url) — Authors, Year``; without a URL the title is plain text."""
    return _markdown(reference(paper))


# ---------------------------------------------------------------------------
# single entries (the formats' own modules do the work)


def _write_entries(
    refs: Sequence[Reference], keys: Sequence[str], *, biblatex: bool, user_data: bool = False, complete: bool = False
) -> str:
    # Imported on first use: pylatexenc costs start-up time other commands should not pay.
    from readlist.core.bibtex_out import write_entries

    return write_entries(refs, keys, biblatex=biblatex, user_data=user_data, complete=complete)


def bibtex_entry(paper: Paper, key: str | None = None, *, user_data: bool = False) -> str:
    """A classic BibTeX ``@misc`` entry (works with natbib, plain, IEEEtran, …)."""
    return _write_entries([reference(paper)], [key or citation_key(paper)], biblatex=False,
                         user_data=user_data).rstrip("\n")


def biblatex_entry(paper: Paper, key: str | None = None, *, user_data: bool = False) -> str:
    """A BibLaTeX ``@online`` entry (``@misc`` when there is neither URL nor eprint)."""
    return _write_entries([reference(paper)], [key or citation_key(paper)], biblatex=True,
                         user_data=user_data).rstrip("\n")


def text_entry(paper: Paper) -> str:
    """An APA-7-like reference: ``Authors (Year). Title (arXiv:ID). arXiv. URL``."""
    return text_entries([csl_item(reference(paper), citation_key(paper))])[0]


def csl_items(papers: Sequence[Paper], keys: Mapping[str, str] | None = None, *,
              user_data: bool = False, complete: bool = False) -> list[dict[str, object]]:
    """CSL-JSON items for papers (duplicates dropped), keyed like the other formats."""
    unique = unique_papers(papers)
    keys = _keys(unique, keys)
    return [csl_item(reference(p), keys[p.id], user_data=user_data, complete=complete) for p in unique]


# ---------------------------------------------------------------------------


def _keys(papers: Sequence[Paper], given: Mapping[str, str] | None) -> Mapping[str, str]:
    if given is not None and all(p.id in given for p in papers):
        return given
    return assign_keys(papers)


def format_entries(
    papers: Sequence[Paper],
    fmt: str = "bibtex",
    *,
    keys: Mapping[str, str] | None = None,
    user_data: bool = False,
    complete: bool = False,
) -> str:
    """All papers in one format, in the order given (duplicates dropped).

    ``keys`` maps paper ids to citation keys (what :func:`assign_keys` returns for
    the library); without it, keys are assigned within this call. ``user_data``
    adds tags, note, rating and status to the formats that can carry them.
    ``complete`` adds what a citation does not need but readlist needs to read
    its own file back unchanged (the abstract, upvotes, the paper's own page):
    exports are complete, citations to paste are not.
    """
    return "".join(iter_formatted(papers, fmt, keys=keys, user_data=user_data, complete=complete))


# CSL-JSON items encoded and indented together: big enough that a call's overhead does not count, small
# enough that an export of the whole library never holds more than this many items at once.
_CSL_BATCH = 1000


def iter_formatted(
    papers: Sequence[Paper],
    fmt: str = "bibtex",
    *,
    keys: Mapping[str, str] | None = None,
    user_data: bool = False,
    complete: bool = False,
) -> Iterator[str]:
    """The text of :func:`format_entries` in pieces (an entry, or a batch of entries, at a time).

    Each paper's reference is made when its entry is written, so an export of the whole library holds
    one entry at a time, not the library's worth of references and text.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown citation format {fmt!r} (known: {', '.join(FORMATS)})")
    unique = unique_papers(papers)
    if not unique:
        yield "[]\n" if fmt == "csl-json" else ""
        return
    if fmt == "markdown":
        if len(unique) == 1:
            yield markdown_entry(unique[0]) + "\n"
        else:
            yield from ("- " + markdown_entry(p) + "\n" for p in unique)
        return
    key_map = _keys(unique, keys)
    refs = (reference(p) for p in unique)
    ordered_keys = [key_map[p.id] for p in unique]
    if fmt in ("bibtex", "biblatex"):
        from readlist.core.bibtex_out import iter_entries  # see _write_entries

        yield from iter_entries(refs, ordered_keys, biblatex=fmt == "biblatex", user_data=user_data,
                                complete=complete)
        return
    if fmt == "ris":
        yield from iter_ris_entries(refs, ordered_keys, user_data=user_data, complete=complete)
        return
    items = (csl_item(r, k, user_data=user_data, complete=complete) for r, k in zip(refs, ordered_keys, strict=True))
    if fmt == "csl-json":
        yield from _csl_json(items)
        return
    yield "\n".join(text_entries(list(items))) + "\n"


def _csl_json(items: Iterator[ItemDict]) -> Iterator[str]:
    """The items as one indented JSON array, a batch at a time: each batch is formatted as an array of its own
    and its brackets replaced, which gives the same text as formatting the whole array (indentation is per
    item, and an item's text holds no raw newline). Controls and bidi marks are escaped, as in every JSON
    readlist writes, so it is inert on a terminal."""
    yield "[\n"
    separator = ""
    while batch := list(islice(items, _CSL_BATCH)):
        text = inert_json(msgspec.json.format(msgspec.json.encode(batch), indent=2)).decode("utf-8")
        yield separator + text[2:-2]  # without the batch's own "[\n" and "\n]"
        separator = ",\n"
    yield "\n]\n"
