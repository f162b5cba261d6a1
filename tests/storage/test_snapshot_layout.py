"""The library file one paper per line: keyed and sorted by id, sorted keys, abstracts read from the file."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readlist.app.commands import Delete, Rate
from readlist.app.history import revert
from readlist.app.imports import ImportPapers
from readlist.app.notes import SaveNote
from readlist.core.model import Paper, StoredText, abstract_mark
from readlist.storage.errors import LibraryError
from readlist.storage.journal import read_journal
from readlist.storage.library import Library
from readlist.storage.paths import journal_path
from readlist.storage.snapshot import (
    DEFER_FROM,
    SCHEMA_VERSION,
    encode_snapshot,
    line_header,
    parse_snapshot,
    read_snapshot,
)

LONG = "A long abstract, long enough to be left in the file rather than kept in memory. " * 3


def paper(n: int, **kw: Any) -> Paper:
    values: dict[str, Any] = {"title": f"Paper number {n}", "arxiv_id": f"2401.{n:05d}", "abstract": f"{LONG}({n})"}
    values.update(kw)
    return Paper.from_dict(values)


def library(path: Path, papers: list[Paper]) -> Library:
    lib = Library(path)
    ImportPapers(papers, "test").execute(lib)
    lib.compact(force=True)
    return Library(path)


def lines(path: Path) -> list[bytes]:
    return path.read_bytes().split(b"\n")


def keys_in_order(record: bytes) -> list[str]:
    found: list[list[str]] = []
    json.loads(record, object_pairs_hook=lambda pairs: found.append([k for k, _ in pairs]) or {})
    return found[-1]


def test_one_paper_per_line_under_its_id_sorted_by_id_with_sorted_keys(tmp_path: Path) -> None:
    path = tmp_path / "lib.json"
    library(path, [paper(n) for n in (3, 1, 2)] + [paper(9, arxiv_id=None, title="No arXiv id")])
    header, *records, closing, end = lines(path)
    assert header.startswith(b'{"_meta":{"1":{') and header.endswith(b'},"papers":{')
    assert line_header(path.read_bytes()[:256]) is not None and closing == b"}}" and end == b""
    ids = [json.loads(b"{" + line.rstrip(b",") + b"}").popitem()[0] for line in records]
    assert ids == sorted(ids) and ids[:3] == ["2401.00001", "2401.00002", "2401.00003"] and ids[3].startswith("t-")
    assert all(line.endswith(b"},") for line in records[:-1]) and records[-1].endswith(b"}")
    for line in records:
        key, record = json.loads(b"{" + line.rstrip(b",") + b"}").popitem()
        assert record["id"] == key
        fields = keys_in_order(line.rstrip(b",")[line.index(b":{") + 1 :])
        assert fields == sorted(fields) and fields[0] == "abstract"
    assert json.loads(header + b"}}")["_meta"]["1"]["schema"] == SCHEMA_VERSION


def test_the_same_library_is_the_same_bytes_and_a_change_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "lib.json"
    lib = library(path, [paper(n) for n in range(6)])
    again = encode_snapshot(lib.generation, lib.papers.values(), lib.library_id)
    before = lines(path)
    assert again.split(b"\n")[1:] == before[1:]  # only the header line holds the write time
    Rate(["2401.00003"], 4).execute(lib)
    lib.compact(force=True)
    after = lines(path)
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert changed == [0, 4]  # the header (generation) and the paper's own line


def test_plain_json_readers_see_every_paper(tmp_path: Path) -> None:
    path = tmp_path / "lib.json"
    library(path, [paper(n) for n in range(3)])
    table = json.loads(path.read_bytes())["papers"]
    assert sorted(table) == ["2401.00000", "2401.00001", "2401.00002"]
    assert table["2401.00001"]["abstract"] == f"{LONG}(1)"


def test_long_abstracts_stay_in_the_file_and_read_back_exactly(tmp_path: Path) -> None:
    path = tmp_path / "lib.json"
    lib = library(path, [paper(1), paper(2, abstract="short")])
    long_one, short_one = lib.papers["2401.00001"], lib.papers["2401.00002"]
    assert isinstance(abstract_mark(long_one), StoredText) and long_one.abstract == f"{LONG}(1)"
    assert abstract_mark(short_one) == "short" and not isinstance(abstract_mark(short_one), StoredText)
    assert long_one == paper(1, added=long_one.added, updated=long_one.updated, added_order=long_one.added_order,
                             sources=long_one.sources, source_formats=long_one.source_formats)
    assert long_one.to_dict()["abstract"] == f"{LONG}(1)"
    assert copy.deepcopy(long_one).abstract == long_one.abstract
    assert msgspec.structs.replace(long_one, rating=3).abstract == long_one.abstract


def test_a_stored_abstract_survives_delete_undo_and_compaction(tmp_path: Path) -> None:
    path = tmp_path / "lib.json"
    lib = library(path, [paper(1), paper(2)])
    outcome = Delete(["2401.00001"]).execute(lib)
    revert(lib, outcome, to_before=True)
    journal = read_journal(journal_path(path), lib.generation, lib.library_id)
    put = [op.put for ops in journal.batches for op in ops if op.put is not None]
    assert put and put[0].abstract == f"{LONG}(1)"  # the journal holds the text itself
    lib.compact(force=True)
    assert Library(path).papers["2401.00001"].abstract == f"{LONG}(1)"


texts = st.text(st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=300)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(abstract=texts, note=texts)
def test_any_text_reads_back_the_same_from_the_file(tmp_path: Path, abstract: str, note: str) -> None:
    path = tmp_path / f"lib-{os.getpid()}-{abs(hash((abstract, note)))}.json"
    # Stored as it would be had it come through an import (the cleaning is not what is tested here).
    original = Paper(id="2401.00001", title="A title", abstract=LONG + abstract + '"\\', note=note)
    lib = Library(path)
    lib.papers = {original.id: original}
    lib.compact(force=True)
    loaded = read_snapshot(path).papers[0]
    assert loaded.abstract == original.abstract and loaded.note == note
    assert isinstance(abstract_mark(loaded), StoredText) == (len(msgspec.json.encode(original.abstract)) >= DEFER_FROM)
    assert parse_snapshot(path.read_bytes())[1] == [loaded]


def test_a_file_written_into_in_place_fails_loudly_and_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "lib.json"
    lib = library(path, [paper(1), paper(2)])
    stored = lib.papers["2401.00001"]
    with path.open("r+b") as handle:  # another program writing into the file, not replacing it
        handle.truncate(200)
    with pytest.raises(OSError, match="changed in place"):
        _ = stored.abstract
    with pytest.raises(LibraryError, match="not valid JSON"):
        lib.refresh()  # the file's identity changed: it is read again, and found damaged


def test_a_record_filed_under_another_id_is_refused_then_repaired(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from readlist.cli import main

    path = tmp_path / "lib.json"
    library(path, [paper(n) for n in range(3)])
    path.write_bytes(path.read_bytes().replace(b'"2401.00001":{', b'"2401.00007":{'))
    with pytest.raises(LibraryError, match=r"paper 2401\.00001: filed under another id \('2401\.00007'\)") as caught:
        Library(path)
    assert "\n" not in str(caught.value) and "doctor --repair" in str(caught.value)
    result = CliRunner().invoke(main, ["--db", str(path), "doctor", "--repair"])
    assert result.exit_code == 0, result.output
    assert sorted(Library(path).papers) == ["2401.00000", "2401.00001", "2401.00002"]


def test_two_lines_with_one_id_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "lib.json"
    library(path, [paper(n) for n in range(3)])
    raw = lines(path)
    raw.insert(2, raw[1])
    path.write_bytes(b"\n".join(raw))
    with pytest.raises(LibraryError, match="more than once"):
        Library(path)


def test_a_library_laid_out_by_hand_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "lib.json"
    lib = library(path, [paper(n) for n in range(3)])
    expected = {pid: p.to_dict() for pid, p in lib.papers.items()}
    path.write_text(json.dumps(json.loads(path.read_bytes()), indent=2))  # valid JSON, another layout
    again = Library(path)
    assert {pid: p.to_dict() for pid, p in again.papers.items()} == expected
    SaveNote("2401.00002", "still writable").execute(again)
    again.compact(force=True)
    assert lines(path)[0].endswith(b'"papers":{') and Library(path).papers["2401.00002"].note == "still writable"


def test_papers_added_in_one_second_keep_their_order_in_lists(tmp_path: Path) -> None:
    from readlist.app.views import FIXED_VIEWS, ListModel

    path = tmp_path / "lib.json"
    stamp = "2025-01-01T00:00:00+00:00"
    page = [paper(n, added=stamp, updated=stamp) for n in (5, 2, 9, 1)]  # the order of the page imported
    library(path, page)
    shown = ListModel(Library(path)).select(FIXED_VIEWS[5], "", "added")
    assert [p.id for p in shown] == ["2401.00005", "2401.00002", "2401.00009", "2401.00001"]


def test_undoing_a_deletion_of_many_papers_puts_them_back_in_place_in_one_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each paper put back returns to its place in the order papers were added, in this process and in another
    reading the journal; the library is put in order once per batch, not once per paper (minutes for 5,000)."""
    from readlist.storage import journal

    path = tmp_path / "lib.json"
    lib = library(path, [paper(n) for n in range(1, 61)])
    order = list(lib.papers)
    gone = order[1:-1:2]  # every other paper, none of them last
    outcome = Delete(gone).execute(lib)
    sorts: list[int] = []

    def counted(papers: Any, **kwargs: Any) -> list[Any]:
        listed = list(papers)
        sorts.append(len(listed))
        return sorted(listed, **kwargs)

    monkeypatch.setattr(journal, "sorted", counted, raising=False)  # the storage layer's sorts of the papers
    revert(lib, outcome, to_before=True)
    assert list(lib.papers) == order
    assert sorts == [60]
    assert list(Library(path).papers) == order  # the journal replayed by another process
    assert sorts == [60, 60]
    assert sorts == [60, 60]


def _rewritten_line(path: Path, pid: str, rewrite: Any) -> None:
    """Replace one paper's line with ``rewrite(line)``, as another program editing the file could."""
    raw = lines(path)
    at = next(i for i, line in enumerate(raw) if line.startswith(b'"' + pid.encode() + b'":{'))
    raw[at] = rewrite(raw[at])
    path.write_bytes(b"\n".join(raw))


@pytest.mark.parametrize(
    "second_member",
    [b'"abstract":"SECOND ' + b"x" * 120 + b'"',  # the same name again: the decoder keeps the last
     b'"abs\\u0074ract":"SECOND ' + b"x" * 120 + b'"'],  # the same name spelled with an escape
)
def test_a_second_abstract_member_is_what_the_paper_holds(tmp_path: Path, second_member: bytes) -> None:
    path = tmp_path / "lib.json"
    library(path, [paper(1), paper(2)])
    _rewritten_line(path, "2401.00001", lambda line: line.replace(b',"added":', b"," + second_member + b',"added":', 1))
    expected = json.loads(path.read_bytes())["papers"]["2401.00001"]["abstract"]
    assert expected.startswith("SECOND")
    loaded = read_snapshot(path).papers[0]
    assert loaded.abstract == expected
    mark = abstract_mark(loaded)
    if isinstance(mark, StoredText):
        assert mark.json() == msgspec.json.encode(expected)


def test_an_abstract_with_other_escapes_is_written_as_encoding_would(tmp_path: Path) -> None:
    """A file from elsewhere may spell characters with escapes readlist does not use (\\u0041, \\/)."""
    path = tmp_path / "lib.json"
    library(path, [paper(1)])
    spelled = b'"abstract":"\\u0041\\/ long'
    _rewritten_line(path, "2401.00001", lambda line: line.replace(b'"abstract":"A long', spelled, 1))
    loaded = read_snapshot(path).papers[0]
    assert loaded.abstract.startswith("A/ long")
    mark = abstract_mark(loaded)
    held = mark.json() if isinstance(mark, StoredText) else msgspec.json.encode(mark)
    assert held == msgspec.json.encode(loaded.abstract)
