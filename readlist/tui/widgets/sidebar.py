"""The sidebar of views (Inbox, To read, …, one per tag) with live counts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.color import Color
from textual.geometry import Size
from textual.message import Message
from textual.widget import Widget

from readlist.app.views import Counts, View
from readlist.config.themes import contrast_ratio
from readlist.core.text import inert_text

# WCAG AA for body text; the readlist themes are designed to it.
MIN_CONTRAST = 4.5


class ViewSidebar(Widget):
    """Draws one line per view; clicking a line chooses that view.

    Keyboard users switch views with ``[`` and ``]`` on the main screen, so the
    sidebar never takes focus away from the list.
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
        self._rows: list[int | None] = []

    def show(self, views: Sequence[View], counts: Counts, current: int) -> None:
        resized = len(views) != len(self.views)
        self.views = list(views)
        self.counts = counts
        self.current = current
        self.refresh(layout=resized)  # the height changes only when a tag view comes or goes; a relayout is dear

    def render(self) -> Text:
        width = max(self.size.width, 10)
        count_style = self.get_component_rich_style("view-sidebar--count", partial=True)
        current_style = self._current_row_style()
        heading_style = self.get_component_rich_style("view-sidebar--heading", partial=True)
        text = Text(no_wrap=True, overflow="ellipsis")
        self._rows = []
        for index, view in enumerate(self.views):
            for prefix, heading in (("saved:", " Searches\n"), ("tag:", " Tags\n")):
                if index and view.key.startswith(prefix) and not self.views[index - 1].key.startswith(prefix):
                    text.append(heading, heading_style)
                    self._rows.append(None)
            number = str(self.counts.for_view(view))
            label = Text(inert_text(view.label), no_wrap=True)  # tag views are named after library text
            label.truncate(max(width - len(number) - 3, 3), overflow="ellipsis")
            pad = max(width - len(number) - label.cell_len - 2, 1)
            line = Text.assemble(" ", label, " " * pad, (number, count_style), " ")
            if index == self.current:
                # Over the whole line, count included: muted text is not legible on every theme's cursor colour.
                line.stylize(current_style)
            text.append_text(line)
            text.append("\n")
            self._rows.append(index)
        text.rstrip()
        return text

    def _current_row_style(self) -> Style:
        """The current view's row: the theme's cursor colours, with the text made legible if they are not.

        The full visual style works out a theme's "auto" text colour against the row's real
        background. A few of Textual's own themes pair their cursor colours at less than 4.5:1;
        there the text becomes black or white, whichever reads better.
        """
        visual = self.get_visual_style("view-sidebar--current")
        style = visual.rich_style
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
        headings = sum(any(v.key.startswith(prefix) for v in self.views) for prefix in ("saved:", "tag:"))
        return len(self.views) + headings

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or not 0 <= offset.y < len(self._rows):
            return
        index = self._rows[offset.y]
        if index is not None:
            self.post_message(self.Chosen(index))
