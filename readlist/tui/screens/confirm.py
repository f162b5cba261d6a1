"""A yes/no question before something the user may regret (deleting papers): y confirms, n, Esc or q does not."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from readlist.core.text import inert_text
from readlist.tui import bindings
from readlist.tui.keymap import DeclaredOrder
from readlist.tui.widgets.muted import MUTED, MutedText


class Confirm(DeclaredOrder, ModalScreen[bool]):
    """Dismissed with True for yes, False for no."""

    BINDINGS: ClassVar[list[BindingType]] = bindings.CONFIRM
    HELP_TITLE = "confirm"

    def __init__(self, question: str, detail: str = "") -> None:
        super().__init__(id="confirm")
        self.question = question
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog"):
            # Questions quote paper titles: shown inert, like every library text.
            yield Static(Text(inert_text(self.question), style="bold"), id="confirm-question", markup=False)
            if self.detail:
                yield MutedText(Text(inert_text(self.detail), style=MUTED), id="confirm-detail", markup=False)
            yield MutedText(Text("y yes · n, Esc or q no", style=MUTED), id="confirm-keys", markup=False)
        yield Footer()  # this question's keys, over the list's (which do nothing here)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
