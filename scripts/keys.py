#!/usr/bin/env python3
"""Rewrite the key tables in README.md and docs/tui.md from the bindings (see readlist/tui/keys_doc.py)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from readlist.tui.keys_doc import replace_between_markers  # noqa: E402

DOCS = [ROOT / "README.md", ROOT / "docs" / "tui.md"]


def main() -> int:
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        path.write_text(replace_between_markers(text), encoding="utf-8")
        print(f"updated {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
