"""A paper whose title the user corrected is still the paper its sources name by the title they have.

Imports, enrichment and sync find a paper without an arXiv id by its title; the title a text copy or arXiv has
stays the paper's through the ``t-…`` id it gives (the paper's id, or one of its aliases).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from readlist.app.details import EditDetails
from readlist.app.enrich import plan_enrichment
from readlist.app.imports import ImportPapers
from readlist.app.library_merge import Side, merge_libraries
from readlist.app.session import Session
from readlist.core.model import Paper, ValidationError, title_id
from readlist.net.arxiv_api import ArxivClient
from readlist.net.http import HttpClient
from readlist.storage.library import Library
from tests.fake_services import FakeServer

CUT = "A paper cut sho"  # as a text copy has it
LORA = "LoRA vs Full Fine-tuning: An Illusion of Equivalence"  # on the stand-in arXiv as 2410.21228


def text_copy(title: str = CUT, **values: object) -> Paper:
    return Paper.create(title=title, **values)


def only(path: Path) -> Paper:
    (paper,) = Library(path).papers.values()
    return paper


@pytest.fixture
def session(tmp_path: Path) -> Session:
    session = Session.open(tmp_path / "library.json")
    session.run(ImportPapers([text_copy(abstract="As the page had it.")], "daily.txt"), record=False)
    return session


def test_a_re_import_of_the_text_copy_completes_the_paper_whose_title_was_corrected(session: Session) -> None:
    path = session.library.path
    pid = only(path).id
    session.run(EditDetails(pid, {"title": "A paper cut short"}))
    session.run(EditDetails(pid, {"title": "A paper cut short, twice corrected"}))
    outcome = session.run(ImportPapers([text_copy(upvotes=7)], "daily-2.txt"))
    paper = only(path)  # no second record
    assert (paper.id, paper.title, paper.upvotes) == (pid, "A paper cut short, twice corrected", 7)
    assert list(outcome.changes) == [pid]
    # arXiv has the title the text copy had: the paper gets its arXiv id, the title stays as corrected.
    session.run(ImportPapers([text_copy(arxiv_id="2401.00001", authors=["Ada Lovelace"])], "2401.00001"))
    paper = only(path)
    assert (paper.id, paper.aliases, paper.title) == ("2401.00001", [pid], "A paper cut short, twice corrected")
    # A later text copy still finds it, through the id it had.
    session.run(ImportPapers([text_copy(url="https://huggingface.co/papers/2401.00001")], "daily-3.txt"))
    assert only(path).url == "https://huggingface.co/papers/2401.00001"


def test_a_correction_back_to_the_original_title_keeps_the_paper_one_record(session: Session) -> None:
    path = session.library.path
    pid = only(path).id
    session.run(EditDetails(pid, {"title": "A paper cut short"}))
    session.run(EditDetails(pid, {"title": CUT}))
    session.run(ImportPapers([text_copy(upvotes=3)], "daily-2.txt"))
    assert (only(path).id, only(path).aliases, only(path).upvotes) == (pid, [], 3)


def test_a_paper_from_arxiv_keeps_its_source_titles_id_as_an_alias_and_undo_takes_it_back(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    session = Session.open(path)
    session.run(ImportPapers([text_copy(arxiv_id="2401.00001")], "2401.00001"), record=False)
    session.run(EditDetails("2401.00001", {"title": "A paper cut short"}))
    session.run(EditDetails("2401.00001", {"title": "A paper cut short, twice corrected"}))
    assert only(path).aliases == [title_id(CUT)]  # the source's title only, not the one typed in between
    session.run(ImportPapers([text_copy(upvotes=5)], "daily.txt"))  # a text copy without the arXiv id
    assert (only(path).id, only(path).upvotes) == ("2401.00001", 5)
    session.undo()  # the import
    session.undo()  # the second correction
    session.undo()  # the first: the alias goes with it
    assert (only(path).title, only(path).aliases) == (CUT, [])


def test_a_title_another_paper_was_imported_under_is_refused_and_said_so(session: Session) -> None:
    pid = only(session.library.path).id
    session.run(EditDetails(pid, {"title": "A paper cut short"}))
    session.run(ImportPapers([Paper.create(title="Another paper")], "daily-2.txt"), record=False)
    other = title_id("Another paper")
    with pytest.raises(ValidationError, match=rf"another paper in the library was imported under this title \({pid}\)"):
        session.run(EditDetails(other, {"title": CUT.upper()}))


def test_enrichment_finds_a_paper_by_the_title_it_was_imported_under(fake_server: FakeServer, tmp_path: Path) -> None:
    lib = Library(tmp_path / "library.json")
    ImportPapers([text_copy(LORA)], "daily.txt").execute(lib)
    pid = next(iter(lib.papers))
    EditDetails(pid, {"title": "LoRA vs. Full Fine-tuning: The Illusion of Equivalence"}).execute(lib)
    arxiv = ArxivClient(HttpClient(), base_url=fake_server.arxiv_api, delay=0)
    plan = plan_enrichment([lib.papers[pid]], arxiv=arxiv, hf=None)
    (change,) = plan.changes
    assert change.new_id == "2410.21228" and "title" not in change.fields


def test_sync_merges_a_text_copy_added_there_into_the_paper_whose_title_was_corrected_here(tmp_path: Path) -> None:
    here = Library(tmp_path / "here.json")
    ImportPapers([text_copy(arxiv_id="2401.00001")], "2401.00001").execute(here)
    EditDetails("2401.00001", {"title": "A paper cut short"}).execute(here)
    there = Library(tmp_path / "there.json")
    ImportPapers([text_copy(note="Read it.")], "daily.txt").execute(there)
    for ours, theirs in ((here, there), (there, here)):
        merged = merge_libraries(Side.of([]), Side.of(ours.papers.values()), Side.of(theirs.papers.values()))
        (paper,) = merged.papers
        assert (paper.id, paper.title, paper.note) == ("2401.00001", "A paper cut short", "Read it.")
