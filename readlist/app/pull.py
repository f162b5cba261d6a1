"""Pulling new papers from Hugging Face Daily Papers and arXiv, as import batches.

A pull yields the same thing an import of a file does, a :class:`ParseResult` per
source, so the import command applies its usual dedup, merge rules and report to
pulled papers. Nothing here touches the library: each batch is handed to the caller's ``arrived`` as it
comes (so that an interrupted pull keeps the days it had), and what to remember about a successful pull
(the day it covered, per source) is returned for the caller to store.

* ``pull hf`` for one day or a range of days: one batch per day.
* ``pull arxiv CAT... --days N``: the newest submissions in those categories, one batch.
* ``pull`` alone: the sources named in the settings, each since its last successful pull.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from readlist.core.arxiv_taxonomy import category_problem
from readlist.importers.base import ParseResult
from readlist.net.errors import NetworkError
from readlist.net.settings import NetworkSettings, PullSource
from readlist.storage.atomic import atomic_write_bytes, load_small_json
from readlist.storage.paths import pulls_path

if TYPE_CHECKING:
    from readlist.net.arxiv_api import ArxivClient
    from readlist.net.hf_api import HfClient

# One pull covers at most this many days: a month of Daily Papers is 31 requests at least.
MAX_DAYS = 31
# ``pull`` with no memory of an earlier pull looks this far back.
FIRST_PULL_DAYS = 1

Progress = Callable[[str, int, int], None]
Cancelled = Callable[[], bool]
# Told of each batch fetched, as it comes: the caller stores it then.
Arrived = Callable[["PullBatch"], None]


class PullError(ValueError):
    """A pull that cannot be started as asked (a bad date range, an unknown category)."""


@dataclass
class PullBatch:
    """One import unit: ``source`` is the label papers get in ``sources`` (``hf:2024-08-01``, ``arxiv:cs.CL``).

    ``error`` is the one-line failure when this batch could not be fetched (``result`` is then None).
    """

    source: str
    result: ParseResult | None
    error: str | None = None

    @property
    def papers(self) -> int:
        return len(self.result.papers) if self.result is not None else 0


@dataclass
class PullOutcome:
    batches: list[PullBatch] = field(default_factory=list)
    # Source key -> ISO day to remember as its last successful pull; only sources that fully succeeded.
    remember: dict[str, str] = field(default_factory=dict)
    cancelled: bool = False
    # What the pull left out and how to get it (days a long-idle source missed).
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[PullBatch]:
        return [b for b in self.batches if b.error is not None]

    def to_json(self) -> dict[str, Any]:
        return {
            "batches": [
                {"source": b.source, "papers": b.papers, "error": b.error,
                 "skipped": [list(s) for s in (b.result.skipped if b.result else [])]}
                for b in self.batches
            ],
            "remember": dict(self.remember),
            "cancelled": self.cancelled,
            "notes": list(self.notes),
        }


def day_range(*, today: date, on: date | None = None, since: date | None = None) -> list[date]:
    """The days a Hugging Face pull covers: one day, or ``since`` through today; today when neither is given."""
    if on is not None and since is not None:
        raise PullError("give either a date or a start date (--date or --since), not both")
    if on is not None:
        if on > today:
            raise PullError(f"{on.isoformat()} is in the future; there are no Daily Papers for it yet")
        return [on]
    start = since or today
    if start > today:
        raise PullError(f"{start.isoformat()} is in the future; nothing to pull")
    count = (today - start).days + 1
    if count > MAX_DAYS:
        raise PullError(
            f"{start.isoformat()} is {count} days ago; pull at most {MAX_DAYS} days at a time "
            f"(e.g. --since {(today - timedelta(days=MAX_DAYS - 1)).isoformat()})"
        )
    return [start + timedelta(days=n) for n in range(count)]


def pull_hf(
    client: HfClient,
    days: Sequence[date],
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    arrived: Arrived | None = None,
) -> PullOutcome:
    """One batch per day; a failing day stops the pull (the next would most likely fail the same way)."""
    outcome = PullOutcome()
    completed = True
    for done, day in enumerate(days):
        if cancelled is not None and cancelled():
            outcome.cancelled = True
            completed = False
            break
        if progress is not None:
            progress(f"Hugging Face {day.isoformat()}", done, len(days))
        try:
            result = client.daily_papers(day, cancelled=cancelled)
        except NetworkError as exc:
            outcome.batches.append(PullBatch(f"hf:{day.isoformat()}", None, str(exc)))
            completed = False
            break
        _arrived(outcome, PullBatch(f"hf:{day.isoformat()}", result), arrived)
    if progress is not None:
        progress("Hugging Face", len(outcome.batches), len(days))
    if completed and days and not outcome.cancelled:
        outcome.remember["hf"] = max(days).isoformat()
    return outcome


def pull_arxiv(
    client: ArxivClient,
    categories: Sequence[str],
    *,
    days: int,
    today: date,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    arrived: Arrived | None = None,
) -> PullOutcome:
    """The newest submissions in ``categories`` over the last ``days`` days (today included), one batch."""
    if not categories:
        raise PullError("no arXiv category given (e.g. cs.CL, hep-th, math.AG)")
    # Checked here, not by the API: it answers a mistyped category with an empty list, "no new papers".
    problem = next(filter(None, map(category_problem, categories)), None)
    if problem is not None:
        raise PullError(problem)
    if not 1 <= days <= MAX_DAYS:
        raise PullError(f"--days must be between 1 and {MAX_DAYS}, not {days}")
    since = today - timedelta(days=days - 1)
    label = "arxiv:" + ",".join(categories)
    outcome = PullOutcome()

    def report(done: int, total: int) -> None:
        if progress is not None:
            progress("arXiv " + " ".join(categories), done, total)

    try:
        listing = client.newest(categories, since=since, progress=report, cancelled=cancelled)
    except NetworkError as exc:
        outcome.batches.append(PullBatch(label, None, str(exc)))
        return outcome
    result = ParseResult(format="arxiv-api", papers=listing.papers)
    if listing.truncated and not (cancelled is not None and cancelled()):
        result.skipped.append(("(older papers)", "arXiv answers at most 2000 papers per query; narrow the days"))
    _arrived(outcome, PullBatch(label, result), arrived)
    if cancelled is not None and cancelled():
        outcome.cancelled = True
    else:
        for category in categories:
            outcome.remember[f"arxiv:{category}"] = today.isoformat()
    return outcome


def nothing_asked_can_be_pulled(settings: NetworkSettings) -> str | None:
    """Why a pull of the configured sources cannot pull anything asked for, or None.

    When every source config.toml's ``pull_sources`` names was refused (each said in a warning), pulling none with
    success would let a daily job, or the app's "Pull configured sources", believe it pulls every day.
    """
    if settings.pull_sources or not settings.pull_sources_left_out:
        return None
    return (f"nothing that was asked for can be pulled: every source in config.toml's pull_sources was left out "
            f"({', '.join(map(repr, settings.pull_sources_left_out))}); give sources such as \"hf\" or "
            "\"arxiv:cs.CL\"")


def pull_configured(
    sources: Sequence[PullSource],
    last_pulled: Mapping[str, str],
    *,
    today: date,
    hf: HfClient | None,
    arxiv: ArxivClient | None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    arrived: Arrived | None = None,
) -> PullOutcome:
    """``pull`` with no arguments: every configured source since its last successful pull.

    The last pulled day is pulled again (a day's list keeps growing while it lasts; dedup
    makes the repeat harmless); a source never pulled starts ``FIRST_PULL_DAYS`` back, and a
    long-idle one at most ``MAX_DAYS`` back.
    """
    outcome = PullOutcome()
    arxiv_groups: dict[date, list[str]] = {}
    for source in sources:
        since = _since(last_pulled.get(source.key), today)
        missed = _missed(last_pulled.get(source.key), since)
        if missed is not None:
            outcome.notes.append(
                f"{source.key}: last pulled on {missed.isoformat()}, more than {MAX_DAYS} days ago; this pull covers "
                f"{since.isoformat()} to {today.isoformat()}, and the days between are left out"
                + (" (`readlist pull hf --date DAY` pulls one)" if source.kind == "hf" else
                   " (arXiv's listing of new papers reaches no further back)"))
        if source.kind == "hf":
            if hf is None:
                continue
            part = pull_hf(hf, day_range(today=today, since=since), progress=progress, cancelled=cancelled,
                           arrived=arrived)
            _absorb(outcome, part)
        elif source.category:
            arxiv_groups.setdefault(since, []).append(source.category)
    for since, categories in sorted(arxiv_groups.items()):
        if arxiv is None or outcome.cancelled:
            break
        days = (today - since).days + 1
        part = pull_arxiv(arxiv, categories, days=days, today=today, progress=progress, cancelled=cancelled,
                          arrived=arrived)
        _absorb(outcome, part)
    return outcome


def _since(remembered: str | None, today: date) -> date:
    earliest = today - timedelta(days=MAX_DAYS - 1)
    if remembered:
        day = _day_or_none(remembered) or today  # a damaged state file: from today
    else:
        day = today - timedelta(days=FIRST_PULL_DAYS - 1)
    return min(max(day, earliest), today)


def _missed(remembered: str | None, since: date) -> date | None:
    """The day last pulled, when days after it fall before ``since`` (a source idle for longer than a pull
    reaches): they are left out, and that must be said, not pass for "nothing new"."""
    day = _day_or_none(remembered) if remembered else None
    return day if day is not None and day + timedelta(days=1) < since else None


def _day_or_none(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _arrived(outcome: PullOutcome, batch: PullBatch, arrived: Arrived | None) -> None:
    """A batch fetched: handed to the caller to store now, and listed in the outcome."""
    if arrived is not None:
        arrived(batch)
    outcome.batches.append(batch)


def _absorb(outcome: PullOutcome, part: PullOutcome) -> None:
    outcome.batches.extend(part.batches)
    outcome.remember.update(part.remember)
    outcome.cancelled = outcome.cancelled or part.cancelled


_STATE = msgspec.json.Decoder(dict[str, str])


def load_pull_state(library_path: Path) -> dict[str, str]:
    """Source key -> the last day it was pulled successfully (empty when never, or when unreadable)."""
    return load_small_json(pulls_path(library_path), 1 << 20, _STATE) or {}


def save_pull_state(library_path: Path, remember: Mapping[str, str]) -> None:
    """Remember successful pulls (merged into what is remembered already).

    A source keeps the later of its two days: pulling an old day (``pull hf --date 2024-08-01``) must not move
    back where the next ``readlist pull`` starts, which would then fetch a month of lists again.
    """
    if not remember:
        return
    state = load_pull_state(library_path)
    for key, day in remember.items():
        kept = _day_or_none(state.get(key, ""))
        if kept is None or day > kept.isoformat():
            state[key] = day
    atomic_write_bytes(pulls_path(library_path), msgspec.json.encode(dict(sorted(state.items()))))
