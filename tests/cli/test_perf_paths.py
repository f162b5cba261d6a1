"""Fast paths must give the same results as the straightforward code they replace."""

from __future__ import annotations

import io
import sys
import unicodedata
from datetime import date
from pathlib import Path

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from readlist.cli.list_cmds import write_records
from readlist.cli.output import print_json
from readlist.core.model import FIELD_NAMES, Paper, normalize_title
from readlist.importers import parse_input
from readlist.storage.library import Library

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from generate import generate_papers, hf_text, write_library


def _slow_normalize_title(title: str) -> str:
    decomposed = unicodedata.normalize("NFKD", title)
    return "".join(ch for ch in decomposed.casefold() if ch.isalnum())


@given(st.text(max_size=80))
def test_normalize_title_fast_path_is_exact(title: str) -> None:
    assert normalize_title(title) == _slow_normalize_title(title)


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=80))
def test_normalize_title_ascii(title: str) -> None:
    assert normalize_title(title) == _slow_normalize_title(title)


@pytest.mark.parametrize(
    "data",
    [
        {"id": "x", "title": "Only the required fields"},
        {"id": "y", "title": "Defaults kept", "rating": 3, "prev_status": "inbox"},
        next(iter(generate_papers(1, seed=2))).to_dict(),
    ],
)
def test_typed_decoding_builds_the_same_paper_as_the_constructor(data: dict[str, object]) -> None:
    decoded, built = msgspec.json.decode(msgspec.json.encode(data), type=Paper), Paper(**data)  # type: ignore[arg-type]
    assert all(getattr(decoded, name) == getattr(built, name) for name in FIELD_NAMES)
    again = msgspec.json.decode(msgspec.json.encode(data), type=Paper)
    if "authors" not in data:
        assert decoded.authors == [] and decoded.authors is not again.authors  # never a shared default list


def test_generator_is_deterministic() -> None:
    first = [p.to_dict() for p in generate_papers(60, seed=4)]
    assert first == [p.to_dict() for p in generate_papers(60, seed=4)]
    assert first != [p.to_dict() for p in generate_papers(60, seed=5)]
    # A longer run starts with the same papers.
    assert [p.to_dict() for p in generate_papers(80, seed=4)][:60] == first


def test_generated_papers_look_like_real_ones() -> None:
    papers = list(generate_papers(300, seed=1))
    assert len({p.id for p in papers}) == 300
    assert len({normalize_title(p.title) for p in papers}) == 300
    assert all(1200 <= len(p.abstract) <= 2100 for p in papers)
    assert {p.status for p in papers} == {"inbox", "to-read", "reading", "read", "skipped"}
    assert 0.75 < sum(p.arxiv_id is not None for p in papers) / 300 < 0.95
    assert any(p.note for p in papers) and any(p.tags for p in papers) and any(p.rating for p in papers)
    size = sum(len(msgspec.json.encode(p.to_dict())) for p in papers) / 300
    assert 1700 < size < 2600


def test_generated_library_and_text_copy_hold_the_same_papers(tmp_path: Path) -> None:
    papers = list(generate_papers(40, seed=3))
    path = tmp_path / "library.json"
    write_library(papers, path)
    lib = Library(path)
    assert [p.to_dict() for p in lib.papers.values()] == [p.to_dict() for p in papers]
    snapshot = msgspec.json.decode(path.read_bytes())
    assert set(snapshot) == {"_meta", "papers"} and snapshot["_meta"]["1"]["format"] == "readlist"

    parsed = parse_input(hf_text(papers), source="copy.txt", today=date(2026, 1, 1))
    assert parsed.format == "hf-text" and not parsed.skipped
    got = [(p.title, p.abstract, p.published, p.upvotes, p.organization) for p in parsed.papers]
    want = [(p.title, p.abstract, p.published, p.upvotes, p.organization) for p in papers]
    assert got == want
    assert [p.authors_count for p in parsed.papers] == [len(p.authors) or None for p in papers]


@pytest.mark.parametrize("n", [0, 1, 3, 2000, 2001, 4100])
def test_list_json_stream_is_byte_identical(n: int, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    papers = list(generate_papers(min(n, 60), seed=6)) * (n // 60 + 1)
    papers = papers[:n]
    if papers:
        papers[0].title = "C1 \x9b31m and C0 \x1b[2J controls"
    print_json([p.public_dict() for p in papers])
    expected = capsysbinary.readouterr().out
    out = io.BytesIO()
    write_records(papers, out)
    assert out.getvalue() == expected


def test_list_json_copies_stored_abstracts_byte_identical(tmp_path: Path,
                                                           capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    from readlist.core.model import StoredText, abstract_mark

    papers = list(generate_papers(30, seed=8))
    papers[0].abstract += ' with "quotes", a back\\slash, a\nnew line, é, 数据, C1 \x9b31m and a bidi \u202e override'
    path = tmp_path / "library.json"
    write_library(papers, path)
    stored = sorted(Library(path).papers.values(), key=lambda p: p.id)
    assert all(isinstance(abstract_mark(p), StoredText) for p in stored)
    print_json([p.public_dict() for p in stored])
    expected = capsysbinary.readouterr().out
    out = io.BytesIO()
    write_records(stored, out)
    assert out.getvalue() == expected and "\\u202e" in expected.decode()
