"""Keys handled one at a time, each where the key before it left the app.

Textual hands a key to the widget in focus and reads the next key at once. A key that is a binding (``t`` for
tags, ``n`` for the note) travels up from the list to the screen and to the app, which runs its action later: in
a burst of keys (a fast typist, a slow terminal, SSH) the keys typed after ``t`` had all been handed to the list
before the tag box opened, so ``tmine⏎`` left the box open and empty, the letters lost; and ``jj/`` opened the
search box (a key the app reads at once) before the ``j`` reached the list, where they were lost too.

Here a key or a paste that may act (anything but text typed into a text box) holds the keys typed after it until it
has been handled all the way up, and, when its action opened or closed a screen, until that screen has mounted and
set its focus. The held keys are then handed on in the order typed, each to the widget that has the focus by
then. Text typed into a box needs no wait: it acts in the box, in order, as it is typed. Most keys that act reach
the app's bindings, which say when they are done (:meth:`KeyOrder.reached_app`); for the others a message is sent
up the same widgets behind them, and only when a key follows before that is known. A key that is never heard back
from (a widget gone while it travelled) holds the others at most :data:`HOLD_LIMIT` seconds.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from textual import events
from textual.app import App
from textual.dom import DOMNode
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, TextArea

from readlist.tui.widgets.text_input import typed_text

HOLD_LIMIT = 1.0


Typed = events.Key | events.Paste


def types_into(target: DOMNode, typed: Typed) -> bool:
    """True when ``typed`` is text ``target`` (a text box) takes as text: nothing after it waits for it."""
    if isinstance(target, TextArea) and target.read_only:
        return False
    if not isinstance(target, (Input, TextArea)):
        return False
    return isinstance(typed, events.Paste) or typed.is_printable or typed_text(typed) is not None


class KeyOrder:
    """The app's keys and pastes, handed on one at a time (see the module's docstring): a paste right after ``n``
    is the note's text, as the same words typed would be.

    ``handle`` does what the app did with a key or a paste before: checks the priority bindings (for a key) and
    hands it to the widget in focus.
    """

    def __init__(self, app: App[Any], handle: Callable[[Typed], Awaitable[None]]) -> None:
        self._app = app
        self._handle = handle
        self._held: deque[Typed] = deque()
        self._turn = 0
        self._waiting = 0  # the turn of the key the others wait for; 0 when none does
        self._limit: Timer | None = None
        # The last key that may act, until it is known to be done or a key after it needs to know: the key, the
        # nodes it goes up through, and the screen shown when it was handed on.
        self._in_flight: tuple[Typed, list[DOMNode], Screen[Any]] | None = None

    @property
    def idle(self) -> bool:
        """No key is held, and none is waited for."""
        return not self._held and not self._waiting

    async def take(self, key: Typed) -> None:
        """Handle ``key`` now, or once the keys typed before it are done."""
        self._held.append(key)
        if not self._waiting:
            await self._hand_on()

    async def _hand_on(self) -> None:
        """Hand on the held keys, each once the one before it is done."""
        while self._held and not self._waiting:
            if self._in_flight is not None:
                # Found out only now that a key follows it: at typing speed the key before is long done, and the
                # check costs a few messages; a key that came alone cost nothing.
                _, route, screen = self._in_flight
                self._in_flight = None
                self._turn += 1
                self._waiting = self._turn
                self._limit = self._app.set_timer(HOLD_LIMIT, partial(self._give_up, self._turn), name="key order")
                await self._follow(route, screen, self._turn)
                return
            await self._run(self._held.popleft())

    async def _run(self, key: Typed) -> None:
        app = self._app
        screen = app.screen
        target: DOMNode = app.focused or screen
        await self._handle(key)
        if key.is_forwarded and not types_into(target, key):
            self._in_flight = (key, list(target.ancestors_with_self), screen)
        elif app.screen is not screen:  # a priority binding, run just now, opened or closed a screen
            self._in_flight = (key, [], screen)

    def reached_app(self, key: events.Key) -> None:
        """``key`` went up to the app, whose bindings have now acted on it: what is left to wait for is the screen
        its action opened or closed, if any. (Most keys that act get here: those that follow them need not send a
        message up after them to know that they are done.)"""
        if self._in_flight is None or self._in_flight[0] is not key:
            return
        screen = self._in_flight[2]
        self._in_flight = None if self._app.screen is screen else (key, [], screen)

    async def _follow(self, route: list[DOMNode], screen: Screen[Any], turn: int) -> None:
        """Wait for each node of ``route`` in turn to have handled what it had been given: a key going up from
        the focused widget is passed to the next node before the callback queued behind it runs. Then, when the
        screen changed, for the screen now shown (its mount and focus), and the app once more (the focus is set
        through the app's queue)."""
        app = self._app
        if self._waiting != turn:
            return
        if route:
            node, rest = route[0], route[1:]
            if not node.call_later(self._follow, rest, screen, turn) and node is not app:
                await self._follow(rest, screen, turn)  # a widget gone meanwhile; an app closing takes no more keys
            return
        # Here in the app's own task (the route ends with the app, or was empty and this runs where the keys are
        # taken): keys are handed on from it, as Textual does.
        shown = app.screen
        if shown is not screen:
            settled = shown.call_later(app.call_later, self._done, turn)
            if not settled:
                app.call_later(self._done, turn)
            return
        await self._done(turn)

    def _give_up(self, turn: int) -> None:
        # The timer runs in a task of its own: the held keys are handed on from the app's, as every key is.
        self._app.call_later(self._done, turn)

    async def _done(self, turn: int) -> None:
        if self._waiting != turn:
            return
        self._waiting = 0
        if self._limit is not None:
            self._limit.stop()
            self._limit = None
        await self._hand_on()
