"""Backups: the library as it was before each of the last few sessions that changed it.

Each backup is a folder named by its UTC time in ``library.json.backups/`` holding the snapshot and
the journal of that moment. The messages for a damaged library point at the newest backup that
reads as a valid library, because that is what the user will want to restore.
"""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

from readlist.storage.atomic import fsync_dir
from readlist.storage.errors import LibraryError
from readlist.storage.paths import backup_dir, ensure_private_dir, journal_path
from readlist.storage.snapshot import SnapshotProblem, parse_snapshot

KEEP_BACKUPS = 5
# Snapshots at least this large are hard-linked into a backup instead of copied.
LINK_BACKUPS_FROM = 8 * 1024 * 1024


def list_backups(path: Path) -> list[Path]:
    """Backup directories, newest first (their names are UTC timestamps)."""
    directory = backup_dir(path)
    if not directory.is_dir():
        return []
    return sorted((p for p in directory.iterdir() if p.is_dir() and (p / path.name).is_file()), reverse=True)


def newest_backup(path: Path) -> Path | None:
    backups = list_backups(path)
    return backups[0] / path.name if backups else None


def newest_good_backup(path: Path) -> Path | None:
    """The snapshot of the newest backup that reads as a valid library (a backup of a damaged file is skipped)."""
    for candidate in list_backups(path):
        snapshot = candidate / path.name
        try:
            parse_snapshot(snapshot.read_bytes())
        except (SnapshotProblem, OSError):
            continue
        return snapshot
    return None


def advice(path: Path) -> str:
    """What the user can do about a damaged library: restore the newest good backup, if there is one."""
    try:
        hint = newest_good_backup(path)
    except OSError:
        hint = None
    if hint is not None:
        return f"the newest good backup is {hint}; run `readlist --db {path} doctor --restore` to restore it"
    return "no good backup exists; fix or move the file, then try again"


def damaged(path: Path, problem: SnapshotProblem | str) -> LibraryError:
    """One line for a library that cannot be opened: the file, the problem, and what to do."""
    if isinstance(problem, SnapshotProblem) and problem.newer:
        return LibraryError(
            f"{path}: {problem}. The file was left untouched; upgrade readlist to open it ({advice(path)})."
        )
    return LibraryError(f"{path}: {problem}. The file was left untouched; {advice(path)}.")


def make_backup(path: Path) -> Path | None:
    """Keep the library as it is now (snapshot hard-linked or copied, journal copied); prune old ones.

    readlist only ever replaces the snapshot by rename, never writes it in place, so a hard
    link keeps its content for free. Another program writing the file in place (an editor
    that keeps links, a truncating tool) would change a linked backup too, so snapshots small
    enough to copy in a few milliseconds are copied. The journal is appended to: always copied.
    """
    if not path.is_file():
        return None
    directory = backup_dir(path)
    ensure_private_dir(directory)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    target = directory / stamp
    for attempt in range(1, 100):
        try:
            target.mkdir(mode=0o700)
            break
        except FileExistsError:
            target = directory / f"{stamp}-{attempt}"
    linked = False
    if path.stat().st_size >= LINK_BACKUPS_FROM:
        try:
            os.link(path, target / path.name)
            linked = True
        except OSError:
            pass
    if not linked:
        shutil.copy2(path, target / path.name)
        os.chmod(target / path.name, 0o600)
    journal = journal_path(path)
    if journal.is_file():
        shutil.copy2(journal, target / journal.name)
        os.chmod(target / journal.name, 0o600)
    fsync_dir(target)
    fsync_dir(directory)
    kept = list_backups(path)[:KEEP_BACKUPS]
    for old in directory.iterdir() if kept else ():
        # Older backups, and directories a crash left half made.
        if old.is_dir() and old not in kept and old.name < kept[-1].name:
            shutil.rmtree(old, ignore_errors=True)
    return target
