#!/usr/bin/env python3
"""How long the commands that need little take, from the shell's point of view, with the floor beside them.

Usage: ``python bench/cli_start.py [--runs 15] [--papers 1000]``

Each command runs in a fresh process ``--runs`` times and the median wall-clock time is reported next to
the floor, an interpreter that starts and does nothing (``python -c pass``), so what readlist adds is
the difference. Verbs are imported on demand, so ``--version`` and ``--help`` load neither Textual nor a
library, and ``list`` loads the library but not the terminal UI.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def median_seconds(argv: list[str], runs: int, env: dict[str, str]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def make_library(folder: Path, papers: int, env: dict[str, str]) -> Path:
    """A library of ``papers`` generated papers (bench/generate.py, the same papers every time)."""
    subprocess.run([PYTHON, str(ROOT / "bench" / "generate.py"), str(papers), "--out", str(folder)],
                   check=True, env=env, stdout=subprocess.DEVNULL)
    return folder / f"library-{papers}.json"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--papers", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="readlist-start-") as tmp:
        folder = Path(tmp)
        env = {**os.environ, "READLIST_CONFIG": str(folder / "config.toml"), "PYTHONPATH": str(ROOT)}
        db = make_library(folder, args.papers, env)
        listed = subprocess.run([PYTHON, "-m", "readlist", "--db", str(db), "list", "--json", "--limit", "1"],
                                env=env, capture_output=True, check=True)
        some_id = json.loads(listed.stdout)[0]["id"]
        rows = [
            ("floor: python -c pass", [PYTHON, "-c", "pass"]),
            ("readlist --version", [PYTHON, "-m", "readlist", "--version"]),
            ("readlist --help", [PYTHON, "-m", "readlist", "--help"]),
            ("readlist list --help", [PYTHON, "-m", "readlist", "list", "--help"]),
            (f"readlist list --limit 20 ({args.papers} papers)",
             [PYTHON, "-m", "readlist", "--db", str(db), "list", "--limit", "20"]),
            (f"readlist show ID ({args.papers} papers)", [PYTHON, "-m", "readlist", "--db", str(db), "show", some_id]),
        ]
        print(f"| command | median of {args.runs} (s) |")
        print("|---|---|")
        for name, argv in rows:
            print(f"| {name} | {median_seconds(argv, args.runs, env):.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
