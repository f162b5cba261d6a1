"""Where a paper came from: the kind of each source it was imported from, for ``source:`` searches.

A paper's ``sources`` holds what the user gave the importer: a file name, a URL,
``stdin`` or ``clipboard``. A URL says where it points (huggingface.co is
Hugging Face, arxiv.org is arXiv); a file name does not (``001_eaf0.txt`` may be a
Daily Papers copy or anything else), so the kind of a file comes from the import
format the importer recognised, when the library recorded it (``formats``, the
importer format names such as ``hf-text`` or ``bibtex``). Nothing is guessed from
file names except the ``.bib`` extension, which only BibTeX files use.

Kinds, broad to narrow: ``hf`` and ``arxiv`` (the site), ``bibtex``; the import
format itself (``hf-text``, ``hf-html``, ``hf-json``, ``arxiv-html``, ``arxiv-text``, ``arxiv-atom``,
``readlist-json``, and ``hf-api``/``arxiv-api`` for papers fetched from the APIs); and how it arrived:
``url``, ``file``, ``stdin``, ``clipboard``.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import urlsplit

# Importer format name -> the kinds it implies (the format name itself is a kind too).
FORMAT_KINDS: dict[str, frozenset[str]] = {
    "hf-text": frozenset({"hf"}),
    "hf-html": frozenset({"hf"}),
    "hf-json": frozenset({"hf"}),
    "hf-api": frozenset({"hf"}),
    "arxiv-html": frozenset({"arxiv"}),
    "arxiv-text": frozenset({"arxiv"}),
    "arxiv-api": frozenset({"arxiv"}),
    "arxiv-atom": frozenset({"arxiv"}),
    "bibtex": frozenset({"bibtex"}),
    "readlist-json": frozenset(),
}
# Site host (or a parent domain of it) -> kind.
_HOST_KINDS = {"huggingface.co": "hf", "hf.co": "hf", "arxiv.org": "arxiv"}
_ARRIVALS = frozenset({"url", "file", "stdin", "clipboard"})
# Other words people use for a kind; ``daily`` is what Hugging Face calls its paper feed.
ALIASES: dict[str, str] = {"huggingface": "hf", "daily": "hf", "bib": "bibtex"}
KINDS: frozenset[str] = frozenset({"hf", "arxiv", "bibtex", *FORMAT_KINDS, *_ARRIVALS})


def canonical_kind(word: str) -> str | None:
    """The kind a ``source:`` value names (aliases resolved), or None when it names no kind."""
    word = word.strip().casefold()
    word = ALIASES.get(word, word)
    return word if word in KINDS else None


@lru_cache(maxsize=4096)
def _label_kinds(label: str) -> frozenset[str]:
    text = label.strip()
    if not text:
        return frozenset()
    low = text.casefold()
    if low in ("stdin", "-"):
        return frozenset({"stdin"})
    if low == "clipboard":
        return frozenset({"clipboard"})
    if "://" in low:
        kinds = {"url"}
        try:
            host = (urlsplit(low).hostname or "").rstrip(".")
        except ValueError:
            host = ""
        for site, kind in _HOST_KINDS.items():
            if host == site or host.endswith("." + site):
                kinds.add(kind)
        return frozenset(kinds)
    kinds = {"file"}
    if low.endswith((".bib", ".bibtex")):
        kinds.add("bibtex")
    return frozenset(kinds)


def source_kind(label: str, fmt: str | None = None) -> set[str]:
    """The kinds of one recorded source: from its label, plus those of its import format when known."""
    kinds = set(_label_kinds(label))
    if fmt:
        fmt = fmt.strip().casefold()
        kinds.add(fmt)
        kinds |= FORMAT_KINDS.get(fmt, frozenset())
    return kinds


def paper_kinds(sources: Iterable[str], formats: Iterable[str] = ()) -> set[str]:
    """Every kind of source a paper came from: its labels' kinds and its recorded import formats' kinds."""
    kinds: set[str] = set()
    for label in sources:
        kinds |= _label_kinds(label)
    for fmt in formats:
        kinds |= source_kind("", fmt)
    return kinds
