"""Undo and redo, over command outcomes.

Every undoable command returns an :class:`~readlist.app.commands.Outcome`; undo runs a
:class:`~readlist.app.commands.Revert` to its ``before`` side and redo to its ``after`` side. The
TUI keeps a stack of them for the session. The command line keeps the last one in a file beside
the library, so ``readlist undo`` reverts the last change a command made. Because a later change
from anywhere may have touched the same papers since (a command in another terminal, another window, a sync),
both only revert papers still as the change left them, and name the others: ``u`` in the app never throws away
a note appended from the command line, nor deletes a paper noted there since it was imported.

The record is written after the change is in the journal, so a command killed in between leaves the record
of the change before. To tell, every command-line change is an undo *step* with a random token: its journal
lines carry the token, and so does its record (and an undo's revert, which belongs to the same step). When the
newest token in the journal is not the record's, the record is not of the last change, and undo refuses.
Folding the journal into the library file keeps its newest token beside that file
(:mod:`readlist.storage.undo_step`), so a fold in between changes nothing. Changes that name no step (the
terminal UI's, citation keys stored once shown) leave the newest token as it is: after a killed command they
do not make its lost record reappear, and after a recorded one they do not stop its undo.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import msgspec

from readlist.app.commands import Outcome, PaperChange, Revert, Reverted, put_back_already
from readlist.storage.atomic import atomic_write_chunks, load_small_json
from readlist.storage.library import Library
from readlist.storage.paths import last_change_path, library_bytes


@dataclass
class Undone:
    """What undo or redo did: the step it reverted, what changed now, and papers left alone."""

    step: Outcome
    outcome: Reverted

    @property
    def skipped(self) -> list[str]:
        return self.outcome.skipped


def revert(library: Library, step: Outcome, *, to_before: bool, only_unchanged: bool = False) -> Undone:
    """Put the papers of ``step`` back to its before (undo) or after (redo) values."""
    return Undone(step, Revert(step.label, _towards(step, to_before), only_unchanged=only_unchanged).execute(library))


def reverted_already(library: Library, step: Outcome, *, to_before: bool) -> list[str]:
    """The papers of ``step`` that already hold its before (undo) or after (redo) values."""
    return put_back_already(library, _towards(step, to_before))


def _towards(step: Outcome, to_before: bool) -> dict[str, PaperChange]:
    return step.inverse(step.label).changes if to_before else step.changes


class History:
    """Undo and redo stacks of the changes made in one session."""

    def __init__(self, limit: int = 500) -> None:
        self.limit = limit
        self.undo_stack: list[Outcome] = []
        self.redo_stack: list[Outcome] = []

    def record(self, outcome: Outcome) -> None:
        """Remember a change just made; nothing is recorded when nothing changed."""
        if not outcome.changes:
            return
        self.undo_stack.append(outcome)
        del self.undo_stack[: -self.limit]
        self.redo_stack.clear()

    def undo(self, library: Library) -> Undone | None:
        """Revert the newest step; papers changed since by anyone else are left alone (``Undone.skipped``)."""
        if not self.undo_stack:
            return None
        step = self.undo_stack.pop()
        try:
            done = revert(library, step, to_before=True, only_unchanged=True)
        except BaseException:
            self.undo_stack.append(step)
            raise
        self.redo_stack.append(step)
        return done

    def redo(self, library: Library) -> Undone | None:
        if not self.redo_stack:
            return None
        step = self.redo_stack.pop()
        try:
            done = revert(library, step, to_before=False, only_unchanged=True)
        except BaseException:
            self.redo_stack.append(step)
            raise
        self.undo_stack.append(step)
        return done


class LastChange(msgspec.Struct):
    """The change ``readlist undo`` acts on, and whether it is currently undone (then undo redoes it)."""

    outcome: Outcome
    undone: bool = False
    step: str = ""  # the token its journal lines carry ("" in records written before there were any)


def new_step() -> str:
    """A token for the next command-line undo step."""
    return os.urandom(8).hex()


def overtaken(last: LastChange, library: Library) -> bool:
    """Whether a command-line change was made after ``last`` whose record was never written (the command was
    killed before it could write it), as the journal or the step kept when it was folded in tell: undoing ``last``
    would then revert the change before that one."""
    return bool(last.step and library.newest_step and library.newest_step != last.step)


_LAST = msgspec.json.Decoder(LastChange)
# The record holds every paper the change touched, as it was and as it is: an import of 100,000 papers keeps their
# records (240 MB), a change to every paper two versions of each. So the limit grows with the library's files, to
# twice their size. (Only the removal of most of a library over 128 MB, once folded out of its files, can leave a
# record past it: that one is not read, and the backups still hold the papers.)
MAX_BYTES = 256 << 20


def _limit(library_path: Path) -> int:
    return max(MAX_BYTES, 2 * library_bytes(library_path))


def save_last_change(library_path: Path, outcome: Outcome, *, undone: bool = False, step: str = "") -> str | None:
    """Keep ``outcome`` (of undo step ``step``) as the change ``readlist undo`` reverts; None, or why it could not
    be kept.

    Best effort, as the change itself is saved; but a record that cannot be replaced (a full disk) is removed,
    since it names an older change and `readlist undo` would revert that one instead of this.
    """
    path = last_change_path(library_path)
    try:
        atomic_write_chunks(path, _record_chunks(LastChange(outcome, undone, step)))
    except OSError as exc:
        with contextlib.suppress(OSError):
            path.unlink()
        return exc.strerror or str(exc)
    return None


def _record_chunks(last: LastChange, per_chunk: int = 1000) -> Iterator[bytes]:
    """``last`` encoded as JSON a thousand papers at a time: the record of an import of 100,000 papers is 240 MB,
    and encoded whole it raised the import's peak memory by as much."""
    outcome = last.outcome
    frame = msgspec.json.encode(LastChange(replace(outcome, changes={}), last.undone, last.step))
    # Inside a JSON string every quote is escaped, so this is the ``changes`` member itself.
    cut = frame.index(b'"changes":{}') + len(b'"changes":{')
    yield frame[:cut]
    changes = iter(outcome.changes.items())
    first = True
    while group := dict(itertools.islice(changes, per_chunk)):
        encoded = msgspec.json.encode(group)
        yield (b"" if first else b",") + encoded[1:-1]
        first = False
    yield frame[cut:]


def load_last_change(library_path: Path) -> LastChange | None:
    """The last change made from the command line, or None when there is none (or it cannot be read)."""
    return load_small_json(last_change_path(library_path), _limit(library_path), _LAST)


def last_change_file(library_path: Path) -> Path | None:
    """The file ``load_last_change`` reads, when something is there: if it gave None, that file is damaged or
    not readlist's, and "nothing to undo" would be untrue."""
    path = last_change_path(library_path)
    return path if os.path.lexists(path) else None
