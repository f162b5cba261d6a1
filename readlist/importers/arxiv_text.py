"""arXiv abstract pages copied as text (select all on ``arxiv.org/abs/<id>``, copy, paste or save).

What the page shows is what the copy holds, in the page's order::

    arXiv:2106.09608 (cs)
    [Submitted on 17 Jun 2021 (v1), last revised 20 Oct 2021 (this version, v2)]
    Title:Learning Knowledge Graph-based World Models of Textual Environments
    Authors:Prithviraj Ammanabrolu, Mark O. Riedl
    Download PDF
    Abstract: World models improve a learning agent's ability …
    Comments: …
    Subjects: …
    Cite as: arXiv:2106.09608 [cs.LG]

Browsers differ in where they break lines (a label may stand on its own line, the author list may be
broken at each comma, the abstract may keep the page's hard wraps, with blank lines at its ``<br>``s), so
the labels, not the line breaks, mark the fields: the abstract runs up to the next label (``Comments:``,
``Subjects:`` …). The date is the first submission, as the HTML page importer reads it from the same
dateline; copies of several pages pasted one after another give one paper per dateline.

A listing page (``arxiv.org/list/<category>/new`` or ``/recent``) copied the same way gives every paper it
lists::

    [1]  arXiv:2303.08867  [pdf, other]
    Title: A Bayesian derivation of the square root law of market impact
    Louis Saddier, Matteo Marsili
    Comments: 16 pages, 5 figures
    Subjects: Trading and Market Microstructure (q-fin.TR); Statistical Mechanics (cond-mat.stat-mech)
    We show that the main empirical findings …

The entry's number and id open it; the author list is the unlabelled text after the title (older pages label
it ``Authors:``); the abstract, which a listing shows without a label (and ``/recent`` not at all), is the
text after the ``Subjects:`` field, which every entry has and which comes last. A listing has no dateline and
its entries no date, as in the saved page. A paper listed in two sections is read once.

An author list, on either page, is split by :func:`~readlist.importers.base.arxiv_author_names`: the page's
links hold the names, the copy the whole line, with affiliations in parentheses and, for a long list, "et al.
(N additional authors not shown)".
"""

from __future__ import annotations

import re
from datetime import date

from readlist.core.model import find_arxiv_id
from readlist.importers.base import (
    SUBMITTED_ON,
    ImportFormatError,
    ParseResult,
    arxiv_author_names,
    decode,
    subject_categories,
    submitted_on,
)

FORMAT = "arxiv-text"

ABS_URL = "https://arxiv.org/abs/"
_CITED_ID = re.compile(r"\barXiv:\s?(?:\d{4}\.\d{4,5}|[a-z][a-z-]*(?:\.[A-Za-z]{2})?/\d{7})", re.IGNORECASE)
_TITLE_LINE = re.compile(r"^[^\S\n]*Title:", re.MULTILINE)
# The labels of the page's fields, as they open a line; what follows a label up to the next one is its value.
_LABEL = re.compile(
    r"^(?P<label>Title|Authors?|Abstract|Comments|Subjects|Journal reference|Journal[- ]ref|Cite as|DOI|"
    r"Report number|Report-no|MSC classes|MSC-class|ACM classes|ACM-class|Related DOI|Submission history)"
    r"\s*:\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_RULE = re.compile(r"^[-+=|]{3,}[-+=| ]*$")
# Lines between the author list and the abstract: links to the full text.
_FULL_TEXT = re.compile(r"^(?:Download PDF|View PDF|PDF|HTML \(experimental\)|TeX Source|Other formats|"
                        r"View a PDF of the paper titled .*)$", re.IGNORECASE)
# How far into a copy the page's header (the id, dateline and title) is looked for.
_HEAD = 100_000
# A listing's entry opens with its number, then its id (on the same line, or the next in a broken-up copy).
_ENTRY = re.compile(r"^\[\d+\](?:\s+(?P<rest>.*))?$")
# The id, then what the page says of the entry: "(replaced)", "(cross-list from cs.LG)", "[pdf, html, other]".
_LISTED_ID = re.compile(r"^arXiv:\s?\S+(?:\s*\([^()]*\)|\s*\[[^\[\]]*\]|\s*\[)*$", re.IGNORECASE)
# Where a listing's run of entries stops: the next section's heading, or the count under the last one.
_LISTING_BREAK = re.compile(
    r"\(showing (?:first )?\d+ of \d+ entries|^Total of \d+ entries|"
    r"^(?:New submissions|Cross-lists|Replacements) for \S",
    re.IGNORECASE,
)
# A piece of the "Subjects" field as a broken-up copy puts it on lines of its own: a name with its category in
# parentheses, or the "; " between two.
_SUBJECT_PIECE = re.compile(r"^(?:;\s*)?(?:[^;()]*\([a-z][a-z-]*(?:\.[A-Za-z][A-Za-z-]*)?\)\s*(?:;\s*)?)*$")


def sniff(text: str) -> bool:
    """Text (not markup) with a ``Title:`` line and an ``arXiv:`` id, and either an arXiv dateline, as an
    abstract page shows, or numbered entries, as a listing shows."""
    head = text[:_HEAD]
    if head.lstrip().startswith("<"):
        return False
    if _TITLE_LINE.search(head) is None or _CITED_ID.search(head) is None:
        return False
    if SUBMITTED_ON.search(head) is not None:
        return True
    return bool(_entries(_lines(head)))


def _lines(text: str) -> list[str]:
    """The copy's lines, each with its runs of whitespace made one space (a copy may keep the page's indents).

    A row of a table drawn in text (``| Subjects: | Analysis of PDEs (math.AP) |``, as a copy may render the
    abstract page's table of fields) is its cells' text.
    """
    lines = [" ".join(raw.split()) for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return [" ".join(" ".join(cell.split()) for cell in line[1:-1].split("|")).strip()
            if len(line) > 2 and line.startswith("| ") and line.endswith(" |") else line for line in lines]


def parse(data: bytes | str, *, source: str = "", today: date | None = None, year: int | None = None) -> ParseResult:
    text = decode(data)
    result = ParseResult(format=FORMAT)
    lines = _lines(text)
    starts = [index for index, line in enumerate(lines) if SUBMITTED_ON.search(line)]
    for number, start in enumerate(starts):
        end = starts[number + 1] if number + 1 < len(starts) else len(lines)
        before = starts[number - 1] if number else 0
        _parse_page(lines[before:start], lines[start:end], result)
    if not starts:
        _parse_listing(lines, result)
    if not result.papers and not result.skipped:
        raise ImportFormatError(
            "no paper found in this copy of an arXiv page (an abstract page needs its Title:, Authors: and "
            "Abstract: lines, a listing its numbered entries with their Title: lines; copy the whole page, or "
            "import the saved page or its URL)"
        )
    return result


def _entries(lines: list[str]) -> list[tuple[int, str]]:
    """Where each listing entry's fields begin (the line after its id) and its id."""
    found: list[tuple[int, str]] = []
    for index, line in enumerate(lines):
        match = _ENTRY.match(line)
        if match is None:
            continue
        rest = match["rest"] or ""
        at = index + 1
        if not _LISTED_ID.match(rest):  # a broken-up copy: the id on the next line that holds something
            while at < len(lines) and not lines[at]:
                at += 1
            if at == len(lines) or not _LISTED_ID.match(lines[at]):
                continue
            rest, at = lines[at], at + 1
        arxiv_id = find_arxiv_id(rest)
        if arxiv_id:
            found.append((at, arxiv_id))
    return found


def _parse_listing(lines: list[str], result: ParseResult) -> None:
    entries = _entries(lines)
    seen: set[str] = set()
    for number, (start, arxiv_id) in enumerate(entries):
        end = entries[number + 1][0] if number + 1 < len(entries) else len(lines)
        for index in range(start, end):
            if _LISTING_BREAK.search(lines[index]) or _ENTRY.match(lines[index]):
                end = index
                break
        if arxiv_id in seen:
            continue
        seen.add(arxiv_id)
        _parse_entry(arxiv_id, lines[start:end], result, last=end == len(lines))


def _parse_entry(arxiv_id: str, lines: list[str], result: ParseResult, *, last: bool = False) -> None:
    """One listing entry: the lines after its id, up to the next entry or section.

    Every entry ends with its ``Subjects:`` field (and the abstract after it), so the copy's last entry without
    one was cut off by the selection, maybe inside its title: it is skipped rather than kept half written.
    """
    rows = [line for line in lines if line]
    opening = next((index for index, line in enumerate(rows) if _TITLE_LINE.match(line)), None)
    if opening is None:
        result.skipped.append((f"arXiv:{arxiv_id}", "the listing entry has no Title: line"))
        return
    title_match = _LABEL.match(rows[opening])
    title = title_match["rest"] if title_match is not None else ""
    at = opening + 1
    if not title and at < len(rows) and _LABEL.match(rows[at]) is None:
        title, at = rows[at], at + 1  # the label on a line of its own
    authors: list[str] = []
    subjects: list[str] = []
    abstract: list[str] = []
    field = "authors"  # the text right after the title is the (unlabelled) author list
    for line in rows[at:]:
        match = _LABEL.match(line)
        if match is not None and field != "abstract":
            label = match["label"].casefold()
            field = "authors" if label in ("author", "authors") else "subjects" if label == "subjects" else "other"
            line = match["rest"]
            if not line:
                continue
        elif field == "subjects" and not _SUBJECT_PIECE.match(line):
            field = "abstract"
        if field == "authors":
            authors.append(line)
        elif field == "subjects":
            subjects.append(line)
        elif field == "abstract":
            abstract.append(line)
    if last and not subjects:
        result.skipped.append((title or f"arXiv:{arxiv_id}",
                               "the copy ends inside this entry (no Subjects: line); copy the whole entry"))
        return
    names, not_shown = arxiv_author_names(" ".join(authors).replace(" ,", ","))
    record: dict[str, object] = {
        "title": title,
        "authors": names,
        "abstract": " ".join(" ".join(abstract).split()),
        "arxiv_id": arxiv_id,
        "categories": subject_categories(" ".join(subjects)),
        "url": ABS_URL + arxiv_id,
    }
    if not_shown:
        record["authors_count"] = len(names) + not_shown
    result.add(record, title or f"arXiv:{arxiv_id}")


def _parse_page(header: list[str], page: list[str], result: ParseResult) -> None:
    """One abstract page: ``page`` starts at its dateline, ``header`` is what came before that."""
    fields = _fields(page)
    title = " ".join(fields.get("title", []))
    if not title:
        return
    arxiv_id = None
    # The id line stands right above the dateline (``arXiv:2106.09608 (cs)``); "Cite as" repeats it below.
    for line in [*reversed([line for line in header if line][-6:]), *fields.get("cite as", [])]:
        if _CITED_ID.search(line):
            arxiv_id = find_arxiv_id(line)
            if arxiv_id:
                break
    authors, not_shown = arxiv_author_names(" ".join(fields.get("authors", []) or fields.get("author", [])))
    record: dict[str, object] = {
        "title": title,
        "authors": authors,
        # Line breaks within the abstract are the page's hard wraps and <br>s (which some copies double), not
        # paragraphs: the abstract is one paragraph, as the page's citation_abstract gives it.
        "abstract": " ".join(" ".join(fields.get("abstract", [])).split()),
        "arxiv_id": arxiv_id,
        "published": submitted_on(page[0]),
        "categories": subject_categories(" ".join(fields.get("subjects", []))),
        "url": ABS_URL + arxiv_id if arxiv_id else None,
    }
    if not_shown:
        record["authors_count"] = len(authors) + not_shown
    result.add(record, title)


def _fields(page: list[str]) -> dict[str, list[str]]:
    """The labelled fields of a page, each the lines of its value (the label's own line included)."""
    fields: dict[str, list[str]] = {}
    current: list[str] | None = None
    label = ""
    for line in page[1:]:
        match = _LABEL.match(line)
        if match is not None:
            label = match["label"].casefold()
            if label in fields:  # a second "Title:" is another page's, or a field of the site's search form
                current = None
                continue
            current = fields[label] = []
            if match["rest"]:
                current.append(match["rest"])
            continue
        if current is None:
            continue
        if not line:
            if current and label in ("title", "authors", "author"):
                current = None  # a blank line ends the title or the author list once it has begun
            continue
        if _RULE.match(line):
            current = None  # the border of the table of fields under the abstract
            continue
        if label in ("authors", "author") and _FULL_TEXT.match(line):
            current = None
            continue
        current.append(line)
    return fields
