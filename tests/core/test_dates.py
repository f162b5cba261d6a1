"""Publication dates keep their real precision; an arXiv id gives the year and month when nothing else does."""

from __future__ import annotations

import calendar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from readlist.core.dates import PartialDate, arxiv_date, effective_date, effective_year, refines, sort_key
from readlist.core.model import Paper, ValidationError
from readlist.core.query import parse_query, sort_papers


def test_partial_dates_keep_only_real_parts() -> None:
    assert PartialDate.parse("2023") == PartialDate(2023)
    assert PartialDate.parse("2023-11") == PartialDate(2023, 11)
    assert PartialDate.parse("2023-11-05") == PartialDate(2023, 11, 5)
    assert PartialDate.parse("2023-13-45") == PartialDate(2023)  # no month 13: the year alone
    assert PartialDate.parse("2023-02-30") == PartialDate(2023, 2)
    assert PartialDate.parse("2024-02-29") == PartialDate(2024, 2, 29)
    assert PartialDate.parse("") is None and PartialDate.parse("June") is None
    assert [PartialDate(2023).iso(), PartialDate(2023, 1).iso(), PartialDate(2023, 1, 2).iso()] == [
        "2023", "2023-01", "2023-01-02"]
    assert PartialDate(2023, 11).parts() == [2023, 11]


@pytest.mark.parametrize(
    ("arxiv_id", "expected"),
    [
        ("2011.00552", PartialDate(2020, 11)),
        ("0704.0001", PartialDate(2007, 4)),
        ("2501.12345", PartialDate(2025, 1)),
        ("hep-th/9901001", PartialDate(1999, 1)),
        ("math.GT/0309136", PartialDate(2003, 9)),
        ("cond-mat/0701001", PartialDate(2007, 1)),
        ("2013.00001", None),  # no month 13
        ("not-an-id", None),
        (None, None),
    ],
)
def test_arxiv_ids_give_year_and_month(arxiv_id: str | None, expected: PartialDate | None) -> None:
    assert arxiv_date(arxiv_id) == expected


def test_effective_date_prefers_the_record_and_completes_it_from_the_id() -> None:
    assert effective_date(None, "2011.00552") == PartialDate(2020, 11)
    assert effective_date("2020", "2011.00552") == PartialDate(2020, 11)  # the id agrees and says more
    assert effective_date("2020-11-02", "2011.00552") == PartialDate(2020, 11, 2)
    assert effective_date("2021", "2011.00552") == PartialDate(2021)  # a journal year: kept as given
    assert effective_date("2023", None) == PartialDate(2023)
    assert effective_year(None, "hep-th/9901001") == 1999 and effective_year(None, None) is None
    assert sort_key(None, "2011.00552") == "2020-11" < sort_key("2020-11-02", None)


def test_the_record_accepts_year_and_month_precision() -> None:
    for value in ("2023", "2023-11", "2023-11-05"):
        assert Paper.create(title="T", published=value).published == value
    for value in ("2023/11", "23-11-05", "2023-1", "Nov 2023"):
        with pytest.raises(ValidationError, match="YYYY, YYYY-MM or YYYY-MM-DD"):
            Paper.create(title="T", published=value)
    paper = Paper.create(title="T", arxiv_id="2011.00552")
    assert (paper.published, paper.year, paper.month) == (None, 2020, 11)
    assert Paper.create(title="T", published="2023").month is None  # never a month from a year alone


def test_queries_and_sorting_use_the_effective_date() -> None:
    papers = [
        Paper.create(title="From Id", arxiv_id="2011.00552"),
        Paper.create(title="Year Only", published="2020"),
        Paper.create(title="Full Day", published="2020-12-24"),
        Paper.create(title="Undated"),
    ]
    assert [p.title for p in parse_query("year:2020").filter(papers)] == ["From Id", "Year Only", "Full Day"]
    assert [p.title for p in parse_query("year<2020").filter(papers)] == []
    assert [p.title for p in sort_papers(papers, "date")] == ["Full Day", "From Id", "Year Only", "Undated"]


@pytest.mark.parametrize("published", [None, "2020", "2020-11", "2020-11-02", "2023-13-45"])
@pytest.mark.parametrize("arxiv_id", [None, "2011.00552", "2013.00001", "0704.0001", "hep-th/9901001", "x"])
def test_the_sort_key_fast_paths_agree_with_the_effective_date(published: str | None, arxiv_id: str | None) -> None:
    found = effective_date(published, arxiv_id)
    if published and len(published) == 10 and found and found.precision < 3:
        return  # an impossible day sorts by its text, like any stored day
    assert sort_key(published, arxiv_id) == (found.iso() if found else "")


def test_refines_tells_a_merge_when_a_date_says_more() -> None:
    assert refines("2023", "2023-11-05") and refines("2023-11", "2023-11-05") and refines(None, "2023")
    assert not refines("2023-11-05", "2023") and not refines("2023", "2024-01-01")
    assert not refines("2023-11", "2023-12-01") and not refines("2023", "2023-13-45") and not refines("2023", None)


@given(year=st.integers(1, 9999), month=st.integers(1, 12), day=st.integers(0, 32),
       arxiv_id=st.sampled_from([None, "2011.00552", "2302.12345", "0704.0001", "hep-th/9901001", "x"]))
def test_the_effective_date_shortcuts_give_what_the_plain_rules_give(
    year: int, month: int, day: int, arxiv_id: str | None
) -> None:
    """A known day is returned without looking at the id, and days come from a table: same results as the rules."""
    real_day = 1 <= day <= calendar.monthrange(year, month)[1]
    full = PartialDate(year, month, day) if real_day else PartialDate(year, month)
    cases = [(f"{year:04d}", PartialDate(year)), (f"{year:04d}-{month:02d}", PartialDate(year, month)),
             (f"{year:04d}-{month:02d}-{day:02d}", full)]
    for published, expected in cases:
        own = PartialDate.parse(published)
        assert own == expected
        assert own is not None
        assert own.precision == len(own.parts())
        from_id = arxiv_date(arxiv_id)
        plain = from_id if from_id is not None and own.precision < from_id.precision and own.agrees_with(from_id) \
            else own
        assert effective_date(published, arxiv_id) == plain
