"""A program in a pseudo-terminal, with the screen a person would see: for measuring what is on screen when.

``Terminal`` starts a command in a pseudo-terminal of a given size. A reader process takes the program's
output as soon as it is written and stamps each piece with the time it arrived; the screen is rebuilt from
those pieces by pyte (a VT100 emulator), so a timer can stop at the moment the bytes that made the screen
show something arrived, however long emulating them takes afterwards. The reader is a process of its
own, not a thread: a pseudo-terminal holds only a few KB, and a reader that had to wait for the emulator
(the interpreter lock) would slow the program's own writing down. Keys are sent with
:meth:`Terminal.send`, which returns the time they were written (the clock is the system's monotonic
one, the same in both processes).

Only the standard library and pyte; nothing here knows about readlist, so the same harness times an
empty Textual app (the floor every figure is compared with) and readlist itself.
"""

from __future__ import annotations

import contextlib
import fcntl
import multiprocessing
import os
import re
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from pathlib import Path

import pyte

Check = Callable[[list[str]], bool]


class Timeout(Exception):
    """The screen never showed what was waited for."""

    def __init__(self, what: str, screen: list[str]) -> None:
        super().__init__(f"timed out waiting for {what}; the screen showed:\n" + "\n".join(screen))
        self.screen = screen


class Terminal:
    """A command running in a pseudo-terminal of ``size`` (columns, lines), and its screen."""

    def __init__(self, argv: Sequence[str], *, size: tuple[int, int] = (120, 40), env: dict[str, str] | None = None,
                 cwd: str | None = None) -> None:
        columns, lines = size
        self.screen = pyte.Screen(columns, lines)
        self.stream = pyte.ByteStream(self.screen)
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        environ = dict(os.environ if env is None else env)
        environ.update(TERM="xterm-256color", COLUMNS=str(columns), LINES=str(lines))
        self._chunks, sink = multiprocessing.get_context("fork").Pipe(duplex=False)
        self._reader = multiprocessing.get_context("fork").Process(target=_read, args=(master, sink), daemon=True)
        self._reader.start()
        sink.close()
        self.started = time.perf_counter()
        self.process = subprocess.Popen(list(argv), stdin=slave, stdout=slave, stderr=slave, env=environ, cwd=cwd,
                                        start_new_session=True)
        os.close(slave)
        self.master = master
        self.last_arrival = self.started
        self.closed = False

    @property
    def lines(self) -> list[str]:
        return list(self.screen.display)

    def _feed(self, timeout: float) -> bool:
        """Emulate the output that arrived (waiting up to ``timeout`` for some); False when there was none."""
        if self.closed or not self._chunks.poll(timeout):
            return False
        while True:
            try:
                arrived, chunk = self._chunks.recv()
            except EOFError:
                chunk = b""
            if not chunk:
                self.closed = True
                return True
            self.stream.feed(chunk)
            self.last_arrival = arrived
            if not self._chunks.poll(0):
                return True

    def wait_for(self, check: Check, what: str, timeout: float = 60.0) -> float:
        """Wait until the screen passes ``check``; returns when the output that made it so arrived."""
        deadline = time.perf_counter() + timeout
        if check(self.lines):
            return self.last_arrival
        while time.perf_counter() < deadline:
            if self._feed(0.05) and check(self.lines):
                return self.last_arrival
            if self.closed:
                break
        raise Timeout(what, self.lines)

    def settle(self, quiet: float = 0.3, timeout: float = 30.0) -> None:
        """Wait until the program has written nothing for ``quiet`` seconds."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline and not self.closed:
            if not self._feed(quiet):
                return

    def send(self, data: bytes) -> float:
        """Type ``data``; returns the time it was written."""
        self.drain()
        at = time.perf_counter()
        os.write(self.master, data)
        return at

    def drain(self) -> None:
        """Emulate whatever output has arrived so far, without waiting."""
        while self._feed(0):
            pass

    def cpu_seconds(self) -> float | None:
        """CPU time (user + system) the process has used so far: less sensitive to a busy machine than wall time."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def peak_rss_mb(self) -> float | None:
        """The process's peak resident memory so far (VmHWM), in MB."""
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return None
        found = re.search(r"VmHWM:\s+(\d+)\s+kB", status)
        return int(found.group(1)) / 1024 if found else None

    def child_peak_rss_mb(self, marker: str) -> float | None:
        """The peak resident memory (VmHWM, MB) of the program's child whose command line holds ``marker``.

        The app runs the interest model in a child process: its memory is the app's cost too.
        """
        children: list[str] = []
        for tasks in Path(f"/proc/{self.process.pid}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                children += tasks.read_text().split()
        for pid in children:
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            if marker.encode() in cmdline:
                found = re.search(r"VmHWM:\s+(\d+)\s+kB", status)
                return int(found.group(1)) / 1024 if found else None
        return None

    def close(self, keys: bytes = b"q") -> None:
        """Ask the program to quit with ``keys``; kill it if it does not."""
        if self.process.poll() is None:
            try:
                os.write(self.master, keys)
                self.process.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._reader.join(timeout=2)
        if self._reader.is_alive():
            self._reader.kill()
        self._chunks.close()
        os.close(self.master)

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _read(master: int, sink: Connection) -> None:
    """The reader process: every piece of output as it arrives, with the time it arrived."""
    while True:
        try:
            chunk = os.read(master, 1 << 16)
        except OSError:
            chunk = b""
        sink.send((time.perf_counter(), chunk))
        if not chunk:
            return


def shows(*texts: str) -> Check:
    """A check: every one of ``texts`` is somewhere on the screen."""
    return lambda lines: all(any(text in line for line in lines) for text in texts)


def line_with(*texts: str) -> Check:
    """A check: one screen line holds every one of ``texts``."""
    return lambda lines: any(all(text in line for text in texts) for line in lines)


EMPTY_APP = """
from textual.app import App
from textual.widgets import Static

class Floor(App[None]):
    def compose(self):
        yield Static("empty app painted")

Floor().run()
"""


def empty_app_paint(python: str = sys.executable, size: tuple[int, int] = (120, 40)) -> float:
    """Seconds from starting an empty Textual app in a pseudo-terminal to its text being on screen."""
    return empty_app_paint_cpu(python, size)[0]


def empty_app_paint_cpu(python: str = sys.executable, size: tuple[int, int] = (120, 40)) -> tuple[float, float | None]:
    """:func:`empty_app_paint`, and the CPU seconds the app had used when its text was on screen."""
    term = Terminal([python, "-c", EMPTY_APP], size=size)
    try:
        painted = term.wait_for(shows("empty app painted"), "the empty app's text")
        cpu = term.cpu_seconds()
    finally:
        term.close(b"\x11")  # ctrl+q
    return painted - term.started, cpu
