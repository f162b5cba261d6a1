"""The interest order, its explanation and related papers in the app, learned in the background."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static
from tui_helpers import SIZE, build_library

from readlist.app.commands import SetStatus
from readlist.app.interest import compute
from readlist.app.interest_process import RemoteInterest
from readlist.app.remembered_interest import recall_scores, remember_scores
from readlist.core.interest import interest_order, utcnow
from readlist.core.model import Status
from readlist.core.query import sort_papers
from readlist.storage.library import Library
from readlist.tui.app import ReadlistApp
from readlist.tui.screens.main import MainScreen
from readlist.tui.screens.triage import TriageScreen
from readlist.tui.widgets.paper_list import PaperList
from readlist.tui.widgets.sidebar import ViewSidebar

MakeApp = Callable[..., ReadlistApp]
# A related paper's line in the detail pane: its status glyph, then its title.
RELATED_LINE = tuple(f"  {status.glyph} " for status in Status)


def main(app: ReadlistApp) -> MainScreen:
    assert isinstance(app.screen, MainScreen)
    return app.screen


def topbar(app: ReadlistApp) -> str:
    return str(app.screen.query_one("#topbar", Static).render())


def insight(app: ReadlistApp) -> str:
    return str(app.screen.query_one("#detail-insight", Static).render())


async def more_like_view(pilot: Pilot[Any], screen: MainScreen) -> None:
    """``m``, then until the view of the papers most like the cursor's is shown."""
    await pilot.press("m")
    for _ in range(200):
        await asyncio.sleep(0.02)
        if screen.view.key == "like":
            break
    assert screen.view.key == "like"


async def learned(app: ReadlistApp) -> None:
    """Ask for scores now (rather than after the start-up delay) and wait until the screen has them."""
    app.retrain_interest()
    await asyncio.to_thread(app.interest.wait, 120)
    for _ in range(100):
        await asyncio.sleep(0.02)
        snapshot = main(app).interest
        if snapshot is not None and not snapshot.remembered:
            return
    raise AssertionError("the interest snapshot never reached the screen")


async def settled_insight(app: ReadlistApp, needle: str) -> str:
    for _ in range(200):
        await asyncio.sleep(0.03)
        text = insight(app)
        if needle in text:
            return text
    raise AssertionError(f"{needle!r} never appeared in the detail pane: {insight(app)!r}")


def decided_library(tmp_path: Path) -> Path:
    """The seed papers with a clear taste: papers about reasoning kept, papers about images and video skipped."""
    path = build_library(tmp_path / "library.json")
    lib = Library(path)
    papers = sorted(lib.papers.values(), key=lambda p: p.id)
    text = {p.id: (p.title + " " + p.abstract).lower() for p in papers}
    keep = [p.id for p in papers if "reasoning" in text[p.id]][:15]
    skip = [p.id for p in papers if p.id not in keep and any(w in text[p.id] for w in ("image", "video", "3d"))][:15]
    assert len(keep) == 15 and len(skip) == 15
    SetStatus(keep, "to-read").execute(lib)
    SetStatus(skip, "skipped").execute(lib)
    lib.compact(force=True)
    return path


async def test_inbox_is_ranked_by_interest_once_learned_and_o_goes_back_to_date(
    tmp_path: Path, make_app: MakeApp,
) -> None:
    app = make_app(decided_library(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        screen = main(app)
        assert screen.effective_sort == "added"  # nothing learned yet: date order, no waiting
        await pilot.press("j", "j")
        reading = app.screen.query_one(PaperList).current
        await learned(app)
        await pilot.pause()
        assert screen.effective_sort == "interest"
        assert "★ interest" in topbar(app)
        shown = app.screen.query_one(PaperList).papers
        snapshot = screen.interest
        assert snapshot is not None and snapshot.ready
        assert [p.id for p in shown] == [p.id for p in interest_order(shown, snapshot.scores)]
        # The list was re-ranked around the paper being read: the next key still acts on it.
        assert reading is not None and app.screen.query_one(PaperList).current == reading
        await pilot.press("g")
        scores = [snapshot.scores[p.id] for p in shown]
        assert scores == sorted(scores, reverse=True) and scores[0] > scores[-1]
        # Reasoning papers (what this reader keeps) come first.
        top = shown[:10]
        assert sum("reasoning" in (p.title + p.abstract).lower() for p in top) >= 6
        # The detail pane says why, and what else is like it.
        text = await settled_insight(app, "Related in your library")
        assert f"{snapshot.scores[shown[0].id]:.0%}" in text
        assert "▲" in text
        related = [line for line in text.split("\n") if line.startswith(RELATED_LINE)]
        assert len(related) == 5
        # Each with the status glyph the list shows: this reader has kept and skipped papers like the top one.
        assert {line[2] for line in related} - {"•"}
        # Other views keep date order; O from the automatic order goes to date order.
        await pilot.press("right_square_bracket")
        assert screen.effective_sort == "added"
        await pilot.press("left_square_bracket", "O")
        assert screen.sort == "added" and screen.effective_sort == "added"
        assert "sort: date added" in topbar(app)


async def test_a_move_after_a_rest_is_explained_at_once_and_a_run_of_moves_once_it_settles(
    tmp_path: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The explanation and related papers waited a fixed moment after every move, so they came 0.1-0.4 s after the
    paper on screen. A move after a rest is worked out at once now; only a run of moves (a held key) waits for the
    cursor to settle. Once the pane has settled, the run's window is made long, so that a computation started by
    its timer never counts."""
    import readlist.tui.widgets.insight as insight_module

    app = make_app(decided_library(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await learned(app)
        await pilot.pause()
        await settled_insight(app, "Related in your library")
        await pilot.pause()
        monkeypatch.setattr(insight_module, "SETTLE_SECONDS", 30.0)
        pane = app.screen.query_one("#detail-insight", insight_module.InsightPane)
        pane._asked_at = float("-inf")  # the cursor has rested
        await pilot.press("j")
        assert pane._timer is None  # worked out at once, not after a wait
        current = app.screen.query_one(PaperList).current
        assert current is not None
        text = await settled_insight(app, "Related in your library")
        assert pane._shown is not None and pane._shown[0] == current.id, text
        # Two moves in a run: the second is worked out only once the cursor settles (not within the 30 s here).
        pane._asked_at = float("-inf")
        await pilot.press("j", "j")
        assert pane._timer is not None
        await app.workers.wait_for_complete()
        await pilot.pause()
        now_at = app.screen.query_one(PaperList).current
        assert now_at is not None and now_at.id != current.id
        assert pane._shown is None or pane._shown[0] != now_at.id
        assert "Working out" in insight(app)


async def test_the_last_sessions_scores_order_the_inbox_from_the_first_paint(
    tmp_path: Path, make_app: MakeApp,
) -> None:
    path = decided_library(tmp_path)
    last = compute(None, list(Library(path).papers.values()), utcnow(), 1)
    assert last.ready
    remember_scores(path, last.scores)  # as the interest process leaves them when a session ends
    remembered = recall_scores(path)
    assert remembered is not None
    app = make_app(path, remembered=remembered)
    async with app.run_test(size=SIZE) as pilot:
        screen = main(app)
        plist = app.screen.query_one(PaperList)
        # No model yet, no waiting: the Inbox is in the order the last session left it, and says so.
        assert screen.effective_sort == "interest" and "★ interest" in topbar(app)
        shown = plist.papers
        assert [p.id for p in shown] == [p.id for p in interest_order(shown, remembered.scores)]
        assert [p.id for p in shown] != [p.id for p in sorted(shown, key=lambda p: p.added, reverse=True)]
        assert "Learning from your decisions" in insight(app)
        await pilot.press("m")  # related papers need the model
        assert any("still being worked out" in str(n.message) for n in app._notifications)
        await pilot.press("j", "j", "j")
        reading = plist.current
        await learned(app)
        await pilot.pause()
        snapshot = screen.interest
        assert snapshot is not None and not snapshot.remembered
        # The new scores re-rank the list around the paper being read.
        assert plist.current == reading
        assert [p.id for p in plist.papers] == [p.id for p in interest_order(plist.papers, snapshot.scores)]
        await settled_insight(app, "Related in your library")


async def test_scores_kept_for_another_library_are_not_used(tmp_path: Path, make_app: MakeApp) -> None:
    """A library file replaced by another keeps the old scores beside it: they would rank nothing here."""
    path = decided_library(tmp_path)
    remember_scores(path, {f"2501.{n:05d}": n / 1000 for n in range(500)})  # ids of some other library
    remembered = recall_scores(path)
    assert remembered is not None
    app = make_app(path, remembered=remembered)
    async with app.run_test(size=SIZE):
        screen = main(app)
        assert screen.interest is None and screen.effective_sort == "added"
        assert "★ interest" not in topbar(app)
        shown = app.screen.query_one(PaperList).papers
        assert [p.id for p in shown] == [p.id for p in sort_papers(shown, "added")]


async def test_too_few_decisions_says_so_and_orders_by_upvotes(small_library: Path, make_app: MakeApp) -> None:
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await learned(app)
        await pilot.pause()
        screen = main(app)
        assert screen.effective_sort == "added"  # automatic order stays on date while nothing is learned
        screen.set_sort("interest")
        await pilot.pause()
        assert "too few decisions; upvotes, then date" in topbar(app)
        upvotes = [p.upvotes or 0 for p in app.screen.query_one(PaperList).papers]
        assert upvotes == sorted(upvotes, reverse=True)
        text = await settled_insight(app, "Related in your library")
        assert "Interest\nNot learned yet: 10 more decisions, 1 more kept paper, 1 more skipped paper to go." in text
        # What orders a list is the top bar's to say; the detail pane is about this paper.
        assert "ordered by" not in text


async def test_the_decisions_still_missing_follow_each_key(
    small_library: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Before there are enough decisions, the count of those missing was worked out again only after the settle
    that keeps a burst of decisions from re-ranking the list: it said "10 more decisions" through a whole burst.
    The settle after a decision is made long here: only the short one for a cold start can bring the new count."""
    import readlist.tui.app as app_module

    monkeypatch.setattr(app_module, "INTEREST_SETTLE_SECONDS", 60.0)
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await learned(app)
        await pilot.pause()
        await settled_insight(app, "Not learned yet: 10 more decisions")
        await pilot.press("x", "x", "x")
        text = await settled_insight(app, "Not learned yet: 7 more decisions")
        assert "1 more kept paper to go" in text and "skipped" not in text.split("to go")[0]


async def test_the_interest_section_is_set_apart_from_the_abstract(small_library: Path, make_app: MakeApp) -> None:
    """A blank line before "Interest", as before "Related in your library" and the note: run on from the abstract's
    last line, the heading and the cold-start sentence under it read as the abstract's end."""
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await learned(app)
        await settled_insight(app, "Related in your library")
        await pilot.pause()
        screen = app.screen
        abstract, section = screen.query_one("#detail-abstract"), screen.query_one("#detail-insight")
        assert not screen.query_one("#detail NoteView").display  # no note between them
        assert section.region.y - abstract.region.bottom == 1


async def test_decisions_are_learned_again_in_the_background(tmp_path: Path, make_app: MakeApp) -> None:
    app = make_app(decided_library(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await learned(app)
        first = app.interest.generation
        await pilot.press("s", "x", "s")
        for _ in range(200):
            await asyncio.sleep(0.02)
            if app.interest.generation > first:
                break
        assert app.interest.generation > first
        await asyncio.to_thread(app.interest.wait, 120)
        for _ in range(100):
            await asyncio.sleep(0.02)
            snapshot = main(app).interest
            if snapshot is not None and snapshot.generation == app.interest.generation:
                break
        assert snapshot is not None and snapshot.generation == app.interest.generation
        # The three decisions reached the model, which reads the library in its own process.
        assert isinstance(snapshot, RemoteInterest) and snapshot.labels == 33


async def test_before_the_first_key_new_scores_show_the_new_top(tmp_path: Path, make_app: MakeApp) -> None:
    """A fresh start: the list is in date order until the model is back, then its best papers are in view."""
    app = make_app(decided_library(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        plist = app.screen.query_one(PaperList)
        date_top = plist.current
        await learned(app)
        await pilot.pause()
        snapshot = main(app).interest
        assert snapshot is not None
        best = interest_order(plist.papers, snapshot.scores)[0]
        assert date_top is not None and best.id != date_top.id  # not vacuous: the top did change
        assert plist.cursor == 0 and plist.scroll_y == 0
        assert plist.current is not None and plist.current.id == best.id


async def test_new_scores_never_change_the_paper_under_a_resting_cursor(tmp_path: Path, make_app: MakeApp) -> None:
    """A decision retrains the model a moment later; the list is re-ranked, the cursor's paper stays."""
    app = make_app(decided_library(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await learned(app)
        await pilot.pause()
        plist = app.screen.query_one(PaperList)
        moved = 0
        for key in ("x", "s", "x", "x"):
            first = app.interest.generation
            await pilot.press(key)
            reading = plist.current
            for _ in range(300):
                await asyncio.sleep(0.02)
                snapshot = main(app).interest
                latest = snapshot is not None and snapshot.generation == app.interest.generation
                if latest and snapshot is not None and snapshot.generation > first:
                    break
            await pilot.pause()
            assert plist.current == reading, f"after {key!r} the cursor's paper changed with no key pressed"
            moved += plist.cursor != 0
        # Not a vacuous check: the re-ranking did move the paper being read away from the top.
        assert moved > 0
        assert [p.id for p in plist.papers] == [p.id for p in interest_order(plist.papers, main(app).interest.scores)]


async def test_leaving_triage_after_a_re_rank_goes_on_from_the_paper_triage_showed(
    tmp_path: Path, make_app: MakeApp,
) -> None:
    app = make_app(decided_library(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await learned(app)
        await pilot.pause()
        home, before = main(app), app.interest.generation
        await pilot.press("T", "x", "x", "x")
        screen = app.screen
        assert isinstance(screen, TriageScreen)
        showing = screen.paper_ids[screen.index]
        for _ in range(300):  # the three decisions are learned while triage is open
            await asyncio.sleep(0.02)
            snapshot = home.interest
            if snapshot is not None and snapshot.generation > before and snapshot.generation == app.interest.generation:
                break
        await pilot.press("escape")
        plist = app.screen.query_one(PaperList)
        assert plist.current is not None and plist.current.id == showing
        assert [p.id for p in plist.papers] == [p.id for p in interest_order(plist.papers, main(app).interest.scores)]


async def test_more_like_this_is_a_view_in_likeness_order(tmp_path: Path, make_app: MakeApp) -> None:
    app = make_app(decided_library(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await learned(app)
        await pilot.pause()
        screen = main(app)
        seed = app.screen.query_one(PaperList).current
        assert seed is not None
        await more_like_view(pilot, screen)
        snapshot = screen.interest
        assert snapshot is not None
        expected = [r.paper_id for r in snapshot.related(seed.id, 50)]
        shown = [p.id for p in app.screen.query_one(PaperList).papers]
        assert shown == expected and seed.id not in shown
        assert "sort: likeness" in topbar(app)
        sidebar = str(app.screen.query_one(ViewSidebar).render())
        assert "≈ " + seed.title[:10] in sidebar
        assert sidebar.splitlines()[7].split()[-1] == str(len(expected))
        # O cannot re-sort it: it says so, and leaves the other views' order as it was.
        sort_before = screen.sort
        await pilot.press("O")
        await pilot.pause()
        assert "Likeness order stays; O sorts other views" in topbar(app) and "sort: likeness" in topbar(app)
        assert screen.sort == sort_before
        assert [p.id for p in app.screen.query_one(PaperList).papers] == expected
        # A paper deleted from the view leaves its count in the sidebar too; undo brings it back.

        def count_in_sidebar() -> str:
            return str(app.screen.query_one(ViewSidebar).render()).splitlines()[7].split()[-1]

        await pilot.press("D", "y")
        await pilot.pause()
        assert app.session.library.get(expected[0]) is None
        assert count_in_sidebar() == str(len(expected) - 1)
        await pilot.press("u")
        await pilot.pause()
        assert app.session.library.get(expected[0]) is not None
        assert count_in_sidebar() == str(len(expected))


async def test_more_like_a_paper_of_a_more_like_view_renames_the_view_in_the_sidebar(
    tmp_path: Path, make_app: MakeApp,
) -> None:
    """The new view had the old one's key and count, so the sidebar kept the first paper's name."""
    app = make_app(decided_library(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await learned(app)
        await pilot.pause()
        screen = main(app)
        await more_like_view(pilot, screen)
        await pilot.press("j", "j")
        seed = app.screen.query_one(PaperList).current
        assert seed is not None
        await pilot.press("m")
        for _ in range(200):
            await asyncio.sleep(0.02)
            if screen.like_view is not None and screen.like_view.label.startswith("≈ " + seed.title[:10]):
                break
        await pilot.pause()
        assert "≈ " + seed.title[:10] in str(app.screen.query_one(ViewSidebar).render())


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_o_in_a_more_like_this_view_says_why_in_words_that_fit(tmp_path: Path, make_app: MakeApp,
                                                                     size: tuple[int, int]) -> None:
    """At 80 columns the top bar cut "This view stays in likeness order; O sorts the other views" after "O":
    the reason was never read."""
    app = make_app(decided_library(tmp_path))
    async with app.run_test(size=size) as pilot:
        await learned(app)
        await pilot.pause()
        screen = main(app)
        await more_like_view(pilot, screen)
        shown = topbar(app)
        assert "most like it, closest first" in shown and "…" not in shown.split("│")[-1], shown
        await pilot.press("O")
        await pilot.pause()
        shown = topbar(app)
        assert shown.rstrip().endswith("Likeness order stays; O sorts other views"), shown
        assert len(shown) <= size[0]
        await pilot.press("j")  # the next key brings the sort back
        await pilot.pause()
        assert "sort: likeness" in topbar(app)


async def test_more_like_the_selection_says_the_selection_was_cleared(tmp_path: Path, make_app: MakeApp) -> None:
    """At 80 columns too: the message used to be cut after "most like the selection (now cleared),"."""
    app = make_app(decided_library(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await learned(app)
        await pilot.pause()
        await pilot.press("space", "space", "m")
        for _ in range(200):
            await asyncio.sleep(0.02)
            if main(app).view.key == "like":
                break
        assert main(app).view.key == "like"
        assert "Closest first; the selection was cleared" in topbar(app), topbar(app)
        assert app.screen.query_one(PaperList).selected == set()


async def test_the_model_is_trained_on_its_own_after_start_up(tmp_path: Path, make_app: MakeApp) -> None:
    app = make_app(decided_library(tmp_path), interest_start=0.2)
    async with app.run_test(size=SIZE) as pilot:
        screen = main(app)
        assert screen.interest is None
        assert "Learning from your decisions" in insight(app)
        for _ in range(3000):  # the first training imports scikit-learn: allow a slow machine a minute
            await asyncio.sleep(0.02)
            if screen.interest is not None:
                break
        assert screen.interest is not None and screen.interest.ready
        await pilot.pause()
        assert screen.effective_sort == "interest"


async def test_related_papers_fit_the_pane_whether_or_not_it_scrolls(tmp_path: Path, make_app: MakeApp) -> None:
    """Each related title and reason is cut to one line of the pane: wrapped, its end reads as another paper.

    The lines are cut to the width the pane has when they are worked out; the section itself can make the
    pane long enough to scroll, and the scrollbar must not then take a column from lines already cut.
    """
    app = make_app(decided_library(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await learned(app)
        pane = app.screen.query_one("#detail-insight", Static)
        checked = 0
        for _ in range(25):
            await settled_insight(app, "Related in your library")
            await pilot.pause()
            lines = insight(app).split("\n")
            related = [line for line in lines if line.startswith((*RELATED_LINE, "    "))]
            too_wide = [line for line in related if len(line) > pane.content_size.width]
            assert too_wide == [], f"wider than the pane ({pane.content_size.width}): {too_wide}"
            checked += len(related)
            await pilot.press("j")
        assert checked >= 25 * 2


async def test_related_papers_are_cut_again_when_the_pane_changes_width(tmp_path: Path, make_app: MakeApp) -> None:
    """``L`` (or a resized terminal) changes the pane's width: related titles cut for the wide pane below the list
    wrapped in the narrow one beside it, each title's end on a line of its own ("with Lar…"), and titles cut for
    the narrow pane stayed cut short in the wide one."""
    from rich.cells import cell_len

    app = make_app(decided_library(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await learned(app)
        await settled_insight(app, "Related in your library")
        pane = app.screen.query_one("#detail-insight", Static)
        widths = set()
        for _ in range(2):  # beside the list, then below it again (or the other way round)
            await pilot.press("L")
            wrong: list[str] = []
            for _ in range(100):
                await asyncio.sleep(0.03)
                width = pane.content_size.width
                lines = insight(app).split("\n")
                related = [line for line in lines if line.startswith((*RELATED_LINE, "    "))]
                # Cut for this width: none wider, and a line cut with "…" fills it.
                wrong = [line for line in related
                         if cell_len(line) > width or (line.endswith("…") and cell_len(line) != width)]
                if related and not wrong:
                    break
            else:
                raise AssertionError(f"not cut to the pane ({pane.content_size.width}): {wrong}")
            widths.add(pane.content_size.width)
        assert len(widths) == 2, widths


def test_a_reason_of_any_length_is_one_line_with_its_weight() -> None:
    """A word or name thousands of characters long is cut to the pane's width, its weight still shown after it."""
    from rich.cells import cell_len

    from readlist.core.interest import Reason, Related
    from readlist.core.model import Paper
    from readlist.tui.widgets.insight import insight_text

    paper = Paper.create(title="Diffusion", abstract="A paper.")
    long_word = "supercalifragilistic" + "x" * 3000
    reasons = [Reason("term", "diffusion", 1.27), Reason("term", long_word, 0.31),
               Reason("author", "Ana Lima " + "Y" * 500, -0.08)]

    class Learned:
        generation, ready, reason, to_go, remembered = 1, True, None, None, False

        def score_of(self, paper_id: str) -> float | None:
            return 0.85

        def explain(self, paper: Paper, k: int = 5) -> list[Reason]:
            return reasons[:k]

        def related(self, paper_id: str, k: int = 5) -> list[Related]:
            return []

        def more_like(self, paper_ids: list[str], k: int = 5) -> list[Related]:
            return []

    for width in (40, 60, 100):
        lines = insight_text(paper, Learned(), lambda _: None, width).plain.split("\n")
        reason_lines = [line for line in lines if line.startswith(("  ▲", "  ▼"))]
        assert len(reason_lines) == 3, lines
        assert all(cell_len(line) <= width for line in reason_lines), [cell_len(line) for line in reason_lines]
        assert reason_lines[0] == "  ▲ term “diffusion”  +1.27"
        assert reason_lines[1].endswith("…  +0.31") and reason_lines[2].endswith("…  -0.08")


async def test_leaving_the_interest_order_says_how_to_get_it_back(tmp_path: Path, make_app: MakeApp) -> None:
    """``O`` in the Inbox's learned order chose date order for every view, for good: nothing said so, or how
    the Inbox gets its order back."""
    app = make_app(decided_library(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await learned(app)
        await pilot.pause()
        screen = main(app)
        assert "sort: ★ interest · O for date added" in topbar(app)
        await pilot.press("O")
        await pilot.pause()
        assert "sort: date added" in topbar(app)
        assert "Every view in this order now; the palette's Sort automatically brings ★ interest back" in topbar(app)
        await pilot.press("O")  # on through the orders: said once only
        await pilot.pause()
        assert "Sort automatically" not in topbar(app)
        screen.set_sort("auto")
        await pilot.pause()
        assert "sort: ★ interest" in topbar(app)
