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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from readlist.model import Paper, Status, ValidationError, normalize_tag, parse_status

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
        text = "\n".join(
            (paper.title, paper.abstract, " ; ".join(paper.authors), paper.organization or "", paper.note)
        ).casefold()
        self._cache[paper.id] = (paper.title, paper.abstract, paper.note, paper.authors, text)
        return text


HAYSTACKS = _Haystacks()


@dataclass(frozen=True)
class Query:
    text: str
    predicates: tuple[Predicate, ...]
    words: tuple[str, ...]  # positive free words, for highlighting

    def matches(self, paper: Paper) -> bool:
        return all(pred(paper) for pred in self.predicates)

    def filter(self, papers: Iterable[Paper]) -> list[Paper]:
        if not self.predicates:
            return list(papers)
        preds = self.predicates
        return [p for p in papers if all(pred(p) for pred in preds)]

    @property
    def empty(self) -> bool:
        return not self.predicates


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
        return lambda p: p.published is not None and compare(int(p.published[:4]), wanted)
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
        f"unknown field {field!r} (fields: status, rating, tag, year, upvotes, author, org, id, source, title, note, is)"
    )


def parse_query(text: str) -> Query:
    predicates: list[Predicate] = []
    words: list[str] = []
    for token in _tokens(text.strip()):
        negate = token.startswith("-") and len(token) > 1
        if negate:
            token = token[1:]
        match = _FIELD_TERM.match(token)
        if match and match.group("value"):
            pred = _field_term(match.group("field"), match.group("op"), match.group("value"))
        elif match and not match.group("value"):
            continue  # "tag:" while the user is still typing
        else:
            pred = _word(token)
            if not negate:
                words.append(token)
        if negate:
            predicates.append(lambda p, inner=pred: not inner(p))
        else:
            predicates.append(pred)
    return Query(text=text, predicates=tuple(predicates), words=tuple(words))


def sort_papers(papers: Sequence[Paper], key: str = "added") -> list[Paper]:
    """Sort by a named key: dates and numbers largest first, titles A-Z; a leading ``-`` flips it."""
    flip = key.startswith("-")
    key = key.lstrip("+-")
    getters: dict[str, Callable[[Paper], object]] = {
        "date": lambda p: p.published or "",
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
