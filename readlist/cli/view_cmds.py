"""``readlist view``: saved searches, shown as views (with live counts) in the terminal UI's sidebar."""

from __future__ import annotations

import click

from readlist.app.views import status_view, view_name_problem
from readlist.cli.context import made_durable, session_of
from readlist.cli.output import echo_err, info, print_json, query_option
from readlist.config.settings import ConfigError, config_path, load_config, save_view
from readlist.core.query import QueryError, parse_query
from readlist.core.text import clean_line


@click.group("view", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="List the views as JSON.")
@click.pass_context
def view_cmd(ctx: click.Context, as_json: bool) -> None:
    """List, add and remove saved searches. They appear as views in the app's sidebar.

    \b
    Examples:
      readlist view                                      list them, with counts
      readlist view add "RL to read" 'tag:rl status:to-read'
      readlist view rm "RL to read"
    """
    if ctx.invoked_subcommand is not None:
        return
    views = load_config().views
    session = session_of(ctx)
    # A view whose query no longer reads (a hand edit of config.toml) is listed with why, not allowed to hide
    # the others.
    counts: dict[str, int | None] = {}
    problems: dict[str, str] = {}
    for name, query in views.items():
        try:
            counts[name] = len(session.select(status_view(None), parse_query(query, strict=True)))
        except QueryError as exc:
            counts[name], problems[name] = None, str(exc)
    if as_json:
        print_json([{"name": name, "query": query, "papers": counts[name], "error": problems.get(name)}
                    for name, query in views.items()])
        return
    if not views:  # on stderr: a pipe reading the views gets none, not this sentence as a view
        echo_err("no saved views yet: `readlist view add NAME QUERY`, or save a search in the app")
    for name, query in views.items():
        shown = "     ?" if counts[name] is None else f"{counts[name]:>6}"
        info(f"{name:<24} {shown}  {query}" + (f"  (cannot be read: {problems[name]})" if name in problems else ""))


@view_cmd.command("add")
@click.argument("name")
@click.argument("query")
@click.option("--json", "as_json", is_flag=True, help="Print the saved view as JSON.")
@click.pass_context
def view_add(ctx: click.Context, name: str, query: str, as_json: bool) -> None:
    """Save QUERY as the view NAME (replacing a view of that name).

    A name that differs only in case from a saved view's is refused:
    --view and `view rm` ignore case, so they could not tell the two apart.

    \b
    Examples:
      readlist view add "RL to read" 'tag:rl status:to-read'
      readlist view add recent 'year>=2025 -status:skipped'
      readlist list --view "RL to read"
    """
    name = clean_line(name)
    if not name:
        raise click.BadParameter("a view needs a name", param_hint="NAME")
    if (problem := view_name_problem(name, load_config().views)) is not None:
        raise click.BadParameter(problem, param_hint="NAME")
    if not query.strip():
        raise click.BadParameter("a view needs a search (`readlist list --query` takes the same)", param_hint="QUERY")
    query_option(query, "QUERY")  # refused now rather than shown broken in the sidebar
    try:
        path = save_view(name, query)
    except (OSError, ConfigError) as exc:
        raise click.ClickException(f"could not save the view in {config_path()}: {_why(exc)}") from None
    made_durable(ctx)
    if as_json:
        print_json({"name": name, "query": query, "config": str(path)})
        return
    info(f"saved view {name!r} in {path}")


@view_cmd.command("rm")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print the removed view as JSON.")
@click.pass_context
def view_rm(ctx: click.Context, name: str, as_json: bool) -> None:
    """Remove the saved view NAME (in any case, as --view finds it).

    \b
    Examples:
      readlist view rm "RL to read"
      readlist view                      the views left, with their counts
    """
    views = load_config().views
    # As `view add` saved it, and in any case, as `--view` finds it.
    wanted = clean_line(name)
    alike = sorted(kept for kept in views if kept.casefold() == wanted.casefold())
    if wanted not in views and len(alike) > 1:
        # Two views differing only in case (a config.toml edited by hand): the name typed is neither; removing one
        # of them on a guess could remove the wrong one.
        raise click.ClickException(f"{wanted!r} could name the saved views " + " or ".join(map(repr, alike))
                                   + "; give the name exactly as `readlist view` lists it")
    if not alike:
        raise click.ClickException(f"no saved view named {wanted!r} (see `readlist view`)")
    name = wanted if wanted in views else alike[0]
    try:
        save_view(name, None)
    except (OSError, ConfigError) as exc:
        raise click.ClickException(f"could not remove the view from {config_path()}: {_why(exc)}") from None
    made_durable(ctx)
    if as_json:
        print_json({"removed": name, "query": views[name]})
        return
    info(f"removed view {name!r}")


def _why(exc: OSError | ConfigError) -> str:
    """The reason in words (``No space left on device``, not ``[Errno 28] …``), and that nothing changed: the
    config file is replaced whole or not at all."""
    if isinstance(exc, OSError):
        return f"{exc.strerror or exc}; the views are as they were"
    return str(exc)


COMMANDS = [view_cmd]
