"""Hugging Face API JSON: daily-papers lists, single papers and lists of papers."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from readlist.importers import ImportFormatError, ParseResult, hf_json, parse_input

PAGES = Path(__file__).parent.parent / "fixtures" / "pages"


def _props(name: str, target: str) -> dict:
    text = (PAGES / name).read_text(encoding="utf-8")
    match = re.search(rf"""data-target="{target}"[^>]*?data-props="([^"]*)\"""", text) or re.search(
        rf"""data-props='([^']*)'[^>]*data-target="{target}\"""", text
    )
    assert match, f"no {target} props in {name}"
    return json.loads(html.unescape(match.group(1)))


@pytest.fixture(scope="module")
def daily_entries() -> list[dict]:
    return _props("hf-daily-2024-08-01.html", "DailyPapers")["dailyPapers"]


@pytest.fixture(scope="module")
def single_paper() -> dict:
    return _props("hf-paper-2509.24002-prettified.html", "PaperContent")["paper"]


def test_daily_papers_response(daily_entries: list[dict]) -> None:
    text = json.dumps(daily_entries)
    assert hf_json.sniff(text)
    result = parse_input(text, source="daily.json")
    assert result.format == "hf-json"
    assert len(result.papers) == 13
    tora = next(p for p in result.papers if p.id == "2407.21705")
    assert tora.title == "Tora: Trajectory-oriented Diffusion Transformer for Video Generation"
    assert tora.upvotes == 24
    assert tora.authors_count == len(tora.authors) == 5
    assert tora.published == "2024-07-31"
    assert tora.url == "https://huggingface.co/papers/2407.21705"


def test_single_paper_object(single_paper: dict) -> None:
    result = parse_input(json.dumps(single_paper, indent=2), source="paper.json")
    assert result.format == "hf-json"
    (paper,) = result.papers
    assert paper.arxiv_id == "2509.24002"
    assert paper.title == "MCPMark: A Benchmark for Stress-Testing Realistic and Comprehensive MCP Use"
    assert paper.authors[0] == "Zijian Wu" and len(paper.authors) == 15
    assert paper.upvotes == 118
    assert paper.abstract.startswith("MCP standardizes how LLMs interact with external systems")


def test_list_of_paper_objects(daily_entries: list[dict], single_paper: dict) -> None:
    papers = [entry["paper"] for entry in daily_entries[:3]] + [single_paper]
    result = hf_json.parse(json.dumps(papers))
    assert [p.id for p in result.papers] == ["2407.21783", "2407.21705", "2407.21770", "2509.24002"]


def test_saved_props_object(daily_entries: list[dict]) -> None:
    result = hf_json.parse(json.dumps({"date": "2024-08-01", "dailyPapers": daily_entries[:2]}))
    assert [p.title for p in result.papers] == [
        "The Llama 3 Herd of Models",
        "Tora: Trajectory-oriented Diffusion Transformer for Video Generation",
    ]


def test_malformed_records_are_skipped_not_fatal() -> None:
    data = [
        {"paper": {"id": "2401.00001", "title": "Good", "authors": "not a list", "upvotes": "7",
                   "publishedAt": "2024-13-45"}},
        {"paper": {"id": 5, "title": None}},
        42,
        {"other": 1},
    ]
    result = hf_json.parse(json.dumps(data))
    (good,) = result.papers
    assert good.title == "Good" and good.authors == [] and good.upvotes is None and good.published is None
    assert len(result.skipped) == 3
    assert result.skipped[1] == ("item 3", "not a paper record")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"paper": ', "not valid JSON"),
        ('{"foo": 1, "authors": 2}', "no Hugging Face papers"),
        ('[{"paper": {"title": ""}}]', "no papers found"),
        ("[" * 50000 + "]" * 50000, "nested too deeply|not valid JSON"),
    ],
)
def test_bad_json_is_a_format_error(text: str, message: str) -> None:
    with pytest.raises(ImportFormatError, match=message):
        hf_json.parse(text)


def test_sniff() -> None:
    assert hf_json.sniff('[{"paper": {"id": "1"}}]')
    assert hf_json.sniff('  {"id": "2401.00001", "title": "x", "summary": "y"}')
    assert not hf_json.sniff('{"name": "package.json"}')
    assert not hf_json.sniff("@article{x, title={y}}")
    assert not hf_json.sniff('Daily Papers\n\n{"paper": 1}')


def test_readlist_json_export_reads_back(tmp_path: Path) -> None:
    """A list of readlist records (``list --json`` / JSON export) is recognised and keeps its fields."""
    records = [
        {"id": "t-0123456789", "arxiv_id": None, "title": "No Id Paper", "abstract": "Text.", "authors": ["A B"],
         "published": "2023-04-05", "url": "https://example.org/p", "upvotes": None, "tags": ["x"]},
        {"id": "2401.00001", "arxiv_id": "2401.00001", "title": "With Id", "abstract": "", "authors": [],
         "published": None, "url": "https://arxiv.org/abs/2401.00001", "upvotes": 3},
    ]
    no_id, with_id = parse_input(json.dumps(records)).papers
    assert no_id.arxiv_id is None and no_id.url == "https://example.org/p"  # never an HF URL for a non-arXiv id
    assert no_id.published == "2023-04-05" and no_id.abstract == "Text." and no_id.authors == ["A B"]
    assert no_id.tags == []  # tags are the user's; JSON never sets them
    assert with_id.url == "https://huggingface.co/papers/2401.00001" and with_id.upvotes == 3


@pytest.mark.parametrize("count", ["1e999", "NaN", "-3", "100000000000000000000000000000", "2.5", "true"])
def test_a_count_no_paper_can_hold_is_left_out(count: str) -> None:
    text = (f'[{{"paper": {{"id": "2401.00001", "title": "T", "summary": "S", "upvotes": {count}}}}},'
            '{"paper": {"id": "2401.00002", "title": "U", "summary": "S", "upvotes": 9007199254740991}}]')
    bad, good = hf_json.parse(text).papers
    assert bad.title == "T" and bad.upvotes is None
    assert good.upvotes == 9007199254740991


def test_a_value_that_overflows_while_a_record_is_checked_skips_only_that_record() -> None:
    result = ParseResult(format="test")
    result.add({"title": "Infinite", "rating": float("inf")}, "Infinite")
    result.add({"title": "Fine", "rating": 2}, "Fine")
    assert [p.title for p in result.papers] == ["Fine"]
    assert [item for item, _ in result.skipped] == ["Infinite"]
