"""Reading the keys of a terminal that sends Esc as a bare escape character, without losing the Esc.

A terminal without the kitty keyboard protocol (xterm, GNOME Terminal, tmux, most SSH sessions) sends Esc as the
escape character alone and Alt+key as that character followed by the key, so a key typed right after Esc (within
Textual's 0.1 s wait, or tmux's own half second, which then hands both over at once) reads as Alt and that key.
Textual's parser names most of these Alt+key, and the app takes an Alt key nothing is bound to for the two keys
typed (``ReadlistApp._escape_then``). A few it names so that the Esc is gone before the app sees them:

* Esc then Enter, ``/``, Space, ``[``, ``?``: Enter, ``/``… alone (the Alt of a key with a name is dropped), so
  Esc then ``/`` in the search box started another search instead of clearing it;
* Esc then a digit, ``-`` or ``=``: the character macOS types with Option (``¢`` for 4), so Esc then ``4`` in the
  note editor typed ``¢`` into the note instead of closing it and rating the paper 4;
* Esc, a key, then Esc again: the first Esc as ``^``, typed into the box as text.

:class:`KeyParser` names each of them Alt and the key, so the app gets the Esc back. The escape sequences that stand
for a key of their own are read as before: the arrows and function keys, and the Alt chords that editing keys send
(Alt+Backspace for deleting a word, Option+Left/Right on macOS, Esc Tab for Shift+Tab). Inside a bracketed
paste nothing changes: an escape character pasted with text is text to Textual, and never an Esc that would close
the note editor and let the rest of the paste act as keys.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from textual import events
from textual._ansi_sequences import ANSI_SEQUENCES_KEYS
from textual._xterm_parser import BRACKETED_PASTE_START, XTermParser
from textual.message import Message

ESCAPE = "\x1b"
_PASTE_MARKS = re.compile(r"\x1b\[20[01]~")
_PASTE_MARK_LENGTH = len(BRACKETED_PASTE_START)


class KeyParser(XTermParser):
    """Textual's input parser, but the key read after a bare escape character keeps its Alt (see the module)."""

    def __init__(self, debug: bool = False) -> None:
        self._alt_next = False
        self._pasting = False
        self._tail = ""  # the end of the last read: a paste's start or end may be cut between two reads
        super().__init__(debug)

    def feed(self, data: str) -> Iterable[Message]:
        # Fed in pieces cut after each bracketed paste's start and end, so each piece is known to be pasted or not.
        seen = self._tail + data
        before = len(self._tail)
        self._tail = seen[-(_PASTE_MARK_LENGTH - 1) :]
        start = 0
        for mark in _PASTE_MARKS.finditer(seen):
            end = mark.end() - before
            yield from super().feed(data[start:end])
            self._pasting = mark.group() == BRACKETED_PASTE_START
            start = end
        if start < len(data) or not data:
            yield from super().feed(data[start:])

    def _sequence_to_key_events(self, sequence: str, alt: bool = False) -> Iterable[events.Key]:
        if self._pasting:
            yield from super()._sequence_to_key_events(sequence, alt)
            return
        if sequence == ESCAPE and not alt:
            # Only the parser's second reading of a sequence it could not name, cut short by the next Esc, passes an
            # escape character here, and types it as "^": it is the Alt of the character after it.
            self._alt_next = True
            return
        if self._alt_next:
            self._alt_next, alt = False, True
        if len(sequence) == 2 and sequence[0] == ESCAPE and isinstance(ANSI_SEQUENCES_KEYS.get(sequence), str):
            # Textual reads these as the character macOS's Option key types ("¢" for Esc 4): Alt and the key.
            sequence, alt = sequence[1], True
        for event in super()._sequence_to_key_events(sequence, alt):
            if alt and not event.key.startswith("alt+"):
                event = events.Key(f"alt+{event.key}", event.character)
            yield event


_NAMER = XTermParser()  # Textual's own parser, only asked how it names a single character


def plain_key(character: str) -> events.Key:
    """The key a terminal sends as this one character, named as Textual names it (``\\r`` is ``enter``)."""
    for event in XTermParser._sequence_to_key_events(_NAMER, character):
        return event
    return events.Key(character, character)
