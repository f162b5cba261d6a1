"""The statistics screen: the library's figures drawn as bars and weekly charts.

The numbers come from :func:`readlist.core.stats.compute_stats`, the same function
behind ``readlist stats``, so the screen and the command line never disagree.
Colours come from theme variables through component classes, and every name
taken from the library (tags, sources) is inserted as plain text, never markup.
A large library is counted on a worker thread after the screen's first frame
(see :data:`COUNT_IN_BACKGROUND`); the panels are made once the figures are back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.style import Style
from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.geometry import Size
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Static

from readlist.core.model import MAX_RATING, Paper, Status
from readlist.core.stats import DEFAULT_WEEKS, Stats, WeekCount, column_rows, compute_stats, fold, hbar
from readlist.core.text import counted, inert_text
from readlist.tui import bindings
from readlist.tui.keymap import DeclaredOrder
from readlist.tui.screens.help import HelpScreen, bindings_table
from readlist.tui.widgets.scrollbar import scroll_to_end

# From this many papers on, the screen is drawn at once and the figures are counted on a worker thread (at
# 100,000 papers the count takes 0.2-0.4 s); a smaller library is counted before the first frame, so that its
# figures never flash in after a "counting" line.
COUNT_IN_BACKGROUND = 20_000
# Rows a bar chart shows at most; the rest is summed up in a last line.
MAX_BAR_ROWS = 10
# Below this many columns the panels go one per row, full width: side by side they would be a few cells
# each, their names cut to "Inb…" and their dates and totals to half a word.
STACK_BELOW = 80


def component_style(widget: Widget, name: str) -> Style:
    """A component class's text colour and attributes, with "auto" colours worked out.

    Textual's own themes define muted text as an "auto" colour (a share of black or white that
    depends on the background); a partial Rich style cannot resolve it and draws it as plain white.
    """
    style = widget.get_visual_style(name).rich_style
    return Style(color=style.color, bold=style.bold, italic=style.italic, dim=style.dim)


def _fit(text: str, width: int) -> str:
    """Untrusted text made inert, cut to ``width`` cells with an ellipsis when cut."""
    text = inert_text(text)
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text
    return set_cell_size(text, width - 1) + "…"


class BarChart(Widget):
    """Labelled horizontal bars on one shared scale, counts right-aligned."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "bar-chart--label",
        "bar-chart--count",
        "bar-chart--bar",
        "bar-chart--empty",
        "bar-chart--inbox",
        "bar-chart--to-read",
        "bar-chart--reading",
        "bar-chart--read",
        "bar-chart--skipped",
        "bar-chart--unrated",
        "bar-chart--stars",
    }

    DEFAULT_CSS = """
    BarChart { height: auto; }
    BarChart > .bar-chart--label { color: $foreground; }
    BarChart > .bar-chart--count { color: $text-muted; }
    BarChart > .bar-chart--bar { color: $primary; }
    BarChart > .bar-chart--empty { color: $text-muted; text-style: italic; }
    BarChart > .bar-chart--inbox { color: $status-inbox; }
    BarChart > .bar-chart--to-read { color: $status-to-read; }
    BarChart > .bar-chart--reading { color: $status-reading; }
    BarChart > .bar-chart--read { color: $status-read; }
    BarChart > .bar-chart--skipped { color: $status-skipped; }
    BarChart > .bar-chart--unrated { color: $text-muted; }
    BarChart > .bar-chart--stars { color: $rating-star; }
    """
    # The status and star colours are the main list's, so a status looks the same on both screens.
    # They are readlist's theme variables: the app defines them for every theme (see
    # ReadlistApp.get_theme_variable_defaults), and an app showing this screen must do the same.

    def __init__(
        self,
        rows: Sequence[tuple[str, int, str]],
        *,
        empty: str = "nothing yet",
        more: int = 0,
        label_width: int = 24,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """``rows`` are (label, count, component class suffix for the bar, "" for the default)."""
        super().__init__(id=id, classes=classes)
        self.rows = list(rows)
        self.empty = empty
        self.more = more
        self.label_width = label_width

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(1, len(self.rows)) + (1 if self.more else 0)

    def _style(self, name: str) -> Style:
        return component_style(self, f"bar-chart--{name}")

    def render(self) -> Text:
        width = self.content_size.width
        out = Text(no_wrap=True, overflow="crop")
        if not self.rows:
            out.append(_fit(self.empty, width), style=self._style("empty"))
            return out
        labels = [inert_text(label) for label, _, _ in self.rows]
        count_width = max(len(str(n)) for _, n, _ in self.rows)
        # Names get what they need up to their cap, as long as the bars keep at least three cells: a bar
        # compares counts even when short, a cut name ("To r…", "Skip…") says nothing.
        label_width = min(self.label_width, max(cell_len(label) for label in labels), max(4, width - count_width - 5))
        bar_width = max(1, width - label_width - count_width - 2)
        top = max(n for _, n, _ in self.rows)
        for i, ((_, n, kind), label) in enumerate(zip(self.rows, labels, strict=True)):
            if i:
                out.append("\n")
            shown = _fit(label, label_width)
            out.append(shown, style=self._style("label"))
            out.append(" " * (label_width - cell_len(shown) + 1))
            bar = hbar(n, top, bar_width)
            out.append(bar, style=self._style(kind or "bar"))
            out.append(" " * (bar_width - len(bar) + 1))
            out.append(f"{n:>{count_width}}", style=self._style("count"))
        if self.more:
            out.append("\n")
            out.append(_fit(f"… and {self.more} more", width), style=self._style("empty"))
        return out


class WeekChart(Widget):
    """Papers per week as columns, oldest on the left, the current week highlighted."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"week-chart--bar", "week-chart--current", "week-chart--axis"}

    DEFAULT_CSS = """
    WeekChart { height: 1fr; min-height: 4; }
    WeekChart > .week-chart--bar { color: $primary; }
    WeekChart > .week-chart--current { color: $accent; }
    WeekChart > .week-chart--axis { color: $text-muted; }
    """

    def __init__(
        self,
        series: Sequence[WeekCount],
        *,
        chart_height: int = 5,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.series = list(series)
        self.chart_height = chart_height

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return self.chart_height + 2

    def render(self) -> Text:
        width = self.content_size.width
        # Grow with the space the layout gives, from two rows up; the axis and dates take two more.
        chart_height = max(2, self.content_size.height - 2) if self.content_size.height else self.chart_height
        values, run = fold([w.count for w in self.series], width - len(str(sum(w.count for w in self.series))) - 2)
        top = max(values, default=0)
        axis_style = component_style(self, "week-chart--axis")
        bar_style = component_style(self, "week-chart--bar")
        current_style = component_style(self, "week-chart--current")
        gutter = len(str(top)) + 2
        room = max(1, width - gutter)
        cell = max(1, min(4, room // max(1, len(values))))
        bar = cell - 1 if cell > 1 else 1
        out = Text(no_wrap=True, overflow="crop")
        for i, row in enumerate(column_rows(values, chart_height)):
            label = str(top) if i == 0 and top else ""
            out.append(f"{label:>{gutter - 2}} ┤" if label else " " * (gutter - 1) + "│", style=axis_style)
            for j, ch in enumerate(row):
                style = current_style if j == len(row) - 1 else bar_style
                out.append(ch * bar, style=style)
                if cell > bar:
                    out.append(" " * (cell - bar))
            out.append("\n")
        span = len(values) * cell
        out.append(f"{'0':>{gutter - 2}} └" + "─" * span + "\n", style=axis_style)
        if self.series:
            first = self.series[0].start.strftime("%d %b %Y")
            last = "this week" if run == 1 else f"this week · {run} weeks a column"
            # What fits in the width, whole: the first week and the last column's, then less of it.
            for first_shown, last_shown in ((first, last), (first, "this week"), ("", "this week")):
                if len(first_shown) + len(last_shown) + (1 if first_shown else 0) <= width - gutter:
                    gap = max(1 if first_shown else 0, span - len(first_shown) - len(last_shown))
                    out.append(" " * gutter + first_shown + " " * gap + last_shown, style=axis_style)
                    break
        return out


class Figures(Widget):
    """A short list of headline numbers, names left and values right."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"figures--name", "figures--value"}

    DEFAULT_CSS = """
    Figures { height: auto; }
    Figures > .figures--name { color: $text-muted; }
    Figures > .figures--value { color: $foreground; text-style: bold; }
    """

    def __init__(self, items: Sequence[tuple[str, str]], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.items = list(items)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(1, len(self.items))

    def render(self) -> Text:
        width = self.content_size.width
        name_style = component_style(self, "figures--name")
        value_style = component_style(self, "figures--value")
        out = Text(no_wrap=True, overflow="crop")
        for i, (name, value) in enumerate(self.items):
            if i:
                out.append("\n")
            pad = max(1, width - cell_len(name) - cell_len(value))
            out.append(name, style=name_style)
            out.append(" " * pad)
            out.append(value, style=value_style)
        return out


def summary_items(stats: Stats) -> list[tuple[str, str]]:
    average = f"{stats.average_rating:.2f} ★" if stats.average_rating is not None else "–"
    return [
        ("Papers", str(stats.total)),
        ("Rated", str(stats.rated)),
        ("Average rating", average),
        ("With a note", str(stats.with_notes)),
        ("Tagged", str(stats.tagged)),
        ("Read this week", str(stats.read_this_week)),
        ("Read this month", str(stats.read_this_month)),
        ("Added this week", str(stats.added_this_week)),
        ("Added this month", str(stats.added_this_month)),
    ]


class StatsScreen(DeclaredOrder, Screen[None]):
    """Statistics for a library; ``Esc``, ``q`` or ``S`` goes back."""

    HELP_TITLE = "Statistics"
    BINDINGS: ClassVar[list[BindingType]] = bindings.STATS

    DEFAULT_CSS = """
    StatsScreen { background: $background; }
    StatsScreen #stats-title {
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $foreground;
        text-style: bold;
    }
    StatsScreen #stats-body { height: 1fr; }
    StatsScreen .stats-row { height: auto; }
    StatsScreen #row-weeks { height: 1fr; min-height: 9; max-height: 16; }
    StatsScreen .stats-panel {
        width: 1fr;
        height: 100%;
        border: round $border-blurred;
        border-title-color: $text-primary;
        border-title-style: bold;
        border-subtitle-color: $text-muted;
        padding: 0 1;
    }
    StatsScreen #panel-summary { width: 34; }
    /* Narrow: one panel per row, as tall as what it shows. */
    StatsScreen.-stacked .stats-row { layout: vertical; }
    StatsScreen.-stacked #row-weeks { height: auto; min-height: initial; max-height: initial; }
    StatsScreen.-stacked .stats-panel { height: auto; }
    StatsScreen.-stacked #panel-summary { width: 1fr; }
    StatsScreen.-stacked WeekChart { height: auto; }
    """

    def __init__(
        self,
        library: Iterable[Paper],
        *,
        today: date | None = None,
        weeks: int = DEFAULT_WEEKS,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """``library`` is a :class:`~readlist.storage.library.Library` or any iterable of papers.

        Without ``today`` the current UTC date is used.
        """
        super().__init__(name=name, id=id, classes=classes)
        self._papers = list(library)
        self._today = today
        self._weeks = weeks
        self.stats: Stats | None = None
        # Each row's height side by side (the tallest panel's); stacked, each panel is as tall as its own.
        self._row_heights: dict[str, int] = {}

    def _compute(self) -> Stats:
        return compute_stats(self._papers, today=self._today, weeks=self._weeks)

    def compose(self) -> ComposeResult:
        if len(self._papers) < COUNT_IN_BACKGROUND:
            stats = self.stats = self._compute()
            yield Static(self._title(stats), id="stats-title")
            yield VerticalScroll(*self._rows(stats), id="stats-body", can_focus=False)
        else:  # the panels come when the count is done (see _count)
            yield Static(Text(f"Statistics · counting {counted(len(self._papers), 'paper')} …"), id="stats-title")
            yield VerticalScroll(id="stats-body", can_focus=False)
        yield Footer()

    @work(thread=True, exit_on_error=False)
    def _count(self) -> None:
        """Count on a worker thread and hand the figures back as a message: no widget is touched here.

        The papers are read as they are meanwhile (a change another process makes while this runs is in the
        figures or not, as when it comes just after them).
        """
        self.post_message(self.Counted(self._compute()))

    class Counted(Message):
        """The figures counted on the worker thread, for the screen to show."""

        def __init__(self, stats: Stats) -> None:
            super().__init__()
            self.stats = stats

    async def on_stats_screen_counted(self, message: Counted) -> None:
        stats = self.stats = message.stats
        self.query_one("#stats-title", Static).update(self._title(stats))
        await self.query_one("#stats-body", VerticalScroll).mount_all(self._rows(stats))
        self._arrange(self.app.size.width)

    @staticmethod
    def _title(stats: Stats) -> Text:
        week = WeekCount(stats.read_per_week[-1].start, 0).label if stats.read_per_week else ""
        return Text(f"Statistics · {counted(stats.total, 'paper')} · {stats.today.isoformat()} ({week})")

    def _rows(self, stats: Stats) -> list[Widget]:
        """The panels, three rows of them; each row's height side by side is kept for :meth:`_arrange`."""
        top_rows = max(len(summary_items(stats)), len(Status) + 1, MAX_RATING + 1)
        self._row_heights["row-counts"] = top_rows + 2
        status_rows = [(s.label, stats.by_status.get(s.value, 0), s.value) for s in Status]
        status_rows += [(k, n, "") for k, n in stats.by_status.items() if k not in {s.value for s in Status}]
        rating_rows = [("unrated", stats.by_rating[0], "unrated")]
        rating_rows += [("★" * n, stats.by_rating[n], "stars") for n in range(MAX_RATING, 0, -1)]
        counts = Horizontal(
            self._panel(Figures(summary_items(stats), id="summary"), "Summary", "panel-summary"),
            self._panel(BarChart(status_rows, id="status"), "Status", "panel-status"),
            self._panel(BarChart(rating_rows, id="rating"), "Rating", "panel-rating"),
            classes="stats-row", id="row-counts",
        )
        weekly = []
        for key, title_text, series, this_week in (
            ("read", "Read per week", stats.read_per_week, stats.read_this_week),
            ("added", "Added per week", stats.added_per_week, stats.added_this_week),
        ):
            panel = self._panel(WeekChart(series, id=f"{key}-weeks"), title_text, f"panel-{key}")
            total = sum(w.count for w in series)
            panel.border_subtitle = f"{total} in {stats.weeks} weeks · {this_week} this week"
            weekly.append(panel)
        weeks = Horizontal(*weekly, classes="stats-row", id="row-weeks")
        shown = stats.sources[:MAX_BAR_ROWS]
        more = len(stats.sources) - len(shown)
        bottom_rows = max(1, len(stats.top_tags), len(shown) + (1 if more else 0))
        self._row_heights["row-names"] = bottom_rows + 2
        tags = BarChart(
            [("#" + t.name, t.count, "") for t in stats.top_tags],
            empty="no tags yet (press t on a paper)",
            id="tags",
        )
        tags_panel = self._panel(tags, "Top tags", "panel-tags")
        tags_panel.border_subtitle = f"{stats.distinct_tags} distinct"
        sources = BarChart(
            [(s.name, s.count, "") for s in shown],
            empty="no import sources recorded",
            more=more,
            label_width=40,
            id="sources",
        )
        sources_panel = self._panel(sources, "Sources", "panel-sources")
        sources_panel.border_subtitle = f"{len(stats.sources)} in all"
        names = Horizontal(tags_panel, sources_panel, classes="stats-row", id="row-names")
        return [counts, weeks, names]

    def on_mount(self) -> None:
        self._arrange(self.app.size.width)
        if self.stats is None:
            self._count()

    def on_resize(self, event: events.Resize) -> None:
        self._arrange(event.size.width)

    def _arrange(self, width: int) -> None:
        """Panels side by side, or one per row below :data:`STACK_BELOW` columns."""
        stacked = width < STACK_BELOW
        self.set_class(stacked, "-stacked")
        for row_id, height in self._row_heights.items():
            self.query_one(f"#{row_id}").styles.height = "auto" if stacked else height

    @staticmethod
    def _panel(widget: Widget, title: str, panel_id: str) -> Widget:
        """Wrap a chart in a bordered box; titles are fixed strings, never library text."""
        box = Vertical(widget, id=panel_id, classes="stats-panel")
        box.border_title = title
        return box

    def action_close(self) -> None:
        self.dismiss(None)

    def action_scroll_stats(self, direction: int) -> None:
        self.query_one("#stats-body", VerticalScroll).scroll_relative(y=direction, animate=False)

    def action_scroll_stats_to(self, end: int) -> None:
        scroll_to_end(self.query_one("#stats-body", VerticalScroll), end)

    def action_page_stats(self, direction: int) -> None:
        # The panels are not focusable (their own keys would hide the screen's ↓ and ↑): the screen pages them.
        body = self.query_one("#stats-body", VerticalScroll)
        if direction > 0:
            body.scroll_page_down(animate=False)
        else:
            body.scroll_page_up(animate=False)

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(bindings_table(self.app, self), title=self.HELP_TITLE))

