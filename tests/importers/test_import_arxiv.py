"""arXiv abstract and listing pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from readlist.importers import ImportFormatError, arxiv, parse_input

PAGES = Path(__file__).parent.parent / "fixtures" / "pages"


def _read(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def test_abs_page_2021_layout() -> None:
    result = parse_input(_read("arxiv-abs-2106.09608.html"), source="abs.html")
    assert result.format == "arxiv-html"
    (paper,) = result.papers
    assert paper.id == paper.arxiv_id == "2106.09608"
    assert paper.title == "Learning Knowledge Graph-based World Models of Textual Environments"
    assert paper.authors == ["Prithviraj Ammanabrolu", "Mark O. Riedl"]
    assert paper.published == "2021-06-17"  # first submission (citation_date), not the v2 date
    assert paper.url == "https://arxiv.org/abs/2106.09608"
    assert paper.categories == ["cs.LG", "cs.AI", "cs.CL"]  # from Subjects, the primary one first
    assert paper.abstract.startswith(
        "World models improve a learning agent's ability to efficiently operate in interactive and situated"
    )
    assert "\n" not in paper.abstract


def test_abs_page_arxiv_browse() -> None:
    (paper,) = arxiv.parse(_read("arxiv-abs-2004.02153.html")).papers
    assert paper.arxiv_id == "2004.02153"
    assert paper.title == (
        "When do Keller-Segel systems with heterogeneous logistic sources admit generalized solutions?"
    )
    assert paper.authors == ["Jianlu Yan", "Mario Fuest"]
    assert paper.published == "2020-04-05"
    assert paper.categories == ["math.AP"]  # the MSC classes (35K55, "(primary)") are not arXiv categories
    assert paper.abstract.startswith("We construct global generalized solutions to the chemotaxis system")


@pytest.mark.parametrize("name", ["arxiv-abs-2106.09608.html", "arxiv-abs-2004.02153.html"])
def test_abs_page_body_fallback_without_meta_tags(name: str) -> None:
    text = re.sub(r"<meta\s+name=\"citation_[^>]*>", "", _read(name))
    assert "citation_title" not in text
    with_meta = arxiv.parse(_read(name)).papers[0]
    paper = arxiv.parse(text).papers[0]
    assert arxiv.sniff(text)
    assert paper.arxiv_id == with_meta.arxiv_id
    assert paper.title == with_meta.title
    assert paper.authors == with_meta.authors
    assert paper.published == with_meta.published
    assert paper.abstract[:200] == with_meta.abstract[:200]


def test_listing_page_every_section_once() -> None:
    result = arxiv.parse(_read("arxiv-list-q-fin-new.html"))
    ids = [p.id for p in result.papers]
    assert len(ids) == 16 == len(set(ids))
    assert ids[0] == "2303.08867" and ids[-3:] == ["2011.00552", "2203.01664", "2206.14015"]
    first = result.papers[0]
    assert first.title == "A Bayesian derivation of the square root law of market impact"
    assert first.authors == ["Louis Saddier", "Matteo Marsili"]
    assert first.abstract.startswith("We show that the main empirical findings on the impact of a sequence of")
    assert first.url == "https://arxiv.org/abs/2303.08867"
    assert first.categories == ["q-fin.TR", "cond-mat.stat-mech"]
    park = next(p for p in result.papers if p.id == "2303.09393")
    assert park.authors_count == 7
    replaced = next(p for p in result.papers if p.id == "2203.01664")
    assert replaced.title == "Tail-GAN: Learning to Simulate Tail Risk Scenarios"
    assert replaced.abstract == ""  # the listing did not show it


def test_listing_cross_list_duplicates_are_imported_once() -> None:
    text = _read("arxiv-list-q-fin-new.html")
    first_dl = text[text.index("<dl id='articles'>"): text.index("</dl>") + 5]
    doubled = text.replace("</body>", first_dl.replace("New submissions", "Cross-lists") + "</body>")
    result = arxiv.parse(doubled)
    assert len(result.papers) == 16


def test_old_style_ids_and_listing_without_dl_id() -> None:
    page = """<html><body><dl>
    <dt><span class="list-identifier"><a href="/abs/math/0601001" title="Abstract">arXiv:math/0601001</a></span></dt>
    <dd><div class="meta"><div class="list-title mathjax"><span class="descriptor">Title:</span> Old Style</div>
    <div class="list-authors"><a href="/a">Émile Borel</a></div></div></dd>
    </dl></body></html>"""
    assert arxiv.sniff(page)
    (paper,) = arxiv.parse(page).papers
    assert paper.arxiv_id == "math/0601001"
    assert paper.url == "https://arxiv.org/abs/math/0601001"
    assert paper.authors == ["Émile Borel"]


def test_person_names() -> None:
    assert arxiv.person("Riedl, Mark O.") == "Mark O. Riedl"
    assert arxiv.person("King, Jr., Martin Luther") == "Martin Luther King Jr."
    assert arxiv.person("Plato") == "Plato"


def test_sniff_does_not_confuse_hf_and_arxiv() -> None:
    assert arxiv.sniff(_read("arxiv-abs-2106.09608.html"))
    assert arxiv.sniff(_read("arxiv-list-q-fin-new.html"))
    assert not arxiv.sniff(_read("hf-daily-2024-08-01.html"))
    assert not arxiv.sniff(_read("hf-paper-2509.24002-prettified.html"))
    assert not arxiv.sniff("Title: x\nciting name=\"citation_arxiv_id\" in a text copy")


def test_page_without_papers_is_an_error() -> None:
    with pytest.raises(ImportFormatError, match="no papers"):
        arxiv.parse("<html><head><meta name='citation_arxiv_id' content='2101.00001'></head></html>")


def test_a_listing_that_cuts_a_long_author_list_counts_the_authors_it_does_not_show() -> None:
    """The names are the links; "et al. (25 additional authors not shown)" says how many more wrote the paper."""
    page = _read("arxiv-list-q-fin-new.html").replace(
        ">Matteo Marsili</a></div>",
        ">Matteo Marsili</a> et al. (25 additional authors not shown)</div>",
    )
    papers = {p.arxiv_id: p for p in parse_input(page, source="new.html").papers}
    assert papers["2303.08867"].authors == ["Louis Saddier", "Matteo Marsili"]
    assert papers["2303.08867"].authors_count == 27
    assert papers["2303.08968"].authors_count == 3
