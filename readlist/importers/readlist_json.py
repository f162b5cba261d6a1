"""readlist's own JSON: what ``export --format json``, ``list --json`` and ``show --json`` print.

Reading it back is how a library (or part of one) moves to another machine or to a colleague, so the
whole record comes back: the paper's metadata, and the user's own fields (status, rating, tags, note,
read date, citation key) on papers the library does not have yet. A paper the library already has is
merged like any other import: its metadata is filled in, what the user decided there is left alone.

Without this reader the export would be taken for Hugging Face JSON (both carry ``title`` and
``authors``), which reads the metadata only and drops everything the user added.

The paper's ``id`` and its former ids (``aliases``) are not taken from the file: the id follows from the
arXiv id or the title, as for every other import, so an edited file cannot make one paper stand for
another. For the same reason an ``arxiv_id`` is kept only when it holds a real arXiv id: any other text
would become the paper's id.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Collection
from datetime import date, datetime
from typing import Any

import msgspec

from readlist.core.model import MAX_RATING, PUBLIC_FIELDS, ValidationError, find_arxiv_id
from readlist.importers.base import MAX_COUNT, ImportFormatError, ParseResult, decode, load_json

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


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def parse(data: bytes | str, *, source: str = "", today: date | None = None, year: int | None = None) -> ParseResult:
    text = decode(data)
    value = load_json(text)
    if isinstance(value, dict) and _LIBRARY_KEYS <= value.keys():
        raise ImportFormatError(_library_file())
    entries: list[Any] = value if isinstance(value, list) else [value]
    result = ParseResult(format=FORMAT)
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
            if value not in (None, "") and not _is_time(value):
                del record[name]  # the paper is still worth having; when it was added or read is not known
                result.notes.append((label, f"{name} {_shown(value)} is not a date and time; left out"))
        record["arxiv_id"] = _arxiv_id(record.get("arxiv_id"))
        if record.get("cite_key") is not None:
            record["cite_key"] = result.usable_key(str(record["cite_key"]), label)
        result.add(record, label)
    if not result.papers:
        reason = f" ({result.skipped[0][1]})" if result.skipped else ""
        raise ImportFormatError(f"no papers found in this readlist JSON{reason}")
    return result
