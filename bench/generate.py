#!/usr/bin/env python3
"""Build a reproducible synthetic library for benchmarks: a readlist library file and a matching HF text copy.

Usage: ``bench/generate.py N [--out DIR] [--seed S]`` writes ``DIR/library-N.json`` (a real
readlist library, written by the store itself) and ``DIR/daily-papers-N.txt`` (the same papers
as a Hugging Face Daily Papers text copy, for import benchmarks). Papers are about 2 KB each,
like real ones: long abstracts, author lists, mixed statuses, ratings, tags and some notes.
The same N and seed always give the same papers.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from readlist.core.model import Paper, normalize_title
from readlist.storage.library import Library

DEFAULT_OUT = Path("/tmp/readlist-bench")
DEFAULT_SEED = 1
# Papers per text copy: 25k papers are ~42 MB, under the importer's 64 MB input limit.
TEXT_PART = 25_000

_ADJ = (
    "Efficient Scalable Robust Sparse Dense Adaptive Hierarchical Contrastive Generative Causal Multimodal "
    "Self-Supervised Federated Continual Differentiable Probabilistic Neural Latent Implicit Unified Compact "
    "Lightweight Interpretable Provable Fast Long-Context Zero-Shot Few-Shot Open-Vocabulary Diffusion-Based"
).split()
_NOUN = (
    "Transformers Attention Agents Retrieval Reasoning Alignment Distillation Quantization Pruning Tokenizers "
    "Embeddings Representations Policies Rewards Planners Decoders Encoders Adapters Experts Graphs Memories "
    "Benchmarks Datasets Kernels Optimizers Schedulers Priors Flows Fields Models"
).split()
_TOPIC = (
    "Language Modeling|Video Generation|Code Synthesis|Robot Manipulation|Speech Recognition|Image Editing|"
    "Protein Folding|Mathematical Reasoning|Instruction Following|Preference Optimization|3D Reconstruction|"
    "Tabular Learning|Time Series Forecasting|Document Understanding|Visual Question Answering|Web Navigation|"
    "Molecule Design|Machine Translation|Reinforcement Learning|Neural Rendering|Tool Use|Long-Horizon Planning"
).split("|")
_TEMPLATES = (
    "{A} {N} for {T}",
    "{A} {N}: Towards {A} {T}",
    "On the {A} Nature of {N} in {T}",
    "Scaling {A} {N} for {T}",
    "{N} Are {A} Learners of {T}",
    "Rethinking {N} for {A} {T}",
    "{A} and {A} {N} via {T}",
    "When Do {N} Help {T}? A {A} Analysis",
)
_WORDS = (
    "we propose method model models training data learning task tasks performance results show that the of and "
    "to in a for with on by this our approach framework large language vision benchmark benchmarks dataset "
    "state-of-the-art baseline baselines improves improvement efficient scalable robust generalization inference "
    "parameters tokens context attention layer layers representation representations objective loss gradient "
    "optimization reward policy agent environment evaluation experiments extensive demonstrate significantly "
    "outperforms existing prior work however while recent advances remain challenging limited computational "
    "cost memory latency accuracy quality diverse across domains settings zero-shot fine-tuning pretraining "
    "supervision signal noise robustness alignment human preference feedback reasoning chain step steps "
    "retrieval augmented generation diffusion transformer encoder decoder sparse dense mixture experts routing"
).split()
_FIRST = (
    "Wei Li Ana Maria John Yuki Arjun Sofia Omar Elena Chen Lucas Fatima Hiro Noah Priya Mateo Ines Kwame "
    "Olga Tariq Lena Ravi Mei Jonas Amara Diego Sara Minh Zoe Ivan Leila Tom Nadia Kenji Aisha Pablo"
).split()
_LAST = (
    "Zhang Wang Smith Garcia Müller Kim Patel Nguyen Rossi Tanaka Silva Cohen Ivanova Okafor Haddad Larsen "
    "Dubois Novak Kowalski Yilmaz Schmidt Moreau Sato Khan Lopez Fischer Andersson Costa Park Ali Becker "
    "Liu Chen Huang Zhao Sun"
).split()
_ORGS = (
    ("nvidia", "NVIDIA"),
    ("google", "Google"),
    ("meta-llama", "Meta"),
    ("spiralworks", "Spiral Works"),
    ("allenai", "Ai2"),
    ("deepseek-ai", "DeepSeek"),
    ("microsoft", "Microsoft"),
    ("Qwen", "Qwen"),
)
_TAGS = (
    "rl llm vision diffusion agents retrieval reasoning efficiency alignment robotics audio video theory "
    "benchmark dataset survey to-cite reproduce later important math code multimodal safety"
).split()
_STATUSES = (("inbox", 50), ("to-read", 15), ("reading", 5), ("read", 15), ("skipped", 15))
_NOTE_LINES = (
    "Key idea: {w} {w} {w} instead of {w} {w}.",
    "- compare with {w} {w} baseline",
    "Results look strong on {w} but weak on {w}.",
    "TODO: check the {w} ablation and the {w} appendix.",
    "Relevant for our {w} {w} project.",
)
_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


def _title(rng: random.Random, taken: set[str]) -> str:
    while True:
        template = rng.choice(_TEMPLATES)
        title = template.replace("{T}", rng.choice(_TOPIC), 1).replace("{N}", rng.choice(_NOUN), 1)
        while "{A}" in title:
            title = title.replace("{A}", rng.choice(_ADJ), 1)
        if rng.random() < 0.7:
            # Real titles often carry a name: "FooNet: ..." keeps big libraries free of duplicate titles.
            name = "".join(rng.choice("BCDFGHKLMNPRSTVZ") + rng.choice("aeiou") for _ in range(rng.randint(2, 3)))
            title = f"{name}{rng.choice(('', 'Net', 'LM', 'Bench', '-2', 'X'))}: {title}"
        key = normalize_title(title)
        if key not in taken:
            taken.add(key)
            return title


def _lexicon(seed: int, size: int = 40_000) -> list[str]:
    """Made-up technical words, so the vocabulary is as large as in real abstracts (search cost depends on it)."""
    rng = random.Random(seed * 7919 + 1)
    onsets = "b c d f g h k l m n p r s t v z br cr dr gr pr st tr sp ch sh th qu x".split()
    vowels = "a e i o u ia io ea ou".split()
    codas = ["", "", "n", "r", "s", "l", "x", "m", "nt", "st", "ng"]
    words = []
    for _ in range(size):
        syllables = rng.choice((1, 2, 2, 3, 3, 4))
        words.append("".join(rng.choice(onsets) + rng.choice(vowels) + rng.choice(codas) for _ in range(syllables)))
    return words


def _sentence(rng: random.Random, lexicon: list[str]) -> str:
    count = rng.randint(12, 30)
    words = rng.choices(_WORDS, k=count)
    # About one word in four comes from the long tail, most of it from its head (Zipf-like).
    for i in range(count):
        if rng.random() < 0.25:
            words[i] = lexicon[int(len(lexicon) * rng.random() ** 2.5)]
    if rng.random() < 0.2:
        words[rng.randrange(count)] = rng.choice(("(", "")) + rng.choice(_WORDS) + rng.choice((",", ";", ":", ")"))
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def _abstract(rng: random.Random, lexicon: list[str]) -> str:
    target = rng.randint(1200, 1800)
    parts: list[str] = []
    size = 0
    while size < target:
        sentence = _sentence(rng, lexicon)
        parts.append(sentence)
        size += len(sentence) + 1
    return " ".join(parts)


def _note(rng: random.Random) -> str:
    lines = [rng.choice(_NOTE_LINES) for _ in range(rng.randint(1, 5))]
    return "\n".join(line.replace("{w}", "%s") % tuple(rng.choices(_WORDS, k=line.count("{w}"))) for line in lines)


def _stamp(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat()


def generate_papers(n: int, seed: int = DEFAULT_SEED) -> Iterator[Paper]:
    """Yield ``n`` validated papers; the same arguments always give the same papers."""
    rng = random.Random(seed)
    lexicon = _lexicon(seed)
    taken: set[str] = set()
    arxiv_seen: set[str] = set()
    statuses = [s for s, _ in _STATUSES]
    weights = [w for _, w in _STATUSES]
    for i in range(n):
        title = _title(rng, taken)
        published = date(2019, 1, 1) + timedelta(days=rng.randrange(7 * 365))
        arxiv_id = None
        if rng.random() < 0.85:
            while arxiv_id is None or arxiv_id in arxiv_seen:
                arxiv_id = f"{published:%y%m}.{rng.randrange(1, 99999):05d}"
            arxiv_seen.add(arxiv_id)
        organization = None
        authors: list[str] = []
        if rng.random() < 0.1:
            organization = rng.choice(_ORGS)[1]
        else:
            count = rng.choice((1, 2, 3, 4, 5, 6, 8, 12))
            authors = [f"{rng.choice(_FIRST)} {rng.choice(_LAST)}" for _ in range(count)]
        status = rng.choices(statuses, weights)[0]
        added = _EPOCH + timedelta(seconds=i * 600 + rng.randrange(600))
        updated = added + timedelta(seconds=rng.randrange(86400 * 30)) if status != "inbox" else added
        rating = rng.randint(1, 5) if status in ("read", "reading", "to-read") and rng.random() < 0.5 else 0
        tags = sorted(set(rng.sample(_TAGS, rng.randint(1, 3)))) if rng.random() < 0.4 else []
        note = _note(rng) if rng.random() < 0.1 else ""
        upvotes = rng.choice((0, 0, 1, 2, 3, 5, 8, 13, 21, 40, 90, 200))
        page = f"daily-papers-{published:%Y-%m-%d}.txt"
        yield Paper.create(
            title=title,
            arxiv_id=arxiv_id,
            abstract=_abstract(rng, lexicon),
            authors=authors,
            organization=organization,
            published=published.isoformat(),
            upvotes=upvotes,
            url=f"https://huggingface.co/papers/{arxiv_id}" if arxiv_id else None,
            status=status,
            rating=rating,
            tags=tags,
            note=note,
            added=_stamp(added),
            updated=_stamp(updated),
            read_at=_stamp(updated) if status == "read" else None,
            prev_status="to-read" if status == "read" else None,
            sources=[page],
        )


def write_library(papers: list[Paper], path: Path) -> None:
    """Write the papers as one snapshot through the store, so the file is exactly what readlist writes."""
    for stale in (path, path.with_name(path.name + ".journal")):
        stale.unlink(missing_ok=True)
    lib = Library(path)
    lib.papers = {paper.id: paper for paper in papers}
    lib.compact(force=True)


def hf_text(papers: list[Paper]) -> str:
    """The papers as a Daily Papers page copied as text (chrome, page date, then title/abstract/meta blocks)."""
    out = ["new", "Get trending papers in your email inbox!", "Subscribe", "Daily Papers",
           "byAK and the research community", "Dec 12"]
    for paper in papers:
        out.append(paper.title)
        out.append(paper.abstract)
        assert paper.published is not None
        day = date.fromisoformat(paper.published)
        when = f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"
        if paper.upvotes:
            when += f" {paper.upvotes}"
        if paper.organization:
            handle = next((h for h, name in _ORGS if name == paper.organization), "org")
            byline = f"{handle} {paper.organization}"
        else:
            count = len(paper.authors)
            byline = f"  • {count} author" + ("s" if count != 1 else "")
        out.append(f"{byline}\n·\n{when}")
    return "\n\n".join(out) + "\n"


def write_text_copies(papers: list[Paper], out: Path, n: int) -> list[Path]:
    """``daily-papers-N.txt``, or ``daily-papers-N-K.txt`` parts when one file would pass the 64 MB import limit."""
    for stale in out.glob(f"daily-papers-{n}*.txt"):
        stale.unlink()
    if len(papers) <= TEXT_PART:
        parts = [(out / f"daily-papers-{n}.txt", papers)]
    else:
        parts = [
            (out / f"daily-papers-{n}-{i // TEXT_PART + 1}.txt", papers[i : i + TEXT_PART])
            for i in range(0, len(papers), TEXT_PART)
        ]
    for path, chunk in parts:
        path.write_text(hf_text(chunk), encoding="utf-8")
    return [path for path, _ in parts]


def text_copies(out: Path, n: int) -> list[Path]:
    """The text copies ``write_text_copies`` wrote for N papers."""
    single = out / f"daily-papers-{n}.txt"
    parts = out.glob(f"daily-papers-{n}-*.txt")
    return [single] if single.exists() else sorted(parts, key=lambda p: int(p.stem.rsplit("-", 1)[1]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of papers")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output directory (default {DEFAULT_OUT})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    papers = list(generate_papers(args.n, args.seed))
    library = args.out / f"library-{args.n}.json"
    write_library(papers, library)
    texts = write_text_copies(papers, args.out, args.n)
    took = time.perf_counter() - start
    size = sum(t.stat().st_size for t in texts) / 1e6
    print(f"{library} ({library.stat().st_size / 1e6:.1f} MB), {len(texts)} text file(s) ({size:.1f} MB) "
          f"in {took:.1f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
