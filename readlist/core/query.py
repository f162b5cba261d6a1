"""The query language shared by the TUI search box and ``--query``, and list sorting.

Free words match the title, abstract, authors, organization and note
(case-insensitive substrings); ``"quoted phrases"`` match as a whole. Field terms:
``status:read``, ``rating>=4``, ``tag:rl``, ``year:2023``, ``year>=2022``,
``upvotes>=50``, ``author:smith``, ``org:nvidia``, ``id:2310``, ``title:…``,
``note:…``, ``source:hf`` (the kind of source, or text in its file name or URL),
``is:rated``/``is:noted``/``is:tagged``/``is:arxiv``. A field value may be quoted
(``author:"li wei"``).

Terms next to each other AND together; ``OR`` (upper case) between them matches
either; ``AND`` may be written out. AND binds tighter than OR, so
``a b OR c`` is ``(a b) OR c``. Parentheses group, and ``-`` (or ``NOT``, upper
case) before a term or a group excludes it: ``(tag:rl OR tag:agents) -survey``,
``-(diffusion OR gan)``, ``NOT tag:survey``. Parentheses and a bare ``-`` are
syntax; quote them to search for them as text. A doubled minus (``--tag:rl``) and
an operator a field does not have (``rating!=4``) are errors, not words.

``rating`` 0 means "not rated": a rating comparison (``rating<3``, ``rating>=1``)
leaves unrated papers out, as ``year`` and ``upvotes`` comparisons leave out papers
without a year or upvotes; ``rating:0`` and ``rating=0`` find the unrated ones.

A query that cannot be understood raises ``QueryError`` saying what is wrong and at
which column, so the search box can show it instead of silently matching nothing.
Parentheses may be nested up to ``MAX_NESTING`` levels deep.

Free words are answered from the ``SearchIndex`` when one is given and ready: a
word's papers are a boolean array over the index's slots, AND intersects them, OR
unites them and ``-`` turns one into "all but these". Whatever the index cannot
answer (field terms) is checked paper by paper. The result is exactly what scanning
every paper gives, in the same order.
"""

from __future__ import annotations

import dataclasses
import math
import operator
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from readlist.core.dates import sort_key as date_sort_key
from readlist.core.model import Paper, Status, ValidationError, normalize_tag, parse_status
from readlist.core.provenance import canonical_kind, paper_kinds
from readlist.core.search_index import PaperSource, SearchIndex, fold, haystack, search_text, searched_title

if TYPE_CHECKING:
    from readlist.core.search_index import Mask

__all__ = [
    "MAX_NESTING",
    "NUMERIC_FIELDS",
    "SORT_KEYS",
    "PaperSource",
    "Query",
    "QueryError",
    "SearchIndex",
    "SortKeyError",
    "SortOrder",
    "haystack",
    "parse_query",
    "parse_sort",
    "sort_papers",
]

Predicate = Callable[[Paper], bool]
TextOf = Callable[[Paper], str]

# Compares ints (rating, upvotes) and four-digit year strings.
_CMP: dict[str, Callable[[Any, Any], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
    "=": operator.eq,
    ":": operator.eq,
}
_FIELD_TERM = re.compile(r"^(?P<field>[a-z_]+)(?P<op>>=|<=|:|=|>|<)", re.IGNORECASE)
# A field name followed by something operator-like that is not an operator (``rating!=4``, ``tag~rl``): a mistake to
# report, not a free word that no paper contains.
_BAD_OP = re.compile(r"^(?P<field>[a-z_]+)(?P<op>[!~^]+[=<>]*)", re.IGNORECASE)
NUMERIC_FIELDS = ("rating", "year", "upvotes")
TEXT_FIELDS = ("status", "tag", "author", "org", "organization", "id", "source", "title", "note", "is")
SORT_KEYS = ("date", "upvotes", "rating", "title", "added", "updated")
_FIELD_LIST = "status, rating, tag, year, upvotes, author, org, id, source, title, note, is"
# How deep parentheses may nest. Parsing, matching and highlighting each follow the nesting with Python calls,
# so an unlimited depth would run out of stack; no query a person writes comes near this.
MAX_NESTING = 50


class QueryError(ValueError):
    """A query the user typed that cannot be understood; the message says what and where.

    ``position`` is the 0-based offset in the query text the problem is at, when
    there is one, so a search box can point at it.
    """

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.position = position


class SortKeyError(QueryError):
    """An unknown sort key; kept apart from query errors so the message can name the right option."""


# ---------------------------------------------------------------------------
# lexing


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "term", "(", ")", "-(", "OR", "AND", "NOT", "end"
    pos: int  # 0-based offset of its first character
    raw: str = ""  # as typed
    text: str = ""  # quotes removed
    quoted_at: int = -1  # offset in ``text`` where the first quoted part starts; -1 if none
    negate: bool = False


def _col(pos: int) -> str:
    return f"column {pos + 1}"


def _lex(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch in "()":
            tokens.append(_Token(ch, i))
            i += 1
            continue
        start = i
        negate = False
        if text.startswith("--", i):
            # One minus leaves out; a second one would have been read as text and left out a word nobody has,
            # matching every paper (`--tag:rl`). Reading it as "keep" instead would hide a typo.
            raise QueryError(
                f"doubled minus '--' at {_col(i)}: one '-' leaves a term out; to search for the text, quote it: "
                f'"{text[i:].split()[0]}"',
                i,
            )
        if ch == "-" and i + 1 < n and not text[i + 1].isspace() and text[i + 1] != ")":
            if text[i + 1] == "(":
                tokens.append(_Token("-(", i))
                i += 1  # the "(" itself is lexed next
                continue
            negate = True
            i += 1
        parts: list[str] = []
        quoted_at = -1
        length = 0
        while i < n and not text[i].isspace() and text[i] not in "()":
            if text[i] == '"':
                close = text.find('"', i + 1)
                if close == -1:
                    raise QueryError(f'unclosed quote at {_col(i)}: add the closing "', i)
                if quoted_at == -1:
                    quoted_at = length
                piece = text[i + 1 : close]
                i = close + 1
            else:
                j = i
                while j < n and not text[j].isspace() and text[j] not in '()"':
                    j += 1
                piece = text[i:j]
                i = j
            parts.append(piece)
            length += len(piece)
        raw = text[start:i]
        word = "".join(parts)
        if not negate and quoted_at == -1 and word in ("OR", "AND", "NOT"):
            tokens.append(_Token(word, start, raw))
            continue
        tokens.append(_Token("term", start, raw, word, quoted_at, negate))
    tokens.append(_Token("end", len(text)))
    return tokens


# ---------------------------------------------------------------------------
# the parsed query: a small tree of terms, NOT, AND and OR


class _Node:
    """One part of a query; ``compile`` turns it into a per-paper test reading free text through ``text_of``."""

    has_words: bool = False

    def compile(self, text_of: TextOf) -> Predicate:
        raise NotImplementedError

    def words(self, positive: bool = True) -> list[str]:
        return []


class _Word(_Node):
    has_words = True

    def __init__(self, typed: str) -> None:
        self.typed = typed
        self.needle = fold(typed)

    def compile(self, text_of: TextOf) -> Predicate:
        needle = self.needle
        return lambda p: needle in text_of(p)

    def words(self, positive: bool = True) -> list[str]:
        return [self.typed] if positive else []

    def __repr__(self) -> str:
        return repr(self.typed)


class _Field(_Node):
    def __init__(self, typed: str, pred: Predicate) -> None:
        self.typed = typed
        self.pred = pred

    def compile(self, text_of: TextOf) -> Predicate:
        return self.pred

    def __repr__(self) -> str:
        return self.typed


class _Not(_Node):
    def __init__(self, child: _Node) -> None:
        self.child = child
        self.has_words = child.has_words

    def compile(self, text_of: TextOf) -> Predicate:
        inner = self.child.compile(text_of)
        return lambda p: not inner(p)

    def words(self, positive: bool = True) -> list[str]:
        return self.child.words(not positive)

    def __repr__(self) -> str:
        return f"(NOT {self.child!r})"


class _Group(_Node):
    """AND or OR of two or more parts."""

    any_of: ClassVar[bool] = False
    children: tuple[_Node, ...]

    def __init__(self, children: Sequence[_Node]) -> None:
        flat: list[_Node] = []
        for child in children:
            # (a b) c is a b c; the same for OR: one level makes fewer, bigger set operations.
            flat.extend(child.children if isinstance(child, _Group) and type(child) is type(self) else [child])
        self.children = tuple(flat)
        self.has_words = any(c.has_words for c in flat)

    def compile(self, text_of: TextOf) -> Predicate:
        preds = [c.compile(text_of) for c in self.children]
        return _any(preds) if self.any_of else _all(preds)

    def words(self, positive: bool = True) -> list[str]:
        return [w for c in self.children for w in c.words(positive)]

    def __repr__(self) -> str:
        return "(" + ("OR " if self.any_of else "AND ") + " ".join(map(repr, self.children)) + ")"


class _And(_Group):
    any_of = False


class _Or(_Group):
    any_of = True


def _keep(preds: Sequence[Predicate], papers: Iterable[Paper]) -> list[Paper]:
    """The papers every predicate accepts; one or two (the usual case) without a call per paper for the AND."""
    if not preds:
        return list(papers)
    if len(preds) == 1:
        pred = preds[0]
        return [p for p in papers if pred(p)]
    if len(preds) == 2:
        first, second = preds
        return [p for p in papers if first(p) and second(p)]
    return [p for p in papers if all(pred(p) for pred in preds)]


def _all(preds: Sequence[Predicate]) -> Predicate:
    if len(preds) == 1:
        return preds[0]
    if len(preds) == 2:
        first, second = preds
        return lambda p: first(p) and second(p)
    return lambda p: all(pred(p) for pred in preds)


def _any(preds: Sequence[Predicate]) -> Predicate:
    if len(preds) == 1:
        return preds[0]
    if len(preds) == 2:
        first, second = preds
        return lambda p: first(p) or second(p)
    return lambda p: any(pred(p) for pred in preds)


# ---------------------------------------------------------------------------
# field terms


def _numeric(field: str, op: str, raw: str, pos: int) -> Predicate:
    try:
        wanted = int(raw)
    except ValueError:
        raise QueryError(f"{field}{op} at {_col(pos)} needs a number, not {raw!r}", pos) from None
    compare = _CMP[op]
    if field == "rating":
        if wanted == 0 and op in (":", "="):
            return lambda p: p.rating == 0
        # 0 is "not rated", not a low rating: `rating<3` is the papers rated 1 or 2.
        return lambda p: p.rating != 0 and compare(p.rating, wanted)
    if field == "year":
        if 0 <= wanted <= 9999:
            # Dates are stored as YYYY[-MM[-DD]]: four-digit years compare as text, without an int() per paper.
            year_text = f"{wanted:04d}"

            def year_matches(p: Paper) -> bool:
                if p.published is not None:
                    return compare(p.published[:4], year_text)
                year = p.year  # none recorded: the one its arXiv id gives, if any
                return year is not None and compare(year, wanted)

            return year_matches
        return lambda p: p.year is not None and compare(p.year, wanted)
    return lambda p: p.upvotes is not None and compare(p.upvotes, wanted)


def _source_term(value: str) -> Predicate:
    """A kind of source (``hf``, ``arxiv``, ``bibtex``, …) or text in a source's file name or URL."""
    low = fold(value)
    kind = canonical_kind(value)

    def in_labels(p: Paper) -> bool:
        return any(low in fold(s) for s in p.sources)

    if kind is None:
        return in_labels

    def of_kind(p: Paper) -> bool:
        # Papers imported before formats were recorded have none: their URLs and file names still match.
        formats: Iterable[str] = p.source_formats
        return kind in paper_kinds(p.sources, formats) or in_labels(p)

    return of_kind


def _field_term(field: str, op: str, value: str, pos: int) -> Predicate:
    field = field.lower()
    if field in NUMERIC_FIELDS:
        return _numeric(field, op, value, pos)
    if field not in TEXT_FIELDS:
        raise QueryError(
            f"unknown field {field!r} at {_col(pos)} (fields: {_FIELD_LIST}); "
            f"to search for the text, quote it: \"{field}{op}{value}\"",
            pos,
        )
    if op != ":" and op != "=":
        raise QueryError(f"{field} at {_col(pos)} does not compare with {op!r}; use {field}:value", pos)
    low = fold(value)
    if field == "status":
        try:
            status = parse_status(value).value
        except ValidationError:
            known = ", ".join(s.value for s in Status)
            raise QueryError(f"unknown status {value!r} at {_col(pos)} (one of: {known})", pos) from None
        return lambda p: p.status == status
    if field == "tag":
        tag = normalize_tag(value)
        return lambda p: tag in p.tags
    if field == "author":
        return lambda p: any(low in fold(a) for a in p.authors)
    if field in ("org", "organization"):
        return lambda p: p.organization is not None and low in fold(p.organization)
    if field == "id":
        return lambda p: p.id.startswith(value) or (p.arxiv_id or "").startswith(value)
    if field == "source":
        return _source_term(value)
    if field == "title":
        return lambda p: low in fold(searched_title(p.title))
    if field == "note":
        return lambda p: low in fold(p.note)
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
    raise QueryError(f"unknown is:{value} at {_col(pos)} (try is:rated, is:noted, is:tagged, is:arxiv)", pos)


def _bad_operator(token: _Token) -> None:
    """Raise for a known field followed by an operator the language does not have (``rating!=4``)."""
    bad = _BAD_OP.match(token.text)
    if bad is None or (token.quoted_at != -1 and bad.end() > token.quoted_at):
        return
    field, op = bad.group("field").lower(), bad.group("op")
    value = token.text[bad.end() :]
    if field not in NUMERIC_FIELDS and field not in TEXT_FIELDS:
        return
    if not value and not op.endswith(("=", "<", ">")):
        return  # a word ending in "!" (`note!`) is text
    value = value or "value"
    pos = token.pos + (1 if token.negate else 0)
    ops = "=, <, <=, >, >= or :" if field in NUMERIC_FIELDS else ": or ="
    raise QueryError(
        f"{field}{op} at {_col(pos)}: {op!r} is not an operator ({field} takes {ops}); "
        f"to leave out papers, put a minus before the term: -{field}:{value}",
        pos,
    )


def _term(token: _Token) -> _Node:
    match = _FIELD_TERM.match(token.text)
    # A field only when the name and operator were typed outside quotes: "status:read" is a phrase.
    if match and (token.quoted_at == -1 or match.end() <= token.quoted_at):
        value = token.text[match.end() :]
        field, op = match.group("field"), match.group("op")
        pos = token.pos + (1 if token.negate else 0)
        if not value:
            raise QueryError(f"{field}{op} at {_col(pos)} needs a value, e.g. {_example(field.lower())}", pos)
        node: _Node = _Field(f"{field.lower()}{op}{value}", _field_term(field, op, value, pos))
    else:
        _bad_operator(token)
        if not token.text:
            raise QueryError(f"empty quotes at {_col(token.pos)}", token.pos)
        node = _Word(token.text)
    return _Not(node) if token.negate else node


def _example(field: str) -> str:
    examples = {"status": "status:read", "rating": "rating>=4", "year": "year>=2023", "upvotes": "upvotes>=50",
                "tag": "tag:rl", "source": "source:hf", "is": "is:rated", "author": "author:smith"}
    return examples.get(field, f"{field}:text")


# ---------------------------------------------------------------------------
# parsing


class _Parser:
    """Recursive descent: query := or; or := and ("OR" and)*; and := unary+;
    unary := "NOT" unary | "-"? ("(" or ")" | term)."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.i = 0
        self.depth = 0  # parentheses open around the current token

    @property
    def peek(self) -> _Token:
        return self.tokens[self.i]

    def take(self) -> _Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def parse(self) -> _Node | None:
        if self.peek.kind == "end":
            return None
        node = self.or_expr()
        token = self.peek
        if token.kind == ")":
            raise QueryError(f"')' at {_col(token.pos)} has no matching '('", token.pos)
        return node

    def or_expr(self) -> _Node:
        parts = [self.and_expr()]
        while self.peek.kind == "OR":
            op = self.take()
            if self.peek.kind in ("OR", ")", "end", "AND"):
                raise QueryError(f"OR at {_col(op.pos)} has nothing on its right", op.pos)
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else _Or(parts)

    def and_expr(self) -> _Node:
        parts: list[_Node] = []
        while True:
            token = self.peek
            if token.kind in ("OR", "AND") and not parts:
                raise QueryError(f"{token.kind} at {_col(token.pos)} has nothing on its left", token.pos)
            if token.kind == "AND":
                self.take()
                if self.peek.kind in ("OR", "AND", ")", "end"):
                    raise QueryError(f"AND at {_col(token.pos)} has nothing on its right", token.pos)
                continue
            if token.kind in ("OR", ")", "end"):
                break
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else _And(parts)

    def unary(self) -> _Node:
        token = self.take()
        if token.kind == "NOT":
            # NOT x is -x, as AND and OR are spelt-out operators too; NOT NOT x is x.
            if self.peek.kind in ("OR", "AND", ")", "end"):
                raise QueryError(f"NOT at {_col(token.pos)} has nothing on its right", token.pos)
            inner = self.unary()
            return inner.child if isinstance(inner, _Not) else _Not(inner)
        if token.kind == "-(":
            inner = self.group(self.take(), negated_at=token.pos)
            # -(-(x)) is x: a chain of negations adds no depth for matching to follow.
            return inner.child if isinstance(inner, _Not) else _Not(inner)
        if token.kind == "(":
            return self.group(token)
        return _term(token)

    def group(self, opening: _Token, negated_at: int | None = None) -> _Node:
        where = opening.pos if negated_at is None else negated_at
        if self.depth == MAX_NESTING:
            raise QueryError(
                f"parentheses nested more than {MAX_NESTING} deep at {_col(where)}: use fewer levels", where
            )
        if self.peek.kind == ")":
            raise QueryError(f"empty parentheses at {_col(where)}", where)
        self.depth += 1
        node = self.or_expr()
        if self.peek.kind != ")":
            raise QueryError(f"'(' at {_col(opening.pos)} is never closed: add ')'", opening.pos)
        self.take()
        self.depth -= 1
        return node


# ---------------------------------------------------------------------------
# answering a query from the search index


class _Slots:
    """An exact answer over the papers the index holds: these slots, or (``negated``) all but these."""

    __slots__ = ("negated", "slots")

    def __init__(self, slots: Mask, negated: bool = False) -> None:
        self.slots = slots  # a boolean per slot of the index
        self.negated = negated


def _all_of(masks: list[Mask]) -> Mask:
    kept = masks[0].copy()
    for mask in masks[1:]:
        kept &= mask
    return kept


def _any_of(masks: list[Mask]) -> Mask:
    covered = masks[0].copy()
    for mask in masks[1:]:
        covered |= mask
    return covered


def _and_slots(parts: list[_Slots]) -> _Slots:
    pos = [s.slots for s in parts if not s.negated]
    neg = [s.slots for s in parts if s.negated]
    if pos:
        kept = _all_of(pos)
        if neg:
            kept &= ~_any_of(neg)
        return _Slots(kept)
    return _Slots(_any_of(neg), negated=True)


def _or_slots(parts: list[_Slots]) -> _Slots:
    pos = [s.slots for s in parts if not s.negated]
    neg = [s.slots for s in parts if s.negated]
    if neg:
        # All but (the papers every negated part leaves out), then give back the positive ones.
        left_out = _all_of(neg)
        if pos:
            left_out &= ~_any_of(pos)
        return _Slots(left_out, negated=True)
    return _Slots(_any_of(pos))


class _Resolver:
    """Turns a query tree into index answers where it can and per-paper checks where it cannot.

    ``tested`` is about how many papers the checks will run on; it decides how set
    membership is tested (see ``member``).
    """

    def __init__(self, index: SearchIndex, tested: int) -> None:
        self.index = index
        self.tested = tested
        self.text_of: TextOf = index.text
        self.used_sets = False  # whether a check tests index membership (only valid for indexed papers)

    def resolve(self, node: _Node) -> _Slots | Predicate:
        if isinstance(node, _Word):
            mask = self.index.match(node.needle)
            return _Slots(mask) if mask is not None else node.compile(self.text_of)
        if isinstance(node, _Not):
            inner = self.resolve(node.child)
            if isinstance(inner, _Slots):
                return _Slots(inner.slots, not inner.negated)
            return lambda p: not inner(p)
        if isinstance(node, _Group):
            exact: list[_Slots] = []
            cheap: list[Predicate] = []
            dear: list[Predicate] = []
            for child in node.children:
                found = self.resolve(child)
                if isinstance(found, _Slots):
                    exact.append(found)
                else:
                    (dear if child.has_words else cheap).append(found)
            combined = (_or_slots if node.any_of else _and_slots)(exact) if exact else None
            if not cheap and not dear:
                assert combined is not None
                return combined
            # Attribute checks first, then a set lookup, then reading texts: cheapest first.
            checks = [*cheap, *([self.member(combined)] if combined is not None else []), *dear]
            return _any(checks) if node.any_of else _all(checks)
        return node.compile(self.text_of)

    def member(self, answer: _Slots) -> Predicate:
        """A set-membership test, for papers the index holds (others are decided by their own text).

        A small answer becomes a set of paper object ids (one lookup per paper); a large
        one is tested by slot, in a byte per slot, which saves converting many slots to ids.
        """
        self.used_sets = True
        negated = answer.negated
        if int(answer.slots.sum()) * 4 <= self.tested:
            ids = self.index.objects(answer.slots.nonzero()[0].tolist())
            return (lambda p: id(p) not in ids) if negated else (lambda p: id(p) in ids)
        found, slot_of = answer.slots.tobytes(), self.index.slots
        return (lambda p: not found[slot_of[id(p)]]) if negated else (lambda p: found[slot_of[id(p)]] == 1)


# ---------------------------------------------------------------------------
# the query


@dataclass(frozen=True)
class Query:
    """A parsed query: ``matches`` one paper, ``filter`` many (with the search index when there is one)."""

    text: str
    root: _Node | None = None
    _pred: Predicate = dataclasses.field(init=False, repr=False, compare=False)
    _parts: tuple[Predicate, ...] = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        root = self.root
        if root is None:
            parts: tuple[Predicate, ...] = ()
        elif isinstance(root, _And):
            parts = tuple(c.compile(search_text) for c in root.children)
        else:
            parts = (root.compile(search_text),)
        object.__setattr__(self, "_parts", parts)
        object.__setattr__(self, "_pred", _all(parts) if parts else _everything)

    @property
    def empty(self) -> bool:
        return self.root is None

    @property
    def words(self) -> tuple[str, ...]:
        """Free words the papers found contain (not those under a ``-``), for highlighting."""
        return tuple(self.root.words()) if self.root is not None else ()

    @property
    def predicates(self) -> tuple[Predicate, ...]:
        """Per-paper tests a paper must all pass: the top-level AND's parts, or the one whole query."""
        return self._parts

    def matches(self, paper: Paper) -> bool:
        return self.root is None or self._pred(paper)

    def filter(
        self, papers: Iterable[Paper], *, index: SearchIndex | None = None, where: Predicate | None = None
    ) -> list[Paper]:
        """The papers (in their order) that pass ``where`` and match the query.

        With an ``index`` that is ready, free words are answered from it; the result is
        exactly the same as without one, only faster on big libraries.
        """
        if where is not None:
            papers = [p for p in papers if where(p)]
        if self.root is None:
            return list(papers)
        if index is not None and self.root.has_words and index.acquire():
            try:
                return self._filter_indexed(papers, index)
            finally:
                index.release()
        return _keep(self._parts, papers)

    def _filter_indexed(self, papers: Iterable[Paper], index: SearchIndex) -> list[Paper]:
        root = self.root
        assert root is not None
        # Terms without free words (status, tag, rating …) are cheap attribute checks: apply them first.
        items: list[Paper] | None = None
        if isinstance(root, _And):
            plain = [c for c in root.children if not c.has_words]
            texty = [c for c in root.children if c.has_words]
            if plain:
                items = _keep([c.compile(search_text) for c in plain], papers)
            rest: _Node = texty[0] if len(texty) == 1 else _And(texty)
        else:
            rest = root
        if items is None:
            items = papers if isinstance(papers, list) else list(papers)
        if len(items) * 8 < len(index) and len(items) <= _FEW_TO_READ:
            # Few papers left (other terms or the view): reading their texts beats work over the whole index.
            check = rest.compile(index.text)
            return [p for p in items if check(p)]
        resolver = _Resolver(index, len(items))
        answer = resolver.resolve(rest)
        if isinstance(rest, _Word) and not isinstance(answer, _Slots):
            # Only whitespace (the index does not list it): a plain scan of the texts.
            needle, text_of = rest.needle, index.text
            return [p for p in items if needle in text_of(p)]
        test = resolver.member(answer) if isinstance(answer, _Slots) else answer
        if not resolver.used_sets:
            return [p for p in items if test(p)]  # text and field checks work on any paper
        live = index.slots
        if all(map(live.__contains__, map(id, items))):
            return [p for p in items if test(p)]
        # Papers the index has not seen (none, normally) are decided by their own text.
        outside = rest.compile(search_text)
        return [p for p in items if (test(p) if id(p) in live else outside(p))]


# Reading a paper's text takes ~10 µs (its abstract is on disk); the index's answer a few ms on 100k papers.
_FEW_TO_READ = 500


def _everything(paper: Paper) -> bool:
    return True


def parse_query(text: str, *, strict: bool = False) -> Query:
    """Parse what the user typed; raises ``QueryError`` (with the column) when it cannot be understood.

    A search box parses as the user types, so by default a field term still being
    typed at the very end (``tag:``, ``rating>=``) is left out rather than reported;
    ``strict`` reports it, for a query given whole (``--query``).
    """
    tokens = _lex(text)
    if not strict and len(tokens) > 1:
        last = tokens[-2]
        if last.kind == "term" and last.pos + len(last.raw) == len(text) and _typing_field(last):
            del tokens[-2]
    return Query(text=text, root=_Parser(tokens).parse())


def _typing_field(token: _Token) -> bool:
    match = _FIELD_TERM.match(token.text)
    return match is not None and match.end() == len(token.text) and token.quoted_at == -1


# ---------------------------------------------------------------------------
# sorting


@dataclass(frozen=True)
class SortOrder:
    """A sort key and its direction: dates and numbers largest first, titles A-Z, unless flipped with ``-``.

    Papers without a value for the key (no date, no upvotes, unrated, no time added) come last in both
    directions, in the order they were given, as reference managers list them: ``-date`` is oldest first,
    then the undated, not the undated first. The terminal UI and the command line both sort through here.
    """

    key: str
    descending: bool

    def sort(self, papers: Iterable[Paper]) -> list[Paper]:
        value, missing = _SORT_GETTERS[self.key]
        ordered = sorted(papers, key=value, reverse=self.descending)
        if self.descending or missing is None:
            return ordered  # no value sorts lowest: those papers are last already, in the order given
        # Smallest first puts them first (in the order given): moved after the others, found by bisection.
        cut = bisect_right(ordered, missing, key=value)
        return ordered[cut:] + ordered[:cut]


# Each key's value for a paper, and the value that stands for none (below every real one; None: every paper has
# one). Papers without a value go last whichever the direction. A field the date, upvotes, title or date-added
# key reads is one of readlist.storage.journal.ORDER_FIELDS: a list keeps the whole library in those orders until
# one of them changes.
_NO_COUNT = -math.inf
_SORT_GETTERS: dict[str, tuple[Callable[[Paper], Any], Any]] = {  # values: all str or all numbers per key
    "date": (lambda p: date_sort_key(p.published, p.arxiv_id), ""),
    "upvotes": (lambda p: p.upvotes if p.upvotes is not None else _NO_COUNT, _NO_COUNT),  # 0 upvotes is a count
    "rating": (operator.attrgetter("rating"), 0),  # 0 is unrated
    "title": (lambda p: p.title.casefold(), None),
    "added": (lambda p: p.added or "", ""),
    "updated": (lambda p: p.updated or "", ""),
}


def parse_sort(key: str, *, also: Sequence[str] = ()) -> SortOrder:
    """Read a sort key such as ``date``, ``-rating`` or ``+title``; raises ``SortKeyError`` naming the valid keys.

    ``also`` names orders the caller works out itself (``interest``), for the error to offer them too.
    """
    typed = key
    flip = key.strip().startswith("-")
    key = key.strip().lstrip("+-").lower()
    if key not in _SORT_GETTERS:
        raise SortKeyError(
            f"unknown sort key {typed!r}: use one of {', '.join((*also, *SORT_KEYS))} "
            "(a leading '-' reverses the order)"
        )
    return SortOrder(key, (key != "title") != flip)


def sort_papers(papers: Sequence[Paper], key: str = "added") -> list[Paper]:
    """Sort by a named key: numbers and dates largest first, titles A-Z, ``-`` flips (see :class:`SortOrder`)."""
    return parse_sort(key).sort(papers)
