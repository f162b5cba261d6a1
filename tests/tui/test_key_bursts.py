"""Keys typed after an Enter or an Esc that closes a box or a screen, all in one burst (a fast typist, a paste,
SSH): they act where the Enter or Esc leads, in the order typed; none is lost and none lands in the box that
closed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import Input
from tui_helpers import ESC, SIZE, burst, fresh, paper_list, search_all, settle, view_name_prompt

from readlist.tui.app import ReadlistApp
from readlist.tui.screens.details import DetailsEditor
from readlist.tui.screens.main import MainScreen
from readlist.tui.screens.note_editor import NoteEditor
from readlist.tui.screens.prompt import Prompt
from readlist.tui.screens.tags import TagEditor
from readlist.tui.screens.triage import TriageScreen

MakeApp = Callable[..., ReadlistApp]
# Esc as xterm and tmux send it: followed by a letter in the same read, Textual's parser makes it Alt and that letter.
BARE_ESC = "\x1b"


def main(app: ReadlistApp) -> MainScreen:
    assert isinstance(app.screen, MainScreen)
    return app.screen


def search_box(app: ReadlistApp) -> Input:
    return main(app).query_one("#search", Input)


async def test_list_keys_after_enter_in_the_search_box_act_on_the_results(
    seed_library: Path, make_app: MakeApp
) -> None:
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        main(app).set_view_key("all")
        await pilot.pause()
        burst(app, "/agent\rjjs")
        await settle(pilot)
        assert search_box(app).value == "agent"
        found = paper_list(app)
        assert not search_box(app).has_focus and found.has_focus
        results = [paper.id for paper in found.papers]
        assert 3 < len(results) < len(fresh(seed_library).papers)
        assert found.cursor == 2  # in All a kept paper stays in the view
    kept = [pid for pid, paper in fresh(seed_library).papers.items() if paper.status == "to-read"]
    assert results[2] in kept


async def test_keys_after_enter_that_arrive_in_two_reads_keep_their_order(
    seed_library: Path, make_app: MakeApp
) -> None:
    """The keys after Enter still queued for the search box were given to the list a frame later, so the ones the
    terminal handed over after the list had the focus acted first: ``jjs`` kept the second result, not the third."""
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        screen = main(app)
        screen.set_view_key("all")
        await pilot.pause()
        found = paper_list(app)

        def focused(widget: object) -> None:
            if widget is found:  # the rest of the burst, read by the terminal's driver just after Enter moved on
                burst(app, "js")

        screen.watch(screen, "focused", focused, init=False)
        burst(app, "/agent\rj")
        await settle(pilot)
        results = [paper.id for paper in found.papers]
        assert found.cursor == 2
    kept = [pid for pid, paper in fresh(seed_library).papers.items() if paper.status == "to-read"]
    assert results[2] in kept and results[1] not in kept


async def test_list_keys_after_down_in_the_search_box_act_on_the_results(
    seed_library: Path, make_app: MakeApp
) -> None:
    """↓ keeps the search and goes to the list, as Enter does: the keys after it were typed into the search."""
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        main(app).set_view_key("all")
        await pilot.pause()
        burst(app, "/agent\x1b[Bjj")
        await settle(pilot)
        assert search_box(app).value == "agent"
        found = paper_list(app)
        assert found.has_focus and found.cursor == 2
        assert len(found.papers) < len(fresh(seed_library).papers)


@pytest.mark.parametrize("esc", [ESC, BARE_ESC], ids=["esc", "bare-esc"])
async def test_list_keys_after_esc_in_the_search_box_act_on_the_list(
    seed_library: Path, make_app: MakeApp, esc: str
) -> None:
    """Typed into the box as the search it was to clear; sent as a bare escape character, the Esc was lost too and
    the first j typed into the box."""
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        main(app).set_view_key("all")
        await pilot.pause()
        burst(app, "/abc" + esc + "jj")
        await settle(pilot)
        assert search_box(app).value == ""
        assert paper_list(app).has_focus and paper_list(app).cursor == 2


async def test_keys_after_enter_in_the_tag_box_act_on_the_list(small_library: Path, make_app: MakeApp) -> None:
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        first = paper_list(app).papers[0].id
        await pilot.press("t")
        assert isinstance(app.screen, TagEditor)
        burst(app, "mine\rjt")
        await settle(pilot)
        assert isinstance(app.screen, TagEditor)  # t opened the tags of the next paper
        assert app.screen.papers[0].id != first
        assert app.screen.query_one("#tag-input", Input).value == ""
    assert fresh(small_library).papers[first].tags == ["mine"]


async def test_keys_after_esc_in_the_tag_box_act_on_the_list(small_library: Path, make_app: MakeApp) -> None:
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        first = paper_list(app).papers[0].id
        await pilot.press("t")
        burst(app, "mine" + ESC + "jj")
        await settle(pilot)
        assert paper_list(app).cursor == 2
    assert fresh(small_library).papers[first].tags == []


async def test_keys_after_enter_in_the_view_name_prompt_act_on_the_list(
    seed_library: Path, make_app: MakeApp
) -> None:
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        await view_name_prompt(pilot, "agent")
        burst(app, "mine\rjj")
        await settle(pilot)
        screen = main(app)
        assert screen.view.label == "mine"
        assert paper_list(app).cursor == 2


async def test_keys_after_esc_in_the_view_name_prompt_act_on_the_list(
    seed_library: Path, make_app: MakeApp
) -> None:
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        await search_all(pilot, "agent")
        await pilot.press("ctrl+s")  # from the list, which the prompt goes back to
        await pilot.pause()
        assert isinstance(app.screen, Prompt)
        burst(app, "mine" + ESC + "jj")
        await settle(pilot)
        assert paper_list(app).cursor == 2
        assert "mine" not in main(app).saved_views


@pytest.mark.parametrize("esc", [ESC, BARE_ESC], ids=["esc", "bare-esc"])
async def test_keys_after_esc_in_the_note_editor_act_on_the_list(
    small_library: Path, make_app: MakeApp, esc: str
) -> None:
    """Esc saved the note before the words typed just before it reached the editor: they were lost."""
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        first = paper_list(app).papers[0].id
        await pilot.press("n")
        assert isinstance(app.screen, NoteEditor)
        burst(app, "read it" + esc + "jj")
        await settle(pilot)
        assert paper_list(app).cursor == 2
    assert fresh(small_library).papers[first].note == "read it"


async def test_keys_after_enter_in_the_details_form_act_on_the_list(
    small_library: Path, make_app: MakeApp
) -> None:
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        first = paper_list(app).papers[0].id
        await pilot.press("e")
        assert isinstance(app.screen, DetailsEditor)
        burst(app, "\t\tAcme\rjj")
        await settle(pilot)
        assert paper_list(app).cursor == 2
    assert fresh(small_library).papers[first].organization == "Acme"


async def test_keys_after_esc_in_the_details_form_act_on_the_list(small_library: Path, make_app: MakeApp) -> None:
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        first = paper_list(app).papers[0]
        await pilot.press("e")
        burst(app, "\t\tAcme" + ESC + "jj")
        await settle(pilot)
        assert paper_list(app).cursor == 2
    assert fresh(small_library).papers[first.id].organization == first.organization


async def test_a_key_bound_on_the_editor_before_esc_acts_in_the_editor(seed_library: Path, make_app: MakeApp) -> None:
    """ctrl+s went round the app while Esc, read first, closed the editor: it then acted on the list, where it keeps
    the search as a view, and asked for a name."""
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        await search_all(pilot, "agent")
        first = paper_list(app).current
        assert first is not None
        await pilot.press("n")
        assert isinstance(app.screen, NoteEditor)
        burst(app, "see\x13 also" + ESC + "j")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert paper_list(app).cursor == 1
    assert fresh(seed_library).papers[first.id].note.endswith("see also")


async def test_an_alt_key_given_an_action_is_that_key(
    small_library: Path, make_app: MakeApp, _private_config: Path
) -> None:
    """A bare escape character and a letter are taken for Esc and the letter only when no action has that Alt key."""
    _private_config.write_text('[keymap]\nkeep = "alt+k"\n', encoding="utf-8")
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        first = paper_list(app).papers[0].id
        burst(app, BARE_ESC + "k")
        await settle(pilot)
    assert fresh(small_library).papers[first].status == "to-read"


# Keys after a bare escape character that Textual's own parser read so that the Esc was gone before the app saw it.


async def test_esc_then_a_digit_closes_the_note_and_rates(small_library: Path, make_app: MakeApp) -> None:
    """Esc and 4 in one read were the character macOS types with Option+4: "¢" went into the note, the editor stayed
    open and the paper was not rated."""
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        first = paper_list(app).papers[0].id
        await pilot.press("n")
        burst(app, "idea" + BARE_ESC + "4")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
    kept = fresh(small_library).papers[first]
    assert (kept.note, kept.rating) == ("idea", 4)


async def test_esc_then_slash_clears_the_search_and_starts_another(seed_library: Path, make_app: MakeApp) -> None:
    """Esc and / in one read were / alone, typed into the search it was to clear ("abc/x")."""
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        main(app).set_view_key("all")
        await pilot.pause()
        burst(app, "/abc" + BARE_ESC + "/x")
        await settle(pilot)
        assert search_box(app).value == "x" and search_box(app).has_focus


async def test_esc_then_enter_cancels_the_tag_box_and_opens_the_paper(small_library: Path, make_app: MakeApp) -> None:
    """Esc and Enter in one read were Enter alone: it added the tag that Esc was to drop."""
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        first = paper_list(app).papers[0].id
        await pilot.press("t")
        burst(app, "mine" + BARE_ESC + "\r")
        await settle(pilot)
        assert isinstance(app.screen, TriageScreen)
    assert fresh(small_library).papers[first].tags == []


async def test_esc_a_key_and_esc_again_leave_no_caret_in_the_note(small_library: Path, make_app: MakeApp) -> None:
    """Esc, a key and another Esc in one read: the first Esc became a "^" typed into the note, and the key too."""
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        first = paper_list(app).papers[0].id
        await pilot.press("n")
        burst(app, "idea" + BARE_ESC + "j" + BARE_ESC)
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert paper_list(app).cursor == 1
    assert fresh(small_library).papers[first].note == "idea"


async def test_an_escape_character_inside_a_paste_is_no_esc(small_library: Path, make_app: MakeApp) -> None:
    """Pasted text is never taken for keys that close the editor and act on the list (``x`` would skip a paper)."""
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        burst(app, "\x1b[200~a\x1bx b\x1b[201~")
        await settle(pilot)
        assert isinstance(app.screen, NoteEditor)
    assert all(paper.status == "inbox" for paper in fresh(small_library).papers.values())
