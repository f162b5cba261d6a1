"""Saved searches from the command line: `readlist view`, kept in config.toml beside the user's comments."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from readlist.cli import main
from tests.conftest import SEEDS


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args], catch_exceptions=False)


def seeds_with_config(tmp_path: Path, text: str) -> tuple[Path, Path]:
    """A library of the seed papers, and the config file holding ``text``."""
    db = tmp_path / "library.json"
    assert run(db, "import", *map(str, SEEDS)).exit_code == 0
    config = Path(os.environ["READLIST_CONFIG"])
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(text, encoding="utf-8")
    return db, config


def test_add_list_and_remove_with_live_counts(tmp_path: Path) -> None:
    db, config = seeds_with_config(tmp_path, '# my settings\ntheme = "readlist-light"  # the light one\n')

    added = run(db, "view", "add", "reasoning", "reasoning OR title:agent", "--json")
    assert added.exit_code == 0, added.output
    assert json.loads(added.stdout) == {"name": "reasoning", "query": "reasoning OR title:agent",
                                        "config": str(config)}
    text = config.read_text(encoding="utf-8")
    assert "# my settings" in text and "# the light one" in text  # comments survive

    expected = len(json.loads(run(db, "list", "--json", "--query", "reasoning OR title:agent").stdout))
    assert expected > 0
    listed = json.loads(run(db, "view", "--json").stdout)
    assert listed == [{"name": "reasoning", "query": "reasoning OR title:agent", "papers": expected, "error": None}]
    # Counts are live: skipping papers does not change them, tagging a paper into the search does.
    first = json.loads(run(db, "list", "--json", "--query", "-reasoning -title:agent", "--limit", "1").stdout)[0]
    assert run(db, "view", "add", "reasoning", "reasoning OR title:agent OR tag:later").exit_code == 0
    assert run(db, "tag", first["id"], "later").exit_code == 0
    assert json.loads(run(db, "view", "--json").stdout)[0]["papers"] == expected + 1
    assert "reasoning" in run(db, "view").stdout

    removed = run(db, "view", "rm", "reasoning", "--json")
    assert json.loads(removed.stdout) == {"removed": "reasoning", "query": "reasoning OR title:agent OR tag:later"}
    assert json.loads(run(db, "view", "--json").stdout) == []
    assert "# the light one" in config.read_text(encoding="utf-8")


def test_bad_query_and_unknown_view_are_one_line_errors(tmp_path: Path) -> None:
    db = tmp_path / "library.json"
    bad = run(db, "view", "add", "broken", '"unclosed')
    assert bad.exit_code == 2
    assert len(bad.stderr.strip().splitlines()) == 1 and "QUERY" in bad.stderr
    missing = run(db, "view", "rm", "nothing-here")
    assert missing.exit_code == 1
    assert missing.stderr.strip() == "readlist: no saved view named 'nothing-here' (see `readlist view`)"


def test_a_view_broken_by_hand_is_listed_with_why_and_the_others_still_count(tmp_path: Path) -> None:
    db, _ = seeds_with_config(tmp_path, '[views]\nbad = "rating>=many"\ngood = "reasoning"\n')
    listed = run(db, "view")
    assert listed.exit_code == 0
    lines = listed.stdout.splitlines()
    assert any(line.startswith("bad") and "cannot be read" in line for line in lines)
    assert any(line.startswith("good") and "cannot be read" not in line for line in lines)
    as_json = {v["name"]: v for v in json.loads(run(db, "view", "--json").stdout)}
    assert as_json["bad"]["papers"] is None and as_json["bad"]["error"]
    assert as_json["good"]["papers"] > 0 and as_json["good"]["error"] is None


@pytest.mark.parametrize("verb", [["list", "--json"], ["list"], ["export"], ["export", "-f", "json"]])
def test_listing_or_exporting_a_view_broken_by_hand_is_a_usage_error_naming_it(tmp_path: Path, verb: list[str]) -> None:
    """`list --view broken --json` printed [] with status 0, as for a view that matches nothing: it is refused as
    the same text given to --query is (exit 2), with the view's name and why."""
    db, config = seeds_with_config(tmp_path, '[views]\nbroken = "tag:rl ("\nempty = "tag:"\n')
    for name in ("broken", "empty"):
        result = run(db, *verb, "--view", name)
        assert result.exit_code == 2 and result.stdout == ""
        assert len(result.stderr.splitlines()) == 1
        assert f"the saved view '{name}' cannot be read: " in result.stderr and str(config) in result.stderr
    assert "never closed" in run(db, *verb, "--view", "broken").stderr


def test_a_view_needs_a_search_and_a_name_of_its_own(tmp_path: Path) -> None:
    db = tmp_path / "library.json"
    for name, query in (("x", ""), ("x", "   "), ("Inbox", "tag:rl"), ("to read", "tag:rl"), ("#llm", "reasoning")):
        result = run(db, "view", "add", name, query)
        assert result.exit_code == 2, (name, query)
        assert len(result.stderr.strip().splitlines()) == 1
    # "#llm" is the view of the tag llm: saved, `--view '#llm'` would have named two views.
    assert "a name starting with # is a tag's view" in run(db, "view", "add", "#llm", "reasoning").stderr
    # A second "Inbox" in the sidebar, told apart from the app's own by a zero-width space.
    for hidden in ("Inbox\u200b", "mine\u2060", "to\u00adread"):
        result = run(db, "view", "add", hidden, "tag:x")
        assert result.exit_code == 2 and "holds an invisible character (U+" in result.stderr
        assert "\u200b" not in result.stderr and "\u2060" not in result.stderr
    assert not Path(os.environ["READLIST_CONFIG"]).exists()


def test_a_full_disk_says_so_in_words_and_the_views_stay(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db, config = seeds_with_config(tmp_path, '[views]\nmine = "tag:x"\n')
    import readlist.config.settings as settings

    def full(path: Path, data: bytes) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(settings, "atomic_write_bytes", full)
    for args in (["view", "add", "other", "reasoning"], ["view", "rm", "mine"]):
        result = CliRunner().invoke(main, ["--db", str(db), *args])
        assert result.exit_code == 1
        assert "No space left on device; the views are as they were" in result.stderr, result.stderr
        assert "Errno" not in result.stderr
    assert config.read_text(encoding="utf-8") == '[views]\nmine = "tag:x"\n'


def _ids(result: Result) -> list[str]:
    assert result.exit_code == 0, result.output
    return [paper["id"] for paper in json.loads(result.stdout)]


def test_list_and_export_take_a_view_named_as_the_sidebar_names_it(tmp_path: Path) -> None:
    db, _ = seeds_with_config(tmp_path, "")
    some = _ids(run(db, "list", "--json", "--limit", "3"))
    assert run(db, "tag", some[0], "rl").exit_code == 0
    assert run(db, "tag", some[1], "rl").exit_code == 0
    assert run(db, "rate", some[2], "5").exit_code == 0
    assert run(db, "view", "add", "Agents", "title:agent").exit_code == 0

    # A saved view is its search; a tag's view (with or without #) its papers; the app's own views by label.
    assert _ids(run(db, "list", "--view", "agents", "--json")) == _ids(run(db, "list", "--query", "title:agent",
                                                                          "--json"))
    assert sorted(_ids(run(db, "list", "--view", "#rl", "--json"))) == sorted(some[:2])
    assert _ids(run(db, "list", "--view", "RL", "--json")) == _ids(run(db, "list", "--view", "#rl", "--json"))
    assert _ids(run(db, "list", "--view", " rated 4+ ", "--json")) == [some[2]]
    assert len(_ids(run(db, "list", "--view", "Inbox", "--json"))) == len(_ids(run(db, "list", "--status", "inbox",
                                                                                   "--json")))
    # The query narrows the view, the sort orders it.
    assert _ids(run(db, "list", "--view", "#rl", "--query", f"id:{some[1]}", "--json")) == [some[1]]

    exported = run(db, "export", "--view", "#rl", "--format", "json")
    assert exported.exit_code == 0, exported.output
    assert sorted(p["id"] for p in json.loads(exported.stdout)) == sorted(some[:2])


def test_an_unknown_view_or_a_view_with_a_status_is_a_usage_error(tmp_path: Path) -> None:
    db, _ = seeds_with_config(tmp_path, "")
    unknown = run(db, "list", "--view", "nope")
    assert unknown.exit_code == 2 and unknown.stdout == ""
    assert "no view named 'nope'" in unknown.stderr and "Rated 4+" in unknown.stderr
    both = run(db, "export", "--view", "Inbox", "--status", "read")
    assert both.exit_code == 2 and "give one" in both.stderr


def test_a_name_differing_only_in_case_is_refused_and_view_rm_finds_any_case(tmp_path: Path) -> None:
    """`view add Mine …; view add mine …` saved both, `--view mine` found the first and `view rm MINE` neither."""
    db, config = seeds_with_config(tmp_path, "")
    assert run(db, "view", "add", "Mine", "tag:rl").exit_code == 0
    twin = run(db, "view", "add", "mine", "tag:x")
    assert twin.exit_code == 2
    assert len(twin.stderr.strip().splitlines()) == 1
    assert "“mine” differs only in case from the saved view “Mine”" in twin.stderr
    assert run(db, "view", "add", "Mine", "tag:x").exit_code == 0  # its own name replaces it
    assert json.loads(run(db, "view", "--json").stdout) == [
        {"name": "Mine", "query": "tag:x", "papers": 0, "error": None}]
    removed = run(db, "view", "rm", "MINE", "--json")
    assert removed.exit_code == 0, removed.output
    assert json.loads(removed.stdout) == {"removed": "Mine", "query": "tag:x"}
    assert "Mine" not in config.read_text()


def test_of_two_views_differing_in_case_the_one_named_exactly_is_found(tmp_path: Path) -> None:
    """A config.toml from before such names were refused may hold both: each is still reachable."""
    db, _ = seeds_with_config(tmp_path, '[views]\nMine = "status:inbox"\nmine = "zzzz-nothing"\n')
    assert json.loads(run(db, "list", "--view", "mine", "--json").stdout) == []
    assert json.loads(run(db, "list", "--view", "Mine", "--json").stdout)
    ambiguous = run(db, "view", "rm", "MINE")  # neither: removing one on a guess could remove the wrong one
    assert ambiguous.exit_code == 1 and "'MINE' could name the saved views 'Mine' or 'mine'" in ambiguous.stderr
    assert run(db, "view", "rm", "mine").exit_code == 0
    assert run(db, "view", "rm", "mine").exit_code == 0  # now the other one, in any case
    assert run(db, "view", "rm", "mine").exit_code == 1


def test_view_rm_finds_the_view_by_the_name_add_saved(tmp_path: Path) -> None:
    db, _ = seeds_with_config(tmp_path, "")
    assert run(db, "view", "add", "  To do  ", "tag:later").exit_code == 0
    removed = run(db, "view", "rm", " To do ", "--json")
    assert removed.exit_code == 0, removed.output
    assert json.loads(removed.stdout)["removed"] == "To do"
