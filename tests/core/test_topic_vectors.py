"""Topic coordinates: learned from the library, kept in step with the word rows, and used by related papers."""

from __future__ import annotations

import itertools
from typing import Any

import msgspec
import numpy as np
import pytest

from readlist.core.model import Paper, StoredText, store_abstract
from readlist.core.related import related
from readlist.core.vectors import PaperVectors, VectorConfig

# Two subjects, each with a pool of words that turn up together; every paper uses a few words of its pool.
VISION = ["image", "pixels", "segmentation", "camera", "video", "frames", "depth", "objects", "scene", "masks"]
FINANCE = ["stock", "portfolio", "volatility", "market", "prices", "trading", "returns", "assets", "risk", "hedging"]


def paper(title: str, abstract: str, **fields: Any) -> Paper:
    fields.setdefault("added", "2025-01-01T00:00:00+00:00")
    return Paper.create(title=title, abstract=abstract, **fields)


def themed(words: list[str], n: int, offset: int) -> list[Paper]:
    papers = []
    for i in range(n):
        chosen = [words[(i + j) % len(words)] for j in range(4)]
        papers.append(paper(f"{chosen[0]} {chosen[1]} study {offset + i}", f"We relate {' and '.join(chosen)}."))
    return papers


def library() -> list[Paper]:
    return themed(VISION, 24, 0) + themed(FINANCE, 24, 100)


def test_a_large_enough_library_gets_topic_axes_and_a_tiny_one_none() -> None:
    papers = library()
    vectors = PaperVectors.build(papers)
    count = VectorConfig().topic_count(len(papers), len(vectors.terms))
    assert count >= 2
    assert vectors.topic_axes.shape == (count, len(vectors.terms))
    assert vectors.topics.shape == (len(papers), count)
    # Orthonormal axes, and coordinates that are exactly the word rows projected on them.
    assert vectors.topic_axes @ vectors.topic_axes.T == pytest.approx(np.eye(count), abs=1e-8)
    assert vectors.topics == pytest.approx(np.asarray(vectors.text @ vectors.topic_axes.T), abs=1e-12)
    # The same library gives the same axes.
    assert PaperVectors.build(papers).topic_axes == pytest.approx(vectors.topic_axes, abs=1e-12)

    tiny = PaperVectors.build(papers[:10])
    assert tiny.topics.shape == (10, 0) and tiny.topic_axes.shape[0] == 0
    assert PaperVectors.build(papers, VectorConfig(max_topics=0)).topics.shape == (len(papers), 0)


def test_topics_separate_subjects_even_without_shared_words() -> None:
    vectors = PaperVectors.build(library())
    unit = vectors.unit_topics
    # Two vision papers that share no word still point the same way; a vision and a finance paper do not.
    first, far = vectors.row[library()[0].id], vectors.row[library()[5].id]
    vision_words = set(library()[0].abstract.split()) & set(library()[5].abstract.split()) & set(VISION)
    assert not vision_words
    finance = vectors.row[library()[30].id]
    assert float(unit[first] @ unit[far]) > float(unit[first] @ unit[finance]) + 0.3


def test_updates_keep_topic_rows_in_step_with_the_word_rows() -> None:
    papers = library()
    vectors = PaperVectors.build(papers)
    # A status change: nothing the vectors hold, the same object.
    moved = [msgspec.structs.replace(p, status="skipped") if i == 3 else p for i, p in enumerate(papers)]
    assert vectors.updated(moved) is vectors
    # A new paper, an edited abstract and a removed paper, in a new order.
    fresh = paper("depth masks for video frames", "Scene depth and object masks from camera video.")
    edited = msgspec.structs.replace(papers[40], abstract="Volatility of asset prices and hedging risk.")
    changed = [fresh, *reversed(papers[1:40]), edited, *papers[41:]]
    grown = vectors.updated(changed)
    assert grown.topic_axes is vectors.topic_axes
    assert grown.topics.shape == (len(changed), vectors.topics.shape[1])
    assert grown.topics == pytest.approx(np.asarray(grown.text @ grown.topic_axes.T), abs=1e-12)
    kept = papers[7].id
    assert grown.topics[grown.row[kept]] == pytest.approx(vectors.topics[vectors.row[kept]])
    assert papers[0].id not in grown.row


def test_related_papers_use_topics_for_papers_in_other_words() -> None:
    papers = library()
    lone = paper("pixels of scene video", "Camera frames with depth.")
    plain = PaperVectors.build([*papers, lone], VectorConfig(max_topics=0))
    topical = PaperVectors.build([*papers, lone])
    vision_ids = {p.id for p in papers[:24]}
    found_plain = [r.paper_id for r in related(plain, lone.id, k=10)]
    found_topical = [r.paper_id for r in related(topical, lone.id, k=10)]
    assert sum(pid in vision_ids for pid in found_topical) == 10
    assert sum(pid in vision_ids for pid in found_topical) >= sum(pid in vision_ids for pid in found_plain)
    scores = [r.score for r in related(topical, lone.id, k=10)]
    assert all(a >= b for a, b in itertools.pairwise(scores))


class CountingText(StoredText):
    """An abstract kept elsewhere (as the library keeps long ones in its file), counting how often it is read."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.loads = 0

    def load(self) -> str:
        self.loads += 1
        return self.text


def test_abstracts_kept_on_disk_are_read_once_to_vectorize_and_never_to_check_for_changes() -> None:
    plain = library()
    stored = [msgspec.structs.replace(p) for p in plain]
    texts = []
    for p in stored:
        texts.append(CountingText(p.abstract))
        store_abstract(p, texts[-1])
    vectors = PaperVectors.build(stored)
    assert [t.loads for t in texts] == [1] * len(texts)
    assert vectors.updated(stored) is vectors  # nothing changed: no abstract read again
    rated = [msgspec.structs.replace(p, rating=4) for p in stored]  # a decision: the same abstract objects
    assert vectors.updated(rated) is vectors
    assert [t.loads for t in texts] == [1] * len(texts)
    expected = PaperVectors.build(plain)
    assert vectors.terms == expected.terms
    assert np.allclose(vectors.text.toarray(), expected.text.toarray())


def test_a_tag_reads_as_the_words_of_its_name_in_either_number() -> None:
    papers = [
        Paper.create(title="Agents that plan", abstract="An agent plans. Agents act.", tags=["Agent", "misc"]),
        Paper.create(title="Language models", abstract="Models of language.", tags=["language models"]),
        Paper.create(title="Software-testing tools", abstract="Testing tools.", tags=["software testing"]),
    ]
    vectors = PaperVectors.build(papers)
    names = list(vectors.meta_names)
    # Tags are stored in lower case with hyphens for spaces; a hyphenated tag is one word, as in the text.
    columns = np.array([names.index(t) for t in ("agent", "language-models", "misc", "software-testing")])
    rows = vectors.tag_words(columns)
    words = [sorted(vectors.terms[c] for c in rows[i].indices) for i in range(rows.shape[0])]
    assert words == [["agent", "agents"], [], [], ["software-testing"]]
    for i in (0, 3):
        assert np.linalg.norm(rows[i].toarray()) == pytest.approx(1.0)
