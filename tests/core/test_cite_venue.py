"""The venue the user gave (`readlist edit --journal`, a .bib file's journal or booktitle) is cited.

arXiv's own journal reference is free text ("Accepted at ICLR 2024", "12 pages") and stays out of
citations; a venue the user wrote or imported from their own bibliography goes into every format.
"""

from __future__ import annotations

import json
from pathlib import Path

from readlist.app.details import EditDetails
from readlist.app.imports import ImportPapers
from readlist.app.session import Session
from readlist.core.cite import format_entries
from readlist.core.model import Paper, user_edited
from readlist.importers import parse_input
from readlist.storage.library import Library

BIB = r"""
@inproceedings{conf, title = {A {NeurIPS} Paper}, author = {Fay Author},
  booktitle = {Advances in Neural Information Processing Systems}, pages = {1--10}, year = {2022}}
@article{jmlr, title = {Visualizing Data using t-SNE}, author = {van der Maaten, Laurens and Hinton, Geoffrey},
  journal = {Journal of Machine Learning Research}, volume = {9}, year = {2008}}
@article{scholar, title = {A Preprint Cited From Scholar}, author = {Bo Li},
  journal = {arXiv preprint arXiv:2310.01234}, year = {2023}}
@article{dblp, title = {A Preprint Cited From DBLP}, author = {Bo Li}, journal = {CoRR}, volume = {abs/2302.13971},
  year = {2023}}
"""


def _papers() -> dict[str, Paper]:
    return {p.title: p for p in parse_input(BIB.encode(), source="refs.bib").papers}


def test_a_bib_files_journal_or_booktitle_is_the_papers_venue_and_the_users() -> None:
    papers = _papers()
    conf, jmlr = papers["A NeurIPS Paper"], papers["Visualizing Data using t-SNE"]
    assert conf.journal_ref == "Advances in Neural Information Processing Systems"
    assert jmlr.journal_ref == "Journal of Machine Learning Research"
    assert user_edited(conf, "journal_ref") and user_edited(jmlr, "journal_ref")
    # "arXiv preprint arXiv:…" (Google Scholar) and "CoRR" (DBLP) say where a preprint is: no venue.
    for title in ("A Preprint Cited From Scholar", "A Preprint Cited From DBLP"):
        assert papers[title].journal_ref is None and not papers[title].changed


def test_every_format_cites_the_venue() -> None:
    paper = _papers()["Visualizing Data using t-SNE"]
    keys = {paper.id: "maaten2008"}
    bibtex = format_entries([paper], "bibtex", keys=keys)
    assert bibtex.startswith("@article{maaten2008,") and "journal = {Journal of Machine Learning Research}" in bibtex
    biblatex = format_entries([paper], "biblatex", keys=keys)
    assert biblatex.startswith("@article{") and "journaltitle = {Journal of Machine Learning Research}" in biblatex
    item = json.loads(format_entries([paper], "csl-json", keys=keys))[0]
    assert (item["type"], item["container-title"]) == ("article-journal", "Journal of Machine Learning Research")
    ris = format_entries([paper], "ris", keys=keys).splitlines()
    assert ris[0] == "TY  - JOUR" and "T2  - Journal of Machine Learning Research" in ris
    assert format_entries([paper], "text", keys=keys).strip() == (
        "van der Maaten, L., & Hinton, G. (2008). Visualizing Data using t-SNE. Journal of Machine Learning Research.")
    assert "Journal of Machine Learning Research, 2008" in format_entries([paper], "markdown", keys=keys)


def test_arxivs_own_journal_reference_is_not_cited_but_a_corrected_one_is(tmp_path: Path) -> None:
    session = Session.open(tmp_path / "library.json")
    arxiv = Paper.create(title="Attention Is All You Need", arxiv_id="1706.03762", authors=["Ashish Vaswani"],
                         published="2017-06-12", journal_ref="Accepted at NIPS 2017; 15 pages")
    session.run(ImportPapers([arxiv], "arxiv-api"), record=False)
    keys = {arxiv.id: "vaswani2017"}

    def cited(fmt: str) -> str:
        return format_entries([Library(session.library.path).papers[arxiv.id]], fmt, keys=keys)

    assert cited("bibtex").startswith("@misc{") and "Accepted" not in cited("bibtex")
    assert "howpublished = {arXiv preprint arXiv:1706.03762}" in cited("bibtex")
    assert "NIPS" not in cited("csl-json") + cited("ris") + cited("text") + cited("markdown")
    session.run(EditDetails(arxiv.id, {"journal_ref": "Advances in Neural Information Processing Systems 30"}))
    assert "journal = {Advances in Neural Information Processing Systems 30}" in cited("bibtex")
    assert "eprint = {1706.03762}" in cited("bibtex")  # still findable as the preprint
    assert "Advances in Neural Information Processing Systems 30." in cited("text")
    session.undo()
    assert "Advances" not in cited("bibtex")


def test_a_venue_from_a_bib_file_completes_a_paper_already_in_the_library_and_stays(tmp_path: Path) -> None:
    session = Session.open(tmp_path / "library.json")
    page = Paper.create(title="Visualizing Data using t-SNE", abstract="From a page.")
    session.run(ImportPapers([page], "daily.txt"), record=False)
    session.run(ImportPapers(list(parse_input(BIB.encode(), source="refs.bib").papers), "refs.bib"))
    paper = Library(session.library.path).papers[page.id]
    assert paper.journal_ref == "Journal of Machine Learning Research" and user_edited(paper, "journal_ref")
    assert format_entries([paper], "bibtex", keys={paper.id: "k"}).startswith("@article{k,")


def test_the_bibtex_export_reads_back_with_its_venue() -> None:
    paper = _papers()["A NeurIPS Paper"]
    exported = format_entries([paper], "bibtex", keys={paper.id: "k"}, complete=True)
    (back,) = parse_input(exported.encode(), source="back.bib").papers
    assert back.journal_ref == paper.journal_ref and user_edited(back, "journal_ref")


def test_a_bib_files_venue_replaces_arxivs_journal_reference_and_a_corrected_one_is_kept(tmp_path: Path) -> None:
    """arXiv's journal reference is a site's free text: a venue the user's .bib gives (or readlist's own export
    of a corrected one) replaces it, timed as theirs. A venue corrected here stays, and the report says so."""
    session = Session.open(tmp_path / "library.json")
    arxiv = Paper.create(title="Testing Deep Learning Models", arxiv_id="2202.12139", authors=["Ana Lima"],
                         published="2022-02", journal_ref="Artificial Intelligence in Software Testing @ IEEE 2022")
    session.run(ImportPapers([arxiv], "arxiv-api"), record=False)
    bib = (r"@inproceedings{t, title = {Testing Deep Learning Models}, booktitle = {ICSTW 2022},"
           r" eprint = {2202.12139}, archivePrefix = {arXiv}, year = {2022}}")
    session.run(ImportPapers(list(parse_input(bib.encode(), source="a.bib").papers), "a.bib"))
    paper = Library(session.library.path).papers[arxiv.id]
    assert paper.journal_ref == "ICSTW 2022" and user_edited(paper, "journal_ref")
    assert format_entries([paper], "bibtex", keys={paper.id: "t"}).startswith("@article{t,")

    session.run(EditDetails(arxiv.id, {"journal_ref": "ICST Workshops 2022"}))
    again = bib.replace("ICSTW 2022", "ICSTW 2022, corrected")
    outcome = session.run(ImportPapers(list(parse_input(again.encode(), source="b.bib").papers), "b.bib"))
    assert Library(session.library.path).papers[arxiv.id].journal_ref == "ICST Workshops 2022"
    report = outcome.report
    assert any("keeps its journal 'ICST Workshops 2022', which is yours; the source gives 'ICSTW 2022, corrected'"
               in note for _, note in report.notes), report.notes
