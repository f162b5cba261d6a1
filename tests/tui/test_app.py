"""Pilot tests: press the real keys, then check the library file as a fresh process would read it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandPalette
from textual.widgets import Input, Markdown, Static
from textual.widgets._footer import FooterKey
from tui_helpers import SIZE, burst, closed, fresh, settle

from readlist.app import clipboard
from readlist.app.browser import Opened
from readlist.app.commands import EditTags, SetStatus
from readlist.app.notes import SaveNote
from readlist.core.model import Paper, Status
from readlist.tui.app import ReadlistApp
from readlist.tui.screens import base as base_screen
from readlist.tui.screens.confirm import Confirm
from readlist.tui.screens.help import HelpScreen, bindings_table
from readlist.tui.screens.main import MainScreen
from readlist.tui.screens.note_editor import NoteEditor
from readlist.tui.screens.tags import TagEditor
from readlist.tui.screens.triage import TriageScreen
from readlist.tui.widgets.paper_list import PaperList

MakeApp = Callable[..., ReadlistApp]


def main_screen(app: ReadlistApp) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen)
    return screen


def plist(app: ReadlistApp) -> PaperList:
    return app.screen.query_one(PaperList)


def static_text(widget: Static) -> str:
    return str(widget.render())


async def test_keep_moves_on_in_the_inbox_and_is_saved(small_library: Path, make_app: MakeApp) -> None:
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        papers = list(plist(app).papers)
        assert len(papers) == 12
        await pilot.press("s")
        # The kept paper leaves the inbox and the cursor is on the paper that followed it.
        assert plist(app).current is not None
        assert plist(app).current.id == papers[1].id
        assert len(plist(app).papers) == 11
        await pilot.press("x")
        await pilot.press("R")
    disk = fresh(small_library)
    assert disk.papers[papers[0].id].status == "to-read"
    assert disk.papers[papers[1].id].status == "skipped"
    assert disk.papers[papers[2].id].status == "reading"
    assert disk.papers[papers[3].id].status == "inbox"


async def test_toggle_read_goes_back_to_the_previous_status(small_library: Path, make_app: MakeApp) -> None:
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("right_square_bracket")  # To read (empty)
        await pilot.press("right_square_bracket", "right_square_bracket", "right_square_bracket",
                          "right_square_bracket")  # All
        assert main_screen(app).view.key == "all"
        first = plist(app).current
        assert first is not None
        await pilot.press("R", "r")
        assert fresh(small_library).papers[first.id].status == "read"
        assert fresh(small_library).papers[first.id].read_at is not None
        await pilot.press("r")
        assert fresh(small_library).papers[first.id].status == "reading"
        assert fresh(small_library).papers[first.id].read_at is None


async def test_ratings_and_clearing(small_library: Path, make_app: MakeApp) -> None:
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        ids = [p.id for p in plist(app).papers]
        for key in "12345":
            await pilot.press(key, "j")
        await pilot.press("k", "0")
    disk = fresh(small_library)
    assert [disk.papers[i].rating for i in ids[:5]] == [1, 2, 3, 4, 0]
    assert disk.papers[ids[5]].rating == 0


async def test_undo_redo_bulk_selection(small_library: Path, make_app: MakeApp) -> None:
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        ids = [p.id for p in plist(app).papers]
        # space selects and moves down: select the first three papers, then skip them all at once.
        await pilot.press("space", "space", "space")
        assert plist(app).selected == set(ids[:3])
        await pilot.press("x")
        assert plist(app).selected == set()
        disk = fresh(small_library)
        assert [disk.papers[i].status for i in ids[:4]] == ["skipped", "skipped", "skipped", "inbox"]
        await pilot.press("4")  # rate the paper now under the cursor
        await pilot.press("u")
        assert fresh(small_library).papers[ids[3]].rating == 0
        await pilot.press("u")
        disk = fresh(small_library)
        assert [disk.papers[i].status for i in ids[:3]] == ["inbox"] * 3
        assert len(plist(app).papers) == 12
        await pilot.press("ctrl+r")
        disk = fresh(small_library)
        assert [disk.papers[i].status for i in ids[:3]] == ["skipped"] * 3
        await pilot.press("ctrl+r")
        assert fresh(small_library).papers[ids[3]].rating == 4
        await pilot.press("u", "u", "u")  # one more undo than there are steps: harmless
        disk = fresh(small_library)
        assert all(disk.papers[i].status == "inbox" and disk.papers[i].rating == 0 for i in ids)


async def test_ctrl_a_selects_every_paper_the_list_shows_and_again_none(small_library: Path, make_app: MakeApp) -> None:
    from textual.widgets import Input

    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        ids = [p.id for p in plist(app).papers]
        await pilot.press("ctrl+a")
        assert plist(app).selected == set(ids)
        assert "12 selected" in static_text(app.screen.query_one("#topbar", Static))
        await pilot.press("ctrl+a")
        assert plist(app).selected == set()
        # With a search, "every paper the list shows" is the papers found.
        app.screen.query_one("#search", Input).value = f"id:{ids[1]} OR id:{ids[4]}"
        for _ in range(5):
            await pilot.pause()
        assert [p.id for p in plist(app).papers] == [ids[1], ids[4]]
        plist(app).focus()
        await pilot.press("ctrl+a", "x")
        disk = fresh(small_library)
        assert [pid for pid in ids if disk.papers[pid].status == "skipped"] == [ids[1], ids[4]]


async def test_selecting_in_an_empty_list_says_there_is_nothing_to_select(
    small_library: Path, make_app: MakeApp
) -> None:
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        main_screen(app).set_view_key("status:reading")  # nothing in it
        await pilot.pause()
        assert plist(app).papers == []
        # The detail pane does not speak of a selection either (space selects papers).
        assert static_text(app.screen.query_one("#detail-header", Static)) == "No paper to show."
        for key in ("space", "ctrl+a"):
            app.clear_notifications()
            await pilot.press(key)
            await pilot.pause()
            assert [n.message for n in app._notifications] == ["No paper here to select."], key
            assert plist(app).selected == set()


async def test_undo_restores_read_at_and_previous_status(small_library: Path, make_app: MakeApp) -> None:
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        first = plist(app).current
        assert first is not None
        await pilot.press("r")
        assert fresh(small_library).papers[first.id].status == "read"
        await pilot.press("u")
        paper = fresh(small_library).papers[first.id]
        assert (paper.status, paper.read_at) == ("inbox", None)
        assert plist(app).current is not None and plist(app).current.id == first.id
        # The message names the paper: it may have left the view, and nothing else on screen says which it was.
        bar = static_text(app.screen.query_one("#topbar", Static))
        assert "Undid: " in bar and first.title[:30] in bar
        await pilot.press("ctrl+r")
        assert "Redid: " in static_text(app.screen.query_one("#topbar", Static))


async def test_undo_in_triage_names_what_it_undid_even_outside_the_triage(
    small_library: Path, make_app: MakeApp
) -> None:
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        first = plist(app).papers[0]
        await pilot.press("x")  # a change made before triage, on a paper that leaves the view triaged below
        await pilot.press("T")
        screen = app.screen
        assert isinstance(screen, TriageScreen) and first.id not in screen.paper_ids
        await pilot.press("u")
        await pilot.pause()
        messages = [str(n.message) for n in app._notifications]
        assert any(m.startswith("Undid: ") and first.title[:20] in m for m in messages), messages
        assert fresh(small_library).papers[first.id].status == "inbox"


async def test_a_triage_decision_undo_left_alone_still_counts(small_library: Path, make_app: MakeApp) -> None:
    """Another terminal changed the paper after it was kept here: u leaves it, so the summary still counts it."""
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("T")
        screen = app.screen
        assert isinstance(screen, TriageScreen)
        first = screen.paper_ids[0]
        await pilot.press("s")
        await pilot.pause()
        SetStatus([first], "read").execute(fresh(small_library))
        await pilot.press("u")
        await pilot.pause()
        messages = [str(n.message) for n in app._notifications]
        assert any(m.startswith("Nothing undone: ") for m in messages), messages
        assert screen.tally()["kept"] == 1
        assert fresh(small_library).papers[first].status == "read"


async def test_leaving_triage_puts_the_cursor_on_the_paper_it_showed(small_library: Path, make_app: MakeApp) -> None:
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        ids = [p.id for p in plist(app).papers]
        await pilot.press("j", "T", "x", "j", "j")  # one decided, two passed over: triage shows the fifth paper
        screen = app.screen
        assert isinstance(screen, TriageScreen) and screen.paper_ids[screen.index] == ids[4]
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
        current = plist(app).current
        assert current is not None and current.id == ids[4]


async def test_triage_mode_advances_and_summarises(small_library: Path, make_app: MakeApp) -> None:
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        ids = [p.id for p in plist(app).papers]
        await pilot.press("T")
        screen = app.screen
        assert isinstance(screen, TriageScreen)
        assert "1 / 12" in static_text(screen.query_one("#triage-progress", Static))
        await pilot.press("s")
        assert "2 / 12" in static_text(screen.query_one("#triage-progress", Static))
        await pilot.press("4", "x")  # rating stays on the paper, skip advances
        assert screen.index == 2
        await pilot.press("x", "u")  # undo goes back to the undone paper
        assert screen.index == 2
        await pilot.press("R", "r")
        for _ in range(8):
            await pilot.press("x")
        assert screen.done
        summary = static_text(screen.query_one("#triage-summary", Static))
        assert "kept     1" in summary
        assert "skipped  9" in summary
        assert "reading  1" in summary
        assert "read     1" in summary
        assert "rated    1" in summary
        # The summary is about no paper: the keys that act on one leave the footer and do nothing.
        await pilot.pause()
        footer = {key.action for key in screen.query(FooterKey)}
        assert {"help", "back", "undo"} <= footer, footer
        assert not {a for a in footer if "decide" in a or a.endswith(("note", "tags"))}, footer
        await pilot.press("s", "n")
        assert isinstance(app.screen, TriageScreen) and screen.done
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
        assert plist(app).papers == []  # the inbox is empty now
    disk = fresh(small_library)
    assert disk.papers[ids[0]].status == "to-read"
    assert (disk.papers[ids[1]].status, disk.papers[ids[1]].rating) == ("skipped", 4)
    assert disk.papers[ids[2]].status == "reading"
    assert disk.papers[ids[3]].status == "read"


async def test_note_editor_saves_on_escape_and_undo_reverts(small_library: Path, make_app: MakeApp) -> None:
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        paper = plist(app).current
        assert paper is not None
        await pilot.press("n")
        assert isinstance(app.screen, NoteEditor)
        await pilot.press(*"# Idea", "enter", *"try *this*")
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
        assert fresh(small_library).papers[paper.id].note == "# Idea\ntry *this*"
        await pilot.pause()
        assert app.screen.query_one("#detail-note").display
        await pilot.press("u")
        assert fresh(small_library).papers[paper.id].note == ""


async def test_first_note_shows_at_once_and_becomes_markdown(small_library: Path, make_app: MakeApp) -> None:
    lib = fresh(small_library)
    app = make_app(small_library)
    async with app.run_test(size=SIZE):
        paper = plist(app).current
        assert paper is not None
    SaveNote(paper.id, "A **bold** idea").execute(lib)
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        note = app.screen.query_one("#detail-note")
        assert isinstance(note, Markdown) and note.display
        shown = app.export_screenshot().replace("&#160;", " ")
        assert "bold" in shown and "**bold**" not in shown  # rendered, not the Markdown source
    # Quitting before the first note has become Markdown ends cleanly.
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
    assert not app.return_code


async def test_keys_typed_after_q_do_not_act_on_the_closing_app(small_library: Path, make_app: MakeApp) -> None:
    """``qt`` in one burst: the tag box opened on an app that was closing and crashed it (exit status 1)."""
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        paper = plist(app).current
        assert paper is not None
        burst(app, "4qtx")
        await settle(pilot)
    assert not app.return_code and app._exception is None
    kept = fresh(small_library).papers[paper.id]
    assert kept.rating == 4 and kept.status != "skipped"  # typed before q: done; after it: not


async def test_note_autosaves_while_typing(
    small_library: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("readlist.tui.screens.note_editor.AUTOSAVE_SECONDS", 0.2)
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        paper = plist(app).current
        assert paper is not None
        await pilot.press("n", *"draft")
        await pilot.pause(0.5)
        # Still in the editor, and the text is already on disk.
        assert isinstance(app.screen, NoteEditor)
        assert fresh(small_library).papers[paper.id].note == "draft"
        await pilot.press(*" two")
        await app.action_quit()
    assert fresh(small_library).papers[paper.id].note == "draft two"


async def test_tags_with_completion(seed_library: Path, make_app: MakeApp) -> None:
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        paper = plist(app).current
        assert paper is not None and paper.tags == []
        await pilot.press("t")
        assert isinstance(app.screen, TagEditor)
        await pilot.press(*"gen")
        await pilot.pause()
        await pilot.press("tab", "l")
        await pilot.pause()
        await pilot.press("tab", *"New Idea")
        tag_input = app.screen.query_one("#tag-input", Input)
        assert tag_input.value == "generalization, llm, New Idea"
        await pilot.press("enter")
        assert isinstance(app.screen, MainScreen)
    assert fresh(seed_library).papers[paper.id].tags == ["generalization", "idea", "llm", "new"]


@pytest.mark.parametrize("in_triage", [False, True], ids=["list", "triage"])
async def test_quitting_with_tags_typed_in_the_box_keeps_them(
    seed_library: Path, make_app: MakeApp, in_triage: bool
) -> None:
    """ctrl+q with the tag box open left at once and the tags typed were gone, without a word."""
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        paper = plist(app).current
        assert paper is not None and paper.tags == []
        if in_triage:
            await pilot.press("T")
            await pilot.pause()
        await pilot.press("t")
        assert isinstance(app.screen, TagEditor)
        await pilot.press(*"kept", "ctrl+q")
        await closed(app)
    assert fresh(seed_library).papers[paper.id].tags == ["kept"]


async def test_typing_a_search_ends_the_last_actions_message(seed_library: Path, make_app: MakeApp) -> None:
    """"Tags changed on 1 paper (u undoes)" stayed beside the results of 15 keys of a search."""
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t", *"fresh", "enter")
        await pilot.pause()
        topbar = app.screen.query_one("#topbar", Static)
        assert "Tags changed on 1 paper" in str(topbar.render())
        await pilot.press("/", *"gen")
        await pilot.pause()
        assert "Tags changed" not in str(topbar.render()) and "sort:" in str(topbar.render())


async def test_tags_on_a_selection_add_and_remove(seed_library: Path, make_app: MakeApp) -> None:
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        main_screen(app).set_view_key("status:to-read")
        await pilot.pause()
        ids = [p.id for p in plist(app).papers]
        assert len(ids) == 3
        await pilot.press("space", "space", "space", "t", *"fresh -generalization", "enter")
    disk = fresh(seed_library)
    for pid in ids:
        assert "fresh" in disk.papers[pid].tags
        assert "generalization" not in disk.papers[pid].tags


async def test_search_filters_as_you_type_and_escape_clears(seed_library: Path, make_app: MakeApp) -> None:
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        main_screen(app).set_view_key("all")
        await pilot.pause()
        total = len(plist(app).papers)
        await pilot.press("slash", *"tag:generalization")
        await pilot.pause(0.3)
        found = plist(app).papers
        assert 0 < len(found) < total
        assert all("generalization" in p.tags for p in found)
        await pilot.press("escape")
        await pilot.pause(0.3)
        assert app.focused is plist(app)
        assert len(plist(app).papers) == total
        assert app.screen.query_one("#search", Input).value == ""


async def test_search_combines_with_the_view(seed_library: Path, make_app: MakeApp) -> None:
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        main_screen(app).set_view_key("status:to-read")
        await pilot.press("slash", *"tag:llm", "enter")
        await pilot.pause(0.3)
        assert len(plist(app).papers) == 1
        assert app.focused is plist(app)


async def test_bad_query_shows_the_error_inline(seed_library: Path, make_app: MakeApp) -> None:
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        main_screen(app).set_view_key("all")
        await pilot.press("slash", *"tag:llm")
        await pilot.pause(0.3)
        assert len(plist(app).papers) == 1
        await pilot.press(*" rating>=many")
        await pilot.pause(0.3)
        error = app.screen.query_one("#query-error", Static)
        assert error.display
        assert "needs a number" in static_text(error)
        assert len(plist(app).papers) == 1  # the last good search still applies
        await pilot.press("escape")
        await pilot.pause(0.3)
        assert not error.display


async def test_help_lists_the_keys_of_the_current_screen(seed_library: Path, make_app: MakeApp) -> None:
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        table = {(row.keys, row.description) for row in app.screen.rows}
        for expected in [("s", "Keep"), ("x", "Skip"), ("u", "Undo"), ("S", "Stats"),
                         ("Y", "Cite as…"), ("space", "Select")]:
            assert expected in table
        # One row per binding: Enter opens triage mode too, but on the paper full-screen, and its row says so.
        assert ("T", "Triage") in table and ("⏎", "Open") in table
        assert any("q" in row.keys.split() and row.description == "Quit" for row in app.screen.rows)
        assert any(row.description == "Rate 3" for row in app.screen.rows)
        # In the documented order (docs/tui.md): ? and the decisions first, the moves after the search, quit last;
        # Textual's own order put the focused list's ↑ ↓ home end first.
        order = [row.description for row in app.screen.rows]
        assert order[:3] == ["Help", "Keep", "Skip"] and order[-1] in ("Quit", "palette")
        assert order.index("Search") < order.index("Down") and order.index("Quit") >= len(order) - 2
        await pilot.press("escape")
        await pilot.press("T", "question_mark")
        assert isinstance(app.screen, HelpScreen)
        descriptions = {row.description for row in app.screen.rows}
        assert "Back" in descriptions and "Search" not in descriptions
        assert "Tags" in descriptions and "Note" in descriptions  # n and t work in triage mode too


async def test_help_scrolls_with_the_lists_keys_on_a_small_terminal(seed_library: Path, make_app: MakeApp) -> None:
    from textual.containers import VerticalScroll

    app = make_app(seed_library)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        body = app.screen.query_one("#help-body", VerticalScroll)
        assert body.max_scroll_y > 0  # longer than the screen
        await pilot.press("j", "down")
        await pilot.pause()
        assert body.scroll_y > 0
        await pilot.press("k", "up")
        await pilot.pause()
        assert body.scroll_y == 0


async def test_keymap_from_config_remaps_and_help_follows(
    small_library: Path, make_app: MakeApp, _private_config: Path
) -> None:
    """An entry adds keys; `-key` removes a default one when the user asks for it."""
    _private_config.write_text('[keymap]\nkeep = "w, -s"\n', encoding="utf-8")
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        first = plist(app).current
        assert first is not None
        await pilot.press("s")  # removed, as asked
        assert fresh(small_library).papers[first.id].status == "inbox"
        await pilot.press("w")
        assert fresh(small_library).papers[first.id].status == "to-read"
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert ("w", "Keep") in {(r.keys, r.description) for r in app.screen.rows}
        # Triage's key line follows too: it is made from the keys as mapped, not fixed text.
        await pilot.press("escape", "T")
        assert isinstance(app.screen, TriageScreen)
        line = static_text(app.screen.query_one("#triage-progress", Static))
        assert "w keep" in line and "s keep" not in line and "x skip" in line and "Esc back" in line


async def test_the_footer_and_help_keep_their_order_when_keys_are_remapped(
    small_library: Path, make_app: MakeApp, _private_config: Path
) -> None:
    """Remapping Keep and Skip used to move them to the end of the footer, after Quit, and of the help; the order
    is the one the keys are declared in, remapped or not, on the list and in triage mode."""

    async def orders(app: ReadlistApp, pilot: Any) -> list[tuple[list[str], list[str]]]:
        seen = []
        for key in ("", "T"):
            if key:
                await pilot.press(key)
            await pilot.pause(0.3)
            footer = [k.description for k in app.screen.query(FooterKey) if k.description]
            seen.append((footer, [row.description for row in bindings_table(app, app.screen)]))
        return seen

    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        shipped = await orders(app, pilot)
    _private_config.write_text('[keymap]\nkeep = "a"\nskip = "d, -x"\n', encoding="utf-8")
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        remapped = await orders(app, pilot)
    assert shipped[0][0][:3] == ["Help", "Keep", "Skip"] and shipped[0][0][-2:] == ["Quit", "palette"]
    assert remapped == shipped


async def test_the_readme_keymap_example_keeps_s_and_reports_the_clash(
    small_library: Path, make_app: MakeApp, _private_config: Path
) -> None:
    """`keep = "k"`: k already moves up, so Keep keeps s and the clash is reported at start."""
    _private_config.write_text('[keymap]\nkeep = "k"\nkepe = "q"\nskip = "d"\n', encoding="utf-8")
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any("'k' already means Up on the paper list" in m and "Keep keeps s" in m for m in messages)
        assert any("no action 'kepe'" in m for m in messages)
        papers = list(plist(app).papers)
        await pilot.press("j", "k")  # k still moves up
        assert plist(app).current is not None and plist(app).current.id == papers[0].id
        await pilot.press("s", "d")  # s still keeps; d now skips as well as x
        disk = fresh(small_library).papers
        assert disk[papers[0].id].status == "to-read" and disk[papers[1].id].status == "skipped"


async def test_a_key_written_as_its_character_clashes_as_its_name_does(
    small_library: Path, make_app: MakeApp, _private_config: Path
) -> None:
    """`stats = "?"` took Help's key without a word (`stats = "question_mark"` was refused): ? opened the statistics
    and Help was gone from the footer and the palette."""
    from readlist.tui.screens.stats import StatsScreen

    _private_config.write_text('[keymap]\nstats = "?"\n', encoding="utf-8")
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.3)
        messages = [n.message for n in app._notifications]
        assert any("stats: '?' already means Help on the paper list" in m and "Stats keeps S" in m for m in messages)
        assert "Help" in [k.description for k in app.screen.query(FooterKey)]
        assert "Help" in {command.title for command in app.get_system_commands(app.screen)}
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape", "S")
        assert isinstance(app.screen, StatsScreen)


async def test_a_key_with_no_name_is_reported_and_not_bound(
    small_library: Path, make_app: MakeApp, _private_config: Path
) -> None:
    """`keep = "w, banana"` gave Keep a key no terminal sends, without a word; an unknown action is reported."""
    _private_config.write_text('[keymap]\nkeep = "w, banana"\nskip = "-ctrl+nothing"\n', encoding="utf-8")
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.3)
        messages = [n.message for n in app._notifications]
        (banana,) = [m for m in messages if "'banana'" in m]
        assert banana.startswith("[keymap] keep: 'banana' is no key") and "ctrl+s" in banana
        assert any(m.startswith("[keymap] skip: 'ctrl+nothing' is no key") for m in messages)
        assert "banana" not in app._keymap.get("keep", "")
        first = plist(app).current
        assert first is not None
        await pilot.press("w")  # the key that is one was given
        assert fresh(small_library).papers[first.id].status == "to-read"


def test_every_key_as_shipped_is_a_key_by_the_name_textual_gives_it() -> None:
    """The names the keymap checks a user's keys against hold every key the app ships with, spelled as is."""
    from textual.binding import Binding

    from readlist.tui.keymap import SCREENS, key_name

    shipped = {key for group in SCREENS.values() for entry in group if isinstance(entry, Binding)
               for key in entry.key.split(",")}
    assert {key: key_name(key) for key in shipped} == {key: key for key in shipped}
    assert [key_name(k) for k in ("?", "[", "+", "ctrl++", "é", "Tab", "hyper+tab", "alt+")] == [
        "question_mark", "left_square_bracket", "plus", "ctrl+plus", "é", None, "hyper+tab", None]


async def test_palette_opens_and_offers_every_action(seed_library: Path, make_app: MakeApp) -> None:
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        titles = {command.title for command in app.get_system_commands(app.screen)}
        for title in ["Keep", "Skip", "Undo", "Triage", "Stats", "Sort by title", "View: Read", "Help"]:
            assert title in titles
        # Textual's own key panel, screenshot and maximize have no place in readlist; its theme and quit do.
        assert not titles & {"Keys", "Screenshot", "Maximize", "Minimize"} and {"Theme", "Quit"} <= titles
        # One Quit, saying what it does here and its key (Textual's own said "as soon as possible").
        (quit_entry,) = [c for c in app.get_system_commands(app.screen) if c.title == "Quit"]
        assert "saved first" in quit_entry.help and "key: q" in quit_entry.help
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"Sort by title", "enter")
        await pilot.pause(0.3)
        assert isinstance(app.screen, MainScreen)
        assert main_screen(app).sort == "title"


async def test_sort_layout_and_view_switching(seed_library: Path, make_app: MakeApp) -> None:
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        screen = main_screen(app)
        assert not screen.has_class("-stacked")
        await pilot.press("L")
        assert screen.has_class("-stacked")
        await pilot.press("L")
        assert not screen.has_class("-stacked")
        await pilot.press("O")  # added -> date
        assert screen.sort == "date"
        dates = [p.published or "" for p in plist(app).papers]
        assert dates == sorted(dates, reverse=True)
        await pilot.press("O", "O", "O")
        assert screen.sort == "title"
        titles = [p.title.casefold() for p in plist(app).papers]
        assert titles == sorted(titles)
        labels = []
        for _ in range(len(screen.views)):
            labels.append(screen.view.label)
            await pilot.press("right_square_bracket")
        assert labels[:7] == ["Inbox", "To read", "Reading", "Read", "Skipped", "All", "Rated 4+"]
        assert "#generalization" in labels
        assert screen.view.label == "Inbox"  # wrapped round
        await pilot.press("left_square_bracket")
        assert screen.view.label == labels[-1]
        main_screen(app).set_view_key("rated")
        await pilot.pause()
        assert {p.rating for p in plist(app).papers} == {5}


async def test_narrow_terminal_stacks_the_panes(seed_library: Path, make_app: MakeApp) -> None:
    app = make_app(seed_library)
    async with app.run_test(size=(100, 40)):
        assert main_screen(app).has_class("-stacked")


async def test_cursor_keys_and_paging(seed_library: Path, make_app: MakeApp) -> None:
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        main_screen(app).set_view_key("all")
        await pilot.pause()
        lst = plist(app)
        await pilot.press("G")
        assert lst.cursor == len(lst.papers) - 1
        await pilot.press("g", "j", "down")
        assert lst.cursor == 2
        await pilot.press("pagedown")
        assert lst.cursor > 10
        assert lst.scroll_y > 0 or lst.cursor < lst.size.height
        await pilot.press("pageup", "k", "up")
        assert lst.cursor == 0
        await pilot.click(PaperList, offset=(10, 4))
        assert lst.cursor == 4


async def test_external_changes_show_up(small_library: Path, make_app: MakeApp) -> None:
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        lst = plist(app)
        current = lst.current
        other = lst.papers[0] if lst.papers[0] is not current else lst.papers[1]
        assert current is not None
        # Another process (think `readlist mark ID to-read`) changes the file.
        SetStatus([lst.papers[-1].id], "skipped").execute(fresh(small_library))
        await pilot.pause(1.5)
        assert len(lst.papers) == 11
        assert lst.current is not None and lst.current.id == current.id
        assert other.id in {p.id for p in lst.papers}


async def test_external_change_arriving_with_our_own_write(small_library: Path, make_app: MakeApp) -> None:
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        lst = plist(app)
        last = lst.papers[-1]
        other = fresh(small_library)
        SetStatus([last.id], "skipped").execute(other)
        EditTags([last.id], add=["elsewhere"]).execute(other)
        await pilot.press("s")  # our write catches up with the other process's first
        await pilot.pause()
        assert last.id not in {p.id for p in lst.papers}
        assert len(lst.papers) == 10
        assert "tag:elsewhere" in [v.key for v in main_screen(app).views]
        assert main_screen(app).counts.by_status["skipped"] == 1


async def test_copy_citation_uses_the_clipboard_module(
    small_library: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    import readlist.app.clipboard as clipboard

    copied: list[str] = []

    def fake_copy(text: str, *, osc52_writer: Any = None, what: str | None = None) -> Any:
        copied.append(text)
        return clipboard.CopyResult(ok=True, method="test", message="Copied [b]1[/b] citation")

    monkeypatch.setattr(clipboard, "copy_text", fake_copy)
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("y")
        await pilot.pause()
        assert len(copied) == 1 and copied[0].lstrip().startswith("@")
        # Said in the top bar with every other action's result, shown literally, not as markup.
        assert "Copied [b]1[/b] citation" in static_text(app.screen.query_one("#topbar", Static))
        assert not app._notifications  # and no toast over the detail pane
        await pilot.press("Y")
        from readlist.tui.screens.cite_chooser import CiteChooser

        assert isinstance(app.screen, CiteChooser)


async def test_copy_message_says_how_many_citations(
    small_library: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    import readlist.app.clipboard as clipboard

    monkeypatch.setattr(clipboard, "prefer_osc52", lambda env=None: False)
    monkeypatch.setattr(clipboard, "_pyperclip_copy", lambda text: "xclip")
    monkeypatch.delenv("DISPLAY", raising=False)  # not a display of this machine's that may be gone
    app = make_app(small_library)

    def said() -> str:
        return static_text(app.screen.query_one("#topbar", Static))

    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("y")
        assert "Copied 1 citation with xclip" in said()
        await pilot.press("space", "space", "y")
        assert "Copied 2 citations with xclip" in said()
        await pilot.press("Y", "down", "enter")  # another format than y's is named
        await pilot.pause()
        assert "Copied 2 citations as BibLaTeX with xclip" in said()


async def test_an_osc52_copy_says_in_an_80_column_top_bar_that_the_terminal_must_allow_it(
    small_library: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bar used to end "Sent 1 citation to the terminal clipboard (OSC…", without the condition."""
    import readlist.app.clipboard as clipboard

    monkeypatch.setenv(clipboard.ENV_CLIPBOARD, "osc52")
    sent: list[str] = []
    app = make_app(small_library)
    monkeypatch.setattr(app, "copy_to_clipboard", sent.append)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("y")
        await pilot.pause()
        bar = static_text(app.screen.query_one("#topbar", Static)).rstrip()
        assert len(sent) == 1 and len(bar) <= 80
        assert "Copied 1 citation if your terminal allows it" in bar, bar
        await pilot.press("space", "space", "y")  # two selected: the view, the selection and the message
        await pilot.pause()
        bar = static_text(app.screen.query_one("#topbar", Static)).rstrip()
        assert "Copied 2 citations if your terminal allows it" in bar and "2 selected" in bar, bar


async def test_a_message_cut_in_a_long_word_ends_with_one_ellipsis(tmp_path: Path, make_app: MakeApp) -> None:
    """A title too long for an 80-column top bar, cut inside a long word, used to end "Vision-Languag……"."""
    from readlist.app.imports import ImportPapers
    from readlist.storage.library import Library

    path = tmp_path / "library.json"
    title = "Scaling " + "Vision-Language-" * 8 + "Models"
    ImportPapers([Paper.create(title=title)], "long.txt").execute(Library(path))
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3", "u")  # "Undid: rated 3 — “Scaling Vision-Language-…”" does not fit
        await pilot.pause()
        bar = static_text(app.screen.query_one("#topbar", Static)).rstrip()
        assert "Undid: rated 3 — “Scaling Vision-Language-" in bar, bar
        assert bar.endswith("…") and "……" not in bar and len(bar) <= 80, bar


async def test_no_message_of_an_older_change_is_left_after_triage_or_the_note_editor(
    small_library: Path, make_app: MakeApp
) -> None:
    """"Rated 3: 1 paper (u undoes)" stayed in the top bar after decisions in triage mode or a note typed, when
    u would undo those instead."""
    app = make_app(small_library)

    def bar() -> str:
        return static_text(main_screen(app).query_one("#topbar", Static))

    async with app.run_test(size=SIZE) as pilot:
        for leave_by in (["T", "s", "escape"], ["n", *"Seen", "escape"]):
            await pilot.press("3")
            await pilot.pause()
            assert "Rated 3: 1 paper (u undoes)" in bar()
            await pilot.press(*leave_by)
            await pilot.pause()
            assert isinstance(app.screen, MainScreen)
            assert "Rated 3" not in bar(), (leave_by, bar())
        # Leaving without a change leaves the message: it still names the last change.
        await pilot.press("j", "3", "T", "escape", "n", "escape")
        await pilot.pause()
        assert "Rated 3: 1 paper (u undoes)" in bar()


async def test_stats_key_opens_the_statistics(small_library: Path, make_app: MakeApp) -> None:
    from readlist.tui.screens.stats import StatsScreen

    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("S")
        assert isinstance(app.screen, StatsScreen)


async def test_open_url_and_quit(small_library: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr(base_screen, "open_in_browser", lambda url: (opened.append(url), Opened(True))[1])
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        paper = plist(app).current
        assert paper is not None
        await pilot.press("o")
        if paper.url:
            assert opened == [paper.url]
        else:
            assert opened == []
        await pilot.press("q")
        assert app._exit


async def test_p_opens_the_arxiv_pdf_in_the_list_and_in_triage(
    small_library: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    from readlist.app.imports import ImportPapers
    from readlist.storage.library import Library

    ImportPapers([Paper.create(title="A paper with an arXiv id", arxiv_id="2512.00042")], "test").execute(
        Library(small_library))
    opened: list[str] = []
    monkeypatch.setattr(base_screen, "open_in_browser", lambda url: (opened.append(url), Opened(True))[1])
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        index = next(i for i, p in enumerate(plist(app).papers) if p.id == "2512.00042")
        plist(app).move_to(index)
        await pilot.press("P")
        assert opened == ["https://arxiv.org/pdf/2512.00042"]
        assert "Opened https://arxiv.org/pdf/2512.00042" in static_text(app.screen.query_one("#topbar", Static))
        await pilot.press("T", "P")  # triage mode, from the same paper
        assert opened[-1] == "https://arxiv.org/pdf/2512.00042" and len(opened) == 2
        await pilot.press("j", "P")  # a paper from a text copy: no id, no PDF link
        await pilot.pause()
        assert len(opened) == 2
        assert any("no arXiv id, so no PDF link" in str(n.message) for n in app._notifications)


async def test_open_says_what_happened_and_copies_the_url_where_no_browser_can_open(
    small_library: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    copied: list[str] = []
    monkeypatch.setattr(base_screen, "open_in_browser", lambda url: Opened(False, "this is an SSH session"))
    monkeypatch.setattr(clipboard, "copy_text",
                        lambda text, **kw: (copied.append(text), clipboard.CopyResult(True, "osc52", "Copied"))[1])
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        paper = plist(app).current
        assert paper is not None
        paper.url = "https://arxiv.org/abs/2401.00001"
        await pilot.press("o")
        top = static_text(main_screen(app).query_one("#topbar", Static))
        # Sent as OSC 52: whether it arrives is up to the terminal, said before the URL.
        assert "Copied the URL if your terminal allows it: https://arxiv.org/abs/2401.00001" in top
        assert "(not opened: this is an SSH session)" in top
        assert copied == ["https://arxiv.org/abs/2401.00001"]
        await pilot.press("j", "k", "s")  # the next action replaces the message
        assert "not opened" not in static_text(main_screen(app).query_one("#topbar", Static))


async def test_removing_the_last_tag_of_a_tag_view(seed_library: Path, make_app: MakeApp) -> None:
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        main_screen(app).set_view_key("tag:llm")
        await pilot.pause()
        assert len(plist(app).papers) == 1
        await pilot.press("t", "ctrl+u", *"other", "enter")
        await pilot.pause()
        assert "tag:llm" not in [v.key for v in main_screen(app).views]
        shown = plist(app).papers
        assert all(main_screen(app).view.matches(p) for p in shown)
        assert main_screen(app).counts.by_tag.get("other") == 1
        await pilot.press("u")
        assert "tag:llm" in [v.key for v in main_screen(app).views]


async def test_status_glyphs_are_drawn(seed_library: Path, make_app: MakeApp) -> None:
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        main_screen(app).set_view_key("all")
        await pilot.pause()
        lst = plist(app)
        for paper in lst.papers[:20]:
            row = lst.row_text(paper, 120).plain
            assert row[2] == Status(paper.status).glyph


async def test_in_place_updates_match_a_full_rebuild(small_library: Path, make_app: MakeApp) -> None:
    """After each key the screen, updated in place, shows what a rebuild from the whole library would."""
    from readlist.app.views import count
    from readlist.tui.widgets.detail import PaperDetail, paper_header
    from readlist.tui.widgets.sidebar import ViewSidebar

    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        screen = main_screen(app)

        async def press_and_check(key: str) -> None:
            await pilot.press(key)
            full = count(app.session.library.papers.values())
            expected = app.session.select(screen.view, screen._query, screen.effective_sort)
            assert [p.id for p in plist(app).papers] == [p.id for p in expected], key
            sidebar = screen.query_one(ViewSidebar)
            assert [sidebar.counts.for_view(v) for v in sidebar.views] == [full.for_view(v) for v in screen.views]
            current = plist(app).current
            detail = screen.query_one(PaperDetail)
            assert detail.paper is current
            if current is not None:
                assert static_text(screen.query_one("#detail-header", Static)) == paper_header(current).plain
            assert f"{len(expected)}" in static_text(screen.query_one("#topbar", Static))

        for key in ("5", "j", "s", "4", "x", "u", "ctrl+r", "space", "j", "space", "3", "u", "0"):
            await press_and_check(key)
        screen.set_view_key("rated")
        await pilot.pause()
        for key in ("0", "u", "j", "2", "u"):
            await press_and_check(key)


async def test_delete_asks_removes_and_undo_brings_back(small_library: Path, make_app: MakeApp) -> None:
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        papers = list(plist(app).papers)
        await pilot.press("D")
        assert isinstance(app.screen, Confirm)
        await pilot.press("n")  # no: nothing happens
        assert isinstance(app.screen, MainScreen) and len(plist(app).papers) == 12
        assert papers[0].id in fresh(small_library).papers
        await pilot.press("D", "y")
        assert len(plist(app).papers) == 11 and plist(app).current is not None
        assert papers[0].id not in fresh(small_library).papers
        assert "Deleted: 1 paper" in static_text(main_screen(app).query_one("#topbar", Static))
        # The selection is deleted as a whole, and one undo brings all of it back.
        await pilot.press("space", "space", "D", "y")
        assert len(plist(app).papers) == 9
        await pilot.press("u")
        assert len(plist(app).papers) == 11
        await pilot.press("u")
        assert len(plist(app).papers) == 12
        assert main_screen(app).counts.by_status["inbox"] == 12
    assert {p.id for p in papers} <= set(fresh(small_library).papers)


async def test_help_lists_the_delete_key(small_library: Path, make_app: MakeApp) -> None:
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert any(row.keys == "D" and "Delete" in row.long for row in app.screen.rows)


async def test_a_change_waits_only_briefly_for_another_process_lock(
    small_library: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The wait stops the screen; past a few seconds the key is refused with a message, not replayed later."""
    import readlist.tui.app as app_module
    from readlist.storage.library import library_lock

    assert app_module.UI_LOCK_TIMEOUT <= 5
    monkeypatch.setattr(app_module, "UI_LOCK_TIMEOUT", 0.3)
    app = make_app(small_library)
    other = library_lock(small_library)  # another process's lock: a separate open file, as flock sees it
    async with app.run_test(size=SIZE) as pilot:
        paper = plist(app).current
        assert paper is not None
        other.acquire()
        try:
            await pilot.press("4")
        finally:
            other.release()
        messages = [n.message for n in app._notifications]
        assert any("waited 0s for the lock" in m and "try again" in m for m in messages), messages
        assert fresh(small_library).papers[paper.id].rating == 0
        await pilot.press("4")  # the lock is free again: the same key works
        assert fresh(small_library).papers[paper.id].rating == 4


async def test_a_pull_that_failed_does_not_say_it_pulled(small_library: Path, make_app: MakeApp) -> None:
    from readlist.app.pull import PullBatch, PullOutcome
    from readlist.tui.screens.main import MainScreen

    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        failed = PullBatch("hf:2025-12-20", None, "huggingface.co: cannot be fetched")
        screen._store_pulled(PullOutcome(batches=[failed]))
        await pilot.pause()
        bar = static_text(screen.query_one("#topbar", Static))
        assert "Pull failed for 1 source; nothing new" in bar and "Pulled" not in bar
        assert any("cannot be fetched" in str(n.message) for n in app._notifications)


async def test_pulling_configured_sources_none_of_which_is_a_source_says_nothing_was_pulled(
    small_library: Path, make_app: MakeApp, _private_config: Path
) -> None:
    """As `readlist pull` fails on it: "Pulled 0 new papers" would pass for a day without news."""
    from readlist.tui.screens.main import MainScreen

    _private_config.write_text('pull_sources = ["arxiv:bad cat"]\n')
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        before = fresh(small_library).papers
        screen.pull("configured")
        for _ in range(100):
            await pilot.pause(0.05)
            if screen._online is None:
                break
        await pilot.pause()  # the notification is a message to the app, handled after the pull's end is
        bar = static_text(screen.query_one("#topbar", Static))
        assert "Nothing was pulled" in bar and "Pulled" not in bar, bar
        assert any("every source in config.toml's pull_sources was left out ('arxiv:bad cat')" in str(n.message)
                   for n in app._notifications)
        assert fresh(small_library).papers == before


async def test_one_pull_of_several_sources_is_one_undo_step(small_library: Path, make_app: MakeApp) -> None:
    from readlist.app.pull import PullBatch, PullOutcome
    from readlist.importers import ParseResult
    from readlist.tui.screens.main import MainScreen

    def batch(source: str, *numbers: int) -> PullBatch:
        papers = [Paper.create(title=f"Pulled paper {n}", arxiv_id=f"2512.{n:05d}") for n in numbers]
        return PullBatch(source, ParseResult(papers=papers, format="hf-api"))

    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        before = set(fresh(small_library).papers)
        screen._store_pulled(PullOutcome(batches=[batch("hf:2025-12-20", 1, 2), batch("arxiv:cs.CL", 3)]))
        await pilot.pause()
        assert len(set(fresh(small_library).papers) - before) == 3
        await pilot.press("u")
        await pilot.pause()
        assert set(fresh(small_library).papers) == before
        assert "3 papers" in static_text(screen.query_one("#topbar", Static))


async def test_a_pull_that_gives_the_cursors_paper_its_arxiv_id_keeps_the_cursor_on_it(
    small_library: Path, make_app: MakeApp
) -> None:
    from readlist.app.pull import PullBatch, PullOutcome
    from readlist.importers import ParseResult
    from readlist.tui.screens.main import MainScreen

    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await pilot.press("j", "j")
        paper = plist(app).current
        assert paper is not None and paper.id.startswith("t-")
        told = Paper.create(title=paper.title, arxiv_id="2512.54321", authors=["Ada Lovelace"])
        new = Paper.create(title="A paper new to the library", arxiv_id="2512.54322")  # listed first: rows move
        screen._store_pulled(PullOutcome(batches=[PullBatch("arxiv:cs.CL", ParseResult(papers=[told, new],
                                                                                        format="arxiv-atom"))]))
        await pilot.pause()
        assert plist(app).papers[0].id == new.id
        current = plist(app).current
        assert current is not None and current.id == "2512.54321" and current.aliases == [paper.id]
        assert current.title == paper.title and plist(app).cursor == 3
        await pilot.press("u")  # back under its old id, the cursor still on it
        await pilot.pause()
        current = plist(app).current
        assert current is not None and current.id == paper.id


async def test_redo_in_triage_moves_on_and_counts_the_decision_again(small_library: Path, make_app: MakeApp) -> None:
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        ids = [p.id for p in plist(app).papers]
        await pilot.press("space", "space", "T")
        screen = app.screen
        assert isinstance(screen, TriageScreen) and screen.paper_ids == ids[:2]
        await pilot.press("s", "u")
        assert screen.index == 0
        await pilot.press("ctrl+r")  # the keep is back: triage is past that paper again, as after the keep
        assert screen.index == 1
        await pilot.press("x")
        assert screen.done
        summary = static_text(screen.query_one("#triage-summary", Static))
        assert "kept     1" in summary and "skipped  1" in summary
    assert fresh(small_library).papers[ids[0]].status == "to-read"


async def test_undoing_a_tag_edit_in_triage_keeps_the_rating_in_the_summary(
    small_library: Path, make_app: MakeApp
) -> None:
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        ids = [p.id for p in plist(app).papers]
        await pilot.press("space", "T", "4", "t", "f", "o", "o", "enter")
        screen = app.screen
        assert isinstance(screen, TriageScreen)
        # Said on the progress line, as a decision is (the tags were saved without a word).
        progress = static_text(screen.query_one("#triage-progress", Static))
        assert "Tags" in progress and "u undoes" in progress, progress
        await pilot.press("u")  # undoes the tags, not the rating
        await pilot.press("s")
        assert screen.done
        summary = static_text(screen.query_one("#triage-summary", Static))
        assert "rated    1" in summary and "kept     1" in summary
    disk = fresh(small_library).papers[ids[0]]
    assert (disk.rating, disk.tags) == (4, [])


async def test_triage_with_a_selection_goes_through_the_selected_papers(
    small_library: Path, make_app: MakeApp
) -> None:
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        ids = [p.id for p in plist(app).papers]
        await pilot.press("space", "j", "space", "T")
        screen = app.screen
        assert isinstance(screen, TriageScreen)
        assert screen.paper_ids == [ids[0], ids[2]]
        assert "1 / 2" in static_text(screen.query_one("#triage-progress", Static))
        await pilot.press("s", "x")
        assert screen.done
    disk = fresh(small_library)
    assert (disk.papers[ids[0]].status, disk.papers[ids[2]].status, disk.papers[ids[1]].status) == (
        "to-read", "skipped", "inbox")


def test_the_detail_header_names_the_papers_categories_as_plain_text() -> None:
    import msgspec

    from readlist.tui.widgets.detail import paper_header

    paper = Paper.from_dict({"title": "Stock Trend Prediction", "arxiv_id": "2303.09323",
                             "categories": ["q-fin.ST", "cs.CV", "cs.LG"]})
    assert "q-fin.ST cs.CV cs.LG" in paper_header(paper).plain
    # A library written elsewhere may hold anything there: it reaches the terminal inert.
    hostile = msgspec.structs.replace(paper, categories=["cs.LG\x1b[2J", "[bold]x[/bold]"])
    header = paper_header(hostile)
    assert "\x1b" not in header.plain and "[bold]x[/bold]" in header.plain
    assert all(span.style != "bold" or span.end <= len(paper.title) for span in header.spans)


@pytest.mark.parametrize("sort", ["-date", "-upvotes", "-rating", "date", "upvotes"])
async def test_the_app_and_the_command_line_sort_alike_with_papers_lacking_the_value_last(
    seed_library: Path, make_app: MakeApp, _private_config: Path, sort: str
) -> None:
    """One sort for both: with ``sort = "-date"`` the app lists oldest first and the undated papers last, as
    ``readlist list --sort -date`` does (both listed the undated first)."""
    from click.testing import CliRunner

    from readlist.cli import main

    _private_config.write_text(f'sort = "{sort}"\n', encoding="utf-8")
    printed = CliRunner().invoke(main, ["--db", str(seed_library), "list", "--sort", sort])
    assert printed.exit_code == 0, printed.output
    listed = [line.split()[0] for line in printed.stdout.splitlines()]
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        screen = main_screen(app)
        screen.set_view_key("all")
        await pilot.pause()
        assert screen.sort == sort
        shown = plist(app).papers
        assert [p.id for p in shown] == listed
    key = sort.lstrip("-")
    missing = [not (p.date if key == "date" else p.upvotes is not None if key == "upvotes" else p.rating)
               for p in shown]
    assert any(missing) and not all(missing)
    assert missing == sorted(missing)  # every paper with a value, then every paper without one


async def test_triage_says_what_a_decision_did_until_the_next_paper_is_drawn(
    seed_library: Path, make_app: MakeApp
) -> None:
    """Only the counter moved: "1 / 194" became "2 / 194", and whether s had kept or skipped was not said."""
    app = make_app(seed_library)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("T")
        await pilot.pause()
        progress = app.screen.query_one("#triage-progress", Static)
        assert "s keep" in str(progress.render())
        await pilot.press("x")
        await pilot.pause()
        assert "Triage · 2 / " in str(progress.render()) and "Skipped (u undoes)" in str(progress.render())
        await pilot.press("3")
        await pilot.pause()
        assert "Rated 3 (u undoes)" in str(progress.render())
        await pilot.press("k")
        await pilot.pause()
        assert "s keep" in str(progress.render()) and "(u undoes)" not in str(progress.render())
