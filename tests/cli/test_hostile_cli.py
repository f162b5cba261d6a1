"""Hostile input on the command line: huge files, terminal escapes and markup in stored text, odd URLs."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import msgspec
import pytest
from click.testing import CliRunner, Result

from readlist.app.imports import ImportPapers
from readlist.cli import main
from readlist.core.model import Paper
from readlist.storage.library import Library

REPO = Path(__file__).resolve().parents[2]

# What a malicious page or a hand-edited library might carry.
CLEAR = "\x1b[2J"
CLIPBOARD = "\x1b]52;c;ZXZpbA==\x07"  # OSC 52: write to the clipboard
HYPERLINK = "\x1b]8;;http://e.vil\x07click\x1b]8;;\x07"  # OSC 8 hyperlink
C1_CSI = "\x9b31m"
DCS = "\x1bPq#0;2;0;0;0\x1b\\"
MARKUP = "[red]x[/red] [link=http://e.vil]y[/link] [bold]:smile:"
HOSTILE = f"Title {CLEAR}{CLIPBOARD}{HYPERLINK}{C1_CSI}{DCS}\r\x08\x00 {MARKUP}"
FORBIDDEN = ["\x1b", "\x07", "\x9b", "\x00", "\x08", "\r"]


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args])


def hostile_library(tmp_path: Path) -> Path:
    """A library whose stored strings hold raw escapes, as an older version or a hand edit could leave them."""
    db = tmp_path / "library.json"
    lib = Library(db)
    ImportPapers([Paper.from_dict({"title": "placeholder", "arxiv_id": "2404.00001"})], "t").execute(lib)
    lib.compact(force=True)
    data = msgspec.json.decode(db.read_bytes())
    doc = next(iter(data["papers"].values()))
    doc.update(
        title=HOSTILE, abstract=HOSTILE, note=HOSTILE + "\nsecond line", organization=HOSTILE,
        authors=[HOSTILE], url="http://x/" + CLIPBOARD, sources=[HOSTILE], tags=["ok", "t" + CLEAR],
    )
    db.write_bytes(msgspec.json.encode(data))
    return db


def assert_inert(text: str) -> None:
    for bad in FORBIDDEN:
        assert bad not in text, f"{bad!r} reached the output: {text!r}"


@pytest.mark.parametrize(
    "args",
    [["list"], ["list", "--json"], ["show", "2404.00001"], ["show", "2404.00001", "--json"],
     ["note", "2404.00001"], ["note", "2404.00001", "--json"], ["list", "--query", "title"]],
)
def test_stored_escapes_and_markup_print_inert(tmp_path: Path, args: list[str]) -> None:
    db = hostile_library(tmp_path)
    result = run(db, *args)
    assert result.exit_code == 0, result.output
    assert_inert(result.stdout)
    if args[0] in ("show", "note") and "--json" not in args:
        assert "[red]x[/red]" in result.stdout  # markup shown as typed, not applied
    if "--json" in args:
        assert "\\u009b31m" in result.stdout  # C1 controls escaped in JSON, the value intact


def test_escapes_inert_on_a_colour_terminal(tmp_path: Path) -> None:
    """With colours forced (as on a real terminal) only readlist's own styling escapes appear."""
    db = hostile_library(tmp_path)
    env = {**os.environ, "FORCE_COLOR": "1", "TTY_COMPATIBLE": "1", "COLUMNS": "200", "PYTHONPATH": str(REPO)}
    for args in (["list"], ["show", "2404.00001"], ["note", "2404.00001"]):
        out = subprocess.run([sys.executable, "-m", "readlist", "--db", str(db), *args], capture_output=True,
                             env=env, timeout=60, check=True).stdout
        text = out.decode("utf-8")
        assert "\x1b[" in text or args[0] == "note", "colours were expected in this mode"
        for bad in ("\x1b]", "\x07", "\x9b", "\x1bP", "\x1b[2J", "\x00"):
            assert bad not in text, (args, bad)
        assert "[link=http://e.vil]y[/link]" in text  # shown as typed: no live hyperlink


@pytest.mark.parametrize("columns", ["24", "41", "57", "70", "100"])
def test_a_list_line_cut_to_a_narrow_colour_terminal_stays_inert(tmp_path: Path, columns: str) -> None:
    """The list writes its lines itself: cut to the width inside the hostile title or tags, still no escape of its own.

    Only readlist's SGR colour codes (ESC [ digits m) may appear; the title's markup is shown as typed.
    """
    db = hostile_library(tmp_path)
    env = {**os.environ, "FORCE_COLOR": "1", "TTY_COMPATIBLE": "1", "COLUMNS": columns, "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-m", "readlist", "--db", str(db), "list"], capture_output=True, env=env,
                         timeout=60, check=True).stdout.decode("utf-8")
    assert "\x1b[" in out
    plain = re.sub(r"\x1b\[[0-9;]*m", "", out)
    assert_inert(plain)
    for bad in ("\x1b", "\x9b", "\u202e"):
        assert bad not in plain
    assert len(plain.rstrip("\n")) <= int(columns) and plain.endswith("…\n")
    if int(columns) >= 70:
        assert "[red]x" in plain


def test_note_and_import_report_strip_escapes(tmp_path: Path) -> None:
    db = tmp_path / "library.json"
    page = tmp_path / f"page{CLIPBOARD}.bib"
    page.write_text("@article{k,\n  title = {" + HOSTILE.replace("\x00", "") + "},\n  year = {2024}\n}\n")
    result = run(db, "import", str(page))
    assert result.exit_code == 0, result.output
    assert_inert(result.stdout + result.stderr)
    pid = next(iter(Library(db).papers))
    result = run(db, "note", pid, "note " + HOSTILE)
    assert result.exit_code == 0
    assert_inert(result.stdout)
    stored = Library(db).papers[pid]
    for text in (stored.title, stored.note):
        assert_inert(text)
        assert "[red]x[/red]" in text
    for args in (["list"], ["show", pid], ["note", pid]):
        assert_inert(run(db, *args).stdout)


def test_import_report_for_a_hostile_file_name_that_fails(tmp_path: Path) -> None:
    db = tmp_path / "library.json"
    bad = tmp_path / f"x{CLEAR}\x1b]8;;x\x07{C1_CSI}.txt"
    bad.write_text("nothing that looks like a paper")
    result = run(db, "import", str(bad))
    assert result.exit_code == 1
    assert_inert(result.stdout + result.stderr)
    assert not db.exists()


# Peak memory of this process image: VmHWM, not ru_maxrss, which on Linux can carry over the
# (much larger) peak of the pytest process that spawned the child.
PEAK_MB = "int(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1]) // 1024"

BIG_IMPORT = r"""
import sys
from click.testing import CliRunner
from readlist.cli import main
peak_mb = lambda: """ + PEAK_MB + r"""
base = peak_mb()
result = CliRunner().invoke(main, ["--db", sys.argv[1], "import", *sys.argv[2:]], input=None)
peak = peak_mb()
print(result.exit_code, base, peak)
print(result.stdout.replace("\n", " | "), "||", result.stderr.replace("\n", " | "))
"""


def test_200_mb_input_is_refused_with_bounded_memory(tmp_path: Path) -> None:
    big = tmp_path / "huge.txt"
    with big.open("wb") as handle:  # sparse: instant, and no disk used
        handle.truncate(200 * 1024 * 1024)
    db = tmp_path / "library.json"
    proc = subprocess.run([sys.executable, "-c", BIG_IMPORT, str(db), str(big)], capture_output=True, text=True,
                          cwd=REPO, timeout=120, check=True)
    first, second = proc.stdout.splitlines()[:2]
    code, base_mb, peak_mb = map(int, first.split())
    assert code == 1, second
    assert "64 MB" in second and "Traceback" not in second and "huge.txt" in second
    assert peak_mb - base_mb < 100, f"peak RSS grew by {peak_mb - base_mb} MB reading a 200 MB file"
    assert not db.exists()


def test_200_mb_on_standard_input_is_refused_with_bounded_memory(tmp_path: Path) -> None:
    big = tmp_path / "huge.txt"
    with big.open("wb") as handle:
        handle.truncate(200 * 1024 * 1024)
    db = tmp_path / "library.json"
    code = (
        "import sys\n"
        "from readlist.cli import main\n"
        "try:\n"
        "    main(['--db', sys.argv[1], 'import', '-'], standalone_mode=False)\n"
        "except SystemExit as exc:\n"
        "    rc = exc.code\n"
        "else:\n"
        "    rc = 0\n"
        f"peak = {PEAK_MB}\n"
        "sys.stderr.write(f'RC {rc} PEAK {peak}\\n')\n"
    )
    with big.open("rb") as stdin:
        proc = subprocess.run([sys.executable, "-c", code, str(db)], stdin=stdin, capture_output=True, text=True,
                              cwd=REPO, timeout=120, check=False)
    tail = proc.stderr.strip().splitlines()[-1]
    assert tail.startswith("RC 1 "), proc.stderr[-2000:]
    assert int(tail.split()[-1]) < 250, tail  # at most the 64 MB cap plus the interpreter, never 200 MB+
    assert "64 MB" in proc.stdout + proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/papers.html", "gopher://x/1"])
def test_url_import_refuses_non_http_schemes(tmp_path: Path, url: str) -> None:
    db = tmp_path / "library.json"
    result = run(db, "import", url)
    assert result.exit_code == 1
    assert "only http:// and https://" in result.stdout + result.stderr
    assert "root:" not in result.stdout
    assert not db.exists()
    # One line that names the address once, and says how many sources failed in words.
    assert result.stdout.count(url) == 1, result.stdout
    assert "1 source could not be imported; nothing was imported" in result.stderr


def test_json_report_of_refused_input_is_valid_json(tmp_path: Path) -> None:
    result = run(tmp_path / "l.json", "import", "--json", "file:///etc/passwd")
    assert result.exit_code == 1
    report = json.loads(result.stdout)["reports"][0]
    assert "http" in report["error"]


@pytest.mark.parametrize("stored", ["t" + CLEAR, "ev\u202eil", "Two Words"])
def test_a_stored_tag_that_shows_cleaned_is_removed_by_what_is_shown(tmp_path: Path, stored: str) -> None:
    """A tag a hand edit left with controls, a bidi override or a space is shown as typing it would give;
    removing that form removes the tag, in one go (it must not be cleaned and kept instead)."""
    db = hostile_library(tmp_path)
    data = msgspec.json.decode(db.read_bytes())
    next(iter(data["papers"].values()))["tags"] = ["ok", stored]
    db.write_bytes(msgspec.json.encode(data))
    from readlist.core.model import normalize_tag

    shown = normalize_tag(stored)
    assert shown and shown != stored
    result = run(db, "tag", "2404.00001", "-" + shown)
    assert result.exit_code == 0, result.output
    assert json.loads(run(db, "show", "2404.00001", "--json").stdout)["tags"] == ["ok"]


SIDE_FILE_READS = """
import sys
from pathlib import Path
from readlist.app.history import load_last_change
from readlist.app.pull import load_pull_state
from readlist.app.sync import load_state
from readlist.app.ui_state import load_ui_state
db = Path(sys.argv[1])
print(load_ui_state(db), load_last_change(db), load_pull_state(db), load_state(db))
"""


def test_pipes_in_place_of_the_files_beside_the_library_are_passed_over(tmp_path: Path) -> None:
    """A FIFO where readlist keeps where the app was, the last change, pull or sync state, the first screen, the
    interest scores or the undo step folded in would make a plain read wait forever for a writer: every one is
    passed over as absent."""
    from readlist.storage import paths

    db = tmp_path / "library.json"
    result = run(db, "import", str(REPO / "tests" / "fixtures" / "seeds" / "001_eaf0a1b246e94eca.txt"))
    assert result.exit_code == 0, result.output
    side_files = [paths.ui_state_path, paths.last_change_path, paths.pulls_path, paths.sync_state_path,
                  paths.first_screen_path, paths.interest_scores_path, paths.undo_step_path]

    def pipes_everywhere() -> None:  # a command replaces a file it writes: put the pipes back before each
        for where in side_files:
            where(db).unlink(missing_ok=True)
            os.mkfifo(where(db))

    env = {**os.environ, "PYTHONPATH": str(REPO)}
    pid = next(iter(Library(db).papers))
    pipes_everywhere()
    # A hang ends in TimeoutExpired: the test fails instead of waiting with the command.
    done = subprocess.run([sys.executable, "-c", SIDE_FILE_READS, str(db)], capture_output=True, env=env,
                          timeout=120, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["None", "None", "{}", "None"]
    for args in (["mark", pid, "reading"], ["undo"], ["list", "--json"], ["rate", pid, "4"]):
        pipes_everywhere()
        done = subprocess.run([sys.executable, "-m", "readlist", "--db", str(db), *args], capture_output=True,
                              env=env, timeout=120, text=True)
        if args == ["undo"]:  # the pipe holds no remembered change: said so, nothing changed
            assert done.returncode == 1 and "cannot be read" in done.stderr, done.stderr
            assert Library(db).papers[pid].status == "reading"
        else:
            assert done.returncode == 0, (args, done.stderr)
    assert Library(db).papers[pid].rating == 4


def test_a_pipe_or_bytes_not_utf8_in_place_of_the_config_are_one_line(tmp_path: Path) -> None:
    """Every command reads config.toml: a FIFO there made each of them wait for a writer forever. It is read as a
    folder there is: one line, the defaults, and a change to it (a saved view) refused in one line naming it."""
    db = tmp_path / "library.json"
    result = run(db, "import", str(REPO / "tests" / "fixtures" / "seeds" / "001_eaf0a1b246e94eca.txt"))
    assert result.exit_code == 0, result.output
    config = tmp_path / "config.toml"
    os.mkfifo(config)
    env = {**os.environ, "PYTHONPATH": str(REPO), "READLIST_CONFIG": str(config)}

    def readlist(*args: str) -> subprocess.CompletedProcess[str]:
        # A hang ends in TimeoutExpired: the test fails instead of waiting with the command.
        return subprocess.run([sys.executable, "-m", "readlist", "--db", str(db), *args], capture_output=True,
                              env=env, timeout=60, text=True)

    listed = readlist("list", "--limit", "1")
    assert listed.returncode == 0 and listed.stdout.count("\n") == 1, listed.stderr
    assert listed.stderr == f"readlist: {config}: cannot be read (it is a named pipe, not a file)\n"
    saved = readlist("view", "add", "rl", "tag:rl")
    assert saved.returncode == 1 and saved.stderr.count("\n") == 1, saved.stderr
    assert f"{config}: cannot be read (it is a named pipe, not a file)" in saved.stderr and config.is_fifo()
    # Bytes that are not UTF-8: the file is named, not "the text given" (the arguments are fine).
    config.unlink()
    config.write_bytes(b"theme = \"\xff\"\n")
    saved = readlist("view", "add", "rl", "tag:rl")
    assert saved.returncode == 1 and saved.stderr.count("\n") == 1, saved.stderr
    assert f"{config}: not valid TOML" in saved.stderr and "text given" not in saved.stderr, saved.stderr
    assert config.read_bytes() == b"theme = \"\xff\"\n"


def test_a_pipe_in_place_of_the_journal_stops_every_command_with_one_line(tmp_path: Path) -> None:
    """The journal holds changes, so a FIFO in its place is not passed over like a derived file: it is reported as
    the library file's own FIFO is. Reading it would wait for a writer forever, and every command hung."""
    from readlist.storage.paths import journal_path

    db = tmp_path / "library.json"
    result = run(db, "import", str(REPO / "tests" / "fixtures" / "seeds" / "001_eaf0a1b246e94eca.txt"))
    assert result.exit_code == 0, result.output
    pid = next(iter(Library(db).papers))
    journal_path(db).unlink(missing_ok=True)
    os.mkfifo(journal_path(db))
    before = db.read_bytes()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for args in (["list"], ["show", pid], ["mark", pid, "read"], ["undo"], ["doctor"], ["doctor", "--compact"]):
        # A hang ends in TimeoutExpired: the test fails instead of waiting with the command.
        done = subprocess.run([sys.executable, "-m", "readlist", "--db", str(db), *args], capture_output=True,
                              env=env, timeout=60, text=True)
        assert done.returncode == 1, (args, done.stdout, done.stderr)
        said = done.stdout if args == ["doctor"] else done.stderr  # the report lists it among the problems
        assert f"{journal_path(db)} is a named pipe" in said and "Traceback" not in done.stderr, (args, said)
        assert said.count(str(journal_path(db))) == 1, (args, said)  # once, not again as "not a file"
        if args != ["doctor"]:
            assert done.stderr.count("\n") == 1, (args, done.stderr)
        assert db.read_bytes() == before and journal_path(db).is_fifo()


DEEP = b"[" * 100_000 + b"]" * 100_000  # valid JSON, nested deeper than any decoder recurses


def test_values_nested_too_deeply_to_decode_are_a_damaged_file_not_a_crash(tmp_path: Path) -> None:
    """JSON nested deeper than a decoder can follow raised RecursionError, which nothing caught: a command whose
    change was saved crashed with exit status 1 over the kept first screen. Each file beside the library is now
    passed over as any damaged one is (the library file itself: tests/storage/test_corrupt.py)."""
    from readlist.storage import paths

    db = tmp_path / "library.json"
    assert run(db, "import", str(REPO / "tests" / "fixtures" / "seeds" / "001_eaf0a1b246e94eca.txt")).exit_code == 0
    pid = next(iter(Library(db).papers))
    side_files = [paths.ui_state_path, paths.last_change_path, paths.pulls_path, paths.sync_state_path,
                  paths.first_screen_path, paths.interest_scores_path, paths.interest_model_path,
                  paths.vectors_path, paths.undo_step_path]
    for args in (["mark", pid, "reading"], ["rate", pid, "4"], ["list", "--json", "--sort", "interest"],
                 ["show", pid, "--json"], ["undo"]):
        for where in side_files:
            where(db).write_bytes(DEEP)
        result = run(db, *args)
        if args == ["undo"]:  # the remembered change cannot be read: said so, nothing changed
            assert result.exit_code == 1 and "cannot be read" in result.stderr, result.output
        else:
            assert result.exit_code == 0, (args, result.output, result.exception)
    paper = Library(db).papers[pid]
    assert (paper.status, paper.rating) == ("reading", 4)


def test_a_config_nested_too_deeply_is_passed_over_like_any_invalid_one(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "library.json"
    assert run(db, "import", str(REPO / "tests" / "fixtures" / "seeds" / "001_eaf0a1b246e94eca.txt")).exit_code == 0
    config = tmp_path / "config.toml"
    config.write_text("a = " + "[" * 5000 + "]" * 5000 + "\n")
    monkeypatch.setenv("READLIST_CONFIG", str(config))
    listed = run(db, "list", "--limit", "1")
    assert listed.exit_code == 0, listed.output
    assert listed.stdout.count("\n") == 1
    assert listed.stderr.startswith(f"readlist: {config}: not valid TOML") and "using defaults" in listed.stderr


def test_an_imported_files_name_is_stored_clean(tmp_path: Path) -> None:
    """The file's name went into the papers' sources raw: outputs neutralised it, but the library held it."""
    name = "papers \x1b]2;X\x1b\\ \u202etxt.bib"
    source = tmp_path / name
    source.write_text("@article{a, title={A Paper}, author={Ada Lovelace}, year={2024}}\n")
    db = tmp_path / "library.json"
    result = run(db, "import", str(source))
    assert result.exit_code == 0, result.output
    (paper,) = Library(db).papers.values()
    assert paper.sources == ["papers txt.bib"]
