"""What the app's first screen showed, kept beside the library so that the next start can paint it at once.

Loading 100,000 papers takes a second or more, and a person opening the app wants to see their inbox
now. So when the app closes, the application layer writes what its first screen shows (the counts of
the views and the first rows of the list) to ``library.json.first-screen``, stamped with the files it
was made from: the snapshot's generation, library id, inode, size and modification time, and the same
of the journal. The next start paints that while the library loads in the background, and the loaded
library then replaces it.

The file is derived data and is never trusted over the library: it is used only while its stamp
matches the files on disk exactly (any change by any process, a restored backup, a damaged or foreign
file: it is ignored and the library is loaded first, as without it), its records are checked like any
other, and the screen is redrawn from the library as soon as that has loaded.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import msgspec

from readlist.storage.atomic import atomic_write_bytes, read_small_file
from readlist.storage.journal import JournalIdentity, journal_identity
from readlist.storage.paths import first_screen_path, journal_path
from readlist.storage.snapshot import file_identity, line_header

FIRST_SCREEN_FORMAT = 1
# A first screen is a few hundred KB at most; anything larger is not one of ours.
MAX_BYTES = 4 << 20


class FilesStamp(msgspec.Struct, frozen=True, array_like=True):
    """Which library files a first screen was made from."""

    gen: int
    library: str
    snapshot: tuple[int, int, int]  # inode, size, mtime_ns
    journal: JournalIdentity | None  # the same, None when there was no journal


class _Stored(msgspec.Struct):
    format: int
    stamp: FilesStamp
    screen: msgspec.Raw


def files_stamp(path: Path) -> FilesStamp | None:
    """The stamp of the library files at ``path`` as they are now; None when there is no usable snapshot."""
    identity = file_identity(path)
    if identity is None:
        return None
    header = line_header(identity[3])
    if header is None or not header.library:
        return None
    try:
        journal = journal_identity(journal_path(path))
    except OSError:
        return None
    return FilesStamp(header.gen, header.library, (identity[0], identity[2], identity[1]), journal)


def read_first_screen(path: Path) -> msgspec.Raw | None:
    """The first screen kept for the library at ``path``, when it was made from the files as they are now."""
    raw = read_small_file(first_screen_path(path), MAX_BYTES)
    if raw is None:
        return None
    try:
        stored = msgspec.json.decode(raw, type=_Stored)
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):
        return None
    if stored.format != FIRST_SCREEN_FORMAT or stored.stamp != files_stamp(path):
        return None
    return stored.screen


def write_first_screen(path: Path, stamp: FilesStamp, screen: bytes) -> None:
    """Keep ``screen`` (JSON) as the first screen of the files ``stamp`` describes; a failure only costs speed."""
    data = msgspec.json.encode(_Stored(FIRST_SCREEN_FORMAT, stamp, msgspec.Raw(screen)))
    with contextlib.suppress(OSError):
        atomic_write_bytes(first_screen_path(path), data)


def forget_first_screen(path: Path) -> None:
    with contextlib.suppress(OSError):
        first_screen_path(path).unlink()
