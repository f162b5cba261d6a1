"""A note of any size leaves the app quick: the panes draw a screenful of it and say how much more there is, and the
note editor opens a long note whole or, past what it can edit smoothly, says so and points to $EDITOR. The stored
note is never touched by either."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Markdown, Static, TextArea
from tui_helpers import SIZE, fresh, open_app, topbar

from readlist.app.notes import SaveNote
from readlist.tui.app import ReadlistApp
from readlist.tui.screens.main import MainScreen
from readlist.tui.widgets.note import (
    EDITOR_MAX_CHARS,
    EDITOR_MAX_LINES,
    PANE_CHARS_PER_LINE,
    PANE_LINES,
    note_beginning,
)
from readlist.tui.widgets.paper_list import PaperList

# 120 short paragraphs: 239 lines, far more than a screenful, well within what the editor opens.
LONG = "\n\n".join(f"Paragraph {i}: what section {i} of the paper shows, with *emphasis*." for i in range(120))
# Past the note editor's size: 600 lines of 400 characters (240,000 characters).
HUGE = "\n".join(f"Line {i} " + "word " * 79 for i in range(600))


async def noted_first_paper(path: Path, note: str) -> str:
    """Give the first paper of the list ``note`` (as ``readlist note ID -`` would) and return its id."""
    app = open_app(path)
    async with app.run_test(size=SIZE):
        paper = app.screen.query_one(PaperList).current
        assert paper is not None
    SaveNote(paper.id, note).execute(fresh(path))
    return paper.id


async def settled(pilot: object) -> None:
    await pilot.pause()  # type: ignore[attr-defined]
    await pilot.pause(0.3)  # type: ignore[attr-defined]  # the note becomes Markdown after the first frame


def more_line(app: ReadlistApp, prefix: str) -> str:
    more = app.screen.query_one(f"#{prefix}-note-more", Static)
    assert more.display
    return str(more.render())


def assert_a_screenful(app: ReadlistApp, prefix: str, note: str) -> str:
    """The pane holds the beginning of ``note`` as Markdown, a screenful at most, and returns what it shows."""
    body = app.screen.query_one(f"#{prefix}-note", Markdown)
    shown = body.source
    assert note.startswith(shown)
    assert shown.count("\n") < PANE_LINES and len(shown) <= PANE_LINES * PANE_CHARS_PER_LINE
    return shown


async def test_the_detail_pane_draws_a_screenful_of_a_long_note_and_says_how_much_more(small_library: Path) -> None:
    """The pane drew the whole note: a 1 MB note kept the first paint waiting 6 s, 10 MB 45 s."""
    paper_id = await noted_first_paper(small_library, LONG)
    app = open_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        shown = assert_a_screenful(app, "detail", LONG)
        assert "Paragraph 0:" in shown and "Paragraph 119" not in shown
        left = LONG[len(shown):].lstrip("\n")
        more = more_line(app, "detail")
        assert f"{left.count(chr(10)) + 1} lines ({len(left):,} characters) more" in more
        assert "n edits the whole note" in more and f"`readlist note {paper_id}` prints it all" in more
        # The editor opens it whole, and Esc without typing leaves it as stored.
        await pilot.press("n")
        await pilot.pause()
        assert app.screen.query_one("#note-text", TextArea).text == LONG
        await pilot.press("escape")
        await pilot.pause()
    assert fresh(small_library).papers[paper_id].note == LONG


async def test_triage_mode_draws_a_screenful_of_a_long_note(small_library: Path) -> None:
    """Triage mode shows the note as the detail pane does: it too drew the whole note."""
    await noted_first_paper(small_library, LONG)
    app = open_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await pilot.press("T")
        await settled(pilot)
        shown = assert_a_screenful(app, "triage", LONG)
        assert "Paragraph 119" not in shown
        assert "n edits the whole note" in more_line(app, "triage")


async def test_the_note_editor_says_a_note_is_too_long_for_it_and_points_to_editor(small_library: Path) -> None:
    """Opening a 1 MB note took 31 s and a 10 MB one never finished, losing what was typed meanwhile: now n says at
    once that the note is too long for it and which key and command edit it, and the note is left as stored."""
    assert len(HUGE) > EDITOR_MAX_CHARS
    paper_id = await noted_first_paper(small_library, HUGE)
    app = open_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        more = more_line(app, "detail")
        assert "Too long for the editor here" in more
        assert f"N (or `readlist note {paper_id} --edit`) edits it in $EDITOR" in more
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen) and not app.screen.query("#note-text")
        refusal = f"Note too long to edit here: N (or `readlist note {paper_id} --edit`) edits it in $EDITOR"
        assert refusal in topbar(app)
        why = [str(n.message) for n in app._notifications]
        assert any(f"{len(HUGE):,} characters in 600 lines" in message and "$EDITOR" in message for message in why)
        # Triage mode says the same, in a notification.
        app.clear_notifications()
        await pilot.press("T")
        await settled(pilot)
        await pilot.press("n")
        await pilot.pause()
        assert not app.screen.query("#note-text")
        assert [n.title for n in app._notifications] == [f"Note too long to edit here: N (or `readlist note "
                                                         f"{paper_id} --edit`) edits it in $EDITOR"]
    assert fresh(small_library).papers[paper_id].note == HUGE


async def test_a_note_of_many_short_lines_is_too_long_for_the_editor_too(small_library: Path) -> None:
    """The editor's cost grows with the lines as much as with the characters (10,000 lines: 0.3 s a key)."""
    many = "\n".join(f"- item {i}" for i in range(EDITOR_MAX_LINES + 1))
    assert len(many) < EDITOR_MAX_CHARS
    paper_id = await noted_first_paper(small_library, many)
    app = open_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await pilot.press("n")
        await pilot.pause()
        assert not app.screen.query("#note-text")
        assert "Note too long to edit here" in topbar(app)
        shown = assert_a_screenful(app, "detail", many)
        assert shown.endswith(f"- item {PANE_LINES - 1}")
    assert fresh(small_library).papers[paper_id].note == many


def test_the_beginning_of_a_note_ends_at_a_line_end_or_a_space() -> None:
    """Cut by lines at the end of a line; cut by characters at a line end or a space in the second half, not inside a
    word; leading blank lines are passed over, and a rest of only blanks leaves the note whole."""
    assert note_beginning("a\nb\nc\nd", 2, 100) == ("a\nb", 3, 2)
    assert note_beginning("\n\n  \nfirst\nsecond\n", 1, 100) == ("first", 7, 1)
    assert note_beginning("a\nb\n\n  \n", 2, 100) == ("a\nb\n\n  \n", 0, 0)
    assert note_beginning("one two three four", 5, 12) == ("one two", 10, 1)
    assert note_beginning("x" * 30, 5, 10) == ("x" * 10, 20, 1)
    assert note_beginning("short note", 50, 5000) == ("short note", 0, 0)


async def test_the_line_under_a_long_note_names_the_note_key_as_mapped(
    small_library: Path, _private_config: Path
) -> None:
    """The line is drawn before the paper list's keys are live: it still names the key the keymap gave the editor."""
    _private_config.write_text('[keymap]\nnote = "ctrl+n, -n"\n', encoding="utf-8")
    await noted_first_paper(small_library, LONG)
    app = open_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        more = more_line(app, "detail")
        assert "^n edits the whole note" in more and " n edits" not in more
