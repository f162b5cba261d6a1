"""`readlist list` as lines: written without Rich's work per paper, and exactly as Rich would print them.

The command used to call ``console.print`` for every paper (8–11 s for 100,000). ``LineWriter`` writes the
same bytes itself; these tests compare it with ``console.print`` of the same styled text on consoles like the
command's own (into a pipe, a terminal in colour at any width, without colours, ``NO_COLOR``), over text
with wide, combining and zero-width characters, markup look-alikes and what ``inert_text`` made of escapes.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.text import Text

from readlist.app.imports import ImportPapers
from readlist.cli import main
from readlist.cli.output import LINE_STYLES, LineWriter, paper_line, paper_line_pieces
from readlist.core.model import Paper
from readlist.core.text import inert_text
from readlist.storage.library import Library

# Characters a title from a web page can hold, weighted towards the ones whose width is not one cell.
ODD = "宽字符\U0001f916\U0001f680e\u0301\u200b\u200d\u2014\u00a0★☆…[]/:\x1b\x9b\x07\t\r\n\u202e\u2066"
piece = st.text(alphabet=st.sampled_from(ODD) | st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)


def console(*, terminal: bool, width: int, color_system: str | None = None, no_color: bool = False) -> Console:
    """A console set up as the command's own (readlist.cli.output), writing into a string."""
    return Console(file=io.StringIO(), force_terminal=terminal, color_system=color_system,  # type: ignore[arg-type]
                   width=width, no_color=no_color, markup=False, highlight=False, emoji=False, soft_wrap=True)


def rich_printed(pieces: tuple[str, ...], out: Console) -> str:
    """What `readlist list` printed for one line before: ``console.print`` of the styled text."""
    text = Text.assemble(*zip(pieces, LINE_STYLES, strict=True))
    if out.is_terminal:
        out.print(text, overflow="ellipsis", no_wrap=True, crop=True)
    else:
        out.print(text, soft_wrap=True)
    written = out.file.getvalue()  # type: ignore[attr-defined]
    assert isinstance(written, str)
    return written


CONSOLES = [
    {"terminal": False},
    {"terminal": True, "color_system": "standard"},
    {"terminal": True, "color_system": "256"},
    {"terminal": True, "color_system": "truecolor"},
    {"terminal": True, "color_system": "truecolor", "no_color": True},
    {"terminal": True, "color_system": None},  # a dumb terminal: cut to its width, no colours
]


@settings(max_examples=300, deadline=None)
@given(pieces=st.tuples(piece, piece, piece, piece, piece, piece), width=st.integers(2, 120),
       kind=st.sampled_from(CONSOLES))
def test_a_line_is_written_as_rich_prints_it(pieces: tuple[str, ...], width: int, kind: dict[str, object]) -> None:
    pieces = tuple(inert_text(p) for p in pieces)  # what the line's pieces always are
    expected = rich_printed(pieces, console(width=width, **kind))  # type: ignore[arg-type]
    out = console(width=width, **kind)  # type: ignore[arg-type]
    lines = LineWriter(out, LINE_STYLES, fit=out.is_terminal)
    assert lines.line(pieces) == expected
    lines.write(pieces)
    lines.flush()
    assert out.file.getvalue() == expected  # type: ignore[attr-defined]


def test_an_old_windows_console_is_still_written_by_rich(monkeypatch: pytest.MonkeyPatch) -> None:
    """Such a console takes no escape codes (Rich drives it through the Windows API): the lines go through print."""
    printed: list[object] = []
    pieces = ("2404.00001     ", "• ", "★★☆☆☆ ", "2024-04    ", "A title that is cut", "  #rl")
    for terminal in (False, True):
        out = console(terminal=terminal, width=40, color_system="truecolor" if terminal else None)
        out.legacy_windows = True
        monkeypatch.setattr(out, "print", lambda *args, **kwargs: printed.append(args[0]))
        lines = LineWriter(out, LINE_STYLES, fit=terminal)
        lines.write(pieces)
        lines.flush()
        assert out.file.getvalue() == ""  # type: ignore[attr-defined]
    assert [str(text) for text in printed] == ["".join(pieces)] * 2


def test_paper_line_is_its_pieces_in_their_styles() -> None:
    paper = Paper.create(title="A [bold]title[/bold]", arxiv_id="2404.00001", rating=3, tags=["rl", "x"])
    line = paper_line(paper)
    assert line.plain == "".join(paper_line_pieces(paper))
    assert [str(span.style) for span in line.spans] == [s for s, p in zip(LINE_STYLES, paper_line_pieces(paper),
                                                                          strict=True) if s and p]


@pytest.fixture
def library(tmp_path: Path) -> Path:
    path = tmp_path / "library.json"
    lib = Library(path)
    papers = [Paper.create(title=f"Paper {i} 宽 [red]x[/red]", arxiv_id=f"2404.{i:05d}", rating=i % 6,
                           tags=["rl"] if i % 2 else []) for i in range(1, 301)]
    ImportPapers(papers, "t").execute(lib)
    return path


def test_listing_many_papers_prints_no_line_through_rich(library: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rich's print costs 70–100 µs a call: a list of 300 papers makes none (it made one per paper)."""
    calls = 0
    original = Console.print

    def counted(self: Console, *args: object, **kwargs: object) -> None:
        nonlocal calls
        calls += 1
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Console, "print", counted)
    result = CliRunner().invoke(main, ["--db", str(library), "list"])
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 300
    assert calls == 0
