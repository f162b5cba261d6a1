"""The domain modules never pull in the UI toolkit: the CLI and scripts start fast and work without a terminal UI."""

from __future__ import annotations

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
    "readlist.importers.sources",
    "readlist.importers.hf_text",
    "readlist.app.session",
    "readlist.app.commands",
    "readlist.app.imports",
    "readlist.app.notes",
    "readlist.cli",
    "readlist.core.search_index",
    "readlist.core.provenance",
    "readlist.core.texrender",
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
