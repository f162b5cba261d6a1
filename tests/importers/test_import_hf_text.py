"""Hugging Face Daily Papers text copies: the real seeds, messy whitespace and the year rule."""

from __future__ import annotations

import re
import textwrap
from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from readlist.core.model import Paper
from readlist.importers import ImportFormatError, hf_text, parse_input

SEEDS = Path(__file__).parent.parent / "fixtures" / "seeds"
PAGES = Path(__file__).parent.parent / "fixtures" / "pages"
TODAY = date(2026, 11, 22)
CHROME = (
    "new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\nDaily Papers\n\n"
    "byAK and the research community\n\n"
)
ABSTRACT = (
    "We study a problem that matters. Our method improves the state of the art by a wide margin on "
    "every benchmark we tried, and we release code. Experiments on six datasets show consistent gains "
    "over strong baselines, and an ablation isolates which component is responsible for them."
)


def _block(title: str, meta: str, abstract: str = ABSTRACT) -> str:
    return f"{title}\n\n{abstract}\n\n{meta}\n\n"


def _page(header: str, *blocks: str) -> str:
    return CHROME + header + "\n\n" + "".join(blocks)


def _by_title(papers: list[Paper]) -> dict[str, Paper]:
    return {p.title: p for p in papers}


@pytest.mark.parametrize(
    ("name", "count"),
    [("001_eaf0a1b246e94eca.txt", 53), ("003_6b1eaca390782b18.txt", 95), ("004_6a8d34ca215b19e0.txt", 75)],
)
def test_seed_counts(name: str, count: int) -> None:
    result = hf_text.parse((SEEDS / name).read_bytes(), source=name, today=TODAY)
    assert len(result.papers) == count
    assert result.skipped == []


def test_seeds_together_hold_196_unique_papers() -> None:
    ids: set[str] = set()
    for path in SEEDS.glob("*.txt"):
        ids |= {p.id for p in hf_text.parse(path.read_bytes(), today=TODAY).papers}
    assert len(ids) == 196


def test_seed_001_details() -> None:
    papers = hf_text.parse((SEEDS / "001_eaf0a1b246e94eca.txt").read_bytes(), today=TODAY).papers
    first = papers[0]
    assert first.title == "Data Factors for Better Compositional Generalization"
    assert first.authors_count == 3
    assert first.published == "2023-11-07"
    assert first.upvotes == 0
    assert first.abstract.startswith("Recent diagnostic datasets on compositional generalization")
    by_title = _by_title(papers)
    inversion = by_title["Better Language Model Inversion by Compactly Representing Next-Token Distributions"]
    assert inversion.authors_count == 5
    assert inversion.upvotes == 2
    spiral = by_title["Combinatorial Creativity: A New Frontier in Generalization Abilities"]
    assert spiral.organization == "Spiral Works"
    assert spiral.authors_count is None
    assert spiral.upvotes == 2


def test_mojibake_quotes_keep_the_rest_of_the_title() -> None:
    """A closing quote read as Latin-1 ends in U+009D (an 8-bit OSC introducer): it goes, the title stays."""
    title = "FastNet: a \u00e2\x80\x9cquick\u00e2\x80\x9d model for everything"
    (paper,) = hf_text.parse(_page("Dec 12", _block(title, "  \u2022 2 authors\n\u00b7\nDec 10 4")), today=TODAY).papers
    assert paper.title == "FastNet: a \u00e2quick\u00e2 model for everything"


def test_organization_line() -> None:
    text = _page("Dec 12", _block("Org Paper", "spiralworks Spiral Works\n·\nSep 25 2"))
    (paper,) = hf_text.parse(text, today=TODAY).papers
    assert paper.organization == "Spiral Works"
    assert paper.upvotes == 2


def _messy_variants() -> dict[str, bytes]:
    clean = _page(
        "Dec 12",
        _block("First Paper Title", "  • 5 authors\n·\nJun 20 2"),
        _block("Über-Modelle: 日本語 and émigré models 🚀", "  • 1 author\n·\nNov 7, 2023"),
    )
    return {
        "clean": clean.encode(),
        "crlf": clean.replace("\n", "\r\n").encode(),
        "bom": b"\xef\xbb\xbf" + clean.encode(),
        "utf16": clean.encode("utf-16"),
        "nbsp": clean.replace("• 5 authors", "•\u00a05\u00a0authors")
        .replace("Jun 20 2", "Jun\u00a020\u00a02")
        .encode(),
        "tabs_trailing": clean.replace("\n", " \t \n").replace("  •", "\t•").encode(),
        "blank_lines": clean.replace("\n\n", "\n\n\n\n \n").encode(),
    }


@pytest.mark.parametrize("variant", list(_messy_variants()))
def test_messy_whitespace_and_encodings(variant: str) -> None:
    data = _messy_variants()[variant]
    result = parse_input(data, source=variant, today=TODAY)
    assert result.format == "hf-text"
    first, second = result.papers
    assert first.title == "First Paper Title"
    assert (first.authors_count, first.upvotes, first.published) == (5, 2, "2025-06-20")
    assert first.abstract == ABSTRACT
    assert second.title == "Über-Modelle: 日本語 and émigré models 🚀"
    assert (second.authors_count, second.upvotes, second.published) == (1, 0, "2023-11-07")


def _seed_001_relaid(layout: str) -> bytes:
    """Seed 001 as other browsers lay out the same cards: fewer blank lines, the metadata on one line."""
    text = (SEEDS / "001_eaf0a1b246e94eca.txt").read_text(encoding="utf-8")
    # Cards in the seed: title, blank line, abstract, blank line, metadata block (byline, "·", date).
    meta = r"\n\n(  • |[^\n]+\n·\n)"
    if layout == "abstract-and-metadata-together":
        return re.sub(meta, r"\n\1", text).encode()
    if layout == "no-blank-line-in-a-card":
        text = re.sub(meta, r"\n\1", text)
        return re.sub(r"(^|\n\n)([^\n]{1,300})\n\n(?=[^\n]{301})", r"\1\2\n", text).encode()
    assert layout == "metadata-on-one-line"
    return re.sub(r"\n·\n", " · ", text).encode()


@pytest.mark.parametrize(
    "layout", ["abstract-and-metadata-together", "no-blank-line-in-a-card", "metadata-on-one-line"]
)
def test_cards_copied_with_other_line_breaks_read_as_the_seed(layout: str) -> None:
    seed = hf_text.parse(_seed("001_eaf0a1b246e94eca.txt"), today=TODAY)
    relaid = hf_text.parse(_seed_001_relaid(layout), today=TODAY)
    assert relaid.skipped == []
    assert _plain(relaid.papers) == _plain(seed.papers)
    spiral = next(p for p in relaid.papers if p.title.startswith("Combinatorial Creativity"))
    assert (spiral.organization, spiral.upvotes, spiral.published) == ("Spiral Works", 2, "2025-09-25")


def test_two_pages_pasted_together_keep_their_own_dates() -> None:
    text = _page("Dec 12", _block("Page One Paper", "  • 2 authors\n·\nDec 10 4")) + _page(
        "Mar 3", _block("Page Two Paper", "  • 3 authors\n·\nMar 1")
    )
    by_title = _by_title(hf_text.parse(text, today=TODAY).papers)
    assert by_title["Page One Paper"].published == "2025-12-10"
    assert by_title["Page Two Paper"].published == "2026-03-01"
    assert by_title["Page Two Paper"].upvotes == 0


def test_year_rule_page_date_is_latest_not_after_today() -> None:
    text = _page("Dec 12", _block("P", "  • 2 authors\n·\nJun 20 2"))
    (paper,) = hf_text.parse(text, today=TODAY).papers
    assert paper.published == "2025-06-20"  # Dec 12 2026 is after the import date, so the page is Dec 12 2025
    (same_year,) = hf_text.parse(_page("Nov 20", _block("P", "  • 2 authors\n·\nJun 20 2")), today=TODAY).papers
    assert same_year.published == "2026-06-20"


def test_year_option_overrides() -> None:
    text = _page("Dec 12", _block("P", "  • 2 authors\n·\nJun 20 2"))
    (paper,) = hf_text.parse(text, today=TODAY, year=2024).papers
    assert paper.published == "2024-06-20"


def test_date_after_page_date_rolls_back_one_year() -> None:
    text = _page("Jan 5", _block("Late December Paper", "  • 2 authors\n·\nDec 30 7"))
    (paper,) = hf_text.parse(text, today=date(2026, 1, 10)).papers
    assert paper.published == "2025-12-30"
    (with_year,) = hf_text.parse(text, today=TODAY, year=2026).papers
    assert with_year.published == "2025-12-30"


@pytest.mark.parametrize("shown", ["Feb 30", "Sep 31, 2024 12", "Apr 0"])
def test_a_metadata_block_whose_date_is_no_day_is_still_its_papers(shown: str) -> None:
    """A damaged copy's block with a date no calendar has became a paper of its own ("• 3 authors · Feb 30")."""
    text = _page("Dec 12", _block("First Paper", f"  • 3 authors\n·\n{shown}"),
                 _block("Second Paper", "  • 2 authors\n·\nJun 20 2"))
    result = hf_text.parse(text, today=TODAY)
    first, second = result.papers
    assert (first.title, first.authors_count, first.published) == ("First Paper", 3, None)
    assert (second.title, second.published) == ("Second Paper", "2025-06-20")
    assert result.notes == [("First Paper", f"date {shown.rsplit(' 12', 1)[0]!r} is no day of the year; left out")]


def test_sniff() -> None:
    assert hf_text.sniff((SEEDS / "001_eaf0a1b246e94eca.txt").read_text(encoding="utf-8"))
    assert hf_text.sniff("Some Title\n\nabstract\n\n  • 4 authors\n·\nJun 2")
    assert not hf_text.sniff("just some notes\nwith nothing in them\n")


# -- copies joined into one file ------------------------------------------------------------------------------

def _plain(papers: list[Paper]) -> list[dict[str, object]]:
    """The papers as records, without the times they were read at."""
    return [{k: v for k, v in p.to_dict().items() if k not in ("added", "updated")} for p in papers]


def _seed(name: str) -> bytes:
    return (SEEDS / name).read_bytes()


@pytest.mark.parametrize("joint", [b"", b"\n", b"\n\n"], ids=["glued", "one-newline", "blank-line"])
@pytest.mark.parametrize(("first", "second"), [
    ("001_eaf0a1b246e94eca.txt", "003_6b1eaca390782b18.txt"),  # ends with a metadata block
    ("003_6b1eaca390782b18.txt", "004_6a8d34ca215b19e0.txt"),  # ends with an abstract
    ("004_6a8d34ca215b19e0.txt", "001_eaf0a1b246e94eca.txt"),
])
def test_copies_joined_into_one_file_read_as_each_copy_alone(first: str, second: str, joint: bytes) -> None:
    assert not _seed(first).endswith(b"\n")  # as saved: the next copy's first line is glued onto the last one
    joined = hf_text.parse(_seed(first) + joint + _seed(second), today=TODAY)
    alone = [*hf_text.parse(_seed(first), today=TODAY).papers, *hf_text.parse(_seed(second), today=TODAY).papers]
    assert _plain(joined.papers) == _plain(alone)
    assert joined.skipped == []


def test_the_last_paper_before_a_glued_copy_keeps_its_metadata() -> None:
    glued = _seed("001_eaf0a1b246e94eca.txt") + _seed("003_6b1eaca390782b18.txt")
    assert b"Sep 11, 2022new\n" in glued
    papers = hf_text.parse(glued, today=TODAY).papers
    assert not [p.title for p in papers if "authors" in p.title or not p.abstract]
    mixup = next(p for p in papers if p.title.startswith("OpenMixup"))
    assert (mixup.published, mixup.authors_count, mixup.upvotes) == ("2022-09-11", 8, 0)


def test_a_word_that_reads_like_page_chrome_stays_part_of_the_text() -> None:
    """Only chrome stuck to the text is a joined copy; a title ending in the word "new" keeps it."""
    meta = "  • 2 authors\n·\nDec 10 4"
    for ending in ("Something Borrowed, Something New", "A Reason to Renew"):
        text = _page("Dec 12", _block("First Paper", meta), f"{ending}\n\n") + _page(
            "Mar 3", _block("Page Two Paper", "  • 3 authors\n·\nMar 1"))
        titles = [p.title for p in hf_text.parse(text, today=TODAY).papers]
        assert titles == ["First Paper", ending, "Page Two Paper"]


# -- the rest of the site in a select-all copy ----------------------------------------------------------------

def _daily_page_copy() -> str:
    """The visible text of the saved day's list page, one text of the page per paragraph, as a browser copies it."""
    soup = BeautifulSoup((PAGES / "hf-daily-2024-08-01.html").read_text(encoding="utf-8"), "html.parser")
    for tag in soup(["script", "style", "title"]):
        tag.decompose()
    lines = [line.strip() for line in soup.get_text("\n").splitlines() if line.strip()]
    assert {"Log In", "Submitted by", "akhaliq", "94", "Previous", "TOS"} <= set(lines)
    return "\n\n".join(lines) + "\n"


def test_site_navigation_submitters_and_counts_are_no_papers() -> None:
    papers = hf_text.parse(_daily_page_copy(), today=TODAY).papers
    assert len(papers) == 13
    llama = papers[0]
    assert (llama.title, llama.authors_count, llama.published, llama.upvotes) == (
        "The Llama 3 Herd of Models", 533, None, 94
    )
    assert [p.authors_count for p in papers[-2:]] == [4, 6]
    # The count between the submitter and the title is the card's upvotes, as the saved page gives them.
    saved = parse_input((PAGES / "hf-daily-2024-08-01.html").read_bytes(), today=TODAY).papers
    assert [(p.title, p.upvotes) for p in papers] == [(p.title, p.upvotes) for p in saved]


def test_a_days_list_copied_with_its_site_lines_run_together_gives_only_its_papers() -> None:
    """Browsers differ: "Submitted by  akhaliq" on one line, the footer's links as one line each row."""
    copy = _daily_page_copy().replace("Submitted by\n\n", "Submitted by  ").replace(
        "Previous\n\nNext", "Previous Next").replace("TOS\n\nPrivacy\n\nAbout\n\nJobs", "TOS Privacy About Jobs")
    assert "Submitted by  akhaliq" in copy and "Previous Next" in copy and "TOS Privacy About Jobs" in copy
    assert _plain(hf_text.parse(copy, today=TODAY).papers) == _plain(hf_text.parse(_daily_page_copy(),
                                                                                    today=TODAY).papers)


def _saved_days_list() -> list[tuple[str, int | None, int | None]]:
    saved = parse_input((PAGES / "hf-daily-2024-08-01.html").read_bytes(), today=TODAY).papers
    return [(p.title, p.authors_count or len(p.authors), p.upvotes) for p in saved]


def _chromium_days_list(variant: str) -> bytes:
    """Chromium's select-all copy of the saved day's list, as copied or as it reaches a file in other ways."""
    copy = (PAGES / "hf-daily-2024-08-01.chromium.txt").read_text(encoding="utf-8")
    assert "Submitted by  akhaliq\n \n94\nThe Llama 3 Herd of Models\n·\n533 authors\n 5\nSubmitted by" in copy
    variants = {
        "as-copied": copy,
        "spaces-taken-off": re.sub(r"(?m)^[ \t]+|[ \t]+$", "", copy),
        "trailing-spaces": copy.replace("\n", "   \n"),
        "crlf": copy.replace("\n", "\r\n"),
        "cards-only": copy[copy.index("Submitted by"):],
    }
    if variant == "utf-16":
        return copy.encode("utf-16")
    return variants[variant].encode()


@pytest.mark.parametrize("variant", ["as-copied", "spaces-taken-off", "trailing-spaces", "crlf", "utf-16",
                                     "cards-only"])
def test_a_days_list_copied_from_chromium_gives_its_papers_and_nothing_of_the_site(variant: str) -> None:
    """Chromium leaves blank lines (or lines of one space) between a card's submitter and its upvotes and none
    between cards: paragraphs held the end of one card and the start of the next, and the menu with the header,
    and each became a "paper" (``Models Datasets Spaces … Sign Up new``) while none of the 13 papers came in."""
    result = parse_input(_chromium_days_list(variant), today=TODAY)
    assert (result.format, result.skipped) == ("hf-text", [])
    assert [(p.title, p.authors_count, p.upvotes) for p in result.papers] == _saved_days_list()


def test_a_part_of_a_days_list_and_two_copies_of_it_give_their_papers() -> None:
    copy = _chromium_days_list("as-copied").decode()
    cards = copy[copy.index("Submitted by"):copy.index("Submitted by  leo1117")]
    papers = hf_text.parse(cards, today=TODAY).papers
    assert [(p.title, p.authors_count, p.upvotes) for p in papers] == _saved_days_list()[:6]
    twice = hf_text.parse(copy + copy, today=TODAY).papers
    assert [(p.title, p.authors_count, p.upvotes) for p in twice] == _saved_days_list() * 2


@pytest.mark.parametrize("dump", ["lynx", "w3m"])
def test_a_terminal_browsers_dump_of_a_days_list_gives_its_papers_and_nothing_it_draws(dump: str) -> None:
    """lynx and w3m draw the page's controls and lists (``* Models``, ``(BUTTON)``, ``[ ]``, ``• [be9c948ecf]``):
    each card's upvote box became a paper (``5 Submitted by akhaliq [ ] 24``), as did the menu and the avatars
    before an author count (``* * * * * * · 6 authors``), and the papers came without counts or upvotes."""
    result = parse_input((PAGES / f"hf-daily-2024-08-01.{dump}.txt").read_bytes(), today=TODAY)
    assert (result.format, result.skipped) == ("hf-text", [])
    assert [(p.title, p.authors_count, p.upvotes) for p in result.papers] == _saved_days_list()
    assert {p.abstract for p in result.papers} == {""}
    # The last title is wrapped onto a second line ("… for Neural Radiance" / "Fields"): one title.
    assert result.papers[-1].title.endswith("for Neural Radiance Fields")


def test_a_title_in_brackets_is_no_control_a_terminal_browser_draws() -> None:
    text = _page("Dec 12", _block("[Re] Reproducing Sparse Attention", "  • 2 authors\n·\nDec 10 4"),
                 _block("* Starred: a Study of Ratings", "  • 3 authors\n·\nDec 9"))
    titles = [p.title for p in hf_text.parse(text, today=TODAY).papers]
    assert titles == ["[Re] Reproducing Sparse Attention", "* Starred: a Study of Ratings"]


def test_a_copy_whose_titles_show_nothing_of_a_card_is_refused() -> None:
    """Lines of a page read as titles with no abstract, author count, date or upvotes under any of them are lines
    of a page laid out otherwise: they are not added as papers, and the import says why."""
    text = CHROME + "Aug 1\n\nSome line of the page\n\nAnother line\n\nA third one\n"
    with pytest.raises(ImportFormatError, match="none of the 3 titles it seems to hold has an abstract"):
        parse_input(text.encode(), today=TODAY)


def test_site_lines_between_cards_of_a_copy_with_abstracts_are_dropped() -> None:
    seed = _seed("001_eaf0a1b246e94eca.txt").decode()
    head, cards = seed.split("Dec 12\n\n", 1)
    nav = "Hugging Face\n\nModels\n\nDatasets\n\nSpaces\n\nPosts\n\nDocs\n\nPricing\n\nLog In\n\nSign Up\n\n"
    card = re.compile(r"\n\n(?=[^\n]+\n\n[^\n]+\n\n(?:  • |[^\n]+\n·\n))")
    busy = card.sub("\n\nUpvote\n\n12\n\nSubmitted by\n\nakhaliq\n\n", cards)
    text = nav + head + "Dec 12\n\n" + busy + "\n\nPrevious\n\nNext\n\nCompany\n\nTOS\n\nPrivacy\n\nAbout\n\nJobs\n"
    assert busy.count("Submitted by") == 52
    assert _plain(hf_text.parse(text, today=TODAY).papers) == _plain(hf_text.parse(seed, today=TODAY).papers)


# -- the headers of a week's and a month's lists --------------------------------------------------------------

def _seed_001_with_header(header: str) -> bytes:
    """Seed 001 with its day header (``Dec 12``) replaced by the header of another list page."""
    text = (SEEDS / "001_eaf0a1b246e94eca.txt").read_text(encoding="utf-8")
    assert text.count("\nDec 12\n") == 1
    return text.replace("\nDec 12\n", f"\n{header}\n").encode()


@pytest.mark.parametrize("header", ["Week 49, 2025", "Week 49 2025", "2025-W49", "December 2025", "Dec 2025"])
def test_a_week_or_month_header_is_the_page_date_not_a_paper(header: str) -> None:
    seed = hf_text.parse(_seed("001_eaf0a1b246e94eca.txt"), today=TODAY)
    listed = hf_text.parse(_seed_001_with_header(header), today=TODAY)
    assert listed.skipped == []
    # Week 49 of 2025 (Dec 1-7) and December 2025 give the dates the seed's Dec 12 (2025) gives.
    assert _plain(listed.papers) == _plain(seed.papers)


@pytest.mark.parametrize("header", ["Week 2, 2025", "January 2025"])
def test_a_week_or_month_header_gives_its_year_to_dates_without_one(header: str) -> None:
    by_title = _by_title(hf_text.parse(_seed_001_with_header(header), today=TODAY).papers)
    assert header not in by_title and len(by_title) == 53
    assert by_title["Better Language Model Inversion by Compactly Representing Next-Token Distributions"].published \
        == "2024-06-20"  # "Jun 20" on a page of January 2025
    assert by_title["Data Factors for Better Compositional Generalization"].published == "2023-11-07"  # has its year


def test_a_week_without_a_year_is_the_latest_that_has_begun() -> None:
    text = _page("Week 48", _block("P", "  • 2 authors\n·\nNov 27 3"))
    # On 2026-11-22 week 48 of 2026 (from Nov 23) has not begun: the page is of 2025-W48 (Nov 24-30, 2025).
    (paper,) = hf_text.parse(text, today=TODAY).papers
    assert paper.published == "2025-11-27"
    (with_year,) = hf_text.parse(text, today=TODAY, year=2024).papers
    assert with_year.published == "2024-11-27"


def test_the_tabs_of_the_list_pages_are_no_papers() -> None:
    text = CHROME + "Daily\n\nWeekly\n\nMonthly\n\nDecember 2025\n\n" + _block("P", "  • 2 authors\n·\nDec 3 4")
    (paper,) = hf_text.parse(text, today=TODAY).papers
    assert (paper.title, paper.published, paper.upvotes) == ("P", "2025-12-03", 4)


# -- copies without any blank lines ---------------------------------------------------------------------------

def _without_blank_lines(text: str) -> str:
    return "\n".join(line for line in text.split("\n") if line.strip())


SEED_NAMES = ["001_eaf0a1b246e94eca.txt", "003_6b1eaca390782b18.txt", "004_6a8d34ca215b19e0.txt"]


@pytest.mark.parametrize("name", SEED_NAMES)
def test_a_copy_without_any_blank_line_reads_as_the_seed(name: str) -> None:
    seed = hf_text.parse(_seed(name), today=TODAY)
    squeezed = parse_input(_without_blank_lines(_seed(name).decode("utf-8")).encode(), today=TODAY)
    assert squeezed.format == "hf-text" and squeezed.skipped == []
    assert _plain(squeezed.papers) == _plain(seed.papers)
    assert len(squeezed.papers) == {"001": 53, "003": 95, "004": 75}[name[:3]]


@pytest.mark.parametrize("layout", ["metadata-on-one-line", "crlf"])
def test_a_copy_without_any_blank_line_in_other_layouts(layout: str) -> None:
    seed = hf_text.parse(_seed("001_eaf0a1b246e94eca.txt"), today=TODAY)
    text = _without_blank_lines(_seed("001_eaf0a1b246e94eca.txt").decode("utf-8"))
    data = re.sub(r"\n·\n", " · ", text).encode() if layout == "metadata-on-one-line" else text.replace(
        "\n", "\r\n").encode()
    squeezed = hf_text.parse(data, today=TODAY)
    assert _plain(squeezed.papers) == _plain(seed.papers)
    spiral = next(p for p in squeezed.papers if p.title.startswith("Combinatorial Creativity"))
    assert (spiral.organization, spiral.upvotes, spiral.published) == ("Spiral Works", 2, "2025-09-25")


@pytest.mark.parametrize("joint", ["", "\n"], ids=["glued", "one-newline"])
def test_copies_without_blank_lines_joined_into_one_file(joint: str) -> None:
    first, second = _seed("001_eaf0a1b246e94eca.txt"), _seed("003_6b1eaca390782b18.txt")
    expected = hf_text.parse(first + b"\n" + second, today=TODAY)
    squeezed = (_without_blank_lines(first.decode("utf-8")) + joint
                + _without_blank_lines(second.decode("utf-8"))).encode()
    joined = hf_text.parse(squeezed, today=TODAY)
    assert joined.skipped == []
    assert _plain(joined.papers) == _plain(expected.papers)


def test_a_days_list_copied_without_blank_lines_reads_as_with_them() -> None:
    copy = _daily_page_copy()
    squeezed = hf_text.parse(_without_blank_lines(copy), today=TODAY)
    assert len(squeezed.papers) == 13
    assert _plain(squeezed.papers) == _plain(hf_text.parse(copy, today=TODAY).papers)


def test_site_lines_and_cards_without_blank_lines_read_as_the_seed() -> None:
    seed = _seed("001_eaf0a1b246e94eca.txt").decode()
    card = re.compile(r"\n\n(?=[^\n]+\n\n[^\n]+\n\n(?:  • |[^\n]+\n·\n))")
    busy = card.sub("\n\nUpvote\n\n12\n\nSubmitted by\n\nakhaliq\n\n", seed)
    assert busy.count("Submitted by") == 53
    text = "Hugging Face\nModels\nDatasets\nLog In\n" + _without_blank_lines(busy) + "\nPrevious\nNext\nTOS\n"
    assert _plain(hf_text.parse(text, today=TODAY).papers) == _plain(hf_text.parse(seed, today=TODAY).papers)


@pytest.mark.parametrize("name", SEED_NAMES)
def test_a_copy_with_a_blank_line_after_every_line_reads_as_the_seed(name: str) -> None:
    """As an editor that double-spaces a paste gives it: each line of a metadata block a paragraph."""
    seed = hf_text.parse(_seed(name), today=TODAY)
    lines = [line for line in _seed(name).decode("utf-8").split("\n") if line.strip()]
    spread = parse_input("\n\n".join(lines).encode(), today=TODAY)
    assert spread.format == "hf-text" and spread.skipped == []
    assert _plain(spread.papers) == _plain(seed.papers)


def _folded(text: str, width: int = 80) -> str:
    """``text`` as ``fold -s -w 80`` wraps it: a longer line broken at its last space before the width, the space
    kept at the end of the line."""
    return "\n".join(" \n".join(textwrap.wrap(line, width - 1, break_on_hyphens=False, break_long_words=False))
                     if len(line) > width else line for line in text.split("\n"))


@pytest.mark.parametrize("name", SEED_NAMES)
def test_a_copy_wrapped_at_80_columns_reads_as_the_seed(name: str) -> None:
    """A copy passed through a program that wraps lines (a mail program, ``fold``) kept its line breaks in the
    abstracts: importing it over the copy it was made from changed every abstract."""
    seed = hf_text.parse(_seed(name), today=TODAY)
    folded = parse_input(_folded(_seed(name).decode("utf-8")).encode(), today=TODAY)
    assert (folded.format, folded.skipped) == ("hf-text", [])
    assert sum("\n" in p.abstract for p in folded.papers) == 0
    assert _plain(folded.papers) == _plain(seed.papers)


@pytest.mark.parametrize("byline", ["by AK and the research community", None])
def test_the_page_date_is_read_with_the_byline_spaced_or_without_the_header(byline: str | None) -> None:
    """Other browsers keep the space in "by AK"; a selection may start at the page's date, below the header."""
    seed_text = _seed("001_eaf0a1b246e94eca.txt").decode("utf-8")
    start = seed_text.index("byAK and the research community")
    variant = (seed_text.replace("byAK", "by AK", 1) if byline
               else seed_text[start + len("byAK and the research community"):].lstrip())
    seed = hf_text.parse(_seed("001_eaf0a1b246e94eca.txt"), today=TODAY)
    read = parse_input(variant.encode(), today=TODAY)
    assert read.format == "hf-text"
    assert _plain(read.papers) == _plain(seed.papers)
    assert not any(p.title in ("Dec 12", "by AK and the research community") for p in read.papers)


def test_a_selection_of_cards_with_the_metadata_on_one_line_is_recognised() -> None:
    text = _block("Some Paper", "  • 5 authors · Oct 3, 2023")
    assert hf_text.sniff(text)
    assert parse_input(text.encode(), today=TODAY).papers[0].authors_count == 5


def test_titles_and_abstracts_without_the_page_header_name_the_format_to_use() -> None:
    text = "\n\n".join(_seed("003_6b1eaca390782b18.txt").decode("utf-8").split("\n\n")[8:14])
    with pytest.raises(ImportFormatError, match="read with --format hf-text"):
        parse_input(text.encode(), today=TODAY)
    assert parse_input(text.encode(), fmt="hf-text", today=TODAY).papers
    with pytest.raises(ImportFormatError) as garbage:  # a long line that is no prose gets no such advice
        parse_input(("x" * 5000 + "\n").encode(), today=TODAY)
    assert str(garbage.value).endswith("hf-text)")


def test_a_copy_of_one_papers_page_names_the_id_to_import_it_by() -> None:
    """A paper's page is no list of cards: read as one, its author names and buttons would become papers."""
    soup = BeautifulSoup((PAGES / "hf-paper-2509.24002-prettified.html").read_text(encoding="utf-8"), "html.parser")
    for tag in soup(["script", "style", "title"]):
        tag.decompose()
    copy = "\n\n".join(line.strip() for line in soup.get_text("\n").splitlines() if line.strip())
    with pytest.raises(ImportFormatError) as raised:
        parse_input(copy.encode(), today=TODAY)
    assert str(raised.value).endswith("; it names arXiv:2509.24002: `readlist import 2509.24002` imports it")
    assert "--format" not in str(raised.value)


def test_a_one_sentence_abstract_in_a_copy_without_metadata_stays_its_papers() -> None:
    """Seed 003 has no metadata blocks: a short abstract was read as a paper of its own, without abstract."""
    paragraphs = _seed("003_6b1eaca390782b18.txt").decode("utf-8").split("\n\n")
    at = paragraphs.index("A Tutorial on Bayesian Optimization")
    paragraphs[at + 1] = "We review Bayesian optimization."
    # A title ending with a full stop, its abstract below, stays a title.
    paragraphs[at + 2: at + 2] = ["Attention Is Not All You Need.", ABSTRACT]
    papers = _by_title(hf_text.parse("\n\n".join(paragraphs), today=TODAY).papers)
    assert papers["A Tutorial on Bayesian Optimization"].abstract == "We review Bayesian optimization."
    assert papers["Attention Is Not All You Need."].abstract == ABSTRACT
    assert "We review Bayesian optimization." not in papers
    assert len(papers) == 96


def test_one_byte_that_is_not_utf8_leaves_the_copy_read_as_utf8() -> None:
    # A damaged copy used to be read whole as cp1252: every `•` and `·` became mojibake and each paper's
    # `â€¢ 3 authors` line a paper of its own (106 "papers" instead of 53).
    seed = _seed("001_eaf0a1b246e94eca.txt")
    at = seed.index(b"Data Factors")
    clean = parse_input(seed, today=TODAY)
    damaged = parse_input(seed[:at] + b"\xff" + seed[at:], today=TODAY)
    assert len(damaged.papers) == len(clean.papers) == 53
    assert not any("â€" in p.title or "Â·" in p.title for p in damaged.papers)
    assert any(p.title.startswith("\ufffdData Factors") for p in damaged.papers)
    assert damaged.notes[0] == (
        "input", "1 byte that is not valid UTF-8 read as \ufffd (U+FFFD); the rest is read as UTF-8"
    )
    assert not clean.notes


def test_a_legacy_encoded_copy_is_still_read_as_cp1252_and_the_report_says_so() -> None:
    from readlist.importers.base import decode_counted

    # No valid multi-byte UTF-8 at all, or no more of it than bytes that are not UTF-8: a legacy encoding.
    assert decode_counted("Müller · Déjà vu • été".encode("cp1252")) == ("Müller · Déjà vu • été", "Windows-1252")
    # More valid UTF-8 characters than bad bytes: UTF-8, the bad ones counted.
    assert decode_counted("Déjà vu • ".encode() + b"\x96\xff") == ("Déjà vu • \ufffd\ufffd", 2)
    seed = _seed("001_eaf0a1b246e94eca.txt").decode().replace("Data Factors", "Données Factors")
    result = parse_input(seed.encode("cp1252"), today=TODAY)
    assert any(p.title.startswith("Données Factors") for p in result.papers)
    assert result.notes[0] == ("input", "not UTF-8: read as Windows-1252; if letters look wrong, convert the file "
                                        "to UTF-8 and import again")


@pytest.mark.parametrize(("encoding", "shown"), [("cp1251", "Îáîáùåíèå"), ("shift_jis", "“ú–"),
                                                 ("gb2312", "ÖÐÎÄ")])
def test_a_copy_in_another_legacy_encoding_is_refused_not_read_garbled(encoding: str, shown: str) -> None:
    """Read as Windows-1252, a Cyrillic or Japanese copy's text came out garbled, and a re-import put it in
    place of good abstracts with no word said."""
    words = {"cp1251": "Обобщение длины", "shift_jis": "日本語の", "gb2312": "中文"}[encoding]
    seed = _seed("001_eaf0a1b246e94eca.txt").decode().replace("Data Factors", f"{words} Data Factors")
    with pytest.raises(ImportFormatError, match=(
            f"^input is not UTF-8, and read as Windows-1252 it comes out garbled \\({re.escape(shown)}[^)]*\\): it is "
            "in another encoding; convert it to UTF-8")):
        parse_input(seed.encode(encoding, errors="replace"), today=TODAY)


def test_a_saved_page_is_read_in_the_encoding_it_declares() -> None:
    page = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'
            '<meta name="citation_title" content="Обобщение длины: Length Generalization">'
            '<meta name="citation_author" content="Иванов, Пётр"><meta name="citation_arxiv_id" content="2401.00001">'
            '</head><body></body></html>')
    result = parse_input(page.encode("cp1251"), today=TODAY)
    assert [p.title for p in result.papers] == ["Обобщение длины: Length Generalization"]
    assert result.notes[0] == ("input", "not UTF-8: read as windows-1251; if letters look wrong, convert the file "
                                        "to UTF-8 and import again")


# -- copies cut short -----------------------------------------------------------------------------------------

LORA = "LoRA vs Full Fine-tuning: An Illusion of Equivalence"


def test_a_copy_that_ends_inside_the_last_abstract_says_so_and_leaves_the_cut_abstract_out(tmp_path: Path) -> None:
    """A selection that stops mid-sentence gave the last paper half its abstract without a word; imported over the
    paper the library has, it would replace the whole abstract."""
    from readlist.app.imports import ImportPapers
    from readlist.storage.library import Library

    seed = _seed("001_eaf0a1b246e94eca.txt").decode("utf-8")
    cut = seed[:seed.index("in the number of trainable parameters") + len("in the number of trainable parameters")]
    result = parse_input(cut.encode(), today=TODAY)
    assert [p.title for p in result.papers][-1] == LORA
    assert result.notes == [
        (LORA, "the copy ends inside this paper's abstract, which is left out; copy the whole card to add it")
    ]
    assert result.papers[-1].abstract == ""
    assert all(p.abstract for p in result.papers[:-1])
    # Imported over the whole copy, the paper keeps its whole abstract.
    whole = _by_title(hf_text.parse(seed, today=TODAY).papers)[LORA]
    lib = Library(tmp_path / "lib.json")
    ImportPapers([whole], "whole.txt").execute(lib)
    ImportPapers(result.papers, "cut.txt").execute(lib)
    kept = lib.get(whole.id)
    assert kept is not None and kept.abstract == whole.abstract and len(whole.abstract) > len(cut.split("\n")[-1])


def test_a_copy_that_ends_after_a_title_says_the_title_may_be_cut() -> None:
    seed = _seed("001_eaf0a1b246e94eca.txt").decode("utf-8")
    result = parse_input(seed[:seed.index(LORA) + len(LORA)].encode(), today=TODAY)
    assert (result.papers[-1].title, result.papers[-1].abstract) == (LORA, "")
    assert result.notes == [(LORA, "the copy ends after this title, which may be cut short; copy the whole card to "
                                   "complete it")]


@pytest.mark.parametrize("name", SEED_NAMES)
def test_a_copy_cut_after_a_whole_abstract_is_not_said_to_be_cut(name: str) -> None:
    """An abstract that ends as abstracts do (a full stop, a link) is whole; in a copy without metadata blocks the
    last abstract may end without either (``… in auditing pre-trained language models``), and is never flagged."""
    paragraphs = _seed(name).decode("utf-8").split("\n\n")
    for end in range(len(paragraphs)):
        if len(paragraphs[end]) > 300:  # an abstract
            result = hf_text.parse("\n\n".join(paragraphs[:end + 1]), today=TODAY)
            assert result.notes == [], paragraphs[end][-80:]
