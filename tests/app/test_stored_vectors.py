"""The vectors file beside a library: written by the first computation, read by the next, rewritten when worth it."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from msgspec.structs import replace

from readlist.app import stored_vectors
from readlist.app.stored_vectors import VectorStore
from readlist.core.model import Paper
from readlist.core.vector_file import restore
from readlist.core.vectors import PaperVectors
from readlist.storage.library import Library
from readlist.storage.paths import vectors_path


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts whole builds of the vectors (what the file is there to save)."""
    made: list[int] = []
    original = PaperVectors.build.__func__  # type: ignore[attr-defined]

    def counted(cls: type[PaperVectors], papers: list[Paper], config: object = None) -> PaperVectors:
        made.append(len(list(papers)))
        return original(cls, papers, config)  # type: ignore[no-any-return]

    monkeypatch.setattr(PaperVectors, "build", classmethod(counted))
    return made


def papers_of(path: Path) -> list[Paper]:
    return list(Library(path).papers.values())


def same_rows(a: PaperVectors, b: PaperVectors) -> bool:
    return a.ids == b.ids and a.terms == b.terms and np.array_equal(a.text.toarray(), b.text.toarray())


def test_the_first_computation_writes_the_file_and_the_next_reads_it(seed_library: Path, builds: list[int]) -> None:
    papers = papers_of(seed_library)
    first_store = VectorStore(seed_library)
    first = first_store.vectors_for(papers)
    assert builds == [len(papers)]
    assert first_store.keep(first, papers)
    path = vectors_path(seed_library)
    assert path.stat().st_mode & 0o777 == 0o600  # the library's words: the owner's only
    written = path.stat()

    second_store = VectorStore(seed_library)
    second = second_store.vectors_for(papers)
    assert builds == [len(papers)]  # read back, not built
    assert same_rows(second, first) and np.array_equal(second.topics, first.topics)
    assert not second_store.keep(second, papers)  # nothing new to keep
    assert path.stat().st_ino == written.st_ino and path.stat().st_mtime_ns == written.st_mtime_ns


def test_the_file_is_rewritten_once_enough_papers_were_redone(
    seed_library: Path, builds: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stored_vectors, "REWRITE_ROWS", 3)
    papers = papers_of(seed_library)
    store = VectorStore(seed_library)
    store.keep(store.vectors_for(papers), papers)
    path = vectors_path(seed_library)
    written = path.stat().st_ino

    two = [replace(p, title=f"{p.title} revisited") if i < 2 else p for i, p in enumerate(papers)]
    store = VectorStore(seed_library)
    vectors = store.vectors_for(two)
    assert vectors.unfitted_rows == 2
    assert not store.keep(vectors, two)  # two rows are cheaper to redo than the file to write
    assert path.stat().st_ino == written

    three = [replace(p, title=f"{p.title} revisited") if i < 3 else p for i, p in enumerate(papers)]
    vectors = store.vectors_for(three)
    assert store.keep(vectors, three)
    assert path.stat().st_ino != written
    assert builds == [len(papers)]
    # What was written holds the three new rows: read for the same papers, nothing is redone.
    back = restore(bytearray(path.read_bytes()), three)
    assert back is not None and back.vectors.unfitted_rows == 3 == back.file_unfitted_rows
    assert same_rows(back.vectors, vectors)


def test_a_new_vocabulary_is_always_written(seed_library: Path, builds: list[int]) -> None:
    papers = papers_of(seed_library)
    store = VectorStore(seed_library)
    store.keep(store.vectors_for(papers[:30]), papers[:30])
    store = VectorStore(seed_library)
    vectors = store.vectors_for(papers)  # most papers are new to the file: the vocabulary is learned anew
    assert builds == [30, len(papers)]
    assert store.keep(vectors, papers)
    back = restore(bytearray(vectors_path(seed_library).read_bytes()), papers)
    assert back is not None and same_rows(back.vectors, vectors)


@pytest.mark.parametrize("content", [b"", b"\x00\xff junk", b"readlist vectors\n\x05"])
def test_a_damaged_file_is_built_anew_and_replaced(seed_library: Path, builds: list[int], content: bytes) -> None:
    papers = papers_of(seed_library)
    path = vectors_path(seed_library)
    path.write_bytes(content)
    store = VectorStore(seed_library)
    vectors = store.vectors_for(papers)
    assert builds == [len(papers)]
    assert store.keep(vectors, papers)
    assert restore(bytearray(path.read_bytes()), papers) is not None


def test_a_file_larger_than_the_library_could_have_is_not_read(
    seed_library: Path, builds: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    papers = papers_of(seed_library)
    store = VectorStore(seed_library)
    store.keep(store.vectors_for(papers), papers)
    monkeypatch.setattr(stored_vectors, "SIZE_FACTOR", 0)
    monkeypatch.setattr(stored_vectors, "SIZE_ALLOWANCE", 1000)
    VectorStore(seed_library).vectors_for(papers)
    assert builds == [len(papers), len(papers)]


def test_a_fifo_or_a_folder_in_its_place_stops_nothing(seed_library: Path, builds: list[int]) -> None:
    papers = papers_of(seed_library)
    path = vectors_path(seed_library)
    os.mkfifo(path)  # nobody writes to it: opening it for reading must not wait
    store = VectorStore(seed_library)
    vectors = store.vectors_for(papers)
    assert store.keep(vectors, papers)  # replaced by the file
    assert restore(bytearray(path.read_bytes()), papers) is not None

    path.unlink()
    path.mkdir()
    store = VectorStore(seed_library)
    vectors = store.vectors_for(papers)
    assert not store.keep(vectors, papers)  # cannot be written: let go, no error
    assert path.is_dir() and not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]
    assert builds == [len(papers), len(papers)]


def test_not_written_where_it_would_leave_no_room_for_the_library(
    seed_library: Path, builds: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file only saves time: it never takes the space the library needs to be written again (a note's save)."""
    from collections import namedtuple

    from readlist.core.vector_file import size_of

    papers = papers_of(seed_library)
    store = VectorStore(seed_library)
    vectors = store.vectors_for(papers)
    library_bytes = seed_library.stat().st_size
    needed = size_of(vectors) + library_bytes + stored_vectors.SPARE_BYTES
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(stored_vectors.shutil, "disk_usage", lambda _: usage(1 << 40, 0, needed - 1))
    assert not store.keep(vectors, papers)
    assert not vectors_path(seed_library).exists()
    monkeypatch.setattr(stored_vectors.shutil, "disk_usage", lambda _: usage(1 << 40, 0, needed))
    assert store.keep(vectors, papers)
    # The estimate is the file's size within a few percent, never far below it.
    written = vectors_path(seed_library).stat().st_size
    assert 0.95 * written <= size_of(vectors) <= 1.1 * written


def test_a_write_cut_short_earlier_is_cleared_away_by_the_next(seed_library: Path) -> None:
    papers = papers_of(seed_library)
    folder = seed_library.parent
    left = folder / f".{vectors_path(seed_library).name}.k1ll3d.tmp"
    left.write_bytes(b"\0" * 4096)
    os.utime(left, (1_000_000_000, 1_000_000_000))  # long ago: its writer is gone
    writing = folder / f".{vectors_path(seed_library).name}.n0w.tmp"
    writing.write_bytes(b"\0")  # another process writing at this moment
    library_temp = folder / f".{seed_library.name}.0ld.tmp"
    library_temp.write_bytes(b"\0")
    os.utime(library_temp, (1_000_000_000, 1_000_000_000))
    store = VectorStore(seed_library)
    assert store.keep(store.vectors_for(papers), papers)
    assert not left.exists() and writing.exists()
    assert library_temp.exists()  # the library's own are `readlist doctor`'s to report and remove


def test_a_foreign_file_is_passed_over_without_being_read_whole(seed_library: Path, builds: list[int]) -> None:
    """A file under the size limit (four times the library: 1 GB beside a library of 100,000 papers) that does not
    begin as a vectors file is not read into memory to find that out: its first bytes say so."""
    import tracemalloc

    papers = papers_of(seed_library)
    path = vectors_path(seed_library)
    path.write_bytes(b"x" * (12 << 20))
    store = VectorStore(seed_library)
    assert store._size_limit() > path.stat().st_size
    tracemalloc.start()
    try:
        store.vectors_for(papers)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert builds == [len(papers)]
    assert peak < (6 << 20)  # building the seed's vectors takes ~2 MB; reading the file took 12 MB more
