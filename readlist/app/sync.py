"""One library on several machines, or a lab's shared list: synchronising through git.

The library's folder is a git repository whose only tracked files are the library file and the two
files that tell git how to treat it (``.gitattributes``: the library file is merged by readlist's merge
driver; ``.gitignore``: everything else in the folder, the journal, lock, backups and other
machine-local files, stays out). ``readlist sync`` folds the journal into the library file, commits
it, fetches the remote, merges paper by paper (:mod:`readlist.app.library_merge`, run by git as the
merge driver), and pushes.

How the working tree is touched: git computes the merge without writing any file (``git merge-tree``,
which calls the merge driver), the result is read back and validated like any library file, the
library as it was is backed up, and only then is the library file replaced, by an atomic rename under
the library's lock; the branch and the index are moved afterwards. A process reading the library at
that moment sees the old file or the new one, never a half-written one, and a library written by
someone else that does not validate is refused before anything here changes.

How long the library's lock is held: only to fold the journal into the library file, and to replace
the file. git hashing and storing the file, the merge and the validation (tens of seconds for a
library of 100,000 papers) run without it, so the app and commands keep changing the library
meanwhile. A change made then is in the journal or a rewritten library file, so the replacement,
which would drop it, is refused: the sync commits the change and merges again (:func:`_replace`). Someone
who keeps changing the library (a decision every few seconds in the app) would overtake every merge, so
the last of ``MERGE_ATTEMPTS`` holds the lock throughout, as every merge once did, and the sync finishes.

Every git command runs with the user's own git configuration, so any remote git can reach works: a
bare repository on a USB disk or a file server, SSH, a hosted repository.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import math
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import msgspec

from readlist.app.commands import Outcome, PaperChange
from readlist.app.library_merge import MergeReport, Side, merge_libraries, record_changed, restored_base
from readlist.core.model import Paper, now_iso
from readlist.core.text import counted, first_few, inert_text
from readlist.storage.atomic import atomic_write_bytes, load_small_json
from readlist.storage.backups import make_backup
from readlist.storage.errors import LibraryError
from readlist.storage.journal import JournalIdentity, journal_identity
from readlist.storage.library import Library, check_writable
from readlist.storage.paths import (
    ensure_private_dir,
    restored_path,
    sync_lock_path,
    sync_pending_path,
    sync_state_path,
)
from readlist.storage.snapshot import (
    Identity,
    Snapshot,
    SnapshotProblem,
    decode_snapshot,
    encode_snapshot,
    file_identity,
    new_library_id,
    snapshot_header,
)

GIT_MIN = (2, 38)  # git merge-tree --write-tree, which merges without touching the working tree
DRIVER = "readlist"  # the merge driver's name in .gitattributes and git config
REMOTE = "origin"
# The driver writes what it did here (one JSON line per merge) when readlist sync runs git.
ENV_MERGE_REPORT = "READLIST_MERGE_REPORT"
# Fetching and pushing may wait on a slow network, never forever.
NETWORK_TIMEOUT = 300.0
# How often a command waiting on the network, or merging, looks whether it was asked to stop (the app closing).
STOP_POLL = 0.1
# What a sync says when the app closed while it merged (or read what it fetched): thrown away before anything
# here changed.
STOPPED = ("the sync was stopped as readlist closed, before it changed anything here; nothing was lost (every change "
           "is committed here): the next `readlist sync` goes on from there")
PUSH_ATTEMPTS = 3


class SyncError(Exception):
    """Sync could not be done; the message is one line for the user and says what was left as it was."""


class PushFailed(SyncError):
    """The push failed after the library was committed here: the next sync sends it (the message says so)."""


class NotBare(SyncError):
    """The remote is a repository with a working copy, whose checked-out branch git never lets a push update.

    No later sync gets through either: the remote must be replaced by a bare repository. ``merged``: the library
    was merged with the one that repository holds before the push was refused (``sync init``).
    """

    merged = False


def not_bare(remote: str | None) -> str:
    """What a remote with a working copy is, and what a sync remote must be."""
    return (f"the remote {remote} is a repository with a working copy; a sync remote must be a bare repository "
            "(`git init --bare -b main PATH`)")


class NoRoom(SyncError):
    """A git command failed for want of room on this disk; ``said`` is what failed, in git's words."""

    def __init__(self, message: str, said: str) -> None:
        super().__init__(message)
        self.said = said


# -- the repository files ------------------------------------------------------------------------------


def gitignore_text(name: str) -> str:
    """Only the library file and git's two settings files are shared; everything else in the folder stays local."""
    return (
        "# readlist sync: only the library file is shared. The journal, lock, backups, pull state, last change,\n"
        "# quarantine and kept-aside files (and anything else in this folder) stay on this machine.\n"
        "/*\n"
        "!/.gitignore\n"
        "!/.gitattributes\n"
        f"!/{_glob_escape(name)}\n"
    )


def gitattributes_line(name: str) -> str:
    """The library file is merged paper by paper by readlist, never line by line; its bytes are never converted."""
    return f"/{_glob_escape(name)} merge={DRIVER} -text\n"


def _glob_escape(name: str) -> str:
    return re.sub(r"([*?\[\]\\! #])", r"\\\1", name)


def driver_command() -> str:
    """How git runs the merge driver: ``readlist merge-driver`` of this installation, by its Python.

    The interpreter's full path, so the merge works from any shell (and from git run by readlist itself)
    whatever PATH holds there, and ``-m readlist``, which starts the driver without loading the rest of
    the command line; ``readlist sync`` writes it again on every run, so a moved or upgraded readlist keeps
    working.
    """
    return f"{shlex.quote(sys.executable)} -m readlist merge-driver %O %A %B %P"


# -- running git ---------------------------------------------------------------------------------------


def git_version() -> tuple[int, int] | None:
    """The installed git's version, or None when there is no git."""
    exe = shutil.which("git")
    return None if exe is None else _version_of(exe)


@functools.cache
def _version_of(exe: str) -> tuple[int, int] | None:
    try:
        out = subprocess.run([exe, "--version"], capture_output=True, text=True, check=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"(\d+)\.(\d+)", out)
    return (int(match.group(1)), int(match.group(2))) if match else None


def require_git() -> None:
    """Refuse, in one line, where git is missing or too old."""
    version = git_version()
    if version is None:
        raise SyncError("sync needs git, which is not installed (or not on PATH); install git and try again")
    if version < GIT_MIN:
        raise SyncError(f"sync needs git {GIT_MIN[0]}.{GIT_MIN[1]} or later; this is git {version[0]}.{version[1]}")


class Git:
    """git commands in one repository; a failing command becomes a :class:`SyncError` naming it."""

    def __init__(self, repo: Path, *, interactive: bool = False, stop: threading.Event | None = None) -> None:
        self.repo = repo
        self.interactive = interactive
        # The command that tries again once the cause of a failure is gone (a full disk): `sync init` sets its own.
        self.again = "readlist sync"
        # Set by the app when it closes: a fetch or push still waiting for the remote is ended, so quitting
        # never waits minutes for an unreachable host with the screen already gone.
        self.stop = stop
        env = dict(os.environ)
        for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):  # never another repository's
            env.pop(name, None)
        if not interactive:
            # Never wait for a password on a terminal the user cannot see (the app owns the screen); ssh is
            # also kept from the terminal (a session of its own, below), so a passphrase it needs is an error.
            env["GIT_TERMINAL_PROMPT"] = "0"
        self.env = env
        self._identity: dict[str, str] | None = None

    def run(self, *args: str, check: bool = True, data: bytes | None = None, extra_env: Mapping[str, str] | None = None,
            network: bool = False, stoppable: bool = False, advice: str = "") -> subprocess.CompletedProcess[bytes]:
        """``network``: the command waits for the remote (a time limit, and ``stop`` ends it); ``stoppable``: a long
        local command that ``stop`` ends, one whose work is thrown away when it does (a merge nothing points to
        yet), never one that leaves git's own files half-written. ``advice`` follows git's own reason when the
        command fails for a reason of its own (not a lock file left, not a folder git refuses)."""
        env = {**self.env, **(extra_env or {})}
        try:
            if network or stoppable:
                done = self._run_waiting(["git", *args], env, data, network=network)
            else:
                done = subprocess.run(
                    ["git", *args], cwd=self.repo, env=env, input=data, capture_output=True,
                    stdin=None if data is not None else subprocess.DEVNULL, check=False,
                    start_new_session=not self.interactive,
                )
        except OSError as exc:
            raise SyncError(f"git could not be run ({exc.strerror or exc})") from None
        if done.returncode != 0 and _GIT_NOT_OWNER in done.stderr:
            # Every git command fails so in this folder, each with its own misleading reason ("not the top of its
            # git repository", "not in a git directory"): say the one reason, whatever the command was.
            raise SyncError(f"git refuses to work in {self.repo}: it belongs to another user (git's safe.directory "
                            f"check); if you trust it, run `git config --global --add safe.directory {self.repo}`, "
                            "then try again; nothing was changed")
        if check and done.returncode != 0:
            verb = next((arg for arg in args if not arg.startswith("-") and "=" not in arg), "")
            stale = _GIT_LOCK_LEFT.search(done.stderr.decode("utf-8", "replace"))
            if stale is not None:
                raise SyncError(f"git {verb} failed: git's lock file {stale.group(1)} is there: another git command is "
                                f"running in {self.repo}, or one was stopped before it finished (the machine turned "
                                "off, say); when none is running, remove that file and sync again")
            full = no_room_line(done.stderr)
            if full is not None:
                # git's last line after a full disk is often a consequence ("unpack-objects failed"), read as the
                # remote's fault; the advice for the command's usual failures would send the user looking there.
                said = without_credentials(f"git {verb}: {full}")
                raise NoRoom(f"no space left on this disk ({said}); nothing was changed here"
                             f"{free_space(self.again)}", said)
            why = last_line(done.stderr) or f"exit status {done.returncode}"
            raise SyncError(without_credentials(f"git {verb} failed: {why}{advice}"))
        return done

    def _run_waiting(self, argv: list[str], env: Mapping[str, str], data: bytes | None,
                     *, network: bool) -> subprocess.CompletedProcess[bytes]:
        """A command ended at once when ``stop`` is set; one that talks to the remote also after NETWORK_TIMEOUT."""
        deadline = time.monotonic() + NETWORK_TIMEOUT if network else math.inf
        proc: subprocess.Popen[bytes] | None = None
        try:
            # A signal while git starts would leave it running, with no ``proc`` yet to end it by: held until then.
            # Inside the ``try``, so that one arriving the moment it is raised still ends git.
            with _SIGNALS.held():
                proc = subprocess.Popen(
                    argv, cwd=self.repo, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                    stdin=subprocess.PIPE if data is not None else None if self.interactive else subprocess.DEVNULL,
                    start_new_session=not self.interactive,
                )
            _SIGNALS.raise_held()
            while True:
                try:
                    out, err = proc.communicate(data, timeout=STOP_POLL)  # waiting again loses no output
                    return subprocess.CompletedProcess(argv, proc.returncode, out, err)
                except subprocess.TimeoutExpired:
                    pass
                stopped = self.stop is not None and self.stop.is_set()
                if stopped or time.monotonic() > deadline:
                    self._end(proc)
                    if stopped and network:
                        raise SyncError(f"git {argv[1]} was stopped while it waited for the remote (readlist was "
                                        "closing); nothing was lost: the next sync goes on from here")
                    if stopped:
                        raise SyncError(STOPPED)
                    raise SyncError(f"git {argv[1]} took longer than {NETWORK_TIMEOUT:.0f}s and was stopped")
        except BaseException:
            # Ctrl-C, SIGTERM, SIGHUP (:func:`_signals_stop`), whichever line it came at: git, in a session of its
            # own, did not get it.
            if proc is not None and proc.poll() is None:
                self._end(proc)
            raise

    def _end(self, proc: subprocess.Popen[bytes]) -> None:
        """End a git command and what it started (ssh, a credential helper, which hold its output open): asked
        first, so that git removes its lock files as it goes; killed if it has not gone within a moment."""
        group = not self.interactive and hasattr(os, "killpg")  # a session of its own: its whole group
        # Sharing readlist's terminal (to ask for a password), git is in readlist's own process group: what it
        # started (ssh) is found by its parent, as far as the system tells.
        started = [] if group else _descendants(proc.pid)
        for how, wait in ((signal.SIGTERM, 2.0), (getattr(signal, "SIGKILL", signal.SIGTERM), 5.0)):
            with contextlib.suppress(OSError):
                if group:
                    os.killpg(proc.pid, how)
                else:
                    proc.send_signal(how)
            for pid in started:
                with contextlib.suppress(OSError):
                    os.kill(pid, how)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.communicate(timeout=wait)
                return

    def text(self, *args: str, check: bool = True) -> str:
        return self.run(*args, check=check).stdout.decode("utf-8", "replace").strip()

    def ok(self, *args: str) -> bool:
        return self.run(*args, check=False).returncode == 0

    def rev(self, ref: str) -> str | None:
        done = self.run("rev-parse", "--verify", "--quiet", ref + "^{commit}", check=False)
        return done.stdout.decode().strip() or None if done.returncode == 0 else None

    def identity(self) -> dict[str, str]:
        """Author and committer for readlist's commits: the user's git identity, or one naming this machine."""
        if self._identity is None:
            self._identity = {}
            if not self.text("config", "user.name", check=False) or not self.text("config", "user.email", check=False):
                host = socket.gethostname() or "localhost"
                for role in ("AUTHOR", "COMMITTER"):
                    self._identity[f"GIT_{role}_NAME"] = f"readlist on {host}"
                    self._identity[f"GIT_{role}_EMAIL"] = f"readlist@{host}"
        return self._identity


def _descendants(pid: int) -> list[int]:
    """The processes ``pid`` started, and theirs, where /proc tells (Linux); none elsewhere."""
    parents: dict[int, int] = {}
    with contextlib.suppress(OSError):
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            with contextlib.suppress(OSError, ValueError, IndexError):
                stat = Path(entry.path, "stat").read_text()
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: list[int] = []
    todo = [pid]
    while todo:
        current = todo.pop()
        children = [child for child, parent in parents.items() if parent == current and child not in found]
        found += children
        todo += children
    return found


# git's words for a lock file of its own it found in the way (index.lock, HEAD.lock, a ref's): left by a git that
# was stopped (killed, the machine turned off), or held by one running now. Its advice after them ends with "remove
# the file manually to continue", which named no file.
_GIT_LOCK_LEFT = re.compile(r"Unable to create '([^'\n]+\.lock)': File exists")

# What git says in a repository another user owns (a shared folder, a disk mounted with another owner, a folder
# made with sudo), whatever the command.
_GIT_NOT_OWNER = b"detected dubious ownership in repository"

# What git says after any remote it cannot reach, whatever the reason; the reason is the line before.
_GIT_ADVICE = ("Please make sure you have the correct access rights", "and the repository exists.")
_GIT_UNREACHABLE = "fatal: Could not read from remote repository."


# A command that failed for want of room: the system's words for it, as git and the merge driver pass them on.
_DISK_FULL = (errno.ENOSPC, errno.EDQUOT)
_NO_ROOM_WORDS = (*(os.strerror(code) for code in _DISK_FULL), "ENOSPC", "EDQUOT")
# git says only "unable to write new index file" (or "… loose object file") for some writes a full disk refused;
# with one of these reasons beside it, the write failed for another reason.
_OTHER_WRITE_FAILURES = tuple(os.strerror(code) for code in (errno.EACCES, errno.EPERM, errno.EROFS))


def no_room_line(output: bytes | str) -> str | None:
    """The line of git's (or the merge driver's) output that says the disk is full; None when none does."""
    text = output.decode("utf-8", "replace") if isinstance(output, bytes) else output
    lines = [line.strip().removeprefix("remote:").strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    found = next((line for line in lines if any(word in line for word in _NO_ROOM_WORDS)), None)
    if found is None and not any(other in text for other in _OTHER_WRITE_FAILURES):
        found = next((line for line in lines if "unable to write" in line), None)
    return found


def free_space(again: str = "readlist sync") -> str:
    """What to do after a full disk, said the same way by every step of a sync."""
    return f"; free some space, then run `{again}` again"


def last_line(stderr: bytes) -> str:
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith(("hint:", "warning: ")) and line not in _GIT_ADVICE] or lines
    lines = [line for line in lines if line != _GIT_UNREACHABLE] or lines
    return lines[-1] if lines else ""


# The user and password (or token) of an http(s) or ftp(s) URL: `https://TOKEN@host/lab.git`.
_CREDENTIALS = re.compile(r"\b(https?|ftps?)://[^/@\s'\"]+@", re.IGNORECASE)


def without_credentials(text: str) -> str:
    """``text`` with the user and password taken out of every URL in it (``https://host/lab.git``).

    A remote may carry a token in its URL; sync shows the remote in its line, keeps it in the sync state
    and names it in the merge commit's message, which is pushed to everyone sharing the remote.
    """
    return _CREDENTIALS.sub(r"\1://", text)


class _HeldSignals:
    """SIGTERM or SIGHUP received while git is being started: raised once ``proc`` can be ended (:meth:`Git._end`)."""

    def __init__(self) -> None:
        self.holding = False
        self.received: int | None = None

    def stop(self, signum: int, _frame: Any) -> None:
        if self.holding:
            self.received = signum
            return
        raise SystemExit(128 + signum)

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        self.holding = True
        try:
            yield
        finally:
            self.holding = False

    def raise_held(self) -> None:
        signum, self.received = self.received, None
        if signum is not None:
            raise SystemExit(128 + signum)


_SIGNALS = _HeldSignals()


@contextlib.contextmanager
def _signals_stop() -> Iterator[None]:
    """SIGTERM and SIGHUP (``kill``, ``timeout``, a terminal closed) end a sync or ``sync init`` the way Ctrl-C does.

    By default they end Python at once: a ``sync init`` waiting for a new remote left the library pointed at it
    and git (with the ssh it started) running on its own. Raised as ``SystemExit`` instead, they end git and what
    it started (:meth:`Git._end`) and let every cleanup run (the remote the library had put back), then the process
    exits with the signal's usual status. Only in the main thread, and only where no handler of its own was set
    (the app has its own, and closes as quitting does).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    taken: dict[int, Any] = {}
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None and signal.getsignal(number) is signal.SIG_DFL:
            taken[number] = signal.signal(number, _SIGNALS.stop)
    try:
        yield
        _SIGNALS.raise_held()
    finally:
        for number, handler in taken.items():
            signal.signal(number, handler)


# -- the repository of one library -------------------------------------------------------------------


# A full commit id, the only name for a commit that never moves.
_COMMIT_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
KEPT_BLOBS = 2  # ours and theirs; a third would hold another library's worth of memory


@dataclass
class Repo:
    """The git repository holding the library at ``path`` (its folder)."""

    path: Path
    git: Git
    # The library file's bytes in the last commits read, by commit id: a sync reads the same two commits to
    # check the remote holds this library and again to take its changes (half a second each at 100,000 papers).
    _blobs: dict[str, bytes | None] = field(default_factory=dict, repr=False)

    @property
    def name(self) -> str:
        return self.path.name

    @classmethod
    def at(cls, path: Path, *, interactive: bool = False, stop: threading.Event | None = None) -> Repo:
        folder = path.parent.resolve()
        return cls(folder / path.name, Git(folder, interactive=interactive, stop=stop))

    def exists(self) -> bool:
        return (self.path.parent / ".git").is_dir()

    def toplevel(self) -> Path | None:
        done = self.git.run("rev-parse", "--show-toplevel", check=False)
        return Path(done.stdout.decode().strip()).resolve() if done.returncode == 0 else None

    def other_files(self) -> list[str]:
        """Files the repository tracks besides the library and the two settings files sync writes: a project's."""
        done = self.git.run("ls-files", "-z", "--", check=False)
        names = done.stdout.decode("utf-8", "replace").split("\0") if done.returncode == 0 else []
        return sorted(name for name in names if name and name not in (self.name, ".gitignore", ".gitattributes"))

    def tracked_library(self) -> str | None:
        """The library file this repository syncs, from its .gitattributes (None when it syncs none)."""
        try:
            text = (self.path.parent / ".gitattributes").read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        for line in text.splitlines():
            parts = line.split()
            if len(parts) >= 2 and f"merge={DRIVER}" in parts[1:]:
                return re.sub(r"\\(.)", r"\1", parts[0].lstrip("/"))
        return None

    def branch(self) -> str:
        return self.text_or("symbolic-ref", "--short", "HEAD", default="main")

    def text_or(self, *args: str, default: str) -> str:
        done = self.git.run(*args, check=False)
        return done.stdout.decode().strip() if done.returncode == 0 and done.stdout.strip() else default

    def remote_url(self) -> str | None:
        done = self.git.run("remote", "get-url", REMOTE, check=False)
        return done.stdout.decode("utf-8", "replace").strip() or None if done.returncode == 0 else None

    def shown_remote(self) -> str | None:
        """The remote as readlist shows and records it: without a password or token in its URL."""
        url = self.remote_url()
        return None if url is None else without_credentials(url)

    def write_settings(self) -> bool:
        """Make sure .gitignore and .gitattributes say what sync needs (the user's lines are kept); True if written."""
        folder = self.path.parent
        wrote = False
        settings = ((".gitignore", gitignore_text(self.name)), (".gitattributes", gitattributes_line(self.name)))
        for name, wanted in settings:
            current = _read_text(folder / name)
            if current is None or not _has_lines(current, wanted):
                atomic_write_bytes(folder / name, (wanted if not current else _with_lines(current, wanted)).encode())
                wrote = True
        return wrote

    def configure(self) -> None:
        """Register the merge driver (git config is not shared: every clone needs this, and sync redoes it)."""
        if self.text_or("config", f"merge.{DRIVER}.driver", default="") == driver_command():
            return
        self.git.run("config", f"merge.{DRIVER}.name", "readlist: merge library files paper by paper")
        self.git.run("config", f"merge.{DRIVER}.driver", driver_command())

    def commit_local(self, message: str) -> bool:
        """Commit the library file and the settings files if they changed; True when a commit was made."""
        paths = [name for name in (self.name, ".gitattributes", ".gitignore") if (self.path.parent / name).exists()]
        try:
            self.git.run("add", "--", *paths)
        except SyncError:
            self._refuse_ignored(paths)
            raise
        if self.git.rev("HEAD") is not None and self.git.ok("diff", "--cached", "--quiet"):
            return False
        self.git.run("-c", "commit.gpgsign=false", "commit", "--quiet", "--no-verify", "-m", message,
                     extra_env=self.git.identity())
        return True

    def _refuse_ignored(self, paths: list[str]) -> None:
        """After a failed git add: refuse, naming the line, where the user's own ignore rules keep a file out.

        sync appends its lines to an existing .gitignore, and the last matching line wins: one after them
        (``*.json``) ignores a library not yet committed, and git add's last line names only the file.
        """
        done = self.git.run("check-ignore", "--verbose", "--", *paths, check=False)
        found = done.stdout.decode("utf-8", "replace").splitlines()
        if done.returncode == 0 and found:
            rule, _, name = found[0].partition("\t")
            source, line, pattern = rule.split(":", 2) if rule.count(":") >= 2 else (rule, "?", "")
            raise SyncError(f"{name} is ignored by line {line} of {source} ({pattern}), so git cannot share it; "
                            "remove that line (or move it above readlist's lines), then try again")

    def snapshot_blob(self, commit: str) -> bytes | None:
        """The library file's bytes in ``commit`` (None when it has none); only a plain file is accepted."""
        if commit in self._blobs:  # a commit id names the same tree for ever; a branch name is not kept
            return self._blobs[commit]
        listing = self.git.text("ls-tree", commit, "--", self.name)
        if not listing:
            blob = None
        else:
            mode, kind, oid = listing.split("\t", 1)[0].split()
            if kind != "blob" or mode not in ("100644", "100755"):
                raise SyncError(f"{self.name} in commit {commit[:10]} is not a plain file (mode {mode}); "
                                "nothing was changed")
            blob = self.git.run("cat-file", "blob", oid).stdout
        if _COMMIT_ID.fullmatch(commit):
            if len(self._blobs) >= KEPT_BLOBS:
                del self._blobs[next(iter(self._blobs))]
            self._blobs[commit] = blob
        return blob

    def snapshot_at(self, commit: str | None, *, whose: str) -> Snapshot | None:
        """The library in ``commit``, checked like any library file (another person's file is untrusted input).

        Not read when the app is closing (:func:`_stop_if_asked`): a read and check takes a second or two at
        100,000 papers, and nothing a sync reads a library for has changed anything here yet."""
        if commit is None:
            return None
        _stop_if_asked(self)
        return _validated(self.snapshot_blob(commit), whose)

    def move_to(self, commit: str, blob: bytes | None) -> None:
        """Make ``commit`` the current one: the library file replaced atomically, then branch and index moved.

        Caller holds the library's lock and has validated ``blob`` (the library file in ``commit``). The
        library in memory is left as it was: callers refresh it. Until the branch is there, the commit it
        is going to is kept beside the library, so a sync stopped in between (killed, the machine turned
        off) is finished by the next one instead of merging the same changes again
        (:func:`_finish_interrupted_move`).
        """
        if blob is not None:
            start = self.git.rev("HEAD") or ""
            pending = sync_pending_path(self.path)
            atomic_write_bytes(pending, msgspec.json.encode(PendingMove(commit, start, replaced=False)))
            atomic_write_bytes(self.path, blob)
            atomic_write_bytes(pending, msgspec.json.encode(PendingMove(commit, start, replaced=True)))
        try:
            self.git.run("update-ref", "-m", "readlist sync", "HEAD", commit)
            self.git.run("read-tree", commit)
            for name in (".gitattributes", ".gitignore"):
                if self.git.text("ls-files", "--", name):
                    self.git.run("checkout-index", "--force", "--", name)
        except NoRoom as exc:  # the library file is the new one already: the next sync moves the branch to it
            raise SyncError(f"no space left on this disk ({exc.said}); the library file is up to date and the next "
                            f"sync finishes recording it in git{free_space()}") from None
        self.git.run("update-index", "-q", "--refresh", check=False)
        _forget_pending(self.path)
        if self.write_settings():
            self.commit_local(f"readlist sync settings on {_host()}")


def _validated(raw: bytes | None, whose: str) -> Snapshot | None:
    """A library file's bytes read from git, checked like any library file (another person's is untrusted input)."""
    if raw is None:
        return None
    try:
        return decode_snapshot(raw)
    except SnapshotProblem as problem:
        advice = ""
        if whose.startswith("on ") and problem.newer:
            # The remote is fine: this readlist is the old one. Undoing the commit would undo the newer one's work.
            raise SyncError(f"the library {whose} was {problem}: upgrade readlist on "
                            "this machine (`pip install -U readlist`), then sync again; nothing was changed here"
                            ) from None
        if whose.startswith("on "):
            # Every sync stops here until the remote holds a good library again: say how to get there.
            advice = (": undo the commit that damaged it on the remote (`git revert` in a clone of it, or a "
                      "`readlist sync` from a copy that has a good one after reverting there), then sync again")
        raise SyncError(f"the library {whose} is not valid ({problem}); nothing was changed here{advice}") from None


class PendingMove(msgspec.Struct, array_like=True):
    """A sync's move to ``commit`` from ``start`` ("" for a branch with no commit yet), under way.

    ``replaced``: the library file is the commit's now (any later change to it was made from that).
    """

    commit: str
    start: str
    replaced: bool


_PENDING = msgspec.json.Decoder(PendingMove)


def _forget_pending(path: Path) -> None:
    where = sync_pending_path(path)
    if where.is_file() or where.is_symlink():
        where.unlink(missing_ok=True)


def _read_text(path: Path) -> str | None:
    """A settings file's text; None when there is none, or only a link there, which is replaced, never read through."""
    if path.is_symlink():
        return None
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise SyncError(f"{path}: cannot be read ({exc}); fix or remove it, then try again") from None


def _has_lines(text: str, wanted: str) -> bool:
    present = {line.strip() for line in text.splitlines()}
    return all(line.strip() in present for line in wanted.splitlines() if line.strip() and not line.startswith("#"))


def _with_lines(text: str, wanted: str) -> str:
    present = {line.strip() for line in text.splitlines()}
    missing = [line for line in wanted.splitlines() if line.strip() not in present]
    return text + ("" if text.endswith("\n") else "\n") + "\n".join(missing) + "\n"


def _host() -> str:
    return socket.gethostname() or "this machine"


# -- the report ------------------------------------------------------------------------------------------


@dataclass
class SyncReport:
    """What a sync did, for one line on the command line or in the app, and ``--json``."""

    library: str
    remote: str | None = None
    committed: bool = False  # local changes were committed
    received: bool = False  # the remote's changes were taken in
    sent: bool = False  # ours were pushed
    merge: MergeReport = field(default_factory=MergeReport)
    changed_here: int = 0
    changed_there: int = 0
    backup: str | None = None
    notes: list[str] = field(default_factory=list)  # things the user must be told (a deletion overruled, …)

    def changes(self) -> str:
        """What changed where: ``3 papers changed here, 5 there, 1 note merged``."""
        parts = [f"{counted(self.changed_here, 'paper')} changed here", f"{self.changed_there} there"]
        if self.merge.added_on_both:  # not counted as changed on either side for that alone
            parts.append(f"{counted(len(self.merge.added_on_both), 'paper')} added on both copies")
        if self.merge.notes_merged:
            parts.append(f"{counted(len(self.merge.notes_merged), 'note')} merged")
        if self.merge.later_won:  # which papers: the other copy's change may have replaced one made here
            won = sorted(self.merge.later_won)
            parts.append(f"{len(won)} settled by the later change ({first_few(won, 3)})")
        kept = len(self.merge.kept_here) + len(self.merge.kept_there)
        if kept:
            parts.append(f"{counted(kept, 'deleted paper')} kept (changed after the deletion)")
        dropped = len(self.merge.dropped_here) + len(self.merge.dropped_there)
        if dropped:
            parts.append(f"{counted(dropped, 'changed paper')} deleted (deleted after the change)")
        return ", ".join(parts)

    def summary(self) -> str:
        """One line: what changed where, and what was exchanged with the remote."""
        text = self.changes()
        if self.remote is None:
            return f"{text}; committed on this machine only: no remote yet (`readlist sync init REMOTE` adds one)"
        exchanged = {(True, True): "sent and received", (True, False): "sent", (False, True): "received",
                     (False, False): "already in step"}[(self.sent, self.received)]
        return f"{text}; {exchanged} ({self.remote})"

    def details(self) -> list[str]:
        """A line per paper whose fate the user should know about."""
        lines = list(self.notes)
        merge = self.merge
        lines += [f"{pid}: deleted on the other copy, kept because it was changed here later"
                  for pid in merge.kept_here]
        lines += [f"{pid}: deleted here, kept because it was changed on the other copy later"
                  for pid in merge.kept_there]
        lines += [f"{pid}: changed here, deleted on the other copy later, so it is gone (its record, note and all, "
                  f"is in {self._kept_in()})" for pid in merge.dropped_here]
        lines += [f"{pid}: deleted here after it was changed on the other copy; it stays deleted"
                  for pid in merge.dropped_there]
        lines += [f"{pid}: deleted on the other copy, with the note it had here (the note is in {self._kept_in()})"
                  for pid in merge.noted_gone_here]
        lines += [f"{pid}: both versions of an edited part of the note are kept, under a line starting with ──"
                  for pid in merge.notes_both_kept]
        lines += [f"{old}: renamed to {new}" for old, new in sorted(merge.renamed.items())]
        return lines

    def _kept_in(self) -> str:
        """Where a record the merge dropped can be read again: restoring it would not bring it back (a restored
        backup is merged as the old state it is, and the deletion is later)."""
        where = f"the backup this sync made, {self.backup}" if self.backup else "the backup this sync made"
        return f"{where}, and in git's history"

    def to_dict(self) -> dict[str, Any]:
        return {
            "library": self.library, "remote": self.remote, "committed": self.committed, "received": self.received,
            "sent": self.sent, "changed_here": self.changed_here, "changed_there": self.changed_there,
            "merge": self.merge.to_dict(), "backup": self.backup, "summary": self.summary(), "details": self.details(),
        }


class SyncState(msgspec.Struct, kw_only=True):
    """The last sync of this library on this machine, for the app's header (kept beside the library, not shared)."""

    at: str = ""
    ok: bool = True
    message: str = ""


_SYNC_STATE = msgspec.json.Decoder(SyncState)


def load_state(path: Path) -> SyncState | None:
    return load_small_json(sync_state_path(path), 1 << 20, _SYNC_STATE)


def save_state(path: Path, state: SyncState) -> None:
    with contextlib.suppress(OSError):
        atomic_write_bytes(sync_state_path(path), msgspec.json.encode(state))


def is_set_up(path: Path) -> bool:
    """Whether the library at ``path`` is in a repository set up for sync (file checks only: cheap)."""
    repo = Repo.at(path)
    return repo.exists() and repo.tracked_library() == path.name


# -- sync init ---------------------------------------------------------------------------------------


@dataclass
class InitReport:
    library: str
    repository: str
    remote: str | None
    created: bool  # a new repository was made
    joined: bool  # an existing remote library was taken in (or merged with this one)
    sync: SyncReport | None = None

    def summary(self) -> str:
        """What was set up, on one line (what the first sync did is the sync report's own line)."""
        where = f"{self.repository} ({'a new' if self.created else 'an existing'} git repository)"
        if self.remote is None:
            return f"Set up for sync in {where}, no remote yet (`readlist sync init REMOTE` adds one)"
        return f"Set up for sync in {where}, remote {self.remote}"

    def to_dict(self) -> dict[str, Any]:
        return {"library": self.library, "repository": self.repository, "remote": self.remote,
                "created": self.created, "joined": self.joined,
                "sync": self.sync.to_dict() if self.sync is not None else None}


def init(library: Library, remote: str | None = None, *, interactive: bool = False) -> InitReport:
    """Put the library's folder under git for sync, register the merge driver, and join ``remote`` if given.

    On a machine where the library does not exist yet (or is still empty), a remote that already holds
    the library is taken as it is; a library that already has papers is merged with it.
    """
    with _signals_stop():
        return _init_here(library, remote, interactive=interactive)


def _init_here(library: Library, remote: str | None, *, interactive: bool) -> InitReport:
    require_git()
    remote = remote_address(remote) if remote else remote
    check_writable(library.path)  # joining a remote would replace a read-only library file by rename
    repo = Repo.at(library.path, interactive=interactive)
    repo.git.again = "readlist sync init"
    folder = repo.path.parent
    ensure_private_dir(folder)
    if not repo.exists() and _holds_every_folder(folder):
        raise SyncError(
            f"{folder} is your home folder (or the top of the disk): made a git repository, every folder below it "
            "would be inside it, so git would take your projects and other libraries for part of it; move the library "
            f"to a folder of its own (`readlist --db {folder / 'papers' / repo.name} sync init`); nothing was changed"
        )
    top = repo.toplevel()
    if top is not None and top != folder:
        raise SyncError(
            f"{folder} is inside the git repository {top}; sync keeps a library in a repository of its own, so move "
            f"the library to a folder of its own (`readlist --db NEWFOLDER/{repo.name} sync init`); nothing was changed"
        )
    others = repo.other_files() if top is not None else []
    if others:
        # Its .gitignore would gain `/*` (every file the project adds after ignored) and its history the library.
        shown = ", ".join(others[:3]) + (", …" if len(others) > 3 else "")
        raise SyncError(
            f"{folder} is a git repository that holds other files ({shown}); sync keeps a library in a repository of "
            f"its own, so move the library to a folder of its own (`readlist --db NEWFOLDER/{repo.name} sync init`); "
            "nothing was changed"
        )
    tracked = repo.tracked_library()
    if tracked is not None and tracked != repo.name:
        raise SyncError(f"{folder} already syncs the library {tracked}; one library per folder (move {repo.name} to a "
                        "folder of its own); nothing was changed")
    created = not repo.exists()
    previous = None if created else repo.remote_url()
    made = [name for name in (".gitignore", ".gitattributes") if not (folder / name).exists()]
    try:
        if created:  # inside the try: a git init cut short (a full disk) leaves a .git that is not a repository
            repo.git.run("init", "--quiet", "--initial-branch=main")
        return _init(library, repo, remote, created=created, interactive=interactive)
    except BaseException as exc:
        # Leave the folder as it was found, unless the library is committed in it now and the next sync sends it.
        if created and not isinstance(exc, PushFailed) and not _took_from_remote(repo):
            shutil.rmtree(folder / ".git", ignore_errors=True)
            for name in made:
                with contextlib.suppress(OSError):
                    (folder / name).unlink()
        if isinstance(exc, OSError):  # a full disk, a read-only folder
            raise SyncError(_not_written(exc, "readlist sync init")) from None
        if isinstance(exc, NotBare):  # no sync would ever send to it: the library keeps the remote it had
            if repo.exists():
                _restore_remote(repo, previous)
            done = ("the library, merged with the one it holds, is committed here" if exc.merged
                    else "nothing was changed here")
            kept = f", and the library keeps its remote {previous}" if previous else ""
            raise NotBare(without_credentials(f"{not_bare(remote)}; {done}{kept}")) from None
        raise


def remote_address(remote: str) -> str:
    """The remote as it is stored: a relative path that exists from the current folder made absolute; a URL, an
    scp-like ``host:path``, an absolute path, or a path that does not exist from here, left as typed.

    git runs in the library's folder and resolves a relative path from there, not from where the user typed it:
    ``sync init rel.git`` beside the bare repository was refused as "not a git repository". A path found only from
    the library's folder is left to git, which finds it there.
    """
    if "://" in remote or _scp_like(remote) or Path(remote).is_absolute() or not Path(remote).exists():
        return remote
    return os.path.normpath(Path.cwd() / remote)


def _scp_like(remote: str) -> bool:
    """Whether git takes ``remote`` for ``[user@]host:path`` (a colon before any slash), as it does, not a local path.

    A drive letter (``C:\\papers.git`` on Windows) is a local path to git.
    """
    colon = remote.find(":")
    if colon < 0 or any(0 <= remote.find(mark) < colon for mark in ("/", os.sep)):
        return False
    return not (os.name == "nt" and colon == 1 and remote[0].isalpha())


def _holds_every_folder(folder: Path) -> bool:
    """Whether ``folder`` is the home folder or a root: a repository there would hold most of the user's folders.

    git takes any folder below a repository for part of it: a library synced from ``~/papers.json`` would make
    ``~/lab`` part of a repository, so ``sync init`` refused the lab's list there, and git commands run in a
    project not yet under git (``git clean``) would act on the home folder's repository.
    """
    with contextlib.suppress(RuntimeError, OSError):  # no home known
        if folder == Path.home().resolve():
            return True
    return folder.parent == folder


def _took_from_remote(repo: Repo) -> bool:
    """Whether the branch holds a commit of the remote: the library file is the remote's now, or a merge with it.

    A ``sync init`` that fails after that (the push refused, say) keeps the repository it made: taking it
    away would leave a library file holding the remote's papers outside any repository, while the
    message says the changes are committed here and the next sync sends them, which is then true.
    """
    with contextlib.suppress(SyncError):  # git gone meanwhile: nothing to tell, so the folder is left as found
        return repo.git.rev("HEAD") is not None and bool(
            repo.git.text("for-each-ref", "--merged=HEAD", "--format=%(refname)", f"refs/remotes/{REMOTE}/"))
    return False


def _not_written(exc: OSError, again: str) -> str:
    """A file sync needed to write could not be (a full disk, a read-only folder), as one line."""
    what = exc.filename or "a file"
    return (f"sync stopped: {what} could not be written ({exc.strerror or exc}); nothing was lost (the library file "
            f"is whole); free some space or make the folder writable, then run `{again}` again")


def _init(library: Library, repo: Repo, remote: str | None, *, created: bool, interactive: bool) -> InitReport:
    folder = repo.path.parent
    previous = repo.remote_url()
    with _sync_lock(library.path), library.locked():
        repo.write_settings()
        repo.configure()
        if remote:
            if repo.remote_url() is None:
                repo.git.run("remote", "add", REMOTE, remote)
            elif repo.remote_url() != remote:
                repo.git.run("remote", "set-url", REMOTE, remote)
    report = InitReport(str(library.path), str(folder), without_credentials(remote) if remote else repo.shown_remote(),
                        created, joined=False)
    if not remote:
        with _sync_lock(library.path), library.locked():
            _fold(library)
            repo.commit_local(f"readlist library on {_host()}")
        return report
    try:
        # --prune: branches fetched from the remote this one replaces must not pass for this one's, or a library moved
        # to an empty remote would be found in step with it and never sent there.
        repo.git.run("fetch", "--quiet", "--prune", REMOTE, network=True)
        remote_branch = _remote_default_branch(repo)
        theirs = repo.git.rev(f"refs/remotes/{REMOTE}/{remote_branch}") if remote_branch else None
        if theirs is not None:
            _check_remote_holds(repo, theirs)
            if previous is not None:  # a library synced already moves to a remote of its own, not into another
                _check_same_library(repo, repo.git.rev("HEAD"), theirs, without_credentials(remote))
        if remote_branch is not None and repo.git.rev("HEAD") is not None and repo.branch() != remote_branch:
            raise SyncError(f"the remote's branch is {remote_branch} but this library's is {repo.branch()}; "
                            "nothing was changed")
    except BaseException:
        # A remote that cannot be reached or is not this library's (a mistyped path, say) does not replace the one
        # the library synced with: `readlist sync` goes on working with it.
        _restore_remote(repo, previous)
        raise
    with _sync_lock(library.path), library.locked():
        ours = repo.git.rev("HEAD")
        if theirs is not None and ours is None:
            if library.journal.path.exists():
                library.compact(force=True)
            if not library.papers and not library.deleted:
                # A new machine: take the library as the remote has it.
                snap = repo.snapshot_at(theirs, whose=f"on {report.remote}")
                blob = repo.snapshot_blob(theirs)
                repo.git.run("symbolic-ref", "HEAD", f"refs/heads/{remote_branch}")
                backup = make_backup(library.path) if library.path.exists() else None
                repo.move_to(theirs, blob)
                library.refresh()
                report.joined = True
                report.sync = SyncReport(str(library.path), report.remote, received=True,
                                         changed_there=len(snap.papers) if snap else 0,
                                         backup=str(backup) if backup else None)
                save_state(library.path, SyncState(at=now_iso(), ok=True, message=report.sync.summary()))
            else:
                repo.git.run("symbolic-ref", "HEAD", f"refs/heads/{remote_branch}")
                _fold(library)
                repo.commit_local(f"readlist library on {_host()}")
        elif remote_branch is not None and ours is not None and repo.branch() != remote_branch:
            raise SyncError(f"the remote's branch is {remote_branch} but this library's is {repo.branch()}; "
                            "nothing was changed")
        branch = repo.branch()
        repo.git.run("config", f"branch.{branch}.remote", REMOTE)
        repo.git.run("config", f"branch.{branch}.merge", f"refs/heads/{branch}")
    if report.sync is None:
        try:
            report.sync = sync(library, interactive=interactive, join=previous is None)
        except NotBare as exc:
            exc.merged = theirs is not None
            raise
        report.joined = theirs is not None
    return report


def _restore_remote(repo: Repo, previous: str | None) -> None:
    """Put back the remote ``sync init`` replaced (none: remove the one it added)."""
    if repo.remote_url() == previous:
        return
    with contextlib.suppress(SyncError):
        if previous is None:
            repo.git.run("remote", "remove", REMOTE)
        else:
            repo.git.run("remote", "set-url", REMOTE, previous)


def _remote_default_branch(repo: Repo) -> str | None:
    """The branch the remote's HEAD names (or the only one it has); None for an empty remote."""
    done = repo.git.run("ls-remote", "--symref", REMOTE, "HEAD", check=False, network=True)
    listing = done.stdout.decode("utf-8", "replace")
    for line in listing.splitlines():
        if line.startswith("ref: refs/heads/"):
            return line.split("\t", 1)[0].removeprefix("ref: refs/heads/")
    heads = repo.git.text("for-each-ref", "--format=%(refname:lstrip=3)", f"refs/remotes/{REMOTE}/")
    names = [name for name in heads.splitlines() if name and name != "HEAD"]
    if not names:
        return None
    local = repo.branch()
    return local if local in names else sorted(names)[0]


def _check_remote_holds(repo: Repo, commit: str) -> None:
    """Refuse a remote that holds another library file (or none): merging it would mean nothing.

    Its settings files must be plain files too: a ``.gitignore`` that is a link (to ``~/.ssh/id_ed25519``,
    say) would be checked out as one, read through by the next sync, and its target committed and pushed.
    """
    _check_plain_settings(repo, commit)
    if repo.git.text("ls-tree", "--name-only", commit, "--", repo.name):
        return
    attributes = repo.git.run("show", f"{commit}:.gitattributes", check=False).stdout.decode("utf-8", "replace")
    names = [line.split()[0].lstrip("/") for line in attributes.splitlines()
             if len(line.split()) >= 2 and f"merge={DRIVER}" in line.split()[1:]]
    names = [name for name in names if name != repo.name]  # its own name: the file was deleted there
    if names:
        raise SyncError(f"the remote holds the library {names[0]!r}, not {repo.name!r}; open it with "
                        f"`readlist --db {repo.path.parent / names[0]} sync init REMOTE`; nothing was changed")
    # Every sync stops here until the remote holds the library again: say which commit took it and how to undo it.
    gone = repo.git.text("log", "-1", "--format=%h", "--diff-filter=D", commit, "--", repo.name, check=False)
    if re.fullmatch(r"[0-9a-f]{4,64}", gone):
        raise SyncError(f"the library file {repo.name!r} was deleted on the remote by commit {gone}; nothing was "
                        f"changed here: undo that commit on the remote (`git revert {gone}` in a clone of it), then "
                        "sync again")
    raise SyncError(f"the remote has no library file {repo.name!r} (it is not a readlist library, or the file was "
                    "deleted there); nothing was changed: check the remote's address, or undo the commit that deleted "
                    "the file on the remote (`git revert` in a clone of it), then sync again")


def _check_same_library(repo: Repo, ours: str | None, theirs: str, remote: str | None) -> None:
    """Refuse a remote whose library is another one: its history shares no commit with this library's, or a commit
    there put another library's file in place of this one.

    Only the file's name was checked: a remote replaced by another library's history (or the address of another
    library with the same file name) was merged in, its notes mixed into this library, papers deleted here brought
    back, and the result pushed to every copy. The same library in a history started again (its header keeps the
    library's id, which every copy shares once joined) is still merged. Joining a library on purpose (the first
    ``sync init`` with a remote, of a library that had none) does not come here.

    In a shared history, a commit that copied another library's file over this one (another machine's unrelated
    library, committed by hand) was taken as this library's newest state: every paper the other file lacked was
    deleted here, and the sync said "received". A library id that changed on the remote is taken only where a
    history of its own was joined there (a root commit came with it: the joined library's id may be the one kept).
    """
    if ours is None:
        return
    related = repo.git.ok("merge-base", ours, theirs)
    if related and repo.git.ok("merge-base", "--is-ancestor", theirs, ours):
        return  # nothing of the remote's is taken
    _stop_if_asked(repo)
    here = snapshot_header(repo.snapshot_blob(ours) or b"")
    _stop_if_asked(repo)
    there = snapshot_header(repo.snapshot_blob(theirs) or b"")
    if here is not None and there is not None and here.library and here.library == there.library:
        return
    if not related:
        raise SyncError(f"{remote} holds another library than this one (their histories share nothing); nothing "
                        "was changed here: check the remote's address, and point this library to its own remote "
                        "with `readlist sync init REMOTE`")
    if here is None or there is None or not here.library or not there.library:
        return  # an id missing on a side: nothing to compare (a damaged side is refused when it is read)
    if repo.git.text("rev-list", "--max-parents=0", f"{ours}..{theirs}", check=False):
        return
    culprit = _commit_bringing_library(repo, ours, theirs, there.library)
    by = f" by commit {culprit}" if culprit else ""
    undo = f"`git revert {culprit}`" if culprit else "`git revert`"
    raise SyncError(f"the library file {repo.name!r} on {remote} was replaced{by} with another library's (its id is "
                    f"{there.library}, this one's {here.library}); nothing was changed here: undo that commit on the "
                    f"remote ({undo} in a clone of it), then sync again")


def _commit_bringing_library(repo: Repo, ours: str, theirs: str, library: str, most: int = 50) -> str:
    """The oldest of the remote's commits (since ``ours``) whose library file has the id ``library``, short; "" when
    none of the first ``most`` that changed the file has it."""
    commits = repo.git.text("rev-list", "--reverse", f"--max-count={most}", f"{ours}..{theirs}", "--",
                            repo.name, check=False).split()
    for commit in commits:
        header = snapshot_header(repo.snapshot_blob(commit) or b"")
        if header is not None and header.library == library:
            return repo.git.text("rev-parse", "--short", commit, check=False)
    return ""


def _check_plain_settings(repo: Repo, commit: str) -> None:
    """Refuse a commit whose .gitattributes or .gitignore is a link (or anything but a plain file)."""
    for entry in repo.git.text("ls-tree", commit, "--", ".gitattributes", ".gitignore").splitlines():
        meta, _, name = entry.partition("\t")
        mode = meta.split()[0] if meta.split() else ""
        if mode not in ("100644", "100755"):
            raise SyncError(f"{name} in commit {commit[:10]} is not a plain file (mode {mode}); nothing was changed")


# -- sync --------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _sync_lock(path: Path) -> Iterator[None]:
    """One sync of a library at a time on this machine (the app's and a command's, say)."""
    from filelock import FileLock, Timeout  # not at import: the terminal UI imports this module to start

    lock = FileLock(str(sync_lock_path(path)), timeout=0, mode=0o600)
    try:
        with lock:
            yield
    except Timeout:
        raise SyncError("another sync of this library is running; try again when it has finished") from None


def _fold(library: Library) -> None:
    """Fold the journal into the library file, so the file git commits holds every change."""
    if library.journal.path.exists() or not library.path.exists():
        library.compact(force=True)


def sync(library: Library, *, interactive: bool = False, stop: threading.Event | None = None,
         join: bool = False) -> SyncReport:
    """Commit local changes, fetch, merge paper by paper, push; see the module doc. Raises :class:`SyncError`.

    ``stop`` (the app's, set when it closes) ends a fetch or push still waiting for the remote, and a merge not
    yet put in place (:func:`_stop_if_asked`); the library's replacement is never cut short. ``join``: the remote
    may hold another library, merged into this one (the first ``sync init`` with a remote); otherwise a remote
    whose history shares nothing with this one's is refused (:func:`_check_same_library`).
    """
    with _signals_stop():
        return _sync_here(library, interactive=interactive, stop=stop, join=join)


def _sync_here(library: Library, *, interactive: bool, stop: threading.Event | None, join: bool) -> SyncReport:
    require_git()
    repo = Repo.at(library.path, interactive=interactive, stop=stop)
    if not repo.exists() or repo.tracked_library() != repo.name:
        raise SyncError(f"{library.path} is not set up for sync; run `readlist sync init [REMOTE]` first")
    if repo.toplevel() != repo.path.parent:
        raise SyncError(f"{repo.path.parent} is not the top of its git repository; nothing was changed")
    report = SyncReport(str(library.path), repo.shown_remote())
    try:
        # A library file the user made read-only is changed by no command; a sync would replace it by rename.
        check_writable(library.path)
        with _sync_lock(library.path):
            try:
                _sync(library, repo, report, join=join)
            finally:
                library.refresh()  # the library file may have been replaced
    except OSError as exc:  # a full disk, a read-only folder
        error = SyncError(_not_written(exc, "readlist sync"))
        save_state(library.path, SyncState(at=now_iso(), ok=False, message=str(error)))
        raise error from None
    except SyncError as exc:
        save_state(library.path, SyncState(at=now_iso(), ok=False, message=str(exc)))
        raise
    except LibraryError as exc:  # the library's own error (its lock held too long, no room to fold the journal)
        room = free_space() if no_room_line(str(exc)) is not None else ""
        said = LibraryError(f"nothing was synced: {exc}{room}")
        save_state(library.path, SyncState(at=now_iso(), ok=False, message=str(said)))
        raise said from None
    save_state(library.path, SyncState(at=now_iso(), ok=True, message=report.summary()))
    return report


@dataclass(frozen=True)
class _Folded:
    """The library's files as a sync found them under the lock, once the journal was folded into the library file.

    A sync merges without the lock and takes it again only to replace the library file: these tell it whether
    anything was changed meanwhile. The library file's identity holds its generation, which every rewrite
    raises; the journal's, its size, which every change appended grows.
    """

    library: Identity | None
    journal: JournalIdentity | None

    @classmethod
    def now(cls, library: Library) -> _Folded:
        return cls(file_identity(library.path), journal_identity(library.journal.path))


def _fold_here(library: Library, repo: Repo) -> _Folded:
    """Under the library's lock: the journal folded in, so that the library file holds every change; what the files
    are now (the commit made from them, without the lock, stands for them until either changes)."""
    if not library.path.exists() and repo.git.rev("HEAD") is not None:
        raise SyncError(f"{library.path} is missing; nothing was synced (restore it with "
                        f"`git -C {repo.path.parent} checkout -- {repo.name}`, or from a backup)")
    repo.write_settings()
    _fold(library)
    return _Folded.now(library)


def _commit_folded(repo: Repo) -> bool:
    """Commit the library file as the last fold left it; True when committed.

    Without the library's lock: git reads and hashes the whole file (3 s at 100,000 papers). The file is only ever
    replaced by rename, so git reads one version of it whole; when that is no longer the folded one, the
    library's identity has changed and the sync does not replace the file from this commit (:func:`_replace`).
    """
    return repo.commit_local(f"Library changes on {_host()}")


# How many times a sync merges: the last merge, after the library was changed during each of the others, holds the
# library's lock throughout, so that a sync finishes however busily the library is being changed.
MERGE_ATTEMPTS = 3


@dataclass
class _Result:
    """What a sync round computed (without the library's lock, but in the last of ``MERGE_ATTEMPTS``): the commit to
    move to, its library file's bytes (validated), and what it changed here and there; put in place, and told, by
    :func:`_replace`."""

    commit: str
    blob: bytes | None
    changes: SyncReport  # how many papers changed here and there, and the papers renamed
    merge: MergeReport | None = None  # the merge driver's, when it ran
    fast: bool = False  # a fast-forward: nothing changed here since the remote's commit, so nothing is counted here


def _sync(library: Library, repo: Repo, report: SyncReport, *, join: bool) -> None:
    with library.locked():
        repo.configure()
        _finish_interrupted_move(repo, report)
        before = repo.git.rev("HEAD")
        _fold_here(library, repo)
        _merge_restored(library, repo, report)
    report.committed = _commit_folded(repo)
    if report.remote is None:
        if report.committed:
            report.changed_here = _changes(repo.snapshot_at(before, whose="here"),
                                           repo.snapshot_at(repo.git.rev("HEAD"), whose="here"), report)
        return
    branch = repo.branch()
    remote_ref = f"refs/remotes/{REMOTE}/{branch}"
    pushes = merges = 0
    while pushes < PUSH_ATTEMPTS:
        # --prune: a branch gone from the remote (the remote emptied or made again, the branch deleted there) must not
        # be remembered as the remote's, or the library would be found in step with it and never sent there again.
        repo.git.run("fetch", "--quiet", "--prune", REMOTE, network=True,
                     advice=f"; the changes made here are committed on this machine and safe: check that the remote "
                            f"({report.remote}) is there and reachable, then run `readlist sync` again")
        # Merging again after every change made meanwhile would never end while someone keeps changing the library
        # (a decision every few seconds in the app); the last merge keeps them waiting instead, as every merge did.
        last = merges >= MERGE_ATTEMPTS - 1
        # Where this fetch found the remote's branch: a push of a sync killed meanwhile, still running, may move the
        # remote-tracking branch as it ends, so it is read now rather than after a push is refused.
        fetched = repo.git.rev(remote_ref)
        with library.locked() if last else contextlib.nullcontext():
            done = _round(library, repo, report, remote_ref, join=join)
        if done == "overtaken":
            merges += 1
            if last:  # never expected: nothing changes the library while its lock is held
                raise SyncError(f"the library was changed {merges} times while this sync merged it with the one "
                                f"on {report.remote}; nothing was lost (every change is kept here, the ones "
                                "made meanwhile too), run `readlist sync` again")
            continue  # merge again, with the changes made meanwhile committed first
        if done in ("in step", "received"):
            return  # received: a fast-forward, nothing of ours to send
        if _push(repo, branch, fetched):
            report.sent = True
            return
        pushes += 1
    raise SyncError("the remote kept changing while this sync ran; nothing was lost, run `readlist sync` again")


_Done = Literal["in step", "received", "merged", "ahead", "overtaken"]


def _round(library: Library, repo: Repo, report: SyncReport, remote_ref: str, *, join: bool) -> _Done:
    """One round after a fetch: fold and commit the changes made here, merge with the remote's commit (or take it),
    put the result in place. Says what came of it: "in step", "received" (a fast-forward), "merged" (to send),
    "ahead" (only ours to send) or "overtaken" (the library was changed meanwhile: nothing was replaced)."""
    with library.locked():
        folded = _fold_here(library, repo)
    report.committed |= _commit_folded(repo)
    _stop_if_asked(repo)
    ours, theirs = repo.git.rev("HEAD"), repo.git.rev(remote_ref)
    assert ours is not None
    if theirs == ours:
        return "in step"
    if theirs is not None:
        _check_remote_holds(repo, theirs)
        if not join:
            _check_same_library(repo, ours, theirs, report.remote)
    if theirs is not None and repo.git.ok("merge-base", "--is-ancestor", ours, theirs):
        result = _fast_forward(repo, report, ours, theirs)
    elif theirs is None or repo.git.ok("merge-base", "--is-ancestor", theirs, ours):
        report.changed_here = _changes(repo.snapshot_at(theirs, whose=f"on {report.remote}"),
                                       repo.snapshot_at(ours, whose="here"), report)
        return "ahead"
    else:
        result = _merge(repo, report, ours, theirs)
    _stop_if_asked(repo)
    if not _replace(library, repo, report, result, ours, folded):
        return "overtaken"
    return "received" if result.fast else "merged"


def _merge_restored(library: Library, repo: Repo, report: SyncReport) -> None:
    """Under the library's lock, the journal folded in: a backup restored since the last sync (``doctor --restore``)
    merged with the library as last committed, as the old state it is (:func:`restored_base`).

    Committed as it is, the restored file would be this copy's newest change and undo, in every copy, whatever was
    done since the backup was made: another machine's rating and note, received by the very sync that made the
    backup. Merged so, it brings back only what it holds that is newer (a change made here that no commit holds,
    lost with a damaged file); what changed since, here or elsewhere, stands. Changes made after the restore are
    newer still, so they stand too.
    """
    marker = restored_path(library.path)
    if not marker.is_file() or marker.is_symlink():
        if marker.is_symlink():
            marker.unlink(missing_ok=True)
        return
    name = inert_text(marker.read_bytes()[:200].decode("utf-8", "replace")).strip() or "a backup"
    head = repo.git.rev("HEAD")
    synced = repo.snapshot_at(head, whose="here") if head is not None else None
    if synced is not None and library.path.exists():
        here = decode_snapshot(library.path.read_bytes())
        mine, committed = Side.of(here.papers, here.deleted), Side.of(synced.papers, synced.deleted)
        merged = merge_libraries(restored_base(mine, committed), mine, committed)
        now = {paper.id: paper for paper in merged.papers}
        kept = sorted(pid for pid in mine.papers.keys() | now.keys() if mine.papers.get(pid) != now.get(pid))
        if kept:
            _backup(library, report)
            identity = here.header.library if here.header is not None and here.header.library else new_library_id()
            atomic_write_bytes(library.path, encode_snapshot(max(here.gen, synced.gen) + 1, merged.papers, identity,
                                                             merged.deleted))
            library.refresh()
            report.notes.append(
                f"the backup restored here ({name}) is older than the library as last synced: merged with it, the "
                f"later change winning field by field, so {counted(len(kept), 'paper')} "
                f"{'keeps' if len(kept) == 1 else 'keep'} what was changed since "
                f"the backup, here or on another copy ({first_few(kept)})")
    marker.unlink(missing_ok=True)


def _stop_if_asked(repo: Repo) -> None:
    """Between the steps of a round that change nothing here, and before each read of a library: end the sync when
    the app is closing.

    Quitting waited for the rest of a merge (up to 45 s at 100,000 papers) with the screen already gone. Up to the
    library's replacement a round has only committed the changes made here and written git objects nothing points
    to, so stopping loses nothing; the replacement itself, and git's own commands that write its index or refs,
    always finish.
    """
    if repo.git.stop is not None and repo.git.stop.is_set():
        raise SyncError(STOPPED)


def _replace(library: Library, repo: Repo, report: SyncReport, result: _Result, ours: str, folded: _Folded) -> bool:
    """Under the library's lock: put ``result`` in place, unless the library was changed since it was folded and
    committed as ``ours`` (then nothing is replaced: False, and the sync merges again from the changed library).

    Only this and the fold hold the lock; the merge, git's hashing and storing and the validation run without
    it, so the app and commands change the library meanwhile. A change made then is in the journal or in a
    rewritten library file, so either identity differs, and the file built from ``ours`` would drop it.
    """
    with library.locked():
        if _Folded.now(library) != folded or repo.git.rev("HEAD") != ours:
            return False
        _backup(library, report)
        repo.move_to(result.commit, result.blob)
    report.received = True
    report.changed_there = result.changes.changed_there
    if not result.fast:
        report.changed_here = result.changes.changed_here
    if result.merge is not None:
        report.merge = result.merge
    else:
        report.merge.renamed.update(result.changes.merge.renamed)
        report.merge.noted_gone_here = result.changes.merge.noted_gone_here
    return True


def _finish_interrupted_move(repo: Repo, report: SyncReport) -> None:
    """Under the library's lock: finish a move to a new commit that an earlier sync began and did not end.

    Such a sync replaced the library file with the commit's library (or was about to) and was stopped
    before the branch got there. Committing that file as a local change and merging it with the remote
    again would merge the same changes twice: a note edited in both copies would get its two versions
    nested in two more. So when the library file was replaced (the record says so, or the file is still
    the commit's, or it was changed since starting from it), the branch is moved there and changes made
    since are committed on top by the rest of the sync. When the file was not replaced (stopped before),
    when the branch has moved since, or when the record cannot be read, the sync goes on as usual.
    """
    pending = load_small_json(sync_pending_path(repo.path), 1 << 12, _PENDING)
    if pending is None:
        return  # none (or damaged: the next move replaces it)
    commit = repo.git.rev(pending.commit) if re.fullmatch(r"[0-9a-f]{40,64}", pending.commit) else None
    head = repo.git.rev("HEAD")
    if commit is None or commit != pending.commit or (head or "") not in (pending.start, commit):
        _forget_pending(repo.path)  # not a commit here, or the branch was moved since (by hand): out of date
        return
    if head != commit:
        if not repo.path.exists():
            return  # the rest of the sync says how to get the library file back
        if not pending.replaced and not _replaced_by(repo, commit, head):
            _forget_pending(repo.path)  # stopped before the file was replaced (or cannot be told): sync as usual
            return
        report.notes.append("the last sync was stopped after it had updated the library file; this sync finished "
                            "it (nothing was merged twice)")
    repo.move_to(commit, None)


def _replaced_by(repo: Repo, commit: str, head: str | None) -> bool:
    """Whether the library file was replaced by ``commit``'s, though the record of the move was not updated."""
    raw = repo.path.read_bytes()
    there = repo.snapshot_blob(commit)
    if raw == there:
        return True
    if there is None or head is None or raw == repo.snapshot_blob(head):
        return False
    return _edited_from(raw, repo.snapshot_at(head, whose="here"), repo.snapshot_at(commit, whose="merged"))


def _edited_from(raw: bytes, old: Snapshot | None, new: Snapshot | None) -> bool:
    """Whether the library ``raw`` was written from ``new`` rather than ``old`` (both read from git).

    It was, when every paper the two differ in that ``raw`` holds as one of them, it holds as in
    ``new``: edits made since touch a few papers, and each carries the time it was changed.
    """
    try:
        here = decode_snapshot(raw)
    except SnapshotProblem:
        return False
    before = {p.id: p for p in old.papers} if old is not None else {}
    after = {p.id: p for p in new.papers} if new is not None else {}
    now = {p.id: p for p in here.papers}
    moved = [pid for pid in before.keys() | after.keys() if before.get(pid) != after.get(pid)]
    like_new = sum(1 for pid in moved if now.get(pid) == after.get(pid))
    like_old = sum(1 for pid in moved if now.get(pid) == before.get(pid))
    return like_new > 0 and like_old == 0


def _push(repo: Repo, branch: str, fetched: str | None) -> bool:
    """Push; False when the remote moved on meanwhile (fetch and merge again), an error otherwise.

    Only git's own ``[rejected] (fetch first)`` or ``(non-fast-forward)`` means another push got there
    first, or a ``[remote rejected] (failed to update ref)`` while the remote's branch is no longer where the
    last fetch found it (``fetched``): another push landed between this one's check and its update of the branch (two
    machines syncing at the same moment). Any other ``[remote rejected]`` is the remote refusing the push (a
    hook, a protected branch, a mirror that is read-only): fetching and merging again would be refused the
    same way, so it is an error naming the remote's reason, not "the remote kept changing".
    """
    done = repo.git.run("push", "--porcelain", REMOTE, f"HEAD:refs/heads/{branch}", check=False, network=True)
    if done.returncode == 0:
        return True
    refused = [line.split("\t")[2] for line in done.stdout.decode("utf-8", "replace").splitlines()
               if line.startswith("!\t") and line.count("\t") >= 2]
    if refused and all(_PUSH_RACE.fullmatch(summary.strip()) for summary in refused):
        return False
    if refused and all(_REF_UPDATE_FAILED.fullmatch(summary.strip()) for summary in refused) \
            and _moved(repo, branch, fetched):
        return False
    if any(_CHECKED_OUT.fullmatch(summary.strip()) for summary in refused):
        raise NotBare(without_credentials(f"{not_bare(repo.shown_remote())}: make one and move the library to it "
                                          "with `readlist sync init PATH`; your changes are committed here"))
    full = no_room_line(done.stderr)
    if full is not None:  # the remote's disk, which takes what is pushed (or, rarely, this one's)
        raise PushFailed(without_credentials(
            f"git push failed: no space left on the remote's disk ({full}); free some space there, then run "
            "`readlist sync` again; your changes are committed here and will be sent by the next sync the remote "
            "accepts"))
    told = [line.removeprefix("remote:").strip() for line in done.stderr.decode("utf-8", "replace").splitlines()
            if line.startswith("remote:") and line.removeprefix("remote:").strip()]
    why = refused[0].strip() + (f": {told[0]}" if told else "") if refused else last_line(done.stderr)
    why = why or f"exit status {done.returncode}"
    raise PushFailed(without_credentials(f"git push failed: {why}; your changes are committed here and will be sent "
                                         "by the next sync the remote accepts"))


# git push --porcelain's summary of a ref that another push moved on first: fetch, merge and push again.
_PUSH_RACE = re.compile(r"\[rejected\] \((fetch first|non-fast-forward)\)")
# Its summary of a push into the branch a repository with a working copy has checked out: refused now and always.
_CHECKED_OUT = re.compile(r"\[remote rejected\] \(branch is currently checked out\)")
# Its summary of a ref the remote could not update: another push moved it meanwhile, or a lock left on the remote.
_REF_UPDATE_FAILED = re.compile(r"\[remote rejected\] \((failed to update ref|failed to lock)\)")


def _moved(repo: Repo, branch: str, fetched: str | None) -> bool:
    """Whether the remote's branch is no longer where the last fetch found it (``fetched``): another push moved it.

    Not the remote-tracking branch as it is now: a push still running from a sync that was killed updates it as it
    ends, and the branch then looked unmoved, so the refusal was an error rather than a reason to merge again.
    """
    done = repo.git.run("ls-remote", REMOTE, f"refs/heads/{branch}", check=False, network=True)
    there = done.stdout.decode("utf-8", "replace").split("\t", 1)[0].strip() or None
    return done.returncode == 0 and there != fetched


def _changes(old: Snapshot | None, new: Snapshot | None, report: SyncReport) -> int:
    """How many papers differ between two versions of the library (added, removed or changed), a paper whose id
    changed counting once, as commands count it (:meth:`Outcome.renames`); its renames go in ``report``, as the
    merge's do (old id → new id)."""
    before = {p.id: p for p in old.papers} if old is not None else {}
    after = {p.id: p for p in new.papers} if new is not None else {}
    # Only the aliases of a paper that came or went tell a rename: the rest of the records need not be copied.
    differ = Outcome("", {pid: PaperChange(_ids_of(before.get(pid)), _ids_of(after.get(pid)))
                          for pid in before.keys() | after.keys() if record_changed(before.get(pid), after.get(pid))})
    report.merge.renamed.update(differ.renames())
    return len(differ)


def _ids_of(paper: Paper | None) -> dict[str, Any] | None:
    return None if paper is None else {"aliases": paper.aliases}


def _fast_forward(repo: Repo, report: SyncReport, ours: str, theirs: str) -> _Result:
    """Without the library's lock: the remote's commit, which holds ours, read and validated."""
    done = SyncReport(report.library, report.remote)
    current = repo.snapshot_at(ours, whose="here")
    incoming = repo.snapshot_at(theirs, whose=f"on {report.remote}")
    done.changed_there = _changes(current, incoming, done)
    # A deletion that came with the remote's commit, of a paper with a note here: the copy that merged it may have
    # had this note already (it named the paper there); here the note goes, and that is said too.
    arriving = {p.id for p in incoming.papers} if incoming is not None else set()
    done.merge.noted_gone_here = sorted(
        p.id for p in (current.papers if current is not None else ())
        if p.note and p.id not in arriving and p.id not in done.merge.renamed)
    return _Result(theirs, repo.snapshot_blob(theirs), done, fast=True)


def _backup(library: Library, report: SyncReport) -> None:
    if report.backup is None and library.path.exists():
        made = make_backup(library.path)
        report.backup = str(made) if made else None


def _merge(repo: Repo, report: SyncReport, ours: str, theirs: str) -> _Result:
    """Without the library's lock: ``ours`` and ``theirs`` merged into a new commit by git and the merge driver
    (the working tree untouched), its library read back and validated, and what changed where counted."""
    done = SyncReport(report.library, report.remote)
    record = _merge_report_file(repo)
    try:
        earlier = _git_merge_files(repo.path.parent)
        try:
            # The longest step of a sync (the driver reads three versions of the library and merges them, seconds
            # on a large library): the app closing ends it rather than wait. What it wrote, nothing points to.
            merged_tree = repo.git.run("merge-tree", "--write-tree", "--allow-unrelated-histories", "--messages",
                                       ours, theirs, check=False, extra_env={ENV_MERGE_REPORT: str(record)},
                                       stoppable=True)
        except BaseException:  # git failed, or the command was interrupted (Ctrl-C, a signal) while it merged
            _remove_git_merge_files(repo.path.parent, earlier)
            raise
        if merged_tree.returncode != 0:
            _remove_git_merge_files(repo.path.parent, earlier)
            # The remote's library refused by the merge driver (damaged, or from a newer readlist): said as when
            # no merge is needed, with what to do, rather than in the driver's words.
            repo.snapshot_at(theirs, whose=f"on {report.remote}")
            why = last_line(merged_tree.stderr) or last_line(merged_tree.stdout)
            room = free_space() if no_room_line(merged_tree.stderr + merged_tree.stdout) is not None else ""
            raise SyncError(f"the library from {report.remote} could not be merged with this one ({why}); "
                            f"nothing was changed here{room}")
        _stop_if_asked(repo)
        tree = merged_tree.stdout.decode().split("\n", 1)[0].strip()
        merged = repo.git.run("commit-tree", tree, "-p", ours, "-p", theirs,
                              "-m", f"Merge the library from {report.remote} on {_host()}",
                              extra_env=repo.git.identity()).stdout.decode().strip()
        blob = repo.snapshot_blob(merged)
        _validated(blob, "merged")  # again, before it replaces the library file
        merge = _driver_report(record)
    finally:
        record.unlink(missing_ok=True)
    if merge is None:  # only one side changed the library file: git needed no merge driver
        base = repo.git.text("merge-base", ours, theirs, check=False) or None
        old = repo.snapshot_at(base, whose="in the common history")
        done.changed_here = _changes(old, repo.snapshot_at(ours, whose="here"), done)
        done.changed_there = _changes(old, repo.snapshot_at(theirs, whose=f"on {report.remote}"), done)
    else:
        done.changed_here = len(merge.changed_here)
        done.changed_there = len(merge.changed_there)
    return _Result(merged, blob, done, merge)


# While it merges, git keeps each version of the library in a file named so in the repository's folder; a git that
# dies meanwhile (a full disk) leaves them there, copies of the library that would pile up at every retry.
_GIT_MERGE_FILE = re.compile(r"\.merge_file_[A-Za-z0-9]{6}")


# A copy older than this was left by a sync that was killed (no merge takes minutes): the next sync removes it.
_STALE_MERGE_FILE = 600.0


def _git_merge_files(folder: Path) -> set[str]:
    """The copies git is making now: those a killed sync left long ago are removed, the others named."""
    found: set[str] = set()
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            if not (_GIT_MERGE_FILE.fullmatch(entry.name) and entry.is_file(follow_symlinks=False)):
                continue
            if time.time() - entry.stat(follow_symlinks=False).st_mtime > _STALE_MERGE_FILE:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
                    continue
            found.add(entry.name)
    return found


def _remove_git_merge_files(folder: Path, earlier: set[str]) -> None:
    """Remove the temporary copies of the library a failed git merge left, not any that were there before it."""
    for name in _git_merge_files(folder) - earlier:
        with contextlib.suppress(OSError):
            (folder / name).unlink()


_MERGE_REPORT_PREFIX = "readlist-merge-"


def _merge_report_file(repo: Repo) -> Path:
    """A new file for the merge driver's report, in the repository's own git folder; reports a merge left there go.

    Not in the system's temporary folder: an app closed in the middle of a merge abandons it (see ``_merge``), and
    each would stay there for good. Here the next merge, which holds the sync lock as this one did, removes them.
    """
    folder = repo.path.parent / ".git"
    for left in folder.glob(f"{_MERGE_REPORT_PREFIX}*.jsonl"):
        with contextlib.suppress(OSError):
            left.unlink()
    fd, name = tempfile.mkstemp(prefix=_MERGE_REPORT_PREFIX, suffix=".jsonl", dir=folder)
    os.close(fd)
    return Path(name)


def _driver_report(record: Path) -> MergeReport | None:
    """What the merge driver did in the last merge it made (earlier lines are git's merges of older bases)."""
    try:
        lines = [line for line in record.read_bytes().splitlines() if line.strip()]
    except OSError:
        return None
    if not lines:
        return None
    try:
        return msgspec.json.decode(lines[-1], type=MergeReport)
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):
        return None


# -- the merge driver ------------------------------------------------------------------------------------


def run_merge_driver(args: list[str]) -> int:
    """``readlist merge-driver BASE OURS THEIRS [NAME]`` as git runs it: exit status 0 merged, 1 not; no output.

    A failure is one line on standard error (git shows it beside the conflict).
    """
    if len(args) not in (3, 4):
        sys.stderr.write("usage: readlist merge-driver BASE OURS THEIRS [NAME]\n")
        return 2
    try:
        merge_files(Path(args[0]), Path(args[1]), Path(args[2]), args[3] if len(args) == 4 else "")
    except SyncError as exc:
        sys.stderr.write(f"readlist merge-driver: {inert_text(str(exc))}\n")
        return 1
    return 0


def merge_files(base: Path, ours: Path, theirs: Path, name: str = "") -> None:
    """git's merge driver: merge ``theirs`` into ``ours`` (the file git reads the result from).

    Each side is read and validated like any library file; a side that cannot be read, or a result that
    would not validate, raises :class:`SyncError` with ``ours`` left untouched, so git reports the
    conflict instead of recording a broken library. Prints nothing.
    """
    label = name or ours.name
    sides = []
    for path, whose in ((base, "common ancestor's"), (ours, "this side's"), (theirs, "other side's")):
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise SyncError(f"{label}: the {whose} version cannot be read ({exc.strerror or exc})") from None
        if path is base and not raw.strip():
            sides.append(Snapshot(gen=0, papers=[], identity=None))  # no common ancestor: both added the file
            continue
        try:
            sides.append(decode_snapshot(raw))
        except SnapshotProblem as problem:
            raise SyncError(f"{label}: the {whose} version is not a valid library: {problem}") from None
    old, mine, yours = sides
    merged = merge_libraries(*(Side.of(s.papers, s.deleted) for s in (old, mine, yours)))
    ids = sorted(s.header.library for s in (mine, yours, old) if s.header is not None and s.header.library)
    gen = max(s.gen for s in sides) + 1
    data = encode_snapshot(gen, merged.papers, ids[0] if ids else new_library_id(), merged.deleted)
    try:
        decode_snapshot(data)
    except SnapshotProblem as problem:  # never expected: every value came from a valid record
        raise SyncError(f"{label}: the merged library would not be valid ({problem}); nothing was merged") from None
    try:
        atomic_write_bytes(ours, data)
    except OSError as exc:  # a full disk: in words, as every message (git shows the driver's last line)
        raise SyncError(f"{label}: the merged library could not be written: {exc.strerror or exc}") from None
    report_to = os.environ.get(ENV_MERGE_REPORT)
    if report_to:
        with contextlib.suppress(OSError), open(report_to, "ab") as handle:
            handle.write(msgspec.json.encode(merged.report) + b"\n")


def after_restore(path: Path) -> str | None:
    """What a restored backup means for a library set up for sync (None for one that is not): said by the restore."""
    if not is_set_up(path):
        return None
    return ("this library is synced: the next `readlist sync` merges the restored library with the one last synced "
            "as the older state it is, field by field, so it brings back what the backup holds that is newer and "
            "undoes no change made since the backup, here or on another copy")


def sync_label(path: Path, *, running: bool = False) -> str:
    """A few words for the app's header: how this library's last sync went ("" when it is not set up for sync)."""
    if not is_set_up(path):
        return ""
    if running:
        return "⇅ syncing…"
    state = load_state(path)
    if state is None or not state.at:
        return "⇅ not synced yet"
    if not state.ok:
        return "⇅ sync failed"
    try:
        when = datetime.fromisoformat(state.at).astimezone()
    except ValueError:
        return "⇅ synced"
    today = datetime.now().astimezone().date()
    return f"⇅ synced {when:%H:%M}" if when.date() == today else f"⇅ synced {when:%Y-%m-%d}"
