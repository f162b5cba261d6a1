"""Asking for one line of text (a name for a saved search, what to import): Enter accepts, Esc cancels."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Static

from readlist.core.text import inert_text
from readlist.tui import bindings
from readlist.tui.keymap import DeclaredOrder
from readlist.tui.widgets.muted import MUTED, MutedText
from readlist.tui.widgets.text_input import TextInput, keys_taken


class Prompt(DeclaredOrder, ModalScreen[str | None]):
    """Dismissed with the text typed, or None.

    ``accept`` is called with the text on Enter and answers why it cannot be taken (no name, a name
    the app keeps for its own views, a config file that cannot be written), or None to close. The
    prompt stays open with that reason under the box, so the user corrects the text instead of
    starting over.
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings.PROMPT
    HELP_TITLE = "prompt"

    def __init__(self, title: str, question: str, value: str = "",
                 accept: Callable[[str], str | None] | None = None, enter: str = "saves") -> None:
        super().__init__(id="prompt")
        self.title_text = title
        self.question = question
        self.value = value
        self.accept = accept
        self.enter = enter  # what Enter does, for the line of keys under the box

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt-dialog"):
            yield Static(Text(self.title_text, style="bold"), id="prompt-title", markup=False)
            yield Static(Text(self.question), id="prompt-question", markup=False)
            yield TextInput(value=self.value, id="prompt-input")
            yield Static(id="prompt-error", markup=False)
            yield MutedText(Text(f"Enter {self.enter} · Esc cancels", style=MUTED), id="prompt-keys", markup=False)
        yield Footer()  # this box's keys, over the list's (which do nothing here)

    def on_mount(self) -> None:
        self.query_one("#prompt-error", Static).display = False
        self.query_one("#prompt-input", Input).focus()

    @on(Input.Submitted, "#prompt-input")
    def _submitted(self, event: Input.Submitted) -> None:
        problem = self.accept(event.value) if self.accept is not None else None
        if problem is None:
            self.dismiss(event.value)
            return
        error = self.query_one("#prompt-error", Static)
        error.update(Text(inert_text(problem)))
        error.display = True

    @on(Input.Changed, "#prompt-input")
    def _changed(self) -> None:
        # The reason was about the text as it was; once it changes, Enter asks again.
        self.query_one("#prompt-error", Static).display = False

    async def action_cancel(self) -> None:
        await keys_taken(self.query_one("#prompt-input", Input))
        self.dismiss(None)
