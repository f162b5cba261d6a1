"""The tag box, the search box, the note editor and the name prompt: what typing in them does."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.command import CommandList, CommandPalette
from textual.widgets import Input, Static, TextArea
from tui_helpers import SIZE, burst, fresh, search_all, settle, type_as_terminal, view_name_prompt

from readlist.app.commands import EditTags
from readlist.config.settings import load_config
from readlist.storage.library import Library
from readlist.tui.app import ReadlistApp
from readlist.tui.screens.main import MainScreen
from readlist.tui.screens.note_editor import NoteEditor
from readlist.tui.screens.prompt import Prompt
from readlist.tui.screens.tags import TagEditor
from readlist.tui.screens.triage import TriageScreen
from readlist.tui.widgets.paper_list import PaperList

MakeApp = Callable[..., ReadlistApp]


def main(app: ReadlistApp) -> MainScreen:
    assert isinstance(app.screen, MainScreen)
    return app.screen


def current_id(app: ReadlistApp) -> str:
    paper = app.screen.query_one(PaperList).current
    assert paper is not None
    return paper.id


def box(app: ReadlistApp, selector: str) -> Input:
    return app.screen.query_one(selector, Input)


async def test_typing_in_the_tag_box_adds_a_tag_and_keeps_the_others(seed_library: Path, make_app: MakeApp) -> None:
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        main(app).set_view_key("tag:llm")
        await pilot.pause()
        pid = current_id(app)
        assert fresh(seed_library).papers[pid].tags == ["generalization", "llm"]
        await pilot.press("t")
        assert isinstance(app.screen, TagEditor)
        tags = box(app, "#tag-input")
        # The cursor waits after the tags, behind a separator; nothing is selected for the first key to replace.
        assert tags.value == "generalization, llm, "
        assert tags.selection.is_empty and tags.cursor_position == len(tags.value)
        await pilot.press(*"extra", "enter")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert fresh(seed_library).papers[pid].tags == ["extra", "generalization", "llm"]
        # Deleting a tag from the box still removes it, and only it.
        await pilot.press("t")
        assert box(app, "#tag-input").value == "extra, generalization, llm, "
        await pilot.press(*["backspace"] * len("llm, "), "enter")
        await pilot.pause()
        assert fresh(seed_library).papers[pid].tags == ["extra", "generalization"]

        # With papers selected the box opens empty: what is typed is added to each, their own tags stay.
        main(app).set_view_key("status:to-read")
        await pilot.pause()
        selected = [p.id for p in app.screen.query_one(PaperList).papers]
        before = {i: fresh(seed_library).papers[i].tags for i in selected}
        assert all(before.values())
        await pilot.press(*["space"] * len(selected), "t")
        assert box(app, "#tag-input").value == ""
        await pilot.press(*"bulk", "enter")
        await pilot.pause()
    after = fresh(seed_library).papers
    for pid in selected:
        assert after[pid].tags == sorted([*before[pid], "bulk"])


async def test_typing_in_the_tag_box_in_triage_keeps_the_other_tags(seed_library: Path, make_app: MakeApp) -> None:
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        main(app).set_view_key("tag:llm")
        await pilot.pause()
        pid = current_id(app)
        await pilot.press("T", "t")
        assert isinstance(app.screen, TagEditor)
        await pilot.press(*"extra", "enter")
        await pilot.pause()
        assert isinstance(app.screen, TriageScreen)
    assert fresh(seed_library).papers[pid].tags == ["extra", "generalization", "llm"]


async def test_tab_in_a_burst_completes_the_tag_typed_before_it(small_library: Path, make_app: MakeApp) -> None:
    """Tab went round the app while the letters after it went into the box, and completed from a suggestion not
    worked out yet: typed in one burst, " inv⇥ fin⇥⏎" saved the tags "inv" and "fin"."""
    library = Library(small_library)
    last = sorted(library.papers)[-1]
    EditTags([last], add=["investing", "finance"]).execute(library)
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        pid = current_id(app)
        assert pid != last
        await pilot.press("t")
        assert isinstance(app.screen, TagEditor)
        burst(app, " inv\t fin\t\r")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
    assert fresh(small_library).papers[pid].tags == ["finance", "investing"]


async def test_a_space_after_a_completed_tag_leaves_one_space(small_library: Path, make_app: MakeApp) -> None:
    """A completion ends in ", " for the next tag; the space typed out of habit after it showed as a second one."""
    library = Library(small_library)
    EditTags([sorted(library.papers)[-1]], add=["llm", "survey"]).execute(library)
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t", "l", "tab", "space", *"surv", "tab")
        assert box(app, "#tag-input").value == "llm, survey, "


async def test_slash_on_a_search_puts_the_cursor_at_its_end(seed_library: Path, make_app: MakeApp) -> None:
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        await search_all(pilot, "tag:generalization")
        assert len(app.screen.query_one(PaperList).papers) == 4
        await pilot.press("slash")
        search = box(app, "#search")
        assert search.has_focus and search.selection.is_empty and search.cursor_position == len(search.value)
        # Typing narrows the search rather than replacing it.
        await pilot.press(*" tag:llm", "enter")
        await pilot.pause(0.3)
        assert search.value == "tag:generalization tag:llm"
        assert len(app.screen.query_one(PaperList).papers) == 1
        # ctrl+u empties the box for a new search.
        await pilot.press("slash", "ctrl+u", *"year:2024")
        assert search.value == "year:2024"


# Persian with a zero-width non-joiner, an emoji joined by a zero-width joiner, a word joiner and a no-break space.
JOINED = "P \u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 Z \U0001f469\u200d\U0001f52c W\u2060J\u00a0E"


async def test_typed_joiners_and_marks_stay_in_the_note(small_library: Path, make_app: MakeApp) -> None:
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        pid = current_id(app)
        before = fresh(small_library).papers[pid].note
        await pilot.press("n")
        assert isinstance(app.screen, NoteEditor)
        # A right-to-left override typed in the middle is not taken: the app never stores one.
        await type_as_terminal(pilot, JOINED[:5] + "\u202e" + JOINED[5:])
        assert app.screen.query_one("#note-text", TextArea).text == before + JOINED
        await pilot.press("escape")
        await pilot.pause()
    assert fresh(small_library).papers[pid].note == before + JOINED


async def test_typed_joiners_stay_in_the_search_box(small_library: Path, make_app: MakeApp) -> None:
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash")
        await type_as_terminal(pilot, "\u0645\u06cc\u200c\u062e \u202d\U0001f469\u200d\U0001f52c")
        assert box(app, "#search").value == "\u0645\u06cc\u200c\u062e \U0001f469\u200d\U0001f52c"


async def test_naming_a_view_keeps_the_prompt_open_until_the_name_can_be_used(
    seed_library: Path, make_app: MakeApp,
) -> None:
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        prompt = await view_name_prompt(pilot, "generalization")
        error = prompt.query_one("#prompt-error", Static)
        assert not error.display

        await pilot.press("enter")  # no name
        await pilot.pause()
        assert app.screen is prompt and error.display
        assert "Type a name" in str(error.render())

        await pilot.press(*"Inbox", "enter")  # one of the app's own views
        await pilot.pause()
        assert app.screen is prompt and error.display
        assert "“Inbox” is one of the app's own views" in str(error.render())
        assert box(app, "#prompt-input").value == "Inbox"  # kept, to be corrected
        await pilot.press("backspace")  # a change hides the reason, which was about the name before it
        assert not error.display

        await pilot.press("ctrl+u", *"#llm", "enter")  # a tag's view, now or once the tag is used
        await pilot.pause()
        assert app.screen is prompt and "a name starting with # is a tag's view" in str(error.render())

        await pilot.press("ctrl+u", *"general", "enter")
        await pilot.pause()
        assert main(app).view.key == "saved:general"
        assert load_config().views == {"general": "generalization"}

        # Esc still cancels, saving nothing.
        await pilot.press("slash", *"llm", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, Prompt)
        # A name differing only in case from a saved view's would make two views `--view` cannot tell apart.
        await pilot.press(*"GENERAL", "enter")
        await pilot.pause()
        assert isinstance(app.screen, Prompt)
        assert "“GENERAL” differs only in case from the saved view “general”" in str(
            app.screen.query_one("#prompt-error", Static).render())
        await pilot.press("ctrl+u", *"later", "escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
    assert set(load_config().views) == {"general"}


async def test_the_palette_offers_keeping_a_search_once(seed_library: Path, make_app: MakeApp) -> None:
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        for start in ([], ["slash", *"llm"]):  # from the list, and from the search box
            await pilot.press(*start, "ctrl+p")
            await pilot.pause()
            assert isinstance(app.screen, CommandPalette)
            await pilot.press(*"search as view")
            await pilot.pause(0.5)
            options = app.screen.query_one(CommandList)
            found = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
            assert len(found) == 1 and found[0].startswith("Keep search as view"), found
            await pilot.press("escape")
            await pilot.pause()


async def test_keys_typed_right_after_enter_in_the_search_box_go_to_the_list(
    seed_library: Path, make_app: MakeApp
) -> None:
    """A fast typist's ``/generalization⏎jj`` arrives in one burst: the two ``j`` move the cursor, not into the box."""
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        main(app).set_view_key("all")
        await pilot.pause()
        burst(app, "/generalization\rjj")
        await settle(pilot)
        assert box(app, "#search").value == "generalization"
        found = app.screen.query_one(PaperList)
        assert len(found.papers) > 3 and found.cursor == 2


async def test_editing_keys_typed_in_a_burst_apply_in_order_in_every_box(
    seed_library: Path, make_app: MakeApp
) -> None:
    """A backspace or an arrow typed among letters acted after the letters typed after it ("worlx⌫d" gave "worlxd"):
    the box's own editing keys went round the app while the letters went straight in."""
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash")
        burst(app, "worlx\x7fd m\x1b[D\x1b[Do")
        await settle(pilot)
        assert box(app, "#search").value == "worldo m"
        await pilot.press("escape", "escape")
        await pilot.pause()
        await pilot.press("n")
        assert isinstance(app.screen, NoteEditor)
        note = app.screen.query_one("#note-text", TextArea)
        start = note.text
        burst(app, "abx\x7fc\x1b[Dd")
        await settle(pilot)
        assert note.text == start + "abdc"
