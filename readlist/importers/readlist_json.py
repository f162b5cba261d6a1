"""readlist's own JSON: what ``export --format json``, ``list --json`` and ``show --json`` print.

Reading it back is how a library (or part of one) moves to another machine or to a colleague, so the
whole record comes back: the paper's metadata, and the user's own fields (status, rating, tags, note,
read date, citation key) on papers the library does not have yet. A paper the library already has is
merged like any other import: its metadata is filled in, what the user decided there is left alone.

Without this reader the export would be taken for Hugging Face JSON (both carry ``title`` and
``authors``), which reads the metadata only and drops everything the user added.

The paper's ``id`` and its former ids (``aliases``) are not taken from the file: the id follows from the
arXiv id or the title, as for every other import, so an edited file cannot make one paper stand for
another.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from readlist.core.model import PUBLIC_FIELDS
from readlist.importers.base import ImportFormatError, ParseResult, decode, load_json

FORMAT = "readlist-json"

# Keys only readlist's record has; the Hugging Face API has neither.
_SIGNATURE = (re.compile(r'"source_formats"\s*:'), re.compile(r'"status"\s*:'))
_TAKEN = frozenset(PUBLIC_FIELDS) - {"id", "aliases"}
_MAX_LABEL = 80


def sniff(text: str) -> bool:
    """JSON (an object or an array) with the keys of readlist's paper record."""
    head = text.lstrip()[:1]
    start = text[:20000]
    return head in ("{", "[") and all(key.search(start) for key in _SIGNATURE)


def parse(data: bytes | str, *, source: str = "", today: date | None = None, year: int | None = None) -> ParseResult:
    text = decode(data)
    value = load_json(text)
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
        if record.get("cite_key") is not None:
            record["cite_key"] = result.usable_key(str(record["cite_key"]), label)
        result.add(record, label)
    if not result.papers:
        reason = f" ({result.skipped[0][1]})" if result.skipped else ""
        raise ImportFormatError(f"no papers found in this readlist JSON{reason}")
    return result
