"""The newest command-line undo step folded out of the journal, kept beside the library file.

Each command-line change names its undo step on its journal lines, and ``readlist undo`` compares the newest
name with its record's to tell a command killed before writing that record (:mod:`readlist.app.history`).
Folding the journal into the library file would lose the name, so whatever writes a new library file from a
journal that named a step keeps the newest one here first, and opening the library starts from it (a later
journal line naming a step overrides it). A command folding in its own change after writing its record keeps
none (and removes an older one): the record names the newest step, which is as good as knowing it, and the
command saves a write.

It is a file of its own, not a field of the library file, because that file is shared (``readlist sync``
commits it and another machine takes it as it is): a step is this machine's, and another machine's step in a
library file received would make its ``undo`` refuse a change that was never interrupted. The file is written
before the library file it belongs with, so a kill in between leaves the journal that names the same step.

Like the other small files beside the library, one that is missing, damaged or not readlist's reads as no
step: ``undo`` then takes its record as it is, as it did before there was this file.
"""

from __future__ import annotations

from pathlib import Path

import msgspec

from readlist.storage.atomic import atomic_write_bytes, load_small_json
from readlist.storage.paths import undo_step_path


class FoldedStep(msgspec.Struct):
    step: str = ""


_DECODER = msgspec.json.Decoder(FoldedStep)
_MAX_BYTES = 4096


def load_folded_step(library_path: Path) -> str:
    """The newest step folded into the library file at ``library_path``; "" when none is known."""
    found = load_small_json(undo_step_path(library_path), _MAX_BYTES, _DECODER)
    return found.step if found is not None else ""


def save_folded_step(library_path: Path, step: str) -> None:
    """Keep ``step`` as the newest folded into the library file; raises OSError (then fold nothing)."""
    atomic_write_bytes(undo_step_path(library_path), msgspec.json.encode(FoldedStep(step)))


def forget_folded_step(library_path: Path) -> None:
    """Keep no step beside the library file (the record ``readlist undo`` reads names the newest); raises OSError.

    Removing needs no fsync, unlike writing: were the removal lost in a power cut, the older step would come back
    and ``undo`` would refuse once, the safe way, until the next command-line change.
    """
    undo_step_path(library_path).unlink(missing_ok=True)


def newest_step(steps: list[str]) -> str:
    """The newest step named among journal lines' ``steps`` (oldest first); "" when none names one."""
    return next((step for step in reversed(steps) if step), "")
