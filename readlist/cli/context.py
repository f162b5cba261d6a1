"""What every verb receives: the library path, and a session on it opened on first use."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import click

from readlist.app.first_screen import refresh_first_screen
from readlist.app.session import Session
from readlist.cli.output import echo_err
from readlist.config.settings import load_config
from readlist.storage.errors import LibraryError
from readlist.storage.library import Library


@dataclass
class Context:
    """What every verb needs: the library path, and a session on it opened on first use."""

    db: Path
    offline: bool = False  # --offline: network commands refuse without touching the network
    _session: Session | None = field(default=None, repr=False)

    def session(self) -> Session:
        if self._session is None:
            # Command-line changes are kept for a later `readlist undo`.
            self._session = Session.open(self.db, settings=load_config(), remember_last=True)
        return self._session

    def library(self) -> Library:
        return self.session().library

    @property
    def opened(self) -> Session | None:
        """The session, if a verb opened one."""
        return self._session


def session_of(ctx: click.Context) -> Session:
    """The session of the ``readlist`` invocation a verb runs in."""
    obj: Context = ctx.find_root().obj
    return obj.session()


def library_of(ctx: click.Context) -> Library:
    return session_of(ctx).library


def settle(session: Session) -> None:
    """After a change is durable in the journal, fold it into the library file if that is cheap.

    The change is saved whether or not this works, so a failure (a full disk, say) is a warning
    and the command still succeeds: exit status 0 means the change is durable.
    """
    try:
        session.library.compact()
    except LibraryError as exc:
        echo_err(f"readlist: warning: {exc}")
    # The terminal UI's kept first screen no longer matches the files: make it match, so it still opens at once.
    refresh_first_screen(session)
