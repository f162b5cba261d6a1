"""``readlist cite`` and ``readlist export`` as a user runs them, against a real library file."""

from __future__ import annotations

import csv
import errno
import html
import io
import json
import re
import shutil
import subprocess
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path

import bibtexparser
import hypothesis
import pyperclip
import pytest
from click.testing import CliRunner, Result
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from readlist.app import clipboard
from readlist.app.commands import Rate, SetKey, SetStatus
from readlist.app.imports import ImportPapers
from readlist.app.notes import SaveNote
from readlist.cli import main
from readlist.cli.cite_cmds import csv_cell, export_markdown, render_export
from readlist.core import cite
from readlist.core.model import FIELD_NAMES, PUBLIC_FIELDS, Paper
from readlist.core.reference import Reference
from readlist.importers import parse_input
from readlist.storage import atomic
from readlist.storage.library import Library

DATA_FACTORS = "t-7841505005"  # "Data Factors for Better Compositional Generalization"
FIXTURES = Path(__file__).parent.parent / "fixtures"
PAGES = FIXTURES / "pages"
SEEDS = sorted((FIXTURES / "seeds").glob("*.txt"))
SEED_TODAY = date(2025, 12, 20)


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args], catch_exceptions=False)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed library plus a hostile paper and some user data; built once, only read by the tests."""
    path = tmp_path_factory.mktemp("export") / "library.json"
    lib = Library(path)
    for seed in SEEDS:
        ImportPapers(parse_input(seed.read_bytes(), source=seed.name, today=SEED_TODAY).papers, seed.name).execute(lib)
    hostile = Paper.create(
        title="=HYPERLINK(\"http://evil\") \x1b[31mRed\x1b[0m {Braces} & 100%",
        authors=["Ada Lovelace", "@attacker"],
        arxiv_id="2401.00001",
        published="2024-01-02",
        url="https://arxiv.org/abs/2401.00001",
        added="2025-01-01T00:00:00+00:00",
    )
    ImportPapers([hostile], "test").execute(lib)
    SetStatus([DATA_FACTORS], "read").execute(lib)
    Rate([DATA_FACTORS], 4).execute(lib)
    SaveNote(DATA_FACTORS, "- great on *SCAN*\n\nsecond paragraph").execute(lib)
    SetStatus(["2401.00001"], "to-read").execute(lib)
    lib.compact(force=True)
    return path


def test_cite_prints_bibtex_for_a_prefix(db: Path) -> None:
    result = run(db, "cite", "t-78415")
    assert result.exit_code == 0, result.output
    # No author names in the source: the key starts with the title, never a placeholder such as "anon".
    assert result.stdout.startswith(
        "@misc{data2023factors,\n  title = {Data Factors for Better Compositional Generalization},"
    )
    assert "note = {3 authors; names not recorded in the source}" in result.stdout
    assert result.stderr == ""


def test_cite_several_formats(db: Path) -> None:
    for fmt, start in [("biblatex", "@misc{"), ("markdown", "- "), ("text", ""), ("csl-json", "[\n"),
                       ("ris", "TY  - UNPB\n")]:
        result = run(db, "cite", DATA_FACTORS, "2401.00001", "--format", fmt)
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith(start)
        assert "\x1b" not in result.stdout


def test_cite_unknown_and_ambiguous_ids_fail_clearly(db: Path) -> None:
    result = run(db, "cite", "nope")
    assert result.exit_code == 1 and "no paper with id 'nope'" in result.stderr
    result = run(db, "cite", "t-1b")  # four seed papers' ids begin so
    assert result.exit_code == 1 and "ambiguous" in result.stderr
    assert run(db, "cite").exit_code == 2


def test_cite_copy_reports_the_route(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copied: list[str] = []

    def copy_wl(text: str) -> None:
        copied.append(text)

    monkeypatch.delenv("SSH_CONNECTION", raising=False)
    monkeypatch.delenv("SSH_TTY", raising=False)
    monkeypatch.delenv("SSH_CLIENT", raising=False)
    monkeypatch.setattr(pyperclip, "copy", copy_wl)
    result = run(db, "cite", DATA_FACTORS, "--copy")
    assert result.exit_code == 0
    assert copied == [result.stdout]
    assert result.stderr.strip() == "Copied 1 citation with wl-copy"


def test_cite_copy_json_says_whether_it_was_copied(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A script saw only stderr say that nothing was copied: exit 0 and the same JSON either way."""
    def missing(text: str) -> None:
        raise pyperclip.PyperclipException("no mechanism")

    monkeypatch.setattr(pyperclip, "copy", missing)
    monkeypatch.setattr(clipboard, "tty_osc52_writer", lambda path="/dev/tty": None)
    result = run(db, "cite", DATA_FACTORS, "--copy", "--json")
    assert result.exit_code == 0
    answer = json.loads(result.stdout)
    assert answer["copied"] is False and answer["text"].startswith("@")
    assert "nothing was copied" in result.stderr
    monkeypatch.setattr(pyperclip, "copy", lambda text: None)
    monkeypatch.delenv("SSH_CONNECTION", raising=False)
    monkeypatch.delenv("SSH_TTY", raising=False)
    monkeypatch.delenv("SSH_CLIENT", raising=False)
    assert json.loads(run(db, "cite", DATA_FACTORS, "--copy", "--json").stdout)["copied"] is True
    assert "copied" not in json.loads(run(db, "cite", DATA_FACTORS, "--json").stdout)


def test_cite_copy_without_any_clipboard_still_prints(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(text: str) -> None:
        raise pyperclip.PyperclipException("no mechanism")

    monkeypatch.setattr(pyperclip, "copy", missing)
    monkeypatch.setattr(clipboard, "tty_osc52_writer", lambda path="/dev/tty": None)
    result = run(db, "cite", DATA_FACTORS, "-c", "-f", "markdown")
    assert result.exit_code == 0
    assert result.stdout == "Data Factors for Better Compositional Generalization — 3 authors, 2023\n"
    assert "nothing was copied" in result.stderr


# ---------------------------------------------------------------------------
# export


def test_bibtex_export_parses_and_is_reproducible(db: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a.bib", tmp_path / "b.bib"
    result = run(db, "export", "-o", str(first))
    assert result.exit_code == 0, result.output
    assert "Wrote 197 papers to" in result.stderr
    run(db, "export", "--format", "bibtex", "-o", str(second))
    assert first.read_bytes() == second.read_bytes()
    library = bibtexparser.parse_string(first.read_text())
    assert not library.failed_blocks and len(library.entries) == 197
    assert len({e.key for e in library.entries}) == 197


def test_every_format_is_deterministic_and_inert(db: Path) -> None:
    for fmt in ("bibtex", "biblatex", "csl-json", "ris", "text", "json", "csv", "markdown"):
        one, two = run(db, "export", "-f", fmt), run(db, "export", "-f", fmt)
        assert one.exit_code == 0, one.output
        assert one.stdout == two.stdout
        assert "\x1b" not in one.stdout


def test_json_export_is_the_whole_record_sorted_by_id(db: Path) -> None:
    """The documented record first, as `list --json` prints it, then what the library keeps for itself."""
    records = json.loads(run(db, "export", "-f", "json").stdout)
    assert [r["id"] for r in records] == sorted(r["id"] for r in records)
    listed = json.loads(run(db, "list", "--json").stdout)
    public = [{name: r[name] for name in PUBLIC_FIELDS} for r in records]
    assert public == sorted(listed, key=lambda r: r["id"])
    assert all(list(r) == list(FIELD_NAMES) for r in records)
    stored = Library(db).papers
    assert [r["changed"] for r in records] == [stored[r["id"]].changed for r in records]
    assert any(r["changed"] for r in records)


def test_csv_export_has_header_joined_lists_and_no_formulas(db: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(run(db, "export", "-f", "csv").stdout)))
    assert len(rows) == 197
    hostile = next(r for r in rows if r["id"] == "2401.00001")
    assert hostile["title"].startswith("'=HYPERLINK")
    assert "\x1b" not in hostile["title"]
    assert hostile["authors"] == "Ada Lovelace; @attacker"
    assert hostile["rating"] == "0" and hostile["tags"] == ""
    noted = next(r for r in rows if r["id"] == DATA_FACTORS)
    assert noted["note"] == "'- great on *SCAN*\n\nsecond paragraph"
    assert csv_cell(["@a", "b"]) == "'@a; b"
    assert csv_cell(None) == "" and csv_cell(-3) == "-3"


@pytest.mark.parametrize("separator", ["\u2028", "\u2029"])
def test_a_line_separator_in_a_one_line_field_is_a_space_in_csv_as_in_every_format(
    tmp_path: Path, separator: str
) -> None:
    """A hand-made library's title or venue holding U+2028 or U+2029 was a line break inside the CSV cell (a
    two-line title in a spreadsheet), while BibTeX, RIS, text and Markdown write a space, as the README says."""
    path = tmp_path / "library.json"
    lib = Library(path)
    ImportPapers([Paper.create(title="Line one Line two", authors=["Ada Lovelace"], arxiv_id="2401.00001",
                               published="2024-01-02", journal_ref="Venue part", organization="Org part")],
                 "test").execute(lib)
    lib.compact(force=True)
    escaped = json.dumps(separator)[1:-1]  # as a hand edit of the file writes it
    text = path.read_text(encoding="utf-8")
    for clean in ("Line one Line two", "Venue part", "Org part"):
        text = text.replace(clean, clean.replace(" ", escaped, 1))
    path.write_text(text, encoding="utf-8")
    assert Library(path).papers["2401.00001"].title == f"Line{separator}one Line two"
    exported = run(path, "export", "-f", "csv").stdout
    assert exported.count("\n") == 2  # the header and one row: no line break inside a cell
    row = next(csv.DictReader(io.StringIO(exported)))
    assert (row["title"], row["journal_ref"], row["organization"]) == ("Line one Line two", "Venue part", "Org part")
    assert "TI  - Line one Line two\n" in run(path, "export", "-f", "ris").stdout
    assert "Line one Line two" in run(path, "export", "-f", "text").stdout


def test_markdown_reading_list_is_grouped_by_status(db: Path) -> None:
    out = run(db, "export", "-f", "markdown").stdout
    assert out.startswith("# Reading list\n")
    sections = [line for line in out.splitlines() if line.startswith("## ")]
    assert sections == ["## Inbox (195)", "## To read (1)", "## Read (1)"]
    assert (
        "- Data Factors for Better Compositional Generalization — 3 authors, 2023 ★★★★☆\n"
        "  > - great on *SCAN*\n  >\n  > second paragraph\n"
    ) in out
    assert "\x1b" not in out


def test_query_and_status_filters(db: Path, tmp_path: Path) -> None:
    records = json.loads(run(db, "export", "-f", "json", "--status", "read").stdout)
    assert [r["id"] for r in records] == [DATA_FACTORS]
    records = json.loads(run(db, "export", "-f", "json", "--query", "rating>=4").stdout)
    assert [r["id"] for r in records] == [DATA_FACTORS]
    result = run(db, "export", "--query", "rating>=lots")
    assert result.exit_code == 2 and "needs a number" in result.stderr


def test_empty_export_never_clobbers_a_file(db: Path, tmp_path: Path) -> None:
    target = tmp_path / "keep.bib"
    target.write_text("precious")
    result = run(db, "export", "--query", "zzzznotthere", "-o", str(target))
    assert result.exit_code == 1 and "was not written" in result.stderr
    assert target.read_text() == "precious"
    result = run(db, "export", "-f", "json", "--query", "zzzznotthere")
    assert result.exit_code == 0 and result.stdout == "[]\n" and "no papers match" in result.stderr


@pytest.mark.parametrize("through_a_link", [False, True])
def test_an_export_to_a_read_only_file_is_refused_and_leaves_it_as_it_was(
    db: Path, tmp_path: Path, through_a_link: bool
) -> None:
    """`export -o ro.bib` with ro.bib made read-only (0444) replaced it by rename, which only asks the folder, and
    left it 0600. It is refused in one line, the file as it was; root, whom no permission stops, is refused too."""
    target = tmp_path / "ro.bib"
    target.write_text("precious")
    target.chmod(0o444)
    named = target
    if through_a_link:
        named = tmp_path / "link.bib"
        named.symlink_to(target)
    result = run(db, "export", "-o", str(named))
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == (f"readlist: cannot write {named}: it is read-only (mode 444); it was left as it is. "
                             f"Make it writable (`chmod u+w {named}`) or write to another file\n")
    assert target.read_text() == "precious" and target.stat().st_mode & 0o777 == 0o444
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted({"ro.bib", named.name})  # no temporary file left
    target.chmod(0o644)
    assert run(db, "export", "-o", str(named)).exit_code == 0 and target.read_text().startswith("@")


def test_an_export_keeps_the_mode_of_the_file_it_replaces_and_makes_a_new_one_private(db: Path, tmp_path: Path) -> None:
    """A .bib shared with a group (0640) became 0600 on the next export, unreadable to the group."""
    shared = tmp_path / "shared.bib"
    shared.write_text("old")
    shared.chmod(0o640)
    assert run(db, "export", "-o", str(shared)).exit_code == 0
    assert shared.read_text().startswith("@") and shared.stat().st_mode & 0o777 == 0o640
    new = tmp_path / "new.bib"
    assert run(db, "export", "-o", str(new)).exit_code == 0
    assert new.stat().st_mode & 0o777 == 0o600


def test_an_output_that_names_no_file_is_a_usage_error(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`-o ''` (an empty shell variable) failed with "cannot write .: Device or resource busy", and `-o new/` (a
    folder meant, that does not exist) wrote a file named `new`. Both name no file: said so, nothing written."""
    monkeypatch.chdir(tmp_path)
    for given in ("", "new/", f"{tmp_path}/new/"):
        result = run(db, "export", "-f", "bibtex", "-o", given)
        assert result.exit_code == 2, (given, result.output)
        assert "Invalid value for '--output'" in result.stderr and "\n" not in result.stderr.strip(), result.stderr
    assert list(tmp_path.iterdir()) == []


def test_help_has_examples(db: Path) -> None:
    for command in ("cite", "export"):
        result = run(db, command, "--help")
        assert result.exit_code == 0 and "Examples:" in result.stdout and f"readlist {command}" in result.stdout


def test_fixture_pages_export_when_importers_exist(tmp_path: Path) -> None:
    db = tmp_path / "pages.json"
    result = run(db, "import", *map(str, sorted(PAGES.glob("*.html"))), "--year", str(date(2025, 12, 20).year))
    if result.exit_code != 0:
        pytest.skip("HTML importers not available yet")
    out = run(db, "export").stdout
    library = bibtexparser.parse_string(out)
    assert not library.failed_blocks
    assert any("author" in e.fields_dict for e in library.entries)
    assert "eprint = {2106.09608}" in out


def test_markdown_keeps_note_indentation_and_drops_escape_sequences() -> None:
    paper = Paper(**
        {
            "id": "2401.00009",
            "arxiv_id": "2401.00009",
            "title": "Title \x1b]8;;http://evil\x07with link\x1b]8;;\x07",
            "note": "- point\n\n      code block\x1b[2J\n\x1b]52;c;QUFBQQ==\x07done",
            "status": "reading",
            "rating": 3,
            "tags": ["rl"],
        }
    )
    out = export_markdown([paper])
    assert out == (
        "# Reading list\n\n## Reading (1)\n\n"
        "- [Title with link](https://arxiv.org/abs/2401.00009) — 2024 ★★★☆☆ `#rl`\n"  # the year its arXiv id gives
        "  > - point\n  >\n  >       code block\n  > done\n"
    )


# ---------------------------------------------------------------------------
# citation formats in exports, keys, user data


def test_biblatex_csl_and_ris_exports_cover_every_paper(db: Path) -> None:
    biblatex = bibtexparser.parse_string(run(db, "export", "-f", "biblatex").stdout)
    assert not biblatex.failed_blocks and len(biblatex.entries) == 197
    assert {e.entry_type for e in biblatex.entries} == {"online", "misc"}
    items = json.loads(run(db, "export", "-f", "csl-json").stdout)
    assert len(items) == 197 and all(item["type"] == "article" for item in items)
    assert [i["id"] for i in items] == [e.key for e in biblatex.entries]  # one set of keys for every format
    ris = run(db, "export", "-f", "ris").stdout
    assert ris.count("TY  - UNPB\n") == ris.count("\nER  - ") == 197
    text = run(db, "export", "-f", "text").stdout.splitlines()
    assert len(text) == 197 and "Data Factors for Better Compositional Generalization. (2023)." in text


def test_user_data_goes_out_only_when_asked(db: Path) -> None:
    plain = run(db, "cite", DATA_FACTORS, "2401.00001")
    assert plain.exit_code == 0
    assert "annote" not in plain.stdout and "readlist-rating" not in plain.stdout
    rich = run(db, "cite", DATA_FACTORS, "--with-user-data").stdout
    assert "annote = {- great on *SCAN*\n\nsecond paragraph}" in rich
    assert "readlist-rating = {4}" in rich and "readlist-status = {read}" in rich
    items = json.loads(run(db, "export", "-f", "csl-json", "--status", "read", "--with-user-data").stdout)
    assert items[0]["annote"] == "- great on *SCAN*\n\nsecond paragraph"
    assert items[0]["custom"] == {"readlist-status": "read", "readlist-rating": 4}
    ris = run(db, "export", "-f", "ris", "--status", "read", "--with-user-data").stdout
    assert "N1  - - great on *SCAN*\n\nsecond paragraph\nER  - " in ris


def test_user_data_round_trips_into_a_new_library(db: Path, tmp_path: Path) -> None:
    target = tmp_path / "export.bib"
    assert run(db, "export", "--with-user-data", "-o", str(target)).exit_code == 0
    fresh = tmp_path / "fresh.json"
    result = run(fresh, "import", str(target))
    assert result.exit_code == 0, result.output
    before = {r["id"]: r for r in json.loads(run(db, "list", "--json").stdout)}
    after = {r["id"]: r for r in json.loads(run(fresh, "list", "--json").stdout)}
    assert before.keys() == after.keys()
    fields = ("title", "abstract", "authors", "authors_count", "organization", "published", "upvotes", "url",
              "arxiv_id", "tags", "note", "rating", "status")
    changed = [(pid, f) for pid in before for f in fields if before[pid][f] != after[pid][f]]
    assert changed == []


def test_old_style_categories_round_trip_into_a_new_library(tmp_path: Path) -> None:
    """The real arXiv API answer holds hep-ph/0301050 and gr-qc/0103067: their categories come back."""
    library, fresh, target = tmp_path / "library.json", tmp_path / "fresh.json", tmp_path / "x.bib"
    assert run(library, "import", str(PAGES / "arxiv-api-query-testing.xml")).exit_code == 0
    assert run(library, "export", "-f", "bibtex", "--with-user-data", "-o", str(target)).exit_code == 0
    assert "primaryClass = {hep-ph}" in target.read_text()
    result = run(fresh, "import", str(target))
    assert result.exit_code == 0, result.output
    before = {r["id"]: r["categories"] for r in json.loads(run(library, "list", "--json").stdout)}
    after = {r["id"]: r["categories"] for r in json.loads(run(fresh, "list", "--json").stdout)}
    assert before["hep-ph/0301050"] == ["hep-ph"] and before["gr-qc/0103067"] == ["gr-qc"]
    assert after == before


def test_stored_keys_are_used_and_new_keys_avoid_them(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    lib = Library(path)
    ImportPapers([
        Paper.create(title="Scaling Laws", authors=["A Smith"], arxiv_id="2001.00001"),
        Paper.create(title="Scaling Up", authors=["B Smith"], arxiv_id="2001.00002"),
    ], "test").execute(lib)
    SetKey("2001.00002", "smith2020scaling").execute(lib)
    out = run(path, "export").stdout
    assert "@misc{smith2020scaling,\n  title = {Scaling Up}" in out
    assert "@misc{smith2020scalinga,\n  title = {Scaling Laws}" in out  # the stored key is taken
    cited = run(path, "cite", "2001.00001", "-f", "csl-json").stdout
    assert json.loads(cited)[0]["id"] == "smith2020scalinga"  # citing one paper gives the key the export gave


def test_export_help_lists_the_formats(db: Path) -> None:
    result = run(db, "export", "--help")
    for fmt in ("bibtex", "biblatex", "csl-json", "ris", "markdown", "text", "json", "csv", "--with-user-data"):
        assert fmt in result.stdout


def test_cite_and_export_take_json_with_the_same_text(db: Path) -> None:
    plain = run(db, "cite", DATA_FACTORS, "--format", "ris").stdout
    cited = json.loads(run(db, "cite", DATA_FACTORS, "--format", "ris", "--json").stdout)
    assert cited["format"] == "ris"
    assert cited["text"] == plain
    key = cited["keys"][DATA_FACTORS]
    assert f"ID  - {key}\n" in plain
    exported = json.loads(run(db, "export", "-f", "bibtex", "--status", "read", "--json").stdout)
    assert exported["format"] == "bibtex" and exported["papers"] == 1 and exported["output"] is None
    assert exported["text"] == run(db, "export", "-f", "bibtex", "--status", "read").stdout
    assert exported["text"].startswith("@misc{" + key + ",")


def test_a_note_in_the_markdown_export_keeps_its_markdown_but_no_script_link_or_bidi_reference() -> None:
    """A note from a shared library is untrusted: a Markdown viewer must not run or reorder anything in it."""
    note = ("see [the paper](https://arxiv.org/abs/2401.00009) and [x](javascript:alert(1)), <vbscript:run>,\n"
            '<a href="data:text/html,evil">a</a> ![i](DATA:image/png;base64,AA) &#x202E;reversed&#x202c; '
            "caf&#233; &#8238; (data: 5 samples) [by reference][r] [other][s] [3]: see above\n\n"
            "[r]: javascript:alert(6)\n> [s]:\n>   <File:///etc/passwd>")
    paper = Paper.create(title="T", arxiv_id="2401.00009", note=note)
    out = export_markdown([paper])
    assert "[the paper](https://arxiv.org/abs/2401.00009)" in out and "caf&#233;" in out
    assert "(data: 5 samples)" in out  # prose is prose
    assert "[3]: see above" in out  # a definition of no script stays as it is
    for scheme in ("javascript:", "vbscript:", "data:text", "DATA:image", "File:"):
        assert scheme not in out, scheme
    assert "[x](javascript%3Aalert(1))" in out and '&lt;a href="data%3Atext/html,evil">' in out
    assert "&#x202E;" not in out.replace("&amp;#x202E;", "") and "&amp;#8238;" in out


def _script_hrefs(markdown: str) -> list[str]:
    """Every link address a CommonMark viewer without a link validator (pandoc, a bare markdown-it) makes of
    ``markdown`` that a browser would run as a script or open as a local file."""
    viewer = MarkdownIt("commonmark")
    viewer.validateLink = lambda url: True
    addresses = [html.unescape(a) for a in re.findall(r'(?:href|src)="([^"]*)"', viewer.render(markdown))]
    return [a for a in addresses if re.match(r"(?:javascript|vbscript|data|file):",
                                            re.sub(r"[\x00-\x20]", "", a).lower())]


@pytest.mark.parametrize("note", [
    "[a](java&#x73;cript:alert(1)) [b](&#106;avascript:alert(2)) [c][r]\n\n[r]: &#x6A;avascript:alert(3)",
    "[a](javascript&#58;alert(1)) [b](javascript&#x3A;x) [c](javascript&colon;x) [d](JaVaScRiPt:x)",
    "[a](java&#9;script:alert(1)) [b](&#32;javascript:x) [c](<java&Tab;script:x>) [d](&#x56;bscript:x)",
    "[a](&#100;ata:text/html,x) [b](fil&#x65;:///etc/passwd) ![i](d&#97;ta:image/png;base64,AA)",
    "- [r]: javascript:alert(1)\n\n[x][r]",
    "1. [q]: &#x6A;avascript:alert(1)\n\n> * [s]:\n>   java&#x73;cript:x\n\n[y][q] [z][s]",
])
def test_a_script_link_spelled_with_character_references_loses_its_scheme(note: str) -> None:
    """A viewer decodes references in a link's address (``java&#x73;cript:``) and ignores the case of its
    scheme: the export's link filter reads the scheme as the viewer will."""
    assert _script_hrefs(note)  # the note as written would run a script in such a viewer
    out = export_markdown([Paper.create(title="T", arxiv_id="2401.00009", note=note)])
    assert _script_hrefs(out) == []
    assert "%3A" in out


def test_links_that_are_no_script_keep_their_colon() -> None:
    note = "[a](https://x.org/a:b) see: [b](mailto:x@y.org) &amp; co: [c](#x) [d](<data-sheet.pdf>) caf&#233;: ok"
    out = export_markdown([Paper.create(title="T", arxiv_id="2401.00009", note=note)])
    assert note in out


_JAVASCRIPT_LETTER = st.sampled_from(["{c}", "{u}", "&#{d};", "&#x{x};", "&#X{X};", "&#0{d};", "&Tab;{c}", "{c}&#10;"])


@hypothesis.given(st.lists(_JAVASCRIPT_LETTER, min_size=10, max_size=10),
       st.sampled_from([":", "&#58;", "&#x3a;", "&#X3A;", "&colon;", "&#0058;"]),
       st.sampled_from(["[a]({})", "[a](<{}>)", "![a]({})", "[a][r]\n\n[r]: {}", "- [a][r]\n- [r]: {}",
                        "> [a][r]\n>\n> [r]:\n>   <{}>", "[a](\n{} 'title')"]))
def test_no_spelling_of_javascript_survives_the_markdown_export(letters: list[str], colon: str, form: str) -> None:
    scheme = "".join(
        spelling.format(c=c, u=c.upper(), d=ord(c), x=f"{ord(c):x}", X=f"{ord(c):X}")
        for spelling, c in zip(letters, "javascript", strict=True)
    )
    note = "see " + form.format(scheme + colon + "alert(1)")
    out = export_markdown([Paper.create(title="T", arxiv_id="2401.00009", note=note)])
    assert _script_hrefs(out) == []


@pytest.mark.parametrize("html", ["<img src=x onerror=alert(1)>", "<IMG\nSRC=x\nonerror=alert(1)>",
                                  "<img/src=x/onerror=alert(1)>", "<svg/onload=alert(1)>",
                                  "<script>alert(1)</script>", "<iframe srcdoc='x'></iframe>",
                                  "<details open ontoggle=alert(1)>"])
def test_raw_html_that_would_run_in_a_viewer_is_written_as_text(html: str, tmp_path: Path) -> None:
    """A note imported with a .bib file's ``annote`` is someone else's text: an ``onerror`` handler in it ran in
    the HTML that pandoc makes of the reading list. Written as text, it shows as typed; plain tags stay."""
    note = f"before {html} after, x<sub>2</sub> and a <br> in between, <https://arxiv.org>"
    paper = Paper.create(title="T", arxiv_id="2401.00009", note=note)
    out = export_markdown([paper])
    assert "&lt;" + html[1:].split("\n")[0] in out
    assert "x<sub>2</sub> and a <br> in between, <https://arxiv.org>" in out
    if shutil.which("pandoc"):
        path = tmp_path / "list.md"
        path.write_text(out, encoding="utf-8")
        page = subprocess.run(["pandoc", "-f", "markdown", "-t", "html", str(path)], capture_output=True,
                              text=True, check=True).stdout
        assert not re.search(r"<(img|svg|script|iframe|details)\b", page, re.IGNORECASE), page
        assert "<sub>2</sub>" in page


# ---------------------------------------------------------------------------
# large exports: written as they are made, still atomically

STREAMED_FORMATS = ("bibtex", "biblatex", "csl-json", "ris", "csv", "json", "markdown")


@pytest.fixture(scope="module")
def big_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2,500 papers with abstracts of real length: exports of several megabytes."""
    path = tmp_path_factory.mktemp("big") / "library.json"
    words = "we propose a scalable method for reasoning agents with Long-Context memory and 3D priors".split()
    papers = [
        Paper.create(
            title=f"Paper {n}: {' '.join(words[n % 7: n % 7 + 6]).title()} for LLaMA-{n % 13}",
            abstract=" ".join(words[(n + i) % len(words)] for i in range(220)),
            authors=[f"Author {n % 97}", f"Other Person{n % 31}"],
            arxiv_id=f"24{n % 12 + 1:02d}.{n:05d}",
            published=f"2024-{n % 12 + 1:02d}-{n % 28 + 1:02d}",
            added="2025-01-01T00:00:00+00:00",
        )
        for n in range(2500)
    ]
    lib = Library(path)
    ImportPapers(papers, "test").execute(lib)
    SetStatus([p.id for p in papers[::3]], "read").execute(lib)
    lib.compact(force=True)
    return path


@pytest.mark.parametrize("fmt", STREAMED_FORMATS)
def test_an_export_is_written_to_its_file_as_it_is_made(big_db: Path, tmp_path: Path, fmt: str,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole export was one string (and its bytes) in memory: 1 GB for 100,000 papers. It now goes to the
    file in pieces, and the file named is replaced only once the last piece is on disk."""
    target = tmp_path / "out"
    target.write_bytes(b"the previous export")
    pieces: list[int] = []
    real = atomic.atomic_write_chunks

    def watched(path: Path, chunks: Iterable[bytes], *, mode: int = 0o600) -> None:
        if path != target:  # a file readlist keeps beside the library
            real(path, chunks, mode=mode)
            return

        def each() -> Iterator[bytes]:
            for chunk in chunks:
                assert target.read_bytes() == b"the previous export"  # not replaced while it is written
                pieces.append(len(chunk))
                yield chunk

        real(path, each(), mode=mode)

    monkeypatch.setattr(atomic, "atomic_write_chunks", watched)
    result = run(big_db, "export", "-f", fmt, "-o", str(target))
    assert result.exit_code == 0, result.output
    written = target.read_bytes()
    assert sum(pieces) == len(written)
    if fmt != "markdown":  # a reading list is titles only: one piece
        assert len(written) > 3_000_000
        assert len(pieces) >= 3 and max(pieces) < len(written) * 0.85
    assert written == run(big_db, "export", "-f", fmt).stdout_bytes  # standard output: the same bytes
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no temporary file left


def test_an_export_that_fails_halfway_leaves_the_previous_file(big_db: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "library.bib"
    target.write_bytes(b"the previous export")
    made: list[str] = []
    real = cite.reference

    def failing(paper: Paper) -> Reference:
        made.append(paper.id)
        if len(made) == 2000:
            raise OSError(errno.EIO, "Input/output error")  # e.g. an abstract that can no longer be read
        return real(paper)

    monkeypatch.setattr(cite, "reference", failing)
    with pytest.raises(OSError, match="Input/output error"):  # as any command that cannot read the library
        run(big_db, "export", "-o", str(target))
    assert target.read_bytes() == b"the previous export"
    assert [p.name for p in tmp_path.iterdir()] == ["library.bib"]


def test_the_exported_file_is_the_rendered_text(big_db: Path, tmp_path: Path) -> None:
    papers = list(Library(big_db).papers.values())
    for fmt in STREAMED_FORMATS:
        target = tmp_path / f"out.{fmt}"
        assert run(big_db, "export", "-f", fmt, "-o", str(target)).exit_code == 0
        keys = {p.id: p.cite_key or "" for p in Library(big_db).papers.values()}
        assert target.read_text() == render_export(papers, fmt, keys=keys)
