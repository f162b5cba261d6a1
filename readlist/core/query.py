"""The query language shared by the TUI search box and ``--query``, and list sorting.

Terms AND together. Free words match the title, abstract, authors,
organization and note (case-insensitive); ``"quoted phrases"`` match as a
whole. Field terms: ``status:read``, ``rating>=4``, ``tag:rl``,
``year:2023``, ``year>=2022``, ``author:smith``, ``org:nvidia``, ``id:2310``,
``source:seeds``, ``is:rated``/``is:noted``. A leading ``-`` negates any term.
"""

from __future__ import annotations

import operator
import re
import shlex
import threading
from array import array
from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from typing import Protocol

from readlist.core.dates import sort_key as date_sort_key
from readlist.core.model import Paper, Status, ValidationError, normalize_tag, parse_status

Predicate = Callable[[Paper], bool]

_CMP: dict[str, Callable[[int, int], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
    "=": operator.eq,
    ":": operator.eq,
}
_FIELD_TERM = re.compile(r"^(?P<field>[a-z_]+)(?P<op>>=|<=|:|=|>|<)(?P<value>.*)$", re.IGNORECASE)
NUMERIC_FIELDS = ("rating", "year", "upvotes")
SORT_KEYS = ("date", "upvotes", "rating", "title", "added", "updated")


class QueryError(ValueError):
    """A query the user typed that cannot be understood; the message says why."""


class _Haystacks:
    """Lower-cased searchable text per paper, rebuilt only for papers whose text changed."""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[object, object, object, object, str]] = {}

    def get(self, paper: Paper) -> str:
        entry = self._cache.get(paper.id)
        if (
            entry is not None
            and entry[0] is paper.title
            and entry[1] is paper.abstract
            and entry[2] is paper.note
            and entry[3] is paper.authors
        ):
            return entry[4]
        text = haystack(paper)
        self._cache[paper.id] = (paper.title, paper.abstract, paper.note, paper.authors, text)
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
        return (paper.title, paper.abstract, paper.note, paper.authors, paper.organization)

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
        text = haystack(paper)
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


@dataclass(frozen=True)
class Query:
    text: str
    predicates: tuple[Predicate, ...]
    words: tuple[str, ...]  # positive free words, for highlighting
    # The same terms split for the index: free-word needles (case-folded, with their sign) and the rest.
    needles: tuple[tuple[str, bool], ...] = field(default=(), compare=False)
    others: tuple[Predicate, ...] = field(default=(), compare=False)

    def matches(self, paper: Paper) -> bool:
        return all(pred(paper) for pred in self.predicates)

    def filter(
        self, papers: Iterable[Paper], *, index: SearchIndex | None = None, where: Predicate | None = None
    ) -> list[Paper]:
        """The papers (in their order) that pass ``where`` and match the query.

        With an ``index`` that is ready, free words are answered from it; the result is
        exactly the same as without one, only faster on big libraries.
        """
        if where is not None:
            papers = [p for p in papers if where(p)]
        if not self.predicates:
            return list(papers)
        if index is not None and self.needles and index.acquire():
            try:
                return self._filter_indexed(papers, index)
            finally:
                index.release()
        return _keep(self.predicates, papers)

    def _filter_indexed(self, papers: Iterable[Paper], index: SearchIndex) -> list[Paper]:
        items = _keep(self.others, papers)
        if len(items) * 8 < len(index):
            # The other terms (or the view) left few papers: checking their texts beats set work over the index.
            text = index.text
            return [p for p in items if all((needle in text(p)) != negate for needle, negate in self.needles)]
        include: set[int] | None = None
        exclude: set[int] = set()
        scanned: list[tuple[str, bool]] = []
        answered = False
        for needle, negate in self.needles:
            slots = index.match(needle)
            if slots is None:
                scanned.append((needle, negate))
                continue
            answered = True
            if negate:
                exclude |= slots
            else:
                include = slots if include is None else include & slots
        if answered:
            live = index._live
            # Papers the index has not seen (none, normally) are decided by their text.
            direct = {id(p) for p in items if id(p) not in live}
            if include is not None:
                ok = index.objects(include - exclude)
                items = [p for p in items if id(p) in ok or (id(p) in direct and self._by_text(p))]
            else:
                bad = index.objects(exclude)
                items = [p for p in items if (self._by_text(p) if id(p) in direct else id(p) not in bad)]
        # Needles too common for posting lists: check the remaining papers' texts, which stops at the first hit.
        text = index.text
        for needle, negate in scanned:
            items = [p for p in items if (needle in text(p)) != negate]
        return items

    def _by_text(self, paper: Paper) -> bool:
        text = HAYSTACKS.get(paper)
        return all((needle in text) != negate for needle, negate in self.needles)

    @property
    def empty(self) -> bool:
        return not self.predicates


def _keep(preds: Sequence[Predicate], papers: Iterable[Paper]) -> list[Paper]:
    """The papers every predicate accepts; one or two (the usual case) skip the per-paper generator."""
    if not preds:
        return list(papers)
    if len(preds) == 1:
        pred = preds[0]
        return [p for p in papers if pred(p)]
    if len(preds) == 2:
        first, second = preds
        return [p for p in papers if first(p) and second(p)]
    return [p for p in papers if all(pred(p) for pred in preds)]


def _tokens(text: str) -> list[str]:
    try:
        lexer = shlex.shlex(text, posix=True)
        lexer.whitespace_split = True
        lexer.commenters = ""
        return list(lexer)
    except ValueError:
        # An unclosed quote while the user is still typing: treat the rest literally.
        return text.replace('"', " ").split()


def _word(word: str) -> Predicate:
    needle = word.casefold()
    return lambda p: needle in HAYSTACKS.get(p)


def _numeric(field: str, op: str, raw: str) -> Predicate:
    try:
        wanted = int(raw)
    except ValueError:
        raise QueryError(f"{field}{op} needs a number, not {raw!r}") from None
    compare = _CMP[op]
    if field == "rating":
        return lambda p: compare(p.rating, wanted)
    if field == "year":
        def year_matches(p: Paper) -> bool:
            year = p.year  # the record's year, else the one its arXiv id gives
            return year is not None and compare(year, wanted)

        return year_matches
    return lambda p: p.upvotes is not None and compare(p.upvotes, wanted)


def _field_term(field: str, op: str, value: str) -> Predicate:
    field = field.lower()
    if field in NUMERIC_FIELDS:
        return _numeric(field, op, value)
    if op != ":" and op != "=":
        raise QueryError(f"{field} does not compare with {op!r}; use {field}:value")
    low = value.casefold()
    if field == "status":
        try:
            status = parse_status(value).value
        except ValidationError as exc:
            raise QueryError(str(exc)) from None
        return lambda p: p.status == status
    if field == "tag":
        tag = normalize_tag(value)
        return lambda p: tag in p.tags
    if field == "author":
        return lambda p: any(low in a.casefold() for a in p.authors)
    if field in ("org", "organization"):
        return lambda p: p.organization is not None and low in p.organization.casefold()
    if field == "id":
        return lambda p: p.id.startswith(value) or (p.arxiv_id or "").startswith(value)
    if field == "source":
        return lambda p: any(low in s.casefold() for s in p.sources)
    if field == "title":
        return lambda p: low in p.title.casefold()
    if field == "note":
        return lambda p: low in p.note.casefold()
    if field == "is":
        checks: dict[str, Predicate] = {
            "rated": lambda p: p.rating > 0,
            "noted": lambda p: bool(p.note.strip()),
            "tagged": lambda p: bool(p.tags),
            "arxiv": lambda p: p.arxiv_id is not None,
        }
        if low in checks:
            return checks[low]
        if low in {s.value for s in Status}:
            return lambda p: p.status == low
        raise QueryError(f"unknown is:{value} (try is:rated, is:noted, is:tagged, is:arxiv)")
    raise QueryError(
        f"unknown field {field!r} "
        "(fields: status, rating, tag, year, upvotes, author, org, id, source, title, note, is)"
    )


def _negated(inner: Predicate) -> Predicate:
    return lambda p: not inner(p)


def parse_query(text: str) -> Query:
    predicates: list[Predicate] = []
    words: list[str] = []
    needles: list[tuple[str, bool]] = []
    others: list[Predicate] = []
    for token in _tokens(text.strip()):
        negate = token.startswith("-") and len(token) > 1
        if negate:
            token = token[1:]
        match = _FIELD_TERM.match(token)
        if match and match.group("value"):
            pred = _field_term(match.group("field"), match.group("op"), match.group("value"))
            is_word = False
        elif match and not match.group("value"):
            continue  # "tag:" while the user is still typing
        else:
            pred = _word(token)
            is_word = True
            if not negate:
                words.append(token)
        if negate:
            pred = _negated(pred)
        predicates.append(pred)
        if is_word:
            needles.append((token.casefold(), negate))
        else:
            others.append(pred)
    return Query(
        text=text, predicates=tuple(predicates), words=tuple(words), needles=tuple(needles), others=tuple(others)
    )


def sort_papers(papers: Sequence[Paper], key: str = "added") -> list[Paper]:
    """Sort by a named key: dates and numbers largest first, titles A-Z; a leading ``-`` flips it."""
    flip = key.startswith("-")
    key = key.lstrip("+-")
    getters: dict[str, Callable[[Paper], object]] = {
        "date": lambda p: date_sort_key(p.published, p.arxiv_id),
        "upvotes": lambda p: p.upvotes if p.upvotes is not None else -1,
        "rating": lambda p: p.rating,
        "title": lambda p: p.title.casefold(),
        "added": lambda p: p.added or "",
        "updated": lambda p: p.updated or "",
    }
    if key not in getters:
        raise QueryError(f"unknown sort key {key!r} (known: {', '.join(SORT_KEYS)})")
    descending = (key != "title") != flip
    return sorted(papers, key=getters[key], reverse=descending)  # type: ignore[arg-type]
