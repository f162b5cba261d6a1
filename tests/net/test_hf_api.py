"""The Hugging Face papers API client against recorded answers on a local server."""

from __future__ import annotations

import json
from datetime import date

import pytest

from readlist.net.errors import NetworkError
from readlist.net.hf_api import HfClient
from readlist.net.http import HttpClient
from readlist.net.settings import NetworkSettings
from tests.fake_services import NET_FIXTURES, FakeClock, FakeServer, Reply

DAY = date(2024, 8, 1)


def recorded(name: str) -> object:
    return json.loads((NET_FIXTURES / name).read_text(encoding="utf-8"))


def make(fake: FakeServer) -> HfClient:
    clock = FakeClock()
    return HfClient(HttpClient(clock=clock, sleep=clock.sleep), base_url=fake.hf_api)


@pytest.fixture
def hf(fake_server: FakeServer) -> HfClient:
    daily = recorded("hf-api-daily-2024-08-01.json")
    assert isinstance(daily, list)
    fake_server.hf.daily[DAY.isoformat()] = daily
    fake_server.hf.daily["2026-03-06"] = recorded("hf-api-daily-item-2602.23229.json")  # type: ignore[assignment]
    fake_server.hf.papers["2410.17897"] = recorded("hf-api-paper-2410.17897.json")
    fake_server.hf.papers["2410.21228"] = recorded("hf-api-paper-2410.21228.json")
    return make(fake_server)


def test_daily_papers_pages_through_the_day(hf: HfClient, fake_server: FakeServer) -> None:
    result = hf.daily_papers(DAY, limit=5)
    pages = fake_server.seen("/hf/api/daily_papers")
    assert [(r.query["date"], r.query["p"], r.query["limit"]) for r in pages] == [
        ("2024-08-01", "0", "5"), ("2024-08-01", "1", "5"), ("2024-08-01", "2", "5"),
    ]
    assert len(result.papers) == 13
    assert result.papers[0].arxiv_id == "2407.21783"
    humanoid = next(p for p in result.papers if p.arxiv_id == "2407.21781")
    # The hidden flag hides a profile link, not an author.
    assert humanoid.authors == [
        "Qiayuan Liao", "Bike Zhang", "Xuanyu Huang", "Xiaoyu Huang", "Zhongyu Li", "Koushil Sreenath",
    ]
    assert humanoid.upvotes == 7
    assert humanoid.url == "https://huggingface.co/papers/2407.21781"


def test_a_server_ignoring_the_page_number_does_not_loop(hf: HfClient, fake_server: FakeServer) -> None:
    page = recorded("hf-api-daily-2024-08-01.json")
    assert isinstance(page, list)
    fake_server.script("/hf/api/daily_papers", Reply(200, json.dumps(page[:5]).encode()))
    result = hf.daily_papers(DAY, limit=5)
    assert len(result.papers) == 5
    assert len(fake_server.seen("/hf/api/daily_papers")) == 2


def test_2026_item_with_ai_fields_under_paper(hf: HfClient) -> None:
    (paper,) = hf.daily_papers(date(2026, 3, 6)).papers
    assert paper.arxiv_id == "2602.23229"
    assert paper.ai_summary and paper.ai_summary.startswith("Large Multimodal Models demonstrate superior")
    assert paper.ai_keywords[:2] == ["Vision-Language Models", "Large Multimodal Models"]
    assert paper.github_repo == "https://github.com/marco-garosi/CIRCLE"
    assert paper.project_page == "https://circle-lmm.github.io/"
    assert paper.organization == "Multimedia and Human Understanding Group"
    assert paper.upvotes == 10
    assert paper.published == "2026-02-26"
    assert len(paper.authors) == 5


def test_paper_keeps_its_hidden_first_author(hf: HfClient, fake_server: FakeServer) -> None:
    paper = hf.paper("2410.17897")
    assert fake_server.requests[-1].path == "/hf/api/papers/2410.17897"
    assert paper is not None
    assert paper.authors == ["Zhanchao Zhou", "Tianyi Wu", "Zhiyun Jiang", "Zhenzhong Lan"]
    assert paper.ai_summary == (
        "Adding value residual connections across layers reduces attention concentration in deep Transformers."
    )
    assert paper.github_repo == "https://github.com/Zcchill/Value-Residual-Learning"
    assert paper.project_page is None


def test_fields_outside_the_paper_object(hf: HfClient) -> None:
    paper = hf.paper("2410.21228")
    assert paper is not None
    assert paper.organization == "Massachusetts Institute of Technology"
    assert paper.project_page == "https://example.org/lora-illusion"
    assert paper.authors[-1] == "Pratyusha Sharma"


def test_unknown_paper_is_none_not_a_failure(hf: HfClient, fake_server: FakeServer) -> None:
    assert hf.paper("2501.00001") is None
    assert hf.paper("hep-ph/0301050") is None  # not asked: Hugging Face has new-style ids only
    assert [r.path for r in fake_server.requests] == ["/hf/api/papers/2501.00001"]


def test_empty_day(hf: HfClient) -> None:
    assert hf.daily_papers(date(2024, 8, 3)).papers == []


@pytest.mark.parametrize("body", [b"<html>maintenance</html>", b'{"error": "oops"}', b"\xff\xfe\x00"])
def test_malformed_answers(hf: HfClient, fake_server: FakeServer, body: bytes) -> None:
    fake_server.script("/hf/api/daily_papers", Reply(200, body))
    with pytest.raises(NetworkError, match=r"^Hugging Face API \(127\.0\.0\.1:\d+\): ") as caught:
        hf.daily_papers(DAY)
    assert caught.value.kind == "malformed"
    assert "try again later" in str(caught.value)


MALFORMED_ENTRIES = [
    b'[{"paper": {"id": 5, "title": ["x"], "authors": "bob", "upvotes": "many", "publishedAt": 7}}]',
    b'["a", 1, null]',
]


@pytest.mark.parametrize("body", MALFORMED_ENTRIES, ids=["wrong-types", "not-records"])
def test_a_list_without_one_usable_paper_is_malformed_not_an_empty_day(
    hf: HfClient, fake_server: FakeServer, body: bytes
) -> None:
    fake_server.script("/hf/api/daily_papers", Reply(200, body, {"Content-Type": "application/json"}))
    with pytest.raises(NetworkError) as caught:
        hf.daily_papers(DAY)
    assert caught.value.kind == "malformed"
    assert str(caught.value).startswith(f"Hugging Face API ({fake_server.url.split('//')[1]}): the answer is not the "
                                        "JSON expected (none of its ")
    assert str(caught.value).endswith("; try again later")


def test_a_malformed_entry_among_good_ones_is_skipped(hf: HfClient, fake_server: FakeServer) -> None:
    good = json.loads((NET_FIXTURES / "hf-api-daily-2024-08-01.json").read_text("utf-8"))[:2]
    body = json.dumps([good[0], "a", good[1]]).encode()
    fake_server.script("/hf/api/daily_papers", Reply(200, body, {"Content-Type": "application/json"}))
    result = hf.daily_papers(DAY)
    assert len(result.papers) == 2
    assert result.skipped == [("item 2", "not a paper record")]


def test_rate_limited_after_retries(hf: HfClient, fake_server: FakeServer) -> None:
    fake_server.script("/hf/api/papers/2410.17897", Reply(429, headers={"Retry-After": "2"}))
    with pytest.raises(NetworkError, match="429") as caught:
        hf.paper("2410.17897")
    assert caught.value.kind == "rate-limited"
    assert len(fake_server.requests) == 3


def test_offline(fake_server: FakeServer) -> None:
    settings = NetworkSettings.from_env({"READLIST_HF_API": fake_server.hf_api}, {"offline": True})
    with pytest.raises(NetworkError, match="offline"):
        HfClient.from_settings(settings).daily_papers(DAY)
    assert fake_server.requests == []


def test_an_answer_about_another_paper_is_refused(hf: HfClient, fake_server: FakeServer) -> None:
    """A cache that mixes answers up must not put another paper's authors and summary on this one."""
    fake_server.script("/hf/api/papers/2410.17897", Reply(200, json.dumps(recorded("hf-api-paper-2410.21228.json"))
                                                              .encode()))
    with pytest.raises(NetworkError, match=r"asked for 2410\.17897, answered with another paper \(2410\.21228\)") as e:
        hf.paper("2410.17897")
    assert e.value.kind == "malformed"
