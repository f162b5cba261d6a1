"""The ``Library``: the papers of one library file, kept in memory and in step with the disk.

Files, for a library at ``library.json`` (see :mod:`readlist.storage.paths`):

* ``library.json`` — the snapshot (:mod:`readlist.storage.snapshot`), replaced whole by atomic rename,
  holding the papers and the tombstones of deleted ones (so a deletion reaches other copies of the library);
* ``library.json.journal`` — committed changes since the snapshot (:mod:`readlist.storage.journal`);
* ``library.json.lock`` — held around every read-modify-write, so that two processes (the TUI and
  a CLI command, say) never lose each other's updates;
* ``library.json.backups/`` — the library before each of the last few sessions that changed it.

A change is a :meth:`Library.transaction`: take the lock, catch up with what other processes
committed, let the caller put, set and delete records, then append the batch to the journal and
fsync it. What a change *means* (a status, a note merge, an import) is the application layer's
business; the library only keeps records, their dedup keys and the files consistent.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import hashlib
import os
import stat
from collections.abc import Callable, Iterator, Mapping
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from readlist.core.model import Paper, find_arxiv_id, normalize_title, now_iso, other_arxiv_ids, title_id
from readlist.storage.atomic import atomic_write_chunks
from readlist.storage.backups import damaged, discard_backup, make_backup, prune_backups
from readlist.storage.errors import AmbiguousIdError, LibraryError, NotFoundError
from readlist.storage.journal import (
    KEYED_FIELDS,
    ORDER_FIELDS,
    WHY_KEPT_ASIDE,
    Belonging,
    Journal,
    Op,
    TailState,
    apply_ops,
    belonging,
    delete_op,
    note_present,
    put_in_order,
    put_op,
    read_journal,
    restore_order,
    set_op,
)
from readlist.storage.paths import ensure_private_dir, journal_path, lock_path
from readlist.storage.snapshot import (
    SCHEMA_VERSION,
    Identity,
    InodeState,
    Snapshot,
    SnapshotProblem,
    collector_paused,
    file_identity,
    inode_state,
    new_library_id,
    read_snapshot,
    snapshot_chunks,
)
from readlist.storage.undo_step import forget_folded_step, load_folded_step, newest_step, save_folded_step

if TYPE_CHECKING:
    from filelock import FileLock

LOCK_TIMEOUT = 30.0
# The fewest characters of an id that name a paper by prefix (see Library.resolve).
MIN_ID_PREFIX = 4
_ADDED_ORDER = attrgetter("added_order")
# Libraries whose snapshot is smaller than this are compacted after every command:
# rewriting them costs a few milliseconds and keeps the TinyDB file current.
SMALL_SNAPSHOT = 8 * 1024 * 1024


def library_lock(path: Path, timeout: float = LOCK_TIMEOUT) -> FileLock:
    """The lock every readlist process takes around a change to the library at ``path``."""
    from filelock import FileLock  # loaded by processes that change something, not by every reader

    return FileLock(str(lock_path(path)), timeout=timeout, mode=0o600)


def check_writable(path: Path) -> None:
    """Refuse to change a library whose file the user made read-only: it would be replaced by rename, which a
    read-only file does not stop. Every change to the files goes through this (commands, restore, repair)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return
    if not mode & stat.S_IWUSR:
        raise LibraryError(
            f"{path}: the library file is read-only (mode {stat.S_IMODE(mode):o}); nothing was changed. "
            f"Make it writable (`chmod u+w {path}`) to change it"
        )


@contextlib.contextmanager
def held(lock: FileLock, path: Path) -> Iterator[None]:
    """Hold ``lock`` (the lock of the library at ``path``); a lock that cannot be had is a one-line error."""
    from filelock import Timeout

    try:
        ensure_private_dir(path.parent)
    except OSError as exc:  # a folder that cannot be made: read-only, immutable, a name too long, a file in the way
        where = exc.filename or path.parent
        raise LibraryError(
            f"{path}: cannot create the library's folder {where} ({exc.strerror or exc}); nothing was changed. "
            "Make the folder yourself, or give another path with --db or READLIST_DB"
        ) from None
    lock_file = lock_path(path)
    if not lock_file.exists():
        with contextlib.suppress(OSError):
            lock_file.touch(mode=0o600)
            os.chmod(lock_file, 0o600)  # the umask cuts touch's mode; 0o277 would leave it unwritable
    try:
        lock.acquire()
    except Timeout:
        raise LibraryError(
            f"{path}: waited {lock.timeout:.0f}s for the lock ({lock_file.name}) that another "
            "readlist process (the terminal UI or a command) holds; close it or try again"
        ) from None
    except OSError as exc:
        odd = lock_file.is_symlink() or (lock_file.exists() and not lock_file.is_file())
        hint = (f"; {lock_file.name} should be a plain file: move it away when no readlist is running, and "
                "readlist makes a new one") if odd else ""
        raise LibraryError(
            f"{path}: cannot lock the library ({exc.strerror or exc}: {lock_file}); nothing was changed{hint}"
        ) from None
    try:
        yield
    finally:
        lock.release()


def _not_saved(path: Path, exc: OSError) -> LibraryError:
    where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
    then = "; free some space, then try again" if exc.errno in (errno.ENOSPC, errno.EDQUOT) else ""
    return LibraryError(
        f"{path}: the change could not be saved: {exc.strerror or exc}{where}; nothing was changed{then}")


class Transaction:
    """The changes of one durable batch, applied to memory as they are made and journalled on commit."""

    def __init__(self, library: Library) -> None:
        self._library = library
        self.ops: list[dict[str, Any]] = []
        # A paper was put back before the last one in the order papers were added: the batch restores it on commit.
        self.unordered = False
        # Per id touched, whether its last operation removed it (a tombstone is written on commit) or not.
        self.gone: dict[str, bool] = {}

    def put(self, paper: Paper) -> None:
        """Add a whole record, or replace the record with the same id.

        A paper that has no place in the order papers were added yet (a new one) gets the next.
        """
        if not paper.added_order:
            paper.added_order = self._library.next_added_order()
        self.unordered |= put_in_order(self._library.papers, paper)
        self._library._index(paper)
        self._library.members += 1
        self._present(paper)
        self.ops.append(put_op(paper))

    def set(self, paper: Paper, changes: Mapping[str, Any]) -> None:
        """Set fields of a record in the library (the values are taken as they are: validate them first)."""
        for name, value in changes.items():
            setattr(paper, name, value)
        if not KEYED_FIELDS.isdisjoint(changes):
            self._library._index(paper)
        if not ORDER_FIELDS.isdisjoint(changes):
            self._library.reordered += 1
        if "aliases" in changes:
            self._present(paper)
        self.ops.append(set_op(paper.id, dict(changes)))

    def delete(self, paper_id: str) -> Paper | None:
        """Remove a record, leaving a tombstone; the removed paper, or None when there was none."""
        paper = self._library.papers.pop(paper_id, None)
        if paper is not None:
            self._library._forget_keys()
            self._library.members += 1
            self.gone[paper_id] = True
            self.ops.append(delete_op(paper_id))
        return paper

    def rename(self, old_id: str, paper: Paper) -> None:
        """Put ``paper`` in the place of the record ``old_id``, an id it had before (kept in ``paper.aliases``).

        A removal and an addition, as the journal and a synced copy see it; unlike :meth:`delete` it keeps the
        id lookups, since the new record's keys (the old id among them) are indexed over the old one's: an import
        renaming papers one by one would otherwise index the whole library again for every one.
        """
        if self._library.papers.pop(old_id, None) is not None:
            self._library.members += 1
            self.gone[old_id] = True
            self.ops.append(delete_op(old_id))
        self.put(paper)

    def _present(self, paper: Paper) -> None:
        """The paper is in the library under its id, and under no id it had before: none of them is deleted."""
        note_present(self._library.deleted, paper)
        for pid in (paper.id, *paper.aliases):
            self.gone[pid] = False


class Library:
    """The papers of one library file; every change is a locked, journalled :meth:`transaction`."""

    def __init__(self, path: str | os.PathLike[str], *, lock_timeout: float = LOCK_TIMEOUT, tidy: bool = True,
                 upgrade: bool = True, load: bool = True) -> None:
        """Open the library at ``path``.

        ``tidy=False`` only looks (a journal to set aside is just reported, an older layout is not
        converted); ``upgrade=False`` leaves a file in an older layout as it is (a backup being read).
        ``load=False`` reads nothing yet: :meth:`load` does (the terminal UI paints first, then loads in
        the background); until then the library is empty and ``ready`` is False.
        """
        self.path = Path(path)
        self._tidy = tidy
        self._upgrade = tidy and upgrade
        self.journal = Journal(journal_path(self.path))
        self.lock_timeout = lock_timeout
        self._lock: FileLock | None = None  # made when first taken: a library only read never needs it
        self.papers: dict[str, Paper] = {}
        # Tombstones: the ids of deleted papers and when they went (see readlist.storage.snapshot).
        self.deleted: dict[str, str] = {}
        self._keys: dict[str, str] = {}
        self._keys_stale = False  # the dedup keys are rebuilt on first use, not on every load
        self._gen = 0
        self._next_order: int | None = None
        self.library_id = ""
        # One-line messages about what was found and done while opening (a journal set aside, say),
        # for the CLI and the TUI to show; the library itself is fine.
        self.notices: list[str] = []
        self._identity: Identity | None = None
        self._inode: InodeState = (0, 0)  # the snapshot's change time and link count, read or written (``read_state``)
        self._external_pending = False
        self._backed_up = False
        self.version = 0  # bumped on every change seen, ours or another process's
        self.members = 0  # bumped whenever a paper is added or removed (or all are reloaded)
        # Bumped whenever a field that sorted copies of the library are ordered by changes (``ORDER_FIELDS``): an
        # import's new upvote count, say. With ``members``, what decides whether a kept order still holds.
        self.reordered = 0
        self.committed = 0  # batches this process made durable: what decides a command's exit status
        # The command-line undo step the batches this process commits belong to, written on their journal lines
        # ("" for none), and the newest step named since the library was begun: in the live journal, else the one
        # folded into the library file with an earlier journal (readlist.storage.undo_step). They tell
        # `readlist undo` whether its record is of the newest command-line change (readlist.app.history).
        self.step = ""
        self.newest_step = ""
        self._folded_step = ""  # the step kept beside the library file, as last read or written
        # The step whose record for `readlist undo` this process has written: a fold whose newest step is that one
        # needs to keep none, as the record names it (a command's own fold after each change, on a small library).
        self.recorded_step = ""
        self.ready = False  # the files have been read
        # The papers other processes' changes touched since :meth:`take_replayed` was last asked, as they were
        # before (None: not there yet); None until it is first asked, and again after the library was read
        # whole (then nothing can be told paper by paper). Only a process that asks keeps them.
        self._replayed: dict[str, Paper | None] | None = None
        if load:
            self.load()

    def load(self, snapshot: Snapshot | None = None) -> None:
        """Read the library from disk (the constructor does, unless told not to); raises LibraryError.

        ``snapshot``: the library file as :func:`read_snapshot` already read it, taken as it is (its list and
        tables become the library's); only the journal is read then.
        """
        self._load(snapshot)
        self.ready = True

    # -- loading -----------------------------------------------------------

    def _load(self, snapshot: Snapshot | None = None) -> None:
        # Reading makes several objects per paper, none of them cyclic, and the papers live as long as the library:
        # they are frozen (kept from the collector's scans for good) before it runs again, or its first pass would
        # scan them all right after the read (0.1 s at 100,000 papers).
        with collector_paused():
            try:
                snap = read_snapshot(self.path) if snapshot is None else snapshot
            except SnapshotProblem as problem:
                raise damaged(self.path, problem) from None
            # The file is in id order; lists show papers with equal sort keys in the order they were added.
            snap.papers.sort(key=_ADDED_ORDER)
            self.papers = {paper.id: paper for paper in snap.papers}
            self.deleted = snap.deleted
            self._next_order = None
            self._gen = snap.gen
            self.library_id = snap.header.library if snap.header is not None else ""
            self._identity = snap.identity
            self._inode = snap.inode
            self.journal.reset()
            self._folded_step = self.newest_step = load_folded_step(self.path)
            self._forget_keys()
            self._replayed = None  # read whole: what changed, paper by paper, is not known
            self._catch_up_journal()
            self.version += 1
            self.members += 1
            gc.freeze()
        if snap.outdated and self._upgrade:
            self._convert()

    def _convert(self) -> None:
        """Rewrite a library written in an older layout in the current one, once; the old file is backed up first.

        The library works as it is either way: when it cannot be rewritten now (read-only, locked,
        a full disk), it is left alone and the user is told; the next opening tries again.
        """
        try:
            self._check_writable()
            with self.locked():
                if self._file_replaced():
                    return  # changed meanwhile (another process converted it?): the next refresh reads it
                backup = make_backup(self.path)
                self._backed_up = True
                self._write_snapshot()
        except (LibraryError, OSError) as exc:
            detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            self.notices.append(
                f"{self.path}: not converted to the one-paper-per-line format yet ({detail}); it works as it is"
            )
            return
        where = f"; the previous file is kept in {backup}" if backup is not None else ""
        self.notices.append(f"{self.path.name} was converted to the one-paper-per-line format "
                            f"(library schema {SCHEMA_VERSION}){where}")
        self._load()  # read back from the new file: its abstracts stay on disk instead of in memory

    def next_added_order(self) -> int:
        """The place in the order papers were added for the next new paper."""
        if self._next_order is None:
            self._next_order = max((p.added_order for p in self.papers.values()), default=0) + 1
        order = self._next_order
        self._next_order += 1
        return order

    def _place_unordered(self) -> None:
        """Give papers without a place in the order they were added one, in the order memory holds them.

        Libraries written before schema 3 kept papers in the order they were added; the papers are read
        in that order, so this keeps it when they are written sorted by id.
        """
        for paper in self.papers.values():
            if not paper.added_order:
                paper.added_order = self.next_added_order()

    def _forget_keys(self) -> None:
        # Normalizing 100k titles takes seconds; only imports and id lookups need the keys.
        self._keys = {}
        self._keys_stale = True

    def _key_map(self) -> dict[str, str]:
        if self._keys_stale:
            self._keys_stale = False
            for paper in self.papers.values():
                self._index(paper)
        return self._keys

    def _index(self, paper: Paper) -> None:
        if self._keys_stale:
            return  # the next _key_map() rebuild covers it
        if paper.arxiv_id:
            self._keys["a:" + paper.arxiv_id] = paper.id
        self._keys["t:" + normalize_title(paper.title)] = paper.id
        for alias in paper.aliases:
            self._keys["i:" + alias] = paper.id
        if paper.cite_key:
            self._keys["k:" + paper.cite_key.casefold()] = paper.id

    def _catch_up_journal(self) -> bool:
        # Each batch is applied as it is read: a journal that is another library's, or replaced, hands over none.
        read = self.journal.read_new(self._gen, self.library_id, each=self._replay)
        if read.belonging.kept_aside:
            return self._set_journal_aside(read.belonging)
        if read.bad_lines:
            self.notices.append(
                f"{self.journal.path}: {read.bad_lines} damaged line(s) could not be read and were skipped; the rest "
                "is applied, and the journal is kept when it is folded in (`readlist doctor` says more)"
            )
        if read.replaced:
            # Another process folded the journal in and started a new one since we last looked.
            self._load()
            return True
        return bool(read.entries)

    def _replay(self, ops: list[Op], at: str, step: str) -> None:
        """Apply one batch read from the journal (this process's or another's)."""
        if step:
            self.newest_step = step
        if any(op.put is not None or op.delete is not None for op in ops):
            self.members += 1
            self._next_order = None  # another process may have added papers
        if (replayed := self._replayed) is not None:
            for op in ops:
                pid = op.put.id if op.put is not None else op.set_id if op.set_id is not None else op.delete
                if pid is not None and pid not in replayed:
                    paper = self.papers.get(pid)
                    replayed[pid] = None if paper is None else msgspec.structs.replace(paper)
        moved = apply_ops(self.papers, ops, self.deleted, at)
        self.reordered += 1  # whatever another process changed (rarely: not worth reading each op's fields)
        for pid in moved:
            paper = self.papers.get(pid)
            if paper is None:
                self._forget_keys()
            else:
                self._index(paper)

    def _set_journal_aside(self, found: Belonging) -> bool:
        """Move a journal that is not this library's (or cannot be read) out of the way, never replaying it.

        The library file and the journal are read one after the other without the lock, so a journal can look newer
        than the library file only because another process folded its journal in and began a new one in between:
        that journal is the new file's, holding changes nobody else has. When the library file is not the one read,
        both are read again instead (True: the papers were read again); only a mismatch that holds under the lock,
        against the file as it is, is moved aside.
        """
        why = WHY_KEPT_ASIDE[found]
        if not self._tidy:
            if self._file_replaced():
                self._load()
                return True
            self.notices.append(f"{self.journal.path}: this journal {why}; none of its changes are applied")
            return False
        try:
            with self.locked():
                replaced = self._file_replaced()
                if not replaced:
                    if belonging(self.journal.path, self._gen, self.library_id) is not found:
                        return False  # another process dealt with it meanwhile
                    kept = self.journal.set_aside(found)
        except (LibraryError, OSError) as exc:
            detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            self.notices.append(
                f"{self.journal.path}: this journal {why}; none of its changes were applied, and it could not be "
                f"moved aside ({detail}), so changes cannot be saved until it is moved away"
            )
            return False
        if replaced:
            self._load()  # read as every reading is, without the lock
            return True
        self.notices.append(
            f"{self.journal.path.name} {why}: none of its changes were applied; it was kept as {kept} "
            f"(one JSON line per change; `readlist --db {self.path} doctor` lists it)"
        )
        return False

    def _file_replaced(self) -> bool:
        """Whether the library file is no longer the one last read or written (another process wrote a new one)."""
        return file_identity(self.path) != self._identity

    def refresh(self) -> bool:
        """Catch up with changes made by other processes; True when anything changed.

        Changes another process made are also picked up when this process writes (under
        the lock, before its own change); those count too, so a UI that polls refresh()
        to redraw never misses them.
        """
        changed = self._catch_up()
        pending, self._external_pending = self._external_pending, False
        return changed or pending

    def take_replayed(self) -> dict[str, Paper | None] | None:
        """The papers other processes' changes touched since the last call, each as it was before them (None for
        one that was not in the library); None when the library was read whole meanwhile (or this is the first
        call), so that only a recount tells what changed. A user interface keeps its counts current with this
        rather than counting the whole library again (replaying the journal copies only the papers it touches).
        """
        replayed, self._replayed = self._replayed, {}
        return replayed

    def _catch_up(self) -> bool:
        if self._file_replaced():
            self._load()
            return True
        self._follow_links()
        if self._catch_up_journal():
            self.version += 1
            return True
        return False

    def _follow_links(self) -> None:
        """Take the file's new change time when its count of names changed with it: a backup was hard-linked to it
        (``make_backup``, before another process's first change) or such a link pruned, and the papers are the same.

        Otherwise a process that read the library before (the app's interest process) would name another change
        time in its ``read_state`` than a command reading it now, and the command would not take what it learned.
        A change time that moved alone is a write in place: the fingerprint keeps the old one, so nothing learned
        from these papers is taken for the file now there.
        """
        if self._identity is None:
            return
        now = inode_state(self.path)
        if now[0] != self._inode[0] and now[1] != self._inode[1]:
            self._inode = now

    # -- queries -----------------------------------------------------------

    def __len__(self) -> int:
        return len(self.papers)

    def __iter__(self) -> Iterator[Paper]:
        return iter(self.papers.values())

    def get(self, paper_id: str) -> Paper | None:
        return self.papers.get(paper_id)

    @property
    def generation(self) -> int:
        return self._gen

    @property
    def read_state(self) -> str:
        """A fingerprint of exactly what this process has read: which library file (its inode, time, size and header,
        which holds the generation, and when the inode last changed: a file written over in place with its size and
        time kept is another) and how far into which journal; "" before the library is read.

        Two processes with the same fingerprint hold the same papers, so what one computed from them (interest
        scores, say) holds for the other as it is. Any change by anyone gives another: a decision or an import
        lengthens the journal, folding it in or replacing the file (a backup restored, a sync) changes the file.
        """
        if not self.ready or self._identity is None:
            return ""
        seen = (self.library_id, self._gen, self._identity, self._inode[0], self.journal.inode, self.journal.offset)
        return hashlib.blake2b(repr(seen).encode(), digest_size=16).hexdigest()

    def find_existing(self, paper: Paper) -> Paper | None:
        """The paper already in the library that ``paper`` is, by arXiv id, else by title: the title it has, or one
        it was imported under before the user corrected it.

        A title's ``t-…`` id (:func:`title_id`) is the id of a paper imported under it without an arXiv id, kept
        as an alias when the paper gets its arXiv id or its title is corrected (readlist.app.details): so a paper
        whose title the user corrected is still found by a text copy, or arXiv, that has the old one.

        A title match only counts when one of the two has no arXiv id: two papers with
        different arXiv ids are different papers even when their titles are the same.
        """
        keys = self._key_map()
        for key in paper.dedup_keys:
            found = keys.get(key)
            if found is None or found not in self.papers:
                continue
            existing = self.papers[found]
            if key.startswith("t:") and other_arxiv_ids(paper, existing):
                continue
            return existing
        imported = self.named_by_id(title_id(paper.title))  # a t-… id is an id or an alias
        if imported is None or other_arxiv_ids(paper, imported):
            return None
        return imported

    def resolve(self, ref: str) -> Paper:
        """Find a paper by id, an id it had before, arXiv id, URL, citation key or unique id prefix.

        A citation key is what a user copies from their own ``\\cite{…}``; keys are unique whatever their case
        (as BibTeX compares them), so one matches at most one paper. A prefix counts only from
        :data:`MIN_ID_PREFIX` characters on: a shorter one (``h``, ``g``) named an old paper by accident more
        often than on purpose (``readlist tag ID h`` tagged hep-ph/… instead of adding the tag ``h``), and a
        command that changes or removes papers must not guess; an exact name matches at any length."""
        ref = ref.strip()
        named = self.named_by_id(ref)
        if named is not None:
            return named
        keys = self._key_map()
        keyed = self.papers.get(keys.get("k:" + ref.casefold(), ""))
        if keyed is not None and keyed.cite_key and keyed.cite_key.casefold() == ref.casefold():
            return keyed  # (a key changed since it was indexed names its paper no longer)
        if len(ref) < MIN_ID_PREFIX:
            if not ref:
                raise NotFoundError(f"no paper with id {ref!r} in {self.path}")
            raise NotFoundError(f"no paper with id {ref!r} in {self.path}; ids need at least {MIN_ID_PREFIX} "
                                "characters as a prefix")
        matches = [pid for pid in self.papers if pid.startswith(ref)]
        if not matches:
            matches = sorted({pid for key, pid in keys.items()
                              if key.startswith("i:" + ref) and pid in self.papers})
        if len(matches) == 1:
            return self.papers[matches[0]]
        if not matches:
            raise NotFoundError(f"no paper with id {ref!r} in {self.path}")
        shown = ", ".join(sorted(matches)[:5]) + (", …" if len(matches) > 5 else "")
        raise AmbiguousIdError(f"id prefix {ref!r} is ambiguous: {len(matches)} papers match ({shown})", ref)

    def named_by_id(self, ref: str) -> Paper | None:
        """The paper ``ref`` names by its id, an id it had before or its arXiv id: the names that win over a
        citation key in :meth:`resolve` (so a key may not be one of them, or it would find another paper), and
        how a change, an editor or a form holding a paper's id finds it after another process gave it its arXiv
        id (``readlist enrich``, an import)."""
        if ref in self.papers:
            return self.papers[ref]
        keys = self._key_map()
        if ("i:" + ref) in keys and keys["i:" + ref] in self.papers:
            return self.papers[keys["i:" + ref]]  # an id the paper had before
        arxiv = find_arxiv_id(ref)
        if arxiv and ("a:" + arxiv) in keys:
            return self.papers[keys["a:" + arxiv]]
        return None

    # -- writing -----------------------------------------------------------

    def set_lock_timeout(self, seconds: float) -> None:
        """How long a change waits for another process's lock from now on (the terminal UI waits less)."""
        self.lock_timeout = seconds
        if self._lock is not None:
            self._lock.timeout = seconds

    def prepare_lock(self) -> FileLock:
        """The library's lock, made now if it was not yet.

        Making it loads the lock's module (10-30 ms), which a process that only reads never needs; the terminal
        UI calls this in the background once the library is read, so that its first change is as quick as the
        next.
        """
        if self._lock is None:
            self._lock = library_lock(self.path, self.lock_timeout)
        return self._lock

    def locked(self) -> contextlib.AbstractContextManager[None]:
        """Hold the library's lock (other readlist processes wait, up to the lock timeout)."""
        return held(self.prepare_lock(), self.path)

    def _check_writable(self) -> None:
        check_writable(self.path)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Lock, catch up, let the caller make changes, then commit them durably.

        If anything fails before the batch is durable, memory is reloaded from disk so
        that it never shows a change that was not saved.
        """
        self._check_writable()
        with self.locked():
            if self._catch_up():
                self._external_pending = True
            txn = Transaction(self)
            try:
                yield txn
                if txn.unordered:
                    restore_order(self.papers)
                self._commit(txn)
            except BaseException as exc:
                if txn.ops:
                    with contextlib.suppress(LibraryError, OSError):
                        self._load()
                if isinstance(exc, OSError):
                    raise _not_saved(self.path, exc) from exc
                if isinstance(exc, UnicodeEncodeError):
                    # Bytes that were not UTF-8 (an argument, standard input) kept as lone surrogates by Python.
                    raise LibraryError(
                        f"{self.path}: the change could not be saved: its text is not valid UTF-8 (check the "
                        "arguments or the input's encoding); nothing was changed"
                    ) from None
                raise

    def _commit(self, txn: Transaction) -> None:
        """Append one batch to the journal and fsync it; caller holds the lock.

        Papers the batch deleted get a tombstone stamped with the batch's time, the time the journal
        records for it too, so every process replaying the journal stamps the same one.
        """
        ops = txn.ops
        if not ops:
            return
        stamp = now_iso()
        self._backed_up_write(lambda: self._append(ops, stamp))
        for pid, gone in txn.gone.items():
            if gone:
                self.deleted[pid] = stamp
        self.version += 1

    def _append(self, ops: list[dict[str, Any]], stamp: str) -> None:
        if self.journal.live and self.journal.cut_torn_tail() is TailState.SHRANK:
            # The journal shrank under us (edited by hand?): keep what memory holds in a new snapshot.
            self._write_snapshot()
        if not self.journal.live:
            if not self.path.exists():
                self._write_snapshot()
            self.journal.start(self._gen, self.library_id)
        self.journal.append(ops, at=stamp, step=self.step)
        if self.step:
            self.newest_step = self.step
        self.committed += 1

    def _backed_up_write(self, write: Callable[[], None]) -> None:
        """Run ``write`` (a change to the files) after keeping the session's backup.

        Older backups are pruned only once the write has worked: when it fails nothing changed, so the backup
        just made holds nothing new and goes (a folder that cannot be written would otherwise push every older
        backup out, one failed command at a time). On a full disk the backup gives its room to the change.
        """
        said = len(self.notices)
        backup = self._backup_once()
        try:
            write()
        except OSError as exc:
            if backup is None:
                # "No backup could be made before this change": there was no change, and its failure is said.
                del self.notices[said:]
                raise
            if exc.errno != errno.ENOSPC:
                discard_backup(backup)
                self._backed_up = False
                raise
            self._give_back(backup)
            write()
        if backup is not None:
            with contextlib.suppress(OSError):
                prune_backups(self.path)

    def _backup_once(self) -> Path | None:
        """The library as it was before this session's first change, kept aside once per session.

        A backup that cannot be made (a full disk, say) does not stop the change; it is tried again
        at the next one, and the user is told.
        """
        if self._backed_up:
            return None
        try:
            made = make_backup(self.path, prune=False)  # pruned once the change is made
        except OSError as exc:
            notice = (f"{self.path}: no backup could be made before this change ({exc.strerror or exc}); "
                      "readlist tries again at the next change")
            if notice not in self.notices:  # the change and its folding-in both try: say it once
                self.notices.append(notice)
            return None
        self._backed_up = True
        return made

    def _give_back(self, backup: Path) -> None:
        discard_backup(backup)
        self._backed_up = False
        self.notices.append(
            f"{self.path}: the disk is full; the backup made before this change was removed to make room for it"
        )

    def _write_snapshot(self) -> None:
        """Fold everything into a new snapshot generation; caller holds the lock."""
        gen = self._gen + 1
        library_id = self.library_id or new_library_id()
        self._place_unordered()
        # Before the library file: until it is replaced, the journal still names the same step.
        if self.newest_step and self.newest_step == self.recorded_step:
            if self._folded_step:  # an older step kept would now stop `readlist undo` of the recorded change
                forget_folded_step(self.path)
                self._folded_step = ""
        elif self.newest_step != self._folded_step:
            save_folded_step(self.path, self.newest_step)
            self._folded_step = self.newest_step
        atomic_write_chunks(self.path, snapshot_chunks(gen, self.papers.values(), library_id, self.deleted))
        # Only now that the new generation is on disk: a journal header must never name a generation
        # the snapshot does not have, or its changes would be ignored as stale.
        self._gen = gen
        self.library_id = library_id
        self._identity = file_identity(self.path)
        self._inode = inode_state(self.path)
        # The old journal belongs to the previous generation now; drop it (one with damaged lines is kept).
        kept = self.journal.remove(gen, library_id)
        if kept is not None:
            self.notices.append(
                f"{kept}: the journal had lines that could not be read; its readable changes are in the library "
                "and it is kept beside it for what the damaged lines held (`readlist doctor` lists it)"
            )

    def compact(self, *, force: bool = False) -> bool:
        """Rewrite the snapshot from memory when the journal has grown; True when it did."""
        self._check_writable()
        with self.locked():
            if self._catch_up():
                self._external_pending = True
            journal_size = self.journal.path.stat().st_size if self.journal.path.exists() else 0
            snap_size = self._identity[2] if self._identity else 0
            needed = force or not self.path.exists() or (
                journal_size > 0 and (snap_size < SMALL_SNAPSHOT or journal_size > snap_size // 8)
            )
            if not needed:
                return False
            try:
                self._backed_up_write(self._write_snapshot)
            except OSError as exc:
                # Every change is already durable in the journal; only the folding failed.
                if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                    when = "once there is room"
                else:  # an immutable or otherwise protected file (EPERM, EACCES), a read-only disk
                    when = "once the file can be written again (check its permissions and attributes: `lsattr`)"
                kept = (f"your changes are saved in the journal and are folded in by a later command {when}"
                        if journal_size else "the library file was left as it was (it had no journal to fold in)")
                raise LibraryError(
                    f"{self.path}: could not rewrite the library file ({exc.strerror or exc}); {kept}"
                ) from exc
            return True

    def create(self) -> None:
        """Write an empty library file if there is none yet."""
        if not self.path.exists():
            with self.locked():
                if not self.path.exists():
                    self._write_snapshot()

    def take_notices(self) -> list[str]:
        """The notices gathered so far, each returned once."""
        notices, self.notices = self.notices, []
        return notices

    def adopt(self, path: Path, *, min_gen: int, library_id: str = "") -> None:
        """Write these papers as the library at ``path``, in a generation above ``min_gen``.

        Restoring a backup uses this: the backup's snapshot and journal were loaded into this
        object, and are written as one new snapshot whose generation is newer than anything on
        disk, so no journal left at ``path`` can ever be replayed onto it. Caller holds the
        lock of ``path``.

        The newest undo step named at ``path`` (by its journal, which this replaces, or beside it) stays the
        newest: a restore is no command-line change, and the backup's own steps are older ones.
        """
        named: list[str] = []  # only the steps are wanted, not the batches of a journal that may be long
        read_journal(journal_path(path), min_gen, library_id, each=lambda _ops, _at, step: named.append(step))
        self._folded_step = load_folded_step(path)
        self.newest_step = newest_step(named) or self._folded_step
        self.path = path
        self.journal = Journal(journal_path(path))
        self._gen = max(self._gen, min_gen)
        self.library_id = self.library_id or library_id
        self._write_snapshot()

