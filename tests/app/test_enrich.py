"""Enrichment plans against recorded arXiv / Hugging Face answers on a local server, on a fake clock."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from readlist.app.commands import EditTags, Rate, SetStatus
from readlist.app.enrich import EnrichPlan, enrich_hint, match_title, needs_enrichment, plan_enrichment
from readlist.app.imports import ImportPapers
from readlist.app.notes import SaveNote
from readlist.core.model import USER_FIELDS, Paper
from readlist.importers import parse_input
from readlist.net.arxiv_api import ArxivClient
from readlist.net.hf_api import HfClient
from readlist.net.http import HttpClient
from readlist.net.settings import NetworkSettings
from readlist.storage.library import Library
from tests.conftest import SEED_TODAY, SEEDS
from tests.fake_services import NET_FIXTURES, FakeClock, FakeServer, Reply

KNOWN = {
    "LoRA vs Full Fine-tuning: An Illusion of Equivalence": "2410.21228",
    "Meta-World: A Benchmark and Evaluation for Multi-Task and Meta Reinforcement Learning": "1910.10897",
    "How Far is Video Generation from World Model: A Physical Law Perspective": "2411.02385",
    "A Tutorial on Bayesian Optimization": "1807.02811",
    "On the Generalization Mystery in Deep Learning": "2203.10036",
    "Data Factors for Better Compositional Generalization": "2311.04420",
    "Unforgettable Generalization in Language Models": "2409.02228",
    # near-identical title on arXiv, and the recorded author count (5) agrees
    "Benign Overfitting and Grokking in ReLU Networks for XOR Cluster Data": "9911.00002",
}


def seed_papers() -> list[Paper]:
    papers: dict[str, Paper] = {}
    for seed in SEEDS:
        for paper in parse_input(seed.read_bytes(), source=seed.name, today=SEED_TODAY).papers:
            papers.setdefault(paper.id, paper)
    return list(papers.values())


def clients(fake: FakeServer, clock: FakeClock, **env: str) -> tuple[ArxivClient, HfClient]:
    fake.clock = clock
    settings = NetworkSettings.from_env(
        {"READLIST_ARXIV_API": fake.arxiv_api, "READLIST_HF_API": fake.hf_api, **env}
    )
    http = HttpClient(offline=settings.offline, clock=clock, sleep=clock.sleep)
    return (
        ArxivClient.from_settings(settings, http=http, clock=clock, sleep=clock.sleep),
        HfClient.from_settings(settings, http=http),
    )


@pytest.fixture
def hf_records(fake_server: FakeServer) -> None:
    for name in ("hf-api-paper-2410.17897.json", "hf-api-paper-2410.21228.json"):
        record = json.loads((NET_FIXTURES / name).read_text(encoding="utf-8"))
        inner = record.get("paper", record)
        fake_server.hf.papers[inner["id"]] = record


def test_seeds_get_ids_and_authors_for_every_paper_the_server_knows(
    fake_server: FakeServer, hf_records: None
) -> None:
    papers = seed_papers()
    assert len(papers) == 196
    clock = FakeClock()
    arxiv, hf = clients(fake_server, clock)
    phases: list[str] = []
    plan = plan_enrichment(papers, arxiv=arxiv, hf=hf, progress=lambda phase, d, t: phases.append(phase))
    by_title = {c.title: c for c in plan.changes}
    assert {title: c.new_id for title, c in by_title.items()} == KNOWN
    lora = by_title["LoRA vs Full Fine-tuning: An Illusion of Equivalence"]
    assert lora.fields["arxiv_id"] == "2410.21228"
    assert lora.fields["authors"] == ["Reece Shuttleworth", "Jacob Andreas", "Antonio Torralba", "Pratyusha Sharma"]
    assert lora.fields["categories"] == ["cs.LG", "cs.CL"]
    assert lora.fields["url"] == "https://arxiv.org/abs/2410.21228"
    assert "published" not in lora.fields  # the text copy already had a date: kept
    # Hugging Face adds what only it has; the text copy's upvotes are refreshed.
    assert lora.fields["ai_summary"].startswith("LoRA and full fine-tuning reach similar accuracy")
    assert lora.fields["upvotes"] == 14
    assert lora.via == ["arXiv", "Hugging Face"]
    bayes = by_title["A Tutorial on Bayesian Optimization"]  # from a page without metadata: no date before
    assert bayes.fields["published"] == "2018-07-08"
    assert bayes.fields["authors"] == ["Peter I. Frazier"] and bayes.fields["authors_count"] == 1
    # Not guessed: several same-titled candidates, a near match whose author count disagrees.
    ambiguous = {u.title: u for u in plan.ambiguous}
    assert set(ambiguous) == {
        "The Generalization Gap in Offline Reinforcement Learning",
        "Better Language Model Inversion by Compactly Representing Next-Token Distributions",
    }
    gap = ambiguous["The Generalization Gap in Offline Reinforcement Learning"]
    assert sorted(c.arxiv_id or "" for c in gap.candidates) == ["9912.00001", "9912.00002"]
    inversion = ambiguous["Better Language Model Inversion by Compactly Representing Next-Token Distributions"]
    assert inversion.reason == "a similar title, but 4 authors on arXiv and 5 recorded"
    assert len(plan.not_found) == 196 - len(KNOWN) - 2
    assert all(u.reason == "no arXiv paper has this title" for u in plan.not_found)
    assert plan.failed == [] and plan.pending == [] and plan.error is None
    # One title search per paper, three (fake) seconds apart; one HF request per newly found new-style id.
    assert plan.requests == {"arxiv": 196, "hf": len(KNOWN)}
    assert clock.sleeps == [3.0] * 195
    assert phases[0] == "arXiv titles" and phases[-1] == "Hugging Face"
    for change in plan.changes:
        assert not USER_FIELDS & change.fields.keys()
    json.dumps(plan.to_json())


def test_applying_a_plan_keeps_every_user_field(fake_server: FakeServer, tmp_path: Path) -> None:
    lib = Library(tmp_path / "library.json")
    ImportPapers(seed_papers(), "seeds").execute(lib)
    target = lib.resolve(next(p.id for p in lib if p.title.startswith("LoRA vs Full")))
    SetStatus([target.id], "read").execute(lib)
    Rate([target.id], 4).execute(lib)
    EditTags([target.id], add=["peft"]).execute(lib)
    SaveNote(target.id, "my note").execute(lib)
    before = lib.resolve(target.id)
    arxiv, _ = clients(fake_server, FakeClock(), READLIST_ARXIV_DELAY="0")
    plan = plan_enrichment([before], arxiv=arxiv, hf=None)
    (change,) = plan.changes
    after = change.apply(before)
    assert after.id == "2410.21228" and after.arxiv_id == "2410.21228"
    assert (after.status, after.rating, after.tags, after.note, after.read_at, after.cite_key) == (
        before.status, before.rating, before.tags, before.note, before.read_at, before.cite_key
    )
    assert after.url == "https://arxiv.org/abs/2410.21228"


def test_papers_with_ids_are_looked_up_in_batches_and_only_missing_fields_filled(
    fake_server: FakeServer, hf_records: None
) -> None:
    daily = parse_input((NET_FIXTURES / "hf-api-daily-2024-08-01.json").read_bytes()).papers
    real = parse_input((NET_FIXTURES / "arxiv-api-query-testing.xml").read_bytes()).papers
    thin = [Paper.create(title=p.title, arxiv_id=p.arxiv_id) for p in real]
    known = Paper.create(title="Value Residual Learning", arxiv_id="2410.17897", authors=["Someone Else"])
    clock = FakeClock()
    arxiv, hf = clients(fake_server, clock)
    plan = plan_enrichment([*daily, *thin, known], arxiv=arxiv, hf=hf)
    batches = [r for r in fake_server.seen("/arxiv/api/query")]
    assert [len(r.query["id_list"].split(",")) for r in batches] == [100, 14]
    changes = {c.paper_id: c for c in plan.changes}
    anarchy = changes["hep-ph/0301050"]
    assert anarchy.new_id is None  # already its id
    assert anarchy.fields["authors"] == ["Andre de Gouvea", "Hitoshi Murayama"]
    assert anarchy.fields["doi"] == "10.1016/j.physletb.2003.08.045"
    assert anarchy.fields["journal_ref"] == "Phys.Lett.B573:94-100,2003"
    assert anarchy.fields["categories"] == ["hep-ph"]
    # arXiv does not know the daily papers or 2410.17897 here; Hugging Face does know 2410.17897.
    assert {u.paper_id for u in plan.not_found} == {p.id for p in daily} | {"2410.17897"}
    value = changes["2410.17897"]
    assert "authors" not in value.fields  # the paper has authors: kept
    assert value.fields["ai_summary"].startswith("Adding value residual connections")
    assert value.via == ["Hugging Face"]
    # Hugging Face asked once per new-style id lacking its fields; old-style ids never.
    asked = [r.path.rsplit("/", 1)[1] for r in fake_server.seen("/hf/api/papers/")]
    assert "hep-ph/0301050" not in " ".join(asked) and len(asked) == len(set(asked))
    assert set(asked) >= {"2410.17897"}


def test_a_hugging_face_answer_about_another_paper_fills_nothing(fake_server: FakeServer) -> None:
    """A cache that answers 2410.21228's record for 2410.17897: its authors and summary stay off the paper."""
    other = (NET_FIXTURES / "hf-api-paper-2410.21228.json").read_bytes()
    fake_server.script("/hf/api/papers/2410.17897", Reply(200, other, {"Content-Type": "application/json"}))
    thin = Paper.create(title="Value Residual Learning", arxiv_id="2410.17897")
    arxiv, hf = clients(fake_server, FakeClock(), READLIST_ARXIV_DELAY="0")
    plan = plan_enrichment([thin], arxiv=arxiv, hf=hf)
    assert plan.changes == []
    assert [u.paper_id for u in plan.failed] == [thin.id]
    assert "answered with another paper (2410.21228)" in plan.failed[0].reason


def test_an_arxiv_answer_cut_short_reports_no_paper_as_unknown_to_arxiv(fake_server: FakeServer) -> None:
    real = parse_input((NET_FIXTURES / "arxiv-api-query-testing.xml").read_bytes()).papers[:6]
    thin = [Paper.create(title=p.title, arxiv_id=p.arxiv_id) for p in real]
    whole = fake_server.arxiv.answer({"id_list": ",".join(p.arxiv_id or "" for p in thin)}).body
    cut = whole[: whole.index(b"<entry>", whole.index(b"<entry>") + 1) + 200]
    fake_server.script("/arxiv/api/query", Reply(200, cut, {"Content-Type": "application/atom+xml"}))
    arxiv, _ = clients(fake_server, FakeClock(), READLIST_ARXIV_DELAY="0")
    plan = plan_enrichment(thin, arxiv=arxiv, hf=None)
    assert plan.not_found == [] and plan.changes == []
    assert {u.paper_id for u in plan.failed} == {p.id for p in thin}
    assert "the answer was cut short" in plan.failed[0].reason


def test_enriched_text_copy_paper_is_renamed_to_the_existing_record(fake_server: FakeServer) -> None:
    text_copy = next(p for p in seed_papers() if p.title.startswith("LoRA vs Full"))
    existing = Paper.create(title="LoRA vs Full Fine-tuning: An Illusion of Equivalence", arxiv_id="2410.21228")
    arxiv, _ = clients(fake_server, FakeClock(), READLIST_ARXIV_DELAY="0")
    plan = plan_enrichment([text_copy, existing], arxiv=arxiv, hf=None)
    renamed = next(c for c in plan.changes if c.paper_id == text_copy.id)
    assert renamed.new_id == existing.id == "2410.21228"


def test_arxiv_down_changes_nothing_and_says_why(fake_server: FakeServer) -> None:
    fake_server.script("/arxiv/api/query", Reply(503))
    papers = seed_papers()[:5]
    arxiv, hf = clients(fake_server, FakeClock())
    plan = plan_enrichment(papers, arxiv=arxiv, hf=hf)
    assert plan.changes == []
    assert plan.error is not None and plan.error.startswith("arXiv API (127.0.0.1:")
    assert "503" in plan.error and "try again later" in plan.error
    assert plan.pending == [p.id for p in papers]
    assert fake_server.seen("/hf/") == []


def test_offline(fake_server: FakeServer) -> None:
    arxiv, hf = clients(fake_server, FakeClock(), READLIST_OFFLINE="1")
    plan = plan_enrichment(seed_papers()[:3], arxiv=arxiv, hf=hf)
    assert plan.error is not None and "set to work offline" in plan.error
    assert len(plan.pending) == 3 and plan.changes == []
    assert fake_server.requests == []


def test_a_refused_query_fails_one_paper_not_the_run(fake_server: FakeServer) -> None:
    papers = seed_papers()[:3]
    error = fake_server.arxiv.error("malformed query")
    fake_server.script("/arxiv/api/query", error, fake_server.arxiv.answer({"search_query": "ti:\"nothing\""}))
    arxiv, _ = clients(fake_server, FakeClock())
    plan = plan_enrichment(papers, arxiv=arxiv, hf=None)
    assert [u.paper_id for u in plan.failed] == [papers[0].id]
    assert "refused the query: malformed query" in plan.failed[0].reason
    assert len(plan.not_found) == 2 and plan.error is None


def test_cancel_keeps_what_was_settled(fake_server: FakeServer) -> None:
    papers = seed_papers()[:10]
    arxiv, hf = clients(fake_server, FakeClock())
    calls = 0

    def cancelled() -> bool:
        nonlocal calls
        calls += 1
        return len(fake_server.requests) >= 4

    plan: EnrichPlan = plan_enrichment(papers, arxiv=arxiv, hf=hf, cancelled=cancelled)
    assert plan.cancelled
    assert len(fake_server.requests) == 4
    assert len(plan.not_found) + len(plan.changes) + len(plan.ambiguous) == 4
    assert len(plan.pending) == 6


def candidate(title: str, authors: int, arxiv_id: str) -> Paper:
    return Paper.create(title=title, arxiv_id=arxiv_id, authors=[f"A{n}" for n in range(authors)])


@pytest.mark.parametrize(
    ("recorded", "candidates", "status", "chosen"),
    [
        # identical after normalization (case, punctuation, spacing)
        (3, [candidate("data factors for better compositional generalization.", 9, "2311.04420")], "match",
         "2311.04420"),
        # two identical: the author count decides, or it is ambiguous
        (3, [candidate("Data Factors for Better Compositional Generalization", 3, "2311.00001"),
             candidate("Data Factors for Better Compositional Generalization", 2, "2311.00002")], "match",
         "2311.00001"),
        (None, [candidate("Data Factors for Better Compositional Generalization", 3, "2311.00001"),
                candidate("Data Factors for Better Compositional Generalization", 2, "2311.00002")], "ambiguous",
         None),
        # one near-identical: accepted only with an agreeing author count
        (3, [candidate("Data Factors for Compositional Generalization", 3, "2311.00003")], "match", "2311.00003"),
        (4, [candidate("Data Factors for Compositional Generalization", 3, "2311.00003")], "ambiguous", None),
        (None, [candidate("Data Factors for Compositional Generalization", 3, "2311.00003")], "ambiguous", None),
        # two near-identical: ambiguous even with an agreeing count
        (3, [candidate("Data Factors for Compositional Generalization", 3, "2311.00003"),
             candidate("Data Factors for Best Compositional Generalization", 2, "2311.00004")], "ambiguous", None),
        # only loosely related titles: not found
        (3, [candidate("Compositional Generalization in Neural Networks", 3, "2311.00005")], "not-found", None),
        (3, [], "not-found", None),
    ],
)
def test_match_title_rules(recorded: int | None, candidates: list[Paper], status: str, chosen: str | None) -> None:
    paper = Paper.create(title="Data Factors for Better Compositional Generalization", authors_count=recorded)
    match = match_title(paper, candidates)
    assert match.status == status
    assert (match.paper.arxiv_id if match.paper else None) == chosen


def test_post_import_hint() -> None:
    papers = seed_papers()
    hint = enrich_hint(papers, source="001_eaf0a1b246e94eca.txt")
    assert hint == (
        "196 papers have no arXiv id; `readlist enrich --query '-is:arxiv source:001_eaf0a1b246e94eca.txt'` "
        "(or E in the app) looks them up on arXiv for ids, authors and links"
    )
    assert "source:" not in (enrich_hint(papers[:1], source="my file.txt") or "")
    assert (enrich_hint(papers[:1]) or "").startswith("1 paper has no arXiv id")
    assert enrich_hint([Paper.create(title="T", arxiv_id="2410.21228")]) is None
    assert all(needs_enrichment(p) for p in papers)
    assert not needs_enrichment(
        Paper.create(title="T", arxiv_id="2410.21228", authors=["A"], url="https://arxiv.org/abs/2410.21228")
    )


def test_a_run_in_groups_reads_each_group_when_its_turn_comes(tmp_path: Path) -> None:
    """Each group is read when its turn comes: a paper an earlier group (or another writer) renamed is looked up
    under the id it has now, a deleted one not at all, a paper named twice once; every group's plan goes to the
    apply step as soon as it is made."""
    from readlist.app.commands import Delete
    from readlist.app.enrich import enrich_in_groups, papers_now

    lib = Library(tmp_path / "library.json")
    papers = seed_papers()[:6]
    ImportPapers(papers, "seed").execute(lib)
    ids = [p.id for p in papers]
    applied: list[list[str]] = []

    def apply(part: EnrichPlan) -> None:
        applied.append(part.pending)  # with no client to ask, every paper planned is pending
        if len(applied) == 1:  # between the groups: one paper gets its arXiv id, one is deleted
            ImportPapers([Paper.create(title=papers[3].title, arxiv_id="2401.00001")], "other").execute(lib)
            Delete([ids[4]]).execute(lib)

    plan = enrich_in_groups([*ids, ids[0], ids[3]], 3, read=lambda group: papers_now(lib, group), apply=apply,
                            arxiv=None, hf=None)
    # The third group's papers were looked up already (one under its new id): it is not planned again.
    assert applied == [ids[:3], ["2401.00001", ids[5]]]
    assert plan.pending == [*ids[:3], "2401.00001", ids[5]] and plan.reached == 5
