"""The note in the detail pane is Markdown as written: nothing the user typed disappears from it."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Markdown
from tui_helpers import SIZE, fresh

from readlist.app.notes import SaveNote
from readlist.core.text import MARK
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


def drawn(app: ReadlistApp) -> str:
    """What the current screen sends to the terminal, line by line: the text of every segment."""
    return "\n".join("".join(segment.text for segment in strip) for strip in app.screen._compositor.render_strips())


TRIAGE_NOTE = ("## Why it matters\n\n- data **diversity** matters\n- see `eval.py` and *appendix B*\n\n"
               "[bold]not markup[/bold] \x1b[31mred\u202eRTL [go](javascript:alert(1)) &#x202e;end\n")


async def test_triage_shows_the_note_as_markdown_like_the_detail_pane(small_library: Path, make_app: object) -> None:
    """Triage mode showed the note's Markdown source (``## Why``, ``**diversity**``) as plain text."""
    app: ReadlistApp = make_app(small_library)  # type: ignore[operator]
    async with app.run_test(size=SIZE):
        paper = app.screen.query_one(PaperList).current
        assert paper is not None
    SaveNote(paper.id, TRIAGE_NOTE).execute(fresh(small_library))
    app = make_app(small_library)  # type: ignore[operator]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.pause(0.2)
        in_detail = app.screen.query_one("#detail-note")
        assert isinstance(in_detail, Markdown)
        await pilot.press("T")
        await pilot.pause()
        await pilot.pause(0.2)
        note = app.screen.query_one("#triage-note")
        assert isinstance(note, Markdown)
        assert type(note) is type(in_detail) and note.source == in_detail.source  # one renderer for both
        text = drawn(app)
        assert "Why it matters" in text and "## Why" not in text
        assert "diversity" in text and "**diversity**" not in text and "*appendix B*" not in text
        # Untrusted text stays inert: markup shows as typed, escapes and bidi overrides as a mark, no link.
        assert "[bold]not markup[/bold]" in text
        assert "\x1b" not in text and "\u202e" not in text and MARK in text
        assert "javascript" in text
        assert not [segment for strip in app.screen._compositor.render_strips() for segment in strip
                    if segment.style is not None and segment.style.link]
        # A note edited in triage shows, edited, as Markdown.
        await pilot.press("n", "ctrl+home", *"# Verdict", "enter", "enter", "escape")
        await pilot.pause()
        await pilot.pause(0.2)
        text = drawn(app)
        assert "Verdict" in text and "# Verdict" not in text and "Why it matters" in text
