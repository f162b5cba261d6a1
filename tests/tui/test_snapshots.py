"""SVG snapshots of the main screen, triage mode, help and the note editor at a wide and a narrow size."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static, TextArea
from tui_helpers import open_app

from readlist.tui.app import ReadlistApp
from readlist.tui.screens import note_editor

SIZES = [pytest.param((160, 48), id="wide"), pytest.param((100, 40), id="narrow")]


def app_for(path: Path) -> ReadlistApp:
    return open_app(path)


async def _settle(pilot: Pilot[Any]) -> None:
    await pilot.pause()
    # A blinking cursor would make the picture depend on timing (on a loaded machine, more than half a second can
    # pass between the last key and the picture): shown steadily instead.
    for area in pilot.app.screen.query(TextArea):
        area.cursor_blink = False
    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_main_screen(snap_compare: Any, seed_library: Path, size: tuple[int, int]) -> None:
    # Show "All", cursor on a paper that has a note, with one paper selected.
    assert snap_compare(app_for(seed_library), terminal_size=size,
                        press=["right_square_bracket"] * 5 + ["space", "j", "j"], run_before=_settle)


@pytest.mark.parametrize("size", SIZES)
def test_triage_mode(snap_compare: Any, seed_library: Path, size: tuple[int, int]) -> None:
    assert snap_compare(app_for(seed_library), terminal_size=size, press=["T", "s"], run_before=_settle)


@pytest.mark.parametrize("size", SIZES)
def test_help_screen(snap_compare: Any, seed_library: Path, size: tuple[int, int]) -> None:
    assert snap_compare(app_for(seed_library), terminal_size=size, press=["question_mark"], run_before=_settle)


@pytest.mark.parametrize("size", SIZES)
def test_note_editor(snap_compare: Any, seed_library: Path, size: tuple[int, int],
                     monkeypatch: pytest.MonkeyPatch) -> None:
    # The picture is of the editor while typing: no save (its "Saved." would come after however long typing took).
    monkeypatch.setattr(note_editor, "SAVE_AFTER_TYPING", 3600.0)
    monkeypatch.setattr(note_editor, "AUTOSAVE_SECONDS", 3600.0)

    async def open_editor(pilot: Pilot[Any]) -> None:
        await pilot.press(*["right_square_bracket"] * 3, "n")  # "Read" view: the first paper has a note
        await _settle(pilot)
        await pilot.press("end", "enter", *"- and *more*")
        await _settle(pilot)

    assert snap_compare(app_for(seed_library), terminal_size=size, run_before=open_editor)


@pytest.mark.parametrize("size", SIZES)
def test_details_form(snap_compare: Any, seed_library: Path, size: tuple[int, int]) -> None:
    async def correct(pilot: Pilot[Any]) -> None:
        await pilot.press("e")
        await _settle(pilot)
        await pilot.press("tab", *"Ada Lovelace; Alan Turing", "tab", "tab", "ctrl+u", *"2024-13", "ctrl+s")  # no date
        await _settle(pilot)

    assert snap_compare(app_for(seed_library), terminal_size=size, run_before=correct)


@pytest.mark.parametrize("size", SIZES)
def test_delete_confirmation(snap_compare: Any, seed_library: Path, size: tuple[int, int]) -> None:
    assert snap_compare(app_for(seed_library), terminal_size=size, press=["j", "D"], run_before=_settle)


def test_detail_pane_with_interest_and_related(snap_compare: Any, seed_library: Path) -> None:
    async def learn(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, ReadlistApp)
        await pilot.press(*["right_square_bracket"] * 5)  # "All"
        app.retrain_interest()
        await asyncio.to_thread(app.interest.wait, 120)
        for _ in range(1500):  # a loaded machine may take a while; the picture needs the section filled in
            await asyncio.sleep(0.02)
            if "Related in your library" in str(app.screen.query_one("#detail-insight", Static).render()):
                break
        assert "Related in your library" in str(app.screen.query_one("#detail-insight", Static).render())
        await pilot.pause()  # the filled-in section laid out, so the end of the pane is where it will stay
        app.screen.query_one("#detail").scroll_end(animate=False)
        await pilot.pause()
        app.screen.query_one("#detail").scroll_end(animate=False)
        await _settle(pilot)

    assert snap_compare(app_for(seed_library), terminal_size=(160, 48), run_before=learn)
