"""End to end: what a terminal sends, read as keys by the driver the app reads a real terminal with."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from pty_terminal import STARTUP, Terminal
from tui_helpers import fresh

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")


def note_session(library: Path, home: Path, typed: bytes) -> Terminal:
    """``n``, then ``typed`` in one write, then Esc and ``q`` each on their own: the ended session."""
    terminal = Terminal(library, home)
    try:
        terminal.wait_for(b"Inbox", 0, STARTUP)
        terminal.settle()
        terminal.press(b"n", "Note ·".encode())
        terminal.press(typed, None)
        terminal.press(b"\x1b", None)  # closes the editor if it is still open, so the session can end
        terminal.press(b"q", None)
        terminal.finish()
    finally:
        if terminal.process.poll() is None:
            terminal.process.kill()
            terminal.process.wait()
    return terminal


def notes(library: Path) -> list[tuple[str, int]]:
    return [(paper.note, paper.rating) for paper in fresh(library).papers.values() if paper.note]


def test_esc_then_a_digit_in_one_read_saves_the_note_and_rates(small_library: Path, tmp_path: Path) -> None:
    """The pseudo-terminal answers none of Textual's questions, so Esc comes as the bare escape character that xterm
    and tmux send: with a 4 in the same read, Textual's parser typed "¢" into the note."""
    terminal = note_session(small_library, tmp_path, b"idea\x1b4")
    assert notes(small_library) == [("idea", 4)]
    assert terminal.process.returncode == 0


def test_a_byte_that_is_no_utf8_is_typed_as_a_replacement_character(small_library: Path, tmp_path: Path) -> None:
    """A Latin-1 "é" (the byte E9) stopped the app's key reader with a traceback: the app closed, the note unsaved."""
    terminal = note_session(small_library, tmp_path, b"caf\xe9 ok")
    assert notes(small_library) == [("caf\ufffd ok", 0)]
    assert terminal.process.returncode == 0
