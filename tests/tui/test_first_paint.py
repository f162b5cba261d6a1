"""The app paints the last run's first screen at once and reads the library in the background.

Keys that need the library wait for it and then take effect; the screen is redrawn from the library
as soon as it has loaded, so what the kept first screen showed is never what the user works on.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from filelock import FileLock
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, Static
from tui_helpers import SIZE, TODAY, fresh

from readlist.app.commands import SetStatus
from readlist.app.first_screen import kept_first_screen, save_first_screen
from readlist.app.remembered_interest import recall_scores, remember_scores
from readlist.app.session import Session
from readlist.app.ui_state import UiState, save_ui_state
from readlist.config.settings import load_config
from readlist.tui.app import ReadlistApp, create_app
from readlist.tui.screens.main import MainScreen
from readlist.tui.widgets.paper_list import PaperList


def deferred_app(path: Path, gate: threading.Event) -> ReadlistApp:
    """The app as ``readlist`` starts it with a kept first screen, the library read only when ``gate`` opens.

    With the last session's interest scores when they were kept, as ``readlist`` reads them.
    """
    first = kept_first_screen(path)
    assert first is not None
    session = Session.open(path, settings=load_config(), load=False)
    real_load = session.load

    def load() -> None:
        gate.wait(10)
        real_load()

    session.load = load  # type: ignore[method-assign]
    return create_app(session, today=TODAY, first_screen=first, remembered=recall_scores(path))


async def let_load(app: ReadlistApp, pilot: Pilot[None], gate: threading.Event) -> None:
    """Let the library be read, and wait until the app has it and has drawn it."""
    gate.set()
    for _ in range(100):
        await pilot.pause(0.02)
        if app.session.library.ready:
            break
    await pilot.pause()
    assert app.session.library.ready


async def painted_while_loading(app: ReadlistApp, pilot: Pilot[None]) -> MainScreen:
    """The main screen once painted, the library still unread (its gate closed)."""
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, MainScreen) and not app.session.library.ready
    return screen


def keep_first_screen(path: Path) -> None:
    save_first_screen(Session.open(path, settings=load_config()), "status:inbox", "added")


async def test_the_first_screen_is_painted_before_the_library_is_read(small_library: Path) -> None:
    keep_first_screen(small_library)
    kept = kept_first_screen(small_library)
    assert kept is not None
    gate = threading.Event()
    app = deferred_app(small_library, gate)
    async with app.run_test(size=SIZE) as pilot:
        screen = await painted_while_loading(app, pilot)
        rows = screen.query_one(PaperList)
        assert [p.id for p in rows.papers] == [p.id for p in kept.papers]
        topbar = str(screen.query_one("#topbar", Static).render())
        assert "Loading" in topbar and f"Inbox {kept.shown}" in topbar
        first = rows.current
        assert first is not None
        await pilot.press("j", "k")  # moving works on what is shown
        await pilot.press("s")  # keeping waits for the library
        assert fresh(small_library).papers[first.id].status == "inbox"
        gate.set()
        for _ in range(100):
            await pilot.pause(0.02)
            if app.session.library.ready and fresh(small_library).papers[first.id].status == "to-read":
                break
        assert fresh(small_library).papers[first.id].status == "to-read"
        await pilot.pause()
        assert "Loading" not in str(screen.query_one("#topbar", Static).render())
        assert all(p is app.session.library.papers[p.id] for p in rows.papers)  # the library's own papers now
        assert first.id not in [p.id for p in rows.papers]


async def test_an_inbox_in_interest_order_is_painted_in_that_order_and_stays_in_it(seed_library: Path) -> None:
    small_library = seed_library  # decided below: enough decisions for a model
    lib = fresh(small_library)
    ids = sorted(lib.papers)
    SetStatus(ids[5:10], "to-read").execute(lib)
    SetStatus(ids[10:15], "skipped").execute(lib)
    lib.compact(force=True)
    # The last session's scores: an order that is neither date added nor upvotes.
    remember_scores(small_library, {paper_id: (n * 7 % 12) / 12 for n, paper_id in enumerate(ids)})
    save_first_screen(Session.open(small_library, settings=load_config()), "status:inbox", "auto")
    kept = kept_first_screen(small_library)
    assert kept is not None and kept.sort == "interest"
    gate = threading.Event()
    app = deferred_app(small_library, gate)
    async with app.run_test(size=SIZE) as pilot:
        screen = await painted_while_loading(app, pilot)
        rows = screen.query_one(PaperList)
        painted = [p.id for p in rows.papers]
        assert painted == [p.id for p in kept.papers]  # the kept screen, not "Loading the library …"
        assert "★ interest" in str(screen.query_one("#topbar", Static).render())
        await let_load(app, pilot, gate)
        # Loading the library did not reorder it (the kept screen held the first rows; the list now has all).
        assert [p.id for p in rows.papers][: len(painted)] == painted


async def test_scores_that_are_not_about_the_loaded_library_are_dropped_when_it_loads(small_library: Path) -> None:
    keep_first_screen(small_library)
    remember_scores(small_library, {f"2501.{n:05d}": n / 100 for n in range(60)})  # another library's papers
    gate = threading.Event()
    app = deferred_app(small_library, gate)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MainScreen) and screen.interest is not None  # not known yet: nothing read
        await let_load(app, pilot, gate)
        assert screen.interest is None and app.interest_snapshot is None
        assert screen.effective_sort == "added"
        assert "★ interest" not in str(screen.query_one("#topbar", Static).render())


async def test_without_a_usable_first_screen_no_count_is_shown_until_the_library_is_read(seed_library: Path) -> None:
    """A kept screen in date order, scores kept since: the Inbox starts in interest order, the screen is not used."""
    lib = fresh(seed_library)
    ids = sorted(lib.papers)
    SetStatus(ids[5:10], "to-read").execute(lib)
    SetStatus(ids[10:15], "skipped").execute(lib)
    lib.compact(force=True)
    keep_first_screen(seed_library)
    remember_scores(seed_library, {paper_id: (n * 7 % 12) / 12 for n, paper_id in enumerate(ids)})
    gate = threading.Event()
    app = deferred_app(seed_library, gate)
    async with app.run_test(size=SIZE) as pilot:
        screen = await painted_while_loading(app, pilot)
        topbar = str(screen.query_one("#topbar", Static).render())
        assert "Loading the library" in topbar
        assert "0 papers" not in topbar and "Inbox 0" not in topbar, topbar  # not known yet, not empty
        await let_load(app, pilot, gate)
        topbar = str(screen.query_one("#topbar", Static).render())
        inbox = sum(p.status == "inbox" for p in fresh(seed_library).papers.values())
        assert f"{len(ids)} papers · {inbox} in inbox" in topbar and f"Inbox {inbox}" in topbar, topbar


@pytest.mark.parametrize("kept_view", ["tag:generalization", "status:inbox"])
async def test_a_tag_view_left_last_time_is_where_the_next_start_goes_back_to(
    seed_library: Path, kept_view: str,
) -> None:
    """With the kept first screen showing that tag view, and with one that cannot be used (another view)."""
    tagged = sorted(p.id for p in fresh(seed_library).papers.values() if "generalization" in p.tags)
    chosen = tagged[2]
    save_ui_state(seed_library, UiState(view="tag:generalization", sort="added", paper=chosen))
    save_first_screen(Session.open(seed_library, settings=load_config()), kept_view, "added", paper=chosen)
    gate = threading.Event()
    app = deferred_app(seed_library, gate)
    async with app.run_test(size=SIZE) as pilot:
        screen = await painted_while_loading(app, pilot)
        if kept_view == "tag:generalization":  # painted from the kept screen, before the library is read
            assert screen.view.key == "tag:generalization"
        await let_load(app, pilot, gate)
        assert screen.view.key == "tag:generalization"
        current = screen.query_one(PaperList).current
        assert current is not None and current.id == chosen


async def test_a_search_typed_while_loading_runs_once_it_has_loaded(small_library: Path) -> None:
    keep_first_screen(small_library)
    gate = threading.Event()
    app = deferred_app(small_library, gate)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"zzqx")
        await let_load(app, pilot, gate)
        assert app.screen.query_one(PaperList).papers == []


async def test_slash_and_a_letter_typed_at_once_search_for_the_letter(small_library: Path) -> None:
    app = create_app(Session.open(small_library, settings=load_config()), today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        first = app.screen.query_one(PaperList).current
        assert first is not None
        # Both keys arrive before either is handled (a paste, a slow SSH link): "r" must not toggle read.
        app.post_message(events.Key("slash", "/"))
        app.post_message(events.Key("r", "r"))
        await pilot.pause()
        assert app.screen.query_one("#search", Input).value == "r"
        assert fresh(small_library).papers[first.id].status == "inbox"
        await pilot.press("slash")  # in the search box, "/" is just a character
        assert app.screen.query_one("#search", Input).value == "r/"


async def test_the_lock_is_made_in_the_background_once_the_library_is_read(small_library: Path) -> None:
    """The first change waits for no import: the library's lock (and its module) is made off the UI thread."""
    keep_first_screen(small_library)
    gate = threading.Event()
    app = deferred_app(small_library, gate)
    library = app.session.library
    made_on: list[str] = []
    real_prepare = library.prepare_lock

    def prepare() -> FileLock:
        made_on.append(threading.current_thread().name)
        return real_prepare()

    library.prepare_lock = prepare  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert made_on == []  # nothing before the library is read
        await let_load(app, pilot, gate)
        for _ in range(100):
            if made_on:
                break
            await pilot.pause(0.02)
        assert made_on[:1] == ["readlist-lock"]
        first = app.screen.query_one(PaperList).current
        assert first is not None
        await pilot.press("s")
        await pilot.pause()
        assert fresh(small_library).papers[first.id].status == "to-read"


async def test_a_key_pressed_while_loading_then_quit_is_applied_before_the_app_ends(small_library: Path) -> None:
    """At 100,000 papers the library takes seconds to load: ``5``, ``s`` and ``q`` at once ended the app with the
    rating and the keep dropped, exit status 0."""
    keep_first_screen(small_library)
    gate = threading.Event()
    app = deferred_app(small_library, gate)
    async with app.run_test(size=SIZE) as pilot:
        screen = await painted_while_loading(app, pilot)
        first = screen.query_one(PaperList).current
        assert first is not None
        await pilot.press("5", "s", "q")
        await pilot.pause()
        assert app.is_running  # waiting for the library, with the keys
        assert "Quitting once the library has loaded" in str(screen.query_one("#topbar", Static).render())
        gate.set()
        for _ in range(200):
            await pilot.pause(0.02)
            if not app.is_running:
                break
        assert not app.is_running
    assert app.return_code == 0
    paper = fresh(small_library).papers[first.id]
    assert (paper.rating, paper.status) == (5, "to-read")


async def test_a_quit_while_loading_with_no_key_waiting_ends_at_once(small_library: Path) -> None:
    keep_first_screen(small_library)
    gate = threading.Event()
    app = deferred_app(small_library, gate)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("j", "q")
        await pilot.pause()
        assert not app.is_running
    gate.set()
