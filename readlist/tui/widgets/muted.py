"""Muted text (dates, counts, hints) in the theme's muted colour, looked up each time the text is drawn.

Rich's "dim", which this replaces, is drawn by Textual as the text colour a third of the way to the
background: its contrast is whatever a theme's two colours leave, under 3:1 in several themes. The
theme's muted colour (``$text-muted``, ``$panel-text-muted`` on the panel) is made to reach 4.5:1 on
its background (see :mod:`readlist.config.themes`).

The text is built once (on a thread, for the detail pane's interest section) and drawn again after a
change of theme, so it carries a mark rather than a colour: a part styled :data:`MUTED` is drawn in
the style of the widget's ``muted-text--muted`` component class.
"""

from __future__ import annotations

from typing import ClassVar

from rich.style import Style
from rich.text import Span, Text
from textual.app import RenderResult
from textual.widgets import Static

MUTED = Style(dim=True, meta={"readlist": "muted"})
"""The style of a muted part of a text. Drawn anywhere else than in a :class:`MutedText`, it is plain dim."""


def with_muted(text: Text, muted: Style) -> Text:
    """``text`` with its muted parts (styled :data:`MUTED`) in ``muted`` instead; ``text`` itself if it has none."""
    marked = text.style == MUTED
    if not marked and not any(span.style == MUTED for span in text.spans):
        return text
    drawn = text.copy()
    if marked:
        drawn.style = muted
    drawn.spans = [Span(span.start, span.end, muted) if span.style == MUTED else span for span in text.spans]
    return drawn


class MutedText(Static):
    """A Static whose text's muted parts are drawn in its ``muted-text--muted`` component style (readlist.tcss)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"muted-text--muted"}

    def muted_style(self) -> Style:
        """The muted parts' style now (the component's colour only: the widget's own background shows through)."""
        return self.get_component_rich_style("muted-text--muted", partial=True)

    def render(self) -> RenderResult:
        content = self.content
        if isinstance(content, Text):
            return with_muted(content, self.muted_style())
        return super().render()
