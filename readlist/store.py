"""The library on disk: a TinyDB snapshot, a write-ahead journal, a lock and backups.

Layout, for a library at ``library.json``:

* ``library.json`` — the snapshot, a TinyDB document (tables ``_meta`` and
  ``papers``) that plain TinyDB can open. It is only ever replaced whole, by
  writing a temporary file beside it, fsyncing and renaming, so a kill in the
  middle of a write leaves the previous snapshot intact.
* ``library.json.journal`` — one JSON line per committed change, appended and
  fsynced before the change is reported as done. Rewriting a 200 MB snapshot
  for every rating would take seconds; an append takes well under a millisecond.
  Opening the library replays the journal on top of the snapshot; compaction
  folds it back in. A torn last line (a kill mid-append) is ignored: that
  change was never acknowledged.
* ``library.json.lock`` — held around every read-modify-write so that two
  processes (the TUI and a CLI command, say) never lose each other's updates.
* ``library.json.backups/`` — the library as it was before each of the last
  few sessions that changed it.

Journal operations are absolute (a full record, or field values), so replaying
one twice gives the same result; a generation number shared by snapshot and
journal tells a journal already folded in from a live one.
"""

from __future__ import annotations

import contextlib
import gc
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from filelock import FileLock, Timeout
from tinydb import TinyDB
from tinydb.storages import Storage

from readlist.model import (
    REFRESHED_FIELDS,
    SOURCE_FIELDS,
    USER_FIELDS,
    Paper,
    Status,
    ValidationError,
    normalize_tags,
    normalize_title,
    now_iso,
    parse_rating,
    parse_status,
    strip_controls,
)

SCHEMA_VERSION = 1
FORMAT_NAME = "readlist"
META_TABLE = "_meta"
PAPERS_TABLE = "papers"
KEEP_BACKUPS = 5
LOCK_TIMEOUT = 30.0
# Libraries whose snapshot is smaller than this are compacted after every command:
# rewriting them costs a few milliseconds and keeps the TinyDB file current.
SMALL_SNAPSHOT = 8 * 1024 * 1024
ENV_DB = "READLIST_DB"


class LibraryError(Exception):
    """A library that cannot be used as it is; the message says which file and what to do."""


class NotFoundError(LibraryError):
    """No paper matches the id or prefix given."""


# ---------------------------------------------------------------------------
# locations


def data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("readlist", appauthor=False))


def default_db_path() -> Path:
    env = os.environ.get(ENV_DB)
    if env:
        return Path(env).expanduser()
    return data_dir() / "library.json"


def resolve_db_path(path: str | os.PathLike[str] | None) -> Path:
    return Path(path).expanduser() if path else default_db_path()


def journal_path(path: Path) -> Path:
    return path.with_name(path.name + ".journal")


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def backup_dir(path: Path) -> Path:
    return path.with_name(path.name + ".backups")


def ensure_private_dir(directory: Path) -> None:
    """Create a directory (and parents) readable by the owner only."""
    if not directory.exists():
        directory.mkdir(parents=True, mode=0o700, exist_ok=True)


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that a crash leaves either the old or the new file."""
    ensure_private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


class AtomicJSONStorage(Storage):
    """A TinyDB storage that reads with orjson and writes by atomic replace."""

    def __init__(self, path: str | os.PathLike[str], **_: Any) -> None:
        self.path = Path(path)

    def read(self) -> dict[str, dict[str, Any]] | None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        if not raw:
            return None
        data = orjson.loads(raw)
        if not isinstance(data, dict):
            raise ValueError("top level is not a JSON object")
        return data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        atomic_write_bytes(self.path, orjson.dumps(data))

    def close(self) -> None:
        pass


def open_tinydb(path: Path) -> TinyDB:
    """The snapshot as a TinyDB database, for code that wants TinyDB's query API."""
    return TinyDB(path, storage=AtomicJSONStorage)


# ---------------------------------------------------------------------------
# snapshot reading and validation


@dataclass
class _Snapshot:
    gen: int
    papers: list[dict[str, Any]]
    identity: tuple[int, int, int] | None


def _identity(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def _corrupt(path: Path, problem: str) -> LibraryError:
    hint = newest_backup(path)
    if hint is not None:
        advice = f"the newest backup is {hint}; run `readlist --db {path} doctor --restore` to restore it"
    else:
        advice = "no backup exists; fix or move the file, then try again"
    return LibraryError(f"{path}: {problem}. The file was left untouched; {advice}.")


def read_snapshot(path: Path) -> _Snapshot:
    """Read and check a snapshot without changing anything on disk."""
    identity = _identity(path)
    if identity is None:
        return _Snapshot(gen=0, papers=[], identity=None)
    if stat.S_ISDIR(path.stat().st_mode):
        raise LibraryError(f"{path}: is a directory, not a library file")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise LibraryError(f"{path}: cannot be read ({exc.strerror})") from None
    if not raw.strip():
        raise _corrupt(path, "the library file is empty (0 bytes of data); it may have been truncated")
    gc_was_enabled = gc.isenabled()
    gc.disable()  # loading builds ~20 objects per paper; the collector only slows that down
    try:
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise _corrupt(path, f"the library file is not valid JSON ({exc})") from None
        del raw
        if not isinstance(data, dict) or META_TABLE not in data or not isinstance(data[META_TABLE], dict):
            raise _corrupt(path, "this is not a readlist library (no readlist header)")
        meta = next(iter(data[META_TABLE].values()), None)
        if not isinstance(meta, dict) or meta.get("format") != FORMAT_NAME:
            raise _corrupt(path, "this is not a readlist library (unknown header)")
        schema = meta.get("schema")
        if not isinstance(schema, int):
            raise _corrupt(path, "the library header has no schema version")
        if schema > SCHEMA_VERSION:
            raise LibraryError(
                f"{path}: written by a newer readlist (library schema {schema}, this version reads "
                f"up to {SCHEMA_VERSION}). The file was left untouched; upgrade readlist to open it."
            )
        table = data.get(PAPERS_TABLE, {})
        if not isinstance(table, dict) or not all(isinstance(doc, dict) for doc in table.values()):
            raise _corrupt(path, "the papers table is damaged")
        papers = list(table.values())
        for doc in papers:
            if not isinstance(doc.get("id"), str) or not isinstance(doc.get("title"), str):
                raise _corrupt(path, "a paper record is missing its id or title")
        return _Snapshot(gen=int(meta.get("gen", 0)), papers=papers, identity=identity)
    finally:
        if gc_was_enabled:
            gc.enable()


def _read_journal(path: Path, gen: int, offset: int = 0) -> tuple[list[list[dict[str, Any]]], int, bool]:
    """Return the committed batches after ``offset``, the new offset, and whether the journal is live.

    A journal whose generation differs from the snapshot's was already folded in
    (or belongs to another snapshot) and is ignored.
    """
    try:
        with path.open("rb") as handle:
            if offset == 0:
                header = handle.readline()
                try:
                    head = orjson.loads(header)
                except orjson.JSONDecodeError:
                    return [], 0, False
                if not header.endswith(b"\n") or not isinstance(head, dict) or head.get("gen") != gen:
                    return [], 0, False
                offset = len(header)
            else:
                handle.seek(offset)
            chunk = handle.read()
    except FileNotFoundError:
        return [], 0, False
    batches: list[list[dict[str, Any]]] = []
    consumed = 0
    for line in chunk.splitlines(keepends=True):
        if not line.endswith(b"\n"):
            break  # torn tail: a change that was never acknowledged
        try:
            entry = orjson.loads(line)
        except orjson.JSONDecodeError:
            break
        consumed += len(line)
        if isinstance(entry, dict) and isinstance(entry.get("ops"), list):
            batches.append(entry["ops"])
    return batches, offset + consumed, True


# ---------------------------------------------------------------------------
# backups


def list_backups(path: Path) -> list[Path]:
    directory = backup_dir(path)
    if not directory.is_dir():
        return []
    return sorted((p for p in directory.iterdir() if p.is_dir() and (p / path.name).exists()), reverse=True)


def newest_backup(path: Path) -> Path | None:
    backups = list_backups(path)
    return backups[0] / path.name if backups else None


def _make_backup(path: Path) -> Path | None:
    """Keep the library as it is now (snapshot hard-linked, journal copied); prune old ones."""
    if not path.exists():
        return None
    directory = backup_dir(path)
    ensure_private_dir(directory)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    target = directory / stamp
    target.mkdir(mode=0o700)
    try:
        os.link(path, target / path.name)
    except OSError:
        shutil.copy2(path, target / path.name)
    journal = journal_path(path)
    if journal.exists():
        shutil.copy2(journal, target / journal.name)
    for old in list_backups(path)[KEEP_BACKUPS:]:
        shutil.rmtree(old, ignore_errors=True)
    return target


# ---------------------------------------------------------------------------
# import reports


@dataclass
class ImportReport:
    source: str
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    error: str | None = None
    format: str | None = None

    @property
    def total(self) -> int:
        return len(self.added) + len(self.updated) + len(self.unchanged)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "format": self.format,
            "added": len(self.added),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "skipped": [{"item": what, "reason": why} for what, why in self.skipped],
            "error": self.error,
            "ids": {"added": self.added, "updated": self.updated, "unchanged": self.unchanged},
        }


# ---------------------------------------------------------------------------
# the library


Change = dict[str, Any]


class Library:
    """The papers of one library file, kept in memory and in step with the disk.

    Every mutating method takes the lock, catches up with changes other
    processes made, applies its change, and journals it durably before
    returning.
    """

    def __init__(self, path: str | os.PathLike[str], *, lock_timeout: float = LOCK_TIMEOUT) -> None:
        self.path = Path(path)
        self.journal = journal_path(self.path)
        self._lock = FileLock(str(lock_path(self.path)), timeout=lock_timeout)
        self.papers: dict[str, Paper] = {}
        self._keys: dict[str, str] = {}
        self._gen = 0
        self._identity: tuple[int, int, int] | None = None
        self._offset = 0
        self._journal_live = False
        self._backed_up = False
        self.version = 0  # bumped on every change seen, ours or another process's
        self._load()

    # -- loading -----------------------------------------------------------

    def _load(self) -> None:
        snap = read_snapshot(self.path)
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            self.papers = {doc["id"]: Paper.trusted(doc) for doc in snap.papers}
        finally:
            if gc_was_enabled:
                gc.enable()
        self._gen = snap.gen
        self._identity = snap.identity
        self._offset = 0
        self._journal_live = False
        self._rebuild_keys()
        self._catch_up_journal()
        self.version += 1

    def _rebuild_keys(self) -> None:
        self._keys = {}
        for paper in self.papers.values():
            self._index(paper)

    def _index(self, paper: Paper) -> None:
        if paper.arxiv_id:
            self._keys["a:" + paper.arxiv_id] = paper.id
        self._keys["t:" + normalize_title(paper.title)] = paper.id

    def _catch_up_journal(self) -> bool:
        batches, offset, live = _read_journal(self.journal, self._gen, self._offset)
        self._journal_live = live
        self._offset = offset
        for ops in batches:
            self._apply_ops(ops)
        return bool(batches)

    def _apply_ops(self, ops: Iterable[dict[str, Any]]) -> None:
        for op in ops:
            if "put" in op:
                paper = Paper.trusted(op["put"])
                self.papers[paper.id] = paper
                self._index(paper)
            elif "set" in op:
                paper = self.papers.get(op["set"])
                if paper is not None:
                    for name, value in op["f"].items():
                        setattr(paper, name, value)
            elif "del" in op:
                gone = self.papers.pop(op["del"], None)
                if gone is not None:
                    self._rebuild_keys()

    def refresh(self) -> bool:
        """Catch up with changes made by other processes; True when anything changed."""
        identity = _identity(self.path)
        if identity != self._identity:
            self._load()
            return True
        if self._catch_up_journal():
            self.version += 1
            return True
        return False

    # -- queries -----------------------------------------------------------

    def __len__(self) -> int:
        return len(self.papers)

    def __iter__(self) -> Iterator[Paper]:
        return iter(self.papers.values())

    def get(self, paper_id: str) -> Paper | None:
        return self.papers.get(paper_id)

    def find_existing(self, paper: Paper) -> Paper | None:
        for key in paper.dedup_keys:
            found = self._keys.get(key)
            if found is not None and found in self.papers:
                return self.papers[found]
        return None

    def resolve(self, ref: str) -> Paper:
        """Find a paper by id, arXiv id, URL or unique id prefix."""
        from readlist.model import find_arxiv_id

        ref = ref.strip()
        if ref in self.papers:
            return self.papers[ref]
        arxiv = find_arxiv_id(ref)
        if arxiv and ("a:" + arxiv) in self._keys:
            return self.papers[self._keys["a:" + arxiv]]
        matches = [pid for pid in self.papers if pid.startswith(ref)] if ref else []
        if len(matches) == 1:
            return self.papers[matches[0]]
        if not matches:
            raise NotFoundError(f"no paper with id {ref!r} in {self.path}")
        shown = ", ".join(sorted(matches)[:5]) + (", …" if len(matches) > 5 else "")
        raise NotFoundError(f"id prefix {ref!r} is ambiguous: {len(matches)} papers match ({shown})")

    def all_tags(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for paper in self.papers.values():
            for tag in paper.tags:
                counts[tag] = counts.get(tag, 0) + 1
        return dict(sorted(counts.items()))

    # -- writing -----------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        ensure_private_dir(self.path.parent)
        lock_file = lock_path(self.path)
        if not lock_file.exists():
            with contextlib.suppress(OSError):
                lock_file.touch(mode=0o600)
        try:
            with self._lock:
                yield
        except Timeout:
            raise LibraryError(
                f"{self.path}: another readlist process has held the library lock for "
                f"{self._lock.timeout:.0f}s; close it or try again"
            ) from None

    def _commit(self, ops: list[dict[str, Any]]) -> None:
        """Append one batch to the journal and fsync it; caller holds the lock."""
        if not ops:
            return
        if not self._backed_up:
            _make_backup(self.path)
            self._backed_up = True
        if not self._journal_live:
            if not self.path.exists():
                self._write_snapshot()
            header = orjson.dumps({"readlist_journal": 1, "gen": self._gen}) + b"\n"
            atomic_write_bytes(self.journal, header)
            self._offset = len(header)
            self._journal_live = True
        line = orjson.dumps({"ops": ops, "at": now_iso()}) + b"\n"
        fd = os.open(self.journal, os.O_WRONLY | os.O_APPEND)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)
        self._offset += len(line)
        self.version += 1

    def _write_snapshot(self) -> None:
        """Fold everything into a new snapshot generation; caller holds the lock."""
        self._gen += 1
        meta = {"format": FORMAT_NAME, "schema": SCHEMA_VERSION, "gen": self._gen, "written": now_iso()}
        table = {str(i): paper.to_dict() for i, paper in enumerate(self.papers.values(), start=1)}
        atomic_write_bytes(self.path, orjson.dumps({META_TABLE: {"1": meta}, PAPERS_TABLE: table}))
        self._identity = _identity(self.path)
        # The old journal belongs to the previous generation now; drop it.
        with contextlib.suppress(FileNotFoundError):
            self.journal.unlink()
        self._journal_live = False
        self._offset = 0

    @contextlib.contextmanager
    def transaction(self) -> Iterator[list[dict[str, Any]]]:
        """Lock, catch up, let the caller collect ops, then commit them durably."""
        with self._locked():
            self.refresh()
            ops: list[dict[str, Any]] = []
            yield ops
            self._commit(ops)

    def compact(self, *, force: bool = False) -> bool:
        """Rewrite the snapshot from memory when the journal has grown; True when it did."""
        with self._locked():
            self.refresh()
            journal_size = self.journal.stat().st_size if self.journal.exists() else 0
            snap_size = self._identity[2] if self._identity else 0
            needed = force or not self.path.exists() or (
                journal_size > 0 and (snap_size < SMALL_SNAPSHOT or journal_size > snap_size // 8)
            )
            if not needed:
                return False
            if not self._backed_up:
                _make_backup(self.path)
                self._backed_up = True
            self._write_snapshot()
            return True

    def create(self) -> None:
        """Write an empty library file if there is none yet."""
        if not self.path.exists():
            with self._locked():
                if not self.path.exists():
                    self._write_snapshot()

    # -- importing ---------------------------------------------------------

    def import_papers(self, papers: Iterable[Paper], source: str) -> ImportReport:
        """Add new papers and fill or refresh existing ones; user fields are never touched."""
        report = ImportReport(source=source)
        with self.transaction() as ops:
            seen: set[str] = set()
            for incoming in papers:
                existing = self.find_existing(incoming)
                if existing is None:
                    incoming.sources = _add_source(incoming.sources, source)
                    self.papers[incoming.id] = incoming
                    self._index(incoming)
                    ops.append({"put": incoming.to_dict()})
                    report.added.append(incoming.id)
                    seen.add(incoming.id)
                    continue
                changes = merge_changes(existing, incoming, source)
                if changes:
                    self._set(existing, changes, ops)
                    self._index(existing)
                if existing.id not in seen:
                    # Recording one more source is bookkeeping, not an update the user cares about.
                    meaningful = bool(changes.keys() - {"sources"})
                    (report.updated if meaningful else report.unchanged).append(existing.id)
                    seen.add(existing.id)
        return report

    # -- user edits ----------------------------------------------------------

    def _set(self, paper: Paper, changes: Change, ops: list[dict[str, Any]]) -> None:
        for name, value in changes.items():
            setattr(paper, name, value)
        ops.append({"set": paper.id, "f": changes})

    def apply(self, changes: Mapping[str, Change]) -> dict[str, Change]:
        """Set validated user fields on several papers at once (one durable batch).

        Returns, per paper, the previous values of what changed, which is exactly
        what undo needs to put back.
        """
        before: dict[str, Change] = {}
        with self.transaction() as ops:
            stamp = now_iso()
            for paper_id, wanted in changes.items():
                paper = self.papers.get(paper_id)
                if paper is None:
                    continue
                clean = _validate_user_changes(paper, wanted, stamp)
                diff = {k: v for k, v in clean.items() if getattr(paper, k) != v}
                if not diff:
                    continue
                diff["updated"] = stamp
                before[paper_id] = {k: getattr(paper, k) for k in diff if k != "updated"}
                self._set(paper, diff, ops)
        return before

    def set_status(self, ids: Iterable[str], status: str | Status) -> dict[str, Change]:
        value = parse_status(str(status)).value
        return self.apply({pid: {"status": value} for pid in ids})

    def toggle_read(self, ids: Iterable[str]) -> dict[str, Change]:
        """Mark read, or put a read paper back to the status it had before."""
        wanted: dict[str, Change] = {}
        for pid in ids:
            paper = self.papers.get(pid)
            if paper is None:
                continue
            if paper.status == Status.READ.value:
                wanted[pid] = {"status": paper.prev_status or Status.TO_READ.value}
            else:
                wanted[pid] = {"status": Status.READ.value}
        return self.apply(wanted)

    def set_rating(self, ids: Iterable[str], rating: int) -> dict[str, Change]:
        value = parse_rating(rating)
        return self.apply({pid: {"rating": value} for pid in ids})

    def edit_tags(self, ids: Iterable[str], add: Iterable[str] = (), remove: Iterable[str] = ()) -> dict[str, Change]:
        add_set, remove_set = set(normalize_tags(list(add))), set(normalize_tags(list(remove)))
        wanted = {}
        for pid in ids:
            paper = self.papers.get(pid)
            if paper is not None:
                wanted[pid] = {"tags": sorted((set(paper.tags) | add_set) - remove_set)}
        return self.apply(wanted)

    def set_tags(self, paper_id: str, tags: Iterable[str]) -> dict[str, Change]:
        return self.apply({paper_id: {"tags": list(tags)}})

    def set_note(self, paper_id: str, note: str) -> dict[str, Change]:
        return self.apply({paper_id: {"note": note}})

    def delete(self, ids: Iterable[str]) -> list[Paper]:
        removed: list[Paper] = []
        with self.transaction() as ops:
            for pid in ids:
                paper = self.papers.pop(pid, None)
                if paper is not None:
                    removed.append(paper)
                    ops.append({"del": pid})
            if removed:
                self._rebuild_keys()
        return removed

    def restore(self, papers: Iterable[Paper]) -> None:
        """Put whole records back (undo of a delete)."""
        with self.transaction() as ops:
            for paper in papers:
                self.papers[paper.id] = paper
                self._index(paper)
                ops.append({"put": paper.to_dict()})


def _add_source(sources: list[str], source: str) -> list[str]:
    return sources if not source or source in sources else [*sources, source]


def merge_changes(existing: Paper, incoming: Paper, source: str) -> Change:
    """What a re-import changes on a known paper: empty source fields filled, fresh metadata refreshed."""
    changes: Change = {}
    for name in SOURCE_FIELDS:
        new = getattr(incoming, name)
        if new in (None, "", []):
            continue
        old = getattr(existing, name)
        if old in (None, "", []) or (name in REFRESHED_FIELDS and old != new):
            changes[name] = new
    if "authors" in changes and existing.authors_count is not None and incoming.authors:
        changes["authors_count"] = len(incoming.authors)
    sources = _add_source(existing.sources, source)
    if sources != existing.sources:
        changes["sources"] = sources
    return changes


def _validate_user_changes(paper: Paper, wanted: Change, stamp: str) -> Change:
    clean: Change = {}
    for name, value in wanted.items():
        if name == "status":
            status = parse_status(str(value)).value
            clean["status"] = status
            if status == Status.READ.value and paper.status != Status.READ.value:
                clean["read_at"] = stamp
                clean["prev_status"] = paper.status
            elif status != Status.READ.value and paper.status == Status.READ.value:
                clean["read_at"] = None
        elif name == "rating":
            clean["rating"] = parse_rating(value)
        elif name == "tags":
            clean["tags"] = normalize_tags(value)
        elif name == "note":
            clean["note"] = strip_controls(str(value)).replace("\r\n", "\n")
        elif name in {"read_at", "prev_status"}:
            clean[name] = value
        elif name in USER_FIELDS:
            clean[name] = value
        else:
            raise ValidationError(f"{name!r} is not a field the user edits")
    return clean


def open_library(path: str | os.PathLike[str] | None = None, **kwargs: Any) -> Library:
    return Library(resolve_db_path(path), **kwargs)


def restore_backup(path: Path, backup: Path, on_copy: Callable[[Path], None] | None = None) -> None:
    """Replace the library with a backup; the current files are kept as another backup first."""
    lib_lock = FileLock(str(lock_path(path)), timeout=LOCK_TIMEOUT)
    with lib_lock:
        if path.exists():
            _make_backup(path)
        snapshot = backup / path.name
        atomic_write_bytes(path, snapshot.read_bytes())
        journal_copy = backup / journal_path(path).name
        if journal_copy.exists():
            atomic_write_bytes(journal_path(path), journal_copy.read_bytes())
        else:
            with contextlib.suppress(FileNotFoundError):
                journal_path(path).unlink()
        if on_copy:
            on_copy(snapshot)
