"""A saved search lists its papers through the search index once it is built, exactly as scanning would."""

from __future__ import annotations

import sys
from pathlib import Path

from readlist.app.notes import SaveNote
from readlist.app.views import ListModel, saved_view
from readlist.core.query import haystack, sort_papers
from readlist.storage.library import Library

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from generate import generate_papers, write_library


def test_saved_search_with_words_lists_the_same_papers_with_the_index(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    write_library(list(generate_papers(200, seed=4)), path)
    lib = Library(path)
    model = ListModel(lib)
    view = saved_view("learning", "learn -model OR quokkafish")
    assert view.query is not None

    def scanned() -> list[str]:
        return [p.id for p in sort_papers(list(lib.papers.values()), "added") if view.matches(p)]

    assert [p.id for p in model.select(view, "", "added")] == scanned()  # no index yet: scanned
    model.index.build()
    target = next(p.id for p in lib.papers.values() if not view.matches(p))
    SaveNote(target, "a quokkafish").execute(lib)  # a word only the note has, after the index was built
    listed = [p.id for p in model.select(view, "", "added")]
    assert target in listed
    assert listed == scanned()
    searched = [p.id for p in model.select(view, "e", "added")]  # a search inside the saved view
    assert searched == [pid for pid in scanned() if "e" in haystack(lib.papers[pid])]


def test_saved_search_counts_come_from_the_index_without_reading_abstracts(tmp_path: Path, monkeypatch) -> None:
    """Every change of view recounts the saved searches: with the index built, no abstract is read from the file."""
    from readlist.app.views import count
    from readlist.storage.snapshot import StoredText

    path = tmp_path / "library.json"
    write_library(list(generate_papers(300, seed=5)), path)
    lib = Library(path)
    model = ListModel(lib)
    views = [saved_view("learning", "learn -model"), saved_view("tagged", "tag:rl OR reasoning"),
             saved_view("broken", "(unclosed")]
    scanned = {v.key.removeprefix("saved:"): {p.id for p in lib.papers.values() if v.matches(p)} for v in views}
    model.index.build()
    reads = 0
    load = StoredText.load

    def counted_load(self: StoredText) -> str:
        nonlocal reads
        reads += 1
        return load(self)

    monkeypatch.setattr(StoredText, "load", counted_load)
    counts = count(lib.papers.values())
    counts.count_saved(views, lib.papers.values(), index=model.index)
    assert counts.saved == scanned
    assert scanned["learning"] and scanned["tagged"] and not scanned["broken"]
    assert reads == 0
    assert counts.total == 300 and sum(counts.by_status.values()) == 300
