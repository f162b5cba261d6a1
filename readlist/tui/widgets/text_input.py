"""Text boxes that take every character a paste would take, typed one key at a time.

Textual inserts a typed key only when ``str.isprintable()`` says its character is printable, which
leaves out characters that are ordinary text in many languages: the zero-width non-joiner and
joiner (U+200C, U+200D: Persian and Indic words, emoji sequences such as 👩‍🔬), the word joiner,
the no-break spaces (U+00A0, U+202F), soft hyphens, left-to-right and right-to-left marks, and
emoji newer than Python's Unicode tables. A bracketed paste of the same text keeps them, so only
typing lost them. These boxes insert such a character when the app's own cleaning of untrusted
text (:func:`readlist.core.text.clean_note`) would keep it: bidi overrides and isolates, escape
and other control characters are still never typed in, as they are never pasted in.

Nor does any other way in put them there: a value set by the app (a paper's title in the details form,
the search restored at start-up, an abstract) is cleaned as it is set, by
:func:`readlist.core.text.editable_line` and :func:`readlist.core.text.editable_text`, so no text box ever
draws an escape sequence, a control character or a bidi override, whoever gave it the text.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.widget import Widget
from textual.widgets import Input, TextArea
from textual.widgets.text_area import Edit, EditResult

from readlist.core.text import clean_note, editable_line, editable_text


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


async def run_binding(widget: Widget, event: events.Key) -> bool:
    """Run the binding ``event``'s key has here and now (backspace, the arrows, ctrl+k, the note editor's ctrl+s…):
    True if one ran.

    Textual types a letter into a box as soon as the key reaches it, but a key the box, its screen or the app binds
    goes up to the app first, which runs the binding later: in a burst of keys (a fast typist, a slow terminal, SSH)
    a backspace typed among letters then acted after the letters typed after it ("worlx⌫d" gave "worlxd"), and a
    note editor's ctrl+s typed before Esc reached the app after Esc had closed the editor, to act on the list. Here
    the binding is looked for as the app would look for it when the key came back (the box, then its containers,
    its screen and the app, with ``[keymap]`` applied), and run as the key arrives, so every key is done in the order
    typed once the box has taken it (see :func:`keys_taken`). The app's priority bindings were checked before the
    key reached the box, so nothing else that could have run is passed over. A box the focus has left gives the key
    back to Textual.
    """
    if widget.screen.focused is not widget:
        return False
    for namespace, bindings in widget.screen._modal_binding_chain:
        for binding in bindings.key_to_bindings.get(event.key, ()):
            if not binding.priority and await widget.app.run_action(binding.action, namespace):
                event.stop()
                event.prevent_default()
                return True
    return False


async def keys_taken(*boxes: Widget) -> None:
    """Return once each of ``boxes`` has handled every key handed to it before this call (at most a second).

    The app hands a typed key to the box in focus, into the box's own queue, but runs a priority binding (a
    form's ctrl+s, its Tab, a box's Enter or Esc) as soon as the app itself reads the key: in a burst of keys (a
    fast typist, a slow terminal, SSH) the letters typed just before it could still be waiting in the box, and a
    save went without them. An action that reads the boxes or moves on from them waits here first; meanwhile the
    app reads no further key, so what was typed after the action's key goes where it would at human speed (the next
    box, the list under a closed form). A box whose own task is the caller's has nothing earlier left to handle.
    """
    waits: list[asyncio.Event] = []
    for box in boxes:
        if not box.is_running or asyncio.current_task() is box.task:
            continue
        taken = asyncio.Event()
        if box.call_later(taken.set):  # runs after every message already queued to the box
            waits.append(taken)
    if waits:
        with contextlib.suppress(TimeoutError):  # a box that stopped handling keys does not hold up the app
            await asyncio.wait_for(asyncio.gather(*(taken.wait() for taken in waits)), timeout=1.0)


async def answered(box: Widget) -> None:
    """Return once what ``box`` has just posted (its ``Submitted``) has been handled on its way up to its screen
    and, when that closed the screen, by the screen shown now, which a dismissed screen hands its result to.

    A message goes up one queue at a time, the box's, each container's, the screen's, so waiting on each in turn
    (see :func:`keys_taken`) sees it handled: the screen has closed, the list has the focus, a view is chosen,
    before the app reads the keys typed after Enter, and they act there.
    """
    screen = box.screen
    for node in box.ancestors_with_self:
        if not isinstance(node, Widget):
            break
        await keys_taken(node)
        if node is screen:
            break
    shown = box.app.screen
    if shown is not screen:
        await keys_taken(shown)


class TextInput(Input):
    """A one-line box (search, tags, names) that keeps typed joiners, marks and no-break spaces.

    Its value is cleaned whenever it is set (Textual calls ``validate_value`` for every assignment). Enter is read by
    the app before the box sees it, as the other keys that close a box are: as the box's own key it reached the box
    after the keys typed behind it had been handed to the box too, and they were typed into a box about to close.
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "submit", "Submit", show=False, priority=True)]

    def validate_value(self, value: str) -> str:
        return editable_line(value)

    def validate__suggestion(self, suggestion: str) -> str:
        return editable_line(suggestion)

    async def action_submit(self) -> None:
        """Submit what the keys typed before Enter spell, and have it handled (the box closed, the list focused)
        before the app reads the keys typed after it."""
        await keys_taken(self)
        await super().action_submit()
        await answered(self)

    async def _on_key(self, event: events.Key) -> None:
        # Runs before Input's own handler; preventing the default keeps that one from seeing the key.
        text = typed_text(event)
        if text is None:
            if not event.is_printable:
                await run_binding(self, event)
            return
        event.stop()
        event.prevent_default()
        selection = self.selection
        if selection.is_empty:
            self.insert_text_at_cursor(text)
        else:
            self.replace(text, *selection)


class NoteArea(TextArea):
    """A many-line box (a note, an abstract): keeps typed joiners, marks and no-break spaces like any other
    character; text given to it (at creation, loaded, inserted) is cleaned as it comes in."""

    def __init__(self, text: str = "", **kwargs: Any) -> None:
        super().__init__(editable_text(text), **kwargs)

    def load_text(self, text: str) -> None:
        super().load_text(editable_text(text))

    def edit(self, edit: Edit) -> EditResult:
        if edit.text:
            edit.text = editable_text(edit.text)
        return super().edit(edit)

    def _takes_itself(self, key: str) -> bool:
        """Keys TextArea's own handler takes ahead of any binding (a new line, an indent, Esc out of an indenting
        box): the screen's binding for one, if any, is not run in its place."""
        return not self.read_only and (key == "enter" or (self.tab_behavior == "indent" and key in ("tab", "escape")))

    async def _on_key(self, event: events.Key) -> None:
        text = typed_text(event)
        if text is None or self.read_only:
            if text is None and not event.is_printable and not self._takes_itself(event.key):
                await run_binding(self, event)
            return
        event.stop()
        event.prevent_default()
        start, end = self.selection
        self.replace(text, start, end, maintain_selection_offset=False)
