"""The command line as a script would use it: real files, real exit codes, the library on disk."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from readlist.cli import main
from readlist.core.model import Status
from readlist.storage.library import Library
from tests.conftest import SEEDS

BETTER_LM = "Better Language Model Inversion by Compactly Representing Next-Token Distributions"


def run(db: Path, *args: str, input: str | bytes | None = None) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args], input=input, catch_exceptions=False)


def listed(db: Path, *args: str) -> list[dict[str, object]]:
    result = run(db, "list", "--json", *args)
    assert result.exit_code == 0, result.output
    data: list[dict[str, object]] = json.loads(result.stdout)
    return data


def by_title(records: list[dict[str, object]], title: str) -> dict[str, object]:
    return next(r for r in records if r["title"] == title)


def test_db_after_the_verb_names_the_library_as_before_it(tmp_path: Path) -> None:
    """`readlist list --db FILE` was "No such option '--db'": every verb takes it where people type it."""
    db, other = tmp_path / "l.json", tmp_path / "other.json"
    assert run(other, "import", str(SEEDS[0])).exit_code == 0
    assert CliRunner().invoke(main, ["import", str(SEEDS[1]), "--db", str(db)]).exit_code == 0
    ids, other_ids = [p["id"] for p in listed(db)], [p["id"] for p in listed(other)]
    assert ids and set(ids) != set(other_ids)
    after = CliRunner().invoke(main, ["list", "--json", "--db", str(db)])
    assert after.exit_code == 0 and [p["id"] for p in json.loads(after.stdout)] == ids
    # Given after the verb it wins over the one before, which a shell alias may have set.
    both = CliRunner().invoke(main, ["--db", str(other), "list", "--json", "--db", str(db)])
    assert both.exit_code == 0 and [p["id"] for p in json.loads(both.stdout)] == ids
    # Verbs of a verb take it too, and a folder that does not exist is refused as before the verb.
    missing = CliRunner().invoke(main, ["view", "--db", str(tmp_path / "nowhere" / "l.json")])
    assert missing.exit_code == 1 and "no library at" in missing.stderr


def test_import_seeds_gives_196_records_in_the_documented_shape(tmp_path: Path) -> None:
    db = tmp_path / "l.json"
    result = run(db, "import", *map(str, SEEDS))
    assert result.exit_code == 0, result.output
    assert "53 added" in result.output
    records = listed(db)
    assert len(records) == 196
    keys = ["id", "arxiv_id", "title", "abstract", "authors", "authors_count", "organization", "published",
            "upvotes", "url", "status", "rating", "tags", "note", "added", "updated", "read_at", "sources",
                "source_formats", "categories", "cite_key", "doi", "journal_ref", "ai_summary", "ai_keywords",
                "github_repo", "project_page", "aliases"]
    assert all(list(r) == keys for r in records)
    paper = by_title(records, BETTER_LM)
    assert paper["authors_count"] == 5 and paper["upvotes"] == 2
    assert paper["status"] == "inbox" and paper["rating"] == 0 and paper["sources"] == [SEEDS[0].name]
    first = by_title(records, "Data Factors for Better Compositional Generalization")
    assert first["published"] == "2023-11-07" and first["authors_count"] == 3 and first["upvotes"] == 0
    assert any(r["organization"] == "Spiral Works" for r in records)
    assert all(str(r["abstract"]).strip() for r in records)


def test_reimport_twice_keeps_196_and_reports_unchanged(tmp_path: Path) -> None:
    db = tmp_path / "l.json"
    run(db, "import", *map(str, SEEDS))
    again = run(db, "import", "--json", *map(str, SEEDS))
    report = json.loads(again.stdout)
    assert [r["added"] for r in report["reports"]] == [0, 0, 0]
    assert [r["unchanged"] for r in report["reports"]] == [53, 95, 75]
    assert report["papers"] == 196


def test_later_import_fills_metadata_the_first_lacked(tmp_path: Path) -> None:
    db = tmp_path / "l.json"
    run(db, "import", str(SEEDS[1]))  # 003: titles and abstracts only
    before = listed(db)
    shared_titles = {r["title"] for r in before} & {r["title"] for r in listed(_fresh_with(tmp_path, SEEDS[0]))}
    assert shared_titles, "the seed files are expected to share papers"
    title = sorted(shared_titles)[0]
    assert by_title(before, title)["published"] is None
    report = json.loads(run(db, "import", "--json", str(SEEDS[0])).stdout)["reports"][0]
    assert report["updated"] >= 1
    after = by_title(listed(db), title)
    assert after["published"] is not None and after["upvotes"] is not None
    assert after["sources"] == [SEEDS[1].name, SEEDS[0].name]


def _fresh_with(tmp_path: Path, seed: Path) -> Path:
    db = tmp_path / f"fresh-{seed.stem}.json"
    run(db, "import", str(seed))
    return db


def test_user_fields_survive_every_reimport(tmp_path: Path) -> None:
    db = tmp_path / "l.json"
    run(db, "import", str(SEEDS[1]))
    pid = str(listed(db)[0]["id"])
    assert run(db, "mark", pid, "reading").exit_code == 0
    assert run(db, "rate", pid, "4").exit_code == 0
    assert run(db, "tag", pid, "+rl", "+Inverse").exit_code == 0
    assert run(db, "note", pid, "My own words.").exit_code == 0
    for _ in range(2):
        assert run(db, "import", *map(str, SEEDS)).exit_code == 0
    after = next(r for r in listed(db) if r["id"] == pid)
    assert (after["status"], after["rating"], after["tags"], after["note"]) == ("reading", 4, ["inverse", "rl"],
                                                                                 "My own words.")


@pytest.mark.parametrize("content", [b"", b"   \n\n", b"\x00\x01\x02binary\xff", b"just some words\n"])
def test_input_without_papers_fails_and_leaves_library_untouched(tmp_path: Path, content: bytes) -> None:
    db = tmp_path / "l.json"
    run(db, "import", str(SEEDS[0]))
    before = db.read_bytes()
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    result = run(db, "import", str(bad))
    assert result.exit_code == 1
    assert "bad.txt" in result.output and "nothing was imported" in result.output
    assert db.read_bytes() == before
    assert len(Library(db)) == 53


def test_missing_file_and_usage_errors_have_distinct_exit_codes(tmp_path: Path) -> None:
    db = tmp_path / "l.json"
    assert run(db, "import", str(tmp_path / "nope.txt")).exit_code == 1
    assert run(db, "import").exit_code == 2
    assert run(db, "rate", "x").exit_code == 2
    assert not db.exists() or len(Library(db)) == 0


def test_stdin_import(tmp_path: Path) -> None:
    db = tmp_path / "l.json"
    result = run(db, "import", "-", input=SEEDS[2].read_bytes())
    assert result.exit_code == 0, result.output
    assert len(listed(db)) == 75
    assert listed(db)[0]["sources"] == ["stdin"]


def test_edit_verbs_by_unique_prefix(seed_library: Path) -> None:
    records = listed(seed_library)
    ids = sorted(str(r["id"]) for r in records)
    prefix = next(i[:5] for i in ids if sum(j.startswith(i[:5]) for j in ids) == 1)
    full = next(i for i in ids if i.startswith(prefix))
    assert run(seed_library, "mark", prefix, "read").exit_code == 0
    assert run(seed_library, "rate", prefix, "5").exit_code == 0
    assert run(seed_library, "tag", prefix, "+Agents", "+rl").exit_code == 0
    assert run(seed_library, "tag", prefix, "-rl").exit_code == 0
    assert run(seed_library, "note", prefix, "first").exit_code == 0
    assert run(seed_library, "note", prefix, "--append", "second").exit_code == 0
    shown = json.loads(run(seed_library, "show", prefix, "--json").stdout)
    assert shown["id"] == full
    assert (shown["status"], shown["rating"], shown["tags"]) == ("read", 5, ["agents"])
    assert shown["note"] == "first\n\nsecond\n"
    assert shown["read_at"] is not None
    # ambiguous and unknown ids are errors, not guesses
    result = run(seed_library, "show", "t-1b")  # four papers' ids begin so
    assert result.exit_code == 1 and "ambiguous" in result.output
    assert run(seed_library, "show", "zzzz").exit_code == 1


def test_mark_many_and_bad_values(seed_library: Path) -> None:
    ids = [str(r["id"]) for r in listed(seed_library)][:3]
    result = run(seed_library, "mark", *ids, "to-read")
    assert result.exit_code == 0 and "3 papers marked to-read" in result.output
    assert len(listed(seed_library, "--status", "to-read")) == 3
    assert run(seed_library, "mark", ids[0], "later").exit_code == 2
    assert run(seed_library, "rate", ids[0], "9").exit_code == 2


def test_note_edit_through_editor(seed_library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pid = str(listed(seed_library)[0]["id"])
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\nprintf "written in the editor\\n" >> "$1"\n')
    editor.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(editor))
    monkeypatch.delenv("VISUAL", raising=False)
    assert run(seed_library, "note", pid, "start").exit_code == 0
    assert run(seed_library, "note", pid, "--edit").exit_code == 0
    assert json.loads(run(seed_library, "show", pid, "--json").stdout)["note"] == "start\nwritten in the editor"


def test_note_edit_with_no_editor_and_no_terminal_says_so_instead_of_waiting(
    seed_library: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """vi, the fallback, would wait for keys forever in a script or a pipe; the note stays as it was."""
    pid = str(listed(seed_library)[0]["id"])
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)
    started: list[object] = []
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: started.append(a))
    assert run(seed_library, "note", pid, "kept").exit_code == 0
    result = run(seed_library, "note", pid, "--edit")
    assert result.exit_code == 1 and started == []
    assert "no editor set and no terminal to run vi in: set $EDITOR" in result.stderr
    assert result.stderr.count("\n") == 1
    assert json.loads(run(seed_library, "show", pid, "--json").stdout)["note"] == "kept"


def test_query_sort_and_limit(seed_library: Path) -> None:
    ids = [str(r["id"]) for r in listed(seed_library)]
    run(seed_library, "rate", ids[0], "5")
    run(seed_library, "rate", ids[1], "4")
    run(seed_library, "tag", ids[1], "+rl")
    assert {r["id"] for r in listed(seed_library, "--query", "rating>=4")} == {ids[0], ids[1]}
    assert [r["id"] for r in listed(seed_library, "--query", "tag:rl")] == [ids[1]]
    top = listed(seed_library, "--sort", "upvotes", "--limit", "3")
    votes = [r["upvotes"] or 0 for r in top]
    assert votes == sorted(votes, reverse=True) and len(top) == 3
    assert listed(seed_library, "--sort", "upvotes", "-n", "3") == top  # -n, as `related` takes it
    generalization = listed(seed_library, "--query", "generalization -language")
    assert generalization and all("language" not in (str(r["title"]) + str(r["abstract"])).lower()
                                  for r in generalization)
    assert run(seed_library, "list", "--query", "rating>=x").exit_code == 2


def test_human_output_keeps_markup_and_escapes_inert(tmp_path: Path) -> None:
    db = tmp_path / "l.json"
    page = (
        "Daily Papers\n\nbyAK and the research community\n\nDec 12\n\n"
        "[bold red]Evil[/] \x1b[31mTitle\x1b]8;;http://x\x07\n\n"
        + "An abstract with [link=http://e.vil]markup[/link] and an escape \x1b[2J in it. " * 4
        + "\n"
    )
    src = tmp_path / "evil.txt"
    src.write_text(page)
    assert run(db, "import", str(src)).exit_code == 0
    for args in (["list"], ["show", listed(db)[0]["id"]]):
        out = run(db, *map(str, args)).stdout_bytes
        assert b"\x1b" not in out
        assert b"[bold red]Evil[/]" in out
    assert b"[link=http://e.vil]markup[/link]" in run(db, "show", str(listed(db)[0]["id"])).stdout_bytes


def test_stats_json_matches_list(seed_library: Path) -> None:
    ids = [str(r["id"]) for r in listed(seed_library)]
    run(seed_library, "mark", *ids[:4], "read")
    stats = json.loads(run(seed_library, "stats", "--json").stdout)
    assert stats["total"] == 196
    assert stats["by_status"]["read"] == 4 and stats["by_status"]["inbox"] == 192


def test_a_library_of_one_paper_is_counted_as_one_paper(tmp_path: Path) -> None:
    db = tmp_path / "one.json"
    bib = tmp_path / "one.bib"
    bib.write_text("@article{a1, title = {Deep Reinforcement Learning for Agents}, year = {2024}}\n")
    assert run(db, "import", str(bib)).exit_code == 0
    for verb in ("stats", "doctor"):
        output = run(db, verb).output
        assert "1 paper " in output or "1 paper)" in output, output
        assert "1 papers" not in output, output


def test_env_var_selects_library(seed_library: Path) -> None:
    env = {**os.environ, "READLIST_DB": str(seed_library)}
    out = subprocess.run([sys.executable, "-m", "readlist", "list", "--json"], env=env, capture_output=True,
                         check=True)
    assert len(json.loads(out.stdout)) == 196


def test_corrupt_library_is_a_one_line_error(tmp_path: Path) -> None:
    db = tmp_path / "l.json"
    db.write_bytes(b'{"papers": {"1": {"title": "x"}')
    result = run(db, "list")
    assert result.exit_code == 1
    assert str(db) in result.output and "untouched" in result.output
    assert "Traceback" not in result.output
    assert db.read_bytes() == b'{"papers": {"1": {"title": "x"}'


def test_an_empty_note_says_it_cleared_the_note(seed_library: Path) -> None:
    pid = json.loads(run(seed_library, "list", "--json").stdout)[0]["id"]
    assert run(seed_library, "note", pid, "kept words").exit_code == 0
    result = run(seed_library, "note", pid, "")
    assert result.exit_code == 0
    assert f"note cleared for {pid}" in result.output and "0 characters" not in result.output
    assert run(seed_library, "undo").exit_code == 0
    assert json.loads(run(seed_library, "show", pid, "--json").stdout)["note"] == "kept words"


def test_a_note_left_as_it_was_says_so_and_undo_still_reverts_the_change_before(seed_library: Path) -> None:
    pid = json.loads(run(seed_library, "list", "--json").stdout)[0]["id"]
    assert run(seed_library, "rate", pid, "4").exit_code == 0
    for args in (["--clear"], [""], ["--append", ""]):
        result = run(seed_library, "note", pid, *args)
        assert result.exit_code == 0
        assert "nothing changed" in result.output and "cleared" not in result.output and "undo" not in result.output
    assert run(seed_library, "note", pid, "same").exit_code == 0
    assert f"note unchanged for {pid}" in run(seed_library, "note", pid, "same").output
    assert run(seed_library, "undo").exit_code == 0  # the note given first, not the second no-op
    shown = json.loads(run(seed_library, "show", pid, "--json").stdout)
    assert shown["note"] == "" and shown["rating"] == 4


@pytest.mark.parametrize("before", ["inbox", "reading", "skipped"])
def test_mark_unread_puts_a_read_paper_back_as_r_in_the_app_does(seed_library: Path, before: str) -> None:
    """`mark ID unread` gives what the app's toggle read gives a read paper: the status it had before reading."""
    from readlist.app.commands import SetStatus, ToggleRead

    lib = Library(seed_library)
    by_cli, by_app, not_read = sorted(lib.papers)[:3]
    SetStatus([by_cli, by_app], before).execute(lib)
    SetStatus([by_cli, by_app], "read").execute(lib)
    lib.compact(force=True)
    result = run(seed_library, "mark", by_cli, not_read, "unread", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["unchanged"] == [not_read]  # a paper not read stays as it is
    lib = Library(seed_library)
    ToggleRead([by_app]).execute(lib)
    cli, app = lib.papers[by_cli], lib.papers[by_app]
    assert (cli.status, cli.read_at) == (app.status, app.read_at) == (before, None)
    assert lib.papers[not_read].status == "inbox"
    assert run(seed_library, "undo").exit_code == 0
    assert Library(seed_library).papers[by_cli].status == "read"
    said = run(seed_library, "mark", by_cli, "unread").output  # said as r says it in the app: where it went
    assert f"1 paper back to {Status(before).label}" in said, said
    # A paper that is not read is left alone, and not said to be "already" unread: it may be to-read.
    said = run(seed_library, "mark", not_read, "unread").output
    assert said == "0 papers marked unread (1 not read, so left as is)\n", said


def test_open_hands_the_page_to_a_browser_and_prints_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from readlist.app import browser
    from readlist.app.imports import ImportPapers
    from readlist.core.model import Paper

    db = tmp_path / "lib.json"
    papers = [Paper.create(title="With an id", arxiv_id="2401.00001"),
              Paper.create(title="Hostile page", arxiv_id="2401.00002", url="javascript:alert(1)"),
              Paper.create(title="No address at all")]
    ImportPapers(papers, "test").execute(Library(db))
    asked: list[str] = []
    monkeypatch.setattr(browser, "open_in_browser", lambda url: asked.append(url) or browser.Opened(True))

    opened = run(db, "open", "2401.00001", "--json")
    assert opened.exit_code == 0, opened.output
    assert json.loads(opened.stdout) == {"id": "2401.00001", "url": "https://arxiv.org/abs/2401.00001",
                                         "opened": True, "reason": None}
    assert asked == ["https://arxiv.org/abs/2401.00001"]

    monkeypatch.setattr(browser, "open_in_browser", lambda url: browser.Opened(False, "this is an SSH session"))
    over_ssh = run(db, "open", "2401.00001")
    assert over_ssh.exit_code == 0  # the address is there to follow or copy
    assert over_ssh.stdout.strip() == "https://arxiv.org/abs/2401.00001"
    assert "not opened (this is an SSH session)" in over_ssh.stderr

    asked.clear()
    hostile = run(db, "open", "2401.00002")
    assert hostile.exit_code == 1 and asked == []
    assert "is not an http(s) address" in hostile.stderr

    nowhere = run(db, "open", next(pid for pid in Library(db).papers if pid.startswith("t-")))
    assert nowhere.exit_code == 1 and nowhere.stdout == ""
    assert "has no URL" in nowhere.stderr and "readlist enrich" in nowhere.stderr


def test_open_pdf_hands_the_arxiv_pdf_to_the_browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from readlist.app import browser
    from readlist.app.imports import ImportPapers
    from readlist.core.model import Paper

    db = tmp_path / "lib.json"
    papers = [Paper.create(title="With an id", arxiv_id="2401.00001", url="https://huggingface.co/papers/2401.00001"),
              Paper.create(title="Old style", arxiv_id="hep-th/9901001"),
              Paper.create(title="No id")]
    ImportPapers(papers, "test").execute(Library(db))
    asked: list[str] = []
    monkeypatch.setattr(browser, "open_in_browser", lambda url: asked.append(url) or browser.Opened(True))

    opened = run(db, "open", "2401.00001", "--pdf", "--json")
    assert opened.exit_code == 0, opened.output
    assert json.loads(opened.stdout)["url"] == "https://arxiv.org/pdf/2401.00001"
    assert run(db, "open", "hep-th/9901001", "--pdf").stdout.strip() == "https://arxiv.org/pdf/hep-th/9901001"
    assert asked == ["https://arxiv.org/pdf/2401.00001", "https://arxiv.org/pdf/hep-th/9901001"]

    no_id = run(db, "open", next(pid for pid in Library(db).papers if pid.startswith("t-")), "--pdf")
    assert no_id.exit_code == 1 and no_id.stdout == ""
    assert "no arXiv id, so no PDF link" in no_id.stderr and "readlist enrich" in no_id.stderr


def test_every_command_has_help_with_examples(tmp_path: Path) -> None:
    """The README promises `--help` with examples on every command (`show` had a single "Example:")."""
    import click

    assert isinstance(main, click.Group)
    for name in main.commands:
        result = run(tmp_path / "library.json", name, "--help")
        assert result.exit_code == 0, (name, result.output)
        assert "Examples:" in result.stdout and f"readlist {name}" in result.stdout, name
    assert "readlist show 2310 --json" in run(tmp_path / "library.json", "show", "--help").stdout


def test_text_starting_with_a_dash_is_told_to_go_after_double_dash_and_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`view add neg '-tag:rl'` and `note ID "-5% speedup"` said only "No such option '-t'": the error now says to
    put -- before such text, with the command that works, and that command does what was meant."""
    monkeypatch.setenv("READLIST_CONFIG", str(tmp_path / "config.toml"))
    db = tmp_path / "l.json"
    assert run(db, "import", str(SEEDS[0])).exit_code == 0
    pid = min(Library(db).papers)

    def readlist(*args: str) -> Result:
        return CliRunner().invoke(main, ["--db", str(db), *args], prog_name="readlist")

    for args, suggested in [
        (["view", "add", "neg", "-tag:rl"], ["view", "add", "neg", "--", "-tag:rl"]),
        (["note", pid, "-5% speedup"], ["note", pid, "--", "-5% speedup"]),
    ]:
        refused = readlist(*args)
        assert refused.exit_code == 2 and refused.stdout == ""
        shown = " ".join(f"'{a}'" if " " in a else a for a in suggested)
        assert refused.stderr == (f"readlist {args[0]}{' add' if args[0] == 'view' else ''}: No such option "
                                  f"'{args[-1][:2]}'; if '{args[-1]}' is text, not an option, put -- before it: "
                                  f"`readlist {shown}` (see `readlist {' '.join(args[:2 if args[0] == 'view' else 1])}"
                                  " --help`)\n")
        assert readlist(*suggested).exit_code == 0
    assert Library(db).papers[pid].note == "-5% speedup"
    assert "neg = \"-tag:rl\"" in (tmp_path / "config.toml").read_text()
    # Options after the text would be text too after --: the example leaves the rest to the reader.
    then_json = readlist("view", "add", "n", "-tag:rl", "--json")
    assert "put -- before it: `readlist view add … -- -tag:rl`" in then_json.stderr
    # A typo of an option, and an unknown option of a verb that takes no text, are left as click says them.
    assert readlist("list", "--jsn").stderr == "readlist list: No such option '--jsn'. Did you mean '--json'? " \
                                               "(see `readlist list --help`)\n"
    assert readlist("list", "-z").stderr == "readlist list: No such option '-z'. (see `readlist list --help`)\n"
    # A long option the verb does not have (`cite --query`, a misspelt `--stauts`) is an option, not text.
    assert "put --" not in readlist("cite", pid, "--query", "zzz").stderr
    assert "put --" not in readlist("mark", pid, "--stauts", "read").stderr


def test_a_sort_setting_that_is_no_sort_is_said_and_auto_used(
    seed_library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`sort = "nope"` in config.toml was taken without a word (the app fell back to auto, silently)."""
    from readlist.config.settings import load_config

    config = tmp_path / "config.toml"
    config.write_text('sort = "nope"\n')
    monkeypatch.setenv("READLIST_CONFIG", str(config))
    listed = CliRunner().invoke(main, ["--db", str(seed_library), "list", "--limit", "1"])
    assert listed.exit_code == 0 and "'sort' must be \"auto\" or one of added, date" in listed.stderr
    assert load_config(config).sort == "auto"
    config.write_text('sort = "-upvotes"\n')
    assert load_config(config).sort == "-upvotes" and not load_config(config).problems
