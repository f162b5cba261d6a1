#!/usr/bin/env python3
"""Before/after timings of each speed-up, measured side by side on the same library in one process.

Usage: ``bench/ab.py N [--out DIR]``. Each line times the code as it was before a change
(reproduced here) against the code as it is now, as CPU time (``time.process_time``),
median of a few runs, so a busy machine distorts the comparison less than wall time.
"""

from __future__ import annotations

import argparse
import gc
import io
import statistics
import subprocess
import sys
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from readlist.core.model import _DEFAULTS, _EMPTY_LIST, Paper, normalize_title  # noqa: E402
from readlist.core.query import SearchIndex, parse_query, sort_papers  # noqa: E402
from readlist.storage.library import Library  # noqa: E402
from readlist.storage.snapshot import read_snapshot  # noqa: E402


def cpu(fn: Callable[[], Any], repeat: int = 3) -> float:
    runs = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        runs.append(time.process_time() - start)
    return statistics.median(runs) * 1000


def old_normalize_title(title: str) -> str:
    decomposed = unicodedata.normalize("NFKD", title)
    return "".join(ch for ch in decomposed.casefold() if ch.isalnum())


def old_trusted(data: dict[str, Any]) -> Paper:
    paper = object.__new__(Paper)
    for name, default in _DEFAULTS:
        value = data.get(name, default)
        object.__setattr__(paper, name, [] if value is _EMPTY_LIST else value)
    return paper


def old_count(papers: list[Paper]) -> tuple[dict[str, int], int, dict[str, int]]:
    by_status: dict[str, int] = {}
    by_tag: dict[str, int] = {}
    rated = 0
    for paper in papers:
        by_status[paper.status] = by_status.get(paper.status, 0) + 1
        if paper.rating >= 4:
            rated += 1
        for tag in paper.tags:
            by_tag[tag] = by_tag.get(tag, 0) + 1
    return by_status, rated, by_tag


def list_json_rss(path: Path, how: str) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of printing every paper as JSON, the old way or the new."""
    code = f"""
import io, sys, time
from readlist.storage.library import Library
from readlist.app.session import Session
from readlist.app.views import status_view
from readlist.cli.output import print_json
from readlist.cli.commands import write_records
lib = Library({str(path)!r})
start = time.perf_counter()
papers = Session(lib).select(status_view(None))
sys.stdout = io.TextIOWrapper(open('/dev/null', 'wb'))
if {how!r} == 'old':
    print_json([p.public_dict() for p in papers])
else:
    write_records(papers, sys.stdout.buffer)
took = time.perf_counter() - start
# VmHWM, not ru_maxrss: ru_maxrss would include this script's own memory, inherited through fork.
hwm = int(open('/proc/self/status').read().split('VmHWM:')[1].split()[0])
sys.stderr.write(f"{{took}} {{hwm / 1024}}\\n")
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=str(ROOT), check=True)
    took, rss = proc.stderr.split()[-2:]
    return float(took) * 1000, float(rss)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("n", type=int)
    parser.add_argument("--out", type=Path, default=Path("/tmp/readlist-bench"))
    args = parser.parse_args()
    path = args.out / f"library-{args.n}.json"
    if not path.exists():
        subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), str(args.n), "--out", str(args.out)],
                       check=True)
    rows: list[tuple[str, float, float]] = []

    docs = read_snapshot(path).papers
    gc.disable()
    rows.append(("Paper.trusted for every record (load)", cpu(lambda: [old_trusted(d) for d in docs]),
                 cpu(lambda: [Paper(**d) for d in docs])))
    gc.enable()
    titles = [d["title"] for d in docs]
    docs = []  # free the records before loading the library
    slow_keys = cpu(lambda: [old_normalize_title(t) for t in titles])
    rows.append(("dedup keys (normalize_title of every title) at load; after: lazy", slow_keys, 0.0))
    rows.append(("  the same keys when first needed (import, id lookup); ASCII fast path", slow_keys,
                 cpu(lambda: [normalize_title(t) for t in titles])))

    lib = Library(path)
    papers = list(lib.papers.values())
    gc.unfreeze()
    unfrozen = cpu(gc.collect, 1)
    gc.freeze()
    rows.append(("a full GC pass with the library loaded (a UI stall); after: frozen at load", unfrozen,
                 cpu(gc.collect, 1)))

    index = SearchIndex(lib)
    build = cpu(index.build, 1)
    base = sort_papers(papers, "added")
    for text in ("diffusion", "zzqx", "reasoning agents", "d", "-robust year>=2023"):
        query = parse_query(text)
        rows.append((f"search {text!r} over the sorted list", cpu(lambda q=query: q.filter(base)),
                     cpu(lambda q=query: q.filter(base, index=index))))
    rows.append(("  (index build, once, in a background thread)", 0.0, build))

    inbox = lambda p: p.status == "inbox"  # noqa: E731
    query = parse_query("learn")
    preds = [inbox, *query.predicates]
    rows.append(("view + search (Inbox, 'learn'): generator all() vs filter(where=, index=)",
                 cpu(lambda: [p for p in base if all(pred(p) for pred in preds)]),
                 cpu(lambda: query.filter(base, index=index, where=inbox))))

    from readlist.cli.commands import write_records
    from readlist.cli.output import print_json

    sink = io.BytesIO()

    def old_json() -> None:
        stdout = sys.stdout
        sys.stdout = io.TextIOWrapper(io.BytesIO())
        try:
            print_json([p.public_dict() for p in papers])
        finally:
            sys.stdout = stdout

    def new_json() -> None:
        sink.seek(0)
        sink.truncate()
        write_records(papers, sink)

    rows.append(("list --json encoding (public_dict + one dump vs chunks)", cpu(old_json, 1), cpu(new_json, 1)))
    old_wall, old_rss = list_json_rss(path, "old")
    new_wall, new_rss = list_json_rss(path, "new")
    rows.append(("list --json load+select+print, wall ms (subprocess)", old_wall, new_wall))
    rows.append(("list --json peak RSS MB (subprocess)", old_rss, new_rss))

    print(f"{args.n:,} papers ({path.stat().st_size / 1e6:.0f} MB); CPU ms, median of 3 unless noted")
    print("| change | before | after |")
    print("|---|---:|---:|")
    for label, before, after in rows:
        print(f"| {label} | {before:.1f} | {after:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
