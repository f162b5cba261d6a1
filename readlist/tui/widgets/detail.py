"""The detail pane: everything about the paper under the cursor, note rendered as Markdown."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Markdown, Static

from readlist.model import Paper, Status
from readlist.tui.viewmodel import stars


def paper_header(paper: Paper) -> Text:
    """Title and metadata as plain Text, so markup-like characters in the data show literally."""
    text = Text()
    text.append(paper.title, style="bold")
    text.append("\n")
    byline = paper.byline
    if byline:
        text.append(byline, style="italic")
        text.append("\n")
    facts: list[str] = []
    if paper.published:
        facts.append(paper.published)
    if paper.upvotes is not None:
        facts.append(f"▲ {paper.upvotes} upvotes")
    try:
        facts.append(f"{Status(paper.status).glyph} {Status(paper.status).label}")
    except ValueError:
        facts.append(paper.status)
    if paper.rating:
        facts.append(stars(paper.rating))
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

    def compose(self) -> ComposeResult:
        yield Static(id="detail-header", markup=False)
        yield Static(id="detail-abstract", markup=False)
        yield Static(Text("Note", style="bold"), id="detail-note-title", markup=False)
        yield Markdown(id="detail-note")

    def show(self, paper: Paper | None) -> None:
        self.paper = paper
        header = self.query_one("#detail-header", Static)
        abstract = self.query_one("#detail-abstract", Static)
        note_title = self.query_one("#detail-note-title", Static)
        note = self.query_one("#detail-note", Markdown)
        if paper is None:
            header.update(Text("Nothing selected.", style="dim"))
            abstract.update(Text(""))
            note_title.display = False
            note.display = False
            return
        header.update(paper_header(paper))
        abstract.update(Text(paper.abstract or "(no abstract)"))
        has_note = bool(paper.note.strip())
        note_title.display = has_note
        note.display = has_note
        if has_note:
            note.update(paper.note)
        self.scroll_home(animate=False)
