"""What a command learns is kept for the app's next start and the next command, and used only while it holds:
the same papers (no decision, import or file replaced since) and less than an hour old. Trainings are counted,
never timed."""

from __future__ import annotations

import json
import math
import os
import shutil
import struct
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from readlist.app.first_screen import kept_first_screen, save_first_screen
from readlist.app.remembered_interest import about_library, recall_scores
from readlist.app.session import Session
from readlist.app.ui_state import UiState, save_ui_state
from readlist.cli import main
from readlist.core import interest_model
from readlist.core.interest import utcnow
from readlist.storage.library import Library
from readlist.storage.paths import interest_model_path, interest_scores_path, ui_state_path


def run(db: Path, *args: str) -> Result:
    result = CliRunner().invoke(main, ["--db", str(db), *args])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def trainings(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times the model was trained, in this process (CliRunner runs the commands here)."""
    calls: list[int] = []
    real = interest_model.train

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(interest_model, "train", counted)
    return calls


def rl_papers(db: Path) -> tuple[list[str], list[str]]:
    lib = Library(db)
    ids = sorted(lib.papers)
    rl = [i for i in ids if "reinforcement" in (lib.papers[i].title + lib.papers[i].abstract).lower()]
    other = [i for i in ids if i not in rl]
    return rl, other


def rate_from_the_command_line(db: Path) -> tuple[list[str], list[str]]:
    """Twelve decisions, one `readlist rate` each: the RL papers rated 5, others 1."""
    rl, other = rl_papers(db)
    liked, disliked = rl[:6], other[:6]
    for paper_id in liked:
        run(db, "rate", paper_id, "5")
    for paper_id in disliked:
        run(db, "rate", paper_id, "1")
    return liked, disliked


def interest_of(db: Path, paper_id: str) -> dict[str, object]:
    interest: dict[str, object] = json.loads(run(db, "show", paper_id, "--json").stdout)["interest"]
    return interest


def test_decisions_made_on_the_command_line_order_the_apps_first_paint(seed_library: Path) -> None:
    """The app was left in the Inbox, automatic sort, before there were enough decisions (kept in date order). After
    `rate` from the command line and a command that learns from them, the next start has their scores and a kept
    first screen in their order: it opens ranked, instead of in date order and re-ranked seconds later."""
    session = Session.open(seed_library)
    save_first_screen(session, "status:inbox", "auto")
    save_ui_state(seed_library, UiState(view="status:inbox", sort="auto"))
    kept = kept_first_screen(seed_library)
    assert kept is not None and kept.sort == "added"
    rate_from_the_command_line(seed_library)
    assert recall_scores(seed_library) is None  # deciding alone trains nothing: `rate` stays quick

    listed = json.loads(run(seed_library, "list", "--sort", "interest", "--json").stdout)
    remembered = recall_scores(seed_library)
    assert remembered is not None and about_library(remembered, Library(seed_library).papers.keys())
    for record in listed:
        assert remembered.scores[record["id"]] == pytest.approx(record["interest"]["score"], abs=1e-4)
    kept = kept_first_screen(seed_library)
    assert kept is not None and kept.view == "status:inbox" and kept.sort == "interest"
    inbox_in_order = [r["id"] for r in listed if r["status"] == "inbox"]
    assert [p.id for p in kept.papers] == inbox_in_order[: len(kept.papers)]
    assert ui_state_path(seed_library).exists()


def test_a_second_show_with_no_decision_between_does_not_train(seed_library: Path, trainings: list[int]) -> None:
    liked, _ = rate_from_the_command_line(seed_library)
    paper = rl_papers(seed_library)[0][10]
    first = interest_of(seed_library, paper)
    assert len(trainings) == 1 and first["score"] is not None and first["because"]
    assert interest_of(seed_library, paper) == first
    other = rl_papers(seed_library)[1][20]
    interest_of(seed_library, other)
    listed = json.loads(run(seed_library, "list", "--sort", "interest", "--json").stdout)
    assert len(trainings) == 1  # the model and its scores were kept, and hold for these papers
    assert next(r["interest"]["score"] for r in listed if r["id"] == paper) == pytest.approx(first["score"], abs=1e-4)

    run(seed_library, "rate", liked[0], "1")  # a decision: what was learned no longer holds
    changed = interest_of(seed_library, paper)
    assert len(trainings) == 2 and changed["score"] != first["score"]
    run(seed_library, "list", "--sort", "interest", "--json")
    assert len(trainings) == 2


def test_the_reused_answer_is_the_one_training_gives(seed_library: Path) -> None:
    rate_from_the_command_line(seed_library)
    paper = rl_papers(seed_library)[0][10]
    learned = interest_of(seed_library, paper)
    again = interest_of(seed_library, paper)
    interest_model_path(seed_library).unlink()
    interest_scores_path(seed_library).unlink()
    assert again == learned == interest_of(seed_library, paper)


def test_a_change_by_another_process_or_a_replaced_file_trains_again(
    seed_library: Path, trainings: list[int], tmp_path: Path,
) -> None:
    rate_from_the_command_line(seed_library)
    paper = rl_papers(seed_library)[0][10]
    before = tmp_path / "before.json"
    shutil.copy(seed_library, before)
    interest_of(seed_library, paper)
    assert len(trainings) == 1
    lib = Library(seed_library)  # not a command: no kept file is touched, only the journal grows
    from readlist.app.commands import SetStatus

    SetStatus([rl_papers(seed_library)[0][7]], "to-read").execute(lib)
    interest_of(seed_library, paper)
    assert len(trainings) == 2
    Library(seed_library).compact(force=True)  # folded in: the same papers in another file
    interest_of(seed_library, paper)
    assert len(trainings) == 3
    interest_of(seed_library, paper)
    assert len(trainings) == 3
    shutil.copy(before, seed_library)  # a backup restored
    interest_of(seed_library, paper)
    assert len(trainings) == 4


def test_a_file_written_over_in_place_with_its_size_and_time_trains_again(
    seed_library: Path, trainings: list[int],
) -> None:
    """A backup restored with ``cp -p``, or a script that edits the file and sets its time back, keeps the file's
    inode, size and modification time: the decisions it holds are another's all the same, and so is the answer."""
    liked, _ = rate_from_the_command_line(seed_library)
    Library(seed_library).compact(force=True)  # every decision in the file itself, none in a journal
    paper = rl_papers(seed_library)[0][10]
    first = interest_of(seed_library, paper)
    assert len(trainings) == 1
    before = seed_library.stat()
    text = seed_library.read_bytes()
    swapped = text.replace(b'"rating":5', b'"rating":#').replace(b'"rating":1', b'"rating":5')
    swapped = swapped.replace(b'"rating":#', b'"rating":1')  # the liked papers disliked and the other way round
    assert swapped != text and len(swapped) == len(text)
    with seed_library.open("r+b") as handle:
        handle.write(swapped)
    os.utime(seed_library, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = seed_library.stat()
    assert (after.st_ino, after.st_size, after.st_mtime_ns) == (before.st_ino, before.st_size, before.st_mtime_ns)
    assert Library(seed_library).papers[liked[0]].rating == 1

    edited = interest_of(seed_library, paper)
    assert len(trainings) == 2 and edited["score"] != first["score"]
    interest_model_path(seed_library).unlink()
    interest_scores_path(seed_library).unlink()
    assert interest_of(seed_library, paper) == edited  # what a training from nothing gives


def test_what_was_learned_over_an_hour_ago_is_learned_again(
    seed_library: Path, trainings: list[int], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A decision's weight fades with its age: scores learned a day ago would differ in the printed decimals."""
    from readlist.app import interest

    rate_from_the_command_line(seed_library)
    paper = rl_papers(seed_library)[0][10]
    interest_of(seed_library, paper)
    run(seed_library, "list", "--sort", "interest", "--json")
    assert len(trainings) == 1
    later = utcnow() + timedelta(hours=2)
    monkeypatch.setattr(interest, "utcnow", lambda: later)
    interest_of(seed_library, paper)
    assert len(trainings) == 2
    earlier = utcnow() - timedelta(hours=2)  # a clock set back: not trusted either
    monkeypatch.setattr(interest, "utcnow", lambda: earlier)
    run(seed_library, "list", "--sort", "interest", "--json")
    assert len(trainings) == 3


@pytest.mark.parametrize("damage", ["garbage", "short", "nan", "other columns", "other metadata", "older format"])
def test_a_damaged_kept_model_is_passed_over(seed_library: Path, trainings: list[int], damage: str) -> None:
    import msgspec

    from readlist.app.kept_model import KeptModel

    rate_from_the_command_line(seed_library)
    paper = rl_papers(seed_library)[0][10]
    learned = interest_of(seed_library, paper)
    path = interest_model_path(seed_library)
    kept = msgspec.msgpack.decode(path.read_bytes(), type=KeptModel)
    if damage == "garbage":
        path.write_bytes(b"\x93not a model")
    elif damage == "short":
        path.write_bytes(msgspec.msgpack.encode(msgspec.structs.replace(kept, coef=kept.coef[:-8])))
    elif damage == "nan":
        nan = b"\0\0\0\0\0\0\xf8\x7f"
        path.write_bytes(msgspec.msgpack.encode(msgspec.structs.replace(kept, coef=nan + kept.coef[8:])))
    elif damage == "other columns":
        path.write_bytes(msgspec.msgpack.encode(msgspec.structs.replace(kept, columns="0" * 32, text_columns="0" * 32)))
    elif damage == "other metadata":
        path.write_bytes(msgspec.msgpack.encode(msgspec.structs.replace(kept, meta_names=kept.meta_names[:-1])))
    else:
        path.write_bytes(msgspec.msgpack.encode(msgspec.structs.replace(kept, format=1)))
    assert interest_of(seed_library, paper) == learned
    # Metadata columns that are not the model's weights' stop the kept model explaining from one row; the vectors
    # of every paper, whose columns the model was learned on, still have it explain as it is.
    assert len(trainings) == (1 if damage == "other metadata" else 2)


def test_too_few_decisions_left_removes_what_was_kept(seed_library: Path) -> None:
    """The promise of a command that undoes decisions holds for the kept model as for the scores."""
    liked, _ = rate_from_the_command_line(seed_library)
    interest_of(seed_library, liked[0])
    assert interest_scores_path(seed_library).exists() and interest_model_path(seed_library).exists()
    for paper_id in liked[:3]:
        run(seed_library, "rate", paper_id, "0")
    assert not interest_scores_path(seed_library).exists() and not interest_model_path(seed_library).exists()
    assert interest_of(seed_library, liked[0])["score"] is None


@pytest.fixture
def restores(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times every paper's vectors were made (read back from the kept file or built), in this process."""
    from readlist.app.stored_vectors import VectorStore

    calls: list[int] = []
    real = VectorStore.vectors_for

    def counted(self: VectorStore, papers: object) -> object:
        calls.append(1)
        return real(self, papers)  # type: ignore[arg-type]

    monkeypatch.setattr(VectorStore, "vectors_for", counted)
    return calls


def test_a_kept_model_explains_a_paper_from_its_row_alone(
    seed_library: Path, trainings: list[int], restores: list[int],
) -> None:
    """At 100,000 papers, reading every paper's vectors back costs seconds; one paper needs its own row."""
    rate_from_the_command_line(seed_library)
    rl, other = rl_papers(seed_library)
    learned = {paper: interest_of(seed_library, paper) for paper in (rl[10], other[20])}
    assert (len(trainings), len(restores)) == (1, 1)
    again = {paper: interest_of(seed_library, paper) for paper in learned}
    assert (len(trainings), len(restores)) == (1, 1)
    assert again == learned
    assert any(reason["kind"] == "term" for reason in again[rl[10]]["because"])  # type: ignore[attr-defined]
    interest_model_path(seed_library).unlink()
    interest_scores_path(seed_library).unlink()
    assert {paper: interest_of(seed_library, paper) for paper in learned} == learned  # as training from nothing


def test_a_paper_whose_kept_row_is_not_its_text_or_is_damaged_is_explained_by_all_the_vectors(
    seed_library: Path, restores: list[int],
) -> None:
    from readlist.storage.paths import vectors_path

    rate_from_the_command_line(seed_library)
    rl, _ = rl_papers(seed_library)
    paper = rl[10]
    interest_of(seed_library, paper)  # the vectors file written
    # A new abstract: the vectors file, rewritten only once many rows are stale, keeps the row of the old one.
    run(seed_library, "edit", paper, "--abstract", "Reinforcement learning for robots in the wild.")
    learned = interest_of(seed_library, paper)
    assert len(restores) == 2
    assert interest_of(seed_library, paper) == learned
    assert len(restores) == 3

    other = rl[11]
    interest_of(seed_library, other)
    assert len(restores) == 3  # a row as its paper is now: read alone
    path = vectors_path(seed_library)
    data = bytearray(path.read_bytes())
    weights = learned_from_scratch(seed_library, other)
    arrays, ids = vector_file_layout(data)
    row = ids.index(other)
    first = int.from_bytes(data[arrays["indptr"] + 8 * row : arrays["indptr"] + 8 * row + 8], "little")
    at = arrays["data"] + 8 * first
    data[at : at + 8] = struct.pack("<d", 4.0)  # a weight no vectorizer makes
    path.write_bytes(bytes(data))
    assert interest_of(seed_library, other) == weights
    assert len(restores) == 5  # one for the answer from nothing, one for the damaged row
    path.write_bytes(bytes(data[: len(data) // 2]))  # cut short
    assert interest_of(seed_library, other) == weights


def vector_file_layout(data: bytes | bytearray) -> tuple[dict[str, int], list[str]]:
    """Where each array of a vectors file starts, and the papers' ids, read as the file's layout is documented."""
    from readlist.core.vector_file import MAGIC

    assert data.startswith(MAGIC)
    start = len(MAGIC) + 8
    length = int.from_bytes(data[len(MAGIC) : start], "little")
    header = json.loads(bytes(data[start : start + length]))
    offsets: dict[str, int] = {}
    offset = -(-(start + length) // 8) * 8
    for name, kind, shape in header["arrays"]:
        offsets[name] = offset
        offset = -(-(offset + math.prod(shape) * int(kind[1:])) // 8) * 8
    assert offset == len(data)
    return offsets, header["ids"]


def learned_from_scratch(db: Path, paper: str) -> dict[str, object]:
    """The paper's interest as a command with nothing kept gives it (what is kept is put back afterwards)."""
    from readlist.storage.paths import vectors_path

    kept = {path: path.read_bytes() for path in (interest_model_path(db), interest_scores_path(db), vectors_path(db))}
    for path in kept:
        path.unlink()
    try:
        return interest_of(db, paper)
    finally:
        for path, data in kept.items():
            path.write_bytes(data)
