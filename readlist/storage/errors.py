"""The errors the storage layer raises; their messages are written for the user."""

from __future__ import annotations


class LibraryError(Exception):
    """A library that cannot be used as it is; the message says which file and what to do."""


class NotFoundError(LibraryError):
    """No paper matches the id or prefix given."""
