"""Messages between the app and its screens ("attributes down, messages up").

Screens receive the session when they are made and run commands through it; what they need the
app for goes up as a message, and the app tells every open screen when the library changed in a
way none of them made.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from readlist.app.interest import InterestResult


class ExternalChanges(Message):
    """A screen's command brought in changes other processes made: every screen must redraw."""


class LibraryChanged(Message):
    """Sent by the app to each open screen: the library changed in a way none of them made; redraw (the cursor
    stays on its paper). The session holds the changes replayed, for counts to follow (``take_changes``)."""


class PapersEdited(Message):
    """Posted by a screen after the user changed papers: the interest model may have something new to learn."""


class InterestUpdated(Message):
    """Sent by the app to each open screen when a newer interest computation is ready (scores, related papers)."""

    def __init__(self, snapshot: InterestResult) -> None:
        super().__init__()
        self.snapshot = snapshot


class LibraryLoaded(Message):
    """Sent by the app to each open screen when a library opened in the background has been read."""


class FirstScreenShown(Message):
    """The main screen painted what it can before the library is read: the app may start reading it."""
