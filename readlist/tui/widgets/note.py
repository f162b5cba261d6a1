"""A paper's note as the reader wrote it: Markdown, drawn from inert text, in the detail pane and in triage."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from readlist.core.text import inert_text
from readlist.tui.widgets.muted import MUTED, MutedText

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_core import StateCore
    from markdown_it.token import Token
    from textual.widgets import Markdown


# How much of a note the detail pane and triage mode draw: the first lines of it, as many as the terminal has rows
# (PANE_LINES at least), and PANE_CHARS_PER_LINE characters for each of them in all. Textual's Markdown widget
# costs a widget per block (a list item is several) and markdown-it ~8 µs a character: on a busy 2-core machine a
# 100-item list took 1-5 s to draw, 100,000 characters of headings and paragraphs 35 s and 10 MB never finished,
# the event loop blocked meanwhile (keys, redraws, even SIGTERM waited). A screenful is all the pane shows at once.
PANE_LINES = 50
PANE_CHARS_PER_LINE = 100
# The largest note the note editor opens. Textual's TextArea works out the wrapping of every line when it opens
# and sums the lines' heights for every row it draws, so both grow with the note: at 2,000 lines it opened in about
# 0.6 s and a key took ~35 ms to show; at 10,000 lines, 2 s and 0.3 s; at 100,000 lines (1 MB) 14 s, and 10 MB
# never opened. A longer note is edited in $EDITOR (``readlist note ID --edit``).
EDITOR_MAX_CHARS = 200_000
EDITOR_MAX_LINES = 2_000

_BLANK_LINES = re.compile(r"(?:[ \t]*\n)*")
_NOT_SPACE = re.compile(r"\S")


def line_count(note: str) -> int:
    """How many lines ``note`` has (a final line end starts no new line)."""
    if not note:
        return 0
    return note.count("\n") + (0 if note.endswith("\n") else 1)


def too_long_to_edit(note: str) -> bool:
    """Whether the note editor refuses ``note``: past its size the editor would open in seconds or minutes and
    lag behind typing (see :data:`EDITOR_MAX_LINES`), so it says so and points to $EDITOR instead."""
    return len(note) > EDITOR_MAX_CHARS or line_count(note) > EDITOR_MAX_LINES


def edit_elsewhere(paper_id: str, key: str | None = None) -> str:
    """What edits a note too long for the editor, the same words wherever the app says it: the app's key for $EDITOR
    (as mapped) and the command, or the command alone when no key is bound to it."""
    command = f"`readlist note {paper_id} --edit`"
    return f"{key} (or {command})" if key else command


def editor_refusal(paper_id: str, note: str, key: str | None = None) -> tuple[str, str]:
    """What the app says when the note editor will not open ``note``: a line for the top bar, the key first (a
    narrow bar cuts the end), and the why for a notification. ``key`` opens the note in $EDITOR (None: none does)."""
    line = f"Note too long to edit here: {edit_elsewhere(paper_id, key)} edits it in $EDITOR"
    why = (f"This note has {len(note):,} characters in {line_count(note):,} lines; the editor here opens notes of up "
           f"to {EDITOR_MAX_CHARS:,} characters and {EDITOR_MAX_LINES:,} lines. {edit_elsewhere(paper_id, key)} "
           "opens it in your $EDITOR; the note is kept as it is.")
    return line, why


class NoteBeginning(NamedTuple):
    """The part of a note the pane draws, and how much of the note comes after it."""

    text: str
    more_chars: int = 0
    more_lines: int = 0


def note_beginning(note: str, most_lines: int, most_chars: int) -> NoteBeginning:
    """The first ``most_lines`` lines of ``note``, at most ``most_chars`` characters of it, and what it leaves out.

    Works on the beginning only (the rest is counted, not copied), so a note of any size costs the same to show.
    Blank lines at the start are passed over, as Markdown would. Cut by characters, the beginning ends at a line
    end or else a space when there is one in its second half, not inside a word.
    """
    blank = _BLANK_LINES.match(note)
    start = blank.end() if blank is not None else 0
    limit = start + most_chars
    end = start
    for _ in range(most_lines):
        found = note.find("\n", end, limit)
        if found < 0:
            break
        end = found + 1
    else:  # most_lines whole lines
        return _beginning(note, start, end - 1)
    if len(note) <= limit:
        return NoteBeginning(note[start:])
    half = start + most_chars // 2
    cut = note.rfind("\n", half, limit)
    if cut < 0:
        cut = max(note.rfind(" ", half, limit), note.rfind("\t", half, limit))
    return _beginning(note, start, cut if cut >= 0 else limit)


def _beginning(note: str, start: int, cut: int) -> NoteBeginning:
    if _NOT_SPACE.search(note, cut) is None:  # only blanks after it: the note is whole
        return NoteBeginning(note[start:])
    rest = cut + 1 if note[cut:cut + 1].isspace() else cut  # the line end or space cut at is neither part
    return NoteBeginning(note[start:cut].rstrip(), len(note) - rest,
                         note.count("\n", rest) + (0 if note.endswith("\n") else 1))


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


def _more(paper_id: str, part: NoteBeginning, note: str, key: Callable[[str], str | None]) -> str:
    """The line under a note cut short: how much more there is, and where to read and edit it whole (``key`` gives
    the key an action has, as mapped)."""
    chars = f"{part.more_chars:,} character" + ("" if part.more_chars == 1 else "s")
    rest = f"{part.more_lines:,} lines ({chars})" if part.more_lines > 1 else chars
    if too_long_to_edit(note):
        return (f"… {rest} more. Too long for the editor here: `readlist note {paper_id}` prints it all, "
                f"{edit_elsewhere(paper_id, key('note_in_editor'))} edits it in $EDITOR.")
    edit_key = key("note")
    where = f"{edit_key} edits the whole note" if edit_key else "the note editor opens it whole"
    return f"… {rest} more: {where}, `readlist note {paper_id}` prints it all."


class NoteView(Vertical, can_focus=False):
    """"Note" over the note rendered as Markdown; hidden while the paper has no note.

    The first note of a run shows as plain text and becomes Markdown once that frame is on the screen:
    the Markdown widget and its parser cost ~0.1 s of imports, which would otherwise delay the first
    paint whenever the first paper shown has a note. A note is drawn again only when its text changed
    (a rating or a tag leaves it alone), and Markdown parses it off the key's path, so keys stay fast.

    Only the beginning of a long note is drawn (:func:`note_beginning`: a screenful), with a line under it saying
    how much more there is and where to read and edit it whole: what a note costs to draw stays that of a
    screenful whatever its size, and the stored note is never touched.

    The text is made inert before parsing (escapes and controls show as a mark) and every token after;
    Rich or Textual markup in it is shown as typed. A link opens only when clicked, through the app's
    ``open_url``, which opens http(s) addresses only.

    Its parts are ``#{prefix}-note-view`` (this), ``#{prefix}-note-title``, ``#{prefix}-note`` (the note) and
    ``#{prefix}-note-more`` (the line under a note cut short). ``key`` gives the key of an action (``note``, the note
    editor; ``note_in_editor``, $EDITOR) as mapped (None when none has one), for that line.
    """

    def __init__(self, prefix: str, key: Callable[[str], str | None] = lambda _action: None) -> None:
        super().__init__(id=f"{prefix}-note-view")
        self._body_id = f"{prefix}-note"
        self._title_id = f"{prefix}-note-title"
        self._more_id = f"{prefix}-note-more"
        self._key = key
        self._body: Static | Markdown | None = None  # mounted with the first note
        self._text: str | None = None  # the note the body shows (or is about to)
        self._note: tuple[str, str] | None = None  # the paper's id and the note (as stored) last shown
        self._swapping = False  # the plain body is being replaced by Markdown
        self._drawn: str | None = None  # the text the Markdown body has, or is being given
        self._drawing = False  # a Markdown draw is under way: it takes the newest text when it ends
        # The last note cut short, the lines it was cut to and its beginning: counting what a 10 MB note leaves out
        # takes ~10 ms, which j and k going past it would pay at every step.
        self._cut: tuple[str, int, NoteBeginning] | None = None
        self.display = self._shows = False

    def compose(self) -> ComposeResult:
        yield Static(Text("Note", style="bold"), id=self._title_id, classes="note-title", markup=False)
        more = MutedText(id=self._more_id, classes="note-more", markup=False)
        more.display = False
        yield more

    def show(self, note: str | None, paper_id: str = "") -> None:
        """Show ``note`` as stored (the beginning of it, made inert here); an empty note hides the view."""
        if note is not None and self._note is not None and self._note[1] is note and self._note[0] == paper_id:
            self.display = self._shows  # the same note of the same paper (a rating or a tag changed): as it was
            return
        self._note = (paper_id, note) if note is not None else None
        rows = self.app.size.height if self.is_attached else 0
        lines = max(PANE_LINES, rows)
        cut = self._cut
        if cut is not None and cut[0] is note and cut[1] == lines:
            part = cut[2]  # back on the paper shown before the last one: the long note is not counted again
        else:
            part = note_beginning(note or "", lines, lines * PANE_CHARS_PER_LINE)
            if part.more_chars:
                self._cut = (note or "", lines, part)
        text = inert_text(part.text, multiline=True)
        self.display = self._shows = bool(text.strip()) or part.more_chars > 0
        if not self.display:
            return
        more = self.query_one(f"#{self._more_id}", Static)
        more.display = part.more_chars > 0
        if more.display:
            more.update(Text(_more(paper_id, part, note or "", self._key), style=MUTED))
        if text == self._text:
            return
        self._text = text
        if self._body is None:
            self._body = Static(Text(text), id=self._body_id, classes="note-body", markup=False)
            self.mount(self._body, before=more)
            self.call_after_refresh(self._as_markdown)
        elif not self._swapping:
            if isinstance(self._body, Static):
                self._body.update(text)
            else:
                self._draw_newest()

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
            shown = self._drawn = self._text or ""
            markdown = Markdown(shown, id=self._body_id, classes="note-body", parser_factory=note_parser)
            await self.mount(markdown, before=f"#{self._more_id}")
            self._body = markdown
        finally:
            self._swapping = False
        self._draw_newest()  # the note changed while it was being mounted

    def _draw_newest(self) -> None:
        """Give the Markdown body the newest text, one draw at a time.

        A draw parses the note and mounts a widget per block (a list item is several): 0.1-0.3 s for a list of 50
        items on a busy machine. Each key that moves the cursor would start one, and a run of keys (j held down)
        would queue a draw per paper passed, each waiting for the one before. Only one runs; when it ends it
        takes the text shown by then, so the papers passed over are never drawn.
        """
        if self._drawing or self._text is None or self._text == self._drawn:
            return
        self._drawing = True
        self.run_worker(self._drawing_newest(), group="note-draw")

    async def _drawing_newest(self) -> None:
        from textual.widgets import Markdown

        try:
            while isinstance(body := self._body, Markdown) and self._text is not None and self._text != self._drawn:
                self._drawn = self._text
                await body.update(self._drawn)
        finally:
            self._drawing = False
