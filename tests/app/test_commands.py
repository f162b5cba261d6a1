"""Commands change the library in one durable batch and say exactly what changed; undo works on that alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from readlist.app.commands import AppendNote, Delete, EditTags, KeepKeys, Rate, Revert, SetStatus, ToggleRead, Unread
from readlist.app.history import History, revert
from readlist.app.imports import ImportPapers
from readlist.app.session import Session
from readlist.core.model import Paper, ValidationError
from readlist.core.query import sort_papers
from readlist.storage.library import Library


def papers(count: int = 4) -> list[Paper]:
    return [Paper.create(title=f"Paper number {n}", arxiv_id=f"2401.{n:05d}", abstract=f"About {n}.")
            for n in range(count)]


@pytest.fixture
def session(tmp_path: Path) -> Session:
    session = Session.open(tmp_path / "library.json")
    session.run(ImportPapers(papers(), "test"), record=False)
    return session


def on_disk(session: Session) -> dict[str, Paper]:
    return Library(session.library.path).papers


def test_outcome_names_each_changed_field_before_and_after(session: Session) -> None:
    outcome = session.run(SetStatus(["2401.00001", "2401.00002"], "read"))
    assert outcome.label == "Marked read"
    change = outcome.changes["2401.00001"]
    assert change.before == {"status": "inbox", "read_at": None, "prev_status": None}
    assert change.after is not None and change.after["status"] == "read" and change.after["prev_status"] == "inbox"
    assert outcome.fields == {"status", "read_at", "prev_status"}
    assert on_disk(session)["2401.00002"].status == "read"


def test_toggling_read_says_which_way_the_papers_went(session: Session) -> None:
    """r in the app and `mark unread` say where the papers went, not only that read was toggled."""
    first, second, third = "2401.00001", "2401.00002", "2401.00003"
    session.run(SetStatus([second], "reading"))
    assert session.run(ToggleRead([first, second])).label == "Marked read"
    assert session.run(ToggleRead([first])).label == "Back to Inbox"
    assert session.run(ToggleRead([first, second])).label == "Marked 1 read, 1 unread"
    assert session.run(ToggleRead([first])).label == "Back to Inbox"
    session.run(ToggleRead([first, second]))
    assert session.run(Unread([first, second, third])).label == "Marked unread"  # to Inbox and to Reading


def test_nothing_to_change_gives_an_empty_outcome_and_no_undo_step(session: Session) -> None:
    session.run(Rate(["2401.00001"], 3))
    assert len(session.history.undo_stack) == 1
    again = session.run(Rate(["2401.00001"], 3))
    assert not again.changes and len(again) == 0
    assert len(session.history.undo_stack) == 1


def test_unknown_ids_are_skipped_and_invalid_values_change_nothing(session: Session) -> None:
    assert not session.run(Rate(["no-such-paper"], 4)).changes
    with pytest.raises(ValidationError):
        session.run(Rate(["2401.00001"], 9))
    with pytest.raises(ValidationError):
        session.run(SetStatus(["2401.00001"], "later"))
    assert on_disk(session)["2401.00001"].rating == 0 and not session.history.undo_stack


def test_undo_and_redo_of_every_kind_of_change(session: Session) -> None:
    pid = "2401.00003"
    steps = [
        SetStatus([pid], "to-read"),
        ToggleRead([pid]),
        Rate([pid], 5),
        EditTags([pid], add=["rl", "agents"]),
        AppendNote(pid, "First thought."),
        Delete([pid]),
    ]
    states = [on_disk(session)[pid].to_dict()]
    for command in steps:
        assert session.run(command).changes
        paper = on_disk(session).get(pid)
        states.append(paper.to_dict() if paper else {})
    user_fields = ("status", "rating", "tags", "note", "read_at", "prev_status")
    for expected in reversed(states[:-1]):
        assert session.undo() is not None
        got = on_disk(session)[pid].to_dict()
        assert {k: got[k] for k in user_fields} == {k: expected[k] for k in user_fields}
    assert session.undo() is None
    for expected in states[1:]:
        assert session.redo() is not None
        got = on_disk(session).get(pid)
        if not expected:
            assert got is None
        else:
            assert got is not None
            assert {k: getattr(got, k) for k in user_fields} == {k: expected[k] for k in user_fields}


def test_a_new_change_clears_redo(session: Session) -> None:
    session.run(Rate(["2401.00001"], 2))
    session.undo()
    assert session.history.redo_stack
    session.run(Rate(["2401.00002"], 4))
    assert not session.history.redo_stack and session.redo() is None


def test_delete_then_undo_brings_back_the_whole_record(session: Session) -> None:
    session.run(AppendNote("2401.00000", "never lose me"))
    session.run(EditTags(["2401.00000"], add=["keep"]))
    outcome = session.run(Delete(["2401.00000", "2401.00000", "missing"]))
    assert outcome.removed == ["2401.00000"] and "2401.00000" not in on_disk(session)
    session.undo()
    back = on_disk(session)["2401.00000"]
    assert back.note == "never lose me" and back.tags == ["keep"] and back.title == "Paper number 0"


def test_a_paper_put_back_by_undo_returns_to_its_place_among_papers_added_together(session: Session) -> None:
    # One import gives every paper the same "added" time: lists order such ties by when papers were added.
    order = list(session.library.papers)
    assert len({p.added for p in session.library.papers.values()}) == 1
    session.run(Delete(["2401.00001"]))
    session.undo()
    assert list(session.library.papers) == order
    assert list(on_disk(session)) == order
    assert [p.id for p in sort_papers(list(session.library.papers.values()), "added")] == order


def test_undo_of_an_import_removes_what_it_added_and_restores_what_it_updated(session: Session) -> None:
    incoming = [
        Paper.create(title="Paper number 1", arxiv_id="2401.00001", upvotes=12),  # fills upvotes
        Paper.create(title="A brand new paper", arxiv_id="2402.00001"),
    ]
    outcome = session.run(ImportPapers(incoming, "second.txt"))
    assert outcome.report.added == ["2402.00001"] and outcome.report.updated == ["2401.00001"]
    assert outcome.changes["2401.00001"].before == {"upvotes": None, "sources": ["test"]}
    session.undo()
    disk = on_disk(session)
    assert "2402.00001" not in disk and disk["2401.00001"].upvotes is None and disk["2401.00001"].sources == ["test"]


def test_undo_only_unchanged_leaves_later_changes_alone(session: Session) -> None:
    first = session.run(Rate(["2401.00001", "2401.00002"], 4))
    other = Library(session.library.path)  # another process changes one of them afterwards
    Rate(["2401.00002"], 1).execute(other)
    done = revert(session.library, first, to_before=True, only_unchanged=True)
    assert done.skipped == ["2401.00002"] and list(done.outcome.changes) == ["2401.00001"]
    disk = on_disk(session)
    assert disk["2401.00001"].rating == 0 and disk["2401.00002"].rating == 1


def test_history_keeps_the_step_when_undo_fails(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    session.run(Rate(["2401.00001"], 2))

    def failing(self: Revert, library: Library) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Revert, "execute", failing)
    with pytest.raises(OSError):
        session.undo()
    monkeypatch.undo()
    assert len(session.history.undo_stack) == 1
    assert session.undo() is not None and on_disk(session)["2401.00001"].rating == 0


def test_history_limit() -> None:
    history = History(limit=2)
    from readlist.app.commands import Outcome, PaperChange

    for n in range(3):
        history.record(Outcome(f"step {n}", {"x": PaperChange({"rating": n}, {"rating": n + 1})}))
    assert [step.label for step in history.undo_stack] == ["step 1", "step 2"]


def test_caught_up_is_set_when_another_process_changed_the_library(session: Session) -> None:
    assert not session.run(Rate(["2401.00001"], 2)).caught_up
    Rate(["2401.00002"], 5).execute(Library(session.library.path))
    outcome = session.run(Rate(["2401.00003"], 3))
    assert outcome.caught_up and session.library.papers["2401.00002"].rating == 5


def test_changes_joined_in_turn_undo_and_redo_as_one_step(session: Session) -> None:
    before = on_disk(session)
    first = session.run(ImportPapers([Paper.create(title="A brand new paper", arxiv_id="2402.00001")], "a.txt"),
                        record=False)
    second = session.run(ImportPapers([
        Paper.create(title="A brand new paper", arxiv_id="2402.00001", upvotes=7),  # the new paper, updated
        Paper.create(title="Paper number 1", arxiv_id="2401.00001", upvotes=12),  # an old one, updated
    ], "b.txt"), record=False)
    rated = session.run(Rate(["2401.00001", "2401.00002"], 4), record=False)
    joined = first.then(second).then(rated)
    assert joined.label == first.label
    assert joined.changes["2402.00001"].before is None  # appeared: undo removes it, whatever came after
    after = joined.changes["2402.00001"].after
    assert after is not None and after["upvotes"] == 7 and after["sources"] == ["a.txt", "b.txt"]
    assert joined.changes["2401.00001"].before == {"upvotes": None, "sources": ["test"], "rating": 0}
    session.record(joined)
    session.undo()
    disk = on_disk(session)
    assert set(disk) == set(before)
    for pid, was in before.items():  # as before (``changed`` stamps the undo itself, for sync)
        assert (disk[pid].rating, disk[pid].upvotes, disk[pid].sources) == (was.rating, was.upvotes, was.sources)
    session.redo()
    disk = on_disk(session)
    assert disk["2402.00001"].upvotes == 7 and disk["2401.00001"].upvotes == 12
    assert disk["2401.00001"].rating == 4 and disk["2401.00002"].rating == 4


def test_an_edit_then_a_removal_joined_undo_to_the_record_before_the_edit(session: Session) -> None:
    rated = session.run(Rate(["2401.00001"], 4), record=False)
    gone = session.run(Delete(["2401.00001", "2401.00002"]), record=False)
    added = session.run(ImportPapers([Paper.create(title="Short-lived", arxiv_id="2402.00009")], "a.txt"),
                        record=False)
    removed = session.run(Delete(["2402.00009"]), record=False)
    joined = rated.then(gone).then(added).then(removed)
    assert "2402.00009" not in joined.changes  # appeared and went: nothing to undo
    before = joined.changes["2401.00001"].before
    assert before is not None and before["rating"] == 0 and before["title"] == "Paper number 1"
    session.record(joined)
    session.undo()
    disk = on_disk(session)
    assert disk["2401.00001"].rating == 0 and "2401.00002" in disk and "2402.00009" not in disk
    session.redo()
    assert not {"2401.00001", "2401.00002"} & set(on_disk(session))


def test_one_step_records_what_was_stored_before_a_failure_as_one_undo(session: Session) -> None:
    with pytest.raises(OSError), session.one_step():
        session.run(Rate(["2401.00001"], 4))
        with session.one_step():  # nested: the outer step records
            session.run(EditTags(["2401.00002"], add=["x"]))
        raise OSError(28, "No space left on device")
    assert len(session.history.undo_stack) == 1
    session.undo()
    disk = on_disk(session)
    assert disk["2401.00001"].rating == 0 and disk["2401.00002"].tags == []


def test_session_undo_keeps_a_note_appended_elsewhere_since(session: Session) -> None:
    # The app writes a note; another terminal appends to it (`readlist note ID --append`); `u` in the app.
    session.run(AppendNote("2401.00001", "mine"))
    AppendNote("2401.00001", "from the command line").execute(Library(session.library.path))
    done = session.undo()
    assert done is not None and done.skipped == ["2401.00001"] and not done.outcome.changes
    assert on_disk(session)["2401.00001"].note == "mine\n\nfrom the command line\n"
    # Redo has nothing to put back over it either.
    redone = session.redo()
    assert redone is not None and redone.skipped == ["2401.00001"]
    assert on_disk(session)["2401.00001"].note == "mine\n\nfrom the command line\n"


def test_session_undo_of_an_import_keeps_a_paper_noted_elsewhere_since(session: Session) -> None:
    more = [Paper.create(title=f"Another paper {n}", arxiv_id=f"2402.{n:05d}") for n in range(2)]
    session.run(ImportPapers(more, "test"))
    AppendNote("2402.00000", "read this first").execute(Library(session.library.path))
    done = session.undo()
    assert done is not None and done.skipped == ["2402.00000"] and list(done.outcome.changes) == ["2402.00001"]
    kept = on_disk(session)
    assert kept["2402.00000"].note == "read this first" and "2402.00001" not in kept


def test_session_undo_names_a_paper_removed_elsewhere_and_brings_back_nothing(session: Session) -> None:
    session.run(SetStatus(["2401.00002"], "read"))
    Delete(["2401.00002"]).execute(Library(session.library.path))
    done = session.undo()
    assert done is not None and done.skipped == ["2401.00002"]
    assert "2401.00002" not in on_disk(session)


def test_session_undo_of_a_delete_after_the_paper_came_back_keeps_both_sides(session: Session) -> None:
    session.run(AppendNote("2401.00003", "my note"))
    session.run(Delete(["2401.00003"]))
    other = Library(session.library.path)  # another terminal imports it again and tags it
    ImportPapers([Paper.create(title="Paper number 3", arxiv_id="2401.00003")], "again").execute(other)
    EditTags(["2401.00003"], add=["new"]).execute(other)
    done = session.undo()
    assert done is not None and not done.skipped
    paper = on_disk(session)["2401.00003"]
    assert (paper.note, paper.tags) == ("my note", ["new"])


def test_session_undo_of_a_paper_given_its_arxiv_id_noted_elsewhere_since_leaves_one_paper(session: Session) -> None:
    session.run(ImportPapers([Paper.create(title="A text copy")], "daily.txt"))
    (old_id,) = (pid for pid in on_disk(session) if pid.startswith("t-"))
    session.run(ImportPapers([Paper.create(title="A text copy", arxiv_id="2403.00001")], "arxiv"))  # its arXiv id
    AppendNote("2403.00001", "noted in another terminal").execute(Library(session.library.path))
    done = session.undo()
    assert done is not None and sorted(done.skipped) == sorted([old_id, "2403.00001"])
    kept = on_disk(session)
    assert old_id not in kept and kept["2403.00001"].note == "noted in another terminal"


def test_session_undo_of_an_import_takes_the_paper_whose_citation_was_copied_since(session: Session) -> None:
    """Copying a citation keeps its key on the paper (bookkeeping, no undo step): the import stays undoable."""
    session.run(ImportPapers([Paper.create(title="Cited at once", arxiv_id="2404.00001")], "test"))
    session.run(KeepKeys({"2404.00001": "cited2024"}), record=False)
    done = session.undo()
    assert done is not None and not done.skipped and list(done.outcome.changes) == ["2404.00001"]
    assert "2404.00001" not in on_disk(session)


def test_a_delete_finds_a_paper_given_its_arxiv_id_elsewhere_since(session: Session) -> None:
    """The app asked "Delete …?" about the paper under the cursor; meanwhile another terminal renamed it."""
    session.run(ImportPapers([Paper.create(title="Only a text copy")], "daily.txt"))
    (old_id,) = (pid for pid in on_disk(session) if pid.startswith("t-"))
    ImportPapers([Paper.create(title="Only a text copy", arxiv_id="2405.00001")], "arxiv").execute(
        Library(session.library.path))
    done = session.run(Delete([old_id]))
    assert list(done.changes) == ["2405.00001"]
    assert "2405.00001" not in on_disk(session) and old_id not in on_disk(session)
    session.undo()
    assert on_disk(session)["2405.00001"].title == "Only a text copy"
