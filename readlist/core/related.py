"""Related papers: the papers in the library that read most like one paper, or like a selection of them.

Similarity is the cosine between TF-IDF rows (the words two abstracts share, weighted by how rare they are)
plus a fixed bonus for each shared author, organization, tag and category, because "same authors" and "I
tagged both rl" are things a reader recognises at once, where word overlap alone can miss them, plus a smaller
share of the cosine between the papers' topic coordinates (``PaperVectors.topics``), which ranks a paper on
the same subject in other words above one that merely repeats a common phrase. Each result carries what it
shares, so the interface can say why it is there. "More like the selection" uses the average of the selected
papers' rows (the centroid), which favours what the selection has in common.

This module imports SciPy through ``readlist.core.vectors``: import it lazily, never at start-up.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

import numpy as np
import scipy.sparse as sp

from readlist.core.interest import Related
from readlist.core.vectors import (
    FloatArray,
    PaperVectors,
    as_array,
    form_key,
    one_blas_thread,
    says_something,
    shown_form,
)

# Bonus per shared feature, on the scale of a cosine (0..1). Authors and tags are deliberate signals; a shared
# category is weak (a category holds thousands of papers), measured on bench/rank_eval.py.
SHARED_BONUS = {"author": 0.08, "org": 0.04, "tag": 0.08, "category": 0.02}
# Weight of the topic cosine next to the word cosine. Measured on bench/rank_eval.py (papers whose top 5 share
# their topic): 0.1 to 0.6 all help, 0.3 most; the words stay the main evidence.
TOPIC_SHARE = 0.3
SHOWN_TERMS = 3


def related(
    vectors: PaperVectors, paper_id: str, k: int = 5, *, exclude: Collection[str] = ()
) -> list[Related]:
    """The ``k`` papers most like ``paper_id`` (which must be indexed), best first; never the paper itself."""
    row = vectors.row[paper_id]
    return _nearest(vectors, [row], k, exclude)


def more_like(
    vectors: PaperVectors, paper_ids: Sequence[str], k: int = 5, *, exclude: Collection[str] = ()
) -> list[Related]:
    """The ``k`` papers most like the selection as a whole, best first; never one of the selected papers.

    Ids the index does not know are ignored; an empty selection gives no results.
    """
    rows = sorted({vectors.row[pid] for pid in paper_ids if pid in vectors.row})
    if not rows:
        return []
    return _nearest(vectors, rows, k, exclude)


def _nearest(vectors: PaperVectors, rows: list[int], k: int, exclude: Collection[str]) -> list[Related]:
    if k <= 0 or len(vectors) == 0:
        return []
    text_query = _centroid(vectors.text[rows])
    meta_query = sp.csr_matrix(vectors.meta[rows].mean(axis=0)) if vectors.meta.shape[1] else None
    scores = as_array(vectors.text @ text_query.T) if text_query.nnz else np.zeros(len(vectors))
    if meta_query is not None and meta_query.nnz:
        bonus = np.array([SHARED_BONUS[kind] for kind in vectors.meta_kinds], dtype=np.float64)
        scores = scores + as_array(vectors.meta @ sp.csr_matrix(meta_query.multiply(bonus)).T)
    if vectors.topics.shape[1]:
        with one_blas_thread():
            scores = scores + TOPIC_SHARE * _topic_cosines(vectors.unit_topics, rows)
    scores[rows] = -np.inf
    for pid in exclude:
        if pid in vectors.row:
            scores[vectors.row[pid]] = -np.inf
    candidates = np.flatnonzero(scores > 0)
    if candidates.size > k:
        top = candidates[np.argpartition(-scores[candidates], k - 1)[:k]]
    else:
        top = candidates
    # Ties break by library order so results never depend on the partition's internals.
    ordered = sorted(top.tolist(), key=lambda r: (-scores[r], r))
    return [_explain(vectors, text_query, meta_query, r, float(scores[r])) for r in ordered]


def _topic_cosines(unit: FloatArray, rows: list[int]) -> FloatArray:
    """Cosine of every paper's topic coordinates with the (normalized) mean of the ``rows``' coordinates."""
    query = unit[rows].mean(axis=0)
    length = float(np.linalg.norm(query))
    if length == 0:
        return np.zeros(len(unit))
    return np.asarray(unit @ (query / length), dtype=np.float64)


def _centroid(rows: sp.csr_matrix) -> sp.csr_matrix:
    mean = sp.csr_matrix(rows.mean(axis=0))
    norm = float(np.sqrt(mean.multiply(mean).sum()))
    return sp.csr_matrix(mean / norm) if norm > 0 else mean


def _distinct_terms(ranked: Iterable[str]) -> tuple[str, ...]:
    """The strongest shared terms, skipping a word already shown inside a phrase ("video" after "video clips") or
    in its other number ("llm" after "llms")."""
    shown: list[str] = []
    covered: set[str] = set()
    for term in ranked:
        if not says_something(term):
            continue
        words = {form_key(word) for word in term.split()}
        if words <= covered:
            continue
        shown.append(" ".join(shown_form(word) for word in term.split()))
        covered |= words
        if len(shown) == SHOWN_TERMS:
            break
    return tuple(shown)


def _explain(
    vectors: PaperVectors, text_query: sp.csr_matrix, meta_query: sp.csr_matrix | None, row: int, score: float
) -> Related:
    shared_text = sp.csr_matrix(vectors.text[row].multiply(text_query))
    order = np.argsort(-shared_text.data, kind="stable")
    terms = _distinct_terms(vectors.terms[int(shared_text.indices[i])] for i in order if shared_text.data[i] > 0)
    found: dict[str, list[str]] = {kind: [] for kind in SHARED_BONUS}
    if meta_query is not None:
        mine = set(vectors.meta[row].indices.tolist())
        weights: FloatArray = as_array(meta_query)
        for col in sorted(mine, key=lambda c: (-weights[c], c)):
            if weights[col] > 0:
                found[vectors.meta_kinds[col]].append(vectors.meta_names[col])
    return Related(
        paper_id=vectors.ids[row],
        score=score,
        terms=terms,
        authors=tuple(found["author"]),
        tags=tuple(found["tag"]),
        categories=tuple(found["category"]),
        organization=found["org"][0] if found["org"] else None,
    )
