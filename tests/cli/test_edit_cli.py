"""`readlist edit ID --title … --authors …`: details corrected from the command line, by the app's own command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from readlist.app.commands import Rate
from readlist.cli import main
from readlist.storage.library import Library

REPO = Path(__file__).resolve().parents[2]


def run(db: Path, *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args], input=stdin)


def tutorial(db: Path) -> str:
    return next(p.id for p in Library(db).papers.values() if p.title == "A Tutorial on Bayesian Optimization")


def test_edit_sets_details_says_which_and_undo_takes_them_back(seed_library: Path) -> None:
    pid = tutorial(seed_library)
    result = run(seed_library, "edit", pid, "--authors", "Peter I. Frazier", "--journal", "arXiv preprint",
                 "--published", "2018-07-08")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{pid}: authors, journal, published changed (`readlist undo` takes it back)\n"
    paper = Library(seed_library).papers[pid]
    assert (paper.authors, paper.journal_ref, paper.published) == (["Peter I. Frazier"], "arXiv preprint", "2018-07-08")
    assert run(seed_library, "edit", pid, "--published", "2018-07-08").stdout == f"{pid}: already so\n"
    assert run(seed_library, "undo").exit_code == 0
    paper = Library(seed_library).papers[pid]
    assert (paper.authors, paper.journal_ref, paper.published) == ([], None, None)


def test_undo_of_an_edit_after_a_rating_given_elsewhere_takes_the_edit_back_and_keeps_the_rating(
    seed_library: Path,
) -> None:
    pid = tutorial(seed_library)
    assert run(seed_library, "edit", pid, "--journal", "arXiv preprint").exit_code == 0
    Rate([pid], 5).execute(Library(seed_library))  # the app, say, rated it since
    result = run(seed_library, "undo")
    assert result.exit_code == 0 and "changed since" not in result.stdout, result.output
    paper = Library(seed_library).papers[pid]
    assert (paper.journal_ref, paper.rating, "rating" in paper.changed, "journal_ref" in paper.changed) == (
        None, 5, True, False)


def test_edit_json_prints_the_record_and_the_abstract_can_come_from_stdin(seed_library: Path) -> None:
    pid = tutorial(seed_library)
    result = run(seed_library, "edit", pid, "--abstract", "-", "--json", stdin="Line one.\n\nLine two.\n")
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["id"] == pid and record["abstract"] == "Line one.\n\nLine two."
    assert "changed" not in record  # the change times are the library's own bookkeeping


def test_a_value_that_cannot_be_held_is_one_line_and_changes_nothing(seed_library: Path) -> None:
    pid = tutorial(seed_library)
    before = Library(seed_library).papers[pid]
    for args, says in ((["--published", "2018-13"], "no day of the calendar"),
                       (["--url", "file:///etc/passwd"], "web address"),
                       (["--title", ""], "a paper needs a title"), (["--doi", "x"], "is not a DOI")):
        result = run(seed_library, "edit", pid, *args)
        assert result.exit_code == 2, args  # a wrong value, as `rate ID 7` and `pull --date 2024-13-01` say one
        assert result.stderr.count("\n") == 1 and says in result.stderr, result.stderr
        assert f"Invalid value for {args[0]}" in result.stderr
    other = next(p for p in Library(seed_library).papers.values() if p.id != pid and not p.arxiv_id)
    taken = run(seed_library, "edit", pid, "--title", other.title)  # the library's state, not a wrong value
    assert taken.exit_code == 1 and "another paper in the library" in taken.stderr
    assert Library(seed_library).papers[pid] == before
    nothing = run(seed_library, "edit", pid)
    assert nothing.exit_code == 2 and "--title" in nothing.stderr


def test_hostile_text_typed_as_a_detail_is_stored_as_plain_text(seed_library: Path) -> None:
    pid = tutorial(seed_library)
    result = run(seed_library, "edit", pid, "--title", "Bayes\x1b[31m red \u202e[bold]x[/bold]")
    assert result.exit_code == 0, result.output
    title = Library(seed_library).papers[pid].title
    assert "\x1b" not in title and "\u202e" not in title and "[bold]x[/bold]" in title
    shown = run(seed_library, "show", pid)
    assert "\x1b" not in shown.stdout and "[bold]x[/bold]" in shown.stdout


@pytest.mark.parametrize("verb", [["note", "ID", "-"], ["edit", "ID", "--abstract", "-"], ["note", "ID", "--edit"]])
def test_text_from_standard_input_when_there_is_none_is_one_line_and_changes_nothing(
    seed_library: Path, verb: list[str]
) -> None:
    """Started with standard input closed (`<&-`), `note ID -` and `edit --abstract -` ended in a traceback; they say
    there is nothing to read, as `import -` does, and exit 1 with the paper as it was."""
    pid = tutorial(seed_library)
    before = Library(seed_library).papers[pid]
    env = {k: v for k, v in os.environ.items() if k not in ("EDITOR", "VISUAL")}
    done = subprocess.run(["sh", "-c", 'exec "$0" "$@" <&-', sys.executable, "-m", "readlist", "--db",
                           str(seed_library), *(pid if a == "ID" else a for a in verb)],
                          capture_output=True, text=True, env={**env, "PYTHONPATH": str(REPO)}, timeout=120,
                          check=False)
    assert done.returncode == 1 and done.stdout == ""
    assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr
    if verb[-1] == "-":
        assert done.stderr.startswith("readlist: no standard input to read; ")
    after = Library(seed_library).papers[pid]
    assert (after.note, after.abstract, after.changed) == (before.note, before.abstract, before.changed)


def test_show_names_the_venue_and_the_doi_an_edit_set(seed_library: Path) -> None:
    """`show` is how a corrected detail is checked from the command line; it listed neither."""
    pid = tutorial(seed_library)
    assert run(seed_library, "edit", pid, "--journal", "Journal of Machine Learning Research",
               "--doi", "10.5555/12345").exit_code == 0
    shown = run(seed_library, "show", pid).stdout
    assert "     journal  Journal of Machine Learning Research\n" in shown, shown
    assert "         doi  10.5555/12345\n" in shown, shown
