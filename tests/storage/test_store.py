"""The library store: atomic files, journal replay, merge rules, refresh across processes, backups."""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import msgspec
import pytest

import readlist.storage.atomic as atomic
import readlist.storage.backups
import readlist.storage.library
from readlist.app.commands import (
    AppendNote,
    Delete,
    EditTags,
    KeepKeys,
    Rate,
    SetKey,
    SetStatus,
    ToggleRead,
    edit_papers,
)
from readlist.app.history import revert
from readlist.app.imports import ImportPapers
from readlist.app.notes import SaveNote
from readlist.core.model import Paper, ValidationError
from readlist.importers import parse_input
from readlist.storage.atomic import atomic_write_bytes
from readlist.storage.backups import KEEP_BACKUPS, KEEP_DAYS, list_backups, newest_good_backup, prune_backups
from readlist.storage.errors import LibraryError, NotFoundError
from readlist.storage.library import Library
from readlist.storage.paths import backup_dir, journal_path, lock_path
from readlist.storage.recovery import restore_backup
from readlist.storage.snapshot import SCHEMA_VERSION
from tests.conftest import SEED_TODAY, SEEDS


def paper(n: int, **kw: object) -> Paper:
    fields: dict[str, object] = {"title": f"Paper number {n}", "arxiv_id": f"2401.{n:05d}", "abstract": f"About {n}."}
    fields.update(kw)
    return Paper.from_dict(fields)


def small_library(path: Path, count: int = 5) -> Library:
    lib = Library(path)
    ImportPapers([paper(n) for n in range(count)], "test").execute(lib)
    lib.compact(force=True)
    return lib


def disk(path: Path) -> dict[str, Paper]:
    """What a fresh process would see."""
    return Library(path).papers


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def journal_lines(path: Path) -> list[bytes]:
    return journal_path(path).read_bytes().splitlines(keepends=True)


# ---------------------------------------------------------------------------
# atomic writes and the file format


def test_atomic_write_replaces_whole_file_private_and_fsyncs_directory(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "sub" / "f.json"
    synced: list[Path] = []
    real = atomic.fsync_dir
    monkeypatch.setattr(atomic, "fsync_dir", lambda d: (synced.append(d), real(d)))
    atomic_write_bytes(target, b"one")
    atomic_write_bytes(target, b"two")
    assert target.read_bytes() == b"two"
    assert mode(target) == 0o600 and mode(target.parent) == 0o700
    assert synced == [target.parent, target.parent]
    assert [p.name for p in target.parent.iterdir()] == ["f.json"]


def test_atomic_write_failure_keeps_old_file_and_no_temp(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "f.json"
    atomic_write_bytes(target, b"old")

    def boom(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"]


def test_snapshot_has_readlist_header_and_opens_in_plain_tinydb(tmp_path: Path) -> None:
    path = tmp_path / "lib.json"
    small_library(path, 3)
    data = json.loads(path.read_bytes())
    meta = data["_meta"]["1"]
    assert meta["format"] == "readlist" and meta["schema"] == SCHEMA_VERSION and meta["gen"] >= 1
    from tinydb import Query, TinyDB
    from tinydb.table import Table

    class StringIds(Table):
        document_id_class = str  # the papers table's document ids are the paper ids

    TinyDB.table_class = StringIds
    try:
        with TinyDB(path) as db:
            papers = db.table("papers")
            titles = sorted(doc["title"] for doc in papers.all())
            found = papers.search(Query().title == "Paper number 1")
            assert db.table("_meta").get(doc_id="1")["format"] == "readlist"  # type: ignore[index]
    finally:
        TinyDB.table_class = Table
    assert titles == ["Paper number 0", "Paper number 1", "Paper number 2"]
    assert [doc.doc_id for doc in found] == [found[0]["id"]]


# ---------------------------------------------------------------------------
# merge rules


def test_reimport_fills_empty_refreshes_upvotes_abstract_and_never_touches_user_fields(tmp_path: Path) -> None:
    path = tmp_path / "lib.json"
    lib = Library(path)
    ImportPapers([Paper.from_dict({"title": "A Study", "arxiv_id": "2402.00001", "upvotes": 3,
                                        "abstract": "old abstract"})], "first.txt").execute(lib)
    SetStatus(["2402.00001"], "read").execute(lib)
    Rate(["2402.00001"], 4).execute(lib)
    EditTags(["2402.00001"], add=["rl"]).execute(lib)
    SaveNote("2402.00001", "my note").execute(lib)
    before = lib.get("2402.00001")
    assert before is not None
    read_at, updated = before.read_at, before.updated
    incoming = Paper.from_dict({
        "title": "A Study", "arxiv_id": "2402.00001", "upvotes": 10, "abstract": "new abstract",
        "published": "2024-02-01", "authors": ["Ada", "Bob"], "url": "https://arxiv.org/abs/2402.00001",
        "status": "skipped", "rating": 1, "tags": ["other"], "note": "theirs",
    })
    report = ImportPapers([incoming], "second.html").execute(Library(path)).report
    assert report.updated == ["2402.00001"]
    got = disk(path)["2402.00001"]
    assert (got.upvotes, got.abstract, got.published, got.authors) == (10, "new abstract", "2024-02-01", ["Ada", "Bob"])
    assert got.url == "https://arxiv.org/abs/2402.00001"
    assert (got.status, got.rating, got.tags, got.note, got.read_at) == ("read", 4, ["rl"], "my note", read_at)
    assert got.updated == updated
    assert got.sources == ["first.txt", "second.html"]


def test_reimport_keeps_filled_fields_and_does_not_blank_with_empty_values(tmp_path: Path) -> None:
    path = tmp_path / "lib.json"
    lib = Library(path)
    ImportPapers([Paper.from_dict({"title": "T", "published": "2024-01-01", "upvotes": 5,
                                        "abstract": "kept"})], "a").execute(lib)
    report = ImportPapers([Paper.from_dict({"title": "T", "published": "2023-01-01"})], "a").execute(lib).report
    assert report.unchanged and not report.updated
    got = next(iter(disk(path).values()))
    assert (got.published, got.upvotes, got.abstract) == ("2024-01-01", 5, "kept")


def test_dedup_by_title_when_one_side_lacks_an_arxiv_id(tmp_path: Path) -> None:
    lib = Library(tmp_path / "lib.json")
    ImportPapers([Paper.from_dict({"title": "Scaling Laws, Revisited!"})], "text").execute(lib)
    revisited = Paper.from_dict({"title": "scaling laws revisited", "arxiv_id": "2403.00002"})
    report = ImportPapers([revisited], "x").execute(lib).report
    assert len(lib) == 1 and report.updated
    only = next(iter(lib))
    # The arXiv id becomes the paper's id, as enrichment makes it; the id it had stays an alias.
    assert only.id == only.arxiv_id == "2403.00002" and only.aliases[0].startswith("t-")
    assert lib.resolve(only.aliases[0]) is only


def test_same_title_with_different_arxiv_ids_are_two_papers(tmp_path: Path) -> None:
    lib = Library(tmp_path / "lib.json")
    ImportPapers([Paper.from_dict({"title": "Attention", "arxiv_id": "2401.00001"})], "a").execute(lib)
    report = ImportPapers([Paper.from_dict({"title": "Attention", "arxiv_id": "2405.00009"})], "b").execute(lib).report
    assert report.added == ["2405.00009"]
    assert sorted(disk(tmp_path / "lib.json")) == ["2401.00001", "2405.00009"]


def test_seed_import_then_reimport_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "lib.json"
    lib = Library(path)
    for seed in SEEDS:
        ImportPapers(parse_input(seed.read_bytes(), source=seed.name, today=SEED_TODAY).papers, seed.name).execute(lib)
    count = len(lib)
    snapshot = {pid: p.to_dict() for pid, p in disk(path).items()}
    again = Library(path)
    for seed in SEEDS:
        report = ImportPapers(
            parse_input(seed.read_bytes(), source=seed.name, today=SEED_TODAY).papers, seed.name).execute(again).report
        assert not report.added and not report.updated
    assert len(disk(path)) == count
    assert {pid: p.to_dict() for pid, p in disk(path).items()} == snapshot


# ---------------------------------------------------------------------------
# user edits


def test_edits_return_before_values_for_undo_and_undo_restores(tmp_path: Path) -> None:
    path = tmp_path / "lib.json"
    lib = small_library(path)
    pid = "2401.00001"
    assert Rate([pid], 3).execute(lib).before_values() == {pid: {"rating": 0}}
    assert Rate([pid], 3).execute(lib).before_values() == {}  # already so: nothing changed, nothing to undo
    before = SetStatus([pid], "read").execute(lib)
    assert before.before_values() == {pid: {"status": "inbox", "read_at": None, "prev_status": None}}
    assert disk(path)[pid].read_at is not None
    assert EditTags([pid], add=["RL", "#agents"]).execute(lib).before_values() == {pid: {"tags": []}}
    assert SaveNote(pid, "line\r\nnext\x1b[31m").execute(lib).before_values() == {pid: {"note": ""}}
    note = disk(path)[pid].note
    assert note.startswith("line\nnext") and "\r" not in note and "\x1b" not in note
    revert(lib, before, to_before=True)
    got = disk(path)[pid]
    assert (got.status, got.read_at, got.rating, got.tags) == ("inbox", None, 3, ["agents", "rl"])


def test_toggle_read_goes_back_to_previous_status(tmp_path: Path) -> None:
    path = tmp_path / "lib.json"
    lib = small_library(path)
    SetStatus(["2401.00002"], "reading").execute(lib)
    ToggleRead(["2401.00002"]).execute(lib)
    assert disk(path)["2401.00002"].status == "read"
    ToggleRead(["2401.00002"]).execute(lib)
    assert disk(path)["2401.00002"].status == "reading"


def test_invalid_edit_changes_nothing_in_memory_or_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "lib.json"
    lib = small_library(path)
    with pytest.raises(ValidationError):
        edit_papers(lib, "Rated", {"2401.00001": {"rating": 3}, "2401.00002": {"rating": 9}})
    assert lib.papers["2401.00001"].rating == 0
    assert disk(path)["2401.00001"].rating == 0
    with pytest.raises(ValidationError):
        edit_papers(lib, "Renamed", {"2401.00001": {"title": "renamed"}})


def test_a_large_batch_is_written_to_the_journal_in_pieces_as_one_line(tmp_path: Path, monkeypatch) -> None:
    """An import of 100,000 papers is one batch, a 260 MB line: it is encoded and written a few papers at a time,
    never held whole, and reads back as the one line it always was."""
    from readlist.storage import journal

    path = tmp_path / "lib.json"
    small_library(path, count=1)
    monkeypatch.setattr(journal, "_OPS_PER_PIECE", 3)
    writes: list[int] = []
    write = os.write

    def counted(fd: int, data: bytes | memoryview) -> int:
        writes.append(len(data))
        return write(fd, data)

    monkeypatch.setattr(os, "write", counted)
    lib = Library(path)
    ImportPapers([paper(n, abstract="x" * 500) for n in range(1, 21)], "test").execute(lib)
    monkeypatch.undo()
    line = journal_lines(path)[-1]
    assert len(writes) > 7 and max(writes) < len(line) / 5
    entry = msgspec.json.decode(line)
    assert len(entry["ops"]) == 20 and line == journal._ENCODER.encode(entry) + b"\n"
    assert sorted(disk(path)) == [f"2401.{n:05d}" for n in range(21)]


def test_failed_journal_write_leaves_memory_matching_disk_and_no_half_line(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "lib.json"
    lib = small_library(path)
    Rate(["2401.00000"], 1).execute(lib)
    size = journal_path(path).stat().st_size

    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(LibraryError, match="could not be saved: No space left"):
        Rate(["2401.00001"], 5).execute(lib)
    monkeypatch.undo()
    assert lib.papers["2401.00001"].rating == 0  # not shown as saved
    assert journal_path(path).stat().st_size == size
    Rate(["2401.00002"], 2).execute(lib)
    got = disk(path)
    assert (got["2401.00000"].rating, got["2401.00001"].rating, got["2401.00002"].rating) == (1, 0, 2)


def test_failed_compaction_does_not_orphan_later_changes(tmp_path: Path, monkeypatch) -> None:
    """A snapshot write that fails must not advance the generation the next journal is written under."""
    path = tmp_path / "lib.json"
    lib = small_library(path)  # compacted: no journal

    def fail(target: Path, chunks: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(readlist.storage.library, "atomic_write_chunks", fail)
    with pytest.raises(LibraryError, match="left as it was") as raised:
        lib.compact(force=True)  # nothing to fold in: no journal to point the user to
    assert "journal and are folded" not in str(raised.value)
    Rate(["2401.00001"], 4).execute(lib)  # this one is in the journal only
    with pytest.raises(LibraryError, match="saved in the journal"):
        lib.compact(force=True)
    monkeypatch.undo()
    Rate(["2401.00001"], 4).execute(lib)
    assert disk(path)["2401.00001"].rating == 4


def test_delete_and_restore(tmp_path: Path) -> None:
    path = tmp_path / "lib.json"
    lib = small_library(path)
    SaveNote("2401.00003", "keep me").execute(lib)
    removed = Delete(["2401.00003"]).execute(lib)
    assert "2401.00003" not in disk(path)
    revert(lib, removed, to_before=True)
    assert disk(path)["2401.00003"].note == "keep me"


# ---------------------------------------------------------------------------
# journal


def test_journal_replayed_after_reopen(tmp_path: Path) -> None:
    path = tmp_path / "lib.json"
    lib = small_library(path)
    snapshot_bytes = path.read_bytes()
    Rate(["2401.00001"], 5).execute(lib)
    SaveNote("2401.00001", "durable note").execute(lib)
    assert path.read_bytes() == snapshot_bytes  # edits go to the journal, not the snapshot
    assert len(journal_lines(path)) == 3  # header + two batches
    got = disk(path)["2401.00001"]
    assert (got.rating, got.note) == (5, "durable note")


def test_a_journal_is_replayed_a_batch_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Opening a library applies each journal line as soon as it is decoded: a long journal is never held decoded.

    All the lines were decoded first (110 MB of peak memory for 22 MB of bulk tag changes), then applied.
    """
    import readlist.storage.journal as journal

    path = tmp_path / "lib.json"
    lib = small_library(path)
    for rating in (1, 2, 3, 4, 5):
        Rate(["2401.00001"], rating).execute(lib)
    SaveNote("2401.00002", "last").execute(lib)
    decoded = 0
    decoder = journal._ENTRY

    class Counting:
        def decode(self, line: bytes) -> journal.Entry:
            nonlocal decoded
            decoded += 1
            return decoder.decode(line)

    seen: list[int] = []
    apply = readlist.storage.library.apply_ops

    def applying(*args: object, **kwargs: object) -> set[str]:
        seen.append(decoded)
        return apply(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(journal, "_ENTRY", Counting())
    monkeypatch.setattr(readlist.storage.library, "apply_ops", applying)
    again = Library(path)
    assert seen == [1, 2, 3, 4, 5, 6]  # each batch applied before the next line is decoded
    assert again.papers["2401.00001"].rating == 5 and again.papers["2401.00002"].note == "last"
    Rate(["2401.00003"], 2).execute(lib)
    assert again.refresh() and again.papers["2401.00003"].rating == 2 and seen[-1] == 7  # another's, as it comes


def test_torn_last_line_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "lib.json"
    lib = small_library(path)
    Rate(["2401.00001"], 5).execute(lib)
    line = msgspec.json.encode({"ops": [{"set": "2401.00002", "f": {"rating": 4}}]}) + b"\n"
    with journal_path(path).open("ab") as handle:
        handle.write(line[: len(line) // 2])
    got = disk(path)
    assert got["2401.00001"].rating == 5 and got["2401.00002"].rating == 0


def test_change_after_a_torn_line_survives(tmp_path: Path) -> None:
    """A writer killed mid-append must not take the next writer's acknowledged change down with it."""
    path = tmp_path / "lib.json"
    Rate(["2401.00001"], 5).execute(small_library(path))
    with journal_path(path).open("ab") as handle:
        handle.write(b'{"ops":[{"set":"2401.00002","f":{"rat')
    SaveNote("2401.00003", "written after the crash").execute(Library(path))
    assert not journal_path(path).read_bytes().count(b"rat\"")
    got = disk(path)
    assert got["2401.00003"].note == "written after the crash" and got["2401.00001"].rating == 5


def test_stale_generation_journal_is_ignored(tmp_path: Path) -> None:
    """A crash between writing a new snapshot and removing the old journal must not replay it."""
    path = tmp_path / "lib.json"
    lib = small_library(path)
    Rate(["2401.00001"], 5).execute(lib)
    old_journal = journal_path(path).read_bytes()
    lib.compact(force=True)
    Rate(["2401.00001"], 2).execute(lib)
    lib.compact(force=True)
    journal_path(path).write_bytes(old_journal)  # gen of two compactions ago
    assert disk(path)["2401.00001"].rating == 2
    SaveNote("2401.00001", "n").execute(Library(path))  # a new journal replaces the stale one
    got = disk(path)["2401.00001"]
    assert (got.rating, got.note) == (2, "n")


def test_damaged_middle_line_does_not_hide_later_changes(tmp_path: Path) -> None:
    path = tmp_path / "lib.json"
    lib = small_library(path)
    Rate(["2401.00001"], 5).execute(lib)
    Rate(["2401.00002"], 3).execute(lib)
    Rate(["2401.00003"], 1).execute(lib)
    lines = journal_lines(path)
    lines[2] = b"\x00garbage\n"
    journal_path(path).write_bytes(b"".join(lines))
    got = disk(path)
    assert (got["2401.00001"].rating, got["2401.00002"].rating, got["2401.00003"].rating) == (5, 0, 1)


def test_newer_journal_format_is_refused_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "lib.json"
    small_library(path)
    gen = json.loads(path.read_bytes())["_meta"]["1"]["gen"]
    data = msgspec.json.encode({"readlist_journal": 99, "gen": gen}) + b"\n"
    journal_path(path).write_bytes(data)
    with pytest.raises(LibraryError, match="newer readlist"):
        Library(path)
    assert journal_path(path).read_bytes() == data


def test_compaction_folds_journal_into_next_generation(tmp_path: Path) -> None:
    path = tmp_path / "lib.json"
    lib = small_library(path)
    gen = json.loads(path.read_bytes())["_meta"]["1"]["gen"]
    Rate(["2401.00004"], 4).execute(lib)
    assert lib.compact() is True  # small library: compacted after every command
    assert not journal_path(path).exists()
    data = json.loads(path.read_bytes())
    assert data["_meta"]["1"]["gen"] == gen + 1
    assert {d["id"]: d["rating"] for d in data["papers"].values()}["2401.00004"] == 4
    assert lib.compact() is False  # nothing to fold


# ---------------------------------------------------------------------------
# two Library objects on one file (two processes, as far as the store can tell)


def test_refresh_sees_journal_appends_and_compactions_of_another_instance(tmp_path: Path) -> None:
    path = tmp_path / "lib.json"
    small_library(path)
    tui, cli = Library(path), Library(path)
    assert tui.refresh() is False
    Rate(["2401.00001"], 5).execute(cli)
    version = tui.version
    assert tui.refresh() is True and tui.papers["2401.00001"].rating == 5 and tui.version > version
    SaveNote("2401.00002", "x").execute(cli)
    cli.compact(force=True)
    assert tui.refresh() is True and tui.papers["2401.00002"].note == "x"
    ImportPapers([paper(99)], "new").execute(cli)
    assert tui.refresh() is True and "2401.00099" in tui.papers
    assert tui.refresh() is False


def test_refresh_notices_a_new_snapshot_that_stat_cannot_tell_apart(tmp_path: Path) -> None:
    """Inodes are reused and mtime is coarse: a new snapshot with the old inode, size and mtime is still new."""
    import shutil

    path = tmp_path / "lib.json"
    small_library(path)
    tui = Library(path)
    other = tmp_path / "other.json"
    shutil.copy(path, other)
    changer = Library(other)
    with changer.transaction() as txn:  # 0 -> 5 keeps the size (a command would also add its change time)
        txn.set(changer.papers["2401.00001"], {"rating": 5})
    changer.compact(force=True)
    old = path.stat()
    new_bytes = other.read_bytes()
    assert len(new_bytes) == old.st_size
    with path.open("r+b") as handle:  # same inode
        handle.write(new_bytes)
    os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns))
    now = path.stat()
    assert (now.st_ino, now.st_size, now.st_mtime_ns) == (old.st_ino, old.st_size, old.st_mtime_ns)
    assert tui.refresh() is True
    assert tui.papers["2401.00001"].rating == 5


def test_edits_computed_from_current_values_never_overwrite_another_process(tmp_path: Path) -> None:
    path = tmp_path / "lib.json"
    small_library(path)
    stale, other = Library(path), Library(path)
    EditTags(["2401.00001"], add=["from-cli"]).execute(other)
    AppendNote("2401.00001", "first").execute(other)
    SetStatus(["2401.00001"], "reading").execute(other)
    EditTags(["2401.00001"], add=["from-tui"]).execute(stale)  # no refresh() in between
    AppendNote("2401.00001", "second").execute(stale)
    ToggleRead(["2401.00001"]).execute(stale)
    got = disk(path)["2401.00001"]
    assert got.tags == ["from-cli", "from-tui"]
    assert got.note == "first\n\nsecond\n"
    assert got.status == "read" and got.prev_status == "reading"


def test_lock_timeout_names_the_lock_and_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "lib.json"
    small_library(path)
    holder = Library(path)
    waiter = Library(path, lock_timeout=0.2)
    acquired, release = threading.Event(), threading.Event()

    def hold() -> None:
        with holder.locked():
            acquired.set()
            release.wait(5)

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        acquired.wait(5)
        with pytest.raises(LibraryError) as info:
            Rate(["2401.00001"], 3).execute(waiter)
    finally:
        release.set()
        thread.join()
    message = str(info.value)
    assert "lib.json.lock" in message and "try again" in message and "\n" not in message
    assert waiter.papers["2401.00001"].rating == 0
    Rate(["2401.00001"], 3).execute(waiter)
    assert disk(path)["2401.00001"].rating == 3


# ---------------------------------------------------------------------------
# resolving ids


def test_resolve_by_id_prefix_arxiv_url_and_ambiguity(tmp_path: Path) -> None:
    lib = Library(tmp_path / "lib.json")
    ImportPapers([paper(1), paper(2), paper(30), Paper.from_dict({"title": "No id here"})], "t").execute(lib)
    assert lib.resolve("2401.00001").id == "2401.00001"
    assert lib.resolve("2401.00030").id == "2401.00030"
    assert lib.resolve("https://arxiv.org/abs/2401.00002v3").id == "2401.00002"
    no_id = next(pid for pid in lib.papers if pid.startswith("t-"))
    assert lib.resolve(no_id[:4]).title == "No id here"
    assert lib.resolve("2401.0003").id == "2401.00030"
    with pytest.raises(NotFoundError, match="ambiguous: 3 papers match"):
        lib.resolve("2401.")
    with pytest.raises(NotFoundError, match="no paper"):
        lib.resolve("9999")
    with pytest.raises(NotFoundError):
        lib.resolve("")


def test_an_id_prefix_counts_from_four_characters_and_an_exact_name_at_any_length(tmp_path: Path) -> None:
    """`readlist rm g` removed gr-qc/0103067 and `tag ID h` tagged hep-ph/0301050: one letter is not a name."""
    lib = Library(tmp_path / "lib.json")
    ImportPapers([paper(1), Paper.from_dict({"title": "Gravity", "arxiv_id": "gr-qc/0103067"}),
                  Paper.from_dict({"title": "No id here"})], "t").execute(lib)
    for short in ("g", "gr", "gr-", "2", "240"):
        with pytest.raises(NotFoundError, match=r"ids need at least 4 characters as a prefix$"):
            lib.resolve(short)
    assert lib.resolve("gr-q").arxiv_id == "gr-qc/0103067"
    assert lib.resolve("2401").id == "2401.00001"
    KeepKeys({"2401.00001": "ab"}).execute(lib)
    assert lib.resolve("ab").id == "2401.00001"  # a citation key is whole, however short
    assert lib.resolve("AB").id == "2401.00001"


def test_resolve_by_the_citation_key_in_any_case(tmp_path: Path) -> None:
    lib = Library(tmp_path / "lib.json")
    ImportPapers([paper(1), paper(2), Paper.from_dict({"title": "No id here"})], "t").execute(lib)
    no_id = next(pid for pid in lib.papers if pid.startswith("t-"))
    KeepKeys({"2401.00002": "smith2024attention", no_id: "2401keyed"}).execute(lib)
    assert lib.resolve("smith2024attention").id == "2401.00002"
    assert lib.resolve(" Smith2024Attention ").id == "2401.00002"  # BibTeX compares keys ignoring case
    # A key that starts like an arXiv id is still found as the key.
    assert lib.resolve("2401keyed").id == no_id
    with pytest.raises(NotFoundError, match="no paper"):
        lib.resolve("smith2024")  # keys are whole, not prefixes
    # A key changed is found under its new name only, here and in another process reading the change.
    SetKey("2401.00002", "smith2024renamed").execute(lib)
    assert lib.resolve("smith2024renamed").id == "2401.00002"
    with pytest.raises(NotFoundError, match="no paper"):
        lib.resolve("smith2024attention")
    other = Library(tmp_path / "lib.json")
    other.resolve("smith2024renamed")
    SetKey("2401.00002", "smith2024again").execute(lib)
    other.refresh()
    assert other.resolve("SMITH2024again").id == "2401.00002"
    with pytest.raises(NotFoundError, match="no paper"):
        other.resolve("smith2024renamed")


# ---------------------------------------------------------------------------
# backups


def test_backup_per_changing_session_hard_linked_snapshot_and_copied_journal(tmp_path: Path, monkeypatch) -> None:
    # Big libraries: the snapshot is linked, not copied.
    monkeypatch.setattr(readlist.storage.backups, "LINK_BACKUPS_FROM", 0)
    path = tmp_path / "lib.json"
    lib = small_library(path)  # first session (creating) has nothing to back up
    assert list_backups(path) == []
    session = Library(path)
    Rate(["2401.00001"], 1).execute(session)
    Rate(["2401.00002"], 2).execute(session)  # same session: still one backup
    backups = list_backups(path)
    assert len(backups) == 1
    assert (backups[0] / path.name).stat().st_ino == path.stat().st_ino  # hard link of the unchanged snapshot
    Rate(["2401.00002"], 2).execute(Library(path))  # a session that changes nothing
    assert len(list_backups(path)) == 1
    third = Library(path)
    Rate(["2401.00003"], 3).execute(third)
    backups = list_backups(path)
    assert len(backups) == 2
    copied = backups[0] / journal_path(path).name
    assert copied.exists() and copied.stat().st_ino != journal_path(path).stat().st_ino
    for item in [backup_dir(path), *backups]:
        assert mode(item) == 0o700
    for item in backups[0].iterdir():
        assert mode(item) == 0o600
    del lib


def test_only_the_last_sessions_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "lib.json"
    small_library(path)
    for n in range(KEEP_BACKUPS + 3):
        Rate(["2401.00001"], n % 5 + 1).execute(Library(path))
    (backup_dir(path) / "00000000T000000.000000Z").mkdir()  # left half made by a crash
    first = list_backups(path)[-1]  # the library as the day found it
    Rate(["2401.00001"], 0).execute(Library(path))
    backups = list_backups(path)
    # The newest sessions, and the first of the day (every session here ran today).
    assert len(backups) == KEEP_BACKUPS + 1 and backups[-1] == first
    assert len(list(backup_dir(path).iterdir())) == KEEP_BACKUPS + 1
    assert Library(first / path.name).papers["2401.00001"].rating == 0  # before the first of the day's changes


def test_the_first_backup_of_each_recent_day_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "lib.json"
    small_library(path)
    made = []
    for day in range(1, 11):  # ten days, three sessions each
        for hour in (9, 12, 18):
            backup = backup_dir(path) / f"202601{day:02d}T{hour:02d}0000.000000Z"
            backup.mkdir(parents=True, exist_ok=True)
            (backup / path.name).write_bytes(path.read_bytes())
            made.append(backup)
    prune_backups(path)
    kept = sorted(list_backups(path))
    newest = made[-KEEP_BACKUPS:]
    firsts = [b for b in made if b.name.endswith("T090000.000000Z")][-KEEP_DAYS:]
    assert kept == sorted(set(newest) | set(firsts))
    assert len(kept) == KEEP_BACKUPS + KEEP_DAYS - 1  # the last day's first is among the newest too


def test_restore_backup_brings_back_notes_and_keeps_current_as_backup(tmp_path: Path) -> None:
    path = tmp_path / "lib.json"
    lib = small_library(path)
    SaveNote("2401.00001", "precious").execute(lib)  # journal only, not compacted
    SaveNote("2401.00001", "overwritten by mistake").execute(Library(path))
    backup = list_backups(path)[0]
    restore_backup(path, backup)
    assert disk(path)["2401.00001"].note == "precious"
    assert not journal_path(path).exists()
    newest = list_backups(path)[0]
    assert Library(newest / path.name).papers["2401.00001"].note == "overwritten by mistake"
    assert mode(path) == 0o600
    assert [mode(kept) for kept in newest.iterdir()] == [0o600] * len(list(newest.iterdir()))  # its marker too


def test_small_library_backup_is_a_copy_so_an_in_place_write_cannot_reach_it(tmp_path: Path) -> None:
    path = tmp_path / "lib.json"
    small_library(path)
    Rate(["2401.00001"], 1).execute(Library(path))
    backup = list_backups(path)[0] / path.name
    assert backup.stat().st_ino != path.stat().st_ino
    saved = backup.read_bytes()
    with path.open("r+b") as handle:  # what an editor that preserves hard links does
        handle.truncate(10)
    assert backup.read_bytes() == saved


def test_newest_good_backup_skips_damaged_ones(tmp_path: Path) -> None:
    path = tmp_path / "lib.json"
    small_library(path)
    Rate(["2401.00001"], 1).execute(Library(path))
    good = list_backups(path)[0]
    path.write_bytes(b"{garbage")
    os.makedirs(backup_dir(path) / "29990101T000000.000000Z")
    (backup_dir(path) / "29990101T000000.000000Z" / path.name).write_bytes(b"{garbage")
    assert newest_good_backup(path) == good / path.name
    with pytest.raises(LibraryError) as info:
        Library(path)
    assert str(good / path.name) in str(info.value)


# ---------------------------------------------------------------------------
# permissions


def test_every_file_and_directory_is_private(tmp_path: Path) -> None:
    os.umask(0o022)
    path = tmp_path / "data" / "lib.json"
    lib = small_library(path)
    SaveNote("2401.00001", "private").execute(Library(path))
    Rate(["2401.00001"], 2).execute(lib)
    assert mode(path.parent) == 0o700
    for item in (path, journal_path(path), lock_path(path)):
        assert mode(item) == 0o600, item
    assert mode(backup_dir(path)) == 0o700
    for backup in list_backups(path):
        assert mode(backup) == 0o700
        assert all(mode(f) == 0o600 for f in backup.iterdir())


def test_lock_file_is_private_even_when_filelock_creates_it(tmp_path: Path) -> None:
    os.umask(0o022)
    path = tmp_path / "lib.json"
    lib = small_library(path)
    lock_path(path).unlink()
    lib.compact(force=True)
    assert mode(lock_path(path)) == 0o600


def test_config_file_is_private(tmp_path: Path) -> None:
    from readlist.config.settings import save_setting

    os.umask(0o022)
    target = tmp_path / "cfg" / "config.toml"
    save_setting("theme", "x", target)
    assert mode(target) == 0o600 and mode(target.parent) == 0o700


def test_a_config_file_that_is_a_link_is_changed_where_it_points(tmp_path: Path) -> None:
    """A config.toml linked from a dotfiles folder was replaced by a file of its own: the view saved there, the
    dotfiles copy never changed, and the link gone."""
    from readlist.config.settings import save_setting, save_view

    dotfiles = tmp_path / "dotfiles" / "config.toml"
    dotfiles.parent.mkdir()
    dotfiles.write_text('# mine\ntheme = "readlist-dark"\n')
    link = tmp_path / "config" / "config.toml"
    link.parent.mkdir()
    link.symlink_to(dotfiles)
    save_view("sym", "tag:x", link)
    save_setting("theme", "nord", link)
    assert link.is_symlink() and link.resolve() == dotfiles
    assert dotfiles.read_text() == '# mine\ntheme = "nord"\n\n[views]\nsym = "tag:x"\n'


def test_refresh_reports_changes_picked_up_while_writing(tmp_path: Path) -> None:
    """A UI that polls refresh() must hear about another process's change even if its own write caught it first."""
    path = tmp_path / "lib.json"
    small_library(path)
    tui, cli = Library(path), Library(path)
    SaveNote("2401.00002", "from the cli").execute(cli)
    cli.compact(force=True)
    Rate(["2401.00001"], 3).execute(tui)  # catches up under the lock before writing
    assert tui.papers["2401.00002"].note == "from the cli"
    assert tui.refresh() is True
    assert tui.refresh() is False
    Rate(["2401.00001"], 4).execute(tui)  # only its own change: nothing to report
    assert tui.refresh() is False
