"""`readlist note --edit` never throws away what was typed when the note cannot be saved."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import msgspec
import pytest
from click.testing import CliRunner, Result

from readlist.app.imports import ImportPapers
from readlist.cli import main
from readlist.core.model import Paper
from readlist.storage.library import Library


def one_paper(tmp_path: Path, note: str = "", abstract: str = "") -> Path:
    """A library of one paper, 2401.00001, folded into its file."""
    db = tmp_path / "library.json"
    lib = Library(db)
    paper = msgspec.structs.replace(Paper.create(title="A paper", arxiv_id="2401.00001", abstract=abstract), note=note)
    ImportPapers([paper], "t").execute(lib)
    lib.compact(force=True)
    return db


def edit_with(db: Path, script: str, monkeypatch: pytest.MonkeyPatch) -> Result:
    """`readlist note 2401.00001 --edit` with an editor that runs ``script`` (the draft is ``$1``)."""
    editor = db.with_name("editor.sh")
    editor.write_text(f"#!/bin/sh\n{script}\n")
    editor.chmod(0o755)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", str(editor))
    return CliRunner().invoke(main, ["--db", str(db), "note", "2401.00001", "--edit"])


def kept_draft(stderr: str) -> Path:
    """The file the message says the text is kept in."""
    match = re.search(r"your text is kept in (\S+\.md)", stderr)
    assert match, stderr
    return Path(match.group(1))


def test_failed_save_keeps_the_edited_text_and_names_its_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = one_paper(tmp_path)
    # The "editor" writes the text, then the library becomes read-only before readlist saves.
    result = edit_with(db, f'printf "Hours of careful notes." > "$1"\nchmod 0400 "{db}"', monkeypatch)
    assert result.exit_code == 1
    draft = kept_draft(result.stderr)
    assert draft.read_text() == "Hours of careful notes."
    os.chmod(db, 0o600)
    assert Library(db).papers["2401.00001"].note == ""
    draft.unlink()


def test_a_successful_edit_removes_its_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = one_paper(tmp_path)
    seen = tmp_path / "seen"
    assert edit_with(db, f'printf "Saved." > "$1"\necho "$1" > "{seen}"', monkeypatch).exit_code == 0
    assert Library(db).papers["2401.00001"].note == "Saved."
    assert not Path(seen.read_text().strip()).exists()


def test_a_paper_removed_while_its_note_is_edited_keeps_the_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = one_paper(tmp_path)
    # Another readlist removes the paper while the editor is open.
    result = edit_with(db, f'"{sys.executable}" -m readlist --db "{db}" rm 2401.00001 >"{tmp_path}/rm.out" 2>&1\n'
                           'printf "Hours of careful notes." > "$1"', monkeypatch)
    assert result.exit_code == 1, result.output
    assert "removed meanwhile" in result.stderr and result.stderr.count("\n") == 1
    draft = kept_draft(result.stderr)
    assert draft.read_text() == "Hours of careful notes."
    draft.unlink()
    assert "2401.00001" not in Library(db).papers


@pytest.mark.parametrize(("action", "expected"), [
    ('rm -f "$1"', "No such file or directory"),
    ('rm -f "$1"; mkdir "$1"', "Is a directory"),
    ('rm -f "$1"; mkfifo "$1"', "not a file"),
])
def test_an_editor_that_leaves_no_draft_behind_is_one_line(tmp_path: Path, action: str, expected: str) -> None:
    """An editor that saved elsewhere and removed the draft, or left something else in its place (a FIFO would
    make a plain read wait forever), gave a traceback."""
    db = one_paper(tmp_path, note="Before.")
    editor = tmp_path / "editor.sh"
    editor.write_text(f"#!/bin/sh\n{action}\n")
    editor.chmod(0o755)
    env = {key: value for key, value in os.environ.items() if key != "VISUAL"}
    # A hang ends in TimeoutExpired: the test fails instead of waiting with the command.
    result = subprocess.run([sys.executable, "-m", "readlist", "--db", str(db), "note", "2401.00001", "--edit"],
                            env={**env, "EDITOR": str(editor)}, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr
    assert "the editor left no note to read" in result.stderr and expected in result.stderr
    assert "the note was not changed" in result.stderr and result.stderr.count("\n") == 1
    assert Library(db).papers["2401.00001"].note == "Before."


def test_an_edit_saved_in_another_encoding_is_kept_and_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = one_paper(tmp_path)
    result = edit_with(db, 'printf "Caf\\351 notes, hours of them." > "$1"', monkeypatch)  # Latin-1
    assert result.exit_code == 1, result.output
    assert "not UTF-8" in result.stderr and result.stderr.count("\n") == 1
    draft = kept_draft(result.stderr)
    assert draft.read_bytes() == b"Caf\xe9 notes, hours of them."
    draft.unlink()
    assert Library(db).papers["2401.00001"].note == ""


@pytest.mark.parametrize(("script", "said"), [
    ('printf "Half an hour of notes." > "$1"\nexit 3', "the editor exited with status 3"),
    ('printf "Half an hour of notes." > "$1"\nkill -9 $$', "the editor was stopped by SIGKILL"),
])
def test_an_editor_that_fails_after_saving_keeps_what_was_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str, said: str,
) -> None:
    """`:cq` in vim, a crash or a kill: the note is not changed (a failed editor means "do not save"), and what the
    editor had saved was deleted with its draft."""
    db = one_paper(tmp_path, note="Before.")
    result = edit_with(db, script, monkeypatch)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"readlist: {said}; the note was not changed; your text is kept in ")
    assert result.stderr.count("\n") == 1
    draft = kept_draft(result.stderr)
    assert draft.read_text() == "Half an hour of notes."
    draft.unlink()
    assert Library(db).papers["2401.00001"].note == "Before."


def test_an_editor_that_fails_without_saving_leaves_no_draft(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = one_paper(tmp_path, note="Before.")
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr("tempfile.tempdir", None)
    result = edit_with(db, "exit 1", monkeypatch)
    assert result.exit_code == 1
    assert result.stderr == "readlist: the editor exited with status 1; the note was not changed\n"
    assert list(temp.iterdir()) == []
    assert Library(db).papers["2401.00001"].note == "Before."


@pytest.mark.parametrize(("editor", "said"), [
    ("vim 'unbalanced", "cannot be read as a command"),
    ("  ", "$EDITOR is blank"),
    ("{folder}", "cannot be run (Permission denied)"),
    ("{plain_file}", "cannot be run (Permission denied)"),
])
def test_an_editor_that_cannot_be_run_is_one_line_and_leaves_no_draft(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, editor: str, said: str,
) -> None:
    db = one_paper(tmp_path, note="Before.")
    temp = tmp_path / "temp"
    temp.mkdir()
    plain = tmp_path / "not-executable.sh"
    plain.write_text("#!/bin/sh\n")
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr("tempfile.tempdir", None)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", editor.format(folder=tmp_path, plain_file=plain))
    result = CliRunner().invoke(main, ["--db", str(db), "note", "2401.00001", "--edit"])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert said in result.stderr and result.stderr.endswith("the note was not changed\n")
    assert result.stderr.count("\n") == 1
    assert list(temp.iterdir()) == []
    assert Library(db).papers["2401.00001"].note == "Before."


def test_a_note_saved_while_the_paper_got_its_arxiv_id_is_reported_under_the_new_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Enriching (or importing) the paper while the editor was open gave it its arXiv id: the note was saved on it,
    and the command then failed with a traceback (exit 1), as if it had not been saved."""
    db = tmp_path / "library.json"
    lib = Library(db)
    ImportPapers([Paper.create(title="Benign Overfitting in ReLU Networks")], "t").execute(lib)
    (old_id,) = lib.papers
    record = tmp_path / "record.json"
    record.write_bytes(msgspec.json.encode(
        [Paper.create(title="Benign Overfitting in ReLU Networks", arxiv_id="2310.02541").public_dict()]))
    editor = tmp_path / "editor.sh"
    editor.write_text(f'#!/bin/sh\n"{sys.executable}" -m readlist --db "{db}" import "{record}" >/dev/null 2>&1\n'
                      'printf "Written while it was renamed." > "$1"\n')
    editor.chmod(0o755)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", str(editor))
    result = CliRunner().invoke(main, ["--db", str(db), "note", old_id, "--edit", "--json"])
    assert result.exit_code == 0, result.output
    assert msgspec.json.decode(result.stdout) == {"id": "2310.02541", "note": "Written while it was renamed."}
    assert Library(db).papers["2310.02541"].note == "Written while it was renamed."


@pytest.mark.parametrize("given", ["", "\n\n  \n"])
def test_empty_standard_input_clears_nothing(tmp_path: Path, given: str) -> None:
    """`false | readlist note ID -`: a failed pipeline gives no text, and the note (or the abstract) went with it."""
    db = one_paper(tmp_path, note="Important long note.")
    result = CliRunner().invoke(main, ["--db", str(db), "note", "2401.00001", "-"], input=given)
    assert result.exit_code == 1
    assert result.stderr == ("readlist: standard input is empty; the note was not changed "
                             "(`readlist note 2401.00001 --clear` removes it)\n")
    result = CliRunner().invoke(main, ["--db", str(db), "edit", "2401.00001", "--abstract", "-"], input=given)
    assert result.exit_code == 1
    assert "standard input is empty; nothing was changed (--abstract '' clears it)" in result.stderr
    paper = Library(db).papers["2401.00001"]
    assert paper.note == "Important long note."


@pytest.mark.parametrize("given", ["\x1b[0m\n", "\0\0\0", "\x07\x1b]0;title\x07\r\n"])
def test_standard_input_of_controls_only_clears_nothing(tmp_path: Path, given: str) -> None:
    """Input that is only control characters or escape sequences is not empty until it is cleaned, and then it
    emptied the note (or the abstract), exit 0."""
    db = one_paper(tmp_path, note="Important long note.", abstract="A long abstract.")
    result = CliRunner().invoke(main, ["--db", str(db), "note", "2401.00001", "-"], input=given)
    assert result.exit_code == 1
    assert result.stderr == ("readlist: standard input holds only control characters or escape sequences, no text; "
                             "the note was not changed (`readlist note 2401.00001 --clear` removes it)\n")
    result = CliRunner().invoke(main, ["--db", str(db), "edit", "2401.00001", "--abstract", "-"], input=given)
    assert result.exit_code == 1 and "no text; nothing was changed" in result.stderr
    paper = Library(db).papers["2401.00001"]
    assert (paper.note, paper.abstract) == ("Important long note.", "A long abstract.")


def test_a_note_printed_and_given_back_stays_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``readlist note ID > f; readlist note ID - < f`` added a line each time: the last line end of the input
    was kept in the note, and printing ends the note with one."""
    db = one_paper(tmp_path)

    def note(*args: str, given: str | None = None) -> Result:
        result = CliRunner().invoke(main, ["--db", str(db), "note", "2401.00001", *args], input=given)
        assert result.exit_code == 0, result.output
        return result

    note("-", given="First line  \nsecond line\n")
    assert Library(db).papers["2401.00001"].note == "First line  \nsecond line"  # a Markdown hard break kept
    printed = note().stdout
    assert printed == "First line  \nsecond line\n"
    for _ in range(3):
        note("-", given=printed)
        assert note().stdout == printed
    # An editor ends its file with a line end too: it is not taken into the note either.
    edit_with(db, 'printf "Edited\\nnote\\n" > "$1"', monkeypatch)
    assert Library(db).papers["2401.00001"].note == "Edited\nnote"
