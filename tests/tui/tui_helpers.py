"""Helpers shared by the TUI tests: building libraries with pinned dates, reading them back."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from time import monotonic
from typing import Any

from readlist.app.imports import ImportPapers
from readlist.app.session import Session
from readlist.config.settings import load_config
from readlist.importers import parse_input
from readlist.storage.library import Library
from readlist.tui.app import ReadlistApp, create_app
from readlist.tui.key_parser import KeyParser
from readlist.tui.screens.main import MainScreen
from readlist.tui.widgets.paper_list import PaperList

SEEDS_DIR = Path(__file__).parent.parent / "fixtures" / "seeds"
TODAY = date(2025, 12, 20)
# Imports stamp "added" with the clock; pin it so lists sorted by date added and snapshots never move.
PINNED_STAMP = "2025-12-20T09:00:00+00:00"
SIZE = (160, 48)
# Esc as a terminal with the kitty keyboard protocol (which Textual asks for) sends it: a key of its own.
ESC = "\x1b[27u"


def build_library(path: Path, seeds: list[Path] | None = None, limit: int | None = None) -> Path:
    """Import copies of the seed pages into a library at ``path`` with pinned timestamps."""
    lib = Library(path)
    for seed in seeds or sorted(SEEDS_DIR.glob("*.txt")):
        copy = path.parent / ("copy-" + seed.name)
        copy.write_bytes(seed.read_bytes())
        papers = parse_input(copy.read_bytes(), source=seed.name, today=TODAY).papers
        if limit is not None:
            papers = papers[:limit]
        for index, paper in enumerate(papers):
            # Distinct, fixed "added" stamps keep the default sort (date added) stable and meaningful.
            paper.added = paper.updated = f"2025-12-{10 + index % 10:02d}T09:{index % 60:02d}:00+00:00"
        ImportPapers(papers, seed.name).execute(lib)
    lib.compact(force=True)
    return path


def disk_full(monkeypatch: Any) -> None:
    """From now on every change the app makes finds the disk full (its journal cannot be appended to)."""
    import errno

    from readlist.storage.journal import Journal

    def full(*_: object, **__: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Journal, "append", full)


def fresh(path: Path) -> Library:
    """The library as another process would see it on disk now."""
    return Library(path)


def open_app(path: Path, **kwargs: Any) -> ReadlistApp:
    """The app on the library at ``path``, as ``readlist`` builds it, with today pinned.

    The interest model is trained only when a test asks (or a decision is made), so what a test sees
    does not depend on how fast this machine trains it; ``interest_start=`` restores the timed start.
    """
    kwargs.setdefault("interest_start", None)
    return create_app(Session.open(path, settings=load_config()), today=TODAY, **kwargs)


# Text a hand-edited library, or another program, could put in any field: OSC 52 (clipboard) and OSC 0/1/2
# (window title) with both terminators, CSI, 8-bit C1 controls (CSI U+009B, OSC U+009D … ST U+009C), DCS,
# APC, PM and SOS strings, C0 controls, DEL, every bidi override and isolate, and Markdown character
# references that decode to a bidi override or an escape.
HOSTILE = (
    "Evil \x1b]52;c;ZXZpbA==\x07\x1b]0;pwned\x07\x1b]2;pwned\x1b\\\x1b]1;icon\x07\x1b[2J\x1b[31mred"
    "\x9b31m\x9d0;c1title\x9c\x1bPq#0;2\x1b\\\x1b_apc\x1b\\\x1b^pm\x1b\\\x1bXsos\x1b\\"
    "\x00\x07\x08\x0b\x0c\r\x1b\x7f\x85 \u202a\u202b\u202c\u202d\u202eRTL\u2066\u2067\u2068\u2069"
    " line\u2028para\u2029 end"
)
HOSTILE_MARKDOWN = "&#x202e;&#27;]52;c;ZXZpbA==&#7; `&#x9b;31m`\n\n```py\u202e\ncode \x1b[2J\n```\n"


def hostile_library(path: Path) -> Path:
    """A library whose stored text holds raw escapes in every text field, written as another program could.

    The papers are imported clean, then the file itself is rewritten, as a hand edit or a sync from
    elsewhere would leave it: no importer or command has cleaned what is in it.
    """
    import msgspec

    from readlist.core.model import Paper

    lib = Library(path)
    papers = [Paper.create(title=f"placeholder {i}", arxiv_id=f"2404.0000{i}", added=PINNED_STAMP) for i in (1, 2)]
    ImportPapers(papers, "seed.txt").execute(lib)
    lib.compact(force=True)
    data = msgspec.json.decode(path.read_bytes())
    for number, doc in enumerate(data["papers"].values()):
        doc.update(
            title=HOSTILE, abstract=HOSTILE + "\nsecond line\ttab", note=HOSTILE + "\n\n" + HOSTILE_MARKDOWN,
            organization=HOSTILE, authors=[HOSTILE] if number == 0 else [], url="http://x/" + HOSTILE,
            sources=[HOSTILE], tags=["ok", "t" + HOSTILE], categories=[HOSTILE], cite_key="k" + HOSTILE,
            doi="10.1/" + HOSTILE, journal_ref=HOSTILE,
        )
    path.write_bytes(msgspec.json.encode(data))
    return path


async def type_as_terminal(pilot: Any, text: str) -> None:
    """Type ``text`` as a terminal delivers it, one key at a time: the app's input parser makes the events.

    ``pilot.press`` works a key's character out from the key's name, and gets none for a character whose
    Unicode name has a hyphen (U+200C ZERO WIDTH NON-JOINER); the parser gives every key the character
    the terminal sent, as in a real session.
    """
    app = pilot.app
    for event in KeyParser().feed(text):
        event.set_sender(app)
        app.post_message(event)
        await pilot.pause()


def burst(app: ReadlistApp, keys: str) -> None:
    """``keys`` queued at once, as a terminal hands over what was typed faster than the app reads it (a fast
    typist, a slow machine, SSH): the parser the app reads a terminal with makes the events, none waits for the one
    before.

    The parser is then told the keys have stopped, as its timeout tells it in a terminal: a bare escape character
    followed by a key is Alt and that key, as a terminal without the kitty keyboard protocol sends them."""
    parser = KeyParser()
    for event in [*parser.feed(keys), *parser.feed("")]:
        event.set_sender(app)
        app.post_message(event)


async def settle(pilot: Any, limit: float = 30.0) -> None:
    """Wait until every key and message queued has been handled, however loaded the machine: a fixed pause after a
    burst of keys was too short on a busy two-core one. Quiet means the key order holds nothing and no screen or
    widget has a message waiting, three times in a row."""
    app = pilot.app
    deadline = monotonic() + limit
    quiet = 0
    while quiet < 3 and monotonic() < deadline:
        await pilot.pause(0.02)
        nodes = [app, *(node for screen in app.screen_stack for node in screen.walk_children(with_self=True))]
        busy = not app.key_order.idle or any(node.message_queue_size for node in nodes)
        quiet = 0 if busy else quiet + 1


async def view_name_prompt(pilot: Any, search: str) -> Any:
    """The prompt that names a search as a view: in the All view, ``search`` typed in the box, then ctrl+s."""
    from readlist.tui.screens.main import MainScreen
    from readlist.tui.screens.prompt import Prompt

    screen = pilot.app.screen
    assert isinstance(screen, MainScreen)
    screen.set_view_key("all")
    await pilot.press("slash", *search, "ctrl+s")
    await pilot.pause()
    prompt = pilot.app.screen
    assert isinstance(prompt, Prompt)
    return prompt


async def search_all(pilot: Any, search: str) -> None:
    """In the All view, ``search`` typed in the box and submitted, its results shown."""
    from readlist.tui.screens.main import MainScreen

    screen = pilot.app.screen
    assert isinstance(screen, MainScreen)
    screen.set_view_key("all")
    await pilot.pause()
    await pilot.press("slash", *search, "enter")
    await pilot.pause(0.3)


async def import_in_app(pilot: Any, typed: str) -> None:
    """Papers imported through the palette's import box with ``typed`` in it (nothing: the clipboard), and the
    import finished and shown."""
    await pilot.press("ctrl+p", *"Import papers", "enter")
    await pilot.pause()
    await pilot.press(*typed, "enter")
    await online_finished(pilot.app)
    await pilot.pause()


async def online_finished(app: ReadlistApp) -> None:
    """Until the app's network work (enrich, pull, an import's lookups) has finished and its last update is shown."""
    import asyncio

    from readlist.tui.screens.main import MainScreen

    screen = app.screen
    assert isinstance(screen, MainScreen)
    for _ in range(400):  # the work talks to a local server; this only bounds a hang
        if screen._online is None:
            break
        await asyncio.sleep(0.025)
    await app.workers.wait_for_complete()


async def closed(app: ReadlistApp) -> None:
    """Until the app has closed (after its quit key: it saves what is being edited first)."""
    import asyncio

    for _ in range(200):  # only bounds a hang
        if not app.is_running:
            return
        await asyncio.sleep(0.05)


def topbar(app: ReadlistApp) -> str:
    """The main screen's top bar as drawn: the view, the sort and the last action's message."""
    from textual.widgets import Static

    return str(app.screen.query_one("#topbar", Static).render())


def paper_list(app: ReadlistApp) -> PaperList:
    """The main screen's list (the main screen must be the one shown)."""
    assert isinstance(app.screen, MainScreen)
    return app.screen.query_one(PaperList)
