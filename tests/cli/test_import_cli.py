"""`readlist import` end to end: detection, --format, mixed inputs, stdin, clipboard, reports."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pyperclip
import pytest
from click.testing import CliRunner, Result

from readlist.app import imports
from readlist.cli import main
from readlist.storage.library import Library

HERE = Path(__file__).parent.parent
PAGES = HERE / "fixtures" / "pages"
SEED = HERE / "fixtures" / "seeds" / "001_eaf0a1b246e94eca.txt"
BIB = '@article{k,\n  title = {A BibTeX Paper},\n  author = {Doe, Jane and Roe, Rick},\n  eprint = {2402.01234},\n}\n'
HF_JSON = json.dumps([{"paper": {"id": "2402.05678", "title": "A JSON Paper", "upvotes": 4}}])
ALL_FORMATS = "readlist-json, hf-json, arxiv-atom, hf-html, arxiv-html, bibtex, arxiv-text, hf-text"


def run(db: Path, *args: str, input: str | bytes | None = None) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args], input=input, catch_exceptions=False)


def imported(db: Path, *args: str, input: str | bytes | None = None) -> dict:
    result = run(db, "import", "--json", *args, input=input)
    assert result.exit_code == 0, result.output
    data: dict = json.loads(result.stdout)
    return data


@pytest.fixture
def inputs(tmp_path: Path) -> dict[str, Path]:
    files = {
        "daily.html": (PAGES / "hf-daily-2024-08-01.html").read_bytes(),
        "paper.html": (PAGES / "hf-paper-2509.24002-prettified.html").read_bytes(),
        "abs.html": (PAGES / "arxiv-abs-2106.09608.html").read_bytes(),
        "list.html": (PAGES / "arxiv-list-q-fin-new.html").read_bytes(),
        "refs.bib": BIB.encode(),
        "api.json": HF_JSON.encode(),
        "copy.txt": SEED.read_bytes(),
        "abs-copy.txt": (PAGES / "arxiv-abs-2106.09608.plain.txt").read_bytes(),
        "list-copy.txt": (PAGES / "arxiv-list-q-fin-new.copy.txt").read_bytes(),
        "daily.mhtml": (PAGES / "hf-daily-2024-08-01.mhtml").read_bytes(),
    }
    paths = {}
    for name, data in files.items():
        # No telling extensions: detection must work on content alone.
        path = tmp_path / ("input-" + name.replace(".", "-"))
        path.write_bytes(data)
        paths[name] = path
    return paths


@pytest.mark.parametrize(
    ("name", "fmt", "added"),
    [
        ("daily.html", "hf-html", 13),
        ("paper.html", "hf-html", 1),
        ("abs.html", "arxiv-html", 1),
        ("list.html", "arxiv-html", 16),
        ("refs.bib", "bibtex", 1),
        ("api.json", "hf-json", 1),
        ("copy.txt", "hf-text", 53),
        ("abs-copy.txt", "arxiv-text", 1),
        ("list-copy.txt", "arxiv-text", 16),
        ("daily.mhtml", "hf-html", 13),
    ],
)
def test_each_format_is_detected_by_content(tmp_path: Path, inputs: dict[str, Path], name: str, fmt: str,
                                            added: int) -> None:
    data = imported(tmp_path / "lib.json", str(inputs[name]))
    (report,) = data["reports"]
    assert (report["format"], report["added"], report["error"]) == (fmt, added, None)
    assert data["papers"] == added


def test_a_listing_copy_gives_each_paper_its_categories_and_show_names_them(tmp_path: Path,
                                                                           inputs: dict[str, Path]) -> None:
    db = tmp_path / "lib.json"
    imported(db, str(inputs["list-copy.txt"]))
    shown = run(db, "show", "2303.09397")
    assert "  categories  q-fin.ST cs.AI cs.CL cs.LG\n" in shown.stdout
    data = json.loads(run(db, "show", "2303.09397", "--json").stdout)
    assert data["categories"] == ["q-fin.ST", "cs.AI", "cs.CL", "cs.LG"]


def test_mixed_inputs_get_one_report_line_each(tmp_path: Path, inputs: dict[str, Path]) -> None:
    db = tmp_path / "lib.json"
    result = run(db, "import", *(str(p) for p in inputs.values()))
    assert result.exit_code == 0, result.output
    for name, fmt in [("daily.html", "hf-html"), ("abs.html", "arxiv-html"), ("refs.bib", "bibtex"),
                      ("copy.txt", "hf-text"), ("api.json", "hf-json"), ("abs-copy.txt", "arxiv-text")]:
        line = next(line for line in result.stdout.splitlines() if str(inputs[name]) in line)
        assert f"({fmt})" in line
    assert f"from {len(inputs)} of {len(inputs)} sources" in result.stdout


def test_format_option_forces_a_parser(tmp_path: Path, inputs: dict[str, Path]) -> None:
    db = tmp_path / "lib.json"
    data = imported(db, "--format", "arxiv-html", str(inputs["abs.html"]))
    assert data["reports"][0]["format"] == "arxiv-html"
    # Forcing the wrong parser fails cleanly instead of guessing.
    result = run(db, "import", "--format", "bibtex", str(inputs["daily.html"]))
    assert result.exit_code == 1
    assert "no papers found in this BibTeX" in result.output
    bad = run(db, "import", "--format", "pdf", str(inputs["abs.html"]))
    assert bad.exit_code == 2 and "'pdf' is not one of" in bad.output


@pytest.mark.parametrize(("fmt", "said"), [("ris", "this is a RIS file, which readlist writes but does not read"),
                                           ("csv", "this is readlist's CSV export, which readlist writes but does"),
                                           ("csl-json", "it is CSL-JSON, which readlist writes but does not read")])
def test_an_export_readlist_cannot_read_back_is_named_and_never_read_as_bibtex(
    tmp_path: Path, fmt: str, said: str
) -> None:
    """A note holding a line like a BibTeX entry made a RIS or CSV export import as a BibTeX file of one bogus paper;
    every such export was said to be no format at all, with a hint about Hugging Face copies."""
    db, fresh = tmp_path / "lib.json", tmp_path / "fresh.json"
    assert run(db, "import", str(SEED)).exit_code == 0
    first = json.loads(run(db, "list", "--json", "--limit", "1").stdout)[0]["id"]
    assert run(db, "note", first, "@inproceedings{evil, title={Not a paper}}").exit_code == 0
    exported = tmp_path / f"all.{fmt}"
    assert run(db, "export", "--format", fmt, "--with-user-data", "-o", str(exported)).exit_code == 0
    result = run(fresh, "import", str(exported))
    assert result.exit_code == 1 and said in result.output
    assert "`readlist export -f json` or `-f bibtex`" in result.output
    assert not fresh.exists() or not Library(fresh).papers


def test_unrecognised_input_names_the_formats_tried(tmp_path: Path) -> None:
    db = tmp_path / "lib.json"
    junk = tmp_path / "notes.txt"
    junk.write_text("shopping list\n\nmilk\neggs\n")
    result = run(db, "import", str(junk))
    assert result.exit_code == 1
    assert f"not a format readlist recognises (tried: {ALL_FORMATS})" in result.output
    assert not db.exists()


def test_junk_leaves_the_library_byte_for_byte_unchanged(tmp_path: Path, inputs: dict[str, Path]) -> None:
    db = tmp_path / "lib.json"
    assert run(db, "import", str(inputs["abs.html"])).exit_code == 0
    before = db.read_bytes()
    journal = db.with_name(db.name + ".journal")
    journal_before = journal.read_bytes() if journal.exists() else None
    cases = {
        "binary": bytes(range(256)) * 10,
        "html-no-papers": b"<!doctype html><html><body><div data-target='DailyPapers' data-props='{}'></div>",
        "bad-json": b'[{"paper": {"title": ',
        "empty": b"   \n\n",
        "nested": b"<div>" * 100_000,
    }
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        result = run(db, "import", str(path))
        assert result.exit_code == 1, (name, result.output)
        assert "could not be imported; nothing was imported" in result.output
        assert "Traceback" not in result.output
        assert db.read_bytes() == before, name
        assert (journal.read_bytes() if journal.exists() else None) == journal_before, name


def test_missing_file_and_directory(tmp_path: Path) -> None:
    db = tmp_path / "lib.json"
    result = run(db, "import", str(tmp_path / "nope.html"), str(tmp_path))
    assert result.exit_code == 1
    assert "nope.html: no such file" in result.output
    assert "is a directory" in result.output


def test_partial_failure_imports_the_rest(tmp_path: Path, inputs: dict[str, Path]) -> None:
    db = tmp_path / "lib.json"
    result = run(db, "import", "--json", str(inputs["refs.bib"]), str(tmp_path / "missing.txt"))
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    ok, bad = data["reports"]
    assert ok["added"] == 1 and ok["error"] is None
    assert bad["error"].endswith("no such file") and bad["added"] == 0
    assert data["papers"] == 1


def test_json_report_shape(tmp_path: Path, inputs: dict[str, Path]) -> None:
    db = tmp_path / "lib.json"
    first = imported(db, str(inputs["list.html"]))
    assert set(first) == {"library", "reports", "papers"}
    assert first["library"] == str(db)
    (report,) = first["reports"]
    assert set(report) == {"source", "format", "added", "updated", "unchanged", "skipped", "notes", "error", "ids"}
    assert report["source"] == str(inputs["list.html"])
    assert set(report["ids"]) == {"added", "updated", "unchanged"}
    assert len(report["ids"]["added"]) == 16 and "2303.08867" in report["ids"]["added"]
    again = imported(db, str(inputs["list.html"]))["reports"][0]
    assert (again["added"], again["updated"], again["unchanged"]) == (0, 0, 16)


def test_a_copy_cut_inside_an_abstract_never_replaces_the_whole_one(tmp_path: Path) -> None:
    """The first kilobyte of a text copy (a selection, a download that stopped) replaced the 1,550-character
    abstract stored from the whole copy with the 833 characters it broke off at, and reported "1 updated"."""
    db = tmp_path / "lib.json"
    imported(db, str(SEED), "--year", "2025")
    before = {p.id: p.abstract for p in Library(db).papers.values()}
    cut = tmp_path / "cut.txt"
    cut.write_bytes(SEED.read_bytes()[:1000])
    (report,) = imported(db, str(cut), "--year", "2025")["reports"]
    (unchanged,) = report["ids"]["unchanged"]
    assert (report["updated"], report["unchanged"]) == (0, 1)
    assert len(before[unchanged]) == 1550
    assert {p.id: p.abstract for p in Library(db).papers.values()} == before


def test_reimport_fills_and_refreshes_but_keeps_user_fields(tmp_path: Path, inputs: dict[str, Path]) -> None:
    db = tmp_path / "lib.json"
    imported(db, str(inputs["abs.html"]))
    assert run(db, "rate", "2106.09608", "4").exit_code == 0
    assert run(db, "mark", "2106.09608", "to-read").exit_code == 0
    hf_copy = HF_JSON.replace("2402.05678", "2106.09608").replace("A JSON Paper", "Learning Knowledge Graph-based "
                                                                    "World Models of Textual Environments")
    report = imported(db, "-", input=hf_copy)["reports"][0]
    assert report["updated"] == 1
    shown = json.loads(run(db, "show", "2106.09608", "--json").stdout)
    assert shown["upvotes"] == 4 and shown["rating"] == 4 and shown["status"] == "to-read"
    assert shown["authors"] == ["Prithviraj Ammanabrolu", "Mark O. Riedl"]


def test_stdin(tmp_path: Path) -> None:
    db = tmp_path / "lib.json"
    data = imported(db, "-", input=BIB)
    assert data["reports"][0]["source"] == "-"
    assert data["reports"][0]["format"] == "bibtex"
    assert data["reports"][0]["added"] == 1
    empty = run(db, "import", "-", input="")
    assert empty.exit_code == 1
    assert "-: input is empty" in empty.output or "input is empty" in empty.output


def test_a_source_named_twice_is_read_once(tmp_path: Path) -> None:
    """``import - -`` reported 106 papers unchanged from 2 of 2 sources for a copy of 53."""
    db = tmp_path / "lib.json"
    report = imported(db, "-", "-", "--year", "2025", input=SEED.read_bytes())
    assert [r["source"] for r in report["reports"]] == ["-"] and report["reports"][0]["added"] == 53
    report = imported(db, str(SEED), str(SEED), "--year", "2025")
    assert len(report["reports"]) == 1 and report["reports"][0]["unchanged"] == 53


def test_stdin_utf16_copy(tmp_path: Path) -> None:
    data = imported(tmp_path / "lib.json", "-", input=SEED.read_text(encoding="utf-8").encode("utf-16"))
    assert data["reports"][0]["added"] == 53


def test_clipboard(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pyperclip, "paste", lambda: HF_JSON)
    data = imported(tmp_path / "lib.json", "--clipboard")
    assert data["reports"][0]["source"] == "clipboard"
    assert data["reports"][0]["added"] == 1


def test_no_clipboard_mechanism_gives_a_clear_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_clipboard() -> str:
        raise pyperclip.PyperclipException("could not find a copy/paste mechanism for your system")

    monkeypatch.setattr(pyperclip, "paste", no_clipboard)
    monkeypatch.setenv("DISPLAY", ":0")  # a desktop session, and no tool to reach it with
    result = run(tmp_path / "lib.json", "import", "--clipboard")
    assert result.exit_code == 1
    assert ("clipboard: cannot be read: install xclip or xsel (X11) or wl-clipboard (Wayland); or pipe the text "
            "into `readlist import -`") in result.output


def test_without_a_desktop_pasting_says_so_rather_than_to_install_xclip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_clipboard() -> str:
        raise pyperclip.PyperclipException("could not find a copy/paste mechanism for your system")

    monkeypatch.setattr(pyperclip, "paste", no_clipboard)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr("shutil.which", lambda name: "/usr/bin/xclip" if name == "xclip" else None)
    monkeypatch.setattr("sys.platform", "linux")  # where DISPLAY names the desktop
    result = run(tmp_path / "lib.json", "import", "--clipboard")
    assert result.exit_code == 1
    assert ("clipboard: cannot be read: no desktop session here for xclip to reach (DISPLAY and WAYLAND_DISPLAY are "
            "unset); or pipe the text into `readlist import -`") in result.output
    assert "install" not in result.output


def test_empty_clipboard(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pyperclip, "paste", lambda: "  \n")
    result = run(tmp_path / "lib.json", "import", "--clipboard")
    assert result.exit_code == 1 and "the clipboard is empty" in result.output


def test_no_sources_is_a_usage_error(tmp_path: Path) -> None:
    result = run(tmp_path / "lib.json", "import")
    assert result.exit_code == 2


def test_progress_counts_every_paper() -> None:
    seen: list[int] = []
    papers = list(range(1001))
    assert list(imports._counting(papers, seen.append, step=250)) == papers  # type: ignore[arg-type]
    assert seen == [250, 250, 250, 250, 1]


def test_no_progress_output_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    paths = []
    for i in range(5):
        path = tmp_path / f"bib{i}"
        path.write_text(BIB.replace("2402.01234", f"2402.0123{i}").replace("A BibTeX", f"Paper {i} BibTeX"))
        paths.append(str(path))
    result = run(tmp_path / "lib.json", "import", *paths)
    assert result.exit_code == 0
    assert result.stderr == ""
    assert "5 added" in result.stdout


def test_a_damaged_single_file_page_is_one_line_and_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "lib.json"
    damaged = tmp_path / "page.mhtml"
    damaged.write_bytes((PAGES / "hf-daily-2024-08-01.mhtml").read_bytes()[:300])
    result = run(db, "import", str(damaged))
    assert result.exit_code == 1
    (line,) = [line for line in result.output.splitlines() if "✗" in line]
    assert "(MHTML) holds no HTML page" in line
    assert not db.exists()


def test_a_library_file_given_to_import_says_how_to_bring_its_papers(tmp_path: Path) -> None:
    """Another library's file (a colleague's, an old machine's) was refused as "no Hugging Face papers", which
    says neither what it is nor what to do. It is named for what it is, with the way that keeps its user data."""
    other = tmp_path / "other.json"
    assert run(other, "import", str(SEED)).exit_code == 0
    pid = json.loads(run(other, "list", "--json", "--limit", "1").stdout)[0]["id"]
    assert run(other, "rate", pid, "5").exit_code == 0
    assert run(other, "doctor", "--compact").exit_code == 0
    db = tmp_path / "library.json"
    result = CliRunner().invoke(main, ["--db", str(db), "import", str(other)])
    assert result.exit_code == 1
    report, summary = result.stdout.strip(), result.stderr.strip()
    assert "\n" not in report and "readlist library file" in report and "Hugging Face" not in report
    assert report.startswith(f"✗ {other}: ") and "`readlist --db FILE export -f json -o papers.json`" in report
    assert summary == "readlist: 1 source could not be imported; nothing was imported"
    assert not db.exists()
    # The way it names works: the papers arrive with their rating.
    exported = tmp_path / "papers.json"
    assert run(other, "export", "-f", "json", "-o", str(exported)).exit_code == 0
    assert imported(db, str(exported))["reports"][0]["added"] == 53
    assert json.loads(run(db, "show", pid, "--json").stdout)["rating"] == 5


def test_the_year_setting_gives_dates_without_a_year_theirs_and_year_overrides_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """config.toml's year rule (`year = 2021`): every import without --year, as if it were given."""
    config = tmp_path / "config.toml"
    monkeypatch.setenv("READLIST_CONFIG", str(config))
    copy = ("new\n\nSubscribe\n\nDaily Papers\n\nJun 22\n\nA Paper\n\n" + "Words " * 60
            + "\n\n  • 2 authors\n·\nJun 20\n")
    config.write_text("year = 2021\n")
    by_setting = tmp_path / "a.json"
    assert run(by_setting, "import", "-", input=copy).exit_code == 0
    assert json.loads(run(by_setting, "list", "--json").stdout)[0]["published"] == "2021-06-20"
    by_option = tmp_path / "b.json"
    assert run(by_option, "import", "-", "--year", "2019", input=copy).exit_code == 0
    assert json.loads(run(by_option, "list", "--json").stdout)[0]["published"] == "2019-06-20"
    config.write_text("year = 21\n")  # a slip: said, and the page's year used
    slipped = run(tmp_path / "c.json", "import", "-", input=copy)
    assert slipped.exit_code == 0 and "'year' must be a year from 1990 to 2100, not 21" in slipped.stderr
    today = date.today()
    page_year = today.year if (today.month, today.day) >= (6, 22) else today.year - 1  # the latest Jun 22
    assert json.loads(run(tmp_path / "c.json", "list", "--json").stdout)[0]["published"] == f"{page_year}-06-20"


def test_a_bib_files_family_names_are_cited_as_it_gives_them(tmp_path: Path) -> None:
    """`readlist import refs.bib` then `readlist cite`: a family name of two words stays one in every format."""
    refs = tmp_path / "refs.bib"
    refs.write_text(r"""@book{gm, title = {Cien A{\~n}os de Soledad}, year = {1967},
  author = {Garc{\'\i}a M{\'a}rquez, Gabriel and {van der Waals}, Johannes}}
""", encoding="utf-8")
    db = tmp_path / "lib.json"
    assert imported(db, str(refs))["reports"][0]["added"]
    [paper] = json.loads(run(db, "list", "--json").stdout)
    assert paper["authors"] == ["García Márquez, Gabriel", "Johannes van der Waals"]
    assert run(db, "cite", "-f", "text", "gm").stdout.startswith("García Márquez, G., & van der Waals, J. (1967).")
    assert "author = {Garc{\\'i}a M{\\'a}rquez, Gabriel and Johannes van der Waals}" in run(db, "cite", "gm").stdout
    [item] = json.loads(run(db, "cite", "-f", "csl-json", "gm").stdout)
    assert item["author"][0] == {"family": "García Márquez", "given": "Gabriel"}
    assert item["author"][1] == {"family": "Waals", "given": "Johannes", "non-dropping-particle": "van der"}
