"""Where the terminal UI was when it closed, so that reopening the library goes back there (and a command that
re-ranks the kept first screen knows the order it was shown in).

Kept beside the library (``library.json.ui``) rather than in config.toml: it belongs to one library,
changes at every session and is of no interest to anyone editing their settings. Losing it costs
nothing but the position, so reading and writing it never fail loudly.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import msgspec

from readlist.storage.atomic import atomic_write_bytes, load_small_json
from readlist.storage.paths import ui_state_path


class UiState(msgspec.Struct, kw_only=True):
    view: str = "status:inbox"
    sort: str = ""
    search: str = ""
    paper: str | None = None
    layout: str = "auto"  # or "side" / "stacked", after L


_STATE = msgspec.json.Decoder(UiState)
# A view, a search and a paper id: a few hundred bytes. Anything far larger is not this file.
MAX_BYTES = 1 << 20


def load_ui_state(library: Path) -> UiState | None:
    return load_small_json(ui_state_path(library), MAX_BYTES, _STATE)


def save_ui_state(library: Path, state: UiState) -> None:
    with contextlib.suppress(OSError):
        atomic_write_bytes(ui_state_path(library), msgspec.json.encode(state))
