"""`readlist rm` and `readlist undo`: removal prints what went, and the last command-line change can be reverted."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from readlist.app.commands import AppendNote, EditTags, Rate
from readlist.app.imports import ImportPapers
from readlist.cli import main
from readlist.core.model import Paper
from readlist.storage.library import Library
from readlist.storage.paths import library_bytes


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args])


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "library.json"
    lib = Library(path)
    ImportPapers([Paper.create(title=f"Paper {n}", arxiv_id=f"2401.{n:05d}") for n in range(3)], "t").execute(lib)
    lib.compact(force=True)
    return path


def test_rm_prints_what_it_removed_and_undo_puts_it_back(db: Path) -> None:
    assert run(db, "note", "2401.00001", "precious").exit_code == 0
    result = run(db, "rm", "2401.00001")
    assert result.exit_code == 0, result.output
    assert "removed" in result.stdout and "Paper 1" in result.stdout and "readlist undo" in result.stdout
    assert "2401.00001" not in Library(db).papers
    undone = run(db, "undo")
    assert undone.exit_code == 0 and "undid deleted: 1 paper" in undone.stdout
    assert Library(db).papers["2401.00001"].note == "precious"
    # It names the papers it put back: the change undone may be older than the user remembers.
    assert "2401.00001" in undone.stdout and "Paper 1" in undone.stdout
    assert "Paper 0" not in undone.stdout


def test_rm_json_lists_the_removed_records(db: Path) -> None:
    result = run(db, "rm", "2401.00000", "2401.00002", "--json")
    assert result.exit_code == 0
    removed = json.loads(result.stdout)["removed"]
    assert sorted(r["id"] for r in removed) == ["2401.00000", "2401.00002"]
    assert set(Library(db).papers) == {"2401.00001"}


def test_a_paper_named_twice_is_removed_and_listed_once(db: Path) -> None:
    """By its id and its citation key (or a prefix): one paper, one line, one record, as mark, rate and tag say."""
    key = run(db, "key", "2401.00001").stdout.strip()
    result = run(db, "rm", "2401.00001", key, "--json")
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in json.loads(result.stdout)["removed"]] == ["2401.00001"]
    assert run(db, "undo").exit_code == 0
    said = run(db, "rm", "2401.00001", key, "2401.00001")
    assert said.exit_code == 0 and said.output.count("removed 2401.00001") == 1, said.output
    assert "1 paper removed; `readlist undo` puts it back" in said.output


def test_rm_of_an_unknown_id_changes_nothing(db: Path) -> None:
    result = run(db, "rm", "2401.00000", "nope")
    assert result.exit_code == 1 and "no paper with id 'nope'" in result.stderr
    assert len(Library(db).papers) == 3


def test_undo_twice_redoes(db: Path) -> None:
    run(db, "rate", "2401.00001", "5")
    assert run(db, "undo").exit_code == 0
    assert Library(db).papers["2401.00001"].rating == 0
    redo = run(db, "undo", "--json")
    assert redo.exit_code == 0 and json.loads(redo.stdout)["action"] == "redo"
    assert Library(db).papers["2401.00001"].rating == 5


def test_undo_leaves_papers_changed_since_alone(db: Path) -> None:
    run(db, "rate", "2401.00000", "2401.00001", "4")
    Rate(["2401.00001"], 2).execute(Library(db))  # the terminal UI, say, changed one of them since
    result = run(db, "undo")
    assert result.exit_code == 0 and "changed since: 2401.00001" in result.stdout
    papers = Library(db).papers
    assert papers["2401.00000"].rating == 0 and papers["2401.00001"].rating == 2


def test_undo_with_nothing_remembered(db: Path) -> None:
    result = run(db, "undo")
    assert result.exit_code == 1 and "nothing to undo" in result.stderr


def test_undo_with_a_damaged_record_says_so_and_changes_nothing(db: Path) -> None:
    run(db, "rate", "2401.00000", "4")
    record = db.with_name(db.name + ".last-change")
    record.write_bytes(record.read_bytes()[:20])  # cut short, as by a full disk elsewhere
    result = run(db, "undo")
    assert result.exit_code == 1 and "cannot be read" in result.stderr and str(record) in result.stderr
    assert "nothing to undo" not in result.stderr
    assert Library(db).papers["2401.00000"].rating == 4


def test_note_edit_keeps_a_version_written_meanwhile(db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`note --edit` follows the same policy as the TUI's editor when the note changes while $EDITOR is open."""
    run(db, "note", "2401.00001", "Base.")
    script = tmp_path / "editor.py"
    # The "editor" adds a line (after the line end the draft's last line has), and meanwhile another process
    # appends to the note.
    script.write_text(
        "import sys, subprocess\n"
        f"subprocess.run([sys.executable, '-m', 'readlist', '--db', {str(db)!r}, 'note', '2401.00001', "
        "'--append', 'From elsewhere.'], check=True)\n"
        "open(sys.argv[1], 'a').write('Mine.\\n')\n"
    )
    # The interpreter running the tests, not whichever `python3` is first on PATH: a venv used without activating it
    # (`/path/to/venv/bin/python -m pytest`) has readlist's dependencies, the machine's python3 may not.
    monkeypatch.setenv("EDITOR", f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}")
    result = run(db, "note", "2401.00001", "--edit")
    assert result.exit_code == 0, result.output
    assert "changed elsewhere meanwhile" in result.stdout
    note = Library(db).papers["2401.00001"].note
    assert note.startswith("Base.\nMine.") and note.rstrip().endswith("From elsewhere.")


def test_one_import_of_several_files_is_undone_as_one(db: Path) -> None:
    seeds = sorted((Path(__file__).parent.parent / "fixtures" / "seeds").glob("*.txt"))[:2]
    result = run(db, "import", *map(str, seeds))
    assert result.exit_code == 0, result.output
    imported = len(Library(db).papers) - 3
    assert imported > 0
    result = run(db, "undo")
    assert result.exit_code == 0 and f"undid imported: {imported} papers" in result.stdout
    assert sorted(Library(db).papers) == ["2401.00000", "2401.00001", "2401.00002"]
    result = run(db, "undo")  # redo: both files' papers again
    assert result.exit_code == 0 and len(Library(db).papers) == imported + 3


def test_a_citation_key_may_not_be_another_papers_id(db: Path) -> None:
    """Ids win over keys when a paper is named (`show`, `rm`, …): a key equal to another paper's id or arXiv id
    would never find its own paper, and `rm KEY` would remove the other one."""
    for other in ("2401.00002", "arXiv:2401.00002", "2401.00002v1"):
        result = run(db, "key", "2401.00001", other)
        assert result.exit_code == 1, other
        assert "is the id of another paper (2401.00002)" in result.stderr and result.stderr.count("\n") == 1
    assert Library(db).papers["2401.00001"].cite_key != "2401.00002"
    # Nor the beginning of one: keys are found before prefixes, so `rm 2401.0000` would remove this paper.
    result = run(db, "key", "2401.00001", "2401.0000")
    assert result.exit_code == 1 and "begins the id of another paper (2401.00000)" in result.stderr
    result = run(db, "key", "2401.00001", "bad key!")  # a wrong value, told as one
    assert result.exit_code == 2
    assert "Invalid value for NEWKEY: 'bad key!' is not a usable citation key" in result.stderr
    assert run(db, "key", "2401.00001", "2401.00001").exit_code == 0  # its own id: it finds itself
    assert run(db, "show", "2401.00001", "--json").exit_code == 0


def test_undo_of_papers_given_their_arxiv_ids_names_each_of_them(tmp_path: Path) -> None:
    """An import that gives text-copy papers their arXiv ids holds each under its old and its new id; the undo
    names every paper it counts, by the id the paper has now, not the ids that are gone."""
    db = tmp_path / "library.json"
    lib = Library(db)
    ImportPapers([Paper.create(title=f"Thin paper number {n}") for n in range(6)], "t").execute(lib)
    lib.compact(force=True)
    bib = tmp_path / "refs.bib"
    bib.write_text("".join(
        f"@misc{{p{n}, title = {{Thin paper number {n}}}, eprint = {{2402.0000{n}}}, archivePrefix = {{arXiv}}}}\n"
        for n in range(6)
    ))
    assert run(db, "import", str(bib)).exit_code == 0
    assert all(pid.startswith("2402.") for pid in Library(db).papers)
    undone = run(db, "undo")
    assert undone.exit_code == 0 and "undid imported: 6 papers" in undone.stdout, undone.output
    assert all(f"Thin paper number {n}" in undone.stdout for n in range(6)), undone.stdout
    redone = run(db, "undo")
    assert redone.exit_code == 0 and "redid imported: 6 papers" in redone.stdout, redone.output
    assert all(f"Thin paper number {n}" in redone.stdout for n in range(6)), redone.stdout


def test_undo_of_rm_after_the_paper_was_imported_again_puts_back_the_note(db: Path) -> None:
    assert run(db, "note", "2401.00001", "precious").exit_code == 0
    assert run(db, "rate", "2401.00001", "4").exit_code == 0
    assert run(db, "rm", "2401.00001").exit_code == 0
    # The paper comes back from another source meanwhile (the app imports a page that lists it) and is tagged there.
    lib = Library(db)
    ImportPapers([Paper.create(title="Paper 1", arxiv_id="2401.00001")], "again").execute(lib)
    EditTags(["2401.00001"], add=["back"]).execute(lib)
    undone = run(db, "undo")
    assert undone.exit_code == 0, undone.output
    paper = Library(db).papers["2401.00001"]
    assert (paper.note, paper.rating, paper.tags) == ("precious", 4, ["back"])


def test_undo_of_rm_keeps_what_the_paper_imported_again_was_given_since(db: Path) -> None:
    assert run(db, "note", "2401.00001", "old note").exit_code == 0
    assert run(db, "rm", "2401.00001").exit_code == 0
    lib = Library(db)
    ImportPapers([Paper.create(title="Paper 1", arxiv_id="2401.00001")], "again").execute(lib)
    AppendNote("2401.00001", "new note").execute(lib)
    undone = run(db, "undo")
    assert undone.exit_code == 1 and undone.stdout == ""
    assert undone.stderr.startswith("readlist: nothing undone (deleted): 2401.00001 changed since"), undone.stderr
    assert Library(db).papers["2401.00001"].note == "new note"


def test_an_import_as_large_as_the_library_can_still_be_undone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The record of an import holds every paper it added, about the library's own size (240 MB at 100,000
    papers): the size a record may have grows with the library. Here the fixed floor is made tiny to show it."""
    import readlist.app.history as history

    monkeypatch.setattr(history, "MAX_BYTES", 64)
    db = tmp_path / "library.json"
    source = tmp_path / "papers.bib"
    source.write_text("".join(f"@misc{{p{n}, title={{Paper number {n}}}, eprint={{2401.{n:05d}}}, "
                              f"abstract={{{'words ' * 40}}}}}\n" for n in range(30)))
    assert run(db, "import", str(source)).exit_code == 0
    record = db.with_name(db.name + ".last-change")
    assert record.stat().st_size > 64
    undone = run(db, "undo")
    assert undone.exit_code == 0, undone.output
    assert "undid" in undone.stdout and "30 papers" in undone.stdout
    assert Library(db).papers == {}

    # A record larger than twice the library's files is not the library's: passed over, the library untouched.
    assert run(db, "import", str(source)).exit_code == 0
    last = json.loads(record.read_bytes())
    last["outcome"]["label"] = "x" * (2 * library_bytes(db))
    record.write_text(json.dumps(last))
    refused = run(db, "undo")
    assert refused.exit_code == 1 and "cannot be read" in refused.output
    assert len(Library(db).papers) == 30
