"""The user's ``[keymap]``: extra keys for actions, checked before they are applied.

Textual's own keymap *replaces* an action's keys, so ``keep = "k"`` used to leave Keep without
``s`` and give ``k`` to two actions at once, silently. Here an entry *adds* keys; ``-key`` removes a
default key when that is really wanted (``keep = "k, -s"``). A key that another action already uses
on a screen where this action is active is not applied, and every problem (an unknown action, a key
taken twice, a name that is no key's) becomes a one-line message shown at start.

A key is compared by the name Textual gives it: ``?`` and ``question_mark`` are one key, so writing
the character does not slip past the check that the name is held to.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from textual.binding import ActiveBinding, Binding, BindingType
from textual.dom import DOMNode
from textual.keys import KEY_ALIASES, Keys, _character_to_key
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


# How a key is written, for the message about one that is not (docs/tui.md says the same).
HOW_TO_WRITE = ("a key is a character (s, S, ?) or a name (tab, enter, escape, space, backspace, up, pageup, home, "
                "f1, slash), with ctrl+, alt+ or shift+ before it for a combination (ctrl+s, shift+tab)")

_MODIFIERS = frozenset({"ctrl", "alt", "shift", "meta", "super", "hyper"})

# The names of keys with more than one letter: Textual's named keys (tab, pageup, f1) and the names it gives the
# printable ASCII characters (question_mark, slash), which is how their bindings and key events spell them.
_NAMES = frozenset(
    {key.value for key in Keys if not key.value.startswith("<")}
    | {_character_to_key(chr(code)) for code in range(0x21, 0x7F)}
    | set(KEY_ALIASES)
    | {alias for aliases in KEY_ALIASES.values() for alias in aliases}
)


def key_name(key: str) -> str | None:
    """``key`` as Textual names it in bindings and key events (``?`` is ``question_mark``, ``ctrl+s`` stays), or
    None when it names no key (``banana``): a binding to such a name would never run, so it is reported instead.

    Any character other than a space or a control is a key written as itself; a longer name is one of Textual's.
    """
    if len(key) == 1:
        return _character_to_key(key) if key.isprintable() and not key.isspace() else None
    head, plus, base = key.rpartition("+")
    if not plus:
        return key if key in _NAMES else None
    if not base and head.endswith("+"):  # ctrl++: the plus key itself
        head, base = head[:-1], "+"
    modifiers = head.split("+")
    if not base or not set(modifiers) <= _MODIFIERS or len(set(modifiers)) != len(modifiers):
        return None
    named = key_name(base)
    return None if named is None else "+".join([*modifiers, named])


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
    written: dict[tuple[str, str], str] = {}  # (action, key by name) -> the key as the user wrote it
    for action, spec in wanted.items():
        if action not in defaults:
            known = ", ".join(sorted(defaults))
            result.problems.append(f"[keymap] has no action {action!r}; it was ignored (actions: {known})")
            continue
        keys = list(defaults[action][0])
        for token in _split(spec):
            remove = token.startswith("-") and len(token) > 1
            spelled = token[1:] if remove else token
            key = key_name(spelled)
            if key is None:
                result.problems.append(f"[keymap] {action}: {spelled!r} is no key; it was ignored ({HOW_TO_WRITE})")
                continue
            written.setdefault((action, key), spelled)
            if remove:
                if key in keys:
                    keys.remove(key)
            elif key not in keys:
                keys.append(key)
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
                spelled = written.get((action, key), key)
                # An action with that key alone needs another one before it can give it up.
                freed = f"-{spelled}" if len(final.get(other, defaults[other][0])) > 1 else f"OTHER_KEY, -{spelled}"
                result.problems.append(
                    f"[keymap] {action}: {spelled!r} already means {defaults[other][1]} on the {screen}, so it was not "
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
