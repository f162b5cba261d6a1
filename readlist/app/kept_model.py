"""The last trained interest model, kept beside the library (``library.json.interest-model``) for the next command.

``readlist show ID --json`` prints a paper's score and the words, authors and tags behind it, which needs the model
itself, not only the scores (:mod:`readlist.app.remembered_interest`). Training it means importing scikit-learn
and fitting a regression: 1.5 s of a 10,000-paper library's command, seconds at 100,000, on every call. The model
is one weight per column of the vectors kept beside the library (:mod:`readlist.app.stored_vectors`) and a
baseline, so it is kept as those numbers (8 bytes a column, about 1 MB at 100,000 papers), with what it was learned
from: the library's :attr:`~readlist.storage.library.Library.read_state`, the time, and a fingerprint of the
columns (the words with their rarities, then the authors, tags and so on). A command that reads exactly the same
papers within the hour, and whose vectors have exactly those columns, explains the paper with it as it is; any
change (a decision, an import, the words learned again) and the command trains, as before.

Derived data like the scores: harmless to delete, checked like any input (a damaged, foreign, oversized file, or
weights that are not finite numbers, one per column, is passed over and the model trained again), written
atomically, and one that cannot be written is let go. It holds numbers only, no code (no pickle).
"""

from __future__ import annotations

import contextlib
import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

from readlist.app.stored_vectors import VectorStore
from readlist.core.interest import Reason
from readlist.core.model import Paper
from readlist.storage.atomic import atomic_write_bytes, read_small_file
from readlist.storage.paths import derived_size_limit, interest_model_path

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from readlist.core.interest_model import InterestModel
    from readlist.core.vectors import PaperVectors

# 2: with the model's columns themselves (the words' fingerprint, the metadata columns), to explain one paper from
# its kept row alone (``explain_kept``). A file of format 1 is passed over, and the model trained again once.
MODEL_FORMAT = 2
# Something learned is taken as it is only this soon after it was learned. A decision's weight fades with its age
# (it halves in 90 days), so the same decisions learned an hour later move a score by at most 4e-5 (measured on the
# seed papers with 30 decisions made at once); a day later by up to 9e-4, which ``--json``'s four decimals show.
REUSE_SECONDS = 3600.0
# 8 bytes a column: a library of 100,000 papers has ~130,000 columns. Anything far larger is not one of ours.
MAX_BYTES = 64 << 20


class KeptModel(msgspec.Struct, kw_only=True):
    format: int
    read: str  # ``Library.read_state`` of the papers it was learned from
    trained: float  # when, in seconds since the epoch
    columns: str  # ``columns_fingerprint`` of the vectors it was learned on
    intercept: float
    labels: int
    positives: int
    negatives: int
    coef: bytes  # one little-endian float64 per column
    text_columns: str  # ``text_fingerprint`` of the words' columns (the first ones of ``coef``)
    meta_kinds: list[str]  # the metadata columns after them: kind, name and weight (``MetaColumns``)
    meta_names: list[str]
    meta_scale: bytes  # one little-endian float64 per metadata column


@dataclass(frozen=True)
class KeptExplanation:
    """One paper's score and the features behind it, from the kept model (see ``explain_kept``)."""

    score: float
    because: list[Reason]
    baseline: float


def learned_lately(read: str, trained: float, now: float, current: str) -> bool:
    """Whether something learned from the papers ``read`` describes at ``trained`` holds for the papers ``current``
    describes at ``now``: the very same papers (fingerprints, see ``Library.read_state``), less than
    ``REUSE_SECONDS`` ago (and not in the future: a clock set back)."""
    return bool(read) and read == current and 0.0 <= now - trained < REUSE_SECONDS


def text_fingerprint(terms: Sequence[str], idf: npt.NDArray[np.float64] | None) -> str:
    """What the words' columns are: the words with their rarities (the vocabulary and its IDF)."""
    digest = hashlib.blake2b(digest_size=16)
    if idf is not None:
        digest.update("\n".join(terms).encode())
        digest.update(idf.astype("<f8").tobytes())
    return digest.hexdigest()


def _text_fingerprint_of(vectors: PaperVectors) -> str:
    vocabulary = vectors.vocabulary
    return text_fingerprint(vectors.terms, vocabulary.idf if vocabulary is not None else None)


def columns_fingerprint(vectors: PaperVectors) -> str:
    """What the model's columns are: the words' (``text_fingerprint``), then the metadata features (each with its
    kind) and the weight each has in the features."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(_text_fingerprint_of(vectors).encode())
    digest.update(b"\0")
    digest.update("\n".join(f"{kind}\t{name}" for kind, name in zip(
        vectors.meta_kinds, vectors.meta_names, strict=True)).encode())
    digest.update(vectors.meta_scale.astype("<f8").tobytes())
    return digest.hexdigest()


def keep_model(library: Path, model: InterestModel, *, read: str, trained: float) -> None:
    """Keep ``model`` (learned from the papers ``read`` describes, at ``trained``) for the next command."""
    kept = KeptModel(
        format=MODEL_FORMAT, read=read, trained=trained, columns=columns_fingerprint(model.vectors),
        intercept=model.intercept, labels=model.labels, positives=model.positives, negatives=model.negatives,
        coef=model.coef.astype("<f8").tobytes(),
        text_columns=_text_fingerprint_of(model.vectors),
        meta_kinds=list(model.vectors.meta_kinds), meta_names=list(model.vectors.meta_names),
        meta_scale=model.vectors.meta_scale.astype("<f8").tobytes(),
    )
    with contextlib.suppress(OSError):
        atomic_write_bytes(interest_model_path(library), msgspec.msgpack.encode(kept))


def forget_model(library: Path) -> None:
    with contextlib.suppress(OSError):
        interest_model_path(library).unlink(missing_ok=True)


def recall_model(library: Path, vectors: PaperVectors, *, read: str, now: float) -> InterestModel | None:
    """The kept model, over ``vectors``, when it was learned from exactly the papers ``read`` describes, less than
    ``REUSE_SECONDS`` before ``now``, on exactly these columns: what training again would give. Else None."""
    found = _kept(library, read=read, now=now)
    if found is None:
        return None
    kept, coef = found
    if len(coef) != vectors.features.shape[1] or kept.columns != columns_fingerprint(vectors):
        return None
    from readlist.core.interest_model import InterestModel

    return InterestModel(vectors=vectors, coef=coef, intercept=kept.intercept, labels=kept.labels,
                         positives=kept.positives, negatives=kept.negatives)


def explain_kept(library: Path, paper: Paper, *, read: str, now: float, k: int = 5) -> KeptExplanation | None:
    """``paper``'s score and its ``k`` strongest reasons from the kept model and the paper's row kept in the vectors
    file alone, when both hold (as for ``recall_model``: the same papers, within the hour; and the row made from
    the paper's text as it is, over the words the model was learned on). Else None.

    What ``readlist show ID --json`` needs, without the vectors of every other paper: reading those back and
    bringing them up to date takes 2.5 s at 100,000 papers, this 0.1 s. The numbers are the ones ``recall_model``'s
    model gives (the same row, the same weights).
    """
    found = _kept(library, read=read, now=now)
    if found is None:
        return None
    kept, coef = found
    stored = VectorStore(library).row_for(paper)
    if stored is None or text_fingerprint(stored.terms, stored.idf) != kept.text_columns:
        return None
    import numpy as np

    from readlist.core.interest_model import reasons, sigmoid
    from readlist.core.vectors import META_KINDS, MetaColumns

    scale = np.frombuffer(kept.meta_scale, dtype="<f8").astype(np.float64)
    n_text, n_meta = len(stored.terms), len(kept.meta_names)
    if (len(kept.meta_kinds) != n_meta or scale.shape != (n_meta,) or len(coef) != n_text + n_meta
            or not set(kept.meta_kinds) <= set(META_KINDS) or not (np.isfinite(scale).all() and (scale >= 0).all())):
        return None
    meta = MetaColumns(tuple(kept.meta_kinds), tuple(kept.meta_names), scale)
    row = meta.features(stored.row, paper)

    def name_of(column: int) -> tuple[str, str]:
        return ("term", stored.terms[column]) if column < n_text else meta.name(column - n_text)

    score = float(sigmoid(np.asarray(row @ coef, dtype=np.float64).ravel() + kept.intercept)[0])
    return KeptExplanation(score, reasons(row, coef, name_of, k), kept.intercept)


def _kept(library: Path, *, read: str, now: float) -> tuple[KeptModel, npt.NDArray[np.float64]] | None:
    """The kept model and its weights, when it is readable, whole and learned from the papers ``read`` describes
    less than ``REUSE_SECONDS`` before ``now``."""
    raw = read_small_file(interest_model_path(library), derived_size_limit(library, MAX_BYTES))
    if raw is None:
        return None
    try:
        kept = msgspec.msgpack.decode(raw, type=KeptModel)
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):
        return None
    if kept.format != MODEL_FORMAT or not learned_lately(kept.read, kept.trained, now, read):
        return None
    if len(kept.coef) % 8 or not math.isfinite(kept.intercept):
        return None
    import numpy as np

    coef = np.frombuffer(kept.coef, dtype="<f8").astype(np.float64)
    if not np.isfinite(coef).all():
        return None
    return kept, coef
