#!/usr/bin/env python3
"""Regenerate the SVG screenshots in docs/screenshots from the real app on the bundled demo library.

The app runs headless (Textual's test driver), and every screen is reached by
pressing its documented key, so the pictures show what a user gets:

    python scripts/screenshots.py                  # writes docs/screenshots/*.svg
    python scripts/screenshots.py --size 160x48 --theme nord --out /tmp/shots
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from readlist.app.demo import build_demo_library  # noqa: E402

DEFAULT_OUT = ROOT / "docs" / "screenshots"
# A search for the demo library's only note, to open the note editor on a paper that has one.
NOTE_WORD = "note:benchmark"
# Views in `]` order start Inbox, To read, Reading, Read: the noted paper is a read one.
READ_VIEW = 3


def parse_size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must look like 140x40, not {text!r}") from None
    if width < 40 or height < 12:
        raise argparse.ArgumentTypeError("size must be at least 40x12")
    return width, height


async def take(out: Path, size: tuple[int, int], theme: str | None) -> list[Path]:
    """Drive one app session through the main screen, triage, the note editor and statistics."""
    from readlist.app.session import Session
    from readlist.config.settings import load_config
    from readlist.tui.app import create_app

    saved: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="readlist-shots-") as tmp:
        # The user's own config (keymap, theme) must not change what the documentation shows.
        os.environ["READLIST_CONFIG"] = str(Path(tmp) / "config.toml")
        db = build_demo_library(Path(tmp))
        # The interest order is learned up front, so every picture shows it, however fast this machine is.
        app = create_app(Session.open(db, settings=load_config()), theme=theme, demo=True, interest_start=None)
        async with app.run_test(size=size) as pilot:
            app.retrain_interest()
            await asyncio.to_thread(app.interest.wait, 300)

            async def shot(name: str, title: str) -> None:
                await settle(pilot)
                app.clear_notifications()
                await settle(pilot)
                path = out / f"{name}.svg"
                path.write_text(app.export_screenshot(title=title), encoding="utf-8")
                saved.append(path)
                print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")

            async def keys(*names: str) -> None:
                await pilot.press(*names)
                await settle(pilot)

            async def detail_end() -> None:
                # The explanation and related papers are worked out a moment after the cursor settles.
                for _ in range(500):
                    await pilot.pause(0.02)
                    if "Related in your library" in str(app.screen.query_one("#detail-insight").render()):
                        break
                app.screen.query_one("#detail").scroll_end(animate=False)
                await settle(pilot)

            async def detail_home() -> None:
                app.screen.query_one("#detail").scroll_home(animate=False)
                await settle(pilot)

            steps: list[tuple[str, str, Callable[[], Awaitable[None]], Callable[[], Awaitable[None]]]] = [
                ("main", "readlist — library", _nothing, _nothing),
                ("interest", "readlist — the Inbox in interest order, with why and related papers", detail_end,
                 detail_home),
                ("triage", "readlist — triage mode (T)", lambda: keys("T"), lambda: keys("escape")),
                ("note-editor", "readlist — note editor (n)", lambda: open_note(keys), lambda: keys("escape")),
                ("statistics", "readlist — statistics (S)", lambda: keys("S"), lambda: keys("escape")),
            ]
            for name, title, enter, leave in steps:
                start = type(app.screen).__name__
                await enter()
                if name not in ("main", "interest") and type(app.screen).__name__ == start:
                    print(f"warning: the key for {name} did not open a new screen (still on {start})", file=sys.stderr)
                await shot(name, title)
                await leave()
    return saved


async def open_note(keys: Callable[..., Awaitable[None]]) -> None:
    """Go to the Read view, search for the paper that has a note, then press n."""
    await keys(*["right_square_bracket"] * READ_VIEW)
    await keys("slash")
    await keys(*NOTE_WORD)
    await keys("enter")
    await keys("n")


async def _nothing() -> None:
    return None


async def settle(pilot: object) -> None:
    """Let layout, timers and workers finish before a picture is taken."""
    from textual.pilot import Pilot

    assert isinstance(pilot, Pilot)
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause(0.1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="directory for the SVG files")
    parser.add_argument("--size", type=parse_size, default=(140, 40), help="terminal size, WIDTHxHEIGHT")
    parser.add_argument("--theme", help="theme name (default: the app's default theme)")
    args = parser.parse_args(argv)
    try:
        import readlist.tui.app  # noqa: F401
    except ImportError as exc:
        print(f"the terminal UI is not available: {exc}", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    saved = asyncio.run(take(args.out, args.size, args.theme))
    return 0 if len(saved) == 4 else 1


if __name__ == "__main__":
    raise SystemExit(main())
