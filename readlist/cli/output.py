"""Printing for the command line: untrusted text stays text, JSON stays JSON.

Human output shows library text through :func:`~readlist.core.text.inert_text` (an escape sequence
or control shows as a mark), Rich markup is never interpreted, and JSON has every control and bidi
character ``\\u``-escaped.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any, NoReturn

import click
import msgspec

from readlist.core.model import Paper, Status, public_json_array, rating_stars
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


_JSON_CHUNK = 2000


def json_records(
    papers: Sequence[Paper],
    *,
    extra: Mapping[str, Mapping[str, object]] | None = None,
    extra_default: Mapping[str, object] | None = None,
    bookkeeping: bool = False,
) -> Iterator[bytes]:
    """The bytes :func:`print_json` gives for the papers' public dicts, a chunk of papers at a time.

    ``extra`` (paper id -> members, ``extra_default`` for papers without) is added after each record's fields;
    ``bookkeeping`` adds the fields a library keeps for itself (see :func:`public_json_array`).
    Building one document for 100k papers doubles peak memory; each record is encoded from the paper itself
    (:func:`~readlist.core.model.public_json_array`: no dict per paper, stored abstracts copied undecoded).
    """
    if not papers:
        yield b"[]\n"
        return
    default = _members(extra_default)
    yield b"[\n"
    for start in range(0, len(papers), _JSON_CHUNK):
        chunk = papers[start : start + _JSON_CHUNK]
        more = None if extra is None else [_members(extra[p.id]) if p.id in extra else default for p in chunk]
        body = indented_json(public_json_array(chunk, more, bookkeeping=bookkeeping))
        # The items without the chunk's own "[\n" and "\n]".
        yield bytes(memoryview(body)[2:-2]) + (b",\n" if start + _JSON_CHUNK < len(papers) else b"\n")
    yield b"]\n"


def _members(values: Mapping[str, object] | None) -> bytes:
    """``,"name":value,…`` to append to a JSON object; empty for no values."""
    return b"," + msgspec.json.encode(values)[1:-1] if values else b""


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


# The styles of a paper's line, piece by piece: id, status, stars, date, title, tags.
LINE_STYLES = ("cyan", "bold", "yellow", "dim", "", "green")


def paper_line_pieces(paper: Paper) -> tuple[str, str, str, str, str, str]:
    """The text of a paper's line in its six pieces, each shown in its :data:`LINE_STYLES` style.

    Every piece is one line of inert text (no control, escape, tab or line break: see
    :func:`~readlist.core.text.inert_text`), so the pieces joined are the line as any console shows it.
    """
    day = paper.date
    return (
        f"{inert_text(paper.id):<14} ",
        Status(paper.status).glyph + " ",
        f"{rating_stars(paper.rating):<5} ",
        f"{day.iso() if day else '':<10} ",
        inert_text(render_tex(paper.title)),
        "  " + " ".join("#" + inert_text(t) for t in paper.tags) if paper.tags else "",
    )


def paper_line(paper: Paper) -> Text:
    """One paper on one line: id, status glyph, stars, date, title, tags."""
    from rich.text import Text

    return Text.assemble(*zip(paper_line_pieces(paper), LINE_STYLES, strict=True))


class LineWriter:
    """Writes styled lines exactly as ``console.print(Text.assemble(...))`` would, without Rich's work per line.

    ``Console.print`` measures the terminal, collects, renders and buffers for every call: 70–100 µs a line,
    8–11 s for 100,000 papers. The pieces here are inert text already (no markup is read, no control
    reaches the terminal), so a line only needs what Rich would do to it: with ``fit`` (a terminal) cut to
    the console's width with an ellipsis, as ``overflow="ellipsis", no_wrap=True, crop=True`` does, and each
    piece wrapped in its style's escape codes when the console has colours (Rich's own ``Style.render``, its
    cell widths and its cropping are used for that). Lines go out a batch at a time, each batch flushed, so a
    reader still sees them as they come.
    """

    _BATCH = 500

    def __init__(self, console: Console, styles: Sequence[str], *, fit: bool) -> None:
        from rich.console import COLOR_SYSTEMS
        from rich.style import Style

        self.console = console
        self.width = console.width if fit else None
        self.fit = fit
        system = console.color_system
        self._system = COLOR_SYSTEMS[system] if system is not None else None
        parsed = [Style.parse(name) if name else Style.null() for name in styles]
        if console.no_color:
            parsed = [style.without_color for style in parsed]
        self._styles = parsed
        self._names = tuple(styles)
        self._batch: list[str] = []

    def line(self, pieces: Sequence[str]) -> str:
        """One line as the console shows it, with its line break."""
        from rich.cells import cell_len, set_cell_size

        plain = "".join(pieces)
        width = self.width
        if width is not None and cell_len(plain) > width:
            plain = set_cell_size(plain, width - 1) + "…"  # what Text.truncate(overflow="ellipsis") leaves
        if self._system is None:
            return plain + "\n"
        # Each character keeps the style of the piece that held its place before the cut, as Rich's spans do.
        out = []
        start = 0
        for piece, style in zip(pieces, self._styles, strict=True):
            shown = plain[start : start + len(piece)]
            if shown:
                out.append(style.render(shown, color_system=self._system) if style else shown)
            start += len(piece)
        out.append(plain[start:])  # never more than the pieces held, as cutting never lengthens; kept for exactness
        out.append("\n")
        return "".join(out)

    def write(self, pieces: Sequence[str]) -> None:
        """Add a line; it goes out with its batch (:meth:`flush` sends the last one)."""
        if self.console.legacy_windows:  # an old Windows console takes no escape codes: Rich talks to it itself
            from rich.text import Text

            text = Text.assemble(*zip(pieces, self._names, strict=True))
            if self.fit:
                self.console.print(text, overflow="ellipsis", no_wrap=True, crop=True)
            else:
                self.console.print(text, soft_wrap=True)
            return
        self._batch.append(self.line(pieces))
        if len(self._batch) >= self._BATCH:
            self.flush()

    def flush(self) -> None:
        """Write the lines held, and flush the file: a reader of a pipe gets them now."""
        if self._batch:
            out = self.console.file
            out.write("".join(self._batch))
            self._batch.clear()
            out.flush()


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
        ("journal", paper.journal_ref or ""),
        ("upvotes", "" if paper.upvotes is None else str(paper.upvotes)),
        ("url", paper.url or ""),
        ("doi", paper.doi or ""),
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
