"""The session: one library, its undo history and the user's settings, and the one way to change them.

The CLI makes a session per command, the TUI one for its whole run. Both run every change as a
command through :meth:`Session.run`, select what a view shows through :meth:`Session.select`,
and undo through the session's history.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from functools import cached_property, reduce

from readlist.app.commands import Command, O_co, Outcome
from readlist.app.history import History, Undone, new_step, save_last_change
from readlist.app.views import ListModel, View
from readlist.config.settings import Config
from readlist.core.model import Paper
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
        try:
            outcome = command.execute(self.library)
        finally:
            self.library.step = step
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
        if (problem := save_last_change(self.library.path, outcome, step=step)) is not None:
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
        return self.history.undo(self.library)

    def redo(self) -> Undone | None:
        return self.history.redo(self.library)

    def refresh(self) -> bool:
        """Catch up with other processes; True when the library changed (views must be redrawn)."""
        changed = self.library.refresh()
        if changed:
            self.views.invalidate()
        return changed

    def select(
        self, view: View, query: Query | str = "", sort: str = "added", *, scores: Mapping[str, float] | None = None,
    ) -> list[Paper]:
        """The papers a view shows: its filter, the query, in the sort order (``scores`` for the interest sort)."""
        return self.views.select(view, query, sort, scores=scores)
