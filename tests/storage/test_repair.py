"""Records of the wrong shape or with one id: refused with one line, listed by doctor, fixed by doctor --repair."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec
import pytest
from click.testing import CliRunner, Result

from readlist.app.imports import ImportPapers
from readlist.app.notes import SaveNote
from readlist.cli import main
from readlist.core.model import Paper
from readlist.storage.backups import list_backups
from readlist.storage.errors import LibraryError
from readlist.storage.library import Library


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args])


def make(path: Path) -> None:
    lib = Library(path)
    ImportPapers([Paper.create(title=f"Paper {n}", arxiv_id=f"2401.{n:05d}") for n in range(5)], "t").execute(lib)
    SaveNote("2401.00002", "my precious note").execute(lib)
    lib.compact(force=True)


def records(path: Path) -> dict[str, dict[str, Any]]:
    return msgspec.json.decode(path.read_bytes())["papers"]  # type: ignore[no-any-return]


def damage(path: Path, **by_id: dict[str, Any]) -> None:
    data = msgspec.json.decode(path.read_bytes())
    for doc in data["papers"].values():
        doc.update(by_id.get(doc["id"].replace(".", "_"), {}))
    path.write_bytes(msgspec.json.encode(data))


BAD = {
    "2401_00000": {"rating": "five"},
    "2401_00001": {"status": "bogus"},
    "2401_00002": {"authors": 5, "note": 7},
    "2401_00003": {"published": {}},
    "2401_00004": {"tags": "rl, Agents"},
}


@pytest.mark.parametrize("args", [["list"], ["show", "2401.00001"], ["rate", "2401.00003", "4"], ["stats"]])
def test_a_record_of_the_wrong_shape_is_one_line_and_nothing_is_written(tmp_path: Path, args: list[str]) -> None:
    db = tmp_path / "library.json"
    make(db)
    damage(db, **BAD)
    before = db.read_bytes()
    result = run(db, *args)
    assert result.exit_code == 1
    err = result.stderr
    assert err.count("\n") == 1 and "Traceback" not in err
    assert str(db) in err and "paper 2401.00000" in err and "rating" in err and "doctor --repair" in err
    assert db.read_bytes() == before


def test_doctor_lists_every_invalid_record(tmp_path: Path) -> None:
    db = tmp_path / "library.json"
    make(db)
    damage(db, **BAD)
    result = run(db, "doctor", "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    problems = " ".join(report["problems"])
    for pid, field in [("2401.00000", "rating"), ("2401.00001", "status"), ("2401.00002", "authors"),
                       ("2401.00003", "published"), ("2401.00004", "tags")]:
        assert f"paper {pid}: {field}" in problems, (pid, problems)
    assert any("--repair" in note for note in report["notes"])


def test_repair_fixes_what_it_can_quarantines_the_rest_and_keeps_every_note(tmp_path: Path) -> None:
    db = tmp_path / "library.json"
    make(db)
    damage(db, **BAD)
    original = db.read_bytes()
    result = run(db, "doctor", "--repair", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    papers = Library(db).papers  # opens again
    assert len(papers) == 5
    assert papers["2401.00000"].rating == 5  # "five" means 5
    assert papers["2401.00001"].status == "inbox"  # "bogus" means nothing: the default, original kept aside
    assert papers["2401.00002"].note == "7" and papers["2401.00002"].authors == []
    assert papers["2401.00003"].published is None
    assert papers["2401.00004"].tags == ["agents", "rl"]
    quarantine = json.loads(Path(report["quarantine_file"]).read_text())
    kept = {entry["id"]: entry["dropped"] for entry in quarantine}
    assert kept["2401.00001"] == {"status": "bogus"} and kept["2401.00003"] == {"published": {}}
    assert kept["2401.00002"] == {"authors": 5}
    backup = list_backups(db)[0] / db.name
    assert backup.read_bytes() == original  # the file as it was, kept
    assert run(db, "doctor").exit_code == 0


def test_duplicate_ids_are_refused_then_merged_without_losing_either_note(tmp_path: Path) -> None:
    db = tmp_path / "library.json"
    make(db)
    data = msgspec.json.decode(db.read_bytes())
    twin = next(doc for doc in data["papers"].values() if doc["id"] == "2401.00002")
    data["papers"]["99"] = {**twin, "note": "a second note", "rating": 4, "tags": ["later"]}
    db.write_bytes(msgspec.json.encode(data))
    before = db.read_bytes()
    with pytest.raises(LibraryError, match="more than once"):
        Library(db)
    result = run(db, "rate", "2401.00001", "3")  # a change elsewhere must not silently drop a record
    assert result.exit_code == 1 and "more than once" in result.stderr and db.read_bytes() == before
    assert run(db, "doctor", "--repair").exit_code == 0
    merged = Library(db).papers["2401.00002"]
    assert "my precious note" in merged.note and "a second note" in merged.note
    assert merged.rating == 4 and merged.tags == ["later"]
    assert len(Library(db).papers) == 5


@pytest.mark.parametrize("layout", ["lines", "whole"])
def test_a_field_given_twice_with_a_bad_first_value_is_one_line_then_repaired(tmp_path: Path, layout: str) -> None:
    """A hand edit that adds `"rating": "five"` to a record that already rates it: readlist's reader checks every
    value, the JSON reader doctor used keeps only the last, and every command (doctor too) stopped on an internal
    assertion with a traceback. Now it is a record problem like any other, and repair keeps the last value."""
    db = tmp_path / "library.json"
    make(db)
    if layout == "whole":
        db.write_bytes(msgspec.json.encode(msgspec.json.decode(db.read_bytes())))
    raw = db.read_bytes()
    at = raw.index(b'"2401.00003":{') + len(b'"2401.00003":{')
    db.write_bytes(raw[:at] + b'"rating":"five",' + raw[at:])
    before = db.read_bytes()
    result = run(db, "list")
    assert result.exit_code == 1 and "Traceback" not in result.output
    (line,) = result.stderr.splitlines()
    assert "2401.00003" in line and "rating" in line and "doctor --repair" in line
    report = json.loads(run(db, "doctor", "--json").stdout)
    assert report["healthy"] is False
    assert any("2401.00003" in p and "values the record gives 'rating'" in p for p in report["problems"])
    assert db.read_bytes() == before
    repaired = json.loads(run(db, "doctor", "--repair", "--json").stdout)
    assert any("rating was given 2 times" in line for line in repaired["fixed"])
    quarantine = json.loads(Path(repaired["quarantine_file"]).read_text())
    assert quarantine[0]["dropped"] == {"rating (given earlier)": ["five"]}
    lib = Library(db)
    assert lib.papers["2401.00003"].rating == 0 and len(lib.papers) == 5
    assert run(db, "doctor").exit_code == 0


def test_a_field_given_twice_with_good_values_takes_the_last_as_before(tmp_path: Path) -> None:
    db = tmp_path / "library.json"
    make(db)
    db.write_bytes(msgspec.json.encode(msgspec.json.decode(db.read_bytes())))  # the whole-file layout
    raw = db.read_bytes()
    at = raw.index(b'"2401.00003":{') + len(b'"2401.00003":{')
    db.write_bytes(raw[:at] + b'"rating":2,' + raw[at:])
    assert Library(db, upgrade=False).papers["2401.00003"].rating == 0  # the last value, as JSON readers take it
    assert json.loads(run(db, "doctor", "--json").stdout)["problems"] == []


def test_a_record_without_a_title_is_quarantined_whole(tmp_path: Path) -> None:
    db = tmp_path / "library.json"
    make(db)
    data = msgspec.json.decode(db.read_bytes())
    data["papers"]["77"] = {"id": "x-1", "note": "orphan note", "rating": 2}
    db.write_bytes(msgspec.json.encode(data))
    report = json.loads(run(db, "doctor", "--repair", "--json").stdout)
    assert len(Library(db).papers) == 5
    quarantine = json.loads(Path(report["quarantine_file"]).read_text())
    assert quarantine[0]["record"]["note"] == "orphan note"


def test_repair_of_a_healthy_library_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "library.json"
    make(db)
    before = db.read_bytes()
    result = run(db, "doctor", "--repair")
    assert result.exit_code == 0 and "nothing to repair" in result.stdout
    assert db.read_bytes() == before


def test_a_bad_change_time_costs_that_time_not_the_paper(tmp_path: Path) -> None:
    """What the record says when each field changed is bookkeeping: a damaged entry goes, the paper stays."""
    db = tmp_path / "library.json"
    make(db)
    good = "2030-01-01T00:00:00+00:00"
    damage(db, **{"2401_00002": {"changed": {"rating": "notadate", "note": good, "tags": 7}},
                  "2401_00003": {"changed": "yesterday"}, "2401_00004": {"aliases": 3}})
    assert run(db, "list").exit_code == 1  # refused until repaired
    result = run(db, "doctor", "--repair", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["quarantined"] == []
    papers = Library(db).papers
    assert len(papers) == 5
    assert papers["2401.00002"].note == "my precious note" and papers["2401.00002"].changed == {"note": good}
    assert papers["2401.00003"].changed == {} and papers["2401.00004"].aliases == []


def test_a_number_too_long_for_python_is_one_field_of_one_paper(tmp_path: Path) -> None:
    """A rating of 5,000 digits is valid JSON that Python will not read as an int: it is that paper's bad
    rating, not a damaged table, and the repair quarantines that one value, exactly as the file held it."""
    db = tmp_path / "library.json"
    make(db)
    digits = "7" * 5000
    damage(db, **{"2401_00003": {"rating": 918273645}})
    db.write_bytes(db.read_bytes().replace(b"918273645", digits.encode()))
    listed = run(db, "list")
    assert listed.exit_code == 1
    assert "paper 2401.00003: rating" in listed.stderr and "not a table of records" not in listed.stderr
    assert "paper 2401.00003: rating" in " ".join(json.loads(run(db, "doctor", "--json").stdout)["problems"])
    result = run(db, "doctor", "--repair", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert any(line.startswith("paper 2401.00003: rating 777") and len(line) < 200 for line in report["fixed"])
    papers = Library(db).papers
    assert len(papers) == 5 and papers["2401.00003"].rating == 0
    assert papers["2401.00002"].note == "my precious note"
    quarantine = Path(report["quarantine_file"]).read_bytes()
    assert b'"rating": ' + digits.encode() in quarantine  # the same number, not a string of it
    assert run(db, "doctor").exit_code == 0


@pytest.mark.parametrize("table", [[1, 2], "papers", 7])
def test_a_papers_table_that_is_no_table_is_not_sent_to_repair(tmp_path: Path, table: object) -> None:
    """The load said `doctor --repair` fixes it, and `doctor --repair` then said to restore a backup instead."""
    path = tmp_path / "library.json"
    make(path)
    data = msgspec.json.decode(path.read_bytes())
    data["papers"] = table
    path.write_bytes(msgspec.json.encode(data))
    before = path.read_bytes()
    listed = run(path, "list")
    assert listed.exit_code == 1
    assert "the papers table is not a table of records" in listed.stderr
    assert "--repair" not in listed.stderr and "record *" not in listed.stderr
    repaired = run(path, "doctor", "--repair")
    assert repaired.exit_code == 1 and "restore a backup" in repaired.stderr
    assert path.read_bytes() == before
