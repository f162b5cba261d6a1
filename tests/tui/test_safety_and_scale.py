"""Untrusted text shows literally, broken libraries fail cleanly, and 100,000 papers stay fast."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static
from tui_helpers import PINNED_STAMP, SIZE, open_app

from readlist.app import views
from readlist.app.commands import EditTags, Outcome
from readlist.app.imports import ImportPapers
from readlist.app.notes import SaveNote
from readlist.core.model import Paper
from readlist.storage.errors import LibraryError
from readlist.storage.library import Library
from readlist.tui.app import run_app
from readlist.tui.screens.main import MainScreen
from readlist.tui.screens.triage import TriageScreen
from readlist.tui.widgets.paper_list import PaperList

EVIL_TITLE = "[red]Red[/] [link=https://evil.example]click[/link] [b]bold[/b] [/]"
EVIL_ABSTRACT = "Abstract with [on red]markup[/] and [@click=app.quit]a click action[/]."
EVIL_NOTE = "Note [blink]x[/blink] and [/] here"
EVIL_TAG = "[bold]"


@pytest.fixture
def evil_library(tmp_path: Path) -> Path:
    path = tmp_path / "library.json"
    lib = Library(path)
    paper = Paper.create(title=EVIL_TITLE, abstract=EVIL_ABSTRACT, organization="[i]Org[/i]", published="2025-01-02",
                  added=PINNED_STAMP)
    ImportPapers([paper, Paper.create(title="A plain second paper", added=PINNED_STAMP)], "evil.txt").execute(lib)
    SaveNote(paper.id, EVIL_NOTE).execute(lib)
    EditTags([paper.id], add=[EVIL_TAG]).execute(lib)
    return path


async def test_markup_in_titles_abstracts_notes_and_tags_is_shown_literally(evil_library: Path) -> None:
    app = open_app(evil_library)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        lst = screen.query_one(PaperList)
        evil = next(p for p in lst.papers if p.title == EVIL_TITLE)
        row = lst.row_text(evil, 200)
        assert EVIL_TITLE in row.plain
        # No style from the data: only the widget's own component styles are applied.
        assert not any("red" in str(span.style) or "link" in str(span.style) for span in row.spans)
        lst.move_to(lst.papers.index(evil))
        await pilot.pause()
        header = str(screen.query_one("#detail-header", Static).render())
        assert EVIL_TITLE in header and "[i]Org[/i]" in header
        assert EVIL_ABSTRACT in str(screen.query_one("#detail-abstract", Static).render())
        svg = app.export_screenshot()
        assert "[link=https://evil.example]click[/link]" in svg.replace("&#160;", " ")
        assert "[blink]x[/blink]" in svg.replace("&#160;", " ")  # the note, through Markdown
        assert "[on&#160;red]markup[/]" in svg or "[on red]markup[/]" in svg
        # Tags in the sidebar: the view label is the literal tag.
        assert any(view.label == "#" + evil.tags[0] for view in screen.views)
        await pilot.press("T")
        assert isinstance(app.screen, TriageScreen)
        # The same paper in triage mode (the view is the inbox, both papers are in it).
        app.screen.index = app.screen.paper_ids.index(evil.id)
        app.screen.show()
        assert EVIL_TITLE in str(app.screen.query_one("#triage-header", Static).render())
        assert not app._exit  # the [@click=app.quit] text did not run anything


async def test_notifications_do_not_interpret_markup(evil_library: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = open_app(evil_library)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        lst = screen.query_one(PaperList)
        evil = next(p for p in lst.papers if p.title == EVIL_TITLE)
        evil.url = "https://example.org/[red]x[/]"
        lst.move_to(lst.papers.index(evil))
        monkeypatch.setattr(app, "open_url", lambda url, new_tab=True: None)
        await pilot.press("o")
        await pilot.pause()
        assert "https://example.org/[red]x[/]" in str(screen.query_one("#topbar", Static).render())
        # A library error message (it names a file) is shown as given.
        class Failing:
            def execute(self, library: Library) -> Outcome:
                raise LibraryError("[b]x[/b]")

        assert screen.run_command(Failing()) is None
        await pilot.pause()
        assert any(n.message == "[b]x[/b]" and not n.markup for n in app._notifications)


def test_corrupt_library_is_one_line_and_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "library.json"
    path.write_bytes(b'{"papers": {"1": {"title": ')
    before = path.read_bytes()
    with pytest.raises(SystemExit) as exc:
        run_app(path)
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("readlist: ")
    assert "Traceback" not in err
    assert path.read_bytes() == before


def _many_papers(n: int) -> dict[str, Paper]:
    papers = {}
    for i in range(n):
        paper = Paper(**{
            "id": f"p{i:06d}", "title": f"Paper number {i} about topic {i % 97}", "abstract": "",
            "status": ("inbox", "to-read", "read", "skipped")[i % 4], "rating": i % 6,
            "tags": ["rl"] if i % 10 == 0 else [], "published": f"20{10 + i % 15}-0{1 + i % 9}-1{i % 10}",
            "upvotes": i % 300, "added": f"2025-01-01T00:{i % 60:02d}:{i % 59:02d}+00:00",
        })
        papers[paper.id] = paper
    return papers


def test_list_model_sorts_100k_papers_once_per_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A view is one filter over a sorted copy kept per order; how fast that is, bench/run measures."""
    lib = Library(tmp_path / "big.json")
    lib.papers.update(_many_papers(100_000))
    model = views.ListModel(lib)
    sorts: list[str] = []
    real_sort = views.sort_papers
    monkeypatch.setattr(views, "sort_papers", lambda papers, key: (sorts.append(key), real_sort(papers, key))[1])
    inbox = views.FIXED_VIEWS[0]
    first = model.select(inbox, "", "date")  # sorts and keeps the sorted copy
    papers = model.select(inbox, "", "date")
    assert len(papers) == 25_000 and papers == first
    assert sorts == ["date"]  # the second selection reused the sorted copy
    found = model.select(views.FIXED_VIEWS[5], '"topic 42" tag:rl', "title")
    assert found and all("rl" in p.tags and "topic 42" in p.title for p in found)
    assert sorts == ["date", "title"]


async def test_coming_back_to_a_paper_near_the_top_maps_no_row(tmp_path: Path) -> None:
    """The cursor's paper in a view is found again by reading the first rows, without a map of all 50,000."""
    app = open_app(tmp_path / "big.json")
    app.session.library.papers.update(_many_papers(50_000))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        screen.set_view_key("all")
        await pilot.pause()
        plist = screen.paper_list
        papers = list(plist.papers)
        plist.cursor = 0
        plist.set_papers(papers, keep_id=papers[300].id)
        assert plist.cursor == 300
        assert plist._row_index is None
        plist.cursor = 0
        plist.set_papers(papers, keep_id=papers[40_000].id)  # far down: the map is made, once
        assert plist.cursor == 40_000 and plist._row_index is not None
        assert plist.row_of(papers[45_000].id) == 45_000


async def test_paper_list_draws_only_visible_rows_with_100k_papers(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    app = open_app(path)
    app.session.library.papers.update(_many_papers(100_000))
    drawn: list[int] = []
    original = PaperList.render_line

    def counting(self: PaperList, y: int) -> object:
        drawn.append(y)
        return original(self, y)

    PaperList.render_line = counting  # type: ignore[method-assign]
    try:
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            assert isinstance(screen, MainScreen)
            screen.set_view_key("all")
            await pilot.pause()
            lst = screen.query_one(PaperList)
            assert len(lst.papers) == 100_000
            drawn.clear()
            await pilot.press("G")
            await pilot.press("k", "pageup", "g")
            assert lst.cursor == 0
            # Four moves over 100,000 rows drew a few screens of rows at most, never the whole list.
            assert 0 < len(drawn) < 4 * lst.size.height + 20
            assert max(drawn) < lst.size.height
            lst.move_to(99_999)
            await pilot.pause()
            assert lst.scroll_y == 100_000 - lst.scrollable_content_region.height
    finally:
        PaperList.render_line = original  # type: ignore[method-assign]


async def test_command_palette_names_views_literally(evil_library: Path) -> None:
    """The palette's entries for views are named after tags and saved searches: their brackets are not markup."""
    from textual.command import CommandList, CommandPalette

    app = open_app(evil_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"plain", "enter", "ctrl+s")
        await pilot.pause()
        await pilot.press(*"[i]mine[/i]", "enter")  # the name of the view it is kept as
        await pilot.pause()
        for query in ("", "view"):  # the opening list, and the entries found by typing
            await pilot.press("ctrl+p", *query)
            await pilot.pause(0.5)
            assert isinstance(app.screen, CommandPalette)
            options = app.screen.query_one(CommandList)
            found = [options.get_option_at_index(i).prompt for i in range(options.option_count)]
            shown = "\n".join(str(prompt) for prompt in found)
            assert "View: #[bold]\nShow #[bold]" in shown, shown
            assert "Remove view: [i]mine[/i]\nForget the saved search “[i]mine[/i]”" in shown, shown
            await pilot.press("escape")
            await pilot.pause()
