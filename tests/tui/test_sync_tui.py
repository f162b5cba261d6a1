"""Sync in the app: the header shows the last sync, the palette syncs in the background, auto-sync on start."""

from __future__ import annotations

import asyncio
import socket
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import Static
from tui_helpers import SIZE

import readlist.app.sync as sync_module
from readlist.app.commands import Rate
from readlist.app.session import Session
from readlist.app.sync import init, load_state, sync
from readlist.storage.library import Library
from readlist.tui.app import ReadlistApp, run_app, sync_on_quit
from readlist.tui.screens.main import MainScreen
from tests.conftest import bare_remote, git, silent_address

MakeApp = Callable[..., ReadlistApp]


def header(app: ReadlistApp) -> str:
    return str(app.screen.query_one("#topbar", Static).render())


async def synced(app: ReadlistApp) -> None:
    """Until the background sync has finished and its result reached the screen."""
    screen = app.screen
    assert isinstance(screen, MainScreen)
    for _ in range(800):  # git on local folders; this only bounds a hang
        if not screen.syncing:
            break
        await asyncio.sleep(0.025)
    await app.workers.wait_for_complete()


@pytest.fixture
def shared(small_library: Path, git_env: Path) -> tuple[Path, Library]:
    """The small library synced to a bare remote, and a second clone of it."""
    remote = bare_remote(git_env)
    init(Library(small_library), str(remote))
    other = Library(git_env / "other" / "library.json")
    init(other, str(remote))
    return small_library, other


async def test_the_palette_syncs_in_the_background_and_the_list_follows(
    shared: tuple[Path, Library], make_app: MakeApp
) -> None:
    path, other = shared
    target = sorted(other.papers)[0]
    Rate([target], 5).execute(other)
    sync(other)
    app = make_app(path)
    async with app.run_test(size=SIZE) as pilot:
        assert "⇅ synced" in header(app)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert "Sync with the remote" in titles
        await pilot.press("ctrl+p")
        await pilot.press(*"Sync with the remote", "enter")
        await synced(app)
        await pilot.pause()
        assert app.session.library.papers[target].rating == 5
        assert "Synced: 0 papers changed here, 1 there; received" in header(app)
        assert "⇅ synced" in header(app)


async def test_a_library_not_set_up_shows_no_sync_state_and_says_how_to_set_it_up(
    small_library: Path, make_app: MakeApp
) -> None:
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        assert "⇅" not in header(app)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        screen.sync_now()
        await pilot.pause()
        assert any("readlist sync init" in str(n.message) for n in app._notifications)
        assert not screen.syncing


async def test_a_failed_sync_is_shown_in_the_header(shared: tuple[Path, Library], make_app: MakeApp) -> None:
    path, _ = shared
    (path.parent / ".git" / "config").write_text(
        (path.parent / ".git" / "config").read_text().replace("remote.git", "nowhere.git"))
    app = make_app(path)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        screen.sync_now()
        await synced(app)
        await pilot.pause()
        assert "⇅ sync failed" in header(app)
        assert any("git fetch failed" in str(n.message) for n in app._notifications)


async def test_quitting_while_a_sync_waits_for_a_silent_remote_ends_the_wait(
        shared: tuple[Path, Library], make_app: MakeApp, silent_remote: socket.socket,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """q closed the screen at once, then the process waited for git's five-minute limit (shortened here, so
    that waiting it out shows as the wrong message rather than as a long test)."""
    monkeypatch.setattr(sync_module, "NETWORK_TIMEOUT", 20.0)
    path, _ = shared
    git(path.parent, "remote", "set-url", "origin", silent_address(silent_remote))
    app = make_app(path)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        screen.sync_now()
        connection, _ = await asyncio.to_thread(silent_remote.accept)  # git waits for an answer now
        with connection:
            await pilot.press("q")
            for _ in range(1200):  # bounds a hang: the thread sees the stop within a tenth of a second
                state = load_state(path)
                if state is not None and not state.ok:
                    break
                await asyncio.sleep(0.025)
    assert state is not None and "stopped while it waited for the remote" in state.message, state


async def test_sync_on_start_when_the_setting_says_so(shared: tuple[Path, Library], make_app: MakeApp,
                                                      _private_config: Path) -> None:
    path, other = shared
    target = sorted(other.papers)[1]
    Rate([target], 3).execute(other)
    sync(other)
    _private_config.write_text("sync_on_start_and_quit = true\n")
    app = make_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await synced(app)
        await pilot.pause()
        assert app.session.library.papers[target].rating == 3


def test_sync_on_quit_says_how_it_went_on_one_line(shared: tuple[Path, Library],
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    path, other = shared
    Rate([sorted(other.papers)[0]], 4).execute(other)
    sync(other)
    session = Session.open(path)
    sync_on_quit(session)
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "readlist: syncing …"
    assert err[1].startswith("readlist: synced: 0 papers changed here, 1 there; received (") and len(err) == 2


@pytest.mark.parametrize("remote_there", [True, False])
def test_readlist_ends_with_exit_status_1_when_the_sync_after_closing_fails(
        shared: tuple[Path, Library], _private_config: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], remote_there: bool) -> None:
    """As `readlist sync` does: a script that closes the app and goes on can tell the changes were not sent."""
    path, _ = shared
    _private_config.write_text("sync_on_start_and_quit = true\n")
    Rate([sorted(Library(path).papers)[0]], 2).execute(Library(path))
    if not remote_there:
        remote = Path(subprocess.run(["git", "remote", "get-url", "origin"], cwd=path.parent, capture_output=True,
                                     text=True, check=True).stdout.strip())
        remote.rename(remote.with_name("gone.git"))
    monkeypatch.setattr(ReadlistApp, "run", lambda self, *args, **kwargs: None)  # opened and closed at once
    if remote_there:
        run_app(path)
    else:
        with pytest.raises(SystemExit) as exc:
            run_app(path)
        assert exc.value.code == 1
    err = capsys.readouterr().err.splitlines()
    assert err[-1].startswith("readlist: synced: " if remote_there else "readlist: sync failed: git fetch failed")


async def test_views_and_the_sync_state_changed_beside_the_app_reach_it(
    shared: tuple[Path, Library], make_app: MakeApp
) -> None:
    """`readlist view add` / `view rm` and `readlist sync` run in another terminal: the sidebar kept the views of
    the start and the header the last sync the app itself ran, until the next start."""
    from click.testing import CliRunner

    from readlist.cli import main
    from readlist.tui.widgets.sidebar import ViewSidebar

    path, _ = shared
    app = make_app(path)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert "⇅ synced" in header(app)

        def labels() -> list[str]:
            return [view.label for view in screen.query_one(ViewSidebar).views]

        result = CliRunner().invoke(main, ["--db", str(path), "view", "add", "From the shell", "rating>=4"])
        assert result.exit_code == 0, result.output
        app.poll_library()  # what the app's timer runs every second
        await pilot.pause()
        assert "From the shell" in labels()
        assert CliRunner().invoke(main, ["--db", str(path), "view", "rm", "From the shell"]).exit_code == 0
        app.poll_library()
        await pilot.pause()
        assert "From the shell" not in labels()
        remote = git(path.parent, "remote", "get-url", "origin").strip()
        Path(remote).rename(Path(remote + ".away"))  # the remote unreachable: the shell's sync fails
        result = CliRunner().invoke(main, ["--db", str(path), "sync"])
        assert result.exit_code == 1
        app.poll_library()
        await pilot.pause()
        assert "⇅ sync failed" in header(app)
