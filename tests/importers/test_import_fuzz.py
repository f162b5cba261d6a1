"""Hostile input: every importer either returns papers or raises ImportFormatError, nothing else."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readlist.core.text import clean_block, strip_controls
from readlist.importers import (
    ImportFormatError,
    ParseResult,
    arxiv,
    arxiv_text,
    bibtex,
    hf_html,
    hf_json,
    hf_text,
    parse_input,
    readlist_json,
)

HERE = Path(__file__).parent.parent
PAGES = HERE / "fixtures" / "pages"
FIXTURES = {
    "hf-daily": (PAGES / "hf-daily-2024-08-01.html").read_bytes(),
    "hf-paper": (PAGES / "hf-paper-2509.24002-prettified.html").read_bytes(),
    "arxiv-abs": (PAGES / "arxiv-abs-2106.09608.html").read_bytes(),
    "arxiv-abs2": (PAGES / "arxiv-abs-2004.02153.html").read_bytes(),
    "arxiv-list": (PAGES / "arxiv-list-q-fin-new.html").read_bytes(),
    "arxiv-text": (PAGES / "arxiv-abs-2106.09608.copy.txt").read_bytes(),
    "mhtml": (PAGES / "arxiv-abs-2106.09608.mhtml").read_bytes(),
    "hf-text": (HERE / "fixtures" / "seeds" / "001_eaf0a1b246e94eca.txt").read_bytes(),
    "bibtex": b"@article{a,\n title={T {\\\"u} x},\n author={Doe, J. and Roe, R.},\n eprint={2401.00001},\n"
              b" keywords={a, b},\n year=2020, month=jun}\n@misc{b, title={Second}, doi={10.48550/arXiv.2401.2}}\n",
    "hf-json": b'[{"paper": {"id": "2401.00001", "title": "T", "summary": "S", "authors": [{"name": "A"}],'
               b' "upvotes": 3, "publishedAt": "2024-01-02T00:00:00Z"}, "title": "T"}]',
}
MODULES: list[ModuleType] = [readlist_json, hf_json, hf_html, arxiv, bibtex, arxiv_text, hf_text]
TODAY = date(2026, 11, 22)
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _parsers() -> list[tuple[str, Callable[[bytes], ParseResult]]]:
    def module_parser(module: ModuleType) -> Callable[[bytes], ParseResult]:
        def parse(data: bytes) -> ParseResult:
            result: ParseResult = module.parse(data, source="fuzz", today=TODAY)
            return result

        return parse

    def detect(data: bytes) -> ParseResult:
        return parse_input(data, source="fuzz", today=TODAY)

    return [*((m.FORMAT, module_parser(m)) for m in MODULES), ("detect", detect)]


PARSERS = _parsers()


def _survives(data: bytes) -> None:
    """Every parser and detection: papers or ImportFormatError; any other exception fails the test."""
    for _, parse in PARSERS:
        try:
            result = parse(data)
        except ImportFormatError as exc:
            assert str(exc)
        else:
            assert isinstance(result, ParseResult)
            assert result.papers
            for paper in result.papers:
                assert paper.title


@FUZZ
@given(st.binary(max_size=4096))
def test_random_bytes(data: bytes) -> None:
    _survives(data)


@FUZZ
@given(st.text(alphabet=st.sampled_from(list("<>{}[]\"'@=,/ \n\tadivpr:0123456789.")), max_size=2000))
def test_random_markup_like_text(text: str) -> None:
    _survives(text.encode())


@FUZZ
@given(st.sampled_from(sorted(FIXTURES)), st.floats(min_value=0.0, max_value=1.0))
def test_truncated_fixtures(name: str, fraction: float) -> None:
    data = FIXTURES[name]
    _survives(data[: int(len(data) * fraction)])


@FUZZ
@given(
    st.sampled_from(sorted(FIXTURES)),
    st.lists(st.tuples(st.floats(0, 1), st.binary(min_size=0, max_size=8)), min_size=1, max_size=20),
)
def test_mutated_fixtures(name: str, edits: list[tuple[float, bytes]]) -> None:
    data = bytearray(FIXTURES[name])
    for where, replacement in edits:
        at = int(len(data) * where)
        data[at : at + len(replacement)] = replacement
    _survives(bytes(data))


@pytest.mark.parametrize("name", sorted(FIXTURES))
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "cp1252", "latin-1", "utf-32"])
def test_wrong_encodings(name: str, encoding: str) -> None:
    text = FIXTURES[name].decode("utf-8")
    _survives(text.encode(encoding, errors="replace"))


@pytest.mark.parametrize(
    "data",
    [
        b"<div>" * 100_000,
        b"<!doctype html><html><body>" + b"<div>" * 100_000 + b'<article><a href="/papers/2401.00001">x</a>',
        b'<html><div data-target="DailyPapers" data-props="' + b"[" * 100_000 + b'"></div></html>',
        b"[" * 100_000,
        b'{"paper": ' * 50_000,
        b"@misc{a, title={" + b"{" * 100_000 + b"}",
        b"<html><meta name=\"citation_arxiv_id\" content=\"2401.00001\">" + b"<span>" * 100_000,
        b"<dl><dt>" * 50_000,
        b"\x00" * 1000,
        b"\xff\xfe\x00",
        b"",
    ],
    ids=["divs", "divs-then-card", "props-brackets", "json-brackets", "json-objects", "bib-braces", "spans",
         "dl", "nul", "bad-utf16", "empty"],
)
def test_deep_nesting_and_degenerate_input(data: bytes) -> None:
    _survives(data)


def test_fixtures_still_parse_under_the_fuzz_harness() -> None:
    """The harness itself can tell success: each fixture parses as its own format."""
    expected = {"hf-daily": "hf-html", "hf-paper": "hf-html", "arxiv-abs": "arxiv-html", "arxiv-abs2": "arxiv-html",
                "arxiv-list": "arxiv-html", "arxiv-text": "arxiv-text", "mhtml": "arxiv-html",
                "hf-text": "hf-text", "bibtex": "bibtex", "hf-json": "hf-json"}
    for name, fmt in expected.items():
        assert parse_input(FIXTURES[name], today=TODAY).format == fmt


_WHITESPACE = st.sampled_from(list(" \t\n\r\x0b\x0c\x1c\x85\xa0\u1680\u2000\u200a\u200b\u2028\u2029\u202f\u3000"))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_WHITESPACE, st.text(max_size=5)), max_size=40).map("".join))
def test_fast_whitespace_folding_matches_the_regex_definition(text: str) -> None:
    """The str.split() based folding in clean_block and the text-copy reader equals the regex it replaced."""
    stripped = strip_controls(text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = [re.sub(r"[^\S\n]+", " ", line).strip() for line in stripped.split("\n")]
    assert clean_block(text) == re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    spaces = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
    unified = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    expected = [spaces.sub(" ", raw).strip() for raw in unified.split("\n")]
    got = [line for paragraph in hf_text._normalize(text) for line in paragraph]
    # The reader also folds the rarer separators (\x1c, \x85, \u1680 …) that the old class let through.
    assert got == [" ".join(line.split()) for line in expected if line]


BIG = "9" * 5000


@pytest.mark.parametrize(
    "text",
    [
        f"Daily Papers\n\nSubscribe\n\nTitle here\n\n  • 3 authors\n·\nJun 2 {BIG}\n",
        f"Daily Papers\n\nSubscribe\n\nTitle here\n\n  • {BIG} authors\n·\nJun 2 3\n",
        f'<html><body><article><a href="/papers/2401.00001">x</a><div class="leading-none">{BIG}</div><h3>T</h3>',
        f'<html><body><article><a href="/papers/2401.00001">x</a><span>{"9" * 400}</span><h3>T</h3></article>',
        f'<html><body><article><a href="/papers/2401.00001">x</a><h3>T</h3>{BIG} authors</article>',
        '[{"paper": {"title": "x", "upvotes": ' + BIG + "}}]",
        '<html><div data-target="DailyPapers" data-props="{&quot;dailyPapers&quot;: [{&quot;paper&quot;: '
        "{&quot;title&quot;: &quot;x&quot;, &quot;upvotes&quot;: " + BIG + '}}]}"></div></html>',
        "@misc{a, title={T}, year={2020}, month={" + BIG + "}}",
        "@misc{a, title={T}, year={2020}, month={²}}",
    ],
    ids=["text-votes", "text-authors", "card-votes", "card-float", "card-authors", "json-int", "props-int",
         "bib-month", "bib-superscript"],
)
def test_absurd_numbers(text: str) -> None:
    """Numbers too long for int() (Python refuses 4,300+ digits) never escape as ValueError."""
    _survives(text.encode())
    try:
        result = parse_input(text, today=TODAY)
    except ImportFormatError:
        return
    for paper in result.papers:
        assert paper.upvotes is None or paper.upvotes < 10**13
        assert paper.authors_count is None or paper.authors_count < 10**13
