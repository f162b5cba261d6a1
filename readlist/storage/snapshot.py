"""The snapshot file: a TinyDB document holding the library's header and every paper record.

``library.json`` has the tables ``_meta`` (one header document: format, schema version,
generation), ``papers``, whose document ids are the paper ids, and, once a paper has been deleted,
``deleted`` (paper id -> when: the tombstones that let a deletion travel to other copies of the
library; see ``docs/sync.md``). readlist writes it one paper per line, sorted by id, each record
with its keys sorted, and the tombstones likewise::

    {"_meta":{"1":{"format":"readlist","gen":7,"library":"…","schema":3,"written":"…"}},"papers":{
    "2310.01234":{"abstract":"…","added":"…",…,"id":"2310.01234",…},
    "t-3f2a9c01bd":{"abstract":"…",…}
    },"deleted":{
    "2309.00001":{"at":"2026-11-02T09:14:05Z"}
    }}

so the same library always has the same bytes, a change to one paper changes one line (git can
diff and merge it paper by paper), and a paper can be read from its line alone. It is still one JSON
document that plain TinyDB opens (its tables use string document ids). readlist only ever replaces
it whole (see :mod:`readlist.storage.atomic`), so it is always either the previous or the next
generation, and the bytes of a line never change while a reader holds the file open: a loaded
library keeps each long abstract as its place in the file (:class:`~readlist.core.model.StoredText`)
instead of in memory.

Schema versions: 1 is the first; 2 adds the per-field change times of a record (``Paper.changed``)
and the ``deleted`` table; 3 is the layout above. Files written before schema 3 hold every record on
one line under counter document ids; they are read as they are (a schema-1 file as having no change
times and no tombstones), and :class:`~readlist.storage.library.Library` rewrites them in this
layout when it opens them (backing them up first). Older readlists refuse a newer schema rather
than silently dropping what they do not know.

A snapshot is untrusted input like any other file: it may have been edited by hand, written by
another program or by a newer readlist. Reading it checks every record against the
:class:`~readlist.core.model.Paper` schema and never guesses: a damaged file is refused with a
:class:`SnapshotProblem` that says what is wrong, and :func:`record_problems` lists every bad record
for ``readlist doctor``. This module is the one place that knows the layout: everything that reads
or writes library files goes through :func:`read_snapshot` / :func:`parse_snapshot` and
:func:`snapshot_chunks` / :func:`encode_snapshot`.
"""

from __future__ import annotations

import contextlib
import gc
import io
import json
import os
import re
import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter
from pathlib import Path
from typing import IO, Annotated, Any

import msgspec
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from readlist.core.model import FIELD_NAMES, Paper, StoredText, encode_stored, now_iso, store_abstract
from readlist.storage.atomic import NotAFileError, atomic_write_bytes, open_regular

SCHEMA_VERSION = 3
# The first schema written one paper per line under paper-id document ids; older files are converted.
LINES_SCHEMA = 3
FORMAT_NAME = "readlist"
META_TABLE = "_meta"
PAPERS_TABLE = "papers"
DELETED_TABLE = "deleted"
# The snapshot starts with its header (format, schema, generation, time written); reading this much of it
# tells two snapshots apart even when inode, mtime and size happen to match.
HEAD_BYTES = 256
# The bytes a JSON text can start with (after white space).
_JSON_STARTS = frozenset(b'{["-0123456789tfn')
# The line layout: the header line, one line per paper, the closing line.
_HEAD_OPEN = b'{"_meta":{"1":'
_HEAD_CLOSE = b'},"papers":{\n'
_CLOSING = b"}}\n"
_DELETED_OPEN = b'},"deleted":{'
_ABSTRACT_FIRST = b'{"abstract":'
_ABSTRACT_KEY = b'"abstract"'
# A document id without quotes, backslashes or control characters: its JSON text is the id itself.
_PLAIN_KEY = re.compile(rb'[^"\\\x00-\x1f]+')
# Bytes read from the file at a time.
_READ_BUFFER = 1 << 20
# No paper's line is shorter than this ("i":{"id":"i","title":"t"} is 26 bytes); the lines that open and
# close tables are.
_SHORTEST_RECORD = 16
# Abstracts shorter than this (in bytes, quotes included) stay in memory: a reference would not be smaller.
DEFER_FROM = 96
# Lines per chunk handed to the writer.
_CHUNK_LINES = 2000

# (inode, mtime_ns, size, first bytes): what tells one snapshot file from another.
Identity = tuple[int, int, int, bytes]
# A file that exists but cannot be opened: always different from any identity seen, so a reader that
# compares identities reloads and reports the problem instead of carrying on with stale papers.
UNREADABLE: Identity = (-1, -1, -1, b"")
# (ctime_ns, link count): see ``inode_state``.
InodeState = tuple[int, int]


class SnapshotHeader(msgspec.Struct, kw_only=True):
    """The one document of the ``_meta`` table."""

    format: str
    schema: int
    gen: Annotated[int, msgspec.Meta(ge=0)] = 0
    written: str = ""
    # A random id given to the library when its first snapshot is written; its journal carries it too, so a
    # journal can never be replayed into another library. Empty in libraries written before ids existed.
    library: str = ""


class Tombstone(msgspec.Struct):
    """A paper that was deleted: its id is the document's key; ``at`` is when (ISO 8601 UTC)."""

    at: str


class _Envelope(msgspec.Struct):
    """The top level, with the papers left undecoded until the header has been checked."""

    meta: dict[str, msgspec.Raw] | None = msgspec.field(default=None, name=META_TABLE)
    papers: msgspec.Raw = msgspec.field(default_factory=lambda: msgspec.Raw(b"{}"))
    deleted: msgspec.Raw = msgspec.field(default_factory=lambda: msgspec.Raw(b"{}"), name=DELETED_TABLE)


class SnapshotProblem(Exception):
    """What is wrong with a snapshot, phrased without the file name (the caller adds it)."""

    def __init__(self, problem: str, *, newer: bool = False, repairable: bool = False,
                 not_a_file: bool = False) -> None:
        super().__init__(problem)
        self.newer = newer
        # Whole records are wrong, not the file: `readlist doctor --repair` can fix them.
        self.repairable = repairable
        # The path names a folder, a pipe or a device: nothing to repair or restore, the path is wrong.
        self.not_a_file = not_a_file


def _not_a_file(kind: str) -> str:
    """What a library path names instead of a file (``kind``: a folder, a named pipe, …), for a message."""
    if kind == "not a regular file":
        return "is not a regular file, so not a library file"
    return f"is {kind}, not a library file"


@dataclass
class Snapshot:
    gen: int
    papers: list[Paper]
    identity: Identity | None
    header: SnapshotHeader | None = None
    # When the file's inode last changed and its count of names, read with ``identity`` (see ``inode_state``).
    inode: InodeState = (0, 0)
    # Deleted papers: id -> when (ISO 8601 UTC).
    deleted: dict[str, str] = field(default_factory=dict)

    @property
    def outdated(self) -> bool:
        """Written in an older layout that readlist converts when it opens the library."""
        return self.header is not None and self.header.schema < SCHEMA_VERSION


@dataclass
class RecordProblem:
    """One paper record that cannot be used, and why."""

    key: str  # the record's document id in the papers table
    paper_id: str | None  # the record's own ``id`` when it has a usable one
    problem: str
    duplicate: bool = False  # a valid record whose id another record already has

    def __str__(self) -> str:
        who = f"paper {self.paper_id}" if self.paper_id else f"record {self.key} of the papers table"
        return f"{who}: {self.problem}"


_FIELDS = frozenset(FIELD_NAMES)
_PAPERS = msgspec.json.Decoder(dict[str, Paper])
# A JSON object's members, undecoded: a papers table's records, or a record's fields.
_RAW_MEMBERS = msgspec.json.Decoder(dict[str, msgspec.Raw])
_PAPER = msgspec.json.Decoder(Paper)


class _KnownFieldsOnly(Paper, forbid_unknown_fields=True):
    """A paper record that holds no field this version does not know (see :func:`snapshot_problems`)."""


_KNOWN_FIELDS_ONLY = msgspec.json.Decoder(_KnownFieldsOnly)
_DELETED = msgspec.json.Decoder(dict[Annotated[str, msgspec.Meta(min_length=1)], Tombstone])
_ENVELOPE = msgspec.json.Decoder(_Envelope)
_TEXT = msgspec.json.Decoder(str)
# Keys sorted in every record (and in the header): the same library gives the same bytes.
_ENCODER = msgspec.json.Encoder(order="sorted", enc_hook=encode_stored)


class _OpenSnapshot:
    """An open snapshot file that stored abstracts are read from; closed when the last of them goes."""

    __slots__ = ("fd", "path")

    def __init__(self, fd: int, path: Path) -> None:
        self.fd = fd
        self.path = path

    def __del__(self) -> None:
        try:
            os.close(self.fd)
        except OSError:
            pass


class _FileText(StoredText):
    """An abstract as the JSON string at ``offset`` of an open snapshot file.

    readlist replaces a snapshot by rename and never writes into one, so the file this holds open
    keeps its bytes however the library changes on disk; only another program writing into the file
    in place could change them, and then reading fails loudly instead of returning other text.
    """

    __slots__ = ("_file", "_length", "_offset")

    def __init__(self, file: _OpenSnapshot, offset: int, length: int) -> None:
        self._file = file
        self._offset = offset
        self._length = length

    def load(self) -> str:
        try:
            return _TEXT.decode(self.json())
        except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):
            raise self._changed() from None

    def json(self) -> bytes:
        # The bytes encoding the text gives (as _abstract_span made sure when it was read), copied undecoded.
        data = os.pread(self._file.fd, self._length, self._offset)
        if len(data) != self._length or data[:1] != b'"' or data[-1:] != b'"':
            raise self._changed()
        return data

    def _changed(self) -> OSError:
        return OSError(f"{self._file.path} was changed in place while it was open; reopen the library")

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _FileText) and other._file is self._file and other._offset == self._offset:
            return True
        return super().__eq__(other)

    __hash__ = None


def inode_state(path: Path) -> InodeState:
    """When the file at ``path`` last changed (``st_ctime_ns``) and how many names it has; (0, 0) when not known.

    Anything that writes the file moves the change time, and no program can set it back, unlike the modification
    time (``cp -p`` of a backup over the library, or an edit that restores the time, keeps the inode, the size and
    the mtime). It is not part of ``Identity``: a backup hard-linked to the file, or such a link pruned, moves it too
    (and the count of names with it), and a reader would then reload a library nobody changed. What was computed
    from the papers read names it (``Library.read_state``), so a file written over in place is never taken for the
    one read before.
    """
    try:
        st = os.stat(path)
    except OSError:
        return (0, 0)
    return (st.st_ctime_ns, st.st_nlink)


def file_identity(path: Path) -> Identity | None:
    """Inode, mtime, size and the header bytes (which hold the generation) of the snapshot.

    mtime is only as fine as the kernel's clock tick and inodes are reused, so two quick compactions
    can leave a file that looks unchanged by stat alone; the generation in the header cannot repeat.
    """
    try:
        with path.open("rb") as handle:
            st = os.fstat(handle.fileno())
            return (st.st_ino, st.st_mtime_ns, st.st_size, handle.read(HEAD_BYTES))
    except FileNotFoundError:
        return None
    except OSError:
        try:
            st = path.stat()
        except FileNotFoundError:
            return None
        except OSError:
            return UNREADABLE
        return (st.st_ino, st.st_mtime_ns, st.st_size, b"")


def field_problem(exc: msgspec.ValidationError) -> str:
    """msgspec's "Expected `int`, got `str` - at `$.rating`" as "rating: expected `int`, got `str`"."""
    text = str(exc)
    message, sep, where = text.rpartition(" - at `")
    if not sep:
        return text[:1].lower() + text[1:]
    location = where.rstrip("`").removeprefix("$").lstrip(".")
    # A Decimal is what a number too long for an int is read as (see _json_int): say what the file holds.
    message = message.replace("got `decimal`", "got a number too long to read")
    return f"{location or 'record'}: {message[:1].lower()}{message[1:]}"


def _header(envelope: _Envelope) -> SnapshotHeader:
    if not envelope.meta:
        raise SnapshotProblem("this is not a readlist library (valid JSON, but no readlist header)")
    return _check_header(next(iter(envelope.meta.values())))


def _check_header(raw: bytes | msgspec.Raw) -> SnapshotHeader:
    try:
        data = msgspec.json.decode(raw)
    except (msgspec.DecodeError, RecursionError):
        raise SnapshotProblem("this is not a readlist library (unknown header)") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise SnapshotProblem("this is not a readlist library (unknown header)")
    try:
        header = msgspec.convert(data, SnapshotHeader)
    except msgspec.ValidationError as exc:
        if "schema" in str(exc):
            raise SnapshotProblem("the library header has no schema version") from None
        raise SnapshotProblem("the library header is damaged (bad generation number)") from None
    if header.schema > SCHEMA_VERSION:
        raise SnapshotProblem(
            f"written by a newer readlist (library schema {header.schema}; "
            f"this version reads up to {SCHEMA_VERSION})",
            newer=True,
        )
    return header


def _keyed(header: SnapshotHeader | None) -> bool:
    """Whether the papers table's document ids are the paper ids (from schema 3 on) or counters."""
    return header is not None and header.schema >= LINES_SCHEMA


def record_problems(table: msgspec.Raw | bytes, *, keyed: bool = False,
                    unknown: dict[str, list[str]] | None = None) -> list[RecordProblem]:
    """Every record of a papers table that does not validate, and every id used twice.

    ``keyed``: the table's document ids are paper ids (schema 3 on), so a record filed under another
    id than its own is a problem too. Slow compared to a plain load (each record is decoded on its own),
    so it only runs when a load failed or when ``readlist doctor`` asks.

    ``unknown`` (keyed tables) is given each field a record has that this version does not know, with the keys of
    the records holding it: a hand edit or another tool can add one, and the next rewrite of the library drops
    it, since a record is read into the fields it knows.
    """
    try:
        records = table_records(table) if keyed else list(_RAW_MEMBERS.decode(table).items())
    except (msgspec.DecodeError, msgspec.ValidationError, ValueError, RecursionError):
        return [RecordProblem("*", None, "the papers table is damaged (not a table of records)")]
    problems: list[RecordProblem] = []
    first_key: dict[str, str] = {}
    for key, record in records:
        if unknown is not None and isinstance(record, dict):
            for name in record.keys() - _FIELDS:
                unknown.setdefault(name, []).append(key)
        try:
            paper = _PAPER.decode(record) if isinstance(record, msgspec.Raw) else msgspec.convert(record, Paper)
        except msgspec.ValidationError as exc:
            problems.append(RecordProblem(key, _record_id(record), field_problem(exc)))
            continue
        if paper.id in first_key:
            problems.append(RecordProblem(
                key, paper.id,
                f"the id appears more than once in the library file (also record {first_key[paper.id]})",
                duplicate=True,
            ))
            continue
        first_key[paper.id] = key
        if keyed and paper.id != key:
            problems.append(RecordProblem(key, paper.id, f"filed under another id ({key!r}) in the library file"))
        elif (repeated := _invalid_repeat(record)) is not None:
            problems.append(RecordProblem(key, paper.id, repeated))
    return problems


def repeated_fields(record: Any) -> dict[str, list[Any]]:
    """The fields a record read by :func:`table_records` gives more than once, each with all its values in order.

    The JSON reader keeps the last value of each, as a dict can only hold one; readlist's own reader checks
    every value, so a record whose earlier value is not valid cannot be opened although its last one is.
    """
    if not isinstance(record, _Pairs) or len(record.pairs) == len(record):
        return {}
    values: dict[str, list[Any]] = {}
    for name, value in record.pairs:
        values.setdefault(name, []).append(value)
    return {name: found for name, found in values.items() if len(found) > 1}


def _invalid_repeat(record: Any) -> str | None:
    """What is wrong with a value a record gives a field besides its last one (None when every value is valid)."""
    for name, values in repeated_fields(record).items():
        for value in values[:-1]:
            try:
                msgspec.convert({**record, name: value}, Paper)
            except msgspec.ValidationError as exc:
                return f"{field_problem(exc)} (one of the {len(values)} values the record gives {name!r})"
    return None


def snapshot_problems(raw: bytes, *, unknown: dict[str, list[str]] | None = None) -> list[RecordProblem]:
    """:func:`record_problems` of a whole snapshot's bytes (empty when it has no papers table to check).

    A file in the layout readlist writes, that reads cleanly, has none: each record was decoded and checked as
    it was read, a line at a time, so only the fields it does not know are left to find. Read so, a
    library of 100,000 papers is checked in a quarter of the time and memory a JSON reader that keeps every
    record of the table, repeated ids included, takes; that reader is for the files with something to find.
    """
    lines = io.BytesIO(raw)
    found: dict[str, list[str]] = {}
    try:
        _read_lines(lines.readline(), lines, None, unknown=found)
    except (_NotLines, SnapshotProblem):
        pass
    else:
        if unknown is not None:
            unknown.update(found)
        return []
    table = papers_table(raw)
    if table is None:
        return []
    return record_problems(table, keyed=_keyed(snapshot_header(raw)), unknown=unknown)


class _Pairs(dict[str, Any]):
    """A JSON object that also remembers its members in order, repeated keys included."""

    pairs: list[tuple[str, Any]]


def _pairs(items: list[tuple[str, Any]]) -> _Pairs:
    found = _Pairs(items)
    found.pairs = items
    return found


def table_records(table: msgspec.Raw | bytes) -> list[tuple[str, Any]]:
    """Every (document id, record) of a papers table in file order, repeated ids included.

    A JSON decoder keeps only the last of two members with one key; in a table keyed by paper id that
    would drop a record silently, so tools that must see every record (doctor, repair) read it here.
    Raises ValueError when the table is not a JSON object.
    """
    found = json.loads(bytes(table), object_pairs_hook=_pairs, parse_int=_json_int)
    if not isinstance(found, _Pairs):
        raise ValueError("the papers table is not an object")
    return found.pairs


def _json_int(text: str) -> int | Decimal:
    """A JSON integer; one longer than Python reads as an int (``sys.get_int_max_str_digits()``, 4300 digits) as
    the same number in a Decimal, so that such a value is one record's bad field, not an unreadable table."""
    try:
        return int(text)
    except ValueError:
        return Decimal(text)


def _record_id(raw: Any) -> str | None:
    try:
        data = msgspec.json.decode(raw) if isinstance(raw, msgspec.Raw) else raw
    except (msgspec.DecodeError, RecursionError):
        return None
    value = data.get("id") if isinstance(data, dict) else None
    return value if isinstance(value, str) and value else None


def may_be_json(head: bytes) -> bool:
    """Whether a file starting with ``head`` may be JSON at all: what it starts with, white space aside, could
    start a JSON text. A file that cannot (zeros, a binary file) need not be read whole to be refused."""
    start = head.lstrip()
    return not start or start[0] in _JSON_STARTS


def line_header(head: bytes) -> SnapshotHeader | None:
    """The header of a snapshot in the line layout from its first bytes (see ``Identity``); None otherwise."""
    end = head.find(b"\n")
    if end < 0 or not (head.startswith(_HEAD_OPEN) and head[: end + 1].endswith(_HEAD_CLOSE)):
        return None
    try:
        header = _check_header(head[len(_HEAD_OPEN) : end + 1 - len(_HEAD_CLOSE)])
    except SnapshotProblem:
        return None
    return header if _keyed(header) else None


def snapshot_header(raw: bytes) -> SnapshotHeader | None:
    """The header of a snapshot's bytes, whatever state its records are in; None when it has no usable one."""
    try:
        return _header(_ENVELOPE.decode(raw))
    except (SnapshotProblem, msgspec.DecodeError, msgspec.ValidationError, RecursionError):
        return None


def papers_table(raw: bytes) -> msgspec.Raw | None:
    """The undecoded papers table of a snapshot's bytes, or None when there is none to be found."""
    try:
        return _ENVELOPE.decode(raw).papers
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):
        return None


# ---------------------------------------------------------------------------
# reading

# What a snapshot holds: its header, its papers and its tombstones (deleted paper id -> when).
_Parsed = tuple[SnapshotHeader, list[Paper], dict[str, str]]


class _NotLines(Exception):
    """The bytes are not in the line layout (or a record in them is bad): read the file as a whole instead."""


def _string_end(buf: bytes, quote: int) -> int:
    """The index of the quote closing the JSON string that opens at ``quote``; -1 when there is none."""
    i = buf.find(b'"', quote + 1)
    while i != -1:
        j = i
        while buf[j - 1] == 0x5C:  # backslashes before the quote: an odd number escapes it
            j -= 1
        if (i - j) % 2 == 0:
            return i
        i = buf.find(b'"', i + 1)
    return -1


def _abstract_span(line: bytes, key_end: int, abstract: str) -> tuple[int, int] | None:
    """Where ``abstract`` is, as a JSON string, in its record line ``"id":{"abstract":"…",…}``; None if not there.

    ``key_end`` is where the id ends. The place found is checked against the decoded text (or shown to hold
    it), so what is read back from it later is exactly this abstract, as encoding it would write it. Short
    abstracts are not worth a reference.
    """
    start = key_end + 2 + len(_ABSTRACT_FIRST)
    if not line.startswith(_ABSTRACT_FIRST, key_end + 2) or line[start : start + 1] != b'"':
        return None
    end = line.find(b'"', start + 1)
    if line[end - 1] == 0x5C:  # an escaped quote inside the abstract
        end = _string_end(line, start)
    if end - start + 1 < DEFER_FROM:
        return None
    if line.find(b"\\", start) == -1 and line.find(_ABSTRACT_KEY, end) == -1:
        # No escape in the rest of the record, so the text is these very bytes (which is also how it would be
        # written), and no other member named "abstract" that the decoder could have taken instead (a bare quote
        # cannot be inside a string, and the name can only be spelled otherwise with an escape).
        return start, end + 1
    # Otherwise the place must hold the abstract exactly as it would be written (escapes may be spelled otherwise).
    written = _ENCODER.encode(abstract)
    if len(written) != end + 1 - start or not line.startswith(written, start):
        return None
    return start, end + 1


def _read_lines(first: bytes, lines: Iterable[bytes], file: _OpenSnapshot | None,
                unknown: dict[str, list[str]] | None = None) -> _Parsed:
    """Papers from the line layout: the ``first`` line, then the rest of the file's ``lines``, each with its newline.

    With ``unknown``, each field a record holds that this version does not know is noted there with the ids
    of the records holding it, as :func:`record_problems` does.

    With ``file`` (the open snapshot), long abstracts are left in it. Raises :class:`_NotLines` for
    anything but a clean file in the layout readlist writes, so that the whole-file reader can say
    exactly what is wrong (or read a valid file laid out differently). The lines come from the buffered
    file as they are (nothing splits chunks into lines again), and each record is decoded from a view of its line.
    """
    if not (first.startswith(_HEAD_OPEN) and first.endswith(_HEAD_CLOSE)):
        raise _NotLines
    header = _check_header(first[len(_HEAD_OPEN) : -len(_HEAD_CLOSE)])
    if not _keyed(header):
        raise _NotLines
    decode, plain_key = _PAPERS.decode, _PLAIN_KEY.fullmatch
    decode_one = _PAPER.decode if unknown is None else _noting_unknown(unknown)
    papers: list[Paper] = []
    seen: set[str] = set()
    tombstones: list[bytes] | None = None  # the lines of the deleted table, once it has begun
    offset = len(first)
    more = True  # the previous line ended with a comma: another record must follow
    closed = False
    for line in lines:
        size = len(line)
        stop = size - 1 if line.endswith(b"\n") else size  # the line without its newline
        if closed or tombstones is not None or stop < _SHORTEST_RECORD:
            text = line[:stop]
            if closed or text == b"}}":
                if (closed and text.strip()) or (more and (tombstones if tombstones is not None else papers)):
                    raise _NotLines  # something after the end, or a comma before the closing brace
                closed = True
                continue
            if text == _DELETED_OPEN and tombstones is None:
                if more and papers:
                    raise _NotLines
                tombstones = []
                more = True
                continue
            if tombstones is not None:
                if not more:
                    raise _NotLines
                more = text.endswith(b",")
                tombstones.append(text)
                continue
        if not more:
            raise _NotLines
        more = line.endswith(b",", 0, stop)
        if more:
            stop -= 1
        key_end = line.find(b'":{')
        try:
            if key_end > 0 and line[0] == 0x22 and plain_key(line, 1, key_end):
                # "id":{record}: the key is plain text, so the record alone is decoded, in place.
                paper = decode_one(memoryview(line)[key_end + 2 : stop])
                if line[1:key_end] != paper.id.encode():
                    raise _NotLines
            else:
                if unknown is not None:
                    raise _NotLines  # a key spelled with escapes: the record is found by the whole-table reader
                table = decode(b"{" + line[:stop] + b"}")
                if len(table) != 1:
                    raise _NotLines
                key, paper = table.popitem()
                if key != paper.id:
                    raise _NotLines
                key_end = -1
        except (msgspec.DecodeError, msgspec.ValidationError, UnicodeError, RecursionError):
            raise _NotLines from None
        if paper.id in seen:
            raise _NotLines
        seen.add(paper.id)
        if file is not None and key_end > 0:
            span = _abstract_span(line, key_end, paper.abstract)
            if span is not None:
                store_abstract(paper, _FileText(file, offset + span[0], span[1] - span[0]))
        papers.append(paper)
        offset += size
    if not closed:
        raise _NotLines
    deleted: dict[str, str] = {}
    if tombstones:
        try:
            deleted = {pid: stone.at for pid, stone in _DELETED.decode(b"{" + b"\n".join(tombstones) + b"}").items()}
        except (msgspec.DecodeError, msgspec.ValidationError, UnicodeError, RecursionError):
            raise _NotLines from None
    return header, papers, deleted


def _noting_unknown(unknown: dict[str, list[str]]) -> Callable[[memoryview], Paper]:
    """A record decoder that notes in ``unknown`` the fields of each record this version does not know."""
    known_only, any_fields, members = _KNOWN_FIELDS_ONLY.decode, _PAPER.decode, _RAW_MEMBERS.decode

    def decode(record: memoryview) -> Paper:
        try:
            return known_only(record)
        except msgspec.ValidationError:
            paper = any_fields(record)  # a record that does not validate raises here too
            for name in members(record).keys() - _FIELDS:
                unknown.setdefault(name, []).append(paper.id)
            return paper

    return decode


def _parse_whole(raw: bytes) -> _Parsed:
    """Check a snapshot's bytes as one JSON document, whatever their layout."""
    if not raw.strip():
        raise SnapshotProblem("the library file is empty (0 bytes of data); it may have been truncated")
    try:
        envelope = _ENVELOPE.decode(raw)
    except msgspec.ValidationError:
        # The typed decoder stops at the first value of the wrong shape; make sure the rest is JSON at all.
        _check_json(raw)
        raise SnapshotProblem("this is not a readlist library (valid JSON, but no readlist header)") from None
    except (msgspec.DecodeError, RecursionError) as exc:
        raise _not_json(exc) from None
    header = _header(envelope)
    keyed = _keyed(header)
    try:
        table = _PAPERS.decode(envelope.papers)
    except (msgspec.ValidationError, msgspec.DecodeError, RecursionError):
        table = None
    if table is None or keyed:
        problems = record_problems(envelope.papers, keyed=keyed)
    else:
        problems = _duplicates(table.values())
    if problems and problems[0].key == "*":  # no records to repair: only a backup has them
        raise SnapshotProblem("the papers table is not a table of records")
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise SnapshotProblem(f"{problems[0]}{more}", repairable=True)
    if table is None:  # refused as a whole, yet no record says why: `doctor --repair` rewrites every record
        raise SnapshotProblem("the papers table cannot be read as paper records", repairable=True)
    try:
        deleted = {pid: stone.at for pid, stone in _DELETED.decode(envelope.deleted).items()}
    except (msgspec.ValidationError, msgspec.DecodeError, RecursionError) as exc:
        problem = field_problem(exc) if isinstance(exc, msgspec.ValidationError) else str(exc)
        raise SnapshotProblem(f"the table of deleted papers is damaged ({problem})") from None
    return header, list(table.values()), deleted


def parse_snapshot(raw: bytes) -> tuple[SnapshotHeader, list[Paper]]:
    """Check a snapshot's bytes and return its header and papers; raise :class:`SnapshotProblem` otherwise.

    Either layout is read (one paper per line, or a library written before schema 3); the papers are
    whole, abstracts included.
    """
    header, papers, _ = _parse(raw)
    return header, papers


def decode_snapshot(raw: bytes) -> Snapshot:
    """Check a snapshot's bytes (from a file, or from another copy of the library) and return all of it.

    Raises :class:`SnapshotProblem` for anything :func:`read_snapshot` would refuse.
    """
    with collector_paused():
        header, papers, deleted = _parse(raw)
    return Snapshot(gen=header.gen, papers=papers, identity=None, header=header, deleted=deleted)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Decoding builds several objects per paper, none of them cyclic: the collector only slows that down."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _parse(raw: bytes) -> _Parsed:
    lines = io.BytesIO(raw)
    try:
        return _read_lines(lines.readline(), lines, None)
    except _NotLines:
        return _parse_whole(raw)


def _not_json(exc: msgspec.DecodeError | RecursionError) -> SnapshotProblem:
    if isinstance(exc, RecursionError):
        reason = "values nested too deeply to read"
    else:
        reason = str(exc).splitlines()[0] if str(exc) else "parse error"
    return SnapshotProblem(f"the library file is not valid JSON ({reason}); it may be truncated or damaged")


def _check_json(raw: bytes) -> None:
    try:
        msgspec.json.decode(raw)
    except (msgspec.DecodeError, RecursionError) as exc:
        raise _not_json(exc) from None


def _duplicates(papers: Iterable[Paper]) -> list[RecordProblem]:
    seen: set[str] = set()
    for paper in papers:
        if paper.id in seen:
            return [RecordProblem("?", paper.id, "the id appears more than once in the library file", duplicate=True)]
        seen.add(paper.id)
    return []


def read_snapshot(path: Path) -> Snapshot:
    """Read and check a snapshot without changing anything on disk; a missing file is an empty library.

    A file in the line layout is read a line at a time, and long abstracts are left in it (the file
    stays open for them), so memory holds neither the file nor the abstracts.
    """
    try:
        handle = open_regular(path, buffering=_READ_BUFFER)
    except FileNotFoundError:
        return Snapshot(gen=0, papers=[], identity=None)
    except IsADirectoryError:
        raise SnapshotProblem(_not_a_file("a folder"), not_a_file=True) from None
    except NotAFileError as exc:
        raise SnapshotProblem(_not_a_file(exc.kind), not_a_file=True) from None
    except OSError as exc:
        raise SnapshotProblem(f"cannot be read ({exc.strerror or exc})") from None
    try:
        with handle, collector_paused():
            st = os.fstat(handle.fileno())
            identity = (st.st_ino, st.st_mtime_ns, st.st_size, os.pread(handle.fileno(), HEAD_BYTES, 0))
            header, papers, deleted = _read_file(handle, path)
    except OSError as exc:
        raise SnapshotProblem(f"cannot be read ({exc.strerror or exc})") from None
    return Snapshot(gen=header.gen, papers=papers, identity=identity, header=header, deleted=deleted,
                    inode=(st.st_ctime_ns, st.st_nlink))


def _read_file(handle: IO[bytes], path: Path) -> _Parsed:
    # The header line is short: a file with no line end near its start (gigabytes of zeros, say) is not read
    # into memory a line at a time.
    first = handle.readline(_READ_BUFFER)
    if first.startswith(b"\xef\xbb\xbf"):
        raise SnapshotProblem(
            "the library file starts with a byte-order mark, which some editors (Notepad) add when saving; "
            "save it again as UTF-8 without one"
        )
    if not (first.startswith(_HEAD_OPEN) and first.endswith(_HEAD_CLOSE)):
        if not may_be_json(first):
            return _parse_whole(first)  # not JSON from its first character: said without reading the rest
        return _parse_whole(first + handle.read())
    file = _OpenSnapshot(os.dup(handle.fileno()), path)  # closed when no paper keeps it for its abstract
    try:
        return _read_lines(first, handle, file)
    except _NotLines:
        pass
    del file
    handle.seek(0)
    return _parse_whole(handle.read())


# ---------------------------------------------------------------------------
# writing


def new_library_id() -> str:
    return secrets.token_hex(8)


def record_line(paper: Paper) -> bytes:
    """One paper's line without its separator: ``"id":{record with sorted keys}``."""
    return _ENCODER.encode(paper.id) + b":" + _ENCODER.encode(paper)


def snapshot_chunks(
    gen: int, papers: Iterable[Paper], library: str, deleted: Mapping[str, str] | None = None
) -> Iterator[bytes]:
    """The bytes of a snapshot of generation ``gen`` of library ``library`` holding ``papers``, in pieces.

    Papers are written in id order, one per line; ids must be unique (they are the table's keys).
    ``deleted`` (paper id -> when) are the tombstones of deleted papers, one per line after the papers;
    the table is left out while there are none.
    """
    header = SnapshotHeader(format=FORMAT_NAME, schema=SCHEMA_VERSION, gen=gen, written=now_iso(), library=library)
    yield _HEAD_OPEN + _ENCODER.encode(header) + _HEAD_CLOSE
    ordered = sorted(papers, key=attrgetter("id"))
    last = len(ordered) - 1
    for start in range(0, len(ordered), _CHUNK_LINES):
        lines = [record_line(paper) for paper in ordered[start : start + _CHUNK_LINES]]
        end = b"\n" if start + _CHUNK_LINES > last else b",\n"
        yield b",\n".join(lines) + end
    if deleted:
        yield _DELETED_OPEN + b"\n"
        stones = [_ENCODER.encode(pid) + b":" + _ENCODER.encode(Tombstone(at=deleted[pid])) for pid in sorted(deleted)]
        yield b",\n".join(stones) + b"\n"
    yield _CLOSING


def encode_snapshot(gen: int, papers: Iterable[Paper], library: str, deleted: Mapping[str, str] | None = None) -> bytes:
    """The bytes of a snapshot of generation ``gen`` of library ``library`` holding ``papers``.

    ``deleted`` (paper id -> when) are the tombstones of deleted papers; see :func:`snapshot_chunks`.
    """
    return b"".join(snapshot_chunks(gen, papers, library, deleted))


def deleted_table(raw: bytes) -> dict[str, str]:
    """The tombstones of a snapshot's bytes, whatever state its papers are in; empty when they cannot be read."""
    try:
        return {pid: stone.at for pid, stone in _DELETED.decode(_ENVELOPE.decode(raw).deleted).items()}
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):
        return {}


class AtomicJSONStorage(Storage):
    """A TinyDB storage that writes by atomic replace, for code that wants TinyDB's query API."""

    def __init__(self, path: str | os.PathLike[str], **_: Any) -> None:
        self.path = Path(path)

    def read(self) -> dict[str, dict[str, Any]] | None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        if not raw:
            return None
        data = msgspec.json.decode(raw)
        if not isinstance(data, dict):
            raise ValueError("top level is not a JSON object")
        return data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        atomic_write_bytes(self.path, msgspec.json.encode(data))

    def close(self) -> None:
        pass


class PapersTable(Table):
    """A TinyDB table whose document ids are strings: the papers table's ids are the paper ids."""

    document_id_class = str  # type: ignore[assignment]  # TinyDB types it as int, but takes any class


def open_tinydb(path: Path) -> TinyDB:
    """The snapshot as a TinyDB database (read-only use: readlist's own writes go through the library)."""
    db = TinyDB(path, storage=AtomicJSONStorage)
    db.table_class = PapersTable
    return db
