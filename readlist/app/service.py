"""Operations the CLI and the TUI both offer, built on the store and importers."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from readlist.core.model import Paper, Status
from readlist.core.query import parse_query, sort_papers
from readlist.importers import ImportFormatError, ParseResult, parse_input
from readlist.store import ImportReport, Library


@dataclass
class ParsedSource:
    source: str
    result: ParseResult | None
    error: str | None


def source_label(source: str) -> str:
    """How a source is remembered on a paper: a file's name, a URL in full, or stdin/clipboard."""
    if source == "-":
        return "stdin"
    if source == "clipboard" or "://" in source[:16]:
        return source
    return Path(source).name or source


def parse_source(
    source: str,
    *,
    fmt: str | None = None,
    today: date | None = None,
    year: int | None = None,
    data: bytes | bytearray | str | None = None,
) -> ParsedSource:
    """Read and parse one source; failures become a message, never an exception."""
    try:
        if data is None:
            # Imported here: urllib/http.client cost ~30 ms of start-up that only imports need.
            from readlist.importers.sources import read_clipboard, read_source

            data = read_clipboard() if source == "clipboard" else read_source(source)
        result = parse_input(data, source=source_label(source), fmt=fmt, today=today, year=year)
    except ImportFormatError as exc:
        return ParsedSource(source, None, str(exc))
    except RecursionError:
        return ParsedSource(source, None, "input is nested too deeply to parse")
    if not result.papers:
        return ParsedSource(source, None, "no papers found")
    return ParsedSource(source, result, None)


def import_parsed(
    lib: Library, parsed: Iterable[ParsedSource], *, advance: Callable[[int], None] | None = None
) -> list[ImportReport]:
    """Store every parsed source, one report each; ``advance(n)`` is told as papers are saved."""
    reports: list[ImportReport] = []
    for item in parsed:
        if item.result is None:
            reports.append(ImportReport(source=item.source, error=item.error))
            continue
        papers: Iterable[Paper] = item.result.papers
        if advance is not None:
            papers = _counting(papers, advance)
        report = lib.import_papers(papers, source_label(item.source))
        report.source = item.source
        report.skipped.extend(item.result.skipped)
        report.format = item.result.format
        reports.append(report)
    return reports


def _counting(papers: Iterable[Paper], advance: Callable[[int], None], step: int = 250) -> Iterator[Paper]:
    """Yield papers, reporting progress every ``step`` of them."""
    count = 0
    for paper in papers:
        yield paper
        count += 1
        if count == step:
            advance(count)
            count = 0
    if count:
        advance(count)


def select(lib: Library, *, status: str | None = None, query: str = "", sort: str = "added") -> list[Paper]:
    """The papers a view shows: status filter, query, sort order."""
    papers: Iterable[Paper] = lib.papers.values()
    if status:
        wanted = Status(status).value
        papers = (p for p in papers if p.status == wanted)
    return sort_papers(parse_query(query).filter(papers), sort)


def counts_by_status(papers: Iterable[Paper]) -> dict[str, int]:
    counts = {s.value: 0 for s in Status}
    for paper in papers:
        counts[paper.status] = counts.get(paper.status, 0) + 1
    return counts

