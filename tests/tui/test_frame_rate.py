"""The app asks Textual for up to 240 frames a second (see ``readlist.tui``), and a user's own setting wins.

Run in a fresh interpreter: Textual reads the setting once, when it is first imported, so the order of imports
is what is being checked.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

PROBE = ("import readlist.tui.app, textual.constants, textual.screen; "
         "print(textual.constants.MAX_FPS, round(1 / textual.screen.UPDATE_PERIOD))")


def _frame_rate(env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=60,
                          check=True)
    return done.stdout.strip()


def test_the_app_draws_up_to_240_frames_a_second() -> None:
    env = {k: v for k, v in os.environ.items() if k != "TEXTUAL_FPS"}
    assert _frame_rate(env) == "240 240"


@pytest.mark.parametrize("chosen", ["30", "60"])
def test_a_frame_rate_the_user_set_is_kept(chosen: str) -> None:
    assert _frame_rate({**os.environ, "TEXTUAL_FPS": chosen}) == f"{chosen} {chosen}"
