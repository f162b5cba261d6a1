"""The last interest scores are kept beside the library and read back, checked like any input."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from readlist.app import remembered_interest
from readlist.app.remembered_interest import RememberedInterest, about_library, recall_scores, remember_scores
from readlist.storage.paths import interest_scores_path, journal_path


def test_scores_read_back_order_papers_as_the_model_did(tmp_path: Path) -> None:
    library = tmp_path / "library.json"
    scores = {"a": 0.912345678, "b": 0.1, "c": 0.500004, "d": 0.5}
    remember_scores(library, scores)
    remembered = recall_scores(library)
    assert remembered is not None and remembered.ready and remembered.remembered
    assert remembered.reason is None and remembered.generation == 0
    assert remembered.score_of("a") == pytest.approx(0.912346)
    assert sorted(remembered.scores, key=remembered.scores.__getitem__) == ["b", "d", "c", "a"]
    # No model behind them: reasons and related papers wait for the new computation.
    assert remembered.related("a") == [] and remembered.more_like(["a", "b"]) == []
    assert interest_scores_path(library).stat().st_mode & 0o777 == 0o600


def test_no_model_removes_what_was_kept(tmp_path: Path) -> None:
    library = tmp_path / "library.json"
    remember_scores(library, {"a": 0.7})
    remember_scores(library, None)
    assert not interest_scores_path(library).exists()
    assert recall_scores(library) is None
    remember_scores(library, None)  # nothing to remove: no error


@pytest.mark.parametrize("content", [
    b"",
    b"\x00\xff\xfe binary",
    b'{"format": 1, "scores": {"a": 0.5',  # cut short
    b'{"format": 2, "scores": {"a": 0.5}}',  # a later format
    b'{"format": 1, "scores": {}}',
    b'{"format": 1, "scores": {"a": 1.5}}',
    b'{"format": 1, "scores": {"a": -0.1}}',
    b'{"format": 1, "scores": {"a": "high"}}',
    b'{"format": 1, "scores": ["a"]}',
    b'[1, 2, 3]',
])
def test_a_damaged_or_foreign_file_is_ignored(tmp_path: Path, content: bytes) -> None:
    library = tmp_path / "library.json"
    interest_scores_path(library).write_bytes(content)
    assert recall_scores(library) is None


def test_a_huge_file_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    library = tmp_path / "library.json"
    remember_scores(library, {f"p{i}": 0.5 for i in range(200)})
    assert recall_scores(library) is not None
    monkeypatch.setattr(remembered_interest, "MAX_BYTES", 1000)
    assert recall_scores(library) is None


def test_a_folder_that_cannot_be_written_is_let_go(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    remember_scores(blocker / "library.json", {"a": 0.5})  # the parent is a file: nothing written, no error
    assert recall_scores(blocker / "library.json") is None


def test_a_fifo_or_a_device_in_its_place_is_ignored_without_waiting(tmp_path: Path) -> None:
    library = tmp_path / "library.json"
    os.mkfifo(interest_scores_path(library))  # opening it for reading would wait for a writer forever
    assert recall_scores(library) is None
    interest_scores_path(library).unlink()
    interest_scores_path(library).symlink_to("/dev/zero")
    assert recall_scores(library) is None


def test_scores_are_about_a_library_when_they_score_at_least_half_of_it() -> None:
    kept = RememberedInterest({"a": 0.9, "b": 0.1, "gone": 0.5})
    assert about_library(kept, ["a", "b"])
    assert about_library(kept, ["a", "b", "new-1", "new-2"])  # papers imported since: scored next time
    assert not about_library(kept, ["a", "new-1", "new-2"])
    assert not about_library(kept, ["x", "y"])
    assert not about_library(kept, [])


def test_a_file_larger_than_the_library_itself_is_not_read(tmp_path: Path) -> None:
    """Scores take ~25 bytes a paper and the library far more: a larger file belongs to no library here."""
    library = tmp_path / "library.json"
    scores = {f"2501.{n:05d}v{n % 9}-{'x' * 20}": 0.5 for n in range(40_000)}
    remember_scores(library, scores)
    size = interest_scores_path(library).stat().st_size
    assert size > 1 << 20
    library.write_bytes(b"{}")  # a library far smaller than the scores
    assert recall_scores(library) is None
    library.write_bytes(b" " * (size // 2))
    journal_path(library).write_bytes(b" " * (size // 2 + 1))  # the journal's papers count too
    kept = recall_scores(library)
    assert kept is not None and len(kept.scores) == len(scores)


def test_scores_a_command_takes_as_they_are_are_the_trained_ones_exactly(tmp_path: Path) -> None:
    """A command that reuses the kept scores prints them to four decimals and orders by them: rounded when kept, one
    score in a hundred or so printed differently from what training gives (0.80645 kept as 0.806450 prints 0.8065,
    0.8064 trained) and papers whose scores round alike ordered otherwise (48 values and 88 places of a 10,000-paper
    list)."""
    library = tmp_path / "library.json"
    scores = {"a": 0.80644996, "b": 0.80644951, "c": 0.1234567890123456}
    remember_scores(library, scores, read="files", trained=1000.0)
    kept = remembered_interest.current_scores(library, "files", 1001.0)
    assert kept == scores
    assert round(kept["a"], 4) == 0.8064 and sorted(kept, key=kept.__getitem__) == ["c", "b", "a"]
