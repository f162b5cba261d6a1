#!/usr/bin/env python3
"""How long rendering one abstract's TeX takes: the first call (imports pylatexenc), then each call.

Usage: ``bench/bench_texrender.py [--repeat R]``. Uses the abstracts of the test fixtures (the
seeds and saved pages), the one with the most TeX first, plus a long synthetic one. Times are
wall-clock milliseconds, best of ``R`` runs, without the cache ``render_tex`` keeps, so each
number is what a keystroke that shows a new abstract costs.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from readlist.core.texrender import render_tex  # noqa: E402
from readlist.importers import parse_input  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
LONG = (
    r"We study $u_t = \Delta u - \nabla \cdot (u \nabla v)$ in $\Omega \subset \mathbb R^n$, $n \geq 2$, "
    r"with 52.56\% gains, {\em i)} a bound $\kappa > \frac{2n+4}{n+4}$ and \textbf{robust} results. "
) * 12


def abstracts() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for path in sorted((FIXTURES / "seeds").glob("*")) + sorted((FIXTURES / "pages").glob("*")):
        for paper in parse_input(path.read_bytes(), source=path.name, today=date(2025, 10, 1)).papers:
            found.append((f"{path.name[:24]} {paper.id}", paper.abstract))
    return found


def best_ms(text: str, repeat: int) -> float:
    raw = render_tex.__wrapped__  # skip the cache: every run parses
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        raw(text)
        best = min(best, time.perf_counter() - start)
    return best * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)
    first = subprocess.run(
        [sys.executable, "-c", "import time, sys; sys.path.insert(0, '.'); s = time.perf_counter(); "
         "from readlist.core.texrender import render_tex; render_tex(r'$\\alpha$'); "
         "print((time.perf_counter() - s) * 1000)"],
        capture_output=True, text=True, cwd=str(ROOT), check=True,
    )
    print(f"first call in a fresh process (imports pylatexenc, builds the converter): {float(first.stdout):.0f} ms")
    items = abstracts()
    with_tex = [(name, text) for name, text in items if render_tex(text) != text]
    plain = [text for _, text in items if render_tex(text) == text]
    rows = sorted(((best_ms(text, args.repeat), name, len(text)) for name, text in with_tex), reverse=True)
    rows.insert(0, (best_ms(LONG, args.repeat), "synthetic, TeX-heavy", len(LONG)))
    print("| abstract | chars | ms per call |")
    print("|---|---:|---:|")
    for ms, name, size in rows:
        print(f"| {name} | {size} | {ms:.2f} |")
    fast = max(best_ms(text, args.repeat) for text in plain)
    print(f"| slowest of {len(plain)} abstracts without TeX (returned as they are) | | {fast:.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
