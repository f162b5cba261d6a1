"""The domain modules never pull in the UI toolkit: the CLI and scripts start fast and work without a terminal UI."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DOMAIN = [
    "readlist.core.model",
    "readlist.core.query",
    "readlist.storage.library",
    "readlist.importers",
    "readlist.importers.base",
    "readlist.app.sources",
    "readlist.importers.hf_text",
    "readlist.app.session",
    "readlist.app.commands",
    "readlist.app.imports",
    "readlist.app.notes",
    "readlist.cli",
    "readlist.core.search_index",
    "readlist.core.provenance",
    "readlist.core.texrender",
    "readlist.net.http",
    "readlist.net.arxiv_api",
    "readlist.net.hf_api",
    "readlist.app.pull",
    "readlist.app.enrich",
]


def test_domain_modules_do_not_import_textual() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {DOMAIN!r}:\n"
        "    importlib.import_module(name)\n"
        "from readlist.importers import available, parse_input\n"
        "available()\n"
        "print(sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert result.stdout.strip() == "[]", result.stdout


def loaded_after(imports: str, modules: tuple[str, ...]) -> list[str]:
    """Which of ``modules`` a fresh interpreter has loaded after ``import {imports}``."""
    code = f"import sys\nimport {imports}\nprint(sorted(m for m in {modules!r} if m in sys.modules))\n"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    return list(ast.literal_eval(result.stdout.strip()))


def test_start_up_does_not_load_the_http_client() -> None:
    """httpx and feedparser cost start-up time that only network commands and URL imports need."""
    assert loaded_after("readlist.cli, readlist.app.sources, readlist.importers",
                        ("httpx", "feedparser", "httpcore")) == []


def test_terminal_ui_start_up_does_not_load_the_lock_module() -> None:
    """The file-lock module is loaded in the background once the library is read, not before the first frame."""
    assert loaded_after("readlist.cli, readlist.cli.context, readlist.tui.app, readlist.tui.screens.main",
                        ("filelock",)) == []


def test_terminal_ui_start_up_does_not_load_the_citation_layer() -> None:
    """Citations and TeX decoding (10 ms of imports) wait for the first citation or opened page."""
    assert loaded_after("readlist.cli, readlist.cli.context, readlist.tui.app, readlist.tui.screens.main",
                        ("readlist.core.cite", "readlist.core.tex", "pylatexenc", "bibtexparser")) == []
