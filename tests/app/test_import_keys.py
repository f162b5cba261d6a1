"""A ``.bib`` import keeps each entry's citation key: documents \\cite the keys their .bib file has."""

from __future__ import annotations

from pathlib import Path

from readlist.app.commands import SetKey
from readlist.app.imports import ImportPapers, ImportReport, import_parsed, parse_source
from readlist.app.session import Session
from readlist.core.cite import format_entries
from readlist.core.citekeys import assign_keys
from readlist.core.model import Paper

FOREIGN = """@article{DBLP:journals/corr/Higgins17,
  title = {beta-{VAE}: Learning Basic Visual Concepts},
  author = {Higgins, Irina and Matthey, Loic},
  year = {2017}
}

@misc{P\\'erez2020,
  title = {A Key With a Backslash},
  year = {2020}
}

@misc{smith2020scaling,
  title = {Scaling Things},
  author = {Smith, Ann},
  year = {2020}
}
"""


def _import(session: Session, path: Path, text: str) -> ImportReport:
    path.write_text(text)
    return import_parsed(session, [parse_source(str(path))])[0]


def _by_title(session: Session) -> dict[str, Paper]:
    return {p.title: p for p in session.library.papers.values()}


def test_an_export_read_into_a_fresh_library_keeps_every_key(tmp_path: Path) -> None:
    source = Session.open(tmp_path / "a.json")
    source.run(_papers_command([Paper.create(title="Learning Things", authors=["Ada Lovelace"], published="2021"),
                                Paper.create(title="Other Things", authors=["Alan Turing"], published="2022")]))
    first = next(iter(source.library.papers.values()))
    source.run(SetKey(first.id, "my_Key+1"))
    papers = list(source.library.papers.values())
    keys = assign_keys(papers)
    exported = format_entries(papers, "bibtex", keys=keys, user_data=True, complete=True)

    fresh = Session.open(tmp_path / "b.json")
    report = _import(fresh, tmp_path / "x.bib", exported)
    assert report.notes == []
    stored = {p.title: p.cite_key for p in fresh.library.papers.values()}
    assert stored == {p.title: keys[p.id] for p in papers}
    assert stored[first.title] == "my_Key+1"
    # And an export of the fresh library uses them.
    again = list(fresh.library.papers.values())
    assert assign_keys(again) == {p.id: stored[p.title] for p in again}


def _papers_command(papers: list[Paper]) -> ImportPapers:
    return ImportPapers(papers, "test")


def test_a_foreign_bib_keeps_its_keys_and_reports_an_unusable_one(tmp_path: Path) -> None:
    session = Session.open(tmp_path / "lib.json")
    report = _import(session, tmp_path / "refs.bib", FOREIGN)
    papers = _by_title(session)
    assert papers["beta-VAE: Learning Basic Visual Concepts"].cite_key == "DBLP:journals/corr/Higgins17"
    assert papers["Scaling Things"].cite_key == "smith2020scaling"
    assert papers["A Key With a Backslash"].cite_key is None  # not a key BibTeX, biber and pandoc all read
    assert len(report.notes) == 1
    item, note = report.notes[0]
    assert "P\\'erez2020" in item and note.startswith("citation key not kept: ")
    assert report.to_dict()["notes"] == [{"item": item, "note": note}]


def test_a_key_another_paper_holds_is_not_stored_and_is_reported(tmp_path: Path) -> None:
    session = Session.open(tmp_path / "lib.json")
    session.run(_papers_command([Paper.create(title="Already Here", authors=["Ann Smith"], published="2019")]))
    holder = next(iter(session.library.papers.values()))
    session.run(SetKey(holder.id, "SMITH2020Scaling"))  # the same key to BibTeX: case does not count
    report = _import(session, tmp_path / "refs.bib", FOREIGN)
    papers = _by_title(session)
    assert papers["Scaling Things"].cite_key is None
    assert papers["Already Here"].cite_key == "SMITH2020Scaling"
    notes = [note for item, note in report.notes if "Scaling Things" in item]
    assert notes == [f"citation key 'smith2020scaling' not kept: it is already the key of {holder.id}"]
    # Two entries of one file with the same key: the first paper keeps it.
    report = _import(session, tmp_path / "twice.bib", "@misc{dup, title={One}, year={2020}}\n"
                                                       "@misc{Dup, title={Two}, year={2021}}\n")
    papers = _by_title(session)
    assert papers["One"].cite_key == "dup" and papers["Two"].cite_key is None
    assert [note for _item, note in report.notes] == [
        f"citation key 'Dup' not kept: it is already the key of {papers['One'].id}"]


def test_a_key_that_names_another_paper_by_its_id_is_not_stored(tmp_path: Path) -> None:
    """`readlist show KEY` finds a paper by its id before any key: a key that is, or begins, another paper's id
    would never find its own paper, and would stop the id naming the other (as `readlist key` refuses it)."""
    session = Session.open(tmp_path / "lib.json")
    session.run(_papers_command([Paper.create(title="Attention", arxiv_id="1706.03762", published="2017"),
                                 Paper.create(title="Held By Id", published="2019")]))
    by_title = _by_title(session)
    titled = by_title["Held By Id"].id
    report = _import(session, tmp_path / "ids.bib",
                     "@misc{1706.03762, title={Not Attention}, year={2020}}\n"
                     f"@misc{{{titled[:6]}, title={{Prefix Of An Id}}, year={{2021}}}}\n"
                     "@misc{1706.03762v1, title={Attention}, year={2017}}\n")
    papers = _by_title(session)
    assert papers["Not Attention"].cite_key is None and papers["Prefix Of An Id"].cite_key is None
    assert papers["Attention"].cite_key == "1706.03762v1"  # its own id, versioned: it names that paper
    notes = sorted(note for _item, note in report.notes)
    assert notes == ["citation key '1706.03762' not kept: it is the id of another paper (1706.03762)",
                     f"citation key '{titled[:6]}' not kept: it begins the id of another paper ({titled}), which it "
                     "would stop naming"]


def test_a_paper_already_in_the_library_takes_the_key_only_when_it_has_none(tmp_path: Path) -> None:
    session = Session.open(tmp_path / "lib.json")
    session.run(_papers_command([
        Paper.create(title="Scaling Things", authors=["Ann Smith"], published="2020"),
        Paper.create(title="beta-VAE: Learning Basic Visual Concepts", authors=["Irina Higgins"], published="2017"),
    ]))
    higgins = _by_title(session)["beta-VAE: Learning Basic Visual Concepts"]
    session.run(SetKey(higgins.id, "higgins-own"))
    report = _import(session, tmp_path / "refs.bib", FOREIGN)
    papers = _by_title(session)
    assert papers["Scaling Things"].cite_key == "smith2020scaling"
    assert papers["Scaling Things"].id in report.updated
    assert papers["beta-VAE: Learning Basic Visual Concepts"].cite_key == "higgins-own"  # never overwritten
    assert (f"{higgins.id} beta-VAE: Learning Basic Visual Concepts",
            "keeps its citation key 'higgins-own'; the source calls it 'DBLP:journals/corr/Higgins17'") in report.notes

    # Undo takes the key back off the paper that had none, and removes the papers the import added.
    session.undo()
    papers = _by_title(session)
    assert papers["Scaling Things"].cite_key is None
    assert papers["beta-VAE: Learning Basic Visual Concepts"].cite_key == "higgins-own"
    assert "A Key With a Backslash" not in papers
