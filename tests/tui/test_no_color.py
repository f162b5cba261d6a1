"""With ``NO_COLOR`` set, the real ``readlist`` in a pseudo-terminal draws no colour at all.

What it writes is read back through a terminal emulator: every cell in the terminal's default
colours, and the highlights still to be seen, in reverse video (the list's cursor, the current view)
or underlined (the option under the cursor in the citation formats).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pyte
import pytest
from pty_terminal import COLUMNS, ROWS, STARTUP, Terminal
from tui_helpers import SEEDS_DIR, build_library

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")

SGR = re.compile(rb"\x1b\[([0-9;:]*)m")
# SGR parameters that set a colour: 30-38 and 40-48 (38 and 48 start 256-colour and RGB colours), 90-97, 100-107.
COLOUR = {*range(30, 39), *range(40, 49), *range(90, 98), *range(100, 108)}


def colour_codes(output: bytes) -> set[int]:
    """The SGR parameters in ``output`` that set a colour (the numbers of a 256-colour or RGB colour left out)."""
    found: set[int] = set()
    for match in SGR.finditer(output):
        parts = [int(part) if part else 0 for part in re.split(rb"[;:]", match.group(1))]
        index = 0
        while index < len(parts):
            code = parts[index]
            if code in COLOUR:
                found.add(code)
            if code in (38, 48):  # 38;5;n or 38;2;r;g;b
                index += 2 if parts[index + 1:index + 2] == [5] else 4
            index += 1
    return found


def screen_of(output: bytes) -> pyte.Screen:
    screen = pyte.Screen(COLUMNS, ROWS)
    pyte.ByteStream(screen).feed(output)
    return screen


def row_of(screen: pyte.Screen, text: str) -> int:
    """The first line that starts with ``text`` after its first cell."""
    return next(y for y, line in enumerate(screen.display) if line[1:].startswith(text))


def test_no_color_draws_no_colour_and_shows_highlights_otherwise(tmp_path: Path) -> None:
    db = build_library(tmp_path / "library.json", [sorted(SEEDS_DIR.glob("*.txt"))[0]], limit=12)
    terminal = Terminal(db, tmp_path, env={"NO_COLOR": "1"})
    try:
        terminal.wait_for(b"Inbox", 0, STARTUP)
        terminal.settle()
        terminal.press(b"j", None)  # the cursor on the second paper, in the middle of the list
        listing = screen_of(bytes(terminal.output))
        terminal.press(b"Y", b"BibLaTeX")
        terminal.press(b"j", None)  # the formats' cursor on BibLaTeX
        formats = screen_of(bytes(terminal.output))
        terminal.press(b"\x1b", None)
        terminal.press(b"q", None)
        output = terminal.finish()
    finally:
        if terminal.process.poll() is None:
            terminal.process.kill()
            terminal.process.wait()

    assert not colour_codes(output), f"colour codes written: {sorted(colour_codes(output))}"
    for screen in (listing, formats):
        assert all(cell.fg == "default" and cell.bg == "default" for row in screen.buffer.values()
                   for cell in row.values())

    # The list's cursor: the second paper's row, in reverse video from the selection mark on; the first is not.
    width = 24  # past the sidebar
    other = row_of(listing, "Inbox")  # the sidebar's first view and the list's first paper
    cursor = other + 1
    assert all(listing.buffer[cursor][x].reverse for x in range(width, width + 40))
    assert not any(listing.buffer[other][x].reverse for x in range(width, width + 40))
    # The current view in the sidebar.
    assert all(listing.buffer[other][x].reverse for x in range(1, 6))
    # The format under the cursor.
    for name, chosen in (("BibLaTeX", True), ("BibTeX ", False)):
        y = next(y for y, line in enumerate(formats.display) if f" {name}" in line)
        start = formats.display[y].index(f" {name}") + 1
        assert all(formats.buffer[y][x].underscore == chosen for x in range(start, start + 6)), name
