"""`E` enriches the paper under the cursor in the background; the list follows; Esc cancels; `o` opens arXiv."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import Static
from tui_helpers import SIZE, fresh, online_finished

from readlist.app.browser import Opened
from readlist.tui.app import ReadlistApp
from readlist.tui.screens import base as base_screen
from readlist.tui.screens.main import MainScreen
from readlist.tui.widgets.paper_list import PaperList
from tests.fake_services import FakeServer, Reply

MakeApp = Callable[..., ReadlistApp]
KNOWN = "Data Factors for Better Compositional Generalization"  # on the stand-in arXiv as 2311.04420


async def test_enrich_renames_the_paper_and_o_opens_its_arxiv_page(
    api: FakeServer, seed_library: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(base_screen, "open_in_browser", lambda url: (opened.append(url), Opened(True))[1])
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        plist = screen.query_one(PaperList)
        plist.move_to(next(i for i, p in enumerate(plist.papers) if p.title == KNOWN))
        old_id = plist.papers[plist.cursor].id
        await pilot.press("E")
        await online_finished(app)
        await pilot.pause()
        current = plist.current
        assert current is not None and current.title == KNOWN and current.id == "2311.04420"
        assert current.authors and old_id in current.aliases
        assert "Enriched 1 of 1 paper" in str(screen.query_one("#topbar", Static).render())
        await pilot.press("o")
        assert opened == ["https://arxiv.org/abs/2311.04420"]
        await pilot.press("u")
        await pilot.pause()
        # One paper, named: its id changed with the enrichment, which is one paper going and another coming.
        assert f"Undid: enriched — “{KNOWN}”" in str(screen.query_one("#topbar", Static).render())
    assert old_id in fresh(seed_library).papers and "2311.04420" not in fresh(seed_library).papers


async def test_esc_cancels_a_running_enrichment(api: FakeServer, seed_library: Path, make_app: MakeApp) -> None:
    release = threading.Event()
    api.script("/arxiv/api/query", Reply(hold=release))  # arXiv does not answer until released
    app = make_app(seed_library)
    try:
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            assert isinstance(screen, MainScreen)
            await pilot.press("space", "space", "space", "E")  # three selected papers
            await pilot.pause()
            assert screen._online is not None
            await pilot.press("escape")
            release.set()
            await online_finished(app)
            await pilot.pause()
            assert screen._online is None
            assert "cancelled" in str(screen.query_one("#topbar", Static).render())
    finally:
        release.set()
    assert len(api.seen("/arxiv/api/query")) <= 2  # it stopped instead of going through all three


async def test_o_without_a_url_names_the_key_that_finds_one_where_it_works(
    seed_library: Path, make_app: MakeApp
) -> None:
    """E (look the paper up on arXiv) is a key of the list: triage mode says so rather than offer a dead key."""
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        plist = app.screen.query_one(PaperList)
        plist.move_to(next(i for i, p in enumerate(plist.papers) if not p.url and not p.arxiv_id))
        screen = app.screen
        assert isinstance(screen, MainScreen)
        screen.say("Skipped: 1 paper (u undoes)")
        await pilot.press("o")
        await pilot.pause()
        assert screen._message == "Not opened"  # the top bar does not keep the last action's words, nor go blank
        await pilot.press("T", "o")
        await pilot.pause()
        messages = [str(n.message) for n in app._notifications]
    assert messages == ["This paper has no URL; E looks it up on arXiv.",
                        "This paper has no URL; E in the list looks it up on arXiv."]


async def test_quitting_while_arxiv_does_not_answer_leaves_nothing_the_exit_waits_for(
    api: FakeServer, seed_library: Path, make_app: MakeApp
) -> None:
    """The lookup runs in a daemon thread and is told to stop: the interpreter's exit never waits for a server."""
    release = threading.Event()
    api.script("/arxiv/api/query", Reply(hold=release))
    app = make_app(seed_library)
    try:
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            assert isinstance(screen, MainScreen)
            await pilot.press("E")
            await pilot.pause()
            cancel = screen._online
            assert cancel is not None and not cancel.is_set()
            (lookup,) = [t for t in threading.enumerate() if t.name == "readlist-network"]
            assert lookup.daemon
            await pilot.press("q")
            await pilot.pause()
            assert cancel.is_set()  # no retry, no wait between requests: it ends with the request under way
    finally:
        release.set()


async def test_a_failure_of_the_background_work_is_told_and_frees_the_network(
    api: FakeServer, seed_library: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    from readlist.app import enrich

    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("an unexpected answer")

    monkeypatch.setattr(enrich, "plan_enrichment", broken)
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await pilot.press("E")
        await online_finished(app)
        await pilot.pause()
        assert screen._online is None  # not "busy with the network" for the rest of the session
        assert "Network task failed; nothing was changed" in str(screen.query_one("#topbar", Static).render())
        assert any("ValueError: an unexpected answer" in str(n.message) for n in app._notifications)
