"""`readlist import ARXIV_ID`: a paper named by its id, looked up on the (local stand-in for the) arXiv API."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from readlist.app.notes import SaveNote
from readlist.cli import main
from readlist.storage.library import Library
from tests.fake_services import NET_FIXTURES, FakeServer, Reply


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args])


def id_requests(api: FakeServer) -> list[str]:
    return [seen.query["id_list"] for seen in api.seen("/arxiv/api/query") if "id_list" in seen.query]


def test_ids_in_every_form_arxiv_takes_are_looked_up_in_one_request(api: FakeServer, tmp_path: Path) -> None:
    db = tmp_path / "library.json"
    result = run(db, "import", "2410.21228", "arXiv:1910.10897v2", "hep-th/9901001")
    assert id_requests(api) == ["2410.21228,1910.10897,hep-th/9901001"]
    lines = result.stdout.splitlines()
    assert lines[0].startswith("✓ 2410.21228 (arxiv-api): 1 added")
    assert lines[1].startswith("✓ arXiv:1910.10897v2 (arxiv-api): 1 added")
    assert "✗ hep-th/9901001: arXiv has no paper hep-th/9901001; check the id" in result.stdout
    assert result.exit_code == 1  # one id could not be imported; the others were, and say so
    assert "the other sources were imported" in result.stderr
    lib = Library(db)
    lora = lib.papers["2410.21228"]
    assert lora.title == "LoRA vs Full Fine-tuning: An Illusion of Equivalence"
    assert lora.authors and lora.abstract and lora.url and lora.published
    assert lora.sources == ["arxiv:2410.21228"]
    assert lib.papers["1910.10897"].sources == ["arxiv:1910.10897"]


def test_an_id_completes_the_paper_already_there_and_keeps_the_users_note(api: FakeServer, seed_library: Path) -> None:
    lib = Library(seed_library)
    tutorial = next(p for p in lib.papers.values() if p.title == "A Tutorial on Bayesian Optimization")
    assert tutorial.arxiv_id is None and not tutorial.authors
    SaveNote(tutorial.id, "read section 3").execute(lib)
    count = len(lib)

    result = run(seed_library, "import", "1807.02811", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)["reports"][0]
    assert report["added"] == 0 and report["updated"] == 1
    after = Library(seed_library)
    assert len(after) == count
    paper = after.resolve(tutorial.id)  # the old id still finds it
    assert paper.id == "1807.02811" and paper.authors == ["Peter I. Frazier"]
    assert paper.note == "read section 3"


def test_a_file_named_like_an_id_is_read_as_a_file(
    api: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(NET_FIXTURES / "arxiv-api-query-testing.xml", tmp_path / "2410.21228")
    monkeypatch.chdir(tmp_path)
    result = run(tmp_path / "library.json", "import", "2410.21228")
    assert result.exit_code == 0, result.output
    assert "(arxiv-atom)" in result.stdout  # the file's own format, not a lookup
    assert id_requests(api) == []


def test_offline_refuses_ids_without_touching_the_network(api: FakeServer, tmp_path: Path) -> None:
    db = tmp_path / "library.json"
    result = run(db, "--offline", "import", "2410.21228")
    assert result.exit_code == 1
    assert "offline" in result.stdout
    assert api.requests == []
    assert not db.exists() or not Library(db).papers


def test_a_failing_arxiv_is_one_line_per_id_and_changes_nothing(api: FakeServer, tmp_path: Path) -> None:
    db = tmp_path / "library.json"
    api.script("/arxiv/api/query", *[Reply(503)] * 6)
    result = run(db, "import", "2410.21228", "1910.10897")
    assert result.exit_code == 1
    errors = [line for line in result.stdout.splitlines() if line.startswith("✗")]
    assert len(errors) == 2 and all("arXiv API" in line and "503" in line for line in errors), result.stdout
    assert "Traceback" not in result.output
    assert not db.exists() or not Library(db).papers


def test_standard_input_of_ids_and_paper_links_is_looked_up(api: FakeServer, tmp_path: Path) -> None:
    """An id or a link copied from a chat is what a researcher has in hand; the page itself need not be saved."""
    db = tmp_path / "library.json"
    copied = "2410.21228\nhttps://arxiv.org/pdf/1910.10897v2  https://huggingface.co/papers/2501.99999\n"
    result = CliRunner().invoke(main, ["--db", str(db), "import", "-", "--json"], input=copied)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)["reports"][0]
    assert report["source"] == "-" and report["format"] == "arxiv-api" and report["added"] == 2
    assert report["skipped"] == [{"item": "2501.99999", "reason": "arXiv has no paper 2501.99999; check the id"}]
    assert id_requests(api) == ["2410.21228,1910.10897,2501.99999"]
    assert set(Library(db).papers) == {"2410.21228", "1910.10897"}


def test_ids_listed_with_commas_and_a_link_in_angle_brackets_are_looked_up(api: FakeServer, tmp_path: Path) -> None:
    """A list typed in a mail ("2410.21228, 1910.10897") and a link as a chat copies it (<https://…>) are ids too."""
    db = tmp_path / "library.json"
    copied = "2410.21228, <https://arxiv.org/abs/1910.10897>;\n"
    result = CliRunner().invoke(main, ["--db", str(db), "import", "-"], input=copied)
    assert result.exit_code == 0, result.output
    assert id_requests(api) == ["2410.21228,1910.10897"]
    assert set(Library(db).papers) == {"2410.21228", "1910.10897"}


def test_a_text_that_only_mentions_an_id_is_parsed_as_a_page(api: FakeServer, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "library.json"), "import", "-"],
                                input="see 2410.21228 for details\n")
    assert result.exit_code == 1
    assert "2410.21228" not in "".join(id_requests(api))


def test_an_answer_about_other_papers_is_not_reported_as_no_such_paper(api: FakeServer, tmp_path: Path) -> None:
    """A server (or a cache on the way) answering with another paper: "arXiv has no paper …; check the id" blamed
    an id that was right."""
    feed = (NET_FIXTURES / "arxiv-api-query-testing.xml").read_bytes()
    other = feed[: feed.index(b"</entry>") + len(b"</entry>")] + b"\n</feed>\n"  # its first paper alone
    api.script("/arxiv/api/query", Reply(200, body=other, headers={"Content-Type": "application/atom+xml"}))
    db = tmp_path / "library.json"
    result = run(db, "import", "2401.00002")
    assert result.exit_code == 1
    line = next(line for line in result.stdout.splitlines() if line.startswith("✗ 2401.00002: "))
    assert line.startswith("✗ 2401.00002: the arXiv API answered with other papers (")
    assert line.endswith("), not 2401.00002; try again later (a proxy or cache between here and arXiv may be "
                         "answering)")
    assert not db.exists() or not Library(db).papers
