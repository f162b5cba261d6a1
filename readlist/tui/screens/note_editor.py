"""The note editor: Markdown in a TextArea, saved on leave, on quit and every few seconds.

How a save treats a note changed elsewhere meanwhile is the application layer's policy
(:mod:`readlist.app.notes`), shared with ``readlist note``; this screen shows what happened.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.css.query import NoMatches
from textual.timer import Timer
from textual.widgets import Footer, Static, TextArea

from readlist.app.notes import NoteEdit, keep_draft
from readlist.app.session import Session
from readlist.core.model import ValidationError
from readlist.core.text import clean_note, editable_text, inert_text, unify_line_ends
from readlist.storage.errors import LibraryError
from readlist.tui import bindings
from readlist.tui.screens.base import ReadlistScreen
from readlist.tui.widgets.text_input import NoteArea, keys_taken

# Typing is saved at most this long after a keystroke, so a crash or SIGKILL loses at most the last half second
# of it (a closed terminal or SIGTERM closes the app as quitting does, which saves first: see readlist.tui.app):
# the first keystroke after a save starts the wait and later ones do not restart it, so typing on without a
# pause is saved every half second too (a save is one journal line). AUTOSAVE_SECONDS is a safety net.
SAVE_AFTER_TYPING = 0.5
AUTOSAVE_SECONDS = 3.0


class NoteEditor(ReadlistScreen[bool]):
    """Edit one paper's note; Esc saves and goes back, answering whether the note changed (for the screen below
    to say so: a change that says nothing looks like one that was not made)."""

    BINDINGS: ClassVar[list[BindingType]] = bindings.NOTE_EDITOR
    HELP_TITLE = "note editor"

    def __init__(self, session: Session, paper_id: str) -> None:
        super().__init__(session, id="note-screen")
        self.paper_id = paper_id
        self.editing = NoteEdit(session, paper_id)
        # Kept here as well as in the widget so a save still works while the screen is torn down.
        self._latest = self.editing.original
        self._gone = False
        # Why the last save failed (a full disk, the paper deleted elsewhere), while the text is not saved.
        self._failed: str | None = None
        self._left = False  # Esc saved (or kept) the text: closing has nothing left to do
        self._pending: Timer | None = None
        self._shown = ""

    def compose(self) -> ComposeResult:
        paper = self.session.library.get(self.paper_id)
        title = paper.title if paper else self.paper_id
        yield Static(Text.assemble(("Note · ", "bold"), inert_text(title)), id="note-title", markup=False)
        # The editor shows the note as a save stores it (controls removed), not with display marks that
        # a save would write into the note; until the user types, nothing is saved. The text area starts a
        # line at U+2028 and U+2029 too, and gives its text back with newlines there: shown so, an untouched
        # note that holds one is not taken for an edited one.
        self._shown = editable_text(self._latest)
        editor = NoteArea(self._shown, id="note-text", soft_wrap=True, show_line_numbers=False,
                          tab_behavior="indent")
        if "markdown" in editor.available_languages:
            editor.language = "markdown"
        yield editor
        yield Static(id="note-status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        editor = self.query_one("#note-text", TextArea)
        editor.focus()
        editor.move_cursor(editor.document.end)
        if clean_note(self._latest) != unify_line_ends(self._latest):
            # Left out silently, the controls would go at the first keystroke without the user knowing.
            self._status("This note holds terminal control characters, left out here: they go from the note "
                         "once you type · Esc without typing keeps it as it is")
        else:
            self._status("Markdown · saved as you type · Esc saves and goes back")
        self.set_interval(AUTOSAVE_SECONDS, self.autosave)

    def _status(self, message: str) -> None:
        status = next(self.query("#note-status").results(Static), None)
        if status is not None:  # a save while the screen is torn down has no status line left
            status.update(Text(message))  # in the muted colour (readlist.tcss): dim on it faded it twice

    @property
    def text(self) -> str:
        return self._latest

    @property
    def original(self) -> str:
        return self.editing.original

    @property
    def saved(self) -> str:
        return self.editing.saved

    @on(TextArea.Changed, "#note-text")
    def _changed(self, event: TextArea.Changed) -> None:
        self._latest = event.text_area.text
        if self._pending is None:  # already waiting: that save takes this keystroke too
            self._pending = self.set_timer(SAVE_AFTER_TYPING, self._save_typed)

    def _save_typed(self) -> None:
        self._pending = None
        self.autosave()

    def on_unmount(self) -> None:
        # The app is closing (a leave has already saved or kept the text): what cannot be saved now is kept
        # in a file, and the app says where once the terminal is back.
        if not self._left and not self.save() and self._failed is not None:
            where = self._keep()
            notices = getattr(self.app, "exit_notices", None)
            if isinstance(notices, list):
                notices.append(f"the note was not saved ({self._failed}); " + (
                    f"your text is kept in {where}" if where else "and no copy of it could be made"))

    def save(self) -> bool:
        """Write the note if it changed since the last save; True when something was written."""
        if self._pending is not None:
            # This save takes the text as it is now: the timed one would only come later to say it again (over
            # what Esc said of a note it could not keep, say).
            self._pending.stop()
            self._pending = None
        # The widget's own text when it is there and was typed in: its Changed message may not have reached
        # this screen yet. Untouched, it is the note as shown, which must not overwrite the stored note.
        editor = next(self.query("#note-text").results(TextArea), None)
        if editor is not None and editor.text != self._shown:
            self._latest = editor.text
        text = self._latest
        try:
            result = self.editing.save(text)
        except (LibraryError, ValidationError) as exc:
            if self._failed != str(exc):
                self.notify(f"Note not saved: {exc}", severity="error", markup=False)
            self._failed = str(exc)
            # The whole message is in the notification; the line keeps the cause and what Esc does.
            cause = exc.__cause__
            short = cause.strerror if isinstance(cause, OSError) and cause.strerror else str(exc)
            self._status(f"Not saved ({short}). Esc keeps your text in a file.")
            return False
        if result is None:
            return False
        if result.gone:
            self._say_gone()
            if not self._gone:
                self._gone = True
                self.notify(
                    "The paper was deleted outside the editor, so the note cannot be saved; copy your text now.",
                    severity="error",
                    markup=False,
                    timeout=15,
                )
            return False
        self._failed = None
        if result.outside is not None:
            self._show_outside(result.tail)
        return True

    def _show_outside(self, tail: str) -> None:
        """Show the other version kept after the user's text, and say what happened."""
        if tail:
            self._latest += tail
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
        self._save_or_say_gone()
        if self._failed is None:
            self._status("Saved.")

    def _save_or_say_gone(self) -> None:
        self.save()
        if self._failed is None and self.editing.paper is None:
            # Nothing new to write, but what was written went with the paper: "Saved." would not be true.
            self._say_gone()

    def _say_gone(self) -> None:
        self._failed = "the paper was deleted outside the editor"
        self._status("Not saved: the paper was deleted outside the editor. Esc keeps your text in a file.")

    async def action_leave(self) -> None:
        """Save and go back; text that cannot be saved is kept in a file first, or the editor stays open.

        Esc is read by the app before the editor sees it (so that the keys typed after it act on the screen it goes
        back to): the words typed just before it are waited for, or the note was saved without them."""
        await keys_taken(*self.query("#note-text").results(TextArea))
        self._save_or_say_gone()
        if self._failed is not None:
            where = self._keep()
            if where is None:
                self._status(f"Not saved ({self._failed}), and no copy could be made: your text stays here. "
                             "Free some space and press Esc again.")
                return
            self.notify(f"Note not saved ({self._failed}). Your text is kept in {where}", severity="error",
                        markup=False, timeout=30)
            self._failed = None  # kept: leaving must not keep it a second time
            kept = True
        else:
            kept = False
        # One undo step for the whole editing session, however many autosaves it took.
        changed = bool(self.editing.finish().changes)
        self._left = True
        self.dismiss(changed and not kept)  # a note kept in a file was said to be not saved

    def _keep(self) -> str | None:
        try:
            return str(keep_draft(self._latest))
        except OSError:
            return None
