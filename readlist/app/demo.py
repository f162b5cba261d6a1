"""A throw-away library built from the sample pages shipped with readlist."""

from __future__ import annotations

import re
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
    # A reader with a clear taste, so the interest order has something to learn: papers on reasoning and
    # language models kept, read and rated; papers on images, video and robots skipped.
    papers = sorted(lib.papers.values(), key=lambda p: p.id)
    liked = [p.id for p in papers if re.search(r"reason|language model|\bllms?\b", p.title.lower())][:16]
    disliked = [p.id for p in papers if p.id not in liked
                and re.search(r"image|video|vision|visual|\b3d\b|robot", p.title.lower())][:10]
    SetStatus(liked[0:6], "to-read").execute(lib)
    SetStatus(liked[6:8], "reading").execute(lib)
    SetStatus(liked[8:16], "read").execute(lib)
    SetStatus(disliked, "skipped").execute(lib)
    Rate(liked[8:11], 5).execute(lib)
    Rate(liked[11:14], 4).execute(lib)
    Rate(liked[0:2], 3).execute(lib)
    Rate(disliked[0:2], 1).execute(lib)
    EditTags(liked[0:10:2], add=["reasoning"]).execute(lib)
    EditTags(liked[1:12:3], add=["llm"]).execute(lib)
    EditTags(liked[8:10], add=["rl"]).execute(lib)
    SaveNote(
        liked[8],
        "## Why it matters\n\n- A clean test of what the model *really* learns from its training data.\n"
        "- Try their evaluation on our benchmark.\n",
    ).execute(lib)
    lib.compact(force=True)
    return path
