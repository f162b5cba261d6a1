"""The paper record: fields, statuses, identity and validation.

This module is the vocabulary the rest of readlist speaks. It has no I/O and
no UI imports so that importers, the store, the CLI and the TUI agree on one
definition of a paper.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from readlist.core.dates import PUBLISHED_PATTERN, PartialDate, effective_date, effective_year
from readlist.core.text import clean_block, clean_line, strip_controls


class Status(StrEnum):
    INBOX = "inbox"
    TO_READ = "to-read"
    READING = "reading"
    READ = "read"
    SKIPPED = "skipped"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]

    @property
    def glyph(self) -> str:
        return _STATUS_GLYPHS[self]


_STATUS_LABELS = {
    Status.INBOX: "Inbox",
    Status.TO_READ: "To read",
    Status.READING: "Reading",
    Status.READ: "Read",
    Status.SKIPPED: "Skipped",
}
_STATUS_GLYPHS = {
    Status.INBOX: "•",
    Status.TO_READ: "+",
    Status.READING: "▸",
    Status.READ: "✓",
    Status.SKIPPED: "×",
}

# Fields the user owns: importers never write them on an existing paper.
USER_FIELDS = frozenset({"status", "rating", "tags", "note", "read_at", "cite_key"})
# Fields that describe the paper at its source: re-import may fill or refresh them.
SOURCE_FIELDS = (
    "arxiv_id",
    "title",
    "abstract",
    "authors",
    "authors_count",
    "organization",
    "published",
    "upvotes",
    "url",
    "categories",
    "doi",
    "journal_ref",
    "ai_summary",
    "ai_keywords",
    "github_repo",
    "project_page",
)
# Source fields a re-import overwrites with fresher values (the rest are only filled when empty).
REFRESHED_FIELDS = frozenset({"upvotes", "abstract"})

MAX_RATING = 5
_ARXIV_NEW = re.compile(r"(?<![\d.])(\d{4}\.\d{4,5})(?:v\d+)?(?![\d])")
_ARXIV_OLD = re.compile(r"\b([a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?\b")
_ASCII_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
class ValidationError(ValueError):
    """A value the user or a source gave that a paper cannot hold."""


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def normalize_title(title: str) -> str:
    """The dedup key for papers without an arXiv id: case-folded, no punctuation or spaces."""
    if title.isascii():
        return _ASCII_NOT_ALNUM.sub("", title.lower())  # same result, ~10x faster for the common case
    decomposed = unicodedata.normalize("NFKD", title)
    return "".join(ch for ch in decomposed.casefold() if ch.isalnum())


def title_id(title: str) -> str:
    digest = hashlib.sha1(normalize_title(title).encode("utf-8")).hexdigest()
    return "t-" + digest[:10]


def find_arxiv_id(text: str) -> str | None:
    """Pull an arXiv id (without version) out of an id, URL or free text."""
    if not text:
        return None
    match = _ARXIV_NEW.search(text)
    if match:
        return match.group(1)
    match = _ARXIV_OLD.search(text)
    return match.group(1) if match else None


def rating_stars(rating: int, unrated: str = "") -> str:
    """★★★☆☆ for a rating; ``unrated`` for 0."""
    return "★" * rating + "☆" * (MAX_RATING - rating) if rating else unrated


def normalize_tag(tag: str) -> str:
    tag = clean_line(tag).lower().lstrip("#")
    tag = re.sub(r"[\s,]+", "-", tag)
    return tag.strip("-+")


def normalize_tags(tags: Any) -> list[str]:
    if isinstance(tags, str):
        tags = re.split(r"[,\s]+", tags)
    out = {normalize_tag(str(t)) for t in tags or []}
    out.discard("")
    return sorted(out)


def parse_status(value: str) -> Status:
    key = value.strip().lower().replace("_", "-").replace(" ", "-")
    aliases = {"toread": "to-read", "keep": "to-read", "skip": "skipped", "todo": "to-read", "done": "read"}
    key = aliases.get(key, key)
    try:
        return Status(key)
    except ValueError:
        known = ", ".join(s.value for s in Status)
        raise ValidationError(f"unknown status {value!r} (expected one of: {known})") from None


def parse_rating(value: Any) -> int:
    try:
        rating = int(value)
    except (TypeError, ValueError):
        raise ValidationError(f"rating must be a whole number 0-5, not {value!r}") from None
    if not 0 <= rating <= MAX_RATING:
        raise ValidationError(f"rating must be between 0 and 5, not {rating}")
    return rating


@dataclass(slots=True)
class Paper:
    """One paper in the library; field meanings follow the documented record."""

    title: str
    id: str = ""
    arxiv_id: str | None = None
    abstract: str = ""
    authors: list[str] = field(default_factory=list)
    authors_count: int | None = None
    organization: str | None = None
    published: str | None = None
    upvotes: int | None = None
    url: str | None = None
    status: str = Status.INBOX.value
    rating: int = 0
    tags: list[str] = field(default_factory=list)
    note: str = ""
    added: str = ""
    updated: str = ""
    read_at: str | None = None
    sources: list[str] = field(default_factory=list)
    # arXiv categories, primary first, once known (from arXiv or enrichment).
    categories: list[str] = field(default_factory=list)
    # The citation key: fixed once it has been shown, copied or exported; the user may set it.
    cite_key: str | None = None
    doi: str | None = None
    journal_ref: str | None = None
    # What Hugging Face adds to a paper: a generated one-line summary, keywords, code and project pages.
    ai_summary: str | None = None
    ai_keywords: list[str] = field(default_factory=list)
    github_repo: str | None = None
    project_page: str | None = None
    # The status a paper had before it was marked read, so "toggle read" can go back.
    prev_status: str | None = None

    def __post_init__(self) -> None:
        self.title = clean_line(self.title)
        if not self.title:
            raise ValidationError("a paper needs a title")
        self.abstract = clean_block(self.abstract or "")
        self.authors = [a for a in (clean_line(str(a)) for a in self.authors or []) if a]
        if self.authors_count is None and self.authors:
            self.authors_count = len(self.authors)
        if self.organization is not None:
            self.organization = clean_line(self.organization) or None
        if self.arxiv_id:
            self.arxiv_id = find_arxiv_id(self.arxiv_id) or clean_line(self.arxiv_id)
        else:
            self.arxiv_id = None
        if self.published is not None and not PUBLISHED_PATTERN.match(self.published):
            raise ValidationError(f"published date must be YYYY, YYYY-MM or YYYY-MM-DD, not {self.published!r}")
        self.status = parse_status(self.status).value
        self.rating = parse_rating(self.rating)
        self.tags = normalize_tags(self.tags)
        self.note = strip_controls(self.note or "").replace("\r\n", "\n")
        if not self.id:
            self.id = self.arxiv_id or title_id(self.title)
        stamp = now_iso()
        self.added = self.added or stamp
        self.updated = self.updated or self.added

    @property
    def dedup_keys(self) -> tuple[str, ...]:
        keys = ["t:" + normalize_title(self.title)]
        if self.arxiv_id:
            keys.insert(0, "a:" + self.arxiv_id)
        return tuple(keys)

    @property
    def date(self) -> PartialDate | None:
        """The most precise date known: the record's own, completed from the arXiv id when that says more."""
        return effective_date(self.published, self.arxiv_id)

    @property
    def year(self) -> int | None:
        """The publication year, from the record or else from the arXiv id (``2011.00552`` → 2020)."""
        return effective_year(self.published, self.arxiv_id)

    @property
    def month(self) -> int | None:
        """The publication month when known (never guessed from a year alone)."""
        found = self.date
        return found.month if found else None

    @property
    def byline(self) -> str:
        """Authors as a person would read them, never inventing names."""
        if self.authors:
            if len(self.authors) > 3:
                return f"{self.authors[0]}, {self.authors[1]}, … +{len(self.authors) - 2}"
            return ", ".join(self.authors)
        if self.organization:
            return self.organization
        if self.authors_count:
            return f"{self.authors_count} author" + ("s" if self.authors_count != 1 else "")
        return ""

    def to_dict(self) -> dict[str, Any]:
        """Everything, for storage."""
        return _to_dict(self)

    def public_dict(self) -> dict[str, Any]:
        """The documented record, as `list --json` and `show --json` print it."""
        return _public_dict(self)

    @classmethod
    def create(cls, **fields: Any) -> Paper:
        """Build a paper from untrusted values: cleaned, normalized and validated."""
        return cls(**fields)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Paper:
        """Build and validate a paper from untrusted data (unknown keys are ignored)."""
        return cls.create(**{k: v for k, v in data.items() if k in _FIELD_SET})

    @classmethod
    def trusted(cls, data: dict[str, Any]) -> Paper:
        """Rebuild a paper the store wrote itself, skipping validation (the hot path at load)."""
        return _trusted(cls, data)


FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Paper))
# The documented record, in its documented order.
PUBLIC_FIELDS: tuple[str, ...] = (
    "id", "arxiv_id", "title", "abstract", "authors", "authors_count", "organization", "published",
    "upvotes", "url", "status", "rating", "tags", "note", "added", "updated", "read_at", "sources",
    "categories", "cite_key", "doi", "journal_ref", "ai_summary", "ai_keywords", "github_repo", "project_page",
)
_FIELD_SET = frozenset(FIELD_NAMES)
_LIST_FIELDS = frozenset({"authors", "tags", "sources", "categories", "ai_keywords"})
_EMPTY_LIST: list[str] = []  # sentinel: replaced by a fresh list per paper
_TRUSTED_DEFAULTS: dict[str, Any] = {"rating": 0, "abstract": "", "note": "", "status": Status.INBOX.value}
_DEFAULTS: tuple[tuple[str, Any], ...] = tuple(
    (f.name, _EMPTY_LIST if f.name in _LIST_FIELDS else _TRUSTED_DEFAULTS.get(f.name))
    for f in fields(Paper)
)


def _compile_trusted() -> Any:
    """Straight-line code for ``Paper.trusted``: one attribute store per field, no loop.

    Loading 100k papers spends most of its Python time here; unrolled stores are
    about four times faster than setting the fields in a loop.
    """
    lines = ["def trusted(cls, data):", "    get = data.get", "    paper = new(cls)"]
    for name, default in _DEFAULTS:
        if default is _EMPTY_LIST:
            lines.append(f"    value = get({name!r}, EMPTY)")
            lines.append(f"    paper.{name} = [] if value is EMPTY else value")
        else:
            lines.append(f"    paper.{name} = get({name!r}, {default!r})")
    lines.append("    return paper")
    namespace: dict[str, Any] = {"new": object.__new__, "EMPTY": _EMPTY_LIST}
    exec("\n".join(lines), namespace)
    return namespace["trusted"]


_trusted = _compile_trusted()


def _compile_dumper(names: tuple[str, ...]) -> Any:
    """Straight-line code for a record as a dict (lists copied), for the same reason as above."""
    items = ", ".join(
        f"{name!r}: list(paper.{name})" if name in _LIST_FIELDS else f"{name!r}: paper.{name}" for name in names
    )
    namespace: dict[str, Any] = {}
    exec(f"def dump(paper):\n    return {{{items}}}", namespace)
    return namespace["dump"]


_to_dict = _compile_dumper(FIELD_NAMES)
_public_dict = _compile_dumper(PUBLIC_FIELDS)
