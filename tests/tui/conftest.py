"""Fixtures for the TUI tests: small libraries on disk with pinned dates, and an app factory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tui_helpers import PINNED_STAMP, SEEDS_DIR, TODAY, build_library

from readlist.store import Library


@pytest.fixture(autouse=True)
def _private_config(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point READLIST_CONFIG at an empty temporary file so the user's config is never read."""
    config = tmp_path_factory.mktemp("cfg") / "config.toml"
    monkeypatch.setenv("READLIST_CONFIG", str(config))
    return config


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
    lib.set_status(ids[0:3], "to-read")
    lib.set_status(ids[3:5], "read")
    lib.set_rating(ids[3:5], 5)
    lib.edit_tags(ids[0:4], add=["generalization"])
    lib.edit_tags(ids[2:3], add=["llm"])
    lib.set_note(ids[3], "## Why\n\n- data *diversity* matters\n")
    for paper in lib.papers.values():
        paper.updated = PINNED_STAMP
        if paper.read_at:
            paper.read_at = PINNED_STAMP
    lib.compact(force=True)
    return path


@pytest.fixture
def make_app() -> Callable[..., object]:
    from readlist.tui.app import ReadlistApp

    def factory(path: Path, **kwargs: object) -> ReadlistApp:
        return ReadlistApp(path, today=TODAY, **kwargs)  # type: ignore[arg-type]

    return factory
