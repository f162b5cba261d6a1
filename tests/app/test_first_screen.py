"""The kept first screen: used only for exactly the files it was made from, refreshed after command-line changes."""

from __future__ import annotations

import os
from pathlib import Path

import msgspec
from click.testing import CliRunner

from readlist.app.commands import Rate, SetStatus
from readlist.app.first_screen import ROWS, kept_first_screen, make_first_screen, save_first_screen
from readlist.app.imports import ImportPapers
from readlist.app.remembered_interest import remember_scores
from readlist.app.session import Session
from readlist.app.views import FIXED_VIEWS
from readlist.cli import main
from readlist.core.model import Paper
from readlist.storage.first_screen import files_stamp, read_first_screen
from readlist.storage.paths import first_screen_path, interest_scores_path


def make(path: Path, count: int = 8) -> Session:
    session = Session.open(path)
    papers = [Paper.create(title=f"Paper {n}", arxiv_id=f"2401.{n:05d}", added=f"2025-01-{n + 1:02d}T00:00:00+00:00")
              for n in range(count)]
    session.run(ImportPapers(papers, "t"))
    session.run(SetStatus(["2401.00000"], "read"))
    session.library.compact(force=True)
    return session


def test_kept_for_the_files_it_was_made_from_only(tmp_path: Path) -> None:
    path = tmp_path / "lib.json"
    session = make(path)
    save_first_screen(session, "status:inbox", "added")
    kept = kept_first_screen(path)
    assert kept is not None and kept.view == "status:inbox" and kept.shown == 7
    assert [p.id for p in kept.papers] == [f"2401.{n:05d}" for n in range(7, 0, -1)]
    assert kept.counts.by_status["inbox"] == 7 and kept.counts.total == 8
    # Any change to the library files, by any process, and it is no longer used.
    Rate(["2401.00003"], 5).execute(Session.open(path).library)
    assert kept_first_screen(path) is None
    save_first_screen(Session.open(path), "status:inbox", "added")
    kept = kept_first_screen(path)
    assert kept is not None and next(p for p in kept.papers if p.id == "2401.00003").rating == 5
    Session.open(path).library.compact(force=True)  # a new generation of the snapshot
    assert kept_first_screen(path) is None


def test_a_damaged_or_foreign_first_screen_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "lib.json"
    session = make(path)
    save_first_screen(session, "status:inbox", "added")
    good = first_screen_path(path).read_bytes()
    for bad in (b"", b"{", b"[1,2]", good.replace(b'"rating":0', b'"rating":"five"', 1),
                good.replace(b'"title":"Paper 7"', b'"title":""', 1)):
        first_screen_path(path).write_bytes(bad)
        assert kept_first_screen(path) is None
    stored = msgspec.json.decode(good)
    stored["stamp"][1] = "another-library"
    first_screen_path(path).write_bytes(msgspec.json.encode(stored))
    assert read_first_screen(path) is None and files_stamp(path) is not None


def test_rows_around_the_paper_under_the_cursor(tmp_path: Path) -> None:
    path = tmp_path / "lib.json"
    session = make(path, count=ROWS * 2)
    deep = f"2401.{ROWS + 40:05d}"
    screen = make_first_screen(session, "all", "-added", paper=deep)  # oldest first: the paper is far down
    assert screen is not None and screen.shown == ROWS * 2 and len(screen.papers) == ROWS
    assert deep in [p.id for p in screen.papers]
    assert make_first_screen(session, "tag:none", "added") is None  # a view that no longer exists


def test_a_command_line_change_keeps_the_first_screen_current(tmp_path: Path) -> None:
    path = tmp_path / "lib.json"
    save_first_screen(make(path), FIXED_VIEWS[0].key, "added")
    result = CliRunner().invoke(main, ["--db", str(path), "mark", "2401.00005", "to-read"])
    assert result.exit_code == 0, result.output
    kept = kept_first_screen(path)
    assert kept is not None and "2401.00005" not in [p.id for p in kept.papers] and kept.shown == 6
    # Without a kept first screen (the app never closed here), commands write none.
    first_screen_path(path).unlink()
    CliRunner().invoke(main, ["--db", str(path), "rate", "2401.00004", "3"])
    assert not first_screen_path(path).exists()


# Scores that order the papers as no other sort does: 2401.00003 first, then the odd ones, then the even ones.
# Every paper has one, decided or not, as the model leaves them.
SCORES = {f"2401.{n:05d}": (0.95 if n == 3 else 0.6 if n % 2 else 0.2) + n / 1000 for n in range(20)}
INTEREST_ORDER = ["2401.00003", "2401.00007", "2401.00005", "2401.00001", "2401.00006", "2401.00004", "2401.00002"]


def decided(path: Path) -> Session:
    """Twenty papers, twelve of them decided (enough for a model), the seven of SCORES in the Inbox."""
    session = make(path, count=20)
    session.run(SetStatus([f"2401.{n:05d}" for n in range(8, 14)], "to-read"))
    session.run(SetStatus([f"2401.{n:05d}" for n in range(14, 20)], "skipped"))
    return session


def test_the_automatic_sort_is_kept_in_the_order_the_next_start_shows(tmp_path: Path) -> None:
    path = tmp_path / "lib.json"
    session = decided(path)
    save_first_screen(session, "status:inbox", "auto")
    kept = kept_first_screen(path)
    assert kept is not None and kept.sort == "added"  # nothing learned: date added
    assert kept.papers[0].id == "2401.00007"

    remember_scores(path, SCORES)  # what the interest model left at the end of a session
    save_first_screen(session, "status:inbox", "auto")
    kept = kept_first_screen(path)
    assert kept is not None and kept.sort == "interest"
    assert [p.id for p in kept.papers] == INTEREST_ORDER
    # Other views start in date order, learned or not.
    save_first_screen(session, "status:read", "auto")
    kept = kept_first_screen(path)
    assert kept is not None and kept.sort == "added"


def test_a_command_line_change_keeps_an_interest_ordered_first_screen_in_that_order(tmp_path: Path) -> None:
    path = tmp_path / "lib.json"
    session = decided(path)
    remember_scores(path, SCORES)
    save_first_screen(session, "status:inbox", "auto")
    result = CliRunner().invoke(main, ["--db", str(path), "mark", "2401.00007", "to-read"])
    assert result.exit_code == 0, result.output
    kept = kept_first_screen(path)
    assert kept is not None and kept.sort == "interest"
    assert [p.id for p in kept.papers] == [i for i in INTEREST_ORDER if i != "2401.00007"]


def test_damaged_scores_leave_the_first_screen_in_date_order(tmp_path: Path) -> None:
    path = tmp_path / "lib.json"
    session = make(path)
    interest_scores_path(path).write_bytes(b'{"format": 1, "scores": {"2401.00003": 7}}')
    save_first_screen(session, "status:inbox", "auto")
    kept = kept_first_screen(path)
    assert kept is not None and kept.sort == "added"


def test_decisions_undone_from_the_command_line_drop_the_kept_scores(tmp_path: Path) -> None:
    path = tmp_path / "lib.json"
    session = make(path, count=16)
    ids = [f"2401.{n:05d}" for n in range(16)]
    session.run(SetStatus(ids[1:6], "to-read"))
    session.run(SetStatus(ids[6:12], "skipped"))  # 12 decisions: a model
    remember_scores(path, {paper_id: n / 20 for n, paper_id in enumerate(ids)})
    save_first_screen(session, "status:inbox", "auto")
    kept = kept_first_screen(path)
    assert kept is not None and kept.sort == "interest"
    result = CliRunner().invoke(main, ["--db", str(path), "mark", *ids[6:10], "inbox"])  # 8 left: too few
    assert result.exit_code == 0, result.output
    assert not interest_scores_path(path).exists()
    kept = kept_first_screen(path)
    assert kept is not None and kept.sort == "added"


def test_a_fifo_in_place_of_the_first_screen_is_ignored_without_waiting(tmp_path: Path) -> None:
    path = tmp_path / "lib.json"
    make(path)
    os.mkfifo(first_screen_path(path))  # opening it for reading would wait for a writer forever
    assert kept_first_screen(path) is None


def test_decisions_undone_from_the_command_line_drop_the_scores_without_a_kept_first_screen(tmp_path: Path) -> None:
    """The app never closed on this library (no first screen kept), yet its child process left scores."""
    path = tmp_path / "lib.json"
    session = make(path, count=16)
    ids = [f"2401.{n:05d}" for n in range(16)]
    session.run(SetStatus(ids[1:6], "to-read"))
    session.run(SetStatus(ids[6:12], "skipped"))
    remember_scores(path, {paper_id: n / 20 for n, paper_id in enumerate(ids)})
    assert not first_screen_path(path).exists()
    result = CliRunner().invoke(main, ["--db", str(path), "mark", ids[12], "to-read"])  # still a model
    assert result.exit_code == 0, result.output
    assert interest_scores_path(path).exists()
    result = CliRunner().invoke(main, ["--db", str(path), "mark", *ids[6:10], "inbox"])  # too few now
    assert result.exit_code == 0, result.output
    assert not interest_scores_path(path).exists()
    assert not first_screen_path(path).exists()
