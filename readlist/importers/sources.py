"""Where import input comes from: files, URLs, standard input and the clipboard."""

from __future__ import annotations

import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import BinaryIO

from readlist import __version__
from readlist.importers.base import MAX_INPUT_BYTES, ImportFormatError

USER_AGENT = f"readlist/{__version__} (+https://pypi.org/project/readlist/)"
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
            raise SourceError(f"{path} is a directory; name the files inside it")
        with target.open("rb") as handle:
            return _read_capped(handle, path)
    except FileNotFoundError:
        raise SourceError(f"{path}: no such file") from None
    except PermissionError:
        raise SourceError(f"{path}: permission denied") from None
    except OSError as exc:
        raise SourceError(f"{path}: cannot be read ({exc.strerror or exc})") from None


def read_stdin() -> bytes | bytearray:
    if sys.stdin is None:
        raise SourceError("no standard input to read")
    return _read_capped(sys.stdin.buffer, "standard input")


def fetch_url(url: str, *, timeout: float = FETCH_TIMEOUT) -> bytes | bytearray:
    """Download a page over HTTP(S) with a timeout, a size cap and an honest User-Agent."""
    scheme = url.split("://", 1)[0].lower()
    if scheme not in ("http", "https"):
        raise SourceError(f"{url}: only http:// and https:// URLs can be imported (not {scheme}://)")
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "text/html,*/*"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            final = response.geturl()
            if final.split("://", 1)[0].lower() not in ("http", "https"):
                raise SourceError(f"{url}: redirected to a non-HTTP address ({final})")
            length = response.headers.get("Content-Length", "")
            if length.strip().isdigit() and int(length) > MAX_INPUT_BYTES:
                # Refuse before downloading anything.
                raise SourceError(
                    f"{url} is larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB; refusing to import it"
                )
            return _read_capped(response, url)
    except urllib.error.HTTPError as exc:
        raise SourceError(f"{url}: the server answered {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise SourceError(f"{url}: no answer within {timeout:g}s") from None
        raise SourceError(f"{url}: cannot be fetched ({exc.reason})") from None
    except TimeoutError:
        raise SourceError(f"{url}: no answer within {timeout:g}s") from None
    except OSError as exc:
        raise SourceError(f"{url}: cannot be fetched ({exc})") from None


def read_clipboard() -> str:
    import pyperclip

    try:
        text = pyperclip.paste()
    except pyperclip.PyperclipException as exc:
        raise SourceError(
            "no clipboard is available here (install xclip, xsel or wl-clipboard, or pipe the text "
            f"into `readlist import -`): {exc}"
        ) from None
    if not text or not text.strip():
        raise SourceError("the clipboard is empty")
    return str(text)


def read_source(source: str) -> bytes | bytearray | str:
    if source == "-":
        return read_stdin()
    if is_url(source):
        return fetch_url(source)
    return read_file(source)
