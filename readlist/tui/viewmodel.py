"""What the screens show, computed without any UI code: views, counts, sorted lists, undo history.

Keeping this free of Textual means it can be tested and timed on its own, and the
widgets only ever draw a slice of a list that is already filtered and sorted.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from readlist.core.model import Paper, Status
from readlist.core.query import Query, SearchIndex, parse_query, sort_papers
from readlist.store import Library

Change = dict[str, Any]
Changes = dict[str, Change]

# The sort keys offered in the UI, in the order the sort key cycles through them.
UI_SORT_KEYS: tuple[str, ...] = ("added", "date", "upvotes", "rating", "title")
SORT_LABELS = {
    "added": "date added",
    "date": "publication date",
    "upvotes": "upvotes",
    "rating": "rating",
    "title": "title",
    "updated": "last change",
}
# Sort keys whose order does not depend on anything the user edits, so a sorted copy can be reused.
_STABLE_SORTS = frozenset({"added", "date", "upvotes", "title"})


@dataclass(frozen=True)
class View:
    """A named subset of the library shown in the sidebar."""

    key: str
    label: str
    predicate: Callable[[Paper], bool] | None  # None: every paper

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


def build_views(tags: Iterable[str]) -> list[View]:
    """The fixed views followed by one view per tag in use."""
    return [*FIXED_VIEWS, *(_tag_view(tag) for tag in tags)]


@dataclass
class Counts:
    """How many papers each view holds, computed in one pass over the library."""

    total: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    rated: int = 0
    by_tag: dict[str, int] = field(default_factory=dict)

    def for_view(self, view: View) -> int:
        if view.key == "all":
            return self.total
        if view.key == "rated":
            return self.rated
        kind, _, value = view.key.partition(":")
        if kind == "status":
            return self.by_status.get(value, 0)
        if kind == "tag":
            return self.by_tag.get(value, 0)
        return 0

    def adjust(self, old_values: Mapping[str, Change], lib: Library) -> None:
        """Update the counts after a change, given the values the changed fields had before it."""
        for pid, fields in old_values.items():
            paper = lib.get(pid)
            if paper is None:
                continue
            if "status" in fields:
                old = str(fields["status"])
                self.by_status[old] = self.by_status.get(old, 0) - 1
                self.by_status[paper.status] = self.by_status.get(paper.status, 0) + 1
            if "rating" in fields:
                self.rated += (paper.rating >= 4) - (int(fields["rating"] or 0) >= 4)
            if "tags" in fields:
                for tag in fields["tags"] or []:
                    left = self.by_tag.get(tag, 0) - 1
                    if left > 0:
                        self.by_tag[tag] = left
                    else:
                        self.by_tag.pop(tag, None)
                for tag in paper.tags:
                    self.by_tag[tag] = self.by_tag.get(tag, 0) + 1
                self.by_tag = dict(sorted(self.by_tag.items()))


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
    is then one linear filter over it.
    """

    def __init__(self, lib: Library) -> None:
        self.lib = lib
        self._sorted: dict[str, list[Paper]] = {}
        self._shape: tuple[int, int] = (-1, -1)
        self.index = SearchIndex(lib)

    def warm_search(self) -> None:
        """Build the search index in a background thread; searches scan until it is ready."""
        threading.Thread(target=self.index.build, name="readlist-search-index", daemon=True).start()

    def invalidate(self) -> None:
        """Forget cached orders (papers were added, removed or reloaded)."""
        self._sorted.clear()

    def _base(self, sort: str) -> list[Paper]:
        shape = (len(self.lib.papers), id(self.lib.papers))
        if shape != self._shape:
            self._sorted.clear()
            self._shape = shape
        if sort.lstrip("+-") not in _STABLE_SORTS:
            return sort_papers(list(self.lib.papers.values()), sort)
        cached = self._sorted.get(sort)
        if cached is None:
            cached = sort_papers(list(self.lib.papers.values()), sort)
            self._sorted[sort] = cached
        return cached

    def select(self, view: View, query: Query | str = "", sort: str = "added") -> list[Paper]:
        """The papers of a view that match the search, in the chosen order."""
        if isinstance(query, str):
            query = parse_query(query)
        base = self._base(sort)
        if view.predicate is None and query.empty:
            return list(base)
        return query.filter(base, index=self.index, where=view.predicate)


def sort_depends_on(sort: str, fields: Iterable[str]) -> bool:
    """Whether changing these fields can move papers in a list sorted by ``sort``."""
    key = sort.lstrip("+-")
    return key not in _STABLE_SORTS or (key == "title" and "title" in fields)


def next_sort(current: str) -> str:
    keys = UI_SORT_KEYS
    try:
        return keys[(keys.index(current) + 1) % len(keys)]
    except ValueError:
        return keys[0]



@dataclass
class Step:
    """One undoable change: the values before and after, per paper id."""

    label: str
    before: Changes
    after: Changes


def values_now(lib: Library, before: Mapping[str, Change]) -> Changes:
    """The current values of exactly the fields a change touched (what redo must put back)."""
    after: Changes = {}
    for pid, fields in before.items():
        paper = lib.get(pid)
        if paper is not None:
            after[pid] = {name: _copy(getattr(paper, name)) for name in fields}
    return after


def _copy(value: Any) -> Any:
    return list(value) if isinstance(value, list) else value


class History:
    """Undo and redo stacks of library changes; applying a step goes through ``Library.apply``."""

    def __init__(self, limit: int = 500) -> None:
        self.limit = limit
        self.undo_stack: list[Step] = []
        self.redo_stack: list[Step] = []

    def record(self, lib: Library, label: str, before: Mapping[str, Change]) -> Step | None:
        """Remember a change just made; nothing is recorded when nothing changed."""
        if not before:
            return None
        step = Step(label, {k: dict(v) for k, v in before.items()}, values_now(lib, before))
        self.undo_stack.append(step)
        del self.undo_stack[: -self.limit]
        self.redo_stack.clear()
        return step

    def undo(self, lib: Library) -> Step | None:
        if not self.undo_stack:
            return None
        step = self.undo_stack.pop()
        lib.apply(step.before)
        self.redo_stack.append(step)
        return step

    def redo(self, lib: Library) -> Step | None:
        if not self.redo_stack:
            return None
        step = self.redo_stack.pop()
        lib.apply(step.after)
        self.undo_stack.append(step)
        return step


# How the list shows an unrated paper: a placeholder as wide as the stars.
UNRATED = "·····"


def split_tags(text: str) -> list[str]:
    """Tags typed by the user, comma or space separated."""
    return [t for t in text.replace(",", " ").split() if t]
