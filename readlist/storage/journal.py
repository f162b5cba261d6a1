"""The write-ahead journal beside the snapshot: one fsynced JSON line per committed change.

Rewriting a 200 MB snapshot for every rating would take seconds; appending a line takes well
under a millisecond. Opening a library replays the journal on top of the snapshot and compaction
folds it back in.

The first line is a header naming the snapshot generation the journal belongs to; a journal of
another generation was already folded in and is ignored. Each later line is one batch of
operations, all absolute (a whole record, field values, a deletion), so replaying one twice gives
the same result. A torn last line (a kill mid-append) is a change that was never acknowledged and
is ignored; a complete line that does not decode into the types below is damage, counted and
skipped (later lines are absolute, so they still apply correctly).
"""

from __future__ import annotations

import contextlib
import os
import typing
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

import msgspec

from readlist.core.model import Paper, now_iso
from readlist.storage.atomic import atomic_write_bytes
from readlist.storage.errors import LibraryError

JOURNAL_FORMAT = 1


class JournalHeader(msgspec.Struct, kw_only=True):
    readlist_journal: int
    gen: int


def _patch_type() -> type[msgspec.Struct]:
    """A record with every paper field optional: the values a ``set`` operation writes, typed like the paper's."""
    fields = [
        (info.name, typing.Union[info.type, msgspec.UnsetType], msgspec.UNSET)  # noqa: UP007 - a runtime union of types
        for info in msgspec.structs.fields(Paper)
    ]
    return msgspec.defstruct("PaperPatch", fields, kw_only=True, forbid_unknown_fields=True)


PaperPatch = _patch_type()


class Op(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """One operation: exactly one of a whole record (``put``), field values (``set`` + ``f``) or a deletion."""

    put: Paper | None = None
    set_id: str | None = msgspec.field(default=None, name="set")
    f: PaperPatch | None = None  # type: ignore[valid-type]  # built at import from Paper's fields
    delete: str | None = msgspec.field(default=None, name="del")

    def valid(self) -> bool:
        kinds = (self.put is not None) + (self.set_id is not None) + (self.delete is not None)
        return kinds == 1 and (self.set_id is None) == (self.f is None)

    def changes(self) -> dict[str, Any]:
        """The field values of a ``set`` operation."""
        patch = self.f
        if patch is None:
            return {}
        return {name: value for name in patch.__struct_fields__ if (value := getattr(patch, name)) is not msgspec.UNSET}


class Entry(msgspec.Struct):
    ops: list[Op]
    at: str = ""


_HEADER = msgspec.json.Decoder(JournalHeader)
_ENTRY = msgspec.json.Decoder(Entry)


def put_op(paper: Paper) -> dict[str, Any]:
    return {"put": paper}


def set_op(paper_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    return {"set": paper_id, "f": changes}


def delete_op(paper_id: str) -> dict[str, Any]:
    return {"del": paper_id}


@dataclass
class JournalRead:
    """The result of reading a journal from some offset."""

    batches: list[list[Op]] = field(default_factory=list)
    offset: int = 0  # end of the last complete line read
    live: bool = False  # the journal belongs to the snapshot's generation
    inode: int | None = None
    bad_lines: int = 0  # complete lines that could not be used (damage; never written this way)
    torn_bytes: int = 0  # an incomplete last line: a change cut off by a crash, never acknowledged
    gen: int | None = None  # the generation named in the journal's header
    replaced: bool = False  # the file at ``offset`` is not the one read before: reload from scratch


def read_journal(path: Path, gen: int, offset: int = 0, inode: int | None = None) -> JournalRead:
    """Read the committed batches after ``offset`` of the journal of snapshot generation ``gen``."""
    result = JournalRead()
    try:
        with path.open("rb") as handle:
            result.inode = os.fstat(handle.fileno()).st_ino
            if offset and inode is not None and result.inode != inode:
                result.replaced = True
                return result
            if offset == 0:
                line = handle.readline()
                if not line.endswith(b"\n"):
                    return result
                try:
                    header = _HEADER.decode(line)
                except (msgspec.DecodeError, msgspec.ValidationError):
                    return result
                result.gen = header.gen
                if header.readlist_journal > JOURNAL_FORMAT and header.gen == gen:
                    raise LibraryError(
                        f"{path}: written by a newer readlist (journal format {header.readlist_journal}). "
                        "The files were left untouched; upgrade readlist to open this library."
                    )
                if header.gen != gen:
                    return result
                offset = len(line)
            else:
                handle.seek(offset)
            chunk = handle.read()
    except (FileNotFoundError, IsADirectoryError):
        return result
    result.live = True
    consumed = 0
    for line in chunk.splitlines(keepends=True):
        if not line.endswith(b"\n"):
            result.torn_bytes = len(line)
            break
        consumed += len(line)
        try:
            entry = _ENTRY.decode(line)
        except (msgspec.DecodeError, msgspec.ValidationError):
            result.bad_lines += 1
            continue
        if all(op.valid() for op in entry.ops):
            result.batches.append(entry.ops)
        else:
            result.bad_lines += 1
    result.offset = offset + consumed
    return result


class TailState(Enum):
    CLEAN = "clean"  # the file ends where the last read ended (a torn line, if any, was cut off)
    MISSING = "missing"  # the journal is gone: the next change starts a new one
    SHRANK = "shrank"  # the file is shorter than what was read: someone edited it


class Journal:
    """Where this process is in the journal file, and how it appends to it.

    The caller (the library) holds the lock around every method that changes the file.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0
        self.live = False
        self.inode: int | None = None

    def reset(self) -> None:
        self.offset = 0
        self.live = False
        self.inode = None

    def read_new(self, gen: int) -> JournalRead:
        """The batches committed since the last read; ``replaced`` means start over from the snapshot."""
        read = read_journal(self.path, gen, self.offset, self.inode)
        if not read.replaced:
            self.live = read.live
            self.offset = read.offset
            self.inode = read.inode if read.live else None
        return read

    def start(self, gen: int) -> None:
        """Begin a journal for snapshot generation ``gen`` (atomically: a kill leaves none or a whole header)."""
        header = msgspec.json.encode(JournalHeader(readlist_journal=JOURNAL_FORMAT, gen=gen)) + b"\n"
        atomic_write_bytes(self.path, header)
        self.offset = len(header)
        self.live = True
        self.inode = os.stat(self.path).st_ino

    def append(self, ops: Sequence[dict[str, Any]]) -> None:
        """Append one batch and fsync it: when this returns, the change survives a crash."""
        line = msgspec.json.encode({"ops": ops, "at": now_iso()}) + b"\n"
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
        try:
            try:
                view = memoryview(line)
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
                os.fsync(fd)
            except BaseException:
                # Leave no half line behind for the next writer to append to.
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, self.offset)
                raise
        finally:
            os.close(fd)
        self.offset += len(line)

    def cut_torn_tail(self) -> TailState:
        """Cut off an incomplete last line left by a writer killed mid-append.

        Appending after it would glue the next change onto the broken line, and the next read
        would skip both. The caller has just caught up, so everything past ``offset`` is that line.
        """
        try:
            size = os.stat(self.path).st_size
        except FileNotFoundError:
            self.live = False
            return TailState.MISSING
        if size > self.offset:
            fd = os.open(self.path, os.O_WRONLY)
            try:
                os.ftruncate(fd, self.offset)
                os.fsync(fd)
            finally:
                os.close(fd)
        elif size < self.offset:
            return TailState.SHRANK
        return TailState.CLEAN

    def remove(self) -> None:
        """Forget the journal once a new snapshot generation holds everything in it."""
        self.reset()
        with contextlib.suppress(OSError):
            self.path.unlink()


def apply_ops(papers: dict[str, Paper], ops: Iterable[Op]) -> set[str]:
    """Replay operations onto ``papers``; returns the ids whose dedup keys (title, arXiv id) may have moved."""
    moved: set[str] = set()
    for op in ops:
        if op.put is not None:
            papers[op.put.id] = op.put
            moved.add(op.put.id)
        elif op.set_id is not None:
            target = papers.get(op.set_id)
            if target is None:
                continue
            changes = op.changes()
            for name, value in changes.items():
                setattr(target, name, value)
            if "title" in changes or "arxiv_id" in changes:
                moved.add(target.id)
        elif op.delete is not None and papers.pop(op.delete, None) is not None:
            moved.add(op.delete)
    return moved
