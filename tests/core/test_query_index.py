"""The search index must give exactly what the plain query predicates give, in the same order."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import msgspec
import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from readlist.core.model import Paper
from readlist.core.query import QueryError, SearchIndex, parse_query
from readlist.core.search_index import haystack, search_text
from readlist.storage.library import Library

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from generate import generate_papers, write_library

from readlist.app.commands import Delete
from readlist.app.imports import ImportPapers
from readlist.app.notes import SaveNote

# The strategies sample from the whole test library, which makes their repr large; that is expected.
pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")

ODD_PAPERS = [
    Paper.create(title="Straße und Maßstab: STRASSE tests", abstract="Die Straße ist groß.\nZweite Zeile", tags=["de"]),
    Paper.create(title="İstanbul dotted capital", abstract="ǅemal and ﬁne ligatures; naïve café", note="Ünïcödé note"),
    Paper.create(title="Tabs\tand  odd   spacing", abstract="multi\nline\n\nabstract with state-of-the-art, commas."),
    Paper.create(title="Organization only", organization="Spiral Works", abstract="short"),
    Paper.create(title="Emoji 🚀 rockets", abstract="launch 🚀🚀 twice", authors=["Zoë Ångström", "李 雷"]),
    Paper.create(title="ΟΔΟΣ and ὁδός: Greek sigmas", abstract="Σοφία ΣΟΦΙΑΣ σοφίας; final ς and middle σ"),
    Paper.create(title="Dotless ı and DİYARBAKIR", abstract="Turkish İzmir, ıspanak and I/i pairs", note="İİ"),
    # Long abstracts stay on disk: plain ASCII, with escapes (newline, quote, backslash), and not ASCII.
    Paper.create(title="Long ASCII", authors=["Zoë Ångström"], note="Large Language notes",
                 abstract="LARGE Language MODELS are Large  language models; large language models again. " * 3),
    Paper.create(title="Long escaped", abstract='Line one of LARGE language\nline "two" with a \\ backslash, ' * 3),
    Paper.create(title="Lange Straße", abstract="Die STRASSE und die Straße sind groß, ΣΟΦΙΑΣ σοφίας. " * 3),
    # TeX in titles, shown rendered (S²FT, ωTest, xᵢ²): found by what is shown and by its letters.
    Paper.create(title="S$^{2}$FT: Efficient Fine-Tuning", abstract="Sparse fine-tuning with x² and H₂O."),
    Paper.create(title="$\\omega$Test: WebAssembly runtimes", abstract="Testing $\\Omega$ with \\textsc{Wasm}."),
    Paper.create(title="Bounds on $x_{i}^{2}$ for $\\Delta$-sets"),
    Paper.create(title="$ω$Fuzz: Greek typed inside the maths"),
]


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    path = tmp_path_factory.mktemp("index") / "library.json"
    write_library([*generate_papers(250, seed=11), *ODD_PAPERS], path)
    return Library(path)


@pytest.fixture(scope="module")
def index(library: Library) -> SearchIndex:
    built = SearchIndex(library)
    built.build()
    return built


def _corpus_words(library: Library) -> list[str]:
    words: list[str] = []
    for paper in list(library.papers.values())[::7]:
        words.extend(paper.abstract.split()[:12])
        words.extend(paper.title.split())
    return sorted(set(words))


def _needles(library: Library) -> st.SearchStrategy[str]:
    words = _corpus_words(library)
    texts = [p.title + " " + p.abstract for p in library.papers.values()]
    whole = st.sampled_from(words)
    # Pieces of words (substring semantics), including their ends and odd case.
    piece = st.tuples(whole, st.integers(0, 6), st.integers(1, 8)).map(lambda t: t[0][t[1] : t[1] + t[2]] or t[0])
    cased = piece.map(str.upper) | piece.map(str.title)
    # Phrases across word boundaries, quoted so they stay one term.
    phrase = st.tuples(st.sampled_from(texts), st.integers(0, 300), st.integers(3, 25)).map(
        lambda t: '"' + t[0][t[1] : t[1] + t[2]].replace('"', "") + '"'
    )
    rare = st.sampled_from(["zzqx", "xq", "q", "ß", "ss", "strasse", "İ", "🚀", "ﬁ", "fi", "li", "ǆ", "\u0307"])
    fields = st.sampled_from(
        ["status:inbox", "status:read", "rating>=3", "tag:rl", "year>=2022", "author:li", "org:spiral", "is:noted"]
    )
    term = st.one_of(whole, piece, cased, phrase, rare, fields)
    signed = st.tuples(st.booleans(), term).map(lambda t: ("-" if t[0] else "") + t[1])
    return st.lists(signed, min_size=1, max_size=3).map(" ".join)


def _grouped(library: Library) -> st.SearchStrategy[str]:
    """Queries with OR, parentheses and negated groups built from the same terms, nested a few levels."""
    return st.recursive(
        _needles(library),
        lambda inner: st.one_of(
            st.lists(inner, min_size=2, max_size=3).map(" OR ".join),
            st.lists(inner, min_size=2, max_size=3).map(lambda parts: " ".join(f"({p})" for p in parts)),
            inner.map(lambda q: f"-({q})"),
            st.tuples(inner, inner, inner).map(lambda t: f"{t[0]} ({t[1]} OR {t[2]})"),
        ),
        max_leaves=5,
    )


def test_index_matches_plain_filter_on_fixed_queries(library: Library, index: SearchIndex) -> None:
    base = list(library.papers.values())
    queries = ["status:reading learn", "status:reading -learn", "rating>=5 e",
               "diffusion", "d", "reasoning agents", "zzqx", '"large language"', "-robust year>=2022",
               "straße", "STRASSE", "ss", "🚀", "naïve", "ﬁne", "fine", "S2FT", "S²FT", "ωtest", "omega", "²", "x2",
               "state-of-the-art,", "spiral", "li",
               "-e", "-zzqx", "tabs and", '"and  odd"', '"and odd"', "status:to-read learn",
               "ΟΔΟΣ", "οδος", "οδοσ", "ὁδός", "σοφιας", "ΣΟΦΊΑΣ", "ς", "İ", "i̇zmir", "izmir", "ı", "DİYARBAKIR",
               '"e l"', '" large"', '"large "', '"ge lan"', '" "', '"rockets\nlaunch"', '"tasks\n"', '"ss. "',
               '"large language"', '"language models"', '"large  language"', '"zoë ångström"', '"strasse und"',
               '"die straße"', '"σοφιας. die"', '"language\nline"', '"a \\ backslash"',
               '"notes\nzo"', '"ge lang"', '"again. large"']
    for text in queries:
        query = parse_query(text)
        assert query.filter(base, index=index) == query.filter(base), text
    assert parse_query("zzqx").filter(base, index=index) == []


@pytest.mark.parametrize(("text", "title_start"), [
    ("STRASSE", "Straße"), ("straße", "Straße"), ("ΟΔΟΣ", "ΟΔΟΣ"), ("οδος", "ΟΔΟΣ"), ("σοφιας", "ΟΔΟΣ"),
    ("i̇zmir", "Dotless"), ("İZMIR", "Dotless"), ("ıspanak", "Dotless"), ('"rockets\nlaunch"', "Emoji"),
    ("ﬁne", "İstanbul"), ("FINE", "İstanbul"), ('"groß.\nzweite"', "Straße"),
    # Accents are folded on both sides: "naive" finds "naïve", "cafe" "café", "unicode" "Ünïcödé".
    ("naive", "İstanbul"), ("CAFE", "İstanbul"), ("unicode", "İstanbul"), ('"naive cafe"', "İstanbul"),
    ("café", "İstanbul"),
    # A title's TeX, as the list shows it and by its letters; superscripts and subscripts as their characters.
    ("S2FT", "S$"), ("S²FT", "S$"), ("s$^{2}$ft", "S$"), ("ωTest", "$\\omega"), ("OmegaTest", "$\\omega"),
    ("xᵢ²", "Bounds"), ("xi2", "Bounds"), ("Δ-sets", "Bounds"), ("delta-sets", "Bounds"), ("x2", "S$"),
    ("H2O", "S$"), ("H₂O", "S$"), ("title:S2FT", "S$"), ("title:ωtest", "$\\omega"),
    ("omegafuzz", "$ω"), ("ωFuzz", "$ω"), ("OMEGAFUZZ", "$ω"),
])
def test_case_folded_words_are_found_by_the_index(library: Library, index: SearchIndex, text: str,
                                                  title_start: str) -> None:
    """Case folding (ß as ss, final sigma, the Turkish dotted I, ligatures), accents, phrases across fields."""
    base = list(library.papers.values())
    found = parse_query(text).filter(base, index=index)
    assert [p.title for p in found if p.title.startswith(title_start)], text
    assert found == parse_query(text).filter(base)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_index_matches_plain_filter_on_random_queries(
    library: Library, index: SearchIndex, data: st.DataObject
) -> None:
    text = data.draw(_needles(library), label="query")
    base = list(library.papers.values())
    try:
        query = parse_query(text)
    except QueryError:
        reject()  # e.g. a corpus word like "(policy:" reads as an unknown field
    subset = base[::3]
    few = base[::17]  # few enough that the texts are checked one by one
    assert query.filter(base, index=index) == query.filter(base)
    assert query.filter(subset, index=index) == query.filter(subset)
    assert query.filter(few, index=index) == query.filter(few)
    inbox = lambda p: p.status == "inbox"  # noqa: E731
    assert query.filter(base, index=index, where=inbox) == query.filter([p for p in base if inbox(p)])


def test_index_matches_plain_filter_on_fixed_grouped_queries(library: Library, index: SearchIndex) -> None:
    base = list(library.papers.values())
    queries = ["diffusion OR reasoning", "zzqx OR quokka", "d OR lea", "e OR zzqx", "-(e OR zzqx)",
               "status:to-read OR status:reading", "diffusion OR tag:rl", "(tag:rl OR tag:agents) -survey",
               "(diffusion OR reasoning) agents", "-(diffusion OR robust) year>=2022", "-(-(learn))",
               "(status:read rating>=4) OR (status:to-read diffusion)", "((sparse OR dense) e) OR (zzqx -d)",
               "-(zzqx) OR -(e)", "-(learn OR zzqx) -(model OR d)", '"large language" OR straße', "🚀 OR ss",
               "(learn -model) OR (model -learn)", "-(learn model) OR status:read", "spiral OR (li -e)",
               "NOT learn", "e NOT (model OR zzqx)", "rating<3 OR learn", "rating:0 -e", "NOT rating<=4 e"]
    for text in queries:
        query = parse_query(text)
        for papers in (base, base[::3], base[::17]):
            assert query.filter(papers, index=index) == query.filter(papers), text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_index_matches_plain_filter_on_random_grouped_queries(
    library: Library, index: SearchIndex, data: st.DataObject
) -> None:
    text = data.draw(_grouped(library), label="query")
    base = list(library.papers.values())
    try:
        query = parse_query(text)
    except QueryError:
        reject()  # e.g. a corpus word like "(policy:" reads as an unknown field
    assert query.filter(base, index=index) == query.filter(base)
    assert query.filter(base[::3], index=index) == query.filter(base[::3])
    assert query.filter(base[::17], index=index) == query.filter(base[::17])
    inbox = lambda p: p.status == "inbox"  # noqa: E731
    assert query.filter(base, index=index, where=inbox) == query.filter([p for p in base if inbox(p)])
    outsider = Paper.create(title="Quokkafish outsider", abstract="learn model diffusion e d")
    with_outsider = [*base[::5], outsider]
    assert query.filter(with_outsider, index=index) == query.filter(with_outsider)


def test_index_follows_changes(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    write_library(list(generate_papers(120, seed=5)), path)
    lib = Library(path)
    index = SearchIndex(lib)
    index.build()
    target = next(iter(lib.papers))
    assert parse_query("quokkafish").filter(lib.papers.values(), index=index) == []

    SaveNote(target, "The quokkafish result").execute(lib)  # a new word, only in the note
    found = parse_query("quokkafish").filter(lib.papers.values(), index=index)
    assert [p.id for p in found] == [target]
    assert parse_query("-quokkafish").filter(lib.papers.values(), index=index) == [
        p for p in lib.papers.values() if p.id != target
    ]

    SaveNote(target, "").execute(lib)
    assert parse_query("quokkafish").filter(lib.papers.values(), index=index) == []

    report = ImportPapers([Paper.create(title="Quokkafish at scale", abstract="new paper")], "test").execute(lib).report
    found = parse_query("quokkafish").filter(lib.papers.values(), index=index)
    assert [p.id for p in found] == report.added

    Delete(report.added).execute(lib)
    assert parse_query("quokkafish").filter(lib.papers.values(), index=index) == []


def test_papers_the_index_has_not_seen_are_still_searched(library: Library, index: SearchIndex) -> None:
    outsider = Paper.create(title="Quokkafish outsider", abstract="never added to the library")
    papers = [*library.papers.values(), outsider]
    for text in ("quokkafish", "-quokkafish", "outsider never", "quokkafish OR zzqx", "-(quokkafish OR e)",
                 "(learn OR quokkafish) -model"):
        query = parse_query(text)
        assert query.filter(papers, index=index) == query.filter(papers)


def test_unbuilt_or_busy_index_falls_back_to_scanning(library: Library) -> None:
    index = SearchIndex(library)
    base = list(library.papers.values())
    query = parse_query("diffusion -robust")
    assert not index.ready
    assert query.filter(base, index=index) == query.filter(base)
    index.build()
    with index._lock:  # e.g. a background build still running
        assert query.filter(base, index=index) == query.filter(base)


def test_build_in_a_thread_while_searching(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    write_library(list(generate_papers(300, seed=9)), path)
    lib = Library(path)
    index = SearchIndex(lib)
    thread = threading.Thread(target=index.build)
    thread.start()
    query = parse_query("learn -model")
    expected = query.filter(lib.papers.values())
    while thread.is_alive():
        assert query.filter(lib.papers.values(), index=index) == expected
    thread.join()
    assert index.ready
    assert query.filter(lib.papers.values(), index=index) == expected


_EDIT_WORDS = ["straße", "STRASSE", "İzmir", "ıspanak", "ΟΔΟΣ", "σοφίας", "ﬁne", "naïve", "🚀", "quokkafish",
               "state-of-the-art,", "learning", "e", "x", "  ", "\n"]
_EDIT_QUERIES = ["strasse", "ss", "i̇zmir", "ı", "οδοσ", "ς", "fine", "🚀", "quokka", "learn", "-quokka", '"art, l"',
                 '"fish learning"', "e", "-e", '"straße ı"', "zzqx", "quokkafish OR οδοσ", "-(ss OR 🚀)",
                 '"e\nx"', '"ﬁne  e"', "status:read quokka", "x"]


@settings(max_examples=40, deadline=None)
@given(edits=st.lists(
    st.tuples(st.sampled_from(["title", "abstract", "note", "status", "delete", "add", "put back"]),
              st.integers(0, 10**6), st.lists(st.sampled_from(_EDIT_WORDS), min_size=1, max_size=4)),
    min_size=1, max_size=8,
))
def test_index_follows_random_changes(tmp_path_factory: pytest.TempPathFactory,
                                      edits: list[tuple[str, int, list[str]]]) -> None:
    """Texts edited, papers replaced by copies, deleted, added and put back after the index was built."""
    path = tmp_path_factory.mktemp("edits") / "library.json"
    write_library([*generate_papers(40, seed=3), *ODD_PAPERS], path)
    lib = Library(path)
    index = SearchIndex(lib)
    index.build()
    gone: list[Paper] = []
    for kind, pick, words in edits:
        text = " ".join(words).strip() or "x"
        ids = list(lib.papers)
        paper = lib.papers[ids[pick % len(ids)]]
        with lib.transaction() as tx:
            if kind in ("title", "abstract", "note"):
                tx.set(paper, {kind: text})
            elif kind == "status":  # a new object with the same texts
                tx.put(msgspec.structs.replace(paper, status="read" if paper.status != "read" else "inbox"))
            elif kind == "delete":
                tx.delete(paper.id)
                gone.append(paper)
            elif kind == "add":
                tx.put(Paper.create(title=f"Added {pick}: {text}", abstract=text, note=text))
            elif gone:
                tx.put(gone.pop())
        papers = list(lib.papers.values())
        for query in map(parse_query, _EDIT_QUERIES):
            assert query.filter(papers, index=index) == query.filter(papers), query.text
    assert len(index) == len(lib.papers)


def test_the_text_read_last_follows_edits_of_the_same_paper() -> None:
    """Several words of one query read a paper's text once; an edit in between is never served stale."""
    paper = Paper.create(title="Old Title", abstract="First abstract", note="", authors=["Ada"])
    assert search_text(paper) == haystack(paper)
    for field, value in (("title", "New Title"), ("abstract", "Second abstract"), ("note", "A note"),
                         ("authors", ["Bob"]), ("organization", "Spiral")):
        setattr(paper, field, value)
        assert search_text(paper) == haystack(paper), field
    other = Paper.create(title="Other", abstract="First abstract", note="", authors=["Ada"])
    assert search_text(other) == haystack(other)


def test_a_first_build_pauses_between_short_steps_and_builds_the_same_index(library: Library,
                                                                            index: SearchIndex) -> None:
    """The app's build thread gives way to keys between steps (readlist.app.foreground): it must be asked often."""
    from readlist.core import search_index

    pauses = 0

    def pause() -> None:
        nonlocal pauses
        pauses += 1

    paced = SearchIndex(library)
    paced.build(pause)
    assert pauses >= len(library.papers) // search_index._PAUSE_EVERY
    for needle in ("agent", "language", "e", "straße", "line two", "zzzq"):
        assert paced.acquire() and index.acquire()
        try:
            assert _slots_of(paced, needle) == _slots_of(index, needle)
        finally:
            paced.release()
            index.release()


def _slots_of(built: SearchIndex, needle: str) -> list[str] | None:
    found = built.match(needle)
    if found is None:
        return None
    return sorted(p.id for p, hit in zip(built._papers, found, strict=False) if hit and p is not None)
