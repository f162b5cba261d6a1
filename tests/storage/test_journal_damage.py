"""A journal a crash left zeros in (blocks allocated but never written) is read without holding the zeros.

Reading used to take the whole rest of the file into memory at once (and the header as one unbounded line):
a read-only command met with two gigabytes of zeros took 4 GB of memory, every time it ran. The zeros here are
sparse files, cheap to make; what is measured is the memory Python allocates while the journal is read.
"""

from __future__ import annotations

import os
import random
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import msgspec
import pytest

import readlist.storage.journal
from readlist.app.commands import Rate
from readlist.app.imports import ImportPapers
from readlist.core.model import Paper
from readlist.storage.backups import list_backups
from readlist.storage.journal import Entry, JournalRead, Op, kept_aside_journals, read_journal
from readlist.storage.library import Library
from readlist.storage.paths import journal_path

ZEROS = 200 * 1024 * 1024
# Far below the zeros, far above what reading a few short lines takes.
MEMORY_BOUND = ZEROS // 20


def made(path: Path) -> Library:
    """A library of five papers with three changes in its journal; its session's backup is already made."""
    lib = Library(path)
    papers = [Paper.from_dict({"title": f"Paper {n}", "arxiv_id": f"2401.{n:05d}"}) for n in range(5)]
    ImportPapers(papers, "test").execute(lib)
    lib.compact(force=True)
    for n in (1, 2, 3):
        Rate([f"2401.{n:05d}"], n).execute(lib)
    return lib


def ratings(lib: Library) -> dict[str, int]:
    return {pid: paper.rating for pid, paper in lib.papers.items() if paper.rating}


def add_zeros(path: Path, count: int) -> None:
    """``count`` zero bytes at the end of the file, as a crash leaves them (a hole: nothing is written)."""
    os.truncate(path, path.stat().st_size + count)


def batch_line(paper_id: str, rating: int) -> bytes:
    """The journal line of a change of one paper's rating, as readlist writes it."""
    entry = {"ops": [{"set": paper_id, "f": {"rating": rating}}], "at": "2026-01-02T03:04:05Z"}
    return msgspec.json.encode(entry) + b"\n"


@contextmanager
def peak_memory() -> Iterator[Callable[[], int]]:
    """The most memory Python held at once inside the block, traced (called after it)."""
    tracemalloc.start()
    peak = 0
    try:
        yield lambda: peak
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()


def read(lib: Library) -> JournalRead:
    return read_journal(journal_path(lib.path), lib.generation, lib.library_id)


def test_zeros_after_the_last_change_are_a_torn_tail_read_without_holding_them(tmp_path: Path) -> None:
    lib = made(tmp_path / "library.json")
    journal = journal_path(lib.path)
    complete = journal.stat().st_size
    add_zeros(journal, ZEROS)

    with peak_memory() as peak:
        found = read(lib)
    assert peak() < MEMORY_BOUND, peak()
    assert (found.entries, found.bad_lines, found.torn_bytes, found.offset) == (3, 0, ZEROS, complete)

    with peak_memory() as peak:
        looking = Library(lib.path, tidy=False)
    assert peak() < MEMORY_BOUND, peak()
    assert ratings(looking) == {"2401.00001": 1, "2401.00002": 2, "2401.00003": 3}
    assert journal.stat().st_size == complete + ZEROS  # reading never cuts: only the next change does

    # The next change reads the journal again (the zeros too), cuts the zeros off and is appended after the
    # last complete line, where a later reader finds it.
    with peak_memory() as peak:
        Rate(["2401.00004"], 4).execute(lib)
    assert peak() < MEMORY_BOUND, peak()
    assert complete < journal.stat().st_size < complete + 1024
    after = read(lib)
    assert (after.entries, after.bad_lines, after.torn_bytes) == (4, 0, 0)
    assert ratings(Library(lib.path)) == {"2401.00001": 1, "2401.00002": 2, "2401.00003": 3, "2401.00004": 4}


def test_a_change_cut_off_into_zeros_is_one_torn_tail(tmp_path: Path) -> None:
    """The start of a change written, the rest of it zeros: one incomplete line, all of it counted."""
    lib = made(tmp_path / "library.json")
    journal = journal_path(lib.path)
    complete = journal.stat().st_size
    begun = batch_line("2401.00004", 4)[:20]
    with journal.open("ab") as handle:
        handle.write(begun)
    add_zeros(journal, ZEROS)

    with peak_memory() as peak:
        found = read(lib)
    assert peak() < MEMORY_BOUND, peak()
    assert (found.entries, found.bad_lines, found.torn_bytes, found.offset) == (3, 0, len(begun) + ZEROS, complete)


def test_a_line_of_zeros_amid_changes_is_one_damaged_line_and_later_changes_apply(tmp_path: Path) -> None:
    lib = made(tmp_path / "library.json")
    journal = journal_path(lib.path)
    add_zeros(journal, ZEROS)
    with journal.open("ab") as handle:
        # A change begun and overtaken by zeros, on a line of its own that a newline ends, then a good change.
        handle.write(b"\n" + batch_line("2401.00000", 5)[:25])
    add_zeros(journal, ZEROS)
    with journal.open("ab") as handle:
        handle.write(b"\n" + batch_line("2401.00004", 4))

    with peak_memory() as peak:
        found = read(lib)
    assert peak() < MEMORY_BOUND, peak()
    assert (found.entries, found.bad_lines, found.torn_bytes) == (4, 2, 0)
    assert found.offset == journal.stat().st_size
    looking = Library(lib.path, tidy=False)
    assert ratings(looking) == {"2401.00001": 1, "2401.00002": 2, "2401.00003": 3, "2401.00004": 4}
    assert any("2 damaged line(s)" in notice for notice in looking.take_notices())


def test_a_carriage_return_in_a_damaged_line_does_not_end_the_journal(tmp_path: Path) -> None:
    """Lines end at newlines only: a stray carriage return made the rest of the journal a torn tail, and the next
    change cut off every change after it."""
    lib = made(tmp_path / "library.json")
    journal = journal_path(lib.path)
    with journal.open("ab") as handle:
        handle.write(b"garbage\rmore garbage\n" + batch_line("2401.00004", 4))

    found = read(lib)
    assert (found.entries, found.bad_lines, found.torn_bytes) == (4, 1, 0)
    Rate(["2401.00000"], 5).execute(lib)
    expected = {"2401.00000": 5, "2401.00001": 1, "2401.00002": 2, "2401.00003": 3, "2401.00004": 4}
    assert ratings(Library(lib.path)) == expected


def test_a_journal_of_zeros_only_has_a_damaged_header_found_from_its_start(tmp_path: Path) -> None:
    lib = made(tmp_path / "library.json")
    lib.compact(force=True)
    journal = journal_path(lib.path)
    journal.touch()
    add_zeros(journal, ZEROS)

    with peak_memory() as peak:
        looking = Library(lib.path, tidy=False)
    assert peak() < MEMORY_BOUND, peak()
    notices = looking.take_notices()
    assert len(notices) == 1 and "damaged header" in notices[0]
    assert ratings(looking) == {"2401.00001": 1, "2401.00002": 2, "2401.00003": 3}
    assert journal.stat().st_size == ZEROS and not kept_aside_journals(lib.path)  # only looked

    with peak_memory() as peak:
        writing = Library(lib.path)
    assert peak() < MEMORY_BOUND, peak()
    kept = kept_aside_journals(lib.path)
    assert len(kept) == 1 and ".unreadable-" in kept[0].name and kept[0].stat().st_size == ZEROS
    assert not journal.exists()
    Rate(["2401.00004"], 4).execute(writing)
    assert ratings(Library(lib.path))["2401.00004"] == 4


def test_lines_longer_than_a_read_and_led_by_white_space_are_read_whole(tmp_path: Path) -> None:
    """Lines are never capped (one import is one line of hundreds of megabytes), and a line may start with white
    space before its ``{``: such lines span several reads of the file."""
    lib = made(tmp_path / "library.json")
    journal = journal_path(lib.path)
    note = "n" * (3 << 20)
    long_line = msgspec.json.encode({"ops": [{"set": "2401.00000", "f": {"note": note}}]}) + b"\n"
    led = b" \t" * (600 << 10) + batch_line("2401.00004", 4)
    with journal.open("ab") as handle:
        handle.write(led + long_line + b"\r\n" + b" " * (3 << 20) + b"\n")

    found = read(lib)
    assert (found.entries, found.bad_lines, found.torn_bytes) == (5, 2, 0)  # an empty line and one of spaces
    assert found.offset == journal.stat().st_size
    again = Library(lib.path)
    assert again.papers["2401.00000"].note == note and again.papers["2401.00004"].rating == 4


def test_lines_are_found_the_same_wherever_the_reads_of_the_file_fall(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read a few bytes at a time, a journal of good, damaged and blank lines, white space, zeros and a cut-off
    last line gives what splitting the whole file at its newlines gives."""
    path = tmp_path / "library.json.journal"
    header = b'{"readlist_journal":1,"gen":3,"library":"abc"}\n'
    good = [batch_line(f"2401.{n:05d}", n % 6) for n in range(4)]
    pieces = [
        *good, b"\n", b"  \t\r\n", b"\x00" * 9 + b"\n", b"{" + b"\x00" * 5 + b"}\n", b"not json\n",
        b'{"ops":[{"put":null}]}\n', b" \t" + good[0], b"\r " + good[2], good[1].replace(b"\n", b"\r\n"),
        b'{"ops":[', b"\x00" * 7,
    ]
    rng = random.Random(7)
    for trial in range(60):
        body = b"".join(rng.sample(pieces, rng.randint(1, len(pieces))))
        path.write_bytes(header + body)
        *complete, cut = body.split(b"\n")
        batches = [batch_of(line) for line in complete]
        monkeypatch.setattr(readlist.storage.journal, "_READ_BUFFER", rng.randint(1, 40))
        found = read_journal(path, 3, "abc")
        expected = (
            sum(ops is not None for ops in batches), batches.count(None), len(cut), len(header) + len(body) - len(cut),
            [ops for ops in batches if ops is not None],
        )
        assert (found.entries, found.bad_lines, found.torn_bytes, found.offset, found.batches) == expected, trial


def batch_of(line: bytes) -> list[Op] | None:
    """The operations of a journal line taken alone, None when it holds no batch."""
    try:
        entry = msgspec.json.decode(line, type=Entry)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    return entry.ops if all(op.valid() for op in entry.ops) else None


def test_the_backup_before_the_next_change_keeps_the_zeros_without_their_room(tmp_path: Path) -> None:
    """The first change of a session backs the library up, journal and all: the zeros are kept as they were read
    (the backup is the journal as found), but as a hole, not as hundreds of megabytes written out again."""
    lib = made(tmp_path / "library.json")
    journal = journal_path(lib.path)
    add_zeros(journal, ZEROS)
    found = journal.read_bytes()
    Rate(["2401.00004"], 4).execute(Library(lib.path))  # a new session: its first change makes the backup
    (backup,) = list_backups(lib.path)
    kept = backup / journal.name
    assert kept.read_bytes() == found
    assert kept.stat().st_blocks * 512 < ZEROS // 100, kept.stat().st_blocks
