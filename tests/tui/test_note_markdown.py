"""The note in the detail pane is Markdown as written: nothing the user typed disappears from it."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Markdown
from tui_helpers import SIZE, fresh

from readlist.app.notes import SaveNote
from readlist.tui.app import ReadlistApp
from readlist.tui.widgets.paper_list import PaperList

NOTE = "Types: Vec<T> and Map<K, V>; if a<b and c>d then <x> wins. A **bold** claim, <div>kept</div>."


async def test_angle_brackets_in_a_note_show_as_typed(small_library: Path, make_app: object) -> None:
    """Inline HTML is not drawn by the pane, so tag-like text used to vanish (``Vec`` for ``Vec<T>``)."""
    app: ReadlistApp = make_app(small_library)  # type: ignore[operator]
    async with app.run_test(size=SIZE):
        paper = app.screen.query_one(PaperList).current
        assert paper is not None
    SaveNote(paper.id, NOTE).execute(fresh(small_library))
    app = make_app(small_library)  # type: ignore[operator]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.pause(0.2)
        note = app.screen.query_one("#detail-note")
        assert isinstance(note, Markdown)
        shown = " ".join(app.export_screenshot().replace("&#160;", " ").replace("&lt;", "<")
                         .replace("&gt;", ">").replace("&amp;", "&").split())
        for piece in ("Vec<T>", "Map<K, V>", "a<b and c>d", "<x> wins", "<div>kept</div>"):
            assert piece in shown, piece
        assert "**bold**" not in shown  # still Markdown
