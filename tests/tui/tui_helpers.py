"""Helpers shared by the TUI tests: building libraries with pinned dates, reading them back."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from readlist.app.imports import ImportPapers
from readlist.app.session import Session
from readlist.config.settings import load_config
from readlist.importers import parse_input
from readlist.storage.library import Library
from readlist.tui.app import ReadlistApp, create_app

SEEDS_DIR = Path(__file__).parent.parent / "fixtures" / "seeds"
TODAY = date(2025, 12, 20)
# Imports stamp "added" with the clock; pin it so lists sorted by date added and snapshots never move.
PINNED_STAMP = "2025-12-20T09:00:00+00:00"
SIZE = (160, 48)


def build_library(path: Path, seeds: list[Path] | None = None, limit: int | None = None) -> Path:
    """Import copies of the seed pages into a library at ``path`` with pinned timestamps."""
    lib = Library(path)
    for seed in seeds or sorted(SEEDS_DIR.glob("*.txt")):
        copy = path.parent / ("copy-" + seed.name)
        copy.write_bytes(seed.read_bytes())
        papers = parse_input(copy.read_bytes(), source=seed.name, today=TODAY).papers
        if limit is not None:
            papers = papers[:limit]
        for index, paper in enumerate(papers):
            # Distinct, fixed "added" stamps keep the default sort (date added) stable and meaningful.
            paper.added = paper.updated = f"2025-12-{10 + index % 10:02d}T09:{index % 60:02d}:00+00:00"
        ImportPapers(papers, seed.name).execute(lib)
    lib.compact(force=True)
    return path


def fresh(path: Path) -> Library:
    """The library as another process would see it on disk now."""
    return Library(path)


def open_app(path: Path, **kwargs: Any) -> ReadlistApp:
    """The app on the library at ``path``, as ``readlist`` builds it, with today pinned."""
    return create_app(Session.open(path, settings=load_config()), today=TODAY, **kwargs)
