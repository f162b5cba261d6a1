"""arXiv abstract pages copied as text (select all, copy), made from the real saved pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from readlist.importers import ImportFormatError, arxiv_text, parse_input

PAGES = Path(__file__).parent.parent / "fixtures" / "pages"
FIELDS = ("id", "arxiv_id", "title", "authors", "abstract", "published", "url")


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
