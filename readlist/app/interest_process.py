"""The interest model in a child process, for the terminal UI.

Trained in a thread of the app, the model cost the app 170-190 MB of memory at 10,000 papers (scikit-learn,
the vectors, the model) and, sharing the interpreter with the keys, made triage keys slower whenever one
landed during a retrain. Here it runs in a child process instead: the app's memory and keystrokes no longer
carry it, and a crash of the numerical code cannot take the app down.

The child opens the same library file read-only (:class:`Library` with ``tidy=False``: it never converts,
moves a journal aside or takes the lock) and catches up with the journal before each computation. Every
change the app makes is durable in the journal before it asks for new scores, so the child sees what the app
sees without the papers being sent over. It keeps its newest result, so vectors are updated incrementally
and questions about one paper (why this score, which papers are related) are answered there.

:class:`InterestProcess` has the interface of :class:`readlist.app.interest.InterestWorker`: the newest
request wins, an older result is never published, ``on_ready`` and ``on_error`` are called on a background
thread. What it publishes is a :class:`RemoteInterest`: the scores, copied over once per result, and
``explain``/``related``/``more_like`` as questions to the child, answered from the newest result the child
has (which may be newer than the one the question came from; it is never older). If the child dies, the
last result keeps its scores, questions get empty answers, ``on_error`` says why in one line and the next
request starts a new child.

Messages on the pipes are pickles framed by their length. Both ends are this program: nothing read from a
pipe comes from anyone else. The child exits when its input reaches the end (the app closed it or went away).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pickle
import struct
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import msgspec

from readlist.app.interest import InterestSnapshot, LatestWins, compute
from readlist.app.kept_model import keep_model
from readlist.app.remembered_interest import remember_scores
from readlist.app.stored_vectors import VectorStore
from readlist.core.interest import Reason, Related, utcnow
from readlist.core.model import Paper
from readlist.core.text import signal_name
from readlist.storage.library import Library

_HEADER = struct.Struct("!Q")
# How long a question to the child may take before it is answered with nothing: the child answers from memory
# in milliseconds, even while it computes, so only a child that stopped responding reaches this.
ASK_TIMEOUT = 30.0
# The child computes at a lower priority than the app: on a machine with few cores the keys come first.
CHILD_NICENESS = 10


def _send(stream: IO[bytes], message: object) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _receive(stream: IO[bytes]) -> Any:
    """The next message, or raise EOFError when the other end is gone."""
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError
    (size,) = _HEADER.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return pickle.loads(data)


class RemoteInterest:
    """One finished computation of the child, as the app reads it: safe from any thread, never changed.

    ``scores`` are held here; ``explain``, ``related`` and ``more_like`` ask the child (call them from a
    worker thread, never the UI thread) and return empty lists when the child cannot answer.
    """

    def __init__(self, owner: InterestProcess, generation: int, ready: bool, reason: str | None,
                 scores: Mapping[str, float], timings: Mapping[str, float], labels: int = 0,
                 to_go: str | None = None) -> None:
        self._owner = owner
        self.generation = generation
        self.ready = ready
        self.reason = reason
        self.to_go = to_go
        self.scores = scores
        # Seconds the child spent: "index" (vectorizing), "train", "score".
        self.timings = timings
        self.labels = labels  # how many decisions the model learned from (0 without a model)
        self.remembered = False

    def score_of(self, paper_id: str) -> float | None:
        return self.scores.get(paper_id)

    def explain(self, paper: Paper, k: int = 5) -> list[Reason]:
        if not self.ready:
            return []
        # A paper loaded from the library reads its abstract from the app's open file: send the text itself.
        plain = msgspec.structs.replace(paper, abstract=paper.abstract)
        found = self._owner.ask("explain", plain, k)
        return found if isinstance(found, list) else []

    def related(self, paper_id: str, k: int = 5) -> list[Related]:
        """Papers like this one; empty when the paper is not in the index (yet) or the child cannot answer."""
        found = self._owner.ask("related", paper_id, k)
        return found if isinstance(found, list) else []

    def more_like(self, paper_ids: Sequence[str], k: int = 5) -> list[Related]:
        found = self._owner.ask("more_like", list(paper_ids), k)
        return found if isinstance(found, list) else []


class _Child:
    """One running child process and the thread that reads what it says."""

    def __init__(self, process: subprocess.Popen[bytes], errors: IO[bytes]) -> None:
        self.process = process
        self.errors = errors  # the child's stderr, kept to say in one line why it stopped
        self.write_lock = threading.Lock()
        self.reader: threading.Thread | None = None
        self.stopped_because = "the interest process stopped"  # one line, set once it has stopped
        self.reported = False  # whether the app was told it stopped

    def send(self, message: object) -> bool:
        """False when the child is gone (its reader reports that)."""
        assert self.process.stdin is not None
        try:
            with self.write_lock:
                _send(self.process.stdin, message)
        except (OSError, ValueError):  # a broken pipe, or closed by close()
            return False
        return True

    def why_stopped(self) -> str:
        """One line: the signal that stopped the child, else the last line it wrote (a traceback's), else its status."""
        code = self.process.returncode
        if code is not None and code < 0:
            return f"the interest process was stopped ({signal_name(-code)})"
        with contextlib.suppress(OSError, ValueError):
            self.errors.seek(0)
            lines = self.errors.read().decode("utf-8", "replace").splitlines()
            last = next((" ".join(line.split()) for line in reversed(lines) if line.strip()), "")
            if last:
                return f"the interest process stopped: {last}"
        return f"the interest process stopped (exit status {code})"


class InterestProcess(LatestWins[RemoteInterest, tuple[int, datetime]]):
    """The app's side of the child process: submit after each decision, read ``snapshot``.

    ``library_path`` is the library the child reads. ``on_ready`` is called on a background thread with each
    result that is still current, ``on_error`` with an exception whose message is one line (a failed
    computation, or the child stopping); the previous result stays in place either way.
    """

    def __init__(
        self,
        library_path: str | os.PathLike[str],
        on_ready: Callable[[RemoteInterest], None] | None = None,
        *,
        on_error: Callable[[BaseException], None] | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        super().__init__("readlist-interest", on_ready, on_error)
        self.library_path = Path(library_path)
        self._clock = clock
        self._child: _Child | None = None
        self._answers: dict[int, tuple[threading.Event, list[Any]]] = {}
        self._ids = itertools.count(1)

    @property
    def pid(self) -> int | None:
        """The child's process id while one runs (for measuring it)."""
        with self._cond:
            return self._child.process.pid if self._child is not None else None

    def submit(self, papers: Iterable[Paper] = ()) -> int:
        """Ask for new scores over the library as it is on disk now; returns the generation. Never blocks.

        ``papers`` is accepted for the thread worker's interface and not read: the child reads the library.
        """
        del papers
        now = self._clock()
        return self._request(lambda generation: (generation, now))

    def ask(self, method: str, *args: Any) -> Any:
        """A question to the child about its newest result; None when there is no child or no answer."""
        with self._cond:
            child = self._child
            if child is None or self._closed:
                return None
            request = next(self._ids)
            answered = threading.Event()
            slot: list[Any] = []
            self._answers[request] = (answered, slot)
        try:
            if not child.send(("ask", request, method, args)):
                return None
            answered.wait(ASK_TIMEOUT)
            return slot[0] if slot else None
        finally:
            with self._cond:
                self._answers.pop(request, None)

    def close(self, timeout: float | None = None) -> None:
        """Stop the child at once (it only reads, so nothing is lost) and, within ``timeout``, reap it."""
        with self._cond:
            self._closed = True
            self._pending = None
            child, self._child = self._child, None
            self._answer_all()
            self._cond.notify_all()
            sender = self._thread
        if child is not None:
            self._stop(child)
            if child.reader is not None and child.reader is not threading.current_thread():
                child.reader.join(timeout)
        if sender is not None and sender is not threading.current_thread():
            sender.join(timeout)

    # -- the parent's threads -------------------------------------------------------------

    def _run(self) -> None:
        """Hands the newest request to the child, starting one when there is none (so ``submit`` never waits)."""
        while (pending := self._next_pending()) is not None:
            generation, now = pending
            with self._cond:
                child = self._child
            if child is None:
                try:
                    child = self._start()
                except OSError as exc:
                    self._fail(generation, RuntimeError(f"the interest process could not start: {exc}"))
                    continue
                child.reader = threading.Thread(target=self._read_loop, args=(child,),
                                                name="readlist-interest-read", daemon=True)
                child.reader.start()
                with self._cond:
                    closed = self._closed
                    if not closed:
                        self._child = child
                if closed:
                    # Stopped and reaped outside the lock: the reader takes it when the child's output ends.
                    self._stop(child)
                    child.reader.join()  # reaped before close(), which joins this thread, returns
                    return
            if not child.send(("train", generation, now)):
                self._lost(child, generation)

    def _lost(self, child: _Child, generation: int) -> None:
        """The request could not be written: the child is gone. Say so, unless its reader already has."""
        assert child.reader is not None
        child.reader.join()
        with self._cond:
            if self._child is child:
                self._child = None
            tell = not child.reported and not self._closed and self._finished < generation
        if tell:
            self._fail(generation, RuntimeError(child.stopped_because))

    def _start(self) -> _Child:
        package_root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH", "")) if p)
        errors = tempfile.TemporaryFile()
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "readlist.app.interest_process", str(self.library_path)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors, env=env,
                # Its own session: the terminal's Ctrl+C and hang-up go to the app, which closes the child.
                start_new_session=True, close_fds=True,
            )
        except BaseException:
            errors.close()
            raise
        return _Child(process, errors)

    def _stop(self, child: _Child) -> None:
        with contextlib.suppress(OSError, ValueError):
            assert child.process.stdin is not None
            child.process.stdin.close()
        if child.process.poll() is None:
            with contextlib.suppress(OSError):
                child.process.terminate()  # its reader reaps it

    def _read_loop(self, child: _Child) -> None:
        assert child.process.stdout is not None
        try:
            while True:
                try:
                    message = _receive(child.process.stdout)
                except (EOFError, OSError, pickle.UnpicklingError, ValueError):
                    break
                self._handle(child, message)
        finally:
            self._stop(child)  # output that cannot be read means the child is no use, even if it still runs
            child.process.wait()
            child.stopped_because = child.why_stopped()
            child.errors.close()
            self._stopped(child)
            with contextlib.suppress(OSError):
                child.process.stdout.close()

    def _handle(self, child: _Child, message: Any) -> None:
        kind = message[0]
        if kind == "answer":
            _, request, value = message
            with self._cond:
                waiting = self._answers.get(request)
            if waiting is not None:
                waiting[1].append(value)
                waiting[0].set()
        elif kind == "result":
            _, generation, ready, reason, scores, timings, labels, to_go = message
            result = RemoteInterest(self, generation, ready, reason, scores, timings, labels, to_go)
            self._publish(generation, result, wanted=lambda: self._child is child)
        elif kind == "dropped":
            with self._cond:
                self.dropped += 1
                self._finished = max(self._finished, message[1])
                self._cond.notify_all()
        elif kind == "failed":
            _, generation, text = message
            self._fail(generation, RuntimeError(text))

    def _stopped(self, child: _Child) -> None:
        """The child's output ended: if nobody asked it to stop, say why and let the next request start another."""
        with self._cond:
            unexpected = self._child is child and not self._closed
            if self._child is child:
                self._child = None
            self._answer_all()
            if not unexpected:
                self._cond.notify_all()
                return
            child.reported = True
            error = RuntimeError(child.stopped_because)
            self.error = error
            self._finished = self._latest  # nothing under way will be answered
            self._cond.notify_all()
        if self._on_error is not None:
            self._on_error(error)

    def _answer_all(self) -> None:
        """Wake every question waiting for a child that is gone (caller holds the condition)."""
        for answered, _slot in self._answers.values():
            answered.set()


# -- the child ------------------------------------------------------------------------------


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


class _Server:
    """The child's side: one thread computes, the main thread reads requests and answers questions."""

    def __init__(self, library_path: str, out: IO[bytes]) -> None:
        self.library_path = library_path
        self.out = out
        self.write_lock = threading.Lock()
        self.cond = threading.Condition()
        self.pending: tuple[int, datetime] | None = None
        self.newest: InterestSnapshot | None = None  # the newest result computed, current or not
        self.library: Library | None = None
        self.store = VectorStore(Path(library_path))

    def send(self, message: object) -> None:
        with self.write_lock:
            _send(self.out, message)

    def serve(self, stream: IO[bytes]) -> None:
        threading.Thread(target=self._compute_loop, name="interest-compute", daemon=True).start()
        while True:
            try:
                message = _receive(stream)
            except (EOFError, OSError):
                return
            if message[0] == "train":
                with self.cond:
                    self.pending = (message[1], message[2])
                    self.cond.notify_all()
            elif message[0] == "ask":
                _, request, method, args = message
                self.send(("answer", request, self._answer(method, args)))

    def _answer(self, method: str, args: Sequence[Any]) -> list[Any]:
        snapshot = self.newest  # the newest result, whichever generation the question came from
        if snapshot is None:
            return []
        try:
            if method == "explain":
                return list(snapshot.explain(*args))
            if method == "related":
                return list(snapshot.related(*args))
            if method == "more_like":
                return list(snapshot.more_like(*args))
        except Exception:  # a question about one paper must never stop the child
            return []
        return []

    def _compute_loop(self) -> None:
        while True:
            with self.cond:
                self.cond.wait_for(lambda: self.pending is not None)
                assert self.pending is not None
                generation, now = self.pending
                self.pending = None
            try:
                self._compute_one(generation, now)
            except OSError:  # the app is gone: nobody reads the pipe any more
                os._exit(0)

    def _compute_one(self, generation: int, now: datetime) -> None:
        try:
            if self.library is None:
                # tidy=False: only look; never convert the file, move a journal aside or take the lock.
                self.library = Library(self.library_path, tidy=False)
            else:
                self.library.refresh()  # every change the app made is in the journal before it asked
            papers = list(self.library.papers.values())
            read = self.library.read_state  # exactly the papers this result is learned from
            result = compute(self.newest, papers, now, generation, store=self.store)
        except Exception as exc:  # reported to the app in one line; the child carries on
            self.send(("failed", generation, _one_line(exc)))
            return
        self.newest = result
        with self.cond:
            newer = self.pending is not None
        if newer:  # the app asked again meanwhile: only the newest result is sent over
            self.send(("dropped", generation))
        else:
            labels = result.model.labels if result.model is not None else 0
            self.send(("result", generation, result.ready, result.reason, dict(result.scores),
                       dict(result.timings), labels, result.to_go))
        # For the next start and the next command, after the app has what it waits for.
        library = Path(self.library_path)
        remember_scores(library, result.scores if result.ready else None, read=read, trained=now.timestamp())
        if result.model is not None:
            keep_model(library, result.model, read=read, trained=now.timestamp())
        # A file that only saves the next start work must never stop the child, whatever goes wrong with it.
        with contextlib.suppress(Exception):
            self.store.keep(result.vectors, papers)


def main(argv: Sequence[str] | None = None) -> None:
    """The child: serve requests on stdin until it ends, then exit at once."""
    args = list(sys.argv[1:] if argv is None else argv)
    with contextlib.suppress(OSError):
        os.nice(CHILD_NICENESS)
    # The pipe to the app is a private copy of stdout; anything printed goes to stderr instead.
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    server = _Server(args[0], out)
    try:
        server.serve(sys.stdin.buffer)
    except (BrokenPipeError, ConnectionError):
        pass
    # Do not wait for a computation under way: nobody will read it.
    os._exit(0)


if __name__ == "__main__":
    main()
