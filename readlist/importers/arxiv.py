"""arXiv pages saved as HTML: abstract pages and listing pages.

An abstract page (``/abs/<id>``) carries Highwire ``citation_*`` meta tags,
which are the stable part of its markup; the visible title, author and
abstract blocks are read only when those are missing. A listing page
(``/list/<cat>/new``, ``/list/<cat>/recent``) is a run of ``<dl>`` blocks
(new submissions, cross-lists, replacements) of ``<dt>``/``<dd>`` pairs; a
paper listed in two sections is imported once.
"""

from __future__ import annotations

import re
from datetime import date

from bs4 import BeautifulSoup, Tag

from readlist.core.model import find_arxiv_id
from readlist.core.text import clean_line
from readlist.importers.base import (
    ImportFormatError,
    ParseResult,
    arxiv_author_names,
    decode,
    iso_day,
    subject_categories,
    submitted_on,
)
from readlist.importers.hf_html import looks_like_html, make_soup
from readlist.importers.hf_json import unwrap

FORMAT = "arxiv-html"

ABS_URL = "https://arxiv.org/abs/"
_LISTING = re.compile(r"""<dl\b[^>]*\bid\s*=\s*["']?articles|class\s*=\s*["']list-title""", re.I)


def sniff(text: str) -> bool:
    """An HTML page with arXiv citation meta tags or an arXiv listing, and no Hugging Face hydrater."""
    if not looks_like_html(text) or 'data-target="DailyPapers"' in text or 'data-target="PaperContent"' in text:
        return False
    if 'name="citation_arxiv_id"' in text or "name='citation_arxiv_id'" in text:
        return True
    if _LISTING.search(text) is not None:
        return True
    return 'class="title mathjax"' in text and 'class="abstract mathjax"' in text


def parse(data: bytes | str, *, source: str = "", today: date | None = None, year: int | None = None) -> ParseResult:
    text = decode(data)
    result = ParseResult(format=FORMAT)
    try:
        soup = make_soup(text)
        if _is_listing(soup):
            _parse_listing(soup, result)
        else:
            _parse_abstract_page(soup, result)
    except RecursionError:
        raise ImportFormatError("the page is nested too deeply to read") from None
    if not result.papers:
        raise ImportFormatError("no papers found on this arXiv page")
    return result


def _text(node: object) -> str:
    if not isinstance(node, Tag):
        return ""
    for descriptor in node.select("span.descriptor"):
        descriptor.extract()
    return clean_line(node.get_text(" ", strip=True))


def _meta(soup: BeautifulSoup, name: str) -> list[str]:
    values = []
    for tag in soup.find_all("meta", attrs={"name": name}):
        content = tag.get("content")
        if isinstance(content, str) and content.strip():
            values.append(content)
    return values


def person(name: str) -> str:
    """``Riedl, Mark O.`` → ``Mark O. Riedl``; ``Last, Jr., First`` → ``First Last Jr.``."""
    parts = [p.strip() for p in name.split(",")]
    if len(parts) == 2 and all(parts):
        return f"{parts[1]} {parts[0]}"
    if len(parts) == 3 and parts[0] and parts[2]:
        return " ".join(p for p in (parts[2], parts[0], parts[1]) if p)
    return clean_line(name)


def _is_listing(soup: BeautifulSoup) -> bool:
    if soup.find("meta", attrs={"name": "citation_arxiv_id"}) is not None:
        return False
    return soup.select_one("dl dt") is not None and soup.select_one(".list-title") is not None


def _parse_abstract_page(soup: BeautifulSoup, result: ParseResult) -> None:
    title = clean_line(next(iter(_meta(soup, "citation_title")), "")) or _text(soup.select_one("h1.title"))
    authors = [person(a) for a in _meta(soup, "citation_author")]
    if not authors:
        box = soup.select_one("div.authors")
        authors = [_text(a) for a in box.find_all("a")] if isinstance(box, Tag) else []
    abstract = next(iter(_meta(soup, "citation_abstract")), "") or _text_block(soup.select_one("blockquote.abstract"))
    arxiv_id = None
    for candidate in [*_meta(soup, "citation_arxiv_id"), _canonical(soup), _text(soup.select_one(".arxivid")),
                      _text(soup.find("title"))]:
        arxiv_id = find_arxiv_id(candidate)
        if arxiv_id:
            break
    published = None
    for value in [*_meta(soup, "citation_date"), *_meta(soup, "citation_online_date")]:
        published = iso_day(value)
        if published:
            break
    if published is None:
        published = _dateline(soup)
    record: dict[str, object] = {
        "title": title,
        "authors": authors,
        "abstract": unwrap(abstract),
        "arxiv_id": arxiv_id,
        "published": published,
        "categories": subject_categories(_text(soup.select_one("td.subjects"))),
        "url": ABS_URL + arxiv_id if arxiv_id else None,
    }
    result.add(record, title or "arXiv page")


def _text_block(node: object) -> str:
    if not isinstance(node, Tag):
        return ""
    for descriptor in node.select("span.descriptor"):
        descriptor.extract()
    return node.get_text()


def _canonical(soup: BeautifulSoup) -> str:
    link = soup.find("link", rel="canonical")
    href = link.get("href") if isinstance(link, Tag) else None
    return href if isinstance(href, str) else ""


def _dateline(soup: BeautifulSoup) -> str | None:
    return submitted_on(_text(soup.select_one(".dateline")))


def _parse_listing(soup: BeautifulSoup, result: ParseResult) -> None:
    seen: set[str] = set()
    for dt in soup.select("dl dt"):
        dd = dt.find_next_sibling("dd")
        if not isinstance(dd, Tag):
            continue
        arxiv_id = None
        for link in dt.find_all("a", href=True):
            href = link.get("href")
            if isinstance(href, str) and "/abs/" in href:
                arxiv_id = find_arxiv_id(href)
                if arxiv_id:
                    break
        arxiv_id = arxiv_id or find_arxiv_id(_text(dt))
        title = _text(dd.select_one(".list-title"))
        key = arxiv_id or title.casefold()
        if not key or key in seen:
            continue
        seen.add(key)
        box = dd.select_one(".list-authors")
        authors = [_text(a) for a in box.find_all("a")] if isinstance(box, Tag) else []
        _, not_shown = arxiv_author_names(_text(box)) if isinstance(box, Tag) else ([], 0)
        abstract = dd.select_one("p.mathjax") or dd.select_one("p")
        record: dict[str, object] = {
            "title": title,
            "authors": authors,
            "abstract": unwrap(abstract.get_text()) if isinstance(abstract, Tag) else "",
            "arxiv_id": arxiv_id,
            "categories": subject_categories(_text(dd.select_one(".list-subjects"))),
            "url": ABS_URL + arxiv_id if arxiv_id else None,
        }
        if not_shown:
            record["authors_count"] = len(authors) + not_shown  # the names are the first ones only
        result.add(record, title or arxiv_id or "listing entry")
