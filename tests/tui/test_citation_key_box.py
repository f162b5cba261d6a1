"""The palette's "Set citation key…": the box holds the key the paper is cited with and sets it by the command
`readlist key ID KEY` runs; a key that cannot be used keeps the box open with why; u undoes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.widgets import Input, Static
from tui_helpers import SIZE, fresh, topbar

from readlist.app.commands import SetKey
from readlist.core.citekeys import assign_keys, taken_keys
from readlist.storage.library import Library
from readlist.tui.app import ReadlistApp
from readlist.tui.screens.prompt import Prompt
from readlist.tui.widgets.paper_list import PaperList

MakeApp = Callable[..., ReadlistApp]


async def test_a_key_typed_in_the_box_is_stored_shown_and_undone(small_library: Path, make_app: MakeApp) -> None:
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        paper = app.screen.query_one(PaperList).current
        assert paper is not None and not paper.cite_key
        library = fresh(small_library)
        would_get = assign_keys([paper], taken_keys(library.papers.values()))[paper.id]
        await pilot.press("ctrl+p", *"Set citation key", "enter")
        await pilot.pause()
        assert isinstance(app.screen, Prompt)
        assert app.screen.query_one("#prompt-input", Input).value == would_get  # what it is cited with now
        await pilot.press("ctrl+u", *"bad key!", "enter")
        await pilot.pause()
        # Not a key BibTeX can read: the box stays, with the reason and what was typed.
        assert isinstance(app.screen, Prompt)
        assert "bad key!" in str(app.screen.query_one("#prompt-error", Static).render())
        assert app.screen.query_one("#prompt-input", Input).value == "bad key!"
        assert fresh(small_library).papers[paper.id].cite_key is None
        await pilot.press("ctrl+u", *"lovelace1843notes", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, Prompt)
        assert fresh(small_library).papers[paper.id].cite_key == "lovelace1843notes"
        assert "Citation key set: lovelace1843notes (u undoes)" in topbar(app)
        # The detail pane names the key the paper is cited with.
        assert "key lovelace1843notes" in str(app.screen.query_one("#detail-header", Static).render())
        await pilot.press("u")
        await pilot.pause()
    assert fresh(small_library).papers[paper.id].cite_key is None


async def test_another_papers_key_is_refused_and_esc_changes_nothing(small_library: Path, make_app: MakeApp) -> None:
    ids = sorted(fresh(small_library).papers)
    SetKey(ids[-1], "taken2024").execute(Library(small_library))
    before = fresh(small_library).papers
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        paper = app.screen.query_one(PaperList).current
        assert paper is not None and paper.id != ids[-1]
        await pilot.press("ctrl+p", *"Set citation key", "enter", "ctrl+u", *"Taken2024", "enter")
        await pilot.pause()
        assert isinstance(app.screen, Prompt)
        assert "taken2024" in str(app.screen.query_one("#prompt-error", Static).render()).casefold()
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, Prompt)
        assert "Citation key set" not in topbar(app)
    assert fresh(small_library).papers == before
