"""Library verbs: import, list, show, mark, rate, tag, note, rm, undo, stats.

Every verb that changes the library builds a command (``readlist.app.commands``) and runs it
through the session, exactly as the TUI's keys do; this module only parses arguments and prints.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from readlist.app.commands import AppendNote, Delete, EditTags, Outcome, Rate, SetStatus, Unread
from readlist.app.enrich import enrich_hint
from readlist.app.history import (
    last_change_file,
    load_last_change,
    overtaken,
    revert,
    reverted_already,
    save_last_change,
)
from readlist.app.imports import ImportReport, import_parsed, read_sources
from readlist.app.notes import EditorFailed, NoteEdit, edit_in_editor, without_final_line_end
from readlist.app.session import Session
from readlist.app.sources import SourceError, read_stdin
from readlist.app.views import count
from readlist.cli import _on_a_terminal
from readlist.cli.context import (
    Context,
    kept_in_order,
    library_of,
    network_of,
    network_settings_of,
    session_of,
    settle,
)
from readlist.cli.output import (
    console,
    echo_err,
    err_console,
    fail,
    info,
    paper_details,
    paper_line,
    print_json,
)
from readlist.config.settings import YEARS
from readlist.core.model import (
    Paper,
    Status,
    ValidationError,
    normalize_tag,
    parse_rating,
    parse_status,
    split_tag_words,
)
from readlist.core.stats import compute_stats, render_text
from readlist.core.texrender import render_tex
from readlist.core.text import clean_note, counted, first_few, inert_text
from readlist.importers import FORMATS
from readlist.storage.errors import AmbiguousIdError, LibraryError, NotFoundError
from readlist.storage.library import Library


def _resolve_all(lib: Library, refs: tuple[str, ...] | list[str]) -> list[Paper]:
    """The papers ``refs`` name, each once, in the order first named: one paper may be named by its id, its
    citation key and a prefix in the same command, and is changed, listed and counted once."""
    if not refs:
        raise click.UsageError("name at least one paper id (a unique prefix of 4 characters or more is enough)")
    return list({paper.id: paper for paper in (lib.resolve(ref) for ref in refs)}.values())


def print_summary(lib: Library) -> None:
    counts = count(lib).by_status
    info(f"{lib.path}: {counted(len(lib), 'paper')}")
    for status in Status:
        info(f"  {status.label:<8} {counts.get(status.value, 0)}")


# ---------------------------------------------------------------------------
# import


def report_line(report: ImportReport) -> Text:
    line = Text()
    if report.error:
        line.append("✗ ", style="bold red")
        source, error = inert_text(report.source), inert_text(report.error)
        # Network errors already begin with the address they are about.
        line.append(error if error.startswith(source + ":") else source + ": " + error)
        return line
    line.append("✓ ", style="bold green")
    line.append(inert_text(report.source), style="bold")
    if report.format:
        line.append(f" ({report.format})", style="dim")
    line.append(
        f": {len(report.added)} added, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged, {len(report.skipped)} skipped"
    )
    for what, why in report.skipped[:20]:
        line.append("\n    skipped ", style="yellow")
        line.append(inert_text(what) + " — " + inert_text(why))
    if len(report.skipped) > 20:
        line.append(f"\n    … and {len(report.skipped) - 20} more skipped")
    for what, note in report.notes[:20]:
        line.append("\n    note ", style="yellow")
        line.append(inert_text(what) + " — " + inert_text(note))
    if len(report.notes) > 20:
        line.append(f"\n    … and {len(report.notes) - 20} more notes")
    return line


# Show a progress bar (on a terminal) when an import is big enough to take a noticeable moment.
PROGRESS_SOURCES = 3
PROGRESS_PAPERS = 1000


@click.command("import")
@click.argument("sources", nargs=-1, metavar="SOURCE...")
@click.option("--year", type=click.IntRange(*YEARS),
              help="Year for dates shown without one (default: config.toml's year, else the page's).")
@click.option("--clipboard", is_flag=True, help="Import what is on the clipboard.")
@click.option("--format", "fmt", metavar="FORMAT", help="Skip detection and parse as this format.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
def import_cmd(
    ctx: click.Context, sources: tuple[str, ...], year: int | None, clipboard: bool, fmt: str | None, as_json: bool
) -> None:
    """Import papers from files, URLs, arXiv ids, stdin (-) or the clipboard.

    The format is recognised from the content (Hugging Face pages, text copies
    and API JSON, arXiv pages, BibTeX); --format names one to skip detection.
    An arXiv id (2310.01234, arXiv:2310.01234v2, hep-th/9901001) that is not
    a file's name is looked up on the arXiv API, all ids in one request.
    Papers already in the library are matched by arXiv id or title; a
    re-import fills in missing details and refreshes upvotes and abstracts,
    and never touches your status, rating, tags or note.

    \b
    Examples:
      readlist import ~/Downloads/daily-papers.txt
      readlist import https://huggingface.co/papers/date/2025-11-20
      readlist import refs.bib saved-arxiv-listing.html
      readlist import 2310.01234 arXiv:1706.03762
      pbpaste | readlist import -
      readlist import --clipboard --year 2024
    """
    # A source named twice (``import - -``, a glob and a name) is read once: its report said its papers twice.
    names = list(dict.fromkeys([*sources, *(["clipboard"] if clipboard else [])]))
    if not names:
        raise click.UsageError("name a file, a URL, - for standard input, or use --clipboard")
    if fmt is not None:
        if fmt not in FORMATS:
            raise click.BadParameter(f"{fmt!r} is not one of: {', '.join(FORMATS)}", param_hint="--format")
    today = date.today()
    obj: Context = ctx.find_root().obj
    settings = obj.session(create=True).settings
    offline = network_settings_of(ctx).offline
    year = year if year is not None else settings.year
    many = len(names) > PROGRESS_SOURCES
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not (sys.stderr is not None and sys.stderr.isatty()),
    )
    with progress:
        reading = progress.add_task("Reading sources", total=len(names), visible=many)
        parsed = read_sources(names, network=partial(network_of, ctx), fmt=fmt, today=today, year=year,
                              offline=offline, advance=lambda n: progress.advance(reading, n))
        total = sum(len(item.result.papers) for item in parsed if item.result is not None)
        saving = progress.add_task("Saving papers", total=total, visible=many or total > PROGRESS_PAPERS)

        def advance(n: int) -> None:
            progress.advance(saving, n)

        session = session_of(ctx, create=True)
        lib = session.library
        reports = import_parsed(session, parsed, advance=advance)
    if any(r.total for r in reports):
        settle(session)
    hint = enrich_hint([lib.papers[pid] for r in reports for pid in r.added if pid in lib.papers])
    if as_json:
        data: dict[str, object] = {"library": str(lib.path), "reports": [r.to_dict() for r in reports],
                                   "papers": len(lib)}
        if hint:
            data["hint"] = hint
        print_json(data)
    else:
        for report in reports:
            console.print(report_line(report))
        if hint:
            info(hint)
        if len(reports) > 1:
            ok = [r for r in reports if not r.error]
            info(
                f"{sum(len(r.added) for r in ok)} added, {sum(len(r.updated) for r in ok)} updated, "
                f"{sum(len(r.unchanged) for r in ok)} unchanged from {len(ok)} of {len(reports)} sources"
            )
    failed = [r for r in reports if r.error]
    if failed:  # also with --json: the report is on stdout, and a script's log gets the one line on stderr
        what = "nothing was imported" if len(failed) == len(reports) else "the other sources were imported"
        fail(f"{counted(len(failed), 'source')} could not be imported; {what}")


# ---------------------------------------------------------------------------
# show


@click.command("show")
@click.argument("paper_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print the record as JSON, with its interest and why.")
@click.pass_context
def show_cmd(ctx: click.Context, paper_id: str, as_json: bool) -> None:
    """Show one paper: metadata, abstract and note.

    \b
    Examples:
      readlist show 2310.01234
      readlist show 2310 --json       by unique prefix; its interest score and why
    """
    session = session_of(ctx)
    paper = session.library.resolve(paper_id)
    if as_json:
        record = paper.public_dict()
        record["interest"] = _interest_of(session, paper)
        print_json(record)
    else:
        # On a terminal the abstract wraps between words; into a pipe each paragraph stays one line.
        console.print(paper_details(paper), soft_wrap=not console.is_terminal)


@click.command("open")
@click.argument("paper_id", metavar="ID")
@click.option("--pdf", is_flag=True, help="Its PDF on arXiv instead, as P does in the app.")
@click.option("--json", "as_json", is_flag=True, help="Print {id, url, opened, reason} as JSON.")
@click.pass_context
def open_cmd(ctx: click.Context, paper_id: str, pdf: bool, as_json: bool) -> None:
    """Open a paper's page in the browser, as o does in the app.
    Where no browser can open (SSH, no display) the address is printed to
    follow or copy; it is always printed on standard output.

    \b
    Examples:
      readlist open 2310.01234
      readlist open 2310.01234 --pdf
      readlist open 2310 --json | jq -r .url
    """
    from readlist.app.browser import open_in_browser, page_of

    paper = library_of(ctx).resolve(paper_id)
    page = page_of(paper, pdf=pdf)
    if page.url is None:
        lacks = "no arXiv id, so no PDF link" if pdf else "no URL"
        fail(f"{paper.id} has {lacks}; `readlist enrich {paper.id}` looks it up on arXiv")
    reason = "" if page.openable else "it is not an http(s) address"
    if not reason:
        opened = open_in_browser(page.url)
        reason = opened.reason
    if as_json:
        print_json({"id": paper.id, "url": page.url, "opened": not reason, "reason": reason or None})
    else:
        info(page.url)
    if not page.openable:  # a file:, javascript: or desktop-handler address from a page or a library file
        fail(f"not opened: {page.url} is not an http(s) address")
    if reason:
        echo_err(f"readlist: not opened ({reason}); follow or copy the address printed")


def _interest_of(session: Session, paper: Paper) -> dict[str, object] | None:
    """``{score, because, …}`` for ``show --json``; None (with the reason on stderr) where it cannot be computed.

    The model kept by the last training of exactly these papers (within the hour) explains it as it is; else it is
    trained now and kept, with its scores, for the app's next start and the next command.
    """
    from readlist.app.interest import InterestUnavailable, explained

    library = session.library
    try:
        interest, answer = explained(library.papers.values(), paper, library=library.path, read=library.read_state)
    except InterestUnavailable as exc:
        echo_err(f"readlist: warning: {exc}")
        return None
    kept_in_order(session, answer)
    return interest


@click.command("related")
@click.argument("paper_ids", nargs=-1, required=True, metavar="ID...")
@click.option("--limit", "-n", type=click.IntRange(1, 100), default=5, show_default=True, help="How many papers.")
@click.option("--json", "as_json", is_flag=True, help="Print the papers and what they share as JSON.")
@click.pass_context
def related_cmd(ctx: click.Context, paper_ids: tuple[str, ...], limit: int, as_json: bool) -> None:
    """Papers in your library most like this one.
    Each comes with what it shares: words, authors, tags. Several ids: the
    papers most like them taken together (as m on a selection in the app),
    never one of them.

    \b
    Examples:
      readlist related 2310.01234
      readlist related 2310.01234 --limit 10 --json
      readlist related 2310.01234 2402.00001 t-3f2a
    """
    from readlist.app.interest import InterestUnavailable, related_papers

    session = session_of(ctx)
    papers = _resolve_all(session.library, paper_ids)
    try:
        found = related_papers(
            session.library.papers.values(), [p.id for p in papers], limit, library=session.library.path
        )
    except InterestUnavailable as exc:
        fail(str(exc))
    lib = session.library
    if as_json:
        print_json([{**r.to_dict(), "title": lib.papers[r.paper_id].title, "status": lib.papers[r.paper_id].status}
                    for r in found if r.paper_id in lib.papers])
        return
    if not found:  # on stderr: a script reading the papers gets none, not this sentence as a paper
        echo_err("no related papers (the library may be too small, or the paper has no words in common with others)")
    for r in found:
        other = lib.papers.get(r.paper_id)
        if other is None:
            continue
        line = Text(f"{r.score:.2f}  ", style="dim")
        line.append(f"{Status(other.status).glyph} ")
        line.append(inert_text(render_tex(other.title)), style="bold")
        line.append(f"  [{other.id}]", style="cyan")
        line.append("\n      " + inert_text(r.reason), style="dim")
        console.print(line, soft_wrap=not console.is_terminal)  # words whole on a screen, lines whole in a pipe


# ---------------------------------------------------------------------------
# edits


def _no_long_options(args: tuple[str, ...] | list[str]) -> None:
    """``--word`` among the ids and values is a mistyped option, never an id, a value or a tag.

    These verbs let arguments start with ``-`` (``-TAG`` removes a tag), so click passes an
    unknown ``--typo`` through; taking it as data would remove a tag called ``typo``.
    """
    for arg in args:
        if arg.startswith("--") and len(arg) > 2:
            raise click.NoSuchOption(arg.split("=", 1)[0])


def _split_last(args: tuple[str, ...], what: str) -> tuple[list[str], str]:
    _no_long_options(args)
    if len(args) < 2:
        raise click.UsageError(f"give one or more paper ids, then the {what}")
    return list(args[:-1]), args[-1]


def _changed(outcome: Outcome, papers: list[Paper], what: str, left: str = "already so") -> None:
    done = len(outcome)
    unchanged = len({p.id for p in papers}) - done
    message = f"{counted(done, 'paper')} {what}"
    if unchanged:
        message += f" ({unchanged} {left})"
    info(message)


def _report_edit(session: Session, outcome: Outcome, papers: list[Paper], what: str, as_json: bool,
                 left: str = "already so") -> None:
    """The result of mark, rate or tag: a line for people, or the changed records for scripts (``left``: what the
    line says of the papers left as they were)."""
    if not as_json:
        _changed(outcome, papers, what, left)
        return
    ids = list(dict.fromkeys(p.id for p in papers))
    changed = [paper.public_dict() for pid in ids if pid in outcome.changes
               and (paper := session.library.get(pid)) is not None]
    print_json({"changed": changed, "unchanged": [pid for pid in ids if pid not in outcome.changes]})


_JSON_HELP = 'Print {"changed": [records as changed], "unchanged": [ids]} as JSON.'


@click.command("mark", context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, metavar="ID... STATUS")
@click.option("--json", "as_json", is_flag=True, help=_JSON_HELP)
@click.pass_context
def mark_cmd(ctx: click.Context, args: tuple[str, ...], as_json: bool) -> None:
    """Set papers' status: inbox, to-read, reading, read, skipped.

    keep and todo also mean to-read, skip means skipped, done means read.
    unread puts read papers back to the status they had before they were
    read (to-read if it is not known), as r does in the app; papers that are
    not read are left as they are.

    \b
    Examples:
      readlist mark 2310.01234 read
      readlist mark 2310 2402.1 to-read --json
      readlist mark 2310.01234 unread
    """
    refs, raw = _split_last(args, "status")
    unread = raw.strip().lower() == "unread"
    try:
        status = None if unread else parse_status(raw)
    except ValidationError as exc:
        raise click.BadParameter(f"{exc}; or unread", param_hint="STATUS") from None
    session = session_of(ctx)
    papers = _resolve_all(session.library, refs)
    ids = [p.id for p in papers]
    outcome = session.run(Unread(ids) if status is None else SetStatus(ids, status))
    settle(session)
    # Back from read, the line says where to ("back to Inbox"), as r says in the app.
    unread_as = outcome.label[:1].lower() + outcome.label[1:]
    if status is None:  # a paper that is not read is left as it is: not "already unread" (it may be to-read)
        _report_edit(session, outcome, papers, unread_as, as_json, left="not read, so left as is")
    else:
        _report_edit(session, outcome, papers, f"marked {status.value}", as_json)


@click.command("rate", context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, metavar="ID... N")
@click.option("--json", "as_json", is_flag=True, help=_JSON_HELP)
@click.pass_context
def rate_cmd(ctx: click.Context, args: tuple[str, ...], as_json: bool) -> None:
    """Rate papers from 1 to 5 (0 clears the rating).

    \b
    Examples:
      readlist rate 2310.01234 5
      readlist rate 2310 2402.1 4 --json
    """
    refs, raw = _split_last(args, "rating")
    try:
        rating = parse_rating(raw)
    except ValidationError as exc:
        raise click.BadParameter(str(exc), param_hint="N") from None
    session = session_of(ctx)
    papers = _resolve_all(session.library, refs)
    outcome = session.run(Rate([p.id for p in papers], rating))
    settle(session)
    _report_edit(session, outcome, papers, f"rated {rating}" if rating else "unrated", as_json)


def split_tag_args(args: tuple[str, ...] | list[str], is_paper: Callable[[str], bool]) -> tuple[
        list[str], list[str], list[str]]:
    """(paper ids, tags to add, tags to remove) from ``readlist tag``'s arguments.

    The first argument is a paper id. ``+TAG`` adds and ``-TAG`` removes. A bare word after
    the first is another paper id when it names a paper (``is_paper``) and no tag came before
    it; otherwise it is a tag to add. An argument with commas or spaces holds several tags, each
    with its own sign, as the app's tag box reads them. ``--word`` is a usage error (a mistyped option).
    """
    _no_long_options(args)
    refs: list[str] = []
    add: list[str] = []
    remove: list[str] = []
    for arg in args:
        if not refs or (not add and not remove and arg[:1] not in ("+", "-") and is_paper(arg)):
            refs.append(arg)
            continue
        for word in split_tag_words(arg) or [arg]:  # nothing but separators: refused below, by what was given
            if word.startswith("+") and len(word) > 1:
                add.append(word[1:])
            elif word.startswith("-") and len(word) > 1:
                remove.append(word[1:])
            else:
                add.append(word)
    if not refs:
        raise click.UsageError("name a paper id, then the tags: TAG or +TAG adds, -TAG removes")
    if not add and not remove:
        raise click.UsageError("give at least one tag after the paper ids: TAG or +TAG adds, -TAG removes")
    for word in (*add, *remove):
        if not normalize_tag(word):
            raise click.UsageError(f"{inert_text(repr(word))} is not a tag: a tag needs a letter or a digit")
    return refs, add, remove


@click.command("tag", context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, metavar="ID... TAG|+TAG|-TAG...")
@click.option("--json", "as_json", is_flag=True, help=_JSON_HELP)
@click.pass_context
def tag_cmd(ctx: click.Context, args: tuple[str, ...], as_json: bool) -> None:
    """Add (TAG or +TAG) and remove (-TAG) tags on papers.

    The first argument is a paper id. After it, a word that names another
    paper (its id, or a unique prefix of 4 characters or more) is a paper id
    as long as no tag came before it; any other word is a tag to add. A
    prefix of several papers' ids is refused, not taken as a tag. +TAG always
    adds. Commas and spaces separate tags, as in the app's tag box: 'rl,
    agents' is two tags.

    \b
    Examples:
      readlist tag 2310.01234 rl agents
      readlist tag 2310 2402.1 +rl -todo
      readlist tag 2310 -todo --json
    """
    session = session_of(ctx)
    lib = session.library

    def is_paper(word: str) -> bool:
        try:
            lib.resolve(word)
        except AmbiguousIdError:
            return True  # meant as papers, most likely: refused below rather than made a tag
        except NotFoundError:
            return False
        return True

    refs, add, remove = split_tag_args(args, is_paper)
    try:
        papers = _resolve_all(lib, refs)
    except AmbiguousIdError as exc:
        if exc.ref == refs[0]:
            raise
        fail(f"{exc}; nothing was tagged. Give more of the id, or write +{exc.ref} for the tag {exc.ref!r}")
    outcome = session.run(EditTags([p.id for p in papers], add=add, remove=remove))
    settle(session)
    _report_edit(session, outcome, papers, "retagged", as_json)


def stdin_text(unchanged: str, clearing: str) -> str:
    """Standard input as text for ``note ID -`` and ``edit --abstract -``, read as ``import -`` reads it.

    Started without standard input (``<&-``), there is nothing to read: one line saying so and ``unchanged``
    (exit 1), as import says it, rather than a traceback. Bytes that are not UTF-8 are refused by the verb's
    caller (:class:`~readlist.cli.ReadlistGroup`), nothing changed either. Empty input (or only blank lines) is
    refused too, with ``clearing``, the way to clear on purpose: a pipeline whose first command failed gives
    none (``false | readlist note ID -``), and took the note or the abstract with it.
    """
    try:
        data = read_stdin()
    except SourceError as exc:
        fail(f"{exc}; {unchanged}")
    text = bytes(data).decode("utf-8")
    if not text.strip():
        fail(f"standard input is empty; {unchanged} ({clearing})")
    if not clean_note(text).strip():  # what would be stored: the field emptied as surely as by no input at all
        fail(f"standard input holds only control characters or escape sequences, no text; {unchanged} ({clearing})")
    return without_final_line_end(text)


@click.command("note")
@click.argument("paper_id", metavar="ID")
@click.argument("text", required=False)
@click.option("--append", "append_text", metavar="TEXT", help="Add TEXT as a new paragraph at the end.")
@click.option("--edit", is_flag=True, help="Edit the note in $EDITOR.")
@click.option("--clear", is_flag=True, help="Remove the note.")
@click.option("--json", "as_json", is_flag=True, help="Print the resulting note as JSON.")
@click.pass_context
def note_cmd(
    ctx: click.Context,
    paper_id: str,
    text: str | None,
    append_text: str | None,
    edit: bool,
    clear: bool,
    as_json: bool,
) -> None:
    """Show, set, append to or edit a paper's note (Markdown).

    A note changed elsewhere (in the terminal UI, say) while $EDITOR was open is
    not lost: your text is saved, followed by the other version under a line
    starting with ──.

    \b
    Examples:
      readlist note 2310.01234                      print the note
      readlist note 2310.01234 "Strong baseline."   replace it
      readlist note 2310.01234 --append "See sec 4."
      readlist note 2310.01234 --edit               open $EDITOR
      echo "from a script" | readlist note 2310.01234 -
    """
    chosen = (text is not None) + (append_text is not None) + edit + clear
    if chosen > 1:
        raise click.UsageError("give only one of TEXT, --append, --edit, --clear")
    session = session_of(ctx)
    lib = session.library
    paper = lib.resolve(paper_id)
    asked = append_text is not None or text is not None or edit or clear
    changed = False
    merged = False
    renamed = paper.id
    if append_text is not None:
        # Appends to the note on disk, not a stale copy.
        changed = bool(session.run(AppendNote(paper.id, append_text)).changes)
    else:
        new: str | None = None
        draft: Path | None = None
        editing = NoteEdit(session, paper.id)
        if text == "-":
            new = stdin_text("the note was not changed", f"`readlist note {paper.id} --clear` removes it")
        elif text is not None:
            new = text
        elif clear:
            new = ""
        elif edit:
            try:
                new, draft = edit_in_editor(paper.note, terminal=_on_a_terminal())
            except EditorFailed as exc:
                fail(str(exc))
        if new is not None:
            try:
                result = editing.save(new)
            except (LibraryError, ValidationError) as exc:
                if draft is not None:
                    fail(f"{exc}; your text is kept in {draft}")
                raise
            if result is not None and result.gone:
                kept = f"; your text is kept in {draft}" if draft is not None else ""
                fail(f"{paper.id} was removed meanwhile, so the note was not saved{kept}")
            merged = result is not None and result.outside is not None
            # An empty outcome records nothing: `readlist undo` would then revert the change before this one.
            changed = bool(editing.finish().changes)
            if draft is not None:
                draft.unlink(missing_ok=True)
            if result is not None and result.paper_id:
                renamed = result.paper_id  # given its arXiv id while the editor or the pipe was open
    if changed:
        settle(session)
    paper = lib.papers.get(renamed) or lib.named_by_id(renamed) or paper
    if as_json:
        print_json({"id": paper.id, "note": paper.note})
    elif not asked:
        if paper.note:
            console.print(Text(inert_text(paper.note, multiline=True)))
        else:  # on stderr: `readlist note ID > note.md` must not take the sentence as the note
            echo_err(f"{paper.id} has no note")
    elif not changed:
        info(f"note unchanged for {paper.id}" if paper.note else f"{paper.id} has no note; nothing changed")
    elif not paper.note:
        info(f"note cleared for {paper.id} (`readlist undo` brings it back)")
    else:
        info(f"note saved for {paper.id} ({len(paper.note)} characters)")
        if merged:
            info("the note was changed elsewhere meanwhile; that version was kept after yours, under a line "
                 "starting with ──")


@click.command("rm")
@click.argument("refs", nargs=-1, metavar="ID...")
@click.option("--json", "as_json", is_flag=True, help="Print the removed records as JSON.")
@click.pass_context
def rm_cmd(ctx: click.Context, refs: tuple[str, ...], as_json: bool) -> None:
    """Remove papers (`readlist undo` puts them back).

    \b
    Examples:
      readlist rm 2310.01234
      readlist rm t-3f2a 2402.1 --json
    """
    session = session_of(ctx)
    papers = _resolve_all(session.library, list(refs))
    outcome = session.run(Delete([p.id for p in papers]))
    settle(session)
    if as_json:
        print_json({"removed": [p.public_dict() for p in papers if p.id in outcome.changes]})
        return
    for paper in papers:
        if paper.id in outcome.changes:
            console.print(Text("removed ") + paper_line(paper), soft_wrap=True)
    info(f"{counted(len(outcome), 'paper')} removed; `readlist undo` puts "
         f"{'them' if len(outcome) != 1 else 'it'} back")


# Papers an undo names one per line; more are counted.
UNDO_SHOWN = 10


@click.command("undo")
@click.option("--json", "as_json", is_flag=True,
              help="Print what was reverted as JSON (papers by the ids they have now; renamed_from: a paper's "
                   "id before, when the undo changed it; skipped: papers changed since, left alone; already: "
                   "papers already as it leaves them, an earlier undo having been stopped before it noted so).")
@click.pass_context
def undo_cmd(ctx: click.Context, as_json: bool) -> None:
    """Revert the last change a command made; again to redo.

    It is the last change made from the command line, however long ago; the
    terminal UI's own changes are undone there, with u. Papers changed again
    since (in the terminal UI or by another command) are left as they are and
    named, so undo never throws away a later change. A command killed after
    saving its change but before noting it for undo leaves the note of the
    change before: undo then says so and changes nothing. An undo itself
    stopped that way is noted as done by the next one.

    \b
    Examples:
      readlist rate 2310.01234 1      oops
      readlist undo
    """
    session = session_of(ctx)
    lib = session.library
    last = load_last_change(lib.path)
    if last is None:
        if (record := last_change_file(lib.path)) is not None:
            fail(f"nothing undone: {record} (the last command's change) cannot be read; the library is as it was. "
                 "Remove that file: the next change is remembered afresh")
        fail("nothing to undo: no change made from the command line is remembered for this library")
    if overtaken(last, lib):
        fail("nothing undone: the last change made from the command line was stopped before it was noted for undo, "
             "so undo would revert the change before it instead; the library is as it was. Change those papers "
             "back by hand, or find the library as it was before that command in `readlist doctor --list-backups`")
    lib.step = last.step  # the revert belongs to the step it reverts
    done = revert(lib, last.outcome, to_before=not last.undone, only_unchanged=True)
    # Papers already as this undo (redo) leaves them, when it changed none: an earlier one was stopped after saving
    # its revert, before noting it. Noting it now lets the next `readlist undo` redo (undo) it instead of refusing.
    there = [] if done.outcome.changes else reverted_already(lib, last.outcome, to_before=not last.undone)
    if done.outcome.changes or there:
        if (problem := save_last_change(lib.path, last.outcome, undone=not last.undone, step=last.step)) is None:
            lib.recorded_step = last.step
        else:
            echo_err(f"readlist: {lib.path}: the change is saved, but `readlist undo` cannot "
                     f"{'undo' if last.undone else 'redo'} it: its record could not be written ({problem})")
        settle(session)
    verb = "redid" if last.undone else "undid"
    # A paper whose id the step changed (enrichment gave it its arXiv id) is in the changes under both ids; it is
    # named once, by the id it has now, so that the papers listed are the papers counted.
    gone = done.outcome.renames()
    ids = [pid for pid in sorted(done.outcome.changes) if pid not in gone]
    skipped = [pid for pid in done.skipped if pid not in there]
    if as_json:
        print_json({"action": "redo" if last.undone else "undo", "label": last.outcome.label, "papers": ids,
                    "renamed_from": {new: old for old, new in sorted(gone.items())}, "skipped": skipped,
                    "already": sorted(there)})
    elif there:
        again = "redoes" if not last.undone else "undoes"
        info(f"{verb} {last.outcome.label.lower()} already: {counted(len(there), 'paper')} as it leaves them (an "
             f"earlier `readlist undo` was stopped before it could note so); noted now: `readlist undo` again "
             f"{again} it")
        if skipped:
            info(f"left alone because they changed since: {first_few(skipped)}")
    elif done.skipped and not done.outcome.changes:
        # Every paper was changed again since: no success to report. The record stays as it is, so another undo
        # would meet the same papers; the command line keeps no older change to go back to.
        them = "it" if len(done.skipped) == 1 else "them"
        fail(f"nothing {'redone' if last.undone else 'undone'} ({last.outcome.label.lower()}): "
             f"{first_few(done.skipped)} changed since (here or on another copy), and "
             f"{'redo' if last.undone else 'undo'} never reverts a later change; `readlist undo` again changes "
             f"nothing (only the last command's change is kept for it), so change {them} by hand if need be")
    else:
        info(f"{verb} {last.outcome.label.lower()}: {counted(len(done.outcome), 'paper')}")
        reverted = [p for pid in ids[:UNDO_SHOWN] if (p := lib.get(pid)) is not None]
        for paper in reverted:  # which papers: the change undone may be older than the user remembers
            console.print(Text("  ") + paper_line(paper), soft_wrap=True)
        if len(done.outcome) > UNDO_SHOWN:
            info(f"  … and {len(done.outcome) - UNDO_SHOWN} more")
        if done.skipped:
            info(f"left alone because they changed since: {first_few(done.skipped)}")
    if done.skipped and not done.outcome.changes and not there:
        raise SystemExit(1)


@click.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.option(
    "--weeks", type=click.IntRange(1, 520), default=26, show_default=True, help="Weeks of history in the charts."
)
@click.pass_context
def stats_cmd(ctx: click.Context, as_json: bool, weeks: int) -> None:
    """Counts per status, rating, tag and source, and per week. Per week: papers read and papers added.

    Weeks start on Monday and use UTC dates; the last one is the current week.

    \b
    Examples:
      readlist stats
      readlist stats --weeks 52
      readlist stats --json | jq .by_status
    """
    lib = library_of(ctx)
    stats = compute_stats(lib.papers.values(), weeks=weeks)
    if as_json:
        print_json(stats.to_dict())
        return
    console.print(render_text(stats, width=console.width, title=f"{inert_text(str(lib.path))}"), crop=False)


# ---------------------------------------------------------------------------
# edit


@click.command("edit")
@click.argument("paper_id", metavar="ID")
@click.option("--title", help="The title.")
@click.option("--authors", metavar="'A; B'", help="Every author, separated by semicolons ('' clears).")
@click.option("--organization", metavar="NAME", help="The organization shown instead of authors.")
@click.option("--published", metavar="DATE", help="YYYY, YYYY-MM or YYYY-MM-DD.")
@click.option("--url", help="The paper's page (http(s)).")
@click.option("--doi", help="The DOI (10.…, or a https://doi.org/ link).")
@click.option("--journal", "journal_ref", metavar="TEXT",
              help="Where it was published (journal, proceedings); cited in every format.")
@click.option("--abstract", metavar="TEXT", help="The abstract; - reads it from standard input.")
@click.option("--json", "as_json", is_flag=True, help="Print the record as changed.")
@click.pass_context
def edit_cmd(ctx: click.Context, /, paper_id: str, as_json: bool, **fields: str | None) -> None:
    """Correct a paper's details: title, authors, date, links, venue, abstract.

    A detail corrected by hand is yours from then on: later imports and
    enrichment leave it as you wrote it. An empty value ('') clears a field
    (not the title). `readlist undo` takes the correction back.

    \b
    Examples:
      readlist edit t-27c300955d --title "A Tutorial on Bayesian Optimization"
      readlist edit 2310.01234 --authors "Ada Lovelace; Alan Turing"
      readlist edit 2310.01234 --journal "NeurIPS 2024" --doi 10.5555/3600270
    """
    from readlist.app.details import FIELD_LABELS, EditDetails, FieldError

    wanted = {name: value for name, value in fields.items() if value is not None}
    if not wanted:
        raise click.UsageError("name a detail to change: --title, --authors, --organization, --published, --url, "
                               "--doi, --journal or --abstract")
    if wanted.get("abstract") == "-":
        wanted["abstract"] = stdin_text("nothing was changed", "--abstract '' clears it")
    session = session_of(ctx)
    paper = session.library.resolve(paper_id)
    try:
        outcome = session.run(EditDetails(paper.id, wanted))
    except FieldError as exc:  # a wrong value, as click says one (exit 2); a title another paper has is exit 1
        raise click.BadParameter(str(exc), param_hint=f"--{exc.field}") from None
    settle(session)
    if as_json:
        print_json(session.library.papers[paper.id].public_dict())
    elif outcome.changes:
        after = outcome.changes[paper.id].after or {}
        named = ", ".join(FIELD_LABELS[name].lower() for name in wanted if name in after)  # as the app names them
        info(f"{paper.id}: {named} changed (`readlist undo` takes it back)")
    else:
        info(f"{paper.id}: already so")


COMMANDS = [
    import_cmd, show_cmd, open_cmd, related_cmd, mark_cmd, rate_cmd, tag_cmd, note_cmd, edit_cmd, rm_cmd, undo_cmd,
    stats_cmd,
]
