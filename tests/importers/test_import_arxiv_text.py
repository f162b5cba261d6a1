"""arXiv abstract pages copied as text (select all, copy), made from the real saved pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from msgspec.structs import replace

from readlist.importers import ImportFormatError, arxiv_text, parse_input

PAGES = Path(__file__).parent.parent / "fixtures" / "pages"
FIELDS = ("id", "arxiv_id", "title", "authors", "abstract", "published", "categories", "url")


def _read(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("page", ["arxiv-abs-2106.09608", "arxiv-abs-2004.02153"])
@pytest.mark.parametrize("copy", ["copy", "plain"])
def test_a_copy_of_an_abstract_page_gives_what_the_saved_page_gives(page: str, copy: str) -> None:
    (expected,) = parse_input(_read(f"{page}.html")).papers
    result = parse_input(_read(f"{page}.{copy}.txt"), source="copy.txt")
    assert result.format == "arxiv-text"
    assert not result.skipped
    (paper,) = result.papers
    assert {name: getattr(paper, name) for name in FIELDS} == {name: getattr(expected, name) for name in FIELDS}


def test_the_fields_of_the_2021_page() -> None:
    (paper,) = parse_input(_read("arxiv-abs-2106.09608.copy.txt")).papers
    assert paper.id == paper.arxiv_id == "2106.09608"
    assert paper.title == "Learning Knowledge Graph-based World Models of Textual Environments"
    assert paper.authors == ["Prithviraj Ammanabrolu", "Mark O. Riedl"]
    assert paper.published == "2021-06-17"  # first submission, not the "last revised 20 Oct 2021" of v2
    assert paper.abstract.startswith("World models improve a learning agent's ability to efficiently operate in")
    assert paper.abstract.endswith("as well as the importance of each of our contributions.")
    assert paper.url == "https://arxiv.org/abs/2106.09608"


def test_copies_of_two_pages_pasted_together_give_both_papers() -> None:
    text = _read("arxiv-abs-2106.09608.plain.txt") + "\n" + _read("arxiv-abs-2004.02153.copy.txt")
    result = parse_input(text)
    assert result.format == "arxiv-text"
    assert [(p.arxiv_id, p.published, len(p.authors)) for p in result.papers] == [
        ("2106.09608", "2021-06-17", 2),
        ("2004.02153", "2020-04-05", 2),
    ]
    assert result.papers[0].abstract.endswith("each of our contributions.")


def test_crlf_and_tabs_as_a_browser_on_windows_copies() -> None:
    text = _read("arxiv-abs-2106.09608.plain.txt").replace("Comments:   ", "Comments:\t").replace("\n", "\r\n")
    (paper,) = parse_input(text.encode("utf-8")).papers
    assert paper.arxiv_id == "2106.09608" and paper.abstract.endswith("contributions.")


def test_not_taken_for_a_daily_papers_copy_or_for_other_text() -> None:
    seeds = Path(__file__).parent.parent / "fixtures" / "seeds"
    assert not arxiv_text.sniff((seeds / "001_eaf0a1b246e94eca.txt").read_text(encoding="utf-8"))
    assert not arxiv_text.sniff(_read("arxiv-abs-2106.09608.html"))  # the page itself is arxiv-html


def test_forced_on_text_without_the_page_fields_says_what_is_missing() -> None:
    text = "[Submitted on 17 Jun 2021]\narXiv:2106.09608\nsome text\n"
    with pytest.raises(ImportFormatError, match=r"copy of an arXiv page .*Title:, Authors: and Abstract:"):
        parse_input(text, fmt="arxiv-text")


@pytest.mark.parametrize("copy", ["arxiv-abs-2106.09608.copy.txt", "arxiv-abs-2004.02153.plain.txt"])
def test_a_copy_that_stops_before_cite_as_takes_the_id_above_the_dateline(copy: str) -> None:
    text = _read(copy).split("Cite as:")[0]
    (paper,) = parse_input(text).papers
    assert paper.arxiv_id == copy.removeprefix("arxiv-abs-").split(".copy")[0].split(".plain")[0]


# -- listing pages ----------------------------------------------------------------------------------------

LISTING = "arxiv-list-q-fin-new"


@pytest.mark.parametrize("copy", ["copy", "plain"])
def test_a_copy_of_a_listing_gives_every_paper_the_saved_listing_gives(copy: str) -> None:
    expected = parse_input(_read(f"{LISTING}.html")).papers
    result = parse_input(_read(f"{LISTING}.{copy}.txt"), source="listing.txt")
    assert result.format == "arxiv-text"
    assert not result.skipped
    assert len(result.papers) == len(expected) == 16
    for paper, saved in zip(result.papers, expected, strict=True):
        assert {name: getattr(paper, name) for name in FIELDS} == {name: getattr(saved, name) for name in FIELDS}


def test_the_fields_of_a_listing_entry() -> None:
    papers = {p.arxiv_id: p for p in parse_input(_read(f"{LISTING}.copy.txt")).papers}
    first = papers["2303.08867"]
    assert first.title == "A Bayesian derivation of the square root law of market impact"
    assert first.authors == ["Louis Saddier", "Matteo Marsili"]
    assert first.categories == ["q-fin.TR", "cond-mat.stat-mech"]  # the primary subject first
    assert first.abstract.startswith("We show that the main empirical findings on the impact of a sequence of")
    assert first.abstract.endswith("originates from the over-estimation of order flows originating from meta-orders.")
    assert first.url == "https://arxiv.org/abs/2303.08867"
    assert first.published is None  # a listing dates its announcement, not the papers
    # Several subjects broken over lines in the copy are one field, not the start of the abstract.
    assert papers["2303.09397"].categories == ["q-fin.ST", "cs.AI", "cs.CL", "cs.LG"]
    assert papers["2303.09397"].abstract.startswith("The cryptocurrency ecosystem has been the centre")
    # A replacement is listed without its abstract: nothing of the next section or the footer is taken for one.
    assert papers["2206.14015"].abstract == ""
    assert papers["2206.14015"].categories == ["q-fin.MF", "math.OC", "math.PR"]


def test_an_older_listing_with_labelled_authors_and_hidden_abstracts() -> None:
    text = (
        "Cross-lists for Fri, 17 Mar 23\n\n"
        "[1] arXiv:2303.00001 (cross-list from cs.LG) [pdf, ps, other]\n"
        "Title: Learning to Trade\n"
        "Authors: Ada Lovelace, Charles Babbage\n"
        "Comments: 12 pages\n"
        "Journal-ref: Some Journal 1 (2023)\n"
        "Subjects: Machine Learning (cs.LG); Trading and Market Microstructure (q-fin.TR)\n"
        "[2] arXiv:math/0601001 [pdf]\n"
        "Title: An Old Paper\n"
        "Authors: Emmy Noether\n"
        "Subjects: Algebraic Geometry (math.AG)\n\n"
        "[3] arXiv:2303.00001 (replaced) [pdf]\n"
        "Title: Learning to Trade\n"
        "Authors: Ada Lovelace, Charles Babbage\n"
        "Subjects: Machine Learning (cs.LG)\n"
    )
    result = parse_input(text, source="recent.txt")
    assert result.format == "arxiv-text"
    assert [(p.arxiv_id, p.authors, p.abstract, p.categories) for p in result.papers] == [
        ("2303.00001", ["Ada Lovelace", "Charles Babbage"], "", ["cs.LG", "q-fin.TR"]),
        ("math/0601001", ["Emmy Noether"], "", ["math.AG"]),
    ]  # the paper listed again under replacements is read once


def test_a_copy_of_part_of_a_listing_gives_the_entries_it_holds() -> None:
    text = _read(f"{LISTING}.plain.txt")
    part = text[text.index("[4] arXiv:2303.09147") : text.index("[7] arXiv:")]
    result = parse_input(part, source="part.txt")
    assert [p.arxiv_id for p in result.papers] == ["2303.09147", "2303.09176", "2303.09323"]


def test_an_entry_cut_off_before_its_title_is_skipped_with_its_reason() -> None:
    text = _read(f"{LISTING}.plain.txt")
    cut = text[: text.index("Title: Economics of In-Space Industry")]
    result = parse_input(cut, source="cut.txt")
    assert [p.arxiv_id for p in result.papers] == ["2303.08867", "2303.08968"]
    assert result.skipped == [("arXiv:2303.09011", "the listing entry has no Title: line")]


def test_an_entry_cut_off_inside_its_title_is_skipped_and_the_whole_copy_completes_it(tmp_path: Path) -> None:
    """A selection ending mid-title ("Stock Trend Pred") must not leave a paper under half its title."""
    from readlist.app.imports import ImportPapers
    from readlist.storage.library import Library

    text = _read(f"{LISTING}.plain.txt")
    cut = text[: text.index("Title: Stock Trend Pred") + len("Title: Stock Trend Pred")]
    result = parse_input(cut, source="cut.txt")
    assert "2303.09323" not in [p.arxiv_id for p in result.papers]
    assert result.skipped == [("Stock Trend Pred", "the copy ends inside this entry (no Subjects: line); "
                                                   "copy the whole entry")]
    # A cut title already in a library (an older import, another tool) gives way to the whole one.
    lib = Library(tmp_path / "lib.json")
    whole = next(p for p in parse_input(text, source="full.txt").papers if p.arxiv_id == "2303.09323")
    short = replace(whole, title="Stock Trend Pred")
    ImportPapers([short], "older.txt").execute(lib)
    ImportPapers(parse_input(text, source="full.txt").papers, "full.txt").execute(lib)
    kept = lib.get("2303.09323")
    assert kept is not None and kept.title == "Stock Trend Prediction: A Semantic Segmentation Approach"


@pytest.mark.parametrize("copy", ["lynx", "w3m", "fold80"])
def test_a_wrapped_copy_of_a_listing_joins_long_titles_and_invents_no_authors(copy: str) -> None:
    """A terminal browser's dump, or a copy wrapped at 80 columns, breaks long titles onto a second line, which
    was read as the start of the author list: "A parsimonious neural network approach to solve portfolio
    optimization", by "problems without using dynamic programming Pieter M. van Staden", Peter A. Forsyth …"""
    expected = parse_input(_read(f"{LISTING}.html")).papers
    result = parse_input(_read(f"{LISTING}.{copy}.txt"), source="listing.txt")
    assert (result.format, result.skipped) == ("arxiv-text", [])
    assert [(p.arxiv_id, p.title, p.authors, p.categories) for p in result.papers] == [
        (p.arxiv_id, p.title, p.authors, p.categories) for p in expected
    ]
    parsimonious = next(p for p in result.papers if p.arxiv_id == "2303.08968")
    assert parsimonious.authors == ["Pieter M. van Staden", "Peter A. Forsyth", "Yuying Li"]


def _wrapped_listing(title: str, *authors: str) -> str:
    """A listing entry in a copy wrapped at 60 columns, with the title and author lines as given."""
    abstract = (
        "We study how prices respond to a sequence of trades and find\n"
        "that a simple model with Bayesian expectations recovers the\n"
        "square-root law, its crossover to a linear regime for small\n"
        "volumes and the decay of impact back to equilibrium once\n"
        "trading is over.\n"
    )
    assert [len(line) for line in abstract.splitlines()] == [60, 59, 59, 56, 16]
    return ("[1] arXiv:2303.00001 [pdf, other]\n" + "".join(f"{line}\n" for line in (title, *authors))
            + "Subjects: Trading and Market Microstructure (q-fin.TR)\n\n" + abstract)


def test_a_title_that_fills_its_line_above_a_wrapped_author_list_leaves_the_authors_unknown() -> None:
    """Either the title ended with its full line and the author list took two lines, or the title went on and the
    authors took one: the copy does not tell, so no author list is made from what may be the title's words."""
    title = "Title: Market Impact and the Square Root Law of Trading Now"
    assert len(title) == 59
    authors = ("Louis Saddier, Matteo Marsili, Jean-Philippe Bouchaud,", "Fabrizio Lillo")
    (paper,) = parse_input(_wrapped_listing(title, *authors), source="new.txt").papers
    assert (paper.title, paper.authors) == ("Market Impact and the Square Root Law of Trading Now", [])
    # With the author list on one line, that line is the authors: every entry has them.
    (one_line,) = parse_input(_wrapped_listing(title, "Louis Saddier, Matteo Marsili"), source="new.txt").papers
    assert (one_line.title, one_line.authors) == (title[len("Title: "):], ["Louis Saddier", "Matteo Marsili"])
    # A title line that is not full ended the title, however many lines the author list takes.
    (short,) = parse_input(_wrapped_listing("Title: Market Impact", *authors), source="new.txt").papers
    assert (short.title, short.authors) == (
        "Market Impact", ["Louis Saddier", "Matteo Marsili", "Jean-Philippe Bouchaud", "Fabrizio Lillo"])


def test_a_later_import_replaces_authors_made_from_the_rest_of_a_cut_title(tmp_path: Path) -> None:
    """A library that holds a listing entry read with its wrapped title cut and the rest of the title in front of
    the first author gets the whole title and the real authors from the saved listing."""
    from readlist.app.imports import ImportPapers
    from readlist.storage.library import Library

    lib = Library(tmp_path / "lib.json")
    saved = {p.arxiv_id: p for p in parse_input(_read(f"{LISTING}.html")).papers}
    wrapped = replace(saved["2303.09399"], title="Main Concepts and Principles of Political Economy -- Production and",
                      authors=["Values", "Distribution and Prices", "Reproduction and Profits Christian Flamant"])
    cut = replace(saved["2303.09323"], title="Stock Trend Pred", authors=["Shima Nabiee", "N. Bagherzadeh"])
    ImportPapers([wrapped, cut], "older.txt").execute(lib)
    ImportPapers(list(saved.values()), "listing.html").execute(lib)
    political, stock = lib.get("2303.09399"), lib.get("2303.09323")
    assert political is not None and stock is not None
    assert (political.title, political.authors) == (saved["2303.09399"].title, ["Christian Flamant"])
    # Authors that do not begin with the title's rest are the library's, as every author list already there is.
    assert (stock.title, stock.authors) == (saved["2303.09323"].title, ["Shima Nabiee", "N. Bagherzadeh"])


def test_numbered_references_in_other_text_are_not_a_listing() -> None:
    text = "Title: My notes\n[1] Vaswani et al. Attention is all you need.\n[2] arXiv:1706.03762 is cited above\n"
    assert not arxiv_text.sniff(text)
    with pytest.raises(ImportFormatError, match="a listing its numbered entries with their Title: lines"):
        parse_input("Some text\n[1]\nnothing here arXiv:1706.03762\n", fmt="arxiv-text")


def test_affiliations_in_an_author_list_are_not_names() -> None:
    """arXiv shows affiliations in parentheses, after a name or numbered and resolved at the end of the list."""
    text = (
        "[1] arXiv:2511.00002 [pdf, other]\n"
        "Title: Second Paper\n"
        "José Pérez (1), Li Wei (2), Ada Lovelace (1 and 2) ((1) MIT, (2) Tsinghua University)\n"
        "Subjects: Machine Learning (cs.LG)\n\n"
        "Abstract two.\n\n"
        "[2] arXiv:2511.00003 [pdf]\n"
        "Title: Third Paper\n"
        "Authors: Dan Brown (ETH Zurich), Eve Adams (Inria, Paris)\n"
        "Subjects: Machine Learning (cs.LG)\n"
    )
    result = parse_input(text, source="new.txt")
    assert result.format == "arxiv-text"
    assert [(p.authors, p.authors_count) for p in result.papers] == [
        (["José Pérez", "Li Wei", "Ada Lovelace"], 3),
        (["Dan Brown", "Eve Adams"], 2),
    ]


def test_a_long_author_list_cut_by_the_page_keeps_its_names_and_counts_the_rest() -> None:
    """The page shows the first names, "et al. (25 additional authors not shown)" and a line about JavaScript."""
    page = _read("arxiv-abs-2106.09608.plain.txt").replace(
        "Authors:Prithviraj Ammanabrolu, Mark O. Riedl",
        "Authors:Prithviraj Ammanabrolu, Mark O. Riedl et al. (25 additional authors not shown)"
        "  You must enable JavaScript to view entire author list.",
    )
    (paper,) = parse_input(page, source="abs.txt").papers
    assert paper.authors == ["Prithviraj Ammanabrolu", "Mark O. Riedl"]
    assert paper.authors_count == 27
    listing = (
        "[1] arXiv:2511.00001 [pdf]\nTitle: Big Model\n"
        "Ada Lovelace, Charles Babbage, et al. (523 additional authors not shown)\n"
        "Subjects: Machine Learning (cs.LG)\n"
    )
    (entry,) = parse_input(listing, source="new.txt").papers
    assert (entry.authors, entry.authors_count) == (["Ada Lovelace", "Charles Babbage"], 525)
