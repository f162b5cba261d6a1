"""Writing a file so that a crash leaves either the old or the new content, never a mix."""

from __future__ import annotations

import contextlib
import errno
import io
import os
import stat
import tempfile
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar, cast

import msgspec

from readlist.storage.paths import ensure_private_dir

T = TypeVar("T")

# Temporary files older than this are left over from an interrupted write, not a write in progress.
STALE_TEMP_SECONDS = 60.0


def fsync_dir(directory: Path) -> None:
    """Make a rename in ``directory`` durable (a no-op where directories cannot be opened)."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data``: written to a temporary file beside it, fsynced, then renamed."""
    atomic_write_chunks(path, (data,))


class ReadOnlyOutput(PermissionError):
    """The file to write is one the user made read-only: it is left as it is."""


def write_output(path: Path, chunks: Iterable[bytes]) -> None:
    """Write a file the user named (an export): atomically when it is, or will be, a regular file.

    The chunks are written as they come (an export makes them as it goes, so the whole file is never in
    memory); a regular file is replaced only once the last one is on disk, so a full disk, a failure while
    the chunks are made or a kill leaves the old file in place, never a part of the new one.
    A symbolic link is followed, so the file it points to gets the data and the link stays; a named pipe or a
    device (``/dev/stdout``, ``/dev/null``, a FIFO another program reads) is written into as it is, since
    replacing it by rename would put an ordinary file in its place. The folder must exist: a missing one is more
    likely a typo than a wish for a new folder. A regular file the user made read-only is refused (replacing it
    by rename would go through, since a rename asks only the folder): :class:`ReadOnlyOutput`. Raises OSError.
    """
    try:
        mode = os.stat(path).st_mode  # through any link: /dev/stdout leads to a pipe or a terminal
    except FileNotFoundError:
        mode = None
    # The owner's write bit as well as access: root may write anything, yet a file made 0444 is meant to stay.
    if mode is not None and stat.S_ISREG(mode) and (not mode & stat.S_IWUSR or not os.access(path, os.W_OK)):
        raise ReadOnlyOutput(
            errno.EACCES, f"it is read-only (mode {stat.S_IMODE(mode):o}); it was left as it is. Make it writable "
            f"(`chmod u+w {path}`) or write to another file", str(path))
    if mode is not None and not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
        with open(path, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
        return
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    if not target.parent.is_dir():
        raise FileNotFoundError(errno.ENOENT, f"the folder {target.parent} does not exist")
    # A file that is there keeps its mode (a .bib shared with a group stays readable to it); a new one is the
    # user's only, as every file readlist makes.
    atomic_write_chunks(target, chunks, mode=stat.S_IMODE(mode) if mode is not None and stat.S_ISREG(mode) else 0o600)


def atomic_write_chunks(path: Path, chunks: Iterable[bytes | memoryview], *, mode: int = 0o600) -> None:
    """Replace ``path`` with the concatenated ``chunks``, like :func:`atomic_write_bytes`; the file gets ``mode``.

    A 200 MB library is written piece by piece, so the whole file never has to be in memory at once.
    """
    ensure_private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


def stale_temp_files(path: Path, *, older_than: float = STALE_TEMP_SECONDS) -> list[Path]:
    """Temporary files an interrupted write left beside ``path`` (they hold nothing acknowledged)."""
    try:
        candidates = list(path.parent.glob(f".{path.name}*.tmp"))
    except OSError:
        return []
    cutoff = datetime.now(UTC).timestamp() - older_than
    stale = []
    for candidate in candidates:
        with contextlib.suppress(OSError):
            if candidate.is_file() and candidate.stat().st_mtime < cutoff:
                stale.append(candidate)
    return sorted(stale)


class NotAFileError(OSError):
    """Something other than a regular file (or a folder) has the name: ``kind`` says what, for a message."""

    def __init__(self, path: Path, kind: str) -> None:
        super().__init__(errno.EINVAL, f"it is {kind}, not a file", str(path))
        self.kind = kind


def open_regular(path: Path, *, buffering: int = -1) -> io.BufferedReader:
    """``path`` opened for reading, checked to be a regular file before anything is read from it.

    It is opened without blocking: a named pipe in the place of a file readlist reads (the library, its journal,
    config.toml, a file kept beside the library) would otherwise wait for a writer forever, and every command
    with it. Raises FileNotFoundError as ``open`` does, IsADirectoryError for a folder, :class:`NotAFileError`
    for a pipe, a device or a socket, OSError when it cannot be opened. ``buffering`` is a buffer size (not 0).
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        if not stat.S_ISREG(mode):
            if stat.S_ISFIFO(mode):
                raise NotAFileError(path, "a named pipe")
            raise NotAFileError(path, "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file")
        os.set_blocking(fd, True)
        return cast(io.BufferedReader, os.fdopen(fd, "rb", buffering=buffering))
    except BaseException:
        os.close(fd)
        raise


def read_small_file(path: Path, limit: int) -> bytes | None:
    """A derived file's bytes, or None when it is missing, unreadable, larger than ``limit`` or not a regular file.

    Opened without blocking and checked to be a regular file first: a FIFO or a device in the place of a file
    readlist keeps beside the library must not stop a start or a command.
    """
    data = read_derived_file(path, limit)
    return None if data is None else bytes(data)


def read_derived_file(path: Path, limit: int, *, starts_with: bytes = b"") -> bytearray | None:
    """Like :func:`read_small_file`, into a buffer of its own: arrays read from it can be used in place.

    A file that does not begin with ``starts_with`` is passed over having read only that many bytes: a large
    file under ``limit`` that is not the one expected (the limit of the vectors file beside a library of 100,000
    papers is 1 GB) is not read into memory to find that out.
    """
    try:
        with open_regular(path) as handle:
            info = os.fstat(handle.fileno())
            if info.st_size > limit:
                return None
            if starts_with and handle.read(len(starts_with)) != starts_with:
                return None
            data = bytearray(info.st_size)
            data[: len(starts_with)] = starts_with
            size = len(starts_with) + handle.readinto(memoryview(data)[len(starts_with):])
            if size != info.st_size or handle.read(1):  # changed while it was read: not worth a second try
                return None
    except OSError:
        return None
    return data


def load_small_json(path: Path, limit: int, decoder: msgspec.json.Decoder[T]) -> T | None:
    """A small JSON file readlist keeps beside the library, decoded; None when missing, unusable or not its shape.

    These files (where the app was, the last command's change, pull and sync state) only save the user a
    step: a damaged, foreign or oversized one, or a FIFO in its place, is passed over as if absent.
    """
    data = read_small_file(path, limit)
    if data is None:
        return None
    try:
        return decoder.decode(data)
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):
        return None
