"""Spacing requests to a service that asks for it (arXiv: one request every three seconds).

The clock and the sleep are parameters so that tests can run on a fake clock and a
worker can pass a sleep that a cancel flag interrupts.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from readlist.net.http import Clock, Sleep


class Throttle:
    """At least ``interval`` seconds from the end of one request to the start of the next.

    Measured from the end, not the start: a slow answer does not let the next request
    follow it at once, which is what "a delay between requests" means to the service.
    """

    def __init__(self, interval: float, *, clock: Clock = time.monotonic, sleep: Sleep = time.sleep) -> None:
        self.interval = max(0.0, interval)
        self._clock = clock
        self._sleep = sleep
        self._last: float | None = None

    def wait(self) -> float:
        """Sleep until the next request may start; return how long that was."""
        if self._last is None or self.interval <= 0:
            return 0.0
        remaining = self._last + self.interval - self._clock()
        if remaining > 0:
            self._sleep(remaining)
            return remaining
        return 0.0

    def mark(self) -> None:
        self._last = self._clock()

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Wrap one request: wait for its turn, and count its end (failed or not) as the last request."""
        self.wait()
        try:
            yield
        finally:
            self.mark()
