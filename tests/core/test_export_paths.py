"""The short ways a whole-library export takes give, byte for byte, the text of the general ways.

An export of 100,000 papers skips work on what is plain already: entries written directly instead of through
bibtexparser's writer, titles without math protected without segment objects, clean text not rewritten,
CSL-JSON formatted in batches. Each is held here against the general way, on real papers (the seed copies
and the fixture pages), hand-made hard cases and generated hostile ones.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from functools import cache

import msgspec
import pytest
from bibtexparser.entrypoint import write_string
from bibtexparser.library import Library
from bibtexparser.middlewares import AddEnclosingMiddleware
from bibtexparser.model import Entry, Field
from bibtexparser.writer import BibtexFormat
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from readlist.core import cite, tex
from readlist.core.bibtex_out import BARE_FIELDS, biblatex_fields, bibtex_fields, write_entries
from readlist.core.citekeys import assign_keys
from readlist.core.csl import csl_item
from readlist.core.model import Paper
from readlist.core.reference import _checked_url, _cleaned_note, clean_field, clean_note, reference, safe_url
from readlist.core.text import clean_line, clean_lines, inert_json
from tests.core.test_cite import all_papers, hand_papers

# Characters that take every branch of the cleaning and encoding rules.
_HOSTILE = list("{}\\%&#_$~^@\"',=()[]<>|`*-:;.!? \t\n\r") + list("abcXYZ019") * 3 + list(
    "éüßαβΣω≤∞—…深🚀ễșıȷ\u00a0\u2003\u3000\u202e\u2066\x1b\x07\x9b\x85\u2028\u200b"
)
_WORDS = ["LLaMA", "GPT-4o", "E(3)", "C#", "C++", "A", "I", "R", "$x^2$", "$\\alpha$", "$ω$", "$é$", "and", "others",
          "{X}", "3D", "the", "Über", "naïve", "--", "@at", "(A)", "Stress-Testing", "$\\input{x}$", "$5", "$10"]


@cache
def hostile_papers() -> tuple[Paper, ...]:
    """Generated papers with every kind of field a source or a user can give, user data included."""
    rng = random.Random(20261201)
    papers: list[Paper] = []
    for n in range(600):
        def text(k: int) -> str:
            return " ".join(rng.choice(_WORDS) if rng.random() < 0.5 else
                            "".join(rng.choice(_HOSTILE) for _ in range(rng.randint(1, 8))) for _ in range(k))
        authors = [text(rng.randint(1, 3)) for _ in range(rng.randint(0, 4))]
        values: dict[str, object] = {"title": text(rng.randint(1, 10)), "authors": authors,
                                     "added": f"2025-02-01T10:00:{n % 60:02d}+00:00"}
        if rng.random() < 0.6:
            values["arxiv_id"] = rng.choice([f"25{rng.randint(1, 12):02d}.{n:05d}",
                                             f"hep-th/99{n % 12 + 1:02d}{n:03d}"])
        if rng.random() < 0.3:
            values["authors_count"] = len(authors) + rng.randint(0, 3)
        if rng.random() < 0.6:
            values["published"] = rng.choice(["2024", "2024-03", "2024-03-05", "1999-12-31", "2020-02-29"])
        if rng.random() < 0.7:
            values["abstract"] = text(rng.randint(0, 40))
        if rng.random() < 0.2:
            values["organization"] = rng.choice(["R&D Lab", "Café {X}", "Org and Co", text(2)])
        if rng.random() < 0.3:
            values["categories"] = rng.sample(["cs.LG", "cs.AI", "math.CO", "hep-th", " cs.CL "], rng.randint(1, 3))
        if rng.random() < 0.3:
            values["url"] = rng.choice(["https://huggingface.co/papers/x", "http://ex.org/a b{c}", "ftp://no",
                                        "HTTPS://EX.ORG/(x)", "https://[::1/", "https://ex.org/é?q=1#f"])
        if rng.random() < 0.2:
            values["upvotes"] = rng.randint(0, 500)
        if rng.random() < 0.1:
            values["doi"] = "10.1/" + text(1)
        if rng.random() < 0.3:
            values["tags"] = rng.sample(["rl", "café", "{x}", "to read"], rng.randint(1, 2))
            values["note"] = text(rng.randint(1, 20))
            values["rating"] = rng.randint(0, 5)
            values["status"] = rng.choice(["inbox", "to-read", "reading", "read", "skipped"])
        try:
            papers.append(Paper.create(**values))
        except ValueError:
            continue  # nothing left of the title once cleaned
    unique = {p.id: p for p in papers}
    return tuple(unique.values())


def every_paper() -> list[Paper]:
    unique: dict[str, Paper] = {}
    for paper in [*all_papers(), *hostile_papers()]:
        unique.setdefault(paper.id, paper)
    return list(unique.values())


def test_the_hostile_papers_take_every_way() -> None:
    titles = [clean_field(p.title) for p in hostile_papers()]
    assert any("$" in t for t in titles) and any(tex._PLAIN_TITLE.fullmatch(t) for t in titles)
    assert any("$" not in t and not tex._PLAIN_TITLE.fullmatch(t) for t in titles)
    assert any(p.note and p.tags for p in hostile_papers()) and len(hostile_papers()) > 500


# ---------------------------------------------------------------------------
# the BibTeX writer


def bibtexparser_text(papers: list[Paper], *, biblatex: bool, user_data: bool, complete: bool) -> str:
    """The same fields written by bibtexparser's writer, as every export was before."""
    keys = assign_keys(papers)
    build = biblatex_fields if biblatex else bibtex_fields
    library = Library()
    for paper in papers:
        entry_type, fields = build(reference(paper), user_data=user_data, complete=complete)
        library.add(Entry(entry_type, keys[paper.id], [
            Field(name, value, enclosing="no-enclosing" if name in BARE_FIELDS else None) for name, value in fields
        ]))
    fmt = BibtexFormat()
    fmt.indent = "  "
    fmt.block_separator = "\n"
    stack = [AddEnclosingMiddleware(reuse_previous_enclosing=False, enclose_integers=True, default_enclosing="{")]
    text: str = write_string(library, unparse_stack=stack, bibtex_format=fmt)
    return text


@pytest.mark.parametrize("biblatex", [False, True])
@pytest.mark.parametrize(("user_data", "complete"), [(False, False), (True, True), (False, True)])
def test_entries_are_written_as_bibtexparsers_writer_writes_them(biblatex: bool, user_data: bool,
                                                                  complete: bool) -> None:
    papers = every_paper()
    keys = assign_keys(papers)
    ours = write_entries([reference(p) for p in papers], [keys[p.id] for p in papers], biblatex=biblatex,
                         user_data=user_data, complete=complete)
    assert ours == bibtexparser_text(papers, biblatex=biblatex, user_data=user_data, complete=complete)
    assert "month = " in ours or biblatex  # the one bare macro is among them


def test_an_entry_at_a_time_is_the_whole_text_in_pieces() -> None:
    papers = every_paper()
    pieces = list(cite.iter_formatted(papers, "bibtex", complete=True))
    assert len(pieces) == len(papers)
    assert "".join(pieces) == bibtexparser_text(papers, biblatex=False, user_data=False, complete=True)


# ---------------------------------------------------------------------------
# titles


def segment_way(title: str, *, ascii_only: bool) -> str:
    """A title protected one word of segments at a time, its straight quotes paired first as the export pairs
    them."""
    quoted = tex.paired_quotes(title) or title
    quoted = tex.paired_single_quotes(quoted) or quoted
    if quoted == title:
        return tex._protect_segments(title, ascii_only=ascii_only)
    return tex.tex_quotes(tex._protect_segments(quoted, ascii_only=ascii_only))


@pytest.mark.parametrize("ascii_only", [True, False])
def test_titles_are_protected_as_the_segment_way_protects_them(ascii_only: bool) -> None:
    for paper in every_paper():
        title = clean_field(paper.title)
        assert tex.protect_title(title, ascii_only=ascii_only) == segment_way(title, ascii_only=ascii_only)


_TITLE_CHARS = st.one_of(st.sampled_from(list(" -:()[]'\"?!,.@`*+=/A-aZz019&%#{}$\\^_~|<>")),
                         st.sampled_from(["A", "I", "é", "Σ", "ω", "\u00a0"]), st.characters(codec="utf-8"))


@settings(max_examples=400, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(words=st.lists(st.one_of(st.sampled_from(_WORDS), st.text(_TITLE_CHARS, min_size=0, max_size=6)), max_size=8),
       ascii_only=st.booleans())
@example(words=["A", "(A)", "A:", "a", "A1", "aB", "(E(3))", "C#", "C++:", "I", "", "x"], ascii_only=True)
@example(words=['"I\'m', 'Not"', "Sure:", '"Quoted"', "Part"], ascii_only=False)
def test_any_title_is_protected_as_the_segment_way_protects_it(words: list[str], ascii_only: bool) -> None:
    title = " ".join(words)
    assert tex.protect_title(title, ascii_only=ascii_only) == segment_way(title, ascii_only=ascii_only)


def test_an_export_of_titles_without_math_makes_no_segments(monkeypatch: pytest.MonkeyPatch) -> None:
    """Splitting a title into segment objects, a list per word, was a third of an export of 100,000 papers:
    a title (or abstract) without ``$`` has no math to split off, and is protected without them."""
    plain = [p for p in every_paper()
             if "$" not in "".join([p.title, p.abstract, p.note, p.organization or "", *p.authors, *p.tags])]
    assert len(plain) > 200
    calls: list[str] = []
    real = tex.segments

    def counted(text: str) -> list[tex.Segment]:
        calls.append(text)
        return real(text)

    monkeypatch.setattr(tex, "segments", counted)
    for fmt in ("bibtex", "biblatex"):
        cite.format_entries(plain, fmt, user_data=True, complete=True)
    assert calls == []
    cite.format_entries([Paper.create(title="S$^{2}$FT: Scalable LLM Fine-tuning")], "bibtex")
    assert calls  # a title with math is still split


# ---------------------------------------------------------------------------
# cleaning


_TEXT = st.text(st.one_of(st.sampled_from(list(" \n\r\t\x0b\x1b\x85\u00a0\u2028\u202e\u3000ab{}")),
                          st.characters(codec="utf-8")), max_size=40)


@settings(max_examples=400, deadline=None, database=None)
@given(text=_TEXT)
@example(text="a \nb")
@example(text="\na")
@example(text="a\u00a0")
@example(text="a\u2028b")
def test_clean_text_is_kept_only_when_the_long_way_keeps_it(text: str) -> None:
    assert clean_note(text) == (_cleaned_note(text) if text else "")


@settings(max_examples=400, deadline=None, database=None)
@given(values=st.lists(_TEXT, max_size=5))
@example(values=[""])
@example(values=["a", ""])
@example(values=["a\nb"])
@example(values=["a ", "b"])
def test_lines_are_cleaned_as_one_at_a_time(values: list[str]) -> None:
    assert clean_lines(values) == tuple(n for n in (clean_line(v) if v else "" for v in values) if n)


@settings(max_examples=400, deadline=None, database=None)
@given(url=st.builds(lambda scheme, rest: scheme + rest,
                     st.sampled_from(["http://", "https://", "HTTP://", "ftp://", "", "https:", "javascript:"]),
                     st.text(st.one_of(st.sampled_from(list("[]:/?#@%&=+ {}\"'<>\\^`|~é")),
                                       st.characters(codec="utf-8")), max_size=30)))
@example(url="https://[::1/")
@example(url="https://ex.org/a b")
def test_urls_are_checked_as_the_long_way_checks_them(url: str) -> None:
    text = clean_field(url)
    assert safe_url(url) == (_checked_url(text) if text else None)


# ---------------------------------------------------------------------------
# CSL-JSON and RIS


def test_csl_json_in_batches_is_the_whole_array_formatted(monkeypatch: pytest.MonkeyPatch) -> None:
    papers = every_paper()
    keys = assign_keys(papers)
    items = [csl_item(reference(p), keys[p.id], user_data=True, complete=True) for p in papers]
    whole = inert_json(msgspec.json.format(msgspec.json.encode(items), indent=2)).decode("utf-8") + "\n"
    for batch in (1, 7, 1000):
        monkeypatch.setattr(cite, "_CSL_BATCH", batch)
        assert cite.format_entries(papers, "csl-json", keys=keys, user_data=True, complete=True) == whole


def test_ris_records_are_separated_by_one_blank_line() -> None:
    papers = every_paper()
    pieces: Iterator[str] = cite.iter_formatted(papers, "ris", user_data=True, complete=True)
    keys = assign_keys(papers)
    records = [cite.format_entries([p], "ris", keys=keys, user_data=True, complete=True)
               for p in papers]
    assert "".join(pieces) == "\n".join(records)


def test_a_key_given_twice_is_refused_as_bibtexparsers_library_refused_it() -> None:
    one, two = hand_papers()[:2]
    with pytest.raises(ValueError, match="duplicate"):
        write_entries([reference(one), reference(two)], ["same", "same"], biblatex=False)
