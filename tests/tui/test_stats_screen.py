"""The statistics screen on its own: keys, figures, inert names, theme colours and snapshots."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from rich.text import Text
from textual.app import App
from textual.color import Color
from textual.containers import VerticalScroll
from textual.widgets import Static

from readlist.app.imports import ImportPapers
from readlist.core.model import Paper
from readlist.core.stats import compute_stats
from readlist.importers import parse_input
from readlist.storage.library import Library
from readlist.tui.screens.stats import BarChart, Figures, StatsScreen, WeekChart
from readlist.tui.themes import readlist_variables

SEEDS = sorted((Path(__file__).parent.parent / "fixtures" / "seeds").glob("*.txt"))
SEED_TODAY = date(2025, 12, 20)
TODAY = date(2025, 12, 20)  # a Saturday in 2025-W51
HOSTILE_TAG = "[red]boom[/red]"


def seed_papers() -> list[Paper]:
    """The seed papers with a fixed, varied history so every chart has something to draw."""
    papers: dict[str, Paper] = {}
    for seed in SEEDS:
        for paper in parse_input(seed.read_bytes(), source=seed.name, today=SEED_TODAY).papers:
            known = papers.setdefault(paper.id, paper)
            known.sources = [*known.sources, f"/home/reader/Downloads/{seed.name}"]
    result = list(papers.values())
    for i, paper in enumerate(result):
        added = datetime(2025, 12, 19, 9, tzinfo=UTC) - timedelta(days=(i * 5) % 160)
        paper.added = paper.updated = added.isoformat()
        if i % 5 == 0:
            paper.status = "read"
            paper.read_at = min(added + timedelta(days=i % 11), datetime(2025, 12, 20, tzinfo=UTC)).isoformat()
        elif i % 5 == 1:
            paper.status = "to-read"
        elif i % 7 == 2:
            paper.status = "skipped"
        elif i % 13 == 3:
            paper.status = "reading"
        if i % 4 == 0:
            paper.rating = (i // 4) % 6
        paper.tags = [t for t, every in (("llm", 3), ("rl", 8), ("agents", 11), (HOSTILE_TAG, 17)) if i % every == 0]
        if i % 23 == 0:
            paper.note = "a note"
    return result


class StatsApp(App[None]):
    """Just enough app to show the screen, as the main app does on `S`."""

    def __init__(self, library: Library | list[Paper], today: date | None = TODAY) -> None:
        super().__init__()
        self.library = library
        self.pinned_today = today

    def get_theme_variable_defaults(self) -> dict[str, str]:
        # The readlist colours (status, stars) for whatever theme is in use, as ReadlistApp defines them.
        return {**readlist_variables(self.current_theme), **super().get_theme_variable_defaults()}

    def on_mount(self) -> None:
        self.push_screen(StatsScreen(self.library, today=self.pinned_today))


async def test_screen_shows_the_same_figures_as_compute_stats_and_closes_on_each_key() -> None:
    papers = seed_papers()
    expected = compute_stats(papers, today=TODAY)
    app = StatsApp(papers)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StatsScreen)
        assert screen.stats is not None and screen.stats.to_dict() == expected.to_dict()

        status = screen.query_one("#status", BarChart)
        assert [(label, n) for label, n, _ in status.rows] == [
            ("Inbox", expected.by_status["inbox"]),
            ("To read", expected.by_status["to-read"]),
            ("Reading", expected.by_status["reading"]),
            ("Read", expected.by_status["read"]),
            ("Skipped", expected.by_status["skipped"]),
        ]
        status_text = status.render().plain
        assert "Inbox" in status_text and str(expected.by_status["inbox"]) in status_text
        rating = screen.query_one("#rating", BarChart).render().plain
        assert "★★★★★" in rating and "unrated" in rating
        read_chart = screen.query_one("#read-weeks", WeekChart)
        assert [w.count for w in read_chart.series] == [w.count for w in expected.read_per_week]
        assert sum(w.count for w in read_chart.series) > 0
        drawn = read_chart.render().plain
        assert "█" in drawn and str(max(w.count for w in expected.read_per_week)) in drawn
        summary = screen.query_one("#summary", Figures).render().plain
        assert "Read this week" in summary and str(expected.read_this_week) in summary
        sources = screen.query_one("#sources", BarChart).render().plain
        assert SEEDS[0].name in sources and "/home/reader" not in sources

        for key in ("q", "S", "escape"):
            await pilot.press(key)
            await pilot.pause()
            assert not isinstance(app.screen, StatsScreen), key
            assert app.is_running  # q leaves the screen, it does not quit
            app.push_screen(StatsScreen(papers, today=TODAY))
            await pilot.pause()
            assert isinstance(app.screen, StatsScreen)


async def test_names_from_the_library_are_shown_as_typed() -> None:
    app = StatsApp(seed_papers())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        tags = app.screen.query_one("#tags", BarChart)
        assert "#" + HOSTILE_TAG in tags.render().plain
        assert "#" + HOSTILE_TAG in app.export_screenshot().replace("&#160;", " ")


async def test_status_and_rating_names_are_whole_on_an_80_column_terminal() -> None:
    app = StatsApp(seed_papers())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        status = app.screen.query_one("#status", BarChart).render().plain
        for name in ("Inbox", "To read", "Reading", "Read", "Skipped"):
            assert name in status, status
        assert "…" not in status, status
        rating = app.screen.query_one("#rating", BarChart).render().plain
        assert "unrated" in rating and "…" not in rating, rating
        assert "█" in status  # the bars are still there to compare


async def test_j_and_k_scroll_the_panels_on_an_80_by_24_terminal() -> None:
    app = StatsApp(seed_papers())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        body = app.screen.query_one("#stats-body", VerticalScroll)
        assert body.max_scroll_y > 0  # the panels are taller than the screen
        await pilot.press("j", "j", "j")
        await pilot.pause()
        assert body.scroll_y == 3
        await pilot.press("k")
        await pilot.pause()
        assert body.scroll_y == 2
        await pilot.press("down")
        await pilot.pause()
        assert body.scroll_y == 3


async def test_on_a_50_column_terminal_the_panels_go_one_per_row_with_their_text_whole() -> None:
    """Side by side at 50 columns the status and rating panels were seven cells wide ("Inb…", "unr…")."""
    app = StatsApp(seed_papers())
    async with app.run_test(size=(50, 15)) as pilot:
        await pilot.pause()
        screen = app.screen
        body = screen.query_one("#stats-body", VerticalScroll)
        panels = list(screen.query(".stats-panel"))
        assert len(panels) == 7
        assert len({panel.region.width for panel in panels}) == 1  # every panel the width of the screen
        assert [panel.region.x for panel in panels] == [panels[0].region.x] * 7
        tops = [panel.virtual_region.y + panel.parent.virtual_region.y for panel in panels]  # type: ignore[union-attr]
        assert tops == sorted(tops) and len(set(tops)) == 7  # one under the other
        status = screen.query_one("#status", BarChart).render().plain
        for name in ("Inbox", "To read", "Reading", "Read", "Skipped"):
            assert name in status, status
        rating = screen.query_one("#rating", BarChart).render().plain
        assert "…" not in status + rating and "█" in status
        for chart in screen.query(WeekChart):
            assert chart.render().plain.rstrip().endswith("this week")
        assert "…" not in screen.query_one("#sources", BarChart).render().plain
        # j scrolls down through them all; the last panel comes into view whole.
        await pilot.press(*["j"] * body.max_scroll_y)
        await pilot.pause()
        assert body.scroll_y == body.max_scroll_y > 0
        assert panels[-1].region.height == panels[-1].virtual_region.height
    async with StatsApp(seed_papers()).run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert len({panel.region.y for panel in pilot.app.screen.query(".stats-panel")}) == 3  # three rows


async def test_bars_take_their_colours_from_the_theme() -> None:
    app = StatsApp(seed_papers())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        chart = app.screen.query_one("#status", BarChart)
        colours = {}
        for theme in ("textual-dark", "nord"):
            app.theme = theme
            await pilot.pause()
            colours[theme] = chart.get_component_rich_style("bar-chart--read").color
        assert colours["textual-dark"] != colours["nord"]


async def test_status_bars_and_stars_use_the_main_lists_colours() -> None:
    app = StatsApp(seed_papers())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        chart = app.screen.query_one("#status", BarChart)
        stars = app.screen.query_one("#rating", BarChart)
        for theme in ("textual-dark", "nord", "solarized-light"):
            app.theme = theme
            await pilot.pause()
            variables = app.theme_variables
            for status in ("inbox", "to-read", "reading", "read", "skipped"):
                wanted = Color.parse(variables[f"status-{status}"]).rich_color
                assert chart.get_component_rich_style(f"bar-chart--{status}").color == wanted, (theme, status)
            assert stars.get_component_rich_style("bar-chart--stars").color == Color.parse(
                variables["rating-star"]
            ).rich_color


async def test_a_library_file_and_an_empty_library_both_work(tmp_path: Path) -> None:
    lib = Library(tmp_path / "library.json")
    for seed in SEEDS:
        ImportPapers(parse_input(seed.read_bytes(), source=seed.name, today=SEED_TODAY).papers, seed.name).execute(lib)
    app = StatsApp(lib, today=None)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StatsScreen) and screen.stats is not None
        assert screen.stats.total == 196
        title = screen.query_one("#stats-title", Static).content
        assert isinstance(title, Text) and "196 papers" in title.plain
    empty = StatsApp([])
    async with empty.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert "no tags yet" in empty.screen.query_one("#tags", BarChart).render().plain
        assert "0" in empty.screen.query_one("#summary", Figures).render().plain


async def test_a_large_library_is_counted_off_the_ui_thread_and_then_shown_as_before(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """From COUNT_IN_BACKGROUND papers on, the screen paints a "counting" line at once and the figures come from a
    worker thread (at 100,000 papers the count held the first frame back 0.2-0.4 s); the screen then is the one a
    count before the first frame draws. A smaller library is counted before its first frame, as it was."""
    from readlist.tui.screens import stats as stats_module

    threads: list[threading.Thread] = []
    gate = threading.Event()
    real = stats_module.compute_stats

    def counting(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.current_thread())
        if threading.current_thread() is not threading.main_thread():
            assert gate.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(stats_module, "compute_stats", counting)
    papers = seed_papers()
    inline = StatsApp(papers)
    async with inline.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        expected = inline.export_screenshot()
    assert threads == [threading.main_thread()]

    monkeypatch.setattr(stats_module, "COUNT_IN_BACKGROUND", len(papers), raising=False)
    threads.clear()
    app = StatsApp(papers)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StatsScreen) and screen.stats is None
        title = screen.query_one("#stats-title", Static).content
        assert isinstance(title, Text) and title.plain == f"Statistics · counting {len(papers)} papers …"
        assert not screen.query(".stats-panel")
        assert len(threads) == 1 and threads[0] is not threading.main_thread()
        gate.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.stats is not None and screen.stats.to_dict() == compute_stats(papers, today=TODAY).to_dict()
        assert app.export_screenshot() == expected
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, StatsScreen)
        # Left before the figures come: they go nowhere, and nothing breaks.
        gate.clear()
        app.push_screen(StatsScreen(papers, today=TODAY))
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        gate.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not isinstance(app.screen, StatsScreen) and app.is_running


def test_snapshot_wide(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(StatsApp(seed_papers()), terminal_size=(160, 48))


def test_snapshot_narrow(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(StatsApp(seed_papers()), terminal_size=(100, 40))


def test_snapshot_stacked(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(StatsApp(seed_papers()), terminal_size=(50, 30))
