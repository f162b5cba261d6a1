"""A paper's note as the reader wrote it: Markdown, drawn from inert text, in the detail pane and in triage."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from readlist.core.text import inert_text

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_core import StateCore
    from markdown_it.token import Token
    from textual.widgets import Markdown


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


class NoteView(Vertical, can_focus=False):
    """"Note" over the note rendered as Markdown; hidden while the paper has no note.

    The first note of a run shows as plain text and becomes Markdown once that frame is on the screen:
    the Markdown widget and its parser cost ~0.1 s of imports, which would otherwise delay the first
    paint whenever the first paper shown has a note. A note is drawn again only when its text changed
    (a rating or a tag leaves it alone), and Markdown parses it off the key's path, so keys stay fast.

    The text is made inert before parsing (escapes and controls show as a mark) and every token after;
    Rich or Textual markup in it is shown as typed. A link opens only when clicked, through the app's
    ``open_url``, which opens http(s) addresses only.

    Its parts are ``#{prefix}-note-view`` (this), ``#{prefix}-note-title`` and ``#{prefix}-note`` (the note).
    """

    def __init__(self, prefix: str) -> None:
        super().__init__(id=f"{prefix}-note-view")
        self._body_id = f"{prefix}-note"
        self._title_id = f"{prefix}-note-title"
        self._body: Static | Markdown | None = None  # mounted with the first note
        self._text: str | None = None  # the note the body shows (or is about to)
        self._swapping = False  # the plain body is being replaced by Markdown
        self.display = False

    def compose(self) -> ComposeResult:
        yield Static(Text("Note", style="bold"), id=self._title_id, classes="note-title", markup=False)

    def show(self, note: str | None) -> None:
        """Show ``note`` as stored (it is made inert here); an empty note hides the view."""
        text = inert_text(note, multiline=True)
        self.display = bool(text.strip())
        if not self.display or text == self._text:
            return
        self._text = text
        if self._body is None:
            self._body = Static(Text(text), id=self._body_id, classes="note-body", markup=False)
            self.mount(self._body)
            self.call_after_refresh(self._as_markdown)
        elif not self._swapping:
            self._body.update(text)

    async def _as_markdown(self) -> None:
        from textual.widgets import Markdown

        plain = self._body
        if not self.is_attached or not isinstance(plain, Static):
            return
        self._swapping = True
        try:
            await plain.remove()
            if not self.is_attached:  # the app is closing
                return
            shown = self._text or ""
            markdown = Markdown(shown, id=self._body_id, classes="note-body", parser_factory=note_parser)
            await self.mount(markdown)
            self._body = markdown
            if self._text is not None and self._text != shown:  # changed while it was being mounted
                markdown.update(self._text)
        finally:
            self._swapping = False
