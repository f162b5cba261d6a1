"""The library's vectors as bytes, so that a command or the next start need not vectorize every paper again.

Vectorizing is most of what the first interest computation costs on a large library: at 100,000 papers,
tokenizing every abstract takes 9-10 of the 12 seconds ``readlist related`` spent. A paper's words rarely
change, so the rows can be kept and read back. Each row is kept with a digest of the text it was made from
(:func:`~readlist.core.vectors.text_digest`); what is read back keeps a row only while its paper's title,
abstract and keywords still give that digest. Every other row, and every paper the file does not have, is
then vectorized as the app's own incremental update does it (:meth:`PaperVectors.updated`), which also learns
the vocabulary anew once a quarter of the rows are newer than it, so results read back are the results the
app's running model gives.

What is kept: the paper ids, the vocabulary and each word's rarity, the TF-IDF rows, the topic axes and how
many rows are newer than the vocabulary. The metadata columns (authors, tags, ...) are not: they follow
every tag a reader adds and are rebuilt in a fraction of a second. The topic coordinates are recomputed from
the rows and axes (0.15 s at 100,000 papers, the same numbers as stored ones, and 40 MB less on disk).

Layout: the magic line ``readlist vectors\\n``, the length of a JSON header as 8 bytes (little-endian), the
header (format, the settings and scikit-learn version the rows were made with, ids, vocabulary, and each
array's name, type and shape), then each array's bytes in that order, each padded to 8 bytes. No pickle:
the file is numbers and words, and it is read like any input, never trusted. A file from other settings or
another scikit-learn, a truncated or inconsistent one, indices out of range, a number that is not finite or
one no vectorizer makes (a weight above 1, a row not of length 1):
:func:`restore` returns None and the caller builds the vectors from the papers as if there were no file.

This module imports NumPy and SciPy (not scikit-learn: see :class:`~readlist.core.vectors.Vocabulary`): import it
lazily, never at start-up.
"""

from __future__ import annotations

import hashlib
import math
import struct
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import msgspec
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from readlist.core.filler_words import FILLER_WORDS
from readlist.core.model import Paper
from readlist.core.vectors import (
    DIGEST_SIZE,
    TOKEN_PATTERN,
    PaperVectors,
    TextKey,
    VectorConfig,
    Vocabulary,
    _project,
    text_digest,
    text_key,
)

MAGIC = b"readlist vectors\n"
FORMAT = 1
_LENGTH = struct.Struct("<Q")
_ALIGN = 8
# How far a stored row's length (and a weight's bound) may be from 1 by rounding; rows are 1 within ~1e-15.
_SLACK = 1e-6
_MAX_IDF = 1 + math.log(2**63)
# The only element types a file may hold, little-endian whatever the machine (read back as native numbers).
_TYPES: dict[str, np.dtype[Any]] = {
    "f8": np.dtype("<f8"), "i4": np.dtype("<i4"), "i8": np.dtype("<i8"), "u1": np.dtype("u1"),
}


class _ArraySpec(msgspec.Struct, array_like=True):
    name: str
    type: str
    shape: list[int]


class _Header(msgspec.Struct, kw_only=True):
    format: int
    settings: str
    ids: list[str]
    terms: list[str]
    unfitted_rows: int
    arrays: list[_ArraySpec]


_HEADER_DECODER = msgspec.json.Decoder(_Header)


def settings_of(config: VectorConfig) -> str:
    """Everything besides a paper's text that its row depends on: rows made under other settings are not kept."""
    return msgspec.json.encode({
        "config": asdict(config),
        "tokens": TOKEN_PATTERN,
        "filler": _filler_digest(),
        "scikit-learn": _scikit_learn_version(),
    }).decode()


@cache
def _filler_digest() -> str:
    """The filler words left out of the vocabulary, as a short digest: rows made before the list changed are not
    kept (the English stop words come with scikit-learn, whose version is in the settings)."""
    return hashlib.blake2b("\n".join(sorted(FILLER_WORDS)).encode(), digest_size=8).hexdigest()


@cache
def _scikit_learn_version() -> str:
    """The installed scikit-learn's version, read without importing it (a command that only reads rows never
    needs it)."""
    try:
        return version("scikit-learn")
    except PackageNotFoundError:
        return "unknown"


def encode(vectors: PaperVectors, papers: Sequence[Paper]) -> Iterator[bytes | memoryview]:
    """The file's bytes in pieces (the arrays are not copied); nothing when the vectors have no vocabulary.

    ``papers`` are the papers the vectors were made from (or updated to): a row whose paper is not among them,
    or has changed since, is written with a digest no text has, so it is vectorized again when read back.
    """
    if vectors.vocabulary is None:
        return
    by_id = {paper.id: paper for paper in papers}
    digests = np.zeros((len(vectors.ids), DIGEST_SIZE), dtype=np.uint8)
    for row, paper_id in enumerate(vectors.ids):
        paper = by_id.get(paper_id)
        if paper is not None and text_key(paper) == vectors.text_keys[row]:
            digests[row] = np.frombuffer(text_digest(paper), dtype=np.uint8)
    text = vectors.text
    arrays: list[tuple[str, npt.NDArray[Any]]] = [
        ("digests", digests),
        ("idf", np.ascontiguousarray(vectors.vocabulary.idf, dtype="<f8")),
        ("data", np.ascontiguousarray(text.data, dtype="<f8")),
        ("indices", np.ascontiguousarray(text.indices, dtype="<i4")),
        ("indptr", np.ascontiguousarray(text.indptr, dtype="<i8")),
        ("topic_axes", np.ascontiguousarray(vectors.topic_axes, dtype="<f8")),
    ]
    header = _Header(
        format=FORMAT,
        settings=settings_of(vectors.config),
        ids=list(vectors.ids),
        terms=list(vectors.terms),
        unfitted_rows=vectors.unfitted_rows,
        arrays=[_ArraySpec(name, _type_name(array), list(array.shape)) for name, array in arrays],
    )
    encoded = msgspec.json.encode(header)
    yield MAGIC + _LENGTH.pack(len(encoded)) + encoded + _padding(len(MAGIC) + _LENGTH.size + len(encoded))
    for _, array in arrays:
        view = array.reshape(-1).view(np.uint8).data  # its bytes, uncopied (contiguous; may be empty)
        yield view
        yield _padding(len(view))


@dataclass(frozen=True)
class Restored:
    """Vectors read back and brought up to date, and what the file itself held (to know when to rewrite it)."""

    vectors: PaperVectors
    # The file's vocabulary (``vectors`` has another when the update learned it anew) and how many of its rows
    # were newer than that vocabulary.
    file_vocabulary: Vocabulary
    file_unfitted_rows: int


def size_of(vectors: PaperVectors) -> int:
    """About how many bytes :func:`encode` writes for ``vectors`` (the arrays exactly, the header within a few %)."""
    if vectors.vocabulary is None:
        return 0
    n_rows, n_terms = len(vectors.ids), len(vectors.terms)
    nnz, axes = int(vectors.text.nnz), int(vectors.topic_axes.size)
    arrays = n_rows * (DIGEST_SIZE + 8) + 8 + nnz * 12 + n_terms * 8 + axes * 8
    header = sum(len(i) + 3 for i in vectors.ids) + sum(len(t) + 3 for t in vectors.terms) + 1024
    return arrays + header


def restore(data: bytes | bytearray | memoryview, papers: Sequence[Paper],
            config: VectorConfig | None = None) -> Restored | None:
    """Vectors for ``papers`` from a file's bytes: its rows where their text is unchanged, the rest made anew.

    None when the bytes are not a usable file for these settings (see the module docstring).
    """
    config = config or VectorConfig()
    found = _read(memoryview(data), config)
    if found is None:
        return None
    header, arrays = found
    n_rows, n_terms = len(header.ids), len(header.terms)
    try:
        text = sp.csr_matrix((arrays["data"], arrays["indices"], arrays["indptr"]), shape=(n_rows, n_terms))
        text.check_format(full_check=True)
        if not _weights_fit(text, arrays["idf"], arrays["topic_axes"]):
            return None
    except (ValueError, TypeError, IndexError):
        return None
    vocabulary = Vocabulary(config, n_rows, tuple(header.terms), arrays["idf"])
    by_id = {paper.id: paper for paper in papers}
    keys: list[TextKey] = []
    for row, paper_id in enumerate(header.ids):
        paper = by_id.get(paper_id)
        if paper is not None and text_digest(paper) == arrays["digests"][row].tobytes():
            keys.append(text_key(paper))
        else:
            keys.append(_changed_key())
    axes = arrays["topic_axes"]
    stored = PaperVectors(
        config=config,
        ids=tuple(header.ids),
        row={paper_id: i for i, paper_id in enumerate(header.ids)},
        vocabulary=vocabulary,
        text=text,
        # Metadata is not kept: with no keys, the update below builds it for the papers as they are.
        meta=sp.csr_matrix((n_rows, 0), dtype=np.float64),
        meta_kinds=(),
        meta_names=(),
        text_keys=tuple(keys),
        meta_keys=(),
        topic_axes=axes,
        topics=_project(text, axes),
        unfitted_rows=header.unfitted_rows,
    )
    return Restored(stored.updated(papers), vocabulary, header.unfitted_rows)


def _changed_key() -> TextKey:
    """A key equal to no paper's (its middle is a new object, equal only to itself): the row is made anew."""
    return ("", object(), ())


@dataclass(frozen=True)
class StoredRow:
    """One paper's text row as a file holds it, with the file's words and their rarities (the row's columns)."""

    terms: tuple[str, ...]
    idf: npt.NDArray[np.float64]
    row: sp.csr_matrix


def stored_row(data: bytes | bytearray | memoryview, paper: Paper,
               config: VectorConfig | None = None) -> StoredRow | None:
    """``paper``'s row from a file's bytes, when the file holds one made from the paper's text as it is now.

    What explaining one paper's score needs (``readlist show ID --json``): at 100,000 papers, reading every row
    back and bringing it up to date (:func:`restore`) takes seconds, this row alone milliseconds. None when the
    file is not usable (as for :func:`restore`), has no row for the paper, or its row was made from other text;
    the row's numbers are checked as every row's are there.
    """
    config = config or VectorConfig()
    found = _read(memoryview(data), config, copy=False)
    if found is None:
        return None
    header, arrays = found
    try:
        index = header.ids.index(paper.id)
    except ValueError:
        return None
    if arrays["digests"][index].tobytes() != text_digest(paper):
        return None
    indptr, n_terms = arrays["indptr"], len(header.terms)
    start, end = int(indptr[index]), int(indptr[index + 1])
    if not 0 <= start <= end <= arrays["data"].shape[0]:
        return None
    columns = np.asarray(arrays["indices"][start:end], dtype=np.int64)
    weights = np.asarray(arrays["data"][start:end], dtype=np.float64)
    if columns.size and (columns.min() < 0 or columns.max() >= n_terms or np.unique(columns).size != columns.size):
        return None
    row = sp.csr_matrix((weights, columns, np.array([0, columns.size], dtype=np.int64)), shape=(1, n_terms))
    idf = np.asarray(arrays["idf"], dtype=np.float64)
    if not _weights_fit(row, idf, np.zeros((0, n_terms))):
        return None
    return StoredRow(tuple(header.terms), idf, row)


def _read(view: memoryview, config: VectorConfig,
          copy: bool = True) -> tuple[_Header, dict[str, npt.NDArray[Any]]] | None:
    """The header and arrays of a file's bytes; ``copy=False`` leaves the arrays in the buffer, read-only and
    in the file's byte order, for a reader that takes a few numbers out of them."""
    start = len(MAGIC) + _LENGTH.size
    if len(view) < start or bytes(view[: len(MAGIC)]) != MAGIC:
        return None
    (length,) = _LENGTH.unpack(view[len(MAGIC) : start])
    if length > len(view) - start:
        return None
    try:
        header = _HEADER_DECODER.decode(view[start : start + length])
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):
        return None
    if header.format != FORMAT or header.settings != settings_of(config) or not _consistent(header):
        return None
    offset = _aligned(start + length)
    arrays: dict[str, npt.NDArray[Any]] = {}
    for spec in header.arrays:
        dtype = _TYPES.get(spec.type)
        # No array has more than two dimensions, nor one larger than the file: a size from the header is checked
        # before NumPy sees it, and multiplied in Python's integers (NumPy's 64-bit product can wrap around to a
        # size that fits the file, and a reshape to a dimension past NumPy's limit raises).
        if (dtype is None or spec.name in arrays or len(spec.shape) > 2
                or any(not 0 <= size <= len(view) for size in spec.shape)):
            return None
        end = offset + math.prod(spec.shape) * dtype.itemsize
        if end > len(view):
            return None
        # Copied out of the file's buffer: the arrays must be writable and native-endian like built ones.
        array = np.frombuffer(view[offset:end], dtype=dtype)
        if copy:
            array = array.astype(dtype.newbyteorder("="), copy=True)
        arrays[spec.name] = array.reshape(spec.shape)
        offset = _aligned(end)
    if offset != len(view) or not _shapes_fit(arrays, len(header.ids), len(header.terms), config):
        return None
    return header, arrays


def _consistent(header: _Header) -> bool:
    return (
        header.unfitted_rows >= 0
        and len(set(header.ids)) == len(header.ids)
        and len(set(header.terms)) == len(header.terms) > 0
    )


def _shapes_fit(arrays: dict[str, npt.NDArray[Any]], n_rows: int, n_terms: int, config: VectorConfig) -> bool:
    expected = {
        "digests": ("u1", (n_rows, DIGEST_SIZE)),
        "idf": ("f8", (n_terms,)),
        "data": ("f8", None),
        "indices": ("i4", None),
        "indptr": ("i8", (n_rows + 1,)),
        "topic_axes": ("f8", None),
    }
    if set(arrays) != set(expected):
        return False
    for name, (kind, shape) in expected.items():
        array = arrays[name]
        if _type_name(array) != kind or (shape is not None and array.shape != shape):
            return False
    nnz = arrays["data"].shape
    if len(nnz) != 1 or arrays["indices"].shape != nnz:
        return False
    axes = arrays["topic_axes"]
    # As many axes as the library had when the vocabulary was learned: not more than the settings allow.
    if len(axes.shape) != 2 or axes.shape[1] != n_terms or axes.shape[0] > config.max_topics:
        return False
    return all(bool(np.isfinite(arrays[name]).all()) for name in ("idf", "data", "topic_axes"))


def _weights_fit(text: sp.csr_matrix, idf: npt.NDArray[Any], axes: npt.NDArray[Any]) -> bool:
    """The numbers are ones the vectorizer and the topic solver can make, not merely finite ones.

    Each row's weights are positive with squares summing to 1 (an empty row has none); a word's rarity (smoothed
    IDF) is 1 + ln((1 + papers) / (1 + papers with it)): at least 1, and at most 1 + ln(2**63) whatever the library;
    a topic axis has length 1, so no weight of it exceeds 1. A damaged file can hold any finite number (a flipped
    exponent bit makes 0.1 into 1e+153): taken as rows, such numbers overflow where papers are compared, and the
    answers are wrong for as long as the file is kept. Checking costs 11 ms at 100,000 papers.
    """
    data, starts = text.data, text.indptr[:-1]
    if data.size and not (data.min() > 0 and data.max() <= 1 + _SLACK):
        return False
    filled = starts[np.diff(text.indptr) > 0]  # an empty row adds nothing, so summing from each filled row's start
    if filled.size and np.abs(np.add.reduceat(np.square(data), filled) - 1).max() > _SLACK:
        return False
    if idf.size and not (idf.min() >= 1 and idf.max() <= _MAX_IDF):
        return False
    return not axes.size or float(np.abs(axes).max()) <= 1 + _SLACK


def _type_name(array: npt.NDArray[Any]) -> str:
    kind = {"f": "f", "i": "i", "u": "u"}.get(array.dtype.kind, "?")
    return f"{kind}{array.dtype.itemsize}"


def _aligned(size: int) -> int:
    return -(-size // _ALIGN) * _ALIGN


def _padding(size: int) -> bytes:
    return b"\0" * (_aligned(size) - size)
