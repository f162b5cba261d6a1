"""Checking and restoring backups: the recovery half of ``readlist doctor``."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Callable
from pathlib import Path

from readlist.storage.atomic import atomic_write_bytes
from readlist.storage.backups import make_backup, prune_backups
from readlist.storage.errors import LibraryError
from readlist.storage.library import Library, check_writable, held, library_lock
from readlist.storage.paths import restored_path
from readlist.storage.snapshot import SnapshotProblem, read_snapshot, snapshot_header


def check_backup(path: Path, backup: Path) -> tuple[int | None, str | None]:
    """(papers, None) for a backup that can be restored, (None, problem) for one that cannot."""
    snapshot = backup / path.name
    try:
        read_snapshot(snapshot)
        lib = Library(snapshot, tidy=False)
    except SnapshotProblem as problem:
        return None, str(problem)
    except OSError as exc:
        return None, f"cannot be read ({exc.strerror or exc})"
    except LibraryError as exc:
        return None, str(exc)
    return len(lib), None


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
