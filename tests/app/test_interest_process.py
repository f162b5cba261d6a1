"""The interest model in a child process: the same answers as in the app's own thread, kept up to date
through the journal, and a child that dies or is closed never leaves the app broken or a process behind.

Waits are bounded by generous timeouts; nothing here depends on how fast the machine is.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from readlist.app.commands import SetStatus
from readlist.app.interest import InterestSnapshot, compute
from readlist.app.interest_process import InterestProcess, RemoteInterest
from readlist.app.remembered_interest import RememberedInterest, recall_scores
from readlist.storage.library import Library
from readlist.storage.paths import interest_scores_path, journal_path, vectors_path

NOW = datetime(2025, 12, 20, tzinfo=UTC)
WAIT = 120.0  # a bound on every wait; a passing test never comes near it
# The solver shuffles its data, so two trainings on the same decisions (in one process or two) agree to about
# 1e-5: scores and weights are compared to this, the vectors (related papers) exactly.
CLOSE = 1e-4
CHILD_MODULE = b"readlist.app.interest_process"


def decide(path: Path, keep_word: str, skip_words: tuple[str, ...], count: int) -> tuple[list[str], list[str]]:
    """Keep papers about ``keep_word`` and skip papers about ``skip_words``, as commands do (into the journal)."""
    lib = Library(path)
    papers = sorted((p for p in lib.papers.values() if p.status == "inbox"), key=lambda p: p.id)
    text = {p.id: (p.title + " " + p.abstract).lower() for p in papers}
    keep = [p.id for p in papers if keep_word in text[p.id]][:count]
    skip = [p.id for p in papers if p.id not in keep and any(w in text[p.id] for w in skip_words)][:count]
    assert len(keep) == count and len(skip) == count
    SetStatus(keep, "to-read").execute(lib)
    SetStatus(skip, "skipped").execute(lib)
    return keep, skip


@pytest.fixture
def decided(seed_library: Path) -> Path:
    decide(seed_library, "reasoning", ("image", "video", "3d"), 12)
    return seed_library


def in_process(path: Path, generation: int = 1) -> InterestSnapshot:
    """What the app's thread would compute over the library as it is on disk now."""
    return compute(None, list(Library(path).papers.values()), NOW, generation)


def interest_children() -> list[tuple[int, str]]:
    """Children of this process running the interest module, alive or not yet reaped: (pid, state)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == os.getpid() and CHILD_MODULE in cmdline:
            found.append((int(entry.name), fields[0]))
    return found


class Recorder:
    def __init__(self) -> None:
        self.ready: list[int] = []
        self.errors: list[BaseException] = []
        self.failed = threading.Event()

    def on_ready(self, snapshot: RemoteInterest) -> None:
        self.ready.append(snapshot.generation)

    def on_error(self, error: BaseException) -> None:
        self.errors.append(error)
        self.failed.set()


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def process(decided: Path, recorder: Recorder) -> Iterator[InterestProcess]:
    worker = InterestProcess(decided, recorder.on_ready, on_error=recorder.on_error, clock=lambda: NOW)
    yield worker
    worker.close(WAIT)
    assert interest_children() == []


def result(worker: InterestProcess) -> RemoteInterest:
    worker.submit()
    snapshot = worker.wait(WAIT)
    assert snapshot is not None and snapshot.generation == worker.generation
    return snapshot


def test_scores_explanations_and_related_papers_match_the_model_computed_in_process(
    decided: Path, process: InterestProcess, recorder: Recorder,
) -> None:
    remote = result(process)
    local = in_process(decided)
    assert remote.ready and local.ready and remote.reason is None
    assert remote.labels == 24
    assert remote.scores.keys() == local.scores.keys() and len(remote.scores) > 100
    assert remote.scores == pytest.approx(dict(local.scores), abs=CLOSE)
    papers = Library(decided).papers
    inbox = [p for p in papers.values() if p.status == "inbox"]
    for paper in inbox[:5]:
        assert remote.score_of(paper.id) == pytest.approx(local.score_of(paper.id), abs=CLOSE)
        mine = {(r.kind, r.value): r.weight for r in remote.explain(paper, 5)}
        theirs = {(r.kind, r.value): r.weight for r in local.explain(paper, 5)}
        common = mine.keys() & theirs.keys()
        assert len(mine) == 5 and len(common) >= 4  # the fifth may swap with a near tie
        assert {key: mine[key] for key in common} == pytest.approx({key: theirs[key] for key in common}, abs=CLOSE)
        near, far = remote.related(paper.id, 5), local.related(paper.id, 5)
        assert len(near) == 5 and [r.paper_id for r in near] == [r.paper_id for r in far]
        assert [r.terms for r in near] == [r.terms for r in far]
    ids = [inbox[0].id, inbox[1].id]
    assert [r.paper_id for r in remote.more_like(ids, 5)] == [r.paper_id for r in local.more_like(ids, 5)]
    assert remote.related("no-such-paper", 5) == []
    assert recorder.ready == [1] and recorder.errors == []


def test_a_change_made_after_the_first_result_is_in_the_next_one(
    decided: Path, process: InterestProcess, recorder: Recorder,
) -> None:
    first = result(process)
    assert first.labels == 24
    decide(decided, "language", ("robot",), 4)
    assert journal_path(decided).stat().st_size > 0  # the change is only in the journal, not yet folded in
    second = result(process)
    assert second.generation == 2 and second.labels == 32
    local = in_process(decided, 2)
    assert second.scores == pytest.approx(dict(local.scores), abs=CLOSE)
    assert second.scores != first.scores
    assert recorder.ready == [1, 2]


def kept_scores(path: Path, *, until: Callable[[RememberedInterest | None], bool]) -> RememberedInterest | None:
    """What the child kept for the next start, once ``until`` holds (it writes just after sending a result)."""
    deadline = time.monotonic() + WAIT
    while True:
        kept = recall_scores(path)
        if until(kept) or time.monotonic() > deadline:
            return kept
        time.sleep(0.02)


def test_each_result_is_kept_for_the_next_start_and_removed_without_a_model(
    decided: Path, process: InterestProcess,
) -> None:
    assert recall_scores(decided) is None
    first = result(process)
    kept = kept_scores(decided, until=lambda k: k is not None)
    assert kept is not None and kept.remembered and kept.scores.keys() == first.scores.keys()
    assert kept.scores == pytest.approx(dict(first.scores), abs=1e-6)
    # Undo every decision: too few for a model, so the next start must not rank by the old scores.
    lib = Library(decided)
    SetStatus([p.id for p in lib.papers.values() if p.status != "inbox"], "inbox").execute(lib)
    cold = result(process)
    assert not cold.ready
    assert kept_scores(decided, until=lambda k: k is None) is None
    assert not interest_scores_path(decided).exists()


def test_the_child_keeps_the_vectors_and_a_new_child_answers_alike_from_them(
    decided: Path, process: InterestProcess, recorder: Recorder,
) -> None:
    first = result(process)
    deadline = time.monotonic() + WAIT
    while not vectors_path(decided).is_file() and time.monotonic() < deadline:
        time.sleep(0.02)  # written just after the result is sent
    assert vectors_path(decided).is_file()
    process.close(WAIT)
    # A later start reads the rows back: the same scores, explanations and related papers.
    again = InterestProcess(decided, recorder.on_ready, on_error=recorder.on_error, clock=lambda: NOW)
    try:
        second = result(again)
        assert second.scores == pytest.approx(dict(first.scores), abs=CLOSE)
        local = in_process(decided)
        paper = next(p for p in Library(decided).papers.values() if p.status == "inbox")
        assert [r.paper_id for r in second.related(paper.id, 5)] == [r.paper_id for r in local.related(paper.id, 5)]
        assert {r.value for r in second.explain(paper, 5)} & {r.value for r in local.explain(paper, 5)}
    finally:
        again.close(WAIT)
    assert recorder.errors == []


def test_only_the_newest_of_several_requests_is_published(process: InterestProcess, recorder: Recorder) -> None:
    generations = [process.submit() for _ in range(4)]
    assert generations == [1, 2, 3, 4]
    snapshot = process.wait(WAIT)
    assert snapshot is not None and snapshot.generation == 4 and process.snapshot is snapshot
    assert recorder.ready[-1] == 4 and recorder.ready == sorted(recorder.ready)
    assert process.is_current(4) and not process.is_current(3)


def test_a_killed_child_is_reported_in_one_line_and_the_next_request_starts_another(
    decided: Path, process: InterestProcess, recorder: Recorder,
) -> None:
    first = result(process)
    paper_id = next(iter(first.scores))
    assert first.related(paper_id, 3)
    pid = process.pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    assert recorder.failed.wait(WAIT)
    [error] = recorder.errors
    assert "\n" not in str(error) and "SIGKILL" in str(error)
    assert process.pid is None and not Path(f"/proc/{pid}").exists()  # reaped: no zombie
    # The last result still ranks; questions that need the child are answered with nothing, not an error.
    assert process.snapshot is first and first.score_of(paper_id) is not None
    assert first.related(paper_id, 3) == [] and first.explain(Library(decided).papers[paper_id]) == []
    second = result(process)
    assert second.generation == 2 and second.scores == pytest.approx(dict(first.scores), abs=CLOSE)
    assert process.pid not in (None, pid)
    assert first.related(paper_id, 3)  # an older result's questions go to the new child
    assert process.error is None and len(recorder.errors) == 1


def test_a_library_the_child_cannot_read_is_one_line_and_it_recovers(
    decided: Path, process: InterestProcess, recorder: Recorder,
) -> None:
    good = decided.read_bytes()
    decided.write_bytes(b"{ this is not a library")
    process.submit()
    assert process.wait(WAIT) is None
    assert recorder.failed.wait(WAIT)
    [error] = recorder.errors
    assert "\n" not in str(error) and str(decided) in str(error)
    decided.write_bytes(good)
    snapshot = result(process)
    assert snapshot.ready and process.error is None


def test_close_ends_the_child_and_refuses_new_work(decided: Path) -> None:
    worker = InterestProcess(decided, clock=lambda: NOW)
    result(worker)
    pid = worker.pid
    assert pid is not None
    assert [found for found, _state in interest_children()] == [pid]
    worker.close(WAIT)
    assert interest_children() == []
    with pytest.raises(RuntimeError):
        worker.submit()


def test_close_that_lands_while_the_child_starts_does_not_lock_up(
    decided: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """close() between starting a child and keeping it: the sender stops the child itself and ends, and its
    reader, which reports the end under the same lock, is not waited for while that lock is held."""
    worker = InterestProcess(decided, clock=lambda: NOW)
    start = worker._start

    def start_then_close() -> object:
        child = start()
        closer = threading.Thread(target=worker.close, args=(0,))
        closer.start()
        closer.join(WAIT)
        return child

    monkeypatch.setattr(worker, "_start", start_then_close)
    worker.submit()
    sender = worker._thread
    assert sender is not None
    sender.join(WAIT)
    assert not sender.is_alive(), "the sender thread locked up"
    assert worker.snapshot is None
    assert interest_children() == []


def test_close_while_the_child_is_starting_leaves_nothing_behind(decided: Path) -> None:
    worker = InterestProcess(decided, clock=lambda: NOW)
    worker.submit()
    worker.close(WAIT)
    assert interest_children() == []
    assert worker.snapshot is None  # a result that came after close is not published


def test_a_command_after_the_apps_result_takes_what_the_child_learned(
    decided: Path, process: InterestProcess, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The child keeps its scores and model with what they were learned from: a command a minute later on the same
    papers answers from them without training; once a decision is made, it trains."""
    import json
    from datetime import timedelta

    from click.testing import CliRunner

    from readlist.app import interest
    from readlist.app.kept_model import forget_model
    from readlist.cli import main
    from readlist.core import interest_model
    from readlist.storage.paths import interest_model_path

    first = result(process)
    deadline = time.monotonic() + WAIT
    while not (interest_model_path(decided).is_file() and vectors_path(decided).is_file()) \
            and time.monotonic() < deadline:
        time.sleep(0.02)  # written just after the result is sent
    process.close(WAIT)
    trained: list[int] = []
    real = interest_model.train
    monkeypatch.setattr(interest_model, "train", lambda *a, **k: trained.append(1) or real(*a, **k))
    monkeypatch.setattr(interest, "utcnow", lambda: NOW + timedelta(minutes=1))
    paper = next(p for p in Library(decided).papers.values() if p.status == "inbox")

    def show() -> dict[str, object]:
        shown = CliRunner().invoke(main, ["--db", str(decided), "show", paper.id, "--json"])
        assert shown.exit_code == 0, shown.output
        answer: dict[str, object] = json.loads(shown.stdout)["interest"]
        return answer

    def listed() -> dict[str, float]:
        out = CliRunner().invoke(main, ["--db", str(decided), "list", "--sort", "interest", "--json"])
        assert out.exit_code == 0, out.output
        return {r["id"]: r["interest"]["score"] for r in json.loads(out.stdout)}

    from_child = show()
    scores = listed()
    assert scores.keys() == first.scores.keys()
    assert max(abs(score - first.scores[paper_id]) for paper_id, score in scores.items()) <= 1e-4
    assert trained == [] and from_child["score"] == pytest.approx(first.scores[paper.id], abs=1e-4)
    forget_model(decided)
    again = show()  # trained again: the same answer, to the solver's agreement with itself
    assert trained == [1] and again["score"] == pytest.approx(from_child["score"], abs=1e-4)
    assert again["because"] and again["baseline"] == pytest.approx(from_child["baseline"], abs=1e-3)
    lib = Library(decided)
    SetStatus([paper.id], "skipped").execute(lib)
    assert show()["score"] != from_child["score"] and trained == [1, 1]
