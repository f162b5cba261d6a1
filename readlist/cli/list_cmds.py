"""``readlist list``: papers filtered and sorted, as lines or as the JSON records of the whole library.

Kept apart from the other verbs so that listing loads only what it needs: ``list --json`` of a large
library is a command scripts run often, and its start-up counts.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import BinaryIO

import click

from readlist.app.session import Session
from readlist.cli.context import VIEW_HELP, chosen_view, kept_in_order, leave_at_once, library_of, session_of
from readlist.cli.output import echo_err, fail, json_records, paper_line_pieces, query_option, sort_option
from readlist.core.model import Paper, Status
from readlist.core.query import SORT_KEYS

STATUS_CHOICES = [s.value for s in Status]


@click.command("list")
@click.option("--status", type=click.Choice(STATUS_CHOICES), help="Only papers with this status.")
@click.option("--view", "view_name", metavar="NAME", help=VIEW_HELP)
@click.option("--query", "-q", default="", help="Filter with the query language, e.g. 'rating>=4 tag:rl'.")
@click.option(
    "--sort",
    default="added",
    metavar="KEY",
    help=f"Sort by {', '.join(SORT_KEYS)} or interest (largest/newest first; titles A-Z). Prefix - to flip; papers "
    "without the value (undated, unrated) stay last.",
)
@click.option("--limit", "-n", type=click.IntRange(min=0), help="Print at most this many papers.")
@click.option("--json", "as_json", is_flag=True, help="Print full records as a JSON array.")
@click.pass_context
def list_cmd(
    ctx: click.Context, status: str | None, view_name: str | None, query: str, sort: str, limit: int | None,
    as_json: bool,
) -> None:
    """List papers, filtered and sorted.

    `--sort interest` orders papers by what you keep and skip (learned on this
    machine; see docs/interest.md) and adds each paper's score to --json; with
    too few decisions yet it falls back to upvotes then date, and says so.

    \b
    Examples:
      readlist list --status inbox
      readlist list --query 'year>=2024 -diffusion' --sort upvotes
      readlist list --status inbox --sort interest
      readlist list --view '#rl' --sort rating
      readlist list --json | jq '.[].title'
    """
    session = session_of(ctx)
    wanted = query_option(query)
    view = chosen_view(session, view_name, status)
    scores: dict[str, float] | None = None
    if sort.strip().lstrip("+-").lower() == "interest":
        papers, scores = _by_interest(session, session.select(view, wanted, "added"),
                                      flip=sort.strip().startswith("-"))
    else:
        papers = session.select(view, wanted, sort_option(sort))
    matched = len(papers)
    if limit is not None:
        papers = papers[:limit]
    if as_json:
        # An object, as ``show --json`` prints it (which adds why): ``interest.score`` reads the same in both.
        extra = ({pid: {"interest": {"score": round(score, 4)}} for pid, score in scores.items()}
                 if scores is not None else None)
        write_records(papers, sys.stdout.buffer, extra=extra, extra_default={"interest": {"score": None}})
        leave_at_once(ctx)
        return
    if not matched:
        # On stderr, as export says it: a pipe reading the lines gets none, not a line that looks like a paper.
        lib = library_of(ctx)
        if len(lib):
            echo_err("no papers match")
        elif not lib.path.exists():  # a mistyped --db or READLIST_DB reads as an empty library: say which
            given = " (or check --db / READLIST_DB)" if ctx.find_root().obj.explicit else ""
            echo_err(f"no library at {lib.path} yet; `readlist import FILE` starts one there{given}")
        else:
            echo_err(f"{lib.path} is empty; add papers with `readlist import FILE`")
        return
    from readlist.cli.output import LINE_STYLES, LineWriter, console  # Rich is loaded for lines only, not for --json

    # On a terminal one paper per screen line; into a pipe whole lines, so nothing is cut off.
    lines = LineWriter(console, LINE_STYLES, fit=console.is_terminal)
    for paper in papers:
        lines.write(paper_line_pieces(paper))
    lines.flush()


def _by_interest(session: Session, papers: list[Paper], *, flip: bool) -> tuple[list[Paper], dict[str, float]]:
    """Papers in interest order, learned from the whole library; the fallback order (said on stderr) when cold."""
    from readlist.app.interest import InterestUnavailable, rank  # scikit-learn loads only for this sort
    from readlist.core.interest import FALLBACK, flipped_fallback_order

    library = session.library
    try:
        _, snapshot = rank(library.papers.values(), library=library.path, read=library.read_state)
    except InterestUnavailable as exc:
        fail(str(exc))
    kept_in_order(session, snapshot)
    ranking = snapshot.order(papers)
    if ranking.cold is not None and papers:  # with nothing to order, the library's emptiness is the news
        echo_err(f"readlist: {ranking.reason}; ordered by {FALLBACK}{', last first' if flip else ''}")
    if not flip:
        ordered = ranking.papers
    elif ranking.cold is not None:  # papers without upvotes or a date stay last, as in any flipped order
        ordered = flipped_fallback_order(papers)
    else:
        ordered = list(reversed(ranking.papers))
    return ordered, dict(ranking.scores)


def write_records(
    papers: list[Paper],
    out: BinaryIO,
    *,
    extra: Mapping[str, Mapping[str, object]] | None = None,
    extra_default: Mapping[str, object] | None = None,
) -> None:
    """Write papers as the same indented JSON array ``print_json`` of their public dicts would, a chunk at a time.

    ``extra`` (paper id -> members, ``extra_default`` for papers without) is added after each record's fields.
    """
    for chunk in json_records(papers, extra=extra, extra_default=extra_default):
        out.write(chunk)
    out.flush()


COMMANDS = [list_cmd]
