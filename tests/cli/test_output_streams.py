"""Standard output that goes nowhere: a pipe whose reader stopped (``| head``), or one closed (``>&-``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from readlist.storage.library import Library

REPO = Path(__file__).resolve().parents[2]


def readlist_into_closed_pipe(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run readlist with standard output a pipe nobody reads any more, as ``readlist … | head -1`` leaves it."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run([sys.executable, "-m", "readlist", "--db", str(db), *args], stdout=write_end,
                              stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(REPO)},
                              timeout=120, check=False)
    finally:
        os.close(write_end)


def first_id(db: Path) -> str:
    return min(Library(db).papers)


@pytest.mark.parametrize("args", [["list"], ["show", "ID"], ["stats"], ["list", "--json"]])
def test_a_reader_that_stops_reading_ends_a_listing_quietly_with_status_0(seed_library: Path, args: list[str]) -> None:
    """Lines for people end like JSON does: status 0 and nothing on stderr, so `set -o pipefail` scripts work."""
    done = readlist_into_closed_pipe(seed_library, *(first_id(seed_library) if a == "ID" else a for a in args))
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


def test_a_change_whose_report_meets_a_closed_pipe_exits_0(seed_library: Path) -> None:
    paper_id = first_id(seed_library)
    done = readlist_into_closed_pipe(seed_library, "rate", paper_id, "4")
    assert done.returncode == 0, done.stderr
    assert Library(seed_library).papers[paper_id].rating == 4
