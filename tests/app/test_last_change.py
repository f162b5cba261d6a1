"""The record `readlist undo` reads: written in pieces, read back as the change it was."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from readlist.app.commands import Outcome, PaperChange
from readlist.app.history import LastChange, _record_chunks, load_last_change, save_last_change
from readlist.app.imports import Imported, ImportReport


def outcome_of(n: int) -> Outcome:
    changes = {f"2401.{i:05d}": PaperChange(None, {"id": f"2401.{i:05d}", "title": f'Paper "{i}" {{"changes":{{}}}}'})
               for i in range(n)}
    return Outcome('label with "changes":{} in it', changes)


@pytest.mark.parametrize("n", [0, 1, 2, 5, 7])
def test_written_in_pieces_it_is_the_same_json_as_written_whole(n: int) -> None:
    for last in (LastChange(outcome_of(n), undone=True, step="ab12"),
                 LastChange(Imported("imported", outcome_of(n).changes, report=ImportReport("file.bib", added=["x"])))):
        pieces = list(_record_chunks(last, per_chunk=2))
        assert b"".join(pieces) == msgspec.json.encode(last)
        assert len(pieces) == 2 + (n + 1) // 2  # the frame's two halves and one piece per two papers


def test_a_saved_record_reads_back_as_the_change(tmp_path: Path) -> None:
    db = tmp_path / "library.json"
    db.write_text("{}")
    outcome = outcome_of(2500)
    assert save_last_change(db, outcome, step="cd34") is None
    last = load_last_change(db)
    assert last is not None and last.step == "cd34" and not last.undone
    assert last.outcome.label == outcome.label
    assert last.outcome.changes == outcome.changes
