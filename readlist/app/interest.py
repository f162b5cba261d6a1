"""Interest scores and related papers for the app: computed off the UI thread, read without waiting.

Importing scikit-learn takes about a second and vectorizing 10,000 papers a few more, so none of it may happen
at start-up or on a keystroke. This module is cheap to import; the numerical modules are imported inside
``compute``, which the ``InterestWorker`` runs on its own thread. What the UI reads is an
``InterestSnapshot``: an immutable result (vectors, model, scores) tagged with the generation of the request
that produced it. Every decision submits a new generation; a result computed for an older generation than
the latest submitted is dropped, so the UI never shows scores from before the user's last keystroke once
newer ones are on the way, and the worker skips straight to the newest request when several pile up.

The command line uses the same ``compute`` once, synchronously (``rank``, ``learn``), and keeps what it learned
beside the library, as the app's interest process does: the scores (:mod:`readlist.app.remembered_interest`), for
the app's next start and ``list --sort interest``, and the model (:mod:`readlist.app.kept_model`), for
``show --json``. A command that reads exactly the papers they were learned from, within the hour, takes them as
they are instead of training again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from readlist.app.kept_model import explain_kept, keep_model, recall_model
from readlist.app.remembered_interest import current_scores, remember_scores
from readlist.app.stored_vectors import VectorStore
from readlist.core.interest import (
    ColdStart,
    Ranking,
    Reason,
    Related,
    cold_start,
    enough_decisions,
    fallback_order,
    interest_order,
    training_labels,
    utcnow,
)
from readlist.core.model import Paper

if TYPE_CHECKING:
    from readlist.core.interest_model import InterestModel
    from readlist.core.vectors import PaperVectors


class InterestResult(Protocol):
    """What the terminal UI reads of a finished computation, made in a thread (``InterestSnapshot``) or in a
    child process (``readlist.app.interest_process.RemoteInterest``). ``explain``, ``related`` and
    ``more_like`` may take milliseconds or ask another process: call them off the UI thread."""

    @property
    def generation(self) -> int: ...

    @property
    def ready(self) -> bool: ...

    @property
    def reason(self) -> str | None: ...

    @property
    def to_go(self) -> str | None:
        """On a cold start, the decisions still missing, ``7 more decisions, 1 more skipped paper``."""
        ...

    @property
    def remembered(self) -> bool:
        """True for the last session's scores read back at start-up: no model behind them yet."""
        ...

    @property
    def scores(self) -> Mapping[str, float]: ...

    def score_of(self, paper_id: str) -> float | None: ...

    def explain(self, paper: Paper, k: int = 5) -> list[Reason]: ...

    def related(self, paper_id: str, k: int = 5) -> list[Related]: ...

    def more_like(self, paper_ids: Sequence[str], k: int = 5) -> list[Related]: ...


@dataclass(frozen=True)
class InterestSnapshot:
    """One finished computation: safe to read from any thread, never changed after it is made."""

    generation: int
    vectors: PaperVectors
    model: InterestModel | None
    cold: ColdStart | None
    scores: Mapping[str, float] = field(default_factory=dict)
    # Seconds spent: "index" (vectorizing), "train", "score".
    timings: Mapping[str, float] = field(default_factory=dict)
    # The model was read back as an earlier command or the app kept it (:mod:`readlist.app.kept_model`), not learned.
    recalled: bool = False

    @property
    def ready(self) -> bool:
        """True when there is a model (enough decisions); False means the fallback order applies."""
        return self.model is not None

    @property
    def reason(self) -> str | None:
        return self.cold.reason if self.cold else None

    @property
    def to_go(self) -> str | None:
        """On a cold start, the decisions still missing (see :attr:`ColdStart.to_go`)."""
        return self.cold.to_go if self.cold else None

    @property
    def remembered(self) -> bool:
        return False

    def score_of(self, paper_id: str) -> float | None:
        return self.scores.get(paper_id)

    def order(self, papers: Iterable[Paper]) -> Ranking:
        """Papers in interest order, or in the fallback order (with the reason) on a cold start."""
        papers = list(papers)
        if self.model is None:
            return Ranking(fallback_order(papers), {}, self.cold)
        return Ranking(interest_order(papers, self.scores), self.scores, None)

    def explain(self, paper: Paper, k: int = 5) -> list[Reason]:
        return self.model.explain(paper, k) if self.model is not None else []

    def related(self, paper_id: str, k: int = 5) -> list[Related]:
        """Papers like this one; empty when the paper is not in the index (yet)."""
        from readlist.core.related import related

        if paper_id not in self.vectors.row:
            return []
        return related(self.vectors, paper_id, k)

    def more_like(self, paper_ids: Sequence[str], k: int = 5) -> list[Related]:
        from readlist.core.related import more_like

        return more_like(self.vectors, paper_ids, k)

    def interest_json(self, paper: Paper, k: int = 5) -> dict[str, Any]:
        """What ``show --json`` prints under ``interest``."""
        if self.model is None:
            return cold_interest_json(self.reason)
        score = self.scores.get(paper.id)
        if score is None:
            score = self.model.score([paper])[paper.id]
        return _interest_json(score, self.explain(paper, k), self.model.intercept)


def _interest_json(score: float, because: Sequence[Reason], baseline: float) -> dict[str, Any]:
    """The same keys whether or not there is a model (see :func:`cold_interest_json`): a script reads
    ``interest.score`` from ``show`` and from ``list --sort interest`` alike."""
    return {
        "score": round(score, 4),
        "because": [r.to_dict() for r in because],
        # The log-odds every paper starts from; with every feature's weight it adds up to the score.
        "baseline": round(baseline, 4),
        "reason": None,
    }


def cold_interest_json(reason: str | None) -> dict[str, Any]:
    """``interest`` with no model yet: no score, and why (too few decisions)."""
    return {"score": None, "because": [], "baseline": None, "reason": reason}


@dataclass(frozen=True)
class ColdInterest:
    """A command's answer when there are too few decisions for a model: the fallback order and what is missing.

    No model means nothing to vectorize for: a cold start's order is upvotes then date, and ``show --json`` says
    only what is missing. Vectorizing first took 7-19 s of such a command at 100,000 papers (depending on
    whether the kept vectors could be read) to print the same answer as this, which takes none of it.
    """

    cold: ColdStart

    @property
    def ready(self) -> bool:
        return False

    @property
    def reason(self) -> str:
        return self.cold.reason

    def order(self, papers: Iterable[Paper]) -> Ranking:
        return Ranking(fallback_order(list(papers)), {}, self.cold)

    def explain(self, paper: Paper, k: int = 5) -> list[Reason]:
        return []

    def interest_json(self, paper: Paper, k: int = 5) -> dict[str, Any]:
        """What ``show --json`` prints under ``interest`` on a cold start, as :meth:`InterestSnapshot.interest_json`."""
        return cold_interest_json(self.reason)


@dataclass(frozen=True)
class KeptInterest:
    """A command's answer from the scores kept by a training on the very same papers, within the hour
    (:func:`readlist.app.remembered_interest.current_scores`): the order and each paper's score, no model.

    That is all ``list --sort interest`` needs; training again would take seconds (importing scikit-learn, reading
    the kept vectors, fitting) to give the same order.
    """

    scores: Mapping[str, float]

    @property
    def ready(self) -> bool:
        return True

    @property
    def reason(self) -> str | None:
        return None

    def order(self, papers: Iterable[Paper]) -> Ranking:
        return Ranking(interest_order(papers, self.scores), self.scores, None)


class InterestUnavailable(RuntimeError):
    """The numerical libraries are missing: the message says how to install them."""


Compute = Callable[["InterestSnapshot | None", Sequence[Paper], datetime, int], InterestSnapshot]


def compute(
    previous: InterestSnapshot | None,
    papers: Sequence[Paper],
    now: datetime,
    generation: int,
    *,
    store: VectorStore | None = None,
) -> InterestSnapshot:
    """Vectorize (incrementally from ``previous``, else from the vectors kept in ``store``), train and score.

    Runs on the worker thread, in the app's interest process or in a command. Writing the vectors back to
    ``store`` is left to the caller, once the result has been delivered.
    """
    start = time.perf_counter()
    if previous is not None:
        vectors = previous.vectors.updated(papers)
    else:
        vectors = _vectors_for(papers, store)
    return _learn(vectors, papers, now, generation, time.perf_counter() - start)


def _vectors_for(papers: Sequence[Paper], store: VectorStore | None) -> PaperVectors:
    """The papers' vectors: the ones kept in ``store`` brought up to date, else all of them built."""
    try:
        from readlist.core.vectors import PaperVectors

        return store.vectors_for(papers) if store is not None else PaperVectors.build(papers)
    except ImportError as exc:
        raise _unavailable(exc) from exc


def _unavailable(exc: ImportError) -> InterestUnavailable:
    return InterestUnavailable(
        f"interest ranking and related papers need scikit-learn ({exc.name} is missing): pip install scikit-learn"
    )


def _learn(vectors: PaperVectors, papers: Sequence[Paper], now: datetime, generation: int,
           index_seconds: float) -> InterestSnapshot:
    """Train on the decisions in ``papers`` over ``vectors`` and score every paper."""
    indexed = time.perf_counter()
    start = indexed - index_seconds
    labels = training_labels(papers, now)
    try:
        from readlist.core.interest_model import train

        model = train(vectors, labels)
    except ImportError as exc:
        raise _unavailable(exc) from exc
    trained = time.perf_counter()
    if isinstance(model, ColdStart):
        timings = {"index": indexed - start, "train": trained - indexed}
        return InterestSnapshot(generation, vectors, None, model, {}, timings)
    scores = model.score_all()
    done = time.perf_counter()
    timings = {"index": indexed - start, "train": trained - indexed, "score": done - trained}
    return InterestSnapshot(generation, vectors, model, None, scores, timings)


def rank(
    papers: Iterable[Paper], now: datetime | None = None, *, library: Path | None = None, read: str = ""
) -> tuple[Ranking, InterestSnapshot | ColdInterest | KeptInterest]:
    """The interest order for a command, computed in this thread from the vectors kept beside the library at
    ``library`` where they can be used; what was learned is kept there for the app and the next command.

    ``read`` is the library's ``read_state`` (the papers are all of its papers): scores kept from a training on
    exactly these papers within the hour are taken as they are (``KeptInterest``), nothing computed. With too
    few decisions for a model, the fallback order at once: nothing is vectorized (see ``ColdInterest``).
    """
    papers = list(papers)
    now = now or utcnow()
    cold = _cold(papers, now, library)
    if cold is not None:
        return cold.order(papers), cold
    if library is not None and read:
        kept = current_scores(library, read, now.timestamp())
        if kept is not None:
            answer = KeptInterest(kept)
            return answer.order(papers), answer
    snapshot = learn(papers, now, library=library, read=read)
    return snapshot.order(papers), snapshot


def learn(
    papers: Iterable[Paper], now: datetime | None = None, *, library: Path | None = None, read: str = ""
) -> InterestSnapshot | ColdInterest:
    """The model for a command (``show --json`` explains a paper with it), as ``rank``: the one kept beside
    ``library`` when it was learned from exactly these papers within the hour and on the same columns, else
    trained now and kept, with its scores, for the app and the next command."""
    papers = list(papers)
    now = now or utcnow()
    cold = _cold(papers, now, library)
    if cold is not None:
        return cold
    return _learn_warm(papers, now, library=library, read=read)


def _learn_warm(papers: list[Paper], now: datetime, *, library: Path | None, read: str) -> InterestSnapshot:
    """:func:`learn` once there are enough decisions for a model."""
    store = VectorStore(library) if library is not None else None
    start = time.perf_counter()
    vectors = _vectors_for(papers, store)
    if store is not None:
        store.keep(vectors, papers)  # when that saves the next command work: vectors built anew, say
    if library is not None and read:
        model = recall_model(library, vectors, read=read, now=now.timestamp())
        if model is not None:
            return InterestSnapshot(0, vectors, model, None, model.score_all(), recalled=True)
    snapshot = _learn(vectors, papers, now, 0, time.perf_counter() - start)
    if library is not None and read and snapshot.model is not None:
        keep_model(library, snapshot.model, read=read, trained=now.timestamp())
        remember_scores(library, snapshot.scores, read=read, trained=now.timestamp())
    return snapshot


def explained(
    papers: Iterable[Paper], paper: Paper, *, library: Path, read: str, k: int = 5,
) -> tuple[dict[str, Any], InterestSnapshot | ColdInterest | None]:
    """What ``show --json`` prints under ``interest`` for ``paper`` (one of ``papers``, the library's at ``library``,
    whose ``read_state`` is ``read``), and the answer computed for it: None when the kept model explained the paper
    from its kept row alone (:func:`~readlist.app.kept_model.explain_kept`), else as ``learn``."""
    papers = list(papers)
    now = utcnow()
    cold = _cold(papers, now, library)
    if cold is not None:
        return cold.interest_json(paper, k), cold
    if read:
        kept = explain_kept(library, paper, read=read, now=now.timestamp(), k=k)
        if kept is not None:
            return _interest_json(kept.score, kept.because, kept.baseline), None
    answer = _learn_warm(papers, now, library=library, read=read)
    return answer.interest_json(paper, k), answer


def _cold(papers: Sequence[Paper], now: datetime, library: Path | None) -> ColdInterest | None:
    """``ColdInterest`` when there are too few decisions for a model (scores and a model kept for the library at
    ``library`` then go: the decisions no longer support them), else None."""
    if enough_decisions(papers):
        return None
    cold = cold_start(training_labels(papers, now))
    if cold is None:  # never: enough_decisions asks the same question, it only stops sooner
        return None
    if library is not None:
        remember_scores(library, None)
    return ColdInterest(cold)


def related_papers(
    papers: Iterable[Paper], paper_ids: str | Sequence[str], k: int = 5, *, library: Path | None = None
) -> list[Related]:
    """Papers like ``paper_ids`` taken together (as the app's "more like" a selection) among ``papers``, for a
    command: only the index is made (from the vectors kept beside ``library``, as ``rank``), no model trained.
    Never one of ``paper_ids`` itself."""
    papers = list(papers)
    # scikit-learn is imported only where papers must be vectorized: not at all when the kept rows are current.
    try:
        from readlist.core.related import more_like, related
        from readlist.core.vectors import PaperVectors

        if library is None:
            vectors = PaperVectors.build(papers)
        else:
            store = VectorStore(library)
            vectors = store.vectors_for(papers)
            store.keep(vectors, papers)
    except ImportError as exc:
        raise InterestUnavailable(
            f"related papers need scikit-learn ({exc.name} is missing): pip install scikit-learn"
        ) from exc
    ids = [paper_ids] if isinstance(paper_ids, str) else list(dict.fromkeys(paper_ids))
    return related(vectors, ids[0], k) if len(ids) == 1 else more_like(vectors, ids, k)


def quick_cold_start(papers: Iterable[Paper], now: datetime | None = None) -> ColdStart | None:
    """Whether there are enough decisions, without importing anything heavy (for a status line at start-up)."""
    return cold_start(training_labels(papers, now or utcnow()))


ResultT = TypeVar("ResultT")
PendingT = TypeVar("PendingT")


class LatestWins(Generic[ResultT, PendingT]):
    """The bookkeeping of a background computation where the newest request wins, for both workers.

    Each request gets a generation; a background thread (``_run``, started by the first request) takes the
    newest pending one; an older result is never published. ``wait`` is for commands and tests.
    """

    def __init__(
        self,
        thread_name: str,
        on_ready: Callable[[ResultT], None] | None,
        on_error: Callable[[BaseException], None] | None,
    ) -> None:
        self._on_ready = on_ready
        self._on_error = on_error
        self._cond = threading.Condition()
        self._latest = 0
        self._pending: PendingT | None = None
        self._finished = 0  # the newest generation finished with (published, failed or dropped)
        self._snapshot: ResultT | None = None
        self._closed = False
        self._thread: threading.Thread | None = None
        self._thread_name = thread_name
        self.dropped = 0
        self.error: BaseException | None = None

    @property
    def snapshot(self) -> ResultT | None:
        """The newest current result, or None before the first one is ready."""
        with self._cond:
            return self._snapshot

    @property
    def generation(self) -> int:
        """The newest generation submitted."""
        with self._cond:
            return self._latest

    def is_current(self, generation: int) -> bool:
        with self._cond:
            return generation == self._latest

    def wait(self, timeout: float | None = None) -> ResultT | None:
        """Block until the newest submitted generation is finished (for commands and tests, not the UI)."""
        with self._cond:
            self._cond.wait_for(lambda: self._finished >= self._latest or self._closed, timeout)
            return self._snapshot

    def _request(self, pending: Callable[[int], PendingT]) -> int:
        """Queue ``pending(generation)`` in place of any request not started yet; returns the generation."""
        with self._cond:
            if self._closed:
                raise RuntimeError("the interest worker is closed")
            self._latest += 1
            self._pending = pending(self._latest)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._thread_name, daemon=True)
                self._thread.start()
            self._cond.notify_all()
            return self._latest

    def _next_pending(self) -> PendingT | None:
        """On the background thread: wait for the newest request and take it; None once closed."""
        with self._cond:
            self._cond.wait_for(lambda: self._pending is not None or self._closed)
            if self._closed:
                return None
            pending, self._pending = self._pending, None
            return pending

    def _publish(self, generation: int, result: ResultT, *, wanted: Callable[[], bool] = lambda: True) -> None:
        """Make ``result`` the snapshot if its request is still the newest (and ``wanted``), and tell ``on_ready``.

        ``wanted`` is checked under the lock with the rest; an older result is counted as dropped.
        """
        with self._cond:
            current = generation == self._latest and not self._closed and wanted()
            if current:
                self._snapshot = result
                self.error = None
            else:
                self.dropped += 1
            self._finished = max(self._finished, generation)
            self._cond.notify_all()
        if current and self._on_ready is not None:
            self._on_ready(result)

    def _fail(self, generation: int, error: BaseException) -> None:
        """The request ``generation`` failed: the previous snapshot stays; ``on_error`` is told."""
        with self._cond:
            self.error = error
            self._finished = max(self._finished, generation)
            self._cond.notify_all()
        if self._on_error is not None:
            self._on_error(error)

    def _run(self) -> None:
        raise NotImplementedError


class InterestWorker(LatestWins[InterestSnapshot, tuple[int, list[Paper], datetime]]):
    """Owns the background computation; the UI submits after each decision and reads ``snapshot``.

    ``on_ready`` is called on the worker thread with each snapshot that is still current (a Textual app passes
    a function that hands it to ``call_from_thread``). ``on_error`` likewise with an exception the computation
    raised; the previous snapshot stays in place.
    """

    def __init__(
        self,
        on_ready: Callable[[InterestSnapshot], None] | None = None,
        *,
        on_error: Callable[[BaseException], None] | None = None,
        compute: Compute = compute,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        super().__init__("readlist-interest", on_ready, on_error)
        self._compute = compute
        self._clock = clock
        # The newest computed result, current or not: the next computation updates its vectors incrementally.
        self._base: InterestSnapshot | None = None

    def submit(self, papers: Iterable[Paper]) -> int:
        """Ask for a recomputation over these papers; returns its generation. Never blocks on the work."""
        batch = list(papers)
        now = self._clock()
        return self._request(lambda generation: (generation, batch, now))

    def close(self, timeout: float | None = None) -> None:
        """Stop the worker; a computation under way finishes and is discarded."""
        with self._cond:
            self._closed = True
            self._pending = None
            self._cond.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _run(self) -> None:
        while (pending := self._next_pending()) is not None:
            generation, papers, now = pending
            previous = self._base  # written only by this thread
            try:
                result = self._compute(previous, papers, now, generation)
            except Exception as exc:  # the UI must keep working whatever the maths does
                self._fail(generation, exc)
                continue
            self._base = result
            self._publish(generation, result)
