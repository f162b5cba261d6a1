"""The main screen: views sidebar, search, the paper list and the detail pane."""

from __future__ import annotations

import contextlib
import contextvars
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from functools import partial, wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from rich.text import Text
from textual import events, on
from textual._time import get_time
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Container, Horizontal, Vertical, VerticalScroll
from textual.geometry import Size
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input, Static

from readlist.app.commands import Delete, EditTags, Outcome, SetKey
from readlist.app.session import Session
from readlist.app.sync import SyncError, SyncReport, is_set_up, sync, sync_label
from readlist.app.ui_state import UiState, load_ui_state, save_ui_state
from readlist.app.views import (
    AUTO_SORT,
    FIXED_VIEWS,
    INTEREST,
    SORT_LABELS,
    UI_SORT_KEYS,
    Counts,
    View,
    build_views,
    count,
    next_sort,
    shown_sort,
    sort_depends_on,
    view_name_problem,
)
from readlist.config.settings import ConfigError, config_path, load_config, save_view
from readlist.core.model import Paper, Status, ValidationError
from readlist.core.query import Query, QueryError, parse_query
from readlist.core.texrender import render_tex
from readlist.core.text import clean_line, counted, inert_text
from readlist.storage.errors import LibraryError
from readlist.storage.library import Library
from readlist.storage.paths import FileStamp, file_stamp, sync_state_path
from readlist.tui import bindings
from readlist.tui.messages import FirstScreenShown, InterestUpdated, LibraryChanged, LibraryLoaded
from readlist.tui.screens.base import NOTE_SAVED, ReadlistScreen, decision
from readlist.tui.widgets.detail import PaperDetail
from readlist.tui.widgets.fit import fit_line
from readlist.tui.widgets.footer import FooterSpace, ReadlistFooter
from readlist.tui.widgets.muted import MUTED, MutedText, restyled
from readlist.tui.widgets.note import editor_refusal, too_long_to_edit
from readlist.tui.widgets.paper_list import PaperList
from readlist.tui.widgets.sidebar import ViewSidebar
from readlist.tui.widgets.text_input import TextInput, keys_taken

if TYPE_CHECKING:
    from readlist.app.enrich import Change
    from readlist.app.first_screen import FirstScreen
    from readlist.app.imports import ParsedSource
    from readlist.app.interest import InterestResult
    from readlist.app.network import Network
    from readlist.app.pull import PullOutcome
    from readlist.tui.screens.tags import TagChange

# The other screens, enrichment, pulling and importing are imported when first used: loading them all
# before the first paint cost more than drawing it.

# Below this many columns the detail pane goes under the list instead of beside it.
WIDE_LAYOUT = 120
# Below this many, the detail pane is never beside the list (it would be a sliver), even after L.
SIDE_MINIMUM = 100
# Below this many, the sidebar is hidden: [ and ] still change views, and the top bar names the view.
NARROW = 80
# Papers looked up per round of an enrichment: the list updates after each round.
ENRICH_CHUNK = 10
# How many papers "more like this" gathers into its view, and how much of the paper's title names the view.
MORE_LIKE = 50
# The longest view name the top bar shows whole (a tag may be any length).
VIEW_LABEL_SHOWN = 40
LIKE_LABEL = 28
# The longest search the top bar quotes whole when it says the list shows another than the one typed.
SEARCH_SHOWN = 24
# While the user types a search, the detail pane waits for this long a pause before showing the paper found.
DETAIL_AFTER_TYPING = 0.25

Action = TypeVar("Action", bound=Callable[..., Any])
T = TypeVar("T")


class _Closing(Exception):
    """The app is closing: background work has nowhere left to show its results."""


def needs_library(action: Action) -> Action:
    """An action that needs the whole library: while it is still loading, it runs as soon as it has loaded."""

    @wraps(action)
    def run(self: MainScreen, *args: Any, **kwargs: Any) -> Any:
        if self.session.library.ready:
            return action(self, *args, **kwargs)
        self._waiting.append(partial(action, self, *args, **kwargs))
        self.say("That key acts once the library has loaded")  # the top bar says "Loading the library …" too
        return None

    return run  # type: ignore[return-value]


class SearchInput(TextInput):
    """The search box: Enter, ↓ and Tab hand focus back to the list with the search applied; Esc clears it first.

    ``/`` on a search puts the cursor at its end, nothing selected: the usual next step is to narrow the
    search (``-survey``, ``tag:rl``), which a selected query would lose to the first key typed; Esc or
    ``ctrl+u`` clears it for a new one.

    Each of those keys submits the box (see :meth:`TextInput.action_submit`): the search typed before it is applied and
    the list has the focus before the app reads the keys typed after it, so ``/llm⏎jj`` from a fast typist moves
    the cursor in the results, as it would typed slowly.
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings.SEARCH

    def __init__(self, *, placeholder: str = "", id: str | None = None) -> None:
        super().__init__(placeholder=placeholder, id=id, select_on_focus=False)

    def _watch_value(self, value: str) -> None:
        # Input stores the text's width as its virtual size, a whole-screen layout pass on every keystroke;
        # the box has a fixed size, so the scroll range is updated without one.
        self.set_reactive(Input.virtual_size, Size(self.content_width, 1))
        super()._watch_value(value)

    async def action_clear_search(self) -> None:
        await keys_taken(self)
        self.value = ""
        await self.action_submit()

    async def action_to_list(self) -> None:
        await self.action_submit()


class TopBar(MutedText):
    """The one line at the top, redrawn without a layout pass; its muted parts in the panel's muted colour."""

    def __init__(self, *, id: str | None = None, markup: bool = False) -> None:
        super().__init__(id=id, markup=markup)
        self._line = Text()

    def show(self, line: Text) -> None:
        self._line = line
        self.refresh()  # one line, fixed height: no layout

    def render(self) -> Text:
        return restyled(self._line, self.mark_styles())


class MainScreen(ReadlistScreen[None]):
    """Browse a view of the library, search it and triage from the keyboard."""

    HELP_TITLE = "paper list"

    BINDINGS: ClassVar[list[BindingType]] = bindings.MAIN

    def __init__(self, session: Session, *, sort: str = AUTO_SORT, today: date | None = None,
                 first_screen: FirstScreen | None = None, interest: InterestResult | None = None) -> None:
        super().__init__(session, id="main")
        session.follow_changes()  # the counts follow every change from the papers it touched (after_change)
        # What the last run's first screen showed: painted while the library loads (see needs_library).
        self.first_screen = first_screen
        # The view and paper of the last session, while the library that tells which tag views exist is read.
        self._going_back: tuple[str, str | None] | None = None
        self._waiting: list[Callable[[], object]] = []
        self._detail_timer: Timer | None = None
        self._detail_due = False
        # Saved searches (config.toml's [views]), shown in the sidebar after the fixed views.
        self.saved_views: dict[str, str] = dict(session.settings.views)
        self.views: list[View] = build_views([], self.saved_views)
        self.view_index = 0
        self.sort = sort
        self.today = today
        self.query_text = ""
        self.layout_mode = "auto"  # or "side" / "stacked", once the user toggles
        self._layout_width = 0  # the width L was pressed at
        self._search_value = ""
        self._search_due = False
        self._message = ""
        self._said_at = 0.0  # when say() last put up a message (Textual's clock, which stamps messages)
        # The paper the cursor was on in each view left with [ or ]: coming back finds it there, as in a
        # feed reader, rather than at the top.
        self._view_places: dict[str, str] = {}
        self.counts = Counts()
        self._query = parse_query("")
        # Whether the search typed does not read, so the list shows the last one that did: the top bar says so.
        self._query_invalid = False
        self._sidebar_shown: tuple[object, ...] = ()
        self._topbar_shown = Text()
        # Set while an enrichment or a pull runs in the background; setting it cancels the run (Esc).
        self._online: threading.Event | None = None
        # The newest interest computation (scores, reasons, related papers), handed down by the app; at first
        # the last session's scores, when they were kept.
        self.interest: InterestResult | None = interest
        # "More like this": a ranked view shown after the fixed ones until another replaces it.
        self.like_view: View | None = None
        self.syncing = False  # a sync runs in the background
        self._sync_stop = threading.Event()  # set on quit: the sync under way stops waiting for its remote
        # Until the reader presses a key, a cursor on the top row stays on the top row when new scores re-rank
        # the list, so a fresh start shows the best papers first rather than the old top somewhere below.
        self._untouched = True
        self._sync_state = ""  # the header's sync indicator, worked out when it can change (not per key)
        # The config file and the sync state file as they were when the views and the sync state were read (see
        # check_outside_files).
        self._config_stamp = _file_stamp(config_path())
        self._sync_stamp = _file_stamp(sync_state_path(session.library.path))

    @property
    def paper_list(self) -> PaperList:
        return self.query_one("#papers", PaperList)

    @property
    def view(self) -> View:
        return self.views[self.view_index]

    def compose(self) -> ComposeResult:
        yield TopBar(id="topbar", markup=False)
        with Horizontal(id="body"):
            # Not focusable, as the sidebar itself is not: Tab goes between the list and the search box.
            with VerticalScroll(id="sidebar", can_focus=False):
                yield ViewSidebar(id="views")
            with Vertical(id="center"):
                with Horizontal(id="search-row"):
                    yield SearchInput(placeholder="/ search: words, tag:x, status:read, rating>=4, year:2024 …",
                                      id="search")
                yield Static(id="query-error", markup=False)
                with Container(id="panes"):
                    yield PaperList(id="papers")
                    yield PaperDetail(self.session.library.get, id="detail",
                                      key=self.bound_key)
        yield FooterSpace()  # the footer comes after the first paint (see FooterSpace)

    def on_mount(self) -> None:
        self._sync_state = sync_label(self.session.library.path)
        self.paper_list.focus()
        self.query_one("#query-error").display = False
        self._apply_layout()
        self._restore_state()
        # The first frame draws only what its layout placed, which leaves out the top bar's line set above:
        # it is drawn in the next frame, before the footer (a dozen widgets) is made.
        self.call_after_refresh(self.query_one("#topbar", TopBar).refresh)
        self.call_after_refresh(self.call_after_refresh, self._mount_footer)

    async def _mount_footer(self) -> None:
        for space in self.query(FooterSpace):
            space.remove()
        await self.mount(ReadlistFooter())
        if not self.session.library.ready:
            # Reading the library competes with painting for the interpreter: it starts once all is on screen.
            self.call_after_refresh(self.post_message, FirstScreenShown())

    def _restore_state(self) -> None:
        """Go back to the view, sort, search and paper of the last session (when they still exist)."""
        state = load_ui_state(self.session.library.path)
        if state is None:
            self.rebuild()
            return
        if state.sort == AUTO_SORT or (state.sort and state.sort.lstrip("+-") in UI_SORT_KEYS):
            self.sort = state.sort
        if state.search:
            box = self.query_one("#search", Input)
            box.value = state.search  # the file is as foreign as the library: the box holds it cleaned
            self.query_text = box.value
        if state.layout in ("side", "stacked"):
            self.layout_mode, self._layout_width = state.layout, self.size.width
            self._apply_layout()
        self._go_back_to(state.view, state.paper)

    def _go_back_to(self, view_key: str, paper: str | None) -> None:
        """Show the view ``view_key`` (when there is one) with the cursor on ``paper``.

        A tag's view exists when the tag is in use, which the library tells once read; until then the kept
        first screen's counts do. Without a first screen to show, the view and paper are chosen again once
        the library has been read.
        """
        library = self.session.library
        if library.ready:
            self.counts = count(library.papers.values())
        elif self.first_screen is not None:
            self.counts = self.first_screen.counts
        self._refresh_views()
        keys = [v.key for v in self.views]
        if view_key in keys:
            self.view_index = keys.index(view_key)
        self._going_back = None if library.ready else (view_key, paper)
        self.rebuild(keep_id=paper)

    def _show_first_screen(self, keep_id: str | None) -> None:
        """Paint what the last run's first screen showed while the library loads; "Loading …" without one.

        It is used only when it shows what the restored state asks for (view, sort, search).
        """
        first = self.first_screen
        plist = self.paper_list
        # Reading the library competes with painting for the interpreter: it starts once this is on screen.
        # The kept screen was made in the order the list starts in (interest by the last session's scores).
        start = (self.view.key, self.effective_sort, self.query_text)
        if first is None or (first.view, first.sort, first.search) != start:
            self.first_screen = None
            plist.empty_message = "Loading the library …"
            plist.set_papers([])
            self._update_topbar()
            return
        self.counts = first.counts
        self._refresh_views()
        plist.empty_message = self._empty_message()
        plist.set_papers(first.papers, keep_id)
        self._sidebar_shown = ()
        self.query_one("#views", ViewSidebar).show(self.views, self.counts, self.view_index)
        self._update_topbar()
        self._follow_detail()

    @on(LibraryLoaded)
    def _library_loaded(self) -> None:
        """The library has been read: show it (the cursor stays on its paper), then run the keys that waited."""
        painted = self.first_screen is not None  # else nothing was shown: the last session's place is still to go to
        self.first_screen = None
        going_back, self._going_back = self._going_back, None
        if going_back is not None and not painted:
            self._go_back_to(*going_back)
        else:
            self.rebuild()
        waiting, self._waiting = self._waiting, []
        for action in waiting:
            action()

    def quit_once_loaded(self, quit_now: Callable[[], None]) -> bool:
        """Keys pressed while the library loads wait for it (see :func:`needs_library`); quitting before it has
        loaded dropped them without a word (a rating, a keep, made and then lost). With keys waiting, the quit
        waits too, after them; False when none wait, and the app quits at once."""
        if self.session.library.ready or not self._waiting:
            return False
        self._waiting.append(quit_now)
        self.say("Quitting once the library has loaded: the keys pressed meanwhile act first")
        return True

    def remember_state(self, place: str | None = None) -> None:
        """Keep where the user is, for the next session (called on quit).

        ``place``: the paper a screen over this one (triage mode) would put the cursor on when left, which is
        where the user is rather than the paper the list's cursor stayed on underneath.
        """
        current = self.paper_list.current
        paper = place if place is not None else current.id if current else None
        save_ui_state(self.session.library.path, UiState(
            view=self.view.key, sort=self.sort, search=self.query_text, paper=paper, layout=self.layout_mode,
        ))

    # -- building the view ----------------------------------------------------

    def rebuild(self, keep_id: str | None = None, *, keep_current: bool = True) -> None:
        """Recompute counts and the list from the whole library (the cursor stays on a paper when it can)."""
        if not self.session.library.ready:
            self._show_first_screen(keep_id)  # until the library has loaded; then this runs again
            return
        papers_now = self.session.library.papers.values()
        self.session.take_changes()  # counted below: the changes so far are in the new counts
        self.counts = count(papers_now)
        self._refresh_views()
        self.counts.count_saved(self.views, papers_now, index=self.session.views.index)
        self._refilter(keep_id, keep_current=keep_current)

    def _refilter(self, keep_id: str | None = None, *, keep_current: bool = True, typing: bool = False) -> None:
        """Show the current view, search and sort again; the counts stay (a search changes none of them)."""
        self._query = self._parse_query()
        plist = self.paper_list
        if keep_id is None and keep_current and plist.current is not None:
            keep_id = plist.current.id
        self._show_list(self._select(), keep_id, typing=typing)

    def after_change(self, keep_id: str | None = None) -> None:
        """Show the changes made since the counts were last made current, without rescanning the library.

        The session keeps them (the change just made from this app is among them; so are the decisions
        made in triage mode and other processes' changes as they were replayed): per changed
        paper, the values its changed fields had before. Counts are adjusted from them and papers that
        left the view are dropped, so a keypress stays cheap on a 100,000 paper library. When the library
        was read whole meanwhile, only a recount can tell: it is counted again.
        """
        lib = self.session.library
        outcome = self.session.take_changes()
        if outcome is None:
            self.rebuild(keep_id)
            return
        self.counts.adjust(outcome, lib)
        shown_view = self.view.key
        self._refresh_views()
        self.counts.recount_saved(self.views, lib, outcome.changes)
        if self.view.key != shown_view:  # a tag view emptied and vanished: show where we landed
            self.rebuild(keep_current=False)
            return
        plist = self.paper_list
        if keep_id is None and plist.current is not None:
            keep_id = plist.current.id
        if keep_id is not None and (renamed := outcome.renamed_to(keep_id)) is not None:
            keep_id = renamed  # the paper is still there, under its arXiv id
        view, query = self.view, self._query
        # Rows are found without scanning the list (100,000 rows): a key acts on the paper under the cursor.
        gone: list[int] = []
        rescan = sort_depends_on(self.effective_sort, outcome.fields) or bool(outcome.added)
        for pid in outcome.changes:
            paper = lib.get(pid)
            shown = paper is not None and view.matches(paper) and query.matches(paper)
            row = plist.row_of(pid)
            if shown and row is None:
                rescan = True
            elif not shown and row is not None:
                gone.append(row)
        if rescan:
            self._show_list(self._select(), keep_id)
            return
        papers = plist.papers
        if gone:
            if keep_id is not None and plist.row_of(keep_id) in gone:
                keep_id = None  # the cursor stays on its row, where the next paper moves up
            if len(gone) < 64:
                papers = list(papers)
                for row in sorted(gone, reverse=True):
                    del papers[row]
            else:
                dropped = set(gone)
                papers = [p for row, p in enumerate(papers) if row not in dropped]
        self._show_list(papers, keep_id, changed=set(outcome.changes))

    @property
    def effective_sort(self) -> str:
        """The order the list is in: the user's choice, or for ``auto`` interest in the Inbox once learned."""
        return shown_sort(self.sort, self.view.key, self._learned)

    @property
    def _learned(self) -> bool:
        """Whether there are interest scores to order by (enough decisions, and the model has trained)."""
        return self.interest is not None and self.interest.ready

    def _select(self) -> list[Paper]:
        scores = self.interest.scores if self.interest is not None else None
        return self.session.select(self.view, self._query, self.effective_sort, scores=scores)

    def _refresh_views(self) -> None:
        current_key = self.view.key
        self.views = build_views(self.counts.by_tag, self.saved_views)
        if self.like_view is not None:
            self.views.insert(len(FIXED_VIEWS), self.like_view)
        keys = [v.key for v in self.views]
        self.view_index = keys.index(current_key) if current_key in keys else min(self.view_index, len(keys) - 1)

    def _show_list(self, papers: list[Paper], keep_id: str | None, changed: set[str] | None = None, *,
                   typing: bool = False) -> None:
        """Show a list; only the rows, counts and panes that differ are redrawn.

        With ``changed`` (ids edited in place) only those rows are repainted. The sidebar is redrawn only
        when one of its numbers moved, and the detail pane follows in the next frame (after a pause, while
        the user types a search), so the list itself reaches the screen first.
        """
        plist = self.paper_list
        plist.empty_message = self._empty_message()
        if changed is None:
            plist.set_papers(papers, keep_id)
        else:
            plist.replace_papers(papers, changed, keep_id)
        self._in_this_frame(plist)
        # Labels too: a "more like" view made from inside another has the same key and count, but another name.
        shown = (tuple((v.key, v.label) for v in self.views), tuple(self.counts.for_view(v) for v in self.views),
                 self.view_index)
        if shown != self._sidebar_shown:
            self._sidebar_shown = shown
            sidebar = self.query_one("#views", ViewSidebar)
            sidebar.show(self.views, self.counts, self.view_index)
            self._in_this_frame(sidebar)
        self._update_topbar()
        detail = self.query_one("#detail", PaperDetail)
        if typing:
            self._follow_detail(DETAIL_AFTER_TYPING)
        elif changed is not None and detail.paper is plist.current and plist.current is not None:
            detail.show(plist.current)  # the same paper edited: only its header changes, cheaply
        else:
            self._follow_detail()

    def _follow_detail(self, delay: float = 0.0) -> None:
        """Show the paper under the cursor in the detail pane once the list's new frame is out (or after ``delay``).

        The detail pane changes height with each paper, so updating it costs a layout of the screen; in the
        same frame as the list it would hold back the list a key was pressed for. Textual runs
        after-refresh callbacks as soon as the screen is idle, which can be before the list's own request
        to be drawn has reached the screen: marking the list dirty here makes "after the refresh" mean
        after the frame that draws the list.
        """
        if self._detail_timer is not None:
            self._detail_timer.stop()
            self._detail_timer = None
        if delay:
            self._detail_timer = self.set_timer(delay, self._show_detail)
        elif not self._detail_due:
            self._detail_due = True
            self._in_this_frame(self.paper_list)
            self.call_after_refresh(self._show_detail)

    def _in_this_frame(self, widget: Widget) -> None:
        """Draw ``widget`` in the screen's next frame.

        A widget's request to be drawn reaches the screen only when that widget's own message queue is
        next idle, which can be after the screen has drawn its next frame: the list would show the next
        paper while the top bar still counted the one before, for a frame as long as a relayout.
        """
        self._dirty_widgets.add(widget)

    def _show_detail(self) -> None:
        self._detail_due = False
        self._detail_timer = None
        self.query_one("#detail", PaperDetail).show(self.paper_list.current)

    def _parse_query(self) -> Query:
        error = self.query_one("#query-error", Static)
        try:
            query = parse_query(self.query_text)
        except QueryError as exc:
            error.update(Text(inert_text(f"⚠ {exc}")))
            error.display = True
            # The list keeps showing what the last good query found (typing `(` or `"` does not empty it until the
            # group or quote is closed); the top bar says the count is that search's, not the one typed.
            self._query_invalid = True
            return self._query
        error.display = False
        self._query_invalid = False
        return query

    def _invalid_search_note(self) -> str:
        """What the top bar says beside the count while the search typed does not read: which search it counts."""
        shown = clean_line(self._query.text)
        if self._query.empty or not shown:
            return "⚠ search not valid, not applied"
        if len(shown) > SEARCH_SHOWN:
            shown = shown[: SEARCH_SHOWN - 1].rstrip() + "…"
        return f"⚠ search not valid, showing “{shown}”"

    def _empty_message(self) -> str:
        if self.query_text.strip():
            return "No papers match this search. Esc clears it."
        if not self.session.library.papers:
            # Whole in the list at 80 columns beside the sidebar (60 columns).
            return "No papers yet: ctrl+p → Import papers… or readlist import"
        return f"No papers in {self.view.label}."

    def _update_topbar(self) -> None:
        plist = self.paper_list
        # While the library loads, the list holds only the first screen's rows of the view; without one, no
        # count is known yet (a "0 papers" would say the library is empty).
        counted_yet = self.session.library.ready or self.first_screen is not None
        shown = self.first_screen.shown if self.first_screen is not None else len(plist.papers)
        total = self.counts.total
        inbox = self.counts.by_status.get(Status.INBOX.value, 0)
        width = self.size.width
        prefix = Text(no_wrap=True, overflow="ellipsis")
        prefix.append(" readlist ", style="bold")
        prefix.append(inert_text(self.session.library.path.name))
        if counted_yet:
            prefix.append(f"  {counted(total, 'paper')} · {inbox} in inbox", style=MUTED)
        prefix.append("  │  ")
        lead = Text(" ", no_wrap=True, overflow="ellipsis")
        count = shown if counted_yet else None
        full, short = self._topbar_rest(count, short=False), self._topbar_rest(count, short=True)
        # The first that fits: the library's name and totals, then the hint about O, go before the view, its
        # count and the last message (a message cut off the end of the line is a message never read); then,
        # while a message is up, the sort (it is back with the next key). One too long even then is cut with
        # an ellipsis, so it is seen to go on.
        choices = [lead + full, lead + short] if width < NARROW else [prefix + full, prefix + short, lead + full]
        last = lead + short
        if self._message:
            last = lead + self._topbar_rest(count, short=True, sort=False)
            choices += [lead + short, last]
        text = next((choice for choice in choices if choice.cell_len <= width), None) or fit_line(last, width)
        if text != self._topbar_shown:
            self._topbar_shown = text
            topbar = self.query_one("#topbar", TopBar)
            topbar.show(text)
            self._in_this_frame(topbar)

    def _topbar_rest(self, shown: int | None, *, short: bool, sort: bool = True) -> Text:
        """The top bar after the library's name: the view, its count, the sort, state and the last message."""
        plist = self.paper_list
        text = Text(no_wrap=True, overflow="ellipsis")
        label = inert_text(self.view.label)
        if len(label) > VIEW_LABEL_SHOWN:  # a long tag would push the count and the sort off the line
            label = label[: VIEW_LABEL_SHOWN - 1] + "…"
        text.append(label, style="bold")
        if shown is not None:
            text.append(f" {shown}")
            if self._query_invalid:
                text.append(f" {inert_text(self._invalid_search_note())}", style="bold")
        if sort:
            text.append(f"  sort: {self._sort_label(short=short)}", style=MUTED)
        if plist.selected:
            text.append(f"  {len(plist.selected)} selected", style="bold")
        if self._sync_state:
            text.append(f"  {self._sync_state}", style=MUTED)
        if not self.session.library.ready:
            text.append("  │  ")
            text.append("Loading the library …", style=MUTED)
        if self._message:
            text.append("  │  ")
            text.append(inert_text(self._message))  # messages quote titles and URLs
        return text

    def _sort_label(self, *, short: bool = False) -> str:
        """The sort as the top bar names it; ``short`` leaves out the hint about ``O`` (narrow terminals)."""
        sort = self.effective_sort
        label = SORT_LABELS.get(sort.lstrip("+-"), sort)
        if self.view.order is not None:
            return "likeness"
        if sort == INTEREST:
            if self.interest is None:
                label += " (learning…; upvotes, then date)"
            elif not self.interest.ready:
                label += " (too few decisions; upvotes, then date)"
            if self.sort == AUTO_SORT:
                label = "★ " + label + ("" if short else " · O for date added")
        return label

    def command_failed(self) -> None:
        self.say("")  # "Skipped: 1 paper (u undoes)" must not stay beside a skip that was refused

    def say(self, message: str, *, more: str = "") -> None:
        """A short status message in the top bar (plain text, never markup), what matters first: at 80 columns
        about 60 characters of it show. ``more`` (what to do about it, say) goes in a notification."""
        self._message = message
        self._said_at = get_time()
        self._update_topbar()
        if more:
            self.notify(more, markup=False, timeout=10)

    @on(LibraryChanged)
    def _library_changed(self) -> None:
        """Another process changed the library: show its state, cursor on the same paper (counted again only when
        the library was read again whole; else adjusted from the papers the replayed changes touched)."""
        if self.session.library.ready:
            self.after_change()
        else:
            self.rebuild()

    @on(InterestUpdated)
    def _interest_updated(self, event: InterestUpdated) -> None:
        """New scores: re-rank a list in interest order and refresh the detail pane's explanation.

        The cursor stays on its paper, moved or not: scores arrive while the user reads, and the next key
        must act on the paper they were reading, not on one that slid under the cursor a moment before.
        Only before the first key, with the cursor on the top row, does it stay on the top row: nothing has
        been read yet, and the new order's best papers belong in view.
        """
        before = self.effective_sort
        self.interest = event.snapshot
        self.query_one("#detail", PaperDetail).set_interest(event.snapshot)
        if INTEREST in (before, self.effective_sort):
            # The order changes, no count does.
            self._refilter(keep_current=not (self._untouched and self.paper_list.cursor == 0))
        else:
            self._update_topbar()

    # -- events ---------------------------------------------------------------

    def on_key(self, event: events.Key) -> None:
        # Every key on this screen passes here on its way to the bindings; it is not consumed.
        self._untouched = False

    @on(PaperList.Highlighted)
    def _highlighted(self, event: PaperList.Highlighted) -> None:
        self._follow_detail()

    @on(PaperList.Moved)
    def _moved(self, event: PaperList.Moved) -> None:
        # The last action's message is about the paper it was on; moving on makes it stale. A move made before it
        # was said, and handled only after (a key typed just before N, whose editor held the screen), does not.
        if self._message and event.time >= self._said_at:
            self.say("")

    @on(PaperList.SelectionChanged)
    def _selection_changed(self, event: PaperList.SelectionChanged) -> None:
        self._update_topbar()

    @on(ViewSidebar.Chosen)
    def _view_chosen(self, event: ViewSidebar.Chosen) -> None:
        self.set_view(event.index)

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        # Searched once the typed character is on screen; keys typed while a search runs are taken together.
        self._search_value = event.value
        if self._message and event.input.has_focus:
            # Typed, not set: the last action's message is stale once the list shows a search (a search box
            # emptied by saving it as a view leaves the message that says so).
            self._message = ""
        if not self._search_due:
            self._search_due = True
            self.call_after_refresh(self._search_typed)

    def _search_typed(self) -> None:
        self._search_due = False
        self._run_search(self._search_value)

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        self._run_search(event.value, typing=False)
        self._follow_detail()
        self.set_focus(self.paper_list)  # now: the keys typed after Enter are the list's (see SearchInput)

    def _run_search(self, value: str, *, typing: bool = True) -> None:
        if value != self.query_text:
            self.query_text = value
            if not self.session.library.ready:
                return  # searched when the library has loaded
            # Typing shows the results from the top; clearing the search goes back to the paper the cursor was on.
            if value.strip():
                self.paper_list.cursor = 0
            self._refilter(keep_current=not value.strip(), typing=typing and bool(value.strip()))

    def on_resize(self, event: events.Resize) -> None:
        if self.layout_mode != "auto" and (self._layout_width < WIDE_LAYOUT) != (event.size.width < WIDE_LAYOUT):
            self.layout_mode = "auto"  # L chose for the size it was pressed at; a new size decides again
        self._apply_layout()
        self._update_topbar()  # below NARROW it leaves out the library's name and totals

    def _apply_layout(self) -> None:
        width = self.size.width
        if self.layout_mode == "auto":
            stacked = width < WIDE_LAYOUT
        else:
            stacked = self.layout_mode == "stacked" or width < SIDE_MINIMUM
        self.set_class(stacked, "-stacked")
        self.set_class(width < NARROW, "-narrow")

    # -- changes ------------------------------------------------------------------

    @needs_library
    def action_decide(self, name: str) -> None:
        """Keep, skip, read, rate …: the paper under the cursor, or every selected paper."""
        targets = self.paper_list.targets()
        if not targets:
            self.notify("No paper here to change.", severity="warning", markup=False)
            return
        command, _ = decision(name, [p.id for p in targets])
        self._show_outcome(self.run_command(command))

    def _show_outcome(self, outcome: Outcome | None) -> None:
        # The selection stays (tag, then rate the same papers) until Esc clears it.
        if outcome is None:
            return
        self.after_change()
        n = len(outcome)
        what = counted(n, "paper")
        self.say(self.undoable(f"{outcome.label}: {what}") if n else f"{outcome.label}: nothing to change")

    @needs_library
    def action_undo(self) -> None:
        done = self.undo()
        if done is None:
            self.say("Nothing to undo")
            return
        self._message = self.reverted("Undid", done)
        self.after_change(keep_id=next(iter(done.step.changes), None))

    @needs_library
    def action_redo(self) -> None:
        done = self.redo()
        if done is None:
            self.say("Nothing to redo")
            return
        self._message = self.reverted("Redid", done)
        self.after_change()



    @needs_library
    def action_delete(self) -> None:
        targets = self.paper_list.targets()
        if not targets:
            self.notify("No paper here to delete.", severity="warning", markup=False)
            return
        ids = [p.id for p in targets]
        # The title as the list shows it ($\alpha$ as α), so the question names the paper the user sees.
        question, detail = ((f"Delete “{render_tex(targets[0].title)}”?", "Its note, tags and rating go too")
                            if len(targets) == 1 else
                            (f"Delete the {len(targets)} selected papers?", "Their notes, tags and ratings go too"))

        def answered(yes: bool | None) -> None:
            if yes:
                self._show_outcome(self.run_command(Delete(ids)))

        from readlist.tui.screens.confirm import Confirm

        key = self.undo_key()
        self.app.push_screen(Confirm(question, f"{detail}; {key} undoes." if key else f"{detail}."), answered)

    # -- navigation -------------------------------------------------------------------

    @needs_library
    def set_view(self, index: int) -> None:
        """Show the view at ``index``. The counts stay as they are: every change keeps them current, and counting
        100,000 papers with saved searches took longer than listing the view (a view just made is counted by
        whoever made it)."""
        left = self.paper_list.current
        if left is not None and self.view.key != "like":  # each "more like" view is a new one
            self._view_places[self.view.key] = left.id
        self.view_index = index % len(self.views)
        self.paper_list.clear_selection()
        self.paper_list.cursor = 0
        self.paper_list.scroll_to(y=0, animate=False, immediate=True)
        self._message = ""
        # At the top when the paper is no longer in the view (kept from the Inbox, say).
        place = None if self.view.key == "like" else self._view_places.get(self.view.key)
        self._refilter(place, keep_current=False)

    def set_view_key(self, key: str) -> None:
        keys = [v.key for v in self.views]
        if key in keys:
            self.set_view(keys.index(key))

    def action_next_view(self) -> None:
        self.set_view(self.view_index + 1)

    def action_previous_view(self) -> None:
        self.set_view(self.view_index - 1)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # "/" is a priority key (see bindings); typed in the search box it is just a character (and Tab goes back
        # to the list).
        if action == "search" and isinstance(self.focused, Input):
            return False
        return super().check_action(action, parameters)

    def action_search(self) -> None:
        # At once (Widget.focus waits for the keys already typed): the next key goes to the search box.
        self.set_focus(self.query_one("#search", Input))

    def action_escape(self) -> None:
        if self._online is not None and not self._online.is_set():
            self._online.set()
            self.say("Cancelling …")
        elif self.paper_list.selected:
            self.paper_list.clear_selection()
        elif self.query_text:
            self.query_one("#search", Input).value = ""
            self._run_search("", typing=False)

    @needs_library
    def set_sort(self, key: str) -> None:
        self.sort = key
        # The top bar names the new order; only the automatic one needs more words than its name.
        automatic = ("Sorted by interest in the Inbox, date added elsewhere" if self._learned else
                     "By date added for now; the Inbox by interest once learned")
        self._message = automatic if key == AUTO_SORT else ""
        self._refilter()  # no count changes

    def action_cycle_sort(self) -> None:
        if self.view.order is not None:
            # Its order is what it is: re-sorting would only change the other views' order out of sight. Short
            # enough to be read whole beside the view's name and count at 80 columns.
            self.say("Likeness order stays; O sorts other views")
            return
        # From the automatic interest order the first step is back to date order, the one people expect.
        leaving_interest = self.sort == AUTO_SORT and self.effective_sort == INTEREST
        self.set_sort(next_sort(self.effective_sort))
        if leaving_interest:
            # The sort is one for every view and stays chosen across runs: say once how the Inbox gets its
            # learned order back, or it looks lost for good.
            self.say("Every view in this order now; the palette's Sort automatically brings ★ interest back")

    def action_scroll_text(self, direction: int) -> None:
        detail = self.query_one("#detail", PaperDetail)
        detail.scroll_relative(y=direction * 3, animate=False)

    def action_toggle_layout(self) -> None:
        if self.has_class("-stacked") and self.size.width < SIDE_MINIMUM:
            self.say(f"Too narrow: side by side needs {SIDE_MINIMUM} columns")
            return
        self.layout_mode = "side" if self.has_class("-stacked") else "stacked"
        self._layout_width = self.size.width
        self._apply_layout()

    # -- other screens -------------------------------------------------------------------

    def _current(self) -> Paper | None:
        paper = self.paper_list.current
        if paper is None:
            self.notify("No paper under the cursor.", severity="warning", markup=False)
        return paper

    @needs_library
    def action_note(self) -> None:
        paper = self._current()
        if paper is not None and too_long_to_edit(paper.note):
            line, why = editor_refusal(paper.id, paper.note, self.bound_key("note_in_editor"))
            self.say(line, more=why)
        elif paper is not None:
            from readlist.tui.screens.note_editor import NoteEditor

            # Back on the paper; a saved note adjusts the counts (a saved search of noted papers) from the one
            # change, as triage mode's decisions do, instead of counting the whole library again.
            back = self._back_from(self.session.library.version)

            def closed(changed: bool | None) -> None:
                back(paper.id)
                if changed:
                    self.say(self.undoable(NOTE_SAVED))

            self.app.push_screen(NoteEditor(self.session, paper.id), closed)

    @needs_library
    def action_note_in_editor(self) -> None:
        paper = self._current()
        if paper is None:
            return
        back = self._back_from(self.session.library.version)  # as when the app's own editor closes
        closed = self.note_in_editor(paper.id)
        back(closed.paper_id)
        if closed.said:
            self.say(closed.said)
        if closed.severity != "information":  # the whole of it, a kept draft's path too
            self.notify(closed.said, severity=closed.severity, markup=False, timeout=15)

    @needs_library
    def action_tags(self) -> None:
        targets = self.paper_list.targets()
        if not targets:
            self._current()
            return
        ids = [p.id for p in targets]

        def done(change: TagChange | None) -> None:
            if change is not None:
                self.apply_tags(ids, *change)

        from readlist.tui.screens.tags import TagEditor

        self.app.push_screen(TagEditor(targets, list(self.counts.by_tag),
                                       keep=lambda change: self.apply_tags(ids, *change)), done)

    def apply_tags(self, ids: list[str], add: list[str], remove: list[str]) -> None:
        """Write only the tags added and removed, on the papers as they are on disk now."""
        if not add and not remove:
            self.say("Tags unchanged")
            return
        outcome = self.run_command(EditTags(ids, add=add, remove=remove))
        if outcome is not None:
            self.after_change()
            self.say(self.undoable(f"Tags changed on {counted(len(outcome), 'paper')}") if outcome.changes
                     else "Tags unchanged")

    @needs_library
    def action_triage(self) -> None:
        plist = self.paper_list
        if not plist.papers:
            self.notify("Nothing to triage in this view.", severity="warning", markup=False)
            return
        from readlist.tui.screens.triage import TriageScreen

        back = self._back_from(self.session.library.version)
        if plist.selected:
            # Like every other action, triage applies to the selection when there is one: those papers, in order.
            ids = [p.id for p in plist.targets()]
            plist.clear_selection()
            self.app.push_screen(TriageScreen(self.session, ids), back)
            return
        ids = [p.id for p in plist.papers]
        self.app.push_screen(TriageScreen(self.session, ids, start=plist.cursor), back)

    def _back_from(self, version: int) -> Callable[[str | None], None]:
        """What to do when triage mode or the note editor closes on a paper: when the library changed meanwhile,
        adjust the counts and the list from the changes made there (as after a key in the list: counting 100,000
        papers again took 0.3-0.5 s), else only list the view again."""

        def back(place: str | None) -> None:
            if self.session.library.version != version:
                # The top bar's message (say "Rated 3: 1 paper (u undoes)") no longer names the last change, and
                # u would undo another one: it goes.
                self._message = ""
                self.after_change(keep_id=place)
            else:
                self._refilter(place)

        return back

    @needs_library
    def action_cite(self) -> None:
        self._say_copied(self.copy_citation(self.paper_list.targets(), "bibtex"))

    @needs_library
    def action_cite_choose(self) -> None:
        targets = self.paper_list.targets()
        if not targets:
            self._current()
            return

        keys = self.citation_keys(targets)

        def chosen(fmt: str | None) -> None:
            if fmt:
                self._say_copied(self.copy_citation(targets, fmt, keys))

        from readlist.tui.screens.cite_chooser import CiteChooser

        self.app.push_screen(CiteChooser(targets, keys=keys), chosen)

    def _say_copied(self, message: str | None) -> None:
        """In the top bar, where every other action's result is (a toast would cover the detail pane)."""
        if message:
            self.say(message)

    def action_open_url(self) -> None:
        paper = self._current()
        if paper is not None:
            self.say(self.open_paper(paper) or "Not opened")

    @needs_library
    def action_edit_details(self) -> None:
        """A form for the paper under the cursor's details; what is saved runs the command ``readlist edit`` runs."""
        from readlist.app.details import FIELD_LABELS, EditDetails, join_authors
        from readlist.tui.screens.details import DetailsEditor

        paper = self._current()
        if paper is None:
            self.notify("No paper here to edit.", severity="warning", markup=False)
            return
        values = {name: str(getattr(paper, name) or "") for name in FIELD_LABELS}
        values["authors"] = join_authors(paper.authors)
        paper_id = paper.id

        def accept(changed: dict[str, str]) -> str | None:
            try:
                outcome = self.run_or_raise(EditDetails(paper_id, changed))
            except (LibraryError, ValidationError) as exc:
                return str(exc)
            if outcome.changes:
                named = ", ".join(FIELD_LABELS[name].lower() for name in changed if name in outcome.fields)
                self.say(self.undoable(f"Corrected: {named}"))
            return None

        def closed(saved: bool | None) -> None:
            if saved:
                self.after_change()  # the list's row and the detail pane show the corrected paper

        self.app.push_screen(DetailsEditor(paper.title, values, FIELD_LABELS, accept), closed)

    def action_open_pdf(self) -> None:
        paper = self._current()
        if paper is not None:
            self.say(self.open_paper(paper, pdf=True) or "Not opened")

    @needs_library
    def action_stats(self) -> None:
        from readlist.tui.screens.stats import StatsScreen

        self.app.push_screen(StatsScreen(self.session.library, today=self.today))

    # -- the network (background workers; the UI stays responsive, Esc cancels) -----------------

    @needs_library
    def action_enrich(self) -> None:
        """Complete the paper under the cursor (or the selection) from arXiv and Hugging Face."""
        targets = self.paper_list.targets()
        if not targets:
            self.notify("No paper here to enrich.", severity="warning", markup=False)
            return
        self.go_online(partial(self._enrich, [p.id for p in targets]))

    def go_online(self, work: Callable[[threading.Event], None], saying: str = "") -> None:
        """Run ``work`` (lookups on the network, then their results shown) in the background; Esc, and quitting,
        set the event it is given.

        In a daemon thread rather than one of Textual's thread workers: those run in the event loop's executor,
        which the interpreter waits for at exit, so quitting while a server did not answer left the process
        running, the screen already gone, for up to a minute. Whatever the work would still show once the app
        is closing goes nowhere, and a failure of the work itself is said like a failed lookup (it left the
        app "busy with the network" until restarted).
        """
        if self._online is not None:
            self.notify("Already busy with the network; Esc cancels.", severity="warning", markup=False)
            return
        cancel = self._online = threading.Event()
        if saying:
            self.say(saying)
        # In the app's context, as Textual's own workers run: the work reaches the app through it.
        context = contextvars.copy_context()
        threading.Thread(target=context.run, args=(self._online_work, work, cancel), name="readlist-network",
                         daemon=True).start()

    def _online_work(self, work: Callable[[threading.Event], None], cancel: threading.Event) -> None:
        try:
            work(cancel)
        except _Closing:
            return  # the app is closing: nothing is left to show the results on
        except Exception as exc:  # a background failure is told, never lost in a thread
            with contextlib.suppress(_Closing, RuntimeError):  # RuntimeError: the app closed meanwhile
                self._on_screen(self._online_finished, "Network task failed; nothing was changed",
                                f"{type(exc).__name__}: {exc}")

    def _on_screen(self, callback: Callable[..., T], *args: Any) -> T:
        """``call_from_thread`` for the online work: once the app is closing there is no loop left to run
        ``callback``, so the work ends there (see :meth:`go_online`)."""
        if getattr(self.app, "quitting", False):
            raise _Closing
        return self.app.call_from_thread(callback, *args)

    def stop_online(self) -> None:
        """On quit: a lookup under way stops retrying and waiting (its results would go nowhere), and a sync
        stops waiting for its remote or merging (what it has committed is kept; the next sync goes on from
        there), unless it is already putting the merged library in place."""
        if self._online is not None:
            self._online.set()
        self._sync_stop.set()

    def _clients(self, cancel: threading.Event) -> Network:
        # The HTTP client loads only when the network is first used, not at start-up.
        from readlist.app.network import connect, network_settings

        settings = network_settings(self.session.settings)
        # Waiting between arXiv requests ends early when the user cancels, and a failed request is not retried.
        return connect(settings, sleep=lambda seconds: (cancel.wait(seconds), None)[1], cancelled=cancel.is_set)

    def _enrich(self, ids: list[str], cancel: threading.Event) -> None:
        """The worker: look papers up a few at a time and apply each settled group as it arrives."""
        net = self._clients(cancel)
        from readlist.app.enrich import EnrichPlan, enrich_in_groups, papers_now

        changed = 0

        def read(group: Sequence[str]) -> list[Paper]:
            # On the UI thread, which alone changes the library (and catches up with other processes).
            return self._on_screen(papers_now, self.session.library, group)

        def starting(first: int, last: int, total: int) -> None:
            self._on_screen(self.say, f"Enriching {first}–{last} of {total} from arXiv … Esc cancels")

        def apply(part: EnrichPlan) -> None:
            nonlocal changed
            if part.changes:
                changed += self._on_screen(self._apply_enrichment, part.changes)

        try:
            plan = enrich_in_groups(ids, ENRICH_CHUNK, read=read, apply=apply, arxiv=net.arxiv, hf=net.hf,
                                    starting=starting, cancelled=cancel.is_set)
        finally:
            net.close()
        unsettled = [u.title for u in (*plan.ambiguous, *plan.not_found)]
        # On the UI thread: the line names undo's key, which the screen's bindings tell.
        self._on_screen(self._enrich_finished, changed, plan.reached, unsettled, plan.error, cancel.is_set())

    def _apply_enrichment(self, changes: list[Change]) -> int:
        from readlist.app.enrich import ApplyEnrichment

        outcome = self.run_command(ApplyEnrichment(changes))
        if outcome is None:
            return 0
        self.after_change()
        return len(changes)

    def _enrich_finished(self, changed: int, done: int, unsettled: list[str], error: str | None,
                         cancelled: bool) -> None:
        """The top bar's line (counts, then how to undo) and, when some were not settled, where they are listed."""
        text = f"Enriched {changed} of {counted(done, 'paper')}"
        if cancelled:
            text += "; cancelled"
        if changed:
            text = self.undoable(text)
        if unsettled:
            text += f"; {len(unsettled)} not found or ambiguous"
        more = (f"{len(unsettled)} not found or ambiguous: `readlist enrich --dry-run` lists them and why"
                if unsettled else "")
        self._online_finished(text, error, more)

    def _online_finished(self, message: str, error: str | None, more: str = "") -> None:
        self._online = None
        self.say(message, more=more)
        if error:
            self.notify(error, severity="error", markup=False, timeout=12)

    @needs_library
    def pull(self, what: str) -> None:
        """Pull new papers in the background: ``hf`` for today's Daily Papers, ``configured`` for config.toml's."""
        self.go_online(partial(self._pull, what), "Pulling new papers … Esc cancels")

    def _pull(self, what: str, cancel: threading.Event) -> None:
        from readlist.app.pull import load_pull_state, nothing_asked_can_be_pulled, pull_configured, pull_hf

        net = self._clients(cancel)
        today = date.today()
        if what != "hf" and (why := nothing_asked_can_be_pulled(net.settings)) is not None:
            net.close()
            self._on_screen(self._online_finished, "Nothing was pulled", why)
            return
        try:
            if what == "hf":
                outcome = pull_hf(net.hf, [today], cancelled=cancel.is_set)
            else:
                state = load_pull_state(self.session.library.path)
                outcome = pull_configured(net.settings.pull_sources, state, today=today, hf=net.hf, arxiv=net.arxiv,
                                          cancelled=cancel.is_set)
        finally:
            net.close()
        self._on_screen(self._store_pulled, outcome)

    def _store_pulled(self, outcome: PullOutcome) -> None:
        from readlist.app.imports import Imported, ImportPapers, ParsedSource, import_parsed
        from readlist.app.pull import save_pull_state

        keep = self.paper_list.current.id if self.paper_list.current else None
        pulled = [ParsedSource(b.source, b.result, None, label=b.source) for b in outcome.batches
                  if b.result is not None and b.result.papers]
        stored: list[Imported] = []

        def store(command: ImportPapers) -> Imported | None:
            imported = self.run_command(command)
            if imported is not None:
                stored.append(imported)
            return imported

        reports = import_parsed(self.session, pulled, run=store)  # one pull, one step for u
        added = [pid for report in reports for pid in report.added]
        for imported in stored:  # a paper the pull gave its arXiv id keeps the cursor
            if keep is not None:
                keep = imported.renamed_to(keep) or keep
        errors = [b.error for b in outcome.batches if b.error]
        if not errors:
            save_pull_state(self.session.library.path, outcome.remember)
        self.rebuild(keep)
        no_arxiv = sum(1 for pid in added if (p := self.session.library.get(pid)) and not p.arxiv_id)
        message = f"Pulled {counted(len(added), 'new paper')}"
        if errors and not added:
            message = f"Pull failed for {counted(len(errors), 'source')}; nothing new"
        elif errors:
            message += f"; {counted(len(errors), 'source')} failed"
        if outcome.cancelled:
            message += "; cancelled"
        self._online_finished(message + (f"; {no_arxiv} without an arXiv id: E looks them up" if no_arxiv else ""),
                              errors[0] if errors else None)
        for note in outcome.notes:  # days a long-idle source missed: not to pass for "nothing new"
            self.notify(inert_text(note), severity="warning", timeout=12, markup=False)

    @needs_library
    def ask_import(self) -> None:
        """Ask what to import: arXiv ids, URLs or files, separated by spaces; nothing typed takes the clipboard."""
        from readlist.app.imports import split_sources
        from readlist.tui.screens.prompt import Prompt

        def chosen(text: str | None) -> None:
            if text is not None:
                self.import_sources(split_sources(text) or ["clipboard"])

        self.app.push_screen(Prompt("Import papers", "arXiv ids, URLs or files (Enter alone: the clipboard):",
                                    enter="imports"), chosen)

    @needs_library
    def ask_key(self) -> None:
        """Ask for the paper under the cursor's citation key, by the command ``readlist key ID KEY`` runs.

        The box holds the key the paper is cited with now (its stored key, else the one it would get), so a
        small change (a year added) is a small edit; a key that cannot be used keeps the box open with why.
        """
        from readlist.tui.screens.prompt import Prompt

        paper = self._current()
        if paper is None:
            self.notify("No paper here to give a citation key.", severity="warning", markup=False)
            return
        paper_id, current = paper.id, self.citation_keys([paper])[paper.id]

        def accept(typed: str) -> str | None:
            key = typed.strip()
            if key == current and paper.cite_key:
                return None  # unchanged
            try:
                outcome = self.run_or_raise(SetKey(paper_id, key))
            except (LibraryError, ValidationError) as exc:
                return str(exc)
            if outcome.changes:
                self.say(self.undoable(f"Citation key set: {key}"))
            return None

        def closed(typed: str | None) -> None:
            if typed is not None:
                self.after_change()

        self.app.push_screen(Prompt("Citation key", f"Cite “{inert_text(paper.title)}” as:", value=current,
                                    accept=accept, enter="sets it"), closed)

    @needs_library
    def import_sources(self, sources: list[str]) -> None:
        """Read, look up and parse ``sources`` in the background, then store them as one step for u."""
        self.go_online(partial(self._read_sources, sources), "Importing … Esc cancels")

    def _read_sources(self, sources: list[str], cancel: threading.Event) -> None:
        from readlist.app.imports import read_sources
        from readlist.app.network import network_settings

        offline = network_settings(self.session.settings).offline
        parsed = read_sources(sources, network=partial(self._clients, cancel), today=date.today(), offline=offline,
                              year=self.session.settings.year, cancelled=cancel.is_set)
        self._on_screen(self._store_imported, parsed, cancel.is_set())

    def _store_imported(self, parsed: list[ParsedSource], cancelled: bool = False) -> None:
        from readlist.app.imports import import_parsed

        reports = import_parsed(self.session, parsed, run=self.run_command)  # one import, one step for u
        added = [pid for report in reports for pid in report.added]
        updated = [pid for report in reports for pid in report.updated]
        unchanged = [pid for report in reports for pid in report.unchanged]
        failed = [item for item in parsed if item.error]
        # The cursor goes to the first paper imported, when the list shows it: what the user wanted to see.
        self.rebuild(next(iter(added + updated + unchanged), None))
        message = f"Imported {counted(len(added), 'new paper')}"
        if updated:
            message += f", completed {len(updated)}"
        if unchanged:
            message += f", {len(unchanged)} already here"
        if failed:
            message += f"; {counted(len(failed), 'source')} failed"
        if cancelled:
            message += "; cancelled"
        if added or updated:
            message = self.undoable(message)
        error = f"{clean_line(failed[0].source)}: {failed[0].error}" if failed else None
        self._online_finished(message, error)

    @needs_library
    def action_more_like(self) -> None:
        """A view of the papers most like the one under the cursor (or like the selection, taken together)."""
        seeds = self.paper_list.targets()
        if not seeds:
            self.notify("No paper to compare with.", severity="warning", markup=False)
            return
        if self.interest is None or self.interest.remembered:
            self.notify("Related papers are still being worked out; try again in a moment.", severity="warning",
                        markup=False)
            return
        ids = [p.id for p in seeds]
        if len(ids) == 1:
            title = clean_line(seeds[0].title)
            # Short enough for the sidebar and the top bar, which also name the view.
            label = "≈ " + (title if len(title) <= LIKE_LABEL else title[: LIKE_LABEL - 1].rstrip() + "…")
        else:
            label = f"≈ {counted(len(ids), 'selected paper')}"
        self.run_worker(partial(self._find_like, ids, label, self.interest), thread=True, exclusive=True,
                        group="more-like")

    def _find_like(self, ids: list[str], label: str, snapshot: InterestResult) -> None:
        """On a worker thread: the neighbours of one paper, or of the selection's average."""
        found = snapshot.related(ids[0], MORE_LIKE) if len(ids) == 1 else snapshot.more_like(ids, MORE_LIKE)
        self.app.call_from_thread(self._show_like, label, tuple(r.paper_id for r in found), len(ids))

    def _show_like(self, label: str, order: tuple[str, ...], seeds: int = 1) -> None:
        if not order:
            self.notify("Nothing in the library is close to it yet.", severity="warning", markup=False)
            return
        self.like_view = View("like", label, None, order=order)
        self.paper_list.clear_selection()
        self._refresh_views()  # its count is its length: every paper it names is in the library now
        self.set_view_key("like")
        # The view's name ("≈ 3 selected papers") and count are beside it, so that the cleared selection fits too.
        self.say(f"{counted(len(order), 'paper')} most like it, closest first" if seeds == 1
                 else "Closest first; the selection was cleared")

    @needs_library
    def action_save_search(self) -> None:
        """Keep the search typed in the box as a view in the sidebar (and in config.toml's [views])."""
        query = self.query_one("#search", Input).value.strip()
        if not query:
            self.notify("Type a search first; then ctrl+s keeps it as a view.", severity="warning", markup=False)
            return
        try:
            parse_query(query, strict=True)
        except QueryError as exc:
            self.notify(f"This search cannot be kept: {exc}", severity="error", markup=False)
            return
        # What is on screen is the search within the current view: the view keeps both.
        scope = self._view_as_query()
        if scope:
            query = f"{scope} ({query})" if "OR" in query.split() else f"{scope} {query}"

        warned: set[str] = set()  # names of saved searches the user was told Enter would replace

        def save(typed: str) -> str | None:
            """Save under the name typed; why not, for the prompt to show while it stays open."""
            name = clean_line(typed)
            if not name:
                return "Type a name for the view (Esc cancels)."
            if (problem := view_name_problem(name, self.saved_views)) is not None:
                return problem + "."
            kept = self.saved_views.get(name)
            if kept is not None and kept != query and name not in warned:
                # A saved search has no undo: replacing one is said before it is done.
                warned.add(name)
                return f"“{name}” keeps “{kept}”: Enter again replaces it, or type another name."
            try:
                save_view(name, query)
            except (OSError, ConfigError) as exc:
                return f"Could not save the view: {exc}"
            return None

        def named(typed: str | None) -> None:
            if typed is None:
                return  # cancelled
            name = clean_line(typed)
            replaced = name in self.saved_views and self.saved_views[name] != query
            self.saved_views[name] = query
            self.query_one("#search", Input).value = ""
            self.query_text = ""
            self._refresh_views()
            view = next(v for v in self.views if v.key == "saved:" + name)
            self.counts.count_search(view, self.session.library.papers.values(), index=self.session.views.index)
            self.set_view_key(view.key)
            # The search box is empty now; the view is what the user looks at. Now, not once the app has read the
            # keys queued behind the Enter that named it: they are for the list.
            self.set_focus(self.paper_list)
            self.say(f"Replaced the search of the view “{name}”" if replaced
                     else f"Saved the search as the view “{name}”")

        from readlist.tui.screens.prompt import Prompt

        self.app.push_screen(Prompt("Keep this search as a view", f"Name for “{query}”:", accept=save), named)

    def _view_as_query(self) -> str:
        """The current view as a search (``status:inbox``), or "" for All and views a search cannot name."""
        key = self.view.key
        if key.startswith(("status:", "tag:")):
            return key
        if key == "rated":
            return "rating>=4"
        if key.startswith("saved:") and key[6:] in self.saved_views:
            return f"({self.saved_views[key[6:]]})"
        return ""

    def check_outside_files(self) -> None:
        """Take in the saved views and the sync state a command run beside the app changed (`readlist view add`,
        `view rm`, `readlist sync`): the sidebar kept the views of the start, and the header the sync the app
        itself last ran, until the next start. Two stats a tick; the files are read only when they changed."""
        config = _file_stamp(config_path())
        if config != self._config_stamp:
            self._config_stamp = config
            settings = load_config()  # a file half-saved, or mistyped, leaves the views as they are
            views = dict(settings.views)
            if not settings.problems and views != self.saved_views:
                self.saved_views = views
                self.rebuild()
        state = _file_stamp(sync_state_path(self.session.library.path))
        if state != self._sync_stamp:
            self._sync_stamp = state
            if not self.syncing:
                self._sync_state = sync_label(self.session.library.path)
                self._update_topbar()

    @needs_library
    def ask_remove_saved_view(self, name: str) -> None:
        """Remove a saved search once the user says yes: nothing brings one back (undo is for papers; it undid
        an earlier change to papers instead), so its search is shown to be saved again if need be."""
        query = self.saved_views.get(name)
        if query is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.remove_saved_view(name)

        from readlist.tui.screens.confirm import Confirm

        self.app.push_screen(Confirm(f"Remove the view “{name}”?",
                                     f"Its search: {query}. Undo does not bring a view back."), answered)

    @needs_library
    def remove_saved_view(self, name: str) -> None:
        try:
            save_view(name, None)
        except (OSError, ConfigError) as exc:
            self.notify(f"Could not remove the view: {exc}", severity="error", markup=False)
            return
        query = self.saved_views.pop(name, None)
        self.rebuild(keep_current=False)
        self.say(f"Removed the view “{name}” ({query})")

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
        self._sync_stop = threading.Event()
        self.run_worker(partial(self._sync, self._sync_stop), thread=True, group="sync", exit_on_error=False)

    def _sync(self, stop: threading.Event) -> None:
        # A library object of its own: the worker never touches the one the screen reads; the lock orders them.
        try:
            report: SyncReport | None = sync(Library(self.session.library.path), stop=stop)
            error = None
        except (SyncError, LibraryError) as exc:
            report, error = None, str(exc)
        with contextlib.suppress(_Closing):  # closing: nothing left to show it on (the sync state file holds it)
            self._on_screen(self._sync_finished, report, error)

    def _sync_finished(self, report: SyncReport | None, error: str | None) -> None:
        self.syncing = False
        self._sync_state = sync_label(self.session.library.path)
        if report is None:
            self.say("Sync failed")
            self.notify(error or "Sync failed.", severity="error", markup=False, timeout=15)
            return
        if self.session.refresh():
            self.post_message(LibraryChanged())
        if report.remote is None:  # said first: the library went nowhere else
            self.say(f"Synced on this machine only: {report.changes()}",
                     more="No remote yet: `readlist sync init REMOTE` adds one.")
        else:
            self.say(f"Synced: {report.summary()}")
        for line in report.details()[:5]:
            self.notify(line, severity="warning", markup=False, timeout=15)

    def palette_commands(self) -> Iterable[tuple[str, str, Callable[[], object]]]:
        """Extra palette entries: every sort order, every view, pulling new papers, syncing."""
        yield ("Sync with the remote", "Commit, fetch, merge paper by paper and push the library (readlist sync)",
               self.sync_now)
        yield ("Sort automatically", "Interest in the Inbox once learned from your decisions, date added elsewhere",
               partial(self.set_sort, AUTO_SORT))
        for name in self.saved_views:
            shown = inert_text(name)  # a view's name is text from config.toml, as foreign as a library's
            yield (f"Remove view: {shown}", f"Forget the saved search “{shown}”",
                   partial(self.ask_remove_saved_view, name))
        yield ("Set citation key…", "The key the paper under the cursor is cited with (readlist key)", self.ask_key)
        yield ("Import papers…", "arXiv ids, URLs or files to import (readlist import)", self.ask_import)
        yield ("Import from the clipboard", "A copied Daily Papers or arXiv page, BibTeX, or arXiv ids and links",
               partial(self.import_sources, ["clipboard"]))
        yield ("Pull today's Daily Papers", "Import today's Hugging Face Daily Papers", partial(self.pull, "hf"))
        yield ("Pull configured sources", "Import new papers from config.toml's pull_sources since the last pull",
               partial(self.pull, "configured"))
        for key in UI_SORT_KEYS:
            yield (f"Sort by {SORT_LABELS[key]}", f"Order the list by {SORT_LABELS[key]}",
                   partial(self.set_sort, key))
        for view in self.views:
            label = inert_text(view.label)  # tag views are named after library text
            yield (f"View: {label}", f"Show {label}", partial(self.set_view_key, view.key))


def _file_stamp(path: Path) -> FileStamp | None:
    """:func:`file_stamp`, asked every second: a file that cannot be looked at counts as missing, not as an error."""
    try:
        return file_stamp(path)
    except OSError:
        return None
