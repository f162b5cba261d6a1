from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from readlist.app.demo import build_demo_library, sample_files
from readlist.app.interest import quick_cold_start, rank
from readlist.app.views import count
from readlist.storage.library import Library
from readlist.storage.paths import default_db_path


def test_demo_library_is_built_from_bundled_pages_and_has_history(tmp_path: Path) -> None:
    assert [name for name, _ in sample_files()], "sample pages must ship inside the package"
    path = build_demo_library(tmp_path)
    lib = Library(path)
    assert len(lib) == 196
    statuses = {p.status for p in lib}
    assert statuses == {"inbox", "to-read", "reading", "read", "skipped"}
    assert any(p.rating == 5 for p in lib) and any(p.note for p in lib) and count(lib).by_tag


def test_demo_has_enough_decisions_for_the_interest_order(tmp_path: Path) -> None:
    lib = Library(build_demo_library(tmp_path))
    assert quick_cold_start(lib.papers.values()) is None
    ranking, _ = rank(lib.papers.values())
    inbox = [p for p in ranking.papers if p.status == "inbox"]
    # The demo reader keeps papers on reasoning and language models: those lead the inbox.
    top = [p.title.lower() for p in inbox[:10]]
    assert sum(("reason" in t or "language model" in t or "llm" in t) for t in top) >= 6, top


def test_demo_never_touches_the_users_library(tmp_path: Path) -> None:
    user_db = default_db_path()
    assert str(user_db).startswith(os.environ["READLIST_DB"][:10])
    path = build_demo_library()
    try:
        assert path.exists() and path.parent != user_db.parent
        assert not user_db.exists()
    finally:
        shutil.rmtree(path.parent)


def test_the_demo_keeps_its_changes_to_itself_and_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A view saved or a theme chosen in the demo must not reach the user's config, which every library shares."""
    import tempfile

    from click.testing import CliRunner

    import readlist.cli
    from readlist.cli import main
    from readlist.config.settings import save_view

    def the_app_saves_a_view(path: Path, *, theme: str | None, demo: bool) -> None:
        assert demo and Path(os.environ["READLIST_CONFIG"]).parent == path.parent
        save_view("demo-only", "tag:rl")  # as ctrl+s does in the app

    monkeypatch.setattr(readlist.cli, "_on_a_terminal", lambda: True)
    monkeypatch.setattr("readlist.tui.app.run_app", the_app_saves_a_view)
    user_config = Path(os.environ["READLIST_CONFIG"])
    before = set(Path(tempfile.gettempdir()).glob("readlist-demo-*"))
    result = CliRunner().invoke(main, ["--demo"])
    assert result.exit_code == 0, result.output
    assert not user_config.exists()
    assert os.environ["READLIST_CONFIG"] == str(user_config)  # put back for what runs next
    assert set(Path(tempfile.gettempdir()).glob("readlist-demo-*")) == before  # the demo's folder is gone


def test_demo_with_a_command_is_a_usage_error_and_changes_nothing(seed_library: Path) -> None:
    """`readlist --db lib.json --demo mark ID read` said "1 paper marked read" and changed the throw-away demo
    library: --demo only opens the app, so with a verb it is refused in one line (exit 2), before anything runs."""
    import tempfile

    from click.testing import CliRunner

    from readlist.cli import main

    before = Library(seed_library).papers
    pid = min(before)
    demos = set(Path(tempfile.gettempdir()).glob("readlist-demo-*"))
    result = CliRunner().invoke(main, ["--db", str(seed_library), "--demo", "mark", pid, "read"],
                                prog_name="readlist")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == ("readlist: --demo opens the app on sample papers and cannot be combined with a command; "
                             "run the command without --demo (it works on your library, or the one --db names) "
                             "(see `readlist --help`)\n")
    assert Library(seed_library).papers == before
    assert set(Path(tempfile.gettempdir()).glob("readlist-demo-*")) == demos  # no sample library was made
