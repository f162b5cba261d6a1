"""The interest order is kept for the whole library per set of scores: a view in it is one filter, as in the other
orders, and lists exactly what sorting the view on its own gives, ties included."""

from __future__ import annotations

import random
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from readlist.app import views
from readlist.app.commands import SetStatus
from readlist.app.imports import ImportPapers
from readlist.app.views import FIXED_VIEWS, ListModel, View, saved_view
from readlist.core import interest
from readlist.core.model import Paper
from readlist.core.query import parse_query, sort_papers
from readlist.storage.library import Library

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from generate import generate_papers, write_library

INBOX, TO_READ, ALL = FIXED_VIEWS[0], FIXED_VIEWS[1], FIXED_VIEWS[5]
FALLBACK_KEY = interest.fallback_key  # the cold-start order's key, uncounted


def _tied_library(path: Path, n: int = 400) -> Library:
    """Papers that share their sort keys often: imports of one time, a few dates, a few upvote counts."""
    rnd = random.Random(7)
    papers = list(generate_papers(n, seed=11))
    for paper in papers:
        paper.added = rnd.choice(("2025-03-01T10:00:00+00:00", "2025-03-02T10:00:00+00:00"))
        paper.published = rnd.choice(("2024-05-01", "2024-06", "2023", None))
        paper.upvotes = rnd.choice((None, 0, 3, 3, 40))
    write_library(papers, path)
    return Library(path)


def _scores(lib: Library, seed: int) -> dict[str, float]:
    """A score for three papers in four, on a coarse scale so that many are equal."""
    rnd = random.Random(seed)
    return {pid: rnd.choice((0.0, 0.1, 0.5, 0.5, 0.9, 1.0)) for pid in lib.papers if rnd.random() < 0.75}


def _sorted_alone(lib: Library, view: View, query: str, sort: str, scores: Mapping[str, float] | None) -> list[str]:
    """What sorting the view's papers on their own gives (``interest_order``, as a list was made before the whole
    library's order was kept)."""
    parsed = parse_query(query)
    shown = [p for p in sort_papers(list(lib.papers.values()), "added") if view.matches(p) and parsed.matches(p)]
    if scores:
        ordered = sorted(shown, key=lambda p: (p.id in scores, scores.get(p.id, 0.0), *FALLBACK_KEY(p)), reverse=True)
    else:
        ordered = sorted(shown, key=FALLBACK_KEY, reverse=True)
    return [p.id for p in (ordered[::-1] if sort.startswith("-") else ordered)]


@dataclass
class Made:
    """Sort keys made by a Python function per paper (the interest order's read ``fallback_key``), and cold-start
    orders made (of a view or of the whole library)."""

    keys: int = 0
    orders: int = 0


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> Made:
    counts = Made()
    real_key, real_order = interest.fallback_key, views.fallback_order

    def counted_key(paper: Paper) -> tuple[int, str, str]:
        counts.keys += 1
        return real_key(paper)

    def counted_order(papers: Iterable[Paper]) -> list[Paper]:
        counts.orders += 1
        return real_order(papers)

    monkeypatch.setattr(interest, "fallback_key", counted_key)
    monkeypatch.setattr(views, "fallback_order", counted_order)
    return counts


def test_views_and_new_scores_in_interest_order_make_no_sort_key(tmp_path: Path, made: Made) -> None:
    lib = _tied_library(tmp_path / "library.json")
    model = ListModel(lib)
    first, second = _scores(lib, 1), _scores(lib, 2)
    reasoning = saved_view("reasoning", "reasoning OR status:to-read")
    steps = [(INBOX, "", "interest", first), (TO_READ, "", "interest", first), (ALL, "", "interest", first),
             (reasoning, "", "interest", first), (INBOX, "learn", "interest", first), (INBOX, "", "-interest", first),
             (INBOX, "", "interest", second), (ALL, "", "+interest", second), (INBOX, "", "interest", {}),
             (INBOX, "", "interest", None), (TO_READ, "", "-interest", None), (INBOX, "", "interest", first)]
    expected = [_sorted_alone(lib, *step) for step in steps]
    made.keys = made.orders = 0
    for (view, query, sort, scores), wanted in zip(steps, expected, strict=True):
        shown = [p.id for p in model.select(view, query, sort, scores=scores)]
        assert shown == wanted, (view.key, query, sort)
    # The cold-start order of the whole library, once (it also orders papers of equal score); no key per paper.
    assert (made.keys, made.orders) == (0, 1)


def test_the_kept_interest_order_follows_the_fields_it_reads_and_papers_coming(tmp_path: Path, made: Made) -> None:
    lib = _tied_library(tmp_path / "library.json")
    model = ListModel(lib)
    scores = _scores(lib, 3)

    def check(sort: str = "interest", given: Mapping[str, float] | None = scores) -> None:
        assert [p.id for p in model.select(INBOX, "", sort, scores=given)] == \
            _sorted_alone(lib, INBOX, "", sort, given)

    check()
    check(given=None)
    inbox = [p for p in lib.papers.values() if p.status == "inbox"]
    unscored = next(p for p in inbox if p.id not in scores)
    made.orders = 0
    SetStatus([inbox[0].id], "to-read").execute(lib)  # a decision: no field the order reads
    check()
    check(given=None)
    assert made.orders == 0
    # A page imported again with a paper's new upvote count: it moves in the cold-start order.
    richer = Paper.create(title=unscored.title, arxiv_id=unscored.arxiv_id, upvotes=500)
    assert ImportPapers([richer], "again.txt").execute(lib).changes
    check()
    check(given=None)
    assert made.orders == 1
    new = Paper.create(title="A paper nobody has scored", upvotes=3, published="2024-06")
    ImportPapers([new], "new.txt").execute(lib)
    check()
    check("-interest", None)


def test_a_kept_order_follows_a_field_it_is_sorted_by(tmp_path: Path) -> None:
    """The orders kept for the whole library (date, upvotes, title) are made again when a paper's field changes:
    an import or an enrichment that brings a new upvote count moves the paper in the upvotes order."""
    lib = _tied_library(tmp_path / "library.json")
    model = ListModel(lib)
    assert [p.id for p in model.select(ALL, "", "upvotes")] == [p.id for p in sort_papers(list(lib), "upvotes")]
    last = model.select(ALL, "", "upvotes")[-1]
    ImportPapers([Paper.create(title=last.title, arxiv_id=last.arxiv_id, upvotes=999)], "again.txt").execute(lib)
    assert model.select(ALL, "", "upvotes")[0].id == last.id
    assert [p.id for p in model.select(ALL, "", "upvotes")] == [p.id for p in sort_papers(list(lib), "upvotes")]
