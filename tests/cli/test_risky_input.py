"""Command-line input that could destroy data or mislead: typos are usage errors, wrong paths say so."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from readlist.app.commands import EditTags, Rate
from readlist.app.imports import ImportPapers
from readlist.cli import main
from readlist.core.model import Paper
from readlist.storage.library import Library

SEED = sorted((Path(__file__).parents[1] / "fixtures" / "seeds").glob("*.txt"))[0]
A, B = "2404.00001", "2404.00002"


def run(db: Path | None, *args: str) -> Result:
    return CliRunner().invoke(main, [*(["--db", str(db)] if db else []), *args])


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "library.json"
    lib = Library(path)
    ImportPapers([Paper.create(title=f"Paper {n}", arxiv_id=pid) for n, pid in enumerate((A, B))], "t").execute(lib)
    EditTags([A], add=["json", "rl", "typo"]).execute(lib)
    lib.compact(force=True)
    return path


def tags(db: Path, pid: str = A) -> list[str]:
    return Library(db).papers[pid].tags


# ---------------------------------------------------------------------------
# tag, mark, rate


@pytest.mark.parametrize("args", [["--json"], ["--typo"], ["-rl", "--typo"], ["--tpyo=1", "x"]])
def test_a_mistyped_option_to_tag_is_a_usage_error_and_changes_nothing(db: Path, args: list[str]) -> None:
    before = db.read_bytes()
    result = run(db, "tag", A, *args)
    assert result.exit_code == 2, result.output
    assert tags(db) == ["json", "rl", "typo"]
    assert db.read_bytes() == before


@pytest.mark.parametrize("verb", [["mark", A, "--typo", "read"], ["rate", A, "--typo", "3"], ["rate", A, "4", "--x"]])
def test_a_mistyped_option_to_mark_or_rate_is_a_usage_error(db: Path, verb: list[str]) -> None:
    result = run(db, *verb)
    assert result.exit_code == 2
    assert "No such option" in result.output
    paper = Library(db).papers[A]
    assert paper.status == "inbox" and paper.rating == 0


def test_a_bare_word_after_the_id_is_a_tag(db: Path) -> None:
    result = run(db, "tag", B, "agents")
    assert result.exit_code == 0, result.output
    assert tags(db, B) == ["agents"]
    result = run(db, "tag", A, B, "vision", "+x", "-rl")  # B names a paper: a second id
    assert result.exit_code == 0, result.output
    assert tags(db, A) == ["json", "typo", "vision", "x"]
    assert tags(db, B) == ["agents", "vision", "x"]
    result = run(db, "tag", A, "new", B)  # after a tag, a word is a tag even when it names a paper
    assert result.exit_code == 0
    assert B in tags(db, A) and tags(db, B) == ["agents", "vision", "x"]


def test_a_short_word_after_the_id_is_a_tag_not_a_paper_it_begins(tmp_path: Path) -> None:
    """`tag 2106.09608 h json` tagged hep-ph/0301050 (its id begins with "h") and dropped the tag "h";
    `rm g` removed gr-qc/0103067: a prefix of fewer than 4 characters names no paper."""
    db = tmp_path / "library.json"
    lib = Library(db)
    ImportPapers([Paper.create(title="Paper", arxiv_id=A), Paper.create(title="Old", arxiv_id="hep-ph/0301050"),
                  Paper.create(title="Gravity", arxiv_id="gr-qc/0103067")], "t").execute(lib)
    result = run(db, "tag", A, "h", "json", "db", "offline")
    assert result.exit_code == 0, result.output
    assert tags(db) == ["db", "h", "json", "offline"]
    assert tags(db, "hep-ph/0301050") == []
    result = run(db, "rm", "g")
    assert result.exit_code == 1
    assert result.stderr.strip().endswith("ids need at least 4 characters as a prefix")
    assert result.stderr.count("\n") == 1
    assert "gr-qc/0103067" in Library(db).papers
    assert run(db, "tag", A, "gr-q", "x").exit_code == 0  # four characters are a prefix
    assert tags(db, "gr-qc/0103067") == ["x"]


def test_a_prefix_of_several_papers_after_the_id_is_refused_not_made_a_tag(db: Path) -> None:
    """`tag 2106.09608 2404 foo` added the tag "2404" once two papers' ids began with it, and tagged neither."""
    before = Library(db).papers[A].tags
    result = run(db, "tag", A, "2404", "foo")
    assert result.exit_code == 1
    assert "id prefix '2404' is ambiguous: 2 papers match (2404.00001, 2404.00002)" in result.stderr
    assert "nothing was tagged" in result.stderr and "+2404" in result.stderr
    assert result.stderr.count("\n") == 1 and result.stdout == ""
    assert tags(db) == before and tags(db, B) == []
    result = run(db, "tag", A, "+2404", "foo")  # the tag, said so
    assert result.exit_code == 0, result.output
    assert tags(db) == sorted([*before, "2404", "foo"]) and tags(db, B) == []
    result = run(db, "tag", "2404", "foo")  # as the first word: the paper id it must be
    assert result.exit_code == 1 and "ambiguous" in result.stderr and "+2404" not in result.stderr


@pytest.mark.parametrize("typed", ["deep learning", "rl,agents", "#Vision, -typo +c++", "-json -rl"])
def test_tags_typed_with_commas_or_spaces_are_read_as_the_apps_tag_box_reads_them(db: Path, typed: str) -> None:
    """The same text typed in the app's tag box (t) and given to `readlist tag` makes the same tags."""
    from readlist.tui.screens.tags import parse_tag_input

    add, remove = parse_tag_input(typed)
    expected = sorted((set(tags(db)) | set(add)) - set(remove))
    result = run(db, "tag", A, typed)
    assert result.exit_code == 0, result.output
    assert tags(db) == expected


def test_tag_without_a_tag_is_a_usage_error(db: Path) -> None:
    assert run(db, "tag", A).exit_code == 2
    assert run(db, "tag", A, B).exit_code == 2  # two paper ids and no tag
    assert tags(db) == ["json", "rl", "typo"]


@pytest.mark.parametrize("word", ["", "-", "+", "#", ",", " "])
def test_a_word_that_is_no_tag_is_a_usage_error(db: Path, word: str) -> None:
    before = db.read_bytes()
    result = run(db, "tag", A, "vision", word)
    assert result.exit_code == 2, result.output
    assert "is not a tag: a tag needs a letter or a digit" in result.output
    assert db.read_bytes() == before


def test_tag_mark_and_rate_print_the_changed_records_as_json(db: Path) -> None:
    Rate([B], 4).execute(Library(db))
    result = run(db, "tag", A, B, "-rl", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert [p["id"] for p in out["changed"]] == [A] and out["unchanged"] == [B]
    assert out["changed"][0]["tags"] == ["json", "typo"]
    out = json.loads(run(db, "rate", A, B, "4", "--json").stdout)
    assert [(p["id"], p["rating"]) for p in out["changed"]] == [(A, 4)] and out["unchanged"] == [B]
    out = json.loads(run(db, "mark", A, B, "read", "--json").stdout)
    assert [(p["id"], p["status"]) for p in out["changed"]] == [(A, "read"), (B, "read")]
    assert out["unchanged"] == [] and out["changed"][0]["read_at"]
    assert set(out["changed"][0]) == set(Library(db).papers[A].public_dict())


# ---------------------------------------------------------------------------
# --db in a folder that does not exist


READING = [
    ["list"], ["list", "--json"], ["show", A], ["stats"], ["stats", "--json"], ["note", A], ["doctor"],
    ["doctor", "--list-backups"], ["export", "--format", "json"], ["cite", A],
    ["mark", A, "read"], ["rate", A, "3"], ["tag", A, "x"], ["rm", A], ["undo"],
]


@pytest.mark.parametrize("args", READING, ids=" ".join)
def test_a_library_in_a_missing_folder_is_not_shown_as_empty(tmp_path: Path, args: list[str]) -> None:
    missing = tmp_path / "no-such-folder" / "library.json"
    result = run(missing, *args)
    assert result.exit_code == 1, result.output
    assert f"no library at {missing}" in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
    assert not missing.parent.exists()


def test_the_environment_variable_is_checked_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = tmp_path / "typo" / "library.json"
    monkeypatch.setenv("READLIST_DB", str(missing))
    result = run(None, "list")
    assert result.exit_code == 1 and f"no library at {missing}" in result.stderr


def test_import_still_creates_the_library_and_its_folders(tmp_path: Path) -> None:
    db = tmp_path / "new" / "folder" / "library.json"
    result = run(db, "import", str(SEED))
    assert result.exit_code == 0, result.output
    assert db.is_file()
    assert run(db, "list").exit_code == 0


def test_a_missing_file_in_an_existing_folder_is_an_empty_library_said_to_be_missing(tmp_path: Path) -> None:
    result = run(tmp_path / "library.json", "list")
    assert result.exit_code == 0 and not result.stdout
    assert result.stderr == (f"no library at {tmp_path / 'library.json'} yet; `readlist import FILE` starts one "
                             "there (or check --db / READLIST_DB)\n")


def test_the_first_run_on_the_default_path_is_an_empty_library(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before the first import the platform data folder does not exist: that is not a mistake."""
    monkeypatch.delenv("READLIST_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "fresh"))
    result = run(None, "list")
    assert result.exit_code == 0, result.output
    # No path was given: nothing to check, only where the library will be.
    assert result.stderr.startswith(f"no library at {tmp_path / 'fresh'}") and not result.stdout
    assert result.stderr.endswith("yet; `readlist import FILE` starts one there\n")


# ---------------------------------------------------------------------------
# the terminal UI into a pipe


def test_no_command_with_output_to_a_pipe_is_a_usage_error(tmp_path: Path) -> None:
    """A terminal for keys, a pipe for the screen: one line on stderr and exit 2, nothing drawn."""
    try:
        master, slave = os.openpty()
    except OSError as exc:  # a sandbox without pseudo-terminals
        pytest.skip(f"no pseudo-terminal: {exc}")
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "readlist", "--db", str(tmp_path / "library.json")],
            stdin=slave, capture_output=True, timeout=60, check=False,
        )
    finally:
        os.close(slave)
        os.close(master)
    assert proc.returncode == 2
    assert proc.stdout == b""
    err = proc.stderr.decode()
    assert err.count("\n") == 1 and "needs a terminal" in err and "readlist list" in err
    assert not (tmp_path / "library.json").exists()



def output_to_a_full_disk(db: Path, args: list[str]) -> subprocess.CompletedProcess[str]:
    with open("/dev/full", "wb") as full:
        return subprocess.run([sys.executable, "-m", "readlist", "--db", str(db), *args],
                              stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("args", [["list", "--json"], ["list"], ["show", A, "--json"], ["stats"]])
def test_output_to_a_full_disk_is_one_line_and_a_failure(db: Path, args: list[str]) -> None:
    proc = output_to_a_full_disk(db, args)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        "readlist: could not write the output: No space left on device (free some space, or write it elsewhere)"
    ]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("args", [["note", A, "--append", "once"], ["rate", A, "3"], ["tag", A, "+x", "--json"]],
                         ids=["note", "rate", "tag"])
def test_a_saved_change_whose_output_cannot_be_written_exits_0(db: Path, args: list[str]) -> None:
    """Exit status 0 means the change is durable: a script that retries on failure must not make it twice."""
    proc = output_to_a_full_disk(db, args)
    assert proc.returncode == 0
    assert proc.stderr.strip().splitlines() == [
        "readlist: the change was saved, but its output could not be written: No space left on device"
    ]
    paper = json.loads(run(db, "show", A, "--json").stdout)
    assert paper["note"].endswith("once") or paper["rating"] == 3 or "x" in paper["tags"]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_restore_repair_fold_or_saved_view_whose_output_cannot_be_written_exits_0(db: Path) -> None:
    """These change the library or the config file without a command's journal batch; they exited 1, and a
    retry of the restore restored the backup the first one had just made of the library as it was."""
    saved = ["readlist: the change was saved, but its output could not be written: No space left on device"]
    run(db, "note", A, "--append", "first")
    run(db, "note", A, "--append", "second")  # a backup of the library holding "first" only
    proc = output_to_a_full_disk(db, ["doctor", "--restore"])
    assert (proc.returncode, proc.stderr.strip().splitlines()) == (0, saved)
    assert json.loads(run(db, "show", A, "--json").stdout)["note"] == "first"
    for args in (["doctor", "--compact"], ["view", "add", "mine", "tag:rl"], ["view", "rm", "mine"]):
        proc = output_to_a_full_disk(db, args)
        assert (proc.returncode, proc.stderr.strip().splitlines()) == (0, saved), args
    assert "mine" not in run(db, "view").output
    records = json.loads(db.read_text())
    record = next(iter(records["papers"].values()))
    db.write_text(db.read_text().replace(f'"id":"{record["id"]}",', f'"id":"{record["id"]}","status":"bogus",', 1))
    proc = output_to_a_full_disk(db, ["doctor", "--repair"])
    assert (proc.returncode, proc.stderr.strip().splitlines()) == (0, saved)
    assert run(db, "doctor").exit_code == 0
    proc = output_to_a_full_disk(db, ["doctor", "--repair"])  # nothing to repair: nothing saved, output lost
    assert proc.returncode == 1


def test_an_unknown_sort_key_names_every_order_list_offers(db: Path) -> None:
    result = run(db, "list", "--sort", "bogus")
    assert result.exit_code == 2
    assert "unknown sort key 'bogus': use one of interest, date, upvotes, rating, title, added" in result.output


def test_a_config_file_that_cannot_be_used_is_said_on_the_command_line_too(db: Path) -> None:
    import os

    config = Path(os.environ["READLIST_CONFIG"])
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("theme = [oops\n", encoding="utf-8")
    result = run(db, "list", "--limit", "1")
    assert result.exit_code == 0  # the defaults apply; the command does its work
    assert "not valid TOML" in result.stderr and "using defaults" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
