"""The learned interest score on a small hand-made library: it learns, weighs recent decisions more, explains."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import numpy as np
import pytest

from readlist.core.interest import ColdStart, Label, training_labels
from readlist.core.interest_model import InterestModel, train, train_papers
from readlist.core.model import Paper
from readlist.core.vectors import PaperVectors

NOW = datetime(2025, 6, 1, tzinfo=UTC)

RL = [
    "Policy gradient agents learn reward shaping for robot control",
    "Offline reinforcement learning with conservative reward models",
    "Multi-agent reinforcement learning for cooperative navigation",
    "Reward hacking in reinforcement learning agents",
    "Exploration bonuses for sparse reward reinforcement learning",
    "Hierarchical policy learning for long-horizon agents",
    "Model-based reinforcement learning with learned world models",
    "Actor-critic agents for continuous control",
]
BIO = [
    "Protein folding with geometric deep networks",
    "Molecule generation for drug discovery with graph models",
    "Predicting protein structure from amino acid sequences",
    "Enzyme design guided by protein language models",
    "Molecular docking scores for protein ligand binding",
    "Genome sequence models for gene expression",
    "Antibody design with protein structure priors",
    "Small molecule property prediction from molecular graphs",
]


def paper(title: str, **fields: Any) -> Paper:
    fields.setdefault("added", "2025-01-01T00:00:00+00:00")
    fields.setdefault("abstract", f"We study {title.lower()}. Our method improves results on standard tasks.")
    return Paper.create(title=title, **fields)


def decided(p: Paper, status: str, days_ago: float = 1.0, **fields: Any) -> Paper:
    stamp = (NOW - timedelta(days=days_ago)).isoformat()
    return msgspec.structs.replace(p, status=status, updated=stamp, **fields)


def library() -> tuple[list[Paper], list[Paper], list[Paper]]:
    """RL papers kept, biology papers skipped, the last two of each left in the inbox."""
    rl = [paper(t, authors=[f"Ada Agent{i % 3}"]) for i, t in enumerate(RL)]
    bio = [paper(t, authors=[f"Bea Bio{i % 3}"]) for i, t in enumerate(BIO)]
    papers = [decided(p, "to-read") for p in rl[:6]] + [decided(p, "skipped") for p in bio[:6]]
    return papers + rl[6:] + bio[6:], rl[6:], bio[6:]


def trained(papers: list[Paper]) -> InterestModel:
    model = train_papers(PaperVectors.build(papers), papers, NOW)
    assert isinstance(model, InterestModel), model
    return model


def strongest(model: InterestModel, k: int) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The ``k`` features the model weighs most for, and most against, a paper, as (kind, name)."""
    order = np.argsort(model.coef, kind="stable")
    liked = [model.vectors.feature_name(int(c)) for c in order[::-1][:k] if model.coef[c] > 0]
    disliked = [model.vectors.feature_name(int(c)) for c in order[:k] if model.coef[c] < 0]
    return liked, disliked


def test_cold_start_says_why_and_trains_nothing() -> None:
    papers, _, _ = library()
    few = papers[:3] + papers[6:8] + papers[12:]  # 3 kept, 2 skipped: under the 10-decision threshold
    result = train_papers(PaperVectors.build(few), few, NOW)
    assert isinstance(result, ColdStart)
    assert result.labels == 5 and result.positives == 3 and result.negatives == 2
    assert "5 more decisions" in result.reason


def test_learns_what_the_user_keeps() -> None:
    papers, rl_inbox, bio_inbox = library()
    model = trained(papers)
    scores = model.score_all()
    assert set(scores) == {p.id for p in papers}
    assert all(0.0 <= s <= 1.0 for s in scores.values())
    assert min(scores[p.id] for p in rl_inbox) > 0.5 > max(scores[p.id] for p in bio_inbox)
    # Papers the index has never seen are scored from their text on the spot.
    fresh = paper("Reward models for reinforcement learning agents")
    other = paper("Protein structure prediction for enzymes")
    ad_hoc = model.score([fresh, other])
    assert ad_hoc[fresh.id] > 0.5 > ad_hoc[other.id]


def test_ratings_count_more_than_statuses() -> None:
    papers, rl_inbox, _ = library()
    # The same decisions, except one skipped RL paper: rated 1 it pulls RL scores down more than a plain skip.
    skip_one = [decided(p, "skipped") if p.title == RL[0] else p for p in papers]
    hate_one = [decided(p, "read", rating=1, read_at=NOW.isoformat()) if p.title == RL[0] else p for p in papers]
    plain, hated = trained(skip_one).score_all(), trained(hate_one).score_all()
    assert hated[rl_inbox[0].id] < plain[rl_inbox[0].id]


def test_recent_decisions_outweigh_old_ones() -> None:
    """A user who kept RL papers a year ago and skips them now: the recent skips win."""
    papers, rl_inbox, _ = library()
    vectors = PaperVectors.build(papers)

    def history(keeps_days_ago: float) -> list[Paper]:
        out = []
        for p in papers:
            if p.title in RL[:3]:
                out.append(decided(p, "to-read", days_ago=keeps_days_ago))
            elif p.title in RL[3:6]:
                out.append(decided(p, "skipped", days_ago=1))
            elif p.title in BIO[:6]:
                out.append(decided(p, "to-read" if BIO.index(p.title) % 2 else "skipped", days_ago=1))
            else:
                out.append(p)
        return out

    same_age = train(vectors, training_labels(history(1), NOW))
    long_ago = train(vectors, training_labels(history(400), NOW))
    assert isinstance(same_age, InterestModel) and isinstance(long_ago, InterestModel)
    target = rl_inbox[0].id
    assert long_ago.score_all()[target] < same_age.score_all()[target]
    assert long_ago.score_all()[target] < 0.5


def test_explanations_name_features_that_moved_the_score() -> None:
    papers, rl_inbox, bio_inbox = library()
    model = trained(papers)
    target = rl_inbox[0]
    reasons = model.explain(target, k=3)
    assert 1 <= len(reasons) <= 3
    assert all(abs(a.weight) >= abs(b.weight) for a, b in itertools.pairwise(reasons))
    top = reasons[0]
    assert top.direction == "up"
    words = f"{target.title} {target.abstract}".lower()
    if top.kind == "term":
        assert top.value in words
        # Take the word out of the paper: its score drops.
        stripped = msgspec.structs.replace(
            target,
            title=target.title.lower().replace(top.value, "thing"),
            abstract=target.abstract.lower().replace(top.value, "thing"),
        )
        assert model.score([stripped])[target.id] < model.score([target])[target.id]
    else:
        assert top.kind == "author" and top.value in target.authors
    # The skipped topic's paper is explained by what pulled it down.
    assert model.explain(bio_inbox[0], k=1)[0].direction == "down"
    # The reasons are exact shares of the log-odds: with the baseline they add up to the score.
    every = model.explain(target, k=10_000)
    log_odds = model.intercept + sum(r.weight for r in every)
    assert 1 / (1 + pow(2.718281828459045, -log_odds)) == pytest.approx(model.score_all()[target.id], rel=1e-6)


def test_a_word_and_its_plural_are_one_reason() -> None:
    """"agent" and "agents" in one paper name one thing: one reason with both shares, not two lines."""
    papers, rl_inbox, _ = library()
    model = trained([*papers, decided(paper("One agent for robot control"), "to-read")])
    target = msgspec.structs.replace(
        rl_inbox[0], abstract="An agent among agents: reward shaping for the agents of a robot.")
    row = model.vectors.vectorize([target])
    columns = {model.vectors.feature_name(int(c))[1]: float(v) * float(model.coef[c])
               for c, v in zip(row.indices, row.data, strict=True)}
    assert {"agent", "agents"} <= set(columns)
    every = model.explain(target, k=10_000)
    terms = [r.value for r in every if r.kind == "term"]
    assert len([t for t in terms if t in ("agent", "agents")]) == 1
    (agent,) = [r for r in every if r.value in ("agent", "agents")]
    assert agent.weight == pytest.approx(columns["agent"] + columns["agents"])
    assert agent.value == max(("agent", "agents"), key=lambda t: abs(columns[t]))
    # Still the exact shares of the score, all of them.
    log_odds = model.intercept + sum(r.weight for r in every)
    assert 1 / (1 + pow(2.718281828459045, -log_odds)) == pytest.approx(model.score([target])[target.id], rel=1e-6)


def test_single_letters_are_never_reasons_and_a_possessive_is_its_word() -> None:
    """"w" (of "w.r.t."), "t" (of "in T steps") and "model's" were shown as reasons for a score: the letters say
    nothing to a reader, and "model's" is "model" said twice."""
    papers, rl_inbox, _ = library()
    letters = [decided(paper(f"Robot control agents {i}", abstract=(
        f"Reward shaping w.r.t. the agent's policy, in T steps; the model's world model {i}.")), "to-read")
        for i in range(3)]
    model = trained([*papers, *letters])
    target = msgspec.structs.replace(
        rl_inbox[0], abstract="Reward shaping w.r.t. the agent's policy in T steps, with the model's world model.")
    row = model.vectors.vectorize([target])
    columns = {model.vectors.feature_name(int(c))[1]: float(v) * float(model.coef[c])
               for c, v in zip(row.indices, row.data, strict=True)}
    assert {"w", "t", "model's", "model", "agent's"} <= set(columns)  # the model still learns from them
    every = model.explain(target, k=10_000)
    terms = [r.value for r in every if r.kind == "term"]
    assert not {"w", "t", "r", "model's", "agent's"} & set(terms), terms
    # "model", "model's" and the library's "models" are one reason, with the three shares summed.
    (word,) = [r for r in every if r.value in ("model", "models")]
    assert word.weight == pytest.approx(columns["model"] + columns["model's"] + columns.get("models", 0.0))
    assert len([t for t in terms if t in ("agent", "agents")]) == 1


def test_author_and_tag_features_are_named() -> None:
    papers, _, _ = library()
    # Tag the kept RL papers and give a kept one a distinctive author: both show up by name.
    papers = [msgspec.structs.replace(p, tags=["rl"]) if p.status == "to-read" else p for p in papers]
    model = trained(papers)
    liked, disliked = strongest(model, k=50)
    assert ("tag", "rl") in liked
    assert any(kind == "author" and value.startswith("Ada") for kind, value in liked)
    assert any(kind == "author" and value.startswith("Bea") for kind, value in disliked)


def test_only_the_most_recent_decisions_train_a_huge_history(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the cap, the oldest decisions are left out: here they would have said the opposite."""
    import readlist.core.interest_model as interest_model

    papers, rl_inbox, _ = library()
    vectors = PaperVectors.build(papers)
    ids = {p.title: p.id for p in papers}
    recent = [Label(ids[t], True, 1.0) for t in RL[:3]] + [Label(ids[t], False, 1.0) for t in BIO[:3]]
    ancient = [Label(ids[t], False, 0.2) for t in RL[3:6]] + [Label(ids[t], True, 0.2) for t in BIO[3:6]]
    monkeypatch.setattr(interest_model, "MAX_LABELS", len(recent))
    model = train(vectors, ancient + recent, min_labels=2)
    assert isinstance(model, InterestModel)
    assert model.labels == len(recent)
    assert model.score_all()[rl_inbox[0].id] > 0.5


# Word pools for a library large enough to have topic axes: papers of a subject share words in pairs and threes.
AGENT_WORDS = ["policy", "reward", "agents", "exploration", "environment", "actions", "planning", "rollouts",
               "value", "episodes", "simulator", "trajectories"]
PROTEIN_WORDS = ["protein", "folding", "residues", "enzyme", "binding", "ligand", "antibody", "sequence",
                 "structure", "molecule", "docking", "amino"]


def pooled(words: list[str], n: int, tag: str) -> list[Paper]:
    out = []
    for i in range(n):
        chosen = [words[(i + j) % len(words)] for j in range(3)]
        out.append(paper(f"{chosen[0]} {chosen[1]} {tag} {i}", abstract=f"Results relating {' and '.join(chosen)}."))
    return out


def test_topics_carry_a_few_decisions_to_papers_in_other_words() -> None:
    """Kept agent papers, skipped protein papers: an agent paper sharing no word with any decision still ranks
    above a protein paper sharing none, because the library's topics link its words to the kept ones."""
    agents, proteins = pooled(AGENT_WORDS, 24, "a"), pooled(PROTEIN_WORDS, 24, "p")
    # Decide only papers built from the first six words of each pool; the inbox has papers from the last six.
    decisions = [decided(p, "to-read") for p in agents[:4]] + [decided(p, "skipped") for p in proteins[:6]]
    unseen_agent = paper("simulator value episodes", abstract="Results relating trajectories and value.")
    unseen_protein = paper("structure docking amino", abstract="Results relating molecule and docking.")
    papers = [*decisions, *agents[4:], *proteins[6:], unseen_agent, unseen_protein]
    vectors = PaperVectors.build(papers)
    assert vectors.topics.shape[1] >= 2
    decided_words = set(vectors.text[[vectors.row[p.id] for p in decisions]].indices.tolist())
    for fresh in (unseen_agent, unseen_protein):
        assert not decided_words & set(vectors.text[vectors.row[fresh.id]].indices.tolist())
    labels = training_labels(papers, NOW)
    with_topics = train(vectors, labels)
    words_only = train(vectors, labels, topic_weight=0)
    assert isinstance(with_topics, InterestModel) and isinstance(words_only, InterestModel)
    scored = with_topics.score_all()
    assert scored[unseen_agent.id] > scored[unseen_protein.id] + 0.05
    plain = words_only.score_all()
    assert abs(plain[unseen_agent.id] - plain[unseen_protein.id]) < (
        scored[unseen_agent.id] - scored[unseen_protein.id]
    )
    # The topic weights are folded onto the words: the reasons still add up exactly to the score, and they are
    # words of the paper itself.
    every = with_topics.explain(unseen_agent, k=10_000)
    assert every and all(r.kind == "term" for r in every)
    assert all(r.value in f"{unseen_agent.title} {unseen_agent.abstract}".lower() for r in every)
    log_odds = with_topics.intercept + sum(r.weight for r in every)
    assert 1 / (1 + pow(2.718281828459045, -log_odds)) == pytest.approx(scored[unseen_agent.id], rel=1e-6)
    # The protein paper is pulled down by its own words, which the topics tie to the skipped papers.
    assert with_topics.explain(unseen_protein, k=1)[0].direction == "down"


def test_a_name_found_on_a_single_paper_changes_no_score() -> None:
    """Kept papers that each list their own authors (as arXiv papers do) are learned from their words alone.

    An author on one paper cannot say anything about another; counted, the kept papers would be told apart from
    the skipped ones by those names and less would be learned about the words the inbox papers share with them.
    """
    papers, rl_inbox, bio_inbox = library()
    extra = [paper(f"Notes on topic {word}") for word in ("sorting", "caching", "parsing", "routing")]
    plain = [msgspec.structs.replace(p, authors=[]) for p in papers] + extra
    assert len(plain) >= 20  # large enough for the one-paper floor to apply, as it does for words
    crowded = [
        msgspec.structs.replace(p, authors=[f"Solo Writer {i}-{j}" for j in range(8)]) if p.status == "to-read" else p
        for i, p in enumerate(plain)
    ]
    without, with_names = trained(plain), trained(crowded)
    for p in rl_inbox + bio_inbox:
        assert with_names.score_all()[p.id] == pytest.approx(without.score_all()[p.id], abs=1e-4)
    kept = next(p for p in crowded if p.status == "to-read")
    assert all(r.kind == "term" for r in with_names.explain(kept, k=10_000))
    liked, _ = strongest(with_names, k=1000)
    assert not any(kind == "author" for kind, _ in liked)
    # A second paper by one of those authors makes the name count: now it says something about another paper.
    shared = kept.authors[0]
    follow_up = paper("Curriculum design for embodied agents", authors=[shared])
    model = trained([*crowded, follow_up])
    assert any(r.kind == "author" and r.value == shared for r in model.explain(follow_up, k=10_000))
    assert model.score_all()[follow_up.id] > trained([*plain, follow_up]).score_all()[follow_up.id]


def test_a_tiny_library_counts_every_name_as_it_counts_every_word() -> None:
    """Under 20 papers there is no document-frequency floor, for words or names: too few papers to judge."""
    papers, _, _ = library()
    assert len(papers) < 20
    kept = next(p for p in papers if p.status == "to-read")
    solo = msgspec.structs.replace(kept, authors=["Solo Writer"])
    model = trained([solo if p.id == kept.id else p for p in papers])
    assert any(r.kind == "author" and r.value == "Solo Writer" for r in model.explain(solo, k=10_000))


def tagged_library(tag: str, *, on: str = "to-read") -> tuple[list[Paper], Paper, Paper]:
    """``library()`` with ``tag`` on the first paper of status ``on``, plus two inbox papers that share no word
    with any decided paper: one about robots, one about spreadsheets."""
    papers, _, _ = library()
    first = next(p for p in papers if p.status == on)
    papers = [msgspec.structs.replace(p, tags=[tag]) if p.id == first.id else p for p in papers]
    robots = paper("Robots grasping cluttered objects", abstract="Robots grasping objects in clutter.")
    sheets = paper("Spreadsheets formulas repaired", abstract="Repairing spreadsheets formulas.")
    return [*papers, robots, sheets], robots, sheets


def test_a_tag_on_a_kept_paper_counts_its_words_in_papers_not_yet_tagged() -> None:
    """A tag names in a word what the user kept; the inbox has no tags yet, so the tag's word is what carries it
    to an inbox paper (in either number: "robot" finds "robots")."""
    papers, robots, sheets = tagged_library("robot")
    model = trained(papers).score_all()
    untagged = trained(tagged_library("misc")[0]).score_all()
    # Neither paper shares a word with a decision: untagged, they score alike; the tag lifts the robots paper.
    assert untagged[robots.id] == pytest.approx(untagged[sheets.id])
    assert model[robots.id] > model[sheets.id] + 0.05
    fitted = trained(papers)
    reasons = fitted.explain(robots, k=1)
    assert (reasons[0].kind, reasons[0].value, reasons[0].direction) == ("term", "robots", "up")
    # The shares still add up to the score.
    every = fitted.explain(robots, k=10_000)
    log_odds = fitted.intercept + sum(r.weight for r in every)
    assert 1 / (1 + pow(2.718281828459045, -log_odds)) == pytest.approx(model[robots.id], rel=1e-6)


@pytest.mark.parametrize(
    ("tag", "on"),
    [
        ("software-testing", "to-read"),  # one token no paper uses: "testing" alone would be another subject
        ("robots", "skipped"),  # a tag on a skipped paper may say why it was skipped: no example is made of it
    ],
)
def test_tags_that_say_nothing_of_the_inbox_change_no_score(tag: str, on: str) -> None:
    papers, robots, sheets = tagged_library(tag, on=on)
    baseline = trained(tagged_library("misc", on=on)[0]).score_all()
    scores = trained(papers).score_all()
    for p in (robots, sheets):
        assert scores[p.id] == pytest.approx(baseline[p.id], abs=1e-9)
