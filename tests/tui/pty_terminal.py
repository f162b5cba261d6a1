"""The real ``readlist`` in a pseudo-terminal: what the end-to-end terminal tests drive and read.

POSIX only (pseudo-terminals); test modules that use it skip elsewhere. The terminal is not the process's
controlling terminal (it runs in a session of its own), so closing it sends no hang-up signal.
"""

from __future__ import annotations

import fcntl
import os
import select
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

ROWS, COLUMNS = 40, 140
# Reading timeouts only: how long to wait for the app to draw something before giving up.
STARTUP = 60.0
STEP = 30.0
QUIET = 0.25  # longer than Textual's 0.1 s wait after Esc, so the next key is never read as alt+key


class Terminal:
    """A pseudo-terminal running one ``readlist`` process, keeping everything it writes."""

    def __init__(self, db: Path, home: Path, env: dict[str, str] | None = None) -> None:
        """``env``: variables set for this run over the terminal's own (``NO_COLOR``, a ``TERM``)."""
        try:
            self.master, slave = os.openpty()
        except OSError as exc:  # a sandbox without pseudo-terminals
            pytest.skip(f"no pseudo-terminal: {exc}")
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
        env = {
            **os.environ,
            "TERM": "xterm-256color",
            "COLORTERM": "truecolor",
            # `o` opens a "browser" that does nothing (run in the background, as a desktop browser is),
            # rather than copying the URL through OSC 52 as it does where no browser can open. It must
            # still be running when Python checks that it started, or `o` counts it as failed.
            "BROWSER": "sh -c 'sleep 3' %s &",
            "DISPLAY": ":0",
            "READLIST_CONFIG": str(home / "config.toml"),
            "READLIST_CLIPBOARD": "osc52",
            **(env or {}),
        }
        env.pop("TEXTUAL", None)
        for name in ("SSH_CONNECTION", "SSH_TTY"):
            env.pop(name, None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "readlist", "--db", str(db)],
            stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True, close_fds=True,
        )
        os.close(slave)
        self.output = bytearray()
        self.closed = False

    def _read(self, timeout: float) -> bool:
        """Read what is there within ``timeout`` seconds; False once the process closed the terminal."""
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return True
        try:
            data = os.read(self.master, 65536)
        except OSError:  # EIO: the other side is closed
            return False
        self.output.extend(data)
        return bool(data)

    def wait_for(self, marker: bytes, start: int, deadline: float) -> None:
        waited = 0.0
        while marker not in self.output[start:]:
            if waited > deadline or not self._read(0.1):
                raise AssertionError(f"{marker!r} never appeared; the last output was {bytes(self.output[-400:])!r}")
            waited += 0.1

    def settle(self) -> None:
        """Read until nothing more comes for a moment (or the process ends)."""
        quiet = 0.0
        waited = 0.0
        while quiet < QUIET and waited < STEP:
            before = len(self.output)
            if not self._read(0.1):
                return
            quiet = quiet + 0.1 if len(self.output) == before else 0.0
            waited += 0.1

    def press(self, key: bytes, marker: bytes | None) -> None:
        start = len(self.output)
        os.write(self.master, key)
        if marker is not None:
            self.wait_for(marker, start, STEP)
        self.settle()

    def finish(self) -> bytes:
        """Everything written, once the process has ended (reading meanwhile, so it never blocks writing)."""
        waited = 0.0
        while self.process.poll() is None and not self.closed:
            if waited > STEP:
                raise AssertionError(f"readlist did not end; the last output was {bytes(self.output[-400:])!r}")
            if not self._read(0.1):
                break
            waited += 0.1
        self.process.wait(timeout=STEP)
        while not self.closed and self._read(0.1):
            pass
        self.close()
        return bytes(self.output)

    def close(self) -> None:
        """Close the terminal's own side, as a terminal window does when it is closed."""
        if not self.closed:
            os.close(self.master)
            self.closed = True
