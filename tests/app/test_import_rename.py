"""A paper first known without an arXiv id takes its id when an import brings it, as enrichment does."""

from __future__ import annotations

from pathlib import Path

from readlist.app.commands import AppendNote, Rate
from readlist.app.history import revert
from readlist.app.imports import ImportPapers
from readlist.core.model import Paper
from readlist.importers import hf_text
from readlist.importers.bibtex import parse as parse_bibtex
from readlist.storage.library import Library
from tests.conftest import SEED_TODAY, SEEDS


def _seed_library(path: Path) -> tuple[Library, Paper]:
    lib = Library(path)
    papers = hf_text.parse(SEEDS[0].read_bytes(), today=SEED_TODAY).papers
    ImportPapers(papers, "seed", "hf-text").execute(lib)
    first = next(p for p in lib.papers.values() if p.id.startswith("t-"))
    return lib, first


def _bib(title: str, arxiv_id: str) -> list[Paper]:
    entry = (f"@misc{{k, title={{{title}}}, author={{Doe, Jane and Roe, Rick}}, year={{2023}}, "
             f"eprint={{{arxiv_id}}}, archivePrefix={{arXiv}}}}\n")
    return parse_bibtex(entry).papers


def test_a_text_copy_paper_takes_the_arxiv_id_a_later_import_gives_keeping_everything_else(tmp_path: Path) -> None:
    lib, paper = _seed_library(tmp_path / "lib.json")
    old_id = paper.id
    Rate([old_id], 4).execute(lib)
    AppendNote(old_id, "why it matters").execute(lib)
    count = len(lib)

    outcome = ImportPapers(_bib(paper.title, "2311.99999"), "refs.bib", "bibtex").execute(lib)

    assert outcome.report.updated == ["2311.99999"] and not outcome.report.added
    assert len(outcome) == 1  # one paper changed, under a new id
    assert len(lib) == count
    renamed = lib.get("2311.99999")
    assert renamed is not None and lib.get(old_id) is None
    assert renamed.arxiv_id == "2311.99999" and renamed.aliases == [old_id]
    assert renamed.authors == ["Jane Doe", "Rick Roe"]
    assert (renamed.rating, renamed.note.strip(), renamed.title) == (4, "why it matters", paper.title)
    assert lib.resolve(old_id).id == "2311.99999"  # the id it had still finds it

    reopened = Library(tmp_path / "lib.json")  # durable as it is in memory
    assert reopened.get("2311.99999") == renamed and reopened.get(old_id) is None

    assert outcome.renamed_to(old_id) == "2311.99999"  # where a list keeps its cursor
    undone = revert(lib, outcome, to_before=True)
    assert len(undone.outcome) == 1
    assert undone.outcome.renamed_to("2311.99999") == old_id
    back = lib.get(old_id)
    assert back is not None and lib.get("2311.99999") is None
    assert (back.arxiv_id, back.authors, back.rating) == (None, [], 4)


def test_a_paper_listed_without_then_with_its_id_in_one_import_is_added_once_under_the_id(tmp_path: Path) -> None:
    lib = Library(tmp_path / "lib.json")
    bare = Paper.from_dict({"title": "A Paper Listed Twice", "abstract": "Once as text."})
    outcome = ImportPapers([bare, *_bib("A Paper Listed Twice", "2401.12345")], "mixed", None).execute(lib)

    assert outcome.report.added == ["2401.12345"] and not outcome.report.updated
    assert [p.id for p in lib.papers.values()] == ["2401.12345"]
    assert list(outcome.changes) == ["2401.12345"]  # the id it had for a moment is not something to undo
    revert(lib, outcome, to_before=True)
    assert len(lib) == 0


def test_a_source_the_caller_could_not_store_is_told_by_it_and_the_next_is_stored(tmp_path: Path) -> None:
    """The app stores imported sources through its own runner, which tells the user why one could not be stored
    (None) and goes on: that source has no report, the next one is stored, all of it one undo step."""
    from readlist.app.imports import Imported, ParsedSource, import_parsed
    from readlist.app.session import Session
    from readlist.importers import ParseResult

    session = Session(Library(tmp_path / "lib.json"))
    first, second = (Paper.create(title=f"Paper number {n}") for n in (1, 2))
    parsed = [ParsedSource("a.txt", ParseResult(format="bibtex", papers=[first]), None),
              ParsedSource("b.txt", None, "unreadable"),
              ParsedSource("c.txt", ParseResult(format="bibtex", papers=[second]), None)]
    tried: list[str] = []

    def locked_on_the_first(command: ImportPapers) -> Imported | None:
        tried.append(command.source)
        return None if len(tried) == 1 else session.run(command)

    reports = import_parsed(session, parsed, run=locked_on_the_first)
    assert tried == ["a.txt", "c.txt"]
    assert [(r.source, r.added, r.error) for r in reports] == [("b.txt", [], "unreadable"),
                                                               ("c.txt", [second.id], None)]
    assert list(session.library.papers) == [second.id] and len(session.history.undo_stack) == 1
