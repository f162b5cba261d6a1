"""The ``readlist`` command: the TUI with no sub-command, a scriptable verb for every action otherwise."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from readlist import __version__
from readlist.cli.context import Context
from readlist.cli.output import echo_err, fail
from readlist.core.model import ValidationError
from readlist.storage.errors import LibraryError
from readlist.storage.paths import ENV_DB, resolve_db_path


class ReadlistGroup(click.Group):
    """Turns domain errors into one clear line and exit code 1 (usage errors stay 2)."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (LibraryError, ValidationError) as exc:
            _tell_notices(ctx)
            fail(str(exc))
        except BrokenPipeError:
            sys.stderr.close()
            raise SystemExit(0) from None
        except KeyboardInterrupt:
            fail("interrupted", 130)
        finally:
            _tell_notices(ctx)


def _tell_notices(ctx: click.Context) -> None:
    """What opening the library found and did (a journal set aside, say): one line each on stderr."""
    obj = ctx.obj
    if isinstance(obj, Context) and obj.opened is not None:
        for notice in obj.opened.library.take_notices():
            echo_err("readlist: " + notice)


@click.group(
    cls=ReadlistGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=(
        "Examples:\n\n\b\n"
        "  readlist --demo                      try it on bundled sample papers\n"
        "  readlist import ~/Downloads/papers.txt\n"
        "  readlist list --query 'status:to-read rating>=4'\n"
        "  readlist                             open the library in the terminal UI"
    ),
)
@click.option(
    "--db",
    type=click.Path(path_type=Path, readable=False),
    envvar=ENV_DB,
    help=f"Library file (default: ${ENV_DB} or the platform data directory).",
)
@click.option("--demo", is_flag=True, help="Open the UI on a temporary library of bundled sample papers.")
@click.option("--offline", is_flag=True, help="Never use the network (URL imports, pull and enrich refuse).")
@click.option("--theme", metavar="NAME", help="Theme for this run (see `readlist themes`).")
@click.version_option(__version__, prog_name="readlist")
@click.pass_context
def main(ctx: click.Context, db: Path | None, demo: bool, offline: bool, theme: str | None) -> None:
    """readlist: triage, rate, annotate and cite research papers from the terminal."""
    if theme is not None:
        _check_theme(ctx, theme)
    if demo:
        from readlist.app.demo import build_demo_library

        db = build_demo_library()
    ctx.obj = Context(db=resolve_db_path(db), offline=offline)
    if ctx.invoked_subcommand is None:
        _open_tui(ctx.obj, theme=theme, demo=demo)


def _check_theme(ctx: click.Context, theme: str) -> None:
    """An unknown ``--theme`` is a usage error (exit 2) listing the themes, before anything starts."""
    try:
        from readlist.cli.theme_cmds import check_theme_name
    except ImportError:  # a build without themes: the app falls back to its default look
        return
    check_theme_name(ctx, theme)


def _open_tui(obj: Context, *, theme: str | None, demo: bool) -> None:
    try:
        from readlist.tui.app import run_app
    except ImportError:
        from readlist.cli.commands import print_summary

        print_summary(obj.library())
        return
    run_app(obj.db, theme=theme, demo=demo)


def _register() -> None:
    from readlist.cli import commands

    for command in commands.COMMANDS:
        main.add_command(command)
    for module_name in ("readlist.cli.cite_cmds", "readlist.cli.admin_cmds", "readlist.cli.theme_cmds",
                        "readlist.cli.net_cmds", "readlist.cli.sync_cmds"):
        try:
            module = __import__(module_name, fromlist=["COMMANDS"])
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue
            raise
        for command in module.COMMANDS:
            main.add_command(command)


_register()
