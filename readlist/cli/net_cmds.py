"""``readlist pull`` and ``readlist enrich``: new papers from the Hugging Face and arXiv APIs, thin records completed.

Both go through the same import and command paths as everything else: a pull is imported exactly like a
file (same dedup, merge rules and report), and an enrichment is one undoable command.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Any

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from readlist.app.enrich import ApplyEnrichment, EnrichPlan, enrich_hint, enrich_in_groups, papers_now
from readlist.app.imports import ImportReport, ParsedSource, import_parsed
from readlist.app.pull import (
    PullBatch,
    PullError,
    PullOutcome,
    day_range,
    load_pull_state,
    nothing_asked_can_be_pulled,
    pull_arxiv,
    pull_configured,
    pull_hf,
    save_pull_state,
)
from readlist.app.session import Session
from readlist.app.views import status_view
from readlist.cli.commands import report_line
from readlist.cli.context import network_of, session_of, settle
from readlist.cli.output import console, echo_err, err_console, fail, info, print_json, query_option
from readlist.core.model import Paper
from readlist.core.text import counted, inert_text

if TYPE_CHECKING:
    from readlist.app.network import Network

# Papers looked up and applied at a time by `enrich`: an interrupted run keeps the groups applied before it. 100 is
# one arXiv request for papers with an id (the app, which shows each group, takes 10).
ENRICH_GROUP = 100


@contextmanager
def _progress() -> Iterator[Callable[[str, int, int], None]]:
    """A progress bar on a terminal (stderr), nothing in a pipe; yields the callback the clients call."""
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=err_console, transient=True, disable=not (sys.stderr and sys.stderr.isatty()))
    task = bar.add_task("", total=None)

    def advance(phase: str, done: int, total: int) -> None:
        bar.update(task, description=inert_text(phase), completed=done, total=total or None)

    with bar:
        yield advance


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (use YYYY-MM-DD)", param_hint=option) from None


@click.command("pull")
@click.argument("what", required=False, type=click.Choice(["hf", "arxiv"]))
@click.argument("categories", nargs=-1, metavar="[CATEGORY...]")
@click.option("--date", "on", metavar="YYYY-MM-DD", help="hf: that day's Daily Papers.")
@click.option("--since", metavar="YYYY-MM-DD", help="hf: every day from this one to today.")
@click.option("--days", type=click.IntRange(1, 60), default=1, show_default=True,
              help="arxiv: submissions of the last N days.")
@click.option("--json", "as_json", is_flag=True, help="Print the reports as JSON.")
@click.pass_context
def pull_cmd(
    ctx: click.Context, what: str | None, categories: tuple[str, ...], on: str | None, since: str | None, days: int,
    as_json: bool,
) -> None:
    """Import new papers from Hugging Face Daily Papers or arXiv.

    With no arguments, every source named in config.toml's pull_sources (default: hf) since its last
    successful pull. Papers are imported like a file: known papers are filled in, never duplicated,
    and your status, rating, tags and notes are never touched. arXiv is asked at most once every
    3 seconds (arxiv_delay); --offline refuses without touching the network.

    \b
    Examples:
      readlist pull                              configured sources, since the last pull
      readlist pull hf                           today's Daily Papers
      readlist pull hf --date 2024-08-01
      readlist pull hf --since 2024-07-29
      readlist pull arxiv cs.CL cs.LG --days 2
    """
    if what != "arxiv" and categories:
        raise click.UsageError("categories go with `pull arxiv`, e.g. `readlist pull arxiv cs.CL`")
    if what == "arxiv" and (on or since):
        raise click.UsageError("--date and --since go with `pull hf`; use --days with `pull arxiv`")
    if on and since:
        raise click.UsageError("give --date or --since, not both")
    if what is None and (on or since):
        raise click.UsageError("--date and --since go with `pull hf`, e.g. `readlist pull hf --date 2024-08-01`")
    if what != "arxiv" and ctx.get_parameter_source("days") is not click.core.ParameterSource.DEFAULT:
        raise click.UsageError("--days goes with `pull arxiv`; use --date or --since with `pull hf`")
    session = session_of(ctx)
    net = network_of(ctx)
    if what is None and (why := nothing_asked_can_be_pulled(net.settings)) is not None:
        net.close()
        fail(why)
    today = date.today()
    reports: list[ImportReport] = []

    def store(batch: PullBatch) -> None:
        """Each day (or listing) is imported as it arrives: an interrupted pull keeps the ones it had."""
        if batch.result is not None and batch.papers:
            reports.extend(import_parsed(session, [ParsedSource(batch.source, batch.result, None, label=batch.source)]))

    try:
        with _progress() as progress, session.one_step():  # one pull, one step for `readlist undo`
            if what == "hf":
                outcome = pull_hf(net.hf, day_range(today=today, on=_date(on, "--date"), since=_date(since, "--since")),
                                  progress=progress, arrived=store)
            elif what == "arxiv":
                outcome = pull_arxiv(net.arxiv, categories, days=days, today=today, progress=progress, arrived=store)
            else:
                state = load_pull_state(session.library.path)
                outcome = pull_configured(net.settings.pull_sources, state, today=today, hf=net.hf,
                                          arxiv=net.arxiv, progress=progress, arrived=store)
    except PullError as exc:
        raise click.UsageError(str(exc)) from None
    except KeyboardInterrupt:
        kept = sum(r.total for r in reports)
        if kept:
            settle(session)
        fail("interrupted: " + (f"the {counted(kept, 'paper')} pulled so far {'is' if kept == 1 else 'are'} kept "
                                "(`readlist undo` takes them back); `readlist pull` again pulls the rest"
                                if kept else "nothing was pulled"), 130)
    finally:
        net.close()
    _store_pulled(session, outcome, reports, as_json)


def _store_pulled(session: Session, outcome: PullOutcome, reports: list[ImportReport], as_json: bool) -> None:
    """Report what was imported as it arrived (``reports``) and the sources that failed; the last successful pull
    is remembered only when none did."""
    reports += [ImportReport(source=b.source, error=b.error) for b in outcome.batches if b.result is None]
    if any(r.total for r in reports):
        settle(session)
    if not any(b.error for b in outcome.batches):
        save_pull_state(session.library.path, outcome.remember)
    added = [pid for r in reports for pid in r.added]
    hint = enrich_hint([session.library.papers[pid] for pid in added if pid in session.library.papers])
    for note in outcome.notes:  # with --json too: a script's log (cron mails stderr) must show the gap
        echo_err("readlist: " + note)
    if as_json:
        print_json({"library": str(session.library.path), "reports": [r.to_dict() for r in reports],
                    "pull": outcome.to_json(), "hint": hint})
    else:
        if not outcome.batches:
            info("nothing to pull")
        empty = [b.source for b in outcome.batches if b.result is not None and not b.papers]
        if empty:
            info(f"no papers listed for {', '.join(empty)}")
        for report in reports:
            console.print(report_line(report))
        if hint:
            info(hint)
    if any(r.error for r in reports):  # with --json too: one line on stderr besides the report
        saved = "what the other sources had is saved" if any(r.total for r in reports) else "nothing was pulled"
        fail(f"{counted(sum(1 for r in reports if r.error), 'source')} could not be pulled; {saved}")


@click.command("enrich")
@click.argument("refs", nargs=-1, metavar="[ID...]")
@click.option("--all", "everything", is_flag=True, help="Every paper that lacks an arXiv id, authors or a link.")
@click.option("--query", "-q", default=None, help="The papers matching this query.")
@click.option("--dry-run", is_flag=True, help="Show what would change; change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the plan (and what was done) as JSON.")
@click.pass_context
def enrich_cmd(
    ctx: click.Context, refs: tuple[str, ...], everything: bool, query: str | None, dry_run: bool, as_json: bool
) -> None:
    """Fill in papers from arXiv and Hugging Face. What is filled in: arXiv id, authors, categories, dates, DOI, links.

    A paper without an arXiv id is looked up by its title and accepted only when a candidate's
    title is the same (or a single near-identical one has the same number of authors); the others
    are reported, never guessed. Your status, rating, tags and notes are never changed; a paper
    that already exists under the arXiv id found is merged into it, keeping both notes.
    `readlist undo` reverts an enrichment.

    \b
    Examples:
      readlist enrich --all --dry-run
      readlist enrich 2310.01234 t-3f2a
      readlist enrich --query 'source:hf -is:arxiv'
    """
    chosen = [what for what, given in (("ids", bool(refs)), ("--all", everything), ("--query", query is not None))
              if given]
    if len(chosen) > 1:  # each names the papers: which one was meant is not for readlist to guess
        raise click.UsageError(f"{' and '.join(chosen)} cannot be combined: each chooses the papers; give one")
    if not chosen:
        raise click.UsageError("name papers (ID...), or use --all or --query")
    session = session_of(ctx)
    lib = session.library
    if refs:
        papers = [lib.resolve(ref) for ref in refs]
    elif everything:
        papers = [p for p in lib.papers.values() if not p.arxiv_id or not p.authors or not p.url]
    else:
        papers = session.select(status_view(None), query_option(query))
    if not papers:
        # Said on stderr; --json still prints the document a script reads every other time, with nothing in it.
        echo_err("no papers to enrich")
        if as_json:
            print_json({"plan": EnrichPlan().to_json(), "dry_run": dry_run, "applied": None})
        return
    net = network_of(ctx)
    plan = EnrichPlan()
    applied: list[str] = []
    try:
        with _progress() as progress, session.one_step():
            _enrich_in_groups(session, papers, net, plan, applied, dry_run, progress)
    except KeyboardInterrupt:
        kept = 0 if dry_run else len(plan.changes)
        if kept:
            settle(session)
        fail("interrupted: " + (f"the {counted(kept, 'paper')} enriched so far {'is' if kept == 1 else 'are'} kept "
                                "(`readlist undo` takes them back); `readlist enrich` again skips what is complete"
                                if kept else "nothing was changed"), 130)
    finally:
        net.close()
    done: dict[str, Any] | None = None
    if applied:
        settle(session)
        done = {"changed": sorted(applied)}
    if as_json:
        print_json({"plan": plan.to_json(), "dry_run": dry_run, "applied": done})
    else:
        _print_plan(plan, dry_run)
    if plan.error:  # with --json too: one line on stderr besides the plan
        fail(plan.error + ("" if dry_run or not plan.changes else "; what was found before that was saved"))
    if plan.failed:  # as a pull with a source that failed: the run did not do what was asked
        saved = "what was found is saved" if applied else "nothing was changed"
        fail(f"{counted(plan.failed_papers, 'paper')} could not be looked up; {saved}; "
             "`readlist enrich` again tries them again")


def _enrich_in_groups(
    session: Session, papers: list[Paper], net: Network, plan: EnrichPlan, applied: list[str], dry_run: bool,
    progress: Callable[[str, int, int], None],
) -> None:
    """Look the papers up ENRICH_GROUP at a time, each group read as the library has it when its turn comes, and
    apply each settled group as it arrives (one undo step in all, by the caller's ``one_step``), so that an
    interrupted run keeps what it found; ``plan`` gathers the groups' plans and ``applied`` the ids changed (as
    the library now names them)."""

    def read(ids: Sequence[str]) -> list[Paper]:
        session.refresh()  # what other processes changed since the run began
        return papers_now(session.library, ids)

    def apply(part: EnrichPlan) -> None:
        if not dry_run and part.changes:
            applied.extend(session.run(ApplyEnrichment(part.changes)).changes)

    def starting(first: int, last: int, total: int) -> Callable[[str, int, int], None]:
        where = f" ({first}–{last} of {total})" if total > last - first + 1 else ""
        return lambda phase, done, count: progress(phase + where, done, count)

    enrich_in_groups([p.id for p in papers], ENRICH_GROUP, read=read, apply=apply, arxiv=net.arxiv, hf=net.hf,
                     plan=plan, starting=starting)


def _print_plan(plan: EnrichPlan, dry_run: bool) -> None:
    verb = "would change" if dry_run else "changed"
    for change in plan.changes:
        line = Text(f"{verb}  ", style="bold")
        line.append(inert_text(change.title))
        renamed = f" → {change.new_id}" if change.new_id and change.new_id != change.paper_id else ""
        line.append(f"  [{change.paper_id}{renamed}: {', '.join(sorted(change.fields))}]", style="dim")
        console.print(line, soft_wrap=True)
    for item in plan.ambiguous:
        console.print(Text("ambiguous  ", style="yellow") + Text(inert_text(f"{item.title} — {item.reason}")),
                      soft_wrap=True)
    for item in plan.not_found:
        console.print(Text("not found  ", style="dim") + Text(inert_text(item.title)), soft_wrap=True)
    for item in plan.failed:
        console.print(Text("failed     ", style="red") + Text(inert_text(f"{item.title} — {item.reason}")),
                      soft_wrap=True)
    info(f"{len(plan.changes)} {'would change' if dry_run else 'changed'}, {len(plan.unchanged)} already complete, "
         f"{len(plan.ambiguous)} ambiguous, {len(plan.not_found)} not found"
         + (f", {plan.failed_papers} failed" if plan.failed else "")
         + (f", {len(plan.pending)} not reached" if plan.pending else ""))


COMMANDS = [pull_cmd, enrich_cmd]
