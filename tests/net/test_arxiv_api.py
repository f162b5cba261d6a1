"""The arXiv API client against recorded answers on a local server, on a fake clock."""

from __future__ import annotations

from datetime import date

import pytest

from readlist.net.arxiv_api import MAX_ID_BATCH, ArxivClient, title_query
from readlist.net.errors import NetworkError
from readlist.net.http import HttpClient
from readlist.net.settings import NetworkSettings
from tests.fake_services import FakeClock, FakeServer, Reply


def make(fake: FakeServer, clock: FakeClock, delay: float = 3.0) -> ArxivClient:
    fake.clock = clock
    http = HttpClient(clock=clock, sleep=clock.sleep)
    return ArxivClient(http, base_url=fake.arxiv_api, delay=delay, clock=clock, sleep=clock.sleep)


def all_ids(fake: FakeServer) -> list[str]:
    return [e.arxiv_id for e in fake.arxiv.entries]


def test_ids_are_batched_by_100_and_requests_spaced_by_the_delay(fake_server: FakeServer) -> None:
    clock = FakeClock()
    client = make(fake_server, clock)
    known = all_ids(fake_server)  # 111 recorded papers
    unknown = ["2501.00001", "2501.00002"]
    progress: list[tuple[int, int]] = []
    lookup = client.by_ids([*known, *unknown, known[0]], progress=lambda d, t: progress.append((d, t)))
    requests = fake_server.seen("/arxiv/api/query")
    assert [len(r.query["id_list"].split(",")) for r in requests] == [MAX_ID_BATCH, len(known) + 2 - MAX_ID_BATCH]
    assert [int(r.query["max_results"]) for r in requests] == [100, len(known) + 2 - MAX_ID_BATCH]
    assert set(lookup.found) == set(known)
    assert lookup.missing == unknown
    assert progress == [(100, len(known) + 2), (len(known) + 2, len(known) + 2)]
    # Three seconds between requests, on the fake clock: waited, never really slept.
    assert clock.sleeps == [3.0]
    assert requests[1].at is not None and requests[0].at is not None
    assert requests[1].at - requests[0].at >= 3.0


def test_delay_can_be_zero_for_tests_and_mirrors(fake_server: FakeServer) -> None:
    clock = FakeClock()
    client = make(fake_server, clock, delay=0)
    client.by_ids(all_ids(fake_server))
    client.search_title("A Tutorial on Bayesian Optimization")
    assert clock.sleeps == []
    assert len(fake_server.requests) == 3


def test_old_style_ids(fake_server: FakeServer) -> None:
    client = make(fake_server, FakeClock())
    lookup = client.by_ids(["hep-ph/0301050v2", "arXiv:cs/0503050", "gr-qc/0103067", "math.GT/0309136"])
    assert fake_server.requests[0].query["id_list"] == "hep-ph/0301050,cs/0503050,gr-qc/0103067,math/0309136"
    paper = lookup.found["hep-ph/0301050"]
    assert paper.id == "hep-ph/0301050"
    assert paper.url == "https://arxiv.org/abs/hep-ph/0301050"
    assert paper.doi == "10.1016/j.physletb.2003.08.045"
    assert paper.journal_ref == "Phys.Lett.B573:94-100,2003"
    assert lookup.found["cs/0503050"].categories == ["cs.SE"]
    assert lookup.missing == ["math/0309136"]


def test_malformed_ids_are_never_sent(fake_server: FakeServer) -> None:
    client = make(fake_server, FakeClock())
    lookup = client.by_ids(["2202.12139", "not-an-id", "abc/1234567", "1234.5678"])
    assert lookup.invalid == ["not-an-id", "abc/1234567", "1234.5678"]
    assert fake_server.requests[0].query["id_list"] == "2202.12139"
    assert list(lookup.found) == ["2202.12139"]


def test_a_refused_query_says_what_arxiv_said(fake_server: FakeServer) -> None:
    client = make(fake_server, FakeClock())
    with pytest.raises(NetworkError, match="refused the query: incorrect id format for 12345") as caught:
        client.query(id_list=["12345"])
    assert caught.value.kind == "query"


def test_title_search(fake_server: FakeServer) -> None:
    client = make(fake_server, FakeClock())
    found = client.search_title("LoRA vs Full Fine-tuning: An Illusion of Equivalence")
    assert fake_server.requests[0].query["search_query"] == (
        "ti:LoRA AND ti:tuning AND ti:Illusion AND ti:Equivalence"
    )
    assert [p.arxiv_id for p in found] == ["2410.21228"]
    paper = found[0]
    assert paper.authors == ["Reece Shuttleworth", "Jacob Andreas", "Antonio Torralba", "Pratyusha Sharma"]
    assert paper.categories == ["cs.LG", "cs.CL"]
    assert paper.published == "2024-10-28"


def test_title_query_uses_the_distinctive_words() -> None:
    assert title_query("S$^{2}$FT: Efficient, Scalable") == "ti:Efficient AND ti:Scalable"
    assert title_query(
        "Where to find Grokking in LLM Pretraining? Monitor Memorization-to-Generalization without Test"
    ) == "ti:Grokking AND ti:Pretraining AND ti:Memorization AND ti:Generalization"
    assert title_query("A B: C") == 'ti:"A B C"'


def test_title_search_finds_near_identical_titles(fake_server: FakeServer) -> None:
    client = make(fake_server, FakeClock())
    found = client.search_title("Better Language Model Inversion by Compactly Representing Next-Token Distributions")
    assert [p.arxiv_id for p in found] == ["9911.00003"]  # the title lacks "Better"


def test_newest_pages_by_submission_date_until_older_papers(fake_server: FakeServer) -> None:
    clock = FakeClock()
    client = make(fake_server, clock)
    listing = client.newest(["cs.SE"], since=date(2023, 1, 1), page_size=5)
    requests = fake_server.seen("/arxiv/api/query")
    assert all(r.query["sortBy"] == "submittedDate" and r.query["sortOrder"] == "descending" for r in requests)
    assert all(r.query["search_query"] == "cat:cs.SE" for r in requests)
    assert [int(r.query["start"]) for r in requests] == [5 * n for n in range(len(requests))]
    published = [p.published or "" for p in listing.papers]
    assert published == sorted(published, reverse=True)
    assert published and min(published) >= "2023-01-01"
    expected = sorted(
        (e for e in fake_server.arxiv.entries if "cs.SE" in e.categories and e.published >= "2023-01-01"),
        key=lambda e: e.published,
    )
    assert len(listing.papers) == len(expected)
    assert not listing.truncated
    assert clock.sleeps == [3.0] * (len(requests) - 1)


def test_newest_with_several_categories(fake_server: FakeServer) -> None:
    client = make(fake_server, FakeClock(), delay=0)
    listing = client.newest(["cs.CL", "cs.CV"], since=date(2024, 1, 1))
    assert fake_server.requests[0].query["search_query"] == "cat:cs.CL OR cat:cs.CV"
    assert {p.arxiv_id for p in listing.papers} >= {"2411.02385", "2409.02228", "2410.21228"}


def test_newest_refuses_a_bad_category(fake_server: FakeServer) -> None:
    with pytest.raises(ValueError, match="not an arXiv category"):
        make(fake_server, FakeClock()).newest(["cs.CL", "rm -rf"], since=date(2024, 1, 1))
    assert fake_server.requests == []


def test_retries_wait_at_least_the_delay(fake_server: FakeServer) -> None:
    clock = FakeClock()
    client = make(fake_server, clock)
    fake_server.script("/arxiv/api/query", Reply(503, headers={"Retry-After": "1"}), Reply(200, b""))
    fake_server.scripts["/arxiv/api/query"][-1] = fake_server.arxiv.answer({"id_list": "2202.12139"})
    lookup = client.by_ids(["2202.12139"])
    assert list(lookup.found) == ["2202.12139"]
    assert clock.sleeps == [3.0]  # Retry-After said 1 s, arXiv asks for 3


def test_malformed_answer(fake_server: FakeServer) -> None:
    fake_server.script("/arxiv/api/query", Reply(200, b"<html><body>Bad gateway</body></html>"))
    with pytest.raises(NetworkError, match=r"arXiv API \(127\.0\.0\.1:\d+\): the answer is not an arXiv Atom feed"):
        make(fake_server, FakeClock()).search_title("anything")


@pytest.mark.parametrize("body", [b"<feed>\0garbage", "<feed>caf\u00e9".encode("utf-16"), b"\xff\xfe\x00\xd8"])
def test_an_answer_that_is_not_text_is_a_malformed_answer(fake_server: FakeServer, body: bytes) -> None:
    """NUL bytes in an answer (a proxy's error page, a damaged cache) ended `import ID`, `pull` and `enrich` in a
    traceback: the feed reader refused them as a file it was given."""
    fake_server.script("/arxiv/api/query", Reply(200, body))
    with pytest.raises(NetworkError, match=r"arXiv API \(127\.0\.0\.1:\d+\): the answer is not an arXiv Atom feed"):
        make(fake_server, FakeClock()).by_ids(["2310.01234"])


def test_offline(fake_server: FakeServer) -> None:
    settings = NetworkSettings.from_env({"READLIST_ARXIV_API": fake_server.arxiv_api, "READLIST_OFFLINE": "1"})
    client = ArxivClient.from_settings(settings)
    with pytest.raises(NetworkError, match=r"^arXiv API \(127\.0\.0\.1:\d+\): readlist is set to work offline"):
        client.by_ids(["2202.12139"])
    assert fake_server.requests == []


def test_cancel_between_batches(fake_server: FakeServer) -> None:
    client = make(fake_server, FakeClock())
    asked = 0

    def cancelled() -> bool:
        return asked >= 1

    def progress(done: int, total: int) -> None:
        nonlocal asked
        asked += 1

    lookup = client.by_ids(all_ids(fake_server), progress=progress, cancelled=cancelled)
    assert len(fake_server.requests) == 1
    assert len(lookup.found) == 100


def test_an_answer_cut_short_is_not_taken_for_the_whole_answer(fake_server: FakeServer) -> None:
    """A feed that ends in the middle of its entries (a proxy's cut, a server's crash) is a failure, not a
    shorter answer: the ids after the cut are not unknown to arXiv."""
    ids = all_ids(fake_server)[:6]
    whole = fake_server.arxiv.answer({"id_list": ",".join(ids), "max_results": "6"}).body
    cut = whole[: whole.index(b"<entry>", whole.index(b"<entry>") + 1) + 200]
    fake_server.script("/arxiv/api/query", Reply(200, cut, {"Content-Type": "application/atom+xml"}))
    with pytest.raises(NetworkError, match=r"^arXiv API \(127\.0\.0\.1:\d+\): the answer was cut short") as caught:
        make(fake_server, FakeClock(), delay=0).by_ids(ids)
    assert caught.value.kind == "malformed"


def test_an_answer_longer_than_asked_for_is_refused_unparsed(
    fake_server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A title search asks for 10 candidates; 2,000 entries are not that answer, and feedparser would read every
    one of them (10,000 held an enrichment 8 s and 254 MB) before anything could be said about them."""
    from readlist.net import arxiv_api

    entry = fake_server.arxiv.entries[0]
    long = fake_server.arxiv.feed([entry] * 2000, total=2000, start=0, query="all:agents")
    fake_server.script("/arxiv/api/query", Reply(200, long, {"Content-Type": "application/atom+xml"}))
    parsed: list[int] = []
    read_feed = arxiv_api.read_feed
    monkeypatch.setattr(arxiv_api, "read_feed", lambda data: parsed.append(len(data)) or read_feed(data))
    with pytest.raises(NetworkError, match=r"the answer holds more than the 10 entries asked for; refused") as caught:
        make(fake_server, FakeClock(), delay=0).search_title("Reasoning agents that plan")
    assert caught.value.kind == "malformed"  # fails this paper only, as a refused query does
    assert parsed == []


def test_an_answer_longer_than_the_one_entry_asked_for_says_entry(fake_server: FakeServer) -> None:
    entry = fake_server.arxiv.entries[0]
    two = fake_server.arxiv.feed([entry] * 2, total=2, start=0, query="all:agents")
    fake_server.script("/arxiv/api/query", Reply(200, two, {"Content-Type": "application/atom+xml"}))
    with pytest.raises(NetworkError, match=r"the answer holds more than the 1 entry asked for; refused$"):
        make(fake_server, FakeClock(), delay=0).search_title("Reasoning agents that plan", max_results=1)


def test_an_answer_of_as_many_entries_as_asked_for_is_read(fake_server: FakeServer) -> None:
    entries = fake_server.arxiv.entries[:10]
    fake_server.script("/arxiv/api/query", Reply(200, fake_server.arxiv.feed(entries, total=10, start=0, query="x"),
                                                 {"Content-Type": "application/atom+xml"}))
    found = make(fake_server, FakeClock(), delay=0).search_title("Reasoning agents that plan")
    assert [p.arxiv_id for p in found] == [e.arxiv_id for e in entries]
