"""Citation rendering: keys, escaping, and BibTeX round trips through bibtexparser v2."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import unicodedata
import warnings
from datetime import date
from functools import cache
from pathlib import Path

import bibtexparser
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from readlist.core.cite import (
    FORMATS,
    biblatex_entry,
    bibtex_entry,
    citation_keys,
    clean_field,
    csl_items,
    format_entries,
    key_base,
    markdown_entry,
    text_entry,
)
from readlist.core.model import Paper
from readlist.core.names import person as name_parts
from readlist.core.reference import reference
from readlist.core.tex import decode, typeset_dashes
from readlist.importers import ImportFormatError, bibtex, parse_input

FIXTURES = Path(__file__).parent.parent / "fixtures"
SEEDS = sorted((FIXTURES / "seeds").glob("*.txt"))
PAGES = sorted((FIXTURES / "pages").glob("*.html"))
TODAY = date(2025, 12, 20)


@cache
def seed_papers() -> tuple[Paper, ...]:
    papers: dict[str, Paper] = {}
    for seed in SEEDS:
        for paper in parse_input(seed.read_bytes(), source=seed.name, today=TODAY).papers:
            papers.setdefault(paper.id, paper)
    return tuple(sorted(papers.values(), key=lambda p: p.id))


@cache
def page_papers() -> tuple[Paper, ...]:
    """Papers from the real HTML pages, once their importers exist in this build."""
    papers: dict[str, Paper] = {}
    for page in PAGES:
        try:
            result = parse_input(page.read_bytes(), source=page.name, today=TODAY)
        except ImportFormatError:
            continue
        for paper in result.papers:
            papers.setdefault(paper.id, paper)
    return tuple(sorted(papers.values(), key=lambda p: p.id))


def hand_papers() -> list[Paper]:
    """Papers with names and arXiv ids, as the HTML importers produce them."""
    return [
        Paper.create(
            title="LLaMA: Open and Efficient Foundation Language Models",
            authors=["Hugo Touvron", "Thibaut Lavril", "Gautier Izacard", "Xavier Martinet"],
            arxiv_id="2302.13971",
            published="2023-02-27",
            url="https://huggingface.co/papers/2302.13971",
            added="2025-01-02T10:00:00+00:00",
        ),
        Paper.create(
            title="Über die Äquivalenz von 100% & #1 $x_y$ {braces} \\cmd ~ ^ Modellen",
            authors=["José Pérez-García Jr.", "Zoë Ødegård", "Łukasz Kaiser"],
            arxiv_id="1905.00042",
            published="2019-05-05",
        ),
        Paper.create(
            title="On the Theory of Everything",
            authors=["Ada Lovelace"],
            arxiv_id="hep-th/9901001",
            published="1999-01-01",
        ),
        Paper.create(
            title="The Art of Research and Development", organization="R&D Lab and Friends", published="2024-05-01"
        ),
        Paper.create(title="A Paper With Seven Authors", authors_count=7, published="2025-07-17"),
        Paper.create(title="Towards an Unknown Author"),
    ]


def all_papers() -> list[Paper]:
    """Seeds, fixture pages and hand-built papers, one per id (format_entries drops repeats)."""
    unique: dict[str, Paper] = {}
    for paper in [*seed_papers(), *page_papers(), *hand_papers()]:
        unique.setdefault(paper.id, paper)
    return list(unique.values())


def parse_ok(text: str) -> bibtexparser.Library:
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks, [b.error for b in library.failed_blocks]
    return library


# ---------------------------------------------------------------------------
# round trips


def test_seed_set_is_complete() -> None:
    assert len(seed_papers()) == 196


@pytest.mark.parametrize("fmt", ["bibtex", "biblatex"])
def test_every_paper_round_trips_through_bibtexparser(fmt: str) -> None:
    papers = all_papers()
    library = parse_ok(format_entries(papers, fmt))
    assert len(library.entries) == len(papers) >= 196 + len(hand_papers())
    keys = [e.key for e in library.entries]
    assert len(set(keys)) == len(keys)
    for entry, paper in zip(library.entries, papers, strict=True):
        fields = entry.fields_dict
        # The title as recorded, its TeX outside math as a reader sees it (Schr\"odinger is Schrödinger).
        assert decode(fields["title"].value) == reference(paper).tex_title, entry.key
        if fmt == "bibtex":
            # The year is written whenever it is known, from the record or from the arXiv id.
            assert fields["year"].value == str(paper.year) if paper.year else "year" not in fields
            assert ("month" in fields) == (paper.month is not None)
            assert (fields["date"].value if "date" in fields else None) == paper.published
        else:
            assert (fields["date"].value if "date" in fields else None) == (paper.date.iso() if paper.date else None)
        if paper.arxiv_id:
            assert decode(fields["eprint"].value) == paper.arxiv_id
        else:
            assert "eprint" not in fields


def test_page_papers_are_included_when_importers_exist() -> None:
    """Documents whether the HTML fixtures took part in the round trip above."""
    if not page_papers():
        pytest.skip("HTML importers not available yet; hand-built papers stand in for them")
    assert any(p.authors for p in page_papers())
    assert any(p.arxiv_id for p in page_papers())


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=st.text(
        alphabet=st.one_of(
            st.sampled_from(list("{}\\%&#_$~^@\"',=()[]<>|`*\x1b\x07\x00\x9b\u202e \t\n")),
            st.characters(codec="utf-8"),  # no lone surrogates
        ),
        min_size=1,
        max_size=60,
    ),
    author=st.text(st.sampled_from(list("Ab {}\\%&,and ")), max_size=20),
)
@example(title="\uf900", author="")
def test_hostile_titles_still_parse_and_round_trip(title: str, author: str) -> None:
    try:
        paper = Paper.create(title=title, authors=[author] if author.strip() else [], arxiv_id="2401.00001",
                      published="2024-01-02")
    except ValueError:
        return  # nothing left of the title once cleaned: not a paper
    entries = [format_entries([paper], "bibtex"), format_entries([paper], "biblatex")]
    assert not any("\x1b" in e or "\x07" in e for e in entries)
    cited = unicodedata.normalize("NFC", reference(paper).tex_title)
    for entry in (e for text in entries for e in parse_ok(text).entries):
        # Exports are NFC (see readlist.core.tex): a compatibility ideograph such as U+F900 comes back unified.
        assert decode(entry.fields_dict["title"].value) == cited
        assert "\x1b" not in entry.fields_dict["title"].value
        assert entry.fields_dict["eprint"].value == "2401.00001"
        value = entry.fields_dict["title"].value
        # Balanced for BibTeX's own brace counter, which does not honour backslashes.
        depth = 0
        for ch in value:
            depth += {"{": 1, "}": -1}.get(ch, 0)
            assert depth >= 0
        assert depth == 0
    for fmt in ("bibtex", "biblatex"):  # readlist reads its own export back with the title as recorded
        (back,) = bibtex.parse(format_entries([paper], fmt, complete=True)).papers
        assert back.title == unicodedata.normalize("NFC", clean_field(paper.title))


def test_ansi_sequences_are_removed_not_just_their_escape_byte() -> None:
    paper = Paper(**{"id": "x", "title": "Red \x1b[31mAlert\x1b[0m \x1b]8;;http://evil\x07link"})
    out = format_entries([paper], "bibtex")
    assert "[31m" not in out and "evil" not in out
    assert "title = {Red Alert link}" in out


# ---------------------------------------------------------------------------
# keys


def test_key_rules() -> None:
    llama, accents, old, org, count, anon = hand_papers()
    assert key_base(llama) == "touvron2023llama"
    assert key_base(accents) == "perezgarcia2019uber"  # suffix skipped, accents folded, stop words skipped
    assert key_base(old) == "lovelace1999theory"  # "On", "the" skipped
    assert key_base(org) == "rdlabandfriends2024art"
    # Without authors or organization the title leads, never a placeholder such as "anon".
    assert key_base(count) == "paper2025seven"
    assert key_base(anon) == "unknownauthor"  # no year known: none invented


def test_colliding_keys_get_stable_letter_suffixes() -> None:
    a = Paper.create(title="Scaling Laws", authors=["A Smith"], published="2020-01-01", arxiv_id="2001.00002")
    b = Paper.create(title="Scaling Up", authors=["B Smith"], published="2020-05-01", arxiv_id="2001.00001")
    c = Paper.create(title="Other", authors=["C Jones"], published="2020-05-01")
    keys = citation_keys([a, b, c])
    assert keys == {"2001.00001": "smith2020scalinga", "2001.00002": "smith2020scalingb", c.id: "jones2020other"}
    assert citation_keys([c, b, a]) == keys  # order given does not matter
    assert len(set(citation_keys(seed_papers()).values())) == 196


def test_suffix_never_collides_with_a_natural_key() -> None:
    a = Paper.create(title="Data", authors=["X Lee"], published="2020-01-01", arxiv_id="2001.00001")
    b = Paper.create(title="Data", authors=["Y Lee"], published="2020-01-01", arxiv_id="2001.00002")
    c = Paper.create(title="Dataa", authors=["Z Lee"], published="2020-01-01", arxiv_id="2001.00003")
    keys = citation_keys([a, b, c])
    assert len(set(keys.values())) == 3


def test_keys_are_plain_ascii() -> None:
    for key in citation_keys(all_papers()).values():
        assert re.fullmatch(r"[a-z][a-z0-9]*", key), key


# ---------------------------------------------------------------------------
# content


def test_bibtex_entry_shape() -> None:
    llama = hand_papers()[0]
    assert bibtex_entry(llama) == (
        "@misc{touvron2023llama,\n"
        "  title = {{LLaMA}: Open and Efficient Foundation Language Models},\n"
        "  author = {Hugo Touvron and Thibaut Lavril and Gautier Izacard and Xavier Martinet},\n"
        "  year = {2023},\n"
        "  month = feb,\n"
        "  date = {2023-02-27},\n"
        "  eprint = {2302.13971},\n"
        "  archivePrefix = {arXiv},\n"
        "  url = {https://arxiv.org/abs/2302.13971},\n"
        "  howpublished = {arXiv preprint arXiv:2302.13971}\n"
        "}"
    )


def test_biblatex_uses_online_with_eprint_and_date() -> None:
    out = format_entries([hand_papers()[0]], "biblatex")
    assert out.startswith("@online{touvron2023llama,")
    for line in ("eprinttype = {arxiv}", "eprint = {2302.13971}", "date = {2023-02-27}", "urldate = {2025-01-02}"):
        assert line in out


def test_old_style_ids_give_primary_class() -> None:
    old = hand_papers()[2]
    assert "primaryClass = {hep-th}" in format_entries([old], "bibtex")
    assert "eprintclass = {hep-th}" in format_entries([old], "biblatex")


def test_authors_are_never_invented() -> None:
    _, accents, _, org, count, anon = hand_papers()
    # BibTeX gets TeX for accents (bibtex is byte-oriented), BibLaTeX UTF-8 (biber reads it).
    tex_names = "P{\\'e}rez-Garc{\\'i}a, Jr., Jos{\\'e} and Zo{\\\"e} {\\O}deg{\\r{a}}rd and {\\L}ukasz Kaiser"
    assert f"author = {{{tex_names}}}" in bibtex_entry(accents)
    utf8_names = "Pérez-García, Jr., José and Zoë Ødegård and Łukasz Kaiser"
    assert f"author = {{{utf8_names}}}" in format_entries([accents], "biblatex")
    # One name: braced groups side by side, so that alpha-style labels ("R&D") never cut the command.
    assert "author = {{R}{\\&}{D Lab and Friends}}" in bibtex_entry(org)
    assert "author = {{R{\\&}D Lab and Friends}}" in format_entries([org], "biblatex")
    counted = bibtex_entry(count)
    assert "author =" not in counted and "note = {7 authors; names not recorded in the source}" in counted
    assert "author =" not in bibtex_entry(anon) and "note" not in bibtex_entry(anon)
    # Text copies only have a count: the entry still parses, with no author field.
    seed = next(p for p in seed_papers() if p.authors_count and not p.organization)
    assert "author =" not in format_entries([seed], "biblatex")


def test_non_ascii_is_tex_in_bibtex_and_utf8_in_biblatex() -> None:
    paper = hand_papers()[1]
    bibtex, biblatex = bibtex_entry(paper), format_entries([paper], "biblatex")
    assert "{\\\"U}ber die {\\\"A}quivalenz" in bibtex and bibtex.isascii()
    assert "Über die Äquivalenz" in biblatex
    # The braces group, as TeX reads them (and the other formats show them); an unknown command is kept as typed.
    specials = "100{\\%} {\\&} {\\#}1 {$x_y$} braces {\\textbackslash}cmd"
    assert specials in bibtex and specials in biblatex
    for text in (bibtex, biblatex):
        assert decode(parse_ok(text).entries[0].fields_dict["title"].value) == paper.title.replace("{braces}", "braces")


@pytest.mark.parametrize(
    ("title", "bibtex_title", "biblatex_title"),
    [
        ('On the Schr\\"odinger Equation', 'On the Schr{\\"o}dinger Equation', "On the Schrödinger Equation"),
        ("Caf\\'e and \\'Etude: Q\\&A", "Caf{\\'e} and {\\'E}tude: {Q{\\&}A}", "Café and Étude: {Q{\\&}A}"),
        ("When \\emph{not} to Trust $\\ell_1$", "When not to Trust {$\\ell_1$}", "When not to Trust {$\\ell_1$}"),
        ("We Propose \\ours{} Now", "We Propose {\\textbackslash}ours Now", "We Propose {\\textbackslash}ours Now"),
        ("Unpaired {Brace", "Unpaired {\\textbraceleft}Brace", "Unpaired {\\textbraceleft}Brace"),
    ],
)
def test_tex_outside_math_is_written_as_it_prints(title: str, bibtex_title: str, biblatex_title: str) -> None:
    """arXiv writes titles in TeX outside math too; the exports wrote that as text, so LaTeX printed
    ``Schr\\"odinger`` as typed. It is written as the letters it makes, and the complete export keeps the title as
    recorded in ``readlist-title``, which readlist reads back."""
    paper = Paper.create(title=title, authors=["Ada Lovelace"], arxiv_id="2401.00001")
    for fmt, expected in (("bibtex", bibtex_title), ("biblatex", biblatex_title)):
        (entry,) = parse_ok(format_entries([paper], fmt)).entries
        assert entry.fields_dict["title"].value == expected
        assert "readlist-title" not in entry.fields_dict  # a citation to paste carries none of readlist's fields
        complete = format_entries([paper], fmt, complete=True)
        assert ("readlist-title" in complete) == (reference(paper).tex_title != title)
        assert bibtex.parse(complete).papers[0].title == title


def test_markdown_and_text() -> None:
    llama, accents, _, org, count, anon = hand_papers()
    assert markdown_entry(llama) == (
        "[LLaMA: Open and Efficient Foundation Language Models](https://arxiv.org/abs/2302.13971)"
        " — Hugo Touvron et al., 2023"
    )
    assert markdown_entry(count) == "A Paper With Seven Authors — 7 authors, 2025"
    assert markdown_entry(anon) == "Towards an Unknown Author"
    # Math rendered, a command it does not know kept as written (it prints so from the BibTeX export), specials escaped.
    assert "100% & #1 x\\_y braces \\\\cmd \\~ ^ Modellen" in markdown_entry(accents)
    assert markdown_entry(Paper.create(title="Fares of $5 and $10")) == "Fares of \\$5 and \\$10"
    # APA 7 for a preprint, rendered by citeproc-py: "(arXiv:ID). arXiv." then the link.
    assert text_entry(llama) == (
        "Touvron, H., Lavril, T., Izacard, G., & Martinet, X. (2023). LLaMA: Open and Efficient Foundation "
        "Language Models (arXiv:2302.13971). arXiv. https://arxiv.org/abs/2302.13971"
    )
    assert text_entry(org) == "R&D Lab and Friends. (2024). The Art of Research and Development."
    assert text_entry(count) == "A Paper With Seven Authors. (2025)."
    assert text_entry(anon) == "Towards an Unknown Author. (n.d.)."


def test_markdown_neutralises_links_and_html() -> None:
    evil = Paper.create(title="[click](javascript:alert(1)) <img src=x onerror=alert(1)>", url="javascript:alert(1)")
    out = markdown_entry(evil)
    assert out == "\\[click\\](javascript:alert(1)) \\<img src=x onerror=alert(1)\\>"
    spaced = Paper.create(title="T", url="https://example.org/a b)c")
    assert markdown_entry(spaced) == "[T](https://example.org/a%20b%29c)"


def test_format_entries_contract() -> None:
    papers = hand_papers()
    for fmt in FORMATS:
        out = format_entries([*papers, papers[0]], fmt)
        assert out.endswith("\n") and "\x1b" not in out
        assert out == format_entries(papers, fmt)  # duplicates dropped
    assert format_entries([], "bibtex") == ""
    assert format_entries(papers[:2], "markdown").startswith("- [LLaMA")
    with pytest.raises(ValueError, match="unknown citation format"):
        format_entries(papers, "docx")


def test_impossible_dates_keep_the_year_only() -> None:
    paper = Paper.create(title="Odd Date", published="2023-13-45")
    assert "month" not in bibtex_entry(paper) and "year = {2023}" in bibtex_entry(paper)
    assert "date = {2023}" in format_entries([paper], "biblatex")


# ---------------------------------------------------------------------------
# dates in every format


def dated(published: str | None, arxiv_id: str | None = None) -> Paper:
    return Paper.create(title="Dated Paper", authors=["Ada Lovelace"], published=published, arxiv_id=arxiv_id)


def test_every_format_writes_exactly_the_known_precision() -> None:
    year, month, day = dated("2023"), dated("2023-11"), dated("2023-11-05")
    bib = {p.published: bibtex_entry(p) for p in (year, month, day)}
    assert "year = {2023}" in bib["2023"] and "month" not in bib["2023"]  # never an invented January
    assert "month = nov" in bib["2023-11"] and "date = {2023-11}" in bib["2023-11"]
    assert "month = nov" in bib["2023-11-05"] and "date = {2023-11-05}" in bib["2023-11-05"]
    for paper in (year, month, day):
        assert f"date = {{{paper.published}}}" in format_entries([paper], "biblatex")
        assert csl_items([paper])[0]["issued"] == {"date-parts": [[int(x) for x in paper.published.split("-")]]}
    ris = {p.published: format_entries([p], "ris") for p in (year, month, day)}
    assert "PY  - 2023\n" in ris["2023"] and "DA  -" not in ris["2023"]
    assert "DA  - 2023/11//\n" in ris["2023-11"] and "DA  - 2023/11/05/\n" in ris["2023-11-05"]


def test_a_date_known_only_from_the_arxiv_id_is_written_and_marked() -> None:
    paper = dated(None, "2011.00552")
    bib = bibtex_entry(paper)
    assert "year = {2020}" in bib and "month = nov" in bib
    assert "readlist-date = {arxiv-id}" in format_entries([paper], "bibtex", complete=True)
    assert "\n  date =" not in bib  # no source gave a date
    assert "date = {2020-11}" in format_entries([paper], "biblatex")
    assert csl_items([paper])[0]["issued"] == {"date-parts": [[2020, 11]]}
    assert "PY  - 2020\nDA  - 2020/11//\n" in format_entries([paper], "ris")
    assert markdown_entry(paper).endswith(", 2020") and "(2020)" in text_entry(paper)


# ---------------------------------------------------------------------------
# CSL-JSON, RIS, BibLaTeX details

# The CSL-JSON schema (citation-style-language/schema, csl-data.json) for the fields readlist writes.
CSL_STRING = {"id", "type", "title", "number", "publisher", "URL", "DOI", "abstract", "note", "keyword", "annote"}
CSL_TYPES = {"article", "article-journal", "webpage", "report", "paper-conference"}
CSL_NAME_PARTS = {"family", "given", "non-dropping-particle", "dropping-particle", "suffix", "literal"}


def check_csl_item(item: dict[str, object]) -> None:
    assert {"id", "type"} <= item.keys()
    assert item.keys() <= CSL_STRING | {"author", "issued", "accessed", "custom"}, item.keys()
    assert item["type"] in CSL_TYPES
    for name in CSL_STRING & item.keys():
        assert isinstance(item[name], str) and item[name], name
    for name in ("issued", "accessed"):
        if name in item:
            date_value = item[name]
            assert isinstance(date_value, dict) and date_value.keys() == {"date-parts"}
            parts = date_value["date-parts"]
            assert isinstance(parts, list) and len(parts) == 1 and 1 <= len(parts[0]) <= 3
            assert all(isinstance(p, int) for p in parts[0])
    for person in item.get("author", []):  # type: ignore[attr-defined]
        assert person and person.keys() <= CSL_NAME_PARTS and all(isinstance(v, str) and v for v in person.values())
        assert ("literal" in person) != ("family" in person)
    if "custom" in item:
        assert isinstance(item["custom"], dict)


def test_csl_json_has_the_schema_shape_and_citeproc_reads_it() -> None:
    from citeproc.source.json import CiteProcJSON

    papers = all_papers()
    items = json.loads(format_entries(papers, "csl-json", user_data=True, complete=True))
    assert len(items) == len(papers)
    for item in items:
        check_csl_item(item)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # citeproc-py has no use for "custom" and says so
        source = CiteProcJSON(items)
    assert len(source) == len(items)
    llama, accents, _old, org, count, anon = csl_items(hand_papers())
    assert llama["author"][0] == {"family": "Touvron", "given": "Hugo"}
    assert accents["author"][0] == {"family": "Pérez-García", "given": "José", "suffix": "Jr."}
    assert org["author"] == [{"literal": "R&D Lab and Friends"}]
    assert llama["number"] == "arXiv:2302.13971" and llama["publisher"] == "arXiv"
    assert "author" not in count and count["note"] == "7 authors; names not recorded in the source"
    assert "issued" not in anon


def test_ris_records_are_well_formed() -> None:
    note = "first line\nER  - not the end\nAU  - not an author\n  indented"
    paper = Paper.create(title="T", authors=["Ludwig van Beethoven", "José Pérez-García Jr."], arxiv_id="2401.00001",
                         published="2024-01-02", tags=["rl", "agents"], note=note, abstract="One.\n\nTwo.")
    text = format_entries([paper, *hand_papers()], "ris", user_data=True, complete=True)
    records = text.strip("\n").split("\n\n")
    assert len(records) == 1 + len(hand_papers())
    for record in records:
        lines = record.split("\n")
        assert lines[0] == "TY  - UNPB" and lines[-1] == "ER  - "
        assert sum(1 for line in lines if line.startswith("ER  -")) == 1
    first = records[0].split("\n")
    assert "AU  - van Beethoven, Ludwig" in first and "AU  - Pérez-García, José, Jr." in first
    assert "KW  - agents" in first and "KW  - rl" in first and "AB  - One. Two." in first
    assert "M1  - arXiv:2401.00001" in first and "DA  - 2024/01/02/" in first
    assert " AU  - not an author" in first  # a note line that looks like a tag is indented


def test_biblatex_online_with_eprint_class_from_the_primary_category() -> None:
    paper = Paper.create(title="T", authors=["A B"], arxiv_id="2401.00001", categories=["cs.CL", "cs.LG"],
                         published="2024-01")
    out = format_entries([paper], "biblatex")
    assert out.startswith("@online{b2024t,")
    for line in ("eprinttype = {arxiv}", "eprint = {2401.00001}", "eprintclass = {cs.CL}", "date = {2024-01}"):
        assert line in out
    assert "primaryClass = {cs.CL}" in bibtex_entry(paper)


def test_urls_are_written_byte_for_byte() -> None:
    url = "https://example.org/paper_(18)?q=a%20b&x=~y#sec"
    paper = Paper.create(title="T", url=url)
    assert f"url = {{{url}}}" in bibtex_entry(paper) and f"url = {{{url}}}" in format_entries([paper], "biblatex")
    assert csl_items([paper])[0]["URL"] == url
    assert f"UR  - {url}\n" in format_entries([paper], "ris")
    # Markdown alone encodes parentheses, which would end the link.
    assert "(https://example.org/paper_%2818%29?q=a%20b&x=~y#sec)" in markdown_entry(paper)
    assert "url" not in bibtex_entry(Paper.create(title="T", url="javascript:alert(1)"))


def test_plain_text_follows_apa_for_many_and_missing_authors() -> None:
    many = Paper.create(title="Big Team", authors=[f"Given{i} Family{i}" for i in range(25)], published="2024")
    text = text_entry(many)
    assert text.startswith("Family0, G., Family1, G.,") and "Family18, G., … Family24, G. (2024)." in text
    assert "Family19" not in text
    assert text_entry(Paper.create(title="Are Models Robust?", published="2020")) == "Are Models Robust? (2020)."


def test_plain_text_formats_render_title_math_and_tex_formats_keep_it() -> None:
    """pandoc and Zotero take a CSL-JSON or RIS title as plain text: ``S$^{2}$FT`` would show its dollars."""
    paper = Paper.create(title="S$^{2}$FT: Efficient $\\Omega$-Tuning with $\\textbf{Only-IF}$", arxiv_id="2412.06289",
                         authors=["Ada Lovelace"], published="2024-12")
    plain = "S²FT: Efficient Ω-Tuning with Only-IF"
    assert csl_items([paper])[0]["title"] == ('<span class="nocase">S²FT</span>: Efficient <span class="nocase">'
                                              'Ω-Tuning</span> with <span class="nocase">Only-IF</span>')
    assert f"TI  - {plain}\n" in format_entries([paper], "ris")
    assert markdown_entry(paper).startswith(f"[{plain}](https://arxiv.org/abs/2412.06289)")
    assert plain in text_entry(paper)
    assert "S$^{2}$FT" in bibtex_entry(paper) and "S$^{2}$FT" in format_entries([paper], "biblatex")


def test_plain_text_formats_space_math_operators_as_tex_does() -> None:
    """``O(n\\log n)`` read ``O(nlog n)`` in every format that renders the title's math."""
    paper = Paper.create(title="Sorting in $O(n\\log n)$ with $\\max$-Heaps", authors=["Ada Lovelace"],
                         arxiv_id="2401.00001")
    plain = "Sorting in O(n log n) with max-Heaps"
    csl_title = json.loads(format_entries([paper], "csl-json"))[0]["title"]
    assert csl_title == 'Sorting in <span class="nocase">O(n log n)</span> with <span class="nocase">max-Heaps</span>'
    assert f"TI  - {plain}\n" in format_entries([paper], "ris")
    assert plain in text_entry(paper) and plain in markdown_entry(paper)
    assert "$O(n\\log n)$" in bibtex_entry(paper)  # TeX sets it there


def test_a_csl_json_title_keeps_the_case_of_each_word_that_was_math() -> None:
    """Rendered to plain text, math reads as words: pandoc's title-case styles printed "An O(n Log n) Algorithm" and
    "Fast k-Means"; the BibTeX export braces these words whole, the CSL-JSON export marks them."""
    paper = Paper.create(title="Fast $k$-means in $O(n \\log n)$: Sorting with $\\alpha$-Divergence and "
                               "$\\log n$ Rounds", authors=["Ada Lovelace"], arxiv_id="2401.00001")
    nocase = '<span class="nocase">{}</span>'.format
    assert csl_items([paper])[0]["title"] == (
        f"Fast {nocase('k-means')} in {nocase('O(n log n)')}: Sorting with {nocase('α-Divergence')} and "
        f"{nocase('log n')} Rounds")
    assert "TI  - Fast k-means in O(n log n): Sorting with α-Divergence and log n Rounds\n" in format_entries(
        [paper], "ris")


def test_markdown_writes_names_given_name_first() -> None:
    """"Knuth, Donald E. and Lamport, Leslie" reads as four people."""
    paper = Paper.create(title="Typesetting", authors=["Knuth, Donald E.", "García Márquez, Gabriel", "Smith, III"],
                         published="2020")
    assert markdown_entry(paper) == "Typesetting — Donald E. Knuth, Gabriel García Márquez and Smith, III, 2020"


def test_the_sort_key_of_a_paper_without_authors_is_plain_tex_safe_text() -> None:
    """alpha-like styles cut the ``key`` to a few characters for the label: TeX math there does not compile."""
    paper = Paper.create(title="S$^{2}$FT: Efficient, Scalable and Generalizable Fine-Tuning", published="2024")
    assert "key = {S2FT}" in bibtex_entry(paper)
    other = Paper.create(title="$\\textbf{Only-IF}$: Revealing the Decisive Effect", published="2025")
    assert "key = {Only-IF}" in bibtex_entry(other)


def test_a_url_that_only_resolves_the_doi_is_left_out_where_the_doi_is_printed() -> None:
    """A paper whose one link is its DOI keeps the resolver's URL in its record; no citation repeats the DOI."""
    bib = "@misc{h, title = {A Handbook}, author = {Ada Lovelace}, year = {2020}, doi = {10.1000/182}}"
    (paper,) = parse_input(bib.encode(), source="refs.bib").papers
    assert paper.url == "https://doi.org/10.1000/182"
    journal = "@article{j, title = {A Handbook}, author = {Ada Lovelace}, year = {2020}, doi = {10.1000/182}, " \
              "journal = {Journal of Identifiers}}"
    (article,) = parse_input(journal.encode(), source="refs.bib").papers
    for fmt, cited in (("biblatex", paper), ("biblatex", article), ("bibtex", article)):
        written = format_entries([cited], fmt, keys={cited.id: "h"}, user_data=True, complete=True)
        assert "doi = {10.1000/182}" in written and "url" not in written, written
        assert written.startswith("@article{h," if cited is article else "@misc{h,")  # @online requires a URL
        (back,) = parse_input(written.encode(), source="back.bib").papers
        assert (back.url, back.doi) == (cited.url, cited.doi)
    # No classic style prints the DOI of a @misc; plainnat prints its url.
    assert "url = {https://doi.org/10.1000/182}" in bibtex_entry(paper)
    (item,) = json.loads(format_entries([paper], "csl-json", complete=True))
    assert item["DOI"] == "10.1000/182" and "URL" not in item and "accessed" not in item
    ris = format_entries([paper], "ris", complete=True)
    assert "DO  - 10.1000/182" in ris and "UR  - " not in ris
    assert format_entries([paper], "text").count("10.1000/182") == 1
    # A page other than the DOI's, or the DOI of an arXiv paper, is still cited.
    other = Paper.create(title="A Handbook", authors=["Ada Lovelace"], doi="10.1000/182", url="https://example.org/h")
    assert "url = {https://example.org/h}" in bibtex_entry(other)
    arxiv = Paper.create(title="A Handbook", authors=["Ada Lovelace"], doi="10.1000/182", arxiv_id="2401.00001")
    assert "url = {https://arxiv.org/abs/2401.00001}" in biblatex_entry(arxiv)
    upper = Paper.create(title="A Handbook", authors=["Ada Lovelace"], doi="10.1000/ABC",
                         url="http://dx.doi.org/10.1000/abc")
    assert "url" not in biblatex_entry(upper)


def test_the_sort_key_of_a_paper_without_authors_starts_at_the_titles_first_letter() -> None:
    """alpha labelled ``"I'm Not Sure…"`` ``["I']`` and styles sorted it before every letter."""
    quoted = Paper.create(title="\"I'm Not Sure, But...\": Examining the Impact", published="2024")
    assert "key = {I'm Not Sure, But...}" in bibtex_entry(quoted)
    bracketed = Paper.create(title="(Almost) Everything Counts", published="2024")
    assert "key = {Almost Everything Counts}" in bibtex_entry(bracketed)


def test_an_organization_beside_the_authors_is_one_name_with_its_and() -> None:
    """biblatex and pandoc split ``organization`` at "and": "Multimedia and Human Understanding Group" is one."""
    org = "Multimedia and Human Understanding Group"
    paper = Paper.create(title="Large Multimodal Models as General In-Context Classifiers", arxiv_id="2602.23229",
                         authors=["Marco Garosi", "Elisa Ricci"], organization=org, published="2026-02-26")
    for fmt in ("bibtex", "biblatex"):
        bib = format_entries([paper], fmt)
        assert f"organization = {{{{{org}}}}}" in bib, bib
        back = parse_input(bib, source="refs.bib").papers[0]
        assert back.organization == org and back.authors == paper.authors


@pytest.mark.parametrize("fmt", ["bibtex", "biblatex"])
def test_pandoc_prints_an_organization_with_and_as_one(tmp_path: Path, fmt: str) -> None:
    if shutil.which("pandoc") is None:
        pytest.skip("pandoc not installed")
    paper = Paper.create(title="Large Models", arxiv_id="2602.23229", authors=["Marco Garosi"],
                         organization="Multimedia and Human Understanding Group", published="2026-02-26")
    (tmp_path / "refs.bib").write_text(format_entries([paper], fmt))
    (tmp_path / "doc.md").write_text('---\nnocite: "@*"\n---\n')
    result = subprocess.run(["pandoc", "--citeproc", "--bibliography=refs.bib", "doc.md", "-t", "plain",
                             "--columns=1000"], cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert "Multimedia and Human Understanding Group" in result.stdout, result.stdout


@pytest.mark.parametrize(("title", "written"), [
    ("Testing and estimation in orthosymmetric Gaussian sequence model",
     "Testing and estimation in orthosymmetric {Gaussian} sequence model"),
    ("A Bayesian derivation of the square root law of market impact",
     "A {Bayesian} derivation of the square root law of market impact"),
    ("Schrödinger bridges on the Wasserstein space: a study of Langevin flows",
     "Schr{\\\"o}dinger bridges on the {Wasserstein} space: a study of {Langevin} flows"),
    ("On the $\\beta$-divergence of Gaussian mixtures in high dimension",
     "On the {$\\beta$-divergence} of {Gaussian} mixtures in high dimension"),
    # Title case, or capitals only where a title or a clause starts: nothing to tell a name by.
    ("Learning Knowledge Graph-based World Models of Textual Environments",
     "Learning Knowledge Graph-based World Models of Textual Environments"),
    ("Train longer, generalize better: Closing the generalization gap in large batch training",
     "Train longer, generalize better: Closing the generalization gap in large batch training"),
    ("A Tutorial on Bayesian Optimization", "A Tutorial on Bayesian Optimization"),
])
def test_names_in_a_title_written_in_sentence_case_are_protected(title: str, written: str) -> None:
    """Styles lower-case titles: in a sentence-case title a capitalised word is a name the author wrote."""
    paper = Paper.create(title=title, authors=["Ada Lovelace"], arxiv_id="2507.16734", published="2025-07")
    assert f"title = {{{written}}}," in bibtex_entry(paper)
    back = parse_input(bibtex_entry(paper), source="refs.bib").papers[0]
    assert back.title == title


def _pandoc_bibliography(tmp_path: Path, name: str, text: str, *extra: str) -> str:
    """What ``pandoc --citeproc`` prints for every entry of a bibliography file, as plain text on one line."""
    if shutil.which("pandoc") is None:
        pytest.skip("pandoc not installed")
    (tmp_path / name).write_text(text)
    (tmp_path / "doc.md").write_text('---\nnocite: "@*"\n---\n')
    result = subprocess.run(["pandoc", "--citeproc", f"--bibliography={name}", *extra, "doc.md", "-t", "plain",
                             "--columns=1000"], cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return " ".join(result.stdout.split())


DASHED = [
    Paper.create(title="Mixed--frequency quantile regressions to forecast Value--at--Risk", arxiv_id="2011.00552",
                 authors=["Vincenzo Candila"]),
    Paper.create(title="LLM Interactive Optimization of Open Source Python Libraries -- Case Studies",
                 authors=["Andreas Florath"], published="2023-12-20"),
    Paper.create(title="Scaling laws --- a survey", authors=["Ada Lovelace"], published="2024"),
]


def test_csl_json_and_ris_write_the_dashes_bibtex_prints(tmp_path: Path) -> None:
    """``--`` is an en dash in the PDF built from the BibTeX export (pandoc reads the ``.bib`` so too); pandoc
    and Zotero printed two hyphens from CSL-JSON and RIS, which they take as plain text."""
    from_csl = _pandoc_bibliography(tmp_path, "refs.json", format_entries(DASHED, "csl-json")).casefold()
    from_bib = _pandoc_bibliography(tmp_path, "refs.bib", format_entries(DASHED, "bibtex")).casefold()
    for text in (from_csl, from_bib):  # pandoc's default style puts titles in title case
        assert "mixed–frequency quantile regressions to forecast value–at–risk" in text, text
        assert "python libraries – case studies" in text, text
        assert "scaling laws — a survey" in text, text
        assert "--" not in text, text
    ris = format_entries(DASHED, "ris")
    assert "TI  - Mixed–frequency quantile regressions to forecast Value–at–Risk\n" in ris
    assert "TI  - Scaling laws — a survey\n" in ris


@pytest.mark.parametrize(("title", "typeset"), [
    ("a --- b ---- c -- d", "a — b —- c – d"),  # longest first, as TeX reads them
    ("$x--y$ -- z", "$x--y$ – z"),  # math keeps its minus signs: the BibTeX export writes it as math
    ("A -{}- b", "A -{}- b"),
    ("$5 -- $10", "$5 – $10"),  # money, not math
])
def test_dashes_are_typeset_as_tex_does_outside_math(title: str, typeset: str) -> None:
    assert typeset_dashes(title) == typeset


CASED = [
    Paper.create(title="Scaling 3D Gaussian Splatting with GPT-4o and LLaMA in E(3) Using C# and R",
                 authors=["Ada Lovelace"], published="2024"),
    Paper.create(title="Testing and estimation in orthosymmetric Gaussian sequence model", authors=["Zeyu Jia"],
                 arxiv_id="2507.16734"),
]


@pytest.mark.parametrize("to", ["plain", "html", "latex"])
def test_a_sentence_case_style_keeps_the_words_the_bibtex_export_braces(tmp_path: Path, to: str) -> None:
    """pandoc's sentence case lower-cased ``E(3)``, ``C#``, ``R`` and a name in a sentence-case title from
    CSL-JSON; the BibTeX export braces them, and the CSL-JSON marks them ``<span class="nocase">``, which pandoc
    honours and prints as nothing but the word."""
    style = str(FIXTURES / "csl" / "sentence-case.csl")
    text = _pandoc_bibliography(tmp_path, "refs.json", format_entries(CASED, "csl-json"), f"--csl={style}",
                                "-t", to)
    if to == "html":
        text = re.sub(r'<span class="nocase">(.*?)</span>', r"\1", text)  # an element, not text shown
    else:
        assert "nocase" not in text and "<span" not in text, text
    if to == "latex":
        text = re.sub(r"\{([^{}]*)\}", r"\1", text.replace("\\#", "#"))
    assert "Scaling 3D gaussian splatting with GPT-4o and LLaMA in E(3) using C# and R." in text, text
    assert "Testing and estimation in orthosymmetric Gaussian sequence model." in text, text


# Names from the recorded arXiv answer whose family name begins with a capitalised particle.
PARTICLE_NAMES = {"Dario Di Nucci": ("Dario", "Di Nucci"), "Pascale Le Gall": ("Pascale", "Le Gall"),
                  "Yohann De Castro": ("Yohann", "De Castro"), "Giordano Da Lozzo": ("Giordano", "Da Lozzo")}


def test_a_capitalised_particle_begins_the_family_name_in_every_format() -> None:
    fixture = FIXTURES / "pages" / "arxiv-api-query-testing.xml"
    recorded = {a for p in parse_input(fixture.read_bytes(), source=fixture.name).papers for a in p.authors}
    assert set(PARTICLE_NAMES) <= recorded
    paper = Paper.create(title="Flaky Tests", authors=list(PARTICLE_NAMES), published="2024")
    assert key_base(paper) == "dinucci2024flaky"
    people = csl_items([paper])[0]["author"]
    assert [(p["given"], p["family"]) for p in people] == list(PARTICLE_NAMES.values())
    bib = bibtex_entry(paper, "dinucci2024flaky")
    assert "author = {Di Nucci, Dario and Le Gall, Pascale and De Castro, Yohann and Da Lozzo, Giordano}" in bib
    ris = format_entries([paper], "ris")
    assert "AU  - Di Nucci, Dario" in ris and "AU  - Le Gall, Pascale" in ris
    assert text_entry(paper).startswith("Di Nucci, D., Le Gall, P., De Castro, Y., & Da Lozzo, G.")


@pytest.mark.parametrize(("name", "given", "family"), [
    ("Quoc V. Le", "Quoc V.", "Le"),  # a particle-like family name stays whole
    ("Le Song", "Le", "Song"),  # a particle-like given name before the family name
    ("Van Gogh", "Van", "Gogh"),  # nothing before it is left as BibTeX reads it
    ("Mohamed El Amine Seddik", "Mohamed El Amine", "Seddik"),  # Al/El as often begin a given name
    ("Johannes Diderik Van Der Waals", "Johannes Diderik", "Van Der Waals"),
    ("Ana Dos Santos Jr.", "Ana", "Dos Santos"),
])
def test_capitalised_particles_only_before_the_last_word_and_after_a_given_name(
    name: str, given: str, family: str,
) -> None:
    author = csl_items([Paper.create(title="T", authors=[name])])[0]["author"][0]
    assert (author["given"], author["family"]) == (given, family)


@pytest.mark.parametrize("group", ["Gemini Team", "The LIGO Scientific Collaboration", "Meta AI",
                                   "BigScience Workshop"])
def test_a_group_among_the_authors_is_one_name_in_every_format(group: str) -> None:
    """"Gemini Team" read as given name "Gemini", family "Team" printed "T. Gemini" and "Team, G."."""
    paper = Paper.create(title="Models", authors=[group, "Rohan Anil"], published="2023")
    assert csl_items([paper])[0]["author"] == [{"literal": group}, {"family": "Anil", "given": "Rohan"}]
    assert f"author = {{{{{group}}} and Rohan Anil}}" in bibtex_entry(paper, "k")
    assert f"AU  - {group}\n" in format_entries([paper], "ris")
    assert text_entry(paper).startswith(f"{group}, & Anil, R. (2023)")


def test_a_braced_group_among_the_authors_of_a_bib_file_stays_a_group() -> None:
    bib = ("@article{ligo, title = {Observation of Gravitational Waves}, year = {2016},\n"
           "  author = {Abbott, B. P. and {LIGO Scientific Collaboration} and {Virgo Collaboration}}}\n")
    paper = parse_input(bib, source="refs.bib").papers[0]
    assert paper.authors == ["B. P. Abbott", "LIGO Scientific Collaboration", "Virgo Collaboration"]
    assert "author = {B. P. Abbott and {LIGO Scientific Collaboration} and {Virgo Collaboration}}" in (
        bibtex_entry(paper, "abbott2016observation"))


@pytest.mark.parametrize(("name", "given", "family"), [("Qingyao Ai", "Qingyao", "Ai"), ("Ai Han", "Ai", "Han")])
def test_ai_as_a_name_not_in_capitals_stays_a_person(name: str, given: str, family: str) -> None:
    author = csl_items([Paper.create(title="T", authors=[name])])[0]["author"][0]
    assert (author.get("given"), author.get("family")) == (given, family)


def _lower_case_given_name() -> Paper:
    """The recorded arXiv answer's paper by "Kyoo il Kim", whose given name has a word in lower case."""
    fixture = FIXTURES / "pages" / "arxiv-api-query-testing.xml"
    paper = next(p for p in parse_input(fixture.read_bytes(), source=fixture.name).papers if p.id == "2501.05022")
    assert paper.authors[-1] == "Kyoo il Kim"
    return paper


def test_a_lower_case_word_of_a_given_name_is_no_particle_in_any_format() -> None:
    """BibTeX reads every lower-case word before the last as a particle: "Kyoo il Kim" was written as the family
    name "il Kim" in CSL-JSON and RIS, and the text reference said "il Kim, K."."""
    paper = _lower_case_given_name()
    assert csl_items([paper])[0]["author"][-1] == {"family": "Kim", "given": "Kyoo il"}
    assert "AU  - Kim, Kyoo il\n" in format_entries([paper], "ris")
    assert "and Kim, Kyoo il}" in bibtex_entry(paper, "k")
    assert "& Kim, K. i. (2025)" in text_entry(paper)
    # Real particles stay particles, and a name BibTeX reads right stays as it is written.
    people = csl_items([Paper.create(title="T", authors=["Jean de la Fontaine", "Maria hua de Silva"])])[0]["author"]
    assert people == [{"family": "Fontaine", "given": "Jean", "non-dropping-particle": "de la"},
                      {"family": "Silva", "given": "Maria hua", "non-dropping-particle": "de"}]
    assert "author = {Jean de la Fontaine and de Silva, Maria hua}" in bibtex_entry(
        Paper.create(title="T", authors=["Jean de la Fontaine", "Maria hua de Silva"]), "k")
    (back,) = parse_input(bibtex_entry(paper, "k").encode(), source="x.bib").papers
    assert [name_parts(n) for n in back.authors] == [name_parts(n) for n in paper.authors]


def test_pandoc_cites_a_name_with_a_lower_case_given_name_word_by_its_family_name(tmp_path: Path) -> None:
    """pandoc cited "Kyoo il Kim" as "(il Kim 2025)"."""
    if shutil.which("pandoc") is None:
        pytest.skip("pandoc not installed")
    paper = Paper.create(title="Testing Firm Conduct", authors=[_lower_case_given_name().authors[-1]],
                         published="2025")
    (tmp_path / "refs.json").write_text(format_entries([paper], "csl-json", keys={paper.id: "kim"}))
    (tmp_path / "doc.md").write_text("See [@kim].\n")
    result = subprocess.run(["pandoc", "--citeproc", "--bibliography=refs.json", "doc.md", "-t", "plain"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0 and not result.stderr, result.stderr
    assert "See (Kim 2025)." in result.stdout, result.stdout


UNPAIRED = Paper.create(title="Sets {a, b} and {c Revisited: Caf\\'e { Braces", authors=["Ada Lovelace"],
                        published="2024")
UNPAIRED_AS_TYPED = "Sets {a, b} and {c Revisited: Caf\\'e { Braces"


def test_a_title_whose_braces_do_not_pair_up_is_written_as_typed_in_every_format() -> None:
    """The BibTeX export prints such a title as typed; CSL-JSON, RIS, Markdown and text dropped its braces and
    rendered the rest: "Sets a, b and c Revisited: Café Braces"."""
    assert "Sets {\\textbraceleft}a, b{\\textbraceright} and {\\textbraceleft}c" in bibtex_entry(UNPAIRED, "k")
    assert csl_items([UNPAIRED])[0]["title"] == UNPAIRED_AS_TYPED
    assert f"TI  - {UNPAIRED_AS_TYPED}\n" in format_entries([UNPAIRED], "ris")
    assert UNPAIRED_AS_TYPED in text_entry(UNPAIRED)
    assert markdown_entry(UNPAIRED).startswith("Sets {a, b} and {c Revisited: Caf\\\\'e { Braces")
    # Braces that pair up are still TeX groups, around math too, and print nothing.
    grouped = Paper.create(title="The {$\\epsilon$}-Greedy {Policy}", authors=["Ada Lovelace"], published="2024")
    assert csl_items([grouped])[0]["title"] == 'The <span class="nocase">ϵ-Greedy</span> Policy'


REFUSED = Paper.create(title="Costs $5: $\\input{/etc/hostname}$ and $\\mysys$ in $\\frac{a}{b}$ Time",
                       authors=["Ada Lovelace"], published="2024")


def test_math_the_tex_formats_write_as_typed_is_written_as_typed_in_every_format() -> None:
    """Math not safe to write as math (a command that runs something, one of the author's own) is printed as typed
    by the BibTeX export; CSL-JSON, RIS, Markdown and text rendered it, and its commands vanished with their text:
    "Costs $5: and in a/b Time"."""
    entry = bibtex_entry(REFUSED, "k")
    assert "{\\$}{\\textbackslash}input{\\textbraceleft}/etc/hostname{\\textbraceright}{\\$}" in entry
    assert "{\\$}{\\textbackslash}mysys{\\$}" in entry and "$\\frac{a}{b}$" in entry
    as_typed = "Costs $5: $\\input{/etc/hostname}$ and $\\mysys$ in"
    assert csl_items([REFUSED])[0]["title"] == (
        'Costs $5: <span class="nocase">$\\input{/etc/hostname}$</span> and <span class="nocase">$\\mysys$</span> in '
        '<span class="nocase">a/b</span> Time'
    )
    assert f"TI  - {as_typed} a/b Time\n" in format_entries([REFUSED], "ris")
    assert f"{as_typed} a/b Time" in text_entry(REFUSED)
    assert markdown_entry(REFUSED).startswith("Costs \\$5: \\$\\\\input{/etc/hostname}\\$ and \\$\\\\mysys\\$ in a/b")


def test_a_dollar_of_money_before_math_stays_in_the_csl_title() -> None:
    """The mark put around a word with math, just before its ``$``, let the money's ``$`` pair with it: the
    CSL-JSON title read "Costs 5: k$-Means"."""
    paper = Paper.create(title="Costs $5: $k$-Means for $10", authors=["Ada Lovelace"], published="2024")
    assert csl_items([paper])[0]["title"] == 'Costs $5: <span class="nocase">k-Means</span> for $10'


def test_pandoc_prints_the_braces_of_a_title_whose_braces_do_not_pair_up(tmp_path: Path) -> None:
    text = _pandoc_bibliography(tmp_path, "refs.json", format_entries([UNPAIRED], "csl-json"))
    assert "{a, b} and {c revisited: caf\\’e { braces" in text.casefold(), text  # pandoc curls the apostrophe
