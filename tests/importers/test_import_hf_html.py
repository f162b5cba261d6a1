"""Hugging Face HTML pages: list pages and paper pages, from their JSON and from their visible markup."""

from __future__ import annotations

import html
import json
import re
from datetime import date
from pathlib import Path

import pytest

from readlist.importers import ImportFormatError, hf_html, parse_input

PAGES = Path(__file__).parent.parent / "fixtures" / "pages"
DAILY = PAGES / "hf-daily-2024-08-01.html"
PAPER = PAGES / "hf-paper-2509.24002-prettified.html"
TODAY = date(2026, 11, 22)


def _without_props(text: str) -> str:
    """The page as it would look if the hydrater JSON were missing."""
    text = re.sub(r"""data-props=("[^"]*"|'[^']*')""", "", text)
    return text.replace('data-target="DailyPapers"', "").replace('data-target="PaperContent"', "")


@pytest.fixture(scope="module")
def daily() -> dict[str, object]:
    result = hf_html.parse(DAILY.read_bytes(), source="daily.html", today=TODAY)
    return {"result": result, "by_id": {p.id: p for p in result.papers}}


def test_daily_page_gives_13_papers_with_ids(daily: dict) -> None:
    result = daily["result"]
    assert result.format == "hf-html"
    assert len(result.papers) == 13
    assert result.skipped == []
    assert all(p.arxiv_id and p.url == f"https://huggingface.co/papers/{p.arxiv_id}" for p in result.papers)
    assert [p.id for p in result.papers][:3] == ["2407.21783", "2407.21705", "2407.21770"]


def test_daily_page_llama_record(daily: dict) -> None:
    llama = daily["by_id"]["2407.21783"]
    assert llama.title == "The Llama 3 Herd of Models"
    assert llama.upvotes == 94
    assert len(llama.authors) == 533
    assert llama.authors_count == 533
    assert llama.authors[:3] == ["Abhimanyu Dubey", "Abhinav Jauhri", "Abhinav Pandey"]
    assert llama.published == "2024-07-31"
    assert llama.abstract.startswith("Modern artificial intelligence (AI) systems are powered by foundation models.")


def test_daily_page_title_and_abstract_are_unwrapped(daily: dict) -> None:
    moma = daily["by_id"]["2407.21770"]
    assert moma.title == "MoMa: Efficient Early-Fusion Pre-training with Mixture of Modality-Aware Experts"
    assert moma.upvotes == 19
    assert moma.authors == [
        "Xi Victoria Lin", "Akshat Shrivastava", "Liang Luo", "Srinivasan Iyer", "Mike Lewis", "Gargi Gosh",
        "Luke Zettlemoyer", "Armen Aghajanyan",
    ]
    assert moma.abstract.startswith(
        "We introduce MoMa, a novel modality-aware mixture-of-experts (MoE) architecture designed for pre-training"
    )
    assert "\n" not in moma.abstract


def test_daily_page_keeps_authors_whose_profile_link_is_hidden(daily: dict) -> None:
    humanoid = daily["by_id"]["2407.21781"]
    assert humanoid.title == "Berkeley Humanoid: A Research Platform for Learning-based Control"
    # Xuanyu Huang is marked "hidden" in the page data: that hides the claimed profile, not the author.
    assert humanoid.authors == [
        "Qiayuan Liao", "Bike Zhang", "Xuanyu Huang", "Xiaoyu Huang", "Zhongyu Li", "Koushil Sreenath",
    ]
    assert humanoid.authors_count == 6
    assert humanoid.upvotes == 7


def test_daily_page_published_is_the_paper_date_not_the_daily_date(daily: dict) -> None:
    nerf = daily["by_id"]["2404.01300"]
    assert nerf.published == "2024-04-01"
    assert nerf.upvotes == 3
    assert daily["by_id"]["2407.21686"].authors == ["Gyeongsik Moon", "Takaaki Shiratori", "Shunsuke Saito"]


def test_paper_page_from_json() -> None:
    result = hf_html.parse(PAPER.read_bytes(), today=TODAY)
    assert len(result.papers) == 1
    paper = result.papers[0]
    assert paper.id == paper.arxiv_id == "2509.24002"
    assert paper.title == "MCPMark: A Benchmark for Stress-Testing Realistic and Comprehensive MCP Use"
    assert len(paper.authors) == 15
    assert paper.authors[0] == "Zijian Wu"
    assert paper.authors[-1] == "Michael Qizhe Shieh"
    assert paper.upvotes == 118
    assert paper.published == "2025-09-28"
    assert paper.organization == "National University of Singapore"
    assert paper.abstract.startswith("MCP standardizes how LLMs interact with external systems, forming the foundation")
    assert paper.url == "https://huggingface.co/papers/2509.24002"


def test_paper_page_body_fallback_without_json() -> None:
    text = _without_props(PAPER.read_text(encoding="utf-8"))
    assert "PaperContent" not in text
    assert hf_html.sniff(text)
    paper = hf_html.parse(text, today=TODAY).papers[0]
    assert paper.arxiv_id == "2509.24002"
    assert paper.title == "MCPMark: A Benchmark for Stress-Testing Realistic and Comprehensive MCP Use"
    assert paper.authors[:2] == ["Zijian Wu", "Xiangyan Liu"] and len(paper.authors) == 15
    # The abstract, not the AI-written summary above it, and no stray spaces before punctuation.
    assert paper.abstract.startswith("MCP standardizes how LLMs interact with external systems")
    assert "general agents. However" in paper.abstract
    assert "AI-generated" not in paper.abstract and "comprehensive benchmark for evaluating" not in paper.abstract
    # "Published on Sep 28" has no year: the arXiv id (2509) says 2025, not the import year.
    assert paper.published == "2025-09-28"


def test_list_page_card_fallback_on_real_markup() -> None:
    text = _without_props(DAILY.read_text(encoding="utf-8"))
    result = hf_html.parse(text, today=TODAY)
    by_id = {p.id: p for p in result.papers}
    assert len(by_id) == 13
    assert by_id["2407.21783"].title == "The Llama 3 Herd of Models"
    assert by_id["2407.21783"].upvotes == 94
    assert by_id["2407.21783"].authors_count == 533
    assert by_id["2407.21705"].upvotes == 24 and by_id["2407.21705"].authors_count == 5
    assert by_id["2404.01300"].upvotes == 3
    assert all(p.authors == [] for p in result.papers)  # cards show avatars, not reliable names


CARDS_2024 = """<!doctype html><html><body><section>
<article class="relative flex flex-col overflow-hidden rounded-xl border">
  <a href="/papers/2401.00001" class="block"><img src="thumb.png" alt=""></a>
  <div class="absolute">Submitted by <img src="a.png" alt=""> akhaliq</div>
  <div class="flex"><div class="flex w-full gap-6">
    <div class="flex flex-wrap"><a href="/login?next=%2Fpapers%2F2401.00001"><div class="shadow-alternate">
      <input type="checkbox" class="peer hidden" disabled><svg></svg><div class="leading-none">42</div>
    </div></a></div>
    <div class="w-full">
      <h3><a href="/papers/2401.00001">A Synthetic Paper About Cards</a></h3>
      <div class="flex"><a href="/papers/2401.00001" class="flex"><ul><li title="Ada"></li>
        <li class="order-first"><div class="flex"><div>·</div> 7 authors</div></li></ul></a>
      <a href="/papers/2401.00001#community" class="text-md">3</a></div>
    </div>
  </div></div>
</article>
<article class="relative flex flex-col">
  <a href="/papers/2401.00002"><img src="t.png" alt=""></a>
  <div class="flex"><div class="leading-none">0</div>
  <h3><a href="/papers/2401.00002">Second &amp; Last Card</a></h3>
  <ul><li><div>· 1 author</div></li></ul></div>
</article>
</section></body></html>"""

CARDS_2026 = """<!DOCTYPE html><html><head><title>Daily Papers - Hugging Face</title></head><body><main>
<article class="relative flex flex-col overflow-hidden rounded-xl border">
  <a href="/papers/2611.01234" class="peer relative block"><video src="https://cdn/v.mp4" poster="p.jpg" muted
     autoplay loop></video></a>
  <div class="absolute">Submitted by <a href="/someuser"><img src="u.png" alt="">someuser</a></div>
  <div class="flex w-full gap-6">
    <div class="flex flex-col items-center"><button class="upvote"><svg></svg><span>128</span></button></div>
    <div class="w-full">
      <h3 class="text-lg"><a href="/papers/2611.01234">Scaling Synthetic Agents with Organization Chips</a></h3>
      <div class="flex items-center gap-2">
        <a href="/spiralworks" class="org-chip"><img src="org.png" alt="Spiral Works"><span>Spiral Works</span></a>
        <span>·</span><span>Published on Nov 3</span>
        <a href="https://github.com/spiral/agents" class="stars"><svg></svg><span>2,345</span></a>
        <a href="/papers/2611.01234#community"><svg></svg>17</a>
      </div>
    </div>
  </div>
</article>
<article>
  <a href="https://huggingface.co/papers/2610.09999v2"><img src="t.png" alt=""></a>
  <div class="flex"><span>5</span><h3><a href="/papers/2610.09999">Another Card</a></h3><div>· 12 authors</div></div>
</article>
</main></body></html>"""


def test_synthetic_2024_cards_without_json() -> None:
    assert hf_html.sniff(CARDS_2024)
    result = parse_input(CARDS_2024, source="cards.html", today=TODAY)
    assert result.format == "hf-html"
    first, second = result.papers
    assert (first.id, first.title, first.upvotes, first.authors_count) == (
        "2401.00001", "A Synthetic Paper About Cards", 42, 7,
    )
    assert first.organization is None  # "Submitted by" is a person, not an organization
    assert first.url == "https://huggingface.co/papers/2401.00001"
    assert (second.id, second.title, second.upvotes, second.authors_count) == ("2401.00002", "Second & Last Card", 0, 1)


def test_synthetic_2026_cards_with_org_stars_and_video() -> None:
    result = hf_html.parse(CARDS_2026, today=TODAY)
    first, second = result.papers
    assert first.id == "2611.01234"
    assert first.title == "Scaling Synthetic Agents with Organization Chips"
    assert first.upvotes == 128  # not the 2,345 GitHub stars nor the 17 comments
    assert first.organization == "Spiral Works"
    assert first.published == "2026-11-03"
    assert second.id == "2610.09999"  # version suffix dropped from the link
    assert second.upvotes == 5 and second.authors_count == 12


def _hydrated(target: str, props: object) -> str:
    value = html.escape(json.dumps(props), quote=True)
    return (
        "<!doctype html><html><body><main>"
        f'<div class="SVELTE_HYDRATER contents" data-target="{target}" data-props="{value}">'
        "<h1>rendered markup that should be ignored</h1></div></main></body></html>"
    )


def test_2026_style_json_with_organization_and_daily_date() -> None:
    props = {
        "dailyPapers": [
            {
                "paper": {
                    "id": "2611.04321",
                    "title": "Org Paper",
                    "summary": "Line one\nwrapped.\n\nSecond paragraph.",
                    "authors": [{"name": "A One", "hidden": False}, {"name": "", "hidden": False}, {"name": "Hid",
                                "hidden": True}, {"user": {"fullname": "From User"}}],
                    "publishedAt": "2026-11-02T10:00:00.000Z",
                    "submittedOnDailyAt": "2026-11-04T01:00:00.000Z",
                    "upvotes": 12,
                    "githubStars": 999,
                    "mediaUrls": ["https://cdn/v.mp4"],
                },
                "organization": {"name": "spiralworks", "fullname": "Spiral Works"},
                "title": "Org Paper",
                "numComments": 2,
            },
            {"paper": {"id": "2611.05555", "title": "Only Daily Date", "submittedOnDailyAt": "2026-11-05T01:00Z"}},
            "junk",
        ],
    }
    result = hf_html.parse(_hydrated("DailyPapers", props), today=TODAY)
    org, only_daily = result.papers
    assert org.organization == "Spiral Works"
    assert org.authors == ["A One", "Hid", "From User"]
    assert org.upvotes == 12
    assert org.published == "2026-11-02"
    assert org.abstract == "Line one wrapped.\n\nSecond paragraph."
    assert only_daily.published == "2026-11-05"
    assert result.skipped == [("item 3", "not a paper record")]


def test_search_page_props_with_single_quoted_attribute_and_gt_inside() -> None:
    props = {"dailyPapers": [{"paper": {"id": "2405.00001", "title": "a > b: search result", "upvotes": 1}}]}
    value = json.dumps(props).replace("'", "&#39;")
    page = f"<html><body><div data-props='{value}' class=\"x\" data-target=\"DailyPapers\"></div></body></html>"
    paper = hf_html.parse(page, today=TODAY).papers[0]
    assert paper.title == "a > b: search result"


def test_damaged_json_falls_back_to_cards() -> None:
    page = CARDS_2024.replace("<section>", '<section><div data-target="DailyPapers" data-props="{not json"></div>')
    result = hf_html.parse(page, today=TODAY)
    assert [p.id for p in result.papers] == ["2401.00001", "2401.00002"]


def test_page_without_papers_is_an_error() -> None:
    with pytest.raises(ImportFormatError, match="no papers"):
        hf_html.parse('<html><body><div data-target="DailyPapers" data-props="{}"></div></body></html>')


def test_sniff_is_precise() -> None:
    assert hf_html.sniff(DAILY.read_text(encoding="utf-8"))
    assert hf_html.sniff(PAPER.read_text(encoding="utf-8"))
    assert not hf_html.sniff((PAGES / "arxiv-abs-2106.09608.html").read_text(encoding="utf-8"))
    assert not hf_html.sniff((PAGES / "arxiv-list-q-fin-new.html").read_text(encoding="utf-8"))
    # A text copy that happens to mention markup is not HTML.
    assert not hf_html.sniff('Daily Papers\n\nA title\n\nUses <article href="/papers/2401.00001"> tags.')
    assert not hf_html.sniff("<html><body><p>nothing here</p></body></html>")
