"""Printing for the command line: untrusted text stays text, JSON stays JSON."""

from __future__ import annotations

import sys
from typing import Any, NoReturn

import click
import orjson
from rich.console import Console
from rich.text import Text

from readlist.core.model import Paper, rating_stars
from readlist.core.text import strip_controls

# markup/highlight/emoji off: a title like "[red]x[/red]" or ":smile:" prints as typed.
console = Console(markup=False, highlight=False, emoji=False, soft_wrap=True)
err_console = Console(stderr=True, markup=False, highlight=False, emoji=False, soft_wrap=True)


def safe(text: str | None) -> str:
    return strip_controls(text or "")


# orjson escapes C0 controls but writes C1 controls (U+0080-U+009F) raw, and a UTF-8 terminal may act on
# them (U+009B is CSI); they can only occur inside JSON strings, so escaping them keeps the JSON identical.
_C1_ESCAPES = [(chr(c).encode(), f"\\u{c:04x}".encode()) for c in range(0x80, 0xA0)]


def escape_c1(out: bytes) -> bytes:
    """Escape the C1 controls orjson writes raw (U+009B starts an escape sequence on UTF-8 terminals)."""
    if b"\xc2" in out:
        for raw, escaped in _C1_ESCAPES:
            out = out.replace(raw, escaped)
    return out


def print_json(data: Any) -> None:
    out = escape_c1(orjson.dumps(data, option=orjson.OPT_INDENT_2))
    sys.stdout.buffer.write(out + b"\n")
    sys.stdout.flush()


def fail(message: str, code: int = 1) -> NoReturn:
    err_console.print(Text("readlist: ", style="bold red") + Text(safe(message)))
    raise SystemExit(code)


def info(message: str | Text) -> None:
    console.print(message if isinstance(message, Text) else Text(safe(message)))


def paper_line(paper: Paper, width: int | None = None) -> Text:
    """One paper on one line: id, status glyph, stars, date, title."""
    from readlist.core.model import Status

    line = Text()
    line.append(f"{safe(paper.id):<14} ", style="cyan")
    line.append(Status(paper.status).glyph + " ", style="bold")
    line.append(f"{rating_stars(paper.rating):<5} ", style="yellow")
    line.append(f"{safe(paper.published):<10} ", style="dim")
    line.append(safe(paper.title))
    if paper.tags:
        line.append("  " + " ".join("#" + safe(t) for t in paper.tags), style="green")
    return line


def paper_details(paper: Paper) -> Text:
    from readlist.core.model import Status

    out = Text()
    out.append(safe(paper.title) + "\n", style="bold")
    rows = [
        ("id", paper.id),
        ("arXiv", paper.arxiv_id or ""),
        ("authors", ", ".join(paper.authors) if paper.authors else paper.byline),
        ("organization", paper.organization or ""),
        ("published", paper.published or ""),
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
            out.append(safe(value) + "\n")
    if paper.abstract:
        out.append("\n" + safe(paper.abstract) + "\n")
    if paper.note:
        out.append("\nNote\n", style="bold")
        out.append(safe(paper.note) + "\n")
    return out


def echo_err(message: str) -> None:
    click.echo(safe(message), err=True)
