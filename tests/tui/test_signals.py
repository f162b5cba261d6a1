"""Closing the terminal, or being asked to stop, closes the app as quitting does: nothing typed is lost.

The note editor saves half a second after typing pauses; a terminal window closed (SIGHUP), a logout or
``kill`` (SIGTERM), or a terminal that simply goes away must not lose those last keys. The real app runs in a
pseudo-terminal for the three ways it can be ended; test_note_autosave.py covers the app's own part.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest
from pty_terminal import STARTUP, STEP, Terminal
from tui_helpers import fresh

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX signals and a pseudo-terminal")


@pytest.mark.parametrize("ending", ["SIGHUP", "SIGTERM", "terminal closed"])
def test_the_real_app_keeps_the_last_keys_of_a_note_however_it_is_ended(
    small_library: Path, tmp_path: Path, ending: str
) -> None:
    app = Terminal(small_library, tmp_path)
    try:
        app.wait_for(b"Inbox", 0, STARTUP)
        app.press(b"n", b"saved as you type")
        start = len(app.output)
        os.write(app.master, b"the last words")  # no pause after it, unlike press
        app.wait_for(b"last word", start, STEP)  # on screen: the app has read the keys
        # At once: well inside the half second after which the editor saves by itself.
        if ending == "terminal closed":
            app.close()
        else:
            app.process.send_signal(getattr(signal, ending))
        app.finish()
    finally:
        app.close()
        if app.process.poll() is None:
            app.process.kill()
            app.process.wait()
    notes = [p.note for p in fresh(small_library).papers.values() if p.note]
    assert notes == ["the last words"]
    expected = signal.SIGTERM if ending == "SIGTERM" else signal.SIGHUP
    assert app.process.returncode == 128 + expected
