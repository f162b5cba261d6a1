"""Bytes that are not UTF-8 in an argument or on standard input: one line, exit 1, nothing changed.

Python keeps such bytes as lone surrogates (``\\udcff``), which no file can hold; they used to surface as a
traceback from the journal's encoder.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from readlist.app.imports import ImportPapers
from readlist.cli import main
from readlist.core.model import Paper
from readlist.storage.library import Library

BAD = "bad\udcff\udcfetext"


def run(db: Path, *args: str, stdin: bytes | None = None) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args], input=stdin)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "library.json"
    ImportPapers([Paper.create(title="A Paper", arxiv_id="2401.00001", note="kept")], "t").execute(Library(path))
    return path


@pytest.mark.parametrize(
    "args",
    [("note", "2401.00001", BAD), ("note", "2401.00001", "--append", BAD), ("tag", "2401.00001", BAD),
     ("key", "2401.00001", BAD)],
    ids=["note", "append", "tag", "key"],
)
def test_an_argument_that_is_not_utf8_changes_nothing(db: Path, args: tuple[str, ...]) -> None:
    before = db.read_bytes()
    result = run(db, *args)
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert len(result.stderr.strip().splitlines()) == 1
    paper = Library(db).papers["2401.00001"]
    assert (paper.note, paper.tags, paper.cite_key) == ("kept", [], None)
    assert db.read_bytes() == before


def test_standard_input_that_is_not_utf8_changes_nothing(db: Path) -> None:
    result = run(db, "note", "2401.00001", "-", stdin=b"good then \xff\xfe bad")
    assert result.exit_code == 1 and "not valid UTF-8" in result.stderr
    assert Library(db).papers["2401.00001"].note == "kept"


def test_a_view_name_that_is_not_utf8_leaves_the_config_alone(db: Path) -> None:
    result = run(db, "view", "add", BAD, "tag:x")
    assert result.exit_code == 1 and "not valid UTF-8" in result.stderr and "Traceback" not in result.output
    assert not Path(os.environ["READLIST_CONFIG"]).exists()
