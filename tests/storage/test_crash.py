"""A quick version of bench/crash_test.py: kill -9 writers at random moments, lose nothing acknowledged."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from readlist.app.commands import Rate
from readlist.app.imports import ImportPapers

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "crash_test.py"


def _load() -> object:
    spec = importlib.util.spec_from_file_location("crash_test", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["crash_test"] = module
    spec.loader.exec_module(module)
    return module


def test_ten_kills_lose_no_acknowledged_change(capsys: pytest.CaptureFixture[str]) -> None:
    crash_test = _load()
    code = crash_test.main(["--runs", "10", "--jobs", "5", "--seed", "20251220", "--quiet"])  # type: ignore[attr-defined]
    out = capsys.readouterr().out
    assert "10/10 clean" in out, out
    assert code == 0


def test_checker_notices_a_lost_change(tmp_path: Path) -> None:
    """The checker itself must be able to fail: a change acknowledged but absent on disk is reported."""
    crash_test = _load()
    from readlist.core.model import Paper
    from readlist.storage.library import Library

    db = tmp_path / "library.json"
    ImportPapers([Paper.from_dict({"title": "Only paper"})], "t").execute(Library(db))
    pid = next(iter(Library(db).papers))
    baseline = {pid: {"status": "inbox", "rating": 0, "tags": [], "note": ""}}
    acked = {"kind": "note", "id": pid, "value": "was acknowledged"}
    problems = crash_test.check(db, baseline, [("INTENT", acked), ("ACK", acked)])  # type: ignore[attr-defined]
    assert problems and "note" in problems[0]
    in_flight = {"kind": "rate", "id": pid, "value": 4}
    Rate([pid], 4).execute(Library(db))
    assert crash_test.check(db, baseline, [("INTENT", in_flight)]) == []  # type: ignore[attr-defined]
