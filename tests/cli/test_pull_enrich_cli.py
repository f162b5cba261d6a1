"""`readlist pull` and `readlist enrich` end to end, against the local stand-in for the arXiv and HF APIs."""

from __future__ import annotations

import json
import os
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from readlist.app.commands import EditTags, Rate, SetStatus
from readlist.app.notes import SaveNote
from readlist.cli import main
from readlist.storage.library import Library
from tests.fake_services import NET_FIXTURES, FakeServer, Reply

DAY = "2024-08-01"


@pytest.fixture
def api(api: FakeServer) -> FakeServer:
    """The stand-in APIs (tests/conftest.py), with a recorded day of Daily Papers and two papers' records."""
    api.hf.daily[DAY] = json.loads((NET_FIXTURES / "hf-api-daily-2024-08-01.json").read_text("utf-8"))
    for name in ("hf-api-paper-2410.17897.json", "hf-api-paper-2410.21228.json"):
        record = json.loads((NET_FIXTURES / name).read_text(encoding="utf-8"))
        api.hf.papers[record.get("paper", record)["id"]] = record
    return api


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args])


def test_pull_hf_for_a_day_imports_complete_author_lists(api: FakeServer, tmp_path: Path) -> None:
    db = tmp_path / "library.json"
    result = run(db, "pull", "hf", "--date", DAY)
    assert result.exit_code == 0, result.output
    assert "hf:2024-08-01" in result.stdout and "13 added" in result.stdout
    humanoid = Library(db).resolve("2407.21781")
    assert len(humanoid.authors) == 6 and humanoid.url
    again = run(db, "pull", "hf", "--date", DAY, "--json")
    report = json.loads(again.stdout)["reports"][0]
    assert report["added"] == 0 and report["unchanged"] + report["updated"] == 13


def _pulling_hf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A library whose config.toml pulls Hugging Face's Daily Papers when `readlist pull` names no source."""
    config = tmp_path / "config.toml"
    config.write_text('pull_sources = ["hf"]\n')
    monkeypatch.setenv("READLIST_CONFIG", str(config))
    return tmp_path / "library.json"


def test_pull_alone_remembers_the_last_successful_pull(
    api: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = _pulling_hf(tmp_path, monkeypatch)
    assert run(db, "pull").exit_code == 0
    state = json.loads((tmp_path / "library.json.pulls").read_text())
    assert state == {"hf": date.today().isoformat()}


def test_pulling_an_old_day_does_not_move_the_last_pull_back(
    api: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`pull hf --date` of an old day after today's pull left that old day as the last pull, so the next
    `readlist pull` asked for a month of Daily Papers (31 lists) instead of today's."""
    db = _pulling_hf(tmp_path, monkeypatch)
    today = date.today().isoformat()
    assert run(db, "pull").exit_code == 0
    assert run(db, "pull", "hf", "--date", DAY).exit_code == 0
    assert json.loads((tmp_path / "library.json.pulls").read_text()) == {"hf": today}
    asked_before = len(api.seen("/hf/api/daily_papers"))
    assert run(db, "pull").exit_code == 0
    assert [seen.query["date"] for seen in api.seen("/hf/api/daily_papers")[asked_before:]] == [today]


def test_a_pull_after_a_long_gap_says_which_days_it_left_out(
    api: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last pull two years ago: the 31 days a pull reaches were fetched and the rest passed without a word."""
    db = _pulling_hf(tmp_path, monkeypatch)
    assert run(db, "pull", "hf", "--date", DAY).exit_code == 0
    (tmp_path / "library.json.pulls").write_text(json.dumps({"hf": DAY}))
    first = (date.today() - timedelta(days=30)).isoformat()
    result = run(db, "pull", "--json")
    assert result.exit_code == 0, result.output
    days = [seen.query["date"] for seen in api.seen("/hf/api/daily_papers")[1:]]
    assert days[0] == first and len(days) == 31
    note = (f"hf: last pulled on {DAY}, more than 31 days ago; this pull covers {first} to {date.today()}, and "
            "the days between are left out (`readlist pull hf --date DAY` pulls one)")
    assert json.loads(result.stdout)["pull"]["notes"] == [note]
    (tmp_path / "library.json.pulls").write_text(json.dumps({"hf": DAY}))
    assert note in run(db, "pull").stderr
    # A pull within reach says nothing of the kind.
    assert "left out" not in run(db, "pull").stderr


def test_a_pull_whose_every_configured_source_is_invalid_fails(api: FakeServer, tmp_path: Path) -> None:
    """`pull_sources = ["arxiv:bad cat"]` warned, then said "nothing to pull" and exited 0, as if a cron job pulled
    every day: nothing that was asked for can be pulled, so it fails in one line after the warning, asking nothing
    of the network."""
    config = Path(os.environ["READLIST_CONFIG"])
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('pull_sources = ["arxiv:bad cat", "nope"]\n', encoding="utf-8")
    db = tmp_path / "library.json"
    result = run(db, "pull")
    assert result.exit_code == 1 and result.stdout == ""
    *warnings, last = result.stderr.splitlines()
    assert len(warnings) == 2 and all("left out" in line for line in warnings)
    assert last == ("readlist: nothing that was asked for can be pulled: every source in config.toml's pull_sources "
                    "was left out ('arxiv:bad cat', 'nope'); give sources such as \"hf\" or \"arxiv:cs.CL\"")
    assert not api.requests
    config.write_text("pull_sources = []\n", encoding="utf-8")  # none asked for: nothing to do, and that is fine
    assert run(db, "pull").exit_code == 0


@pytest.mark.parametrize("args", [["pull", "hf", "--days", "2"], ["pull", "--date", DAY], ["pull", "--since", DAY],
                                  ["pull", "--days", "1"]])
def test_an_option_of_another_source_is_refused_not_ignored(api: FakeServer, tmp_path: Path, args: list[str]) -> None:
    """`pull hf --days 2` and `pull --date D` pulled today's papers as if the option were not there."""
    result = run(tmp_path / "library.json", *args)
    assert result.exit_code == 2 and "go" in result.stderr, result.output
    assert api.seen("/hf/api/daily_papers") == []


def test_a_failing_service_is_one_line_and_changes_nothing(api: FakeServer, tmp_path: Path) -> None:
    db = tmp_path / "library.json"
    api.script("/hf/api/daily_papers", Reply(503), Reply(503), Reply(503))
    result = run(db, "pull", "hf", "--date", DAY)
    assert result.exit_code == 1
    assert "Hugging Face" in result.output and "Traceback" not in result.output
    assert not db.exists() or not Library(db).papers
    assert not (tmp_path / "library.json.pulls").exists()


def test_a_malformed_list_is_a_failed_pull_not_an_empty_day(
    api: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A list of entries none of which is a paper said "no papers listed", exited 0 and recorded the day as pulled."""
    db = _pulling_hf(tmp_path, monkeypatch)
    api.script("/hf/api/daily_papers", Reply(200, b'["a", 1, null]', {"Content-Type": "application/json"}))
    result = run(db, "pull")
    assert result.exit_code == 1, result.output
    assert "the answer is not the JSON expected (none of its 3 entries for " in result.output
    assert "no papers listed" not in result.output
    assert not (tmp_path / "library.json.pulls").exists()


@pytest.mark.parametrize("after_the_verb", [False, True])
def test_offline_refuses_every_network_command(api: FakeServer, seed_library: Path, after_the_verb: bool) -> None:
    for args in (["pull", "hf"], ["enrich", "--all"], ["import", "https://huggingface.co/papers"]):
        line = [*args, "--db", str(seed_library), "--offline"] if after_the_verb else [
            "--db", str(seed_library), "--offline", *args]
        result = CliRunner().invoke(main, line)
        assert result.exit_code == 1, (args, result.output)
        assert "offline" in result.output.lower()
    assert api.requests == []


@pytest.mark.parametrize("args", [["pull", "hf"], ["enrich", "--all"], ["import", "https://huggingface.co/papers"]])
def test_a_refusal_with_json_is_the_json_report_and_one_line_on_stderr(
    api: FakeServer, seed_library: Path, args: list[str]
) -> None:
    """A script logging stderr (cron mails it) learns why exit status 1, as without --json."""
    result = CliRunner().invoke(main, ["--db", str(seed_library), "--offline", *args, "--json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)  # the report, unchanged
    assert result.stderr.startswith("readlist: ") and result.stderr.count("\n") == 1, result.stderr
    if args[0] == "enrich":  # offline, no request went out, and the report does not count one
        assert report["plan"]["requests"] == {"arxiv": 0, "hf": 0}


def test_an_enrich_whose_lookups_all_failed_says_so_and_exits_1(api: FakeServer, seed_library: Path) -> None:
    """A proxy answering an error page: every paper failed and nothing changed, yet the run exited 0 with a
    summary that did not count the failures. It is reported as a pull with a source that failed is."""
    api.script("/arxiv/api/query", Reply(200, b"<html><body>Proxy error</body></html>",
                                         {"Content-Type": "text/html"}))
    before = Library(seed_library).papers
    result = run(seed_library, "enrich", "--all")
    assert result.exit_code == 1, result.output
    failed = result.stdout.count("failed     ")
    assert failed and "0 changed" in result.stdout and f"{failed} failed" in result.stdout
    assert result.stderr == (f"readlist: {failed} papers could not be looked up; nothing was changed; "
                             "`readlist enrich` again tries them again\n")
    assert Library(seed_library).papers == before


@pytest.mark.parametrize(("args", "said"), [
    (["--all", "2004.02153"], "ids and --all cannot be combined"),
    (["--query", "tag:rl", "2004.02153"], "ids and --query cannot be combined"),
    (["--all", "--query", "tag:rl"], "--all and --query cannot be combined"),
    ([], "name papers (ID...), or use --all or --query"),
])
def test_enrich_names_the_choices_that_cannot_be_combined(seed_library: Path, args: list[str], said: str) -> None:
    """`enrich --all 2004.02153` answered "name papers (ID...), or use --all or --query", though it had."""
    result = CliRunner().invoke(main, ["--db", str(seed_library), "enrich", *args], prog_name="readlist")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith(f"readlist enrich: {said}") and result.stderr.count("\n") == 1


@pytest.mark.parametrize("args", [["--query", "tag:zzzz"], ["--all", "--db", "EMPTY"],
                                  ["--query", "tag:zzzz", "--dry-run"]])
def test_enrich_with_no_papers_to_look_up_prints_its_json_with_nothing_in_it(
    api: FakeServer, seed_library: Path, tmp_path: Path, args: list[str]
) -> None:
    """`enrich --query 'tag:zzzz' --json` printed the plain words "no papers to enrich", which no JSON reader takes:
    it prints the document it prints otherwise, every list empty, and says so on stderr."""
    args = [str(tmp_path / "empty.json") if a == "EMPTY" else a for a in args]
    result = run(seed_library, "enrich", *args, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"plan", "dry_run", "applied"} and data["applied"] is None
    assert data["dry_run"] == ("--dry-run" in args)
    assert all(data["plan"][name] == [] for name in ("changes", "unchanged", "ambiguous", "not_found", "failed"))
    assert result.stderr == "no papers to enrich\n"
    assert not api.requests  # nothing to look up, nothing asked
    text = run(seed_library, "enrich", *args)
    assert text.exit_code == 0 and text.stdout == "" and text.stderr == "no papers to enrich\n"


def test_enrich_all_fills_ids_and_authors_and_keeps_every_user_field(api: FakeServer, seed_library: Path) -> None:
    lib = Library(seed_library)
    target = next(p for p in lib.papers.values() if p.title == "Data Factors for Better Compositional Generalization")
    SetStatus([target.id], "read").execute(lib)
    Rate([target.id], 4).execute(lib)
    EditTags([target.id], add=["compositional"]).execute(lib)
    SaveNote(target.id, "keep this note").execute(lib)
    before = {p.title: (p.status, p.rating, p.tags, p.note) for p in Library(seed_library).papers.values()}

    dry = run(seed_library, "enrich", "--all", "--dry-run")
    assert dry.exit_code == 0 and "would change" in dry.stdout
    assert target.id in Library(seed_library).papers  # a dry run changes nothing

    result = run(seed_library, "enrich", "--all", "--json")
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)["plan"]
    assert plan["changes"] and plan["not_found"]  # the rest is reported, not guessed
    after = Library(seed_library)
    enriched = after.resolve(target.id)  # the old id still finds it
    assert enriched.id == "2311.04420" and enriched.authors and enriched.url
    assert (enriched.status, enriched.rating, enriched.tags, enriched.note) == before[target.title]
    assert {p.title: (p.status, p.rating, p.tags, p.note) for p in after.papers.values()} == before
    undone = run(seed_library, "undo")
    assert undone.exit_code == 0
    assert Library(seed_library).papers[target.id].note == "keep this note"


def test_undo_json_names_a_renamed_paper_once_by_the_id_it_has_now(api: FakeServer, seed_library: Path) -> None:
    """Undoing an enrichment that gave a paper its arXiv id lists the paper once, as the plain output counts it, by
    the id it has after the undo (it listed both ids), the other one given as the id it had."""
    target = next(p for p in Library(seed_library).papers.values()
                  if p.title == "Data Factors for Better Compositional Generalization")
    assert run(seed_library, "enrich", target.id).exit_code == 0
    assert "2311.04420" in Library(seed_library).papers

    undone = run(seed_library, "undo", "--json")
    assert undone.exit_code == 0, undone.output
    told = json.loads(undone.stdout)
    assert told["papers"] == [target.id] and told["renamed_from"] == {target.id: "2311.04420"}
    redone = json.loads(run(seed_library, "undo", "--json").stdout)
    assert redone["action"] == "redo" and redone["papers"] == ["2311.04420"]
    assert redone["renamed_from"] == {"2311.04420": target.id}
    assert "undid enriched: 1 paper\n" in run(seed_library, "undo").stdout  # the plain output counts it once


def test_an_interrupted_enrich_keeps_the_groups_applied_as_one_undo_step(
    api: FakeServer, seed_library: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C in the middle of `enrich --all` keeps what was settled before it (it lost everything), says so in
    one line and exits 130; `readlist undo` takes all of it back at once."""
    from readlist.cli import net_cmds
    from readlist.net.arxiv_api import ArxivClient

    monkeypatch.setattr(net_cmds, "ENRICH_GROUP", 10, raising=False)
    search = ArxivClient.search_title
    calls: list[str] = []

    def interrupted_on_the_25th(self: ArxivClient, title: str) -> list[Any]:
        calls.append(title)
        if len(calls) == 25:
            raise KeyboardInterrupt
        return search(self, title)

    monkeypatch.setattr(ArxivClient, "search_title", interrupted_on_the_25th)
    result = run(seed_library, "enrich", "--all")
    assert result.exit_code == 130, result.output
    kept = [p for p in Library(seed_library).papers.values() if p.arxiv_id]
    assert kept, "the groups settled before the interruption are kept"
    assert result.stderr == (f"readlist: interrupted: the {len(kept)} papers enriched so far are kept (`readlist "
                             "undo` takes them back); `readlist enrich` again skips what is complete\n")
    assert run(seed_library, "undo").exit_code == 0
    assert not any(p.arxiv_id for p in Library(seed_library).papers.values())


def test_each_enrich_group_is_planned_from_the_library_as_it_is_when_its_turn_comes(
    api: FakeServer, seed_library: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A paper another writer corrects or deletes while `enrich` runs (after the run began, before its group is
    looked up) is planned from its record as it is then: looked up by its corrected title, and not at all once
    deleted (both were looked up, and the deleted one reported, from the records read when the run began)."""
    from readlist.app.commands import Delete
    from readlist.app.details import EditDetails
    from readlist.cli import net_cmds
    from readlist.net.arxiv_api import ArxivClient

    monkeypatch.setattr(net_cmds, "ENRICH_GROUP", 10, raising=False)
    papers = list(Library(seed_library).papers.values())[:20]
    assert not any(p.arxiv_id for p in papers)  # each is looked up by its title
    corrected, deleted = papers[12], papers[15]
    searched: list[str] = []

    def another_writer_meanwhile(self: ArxivClient, title: str) -> list[Any]:
        if not searched:  # the first group's first lookup: the run has read what it enriches
            other = Library(seed_library)
            EditDetails(corrected.id, {"title": "A Title Corrected Meanwhile"}).execute(other)
            Delete([deleted.id]).execute(other)
        searched.append(title)
        return []

    monkeypatch.setattr(ArxivClient, "search_title", another_writer_meanwhile)
    result = run(seed_library, "enrich", *(p.id for p in papers), "--json")
    assert result.exit_code == 0, result.output
    assert "A Title Corrected Meanwhile" in searched and corrected.title not in searched
    assert deleted.title not in searched and len(searched) == 19
    plan = json.loads(result.stdout)["plan"]
    assert deleted.id not in {item["id"] for part in ("not_found", "ambiguous", "failed") for item in plan[part]}
    after = Library(seed_library)
    assert deleted.id not in after.papers and after.papers[corrected.id].title == "A Title Corrected Meanwhile"


def test_an_interrupted_pull_keeps_the_days_it_had_and_remembers_no_pull(
    api: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C on the second day of `pull hf --since` keeps the first day's papers (it kept none), exits 130 with
    one line, and leaves the last successful pull as it was; `readlist undo` takes the papers back."""
    from datetime import timedelta

    from readlist.net.hf_api import HfClient

    daily = HfClient.daily_papers
    days: list[date] = []

    def interrupted_on_the_second_day(self: HfClient, day: date, **kwargs: Any) -> Any:
        days.append(day)
        if len(days) == 2:
            raise KeyboardInterrupt
        return daily(self, date.fromisoformat(DAY), **kwargs)  # every day lists that day's papers

    monkeypatch.setattr(HfClient, "daily_papers", interrupted_on_the_second_day)
    db = tmp_path / "library.json"
    since = (date.today() - timedelta(days=2)).isoformat()
    result = run(db, "pull", "hf", "--since", since)
    assert result.exit_code == 130, result.output
    assert len(Library(db).papers) == 13
    assert result.stderr == ("readlist: interrupted: the 13 papers pulled so far are kept (`readlist undo` takes "
                             "them back); `readlist pull` again pulls the rest\n")
    assert not (tmp_path / "library.json.pulls").exists()
    assert run(db, "undo").exit_code == 0
    assert not Library(db).papers


def _config_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text("offline = true\n")
    monkeypatch.setenv("READLIST_CONFIG", str(config))
    monkeypatch.setenv("READLIST_OFFLINE", env)


@pytest.mark.parametrize("args", [["pull", "hf"], ["enrich", "--all"], ["import", "2410.21228"],
                                  ["import", "https://huggingface.co/papers"]])
def test_an_empty_offline_variable_leaves_the_files_offline_for_every_network_command(
    api: FakeServer, seed_library: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    """`READLIST_OFFLINE=` (empty) read as "false" let pull and enrich go online although config.toml said
    offline, while import refused: empty is not set, and the file's `offline = true` stands for all of them."""
    _config_offline(seed_library.parent, monkeypatch, "")
    result = run(seed_library, *args)
    assert result.exit_code == 1, result.output
    assert "set to work offline" in result.output
    assert "warning" not in result.output
    assert api.requests == []


def test_an_offline_variable_of_0_wins_over_the_file_for_an_import_by_id(
    api: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The environment wins over config.toml for import as it does for pull and enrich."""
    _config_offline(tmp_path, monkeypatch, "0")
    result = run(tmp_path / "library.json", "import", "2410.21228")
    assert result.exit_code == 0, result.output
    assert Library(tmp_path / "library.json").papers["2410.21228"].title


def test_an_unusable_offline_variable_is_one_warning_and_the_file_stands_for_import(
    api: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _config_offline(tmp_path, monkeypatch, "maybe")
    result = run(tmp_path / "library.json", "import", "2410.21228")
    assert result.exit_code == 1
    assert result.stderr.count("READLIST_OFFLINE must be true or false; using true") == 1
    assert "set to work offline" in result.output and api.requests == []


def test_a_category_arxiv_does_not_have_is_refused_before_any_request(api: FakeServer, seed_library: Path) -> None:
    """arXiv answers `cat:cs.cl` with an empty list: the pull said "no new papers" for a typo, every day."""
    result = CliRunner().invoke(main, ["--db", str(seed_library), "pull", "arxiv", "cs.LG", "cs.cl"])
    assert result.exit_code == 2, result.output
    assert "'cs.cl' is written 'cs.CL' on arXiv" in result.stderr and result.stderr.count("\n") == 1
    assert api.requests == []
