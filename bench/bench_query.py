#!/usr/bin/env python3
"""Search speed for plain words, ``OR`` and grouped queries, scanning vs. the search index.

Usage: ``bench/bench_query.py N [--out DIR] [--repeat R] [--json FILE]``. Loads the generated
library ``DIR/library-N.json`` (made by ``bench/generate.py`` when missing), builds the search
index, then times each query over the whole library in the order the list shows it: once
scanning every paper, once answered from the index. Times are CPU milliseconds
(``time.process_time``), the median of ``R`` runs, so a busy machine distorts them less. A query
the parser rejects is reported as such rather than timed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from readlist.core.query import QueryError, SearchIndex, parse_query, sort_papers  # noqa: E402
from readlist.storage.library import Library  # noqa: E402

QUERIES: dict[str, tuple[str, ...]] = {
    "plain": ("diffusion", "reasoning agents", "zzqx", "d", "lea", '"large language"', "-robust year>=2023"),
    "or": (
        "diffusion OR reasoning",
        "zzqx OR qqzx",
        "status:to-read OR status:reading",
        "diffusion OR tag:rl",
        "d OR lea",
        "policy OR reward OR agent",
    ),
    "grouped": (
        "(tag:rl OR tag:agents) -survey",
        "(diffusion OR reasoning) agents",
        "-(diffusion OR robust) year>=2023",
        "(status:read rating>=4) OR (status:to-read diffusion)",
        "((sparse OR dense) experts) OR (zzqx -d)",
    ),
}


def cpu_ms(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    runs: list[float] = []
    value: Any = None
    for _ in range(repeat):
        start = time.process_time()
        value = fn()
        runs.append(time.process_time() - start)
    return round(statistics.median(runs) * 1000, 2), value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("n", type=int)
    parser.add_argument("--out", type=Path, default=Path("/tmp/readlist-bench"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    args = parser.parse_args(argv)
    path = args.out / f"library-{args.n}.json"
    if not path.exists():
        subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), str(args.n), "--out", str(args.out)],
                       check=True)
    lib = Library(path)
    base = sort_papers(list(lib.papers.values()), "added")  # the order the list keeps cached
    index = SearchIndex(lib)
    build, _ = cpu_ms(index.build, 1)

    results: dict[str, dict[str, Any]] = {}
    print(f"{args.n:,} papers; CPU ms, median of {args.repeat}; index build {build:.0f} ms (once, in the background)")
    print("| kind | query | hits | scan | indexed |")
    print("|---|---|---:|---:|---:|")
    for kind, texts in QUERIES.items():
        for text in texts:
            try:
                query = parse_query(text)
            except QueryError as exc:
                results[text] = {"kind": kind, "error": str(exc)}
                print(f"| {kind} | `{text}` | — | rejected: {exc} | — |")
                continue
            scan, found = cpu_ms(lambda q=query: q.filter(base), args.repeat)  # type: ignore[misc]
            indexed, found_indexed = cpu_ms(lambda q=query: q.filter(base, index=index), args.repeat)  # type: ignore[misc]
            assert found == found_indexed, text
            results[text] = {"kind": kind, "hits": len(found), "scan_ms": scan, "indexed_ms": indexed}
            print(f"| {kind} | `{text}` | {len(found)} | {scan:.1f} | {indexed:.1f} |")
    if args.json:
        args.json.write_text(json.dumps({"n": args.n, "index_build_ms": build, "queries": results}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
