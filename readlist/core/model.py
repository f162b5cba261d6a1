"""The paper record: fields, statuses, identity and validation.

This module is the vocabulary the rest of readlist speaks. It has no I/O and
no UI imports so that importers, the store, the CLI and the TUI agree on one
definition of a paper.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

import msgspec

from readlist.core.dates import PUBLISHED_PATTERN, PartialDate, effective_date, effective_year
from readlist.core.text import clean_block, clean_line, clean_note


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
# Fields whose change times a record keeps (see Paper.changed): the user's, and the status a read paper had.
TIMED_FIELDS = USER_FIELDS | {"prev_status"}
# Paper.changed also keeps, per tag, when it was last added or removed, under this prefix ("tags:rl").
TAG_TIME_PREFIX = "tags:"


def tag_time_key(tag: str) -> str:
    """The key of ``Paper.changed`` that says when ``tag`` was last added to or removed from a paper."""
    return TAG_TIME_PREFIX + tag


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
# Source fields the user may correct by hand (readlist/app/details.py). A corrected field has a change time in
# Paper.changed, and is the user's from then on: imports and enrichment leave it alone (see user_edited).
EDITABLE_FIELDS = ("title", "authors", "organization", "published", "url", "doi", "journal_ref", "abstract")


def other_arxiv_ids(one: Paper, other: Paper) -> bool:
    """Whether two records have arXiv ids of their own that differ: then they are two papers, whatever their
    titles (the dedup rule: a title only matches where one of the two has no arXiv id)."""
    return bool(one.arxiv_id and other.arxiv_id and one.arxiv_id != other.arxiv_id)


def user_edited(paper: Paper, name: str) -> bool:
    """Whether the user corrected source field ``name`` of ``paper`` by hand (so no source may change it)."""
    return name in paper.changed and name in _EDITABLE_SET

_EDITABLE_SET = frozenset(EDITABLE_FIELDS)
MAX_RATING = 5
# New-style ids (since April 2007): YYMM.NNNN (to 2014) or YYMM.NNNNN. Not preceded by a digit or a
# digit and a dot (so "10.1109/X.2022.00035" is no id), but "10.48550/arXiv.2310.01234" is.
_ARXIV_NEW = re.compile(r"(?<!\d)(?<!\d\.)(\d{2}(?:0[1-9]|1[0-2])\.\d{4,5})(?:v\d+)?(?!\d)")
# Old-style ids (1991 to March 2007): archive/YYMMNNN, sometimes written with the subject class
# (``math.GT/0309136``), which is not part of the id. Only real archive names count, so a path such
# as ``/users/1234567`` in some URL is never taken for an id.
_OLD_ARCHIVES = (
    "acc-phys", "adap-org", "alg-geom", "ao-sci", "astro-ph", "atom-ph", "bayes-an", "chao-dyn", "chem-ph",
    "cmp-lg", "comp-gas", "cond-mat", "cs", "dg-ga", "funct-an", "gr-qc", "hep-ex", "hep-lat", "hep-ph",
    "hep-th", "math", "math-ph", "mtrl-th", "nlin", "nucl-ex", "nucl-th", "patt-sol", "physics", "plasm-ph",
    "q-alg", "q-bio", "quant-ph", "solv-int", "supr-con",
)
_ARXIV_OLD = re.compile(
    r"(?<![\w.-])(" + "|".join(sorted(_OLD_ARCHIVES, key=len, reverse=True)) + r")"
    r"(?:\.[A-Za-z][A-Za-z-]+)?/(\d{2}(?:0[1-9]|1[0-2])\d{3})(?:v\d+)?(?!\d)",
    re.IGNORECASE,
)
_ARXIV_EXACT = re.compile(
    r"(?:arxiv:)?(?:\d{2}(?:0[1-9]|1[0-2])\.\d{4,5}|(?:" + "|".join(_OLD_ARCHIVES) + r")"
    r"(?:\.[A-Za-z][A-Za-z-]+)?/\d{2}(?:0[1-9]|1[0-2])\d{3})(?:v\d+)?",
    re.IGNORECASE,
)
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


_TITLE_ID = re.compile(r"t-[0-9a-f]{10}")


def is_paper_id(text: str) -> bool:
    """Whether ``text`` is an id readlist gives a paper: an arXiv id as :func:`find_arxiv_id` writes it, or a
    title's ``t-…`` id (:func:`title_id`). Ids are looked up, indexed and shown; other text is no id."""
    return _TITLE_ID.fullmatch(text) is not None or find_arxiv_id(text) == text


def find_arxiv_id(text: str) -> str | None:
    """Pull an arXiv id (without version) out of an id, URL or free text.

    Old-style ids come back in their canonical form, ``archive/YYMMNNN`` in lower case without the
    subject class, so ``math.GT/0309136v2`` and ``math/0309136`` are one paper for dedup and lookup.
    """
    if not text:
        return None
    match = _ARXIV_NEW.search(text)
    if match:
        return match.group(1)
    match = _ARXIV_OLD.search(text)
    return f"{match.group(1).lower()}/{match.group(2)}" if match else None


# An arXiv category: archive, optionally with a subject class (cs.CL, hep-th, math.AG, q-fin.ST). ACM and
# MSC classes (``I.2.7``, ``68T05``), which old records list among their categories, are not.
_ARXIV_CATEGORY = re.compile(r"^[a-z][a-z-]*(?:\.[A-Za-z][A-Za-z-]*)?$")


def is_arxiv_category(text: str) -> bool:
    return _ARXIV_CATEGORY.match(text) is not None


def is_arxiv_id(text: str) -> bool:
    """True when the whole text is one arXiv id (optionally ``arXiv:``-prefixed and versioned).

    What is sent to the arXiv API is checked with this: one malformed id makes the API
    refuse a whole batch.
    """
    return bool(text) and _ARXIV_EXACT.fullmatch(text.strip()) is not None


def rating_stars(rating: int, unrated: str = "") -> str:
    """★★★☆☆ for a rating; ``unrated`` for 0."""
    return "★" * rating + "☆" * (MAX_RATING - rating) if rating else unrated


def normalize_tag(tag: str) -> str:
    tag = clean_line(tag).lower().lstrip("#")
    tag = re.sub(r"[\s,]+", "-", tag)
    # A leading + or - is the command line's "add"/"remove", never part of a tag; a trailing + is (c++).
    return tag.lstrip("-+").rstrip("-")


def split_tag_words(text: str) -> list[str]:
    """Tags typed as text, separated by commas or spaces (the app's tag box, ``readlist tag``, a string of tags)."""
    return [word for word in re.split(r"[,\s]+", text) if word]


def normalize_tags(tags: Any) -> list[str]:
    if isinstance(tags, str):
        tags = split_tag_words(tags)
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
        raise ValidationError(
            f"unknown status {value!r} (expected one of: {known}; keep, todo, skip and done also work)"
        ) from None


def parse_rating(value: Any) -> int:
    try:
        rating = int(value)
    except (TypeError, ValueError):
        raise ValidationError(f"rating must be a whole number 0-5, not {value!r}") from None
    if not 0 <= rating <= MAX_RATING:
        raise ValidationError(f"rating must be between 0 and 5, not {rating}")
    return rating


StatusValue = Literal["inbox", "to-read", "reading", "read", "skipped"]
Rating = Annotated[int, msgspec.Meta(ge=0, le=MAX_RATING)]
Count = Annotated[int, msgspec.Meta(ge=0)]
DateText = Annotated[str, msgspec.Meta(pattern=PUBLISHED_PATTERN.pattern)]
NonEmpty = Annotated[str, msgspec.Meta(min_length=1)]
# A change time as now_iso() writes it; anything else in a library file (written by hand, or by another
# program) is refused on load rather than compared as text with real times.
# When a field last changed: an ISO 8601 time, to the second at least (repair keeps only such values).
CHANGE_TIME_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}"
ChangeTime = Annotated[str, msgspec.Meta(pattern=CHANGE_TIME_PATTERN)]


class Paper(msgspec.Struct, kw_only=True, gc=False):
    """One paper in the library; field meanings follow the documented record.

    The class is the record's schema as well: a library file or journal line is decoded straight into
    it, and a value of the wrong type is refused with the field's name. Constructing one directly
    trusts its values; text from a page or a user goes through :meth:`create`, which cleans it.
    Instances hold no reference cycles, so the garbage collector need not track them (``gc=False``):
    with 100,000 papers that keeps collections from re-scanning the whole library.
    """

    id: NonEmpty
    arxiv_id: str | None = None
    title: NonEmpty
    abstract: str = ""
    authors: list[str] = msgspec.field(default_factory=list)
    authors_count: Count | None = None
    organization: str | None = None
    published: DateText | None = None
    upvotes: int | None = None
    url: str | None = None
    status: StatusValue = "inbox"
    rating: Rating = 0
    tags: list[str] = msgspec.field(default_factory=list)
    note: str = ""
    added: str = ""
    updated: str = ""
    read_at: str | None = None
    sources: list[str] = msgspec.field(default_factory=list)
    # The import formats the paper came through (hf-text, bibtex, …), so `source:hf` finds text copies too.
    source_formats: list[str] = msgspec.field(default_factory=list)
    # arXiv categories, primary first, once known (from arXiv or enrichment).
    categories: list[str] = msgspec.field(default_factory=list)
    # The citation key: fixed once it has been shown, copied or exported; the user may set it.
    cite_key: str | None = None
    doi: str | None = None
    journal_ref: str | None = None
    # What Hugging Face adds to a paper: a generated one-line summary, keywords, code and project pages.
    ai_summary: str | None = None
    ai_keywords: list[str] = msgspec.field(default_factory=list)
    github_repo: str | None = None
    project_page: str | None = None
    # Ids the paper had before (a text-copy paper's t-… id, once enrichment found its arXiv id): a lookup
    # by an old id still finds it. A t-… id names a title (title_id), so this also keeps a paper found by the
    # title it was imported under once the user corrected it (a paper from arXiv gets that title's id here then).
    aliases: list[str] = msgspec.field(default_factory=list)
    # The status a paper had before it was marked read, so "toggle read" can go back.
    prev_status: StatusValue | None = None
    # When the user last changed each of their fields (field name -> ISO 8601 UTC time), and each tag
    # ("tags:NAME" -> when it was last added or removed), so that merging two copies of the library can let
    # the later change win. Fields never changed by the user have no entry; records written before this field
    # existed have none at all ("unknown", older than any known time).
    changed: dict[str, ChangeTime] = msgspec.field(default_factory=dict)
    # Where the paper came in the order papers were added to this library (1, 2, …; 0: not placed yet). The
    # library file is sorted by id, so this keeps papers added in the same second (one import) in the order
    # they came, in every list, as they were before.
    added_order: Count = 0

    @classmethod
    def create(cls, **values: Any) -> Paper:
        """Build a paper from untrusted values: cleaned, normalized and validated.

        Raises :class:`ValidationError` with a message for the user when a value cannot be held.
        """
        unknown = values.keys() - _FIELD_SET
        if unknown:
            raise ValidationError(f"unknown field(s): {', '.join(sorted(unknown))}")
        title = clean_line(str(values.get("title") or ""))
        if not title:
            raise ValidationError("a paper needs a title")
        values["title"] = title
        values["abstract"] = clean_block(str(values.get("abstract") or ""))
        authors = [a for a in (clean_line(str(a)) for a in values.get("authors") or []) if a]
        values["authors"] = authors
        if values.get("authors_count") is None and authors:
            values["authors_count"] = len(authors)
        for name in _OPTIONAL_LINES:
            value = values.get(name)
            if value is not None:
                values[name] = clean_line(str(value)) or None
        arxiv = values.get("arxiv_id")
        values["arxiv_id"] = (find_arxiv_id(str(arxiv)) or clean_line(str(arxiv))) if arxiv else None
        published = values.get("published")
        if published is not None and not PUBLISHED_PATTERN.match(str(published)):
            raise ValidationError(f"published date must be YYYY, YYYY-MM or YYYY-MM-DD, not {published!r}")
        values["status"] = parse_status(str(values.get("status") or Status.INBOX.value)).value
        values["rating"] = parse_rating(values.get("rating") or 0)
        values["tags"] = normalize_tags(values.get("tags"))
        values["note"] = clean_note(str(values.get("note") or ""))
        for name in _LINE_LISTS:
            values[name] = [x for x in (clean_line(str(v)) for v in values.get(name) or []) if x]
        if not values.get("id"):
            values["id"] = values["arxiv_id"] or title_id(title)
        stamp = now_iso()
        values["added"] = values.get("added") or stamp
        values["updated"] = values.get("updated") or values["added"]
        try:
            return msgspec.convert(values, cls)
        except msgspec.ValidationError as exc:
            raise ValidationError(str(exc)) from None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Paper:
        """Build and validate a paper from untrusted data (unknown keys are ignored)."""
        return cls.create(**{k: v for k, v in data.items() if k in _FIELD_SET})

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
        """Every field, lists copied: a record that later edits of this paper do not change."""
        return {name: list(value) if isinstance(value, list) else value for name, value in self._items()}

    def public_dict(self) -> dict[str, Any]:
        """The documented record, as `list --json` and `show --json` print it."""
        return {name: list(value) if isinstance(value, list) else value for name, value in self._items()
                if name not in _PRIVATE_FIELDS}

    def _items(self) -> Iterator[tuple[str, Any]]:
        for name in FIELD_NAMES:
            yield name, getattr(self, name)


class StoredText:
    """Text that stays where it is stored (a paper's abstract in the library file) until it is read.

    Abstracts are most of a library's size (1-2 KB each), and listing, searching and triaging need only
    the abstract under the cursor, so a library loaded from disk keeps a small reference to each one
    instead of the text. ``Paper.abstract`` reads it on every access: code reading papers always sees a
    ``str`` and never needs to know. It compares equal to the text it stands for and is never copied
    (copies of a paper share it: it names bytes on disk that never change).
    """

    __slots__ = ()

    # A plain base class, not an abc.ABC: ``isinstance`` against an ABC runs Python code, and writers of a whole
    # library ask it of 100,000 abstracts.
    def load(self) -> str:
        """The text; raises OSError when it can no longer be read."""
        raise NotImplementedError

    def json(self) -> bytes:
        """The text as a JSON string, as msgspec writes it (a stored one need not be decoded to be written)."""
        return msgspec.json.encode(self.load())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, StoredText):
            return other is self or self.load() == other.load()
        if isinstance(other, str):
            return self.load() == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # equal to a str, so it must not hash differently

    def __copy__(self) -> StoredText:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> StoredText:
        return self

    def __repr__(self) -> str:
        return repr(self.load())


# msgspec stores each field in a slot of the struct; ``abstract`` is read through a property instead, so
# that the slot may hold a StoredText. Encoding, decoding, copying and comparing work on the slot itself.
_ABSTRACT_SLOT: Any = Paper.__dict__["abstract"]


def _read_abstract(paper: Paper) -> str:
    value = _ABSTRACT_SLOT.__get__(paper, Paper)
    return value if type(value) is str else value.load()


setattr(Paper, "abstract", property(_read_abstract, _ABSTRACT_SLOT.__set__, doc="The abstract as text."))  # noqa: B010


def store_abstract(paper: Paper, text: StoredText) -> None:
    """Let ``paper``'s abstract be read from where it is stored instead of being kept in memory."""
    _ABSTRACT_SLOT.__set__(paper, text)


def abstract_mark(paper: Paper) -> object:
    """What ``paper``'s abstract is held as (its str, or a StoredText): the same object until it is changed.

    Caches keyed on a paper's texts compare this by identity; reading ``paper.abstract`` would load it.
    """
    return _ABSTRACT_SLOT.__get__(paper, Paper)


def encode_stored(value: object) -> object:
    """``enc_hook`` for msgspec JSON encoders of papers: a stored abstract is copied as its JSON text, undecoded."""
    if isinstance(value, StoredText):
        return msgspec.Raw(value.json())
    raise NotImplementedError(f"cannot encode {type(value).__name__}")


FIELD_NAMES: tuple[str, ...] = Paper.__struct_fields__
# What each field holds in a paper nobody has touched (a list field: an empty list, to be copied before use).
FIELD_DEFAULTS: dict[str, Any] = {
    info.name: info.default if info.default is not msgspec.NODEFAULT
    else info.default_factory() if info.default_factory is not msgspec.NODEFAULT else None
    for info in msgspec.structs.fields(Paper)
}
# Bookkeeping that is stored but is not part of the documented record.
_PRIVATE_FIELDS = frozenset({"prev_status", "changed", "added_order"})
# The documented record, in its documented order.
PUBLIC_FIELDS: tuple[str, ...] = tuple(name for name in FIELD_NAMES if name not in _PRIVATE_FIELDS)
_FIELD_SET = frozenset(FIELD_NAMES)
if set(FIELD_NAMES[len(PUBLIC_FIELDS):]) != _PRIVATE_FIELDS:
    raise TypeError("Paper's bookkeeping fields must come after the documented record (see public_json_array)")
# A paper's JSON (fields in declaration order) is its documented record up to the first bookkeeping field. Its
# member is the first place that reads ',"prev_status":': inside a string every quote is escaped, a string in a
# list is followed by "," or "]", never ":", and no documented field holds an object (``changed``, which has
# field names for keys, comes after it). A test checks that the documented fields stay free of objects.
_PRIVATE_FROM = b',"' + FIELD_NAMES[len(PUBLIC_FIELDS)].encode() + b'":'
_RECORD_JSON = msgspec.json.Encoder(enc_hook=encode_stored)

# Optional one-line text fields and lists of one-line texts, cleaned the same way as titles.
_OPTIONAL_LINES = ("organization", "url", "doi", "journal_ref", "ai_summary", "github_repo", "project_page",
                   "cite_key")
_LINE_LISTS = ("sources", "source_formats", "categories", "ai_keywords", "aliases")


def public_json_array(papers: Sequence[Paper], more: Sequence[bytes] | None = None, *,
                      bookkeeping: bool = False) -> bytes:
    """The :meth:`Paper.public_dict` of each paper, as one compact JSON array, encoded without building dicts.

    ``more[i]``, when given, is added to the ``i``-th record as further members (``,"interest":0.5``). A
    stored abstract is copied as the JSON text it is stored as, without decoding it. Each record is the
    paper's own encoding cut before its bookkeeping fields, and the pieces are joined once: the bytes of
    100k abstracts are copied as few times as possible. With ``bookkeeping`` the records are whole, the
    bookkeeping fields after the documented ones (an export that another library reads back as this one).
    """
    if not papers:
        return b"[]"
    encode, private_from = _RECORD_JSON.encode, _PRIVATE_FROM
    records: list[bytes | memoryview] = []
    for paper in papers:
        data = encode(paper)
        records.append(memoryview(data)[: -1 if bookkeeping else data.index(private_from)])
    n = len(records)
    ends = [b"},"] * (n - 1) + [b"}]"]
    pieces: list[bytes | memoryview] = [b"["]
    if more is None:
        pieces += [b""] * (2 * n)
        pieces[1::2], pieces[2::2] = records, ends
    else:
        pieces += [b""] * (3 * n)
        pieces[1::3], pieces[2::3], pieces[3::3] = records, more, ends
    return b"".join(pieces)


# How far along a paper is, for combining two records of it: the further status wins.
_STATUS_ORDER = (Status.INBOX.value, Status.SKIPPED.value, Status.TO_READ.value, Status.READING.value,
                 Status.READ.value)
MERGED_NOTE = "── Merged from a second record of this paper ──"


def latest_changes(*times: dict[str, str]) -> dict[str, str]:
    """Per field, the latest of several change-time maps (a field missing from all of them stays missing)."""
    out: dict[str, str] = {}
    for changed in times:
        for name, stamp in changed.items():
            if stamp > out.get(name, ""):
                out[name] = stamp
    return out


def merge_papers(first: Paper, second: Paper) -> Paper:
    """One record from two records of the same paper, losing nothing the user wrote.

    ``first``'s id and values win; its empty fields are filled from ``second``. The user's fields are
    combined: tags joined, the higher rating, the further status, the earlier read date, both notes
    (the second under a separator line when they differ), and ``second``'s id kept as an alias.
    """
    merged = msgspec.structs.replace(first)
    for name in FIELD_NAMES:
        mine, theirs = getattr(merged, name), getattr(second, name)
        if mine in (None, "", []) and theirs not in (None, "", []):
            setattr(merged, name, theirs)
    merged.tags = sorted(set(first.tags) | set(second.tags))
    merged.rating = max(first.rating, second.rating)
    merged.status = max(first.status, second.status, key=_STATUS_ORDER.index)
    merged.read_at = min((t for t in (first.read_at, second.read_at) if t), default=None)
    merged.sources = list(dict.fromkeys([*first.sources, *second.sources]))
    merged.source_formats = sorted(set(first.source_formats) | set(second.source_formats))
    merged.aliases = sorted(({*first.aliases, *second.aliases, second.id}) - {first.id})
    merged.changed = latest_changes(first.changed, second.changed)
    notes = [n.strip() for n in (first.note, second.note) if n.strip()]
    if len(notes) == 2 and notes[0] != notes[1] and notes[1] not in notes[0]:
        merged.note = f"{notes[0]}\n\n{MERGED_NOTE}\n\n{notes[1]}\n"
    elif notes:
        merged.note = first.note if first.note.strip() else second.note
    return merged
