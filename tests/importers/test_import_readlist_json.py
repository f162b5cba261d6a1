"""readlist's own JSON (`export -f json`, `list --json`, `show --json`) read back: the whole record, user data too."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from readlist.app.imports import ImportPapers
from readlist.cli import main
from readlist.core.model import PUBLIC_FIELDS, Paper, title_id
from readlist.importers import ImportFormatError, parse_input
from readlist.storage.library import Library
from tests.importers.test_bibtex_roundtrip import fixture_papers, hand_papers

TODAY = date(2025, 12, 20)


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
               if after[pid][name] != paper[name]]
    assert changed == []  # where each paper came from too: the export is a copy of the papers, not a source
    mine = after["2401.00001"]
    assert (mine["cite_key"], mine["status"], mine["rating"], mine["note"]) == ("my_Key+1", "read", 4, before[
        "2401.00001"]["note"])
    assert mine["tags"] == ["reading-group", "rl", "x;y"] and mine["read_at"]
    assert mine["sources"] == ["test"] and mine["source_formats"] == ["hf-text"]


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


def test_ids_former_ids_and_bookkeeping_that_are_not_what_they_claim_are_not_taken(tmp_path: Path) -> None:
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


def test_a_time_that_is_not_one_is_left_out_and_said(tmp_path: Path) -> None:
    """The library compares these moments as text to sort "date added": "not a date" would sort as the newest."""
    db = tmp_path / "a.json"
    good = Paper.create(title="Good Times", arxiv_id="2401.00005", status="read").public_dict()
    records = [
        {**Paper.create(title="Bad Times", arxiv_id="2401.00006").public_dict(),
         "added": "not a date", "updated": "2025-13-45T00:00:00", "read_at": "\x1b[2J"},
        {**good, "added": "2024-03-01T10:00:00+00:00", "read_at": "2024-03-02T10:00:00Z"},
    ]
    file = tmp_path / "theirs.json"
    file.write_text(json.dumps(records))
    result = run(db, "import", str(file), "--json")
    assert result.exit_code == 0, result.output
    notes = [n["note"] for n in json.loads(result.stdout)["reports"][0]["notes"]]
    assert len(notes) == 3 and all("is not a date and time; left out" in n for n in notes)
    assert "\x1b" not in result.stdout  # the value is shown inert
    papers = Library(db).papers
    bad = papers["2401.00006"]
    assert bad.added[:2] == "20" and bad.updated[:2] == "20" and bad.read_at is None
    assert papers["2401.00005"].added == "2024-03-01T10:00:00+00:00"
    assert papers["2401.00005"].read_at == "2024-03-02T10:00:00Z"


# -- records longer than a glance at the start of the file ---------------------------------------------------

LONG = "A sentence of a long reading note, kept whole. " * 600  # ~28,000 characters


def _long_library(path: Path) -> Path:
    """Two papers whose abstracts alone run past the first 20,000 characters, so either may come first."""
    return library_with(path, [
        Paper.create(title="Long Abstract One", abstract=LONG, arxiv_id="2401.00011"),
        Paper.create(title="Long Abstract Two", abstract=LONG, arxiv_id="2401.00012"),
    ])


def test_an_export_whose_first_record_is_long_still_brings_back_what_the_user_set(tmp_path: Path) -> None:
    original = _long_library(tmp_path / "a.json")
    for args in (("note", "2401.00011", "-"), ("rate", "2401.00012", "5"), ("mark", "2401.00012", "read"),
                 ("tag", "2401.00011", "+long")):
        result = CliRunner().invoke(main, ["--db", str(original), *args], input=LONG)
        assert result.exit_code == 0, result.output
    exported = tmp_path / "export.json"
    assert run(original, "export", "-f", "json", "-o", str(exported)).exit_code == 0
    assert '"status"' not in exported.read_text()[:20000]

    copy = tmp_path / "b.json"
    result = run(copy, "import", str(exported), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["reports"][0]["format"] == "readlist-json"
    papers = Library(copy).papers
    assert papers["2401.00011"].note.strip() == LONG.strip() and papers["2401.00011"].tags == ["long"]
    assert (papers["2401.00012"].status, papers["2401.00012"].rating) == ("read", 5)


@pytest.mark.parametrize("verb", [("list", "--json"), ("show", "2401.00011", "--json")], ids=["list", "show"])
def test_list_and_show_output_with_a_long_first_record_are_readlist_json(tmp_path: Path,
                                                                           verb: tuple[str, ...]) -> None:
    db = _long_library(tmp_path / "a.json")
    assert run(db, "rate", "2401.00011", "4").exit_code == 0
    output = run(db, *verb).stdout
    assert '"status"' not in output[:20000]
    result = parse_input(output, today=TODAY)
    assert result.format == "readlist-json" and result.skipped == []
    assert {p.id: p.rating for p in result.papers}["2401.00011"] == 4


def test_hugging_face_json_with_a_long_first_summary_is_still_hugging_face_json() -> None:
    paper = {"id": "2401.00001", "title": "T", "summary": LONG, "authors": [{"name": "A"}], "status": "x"}
    for value in ([{"paper": paper, "title": "T"}], {"dailyPapers": [{"paper": paper}]}, paper):
        assert parse_input(json.dumps(value), today=TODAY).format == "hf-json"


@pytest.mark.parametrize("text", ["[]", "[1, 2]", "[{]", '{"status": 1, "source_formats": 2} trailing', "[" * 5000])
def test_detection_of_odd_json_answers_without_failing(text: str) -> None:
    with pytest.raises(ImportFormatError):
        parse_input(text, today=TODAY)


# -- the id follows from a real arXiv id only -------------------------------------------------------------------

@pytest.mark.parametrize("given", [
    "javascript:alert(1)", "../x", "hello world", "<script>alert(1)</script>", "x" * 300, "t-0123456789", "", 17,
    ["2401.00001"],
])
def test_an_arxiv_id_that_is_not_one_is_dropped_and_the_title_gives_the_id(tmp_path: Path, given: object) -> None:
    record = {"title": "Id test", "abstract": "a", "status": "inbox", "source_formats": ["x"], "arxiv_id": given}
    (paper,) = parse_input(json.dumps([record]), today=TODAY).papers
    assert paper.arxiv_id is None and paper.id == title_id("Id test")


@pytest.mark.parametrize(("given", "expected"), [
    ("2401.00001", "2401.00001"), ("arXiv:2401.00001v2", "2401.00001"),
    ("https://arxiv.org/abs/2401.00001", "2401.00001"), ("math.GT/0309136v1", "math/0309136"),
])
def test_a_real_arxiv_id_is_kept_in_its_usual_form(given: str, expected: str) -> None:
    record = {"title": "Id test", "abstract": "a", "status": "inbox", "source_formats": ["x"], "arxiv_id": given}
    (paper,) = parse_input(json.dumps([record]), today=TODAY).papers
    assert paper.arxiv_id == expected and paper.id == expected


def test_a_made_up_arxiv_id_cannot_name_a_paper_in_the_library(tmp_path: Path) -> None:
    db = library_with(tmp_path / "a.json", [Paper.create(title="Mine", note="keep me")])
    record = {"title": "Theirs", "abstract": "a", "status": "read", "source_formats": ["x"],
              "arxiv_id": title_id("Mine")}
    file = tmp_path / "edited.json"
    file.write_text(json.dumps([record]))
    assert run(db, "import", str(file)).exit_code == 0
    papers = Library(db).papers
    assert papers[title_id("Mine")].title == "Mine" and papers[title_id("Theirs")].status == "read"


# -- numbers no paper can hold --------------------------------------------------------------------------------

def _record(title: str, number: str) -> str:
    return f'{{"title": "{title}", "abstract": "a", "status": "inbox", "source_formats": ["x"], {number}}}'


@pytest.mark.parametrize(("number", "reason"), [
    ('"rating": 1e999', "rating must be a whole number 0-5, not inf"),
    ('"rating": -1e999', "rating must be a whole number 0-5, not -inf"),
    ('"rating": NaN', "rating must be a whole number 0-5, not nan"),
    ('"rating": 1e300', "rating must be between 0 and 5, not 1e+300"),
    ('"rating": 7', "rating must be between 0 and 5, not 7"),
    ('"rating": ' + "9" * 400, "rating must be between 0 and 5, not 999"),
    ('"upvotes": 1e999', "upvotes must be a whole number, not inf"),
    ('"upvotes": -5', "upvotes must be between 0 and"),
    ('"upvotes": 100000000000000000000000000000', "upvotes must be between 0 and 9007199254740991, not 1000"),
    ('"upvotes": true', "upvotes must be a whole number, not True"),
    ('"authors_count": Infinity', "authors_count must be a whole number, not inf"),
    ('"authors_count": 1e30', "authors_count must be a whole number, not 1e+30"),
    ('"authors_count": 100000000000000000000000000000', "authors_count must be between 0 and"),
])
def test_a_number_no_paper_can_hold_skips_its_record_with_the_reason(tmp_path: Path, number: str,
                                                                    reason: str) -> None:
    file = tmp_path / "numbers.json"
    file.write_text("[" + _record("Good", '"rating": 3') + ", " + _record("Bad", number) + "]")
    db = tmp_path / "a.json"
    result = CliRunner().invoke(main, ["--db", str(db), "import", str(file), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    (skipped,) = json.loads(result.stdout)["reports"][0]["skipped"]
    assert skipped["item"] == "Bad" and skipped["reason"].startswith(reason) and "\n" not in skipped["reason"]
    assert len(skipped["reason"]) < 120
    assert [(p.title, p.rating) for p in Library(db).papers.values()] == [("Good", 3)]


def test_a_file_of_only_impossible_numbers_fails_in_one_line_and_writes_nothing(tmp_path: Path) -> None:
    file = tmp_path / "inf.json"
    file.write_text("[" + _record("B", '"rating": 1e999') + "]")
    db = tmp_path / "a.json"
    result = CliRunner().invoke(main, ["--db", str(db), "import", str(file)], catch_exceptions=False)
    assert result.exit_code == 1
    assert "no papers found in this readlist JSON (rating must be a whole number 0-5, not inf)" in result.output
    assert "Traceback" not in result.output and not db.exists()
