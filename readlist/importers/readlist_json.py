"""readlist's own JSON: what ``export --format json``, ``list --json`` and ``show --json`` print.

Reading it back is how a library (or part of one) moves to another machine or to a colleague, so the
whole record comes back: the paper's metadata, and the user's own fields (status, rating, tags, note,
read date, citation key) on papers the library does not have yet. A paper the library already has is
merged like any other import: its metadata is filled in, what the user decided there is left alone.

Without this reader the export would be taken for Hugging Face JSON (both carry ``title`` and
``authors``), which reads the metadata only and drops everything the user added.

An export also carries what the library kept for each paper beyond the documented record, so that the
library it is imported into behaves as the one it came from: the paper's ``id`` and former ids
(``aliases``: a paper whose title was corrected is still found by the title it was imported under), when
the user last changed each field (``changed``: a corrected title or abstract stays the user's, and a sync
merge compares the same times), the status before "read" (``prev_status``) and the order papers were added
(``added_order``: the papers are added in that order; the number itself is the library's own).

None of it may let an edited file make one paper stand for another, so each is taken only as what it claims to
be. An id is an arXiv id as readlist writes it, and then only the record's own ``arxiv_id`` (any other text
would become the paper's id), or a title's ``t-…`` id, which names no paper but the one imported under that
title: the same claim a page with that title makes, which any import may make. A former id is only a title's id:
an arXiv id is its own paper's alone (a sync takes a paper's former id for a rename and merges the record under
it into the paper). Where the library already holds one of these ids for another paper (readlist.app.imports),
the paper gives it up rather than take it. Anything else (text that is no id, a list too long, a change time
that is not one or is in the future, a field that keeps no time) is left out and named in the import's report;
the paper itself is kept. So are the documented times (``added``, ``updated``, ``read_at``) that are in the
future: they decide a sync merge as the change times do (a paper touched after another machine deleted it
outlives the deletion) and the order of lists, so one in the future would keep the paper whatever is decided
elsewhere, at the top of the Inbox.

An export is the one input larger than a page: a whole library's is ~2.6 KB a paper, 260 MB at 100,000. A file
above the page cap that starts as one (:func:`streams`, on its first bytes) is read a record at a time up to
``MAX_EXPORT_BYTES`` (:func:`parse_file`), never whole: each record is checked as :func:`parse` checks it, and the
papers are given only once the whole file has been read, so a file cut off or damaged anywhere imports nothing.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Collection, Iterable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec

from readlist.core.model import (
    CHANGE_TIME_PATTERN,
    EDITABLE_FIELDS,
    MAX_RATING,
    PUBLIC_FIELDS,
    TAG_TIME_PREFIX,
    TIMED_FIELDS,
    Status,
    ValidationError,
    find_arxiv_id,
    is_paper_id,
    normalize_tag,
    now_iso,
)
from readlist.importers.base import (
    MAX_COUNT,
    MAX_EXPORT_BYTES,
    MAX_INPUT_BYTES,
    ImportFormatError,
    ParseResult,
    decode,
    load_json,
)
from readlist.importers.json_stream import array_items, too_large, utf8_text

FORMAT = "readlist-json"

# Keys only readlist's record has; the Hugging Face API has neither.
_RECORD_KEYS = ("source_formats", "status")
_SIGNATURE = tuple(re.compile(rf'"{key}"\s*:') for key in _RECORD_KEYS)
_SIGNATURE_WITHIN = 20000
_TAKEN = frozenset(PUBLIC_FIELDS) - {"id", "aliases"}
# The top-level keys of a library file (readlist.storage.snapshot): its header and its papers table.
_LIBRARY_KEYS = frozenset({"_meta", "papers"})
_COUNTS = ("upvotes", "authors_count")
# When a paper was added, last changed and read: ISO 8601 moments, which the library compares as text to sort.
_TIMES = ("added", "updated", "read_at")
# Ids a paper had before: one per title it was imported under and per record merged into it. More is no export's.
_MAX_ALIASES = 100
# How a title's id (readlist.core.model.title_id) starts: the former ids readlist gives a paper are those of the
# titles it was imported under (it got its arXiv id, its title was corrected, a record of it was merged into it).
_TITLE_ID_PREFIX = "t-"
# Change times: one per field the user changed, and one per tag ever added to or removed from the paper.
_MAX_CHANGE_TIMES = 2000
_STAMPED = TIMED_FIELDS | frozenset(EDITABLE_FIELDS)
_CHANGE_TIME = re.compile(CHANGE_TIME_PATTERN)
# What a paper's status was before it was marked read, which unmarking puts back: never read itself.
_BEFORE_READ = frozenset(status.value for status in Status if status is not Status.READ)
# A change time this far past the clock is a damaged or edited one: it would win every later merge.
_CLOCK_SLACK = timedelta(days=1)
_UNPLACED = MAX_COUNT + 1
_MAX_LABEL = 80
_NON_SPACE = re.compile(r"\S")
_DECODER = json.JSONDecoder()


def sniff(text: str) -> bool:
    """JSON (an object or an array) whose first record has the keys of readlist's paper record.

    The first record is read whole, however long its abstract or note: the keys come after those, and an
    export taken for Hugging Face JSON would come back without any status, rating, tag or note.
    """
    start = _skip_space(text, 0)
    if text[start : start + 1] not in ("{", "["):
        return False
    keys = _first_record_keys(text, start)
    if keys is not None and _LIBRARY_KEYS <= set(keys):
        return True  # a library file: parse says what it is and how to bring its papers
    if keys is None:  # not JSON at its start: the keys written there decide, as the import then fails anyway
        head = text[:_SIGNATURE_WITHIN]
        return all(key.search(head) for key in _SIGNATURE)
    return all(key in keys for key in _RECORD_KEYS)


def _first_record_keys(text: str, start: int) -> Collection[str] | None:
    """The keys of the JSON object at ``start``, or of the first object in the array there; None if unreadable.

    An array is read one item at a time up to the first object, so a large export is not decoded twice (here
    and by :func:`parse`); an object's values are skipped, not decoded.
    """
    try:
        if text[start] == "{":
            return msgspec.json.decode(text, type=dict[str, msgspec.Raw]).keys()
        index = _skip_space(text, start + 1)
        while index < len(text) and text[index] != "]":
            item, index = _DECODER.raw_decode(text, index)
            if isinstance(item, dict):
                return item.keys()
            index = _skip_space(text, index)
            if text.startswith(",", index):
                index = _skip_space(text, index + 1)
    except (ValueError, RecursionError):  # msgspec's DecodeError is a ValueError too
        return None
    return ()


def _library_file() -> str:
    """What to say about a library file given to import: what it is, and the way that keeps its user data.

    Its records are readlist's own, but it is a library (ids, change times, deleted papers), not an export;
    ``export -f json`` of it reads back with every paper's status, rating, tags and note. (The report line names
    the file first: the importer knows only its base name, which may not be where the user is.)
    """
    return ("a readlist library file, not a page or an export: `readlist --db FILE export -f json -o papers.json`, "
            "then `readlist import papers.json`, bring its papers here with their status, ratings, tags and notes")


def _skip_space(text: str, index: int) -> int:
    found = _NON_SPACE.search(text, index)
    return found.start() if found else len(text)


def _arxiv_id(value: object) -> str | None:
    """The arXiv id in the record's ``arxiv_id``, found as every importer finds one, or None."""
    return find_arxiv_id(value) if isinstance(value, str) else None


def _is_time(value: object) -> bool:
    """Whether ``value`` is an ISO 8601 date and time, as readlist writes them (``2025-01-02T03:04:05+00:00``)."""
    if not isinstance(value, str) or len(value) < 19 or value[10:11] != "T":
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _check_numbers(record: dict[str, Any]) -> None:
    """Refuse numbers no paper can hold, as a bad rating is refused, before they reach the record.

    JSON allows ``1e999`` (infinity) and integers of any size; a count must be one that readers of the
    exported file (JavaScript, jq) hold exactly.
    """
    rating = record.get("rating")
    if isinstance(rating, float) and not math.isfinite(rating):
        raise ValidationError(f"rating must be a whole number 0-{MAX_RATING}, not {rating!r}")
    if isinstance(rating, int | float) and not isinstance(rating, bool) and not 0 <= rating <= MAX_RATING:
        raise ValidationError(f"rating must be between 0 and {MAX_RATING}, not {_shown(rating)}")
    for name in _COUNTS:
        value = record.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(f"{name} must be a whole number, not {_shown(value)}")
        if not 0 <= value <= MAX_COUNT:
            raise ValidationError(f"{name} must be between 0 and {MAX_COUNT}, not {_shown(value)}")


def _bookkeeping(entry: dict[str, Any], record: dict[str, Any], result: ParseResult, label: str) -> int:
    """Put in ``record`` the id, former ids, change times and status before "read" that ``entry`` holds, each
    only where it is what it claims to be (see the module's docstring), noting in ``result`` what is left out.

    Returns the paper's place in the order papers were added to the library it comes from (0: not known).
    """
    given = entry.get("id")
    if given not in (None, ""):
        if isinstance(given, str) and is_paper_id(given) and (given == record["arxiv_id"] or given[:2] == "t-"):
            record["id"] = given
        else:
            result.notes.append((label, f"id {_shown(given)} is neither its arXiv id nor a title's id; left out "
                                        "(the paper's id follows from its arXiv id or title)"))
    aliases = _former_ids(entry.get("aliases"), result, label)
    if aliases:
        record["aliases"] = aliases
    changed = _change_times(entry.get("changed"), result, label)
    if changed:
        record["changed"] = changed
    prev_status = entry.get("prev_status")
    if prev_status in _BEFORE_READ:
        record["prev_status"] = prev_status
    elif prev_status == Status.READ.value:  # `r` (mark unread) would leave such a paper read
        result.notes.append((label, f"prev_status {_shown(prev_status)} is not a status before read; left out"))
    elif prev_status is not None:
        result.notes.append((label, f"prev_status {_shown(prev_status)} is not a status; left out"))
    order = entry.get("added_order")
    return order if type(order) is int and 0 < order <= MAX_COUNT else 0


def _former_ids(given: object, result: ParseResult, label: str) -> list[str]:
    """The ids in ``given`` (a record's ``aliases``), sorted and once each; what is not one is left out and said."""
    if given in (None, []):
        return []
    if not isinstance(given, list):
        result.notes.append((label, f"aliases {_shown(given)} is not a list of ids; left out"))
        return []
    if len(given) > _MAX_ALIASES:
        result.notes.append((label, f"{len(given)} former ids are more than a paper has ({_MAX_ALIASES} at most); "
                                    "left out"))
        return []
    titles: set[str] = set()
    bad: list[object] = []
    arxiv: list[str] = []
    for alias in given:
        if not (isinstance(alias, str) and is_paper_id(alias)):
            bad.append(alias)
        elif alias.startswith(_TITLE_ID_PREFIX):
            titles.add(alias)
        else:
            arxiv.append(alias)
    if bad:
        result.notes.append((label, f"former id {_first_of(bad)} is not an id; left out"))
    # An arXiv id is only ever its own paper's: claimed as a former id, it would make that paper, later in the same
    # file or imported since, one the next sync takes for a rename of this one and merges into it.
    if arxiv:
        result.notes.append((label, f"former id {_first_of(arxiv)} is an arXiv id, which only the paper with it "
                                    "has; left out"))
    return sorted(titles)


def _change_times(given: object, result: ParseResult, label: str) -> dict[str, str]:
    """The change times in ``given`` (a record's ``changed``) of fields that keep one; the rest left out and said.

    A time must read as one and be no later than today: a time in the future would win every merge to come.
    """
    if given in (None, {}):
        return {}
    if not isinstance(given, dict):
        result.notes.append((label, f"changed {_shown(given)} is not a table of change times; left out"))
        return {}
    if len(given) > _MAX_CHANGE_TIMES:
        result.notes.append((label, f"{len(given)} change times are more than a paper keeps "
                                    f"({_MAX_CHANGE_TIMES} at most); left out"))
        return {}
    latest = _latest()
    kept = {name: stamp for name, stamp in given.items() if _keeps_time(name) and _is_change_time(stamp, latest)}
    if len(kept) < len(given):
        bad = [name for name in given if name not in kept]
        result.notes.append((label, f"the change time of {_first_of(bad)} is not one readlist keeps; left out"))
    return kept


def _keeps_time(name: object) -> bool:
    """Whether ``name`` is a key of ``Paper.changed``: a field the user changes or corrects, or ``tags:`` a tag."""
    if not isinstance(name, str):
        return False
    if name.startswith(TAG_TIME_PREFIX):
        tag = name[len(TAG_TIME_PREFIX) :]
        return bool(tag) and normalize_tag(tag) == tag
    return name in _STAMPED


def _is_change_time(value: object, latest: datetime) -> bool:
    """Whether ``value`` is a moment as readlist stamps a change (to the second), and not after ``latest``."""
    if not (isinstance(value, str) and _CHANGE_TIME.match(value) and _is_time(value)):
        return False
    return _moment(value) <= latest


def _latest() -> datetime:
    """The latest moment a time in an export can be: now, give or take another machine's clock."""
    return datetime.fromisoformat(now_iso()) + _CLOCK_SLACK


def _moment(value: str) -> datetime:
    """The moment ``value`` (checked by :func:`_is_time`) names; one without a zone is taken as UTC."""
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _first_of(values: list[Any]) -> str:
    """The first of the ``values`` left out, shown, and how many more there are: one note for them all."""
    more = f" (and {len(values) - 1} more)" if len(values) > 1 else ""
    return _shown(values[0]) + more


def parse(data: bytes | str, *, source: str = "", today: date | None = None, year: int | None = None) -> ParseResult:
    text = decode(data)
    value = load_json(text)
    if isinstance(value, dict) and _LIBRARY_KEYS <= value.keys():
        raise ImportFormatError(_library_file())
    return _read(value if isinstance(value, list) else [value])


def streams(head: bytes) -> bool:
    """Whether a file that starts with ``head`` is an export :func:`parse_file` reads: a JSON array whose first
    record is readlist's (:func:`sniff`, which reads the keys written in ``head`` when the record is not whole)."""
    text = head.decode("utf-8-sig", errors="replace")  # the head may end inside a character
    start = _skip_space(text, 0)
    return text[start : start + 1] == "[" and sniff(text)


def parse_file(path: Path, *, source: str = "", today: date | None = None, year: int | None = None) -> ParseResult:
    """An export too large to read whole (up to :data:`MAX_EXPORT_BYTES`), read and checked a record at a time.

    Every record is checked as :func:`parse` checks it. The papers are returned only once the whole file has been
    read: a file cut off or damaged anywhere gives no paper at all, as when :func:`parse` cannot read it.
    """
    what = "readlist's own JSON export"
    with path.open("rb") as handle:
        if os.fstat(handle.fileno()).st_size > MAX_EXPORT_BYTES:
            raise too_large(MAX_EXPORT_BYTES, what)  # said at once, not after a gigabyte read
        text = utf8_text(handle, limit=MAX_EXPORT_BYTES, what=what)
        return _read(array_items(text, item_limit=MAX_INPUT_BYTES))


def _read(entries: Iterable[object]) -> ParseResult:
    """The papers of the records ``entries``, each checked; those that cannot be papers skipped with the reason."""
    result = ParseResult(format=FORMAT, provenance=True)
    orders: list[int] = []  # each paper's place in the order its library added them
    latest = _latest()
    for number, entry in enumerate(entries, start=1):
        label = f"record {number}"
        if not isinstance(entry, dict):
            result.skipped.append((label, "not a paper record"))
            continue
        title = entry.get("title")
        if isinstance(title, str) and title.strip():
            label = title[:_MAX_LABEL]
        record = {key: item for key, item in entry.items() if key in _TAKEN}
        try:
            _check_numbers(record)
        except ValidationError as exc:
            result.skipped.append((label, str(exc)))
            continue
        for name in _TIMES:
            value = record.get(name)
            if value in (None, ""):
                continue
            if not _is_time(value):
                del record[name]  # the paper is still worth having; when it was added or read is not known
                result.notes.append((label, f"{name} {_shown(value)} is not a date and time; left out"))
            elif _moment(value) > latest:
                del record[name]  # as a change time in the future: it would win every merge and lead every list
                result.notes.append((label, f"{name} {_shown(value)} is after today; left out"))
        record["arxiv_id"] = _arxiv_id(record.get("arxiv_id"))
        if record.get("cite_key") is not None:
            record["cite_key"] = result.usable_key(str(record["cite_key"]), label)
        order = _bookkeeping(entry, record, result, label)
        read = len(result.papers)
        result.add(record, label)
        if len(result.papers) > read:
            orders.append(order or _UNPLACED)
    if not result.papers:
        reason = f" ({result.skipped[0][1]})" if result.skipped else ""
        raise ImportFormatError(f"no papers found in this readlist JSON{reason}")
    # An export lists papers by id; they are added in the order they were added where they come from (lists
    # show papers added in the same second, one import, in that order), those of no known place last.
    placed = sorted(range(len(orders)), key=orders.__getitem__)
    result.papers[:] = [result.papers[i] for i in placed]
    return result
