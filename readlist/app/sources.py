"""Where import input comes from: files, URLs, standard input and the clipboard."""

from __future__ import annotations

import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from readlist.importers.base import MAX_INPUT_BYTES, ExportFile, ImportFormatError

if TYPE_CHECKING:
    from readlist.net.http import HttpClient

# The whole download, redirects and retries included, must finish within this many seconds.
FETCH_TIMEOUT = 20.0


class SourceError(ImportFormatError):
    """The input could not be read at all (missing file, refused URL, no clipboard)."""


def is_url(source: str) -> bool:
    return "://" in source[:16]


_CHUNK = 1024 * 1024


def _read_capped(stream: BinaryIO, what: str) -> bytes | bytearray:
    """Read at most the import cap, in chunks into one growing buffer.

    A single ``read(cap + 1)`` can hold several copies of a large input at once (the reader's
    own buffers, then the joined result); growing one bytearray keeps the peak near the cap.
    """
    data = bytearray()
    while chunk := stream.read(_CHUNK):
        data += chunk
        if len(data) > MAX_INPUT_BYTES:
            raise SourceError(
                f"{what} is larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB; refusing to import it"
            )
    return data  # a bytearray: bytes-compatible, and no second copy


def read_file(path: str) -> bytes | bytearray:
    target = Path(path).expanduser()
    try:
        if target.is_dir():
            raise SourceError("is a directory; name the files inside it")
        with target.open("rb") as handle:
            return _read_capped(handle, path)
    # The import report names the source before the error, so the messages do not repeat the path.
    except FileNotFoundError:
        raise SourceError("no such file") from None
    except PermissionError:
        raise SourceError("permission denied") from None
    except OSError as exc:
        raise SourceError(f"cannot be read ({exc.strerror or exc})") from None


# The first bytes of a large file, read to tell whether it is readlist's own JSON export: its first record whole.
_HEAD = 1024 * 1024


def export_file(source: str) -> ExportFile | None:
    """The file ``source`` names when it is larger than any page and starts as readlist's own JSON export, to be
    read a record at a time by its importer; None for every other source (:func:`read_source` reads it or refuses
    it as too large).

    Only a regular file is looked into (a pipe or FIFO is not even opened: what is read from it is gone): its size
    is known before anything is read. Standard input, the clipboard and URLs keep the 64 MB cap (a library is
    moved as a file).
    """
    if source in ("-", "clipboard") or is_url(source):
        return None
    target = Path(source).expanduser()
    try:
        info = target.stat()
        if not stat.S_ISREG(info.st_mode) or info.st_size <= MAX_INPUT_BYTES:
            return None
        with target.open("rb") as handle:
            head = handle.read(_HEAD)
    except OSError:
        return None  # read_source says why it cannot be read
    from readlist.importers.readlist_json import streams

    return ExportFile(target) if streams(head) else None


def read_stdin() -> bytes | bytearray:
    if sys.stdin is None:
        raise SourceError("no standard input to read")
    return _read_capped(sys.stdin.buffer, "standard input")


def fetch_url(
    url: str, *, timeout: float = FETCH_TIMEOUT, client: HttpClient | None = None, offline: bool = False
) -> bytes | bytearray:
    """Download a page over HTTP(S) through readlist's one HTTP client.

    ``timeout`` is the whole download's deadline (connecting, redirects, reading), so a
    server trickling bytes cannot hold an import longer than that. Every redirect hop
    must stay on http(s), redirects and size are capped, and the User-Agent names
    readlist. Offline mode refuses before any connection is made: ``offline``, or the ``client``
    the caller built, says whether it is on, as :func:`readlist.app.network.network_settings`
    decided it (this module does not decide it again, so every network path agrees).
    """
    from readlist.net.errors import NetworkError
    from readlist.net.http import Limits

    limits = Limits(
        deadline=timeout,
        read_timeout=timeout,
        connect_timeout=min(10.0, timeout),
        max_bytes=MAX_INPUT_BYTES,
        # One more try for a server that is briefly overloaded; a slow one already used the deadline.
        attempts=2,
    )
    own = client is None
    http = client if client is not None else _default_client(offline)
    try:
        return http.get(url, accept="text/html,application/xhtml+xml,application/json,*/*;q=0.8", limits=limits).content
    except NetworkError as exc:
        raise SourceError(str(exc)) from None
    finally:
        if own:
            http.close()


def _default_client(offline: bool) -> HttpClient:
    from readlist.net.http import HttpClient

    return HttpClient(offline=offline)


def read_clipboard() -> str:
    import pyperclip

    try:
        text = pyperclip.paste()
    except pyperclip.PyperclipException:
        from readlist.app.clipboard import missing_desktop

        why = missing_desktop() or "install xclip or xsel (X11) or wl-clipboard (Wayland)"
        raise SourceError(f"cannot be read: {why}; or pipe the text into `readlist import -`") from None
    if not text or not text.strip():
        raise SourceError("the clipboard is empty")
    return str(text)


def read_source(
    source: str, *, client: HttpClient | None = None, offline: bool = False
) -> bytes | bytearray | str:
    """The bytes of one import source (``-`` standard input, ``clipboard`` the clipboard, a URL, a file);
    ``client`` (built from the network settings) fetches URLs, or a client of its own, offline if ``offline``."""
    if source == "-":
        return read_stdin()
    if source == "clipboard":
        return read_clipboard()
    if is_url(source):
        return fetch_url(source, client=client, offline=offline)
    return read_file(source)
