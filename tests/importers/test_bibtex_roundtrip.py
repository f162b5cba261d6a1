"""readlist's own BibTeX export read back by its own importer: nothing changes.

Every paper from the seed pages and the fixture pages, plus hand-made papers
that carry what those lack (math and ``--`` in titles, URLs with parentheses,
an organization next to authors, year-only and year-month dates, old-style
arXiv ids, categories, DOIs, notes with Markdown and indentation), is exported
and imported again; the test lists every field that changed, and expects none.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path

import pytest

from readlist.core.cite import format_entries
from readlist.core.model import SOURCE_FIELDS, Paper
from readlist.importers import bibtex, parse_input

FIXTURES = Path(__file__).parent.parent / "fixtures"
SOURCES = [
    *sorted((FIXTURES / "seeds").glob("*.txt")),
    *sorted((FIXTURES / "pages").glob("*.html")),
    *sorted((FIXTURES / "pages").glob("*.xml")),  # a real arXiv API answer: old-style ids, math, accents
    *sorted((FIXTURES / "api").glob("*.json")),
]
TODAY = date(2025, 12, 20)
# Hugging Face extras that a citation has no field for; they are not part of the export.
NOT_EXPORTED = frozenset({"journal_ref", "ai_summary", "ai_keywords", "github_repo", "project_page"})
COMPARED = ("id", *(f for f in SOURCE_FIELDS if f not in NOT_EXPORTED))
USER_DATA = ("tags", "note", "rating", "status")


@cache
def fixture_papers() -> tuple[Paper, ...]:
    papers: dict[str, Paper] = {}
    for source in SOURCES:
        for paper in parse_input(source.read_bytes(), source=source.name, today=TODAY).papers:
            papers.setdefault(paper.id, paper)
    return tuple(papers.values())


def hand_papers() -> list[Paper]:
    return [
        Paper.create(
            title="S$^{2}$FT: Efficient {Sparse} Fine-tuning -- with $\\beta$-divergence & 100% of $O(n \\log n)$",
            authors=["José Pérez-García Jr.", "Zoë Ødegård", "Mar\u00eda N\u00e9meth", "Ludwig van Beethoven"],
            organization="Spiral Works",
            arxiv_id="2401.00001",
            published="2024-01",
            categories=["cs.CL", "cs.LG"],
            url="https://example.org/paper_(18)?q=a%20b#sec",
            doi="10.1000/xyz(2024)_1",
            upvotes=0,
            abstract="First paragraph with $x_{i}$ and \\% and {braces} ~ ^.\n\nSecond paragraph -- with 50% & #3.",
            tags=["rl", "reading-group", "x;y"],
            note="- point *one*\n\n      code block {x} % not a comment\n> quote $y$\n@misc{looks, like = {an entry}}",
            rating=4,
            status="reading",
        ),
        Paper.create(title="Combinatorial Creativity", organization="Spiral Works", published="2025"),
        Paper.create(title="Quantum Gravity Revisited", authors=["Ada Lovelace"], arxiv_id="hep-th/9901001",
                     url="https://arxiv.org/abs/hep-th/9901001"),
        Paper.create(title="A Paper With Seven Authors", authors_count=7, published="2025-07-17", upvotes=12),
        Paper.create(title="Towards an Unknown Author", note="only a note"),
        # A year the arXiv id agrees with: entries are dated 2023-05 from the id, the record stays a year.
        Paper.create(title="A Year Its Id Makes Precise", arxiv_id="2305.01234", published="2023",
                     url="https://arxiv.org/abs/2305.01234",
                     authors=["Ann Smith"]),
        # Two spaces that end a Markdown line make a line break.
        Paper.create(title="A Note With A Hard Break", note="first line  \nsecond line\n"),
        Paper.create(title="Costs $5 and $10: \\input{x} $\\input{y}$ $\\frac{a}{b}$", arxiv_id="2012.01234",
                     authors=["Xiang Li"], url="https://arxiv.org/abs/2012.01234"),
    ]


def changed_fields(before: list[Paper], after: list[Paper], fields: tuple[str, ...]) -> list[str]:
    by_id = {p.id: p for p in after}
    changes = []
    for paper in before:
        back = by_id.get(paper.id)
        if back is None:
            changes.append(f"{paper.id}: missing after the round trip ({paper.title!r})")
            continue
        for name in fields:
            if getattr(paper, name) != getattr(back, name):
                changes.append(f"{paper.id}.{name}: {getattr(paper, name)!r} -> {getattr(back, name)!r}")
    return changes


@pytest.mark.parametrize("fmt", ["bibtex", "biblatex"])
@pytest.mark.parametrize("user_data", [False, True], ids=["citation", "with-user-data"])
def test_export_reads_back_unchanged(fmt: str, user_data: bool) -> None:
    papers = [*fixture_papers(), *hand_papers()]
    assert len(fixture_papers()) >= 196 + 30 + 100
    exported = format_entries(papers, fmt, user_data=user_data, complete=True)
    result = bibtex.parse(exported, source="library.bib")
    assert result.skipped == []
    assert len(result.papers) == len(papers)
    fields = COMPARED + (USER_DATA if user_data else ())
    assert changed_fields(papers, result.papers, fields) == []


def test_without_user_data_nothing_of_the_user_goes_out() -> None:
    paper = hand_papers()[0]
    out = format_entries([paper], "bibtex", complete=True)
    assert "keywords" not in out and "annote" not in out and "readlist-rating" not in out
    back = bibtex.parse(out).papers[0]
    assert (back.tags, back.note, back.rating, back.status) == ([], "", 0, "inbox")


def test_a_citation_to_paste_leaves_readlists_own_fields_out() -> None:
    paper = hand_papers()[0]
    out = format_entries([paper], "bibtex")
    assert "abstract" not in out and "readlist-" not in out
    assert "readlist-upvotes = {0}" in format_entries([paper], "bibtex", complete=True)


def test_the_round_trip_covers_what_the_issue_names() -> None:
    """The fixtures really contain what the round trip is meant to protect."""
    papers = [*fixture_papers(), *hand_papers()]
    assert any(p.abstract for p in papers)
    assert any(p.published and len(p.published) == 10 for p in papers)
    assert any(p.published and len(p.published) == 4 for p in papers)
    assert any(p.upvotes for p in papers)
    assert any(p.organization and not p.authors for p in papers)
    assert any(p.url and "(" in p.url for p in papers)
    assert any("--" in p.title for p in fixture_papers())
    assert any("$" in p.title for p in fixture_papers())


@pytest.mark.parametrize("fmt", ["bibtex", "biblatex"])
def test_categories_of_old_style_ids_read_back(fmt: str) -> None:
    """A recorded category that is also the archive of an old-style id comes back; no invented one does."""
    papers = [
        Paper.create(title="Statistical Test of Anarchy", arxiv_id="hep-ph/0301050", categories=["hep-ph"]),
        Paper.create(title="Tests of Gravity", arxiv_id="gr-qc/0103067", categories=["gr-qc", "astro-ph"]),
        Paper.create(title="Old Without Categories", arxiv_id="hep-th/9901001"),
        Paper.create(title="Old With A Subject Class", arxiv_id="math/0301001", categories=["math.AG"]),
    ]
    back = {p.id: p.categories for p in bibtex.parse(format_entries(papers, fmt, complete=True)).papers}
    assert back == {"hep-ph/0301050": ["hep-ph"], "gr-qc/0103067": ["gr-qc", "astro-ph"],
                    "hep-th/9901001": [], "math/0301001": ["math.AG"]}


def test_the_primary_class_of_someone_elses_file_is_a_category() -> None:
    """arXiv's own BibTeX for an old-style id names its primary class; that is the paper's category."""
    entry = """@misc{gouvea2003,
      title = {Statistical Test of Anarchy},
      author = {Andre de Gouvea and Hitoshi Murayama},
      eprint = {hep-ph/0301050}, archivePrefix = {arXiv}, primaryClass = {hep-ph}, year = {2003}
    }
    @online{other, title = {Other}, eprinttype = {arxiv}, eprint = {gr-qc/0103067}, eprintclass = {gr-qc}}"""
    assert [p.categories for p in bibtex.parse(entry).papers] == [["hep-ph"], ["gr-qc"]]
