"""The user's keys before the app's own background work: threads of the app wait while a key is being answered.

Python runs one thread of a process at a time (the interpreter lock, GIL). A thread that works without
waiting, like the search index's first build (seconds of work on a big library, started just after the
first screen is painted), gives the lock up only when made to, every few milliseconds, and takes it back as
soon as it can; a key's answer then runs in turns with it. Measured at 100,000 papers, a key's answer took
two to three times as long while the index was built (both the list's frame and the detail pane's).

``Foreground`` is told of each key (``key_pressed``, on the UI thread); a background thread calls
``give_way`` between short steps of its work and sleeps there a moment (``BREATH``: the next key then finds
the lock free), and until the last key's answer has had time to be drawn (``ANSWER_SECONDS``), never longer
than ``LONGEST_WAIT`` at one step, so that a user who keeps pressing keys slows the work down without stopping it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

# How long after a key the background work waits: a key's frames (the list's, then the detail pane's) take
# 5-40 ms on a settled app at 100,000 papers, more on a busy host.
ANSWER_SECONDS = 0.1
# The longest one step of background work waits, keys or not.
LONGEST_WAIT = 0.25
# Between steps with no key to wait for, background work still sleeps this long: a thread that only ever gives
# the lock up when made to keeps a key's first steps (reading it, waking the UI thread) waiting for up to the
# interpreter's switch interval (5 ms) each, while a thread that sleeps now and then leaves the lock free.
BREATH = 0.0002


class Foreground:
    """When the user last pressed a key; background threads of the app wait for its answer in ``give_way``."""

    def __init__(
        self,
        answer: float = ANSWER_SECONDS,
        longest: float = LONGEST_WAIT,
        breath: float = BREATH,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] = time.sleep,
    ) -> None:
        self._answer = answer
        self._longest = longest
        self._breath = breath
        self._clock = clock
        self._sleep = sleep
        self._quiet_from = float("-inf")  # when the last key's answer is drawn (at the latest, as far as we know)

    def key_pressed(self) -> None:
        """On the UI thread, for each key: background work waits for this key's answer."""
        self._quiet_from = self._clock() + self._answer

    def give_way(self) -> None:
        """On a background thread, between steps: sleep a breath, and until the last key's answer is drawn.

        Sleeping lets the UI thread hold the interpreter alone; a key pressed meanwhile extends the wait,
        up to ``longest`` in all.
        """
        self._sleep(self._breath)
        start = self._clock()
        while True:
            left = min(self._quiet_from, start + self._longest) - self._clock()
            if left <= 0:
                return
            self._sleep(left)
