"""The sidebar of views (Inbox, To read, …, one per tag) with live counts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.widget import Widget

from readlist.tui.viewmodel import Counts, View


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
        self.views = list(views)
        self.counts = counts
        self.current = current
        self.refresh(layout=True)

    def render(self) -> Text:
        width = max(self.size.width, 10)
        count_style = self.get_component_rich_style("view-sidebar--count", partial=True)
        current_style = self.get_component_rich_style("view-sidebar--current", partial=True)
        heading_style = self.get_component_rich_style("view-sidebar--heading", partial=True)
        text = Text(no_wrap=True, overflow="ellipsis")
        self._rows = []
        for index, view in enumerate(self.views):
            if index and view.key.startswith("tag:") and not self.views[index - 1].key.startswith("tag:"):
                text.append(" Tags\n", heading_style)
                self._rows.append(None)
            number = str(self.counts.for_view(view))
            label = Text(view.label, no_wrap=True)
            label.truncate(max(width - len(number) - 3, 3), overflow="ellipsis")
            pad = max(width - len(number) - label.cell_len - 2, 1)
            line = Text.assemble(" ", label, " " * pad, (number, count_style), " ")
            if index == self.current:
                line.stylize(current_style)
            text.append_text(line)
            text.append("\n")
            self._rows.append(index)
        text.rstrip()
        return text

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        tags = any(v.key.startswith("tag:") for v in self.views)
        return len(self.views) + (1 if tags else 0)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or not 0 <= offset.y < len(self._rows):
            return
        index = self._rows[offset.y]
        if index is not None:
            self.post_message(self.Chosen(index))
