from __future__ import annotations

import os
import shutil
from pathlib import Path

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


def test_the_demo_keeps_its_changes_to_itself_and_leaves_nothing_behind(tmp_path: Path) -> None:
    """A view saved or a theme chosen in the demo must not reach the user's config, which every library shares."""
    import tempfile

    from click.testing import CliRunner

    from readlist.cli import main

    user_config = Path(os.environ["READLIST_CONFIG"])
    before = set(Path(tempfile.gettempdir()).glob("readlist-demo-*"))
    result = CliRunner().invoke(main, ["--demo", "view", "add", "demo-only", "tag:rl"])
    assert result.exit_code == 0, result.output
    assert not user_config.exists()
    assert os.environ["READLIST_CONFIG"] == str(user_config)  # put back for what runs next
    assert set(Path(tempfile.gettempdir()).glob("readlist-demo-*")) == before  # the demo's folder is gone
