"""The errors the storage layer raises; their messages are written for the user."""

from __future__ import annotations


class LibraryError(Exception):
    """A library that cannot be used as it is; the message says which file and what to do."""


class NotFoundError(LibraryError):
    """No paper matches the id or prefix given."""


class AmbiguousIdError(NotFoundError):
    """An id prefix that more than one paper's id starts with."""

    def __init__(self, message: str, ref: str) -> None:
        super().__init__(message)
        self.ref = ref
