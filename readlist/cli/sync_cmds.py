"""Sync verbs: ``readlist sync init [REMOTE]``, ``readlist sync``, and the merge driver git runs."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from readlist.app.sync import SyncError, SyncReport, init, run_merge_driver, sync
from readlist.cli.context import session_of
from readlist.cli.output import fail, info, print_json


def _interactive() -> bool:
    """git may ask for a password or passphrase only when someone is at the terminal."""
    return sys.stdin is not None and sys.stdin.isatty()


def _print(report: SyncReport) -> None:
    info(report.summary())
    for line in report.details():
        info("  " + line)


@click.group("sync", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print what was done as JSON.")
@click.pass_context
def sync_cmd(ctx: click.Context, as_json: bool) -> None:
    """Sync the library with its git remote. It commits, fetches, merges paper by paper and pushes.

    Changes that do not contradict each other never conflict: papers are merged
    field by field (the later status or rating wins, tags and notes are merged,
    a note edited in the same place on both sides keeps both versions). The
    library as it was is kept in git's history and as a backup.

    \b
    Examples:
      readlist sync init /media/usb/papers.git    once per machine
      readlist sync                               whenever you like
      readlist sync --json
    """
    if ctx.invoked_subcommand is not None:
        return
    session = session_of(ctx)
    try:
        report = sync(session.library, interactive=_interactive())
    except SyncError as exc:
        fail(str(exc))
    except KeyboardInterrupt:  # waiting on a remote that does not answer, most often
        fail(INTERRUPTED, 130)
    if as_json:
        print_json(report.to_dict())
    else:
        _print(report)


@sync_cmd.command("init")
@click.argument("remote", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print what was done as JSON.")
@click.pass_context
def sync_init_cmd(ctx: click.Context, remote: str | None, as_json: bool) -> None:
    """Set up sync: the library's folder under git, with a REMOTE if given.

    The repository is the folder that holds the library file (see --db); only
    the library file is shared, everything else in the folder stays local. Run
    it once on every machine: on a new machine, with the remote of a library
    that exists elsewhere, it fetches that library.

    \b
    Examples:
      readlist sync init                                 history on this machine only
      readlist sync init /media/usb/papers.git           a bare repository on a disk
      readlist sync init git@example.org:me/papers.git   any remote git can reach
      readlist --db ~/lab/list.json sync init ssh://server/srv/lab.git
    """
    session = session_of(ctx, create=True)  # joining a remote on a new machine makes the library there
    try:
        report = init(session.library, remote, interactive=_interactive())
    except SyncError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        fail(INTERRUPTED, 130)
    if as_json:
        print_json(report.to_dict())
        return
    info(report.summary())
    if report.sync is not None:
        _print(report.sync)


# What a sync stopped by Ctrl-C leaves: every step either is done or changes nothing here, and the next sync takes
# up what one stopped anywhere left (docs/sync.md, "Safety").
INTERRUPTED = ("interrupted; nothing was lost: the changes made here are kept (committed for the next sync), and "
               "`readlist sync` again finishes what this one began")


@click.command("merge-driver", hidden=True)
@click.argument("base", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("ours", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("theirs", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("name", required=False, default="")
def merge_driver_cmd(base: Path, ours: Path, theirs: Path, name: str) -> None:
    """git's merge driver for library files (git runs it; see `readlist sync init`).

    Merges THEIRS into OURS, the file git reads the result from. Prints nothing on
    standard output; a side that is not a valid library makes it fail, so git
    reports a conflict and records nothing.
    """
    raise SystemExit(run_merge_driver([str(base), str(ours), str(theirs), name]))


COMMANDS = [sync_cmd, merge_driver_cmd]
