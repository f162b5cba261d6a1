"""The note editor saves what was typed within about half a second, without leaving the editor."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from textual import events
from textual.pilot import Pilot
from tui_helpers import SIZE, burst, closed, disk_full, fresh

import readlist.tui.screens.note_editor as note_editor
from readlist.tui.app import ReadlistApp
from readlist.tui.screens.note_editor import NoteEditor

MakeApp = Callable[..., ReadlistApp]


async def test_typing_is_saved_after_a_pause_while_the_editor_stays_open(
    small_library: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(note_editor, "AUTOSAVE_SECONDS", 3600.0)  # only the pause after typing can save
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        assert isinstance(app.screen, NoteEditor)
        pid = app.screen.paper_id
        await pilot.press(*"typed before a crash")
        # Nothing is pressed after this: the editor is still open, as when a terminal is killed.
        for _ in range(200):  # up to 10 s on a loaded machine; the save itself comes 0.5 s after typing
            if fresh(small_library).papers[pid].note == "typed before a crash":
                break
            await asyncio.sleep(0.05)
        assert fresh(small_library).papers[pid].note == "typed before a crash"
        assert isinstance(app.screen, NoteEditor)
        assert note_editor.SAVE_AFTER_TYPING <= 0.5


async def test_typing_on_without_a_pause_is_saved_as_it_goes(
    small_library: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each keystroke restarted the wait, so typing on without a pause was saved only every 3 s: a SIGKILL then
    lost up to 3 s of it. The wait now starts at the first keystroke after a save."""
    monkeypatch.setattr(note_editor, "AUTOSAVE_SECONDS", 3600.0)  # only the wait after typing can save
    app = make_app(small_library)
    text = "typing on without a pause"
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        assert isinstance(app.screen, NoteEditor)
        pid = app.screen.paper_id
        for key in text:  # a key every 0.1 s: never the half-second pause the old wait needed
            await pilot.press(key)
            await asyncio.sleep(0.1)
        saved = fresh(small_library).papers[pid].note  # still typing, as far as the editor knows
        assert saved and text.startswith(saved), saved
        assert isinstance(app.screen, NoteEditor)


@contextlib.asynccontextmanager
async def _editing_until_closed(
    library: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[ReadlistApp, Pilot[None], str]]:
    """The app with the note editor open on the paper under the cursor, where only closing the app saves; the
    block must close it (it is waited for, up to 10 s on a loaded machine). Yields the app, pilot and paper id."""
    monkeypatch.setattr(note_editor, "AUTOSAVE_SECONDS", 3600.0)
    monkeypatch.setattr(note_editor, "SAVE_AFTER_TYPING", 3600.0)
    app = make_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        assert isinstance(app.screen, NoteEditor)
        yield app, pilot, app.screen.paper_id
        await closed(app)


async def test_keys_typed_just_before_quitting_are_saved(
    small_library: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fast typist's last keys and the quit key arrive together: the quit waits for the keys."""
    async with _editing_until_closed(small_library, make_app, monkeypatch) as (app, pilot, pid):
        await pilot.press(*"first line", "enter")
        # Posted at once, as a terminal delivers a burst: nothing waits between the keys.
        for key in ("C", "Q", "1", "enter", "C", "Q", "2", "ctrl+q"):
            app.post_message(events.Key(key, key if len(key) == 1 else None))
    assert fresh(small_library).papers[pid].note == "first line\nCQ1\nCQ2"


async def test_a_signal_saves_the_note_being_typed_and_closes_the_app(
    small_library: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app's part of closing on SIGHUP or SIGTERM (tests/tui/test_signals.py sends the real signals)."""
    async with _editing_until_closed(small_library, make_app, monkeypatch) as (app, pilot, pid):
        await pilot.press(*"typed as the window closed")
        assert fresh(small_library).papers[pid].note == ""
        app.end_on_signal(signal.SIGTERM)
    assert fresh(small_library).papers[pid].note == "typed as the window closed"
    assert app.return_code == 128 + signal.SIGTERM and app.ended_by == signal.SIGTERM


async def test_keys_read_just_before_a_signal_are_saved(
    small_library: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keys the terminal had handed over, still queued when the signal came (a loaded machine): the app closed
    before it took them, and the note lost its last letters."""
    async with _editing_until_closed(small_library, make_app, monkeypatch) as (app, pilot, pid):
        await pilot.press(*"typed as the window")
        burst(app, " closed")  # queued, not yet taken: the signal comes in the same moment
        app.end_on_signal(signal.SIGTERM)
    assert fresh(small_library).papers[pid].note == "typed as the window closed"
    assert app.return_code == 128 + signal.SIGTERM


def _drafts_to(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Drafts the editor keeps go to ``folder`` (the system's temporary folder otherwise); saving waits for keys."""
    import tempfile

    folder.mkdir(exist_ok=True)
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    monkeypatch.setattr(note_editor, "AUTOSAVE_SECONDS", 3600.0)
    return folder


def _status(app: ReadlistApp) -> str:
    from textual.widgets import Static

    return str(app.screen.query_one("#note-status", Static).render())


async def test_a_note_that_cannot_be_saved_is_kept_in_a_file_when_leaving(
    small_library: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    drafts = _drafts_to(tmp_path / "drafts", monkeypatch)
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        pid = app.screen.paper_id
        disk_full(monkeypatch)
        await pilot.press(*"precious words")
        await pilot.press("ctrl+s")
        assert "Not saved" in _status(app) and "Saved." not in _status(app)
        # No copy can be made either: the editor stays open with the text, and says so.
        monkeypatch.setattr(note_editor, "keep_draft", lambda text: (_ for _ in ()).throw(OSError("full too")))
        await pilot.press("escape")
        assert isinstance(app.screen, NoteEditor) and "stays here" in _status(app)
        # The save timed after the typing is not left to come later and say its own failure over this.
        await pilot.pause(note_editor.SAVE_AFTER_TYPING + 0.3)
        assert "stays here" in _status(app)
        monkeypatch.undo()  # the disk has room again for a copy, not for the library (patched again below)
        _drafts_to(drafts, monkeypatch)
        disk_full(monkeypatch)
        await pilot.press("escape")
        assert not isinstance(app.screen, NoteEditor)
    kept = list(drafts.glob("readlist-note-*.md"))
    assert len(kept) == 1 and kept[0].read_text(encoding="utf-8") == "precious words"
    assert fresh(small_library).papers[pid].note == ""
    assert app.exit_notices == []  # told in the app, where it happened; closing had nothing left to keep


async def test_a_note_that_cannot_be_saved_when_the_app_closes_is_kept_and_named_at_exit(
    small_library: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _drafts_to(tmp_path, monkeypatch)
    monkeypatch.setattr(note_editor, "SAVE_AFTER_TYPING", 3600.0)
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        disk_full(monkeypatch)
        await pilot.press(*"last thoughts", "ctrl+q")
        await closed(app)
    assert len(app.exit_notices) == 1 and "No space left on device" in app.exit_notices[0]
    kept = list(tmp_path.glob("readlist-note-*.md"))
    assert len(kept) == 1 and str(kept[0]) in app.exit_notices[0]
    assert kept[0].read_text(encoding="utf-8") == "last thoughts"


async def test_saving_a_note_whose_paper_was_deleted_elsewhere_never_says_saved(
    small_library: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from readlist.app.commands import Delete
    from readlist.storage.library import Library

    _drafts_to(tmp_path, monkeypatch)
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        pid = app.screen.paper_id
        await pilot.press(*"kept words", "ctrl+s")
        assert "Saved." in _status(app)
        Delete([pid]).execute(Library(small_library))  # another window removes the paper
        app.session.refresh()
        await pilot.press("ctrl+s")
        assert "deleted outside the editor" in _status(app) and "Saved." not in _status(app)
        await pilot.press("escape")
        assert not isinstance(app.screen, NoteEditor)
    kept = list(tmp_path.glob("readlist-note-*.md"))
    assert len(kept) == 1 and kept[0].read_text(encoding="utf-8") == "kept words"
