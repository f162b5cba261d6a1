"""The note editor: Markdown in a TextArea, saved on leave, on quit and every few seconds."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Footer, Static, TextArea

from readlist.core.model import Paper
from readlist.core.text import strip_controls
from readlist.store import Change, LibraryError

if TYPE_CHECKING:
    from readlist.tui.app import ReadlistApp

# A crash or a killed terminal loses at most this much typing.
AUTOSAVE_SECONDS = 3.0
# Written above a version of the note that another process saved while the editor was open.
CHANGED_ELSEWHERE = "── The note was changed outside this editor while you were editing; that version follows ──"
ADDED_ELSEWHERE = "── Added to the note outside this editor while you were editing ──"


def as_stored(text: str) -> str:
    """``text`` the way the library stores a note, to compare with what is on disk."""
    return strip_controls(text).replace("\r\n", "\n")


def outside_tail(mine: str, base: str, outside: str) -> str:
    """What to add after the user's text so the version another process wrote is not lost.

    ``base`` is the note as the editor last loaded or saved it. When the other process only
    added to it (``readlist note --append``, say), just the addition is kept; otherwise the
    whole outside version is. Empty when there is nothing of the outside version to keep.
    """
    kept, label = outside.strip(), CHANGED_ELSEWHERE
    start = base.strip()
    if kept.startswith(start):
        kept, label = kept[len(start) :].strip(), ADDED_ELSEWHERE
    if not kept or kept in mine:
        return ""
    return ("" if mine.endswith("\n") or not mine else "\n") + ("\n" if mine else "") + f"{label}\n\n{kept}\n"


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
        # The note as stored when this editor last loaded or saved it: an outside change shows as a difference.
        self._on_disk = ""
        self._gone = False

    @property
    def rl(self) -> ReadlistApp:
        from readlist.tui.app import ReadlistApp

        assert isinstance(self.app, ReadlistApp)
        return self.app

    def compose(self) -> ComposeResult:
        paper = self.rl.lib.get(self.paper_id)
        title = paper.title if paper else self.paper_id
        self.original = self.saved = self._latest = self._on_disk = paper.note if paper else ""
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
        """Write the note if it changed since the last save; True when something was written.

        The write compares the note on disk (caught up with other processes, under the library's
        lock) with the note this editor last loaded or saved. If another process changed it
        meanwhile, the user's text is still saved, followed by the other version under a
        separator line, and the editor shows that too: neither text is lost.
        """
        text = self._latest
        if text == self.saved:
            return False
        base = self._on_disk
        tails: list[str] = []

        def resolved(paper: Paper) -> Change:
            tails.clear()  # the change may be worked out again after a retry
            if paper.note in (base, as_stored(text)):
                return {"note": text}
            tail = outside_tail(text, base, paper.note)
            tails.append(paper.note)
            return {"note": text + tail}

        try:
            self.rl.lib.apply({self.paper_id: resolved})
        except LibraryError as exc:
            self.notify(f"Note not saved: {exc}", severity="error", markup=False)
            return False
        paper = self.rl.lib.get(self.paper_id)
        if paper is None:
            if not self._gone:
                self._gone = True
                self.notify(
                    "The paper was deleted outside the editor, so the note cannot be saved; copy your text now.",
                    severity="error",
                    markup=False,
                    timeout=15,
                )
            return False
        if tails:
            self._kept_outside(text, paper.note, outside=tails[-1])
        self.saved = self._latest
        self._on_disk = paper.note
        return True

    def _kept_outside(self, mine: str, stored: str, *, outside: str) -> None:
        """Show the merged note in the editor and say what happened."""
        tail = stored[len(as_stored(mine)) :] if stored.startswith(as_stored(mine)) else ""
        self._latest = mine + tail
        # Undo of this editing session goes back to the other version, not to the older note.
        self.original = outside
        if tail:
            try:
                editor = self.query_one("#note-text", TextArea)
            except NoMatches:  # saving while the screen is torn down: the merged note is on disk already
                pass
            else:
                # The cursor stays in the user's text, so typing carries on where it was.
                selection = editor.selection
                editor.insert(tail, editor.document.end, maintain_selection_offset=False)
                editor.selection = selection
        message = (
            "The note was also changed outside this editor. Your text was saved, with the other version "
            "added at the end under a line starting with ──."
            if tail
            else "The note was changed outside this editor; your text was saved in its place."
        )
        self.notify(message, title="Note changed elsewhere", severity="warning", markup=False, timeout=12)

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
