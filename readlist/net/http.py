"""The one HTTP client readlist uses, with the limits that make a download safe to wait for.

Built on httpx: it is well kept and typed, separates connect and read timeouts,
streams bodies (so the size cap and the deadline are checked while reading, not
after), and lets redirects be followed by hand, which is how every hop's scheme is
checked. Retries are a small loop here rather than a library's, so that the clock
and the sleep are injectable and the tests run on a fake clock.

What every request gets:

* a User-Agent naming readlist and its version;
* a whole-request deadline covering connecting, every redirect hop, sending the
  request, reading the status line, headers and body, and waiting between retries:
  each socket operation may wait only as long as the deadline leaves, so a server
  trickling a byte a second (headers included) is cut off when the deadline passes,
  not after one idle read;
* only ``http``/``https``, checked on the first URL and on every redirect target,
  and at most ``max_redirects`` hops;
* a size cap, from ``Content-Length`` before reading and while reading, a gzip layer inflated only as far as
  the cap allows (an answer compressed more than once is refused unread: it would be inflated whole before
  the cap could count it);
* retries with exponential backoff on timeouts, dropped connections, 5xx and 429,
  honouring ``Retry-After`` when the wait asked for is reasonable;
* one exception type, :class:`NetworkError`, whose text is one line naming the
  service or URL, what went wrong and what to do.
"""

from __future__ import annotations

import errno
import re
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any, ClassVar, TypeVar

import httpcore
import httpx

from readlist import __version__
from readlist.core.text import clean_line
from readlist.net.errors import OFFLINE, NetworkError

USER_AGENT = f"readlist/{__version__} (+https://pypi.org/project/readlist/)"
MAX_BYTES = 64 * 1024 * 1024
SCHEMES = ("http", "https")
# Answers worth asking again: rate limiting and the server-side failures that are usually brief.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")

T = TypeVar("T")
Clock = Callable[[], float]
Sleep = Callable[[float], None]


@dataclass(frozen=True)
class Limits:
    """How long and how much one request may take; the defaults suit the public APIs."""

    connect_timeout: float = 10.0
    # The longest wait for the next bytes of an answer.
    read_timeout: float = 20.0
    # The whole request: every hop, the body, the retries and the waits between them.
    deadline: float = 60.0
    max_bytes: int = MAX_BYTES
    max_redirects: int = 5
    attempts: int = 3
    # First wait between attempts, doubled each time (unless the server says how long).
    backoff: float = 1.0
    # A Retry-After longer than this is not waited for: the request fails and says so.
    max_retry_after: float = 60.0
    # No wait between attempts is shorter than this (a service's own minimum spacing of requests).
    min_wait: float = 0.0


@dataclass(frozen=True)
class Response:
    url: str
    status: int
    content: bytes | bytearray
    content_type: str
    headers: Mapping[str, str]


class _Retry(Exception):
    """One failed attempt that may succeed if tried again."""

    def __init__(self, error: NetworkError, retry_after: float | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after


class HttpClient:
    """GET requests with readlist's limits; one instance may serve many requests (connections are reused)."""

    def __init__(
        self,
        *,
        offline: bool = False,
        limits: Limits | None = None,
        user_agent: str = USER_AGENT,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
        transport: httpx.BaseTransport | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> None:
        """``cancelled`` tells that the user gave up waiting (Esc in the app): a failed attempt is then not
        tried again, so a lookup cancelled while a server does not answer ends with that attempt, not after
        every retry and the whole deadline."""
        self.offline = offline
        self.limits = limits or Limits()
        self.user_agent = user_agent
        self._clock = clock
        self._sleep = sleep
        self._transport = transport
        self._cancelled = cancelled
        self._client: httpx.Client | None = None
        self._watch = _Watch(clock, self._gave_up)
        self._due = self._watch.due

    def _gave_up(self) -> bool:
        return self._cancelled is not None and self._cancelled()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def _httpx(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(follow_redirects=False, transport=self._transport)
            # httpx gives each socket operation its own timeout, so a server sending its status line a byte at a
            # time never times out: every socket (direct or through a proxy from the environment) is given one
            # that also ends at the request's deadline. httpx has no public way in; its transports hold the
            # httpcore pool that opens the sockets.
            for transport in (self._client._transport, *self._client._mounts.values()):
                if isinstance(transport, httpx.HTTPTransport):
                    pool = transport._pool
                    pool._network_backend = _DeadlineBackend(pool._network_backend, self._watch)
        return self._client

    def get(
        self,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        service: str | None = None,
        accept: str = "*/*",
        limits: Limits | None = None,
        allow_status: frozenset[int] = frozenset(),
    ) -> Response:
        """Download ``url``; raise :class:`NetworkError` for anything but a complete 2xx answer.

        ``service`` names what is being asked in messages ("arXiv API (export.arxiv.org)");
        without it the URL is named. Statuses in ``allow_status`` come back as a response
        instead (an API that explains a refusal in its body, or a 404 that means "not there").
        """
        limits = limits or self.limits
        label = service or url
        if self.offline:
            raise NetworkError(
                f"{label}: {OFFLINE}",
                kind="offline",
                url=url,
            )
        scheme = url.split("://", 1)[0].lower() if "://" in url else ""
        if scheme not in SCHEMES:
            shown = f"{scheme}://" if scheme else "no scheme"
            raise NetworkError(
                f"{url}: only http:// and https:// URLs can be imported (not {shown})", kind="scheme", url=url
            )
        deadline_at = self._clock() + limits.deadline
        attempt = 0
        while True:
            attempt += 1
            # A request made after the user gave up (the first of a lookup) is answered as before; one under way
            # when they give up is left at its next socket operation.
            self._due.start(deadline_at, label, url, watch_cancel=not self._gave_up())
            try:
                return self._attempt(url, params, accept, label, limits, deadline_at, allow_status)
            except _Retry as failed:
                wait = failed.retry_after
                if wait is not None and wait > limits.max_retry_after:
                    raise NetworkError(
                        f"{failed.error} and asked to wait {_wait(wait)} before trying again; try again later",
                        kind=failed.error.kind,
                        url=url,
                        status=failed.error.status,
                    ) from None
                if wait is None:
                    wait = limits.backoff * 2 ** (attempt - 1)
                wait = max(wait, limits.min_wait)
                if attempt >= limits.attempts or self._clock() + wait >= deadline_at or self._gave_up():
                    raise _final(failed.error, attempt) from None
                self._sleep(wait)
                if self._gave_up():
                    raise _final(failed.error, attempt) from None
            finally:
                self._due.start(None, "", "")

    # -- one attempt -----------------------------------------------------------------------------

    def _attempt(
        self,
        url: str,
        params: Mapping[str, str | int] | None,
        accept: str,
        label: str,
        limits: Limits,
        deadline_at: float,
        allow_status: frozenset[int],
    ) -> Response:
        current = url
        query: Mapping[str, str | int] | None = params
        hops = 0
        while True:
            remaining = deadline_at - self._clock()
            if remaining <= 0:
                raise NetworkError(
                    f"{label}: no complete answer within {limits.deadline:g}s; try again later",
                    kind="deadline",
                    url=url,
                )
            read_limit = min(limits.read_timeout, remaining)
            # Name the limit the user set: the deadline when it is what cut the wait short.
            waited = limits.read_timeout if read_limit == limits.read_timeout else limits.deadline
            timeout = httpx.Timeout(
                connect=min(limits.connect_timeout, remaining), read=read_limit, write=read_limit,
                pool=min(limits.connect_timeout, remaining),
            )
            headers = {"User-Agent": self.user_agent, "Accept": accept}
            try:
                request = self._httpx().build_request("GET", current, params=query, headers=headers, timeout=timeout)
            except (httpx.InvalidURL, httpx.LocalProtocolError, ValueError) as exc:
                raise NetworkError(f"{url}: not a valid address ({_short(str(exc))})", kind="url", url=url) from None
            try:
                with self._send(request, label, url) as answer:
                    if answer.status_code in _REDIRECTS and "location" in answer.headers:
                        hops += 1
                        current = self._redirect(answer, hops, label, url, limits)
                        query = None  # the Location already carries its own query
                        continue
                    if answer.status_code >= 400 and answer.status_code not in allow_status:
                        raise _status_error(answer, label, url)
                    body = self._read(answer, label, url, limits, deadline_at)
                    return Response(
                        url=str(answer.url),
                        status=answer.status_code,
                        content=body,
                        content_type=answer.headers.get("content-type", ""),
                        headers=dict(answer.headers),
                    )
            except httpx.TimeoutException as exc:
                if self._due.cut and self._due.heard:
                    # Part of the answer came (a status line trickled a byte at a time), but not all of it.
                    raise NetworkError(
                        f"{label}: no complete answer within {limits.deadline:g}s; try again later",
                        kind="deadline",
                        url=url,
                    ) from None
                if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
                    waited = limits.connect_timeout if limits.connect_timeout <= remaining else limits.deadline
                if self._due.cut:
                    waited = limits.deadline
                raise _Retry(
                    NetworkError(f"{label}: no answer within {waited:g}s; try again later", kind="timeout", url=url)
                ) from None
            except httpx.ConnectError as exc:
                raise _connect_error(exc, label, url) from None
            except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
                text = str(exc)
                # A body that stops short of its Content-Length is a connection cut mid-answer, not a bad answer.
                cut = any(words in text.lower() for words in ("disconnect", "peer closed connection"))
                kind = "connection" if cut or isinstance(exc, httpx.ReadError) else "malformed"
                if kind == "malformed" and "status line" in text:
                    # The parser's own words quote the bytes as Python writes them: "illegal status line:
                    # bytearray(b'\\x00\\xffNOT HTTP')". What matters is that the server does not speak HTTP.
                    what = "the server did not answer in HTTP (is the address that of a web server?)"
                else:
                    what = ("the connection was cut" if kind == "connection" else "the server sent a malformed "
                            "answer") + f" ({_short(text)})"
                raise _Retry(NetworkError(f"{label}: {what}; try again later", kind=kind, url=url)) from None
            except httpx.DecodingError as exc:
                raise NetworkError(
                    f"{label}: the answer could not be decoded ({_short(str(exc))}); try again later",
                    kind="malformed",
                    url=url,
                ) from None
            except httpx.UnsupportedProtocol:
                raise NetworkError(
                    f"{url}: only http:// and https:// URLs can be imported", kind="scheme", url=url
                ) from None
            except httpx.LocalProtocolError as exc:
                raise NetworkError(f"{url}: not a valid address ({_short(str(exc))})", kind="url", url=url) from None
            except httpx.HTTPError as exc:
                raise NetworkError(
                    f"{label}: cannot be fetched ({_short(str(exc)) or type(exc).__name__}); try again later",
                    kind="connect",
                    url=url,
                ) from None

    @contextmanager
    def _send(self, request: httpx.Request, label: str, url: str) -> Iterator[httpx.Response]:
        try:
            answer = self._httpx().send(request, stream=True)
        except httpx.InvalidURL:
            # httpx reads a redirect's Location while receiving the answer; one it cannot even parse
            # (``javascript:…``, a path without a slash) ends here rather than in _redirect.
            raise NetworkError(
                f"{label}: redirected to an invalid or non-HTTP address; refused", kind="redirect", url=url
            ) from None
        try:
            yield answer
        finally:
            answer.close()

    def _redirect(self, answer: httpx.Response, hops: int, label: str, url: str, limits: Limits) -> str:
        if hops > limits.max_redirects:
            raise NetworkError(
                f"{label}: more than {limits.max_redirects} redirects; not followed further", kind="redirect", url=url
            )
        location = answer.headers["location"].strip()
        scheme = _SCHEME.match(location)
        if scheme is not None and scheme.group(1).lower() not in SCHEMES:
            raise NetworkError(
                f"{label}: redirected to a non-HTTP address ({_short(location)}); refused", kind="scheme", url=url
            )
        try:
            target = answer.url.join(location)
            if target.scheme.lower() not in SCHEMES:
                raise NetworkError(
                    f"{label}: redirected to a non-HTTP address ({_short(str(target))}); refused",
                    kind="scheme",
                    url=url,
                )
            return str(target.copy_with(fragment=None))
        except (httpx.InvalidURL, ValueError):
            raise NetworkError(f"{label}: redirected to an invalid address", kind="redirect", url=url) from None

    def _read(
        self, answer: httpx.Response, label: str, url: str, limits: Limits, deadline_at: float
    ) -> bytearray:
        declared = answer.headers.get("content-length", "").strip()
        if declared.isdigit() and int(declared) > limits.max_bytes:
            raise _too_large(label, url, limits.max_bytes)
        # httpx undoes every layer in one go per chunk read: a few kilobytes gzipped twice become a gigabyte in
        # memory before the size cap can see it. One layer inflates a chunk at most a thousandfold; no API
        # compresses twice.
        codings = [c for c in answer.headers.get_list("content-encoding", split_commas=True)
                   if c.strip().lower() not in ("", "identity")]
        if len(codings) > 1:
            raise NetworkError(
                f"{label}: the answer is compressed more than once ({_short(', '.join(codings), 60)}); refused",
                kind="malformed",
                url=url,
            )
        # One gzip or deflate layer is inflated here, never more than the cap leaves room for: httpx would inflate
        # each 64 KB read of the wire whole (up to ~64 MB) before the cap could count it. Other codings (none
        # that readlist asks for) are left to httpx.
        inflater = _Inflater(codings[0]) if len(codings) == 1 and _Inflater.handles(codings[0]) else None
        body = bytearray()

        def too_slow() -> NetworkError:
            return NetworkError(
                f"{label}: the download did not finish within {limits.deadline:g}s "
                f"({len(body):,} bytes arrived); the server is too slow, try again later",
                kind="deadline",
                url=url,
            )

        try:
            for chunk in answer.iter_raw() if inflater is not None else answer.iter_bytes():
                while chunk:
                    if inflater is not None:
                        piece, chunk = inflater.inflate(chunk, min(limits.max_bytes - len(body) + 1, _INFLATE_STEP))
                    else:
                        piece, chunk = chunk, b""
                    body += piece
                    if len(body) > limits.max_bytes:
                        raise _too_large(label, url, limits.max_bytes)
                if self._clock() > deadline_at:
                    raise too_slow()
        except httpx.TimeoutException:
            if not self._due.cut:
                raise
            raise too_slow() from None
        if inflater is not None:
            body += inflater.rest(limits.max_bytes - len(body) + 1)
            if len(body) > limits.max_bytes:
                raise _too_large(label, url, limits.max_bytes)
        return body


class _Due(threading.local):
    """The deadline of the request this thread is making, for the sockets opened and used on its behalf."""

    def __init__(self) -> None:
        self.start(None, "", "")

    def start(self, at: float | None, label: str, url: str, *, watch_cancel: bool = False) -> None:
        self.at = at
        self.label = label
        self.url = url
        self.watch_cancel = watch_cancel
        # Whether a socket operation timed out because the deadline, not the read or connect timeout, ran out.
        self.cut = False
        # Whether any of the answer has arrived (on this attempt).
        self.heard = False


class _Watch:
    """What each socket operation of a request may take: its own timeout, cut to what is left of the deadline."""

    def __init__(self, clock: Clock, gave_up: Callable[[], bool]) -> None:
        self.due = _Due()
        self._clock = clock
        self._gave_up = gave_up

    def timeout(self, timeout: float | None, late: type[httpcore.TimeoutException]) -> tuple[float | None, bool]:
        """The timeout for the next operation, and whether it is the deadline's rather than the operation's own.

        Raises ``late`` once the deadline has passed, and a :class:`NetworkError` once the user gave up waiting
        (Esc in the app) during the request: a server trickling its answer is left at its next byte, not at the
        deadline.
        """
        due = self.due
        if due.at is None:
            return timeout, False
        if due.watch_cancel and self._gave_up():
            raise NetworkError(f"{due.label}: stopped before the answer was complete", kind="cancelled", url=due.url)
        left = due.at - self._clock()
        if left <= 0:
            due.cut = True
            raise late("the deadline has passed")
        if timeout is None or left < timeout:
            return left, True
        return timeout, False

    def ran_out(self) -> None:
        self.due.cut = True

    def heard(self) -> None:
        self.due.heard = True


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's sockets, each operation's timeout shortened to what is left of the request's deadline."""

    def __init__(self, inner: httpcore.NetworkBackend, watch: _Watch) -> None:
        self._inner = inner
        self._watch = watch

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        limit, _ = self._watch.timeout(timeout, httpcore.ConnectTimeout)
        stream = self._inner.connect_tcp(host, port, limit, local_address, socket_options)
        return _DeadlineStream(stream, self._watch)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None
    ) -> httpcore.NetworkStream:
        limit, _ = self._watch.timeout(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._inner.connect_unix_socket(path, limit, socket_options), self._watch)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, watch: _Watch) -> None:
        self._inner = inner
        self._watch = watch

    def _call(
        self, late: type[httpcore.TimeoutException], timeout: float | None, step: Callable[[float | None], T]
    ) -> T:
        limit, by_deadline = self._watch.timeout(timeout, late)
        try:
            return step(limit)
        except httpcore.TimeoutException:
            if by_deadline:
                self._watch.ran_out()
            raise

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        data = self._call(httpcore.ReadTimeout, timeout, lambda limit: self._inner.read(max_bytes, limit))
        if data:
            self._watch.heard()
        return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._call(httpcore.WriteTimeout, timeout, lambda limit: self._inner.write(buffer, limit))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        stream = self._call(
            httpcore.ConnectTimeout, timeout, lambda limit: self._inner.start_tls(ssl_context, server_hostname, limit)
        )
        return _DeadlineStream(stream, self._watch)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


# The most one step of inflating may produce: the answer so far plus this is the peak, not twice the cap.
_INFLATE_STEP = 1 << 20


class _Inflater:
    """One gzip or deflate layer undone with a bound on what each step may produce (``zlib``'s ``max_length``).

    As httpx does, ``deflate`` is the zlib format, or raw deflate from a server that sends that instead; a
    body that is neither raises :class:`httpx.DecodingError`, which a request reports as any undecodable answer.
    """

    _WBITS: ClassVar[dict[str, int]] = {
        "gzip": zlib.MAX_WBITS | 16, "x-gzip": zlib.MAX_WBITS | 16, "deflate": zlib.MAX_WBITS,
    }

    def __init__(self, coding: str) -> None:
        self._coding = coding.strip().lower()
        self._zlib = zlib.decompressobj(self._WBITS[self._coding])
        self._started = False

    @classmethod
    def handles(cls, coding: str) -> bool:
        return coding.strip().lower() in cls._WBITS

    def inflate(self, data: bytes, limit: int) -> tuple[bytes, bytes]:
        """At most ``limit`` bytes inflated from ``data``, and what of ``data`` is still to inflate."""
        try:
            try:
                out = self._zlib.decompress(data, limit)
            except zlib.error:
                if self._started or self._coding != "deflate":
                    raise
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                out = self._zlib.decompress(data, limit)
        except zlib.error as exc:
            raise httpx.DecodingError(f"{self._coding}: {exc}") from None
        self._started = True
        return out, self._zlib.unconsumed_tail

    def rest(self, limit: int) -> bytes:
        """What the layer still holds once the answer has been read (at most ``limit`` bytes)."""
        try:
            return self._zlib.flush(limit)
        except zlib.error as exc:
            raise httpx.DecodingError(f"{self._coding}: {exc}") from None


# -- failures --------------------------------------------------------------------------------------


def _short(text: str, limit: int = 120) -> str:
    text = clean_line(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _wait(seconds: float) -> str:
    # A server may ask for any number of seconds (400 digits are infinite as a float): past a day, the count says
    # nothing more, and "100000000000000004764729344s" or "infs" reads as a fault of readlist's.
    return f"{seconds:.0f}s" if seconds < 86400 else "more than a day"


def _size(n: int) -> str:
    return f"{n // (1024 * 1024)} MB" if n >= 1024 * 1024 else f"{n:,} bytes"


def _too_large(label: str, url: str, cap: int) -> NetworkError:
    return NetworkError(
        f"{label}: the answer is larger than {_size(cap)}, more than any page or API answer; it was not read",
        kind="too-large", url=url
    )


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds to wait: delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _status_error(answer: httpx.Response, label: str, url: str) -> Exception:
    status = answer.status_code
    reason = _short(answer.reason_phrase or "", 60)
    said = f"{status} {reason}".strip()
    if status in RETRY_STATUSES:
        kind = "rate-limited" if status == 429 else "unavailable" if status == 503 else "http"
        error = NetworkError(f"{label}: the server answered {said}", kind=kind, url=url, status=status)
        wait = retry_after_seconds(answer.headers.get("retry-after")) if status in (429, 503) else None
        return _Retry(error, wait)
    return NetworkError(f"{label}: the server answered {said}", kind="http", url=url, status=status)


def _final(error: NetworkError, attempts: int) -> NetworkError:
    """The last failure of a retried request, saying how often it was tried and what to do."""
    tried = f" ({attempts} attempts)" if attempts > 1 else ""
    if error.kind == "rate-limited":
        text = f"{error}{tried}: too many requests; wait a few minutes and try again"
    elif error.kind in ("unavailable", "http"):
        text = f"{error}{tried}; the service is having trouble, try again later"
    else:
        text = str(error).removesuffix("; try again later") + f"{tried}; try again later"
    return NetworkError(text, kind=error.kind, url=error.url, status=error.status)


def _connect_error(exc: httpx.ConnectError, label: str, url: str) -> Exception:
    """Name the cause a person can act on: no name resolution, refused, no route; not an errno."""
    cause: BaseException | None = exc
    seen: set[int] = set()
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, socket.gaierror):
            host = httpx.URL(url).host if "://" in url else url
            return NetworkError(
                f"{label}: cannot be fetched (the name {host} could not be looked up); check your network "
                "connection and the address",
                kind="dns",
                url=url,
            )
        if isinstance(cause, ConnectionRefusedError):
            return NetworkError(
                f"{label}: cannot be fetched (connection refused); the server is down or the address is wrong",
                kind="refused",
                url=url,
            )
        if isinstance(cause, OSError) and cause.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN):
            return NetworkError(
                f"{label}: cannot be fetched (no network: {cause.strerror or 'unreachable'}); check your connection",
                kind="unreachable",
                url=url,
            )
        cause = cause.__cause__ or cause.__context__
    text = _short(str(exc)) or "connection failed"
    if "ssl" in text.lower() or "certificate" in text.lower():
        return NetworkError(f"{label}: cannot be fetched (secure connection failed: {text})", kind="connect", url=url)
    return _Retry(NetworkError(f"{label}: cannot be fetched ({text}); try again later", kind="connect", url=url))
