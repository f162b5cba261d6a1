"""A throw-away library built from the sample pages shipped with readlist."""

from __future__ import annotations

import tempfile
from datetime import date
from importlib import resources
from pathlib import Path

from readlist.app.commands import EditTags, Rate, SetStatus
from readlist.app.imports import ImportPapers
from readlist.app.notes import SaveNote
from readlist.importers import parse_input
from readlist.storage.library import Library

# The sample pages were copied in late 2025; pin "today" so their yearless dates resolve the same way always.
DEMO_TODAY = date(2025, 12, 20)


def sample_files() -> list[tuple[str, bytes]]:
    folder = resources.files("readlist") / "data" / "demo"
    return sorted((entry.name, entry.read_bytes()) for entry in folder.iterdir() if entry.name.endswith(".txt"))


def build_demo_library(directory: Path | None = None) -> Path:
    """Import the sample pages into a fresh library and give it some history to look at."""
    directory = directory or Path(tempfile.mkdtemp(prefix="readlist-demo-"))
    path = directory / "demo-library.json"
    lib = Library(path)
    for name, data in sample_files():
        parsed = parse_input(data, source=name, today=DEMO_TODAY)
        ImportPapers(parsed.papers, name, parsed.format).execute(lib)
    ids = list(lib.papers)
    SetStatus(ids[0:6], "to-read").execute(lib)
    SetStatus(ids[6:8], "reading").execute(lib)
    SetStatus(ids[8:14], "read").execute(lib)
    SetStatus(ids[14:18], "skipped").execute(lib)
    Rate(ids[8:11], 5).execute(lib)
    Rate(ids[11:14], 4).execute(lib)
    Rate(ids[0:2], 3).execute(lib)
    EditTags(ids[0:10:2], add=["generalization"]).execute(lib)
    EditTags(ids[1:12:3], add=["llm"]).execute(lib)
    EditTags(ids[8:10], add=["rl"]).execute(lib)
    SaveNote(
        ids[8],
        "## Why it matters\n\n- Data *diversity* beats raw scale for compositional tasks.\n"
        "- Try their mixture of easy and hard examples on our benchmark.\n",
    ).execute(lib)
    lib.compact(force=True)
    return path
