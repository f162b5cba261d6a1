"""How long importing big inputs takes: parse, and parse + store into a fresh library.

Inputs are generated deterministically into a temporary directory:

* a 10,000-paper Hugging Face text copy,
* a 500-card Hugging Face list page with its ``data-props`` JSON (the normal case),
* the same 500 cards without the JSON (the markup fallback),
* a 2,000-entry BibTeX file.

Run: ``.venv/bin/python bench/bench_import.py`` (add ``--repeat N`` for more runs; the best is shown).
"""

from __future__ import annotations

import argparse
import html
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from readlist.app.imports import ImportPapers
from readlist.importers import ParseResult, parse_input
from readlist.storage.library import Library

TODAY = date(2026, 11, 22)
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
WORDS = (
    "learning model language diffusion agent reasoning scaling benchmark vision transformer data efficient "
    "robust multimodal training inference alignment retrieval graph policy reward video token sparse"
).split()
NAMES = ["Ada Lovelace", "Alan Turing", "Grace Hopper", "Kurt Gödel", "Emmy Noether", "John von Neumann",
         "Katherine Johnson", "Claude Shannon", "Barbara Liskov", "Donald Knuth"]


def _title(rng: random.Random, i: int) -> str:
    return " ".join(rng.choice(WORDS).capitalize() for _ in range(rng.randint(4, 10))) + f" {i}"


def _abstract(rng: random.Random) -> str:
    sentences = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20))).capitalize() + "." for _ in range(6)]
    return " ".join(sentences)


def hf_text_copy(n: int, rng: random.Random) -> str:
    parts = ["new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\nDaily Papers\n\n"
             "byAK and the research community\n\nNov 20\n\n"]
    for i in range(n):
        meta = f"  • {rng.randint(1, 30)} authors" if rng.random() < 0.8 else "spiralworks Spiral Works"
        votes = f" {rng.randint(1, 300)}" if rng.random() < 0.7 else ""
        parts.append(f"{_title(rng, i)}\n\n{_abstract(rng)}\n\n{meta}\n·\n{rng.choice(MONTHS)} {rng.randint(1, 28)}"
                     f"{votes}\n\n")
    return "".join(parts)


def _entries(n: int, rng: random.Random) -> list[dict[str, object]]:
    entries = []
    for i in range(n):
        arxiv_id = f"26{rng.randint(1, 11):02d}.{10000 + i:05d}"
        title = _title(rng, i)
        authors = [{"_id": f"a{i}{k}", "name": rng.choice(NAMES), "hidden": False}
                   for k in range(rng.randint(1, 12))]
        published = f"2026-{rng.randint(1, 11):02d}-0{rng.randint(1, 9)}T10:00:00.000Z"
        paper = {"id": arxiv_id, "authors": authors, "publishedAt": published, "title": title,
                 "summary": _abstract(rng), "upvotes": rng.randint(0, 400), "githubStars": rng.randint(0, 5000),
                 "submittedOnDailyAt": "2026-11-20T01:00:00.000Z"}
        entries.append({"paper": paper, "title": title, "numComments": rng.randint(0, 9),
                        "organization": {"name": "spiralworks", "fullname": "Spiral Works"} if i % 7 == 0 else None})
    return entries


def _card(entry: dict[str, object]) -> str:
    paper = entry["paper"]
    assert isinstance(paper, dict)
    pid, title = paper["id"], html.escape(str(paper["title"]))
    avatars = "".join(f'<li title="{html.escape(a["name"])}" class="-mr-2 h-4 w-4"></li>' for a in paper["authors"])
    return (
        '<article class="relative flex flex-col overflow-hidden rounded-xl border">'
        f'<a href="/papers/{pid}" class="block h-56"><video src="https://cdn.example/{pid}.mp4" muted></video></a>'
        f'<div class="absolute">Submitted by <img src="/avatars/x.svg" alt=""> someone</div>'
        '<div class="from-gray-50-to-white flex"><div class="flex w-full gap-6"><div class="flex flex-wrap">'
        f'<a href="/login?next=%2Fpapers%2F{pid}"><div class="shadow-alternate"><input type="checkbox" '
        f'class="peer hidden" disabled><svg></svg><div class="leading-none">{paper["upvotes"]}</div></div></a></div>'
        f'<div class="w-full"><h3><a href="/papers/{pid}" class="line-clamp-3">{title}</a></h3>'
        f'<div class="flex"><a href="/papers/{pid}" class="flex"><ul class="flex">{avatars}'
        f'<li class="order-first"><div class="flex"><div>·</div> {len(paper["authors"])} authors</div></li></ul></a>'
        f'<a href="https://github.com/x/{pid}"><svg></svg><span>{paper["githubStars"]}</span></a>'
        f'<a href="/papers/{pid}#community">{entry["numComments"]}</a></div></div></div></div></article>'
    )


def hf_list_page(n: int, rng: random.Random, *, with_props: bool) -> str:
    entries = _entries(n, rng)
    props = html.escape(json.dumps({"date": "2026-11-20T00:00:00.000Z", "dailyPapers": entries}), quote=True)
    hydrater = f'<div class="SVELTE_HYDRATER contents" data-target="DailyPapers" data-props="{props}">' if with_props \
        else '<div class="contents">'
    head = '<!doctype html><html class=""><head><meta charset="utf-8"><title>Daily Papers</title></head><body>'
    return head + hydrater + "<section>" + "".join(_card(e) for e in entries) + "</section></div></body></html>"


def bibtex_file(n: int, rng: random.Random) -> str:
    out = []
    for i in range(n):
        authors = " and ".join(f"{name.split()[-1]}, {name.split()[0]}" for name in rng.sample(NAMES, 3))
        out.append(f"@article{{key{i},\n  title = {{{_title(rng, i)}}},\n  author = {{{authors}}},\n"
                   f"  eprint = {{2401.{20000 + i:05d}}},\n  archivePrefix = {{arXiv}},\n  year = {{2024}},\n"
                   f"  abstract = {{{_abstract(rng)}}},\n}}\n\n")
    return "".join(out)


def _best(fn: Callable[[], object], repeat: int) -> tuple[float, float, object]:
    """Best wall-clock and best CPU time over ``repeat`` runs (CPU time is steadier on a busy machine)."""
    best_wall, best_cpu, value = float("inf"), float("inf"), None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        value = fn()
        best_cpu = min(best_cpu, time.process_time() - cpu)
        best_wall = min(best_wall, time.perf_counter() - wall)
    return best_wall, best_cpu, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(20261122)
    cases = {
        "HF text copy, 10,000 papers": hf_text_copy(10_000, rng),
        "HF list page, 500 cards + JSON": hf_list_page(500, rng, with_props=True),
        "HF list page, 500 cards, no JSON": hf_list_page(500, rng, with_props=False),
        "BibTeX, 2,000 entries": bibtex_file(2_000, rng),
    }
    print(f"{'input':<34} {'size':>7} {'papers':>6} {'format':>10} {'parse wall/cpu':>16} {'parse+store wall/cpu':>21}")
    with tempfile.TemporaryDirectory(prefix="readlist-bench-") as tmp:
        for i, (label, text) in enumerate(cases.items()):
            path = Path(tmp) / f"input-{i}"
            path.write_text(text, encoding="utf-8")
            data = path.read_bytes()
            source = str(path)

            def parse_only(data: bytes = data, source: str = source) -> ParseResult:
                return parse_input(data, source=source, today=TODAY)

            def parse_and_store(data: bytes = data, source: str = source, i: int = i) -> int:
                lib = Library(Path(tmp) / f"lib-{i}-{time.perf_counter_ns()}.json")
                parsed = parse_input(data, source=source, today=TODAY)
                ImportPapers(parsed.papers, source).execute(lib)
                lib.compact()
                return len(lib)

            parse_wall, parse_cpu, result = _best(parse_only, args.repeat)
            total_wall, total_cpu, stored = _best(parse_and_store, args.repeat)
            assert isinstance(result, ParseResult)
            papers, fmt = len(result.papers), result.format
            assert stored == papers, (label, stored, papers)
            print(
                f"{label:<34} {len(data) / 1e6:>5.1f}MB {papers:>6} {fmt:>10} {parse_wall:>7.2f}s/{parse_cpu:.2f}s"
                f" {total_wall:>12.2f}s/{total_cpu:.2f}s"
            )


if __name__ == "__main__":
    main()
