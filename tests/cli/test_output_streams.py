"""Standard output that goes nowhere: a pipe whose reader stopped (``| head``), or one closed (``>&-``); and
what goes there at all: data only, a message that there is nothing to show on stderr."""

from __future__ import annotations

import fcntl
import os
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest
from click.testing import CliRunner

from readlist.cli import main
from readlist.storage.library import Library

REPO = Path(__file__).resolve().parents[2]


def readlist_into_closed_pipe(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run readlist with standard output a pipe nobody reads any more, as ``readlist … | head -1`` leaves it."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run([sys.executable, "-m", "readlist", "--db", str(db), *args], stdout=write_end,
                              stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(REPO)},
                              timeout=120, check=False)
    finally:
        os.close(write_end)


def first_id(db: Path) -> str:
    return min(Library(db).papers)


@pytest.mark.parametrize("args", [["list"], ["show", "ID"], ["stats"], ["list", "--json"]])
def test_a_reader_that_stops_reading_ends_a_listing_quietly_with_status_0(seed_library: Path, args: list[str]) -> None:
    """Lines for people end like JSON does: status 0 and nothing on stderr, so `set -o pipefail` scripts work."""
    done = readlist_into_closed_pipe(seed_library, *(first_id(seed_library) if a == "ID" else a for a in args))
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


def test_a_change_whose_report_meets_a_closed_pipe_exits_0(seed_library: Path) -> None:
    paper_id = first_id(seed_library)
    done = readlist_into_closed_pipe(seed_library, "rate", paper_id, "4")
    assert done.returncode == 0, done.stderr
    assert Library(seed_library).papers[paper_id].rating == 4


def readlist_without_stdout(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run readlist started with standard output closed, as ``readlist … >&-`` starts it."""
    return subprocess.run(["sh", "-c", 'exec "$0" "$@" >&-', sys.executable, "-m", "readlist", "--db", str(db), *args],
                          stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=120,
                          check=False)


@pytest.mark.parametrize("args", [["list", "--json"], ["show", "ID", "--json"], ["stats", "--json"], ["list"],
                                  ["cite", "ID"], ["export", "-f", "json"]])
def test_output_with_nowhere_to_go_is_one_line_and_status_1(seed_library: Path, args: list[str]) -> None:
    done = readlist_without_stdout(seed_library, *(first_id(seed_library) if a == "ID" else a for a in args))
    assert done.returncode == 1
    assert done.stderr == "readlist: could not write the output: standard output is closed\n"


@pytest.mark.parametrize("json", [[], ["--json"]])
def test_a_change_made_without_stdout_is_saved_and_exits_0(seed_library: Path, json: list[str]) -> None:
    """Exit status 0 means the change is durable: it is, though its report had nowhere to go."""
    paper_id = first_id(seed_library)
    done = readlist_without_stdout(seed_library, "rate", paper_id, "4", *json)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "the change was saved" in done.stderr
    assert Library(seed_library).papers[paper_id].rating == 4


def readlist_on_a_terminal(db: Path, *args: str, columns: int = 60) -> str:
    """What readlist prints with standard output a terminal ``columns`` wide (a pseudo-terminal)."""
    try:
        master, slave = os.openpty()
    except OSError as exc:  # a sandbox without pseudo-terminals
        pytest.skip(f"no pseudo-terminal: {exc}")
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1", "TERM": "xterm"}
    env.pop("COLUMNS", None)
    try:
        proc = subprocess.Popen([sys.executable, "-m", "readlist", "--db", str(db), *args], stdout=slave,
                                stderr=subprocess.PIPE, env=env)
        os.close(slave)
        chunks = []
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the other end closed: everything was read
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert proc.wait(timeout=120) == 0
    finally:
        os.close(master)
    # Styles (bold, dim) are not text: what is left is what a person reads.
    return re.sub(r"\x1b\[[0-9;]*m", "", b"".join(chunks).decode().replace("\r\n", "\n"))


def test_show_wraps_between_words_on_a_terminal_and_keeps_lines_whole_in_a_pipe(seed_library: Path) -> None:
    paper = next(p for p in Library(seed_library).papers.values()
                 if len(p.abstract) > 600 and not any(c in p.abstract for c in "$\\-{}") and not p.note)
    shown = readlist_on_a_terminal(seed_library, "show", paper.id, columns=60)
    assert max(len(line) for line in shown.splitlines()) <= 60
    abstract = shown.split("\n\n", 1)[1]
    assert len(abstract.splitlines()) > 10
    assert abstract.split() == paper.abstract.split()  # every word whole: lines broken between words only
    piped = subprocess.run([sys.executable, "-m", "readlist", "--db", str(seed_library), "show", paper.id],
                           capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO),
                                                                "COLUMNS": "60"}, timeout=120, check=True)
    assert paper.abstract.replace("\n", " ")[:500] in piped.stdout.replace("\n", " ")
    assert max(len(line) for line in piped.stdout.splitlines()) > 60  # a paragraph is one line for a script


def nothing_to_show(db: Path, *args: str) -> tuple[str, str]:
    """(stdout, stderr) of a verb that finds nothing to show; it must still succeed."""
    result = CliRunner().invoke(main, ["--db", str(db), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout, result.stderr


def test_a_verb_with_nothing_to_show_says_so_on_stderr_and_prints_no_data(tmp_path: Path) -> None:
    """`list | wc -l` counted "no papers match" as a paper, and `note ID > note.md` wrote "ID has no note" as the
    note: the sentence goes to stderr (as export's "the export is empty" does), standard output stays empty, and
    --json still prints its empty document."""
    db = tmp_path / "l.json"
    # No file there yet (a mistyped --db reads as an empty library): said so, and nothing is created.
    assert nothing_to_show(db, "list") == (
        "", f"no library at {db} yet; `readlist import FILE` starts one there (or check --db / READLIST_DB)\n")
    assert not db.exists()
    empty = tmp_path / "empty.json"
    Library(empty).compact(force=True)  # a library file with no papers in it
    assert nothing_to_show(empty, "list") == ("", f"{empty} is empty; add papers with `readlist import FILE`\n")
    bib = tmp_path / "a.bib"
    bib.write_text("@article{a,title={Zebra quokka},author={A B},year=2020}\n")
    assert CliRunner().invoke(main, ["--db", str(db), "import", str(bib)]).exit_code == 0
    only = min(Library(db).papers)
    assert nothing_to_show(db, "list", "--query", "tag:zzz") == ("", "no papers match\n")
    assert nothing_to_show(db, "list", "--query", "tag:zzz", "--json") == ("[]\n", "")
    assert nothing_to_show(db, "note", only) == ("", f"{only} has no note\n")
    out, err = nothing_to_show(db, "related", only)  # one paper: nothing else to be like it
    assert out == "" and err.startswith("no related papers")
    assert nothing_to_show(db, "related", only, "--json") == ("[]\n", "")
    out, err = nothing_to_show(db, "view")
    assert out == "" and err.startswith("no saved views yet")
    assert nothing_to_show(db, "view", "--json") == ("[]\n", "")
    out, err = nothing_to_show(db, "doctor", "--list-backups")
    assert out == "" and err.startswith("no backups of")


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_output_in_an_encoding_without_every_character_degrades_and_a_saved_change_exits_0(
    seed_library: Path, encoding: str,
) -> None:
    """``PYTHONIOENCODING=ascii`` or an ISO-8859-1 locale: the list's ``•`` failed to encode, and that was reported
    as input that was not UTF-8, "nothing was changed", exit 1, after a paper had been removed."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": encoding}
    pid = first_id(seed_library)

    def readlist(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "readlist", "--db", str(seed_library), *args],
                              capture_output=True, text=True, encoding=encoding, env=env, timeout=120, check=False)

    removed = readlist("rm", pid)
    assert removed.returncode == 0, removed.stderr
    assert removed.stdout.startswith(f"removed {pid}   ?   ")
    assert pid not in Library(seed_library).papers
    listed = readlist("list", "-n", "3")
    assert listed.returncode == 0 and len(listed.stdout.splitlines()) == 3, listed.stderr
    assert readlist("undo").returncode == 0 and pid in Library(seed_library).papers
