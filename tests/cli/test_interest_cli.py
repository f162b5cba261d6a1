"""`list --sort interest`, `show --json`'s interest and `related`, on the seed papers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from readlist.app.commands import SetStatus
from readlist.cli import main
from readlist.core.model import Paper, Status
from readlist.storage.library import Library


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args])


def decide(db: Path) -> tuple[list[str], list[str]]:
    """Keep the papers about reinforcement learning, skip a similar number of others."""
    lib = Library(db)
    rl = sorted(p.id for p in lib.papers.values() if "reinforcement" in (p.title + p.abstract).lower())
    other = sorted(p.id for p in lib.papers.values() if "reinforcement" not in (p.title + p.abstract).lower())
    kept, skipped = rl[: len(rl) // 2], other[:15]
    SetStatus(kept, "to-read").execute(lib)
    SetStatus(skipped, "skipped").execute(lib)
    lib.compact(force=True)
    return kept, skipped


def test_a_cold_start_falls_back_and_says_so(seed_library: Path) -> None:
    result = run(seed_library, "list", "--sort", "interest", "--json", "--limit", "5")
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert len(records) == 5 and all(r["interest"] == {"score": None} for r in records)
    # One line that says what is missing and which order was used instead, once.
    assert result.stderr.startswith("readlist: interest needs 10 decisions, 1 of them kept and 1 skipped")
    assert result.stderr.count("\n") == 1 and result.stderr.count("ordered by upvotes, then date") == 1
    upvotes = [r["upvotes"] or -1 for r in records]
    assert upvotes == sorted(upvotes, reverse=True)
    reverse = run(seed_library, "list", "--sort", "-interest", "--limit", "3")
    assert reverse.exit_code == 0 and "ordered by upvotes, then date, last first" in reverse.stderr


def test_a_cold_start_answers_without_vectorizing(seed_library: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Too few decisions for a model: the fallback order and the reason need no vectors (7-19 s at 100k papers)."""
    from readlist.app.stored_vectors import VectorStore
    from readlist.core.vectors import PaperVectors
    from readlist.storage.paths import vectors_path

    vectorized: list[str] = []

    def counted(name: str) -> object:
        def vectorize(*args: object, **kwargs: object) -> PaperVectors:
            vectorized.append(name)
            raise AssertionError("vectorized on a cold start")
        return vectorize

    monkeypatch.setattr(PaperVectors, "build", counted("build"))
    monkeypatch.setattr(VectorStore, "vectors_for", counted("vectors_for"))
    paper = next(iter(Library(seed_library).papers.values()))
    listed = run(seed_library, "list", "--sort", "interest", "--json", "--limit", "3")
    flipped = run(seed_library, "list", "--sort", "-interest", "--limit", "3")
    shown = run(seed_library, "show", paper.id, "--json")
    assert vectorized == []
    assert [r.exit_code for r in (listed, flipped, shown)] == [0, 0, 0], [listed.output, flipped.output, shown.output]
    assert all(r["interest"] == {"score": None} for r in json.loads(listed.stdout))
    assert "ordered by upvotes, then date, last first" in flipped.stderr
    interest = json.loads(shown.stdout)["interest"]
    assert (interest["score"], interest["because"], interest["baseline"]) == (None, [], None)
    assert interest["reason"].startswith("interest needs 10 decisions")
    assert not vectors_path(seed_library).exists()


def test_an_empty_library_or_no_row_asked_for_says_only_what_is_so(tmp_path: Path, seed_library: Path) -> None:
    Library(tmp_path / "empty.json").compact(force=True)  # a library file without papers
    empty = run(tmp_path / "empty.json", "list", "--sort", "interest")
    assert empty.exit_code == 0
    assert "interest needs" not in empty.output and "is empty" in empty.output
    none = run(seed_library, "list", "--limit", "0")
    assert none.exit_code == 0 and none.stdout == "" and "no papers match" not in none.stderr


def test_interest_order_scores_and_explanations(seed_library: Path) -> None:
    kept, _ = decide(seed_library)
    result = run(seed_library, "list", "--status", "inbox", "--sort", "interest", "--json")
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    scores = [r["interest"]["score"] for r in records]
    assert all(isinstance(s, float) and 0 <= s <= 1 for s in scores)
    assert scores == sorted(scores, reverse=True)
    top = records[: len(records) // 4]
    rl_share_top = sum("reinforcement" in (r["title"] + r["abstract"]).lower() for r in top) / len(top)
    rl_share_all = sum("reinforcement" in (r["title"] + r["abstract"]).lower() for r in records) / len(records)
    assert rl_share_top > rl_share_all  # what was kept rises to the top
    shown = json.loads(run(seed_library, "show", records[0]["id"], "--json").stdout)
    interest = shown["interest"]
    # One shape in both: show adds why to the score list gives.
    assert interest["score"] == records[0]["interest"]["score"] and interest["reason"] is None
    assert set(interest) == {"score", "because", "baseline", "reason"}
    assert interest["because"] and {"kind", "value", "direction", "weight"} <= set(interest["because"][0])
    flipped = json.loads(run(seed_library, "list", "--status", "inbox", "--sort", "-interest", "--json").stdout)
    flipped_scores = [r["interest"]["score"] for r in flipped]
    assert flipped_scores == sorted(flipped_scores) and len(flipped) == len(records)  # least interesting first
    assert kept  # the decisions themselves are untouched by ranking
    assert all(Library(seed_library).papers[pid].status == "to-read" for pid in kept)


def test_related_names_what_is_shared(seed_library: Path) -> None:
    lib = Library(seed_library)
    paper = next(p for p in lib.papers.values() if "compositional" in p.title.lower())
    result = run(seed_library, "related", paper.id, "--limit", "3", "--json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert len(found) == 3 and paper.id not in {r["id"] for r in found}
    assert all(r["reason"] and r["title"] for r in found)
    # Each says where it stands: kept and skipped papers look alike otherwise.
    SetStatus([found[0]["id"]], "skipped").execute(Library(seed_library))
    again = json.loads(run(seed_library, "related", paper.id, "--limit", "3", "--json").stdout)
    assert [r["status"] for r in again] == ["skipped", "inbox", "inbox"]
    scores = [r["score"] for r in found]
    assert scores == sorted(scores, reverse=True)
    text = run(seed_library, "related", paper.id, "--limit", "2")
    assert text.exit_code == 0 and f"{Status.SKIPPED.glyph} {found[0]['title']}" in text.stdout


def test_related_to_several_papers_is_the_apps_more_like_the_selection(seed_library: Path) -> None:
    """`related A B` finds what `m` on a selection of A and B finds: the papers most like both, never A or B."""
    from readlist.core.related import more_like
    from readlist.core.vectors import PaperVectors

    lib = Library(seed_library)
    seeds = sorted(p.id for p in lib.papers.values() if "reinforcement" in (p.title + p.abstract).lower())[:2]
    result = run(seed_library, "related", *seeds, "--limit", "8", "--json")
    assert result.exit_code == 0, result.output
    found = [r["id"] for r in json.loads(result.stdout)]
    expected = [r.paper_id for r in more_like(PaperVectors.build(list(lib.papers.values())), seeds, 8)]
    assert found == expected and len(found) == 8
    assert not set(found) & set(seeds)
    # An unknown id among them is an error that names it, as for every verb taking ids.
    bad = run(seed_library, "related", seeds[0], "nosuchpaper")
    assert bad.exit_code == 1 and "nosuchpaper" in bad.output


def test_commands_keep_the_vectors_and_answer_the_same_from_them(
    seed_library: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first command vectorizes the library and keeps the rows; the next ones read them and answer alike."""
    from readlist.app.imports import ImportPapers
    from readlist.core.vectors import PaperVectors
    from readlist.storage.paths import vectors_path

    decide(seed_library)
    lib = Library(seed_library)
    paper = next(p for p in lib.papers.values() if "compositional" in p.title.lower())
    asks = [("related", paper.id, "--limit", "4", "--json"), ("show", paper.id, "--json"),
            ("list", "--sort", "interest", "--json", "--limit", "20")]
    first = [run(seed_library, *ask) for ask in asks]
    assert all(r.exit_code == 0 for r in first), [r.output for r in first]
    assert vectors_path(seed_library).is_file()

    def no_build(*args: object, **kwargs: object) -> PaperVectors:
        raise AssertionError("the kept vectors were not used")

    monkeypatch.setattr(PaperVectors, "build", no_build)
    again = [run(seed_library, *ask) for ask in asks]
    assert [r.stdout for r in again] == [r.stdout for r in first]

    # A paper added since is vectorized on its own, and found: it has the same words.
    twin = Paper.create(title=paper.title + " revisited", abstract=paper.abstract, added="2025-12-20T00:00:00+00:00")
    ImportPapers([twin], "test").execute(Library(seed_library))
    found = json.loads(run(seed_library, *asks[0]).stdout)
    assert found[0]["id"] == twin.id

    # Without the file (deleted, as derived data may be), built anew and kept again.
    monkeypatch.undo()
    vectors_path(seed_library).unlink()
    rebuilt = json.loads(run(seed_library, *asks[0]).stdout)
    assert rebuilt[0]["id"] == twin.id
    assert vectors_path(seed_library).is_file()


def test_related_from_kept_vectors_never_loads_scikit_learn(seed_library: Path) -> None:
    """Reading rows back needs no vectorizer: `related` then skips importing scikit-learn (0.6 s of its time)."""
    import subprocess
    import sys

    paper = next(iter(Library(seed_library).papers.values()))
    first = run(seed_library, "related", paper.id, "--json")
    assert first.exit_code == 0
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from readlist.cli import main\n"
        f"r = CliRunner().invoke(main, ['--db', {str(seed_library)!r}, 'related', {paper.id!r}, '--json'])\n"
        "assert r.exit_code == 0, r.output\n"
        "sys.stderr.write(repr(sorted(m for m in sys.modules if m.split('.')[0] == 'sklearn')))\n"
        "sys.stdout.write(r.stdout)\n"
    )
    again = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert again.stderr == "[]"
    assert again.stdout == first.stdout


def test_a_kept_vectors_file_with_an_impossible_size_is_passed_over(seed_library: Path) -> None:
    """A damaged file beside the library (a size whose byte count wraps around in 64 bits) is rebuilt, and the
    commands answer as without it, instead of stopping with a traceback."""
    import struct

    import msgspec

    from readlist.core.vector_file import MAGIC
    from readlist.storage.paths import interest_scores_path, vectors_path

    decide(seed_library)
    paper = next(p for p in Library(seed_library).papers.values() if "compositional" in p.title.lower())
    asks = [("related", paper.id, "--json"), ("show", paper.id, "--json"), ("list", "--sort", "interest", "--json")]
    expected = [run(seed_library, *ask).stdout for ask in asks]
    path = vectors_path(seed_library)
    data = path.read_bytes()
    start = len(MAGIC) + 8
    (length,) = struct.unpack("<Q", data[len(MAGIC):start])
    header = msgspec.json.decode(data[start:start + length])
    header["arrays"][0][2] = [1 << 62, 4]  # the digests: 2**64 bytes, 0 in 64-bit arithmetic
    encoded = msgspec.json.encode(header)
    damaged = MAGIC + struct.pack("<Q", len(encoded)) + encoded
    damaged += b"\0" * (-len(damaged) % 8) + data[-(-(start + length) // 8) * 8:]
    for ask, output in zip(asks, expected, strict=True):
        path.write_bytes(damaged)
        # Scores kept by the commands before would answer `list` without the vectors: it must read them here.
        interest_scores_path(seed_library).unlink(missing_ok=True)
        result = run(seed_library, *ask)
        assert result.exit_code == 0, result.output
        assert result.stdout == output
        assert path.read_bytes() != damaged  # built anew and kept


def test_a_flipped_cold_start_keeps_papers_without_upvotes_or_a_date_last(seed_library: Path) -> None:
    """`--sort -interest` on a cold start is the fallback order flipped as `--sort -upvotes` flips: least upvoted
    and oldest first, the papers without upvotes or a date after them (they came first, a page of them)."""
    result = run(seed_library, "list", "--sort", "-interest", "--json")
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    counted = [r for r in records if r["upvotes"] is not None]
    assert counted and records[: len(counted)] == counted  # every paper with upvotes before any without
    upvotes = [r["upvotes"] for r in counted]
    assert upvotes == sorted(upvotes)
    least = [r["published"] for r in counted if r["upvotes"] == upvotes[0]]
    dated = [d for d in least if d]
    assert least[: len(dated)] == sorted(dated)  # oldest first, the undated after them
    rest = [r["published"] for r in records[len(counted):]]
    assert rest == sorted(d for d in rest if d) + [None] * rest.count(None)
    assert "ordered by upvotes, then date, last first" in result.stderr
    forward = json.loads(run(seed_library, "list", "--sort", "interest", "--json").stdout)
    assert sorted(r["id"] for r in forward) == sorted(r["id"] for r in records)
