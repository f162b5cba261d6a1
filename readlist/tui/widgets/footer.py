"""Textual's Footer, minus the start-up work that does not change what it shows.

The stock footer rebuilds all its keys every time the screen's bindings are
updated (four times while the main screen starts, and on every focus change), and
each new key is restyled twice: once for its own ``compact`` default and once
when the footer's value is bound to it. That was the largest single piece of
Textual work before the first paint. This footer rebuilds only when the keys
it shows really changed, and gives each key its ``compact`` value before it is
mounted, so no key is restyled.
"""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from textual.app import ComposeResult, RenderResult
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

Signature = tuple[tuple[str, str, str, str, bool, str], ...]


class ReadlistFooter(Footer):
    """A footer that keeps its keys while the shown bindings stay the same."""

    DEFAULT_CSS: ClassVar[str] = """
    ReadlistFooter KeyGroup.-compact FooterKey.-grouped.-spaced {
        margin-left: 1;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self._shown: Signature | None = None
        self._pending = False

    def _signature(self) -> Signature:
        """What the footer would show now: key, its display, action, label, enabled state, tooltip."""
        app = self.app
        rows = [
            (binding.key, app.get_key_display(binding), binding.action, binding.description, enabled, tooltip or "")
            for (_, binding, enabled, tooltip) in self.screen.active_bindings.values()
            if binding.show or binding.key == app.COMMAND_PALETTE_BINDING
        ]
        return tuple(rows)

    def compose(self) -> ComposeResult:
        self._pending = False
        if not self._bindings_ready:
            return
        self._shown = self._signature()
        grouped: FooterKey | None = None  # the key before this one in the same group
        # Keys in a group are yielded here too (Textual puts them in their group's container as they pass).
        for widget in super().compose():
            if isinstance(widget, FooterKey) and widget.has_class("-grouped"):
                # A compact group runs its keys together ("JK Scroll text"), which reads as one key when
                # a key is a word: "shift+↓shift+↑" (the search box, where J and K type) needs a space.
                if grouped is not None and max(cell_len(grouped.key_display), cell_len(widget.key_display)) > 1:
                    widget.set_class(True, "-spaced", update=False)
                grouped = widget
            else:
                grouped = None
            if isinstance(widget, FooterKey):
                if widget._reactive_connect:
                    # Textual data-binds the footer's ``compact`` to the key; the value given up front is the same.
                    widget._reactive_connect = None
                    widget.set_reactive(FooterKey.compact, self.compact)
                # The class its watcher would set on mount, set before any styles exist: no restyle.
                widget.set_class(widget.compact, "-compact", update=False)
            yield widget

    def bindings_changed(self, screen: Screen[object]) -> None:
        """Rebuild once per burst of updates, and only when the shown keys changed."""
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            if self._pending or self._signature() == self._shown:
                return  # a rebuild is queued (it reads the bindings then), or nothing to change
            self._pending = True
            self.call_after_refresh(self.recompose)


class FooterSpace(Widget):
    """The footer's line, kept empty until the first screen is painted; then the footer takes its place.

    The footer is a widget per key (a dozen or more), and styling and laying them out was a third of the
    work before the first paint. The screen paints its content first and mounts the footer in the next
    frame; this keeps its line so nothing moves when it comes.
    """

    DEFAULT_CSS: ClassVar[str] = """
    FooterSpace {
        dock: bottom;
        height: 1;
        background: $footer-background;
    }
    """

    def render(self) -> RenderResult:
        return ""
