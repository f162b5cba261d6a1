"""The write-ahead journal beside the snapshot: one fsynced JSON line per committed change.

Rewriting a 200 MB snapshot for every rating would take seconds; appending a line takes well
under a millisecond. Opening a library replays the journal on top of the snapshot and compaction
folds it back in.

The first line is a header naming the snapshot generation the journal belongs to; a journal of
another generation was already folded in and is ignored. Each later line is one batch of
operations, all absolute (a whole record, field values, a deletion), so replaying one twice gives
the same result. A torn last line (a kill mid-append) is a change that was never acknowledged and
is ignored; a complete line (one a newline ends: a stray carriage return in a damaged line ends
nothing) that does not decode into the types below is damage, counted and skipped (later lines are
absolute, so they still apply correctly).

A crash can also leave a run of zero bytes where a change was being written (blocks the file system
allocated but never wrote), gigabytes of them in the worst case, at the end of the journal or in its
place. The journal is therefore read a bounded piece at a time, never whole: the header from its first
few kilobytes, then the lines a megabyte at a time. A line longer than that is kept only while it may
still be a batch (it starts with ``{`` and holds no zero byte, which no JSON text can); any other is
passed over to its newline without being kept. Memory holds at most the longest line that may be a batch
(one import is one line, hundreds of megabytes for a large one, so lines are not capped), whatever the
size of the damage.

A line may name the command-line undo step its batch belongs to (``step``, a random token also kept in the
record ``readlist undo`` reads; see :mod:`readlist.app.history`). Lines have always been read ignoring fields
they do not know, so the field needs no new journal format: a readlist without it replays such lines as before.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import typing
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from operator import attrgetter
from pathlib import Path
from typing import Any

import msgspec

from readlist.core.model import Paper, encode_stored, now_iso
from readlist.storage.atomic import NotAFileError, atomic_write_bytes, fsync_dir, open_regular
from readlist.storage.errors import LibraryError
from readlist.storage.paths import FileStamp, file_stamp

JOURNAL_FORMAT = 1


class JournalHeader(msgspec.Struct, kw_only=True):
    readlist_journal: int
    gen: int
    # The id of the library the journal belongs to ("" in journals written before libraries had ids).
    library: str = ""


class Belonging(Enum):
    """How a journal file relates to the snapshot beside it."""

    ABSENT = "absent"  # no journal, or an empty file
    LIVE = "live"  # this snapshot generation's journal: replay it
    STALE = "stale"  # an older generation's, already folded in: safe to replace
    FOREIGN = "foreign"  # another library's journal: never replay, never delete
    UNREADABLE = "unreadable"  # its header is damaged: nobody can tell whose it is
    AHEAD = "ahead"  # a newer generation than the snapshot (an older snapshot was put back by hand)

    @property
    def kept_aside(self) -> bool:
        """Journals that must be neither replayed nor deleted, only moved out of the way."""
        return self in (Belonging.FOREIGN, Belonging.UNREADABLE, Belonging.AHEAD)


WHY_KEPT_ASIDE = {
    Belonging.FOREIGN: "belongs to another library",
    Belonging.UNREADABLE: "has a damaged header, so whose changes it holds cannot be told",
    Belonging.AHEAD: "is newer than the library file beside it (was an older library file put back?)",
}


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
    step: str = ""  # the command-line undo step of the batch ("" for none: the terminal UI, sync, older lines)


_HEADER = msgspec.json.Decoder(JournalHeader)
# A header is one line of under a hundred bytes: a file with no line end this near its start (zeros a crash left)
# has a damaged header, found without reading further.
_HEADER_BYTES = 4096
# Bytes read from the journal at a time: a line longer than this is gathered piece by piece, and only while
# it may still be a batch.
_READ_BUFFER = 1 << 20
# A batch's line starts with "{", after any JSON white space (a newline ends the line).
_BRACE = ord("{")
_NOT_LEADING_SPACE = re.compile(rb"[^ \t\r]")
# A whole record put back may have its abstract still in the snapshot file: it is written out as text.
_ENCODER = msgspec.json.Encoder(enc_hook=encode_stored)
_ENTRY = msgspec.json.Decoder(Entry)
# Operations encoded together into one piece of a batch's line. An import of 100,000 papers is one batch, a line
# of ~260 MB: encoded whole it was held at once next to the papers (and grown by copying), twice their text.
_OPS_PER_PIECE = 1000


def line_pieces(ops: Sequence[dict[str, Any]], *, at: str, step: str = "") -> Iterator[bytes]:
    """The journal line of one batch (``{"ops":[…],"at":…,"step":…}`` and its newline) a piece at a time: the
    bytes that encoding the whole entry gives, never more than ``_OPS_PER_PIECE`` operations' worth at once."""
    yield b'{"ops":['
    for start in range(0, len(ops), _OPS_PER_PIECE):
        items = _ENCODER.encode(ops[start : start + _OPS_PER_PIECE])[1:-1]  # the list's items, without [ and ]
        yield b"," + items if start else items
    tail: dict[str, str] = {"at": at}
    if step:
        tail["step"] = step
    yield b"]," + _ENCODER.encode(tail)[1:] + b"\n"


JournalIdentity = FileStamp


def journal_identity(path: Path) -> JournalIdentity | None:
    """The journal file at ``path`` as it is now (:func:`file_stamp`); None when there is none.

    Every change appends to the journal, so a change made since it was taken shows as another size; folding the
    journal into the library removes or replaces it. Other errors than its absence are raised.
    """
    return file_stamp(path)


def put_op(paper: Paper) -> dict[str, Any]:
    return {"put": paper}


def set_op(paper_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    return {"set": paper_id, "f": changes}


def delete_op(paper_id: str) -> dict[str, Any]:
    return {"del": paper_id}


@dataclass
class JournalRead:
    """The result of reading a journal from some offset."""

    batches: list[list[Op]] = field(default_factory=list)  # empty when each batch was handed to ``each``
    stamps: list[str] = field(default_factory=list)  # when each batch was committed (ISO 8601 UTC)
    steps: list[str] = field(default_factory=list)  # the command-line undo step of each batch, or ""
    offset: int = 0  # end of the last complete line read
    live: bool = False  # the journal belongs to the snapshot's generation
    inode: int | None = None
    bad_lines: int = 0  # complete lines that could not be used (damage; never written this way)
    torn_bytes: int = 0  # an incomplete last line: a change cut off by a crash, never acknowledged
    gen: int | None = None  # the generation named in the journal's header
    replaced: bool = False  # the file at ``offset`` is not the one read before: reload from scratch
    belonging: Belonging = Belonging.ABSENT
    entries: int = 0  # the batches read, kept here or handed over


def _belonging(header: JournalHeader, gen: int, library: str) -> Belonging:
    if header.library and library and header.library != library:
        return Belonging.FOREIGN
    if header.gen == gen:
        return Belonging.LIVE
    return Belonging.STALE if header.gen < gen else Belonging.AHEAD


# What replays a batch as it is read: its operations, when it was committed, its undo step.
Replay = Callable[[list[Op], str, str], None]


def read_journal(
    path: Path, gen: int, library: str = "", offset: int = 0, inode: int | None = None, *, each: Replay | None = None,
) -> JournalRead:
    """Read the committed batches after ``offset`` of the journal of snapshot generation ``gen`` of ``library``.

    Only a journal that belongs to this generation of this library is read (``belonging`` says what
    the file is otherwise). An incomplete last line is a change cut off before it was acknowledged.
    With ``each``, every batch is handed to it as soon as its line is decoded, and not kept: a library
    replaying a long journal holds one decoded batch at a time (all of them at once took 110 MB for a 22 MB
    journal of bulk tag changes, each carrying its papers' ``changed`` maps). The file is read a megabyte at
    a time too (see :func:`_lines`): a read-only command that met two gigabytes of zeros at the end of a journal
    read them all into memory, twice over, every time it ran.
    """
    result = JournalRead()
    opened = _open(path)
    if opened is None:
        return result
    with opened as handle:
        result.inode = os.fstat(handle.fileno()).st_ino
        if offset and inode is not None and result.inode != inode:
            result.replaced = True
            return result
        if offset == 0:
            line, header = _read_header(handle)
            if not line:
                return result
            if header is None:
                result.belonging = Belonging.UNREADABLE
                return result
            result.gen = header.gen
            result.belonging = _belonging(header, gen, library)
            if header.readlist_journal > JOURNAL_FORMAT and result.belonging is Belonging.LIVE:
                raise LibraryError(
                    f"{path}: written by a newer readlist (journal format {header.readlist_journal}). "
                    "The files were left untouched; upgrade readlist to open this library."
                )
            if result.belonging is not Belonging.LIVE:
                return result
            offset = len(line)
        else:
            handle.seek(offset)
        result.live = True
        result.belonging = Belonging.LIVE
        consumed = 0
        for size, text in _lines(handle):
            consumed += size
            entry = _entry(text)
            if entry is None:
                result.bad_lines += 1
                continue
            result.entries += 1
            if each is not None:
                each(entry.ops, entry.at, entry.step)
                continue
            result.batches.append(entry.ops)
            result.stamps.append(entry.at)
            result.steps.append(entry.step)
        result.offset = offset + consumed
        result.torn_bytes = handle.tell() - result.offset  # read after the last newline: a line cut off
    return result


def _read_header(handle: io.BufferedReader) -> tuple[bytes, JournalHeader | None]:
    """The journal's first line as read (empty for an empty file) and the header it holds, None when it holds none.

    Headers are written whole (atomically), so one that is torn, or longer than any header is, is damage too.
    """
    line = handle.readline(_HEADER_BYTES)
    try:
        header = _HEADER.decode(line) if line.endswith(b"\n") else None
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):
        header = None
    return line, header


def _entry(text: bytes | bytearray | None) -> Entry | None:
    """The batch a complete line holds; None when it holds none (damage: no line is ever written that way)."""
    if text is None:
        return None
    try:
        entry = _ENTRY.decode(text)
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):
        return None
    return entry if all(op.valid() for op in entry.ops) else None


def _lines(handle: io.BufferedReader) -> Iterator[tuple[int, bytes | bytearray | None]]:
    """Each complete line from the handle's position on: its size (newline included) and its text, None when it
    cannot be a batch. What follows the last newline, a line cut off, is read but not yielded.

    The file is read ``_READ_BUFFER`` bytes at a time, into one buffer used again and again. The lines that lie
    whole in one read (nearly all) are handed over as they are: bounded by the read, they need no look before
    they are decoded. A line a read ends in is kept only while it may still be a batch (see :class:`_Unfinished`),
    however long it turns out to be.
    """
    buffer = bytearray(_READ_BUFFER)
    unfinished = _Unfinished()
    while count := handle.readinto(buffer):
        start = 0
        if unfinished.size:
            end = buffer.find(b"\n", 0, count) + 1  # 0: no newline in this read either
            unfinished.add(buffer, 0, end or count)
            if not end:
                continue
            yield unfinished.ended()
            unfinished, start = _Unfinished(), end
        last = buffer.rfind(b"\n", start, count)
        if last >= 0:
            for line in buffer[start:last].split(b"\n"):
                yield len(line) + 1, line
            start = last + 1
        if start < count:
            unfinished.add(buffer, start, count)


class _Unfinished:
    """The line being read across reads of the file: always counted, kept only while it may still be a batch.

    A batch's line starts with ``{`` (after JSON white space) and holds no zero byte, which JSON allows nowhere
    (a string's control characters are written as escapes). Any other line, zeros a crash left above all, is
    only counted on its way to its newline or the end of the file, and its text is never kept.
    """

    def __init__(self) -> None:
        self.size = 0  # the line's bytes read so far
        self.held = bytearray()  # the line from its "{" on, while it may be a batch
        self.begun = False  # its "{" has been read
        self.hopeless = False  # it cannot be a batch

    def add(self, buffer: bytearray, start: int, stop: int) -> None:
        """The line goes on with ``buffer[start:stop]``."""
        self.size += stop - start
        if self.hopeless:
            return
        if not self.begun:
            first = _NOT_LEADING_SPACE.search(buffer, start, stop)
            if first is None:
                return  # white space so far, which need not be kept
            start = first.start()
            self.begun = buffer[start] == _BRACE
            self.hopeless = not self.begun
        if self.begun and buffer.find(b"\x00", start, stop) >= 0:
            self.hopeless = True
            self.held = bytearray()
        elif self.begun:
            self.held += memoryview(buffer)[start:stop]

    def ended(self) -> tuple[int, bytearray | None]:
        """The line, now that a newline ended it: its size and its text (None when it cannot be a batch)."""
        return self.size, None if self.hopeless else self.held


def _open(path: Path) -> io.BufferedReader | None:
    """The journal opened for reading; None when there is none, or a folder has its name (nothing to replay).

    Opened without blocking and checked to be a regular file first: a named pipe in its place would wait for a
    writer forever, and every command with it. Unlike a derived file beside the library, the journal is where
    changes are, so such a file is not passed over as absent: it stops the command, as one in the library
    file's place does. Raises LibraryError for it, OSError when the file cannot be opened.
    """
    try:
        return open_regular(path)
    except (FileNotFoundError, IsADirectoryError):
        return None
    except NotAFileError as exc:
        raise LibraryError(
            f"{path} is {exc.kind}, not the library's journal: nothing was read or changed. Move it away (the "
            "library file itself is fine), then try again"
        ) from None


def belonging(path: Path, gen: int, library: str) -> Belonging:
    """What the journal file at ``path`` is to this generation of this library (its header only is read)."""
    opened = _open(path)
    if opened is None:
        return Belonging.ABSENT
    with opened as handle:
        line, header = _read_header(handle)
    if not line:
        return Belonging.ABSENT
    return Belonging.UNREADABLE if header is None else _belonging(header, gen, library)


def kept_aside_journals(path: Path) -> list[Path]:
    """Journals readlist moved out of the way beside the library at ``path`` (see :meth:`Journal.set_aside`)."""
    try:
        return sorted(path.parent.glob(f"{path.name}.journal.*-*"))
    except OSError:
        return []


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
        self.damaged = 0  # lines read since the start of the file that could not be used

    def reset(self) -> None:
        self.offset = 0
        self.live = False
        self.inode = None
        self.damaged = 0

    def read_new(self, gen: int, library: str, *, each: Replay | None = None) -> JournalRead:
        """The batches committed since the last read (handed to ``each`` if given); ``replaced``: start over."""
        read = read_journal(self.path, gen, library, self.offset, self.inode, each=each)
        if not read.replaced:
            self.live = read.live
            self.offset = read.offset
            self.inode = read.inode if read.live else None
            self.damaged += read.bad_lines
        return read

    def start(self, gen: int, library: str) -> None:
        """Begin a journal for snapshot generation ``gen`` (atomically: a kill leaves none or a whole header).

        Only an absent or already folded-in journal is ever replaced: one that is another
        library's, damaged or newer is the user's data, and stays.
        """
        found = belonging(self.path, gen, library)
        if found.kept_aside or found is Belonging.LIVE:
            raise LibraryError(
                f"{self.path}: a journal that {WHY_KEPT_ASIDE.get(found, 'is in use')} is in the way and could not "
                "be moved aside; nothing was changed. Move it away, then try again (`readlist doctor` explains)."
            )
        header = msgspec.json.encode(JournalHeader(readlist_journal=JOURNAL_FORMAT, gen=gen, library=library)) + b"\n"
        atomic_write_bytes(self.path, header)
        self.offset = len(header)
        self.live = True
        self.inode = os.stat(self.path).st_ino

    def append(self, ops: Sequence[dict[str, Any]], *, at: str | None = None, step: str = "") -> None:
        """Append one batch (made at ``at``, now by default; of undo step ``step``, if any) and fsync it: when this
        returns, it survives a crash."""
        size = 0
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
        try:
            try:
                for piece in line_pieces(ops, at=at or now_iso(), step=step):
                    view = memoryview(piece)
                    while view:
                        written = os.write(fd, view)
                        view = view[written:]
                    size += len(piece)
                os.fsync(fd)
            except BaseException:
                # Leave no half line behind for the next writer to append to.
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, self.offset)
                raise
        finally:
            os.close(fd)
        self.offset += size

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

    def remove(self, gen: int, library: str) -> Path | None:
        """Delete the journal once snapshot generation ``gen`` holds everything in it (only ever our own).

        A journal with damaged lines is kept instead, renamed beside the library (returned): its readable
        changes are in the snapshot, and the damaged lines are all that is left of whatever they held.
        """
        damaged = self.damaged
        self.reset()
        if belonging(self.path, gen, library) not in (Belonging.STALE, Belonging.LIVE):
            return None
        if damaged:
            try:
                return self._rename_aside("damaged")
            except OSError:
                return None  # left where it is: a stale journal is never replayed, and nothing of it is deleted
        with contextlib.suppress(OSError):
            self.path.unlink()
        return None

    def set_aside(self, found: Belonging) -> Path:
        """Move a journal that must not be replayed out of the way, under a name that says why and when."""
        return self._rename_aside(found.value)

    def _rename_aside(self, why: str) -> Path:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        target = self.path.with_name(f"{self.path.name}.{why}-{stamp}")
        for attempt in range(1, 100):
            if not target.exists():
                break
            target = self.path.with_name(f"{self.path.name}.{why}-{stamp}-{attempt}")
        os.rename(self.path, target)
        fsync_dir(self.path.parent)
        self.reset()
        return target


# The fields a paper is looked up by besides its id (``Library.find_existing`` and ``Library.resolve``): a change
# to one of them moves the paper in the library's lookup keys.
KEYED_FIELDS = frozenset({"title", "arxiv_id", "cite_key"})
# The fields the orders a list keeps of the whole library read (readlist.core.query's date added, publication
# date, upvotes and title; the interest order's cold-start order): a change to one can move a paper in them.
ORDER_FIELDS = frozenset({"added", "published", "arxiv_id", "upvotes", "title"})


def apply_ops(
    papers: dict[str, Paper], ops: Iterable[Op], deleted: dict[str, str] | None = None, at: str = ""
) -> set[str]:
    """Replay operations onto ``papers``; returns the ids whose lookup keys (``KEYED_FIELDS``) may have moved.

    With ``deleted`` (the tombstones), a deletion records its time ``at`` there, and a paper put back
    (or one that takes a deleted id as an alias) is no longer deleted: see :func:`note_present`.
    """
    moved: set[str] = set()
    unordered = False
    for op in ops:
        if op.put is not None:
            unordered |= put_in_order(papers, op.put)
            moved.add(op.put.id)
            if deleted:
                note_present(deleted, op.put)
        elif op.set_id is not None:
            target = papers.get(op.set_id)
            if target is None:
                continue
            changes = op.changes()
            for name, value in changes.items():
                setattr(target, name, value)
            if not KEYED_FIELDS.isdisjoint(changes):
                moved.add(target.id)
            if deleted and "aliases" in changes:
                note_present(deleted, target)
        elif op.delete is not None and papers.pop(op.delete, None) is not None:
            moved.add(op.delete)
            if deleted is not None:
                deleted[op.delete] = at or now_iso()
    if unordered:
        restore_order(papers)
    return moved


def put_in_order(papers: dict[str, Paper], paper: Paper) -> bool:
    """Add or replace ``paper``; whether :func:`restore_order` must run once every paper of the batch is put.

    Lists show papers with equal sort keys (a whole import shares one ``added`` time) in the order papers were
    added, so a paper put back after a deletion (an undo, a merge) must return to its place, not stay at the end.
    The papers are put in order once per batch: once per paper, putting back thousands took minutes.
    """
    last = next(reversed(papers.values()), None) if paper.id not in papers else None
    papers[paper.id] = paper
    return last is not None and 0 < paper.added_order < last.added_order


def restore_order(papers: dict[str, Paper]) -> None:
    """Put ``papers`` back in the order they were added (a sort of a list nearly in order: a few ms at 100,000)."""
    ordered = sorted(papers.values(), key=attrgetter("added_order"))
    papers.clear()
    papers.update((p.id, p) for p in ordered)


def note_present(deleted: dict[str, str], paper: Paper) -> None:
    """Drop the tombstones ``paper`` makes untrue: its own id, and the ids it had before (a rename is no deletion)."""
    deleted.pop(paper.id, None)
    for alias in paper.aliases:
        deleted.pop(alias, None)
