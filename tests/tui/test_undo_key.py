"""What a change says about undoing it names undo's key as the footer shows it, also when ``[keymap]`` moved it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import Static
from textual.widgets._footer import FooterKey
from tui_helpers import SIZE, fresh, import_in_app, online_finished, topbar

from readlist.tui import keymap
from readlist.tui.app import ReadlistApp
from readlist.tui.screens.confirm import Confirm
from readlist.tui.screens.details import DetailsEditor
from readlist.tui.screens.main import MainScreen
from readlist.tui.screens.prompt import Prompt
from readlist.tui.screens.triage import TriageScreen
from readlist.tui.widgets.paper_list import PaperList
from tests.fake_services import FakeServer

MakeApp = Callable[..., ReadlistApp]
NEW = "2202.12139"  # on the stand-in arXiv, not among the seed papers
KNOWN = "Data Factors for Better Compositional Generalization"  # on the stand-in arXiv as 2311.04420


def text_of(app: ReadlistApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def test_every_message_names_undo_by_the_key_the_keymap_gave_it(
    small_library: Path, make_app: MakeApp, _private_config: Path
) -> None:
    """With ``undo = "U, -u"`` the footer and the help showed U, and every message still said "u undoes"."""
    _private_config.write_text('[keymap]\nundo = "U, -u"\n', encoding="utf-8")
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.3)
        footer = {key.action: key.key_display for key in app.screen.query(FooterKey)}
        assert footer["undo"] == "U"
        first = app.screen.query_one(PaperList).current
        assert first is not None
        await pilot.press("x")
        await pilot.pause()
        assert "Skipped: 1 paper (U undoes)" in topbar(app)
        await pilot.press("U")
        await pilot.pause()
        assert fresh(small_library).papers[first.id].status == "inbox"
        await pilot.press("t", *"foo", "enter")
        await pilot.pause()
        assert "Tags changed on 1 paper (U undoes)" in topbar(app)
        await pilot.press("n", *"seen", "escape")
        await pilot.pause()
        assert "Note saved (U undoes)" in topbar(app)
        await pilot.press("e", "tab", *"Ada Lovelace", "ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, DetailsEditor)
        assert "Corrected: authors (U undoes)" in topbar(app)
        await pilot.press("ctrl+p", *"Set citation key", "enter")
        await pilot.pause()
        assert isinstance(app.screen, Prompt)
        await pilot.press("ctrl+u", *"lovelace1843notes", "enter")
        await pilot.pause()
        assert "Citation key set: lovelace1843notes (U undoes)" in topbar(app)
        await pilot.press("D")
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        assert text_of(app, "#confirm-detail").endswith("; U undoes.")
        await pilot.press("n")
        await pilot.pause()
        # Triage mode: the top line after a decision, a note saved there, and the summary at the end.
        await pilot.press("space", "j", "space", "T", "x")
        assert isinstance(app.screen, TriageScreen)
        assert "Skipped (U undoes)" in text_of(app, "#triage-progress")
        await pilot.press("n", *"seen", "escape")
        await pilot.pause()
        assert any("Note saved (U undoes)" in str(n.message) for n in app._notifications)
        await pilot.press("x")
        assert app.screen.done
        assert "Esc goes back to the list; U undoes the last decision." in text_of(app, "#triage-summary")
        assert not [n.message for n in app._notifications if "u undoes" in str(n.message)]


async def test_an_import_and_an_enrichment_name_the_remapped_key(
    api: FakeServer, seed_library: Path, make_app: MakeApp, _private_config: Path
) -> None:
    _private_config.write_text('[keymap]\nundo = "U, -u"\n', encoding="utf-8")
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        await import_in_app(pilot, NEW)
        assert "Imported 1 new paper (U undoes)" in topbar(app)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        plist = screen.query_one(PaperList)
        screen.set_view_key("all")
        await pilot.pause()
        plist.move_to(next(i for i, p in enumerate(plist.papers) if p.title == KNOWN))
        await pilot.press("E")
        await online_finished(app)
        await pilot.pause()
        assert "Enriched 1 of 1 paper (U undoes)" in topbar(app)


async def test_without_a_key_for_undo_no_message_names_one(
    small_library: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Undo with no key on the screen (nothing the footer or the palette could show): the messages say what
    was done and leave out how to undo it, rather than name a key that does nothing."""
    shown = keymap.in_declared_order
    monkeypatch.setattr(keymap, "in_declared_order",
                        lambda active: {key: b for key, b in shown(active).items() if b.binding.action != "undo"})
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("x")
        await pilot.pause()
        assert topbar(app).rstrip().endswith("Skipped: 1 paper"), topbar(app)
        await pilot.press("D")
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        assert text_of(app, "#confirm-detail") == "Its note, tags and rating go too."
        await pilot.press("n", "space", "j", "space", "T", "x")
        assert isinstance(app.screen, TriageScreen)
        progress = text_of(app, "#triage-progress")
        assert "Skipped" in progress and "undoes" not in progress, progress
        await pilot.press("x")
        assert app.screen.done
        assert "Esc goes back to the list." in text_of(app, "#triage-summary")
        assert "undoes" not in text_of(app, "#triage-summary")
