"""Backups: the library as it was before each of the last few sessions that changed it, and as each of the
last few days found it.

Each backup is a folder named by its UTC time in ``library.json.backups/`` holding the snapshot and
the journal of that moment. A backup is made in a hidden folder and renamed into place only once
every file in it is complete and flushed, so a backup that exists is whole: a full disk or a kill
leaves no half backup that could count as one of the few that are kept, and pruning can never
remove the newest good backup in favour of a broken one. The messages for a damaged library point
at the newest backup that reads as a valid library, because that is what the user will want to
restore.
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
# Besides those, the first backup of each of this many most recent days with one: a script that runs a
# hundred commands would otherwise leave only the states between its own last few, and the library as it
# was before the script (or yesterday) would be gone.
KEEP_DAYS = 7
# Snapshots at least this large are hard-linked into a backup instead of copied.
LINK_BACKUPS_FROM = 8 * 1024 * 1024


# Marks a backup kept on purpose although its snapshot may be empty or damaged: the library as it was just
# before a restore replaced it (restoring never throws anything away).
KEPT_AS_FOUND = "kept-as-found"


def _complete(path: Path, candidate: Path) -> bool:
    """A finished backup: a visible folder whose snapshot has content (a full disk could leave empty ones)."""
    if candidate.name.startswith(".") or not candidate.is_dir():
        return False
    try:
        return (candidate / path.name).stat().st_size > 0 or (candidate / KEPT_AS_FOUND).is_file()
    except OSError:
        return False


def list_backups(path: Path) -> list[Path]:
    """Complete backup directories, newest first (their names are UTC timestamps)."""
    directory = backup_dir(path)
    if not directory.is_dir():
        return []
    return sorted((p for p in directory.iterdir() if _complete(path, p)), reverse=True)


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
    return _advice_for(path, _good_backup(path))


def _good_backup(path: Path) -> Path | None:
    try:
        return newest_good_backup(path)
    except OSError:
        return None


def _advice_for(path: Path, hint: Path | None) -> str:
    if hint is not None:
        return f"the newest good backup is {hint}; run `readlist --db {path} doctor --restore` to restore it"
    return "no good backup exists; fix or move the file, then try again"


def damaged(path: Path, problem: SnapshotProblem | str) -> LibraryError:
    """One line for a library that cannot be opened: the file, the problem, and what to do."""
    if isinstance(problem, SnapshotProblem) and problem.not_a_file:
        good = _good_backup(path)  # looked for once: each backup found is read and checked
        where = f"; if the library was here, {_advice_for(path, good)}" if good is not None else ""
        return LibraryError(
            f"{path} {problem}: nothing was read or changed. Give the path of the library file itself (--db or "
            f"READLIST_DB){where}"
        )
    if isinstance(problem, SnapshotProblem) and problem.newer:
        return LibraryError(
            f"{path}: {problem}. The file was left untouched; upgrade readlist to open it ({advice(path)})."
        )
    if isinstance(problem, SnapshotProblem) and problem.repairable:
        return LibraryError(
            f"{path}: {problem}. The file was left untouched; `readlist --db {path} doctor --repair` fixes such "
            "records (the file is backed up first, nothing is dropped) and `readlist doctor` lists them all"
        )
    return LibraryError(f"{path}: {problem}. The file was left untouched; {advice(path)}.")


def make_backup(path: Path, *, as_found: bool = False, prune: bool = True) -> Path | None:
    """Keep the library as it is now (snapshot hard-linked or copied, journal copied); prune old ones.

    readlist only ever replaces the snapshot by rename, never writes it in place, so a hard
    link keeps its content for free. Another program writing the file in place (an editor
    that keeps links, a truncating tool) would change a linked backup too, so snapshots small
    enough to copy in a few milliseconds are copied. The journal is appended to: always copied.

    ``as_found`` keeps the backup whatever state the file is in (before a restore, say). Without ``prune`` old
    backups are left for the caller to prune once its change is made (:func:`prune_backups`): a change that
    then fails must not have pushed out an older backup.
    Raises OSError when the backup cannot be made whole (nothing of it is left behind then).
    """
    if not path.is_file():
        return None
    directory = backup_dir(path)
    ensure_private_dir(directory)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    target = directory / stamp
    for attempt in range(1, 100):
        if not target.exists():
            break
        target = directory / f"{stamp}-{attempt}"
    work = directory / f".{target.name}.tmp"
    try:
        work.mkdir(mode=0o700)
        os.chmod(work, 0o700)  # whatever the umask (0o277 would leave the folder unwritable)
        linked = False
        if path.stat().st_size >= LINK_BACKUPS_FROM:
            try:
                os.link(path, work / path.name)
                linked = True
            except OSError:
                pass
        if not linked:
            _copy_flushed(path, work / path.name)
        journal = journal_path(path)
        if journal.is_file():
            _copy_flushed(journal, work / journal.name)
        if as_found:
            os.close(os.open(work / KEPT_AS_FOUND, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        fsync_dir(work)
        os.rename(work, target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    fsync_dir(directory)
    if prune:
        prune_backups(path)
    return target


# Copies are made a megabyte at a time; a megabyte of zeros is left as a hole in the copy.
_COPY_PIECE = 1 << 20
_ZEROS = bytes(_COPY_PIECE)


def _copy_flushed(source: Path, target: Path) -> None:
    """``source`` copied to a new file ``target``, on disk when this returns.

    Runs of zeros are skipped over rather than written: the copy reads back the same, but a journal that a crash
    left gigabytes of zeros in (space allocated and never written) does not take as much again in the backup made
    before the next change, on a disk that may be short of room already.
    """
    with source.open("rb") as src, open(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as dst:
        while piece := src.read(_COPY_PIECE):
            if piece == (_ZEROS if len(piece) == _COPY_PIECE else _ZEROS[:len(piece)]):
                dst.seek(len(piece), os.SEEK_CUR)
            else:
                dst.write(piece)
        dst.truncate()  # the length a copy ending in skipped zeros must still have
        dst.flush()
        os.fsync(dst.fileno())
    shutil.copystat(source, target)
    os.chmod(target, 0o600)


def kept_backups(backups: list[Path]) -> set[Path]:
    """Of complete backups (newest first): the newest few, and the first of each of the last few days.

    The first of a day is the library as that day found it, before any of its changes: the state to go back
    to after a day (or a script) gone wrong. Days are the UTC days in the backups' names.
    """
    kept = set(backups[:KEEP_BACKUPS])
    first_of_day: dict[str, Path] = {}
    for backup in backups:  # newest first: the last one seen for a day is its first
        first_of_day[backup.name[:8]] = backup
    for day in sorted(first_of_day, reverse=True)[:KEEP_DAYS]:
        kept.add(first_of_day[day])
    return kept


def prune_backups(path: Path) -> None:
    """Keep the backups :func:`kept_backups` chooses; remove older ones, empty ones and leftovers of interrupted
    backups."""
    directory = backup_dir(path)
    kept = kept_backups(list_backups(path))
    if not kept:
        return  # nothing good to keep: touch nothing, a user may want to look at what is there
    for old in directory.iterdir():
        if old.is_dir() and old not in kept:
            shutil.rmtree(old, ignore_errors=True)


def discard_backup(target: Path) -> None:
    """Remove a backup made moments ago, to give its space back to the write it preceded."""
    shutil.rmtree(target, ignore_errors=True)
