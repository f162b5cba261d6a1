"""readlist's own JSON (`export -f json`, `list --json`, `show --json`) read back: the whole record, user data too."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from readlist.app.imports import ImportPapers
from readlist.cli import main
from readlist.core.model import PUBLIC_FIELDS, Paper
from readlist.importers import parse_input
from readlist.storage.library import Library
from tests.importers.test_bibtex_roundtrip import fixture_papers, hand_papers

TODAY = date(2025, 12, 20)
# Bookkeeping that a new library keeps for itself: where the paper came from gains the export file.
PROVENANCE = {"sources", "source_formats"}


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args])


def library_with(path: Path, papers: list[Paper]) -> Path:
    lib = Library(path)
    ImportPapers(papers, "test", "hf-text").execute(lib)
    return path


def test_an_export_read_back_into_a_new_library_keeps_every_field(tmp_path: Path) -> None:
    original = library_with(tmp_path / "a.json", [*fixture_papers(), *hand_papers()])
    assert run(original, "key", "2401.00001", "my_Key+1").exit_code == 0
    assert run(original, "mark", "2401.00001", "read").exit_code == 0
    exported = tmp_path / "export.json"
    assert run(original, "export", "-f", "json", "-o", str(exported)).exit_code == 0

    copy = tmp_path / "b.json"
    result = run(copy, "import", str(exported), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["reports"][0]["format"] == "readlist-json"

    before = {p["id"]: p for p in json.loads(run(original, "list", "--json").stdout)}
    after = {p["id"]: p for p in json.loads(run(copy, "list", "--json").stdout)}
    assert after.keys() == before.keys() and len(before) >= 300
    changed = [f"{pid}.{name}" for pid, paper in before.items() for name in PUBLIC_FIELDS
               if name not in PROVENANCE and after[pid][name] != paper[name]]
    assert changed == []
    mine = after["2401.00001"]
    assert (mine["cite_key"], mine["status"], mine["rating"], mine["note"]) == ("my_Key+1", "read", 4, before[
        "2401.00001"]["note"])
    assert mine["tags"] == ["reading-group", "rl"] and mine["read_at"]
    assert "export.json" in mine["sources"] and "readlist-json" in mine["source_formats"]


@pytest.mark.parametrize("verb", [("list", "--json"), ("show", "2401.00001", "--json")], ids=["list", "show"])
def test_list_and_show_output_are_read_as_readlist_json(tmp_path: Path, verb: tuple[str, ...]) -> None:
    db = library_with(tmp_path / "a.json", hand_papers())
    output = run(db, *verb).stdout
    result = parse_input(output, today=TODAY)
    assert result.format == "readlist-json" and result.skipped == []
    assert "2401.00001" in {p.id for p in result.papers}


def test_a_hugging_face_answer_is_still_hugging_face_json() -> None:
    api = Path(__file__).parent.parent / "fixtures" / "api"
    for item in sorted(api.glob("*.json")):
        assert parse_input(item.read_bytes(), today=TODAY).format == "hf-json", item.name


def test_a_paper_already_in_the_library_keeps_what_the_user_decided_there(tmp_path: Path) -> None:
    db = library_with(tmp_path / "a.json", [Paper.create(title="Shared Paper", arxiv_id="2401.00009")])
    incoming = Paper.create(title="Shared Paper", arxiv_id="2401.00009", status="skipped", rating=1,
                            note="their note", tags=["theirs"], authors=["Ada Lovelace"])
    file = tmp_path / "theirs.json"
    file.write_text(json.dumps([incoming.public_dict()]))
    assert run(db, "import", str(file)).exit_code == 0
    paper = Library(db).papers["2401.00009"]
    assert (paper.status, paper.rating, paper.note) == ("inbox", 0, "")
    assert paper.authors == ["Ada Lovelace"]  # metadata the library lacked is filled in, as by any import


def test_ids_former_ids_and_bookkeeping_are_not_taken_from_the_file(tmp_path: Path) -> None:
    db = library_with(tmp_path / "a.json", [Paper.create(title="Mine", arxiv_id="2401.00001", note="keep me")])
    hostile = {
        **Paper.create(title="Someone Else's Paper").public_dict(),
        "id": "2401.00001", "aliases": ["2401.00001"], "added_order": -5, "changed": {"note": "9999"},
        "prev_status": "read",
    }
    file = tmp_path / "edited.json"
    file.write_text(json.dumps([hostile, 17, {"status": "inbox"}]))
    result = run(db, "import", str(file), "--json")
    assert result.exit_code == 0, result.output
    lib = Library(db)
    assert lib.papers["2401.00001"].title == "Mine" and lib.papers["2401.00001"].note == "keep me"
    other = next(p for p in lib.papers.values() if p.title == "Someone Else's Paper")
    assert other.id != "2401.00001" and other.aliases == [] and other.added_order > 0 and other.changed == {}
    skipped = json.loads(result.stdout)["reports"][0]["skipped"]
    assert len(skipped) == 2


def test_a_readlist_json_with_no_paper_says_so() -> None:
    with pytest.raises(ValueError, match="no papers found in this readlist JSON"):
        parse_input('[{"status": "inbox", "source_formats": []}]', today=TODAY)


def test_a_citation_key_is_checked_as_a_typed_one_and_kept_unique(tmp_path: Path) -> None:
    db = library_with(tmp_path / "a.json", [Paper.create(title="Mine", arxiv_id="2401.00001", cite_key="taken")])
    records = [
        {**Paper.create(title="Escaped Key", arxiv_id="2401.00002").public_dict(), "cite_key": "k\x1b]0;x\x07"},
        {**Paper.create(title="Taken Key", arxiv_id="2401.00003").public_dict(), "cite_key": "TAKEN"},
        {**Paper.create(title="Good Key", arxiv_id="2401.00004").public_dict(), "cite_key": "DBLP:x/y/Z20"},
    ]
    file = tmp_path / "theirs.json"
    file.write_text(json.dumps(records))
    result = run(db, "import", str(file), "--json")
    assert result.exit_code == 0, result.output
    notes = json.loads(result.stdout)["reports"][0]["notes"]
    assert len(notes) == 2 and all("citation key" in n["note"] for n in notes)
    papers = Library(db).papers
    assert papers["2401.00002"].cite_key is None and papers["2401.00003"].cite_key is None
    assert papers["2401.00004"].cite_key == "DBLP:x/y/Z20" and papers["2401.00001"].cite_key == "taken"
