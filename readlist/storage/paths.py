"""Where a library's files live: the snapshot, and the journal, lock and backups beside it."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

ENV_DB = "READLIST_DB"


def data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("readlist", appauthor=False))


def default_db_path() -> Path:
    env = os.environ.get(ENV_DB)
    if env:
        return Path(env).expanduser()
    return data_dir() / "library.json"


def resolve_db_path(path: str | os.PathLike[str] | None) -> Path:
    """The library file a ``--db`` (or the default) names.

    A symbolic link is followed to the file it points to: every change replaces the library file by rename,
    and renaming onto the link would leave the real library behind (a library linked into a synced folder
    would stop receiving changes after the first).
    """
    db = Path(path).expanduser() if path else default_db_path()
    if db.is_symlink():
        db = Path(os.path.realpath(db))
    return db


def journal_path(path: Path) -> Path:
    return path.with_name(path.name + ".journal")


def library_bytes(path: Path) -> int:
    """The bytes the library at ``path`` takes: its file and its journal (what cannot be seen counts 0).

    Files derived from the library (kept scores, model, vectors) are checked against it: one far larger than
    what it was derived from belongs to another library, and is passed over without being read.
    """
    total = 0
    for part in (path, journal_path(path)):
        with contextlib.suppress(OSError):
            total += part.stat().st_size
    return total


# Below this a library's size is not used as a limit on what is derived from it (a tiny library, or one whose
# files cannot be seen).
SMALL_LIBRARY_BYTES = 1 << 20


def derived_size_limit(path: Path, most: int) -> int:
    """The largest file derived from the library at ``path`` (its kept scores, its kept model) that can belong to
    it: never larger than the library's own files (a paper's score or weights take far less than its record), nor
    than ``most``. A larger file is foreign and is passed over without being read: a 40 MB file costs a second to
    decode at every start and every command."""
    return min(most, max(library_bytes(path), SMALL_LIBRARY_BYTES))


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def backup_dir(path: Path) -> Path:
    return path.with_name(path.name + ".backups")


def ensure_private_dir(directory: Path) -> None:
    """Create a directory, and every missing parent, usable by the owner only (0700) whatever the umask.

    ``mkdir(parents=True)`` gives the parents the default mode, and the umask cuts every mode
    asked for: a umask of 0o022 leaves parents readable by all, one of 0o277 an unwritable
    0o500 folder. So each missing folder is made here, top down, and then set to 0700
    explicitly (never more open than that in between). Folders that exist are left alone.
    """
    if directory.exists():
        return
    missing: list[Path] = []
    current = directory
    while not current.exists() and current.parent != current:
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, 0o700)
        except FileExistsError:
            if folder.is_dir():  # made meanwhile by another readlist process, which sets its mode
                continue
            raise
        os.chmod(folder, 0o700)


def last_change_path(path: Path) -> Path:
    """The last change made from the command line, kept so ``readlist undo`` can revert it."""
    return path.with_name(path.name + ".last-change")


def undo_step_path(path: Path) -> Path:
    """The newest command-line undo step folded into the library file (see :mod:`readlist.storage.undo_step`)."""
    return path.with_name(path.name + ".undo-step")


def pulls_path(path: Path) -> Path:
    """When each source was last pulled from successfully, for `readlist pull` with no arguments."""
    return path.with_name(path.name + ".pulls")


def ui_state_path(path: Path) -> Path:
    """Where the terminal UI was (view, sort, search, paper under the cursor), so reopening goes back there."""
    return path.with_name(path.name + ".ui")


def sync_state_path(path: Path) -> Path:
    """When this machine last synced the library and how it went (for the app's header; never shared)."""
    return path.with_name(path.name + ".sync")


def sync_lock_path(path: Path) -> Path:
    """Held for the whole of a sync, so that two syncs of one library never run at once."""
    return path.with_name(path.name + ".sync-lock")


def sync_pending_path(path: Path) -> Path:
    """The commit a sync is moving the branch to, kept while the library file is replaced and the branch moved."""
    return path.with_name(path.name + ".sync-pending")


def restored_path(path: Path) -> Path:
    """The backup last restored over the library, until a sync has merged it as the old state it is."""
    return path.with_name(path.name + ".restored")


def interest_scores_path(path: Path) -> Path:
    """The newest interest scores, kept so the next start can show the Inbox in interest order at once."""
    return path.with_name(path.name + ".interest")


def interest_model_path(path: Path) -> Path:
    """The newest interest model's weights, kept so a command need not train it again for the same decisions."""
    return path.with_name(path.name + ".interest-model")


def vectors_path(path: Path) -> Path:
    """The papers' word vectors, kept so interest scores and related papers need not vectorize every paper."""
    return path.with_name(path.name + ".vectors")


def first_screen_path(path: Path) -> Path:
    """What the app's first screen shows, kept so the next start can paint it before loading the library."""
    return path.with_name(path.name + ".first-screen")


def library_file_named(path: Path, library: Path) -> str | None:
    """What ``path`` is to the library at ``library`` when it is one of its files (the library itself, its
    journal, lock, backups or the other files kept beside it), else None.

    Symbolic links and relative paths are resolved first, so ``./library.json`` and a link to it count.
    """
    target = Path(os.path.realpath(path))
    home = Path(os.path.realpath(library))
    if target == home:
        return "the library file"
    if target.parent == home.parent and target.name.startswith(home.name + "."):
        return "a file readlist keeps beside the library"
    if backup_dir(home) in target.parents:
        return "one of the library's backups"
    return None


# A file as it is now: inode, size and modification time in ns. A file only ever replaced by rename or appended to
# (the journal, config.toml, the sync state) shows any change in one of them.
FileStamp = tuple[int, int, int]


def file_stamp(path: Path) -> FileStamp | None:
    """:data:`FileStamp` of the file at ``path``; None when there is none. Other errors than its absence are raised."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)
