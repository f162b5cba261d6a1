"""Correcting a paper's details: a form with one box per detail, and the abstract below them.

The screen shows what it is given and hands the values typed to ``accept`` (the main screen runs the
one command that ``readlist edit`` also runs); a value the paper cannot hold comes back as a reason, shown
under the boxes while the form stays open, so nothing typed is lost to a typo in a date.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Static

from readlist.core.text import inert_text
from readlist.tui import bindings
from readlist.tui.keymap import DeclaredOrder
from readlist.tui.widgets.muted import MUTED, MutedText
from readlist.tui.widgets.text_input import NoteArea, TextInput, keys_taken

# The one-line details, in the order of the form (the abstract is the text box under them).
LINES = ("title", "authors", "organization", "published", "url", "doi", "journal_ref")
HINTS = {
    "authors": "separated by ;",
    "published": "YYYY, YYYY-MM or YYYY-MM-DD",
    "url": "https://…",
    "doi": "10.…",
}


class DetailsEditor(DeclaredOrder, ModalScreen[bool]):
    """Dismissed with True once ``accept`` took the values, False when left with Esc.

    ``values`` are the paper's details as text (authors joined by "; "); ``accept`` gets only the ones
    the user changed, and answers why they cannot be taken, or None.
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings.DETAILS
    HELP_TITLE = "details"

    def __init__(self, title: str, values: Mapping[str, str], labels: Mapping[str, str],
                 accept: Callable[[dict[str, str]], str | None]) -> None:
        super().__init__(id="details")
        self.heading = title
        self.values = dict(values)
        self.labels = labels
        self.accept = accept
        # What each box showed when the form opened: a box shows a value as a save would store it (escape
        # sequences and controls left out), so a field counts as changed only when it differs from that.
        self.shown: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="details-dialog"):
            yield Static(Text(f"Details of “{inert_text(self.heading)}”", style="bold"), id="details-heading",
                         markup=False)
            for name in LINES:
                with Horizontal(classes="details-row"):
                    yield Static(Text(self.labels[name]), classes="details-label", markup=False)
                    # The cursor at the end, the text not selected: a correction is mostly a word, not all of it.
                    yield TextInput(value=self.values.get(name, ""), placeholder=HINTS.get(name, ""),
                                    select_on_focus=False,
                                    id=f"detail-{name}", classes="details-input", compact=True)
            yield Static(Text(self.labels["abstract"]), classes="details-label", markup=False)
            yield NoteArea(self.values.get("abstract", ""), id="details-abstract", soft_wrap=True, compact=True)
            yield Static(id="details-error", markup=False)
            yield MutedText(Text("ctrl+s saves · Esc discards · Tab next box · fields you correct stay as you wrote "
                              "them when the paper is imported again", style=MUTED), id="details-keys", markup=False)
        yield Footer()  # the form's keys, over the list's (which do nothing here)

    def on_mount(self) -> None:
        self.query_one("#details-error", Static).display = False
        self.query_one(f"#detail-{LINES[0]}", Input).focus()
        self.shown = self._boxes()

    def _boxes(self) -> dict[str, str]:
        now = {name: self.query_one(f"#detail-{name}", Input).value for name in LINES}
        now["abstract"] = self.query_one("#details-abstract", NoteArea).text
        return now

    def typed(self) -> dict[str, str]:
        """The details whose text the user changed."""
        return {name: value for name, value in self._boxes().items() if value != self.shown.get(name, "")}

    async def _keys_taken(self) -> None:
        """Until every box has taken the keys typed before the one running an action (see :func:`keys_taken`):
        a burst ending in ctrl+s saved without the last words typed, and could skip the date's check."""
        await keys_taken(*self.query(TextInput), *self.query(NoteArea))

    async def action_save(self) -> None:
        await self._keys_taken()
        self._save()

    async def action_next_box(self) -> None:
        await self._keys_taken()
        self.focus_next()

    async def action_previous_box(self) -> None:
        await self._keys_taken()
        self.focus_previous()

    def _save(self) -> None:
        changed = self.typed()
        problem = self.accept(changed) if changed else None
        if problem is None:
            self.dismiss(bool(changed))
            return
        error = self.query_one("#details-error", Static)
        error.update(Text(inert_text(problem)))
        error.display = True

    @on(Input.Submitted)
    def _submitted(self) -> None:
        # Enter in a one-line box saves, as in every other box of the app; the box has taken the keys typed before
        # Enter, and the app reads the ones after it once this has run (see TextInput).
        self._save()

    def keep_on_quit(self) -> str | None:
        """What was typed saved as ``ctrl+s`` would save it; else the reason, with the values typed to redo it."""
        changed = self.typed()
        problem = self.accept(changed) if changed else None
        if problem is None:
            return None
        typed = "; ".join(f"{self.labels[name]} {value[:200]!r}" for name, value in changed.items())
        return f"the details typed for “{self.heading}” were not saved ({problem}): {typed}"

    async def action_cancel(self) -> None:
        await self._keys_taken()
        self.dismiss(False)
