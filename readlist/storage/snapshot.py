"""The snapshot file: a TinyDB document holding the library's header and every paper record.

``library.json`` has the tables ``_meta`` (one header document: format, schema version,
generation), ``papers`` and, once a paper has been deleted, ``deleted`` (paper id -> when: the
tombstones that let a deletion travel to other copies of the library; see ``docs/sync.md``).
Plain TinyDB can open it. readlist only ever replaces it whole (see
:mod:`readlist.storage.atomic`), so it is always either the previous or the next generation.

A snapshot is untrusted input like any other file: it may have been edited by hand, written by
another program or by a newer readlist. Reading it checks every record against the
:class:`~readlist.core.model.Paper` schema and never guesses: a damaged file is refused with a
:class:`SnapshotProblem` that says what is wrong, and :func:`record_problems` lists every bad record
for ``readlist doctor``.

Schema versions: 1 is the first; 2 adds the per-field change times of a record (``Paper.changed``) and
the ``deleted`` table. A schema-1 file reads as having neither (no change time is known, nothing was
deleted), so it needs no conversion; it is written back as schema 2, which older readlists refuse to
open rather than silently dropping the change times and tombstones.
"""

from __future__ import annotations

import gc
import os
import secrets
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import msgspec
from tinydb import TinyDB
from tinydb.storages import Storage

from readlist.core.model import Paper, now_iso
from readlist.storage.atomic import atomic_write_bytes

SCHEMA_VERSION = 2
FORMAT_NAME = "readlist"
META_TABLE = "_meta"
PAPERS_TABLE = "papers"
DELETED_TABLE = "deleted"
# The snapshot starts with its header (format, schema, generation, time written); reading this much of it
# tells two snapshots apart even when inode, mtime and size happen to match.
HEAD_BYTES = 256

# (inode, mtime_ns, size, first bytes): what tells one snapshot file from another.
Identity = tuple[int, int, int, bytes]
# A file that exists but cannot be opened: always different from any identity seen, so a reader that
# compares identities reloads and reports the problem instead of carrying on with stale papers.
UNREADABLE: Identity = (-1, -1, -1, b"")


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

    def __init__(self, problem: str, *, newer: bool = False, repairable: bool = False) -> None:
        super().__init__(problem)
        self.newer = newer
        # Whole records are wrong, not the file: `readlist doctor --repair` can fix them.
        self.repairable = repairable


@dataclass
class Snapshot:
    gen: int
    papers: list[Paper]
    identity: Identity | None
    header: SnapshotHeader | None = None
    # Deleted papers: id -> when (ISO 8601 UTC).
    deleted: dict[str, str] = field(default_factory=dict)


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


_PAPERS = msgspec.json.Decoder(dict[str, Paper])
_RAW_TABLE = msgspec.json.Decoder(dict[str, msgspec.Raw])
_PAPER = msgspec.json.Decoder(Paper)
_DELETED = msgspec.json.Decoder(dict[Annotated[str, msgspec.Meta(min_length=1)], Tombstone])
_ENVELOPE = msgspec.json.Decoder(_Envelope)


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
    return f"{location or 'record'}: {message[:1].lower()}{message[1:]}"


def _header(envelope: _Envelope) -> SnapshotHeader:
    if not envelope.meta:
        raise SnapshotProblem("this is not a readlist library (valid JSON, but no readlist header)")
    raw = next(iter(envelope.meta.values()))
    try:
        data = msgspec.json.decode(raw)
    except msgspec.DecodeError:
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


def record_problems(table: msgspec.Raw | bytes) -> list[RecordProblem]:
    """Every record of a papers table that does not validate, and every id used twice.

    Slow compared to a plain load (each record is decoded on its own), so it only runs when a
    load failed or when ``readlist doctor`` asks.
    """
    try:
        raw_records = _RAW_TABLE.decode(table)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return [RecordProblem("*", None, "the papers table is damaged (not a table of records)")]
    problems: list[RecordProblem] = []
    first_key: dict[str, str] = {}
    for key, raw in raw_records.items():
        try:
            paper = _PAPER.decode(raw)
        except msgspec.ValidationError as exc:
            problems.append(RecordProblem(key, _record_id(raw), field_problem(exc)))
            continue
        if paper.id in first_key:
            problems.append(RecordProblem(
                key, paper.id,
                f"the id appears more than once in the library file (also record {first_key[paper.id]})",
                duplicate=True,
            ))
        else:
            first_key[paper.id] = key
    return problems


def _record_id(raw: msgspec.Raw) -> str | None:
    try:
        data = msgspec.json.decode(raw)
    except msgspec.DecodeError:
        return None
    value = data.get("id") if isinstance(data, dict) else None
    return value if isinstance(value, str) and value else None


def snapshot_header(raw: bytes) -> SnapshotHeader | None:
    """The header of a snapshot's bytes, whatever state its records are in; None when it has no usable one."""
    try:
        return _header(_ENVELOPE.decode(raw))
    except (SnapshotProblem, msgspec.DecodeError, msgspec.ValidationError):
        return None


def papers_table(raw: bytes) -> msgspec.Raw | None:
    """The undecoded papers table of a snapshot's bytes, or None when there is none to be found."""
    try:
        return _ENVELOPE.decode(raw).papers
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None


def parse_snapshot(raw: bytes) -> tuple[SnapshotHeader, list[Paper]]:
    """Check a snapshot's bytes and return its header and papers; raise :class:`SnapshotProblem` otherwise."""
    header, papers, _ = _parse(raw)
    return header, papers


def decode_snapshot(raw: bytes) -> Snapshot:
    """Check a snapshot's bytes (from a file, or from another copy of the library) and return all of it.

    Raises :class:`SnapshotProblem` for anything :func:`read_snapshot` would refuse.
    """
    gc_was_enabled = gc.isenabled()
    gc.disable()  # as in read_snapshot: the collector only slows decoding down
    try:
        header, papers, deleted = _parse(raw)
    finally:
        if gc_was_enabled:
            gc.enable()
    return Snapshot(gen=header.gen, papers=papers, identity=None, header=header, deleted=deleted)


def _parse(raw: bytes) -> tuple[SnapshotHeader, list[Paper], dict[str, str]]:
    if not raw.strip():
        raise SnapshotProblem("the library file is empty (0 bytes of data); it may have been truncated")
    try:
        envelope = _ENVELOPE.decode(raw)
    except msgspec.ValidationError:
        # The typed decoder stops at the first value of the wrong shape; make sure the rest is JSON at all.
        _check_json(raw)
        raise SnapshotProblem("this is not a readlist library (valid JSON, but no readlist header)") from None
    except msgspec.DecodeError as exc:
        raise _not_json(exc) from None
    header = _header(envelope)
    try:
        papers = list(_PAPERS.decode(envelope.papers).values())
    except (msgspec.ValidationError, msgspec.DecodeError):
        papers = None
    problems = record_problems(envelope.papers) if papers is None else _duplicates(papers)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise SnapshotProblem(f"{problems[0]}{more}", repairable=True)
    assert papers is not None
    try:
        deleted = {pid: stone.at for pid, stone in _DELETED.decode(envelope.deleted).items()}
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        problem = field_problem(exc) if isinstance(exc, msgspec.ValidationError) else str(exc)
        raise SnapshotProblem(f"the table of deleted papers is damaged ({problem})") from None
    return header, papers, deleted


def _not_json(exc: msgspec.DecodeError) -> SnapshotProblem:
    reason = str(exc).splitlines()[0] if str(exc) else "parse error"
    return SnapshotProblem(f"the library file is not valid JSON ({reason}); it may be truncated or damaged")


def _check_json(raw: bytes) -> None:
    try:
        msgspec.json.decode(raw)
    except msgspec.DecodeError as exc:
        raise _not_json(exc) from None


def _duplicates(papers: list[Paper]) -> list[RecordProblem]:
    seen: set[str] = set()
    for paper in papers:
        if paper.id in seen:
            return [RecordProblem("?", paper.id, "the id appears more than once in the library file", duplicate=True)]
        seen.add(paper.id)
    return []


def read_snapshot(path: Path) -> Snapshot:
    """Read and check a snapshot without changing anything on disk; a missing file is an empty library."""
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return Snapshot(gen=0, papers=[], identity=None)
    except IsADirectoryError:
        raise SnapshotProblem("is a directory, not a library file") from None
    except OSError as exc:
        raise SnapshotProblem(f"cannot be read ({exc.strerror or exc})") from None
    try:
        with handle:
            st = os.fstat(handle.fileno())
            if stat.S_ISDIR(st.st_mode):
                raise SnapshotProblem("is a directory, not a library file")
            raw = handle.read()
    except OSError as exc:
        raise SnapshotProblem(f"cannot be read ({exc.strerror or exc})") from None
    identity = (st.st_ino, st.st_mtime_ns, st.st_size, raw[:HEAD_BYTES])
    gc_was_enabled = gc.isenabled()
    gc.disable()  # decoding builds several objects per paper; the collector only slows that down
    try:
        header, papers, deleted = _parse(raw)
    finally:
        if gc_was_enabled:
            gc.enable()
    return Snapshot(gen=header.gen, papers=papers, identity=identity, header=header, deleted=deleted)


def new_library_id() -> str:
    return secrets.token_hex(8)


def encode_snapshot(gen: int, papers: Iterable[Paper], library: str, deleted: Mapping[str, str] | None = None) -> bytes:
    """The bytes of a snapshot of generation ``gen`` of library ``library`` holding ``papers``.

    ``deleted`` (paper id -> when) are the tombstones of deleted papers; the table is left out while
    there are none.
    """
    header = SnapshotHeader(format=FORMAT_NAME, schema=SCHEMA_VERSION, gen=gen, written=now_iso(), library=library)
    table = {str(i): paper for i, paper in enumerate(papers, start=1)}
    document: dict[str, object] = {META_TABLE: {"1": header}, PAPERS_TABLE: table}
    if deleted:
        document[DELETED_TABLE] = {pid: Tombstone(at=deleted[pid]) for pid in sorted(deleted)}
    return msgspec.json.encode(document)


def deleted_table(raw: bytes) -> dict[str, str]:
    """The tombstones of a snapshot's bytes, whatever state its papers are in; empty when they cannot be read."""
    try:
        return {pid: stone.at for pid, stone in _DELETED.decode(_ENVELOPE.decode(raw).deleted).items()}
    except (msgspec.DecodeError, msgspec.ValidationError):
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


def open_tinydb(path: Path) -> TinyDB:
    """The snapshot as a TinyDB database."""
    return TinyDB(path, storage=AtomicJSONStorage)

