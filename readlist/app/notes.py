"""How a note is saved when it may have changed elsewhere since it was opened.

An editor (the TUI's, or ``$EDITOR`` from ``readlist note --edit``) works on a copy of the note.
When it saves, the note on disk is compared, under the library's lock, with the note as this
editor last loaded or saved it. If another process changed it meanwhile, the user's text is
still saved, followed by the other version under a separator line: neither text is lost, and
the user sees both. When the other process only added to the note (``readlist note --append``),
just the addition is kept.
"""

from __future__ import annotations

import difflib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from readlist.app.commands import Change, Outcome, PaperChange, edit_papers
from readlist.app.session import Session
from readlist.core.model import Paper
from readlist.core.text import clean_note
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
