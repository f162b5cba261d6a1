"""Printing for the command line: untrusted text stays text, JSON stays JSON.

Human output shows library text through :func:`~readlist.core.text.inert_text` (an escape sequence
or control shows as a mark), Rich markup is never interpreted, and JSON has every control and bidi
character ``\\u``-escaped.
"""

from __future__ import annotations

import errno
import os
import sys
from functools import cache
from typing import TYPE_CHECKING, Any, NoReturn

import click
import msgspec

from readlist.core.model import Paper, Status, rating_stars
from readlist.core.query import Query, QueryError, parse_query, parse_sort
from readlist.core.texrender import render_tex
from readlist.core.text import inert_json, inert_text

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text


@cache
def _console(stderr: bool) -> Console:
    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            """The reader of a pipe stopped reading (``| head``): ended as for any other output, with status 0
            (see :class:`~readlist.cli.ReadlistGroup`), not with Rich's own exit status 1."""
            self.quiet = True
            raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))

    # markup/highlight/emoji off: a title like "[red]x[/red]" or ":smile:" prints as typed.
    return _Console(stderr=stderr, markup=False, highlight=False, emoji=False, soft_wrap=True)


def __getattr__(name: str) -> Console:
    """``console`` and ``err_console``, made when first used: a command that prints only JSON never loads Rich."""
    if name in ("console", "err_console"):
        return _console(name == "err_console")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def json_bytes(data: Any) -> bytes:
    """Indented JSON that is safe to print: every control and bidi character is \\u-escaped."""
    return indented_json(msgspec.json.encode(data))


def indented_json(encoded: bytes) -> bytes:
    """Compact JSON as :func:`json_bytes` prints it: indented, every control and bidi character \\u-escaped."""
    return inert_json(msgspec.json.format(encoded, indent=2))


def print_json(data: Any) -> None:
    out = json_bytes(data)
    sys.stdout.buffer.write(out + b"\n")
    sys.stdout.flush()


def fail(message: str, code: int = 1) -> NoReturn:
    from rich.text import Text

    _console(True).print(Text("readlist: ", style="bold red") + Text(inert_text(message)))
    raise SystemExit(code)


def info(message: str | Text) -> None:
    from rich.text import Text

    _console(False).print(message if isinstance(message, Text) else Text(inert_text(message, multiline=True)))


def paper_line(paper: Paper, width: int | None = None) -> Text:
    """One paper on one line: id, status glyph, stars, date, title."""
    from rich.text import Text

    line = Text()
    line.append(f"{inert_text(paper.id):<14} ", style="cyan")
    line.append(Status(paper.status).glyph + " ", style="bold")
    line.append(f"{rating_stars(paper.rating):<5} ", style="yellow")
    day = paper.date
    line.append(f"{day.iso() if day else '':<10} ", style="dim")
    line.append(inert_text(render_tex(paper.title)))
    if paper.tags:
        line.append("  " + " ".join("#" + inert_text(t) for t in paper.tags), style="green")
    return line


def paper_details(paper: Paper) -> Text:
    from rich.text import Text

    out = Text()
    out.append(inert_text(paper.title) + "\n", style="bold")
    rows = [
        ("id", paper.id),
        ("arXiv", paper.arxiv_id or ""),
        ("categories", " ".join(paper.categories)),
        ("authors", ", ".join(paper.authors) if paper.authors else paper.byline),
        ("organization", paper.organization or ""),
        ("published", paper.date.iso() if paper.date else ""),
        ("upvotes", "" if paper.upvotes is None else str(paper.upvotes)),
        ("url", paper.url or ""),
        ("status", f"{Status(paper.status).label}" + (f" (read {paper.read_at[:10]})" if paper.read_at else "")),
        ("rating", rating_stars(paper.rating, "unrated")),
        ("tags", " ".join("#" + t for t in paper.tags)),
        ("sources", ", ".join(paper.sources)),
    ]
    for label, value in rows:
        if value:
            out.append(f"{label:>12}  ", style="dim")
            out.append(inert_text(value) + "\n")
    if paper.abstract:
        out.append("\n" + inert_text(render_tex(paper.abstract), multiline=True) + "\n")
    if paper.note:
        out.append("\nNote\n", style="bold")
        out.append(inert_text(paper.note, multiline=True) + "\n")
    return out


def echo_err(message: str) -> None:
    click.echo(inert_text(message, multiline=True), err=True)


def query_option(text: str | None, param: str = "--query") -> Query:
    """A ``--query`` value read strictly (a field with no value is an error too); a usage error otherwise."""
    try:
        return parse_query(text or "", strict=True)
    except QueryError as exc:
        raise click.BadParameter(str(exc), param_hint=param) from None


def sort_option(key: str) -> str:
    """A ``--sort`` value, checked; a usage error naming the valid keys otherwise."""
    try:
        parse_sort(key, also=("interest",))  # an order the command works out itself, not a field
    except QueryError as exc:
        raise click.BadParameter(str(exc), param_hint="--sort") from None
    return key
