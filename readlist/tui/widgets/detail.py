"""The detail pane: everything about the paper under the cursor, note rendered as Markdown."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_core import StateCore
    from markdown_it.token import Token
    from textual.widgets import Markdown

from readlist.app.interest import InterestResult
from readlist.core.model import Paper, Status, rating_stars
from readlist.core.texrender import render_tex
from readlist.core.text import counted, inert_text
from readlist.tui.widgets.insight import InsightPane, Lookup
from readlist.tui.widgets.scrollbar import SteadyScrollBars


def _inert_token(token: Token) -> None:
    token.content = inert_text(token.content, multiline=True)
    token.info = inert_text(token.info)
    for name, value in token.attrs.items():
        if isinstance(value, str):
            token.attrs[name] = inert_text(value)
    for child in token.children or ():
        _inert_token(child)


def _inert_tokens(state: StateCore) -> None:
    for token in state.tokens:
        _inert_token(token)


def note_parser() -> MarkdownIt:
    """The Markdown parser for notes: its output is made inert after parsing as well as its input.

    Character references are decoded by the parser, so ``&#x202e;`` in a note would become a raw
    bidi override after the source was cleaned; a last core rule cleans every token it produced.
    HTML is off: the pane draws no HTML, so a tag-like ``Vec<T>`` or ``a<b and c>d`` would vanish from the
    note as shown; as text it shows as typed.
    """
    from markdown_it import MarkdownIt  # loaded with the first note shown, like the Markdown widget

    parser = MarkdownIt("gfm-like", {"html": False})
    parser.core.ruler.push("readlist_inert", _inert_tokens)
    return parser


def paper_header(paper: Paper) -> Text:
    """Title and metadata as plain Text, so markup-like characters in the data show literally.

    Every value from the record is made inert (:func:`inert_text`): escapes and controls show as a mark.
    """
    text = Text()
    text.append(inert_text(render_tex(paper.title)), style="bold")
    text.append("\n")
    byline = paper.byline
    if byline:
        text.append(inert_text(byline), style="italic")
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
    text.append("  ·  ".join(facts), style="dim")
    text.append("\n")
    text.append(f"id {inert_text(paper.id)}", style="dim")
    if paper.url:
        text.append("  ")
        text.append(inert_text(paper.url), style="underline")
    text.append("\n")
    if paper.tags:
        text.append("tags ", style="dim")
        text.append(inert_text(" ".join("#" + tag for tag in paper.tags)), style="bold")
    text.rstrip()
    return text


class PaperDetail(SteadyScrollBars, VerticalScroll, can_focus=False):
    """Shows one paper; updated whenever the list cursor moves.

    Never focused: J and K scroll it from the list, and focused (by Tab) it would leave the list's keys
    (j, k, g, space …) doing nothing until the list had the focus back.
    """

    def __init__(self, lookup: Lookup | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.paper: Paper | None = None
        # Finds the papers the related list names (the library's ``get``).
        self.lookup: Lookup = lookup or (lambda _id: None)
        # What each part shows now: re-rendering an unchanged abstract or note costs a relayout for nothing.
        self._shown: tuple[str | None, Text | None, str | None, str | None] = (None, None, None, None)

    def compose(self) -> ComposeResult:
        yield Static(id="detail-header", markup=False)
        yield Static(id="detail-abstract", markup=False)
        yield Static(Text("Note", style="bold"), id="detail-note-title", markup=False)
        # The Markdown widget (and its parser, ~0.1 s of imports) is added with the first note shown.
        yield InsightPane(self.lookup, id="detail-insight")

    def _show_note(self, text: str, changed: bool) -> None:
        found = self.query("#detail-note")
        if not found:
            # The first note of a run shows as plain text and becomes Markdown once that frame is on the
            # screen: the Markdown widget and its parser cost ~0.1 s of imports, which would otherwise
            # delay the first paint whenever the first paper has a note.
            self.mount(Static(Text(text), id="detail-note", markup=False), before=self.insight)
            self.call_after_refresh(self._note_as_markdown)
            return
        note: Static | Markdown = found.first()  # type: ignore[assignment]
        note.display = True
        if changed:
            note.update(text)

    async def _note_as_markdown(self) -> None:
        from textual.widgets import Markdown

        found = self.query("#detail-note")
        if not self.is_attached or not found or isinstance(found.first(), Markdown):
            return
        shown = self._shown[3]
        await found.first().remove()
        if not self.is_attached:  # the app is closing
            return
        note = Markdown(shown or "", id="detail-note", parser_factory=note_parser)
        note.display = shown is not None
        await self.mount(note, before=self.insight)

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
        note_title = self.query_one("#detail-note-title", Static)
        self.insight.show(paper)
        if paper is None:
            self._shown = (None, None, None, None)
            header.update(Text("Nothing selected.", style="dim"))
            abstract.update(Text(""))
            note_title.display = False
            self.query("#detail-note").set(display=False)
            return
        shown_id, shown_header, shown_abstract, shown_note = self._shown
        header_text = paper_header(paper)
        abstract_text = inert_text(render_tex(paper.abstract), multiline=True) if paper.abstract else "(no abstract)"
        if header_text != shown_header:
            header.update(header_text)
        if abstract_text != shown_abstract:
            abstract.update(Text(abstract_text))
        note = inert_text(paper.note, multiline=True)
        has_note = bool(note.strip())
        note_title.display = has_note
        if has_note:
            self._show_note(note, note != shown_note)
        else:
            self.query("#detail-note").set(display=False)
        self._shown = (paper.id, header_text, abstract_text, note if has_note else None)
        if paper.id != shown_id:
            self.scroll_home(animate=False)
