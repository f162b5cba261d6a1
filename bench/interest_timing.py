#!/usr/bin/env python3
"""What the interest score and related papers cost at 1k / 10k / 100k papers.

Usage: ``bench/interest_timing.py [--sizes 10000] [--decisions 10] [--json FILE]``

Each size runs in a fresh process on a synthetic library from ``bench/generate.py`` (half the papers
decided, at random: a worst case for training, which converges slowest on labels with no pattern). Measured,
as the app does them:

* ``import``: importing scikit-learn and the engine (paid once, on the worker thread);
* ``build``: the first index (TF-IDF over every paper), once per session, in the background;
* ``decision``: after one status change, the whole background step the UI waits for: update the index,
  rebuild the labels, retrain, rescore every paper (median and worst of ``--decisions`` decisions), timed
  from ``InterestWorker.submit`` to the new snapshot;
* ``import 100``: the same step after 100 new papers arrive;
* ``related``: related papers for one paper (median and worst over 50 papers), on the calling thread;
* ``more like 5``: the "more like the selection" view for 5 selected papers;
* ``explain``: the reasons for one paper's score.

Times are wall-clock milliseconds. On a busy machine wall-clock times swing with the load, so the CPU time
of the build, a decision and related papers is printed too (and is in the JSON output): compare those.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generate import generate_papers  # noqa: E402

from readlist.core.model import Paper  # noqa: E402

NOW = datetime(2024, 6, 1, tzinfo=UTC)


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def measure(n: int, decisions: int) -> dict[str, Any]:
    papers = list(generate_papers(n))
    result: dict[str, Any] = {"papers": n}

    start = time.perf_counter()
    from readlist.app.interest import InterestWorker
    from readlist.core.interest_model import train  # noqa: F401  (the worker's first import)
    from readlist.core.related import more_like, related

    result["import_ms"] = _ms(time.perf_counter() - start)

    worker = InterestWorker(clock=lambda: NOW)
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        worker.submit(papers)
        snap = worker.wait()
        assert snap is not None and snap.ready, "the synthetic library has enough decisions"
        result["build_ms"] = _ms(time.perf_counter() - wall)
        result["build_cpu_ms"] = _ms(time.process_time() - cpu)
        result["build_parts_ms"] = {k: _ms(v) for k, v in snap.timings.items()}
        result["features"] = snap.vectors.features.shape[1]

        rng = random.Random(7)
        inbox = [i for i, p in enumerate(papers) if p.status == "inbox"]
        steps: list[float] = []
        cpu_steps: list[float] = []
        parts: list[dict[str, float]] = []
        for step in range(decisions):
            i = inbox[rng.randrange(len(inbox))]
            when = (NOW - timedelta(minutes=decisions - step)).isoformat()
            papers[i] = msgspec.structs.replace(papers[i], status=rng.choice(("to-read", "skipped")), updated=when)
            wall, cpu = time.perf_counter(), time.process_time()
            worker.submit(papers)
            snap = worker.wait()
            steps.append(time.perf_counter() - wall)
            cpu_steps.append(time.process_time() - cpu)
            assert snap is not None
            parts.append(dict(snap.timings))
        result["decision_ms"] = {"median": _ms(statistics.median(steps)), "max": _ms(max(steps))}
        result["decision_cpu_ms"] = {"median": _ms(statistics.median(cpu_steps)), "max": _ms(max(cpu_steps))}
        result["decision_parts_ms"] = {
            k: _ms(statistics.median(p[k] for p in parts)) for k in ("index", "train", "score")
        }

        fresh = list(generate_papers(n + 100, seed=2))[-100:]
        grown: list[Paper] = papers + [p for p in fresh if p.id not in {q.id for q in papers}]
        wall = time.perf_counter()
        worker.submit(grown)
        snap = worker.wait()
        result["import_100_ms"] = _ms(time.perf_counter() - wall)

        assert snap is not None
        ids = rng.sample(list(snap.vectors.ids), 50)
        times, cpu_times = [], []
        for pid in ids:
            wall, cpu = time.perf_counter(), time.process_time()
            related(snap.vectors, pid, 5)
            times.append(time.perf_counter() - wall)
            cpu_times.append(time.process_time() - cpu)
        result["related_ms"] = {"median": _ms(statistics.median(times)), "max": _ms(max(times))}
        result["related_cpu_ms"] = {"median": _ms(statistics.median(cpu_times)), "max": _ms(max(cpu_times))}
        times = []
        for k in range(10):
            wall = time.perf_counter()
            more_like(snap.vectors, ids[k * 5 : k * 5 + 5], 5)
            times.append(time.perf_counter() - wall)
        result["more_like_5_ms"] = {"median": _ms(statistics.median(times)), "max": _ms(max(times))}
        by_id = {p.id: p for p in grown}
        times = []
        for pid in ids[:20]:
            wall = time.perf_counter()
            snap.explain(by_id[pid], 5)
            times.append(time.perf_counter() - wall)
        result["explain_ms"] = {"median": _ms(statistics.median(times)), "max": _ms(max(times))}
    finally:
        worker.close()
    result["rss_peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return result


def table(rows: list[dict[str, Any]]) -> str:
    head = ("papers", "import sklearn", "first build", "after a decision (median / worst)", "after 100 new papers",
            "related (median / worst)", "more like 5", "explain", "peak RSS")
    lines = ["| " + " | ".join(head) + " |", "|" + "---:|" * len(head)]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['papers']:,} | error: {r['error']} |")
            continue
        lines.append(
            f"| {r['papers']:,} | {r['import_ms']:.0f} ms | {r['build_ms'] / 1000:.1f} s | "
            f"{r['decision_ms']['median']:.0f} / {r['decision_ms']['max']:.0f} ms | {r['import_100_ms']:.0f} ms | "
            f"{r['related_ms']['median']:.1f} / {r['related_ms']['max']:.1f} ms | "
            f"{r['more_like_5_ms']['median']:.1f} ms | {r['explain_ms']['median']:.1f} ms | {r['rss_peak_mb']} MB |"
        )
    lines += ["", "| papers | first build (CPU) | after a decision (CPU, median / worst) "
              "| related (CPU, median / worst) |", "|---:|---:|---:|---:|"]
    for r in rows:
        if "error" not in r:
            lines.append(
                f"| {r['papers']:,} | {r['build_cpu_ms'] / 1000:.1f} s | {r['decision_cpu_ms']['median']:.0f} / "
                f"{r['decision_cpu_ms']['max']:.0f} ms | {r['related_cpu_ms']['median']:.1f} / "
                f"{r['related_cpu_ms']['max']:.1f} ms |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="10000")
    parser.add_argument("--decisions", type=int, default=10)
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(measure(args.worker, args.decisions)))
        return 0
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        proc = subprocess.run(
            [sys.executable, __file__, "--worker", str(n), "--decisions", str(args.decisions)],
            capture_output=True, text=True, cwd=str(ROOT),
        )
        if proc.returncode != 0:
            rows.append({"papers": n, "error": (proc.stderr.strip().splitlines() or ["failed"])[-1]})
        else:
            rows.append(json.loads(proc.stdout))
    print(table(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0 if all("error" not in r for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
