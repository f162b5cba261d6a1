"""The background interest worker: newest request wins, stale results are dropped, failures do not stick.

Ordering is forced with events and joins, never with sleeps: each test decides exactly when the fake
computation may finish.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import msgspec
import pytest

from readlist.app.interest import (
    InterestSnapshot,
    InterestWorker,
    compute,
    quick_cold_start,
    rank,
    related_papers,
)
from readlist.core.model import Paper

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2025, 6, 1, tzinfo=UTC)
WAIT = 30.0  # a generous bound on joins and event waits; a passing test never waits this long


def paper(title: str, abstract: str, **fields: Any) -> Paper:
    fields.setdefault("added", "2025-01-01T00:00:00+00:00")
    return Paper.create(title=title, abstract=abstract, **fields)


def library(decided: int = 12) -> list[Paper]:
    """Agents papers kept, chemistry papers skipped, alternating; the first ``decided`` papers carry a decision."""
    papers = []
    for i in range(10):
        papers.append(paper(f"Agents that plan with tools, part {i}",
                            "Language agents plan, call tools and act in web environments.", upvotes=i))
        papers.append(paper(f"Catalysts for ammonia synthesis, part {i}",
                            "Chemistry of catalysts and reaction rates for ammonia.", upvotes=20 - i))
    stamp = (NOW - timedelta(days=1)).isoformat()
    return [
        msgspec.structs.replace(p, status="to-read" if i % 2 == 0 else "skipped", updated=stamp) if i < decided else p
        for i, p in enumerate(papers)
    ]


class Gate:
    """A fake computation that records calls and blocks chosen generations until released."""

    def __init__(self, block: set[int]) -> None:
        self.block = block
        self.calls: list[int] = []
        self.started = {g: threading.Event() for g in block}
        self.release = {g: threading.Event() for g in block}

    def __call__(
        self, previous: InterestSnapshot | None, papers: Sequence[Paper], now: datetime, generation: int
    ) -> InterestSnapshot:
        self.calls.append(generation)
        if generation in self.block:
            self.started[generation].set()
            assert self.release[generation].wait(WAIT)
        return InterestSnapshot(generation, cast(Any, None), None, None, {"x": float(generation)})


def test_stale_generations_are_dropped_and_the_newest_request_wins() -> None:
    gate = Gate(block={1})
    ready: list[int] = []
    worker = InterestWorker(lambda snap: ready.append(snap.generation), compute=gate, clock=lambda: NOW)
    try:
        assert worker.submit([]) == 1
        assert gate.started[1].wait(WAIT)  # generation 1 is being computed
        assert worker.submit([]) == 2
        assert worker.submit([]) == 3  # replaces 2 before the worker ever picks it up
        assert worker.snapshot is None
        gate.release[1].set()
        snap = worker.wait(WAIT)
        assert snap is not None and snap.generation == 3
        assert gate.calls == [1, 3]  # 2 was never computed
        assert ready == [3]  # 1 finished after 2 and 3 were asked for: never shown
        assert worker.dropped == 1
        assert worker.is_current(3) and not worker.is_current(1)
    finally:
        worker.close(WAIT)


def test_a_failure_keeps_the_previous_snapshot_and_the_next_request_recovers() -> None:
    errors: list[BaseException] = []
    fail = threading.Event()

    def flaky(previous: InterestSnapshot | None, papers: Sequence[Paper], now: datetime, gen: int) -> InterestSnapshot:
        if fail.is_set():
            raise ValueError("broken maths")
        return InterestSnapshot(gen, cast(Any, None), None, None)

    worker = InterestWorker(on_error=errors.append, compute=flaky)
    try:
        worker.submit([])
        first = worker.wait(WAIT)
        assert first is not None and first.generation == 1
        fail.set()
        worker.submit([])
        assert worker.wait(WAIT) is first
        assert isinstance(worker.error, ValueError) and [str(e) for e in errors] == ["broken maths"]
        fail.clear()
        worker.submit([])
        third = worker.wait(WAIT)
        assert third is not None and third.generation == 3 and worker.error is None
    finally:
        worker.close(WAIT)


def test_close_stops_the_thread_and_refuses_new_work() -> None:
    gate = Gate(block={1})
    worker = InterestWorker(compute=gate)
    worker.submit([])
    assert gate.started[1].wait(WAIT)
    gate.release[1].set()
    worker.close(WAIT)
    assert worker.snapshot is None  # finished after close: discarded
    with pytest.raises(RuntimeError):
        worker.submit([])


def test_the_real_computation_in_the_background() -> None:
    papers = library()
    worker = InterestWorker()
    try:
        worker.submit(papers)
        snap = worker.wait(WAIT)
        assert snap is not None and snap.ready
        inbox = [p for p in papers if p.status == "inbox"]
        order = snap.order(inbox).papers
        assert order[0].title.startswith("Agents")
        assert order[-1].title.startswith("Catalysts")
        because = snap.interest_json(inbox[0])
        assert 0.0 <= because["score"] <= 1.0 and because["because"]
        assert snap.related(papers[0].id, 3)[0].paper_id != papers[0].id
        assert len(snap.more_like([papers[0].id, papers[2].id], 2)) == 2
        assert set(snap.timings) == {"index", "train", "score"}

        # The next decision: the index is reused (no text changed), the model retrained.
        worker.submit([msgspec.structs.replace(p, status="skipped", updated=NOW.isoformat()) if p is inbox[0] else p
                       for p in papers])
        again = worker.wait(WAIT)
        assert again is not None and again.generation == 2
        assert again.vectors is snap.vectors
        assert again.scores != snap.scores
    finally:
        worker.close(WAIT)


def test_cold_start_falls_back_and_says_so() -> None:
    papers = library(decided=4)
    ranking, snap = rank(papers, NOW)
    assert not snap.ready and ranking.method == "fallback"
    assert ranking.reason is not None and "6 more decisions" in ranking.reason
    assert ranking.cold is not None and ranking.cold.to_dict()["order"] == "upvotes, then date"
    assert [p.upvotes for p in ranking.papers] == sorted((p.upvotes for p in papers), reverse=True)
    assert snap.interest_json(papers[0]) == {"score": None, "because": [], "baseline": None, "reason": ranking.reason}
    assert snap.explain(papers[0]) == []
    assert quick_cold_start(papers, NOW) is not None
    assert quick_cold_start(library(), NOW) is None
    # Related papers need no decisions at all.
    assert related_papers(papers, papers[0].id, 1)


def test_compute_updates_incrementally_from_a_previous_snapshot() -> None:
    papers = library()
    first = compute(None, papers, NOW, 1)
    added = [*papers, paper("Agents with memory", "Language agents remember tools and plans.")]
    second = compute(first, added, NOW, 2)
    assert second.vectors.unfitted_rows == 1
    assert second.vectors.terms == first.vectors.terms
    assert second.score_of(added[-1].id) is not None


def test_start_up_modules_do_not_import_the_numerical_libraries() -> None:
    code = (
        "import sys\n"
        "import readlist.cli, readlist.tui.app, readlist.app.interest, readlist.core.interest\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in {'sklearn', 'scipy', 'numpy'})\n"
        "print(heavy)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert result.stdout.strip() == "[]", result.stdout
