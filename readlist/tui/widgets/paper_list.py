"""The paper list: a virtual list that draws only the rows on screen.

One widget per row would make a 100,000 paper library unusable, so this is a
ScrollView using the line API: ``render_line`` builds the strip for one visible
row from the already filtered and sorted list it was handed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import islice
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from readlist.core.model import Paper, Status, rating_stars
from readlist.core.texrender import render_tex
from readlist.core.text import inert_text
from readlist.tui import bindings
from readlist.tui.themes import few_colours, legible_part, legible_row
from readlist.tui.widgets.scrollbar import SteadyScrollBars

# The date and upvotes columns are as wide as what the list holds, and only shown while the title keeps
# at least TITLE_MINIMUM cells: at 160 columns titles get the room, at 60 they are not cut to a stub.
# Tags follow the title on its line rather than in a column that would stand empty for most papers.
DATE_WIDTH = 10
TITLE_MINIMUM = 30
# A long title is cut to leave its tags up to this much room (never below TITLE_MINIMUM): beside the detail pane,
# at 160 columns, a title filled the row and the tags were never seen. Tags that do not fit whole are counted (+2).
TAG_ROOM = 20
# Less room than this would show no tag worth reading: the title then has the row, as before.
TAG_ROOM_MINIMUM = 8
# Rows looked at to size the columns (the top of the list, which is what is on screen first).
SIZING_SAMPLE = 2000
# Rows read one by one for a paper before a map of every row is made (see ``PaperList.row_of``).
NEAR_TOP = 1000
# How the list shows an unrated paper: a placeholder as wide as the stars.
UNRATED = "·····"
# The cursor on a terminal of 16 colours or with NO_COLOR (see ``render_line``): reverse video, and underlined
# while the list is not focused (the blurred cursor's tint is the list's own colour there, or no colour).
BASIC_CURSOR = Style(reverse=True, bold=True)
BASIC_CURSOR_BLURRED = Style(underline=True)


class PaperList(SteadyScrollBars, ScrollView, can_focus=True):
    """Rows of papers with a cursor and a multi-selection."""

    BINDINGS: ClassVar[list[BindingType]] = bindings.PAPER_LIST

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "paper-list--cursor",
        "paper-list--cursor-blurred",
        "paper-list--selected",
        "paper-list--muted",
        "paper-list--stars",
        "paper-list--tags",
        "paper-list--empty",
        *(f"paper-list--status-{status.value}" for status in Status),
    }

    class Highlighted(Message):
        """The paper under the cursor changed (None when the list is empty)."""

        def __init__(self, paper_list: PaperList, paper: Paper | None) -> None:
            super().__init__()
            self.paper_list = paper_list
            self.paper = paper

    class Moved(Message):
        """The user moved the cursor (a key or a click), as opposed to the list changing under it."""

    class SelectionChanged(Message):
        """Papers were selected or unselected."""

        def __init__(self, count: int) -> None:
            super().__init__()
            self.count = count

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.papers: list[Paper] = []
        self._row_index: dict[str, int] | None = None  # row of each paper id, made when first needed
        self.cursor = 0
        self.selected: set[str] = set()
        self.empty_message = "No papers here."
        self._last_highlight: str | None = "\0"
        # Rendered rows by everything that shows in them; moving the cursor then redraws two rows cheaply.
        self._row_cache: dict[tuple[object, ...], Strip] = {}
        self._frame: tuple[int, int, Style, bool, str] | None = None
        # Widths of the date and upvotes columns for the papers shown (0: nothing to show there).
        self._columns: tuple[int, int] = (0, 0)

    # -- data ---------------------------------------------------------------

    @property
    def current(self) -> Paper | None:
        if 0 <= self.cursor < len(self.papers):
            return self.papers[self.cursor]
        return None

    def row_of(self, paper_id: str) -> int | None:
        """The row showing ``paper_id``, or None: the rows by the cursor are looked at first (a key acts on
        the paper under it), then a map of every row, made once per list.

        Before the map is made, the first rows are read: coming back to a view looks for the paper the cursor was
        on there, most often near the top, where a map of the Inbox's 50,000 rows takes 15-25 ms."""
        papers = self.papers
        for row in (self.cursor, self.cursor + 1, self.cursor - 1):
            if 0 <= row < len(papers) and papers[row].id == paper_id:
                return row
        if self._row_index is None:
            for row, paper in enumerate(islice(papers, NEAR_TOP)):
                if paper.id == paper_id:
                    return row
            self._row_index = {paper.id: row for row, paper in enumerate(papers)}
        return self._row_index.get(paper_id)

    def set_papers(self, papers: Sequence[Paper], keep_id: str | None = None) -> None:
        """Show a new list; the cursor stays on ``keep_id`` if present, else at the same row."""
        self.papers = list(papers)
        self._row_index = None
        self._columns = _column_widths(self.papers[:SIZING_SAMPLE])
        found = self.row_of(keep_id) if keep_id is not None else None
        index = -1 if found is None else found
        if index < 0:
            index = min(self.cursor, len(self.papers) - 1)
        self.cursor = max(index, 0)
        present = {p.id for p in self.papers} if self.selected else set()
        if self.selected - present:
            self.selected &= present
            self.post_message(self.SelectionChanged(len(self.selected)))
        self._update_virtual_size()
        self._scroll_cursor_into_view()
        self.refresh()
        self._announce()

    def replace_papers(self, papers: list[Paper], changed: set[str], keep_id: str | None = None) -> None:
        """Show ``papers`` after an edit; when only ``changed`` rows differ from what is shown, redraw just those.

        ``papers`` must be what is shown minus papers that left it, in the same order (the
        objects are the same, edited in place). When none left and the cursor stays, the rows
        below do not move, so only the edited rows are repainted instead of the whole list.
        """
        if len(papers) != len(self.papers) or self.selected or (keep_id is not None and self.current is not None
                                                                 and self.current.id != keep_id):
            self.set_papers(papers, keep_id)
            return
        self.papers = papers
        self._row_index = None
        top, height = int(self.scroll_y), self.size.height
        for row in range(top, min(top + height, len(papers))):
            if papers[row].id in changed:
                self._refresh_row(row)
        self._announce()

    def targets(self) -> list[Paper]:
        """What an action applies to: the selection when there is one, else the paper under the cursor."""
        if self.selected:
            return [p for p in self.papers if p.id in self.selected]
        current = self.current
        return [current] if current is not None else []

    def clear_selection(self) -> None:
        if self.selected:
            self.selected.clear()
            self.refresh()
            self.post_message(self.SelectionChanged(0))

    def move_to(self, index: int) -> None:
        if not self.papers:
            return
        index = max(0, min(index, len(self.papers) - 1))
        if index != self.cursor:
            old = self.cursor
            self.cursor = index
            self._refresh_row(old)
            self._refresh_row(index)
        self._scroll_cursor_into_view()
        self._announce()

    def _refresh_row(self, row: int) -> None:
        y = row - int(self.scroll_y)
        if 0 <= y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    def _announce(self) -> None:
        paper = self.current
        key = paper.id if paper else None
        if key != self._last_highlight:
            self._last_highlight = key
            self.post_message(self.Highlighted(self, paper))

    def _update_virtual_size(self) -> None:
        size = Size(max(self.size.width, 1), len(self.papers))
        if size == self.virtual_size:
            return
        # The list's own size is fixed by the layout; its length only moves the scrollbar. Setting
        # ``virtual_size`` the usual way would lay out the whole screen on every search keystroke.
        self.set_reactive(PaperList.virtual_size, size)
        self._scroll_update(size)

    def _page(self) -> int:
        return max(self.scrollable_content_region.height, 1)

    def _scroll_cursor_into_view(self) -> None:
        height = self._page()
        top = int(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def on_resize(self, event: events.Resize) -> None:
        self._update_virtual_size()
        self._scroll_cursor_into_view()

    def on_focus(self) -> None:
        self._refresh_row(self.cursor)

    def on_blur(self) -> None:
        self._refresh_row(self.cursor)

    # -- actions --------------------------------------------------------------

    def _user_move(self, index: int) -> None:
        self.move_to(index)
        self.post_message(self.Moved())

    def action_cursor_down(self) -> None:
        self._user_move(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self._user_move(self.cursor - 1)

    def action_page_down(self) -> None:
        self._user_move(self.cursor + self._page())

    def action_page_up(self) -> None:
        self._user_move(self.cursor - self._page())

    def action_half_page(self, direction: int) -> None:
        self._user_move(self.cursor + direction * max(self._page() // 2, 1))

    def action_first(self) -> None:
        self._user_move(0)

    def action_last(self) -> None:
        self._user_move(len(self.papers) - 1)

    def action_select_all(self) -> None:
        """Select every paper shown; when all of them already are, unselect them (one key for both, as space)."""
        shown = {paper.id for paper in self.papers}
        if not shown:
            self.notify("No paper here to select.", severity="warning", markup=False)
            return
        self.selected = set() if shown <= self.selected else shown
        self.post_message(self.SelectionChanged(len(self.selected)))
        self.refresh()

    def action_toggle_select(self) -> None:
        paper = self.current
        if paper is None:
            self.notify("No paper here to select.", severity="warning", markup=False)
            return
        if paper.id in self.selected:
            self.selected.discard(paper.id)
        else:
            self.selected.add(paper.id)
        self.post_message(self.SelectionChanged(len(self.selected)))
        self.move_to(self.cursor + 1)
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        self.focus()
        self._user_move(int(self.scroll_y) + offset.y)

    # -- drawing ----------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        # Width, base style, scroll offset, focus and theme are the same for every row of one pass;
        # looking them up once per row (the style walks the DOM) was most of the cost of a repaint.
        self._frame = self._frame_context()
        try:
            return super().render_lines(crop)
        finally:
            self._frame = None

    def _frame_context(self) -> tuple[int, int, Style, bool, str]:
        width = self.scrollable_content_region.width or self.size.width
        return width, int(self.scroll_y), self.rich_style, self.has_focus, self.app.theme

    def render_line(self, y: int) -> Strip:
        width, top, base, focused, theme = self._frame or self._frame_context()
        row = top + y
        if not self.papers:
            if y == 0:
                text = Text(inert_text(self.empty_message), style=self.get_component_rich_style("paper-list--empty"))
                return self._strip(text.render(self.app.console, end=""), width, base)
            return Strip.blank(width, base)
        if row >= len(self.papers):
            return Strip.blank(width, base)
        paper = self.papers[row]
        selected = paper.id in self.selected
        cursor = 0 if row != self.cursor else (1 if focused else 2)
        key = (paper.id, paper.title, paper.status, paper.rating, tuple(paper.tags), paper.published,
               paper.upvotes, selected, cursor, width, theme, base, self._columns)
        cached = self._row_cache.get(key)
        if cached is not None:
            return cached
        style = base
        parts = self.row_parts(paper, width)
        if cursor == 1 and few_colours(self.app):
            # 16 colours: the theme's tints for the cursor and the selection come out as one grey (or as the list's
            # own colour), so the cursor is a bar of the list's colours in reverse video, one colour throughout;
            # with NO_COLOR, the terminal's own colours in reverse video.
            style = legible_row(base) + BASIC_CURSOR
            parts = [(text, part + Style(color=style.color)) for text, part in parts]
        elif selected or cursor:
            if selected:
                style = style + self.get_component_rich_style("paper-list--selected")
            if cursor:
                name = "paper-list--cursor" if cursor == 1 else "paper-list--cursor-blurred"
                style = style + self.get_component_rich_style(name)
                if cursor == 2 and few_colours(self.app):
                    style = style + BASIC_CURSOR_BLURRED
            # The row's colours are the theme's; the parts' were made for the list's background.
            style = legible_row(style)
            parts = [(text, legible_part(part, style)) for text, part in parts]
        # Straight to segments: rich's Text.render (spans, wrapping) was most of the cost of a new row.
        strip = self._strip((Segment(text, part) for text, part in parts), width, style)
        if len(self._row_cache) > 2000:
            self._row_cache.clear()
        self._row_cache[key] = strip
        return strip

    def _strip(self, segments: Iterable[Segment], width: int, style: Style) -> Strip:
        strip = Strip(list(segments)).adjust_cell_length(width)
        return strip.apply_style(style).simplify() if style else strip

    def _status_style(self, status: str) -> Style:
        return self.get_component_rich_style(f"paper-list--status-{status}", partial=True, default=Style())

    def row_text(self, paper: Paper, width: int) -> Text:
        """One row as text: what :meth:`row_parts` gives, for reading rows back (tests, copying)."""
        return Text.assemble(*self.row_parts(paper, width), no_wrap=True)

    def row_parts(self, paper: Paper, width: int) -> list[tuple[str, Style]]:
        """One row: selection mark, status glyph, stars, title and tags, then date and upvotes when they fit.

        Library text goes through :func:`inert_text`: a hand-edited file is no more trusted than a web page.
        The title and tags are cut to the room left (with an ellipsis) and padded to it, in cells.
        """
        muted = self.get_component_rich_style("paper-list--muted", partial=True)
        star_style = self.get_component_rich_style("paper-list--stars", partial=True)
        tag_style = self.get_component_rich_style("paper-list--tags", partial=True)
        mark = "●" if paper.id in self.selected else " "
        try:
            glyph = Status(paper.status).glyph
        except ValueError:
            glyph = "?"
        room = width - (2 + 2 + 6 + 1)
        shown: list[int] = []
        for column in self._columns:  # date, then upvotes: in the order they give way
            if column and room - column - 1 >= TITLE_MINIMUM:
                room -= column + 1
                shown.append(column)
            else:
                shown.append(0)
        date_width, votes_width = shown
        room = max(room, 1)
        title = inert_text(render_tex(paper.title))
        tags = "  " + " ".join("#" + inert_text(tag) for tag in paper.tags) if paper.tags else ""
        whole = title + tags
        length = cell_len(whole)
        if length > room:
            names = [inert_text(tag) for tag in paper.tags]
            spare = room - cell_len(title)  # what the whole title leaves the tags
            kept = min(cell_len(tags), TAG_ROOM, room - TITLE_MINIMUM - 1)  # the title keeps its minimum and a "…"
            if tags and spare >= TAG_ROOM_MINIMUM:
                tags = _tags_in(names, spare)
            elif tags and kept >= TAG_ROOM_MINIMUM:
                tags = _tags_in(names, kept)
                title = set_cell_size(title, room - cell_len(tags) - 1) + "…"
            else:
                tags = ""
                title = whole = set_cell_size(whole, room - 1) + "…"
            whole = title + tags
            length = cell_len(whole)
        parts: list[tuple[str, Style]] = [
            (mark + " ", Style(bold=True)),
            (glyph + " ", self._status_style(paper.status)),
            (rating_stars(paper.rating, UNRATED) + " ", star_style if paper.rating else muted),
            (whole[: len(title)], Style()),
        ]
        if len(whole) > len(title):
            parts.append((whole[len(title):], tag_style))
        if length < room:
            parts.append((" " * (room - length), Style()))
        if date_width:
            day = paper.date
            parts.append((" " + (day.iso() if day else "").ljust(date_width), muted))
        if votes_width:
            votes = f"▲{paper.upvotes}" if paper.upvotes is not None else ""
            parts.append((" " + votes.rjust(votes_width), muted))
        return parts


def _tags_in(tags: Sequence[str], room: int) -> str:
    """``  #a #b`` in at most ``room`` cells: as many tags whole as fit, the rest counted (``  #a +2``), and the first
    cut with "…" when not even it fits whole."""
    for shown in range(len(tags), 0, -1):
        rest = len(tags) - shown
        text = "  " + " ".join("#" + tag for tag in tags[:shown]) + (f" +{rest}" if rest else "")
        if cell_len(text) <= room:
            return text
    more = f" +{len(tags) - 1}" if len(tags) > 1 else ""
    return set_cell_size("  #" + tags[0], max(room - len(more) - 1, 0)) + "…" + more


def _column_widths(papers: Sequence[Paper]) -> tuple[int, int]:
    """How wide the date and upvotes columns need to be for these papers (0 where all are empty)."""
    dates = votes = 0
    for paper in papers:
        if paper.published or paper.arxiv_id:
            dates = DATE_WIDTH
        if paper.upvotes:
            votes = max(votes, len(str(paper.upvotes)) + 1)
    return dates, votes
