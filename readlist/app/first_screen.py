"""The first screen of the terminal UI: the views' counts and the rows around the cursor, kept between runs.

The app keeps it when it closes, and commands refresh it after a change, so the next start can paint
the list before the library has loaded (see :mod:`readlist.storage.first_screen` for when a kept one
is used and why it can never pass off an old library as the current one).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import msgspec

from readlist.app.remembered_interest import about_library, recall_scores, remember_scores
from readlist.app.session import Session
from readlist.app.views import AUTO_SORT, INTEREST, Counts, View, build_views, count, shown_sort
from readlist.core.interest import enough_decisions
from readlist.core.model import Paper, encode_stored
from readlist.core.query import QueryError, parse_query
from readlist.storage.atomic import read_small_file
from readlist.storage.errors import LibraryError
from readlist.storage.first_screen import MAX_BYTES, files_stamp, read_first_screen, write_first_screen
from readlist.storage.paths import first_screen_path, interest_scores_path

# Rows kept: more than the tallest usual terminal shows, so moving about does not run out while loading.
ROWS = 150
_ENCODER = msgspec.json.Encoder(enc_hook=encode_stored)


@dataclass
class KeptCounts(Counts):
    """The counts a first screen kept: saved searches by their numbers (their members were not kept)."""

    kept: dict[str, int] = field(default_factory=dict)

    def for_view(self, view: View) -> int:
        if view.key in self.kept:
            return self.kept[view.key]
        return super().for_view(view)


class FirstScreen(msgspec.Struct, kw_only=True):
    """A view in a sort order with a search, as the list showed it: the counts, and rows around the cursor."""

    view: str
    sort: str
    search: str = ""
    paper: str | None = None  # under the cursor
    papers: list[Paper]
    shown: int  # how many papers the list holds (``papers`` are some of them)
    total: int
    by_status: dict[str, int]
    rated: int
    by_tag: dict[str, int]
    saved: dict[str, int] = msgspec.field(default_factory=dict)  # view key -> papers in that saved search

    @property
    def counts(self) -> KeptCounts:
        return KeptCounts(total=self.total, by_status=dict(self.by_status), rated=self.rated,
                          by_tag=dict(self.by_tag), kept=dict(self.saved))


def make_first_screen(session: Session, view_key: str, sort: str, search: str = "", paper: str | None = None,
                      saved_views: Mapping[str, str] | None = None,
                      scores: Mapping[str, float] | None = None) -> FirstScreen | None:
    """What the list shows for this view, sort, search and cursor, from the loaded library (None: no such view).

    ``sort`` is the order shown (never ``auto``); ``scores`` order the interest sort.
    """
    papers_now = session.library.papers.values()
    counts = count(papers_now)
    views = build_views(counts.by_tag, saved_views)
    view = next((v for v in views if v.key == view_key), None)
    if view is None:
        return None
    counts.count_saved(views, papers_now, index=session.views.index)
    try:
        shown = session.select(view, parse_query(search), sort, scores=scores)
    except QueryError:
        return None
    at = next((i for i, p in enumerate(shown) if p.id == paper), 0) if paper else 0
    start = 0 if at < ROWS * 2 // 3 else at - ROWS // 3
    return FirstScreen(
        view=view_key, sort=sort, search=search, paper=paper, papers=shown[start : start + ROWS], shown=len(shown),
        total=counts.total, by_status=counts.by_status, rated=counts.rated, by_tag=counts.by_tag,
        saved={v.key: counts.for_view(v) for v in views if v.key.startswith("saved:")},
    )


def save_first_screen(session: Session, view_key: str, sort: str, search: str = "", paper: str | None = None,
                      saved_views: Mapping[str, str] | None = None) -> None:
    """Keep the first screen for the next start, stamped with the library files it was made from.

    ``sort`` may be ``auto``: the screen is kept in the order the next start shows first, interest in the
    Inbox when the last scores were kept (see :mod:`readlist.app.remembered_interest`), else date added.
    """
    library = session.library
    if not library.ready:
        return
    remembered = None
    if sort == INTEREST or (sort == AUTO_SORT and view_key == "status:inbox"):
        remembered = recall_scores(library.path)
    try:
        with library.locked():
            session.refresh()  # in step with the files the stamp describes
            if _forget_scores_without_model(session):
                if remembered is not None:
                    # A kept screen names the order it shows, not "auto": an interest-ordered one goes back to
                    # date added.
                    sort = AUTO_SORT
                remembered = None
            elif remembered is not None and not about_library(remembered, library.papers.keys()):
                remembered = None
            sort = shown_sort(sort, view_key, remembered is not None)
            scores = remembered.scores if remembered is not None else None
            stamp = files_stamp(library.path)
            screen = make_first_screen(session, view_key, sort, search, paper, saved_views, scores)
            if stamp is not None and screen is not None:
                write_first_screen(library.path, stamp, _ENCODER.encode(screen))
    except (LibraryError, OSError):
        return  # only the next start's speed depends on it


def _forget_scores_without_model(session: Session) -> bool:
    """Remove the kept interest scores when the decisions no longer make a model (undone from the command line).

    The next start would otherwise open in their order and fall back to date order a few seconds later.
    """
    library = session.library
    if not interest_scores_path(library.path).exists():
        return False
    if enough_decisions(library.papers.values()):
        return False
    remember_scores(library.path, None)
    return True


def _kept_place(path: Path) -> tuple[str, str, str, str | None] | None:
    """The view, sort, search and paper of the first screen kept for the library at ``path``, whatever its stamp."""
    raw = read_small_file(first_screen_path(path), MAX_BYTES)
    try:
        kept = msgspec.json.decode(raw or b"null")
        screen = kept["screen"]
        view, sort, search, paper = screen["view"], screen["sort"], screen.get("search", ""), screen.get("paper")
    except (msgspec.DecodeError, KeyError, TypeError, AttributeError, RecursionError):
        return None
    if not all(isinstance(v, str) for v in (view, sort, search)) or not (paper is None or isinstance(paper, str)):
        return None
    return view, sort, search, paper


def refresh_first_screen(session: Session) -> None:
    """After a change from the command line: bring a kept first screen up to date, if the app keeps one, and
    let go of kept interest scores the decisions no longer support."""
    place = _kept_place(session.library.path)
    if place is None:
        if session.library.ready:  # no first screen to refresh (the one place that otherwise checks the scores)
            with contextlib.suppress(LibraryError, OSError):
                _forget_scores_without_model(session)
        return
    view, sort, search, paper = place
    save_first_screen(session, view, sort, search, paper, session.settings.views)


def reorder_first_screen(session: Session, chosen_sort: str) -> None:
    """A command kept new interest scores: a kept first screen in the order they decide is made again in theirs.

    The next start paints the kept screen first and then the library in the kept scores' order: made from other
    scores, the list would re-rank under the reader's eyes as the library loads. ``chosen_sort`` is the sort the
    app was left in (``auto`` shows the Inbox in interest order once there are scores, date added before: a screen
    kept in date order then is made again too). A screen in any other order is left as it is.
    """
    place = _kept_place(session.library.path)
    if place is None:
        return
    view, sort, search, paper = place
    if sort == INTEREST:
        save_first_screen(session, view, INTEREST, search, paper, session.settings.views)
    elif chosen_sort == AUTO_SORT and view == "status:inbox":
        save_first_screen(session, view, AUTO_SORT, search, paper, session.settings.views)


def kept_first_screen(path: Path) -> FirstScreen | None:
    """The first screen kept for the library at ``path``, when it was made from the files as they are now.

    Checked like any other input; None when there is none that can be used.
    """
    raw = read_first_screen(path)
    if raw is None:
        return None
    try:
        return msgspec.json.decode(raw, type=FirstScreen)
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):
        return None
