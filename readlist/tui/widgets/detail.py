"""The detail pane: everything about the paper under the cursor, note rendered as Markdown."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from readlist.app.interest import InterestResult
from readlist.core.model import Paper, Status, rating_stars
from readlist.core.texrender import render_tex
from readlist.core.text import counted, inert_text
from readlist.tui.widgets.insight import InsightPane, Lookup
from readlist.tui.widgets.muted import MUTED, MutedText
from readlist.tui.widgets.note import NoteView
from readlist.tui.widgets.scrollbar import SteadyScrollBars


def paper_header(paper: Paper) -> Text:
    """Title and metadata as plain Text, so markup-like characters in the data show literally.

    Every value from the record is made inert (:func:`inert_text`): escapes and controls show as a mark.
    The facts, the id and the key are :data:`MUTED`: a :class:`MutedText` draws them in the theme's muted colour.
    """
    text = Text()
    text.append(inert_text(render_tex(paper.title)), style="bold")
    text.append("\n")
    byline = paper.byline
    if byline:
        text.append(inert_text(byline), style="italic")
        text.append("\n")
    if paper.journal_ref:  # where it was published: the venue you gave, or arXiv's journal reference
        text.append(inert_text(paper.journal_ref), style="italic")
        text.append("\n")
    facts: list[str] = []
    day = paper.date  # the record's date, else the year and month its arXiv id gives
    if day is not None:
        facts.append(day.iso())
    if paper.upvotes is not None:
        facts.append(f"▲ {counted(paper.upvotes, 'upvote')}")
    try:
        facts.append(f"{Status(paper.status).glyph} {Status(paper.status).label}")
    except ValueError:
        facts.append(inert_text(str(paper.status)))
    if paper.rating:
        facts.append(rating_stars(paper.rating))
    if paper.categories:
        facts.append(inert_text(" ".join(paper.categories)))
    text.append("  ·  ".join(facts), style=MUTED)
    text.append("\n")
    text.append(f"id {inert_text(paper.id)}", style=MUTED)
    if paper.cite_key:  # the key \cite and @ take, once shown, copied or set (a library file's text like the rest)
        text.append(f"  key {inert_text(paper.cite_key)}", style=MUTED)
    if paper.url:
        text.append("  ")
        text.append(inert_text(paper.url), style="underline")
    text.append("\n")
    if paper.tags:
        text.append("tags ", style=MUTED)
        text.append(inert_text(" ".join("#" + tag for tag in paper.tags)), style="bold")
    text.rstrip()
    return text


class PaperDetail(SteadyScrollBars, VerticalScroll, can_focus=False):
    """Shows one paper; updated whenever the list cursor moves.

    Never focused: J and K scroll it from the list, and focused (by Tab) it would leave the list's keys
    (j, k, g, space …) doing nothing until the list had the focus back.
    """

    def __init__(self, lookup: Lookup | None = None, *, id: str | None = None,
                 key: Callable[[str], str | None] = lambda _action: None) -> None:
        super().__init__(id=id)
        self._key = key  # an action's key (the note editor's, $EDITOR's), for the line under a long note
        self.paper: Paper | None = None
        # Finds the papers the related list names (the library's ``get``).
        self.lookup: Lookup = lookup or (lambda _id: None)
        # What each part shows now: re-rendering an unchanged abstract costs a relayout for nothing (the note
        # view keeps its own).
        self._shown: tuple[str | None, Text | None, str | None] = (None, None, None)

    def compose(self) -> ComposeResult:
        yield MutedText(id="detail-header", markup=False)
        yield Static(id="detail-abstract", markup=False)
        yield NoteView("detail", self._key)
        yield InsightPane(self.lookup, id="detail-insight")

    @property
    def insight(self) -> InsightPane:
        return self.query_one("#detail-insight", InsightPane)

    def set_interest(self, snapshot: InterestResult) -> None:
        """A newer interest computation: the score, reasons and related papers are worked out again."""
        self.insight.set_snapshot(snapshot)

    def show(self, paper: Paper | None) -> None:
        """Show a paper; parts that did not change (after a status or rating change, say) are left alone."""
        self.paper = paper
        header = self.query_one("#detail-header", Static)
        abstract = self.query_one("#detail-abstract", Static)
        note = self.query_one(NoteView)
        self.insight.show(paper)
        if paper is None:
            self._shown = (None, None, None)
            header.update(Text("No paper to show.", style=MUTED))  # not "selected": space selects papers
            abstract.update(Text(""))
            note.show(None)
            return
        shown_id, shown_header, shown_abstract = self._shown
        header_text = paper_header(paper)
        abstract_text = inert_text(render_tex(paper.abstract), multiline=True) if paper.abstract else "(no abstract)"
        if header_text != shown_header:
            header.update(header_text)
        if abstract_text != shown_abstract:
            abstract.update(Text(abstract_text))
        note.show(paper.note, paper.id)
        self._shown = (paper.id, header_text, abstract_text)
        if paper.id != shown_id:
            self.scroll_home(animate=False)
