"""The terminal UI and CLI commands on the same library at once: nothing lost, and the UI shows the CLI's work."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest
from tui_helpers import open_app

from readlist.app.imports import ImportPapers
from readlist.importers import parse_input
from readlist.storage.library import Library
from tests.conftest import SEED_TODAY, SEEDS

pytest.importorskip("textual")
app_module = pytest.importorskip("readlist.tui.app")

REPO = Path(__file__).resolve().parents[2]
ROUNDS = 3
PAPERS = 6

# CLI commands, in-process to keep the test quick, each opening the library afresh and compacting after.
# The worker runs one round per line it reads, so that each round lands while the UI is busy with its own.
CLI_WORKER = r"""
import sys
from readlist.cli import main
db, ids = sys.argv[1], sys.argv[2].split(",")
def cli(*args):
    try:
        main(["--db", db, *args], standalone_mode=False)
    except SystemExit as exc:
        assert not exc.code, exc.code
print("ready", flush=True)
for line in sys.stdin:
    what, r = line.split()
    for i, pid in enumerate(ids):
        if what == "round":
            cli("tag", pid, f"+cli-{r}")
            cli("note", pid, "--append", f"cli {r}-{i}")
        else:
            cli("tag", pid, f"+late-{r}")
    print(what, r, flush=True)
"""


def _library(path: Path) -> list[str]:
    lib = Library(path)
    papers = parse_input(SEEDS[0].read_bytes(), source=SEEDS[0].name, today=SEED_TODAY).papers[: PAPERS + 2]
    for index, paper in enumerate(papers):
        paper.added = paper.updated = f"2025-12-{10 + index:02d}T09:00:00+00:00"
    ImportPapers(papers, SEEDS[0].name).execute(lib)
    lib.compact(force=True)
    return [p.id for p in papers]


async def test_tui_keys_and_cli_commands_on_the_same_papers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from readlist.tui.screens.main import MainScreen
    from readlist.tui.widgets.paper_list import PaperList

    monkeypatch.setenv("READLIST_CONFIG", str(tmp_path / "config.toml"))
    db = tmp_path / "library.json"
    _library(db)
    # First the worst case for the UI: the CLI's changes land within a poll interval of the UI's own edits
    # (no poll at all here), so the UI acts on what it last saw. Then, below, a second run with polling on.
    monkeypatch.setattr(app_module, "POLL_SECONDS", 3600.0)
    app = open_app(db)
    async with app.run_test(size=(160, 48)) as pilot:
        plist = app.screen.query_one(PaperList)
        shown = [p.id for p in plist.papers]
        targets = shown[:PAPERS]
        worker = subprocess.Popen(
            [sys.executable, "-c", CLI_WORKER, str(db), ",".join(targets)],
            cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        assert worker.stdin is not None and worker.stdout is not None
        out = worker.stdout

        async def wait_for(wanted: str) -> None:
            """Skip the commands' own output up to the worker's line ``wanted``."""
            while True:
                line = await asyncio.to_thread(out.readline)
                assert line, "the CLI worker stopped"
                if line.strip() == wanted:
                    return

        await wait_for("ready")
        rated: dict[str, int] = {}
        for round_no in range(ROUNDS):
            worker.stdin.write(f"round {round_no}\n")
            worker.stdin.flush()
            for row, pid in enumerate(targets):
                assert plist.current is not None
                assert plist.current.id == pid, (round_no, row)
                rating = (round_no + row) % 5 + 1
                await pilot.press(str(rating))
                rated[pid] = rating
                await pilot.press("j")
                await pilot.pause(0.02)
            # Once the round is done the CLI tags the papers once more, after the UI's last change; then the UI
            # tags them all at once: the bulk edit must add to the tags on disk, not to those the UI last saw.
            await wait_for(f"round {round_no}")
            worker.stdin.write(f"late {round_no}\n")
            worker.stdin.flush()
            await wait_for(f"late {round_no}")
            await pilot.press("g", *["space"] * len(targets), "t", *f"tui-{round_no}", "enter")
            await pilot.pause(0.05)
            assert isinstance(app.screen, MainScreen)
            await pilot.press("escape", "g")  # the selection stays after a bulk edit until Esc; back to the top
        worker.stdin.close()
        await asyncio.to_thread(worker.wait, 120)
        err = worker.stderr.read() if worker.stderr else ""
        assert worker.returncode == 0, err[-3000:]

    disk = Library(db).papers
    lost = []
    for pid in targets:
        paper = disk[pid]
        if paper.rating != rated[pid]:
            lost.append(f"{pid} rating {paper.rating} != {rated[pid]}")
        for r in range(ROUNDS):
            for tag in (f"cli-{r}", f"late-{r}", f"tui-{r}"):
                if tag not in paper.tags:
                    lost.append(f"{pid} tag {tag}")
            i = targets.index(pid)
            if f"cli {r}-{i}" not in paper.note:
                lost.append(f"{pid} note cli {r}-{i}")
    assert lost == []

    # With polling on, a CLI change shows up in the UI by itself: a skipped paper leaves the Inbox.
    monkeypatch.setattr(app_module, "POLL_SECONDS", 1.0)
    app = open_app(db)
    async with app.run_test(size=(160, 48)) as pilot:
        plist = app.screen.query_one(PaperList)
        gone, tagged = targets[1], targets[2]
        assert gone in [p.id for p in plist.papers]
        for args in (["mark", gone, "skipped"], ["tag", tagged, "+late"]):
            done = subprocess.run([sys.executable, "-m", "readlist", "--db", str(db), *args],
                                  cwd=REPO, capture_output=True, text=True, timeout=60, check=False)
            assert done.returncode == 0, done.stderr
        for _ in range(50):
            await pilot.pause(0.1)
            if gone not in [p.id for p in plist.papers]:
                break
        listed = {p.id: p for p in plist.papers}
        assert gone not in listed, "the UI did not notice a status change made by a CLI command"
        assert "late" in listed[tagged].tags, "the UI shows stale tags"
    assert Library(db).papers[gone].status == "skipped"
