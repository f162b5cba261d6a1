"""Shared fixtures: libraries built from the seed pages copied into tests/fixtures."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from readlist.app.imports import ImportPapers
from tests.fake_services import FakeServer, serve

FIXTURES = Path(__file__).parent / "fixtures"
SEEDS = sorted((FIXTURES / "seeds").glob("*.txt"))
PAGES = FIXTURES / "pages"
# The seed pages were copied in late 2025; a fixed "today" keeps their yearless dates stable.
SEED_TODAY = date(2025, 12, 20)


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Never read or write the real user's library or config from a test."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("READLIST_CONFIG", str(home / "config" / "config.toml"))
    monkeypatch.setenv("READLIST_DB", str(home / "data" / "library.json"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "xdg-config"))
    # Network settings come from the test, never from the developer's shell.
    for name in ("READLIST_ARXIV_API", "READLIST_HF_API", "READLIST_ARXIV_DELAY", "READLIST_OFFLINE"):
        monkeypatch.delenv(name, raising=False)
    yield


@pytest.fixture
def fake_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeServer]:
    """A local arXiv / Hugging Face API stand-in on 127.0.0.1 (see tests/fake_services.py)."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    yield from serve()


@pytest.fixture
def seed_library(tmp_path: Path) -> Path:
    """A library file holding the 196 seed papers."""
    from readlist.importers import parse_input
    from readlist.storage.library import Library

    path = tmp_path / "library.json"
    lib = Library(path)
    for seed in SEEDS:
        ImportPapers(parse_input(seed.read_bytes(), source=seed.name, today=SEED_TODAY).papers, seed.name).execute(lib)
    lib.compact(force=True)
    return path
