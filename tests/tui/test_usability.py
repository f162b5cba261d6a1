"""What a keyboard user trips over in a real triage session, each checked through the real keys."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Markdown, OptionList, Static
from tui_helpers import SEEDS_DIR, SIZE, build_library, disk_full, fresh, search_all, view_name_prompt

from readlist.app.commands import SetStatus
from readlist.app.imports import ImportPapers
from readlist.config.settings import load_config
from readlist.core.model import Paper
from readlist.storage.library import Library
from readlist.tui.app import ReadlistApp
from readlist.tui.screens.cite_chooser import CiteChooser
from readlist.tui.screens.help import HelpScreen
from readlist.tui.screens.main import MainScreen
from readlist.tui.screens.note_editor import NoteEditor
from readlist.tui.screens.prompt import Prompt
from readlist.tui.screens.tags import TagEditor
from readlist.tui.screens.triage import TriageScreen
from readlist.tui.widgets.detail import PaperDetail
from readlist.tui.widgets.paper_list import PaperList
from readlist.tui.widgets.sidebar import ViewSidebar

MakeApp = Callable[..., ReadlistApp]


def main(app: ReadlistApp) -> MainScreen:
    assert isinstance(app.screen, MainScreen)
    return app.screen


def plist(app: ReadlistApp) -> PaperList:
    return app.screen.query_one(PaperList)


def text_of(app: ReadlistApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def note_of(app: ReadlistApp, selector: str) -> str:
    """The note a note view shows: its text while plain, its source once Markdown."""
    note = app.screen.query_one(selector)
    return note.source if isinstance(note, Markdown) else str(note.render())


def current_id(app: ReadlistApp) -> str:
    paper = plist(app).current
    assert paper is not None
    return paper.id


async def test_clearing_a_search_keeps_the_cursor_on_its_paper(seed_library: Path, make_app: MakeApp) -> None:
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        await search_all(pilot, "tag:generalization")
        found = plist(app).papers
        assert len(found) >= 3
        await pilot.press("j", "j")
        chosen = current_id(app)
        assert chosen == found[2].id
        await pilot.press("escape")  # clears the search
        await pilot.pause(0.3)
        assert len(plist(app).papers) > len(found)
        assert current_id(app) == chosen
        # And the row under the cursor is that paper, not whatever had the same index.
        assert plist(app).papers[plist(app).cursor].id == chosen


async def test_a_search_typed_far_down_the_list_shows_its_results_from_the_top(
    seed_library: Path, make_app: MakeApp,
) -> None:
    app = make_app(seed_library)
    async with app.run_test(size=(80, 24)) as pilot:
        main(app).set_view_key("all")
        await pilot.pause()
        await pilot.press(*["j"] * 60)
        assert plist(app).cursor == 60
        await pilot.press("slash", *"transformer")
        await pilot.pause(0.3)
        found = plist(app).papers
        assert 1 < len(found) < 60
        assert plist(app).cursor == 0 and plist(app).scroll_y == 0  # the first result, in view
        await pilot.press("enter", "j")
        assert current_id(app) == found[1].id


async def test_triage_counts_a_keep_of_a_paper_already_to_read(seed_library: Path, make_app: MakeApp) -> None:
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        main(app).set_view_key("status:to-read")
        await pilot.pause()
        assert len(plist(app).papers) == 3
        await pilot.press("T", "s", "s", "x")
        screen = app.screen
        assert isinstance(screen, TriageScreen) and screen.done
        summary = text_of(app, "#triage-summary")
        assert "3 papers looked at" in summary
        assert "kept     2" in summary
        assert "skipped  1" in summary


async def test_triage_started_at_the_last_paper_goes_on_at_the_top_and_counts_each_paper_once(
    seed_library: Path, make_app: MakeApp,
) -> None:
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        main(app).set_view_key("status:to-read")
        await pilot.pause()
        await pilot.press("G", "T")
        assert "Triage · 3 / 3" in text_of(app, "#triage-progress")
        await pilot.press("r")
        assert isinstance(app.screen, TriageScreen) and not app.screen.done
        assert "Back at the top: 2 papers not looked at yet" in text_of(app, "#triage-progress")
        await pilot.press("s", "s")
        assert app.screen.done
        summary = text_of(app, "#triage-summary")
        assert "3 papers looked at" in summary and "read     1" in summary and "kept     2" in summary


async def test_a_refused_key_leaves_no_earlier_success_in_the_top_bar(
    small_library: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """After one skip that worked and one a full disk refused, the top bar still said "Skipped: 1 paper"."""
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("x")
        await pilot.pause()
        assert "Skipped: 1 paper" in text_of(app, "#topbar")
        disk_full(monkeypatch)
        await pilot.press("x")
        await pilot.pause()
        assert "Skipped:" not in text_of(app, "#topbar")
        assert any("No space left on device" in n.message for n in app._notifications)


async def test_layout_follows_the_terminal_again_after_l(small_library: Path, make_app: MakeApp) -> None:
    app = make_app(small_library)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = main(app)
        assert not screen.has_class("-stacked")
        await pilot.press("L")
        assert screen.has_class("-stacked")
        await pilot.resize_terminal(90, 30)
        await pilot.pause()
        assert screen.has_class("-stacked")
        await pilot.resize_terminal(160, 48)
        await pilot.pause()
        assert not screen.has_class("-stacked"), "a new size decides the layout again"
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        assert screen.has_class("-narrow")
        assert not app.screen.query_one("#sidebar").display
        # At 60 columns the list has the whole width: titles get more than a few characters, cut with "…".
        width = plist(app).size.width
        assert width >= 56
        paper = plist(app).current
        assert paper is not None
        row = plist(app).row_text(paper, width).plain
        assert row.startswith(" ")
        assert paper.title[:30] in row
        assert "\n" not in row


async def test_on_a_narrow_terminal_the_top_bar_says_what_a_key_did(
    small_library: Path, make_app: MakeApp,
) -> None:
    app = make_app(small_library)
    async with app.run_test(size=(60, 20)) as pilot:
        topbar = app.screen.query_one("#topbar", Static)
        inbox = len(plist(app).papers)
        line = str(topbar.render())
        assert line.startswith(f" Inbox {inbox}  sort:") and "papers ·" not in line
        await pilot.press("x")
        await pilot.pause()
        line = str(topbar.render())
        assert line.startswith(f" Inbox {inbox - 1}  sort:") and "Skipped: 1 paper" in line
        await pilot.resize_terminal(120, 30)
        await pilot.pause()
        assert str(topbar.render()).startswith(" readlist ")  # with room, the library's name and totals
        # At 80 columns they are there while they fit; what a key did must be read, so it wins.
        await pilot.resize_terminal(80, 24)
        await pilot.press("j")
        await pilot.pause()
        assert str(topbar.render()).startswith(" readlist ")
        await pilot.press("5")
        await pilot.pause()
        line = str(topbar.render())
        assert line.startswith(" Inbox ") and "u undoes" in line and len(line.rstrip()) <= 80, line
        await pilot.press("j")  # the message goes with the next move, and the name comes back
        await pilot.pause()
        assert str(topbar.render()).startswith(" readlist ")


async def test_a_triage_key_redraws_only_the_sidebar_lines_whose_counts_changed(
    seed_library: Path, make_app: MakeApp,
) -> None:
    app = make_app(seed_library)
    async with app.run_test(size=(160, 48)) as pilot:
        sidebar = app.screen.query_one(ViewSidebar)
        await pilot.pause()
        lines = len(sidebar._lines)
        assert lines > 8
        drawn: list[tuple[object, ...]] = []
        real = sidebar._line_text

        def counting(row: tuple[str, str, str, bool], width: int) -> Any:
            drawn.append(row)
            return real(row, width)

        sidebar._line_text = counting  # type: ignore[method-assign]
        await pilot.press("x")  # Inbox one fewer, Skipped one more
        await pilot.pause()
        labels = {row[1] for row in drawn}
        assert labels and labels <= {"Inbox", "Skipped"}, labels
        assert "Skipped" in str(sidebar.render())


async def test_a_triage_key_draws_the_list_before_the_detail_pane(seed_library: Path, make_app: MakeApp) -> None:
    """The next paper reaches the screen in a frame of its own; the detail pane's relayout comes after it."""
    app = make_app(seed_library)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        widget, detail = plist(app), app.screen.query_one(PaperDetail)
        frames: list[str] = []
        drawn, shown = widget.render_lines, detail.show

        def draw_list(crop: Any) -> Any:
            frames.append("list")
            return drawn(crop)

        def show_detail(paper: Paper | None) -> None:
            frames.append("detail")
            shown(paper)

        topbar = app.screen.query_one("#topbar")
        drawn_bar = topbar.render_lines

        def draw_bar(crop: Any) -> Any:
            lines = drawn_bar(crop)
            frames.append("bar: " + "".join(segment.text for segment in lines[0]))
            return lines

        widget.render_lines = draw_list  # type: ignore[method-assign]
        detail.show = show_detail  # type: ignore[method-assign]
        topbar.render_lines = draw_bar  # type: ignore[method-assign]
        for key in "sxj":
            inbox = len(widget.papers) - (key != "j")
            frames.clear()
            await pilot.press(key)
            await pilot.pause()
            assert "detail" in frames and "list" in frames[: frames.index("detail")], (key, frames)
            # The top bar's new count is drawn with the list, not a frame later.
            assert any(f"Inbox {inbox} " in f for f in frames[: frames.index("detail")]), (key, frames)
            assert detail.paper is widget.current


async def test_the_list_scrollbar_is_not_redrawn_when_it_looks_the_same(
    tmp_path: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A triage key makes the list one paper shorter; over hundreds of rows the bar looks the same."""
    from textual.scrollbar import ScrollBar

    from readlist.tui.widgets.scrollbar import SteadyScrollBar

    path = tmp_path / "many.json"
    papers = [Paper.create(title=f"Paper number {i}", added=f"2026-01-01T00:{i // 60:02d}:{i % 60:02d}+00:00")
              for i in range(400)]
    ImportPapers(papers, "many.txt").execute(Library(path))
    app = make_app(path)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        bar = plist(app).vertical_scrollbar
        assert isinstance(bar, SteadyScrollBar) and bar.display
        full = []
        real = ScrollBar.render_lines

        def counting(self: ScrollBar, crop: Any) -> Any:
            full.append(crop)
            return real(self, crop)

        monkeypatch.setattr(ScrollBar, "render_lines", counting)
        for key in "sxsx":
            await pilot.press(key)
            await pilot.pause()
        assert len(plist(app).papers) == 396
        assert full == []  # every frame reused the lines already drawn
        await pilot.press("G")  # the thumb moves to the bottom: drawn again, as Textual draws it
        await pilot.pause()
        assert full
        crop = bar.size.region
        assert bar.render_lines(crop) == real(bar, crop)


async def test_long_titles_are_shown_whole_where_there_is_room(small_library: Path, make_app: MakeApp) -> None:
    app = make_app(small_library)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        widget = plist(app)
        width = widget.size.width
        longest = max(widget.papers, key=lambda p: len(p.title))
        assert len(longest.title) > 60
        rows = [widget.row_text(p, width).plain for p in widget.papers]
        fits = [p for p, row in zip(widget.papers, rows, strict=True) if len(p.title) <= width - 30]
        assert fits
        for paper in fits:
            assert paper.title in widget.row_text(paper, width).plain
        # The date column is still there at this width.
        dated = [p for p in widget.papers if p.date is not None]
        assert dated
        for paper in dated:
            day = paper.date
            assert day is not None and day.iso() in widget.row_text(paper, width).plain


async def test_last_action_line_goes_when_the_cursor_moves_and_counts_properly(
    small_library: Path, make_app: MakeApp,
) -> None:
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "space", "3")
        topbar = text_of(app, "#topbar")
        assert "Rated 3: 2 papers" in topbar
        assert "paper(s)" not in topbar
        await pilot.press("escape", "4")
        assert "Rated 4: 1 paper " in text_of(app, "#topbar"), text_of(app, "#topbar")
        await pilot.press("j")
        after = text_of(app, "#topbar")
        assert "Rated" not in after


async def test_detail_text_scrolls_with_j_and_k_at_80_by_24(tmp_path: Path, make_app: MakeApp) -> None:
    path = tmp_path / "library.json"
    lib = Library(path)
    long_abstract = " ".join(f"Sentence {n} of a long abstract about $\\mathbb R^n$." for n in range(120))
    ImportPapers([Paper.create(title="A paper with a long abstract", abstract=long_abstract,
                               arxiv_id="2401.00001")], "test").execute(lib)
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        detail = app.screen.query_one(PaperDetail)
        assert detail.scroll_y == 0
        await pilot.press("J", "J")
        assert detail.scroll_y > 0
        await pilot.press("K", "K")
        assert detail.scroll_y == 0
        # TeX is drawn as Unicode; the stored abstract is unchanged.
        shown = text_of(app, "#detail-abstract")
        assert "ℝ" in shown and "\\mathbb" not in shown
        assert "\\mathbb R^n" in fresh(path).papers[current_id(app)].abstract
        await pilot.press("T")
        body = app.screen.query_one("#triage-body")
        await pilot.press("space")
        assert body.scroll_y > 0
        await pilot.press("pageup")
        assert body.scroll_y == 0


async def test_vim_paging_keys_and_j_k_in_the_format_chooser(seed_library: Path, make_app: MakeApp) -> None:
    app = make_app(seed_library)
    async with app.run_test(size=(160, 30)) as pilot:
        main(app).set_view_key("all")
        await pilot.pause()
        widget = plist(app)
        assert len(widget.papers) > 40
        await pilot.press("ctrl+d")
        half = widget.cursor
        assert half > 3
        await pilot.press("ctrl+f")
        assert widget.cursor > half
        await pilot.press("ctrl+b")
        assert widget.cursor == half
        await pilot.press("ctrl+u")
        assert widget.cursor == 0
        await pilot.press("Y")
        assert isinstance(app.screen, CiteChooser)
        options = app.screen.query_one(OptionList)
        start = options.highlighted
        await pilot.press("j", "j")
        assert options.highlighted == (start or 0) + 2
        await pilot.press("k")
        assert options.highlighted == (start or 0) + 1


async def test_selection_stays_after_a_bulk_action_until_escape(small_library: Path, make_app: MakeApp) -> None:
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        main(app).set_view_key("all")
        await pilot.pause()
        ids = [p.id for p in plist(app).papers]
        await pilot.press("space", "space", "space", "t")
        assert isinstance(app.screen, TagEditor)
        await pilot.press(*"survey", "enter")
        await pilot.pause()
        assert plist(app).selected == set(ids[:3])
        await pilot.press("5")
        assert plist(app).selected == set(ids[:3])
        await pilot.press("escape")
        assert plist(app).selected == set()
    disk = fresh(small_library)
    for pid in ids[:3]:
        assert disk.papers[pid].tags == ["survey"] and disk.papers[pid].rating == 5
    assert disk.papers[ids[3]].rating == 0


async def test_saved_search_from_the_box_becomes_a_view_with_a_count(
    seed_library: Path, make_app: MakeApp,
) -> None:
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        await view_name_prompt(pilot, "tag:generalization")
        await pilot.press(*"general", "enter")
        await pilot.pause()
        screen = main(app)
        assert screen.view.key == "saved:general"
        assert app.screen.query_one("#search", Input).value == ""
        sidebar = str(app.screen.query_one(ViewSidebar).render())
        assert "Searches" in sidebar
        count = len(plist(app).papers)
        assert count == 4
        line = next(line for line in sidebar.splitlines() if "general" in line and "Searches" not in line)
        assert line.split()[-1] == "4"
        # The count is live: tagging one more paper moves it.
        screen.set_view_key("all")
        await pilot.pause()
        untagged = next(p for p in plist(app).papers if "generalization" not in p.tags)
        plist(app).move_to(plist(app).papers.index(untagged))
        await pilot.press("t", *"generalization", "enter")
        await pilot.pause()
        sidebar = str(app.screen.query_one(ViewSidebar).render())
        line = next(line for line in sidebar.splitlines() if "general" in line and "Searches" not in line)
        assert line.split()[-1] == "5"
    # Kept in config.toml, so the next session has it too.
    assert load_config().views == {"general": "tag:generalization"}


async def test_changing_view_or_sort_counts_no_paper_again_and_the_counts_stay_right(
    seed_library: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every change keeps the counts current, so ], [ and O only list the view: the library is not counted again."""
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        await view_name_prompt(pilot, "tag:generalization")
        await pilot.press(*"general", "enter")
        await pilot.pause()
        counted, recount = counting(monkeypatch)
        main(app).set_view_key("all")
        await pilot.pause()
        untagged = next(p for p in plist(app).papers if "generalization" not in p.tags)
        plist(app).move_to(plist(app).papers.index(untagged))
        await pilot.press("t", *"generalization", "enter", "x")
        await pilot.pause()
        for key in ("right_square_bracket", "left_square_bracket", "left_square_bracket", "O", "O"):
            await pilot.press(key)
            await pilot.pause()
        sidebar = str(app.screen.query_one(ViewSidebar).render())
        line = next(line for line in sidebar.splitlines() if "general" in line and "Searches" not in line)
        assert line.split()[-1] == "5"
        assert_counted_from_changes(app, counted, recount)


async def test_a_search_kept_as_a_view_is_counted_alone(
    seed_library: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Keeping a search counts that search's papers, not the whole library and every other saved search again."""
    from readlist.tui.screens import main as main_module

    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        counted: list[int] = []
        real_count = main_module.count
        monkeypatch.setattr(main_module, "count", lambda papers: counted.append(1) or real_count(papers))
        await view_name_prompt(pilot, "tag:generalization")
        await pilot.press(*"general", "enter")
        await pilot.pause()
        assert main(app).view.key == "saved:general"
        assert counted == []
        sidebar = str(app.screen.query_one(ViewSidebar).render())
        line = next(line for line in sidebar.splitlines() if "general" in line and "Searches" not in line)
        assert line.split()[-1] == "4" == str(len(plist(app).papers))


async def test_a_paper_opened_and_closed_unchanged_counts_nothing_again(
    seed_library: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Enter then Esc only reads a paper: the list is shown again without counting the library; a decision made
    in triage mode is in the counts, adjusted from the paper it changed (the library is not counted again)."""
    from readlist.tui.screens import main as main_module

    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        counted: list[int] = []
        real_count = main_module.count
        monkeypatch.setattr(main_module, "count", lambda papers: counted.append(1) or real_count(papers))
        first = current_id(app)
        await pilot.press("enter", "escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert counted == [] and current_id(app) == first
        inbox = main(app).counts.by_status["inbox"]
        await pilot.press("enter", "s", "escape")
        await pilot.pause()
        assert counted == []
        assert main(app).counts.by_status["inbox"] == inbox - 1
        assert first not in {p.id for p in plist(app).papers}


async def test_keeping_a_search_under_a_name_in_use_asks_before_replacing(
    seed_library: Path, make_app: MakeApp,
) -> None:
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        await view_name_prompt(pilot, "tag:generalization")
        await pilot.press(*"mine", "enter")
        await pilot.pause()
        prompt = await view_name_prompt(pilot, "tag:llm")
        await pilot.press(*"mine", "enter")
        await pilot.pause()
        assert app.screen is prompt  # not replaced yet: the prompt says what "mine" keeps
        assert "tag:generalization" in text_of(app, "#prompt-error")
        assert load_config().views == {"mine": "tag:generalization"}
        await pilot.press("enter")
        await pilot.pause()
        assert main(app).view.key == "saved:mine"
        assert "Replaced" in text_of(app, "#topbar")
    assert load_config().views == {"mine": "tag:llm"}


async def test_a_search_saved_in_a_view_keeps_the_view_too(seed_library: Path, make_app: MakeApp) -> None:
    """What the list showed is the search within the view: the saved view shows the same papers."""
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        screen = main(app)
        assert screen.view.key == "status:inbox"
        await pilot.press("slash", *"reasoning OR agents")
        for _ in range(100):  # the list follows the box a moment after the last key
            await pilot.pause(0.02)
            shown = {p.id for p in plist(app).papers}
            if len(shown) < 100:
                break
        assert 0 < len(shown) < len(fresh(seed_library).papers)
        await pilot.press("enter", "ctrl+s")  # from the list, where Enter leaves the search applied
        await pilot.pause()
        assert isinstance(app.screen, Prompt)
        await pilot.press(*"inbox picks", "enter")
        await pilot.pause()
        assert screen.view.key == "saved:inbox picks"
        assert {p.id for p in plist(app).papers} == shown
    assert load_config().views == {"inbox picks": "status:inbox (reasoning OR agents)"}


async def test_reopening_goes_back_to_view_sort_search_paper_and_layout(
    seed_library: Path, make_app: MakeApp,
) -> None:
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        main(app).set_view_key("all")
        await pilot.press("O", "O")  # sort twice: publication date, then upvotes
        sort = main(app).sort
        await pilot.press("slash", *"year:2025", "enter")
        await pilot.pause(0.3)
        await pilot.press("j", "j", "j", "L")
        chosen = current_id(app)
        await pilot.press("q")
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = main(app)
        assert screen.view.key == "all"
        assert screen.sort == sort != "added"
        assert app.screen.query_one("#search", Input).value == "year:2025"
        assert current_id(app) == chosen
        assert screen.has_class("-stacked")


async def test_reopening_goes_back_to_a_tag_view_and_its_paper(seed_library: Path, make_app: MakeApp) -> None:
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        main(app).set_view_key("tag:generalization")
        await pilot.pause()
        await pilot.press("j", "j")
        chosen = current_id(app)
        await pilot.press("q")
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert main(app).view.key == "tag:generalization"
        assert current_id(app) == chosen


async def test_triage_shows_the_note_and_n_t_work_there(seed_library: Path, make_app: MakeApp) -> None:
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        main(app).set_view_key("all")
        await pilot.pause()
        with_note = next(p for p in plist(app).papers if p.note)
        plist(app).move_to(plist(app).papers.index(with_note))
        await pilot.press("T")
        assert isinstance(app.screen, TriageScreen)
        assert "data diversity matters" in note_of(app, "#triage-note").replace("*", "")
        await pilot.press("n")
        assert isinstance(app.screen, NoteEditor)
        await pilot.press("end", *" and scale", "escape")
        await pilot.pause()
        assert isinstance(app.screen, TriageScreen)
        assert "and scale" in note_of(app, "#triage-note")
        await pilot.press("t")
        assert isinstance(app.screen, TagEditor)
        await pilot.press(*" triaged", "enter")
        await pilot.pause()
        assert isinstance(app.screen, TriageScreen)
    disk = fresh(seed_library).papers[with_note.id]
    assert disk.note.rstrip().endswith("and scale")
    assert "triaged" in disk.tags


async def test_quitting_from_triage_reopens_on_the_paper_triage_showed(
    seed_library: Path, make_app: MakeApp,
) -> None:
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        listed = main(app)
        assert listed.view.key == "status:inbox"
        await pilot.press("g", "T", *["j"] * 5)
        screen = app.screen
        assert isinstance(screen, TriageScreen)
        assert text_of(app, "#triage-progress").startswith(f" Triage · 6 / {len(screen.paper_ids)}")
        shown = screen.paper_ids[5]
        under = listed.paper_list.current
        assert under is not None and under.id != shown  # the list's cursor stayed on the first paper underneath
        await pilot.press("q")
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert current_id(app) == shown
        # From a note editor opened in triage mode too: the place is the paper triage shows under it.
        await pilot.press("T", "j", "n")
        assert isinstance(app.screen, NoteEditor)
        shown = app.screen.paper_id
        await pilot.press("ctrl+q")
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert current_id(app) == shown


async def test_the_top_bar_counts_one_paper_as_one_paper(tmp_path: Path, make_app: MakeApp) -> None:
    path = build_library(tmp_path / "library.json", seeds=[SEEDS_DIR / "001_eaf0a1b246e94eca.txt"], limit=2)
    app = make_app(path)
    async with app.run_test(size=SIZE) as pilot:
        topbar = app.screen.query_one("#topbar", Static)
        assert "2 papers · 2 in inbox" in str(topbar.render())
        await pilot.press("D")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        line = str(topbar.render())
        assert "1 paper · 1 in inbox" in line and "1 papers" not in line, line


async def test_a_message_too_long_for_the_top_bar_ends_in_an_ellipsis(tmp_path: Path, make_app: MakeApp) -> None:
    path = tmp_path / "library.json"
    title = "SimpleToM: Exposing the Gap between Explicit ToM Inference and Implicit ToM Application in LLMs"
    ImportPapers([Paper.create(title=title, arxiv_id="2410.13648")], "test").execute(Library(path))
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        topbar = app.screen.query_one("#topbar", Static)
        await pilot.press("3", "u")
        line = str(topbar.render())
        assert line.startswith(" Inbox 1") and "Undid: rated 3 — “SimpleToM" in line
        assert line.endswith("…") and len(line) <= 80, line
        # Cut at a word break: the last word shown is a whole one.
        assert line[:-1].rstrip().split()[-1] in title.split()
        # With room the whole message shows, and nothing is cut.
        await pilot.resize_terminal(200, 30)
        await pilot.pause()
        line = str(topbar.render())
        assert line.rstrip().endswith(f"Undid: rated 3 — “{title}”") and "…" not in line


async def test_triage_keys_do_what_help_says_however_long_the_abstract(tmp_path: Path, make_app: MakeApp) -> None:
    path = tmp_path / "library.json"
    long_abstract = " ".join(f"Sentence {n} of a long abstract." for n in range(200))
    ImportPapers([Paper.create(title=f"Paper {n}", abstract=long_abstract, arxiv_id=f"2401.0000{n}")
                  for n in range(1, 4)], "test").execute(Library(path))
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("T")
        screen = app.screen
        assert isinstance(screen, TriageScreen)
        body = screen.query_one("#triage-body")
        await pilot.press("pagedown")
        assert body.scroll_y > 0 and screen.index == 0
        await pilot.press("pageup")
        assert body.scroll_y == 0
        # ↓ is "next paper", as documented, even when the abstract could scroll.
        await pilot.press("down")
        assert screen.index == 1
        await pilot.press("up")
        assert screen.index == 0
        await pilot.press("question_mark")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        rows = {row.keys: row.long for row in help_screen.rows}
    # One row per action, with every key triage mode gives it, worded like the list's help.
    keys = " ".join(rows).split()
    assert keys.count("pgdn") == 1 and keys.count("pgup") == 1, rows
    assert not {"Page Down", "Page Up"} & set(rows.values()), rows
    assert rows["space pgdn"] == "Scroll the abstract a page down"
    assert rows["shift+space pgup"] == "Scroll the abstract a page up"
    assert rows["↓ j →"] == "Next paper" and rows["↑ k ←"] == "Previous paper"


async def test_tagging_rating_or_noting_in_triage_keeps_the_abstract_where_it_was_read(
    tmp_path: Path, make_app: MakeApp,
) -> None:
    path = tmp_path / "library.json"
    long_abstract = " ".join(f"Sentence {n} of a long abstract." for n in range(200))
    ImportPapers([Paper.create(title=f"Paper {n}", abstract=long_abstract, arxiv_id=f"2401.0000{n}")
                  for n in range(1, 4)], "test").execute(Library(path))
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("T", "pagedown")
        screen = app.screen
        assert isinstance(screen, TriageScreen)
        body = screen.query_one("#triage-body")
        read_to = body.scroll_y
        assert read_to > 0
        await pilot.press("t", *"later", "enter")
        await pilot.pause()
        assert app.screen is screen and screen.index == 0
        assert body.scroll_y == read_to
        await pilot.press("4")
        await pilot.press("n", *"ok", "escape")
        await pilot.pause()
        assert app.screen is screen and body.scroll_y == read_to
        await pilot.press("j")  # another paper starts at the top
        assert screen.index == 1 and body.scroll_y == 0
    paper = fresh(path).papers[screen.paper_ids[0]]
    assert paper.tags == ["later"] and paper.rating == 4 and paper.note.strip() == "ok"


async def test_the_search_box_footer_spaces_keys_that_are_words(small_library: Path, make_app: MakeApp) -> None:
    from readlist.tui.widgets.footer import ReadlistFooter

    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.pause()
        footer = app.screen.query_one(ReadlistFooter)
        assert "JK Scroll text" in footer_text(app)  # one-letter keys run together, as Textual draws them
        await pilot.press("slash")
        await pilot.pause()
        await pilot.pause()
        assert footer.is_attached
        line = footer_text(app)
        assert "shift+↓ shift+↑ Scroll text" in line, line
        assert "Keep search as view" in line


def footer_text(app: ReadlistApp) -> str:
    """The footer's line as drawn: each key and label at the column the layout gave it."""
    from textual.widgets import Footer

    footer = app.screen.query_one(Footer)
    cells = [" "] * app.size.width
    for widget in footer.query("FooterKey, FooterLabel"):
        text = str(widget.render())
        x = widget.region.x
        cells[x:x + len(text)] = text
    return "".join(cells)


async def test_enter_opens_the_paper_under_the_cursor_full_screen(seed_library: Path, make_app: MakeApp) -> None:
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "j", "j")
        chosen = current_id(app)
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, TriageScreen)
        assert screen.paper_ids[screen.index] == chosen
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen) and current_id(app) == chosen
        # Enter that ends a search leaves the search box for the list; it opens nothing.
        await pilot.press("slash", *"year:2025", "enter")
        await pilot.pause(0.3)
        assert isinstance(app.screen, MainScreen)


async def test_the_delete_question_names_the_paper_as_the_list_shows_it(tmp_path: Path, make_app: MakeApp) -> None:
    from readlist.tui.screens.confirm import Confirm

    path = tmp_path / "library.json"
    ImportPapers([Paper.create(title=f"Scaling $\\alpha$-laws, part {n}", arxiv_id=f"2401.0000{n}")
                  for n in (1, 2)], "test").execute(Library(path))
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("D")
        assert isinstance(app.screen, Confirm)
        assert "Scaling α-laws" in text_of(app, "#confirm-question")
        assert text_of(app, "#confirm-detail").startswith("Its note, tags and rating go too")
        await pilot.press("n", "space", "space", "D")
        assert isinstance(app.screen, Confirm)
        assert text_of(app, "#confirm-detail").startswith("Their notes, tags and ratings go too")


async def test_tab_goes_between_the_list_and_the_search_box_only(small_library: Path, make_app: MakeApp) -> None:
    """Tab put the focus on the detail pane, then the sidebar, where the list's keys did nothing."""
    app = make_app(small_library)
    async with app.run_test(size=(120, 35)) as pilot:
        first = current_id(app)
        await pilot.press("tab")
        assert isinstance(app.focused, Input)
        await pilot.press("tab")
        assert app.focused is plist(app)
        await pilot.press("j")
        assert current_id(app) != first


async def test_a_message_that_fits_without_the_sort_is_shown_whole(seed_library: Path, make_app: MakeApp) -> None:
    """At 80 columns a long view name, its sort and a message do not fit together: the sort, back with the
    next key, gives way, rather than the message being cut to "50 papers most like…"."""
    app = make_app(seed_library)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = main(app)
        ids = tuple(p.id for p in plist(app).papers[:12])
        screen._show_like("≈ Benign Overfitting and Grokking…", ids)
        await pilot.pause()
        line = text_of(app, "#topbar")
        assert "12 papers most like it, closest first" in line and "sort:" not in line, line
        assert line.startswith(" ≈ Benign Overfitting") and len(line.rstrip()) <= 80
        await pilot.press("j")  # the message goes with the next move; the sort is back
        await pilot.pause()
        assert "sort: likeness" in text_of(app, "#topbar")


async def test_coming_back_to_a_view_finds_the_cursor_where_it_was(seed_library: Path, make_app: MakeApp) -> None:
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        assert main(app).view.key == "status:inbox"
        await pilot.press("j", "j", "j", "j", "j")
        chosen = current_id(app)
        await pilot.press("right_square_bracket")
        assert main(app).view.key != "status:inbox"
        await pilot.press("left_square_bracket")
        assert main(app).view.key == "status:inbox" and current_id(app) == chosen
        assert plist(app).cursor == 5
        # A paper that left the view meanwhile (skipped from another window, say) is not there to come back
        # to: the view opens at the top.
        await pilot.press("right_square_bracket")
        main(app).run_command(SetStatus([chosen], "skipped"))
        await pilot.pause()
        await pilot.press("left_square_bracket")
        assert main(app).view.key == "status:inbox" and plist(app).cursor == 0 and current_id(app) != chosen


def counting(monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], Callable[..., Any]]:
    """Record every count of the whole library and of the saved searches; and a recount that is not recorded."""
    from readlist.app import views as views_module
    from readlist.tui.screens import main as main_module

    counted: list[str] = []
    real_count, real_saved = main_module.count, views_module.Counts.count_saved
    monkeypatch.setattr(main_module, "count", lambda papers: counted.append("all") or real_count(papers))
    monkeypatch.setattr(views_module.Counts, "count_saved",
                        lambda self, *a, **k: counted.append("saved") or real_saved(self, *a, **k))

    def recount(papers: Any, views: Any) -> Any:
        counts = real_count(papers)
        real_saved(counts, views, papers)
        return counts

    return counted, recount


async def saved_search_then_inbox(pilot: Any, app: ReadlistApp, query: str, name: str) -> None:
    """Keep ``query`` as a view named ``name`` (so its count is among those checked), then show the Inbox."""
    await view_name_prompt(pilot, query)
    await pilot.press(*name, "enter")
    await pilot.pause()
    main(app).set_view_key("status:inbox")
    await pilot.pause()


def assert_counted_from_changes(app: ReadlistApp, counted: list[str], recount: Callable[..., Any]) -> None:
    """Nothing was counted again, and the counts, sidebar and list are what counting everything would give."""
    assert counted == []
    assert_as_recounted(app, recount)


def assert_as_recounted(app: ReadlistApp, recount: Callable[..., Any]) -> None:
    """The counts, the sidebar and the list are what counting and listing the whole library again gives."""
    screen = main(app)
    recounted = recount(app.session.library.papers.values(), screen.views)
    kept = screen.counts
    assert (kept.total, kept.by_status, kept.rated, kept.by_tag, kept.saved) == (
        recounted.total, recounted.by_status, recounted.rated, recounted.by_tag, recounted.saved)
    assert [v.key for v in screen.views][-len(recounted.by_tag):] == [f"tag:{t}" for t in recounted.by_tag]
    sidebar = screen.query_one(ViewSidebar)
    assert [sidebar.counts.for_view(v) for v in sidebar.views] == [recounted.for_view(v) for v in screen.views]
    expected = app.session.select(screen.view, screen._query, screen.effective_sort)
    assert [p.id for p in plist(app).papers] == [p.id for p in expected]


async def test_back_from_triage_counts_no_paper_again_and_the_counts_stay_right(
    seed_library: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Esc from triage mode adjusts the counts from the decisions made there (counting 100,000 papers again took
    0.3-0.5 s): they equal a recount, saved search and new tag included."""
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        await saved_search_then_inbox(pilot, app, "tag:generalization", "general")
        counted, recount = counting(monkeypatch)
        await pilot.press("T", "s", "x", "4", "t", *"generalization, triaged", "enter")
        await pilot.pause()
        await pilot.press("x", "u", "r", "5", "x")
        await pilot.pause()
        assert isinstance(app.screen, TriageScreen) and len(app.screen.decisions) == 6
        await pilot.press("escape")
        await pilot.pause()
        assert main(app).counts.by_tag.get("triaged") == 1
        assert_counted_from_changes(app, counted, recount)
        await pilot.press("T", "escape")  # nothing decided: nothing to adjust
        await pilot.pause()
        assert_counted_from_changes(app, counted, recount)


async def test_back_from_the_note_editor_counts_no_paper_again_and_the_counts_stay_right(
    seed_library: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Closing the note editor adjusts the counts from the note saved (counting 100,000 papers again took
    0.3-0.5 s): a saved search of noted papers gains the paper, and the cursor stays on it."""
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        await saved_search_then_inbox(pilot, app, "is:noted", "noted")
        await pilot.press("j", "j")
        paper = plist(app).current
        assert paper is not None
        counted, recount = counting(monkeypatch)
        before = recount(app.session.library.papers.values(), main(app).views).saved
        await pilot.press("n", *"worth a second look", "escape")
        await pilot.pause()
        assert Library(seed_library).papers[paper.id].note == "worth a second look"
        assert main(app).counts.saved != before
        assert_counted_from_changes(app, counted, recount)
        assert plist(app).current is not None and plist(app).current.id == paper.id
        await pilot.press("n", "escape")  # nothing written: nothing to adjust
        await pilot.pause()
        assert_counted_from_changes(app, counted, recount)


async def test_a_change_by_another_process_is_counted_from_the_papers_it_touched(
    seed_library: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another process's changes adjust the counts from the papers its journal lines touched, whether the app
    looks for them or a key brings them in; only a library read again whole is counted again."""
    from readlist.app.commands import Delete, EditTags, Rate

    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        await saved_search_then_inbox(pilot, app, "tag:generalization", "general")
        counted, recount = counting(monkeypatch)
        other = Library(seed_library)  # as another process holds it
        ids = sorted(other.papers)
        SetStatus(ids[5:8], "skipped").execute(other)
        EditTags(ids[6:9], add=["generalization", "elsewhere"]).execute(other)
        EditTags(ids[0:2], remove=["generalization"]).execute(other)
        Rate(ids[9:11], 5).execute(other)
        SetStatus(ids[9:10], "read").execute(other)
        Delete([ids[12], ids[1]]).execute(other)
        new = Paper.create(title="A paper added elsewhere", authors=["Ada Lovelace"], tags=["elsewhere"])
        ImportPapers([new], "elsewhere.txt").execute(other)
        app.poll_library()
        await pilot.pause()
        assert main(app).counts.by_tag["elsewhere"] == 4
        assert_counted_from_changes(app, counted, recount)
        # Changes a key of the app brings in, the library catching up before it writes.
        SetStatus(ids[13:16], "read").execute(other)
        EditTags(ids[14:15], add=["generalization"]).execute(other)
        await pilot.press("s")
        await pilot.pause()
        assert_counted_from_changes(app, counted, recount)
        # A library written again whole by another process is read whole: only then is it counted again.
        SetStatus(ids[16:17], "to-read").execute(other)
        other.compact(force=True)
        app.poll_library()
        await pilot.pause()
        assert counted == ["all", "saved"]
        assert_as_recounted(app, recount)


async def test_closing_the_note_editor_says_the_note_was_saved_only_when_it_changed(
    small_library: Path, make_app: MakeApp,
) -> None:
    """Every other change says what it did and that u undoes it; a note typed and left with Esc says so too, in the
    list's top bar and in triage mode. A note opened and left untouched says nothing."""
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, NoteEditor)
        await pilot.press("escape")  # nothing typed
        await pilot.pause()
        assert "Note saved" not in text_of(app, "#topbar")
        await pilot.press("n", "h", "e", "l", "l", "o", "escape")
        await pilot.pause()
        assert "Note saved (u undoes)" in text_of(app, "#topbar")
        await pilot.press("u")
        await pilot.pause()
        assert "Undid: note edited" in text_of(app, "#topbar")
        await pilot.press("T", "n", "h", "i", "escape")
        await pilot.pause()
        assert isinstance(app.screen, TriageScreen)
        assert any("Note saved (u undoes)" in str(n.message) for n in app._notifications)


async def test_toggling_read_says_which_way_the_paper_went(small_library: Path, make_app: MakeApp) -> None:
    """r marks a paper read in the Inbox and sends it back from the Read view: the top bar says which it did."""
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r")
        await pilot.pause()
        assert "Marked read: 1 paper (u undoes)" in text_of(app, "#topbar")
        await pilot.press("right_square_bracket", "right_square_bracket", "right_square_bracket")
        await pilot.pause()
        assert main(app).view.key == "status:read"
        await pilot.press("r")
        await pilot.pause()
        assert "Back to Inbox: 1 paper (u undoes)" in text_of(app, "#topbar")
        await pilot.press("u")
        await pilot.pause()
        assert "Undid: back to inbox" in text_of(app, "#topbar")


async def test_first_and_last_keys_work_in_triage_mode_help_and_statistics(
    small_library: Path, make_app: MakeApp,
) -> None:
    """g, G, Home and End go to the first and last paper in the list; in triage mode they go to the first and last
    paper of the pile, and in the help and the statistics, which scroll, to the top and the bottom."""
    from textual.containers import VerticalScroll

    from readlist.tui.screens.stats import StatsScreen

    app = make_app(small_library)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("T", "G")
        await pilot.pause()
        assert isinstance(app.screen, TriageScreen)
        assert "Triage · 12 / 12" in text_of(app, "#triage-progress")
        await pilot.press("g")
        assert "Triage · 1 / 12" in text_of(app, "#triage-progress")
        await pilot.press("end")
        assert "Triage · 12 / 12" in text_of(app, "#triage-progress")
        await pilot.press("home", *["j"] * 12)  # past every paper: the summary
        assert isinstance(app.screen, TriageScreen) and app.screen.done
        await pilot.press("home")  # from the summary too
        assert "Triage · 1 / 12" in text_of(app, "#triage-progress")
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert any("First paper of the pile" in row.long for row in app.screen.rows)
        for body, top, bottom in (("#help-body", "g", "G"), ("#help-body", "home", "end")):
            scroll = app.screen.query_one(body, VerticalScroll)
            assert scroll.max_scroll_y > 0
            await pilot.press(bottom)
            await pilot.pause()
            assert scroll.scroll_y == scroll.max_scroll_y
            await pilot.press(top)
            await pilot.pause()
            assert scroll.scroll_y == 0
        await pilot.press("escape", "escape", "S")
        await pilot.pause(0.5)
        assert isinstance(app.screen, StatsScreen)
        scroll = app.screen.query_one("#stats-body", VerticalScroll)
        assert scroll.max_scroll_y > 0
        await pilot.press("G")
        await pilot.pause()
        assert scroll.scroll_y == scroll.max_scroll_y
        await pilot.press("home")
        await pilot.pause()
        assert scroll.scroll_y == 0


async def test_q_closes_a_dialog_without_a_text_box_as_esc_does(small_library: Path, make_app: MakeApp) -> None:
    """q quits from every screen, and goes back from the help and the statistics; from the delete question and the
    citation formats it did nothing. It closes them, answering no and copying nothing. In a text box it types."""
    from readlist.tui.screens.confirm import Confirm

    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        before = len(plist(app).papers)
        await pilot.press("D")
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen) and not app.quitting
        assert len(plist(app).papers) == before and len(fresh(small_library).papers) == before
        await pilot.press("Y")
        await pilot.pause()
        assert isinstance(app.screen, CiteChooser)
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen) and not app.quitting
        assert "Copied" not in text_of(app, "#topbar")
        await pilot.press("t", "q")
        await pilot.pause()
        assert isinstance(app.screen, TagEditor)
        assert app.screen.query_one(Input).value.endswith("q")


@pytest.mark.parametrize(("typed", "showing"), [("x --term", "showing “x -”"), ("status:bogus", "not applied")])
async def test_a_search_that_does_not_read_is_said_beside_the_count_it_does_not_have(
    small_library: Path, make_app: MakeApp, typed: str, showing: str,
) -> None:
    """The list keeps what the last search that reads found, and its count; the top bar says that count is not the
    search typed's, and which search it is, until the search reads again."""
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *typed)
        await pilot.pause(0.3)
        assert app.screen.query_one("#query-error", Static).display
        line = text_of(app, "#topbar")
        assert f"Inbox {len(plist(app).papers)} ⚠ search not valid, {showing}" in line, line
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert "search not valid" in text_of(app, "#topbar")
        await pilot.press("escape")  # clears it
        await pilot.pause(0.3)
        assert "search not valid" not in text_of(app, "#topbar")
        await pilot.press("slash", *typed, "ctrl+u", "x")
        await pilot.pause(0.3)
        assert "search not valid" not in text_of(app, "#topbar")


async def test_the_first_session_in_the_readme_says_where_keep_moves_the_cursor_on(
    small_library: Path, make_app: MakeApp,
) -> None:
    """s moves on by itself in the Inbox, which the paper leaves; in a view the paper stays in (All) the cursor stays
    on it. The README's first session says which, not that the cursor always moves on."""
    readme = (Path(__file__).parent.parent.parent / "README.md").read_text(encoding="utf-8")
    step = readme[readme.index("2. **Triage.**"):readme.index("3. **Read and annotate.**")]
    step = " ".join(step.split())
    assert "the cursor moves on by itself" not in step
    assert "it leaves the Inbox and the cursor is on the next paper" in step
    assert "in a view the paper stays in, such as *All*, the cursor stays on it" in step
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        papers = list(plist(app).papers)
        await pilot.press("s")
        await pilot.pause()
        assert current_id(app) == papers[1].id
        for _ in range(5):
            await pilot.press("right_square_bracket")
        await pilot.pause()
        assert main(app).view.key == "all"
        await pilot.press("j", "x")
        await pilot.pause()
        assert current_id(app) == plist(app).papers[1].id and plist(app).papers[1].status == "skipped"


async def test_tags_keep_a_little_room_beside_a_long_title_in_the_side_by_side_layout(
    seed_library: Path, make_app: MakeApp,
) -> None:
    """At 160 columns, side by side, a long title took the whole row and its tags were never seen (stacked, they
    were). The tags keep a little room: the title is cut first, down to what a title always keeps; tags that do not
    fit whole are counted (+1)."""
    from readlist.tui.widgets.paper_list import TITLE_MINIMUM

    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        main(app).set_view_key("all")
        await pilot.pause()
        assert not main(app).has_class("-stacked")
        papers = plist(app)
        width = papers.scrollable_content_region.width
        tagged = [p for p in papers.papers if p.tags]
        assert len(tagged) == 4
        for paper in tagged:
            row = papers.row_text(paper, width).plain
            assert "#generalization" in row, row
            if paper.tags == ["generalization", "llm"]:
                assert row.rstrip().endswith(("#generalization #llm", "#generalization +1")), row
            title_shown = row[10:row.index("  #")]
            assert title_shown == paper.title or (title_shown.endswith("…") and len(title_shown) >= TITLE_MINIMUM)
        await pilot.press("L")  # stacked: the wider list shows more of the title and the tags
        await pilot.pause()
        wider = papers.scrollable_content_region.width
        assert wider > width
        for paper in tagged:
            assert "#generalization" in papers.row_text(paper, wider).plain


@pytest.mark.parametrize("width", [80, 100])
async def test_a_view_name_with_wide_characters_is_cut_cleanly_in_a_narrow_sidebar(
    seed_library: Path, make_app: MakeApp, width: int,
) -> None:
    """Cut by Rich's ellipsis, ``Reasoning 🧠 推理`` read ``Reasoning 🧠  … 32``: the cell an emoji or CJK character no
    longer fits in became a second space."""
    from click.testing import CliRunner

    from readlist.cli import main as cli

    added = CliRunner().invoke(cli, ["--db", str(seed_library), "view", "add", "Reasoning 🧠 推理 Papers", "reason"])
    assert added.exit_code == 0, added.output
    app = make_app(seed_library)
    async with app.run_test(size=(width, 30)) as pilot:
        await pilot.pause()
        lines = str(app.screen.query_one(ViewSidebar).render()).splitlines()
        (line,) = [line for line in lines if line.lstrip().startswith("Reasoning")]
        label = line.strip().rsplit(" ", 1)[0].rstrip()
        assert label.endswith("…") and "  " not in label and " …" not in label, line


async def test_removing_a_saved_view_asks_first_and_names_its_search(
    small_library: Path, make_app: Callable[..., ReadlistApp]
) -> None:
    """The palette's *Remove view* forgot a saved search at once, and undo (which is for papers) then undid an
    earlier change to papers instead. It asks first, saying undo will not bring it back, and names the search."""
    from readlist.config.settings import save_view
    from readlist.tui.screens.confirm import Confirm
    from readlist.tui.widgets.sidebar import ViewSidebar

    save_view("mine", "rating>=4")
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        for answer in ("n", "y"):
            await pilot.press("ctrl+p", *"Remove view: mine")
            await pilot.pause(0.5)
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, Confirm)
            assert "Undo does not bring a view back" in app.screen.detail and "rating>=4" in app.screen.detail
            await pilot.press(answer)
            await pilot.pause()
            labels = [view.label for view in screen.query_one(ViewSidebar).views]
            assert ("mine" in labels) == (answer == "n")
            assert ("mine" in load_config().views) == (answer == "n")
        assert "Removed the view “mine” (rating>=4)" in str(screen.query_one("#topbar", Static).render())
