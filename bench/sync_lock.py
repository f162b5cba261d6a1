"""How long a merging ``readlist sync`` keeps other readlist processes out of the library.

Two machines (two folders) share a bare repository: the library is copied to the first, sent with ``sync
init``, and taken by the second. Each then tags a different paper, the first syncs (sends), and the
second's ``readlist sync`` has to merge. While it runs, another process tries the library's lock every
50 ms (as a change from the app or a command would take it) and records every stretch in which it could
not have it. Prints the sync's wall time, the longest stretch, their total and the load average.

    python bench/sync_lock.py /tmp/readlist-bench/library-100000.json --work /tmp/sync-bench

The library file is copied, never changed; ``--work`` is emptied first.

``--stop-after SECONDS`` measures quitting the app during that merge instead: the merging sync runs in this
process with a stop event, as the app's does, which is set SECONDS after the merge began (as the app sets it when
it closes); printed is how long the sync took to return after that, then a plain ``readlist sync`` merges for
real.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PROBE = r"""
import json, sys, time
from pathlib import Path
from filelock import FileLock, Timeout
lock = FileLock(sys.argv[1], timeout=0)
stop = Path(sys.argv[2])
held, since = [], None
print("ready", flush=True)
while not stop.exists():
    now = time.monotonic()
    try:
        with lock:
            pass
        if since is not None:
            held.append((since, now))
            since = None
    except Timeout:
        if since is None:
            since = now
    time.sleep(0.05)
if since is not None:
    held.append((since, time.monotonic()))
print(json.dumps(held))
"""


def readlist(db: Path, *args: str) -> float:
    """Run one readlist command on ``db``; its wall time in seconds."""
    began = time.monotonic()
    subprocess.run([sys.executable, "-m", "readlist", "--db", str(db), *args], check=True,
                   stdout=subprocess.DEVNULL)
    return time.monotonic() - began


def first_ids(library: Path, count: int) -> list[str]:
    """The ids of the first papers in the file (one paper per line, after the header)."""
    ids: list[str] = []
    with library.open("rb") as handle:
        for line in handle:
            if line.startswith(b'"') and b'":{' in line:
                ids.append(line.split(b'"', 2)[1].decode())
                if len(ids) == count:
                    break
    return ids


def stopped_merge(library: Path, after: float) -> dict[str, float]:
    """The merging sync in this process, asked to stop ``after`` seconds in, as the app's is when it closes."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import readlist.app.sync as sync_module
    from readlist.app.sync import SyncError, sync
    from readlist.storage.library import Library

    stop, merging_now = threading.Event(), threading.Event()
    outcome: list[str] = []
    merge = sync_module._merge

    def noted_merge(*args: object, **kwargs: object) -> object:
        merging_now.set()
        return merge(*args, **kwargs)  # type: ignore[arg-type]

    sync_module._merge = noted_merge  # type: ignore[assignment]

    def run() -> None:
        try:
            sync(Library(library), stop=stop)
            outcome.append("finished")
        except SyncError as exc:
            outcome.append(str(exc))

    worker = threading.Thread(target=run)
    began = time.monotonic()
    worker.start()
    while worker.is_alive() and not merging_now.is_set():
        worker.join(0.05)
    merging = time.monotonic()
    worker.join(after)
    asked = time.monotonic()
    stop.set()
    worker.join()
    ended = time.monotonic()
    print("the stopped sync said:", outcome[0] if outcome else "nothing")
    return {"sync, merge began at": merging - began, "sync, stop asked at": asked - began,
            "sync, returned after the stop": ended - asked}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("library", type=Path)
    parser.add_argument("--work", type=Path, default=None, help="folder for the repositories (emptied first)")
    parser.add_argument("--stop-after", type=float, default=None,
                        help="stop the merging sync this many seconds after it began, as the app does when it closes")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="readlist-sync-bench-"))
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    env_home = work / "git-home"
    env_home.mkdir()
    (env_home / "gitconfig").write_text("[user]\n\tname = bench\n\temail = bench@example.org\n")
    os.environ.update(GIT_CONFIG_GLOBAL=str(env_home / "gitconfig"), GIT_CONFIG_NOSYSTEM="1")
    remote = work / "remote.git"
    subprocess.run(["git", "init", "--quiet", "--bare", "--initial-branch=main", str(remote)], check=True)
    laptop, workstation = work / "laptop" / "library.json", work / "workstation" / "library.json"
    laptop.parent.mkdir()
    workstation.parent.mkdir()
    shutil.copyfile(args.library, laptop)
    os.chmod(laptop, 0o600)
    first, second = first_ids(laptop, 2)
    times = {"init, sending": readlist(laptop, "sync", "init", str(remote)),
             "init, taking": readlist(workstation, "sync", "init", str(remote))}
    # Tags no generated paper has: a rating could be the one the paper already had, and then there is nothing
    # to merge (the second sync would only take the first's commit).
    readlist(laptop, "tag", first, "+sync-bench-laptop")
    times["sync, sending"] = readlist(laptop, "sync")
    readlist(workstation, "tag", second, "+sync-bench-workstation")
    if args.stop_after is not None:
        times.update(stopped_merge(workstation, args.stop_after))
        times["sync, merging after the stop"] = readlist(workstation, "sync")
        print(json.dumps({"seconds": {name: round(value, 2) for name, value in times.items()},
                          "load average": [round(x, 2) for x in os.getloadavg()]}, indent=1))
        both_kept(workstation, first, second)
        return
    stop = work / "stop-probe"
    probe = subprocess.Popen([sys.executable, "-c", PROBE, str(workstation) + ".lock", str(stop)],
                             stdout=subprocess.PIPE, text=True)
    assert probe.stdout is not None and probe.stdout.readline().strip() == "ready"
    time.sleep(0.2)
    began = time.monotonic()
    times["sync, merging"] = readlist(workstation, "sync")
    ended = time.monotonic()
    stop.touch()
    out, _ = probe.communicate()
    stretches = [(a, b) for a, b in json.loads(out) if b > began - 0.1]
    load = os.getloadavg()
    result = {
        "papers": sum(1 for _ in workstation.open("rb")) - 3,
        "seconds": {name: round(value, 2) for name, value in times.items()},
        "lock held, longest": round(max((b - a for a, b in stretches), default=0.0), 2),
        "lock held, total": round(sum(b - a for a, b in stretches), 2),
        "lock held, stretches": [(round(a - began, 2), round(b - a, 2)) for a, b in stretches],
        "sync ended at": round(ended - began, 2),
        "load average": [round(x, 2) for x in load],
    }
    print(json.dumps(result, indent=1))
    both_kept(workstation, first, second)


def both_kept(workstation: Path, first: str, second: str) -> None:
    tags = [json.loads(subprocess.run([sys.executable, "-m", "readlist", "--db", str(workstation), "show", pid,
                                       "--json"], check=True, capture_output=True, text=True).stdout)["tags"]
            for pid in (first, second)]
    print("both changes kept:", "sync-bench-laptop" in tags[0] and "sync-bench-workstation" in tags[1])


if __name__ == "__main__":
    main()
