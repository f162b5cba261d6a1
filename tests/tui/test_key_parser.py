"""The terminal's bytes as the app's key parser reads them: a key after a bare Esc keeps its Alt (which the app
takes for Esc and the key), while the sequences that stand for a key of their own, and pastes, read as before."""

from __future__ import annotations

import pytest
from textual import events
from textual._xterm_parser import XTermParser
from textual.message import Message

from readlist.tui.key_parser import KeyParser, plain_key


def described(read: list[Message]) -> list[tuple[str, str | None] | str]:
    """Each key as (name, character), anything else by its class."""
    return [(event.key, event.character) if isinstance(event, events.Key) else type(event).__name__ for event in read]


def keys(parser: XTermParser, data: str) -> list[tuple[str, str | None] | str]:
    """What ``data`` reads as, once nothing more comes."""
    return described([*parser.feed(data), *parser.feed("")])


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("\x1b4", [("alt+4", "4")]),  # Textual: "¢", macOS's Option+4
        ("\x1b-", [("alt+minus", "-")]),  # Textual: "–"
        ("\x1b\r", [("alt+enter", "\r")]),  # Textual: Enter alone
        ("\x1b/", [("alt+slash", "/")]),  # Textual: / alone
        ("\x1b x", [("alt+space", " "), ("x", "x")]),
        ("\x1bj\x1b", [("alt+j", "j"), ("escape", "\x1b")]),  # Textual: "^", j, Esc
        ("\x1b[j", [("alt+left_square_bracket", "["), ("j", "j")]),
        ("\x1b\x12", [("alt+ctrl+r", "\x12")]),
        ("\x1bjk", [("alt+j", "j"), ("k", "k")]),
        ("\x1b\x1bj", [("escape", "\x1b"), ("alt+j", "j")]),
    ],
)
def test_a_key_after_a_bare_esc_keeps_its_alt(data: str, expected: list[tuple[str, str]]) -> None:
    assert keys(KeyParser(), data) == expected


@pytest.mark.parametrize(
    "data",
    [
        "\x1b[A",  # an arrow
        "\x1b[1;5C",  # ctrl+right
        "\x1bOP",  # F1
        "\x1b[27u",  # Esc from a terminal with the kitty keyboard protocol
        "\x1bb",  # Option+Left on macOS: a word left
        "\x1b\x7f",  # Alt+Backspace: delete a word
        "\x1b\t",  # Shift+Tab from some terminals
        "\x1b[<0;10;5M\x1b[<0;10;5m",  # a click
        "\x1b[200~a\x1bx b\x1b[201~",  # a paste holding an escape character
        "\x1b[200~a\x1b\x1bb\x1b[201~x",
        "plain text",
    ],
)
def test_sequences_of_their_own_and_pastes_read_as_textual_reads_them(data: str) -> None:
    assert keys(KeyParser(), data) == keys(XTermParser(), data)


def test_a_paste_cut_short_by_a_read_and_the_keys_after_it() -> None:
    """The paste's end arrives in a later read: what follows it is keys again, Esc and its key included."""
    parser = KeyParser()
    read = [*parser.feed("\x1b[200~ab"), *parser.feed("c\x1b[201~\x1b4"), *parser.feed("")]
    assert described(read) == ["Paste", ("alt+4", "4")]


def test_a_paste_cut_between_two_reads_anywhere_reads_as_textual_reads_it() -> None:
    """A long paste comes in several reads, its start or end mark cut between two of them: the escape character
    inside it is still text, never an Esc that would close the note editor."""
    data = "j\x1b[200~a\x1bx b\x1b[201~k"
    whole = keys(XTermParser(), data)
    for cut in range(1, len(data)):
        parser = KeyParser()
        read = [*parser.feed(data[:cut]), *parser.feed(data[cut:]), *parser.feed("")]
        assert described(read) == whole, cut


@pytest.mark.parametrize(
    ("character", "key"), [("\r", "enter"), ("/", "slash"), (" ", "space"), ("4", "4"), ("J", "J"), ("\x12", "ctrl+r")]
)
def test_plain_key_names_a_character_as_the_parser_does(character: str, key: str) -> None:
    assert (plain_key(character).key, plain_key(character).character) == (key, character)
