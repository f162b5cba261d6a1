"""Citation keys: readable, never a placeholder, stable once stored, unique in the library."""

from __future__ import annotations

import pytest

from readlist.core.citekeys import assign_keys, key_base, keys_to_store, taken_keys, validate_key
from readlist.core.model import Paper, ValidationError


def test_keys_read_family_name_year_and_first_significant_word() -> None:
    paper = Paper.create(title="The Main Theorem of Sparse Models", authors=["Julien Flamant", "B C"],
                         published="2023-04")
    assert key_base(paper) == "flamant2023main"
    accented = Paper.create(title="Über Modelle", authors=["José Pérez-García Jr."], arxiv_id="1905.00042")
    assert key_base(accented) == "perezgarcia2019uber"  # suffix skipped, accents folded, year from the id
    assert key_base(Paper.create(title="A Study", authors=["Ludwig van Beethoven"])) == "beethovenstudy"
    assert key_base(Paper.create(title="S$^{2}$FT: Sparse", authors=["Ada Lovelace"])) == "lovelaces2ft"
    assert key_base(Paper.create(title="$\\textbf{Only-IF}$:Revealing", authors=["Ada Lovelace"])) == (
        "lovelaceonly")


def test_without_authors_the_organization_then_the_title_lead() -> None:
    org = Paper.create(title="Combinatorial Creativity", organization="Spiral Works", published="2025")
    assert key_base(org) == "spiralworks2025combinatorial"
    counted = Paper.create(title="Data Factors for Better Compositional Generalization", authors_count=3,
                           published="2023-11-07")
    assert key_base(counted) == "data2023factors"
    assert key_base(Paper.create(title="Towards Alignment")) == "alignment"
    assert key_base(Paper.create(title="大型语言模型")).startswith("paper")  # no ASCII word: still a real key
    dated = Paper.create(title="深度学习", published="2020")
    assert key_base(dated) == "paper" + dated.id.replace("-", "")  # not the bare year "2020"
    for paper in (org, counted):
        assert "anon" not in key_base(paper)


@pytest.mark.parametrize(
    ("title", "key"),
    [
        ("Experts Don't Cheat: Learning What You Don't Know", "expertsdont"),
        ("Experts Don\u2019t Cheat", "expertsdont"),  # a typographic apostrophe is the same
        ("'Quoted' Words in a Title", "quotedwords"),  # quotes around a word still end it
    ],
)
def test_an_apostrophe_inside_a_word_does_not_cut_it(title: str, key: str) -> None:
    assert key_base(Paper.create(title=title)) == key


def test_stored_keys_are_kept_and_new_keys_avoid_every_taken_key() -> None:
    kept = Paper.create(title="Scaling Up", authors=["B Smith"], arxiv_id="2001.00002", cite_key="MyOwnKey")
    new = Paper.create(title="Scaling Laws", authors=["A Smith"], arxiv_id="2001.00001")
    other = Paper.create(title="Scaling Laws Again", authors=["C Smith"], arxiv_id="2001.00003")
    keys = assign_keys([kept, new], taken={"MyOwnKey", "SMITH2020SCALING"})
    assert keys == {"2001.00002": "MyOwnKey", "2001.00001": "smith2020scalinga"}  # taken compares case-blind
    assert assign_keys([new, other]) == {"2001.00001": "smith2020scalinga", "2001.00003": "smith2020scalingb"}
    assert assign_keys([other, new]) == assign_keys([new, other])  # order given does not matter
    assert keys_to_store([kept, new], keys) == {"2001.00001": "smith2020scalinga"}
    assert taken_keys([kept, new]) == {"MyOwnKey"}


def test_a_key_held_twice_in_a_damaged_library_is_given_once() -> None:
    a = Paper.create(title="One", authors=["A Lee"], arxiv_id="2001.00001", cite_key="lee")
    b = Paper.create(title="Two", authors=["B Lee"], arxiv_id="2001.00002", cite_key="lee")
    keys = assign_keys([a, b])
    assert keys["2001.00001"] == "lee" and keys["2001.00002"] != "lee"


@pytest.mark.parametrize("key", ["smith2020", "Smith_2020", "DBLP:journals/corr/abs-2302-13971", "a.b+c", "_x",
                                 "2020scaling"])
def test_valid_user_keys(key: str) -> None:
    assert validate_key(f"  {key} ") == key


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("", "cannot be empty"),
        ("two words", "not a usable citation key"),
        ("a,b", "not a usable"),
        ("a{b}", "not a usable"),
        ("100%", "not a usable"),
        ("a#b", "not a usable"),
        ("a\\b", "not a usable"),
        ("a~b", "not a usable"),
        ("müller2020", "not a usable"),  # bibtex is byte-oriented: keys stay ASCII
        ("smith2020.", "not a usable"),  # pandoc would read the trailing dot as punctuation
        ("a--b", "not a usable"),  # pandoc's @a--b cites "a"
        ("a:/b", "not a usable"),
        ("k" * 101, "at most 100"),
    ],
)
def test_invalid_user_keys_are_refused_with_a_reason(key: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        validate_key(key)


@pytest.mark.parametrize("key", ["a--b", "a:/b"])
def test_the_reason_for_doubled_punctuation_names_the_rule_it_breaks(key: str) -> None:
    """`a--b` keeps every rule of a shorter reason (ASCII, starts and ends with a letter), so the reason names
    the one it breaks: one of - : . / + at a time."""
    with pytest.raises(ValidationError) as refused:
        validate_key(key)
    assert "with one of - : . / + at a time between them" in str(refused.value)


def test_a_user_key_may_not_be_another_papers_key() -> None:
    with pytest.raises(ValidationError, match="already used by another paper"):
        validate_key("Smith2020", taken={"smith2020"})


@pytest.mark.parametrize("fmt", ["bibtex", "biblatex", "ris", "csl-json", "markdown", "text"])
def test_an_unusable_stored_key_is_replaced_in_every_format(fmt: str) -> None:
    """A key from a hand-edited or shared library is written bare: escapes in it must never reach a terminal."""
    from msgspec.structs import replace

    from readlist.core.cite import format_entries

    clean = Paper.create(title="Scaling Laws", authors=["Jane Smith"], published="2020")
    hostile = [replace(clean, cite_key=key) for key in (
        "k\x1b]0;OWNED\x07\x1b]52;c;SGFja2Vk\x07", "key\x1b[31m", "two words", "x" * 101, "{brace}",
    )]
    for paper in hostile:
        assert assign_keys([paper]) == {paper.id: "smith2020scaling"}
        out = format_entries([paper], fmt)
        assert "\x1b" not in out and "\x07" not in out and "OWNED" not in out
    assert keys_to_store(hostile[:1], assign_keys(hostile[:1])) == {}  # the stored one is left for the user
    kept = replace(clean, cite_key="DBLP:journals/corr/Smith20")
    assert assign_keys([kept]) == {kept.id: "DBLP:journals/corr/Smith20"}
