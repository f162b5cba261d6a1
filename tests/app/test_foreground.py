"""Background work of the app's process waits while a key is answered (readlist.app.foreground).

A clock the test moves stands for time: a sleep moves it, so the waits are counted, never timed.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from readlist.app.foreground import Foreground
from readlist.app.views import ListModel
from readlist.storage.library import Library

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from generate import generate_papers, write_library


class Clock:
    """A clock that only a sleep moves; ``during_sleep`` runs in each sleep (a key pressed meanwhile)."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []
        self.during_sleep: Callable[[], None] | None = None

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        if self.during_sleep is not None:
            self.during_sleep()


def foreground(clock: Clock) -> Foreground:
    return Foreground(answer=0.1, longest=0.25, breath=0.001, clock=clock, sleep=clock.sleep)


def test_with_no_key_a_step_only_takes_a_breath() -> None:
    clock = Clock()
    fg = foreground(clock)
    for _ in range(3):
        fg.give_way()
    assert clock.sleeps == [0.001, 0.001, 0.001]


def test_after_a_key_the_work_sleeps_until_its_answer_is_drawn() -> None:
    clock = Clock()
    fg = foreground(clock)
    fg.key_pressed()  # at 0.0: the answer is drawn by 0.1
    clock.now = 0.02
    fg.give_way()
    assert clock.now == pytest.approx(0.1)
    assert len(clock.sleeps) == 2  # the breath, then the rest of the answer's time
    fg.give_way()  # the answer is drawn: a breath only
    assert len(clock.sleeps) == 3


def test_keys_pressed_all_the_time_slow_the_work_without_stopping_it() -> None:
    clock = Clock()
    fg = foreground(clock)
    clock.during_sleep = fg.key_pressed  # a key in every sleep: the answer is never drawn
    fg.key_pressed()
    fg.give_way()
    assert clock.now == pytest.approx(0.001 + 0.25)  # the breath, then the longest wait of one step


def test_the_index_built_for_the_app_is_left_out_of_full_garbage_collections(tmp_path: Path) -> None:
    """Like the library's papers at load: the index's per-paper marks are frozen once it is built."""
    path = tmp_path / "library.json"
    write_library(generate_papers(200, seed=3), path)
    model = ListModel(Library(path))
    gc.unfreeze()
    model.warm_search().join()
    assert model.index.ready
    assert gc.get_freeze_count() >= 200  # the marks, one tuple per paper, at least
