"""Two processes editing the same papers at once lose nothing; the terminal UI sees CLI changes."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from readlist.app.commands import AppendNote
from readlist.app.imports import ImportPapers
from readlist.core.model import Paper
from readlist.storage.journal import kept_aside_journals
from readlist.storage.library import Library
from readlist.storage.snapshot import Snapshot, read_snapshot

REPO = Path(__file__).resolve().parents[2]
PAPERS = 20
ACTIONS = 500

# Each worker appends a tag and a note paragraph of its own to papers the other worker edits too.
# Worker "api" holds one Library for the whole run (as the terminal UI does) and never refreshes by
# hand; worker "cli" runs every change as a `readlist` command (in-process, to keep the test fast),
# which opens the library afresh and compacts it after each change.
WORKER = r"""
import sys, time
from pathlib import Path
db, who, go = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
from readlist.storage.library import Library
from readlist.app.commands import AppendNote, EditTags
ids = sorted(Library(db).papers)
while not go.exists():
    time.sleep(0.001)
if who == "api":
    lib = Library(db)
    for i in range(ACTIONS):
        pid = ids[i % len(ids)]
        if i % 2:
            EditTags([pid], add=[f"api-{i}"]).execute(lib)
        else:
            AppendNote(pid, f"api {i}").execute(lib)
        if i % 50 == 0:
            lib.compact()
else:
    from readlist.cli import main
    for i in range(ACTIONS):
        pid = ids[(i * 7) % len(ids)]
        args = ["tag", pid, f"+cli-{i}"] if i % 2 else ["note", pid, "--append", f"cli {i}"]
        try:
            main(["--db", str(db), *args], standalone_mode=False)
        except SystemExit as exc:
            assert not exc.code, exc.code
print("done", who)
""".replace("ACTIONS", str(ACTIONS))


def test_two_processes_500_actions_each_on_overlapping_papers_lose_nothing(tmp_path: Path) -> None:
    db = tmp_path / "library.json"
    lib = Library(db)
    ImportPapers([Paper.from_dict({"title": f"Shared paper {n}", "arxiv_id": f"2402.{n:05d}"})
                       for n in range(PAPERS)], "t").execute(lib)
    lib.compact(force=True)
    ids = sorted(lib.papers)
    go = tmp_path / "go"
    procs = [
        subprocess.Popen([sys.executable, "-c", WORKER, str(db), who, str(go)], cwd=REPO,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for who in ("api", "cli")
    ]
    time.sleep(1.0)  # both started and waiting
    go.touch()
    for proc in procs:
        _out, err = proc.communicate(timeout=240)
        assert proc.returncode == 0, err[-2000:]
    final = Library(db).papers
    assert kept_aside_journals(db) == []  # no journal taken for another library's or an older one's
    lost: list[str] = []
    for i in range(ACTIONS):
        api_pid, cli_pid = ids[i % PAPERS], ids[(i * 7) % PAPERS]
        if i % 2:
            lost += [f"tag api-{i}"] if f"api-{i}" not in final[api_pid].tags else []
            lost += [f"tag cli-{i}"] if f"cli-{i}" not in final[cli_pid].tags else []
        else:
            lost += [f"note api {i}"] if f"api {i}" not in final[api_pid].note.split("\n\n") else []
            lost += [f"note cli {i}"] if f"cli {i}" not in final[cli_pid].note.strip().split("\n\n") else []
    assert lost == [], f"{len(lost)} lost updates, e.g. {lost[:5]}"
    # Each worker's own paragraphs keep their order.
    for pid in ids:
        paragraphs = final[pid].note.strip().split("\n\n")
        for who in ("api", "cli"):
            mine = [int(p.split()[1]) for p in paragraphs if p.startswith(who + " ")]
            assert mine == sorted(mine)
    total_tags = sum(len(p.tags) for p in final.values())
    assert total_tags == ACTIONS  # 250 + 250, none lost, none doubled


def test_replayed_changes_keep_each_touched_paper_as_it_was_only_once_asked(tmp_path: Path) -> None:
    """A user interface adjusts its counts from the papers another process's journal lines touched: the library
    hands over a copy of each as it was before the first of them, and None when it was read again whole."""
    from readlist.app.commands import Delete, EditTags, SetStatus

    path = tmp_path / "library.json"
    first = Library(path)
    ImportPapers([Paper.create(title=f"Paper {i}", authors=["A. Author"]) for i in range(4)], "seed").execute(first)
    first.compact(force=True)
    ids = sorted(first.papers)
    ui, other = Library(path), Library(path)
    SetStatus(ids[:1], "read").execute(other)
    ui.refresh()
    assert ui.take_replayed() is None  # never asked before: no copies were made while it caught up
    assert ui.take_replayed() == {}
    EditTags(ids[:2], add=["x"]).execute(other)
    SetStatus(ids[1:2], "skipped").execute(other)
    Delete(ids[2:3]).execute(other)
    ImportPapers([Paper.create(title="Paper new", authors=["B. Author"])], "seed").execute(other)
    assert ui.refresh()
    replayed = ui.take_replayed()
    assert replayed is not None and set(replayed) == {*ids[:3], *(set(ui.papers) - set(ids))}
    assert (replayed[ids[0]].status, replayed[ids[0]].tags) == ("read", [])  # type: ignore[union-attr]
    assert (replayed[ids[1]].status, replayed[ids[1]].tags) == ("inbox", [])  # type: ignore[union-attr]
    assert replayed[ids[2]] is not None and ui.get(ids[2]) is None
    assert [replayed[pid] for pid in set(ui.papers) - set(ids)] == [None]
    assert ui.take_replayed() == {}
    other.compact(force=True)  # a new library file: read again whole
    ui.refresh()
    assert ui.take_replayed() is None


def _folded_in_between(tmp_path: Path) -> tuple[Path, str, Snapshot]:
    """A library whose file a second process read just before the first folded its journal in and began a new one
    (a change made after the folding, held by the new journal only). Returns the path, the paper and what was read."""
    db = tmp_path / "library.json"
    writer = Library(db)
    ImportPapers([Paper.from_dict({"title": f"Paper {n}", "arxiv_id": f"2402.{n:05d}"}) for n in range(3)],
                 "t").execute(writer)
    writer.compact(force=True)
    pid = sorted(writer.papers)[0]
    read_first = read_snapshot(db)  # the second process reads the library file...
    AppendNote(pid, "one").execute(writer)
    writer.compact(force=True)  # ...the first folds its journal in...
    AppendNote(pid, "two").execute(writer)  # ...and its next change begins a new journal...
    return db, pid, read_first  # ...which the second process reads next


@pytest.mark.parametrize("tidy", [True, False])
def test_a_journal_begun_after_the_library_file_was_read_is_the_newer_files_and_is_applied(
    tmp_path: Path, tidy: bool,
) -> None:
    """Read against the file read before, such a journal looks newer than its library file (as one left by an older
    file put back by hand does): it must not be moved aside, or the change it alone holds is lost."""
    db, pid, read_first = _folded_in_between(tmp_path)
    late = Library(db, load=False, tidy=tidy)
    late.load(snapshot=read_first)
    assert late.take_notices() == []
    assert late.papers[pid].note.split() == ["one", "two"]
    assert kept_aside_journals(db) == []
    if tidy:
        AppendNote(pid, "three").execute(late)
        assert Library(db).papers[pid].note.split() == ["one", "two", "three"]

