"""Every key of every screen as Markdown tables, made from the bindings themselves.

The README and docs/tui.md hold this text between ``<!-- keys:start SCOPE -->`` and ``<!-- keys:end -->``
(SCOPE ``main`` for the paper list and triage mode, ``all`` for every screen, ``keymap`` for the ids
config.toml's ``[keymap]`` accepts); ``scripts/keys.py`` rewrites it there and a test checks it is current,
so the documented keys cannot drift from the real ones (the help screen, ``?``, reads the same bindings
live, with the user's remapping applied).
"""

from __future__ import annotations

import re

from textual.binding import Binding
from textual.keys import format_key

from readlist.tui.keymap import SCREENS

END = "<!-- keys:end -->"
_START = re.compile(r"<!-- keys:start (\w+) -->")
# Screens in the order a user meets them.
SCOPES: dict[str, tuple[str, ...]] = {
    "main": ("paper list", "triage mode"),
    "all": ("paper list", "search box", "triage mode", "note editor", "tag editor", "details form",
            "citation formats", "confirmation", "prompt", "statistics", "help"),
}
# The table of binding ids, for remapping: every id the keymap accepts (see readlist.tui.keymap).
KEYMAP = "keymap"
_EVERYWHERE = ("**Everywhere**\n\n| key | action |\n|---|---|\n"
               "| `q` | quit (a note being edited is saved first, with the keys typed just before, and so are the"
               " details form's and the tag box's changes); on the"
               " statistics and help screens `q` goes back instead, and in a dialog (the delete confirmation, the"
               " citation formats) it cancels; in a text box, where `q` types, and on those screens and dialogs,"
               " `ctrl+q` |\n"
               "| `ctrl+p` | command palette: every action by name, views, sort orders, themes |")


def _keys(binding: Binding) -> str:
    return " ".join(f"`{format_key(k.strip())}`" for k in binding.key.split(","))


def _rows(screen: str, app_ids: set[str | None]) -> list[str]:
    rows: list[str] = []
    seen: set[str] = set()
    ratings: list[str] = []
    for entry in SCREENS[screen]:
        if not isinstance(entry, Binding) or entry.id in app_ids or (entry.id or entry.action) in seen:
            continue
        seen.add(entry.id or entry.action)
        if (entry.description or "").startswith("Rate ") and entry.key.isdigit():
            # Five rows saying "Rate 1" … "Rate 5" read better as one.
            ratings.append(entry.key)
            if len(ratings) == 1:
                rows.append("RATINGS")
            continue
        rows.append(f"| {_keys(entry)} | {entry.tooltip or entry.description} |")
    if ratings:
        rate = f"| `{ratings[0]}`–`{ratings[-1]}` | Rate {ratings[0]} to {ratings[-1]} stars |"
        rows = [rate if row == "RATINGS" else row for row in rows]
    return rows


def keymap_table() -> str:
    """Every binding id ``[keymap]`` accepts: its keys as shipped, what it does and on which screens.

    Made from the same screens the keymap checks remappings against, so an id added to the bindings
    is documented as remappable the moment it exists.
    """
    found: dict[str, tuple[Binding, list[str]]] = {}
    for screen, group in SCREENS.items():
        for entry in group:
            if isinstance(entry, Binding) and entry.id:
                binding, screens = found.setdefault(entry.id, (entry, []))
                if screen not in screens:
                    screens.append(screen)
    # Keys by the names config.toml takes (``down``, ``question_mark``), not as the help screen draws them.
    rows = ["| id | keys | action | on |", "|---|---|---|---|"]
    for binding_id, (binding, screens) in found.items():
        keys = " ".join(f"`{key.strip()}`" for key in binding.key.split(","))
        where = "every screen" if len(screens) == len(SCREENS) else ", ".join(screens)
        rows.append(f"| `{binding_id}` | {keys} | {binding.tooltip or binding.description} | {where} |")
    return "\n".join(rows) + "\n"


def key_tables(scope: str = "all") -> str:
    """One table per screen of ``scope``: keys and what they do (app-wide keys once, at the end).

    ``keymap`` is the table of binding ids instead (see :func:`keymap_table`).
    """
    if scope == KEYMAP:
        return keymap_table()
    app_ids = {b.id for b in SCREENS["paper list"] if isinstance(b, Binding) and b.action == "quit"}
    parts = [f"**{screen[0].upper() + screen[1:]}**\n\n| key | action |\n|---|---|\n"
             + "\n".join(_rows(screen, app_ids)) for screen in SCOPES[scope]]
    parts.append(_EVERYWHERE)
    return "\n\n".join(parts) + "\n"


def replace_between_markers(text: str, tables_for: dict[str, str] | None = None) -> str:
    """``text`` with fresh tables between each pair of markers (there must be at least one pair)."""
    out: list[str] = []
    rest = text
    found = False
    while (match := _START.search(rest)) is not None:
        scope = match.group(1)
        if scope not in SCOPES and scope != KEYMAP:
            raise ValueError(f"unknown key table scope {scope!r}: use one of {', '.join([*SCOPES, KEYMAP])}")
        end = rest.find(END, match.end())
        if end < 0:
            raise ValueError(f"{match.group(0)} has no {END} after it")
        tables = (tables_for or {}).get(scope) or key_tables(scope)
        out.append(f"{rest[:match.end()]}\n{tables}")
        rest = rest[end:]
        found = True
    if not found:
        raise ValueError(f"no <!-- keys:start SCOPE --> … {END} markers")
    return "".join(out) + rest
