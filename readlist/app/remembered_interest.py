"""The last interest scores, kept beside the library so the next start shows the Inbox in interest order at once.

The model is trained in a child process a moment after start-up (see :mod:`readlist.app.interest_process`):
three or four seconds on a large library. Without a memory of the last scores, the Inbox would open in date
order and be re-ranked under the reader's eyes when the scores arrive, at every start. So the child writes
each result's scores to ``library.json.interest``, and the next start orders the Inbox by them until the new
ones arrive; the new ones then move only the papers whose score changed since (decisions made elsewhere,
papers added by a command).

The file is derived data, like the first screen: never trusted over the library, checked like any input, and
harmless to delete. It holds a score per paper id and nothing else; ids the library does not have are never
shown, as the scores are only ever looked up for papers the library holds, and scores that cover less than
half of the library are not used at all (they belong to another library file). Without enough decisions for a
model the file is removed (by the app, and by a command that undoes decisions), so a start never ranks by
scores the decisions no longer support.

Commands that train the model (``list --sort interest``, ``show --json``) keep their scores here too, so a start
after decisions made only from the command line opens in the order they learned. Each file says what its scores
were learned from (``read``: the library's :attr:`~readlist.storage.library.Library.read_state`) and when: a
command that reads exactly the same papers within the hour takes the scores as they are instead of training
again (:func:`current_scores`). Any change by any process (a decision, an import, the file replaced) makes the
library's fingerprint another, and the next command trains.
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import msgspec

from readlist.app.kept_model import forget_model, learned_lately
from readlist.core.interest import Reason, Related
from readlist.core.model import Paper
from readlist.storage.atomic import atomic_write_bytes, load_small_json
from readlist.storage.paths import derived_size_limit, interest_scores_path

SCORES_FORMAT = 1
# About 32 bytes a paper: 100,000 papers make 3.2 MB. Anything far larger is not one of ours.
MAX_BYTES = 64 << 20


# A score is a probability; anything else (and JSON cannot hold NaN) means the file is not one of ours.
Score = Annotated[float, msgspec.Meta(ge=0.0, le=1.0)]


class KeptScores(msgspec.Struct, kw_only=True):
    format: int
    scores: dict[str, Score]
    # What they were learned from (``Library.read_state``; "" where not known: an older version's file) and when
    # (seconds since the epoch). An older version reading this file passes over both.
    read: str = ""
    trained: float = 0.0


_DECODER = msgspec.json.Decoder(KeptScores)


@dataclass(frozen=True)
class RememberedInterest:
    """The last session's scores, standing in for a computation until the new one arrives.

    It orders lists like a finished computation does, but has no model behind it: explanations and related
    papers come with the first new result (``remembered`` tells the screens to say so).
    """

    scores: Mapping[str, float]
    generation: int = 0
    ready: bool = True
    reason: str | None = None
    to_go: str | None = None
    remembered: bool = True

    def score_of(self, paper_id: str) -> float | None:
        return self.scores.get(paper_id)

    def explain(self, paper: Paper, k: int = 5) -> list[Reason]:
        return []

    def related(self, paper_id: str, k: int = 5) -> list[Related]:
        return []

    def more_like(self, paper_ids: Sequence[str], k: int = 5) -> list[Related]:
        return []


def about_library(remembered: RememberedInterest, paper_ids: Collection[str]) -> bool:
    """Whether the kept scores are this library's: they score at least half of its papers.

    A library file replaced by another (a backup restored, a copy from another machine) keeps the old file
    beside it; ranking by it would sort nearly every paper into the fallback order under a "★ interest" label.
    Half leaves room for papers imported since the scores were kept (a day's pull), which are scored with the
    next result.
    """
    if not paper_ids:
        return False
    scored = sum(1 for paper_id in paper_ids if paper_id in remembered.scores)
    return 2 * scored >= len(paper_ids)


def remember_scores(library: Path, scores: Mapping[str, float] | None, *, read: str = "",
                    trained: float = 0.0) -> None:
    """Keep ``scores`` for the next start; None (no model yet, or any more) removes what was kept (the kept model
    too, see :mod:`readlist.app.kept_model`).

    ``read`` is the library's ``read_state`` when the scores were learned from it, ``trained`` when (seconds since
    the epoch): with both, the next command reading the same papers may take them as they are. Only the next
    start's order and the next command's speed depend on the file, so one that cannot be written is let go.
    """
    path = interest_scores_path(library)
    with contextlib.suppress(OSError):
        if scores is None:
            path.unlink(missing_ok=True)
            forget_model(library)
            return
        # As they are, not rounded: a command takes them for what training again would give, and prints them to
        # four decimals and orders by them (rounded to six, 48 of 10,000 printed otherwise, 88 places moved).
        # JSON keeps a float exactly; reading 100,000 takes no longer than rounded ones (~0.1 s under load).
        kept = KeptScores(format=SCORES_FORMAT, scores=dict(scores), read=read, trained=trained)
        atomic_write_bytes(path, msgspec.json.encode(kept))


def _kept(library: Path) -> KeptScores | None:
    kept = load_small_json(interest_scores_path(library), derived_size_limit(library, MAX_BYTES), _DECODER)
    if kept is None or kept.format != SCORES_FORMAT or not kept.scores:
        return None
    return kept


def recall_scores(library: Path) -> RememberedInterest | None:
    """The scores kept for the library at ``library``; None when there are none that can be used."""
    kept = _kept(library)
    return None if kept is None else RememberedInterest(kept.scores)


def current_scores(library: Path, read: str, now: float) -> Mapping[str, float] | None:
    """The kept scores when they were learned from exactly the papers ``read`` describes, less than
    ``REUSE_SECONDS`` (:mod:`readlist.app.kept_model`) before ``now`` (seconds since the epoch): what training
    again would give. Else None."""
    kept = _kept(library)
    if kept is None or not learned_lately(kept.read, kept.trained, now, read):
        return None
    return kept.scores
