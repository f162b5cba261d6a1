"""A dialog's footer shows the dialog's own keys, not the list's beneath it (which do nothing there)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tui_helpers import SIZE, open_app

from readlist.tui.screens.cite_chooser import CiteChooser
from readlist.tui.screens.confirm import Confirm
from readlist.tui.screens.details import DetailsEditor
from readlist.tui.screens.help import HelpScreen
from readlist.tui.screens.main import MainScreen
from readlist.tui.screens.tags import TagEditor


def bottom_line(app: object) -> str:
    strips = app.screen._compositor.render_strips()  # type: ignore[attr-defined]
    return "".join(segment.text for segment in strips[-1])


@pytest.mark.parametrize(("key", "dialog", "keys"), [
    ("e", DetailsEditor, ["esc Discard", "^s Save"]),
    ("t", TagEditor, ["tab Complete tag", "esc Cancel"]),
    ("Y", CiteChooser, ["esc Cancel"]),
    ("D", Confirm, ["y Yes", "n No"]),
    ("question_mark", HelpScreen, ["esc Close help"]),
])
async def test_each_dialog_shows_its_own_keys(small_library: Path, key: str, dialog: type, keys: list[str]) -> None:
    app = open_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "s Keep" in bottom_line(app)
        await pilot.press(key)
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, dialog)
        line = bottom_line(app)
        for shown in keys:
            assert shown in line, line
        for hidden in ("s Keep", "x Skip", "/ Search", "T Triage"):
            assert hidden not in line, line
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert "s Keep" in bottom_line(app)


async def test_the_prompt_shows_its_own_keys(small_library: Path) -> None:
    from tui_helpers import view_name_prompt

    app = open_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await view_name_prompt(pilot, "x")
        await pilot.pause()
        line = bottom_line(app)
        assert "esc Cancel" in line and "s Keep" not in line, line
