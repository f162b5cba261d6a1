"""What may reach a screen: inert_text shows every escape, control and bidi override as one visible mark."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from readlist.core.text import (
    MARK,
    clean_line,
    editable_line,
    editable_text,
    inert_json,
    inert_text,
    strip_controls,
    web_address,
)

UNSHOWABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("a\x1b]52;c;ZXZpbA==\x07b", f"a{MARK}b"),  # OSC 52, BEL-terminated: one mark for the whole sequence
        ("a\x1b]0;title\x1b\\b", f"a{MARK}b"),  # OSC 0, ST-terminated
        ("a\x1b[2J\x1b[31mb", f"a{MARK}{MARK}b"),  # two CSI sequences
        ("a\x9b31mb", f"a{MARK}b"),  # 8-bit CSI
        ("a\x9d2;t\x9cb", f"a{MARK}b"),  # 8-bit OSC ... ST
        ("a\x1bPq#0\x1b\\b\x1b_apc\x1b\\c", f"a{MARK}b{MARK}c"),  # DCS, APC
        ("a\x00b\x08c\x7fd\x85e", f"a{MARK}b{MARK}c{MARK}d{MARK}e"),  # C0, DEL, C1
        ("a\u202eb\u2066c\u2069d", f"a{MARK}b{MARK}c{MARK}d"),  # bidi override and isolates
        ("one\ttwo\nthree\r\nfour\rfive", "one two three four five"),  # one line: whitespace only
        ("plain [red]markup[/] stays", "plain [red]markup[/] stays"),
        ("", ""),
    ],
)
def test_inert_text_on_one_line(raw: str, shown: str) -> None:
    assert inert_text(raw) == shown


def test_inert_text_in_a_block_keeps_lines() -> None:
    assert inert_text("a\r\nb\rc\n\x1b[2Jd\te", multiline=True) == f"a\nb\nc\n{MARK}d   e"
    assert inert_text("clean\ntext", multiline=True) == "clean\ntext"


def test_line_and_paragraph_separators_are_spaces_on_a_screen_and_escapes_in_json() -> None:
    """U+2028 and U+2029 start a new line in some terminals (others show a box), and for a reader of lines."""
    assert inert_text("a\u2028b\u2029c") == "a b c"
    assert inert_text("a\u2028b\nc\u2029", multiline=True) == "a b\nc "
    data = inert_json(json.dumps({"t": "a\u2028b\u2029c"}, ensure_ascii=False).encode())
    assert data == b'{"t": "a\\u2028b\\u2029c"}' and json.loads(data) == {"t": "a\u2028b\u2029c"}


def test_stored_forms_are_unchanged() -> None:
    """Cleaning what is stored still removes (the library never holds marks)."""
    assert strip_controls("a\x1b]52;c;x\x07b\u202ec") == "abc"
    assert clean_line(" a\x1b[2J  b ") == "a b"


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=80), st.booleans())
def test_nothing_unshowable_survives(text: str, multiline: bool) -> None:
    shown = inert_text(text, multiline=multiline)
    assert not UNSHOWABLE.search(shown.replace("\n", "") if multiline else shown)
    if not UNSHOWABLE.search(text):
        assert shown == text  # clean text is shown exactly as it is


@pytest.mark.parametrize(
    ("url", "opened"),
    [
        ("https://arxiv.org/abs/2404.00001", True),
        ("http://huggingface.co/papers/2404.00001", True),
        ("file:///etc/passwd", False),
        ("javascript:alert(1)", False),
        ("ssh://host", False),
        ("https://", False),
        ("https://a b", False),
        ("https://x.org/\x1b]52;c;eA==\x07", False),
        ("https://x.org/\u202e", False),
        ("http://[::1", False),
        ("", False),
    ],
)
def test_web_address(url: str, opened: bool) -> None:
    assert (web_address(url) == url) is opened


def test_json_escapes_del_c1_and_bidi_and_keeps_the_data() -> None:
    import json

    raw = json.dumps({"t": "a\x7fb\x9bc\u202ed"}, ensure_ascii=False).encode()
    out = inert_json(raw)
    assert out == b'{"t": "a\\u007fb\\u009bc\\u202ed"}'
    assert json.loads(out) == json.loads(raw)


def test_an_edit_box_holds_text_as_a_save_stores_it() -> None:
    """What a text box shows is what saving it keeps: no control, no display mark a save would write back."""
    hostile = "a\x1b]52;c;cHduZWQ=\x1b\\b\x1b]2;PWNED\x07c\x9b31md\x1bP$q m\x1b\\e\u202ef"
    assert editable_line(hostile) == "abcdef"
    assert editable_line("one\ttwo\r\nthree\u2028four\u2029five\n") == "one two three four five"
    assert editable_line("plain ‌ text") == "plain ‌ text"
    assert editable_text("line\r\nnext\u2028third\x1b[2J\u2066") == "line\nnext\nthird"
    assert MARK not in editable_line(hostile) + editable_text(hostile)
