"""The note policy: an editor's save never loses a version written elsewhere, for the TUI and the CLI alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from readlist.app.commands import AppendNote
from readlist.app.imports import ImportPapers
from readlist.app.notes import ADDED_ELSEWHERE, CHANGED_ELSEWHERE, NoteEdit, SaveNote
from readlist.app.session import Session
from readlist.core.model import Paper
from readlist.storage.library import Library

PID = "2401.00001"


@pytest.fixture
def session(tmp_path: Path) -> Session:
    session = Session.open(tmp_path / "library.json")
    session.run(ImportPapers([Paper.create(title="A paper", arxiv_id=PID)], "t"))
    session.run(SaveNote(PID, "Start."))
    return session


def elsewhere(session: Session) -> Library:
    return Library(session.library.path)


def test_plain_save_and_one_undo_step_for_the_whole_session(session: Session) -> None:
    edit = NoteEdit(session, PID)
    steps_before = len(session.history.undo_stack)
    assert edit.save("Start.\nMore.") is not None
    assert edit.save("Start.\nMore.") is None  # nothing new since the last save
    assert edit.save("Start.\nMore.\nMost.") is not None
    assert len(session.history.undo_stack) == steps_before  # autosaves are not undo steps
    outcome = edit.finish()
    assert outcome.changes[PID].before == {"note": "Start."}
    assert len(session.history.undo_stack) == steps_before + 1
    session.undo()
    assert elsewhere(session).papers[PID].note == "Start."


def test_an_append_elsewhere_is_kept_after_the_users_text(session: Session) -> None:
    edit = NoteEdit(session, PID)
    AppendNote(PID, "From the command line.").execute(elsewhere(session))
    result = edit.save("Start. Edited here.")
    assert result is not None and result.outside is not None
    stored = elsewhere(session).papers[PID].note
    assert stored.startswith("Start. Edited here.") and ADDED_ELSEWHERE in stored
    assert stored.endswith("From the command line.\n") and result.tail and stored.endswith(result.tail)
    assert edit.save("Start. Edited here." + result.tail) is None  # the merged text is what is saved


def test_a_rewrite_elsewhere_is_kept_whole_and_undo_goes_back_to_it(session: Session) -> None:
    edit = NoteEdit(session, PID)
    SaveNote(PID, "Rewritten elsewhere.").execute(elsewhere(session))
    result = edit.save("Mine.")
    assert result is not None and result.outside == "Rewritten elsewhere."
    stored = elsewhere(session).papers[PID].note
    assert stored.startswith("Mine.") and CHANGED_ELSEWHERE in stored and "Rewritten elsewhere." in stored
    edit.finish()
    session.undo()
    assert elsewhere(session).papers[PID].note == "Rewritten elsewhere."


def test_a_deleted_paper_is_reported_not_recreated(session: Session) -> None:
    edit = NoteEdit(session, PID)
    from readlist.app.commands import Delete

    Delete([PID]).execute(elsewhere(session))
    result = edit.save("Typed after the paper went.")
    assert result is not None and result.gone
    assert PID not in elsewhere(session).papers


def test_save_note_without_a_base_replaces(session: Session) -> None:
    AppendNote(PID, "Other.").execute(elsewhere(session))
    result = session.run(SaveNote(PID, "Whole new note."))
    assert result.outside is None and elsewhere(session).papers[PID].note == "Whole new note."


def test_two_editors_open_on_one_note_grow_it_by_what_was_typed_not_by_doubling(session: Session) -> None:
    # Two windows of the app, each with the note open, the user typing in one then the other, each autosaving.
    editors = [NoteEdit(session, PID), NoteEdit(Session.open(session.library.path), PID)]
    texts = ["Start.", "Start."]
    for n in range(12):
        for which, name in enumerate("ab"):
            first, _, rest = texts[which].partition("\n")
            typed = f"{first} {name}{n}" + (f"\n{rest}" if rest else "")
            result = editors[which].save(typed)
            assert result is not None
            texts[which] = typed + result.tail  # the editor shows what was added after the user's text
    note = elsewhere(session).papers[PID].note
    typed_a = "Start. " + " ".join(f"a{n}" for n in range(12))
    typed_b = "Start. " + " ".join(f"b{n}" for n in range(12))
    assert note.startswith(typed_b) and typed_a in note  # both windows' text, whole
    assert len(note) < 5_000  # it was 7 MB: each save carried the other's copy of this one's text back in


def test_a_change_elsewhere_keeps_just_the_lines_it_changed(session: Session) -> None:
    SaveNote(PID, "Intro.\n\nMiddle.\n\nEnd.").execute(elsewhere(session))
    session.refresh()
    edit = NoteEdit(session, PID)
    SaveNote(PID, "Intro.\n\nMiddle, reworded elsewhere.\n\nEnd.").execute(elsewhere(session))
    result = edit.save("Intro, mine.\n\nMiddle.\n\nEnd.")
    assert result is not None
    assert elsewhere(session).papers[PID].note == (
        f"Intro, mine.\n\nMiddle.\n\nEnd.\n\n{CHANGED_ELSEWHERE}\n\nMiddle, reworded elsewhere.\n")


def test_a_paper_given_its_arxiv_id_elsewhere_keeps_the_note_typed_meanwhile(tmp_path: Path) -> None:
    session = Session.open(tmp_path / "library.json")
    session.run(ImportPapers([Paper.create(title="A paper from a text copy")], "daily.txt"))
    (old_id,) = session.library.papers
    edit = NoteEdit(session, old_id)
    assert edit.save("Typed before.") is not None
    # Another terminal: `readlist enrich` (or an import by arXiv id) gives the paper its arXiv id, a new id.
    ImportPapers([Paper.create(title="A paper from a text copy", arxiv_id="2401.00009")], "arxiv").execute(
        Library(session.library.path))
    result = edit.save("Typed before. Typed after.")
    assert result is not None and not result.gone and edit.paper_id == "2401.00009"
    stored = Library(session.library.path).papers
    assert old_id not in stored and stored["2401.00009"].note == "Typed before. Typed after."
    assert list(edit.finish().changes) == ["2401.00009"]
    session.undo()
    assert Library(session.library.path).papers["2401.00009"].note == ""
