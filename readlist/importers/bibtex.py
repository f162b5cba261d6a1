"""BibTeX files (``.bib``), read with bibtexparser 2.

Fields used: ``title``, ``author``, ``abstract``, ``url``, ``doi``, the arXiv
id (``eprint``, an arXiv ``url``/``doi`` or ``arXiv:XXXX`` in ``journal`` /
``note``), the date (``date``, else ``year`` and ``month``) and ``keywords``
(which become tags, applied by the store only to papers that have none).

A BibTeX date is usually just a year. The record has no year-only field, so a
year becomes ``YYYY-01-01`` and a year with a month ``YYYY-MM-01``: the year
stays searchable (``year:2023``) at the price of a made-up day. A full biblatex
``date = {2023-06-20}`` is used as it is.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from datetime import date

from bibtexparser.entrypoint import parse_string
from bibtexparser.model import DuplicateBlockKeyBlock, Entry

from readlist.core.model import find_arxiv_id
from readlist.importers.base import MONTHS, ImportFormatError, ParseResult, decode
from readlist.importers.hf_json import unwrap

FORMAT = "bibtex"

_ENTRY = re.compile(r"^[ \t]*@[ \t]*([A-Za-z]+)[ \t]*[{(][ \t]*[^\s,{}()]*[ \t]*,", re.MULTILINE)
_NOT_ENTRIES = frozenset({"string", "comment", "preamble"})
# Accent commands and the combining marks they stand for.
_ACCENTS = {
    "'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304", ".": "\u0307",
    "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328", "r": "\u030a", "d": "\u0323",
    "b": "\u0331",
}
_SYMBOLS = {
    "ss": "ß", "o": "ø", "O": "Ø", "aa": "å", "AA": "Å", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ",
    "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ",
    "&": "&", "%": "%", "_": "_", "#": "#", "$": "$", "{": "{", "}": "}", " ": " ",
    "textendash": "–", "textemdash": "—", "LaTeX": "LaTeX", "TeX": "TeX",
}
_ACCENT_CMD = re.compile(r"""\\([`'^"~=.])\s*(?:\{\s*(\\?[A-Za-z])\s*\}|(\\?[A-Za-z]))"""
                         r"""|\\([uvHckrdb])(?:\s*\{\s*(\\?[A-Za-z])\s*\}|\s+(\\?[A-Za-z]))""")
_SYMBOL_CMD = re.compile(r"\\(ss|aa|AA|ae|AE|oe|OE|o|O|l|L|i|j|textendash|textemdash|LaTeX|TeX)(?![A-Za-z])\s*"
                         r"|\\([&%_#${} ])")
_FORMAT_CMD = re.compile(r"\\(?:emph|textit|textbf|textsc|texttt|textrm|mathrm|mathbf|mathit|text|url)\s*(?=\{)")
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)


def sniff(text: str) -> bool:
    """At least one ``@type{key,`` entry that is not a string, comment or preamble; never markup or JSON."""
    head = text.lstrip()[:1]
    if head in ("<", "{", "["):
        return False
    return any(m.group(1).lower() not in _NOT_ENTRIES for m in _ENTRY.finditer(text[:200000]))


def delatex(text: str) -> str:
    """Plain text from simple LaTeX: accents, escaped symbols, formatting commands and braces."""
    def accent(match: re.Match[str]) -> str:
        command = match.group(1) or match.group(4)
        letter = match.group(2) or match.group(3) or match.group(5) or match.group(6)
        base = _SYMBOLS.get(letter[1:], letter[1:]) if letter.startswith("\\") else letter
        return unicodedata.normalize("NFC", base + _ACCENTS[command])

    text = _ACCENT_CMD.sub(accent, text)
    text = _SYMBOL_CMD.sub(lambda m: _SYMBOLS[m.group(1) or m.group(2)], text)
    text = _FORMAT_CMD.sub("", text)
    text = text.replace("---", "—").replace("--", "–").replace("~", " ")
    text = text.replace("{", "").replace("}", "")
    return re.sub(r"[ \t]+", " ", text).strip()


def split_authors(value: str) -> list[str]:
    """Split on ``and`` outside braces; ``Last, First`` → ``First Last``; ``others`` (et al.) is dropped."""
    names: list[str] = []
    depth = 0
    start = 0
    pieces: list[str] = []
    for match in re.finditer(r"[{}]|\s+and\s+", value, re.IGNORECASE):
        token = match.group(0)
        if token == "{":
            depth += 1
        elif token == "}":
            depth = max(0, depth - 1)
        elif depth == 0:
            pieces.append(value[start:match.start()])
            start = match.end()
    pieces.append(value[start:])
    for piece in pieces:
        parts = [delatex(p) for p in _split_commas(piece)]
        if len(parts) == 2 and all(parts):
            name = f"{parts[1]} {parts[0]}"
        elif len(parts) >= 3 and parts[0] and parts[2]:
            name = " ".join(p for p in (parts[2], parts[0], parts[1]) if p)
        else:
            name = " ".join(p for p in parts if p)
        name = re.sub(r"\s+", " ", name).strip()
        if name and name.casefold() not in ("others", "et al.", "et al"):
            names.append(name)
    return names


def _split_commas(name: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for char in name:
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(0, depth - 1)
        if char == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p.strip() for p in parts]


def _published(fields: dict[str, str]) -> str | None:
    raw_date = fields.get("date", "").strip()
    match = re.match(r"^(\d{4})-(\d{2})-(\d{2})", raw_date)
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3])).isoformat()
        except ValueError:
            pass
    match = re.match(r"^(\d{4})(?:-(\d{2}))?", raw_date) or re.search(r"\b(\d{4})\b", fields.get("year", ""))
    if not match:
        return None
    year = int(match[1])
    month = int(match[2]) if match.re.groups >= 2 and match[2] else _month(fields.get("month", ""))
    if not 1000 <= year <= 9999:
        return None
    return f"{year:04d}-{month if 1 <= month <= 12 else 1:02d}-01"


def _month(value: str) -> int:
    value = value.strip().strip("{}").lower().rstrip(".")
    if value.isascii() and value.isdigit() and len(value) <= 2:
        return int(value)
    return MONTHS.get(value, MONTHS.get(value[:3], 1))


def _arxiv_id(fields: dict[str, str]) -> str | None:
    prefix = (fields.get("archiveprefix") or fields.get("eprinttype") or "").strip().lower()
    eprint = fields.get("eprint", "")
    if eprint and prefix in ("", "arxiv"):
        found = find_arxiv_id(eprint)
        if found:
            return found
    for key in ("arxiv", "arxivid"):
        if fields.get(key):
            found = find_arxiv_id(fields[key])
            if found:
                return found
    doi = fields.get("doi", "")
    match = re.search(r"10\.48550/arxiv\.(\S+)", doi, re.IGNORECASE)
    if match:
        return find_arxiv_id(match.group(1))
    for key in ("url", "journal", "note", "howpublished", "booktitle"):
        value = fields.get(key, "")
        if "arxiv" in value.lower():
            found = find_arxiv_id(value)
            if found:
                return found
    return None


def _record(entry: Entry) -> dict[str, object]:
    fields = {key.lower(): str(value) for key, value in entry.items() if key not in ("ID", "ENTRYTYPE")}
    arxiv_id = _arxiv_id(fields)
    url = fields.get("url", "").strip() or None
    if url and not re.match(r"^https?://", url):
        url = None
    doi = fields.get("doi", "").strip()
    if url is None and arxiv_id:
        url = f"https://arxiv.org/abs/{arxiv_id}"
    elif url is None and doi:
        url = f"https://doi.org/{doi}"
    keywords = [k for k in re.split(r"[,;]", delatex(fields.get("keywords", ""))) if k.strip()]
    return {
        "title": delatex(fields.get("title", "")),
        "authors": split_authors(fields.get("author", "")),
        "abstract": unwrap(delatex(fields.get("abstract", ""))),
        "arxiv_id": arxiv_id,
        "published": _published(fields),
        "url": url,
        "tags": keywords,
    }


def parse(data: bytes | str, *, source: str = "", today: date | None = None, year: int | None = None) -> ParseResult:
    text = decode(data)
    # bibtexparser logs every bad block; those become skip reasons in the report instead.
    logger = logging.getLogger("bibtexparser")
    level = logger.level
    logger.setLevel(logging.CRITICAL)  # also silences its child loggers (splitter, middlewares)
    try:
        library = parse_string(text)
    except RecursionError:
        raise ImportFormatError("the BibTeX is nested too deeply to read") from None
    except Exception as exc:  # the library's own errors have no common base class
        raise ImportFormatError(f"the BibTeX could not be read ({type(exc).__name__}: {exc})") from None
    finally:
        logger.setLevel(level)
    result = ParseResult(format=FORMAT)
    entries: list[Entry] = list(library.entries)
    for block in library.failed_blocks:
        if isinstance(block, DuplicateBlockKeyBlock) and isinstance(block.ignore_error_block, Entry):
            entries.append(block.ignore_error_block)  # same key twice: still a paper; dedup is by id or title
            continue
        where = f"line {block.start_line + 1}" if isinstance(block.start_line, int) else "a block"
        raw = (block.raw or "").strip().splitlines()
        result.skipped.append((raw[0][:80] if raw else where, f"{where}: not a valid BibTeX entry"))
    for entry in entries:
        label = f"@{entry.entry_type}{{{entry.key}}}"
        try:
            record = _record(entry)
        except (KeyError, TypeError, AttributeError, ValueError, IndexError) as exc:
            result.skipped.append((label, f"malformed entry ({type(exc).__name__})"))
            continue
        if not record["title"]:
            result.skipped.append((label, "no title"))
            continue
        result.add(record, label)
    if not result.papers:
        reason = f" ({result.skipped[0][1]})" if result.skipped else ""
        raise ImportFormatError(f"no papers found in this BibTeX{reason}")
    return result
