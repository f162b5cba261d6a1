"""Fixtures for the TUI tests: small libraries on disk with pinned dates, and an app factory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tui_helpers import PINNED_STAMP, SEEDS_DIR, build_library, open_app

from readlist.app.commands import EditTags, Rate, SetStatus
from readlist.app.notes import SaveNote
from readlist.storage.library import Library


@pytest.fixture(autouse=True)
def _private_config(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point READLIST_CONFIG at an empty temporary file so the user's config is never read."""
    config = tmp_path_factory.mktemp("cfg") / "config.toml"
    monkeypatch.setenv("READLIST_CONFIG", str(config))
    return config


@pytest.fixture(autouse=True)
def _truecolour_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """The app draws for a terminal with every colour, whatever terminal runs the tests.

    On a 16-colour one (TERM=xterm without COLORTERM) it draws the cursor otherwise, so the
    pictures would depend on where the tests run; a test of that terminal sets TERM itself.
    """
    monkeypatch.setenv("COLORTERM", "truecolor")


@pytest.fixture
def small_library(tmp_path: Path) -> Path:
    """Twelve seed papers from one page (fast to build and to look at)."""
    return build_library(tmp_path / "library.json", [sorted(SEEDS_DIR.glob("*.txt"))[0]], limit=12)


@pytest.fixture
def seed_library(tmp_path: Path) -> Path:
    """All the seed papers, a few of them already triaged and tagged."""
    path = build_library(tmp_path / "library.json")
    lib = Library(path)
    ids = sorted(lib.papers)
    SetStatus(ids[0:3], "to-read").execute(lib)
    SetStatus(ids[3:5], "read").execute(lib)
    Rate(ids[3:5], 5).execute(lib)
    EditTags(ids[0:4], add=["generalization"]).execute(lib)
    EditTags(ids[2:3], add=["llm"]).execute(lib)
    SaveNote(ids[3], "## Why\n\n- data *diversity* matters\n").execute(lib)
    for paper in lib.papers.values():
        paper.updated = PINNED_STAMP
        if paper.read_at:
            paper.read_at = PINNED_STAMP
    lib.compact(force=True)
    return path


@pytest.fixture
def make_app() -> Callable[..., object]:
    return open_app
