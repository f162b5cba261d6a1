"""Library statistics: plain numbers the CLI prints and the TUI draws.

Everything here is pure: the figures depend only on the papers and on
``today``, so the command line, the statistics screen and the tests agree.

Week rules
----------
* A paper's date is the UTC calendar date of its ISO 8601 timestamp
  (``added`` for "added per week", ``read_at`` for "read per week").
  Timestamps without an offset are taken as UTC; unparsable ones are ignored.
* Weeks are ISO 8601 weeks: they start on Monday and are labelled
  ``YYYY-Www`` with the ISO week-numbering year, so 2024-12-30 belongs to
  ``2025-W01``.
* The series covers the week containing ``today`` and the ``weeks - 1`` weeks
  before it, oldest first; weeks with nothing in them are listed with count 0.
  Dates after ``today``'s week or before the first week are left out.
* "This week" is the ISO week containing ``today``; "this month" is
  ``today``'s calendar month.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from rich.cells import cell_len, set_cell_size
from rich.text import Text

from readlist.core.model import MAX_RATING, Paper, Status
from readlist.core.text import counted, inert_text

DEFAULT_WEEKS = 26
TOP_TAGS = 10
SPARK_BLOCKS = "▁▂▃▄▅▆▇█"
# Left-aligned eighths, from one eighth to a full cell.
BAR_EIGHTHS = "▏▎▍▌▋▊▉█"


@dataclass(frozen=True, slots=True)
class WeekCount:
    """How many papers fell in one ISO week (``start`` is its Monday)."""

    start: date
    count: int

    @property
    def label(self) -> str:
        year, week, _ = self.start.isocalendar()
        return f"{year}-W{week:02d}"

    def to_dict(self) -> dict[str, Any]:
        return {"week": self.label, "start": self.start.isoformat(), "count": self.count}


@dataclass(frozen=True, slots=True)
class NameCount:
    """A tag or a source with the number of papers that carry it."""

    name: str
    count: int


@dataclass(slots=True)
class Stats:
    """The figures for one library on one day; ``to_dict`` is what ``readlist stats --json`` prints."""

    today: date
    weeks: int
    total: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_rating: list[int] = field(default_factory=lambda: [0] * (MAX_RATING + 1))
    rated: int = 0
    average_rating: float | None = None
    with_notes: int = 0
    tagged: int = 0
    distinct_tags: int = 0
    read_this_week: int = 0
    read_this_month: int = 0
    added_this_week: int = 0
    added_this_month: int = 0
    read_per_week: list[WeekCount] = field(default_factory=list)
    added_per_week: list[WeekCount] = field(default_factory=list)
    top_tags: list[NameCount] = field(default_factory=list)
    sources: list[NameCount] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(),
            "weeks": self.weeks,
            "week_start": "monday",
            "total": self.total,
            "by_status": dict(self.by_status),
            "by_rating": {str(n): c for n, c in enumerate(self.by_rating)},
            "rated": self.rated,
            "average_rating": self.average_rating,
            "with_notes": self.with_notes,
            "tagged": self.tagged,
            "distinct_tags": self.distinct_tags,
            "read_this_week": self.read_this_week,
            "read_this_month": self.read_this_month,
            "added_this_week": self.added_this_week,
            "added_this_month": self.added_this_month,
            "read_per_week": [w.to_dict() for w in self.read_per_week],
            "added_per_week": [w.to_dict() for w in self.added_per_week],
            "top_tags": [{"tag": t.name, "count": t.count} for t in self.top_tags],
            "sources": [{"source": s.name, "count": s.count} for s in self.sources],
        }


def utc_today() -> date:
    return datetime.now(UTC).date()


def week_start(day: date) -> date:
    """The Monday of the ISO week that contains ``day``."""
    return day - timedelta(days=day.weekday())


def utc_date(stamp: str | None) -> date | None:
    """The UTC calendar date of an ISO 8601 timestamp, or None when there is none or it cannot be read."""
    if not stamp or not isinstance(stamp, str):
        return None
    # Fast path for what the store writes ("...+00:00" or "...Z"): the date is the first ten characters.
    if len(stamp) >= 10 and (stamp.endswith("+00:00") or stamp.endswith("Z") or len(stamp) == 10):
        try:
            return date.fromisoformat(stamp[:10])
        except ValueError:
            return None
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.date()


def source_name(source: str) -> str:
    """How a source is counted: URLs as they are, file paths by their base name ("" for nothing)."""
    source = (source or "").strip()
    if "://" in source:
        return source
    name = source.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    return name or source


def _weekly(days: Counter[date], first: date, weeks: int) -> list[WeekCount]:
    buckets = Counter({first + timedelta(weeks=i): 0 for i in range(weeks)})
    last = first + timedelta(weeks=weeks)
    for day, n in days.items():
        monday = week_start(day)
        if first <= monday < last:
            buckets[monday] += n
    return [WeekCount(start, buckets[start]) for start in sorted(buckets)]


def _within(days: Counter[date], start: date, end: date) -> int:
    """Papers dated from ``start`` to ``end`` inclusive."""
    return sum(n for day, n in days.items() if start <= day <= end)


def _ranked(counter: dict[str, int], limit: int | None = None) -> list[NameCount]:
    """Most frequent first; ties in name order so the result never depends on input order."""
    ranked = sorted(counter.items(), key=lambda item: (-item[1], item[0]))
    if limit is not None:
        ranked = ranked[:limit]
    return [NameCount(name, n) for name, n in ranked]


def compute_stats(
    papers: Iterable[Paper],
    *,
    today: date | None = None,
    weeks: int = DEFAULT_WEEKS,
    top_tags: int = TOP_TAGS,
) -> Stats:
    """Count a library: statuses, ratings, weekly activity, tags and sources (see the module notes for weeks)."""
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    today = today or utc_today()
    stats = Stats(today=today, weeks=weeks, by_status={s.value: 0 for s in Status})
    # Plain dicts and local names: this loop runs once per paper, up to 100,000 times per refresh.
    tags: dict[str, int] = {}
    sources: dict[str, int] = {}
    names: dict[str, str] = {}  # source as stored -> as counted; a library has few distinct sources
    # Stamps the store wrote (UTC, "+00:00") are grouped by their date text, the rest by the whole stamp,
    # so a large library parses a few hundred dates rather than one timestamp per paper.
    added_stamps: dict[str, int] = {}
    read_stamps: dict[str, int] = {}
    by_status = stats.by_status
    by_rating = stats.by_rating
    rating_sum = total = with_notes = tagged = 0
    for paper in papers:
        total += 1
        status = paper.status
        by_status[status] = by_status.get(status, 0) + 1
        rating = paper.rating
        if rating:
            if isinstance(rating, int) and 0 < rating <= MAX_RATING:
                rating_sum += rating
            else:
                rating = 0
        by_rating[rating] += 1
        note = paper.note
        if note and not note.isspace():
            with_notes += 1
        if paper.tags:
            tagged += 1
            for tag in paper.tags:  # the store keeps tags unique per paper
                tags[tag] = tags.get(tag, 0) + 1
        if paper.sources:
            named = {names.get(source) or names.setdefault(source, source_name(source)) for source in paper.sources}
            for name in named:
                if name:
                    sources[name] = sources.get(name, 0) + 1
        added = paper.added
        if added:
            key = added[:10] if added.endswith("+00:00") else added
            added_stamps[key] = added_stamps.get(key, 0) + 1
        read_at = paper.read_at
        if read_at:
            key = read_at[:10] if read_at.endswith("+00:00") else read_at
            read_stamps[key] = read_stamps.get(key, 0) + 1
    stats.with_notes = with_notes
    stats.tagged = tagged
    stats.total = total
    stats.rated = stats.total - stats.by_rating[0]
    if stats.rated:
        stats.average_rating = round(rating_sum / stats.rated, 2)
    stats.distinct_tags = len(tags)
    stats.top_tags = _ranked(tags, top_tags)
    stats.sources = _ranked(sources)

    added_days = _days(added_stamps)
    read_days = _days(read_stamps)
    this_week = week_start(today)
    first_week = this_week - timedelta(weeks=weeks - 1)
    stats.read_per_week = _weekly(read_days, first_week, weeks)
    stats.added_per_week = _weekly(added_days, first_week, weeks)
    week_end = this_week + timedelta(days=6)
    month_start = today.replace(day=1)
    month_end = (month_start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    stats.read_this_week = _within(read_days, this_week, week_end)
    stats.added_this_week = _within(added_days, this_week, week_end)
    stats.read_this_month = _within(read_days, month_start, month_end)
    stats.added_this_month = _within(added_days, month_start, month_end)
    return stats


def _days(stamps: dict[str, int]) -> Counter[date]:
    days: Counter[date] = Counter()
    for stamp, n in stamps.items():
        day = utc_date(stamp)
        if day is not None:
            days[day] += n
    return days


# ---------------------------------------------------------------------------
# drawing helpers shared by the command line and the statistics screen (plain strings, no styles)


def hbar(value: float, maximum: float, width: int) -> str:
    """A left-aligned horizontal bar in eighth-cell steps; any non-zero value shows at least a sliver."""
    if width <= 0 or maximum <= 0 or value <= 0:
        return ""
    eighths = max(1, round(min(value, maximum) / maximum * width * 8))
    full, rest = divmod(eighths, 8)
    return "█" * full + (BAR_EIGHTHS[rest - 1] if rest else "")


def sparkline(values: Sequence[int], maximum: int | None = None) -> str:
    """One character per value; zero is a space so an empty week never looks like a small one."""
    top = max(values, default=0) if maximum is None else maximum
    out = []
    for value in values:
        if value <= 0 or top <= 0:
            out.append(" ")
        else:
            level = max(1, round(min(value, top) / top * len(SPARK_BLOCKS)))
            out.append(SPARK_BLOCKS[level - 1])
    return "".join(out)


def fold(values: Sequence[int], columns: int) -> tuple[list[int], int]:
    """Sum runs of neighbouring values so at most ``columns`` remain; returns the sums and the run length.

    Runs are counted back from the newest value, so the last column is always the current week alone
    or with the weeks just before it.
    """
    if columns <= 0 or len(values) <= columns:
        return list(values), 1
    run = -(-len(values) // columns)
    folded = [sum(values[max(0, end - run) : end]) for end in range(len(values), 0, -run)]
    return folded[::-1], run


def column_rows(values: Sequence[int], height: int, maximum: int | None = None) -> list[str]:
    """A column chart ``height`` rows tall, top row first, one character per value, in eighth-row steps.

    A non-zero value is always at least one eighth tall; zero draws nothing.
    """
    top = max(values, default=0) if maximum is None else maximum
    levels = []
    for value in values:
        if value <= 0 or top <= 0 or height <= 0:
            levels.append(0)
        else:
            levels.append(max(1, round(min(value, top) / top * height * 8)))
    rows = []
    for row in range(height - 1, -1, -1):
        line = []
        for level in levels:
            filled = level - row * 8
            if filled >= 8:
                line.append("█")
            elif filled > 0:
                line.append(SPARK_BLOCKS[filled - 1])
            else:
                line.append(" ")
        rows.append("".join(line))
    return rows


# ---------------------------------------------------------------------------
# the command line's picture of the figures

_STATUS_STYLES = {
    Status.INBOX.value: "cyan",
    Status.TO_READ.value: "blue",
    Status.READING.value: "yellow",
    Status.READ.value: "green",
    Status.SKIPPED.value: "bright_black",
}


def _heading(out: Text, title: str, detail: str = "") -> None:
    out.append("\n" + title, style="bold")
    if detail:
        out.append("  " + detail, style="dim")
    out.append("\n")


def _bar_rows(out: Text, rows: Sequence[tuple[str, int, str]], width: int, label_width: int) -> None:
    """Label, bar, count: bars share one scale so their lengths compare."""
    top = max((n for _, n, _ in rows), default=0)
    count_width = max((len(str(n)) for _, n, _ in rows), default=1)
    bar_width = max(4, min(40, width - label_width - count_width - 6))
    for label, n, style in rows:
        out.append("  ")
        shown = _fit(label, label_width)
        out.append(shown + " " * (label_width - cell_len(shown)))
        out.append(" ")
        bar = hbar(n, top, bar_width)
        out.append(bar, style=style)
        out.append(" " * (bar_width - len(bar)) + f" {n:>{count_width}}\n")


def _fit(text: str, width: int) -> str:
    """Untrusted text made inert, cut to ``width`` cells, with an ellipsis when cut."""
    text = inert_text(text)
    if cell_len(text) <= width:
        return text
    return set_cell_size(text, max(0, width - 1)) + "…"


def _week_chart(out: Text, series: Sequence[WeekCount], width: int, height: int = 4) -> None:
    axis = max(len(str(sum(w.count for w in series))), 1)
    values, run = fold([w.count for w in series], width - axis - 6)
    top = max(values, default=0)
    axis = max(len(str(top)), 1)
    step = 2 if len(values) * 2 + axis + 4 <= width else 1
    rows = column_rows(values, height)
    for i, row in enumerate(rows):
        label = str(top) if i == 0 and top else ""
        out.append(f"  {label:>{axis}} │", style="dim")
        cells = row if step == 1 else " ".join(row)
        out.append(cells.rstrip(), style="magenta")
        out.append("\n")
    span = len(values) * step - (step - 1)
    out.append(f"  {'0':>{axis}} └" + "─" * span + "\n", style="dim")
    if series:
        first, last = series[0].start.isoformat(), series[-1].start.isoformat()
        gap = max(1, span - len(first) - len(last))
        out.append(" " * (axis + 4) + first + " " * gap + last + "\n", style="dim")
    if run > 1:
        out.append(" " * (axis + 4) + f"each column is {run} weeks\n", style="dim")


def render_text(stats: Stats, *, width: int = 80, title: str = "") -> Text:
    """The figures as a picture for a terminal; every name from the library is inserted as plain text."""
    out = Text()
    out.append(title or "readlist statistics", style="bold")
    week = WeekCount(week_start(stats.today), 0).label
    out.append(f"  {counted(stats.total, 'paper')} · today {stats.today.isoformat()} ({week})\n", style="dim")

    _heading(out, "Status")
    status_rows = [(s.label, stats.by_status.get(s.value, 0), _STATUS_STYLES[s.value]) for s in Status]
    extra = [(k, n, "red") for k, n in stats.by_status.items() if k not in _STATUS_STYLES]
    _bar_rows(out, status_rows + extra, width, 8)

    _heading(out, "Rating", f"{stats.rated} rated" + (f", average {stats.average_rating:.2f}" if stats.rated else ""))
    rating_rows = [("unrated", stats.by_rating[0], "bright_black")]
    rating_rows += [("★" * n, stats.by_rating[n], "yellow") for n in range(MAX_RATING, 0, -1)]
    _bar_rows(out, rating_rows, width, 8)

    for name, series, this_week, this_month in (
        ("Read per week", stats.read_per_week, stats.read_this_week, stats.read_this_month),
        ("Added per week", stats.added_per_week, stats.added_this_week, stats.added_this_month),
    ):
        total = sum(w.count for w in series)
        _heading(
            out,
            name,
            f"last {stats.weeks} weeks: {total} · this week {this_week} · this month {this_month}",
        )
        _week_chart(out, series, width)

    _heading(out, "Top tags",
             f"{counted(stats.tagged, 'tagged paper')}, {counted(stats.distinct_tags, 'distinct tag')}")
    if stats.top_tags:
        tag_width = min(24, max(cell_len(inert_text(t.name)) for t in stats.top_tags) + 1)
        _bar_rows(out, [("#" + t.name, t.count, "green") for t in stats.top_tags], width, tag_width)
    else:
        out.append("  no tags yet\n", style="dim")

    _heading(out, "Sources", f"{len(stats.sources)}")
    if stats.sources:
        shown = stats.sources[:TOP_TAGS]
        name_width = min(max(20, width - 50), max(cell_len(inert_text(s.name)) for s in shown))
        _bar_rows(out, [(s.name, s.count, "cyan") for s in shown], width, name_width)
        if len(stats.sources) > len(shown):
            out.append(f"  … and {len(stats.sources) - len(shown)} more\n", style="dim")
    else:
        out.append("  no import sources recorded\n", style="dim")

    _heading(out, "Notes")
    out.append(f"  {stats.with_notes} paper{'s' if stats.with_notes != 1 else ''} with a note\n")
    return out
