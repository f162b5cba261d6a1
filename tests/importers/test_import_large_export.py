"""readlist's own JSON export larger than any page (a whole library: 260 MB at 100,000 papers) is imported, read a
record at a time; every other input keeps the page cap.

The cap is lowered here (the module's constant), so that a file of a few hundred papers is "larger than any page".
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from readlist.app import sources
from readlist.cli import main
from readlist.core.model import PUBLIC_FIELDS
from readlist.importers import ImportFormatError, json_stream, readlist_json
from readlist.importers.json_stream import array_items
from tests.importers.test_bibtex_roundtrip import fixture_papers, hand_papers
from tests.importers.test_import_readlist_json import library_with

CAP = 4096


def run(db: Path, *args: str, input: bytes | None = None) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args], input=input)


@pytest.fixture
def export(tmp_path: Path) -> Path:
    """An export of a few hundred papers, user data and bookkeeping included: ~300 KB, far above the cap."""
    original = library_with(tmp_path / "original.json", [*fixture_papers(), *hand_papers()])
    assert run(original, "mark", "2401.00001", "read").exit_code == 0
    file = tmp_path / "export.json"
    assert run(original, "export", "-f", "json", "-o", str(file)).exit_code == 0
    assert file.stat().st_size > 50 * CAP
    return file


@pytest.fixture
def capped(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The page cap lowered to CAP, the file read in small chunks (records cut anywhere), and the sizes of the
    reads counted; the export is never decoded whole."""
    monkeypatch.setattr(sources, "MAX_INPUT_BYTES", CAP)
    monkeypatch.setattr(json_stream, "_CHUNK", 997)

    def whole(text: str) -> object:
        raise AssertionError("the export was decoded whole")

    monkeypatch.setattr(readlist_json, "load_json", whole)
    reads: list[int] = []
    utf8_text = json_stream.utf8_text

    def counted(stream, **kwargs):  # type: ignore[no-untyped-def]
        for chunk in utf8_text(stream, **kwargs):
            reads.append(len(chunk))
            yield chunk

    monkeypatch.setattr(readlist_json, "utf8_text", counted)
    return reads


def listed(db: Path) -> dict[str, dict[str, object]]:
    return {p["id"]: p for p in json.loads(run(db, "list", "--json").stdout)}


def test_an_export_larger_than_any_page_is_imported_whole(tmp_path: Path, export: Path, capped: list[int]) -> None:
    copy = tmp_path / "copy.json"
    result = run(copy, "import", str(export), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["reports"][0]["format"] == "readlist-json"
    before, after = listed(tmp_path / "original.json"), listed(copy)
    assert after.keys() == before.keys() and len(before) >= 300
    assert [f"{pid}.{name}" for pid, paper in before.items() for name in PUBLIC_FIELDS
            if after[pid][name] != paper[name]] == []
    assert after["2401.00001"]["status"] == "read"
    # Read a chunk at a time, never more than one chunk of the file's text at once.
    assert len(capped) > 50 and max(capped) <= 997


def test_other_sources_keep_the_page_cap(tmp_path: Path, export: Path, capped: list[int]) -> None:
    db = tmp_path / "lib.json"
    # A text copy larger than the cap: not an export, refused as before.
    page = tmp_path / "page.txt"
    page.write_text("Daily Papers\n" + "A title\n" * CAP)
    result = run(db, "import", str(page))
    assert result.exit_code == 1 and "larger than" in result.output
    # The export itself on standard input: the cap of standard input.
    result = run(db, "import", "-", input=export.read_bytes())
    assert result.exit_code == 1 and "standard input is larger than" in result.output
    # Another format forced on it: it is not read beyond the cap either.
    result = run(db, "import", "--format", "hf-json", str(export))
    assert result.exit_code == 1 and "only readlist's own JSON export is read beyond that" in result.output
    assert not db.exists() or listed(db) == {}


def test_a_cut_off_export_imports_nothing(tmp_path: Path, export: Path, capped: list[int]) -> None:
    data = export.read_bytes()
    cut = tmp_path / "cut.json"
    cut.write_bytes(data[: len(data) // 2])
    db = tmp_path / "lib.json"
    result = run(db, "import", str(cut))
    assert result.exit_code == 1
    assert "the JSON ends in the middle of record" in result.output and "the file is cut off" in result.output
    assert "nothing was imported" in result.output
    assert not db.exists() or listed(db) == {}


def test_a_damaged_record_in_the_middle_imports_nothing(tmp_path: Path, export: Path, capped: list[int]) -> None:
    records = json.loads(export.read_text())
    text = export.read_text()
    middle = text.index('"title"', len(text) // 2)
    damaged = tmp_path / "damaged.json"
    damaged.write_text(text[:middle] + '"title" "no colon", ' + text[middle:])
    db = tmp_path / "lib.json"
    result = run(db, "import", str(damaged))
    assert result.exit_code == 1
    line = text.count("\n", 0, middle) + 1
    column = middle - text.rfind("\n", 0, middle) + len('"title" ')
    assert f"not valid JSON (line {line}, column {column}: Expecting ':' delimiter) in record" in result.output
    assert not db.exists() or listed(db) == {}
    assert len(records) >= 300


def test_a_record_that_is_no_paper_is_skipped_and_the_rest_imported(tmp_path: Path, export: Path,
                                                                     capped: list[int]) -> None:
    records = json.loads(export.read_text())
    records[150]["rating"] = 9
    records[151] = "not a record"
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(records, indent=2))
    result = run(tmp_path / "lib.json", "import", str(changed), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)["reports"][0]
    assert report["added"] == len(records) - 2
    assert [s["reason"] for s in report["skipped"]] == ["rating must be between 0 and 5, not 9", "not a paper record"]


DOCUMENT = (' [ {"a": 1, "b": [true, false, null], "c": "x\\u00e9\\n\\"y\\"", "d": -12.5e3},\n'
            '  12345, "plain", [], {}, {"nested": {"deep": [1, [2, [3]]]}}, 1e999 ,\n'
            '  {"é": "ü", "long": "' + "z" * 300 + '"} ]  \n')


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64, 1000])
def test_array_items_read_as_json_reads_them_at_any_chunk_size(size: int) -> None:
    chunks = [DOCUMENT[i : i + size] for i in range(0, len(DOCUMENT), size)]
    assert list(array_items(chunks, item_limit=10_000)) == json.loads(DOCUMENT)


def test_array_items_of_a_cut_text_never_end_as_if_whole() -> None:
    for end in range(len(DOCUMENT.rstrip()) - 1):
        with pytest.raises(ImportFormatError):
            list(array_items([DOCUMENT[:end][i : i + 5] for i in range(0, end, 5)], item_limit=10_000))


def test_array_items_say_where_the_text_is_damaged_as_json_does() -> None:
    text = '[\n  {"a": 1},\n  {"b" 2}\n]'
    with pytest.raises(json.JSONDecodeError) as whole:
        json.loads(text)
    with pytest.raises(ImportFormatError) as streamed:
        list(array_items([text[i : i + 4] for i in range(0, len(text), 4)], item_limit=10_000))
    assert str(streamed.value) == (f"not valid JSON (line {whole.value.lineno}, column {whole.value.colno}: "
                                   f"{whole.value.msg}) in record 2")
    with pytest.raises(ImportFormatError, match="Extra data"):
        list(array_items(['[1] [2]'], item_limit=100))


def test_an_item_larger_than_any_record_is_refused_without_reading_on() -> None:
    chunks = iter(['[{"a": "', *["x" * 100] * 1000])
    with pytest.raises(ImportFormatError, match="record 1"):
        list(array_items(chunks, item_limit=1000))
    assert len(list(chunks)) > 900  # the rest of the text was left unread
