"""The detail pane: everything about the paper under the cursor, note rendered as Markdown."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

if TYPE_CHECKING:
    from textual.widgets import Markdown

from readlist.core.model import Paper, Status, rating_stars
from readlist.core.texrender import render_tex


def paper_header(paper: Paper) -> Text:
    """Title and metadata as plain Text, so markup-like characters in the data show literally."""
    text = Text()
    text.append(render_tex(paper.title), style="bold")
    text.append("\n")
    byline = paper.byline
    if byline:
        text.append(byline, style="italic")
        text.append("\n")
    facts: list[str] = []
    day = paper.date  # the record's date, else the year and month its arXiv id gives
    if day is not None:
        facts.append(day.iso())
    if paper.upvotes is not None:
        facts.append(f"▲ {paper.upvotes} upvotes")
    try:
        facts.append(f"{Status(paper.status).glyph} {Status(paper.status).label}")
    except ValueError:
        facts.append(paper.status)
    if paper.rating:
        facts.append(rating_stars(paper.rating))
    text.append("  ·  ".join(facts), style="dim")
    text.append("\n")
    text.append(f"id {paper.id}", style="dim")
    if paper.url:
        text.append("  ")
        text.append(paper.url, style="underline")
    text.append("\n")
    if paper.tags:
        text.append("tags ", style="dim")
        text.append(" ".join("#" + tag for tag in paper.tags), style="bold")
    text.rstrip()
    return text


class PaperDetail(VerticalScroll):
    """Shows one paper; updated whenever the list cursor moves."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.paper: Paper | None = None
        # What each part shows now: re-rendering an unchanged abstract or note costs a relayout for nothing.
        self._shown: tuple[str | None, Text | None, str | None, str | None] = (None, None, None, None)

    def compose(self) -> ComposeResult:
        yield Static(id="detail-header", markup=False)
        yield Static(id="detail-abstract", markup=False)
        yield Static(Text("Note", style="bold"), id="detail-note-title", markup=False)
        # The Markdown widget (and its parser, ~0.1 s of imports) is added with the first note shown.

    def _show_note(self, text: str, changed: bool) -> None:
        found = self.query("#detail-note")
        if not found:
            from textual.widgets import Markdown

            self.mount(Markdown(text, id="detail-note"))
            return
        note: Markdown = found.first()  # type: ignore[assignment]
        note.display = True
        if changed:
            note.update(text)

    def show(self, paper: Paper | None) -> None:
        """Show a paper; parts that did not change (after a status or rating change, say) are left alone."""
        self.paper = paper
        header = self.query_one("#detail-header", Static)
        abstract = self.query_one("#detail-abstract", Static)
        note_title = self.query_one("#detail-note-title", Static)
        if paper is None:
            self._shown = (None, None, None, None)
            header.update(Text("Nothing selected.", style="dim"))
            abstract.update(Text(""))
            note_title.display = False
            self.query("#detail-note").set(display=False)
            return
        shown_id, shown_header, shown_abstract, shown_note = self._shown
        header_text = paper_header(paper)
        abstract_text = render_tex(paper.abstract) if paper.abstract else "(no abstract)"
        if header_text != shown_header:
            header.update(header_text)
        if abstract_text != shown_abstract:
            abstract.update(Text(abstract_text))
        has_note = bool(paper.note.strip())
        note_title.display = has_note
        if has_note:
            self._show_note(paper.note, paper.note != shown_note)
        else:
            self.query("#detail-note").set(display=False)
        self._shown = (paper.id, header_text, abstract_text, paper.note if has_note else None)
        if paper.id != shown_id:
            self.scroll_home(animate=False)
