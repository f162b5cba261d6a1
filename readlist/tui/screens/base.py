"""What every readlist screen shares: its session, running commands, and the app-wide actions.

Screens are handed the session when they are made and never reach for the app object's own
attributes: the app only routes messages, so a screen can be built and tested with any session.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple, Protocol, TypeVar, runtime_checkable

from textual.app import SuspendNotSupported
from textual.notifications import SeverityLevel
from textual.screen import Screen

from readlist.app.browser import open_in_browser, page_of
from readlist.app.commands import Command, KeepKeys, O_co, Outcome, Rate, SetStatus, ToggleRead
from readlist.app.history import Undone
from readlist.app.session import Session
from readlist.core.citekeys import assign_keys, keys_to_store, taken_keys
from readlist.core.model import Paper, Status, ValidationError
from readlist.core.texrender import render_tex
from readlist.core.text import counted, inert_text
from readlist.storage.errors import LibraryError
from readlist.tui.keymap import DeclaredOrder
from readlist.tui.messages import ExternalChanges, PapersEdited

ResultT = TypeVar("ResultT")
# What the screen below says when the note editor closes on a changed note, and what a note saved from $EDITOR
# says, as every other change says what it did (with how to undo it, by the key undo has there: see undoable).
NOTE_SAVED = "Note saved"


def decision(name: str, ids: list[str]) -> tuple[Command[Any], bool]:
    """The command behind a decision key, and whether triage moves on to the next paper after it.

    The list and triage mode share the keys and this table, so a decision means the same in both.
    """
    if name.startswith("rate_"):
        return Rate(ids, int(name.removeprefix("rate_"))), False
    if name == "toggle_read":
        return ToggleRead(ids), True
    status = {"keep": Status.TO_READ, "skip": Status.SKIPPED, "reading": Status.READING}[name]
    return SetStatus(ids, status), True


class EditorClosed(NamedTuple):
    """What became of a note edited in $EDITOR (see :meth:`ReadlistScreen.note_in_editor`)."""

    said: str  # what to tell the user; "" when the note was left as it was
    severity: SeverityLevel
    paper_id: str  # the paper's id now (given its arXiv id elsewhere meanwhile, it has another)


@runtime_checkable
class KeepsTyping(Protocol):
    """A dialog holding what was typed in it and not yet saved (the details form, the tag box).

    Quitting the app (``ctrl+q``, a signal) keeps it as its save key would, as the note editor keeps a note:
    the answer is None, or what could not be kept and why, for the user to be told once the terminal is back.
    """

    def keep_on_quit(self) -> str | None: ...


class ReadlistScreen(DeclaredOrder, Screen[ResultT]):
    """A screen working on one session."""

    HELP_TITLE = "readlist"

    def __init__(self, session: Session, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.session = session

    def run_command(self, command: Command[O_co], *, record: bool = True) -> O_co | None:
        """Run a command; a failure becomes a notification (None), never a crash."""
        try:
            return self.run_or_raise(command, record=record)
        except (LibraryError, ValidationError) as exc:
            self.notify(str(exc), severity="error", markup=False)
            self.command_failed()
            return None

    def command_failed(self) -> None:
        """A command was refused (its reason is notified): a screen that reports what its last command did stops
        reporting a success the refused one did not have."""

    def run_or_raise(self, command: Command[O_co], *, record: bool = True) -> O_co:
        """:meth:`run_command` for a caller that shows why it failed itself (a form, under its boxes)."""
        outcome = self.session.run(command, record=record)
        if outcome.caught_up:
            self.post_message(ExternalChanges())
        if outcome.changes:
            self.post_message(PapersEdited())
        return outcome

    def undo_key(self) -> str | None:
        """The key that undoes on this screen, as the footer shows it (``u`` as shipped, or what ``[keymap]`` made
        it), for every message that says how to undo a change; None when undo has no key here.

        Read from the live bindings as the help and the footer are, so a message never names a key that was
        remapped away."""
        from readlist.tui.screens.help import bindings_table

        return next((row.keys.split()[0] for row in bindings_table(self.app, self) if row.action == "undo"), None)

    def bound_key(self, action: str) -> str | None:
        """The key bound to ``action`` on this screen as ``[keymap]`` made it, shown as the footer shows keys; None
        when none is. Unlike :meth:`undo_key`, read from the screen's own bindings rather than the live ones, so it is
        named also while it cannot run yet (the paper list's keys wait for the library, and the search box that has
        the focus meanwhile takes letters): text drawn before then names the key it will have."""
        bindings = self._bindings.copy()
        if self.app._keymap:
            bindings.apply_keymap(self.app._keymap)
        return next((self.app.get_key_display(binding.with_key(key)) for key, binding in bindings
                     if binding.action == action), None)

    def undoable(self, message: str) -> str:
        """``message`` with how to undo it: ``Skipped: 1 paper (u undoes)``, with undo's key as mapped (none
        named when it has none)."""
        key = self.undo_key()
        return f"{message} ({key} undoes)" if key else message

    def undo(self) -> Undone | None:
        return self._revert(self.session.undo, "undo again goes back to the change before",
                            self.session.history.undo_stack)

    def redo(self) -> Undone | None:
        return self._revert(self.session.redo, "redo again goes on to the change after",
                            self.session.history.redo_stack)

    def _revert(self, step: Any, next_step: str, left: Sequence[Outcome]) -> Undone | None:
        """``next_step``: what the same key does again after a step of which nothing could be reverted (the session's
        history has passed it, as after any step), said while ``left`` (the steps still to take that way) has one."""
        try:
            done: Undone | None = step()
        except (LibraryError, ValidationError) as exc:
            self.notify(str(exc), severity="error", markup=False)
            return None
        if done is not None and done.outcome.caught_up:
            self.post_message(ExternalChanges())
        if done is not None:
            self.post_message(PapersEdited())
        if done is not None and done.skipped:
            # Changed since by another process (a command, another window, a sync): reverting them would throw
            # that change away, so they stay as they are, and the user is told which.
            then = "" if done.outcome.changes or not left else f"; {next_step}"
            self.notify(f"Left as {'it is' if len(done.skipped) == 1 else 'they are'}, changed elsewhere since: "
                        f"{self._named(done.step, done.skipped)}{then}", severity="warning", markup=False, timeout=10)
        return done

    def _named(self, step: Outcome, ids: Sequence[str]) -> str:
        """One paper by its title (as the step knew it, when it is gone now), several by their count."""
        if len(ids) != 1:
            return counted(len(ids), "paper")
        pid = ids[0]
        paper = self.session.library.get(pid)
        change = step.changes.get(pid)
        side = (change.before or change.after or {}) if change is not None else {}
        if paper is None and "title" not in side:
            return f"{pid} (removed)"  # the step changed a field of a paper that is gone now: its id is all there is
        return f"“{render_tex(paper.title if paper is not None else str(side.get('title', pid)))}”"

    def reverted(self, verb: str, done: Undone) -> str:
        """``Undid: kept — “Title”`` for the top bar or a notification; ``Nothing undone: …`` when every paper of
        the step was changed elsewhere since and left as it is (the notification names them)."""
        if done.skipped and not done.outcome.changes:
            return f"Nothing {'undone' if verb == 'Undid' else 'redone'}: {self.what_was(done.step)}"
        return f"{verb}: {self.what_was(done.step)}"

    def citation_keys(self, papers: Sequence[Paper]) -> dict[str, str]:
        """The keys these papers are cited with: stored ones, else new ones that avoid every stored key."""
        return assign_keys(papers, taken_keys(self.session.library.papers.values()))

    def what_was(self, step: Outcome) -> str:
        """``toggled read — "Title"`` or ``marked read — 3 papers``, for undo and redo: the paper they change
        may not be on this screen."""
        label = step.label.lower()
        if len(step) != 1:  # papers, not changes: a paper that got its arXiv id is one paper
            return f"{label} — {counted(len(step), 'paper')}"
        renamed = step.renames()
        return f"{label} — {self._named(step, [next(pid for pid in step.changes if pid not in renamed)])}"

    def copy_citation(
        self, papers: Sequence[Paper], fmt: str = "bibtex", keys: dict[str, str] | None = None
    ) -> str | None:
        """Copy citations to the clipboard (the system's, or the terminal's through OSC 52); what happened when
        it worked (for the caller to show where it shows messages), or None after notifying why not.

        The keys copied are stored with the papers, so citing them again gives the same keys.
        """
        if not papers:
            self.notify("No paper to cite.", severity="warning", markup=False)
            return None
        from readlist.app.clipboard import copy_text  # pyperclip is only loaded when something is copied

        keys = keys if keys is not None else self.citation_keys(papers)
        try:
            from readlist.core.cite import format_entries  # the citation formats load when first used

            text = format_entries(list(papers), fmt, keys=keys)
        except (ValueError, KeyError) as exc:
            self.notify(f"Could not format the citation: {exc}", severity="error", markup=False)
            return None
        from readlist.core.cite import FORMAT_LABELS

        # Another format than y's BibTeX is named: "Copied 1 citation" said the same after Y's RIS.
        what = counted(len(papers), "citation")
        if fmt != "bibtex":
            what += " as " + FORMAT_LABELS.get(fmt, fmt).split(" (")[0]
        result = copy_text(text, osc52_writer=self.app.copy_to_clipboard, what=what)
        if not result.ok:
            self.notify(result.message, severity="error", markup=False)
            return None
        self.run_command(KeepKeys(keys_to_store(papers, keys)), record=False)
        return result.message

    def open_paper(self, paper: Paper, *, pdf: bool = False) -> str:
        """Open the paper's page (or its PDF) in a browser; where none can open, put the URL on the clipboard.
        What happened."""
        page = page_of(paper, pdf=pdf)
        url = page.url
        if not url:
            # E (enrich) is a key of the list; in triage it would do nothing.
            where = "" if hasattr(self, "action_enrich") else " in the list"
            lacks = "no arXiv id, so no PDF link" if pdf else "no URL"
            self.notify(f"This paper has {lacks}; E{where} looks it up on arXiv.", severity="warning", markup=False)
            return ""
        shown = inert_text(url)
        if not page.openable:
            self.notify(f"Not opened: {shown} is not an http(s) address.", severity="warning", markup=False)
            return ""
        opened = open_in_browser(url)
        if opened.ok:
            return f"Opened {shown}"
        from readlist.app.clipboard import copy_text

        copied = copy_text(url, osc52_writer=self.app.copy_to_clipboard, what="the URL")
        # What the user can do next comes first: on a narrow top bar the end of a message is cut off.
        if copied.ok and copied.method == "osc52":  # whether it arrived is up to the terminal: said before the URL
            return f"Copied the URL if your terminal allows it: {shown} (not opened: {opened.reason})"
        if copied.ok:
            return f"Copied the URL to the clipboard: {shown} (not opened: {opened.reason})"
        return f"Not opened ({opened.reason}) and not copied: {shown}"

    def note_in_editor(self, paper_id: str) -> EditorClosed:
        """Edit the paper's note in $VISUAL or $EDITOR, the terminal handed to it meanwhile, and save what it left as
        ``readlist note ID --edit`` saves it (the same code: one undo step, a version written elsewhere meanwhile kept
        after it, the text cleaned as any note is stored). For a note of any length: the app's own editor stops at
        2,000 lines.

        Where the terminal cannot be handed over (a test's headless app, a terminal on the web), it says so instead.
        """
        from readlist.app.notes import EditorFailed, NoteEdit, edit_in_editor  # loaded when first used, as the editor

        editing = NoteEdit(self.session, paper_id)
        try:
            text, draft = edit_in_editor(editing.original, terminal=True, around=self.app.suspend)
        except SuspendNotSupported:
            return EditorClosed(f"The terminal cannot be handed to $EDITOR here: `readlist note {paper_id} --edit` "
                                "edits the note in it", "warning", paper_id)
        except EditorFailed as exc:
            said = str(exc)
            return EditorClosed(said[:1].upper() + said[1:], "error", paper_id)
        try:
            result = editing.save(text)
        except (LibraryError, ValidationError) as exc:
            return EditorClosed(f"Note not saved: {exc}; your text is kept in {draft}", "error", paper_id)
        if result is not None and result.gone:
            return EditorClosed(f"The paper was deleted meanwhile, so the note was not saved; your text is kept in "
                                f"{draft}", "error", paper_id)
        changed = bool(editing.finish().changes)
        draft.unlink(missing_ok=True)
        if result is not None and result.outside is not None:
            self.notify("The note was also changed elsewhere while $EDITOR was open. Your text was saved, with the "
                        "other version added at the end under a line starting with ──.", title="Note changed "
                        "elsewhere", severity="warning", markup=False, timeout=12)
        return EditorClosed(self.undoable(NOTE_SAVED) if changed else "", "information", editing.paper_id)

    def action_help(self) -> None:
        from readlist.tui.screens.help import HelpScreen, bindings_table

        self.app.push_screen(HelpScreen(bindings_table(self.app, self), title=self.HELP_TITLE))
