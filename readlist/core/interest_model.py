"""The interest score: a logistic regression over a paper's words and metadata, fitted to the user's decisions.

Logistic regression because its weights are the explanation: a paper's score is the logistic function of the
sum of (feature value x feature weight), so the features with the largest products are exactly what pushed it
up or down, with no approximation. It trains on a few thousand sparse rows in well under a second and is
robust with the few dozen examples a new user has. Classes are balanced (most users skip far more than they
keep, and that ratio should not decide the ranking); each decision counts by its recency and strength (see
``readlist.core.interest``).

Besides the words and metadata, the regression sees each paper's topic coordinates (``PaperVectors.topics``):
with three or four kept papers, "kept a paper about segmentation" then also says something about a paper on
video that shares no rare word with it. A topic coordinate is a fixed weighted sum of the paper's word
weights, so its learned weight is folded back into one weight per word before the model is stored: the model
stays one weight per feature, scores are unchanged by the folding (to rounding), and an explanation still
lists words, authors and tags whose shares add up exactly to the score.

A tag on a kept paper also becomes a kept example made of the tag's own words (``_tag_examples``): the inbox
has no tags yet, and the words are how a tag can say something about it.

This module imports NumPy and SciPy, and scikit-learn where a model is trained (a model kept from an earlier
training, :mod:`readlist.app.kept_model`, scores and explains without it): import it lazily, never at start-up.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from readlist.core.interest import MIN_LABELS, MIN_PER_CLASS, ColdStart, Label, Reason, ReasonKind, cold_start
from readlist.core.model import Paper
from readlist.core.vectors import (
    FloatArray,
    PaperVectors,
    as_array,
    form_key,
    one_blas_thread,
    says_something,
    shown_form,
)

# Inverse regularization strength. From 0.25 to 100 the measured ranking barely moves (bench/rank_eval.py); at 1
# scores crowd around 0.5 and explanations show tiny weights, at 4 they spread (0.11-0.91 on the demo library)
# without the overconfidence of larger values. Training takes well under 0.1 s of CPU at 10,000 papers.
DEFAULT_C = 4.0
# Scale of the topic coordinates next to the unit-length word row. A paper's topic coordinates have at most
# unit length, so at 1.5 the topics weigh a little more than the exact words. Measured on bench/rank_eval.py
# after 30 decisions: 1 and 1.5 rank alike, 1.5 fills the first ten slightly better; 2 and more start to blur
# tastes that exclude a neighbouring topic ("evaluation, but no surveys").
TOPIC_WEIGHT = 1.5
# Train on at most this many decisions, the most recent (highest-weighted) first: keeps retraining well under a
# second for libraries with tens of thousands of decisions, where the oldest count for little anyway.
MAX_LABELS = 5000


@dataclass(frozen=True)
class InterestModel:
    """A fitted score over one ``PaperVectors``; immutable, safe to read from any thread."""

    vectors: PaperVectors
    coef: FloatArray
    intercept: float
    labels: int
    positives: int
    negatives: int

    def decision(self, rows: sp.csr_matrix) -> FloatArray:
        return as_array(rows @ self.coef) + self.intercept

    def score_all(self) -> dict[str, float]:
        """Every indexed paper's score, 0 (would skip) to 1 (would keep)."""
        scores = sigmoid(self.decision(self.vectors.features))
        return dict(zip(self.vectors.ids, (float(s) for s in scores), strict=True))

    def score(self, papers: Sequence[Paper]) -> dict[str, float]:
        """Scores for these papers; papers the index has not seen (or has stale text for) are vectorized now."""
        if not papers:
            return {}
        scores = sigmoid(self.decision(self.vectors.vectorize(papers)))
        return {p.id: float(s) for p, s in zip(papers, scores, strict=True)}

    def explain(self, paper: Paper, k: int = 5) -> list[Reason]:
        """The ``k`` features with the largest effect on this paper's score, strongest first.

        Each weight is that feature's exact share of the score's log-odds, so the reasons add up (with the
        model's baseline) to the score itself. A word and its plural in the same paper ("llm" and "llms") are
        one reason, their shares summed, named by the form that weighs more: two lines for one word would say
        the same thing twice and push a different reason out of the few shown. A single letter or a Roman numeral
        is never named (see ``says_something``), and a possessive is named as its word.
        """
        return reasons(sp.csr_matrix(self.vectors.vectorize([paper])), self.coef, self.vectors.feature_name, k)


def reasons(row: sp.csr_matrix, coef: FloatArray, name_of: Callable[[int], tuple[str, str]], k: int) -> list[Reason]:
    """The ``k`` largest shares of one paper's features ``row`` (1 x columns) in a score with weights ``coef``,
    strongest first; ``name_of`` gives a column's (kind, name). See :meth:`InterestModel.explain`."""
    contributions = row.data * coef[row.indices]
    shares: dict[tuple[str, str], float] = {}
    names: dict[tuple[str, str], tuple[str, float]] = {}
    for column, weight in zip(row.indices.tolist(), contributions.tolist(), strict=True):
        if weight == 0.0:
            continue
        kind, name = name_of(int(column))
        if kind == "term" and not says_something(name):
            continue
        key = (kind, form_key(name) if kind == "term" else name)
        shares[key] = shares.get(key, 0.0) + weight
        if abs(weight) > names.get(key, ("", -1.0))[1]:
            names[key] = (name, abs(weight))
    # Strongest first; equal shares in the order the features come, so the same model explains alike.
    ranked = sorted(shares, key=lambda key: -abs(shares[key]))
    return [Reason(_reason_kind(key[0]), shown_form(names[key][0]) if key[0] == "term" else names[key][0],
                   shares[key])
            for key in ranked[: max(k, 0)] if shares[key] != 0.0]


def train(
    vectors: PaperVectors,
    labels: Sequence[Label],
    *,
    c: float = DEFAULT_C,
    topic_weight: float = TOPIC_WEIGHT,
    min_labels: int | None = None,
    min_per_class: int | None = None,
) -> InterestModel | ColdStart:
    """Fit the score to these labels, or say why there are too few (see ``readlist.core.interest``).

    ``min_labels`` and ``min_per_class`` override the cold-start thresholds (the benchmark measures below them);
    ``topic_weight`` 0 leaves the topic coordinates out (the benchmark compares).
    """
    from sklearn.linear_model import LogisticRegression

    known = [label for label in labels if label.paper_id in vectors.row]
    if len(known) > MAX_LABELS:
        known = sorted(known, key=lambda label: label.weight, reverse=True)[:MAX_LABELS]
    cold = cold_start(
        known,
        min_labels=MIN_LABELS if min_labels is None else min_labels,
        min_per_class=MIN_PER_CLASS if min_per_class is None else min_per_class,
    )
    if cold is not None:
        return cold
    rows = np.array([vectors.row[label.paper_id] for label in known], dtype=np.int64)
    y = np.array([1 if label.positive else 0 for label in known], dtype=np.int64)
    weights = np.array([label.weight for label in known], dtype=np.float64)
    features = vectors.features[rows]
    n_features = features.shape[1]
    topics = vectors.topics[rows]
    tag_text, tag_weights = _tag_examples(vectors, rows[y == 1], weights[y == 1])
    if tag_text.shape[0]:
        padding = sp.csr_matrix((tag_text.shape[0], n_features - tag_text.shape[1]), dtype=np.float64)
        features = sp.vstack([features, sp.hstack([tag_text, padding], format="csr")], format="csr")
        topics = np.vstack([topics, np.asarray(tag_text @ vectors.topic_axes.T, dtype=np.float64)])
        y = np.concatenate([y, np.ones(tag_text.shape[0], dtype=np.int64)])
        weights = np.concatenate([weights, tag_weights])
    if topic_weight > 0 and vectors.topics.shape[1]:
        features = sp.hstack([features, sp.csr_matrix(topics * topic_weight)], format="csr")
    # The dual problem: with far more words than decisions it solves ten times faster than the primal.
    # A fixed seed for the solver's visiting order: the same decisions give the same scores, run after run.
    model = LogisticRegression(
        C=c, class_weight="balanced", solver="liblinear", dual=True, max_iter=1000, random_state=0
    )
    model.fit(features, y, sample_weight=weights)
    learned = np.asarray(model.coef_, dtype=np.float64).ravel()
    coef = learned[:n_features].copy()
    if learned.size > n_features:
        # Fold the topic weights back onto the words: topics = text @ axes.T, so (topics * s) @ w equals
        # text @ (s * axes.T @ w), one extra weight per word.
        n_text = vectors.text.shape[1]
        with one_blas_thread():
            coef[:n_text] += topic_weight * (learned[n_features:] @ vectors.topic_axes)
    positives = sum(1 for label in known if label.positive)
    return InterestModel(
        vectors=vectors,
        coef=coef,
        intercept=float(np.asarray(model.intercept_).ravel()[0]),
        labels=len(known),
        positives=positives,
        negatives=len(known) - positives,
    )


def _tag_examples(
    vectors: PaperVectors, kept_rows: npt.NDArray[np.int64], kept_weights: FloatArray
) -> tuple[sp.csr_matrix, FloatArray]:
    """One more kept example per tag on a kept paper: the tag's own words (``PaperVectors.tag_words``), with
    that decision's weight; tags whose words no paper uses give none.

    A tag is the user saying in a word what a kept paper is about, and the papers in the inbox have no tags
    yet: without this, "agents" on three kept papers says nothing about an inbox paper on agents. Measured on
    bench/rank_eval.py after 30 decisions (readers tag 40% of what they keep with a topic's name): AUC +0.01
    to +0.03 for every reader that tags, precision@10 up to +0.12, none lower. Tags on skipped papers are left out: they
    may say why the paper was skipped as well as what it is about.
    """
    n_text = vectors.text.shape[1]
    tag_columns = np.flatnonzero(np.array([kind == "tag" for kind in vectors.meta_kinds], dtype=bool))
    if not len(tag_columns) or not len(kept_rows) or not n_text:
        return sp.csr_matrix((0, n_text), dtype=np.float64), np.zeros(0)
    tagged = sp.coo_matrix(vectors.meta[kept_rows][:, tag_columns])
    used = np.unique(tagged.col)
    words = vectors.tag_words(tag_columns[used])
    local = np.searchsorted(used, tagged.col)
    rows = sp.csr_matrix(words[local])
    weights = kept_weights[tagged.row]
    known = np.diff(rows.indptr) > 0
    return sp.csr_matrix(rows[known]), np.asarray(weights[known], dtype=np.float64)


def train_papers(
    vectors: PaperVectors, papers: Sequence[Paper], now: datetime, *, c: float = DEFAULT_C
) -> InterestModel | ColdStart:
    """``train`` on the decisions recorded in these papers."""
    from readlist.core.interest import training_labels

    return train(vectors, training_labels(papers, now), c=c)


def sigmoid(x: FloatArray) -> FloatArray:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(x, -50.0, 50.0))), dtype=np.float64)


_KINDS: dict[str, ReasonKind] = {"term": "term", "author": "author", "org": "org", "tag": "tag", "category": "category"}


def _reason_kind(kind: str) -> ReasonKind:
    return _KINDS[kind]
