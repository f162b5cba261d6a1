"""How long a ``readlist sync`` takes that only takes the remote's changes (a fast-forward).

Two machines (two folders) share a bare repository: the library is copied to the first, sent with ``sync
init``, and taken by the second. Then, ``--runs`` times, the first rates a paper and syncs (sends), and the
second's sync, which fast-forwards, is timed in this process. Prints the times and the load average.

    python bench/sync_fast_forward.py /tmp/readlist-bench/library-100000.json --work /tmp/sync-ff

The library file is copied, never changed; ``--work`` is emptied first.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("library", type=Path)
    parser.add_argument("--work", type=Path, default=Path("/tmp/readlist-sync-ff"))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True)
    os.environ.update({"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.org",
                       "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.org",
                       "HOME": str(args.work)})  # no user's git settings
    from readlist.app.commands import Rate
    from readlist.app.sync import init, sync
    from readlist.storage.library import Library

    remote = args.work / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    for name in ("first", "second"):
        (args.work / name).mkdir()
    shutil.copy(args.library, args.work / "first" / "library.json")
    first = Library(args.work / "first" / "library.json")
    init(first, str(remote))
    second = Library(args.work / "second" / "library.json")
    init(second, str(remote))
    ids = sorted(first.papers)
    times = []
    for run in range(args.runs):
        Rate([ids[run]], run % 5 + 1).execute(first)
        sync(first)
        start = time.perf_counter()
        sync(second)
        times.append(time.perf_counter() - start)
    print(f"fast-forwarding sync, {len(ids)} papers: " + ", ".join(f"{t:.1f} s" for t in times)
          + f"  (load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
