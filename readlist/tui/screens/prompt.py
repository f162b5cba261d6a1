"""Asking for one line of text (a name for a saved search): Enter accepts, Esc cancels."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from readlist.tui import bindings


class Prompt(ModalScreen[str | None]):
    """Dismissed with the text typed, or None."""

    BINDINGS: ClassVar[list[BindingType]] = bindings.PROMPT
    HELP_TITLE = "prompt"

    def __init__(self, title: str, question: str, value: str = "") -> None:
        super().__init__(id="prompt")
        self.title_text = title
        self.question = question
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt-dialog"):
            yield Static(Text(self.title_text, style="bold"), id="prompt-title", markup=False)
            yield Static(Text(self.question), id="prompt-question", markup=False)
            yield Input(value=self.value, id="prompt-input")
            yield Static(Text("Enter saves · Esc cancels", style="dim"), id="prompt-keys", markup=False)

    def on_mount(self) -> None:
        self.query_one("#prompt-input", Input).focus()

    @on(Input.Submitted, "#prompt-input")
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
