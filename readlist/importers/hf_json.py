"""Hugging Face papers API JSON: daily-papers lists and single paper objects.

The same record shapes are embedded in the ``data-props`` of Hugging Face
pages, so the HTML importer builds its papers with :func:`entry_record` too.

Shapes understood:

* ``/api/daily_papers`` and search results: a list of ``{"paper": {...}, "title": ...}``
* ``/api/papers/<id>``: one paper object ``{"id", "title", "summary", "authors", ...}``
* a list of such paper objects
* a saved ``DailyPapers`` props object ``{"dailyPapers": [...]}``
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from readlist.core.dates import PUBLISHED_PATTERN, PartialDate
from readlist.core.model import find_arxiv_id
from readlist.core.text import clean_line, unify_line_ends
from readlist.importers.base import MAX_COUNT, ImportFormatError, ParseResult, decode, iso_day, load_json

FORMAT = "hf-json"

HF_PAPER_URL = "https://huggingface.co/papers/"
_KEYS = re.compile(r'"(?:paper|summary|upvotes|publishedAt|dailyPapers|authors)"\s*:')
_SAFE_ID = re.compile(r"^[A-Za-z0-9._/-]{1,64}$")
_LIST_KEYS = ("dailyPapers", "papers", "results", "searchResults")
_MAX_KEYWORDS = 50
# Errors a malformed but well-formed-JSON structure can raise while records are read.
RECORD_ERRORS = (KeyError, TypeError, AttributeError, ValueError, IndexError)


def unwrap(text: str) -> str:
    """Join hard-wrapped lines (arXiv abstracts are wrapped at ~80 columns), keeping paragraph breaks."""
    text = unify_line_ends(text).strip()
    paragraphs = re.split(r"\n[^\S\n]*\n\s*", text)
    return "\n\n".join(re.sub(r"\s+", " ", p).strip() for p in paragraphs if p.strip())


def _record_date(value: object) -> str | None:
    """readlist's own ``published``: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` kept at its precision."""
    if isinstance(value, str) and PUBLISHED_PATTERN.match(value.strip()):
        found = PartialDate.parse(value)
        if found and found.iso() == value.strip():
            return found.iso()
    return iso_day(value)


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _count(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
        return None
    return value


def organization_name(*candidates: object) -> str | None:
    for org in candidates:
        if isinstance(org, dict):
            name = _text(org.get("fullname")) or _text(org.get("name"))
            if name.strip():
                return name
        elif isinstance(org, str) and org.strip():
            return org
    return None


def paper_record(paper: dict[str, Any], entry: dict[str, Any] | None = None) -> dict[str, object]:
    """Turn an HF paper object (and the daily entry around it, if any) into Paper fields."""
    entry = entry or {}
    title = _text(entry.get("title")) or _text(paper.get("title"))
    raw_id = paper.get("id")
    raw_id = raw_id if isinstance(raw_id, str) else ""
    authors: list[str] = []
    raw_authors = paper.get("authors")
    for author in raw_authors if isinstance(raw_authors, list) else []:
        if isinstance(author, dict):
            # "hidden": true only hides the link to a claimed profile; the person is still an author.
            name = _text(author.get("name"))
            if not name.strip() and isinstance(author.get("user"), dict):
                name = _text(author["user"].get("fullname"))
        else:
            name = _text(author)
        if name.strip():
            authors.append(name)
    arxiv_id = find_arxiv_id(raw_id) or find_arxiv_id(_text(paper.get("arxiv_id")))
    summary = _text(paper.get("summary")) or _text(entry.get("summary")) or _text(paper.get("abstract"))
    record: dict[str, object] = {
        "title": title,
        "abstract": unwrap(summary),
        "authors": authors,
        "arxiv_id": arxiv_id,
        "upvotes": _count(paper.get("upvotes")),
        # A paper's own publication date; the day it reached Daily Papers only when that is all there is.
        # ("published" is the key in readlist's own JSON export, which this reads back too.)
        "published": iso_day(paper.get("publishedAt")) or _record_date(paper.get("published"))
        or iso_day(paper.get("submittedOnDailyAt")),
        "organization": organization_name(entry.get("organization"), paper.get("organization")),
        "ai_summary": clean_line(_first_text(paper, entry, "ai_summary")) or None,
        "ai_keywords": _keywords(paper.get("ai_keywords") or entry.get("ai_keywords")),
        "github_repo": _web_url(_first_text(paper, entry, "githubRepo")),
        "project_page": _web_url(_first_text(paper, entry, "projectPage")),
    }
    if arxiv_id and _SAFE_ID.match(raw_id):
        record["url"] = HF_PAPER_URL + raw_id
    elif _text(paper.get("url")).startswith(("https://", "http://")):
        record["url"] = paper["url"]
    return record


def _first_text(paper: dict[str, Any], entry: dict[str, Any], key: str) -> str:
    """A field Hugging Face puts on the paper object in some answers and on the daily entry in others."""
    return _text(paper.get(key)) or _text(entry.get(key))


def _keywords(value: object) -> list[str]:
    if not isinstance(value, list):
        return []
    out: list[str] = []
    for item in value[:_MAX_KEYWORDS]:
        word = clean_line(item) if isinstance(item, str) else ""
        if word and word not in out:
            out.append(word[:100])
    return out


def _web_url(value: str) -> str | None:
    """A link the user may open: http(s) only, so no ``javascript:`` or ``file:`` ever reaches a browser."""
    url = clean_line(value)
    if not url.lower().startswith(("https://", "http://")) or len(url) > 2000 or " " in url:
        return None
    return url


def add_entries(result: ParseResult, items: list[Any]) -> None:
    """Add daily-paper entries or bare paper objects to ``result``; a malformed item becomes a skip."""
    for index, item in enumerate(items, start=1):
        label = f"item {index}"
        try:
            if not isinstance(item, dict):
                result.skipped.append((label, "not a paper record"))
                continue
            paper = item.get("paper")
            if isinstance(paper, dict):
                record = paper_record(paper, item)
            elif "title" in item or "summary" in item:
                record = paper_record(item)
            else:
                result.skipped.append((label, "not a paper record"))
                continue
            label = str(record.get("title") or label)
        except RECORD_ERRORS as exc:
            result.skipped.append((label, f"malformed record ({type(exc).__name__})"))
            continue
        result.add(record, label)


def find_entries(data: Any) -> list[Any] | None:
    """The list of papers inside a decoded JSON value, or None when it holds none."""
    if isinstance(data, list):
        return data
    if not isinstance(data, dict):
        return None
    for key in _LIST_KEYS:
        if isinstance(data.get(key), list):
            return list(data[key])
    if isinstance(data.get("paper"), dict) or "title" in data:
        return [data]
    return None


def sniff(text: str) -> bool:
    """JSON whose top level is an object or array and that carries HF paper keys."""
    head = text.lstrip()[:1]
    return head in ("{", "[") and _KEYS.search(text[:20000]) is not None


def parse(data: bytes | str, *, source: str = "", today: date | None = None, year: int | None = None) -> ParseResult:
    text = decode(data)
    value = load_json(text)
    entries = find_entries(value)
    if entries is None:
        raise ImportFormatError("this JSON holds no Hugging Face papers (expected a paper or a list of papers)")
    result = ParseResult(format=FORMAT)
    add_entries(result, entries)
    if not result.papers:
        reason = f" ({result.skipped[0][1]})" if result.skipped else ""
        raise ImportFormatError(f"no papers found in this Hugging Face JSON{reason}")
    return result
