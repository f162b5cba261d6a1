"""The free-word search index: which papers contain which words, so searching 100,000 papers stays fast.

Free words match as case-insensitive substrings of a paper's title, abstract,
authors, organization and note. ``haystack`` is that text; scanning it paper by
paper is the definition, and ``SearchIndex`` answers the same question from
posting lists without reading the papers (see its docstring). The query module
combines the index's answers for ``AND``, ``OR`` and ``-`` and must give
exactly what scanning gives.
"""

from __future__ import annotations

import threading
from array import array
from bisect import bisect_right
from collections import deque
from collections.abc import Iterable, Mapping
from itertools import repeat
from typing import Protocol

from readlist.core.model import Paper, abstract_mark


class _Haystacks:
    """Lower-cased searchable text per paper, rebuilt only for papers whose text changed."""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[object, object, object, object, object, str]] = {}

    def get(self, paper: Paper) -> str:
        entry = self._cache.get(paper.id)
        if (
            entry is not None
            and entry[0] is paper.title
            and entry[1] is abstract_mark(paper)
            and entry[2] is paper.note
            and entry[3] is paper.authors
            and entry[4] is paper.organization
        ):
            return entry[5]
        text = haystack(paper)
        self._cache[paper.id] = (paper.title, abstract_mark(paper), paper.note, paper.authors, paper.organization,
                                 text)
        return text


HAYSTACKS = _Haystacks()


def haystack(paper: Paper) -> str:
    """The text free words are searched in, exactly as the plain predicates see it."""
    return "\n".join(
        (paper.title, paper.abstract, " ; ".join(paper.authors), paper.organization or "", paper.note)
    ).casefold()


class PaperSource(Protocol):
    """What an index follows: the papers by id, and a number that changes whenever any of them does."""

    papers: dict[str, Paper]
    version: int


# Past these sizes a needle is so common that scanning (which stops at the first hit in
# each paper) beats collecting posting lists.
_MAX_TOKEN_HITS = 4000
_MAX_POSTINGS = 400_000


class SearchIndex:
    """Which papers contain which whitespace-separated tokens, for free-word search on big libraries.

    A needle without whitespace occurs in a text exactly when it occurs inside one of
    its whitespace-separated tokens, so the papers matching it are the union of the
    posting lists of the vocabulary tokens that contain it: no paper text is scanned.
    Phrases are narrowed with their parts and then checked against the text. The index
    follows the source's ``version``: when it changes, papers whose text changed are
    re-indexed before the next search. Building runs once (``build``, typically in a
    background thread); until it is done, searches simply scan.
    """

    def __init__(self, source: PaperSource) -> None:
        self.source = source
        self._lock = threading.Lock()
        self._ready = False
        self._version: int | None = None
        self._slot_of: dict[str, int] = {}
        self._live: dict[int, int] = {}  # id() of each indexed paper object -> its slot
        self._papers: list[Paper | None] = []
        self._hays: list[str] = []  # case-folded text per slot ("" for a dead slot)
        self._marks: list[tuple[object, ...]] = []
        self._postings: dict[str, array[int]] = {}
        self._vocab_blob = ""
        self._vocab: list[str] = []
        self._starts: list[int] = []
        self._vocab_dirty = True

    @property
    def ready(self) -> bool:
        return self._ready

    @staticmethod
    def _mark(paper: Paper) -> tuple[object, ...]:
        return (paper.title, abstract_mark(paper), paper.note, paper.authors, paper.organization)

    def _add(self, paper: Paper) -> None:
        slot = len(self._papers)
        old = self._slot_of.get(paper.id)
        if old is not None:
            stale = self._papers[old]
            if stale is not None:
                self._live.pop(id(stale), None)
            self._papers[old] = None  # its postings stay but can no longer match
            self._hays[old] = ""
        self._slot_of[paper.id] = slot
        self._live[id(paper)] = slot
        self._papers.append(paper)
        self._marks.append(self._mark(paper))
        text = HAYSTACKS.get(paper)  # one copy of the text, shared with plain scans (100k papers: 170 MB)
        self._hays.append(text)
        postings = self._postings
        tokens = set(text.split())
        new = tokens.difference(postings)
        if new:
            self._vocab_dirty = True
            for token in new:
                postings[token] = array("i")
        # One C-level pass appends the slot to every token's list (a Python loop is ~2x slower).
        deque(map(array.append, map(postings.__getitem__, tokens), repeat(slot)), maxlen=0)

    def build(self) -> None:
        """Index every paper of the source (a few seconds for 100k papers; safe in a thread)."""
        with self._lock:
            self._sync()

    def _sync(self) -> None:
        version = self.source.version
        papers = list(self.source.papers.values())
        slot_of, marks, mark = self._slot_of, self._marks, self._mark
        for paper in papers:
            slot = slot_of.get(paper.id)
            if slot is None or self._papers[slot] is not paper or marks[slot] != mark(paper):
                self._add(paper)
        if self._vocab_dirty:
            self._vocab = list(self._postings)
            self._vocab_blob = "\n".join(self._vocab)
            starts, pos = [], 0
            for token in self._vocab:
                starts.append(pos)
                pos += len(token) + 1
            self._starts = starts
            self._vocab_dirty = False
        self._version = version
        self._ready = True

    def acquire(self) -> bool:
        """Bring the index up to date for a search; False when it cannot be used right now."""
        if not self._ready or not self._lock.acquire(blocking=False):
            return False
        try:
            if self._version != self.source.version:
                self._sync()
        except BaseException:
            self._lock.release()
            raise
        return True

    def release(self) -> None:
        self._lock.release()

    def _token_slots(self, needle: str) -> set[int] | None:
        """Slots of papers with a token containing ``needle``; None when scanning is cheaper."""
        blob = self._vocab_blob
        if blob.count(needle) > _MAX_TOKEN_HITS:
            return None
        tokens: list[str] = []
        pos = blob.find(needle)
        starts, vocab = self._starts, self._vocab
        while pos != -1:
            i = bisect_right(starts, pos) - 1
            tokens.append(vocab[i])
            pos = blob.find(needle, starts[i] + len(vocab[i]) + 1)
        lists = [self._postings[t] for t in tokens]
        if sum(map(len, lists)) > _MAX_POSTINGS:
            return None
        slots: set[int] = set()
        for found in lists:
            slots.update(found)
        return slots

    def match(self, needle: str) -> set[int] | None:
        """Slots of the papers whose text contains ``needle`` (already case-folded); None: decide per paper."""
        parts = needle.split()
        if not parts:
            return None
        if len(parts) == 1 and parts[0] == needle:
            # None for a needle inside very common tokens: it matches most papers, each early in its text.
            return self._token_slots(needle)
        narrowed: set[int] | None = None
        for part in sorted(parts, key=len, reverse=True):
            slots = self._token_slots(part)
            if slots is not None:
                narrowed = slots if narrowed is None else narrowed & slots
        if narrowed is None:
            return None
        hays = self._hays
        return {slot for slot in narrowed if needle in hays[slot]}

    def __len__(self) -> int:
        return len(self._live)

    def text(self, paper: Paper) -> str:
        """The indexed text of a paper (computed for a paper the index has not seen)."""
        slot = self._live.get(id(paper))
        return self._hays[slot] if slot is not None else HAYSTACKS.get(paper)

    def objects(self, slots: Iterable[int]) -> set[int]:
        """The ``id()`` of the paper objects in these slots."""
        papers = self._papers
        return {id(p) for s in slots if (p := papers[s]) is not None}

    def indexed(self, paper: Paper) -> bool:
        return id(paper) in self._live

    @property
    def slots(self) -> Mapping[int, int]:
        """The slot of every paper object the index holds, by ``id()`` (papers outside it are searched by text)."""
        return self._live
