"""The note editor saves what was typed within about half a second, without leaving the editor."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from textual import events
from tui_helpers import SIZE, fresh

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


async def test_keys_typed_just_before_quitting_are_saved(
    small_library: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fast typist's last keys and the quit key arrive together: the quit waits for the keys."""
    monkeypatch.setattr(note_editor, "AUTOSAVE_SECONDS", 3600.0)
    monkeypatch.setattr(note_editor, "SAVE_AFTER_TYPING", 3600.0)  # only the quit can save
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        assert isinstance(app.screen, NoteEditor)
        pid = app.screen.paper_id
        await pilot.press(*"first line", "enter")
        # Posted at once, as a terminal delivers a burst: nothing waits between the keys.
        for key in ("C", "Q", "1", "enter", "C", "Q", "2", "ctrl+q"):
            app.post_message(events.Key(key, key if len(key) == 1 else None))
        for _ in range(200):
            if not app.is_running:
                break
            await asyncio.sleep(0.05)
    assert fresh(small_library).papers[pid].note == "first line\nCQ1\nCQ2"
