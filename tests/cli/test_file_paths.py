"""Where files go: ``export -o`` and ``--db`` given a link, a pipe, a device, a folder or the library's own files.

A library is replaced by rename on every change and an export is written the same way, so a path that is not
a plain file needs care: renaming onto a symbolic link leaves the file it points to behind, renaming onto
``/dev/null`` or a FIFO puts an ordinary file in its place, and an export written over the library replaces it.
"""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from readlist.app.commands import Rate
from readlist.app.imports import ImportPapers
from readlist.cli import main
from readlist.core.model import Paper
from readlist.storage.library import Library
from readlist.storage.paths import backup_dir, journal_path

REPO = Path(__file__).resolve().parents[2]
ONE = "2401.00001"


def run(db: Path | str, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args])


def library(folder: Path) -> Path:
    path = folder / "library.json"
    lib = Library(path)
    ImportPapers([Paper.create(title="One Paper", arxiv_id=ONE, authors=["Ada Lovelace"], published="2024-01"),
                  Paper.create(title="Two Papers", arxiv_id="2401.00002", published="2024-01")], "test").execute(lib)
    lib.compact(force=True)
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("name", ["library.json", "library.json.journal", "library.json.lock",
                                  "library.json.backups/x.bib", "./library.json"])
def test_export_refuses_the_librarys_own_files(tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    db = library(tmp_path)
    Rate([ONE], 4).execute(Library(db))  # a journal and a backup exist
    before = {p: digest(p) for p in tmp_path.rglob("*") if p.is_file()}
    monkeypatch.chdir(tmp_path)
    result = run(db, "export", "--format", "csl-json", "-o", name)
    assert result.exit_code == 1
    assert "nothing was written. Export to another file" in result.output
    assert {p: digest(p) for p in tmp_path.rglob("*") if p.is_file()} == before
    assert Library(db).papers[ONE].rating == 4


def test_export_through_a_link_writes_the_file_it_points_to(tmp_path: Path) -> None:
    db = library(tmp_path)
    target = tmp_path / "refs.bib"
    target.write_text("old\n")
    link = tmp_path / "link.bib"
    link.symlink_to(target)
    assert run(db, "export", "-o", str(link)).exit_code == 0
    assert link.is_symlink()
    assert "One Paper" in target.read_text()


def test_export_into_a_pipe_keeps_the_pipe(tmp_path: Path) -> None:
    db = library(tmp_path)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = run(db, "export", "-o", str(fifo))
    assert result.exit_code == 0, result.output
    assert fifo.is_fifo()
    reader.join(10)
    assert received and b"One Paper" in received[0]


def test_export_to_a_device_and_to_standard_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = library(tmp_path)
    monkeypatch.chdir(tmp_path)
    # A device node of our own, the same as /dev/null, where the system lets us make one: a regression must not
    # replace the machine's /dev/null.
    null = tmp_path / "null"
    try:
        os.mknod(null, 0o600 | stat.S_IFCHR, os.makedev(1, 3))
    except OSError:
        null = None
    if null is not None:
        assert run(db, "export", "-o", str(null)).exit_code == 0
        assert null.is_char_device()
    result = run(db, "export", "-o", "-")
    assert result.exit_code == 0 and "title = {One Paper}" in result.output
    assert not (Path.cwd() / "-").exists()


def test_export_into_a_missing_folder_is_refused_and_makes_no_folder(tmp_path: Path) -> None:
    db = library(tmp_path)
    result = run(db, "export", "-o", str(tmp_path / "nope" / "refs.bib"))
    assert result.exit_code == 1
    assert "does not exist" in result.output
    assert not (tmp_path / "nope").exists()


def test_a_library_given_as_a_link_is_changed_where_it_lives(tmp_path: Path) -> None:
    real = tmp_path / "synced"
    real.mkdir()
    db = library(real)
    link = tmp_path / "library.json"
    link.symlink_to(db)
    assert run(link, "rate", ONE, "5").exit_code == 0
    assert run(link, "rate", "2401.00002", "3").exit_code == 0
    assert link.is_symlink()
    fresh = Library(db)
    assert fresh.papers[ONE].rating == 5 and fresh.papers["2401.00002"].rating == 3
    assert journal_path(db).exists() or backup_dir(db).exists()  # its files sit beside the real one
    assert not journal_path(link).exists() and not backup_dir(link).exists()


@pytest.mark.parametrize("given", ["", ".", "/", "folder"])
def test_a_folder_as_the_library_is_one_line(tmp_path: Path, given: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "folder").mkdir()
    result = run(given, "list")
    assert result.exit_code == 1
    assert "is a folder, not a library file: nothing was read or changed" in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize("verb", ["list", "doctor"])
def test_a_pipe_as_the_library_is_refused_at_once(tmp_path: Path, verb: str) -> None:
    """A FIFO in the library's place used to wait forever for a writer (`doctor` too, reading the file for its
    records after opening it had refused it)."""
    fifo = tmp_path / "library.json"
    os.mkfifo(fifo)
    result = subprocess.run([sys.executable, "-m", "readlist", "--db", str(fifo), verb], capture_output=True,
                            text=True, cwd=REPO, timeout=60, check=False)
    assert result.returncode == 1
    assert "is a named pipe, not a library file" in result.stderr + result.stdout
    assert fifo.is_fifo()


def test_restore_and_repair_refuse_a_read_only_library(tmp_path: Path) -> None:
    db = library(tmp_path)
    Rate([ONE], 4).execute(Library(db))
    db.chmod(0o444)
    before = digest(db)
    for args in (("doctor", "--restore"), ("doctor", "--repair")):
        result = run(db, *args)
        assert result.exit_code == 1, args
        assert "the library file is read-only" in result.output
    assert digest(db) == before and (db.stat().st_mode & 0o777) == 0o444


@pytest.mark.parametrize("kind", ["folder", "link to itself"])
def test_a_lock_that_is_not_a_file_says_what_to_do(tmp_path: Path, kind: str) -> None:
    db = library(tmp_path)
    lock = tmp_path / "library.json.lock"
    lock.unlink(missing_ok=True)
    if kind == "folder":
        lock.mkdir()
    else:
        lock.symlink_to(lock.name)
    result = run(db, "rate", ONE, "3")
    assert result.exit_code == 1
    assert "nothing was changed; library.json.lock should be a plain file: move it away" in result.output
    assert Library(db).papers[ONE].rating == 0


def test_a_library_folder_that_cannot_be_made_is_one_line(tmp_path: Path) -> None:
    """The folders of a new library are made when it is first written; one that cannot be (a name too long for
    the file system here; a read-only or immutable parent alike) ended the import with a traceback."""
    db = tmp_path / "new" / ("a" * 300) / "library.json"
    seed = REPO / "tests" / "fixtures" / "seeds"
    result = run(db, "import", str(sorted(seed.glob("*.txt"))[0]))
    assert result.exit_code == 1 and "Traceback" not in result.output
    (line,) = result.stderr.splitlines()
    assert f"cannot create the library's folder {db.parent}" in line and "File name too long" in line
    assert "nothing was changed" in line and "--db" in line
