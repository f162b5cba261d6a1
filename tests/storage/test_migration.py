"""A library written by the previous version (one line, counter document ids, schema 1) is converted on open.

``tests/fixtures/library-v1`` was written by readlist before the one-paper-per-line layout: its snapshot,
and a journal with changes made after it (one of them a note). ``expected.json`` is every record as that
version read them.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path
from typing import Any

import msgspec
from click.testing import CliRunner

from readlist.cli import main
from readlist.core.model import Paper
from readlist.storage.backups import list_backups
from readlist.storage.library import Library
from readlist.storage.paths import journal_path
from readlist.storage.recovery import restore_backup
from readlist.storage.snapshot import HEAD_BYTES, SCHEMA_VERSION, line_header, snapshot_header
from tests.conftest import FIXTURES

V1 = FIXTURES / "library-v1"


def old_library(tmp_path: Path) -> Path:
    for name in ("library.json", "library.json.journal"):
        shutil.copyfile(V1 / name, tmp_path / name)
    return tmp_path / "library.json"


def records(lib: Library) -> dict[str, dict[str, Any]]:
    bookkeeping = ("added_order", "changed")  # written by this version only
    return {pid: {k: v for k, v in p.to_dict().items() if k not in bookkeeping}
            for pid, p in sorted(lib.papers.items())}


def test_the_fixture_is_a_library_of_the_previous_version() -> None:
    raw = (V1 / "library.json").read_bytes()
    header = snapshot_header(raw)
    assert header is not None and header.schema == 1 and raw.count(b"\n") == 0
    assert list(json.loads(raw)["papers"])[:3] == ["1", "2", "3"]  # counter document ids
    assert (V1 / "library.json.journal").read_bytes().count(b"\n") == 5  # a header and four changes


def test_an_old_library_opens_converted_with_every_paper_and_note(tmp_path: Path) -> None:
    path = old_library(tmp_path)
    old_bytes, old_journal = path.read_bytes(), journal_path(path).read_bytes()
    lib = Library(path)
    expected = json.loads((V1 / "expected.json").read_bytes())
    assert records(lib) == expected
    notes = {pid: r["note"] for pid, r in expected.items() if r["note"]}
    assert len(notes) == 3 and "kept only in the journal" in "".join(notes.values())
    assert {pid: lib.papers[pid].note for pid in notes} == notes
    # One line saying so, naming where the old file is kept.
    notices = lib.take_notices()
    assert len(notices) == 1 and "converted to the one-paper-per-line format" in notices[0]
    backup = list_backups(path)[0]
    assert str(backup) in notices[0]
    assert (backup / "library.json").read_bytes() == old_bytes
    assert (backup / "library.json.journal").read_bytes() == old_journal
    # The file is the new layout now, the journal folded into it; reading it again gives the same papers.
    header = line_header(path.read_bytes()[:HEAD_BYTES])
    assert header is not None and header.schema == SCHEMA_VERSION
    assert not journal_path(path).exists()
    again = Library(path)
    assert records(again) == expected and again.take_notices() == []


def test_conversion_keeps_the_order_papers_were_added_in(tmp_path: Path) -> None:
    from readlist.app.views import FIXED_VIEWS, ListModel

    stamp = "2025-01-01T00:00:00+00:00"
    papers = [Paper(id=pid, title=f"Paper {pid}", added=stamp) for pid in ("c", "a", "d", "b")]  # one import
    table = {str(i): msgspec.to_builtins(p) for i, p in enumerate(papers, start=1)}
    path = tmp_path / "library.json"
    path.write_bytes(msgspec.json.encode({"_meta": {"1": {"format": "readlist", "schema": 1, "gen": 1}},
                                          "papers": table}))
    assert [p.id for p in ListModel(Library(path)).select(FIXED_VIEWS[5])] == ["c", "a", "d", "b"]
    assert [p.id for p in ListModel(Library(path)).select(FIXED_VIEWS[5])] == ["c", "a", "d", "b"]  # converted


def test_the_command_line_says_it_once(tmp_path: Path) -> None:
    path = old_library(tmp_path)
    first = CliRunner().invoke(main, ["--db", str(path), "list"])
    assert first.exit_code == 0
    assert first.stderr.count("converted to the one-paper-per-line format") == 1
    second = CliRunner().invoke(main, ["--db", str(path), "list"])
    assert second.exit_code == 0 and "converted" not in second.stderr


def test_a_read_only_old_library_is_read_and_left_as_it_is(tmp_path: Path) -> None:
    path = old_library(tmp_path)
    os.chmod(path, 0o400)
    before = path.read_bytes()
    lib = Library(path)
    assert records(lib) == json.loads((V1 / "expected.json").read_bytes())
    notices = lib.take_notices()
    assert len(notices) == 1 and "not converted" in notices[0] and "read-only" in notices[0]
    assert path.read_bytes() == before and stat.S_IMODE(path.stat().st_mode) == 0o400


def test_looking_at_or_restoring_an_old_backup_does_not_convert_the_backup(tmp_path: Path) -> None:
    path = old_library(tmp_path)
    Library(path)  # converted; the old file is now the newest backup
    backup = list_backups(path)[0]
    kept = (backup / "library.json").read_bytes()
    Library(backup / "library.json", tidy=False)
    restore_backup(path, backup)
    assert (backup / "library.json").read_bytes() == kept
    restored = Library(path)
    assert records(restored) == json.loads((V1 / "expected.json").read_bytes())
    header = line_header(path.read_bytes()[:HEAD_BYTES])
    assert header is not None and header.schema == SCHEMA_VERSION
