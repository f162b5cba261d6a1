"""The terminal UI; ``run_app`` is what ``readlist`` with no sub-command calls."""

from __future__ import annotations

import sys
from pathlib import Path

from readlist.core.text import strip_controls
from readlist.store import LibraryError


def run_app(db_path: Path, *, theme: str | None = None, demo: bool = False) -> None:
    """Open the library in the TUI; an unusable library is one line on stderr and exit status 1."""
    from readlist.tui.app import ReadlistApp

    try:
        app = ReadlistApp(db_path, theme=theme, demo=demo)
    except LibraryError as exc:
        print(f"readlist: {strip_controls(str(exc))}", file=sys.stderr)
        raise SystemExit(1) from None
    app.run()
    try:
        # Fold the journal into the snapshot so plain TinyDB readers see the session's changes.
        app.lib.compact()
    except LibraryError as exc:
        print(f"readlist: {strip_controls(str(exc))}", file=sys.stderr)
    if app.return_code:
        raise SystemExit(app.return_code)
