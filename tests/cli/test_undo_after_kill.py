"""`readlist undo` and a command killed between saving its change and noting it for undo.

The change is durable once its journal line is written; the record `readlist undo` reads is written after it. A
kill in between leaves the record of the change before, and undo must then refuse rather than revert that one.
Every command-line change's journal lines name its undo step, and so does its record: that is how undo tells.
Folding the journal into the library file keeps the newest step beside it, so a fold in between changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import msgspec
import pytest
from click.testing import CliRunner, Result

from readlist.app import history
from readlist.app.commands import Rate
from readlist.app.imports import ImportPapers
from readlist.app.session import Session
from readlist.cli import main
from readlist.core.model import Paper
from readlist.storage import library as library_module
from readlist.storage.journal import Journal, read_journal
from readlist.storage.library import Library
from readlist.storage.paths import journal_path, last_change_path, undo_step_path
from tests.conftest import bare_remote

SEEDS = sorted((Path(__file__).parent.parent / "fixtures" / "seeds").glob("*.txt"))[:2]
IDS = ["2401.00000", "2401.00001", "2401.00002"]


class Killed(BaseException):
    """The process dying (kill -9, a power cut): nothing after it runs, no handler sees it."""


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args])


def state(db: Path) -> dict[str, dict[str, object]]:
    return {pid: paper.to_dict() for pid, paper in Library(db).papers.items()}


def steps(db: Path) -> list[str]:
    lib = Library(db)
    return read_journal(journal_path(db), lib.generation, lib.library_id).steps


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "library.json"
    lib = Library(path)
    ImportPapers([Paper.create(title=f"Paper {n}", arxiv_id=f"2401.{n:05d}") for n in range(3)], "t").execute(lib)
    lib.compact(force=True)
    return path


_COMPACT = Library.compact


def fold(db: Path) -> None:
    """Fold the journal into the library file (what a later command or the terminal UI does on closing)."""
    _COMPACT(Library(db), force=True)


@pytest.fixture
def large(db: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """From now on commands leave their journal lines in place, as they do for a library too large to rewrite
    every time."""
    monkeypatch.setattr(Library, "compact", lambda self, *, force=False: False)
    yield


def kill_before_the_record(monkeypatch: pytest.MonkeyPatch) -> None:
    """The next command dies after its change is in the journal, before its record for undo is in place."""

    def die(path: Path, chunks: Iterable[bytes]) -> None:
        raise Killed

    monkeypatch.setattr(history, "atomic_write_chunks", die)


def run_killed(db: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> None:
    """Run ``readlist ARGS`` and kill it after its change is in the journal, before its record for undo."""
    with monkeypatch.context() as patch:
        kill_before_the_record(patch)
        with pytest.raises(Killed):
            run(db, *args)


def assert_undo_refused(db: Path) -> None:
    """``readlist undo`` refuses in one line on stderr, exit 1, nothing on stdout."""
    result = run(db, "undo")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "nothing undone" in result.stderr and "the library is as it was" in result.stderr


@pytest.mark.parametrize("killed", [("import", *map(str, SEEDS)), ("rate", "2401.00001", "5")],
                         ids=["import", "rate"])
def test_undo_refuses_when_the_last_change_was_killed_before_its_record(
    db: Path, monkeypatch: pytest.MonkeyPatch, killed: tuple[str, ...]
) -> None:
    assert run(db, "tag", "2401.00000", "+older").exit_code == 0
    record = last_change_path(db).read_bytes()
    run_killed(db, monkeypatch, *killed)
    before = state(db)
    assert len(before) > 3 if killed[0] == "import" else before["2401.00001"]["rating"] == 5  # the change is saved
    assert_undo_refused(db)
    assert state(db) == before  # the older change (the tag) is not reverted
    assert "older" in before["2401.00000"]["tags"]  # type: ignore[operator]
    assert last_change_path(db).read_bytes() == record
    # The next change is remembered afresh, and undo works again.
    assert run(db, "rate", "2401.00002", "3").exit_code == 0
    assert run(db, "undo").exit_code == 0
    assert Library(db).papers["2401.00002"].rating == 0


def by_doctor(db: Path, request: pytest.FixtureRequest) -> None:
    result = run(db, "doctor", "--compact")
    assert result.exit_code == 0, result.output


def by_the_app_closing(db: Path, request: pytest.FixtureRequest) -> None:
    """A change made in the app after the killed command names no step: the killed one is still the newest."""
    ui = Session.open(db)
    ui.run(Rate(["2401.00002"], 3))
    assert ui.library.compact()  # as the app does when it closes


def by_a_command(db: Path, request: pytest.FixtureRequest) -> None:
    """A command whose change is no undo step (a citation key stored once shown) folds the journal in after it."""
    assert run(db, "key", "2401.00002").exit_code == 0


def by_sync(db: Path, request: pytest.FixtureRequest) -> None:
    request.getfixturevalue("git_env")
    result = run(db, "sync", "init")
    assert result.exit_code == 0, result.output


FOLDS: dict[str, Callable[[Path, pytest.FixtureRequest], None]] = {
    "doctor --compact": by_doctor, "the app closing": by_the_app_closing, "a command": by_a_command, "sync": by_sync,
}


@pytest.mark.parametrize("fold_by", FOLDS)
def test_undo_still_refuses_once_the_journal_is_folded_in(
    db: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest, fold_by: str
) -> None:
    assert run(db, "tag", "2401.00000", "+older").exit_code == 0
    record = last_change_path(db).read_bytes()
    run_killed(db, monkeypatch, "rate", "2401.00001", "5")
    FOLDS[fold_by](db, request)
    assert not journal_path(db).exists()  # folded: no journal line names the killed command's step now
    before = state(db)
    assert before["2401.00001"]["rating"] == 5 and "older" in before["2401.00000"]["tags"]  # type: ignore[operator]
    assert_undo_refused(db)
    assert state(db) == before
    assert last_change_path(db).read_bytes() == record
    assert run(db, "rate", "2401.00002", "4").exit_code == 0
    assert run(db, "undo").exit_code == 0
    assert Library(db).papers["2401.00002"].rating == before["2401.00002"]["rating"]


def test_redo_refuses_too(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Undone, the older change would be redone in place of the killed one: the same refusal."""
    assert run(db, "rate", "2401.00000", "4").exit_code == 0
    assert run(db, "undo").exit_code == 0
    run_killed(db, monkeypatch, "rate", "2401.00001", "2")
    result = run(db, "undo")
    assert result.exit_code == 1 and "nothing undone" in result.stderr
    papers = Library(db).papers
    assert papers["2401.00000"].rating == 0 and papers["2401.00001"].rating == 2


@pytest.mark.usefixtures("large")
def test_undo_and_redo_alternate_with_the_journal_kept(db: Path) -> None:
    assert run(db, "rate", "2401.00000", "4").exit_code == 0
    assert run(db, "rate", "2401.00001", "5").exit_code == 0
    for rating in (0, 5, 0, 5):
        result = run(db, "undo", "--json")
        assert result.exit_code == 0, result.output
        assert Library(db).papers["2401.00001"].rating == rating
    assert Library(db).papers["2401.00000"].rating == 4
    # The undos' own lines belong to the step they revert.
    found = steps(db)
    assert len(found) == 6 and found[1] != found[0] and set(found[1:]) == {found[1]}


@pytest.mark.usefixtures("large")
def test_a_change_in_the_terminal_ui_between_is_not_taken_for_a_lost_record(db: Path) -> None:
    assert run(db, "rate", "2401.00000", "2401.00001", "4").exit_code == 0
    ui = Session.open(db)  # the terminal UI's session: its changes are undone there, with u
    ui.run(Rate(["2401.00001"], 1))
    ui.run(Rate(["2401.00002"], 3))
    assert steps(db)[1:] == ["", ""]
    result = run(db, "undo")
    assert result.exit_code == 0 and "changed since: 2401.00001" in result.stdout
    papers = Library(db).papers
    assert [papers[pid].rating for pid in IDS] == [0, 1, 3]


@pytest.mark.usefixtures("large")
def test_citation_keys_kept_between_are_no_lost_record(db: Path) -> None:
    """Showing a key stores it (a change no undo step holds): undo still reverts the rating before it."""
    assert run(db, "rate", "2401.00000", "4").exit_code == 0
    assert run(db, "key", "2401.00001").exit_code == 0
    assert Library(db).papers["2401.00001"].cite_key
    assert steps(db)[-1] == ""
    result = run(db, "undo")
    assert result.exit_code == 0, result.output
    assert Library(db).papers["2401.00000"].rating == 0


@pytest.mark.usefixtures("large")
def test_a_note_saved_from_the_command_line_is_undone(db: Path) -> None:
    assert run(db, "rate", "2401.00000", "4").exit_code == 0
    assert run(db, "note", "2401.00001", "Read the appendix.").exit_code == 0
    result = run(db, "undo")
    assert result.exit_code == 0, result.output
    papers = Library(db).papers
    assert papers["2401.00001"].note == "" and papers["2401.00000"].rating == 4


@pytest.mark.usefixtures("large")
def test_compaction_between_keeps_undo_working(db: Path) -> None:
    assert run(db, "rate", "2401.00000", "4").exit_code == 0
    fold(db)
    assert not journal_path(db).exists()
    assert run(db, "undo").exit_code == 0
    assert Library(db).papers["2401.00000"].rating == 0
    fold(db)
    assert run(db, "undo").exit_code == 0  # redo
    assert Library(db).papers["2401.00000"].rating == 4
    assert run(db, "doctor", "--compact").exit_code == 0
    assert run(db, "undo").exit_code == 0
    assert Library(db).papers["2401.00000"].rating == 0


@pytest.mark.usefixtures("large")
def test_a_library_folded_by_an_earlier_readlist_undoes_as_before(db: Path) -> None:
    """No step kept beside the library file (an earlier readlist folded the journal): the record is taken as it is."""
    assert run(db, "rate", "2401.00000", "4").exit_code == 0
    fold(db)
    undo_step_path(db).unlink(missing_ok=True)
    assert Library(db).newest_step == ""
    result = run(db, "undo")
    assert result.exit_code == 0, result.output
    assert Library(db).papers["2401.00000"].rating == 0


@pytest.mark.usefixtures("large")
def test_an_import_of_several_files_is_one_step(db: Path) -> None:
    result = run(db, "import", *map(str, SEEDS))
    assert result.exit_code == 0, result.output
    imported = len(Library(db).papers) - 3
    assert imported > 0
    found = steps(db)
    assert len(found) == len(SEEDS) and len(set(found)) == 1 and found[0]  # one token for every file's commit
    record = msgspec.json.decode(last_change_path(db).read_bytes())
    assert record["step"] == found[0]
    result = run(db, "undo")
    assert result.exit_code == 0 and f"undid imported: {imported} papers" in result.stdout
    assert sorted(Library(db).papers) == IDS
    assert run(db, "undo").exit_code == 0
    assert len(Library(db).papers) == imported + 3


def test_one_step_gives_its_commits_one_token(db: Path) -> None:
    session = Session.open(db, remember_last=True)
    with session.one_step():
        session.run(Rate(["2401.00000"], 2))
        session.run(Rate(["2401.00001"], 3))
    session.run(Rate(["2401.00002"], 4))
    first, second, third = steps(db)
    assert first == second != third
    assert history.load_last_change(db).step == third  # type: ignore[union-attr]
    assert session.library.step not in (first, third)  # the next change is another step


@pytest.mark.usefixtures("large")
def test_records_and_journal_lines_without_steps_undo_as_before(db: Path) -> None:
    """A library last changed by a readlist that wrote no steps: its record and lines are taken as they are."""
    lib = Library(db)
    outcome = Rate(["2401.00000"], 4).execute(lib)  # an untagged line, as an older readlist wrote
    last_change_path(db).write_bytes(json.dumps({"outcome": msgspec.to_builtins(outcome)}).encode())
    assert steps(db) == [""]
    result = run(db, "undo")
    assert result.exit_code == 0, result.output
    assert Library(db).papers["2401.00000"].rating == 0
    assert steps(db) == ["", ""]  # a record without a step: its revert names none either
    assert run(db, "undo").exit_code == 0
    assert Library(db).papers["2401.00000"].rating == 4


def test_a_reader_without_steps_reads_lines_that_have_them(tmp_path: Path) -> None:
    """Journal lines were always read ignoring unknown fields, so the format is unchanged (still 1)."""

    class OlderEntry(msgspec.Struct):
        ops: list[dict[str, object]]
        at: str = ""

    path = tmp_path / "library.json.journal"
    journal = Journal(path)
    journal.start(1, "lib")
    journal.append([{"set": "p", "f": {"rating": 3}}], step="abc")
    journal.append([{"set": "p", "f": {"rating": 4}}])
    header, tagged, plain = path.read_bytes().splitlines()
    assert json.loads(header)["readlist_journal"] == 1
    assert json.loads(tagged)["step"] == "abc" and "step" not in json.loads(plain)
    older = msgspec.json.Decoder(OlderEntry)
    assert [older.decode(line).ops for line in (tagged, plain)] == [[{"set": "p", "f": {"rating": n}}] for n in (3, 4)]
    read = read_journal(path, 1, "lib")
    assert read.steps == ["abc", ""] and read.bad_lines == 0


def killed_rate(db: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    """Run ``readlist rate ARGS`` and kill it before its record for undo; the step its journal line names."""
    run_killed(db, monkeypatch, "rate", *args)
    return steps(db)[-1]


def test_a_sync_that_merges_keeps_this_machines_step_and_takes_none_from_another(
    git_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The step stays on the machine its command ran on: the library file that sync shares names none."""
    remote = bare_remote(git_env)
    laptop, workstation = git_env / "laptop" / "library.json", git_env / "workstation" / "library.json"
    ImportPapers([Paper.create(title=f"Paper {n}", arxiv_id=f"2401.{n:05d}") for n in range(3)], "t").execute(
        Library(laptop))
    assert run(laptop, "sync", "init", str(remote)).exit_code == 0
    assert run(workstation, "sync", "init", str(remote)).exit_code == 0
    assert run(workstation, "rate", "2401.00000", "2").exit_code == 0
    assert run(workstation, "sync").exit_code == 0
    assert run(laptop, "tag", "2401.00001", "+older").exit_code == 0
    killed = killed_rate(laptop, monkeypatch, "2401.00002", "5")
    result = run(laptop, "sync")  # folds, merges the workstation's rating in, and replaces the library file
    assert result.exit_code == 0, result.output
    assert not journal_path(laptop).exists() and killed not in laptop.read_text()
    before = state(laptop)
    assert before["2401.00000"]["rating"] == 2 and before["2401.00002"]["rating"] == 5
    result = run(laptop, "undo")
    assert result.exit_code == 1 and "nothing undone" in result.stderr
    assert state(laptop) == before
    # The workstation takes the merged library file: its own last change is still the one its undo reverts.
    assert run(workstation, "sync").exit_code == 0
    assert Library(workstation).papers["2401.00002"].rating == 5
    result = run(workstation, "undo")
    assert result.exit_code == 0, result.output
    assert Library(workstation).papers["2401.00000"].rating == 0


def test_a_repair_keeps_the_step_of_the_journal_it_folds_in(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run(db, "tag", "2401.00000", "+older").exit_code == 0
    killed_rate(db, monkeypatch, "2401.00001", "5")
    text = db.read_text()
    line = next(line for line in text.splitlines() if line.startswith('"2401.00002"'))
    db.write_text(text.replace(line, line.replace('"rating":0', '"rating":"none"')))
    result = run(db, "doctor", "--repair")
    assert result.exit_code == 0, result.output
    assert not journal_path(db).exists()
    before = state(db)
    assert before["2401.00001"]["rating"] == 5
    result = run(db, "undo")
    assert result.exit_code == 1 and "nothing undone" in result.stderr
    assert state(db) == before


def test_a_restored_backup_keeps_the_newest_step_of_the_library_it_replaces(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A restore is no command-line change: the newest step stays the killed command's, not the backup's."""
    assert run(db, "rate", "2401.00000", "4").exit_code == 0
    killed = killed_rate(db, monkeypatch, "2401.00001", "5")
    result = run(db, "doctor", "--restore")
    assert result.exit_code == 0, result.output
    assert not journal_path(db).exists()
    assert Library(db).newest_step == killed
    assert run(db, "undo").exit_code == 1


def test_a_command_folding_in_its_own_recorded_change_keeps_no_step(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The record names the newest step then: the fold after each change of a small library writes nothing more,
    and removes a step kept before, which would stop `readlist undo` of this change."""
    written: list[str] = []
    save = library_module.save_folded_step

    def counted(path: Path, step: str) -> None:
        written.append(step)
        save(path, step)

    monkeypatch.setattr(library_module, "save_folded_step", counted)
    assert run(db, "rate", "2401.00000", "4").exit_code == 0
    assert not journal_path(db).exists() and not undo_step_path(db).exists() and written == []
    killed = killed_rate(db, monkeypatch, "2401.00001", "5")
    assert run(db, "doctor", "--compact").exit_code == 0
    assert written == [killed] and undo_step_path(db).exists()
    assert run(db, "undo").exit_code == 1
    assert run(db, "rate", "2401.00002", "3").exit_code == 0
    assert written == [killed] and not undo_step_path(db).exists()
    result = run(db, "undo")
    assert result.exit_code == 0, result.output
    assert Library(db).papers["2401.00002"].rating == 0


@pytest.mark.parametrize("change", [("rate", "2401.00001", "5"), ("rm", "2401.00001"),
                                    ("import", *map(str, SEEDS))], ids=["rate", "rm", "import"])
def test_an_undo_killed_before_its_record_is_noted_by_the_next_and_redo_follows(
    db: Path, monkeypatch: pytest.MonkeyPatch, change: tuple[str, ...]
) -> None:
    """The revert is saved, the record still says the change is in place: the next undo finds every paper as undo
    leaves it. It must not call them "changed since" and refuse for ever (the change could then never be redone)."""
    before = state(db)
    assert run(db, *change).exit_code == 0
    after = state(db)
    run_killed(db, monkeypatch, "undo")
    assert _user_fields(state(db)) == _user_fields(before)  # the revert was saved
    result = run(db, "undo", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["action"] == "undo" and report["papers"] == [] and report["skipped"] == []
    assert report["already"] and set(report["already"]) <= set(after) | set(before)
    assert _user_fields(state(db)) == _user_fields(before)  # nothing more was changed
    said = run(db, "undo")  # now a redo, as after any undo
    assert said.exit_code == 0 and "redid" in said.output, said.output
    assert _user_fields(state(db)) == _user_fields(after)


def test_an_undo_killed_and_then_some_papers_changed_names_those_and_notes_the_rest(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(db, "rate", "2401.00001", "2401.00002", "5").exit_code == 0
    run_killed(db, monkeypatch, "undo")
    ui = Session.open(db)  # a change in the app names no step
    ui.run(Rate(["2401.00002"], 2))
    result = run(db, "undo")
    assert result.exit_code == 0, result.output
    assert "undid rated 5 already: 1 paper as it leaves them" in result.output
    assert "left alone because they changed since: 2401.00002" in result.output
    assert Library(db).papers["2401.00002"].rating == 2


def _user_fields(papers: dict[str, dict[str, object]]) -> dict[str, dict[str, object]]:
    """The papers without the bookkeeping a revert stamps anew (change times)."""
    return {pid: {k: v for k, v in record.items() if k not in ("updated", "changed")} for pid, record in papers.items()}
