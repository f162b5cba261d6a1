"""Pulling Daily Papers and arXiv listings into import batches, against a local server on a fake clock."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from readlist.app.imports import ImportPapers
from readlist.app.pull import MAX_DAYS, PullError, day_range, pull_arxiv, pull_configured, pull_hf
from readlist.net.arxiv_api import ArxivClient
from readlist.net.hf_api import HfClient
from readlist.net.http import HttpClient
from readlist.net.settings import NetworkSettings, PullSource
from readlist.storage.library import Library
from tests.fake_services import NET_FIXTURES, FakeClock, FakeServer, Reply

DAY = date(2024, 8, 1)


@pytest.fixture
def clients(fake_server: FakeServer) -> tuple[HfClient, ArxivClient, FakeClock]:
    fake_server.hf.daily[DAY.isoformat()] = json.loads(
        (NET_FIXTURES / "hf-api-daily-2024-08-01.json").read_text(encoding="utf-8")
    )
    clock = FakeClock()
    fake_server.clock = clock
    settings = NetworkSettings.from_env(
        {"READLIST_ARXIV_API": fake_server.arxiv_api, "READLIST_HF_API": fake_server.hf_api}
    )
    http = HttpClient(clock=clock, sleep=clock.sleep)
    hf = HfClient.from_settings(settings, http=http)
    arxiv = ArxivClient.from_settings(settings, http=http, clock=clock, sleep=clock.sleep)
    return hf, arxiv, clock


def test_pull_hf_one_day_imports_complete_author_lists(clients: tuple, tmp_path: Path) -> None:
    hf, _, _ = clients
    outcome = pull_hf(hf, day_range(today=date(2024, 8, 5), on=DAY))
    (batch,) = outcome.batches
    assert batch.source == "hf:2024-08-01"
    assert batch.error is None and batch.result is not None
    assert len(batch.result.papers) == 13
    assert outcome.remember == {"hf": "2024-08-01"}
    # What the import command does with a batch: the usual dedup and merge.
    lib = Library(tmp_path / "library.json")
    report = ImportPapers(batch.result.papers, batch.source).execute(lib).report
    assert len(report.added) == 13
    humanoid = lib.resolve("2407.21781")
    assert humanoid.authors == [
        "Qiayuan Liao", "Bike Zhang", "Xuanyu Huang", "Xiaoyu Huang", "Zhongyu Li", "Koushil Sreenath",
    ]
    assert humanoid.sources == ["hf:2024-08-01"]
    batch = pull_hf(hf, [DAY]).batches[0]
    assert batch.result is not None
    again = ImportPapers(batch.result.papers, "hf:2024-08-01").execute(lib).report
    assert again.added == []


def test_pull_hf_range_one_batch_per_day_and_progress(clients: tuple, fake_server: FakeServer) -> None:
    hf, _, _ = clients
    seen: list[tuple[str, int, int]] = []
    days = day_range(today=date(2024, 8, 2), since=date(2024, 7, 31))
    outcome = pull_hf(hf, days, progress=lambda *a: seen.append(a))
    assert [b.source for b in outcome.batches] == ["hf:2024-07-31", "hf:2024-08-01", "hf:2024-08-02"]
    assert [b.papers for b in outcome.batches] == [0, 13, 0]
    assert outcome.remember == {"hf": "2024-08-02"}
    assert [r.query["date"] for r in fake_server.seen("/hf/api/daily_papers")] == [d.isoformat() for d in days]
    assert seen[-1] == ("Hugging Face", 3, 3)


def test_a_failing_day_stops_the_pull_and_is_not_remembered(clients: tuple, fake_server: FakeServer) -> None:
    hf, _, clock = clients
    fake_server.script("/hf/api/daily_papers", Reply(503))
    outcome = pull_hf(hf, [date(2024, 7, 31), DAY])
    (batch,) = outcome.batches
    assert batch.result is None
    assert batch.error is not None and batch.error.startswith("Hugging Face API (127.0.0.1:")
    assert "503" in batch.error and "\n" not in batch.error
    assert outcome.remember == {}
    assert len(clock.sleeps) == 2  # retried with backoff, on the fake clock


def test_cancel(clients: tuple) -> None:
    hf, _, _ = clients
    outcome = pull_hf(hf, [DAY, date(2024, 8, 2)], cancelled=lambda: True)
    assert outcome.cancelled and outcome.batches == [] and outcome.remember == {}


def test_pull_arxiv_newest_in_categories(clients: tuple, fake_server: FakeServer) -> None:
    _, arxiv, _ = clients
    today = date(2026, 4, 12)  # the day the recorded answer was made
    outcome = pull_arxiv(arxiv, ["cs.SE", "cs.LG"], days=31, today=today)
    (batch,) = outcome.batches
    assert batch.source == "arxiv:cs.SE,cs.LG"
    assert batch.result is not None
    expected = sorted(
        (e for e in fake_server.arxiv.entries
         if {"cs.SE", "cs.LG"} & set(e.categories) and e.published >= "2026-03-13"),
        key=lambda e: e.published, reverse=True,
    )
    assert [p.arxiv_id for p in batch.result.papers] == [e.arxiv_id for e in expected] == ["2604.03438"]
    assert batch.result.papers[0].categories == ["cs.SE"]
    assert outcome.remember == {"arxiv:cs.SE": "2026-04-12", "arxiv:cs.LG": "2026-04-12"}
    (request,) = fake_server.requests  # the first page already reached older papers
    assert (request.query["search_query"], request.query["sortBy"]) == ("cat:cs.SE OR cat:cs.LG", "submittedDate")


@pytest.mark.parametrize(
    ("categories", "days", "message"),
    [([], 1, "no arXiv category given"), (["cs.CL", "$(rm)"], 1, r"'\$\(rm\)' is not an arXiv category"),
     # arXiv answers these with an empty list, which read as "no new papers" every day.
     (["cs.cl"], 1, "'cs.cl' is written 'cs.CL' on arXiv"),
     (["nosuch.CAT"], 1, "'nosuch.CAT' is not an arXiv category"),
     (["cs.LGG"], 1, "did you mean 'cs.LG'"), (["cs"], 1, "'cs' is an arXiv archive, not a category"),
     (["cs.CL"], 0, "--days must be between 1 and 31"), (["cs.CL"], 99, "--days must be between")],
)
def test_pull_arxiv_refuses_bad_requests(
    clients: tuple, fake_server: FakeServer, categories: list[str], days: int, message: str
) -> None:
    _, arxiv, _ = clients
    with pytest.raises(PullError, match=message):
        pull_arxiv(arxiv, categories, days=days, today=DAY)
    assert fake_server.requests == []


def test_day_range_rules() -> None:
    today = date(2024, 8, 10)
    assert day_range(today=today) == [today]
    assert day_range(today=today, on=DAY) == [DAY]
    assert len(day_range(today=today, since=date(2024, 7, 11))) == MAX_DAYS
    with pytest.raises(PullError, match="at most 31 days"):
        day_range(today=today, since=date(2024, 7, 10))
    with pytest.raises(PullError, match="in the future"):
        day_range(today=today, on=date(2024, 8, 11))
    with pytest.raises(PullError, match="not both"):
        day_range(today=today, on=DAY, since=DAY)


def test_pull_configured_continues_from_the_last_pull(clients: tuple, fake_server: FakeServer) -> None:
    hf, arxiv, _ = clients
    sources = (PullSource("hf"), PullSource("arxiv", "cs.CV"), PullSource("arxiv", "cs.LG"))
    state = {"hf": "2024-07-31", "arxiv:cs.CV": "2026-04-01", "arxiv:cs.LG": "2026-04-01"}
    outcome = pull_configured(sources, state, today=date(2024, 8, 1), hf=hf, arxiv=None)
    assert [b.source for b in outcome.batches] == ["hf:2024-07-31", "hf:2024-08-01"]
    assert outcome.remember == {"hf": "2024-08-01"}
    outcome = pull_configured(sources, state, today=date(2026, 4, 12), hf=None, arxiv=arxiv)
    assert [b.source for b in outcome.batches] == ["arxiv:cs.CV,cs.LG"]
    assert set(outcome.remember) == {"arxiv:cs.CV", "arxiv:cs.LG"}
    # Never pulled: today only. Long idle: at most MAX_DAYS back.
    fresh = pull_configured((PullSource("hf"),), {}, today=DAY, hf=hf, arxiv=None)
    assert [b.source for b in fresh.batches] == ["hf:2024-08-01"]
    idle = pull_configured((PullSource("hf"),), {"hf": "2020-01-01"}, today=DAY, hf=hf, arxiv=None)
    assert len(idle.batches) == MAX_DAYS


def test_offline_pull_says_so_and_fetches_nothing(fake_server: FakeServer) -> None:
    settings = NetworkSettings.from_env({"READLIST_HF_API": fake_server.hf_api, "READLIST_OFFLINE": "true"})
    outcome = pull_hf(HfClient.from_settings(settings), [DAY])
    assert outcome.batches[0].error is not None and "set to work offline" in outcome.batches[0].error
    assert fake_server.requests == [] and outcome.remember == {}
    assert json.loads(json.dumps(outcome.to_json()))["batches"][0]["papers"] == 0
