"""Import fidelity on held-out shapes: hidden-flagged authors, one-sentence abstracts in text copies."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

from readlist.importers import hf_html, hf_text, parse_input

FIXTURES = Path(__file__).parent.parent / "fixtures"
SEED = FIXTURES / "seeds" / "001_eaf0a1b246e94eca.txt"
TODAY = date(2025, 12, 20)


def test_hf_json_keeps_the_hidden_first_author() -> None:
    data = (FIXTURES / "net" / "hf-api-paper-2410.17897.json").read_bytes()
    (paper,) = parse_input(data, source="2410.17897.json").papers
    assert paper.id == "2410.17897"
    assert paper.authors[0] == "Zhanchao Zhou"
    assert paper.authors == ["Zhanchao Zhou", "Tianyi Wu", "Zhiyun Jiang", "Zhenzhong Lan"]
    assert paper.authors_count == 4
    assert paper.ai_keywords == ["value residual learning", "attention concentration", "Transformers"]


def test_hf_json_daily_list_with_a_hidden_author() -> None:
    data = (FIXTURES / "net" / "hf-api-daily-2024-08-01.json").read_bytes()
    result = parse_input(data)
    assert result.format == "hf-json"
    humanoid = next(p for p in result.papers if p.arxiv_id == "2407.21781")
    assert "Xuanyu Huang" in humanoid.authors
    assert humanoid.authors_count == 6


def test_hf_paper_page_markup_keeps_folded_away_authors() -> None:
    page = (FIXTURES / "pages" / "hf-paper-2509.24002-prettified.html").read_text(encoding="utf-8")
    without_json = page.replace("PaperContent", "Removed")  # force the visible-markup reader
    spans = list(re.finditer(r'<span class="author flex items-center">', without_json))
    assert len(spans) > 3
    second = spans[1]
    hidden = without_json[: second.start()] + '<span class="author flex items-center hidden" hidden>' + \
        without_json[second.end():]
    full = hf_html.parse(without_json, today=TODAY).papers[0]
    folded = hf_html.parse(hidden, today=TODAY).papers[0]
    assert folded.authors == full.authors
    assert full.authors[1] == "Xiangyan Liu"


def _seed_with_short_abstract(abstract: str) -> str:
    text = SEED.read_text(encoding="utf-8")
    start = text.index("Recent diagnostic datasets on compositional generalization")
    end = text.index("\n", start)
    return text[:start] + abstract + text[end:]


def test_one_sentence_abstract_before_a_metadata_block_is_the_abstract() -> None:
    short = "We show that data factors matter for compositional generalization."
    assert len(short) < 250
    result = hf_text.parse(_seed_with_short_abstract(short), today=TODAY)
    original = hf_text.parse(SEED.read_bytes(), today=TODAY)
    assert len(result.papers) == len(original.papers) == 53
    first = result.papers[0]
    assert first.title == "Data Factors for Better Compositional Generalization"
    assert first.abstract == short
    assert first.authors_count == 3
    assert first.published == "2023-11-07"
    assert all(p.title != short for p in result.papers)


def test_very_short_abstract_without_a_final_stop() -> None:
    result = hf_text.parse(_seed_with_short_abstract("A benchmark"), today=TODAY)
    assert result.papers[0].abstract == "A benchmark"
    assert result.papers[0].authors_count == 3


def test_title_directly_followed_by_its_metadata_block() -> None:
    text = "Daily Papers\n\nSubscribe\n\nA Paper With No Abstract\n\n  • 2 authors\n·\nJun 20 2\n"
    (paper,) = hf_text.parse(text, today=TODAY).papers
    assert paper.title == "A Paper With No Abstract"
    assert paper.abstract == ""
    assert paper.authors_count == 2


def test_pages_without_metadata_still_use_the_length_rule() -> None:
    text = (FIXTURES / "seeds" / "003_6b1eaca390782b18.txt").read_text(encoding="utf-8")
    result = hf_text.parse(text, today=TODAY)
    assert len(result.papers) == 95
    assert all(len(p.abstract) > 250 for p in result.papers)


def test_saved_api_answer_is_not_taken_for_a_text_copy() -> None:
    raw = json.loads((FIXTURES / "net" / "hf-api-daily-item-2602.23229.json").read_text(encoding="utf-8"))
    result = parse_input(json.dumps(raw))
    assert result.format == "hf-json"
    assert result.papers[0].ai_summary is not None
