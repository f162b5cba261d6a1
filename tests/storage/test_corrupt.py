"""Damaged libraries: one clear line naming the file and the newest good backup, exit 1, nothing touched."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import msgspec
import pytest
from click.testing import CliRunner

from readlist.app.commands import Rate
from readlist.app.imports import ImportPapers
from readlist.app.notes import SaveNote
from readlist.cli import main
from readlist.core.model import Paper
from readlist.storage.backups import list_backups
from readlist.storage.errors import LibraryError
from readlist.storage.library import Library
from readlist.storage.paths import backup_dir, journal_path
from tests.conftest import SEEDS

REPO = Path(__file__).resolve().parents[2]


def _library(path: Path, with_backup: bool) -> None:
    lib = Library(path)
    papers = [Paper.from_dict({"title": f"Paper {n}", "arxiv_id": f"2401.{n:05d}"}) for n in range(4)]
    ImportPapers(papers, "t").execute(lib)
    lib.compact(force=True)
    if with_backup:
        later = Library(path)
        SaveNote("2401.00001", "a note").execute(later)
        later.compact(force=True)


def truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def zero_length(path: Path) -> None:
    path.write_bytes(b"")


def not_json(path: Path) -> None:
    path.write_text("this is a shopping list, not a library\n")


def binary_garbage(path: Path) -> None:
    path.write_bytes(random.Random(7).randbytes(4096))


def wrong_schema(path: Path) -> None:
    path.write_bytes(msgspec.json.encode({"_default": {"1": {"title": "a plain TinyDB file"}}}))


def json_list(path: Path) -> None:
    path.write_bytes(b"[1, 2, 3]")


def newer_version(path: Path) -> None:
    data = msgspec.json.decode(path.read_bytes())
    data["_meta"]["1"]["schema"] = 99
    path.write_bytes(msgspec.json.encode(data))


def nested_too_deep(path: Path) -> None:
    """Valid JSON in a paper's record, nested deeper than a decoder recurses (it raised RecursionError)."""
    data = path.read_bytes()
    at = data.index(b'"title":')
    path.write_bytes(data[:at] + b'"extra":' + b"[" * 100_000 + b"]" * 100_000 + b"," + data[at:])


def header_nested_too_deep(path: Path) -> None:
    path.write_bytes(b'{"_meta":' + b"[" * 100_000 + b"]" * 100_000 + b"}")


def directory(path: Path) -> None:
    path.unlink()
    path.mkdir()
    (path / "something").write_text("x")


DAMAGE: dict[str, Callable[[Path], None]] = {
    "truncated": truncated,
    "zero-length": zero_length,
    "not-json": not_json,
    "binary": binary_garbage,
    "wrong-schema": wrong_schema,
    "json-list": json_list,
    "newer-version": newer_version,
    "directory": directory,
    "nested-too-deep": nested_too_deep,
    "header-nested-too-deep": header_nested_too_deep,
}
EXPECTED = {
    "truncated": "not valid JSON",
    "zero-length": "empty",
    "not-json": "not valid JSON",
    "binary": "not valid JSON",
    "wrong-schema": "not a readlist library",
    "json-list": "not a readlist library",
    "newer-version": "newer readlist",
    "directory": "is a folder, not a library file",
    "nested-too-deep": "nested too deeply",
    "header-nested-too-deep": "nested too deeply",
}


def fingerprint(path: Path) -> tuple[bytes, int, list[str]]:
    """Content, mtime and the set of files beside it (nothing may be created either)."""
    if path.is_dir():
        content = b"".join(sorted(p.read_bytes() for p in path.iterdir()))
    else:
        content = path.read_bytes()
    siblings = sorted(p.name for p in path.parent.iterdir())
    return content, path.stat().st_mtime_ns, siblings


CLI_CALLS = [
    ["list"],
    ["list", "--json"],
    ["show", "2401.00001"],
    ["mark", "2401.00001", "read"],
    ["rate", "2401", "4"],
    ["tag", "2401.00001", "+x"],
    ["note", "2401.00001", "new note"],
    ["note", "2401.00001", "--append", "more"],
    ["stats"],
    ["import", str(SEEDS[0])],
]


@pytest.mark.parametrize("with_backup", [True, False], ids=["backup", "no-backup"])
@pytest.mark.parametrize("kind", list(DAMAGE))
def test_damaged_library_gives_one_line_and_is_left_untouched(tmp_path: Path, kind: str, with_backup: bool) -> None:
    path = tmp_path / "library.json"
    _library(path, with_backup)
    good = list_backups(path)[0] / path.name if with_backup else None
    DAMAGE[kind](path)
    before = fingerprint(path)

    with pytest.raises(LibraryError) as info:
        Library(path)
    message = str(info.value)
    assert str(path) in message and EXPECTED[kind] in message and "\n" not in message
    if good is not None:
        assert str(good) in message
    else:
        # A folder is not a damaged library: the path is wrong, there is nothing to fix or move.
        assert "no good backup" in message or kind in ("newer-version", "directory")

    for args in CLI_CALLS:
        result = CliRunner().invoke(main, ["--db", str(path), *args])
        assert result.exit_code == 1, (args, result.output)
        assert result.stdout == "", args
        err = result.stderr.strip()
        assert "\n" not in err and "Traceback" not in err, (args, err)
        assert str(path) in err and EXPECTED[kind] in err, (args, err)
        if good is not None:
            assert str(good) in err
        assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    assert fingerprint(path) == before
    assert not journal_path(path).exists()


def test_damaged_backup_is_not_offered_as_the_good_one(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    _library(path, with_backup=True)
    good = list_backups(path)[0]
    Rate(["2401.00002"], 3).execute(Library(path))  # another backup, newer than ``good``
    newest = list_backups(path)[0]
    (newest / path.name).write_bytes(b"")
    truncated(path)
    result = CliRunner().invoke(main, ["--db", str(path), "list"])
    assert result.exit_code == 1
    assert str(good / path.name) in result.stderr and str(newest) not in result.stderr


def _without_root_powers() -> list[str]:
    """root reads files whatever their mode; drop that power so permissions apply as for a user."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: cannot make a file unreadable")
    caps = "-dac_override,-dac_read_search"
    return [setpriv, "--bounding-set", caps, "--inh-caps", caps]


def test_unreadable_library(tmp_path: Path) -> None:
    """Permission denied: the CLI and the API say so in one line, naming the backup; nothing changes."""
    path = tmp_path / "library.json"
    _library(path, with_backup=True)
    good = list_backups(path)[0] / path.name
    os.chmod(path, 0)
    before = fingerprint(path)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    prefix = _without_root_powers()
    cli = subprocess.run(
        [*prefix, sys.executable, "-m", "readlist", "--db", str(path), "list"],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )
    assert cli.returncode == 1, cli.stderr
    err = cli.stderr.strip()
    assert cli.stdout == "" and "\n" not in err and "Traceback" not in err, err
    assert str(path) in err and "Permission denied" in err and str(good) in err
    api = subprocess.run(
        [*prefix, sys.executable, "-c",
         "import sys; from readlist.storage.library import Library; from readlist.storage.errors import LibraryError\n"
         "try:\n    Library(sys.argv[1])\nexcept LibraryError as e:\n    print(e)\n", str(path)],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )
    assert api.returncode == 0 and "Permission denied" in api.stdout and str(good) in api.stdout, api.stderr
    assert fingerprint(path) == before


def test_disk_errors_while_saving_are_one_clean_line(tmp_path: Path) -> None:
    """An OS error during a save (here: the journal's name taken by a directory) is reported, not a traceback."""
    path = tmp_path / "library.json"
    _library(path, with_backup=False)
    journal_path(path).mkdir()
    result = CliRunner().invoke(main, ["--db", str(path), "rate", "2401.00001", "3"])
    assert result.exit_code == 1
    err = result.stderr.strip()
    assert "could not be saved" in err and "\n" not in err and "Traceback" not in err
    assert Library(path).papers["2401.00001"].rating == 0


def test_backup_dir_is_not_created_for_a_read_only_session(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    _library(path, with_backup=False)
    for args in (["list"], ["show", "2401.00001"], ["stats"], ["note", "2401.00001"]):
        assert CliRunner().invoke(main, ["--db", str(path), *args]).exit_code == 0
    assert not backup_dir(path).exists()


def test_read_only_directory_gives_one_line_not_a_traceback(tmp_path: Path) -> None:
    """A library in a directory this user may not write: reading works, a change is refused cleanly."""
    path = tmp_path / "ro" / "library.json"
    path.parent.mkdir()
    _library(path, with_backup=False)
    os.unlink(path.with_name("library.json.lock"))
    os.chmod(path.parent, 0o500)
    try:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        prefix = _without_root_powers()
        listed = subprocess.run([*prefix, sys.executable, "-m", "readlist", "--db", str(path), "list"],
                                capture_output=True, text=True, env=env, timeout=60, check=False)
        assert listed.returncode == 0, listed.stderr
        rated = subprocess.run([*prefix, sys.executable, "-m", "readlist", "--db", str(path), "rate", "2401.00001",
                                "3"], capture_output=True, text=True, env=env, timeout=60, check=False)
        err = rated.stderr.strip()
        assert rated.returncode == 1 and "\n" not in err and "Traceback" not in err, err
        assert "Permission denied" in err and str(path) in err
    finally:
        os.chmod(path.parent, 0o700)
    assert Library(path).papers["2401.00001"].rating == 0


def test_a_damaged_journal_line_is_reported_and_the_journal_kept_when_folded_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The damaged line may have held a change: say so at once, and never delete what is left of it."""
    import readlist.storage.library as library_module

    monkeypatch.setattr(library_module, "SMALL_SNAPSHOT", 0)  # changes stay in the journal
    db = tmp_path / "library.json"
    lib = Library(db)
    ImportPapers([Paper.create(title=f"Paper {n}", arxiv_id=f"2401.{n:05d}") for n in range(3)], "t").execute(lib)
    lib.compact(force=True)
    for n in range(3):
        Rate([f"2401.{n:05d}"], n + 2).execute(lib)
    journal = journal_path(db)
    lines = journal.read_bytes().splitlines(keepends=True)
    assert len(lines) == 4  # the header and three changes
    lines[2] = b"{garbage\n"
    journal.write_bytes(b"".join(lines))

    listed = CliRunner().invoke(main, ["--db", str(db), "list"])
    assert listed.exit_code == 0
    assert "1 damaged line(s) could not be read and were skipped" in listed.stderr
    folded = CliRunner().invoke(main, ["--db", str(db), "doctor", "--compact"])
    assert folded.exit_code == 0, folded.output
    kept = list(tmp_path.glob("library.json.journal.damaged-*"))
    assert len(kept) == 1 and b"{garbage" in kept[0].read_bytes()
    assert str(kept[0]) in folded.stderr + folded.stdout
    ratings = {pid: p.rating for pid, p in Library(db).papers.items()}
    assert ratings == {"2401.00000": 2, "2401.00001": 0, "2401.00002": 4}  # the readable changes are in
    doctor = CliRunner().invoke(main, ["--db", str(db), "doctor"])
    assert doctor.exit_code != 0 and "journal with damaged lines" in doctor.output
    assert "--restore" not in doctor.output  # the library is fine; a backup cannot bring the damaged line back


def test_a_library_saved_with_a_byte_order_mark_says_so(tmp_path: Path) -> None:
    db = tmp_path / "library.json"
    lib = Library(db)
    ImportPapers([Paper.create(title="A Paper", arxiv_id="2401.00001")], "t").execute(lib)
    lib.compact(force=True)
    marked = b"\xef\xbb\xbf" + db.read_bytes()
    db.write_bytes(marked)
    result = CliRunner().invoke(main, ["--db", str(db), "list"])
    assert result.exit_code == 1
    assert "starts with a byte-order mark" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert db.read_bytes() == marked  # left as it was


@pytest.mark.parametrize("args", [["list"], ["doctor"]])
def test_a_huge_file_that_is_not_json_is_refused_from_its_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    """Gigabytes of zeros (a disk image, a file truncated to a size) were read whole, with no line end to stop
    at, before being refused: 6 GB of memory for a 3 GB file. The first bytes already say it is no JSON."""
    import readlist.storage.snapshot as snapshot

    path = tmp_path / "library.json"
    with path.open("wb") as handle:
        handle.truncate(64 * 1024 * 1024)  # sparse: no disk space taken
    read: list[int] = []
    real_whole, real_bytes = snapshot._parse_whole, Path.read_bytes

    def whole(raw: bytes) -> object:
        read.append(len(raw))
        return real_whole(raw)

    def read_bytes(self: Path) -> bytes:
        if self == path:
            read.append(self.stat().st_size)
        return real_bytes(self)

    monkeypatch.setattr(snapshot, "_parse_whole", whole)
    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    result = CliRunner().invoke(main, ["--db", str(path), *args])
    assert result.exit_code == 1
    assert "not valid JSON (JSON is malformed: invalid character (byte 0))" in result.output
    assert read and max(read) <= 1024 * 1024, read
