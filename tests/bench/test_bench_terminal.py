"""The benchmark's terminal: what a program draws is read back as a screen, with the time it arrived.

Only the harness is tested here (no timing is asserted): the figures it produces are in docs/performance.md.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from terminal import Terminal, Timeout, line_with, shows

DRAW = r"""
import sys, time
sys.stdout.write("\x1b[2J\x1b[H\x1b[1;31mred title\x1b[0m\r\n")   # clear, home, styled text
sys.stdout.write("\x1b[5;10Hplaced at row 5")                     # cursor addressing
sys.stdout.flush()
time.sleep(0.3)
sys.stdout.write("\x1b[5;10H\x1b[Kreplaced")                      # erase to end of line, redraw
sys.stdout.flush()
sys.stdin.read(1)
"""


def test_the_screen_is_what_the_program_drew_where_it_drew_it() -> None:
    term = Terminal([sys.executable, "-c", DRAW], size=(40, 8))
    try:
        first = term.wait_for(shows("placed at row 5"), "the first frame", timeout=20)
        assert term.lines[0].startswith("red title") and term.lines[4][9:].startswith("placed at row 5")
        second = term.wait_for(shows("replaced"), "the second frame", timeout=20)
        assert term.lines[4].rstrip() == " " * 9 + "replaced"  # the old text is gone, as on a real terminal
        assert term.started <= first < second <= time.perf_counter()  # stamped when each frame arrived
    finally:
        term.close(b"x\n")
    assert term.process.returncode == 0


def test_waiting_for_what_never_comes_says_what_the_screen_showed() -> None:
    term = Terminal([sys.executable, "-c", DRAW], size=(40, 8))
    try:
        with pytest.raises(Timeout, match="timed out waiting for nothing like this") as caught:
            term.wait_for(shows("nothing like this"), "nothing like this", timeout=1)
        assert any("red title" in line for line in caught.value.screen)
    finally:
        term.close(b"x\n")


def test_checks_look_at_whole_screens_or_single_lines() -> None:
    screen = ["Inbox 12  sort: added", "a b", "c"]
    assert shows("Inbox 12", "c")(screen) and not shows("Inbox 13")(screen)
    assert line_with("a", "b")(screen) and not line_with("a", "c")(screen)
