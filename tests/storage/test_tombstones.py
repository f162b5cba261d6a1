"""Tombstones of deleted papers and per-field change times: kept through the journal, compaction, undo and repair."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import pytest

import readlist.app.commands as commands
import readlist.storage.library as library_module
from readlist.app.commands import Delete, EditTags, KeepKeys, Rate, SetStatus
from readlist.app.history import revert
from readlist.app.imports import ImportPapers
from readlist.core.model import Paper, tag_time_key
from readlist.storage.errors import LibraryError
from readlist.storage.library import Library
from readlist.storage.repair import repair_library
from readlist.storage.snapshot import SCHEMA_VERSION, read_snapshot


def paper(n: int) -> Paper:
    return Paper.create(id=f"2401.{n:05d}", arxiv_id=f"2401.{n:05d}", title=f"Paper number {n}")


def library(path: Path, count: int = 3) -> Library:
    lib = Library(path)
    ImportPapers([paper(n) for n in range(1, count + 1)], "test").execute(lib)
    return lib


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A clock the test moves: every command and deletion stamps the time it shows."""
    now = ["2030-01-01T00:00:00+00:00"]
    monkeypatch.setattr(commands, "now_iso", lambda: now[0])
    monkeypatch.setattr(library_module, "now_iso", lambda: now[0])
    return now


def test_a_deletion_leaves_a_tombstone_with_its_time_through_the_journal_and_the_snapshot(
    tmp_path: Path, clock: list[str]
) -> None:
    path = tmp_path / "library.json"
    lib = library(path)
    clock[0] = "2030-01-02T10:00:00+00:00"
    Delete(["2401.00002"]).execute(lib)
    assert lib.deleted == {"2401.00002": "2030-01-02T10:00:00+00:00"}
    other = Library(path)  # replays the journal
    assert "2401.00002" in other.deleted and "2401.00002" not in other.papers
    lib.compact(force=True)
    assert read_snapshot(path).deleted == {"2401.00002": other.deleted["2401.00002"]}
    assert Library(path).deleted == read_snapshot(path).deleted


def test_putting_a_paper_back_removes_its_tombstone(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    lib = library(path)
    outcome = Delete(["2401.00001"]).execute(lib)
    revert(lib, outcome, to_before=True)
    assert lib.deleted == {} and "2401.00001" in lib.papers
    Delete(["2401.00001"]).execute(lib)
    ImportPapers([paper(1)], "again").execute(lib)  # imported again
    lib.compact(force=True)
    assert read_snapshot(path).deleted == {}


def test_a_rename_is_not_a_deletion(tmp_path: Path) -> None:
    """Enrichment deletes the old record and puts the renamed one, with the old id as an alias."""
    path = tmp_path / "library.json"
    lib = Library(path)
    old = Paper.create(title="A text copy")
    ImportPapers([old], "test").execute(lib)
    with lib.transaction() as txn:
        gone = txn.delete(old.id)
        assert gone is not None
        txn.put(msgspec.structs.replace(gone, id="2402.00001", arxiv_id="2402.00001", aliases=[old.id]))
    assert lib.deleted == {}
    assert Library(path).deleted == {}


def test_user_edits_stamp_the_fields_and_tags_they_change(tmp_path: Path, clock: list[str]) -> None:
    lib = library(tmp_path / "library.json")
    clock[0] = "2030-01-01T00:00:05+00:00"
    SetStatus(["2401.00001"], "read").execute(lib)
    clock[0] = "2030-01-01T00:00:07+00:00"
    Rate(["2401.00001"], 4).execute(lib)
    EditTags(["2401.00001"], add=["rl", "agents"]).execute(lib)
    clock[0] = "2030-01-01T00:00:09+00:00"
    EditTags(["2401.00001"], remove=["rl"]).execute(lib)
    changed = lib.papers["2401.00001"].changed
    assert changed == {
        "status": "2030-01-01T00:00:05+00:00", "read_at": "2030-01-01T00:00:05+00:00",
        "prev_status": "2030-01-01T00:00:05+00:00", "rating": "2030-01-01T00:00:07+00:00",
        "tags": "2030-01-01T00:00:09+00:00", tag_time_key("agents"): "2030-01-01T00:00:07+00:00",
        tag_time_key("rl"): "2030-01-01T00:00:09+00:00",
    }
    assert lib.papers["2401.00002"].changed == {}  # an import needs no times


def test_undo_is_a_change_of_its_own_with_a_new_time(tmp_path: Path, clock: list[str]) -> None:
    lib = library(tmp_path / "library.json")
    outcome = Rate(["2401.00001"], 5).execute(lib)
    clock[0] = "2030-01-01T00:01:00+00:00"
    revert(lib, outcome, to_before=True)
    assert lib.papers["2401.00001"].rating == 0
    assert lib.papers["2401.00001"].changed["rating"] == "2030-01-01T00:01:00+00:00"


def test_keeping_a_citation_key_records_when(tmp_path: Path, clock: list[str]) -> None:
    lib = library(tmp_path / "library.json")
    KeepKeys({"2401.00001": "number2024paper"}).execute(lib)
    assert lib.papers["2401.00001"].changed == {"cite_key": clock[0]}


def test_a_schema_1_library_opens_with_no_times_and_no_tombstones_and_is_written_as_the_new_schema(
    tmp_path: Path,
) -> None:
    path = tmp_path / "library.json"
    record = {"id": "2401.00001", "title": "Old record", "status": "read", "rating": 4, "note": "kept",
              "added": "2024-01-01T00:00:00+00:00", "updated": "2024-01-01T00:00:00+00:00"}
    path.write_text(json.dumps({"_meta": {"1": {"format": "readlist", "schema": 1, "gen": 3, "library": "abc"}},
                                "papers": {"1": record}}))
    lib = Library(path)
    assert lib.papers["2401.00001"].changed == {} and lib.deleted == {}
    assert lib.papers["2401.00001"].note == "kept"
    Rate(["2401.00001"], 5).execute(lib)
    lib.compact(force=True)
    data = json.loads(path.read_text())
    assert data["_meta"]["1"]["schema"] == SCHEMA_VERSION == 3
    record = data["papers"]["2401.00001"]
    assert record["note"] == "kept" and "rating" in record["changed"]


def test_a_schema_2_library_keeps_its_change_times_and_tombstones_when_converted_to_one_paper_per_line(
    tmp_path: Path,
) -> None:
    path = tmp_path / "library.json"
    record = {"id": "2401.00001", "title": "Kept", "status": "read", "note": "mine",
              "added": "2024-01-01T00:00:00+00:00", "updated": "2024-01-02T00:00:00+00:00",
              "changed": {"status": "2024-01-02T00:00:00Z"}}
    path.write_text(json.dumps({"_meta": {"1": {"format": "readlist", "schema": 2, "gen": 4, "library": "abc"}},
                                "papers": {"1": record},
                                "deleted": {"2401.00009": {"at": "2024-01-03T00:00:00Z"}}}))
    lib = Library(path)
    assert any("converted" in notice for notice in lib.take_notices())
    lines = path.read_bytes().splitlines()
    assert lines[1].startswith(b'"2401.00001":{') and lines[2] == b'},"deleted":{'
    assert lines[3] == b'"2401.00009":{"at":"2024-01-03T00:00:00Z"}' and lines[4] == b"}}"
    reopened = Library(path)
    assert reopened.deleted == {"2401.00009": "2024-01-03T00:00:00Z"}
    assert reopened.papers["2401.00001"].changed == {"status": "2024-01-02T00:00:00Z"}
    assert reopened.papers["2401.00001"].note == "mine"


def test_a_damaged_tombstone_table_is_refused_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    library(path).compact(force=True)
    data = json.loads(path.read_text())
    data["deleted"] = {"2401.00009": {"at": 7}}
    path.write_text(json.dumps(data))
    with pytest.raises(LibraryError, match="table of deleted papers is damaged") as caught:
        Library(path)
    assert "\n" not in str(caught.value)


def test_a_change_time_that_is_not_a_time_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    library(path).compact(force=True)
    data = json.loads(path.read_text())
    first = next(iter(data["papers"]))
    data["papers"][first]["changed"] = {"rating": "9999 and then some"}
    path.write_text(json.dumps(data))
    with pytest.raises(LibraryError, match="changed"):
        Library(path)


def test_repair_keeps_the_tombstones(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    lib = library(path)
    Delete(["2401.00003"]).execute(lib)
    lib.compact(force=True)
    data = json.loads(path.read_text())
    data["papers"][next(iter(data["papers"]))]["rating"] = "five"
    path.write_text(json.dumps(data))
    repair_library(path)
    assert set(Library(path).deleted) == {"2401.00003"}


def test_a_paper_put_back_keeps_its_place_when_read_back_from_the_journal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(library_module, "SMALL_SNAPSHOT", 0)  # leave the changes in the journal
    lib = library(tmp_path / "library.json", count=4)
    lib.compact(force=True)
    order = list(lib.papers)
    outcome = Delete(["2401.00002"]).execute(lib)
    revert(lib, outcome, to_before=True)
    assert (tmp_path / "library.json.journal").stat().st_size > 0
    assert list(lib.papers) == order
    assert list(Library(lib.path).papers) == order  # the journal's put replayed onto the snapshot
