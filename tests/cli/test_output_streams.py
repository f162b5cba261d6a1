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


def readlist_without_stdout(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run readlist started with standard output closed, as ``readlist … >&-`` starts it."""
    return subprocess.run(["sh", "-c", 'exec "$0" "$@" >&-', sys.executable, "-m", "readlist", "--db", str(db), *args],
                          stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=120,
                          check=False)


@pytest.mark.parametrize("args", [["list", "--json"], ["show", "ID", "--json"], ["stats", "--json"], ["list"],
                                  ["cite", "ID"], ["export", "-f", "json"]])
def test_output_with_nowhere_to_go_is_one_line_and_status_1(seed_library: Path, args: list[str]) -> None:
    done = readlist_without_stdout(seed_library, *(first_id(seed_library) if a == "ID" else a for a in args))
    assert done.returncode == 1
    assert done.stderr == "readlist: could not write the output: standard output is closed\n"


@pytest.mark.parametrize("json", [[], ["--json"]])
def test_a_change_made_without_stdout_is_saved_and_exits_0(seed_library: Path, json: list[str]) -> None:
    """Exit status 0 means the change is durable: it is, though its report had nowhere to go."""
    paper_id = first_id(seed_library)
    done = readlist_without_stdout(seed_library, "rate", paper_id, "4", *json)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "the change was saved" in done.stderr
    assert Library(seed_library).papers[paper_id].rating == 4
