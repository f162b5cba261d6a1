"""arXiv ids, old style (``hep-th/9901001``) and new, wherever ids are read: detection, dedup, citations."""

from __future__ import annotations

import pytest

from readlist.core.cite import biblatex_entry, bibtex_entry, paper_url
from readlist.core.model import Paper, find_arxiv_id, is_arxiv_category, is_arxiv_id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("astro-ph/0601001", "astro-ph/0601001"),
        ("quant-ph/0201082v1", "quant-ph/0201082"),
        ("http://arxiv.org/abs/hep-ph/0301050v2", "hep-ph/0301050"),
        ("https://arxiv.org/pdf/cond-mat/0410550.pdf", "cond-mat/0410550"),
        ("arXiv:math.GT/0309136", "math/0309136"),  # the subject class is not part of the id
        ("see cs/0503050 and more", "cs/0503050"),
        ("2202.12139v1", "2202.12139"),
        ("https://huggingface.co/papers/2410.17897", "2410.17897"),
        ("10.48550/arXiv.2310.01234", "2310.01234"),
        ("0704.0001", "0704.0001"),
        # Not ids: a DOI's digits, an impossible month, a path that only looks like archive/number.
        ("10.1109/ICSTW55395.2022.00035", None),
        ("1234.5678", None),
        ("https://example.org/users/1234567", None),
        ("abc/1234567", None),
        ("hep-th/9913001", None),
        ("", None),
    ],
)
def test_find_arxiv_id(text: str, expected: str | None) -> None:
    assert find_arxiv_id(text) == expected


def test_is_arxiv_id_is_exact() -> None:
    assert is_arxiv_id("hep-th/9901001v3")
    assert is_arxiv_id("arXiv:2310.01234")
    assert not is_arxiv_id("hep-th/9901001 extra")
    assert not is_arxiv_id("https://arxiv.org/abs/2310.01234")
    assert not is_arxiv_id("2310.1234567")


def test_categories() -> None:
    assert all(is_arxiv_category(c) for c in ["cs.CL", "hep-th", "math.AG", "q-fin.ST", "astro-ph.CO", "stat.ML"])
    assert not any(is_arxiv_category(c) for c in ["I.2.7", "68T05", "cs CL", "", "cs.CL;rm"])


def test_old_style_papers_dedup_and_cite() -> None:
    a = Paper.create(title="Statistical Test of Anarchy", arxiv_id="hep-ph/0301050v2")
    b = Paper.create(title="Statistical test of anarchy.", arxiv_id="http://arxiv.org/abs/hep-ph/0301050")
    c = Paper.create(title="Another paper", arxiv_id="arXiv:math.GT/0309136")
    assert a.id == b.id == "hep-ph/0301050"
    assert a.dedup_keys[0] == b.dedup_keys[0] == "a:hep-ph/0301050"
    assert c.id == "math/0309136"
    assert paper_url(a) == "https://arxiv.org/abs/hep-ph/0301050"
    entry = bibtex_entry(a, "k")
    assert "eprint = {hep-ph/0301050}" in entry
    assert "primaryClass = {hep-ph}" in entry


def test_primary_class_comes_from_the_categories_when_known() -> None:
    paper = Paper.create(title="T", arxiv_id="2202.12139", categories=["cs.SE", "cs.LG"])
    assert "primaryClass = {cs.SE}" in bibtex_entry(paper, "k")
    assert "eprintclass = {cs.SE}" in biblatex_entry(paper, "k")
    assert "primaryClass" not in bibtex_entry(Paper.create(title="T", arxiv_id="2202.12139"), "k")
