#!/usr/bin/env python3
"""Every other action of the terminal UI on a large library, timed in-process with Textual's Pilot.

Usage: ``bench/actions.py [--papers 100000] [--out DIR] [--only views,sort,...] [--repeat 3]``

``bench/run`` times start-up, search keystrokes and triage keys in a real terminal; this times the rest, as a
person feels them: the time from a key reaching the app to the last frame drawn because of it (the screen has
settled: Pilot waits until nothing is left to do). The library is ``bench/generate.py``'s, with 300 more tags
(100 papers each) and three saved searches, two of them with words; bulk actions work on 5,000 selected papers.
Pilot's own waiting is not counted (a key that draws nothing reads 0 ms). The app runs headless at 160×48:
its frames are composed as in a terminal, only not written to one. No interest model is trained before the
``interest`` group, which trains it first.

Groups: views, sort, nav, detail, help, stats, triage, outside, tags, bulk, delete, resize, interest, save.
``triage`` times Esc back from triage mode after one decision, and from the note editor after a note;
``outside`` a change another process makes
(``readlist tag ID x`` run while the app is open), from the app's next look at the library to the last frame.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import os
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from textual.pilot import Pilot  # noqa: E402
from textual.screen import Screen  # noqa: E402
from textual.widgets import Input  # noqa: E402

from readlist.app.commands import EditTags  # noqa: E402
from readlist.app.session import Session  # noqa: E402
from readlist.config.settings import load_config  # noqa: E402
from readlist.storage.library import Library  # noqa: E402
from readlist.tui import app as app_module  # noqa: E402
from readlist.tui.app import ReadlistApp, create_app  # noqa: E402
from readlist.tui.screens.main import MainScreen  # noqa: E402

GROUPS = ("views", "sort", "nav", "detail", "help", "stats", "triage", "outside", "tags", "bulk", "delete", "resize",
          "interest", "save")
SELECTED = 5000
EXTRA_TAGS = 300
SAVED = {"inbox agents": "status:inbox agents", "reasoning": "reasoning", "rl": "tag:rl"}

# Frames drawn (the end of each screen refresh), for the timer to stop at the last one a key caused.
FRAMES: list[float] = []
_refresh = Screen._compositor_refresh


def _recorded(self: Screen[Any]) -> None:
    _refresh(self)
    FRAMES.append(time.perf_counter())


Screen._compositor_refresh = _recorded  # type: ignore[method-assign]
Input._toggle_cursor = lambda self: None  # type: ignore[method-assign]  # a blinking cursor draws frames too

Step = str | Callable[[], object]


def library(papers: int, out: Path) -> Path:
    """The generated library of ``papers``, with EXTRA_TAGS more tags (made once)."""
    tagged = out / f"tagged-{papers}.json"
    if tagged.exists():
        return tagged
    source = out / f"library-{papers}.json"
    if not source.exists():
        subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), str(papers), "--out", str(out)],
                       check=True)
    shutil.copyfile(source, tagged)
    lib = Library(tagged)
    ids = sorted(lib.papers)
    rnd = random.Random(1)
    for i in range(EXTRA_TAGS):
        EditTags(rnd.sample(ids, min(100, len(ids))), add=[f"topic-{i:03d}"]).execute(lib)
    lib.compact(force=True)
    return tagged


async def settle(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


async def step(pilot: Pilot[None], action: Step) -> None:
    if isinstance(action, str):
        await pilot.press(action)
        return
    result = action()
    if isinstance(result, Awaitable):
        await result


class Timer:
    def __init__(self, pilot: Pilot[None], repeat: int) -> None:
        self.pilot = pilot
        self.repeat = repeat
        self.results: dict[str, list[float]] = {}

    async def __call__(self, name: str, action: Step, *, before: Iterable[Step] = (),
                       setup: Callable[[], object] | None = None, after: Callable[[], object] | None = None,
                       repeat: int | None = None, first: bool = False) -> None:
        """Time ``action`` (a key or a call) from its start to the last frame it caused (``first``: the first)."""
        times = []
        for _ in range(repeat or self.repeat):
            if setup is not None:
                await step(self.pilot, setup)
            for prior in before:
                await step(self.pilot, prior)
            await settle(self.pilot)
            FRAMES.clear()
            start = time.perf_counter()
            await step(self.pilot, action)
            await settle(self.pilot)
            times.append(((FRAMES[0 if first else -1] if FRAMES else start) - start) * 1000)
            if after is not None:
                await step(self.pilot, after)
            await settle(self.pilot)
        self.results[name] = times
        print(f"{name:44s} " + " ".join(f"{t:7.0f}" for t in times) + " ms", flush=True)


async def run(path: Path, groups: set[str], repeat: int) -> dict[str, list[float]]:
    if "outside" in groups:  # the app looks when told to, not on its timer while the other process runs
        app_module.POLL_SECONDS = 3600
    app: ReadlistApp = create_app(Session.open(path, settings=load_config()), interest_start=None)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        while not app.session.views.index.ready:  # as a few seconds after start-up
            await asyncio.sleep(0.2)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        plist = screen.paper_list
        timed = Timer(pilot, repeat)
        all_view = next(i for i, v in enumerate(screen.views) if v.key == "all")

        async def view(index: int) -> None:
            screen.set_view(index)
            await settle(pilot)

        async def press(*keys: str) -> None:
            for key in keys:
                await pilot.press(key)
            await settle(pilot)

        async def select(n: int = SELECTED) -> None:
            await view(all_view)
            plist.selected = {p.id for p in plist.papers[:n]}
            plist.refresh()
            await settle(pilot)

        async def unselect() -> None:
            plist.clear_selection()
            await settle(pilot)

        if "views" in groups:
            await timed("] next view", "right_square_bracket")
            await timed("[ previous view", "left_square_bracket")
            await timed("sidebar: All", lambda: screen.set_view(all_view), after=lambda: view(0))
            await timed("sidebar: a tag view", lambda: screen.set_view(len(screen.views) - 3), after=lambda: view(0))
        if "sort" in groups:
            await timed("O next sort", "O")
            screen.set_sort("added")
        if "nav" in groups:
            await view(all_view)
            await timed("G last paper", "G", after=lambda: press("g"))
            await timed("g first paper", "g", before=("G",))
            await timed("pagedown", "pagedown")
            await timed("j", "j")
            await timed("k", "k")
            await view(0)
        if "detail" in groups:
            await timed("enter: open the paper", "enter", after=lambda: press("escape"))
            await timed("esc: back from the paper", "escape", before=("enter",))
            await timed("s in triage mode", "s", before=("T",), after=lambda: press("escape"))
            await timed("L layout", "L")
            await timed("s keep (list)", "s")
            await timed("u undo", "u")
        if "help" in groups:
            await timed("? help", "question_mark", after=lambda: press("escape"))
            await timed("ctrl+p command palette", "ctrl+p", after=lambda: press("escape"))
            await timed("palette: type 'v'", "v", before=("ctrl+p",), after=lambda: press("escape"))
        if "stats" in groups:
            await timed("S statistics", "S", after=lambda: press("escape"))
            await timed("S statistics, first frame", "S", after=lambda: press("escape"), first=True)
            await timed("esc from statistics", "escape", before=("S",))
        if "triage" in groups:
            await timed("esc back from triage, one decision", "escape", before=("T", "s"), after=lambda: press("u"))
            await timed("esc back from triage, no decision", "escape", before=("T",))
            await timed("esc from the note editor, a note saved", "escape", before=("n", "x"),
                        after=lambda: press("u"))
        if "outside" in groups:
            flip = iter(range(1000))

            def outside() -> None:  # another process tags (then untags) the paper under the cursor, and is done
                current = plist.current
                assert current is not None
                tag = "outside" if next(flip) % 2 == 0 else "-outside"
                subprocess.run([sys.executable, "-m", "readlist", "--db", str(path), "tag", current.id, tag],
                               check=True, stdout=subprocess.DEVNULL)

            await timed("another process tags a paper", app.poll_library, setup=outside)
        if "tags" in groups:
            await timed("t tags dialog", "t", after=lambda: press("escape"))
            await timed("tags dialog: type 't'", "t", before=("t",), after=lambda: press("escape"))
        if "bulk" in groups:
            await timed(f"s keep {SELECTED} selected", "s", setup=select, after=unselect)
            await timed(f"x skip {SELECTED} selected", "x", setup=select, after=unselect)
            await timed(f"t tags dialog, {SELECTED} selected", "t", setup=select,
                        after=lambda: press("escape", "escape"))
            await timed(f"enter: tag {SELECTED}", "enter", setup=select, before=("t", *"bulktag"), after=unselect)
            await timed(f"u undo the tag on {SELECTED}", "u", after=lambda: press("ctrl+r"))
            await timed(f"ctrl+r redo the tag on {SELECTED}", "ctrl+r", setup=lambda: press("u"))
            await timed(f"y cite {SELECTED}", "y", setup=select, after=unselect)
            await timed(f"Y cite as…, {SELECTED}", "Y", setup=select, after=lambda: press("escape", "escape"))
            await timed(f"esc: clear {SELECTED} selected", "escape", setup=select)
        if "delete" in groups:
            await timed(f"D y: delete {SELECTED}", "y", setup=select, before=("D",), after=lambda: press("u"))
            await timed(f"u: undo the delete of {SELECTED}", "u", setup=lambda: select(), before=("D", "y"))
            await timed("D y: delete one", "y", before=("D",), after=lambda: press("u"))
            await timed("u: undo the delete of one", "u", before=("D", "y"))
        if "resize" in groups:
            await timed("resize to 100×30", lambda: pilot.resize_terminal(100, 30),
                        after=lambda: pilot.resize_terminal(160, 48))
            await timed("resize to 200×60", lambda: pilot.resize_terminal(200, 60),
                        after=lambda: pilot.resize_terminal(160, 48))
        if "interest" in groups:
            app.retrain_interest()
            while app.interest_snapshot is None or not app.interest_snapshot.ready:
                await asyncio.sleep(0.2)
            await view(0)
            screen.set_sort("title")
            await timed("O: title → interest", "O", after=lambda: screen.set_sort("title"))
            screen.set_sort("interest")
            await timed("] next view, interest order", "right_square_bracket", after=lambda: view(0))
            await timed("[ back to the Inbox, interest order", "left_square_bracket", setup=lambda: view(1))

            def new_scores() -> None:  # as a retrain's result arrives: the same scores in a new mapping
                snapshot = copy.copy(app.interest_snapshot)
                snapshot.scores = dict(snapshot.scores)  # type: ignore[union-attr]
                app._interest_ready(snapshot)  # type: ignore[arg-type]

            await timed("new scores, the Inbox in interest order", new_scores)
            await timed("s keep, interest order", "s")
            async def more_like() -> None:  # found on a worker thread: the view comes when it is done
                await pilot.press("m")
                deadline = time.perf_counter() + 30
                while screen.view.key != "like" and time.perf_counter() < deadline:
                    await asyncio.sleep(0.005)
                if screen.view.key != "like":
                    print("m: no view after 30 s (the interest snapshot is not ready)", flush=True)

            await timed("m more like this", more_like, after=lambda: view(0))
            await timed("m more like 50 selected", more_like, setup=lambda: select(50), after=lambda: view(0))
            screen.set_sort("added")
        if "save" in groups:
            names = iter(range(1000))

            async def searched() -> None:
                await view(0)
                await press("slash", *"agents", "enter")

            async def named() -> None:
                await press("ctrl+s", *f"view{next(names)}")

            await timed("enter: keep a search as a view", "enter", setup=searched, before=(named,),
                        after=lambda: view(0))
    return timed.results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=Path("/tmp/readlist-bench"))
    parser.add_argument("--only", default=",".join(GROUPS), help="comma-separated groups")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    groups = set(args.only.split(","))
    if unknown := groups - set(GROUPS):
        parser.error(f"unknown groups: {', '.join(sorted(unknown))}")
    args.out.mkdir(parents=True, exist_ok=True)
    source = library(args.papers, args.out)
    work = args.out / "actions"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    path = work / "library.json"
    shutil.copyfile(source, path)
    config = work / "config.toml"
    config.write_text('sort = "added"\n\n[views]\n' + "".join(f'"{k}" = "{v}"\n' for k, v in SAVED.items()))
    os.environ["READLIST_CONFIG"] = str(config)
    print(f"{args.papers} papers; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    asyncio.run(run(path, groups, args.repeat))
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
