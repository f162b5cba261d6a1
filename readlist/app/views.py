"""Views of the library: named subsets, their counts, and the filtered, sorted list a view shows.

The TUI's sidebar and list and the CLI's ``list`` and ``export`` select papers the same way, here.
Nothing in this module knows about a UI, so it can be tested and timed on its own, and the TUI's
widgets only ever draw a slice of a list that is already filtered and sorted.
"""

from __future__ import annotations

import gc
import threading
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from readlist.app.commands import Outcome

# The sort keys offered in the UI and the sort until the user picks one (interest in the Inbox once it has been
# learned, date added elsewhere): defined with the ``sort`` setting, which takes them.
from readlist.config.settings import AUTO_SORT as AUTO_SORT
from readlist.config.settings import UI_SORT_KEYS as UI_SORT_KEYS
from readlist.core.interest import fallback_order, rank_fallback_ordered
from readlist.core.model import Paper, Status
from readlist.core.query import Query, QueryError, SearchIndex, parse_query, sort_papers
from readlist.core.text import inert_text
from readlist.storage.library import Library

# Learned from the user's decisions (readlist.app.interest); without scores yet, upvotes then date.
INTEREST = "interest"
SORT_LABELS = {
    "added": "date added",
    "date": "publication date",
    "upvotes": "upvotes",
    "rating": "rating",
    "title": "title",
    "updated": "last change",
    "interest": "interest",
}
# Sort keys whose order does not depend on anything the user edits, so a sorted copy can be reused.
_STABLE_SORTS = frozenset({"added", "date", "upvotes", "title"})


def shown_sort(sort: str, view_key: str, learned: bool) -> str:
    """The order a list in ``sort`` shows: ``auto`` is interest in the Inbox once learned, date added elsewhere.

    ``learned``: there are scores to order by, new or the last session's (the next start shows those at once).
    """
    if sort != AUTO_SORT:
        return sort
    return INTEREST if learned and view_key == "status:inbox" else "added"


@dataclass(frozen=True)
class View:
    """A named subset of the library shown in the sidebar."""

    key: str
    label: str
    predicate: Callable[[Paper], bool] | None  # None: every paper
    # A ranked view ("more like these"): exactly these papers, in this order, whatever the sort.
    order: tuple[str, ...] | None = None
    # A saved search: its query, so that listing it can use the search index (``predicate`` is its ``matches``).
    query: Query | None = None

    def matches(self, paper: Paper) -> bool:
        return self.predicate is None or self.predicate(paper)


def _status_view(status: Status) -> View:
    value = status.value
    return View("status:" + value, status.label, lambda p: p.status == value)


def _tag_view(tag: str) -> View:
    return View("tag:" + tag, "#" + tag, lambda p: tag in p.tags)


FIXED_VIEWS: tuple[View, ...] = (
    _status_view(Status.INBOX),
    _status_view(Status.TO_READ),
    _status_view(Status.READING),
    _status_view(Status.READ),
    _status_view(Status.SKIPPED),
    View("all", "All", None),
    View("rated", "Rated 4+", lambda p: p.rating >= 4),
)


def view_name_problem(name: str, saved: Iterable[str] = ()) -> str | None:
    """Why a saved search cannot be called ``name``, or None: it would look like one of the app's own views
    (``Inbox``, ``All``…), a tag's (``#llm``, now or once the tag is used) or another saved search's (``Mine``
    beside ``mine``, among the ``saved`` names), and ``--view`` and ``view rm``, which ignore case, would be
    ambiguous. The very name of a saved search is no problem: saving under it replaces that search."""
    hidden = [char for char in name if unicodedata.category(char) in ("Cf", "Cc", "Co", "Cn")]
    if hidden:
        # "Inbox" followed by a zero-width space is a second "Inbox" in the sidebar, told apart by nothing.
        shown = inert_text("".join(char for char in name if char not in hidden))
        return (f"“{shown}” holds an invisible character (U+{ord(hidden[0]):04X}); "
                "choose a name of visible characters")
    if name.casefold() in {view.label.casefold() for view in FIXED_VIEWS}:
        return f"“{name}” is one of the app's own views; choose another name"
    if name.startswith("#"):
        return f"“{name}”: a name starting with # is a tag's view; choose another name"
    other = saved_view_name(name, saved)
    if other is not None and other != name:
        return (f"“{name}” differs only in case from the saved view “{other}”; "
                f"use “{other}” to replace it, or choose another name")
    return None


def saved_view_name(name: str, saved: Iterable[str]) -> str | None:
    """The saved search ``name`` names, as it is stored: the name itself, else one that differs only in case
    (as ``--view`` finds views); None when there is none."""
    names = list(saved)
    if name in names:
        return name
    wanted = name.casefold()
    return next((kept for kept in names if kept.casefold() == wanted), None)


def saved_view(name: str, query: str) -> View:
    """A saved search as a view; a query that no longer parses shows nothing rather than everything."""
    try:
        parsed = parse_query(query)
    except QueryError:
        return View("saved:" + name, name, lambda p: False)
    return View("saved:" + name, name, parsed.matches, query=parsed)


def build_views(tags: Iterable[str], saved: Mapping[str, str] | None = None) -> list[View]:
    """The fixed views, then the saved searches, then one view per tag in use."""
    searches = [saved_view(name, query) for name, query in (saved or {}).items()]
    return [*FIXED_VIEWS, *searches, *(_tag_view(tag) for tag in tags)]


@dataclass
class Counts:
    """How many papers each view holds, computed in one pass over the library."""

    total: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    # The papers in each saved search (a set, so a change is counted by re-checking only the papers it touched).
    saved: dict[str, set[str]] = field(default_factory=dict)
    rated: int = 0
    by_tag: dict[str, int] = field(default_factory=dict)
    # The papers of each ranked view that are still in the library, by the view's order: a paper removed
    # after the view was made leaves it.
    ranked: dict[tuple[str, ...], set[str]] = field(default_factory=dict)

    def for_view(self, view: View) -> int:
        if view.order is not None:
            present = self.ranked.get(view.order)
            return len(view.order) if present is None else len(present)
        if view.key == "all":
            return self.total
        if view.key == "rated":
            return self.rated
        kind, _, value = view.key.partition(":")
        if kind == "status":
            return self.by_status.get(value, 0)
        if kind == "tag":
            return self.by_tag.get(value, 0)
        if kind == "saved":
            return len(self.saved.get(value, ()))
        return 0

    def count_saved(self, views: Iterable[View], papers: Iterable[Paper], *, index: SearchIndex | None = None) -> None:
        """Fill the members of each saved-search and ranked view.

        With the search ``index``, a saved search's words are looked up in it, as its list is, rather than in
        every paper's text, which is read from the library file (at 100,000 papers, ~40 ms a view rather than 0.3 s).
        """
        papers = list(papers)
        views = list(views)
        self.saved = {}
        for view in views:
            if view.key.startswith("saved:"):
                self.count_search(view, papers, index=index)
        orders = [v.order for v in views if v.order is not None]
        self.ranked = {order: set() for order in orders}
        wanted: dict[str, list[set[str]]] = {}
        for order in orders:
            for pid in order:
                wanted.setdefault(pid, []).append(self.ranked[order])
        if wanted:
            for paper in papers:
                for present in wanted.get(paper.id, ()):
                    present.add(paper.id)

    def count_search(self, view: View, papers: Iterable[Paper], *, index: SearchIndex | None = None) -> None:
        """Fill the members of one saved search (one just made: the others' stay as they are)."""
        found = view.query.filter(papers, index=index) if view.query is not None else \
            [p for p in papers if view.matches(p)]
        self.saved[view.key.removeprefix("saved:")] = {p.id for p in found}

    def recount_saved(self, views: Iterable[View], library: Library, ids: Iterable[str]) -> None:
        """After a change: re-check only the papers it touched against each saved search and ranked view."""
        changed = list(ids)
        for view in views:
            if view.order is not None:
                present = self.ranked.setdefault(view.order, set(view.order))
                for pid in changed:
                    if library.get(pid) is None:
                        present.discard(pid)
                    elif pid in view.order:
                        present.add(pid)
                continue
            if not view.key.startswith("saved:"):
                continue
            members = self.saved.setdefault(view.key.removeprefix("saved:"), set())
            for pid in changed:
                paper = library.get(pid)
                if paper is not None and view.matches(paper):
                    members.add(pid)
                else:
                    members.discard(pid)

    def adjust(self, outcome: Outcome, library: Library) -> None:
        """Update the counts after a change, from the values its papers had before it."""
        for pid, change in outcome.changes.items():
            paper = library.get(pid)
            if change.before is None:  # appeared
                if paper is not None:
                    self._count(paper.status, paper.rating, paper.tags, +1)
                continue
            if paper is None:  # went: ``before`` is its whole record
                record = change.before
                self._count(str(record.get("status")), int(record.get("rating") or 0), record.get("tags") or [], -1)
                continue
            old = change.before
            self._count(str(old.get("status", paper.status)), int(old.get("rating", paper.rating) or 0),
                        old.get("tags", paper.tags) or [], -1)
            self._count(paper.status, paper.rating, paper.tags, +1)
        self.by_tag = {tag: n for tag, n in sorted(self.by_tag.items()) if n > 0}

    def _count(self, status: str, rating: int, tags: Iterable[str], sign: int) -> None:
        self.total += sign
        self.by_status[status] = self.by_status.get(status, 0) + sign
        if rating >= 4:
            self.rated += sign
        for tag in tags:
            self.by_tag[tag] = self.by_tag.get(tag, 0) + sign


def count(papers: Iterable[Paper]) -> Counts:
    counts = Counts(by_status={s.value: 0 for s in Status})
    by_status = counts.by_status
    by_tag = counts.by_tag
    total = rated = 0
    for paper in papers:
        total += 1
        by_status[paper.status] = by_status.get(paper.status, 0) + 1
        if paper.rating >= 4:
            rated += 1
        for tag in paper.tags:
            by_tag[tag] = by_tag.get(tag, 0) + 1
    counts.total = total
    counts.rated = rated
    counts.by_tag = dict(sorted(by_tag.items()))
    return counts


class ListModel:
    """Turns (view, search, sort) into the list of papers to show, fast on large libraries.

    Sorting 100,000 papers is the expensive part, so a sorted copy of the whole
    library is kept per sort key whose order user edits cannot change, and a view
    is then one linear filter over it. The papers of the view last shown are kept too,
    until the library changes: typing a search filters them, not the whole library.

    The interest order is kept the same way, per set of scores: the whole library in the cold-start order (which
    also orders papers of equal score) is kept until papers come or go or a field it reads changes, and from it
    the order for new scores is a stable sort on the score alone, with no Python call per paper.
    """

    def __init__(self, lib: Library) -> None:
        self.lib = lib
        self._sorted: dict[str, list[Paper]] = {}  # per stable sort key
        self._arranged: tuple[int, int] = (-1, -1)  # the library's (members, reordered) the sorted copies are of
        self._by_edits: tuple[str, int, list[Paper]] | None = None  # a sort edits can change, at a version
        # The whole library in the cold-start order and the papers' ids in it: the interest order's ties.
        self._fallback: tuple[list[Paper], list[str]] | None = None
        # The interest order for the scores in ``_ranked_by`` (under "") and its reverse (under "-").
        self._ranked: dict[str, list[Paper]] = {}
        self._ranked_by: Mapping[str, float] | None = None
        self._view_key: tuple[object, ...] | None = None
        self._view_base: list[Paper] | None = None  # the sorted copy the view's papers were filtered from
        self._view_papers: list[Paper] = []
        self.index = SearchIndex(lib)

    def warm_search(self, pause: Callable[[], object] | None = None) -> threading.Thread:
        """Build the search index in a background thread; searches scan until it is ready.

        ``pause``: called between the build's steps (the app's ``Foreground.give_way``: keys first).
        """
        thread = threading.Thread(target=self._build_index, args=(pause,), name="readlist-search-index", daemon=True)
        thread.start()
        return thread

    def _build_index(self, pause: Callable[[], object] | None) -> None:
        """The index, then its objects out of the garbage collector's full passes, as the library's are at load.

        Its 100,000 text marks (tuples that hold the papers' fields) stayed tracked: every full collection
        walked them, 27 ms each at 100k, and a long-lived app collects fully every second or so while keys
        are pressed (a key in ~7 took 50-90 ms longer). They live as long as the index.
        """
        self.index.build(pause)
        gc.freeze()

    def invalidate(self) -> None:
        """Forget cached orders (papers were added, removed or reloaded)."""
        self._sorted.clear()
        self._fallback = None
        self._ranked.clear()
        self._by_edits = None
        self._view_key = None
        self._view_base = None

    def _kept(self) -> dict[str, list[Paper]]:
        """The sorted copies kept, forgotten first if papers came or went or a field they are ordered by changed."""
        arranged = (self.lib.members, self.lib.reordered)
        if arranged != self._arranged:
            self._sorted.clear()
            self._fallback = None
            self._ranked.clear()
            self._arranged = arranged
        return self._sorted

    def _base(self, sort: str) -> list[Paper]:
        kept = self._kept()
        if sort.lstrip("+-") not in _STABLE_SORTS:
            version = self.lib.version
            if self._by_edits is None or self._by_edits[:2] != (sort, version):
                self._by_edits = (sort, version, sort_papers(list(self.lib.papers.values()), sort))
            return self._by_edits[2]
        cached = kept.get(sort)
        if cached is None:
            cached = sort_papers(list(self.lib.papers.values()), sort)
            kept[sort] = cached
        return cached

    def _interest_base(self, scores: Mapping[str, float] | None, *, flip: bool = False) -> list[Paper]:
        """The whole library in interest order for ``scores`` (the cold-start order without any), or reversed.

        Papers of equal sort keys stay in the order of the date-added list, as in a view sorted on its own.
        """
        self._kept()
        if not scores:
            scores = None
        if scores is not self._ranked_by:  # held, not just its id: a new mapping can never pass for this one
            self._ranked.clear()
            self._ranked_by = scores
        cached = self._ranked.get("-" if flip else "")
        if cached is not None:
            return cached
        if flip:
            cached = self._interest_base(scores)[::-1]
        else:
            if self._fallback is None:
                fallback = fallback_order(self._base("added"))
                self._fallback = (fallback, [p.id for p in fallback])
            fallback, ids = self._fallback
            cached = fallback if scores is None else rank_fallback_ordered(fallback, scores, ids)
        self._ranked["-" if flip else ""] = cached
        return cached

    def select(
        self, view: View, query: Query | str = "", sort: str = "added", *, scores: Mapping[str, float] | None = None,
    ) -> list[Paper]:
        """The papers of a view that match the search, in the chosen order.

        ``scores`` are the interest scores for the ``interest`` sort; without them (too few decisions, or the
        model still being trained) that sort is upvotes then date.
        """
        if isinstance(query, str):
            query = parse_query(query)
        if view.order is not None:
            ranked = (self.lib.get(pid) for pid in view.order)
            return [p for p in ranked if p is not None and query.matches(p)]
        if sort.lstrip("+-") == INTEREST:
            base = self._interest_base(scores, flip=sort.startswith("-"))
        else:
            base = self._base(sort)
        members = base if view.predicate is None else self._view_members(view, sort, base)
        if query.empty:
            return list(members)
        return query.filter(members, index=self.index)

    def _view_members(self, view: View, sort: str, base: list[Paper]) -> list[Paper]:
        # Any change to the library moves its version on; the predicate itself is part of the key (a saved
        # search changed under the same name is another view), and the sorted copy (new scores make a new one).
        key = (view.key, view.predicate, sort, self.lib.version, self.lib.members)
        if key != self._view_key or base is not self._view_base:
            predicate = view.predicate
            assert predicate is not None
            if view.query is not None:  # free words are answered from the index, not by reading every text
                self._view_papers = view.query.filter(base, index=self.index)
            else:
                self._view_papers = [p for p in base if predicate(p)]
            self._view_key = key
            self._view_base = base
        return self._view_papers


def sort_depends_on(sort: str, fields: Iterable[str]) -> bool:
    """Whether changing these fields can move papers in a list sorted by ``sort``."""
    key = sort.lstrip("+-")
    if key == INTEREST:  # scores move when the model is retrained, not when a field is edited
        return False
    return key not in _STABLE_SORTS or (key == "title" and "title" in fields)


def next_sort(current: str) -> str:
    keys = UI_SORT_KEYS
    try:
        return keys[(keys.index(current) + 1) % len(keys)]
    except ValueError:
        return keys[0]


def find_view(name: str, tags: Iterable[str], saved: Mapping[str, str] | None = None) -> View | None:
    """The view a user names as the sidebar shows it: ``Inbox``, ``Rated 4+``, a saved search's name, ``#tag``.

    Case and surrounding spaces do not matter; a tag may be given without its ``#``. A saved search named
    like a tag is found before the tag, as it comes first in the sidebar.
    """
    wanted = name.strip().casefold()
    views = build_views(sorted(set(tags)), saved)
    # The name as typed first: a config.toml written before names differing in case were refused may hold both.
    found = next((view for view in views if view.label == name.strip()), None)
    if found is None:
        found = next((view for view in views if view.label.casefold() == wanted), None)
    if found is None and not wanted.startswith("#"):
        found = next((view for view in views if view.key.startswith("tag:") and view.label[1:].casefold() == wanted),
                     None)
    return found


def status_view(status: str | None) -> View:
    """The fixed view of one status, or All for None (what ``--status`` selects on the command line)."""
    key = "all" if not status else "status:" + Status(status).value
    return next(view for view in FIXED_VIEWS if view.key == key)
