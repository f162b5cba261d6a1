"""What every verb receives: the library path, and a session on it opened on first use."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import click

from readlist.app.first_screen import refresh_first_screen, reorder_first_screen
from readlist.app.session import Session
from readlist.app.views import FIXED_VIEWS, View, find_view, status_view
from readlist.cli.output import echo_err
from readlist.config.settings import config_path, load_config
from readlist.core.query import QueryError, parse_query
from readlist.storage.errors import LibraryError
from readlist.storage.library import Library

if TYPE_CHECKING:
    from readlist.app.network import Network
    from readlist.net.settings import NetworkSettings


@dataclass
class Context:
    """What every verb needs: the library path, and a session on it opened on first use.

    ``explicit`` is true when the path was given (``--db`` or ``READLIST_DB``) rather than the
    platform default. A given path whose folder does not exist is almost always a typo: a verb
    that reads would show an empty library and let the user believe their papers are gone, so
    every verb except those that create a library (import) stops with "no library at PATH".
    """

    db: Path
    offline: bool = False  # --offline: network commands refuse without touching the network
    explicit: bool = False
    # Set by a verb that only read the library and has written all of its output (see leave_at_once).
    done_reading: bool = False
    # Set by a verb whose change is durable although no session committed it (see made_durable).
    durable: bool = False
    _session: Session | None = field(default=None, repr=False)
    _network_settings: NetworkSettings | None = field(default=None, repr=False)

    def library_path(self, *, create: bool = False) -> Path:
        """The library path, checked: a given path must lie in an existing folder unless ``create``."""
        if self.db.name in ("", ".."):  # ".", "/", "..": no file name to keep the journal and lock beside
            raise LibraryError(
                f"{self.db} is a folder, not a library file: nothing was read or changed. Give the path of the "
                f"library file itself (--db or READLIST_DB; for example {self.db / 'library.json'})"
            )
        if self.explicit and not create and not self.db.parent.is_dir():
            raise LibraryError(
                f"no library at {self.db}: the folder {self.db.parent} does not exist "
                "(check --db or READLIST_DB; `readlist import` creates a library)"
            )
        return self.db

    @property
    def changed(self) -> bool:
        """Whether this command made a change durable (so its exit status is 0 whatever else fails after)."""
        return self.durable or (self._session is not None and self._session.library.committed > 0)

    def session(self, *, create: bool = False) -> Session:
        if self._session is None:
            path = self.library_path(create=create)
            # Command-line changes are kept for a later `readlist undo`.
            settings = load_config()
            # A config.toml that cannot be used is said once per command, as the app says it once per start:
            # silently falling back to defaults would look like settings being ignored.
            for problem in settings.problems:
                echo_err(f"readlist: {problem}")
            self._session = Session.open(path, settings=settings, remember_last=True)
        return self._session

    def library(self) -> Library:
        return self.session().library

    @property
    def opened(self) -> Session | None:
        """The session, if a verb opened one."""
        return self._session


def session_of(ctx: click.Context, *, create: bool = False) -> Session:
    """The session of the ``readlist`` invocation a verb runs in.

    Only a verb that makes a library where there was none (``import``) passes ``create``.
    """
    obj: Context = ctx.find_root().obj
    return obj.session(create=create)


def made_durable(ctx: click.Context) -> None:
    """The verb's change is on disk, made otherwise than by a session's commit (a restore, a repair, a fold, a
    saved view): like a commit, it makes the exit status 0 whatever fails after, its output included, so that
    a script does not make it twice (a second restore would restore the backup the first one made)."""
    obj: Context = ctx.find_root().obj
    obj.durable = True


def leave_at_once(ctx: click.Context) -> None:
    """The verb only read the library and has written all of its output: the program may end without tidying up.

    :func:`readlist.cli.run` then ends the process as soon as standard output and error are flushed, instead of
    freeing the library object by object (0.2 s at 100,000 papers). Nothing is left to close: such a verb holds
    no lock and writes no file (a library converted while it was opened was written, and its lock released,
    before the verb began), and ``run`` checks that no other thread runs.
    """
    obj: Context = ctx.find_root().obj
    obj.done_reading = True


def network_settings_of(ctx: click.Context) -> NetworkSettings:
    """The network settings of this command, from config.toml, the environment and ``--offline``.

    Every verb that may reach the network asks this (import, pull, enrich), so that they agree on
    whether readlist is offline; a setting it cannot use is warned of once per command.
    """
    from readlist.app.network import network_settings

    obj: Context = ctx.find_root().obj
    if obj._network_settings is None:
        obj._network_settings = network_settings(obj.session().settings, offline=obj.offline)
        for problem in obj._network_settings.problems:
            echo_err("readlist: warning: " + problem)
    return obj._network_settings


def network_of(ctx: click.Context) -> Network:
    """The network clients from :func:`network_settings_of`."""
    # The HTTP client (httpx) loads only when a command reaches the network: other commands start faster.
    from readlist.app.network import connect

    return connect(network_settings_of(ctx))


def library_of(ctx: click.Context) -> Library:
    return session_of(ctx).library


def library_path_of(ctx: click.Context) -> Path:
    """The checked library path, for verbs that look at the files rather than open a session (doctor)."""
    obj: Context = ctx.find_root().obj
    return obj.library_path()


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


def kept_in_order(session: Session, answer: object) -> None:
    """After a command trained the interest model (and kept its scores for the app's next start): the app's kept
    first screen, when in the order those scores decide, is made again in theirs, so that the first paint and the
    list once loaded agree. Nothing to do for an answer read back or on a cold start."""
    from readlist.app.interest import InterestSnapshot
    from readlist.app.ui_state import load_ui_state

    if not isinstance(answer, InterestSnapshot) or answer.model is None or answer.recalled:
        return
    state = load_ui_state(session.library.path)
    reorder_first_screen(session, (state.sort if state is not None else "") or session.settings.sort)


VIEW_HELP = "Only the papers of this view, named as in the app's sidebar: Inbox, 'Rated 4+', a saved view, #tag."


def chosen_view(session: Session, name: str | None, status: str | None) -> View:
    """The papers a listing starts from: the view ``--view`` names (as the app's sidebar does), else ``--status``'s."""
    if name is None:
        return status_view(status)
    if status is not None:
        raise click.UsageError("--view and --status both choose the papers: give one (--query takes status:… too)")
    tags = {tag for paper in session.library.papers.values() for tag in paper.tags}
    view = find_view(name, tags, session.settings.views)
    if view is None:
        fixed = ", ".join(v.label for v in FIXED_VIEWS)
        raise click.BadParameter(f"no view named {name.strip()!r}; the views are {fixed}, the saved views "
                                 "(`readlist view`) and #TAG for a tag in use", param_hint="--view")
    if view.key.startswith("saved:"):
        # A saved search whose query no longer reads (config.toml edited by hand) shows nothing in the app; here
        # an empty list or export with status 0 would pass for a view that matches nothing, so it is refused as
        # the same text given to --query is (strictly: what `readlist view` lists as "cannot be read").
        name = view.key.removeprefix("saved:")
        try:
            parse_query(session.settings.views.get(name, ""), strict=True)
        except QueryError as exc:
            raise click.BadParameter(
                f"the saved view {name!r} cannot be read: {exc}; correct it in {config_path()} or save it again "
                "(`readlist view add NAME QUERY`)", param_hint="--view") from None
    return view
