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
    clean_note,
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


@pytest.mark.parametrize(
    ("raw", "stored", "shown"),
    [
        # Mojibake: a closing quote (UTF-8 E2 80 9D) read as Latin-1 ends in U+009D, the 8-bit OSC introducer.
        ("a \u00e2\x80\x9cquick\u00e2\x80\x9d model for everything", "a \u00e2quick\u00e2 model for everything",
         f"a \u00e2{MARK}{MARK}quick\u00e2{MARK}{MARK} model for everything"),
        ("Key idea: \x9d here. But section 4 has a bug", "Key idea:  here. But section 4 has a bug",
         f"Key idea: {MARK} here. But section 4 has a bug"),
        ("a \x90 DCS \x98 SOS \x9e PM \x9f APC b", "a  DCS  SOS  PM  APC b",
         f"a {MARK} DCS {MARK} SOS {MARK} PM {MARK} APC b"),
        ("a \x1b]0;title but no end", "a 0;title but no end", f"a {MARK}0;title but no end"),
        ("a \x1bPq no end \x1b_ nor here", "a q no end  nor here", f"a {MARK}q no end {MARK} nor here"),
        ("a \x9d" + "x" * 5000 + "\x9cb", "a " + "x" * 5000 + "b", f"a {MARK}" + "x" * 5000 + f"{MARK}b"),
    ],
    ids=["mojibake-quotes", "lone-8-bit-osc", "each-8-bit-introducer", "7-bit-osc", "7-bit-dcs-apc", "too-long"],
)
def test_a_string_introducer_without_its_terminator_keeps_the_text_after_it(raw: str, stored: str, shown: str) -> None:
    """Only a terminated string (BEL, ESC \\ or ST, soon enough) goes whole; a lone introducer goes alone."""
    assert strip_controls(raw) == stored
    assert clean_note(raw) == stored
    assert inert_text(raw) == shown


@given(st.sampled_from(["\x1b]", "\x1bP", "\x1bX", "\x1b^", "\x1b_", "\x90", "\x98", "\x9d", "\x9e", "\x9f"]),
       st.text(alphabet=st.characters(codec="utf-8", categories=["L", "N", "P", "Zs"]), max_size=200))
def test_text_after_a_lone_introducer_is_kept(introducer: str, rest: str) -> None:
    assert strip_controls("a" + introducer + rest).endswith(rest)
    assert inert_text("a" + introducer + rest).endswith(rest)


def test_bidi_marks_are_text_not_overrides() -> None:
    """LRM, RLM, ALM and U+FEFF are letters of a direction that right-to-left text needs: kept everywhere."""
    text = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 \u200f(2024)\u200e a\u061cb \ufeffc"
    assert inert_text(text) == text and inert_text(text, multiline=True) == text
    assert strip_controls(text) == text and clean_line(text) == text and clean_note(text) == text


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


def test_a_control_that_breaks_a_line_leaves_a_space_in_one_line_text() -> None:
    """`edit --title $'Para\\u0085Nel\\vVT\\fFF'` stored "ParaNelVTFF": the words ran together."""
    assert clean_line("Para\u0085Nel\vVT\fFF\x1eRS Title") == "Para Nel VT FF RS Title"
    # A text box holds it as the save stores it (the details form compares the two).
    assert editable_line("Para\u0085Nel\vVT\fFF\x1eRS Title") == "Para Nel VT FF RS Title"
    assert clean_line("a\x1b[31mred\x1b[0m b") == "ared b"  # an escape sequence is no word break
