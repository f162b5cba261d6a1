"""Details corrected by hand stay corrected: imports, enrichment and undo all respect them."""

from __future__ import annotations

from pathlib import Path

import pytest

from readlist.app.commands import Rate
from readlist.app.details import EditDetails, split_authors
from readlist.app.enrich import plan_enrichment
from readlist.app.imports import ImportPapers
from readlist.app.session import Session
from readlist.core.model import Paper, ValidationError
from readlist.importers import parse_input
from readlist.net.arxiv_api import ArxivClient
from readlist.net.http import HttpClient
from readlist.storage.library import Library
from tests.fake_services import FakeServer

LORA = "LoRA vs Full Fine-tuning: An Illusion of Equivalence"  # on the stand-in arXiv as 2410.21228


@pytest.fixture
def session(tmp_path: Path) -> Session:
    session = Session.open(tmp_path / "library.json")
    papers = [Paper.create(title="A paper cut sho", abstract="As the page had it.", authors_count=3),
              Paper.create(title="Another paper", arxiv_id="2401.00002", abstract="Its abstract.")]
    session.run(ImportPapers(papers, "daily.txt"), record=False)
    return session


def first(session: Session) -> Paper:
    return next(p for p in Library(session.library.path).papers.values() if p.title.startswith("A paper"))


def test_an_edit_cleans_the_values_changes_only_what_differs_and_undo_takes_it_back(session: Session) -> None:
    pid = first(session).id
    outcome = session.run(EditDetails(pid, {"title": "  A paper cut\tshort ", "authors": "Ada Lovelace;  ; Alan Turing",
                                            "doi": "https://doi.org/10.1145/3368089.3409671",
                                            "abstract": "As the page had it."}))
    paper = first(session)
    assert paper.id == pid  # a paper keeps its id when its title is corrected
    assert (paper.title, paper.authors, paper.authors_count, paper.doi) == (
        "A paper cut short", ["Ada Lovelace", "Alan Turing"], 2, "10.1145/3368089.3409671")
    assert set(paper.changed) == {"title", "authors", "doi"}  # the abstract was already so: not the user's
    assert outcome.label == "Edited details" and len(outcome) == 1
    session.undo()
    back = first(session)
    assert (back.title, back.authors, back.authors_count, back.doi) == ("A paper cut sho", [], 3, None)
    assert back.changed == {}


def test_undo_of_an_edit_keeps_a_rating_given_elsewhere_since_and_its_change_time(session: Session) -> None:
    pid = first(session).id
    session.run(EditDetails(pid, {"title": "A paper cut short"}))
    Rate([pid], 4).execute(Library(session.library.path))  # another terminal: `readlist rate ID 4`
    done = session.undo()
    assert done is not None and not done.skipped
    back = first(session)
    assert (back.title, back.rating, set(back.changed)) == ("A paper cut sho", 4, {"rating"})
    session.redo()
    again = first(session)
    assert (again.title, again.rating, set(again.changed)) == ("A paper cut short", 4, {"rating", "title"})


@pytest.mark.parametrize(("values", "message"), [
    ({"title": "  "}, "a paper needs a title"),
    ({"published": "2024-13"}, "is no day of the calendar"),
    ({"published": "2024-02-30"}, "is no day of the calendar"),
    ({"published": "May 2024"}, "is not a date"),
    ({"url": "javascript:alert(1)"}, "is not a web address"),
    ({"doi": "not a doi"}, "is not a DOI"),
    ({"status": "read"}, "not a detail that can be edited"),
    ({"title": "Another paper"}, "another paper in the library has this title (2401.00002)"),
])
def test_a_value_a_paper_cannot_hold_changes_nothing(session: Session, values: dict[str, str], message: str) -> None:
    before = first(session)
    with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        session.run(EditDetails(before.id, values))
    assert first(session) == before and not session.history.undo_stack


def test_a_paper_with_an_arxiv_id_cannot_take_the_title_of_one_without(session: Session) -> None:
    """Its own arXiv id does not hide the other paper: the next import of that title would have two to match."""
    other = first(session)
    with pytest.raises(ValidationError, match=rf"another paper in the library has this title \({other.id}\)"):
        session.run(EditDetails("2401.00002", {"title": "a paper CUT sho"}))
    assert Library(session.library.path).papers["2401.00002"].title == "Another paper"


def test_two_papers_with_different_arxiv_ids_may_share_a_title(session: Session) -> None:
    session.run(ImportPapers([Paper.create(title="A third paper", arxiv_id="2401.00003")], "daily.txt"), record=False)
    session.run(EditDetails("2401.00003", {"title": "Another paper"}))
    assert Library(session.library.path).papers["2401.00003"].title == "Another paper"


def test_an_empty_value_clears_a_field_and_clearing_typed_names_keeps_the_sources_count(session: Session) -> None:
    pid = first(session).id
    session.run(EditDetails(pid, {"url": "https://example.org/paper", "authors": "Ada Lovelace"}))
    session.run(EditDetails(pid, {"url": "", "authors": ""}))
    paper = first(session)
    assert (paper.url, paper.authors, paper.authors_count) == (None, [], None)
    assert split_authors("King, Jr., Martin; Ada Lovelace") == ["King, Jr., Martin", "Ada Lovelace"]
    # A name pasted with a terminal's link around it: the link's own semicolons separate no authors.
    linked = "Ada \x1b]8;;https://evil.example\x07Lovelace\x1b]8;;\x07; Alan Turing"
    assert split_authors(linked) == ["Ada Lovelace", "Alan Turing"]


def test_a_re_import_fills_and_refreshes_every_field_but_the_corrected_ones(session: Session) -> None:
    pid = first(session).id
    session.run(EditDetails(pid, {"abstract": "My own summary.", "published": "2024-05"}))
    again = Paper.create(title="A paper cut sho", abstract="A longer abstract from the page.",
                         published="2024-05-02", url="https://huggingface.co/papers/x", upvotes=12)
    outcome = session.run(ImportPapers([again], "daily-2.txt"))
    paper = first(session)
    assert (paper.abstract, paper.published) == ("My own summary.", "2024-05")
    assert (paper.url, paper.upvotes) == ("https://huggingface.co/papers/x", 12)  # the rest as any import does
    assert pid in outcome.changes


def test_enrichment_leaves_a_corrected_title_and_authors_alone(fake_server: FakeServer, tmp_path: Path) -> None:
    lib = Library(tmp_path / "library.json")
    ImportPapers([Paper.create(title=LORA, abstract="From a text copy.")], "daily.txt").execute(lib)
    pid = next(iter(lib.papers))
    EditDetails(pid, {"authors": "Reece Shuttleworth; Jacob Andreas; et al."}).execute(lib)
    arxiv = ArxivClient(HttpClient(), base_url=fake_server.arxiv_api, delay=0)
    plan = plan_enrichment([lib.papers[pid]], arxiv=arxiv, hf=None)
    (change,) = plan.changes
    assert change.new_id == "2410.21228" and "authors" not in change.fields
    # Applied later, a plan made before the correction does not undo it either.
    stale = change.fields | {"authors": ["Someone Else"]}
    applied = type(change)(change.paper_id, change.title, change.new_id, stale).apply(lib.papers[pid])
    assert applied.authors == ["Reece Shuttleworth", "Jacob Andreas", "et al."]
    assert applied.url == "https://arxiv.org/abs/2410.21228"  # what was missing is still filled


def test_a_readlist_json_re_import_of_the_papers_own_export_changes_nothing(session: Session, tmp_path: Path) -> None:
    """The record as exported carries the corrected values: reading it back is not a change."""
    import json

    pid = first(session).id
    session.run(EditDetails(pid, {"title": "A paper cut short"}))
    exported = json.dumps([first(session).public_dict()]).encode()
    parsed = parse_input(exported, source="all.json")
    outcome = session.run(ImportPapers(parsed.papers, "all.json", parsed.format))
    assert first(session).title == "A paper cut short"
    change = outcome.changes.get(pid)
    assert change is None or set(change.after or {}) <= {"sources", "source_formats"}
