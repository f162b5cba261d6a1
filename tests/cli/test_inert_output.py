"""Every command-line sink with a hand-written hostile library: human output marks, JSON escapes, exports strip."""

from __future__ import annotations

import json
import re
from pathlib import Path

import msgspec
import pytest
from click.testing import CliRunner, Result

from readlist.app.imports import ImportPapers
from readlist.cli import main
from readlist.core.model import Paper
from readlist.core.text import MARK
from readlist.storage.library import Library

EVIL = ("Evil \x1b]52;c;ZXZpbA==\x07\x1b]0;title\x07\x1b[2J\x9b31m\x9d0;t\x9c\x1bPdcs\x1b\\\x1b_apc\x1b\\"
        "\x00\x08\r\x7f\x85\u202eRTL\u2066x\u2069 line\u2028para\u2029 end")
# U+2028 and U+2029 break the line in some terminals, and for a reader that splits the output into lines.
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
PID = "2404.00001"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "library.json"
    lib = Library(path)
    ImportPapers([Paper.create(title="placeholder", arxiv_id=PID)], "t").execute(lib)
    lib.compact(force=True)
    data = msgspec.json.decode(path.read_bytes())
    next(iter(data["papers"].values())).update(
        title=EVIL, abstract=EVIL + "\nline two", note=EVIL, organization=EVIL, authors=[EVIL], sources=[EVIL],
        categories=[EVIL], url="http://x/" + EVIL, tags=["t" + EVIL], journal_ref=EVIL,
    )
    path.write_bytes(msgspec.json.encode(data))
    return path


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args])


def assert_inert(text: str, where: str) -> None:
    bad = sorted({f"U+{ord(c):04X}" for c in FORBIDDEN.findall(text)})
    assert not bad, f"{where}: {bad}"


@pytest.mark.parametrize("args", [["list"], ["show", PID], ["note", PID], ["stats"], ["doctor"]], ids=" ".join)
def test_human_output_shows_a_mark_for_each_escape(db: Path, args: list[str]) -> None:
    result = run(db, *args)
    assert_inert(result.stdout + result.stderr, " ".join(args))
    if args[0] != "doctor":
        assert result.exit_code == 0, result.output
        assert MARK in result.stdout and "Evil" in result.stdout


@pytest.mark.parametrize(
    "args",
    [["list", "--json"], ["show", PID, "--json"], ["note", PID, "--json"], ["stats", "--json"],
     ["tag", PID, "+new", "--json"], ["mark", PID, "read", "--json"], ["rate", PID, "3", "--json"]],
    ids=" ".join,
)
def test_json_output_escapes_and_keeps_the_data(db: Path, args: list[str]) -> None:
    result = run(db, *args)
    assert result.exit_code == 0, result.output
    assert_inert(result.stdout, " ".join(args))
    assert "\\u009b" in result.stdout or args[0] == "stats"  # escaped, not dropped
    if args[0] in ("show", "list"):
        assert "\\u2028" in result.stdout and "\\u2029" in result.stdout
    assert result.stdout.splitlines() == result.stdout.split("\n")[:-1]  # Unicode's line breaks are newlines only
    json.loads(result.stdout)


@pytest.mark.parametrize("fmt", ["json", "csv", "markdown", "bibtex"])
def test_every_export_format_is_inert(db: Path, tmp_path: Path, fmt: str) -> None:
    result = run(db, "export", "--format", fmt)
    assert result.exit_code == 0, result.output
    assert_inert(result.stdout, f"export {fmt}")
    out = tmp_path / f"out.{fmt}"
    assert run(db, "export", "--format", fmt, "-o", str(out)).exit_code == 0
    assert_inert(out.read_text(encoding="utf-8"), f"export {fmt} -o")


@pytest.mark.parametrize("fmt", ["bibtex", "biblatex", "markdown", "text"])
def test_every_citation_format_is_inert(db: Path, fmt: str) -> None:
    result = run(db, "cite", PID, "--format", fmt)
    assert result.exit_code == 0, result.output
    assert_inert(result.stdout, f"cite {fmt}")
