"""Untrusted text: what may be stored, and what may reach a terminal.

Titles, abstracts, author names and notes come from web pages and from library files
that other programs (or other people) wrote. Every sink that shows or writes them uses
these functions, so there is one definition of "inert" text in readlist.
"""

from __future__ import annotations

import re

_WS = re.compile(r"\s+")
_BLANK_LINES = re.compile(r"\n{3,}")
# Characters that have no business in a title, abstract or note shown in a terminal:
# C0/C1 controls except tab and newline (ESC among them) and bidi overrides.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# Whole escape sequences, so that no half of one ("[31m") is left behind as text:
# CSI (ESC [ or the 8-bit form), OSC/DCS/APC/PM/SOS strings up to their terminator, then any ESC + one char.
_ESCAPE_SEQ = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b[\]PX^_]|[\x90\x9d\x98\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -~]?"
)
_ESCAPE_START = re.compile(r"[\x1b\x80-\x9f]")


def strip_controls(text: str | None) -> str:
    """Text that can never drive a terminal: escape sequences, control characters and bidi overrides removed.

    This is readlist's one sanitizer: every sink that shows or writes untrusted text (the TUI, the
    command line, exports, the clipboard) passes it through here or through a function below that
    builds on it. Tabs and newlines stay.
    """
    if not text:
        return ""
    if _ESCAPE_START.search(text):
        text = _ESCAPE_SEQ.sub("", text)
    return _CONTROL.sub("", text)


def clean_note(text: str | None) -> str:
    """A note as the library stores it: inert, with Windows and old Mac line ends made ``\n``."""
    return strip_controls((text or "").replace("\r\n", "\n").replace("\r", "\n"))


# JSON escapes C0 controls, but the encoders write C1 controls (U+0080-U+009F) and bidi overrides raw; a UTF-8
# terminal may act on C1 (U+009B is CSI) and bidi overrides reorder what is shown. They can only occur inside
# JSON strings, so writing them as \u escapes keeps the data identical.
_JSON_UNSAFE = [*range(0x80, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_JSON_ESCAPES = [(chr(c).encode(), f"\\u{c:04x}".encode()) for c in _JSON_UNSAFE]


def inert_json(data: bytes) -> bytes:
    """JSON bytes with C1 controls and bidi overrides written as ``\\u`` escapes (same data, inert on a terminal)."""
    if b"\xc2" in data or b"\xe2\x80" in data or b"\xe2\x81" in data:
        for raw, escaped in _JSON_ESCAPES:
            data = data.replace(raw, escaped)
    return data


# Characters clean_line / clean_block would change: controls, bidi marks and every whitespace but
# space and newline. One character-class scan (plus a few substring checks) lets text that is
# already clean, nearly all of it, skip the rewriting passes.
_ODD_CHARS = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202a-\u202f\u205f\u3000\u2066-\u2069]"
)


def _is_clean(text: str, *seqs: str) -> bool:
    return not _ODD_CHARS.search(text) and not any(seq in text for seq in seqs) and text == text.strip()


def clean_line(text: str) -> str:
    """Collapse all whitespace (including non-breaking spaces) to single spaces."""
    if _is_clean(text, "\n", "  "):
        return text
    return _WS.sub(" ", strip_controls(text)).strip()


def clean_block(text: str) -> str:
    """Normalize a multi-line text: controls removed, newlines kept, runs of spaces folded."""
    if _is_clean(text, "  ", " \n", "\n ", "\n\n\n"):
        return text
    text = strip_controls(text.replace("\r\n", "\n").replace("\r", "\n"))
    # " ".join(line.split()) folds the same whitespace as [^\S\n]+ and strips, several times faster.
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()




def counted(n: int, word: str) -> str:
    """``1 paper``, ``3 papers``: a count with its noun (regular plurals only)."""
    return f"{n} {word}" + ("" if n == 1 else "s")
