"""The library's word vectors kept beside it (``library.json.vectors``) between commands and starts.

Without them every ``readlist related``, ``show --json`` and ``list --sort interest``, and every start of the
app's interest process, vectorizes the whole library again: 9-10 seconds at 100,000 papers. With them, a
command reads the rows back and vectorizes only what changed (:mod:`readlist.core.vector_file` says how rows
are matched to papers and checked).

The file is derived data, like the remembered scores: harmless to delete, never trusted over the library, and
only worth keeping. A file that cannot be read or used is passed over (the vectors are built as if it were
absent); one that cannot be written (a full disk, a read-only folder) is let go silently, since the next
computation simply builds them again, and it is not written at all where it would leave the disk without
room for the library to be written again. It is rewritten only when it would save real work: after the
vocabulary was learned anew, or once enough papers were re-vectorized since it was written that doing them
again would cost more than a fraction of a second.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from readlist.core.model import Paper
from readlist.storage.atomic import atomic_write_chunks, read_derived_file, stale_temp_files
from readlist.storage.paths import library_bytes, vectors_path

if TYPE_CHECKING:
    from readlist.core.vector_file import StoredRow
    from readlist.core.vectors import PaperVectors

# Rewrite the file once this many rows (and this share of the library) were vectorized after it was written:
# 1,000 papers take ~0.1 s to vectorize, about what writing the file for 100,000 papers costs.
REWRITE_ROWS = 1000
REWRITE_SHARE = 0.01
# The file holds 0.35-0.9 bytes per byte of library (80 MB at 100,000 papers, 21 MB at 10,000): a far larger
# one is not the library's own, and is passed over without being read.
SIZE_FACTOR = 4
SIZE_ALLOWANCE = 16 << 20
# Free space left beyond the file and a second copy of the library (the journal, backups, other programs).
SPARE_BYTES = 64 << 20


class VectorStore:
    """The vectors file of one library, for one process: read at most once, written back when worth it."""

    def __init__(self, library: Path) -> None:
        self.library = library
        self.path = vectors_path(library)
        # What the file holds as far as this process knows (read from it or last written to it): its vocabulary,
        # and how many of its rows are newer than that vocabulary. None: nothing usable.
        self._kept: tuple[object, int] | None = None

    def vectors_for(self, papers: Sequence[Paper]) -> PaperVectors:
        """Vectors for ``papers``: the file's rows brought up to date, or all of them built."""
        from readlist.core.vector_file import MAGIC, restore
        from readlist.core.vectors import PaperVectors

        data = read_derived_file(self.path, self._size_limit(), starts_with=MAGIC)
        if data is not None:
            restored = restore(data, papers)
            del data
            if restored is not None:
                self._kept = (restored.file_vocabulary, restored.file_unfitted_rows)
                return restored.vectors
        return PaperVectors.build(papers)

    def row_for(self, paper: Paper) -> StoredRow | None:
        """``paper``'s row as the file holds it, when it was made from the paper's text as it is now (see
        :func:`~readlist.core.vector_file.stored_row`); the file is not kept in memory."""
        from readlist.core.vector_file import MAGIC, stored_row

        data = read_derived_file(self.path, self._size_limit(), starts_with=MAGIC)
        return stored_row(data, paper) if data is not None else None

    def keep(self, vectors: PaperVectors, papers: Sequence[Paper]) -> bool:
        """Write ``vectors`` (made from ``papers``) to the file when it saves work; True when written.

        Not when the disk would be left with less room than the library needs to be written again (its next
        compaction): the file is 80 MB at 100,000 papers, and a note must never fail to save for want of the
        space a file that only saves time took.
        """
        if not self._worth_writing(vectors):
            return False
        from readlist.core.vector_file import encode, size_of

        if self._free_bytes() < size_of(vectors) + library_bytes(self.library) + SPARE_BYTES:
            return False

        # A write cut short (the app's interest process killed in the middle) leaves its temporary file: as large
        # as the file itself, and nobody else's to remove.
        for temp in stale_temp_files(self.path):
            with contextlib.suppress(OSError):
                temp.unlink()
        with contextlib.suppress(OSError):
            atomic_write_chunks(self.path, encode(vectors, papers))
            self._kept = (vectors.vocabulary, vectors.unfitted_rows)
            return True
        return False

    def _worth_writing(self, vectors: PaperVectors) -> bool:
        if vectors.vocabulary is None:
            return False
        if self._kept is None:
            return True  # no usable file
        vocabulary, unfitted_rows = self._kept
        if vocabulary is not vectors.vocabulary:
            return True  # the vocabulary was learned anew
        return vectors.unfitted_rows - unfitted_rows >= max(REWRITE_ROWS, REWRITE_SHARE * len(vectors))

    def _size_limit(self) -> int:
        return SIZE_FACTOR * library_bytes(self.library) + SIZE_ALLOWANCE

    def _free_bytes(self) -> int:
        try:
            return shutil.disk_usage(self.path.parent).free
        except OSError:
            return 0
