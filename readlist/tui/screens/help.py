"""The help screen: every key of the screen it was opened from, built from the live bindings."""

from __future__ import annotations

from typing import Any, ClassVar, NamedTuple

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Static

from readlist.core.text import inert_text
from readlist.tui import bindings
from readlist.tui.keymap import SCREENS, DeclaredOrder
from readlist.tui.widgets.muted import MUTED, MutedText
from readlist.tui.widgets.scrollbar import scroll_to_end

# Bindings Textual adds on its own that would only clutter the list.
_HIDDEN_ACTIONS = frozenset({
    "scroll_left", "scroll_right", "page_left", "page_right", "scroll_up", "scroll_down", "scroll_home",
    "scroll_end", "app.focus_next", "app.focus_previous", "focus_next", "focus_previous", "app.help_quit",
    "help_quit", "screen.minimize", "minimize", "screen.copy_text",
})


class KeyRow(NamedTuple):
    keys: str
    description: str
    action: str
    node: DOMNode
    long: str  # the longer explanation the help screen shows


def bindings_table(app: App[Any], screen: Screen[Any]) -> list[KeyRow]:
    """One row per action bound on ``screen`` (keys of one action joined).

    Reading the active bindings (after keymap overrides) rather than a hand-written
    list keeps the help true when the user remaps keys.
    """
    grouped: dict[tuple[str, int], tuple[list[str], Binding, DOMNode]] = {}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if binding.action in _HIDDEN_ACTIONS or binding.system:
            continue
        # By binding: two bindings of one action (T and Enter both open triage mode) say different things.
        group = (binding.id or binding.action, id(active.node))
        display = app.get_key_display(binding.with_key(key))
        if group in grouped:
            if display not in grouped[group][0]:
                grouped[group][0].append(display)
        else:
            grouped[group] = ([display], binding, active.node)
    rows: list[KeyRow] = []
    for keys, binding, node in _documented_order(list(grouped.values())):
        action = binding.action
        description = binding.description or action.replace("_", " ")
        rows.append(KeyRow(" ".join(keys), description, action, node, binding.tooltip or description))
    return rows


def _documented_order(entries: list[tuple[list[str], Binding, DOMNode]]) -> list[tuple[list[str], Binding, DOMNode]]:
    """The bindings in the order the docs list them, the app's own (quit, the palette) last: Textual lists the
    focused widget's first, which put ↑ ↓ home end before ? and the status keys."""
    ids = {binding.id for _, binding, _ in entries if binding.id}
    group = max(SCREENS.values(), key=lambda declared: len(ids & {b.id for b in declared if isinstance(b, Binding)}))
    app_ids = {b.id for b in bindings.APP if isinstance(b, Binding)}
    place = {b.id: index for index, b in enumerate(group) if isinstance(b, Binding) and b.id not in app_ids}
    last = len(group)
    return sorted(entries, key=lambda entry: place.get(entry[1].id, last))


class HelpScreen(DeclaredOrder, ModalScreen[None]):
    """A scrollable table of keys; any of Esc, q or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = bindings.HELP_SCREEN

    def __init__(self, rows: list[KeyRow], *, title: str = "readlist") -> None:
        super().__init__(id="help")
        self.rows = rows
        self.help_title = title

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=True, expand=False, pad_edge=False)
        table.add_column(Text("Key", style="bold"), no_wrap=True)
        table.add_column(Text("Action", style="bold"))
        for row in self.rows:
            # Keys and descriptions can come from config.toml's keymap: shown inert like library text.
            table.add_row(Text(inert_text(row.keys), style="bold"), Text(inert_text(row.long)))
        with VerticalScroll(id="help-body"):
            yield Static(Text(f"Keys: {inert_text(self.help_title)}", style="bold"), id="help-title", markup=False)
            yield Static(table, id="help-table", markup=False)
            yield MutedText(Text("Esc, q or ? closes this help.  ctrl+p opens the command palette.", style=MUTED),
                         id="help-hint", markup=False)
        yield Footer()  # the help's own keys, over the list's (which do nothing here)

    def action_dismiss_help(self) -> None:
        self.dismiss(None)

    def action_scroll_help(self, direction: int) -> None:
        self.query_one("#help-body", VerticalScroll).scroll_relative(y=direction * 3, animate=False)

    def action_scroll_help_to(self, end: int) -> None:
        scroll_to_end(self.query_one("#help-body", VerticalScroll), end)
