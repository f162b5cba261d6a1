"""Related papers and the shared vectors behind them, on small hand-made libraries."""

from __future__ import annotations

from typing import Any

import msgspec

from readlist.core.model import Paper
from readlist.core.related import more_like, related
from readlist.core.vectors import PaperVectors, VectorConfig, form_key


def paper(title: str, abstract: str, **fields: Any) -> Paper:
    fields.setdefault("added", "2025-01-01T00:00:00+00:00")
    return Paper.create(title=title, abstract=abstract, **fields)


def library() -> list[Paper]:
    return [
        paper("Video diffusion transformers", "A diffusion transformer generates long video clips from text prompts.",
              authors=["Ana Lima", "Bo Chen"], arxiv_id="2401.00001"),
        paper("Temporal consistency for video diffusion", "Keeping objects stable across frames in video diffusion.",
              authors=["Ana Lima"], arxiv_id="2401.00002"),
        paper("Reward models for reinforcement learning", "Learning reward models from human preference feedback.",
              authors=["Cy Dorn"], arxiv_id="2401.00003"),
        paper("Policy optimization with learned rewards", "Reinforcement learning agents optimize a learned reward.",
              authors=["Cy Dorn", "Di Eve"], arxiv_id="2401.00004"),
        paper("Protein folding with language models", "Protein structure prediction from amino acid sequences.",
              arxiv_id="2401.00005", tags=["bio"]),
        paper("Antibody design", "Designing antibodies with structure priors and sequence models.",
              arxiv_id="2401.00006", tags=["bio"]),
        paper("Image super-resolution survey", "A survey of image super-resolution methods and benchmarks.",
              arxiv_id="2401.00007", categories=["cs.CV"]),
        paper("Tabular learning benchmark", "Gradient boosted trees against neural networks on tabular data.",
              arxiv_id="2401.00008", categories=["cs.LG"]),
    ]


def test_related_finds_the_obvious_neighbour_and_says_why() -> None:
    papers = library()
    vectors = PaperVectors.build(papers)
    found = related(vectors, "2401.00001", k=3)
    assert found[0].paper_id == "2401.00002"
    assert "Ana Lima" in found[0].authors
    assert any("diffusion" in term or "video" in term for term in found[0].terms)
    assert "2401.00001" not in [r.paper_id for r in found]
    assert [r.score for r in found] == sorted((r.score for r in found), reverse=True)

    rl = related(vectors, "2401.00003", k=1)
    assert rl[0].paper_id == "2401.00004"
    assert rl[0].authors == ("Cy Dorn",)


def test_shared_tags_count_even_without_shared_words() -> None:
    vectors = PaperVectors.build(library())
    found = related(vectors, "2401.00006", k=1)
    assert found[0].paper_id == "2401.00005"
    assert found[0].tags == ("bio",)


def test_related_respects_k_and_exclusions_and_skips_unrelated_papers() -> None:
    vectors = PaperVectors.build(library())
    assert related(vectors, "2401.00001", k=0) == []
    without = related(vectors, "2401.00001", k=3, exclude={"2401.00002"})
    assert "2401.00002" not in [r.paper_id for r in without]
    # Every result shares something: nothing with a zero score is padded in.
    assert all(r.score > 0 for r in related(vectors, "2401.00008", k=7))


def test_more_like_the_selection_averages_the_selected_papers() -> None:
    papers = library()
    vectors = PaperVectors.build(papers)
    selection = ["2401.00001", "2401.00003"]  # one video paper, one RL paper
    found = more_like(vectors, selection, k=2)
    assert {r.paper_id for r in found} == {"2401.00002", "2401.00004"}
    assert not {r.paper_id for r in found} & set(selection)
    assert more_like(vectors, [], k=3) == []
    assert more_like(vectors, ["unknown"], k=3) == []


def test_updates_revectorize_only_what_changed() -> None:
    papers = library()
    vectors = PaperVectors.build(papers)
    # A status change touches nothing the vectors depend on.
    moved = [msgspec.structs.replace(p, status="to-read") for p in papers]
    assert vectors.updated(moved) is vectors
    # A new tag changes the metadata, not the text rows.
    assert related(vectors, "2401.00007", k=1) == []  # shares no word with anything
    tagged = [msgspec.structs.replace(p, tags=["later"]) if p.id in ("2401.00007", "2401.00008") else p for p in papers]
    retagged = vectors.updated(tagged)
    assert retagged.text is vectors.text
    assert related(retagged, "2401.00007", k=1)[0].tags == ("later",)
    # A new paper is vectorized against the existing vocabulary and found as a neighbour.
    new = paper("Video diffusion at scale", "Scaling video diffusion transformers.", arxiv_id="2401.00009")
    grown = vectors.updated([*papers, new])
    assert grown.unfitted_rows == 1
    assert grown.terms == vectors.terms
    assert related(grown, "2401.00009", k=1)[0].paper_id in {"2401.00001", "2401.00002"}
    # A removed paper is gone from the index.
    shrunk = grown.updated([p for p in [*papers, new] if p.id != "2401.00002"])
    assert "2401.00002" not in shrunk.row
    assert len(shrunk) == len(papers)


def test_vocabulary_is_relearned_once_many_rows_are_newer_than_it() -> None:
    papers = library()
    vectors = PaperVectors.build(papers[:4], VectorConfig(refit_share=0.25))
    grown = vectors.updated(papers)
    assert grown.unfitted_rows == 0  # half the rows were new: a full rebuild
    assert "protein" in grown.terms


def test_a_library_without_words_still_works() -> None:
    papers = [paper("The", ""), paper("Of and", "")]
    vectors = PaperVectors.build(papers)
    assert vectors.text.shape == (2, 0)
    assert related(vectors, papers[0].id, k=3) == []
    empty = PaperVectors.build([])
    assert len(empty) == 0
    assert more_like(empty, ["x"]) == []


def test_the_prose_of_abstracts_relates_no_papers_and_is_never_a_reason() -> None:
    """Two abstracts that share only "we propose a novel approach … results show … outperforms existing work" share a
    register, not a subject: they are not related by it, and the words are never given as why two papers are."""
    prose = ("We propose a novel approach. Extensive results show that it significantly outperforms existing "
             "work; it is publicly available at https://github.com.")
    papers = [
        paper("Contextual bandits with delayed feedback", f"Bandits that learn from delayed rewards. {prose}",
              arxiv_id="2402.00001"),
        paper("Regret bounds for bandits", "Bandits regret under delayed feedback, with first-order bounds.",
              arxiv_id="2402.00002"),
        paper("Protein language models", f"Protein sequences as sentences. {prose}", arxiv_id="2402.00003"),
        paper("Soil moisture from radar", f"Radar backscatter predicts soil moisture. {prose}", arxiv_id="2402.00004"),
        *library(),
    ]
    vectors = PaperVectors.build(papers)
    assert {"novel", "propose", "outperforms", "significantly", "github", "publicly"}.isdisjoint(vectors.terms)
    # Words that are also terms of art stay: "first-order" and "bounds" here, "bandits" of course.
    assert {"bandits", "first-order", "bounds"} <= set(vectors.terms)
    found = related(vectors, "2402.00001", k=3)
    assert found[0].paper_id == "2402.00002"
    assert "bandits" in found[0].terms
    # The protein and radar papers share the bandit paper's prose and nothing else.
    assert {"2402.00003", "2402.00004"}.isdisjoint(r.paper_id for r in found)
    for pid in ("2402.00003", "2402.00004"):
        assert "2402.00001" not in [r.paper_id for r in related(vectors, pid, k=5)]


def test_a_word_shown_as_a_reason_is_not_shown_again_in_its_other_number() -> None:
    papers = [
        paper("Agents that plan", "One agent among many agents, with a planner.", arxiv_id="2403.00001"),
        paper("Planning agents", "An agent joins other agents and a planner.", arxiv_id="2403.00002"),
        *library(),
    ]
    found = related(PaperVectors.build(papers), "2403.00001", k=1)
    assert found[0].paper_id == "2403.00002"
    assert len({term.rstrip("s") for term in found[0].terms}) == len(found[0].terms)
    assert "agent" in {term.rstrip("s") for term in found[0].terms}


def test_plurals_english_forms_them_and_single_letters_are_no_shared_terms() -> None:
    """"policies, policy", "libraries, library" and "lms, lm" were two reasons each; "d" and "p" were reasons."""
    papers = [
        paper("Policies for code libraries", "One policy picks a library; policies rank libraries with lms and an "
              "lm of size d and p values.", arxiv_id="2404.00001"),
        paper("Library policies", "A policy over each library: policies compare libraries, an lm and lms, d and p.",
              arxiv_id="2404.00002"),
        *library(),
    ]
    found = related(PaperVectors.build(papers), "2404.00001", k=1)
    assert found[0].paper_id == "2404.00002"
    keys = [form_key(term) for term in found[0].terms]
    assert len(set(keys)) == len(keys), found[0].terms
    assert not {"d", "p"} & set(found[0].terms)
    pairs = [("policy", "policies"), ("library", "libraries"), ("lm", "lms"), ("class", "classes"),
             ("approach", "approaches"), ("box", "boxes"), ("agent", "agents"), ("llm", "llms")]
    assert all(form_key(one) == form_key(many) for one, many in pairs)
    assert form_key("process") == form_key("processes") and form_key("corpus") == "corpus"


def test_a_possessive_is_shown_as_its_word() -> None:
    """"openai's" and "model's" were shared terms as written: the word is the reason."""
    papers = [
        paper("OpenAI's reward model", "OpenAI's reward model's calibration under the reward model's shift.",
              arxiv_id="2404.00011"),
        paper("Calibrating OpenAI's reward model", "The reward model's shift and OpenAI's calibration.",
              arxiv_id="2404.00012"),
        *library(),
    ]
    found = related(PaperVectors.build(papers), "2404.00011", k=1)
    assert found[0].paper_id == "2404.00012"
    assert not [term for term in found[0].terms if "'" in term], found[0].terms
    assert "openai" in found[0].terms


def test_tex_commands_in_abstracts_are_no_words() -> None:
    """Abstracts from arXiv keep their TeX (``$\\nabla f$ on $\\mathbb{R}^n$``): the commands' names tied papers
    together ("shared terms: nabla, mathbb, frac") and were reasons for a score. Only the text is words."""
    tex = [paper(f"Smooth optimization {i}", f"Gradient $\\nabla f$ over $\\mathbb{{R}}^n$ with "
                 f"$\\frac{{1}}{{2}}\\|x\\|^2 \\cdot \\epsilon$ step sizes and {topic}.")
           for i, topic in enumerate(("convex losses", "nonconvex losses", "stochastic noise", "momentum"))]
    vectors = PaperVectors.build([*library(), *tex])
    assert not {"nabla", "mathbb", "frac", "cdot", "epsilon"} & set(vectors.terms)
    assert {"gradient", "step", "sizes"} <= set(vectors.terms)
    found = related(vectors, tex[0].id, k=3)
    assert found and all(not {"nabla", "mathbb", "frac"} & set(term.split()) for r in found for term in r.terms)
