"""Triage started below the top of the list goes round to the papers above its start before it finishes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.widgets import Static
from tui_helpers import SIZE, fresh

from readlist.tui.app import ReadlistApp
from readlist.tui.screens.main import MainScreen
from readlist.tui.screens.triage import TriageScreen
from readlist.tui.widgets.paper_list import PaperList

MakeApp = Callable[..., ReadlistApp]


def inbox_ids(app: ReadlistApp) -> list[str]:
    assert isinstance(app.screen, MainScreen)
    return [p.id for p in app.screen.query_one(PaperList).papers]


def triage(app: ReadlistApp) -> TriageScreen:
    screen = app.screen
    assert isinstance(screen, TriageScreen)
    return screen


def progress(app: ReadlistApp) -> str:
    return str(triage(app).query_one("#triage-progress", Static).render())


def summary(app: ReadlistApp) -> str:
    return str(triage(app).query_one("#triage-summary", Static).render())


async def test_triage_from_the_last_paper_goes_on_at_the_top_until_every_paper_was_looked_at(
    small_library: Path, make_app: MakeApp
) -> None:
    """Started at the bottom of the Inbox, triage said "finished" after that one paper, the eleven above it
    never shown."""
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        ids = inbox_ids(app)
        await pilot.press("G", "T")
        assert progress(app).startswith(" Triage · 12 / 12")
        await pilot.press("x")
        assert not triage(app).done
        line = progress(app)
        assert line.startswith(" Triage · 1 / 12") and "Back at the top: 11 papers not looked at yet" in line, line
        assert "Skipped (u undoes)" in line  # what the decision did is said beside it
        await pilot.press("s")
        # Said once: the next paper shows the keys again.
        assert progress(app).startswith(" Triage · 2 / 12") and "Back at the top" not in progress(app)
        for _ in range(9):
            await pilot.press("s")
        assert not triage(app).done and progress(app).startswith(" Triage · 11 / 12")
        await pilot.press("s")  # the paper before the one triage started at: every paper has been looked at
        assert triage(app).done
        text = summary(app)
        assert "12 papers looked at" in text and "kept     11" in text and "skipped  1" in text, text
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen) and inbox_ids(app) == []
    disk = fresh(small_library).papers
    assert disk[ids[-1]].status == "skipped"
    assert all(disk[pid].status == "to-read" for pid in ids[:-1])


async def test_triage_from_the_middle_finishes_where_it_started_once_round(
    small_library: Path, make_app: MakeApp
) -> None:
    """After the papers below the start and then those above it, the summary: the papers from the start on are
    not shown a second time."""
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        ids = inbox_ids(app)
        await pilot.press(*["j"] * 8, "T")
        assert progress(app).startswith(" Triage · 9 / 12")
        await pilot.press("x", "x", "x", "x")
        line = progress(app)
        assert line.startswith(" Triage · 1 / 12") and "Back at the top: 8 papers not looked at yet" in line, line
        for _ in range(7):
            await pilot.press("s")
        assert not triage(app).done and progress(app).startswith(" Triage · 8 / 12")
        await pilot.press("s")
        assert triage(app).done
        text = summary(app)
        assert "12 papers looked at" in text and "kept     8" in text and "skipped  4" in text, text
        await pilot.press("k")  # back from the summary: the last paper decided
        assert progress(app).startswith(" Triage · 8 / 12")
    disk = fresh(small_library).papers
    assert [disk[pid].status for pid in ids] == ["to-read"] * 8 + ["skipped"] * 4


async def test_passing_the_last_paper_with_j_goes_round_to_those_g_and_G_passed_over(
    small_library: Path, make_app: MakeApp
) -> None:
    """G from the first paper passes over ten: past the last one, triage goes on with the first of them (j passed
    the last paper once, which showed the summary), and the summary comes only once every paper has been shown."""
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("T", "G", "j")
        line = progress(app)
        assert line.startswith(" Triage · 2 / 12") and "Back at the top: 10 papers not looked at yet" in line, line
        await pilot.press(*["j"] * 9)
        assert progress(app).startswith(" Triage · 11 / 12")
        await pilot.press("j")  # the last paper, as G showed it: j passes it again, and nothing is left
        assert progress(app).startswith(" Triage · 12 / 12") and not triage(app).done
        await pilot.press("j")
        assert triage(app).done
        assert "12 papers looked at" in summary(app)
        await pilot.press("home")
        assert progress(app).startswith(" Triage · 1 / 12")


async def test_undo_and_redo_work_across_the_top(small_library: Path, make_app: MakeApp) -> None:
    """u after going round goes back to the last paper and its decision; deciding it again goes round again to
    the same first paper (shown for a moment only, it was not looked at), and ctrl+r goes round as the decision did."""
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        ids = inbox_ids(app)
        await pilot.press("G", "T", "x")
        assert progress(app).startswith(" Triage · 1 / 12")
        await pilot.press("u")
        assert progress(app).startswith(" Triage · 12 / 12") and not triage(app).done
        assert fresh(small_library).papers[ids[-1]].status == "inbox"
        await pilot.press("R")
        line = progress(app)
        assert line.startswith(" Triage · 1 / 12") and "Back at the top: 11 papers not looked at yet" in line, line
        await pilot.press("u", "ctrl+r")  # redone: round to the top again
        assert progress(app).startswith(" Triage · 1 / 12")
        assert fresh(small_library).papers[ids[-1]].status == "reading"
        await pilot.press("s", "u")  # and back at the first paper, as anywhere else
        assert progress(app).startswith(" Triage · 1 / 12")
        assert fresh(small_library).papers[ids[0]].status == "inbox"
        for _ in range(11):
            await pilot.press("s")
        assert triage(app).done
        text = summary(app)
        assert "12 papers looked at" in text and "kept     11" in text and "reading  1" in text, text
        assert "skipped  0" in text
        await pilot.press("u")  # from the summary: back to the paper before where triage started
        assert progress(app).startswith(" Triage · 11 / 12") and not triage(app).done
        await pilot.press("s")
        assert triage(app).done
