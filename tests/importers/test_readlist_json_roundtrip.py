"""An export read back into another library gives the same library: ids, former titles, change times, order.

The real text copies of Hugging Face pages (tests/fixtures/seeds) are imported, corrected and decided on in one
library, exported, and imported into another; that one must then behave as the first: the same records, the same
dedup of a later import, the user's corrections kept. What a file says of a paper beyond its documented record is
taken only where it is what it claims to be.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from readlist.cli import main
from readlist.core.model import Paper, title_id
from readlist.storage.library import Library

SEEDS = sorted((Path(__file__).parent.parent / "fixtures" / "seeds").glob("*.txt"))


def run(db: Path, *args: str) -> Result:
    result = CliRunner().invoke(main, ["--db", str(db), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def imported(db: Path, *sources: str | Path) -> dict[str, int]:
    """The counts of one import of ``sources`` into ``db``, all sources together."""
    reports = json.loads(run(db, "import", *map(str, sources), "--json").stdout)["reports"]
    return {what: sum(r[what] for r in reports) for what in ("added", "updated", "unchanged")}


def records(db: Path) -> dict[str, dict[str, object]]:
    return {pid: paper.to_dict() for pid, paper in Library(db).papers.items()}


@pytest.fixture
def corrected(tmp_path: Path) -> tuple[Path, Path, list[str]]:
    """A library of the seeds with a title and an abstract corrected, decisions made; and its JSON export."""
    db = tmp_path / "first.json"
    imported(db, *SEEDS)
    ids = [p["id"] for p in json.loads(run(db, "list", "--json").stdout)[:3]]
    run(db, "edit", ids[0], "--title", "A corrected title")
    run(db, "edit", ids[1], "--abstract", "An abstract corrected by hand.")
    run(db, "mark", ids[0], "read")
    run(db, "mark", ids[0], "read")  # back to the status before: the record keeps which that was
    run(db, "mark", ids[2], "read")
    run(db, "tag", ids[2], "+kept", "+later")
    run(db, "tag", ids[2], "-later")
    run(db, "rate", ids[1], "4")
    export = tmp_path / "export.json"
    run(db, "export", "-f", "json", "-o", str(export))
    return db, export, ids


def test_an_export_of_the_seeds_imported_into_an_empty_library_is_the_same_library(
    corrected: tuple[Path, Path, list[str]], tmp_path: Path
) -> None:
    first, export, ids = corrected
    second = tmp_path / "second.json"
    assert imported(second, export)["added"] == len(records(first)) > 150
    assert records(second) == records(first)  # ids, former ids, change times, order, sources: every field
    for db in (first, second):  # the next import of the same pages finds every paper, corrections included
        assert imported(db, *SEEDS)["added"] == 0
    assert records(second) == records(first)
    papers = Library(second).papers
    assert papers[ids[0]].title == "A corrected title"
    assert papers[ids[1]].abstract == "An abstract corrected by hand."  # not refreshed by the text copy
    assert run(second, "show", ids[0]).stdout == run(first, "show", ids[0]).stdout
    assert run(second, "list").stdout == run(first, "list").stdout


def test_an_export_imported_where_the_papers_are_already_merges_into_them(
    corrected: tuple[Path, Path, list[str]], tmp_path: Path
) -> None:
    _, export, ids = corrected
    other = tmp_path / "other.json"
    imported(other, *SEEDS)
    before = records(other)
    counts = imported(other, export)
    assert counts["added"] == 0 and len(records(other)) == len(before)
    papers = Library(other).papers
    assert papers[ids[0]].title != "A corrected title"  # the paper was here: its title is this library's
    assert (papers[ids[2]].status, papers[ids[1]].rating) == ("inbox", 0)  # and what the user decided here


def test_a_paper_known_here_by_its_arxiv_id_is_found_by_the_title_it_was_imported_under(tmp_path: Path) -> None:
    """The other library imported it from a text copy and corrected its title; this one has it from arXiv."""
    db = tmp_path / "a.json"
    imported_text(db, [Paper.create(title="Original Title", arxiv_id="2401.00001").public_dict()])
    record = {**Paper.create(title="Corrected Title").public_dict(), "id": title_id("Original Title"),
              "changed": {"title": "2025-01-02T03:04:05+00:00"}}
    assert imported_text(db, [record])["added"] == 0
    assert list(Library(db).papers) == ["2401.00001"]


def imported_text(db: Path, entries: list[object]) -> dict[str, int]:
    file = db.parent / "edited.json"
    file.write_text(json.dumps(entries))
    return imported(db, file)


# -- what a file says beyond the documented record is taken only where it is what it claims to be -----------------

def _notes(db: Path, entries: list[object]) -> list[str]:
    file = db.parent / "edited.json"
    file.write_text(json.dumps(entries))
    report = json.loads(run(db, "import", str(file), "--json").stdout)["reports"][0]
    assert report["skipped"] == []
    return [note["note"] for note in report["notes"]]


@pytest.mark.parametrize(("extra", "said"), [
    ({"aliases": ["not an id", "t-0123456789"]}, "former id 'not an id' is not an id; left out"),
    ({"aliases": ["\x1b]0;x\x07", "../../x", 5]}, "(and 2 more) is not an id; left out"),
    ({"aliases": "t-0123456789"}, "aliases 't-0123456789' is not a list of ids; left out"),
    ({"aliases": [f"t-{n:010x}" for n in range(5000)]}, "5000 former ids are more than a paper has"),
    ({"id": "javascript:alert(1)"}, "id 'javascript:alert(1)' is neither its arXiv id nor a title's id"),
    ({"id": "2401.09999"}, "id '2401.09999' is neither its arXiv id nor a title's id"),
    ({"changed": {"rating": "not a time", "title": "2025-01-02T03:04:05+00:00"}}, "the change time of 'rating'"),
    ({"changed": {"note": "9999-01-01T00:00:00+00:00"}}, "the change time of 'note' is not one readlist keeps"),
    ({"changed": {"upvotes": "2025-01-02T03:04:05+00:00"}}, "the change time of 'upvotes' is not one"),
    ({"changed": {"tags:Not A Tag": "2025-01-02T03:04:05+00:00"}}, "the change time of 'tags:Not A Tag'"),
    ({"changed": ["note"]}, "changed ['note'] is not a table of change times; left out"),
    ({"changed": {f"tags:t{n}": "2025-01-02T03:04:05+00:00" for n in range(3000)}}, "3000 change times are more"),
    ({"prev_status": "gone"}, "prev_status 'gone' is not a status; left out"),
    ({"status": "read", "prev_status": "read"}, "prev_status 'read' is not a status before read; left out"),
])
def test_bookkeeping_that_is_not_what_it_claims_is_left_out_in_one_line(tmp_path: Path, extra: dict[str, object],
                                                                       said: str) -> None:
    db = tmp_path / "a.json"
    record = {**Paper.create(title="Their Paper", note="their note").public_dict(), **extra}
    (note,) = _notes(db, [record])
    assert said in note and "\n" not in note and "\x1b" not in note and len(note) < 200
    (paper,) = Library(db).papers.values()
    assert (paper.id, paper.title, paper.note) == (title_id("Their Paper"), "Their Paper", "their note")
    assert all(alias == "t-0123456789" for alias in paper.aliases)
    assert set(paper.changed) <= {"title"} and paper.prev_status is None


def test_an_id_another_paper_answers_to_is_not_taken(tmp_path: Path) -> None:
    """A former id or a title's id that names another paper of this library (its id, or the id of its title where
    the two have different arXiv ids) stays that paper's: a later import finds that one, as before."""
    db = tmp_path / "a.json"
    imported_text(db, [Paper.create(title="Mine", arxiv_id="2401.00001", note="keep me").public_dict()])
    hijack = {**Paper.create(title="Theirs", arxiv_id="2401.00002").public_dict(),
              "aliases": ["2401.00001", title_id("Mine")]}
    twin = {**Paper.create(title="Other", arxiv_id="2401.00003").public_dict(), "id": title_id("Mine")}
    notes = _notes(db, [hijack, twin])
    assert len(notes) == 3 and "former id '2401.00001' is an arXiv id" in notes[0]
    assert all("is 2401.00001's in this library; left out" in note for note in notes[1:])
    papers = Library(db).papers
    assert sorted(papers) == ["2401.00001", "2401.00002", "2401.00003"]
    assert papers["2401.00002"].aliases == [] and papers["2401.00003"].aliases == []
    assert papers["2401.00001"].note == "keep me" and papers["2401.00001"].title == "Mine"
    assert imported_text(db, [Paper.create(title="Mine").public_dict()])["unchanged"] == 1


def test_papers_are_added_in_the_order_their_library_added_them(tmp_path: Path) -> None:
    entries = [{**Paper.create(title=f"Paper {n}", added="2025-01-02T03:04:05+00:00").public_dict(),
                "added_order": order} for n, order in ((1, 3), (2, 1), (3, "x"), (4, 2))]
    db = tmp_path / "a.json"
    _notes(db, entries)
    assert [p.title for p in Library(db).papers.values()] == ["Paper 2", "Paper 4", "Paper 1", "Paper 3"]
    assert [p.added_order for p in Library(db).papers.values()] == [1, 2, 3, 4]


@pytest.mark.parametrize("name", ["added", "updated", "read_at"])
def test_a_time_after_today_is_left_out(tmp_path: Path, name: str) -> None:
    """A paper's times decide merges as its change times do (a record touched after another machine deleted it
    outlives the deletion) and the order of the lists: one in the future would win every merge to come and stay
    at the top of the Inbox. It is left out, as a change time in the future is, and the paper kept."""
    db = tmp_path / "a.json"
    record = {**Paper.create(title="Their Paper", status="read", read_at="2025-01-02T03:04:05+00:00",
                             added="2025-01-02T03:04:05+00:00").public_dict(), name: "9999-01-01T00:00:00+00:00"}
    (note,) = _notes(db, [record])
    assert f"{name} '9999-01-01T00:00:00+00:00' is after today; left out" in note
    (paper,) = Library(db).papers.values()
    assert all(stamp < "9999" for stamp in (paper.added, paper.updated, paper.read_at or ""))


def test_a_former_id_that_is_another_papers_arxiv_id_is_not_taken(tmp_path: Path) -> None:
    """A paper's arXiv id is its own: one record of a file claiming another's as a former id, ahead of that paper
    in the same file, would leave the two answering to one id, and the next sync would take that for a rename and
    merge the second paper (its status, note, rating) into the first."""
    from readlist.app.library_merge import Side, merge_libraries

    db = tmp_path / "a.json"
    claimer = {**Paper.create(title="First", arxiv_id="2401.00001").public_dict(), "aliases": ["2401.00002"],
               "added_order": 1}
    owner = {**Paper.create(title="Second", arxiv_id="2401.00002", note="mine").public_dict(), "added_order": 2}
    (note,) = _notes(db, [claimer, owner])
    assert "former id '2401.00002' is an arXiv id" in note
    papers = Library(db).papers
    assert sorted(papers) == ["2401.00001", "2401.00002"] and papers["2401.00001"].aliases == []
    side = Side.of(papers.values())
    merged = merge_libraries(side, side, Side.of(papers.values()))
    assert sorted(paper.id for paper in merged.papers) == ["2401.00001", "2401.00002"]
