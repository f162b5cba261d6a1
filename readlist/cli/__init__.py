"""The ``readlist`` command: the TUI with no sub-command, a scriptable verb for every action otherwise.

The verbs live in modules loaded only when one of them runs (see ``VERBS``): ``readlist --version``
and ``--help`` start without loading the library code, the HTTP client or the terminal UI.
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import importlib
import io
import os
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from readlist import __version__

if TYPE_CHECKING:
    from readlist.cli.context import Context

ENV_DB = "READLIST_DB"  # the same name readlist.storage.paths reads, kept here to start fast
ENV_CONFIG = "READLIST_CONFIG"  # the same name readlist.config.settings reads

# Verb -> the module defining it (each module has COMMANDS, a list of click commands) and the verb's summary
# for `readlist --help`, kept here so listing the verbs loads none of them (a test checks they match).
VERBS: dict[str, tuple[str, str]] = {
    "import": ("readlist.cli.commands", "Import papers from files, URLs, arXiv ids, stdin (-) or the clipboard."),
    "list": ("readlist.cli.list_cmds", "List papers, filtered and sorted."),
    "show": ("readlist.cli.commands", "Show one paper: metadata, abstract and note."),
    "open": ("readlist.cli.commands", "Open a paper's page in the browser, as o does in the app."),
    "related": ("readlist.cli.commands",
                "Papers in your library most like this one."),
    "mark": ("readlist.cli.commands", "Set papers' status: inbox, to-read, reading, read, skipped."),
    "rate": ("readlist.cli.commands", "Rate papers from 1 to 5 (0 clears the rating)."),
    "tag": ("readlist.cli.commands", "Add (TAG or +TAG) and remove (-TAG) tags on papers."),
    "note": ("readlist.cli.commands", "Show, set, append to or edit a paper's note (Markdown)."),
    "edit": ("readlist.cli.commands", "Correct a paper's details: title, authors, date, links, venue, abstract."),
    "rm": ("readlist.cli.commands", "Remove papers (`readlist undo` puts them back)."),
    "undo": ("readlist.cli.commands", "Revert the last change a command made; again to redo."),
    "stats": ("readlist.cli.commands",
              "Counts per status, rating, tag and source, and per week."),
    "cite": ("readlist.cli.cite_cmds",
             "Print citations for papers."),
    "export": ("readlist.cli.cite_cmds",
               "Export papers for LaTeX, reference managers or reading."),
    "key": ("readlist.cli.cite_cmds", "Show or set a paper's citation key."),
    "doctor": ("readlist.cli.admin_cmds", "Check the library files, and list or restore backups."),
    "themes": ("readlist.cli.theme_cmds",
               "List the themes and mark the one in use."),
    "pull": ("readlist.cli.net_cmds", "Import new papers from Hugging Face Daily Papers or arXiv."),
    "enrich": ("readlist.cli.net_cmds",
               "Fill in papers from arXiv and Hugging Face."),
    "view": ("readlist.cli.view_cmds",
             "List, add and remove saved searches."),
    "sync": ("readlist.cli.sync_cmds",
             "Sync the library with its git remote."),
    # Run by git, not by people: no summary, so `readlist --help` leaves it out.
    "merge-driver": ("readlist.cli.sync_cmds", ""),
}


class ReadlistGroup(click.Group):
    """Loads a verb's module when the verb runs; turns domain errors into one clear line and exit code 1."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*VERBS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        verb = VERBS.get(cmd_name)
        if verb is None:
            return super().get_command(ctx, cmd_name)
        module = importlib.import_module(verb[0])
        found: click.Command | None = next((c for c in module.COMMANDS if c.name == cmd_name), None)
        if found is not None:
            _take_global_options(found)
        return found

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The verbs and their summaries, as click would list them, without importing every verb's module."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            if name in VERBS:
                if not VERBS[name][1]:
                    continue
                # A bare command with the same help shortens it exactly as click would the real one.
                rows.append((name, click.Command(name, help=VERBS[name][1]).get_short_help_str(limit)))
            elif (command := self.get_command(ctx, name)) is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def main(  # click declares overloads of main; this keeps their behaviour
        self, args: Sequence[str] | None = None, prog_name: str | None = None, complete_var: str | None = None,
        standalone_mode: bool = True, **extra: Any,
    ) -> Any:
        """Usage errors as one line that says what to do, instead of click's three (exit status 2 as before)."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as exc:
            verb = exc.ctx.command_path if exc.ctx is not None else "readlist"
            message = exc.format_message()
            if hint := _text_like_an_option(exc, list(sys.argv[1:] if args is None else args)):
                message = message.rstrip(".") + hint
            click.echo(f"{verb}: {message} (see `{verb} --help`)", err=True)
            raise SystemExit(exc.exit_code) from None
        except click.ClickException as exc:
            click.echo(f"readlist: {exc.format_message()}", err=True)
            raise SystemExit(exc.exit_code) from None
        except click.exceptions.Exit as exc:
            raise SystemExit(exc.exit_code) from None
        except click.Abort:
            click.echo("readlist: aborted", err=True)
            raise SystemExit(1) from None

    def invoke(self, ctx: click.Context) -> object:
        from readlist.cli.output import echo_err, fail
        from readlist.core.model import ValidationError
        from readlist.storage.errors import LibraryError

        if sys.stdout is None:  # started with standard output closed (`>&-`): writing to it fails, as on a full disk
            sys.stdout = io.TextIOWrapper(_ClosedOutput(), encoding="utf-8", write_through=True)
        try:
            return super().invoke(ctx)
        except (LibraryError, ValidationError) as exc:
            _tell_notices(ctx)
            fail(str(exc))
        except UnicodeError:
            # Bytes that were not UTF-8: on standard input (read strictly), or in an argument or the input kept by
            # Python as lone surrogates that then reached a file's encoder (the config file's, say) before
            # anything was written.
            fail("the text given is not valid UTF-8 (check the arguments or the input's encoding); nothing was "
                 "changed")
        except BrokenPipeError:
            _drop_stdout()  # what is still buffered for the closed pipe must not fail again at exit
            sys.stderr.close()
            raise SystemExit(0) from None
        except OSError as exc:
            if exc.errno not in _OUTPUT_FULL and not isinstance(exc, OutputClosed):
                raise
            # Standard output went to a full disk (or a file past its size limit): say so once, and keep the
            # interpreter's exit from failing on the same unwritten buffer with a traceback.
            _drop_stdout()
            if getattr(ctx.find_root().obj, "changed", False):
                # Exit status 0 means the change is durable, and it is: a script must not make it twice.
                with contextlib.suppress(OSError, ValueError):
                    echo_err(f"readlist: the change was saved, but its output could not be written: "
                             f"{exc.strerror or exc}")
                raise SystemExit(0) from None
            advice = "" if isinstance(exc, OutputClosed) else " (free some space, or write it elsewhere)"
            fail(f"could not write the output: {exc.strerror or exc}{advice}")
        except KeyboardInterrupt:
            fail("interrupted", 130)
        finally:
            _tell_notices(ctx)


def _text_like_an_option(exc: click.UsageError, args: list[str]) -> str:
    """For "No such option" where the word is no option of the verb at all, the hint that text starting with ``-``
    (a query ``-tag:rl``, a note "-5% speedup") goes after ``--``; empty for any other usage error.

    Click reads such text as options (``-tag:rl`` as ``-t``), so its message alone sends the user looking for
    an option. A near miss of a real option (``--jsn``, with click's "Did you mean") is a typo, not text.
    """
    if not isinstance(exc, click.NoSuchOption) or exc.ctx is None or exc.possibilities:
        return ""
    if exc.option_name.startswith("--"):
        return ""  # `--query` on a verb without it is an option given to the wrong verb, not text
    params = exc.ctx.command.get_params(exc.ctx)
    known = {name for param in params for name in (*param.opts, *param.secondary_opts)}
    if exc.option_name in known or not any(isinstance(param, click.Argument) for param in params):
        return ""  # a verb that takes no text (`list -z`) has only options to give
    ends = args.index("--") if "--" in args else len(args)
    given = next((i for i, arg in enumerate(args[:ends]) if arg == exc.option_name
                  or (arg.startswith(exc.option_name) and arg.split("=", 1)[0] not in known)), None)
    if given is None:
        return ""
    import shlex

    text = args[given]
    if any(arg.startswith("-") for arg in args[given + 1 :]):  # options after it would become text too
        example = f"`{exc.ctx.command_path} … -- {shlex.quote(text)}`"
    else:
        words = [exc.ctx.command_path, *map(shlex.quote, _after_verb(exc.ctx, args[:given])), "--",
                 *map(shlex.quote, args[given:])]
        example = "`" + " ".join(words) + "`"
    return f"; if {text!r} is text, not an option, put -- before it: {example}"


def _after_verb(ctx: click.Context, args: list[str]) -> list[str]:
    """The arguments given after the verb's own name (``ctx.info_name``), of those before the text in question."""
    name = ctx.info_name
    return args[len(args) - args[::-1].index(name):] if name in args else args


def _late_db(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
    if value is not None:
        from readlist.cli.context import Context
        from readlist.storage.paths import resolve_db_path

        obj = ctx.find_object(Context)
        if obj is not None:
            obj.db, obj.explicit = resolve_db_path(value), True


def _late_offline(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        from readlist.cli.context import Context

        obj = ctx.find_object(Context)
        if obj is not None:
            obj.offline = True


def _take_global_options(command: click.Command) -> None:
    """Let ``--db`` and ``--offline`` come after the verb too (``readlist list --db FILE``), as people type them.

    Given there, they mean what they mean before it; the verb has not opened the library yet when its options
    are read, so the path given is the one it opens.
    """
    names = {name for param in command.params for name in param.opts}
    if "--db" not in names:
        command.params.append(click.Option(
            ["--db"], type=click.Path(path_type=Path, readable=False), expose_value=False, callback=_late_db,
            is_eager=True, help="Library file (as `readlist --db PATH …`)."))
    if "--offline" not in names:
        command.params.append(click.Option(
            ["--offline"], is_flag=True, expose_value=False, callback=_late_offline, is_eager=True,
            help="Never fetch papers from the network (as `readlist --offline …`)."))
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _take_global_options(sub)


# Errors that mean the output has nowhere to go, as opposed to a failure of readlist's own files (those are
# LibraryErrors, raised with what to do about them).
_OUTPUT_FULL = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}


class OutputClosed(OSError):
    """A write to standard output when readlist was started without one."""


class _ClosedOutput(io.BufferedIOBase):
    """Standard output for a process started with it closed: every write fails with :class:`OutputClosed`."""

    def writable(self) -> bool:
        return True

    def write(self, data: object) -> int:
        raise OutputClosed(errno.EBADF, "standard output is closed")


def _drop_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def _tell_notices(ctx: click.Context) -> None:
    """What opening the library found and did (a journal set aside, say): one line each on stderr."""
    from readlist.cli.context import Context
    from readlist.cli.output import echo_err

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
@click.option("--demo", is_flag=True, help=(
    "Open the UI on a temporary library of bundled sample papers (alone: not with a command)."))
@click.option("--offline", is_flag=True, help=(
    "Never fetch papers from the network (URL imports, pull and enrich refuse; `sync` still reaches the git "
    "remote you set up)."))
@click.option("--theme", metavar="NAME", help="Theme for this run (see `readlist themes`).")
@click.version_option(__version__, prog_name="readlist")
@click.pass_context
def main(ctx: click.Context, db: Path | None, demo: bool, offline: bool, theme: str | None) -> None:
    """readlist: triage, rate, annotate and cite research papers from the terminal."""
    from readlist.cli.context import Context
    from readlist.storage.paths import resolve_db_path

    if demo and ctx.invoked_subcommand is not None:
        # A verb would change the throw-away sample library and report success, as if on the user's library.
        raise click.UsageError(DEMO_WITH_A_COMMAND, ctx=ctx)
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
        _keep_demo_apart(ctx, db.parent)
    ctx.obj = Context(db=resolve_db_path(db), offline=offline, explicit=explicit)
    if _program.running:
        _program.context = ctx.obj
    if ctx.invoked_subcommand is None:
        _open_tui(ctx.obj, theme=theme, demo=demo)


def _keep_demo_apart(ctx: click.Context, folder: Path) -> None:
    """The demo's changes stay in its temporary folder, which goes when it ends.

    Its own config file there: a search saved or a theme chosen in the demo must not reach the user's
    config.toml (which every library shares), and the user's saved views and keys do not clutter the demo.
    """
    import shutil

    previous = os.environ.get(ENV_CONFIG)
    os.environ[ENV_CONFIG] = str(folder / "config.toml")

    def done() -> None:
        if previous is None:
            os.environ.pop(ENV_CONFIG, None)
        else:
            os.environ[ENV_CONFIG] = previous
        shutil.rmtree(folder, ignore_errors=True)

    ctx.call_on_close(done)


class _Program:
    """Whether readlist runs as the program (:func:`run`) rather than called from Python, and its root context."""

    running = False
    context: Context | None = None


_program = _Program()


def run() -> None:
    """The ``readlist`` program: its console script and ``python -m readlist``.

    When the verb only read the library and has written all of its output (see
    :func:`~readlist.cli.context.leave_at_once`), the process ends as soon as standard output and error are
    flushed: freeing a large library object by object would only delay the exit. The root context is kept here
    past click's, so that closing click's does not free the library first. Called from Python (tests,
    ``main([...])``), nothing of this applies.
    """
    _program.running = True
    _replace_what_cannot_be_shown()
    main(prog_name="readlist")
    done = _program.context is not None and _program.context.done_reading
    if done and threading.active_count() == 1:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):
            return  # the interpreter's own exit reports it, as it would have
        os._exit(0)


def _replace_what_cannot_be_shown() -> None:
    """Standard output and error in an encoding that lacks some of what readlist writes (``PYTHONIOENCODING=ascii``,
    an ISO-8859-1 locale): such a character is written as ``?`` rather than failing.

    A title's letters, the list's ``•`` and ``★`` failed to encode, and the error was reported as input that was not
    UTF-8, with "nothing was changed" and exit status 1 after a change had been saved. ``--json`` and exports write
    UTF-8 bytes of their own and are not affected.
    """
    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None) or "utf-8"
        if isinstance(stream, io.TextIOWrapper) and codecs.lookup(encoding).name not in _UNICODE_ENCODINGS:
            with contextlib.suppress(ValueError, OSError):
                stream.reconfigure(errors="replace")


# Encodings that can write every character (their codecs' names).
_UNICODE_ENCODINGS = frozenset({"utf-8", "utf-16", "utf-32", "utf-8-sig", "gb18030"})


DEMO_WITH_A_COMMAND = (
    "--demo opens the app on sample papers and cannot be combined with a command; run the command without --demo "
    "(it works on your library, or the one --db names)"
)

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
    from readlist.cli.theme_cmds import check_theme_name

    check_theme_name(ctx, theme)


def _open_tui(obj: Context, *, theme: str | None, demo: bool) -> None:
    from readlist.tui.app import run_app

    run_app(obj.library_path(create=True), theme=theme, demo=demo)  # the app makes the library on a first change
