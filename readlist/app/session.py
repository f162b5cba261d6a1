"""The session: one library, its undo history and the user's settings, and the one way to change them.

The CLI makes a session per command, the TUI one for its whole run. Both run every change as a
command through :meth:`Session.run`, select what a view shows through :meth:`Session.select`,
and undo through the session's history.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Mapping
from functools import cached_property, reduce

from readlist.app.commands import Command, O_co, Outcome, PaperChange, copy_value
from readlist.app.history import History, Undone, new_step, save_last_change
from readlist.app.views import ListModel, View
from readlist.config.settings import Config
from readlist.core.model import FIELD_NAMES, Paper
from readlist.core.query import Query
from readlist.storage.library import Library


class Session:
    """Runs commands on one library and remembers them for undo."""

    def __init__(
        self,
        library: Library,
        *,
        history: History | None = None,
        settings: Config | None = None,
        remember_last: bool = False,
    ) -> None:
        self.library = library
        self.history = history if history is not None else History()
        self.settings = settings if settings is not None else Config()
        # The command line keeps its last change on disk, for a later `readlist undo`; the journal lines of each
        # change carry the token of its undo step, which the record names too (see readlist.app.history).
        self.remember_last = remember_last
        if remember_last:
            library.step = new_step()
        self._step: list[Outcome] | None = None  # the changes of an open ``one_step``, in order
        # Every change since :meth:`take_changes` was last asked, once :meth:`follow_changes` asked for them.
        self._since: Outcome | None = None
        self._since_whole = False  # the library was read whole meanwhile: nothing to tell paper by paper

    @classmethod
    def open(
        cls, path: str | os.PathLike[str], *, settings: Config | None = None, remember_last: bool = False,
        load: bool = True,
    ) -> Session:
        """A session on the library at ``path`` (raises LibraryError when it cannot be opened).

        ``load=False`` reads nothing yet: :meth:`load` does, on any thread; nothing else may use the
        session until it has returned.
        """
        return cls(Library(path, load=load), settings=settings, remember_last=remember_last)

    def load(self) -> None:
        """Read a library opened with ``load=False`` (raises LibraryError when it cannot be read)."""
        self.library.load()
        self.views.invalidate()
        self._note(None)

    def follow_changes(self) -> None:
        """Keep every change from now on, this process's and the ones replayed from others, for
        :meth:`take_changes` (a user interface adjusting its counts; a command-line run keeps none)."""
        if self._since is None:
            self._since = Outcome("changes")
            self._since_whole = True  # until first taken: counted from the library as it is then

    def take_changes(self) -> Outcome | None:
        """The changes since the last call, joined per paper (each paper's ``before`` as the first of them found
        it, as :meth:`Outcome.then` joins a step), so that counts made then can be adjusted to now from these
        papers alone; None when only a recount can tell (the library was read whole meanwhile, or this is the
        first call). Other processes' changes are among them as this process replayed them."""
        if self._since is None:
            self.follow_changes()
        self._note(None)
        since, whole = self._since, self._since_whole
        self._since, self._since_whole = Outcome("changes"), False
        return None if whole else since

    def _note(self, outcome: Outcome | None) -> None:
        """Add what the library replayed from other processes (it came first), then ``outcome``, to the changes
        being followed."""
        since = self._since
        if since is None:
            return
        replayed = self.library.take_replayed()
        if replayed is None or self._since_whole:
            self._since_whole = True
            since.changes.clear()  # a recount comes: what the papers were before is of no use
            return
        for pid, change in replayed_changes(self.library, replayed).items():
            since.fold(pid, change)
        if outcome is not None:
            for pid, change in outcome.changes.items():
                since.fold(pid, change)

    @cached_property
    def views(self) -> ListModel:
        return ListModel(self.library)

    def run(self, command: Command[O_co], *, record: bool = True, undoable: bool = True) -> O_co:
        """Run a command and, when it changed something and ``record`` holds, remember it for undo.

        ``record=False`` leaves the recording to the caller (an editing session records its saves as one step);
        ``undoable=False`` is for a change no undo step holds (citation keys kept once shown): it is never
        recorded, and its journal lines name no step, so that `readlist undo` does not take it for a change
        whose record is missing.
        """
        version = self.library.version
        step = self.library.step
        if not undoable:
            record = False
            self.library.step = ""
        outcome = None
        try:
            outcome = command.execute(self.library)
        finally:
            self.library.step = step
            self._note(outcome)
        # Our own commit moves the version by one; more means other processes' changes came in too.
        outcome.caught_up = self.library.version - version > (1 if outcome.changes else 0)
        if record:
            self.record(outcome)
        return outcome

    def record(self, outcome: Outcome) -> None:
        """Remember a change made outside :meth:`run` (an editing session summed up as one step)."""
        if not outcome.changes:
            return
        if self._step is not None:
            self._step.append(outcome)
            return
        self.history.record(outcome)
        if not self.remember_last:
            return
        step, self.library.step = self.library.step, new_step()  # what is committed from now on is the next step
        if (problem := save_last_change(self.library.path, outcome, step=step)) is None:
            self.library.recorded_step = step
        else:
            self.library.notices.append(
                f"{self.library.path}: the change is saved, but `readlist undo` cannot revert it: its record could "
                f"not be written ({problem})"
            )

    @contextlib.contextmanager
    def one_step(self) -> Iterator[None]:
        """Every change recorded inside is one undo step, their outcomes joined in turn (``Outcome.then``):
        what the user did in one go (an import of three files, a pull of several sources) is undone in one go.
        The step is recorded on the way out even when a later change failed: what was stored is undone too."""
        if self._step is not None:  # inside another: that one records
            yield
            return
        self._step = []
        try:
            yield
        finally:
            outcomes, self._step = self._step, None
            if outcomes:
                self.record(reduce(Outcome.then, outcomes))

    def undo(self) -> Undone | None:
        return self._reverted(self.history.undo)

    def redo(self) -> Undone | None:
        return self._reverted(self.history.redo)

    def _reverted(self, revert: Callable[[Library], Undone | None]) -> Undone | None:
        done = None
        try:
            done = revert(self.library)
        finally:
            self._note(done.outcome if done is not None else None)
        return done

    def refresh(self) -> bool:
        """Catch up with other processes; True when the library changed (views must be redrawn)."""
        try:
            changed = self.library.refresh()
        finally:
            self._note(None)
        if changed:
            self.views.invalidate()
        return changed

    def select(
        self, view: View, query: Query | str = "", sort: str = "added", *, scores: Mapping[str, float] | None = None,
    ) -> list[Paper]:
        """The papers a view shows: its filter, the query, in the sort order (``scores`` for the interest sort)."""
        return self.views.select(view, query, sort, scores=scores)


def replayed_changes(library: Library, replayed: Mapping[str, Paper | None]) -> dict[str, PaperChange]:
    """Other processes' changes as a command's: per paper, the fields that differ from the copy kept before them.

    An abstract kept in the library file is compared by identity, never read back (a replayed change gives the
    paper a new one). A paper that is as it was is still listed, with nothing on either side: it was touched.
    """
    changes: dict[str, PaperChange] = {}
    for pid, old in replayed.items():
        new = library.get(pid)
        if old is None:
            if new is not None:
                changes[pid] = PaperChange(None, new.to_dict())
        elif new is None:
            changes[pid] = PaperChange(old.to_dict(), None)
        else:
            differ = [name for name in FIELD_NAMES if (getattr(old, name) is not getattr(new, name)
                                                        if name == "abstract" else
                                                        getattr(old, name) != getattr(new, name))]
            changes[pid] = PaperChange({name: copy_value(getattr(old, name)) for name in differ},
                                       {name: copy_value(getattr(new, name)) for name in differ})
    return changes
