"""Vectors kept on disk: read back they are the vectors the app's own update gives; any bad file is passed over."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
import pytest
import scipy.sparse as sp
from msgspec.structs import replace

from readlist.core.interest import training_labels, utcnow
from readlist.core.interest_model import InterestModel, train
from readlist.core.model import Paper
from readlist.core.related import related
from readlist.core.vector_file import MAGIC, Restored, encode, restore
from readlist.core.vectors import PaperVectors, VectorConfig, text_digest
from readlist.storage.library import Library


def as_bytes(vectors: PaperVectors, papers: list[Paper]) -> bytearray:
    return bytearray(b"".join(bytes(chunk) for chunk in encode(vectors, papers)))


def assert_same(found: PaperVectors, expected: PaperVectors) -> None:
    """Two vectors hold the same numbers for the same papers (bit for bit), and the same words."""
    assert found.ids == expected.ids and found.row == expected.row
    assert found.terms == expected.terms
    assert found.text.shape == expected.text.shape
    assert (found.text != expected.text).nnz == 0
    assert np.array_equal(found.text.toarray(), expected.text.toarray())
    assert np.array_equal(found.topic_axes, expected.topic_axes)
    assert np.array_equal(found.topics, expected.topics)
    assert (found.meta != expected.meta).nnz == 0 and found.meta_names == expected.meta_names
    assert found.meta_kinds == expected.meta_kinds and found.meta_keys == expected.meta_keys
    assert found.text_keys == expected.text_keys
    assert found.unfitted_rows == expected.unfitted_rows


def restored(data: bytes | bytearray, papers: list[Paper]) -> Restored:
    result = restore(data, papers)
    assert result is not None
    return result


@pytest.fixture
def papers(seed_library: Path) -> list[Paper]:
    """The seed papers as a library holds them: abstracts read from the file when asked for."""
    return list(Library(seed_library).papers.values())


def test_read_back_the_vectors_are_the_ones_written(papers: list[Paper]) -> None:
    built = PaperVectors.build(papers)
    back = restored(as_bytes(built, papers), papers)
    assert_same(back.vectors, built)
    assert back.file_unfitted_rows == 0
    # They answer as the built ones do: related papers, and a model trained on them scores alike.
    some = papers[:20]
    for paper in some:
        assert related(back.vectors, paper.id, 5) == related(built, paper.id, 5)
    decided = [replace(p, status="to-read" if i % 3 else "skipped") for i, p in enumerate(papers[:30])]
    rest = papers[30:]
    labels = training_labels(decided + rest, utcnow())
    model_built = train(built.updated(decided + rest), labels)
    model_back = train(back.vectors.updated(decided + rest), labels)
    assert isinstance(model_built, InterestModel) and isinstance(model_back, InterestModel)
    # The same numbers in; the solver's sums may round in another order in other memory (last digit only).
    assert model_back.score_all() == pytest.approx(model_built.score_all(), abs=1e-12)


def test_a_stored_abstract_digests_as_its_text_does(papers: list[Paper]) -> None:
    stored = papers[0]
    in_memory = Paper.create(title=stored.title, abstract=str(stored.abstract), ai_keywords=list(stored.ai_keywords))
    assert type(stored.abstract) is str  # reading gives the text; what the paper holds is a reference
    assert text_digest(stored) == text_digest(in_memory)
    assert text_digest(stored) != text_digest(replace(in_memory, title=stored.title + " v2"))
    assert text_digest(stored) != text_digest(replace(in_memory, ai_keywords=["extra"]))


def test_changed_new_and_removed_papers_are_as_the_apps_update_makes_them(papers: list[Paper]) -> None:
    """A file from an earlier library, read for the library as it is now, equals the running app's update."""
    earlier = papers[:150]
    built = PaperVectors.build(earlier)
    data = as_bytes(built, earlier)
    now = list(papers)
    now[3] = replace(now[3], title="Graph neural networks for protein folding")
    now[7] = replace(now[7], abstract="We study retrieval augmented generation for legal documents.")
    del now[10:14]  # removed since
    # A tag changes no word row, only the metadata, which is rebuilt.
    now[20] = replace(now[20], tags=["favourite"])
    back = restored(data, now)
    expected = built.updated(now)
    assert back.vectors.vocabulary is back.file_vocabulary  # the file's vocabulary, not learned anew
    assert_same(back.vectors, expected)
    assert back.vectors.unfitted_rows == 2 + (len(papers) - 150) and back.file_unfitted_rows == 0
    # The re-vectorized rows are the new text's.
    row = back.vectors.row[now[3].id]
    assert back.vectors.vocabulary is not None
    fresh = back.vectors.vocabulary.vectorizer.transform(["Graph neural networks for protein folding . " * 2])
    assert set(fresh.indices) <= set(back.vectors.text[row].indices)


def test_a_library_mostly_new_to_the_file_learns_its_vocabulary_anew(papers: list[Paper]) -> None:
    small = papers[:40]
    data = as_bytes(PaperVectors.build(small), small)
    back = restored(data, papers)
    assert back.vectors.vocabulary is not back.file_vocabulary
    assert_same(back.vectors, PaperVectors.build(papers))


def test_rows_written_for_changed_papers_are_made_anew_when_read(papers: list[Paper]) -> None:
    """Vectors written with papers that changed since they were made keep no row for those papers."""
    built = PaperVectors.build(papers)
    changed = list(papers)
    changed[5] = replace(changed[5], title="A title the vectors never saw")
    data = as_bytes(built, changed)  # the row of paper 5 is the old title's
    back = restored(data, changed)
    assert back.vectors.unfitted_rows == 1
    assert_same(back.vectors, built.updated(changed))


def test_an_empty_library_writes_nothing() -> None:
    vectors = PaperVectors.build([])
    assert as_bytes(vectors, []) == b""


# Damaged and foreign files -------------------------------------------------------------------------------


def split(data: bytes | bytearray) -> tuple[dict[str, Any], list[bytes]]:
    """A file's header and each array's bytes (without padding)."""
    start = len(MAGIC) + 8
    (length,) = struct.unpack("<Q", data[len(MAGIC):start])
    header = msgspec.json.decode(bytes(data[start:start + length]))
    offset = -(-(start + length) // 8) * 8
    blobs = []
    for _, kind, shape in header["arrays"]:
        size = int(np.prod(shape)) * int(kind[1:])
        blobs.append(bytes(data[offset:offset + size]))
        offset = -(-(offset + size) // 8) * 8
    return header, blobs


def join(header: dict[str, Any], blobs: list[bytes]) -> bytearray:
    encoded = msgspec.json.encode(header)
    out = bytearray(MAGIC + struct.pack("<Q", len(encoded)) + encoded)
    out += b"\0" * (-len(out) % 8)
    for blob in blobs:
        out += blob + b"\0" * (-len(blob) % 8)
    return out


def with_array(data: bytes | bytearray, name: str, change: Any) -> bytearray:
    header, blobs = split(data)
    index = [spec[0] for spec in header["arrays"]].index(name)
    kind, shape = header["arrays"][index][1], header["arrays"][index][2]
    array = np.frombuffer(blobs[index], dtype="<" + kind[0] + kind[1:] if kind != "u1" else "u1").reshape(shape)
    array = np.array(array)
    change(array)
    blobs[index] = array.tobytes()
    return join(header, blobs)


def with_header(data: bytes | bytearray, **fields: Any) -> bytearray:
    header, blobs = split(data)
    header.update(fields)
    return join(header, blobs)


def test_the_helpers_rebuild_a_file_byte_for_byte(papers: list[Paper]) -> None:
    data = as_bytes(PaperVectors.build(papers), papers)
    header, blobs = split(data)
    assert join(header, blobs) == data  # so the damaged files below differ from a good one only where said


def too_many_axes(header: dict[str, Any], blobs: list[bytes], n_terms: int) -> bytearray:
    """A file well made but for 51 topic axes, where the settings allow 50."""
    arrays = [list(spec) for spec in header["arrays"]]
    index = [spec[0] for spec in arrays].index("topic_axes")
    axes = np.zeros((51, n_terms), dtype="<f8")
    axes[np.arange(51), np.arange(51)] = 1.0
    arrays[index][2] = list(axes.shape)
    return join({**header, "arrays": arrays}, [axes.tobytes() if i == index else b for i, b in enumerate(blobs)])


def damaged_files(good: bytearray, vectors: PaperVectors) -> dict[str, bytes | bytearray]:
    header, blobs = split(good)
    n_terms = len(vectors.terms)

    def set_at(index: int, value: Any) -> Any:
        def change(array: Any) -> None:
            array.flat[index] = value
        return change

    def swap_pointers(array: Any) -> None:
        array[1], array[2] = array[2] + 5, array[1]

    return {
        "empty": b"",
        "another file": b"{}" + good[2:],
        "the magic only": MAGIC,
        "cut in the header": good[: len(MAGIC) + 40],
        "cut in the arrays": good[: len(good) // 2],
        "one byte short": good[:-1],
        "a byte more": good + b"\0" * 8,
        "a header length past the end": MAGIC + struct.pack("<Q", 1 << 60) + good[len(MAGIC) + 8:],
        "a header that is not JSON": MAGIC + struct.pack("<Q", 5) + b"\xff\xfe[}x" + good[len(MAGIC) + 13:],
        "another format": with_header(good, format=2),
        "other settings": with_header(good, settings=header["settings"].replace('"min_df":2', '"min_df":3')),
        "another scikit-learn": with_header(good, settings=header["settings"][:-2] + 'x"}'),
        "another list of filler words": with_header(
            good, settings=header["settings"].replace('"filler":"', '"filler":"0')),
        "a repeated id": with_header(good, ids=[header["ids"][0]] * len(header["ids"])),
        "a repeated word": with_header(good, terms=[header["terms"][0]] * n_terms),
        "no words": with_header(good, terms=[]),
        "a word too few": with_header(good, terms=header["terms"][:-1]),
        "an id too few": with_header(good, ids=header["ids"][:-1]),
        "negative rows newer than the words": with_header(good, unfitted_rows=-1),
        "an unknown type": with_header(good, arrays=[[n, "c16" if n == "idf" else k, s]
                                                     for n, k, s in header["arrays"]]),
        "a negative size": with_header(good, arrays=[[n, k, [-1] if n == "data" else s]
                                                     for n, k, s in header["arrays"]]),
        # Sizes whose product wraps around in 64-bit arithmetic (to 0 bytes: nothing past the end to notice), a
        # dimension no array could have, more dimensions than any array has.
        "a size past 2**64 bytes": with_header(good, arrays=[[n, k, [1 << 62, 4] if n == "digests" else s]
                                                             for n, k, s in header["arrays"]]),
        "an empty array of a huge dimension": with_header(good, arrays=[[n, k, [0, (1 << 64) - 1] if n == "digests"
                                                                         else s] for n, k, s in header["arrays"]]),
        "three dimensions": with_header(good, arrays=[[n, k, [1, *s] if n == "topic_axes" else s]
                                                      for n, k, s in header["arrays"]]),
        "an array twice": with_header(good, arrays=header["arrays"] + [header["arrays"][0]]),
        "an array missing": join({**header, "arrays": header["arrays"][:-1]}, blobs[:-1]),
        "a word index out of range": with_array(good, "indices", set_at(0, n_terms)),
        "a negative word index": with_array(good, "indices", set_at(3, -1)),
        "rows out of order": with_array(good, "indptr", swap_pointers),
        "a weight that is not a number": with_array(good, "data", set_at(0, np.nan)),
        "an infinite rarity": with_array(good, "idf", set_at(1, np.inf)),
        "an infinite topic weight": with_array(good, "topic_axes", set_at(2, -np.inf)),
        "too many topic axes": too_many_axes(header, blobs, n_terms),
        # Finite numbers no TF-IDF row, rarity or topic axis can hold (a flipped exponent bit gives such a number):
        # taken for rows, they overflow where papers are compared, and nothing is found related to anything.
        "a huge weight": with_array(good, "data", set_at(0, 1e200)),
        "huge weights": with_array(good, "data", lambda array: array.fill(1e200)),
        "a negative weight": with_array(good, "data", set_at(4, -0.25)),
        "a row no longer of length 1": with_array(good, "data", set_at(0, 0.5 * float(vectors.text.data[0]))),
        "a rarity below 1": with_array(good, "idf", set_at(1, 0.5)),
        "a huge rarity": with_array(good, "idf", set_at(1, 1e200)),
        "a huge topic weight": with_array(good, "topic_axes", set_at(2, 1e200)),
    }


def test_a_damaged_or_foreign_file_is_passed_over(papers: list[Paper]) -> None:
    vectors = PaperVectors.build(papers)
    good = as_bytes(vectors, papers)
    assert restore(good, papers) is not None
    for name, data in damaged_files(good, vectors).items():
        assert restore(data, papers) is None, name


def test_every_cut_of_a_file_is_passed_over(papers: list[Paper]) -> None:
    small = papers[:60]
    good = as_bytes(PaperVectors.build(small), small)
    for cut in range(0, len(good), max(1, len(good) // 400)):
        assert restore(good[:cut], small) is None, cut


def test_a_file_made_with_other_settings_is_not_used(papers: list[Paper]) -> None:
    data = as_bytes(PaperVectors.build(papers), papers)
    assert restore(data, papers, VectorConfig(title_repeat=3)) is None
    assert restore(data, papers, VectorConfig()) is not None


def test_random_bytes_in_place_of_the_arrays_never_raise(papers: list[Paper]) -> None:
    small = papers[:60]
    good = as_bytes(PaperVectors.build(small), small)
    header, blobs = split(good)
    rng = np.random.default_rng(7)
    for _ in range(30):
        noisy = [rng.integers(0, 256, len(blob), dtype=np.uint8).tobytes() for blob in blobs]
        result = restore(join(header, noisy), small)
        if result is not None:  # random numbers that happen to pass every check still make usable vectors
            assert sp.issparse(result.vectors.text) and len(result.vectors) == len(small)
