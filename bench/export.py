#!/usr/bin/env python3
"""Wall time and peak memory of ``readlist export`` in each format, from the shell's point of view.

Usage: ``python bench/export.py LIBRARY [--formats bibtex,ris] [--runs 3] [--code DIR ...]``

The library is copied to a temporary folder first (an export stores the citation keys it gives, so the
library named is never written) and exported once to store them; every timed run then exports the same
library, to a file in that folder, in a fresh process. Peak memory is the child's maximum resident set
(``wait4``). With several ``--code`` folders (checkouts of readlist, say before and after a change) the
runs alternate between them, so a host whose load changes during the runs affects each alike; the outputs
of the last runs are compared byte for byte. The load average is printed before and after.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ("bibtex", "biblatex", "csl-json", "ris", "csv")


def timed(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, int]:
    """Seconds and peak resident memory (KB) of one run."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(argv)}")
    return elapsed, usage.ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("library", type=Path)
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--code", type=Path, action="append", help="a readlist checkout to run (default: this one)")
    args = parser.parse_args()
    codes = [code.resolve() for code in args.code or [ROOT]]
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="readlist-export-") as tmp:
        folder = Path(tmp)
        library = folder / "library.json"
        shutil.copyfile(args.library, library)
        envs = [{**os.environ, "PYTHONPATH": str(code)} for code in codes]
        # Run from the temporary folder: ``python -m`` puts the working directory first on the path, so from a
        # checkout every --code would have run that checkout's readlist.
        subprocess.run([sys.executable, "-m", "readlist", "--db", str(library), "export", "-o", str(folder / "warm")],
                       env=envs[0], cwd=folder, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for fmt in args.formats.split(","):
            results: list[list[tuple[float, int]]] = [[] for _ in codes]
            for _ in range(args.runs):
                for n, env in enumerate(envs):
                    out = folder / f"out-{n}"
                    argv = [sys.executable, "-m", "readlist", "--db", str(library), "export", "-f", fmt, "-o", str(out)]
                    results[n].append(timed(argv, env, folder))
            same = all(filecmp.cmp(folder / "out-0", folder / f"out-{n}", shallow=False) for n in range(len(codes)))
            for code, runs in zip(codes, results, strict=True):
                times = ", ".join(f"{s:.2f}" for s, _ in runs)
                peak = max(kb for _, kb in runs) / 1024
                print(f"{fmt:9s} {code}: {times} s, peak {peak:.0f} MB")
            if len(codes) > 1:
                print(f"{fmt:9s} outputs {'identical' if same else 'DIFFER'}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
