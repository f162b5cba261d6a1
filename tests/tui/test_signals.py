"""Closing the terminal, or being asked to stop, closes the app as quitting does: nothing typed is lost.

The note editor saves half a second after typing pauses; a terminal window closed (SIGHUP), a logout or
``kill`` (SIGTERM), or a terminal that simply goes away must not lose those last keys. The real app runs in a
pseudo-terminal for the three ways it can be ended; test_note_autosave.py covers the app's own part.
"""

from __future__ import annotations

import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
from tui_helpers import fresh

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX signals and a pseudo-terminal")

WAIT = 60.0  # the longest any step may take on a loaded machine; the steps themselves take a second or two


class _Pty:
    """The real ``readlist`` in a pseudo-terminal that is not its controlling terminal (no hang-up on close)."""

    def __init__(self, db: Path) -> None:
        try:
            self.master, slave = os.openpty()
        except OSError as exc:
            pytest.skip(f"no pseudo-terminal: {exc}")
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color"}
        env.pop("TEXTUAL", None)
        self.process = subprocess.Popen([sys.executable, "-m", "readlist", "--db", str(db)], stdin=slave,
                                        stdout=slave, stderr=slave, env=env, start_new_session=True)
        os.close(slave)
        self.output = bytearray()
        self.open = True

    def wait_for(self, marker: bytes) -> None:
        start = len(self.output)
        deadline = time.monotonic() + WAIT
        while marker not in self.output[start:] and time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.1)
            if ready:
                try:
                    self.output.extend(os.read(self.master, 65536))
                except OSError:
                    break
        assert marker in self.output[start:], bytes(self.output[-300:])

    def type(self, text: str) -> None:
        os.write(self.master, text.encode())

    def close(self) -> None:
        if self.open:
            os.close(self.master)
            self.open = False

    def ended(self) -> int:
        """The exit status, reading meanwhile so the app is never blocked writing."""
        deadline = time.monotonic() + WAIT
        while self.process.poll() is None and time.monotonic() < deadline:
            if self.open:
                ready, _, _ = select.select([self.master], [], [], 0.1)
                if ready:
                    try:
                        os.read(self.master, 65536)
                    except OSError:
                        self.close()
            else:
                time.sleep(0.1)
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
            pytest.fail("readlist did not end")
        self.close()
        return self.process.returncode


@pytest.mark.parametrize("ending", ["SIGHUP", "SIGTERM", "terminal closed"])
def test_the_real_app_keeps_the_last_keys_of_a_note_however_it_is_ended(small_library: Path, ending: str) -> None:
    app = _Pty(small_library)
    try:
        app.wait_for(b"Inbox")
        app.type("n")
        app.wait_for(b"saved as you type")
        app.type("the last words")
        app.wait_for(b"last word")  # on screen: the app has read the keys
        # At once: well inside the half second after which the editor saves by itself.
        if ending == "terminal closed":
            app.close()
        else:
            app.process.send_signal(getattr(signal, ending))
        status = app.ended()
    finally:
        app.close()
        if app.process.poll() is None:
            app.process.kill()
    notes = [p.note for p in fresh(small_library).papers.values() if p.note]
    assert notes == ["the last words"]
    expected = signal.SIGTERM if ending == "SIGTERM" else signal.SIGHUP
    assert status == 128 + expected
