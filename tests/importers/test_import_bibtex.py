"""BibTeX files, and the one rule by which an import may set tags."""

from __future__ import annotations

import json
import logging
import unicodedata
from pathlib import Path

import pytest

from readlist.app.commands import EditTags
from readlist.app.imports import ImportPapers
from readlist.core.cite import format_entries
from readlist.core.model import Paper, normalize_title
from readlist.importers import ImportFormatError, bibtex, parse_input
from readlist.storage.library import Library

BIB = r"""
% exported from a reference manager
@article{ammanabrolu2021,
  title = {Learning {Knowledge} Graph-based World Models of Textual Environments},
  author = {Ammanabrolu, Prithviraj and Riedl, Mark O.},
  journal = {arXiv preprint arXiv:2106.09608},
  year = {2021}, month = jun,
  keywords = {world models, Knowledge Graphs; RL},
  abstract = {World models improve
  a learning agent's ability.}
}

@inproceedings{scholkopf,
  title = "Sch{\"o}lkopf's {\'E}cole na\"ive \c{c}a \v{S}koda -- \emph{Fast} 50\%",
  author = "Bernhard Sch\"{o}lkopf and {Barack Obama Jr.} and von Neumann, Jr., John and others",
  eprint = {2303.08867v2}, archivePrefix = {arXiv},
  date = {2023-03-15},
}

@misc{doi2020, title = {By DOI}, doi = {10.48550/arXiv.2004.02153}, year = 2020}
@misc{plain, title = {No Id At All}, author = {Plato}, year = {1999}, url = {https://example.org/p}}
@misc{plain, title = {Same Key Twice}, year = {2001}}
@misc{broken, title = {never closed
@string{venue = "NeurIPS"}
"""


@pytest.fixture(scope="module")
def parsed() -> dict[str, Paper]:
    result = bibtex.parse(BIB, source="refs.bib")
    assert result.format == "bibtex"
    return {p.title: p for p in result.papers}


def test_arxiv_journal_field_and_keywords(parsed: dict[str, Paper]) -> None:
    paper = parsed["Learning Knowledge Graph-based World Models of Textual Environments"]
    assert paper.arxiv_id == "2106.09608"
    assert paper.authors == ["Prithviraj Ammanabrolu", "Mark O. Riedl"]
    assert paper.published == "2021-06"  # year and month known: no day is invented
    assert paper.url == "https://arxiv.org/abs/2106.09608"
    assert paper.tags == ["knowledge-graphs", "rl", "world-models"]
    assert paper.abstract == "World models improve a learning agent's ability."


def test_latex_accents_names_and_eprint(parsed: dict[str, Paper]) -> None:
    paper = parsed["Schölkopf's École naïve ça Škoda -- Fast 50%"]  # TeX's -- kept as written
    # "others" is no name; "von Neumann, Jr., John" is stored as a page writes it, and split the same way (the
    # von part with the family name, see the test below).
    assert paper.authors == ["Bernhard Schölkopf", "Barack Obama Jr.", "John von Neumann Jr."]
    assert paper.authors_count == 4  # ... but it says there are more authors than these
    assert paper.arxiv_id == "2303.08867"
    assert paper.published == "2023-03-15"


def test_and_others_is_cited_as_et_al_in_every_format_that_has_it() -> None:
    """A Google Scholar entry lists three names "and others": the citations must not make the list complete."""
    from readlist.core.cite import format_entries, markdown_entry

    bib = "@article{v, title={Attention is all you need}, year={2017}, author={Vaswani, A. and Shazeer, N. and others}}"
    paper = bibtex.parse(bib, source="scholar.bib").papers[0]
    assert paper.authors == ["A. Vaswani", "N. Shazeer"] and paper.authors_count == 3
    for fmt in ("bibtex", "biblatex"):
        assert "author = {A. Vaswani and N. Shazeer and others}" in format_entries([paper], fmt)
        again = bibtex.parse(format_entries([paper], fmt, complete=True), source="again.bib").papers[0]
        assert (again.authors, again.authors_count) == (paper.authors, paper.authors_count)
    assert markdown_entry(paper) == "Attention is all you need — A. Vaswani et al., 2017"
    complete = bibtex.parse(bib.replace(" and others", ""), source="all.bib").papers[0]
    assert complete.authors_count == 2 and "Shazeer}" in format_entries([complete], "bibtex")


def test_doi_year_only_and_plain_entries(parsed: dict[str, Paper]) -> None:
    assert parsed["By DOI"].arxiv_id == "2004.02153"
    assert parsed["By DOI"].published == "2020"  # a year-only source stays a year
    plain = parsed["No Id At All"]
    assert plain.arxiv_id is None and plain.id.startswith("t-")
    assert plain.url == "https://example.org/p"
    assert plain.authors == ["Plato"]
    assert "Same Key Twice" in parsed  # a duplicate key is still a paper


def test_an_entry_whose_key_an_earlier_one_has_is_read_like_any_other() -> None:
    """The second entry of a key was set aside by the parser unread: its author stored with the quotes
    (``"Bob Jones``), its macros unexpanded, a braced name taken for an organization."""
    result = bibtex.parse('@string{jmlr = "Journal of ML"}\n'
                          '@article{same, author = "Ann Smith", title = "First one", journal = jmlr, year = 2020}\n'
                          '@article{same, author = "Bob Jones and Carl Doe", title = "Second one", journal = jmlr,\n'
                          '  year = 2021, month = mar}\n'
                          "@misc{same, author = {Second Dup}, title = {Third}, year = 2021}\n")
    first, second, third = result.papers
    assert (second.title, second.authors, second.journal_ref, second.published) == (
        "Second one", ["Bob Jones", "Carl Doe"], "Journal of ML", "2021-03")
    assert (third.authors, third.organization) == (["Second Dup"], None)
    assert first.cite_key == second.cite_key == third.cite_key == "same"  # the import keeps it for the first


def test_names_in_biblatexs_extended_format_are_names() -> None:
    """``family=Gogh, prefix=van, given=Vincent`` (which biber reads) became the author
    "given=Vincent family=Gogh prefix=van" and was cited so in every format."""
    result = bibtex.parse("@article{x, author = {family=Gogh, prefix=van, given=Vincent and Doe, Jane and "
                          "family={Garc{\\'i}a M{\\'a}rquez}, given=Gabriel and given=Ann, family=Smith, "
                          "suffix=Jr.}, title = {Extended}, date = {2023}}")
    (paper,) = result.papers
    assert paper.authors == ["Vincent van Gogh", "Jane Doe", "García Márquez, Gabriel", "Ann Smith Jr."]
    items = json.loads(format_entries([paper], "csl-json"))
    assert [(a["family"], a.get("non-dropping-particle")) for a in items[0]["author"]] == [
        ("Gogh", "van"), ("Doe", None), ("García Márquez", None), ("Smith", None)]


def test_a_field_given_twice_keeps_the_first_as_bibtex_does_and_says_so() -> None:
    """The whole entry was skipped as "not a valid BibTeX entry", where bibtex warns and reads the first."""
    result = bibtex.parse("@misc{a, title = {First Title}, title = {Second Title}, year = 2020}\n"
                          "@misc{a, title = {Same Key After}, year = 2021}\n")
    assert [(p.title, p.published) for p in result.papers] == [("First Title", "2020"), ("Same Key After", "2021")]
    assert result.skipped == []
    assert result.notes == [("@misc{a}", "title given twice: the first kept, as BibTeX keeps it")]


def test_a_year_with_a_letter_is_that_year_and_one_that_is_none_is_said() -> None:
    """``2020a`` (told apart from another 2020 paper) lost its date without a word, as did ``in press``."""
    result = bibtex.parse("@misc{a, title = {Lettered}, year = {2020a}}\n"
                          "@misc{b, title = {Not Yet}, year = {in press}}\n"
                          "@misc{c, title = {Undated}}\n")
    assert [p.published for p in result.papers] == ["2020", None, None]
    assert result.notes == [("@misc{b}", "year 'in press' is no date: the paper has none")]


def test_an_entry_takes_what_its_crossref_gives_and_the_volume_is_no_paper() -> None:
    """The child had no year and no venue (bibtex gives it the proceedings'), and the proceedings became a paper
    without authors, which every classic style warned about."""
    result = bibtex.parse("@inproceedings{child, crossref = {Parent}, author = {Alice Child}, title = {A Child}}\n"
                          "@inproceedings{own, crossref = {parent}, title = {Own Year}, year = 2020}\n"
                          "@proceedings{parent, title = {Proceedings of Tests}, year = 2021, editor = {Bob Ed}}\n")
    assert [(p.title, p.published, p.journal_ref) for p in result.papers] == [
        ("A Child", "2021", "Proceedings of Tests"), ("Own Year", "2020", "Proceedings of Tests")]
    assert result.notes == [("@proceedings{parent}",
                             "a volume entries take their details from (crossref), not a paper: not imported")]


def test_broken_block_is_reported_as_skipped() -> None:
    result = bibtex.parse(BIB)
    assert len(result.papers) == 5
    assert any("not a valid BibTeX entry" in why for _, why in result.skipped)


def test_delatex_and_split() -> None:
    assert bibtex.delatex(r"{\'e}t{\'{e}} \ss{} \o \aa\ \v{c} \k{a} {\"u}ber~alles") == "été ß øå č ą über alles"
    assert bibtex.split_authors("A. Smith AND {Jones and Sons} and Doe, J.") == ["A. Smith", "Jones and Sons", "J. Doe"]


def test_sniff_and_errors() -> None:
    assert bibtex.sniff(BIB)
    assert bibtex.sniff("@Article{key,\n title={x}}")
    assert not bibtex.sniff("@string{venue = \"x\"}\n")
    assert not bibtex.sniff("Daily Papers\n\nmail me @ home, please\n")
    assert not bibtex.sniff('<html><body>@article{x, title={y}}</body></html>')
    with pytest.raises(ImportFormatError, match="no papers"):
        bibtex.parse("@misc{a, author = {Nobody}}")
    assert parse_input(BIB, source="refs.bib").format == "bibtex"


def test_keywords_become_tags_only_for_papers_without_tags(tmp_path: Path) -> None:
    lib = Library(tmp_path / "lib.json")
    ImportPapers(
        [
            Paper.create(title="Tagged Already", arxiv_id="2401.00001"),
            Paper.create(title="Untagged", arxiv_id="2401.00002"),
        ],
        "seed",
    ).execute(lib)
    EditTags(["2401.00001"], add=["mine"]).execute(lib)
    bib = """
    @misc{a, title = {Tagged Already}, eprint = {2401.00001}, keywords = {theirs}}
    @misc{b, title = {Untagged}, eprint = {2401.00002}, keywords = {alpha, beta}}
    @misc{c, title = {Brand New}, eprint = {2401.00003}, keywords = {gamma}}
    """
    report = ImportPapers(bibtex.parse(bib).papers, "refs.bib").execute(lib).report
    assert lib.papers["2401.00001"].tags == ["mine"]  # the user's tags are never replaced
    assert lib.papers["2401.00002"].tags == ["alpha", "beta"]
    assert lib.papers["2401.00003"].tags == ["gamma"]
    assert report.added == ["2401.00003"]
    assert set(report.updated) == {"2401.00001", "2401.00002"}  # 00001 gained its URL, not tags
    # Re-importing does not add to tags that now exist, and survives a reload from disk.
    again = ImportPapers(bibtex.parse(bib.replace("alpha, beta", "delta")).papers, "refs2.bib").execute(lib).report
    assert Library(tmp_path / "lib.json").papers["2401.00002"].tags == ["alpha", "beta"]
    assert "2401.00002" in again.unchanged


def test_an_escape_sequence_in_keywords_leaves_no_tag_behind() -> None:
    """Keywords are split at commas and semicolons, and an OSC sequence has semicolons: it was split first and its
    pieces cleaned one by one, leaving the tags "rl52", "c" and "agk=" (shown in the sidebar, learned from, named
    as shared tags). The sequence goes whole, as it does from every other source."""
    bib = "@misc{a, title = {Hostile}, eprint = {2401.00009}, keywords = {rl\x1b]52;c;aGk=\x07, agents; \x1b[2Jx}}"
    (paper,) = bibtex.parse(bib).papers
    assert paper.tags == ["agents", "rl", "x"]


def test_other_importers_never_touch_tags(tmp_path: Path) -> None:
    lib = Library(tmp_path / "lib.json")
    ImportPapers([Paper.create(title="T", arxiv_id="2401.00009")], "seed").execute(lib)
    EditTags(["2401.00009"], add=["keep"]).execute(lib)
    ImportPapers([Paper.create(title="T", arxiv_id="2401.00009", upvotes=3)], "again").execute(lib)
    assert lib.papers["2401.00009"].tags == ["keep"]
    assert lib.papers["2401.00009"].upvotes == 3


def test_bad_blocks_are_reported_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    """bibtexparser logs a warning per bad block; those belong in the import report, not on stderr."""
    with caplog.at_level(logging.DEBUG):
        result = bibtex.parse("@misc{a, title = {never closed\n@misc{b, title = {Fine}}\n")
    assert [p.title for p in result.papers] == ["Fine"]
    assert [r for r in caplog.records if r.name.startswith("bibtexparser")] == []
    assert logging.getLogger("bibtexparser").level == logging.NOTSET  # restored afterwards


# Names whose family name the file gives with a comma or braces, as stored, and the family name (von part
# included) every citation format gives them.
FAMILY_NAMES = r"""
@book{gm, title = {Cien A{\~n}os de Soledad}, year = {1967},
  author = {Garc{\'\i}a M{\'a}rquez, Gabriel and {van der Waals}, Johannes and Gabriel {Garc{\'\i}a M{\'a}rquez}
            and Lloyd Webber, Andrew and von Neumann, Jr., John and Knuth, Donald E.}}
"""
STORED = ["García Márquez, Gabriel", "Johannes van der Waals", "García Márquez, Gabriel", "Lloyd Webber, Andrew",
          "John von Neumann Jr.", "Donald E. Knuth"]
FAMILIES = ["García Márquez", "van der Waals", "García Márquez", "Lloyd Webber", "von Neumann", "Knuth"]


def test_the_family_name_a_bib_file_gives_is_the_family_name_of_every_export(tmp_path: Path) -> None:
    import json

    from readlist.core.cite import format_entries
    from readlist.core.citekeys import key_base

    lib = Library(tmp_path / "lib.json")
    ImportPapers(bibtex.parse(FAMILY_NAMES, source="refs.bib").papers, "refs.bib").execute(lib)
    paper = next(iter(Library(tmp_path / "lib.json").papers.values()))
    # A name readlist would split otherwise is kept "Family, Given", as `readlist edit --authors` takes it; one
    # it splits the same way is written as a page writes it.
    assert paper.authors == STORED
    csl = json.loads(format_entries([paper], "csl-json"))[0]["author"]
    assert [" ".join(filter(None, (n.get("non-dropping-particle"), n["family"]))) for n in csl] == FAMILIES
    assert csl[0] == {"family": "García Márquez", "given": "Gabriel"}
    assert format_entries([paper], "text").startswith(
        "García Márquez, G., van der Waals, J., García Márquez, G., Lloyd Webber, A., von Neumann, J., Jr., "
        "& Knuth, D. E."
    )
    written = "author = {Garc{\\'i}a M{\\'a}rquez, Gabriel and Johannes van der Waals and"
    assert written in format_entries([paper], "bibtex")
    assert key_base(paper) == "garciamarquez1967cien"  # the key readlist makes when the file gives none
    for fmt in ("bibtex", "biblatex"):  # and the export reads back with the same names
        again = bibtex.parse(format_entries([paper], fmt, complete=True)).papers[0]
        assert again.authors == STORED


def test_names_written_given_name_first_without_braces_are_read_as_before() -> None:
    """Without a comma or braces the file does not say where the family name starts: readlist's rules, which
    read capitalised particles and suffixes BibTeX does not, decide, as for a name from a web page."""
    from readlist.core.cite import format_entries

    bib = (r"@misc{k, title = {T}, year = 2020, author = {Dario Di Nucci and Martin Luther King Jr. and "
           r"Ludwig van Beethoven and Fran{\c c}ois Di N{\"u}cci}}")
    paper = bibtex.parse(bib).papers[0]
    assert paper.authors == ["Dario Di Nucci", "Martin Luther King Jr.", "Ludwig van Beethoven", "François Di Nücci"]
    cited = format_entries([paper], "text")
    assert cited.startswith("Di Nucci, D., King, M. L., Jr., van Beethoven, L., & Di Nücci, F.")


# ---------------------------------------------------------------------------
# TeX decoding, dates, organizations and readlist's own fields


def test_tex_decodes_to_the_unicode_a_web_page_gives() -> None:
    bib = r"""
    @misc{a, title = {Mar{\'\i}a's {\"o}ber R\&D {LLaMA} -- S$^{2}$FT},
      author = {Mar{\'\i}a Garc{\'\i}a and Sch{\"o}lkopf, Bernhard}}
    """
    paper = bibtex.parse(bib).papers[0]
    assert paper.title == "María's öber R&D LLaMA -- S$^{2}$FT"
    assert paper.authors == ["María García", "Bernhard Schölkopf"]
    assert all(unicodedata.is_normalized("NFC", text) for text in (paper.title, *paper.authors))
    # The same paper copied from a web page is the same paper: same id, same search text.
    web = Paper.create(title="María's öber R&D LLaMA -- S$^{2}$FT")
    assert web.id == paper.id and normalize_title(web.title) == normalize_title(paper.title)


# Commands that print text, as titles and names write them, and what a reader sees of each.
TEXT_COMMANDS = [
    (r"{\TeX}", "TeX"), (r"{\LaTeX}", "LaTeX"), (r"\LaTeXe{}", "LaTeX2ε"), (r"{\BibTeX}", "BibTeX"),
    (r"{\XeTeX}", "XeTeX"), (r"{\LuaLaTeX}", "LuaLaTeX"), (r"{\AmS}", "AMS"), (r"{\MF}", "METAFONT"),
    (r"{\ldots}", "…"), (r"{\dots}", "…"), (r"{\textendash}", "–"), (r"{\textemdash}", "—"), (r"{\slash}", "/"),
    (r"{\S}", "§"), (r"{\P}", "¶"), (r"{\dag}", "†"), (r"{\ddag}", "‡"), (r"{\copyright}", "©"),
    (r"{\textregistered}", "®"), (r"{\texttrademark}", "™"), (r"{\pounds}", "£"), (r"{\textless}", "<"),
    (r"{\textgreater}", ">"), (r"{\textunderscore}", "_"), (r"{\o}", "ø"), (r"{\O}", "Ø"), (r"{\ss}", "ß"),
    (r"{\aa}", "å"), (r"{\AA}", "Å"), (r"{\i}", "ı"), (r"{\l}", "ł"), (r"{\L}", "Ł"), (r"{\ae}", "æ"),
    (r"{\oe}", "œ"), (r"\mbox{GPT-4}", "GPT-4"), (r"\texttt{grep}", "grep"), (r"\textsf{Sans}", "Sans"),
]


@pytest.mark.parametrize(("tex", "text"), TEXT_COMMANDS)
def test_commands_that_print_text_never_vanish_from_titles_and_names(tex: str, text: str) -> None:
    bib = f"@misc{{k, title = {{Before {tex} After}}, author = {{Name{tex} Family}}, year = 2001}}"
    paper = bibtex.parse(bib).papers[0]
    assert paper.title == f"Before {text} After"
    assert paper.authors == [f"Name{text} Family"]


def test_tex_logos_in_a_title_are_its_words_in_the_record_its_id_and_every_export() -> None:
    from readlist.core.cite import format_entries

    bib = r"""
    @book{knuth, title = {The {\TeX}book}, author = {Knuth, Donald E.}, year = {1984}}
    @article{lamport, title = {Typesetting with {\LaTeX} and Bib{\TeX}}, author = {Leslie Lamport}, year = {1994}}
    """
    book, article = bibtex.parse(bib).papers
    assert (book.title, article.title) == ("The TeXbook", "Typesetting with LaTeX and BibTeX")
    # The id is the one the title typed in plain text gives: the same paper from a web page is the same paper.
    assert book.id == Paper.create(title="The TeXbook").id
    assert "title = {The {TeXbook}}" in format_entries([book], "bibtex")
    csl = format_entries([article], "csl-json")
    assert '"title": "Typesetting with <span class=\\"nocase\\">LaTeX</span> and <span' in csl
    assert "Typesetting with LaTeX and BibTeX" in format_entries([article], "text")


def test_a_command_unknown_to_the_decoder_stays_visible_by_its_name() -> None:
    """An author's own macro for a system's name (defined in the paper, not in the .bib) is its name, never
    nothing; switches and wrappers print no name of their own, and the text they wrap stays."""
    from readlist.core.cite import format_entries

    bib = r"""
    @misc{a, title = {{\sys}: Fast Search, and Why \sys{} Scales \ourmethod\ Too}, year = 2020}
    @misc{b, title = {{\em Emphasis}, {\sc Small Caps} and \NoCaseChange{DNA} \protect\TeX{} \relax Kept}}
    """
    first, second = bibtex.parse(bib).papers
    assert first.title == "sys: Fast Search, and Why sys Scales ourmethod Too"
    assert "title = {sys: Fast Search, and Why sys Scales ourmethod Too}" in format_entries([first], "bibtex")
    assert second.title == "Emphasis, Small Caps and DNA TeX Kept"


def test_dates_keep_the_precision_the_file_gives() -> None:
    bib = """
    @misc{y, title = {Year}, year = 2019}
    @misc{m, title = {Month}, year = {2019}, month = {11}}
    @misc{d, title = {Day}, year = {2019}, month = nov, day = {5}}
    @misc{b, title = {Biblatex}, date = {2019-11-05/2019-11-07}}
    @misc{bad, title = {Bad Month}, year = {2019}, month = {13}}
    @misc{id, title = {From Id}, eprint = {2011.00552}, year = {2020}, month = nov, readlist-date = {arxiv-id}}
    @misc{keep, title = {Kept}, eprint = {2011.00552v2}, archivePrefix = {arXiv}, year = {2020}}
    """
    got = {p.title: p.published for p in bibtex.parse(bib).papers}
    assert got == {"Year": "2019", "Month": "2019-11", "Day": "2019-11-05", "Biblatex": "2019-11-05",
                   "Bad Month": "2019", "From Id": None, "Kept": "2020"}


def test_a_single_braced_author_is_an_organization() -> None:
    bib = r"""
    @misc{o, title = {Org Paper}, author = {{Spiral Works}}}
    @misc{p, title = {People}, author = {{Barack Obama Jr.} and Ada Lovelace}, organization = {R\&D Lab}}
    @misc{c, title = {Counted}, note = {7 authors; names not recorded in the source}}
    """
    org, people, counted = bibtex.parse(bib).papers
    assert (org.authors, org.organization) == ([], "Spiral Works")
    assert (people.authors, people.organization) == (["Barack Obama Jr.", "Ada Lovelace"], "R&D Lab")
    assert (counted.authors, counted.authors_count) == ([], 7)


def test_readlist_fields_come_back() -> None:
    bib = r"""
    @misc{r, title = {Mine}, eprint = {2401.00001}, primaryClass = {cs.CL},
      url = {https://arxiv.org/abs/2401.00001}, readlist-url = {https://huggingface.co/papers/2401.00001},
      readlist-upvotes = {42}, keywords = {rl, agents}, readlist-rating = {4}, readlist-status = {to-read},
      annote = {- point {\textbraceleft}x{\textbraceright}

          indented {\%} kept}}
    @misc{s, title = {Someone Else's Fields}, readlist-rating = {lots}, readlist-status = {maybe}}
    """
    mine, other = bibtex.parse(bib).papers
    assert mine.url == "https://huggingface.co/papers/2401.00001" and mine.upvotes == 42
    assert mine.categories == ["cs.CL"] and mine.tags == ["agents", "rl"]
    assert (mine.rating, mine.status) == (4, "to-read")
    assert mine.note == "- point {x}\n\n          indented % kept"  # lines and indentation as written
    assert (other.rating, other.status) == (0, "inbox")  # unreadable values are ignored, the paper kept


def test_user_data_is_kept_for_new_papers(tmp_path: Path) -> None:
    lib = Library(tmp_path / "lib.json")
    bib = "@misc{n, title = {New}, eprint = {2401.00007}, readlist-rating = {5}, readlist-status = {read}," \
          " annote = {my note}}"
    ImportPapers(bibtex.parse(bib).papers, "mine.bib").execute(lib)
    paper = lib.papers["2401.00007"]
    assert (paper.rating, paper.status, paper.note) == (5, "read", "my note")


def test_a_year_only_date_gives_way_to_the_day_a_page_gives(tmp_path: Path) -> None:
    lib = Library(tmp_path / "lib.json")
    ImportPapers(bibtex.parse("@misc{k, title = {Dated}, year = {2023}}").papers, "refs.bib").execute(lib)
    (paper,) = lib.papers.values()
    assert paper.published == "2023"
    ImportPapers([Paper.create(title="Dated", published="2023-11-05")], "page").execute(lib)
    assert lib.papers[paper.id].published == "2023-11-05"
    ImportPapers([Paper.create(title="Dated", published="2024-01-02")], "other").execute(lib)
    assert lib.papers[paper.id].published == "2023-11-05"  # a different date is not a refinement


def test_string_macros_and_concatenation_are_expanded() -> None:
    """Real .bib files name journals and repeated text with @string and join parts with #."""
    bib = """@string{a = "x"}
@String{ArXiv = {arXiv}}
@STRING{pre = arxiv # " preprint"}
@article{k3, title=a # a # a, year=2020}
@article{k4, title = {A {C#} Guide} # " for " # A, journal = pre # { arXiv:2106.09608}, year = 2019, month = aug}
@article{k5, title = "Fast" # { } # unknownmacro, year = {2018}, month = dec # "~15",
  annote = {Read } # "section " # 2 # "."}
@article{k6, title = {Plain}, year = 2017, month = a}
"""
    papers = {p.title: p for p in bibtex.parse(bib).papers}
    assert set(papers) == {"xxx", "A C# Guide for x", "Fast unknownmacro", "Plain"}
    assert papers["xxx"].published == "2020"
    guide = papers["A C# Guide for x"]
    assert guide.arxiv_id == "2106.09608" and guide.published == "2019-08"  # BibTeX's month macros
    assert papers["Fast unknownmacro"].note == "Read section 2."  # a name that is no macro stays as written
    assert papers["Fast unknownmacro"].published == "2018-12"
    assert papers["Plain"].published == "2017"  # a macro "a" that is no month is no month


def test_macros_that_double_each_other_are_left_as_written() -> None:
    strings = "".join(f"@string{{m{i} = m{i - 1} # m{i - 1}}}\n" for i in range(1, 80))
    bib = '@string{m0 = "ab"}\n' + strings + "@article{k, title = {Kept} # m79, year = 2020}\n"
    (paper,) = bibtex.parse(bib).papers
    assert paper.title.startswith("Kept") and len(paper.title) < 1000
