"""`list --json` writes records straight from the papers; the bytes must be what encoding their dicts gives.

The fast path encodes each paper as a struct, cuts its bookkeeping fields off, and copies stored abstracts from
the library file without decoding them. These tests build a library full of hostile text and compare its output
with the straightforward code (``print_json`` of ``public_dict``) and with the file decoded by a plain JSON
parser, for every option of the command.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import msgspec
import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st

from readlist.app.session import Session
from readlist.app.views import status_view
from readlist.cli import main
from readlist.cli.list_cmds import write_records
from readlist.cli.output import json_bytes
from readlist.core.model import PUBLIC_FIELDS, Paper, StoredText, abstract_mark, public_json_array
from readlist.core.query import parse_query
from readlist.core.text import inert_json
from readlist.storage.library import Library

ESCAPES = "\x1b[2J\x1b]52;c;ZXZpbA==\x07\x9b31m\x1bPq\x1b\\\x7f\x00\x08\r"
BIDI = "\u202e\u2066\u2069\u202a"
WIDE = "\U0001f600 \U0001d538 e\u0301 \u6570\u636e \u2014 \u00a0"
# Text that looks like the JSON the fast path cuts and splits at.
LOOKALIKE = ',"prev_status":"read","changed":{},"added_order":1},{"id":"x","abstract": {}'
LONG = "A long abstract that stays in the library file and is read back when it is written. " * 3
RAW_UNSAFE = ["\x1b", "\x07", "\x9b", "\x7f", "\x00", "\x08", "\r", *BIDI]


def paper(n: int, **fields: Any) -> Paper:
    values: dict[str, Any] = {"id": f"2401.{n:05d}", "title": f"Paper {n}", "added_order": n,
                              "added": f"2025-01-{n % 28 + 1:02d}T10:00:00+00:00",
                              "updated": "2025-02-01T10:00:00+00:00", **fields}
    return Paper(**values)


def hostile_papers() -> list[Paper]:
    return [
        # A long plain abstract: kept in the file and copied as it is.
        paper(1, abstract=LONG, authors=["Ann Author", f"B{BIDI}idi"], tags=["rl", "agents"], upvotes=12,
              published="2024-05", categories=["cs.LG"], url="https://example.org/1"),
        # A long abstract full of escapes: kept in the file only where it is written exactly as encoding gives.
        paper(2, title=f"Hostile {ESCAPES}{BIDI} title",
              abstract=f"{LONG}{ESCAPES} \"quoted\" back\\slash\n{WIDE}{BIDI}",
              note=f"a note\nwith lines {ESCAPES}{BIDI}", status="read", prev_status="to-read",
              read_at="2025-03-01T00:00:00+00:00", rating=4,
              # Change times are kept by field name: "prev_status" is a key here too, after another one.
              changed={"note": "2025-03-01T00:00:00+00:00", "prev_status": "2025-03-01T00:00:00+00:00",
                       "status": "2025-03-01T00:00:00+00:00", "tags:odd\x1b": "2025-03-01T00:00:00+00:00"}),
        # Text that imitates the record's own structure, in the abstract and elsewhere.
        paper(3, title=LOOKALIKE, abstract=LONG + LOOKALIKE, note=LOOKALIKE, tags=[LOOKALIKE], aliases=["prev_status"],
              organization=WIDE, ai_keywords=["abstract", '"abstract": {}'], status="skipped"),
        # Short texts stay in memory.
        paper(4, abstract=f"short {ESCAPES}", title=WIDE, authors_count=3, status="to-read"),
        paper(5, abstract="", title="No abstract at all", cite_key="key5", doi="10.1/x", journal_ref=f"J {BIDI}"),
        paper(6, abstract=LONG + WIDE, title="Non-ASCII stored abstract", ai_summary=f"summary {ESCAPES}",
              github_repo="https://github.com/a/b", project_page="https://a.b", status="reading"),
    ]


@pytest.fixture()
def hostile_db(tmp_path: Path) -> Path:
    """The hostile papers in a library file, plus one paper that lives only in the journal (abstract in memory)."""
    db = tmp_path / "library.json"
    lib = Library(db)
    lib.papers = {p.id: p for p in hostile_papers()}
    lib.compact(force=True)
    lib = Library(db)
    with lib.transaction() as txn:
        txn.put(paper(7, abstract=LONG + ESCAPES + "journal", title=f"From the journal {BIDI}", note=WIDE))
    return db


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args], catch_exceptions=False)


def general_path(db: Path, status: str | None, query: str, sort: str, limit: int | None) -> bytes:
    """What ``list --json`` printed before it had a fast path: the public dicts of the selected papers."""
    papers = Session.open(db).select(status_view(status), parse_query(query, strict=True), sort)
    papers = papers if limit is None else papers[:limit]
    return json_bytes([p.public_dict() for p in papers]) + b"\n"


def from_the_file(db: Path) -> dict[str, dict[str, Any]]:
    """Every paper's documented record, read with a plain JSON parser from the file and its journal."""
    records = {pid: {name: rec.get(name) for name in PUBLIC_FIELDS} for pid, rec in
               json.loads(db.read_bytes())["papers"].items()}
    journal = db.with_name(db.name + ".journal")
    for line in journal.read_text(encoding="utf-8").splitlines()[1:]:
        for op in json.loads(line)["ops"]:
            record = op["put"]
            records[record["id"]] = {name: record.get(name) for name in PUBLIC_FIELDS}
    return records


OPTIONS = [
    ([], None, "", "added", None),
    (["--status", "read"], "read", "", "added", None),
    (["--query", "abstract"], None, "abstract", "added", None),
    (["--query", "-long year>=2024"], None, "-long year>=2024", "added", None),
    (["--sort", "title"], None, "", "title", None),
    (["--sort", "-added"], None, "", "-added", None),
    (["--sort", "upvotes", "--limit", "2"], None, "", "upvotes", 2),
    (["--limit", "0"], None, "", "added", 0),
    (["--query", "zzzz-nothing"], None, "zzzz-nothing", "added", None),
]


@pytest.mark.parametrize(("args", "status", "query", "sort", "limit"), OPTIONS)
def test_list_json_is_byte_identical_to_the_general_path(
    hostile_db: Path, args: list[str], status: str | None, query: str, sort: str, limit: int | None
) -> None:
    result = run(hostile_db, "list", "--json", *args)
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == general_path(hostile_db, status, query, sort, limit)
    records = json.loads(result.stdout_bytes)
    expected = from_the_file(hostile_db)
    assert [list(r) for r in records] == [list(PUBLIC_FIELDS)] * len(records)  # every field, in documented order
    assert records == [expected[r["id"]] for r in records]
    for bad in RAW_UNSAFE:
        assert bad not in result.stdout, f"{bad!r} reached the output raw"


def test_the_hostile_library_exercises_every_path(hostile_db: Path) -> None:
    """Stored abstracts (plain and escaped), abstracts in memory (short, journal) and the lookalike text are there."""
    lib = Library(hostile_db)
    held = {pid: isinstance(abstract_mark(p), StoredText) for pid, p in lib.papers.items()}
    assert held["2401.00001"] and held["2401.00002"] and held["2401.00003"] and held["2401.00006"]
    assert not held["2401.00004"] and not held["2401.00005"] and not held["2401.00007"]
    out = run(hostile_db, "list", "--json").stdout
    assert "\\u001b[2J" in out and "\\u009b31m" in out and "\\u202e" in out and "\\u007f" in out
    assert "\U0001f600" in out and "\\n" in out and LOOKALIKE.replace('"', '\\"') in out


def test_interest_members_follow_each_record(hostile_db: Path) -> None:
    lib = Library(hostile_db)
    papers = sorted(lib.papers.values(), key=lambda p: p.id)
    extra = {papers[0].id: {"interest": 0.75}, papers[2].id: {"interest": -0.125}}
    out = io.BytesIO()
    write_records(papers, out, extra=extra, extra_default={"interest": None})
    expected = [{**p.public_dict(), **extra.get(p.id, {"interest": None})} for p in papers]
    assert out.getvalue() == json_bytes(expected) + b"\n"


def test_list_json_sort_interest_matches_the_general_path(hostile_db: Path) -> None:
    from readlist.app.interest import rank

    result = run(hostile_db, "list", "--json", "--sort", "interest")
    assert result.exit_code == 0, result.output
    lib = Library(hostile_db)
    _, snapshot = rank(lib.papers.values())
    ranking = snapshot.order(Session.open(hostile_db).select(status_view(None), parse_query(""), "added"))
    scores = {pid: round(score, 4) for pid, score in ranking.scores.items()}
    expected = [{**p.public_dict(), "interest": {"score": scores.get(p.id)}} for p in ranking.papers]
    assert result.stdout_bytes == json_bytes(expected) + b"\n"


@pytest.mark.parametrize("n", [0, 1, 2, 5])
def test_public_json_array_encodes_the_public_dicts(hostile_db: Path, n: int) -> None:
    papers = sorted(Library(hostile_db).papers.values(), key=lambda p: p.id)[:n]
    assert public_json_array(papers) == msgspec.json.encode([p.public_dict() for p in papers])
    more = [msgspec.json.encode({"k": i})[:-1].replace(b"{", b",") for i in range(n)]
    assert msgspec.json.decode(public_json_array(papers, more)) == [{**p.public_dict(), "k": i}
                                                                     for i, p in enumerate(papers)]
    if papers:  # one record alone, as the array's only member
        assert public_json_array(papers[:1])[1:-1] == msgspec.json.encode(papers[0].public_dict())


def test_documented_fields_hold_no_objects() -> None:
    """``public_json_array`` finds where the bookkeeping fields start by their first key; no object may come before."""
    info = msgspec.inspect.type_info(Paper)
    assert isinstance(info, msgspec.inspect.StructType)
    allowed = (msgspec.inspect.StrType, msgspec.inspect.IntType, msgspec.inspect.NoneType, msgspec.inspect.LiteralType)

    def flat(t: msgspec.inspect.Type) -> list[msgspec.inspect.Type]:
        if isinstance(t, msgspec.inspect.UnionType):
            return [x for member in t.types for x in flat(member)]
        if isinstance(t, msgspec.inspect.ListType):
            return flat(t.item_type)
        return [t]

    fields = {f.name: f for f in info.fields}
    for name in PUBLIC_FIELDS:
        assert all(isinstance(t, allowed) for t in flat(fields[name].type)), name
    assert [f.name for f in info.fields][len(PUBLIC_FIELDS):] == ["prev_status", "changed", "added_order"]


def _replace_each(data: bytes) -> bytes:
    """The escaping as first written: one replace per character."""
    for c in [0x7F, *range(0x80, 0xA0), 0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]:
        data = data.replace(chr(c).encode(), f"\\u{c:04x}".encode())
    return data


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(st.sampled_from(["a", " ", "\x7f", "\x80", "\x9b", "\x9f", "\xa0", "\u2014", "\u2029",
                                         "\u202a", "\u202e", "\u202f", "\u2065", "\u2066", "\u2069", "\u206a",
                                         "\U0001f600", "\u00e9", '"', "\\", "\n"]))))
def test_inert_json_escapes_exactly_what_one_replace_per_character_did(texts: list[str]) -> None:
    data = msgspec.json.encode(texts)
    escaped = inert_json(data)
    assert escaped == _replace_each(data)
    assert msgspec.json.decode(escaped) == texts


def test_a_damaged_library_gives_the_same_one_line_error(hostile_db: Path) -> None:
    raw = hostile_db.read_bytes().replace(b'"rating":4', b'"rating":"four"')
    hostile_db.write_bytes(raw)
    result = run(hostile_db, "list", "--json")
    assert result.exit_code == 1 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "2401.00002" in lines[0] and "rating" in lines[0], result.stderr


def test_list_json_loads_only_what_listing_needs(hostile_db: Path) -> None:
    code = (
        "import sys, json\n"
        "from readlist.cli import main\n"
        "try:\n"
        f"    main(['--db', {str(hostile_db)!r}, 'list', '--json'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "sys.stdout.write('\\n' + json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = set(json.loads(out.splitlines()[-1]))
    assert "readlist.cli.list_cmds" in loaded
    # Other verbs, Rich (only human output needs it), the file lock (nothing is changed), citation keys.
    unneeded = ("readlist.cli.commands", "readlist.importers", "readlist.app.imports", "rich", "filelock",
                "readlist.core.citekeys", "textual", "sklearn", "httpx")
    assert not [m for m in loaded if m.startswith(unneeded)]


def program(db: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    """``python -m readlist``: the program, which ends at once after a verb that only read the library."""
    return subprocess.run([sys.executable, "-m", "readlist", "--db", str(db), *args], capture_output=True,
                          timeout=120, check=False)


def test_the_program_ends_after_all_of_its_output(hostile_db: Path) -> None:
    done = program(hostile_db, "list", "--json")
    assert done.returncode == 0 and done.stderr == b""
    assert done.stdout == run(hostile_db, "list", "--json").stdout_bytes


def test_the_program_still_says_what_opening_the_library_did(tmp_path: Path) -> None:
    """A library in the old layout is converted while it is opened: the notice is printed before the exit."""
    path = tmp_path / "library.json"
    table = {str(i): msgspec.to_builtins(p) for i, p in enumerate(hostile_papers(), start=1)}
    path.write_bytes(msgspec.json.encode({"_meta": {"1": {"format": "readlist", "schema": 1, "gen": 1}},
                                          "papers": table}))
    done = program(path, "list", "--json")
    assert done.returncode == 0, done.stderr
    assert done.stderr.decode().count("converted to the one-paper-per-line format") == 1
    again = run(path, "list", "--json")
    assert [r["id"] for r in json.loads(done.stdout)] == [r["id"] for r in json.loads(again.stdout)]
