"""Text boxes that take every character a paste would take, typed one key at a time.

Textual inserts a typed key only when ``str.isprintable()`` says its character is printable, which
leaves out characters that are ordinary text in many languages: the zero-width non-joiner and
joiner (U+200C, U+200D: Persian and Indic words, emoji sequences such as 👩‍🔬), the word joiner,
the no-break spaces (U+00A0, U+202F), soft hyphens, left-to-right and right-to-left marks, and
emoji newer than Python's Unicode tables. A bracketed paste of the same text keeps them, so only
typing lost them. These boxes insert such a character when the app's own cleaning of untrusted
text (:func:`readlist.core.text.clean_note`) would keep it: bidi overrides and isolates, escape
and other control characters are still never typed in, as they are never pasted in.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input, TextArea

from readlist.core.text import clean_note


def typed_text(event: events.Key) -> str | None:
    """The character a key types that Textual would drop as unprintable, when it is text worth keeping.

    Tab and the line breaks are left to the boxes' own keys (Tab completes or indents, Enter submits or
    starts a line); U+2028 and U+2029 would split a line where the box does not show one.
    """
    character = event.character
    if character is None or len(character) != 1 or event.is_printable or character == "\t":
        return None
    if character.splitlines() != [character]:
        return None
    return character if clean_note(character) == character else None


class TextInput(Input):
    """A one-line box (search, tags, names) that keeps typed joiners, marks and no-break spaces."""

    async def _on_key(self, event: events.Key) -> None:
        # Runs before Input's own handler; preventing the default keeps that one from seeing the key.
        text = typed_text(event)
        if text is None:
            return
        event.stop()
        event.prevent_default()
        selection = self.selection
        if selection.is_empty:
            self.insert_text_at_cursor(text)
        else:
            self.replace(text, *selection)


class NoteArea(TextArea):
    """The note editor's text: keeps typed joiners, marks and no-break spaces like any other character."""

    async def _on_key(self, event: events.Key) -> None:
        text = typed_text(event)
        if text is None or self.read_only:
            return
        event.stop()
        event.prevent_default()
        start, end = self.selection
        self.replace(text, start, end, maintain_selection_offset=False)
