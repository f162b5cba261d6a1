"""The one HTTP client: limits, retries and the wording of every failure, against a local server only."""

from __future__ import annotations

import errno
import socket
import threading
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from readlist import __version__
from readlist.net.errors import NetworkError
from readlist.net.http import HttpClient, Limits, retry_after_seconds
from tests.fake_services import FakeClock, FakeServer, Reply


def client(clock: FakeClock | None = None, **limits: float) -> HttpClient:
    clock = clock or FakeClock()
    return HttpClient(limits=Limits(**limits), clock=clock, sleep=clock.sleep)  # type: ignore[arg-type]


def test_user_agent_names_readlist_and_its_version(fake_server: FakeServer) -> None:
    fake_server.script("/page", Reply(200, b"hello"))
    with client() as http:
        response = http.get(f"{fake_server.url}/page")
    assert bytes(response.content) == b"hello"
    assert fake_server.requests[0].headers["User-Agent"].startswith(f"readlist/{__version__} ")


def test_trickling_server_is_cut_off_at_the_deadline(fake_server: FakeServer) -> None:
    # 600 bytes at one byte per 50 ms would take 30 s; every single read is quick, so only a
    # whole-download deadline stops it. (Real clock: the deadline is what is being tested.)
    fake_server.script("/trickle", Reply(200, b"x" * 600, trickle=0.05))
    http = HttpClient(limits=Limits(deadline=1.0, read_timeout=5.0))
    with pytest.raises(NetworkError) as caught:
        http.get(f"{fake_server.url}/trickle")
    assert caught.value.kind == "deadline"
    assert "did not finish within 1s" in str(caught.value)
    arrived = int(str(caught.value).split("(")[1].split(" bytes")[0].replace(",", ""))
    assert 0 < arrived < 600


# A status line and headers that take ~9 s to arrive a byte at a time: no single read waits long, and the
# answer is not even started (the body is the part the read loop counts), so only a deadline that covers
# every socket operation stops it.
SLOW_HEAD = b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-Pad-%02d: waiting\r\n" % i for i in range(14)) + (
    b"Content-Length: 2\r\nConnection: close\r\n\r\nok"
)


def test_status_line_and_headers_trickling_are_cut_off_at_the_deadline(fake_server: FakeServer) -> None:
    # Real clock, as above: the socket timeouts are what is being tested. Without the deadline on each read,
    # the answer arrives whole after ~9 s and the request succeeds.
    fake_server.script("/slowhead", Reply(raw=SLOW_HEAD, trickle=0.03))
    http = HttpClient(limits=Limits(deadline=1.0, read_timeout=5.0))
    with pytest.raises(NetworkError) as caught:
        http.get(f"{fake_server.url}/slowhead")
    assert caught.value.kind == "deadline"
    assert str(caught.value) == f"{fake_server.url}/slowhead: no complete answer within 1s; try again later"
    assert len(fake_server.seen("/slowhead")) == 1  # the deadline covers the retries: none is made


def test_a_url_import_waits_no_longer_than_its_deadline_for_the_headers(fake_server: FakeServer) -> None:
    from readlist.app.sources import SourceError, fetch_url

    fake_server.script("/slowhead", Reply(raw=SLOW_HEAD, trickle=0.03))
    with pytest.raises(SourceError, match=r"no complete answer within 1s"):
        fetch_url(f"{fake_server.url}/slowhead", timeout=1.0)


def test_cancelling_stops_a_trickling_answer_at_its_next_byte(fake_server: FakeServer) -> None:
    # Esc in the app, pressed once the server started its answer: the request is left at the next byte, not after
    # the whole answer (~9 s) or the deadline (60 s).
    fake_server.script("/slowhead", Reply(raw=SLOW_HEAD, trickle=0.03))
    with HttpClient(cancelled=lambda: bool(fake_server.requests)) as http, pytest.raises(NetworkError) as caught:
        http.get(f"{fake_server.url}/slowhead")
    assert caught.value.kind == "cancelled"
    assert str(caught.value) == f"{fake_server.url}/slowhead: stopped before the answer was complete"
    assert len(fake_server.seen("/slowhead")) == 1


def test_redirect_to_ftp_is_refused(fake_server: FakeServer) -> None:
    fake_server.script("/hop", Reply(302, headers={"Location": "/hop2"}))
    fake_server.script("/hop2", Reply(301, headers={"Location": "ftp://127.0.0.1/secret.html"}))
    with pytest.raises(NetworkError, match=r"redirected to a non-HTTP address \(ftp://127\.0\.0\.1/secret\.html\)"):
        client().get(f"{fake_server.url}/hop")
    assert [r.path for r in fake_server.requests] == ["/hop", "/hop2"]


@pytest.mark.parametrize("target", ["file:///etc/passwd", "javascript:alert(1)"])
def test_redirect_to_other_schemes_is_refused(fake_server: FakeServer, target: str) -> None:
    fake_server.script("/hop", Reply(307, headers={"Location": target}))
    with pytest.raises(NetworkError, match=r"redirected to an? .*(non-HTTP|invalid).*refused") as caught:
        client().get(f"{fake_server.url}/hop")
    assert caught.value.kind in ("scheme", "redirect")
    assert len(fake_server.requests) == 1


def test_redirects_are_followed_and_capped(fake_server: FakeServer) -> None:
    fake_server.script("/a", Reply(302, headers={"Location": "/b?x=1"}))
    fake_server.script("/b", Reply(200, b"arrived"))
    assert bytes(client().get(f"{fake_server.url}/a").content) == b"arrived"
    assert fake_server.requests[-1].query == {"x": "1"}
    fake_server.script("/loop", Reply(302, headers={"Location": "/loop"}))
    with pytest.raises(NetworkError, match="more than 3 redirects") as caught:
        client(max_redirects=3).get(f"{fake_server.url}/loop")
    assert caught.value.kind == "redirect"
    assert len(fake_server.seen("/loop")) == 4


def test_size_cap_by_declared_length_and_while_reading(fake_server: FakeServer) -> None:
    fake_server.script("/big", Reply(200, b"y" * 5000))
    with pytest.raises(NetworkError, match="larger than 1,000 bytes") as caught:
        client(max_bytes=1000).get(f"{fake_server.url}/big")
    assert caught.value.kind == "too-large"
    # A wrong (small) Content-Length is no way around it: the body is counted as it arrives.
    fake_server.script("/liar", Reply(200, raw=b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + b"z" * 5000))
    with pytest.raises(NetworkError, match="larger than"):
        client(max_bytes=1000).get(f"{fake_server.url}/liar")


def test_5xx_is_retried_with_backoff_then_succeeds(fake_server: FakeServer) -> None:
    fake_server.script("/flaky", Reply(502), Reply(500), Reply(200, b"ok"))
    clock = FakeClock()
    response = client(clock, attempts=3, backoff=2.0).get(f"{fake_server.url}/flaky")
    assert bytes(response.content) == b"ok"
    assert clock.sleeps == [2.0, 4.0]


def test_a_cancelled_request_is_not_tried_again(fake_server: FakeServer) -> None:
    """Esc in the app: the attempt that failed is the last, instead of every retry and the waits between them."""
    fake_server.script("/down", Reply(503))
    clock = FakeClock()
    http = HttpClient(clock=clock, sleep=clock.sleep, cancelled=lambda: True)  # type: ignore[arg-type]
    with pytest.raises(NetworkError, match="503"):
        http.get(f"{fake_server.url}/down")
    assert len(fake_server.seen("/down")) == 1 and clock.sleeps == []


def test_503_honours_retry_after_and_gives_up_with_one_line(fake_server: FakeServer) -> None:
    fake_server.script("/busy", Reply(503, headers={"Retry-After": "7"}))
    clock = FakeClock()
    with pytest.raises(NetworkError) as caught:
        client(clock, attempts=3).get(f"{fake_server.url}/busy", service="Test API (127.0.0.1)")
    assert clock.sleeps == [7.0, 7.0]
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("Test API (127.0.0.1): the server answered 503")
    assert "3 attempts" in message and "try again later" in message
    assert caught.value.kind == "unavailable"


def test_429_after_retries(fake_server: FakeServer) -> None:
    fake_server.script("/limited", Reply(429, headers={"Retry-After": "1"}))
    clock = FakeClock()
    with pytest.raises(NetworkError, match=r"429.*too many requests; wait a few minutes") as caught:
        client(clock, attempts=2).get(f"{fake_server.url}/limited")
    assert caught.value.kind == "rate-limited"
    assert clock.sleeps == [1.0]


def test_unreasonable_retry_after_is_not_waited_for(fake_server: FakeServer) -> None:
    fake_server.script("/later", Reply(429, headers={"Retry-After": "3600"}))
    clock = FakeClock()
    with pytest.raises(NetworkError, match="asked to wait 3600s"):
        client(clock).get(f"{fake_server.url}/later")
    assert clock.sleeps == []
    assert len(fake_server.seen("/later")) == 1


def test_retry_after_as_a_date() -> None:
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert retry_after_seconds(format_datetime(now + timedelta(seconds=30), usegmt=True), now) == 30
    assert retry_after_seconds("12") == 12
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


def test_4xx_is_not_retried(fake_server: FakeServer) -> None:
    fake_server.script("/gone", Reply(404))
    with pytest.raises(NetworkError, match="the server answered 404 Not Found") as caught:
        client().get(f"{fake_server.url}/gone")
    assert caught.value.status == 404
    assert len(fake_server.seen("/gone")) == 1


def test_malformed_answer(fake_server: FakeServer) -> None:
    fake_server.script("/garbage", Reply(raw=b"this is not HTTP at all\r\n\r\n"))
    clock = FakeClock()
    with pytest.raises(NetworkError) as caught:
        client(clock, attempts=2).get(f"{fake_server.url}/garbage", service="Test API")
    assert caught.value.kind in ("malformed", "connection")
    assert str(caught.value).startswith("Test API: ")
    assert "try again later" in str(caught.value)


def test_an_answer_that_is_not_http_is_named_so_without_python_internals(fake_server: FakeServer) -> None:
    """The message quoted the parser: "illegal status line: bytearray(b'\\x00\\xffNOT HTTP AT ALL')"."""
    fake_server.script("/garbage", Reply(raw=b"\x00\xffNOT HTTP AT ALL\r\n\r\n"))
    with pytest.raises(NetworkError) as caught:
        client(FakeClock(), attempts=1).get(f"{fake_server.url}/garbage", service="Test API")
    assert str(caught.value) == ("Test API: the server did not answer in HTTP (is the address that of a web "
                                 "server?); try again later")


def test_no_answer_times_out_and_is_retried_within_the_deadline(fake_server: FakeServer) -> None:
    hold = threading.Event()
    fake_server.script("/silent", Reply(200, b"late", hold=hold))
    try:
        with pytest.raises(NetworkError, match=r"no answer within 0\.2s") as caught:
            HttpClient(limits=Limits(read_timeout=0.2, deadline=10, attempts=2, backoff=0.01)).get(
                f"{fake_server.url}/silent"
            )
    finally:
        hold.set()
    assert caught.value.kind == "timeout"
    assert "2 attempts" in str(caught.value)


def test_refused_connection() -> None:
    with socket.socket() as sock:  # a port nothing listens on: bound, never listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        with pytest.raises(NetworkError, match=r"cannot be fetched \(connection refused\)") as caught:
            client().get(f"http://127.0.0.1:{port}/x", service="arXiv API (127.0.0.1)")
    assert caught.value.kind == "refused"
    assert str(caught.value).startswith("arXiv API (127.0.0.1): ")


def test_dns_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_dns(*args: object, **kwargs: object) -> object:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    with pytest.raises(NetworkError, match=r"the name export\.arxiv\.invalid could not be looked up") as caught:
        client().get("https://export.arxiv.invalid/api/query", service="arXiv API (export.arxiv.invalid)")
    assert caught.value.kind == "dns"
    assert "check your network connection" in str(caught.value)


def test_no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def unreachable(*args: object, **kwargs: object) -> object:
        raise OSError(errno.ENETUNREACH, "Network is unreachable")

    monkeypatch.setattr(socket, "create_connection", unreachable)
    with pytest.raises(NetworkError, match="no network") as caught:
        client().get("http://192.0.2.1/x")
    assert caught.value.kind == "unreachable"


def test_offline_refuses_before_any_connection(fake_server: FakeServer) -> None:
    http = HttpClient(offline=True)
    with pytest.raises(NetworkError, match="set to work offline") as caught:
        http.get(f"{fake_server.url}/anything", service="Hugging Face API (127.0.0.1)")
    assert caught.value.kind == "offline"
    assert fake_server.requests == []


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/x", "file:///etc/passwd", "no-scheme"])
def test_only_http_urls(url: str) -> None:
    with pytest.raises(NetworkError, match="only http:// and https://"):
        client().get(url)


def test_control_characters_in_a_redirect_never_reach_the_message(fake_server: FakeServer) -> None:
    fake_server.script("/evil", Reply(302, headers={"Location": "gopher://x/\x1b]52;c;ZXZpbA==\x07"}))
    with pytest.raises(NetworkError) as caught:
        client().get(f"{fake_server.url}/evil")
    assert "\x1b" not in str(caught.value) and "\x07" not in str(caught.value)


def test_an_answer_compressed_twice_is_refused_before_it_is_inflated(fake_server: FakeServer) -> None:
    """Gzip twice over, 100 MB of spaces are a few hundred bytes, and httpx would inflate them whole in one
    read, before the size cap counted a byte: the memory of the process, not the cap, would be the limit."""
    import tracemalloc
    import zlib

    def gzipped(chunks: list[bytes]) -> bytes:
        packer = zlib.compressobj(9, zlib.DEFLATED, 31)
        return b"".join([*(packer.compress(c) for c in chunks), packer.flush()])

    inner = gzipped([b" " * (1 << 20)] * 100)
    fake_server.script("/bomb", Reply(200, gzipped([inner]), {"Content-Encoding": "gzip, gzip"}))
    tracemalloc.start()
    try:
        with pytest.raises(NetworkError, match=r"compressed more than once \(gzip, gzip\); refused") as caught:
            client().get(f"{fake_server.url}/bomb")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert caught.value.kind == "malformed"
    assert peak < 16 << 20


@pytest.mark.parametrize("coding", ["gzip", "deflate"])
def test_one_compressed_layer_is_inflated_no_further_than_the_cap(fake_server: FakeServer, coding: str) -> None:
    """100 MB of spaces gzipped once are ~100 KB: httpx inflated each 64 KB read of them whole (~64 MB) before
    the cap of 1 MB could count them; inflated with a bound, the memory stays near the cap."""
    import tracemalloc
    import zlib

    packer = zlib.compressobj(9, zlib.DEFLATED, 31 if coding == "gzip" else 15)
    bomb = b"".join([*(packer.compress(b" " * (1 << 20)) for _ in range(100)), packer.flush()])
    fake_server.script("/bomb", Reply(200, bomb, {"Content-Encoding": coding}))
    tracemalloc.start()
    try:
        with pytest.raises(NetworkError, match="larger than") as caught:
            client(max_bytes=1 << 20).get(f"{fake_server.url}/bomb")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert caught.value.kind == "too-large"
    assert peak < 8 << 20


@pytest.mark.parametrize("coding", ["gzip", "x-gzip", "deflate", "raw deflate"])
def test_a_compressed_answer_within_the_cap_is_read_whole(fake_server: FakeServer, coding: str) -> None:
    import zlib

    text = b"".join(b"line %d of the answer\n" % n for n in range(50_000))
    wbits = {"gzip": 31, "x-gzip": 31, "deflate": 15, "raw deflate": -15}[coding]
    packer = zlib.compressobj(6, zlib.DEFLATED, wbits)
    fake_server.script("/ok", Reply(200, packer.compress(text) + packer.flush(),
                                    {"Content-Encoding": coding.replace("raw ", "")}))
    assert client().get(f"{fake_server.url}/ok").content == text


@pytest.mark.parametrize("asked", ["9" * 30, "9" * 400], ids=["30 digits", "400 digits"])
def test_an_absurd_retry_after_is_named_in_words(fake_server: FakeServer, asked: str) -> None:
    """30 digits printed back as 1e29 seconds, 400 (infinite as a float) as "infs"."""
    fake_server.script("/busy", Reply(503, headers={"Retry-After": asked}))
    with pytest.raises(NetworkError) as caught:
        client().get(f"{fake_server.url}/busy")
    assert str(caught.value).endswith(
        "the server answered 503 Service Unavailable and asked to wait more than a day before trying again; "
        "try again later"
    )
    assert len(fake_server.requests) == 1


def test_a_connection_cut_mid_body_is_named_as_such(fake_server: FakeServer) -> None:
    """Ten bytes of a declared 100,000, then the connection closes: the answer was not malformed, it was cut
    (and enrichment stops on it, as on any dropped connection, instead of failing paper after paper)."""
    cut = b'HTTP/1.1 200 OK\r\nContent-Length: 100000\r\nContent-Type: application/json\r\n\r\n[{"paper":'
    fake_server.script("/cut", Reply(raw=cut))
    with pytest.raises(NetworkError) as caught:
        client().get(f"{fake_server.url}/cut", service="Test API")
    assert caught.value.kind == "connection"
    assert str(caught.value).startswith("Test API: the connection was cut (peer closed connection")
    assert str(caught.value).endswith("(3 attempts); try again later")
