"""Kill -9 a writer at random moments and check that no acknowledged change is ever lost.

Each run starts a writer in a new process group. The writer changes ratings,
statuses, tags and notes and imports the seed pages, through the command line
(a `readlist` subprocess per change, or the click command called in-process)
or through the store API (one long-lived Library, as the terminal UI holds).
Before each change it prints an INTENT line and after the change returns (so
after it is durable) an ACK line. At a random moment the whole process group
gets SIGKILL. Then the library is opened afresh and checked:

* it must open (an unreadable library is a failure);
* every paper's status, rating, tags and note must equal what the acknowledged
  changes give, or that plus the one change in flight when the kill came;
* papers of every acknowledged import must be there.

Libraries are reused for several runs, so the leftovers of one crash (a torn
journal line, a stale journal, temp files) meet the next writer.

    python bench/crash_test.py --runs 200
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from readlist.app.commands import AppendNote, EditTags, Rate, SetStatus
from readlist.app.imports import ImportPapers
from readlist.app.notes import SaveNote

REPO = Path(__file__).resolve().parent.parent
SEEDS = sorted((REPO / "tests" / "fixtures" / "seeds").glob("*.txt"))
SEED_TODAY = date(2025, 12, 20)
RUNS_PER_LIBRARY = 10
USER_FIELDS = ("status", "rating", "tags", "note")
STATUSES = ("inbox", "to-read", "reading", "read", "skipped")

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


# ---------------------------------------------------------------------------
# the writer (runs in the child process)


def _say(kind: str, action: dict[str, Any]) -> None:
    sys.stdout.write(kind + " " + json.dumps(action, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _cli_args(action: dict[str, Any]) -> list[str]:
    kind, pid = action["kind"], str(action.get("id"))
    if kind == "rate":
        return ["rate", pid, str(action["value"])]
    if kind == "status":
        return ["mark", pid, action["value"]]
    if kind == "note":
        return ["note", pid, action["value"]]
    if kind == "append":
        return ["note", pid, "--append", action["value"]]
    if kind == "tag":
        return ["tag", pid, "+" + action["value"]]
    if kind == "import":
        return ["import", str(SEEDS[action["seed"]])]
    raise ValueError(kind)


def writer(db: Path, mode: str, seed: int, count: int, big: bool) -> None:
    import readlist.storage.library
    from readlist.storage.library import Library

    rng = random.Random(seed)
    if big:
        # Behave as with a library too big to rewrite after every command: changes stay in the journal.
        readlist.storage.library.SMALL_SNAPSHOT = 0
    lib = Library(db)
    ids = sorted(lib.papers)
    cli_main: Any = None
    if mode in ("cli", "mixed"):
        from readlist.cli import main

        cli_main = main
    for n in range(count):
        if not ids or rng.random() < 0.08:
            action: dict[str, Any] = {"kind": "import", "seed": rng.randrange(len(SEEDS))}
        else:
            kind = rng.choice(["rate", "status", "note", "append", "tag"])
            pid = rng.choice(ids[:40])
            value: Any
            if kind == "rate":
                value = rng.randint(0, 5)
            elif kind == "status":
                value = rng.choice(STATUSES)
            elif kind in ("note", "append"):
                value = f"{kind} {seed}-{n} ✓ «{rng.random():.6f}»" + ("\nsecond line" if rng.random() < 0.5 else "")
            else:
                value = f"t{rng.randrange(30)}"
            action = {"kind": kind, "id": pid, "value": value}
        how = mode if mode != "mixed" else rng.choice(["cli", "cli-proc", "api"])
        action["via"] = how
        _say("INTENT", action)
        if how == "api":
            lib.refresh()
            _apply_api(lib, action)
            if rng.random() < 0.1:
                lib.compact()
        elif how == "cli":
            assert cli_main is not None
            try:
                cli_main(["--db", str(db), *_cli_args(action)], standalone_mode=False)
            except SystemExit as exc:
                if exc.code:
                    raise
        else:
            subprocess.run(
                [sys.executable, "-m", "readlist", "--db", str(db), *_cli_args(action)],
                check=True, stdout=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(REPO)},
            )
        _say("ACK", action)
        if action["kind"] == "import":
            lib.refresh()
            ids = sorted(lib.papers)


def _apply_api(lib: Any, action: dict[str, Any]) -> None:
    from readlist.importers import parse_input

    kind, pid = action["kind"], action.get("id")
    if kind == "rate":
        Rate([pid], action["value"]).execute(lib)
    elif kind == "status":
        SetStatus([pid], action["value"]).execute(lib)
    elif kind == "note":
        SaveNote(pid, action["value"]).execute(lib)
    elif kind == "append":
        AppendNote(pid, action["value"]).execute(lib)
    elif kind == "tag":
        EditTags([pid], add=[action["value"]]).execute(lib)
    elif kind == "import":
        seed = SEEDS[action["seed"]]
        ImportPapers(parse_input(seed.read_bytes(), source=seed.name, today=SEED_TODAY).papers, seed.name).execute(lib)


# ---------------------------------------------------------------------------
# the checker (runs in this process)


_SEED_IDS: dict[int, set[str]] = {}


def seed_ids(index: int) -> set[str]:
    if index not in _SEED_IDS:
        from readlist.importers import parse_input

        seed = SEEDS[index]
        _SEED_IDS[index] = {p.id for p in parse_input(seed.read_bytes(), source=seed.name, today=SEED_TODAY).papers}
    return _SEED_IDS[index]


def _after(state: dict[str, Any], action: dict[str, Any]) -> dict[str, Any]:
    """A paper's user fields after an action, as the store defines it."""
    state = dict(state)
    kind, value = action["kind"], action.get("value")
    if kind == "rate":
        state["rating"] = value
    elif kind == "status":
        state["status"] = value
    elif kind == "note":
        state["note"] = value
    elif kind == "append":
        note = state["note"]
        state["note"] = value if not note.strip() else (note.rstrip() + "\n\n" + value).strip() + "\n"
    elif kind == "tag":
        state["tags"] = sorted(set(state["tags"]) | {value})
    return state


def _fields(paper: Any) -> dict[str, Any]:
    return {name: getattr(paper, name) for name in USER_FIELDS}


@dataclass
class RunResult:
    run: int
    mode: str
    acks: int
    killed: bool
    unreadable: str | None = None
    lost: list[str] = field(default_factory=list)
    writer_error: str | None = None


def check(db: Path, baseline: dict[str, dict[str, Any]], events: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """What differs between the library on disk and the acknowledged changes."""
    from readlist.storage.library import Library

    on_disk = {pid: _fields(p) for pid, p in Library(db).papers.items()}
    expected = {pid: dict(f) for pid, f in baseline.items()}
    imported: set[str] = set()
    in_flight: dict[str, Any] | None = None
    for kind, action in events:
        if kind == "INTENT":
            in_flight = action
            continue
        in_flight = None
        if action["kind"] == "import":
            for pid in seed_ids(action["seed"]):
                expected.setdefault(pid, {"status": "inbox", "rating": 0, "tags": [], "note": ""})
                imported.add(pid)
        elif action["id"] in expected:
            expected[action["id"]] = _after(expected[action["id"]], action)
    problems = []
    maybe_new = seed_ids(in_flight["seed"]) if in_flight and in_flight["kind"] == "import" else set()
    for pid, want in expected.items():
        got = on_disk.get(pid)
        if got is None:
            problems.append(f"{pid}: missing" + (" (acknowledged import)" if pid in imported else ""))
            continue
        ok = got == want
        if not ok and in_flight and in_flight.get("id") == pid:
            ok = got == _after(want, in_flight)
        if not ok:
            diff = {k: (want[k], got[k]) for k in USER_FIELDS if want[k] != got[k]}
            problems.append(f"{pid}: expected/got {diff}")
    for pid in on_disk.keys() - expected.keys():
        if pid not in maybe_new:
            problems.append(f"{pid}: appeared from nowhere")
    return problems


def one_run(run: int, db: Path, rng: random.Random, actions: int) -> tuple[RunResult, dict[str, dict[str, Any]]]:
    from readlist.storage.errors import LibraryError
    from readlist.storage.library import Library

    baseline = {pid: _fields(p) for pid, p in Library(db).papers.items()}
    mode = rng.choices(["api", "cli", "cli-proc", "mixed"], weights=[35, 30, 15, 20])[0]
    count = actions if mode in ("api", "cli") else max(3, actions // 6)
    big = rng.random() < 0.5
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--writer", str(db), "--mode", mode,
         "--seed", str(rng.randrange(1 << 30)), "--count", str(count), *(["--big"] if big else [])],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    # Kill after a random number of acknowledgements plus a random delay, or at a random time.
    target_acks = rng.randint(0, count)
    delay = rng.choice([0.0, rng.uniform(0, 0.005), rng.uniform(0, 0.05), rng.uniform(0, 0.3)])
    deadline = time.monotonic() + rng.uniform(0.3, 3.0) if rng.random() < 0.25 else None
    events: list[tuple[str, dict[str, Any]]] = []
    lines: list[bytes] = []
    done = threading.Event()

    def read() -> None:
        assert proc.stdout is not None
        for raw in proc.stdout:
            lines.append(raw)
        done.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    killed = False
    while not done.is_set():
        acks = sum(1 for line in lines if line.startswith(b"ACK {"))
        if (deadline is not None and time.monotonic() >= deadline) or (deadline is None and acks >= target_acks):
            if deadline is None:
                time.sleep(delay)
            with _suppress_missing():
                os.killpg(proc.pid, signal.SIGKILL)
            killed = True
            break
        done.wait(0.001)
    reader.join(30)
    proc.wait(30)
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    for raw in lines:
        if not raw.endswith(b"\n") or not raw.startswith((b"INTENT {", b"ACK {")):
            continue  # cut by the kill (not a complete acknowledgement), or a command's own output
        kind, _, body = raw.decode().partition(" ")
        events.append((kind, json.loads(body)))
    result = RunResult(run, mode + ("/big" if big else ""), sum(1 for k, _ in events if k == "ACK"), killed)
    if proc.returncode not in (0, -signal.SIGKILL):
        result.writer_error = stderr.strip().splitlines()[-1] if stderr.strip() else f"exit {proc.returncode}"
    try:
        result.lost = check(db, baseline, events)
    except LibraryError as exc:
        result.unreadable = str(exc)
        return result, baseline
    new_baseline = {pid: _fields(p) for pid, p in Library(db).papers.items()}
    journal = db.with_name(db.name + ".journal")
    if journal.exists() and rng.random() < 0.2:
        # What a power cut in the middle of an append can leave (kill -9 cannot tear a write):
        # the start of a change that was never acknowledged. The next writer must cope.
        line = json.dumps({"ops": [{"set": next(iter(new_baseline), "x"), "f": {"rating": 5}}]}).encode()
        with journal.open("ab") as handle:
            handle.write(line[: rng.randrange(1, len(line))])
    return result, new_baseline


class _suppress_missing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, exc: object, tb: object) -> bool:
        return isinstance(exc, ProcessLookupError)


def lane(lane_no: int, runs: list[int], workdir: Path, seed: int, actions: int, log: Any) -> list[RunResult]:
    rng = random.Random(seed * 1000 + lane_no)
    results = []
    db = workdir / f"lane{lane_no}-0" / "library.json"
    for i, run in enumerate(runs):
        if i % RUNS_PER_LIBRARY == 0:
            db = workdir / f"lane{lane_no}-{i}" / "library.json"
            db.parent.mkdir(parents=True, exist_ok=True)
        result, _ = one_run(run, db, rng, actions)
        results.append(result)
        bad = result.unreadable or result.lost or result.writer_error
        status = "FAIL" if bad else "ok"
        log(f"run {run:4d} {result.mode:8s} acks={result.acks:3d} killed={'yes' if result.killed else 'no '} {status}"
            + (f"  {result.unreadable or result.writer_error or result.lost[:3]}" if bad else ""))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=4, help="libraries tested in parallel")
    parser.add_argument("--actions", type=int, default=30, help="changes per writer before it stops on its own")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the libraries for inspection")
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument("--writer", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--mode", help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--big", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.writer is not None:
        writer(args.writer, args.mode, args.seed, args.count, args.big)
        return 0
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    workdir = Path(tempfile.mkdtemp(prefix="readlist-crash-"))
    lock = threading.Lock()

    def log(message: str) -> None:
        if not args.quiet:
            with lock:
                print(message, flush=True)

    print(f"crash test: {args.runs} runs, seed {seed}, {args.jobs} parallel libraries in {workdir}", flush=True)
    jobs = max(1, min(args.jobs, args.runs))
    plan = [list(range(i, args.runs, jobs)) for i in range(jobs)]
    started = time.monotonic()
    with ThreadPoolExecutor(jobs) as pool:
        futures = [pool.submit(lane, n, runs, workdir, seed, args.actions, log) for n, runs in enumerate(plan)]
        results = sorted((r for f in futures for r in f.result()), key=lambda r: r.run)
    unreadable = [r for r in results if r.unreadable]
    lost = [r for r in results if r.lost]
    errors = [r for r in results if r.writer_error]
    clean = len(results) - len({r.run for r in unreadable + lost + errors})
    acks = sum(r.acks for r in results)
    killed = sum(r.killed for r in results)
    by_mode: dict[str, int] = {}
    for r in results:
        mode = r.mode.split("/")[0]
        by_mode[mode] = by_mode.get(mode, 0) + 1
    print(
        f"{clean}/{len(results)} clean: {len(unreadable)} unreadable libraries, {len(lost)} runs with lost "
        f"acknowledged changes, {len(errors)} writer errors; {acks} acknowledged changes checked, "
        f"{killed} writers killed mid-run; modes {by_mode}; seed {seed}; {time.monotonic() - started:.0f}s"
    )
    for r in unreadable + lost + errors:
        print(f"  run {r.run}: {r.unreadable or r.writer_error or '; '.join(r.lost[:5])}")
    if not args.keep and clean == len(results):
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print(f"libraries kept in {workdir}")
    return 0 if clean == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
