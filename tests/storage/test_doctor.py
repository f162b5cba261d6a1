"""``readlist doctor``: the health report, backups listing, restore and compaction."""

from __future__ import annotations

import json
import os
from pathlib import Path

import msgspec
import pytest
from click.testing import CliRunner, Result

from readlist.app.commands import Rate
from readlist.app.imports import ImportPapers
from readlist.app.notes import SaveNote
from readlist.cli import main
from readlist.core.model import Paper
from readlist.storage.backups import list_backups
from readlist.storage.library import Library
from readlist.storage.paths import journal_path


def doctor(path: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(path), "doctor", *args])


def make(path: Path) -> Library:
    lib = Library(path)
    papers = [Paper.from_dict({"title": f"Paper {n}", "arxiv_id": f"2401.{n:05d}"}) for n in range(6)]
    ImportPapers(papers, "t").execute(lib)
    lib.compact(force=True)
    return lib


def test_healthy_library(tmp_path: Path) -> None:
    path = tmp_path / "lib.json"
    make(path)
    SaveNote("2401.00001", "note").execute(Library(path))  # one backup, a live journal
    result = doctor(path)
    assert result.exit_code == 0, result.output
    assert "6 papers" in result.output and "healthy" in result.output
    assert "1 change(s) not yet folded in" in result.output
    data = json.loads(doctor(path, "--json").stdout)
    assert data["healthy"] is True and data["papers"] == 6 and data["problems"] == []
    assert data["journal"]["live"] is True and data["journal"]["entries"] == 1
    assert len(data["backups"]) == 1 and data["backups"][0]["papers"] == 6
    assert data["backups"][0]["taken"].endswith("+00:00")


def test_missing_library_is_not_a_problem(tmp_path: Path) -> None:
    result = doctor(tmp_path / "none.json")
    assert result.exit_code == 0 and "no library file yet" in result.output
    assert not (tmp_path / "none.json").exists()


def test_damaged_file_is_reported_with_the_backup_to_restore(tmp_path: Path) -> None:
    path = tmp_path / "lib.json"
    make(path)
    Rate(["2401.00001"], 4).execute(Library(path))
    path.write_bytes(b'{"_meta": ')
    before = path.read_bytes(), path.stat().st_mtime_ns
    result = doctor(path)
    assert result.exit_code == 1
    assert "not valid JSON" in result.output and "--restore" in result.output
    assert list_backups(path)[0].name in result.output
    assert json.loads(doctor(path, "--json").stdout)["healthy"] is False
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_invalid_records_and_duplicate_ids_are_problems(tmp_path: Path) -> None:
    path = tmp_path / "lib.json"
    make(path)
    data = msgspec.json.decode(path.read_bytes())
    table = data["papers"]
    first, second = list(table)[:2]
    table[first]["rating"] = 17
    table["99"] = dict(table[second])
    path.write_bytes(msgspec.json.encode(data))
    result = doctor(path, "--json")
    assert result.exit_code == 1
    problems = " ".join(json.loads(result.stdout)["problems"])
    assert "do not validate" in problems and "rating" in problems
    assert "more than once" in problems and second in problems


def test_a_field_this_version_does_not_know_is_a_warning_and_the_backup_keeps_it(tmp_path: Path) -> None:
    """A hand edit or another tool added a field: the library opens, but the next rewrite drops it. doctor said
    "healthy" and nothing more; it now names the field and the papers, and a backup made before the change holds
    the field."""
    path = tmp_path / "lib.json"
    make(path)
    data = msgspec.json.decode(path.read_bytes())
    for key in list(data["papers"])[:4]:
        data["papers"][key]["reading_progress"] = {"page": 12}
    path.write_bytes(msgspec.json.encode(data))
    report = json.loads(doctor(path, "--json").stdout)
    assert report["healthy"] is True
    (warning,) = [w for w in report["warnings"] if "does not know" in w]
    assert warning.startswith("4 papers (2401.00000, 2401.00001, 2401.00002 and 1 more) hold a field")
    assert "'reading_progress'" in warning and "the next change rewrites the library without it" in warning
    Rate(["2401.00005"], 3).execute(Library(path))
    Library(path).compact(force=True)
    assert b"reading_progress" not in path.read_bytes()
    assert any(b"reading_progress" in (backup / path.name).read_bytes() for backup in list_backups(path))


def test_two_lines_under_one_id_and_a_record_under_another_id_are_problems(tmp_path: Path) -> None:
    path = tmp_path / "lib.json"
    make(path)
    lines = path.read_bytes().split(b"\n")
    lines.insert(2, lines[1])  # the first paper's line twice: JSON alone would keep only one of them
    path.write_bytes(b"\n".join(lines))
    problems = " ".join(json.loads(doctor(path, "--json").stdout)["problems"])
    assert "appear more than once" in problems
    path = tmp_path / "other.json"
    make(path)
    path.write_bytes(path.read_bytes().replace(b'"2401.00003":{', b'"2401.00009":{', 1))
    result = doctor(path, "--json")
    assert result.exit_code == 1
    assert "filed under another id ('2401.00009')" in " ".join(json.loads(result.stdout)["problems"])


def test_a_field_this_version_does_not_know_in_the_file_as_readlist_writes_it(tmp_path: Path) -> None:
    """The file readlist writes (one paper a line) is checked a line at a time: its unknown fields are found so too,
    however many a record holds, and a record that also fails to validate is still a problem."""
    path = tmp_path / "lib.json"
    make(path)
    raw = path.read_bytes()
    raw = raw.replace(b'"2401.00001":{', b'"2401.00001":{"reading_progress":{"page":12},"shelf":"b",', 1)
    raw = raw.replace(b'"2401.00004":{', b'"2401.00004":{"shelf":"a",', 1)
    path.write_bytes(raw)
    report = json.loads(doctor(path, "--json").stdout)
    assert report["healthy"] is True and report["papers"] == 6
    warnings = sorted(w for w in report["warnings"] if "does not know" in w)
    assert len(warnings) == 2
    assert warnings[0].startswith("1 paper (2401.00001) holds a field") and "'reading_progress'" in warnings[0]
    assert warnings[1].startswith("2 papers (2401.00001, 2401.00004) hold a field") and "'shelf'" in warnings[1]
    path.write_bytes(raw.replace(b'"shelf":"a",', b'"shelf":"a","rating":17,', 1))
    report = json.loads(doctor(path, "--json").stdout)
    assert report["healthy"] is False
    assert any("do not validate" in p and "2401.00004" in p and "rating" in p for p in report["problems"])
    assert any("'shelf'" in w for w in report["warnings"])


def test_backups_sharing_the_library_file_are_read_once_and_counted_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Backups made between two compactions link the library's own file, each with its own journal. doctor read
    that file twice per backup (at 100,000 papers, 35 s and 1.2 GB for five backups); it now reads each file
    once, and each backup still counts the papers its own journal leaves."""
    import readlist.storage.backups
    import readlist.storage.snapshot

    monkeypatch.setattr(readlist.storage.backups, "LINK_BACKUPS_FROM", 0)
    path = tmp_path / "lib.json"
    make(path)
    new = [Paper.from_dict({"title": f"Later {n}", "arxiv_id": f"2402.{n:05d}"}) for n in range(3)]
    for paper in new:  # a session each: a backup each, of the same file with a longer journal every time
        ImportPapers([paper], "t").execute(Library(path))
    Rate(["2401.00001"], 4).execute(Library(path))
    backups = list_backups(path)
    assert len(backups) == 4
    files = {(b / path.name).stat().st_ino for b in backups} | {path.stat().st_ino}
    assert len(files) == 1  # all one file
    expected = [len(Library(b / path.name, tidy=False)) for b in backups]
    assert expected == [9, 8, 7, 6]

    reads: list[str] = []
    real = readlist.storage.snapshot._read_file

    def counted(handle: object, where: Path) -> object:
        reads.append(str(where))
        return real(handle, where)  # type: ignore[arg-type]

    monkeypatch.setattr(readlist.storage.snapshot, "_read_file", counted)
    report = json.loads(doctor(path, "--json").stdout)
    assert report["healthy"] is True and report["papers"] == 9
    assert [b["papers"] for b in report["backups"]] == expected
    assert len(reads) == 1, reads


def test_journal_damage_torn_tail_and_stale_temp_files(tmp_path: Path) -> None:
    path = tmp_path / "lib.json"
    make(path)
    lib = Library(path)
    Rate(["2401.00001"], 1).execute(lib)
    Rate(["2401.00002"], 2).execute(lib)
    with journal_path(path).open("ab") as handle:
        handle.write(b'{"ops": [')
    temp = tmp_path / ".lib.json.abc123.tmp"
    temp.write_bytes(b"partial")
    os.utime(temp, (1, 1))
    result = doctor(path, "--json")
    data = json.loads(result.stdout)
    assert result.exit_code == 0, data  # a torn tail and a temp file are leftovers, not damage
    assert data["journal"]["torn_bytes"] == 9
    warnings = " ".join(data["warnings"])
    assert "cut off by a crash" in warnings and str(temp) in warnings
    lines = journal_path(path).read_bytes().split(b"\n")
    lines[1] = b"{not json"
    journal_path(path).write_bytes(b"\n".join(lines))
    result = doctor(path, "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["journal"]["bad_lines"] == 1


def test_compact_folds_journal_and_removes_stale_temp_files(tmp_path: Path) -> None:
    path = tmp_path / "lib.json"
    make(path)
    SaveNote("2401.00003", "kept").execute(Library(path))
    temp = tmp_path / ".lib.json.zz.tmp"
    temp.write_bytes(b"x")
    os.utime(temp, (1, 1))
    result = doctor(path, "--compact")
    assert result.exit_code == 0, result.output
    assert not journal_path(path).exists() and not temp.exists()
    assert msgspec.json.decode(path.read_bytes())["papers"]
    assert Library(path).papers["2401.00003"].note == "kept"


def test_list_backups(tmp_path: Path) -> None:
    path = tmp_path / "lib.json"
    assert "no backups" in doctor(path, "--list-backups").output
    make(path)
    Rate(["2401.00001"], 1).execute(Library(path))
    ImportPapers([Paper.from_dict({"title": "Seventh", "arxiv_id": "2401.00077"})], "t").execute(Library(path))
    Rate(["2401.00001"], 2).execute(Library(path))
    result = doctor(path, "--list-backups")
    assert result.exit_code == 0
    names = [b.name for b in list_backups(path)]
    assert len(names) == 3 and all(name in result.output for name in names)
    data = json.loads(doctor(path, "--list-backups", "--json").stdout)
    assert [b["papers"] for b in data] == [7, 6, 6]


def test_restore_newest_and_named_backup(tmp_path: Path) -> None:
    path = tmp_path / "lib.json"
    make(path)
    SaveNote("2401.00001", "first version").execute(Library(path))
    SaveNote("2401.00001", "second version").execute(Library(path))
    oldest, newest = list_backups(path)[-1], list_backups(path)[0]
    path.write_bytes(b"")  # the disaster
    result = doctor(path, "--restore")
    assert result.exit_code == 0, result.output
    assert newest.name in result.output
    assert Library(path).papers["2401.00001"].note == "first version"
    kept = list_backups(path)[0]
    assert kept not in (oldest, newest) and (kept / path.name).read_bytes() == b""  # the damaged file, kept
    result = doctor(path, "--restore", oldest.name)
    assert result.exit_code == 0, result.output
    assert Library(path).papers["2401.00001"].note == ""
    assert doctor(path).exit_code == 0 or "cannot be restored" in doctor(path).output


def test_restore_refuses_the_library_itself_as_a_backup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A backup may be named by its path; the library's own folder (`.` where it lives) or file is not one. It was
    "restored from backup ." onto itself, exit status 0, with one more backup kept."""
    path = tmp_path / "lib.json"
    make(path)
    Rate(["2401.00001"], 3).execute(Library(path))
    before, backups = path.read_bytes(), list_backups(path)
    monkeypatch.chdir(tmp_path)
    for given in (".", str(tmp_path), str(path), "lib.json"):
        result = doctor(path, "--restore", given)
        assert result.exit_code == 1, (given, result.output)
        assert result.stderr == (f"readlist: {given!r} is the library itself (or its folder), not a backup: nothing "
                                 "was restored; `readlist doctor --list-backups` lists the backups\n"), result.stderr
    assert path.read_bytes() == before and list_backups(path) == backups


def test_restore_refuses_unknown_backup_and_missing_backups(tmp_path: Path) -> None:
    path = tmp_path / "lib.json"
    make(path)
    result = doctor(path, "--restore")
    assert result.exit_code == 1 and "no good backup" in result.stderr
    Rate(["2401.00001"], 3).execute(Library(path))
    result = doctor(path, "--restore", "nope")
    assert result.exit_code == 1 and "no backup named" in result.stderr
    assert Library(path).papers["2401.00001"].rating == 3
    # An empty name (an unset shell variable) is not "the newest": refused, nothing restored.
    result = doctor(path, "--restore", "")
    assert result.exit_code == 1 and "empty backup name" in result.stderr
    assert Library(path).papers["2401.00001"].rating == 3
