"""How a note is saved when it may have changed elsewhere since it was opened, and how ``$EDITOR`` is run on one.

An editor (the TUI's, or ``$EDITOR`` from ``readlist note --edit`` and the app's ``N``) works on a copy of the note.
When it saves, the note on disk is compared, under the library's lock, with the note as this
editor last loaded or saved it. If another process changed it meanwhile, the user's text is
still saved, followed by the other version under a separator line: neither text is lost, and
the user sees both. When the other process only added to the note (``readlist note --append``),
just the addition is kept.
"""

from __future__ import annotations

import difflib
import os
import shlex
import subprocess
import tempfile
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path

from readlist.app.commands import Change, Outcome, PaperChange, edit_papers
from readlist.app.session import Session
from readlist.core.model import Paper
from readlist.core.text import clean_note, signal_name
from readlist.storage.atomic import open_regular
from readlist.storage.library import Library

# Written above a version of the note that another process saved while the editor was open.
CHANGED_ELSEWHERE = "── The note was changed outside this editor while you were editing; that version follows ──"
ADDED_ELSEWHERE = "── Added to the note outside this editor while you were editing ──"


def as_stored(text: str) -> str:
    """``text`` the way the library stores a note, to compare with what is on disk."""
    return clean_note(text)


def outside_tail(mine: str, base: str, outside: str) -> str:
    """What to add after the user's text so the version another process wrote is not lost.

    ``base`` is the note as the editor last loaded or saved it. When the other process only
    added to it, just the addition is kept; otherwise the lines it wrote or changed are
    (:func:`written_elsewhere`). Empty when there is nothing of the outside version to keep.
    """
    kept, label = outside.strip(), CHANGED_ELSEWHERE
    start = base.strip()
    if kept.startswith(start):
        kept, label = kept[len(start) :].strip(), ADDED_ELSEWHERE
    else:
        kept = written_elsewhere(mine, base, outside)
    if not kept or kept in mine:
        return ""
    return ("" if mine.endswith("\n") or not mine else "\n") + ("\n" if mine else "") + f"{label}\n\n{kept}\n"


def written_elsewhere(mine: str, base: str, outside: str) -> str:
    """The lines of ``outside`` that are not in ``base`` (what the other process wrote or changed), less those the
    user's text already holds and the separator lines above versions kept before.

    Two editors open on one note (two windows of the app) each keep the other's version after their own text.
    Kept whole, each save would carry the other editor's copy of this one's text back into it, the note doubling
    at every save; kept as its changed lines, it grows by what was typed.
    """
    old, new = base.splitlines(), outside.splitlines()
    have = {line.strip() for line in mine.splitlines() if line.strip()}
    chunks: list[str] = []
    for tag, _, _, start, end in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag not in ("replace", "insert"):
            continue
        lines = [line for line in new[start:end]
                 if line.strip() not in have and line.strip() not in (CHANGED_ELSEWHERE, ADDED_ELSEWHERE)]
        if chunk := "\n".join(lines).strip():
            chunks.append(chunk)
    return "\n\n".join(chunks)


def keep_draft(text: str) -> Path:
    """Keep a note that could not be saved in a file of its own, and say where; raises OSError if not even that.

    The system's temporary folder, like ``readlist note --edit``'s drafts: the library's own folder is often
    the very thing that is full or read-only when a save fails.
    """
    fd, name = tempfile.mkstemp(prefix="readlist-note-", suffix=".md")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


@dataclass
class NoteSaved(Outcome):
    """A note save: what changed, and what happened to a version written elsewhere meanwhile."""

    outside: str | None = None  # the other process's version, when it differed and was kept
    tail: str = ""  # what was added after the user's text to keep it
    gone: bool = False  # the paper was deleted elsewhere: nothing could be saved
    paper_id: str = ""  # the paper's id now: another than the editor's when it was given its arXiv id meanwhile


@dataclass(frozen=True)
class SaveNote:
    """Save ``text`` as the note, keeping any version written elsewhere since the note was ``base``.

    Without a ``base`` (a note given whole, e.g. from a script) the text replaces whatever is there.
    """

    paper_id: str
    text: str
    base: str | None = None

    def execute(self, library: Library) -> NoteSaved:
        kept: list[str] = []
        text, base = self.text, self.base

        def resolved(paper: Paper) -> Change:
            kept.clear()  # the change may be worked out again after a retry
            if base is None or paper.note in (base, as_stored(text)):
                return {"note": text}
            kept.append(paper.note)
            return {"note": text + outside_tail(text, base, paper.note)}

        outcome = edit_papers(library, "Note edited", {self.paper_id: resolved})
        paper = library.named_by_id(self.paper_id)
        saved = NoteSaved(outcome.label, outcome.changes, caught_up=outcome.caught_up, gone=paper is None,
                          paper_id=paper.id if paper is not None else "")
        if paper is not None and kept:
            saved.outside = kept[-1]
            mine = as_stored(text)
            saved.tail = paper.note[len(mine) :] if paper.note.startswith(mine) else ""
        return saved


class NoteEdit:
    """One editing session of one note: saved as often as the editor likes, undone as one step.

    The TUI's note editor and ``readlist note`` (``--edit``, or a new text) both save through one
    of these, so a note changed elsewhere meanwhile is handled the same way by both.
    """

    def __init__(self, session: Session, paper_id: str) -> None:
        self.session = session
        self.paper_id = paper_id
        paper = session.library.get(paper_id)
        note = paper.note if paper is not None else ""
        self.original = note  # what undo of the whole session goes back to
        self.saved = note  # the editor's text as last saved (with any outside version appended)
        self.on_disk = note  # the note as stored when this editor last loaded or saved it

    def save(self, text: str) -> NoteSaved | None:
        """Save the editor's text; None when nothing changed since the last save.

        Raises what the library raises when the save fails (the editor keeps the text then).
        """
        if text == self.saved:
            return None
        result = self.session.run(SaveNote(self.paper_id, text, self.on_disk), record=False)
        if result.gone:
            return result
        self.paper_id = result.paper_id  # enrichment elsewhere may have given the paper its arXiv id meanwhile
        if result.outside is not None:
            # Undo of this editing session goes back to the other version, not to the older note.
            self.original = result.outside
        self.saved = text + result.tail
        paper = self.paper
        if paper is not None:
            self.on_disk = paper.note
        return result

    @property
    def paper(self) -> Paper | None:
        """The paper being edited, by the id it has now; None when it was deleted."""
        return self.session.library.named_by_id(self.paper_id)

    def finish(self) -> Outcome:
        """Record the whole session as one undoable change (nothing when the note ended as it started)."""
        paper = self.paper
        if paper is None or paper.note == self.original:
            return Outcome("Note edited")
        outcome = Outcome("Note edited", {paper.id: PaperChange({"note": self.original}, {"note": paper.note})})
        self.session.record(outcome)
        return outcome


class EditorFailed(Exception):
    """$EDITOR could not be run on a note, or did not end well: the note was not changed. The message says why as a
    clause (``the editor exited with status 1; the note was not changed``), and where the user's text is kept
    when the editor had saved some."""


def without_final_line_end(text: str) -> str:
    """Text from a file, a pipe or an editor without the line end its last line has (``printf 'a\\nb\\n'``, an
    editor's final newline): that ends the text, it is none of it. Kept, a note grew by a line each time it was
    printed (``readlist note ID``, which ends it with one) and given back (``readlist note ID -``)."""
    return text.removesuffix("\n").removesuffix("\r") if text.endswith("\n") else text


def _differs(draft: Path, text: str) -> bool:
    """Whether the draft holds anything but ``text`` (what it was given); False when it cannot be read (gone, or
    never readable): then nothing of the user's is in it to keep."""
    try:
        return draft.read_bytes() != text.encode("utf-8")
    except OSError:
        return False


def edit_in_editor(
    text: str, *, terminal: bool, around: Callable[[], AbstractContextManager[object]] = nullcontext
) -> tuple[str, Path]:
    """``text`` edited in $VISUAL or $EDITOR (vi when neither is set and there is a terminal for it), and the draft
    file holding it, for the caller to delete once the note is saved (or to name, when it is not).

    The one way readlist runs an editor on a note: ``readlist note ID --edit`` and the app's key for it. The editor
    runs inside ``around`` (the app hands it the terminal there, :meth:`textual.app.App.suspend`); what that raises
    is raised, the draft deleted first. Raises :class:`EditorFailed` when the editor cannot be run or fails: a failed
    editor (``:cq`` in vim, a crash, a kill) means "do not save", and what it had saved is kept in the draft.
    """
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor:
        if not terminal:
            # vi with no terminal waits for keys that never come, until it is killed.
            raise EditorFailed("no editor set and no terminal to run vi in: set $EDITOR, or give the note as text "
                               "(`readlist note ID TEXT`, or --append TEXT)")
        editor = "vi"
    try:
        command = shlex.split(editor)
    except ValueError as exc:  # an unbalanced quote
        raise EditorFailed(f"$EDITOR ({editor!r}) cannot be read as a command ({exc}); set $EDITOR; "
                           "the note was not changed") from None
    if not command:
        raise EditorFailed("$EDITOR is blank; set it to an editor; the note was not changed")
    given = text + "\n" if text else ""  # a text file's last line ends with a line end
    try:
        draft = keep_draft(given)
    except OSError as exc:
        raise EditorFailed(f"no file for the editor could be made ({exc.strerror or exc}); "
                           "the note was not changed") from None
    try:
        with around():
            result = subprocess.run([*command, str(draft)], check=False)
    except FileNotFoundError:
        draft.unlink(missing_ok=True)
        raise EditorFailed(f"editor {editor!r} not found; set $EDITOR; the note was not changed") from None
    except OSError as exc:  # a folder, a file that may not be run
        draft.unlink(missing_ok=True)
        raise EditorFailed(f"editor {editor!r} cannot be run ({exc.strerror or exc}); set $EDITOR; "
                           "the note was not changed") from None
    except BaseException:
        draft.unlink(missing_ok=True)
        raise
    if result.returncode != 0:
        how = (f"was stopped by {signal_name(-result.returncode)}" if result.returncode < 0
               else f"exited with status {result.returncode}")
        # What it saved before it failed or was killed may be an hour's writing: kept, and said where.
        if _differs(draft, given):
            raise EditorFailed(f"the editor {how}; the note was not changed; your text is kept in {draft}")
        draft.unlink(missing_ok=True)
        raise EditorFailed(f"the editor {how}; the note was not changed")
    try:
        with open_regular(draft) as handle:
            data = handle.read()
    except OSError as exc:  # the editor saved elsewhere and removed it, or left a folder in its place
        raise EditorFailed(f"the editor left no note to read in {draft} ({exc.strerror or exc}); "
                           "the note was not changed") from None
    try:
        return without_final_line_end(data.decode("utf-8")), draft
    except UnicodeDecodeError:
        raise EditorFailed(f"the edited note is not UTF-8 text (check the editor's encoding); the note was not "
                           f"changed; your text is kept in {draft}") from None
