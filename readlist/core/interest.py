"""The interest score's vocabulary: which decisions teach it, how much each counts, and what it says back.

The score is learned on this machine from the user's own decisions. This module holds the parts that need no
numerical library, so the command line and the terminal UI can import it at start-up for free: turning
statuses and ratings into weighted labels, deciding when there are too few of them to learn from (a cold
start, where the order falls back to upvotes then date), and the small records the engine answers with
(``Reason`` for "why this score", ``Related`` for "papers like this one"). The learning itself lives in
``readlist.core.interest_model`` and ``readlist.core.related``, which import scikit-learn and are only loaded
off the UI thread or by a command that needs them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import attrgetter
from typing import Any, Literal

from readlist.core.model import Paper, Status

# Decisions that say "I want this": keeping, reading, having read.
KEEP_STATUSES = frozenset({Status.TO_READ.value, Status.READING.value, Status.READ.value})
SKIP_STATUSES = frozenset({Status.SKIPPED.value})

# The cold-start threshold. Measured (docs/interest.md, bench/rank_eval.py): trained on a single kept (or
# skipped) paper among 5 to 20 decisions, the model still ranks ahead of the upvote order in 81-91% of the
# cases (mean AUC 0.73-0.75 against 0.53-0.59, precision@10 0.49-0.56 against 0.20-0.23): "papers like the one
# you kept, unlike the ones you skipped" beats "most upvoted" for a narrow taste, whose first kept paper may
# come late. Below 10 decisions the inbox would reshuffle at almost every key, so that floor stays.
MIN_LABELS = 10
MIN_PER_CLASS = 1
# A decision from this many days ago counts half as much as one made now: taste drifts over months, not days.
# Measured: a reader whose taste changes is ranked better with it than without, a steady reader no worse.
HALF_LIFE_DAYS = 90.0
# Old decisions fade but never vanish: a paper kept two years ago still says something.
MIN_RECENCY = 0.2
# A rating is a stronger statement than a status change: "5 stars" outweighs "kept for later".
RATED_STRENGTH = 2.0
# A paper kept or read and then rated 3 is a lukewarm keep.
LUKEWARM_STRENGTH = 0.5

FALLBACK = "upvotes, then date"

ReasonKind = Literal["term", "author", "org", "tag", "category"]
Direction = Literal["up", "down"]


@dataclass(frozen=True, slots=True)
class Label:
    """One decision as a training example: which paper, keep or skip, and how much it counts now."""

    paper_id: str
    positive: bool
    weight: float


@dataclass(frozen=True, slots=True)
class ColdStart:
    """Too few decisions to learn from: the caller orders by upvotes then date and shows ``reason``."""

    labels: int
    positives: int
    negatives: int
    min_labels: int = MIN_LABELS
    min_per_class: int = MIN_PER_CLASS

    @property
    def to_go(self) -> str:
        """What is missing, ``7 more decisions, 1 more skipped paper``: all the detail pane needs to say."""
        missing: list[str] = []
        for short, what in (
            (self.min_labels - self.labels, "decision"),
            (self.min_per_class - self.positives, "kept paper"),
            (self.min_per_class - self.negatives, "skipped paper"),
        ):
            if short > 0:
                missing.append(f"{short} more {what}{'s' if short != 1 else ''}")
        return ", ".join(missing)

    @property
    def reason(self) -> str:
        return (
            f"interest needs {self.min_labels} decisions, {self.min_per_class} of them kept and "
            f"{self.min_per_class} skipped (have {self.positives} kept, {self.negatives} skipped: "
            f"{self.to_go} to go)"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": "fallback",
            "order": FALLBACK,
            "reason": self.reason,
            "labels": self.labels,
            "kept": self.positives,
            "skipped": self.negatives,
        }


@dataclass(frozen=True, slots=True)
class Reason:
    """One feature that moved a paper's score: ``weight`` is its share of the log-odds, signed."""

    kind: ReasonKind
    value: str
    weight: float

    @property
    def direction(self) -> Direction:
        return "up" if self.weight >= 0 else "down"

    @property
    def label(self) -> str:
        """``▲ term "diffusion"`` / ``▼ author Jane Doe``: one line for the detail pane."""
        arrow = "▲" if self.weight >= 0 else "▼"
        value = f"“{self.value}”" if self.kind == "term" else self.value
        return f"{arrow} {self.kind} {value}"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "value": self.value, "direction": self.direction, "weight": round(self.weight, 4)}


@dataclass(frozen=True, slots=True)
class Related:
    """A paper like another (or like a selection), with what they share."""

    paper_id: str
    score: float
    terms: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    organization: str | None = None

    @property
    def reason(self) -> str:
        """``authors: A. Smith · tags: rl · terms: diffusion, video`` — the strongest evidence first."""
        parts: list[str] = []
        if self.authors:
            parts.append("authors: " + ", ".join(self.authors))
        if self.organization:
            parts.append("organization: " + self.organization)
        if self.tags:
            parts.append("tags: " + ", ".join(self.tags))
        if self.terms:
            parts.append("terms: " + ", ".join(self.terms))
        if self.categories:
            parts.append("categories: " + ", ".join(self.categories))
        return " · ".join(parts) or "similar wording"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.paper_id,
            "score": round(self.score, 4),
            "reason": self.reason,
            "shared": {
                "terms": list(self.terms),
                "authors": list(self.authors),
                "tags": list(self.tags),
                "categories": list(self.categories),
                "organization": self.organization,
            },
        }


def label_of(paper: Paper) -> bool | None:
    """Keep (True), skip (False) or no decision (None): a rating overrides the status it was given with."""
    if paper.rating >= 4:
        return True
    if 1 <= paper.rating <= 2:
        return False
    if paper.status in KEEP_STATUSES:
        return True
    if paper.status in SKIP_STATUSES:
        return False
    return None


def decided_at(paper: Paper) -> datetime | None:
    """When the user made the decision: the read date for read papers, else the last change."""
    stamp = paper.read_at if paper.status == Status.READ.value and paper.read_at else paper.updated
    return parse_stamp(stamp)


def parse_stamp(stamp: str | None) -> datetime | None:
    if not stamp:
        return None
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def recency_weight(when: datetime | None, now: datetime, half_life_days: float = HALF_LIFE_DAYS) -> float:
    """1 for a decision made now, halving every ``half_life_days``, never below ``MIN_RECENCY``."""
    if when is None:
        return MIN_RECENCY
    age_days = max(0.0, (now - when).total_seconds() / 86400.0)
    return max(MIN_RECENCY, float(0.5 ** (age_days / half_life_days)))


def strength(paper: Paper) -> float:
    if paper.rating in (1, 2, 4, 5):
        return RATED_STRENGTH
    if paper.rating == 3:
        return LUKEWARM_STRENGTH
    return 1.0


def training_labels(
    papers: Iterable[Paper], now: datetime, *, half_life_days: float = HALF_LIFE_DAYS
) -> list[Label]:
    """Every decided paper as a weighted example; cheap enough to run on the UI thread at each decision."""
    labels: list[Label] = []
    for paper in papers:
        if paper.status == Status.INBOX.value and not paper.rating:
            continue  # the common case in a big inbox: no decision, skip the date parsing
        positive = label_of(paper)
        if positive is None:
            continue
        weight = recency_weight(decided_at(paper), now, half_life_days) * strength(paper)
        labels.append(Label(paper.id, positive, weight))
    return labels


def cold_start(
    labels: Sequence[Label], *, min_labels: int = MIN_LABELS, min_per_class: int = MIN_PER_CLASS
) -> ColdStart | None:
    """A ``ColdStart`` when the labels are too few to learn from, else None."""
    positives = sum(1 for label in labels if label.positive)
    negatives = len(labels) - positives
    # Whatever the caller asks, a classifier needs one example of each kind.
    min_per_class = max(min_per_class, 1)
    if len(labels) >= min_labels and positives >= min_per_class and negatives >= min_per_class:
        return None
    return ColdStart(len(labels), positives, negatives, min_labels, min_per_class)


def enough_decisions(
    papers: Iterable[Paper], *, min_labels: int = MIN_LABELS, min_per_class: int = MIN_PER_CLASS
) -> bool:
    """Whether ``cold_start(training_labels(papers, …))`` lets a model be trained, without weighing every label.

    It stops at the first papers that are enough, so a command can ask it at every change: building every
    label of 100,000 papers (a date parsed for each decided one) takes a third of a second.
    """
    min_per_class = max(min_per_class, 1)
    positives = negatives = 0
    for paper in papers:
        if paper.status == Status.INBOX.value and not paper.rating:
            continue
        positive = label_of(paper)
        if positive is None:
            continue
        if positive:
            positives += 1
        else:
            negatives += 1
        if positives + negatives >= min_labels and positives >= min_per_class and negatives >= min_per_class:
            return True
    return False


def fallback_key(paper: Paper) -> tuple[int, str, str]:
    """The cold-start order's key, largest first; the fields it reads are in readlist.storage.journal.ORDER_FIELDS."""
    return (paper.upvotes if paper.upvotes is not None else -1, paper.published or "", paper.added or "")


def fallback_order(papers: Iterable[Paper]) -> list[Paper]:
    """The cold-start order: most upvoted first, then newest published, then most recently added.

    That is ``fallback_key`` largest first, papers with equal keys in the order they came in. It is sorted one field
    at a time, the least significant first, each pass stable and keyed by a list's own item lookup: no Python
    function runs per paper (100,000 papers: ~120 ms rather than ~200 ms), and papers that come in date-added
    order, as lists keep them, make the first pass a single run.
    """
    papers = list(papers)
    order = list(range(len(papers)))
    for keys in ([p.added or "" for p in papers], [p.published or "" for p in papers],
                 [-1 if p.upvotes is None else p.upvotes for p in papers]):
        order.sort(key=keys.__getitem__, reverse=True)
    return list(map(papers.__getitem__, order))


def flipped_fallback_order(papers: Iterable[Paper]) -> list[Paper]:
    """The cold-start order flipped (``list --sort -interest``): least upvoted first, then oldest, then first added.

    As every flipped order does (see ``readlist.core.query.SortOrder``), a paper without upvotes, a date or a time
    added comes after the papers that have one, not first: the fallback order merely reversed opened on the
    papers known least about (a page of undated papers without upvotes, in the seed library). Papers with equal
    keys keep the order they came in.
    """
    papers = list(papers)
    order = list(range(len(papers)))
    for keys in ([(not p.added, p.added or "") for p in papers], [(not p.published, p.published or "") for p in papers],
                 [(p.upvotes is None, p.upvotes or 0) for p in papers]):
        order.sort(key=keys.__getitem__)
    return list(map(papers.__getitem__, order))


def interest_order(papers: Iterable[Paper], scores: Mapping[str, float]) -> list[Paper]:
    """Highest interest first; papers the model has not scored yet go last, in the fallback order.

    That is the key ``(scored, score, *fallback_key)`` largest first, papers with equal keys in the order they
    came in, worked out as the app's lists do it (a list that ranks the same papers for one set of scores after
    another keeps them in the fallback order and calls ``rank_fallback_ordered`` itself).
    """
    return rank_fallback_ordered(fallback_order(papers), scores)


def rank_fallback_ordered(papers: Sequence[Paper], scores: Mapping[str, float],
                          ids: Sequence[str] | None = None) -> list[Paper]:
    """``interest_order(papers, scores)`` for papers already in ``fallback_order``.

    Papers of equal score (and the unscored ones) go in the fallback order, keeping the order they came in among
    equal fallback keys: papers that already come in that order keep it through a stable sort on the score alone,
    keyed by a list's own item lookup (100,000 papers: 50-90 ms, where a sort keyed by the whole tuple took
    150-190 ms). ``ids``: the papers' ids in the same order, kept by a caller that ranks the same papers for one
    set of scores after another. The scores are the model's probabilities (never NaN, which no order would hold).
    """
    found = list(map(scores.get, ids if ids is not None else map(attrgetter("id"), papers)))
    lowest_first = [0.0 if score is None else -score for score in found]
    ranked = sorted([i for i, score in enumerate(found) if score is not None], key=lowest_first.__getitem__)
    if len(ranked) < len(found):
        ranked += [i for i, score in enumerate(found) if score is None]
    return list(map(papers.__getitem__, ranked))


@dataclass(frozen=True, slots=True)
class Ranking:
    """What ``list --sort interest`` prints: the order, each paper's score, and how it was reached."""

    papers: list[Paper]
    scores: Mapping[str, float] = field(default_factory=dict)
    cold: ColdStart | None = None

    @property
    def method(self) -> str:
        return "fallback" if self.cold else "interest"

    @property
    def reason(self) -> str | None:
        return self.cold.reason if self.cold else None


def utcnow() -> datetime:
    return datetime.now(UTC)
