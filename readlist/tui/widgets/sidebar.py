"""The sidebar of views (Inbox, To read, …, one per tag) with live counts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.color import Color
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip
from textual.visual import Visual, visualize
from textual.widget import Widget

from readlist.app.views import Counts, View
from readlist.config.themes import contrast_ratio
from readlist.core.text import inert_text
from readlist.tui.widgets.fit import fit_line

# WCAG AA for body text; the readlist themes are designed to it.
MIN_CONTRAST = 4.5


# One line of the sidebar: a heading, or a view's label, its count and whether it is the current view.
Row = tuple[str, str, str, bool]


class ViewSidebar(Widget):
    """Draws one line per view; clicking a line chooses that view.

    Keyboard users switch views with ``[`` and ``]`` on the main screen, so the
    sidebar never takes focus away from the list. It draws line by line, each
    line drawn once and kept: after a triage key only the two lines whose counts
    changed are drawn again, not the forty lines of a library with many tags.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"view-sidebar--current", "view-sidebar--count", "view-sidebar--heading"}

    class Chosen(Message):
        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.views: list[View] = []
        self.counts = Counts()
        self.current = 0
        self._rows: list[int | None] = []  # the view of each line (None for a heading)
        self._lines: list[Row] = []
        self._drawn: dict[tuple[object, ...], Strip] = {}

    def show(self, views: Sequence[View], counts: Counts, current: int) -> None:
        self.views = list(views)
        self.counts = counts
        self.current = current
        lines, rows = self._layout()
        if len(lines) != len(self._lines):
            self._lines, self._rows = lines, rows
            self.refresh(layout=True)  # the height changes only when a view comes or goes; a relayout is dear
            return
        changed = [y for y, (old, new) in enumerate(zip(self._lines, lines, strict=True)) if old != new]
        self._lines, self._rows = lines, rows
        width = self.size.width
        for y in changed:
            self.refresh(Region(0, y, width, 1))

    def _layout(self) -> tuple[list[Row], list[int | None]]:
        lines: list[Row] = []
        rows: list[int | None] = []
        for index, view in enumerate(self.views):
            for prefix, heading in (("saved:", "Searches"), ("tag:", "Tags")):
                if index and view.key.startswith(prefix) and not self.views[index - 1].key.startswith(prefix):
                    lines.append(("heading", heading, "", False))
                    rows.append(None)
            # Tag views are named after library text: shown inert.
            lines.append(("view", inert_text(view.label), str(self.counts.for_view(view)), index == self.current))
            rows.append(index)
        return lines, rows

    def _line_text(self, row: Row, width: int) -> Text:
        kind, label_text, number, current = row
        if kind == "heading":
            heading_style = self.get_component_rich_style("view-sidebar--heading", partial=True)
            return Text(" " + label_text, style=heading_style, no_wrap=True, overflow="ellipsis")
        count_style = self.get_component_rich_style("view-sidebar--count", partial=True)
        label = fit_line(Text(label_text, no_wrap=True), max(width - len(number) - 3, 3), at_words=False)
        pad = max(width - len(number) - label.cell_len - 2, 1)
        line = Text.assemble(" ", label, " " * pad, (number, count_style), " ", no_wrap=True, overflow="ellipsis")
        if current:
            # Over the whole line, count included: muted text is not legible on every theme's cursor colour.
            line.stylize(self._current_row_style())
        return line

    def render(self) -> Text:
        """The whole sidebar as one text, one line per row (what ``render_line`` draws line by line)."""
        width = max(self.size.width, 10)
        text = Text(no_wrap=True, overflow="ellipsis")
        for row in self._layout()[0]:
            text.append_text(self._line_text(row, width))
            text.append("\n")
        text.rstrip()
        return text

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        style = self.visual_style
        if not 0 <= y < len(self._lines):
            return Strip.blank(width, style.rich_style)
        row = self._lines[y]
        key = (row, width, style, self.app.theme)
        strip = self._drawn.get(key)
        if strip is None:
            # Drawn as Textual draws a widget's text, one line at a time.
            visual = visualize(self, self._line_text(row, max(width, 10)), markup=False)
            strip = Visual.to_strips(self, visual, width, 1, style)[0]
            if len(self._drawn) > 1000:
                self._drawn.clear()
            self._drawn[key] = strip
        return strip

    def _current_row_style(self) -> Style:
        """The current view's row: the theme's cursor colours, with the text made legible if they are not.

        The full visual style works out a theme's "auto" text colour against the row's real
        background. A few of Textual's own themes pair their cursor colours at less than 4.5:1;
        there the text becomes black or white, whichever reads better.
        """
        visual = self.get_visual_style("view-sidebar--current")
        style = visual.rich_style
        if self.get_component_styles("view-sidebar--current").text_style.reverse:
            style += Style(reverse=True)  # with NO_COLOR (readlist.tcss); the visual style leaves reverse out
        back, fore = visual.background, visual.foreground
        if back is None or fore is None or back.ansi is not None or fore.ansi is not None:
            return style
        back = back if back.a >= 1 else self.background_colors[1] + back
        shown = back + fore
        if contrast_ratio(shown.hex, back.hex) < MIN_CONTRAST:
            best = max((Color(0, 0, 0), Color(255, 255, 255)), key=lambda c: contrast_ratio(c.hex, back.hex))
            style += Style(color=best.rich_color)
        return style

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or not 0 <= offset.y < len(self._rows):
            return
        index = self._rows[offset.y]
        if index is not None:
            self.post_message(self.Chosen(index))
