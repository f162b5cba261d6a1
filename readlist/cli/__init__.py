"""The ``readlist`` command: the TUI with no sub-command, a scriptable verb for every action otherwise."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from readlist import __version__
from readlist.cli.context import Context
from readlist.cli.output import fail
from readlist.core.model import ValidationError
from readlist.storage.errors import LibraryError
from readlist.storage.paths import ENV_DB, resolve_db_path


class ReadlistGroup(click.Group):
    """Turns domain errors into one clear line and exit code 1 (usage errors stay 2)."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (LibraryError, ValidationError) as exc:
            fail(str(exc))
        except BrokenPipeError:
            sys.stderr.close()
            raise SystemExit(0) from None
        except KeyboardInterrupt:
            fail("interrupted", 130)


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
@click.option("--theme", metavar="NAME", help="Theme for this run (see `readlist themes`).")
@click.version_option(__version__, prog_name="readlist")
@click.pass_context
def main(ctx: click.Context, db: Path | None, demo: bool, theme: str | None) -> None:
    """readlist: triage, rate, annotate and cite research papers from the terminal."""
    if theme is not None:
        _check_theme(ctx, theme)
    if ctx.invoked_subcommand is None and not _on_a_terminal():
        # A full-screen app drawn into a pipe or a file is garbage there and waits for keys that never come.
        click.echo(NOT_A_TERMINAL, err=True)
        raise SystemExit(2)
    explicit = db is not None and ctx.get_parameter_source("db") in (
        click.core.ParameterSource.COMMANDLINE, click.core.ParameterSource.ENVIRONMENT)
    if demo:
        from readlist.app.demo import build_demo_library

        db, explicit = build_demo_library(), False
    ctx.obj = Context(db=resolve_db_path(db), explicit=explicit)
    if ctx.invoked_subcommand is None:
        _open_tui(ctx.obj, theme=theme, demo=demo)


NOT_A_TERMINAL = (
    "readlist: the terminal UI needs a terminal; run a command such as `readlist list`, or see `readlist --help`"
)


def _on_a_terminal() -> bool:
    """Whether the terminal UI can run: keys come from standard input and the screen goes to standard output."""
    try:
        return sys.stdin is not None and sys.stdout is not None and sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):  # a replaced or closed stream
        return False


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
    for module_name in ("readlist.cli.cite_cmds", "readlist.cli.admin_cmds", "readlist.cli.theme_cmds"):
        try:
            module = __import__(module_name, fromlist=["COMMANDS"])
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue
            raise
        for command in module.COMMANDS:
            main.add_command(command)


_register()
