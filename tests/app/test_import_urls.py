"""Importing from URLs, against a local HTTP server only (never the internet)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from click.testing import CliRunner, Result

from readlist import __version__
from readlist.app import sources
from readlist.app.sources import SourceError, fetch_url
from readlist.cli import main

PAGES = Path(__file__).parent.parent / "fixtures" / "pages"


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the client hanging up early (oversize, timeout) is what some tests do on purpose


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    seen_agents: ClassVar[list[str]] = []
    # /slow answers only once the test lets it (or after 10 s), and notes when it has answered.
    release: ClassVar[threading.Event] = threading.Event()
    answered: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Handler.seen_agents.append(self.headers.get("User-Agent", ""))
        if self.path == "/slow":
            _Handler.release.wait(10)
            body = b"late"
            _Handler.answered.append(self.path)
        elif self.path == "/trickle":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            for _ in range(600):  # 30 s of one byte every 50 ms, unless the client gives up
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.05)
            return
        elif self.path == "/to-ftp":
            self.send_response(302)
            self.send_header("Location", "ftp://127.0.0.1/papers/arxiv-abs-2106.09608.html")
            self.end_headers()
            return
        elif self.path == "/big-no-length":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<html>" + b"x" * 5000)
            return
        elif self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/papers/arxiv-abs-2106.09608.html")
            self.end_headers()
            return
        elif self.path.startswith("/papers/") and (PAGES / self.path.removeprefix("/papers/")).is_file():
            body = (PAGES / self.path.removeprefix("/papers/")).read_bytes()
        else:
            self.send_error(404, "Not Found")
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = _Server(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args], catch_exceptions=False)


def test_import_from_url(tmp_path: Path, server: str) -> None:
    url = f"{server}/papers/hf-daily-2024-08-01.html"
    result = run(tmp_path / "lib.json", "import", "--json", url)
    assert result.exit_code == 0, result.output
    (report,) = json.loads(result.stdout)["reports"]
    assert (report["source"], report["format"], report["added"]) == (url, "hf-html", 13)
    assert _Handler.seen_agents[-1].startswith(f"readlist/{__version__} ")
    shown = json.loads(run(tmp_path / "lib.json", "show", "2407.21783", "--json").stdout)
    assert shown["sources"] == [url]


def test_redirect_is_followed(server: str) -> None:
    assert b"citation_arxiv_id" in fetch_url(f"{server}/redirect")


def test_404_is_a_clear_error(tmp_path: Path, server: str) -> None:
    db = tmp_path / "lib.json"
    result = run(db, "import", f"{server}/papers/missing.html")
    assert result.exit_code == 1
    assert "the server answered 404" in result.output
    assert not db.exists()


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/x.html", "gopher://x/y"])
def test_non_http_schemes_are_refused(tmp_path: Path, url: str) -> None:
    with pytest.raises(SourceError, match="only http:// and https://"):
        fetch_url(url)
    result = run(tmp_path / "lib.json", "import", url)
    assert result.exit_code == 1
    assert "only http:// and https:// URLs can be imported" in result.output


def test_oversize_is_refused(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "MAX_INPUT_BYTES", 1000)
    # Declared by Content-Length: refused before reading.
    with pytest.raises(SourceError, match="larger than"):
        fetch_url(f"{server}/papers/hf-daily-2024-08-01.html")
    # No length given: refused while reading, at the cap.
    with pytest.raises(SourceError, match="larger than"):
        fetch_url(f"{server}/big-no-length")


def test_an_oversized_answer_names_its_address_once(
    tmp_path: Path, server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sources, "MAX_INPUT_BYTES", 1000)
    url = f"{server}/big-no-length"
    result = run(tmp_path / "lib.json", "import", url)
    assert result.exit_code == 1
    assert (f"{url}: the answer is larger than 1,000 bytes, more than any page or API answer; it was not "
            "read") in result.output
    assert result.output.count(url) == 1, result.output


def test_timeout(server: str) -> None:
    _Handler.release.clear()
    _Handler.answered.clear()
    try:
        with pytest.raises(SourceError, match=r"no answer within 0\.3s"):
            fetch_url(f"{server}/slow", timeout=0.3)
        # The client gave up on its own: the server had not answered yet.
        assert _Handler.answered == []
    finally:
        _Handler.release.set()


def test_trickling_server_is_cut_off_at_the_deadline(server: str) -> None:
    with pytest.raises(SourceError, match=r"did not finish within 1s"):
        fetch_url(f"{server}/trickle", timeout=1)


def test_redirect_to_ftp_is_refused(tmp_path: Path, server: str) -> None:
    with pytest.raises(SourceError, match="redirected to a non-HTTP address"):
        fetch_url(f"{server}/to-ftp")
    result = run(tmp_path / "lib.json", "import", f"{server}/to-ftp")
    assert result.exit_code == 1
    assert "redirected to a non-HTTP address" in result.output
    assert not (tmp_path / "lib.json").exists()


def test_offline_refuses_url_imports(tmp_path: Path, server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READLIST_OFFLINE", "1")
    before = len(_Handler.seen_agents)
    result = run(tmp_path / "lib.json", "import", f"{server}/papers/hf-daily-2024-08-01.html")
    assert result.exit_code == 1
    assert "set to work offline" in result.output
    assert len(_Handler.seen_agents) == before


@pytest.mark.parametrize("how", ["--offline", "config"])
def test_every_way_of_going_offline_refuses_url_imports_in_the_same_words(
    tmp_path: Path, server: str, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    monkeypatch.delenv("READLIST_OFFLINE", raising=False)
    config = tmp_path / "config.toml"
    config.write_text("offline = true\n" if how == "config" else "")
    monkeypatch.setenv("READLIST_CONFIG", str(config))
    before = len(_Handler.seen_agents)
    args = ["--offline"] if how == "--offline" else []
    url = f"{server}/papers/hf-daily-2024-08-01.html"
    result = CliRunner().invoke(main, [*args, "--db", str(tmp_path / "lib.json"), "import", url])
    assert result.exit_code == 1
    assert "readlist is set to work offline (offline in config.toml, READLIST_OFFLINE or --offline)" in result.output
    assert len(_Handler.seen_agents) == before


def test_unreachable_host_is_a_clear_error() -> None:
    with pytest.raises(SourceError, match="cannot be fetched"):
        fetch_url("http://127.0.0.1:9/nothing-listens-here", timeout=2)
