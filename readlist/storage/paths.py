"""Where a library's files live: the snapshot, and the journal, lock and backups beside it."""

from __future__ import annotations

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
    return Path(path).expanduser() if path else default_db_path()


def journal_path(path: Path) -> Path:
    return path.with_name(path.name + ".journal")


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def backup_dir(path: Path) -> Path:
    return path.with_name(path.name + ".backups")


def ensure_private_dir(directory: Path) -> None:
    """Create a directory (and parents) readable by the owner only."""
    if not directory.exists():
        directory.mkdir(parents=True, mode=0o700, exist_ok=True)


def last_change_path(path: Path) -> Path:
    """The last change made from the command line, kept so ``readlist undo`` can revert it."""
    return path.with_name(path.name + ".last-change")


def pulls_path(path: Path) -> Path:
    """When each source was last pulled from successfully, for `readlist pull` with no arguments."""
    return path.with_name(path.name + ".pulls")


def ui_state_path(path: Path) -> Path:
    """Where the terminal UI was (view, sort, search, paper under the cursor), so reopening goes back there."""
    return path.with_name(path.name + ".ui")


def first_screen_path(path: Path) -> Path:
    """What the app's first screen shows, kept so the next start can paint it before loading the library."""
    return path.with_name(path.name + ".first-screen")
