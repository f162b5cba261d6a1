"""A journal is only ever replayed into the library it belongs to; any other journal is kept aside, never deleted."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import msgspec
from click.testing import CliRunner

from readlist.app.commands import Delete, Rate
from readlist.app.imports import ImportPapers
from readlist.app.notes import SaveNote
from readlist.cli import main
from readlist.core.model import Paper
from readlist.storage.journal import kept_aside_journals
from readlist.storage.library import Library
from readlist.storage.paths import journal_path


def make(path: Path, titles: str, count: int = 4) -> Library:
    lib = Library(path)
    papers = [Paper.create(title=f"{titles} {n}", arxiv_id=f"2401.{n:05d}") for n in range(count)]
    ImportPapers(papers, "t").execute(lib)
    lib.compact(force=True)
    return lib


def header(path: Path) -> dict[str, object]:
    return msgspec.json.decode(path.read_bytes())["_meta"]["1"]  # type: ignore[no-any-return]


def doctor(path: Path) -> dict[str, object]:
    result = CliRunner().invoke(main, ["--db", str(path), "doctor", "--json"])
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def with_changes(lib: Library) -> bytes:
    """Three confirmed changes in the journal; the journal's bytes."""
    Rate(["2401.00001"], 5).execute(lib)
    SaveNote("2401.00002", "a note from the other library").execute(lib)
    Delete(["2401.00003"]).execute(lib)
    return journal_path(lib.path).read_bytes()


def test_every_library_has_an_id_and_its_journal_names_it(tmp_path: Path) -> None:
    first, second = make(tmp_path / "a" / "library.json", "A"), make(tmp_path / "b" / "library.json", "B")
    ids = header(first.path)["library"], header(second.path)["library"]
    assert all(isinstance(i, str) and len(i) == 16 for i in ids) and ids[0] != ids[1]
    Rate(["2401.00001"], 2).execute(first)
    line = journal_path(first.path).read_bytes().split(b"\n")[0]
    assert json.loads(line)["library"] == ids[0]


def test_a_journal_of_another_library_is_kept_aside_not_replayed(tmp_path: Path) -> None:
    mine = make(tmp_path / "mine" / "library.json", "Mine")
    theirs = make(tmp_path / "theirs" / "library.json", "Theirs")
    assert header(mine.path)["gen"] == header(theirs.path)["gen"]  # the case the generation cannot tell apart
    journal = with_changes(theirs)
    # Copy their journal beside my library file (as copying a library.json over another leaves it).
    shutil.copy(journal_path(theirs.path), journal_path(mine.path))

    result = CliRunner().invoke(main, ["--db", str(mine.path), "list", "--json"])
    assert result.exit_code == 0
    records = {r["id"]: r for r in json.loads(result.stdout)}
    assert len(records) == 4 and records["2401.00001"]["rating"] == 0 and not records["2401.00002"]["note"]
    assert "belongs to another library" in result.stderr and result.stderr.count("\n") == 1
    kept = kept_aside_journals(mine.path)
    assert len(kept) == 1 and kept[0].read_bytes() == journal
    assert kept[0].name.startswith("library.json.journal.foreign-")
    assert str(kept[0]) in result.stderr
    assert not journal_path(mine.path).exists()
    # A change now starts a journal of my own; the kept one is never touched.
    assert CliRunner().invoke(main, ["--db", str(mine.path), "rate", "2401.00000", "3"]).exit_code == 0
    assert kept[0].read_bytes() == journal and Library(mine.path).papers["2401.00000"].rating == 3
    report = doctor(mine.path)
    assert report["healthy"] is False and any(str(kept[0]) in p for p in report["problems"])  # type: ignore[union-attr]


def test_a_journal_whose_header_is_damaged_is_never_replayed_nor_deleted(tmp_path: Path) -> None:
    lib = make(tmp_path / "library.json", "Paper")
    journal = with_changes(lib)
    damaged = journal.replace(b'"gen":', b'"gen"', 1)  # a header that is no longer JSON
    journal_path(lib.path).write_bytes(damaged)

    report = doctor(lib.path)  # doctor looks without changing anything
    assert report["healthy"] is False
    assert any("damaged header" in p for p in report["problems"])  # type: ignore[union-attr]
    assert not any("already folded in" in w for w in report["warnings"])  # type: ignore[union-attr]
    assert journal_path(lib.path).read_bytes() == damaged

    again = Library(lib.path)
    assert again.papers["2401.00001"].rating == 0  # nothing guessed from a journal nobody can vouch for
    notices = again.take_notices()
    assert len(notices) == 1 and "damaged header" in notices[0]
    Rate(["2401.00000"], 4).execute(again)  # the next write starts a fresh journal
    kept = kept_aside_journals(lib.path)
    assert len(kept) == 1 and kept[0].read_bytes() == damaged and ".unreadable-" in kept[0].name


def test_a_journal_newer_than_the_library_file_is_kept_aside(tmp_path: Path) -> None:
    """An older library.json put back by hand must not have a newer journal replayed onto it."""
    lib = make(tmp_path / "library.json", "Paper")
    older = lib.path.read_bytes()
    Rate(["2401.00000"], 1).execute(lib)
    lib.compact(force=True)
    journal = with_changes(lib)
    lib.path.write_bytes(older)
    reopened = Library(lib.path)
    assert reopened.papers["2401.00003"].title == "Paper 3"  # the deletion in the newer journal was not replayed
    kept = kept_aside_journals(lib.path)
    assert len(kept) == 1 and kept[0].read_bytes() == journal and ".ahead-" in kept[0].name


def test_a_library_from_before_ids_replays_its_journal_and_gets_an_id(tmp_path: Path) -> None:
    lib = make(tmp_path / "library.json", "Paper")
    Rate(["2401.00001"], 4).execute(lib)
    # Strip the ids, as a library and journal written by the previous version have none.
    data = msgspec.json.decode(lib.path.read_bytes())
    del data["_meta"]["1"]["library"]
    lib.path.write_bytes(msgspec.json.encode(data))
    lines = journal_path(lib.path).read_bytes().split(b"\n", 1)
    head = json.loads(lines[0])
    del head["library"]
    journal_path(lib.path).write_bytes(json.dumps(head).encode() + b"\n" + lines[1])

    old = Library(lib.path)
    assert old.papers["2401.00001"].rating == 4 and not old.take_notices()
    old.compact(force=True)
    assert isinstance(header(lib.path)["library"], str) and header(lib.path)["library"]
    assert Library(lib.path).papers["2401.00001"].rating == 4


def test_the_read_state_names_exactly_the_papers_read(tmp_path: Path) -> None:
    """Two libraries that read the same files have the same fingerprint; a change by either, a fold, or another file
    in the library's place gives another (what a command learned is reused only for the very same papers)."""
    path = tmp_path / "lib.json"
    lib = make(path, "Paper")
    assert Library(path, load=False).read_state == ""  # nothing read yet
    other = Library(path)
    assert other.read_state == lib.read_state != ""
    Rate(["2401.00001"], 4).execute(lib)  # into the journal
    assert lib.read_state != other.read_state
    other.refresh()
    assert other.read_state == lib.read_state == Library(path).read_state
    before = lib.read_state
    lib.compact(force=True)  # the same papers, folded into a new file
    assert lib.read_state != before and Library(path).read_state == lib.read_state
    elsewhere = tmp_path / "copy.json"
    make(elsewhere, "Paper")  # the same titles, another library
    shutil.copy(elsewhere, path)
    assert Library(path).read_state not in (lib.read_state, before)


def test_a_file_written_over_in_place_with_its_size_and_time_reads_as_another(tmp_path: Path) -> None:
    """``cp -p`` of a backup over the library, or an edit that sets the time back, keeps the inode, the size and the
    modification time; the time the inode last changed, which no program sets, still tells the files apart."""
    path = tmp_path / "lib.json"
    lib = make(path, "Paper")
    Rate(["2401.00001"], 4).execute(lib)
    lib.compact(force=True)
    read = Library(path).read_state
    before = path.stat()
    text = path.read_bytes()
    assert text.count(b'"rating":4') == 1
    with path.open("r+b") as handle:
        handle.write(text.replace(b'"rating":4', b'"rating":2'))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    again = Library(path)
    assert again.papers["2401.00001"].rating == 2
    assert again.read_state != read


def test_a_backup_linked_to_the_file_leaves_the_read_state_of_a_reader_that_follows(tmp_path: Path) -> None:
    """A process's first change hard-links the library file into a backup (a large library's) before writing to the
    journal: that moves the file's change time, not its papers. A process that read the library before it (the
    app's interest process) and catches up names the same papers as one that reads them now."""
    path = tmp_path / "lib.json"
    make(path, "Paper")
    reader = Library(path)
    os.link(path, tmp_path / "backup.json")
    Rate(["2401.00001"], 4).execute(Library(path))
    reader.refresh()
    assert reader.papers["2401.00001"].rating == 4
    assert reader.read_state == Library(path).read_state
    (tmp_path / "backup.json").unlink()  # pruned
    reader.refresh()
    assert reader.read_state == Library(path).read_state
