"""Textual's driver for POSIX terminals, reading keys with :class:`~readlist.tui.key_parser.KeyParser`.

The driver makes its input parser inside the loop of its input thread, so the loop is written again here, doing what
Textual's does: wait at most 0.1 s for the terminal, decode what it sent as UTF-8, parse it, hand every event to the
app, and let the parser's timeouts run (a bare Esc is reported once nothing followed it in time). Two things differ:
the parser, and bytes that are not UTF-8 (a terminal set to Latin-1 sends ``é`` as the single byte E9). Textual's
loop stopped on them with a traceback that closed the app; here each becomes the replacement character ``�``, typed
where the key was, so the person sees that the terminal sent something else than UTF-8.

The app uses this driver wherever Textual would use its own for a terminal (not under Textual's test pilot, which runs
headless, nor on Windows).
"""

from __future__ import annotations

import contextlib
import os
import selectors
from codecs import getincrementaldecoder
from collections.abc import Iterable

from textual._parser import ParseError
from textual.drivers.linux_driver import LinuxDriver
from textual.message import Message

from readlist.tui.key_parser import KeyParser

_POLL = 0.1  # seconds between checks that the app is still running


class TerminalDriver(LinuxDriver):
    """Textual's POSIX terminal driver with readlist's key parser."""

    def run_input_thread(self) -> None:
        parser = KeyParser(self._debug)
        decode = getincrementaldecoder("utf-8")(errors="replace").decode
        # select(2), as Textual uses, since kqueue on macOS does not report terminals.
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        try:
            while not self.exit_event.is_set():
                for _key, mask in selector.select(_POLL):
                    if mask & selectors.EVENT_READ and (text := decode(os.read(self.fileno, 4096))):
                        self._hand_on(parser.feed(text))
                self._hand_on(parser.tick())
        finally:
            selector.close()
            with contextlib.suppress(EOFError, ParseError):
                for _message in parser.feed(""):
                    pass

    def _hand_on(self, messages: Iterable[Message]) -> None:
        for message in messages:
            self.process_message(message)
