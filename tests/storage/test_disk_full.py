"""A full disk, a read-only file: backups are whole or absent, exit status 0 exactly when the change is durable."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import readlist.app.history as history_module
import readlist.storage.backups as backups
import readlist.storage.library as library_module
import readlist.storage.repair as repair_module
from readlist.app.commands import Rate
from readlist.app.imports import ImportPapers
from readlist.cli import main
from readlist.core.model import Paper
from readlist.storage.backups import KEEP_BACKUPS, list_backups, make_backup
from readlist.storage.journal import Journal
from readlist.storage.library import Library
from readlist.storage.paths import backup_dir, journal_path, last_change_path


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args])


def make(path: Path) -> Library:
    lib = Library(path)
    ImportPapers([Paper.create(title=f"Paper {n}", arxiv_id=f"2401.{n:05d}") for n in range(3)], "t").execute(lib)
    lib.compact(force=True)
    return Library(path)  # a new session: its first change makes a backup


def full(*_: object, **__: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_backup_that_cannot_be_written_leaves_nothing_and_the_change_still_happens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = make(tmp_path / "library.json")
    monkeypatch.setattr(backups, "_copy_flushed", full)
    Rate(["2401.00001"], 4).execute(lib)
    lib.compact(force=True)  # folding in tries a backup too: still one notice for the user
    monkeypatch.undo()
    assert Library(lib.path).papers["2401.00001"].rating == 4
    assert list_backups(lib.path) == [] and not any(backup_dir(lib.path).iterdir())
    assert sum("no backup could be made" in n for n in lib.take_notices()) == 1
    Rate(["2401.00002"], 2).execute(lib)  # tried again at the next change
    assert len(list_backups(lib.path)) == 1


def test_empty_or_half_made_backups_never_count_and_the_newest_good_one_survives(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    make(path)
    good = make_backup(path)
    assert good is not None
    # What a full disk left before: folders with an empty snapshot, newer than the good backup.
    for n in range(KEEP_BACKUPS + 2):
        empty = backup_dir(path) / f"29990101T0000{n:02d}.000000Z"
        empty.mkdir()
        (empty / path.name).write_bytes(b"")
    (backup_dir(path) / ".29990102T000000.000000Z.tmp").mkdir()  # a backup interrupted halfway
    assert list_backups(path) == [good]
    backups.prune_backups(path)
    assert list(backup_dir(path).iterdir()) == [good]


def test_the_backup_gives_its_space_back_when_the_change_needs_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = make(tmp_path / "library.json")
    real = Journal.append
    calls: list[int] = []

    def append_once_full(self: Journal, ops: object, **kwargs: object) -> None:
        calls.append(1)
        if len(calls) == 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(self, ops, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Journal, "append", append_once_full)
    Rate(["2401.00001"], 5).execute(lib)
    monkeypatch.undo()
    assert len(calls) == 2
    assert Library(lib.path).papers["2401.00001"].rating == 5
    assert list_backups(lib.path) == []  # removed to make room; the next session makes one again
    assert any("disk is full" in n for n in lib.take_notices())


def test_exit_status_is_0_when_the_journal_holds_the_change_though_the_file_could_not_be_rewritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "library.json"
    make(db)
    monkeypatch.setattr(library_module, "atomic_write_chunks", full)
    result = run(db, "import", str(Path(__file__).parents[1] / "fixtures" / "seeds" / "001_eaf0a1b246e94eca.txt"))
    monkeypatch.undo()
    assert result.exit_code == 0, result.output
    assert "saved in the journal" in result.stderr
    assert len(Library(db).papers) > 3  # durable: the journal replays them


def test_a_read_only_library_file_is_respected(tmp_path: Path) -> None:
    db = tmp_path / "library.json"
    make(db)
    os.chmod(db, 0o400)
    before = db.read_bytes()
    for args in (["rate", "2401.00001", "4"], ["note", "2401.00001", "x"], ["tag", "2401.00001", "+a"],
                 ["import", str(Path(__file__).parents[1] / "fixtures" / "seeds" / "001_eaf0a1b246e94eca.txt")],
                 ["rm", "2401.00001"]):
        result = run(db, *args)
        assert result.exit_code == 1, (args, result.output)
        assert "read-only" in result.stderr and "chmod u+w" in result.stderr and result.stderr.count("\n") == 1
    assert db.read_bytes() == before and stat.S_IMODE(db.stat().st_mode) == 0o400
    assert not journal_path(db).exists()
    assert run(db, "list").exit_code == 0  # reading still works


def test_a_change_that_fails_makes_no_backup_and_prunes_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder that cannot be written: every failed command used to add a backup and push out an older one."""
    path = tmp_path / "library.json"
    for n in range(KEEP_BACKUPS):  # sessions that changed the library, each with its backup
        Rate(["2401.00001"], n % 5 + 1).execute(make(path) if n == 0 else Library(path))
    kept = list_backups(path)
    assert len(kept) == KEEP_BACKUPS

    def refused(*_: object, **__: object) -> None:
        raise OSError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(Journal, "append", refused)
    for _ in range(3):
        lib = Library(path)
        with pytest.raises(library_module.LibraryError, match="nothing was changed"):
            Rate(["2401.00002"], 3).execute(lib)
    monkeypatch.undo()
    assert list_backups(path) == kept
    Rate(["2401.00002"], 3).execute(Library(path))  # a change that works keeps its backup and prunes as before
    after = list_backups(path)
    assert after[0] not in kept and set(after[1:]) <= set(kept) and kept[0] in after


def test_restore_on_a_full_disk_is_one_line_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "library.json"
    Rate(["2401.00001"], 4).execute(make(db))  # a session that changed the library: one backup
    before = db.read_bytes()
    kept = list_backups(db)
    monkeypatch.setattr(backups, "_copy_flushed", full)  # the backup of the library as it is cannot be written
    result = run(db, "doctor", "--restore")
    monkeypatch.undo()
    assert result.exit_code == 1
    assert "could not restore" in result.stderr and "No space left" in result.stderr
    assert "output" not in result.stderr and result.stderr.count("\n") == 1
    assert db.read_bytes() == before and list_backups(db) == kept


def test_a_change_refused_by_a_full_disk_is_one_line_without_the_backup_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """"No backup could be made before this change" came first, as if the change had gone ahead without one."""
    db = tmp_path / "library.json"
    make(db)
    monkeypatch.setattr(backups, "_copy_flushed", full)
    monkeypatch.setattr(Journal, "append", full)
    result = run(db, "rate", "2401.00001", "5")
    monkeypatch.undo()
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "No space left on device" in result.stderr, result.stderr
    assert "no backup could be made" not in result.stderr
    assert Library(db).papers["2401.00001"].rating == 0


def test_a_restore_that_fails_after_its_backup_leaves_the_backups_as_they_were(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A library folder made read-only: each failed attempt kept the library as it was as the newest backup and
    pushed out an older one, until every backup was the current library and the next restore restored that."""
    db = tmp_path / "library.json"
    for rating in range(1, KEEP_BACKUPS + 1):  # sessions that changed the library, each with its backup
        Rate(["2401.00001"], rating).execute(make(db) if rating == 1 else Library(db))
    kept = list_backups(db)
    ratings = {backup: Library(backup / db.name).papers["2401.00001"].rating for backup in kept}

    def refused(*_: object, **__: object) -> None:
        raise OSError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(Library, "adopt", refused)
    for _ in range(KEEP_BACKUPS + 1):
        result = run(db, "doctor", "--restore")
        assert result.exit_code == 1 and "could not restore" in result.stderr and "Permission denied" in result.stderr
    monkeypatch.undo()
    assert list_backups(db) == kept
    assert {backup: Library(backup / db.name).papers["2401.00001"].rating for backup in kept} == ratings
    assert run(db, "doctor", "--restore").exit_code == 0  # the newest backup, as it was before the attempts
    assert Library(db).papers["2401.00001"].rating == ratings[kept[0]]


def test_repair_on_a_full_disk_is_one_line_and_leaves_no_quarantine_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "library.json"
    make(db)
    damaged = db.read_bytes().replace(b'"rating":0,', b'"rating":"unknowable",', 1)  # goes to the quarantine file
    db.write_bytes(damaged)
    assert run(db, "list").exit_code == 1  # the record does not validate
    real = repair_module.atomic_write_bytes

    def library_full(path: Path, data: bytes) -> None:
        if path == db:
            full()
        real(path, data)

    monkeypatch.setattr(repair_module, "atomic_write_bytes", library_full)
    result = run(db, "doctor", "--repair")
    monkeypatch.undo()
    assert result.exit_code == 1
    assert "could not repair" in result.stderr and "No space left" in result.stderr
    assert "output" not in result.stderr and result.stderr.count("\n") == 1
    assert db.read_bytes() == damaged
    assert not list(tmp_path.glob("*.quarantine-*"))


def test_a_change_whose_undo_record_cannot_be_written_is_not_mistaken_for_an_older_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "library.json"
    make(db)
    assert run(db, "rate", "2401.00001", "5").exit_code == 0
    real = history_module.atomic_write_chunks

    def record_full(path: Path, chunks: Iterable[bytes]) -> None:
        if path == last_change_path(db):
            full()
        real(path, chunks)

    monkeypatch.setattr(history_module, "atomic_write_chunks", record_full)
    result = run(db, "tag", "2401.00002", "later")
    monkeypatch.undo()
    assert result.exit_code == 0  # the change itself is durable
    assert "`readlist undo` cannot revert it" in result.stderr and "No space left" in result.stderr
    undo = run(db, "undo")
    assert undo.exit_code == 1 and "nothing to undo" in undo.stderr
    papers = Library(db).papers
    assert papers["2401.00001"].rating == 5 and papers["2401.00002"].tags == ["later"]


@pytest.mark.parametrize(("error", "advice"), [
    (errno.ENOSPC, "once there is room"),
    (errno.EPERM, "once the file can be written again (check its permissions and attributes: `lsattr`)"),
])
def test_a_library_file_that_cannot_be_rewritten_keeps_the_change_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: int, advice: str,
) -> None:
    """An immutable library file (``chattr +i``, its folder writable) was said to need "room"."""
    lib = make(tmp_path / "library.json")
    Rate(["2401.00001"], 4).execute(lib)

    def refused(*_: object, **__: object) -> None:
        raise OSError(error, os.strerror(error))

    monkeypatch.setattr(Library, "_write_snapshot", refused)
    with pytest.raises(library_module.LibraryError) as caught:
        lib.compact(force=True)
    assert str(caught.value).endswith(
        f"could not rewrite the library file ({os.strerror(error)}); your changes are saved in the journal and are "
        f"folded in by a later command {advice}")
    monkeypatch.undo()
    assert Library(lib.path).papers["2401.00001"].rating == 4


def test_a_change_refused_by_a_full_disk_says_to_free_space(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lib = make(tmp_path / "library.json")
    monkeypatch.setattr(Journal, "append", full)
    with pytest.raises(library_module.LibraryError) as caught:
        Rate(["2401.00002"], 3).execute(lib)
    assert str(caught.value).endswith(
        "the change could not be saved: No space left on device; nothing was changed; free some space, then try again")
