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

from readlist.core.model import (
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
)
from readlist.core.text import strip_controls

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
JOURNAL_FORMAT = 1
# The snapshot starts with its header (format, schema, generation, time written); reading this much of it
# tells two snapshots apart even when inode, mtime and size happen to match.
_HEAD_BYTES = 256
# Temporary files older than this are left over from an interrupted write, not a write in progress.
STALE_TEMP_SECONDS = 60.0

# (inode, mtime_ns, size, first bytes): what tells one snapshot file from another.
Identity = tuple[int, int, int, bytes]


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


def stale_temp_files(path: Path, *, older_than: float = STALE_TEMP_SECONDS) -> list[Path]:
    """Temporary files an interrupted write left beside the library (they hold nothing acknowledged)."""
    try:
        candidates = list(path.parent.glob(f".{path.name}*.tmp"))
    except OSError:
        return []
    cutoff = datetime.now(UTC).timestamp() - older_than
    stale = []
    for candidate in candidates:
        with contextlib.suppress(OSError):
            if candidate.is_file() and candidate.stat().st_mtime < cutoff:
                stale.append(candidate)
    return sorted(stale)


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
    identity: Identity | None
    meta: dict[str, Any] = field(default_factory=dict)


class _Problem(Exception):
    """What is wrong with a snapshot's content, before it is phrased for a given file."""

    def __init__(self, problem: str, *, newer: bool = False) -> None:
        super().__init__(problem)
        self.newer = newer


# A file that exists but cannot be opened: always different from any identity seen, so refresh() reloads
# and reports the problem instead of carrying on with stale papers.
_UNREADABLE: Identity = (-1, -1, -1, b"")


def _identity(path: Path) -> Identity | None:
    """Inode, mtime, size and the header bytes (which hold the generation) of the snapshot.

    mtime is only as fine as the kernel's clock tick and inodes are reused, so two quick compactions
    can leave a file that looks unchanged by stat alone; the generation in the header cannot repeat.
    """
    try:
        with path.open("rb") as handle:
            st = os.fstat(handle.fileno())
            return (st.st_ino, st.st_mtime_ns, st.st_size, handle.read(_HEAD_BYTES))
    except FileNotFoundError:
        return None
    except OSError:
        try:
            st = path.stat()
        except FileNotFoundError:
            return None
        except OSError:
            return _UNREADABLE
        return (st.st_ino, st.st_mtime_ns, st.st_size, b"")


def _advice(path: Path) -> str:
    try:
        hint = newest_good_backup(path)
    except OSError:
        hint = None
    if hint is not None:
        return f"the newest good backup is {hint}; run `readlist --db {path} doctor --restore` to restore it"
    return "no good backup exists; fix or move the file, then try again"


def _not_saved(path: Path, exc: OSError) -> LibraryError:
    where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
    return LibraryError(f"{path}: the change could not be saved: {exc.strerror or exc}{where}; nothing was changed")


def _corrupt(path: Path, problem: str) -> LibraryError:
    return LibraryError(f"{path}: {problem}. The file was left untouched; {_advice(path)}.")


def _parse_snapshot(raw: bytes) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Check a snapshot's bytes and return its header and paper records; raise _Problem otherwise."""
    if not raw.strip():
        raise _Problem("the library file is empty (0 bytes of data); it may have been truncated")
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        reason = str(exc).splitlines()[0] if str(exc) else "parse error"
        raise _Problem(f"the library file is not valid JSON ({reason}); it may be truncated or damaged") from None
    if not isinstance(data, dict) or META_TABLE not in data or not isinstance(data[META_TABLE], dict):
        raise _Problem("this is not a readlist library (valid JSON, but no readlist header)")
    meta = next(iter(data[META_TABLE].values()), None)
    if not isinstance(meta, dict) or meta.get("format") != FORMAT_NAME:
        raise _Problem("this is not a readlist library (unknown header)")
    schema = meta.get("schema")
    if not isinstance(schema, int) or isinstance(schema, bool):
        raise _Problem("the library header has no schema version")
    if schema > SCHEMA_VERSION:
        raise _Problem(
            f"written by a newer readlist (library schema {schema}; this version reads up to {SCHEMA_VERSION})",
            newer=True,
        )
    gen = meta.get("gen", 0)
    if not isinstance(gen, int) or isinstance(gen, bool) or gen < 0:
        raise _Problem("the library header is damaged (bad generation number)")
    table = data.get(PAPERS_TABLE, {})
    if not isinstance(table, dict) or not all(isinstance(doc, dict) for doc in table.values()):
        raise _Problem("the papers table is damaged")
    papers = list(table.values())
    for doc in papers:
        if not isinstance(doc.get("id"), str) or not isinstance(doc.get("title"), str):
            raise _Problem("a paper record is missing its id or title")
    return meta, papers


def read_snapshot(path: Path) -> _Snapshot:
    """Read and check a snapshot without changing anything on disk."""
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return _Snapshot(gen=0, papers=[], identity=None)
    except IsADirectoryError:
        raise _corrupt(path, "is a directory, not a library file") from None
    except OSError as exc:
        raise _corrupt(path, f"cannot be read ({exc.strerror or exc})") from None
    try:
        with handle:
            st = os.fstat(handle.fileno())
            if stat.S_ISDIR(st.st_mode):
                raise _corrupt(path, "is a directory, not a library file")
            raw = handle.read()
    except OSError as exc:
        raise _corrupt(path, f"cannot be read ({exc.strerror or exc})") from None
    identity = (st.st_ino, st.st_mtime_ns, st.st_size, raw[:_HEAD_BYTES])
    gc_was_enabled = gc.isenabled()
    gc.disable()  # loading builds ~20 objects per paper; the collector only slows that down
    try:
        try:
            meta, papers = _parse_snapshot(raw)
        except _Problem as problem:
            if problem.newer:
                raise LibraryError(
                    f"{path}: {problem}. The file was left untouched; upgrade readlist to open it "
                    f"({_advice(path)})."
                ) from None
            raise _corrupt(path, str(problem)) from None
        return _Snapshot(gen=meta.get("gen", 0), papers=papers, identity=identity, meta=meta)
    finally:
        if gc_was_enabled:
            gc.enable()


@dataclass
class JournalRead:
    """The result of reading a journal from some offset."""

    batches: list[list[dict[str, Any]]] = field(default_factory=list)
    offset: int = 0  # end of the last complete line read
    live: bool = False  # the journal belongs to the snapshot's generation
    inode: int | None = None
    bad_lines: int = 0  # complete lines that could not be used (damage; never written this way)
    torn_bytes: int = 0  # an incomplete last line: a change cut off by a crash, never acknowledged
    gen: int | None = None  # the generation named in the journal's header
    replaced: bool = False  # the file at ``offset`` is not the one read before: reload from scratch


_FIELD_NAMES = frozenset(Paper.__dataclass_fields__)


def _valid_ops(ops: Any) -> bool:
    """Whether a journal entry's operations have the shape this version writes."""
    if not isinstance(ops, list):
        return False
    for op in ops:
        if not isinstance(op, dict):
            return False
        if "put" in op:
            doc = op["put"]
            if not isinstance(doc, dict) or not isinstance(doc.get("id"), str) or not isinstance(doc.get("title"), str):
                return False
        elif "set" in op:
            if not isinstance(op["set"], str) or not isinstance(op.get("f"), dict):
                return False
            if not set(op["f"]) <= _FIELD_NAMES:
                return False
        elif "del" in op:
            if not isinstance(op["del"], str):
                return False
        else:
            return False
    return True


def _read_journal(path: Path, gen: int, offset: int = 0, inode: int | None = None) -> JournalRead:
    """Read the committed batches after ``offset``.

    A journal whose generation differs from the snapshot's was already folded in
    (or belongs to another snapshot) and is ignored. An incomplete last line is a
    change that was cut off before it was acknowledged, and is ignored too.
    """
    result = JournalRead()
    try:
        with path.open("rb") as handle:
            result.inode = os.fstat(handle.fileno()).st_ino
            if offset and inode is not None and result.inode != inode:
                result.replaced = True
                return result
            if offset == 0:
                header = handle.readline()
                try:
                    head = orjson.loads(header)
                except orjson.JSONDecodeError:
                    return result
                if not header.endswith(b"\n") or not isinstance(head, dict):
                    return result
                result.gen = head.get("gen") if isinstance(head.get("gen"), int) else None
                version = head.get("readlist_journal")
                if isinstance(version, int) and version > JOURNAL_FORMAT and result.gen == gen:
                    raise LibraryError(
                        f"{path}: written by a newer readlist (journal format {version}). "
                        "The files were left untouched; upgrade readlist to open this library."
                    )
                if result.gen != gen:
                    return result
                offset = len(header)
            else:
                handle.seek(offset)
            chunk = handle.read()
    except FileNotFoundError:
        return result
    except IsADirectoryError:
        return result
    result.live = True
    consumed = 0
    for line in chunk.splitlines(keepends=True):
        if not line.endswith(b"\n"):
            result.torn_bytes = len(line)
            break  # torn tail: a change that was never acknowledged
        consumed += len(line)
        try:
            entry = orjson.loads(line)
        except orjson.JSONDecodeError:
            result.bad_lines += 1
            continue  # later entries are absolute values, so they still apply correctly
        if isinstance(entry, dict) and _valid_ops(entry.get("ops")):
            result.batches.append(entry["ops"])
        else:
            result.bad_lines += 1
    result.offset = offset + consumed
    return result


# ---------------------------------------------------------------------------
# backups


def list_backups(path: Path) -> list[Path]:
    """Backup directories, newest first (their names are UTC timestamps)."""
    directory = backup_dir(path)
    if not directory.is_dir():
        return []
    return sorted((p for p in directory.iterdir() if p.is_dir() and (p / path.name).is_file()), reverse=True)


def newest_backup(path: Path) -> Path | None:
    backups = list_backups(path)
    return backups[0] / path.name if backups else None


def check_backup(path: Path, backup: Path) -> tuple[int | None, str | None]:
    """(papers, None) for a backup that can be restored, (None, problem) for one that cannot."""
    snapshot = backup / path.name
    try:
        _parse_snapshot(snapshot.read_bytes())
        lib = Library(snapshot)
    except _Problem as problem:
        return None, str(problem)
    except OSError as exc:
        return None, f"cannot be read ({exc.strerror or exc})"
    except LibraryError as exc:
        return None, str(exc)
    return len(lib), None


def newest_good_backup(path: Path) -> Path | None:
    """The snapshot of the newest backup that reads as a valid library (a backup of a damaged file is skipped)."""
    for candidate in list_backups(path):
        snapshot = candidate / path.name
        try:
            _parse_snapshot(snapshot.read_bytes())
        except (_Problem, OSError):
            continue
        return snapshot
    return None


def _make_backup(path: Path) -> Path | None:
    """Keep the library as it is now (snapshot hard-linked, journal copied); prune old ones.

    readlist only ever replaces the snapshot by rename, never writes it in place, so a hard
    link keeps its content for free. Another program writing the file in place (an editor
    that keeps links, a truncating tool) would change a linked backup too, so snapshots small
    enough to copy in a few milliseconds are copied. The journal is appended to: always copied.
    """
    if not path.is_file():
        return None
    directory = backup_dir(path)
    ensure_private_dir(directory)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    target = directory / stamp
    for attempt in range(1, 100):
        try:
            target.mkdir(mode=0o700)
            break
        except FileExistsError:
            target = directory / f"{stamp}-{attempt}"
    linked = False
    if path.stat().st_size >= SMALL_SNAPSHOT:
        try:
            os.link(path, target / path.name)
            linked = True
        except OSError:
            pass
    if not linked:
        shutil.copy2(path, target / path.name)
        os.chmod(target / path.name, 0o600)
    journal = journal_path(path)
    if journal.is_file():
        shutil.copy2(journal, target / journal.name)
        os.chmod(target / journal.name, 0o600)
    _fsync_dir(target)
    _fsync_dir(directory)
    kept = list_backups(path)[:KEEP_BACKUPS]
    for old in directory.iterdir() if kept else ():
        # Older backups, and directories a crash left half made.
        if old.is_dir() and old not in kept and old.name < kept[-1].name:
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
        self._lock = FileLock(str(lock_path(self.path)), timeout=lock_timeout, mode=0o600)
        self.papers: dict[str, Paper] = {}
        self._keys: dict[str, str] = {}
        self._keys_stale = False  # the dedup keys are rebuilt on first use, not on every load
        self._gen = 0
        self._identity: Identity | None = None
        self._offset = 0
        self._journal_live = False
        self._journal_inode: int | None = None
        self._external_pending = False
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
            snap.papers = []  # the parsed records are garbage now; free them before freezing
            # The papers live as long as the library: keep the collector from re-scanning them forever.
            gc.freeze()
        finally:
            if gc_was_enabled:
                gc.enable()
        self._gen = snap.gen
        self._identity = snap.identity
        self._offset = 0
        self._journal_live = False
        self._journal_inode = None
        self._rebuild_keys()
        self._catch_up_journal()
        self.version += 1

    def _rebuild_keys(self) -> None:
        # Normalizing 100k titles takes seconds; only imports and id lookups need the keys.
        self._keys = {}
        self._keys_stale = True

    def _key_map(self) -> dict[str, str]:
        if self._keys_stale:
            self._keys_stale = False
            for paper in self.papers.values():
                self._index(paper)
        return self._keys

    def _index(self, paper: Paper) -> None:
        if self._keys_stale:
            return  # the next _key_map() rebuild covers it
        if paper.arxiv_id:
            self._keys["a:" + paper.arxiv_id] = paper.id
        self._keys["t:" + normalize_title(paper.title)] = paper.id

    def _catch_up_journal(self) -> bool:
        read = _read_journal(self.journal, self._gen, self._offset, self._journal_inode)
        if read.replaced:
            # Another process folded the journal in and started a new one since we last looked.
            self._load()
            return True
        self._journal_live = read.live
        self._offset = read.offset
        self._journal_inode = read.inode if read.live else None
        for ops in read.batches:
            self._apply_ops(ops)
        return bool(read.batches)

    def _apply_ops(self, ops: Iterable[dict[str, Any]]) -> None:
        for op in ops:
            if "put" in op:
                paper = Paper.trusted(op["put"])
                self.papers[paper.id] = paper
                self._index(paper)
            elif "set" in op:
                target = self.papers.get(op["set"])
                if target is not None:
                    for name, value in op["f"].items():
                        setattr(target, name, value)
                    if "title" in op["f"] or "arxiv_id" in op["f"]:
                        self._index(target)
            elif "del" in op:
                gone = self.papers.pop(op["del"], None)
                if gone is not None:
                    self._rebuild_keys()

    def refresh(self) -> bool:
        """Catch up with changes made by other processes; True when anything changed.

        Changes another process made are also picked up when this process writes (under
        the lock, before its own change); those count too, so a UI that polls refresh()
        to redraw never misses them.
        """
        changed = self._catch_up()
        pending, self._external_pending = self._external_pending, False
        return changed or pending

    def _catch_up(self) -> bool:
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
        """The paper already in the library that ``paper`` is, by arXiv id, else by title.

        A title match only counts when one of the two has no arXiv id: two papers with
        different arXiv ids are different papers even when their titles are the same.
        """
        for key in paper.dedup_keys:
            found = self._key_map().get(key)
            if found is None or found not in self.papers:
                continue
            existing = self.papers[found]
            if key.startswith("t:") and paper.arxiv_id and existing.arxiv_id and existing.arxiv_id != paper.arxiv_id:
                continue
            return existing
        return None

    def resolve(self, ref: str) -> Paper:
        """Find a paper by id, arXiv id, URL or unique id prefix."""
        from readlist.core.model import find_arxiv_id

        ref = ref.strip()
        if ref in self.papers:
            return self.papers[ref]
        arxiv = find_arxiv_id(ref)
        keys = self._key_map()
        if arxiv and ("a:" + arxiv) in keys:
            return self.papers[keys["a:" + arxiv]]
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
            self._lock.acquire()
        except Timeout:
            raise LibraryError(
                f"{self.path}: waited {self._lock.timeout:.0f}s for the lock ({lock_file.name}) that another "
                "readlist process (the terminal UI or a command) holds; close it or try again"
            ) from None
        except OSError as exc:
            raise LibraryError(
                f"{self.path}: cannot lock the library ({exc.strerror or exc}: {lock_file}); nothing was changed"
            ) from None
        try:
            yield
        finally:
            self._lock.release()

    def _commit(self, ops: list[dict[str, Any]]) -> None:
        """Append one batch to the journal and fsync it; caller holds the lock."""
        if not ops:
            return
        if not self._backed_up:
            _make_backup(self.path)
            self._backed_up = True
        if self._journal_live:
            self._drop_torn_tail()
        if not self._journal_live:
            if not self.path.exists():
                self._write_snapshot()
            header = orjson.dumps({"readlist_journal": JOURNAL_FORMAT, "gen": self._gen}) + b"\n"
            atomic_write_bytes(self.journal, header)
            self._offset = len(header)
            self._journal_live = True
            self._journal_inode = os.stat(self.journal).st_ino
        line = orjson.dumps({"ops": ops, "at": now_iso()}) + b"\n"
        fd = os.open(self.journal, os.O_WRONLY | os.O_APPEND)
        try:
            try:
                view = memoryview(line)
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
                os.fsync(fd)
            except BaseException:
                # Leave no half line behind for the next writer to append to.
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, self._offset)
                raise
        finally:
            os.close(fd)
        self._offset += len(line)
        self.version += 1

    def _drop_torn_tail(self) -> None:
        """Cut off an incomplete last line left by a writer killed mid-append.

        Appending after it would glue the next change onto the broken line, and the
        next read would skip both. Caller holds the lock and has just caught up, so
        everything past ``_offset`` is that torn line.
        """
        try:
            size = os.stat(self.journal).st_size
        except FileNotFoundError:
            self._journal_live = False
            return
        if size > self._offset:
            fd = os.open(self.journal, os.O_WRONLY)
            try:
                os.ftruncate(fd, self._offset)
                os.fsync(fd)
            finally:
                os.close(fd)
        elif size < self._offset:
            # The journal shrank under us (edited by hand?): keep what memory holds in a new snapshot.
            self._write_snapshot()

    def _write_snapshot(self) -> None:
        """Fold everything into a new snapshot generation; caller holds the lock."""
        gen = self._gen + 1
        meta = {"format": FORMAT_NAME, "schema": SCHEMA_VERSION, "gen": gen, "written": now_iso()}
        table = {str(i): paper.to_dict() for i, paper in enumerate(self.papers.values(), start=1)}
        atomic_write_bytes(self.path, orjson.dumps({META_TABLE: {"1": meta}, PAPERS_TABLE: table}))
        # Only now that the new generation is on disk: a journal header must never name a generation
        # the snapshot does not have, or its changes would be ignored as stale.
        self._gen = gen
        self._identity = _identity(self.path)
        self._journal_live = False
        self._journal_inode = None
        self._offset = 0
        # The old journal belongs to the previous generation now; drop it.
        with contextlib.suppress(OSError):
            self.journal.unlink()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[list[dict[str, Any]]]:
        """Lock, catch up, let the caller collect ops, then commit them durably.

        If anything fails before the batch is durable, memory is reloaded from disk so
        that it never shows a change that was not saved.
        """
        with self._locked():
            if self._catch_up():
                self._external_pending = True
            ops: list[dict[str, Any]] = []
            try:
                yield ops
                self._commit(ops)
            except BaseException as exc:
                if ops:
                    with contextlib.suppress(LibraryError, OSError):
                        self._load()
                if isinstance(exc, OSError):
                    raise _not_saved(self.path, exc) from exc
                raise

    def compact(self, *, force: bool = False) -> bool:
        """Rewrite the snapshot from memory when the journal has grown; True when it did."""
        with self._locked():
            if self._catch_up():
                self._external_pending = True
            journal_size = self.journal.stat().st_size if self.journal.exists() else 0
            snap_size = self._identity[2] if self._identity else 0
            needed = force or not self.path.exists() or (
                journal_size > 0 and (snap_size < SMALL_SNAPSHOT or journal_size > snap_size // 8)
            )
            if not needed:
                return False
            try:
                if not self._backed_up:
                    _make_backup(self.path)
                    self._backed_up = True
                self._write_snapshot()
            except OSError as exc:
                # Every change is already durable in the journal; only the folding failed.
                raise LibraryError(
                    f"{self.path}: could not rewrite the library file ({exc.strerror or exc}); "
                    "your changes are saved in the journal"
                ) from exc
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

    def apply(self, changes: Mapping[str, Change | Callable[[Paper], Change]]) -> dict[str, Change]:
        """Set validated user fields on several papers at once (one durable batch).

        A change may be a function of the paper; it is called under the lock, after
        catching up with other processes, so a change computed from the current value
        (add a tag, append to a note) never overwrites what another process just wrote.

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
                if callable(wanted):
                    wanted = wanted(paper)
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

        def toggled(paper: Paper) -> Change:
            if paper.status == Status.READ.value:
                return {"status": paper.prev_status or Status.TO_READ.value}
            return {"status": Status.READ.value}

        return self.apply(dict.fromkeys(ids, toggled))

    def set_rating(self, ids: Iterable[str], rating: int) -> dict[str, Change]:
        value = parse_rating(rating)
        return self.apply({pid: {"rating": value} for pid in ids})

    def edit_tags(self, ids: Iterable[str], add: Iterable[str] = (), remove: Iterable[str] = ()) -> dict[str, Change]:
        add_set, remove_set = set(normalize_tags(list(add))), set(normalize_tags(list(remove)))

        def retagged(paper: Paper) -> Change:
            return {"tags": sorted((set(paper.tags) | add_set) - remove_set)}

        return self.apply(dict.fromkeys(ids, retagged))

    def set_tags(self, paper_id: str, tags: Iterable[str]) -> dict[str, Change]:
        return self.apply({paper_id: {"tags": list(tags)}})

    def set_note(self, paper_id: str, note: str) -> dict[str, Change]:
        return self.apply({paper_id: {"note": note}})

    def append_note(self, paper_id: str, text: str) -> dict[str, Change]:
        """Add a paragraph to the note as it is on disk now, not as this process last saw it."""

        def appended(paper: Paper) -> Change:
            if not paper.note.strip():
                return {"note": text}
            return {"note": (paper.note.rstrip() + "\n\n" + text).strip() + "\n"}

        return self.apply({paper_id: appended})

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
    # The one user field an import may set: a source's keywords become tags of a paper that has none.
    if incoming.tags and not existing.tags:
        changes["tags"] = list(incoming.tags)
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
    """Replace the library with a backup; the current files are kept as another backup first.

    ``backup`` is a backup directory (or the snapshot inside one). The backup's snapshot and
    journal are folded into one new snapshot, written in a single atomic rename under a
    generation newer than anything on disk, so a crash leaves either the old library or the
    restored one, and no old journal can ever be replayed onto the restored snapshot.
    """
    if backup.is_file():
        backup = backup.parent
    if path.is_dir():
        raise LibraryError(f"{path}: is a directory; move it out of the way, then restore again")
    restored = Library(backup / path.name)  # reads and checks the backup; raises if it is damaged
    if not (backup / path.name).is_file():
        raise LibraryError(f"{backup}: not a backup of {path.name}")
    ensure_private_dir(path.parent)
    lock_file = lock_path(path)
    if not lock_file.exists():
        with contextlib.suppress(OSError):
            lock_file.touch(mode=0o600)
    lib_lock = FileLock(str(lock_file), timeout=LOCK_TIMEOUT, mode=0o600)
    try:
        lib_lock.acquire()
    except Timeout:
        raise LibraryError(
            f"{path}: waited {LOCK_TIMEOUT:.0f}s for the lock that another readlist process holds; "
            "close it and restore again"
        ) from None
    try:
        current_gen = 0
        with contextlib.suppress(LibraryError, OSError):
            current_gen = read_snapshot(path).gen
        if path.exists():
            _make_backup(path)
        restored.path = path
        restored.journal = journal_path(path)
        restored._gen = max(current_gen, restored._gen)
        restored._write_snapshot()
        if on_copy:
            on_copy(backup / path.name)
    finally:
        lib_lock.release()
