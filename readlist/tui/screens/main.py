"""The main screen: views sidebar, search, the paper list and the detail pane."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Container, Horizontal, Vertical, VerticalScroll
from textual.timer import Timer
from textual.widgets import Input, Static

from readlist.app.commands import Delete, EditTags, Outcome
from readlist.app.enrich import ApplyEnrichment, Change, enrich_hint, plan_enrichment
from readlist.app.imports import ImportPapers
from readlist.app.pull import PullOutcome, load_pull_state, pull_configured, pull_hf, save_pull_state
from readlist.app.session import Session
from readlist.app.sync import SyncError, SyncReport, is_set_up, sync, sync_label
from readlist.app.views import (
    SORT_LABELS,
    UI_SORT_KEYS,
    Counts,
    View,
    build_views,
    count,
    next_sort,
    sort_depends_on,
)
from readlist.core.model import Paper, Status
from readlist.core.query import Query, QueryError, parse_query
from readlist.storage.errors import LibraryError
from readlist.storage.library import Library
from readlist.tui import bindings
from readlist.tui.messages import LibraryChanged
from readlist.tui.screens.base import ReadlistScreen, decision
from readlist.tui.screens.cite_chooser import CiteChooser
from readlist.tui.screens.confirm import Confirm
from readlist.tui.screens.note_editor import NoteEditor
from readlist.tui.screens.stats import StatsScreen
from readlist.tui.screens.tags import TagChange, TagEditor
from readlist.tui.screens.triage import TriageScreen
from readlist.tui.widgets.detail import PaperDetail
from readlist.tui.widgets.footer import ReadlistFooter
from readlist.tui.widgets.paper_list import PaperList
from readlist.tui.widgets.sidebar import ViewSidebar

if TYPE_CHECKING:
    from readlist.app.network import Network

# Below this many columns the detail pane goes under the list instead of beside it.
WIDE_LAYOUT = 120
SEARCH_DELAY = 0.12
# A search that took less than this runs on every keystroke; slower ones wait for a pause in typing.
INSTANT_SEARCH = 0.015
# Papers looked up per round of an enrichment: the list updates after each round.
ENRICH_CHUNK = 10


class SearchInput(Input):
    """The search box: Esc clears it and hands focus back to the list."""

    BINDINGS: ClassVar[list[BindingType]] = bindings.SEARCH

    def action_clear_search(self) -> None:
        self.value = ""
        self.screen.query_one(PaperList).focus()

    def action_to_list(self) -> None:
        self.screen.query_one(PaperList).focus()


class MainScreen(ReadlistScreen[None]):
    """Browse a view of the library, search it and triage from the keyboard."""

    HELP_TITLE = "paper list"

    BINDINGS: ClassVar[list[BindingType]] = bindings.MAIN

    def __init__(self, session: Session, *, sort: str = "added", today: date | None = None) -> None:
        super().__init__(session, id="main")
        self.views: list[View] = build_views([])
        self.view_index = 0
        self.sort = sort
        self.today = today
        self.query_text = ""
        self.layout_mode = "auto"  # or "side" / "stacked", once the user toggles
        self._last_search_seconds = 0.0
        self._search_timer: Timer | None = None
        self._message = ""
        self.counts = Counts()
        self._query = parse_query("")
        self._sidebar_shown: tuple[object, ...] = ()
        # Set while an enrichment or a pull runs in the background; setting it cancels the run (Esc).
        self._online: threading.Event | None = None
        self.syncing = False  # a sync runs in the background
        self._sync_state = ""  # the header's sync indicator, worked out when it can change (not per key)

    @property
    def paper_list(self) -> PaperList:
        return self.query_one("#papers", PaperList)

    @property
    def view(self) -> View:
        return self.views[self.view_index]

    def compose(self) -> ComposeResult:
        yield Static(id="topbar", markup=False)
        with Horizontal(id="body"):
            with VerticalScroll(id="sidebar"):
                yield ViewSidebar(id="views")
            with Vertical(id="center"):
                with Horizontal(id="search-row"):
                    yield SearchInput(placeholder="/ search: words, tag:x, status:read, rating>=4, year:2024 …",
                                      id="search")
                yield Static(id="query-error", markup=False)
                with Container(id="panes"):
                    yield PaperList(id="papers")
                    yield PaperDetail(id="detail")
        yield ReadlistFooter()

    def on_mount(self) -> None:
        self._sync_state = sync_label(self.session.library.path)
        self.paper_list.focus()
        self.query_one("#query-error").display = False
        self._apply_layout()
        self.rebuild()

    # -- building the view ----------------------------------------------------

    def rebuild(self, keep_id: str | None = None, *, keep_current: bool = True) -> None:
        """Recompute counts and the list from the whole library (the cursor stays on a paper when it can)."""
        self.counts = count(self.session.library.papers.values())
        self._query = self._parse_query()
        plist = self.paper_list
        if keep_id is None and keep_current and plist.current is not None:
            keep_id = plist.current.id
        self._refresh_views()
        papers = self.session.select(self.view, self._query, self.sort)
        self._show_list(papers, keep_id)

    def after_change(self, outcome: Outcome, keep_id: str | None = None) -> None:
        """Show a change made from this app without rescanning the library.

        The outcome holds, per changed paper, the values its changed fields had
        before; counts are adjusted from them and papers that left the view are
        dropped, so a keypress stays cheap on a 100,000 paper library.
        """
        lib = self.session.library
        self.counts.adjust(outcome, lib)
        shown_view = self.view.key
        self._refresh_views()
        if self.view.key != shown_view:  # a tag view emptied and vanished: show where we landed
            self.rebuild(keep_current=False)
            return
        plist = self.paper_list
        if keep_id is None and plist.current is not None:
            keep_id = plist.current.id
        view, query = self.view, self._query
        present = {p.id for p in plist.papers}
        gone: set[str] = set()
        rescan = sort_depends_on(self.sort, outcome.fields) or bool(outcome.added)
        for pid in outcome.changes:
            paper = lib.get(pid)
            shown = paper is not None and view.matches(paper) and query.matches(paper)
            if shown and pid not in present:
                rescan = True
            elif not shown and pid in present:
                gone.add(pid)
        if rescan:
            self._show_list(self.session.select(view, query, self.sort), keep_id)
            return
        papers = [p for p in plist.papers if p.id not in gone] if gone else plist.papers
        self._show_list(papers, keep_id, changed=set(outcome.changes))

    def _refresh_views(self) -> None:
        current_key = self.view.key
        self.views = build_views(self.counts.by_tag)
        keys = [v.key for v in self.views]
        self.view_index = keys.index(current_key) if current_key in keys else min(self.view_index, len(keys) - 1)

    def _show_list(self, papers: list[Paper], keep_id: str | None, changed: set[str] | None = None) -> None:
        """Show a list; with ``changed`` (ids edited in place), only rows, counts and panes that differ are redrawn."""
        plist = self.paper_list
        plist.empty_message = self._empty_message()
        if changed is None:
            plist.set_papers(papers, keep_id)
        else:
            plist.replace_papers(papers, changed, keep_id)
        # Redrawing the sidebar is the dearest part of a keypress; skip it when no number on it moved.
        shown = (tuple(v.key for v in self.views), tuple(self.counts.for_view(v) for v in self.views),
                 self.view_index)
        if changed is None or shown != self._sidebar_shown:
            self._sidebar_shown = shown
            self.query_one("#views", ViewSidebar).show(self.views, self.counts, self.view_index)
        self._update_topbar()
        self.query_one("#detail", PaperDetail).show(plist.current)

    def _parse_query(self) -> Query:
        error = self.query_one("#query-error", Static)
        try:
            query = parse_query(self.query_text)
        except QueryError as exc:
            error.update(Text(f"⚠ {exc}"))
            error.display = True
            return self._query  # keep showing what the last good query found
        error.display = False
        return query

    def _empty_message(self) -> str:
        if self.query_text.strip():
            return "No papers match this search. Esc clears it."
        if not self.session.library.papers:
            return "The library is empty. Import papers with: readlist import FILE-OR-URL"
        return f"No papers in {self.view.label}."

    def _update_topbar(self) -> None:
        plist = self.paper_list
        total = self.counts.total
        inbox = self.counts.by_status.get(Status.INBOX.value, 0)
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(" readlist ", style="bold")
        text.append(self.session.library.path.name)
        text.append(f"  {total} papers · {inbox} in inbox", style="dim")
        text.append("  │  ")
        text.append(self.view.label, style="bold")
        text.append(f" {len(plist.papers)}")
        text.append(f"  sort: {SORT_LABELS.get(self.sort, self.sort)}", style="dim")
        if plist.selected:
            text.append(f"  {len(plist.selected)} selected", style="bold")
        if self._sync_state:
            text.append(f"  {self._sync_state}", style="dim")
        if self._message:
            text.append("  │  ")
            text.append(self._message)
        self.query_one("#topbar", Static).update(text, layout=False)  # one line, fixed height

    def say(self, message: str) -> None:
        """A short status message in the top bar (plain text, never markup)."""
        self._message = message
        self._update_topbar()

    @on(LibraryChanged)
    def _library_changed(self) -> None:
        """Another process changed the library: show its state, cursor on the same paper."""
        self.rebuild()

    # -- events ---------------------------------------------------------------

    @on(PaperList.Highlighted)
    def _highlighted(self, event: PaperList.Highlighted) -> None:
        self.query_one("#detail", PaperDetail).show(event.paper)

    @on(PaperList.SelectionChanged)
    def _selection_changed(self, event: PaperList.SelectionChanged) -> None:
        self._update_topbar()

    @on(ViewSidebar.Chosen)
    def _view_chosen(self, event: ViewSidebar.Chosen) -> None:
        self.set_view(event.index)

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        value = event.value
        if self._last_search_seconds < INSTANT_SEARCH:
            # Small libraries search faster than a frame: no reason to make the user wait.
            self._run_search(value)
        else:
            self._search_timer = self.set_timer(SEARCH_DELAY, lambda: self._run_search(value))

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        self._run_search(event.value)
        self.paper_list.focus()

    def _run_search(self, value: str) -> None:
        if value != self.query_text:
            self.query_text = value
            started = time.perf_counter()
            self.rebuild(keep_current=False)
            self._last_search_seconds = time.perf_counter() - started

    def on_resize(self, event: events.Resize) -> None:
        self._apply_layout()

    def _apply_layout(self) -> None:
        if self.layout_mode == "auto":
            stacked = self.size.width < WIDE_LAYOUT
        else:
            stacked = self.layout_mode == "stacked"
        self.set_class(stacked, "-stacked")

    # -- changes ------------------------------------------------------------------

    def action_decide(self, name: str) -> None:
        """Keep, skip, read, rate …: the paper under the cursor, or every selected paper."""
        targets = self.paper_list.targets()
        if not targets:
            self.notify("No paper here to change.", severity="warning", markup=False)
            return
        command, _ = decision(name, [p.id for p in targets])
        self._show_outcome(self.run_command(command))

    def _show_outcome(self, outcome: Outcome | None) -> None:
        if outcome is None:
            return
        self.paper_list.clear_selection()
        self.after_change(outcome)
        n = len(outcome)
        what = f"{n} papers" if n != 1 else "1 paper"
        self.say(f"{outcome.label}: {what} (u undoes)" if n else f"{outcome.label}: nothing to change")

    def action_undo(self) -> None:
        done = self.undo()
        if done is None:
            self.say("Nothing to undo")
            return
        self._message = f"Undid: {done.step.label.lower()}"
        self.after_change(done.outcome, keep_id=next(iter(done.step.changes), None))

    def action_redo(self) -> None:
        done = self.redo()
        if done is None:
            self.say("Nothing to redo")
            return
        self._message = f"Redid: {done.step.label.lower()}"
        self.after_change(done.outcome)

    def action_delete(self) -> None:
        targets = self.paper_list.targets()
        if not targets:
            self.notify("No paper here to delete.", severity="warning", markup=False)
            return
        ids = [p.id for p in targets]
        question = (f"Delete “{targets[0].title}”?" if len(targets) == 1
                    else f"Delete the {len(targets)} selected papers?")

        def answered(yes: bool | None) -> None:
            if yes:
                self._show_outcome(self.run_command(Delete(ids)))

        self.app.push_screen(Confirm(question, "Its note, tags and rating go too; u undoes."), answered)

    # -- navigation -------------------------------------------------------------------

    def set_view(self, index: int) -> None:
        self.view_index = index % len(self.views)
        self.paper_list.clear_selection()
        self.paper_list.cursor = 0
        self.paper_list.scroll_to(y=0, animate=False, immediate=True)
        self._message = ""
        self.rebuild(keep_current=False)

    def set_view_key(self, key: str) -> None:
        keys = [v.key for v in self.views]
        if key in keys:
            self.set_view(keys.index(key))

    def action_next_view(self) -> None:
        self.set_view(self.view_index + 1)

    def action_previous_view(self) -> None:
        self.set_view(self.view_index - 1)

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_escape(self) -> None:
        if self._online is not None and not self._online.is_set():
            self._online.set()
            self.say("Cancelling …")
        elif self.paper_list.selected:
            self.paper_list.clear_selection()
        elif self.query_text:
            self.query_one("#search", Input).value = ""
            self._run_search("")

    def set_sort(self, key: str) -> None:
        self.sort = key
        self._message = f"Sorted by {SORT_LABELS.get(key, key)}"
        self.rebuild()

    def action_cycle_sort(self) -> None:
        self.set_sort(next_sort(self.sort))

    def action_toggle_layout(self) -> None:
        self.layout_mode = "side" if self.has_class("-stacked") else "stacked"
        self._apply_layout()

    # -- other screens -------------------------------------------------------------------

    def _current(self) -> Paper | None:
        paper = self.paper_list.current
        if paper is None:
            self.notify("No paper under the cursor.", severity="warning", markup=False)
        return paper

    def action_note(self) -> None:
        paper = self._current()
        if paper is not None:
            self.app.push_screen(NoteEditor(self.session, paper.id), lambda _: self.rebuild())

    def action_tags(self) -> None:
        targets = self.paper_list.targets()
        if not targets:
            self._current()
            return
        ids = [p.id for p in targets]

        def done(change: TagChange | None) -> None:
            if change is not None:
                self.apply_tags(ids, *change)

        self.app.push_screen(TagEditor(targets, list(self.counts.by_tag)), done)

    def apply_tags(self, ids: list[str], add: list[str], remove: list[str]) -> None:
        """Write only the tags added and removed, on the papers as they are on disk now."""
        if not add and not remove:
            self.say("Tags unchanged")
            return
        outcome = self.run_command(EditTags(ids, add=add, remove=remove))
        if outcome is not None:
            self.paper_list.clear_selection()
            self.after_change(outcome)
            self.say(f"Tags changed on {len(outcome)} paper(s)" if outcome.changes else "Tags unchanged")

    def action_triage(self) -> None:
        plist = self.paper_list
        if not plist.papers:
            self.notify("Nothing to triage in this view.", severity="warning", markup=False)
            return
        ids = [p.id for p in plist.papers]
        self.app.push_screen(TriageScreen(self.session, ids, start=plist.cursor), lambda _: self.rebuild())

    def action_cite(self) -> None:
        self.copy_citation(self.paper_list.targets(), "bibtex")

    def action_cite_choose(self) -> None:
        targets = self.paper_list.targets()
        if not targets:
            self._current()
            return

        keys = self.citation_keys(targets)

        def chosen(fmt: str | None) -> None:
            if fmt:
                self.copy_citation(targets, fmt, keys)

        self.app.push_screen(CiteChooser(targets, keys=keys), chosen)

    def action_open_url(self) -> None:
        paper = self._current()
        if paper is not None:
            self.say(self.open_paper(paper))

    def action_stats(self) -> None:
        self.app.push_screen(StatsScreen(self.session.library, today=self.today))

    # -- the network (background workers; the UI stays responsive, Esc cancels) -----------------

    def action_enrich(self) -> None:
        """Complete the paper under the cursor (or the selection) from arXiv and Hugging Face."""
        targets = self.paper_list.targets()
        if not targets:
            self.notify("No paper here to enrich.", severity="warning", markup=False)
            return
        if self._online is not None:
            self.notify("Already busy with the network; Esc cancels.", severity="warning", markup=False)
            return
        self._online = threading.Event()
        self.run_worker(partial(self._enrich, [p.id for p in targets], self._online), thread=True,
                        group="online", exit_on_error=False)

    def _clients(self, cancel: threading.Event) -> Network:
        # The HTTP client loads only when the network is first used, not at start-up.
        from readlist.app.network import connect, network_settings

        settings = network_settings(self.session.settings)
        # Waiting between arXiv requests ends early when the user cancels.
        return connect(settings, sleep=lambda seconds: (cancel.wait(seconds), None)[1])

    def _enrich(self, ids: list[str], cancel: threading.Event) -> None:
        """The worker: look papers up a few at a time and apply each settled group as it arrives."""
        net = self._clients(cancel)
        done = changed = 0
        unsettled: list[str] = []
        error = None
        try:
            for start in range(0, len(ids), ENRICH_CHUNK):
                if cancel.is_set():
                    break
                chunk = [p for pid in ids[start:start + ENRICH_CHUNK] if (p := self.session.library.get(pid))]
                self.app.call_from_thread(self.say, f"Enriching {done + 1}–{done + len(chunk)} of {len(ids)} "
                                                    "from arXiv … Esc cancels")
                plan = plan_enrichment(chunk, arxiv=net.arxiv, hf=net.hf, cancelled=cancel.is_set)
                if plan.changes:
                    changed += self.app.call_from_thread(self._apply_enrichment, plan.changes)
                unsettled += [u.title for u in (*plan.ambiguous, *plan.not_found)]
                done += len(chunk)
                if plan.error:
                    error = plan.error
                    break
        finally:
            net.close()
        self.app.call_from_thread(self._online_finished, self._enrich_summary(changed, done, unsettled, error,
                                                                                cancel.is_set()), error)

    def _apply_enrichment(self, changes: list[Change]) -> int:
        outcome = self.run_command(ApplyEnrichment(changes))
        if outcome is None:
            return 0
        keep = self.paper_list.current.id if self.paper_list.current else None
        if keep is not None and keep in outcome.changes and outcome.changes[keep].after is None:
            keep = next((pid for pid, c in outcome.changes.items() if c.before is None), None)  # renamed
        self.after_change(outcome, keep_id=keep)
        return len(changes)

    @staticmethod
    def _enrich_summary(changed: int, done: int, unsettled: list[str], error: str | None, cancelled: bool) -> str:
        text = f"Enriched {changed} of {done} paper{'s' if done != 1 else ''}"
        if unsettled:
            text += f"; {len(unsettled)} not found or ambiguous (readlist enrich --dry-run lists them)"
        if cancelled:
            text += "; cancelled"
        if changed:
            text += " (u undoes)"
        return text

    def _online_finished(self, message: str, error: str | None) -> None:
        self._online = None
        self.say(message)
        if error:
            self.notify(error, severity="error", markup=False, timeout=12)

    def pull(self, what: str) -> None:
        """Pull new papers in the background: ``hf`` for today's Daily Papers, ``configured`` for config.toml's."""
        if self._online is not None:
            self.notify("Already busy with the network; Esc cancels.", severity="warning", markup=False)
            return
        self._online = threading.Event()
        self.say("Pulling new papers … Esc cancels")
        self.run_worker(partial(self._pull, what, self._online), thread=True, group="online", exit_on_error=False)

    def _pull(self, what: str, cancel: threading.Event) -> None:
        net = self._clients(cancel)
        today = date.today()
        try:
            if what == "hf":
                outcome = pull_hf(net.hf, [today], cancelled=cancel.is_set)
            else:
                state = load_pull_state(self.session.library.path)
                outcome = pull_configured(net.settings.pull_sources, state, today=today, hf=net.hf, arxiv=net.arxiv,
                                          cancelled=cancel.is_set)
        finally:
            net.close()
        self.app.call_from_thread(self._store_pulled, outcome)

    def _store_pulled(self, outcome: PullOutcome) -> None:
        added: list[str] = []
        for batch in outcome.batches:
            if batch.result is not None and batch.result.papers:
                imported = self.run_command(ImportPapers(batch.result.papers, batch.source, batch.result.format))
                if imported is not None:
                    added += imported.report.added
        errors = [b.error for b in outcome.batches if b.error]
        if not errors:
            save_pull_state(self.session.library.path, outcome.remember)
        self.rebuild()
        hint = enrich_hint([p for pid in added if (p := self.session.library.get(pid))])
        message = f"Pulled {len(added)} new paper{'s' if len(added) != 1 else ''}"
        if outcome.cancelled:
            message += "; cancelled"
        self._online_finished(message + (f". {hint.split(';')[0]}: press E to look them up" if hint else ""),
                              errors[0] if errors else None)

    # -- sync (git, in the background) ------------------------------------------------------

    def sync_now(self) -> None:
        """Sync the library with its git remote in the background (readlist sync)."""
        if self.syncing:
            self.notify("A sync is already running.", severity="warning", markup=False)
            return
        if not is_set_up(self.session.library.path):
            self.notify("This library is not set up for sync: run `readlist sync init [REMOTE]` first.",
                        severity="warning", markup=False, timeout=10)
            return
        self.syncing = True
        self._sync_state = sync_label(self.session.library.path, running=True)
        self.say("Syncing …")
        self.run_worker(self._sync, thread=True, group="sync", exit_on_error=False)

    def _sync(self) -> None:
        # A library object of its own: the worker never touches the one the screen reads; the lock orders them.
        try:
            report: SyncReport | None = sync(Library(self.session.library.path))
            error = None
        except (SyncError, LibraryError) as exc:
            report, error = None, str(exc)
        self.app.call_from_thread(self._sync_finished, report, error)

    def _sync_finished(self, report: SyncReport | None, error: str | None) -> None:
        self.syncing = False
        self._sync_state = sync_label(self.session.library.path)
        if report is None:
            self.say("Sync failed")
            self.notify(error or "Sync failed.", severity="error", markup=False, timeout=15)
            return
        if self.session.refresh():
            self.post_message(LibraryChanged())
        self.say(f"Synced: {report.summary()}")
        for line in report.details()[:5]:
            self.notify(line, severity="warning", markup=False, timeout=15)

    def palette_commands(self) -> Iterable[tuple[str, str, Callable[[], object]]]:
        """Extra palette entries: every sort order, every view, pulling new papers, syncing."""
        yield ("Sync with the remote", "Commit, fetch, merge paper by paper and push the library (readlist sync)",
               self.sync_now)
        yield ("Pull today's Daily Papers", "Import today's Hugging Face Daily Papers", partial(self.pull, "hf"))
        yield ("Pull configured sources", "Import new papers from config.toml's pull_sources since the last pull",
               partial(self.pull, "configured"))
        for key in UI_SORT_KEYS:
            yield (f"Sort by {SORT_LABELS[key]}", f"Order the list by {SORT_LABELS[key]}",
                   partial(self.set_sort, key))
        for view in self.views:
            yield (f"View: {view.label}", f"Show {view.label}", partial(self.set_view_key, view.key))
