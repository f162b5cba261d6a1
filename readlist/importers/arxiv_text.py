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
"""

from __future__ import annotations

import re
from datetime import date

from readlist.core.model import find_arxiv_id
from readlist.importers.base import SUBMITTED_ON, ImportFormatError, ParseResult, decode, submitted_on

FORMAT = "arxiv-text"

ABS_URL = "https://arxiv.org/abs/"
_CITED_ID = re.compile(r"\barXiv:\s?(?:\d{4}\.\d{4,5}|[a-z][a-z-]*(?:\.[A-Za-z]{2})?/\d{7})", re.IGNORECASE)
_TITLE_LINE = re.compile(r"^[^\S\n]*Title:", re.MULTILINE)
# The labels of the page's fields, as they open a line; what follows a label up to the next one is its value.
_LABEL = re.compile(
    r"^(?P<label>Title|Authors?|Abstract|Comments|Subjects|Journal reference|Journal ref|Cite as|DOI|"
    r"Report number|MSC classes|ACM classes|Related DOI|Submission history)\s*:\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_RULE = re.compile(r"^[-+=|]{3,}[-+=| ]*$")
# Lines between the author list and the abstract: links to the full text.
_FULL_TEXT = re.compile(r"^(?:Download PDF|View PDF|PDF|HTML \(experimental\)|TeX Source|Other formats|"
                        r"View a PDF of the paper titled .*)$", re.IGNORECASE)
# How far into a copy the page's header (the id, dateline and title) is looked for.
_HEAD = 100_000


def sniff(text: str) -> bool:
    """Text (not markup) with an arXiv dateline, a ``Title:`` line and an ``arXiv:`` id, as an abstract page shows."""
    head = text[:_HEAD]
    if head.lstrip().startswith("<"):
        return False
    return (
        SUBMITTED_ON.search(head) is not None
        and _TITLE_LINE.search(head) is not None
        and _CITED_ID.search(head) is not None
    )


def parse(data: bytes | str, *, source: str = "", today: date | None = None, year: int | None = None) -> ParseResult:
    text = decode(data)
    result = ParseResult(format=FORMAT)
    lines = [" ".join(raw.split()) for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    starts = [index for index, line in enumerate(lines) if SUBMITTED_ON.search(line)]
    for number, start in enumerate(starts):
        end = starts[number + 1] if number + 1 < len(starts) else len(lines)
        before = starts[number - 1] if number else 0
        _parse_page(lines[before:start], lines[start:end], result)
    if not result.papers:
        raise ImportFormatError(
            "no paper found in this copy of an arXiv page (it needs the Title:, Authors: and Abstract: lines; "
            "copy the whole page, or import the saved page or its URL)"
        )
    return result


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
    authors_text = " ".join(fields.get("authors", []) or fields.get("author", []))
    authors = [name.strip() for name in authors_text.split(",") if name.strip()]
    record: dict[str, object] = {
        "title": title,
        "authors": authors,
        # Line breaks within the abstract are the page's hard wraps and <br>s (which some copies double), not
        # paragraphs: the abstract is one paragraph, as the page's citation_abstract gives it.
        "abstract": " ".join(" ".join(fields.get("abstract", [])).split()),
        "arxiv_id": arxiv_id,
        "published": submitted_on(page[0]),
        "url": ABS_URL + arxiv_id if arxiv_id else None,
    }
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
