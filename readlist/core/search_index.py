"""The free-word search index: which papers contain which words, so searching 100,000 papers stays fast.

Free words match as case- and accent-insensitive substrings (see ``fold``) of a paper's title, abstract,
authors, organization and note. ``haystack`` is that text; scanning it paper by
paper is the definition, and ``SearchIndex`` answers the same question from
posting lists without reading the papers (see its docstring). The query module
combines the index's answers for ``AND``, ``OR`` and ``-`` and must give
exactly what scanning gives.

The index keeps no copy of the papers' text: abstracts stay on disk
(``StoredText``), and a case-folded copy of every paper's text was most of the
app's memory on a big library. Only a phrase (words with whitespace between
them) reads text, and only that of the papers its words narrow it to.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from array import array
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from typing import TYPE_CHECKING, Protocol

from readlist.core.model import Paper, abstract_mark

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Mask = npt.NDArray[np.bool_]
    Ints = npt.NDArray[np.int64]


# Latin and Greek letters with accents, and the accents on their own (text typed or stored decomposed).
_ACCENTED_RANGES = ((0x00C0, 0x024F), (0x0370, 0x03FF), (0x1E00, 0x1FFF))
# Superscript and subscript digits, signs and letters: the way a title's TeX is shown (``S$^{2}$FT`` as ``S²FT``).
_SCRIPT_RANGES = ((0x00B2, 0x00B3), (0x00B9, 0x00B9), (0x1D2C, 0x1D6A), (0x2070, 0x209C))
_ACCENTED = re.compile("[\u00b2\u00b3\u00b9\u00c0-\u024f\u0300-\u03ff\u1d2c-\u1d6a\u1e00-\u1fff\u2070-\u209c]")


# After case folding (so only the small letters), as :func:`readlist.core.names.ascii_fold` reads them.
_NOT_DECOMPOSED = {"ł": "l", "ø": "o", "đ": "d", "ı": "i", "ħ": "h", "ŧ": "t", "ð": "d", "þ": "th", "æ": "ae",
                   "œ": "oe"}


@cache
def _unaccent() -> dict[int, str]:
    """Each accented Latin or Greek letter's letter without the accent, each accent on its own: nothing, and each
    superscript or subscript character its plain one (``²`` is ``2``: "S2FT" finds the title shown ``S²FT``).

    Built once from Unicode's own decompositions. Only the characters in those ranges are looked up (found
    by one regular-expression pass): decomposing and composing every non-ASCII text again, or translating
    each of its characters, made a search that scans 40% to 170% slower. Other scripts are left alone (a
    Cyrillic й is not an и).
    """
    table = dict.fromkeys(range(0x0300, 0x0370), "")
    for low, high in _ACCENTED_RANGES:
        for code in range(low, high + 1):
            bare = "".join(ch for ch in unicodedata.normalize("NFD", chr(code)) if not unicodedata.combining(ch))
            if len(bare) == 1 and bare != chr(code):
                table[code] = bare
    # Letters with a stroke or a ligature, which Unicode does not decompose: "lodz" finds "Łódź", "orsted"
    # "Ørsted", as citation keys already transliterate them.
    table.update({ord(letter): bare for letter, bare in _NOT_DECOMPOSED.items()})
    for low, high in _SCRIPT_RANGES:
        for code in range(low, high + 1):
            plain = unicodedata.normalize("NFKC", chr(code)).casefold()
            if len(plain) == 1 and plain != chr(code):
                table[code] = plain
    return table


_TEX_MACRO = re.compile(r"\\([A-Za-z]+)")
_TEX_MARKUP = re.compile(r"[$\\{}^_]")


@cache
def _greek_letters() -> dict[str, str]:
    """TeX's names of the Greek letters and the letters (``omega``: ``ω``, ``Delta``: ``Δ``)."""
    letters = {}
    for code in (*range(0x0391, 0x03AA), *range(0x03B1, 0x03CA)):
        name = unicodedata.name(chr(code), "").removeprefix("GREEK ")
        word = name.rsplit(" ", 1)[-1].lower()
        if name.startswith("SMALL LETTER "):
            letters[word] = chr(code)
        elif name.startswith("CAPITAL LETTER "):
            letters[word.capitalize()] = chr(code)
    return letters


def searched_title(title: str) -> str:
    """The title as searches read it: as recorded and, when it holds TeX, also as read.

    The list shows ``S$^{2}$FT`` as ``S²FT`` and ``$\\omega$Test`` as ``ωTest``, and a reader types what they see
    or its letters: ``S2FT``, ``S²FT``, ``ωTest``, ``omegaTest`` all find it. Only the markup is taken out, with
    one regular-expression pass: rendering the TeX properly costs a quarter of a millisecond a title, too much
    for an index of 100,000 papers.
    """
    if "$" not in title and "\\" not in title:
        return title
    greek = _greek_letters()
    named = _TEX_MACRO.sub(lambda match: match[1] if match[1] in greek else " ", title)
    if not named.isascii():  # a Greek letter typed as itself inside the maths (``$ω$Test``) is named too
        named = named.translate(_greek_names())
    lettered = _TEX_MACRO.sub(lambda match: greek.get(match[1], " "), title)
    return "\n".join((title, _TEX_MARKUP.sub("", named), _TEX_MARKUP.sub("", lettered)))


@cache
def _greek_names() -> dict[int, str]:
    """Each Greek letter's TeX name (``ω``: ``omega``), for :func:`searched_title`."""
    return {ord(letter): name for name, letter in _greek_letters().items()}


def fold(text: str) -> str:
    """Text as searches compare it: case folded and Latin and Greek accents dropped ("perez" finds "Pérez").

    Applied alike to what is searched and to what is typed, so matching stays a plain substring test (and
    the index, built from folded text, answers exactly as scanning does).
    """
    text = text.casefold()
    if text.isascii() or not _ACCENTED.search(text):  # most text: one C-level pass, nothing to change
        return text
    return _ACCENTED.sub(_bare_letter, text)


def _bare_letter(match: re.Match[str]) -> str:
    """The letter without its accent; an accent alone goes; any other character in the ranges stays."""
    char = match.group()
    return _unaccent().get(ord(char), char)


def haystack(paper: Paper) -> str:
    """The text free words are searched in, exactly as the plain predicates see it."""
    return fold("\n".join(
        (searched_title(paper.title), paper.abstract, " ; ".join(paper.authors), paper.organization or "", paper.note)
    ))


def _no_pause() -> None:
    """A build that nothing waits for (the command line's searches) goes straight through."""


class _LastText:
    """The text of the paper read last, so that a query with several words reads each paper's text once.

    Nothing else is kept: an abstract is read from disk again for the next search (a copy of every
    paper's text was too much memory on a big library).
    """

    __slots__ = ("_entry",)

    def __init__(self) -> None:
        self._entry: tuple[Paper, tuple[object, ...], str] | None = None

    def get(self, paper: Paper) -> str:
        entry = self._entry  # one read: another thread may replace it meanwhile
        mark = _text_mark(paper)
        if entry is not None and entry[0] is paper and entry[1] == mark:
            return entry[2]
        text = haystack(paper)
        self._entry = (paper, mark, text)
        return text


search_text = _LastText().get


def _text_mark(paper: Paper) -> tuple[object, ...]:
    """What a paper's searched text is made of: the same objects while the text is unchanged."""
    return (paper.title, abstract_mark(paper), paper.note, paper.authors, paper.organization)


def _fields_but_abstract(paper: Paper) -> str:
    """The haystack's other fields, for a needle without a newline (which cannot span two of them)."""
    return fold("\n".join((searched_title(paper.title), " ; ".join(paper.authors), paper.organization or "",
                            paper.note)))


class PaperSource(Protocol):
    """What an index follows: the papers by id, and a number that changes whenever any of them does."""

    papers: dict[str, Paper]
    version: int


def _encode(text: str) -> bytes:
    # Lone surrogates cannot be UTF-8; passing them through keeps the vocabulary and the needles alike.
    return text.encode("utf-8", "surrogatepass")


# Up to this many places of a needle in the vocabulary are looked up one by one; more at once, with numpy.
_FEW_HITS = 64
# Papers indexed in one step of a full build: bounds the memory the step's arrays take.
_BUILD_STEP = 2048
# Papers read between two calls of a build's ``pause`` (1-2 ms of work): the build runs in a thread of the app
# and holds the interpreter's lock (GIL) while it works, so a key's answer waits for it.
_PAUSE_EVERY = 32


class SearchIndex:
    """Which papers contain which whitespace-separated tokens, for free-word search on big libraries.

    A needle without whitespace occurs in a text exactly when it occurs inside one of
    its whitespace-separated tokens, so the papers matching it are the union of the
    posting lists of the vocabulary tokens that contain it: no paper text is read, however
    common the needle. The tokens containing a needle are found in one byte string of the
    whole vocabulary. A phrase is narrowed by its parts (the first must end a token, the
    last begin one, those between be whole tokens), and only those papers' texts are read
    to check it.

    Papers have slots, numbered in the order they were indexed; an answer is a boolean
    array over the slots (numpy). The postings of a full build are compact: a token in
    more than one paper in 32 gets a bitmap over the slots, the others one shared array of
    slots with an offset per token. The index follows the source's ``version``: when it
    changes, a paper whose text changed gets a new slot whose tokens go into small
    per-token arrays beside the compact ones (its old slot can no longer match). Building
    runs once (``build``, typically in a background thread); until it is done, searches
    simply scan.
    """

    def __init__(self, source: PaperSource) -> None:
        self.source = source
        self._lock = threading.Lock()
        self._ready = False
        self._version: int | None = None
        self._slot_of: dict[str, int] = {}  # paper id -> its current slot
        self._live: dict[int, int] = {}  # id() of each indexed paper object -> its slot
        self._papers: list[Paper | None] = []  # by slot (None: a slot no paper holds any more)
        self._marks: list[tuple[object, ...] | None] = []
        # The vocabulary: token -> id, and every token in id order in one byte string, each between newlines.
        self._ids: dict[str, int] = {}
        self._blob = b"\n"
        self._starts: Ints | None = None  # where each token starts in the blob
        self._unlisted: list[str] = []  # tokens not in the blob yet
        # Compact postings of the slots below _base and the tokens below _base_tokens.
        self._base = 0
        self._base_tokens = 0
        self._row: npt.NDArray[np.int32] | None = None  # token -> row of _bitmaps, or -1: in _postings
        self._bitmaps: npt.NDArray[np.uint8] | None = None  # one row of bits per common token (bit = slot)
        self._offsets: Ints | None = None  # token -> where its slots start in _postings (one more at the end)
        self._postings: npt.NDArray[np.int32] | None = None
        # Slots from _base on, by token id.
        self._extra: dict[int, array[int]] = {}

    @property
    def ready(self) -> bool:
        return self._ready

    # -- building and following the source -------------------------------------------------

    def build(self, pause: Callable[[], object] | None = None) -> None:
        """Index every paper of the source (a few seconds for 100k papers; safe in a thread).

        ``pause`` is called between short steps of a first build (see ``_PAUSE_EVERY``): the app's thread
        waits in it while the user's keys are answered, so that the build does not take the interpreter from them.
        """
        with self._lock:
            self._sync(pause)

    def _sync(self, pause: Callable[[], object] | None = None) -> None:
        version = self.source.version
        papers = list(self.source.papers.values())
        if not self._papers:
            self._build_all(papers, pause or _no_pause)
        else:
            self._follow(papers)
        self._version = version
        self._ready = True

    def _follow(self, papers: list[Paper]) -> None:
        """Re-index the papers whose text changed, and forget those no longer in the source."""
        slot_of, marks, mark, indexed, live = self._slot_of, self._marks, _text_mark, self._papers, self._live
        for paper in papers:
            slot = slot_of.get(paper.id)
            if slot is not None and indexed[slot] is paper:
                if marks[slot] == mark(paper):
                    continue
            elif slot is not None and marks[slot] == mark(paper):
                # A new object with the same texts (its status or rating changed): the slot stays.
                stale = indexed[slot]
                if stale is not None:
                    live.pop(id(stale), None)
                indexed[slot] = paper
                live[id(paper)] = slot
                continue
            self._add(paper)
        if len(slot_of) != len(papers):  # some left the source (every paper in it has a slot by now)
            current = {p.id for p in papers}
            for pid in [pid for pid in slot_of if pid not in current]:
                self._drop(slot_of.pop(pid))

    def _drop(self, slot: int) -> None:
        stale = self._papers[slot]
        if stale is not None:
            self._live.pop(id(stale), None)
        self._papers[slot] = None  # its postings stay but can no longer match a paper
        self._marks[slot] = None

    def _add(self, paper: Paper) -> None:
        slot = len(self._papers)
        old = self._slot_of.get(paper.id)
        if old is not None:
            self._drop(old)
        self._slot_of[paper.id] = slot
        self._live[id(paper)] = slot
        self._papers.append(paper)
        self._marks.append(_text_mark(paper))
        ids, extra, unlisted = self._ids, self._extra, self._unlisted
        for token in set(haystack(paper).split()):
            token_id = ids.get(token)
            if token_id is None:
                token_id = ids[token] = len(ids)
                unlisted.append(token)
            slots = extra.get(token_id)
            if slots is None:
                slots = extra[token_id] = array("i")
            slots.append(slot)

    def _build_all(self, papers: list[Paper], pause: Callable[[], object]) -> None:
        """Index every paper at once into the compact postings (numpy, step by step to bound memory)."""
        import numpy as np

        ids: dict[str, int] = {}
        # Each paper's token ids, paper after paper, in one array per step (freed once it is filed).
        chunks: list[array[int]] = []
        counts = array("i")  # how many tokens each paper has
        for first in range(0, len(papers), _BUILD_STEP):
            tokens = array("i")
            for part in range(first, min(len(papers), first + _BUILD_STEP), _PAUSE_EVERY):
                pause()
                for paper in papers[part : min(part + _PAUSE_EVERY, first + _BUILD_STEP)]:
                    found = set(haystack(paper).split())
                    for token in found.difference(ids):
                        ids[token] = len(ids)
                    tokens.extend(map(ids.__getitem__, found))  # in C: a loop in Python takes twice as long
                    counts.append(len(found))
            chunks.append(tokens)
        n, vocab = len(papers), len(ids)
        per_paper = np.frombuffer(counts, dtype=np.int32) if counts else np.zeros(0, dtype=np.int32)
        df = np.zeros(vocab, dtype=np.int64)
        for tokens in chunks:
            if tokens:
                df += np.bincount(np.frombuffer(tokens, dtype=np.int32), minlength=vocab)
        width = (n + 7) // 8
        common = np.flatnonzero(df * 4 > width)  # a bitmap is smaller than their list of slots
        row = np.full(vocab, -1, dtype=np.int32)
        row[common] = np.arange(common.size, dtype=np.int32)
        offsets = np.zeros(vocab + 1, dtype=np.int64)
        np.cumsum(np.where(row < 0, df, 0), out=offsets[1:])
        postings = np.empty(int(offsets[-1]), dtype=np.int32)
        bitmaps = np.zeros((common.size, width), dtype=np.uint8)
        fill = offsets[:-1].copy()  # where each token's next slot goes
        chunks.reverse()
        for first in range(0, n, _BUILD_STEP):
            pause()
            last = min(n, first + _BUILD_STEP)
            tokens = chunks.pop()
            held = np.frombuffer(tokens, dtype=np.int32) if tokens else np.zeros(0, dtype=np.int32)
            slot = np.repeat(np.arange(first, last, dtype=np.int32), per_paper[first:last])
            rows = row[held]
            in_bitmap = rows >= 0
            if common.size:
                block = np.zeros((common.size, last - first), dtype=np.bool_)
                block[rows[in_bitmap], slot[in_bitmap] - first] = True
                bitmaps[:, first // 8 : (last + 7) // 8] = np.packbits(block, axis=1, bitorder="little")
            held, slot = held[~in_bitmap], slot[~in_bitmap]
            order = np.argsort(held, kind="stable")  # slots stay in order within a token
            held, slot = held[order], slot[order]
            unique, start, count = np.unique(held, return_index=True, return_counts=True)
            rank = np.arange(held.size) - np.repeat(start, count)
            postings[fill[held] + rank] = slot
            fill[unique] += count
        self._ids = ids
        self._unlisted = list(ids)
        self._blob = b"\n"
        self._starts = None
        self._base, self._base_tokens = n, vocab
        self._row, self._bitmaps, self._offsets, self._postings = row, bitmaps, offsets, postings
        self._extra = {}
        pause()
        self._papers = list(papers)
        self._marks = [_text_mark(p) for p in papers]
        pause()
        self._slot_of = {p.id: slot for slot, p in enumerate(papers)}
        self._live = {id(p): slot for slot, p in enumerate(papers)}
        pause()
        self._vocabulary()

    def acquire(self) -> bool:
        """Bring the index up to date for a search; False when it cannot be used right now."""
        if not self._ready or not self._lock.acquire(blocking=False):
            return False
        try:
            if self._version != self.source.version:
                self._sync()
        except BaseException:
            self._lock.release()
            raise
        return True

    def release(self) -> None:
        self._lock.release()

    # -- answering -----------------------------------------------------------------------------

    def _vocabulary(self) -> tuple[bytes, Ints]:
        """The vocabulary's byte string and where each token starts in it, with new tokens added."""
        import numpy as np

        if self._unlisted or self._starts is None:
            if self._unlisted:
                self._blob += _encode("\n".join(self._unlisted)) + b"\n"
                self._unlisted = []
            # Tokens hold no whitespace, so the newlines are exactly the separators.
            newlines = np.flatnonzero(np.frombuffer(self._blob, dtype=np.uint8) == 10)
            self._starts = newlines[:-1] + 1
        return self._blob, self._starts

    def _tokens_with(self, pattern: bytes) -> Ints:
        """Ids of the tokens ``pattern`` occurs in (a newline at either end: it must begin or end the token)."""
        import numpy as np

        blob, starts = self._vocabulary()
        hits = blob.count(pattern)
        shift = 1 if pattern.startswith(b"\n") else 0  # the match starts just before its token
        if hits == 0:
            return np.zeros(0, dtype=np.int64)
        if hits <= _FEW_HITS:
            found: list[int] = []
            pos = blob.find(pattern)
            while pos != -1:
                i = int(starts.searchsorted(pos + shift, side="right")) - 1
                found.append(i)
                # On from the newline that ends this token (a pattern may begin with it).
                pos = blob.find(pattern, int(starts[i + 1]) - 1 if i + 1 < starts.size else len(blob) - 1)
            return np.array(found, dtype=np.int64)
        # Many tokens: every place of the pattern at once, one pass over the blob per byte of it.
        text = np.frombuffer(blob, dtype=np.uint8)
        span = text.size - len(pattern) + 1
        at = text[:span] == pattern[0]
        for k in range(1, len(pattern)):
            at &= text[k : k + span] == pattern[k]
        return np.unique(np.searchsorted(starts, np.flatnonzero(at) + shift, side="right") - 1)

    def _papers_with(self, tokens: Ints) -> Mask:
        """The slots of the papers holding any of these tokens."""
        import numpy as np

        found = np.zeros(len(self._papers), dtype=np.bool_)
        if tokens.size == 0:
            return found
        base = tokens[tokens < self._base_tokens]
        if base.size:
            assert self._row is not None and self._bitmaps is not None
            assert self._offsets is not None and self._postings is not None
            rows = self._row[base]
            common = rows[rows >= 0]
            if common.size:
                bits = np.bitwise_or.reduce(self._bitmaps[common], axis=0)
                found[: self._base] = np.unpackbits(bits, count=self._base, bitorder="little").view(np.bool_)
            listed = base[rows < 0]
            offsets, postings = self._offsets, self._postings
            if listed.size <= _FEW_HITS:
                for token in listed.tolist():
                    found[postings[offsets[token] : offsets[token + 1]]] = True
            else:
                wanted = np.zeros(self._base_tokens, dtype=np.bool_)
                wanted[listed] = True
                found[postings[np.repeat(wanted, np.diff(offsets))]] = True
        extra = self._extra
        if extra:
            if tokens.size < len(extra):
                hit = [t for t in tokens.tolist() if t in extra]
            else:
                asked = set(tokens.tolist())
                hit = [t for t in extra if t in asked]
            for token in hit:
                found[np.frombuffer(extra[token], dtype=np.int32)] = True
        return found

    def match(self, needle: str) -> Mask | None:
        """The slots of the papers whose text contains ``needle`` (already case-folded); None: decide per paper."""
        parts = needle.split()
        if not parts:
            return None  # only whitespace: every text has some, checked per paper
        if len(parts) == 1 and parts[0] == needle:
            return self._papers_with(self._tokens_with(_encode(needle)))
        # A phrase: a part after whitespace begins a token, one before whitespace ends one.
        last = len(parts) - 1
        patterns = [
            (b"\n" if i > 0 or needle[0].isspace() else b"")
            + _encode(part)
            + (b"\n" if i < last or needle[-1].isspace() else b"")
            for i, part in enumerate(parts)
        ]
        narrowed: Mask | None = None
        for pattern in sorted(patterns, key=len, reverse=True):
            slots = self._papers_with(self._tokens_with(pattern))
            narrowed = slots if narrowed is None else narrowed & slots
            if not narrowed.any():
                return narrowed
        assert narrowed is not None
        return self._verify(narrowed, needle)

    def _verify(self, narrowed: Mask, needle: str) -> Mask:
        """Of these slots, those whose paper's text holds ``needle`` (reading only their texts)."""
        import numpy as np

        papers = self._papers
        hits: list[int] = []
        # Without a newline the needle cannot reach across two fields, so each may be checked alone.
        by_field = "\n" not in needle
        ascii_needle = _encode(needle) if needle.isascii() else b"\n"  # a newline: in no stored text's JSON
        for slot in np.flatnonzero(narrowed).tolist():
            paper = papers[slot]
            if paper is None:
                continue
            stored = abstract_mark(paper)
            if by_field and type(stored) is not str:
                raw = stored.json()  # type: ignore[attr-defined]  # a StoredText: its JSON, not decoded
                if raw.isascii() and b"\\" not in raw:
                    # Plain ASCII between the quotes is the text itself, and ASCII case-folds as lower().
                    if raw.lower().find(ascii_needle, 1, len(raw) - 1) != -1 or needle in _fields_but_abstract(paper):
                        hits.append(slot)
                    continue
            if needle in haystack(paper):
                hits.append(slot)
        found = np.zeros(len(papers), dtype=np.bool_)
        found[hits] = True
        return found

    def __len__(self) -> int:
        return len(self._live)

    def text(self, paper: Paper) -> str:
        """The text of a paper, as searched (the index keeps none: an abstract is read from disk)."""
        return search_text(paper)

    def objects(self, slots: Iterable[int]) -> set[int]:
        """The ``id()`` of the paper objects in these slots."""
        papers = self._papers
        return {id(p) for s in slots if (p := papers[s]) is not None}

    def indexed(self, paper: Paper) -> bool:
        return id(paper) in self._live

    @property
    def slots(self) -> Mapping[int, int]:
        """The slot of every paper object the index holds, by ``id()`` (papers outside it are searched by text)."""
        return self._live
