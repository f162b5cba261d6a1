"""A library file is untrusted: no escape sequence, control or bidi override in it reaches the screen raw.

The library here is written by hand (see ``hostile_library``), so nothing cleaned it on the way in.
Each test opens a screen and reads back what the compositor would send to the terminal, strip by
strip, segment by segment.
"""

from __future__ import annotations

import re
import webbrowser
from pathlib import Path

import pytest
from textual import events
from textual.command import CommandPalette
from textual.widgets import Input, Markdown
from tui_helpers import HOSTILE, SIZE, fresh, hostile_library, open_app

from readlist.app.browser import Opened
from readlist.core.text import MARK
from readlist.tui.app import ReadlistApp
from readlist.tui.screens import base as base_screen
from readlist.tui.screens.cite_chooser import CiteChooser
from readlist.tui.screens.confirm import Confirm
from readlist.tui.screens.help import HelpScreen
from readlist.tui.screens.main import MainScreen
from readlist.tui.screens.note_editor import NoteEditor
from readlist.tui.screens.stats import StatsScreen
from readlist.tui.screens.tags import TagEditor, shown_tags, tag_changes
from readlist.tui.screens.triage import TriageScreen
from readlist.tui.widgets.paper_list import PaperList

# Nothing a screen draws may hold these: every C0 control (tabs and newlines included: a drawn line has
# neither), DEL, every C1 control, the line and paragraph separators (some terminals break the line there)
# and every bidi override or isolate.
FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    return hostile_library(tmp_path / "library.json")


def drawn(app: ReadlistApp) -> list[str]:
    """Every line the current screen sends to the terminal: the text of all its segments."""
    strips = app.screen._compositor.render_strips()
    return ["".join(segment.text for segment in strip) for strip in strips]


def assert_inert(app: ReadlistApp, where: str) -> str:
    lines = drawn(app)
    bad = sorted({f"U+{ord(c):04X}" for line in lines for c in FORBIDDEN.findall(line)})
    assert not bad, f"{where}: {bad} reached the screen"
    for notification in app._notifications:
        assert not FORBIDDEN.search(notification.message.replace("\n", " ") + notification.title), where
    return "\n".join(lines)


async def test_main_screen_list_detail_sidebar_and_top_bar(hostile: Path) -> None:
    app = open_app(hostile)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MainScreen)
        text = assert_inert(app, "main screen")
        assert "Evil" in text and MARK in text  # the hostile text is drawn, with marks where escapes were
        assert "RTL" in text and "end" in text
        # The note is rendered as Markdown; the character references must not decode into raw controls.
        assert isinstance(screen.query_one("#detail-note"), Markdown)
        # A tag view named after the hostile tag, chosen from the sidebar: its label is in the top bar too.
        keys = [view.key for view in screen.views]
        hostile_tag = next(key for key in keys if key.startswith("tag:t"))
        screen.set_view_key(hostile_tag)
        await pilot.pause()
        assert_inert(app, "hostile tag view")
        # Selecting, searching and the empty-search message.
        await pilot.press("space")
        await pilot.press("slash", *"zzz", "enter")
        await pilot.pause()
        assert_inert(app, "empty search")


async def test_every_other_screen_and_dialog(hostile: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: opened.append(url) or True)
    # `o` goes through readlist's own check for a usable browser; here one is always there.
    monkeypatch.setattr(base_screen, "open_in_browser", lambda url: opened.append(url) or Opened(True))
    app = open_app(hostile)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for key, screen_type in (
            ("T", TriageScreen),
            ("n", NoteEditor),
            ("t", TagEditor),
            ("Y", CiteChooser),
            ("question_mark", HelpScreen),
            ("S", StatsScreen),
            ("D", Confirm),
        ):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, screen_type), key
            text = assert_inert(app, screen_type.__name__)
            if screen_type is not HelpScreen:
                assert MARK in text, f"{screen_type.__name__} shows no library text"
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, MainScreen)
        # The command palette lists a view per tag.
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"View")
        await pilot.pause(0.3)
        assert MARK in assert_inert(app, "command palette")
        await pilot.press("escape")
        # `o` on a URL that holds escapes: not handed to the browser, and the notification that says so is inert.
        await pilot.press("o")
        await pilot.pause()
        assert opened == []
        assert any("Not opened" in n.message for n in app._notifications)
        assert_inert(app, "notification after o")


async def test_triage_shows_every_paper_inert(hostile: Path) -> None:
    app = open_app(hostile)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("T")
        for _ in range(2):
            await pilot.pause()
            assert MARK in assert_inert(app, "triage")
            await pilot.press("j")


async def test_only_web_addresses_are_opened(hostile: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: opened.append(url) or True)
    # `o` goes through readlist's own check for a usable browser; here one is always there.
    monkeypatch.setattr(base_screen, "open_in_browser", lambda url: opened.append(url) or Opened(True))
    app = open_app(hostile)
    async with app.run_test(size=SIZE) as pilot:
        paper = app.screen.query_one(PaperList).current
        assert paper is not None
        for url in ("file:///etc/passwd", "javascript:alert(1)", "https://x.org/\x1b]52;c;eA==\x07"):
            app.open_url(url)  # what a click on a link in a note does
        paper.url = "file:///etc/passwd"
        await pilot.press("o")
        paper.url = "https://arxiv.org/abs/2404.00001"
        await pilot.press("o")
        await pilot.pause()
        assert opened == ["https://arxiv.org/abs/2404.00001"]
        assert_inert(app, "after opening")


async def test_leaving_the_dialogs_unchanged_keeps_the_stored_text(hostile: Path) -> None:
    """The tag box and the note editor show library text inert; leaving them unchanged writes nothing."""
    before = fresh(hostile).papers
    app = open_app(hostile)
    async with app.run_test(size=SIZE) as pilot:
        paper = app.screen.query_one(PaperList).current
        assert paper is not None
        await pilot.press("t")
        await pilot.pause()
        value = app.screen.query_one("#tag-input", Input).value
        assert MARK in value and not FORBIDDEN.search(value)
        await pilot.press("enter")
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, NoteEditor)
        assert not FORBIDDEN.search(app.screen.query_one("#note-text").text.replace("\n", ""))
        await pilot.press("escape")
        await pilot.pause()
    after = fresh(hostile).papers
    assert after[paper.id].tags == before[paper.id].tags
    assert after[paper.id].note == before[paper.id].note == paper.note


async def test_the_note_editor_says_that_it_leaves_the_controls_out(hostile: Path) -> None:
    """The editor shows a note as a save stores it: that the controls go once the user types is said."""
    app = open_app(hostile)
    async with app.run_test(size=SIZE) as pilot:
        paper = app.screen.query_one(PaperList).current
        assert paper is not None and FORBIDDEN.search(paper.note)
        await pilot.press("n")
        await pilot.pause()
        assert "terminal control characters, left out here" in assert_inert(app, "note editor")
        await pilot.press(*"ABC", "escape")
        await pilot.pause()
    edited = fresh(hostile).papers[paper.id].note
    assert not FORBIDDEN.search(edited.replace("\n", "")) and edited.endswith("ABC")
    app = open_app(hostile)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.pause()
        shown = assert_inert(app, "note editor")
        assert "saved as you type" in shown and "control characters" not in shown


def test_a_tag_shown_with_a_mark_maps_back_to_the_stored_tag() -> None:
    stored = ["ok", "t" + HOSTILE]
    shown, aliases = shown_tags(stored)
    assert all(not FORBIDDEN.search(tag) for tag in shown)
    assert tag_changes(stored, ", ".join(shown), aliases) == ([], [])
    assert tag_changes(stored, shown[0], aliases) == ([], [stored[1]])
    assert tag_changes(stored, ", ".join([*shown, "new"]), aliases) == (["new"], [])


async def test_pasted_text_reaches_the_inputs_clean(hostile: Path) -> None:
    """Text pasted from a web page is as untrusted as a library file."""
    app = open_app(hostile)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash")
        app.post_message(events.Paste("deep \x1b]52;c;ZXZpbA==\x07learn\u202eing"))
        await pilot.pause()
        assert app.screen.query_one("#search", Input).value == "deep learning"
        assert_inert(app, "search box after a paste")
        await pilot.press("escape", "n")
        await pilot.pause()
        assert isinstance(app.screen, NoteEditor)
        app.post_message(events.Paste("pasted \x1b[2J\x9b31mnote\r\nline"))
        await pilot.pause()
        assert app.screen.query_one("#note-text").text.endswith("pasted note\nline")
        assert_inert(app, "note editor after a paste")


async def test_the_details_form_holds_library_text_inert_and_an_untouched_save_keeps_it(hostile: Path) -> None:
    """The form's boxes hold the fields as a save stores them; saving without a change writes nothing."""
    from textual.widgets import TextArea

    from readlist.tui.screens.details import DetailsEditor

    before = fresh(hostile).papers
    app = open_app(hostile)
    async with app.run_test(size=SIZE) as pilot:
        paper = app.screen.query_one(PaperList).current
        assert paper is not None and FORBIDDEN.search(paper.title)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, DetailsEditor)
        values = [box.value for box in app.screen.query(Input)]
        assert "Evil" in values[0] and all(not FORBIDDEN.search(value) and MARK not in value for value in values)
        abstract = app.screen.query_one("#details-abstract", TextArea).text
        assert "Evil" in abstract and not FORBIDDEN.search(abstract.replace("\n", "").replace("\t", ""))
        assert_inert(app, "details form")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, DetailsEditor)
        assert fresh(hostile).papers == before
        # A field the user does correct is saved as the box showed it: no escape goes back in, and no mark.
        await pilot.press("e", *" fixed", "enter")
        await pilot.pause()
    title = fresh(hostile).papers[paper.id].title
    assert title.endswith("fixed") and not FORBIDDEN.search(title) and MARK not in title
    assert fresh(hostile).papers[paper.id].abstract == before[paper.id].abstract


async def test_text_set_in_a_box_by_the_app_is_inert(hostile: Path) -> None:
    """Whatever puts text in a box (not only the user's keys and pastes), it never draws a control."""
    from readlist.tui.widgets.text_input import NoteArea

    app = open_app(hostile)
    async with app.run_test(size=SIZE) as pilot:
        box = app.screen.query_one("#search", Input)
        box.value = "a\x1b]2;PWNED\x1b\\b\x9b31mc\u202ed\x1bP$q m\x1b\\e\tf\u2028g"
        await pilot.pause()
        assert box.value == "abcde f g"
        assert_inert(app, "search box set by the app")
        area = NoteArea("x\x1b]52;c;cHduZWQ=\x07y\u2029z")
        assert area.text == "xy\nz"
        area.load_text("\u202eq\r\nr")
        assert area.text == "q\nr"
        area.insert("\x1b[2Js")
        assert area.text == "sq\nr"


async def test_a_saved_search_with_escapes_comes_back_inert(hostile: Path) -> None:
    """``library.json.ui`` is a file like the library: the search it restores cannot set the window title."""
    from readlist.app.ui_state import UiState, save_ui_state

    save_ui_state(hostile, UiState(view="all", search="evil\x1b]2;PWNED\x1b\\\u202e"))
    app = open_app(hostile)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert screen.query_one("#search", Input).value == "evil" == screen.query_text
        assert "Evil" in assert_inert(app, "main screen with a restored search")


async def test_the_palette_names_a_saved_view_inert(hostile: Path, _private_config: Path) -> None:
    """A saved search's name comes from config.toml: its "Remove view" entry shows it as the "View" entry does."""
    from textual.command import CommandList

    _private_config.write_text('[views]\n"mine\\u001b]2;PWNED\\u001b\\\\\\u202e" = "evil"\n', encoding="utf-8")
    app = open_app(hostile)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p", *"remove")
        await pilot.pause(0.5)
        assert isinstance(app.screen, CommandPalette)
        options = app.screen.query_one(CommandList)
        shown = "\n".join(str(options.get_option_at_index(i).prompt) for i in range(options.option_count))
        assert f"Remove view: mine{MARK}{MARK}" in shown, shown
        assert not FORBIDDEN.search(shown.replace("\n", " "))
        assert_inert(app, "command palette")
