"""arXiv API answers: the Atom feeds of ``export.arxiv.org/api/query``, saved or fetched.

A saved query (``readlist import saved-query.xml``) and the answers the arXiv client
receives are the same format, so both are read here. Each ``<entry>`` gives the
title, every author, the abstract, the categories (the primary one first), the
first-version date (``<published>``; ``<updated>`` is the latest version), the DOI
and journal reference when the authors gave them, and the arXiv id, old-style ids
(``hep-ph/0301050v2``) included.

feedparser reads the XML: it is well kept, understands the ``arxiv:`` and
``opensearch:`` extensions, turns off external entities, and recovers what it can
from a damaged file. The ``arxiv`` package was not used because it brings its own
HTTP client and rate limiter; readlist's downloads all go through one client.

The API reports a bad query as a feed holding one entry titled ``Error`` whose id
is under ``/api/errors``; that becomes :attr:`AtomPage.error`, not a paper.

Some entries are UTF-8 that was read as Latin-1 and encoded again (``AzaÃ¯s``
for ``Azaïs``, ``GÃ¶tz`` for ``Götz``). feedparser repairs that in the text
elements (title, summary, comment, journal reference) but not in author names;
:func:`repair_mojibake` applies its repair, under its rule, to the names.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from readlist.core.model import find_arxiv_id, is_arxiv_category
from readlist.core.text import clean_line
from readlist.importers.base import ImportFormatError, ParseResult, decode, iso_day
from readlist.importers.hf_json import unwrap

FORMAT = "arxiv-atom"

ABS_URL = "https://arxiv.org/abs/"
_ATOM_NS = "http://www.w3.org/2005/Atom"
_ARXIV_MARKERS = ("arxiv.org/schemas/atom", "arxiv.org/api", "arxiv.org/abs/")
_DECLARED_ENCODING = re.compile(r"""^(\s*<\?xml[^>]*?encoding\s*=\s*)["'][^"']*["']""")


@dataclass
class AtomPage:
    """One answer of the arXiv API: its papers, the paging counters, or the error it reported."""

    result: ParseResult
    total: int | None = None
    start: int | None = None
    per_page: int | None = None
    error: str | None = None
    # The feed was not well-formed XML (feedparser recovered what it could).
    damaged: str | None = None


def sniff(text: str) -> bool:
    """An Atom feed (root ``<feed>`` in the Atom namespace) that comes from arXiv."""
    head = text.lstrip()[:4096]
    if not head.startswith("<"):
        return False
    return "<feed" in head and _ATOM_NS in head and any(marker in text[:20000] for marker in _ARXIV_MARKERS)


def parse(data: bytes | str, *, source: str = "", today: date | None = None, year: int | None = None) -> ParseResult:
    page = read_feed(data)
    if page.error:
        raise ImportFormatError(f"this arXiv API answer is an error report: {page.error}")
    if page.damaged and page.result.papers:
        reason = f"the feed is damaged ({page.damaged}); the entries before the damage were read"
        page.result.skipped.append(("(rest of the file)", reason))
    if not page.result.papers:
        if page.damaged:
            raise ImportFormatError(f"not a readable arXiv Atom feed ({page.damaged})")
        raise ImportFormatError("no papers found in this arXiv Atom feed")
    return page.result


def read_feed(data: bytes | bytearray | str) -> AtomPage:
    """Parse one feed; never raises for bad content (see ``damaged`` and ``error``)."""
    import feedparser

    try:
        text = data if isinstance(data, str) else decode(data)
    except ImportFormatError as exc:  # binary, or not text in any encoding: an answer that is no feed
        return AtomPage(result=ParseResult(format=FORMAT), damaged=clean_line(str(exc))[:160])
    # The text is decoded by now: say so, or feedparser would decode it again by the declared encoding.
    raw = _DECLARED_ENCODING.sub(r'\1"utf-8"', text, count=1).encode("utf-8")
    # A stream, never a string: feedparser would treat a string as a URL or a file name to open.
    parsed = feedparser.parse(io.BytesIO(raw), sanitize_html=False, resolve_relative_uris=False)
    page = AtomPage(result=ParseResult(format=FORMAT))
    if parsed.get("bozo"):
        problem = parsed.get("bozo_exception")
        if not isinstance(problem, feedparser.CharacterEncodingOverride):
            page.damaged = clean_line(str(problem))[:160] or "not well-formed XML"
    version = str(parsed.get("version") or "")
    feed: Any = parsed.get("feed", {})
    page.total = _number(feed.get("opensearch_totalresults"))
    page.start = _number(feed.get("opensearch_startindex"))
    page.per_page = _number(feed.get("opensearch_itemsperpage"))
    entries: list[Any] = list(parsed.get("entries") or [])
    if not version.startswith("atom") and not entries:
        page.damaged = page.damaged or "not an Atom feed"
        return page
    for index, entry in enumerate(entries, start=1):
        entry_id = str(entry.get("id") or "")
        if "/api/errors" in entry_id:
            page.error = clean_line(str(entry.get("summary") or entry.get("title") or "error"))[:300]
            continue
        record = entry_record(entry)
        label = str(record.get("title") or entry_id or f"entry {index}")
        if not record.get("title"):
            page.result.skipped.append((label, "entry without a title (no such paper on arXiv?)"))
            continue
        page.result.add(record, label)
    return page


def entry_record(entry: Any) -> dict[str, object]:
    """Paper fields from one feedparser entry."""
    arxiv_id = find_arxiv_id(str(entry.get("id") or ""))
    if arxiv_id is None:
        for link in entry.get("links") or []:
            if link.get("rel") == "alternate":
                arxiv_id = find_arxiv_id(str(link.get("href") or ""))
                if arxiv_id:
                    break
    categories: list[str] = []
    primary = entry.get("arxiv_primary_category")
    terms = [primary.get("term")] if isinstance(primary, dict) else []
    terms += [tag.get("term") for tag in entry.get("tags") or [] if isinstance(tag, dict)]
    for term in terms:
        term = clean_line(str(term or ""))
        if term and is_arxiv_category(term) and term not in categories:
            categories.append(term)
    authors = [clean_line(repair_mojibake(str(a.get("name") or "")))
               for a in entry.get("authors") or [] if isinstance(a, dict)]
    return {
        "title": clean_line(str(entry.get("title") or "")),
        "abstract": unwrap(str(entry.get("summary") or "")),
        "authors": [a for a in authors if a],
        "arxiv_id": arxiv_id,
        "published": iso_day(entry.get("published")) or iso_day(entry.get("updated")),
        "categories": categories,
        "doi": clean_line(str(entry.get("arxiv_doi") or "")) or None,
        "journal_ref": clean_line(str(entry.get("arxiv_journal_ref") or "")) or None,
        "url": ABS_URL + arxiv_id if arxiv_id else None,
    }


def repair_mojibake(text: str) -> str:
    """UTF-8 that was decoded as Latin-1 (``StÃ©phane``) made right (``Stéphane``); any other text unchanged.

    feedparser's own rule for the text elements it repairs: the repair is made only when every character
    fits in one Latin-1 byte and those bytes are valid UTF-8. Correct text almost never passes both (a
    correct ``é`` alone is not valid UTF-8; ASCII comes back as it is), so nothing correct is changed.
    """
    if text.isascii():
        return text
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def _number(value: object) -> int | None:
    try:
        return int(str(value).strip()) if value is not None else None
    except ValueError:
        return None
