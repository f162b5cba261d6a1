#!/usr/bin/env python3
"""`show --json` and `list --sort interest --json` from the shell: the call that trains, then the calls that take
what it kept (docs/interest.md, "What was learned, kept for the next command").

Usage: ``python bench/interest_commands.py LIBRARY [--runs 3] [--paper ID]``

The library (and the vectors kept beside it, if any) is copied to a temporary folder first: nothing of the
original is written. Each line is one command in a fresh process, wall-clock time with the load average beside
it; "trains" says whether the command found nothing it could reuse (no kept scores or model). No figure is
asserted: the numbers go to docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from readlist.storage.paths import interest_model_path, interest_scores_path, vectors_path  # noqa: E402


def timed(db: Path, *args: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "readlist", "--db", str(db), *args], check=True,
                   stdout=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - start


def forget(db: Path) -> None:
    for path in (interest_scores_path(db), interest_model_path(db)):
        path.unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("library", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--paper", help="the paper to show (default: the first of the Inbox)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="readlist-interest-") as folder:
        db = Path(folder) / "library.json"
        shutil.copy(args.library, db)
        if vectors_path(args.library).is_file():
            shutil.copy(vectors_path(args.library), vectors_path(db))
        paper = args.paper
        if paper is None:
            listed = subprocess.run([sys.executable, "-m", "readlist", "--db", str(db), "list", "--status", "inbox",
                                     "--limit", "1", "--json"], check=True, capture_output=True, cwd=ROOT)
            paper = json.loads(listed.stdout)[0]["id"]
        show = ("show", str(paper), "--json")
        listing = ("list", "--sort", "interest", "--json")
        plan: list[tuple[str, tuple[str, ...], bool]] = [("show --json", show, True)]
        plan += [(name, ask, False) for _ in range(args.runs)
                 for name, ask in (("show --json", show), ("list --sort interest --json", listing))]
        plan += [("list --sort interest --json", listing, True), ("show --json", show, False)]
        print(f"{'command':<30} {'trains':<7} {'wall':>8}  load average")
        for name, ask, fresh in plan:
            if fresh:
                forget(db)
            seconds = timed(db, *ask)
            load = " ".join(f"{x:.2f}" for x in os.getloadavg())
            print(f"{name:<30} {'yes' if fresh else 'no':<7} {seconds:>7.2f}s  {load}")


if __name__ == "__main__":
    main()
