"""Importing from the app: the palette's "Import papers…" box (ids, URLs, files) and "Import from the clipboard"."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from tui_helpers import SIZE, fresh, import_in_app, online_finished, topbar

from readlist.tui.app import ReadlistApp
from readlist.tui.widgets.paper_list import PaperList
from tests.fake_services import FakeServer, Reply

MakeApp = Callable[..., ReadlistApp]
SEEDS = Path(__file__).parent.parent / "fixtures" / "seeds"
NEW = "2202.12139"  # on the stand-in arXiv, not among the seed papers


async def test_ids_typed_in_the_import_box_are_imported_and_one_u_takes_them_back(
    api: FakeServer, small_library: Path, make_app: MakeApp
) -> None:
    before = set(fresh(small_library).papers)
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await import_in_app(pilot, f"{NEW} arXiv:2501.99999")
        assert "Imported 1 new paper; 1 source failed (u undoes)" in topbar(app)
        assert any("arXiv:2501.99999: arXiv has no paper 2501.99999" in str(n.message) for n in app._notifications)
        current = app.screen.query_one(PaperList).current
        assert current is not None and current.id == NEW  # the cursor on what was imported
        assert set(fresh(small_library).papers) - before == {NEW}
        assert fresh(small_library).papers[NEW].sources == [f"arxiv:{NEW}"]
        await pilot.press("u")
        await pilot.pause()
    assert set(fresh(small_library).papers) == before


async def test_enter_alone_imports_the_clipboard(
    small_library: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyperclip

    copied = sorted(SEEDS.glob("*.txt"))[1].read_text(encoding="utf-8")
    monkeypatch.setattr(pyperclip, "paste", lambda: copied)
    before = set(fresh(small_library).papers)
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await import_in_app(pilot, "")
        after = fresh(small_library).papers
        added = set(after) - before
        assert len(added) > 10
        assert f"Imported {len(added)} new papers" in topbar(app)
    assert all(after[pid].sources == ["clipboard"] for pid in added)


async def test_offline_the_box_refuses_ids_and_changes_nothing(
    api: FakeServer, small_library: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("READLIST_OFFLINE", "1")
    before = set(fresh(small_library).papers)
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await import_in_app(pilot, NEW)
        assert "Imported 0 new papers; 1 source failed" in topbar(app)
        assert any("offline" in str(n.message) for n in app._notifications)
    assert api.requests == []
    assert set(fresh(small_library).papers) == before


async def test_esc_while_arxiv_does_not_answer_ends_with_that_request_and_says_cancelled(
    api: FakeServer, small_library: Path, make_app: MakeApp
) -> None:
    """A failed request is not tried again once Esc was pressed: the retries took up to the whole deadline."""
    release = threading.Event()
    api.script("/arxiv/api/query", Reply(503, hold=release))  # arXiv does not answer until released, then fails
    before = set(fresh(small_library).papers)
    app = make_app(small_library)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("ctrl+p", *"Import papers", "enter")
            await pilot.pause()
            await pilot.press(*NEW, "enter")
            await pilot.pause()
            await pilot.press("escape")
            release.set()
            await online_finished(app)
            await pilot.pause()
            assert "Imported 0 new papers; 1 source failed; cancelled" in topbar(app)
    finally:
        release.set()
    assert len(api.seen("/arxiv/api/query")) == 1
    assert set(fresh(small_library).papers) == before


async def test_import_from_the_clipboard_takes_a_copied_arxiv_link(
    api: FakeServer, small_library: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyperclip

    monkeypatch.setattr(pyperclip, "paste", lambda: f"https://arxiv.org/abs/{NEW}v1\n")
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p", *"Import from the clipboard", "enter")
        await online_finished(app)
        await pilot.pause()
        assert "Imported 1 new paper (u undoes)" in topbar(app)
        current = app.screen.query_one(PaperList).current
        assert current is not None and current.id == NEW
    assert fresh(small_library).papers[NEW].sources == ["clipboard"]


def test_ids_pasted_with_commas_in_the_box_are_the_ids_and_links_and_files_stay_whole() -> None:
    """A list of ids from a mail ("2202.12139, 1910.10897") was read as a file "2202.12139," that did not exist."""
    from readlist.app.imports import split_sources

    assert split_sources(f"{NEW}, 1910.10897;hep-th/9901001") == [NEW, "1910.10897", "hep-th/9901001"]
    assert split_sources(f"'my notes, v2.html' https://huggingface.co/papers/{NEW} a,b") == [
        "my notes, v2.html", f"https://huggingface.co/papers/{NEW}", "a,b"]
