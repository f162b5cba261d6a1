"""The user's ``[keymap]``: extra keys for actions, checked before they are applied.

Textual's own keymap *replaces* an action's keys, so ``keep = "k"`` used to leave Keep without
``s`` and give ``k`` to two actions at once, silently. Here an entry *adds* keys; ``-key`` removes a
default key when that is really wanted (``keep = "k, -s"``). A key that another action already uses
on a screen where this action is active is not applied, and every problem (an unknown action, a key
taken twice) becomes a one-line message shown at start.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from textual.binding import ActiveBinding, Binding, BindingType
from textual.dom import DOMNode
from textual.screen import Screen

from readlist.tui import bindings

if TYPE_CHECKING:
    _Screen = Screen[Any]
else:
    _Screen = object

# The bindings active together on each screen (the app's bindings are active everywhere).
SCREENS: dict[str, Sequence[BindingType]] = {
    "paper list": [*bindings.APP, *bindings.MAIN, *bindings.PAPER_LIST],
    "triage mode": [*bindings.APP, *bindings.TRIAGE],
    "note editor": [*bindings.APP, *bindings.NOTE_EDITOR],
    "tag editor": [*bindings.APP, *bindings.TAG_EDITOR],
    "citation formats": [*bindings.APP, *bindings.CITE_CHOOSER],
    "confirmation": [*bindings.APP, *bindings.CONFIRM],
    "prompt": [*bindings.APP, *bindings.PROMPT],
    "details form": [*bindings.APP, *bindings.DETAILS],
    "search box": [*bindings.APP, *bindings.SEARCH],
    "statistics": [*bindings.APP, *bindings.STATS],
    "help": [*bindings.APP, *bindings.HELP_SCREEN],
}


@dataclass
class Keymap:
    """What to hand Textual (binding id -> every key, comma separated) and what could not be applied."""

    keys: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _split(keys: str) -> list[str]:
    return [k.strip() for k in keys.split(",") if k.strip()]


def _defaults() -> dict[str, tuple[list[str], str]]:
    """Binding id -> (its default keys, its description), over every screen."""
    found: dict[str, tuple[list[str], str]] = {}
    for group in SCREENS.values():
        for entry in group:
            if isinstance(entry, Binding) and entry.id and entry.id not in found:
                found[entry.id] = (_split(entry.key), entry.description or entry.id)
    return found


def resolve(wanted: Mapping[str, str]) -> Keymap:
    """The keys each remapped action ends up with, and one line per problem (see the module docstring)."""
    defaults = _defaults()
    result = Keymap()
    final: dict[str, list[str]] = {}
    for action, spec in wanted.items():
        if action not in defaults:
            known = ", ".join(sorted(defaults))
            result.problems.append(f"[keymap] has no action {action!r}; it was ignored (actions: {known})")
            continue
        keys = list(defaults[action][0])
        for token in _split(spec):
            if token.startswith("-") and len(token) > 1:
                if token[1:] in keys:
                    keys.remove(token[1:])
            elif token not in keys:
                keys.append(token)
        if not keys:  # settled before the clashes are: a key kept here is not free for another action
            keys = list(defaults[action][0])
            result.problems.append(
                f"[keymap] {action}: that would leave {defaults[action][1]} without a key, so it keeps "
                f"{', '.join(keys)}"
            )
        final[action] = keys
    for action, keys in final.items():
        label = defaults[action][1]
        for key in [k for k in keys if k not in defaults[action][0]]:
            clash = _taken_by(key, action, final, defaults)
            if clash is not None:
                other, screen = clash
                keys.remove(key)
                kept = ", ".join(keys) or "no key"
                # An action with that key alone needs another one before it can give it up.
                freed = f"-{key}" if len(final.get(other, defaults[other][0])) > 1 else f"OTHER_KEY, -{key}"
                result.problems.append(
                    f"[keymap] {action}: {key!r} already means {defaults[other][1]} on the {screen}, so it was not "
                    f"given to {label} ({label} keeps {kept}); remove it from {other} first with {other} = \"{freed}\""
                )
        if not keys:
            keys = list(defaults[action][0])
            result.problems.append(
                f"[keymap] {action}: that would leave {label} without a key, so it keeps {', '.join(keys)}"
            )
        result.keys[action] = ",".join(keys)
    return result


def _taken_by(
    key: str, action: str, final: Mapping[str, list[str]], defaults: Mapping[str, tuple[list[str], str]]
) -> tuple[str, str] | None:
    """Another action that has ``key`` on a screen where ``action`` is active too, and that screen."""
    for screen, group in SCREENS.items():
        ids = {entry.id for entry in group if isinstance(entry, Binding) and entry.id}
        if action not in ids:
            continue
        for other in ids - {action}:
            if key in final.get(other, defaults[other][0]):
                return other, screen
    return None


def in_declared_order(active: Mapping[str, ActiveBinding]) -> dict[str, ActiveBinding]:
    """A screen's active bindings in the order they are declared, whether or not the keymap remapped them.

    Textual applies a keymap by taking each remapped binding out and adding it back after the others, so the
    footer and the help listed Keep and Skip after Quit once ``keep = "a"`` was set. Here each key goes back to
    where its binding is declared on its node (the nodes in the order Textual found them).
    """
    nodes: dict[int, int] = {}
    declared: dict[int, dict[str, int]] = {}

    def place(item: tuple[str, ActiveBinding]) -> tuple[int, int]:
        node = item[1].node
        binding = item[1].binding
        where = nodes.setdefault(id(node), len(nodes))
        order = declared.get(id(node))
        if order is None:
            order = declared[id(node)] = _declared(node)
        return where, order.get(binding.id or binding.action, len(order))

    return dict(sorted(active.items(), key=place))


def _declared(node: DOMNode) -> dict[str, int]:
    """Each binding of ``node`` (by id, else by action) and its place among them, as declared (before any keymap)."""
    order: dict[str, int] = {}
    for _, declared in node._bindings:
        name = declared.id or declared.action
        order.setdefault(name, len(order))
    return order


class DeclaredOrder(_Screen):
    """A screen whose footer, help and palette list its keys in the order they are declared (see
    :func:`in_declared_order`)."""

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        return in_declared_order(super().active_bindings)
