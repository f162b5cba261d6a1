"""The note editor: Markdown in a TextArea, saved on leave, on quit and every few seconds."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Static, TextArea

from readlist.store import LibraryError

if TYPE_CHECKING:
    from readlist.tui.app import ReadlistApp

# A crash or a killed terminal loses at most this much typing.
AUTOSAVE_SECONDS = 3.0


class NoteEditor(Screen[None]):
    """Edit one paper's note; Esc saves and goes back."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave", "Save & back", id="leave-note", priority=True),
        Binding("ctrl+s", "save", "Save", id="save-note"),
    ]
    HELP_TITLE = "note editor"

    def __init__(self, paper_id: str) -> None:
        super().__init__(id="note-screen")
        self.paper_id = paper_id
        self.original = ""
        self.saved = ""
        self._latest = ""

    @property
    def rl(self) -> ReadlistApp:
        from readlist.tui.app import ReadlistApp

        assert isinstance(self.app, ReadlistApp)
        return self.app

    def compose(self) -> ComposeResult:
        paper = self.rl.lib.get(self.paper_id)
        title = paper.title if paper else self.paper_id
        self.original = self.saved = self._latest = paper.note if paper else ""
        yield Static(Text.assemble(("Note · ", "bold"), title), id="note-title", markup=False)
        editor = TextArea(self.original, id="note-text", soft_wrap=True, show_line_numbers=False, tab_behavior="indent")
        if "markdown" in editor.available_languages:
            editor.language = "markdown"
        yield editor
        yield Static(id="note-status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        editor = self.query_one("#note-text", TextArea)
        editor.focus()
        editor.move_cursor(editor.document.end)
        self._status("Markdown · autosaves every few seconds · Esc saves and goes back")
        self.set_interval(AUTOSAVE_SECONDS, self.autosave)

    def _status(self, message: str) -> None:
        self.query_one("#note-status", Static).update(Text(message, style="dim"))

    @property
    def text(self) -> str:
        return self._latest

    @on(TextArea.Changed, "#note-text")
    def _changed(self, event: TextArea.Changed) -> None:
        # Kept here as well as in the widget so a save still works while the screen is torn down.
        self._latest = event.text_area.text

    def on_unmount(self) -> None:
        self.save()

    def save(self) -> bool:
        """Write the note if it changed since the last save; True when something was written."""
        text = self._latest
        if text == self.saved:
            return False
        try:
            self.rl.lib.set_note(self.paper_id, text)
        except LibraryError as exc:
            self.notify(f"Note not saved: {exc}", severity="error", markup=False)
            return False
        self.saved = text
        return True

    def autosave(self) -> None:
        if self.save():
            self._status("Saved.")

    def action_save(self) -> None:
        self.save()
        self._status("Saved.")

    def action_leave(self) -> None:
        self.save()
        if self.saved != self.original:
            # One undo step for the whole editing session, however many autosaves it took.
            self.rl.history.record(self.rl.lib, "Note edited", {self.paper_id: {"note": self.original}})
        self.dismiss(None)
