"""The note in the detail pane is Markdown as written: nothing the user typed disappears from it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from textual.await_complete import AwaitComplete
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


async def test_keys_run_past_papers_with_long_notes_without_drawing_each(
    small_library: Path, make_app: object, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """j held down (keys repeating faster than a note is drawn) over papers whose notes are long lists: a note drawn
    as Markdown costs a widget per item, and each paper passed started a draw that queued behind the one before,
    so the keys' effect trailed on for seconds. Only the note of the paper the keys stop on needs drawing."""
    lib = fresh(small_library)
    for n, pid in enumerate(sorted(lib.papers)):
        SaveNote(pid, "\n".join(f"- point {k} of paper {n}" for k in range(30))).execute(lib)
    started: list[str] = []
    drawing = asyncio.Event()  # held shut while the keys come: every draw is slower than the keys
    update = Markdown.update

    def slow_update(self: Markdown, markdown: str) -> AwaitComplete:
        started.append(markdown)

        async def when_let() -> None:
            await drawing.wait()
            await update(self, markdown)

        return AwaitComplete(when_let())

    app: ReadlistApp = make_app(small_library)  # type: ignore[operator]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.3)
        papers = app.screen.query_one(PaperList)
        assert isinstance(app.screen.query_one("#detail-note"), Markdown)
        monkeypatch.setattr(Markdown, "update", slow_update)
        for _ in range(8):
            await pilot.press("j")
            await pilot.pause()
        drawing.set()
        current = papers.current
        assert papers.cursor == 8 and current is not None
        for _ in range(100):  # the last draw done (bounds a failure, not a timing)
            await pilot.pause(0.05)
            if app.screen.query_one("#detail-note", Markdown).source == current.note:
                break
        assert app.screen.query_one("#detail-note", Markdown).source == current.note
        assert started[-1] == current.note
        assert len(started) == 2, len(started)  # the first paper passed, then the one the keys stopped on
