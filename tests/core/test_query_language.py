"""The query language: terms, OR, AND, parentheses, negation, errors that say what and where, and sort keys."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readlist.core.model import Paper
from readlist.core.query import QueryError, SortKeyError, parse_query, parse_sort, sort_papers
from readlist.core.search_index import haystack

PAPERS = [
    Paper.create(title="LLM agents for web tasks", abstract="We study agents.", tags=["agents"], status="to-read",
                 published="2024-03-01", rating=4, upvotes=10),
    Paper.create(title="Diffusion models survey", abstract="A survey of diffusion.", tags=["survey", "rl"],
                 status="reading", published="2023-06-01", upvotes=3),
    Paper.create(title="Reinforcement learning with LLM feedback", abstract="RL meets language models.",
                 tags=["rl"], status="read", published="2022-01-01", rating=5),
    Paper.create(title="Graph neural networks", abstract="Message passing (f(x) = y).", status="inbox",
                 published="2021-05-02", organization="Spiral Works", note="check the (appendix)"),
    Paper.create(title="Status:read is a phrase here", abstract="about OR and AND as words", status="skipped"),
]
BY_TITLE = {p.title.split()[0].lower(): p for p in PAPERS}


def found(text: str) -> list[str]:
    return [p.title.split()[0].lower() for p in parse_query(text).filter(PAPERS)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("LLM OR diffusion", ["llm", "diffusion", "reinforcement"]),
        ("status:to-read OR status:reading", ["llm", "diffusion"]),
        ("(tag:rl OR tag:agents) -survey", ["llm", "reinforcement"]),
        ("-(tag:rl OR tag:agents)", ["graph", "status:read"]),
        ("llm agents OR survey", ["llm", "diffusion"]),  # AND binds tighter: (llm agents) OR survey
        ("llm (agents OR feedback)", ["llm", "reinforcement"]),
        ("llm AND agents OR graph", ["llm", "graph"]),
        ("((llm)) OR ((graph))", ["llm", "reinforcement", "graph"]),
        ("-(-(llm))", ["llm", "reinforcement"]),
        ("(rating>=4 OR upvotes>=3) year>=2023", ["llm", "diffusion"]),
        ("year:2021 OR year<2022", ["graph"]),
        ("-(year>=2022 OR status:skipped)", ["graph"]),
        ('"f(x)"', ["graph"]),  # parentheses inside quotes are text
        ('note:"(appendix)"', ["graph"]),
        ('"status:read"', ["status:read"]),  # a quoted field is a phrase
        ('title:"llm feedback"', ["reinforcement"]),
        ('title:"feedback llm"', []),
        ("OR-ish", []),
        ("and", ["status:read"]),  # lower case "and" is a word
        ('"AND"', ["status:read"]),  # so is a quoted one
        ("or", ["llm", "reinforcement", "graph", "status:read"]),
        ("org:spiral OR tag:survey", ["diffusion", "graph"]),
        ("-", []),  # a lone dash is a word, as before
        ("NOT tag:rl", ["llm", "graph", "status:read"]),  # NOT is -, as AND and OR are operators
        ("llm NOT agents", ["reinforcement"]),
        ("NOT (tag:rl OR tag:agents)", ["graph", "status:read"]),
        ("NOT NOT llm", ["llm", "reinforcement"]),
        ("graph OR NOT -llm", ["llm", "reinforcement", "graph"]),
        ('"NOT" OR "not"', []),  # quoted, it is a word
        ("rating<5", ["llm"]),  # 0 is "not rated", not a low rating
        ("rating<=2 OR rating>5", []),
        ("rating>=1", ["llm", "reinforcement"]),
        ("rating:0", ["diffusion", "graph", "status:read"]),
        ("rating=0", ["diffusion", "graph", "status:read"]),
        ("-rating:0", ["llm", "reinforcement"]),
        ("-(rating<5)", ["diffusion", "reinforcement", "graph", "status:read"]),
        ("", ["llm", "diffusion", "reinforcement", "graph", "status:read"]),
    ],
)
def test_or_parentheses_and_negation(text: str, expected: list[str]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    ("text", "message", "column"),
    [
        ('"unclosed', 'unclosed quote at column 1: add the closing "', 1),
        ('llm "agents for', "unclosed quote at column 5", 5),
        ("(llm OR graph", "'(' at column 1 is never closed: add ')'", 1),
        ("llm) graph", "')' at column 4 has no matching '('", 4),
        ("(a OR b))", "')' at column 9 has no matching '('", 9),
        ("llm OR", "OR at column 5 has nothing on its right", 5),
        ("OR llm", "OR at column 1 has nothing on its left", 1),
        ("llm OR OR graph", "OR at column 5 has nothing on its right", 5),
        ("(OR llm)", "OR at column 2 has nothing on its left", 2),
        ("(llm OR)", "OR at column 6 has nothing on its right", 6),
        ("llm AND", "AND at column 5 has nothing on its right", 5),
        ("AND llm", "AND at column 1 has nothing on its left", 1),
        ("llm () graph", "empty parentheses at column 5", 5),
        ("llm -()", "empty parentheses at column 5", 5),
        ("foo:bar", "unknown field 'foo' at column 1", 1),
        ("llm -colour:red", "unknown field 'colour' at column 6", 6),
        ("rating>=x", "rating>= at column 1 needs a number, not 'x'", 1),
        ("(year:20x OR llm)", "year: at column 2 needs a number, not '20x'", 2),
        ("upvotes> llm", "upvotes> at column 1 needs a value, e.g. upvotes>=50", 1),
        ("tag: llm", "tag: at column 1 needs a value, e.g. tag:rl", 1),
        ("(tag:)", "tag: at column 2 needs a value, e.g. tag:rl", 2),
        ('llm ""', "empty quotes at column 5", 5),
        ("status:bogus", "unknown status 'bogus' at column 1", 1),
        ("tag>rl", "tag at column 1 does not compare with '>'", 1),
        ("is:weird", "unknown is:weird at column 1", 1),
        ("rating!=4", "rating!= at column 1: '!=' is not an operator (rating takes =, <, <=, >, >= or :); "
                      "to leave out papers, put a minus before the term: -rating:4", 1),
        ("llm status!=read", "'!=' is not an operator (status takes : or =); to leave out papers, put a minus "
                             "before the term: -status:read", 5),
        ("tag~rl", "'~' is not an operator", 1),
        ("--tag:rl", "doubled minus '--' at column 1: one '-' leaves a term out; to search for the text, quote "
                     'it: "--tag:rl"', 1),
        ("llm --(agents)", "doubled minus '--' at column 5", 5),
        ("llm NOT", "NOT at column 5 has nothing on its right", 5),
        ("(NOT)", "NOT at column 2 has nothing on its right", 2),
    ],
)
def test_errors_say_what_and_where(text: str, message: str, column: int) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(text)
    assert message in str(caught.value)
    assert caught.value.position == column - 1
    assert "\n" not in str(caught.value)


def test_words_that_only_look_like_the_new_errors_are_still_words() -> None:
    """`note!` ends in "!" with nothing after it, `foo--bar` has its dashes inside, `"--x"` is quoted."""
    assert parse_query("note!").words == ("note!",)
    assert parse_query("foo--bar").words == ("foo--bar",)
    assert parse_query('"--tag:rl"').words == ("--tag:rl",)
    assert parse_query('"rating!=4"').words == ("rating!=4",)


def test_a_field_still_being_typed_at_the_end_is_left_out_unless_strict() -> None:
    assert found("tag:rl rating>=") == found("tag:rl")
    assert found("tag:rl -status:") == found("tag:rl")
    assert parse_query("tag:").empty
    with pytest.raises(QueryError, match="tag: at column 1 needs a value"):
        parse_query("tag:", strict=True)
    with pytest.raises(QueryError, match="rating>= at column 8 needs a value"):
        parse_query("tag:rl rating>=", strict=True)
    with pytest.raises(QueryError, match="OR at column 8 has nothing on its right"):
        parse_query("tag:rl OR tag:")
    with pytest.raises(QueryError, match="needs a value"):
        parse_query("tag: ")  # a space after it: the user has moved on


def test_unknown_field_error_tells_how_to_search_the_text() -> None:
    with pytest.raises(QueryError, match=r'quote it: "https://arxiv.org/abs/1"'):
        parse_query("https://arxiv.org/abs/1")
    assert parse_query('"https://arxiv.org/abs/1"').words == ("https://arxiv.org/abs/1",)


def test_highlight_words_skip_negated_parts() -> None:
    assert parse_query("llm OR (graph -survey) -(a OR -b)").words == ("llm", "graph", "b")
    assert parse_query("status:read").words == ()


def test_predicates_are_the_top_level_and_parts() -> None:
    query = parse_query("tag:rl llm")
    assert len(query.predicates) == 2
    assert [all(pred(p) for pred in query.predicates) for p in PAPERS] == [query.matches(p) for p in PAPERS]
    assert len(parse_query("tag:rl OR llm").predicates) == 1
    assert parse_query("  ").predicates == () and parse_query("  ").empty


# -- a reference model: random query trees, rendered to text, must match what the tree means ---------------

Tree = tuple[object, ...]
WORDS = ["llm", "agents", "survey", "diffusion", "rl", "graph", "models", "zzqx", "a", "or"]
FIELDS: dict[str, Callable[[Paper], bool]] = {
    "tag:rl": lambda p: "rl" in p.tags,
    "status:read": lambda p: p.status == "read",
    "rating>=4": lambda p: p.rating >= 4,
    "year<2023": lambda p: p.published is not None and int(p.published[:4]) < 2023,
}


def _trees() -> st.SearchStrategy[Tree]:
    leaf = st.one_of(st.sampled_from(WORDS).map(lambda w: ("word", w)), st.sampled_from(list(FIELDS)).map(
        lambda f: ("field", f)))
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            inner.map(lambda t: ("not", t)),
            st.lists(inner, min_size=2, max_size=3).map(lambda ts: ("and", *ts)),
            st.lists(inner, min_size=2, max_size=3).map(lambda ts: ("or", *ts)),
        ),
        max_leaves=8,
    )


def _render(tree: Tree, draw: Callable[[st.SearchStrategy[bool]], bool], parent: str = "or") -> str:
    kind = tree[0]
    if kind in ("word", "field"):
        return str(tree[1])
    if kind == "not":
        inner = _render(tree[1], draw, "not")  # type: ignore[arg-type]
        return "-" + (inner if tree[1][0] in ("word", "field") else f"({inner})")  # type: ignore[index]
    parts = [_render(child, draw, kind) for child in tree[1:]]  # type: ignore[arg-type]
    text = (" OR " if kind == "or" else (" AND " if draw(st.booleans()) else " ")).join(parts)
    # Parentheses only where precedence needs them (an OR inside an AND), plus some redundant ones.
    if (kind == "or" and parent in ("and", "not")) or draw(st.booleans()):
        return f"({text})"
    return text


def _means(tree: Tree, paper: Paper) -> bool:
    kind = tree[0]
    if kind == "word":
        return str(tree[1]) in haystack(paper)
    if kind == "field":
        return FIELDS[str(tree[1])](paper)
    if kind == "not":
        return not _means(tree[1], paper)  # type: ignore[arg-type]
    results = [_means(child, paper) for child in tree[1:]]  # type: ignore[arg-type]
    return any(results) if kind == "or" else all(results)


@settings(max_examples=300, deadline=None)
@given(tree=_trees(), data=st.data())
def test_queries_mean_what_their_tree_means(tree: Tree, data: st.DataObject) -> None:
    text = _render(tree, data.draw)
    query = parse_query(text)
    assert [query.matches(p) for p in PAPERS] == [_means(tree, p) for p in PAPERS], text


@given(st.text(alphabet=st.sampled_from(list('ab ()-"ORAND:tag')), max_size=20))
def test_any_input_parses_or_fails_with_a_query_error(text: str) -> None:
    try:
        query = parse_query(text)
    except QueryError as exc:
        assert exc.position is None or 0 <= exc.position <= len(text)
        return
    query.filter(PAPERS)


# -- source: ------------------------------------------------------------------------------------------


def test_source_matches_the_kind_of_source_or_text_in_its_name() -> None:
    papers = [
        Paper.create(title="From an HF page", sources=["https://huggingface.co/papers/2401.00001"]),
        Paper.create(title="From arXiv", sources=["https://arxiv.org/abs/2401.00002v1"]),
        Paper.create(title="From a bib file", sources=["refs.bib"]),
        Paper.create(title="From a copy", sources=["001_eaf0a1b246e94eca.txt", "clipboard"]),
        Paper.create(title="From daily-2024.txt", sources=["daily-2024.txt"]),
    ]

    def titles(text: str) -> list[str]:
        return [p.title for p in parse_query(text).filter(papers)]

    assert titles("source:hf") == ["From an HF page"]
    assert titles("source:huggingface") == ["From an HF page"]
    assert titles("source:arxiv") == ["From arXiv"]
    assert titles("source:bibtex") == ["From a bib file"]
    assert titles("source:url") == ["From an HF page", "From arXiv"]
    assert titles("source:clipboard") == ["From a copy"]
    assert titles("source:eaf0") == ["From a copy"]  # text in a file name, as before
    # "daily" names Hugging Face's feed, and is still found in file names.
    assert titles("source:daily") == ["From an HF page", "From daily-2024.txt"]
    assert titles("source:hf OR source:arxiv") == ["From an HF page", "From arXiv"]
    assert titles("-source:file") == ["From an HF page", "From arXiv"]


def test_source_kind_uses_the_recorded_import_format() -> None:
    copy = Paper.create(title="A Daily Papers copy", sources=["001_eaf0a1b246e94eca.txt"], source_formats=["hf-text"])
    bib = Paper.create(title="Listed in a bibliography", sources=["mine.txt"], source_formats=["bibtex"])
    unknown = Paper.create(title="Imported before formats were recorded", sources=["002_x.txt"])
    papers = [copy, bib, unknown]

    def titles(text: str) -> list[str]:
        return [p.title for p in parse_query(text).filter(papers)]

    assert titles("source:hf") == ["A Daily Papers copy"]
    assert titles("source:daily") == ["A Daily Papers copy"]
    assert titles("source:hf-text") == ["A Daily Papers copy"]
    assert titles("source:bibtex") == ["Listed in a bibliography"]
    assert titles("source:file") == [p.title for p in papers]


# -- sorting ------------------------------------------------------------------------------------------


def test_parse_sort_names_the_valid_keys() -> None:
    assert parse_sort("date").descending and not parse_sort("-date").descending
    assert not parse_sort("title").descending and parse_sort("-title").descending
    assert parse_sort("Rating").key == "rating"
    with pytest.raises(SortKeyError) as caught:
        parse_sort("bogus")
    message = str(caught.value)
    assert "'bogus'" in message and "date, upvotes, rating, title, added, updated" in message
    assert "query" not in message
    with pytest.raises(QueryError):  # callers that catch query errors still catch it
        sort_papers(PAPERS, "bogus")


def test_sort_papers_follows_the_key() -> None:
    assert [p.rating for p in sort_papers(PAPERS, "rating")][:2] == [5, 4]
    assert [p.title for p in sort_papers(PAPERS, "-title")][-1] == "Diffusion models survey"
    assert sort_papers(PAPERS, "+upvotes")[0].upvotes == 10



# Papers with and without each sort key's value; the ones without in the order they are given. A paper made now
# is given the time it was added; one from an older library or a hand edit may have none.
WITH_AND_WITHOUT = [
    Paper.create(title="b", published="2023-01-02", upvotes=0, rating=2, added="2025-01-02", updated="2025-02-02"),
    msgspec.structs.replace(Paper.create(title="none 1"), added="", updated=""),
    Paper.create(title="a", published="2024-05", upvotes=7, rating=5, added="2025-01-03", updated="2025-02-03"),
    msgspec.structs.replace(Paper.create(title="none 2"), added="", updated=""),
    Paper.create(title="c", published="2021", upvotes=3, rating=1, added="2025-01-01", updated="2025-02-01"),
]


@pytest.mark.parametrize("key", ["date", "upvotes", "rating", "added", "updated"])
@pytest.mark.parametrize("flip", ["", "-"])
def test_papers_without_a_value_come_last_in_both_directions(key: str, flip: str) -> None:
    """``-date`` is oldest first, then the undated (it listed the undated first); the same for every key."""
    largest_first = ["a", "c", "b"] if key == "upvotes" else ["a", "b", "c"]
    order = [p.title for p in sort_papers(WITH_AND_WITHOUT, flip + key)]
    assert order == (largest_first[::-1] if flip else largest_first) + ["none 1", "none 2"]


def test_a_real_zero_is_a_value_and_titles_sort_both_ways() -> None:
    """0 upvotes is a count (the paper was seen on a page), unlike no count at all; every paper has a title."""
    assert sort_papers(WITH_AND_WITHOUT, "-upvotes")[0].title == "b"
    titles = [p.title for p in sort_papers(WITH_AND_WITHOUT, "title")]
    assert titles == sorted(titles) and [p.title for p in sort_papers(WITH_AND_WITHOUT, "-title")] == titles[::-1]

# -- the documentation ---------------------------------------------------------------------------------------

DOC = Path(__file__).resolve().parents[2] / "docs" / "tui.md"


def _search_section() -> str:
    text = DOC.read_text(encoding="utf-8")
    return text[text.index("## Search") : text.index("## Triage mode")]


def test_documented_examples_parse() -> None:
    section = _search_section()
    block = section[section.index("```\n") + 4 : section.index("\n```", section.index("```\n") + 4)]
    examples = [line for line in block.splitlines() if line.strip()]
    assert len(examples) >= 4
    for example in examples:
        assert not parse_query(example, strict=True).empty


def test_documented_errors_are_the_real_messages() -> None:
    rows = [line for line in _search_section().splitlines() if line.startswith("| `") and "` | `" in line]
    assert len(rows) >= 5
    for row in rows:
        typed, shown = (cell.strip().strip("`") for cell in row.strip("|").split(" | ", 1))
        with pytest.raises(QueryError) as caught:
            parse_query(typed, strict=True)
        message = str(caught.value)
        if "…" in shown:
            head, tail = shown.split("…")
            assert message.startswith(head) and message.endswith(tail), (typed, message)
        else:
            assert message == shown, (typed, message)


@pytest.mark.parametrize(
    "text",
    ["perez", "author:perez", "author:PÉREZ", "title:schrodinger", "note:resume", "org:ecole", "pérez schrödinger"],
)
def test_accents_do_not_have_to_be_typed(text: str) -> None:
    """Accents are folded on both sides, in free words and in text fields: "perez" finds "Pérez"."""
    paper = Paper.create(title="Schrödinger bridges", authors=["José Pérez"], organization="École Normale",
                         note="Résumé of the method")
    other = Paper.create(title="Perceptrons", authors=["Ada Lovelace"])
    assert parse_query(text).filter([paper, other]) == [paper]


@pytest.mark.parametrize("text", ["lodz", "author:wojcik", "author:orsted", "title:aegis", "title:ŁÓDŹ"])
def test_letters_without_a_decomposition_are_folded_too(text: str) -> None:
    """Ł, Ø and Æ carry no accent Unicode can take off, yet readers type them as l, o and ae (as keys do)."""
    paper = Paper.create(title="Ægis of Łódź", authors=["Łukasz Wójcik", "Hans Christian Ørsted"])
    other = Paper.create(title="Lodestar", authors=["Ada Lovelace"])
    assert parse_query(text).filter([paper, other]) == [paper]
