"""``readlist cite`` and ``readlist export``: citations on stdout or the clipboard, whole-library exports.

Exports are deterministic (papers ordered by id; a paper's stored citation key,
else a key decided from the library's stored keys and the exported set), so
exporting an unchanged library twice gives byte-identical files. All web text is
cleaned of control characters and escape sequences before it is written; CSV
cells that a spreadsheet would run as a formula get a ``'`` prefix. The user's
tags, note, rating and status go into citation formats only with
``--with-user-data``.
"""

from __future__ import annotations

import csv
import io
import os
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

import click

from readlist.app.commands import KeepKeys, SetKey
from readlist.app.session import Session
from readlist.cli.context import VIEW_HELP, chosen_view, session_of, settle
from readlist.cli.output import echo_err, fail, info, json_records, print_json, query_option
from readlist.core.cite import (
    FORMATS,
    KEYED_FORMATS,
    clean_block,
    clean_field,
    format_entries,
    iter_formatted,
    markdown_entry,
)
from readlist.core.citekeys import assign_keys, keys_to_store, taken_keys, validate_key
from readlist.core.model import PUBLIC_FIELDS, Paper, Status, ValidationError, rating_stars
from readlist.core.text import counted, defused_markdown
from readlist.storage.atomic import write_output
from readlist.storage.errors import LibraryError
from readlist.storage.paths import library_file_named

EXPORT_FORMATS = ("bibtex", "biblatex", "csl-json", "ris", "markdown", "text", "json", "csv")
_USER_DATA_HELP = "Also write your tags, note, rating and status (BibTeX, BibLaTeX, CSL-JSON, RIS)."
# Spreadsheet formula triggers (OWASP's list): such cells are prefixed with a quote.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")




# ---------------------------------------------------------------------------
# cite


@click.command("cite")
@click.argument("refs", nargs=-1, required=True, metavar="ID...")
@click.option(
    "--format", "-f", "fmt", type=click.Choice(FORMATS), default="bibtex", show_default=True, help="Citation style."
)
@click.option("--copy", "-c", "copy", is_flag=True, help="Also copy the citation to the clipboard.")
@click.option("--with-user-data", "user_data", is_flag=True, help=_USER_DATA_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print {format, keys, text} as JSON instead of the text.")
@click.pass_context
def cite_cmd(
    ctx: click.Context, refs: tuple[str, ...], fmt: str, copy: bool, user_data: bool, as_json: bool
) -> None:
    """Print citations for papers.

    An ID may be a unique prefix (4 characters or more), an arXiv id or URL,
    or a citation key.

    \b
    Examples:
      readlist cite 2106.09608
      readlist cite 2106 t-7841 --format markdown --copy
      readlist cite 2004.02153 -f biblatex >> refs.bib
      readlist cite 2004.02153 -f csl-json > refs.json
    """
    session = session_of(ctx)
    lib = session.library
    papers = [lib.resolve(ref) for ref in refs]
    keys = assign_keys(papers, taken_keys(lib.papers.values()))
    text = format_entries(papers, fmt, keys=keys, user_data=user_data)
    copied = None
    if copy:  # before the output, so that --json can say whether it was (a script sees no clipboard)
        from readlist.app.clipboard import copy_text

        copied = copy_text(text, what=counted(len({p.id for p in papers}), "citation"))
    if as_json:
        answer: dict[str, object] = {"format": fmt, "keys": {p.id: keys[p.id] for p in papers if p.id in keys},
                                     "text": text}
        if copied is not None:
            answer["copied"] = copied.ok
        print_json(answer)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    _keep_keys(session, papers, keys)
    if copied is not None:
        echo_err(copied.message if copied.ok else copied.message + "; nothing was copied, the citation is printed "
                 "above")


# ---------------------------------------------------------------------------
# export renderers


def export_json(papers: Sequence[Paper]) -> Iterator[bytes]:
    """The whole records, with every control and bidi character \\u-escaped so the text stays inert.

    Besides the documented record, each carries what the library keeps for itself (the status before "read",
    when the user changed each field, the order papers were added): imported into another library
    (readlist.importers.readlist_json), the export gives back a library that dedups, merges and lists alike.
    Readers of the documented record (jq, older readlist versions) skip the extra members.
    """
    return json_records(papers, bookkeeping=True)


# The fields that hold paragraphs: their line breaks stay in the cell (quoted), as BibTeX's abstract and annote and
# the Markdown list's notes keep them. Every other field is one line, cleaned as the citation formats clean it.
_CSV_BLOCKS = frozenset({"abstract", "note"})


def csv_cell(value: object, field: str = "") -> str:
    """One CSV cell of ``field``: lists joined with "; ", controls removed, formula triggers neutralised.

    A one-line field (a title, a venue) is :func:`clean_field`'s one line, as in every other format: a line or
    paragraph separator (U+2028, U+2029) in it is a space, not a line break a spreadsheet would show.
    """
    if value is None:
        return ""
    if isinstance(value, list):
        text = "; ".join(clean_field(str(v)) for v in value)
    elif isinstance(value, bool | int | float):
        return str(value)
    elif field in _CSV_BLOCKS:
        text = clean_block(str(value))
    else:
        text = clean_field(str(value))
    if text.startswith(_FORMULA_START):
        text = "'" + text
    return text


# Rows written to the text buffer between two pieces of a CSV export.
_CSV_ROWS = 1000


def export_csv(papers: Sequence[Paper]) -> Iterator[str]:
    """One header row and a row per paper, a thousand rows at a time (each paper's fields read in place,
    without a record dict per paper)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(PUBLIC_FIELDS)
    for start in range(0, len(papers), _CSV_ROWS):
        writer.writerows([csv_cell(getattr(paper, name), name) for name in PUBLIC_FIELDS]
                         for paper in papers[start : start + _CSV_ROWS])
        yield out.getvalue()
        out.seek(0)
        out.truncate()
    yield out.getvalue()


def export_markdown(papers: Sequence[Paper]) -> str:
    """A reading list: one section per status (in status order) with stars, tags and notes."""
    lines = ["# Reading list", ""]
    by_status: dict[str, list[Paper]] = {}
    for paper in papers:
        by_status.setdefault(paper.status, []).append(paper)
    for status in Status:
        group = by_status.get(status.value)
        if not group:
            continue
        lines += [f"## {status.label} ({len(group)})", ""]
        for paper in group:
            item = "- " + markdown_entry(paper)
            extras = []
            if paper.rating:
                extras.append(rating_stars(paper.rating))
            if paper.tags:
                extras.append(" ".join("`#" + clean_field(t).replace("`", "") + "`" for t in paper.tags))
            if extras:
                item += " " + " ".join(extras)
            lines.append(item)
            note = defused_markdown(clean_block(paper.note)).strip("\n")
            if note:
                # The note is the user's own Markdown: kept as written, quoted under its paper.
                lines += ["  > " + line if line.strip() else "  >" for line in note.split("\n")]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def render_export(
    papers: Sequence[Paper],
    fmt: str,
    *,
    keys: Mapping[str, str] | None = None,
    user_data: bool = False,
) -> str:
    """An export in any format, papers ordered by id; ``keys`` as :func:`assign_keys` gives them."""
    return b"".join(export_chunks(papers, fmt, keys=keys, user_data=user_data)).decode("utf-8")


# Text gathered before it is encoded and handed on: one write per piece of this size, not per entry.
_CHUNK_CHARS = 1 << 18


def export_chunks(
    papers: Sequence[Paper],
    fmt: str,
    *,
    keys: Mapping[str, str] | None = None,
    user_data: bool = False,
) -> Iterator[bytes]:
    """:func:`render_export`'s UTF-8 bytes a piece at a time, made as they are written.

    An export of 100,000 papers is hundreds of megabytes of text: written as it is made, the file is never
    whole in memory, nor is a reference, dict or entry per paper.
    """
    ordered = sorted(papers, key=lambda p: p.id)
    if fmt == "json":
        yield from export_json(ordered)
        return
    if fmt == "csv":
        pieces: Iterable[str] = export_csv(ordered)
    elif fmt == "markdown":
        pieces = (export_markdown(ordered),)
    elif fmt in KEYED_FORMATS or fmt == "text":
        pieces = iter_formatted(ordered, fmt, keys=keys, user_data=user_data, complete=True)
    else:
        raise ValueError(f"unknown export format {fmt!r}")
    gathered: list[str] = []
    size = 0
    for piece in pieces:
        gathered.append(piece)
        size += len(piece)
        if size >= _CHUNK_CHARS:
            yield "".join(gathered).encode("utf-8")
            gathered.clear()
            size = 0
    if gathered:
        yield "".join(gathered).encode("utf-8")


# ---------------------------------------------------------------------------
# export


class _OutputFile(click.Path):
    """A file to export to, refused when the text given names none: ``-o ""`` (an empty shell variable) would be
    the current folder, and ``-o new/`` (a folder meant, missing) a file named ``new``."""

    def convert(
        self, value: str | os.PathLike[str], param: click.Parameter | None, ctx: click.Context | None
    ) -> str | bytes | os.PathLike[str]:
        if isinstance(value, str) and not value:
            self.fail("the file name is empty; give one, or - for standard output", param, ctx)
        if isinstance(value, str) and value.endswith(("/", os.sep)):
            self.fail(f"{value!r} names a folder, not a file; give the file's name after it", param, ctx)
        return super().convert(value, param, ctx)


@click.command("export")
@click.option(
    "--format", "-f", "fmt", type=click.Choice(EXPORT_FORMATS), default="bibtex", show_default=True,
    help="Output format.",
)
@click.option("--query", "-q", default="", help="Only papers matching this query, e.g. 'rating>=4 tag:rl'.")
@click.option("--status", type=click.Choice([s.value for s in Status]), help="Only papers with this status.")
@click.option("--view", "view_name", metavar="NAME", help=VIEW_HELP)
@click.option(
    "--output",
    "-o",
    type=_OutputFile(dir_okay=False, path_type=Path),
    help="Write to FILE (atomically) instead of stdout; - is stdout.",
)
@click.option("--with-user-data", "user_data", is_flag=True, help=_USER_DATA_HELP)
@click.option("--json", "as_json", is_flag=True,
              help="Report {format, papers, output} as JSON (with the exported text when there is no -o).")
@click.pass_context
def export_cmd(
    ctx: click.Context, fmt: str, query: str, status: str | None, view_name: str | None, output: Path | None,
    user_data: bool, as_json: bool,
) -> None:
    """Export papers for LaTeX, reference managers or reading.
    Formats: BibTeX, BibLaTeX, CSL-JSON, RIS, text, JSON, CSV or a Markdown
    reading list.

    Papers are ordered by id, so an unchanged library exports byte for byte the same.

    \b
    Examples:
      readlist export -o library.bib
      readlist export --format biblatex --with-user-data -o library.bib
      readlist export --format csl-json -o library.json      # Zotero, pandoc --citeproc
      readlist export --format ris -o library.ris            # EndNote, Mendeley, Zotero
      readlist export --format markdown --query 'rating>=4' -o reading-list.md
      readlist export --format csv --status read > read.csv
      readlist export --view 'RL to read' -o rl.bib         # a saved view
      readlist export --format json | jq length
    """
    session = session_of(ctx)
    papers = session.select(chosen_view(session, view_name, status), query_option(query), "added")
    keys = assign_keys(papers, taken_keys(session.library.papers.values())) if fmt in KEYED_FORMATS else None
    if output is not None and str(output) == "-":
        output = None
    if output is not None:
        own = library_file_named(output, session.library.path)
        if own:
            fail(f"{output} is {own}; nothing was written. Export to another file")
    if output is None:
        if not papers:
            echo_err("no papers match; the export is empty")
        if as_json:
            text = render_export(papers, fmt, keys=keys, user_data=user_data)
            print_json({"format": fmt, "papers": len(papers), "output": None, "text": text})
        else:
            for chunk in export_chunks(papers, fmt, keys=keys, user_data=user_data):
                sys.stdout.buffer.write(chunk)
            sys.stdout.flush()
        _keep_keys(session, papers, keys)
        return
    if not papers:
        fail(f"no papers match; {output} was not written")
    try:
        write_output(output, _made(export_chunks(papers, fmt, keys=keys, user_data=user_data)))
    except _NotMade as exc:
        raise exc.error from None  # reading the library failed, not writing the file: as any other command's
    except BrokenPipeError:
        raise  # the reader at the other end of a pipe stopped reading: as for standard output
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")
    _keep_keys(session, papers, keys)
    if as_json:
        print_json({"format": fmt, "papers": len(papers), "output": str(output)})
    else:
        echo_err(f"Wrote {counted(len(papers), 'paper')} to {output} ({fmt})")


class _NotMade(Exception):
    """An OSError while the export was being made (a stored abstract that could not be read), carried past
    the writer: it is no error of the file being written, which is left as it was."""

    def __init__(self, error: OSError) -> None:
        super().__init__(str(error))
        self.error = error


def _made(chunks: Iterator[bytes]) -> Iterator[bytes]:
    try:
        yield from chunks
    except OSError as exc:
        raise _NotMade(exc) from exc


def _keep_keys(session: Session, papers: Sequence[Paper], keys: Mapping[str, str] | None) -> None:
    """Store the keys just written, so a later citation of the same paper gives the same key.

    The citation is already out; a library that cannot be written (read-only, locked) only costs
    the promise that the key stays the same, so that is a warning, not a failure.
    """
    new = keys_to_store(papers, keys or {})
    if not new:
        return
    try:
        session.run(KeepKeys(new), undoable=False)
    except LibraryError as exc:
        echo_err(f"readlist: warning: the citation keys were not stored ({exc})")
        return
    settle(session)


# ---------------------------------------------------------------------------
# key


@click.command("key")
@click.argument("paper_id", metavar="ID")
@click.argument("key", required=False, metavar="[NEWKEY]")
@click.option("--json", "as_json", is_flag=True, help="Print the paper's key as JSON.")
@click.pass_context
def key_cmd(ctx: click.Context, paper_id: str, key: str | None, as_json: bool) -> None:
    """Show or set a paper's citation key.

    A key is fixed once it has been shown, copied or exported, so text that cites it keeps
    working when the paper's details improve later. Set your own to match an existing .bib
    file. Keys use ASCII letters, digits and _ - : . / + and are unique in the library.

    \b
    Examples:
      readlist key 2310.01234                 print the key (given now if it has none)
      readlist key 2310.01234 vaswani2017attention
    """
    session = session_of(ctx)
    paper = session.library.resolve(paper_id)
    if key is None:
        keys = {paper.id: paper.cite_key} if paper.cite_key else assign_keys(
            [paper], taken_keys(session.library.papers.values()))
        _keep_keys(session, [paper], keys)
        shown = keys[paper.id]
    else:
        try:
            validate_key(key, ())  # its form: a wrong value, told as one (exit 2); a key taken is said below
        except ValidationError as exc:
            raise click.BadParameter(str(exc), param_hint="NEWKEY") from None
        session.run(SetKey(paper.id, key))
        settle(session)
        shown = session.library.papers[paper.id].cite_key or ""
    if as_json:
        print_json({"id": paper.id, "cite_key": shown})
    else:
        info(shown)


COMMANDS = [cite_cmd, export_cmd, key_cmd]
