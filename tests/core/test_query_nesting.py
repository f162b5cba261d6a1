"""How deep parentheses may nest: a clear error past the limit, and no stack overflow below it."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from readlist.cli import main
from readlist.core.model import Paper
from readlist.core.query import MAX_NESTING, QueryError, SearchIndex, parse_query
from readlist.storage.library import Library
from tests.core.test_query_language import PAPERS

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from generate import generate_papers, write_library

# Every shape of nesting the parser builds: groups that vanish, chains of negations, and NOT, OR and AND in turn,
# with two and with three parts (matching builds different checks for each).
SHAPES: dict[str, Callable[[int], str]] = {
    "groups": lambda n: "(" * n + "learn" + ")" * n,
    "negations": lambda n: "-(" * n + "learn" + ")" * n,
    "not-and": lambda n: "-(model " * n + "learn" + ")" * n,
    "or-and": lambda n: "(learn OR model data " * n + "x" + ")" * n,
    "not-or-and": lambda n: "-(learn OR model data " * n + "x" + ")" * n,
    "three-parts": lambda n: "-(learn OR status:read OR tag:rl model year>=2020 data " * n + "x" + ")" * n,
    "fields": lambda n: "-(status:read OR rating>=2 tag:rl " * n + "year>=2000" + ")" * n,
}
# Stack that parsing or matching the deepest query allowed may use: the rest of Python's 1000 frames stays with
# the caller (the app's event loop, the command line, a test runner).
STACK_BUDGET = 500


@pytest.mark.parametrize("shape", list(SHAPES))
def test_nesting_past_the_limit_is_a_query_error_naming_the_column(shape: str) -> None:
    text = SHAPES[shape](300)
    with pytest.raises(QueryError, match=f"^parentheses nested more than {MAX_NESTING} deep at column ") as caught:
        parse_query(text, strict=True)
    position = caught.value.position
    assert position is not None and text[:position].count("(") == MAX_NESTING
    assert text.startswith(("(", "-("), position)
    with pytest.raises(QueryError, match="nested more than"):
        parse_query(SHAPES[shape](MAX_NESTING + 1))
    assert not parse_query(SHAPES[shape](MAX_NESTING)).empty


@pytest.mark.parametrize("command", [["list", "-q"], ["export", "-f", "json", "-q"], ["view", "add", "deep"]])
def test_the_command_line_refuses_a_too_deep_query_in_one_line(tmp_path: Path, command: list[str]) -> None:
    db = tmp_path / "library.json"
    Library(db).compact(force=True)
    before = db.read_bytes()
    deep = "(" * 300 + "x" + ")" * 300
    result = CliRunner().invoke(main, ["--db", str(db), *command, deep], catch_exceptions=False)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and f"parentheses nested more than {MAX_NESTING} deep at column" in lines[0]
    assert db.read_bytes() == before


@contextmanager
def _stack_budget(frames: int) -> Iterator[None]:
    """Let the code under test use at most ``frames`` more frames of stack than the caller already has."""
    depth, frame = 0, sys._getframe()
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + frames)
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Paper], SearchIndex]:
    path = tmp_path_factory.mktemp("nesting") / "library.json"
    write_library(generate_papers(300, seed=5), path)
    library = Library(path)
    index = SearchIndex(library)
    index.build()
    return list(library.papers.values()), index


@pytest.mark.parametrize("shape", list(SHAPES))
def test_the_deepest_query_allowed_is_parsed_and_matched_within_a_modest_stack(
    shape: str, indexed: tuple[list[Paper], SearchIndex]
) -> None:
    papers, index = indexed
    text = SHAPES[shape](MAX_NESTING)
    plain = parse_query(text).filter(papers)
    found = {id(p) for p in plain}
    with _stack_budget(STACK_BUDGET):
        query = parse_query(text, strict=True)
        assert query.filter(papers, index=index) == plain
        assert query.filter(papers[:20], index=index) == [p for p in papers[:20] if id(p) in found]
        assert [query.matches(p) for p in papers] == [id(p) in found for p in papers]
        assert isinstance(query.words, tuple)


def test_negations_that_cancel_out_match_what_the_term_alone_matches() -> None:
    for depth in (2, 3, 4, MAX_NESTING):
        nested = parse_query("-(" * depth + "tag:rl" + ")" * depth)
        alone = parse_query("tag:rl" if depth % 2 == 0 else "-tag:rl")
        assert nested.filter(PAPERS) == alone.filter(PAPERS), depth
        assert nested.words == alone.words
    assert parse_query("-(-(agents) OR survey)").words == ("agents",)
