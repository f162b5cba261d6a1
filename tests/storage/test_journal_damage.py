"""A journal a crash left zeros in (blocks allocated but never written) is read without holding the zeros.

Reading used to take the whole rest of the file into memory at once (and the header as one unbounded line):
a read-only command met with two gigabytes of zeros took 4 GB of memory, every time it ran. The zeros here are
sparse files, cheap to make; what is measured is the memory Python allocates while the journal is read.
"""

from __future__ import annotations

import os
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from readlist.app.commands import Rate
from readlist.app.imports import ImportPapers
from readlist.core.model import Paper
from readlist.storage.journal import kept_aside_journals
from readlist.storage.library import Library
from readlist.storage.paths import journal_path

ZEROS = 200 * 1024 * 1024
# Far below the zeros, far above what reading a few short lines takes.
MEMORY_BOUND = ZEROS // 20


def made(path: Path) -> Library:
    """A library of five papers with three changes in its journal; its session's backup is already made."""
    lib = Library(path)
    papers = [Paper.from_dict({"title": f"Paper {n}", "arxiv_id": f"2401.{n:05d}"}) for n in range(5)]
    ImportPapers(papers, "test").execute(lib)
    lib.compact(force=True)
    for n in (1, 2, 3):
        Rate([f"2401.{n:05d}"], n).execute(lib)
    return lib


def ratings(lib: Library) -> dict[str, int]:
    return {pid: paper.rating for pid, paper in lib.papers.items() if paper.rating}


def add_zeros(path: Path, count: int) -> None:
    """``count`` zero bytes at the end of the file, as a crash leaves them (a hole: nothing is written)."""
    os.truncate(path, path.stat().st_size + count)


@contextmanager
def peak_memory() -> Iterator[Callable[[], int]]:
    """The most memory Python held at once inside the block, traced (called after it)."""
    tracemalloc.start()
    peak = 0
    try:
        yield lambda: peak
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()


def test_a_journal_of_zeros_only_has_a_damaged_header_found_from_its_start(tmp_path: Path) -> None:
    lib = made(tmp_path / "library.json")
    lib.compact(force=True)
    journal = journal_path(lib.path)
    journal.touch()
    add_zeros(journal, ZEROS)

    with peak_memory() as peak:
        looking = Library(lib.path, tidy=False)
    assert peak() < MEMORY_BOUND, peak()
    notices = looking.take_notices()
    assert len(notices) == 1 and "damaged header" in notices[0]
    assert ratings(looking) == {"2401.00001": 1, "2401.00002": 2, "2401.00003": 3}
    assert journal.stat().st_size == ZEROS and not kept_aside_journals(lib.path)  # only looked

    with peak_memory() as peak:
        writing = Library(lib.path)
    assert peak() < MEMORY_BOUND, peak()
    kept = kept_aside_journals(lib.path)
    assert len(kept) == 1 and ".unreadable-" in kept[0].name and kept[0].stat().st_size == ZEROS
    assert not journal.exists()
    Rate(["2401.00004"], 4).execute(writing)
    assert ratings(Library(lib.path))["2401.00004"] == 4
