"""A vertical scrollbar that is drawn again only when what it shows changes.

Textual draws a scrollbar like any widget: each of its lines goes through the style pipeline, a few
milliseconds for a bar of forty lines, and it does so whenever the scrolled widget's size or position
changes at all. In the paper list that is every triage key (the list is one paper shorter), although the
thumb of a bar over thousands of rows looks the same before and after. ``SteadyScrollBar`` works out the
bar's cells first (cheap: one segment per line) and reuses the lines it drew last time when they match.

``SteadyScrollBars`` gives a scrolling widget this bar; it replaces Textual's ``vertical_scrollbar``
property, which creates the bar on first use (the version of Textual is pinned, see pyproject.toml).
"""

from __future__ import annotations

from typing import cast

from textual.geometry import Region
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.strip import Strip
from textual.widget import Widget

# Lines kept per bar: a few looks (focused or not, hovered, a theme or two) cover what one session shows.
_KEPT = 8


class SteadyScrollBar(ScrollBar):
    """A scrollbar that keeps the lines it drew, by the cells they show."""

    def __init__(self, vertical: bool = True, name: str | None = None, *, thickness: int = 1) -> None:
        super().__init__(vertical=vertical, name=name, thickness=thickness)
        self._drawn: dict[tuple[object, ...], list[Strip]] = {}

    def _look(self) -> tuple[object, ...] | None:
        """What the bar shows: its cells, size and theme (None when it is drawn another way)."""
        bar = self.render()
        if not isinstance(bar, ScrollBarRender) or isinstance(bar.style, str):
            return None
        width, height = self.size
        style = bar.style
        if style.bgcolor is None or style.color is None:
            return None
        cells = bar.render_bar(
            size=height if bar.vertical else width,
            virtual_size=bar.virtual_size,
            window_size=bar.window_size,
            position=bar.position,
            vertical=bar.vertical,
            thickness=width if bar.vertical else height,
            back_color=style.bgcolor,
            bar_color=style.color,
        )
        return (width, height, self.app.theme, self.app.ansi_color, tuple(cells.segments))

    def render_lines(self, crop: Region) -> list[Strip]:
        look = self._look()
        if look is None:
            return super().render_lines(crop)
        key = (crop, *look)
        lines = self._drawn.get(key)
        if lines is None:
            if len(self._drawn) >= _KEPT:
                self._drawn.clear()
            lines = self._drawn[key] = super().render_lines(crop)
        return lines


class SteadyScrollBars:
    """For a scrolling widget (listed before its Textual base): its vertical bar is a :class:`SteadyScrollBar`.

    A plain mixin rather than a ``Widget``: as a widget class it would come first in the order Textual
    collects class settings (CSS, bindings, focus) from, and change them.
    """

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        widget = cast(Widget, self)
        if widget._vertical_scrollbar is not None:
            return widget._vertical_scrollbar
        widget._vertical_scrollbar = bar = SteadyScrollBar(
            vertical=True, name="vertical", thickness=widget.scrollbar_size_vertical
        )
        bar.display = False
        widget.app._start_widget(widget, bar)
        return bar


def scroll_to_end(view: Widget, end: int) -> None:
    """A scrolling screen's body to its top (``end`` 0) or bottom (1), at once: g and G there, as they go to the
    list's first and last paper."""
    if end:
        view.scroll_end(animate=False, immediate=True)
    else:
        view.scroll_home(animate=False, immediate=True)
