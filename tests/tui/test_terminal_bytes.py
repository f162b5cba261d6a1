"""End to end: the real ``readlist`` in a pseudo-terminal, every byte it writes checked.

The same keys are pressed on a clean library and on one whose text fields hold raw escape
sequences (written into the file by hand). What Textual itself sends to drive the terminal is
learnt from the clean session; the hostile session may send nothing beyond that: no clipboard
(OSC 52) or title (OSC 0/1/2) sequence, no DCS/APC/PM/SOS string, no C1 control, no bidi
override, and no control character outside Textual's own sequences.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from pty_terminal import STARTUP, Terminal
from tui_helpers import hostile_library

from readlist.app.imports import ImportPapers
from readlist.core.model import Paper
from readlist.core.text import MARK
from readlist.storage.library import Library

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")

CSI = re.compile(rb"\x1b\[([0-?]*)[ -/]*([@-~])")
OSC = re.compile(rb"\x1b\]([0-9]*)[^\x07\x1b]*(?:\x07|\x1b\\)")

# (key bytes, text that shows the key took effect, or None to wait until the screen is quiet)
SESSION: list[tuple[bytes, bytes | None]] = [
    (b"j", None),
    (b"k", None),
    (b"T", "Triage ·".encode()),
    (b"\x1b", None),
    (b"n", "Note ·".encode()),
    (b"\x1b", None),
    (b"t", b"Tags for"),
    (b"\x1b", None),
    (b"Y", b"citation"),
    (b"\x1b", None),
    (b"?", b"Keys: "),
    (b"\x1b", None),
    (b"S", "Statistics ·".encode()),
    (b"\x1b", None),
    (b"D", b"y yes"),
    (b"n", None),
    (b"o", None),
    (b"]", None),
    (b"q", None),
]


def run_session(db: Path, home: Path, ready: bytes) -> bytes:
    terminal = Terminal(db, home)
    try:
        terminal.wait_for(ready, 0, STARTUP)
        terminal.settle()
        for key, marker in SESSION:
            terminal.press(key, marker)
        return terminal.finish()
    finally:
        if terminal.process.poll() is None:
            terminal.process.kill()
            terminal.process.wait()


def clean_library(path: Path) -> Path:
    lib = Library(path)
    papers = [Paper.create(title=f"Plain paper {i}", arxiv_id=f"2404.0000{i}", abstract="Nothing odd.",
                           organization="Org", tags=["ok"], note="A *note*.") for i in (1, 2)]
    ImportPapers(papers, "seed.txt").execute(lib)
    lib.compact(force=True)
    return path


def controls_kinds(output: bytes) -> tuple[set[tuple[bytes, bytes]], set[bytes], bytes]:
    """(CSI kinds as (private prefix, final byte), the OSC sequences, what is left with both removed)."""
    kinds = {(m.group(1)[:1] if m.group(1)[:1] in (b"?", b">", b"<", b"=") else b"", m.group(2))
             for m in CSI.finditer(output)}
    oscs = {m.group(0) for m in OSC.finditer(output)}
    rest = OSC.sub(b"", CSI.sub(b"", output))
    return kinds, oscs, rest


@pytest.fixture(scope="module")
def sessions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    home = tmp_path_factory.mktemp("terminal-home")
    clean = clean_library(home / "clean.json")
    hostile = hostile_library(home / "hostile.json")
    # Both sessions at once, each in its own terminal: half the wait.
    with ThreadPoolExecutor(2) as pool:
        runs = {"clean": pool.submit(run_session, clean, home, b"Plain paper"),
                "hostile": pool.submit(run_session, hostile, home, b"Evil")}
        return {name: run.result() for name, run in runs.items()}


def test_the_hostile_session_really_drew_the_library(sessions: dict[str, bytes]) -> None:
    text = sessions["hostile"].decode("utf-8")  # also: everything written is valid UTF-8
    assert "Evil" in text and MARK in text and "RTL" in text
    for marker in ("Triage ·", "Tags for", "Keys: ", "Statistics ·", "y yes"):
        assert marker in text


@pytest.mark.parametrize(
    ("what", "sequence"),
    [
        ("OSC 52 (clipboard)", b"\x1b]52"),
        ("OSC 0 (title)", b"\x1b]0;"),
        ("OSC 1 (icon title)", b"\x1b]1;"),
        ("OSC 2 (title)", b"\x1b]2;"),
        ("DCS", b"\x1bP"),
        ("APC", b"\x1b_"),
        ("PM", b"\x1b^"),
        ("SOS", b"\x1bX"),
        ("the library's clear-screen and colour", b"\x1b[2J\x1b[31mred"),
        ("the library's colour", b"\x1b[31mred"),
        ("C1 CSI", "\x9b".encode()),
        ("C1 OSC", "\x9d".encode()),
        ("C1 ST", "\x9c".encode()),
        ("C1 NEL", "\x85".encode()),
        ("RLO", "\u202e".encode()),
        ("LRI", "\u2066".encode()),
    ],
)
def test_nothing_from_the_library_drives_the_terminal(
    sessions: dict[str, bytes], what: str, sequence: bytes
) -> None:
    assert sequence not in sessions["clean"], f"Textual itself sends {what}; the check is void"
    assert sequence not in sessions["hostile"], f"{what} reached the terminal"


def test_only_what_textual_itself_sends(sessions: dict[str, bytes]) -> None:
    clean_kinds, clean_oscs, clean_rest = controls_kinds(sessions["clean"])
    kinds, oscs, rest = controls_kinds(sessions["hostile"])
    assert kinds <= clean_kinds, f"CSI kinds only the hostile library produced: {kinds - clean_kinds}"
    assert oscs <= clean_oscs, f"OSC sequences only the hostile library produced: {oscs - clean_oscs}"
    text = rest.decode("utf-8")
    allowed: Callable[[str], bool] = lambda c: c in "\r\n" or c in clean_rest.decode("utf-8")  # noqa: E731
    stray = sorted({f"U+{ord(c):04X}" for c in re.findall("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", text)
                    if not allowed(c)})
    assert not stray, f"control characters outside Textual's own sequences: {stray}"
