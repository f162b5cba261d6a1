"""A JSON array read one item at a time from a stream of text, for an input too large to hold whole.

readlist's own JSON export of a large library is hundreds of megabytes (~2.6 KB a paper). ``json.loads`` of it
would hold the text, then every record as a dict, at once: several times the file. Here the array's items are
decoded one by one with the standard library's decoder (:meth:`json.JSONDecoder.raw_decode`), the one a smaller
export is read with, so a record reads the same either way; only the text not yet decoded is held, about one
chunk. An item cut by a chunk's end is decoded again once the next chunk has come.

A damaged or cut-off text is an :class:`ImportFormatError` in one line, with the record's number and where it is
(line and column, as :func:`readlist.importers.base.load_json` says them); the items before it have been given
already, so a caller that must be all or nothing keeps them aside until the end.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from readlist.importers.base import ImportFormatError

_DECODER = json.JSONDecoder()
_NON_SPACE = re.compile(r"[^ \t\n\r]")
# Bytes read from the file at a time.
_CHUNK = 1 << 20
# A decoding error this close to the end of the text read so far may be a token the chunk cut in two (a number,
# ``true``, a ``\\u`` escape): it is tried again with more text. One further in is where the text is damaged.
_CUT_TOKEN = 64


def utf8_text(stream: BinaryIO, *, limit: int, what: str) -> Iterator[str]:
    """The text of a UTF-8 ``stream`` (a byte-order mark dropped) a chunk at a time, refused past ``limit`` bytes.

    readlist writes its exports in UTF-8: bytes that are not UTF-8 are a damaged file, not a legacy encoding.
    """
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    read = 0
    while True:
        chunk = stream.read(_CHUNK)
        if len(chunk) + read > limit:
            raise too_large(limit, what)
        try:
            yield decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            raise ImportFormatError(f"not UTF-8 text (byte {read + exc.start}): the file is damaged") from None
        if not chunk:
            return
        read += len(chunk)


def too_large(limit: int, what: str) -> ImportFormatError:
    return ImportFormatError(f"the input is larger than {limit // (1024 * 1024)} MB, more than {what} of any "
                             "library readlist holds; refusing to import it")


def array_items(chunks: Iterable[str], *, item_limit: int) -> Iterator[object]:
    """The items of the JSON array that the text ``chunks`` hold together, each decoded as soon as it is whole.

    An item whose text runs past ``item_limit`` characters without being one is refused: no record is that
    large, and reading on would hold the rest of a damaged file.
    """
    text = _Text(iter(chunks))
    if text.peek() != "[":
        raise text.damaged("Expecting '['", text.pos, 0)
    text.pos += 1
    number = 0
    if text.peek() == "]":
        text.pos += 1
    else:
        while True:
            number += 1
            text.peek()  # raw_decode starts at the value itself, not at white space
            yield text.value(number, item_limit)
            char = text.peek()
            text.pos += 1
            if char == "]":
                break
            if char == "":
                raise text.cut_off(number + 1)
            if char != ",":
                raise text.damaged("Expecting ',' delimiter", text.pos - 1, number)
    if text.peek() != "":
        raise text.damaged("Extra data", text.pos, number)


class _Text:
    """The text read so far and not yet decoded (``buffer[pos:]``), and where its first character is in the file."""

    def __init__(self, chunks: Iterator[str]) -> None:
        self.chunks = chunks
        self.buffer = ""
        self.pos = 0
        self.ended = False
        # The line and column (from 1) of buffer[0] in the whole text.
        self.line = 1
        self.column = 1

    def more(self) -> bool:
        """Read one more chunk, dropping the text decoded already; False at the end of the text."""
        if self.ended:
            return False
        chunk = next(self.chunks, None)
        while chunk == "":  # a chunk of bytes that ended inside a character
            chunk = next(self.chunks, None)
        if chunk is None:
            self.ended = True
            return False
        newlines = self.buffer.count("\n", 0, self.pos)
        if newlines:
            self.line += newlines
            self.column = self.pos - self.buffer.rfind("\n", 0, self.pos)
        else:
            self.column += self.pos
        self.buffer = self.buffer[self.pos :] + chunk
        self.pos = 0
        return True

    def peek(self) -> str:
        """The next character that is not white space (the white space skipped), or "" at the end of the text."""
        while True:
            found = _NON_SPACE.search(self.buffer, self.pos)
            if found is not None:
                self.pos = found.start()
                return self.buffer[self.pos]
            self.pos = len(self.buffer)
            if not self.more():
                return ""

    def value(self, number: int, limit: int) -> object:
        """The JSON value at ``pos`` (item ``number`` of the array), read on into later chunks while it is cut."""
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError as exc:
                unterminated = exc.msg.startswith("Unterminated string")
                cut = unterminated or exc.pos >= len(self.buffer) - _CUT_TOKEN
                if cut and len(self.buffer) - self.pos <= limit and self.more():
                    continue
                if self.ended and (unterminated or exc.pos >= len(self.buffer)):
                    raise self.cut_off(number) from None
                raise self.damaged(exc.msg, exc.pos, number) from None
            except RecursionError:
                raise ImportFormatError(f"record {number} is nested too deeply to read") from None
            except ValueError as exc:  # e.g. an integer of thousands of digits
                raise ImportFormatError(f"record {number} could not be read ({exc})") from None
            number_cut = isinstance(value, int | float) and end >= len(self.buffer) - _CUT_TOKEN
            if number_cut and self.more():
                continue  # a number near the end of a chunk (``1`` of ``1e5``) may go on in the next
            self.pos = end
            return value

    def where(self, pos: int) -> tuple[int, int]:
        """The line and column (from 1) of ``buffer[pos]`` in the whole text."""
        start = self.buffer.rfind("\n", 0, pos)
        if start < 0:
            return self.line, self.column + pos
        return self.line + self.buffer.count("\n", 0, pos), pos - start

    def damaged(self, message: str, pos: int, number: int) -> ImportFormatError:
        line, column = self.where(pos)
        within = f" in record {number}" if number else ""
        return ImportFormatError(f"not valid JSON (line {line}, column {column}: {message}){within}")

    def cut_off(self, number: int) -> ImportFormatError:
        line, _ = self.where(len(self.buffer))
        return ImportFormatError(f"the JSON ends in the middle of record {number} (line {line}): the file is cut off")
