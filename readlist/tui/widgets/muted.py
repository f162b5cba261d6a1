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

from collections.abc import Mapping
from typing import ClassVar

from rich.style import Style
from rich.text import Span, Text
from textual.app import RenderResult
from textual.widgets import Static

MUTED = Style(dim=True, meta={"readlist": "muted"})
"""The style of a muted part of a text. Drawn anywhere else than in a :class:`MutedText`, it is plain dim."""


def restyled(text: Text, styles: Mapping[Style, Style]) -> Text:
    """``text`` with each part styled with a mark (a key of ``styles``) in that mark's style; ``text`` itself if
    it has none."""
    whole = styles.get(text.style) if isinstance(text.style, Style) else None
    if whole is None and not any(span.style in styles for span in text.spans):
        return text
    drawn = text.copy()
    if whole is not None:
        drawn.style = whole
    drawn.spans = [Span(span.start, span.end, styles[span.style])
                   if isinstance(span.style, Style) and span.style in styles else span for span in text.spans]
    return drawn


class MutedText(Static):
    """A Static whose text's marked parts are drawn in their component styles (readlist.tcss): :data:`MUTED`
    in ``muted-text--muted``, and a subclass's own marks (:attr:`MARKS`) in theirs."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"muted-text--muted"}
    MARKS: ClassVar[dict[Style, str]] = {MUTED: "muted-text--muted"}

    def mark_styles(self) -> dict[Style, Style]:
        """Each mark's style now (looked up when drawn: it follows a change of theme)."""
        return {mark: self.get_component_rich_style(name, partial=True) for mark, name in self.MARKS.items()}

    def render(self) -> RenderResult:
        content = self.content
        if isinstance(content, Text):
            return restyled(content, self.mark_styles())
        return super().render()
