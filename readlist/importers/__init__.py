"""Importers: recognise an input by its content and turn it into papers.

Each importer module exposes ``FORMAT`` (its name), ``sniff(text) -> bool``
and ``parse(data, *, source, today, year) -> ParseResult``. Modules are
imported only when needed so that start-up does not pay for BeautifulSoup.
"""

from __future__ import annotations

import importlib
import re
from datetime import date
from typing import Any, Protocol

from readlist.importers.base import (
    MAX_INPUT_BYTES,
    ExportFile,
    ImportFormatError,
    ParseResult,
    decode_counted,
    replaced_bytes_note,
)
from readlist.importers.mhtml import html_of, looks_like_mhtml

# In the order they are tried: the most specific first, the loosest text format last.
_MODULES: dict[str, tuple[str, str]] = {
    "readlist-json": ("readlist.importers.readlist_json", "readlist's own JSON (export, list or show)"),
    "hf-json": ("readlist.importers.hf_json", "Hugging Face API JSON"),
    "arxiv-atom": ("readlist.importers.arxiv_atom", "arXiv API answer (Atom feed)"),
    "hf-html": ("readlist.importers.hf_html", "Hugging Face papers page (HTML)"),
    "arxiv-html": ("readlist.importers.arxiv", "arXiv abstract or listing page (HTML)"),
    "bibtex": ("readlist.importers.bibtex", "BibTeX"),
    "arxiv-text": ("readlist.importers.arxiv_text", "arXiv abstract page copied as text"),
    "hf-text": ("readlist.importers.hf_text", "Hugging Face Daily Papers text copy"),
}

__all__ = ["FORMATS", "ExportFile", "ImportFormatError", "ParseResult", "describe", "parse_input"]


class Importer(Protocol):
    """What every importer module provides."""

    FORMAT: str

    def sniff(self, text: str) -> bool: ...

    def parse(self, text: str, *, source: str, today: date | None, year: int | None) -> ParseResult: ...


def _module(name: str) -> Importer | None:
    try:
        module: Any = importlib.import_module(_MODULES[name][0])
        importer: Importer = module
        return importer
    except ModuleNotFoundError as exc:
        if exc.name == _MODULES[name][0]:
            return None  # importer not part of this build
        raise


def available() -> list[str]:
    return [name for name in _MODULES if _module(name) is not None]


FORMATS: tuple[str, ...] = tuple(_MODULES)


def describe(name: str) -> str:
    return _MODULES[name][1]


def parse_input(
    data: bytes | bytearray | str | ExportFile,
    *,
    source: str = "",
    fmt: str | None = None,
    today: date | None = None,
    year: int | None = None,
) -> ParseResult:
    """Parse one input, by the named format or by sniffing its content.

    A page saved as a single file (MHTML) is read as the HTML page it holds. A file larger than any page that
    starts as readlist's own JSON export (:class:`ExportFile`) is read by that importer, a record at a time.
    """
    if isinstance(data, ExportFile):
        if fmt not in (None, "readlist-json"):
            raise ImportFormatError(f"input is larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB; only readlist's "
                                    "own JSON export is read beyond that")
        from readlist.importers import readlist_json

        return readlist_json.parse_file(data.path, source=source, today=today, year=year)
    text, replaced = (html_of(data), 0) if looks_like_mhtml(data) else decode_counted(data)
    if not text.strip():
        raise ImportFormatError("input is empty")
    result = _parse_text(text, source=source, fmt=fmt, today=today, year=year)
    if replaced:
        result.notes.insert(0, replaced_bytes_note(replaced))
    return result


def _parse_text(text: str, *, source: str, fmt: str | None, today: date | None, year: int | None) -> ParseResult:
    if fmt is not None:
        if fmt not in _MODULES:
            raise ImportFormatError(f"unknown format {fmt!r}; known: {', '.join(_MODULES)}")
        module = _module(fmt)
        if module is None:
            raise ImportFormatError(f"format {fmt!r} is not available in this build")
        return module.parse(text, source=source, today=today, year=year)
    written = _only_written(text)
    if written is not None:
        # Checked first: a note or an abstract in it may hold a line that looks like a BibTeX entry.
        raise ImportFormatError(f"{written}, which readlist writes but does not read; {_READ_INSTEAD}")
    tried: list[str] = []
    for name in _MODULES:
        module = _module(name)
        if module is None:
            continue
        tried.append(name)
        if module.sniff(text):
            return module.parse(text, source=source, today=today, year=year)
    raise ImportFormatError(f"not a format readlist recognises (tried: {', '.join(tried)}){_hint(text)}")


# An arXiv id as a page names its paper: ``arxiv:2509.24002`` (a Hugging Face paper page), ``arxiv.org/abs/…``.
_NAMED_ID = re.compile(r"\barxiv(?::\s?|\.org/(?:abs|pdf)/)(\d{4}\.\d{4,5})", re.IGNORECASE)


_READ_INSTEAD = "import readlist's JSON or BibTeX export instead (`readlist export -f json` or `-f bibtex`)"
# The first line of a RIS record (``TY  - JOUR``) and of readlist's CSV export.
_RIS_START = re.compile(r"TY  - [A-Z0-9]{2,8}\s*$")
_CSV_HEADER = "id,arxiv_id,title,"
# An item of CSL-JSON as citeproc and reference managers write it (readlist's export too).
_CSL_ITEM = re.compile(r'^\s*\[\s*\{\s*"(?:id|type)"\s*:.*?"type"\s*:\s*"(?:article|article-journal|paper-conference|'
                       r'book|chapter|report|thesis|webpage|manuscript|dataset|software|post)"', re.DOTALL)


def _only_written(text: str) -> str | None:
    """What a text is when it is a format readlist exports but cannot import (RIS, its CSV), else None."""
    first = text.lstrip("\ufeff \t\r\n").split("\n", 1)[0]
    if _RIS_START.match(first):
        return "this is a RIS file"
    if first.startswith(_CSV_HEADER):
        return "this is readlist's CSV export"
    return None


def _hint(text: str) -> str:
    """What to try with a text no importer recognised: the paper it names, or the format to force."""
    if _CSL_ITEM.match(text[:20_000]):
        return f"; it is CSL-JSON, which readlist writes but does not read: {_READ_INSTEAD}"
    if text.lstrip()[:1] in ("<", "{", "[", "@"):
        return ""
    head = text[:200_000]
    ids = list(dict.fromkeys(_NAMED_ID.findall(head)))
    if 0 < len(ids) <= 3:
        # A copy of one paper's page (Hugging Face's, say): its id brings the paper whole.
        return f"; it names {', '.join('arXiv:' + i for i in ids)}: `readlist import {' '.join(ids)}` imports it"
    if any(len(line) >= 250 and line.count(" ") >= 30 for line in head.splitlines()):  # a paragraph of prose
        # Plain paragraphs of titles and abstracts are only known as a Hugging Face copy by its page lines.
        return "; a Hugging Face papers page copied without its page header is read with --format hf-text"
    return ""
