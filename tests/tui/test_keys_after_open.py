"""Keys typed right after a key that opens a box or a screen, all in one burst (a fast typist, a slow terminal,
SSH): they act in the box or the screen that key opened, in the order typed. None is lost in the list behind it,
and none acts there instead."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import Input
from tui_helpers import ESC, SIZE, burst, fresh, paper_list, settle

from readlist.tui.app import ReadlistApp
from readlist.tui.key_order import HOLD_LIMIT
from readlist.tui.screens.main import MainScreen
from readlist.tui.screens.triage import TriageScreen

MakeApp = Callable[..., ReadlistApp]


async def test_a_tag_typed_right_after_t_is_the_tag(small_library: Path, make_app: MakeApp) -> None:
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        first = paper_list(app).papers[0].id
        burst(app, "tmine\r")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert paper_list(app).has_focus
    assert fresh(small_library).papers[first].tags == ["mine"]


async def test_keys_before_and_after_the_tag_box_act_in_order(small_library: Path, make_app: MakeApp) -> None:
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        papers = paper_list(app).papers
        burst(app, "jtmine\rjtyours\rj")
        await settle(pilot)
        assert paper_list(app).cursor == 3
    tags = {pid: paper.tags for pid, paper in fresh(small_library).papers.items() if paper.tags}
    assert tags == {papers[1].id: ["mine"], papers[2].id: ["yours"]}


async def test_a_note_typed_right_after_n_is_saved(small_library: Path, make_app: MakeApp) -> None:
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        first = paper_list(app).papers[0].id
        burst(app, "nhello" + ESC + "j")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert paper_list(app).cursor == 1
    assert fresh(small_library).papers[first].note == "hello"


async def test_a_field_typed_right_after_e_is_saved(small_library: Path, make_app: MakeApp) -> None:
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        first = paper_list(app).papers[0].id
        burst(app, "e\t\tAcme\rj")
        await settle(pilot)
        assert paper_list(app).cursor == 1
    assert fresh(small_library).papers[first].organization == "Acme"


async def test_keys_typed_before_slash_move_the_cursor_before_the_search_box_opens(
    small_library: Path, make_app: MakeApp
) -> None:
    """/ is read by the app as it arrives: the search box had the focus before the j typed ahead of it reached the
    list, and they were lost."""
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        burst(app, "jj/")
        await settle(pilot)
        assert app.screen.query_one("#search", Input).has_focus
        burst(app, ESC)
        await settle(pilot)
        assert paper_list(app).cursor == 2


async def test_a_decision_typed_right_after_opening_triage_is_made_there(
    small_library: Path, make_app: MakeApp
) -> None:
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        papers = paper_list(app).papers
        burst(app, "Tjx")
        await settle(pilot)
        assert isinstance(app.screen, TriageScreen)
    library = fresh(small_library)
    assert [library.papers[paper.id].status for paper in papers[:3]] == ["inbox", "skipped", "inbox"]


async def test_a_held_down_key_moves_once_per_key(seed_library: Path, make_app: MakeApp) -> None:
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        burst(app, "j" * 60 + "k" * 5)
        await settle(pilot)
        assert paper_list(app).cursor == 55


async def test_a_paste_right_after_n_is_the_note(small_library: Path, make_app: MakeApp) -> None:
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        first = paper_list(app).papers[0].id
        burst(app, "n\x1b[200~pasted words\x1b[201~" + ESC)
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
    assert fresh(small_library).papers[first].note == "pasted words"


async def test_keys_held_behind_a_key_whose_end_is_never_heard_go_on_after_a_while(
    small_library: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A key whose way up is never heard back from (its widget stopped handling messages) holds the keys after it
    for a moment only; they are not lost."""
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        plist = paper_list(app)
        burst(app, "j")
        await settle(pilot)
        monkeypatch.setattr(plist, "call_later", lambda *args, **kwargs: True)  # what it is sent is never run
        burst(app, "jj")
        await asyncio.sleep(HOLD_LIMIT * 3)  # not Pilot's pause: it waits on the same callbacks
        monkeypatch.undo()
        await pilot.pause()
        assert plist.cursor == 3
