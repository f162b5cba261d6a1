"""The interest order on real papers: simulated readers from bench/rank_eval.py, after 30 decisions.

The benchmark's full run averages 60 triage orders per reader and reports every checkpoint; this test replays
5 orders per reader at the 30-decision mark (a few seconds) so that a change which makes the ranking worse
fails here, not only in a table someone has to read. The same holds for a triage in the app's own order: the
papers a reader meets first must be the ones it wants.
"""

from __future__ import annotations

import importlib.util
import statistics
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
ORDERS = 5
DECISIONS = 30
# Readers whose decisions follow their taste exactly and who keep enough papers to show it by decision 30.
CLEAR = ("LLMs, but not benchmarks", "theory, statistics and finance, no LLMs",
         "software testing, not statistical testing")


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("rank_eval_for_tests", ROOT / "bench" / "rank_eval.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench_library() -> tuple[ModuleType, list[Any], Any]:
    """The benchmark module, its library (topics worked out) and the library's vectors."""
    bench = _bench()
    library = bench.load_library()
    bench.TOPIC_CACHE.update({p.id: bench.topics_of(p) for p in library})
    return bench, library, bench.PaperVectors.build(library)


@pytest.fixture(scope="module")
def results(bench_library: tuple[ModuleType, list[Any], Any]) -> dict[str, dict[str, float]]:
    bench, library, vectors = bench_library
    out: dict[str, dict[str, float]] = {}
    for reader in bench.READERS:
        points: list[dict[str, Any]] = [
            bench.evaluate_point(vectors, reader, bench.simulate(reader, library, seed),
                                 DECISIONS, bench.Settings())
            for seed in range(ORDERS)
        ]
        out[reader.name] = {
            f"{metric} {order}": statistics.fmean(p[metric][order] for p in points)
            for metric in ("auc", "p10") for order in ("interest", "date")
        }
    return out


def test_the_fixture_library_is_the_benchmark_library(results: dict[str, dict[str, float]]) -> None:
    assert len(results) == 8 and set(CLEAR) <= set(results)


def test_every_reader_is_ranked_ahead_of_date_order(results: dict[str, dict[str, float]]) -> None:
    for name, row in results.items():
        assert row["auc interest"] > row["auc date"], name
        assert row["p10 interest"] > row["p10 date"], name


def test_clear_tastes_reach_auc_0_8_after_30_decisions(results: dict[str, dict[str, float]]) -> None:
    for name in CLEAR:
        assert results[name]["auc interest"] >= 0.8, (name, results[name])


@pytest.fixture(scope="module")
def found(bench_library: tuple[ModuleType, list[Any], Any]) -> dict[str, dict[str, float]]:
    """Wanted papers met in the first 30 decisions of a triage, by the order the reader goes down the inbox."""
    bench, library, vectors = bench_library
    settings = bench.Settings()
    return {
        reader.name: {
            order_by: statistics.fmean(
                sum(bench.triage_found(reader, library, vectors, seed, order_by, DECISIONS, settings))
                for seed in range(3)
            )
            for order_by in ("app", "arrival", "date")
        }
        for reader in bench.READERS
    }


def test_triage_in_the_app_order_meets_more_wanted_papers_than_arrival_or_date_order(
    found: dict[str, dict[str, float]],
) -> None:
    assert len(found) == 8
    for name, met in found.items():
        assert met["app"] > met["arrival"], (name, met)
        assert met["app"] > met["date"], (name, met)
