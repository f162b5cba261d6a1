"""Checking and restoring backups: the recovery half of ``readlist doctor``."""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
from collections.abc import Callable
from pathlib import Path

from readlist.storage.atomic import atomic_write_bytes
from readlist.storage.backups import damaged, make_backup, prune_backups
from readlist.storage.errors import LibraryError
from readlist.storage.library import Library, check_writable, held, library_lock
from readlist.storage.paths import restored_path
from readlist.storage.snapshot import Snapshot, SnapshotProblem, read_snapshot, snapshot_header


class PaperCounts:
    """How many papers a library and each of its backups hold, or why a backup cannot be restored.

    The newest backups hold the library's own snapshot file, hard-linked (see
    :func:`readlist.storage.backups.make_backup`: every backup made between two compactions links the same
    file), each with its own journal. Asked one after another, a file shared so is read once (at 100,000 papers
    a read takes seconds) and each journal is replayed onto a fresh copy of its papers. Only counts come out: a
    journal's field changes may reach the shared papers, so the libraries built here are never used otherwise.
    """

    def __init__(self) -> None:
        self._file: tuple[tuple[int, ...], Snapshot | SnapshotProblem] | None = None  # the last snapshot file read

    def of_library(self, path: Path) -> int:
        """The papers of the library at ``path``, journal included; raises LibraryError as opening it would."""
        read = self._read(path)
        if isinstance(read, SnapshotProblem):
            raise damaged(path, read)
        return _counted(path, read)

    def of_backup(self, path: Path, backup: Path) -> tuple[int | None, str | None]:
        """(papers, None) for a backup that can be restored, (None, problem) for one that cannot."""
        snapshot = backup / path.name
        try:
            read = self._read(snapshot)
            if isinstance(read, SnapshotProblem):
                return None, str(read)  # the problem alone: what opening a library adds is advice for the library
            return _counted(snapshot, read), None
        except OSError as exc:
            return None, f"cannot be read ({exc.strerror or exc})"
        except LibraryError as exc:
            return None, str(exc)

    def _read(self, snapshot: Path) -> Snapshot | SnapshotProblem:
        try:
            st = snapshot.stat()
            same: tuple[int, ...] | None = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
        except OSError:
            same = None  # read as ever (a missing file is an empty library), and not kept
        if self._file is not None and self._file[0] == same:
            return self._file[1]
        self._file = None  # the previous file's papers go before the next file's are read
        try:
            read: Snapshot | SnapshotProblem = read_snapshot(snapshot)
        except SnapshotProblem as problem:
            read = problem
        if same is not None:
            self._file = same, read
        return read


def _counted(path: Path, read: Snapshot) -> int:
    """The papers of the library file at ``path``, read as ``read``, once its journal is replayed onto a copy."""
    lib = Library(path, tidy=False, load=False)
    lib.load(dataclasses.replace(read, papers=list(read.papers), deleted=dict(read.deleted)))
    return len(lib)


def restore_backup(path: Path, backup: Path, on_copy: Callable[[Path], None] | None = None) -> None:
    """Replace the library with a backup; the current files are kept as another backup first.

    ``backup`` is a backup directory (or the snapshot inside one). The backup's snapshot and
    journal are folded into one new snapshot, written in a single atomic rename under a
    generation newer than anything on disk, so a crash leaves either the old library or the
    restored one, and no old journal can ever be replayed onto the restored snapshot.

    The restore is noted beside the library (:func:`restored_path`, the backup's name): a library synced with
    other copies is older than what they hold now, and ``readlist sync`` merges it as such rather than as the
    newest change of all, which would undo their work in every copy.
    """
    if backup.is_file():
        backup = backup.parent
    if path.is_dir():
        raise LibraryError(f"{path}: is a directory; move it out of the way, then restore again")
    check_writable(path)
    restored = Library(backup / path.name, upgrade=False)  # reads and checks the backup; raises if it is damaged
    if not (backup / path.name).is_file():
        raise LibraryError(f"{backup}: not a backup of {path.name}")
    with held(library_lock(path), path):
        current = None
        with contextlib.suppress(OSError):
            current = snapshot_header(path.read_bytes())
        made: Path | None = None
        try:
            if path.exists():
                # Pruned only once the restore is done: a restore that fails must push out no older backup, and
                # leaves no copy of the library as it is to pass for the newest backup the next attempt restores.
                made = make_backup(path, as_found=True, prune=False)
            restored.adopt(path, min_gen=current.gen if current else 0, library_id=current.library if current else "")
        except OSError as exc:
            if made is not None:
                shutil.rmtree(made, ignore_errors=True)
            raise LibraryError(
                f"{path}: could not restore {backup.name} ({exc.strerror or exc}); the library was left as it was: "
                "free some space (or make the folder writable) and restore again"
            ) from exc
        with contextlib.suppress(OSError):  # a note for the next sync; the restore is done without it
            atomic_write_bytes(restored_path(path), backup.name.encode())
        prune_backups(path)
        if on_copy:
            on_copy(backup / path.name)
