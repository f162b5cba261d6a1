"""A local stand-in for the arXiv and Hugging Face APIs (and for misbehaving servers), on 127.0.0.1.

The arXiv part answers ``/arxiv/api/query`` the way the real API documents it
(``id_list``, ``search_query`` with ``ti:``/``cat:``/``all:`` terms joined by ``OR``,
``start``/``max_results`` paging, ``sortBy=submittedDate``, an Atom error entry and 400
for a malformed id) from recorded entries. The Hugging Face part answers
``/hf/api/daily_papers`` (``date``, ``p``, ``limit``) and ``/hf/api/papers/<id>`` from
recorded JSON. Any path can instead be given a script of replies: statuses,
``Retry-After``, a body trickled byte by byte, a raw malformed answer, a redirect.
Every request is logged with its query and the fake clock's time, if one is attached.
"""

from __future__ import annotations

import html
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from readlist.core.model import find_arxiv_id, is_arxiv_id, normalize_title

NET_FIXTURES = Path(__file__).parent / "fixtures" / "net"
_ENTRY = re.compile(r"<entry>.*?</entry>", re.S)


class FakeClock:
    """Time that moves only when slept through: every wait is recorded, none is real."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    # Seconds between bytes: the body (or ``raw``, status line and headers included) is sent one byte at a time.
    trickle: float = 0.0
    # Written to the socket as they are, instead of a proper answer.
    raw: bytes | None = None
    # Wait for this before answering (a server that does not answer).
    hold: threading.Event | None = None


@dataclass
class Seen:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    at: float | None


@dataclass
class ArxivEntry:
    arxiv_id: str
    title: str
    published: str
    categories: list[str]
    summary: str
    xml: str


def load_arxiv_entries(*names: str) -> list[ArxivEntry]:
    entries = []
    for name in names:
        text = (NET_FIXTURES / name).read_text(encoding="utf-8")
        for block in _ENTRY.findall(text):
            raw_id = re.search(r"<id>(.*?)</id>", block, re.S)
            title = re.search(r"<title>(.*?)</title>", block, re.S)
            published = re.search(r"<published>(.*?)</published>", block, re.S)
            summary = re.search(r"<summary>(.*?)</summary>", block, re.S)
            assert raw_id and title and published
            arxiv_id = find_arxiv_id(raw_id.group(1))
            assert arxiv_id
            entries.append(ArxivEntry(
                arxiv_id=arxiv_id,
                title=" ".join(html.unescape(title.group(1)).split()),
                published=published.group(1).strip(),
                categories=re.findall(r'<category term="([^"]+)"', block),
                summary=html.unescape(summary.group(1)) if summary else "",
                xml=block,
            ))
    return entries


class FakeArxiv:
    def __init__(self, entries: list[ArxivEntry]) -> None:
        self.entries = entries

    def feed(self, entries: list[ArxivEntry], total: int, start: int, query: str) -> bytes:
        body = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
            'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">',
            "  <id>https://arxiv.org/api/fake</id>",
            f"  <title>arXiv Query: {html.escape(query)}</title>",
            "  <updated>2026-04-12T00:00:00Z</updated>",
            f"  <opensearch:itemsPerPage>{len(entries)}</opensearch:itemsPerPage>",
            f"  <opensearch:totalResults>{total}</opensearch:totalResults>",
            f"  <opensearch:startIndex>{start}</opensearch:startIndex>",
            *("  " + e.xml for e in entries),
            "</feed>",
        ]
        return "\n".join(body).encode("utf-8")

    def error(self, message: str) -> Reply:
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">\n'
            "  <id>https://arxiv.org/api/errors</id><title>Error</title><updated>2026-04-12T00:00:00Z</updated>\n"
            "  <opensearch:totalResults>1</opensearch:totalResults>\n"
            f"  <entry><id>https://arxiv.org/api/errors#{html.escape(message.replace(' ', '_'))}</id>"
            f"<title>Error</title><summary>{html.escape(message)}</summary><updated>2026-04-12T00:00:00Z</updated>"
            "</entry>\n</feed>\n"
        )
        return Reply(400, body.encode(), {"Content-Type": "application/atom+xml"})

    def answer(self, query: dict[str, str]) -> Reply:
        start = int(query.get("start", "0"))
        max_results = int(query.get("max_results", "10"))
        if query.get("id_list"):
            ids = query["id_list"].split(",")
            for raw in ids:
                if not is_arxiv_id(raw):
                    return self.error(f"incorrect id format for {raw}")
            by_id = {e.arxiv_id: e for e in self.entries}
            chosen = [by_id[i] for i in (find_arxiv_id(raw) for raw in ids) if i in by_id]
        else:
            chosen = [e for e in self.entries if self._matches(e, query.get("search_query", ""))]
        if query.get("sortBy") == "submittedDate":
            chosen.sort(key=lambda e: e.published, reverse=query.get("sortOrder", "descending") == "descending")
        page = chosen[start : start + max_results]
        return Reply(200, self.feed(page, len(chosen), start, str(query)), {"Content-Type": "application/atom+xml"})

    @staticmethod
    def _matches(entry: ArxivEntry, search: str) -> bool:
        """Terms joined by OR, each a group of terms joined by AND."""
        return any(
            all(FakeArxiv._term(entry, term) for term in group.split(" AND ")) for group in search.split(" OR ")
        )

    @staticmethod
    def _term(entry: ArxivEntry, term: str) -> bool:
        fieldname, _, value = term.strip().partition(":")
        value = value.strip().strip('"')
        if fieldname == "cat":
            return value in entry.categories
        if fieldname == "ti":
            return normalize_title(value) in normalize_title(entry.title)
        if fieldname == "all":
            return normalize_title(value) in normalize_title(entry.title + entry.summary)
        return False


class FakeHf:
    def __init__(self) -> None:
        self.daily: dict[str, list[object]] = {}
        self.papers: dict[str, object] = {}

    def answer(self, path: str, query: dict[str, str]) -> Reply:
        if path == "/hf/api/daily_papers":
            items = self.daily.get(query.get("date", ""), [])
            page, limit = int(query.get("p", "0")), int(query.get("limit", "50"))
            return _json(items[page * limit : (page + 1) * limit])
        if path.startswith("/hf/api/papers/"):
            paper = self.papers.get(path.removeprefix("/hf/api/papers/"))
            return _json(paper) if paper is not None else _json({"error": "Paper not found"}, 404)
        return _json({"error": "not found"}, 404)


def _json(value: object, status: int = 200) -> Reply:
    return Reply(status, json.dumps(value).encode(), {"Content-Type": "application/json"})


class FakeServer:
    def __init__(self) -> None:
        self.requests: list[Seen] = []
        self.scripts: dict[str, list[Reply]] = {}
        self.arxiv = FakeArxiv(load_arxiv_entries("arxiv-api-query-testing.xml", "arxiv-entries-seeds.xml"))
        self.hf = FakeHf()
        self.clock: Callable[[], float] | None = None
        self.url = ""

    @property
    def arxiv_api(self) -> str:
        return f"{self.url}/arxiv/api/query"

    @property
    def hf_api(self) -> str:
        return f"{self.url}/hf/api"

    def script(self, path: str, *replies: Reply) -> None:
        """Answer ``path`` with these replies in turn; the last one repeats."""
        self.scripts[path] = list(replies)

    def seen(self, prefix: str) -> list[Seen]:
        return [r for r in self.requests if r.path.startswith(prefix)]

    def reply_for(self, path: str, query: dict[str, str]) -> Reply:
        if path in self.scripts:
            replies = self.scripts[path]
            return replies.pop(0) if len(replies) > 1 else replies[0]
        if path == "/arxiv/api/query":
            return self.arxiv.answer(query)
        if path.startswith("/hf/api/"):
            return self.hf.answer(path, query)
        return Reply(404, b"not found", {"Content-Type": "text/plain"})


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeServer

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients hanging up early (size cap, deadline) is what some tests do on purpose


def _pieces(data: bytes, trickle: float) -> Iterator[bytes]:
    """``data`` whole, or a byte at a time ``trickle`` seconds apart."""
    if not trickle:
        yield data
        return
    for byte in data:
        yield bytes([byte])
        time.sleep(trickle)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HttpServer

    def do_GET(self) -> None:
        fake = self.server.fake
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        fake.requests.append(Seen(parts.path, query, dict(self.headers.items()), fake.clock() if fake.clock else None))
        reply = fake.reply_for(parts.path, query)
        if reply.hold is not None:
            reply.hold.wait(30)
        if reply.raw is not None:
            for piece in _pieces(reply.raw, reply.trickle):
                self.wfile.write(piece)
                self.wfile.flush()
            self.close_connection = True
            return
        self.send_response(reply.status)
        headers = {"Content-Length": str(len(reply.body)), **reply.headers}
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        for piece in _pieces(reply.body, reply.trickle):
            self.wfile.write(piece)
            self.wfile.flush()

    def log_message(self, format: str, *args: object) -> None:
        pass


def serve() -> Iterator[FakeServer]:
    """Run a fake server for the length of a test (use as a pytest fixture body)."""
    fake = FakeServer()
    httpd = _HttpServer(("127.0.0.1", 0), _Handler)
    httpd.fake = fake
    fake.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        for replies in fake.scripts.values():
            for reply in replies:
                if reply.hold is not None:
                    reply.hold.set()
        httpd.shutdown()
        httpd.server_close()
