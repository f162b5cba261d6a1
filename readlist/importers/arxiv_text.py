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

A terminal browser's dump (lynx, w3m) or a copy wrapped to a width breaks a long title onto a second line, just
above the author list, which has no label to tell where it starts: the title goes on while its line is full
(the next word would not have fitted at the width the copy was wrapped at), and the author list is what comes
after. Where the lines cannot tell (a title that happened to fill its line above an author list that takes two
lines), the author list is left empty rather than made from what may be the title's words.

An author list, on either page, is split by :func:`~readlist.importers.base.arxiv_author_names`: the page's
links hold the names, the copy the whole line, with affiliations in parentheses and, for a long list, "et al.
(N additional authors not shown)".
"""

from __future__ import annotations

import re
from datetime import date

from readlist.core.model import find_arxiv_id
from readlist.core.text import unify_line_ends
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
    lines = [" ".join(raw.split()) for raw in unify_line_ends(text).split("\n")]
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
        _parse_listing(lines, _wrap_width(text), result)
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


def _wrap_width(text: str) -> tuple[list[int], int | None]:
    """How wide each line of the copy is (in characters, indent included), and the width the copy was wrapped at:
    None when it was not.

    A copy that a terminal browser rendered (lynx, w3m) or that was wrapped to fit a width has its lines broken
    where the next word would not have fitted: many lines come close to the width, and the longest gives it. A
    browser's copy keeps each paragraph on one line, and its longest line (an abstract) stands alone.
    """
    widths = [len(raw.expandtabs().rstrip()) for raw in unify_line_ends(text).split("\n")]
    width = max(widths, default=0)
    near = sum(1 for line_width in widths if line_width >= width - _WRAP_SLACK)
    return widths, width if width and near >= _WRAPPED_LINES else None


# A copy is hard-wrapped when this many lines come within a few characters of its longest line.
_WRAP_SLACK = 5
_WRAPPED_LINES = 3


def _parse_listing(lines: list[str], wrap: tuple[list[int], int | None], result: ParseResult) -> None:
    widths, width = wrap
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
        _parse_entry(arxiv_id, _Rows(lines[start:end], widths[start:end], width), result, last=end == len(lines))


class _Rows:
    """The lines of a listing entry that hold something, with how wide each was and whether a blank line came
    before it, and the width the copy was wrapped at (None when it was not)."""

    def __init__(self, lines: list[str], widths: list[int], width: int | None) -> None:
        self.lines: list[str] = []
        self.widths: list[int] = []
        self.after_blank: list[bool] = []
        self.width = width
        blank = False
        for line, line_width in zip(lines, widths, strict=True):
            if not line:
                blank = True
                continue
            self.lines.append(line)
            self.widths.append(line_width)
            self.after_blank.append(blank)
            blank = False

    def continues(self, index: int) -> bool:
        """Whether line ``index`` goes on on the next one: the copy was wrapped, the next word would not have
        fitted on this line, and no blank line comes between."""
        after = index + 1
        if self.width is None or after >= len(self.lines) or self.after_blank[after]:
            return False
        # Wrappers differ by one column (whether the space before the next word must fit too): a line one short
        # of the longest is full as well.
        return self.widths[index] + 1 + len(self.lines[after].split(" ", 1)[0]) >= self.width


def _parse_entry(arxiv_id: str, rows: _Rows, result: ParseResult, *, last: bool = False) -> None:
    """One listing entry: the lines after its id, up to the next entry or section.

    Every entry ends with its ``Subjects:`` field (and the abstract after it), so the copy's last entry without
    one was cut off by the selection, maybe inside its title: it is skipped rather than kept half written.
    """
    lines = rows.lines
    opening = next((index for index, line in enumerate(lines) if _TITLE_LINE.match(line)), None)
    if opening is None:
        result.skipped.append((f"arXiv:{arxiv_id}", "the listing entry has no Title: line"))
        return
    title_match = _LABEL.match(lines[opening])
    title = title_match["rest"] if title_match is not None else ""
    at = opening + 1
    if not title and at < len(lines) and _LABEL.match(lines[at]) is None:
        title, at = lines[at], at + 1  # the label on a line of its own
    title_lines, at, authors_known = _title_lines(rows, at)
    title = " ".join([title, *title_lines])
    authors: list[str] = []
    subjects: list[str] = []
    abstract: list[str] = []
    field = "authors"  # the text right after the title is the (unlabelled) author list
    for line in lines[at:]:
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
    names, not_shown = arxiv_author_names(" ".join(authors).replace(" ,", ",")) if authors_known else ([], 0)
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


def _title_lines(rows: _Rows, at: int) -> tuple[list[str], int, bool]:
    """The lines from ``at`` on that continue the title on the line before it, where the rest of the entry
    starts, and whether the author list there is known.

    The author list comes after the title without a label (older pages label it ``Authors:``, and then all
    that comes before the label is the title). A wrapped copy breaks a long title onto the next line, so the
    title goes on while its line is full (the next word would not have fitted) and no blank line comes between.
    Only when every line up to the author list's last is full can the title have ended on any of them (a title
    that happened to fill its line, then an author list that was wrapped too): the title is then its first line,
    which a later import completes, and the author list is left empty rather than made from the title's words.
    """
    lines = rows.lines
    end = next((index for index in range(at, len(lines)) if _LABEL.match(lines[index])), len(lines))
    label = _LABEL.match(lines[end]) if end < len(lines) else None
    if label is not None and label["label"].casefold() in ("author", "authors"):
        return lines[at:end], end, True
    taken = at
    while taken < end and rows.continues(taken - 1):
        taken += 1
    if taken < end:
        return lines[at:taken], taken, True
    if end - at <= 1:  # no author line, or the one line: every entry has its authors
        return [], at, True
    return [], end, False


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
