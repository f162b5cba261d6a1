"""Hugging Face papers pages saved as HTML: list pages and single paper pages.

The markup of these pages changes often, but every page embeds its data as
JSON in the ``data-props`` attribute of a hydrater ``<div>``
(``data-target="DailyPapers"`` on list pages, ``"PaperContent"`` on a paper
page). That JSON is read first, pulled out with a regular expression so that a
page with hundreds of cards never has to be built into a tree. Only when it is
missing (a page saved without it, or a copied fragment) are the visible
``<article>`` cards or the paper page body read with BeautifulSoup.
"""

from __future__ import annotations

import html
import json
import re
import warnings
from datetime import date
from typing import Any

from bs4 import BeautifulSoup, Tag
from lxml import etree

from readlist.core.model import find_arxiv_id
from readlist.core.text import clean_line
from readlist.importers.base import ImportFormatError, ParseResult, decode, latest_not_after, month_day
from readlist.importers.hf_json import (
    HF_PAPER_URL,
    RECORD_ERRORS,
    add_entries,
    find_entries,
    organization_name,
    paper_record,
    unwrap,
)

FORMAT = "hf-html"

_HTML_START = re.compile(r"<(?:!doctype\s+html|html|head|body|div|article|section|main|h1|h3|meta)\b", re.I)
_HYDRATERS = ('data-target="DailyPapers"', 'data-target="PaperContent"', "data-target='DailyPapers'",
              "data-target='PaperContent'")
_PAPER_HREF = re.compile(r"""href\s*=\s*["']?(?:https?://huggingface\.co)?/papers/\d{4}\.\d{4,5}""", re.I)
_PAPER_PATH = re.compile(r"^(?:https?://huggingface\.co)?/papers/(\d{4}\.\d{4,5})(?:v\d+)?(?:[/?#]|$)")
# A start tag whose quoted attribute values may themselves contain ">".
_TAG = re.compile(r"""<[A-Za-z][\w-]*(?:[^>"']|"[^"]*"|'[^']*')*>""")
_ATTR = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
# Digit runs are capped: a count is never that long, and int() refuses thousands of digits.
_AUTHORS = re.compile(r"(?<![\d,])(\d[\d,]{0,9})\s+authors?\b", re.I)
_NUMBER = re.compile(r"^\s*(\d[\d,]{0,11}(?:\.\d{1,3})?)\s*([kK])?\s*$")
_PUBLISHED = re.compile(r"Published on\s+([A-Za-z]{3,9}\.?\s+\d{1,2}(?:,?\s+\d{4})?)")
# Text joined across inline tags gains a space before punctuation ("agents ." for "agents</a>.").
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([.,;:!?)\]])")
_RESERVED_PATHS = frozenset({"papers", "login", "join", "avatars", "models", "datasets", "spaces", "docs", "blog",
                             "pricing", "settings", "notifications", "collections", "posts", "search", "api"})


def looks_like_html(text: str) -> bool:
    """Markup, not a text copy: the first character is ``<`` and a page-level tag follows soon."""
    stripped = text.lstrip()
    return stripped.startswith("<") and _HTML_START.search(stripped[:4096]) is not None


def check_depth(text: str) -> None:
    """Refuse markup nested deeper than libxml2's limit (256) before BeautifulSoup builds it.

    BeautifulSoup lifts that limit and then takes minutes over a hostile page of
    100,000 nested tags; a quick pass of lxml's own parser finds the problem in
    milliseconds. Real pages nest a few dozen levels deep.
    """
    parser = etree.HTMLParser(encoding="utf-8", recover=True, no_network=True)
    try:
        etree.fromstring(text.encode("utf-8", errors="replace"), parser)
    except etree.LxmlError:
        pass  # not markup at all; BeautifulSoup copes with that
    if any("Excessive depth" in entry.message for entry in parser.error_log):
        raise ImportFormatError("the page is nested too deeply to read (more than 256 levels of tags)")


def make_soup(text: str) -> BeautifulSoup:
    """Parse with lxml, silencing BeautifulSoup's guesses about odd input (XML prologs, URL-like text)."""
    check_depth(text)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return BeautifulSoup(text, "lxml")


def sniff(text: str) -> bool:
    """An HTML page with a Hugging Face hydrater div or Hugging Face paper cards (never an arXiv page)."""
    if not looks_like_html(text):
        return False
    if any(marker in text for marker in _HYDRATERS):
        return True
    if "citation_arxiv_id" in text:
        return False
    return "<article" in text and _PAPER_HREF.search(text) is not None


def parse(data: bytes | str, *, source: str = "", today: date | None = None, year: int | None = None) -> ParseResult:
    today = today or date.today()
    if year:
        today = _in_year(today, year)
    text = decode(data)
    try:
        result = _parse(text, today)
    except RecursionError:
        raise ImportFormatError("the page is nested too deeply to read") from None
    if not result.papers:
        raise ImportFormatError("no papers found on this Hugging Face page")
    return result


def _in_year(day: date, year: int) -> date:
    try:
        return day.replace(year=year)
    except ValueError:  # Feb 29
        return date(year, day.month, 28)


def _parse(text: str, today: date) -> ParseResult:
    result = ParseResult(format=FORMAT)
    props = _hydrater_props(text)
    daily = props.get("DailyPapers")
    if isinstance(daily, dict):
        entries = find_entries(daily)
        if entries:
            add_entries(result, entries)
            if result.papers:
                return result
            result = ParseResult(format=FORMAT)  # nothing usable in the JSON: try the visible cards
    content = props.get("PaperContent")
    if isinstance(content, dict) and isinstance(content.get("paper"), dict):
        try:
            record = paper_record(content["paper"])
            record["organization"] = record.get("organization") or organization_name(
                content.get("submitterOrganization")
            )
        except RECORD_ERRORS as exc:
            result.skipped.append(("paper", f"malformed record ({type(exc).__name__})"))
        else:
            result.add(record, str(record.get("title") or "paper"))
            return result
    soup = make_soup(text)
    if _is_paper_page(soup):
        _parse_paper_body(soup, result, today)
    else:
        _parse_cards(soup, result, today)
    return result


# ---------------------------------------------------------------------------
# embedded JSON


def _hydrater_props(text: str) -> dict[str, Any]:
    """The decoded ``data-props`` of the DailyPapers and PaperContent hydraters, by target name."""
    found: dict[str, Any] = {}
    for marker in _HYDRATERS:
        position = text.find(marker)
        if position < 0:
            continue
        name = marker.split("=", 1)[1].strip("\"'")
        if name in found:
            continue
        start = text.rfind("<", 0, position)
        match = _TAG.match(text, start) if start >= 0 else None
        if match is None or match.end() <= position:
            continue
        attrs = {m[1].lower(): m[2] if m[2] is not None else m[3] if m[3] is not None else m[4]
                 for m in _ATTR.finditer(match.group(0))}
        raw = attrs.get("data-props")
        if not raw:
            continue
        try:
            found[name] = json.loads(html.unescape(raw))
        except (ValueError, RecursionError):
            continue  # damaged JSON (or absurd numbers in it): the visible markup is read instead
    return found


# ---------------------------------------------------------------------------
# visible markup


def _text(node: Tag | None) -> str:
    return clean_line(node.get_text(" ", strip=True)) if node is not None else ""


def _href(node: Tag) -> str:
    value = node.get("href")
    return value if isinstance(value, str) else ""


def _page_url(soup: BeautifulSoup) -> str:
    link = soup.find("link", rel="canonical")
    if isinstance(link, Tag) and _href(link):
        return _href(link)
    meta = soup.find("meta", property="og:url")
    if isinstance(meta, Tag):
        content = meta.get("content")
        if isinstance(content, str):
            return content
    return ""


def _is_paper_page(soup: BeautifulSoup) -> bool:
    if _PAPER_PATH.match(_page_url(soup)):
        return True
    return soup.find("h1") is not None and soup.select_one("span.author") is not None


def _date_field(text: str, today: date) -> str | None:
    match = _PUBLISHED.search(text)
    if not match:
        return None
    md = month_day(match.group(1))
    if md is None:
        return None
    month, day, explicit = md
    try:
        return (date(explicit, month, day) if explicit else latest_not_after(month, day, today)).isoformat()
    except ValueError:
        return None


def _id_day(arxiv_id: str | None, today: date) -> date:
    """The latest date a year-less day can fall on: the end of the paper's arXiv month (``2509`` → Sep 2025).

    A paper is published in the month its new-style arXiv id names, so that pins
    the year better than the import date does.
    """
    if arxiv_id and re.match(r"^\d{4}\.", arxiv_id):
        yy, mm = int(arxiv_id[:2]), int(arxiv_id[2:4])
        if 1 <= mm <= 12:
            month_end = date.fromordinal(date(2000 + yy + (mm == 12), mm % 12 + 1, 1).toordinal() - 1)
            return min(month_end, today)
    return today


def _parse_paper_body(soup: BeautifulSoup, result: ParseResult, today: date) -> None:
    """A paper page without its JSON: ``h1`` title, ``span.author`` names, the Abstract section."""
    title = _text(soup.find("h1"))
    if not title:
        return
    authors: list[str] = []
    for span in soup.select("span.author"):
        # A name shown without a profile link, or folded away in a long list, is still an author.
        name = _text(span).strip(" ,")
        if name:
            authors.append(name)
    abstract = ""
    heading = next((h for h in soup.find_all(["h2", "h3"]) if _text(h).casefold() == "abstract"), None)
    if heading is not None and isinstance(heading.parent, Tag):
        section = heading.parent
        # The AI-written summary shown above the abstract is not the abstract: leave out its box.
        excluded: set[int] = set()
        for marker in section.find_all(string=re.compile("AI-generated summary")):
            box = marker.parent
            while isinstance(box, Tag) and box is not section and box.find("p") is None:
                box = box.parent
            if isinstance(box, Tag) and box is not section:
                excluded.update(id(p) for p in box.find_all("p"))
        paragraphs = [_SPACE_BEFORE_PUNCT.sub(r"\1", p.get_text(" ", strip=True))
                      for p in section.find_all("p") if id(p) not in excluded]
        abstract = "\n\n".join(unwrap(p) for p in paragraphs if p)
    url = _page_url(soup)
    arxiv_id = find_arxiv_id(url)
    if arxiv_id is None:
        link = soup.find("a", href=re.compile(r"arxiv\.org/abs/"))
        arxiv_id = find_arxiv_id(_href(link)) if isinstance(link, Tag) else None
    record: dict[str, object] = {
        "title": title,
        "authors": authors,
        "abstract": abstract,
        "arxiv_id": arxiv_id,
        "url": HF_PAPER_URL + arxiv_id if arxiv_id else None,
        "published": _date_field(soup.get_text(" "), _id_day(arxiv_id, today)),
    }
    result.add(record, title)


def _number(text: str) -> int | None:
    match = _NUMBER.match(text)
    if not match:
        return None
    value = float(match.group(1).replace(",", ""))
    return int(value * 1000) if match.group(2) else int(value)


def _card_upvotes(card: Tag, title_node: Tag | None) -> int | None:
    """The vote count: the number in the upvote box, shown before the title (not stars, not comments)."""
    for node in card.select(".leading-none"):
        value = _number(node.get_text())
        if value is not None:
            return value
    for string in card.find_all(string=True):
        if title_node is not None and string.find_parent(title_node.name) is title_node:
            break
        value = _number(str(string))
        if value is None:
            continue
        link = string.find_parent("a")
        if link is not None and ("github.com" in _href(link) or "#community" in _href(link)):
            continue
        return value
    return None


def _card_organization(card: Tag) -> str | None:
    for link in card.find_all("a", href=True):
        href = _href(link)
        if href.startswith("/organizations/"):
            path = href.split("/")[2] if len(href.split("/")) > 2 else ""
        elif re.match(r"^/[\w.-]+/?$", href):
            path = href.strip("/")
        else:
            continue
        if not path or path in _RESERVED_PATHS:
            continue
        holder = link.find_parent("div")
        if holder is not None and "Submitted by" in holder.get_text():
            continue
        name = _text(link)
        if not name:
            img = link.find("img")
            alt = img.get("alt") if isinstance(img, Tag) else None
            name = alt if isinstance(alt, str) else ""
        return name.strip() or path
    return None


def _parse_cards(soup: BeautifulSoup, result: ParseResult, today: date) -> None:
    """A list page without its JSON: one ``<article>`` card per paper."""
    seen: set[str] = set()
    for card in soup.find_all("article"):
        arxiv_id = None
        for link in card.find_all("a", href=True):
            match = _PAPER_PATH.match(_href(link))
            if match:
                arxiv_id = match.group(1)
                break
        if arxiv_id is None:
            continue
        title_node = card.find(["h3", "h2", "h1"])
        title = _text(title_node)
        if not title:
            texts = [_text(a) for a in card.find_all("a", href=_PAPER_PATH)]
            title = max(texts, key=len, default="")
        if arxiv_id in seen:
            continue
        seen.add(arxiv_id)
        card_text = card.get_text(" ", strip=True)
        count = _AUTHORS.search(card_text)
        record: dict[str, object] = {
            "title": title,
            "arxiv_id": arxiv_id,
            "url": HF_PAPER_URL + arxiv_id,
            "upvotes": _card_upvotes(card, title_node if isinstance(title_node, Tag) else None),
            "authors_count": int(count.group(1).replace(",", "")) if count else None,
            "organization": _card_organization(card),
            "published": _date_field(card_text, _id_day(arxiv_id, today)),
        }
        result.add(record, title or arxiv_id)
