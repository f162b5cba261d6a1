"""`e`: the details form corrects the paper under the cursor by the command `readlist edit` runs; u undoes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.widgets import Input, Static
from tui_helpers import SIZE, burst, closed, fresh, settle, topbar

from readlist.app.imports import ImportPapers
from readlist.core.model import Paper
from readlist.storage.library import Library
from readlist.tui.app import ReadlistApp
from readlist.tui.screens.details import DetailsEditor
from readlist.tui.widgets.paper_list import PaperList

MakeApp = Callable[..., ReadlistApp]


async def open_form(app: ReadlistApp, pilot: Any) -> Paper:
    """``e`` on the paper under the cursor: the form opened on it, and the paper."""
    paper = app.screen.query_one(PaperList).current
    assert paper is not None
    await pilot.press("e")
    await pilot.pause()
    assert isinstance(app.screen, DetailsEditor)
    return paper


async def test_a_correction_is_saved_shown_and_undone(small_library: Path, make_app: MakeApp) -> None:
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        paper = app.screen.query_one(PaperList).current
        assert paper is not None and not paper.authors
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, DetailsEditor)
        await pilot.press("tab", *"Ada Lovelace; Alan Turing", "tab", "tab", "ctrl+u", *"2024-13", "ctrl+s")
        await pilot.pause()
        # Not a date: the form stays open with the reason, and nothing typed is lost.
        assert isinstance(app.screen, DetailsEditor)
        assert "'2024-13' is no day of the calendar" in str(app.screen.query_one("#details-error", Static).render())
        assert fresh(small_library).papers[paper.id].authors == []
        await pilot.press("backspace", "backspace", "backspace", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, DetailsEditor)
        stored = fresh(small_library).papers[paper.id]
        assert (stored.authors, stored.published) == (["Ada Lovelace", "Alan Turing"], "2024")
        assert "Corrected: authors, published (u undoes)" in topbar(app)
        current = app.screen.query_one(PaperList).current
        assert current is not None and current.authors == ["Ada Lovelace", "Alan Turing"]  # the list follows
        await pilot.press("u")
        await pilot.pause()
    assert fresh(small_library).papers[paper.id].authors == []
    assert fresh(small_library).papers[paper.id].published == paper.published


async def test_esc_discards_and_an_unchanged_form_changes_nothing(small_library: Path, make_app: MakeApp) -> None:
    before = fresh(small_library).papers
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e", *"typed, then thrown away", "escape")
        await pilot.pause()
        assert not isinstance(app.screen, DetailsEditor)
        await pilot.press("e", "ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, DetailsEditor)
        assert "Corrected" not in topbar(app)
    assert fresh(small_library).papers == before


async def test_the_form_shows_hostile_stored_text_as_text(tmp_path: Path, make_app: MakeApp) -> None:
    path = tmp_path / "library.json"
    ImportPapers([Paper.create(title="[bold]Markup[/bold] \x1b[31mtitle\u202e", authors=["[red]Eve[/red]"])],
                 "test").execute(Library(path))
    app = make_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        await pilot.pause()
        title = app.screen.query_one("#detail-title", Input).value
        assert title.startswith("[bold]Markup[/bold]") and "\x1b" not in title and "\u202e" not in title
        assert app.screen.query_one("#detail-authors", Input).value == "[red]Eve[/red]"
        heading = str(app.screen.query_one("#details-heading", Static).render())
        assert "[bold]Markup[/bold]" in heading


async def test_a_title_run_long_leaves_the_boxes_the_reason_and_the_keys_on_the_form(
    tmp_path: Path, make_app: MakeApp
) -> None:
    """The heading is one line: a long title (the one that most needs correcting) pushed the rest off the form."""
    path = tmp_path / "library.json"
    ImportPapers([Paper.create(title="A title that took the abstract in " * 30)], "test").execute(Library(path))
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("e")
        await pilot.pause()
        assert app.screen.query_one("#details-heading", Static).region.height == 1
        await pilot.press("tab", "tab", "tab", "ctrl+u", *"2024-13", "ctrl+s")
        await pilot.pause()
        dialog = app.screen.query_one("#details-dialog").region
        for part in ("#detail-journal_ref", "#details-abstract", "#details-error", "#details-keys"):
            shown = app.screen.query_one(part).region
            assert shown.height > 0 and dialog.contains_region(shown), part


async def test_typing_in_a_box_adds_to_what_it_holds(small_library: Path, make_app: MakeApp) -> None:
    """A correction is mostly a word: the box opens with the cursor after the text, nothing selected to replace."""
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        paper = app.screen.query_one(PaperList).current
        assert paper is not None
        pid, title = paper.id, paper.title
        await pilot.press("e", *" (extended)", "ctrl+s")
        await pilot.pause()
    assert fresh(small_library).papers[pid].title == title + " (extended)"


async def test_the_detail_pane_shows_a_correction_at_once(small_library: Path, make_app: MakeApp) -> None:
    """After the form saves, the pane beside the list shows the corrected paper without the cursor moving."""
    from readlist.tui.widgets.detail import PaperDetail

    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("e", "ctrl+u", *"A corrected title", "tab", *"Ada Lovelace", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, DetailsEditor)
        assert "Corrected: title, authors (u undoes)" in topbar(app)
        header = str(app.screen.query_one("#detail-header", Static).render())
        assert "A corrected title" in header and "Ada Lovelace" in header, header
        detail = app.screen.query_one(PaperDetail)
        assert detail.paper is not None and detail.paper.title == "A corrected title"


async def test_a_venue_given_in_the_form_shows_in_the_detail_pane(small_library: Path, make_app: MakeApp) -> None:
    """The venue is cited once given (docs/citations.md): the pane says where the paper was published."""
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("e", *["tab"] * 6, *"Journal of Machine Learning Research", "ctrl+s")
        await pilot.pause()
        assert "Corrected: journal (u undoes)" in topbar(app)
        header = str(app.screen.query_one("#detail-header", Static).render())
        assert "Journal of Machine Learning Research" in header, header


async def test_keys_typed_in_a_burst_after_tab_land_in_the_box_tab_moved_to(
    small_library: Path, make_app: MakeApp
) -> None:
    """Tab went to the box in focus first and moved the focus on its way back: what a fast typist typed just
    after it (20-30 ms a key, or a burst the terminal hands over at once) landed in the box before, and was
    saved there."""
    from textual import events

    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        paper = await open_form(app, pilot)
        assert isinstance(app.screen, DetailsEditor)
        for key, character in [("tab", None), ("A", "A"), ("tab", None), ("B", "B"), ("shift+tab", None),
                               ("a", "a")]:
            app.post_message(events.Key(key, character))  # as the terminal's driver hands them over: no wait
        await pilot.pause()
        boxes = {name: app.screen.query_one(f"#detail-{name}", Input).value for name in ("title", "authors",
                                                                                           "organization")}
        assert boxes == {"title": paper.title, "authors": "Aa", "organization": "B"}


async def test_a_burst_ending_in_ctrl_s_saves_every_key_typed_before_it(small_library: Path, make_app: MakeApp) -> None:
    """ctrl+s saved as soon as the app saw it, while the letters before it still waited for the box: typed in one
    burst, a new organization was not saved at all, and a new author list only by its first letter."""
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        paper = await open_form(app, pilot)
        burst(app, "\t\tAcme Lab\x13")  # Tab Tab, the organization, ctrl+s
        await settle(pilot)
        assert not isinstance(app.screen, DetailsEditor)
        assert fresh(small_library).papers[paper.id].organization == "Acme Lab"
        await open_form(app, pilot)
        burst(app, "\t\x15Ann Bee\x13")  # Tab, ctrl+u, the authors, ctrl+s
        await settle(pilot)
        assert not isinstance(app.screen, DetailsEditor)
    assert fresh(small_library).papers[paper.id].authors == ["Ann Bee"]


async def test_a_burst_with_a_date_that_is_no_day_keeps_the_form_open(small_library: Path, make_app: MakeApp) -> None:
    """Saved before the date was typed in full, an impossible date went round the check the form makes."""
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        paper = await open_form(app, pilot)
        burst(app, "\t\t\t\x152024-13-40\x13")
        await settle(pilot)
        assert isinstance(app.screen, DetailsEditor)
        assert app.screen.query_one("#detail-published", Input).value == "2024-13-40"
        assert "'2024-13-40'" in str(app.screen.query_one("#details-error", Static).render())
    assert fresh(small_library).papers[paper.id].published == paper.published


async def test_keys_typed_after_ctrl_s_in_a_burst_go_to_the_list(small_library: Path, make_app: MakeApp) -> None:
    """The form saves with what was typed before ctrl+s, and what follows is for the list, as at human speed."""
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        paper = await open_form(app, pilot)
        burst(app, "\t\tAcme\x13j")
        await settle(pilot)
        assert not isinstance(app.screen, DetailsEditor)
        assert app.screen.query_one(PaperList).cursor == 1
    assert fresh(small_library).papers[paper.id].organization == "Acme"


async def test_quitting_with_the_form_open_saves_what_was_typed(small_library: Path, make_app: MakeApp) -> None:
    """ctrl+q in the form left the app at once and the correction typed in it was gone, without a word (the note
    editor saves first)."""
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        paper = await open_form(app, pilot)
        await pilot.press("tab", *"Ada Lovelace", "ctrl+q")
        await closed(app)
    assert fresh(small_library).papers[paper.id].authors == ["Ada Lovelace"]
    assert app.exit_notices == []


async def test_quitting_with_a_value_the_form_refuses_names_it_at_exit(small_library: Path, make_app: MakeApp) -> None:
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        paper = await open_form(app, pilot)
        await pilot.press("tab", "tab", "tab", "ctrl+u", *"2024-13-40", "ctrl+q")
        await closed(app)
    assert fresh(small_library).papers[paper.id].published == paper.published
    (notice,) = app.exit_notices
    assert notice.startswith(f"the details typed for “{paper.title}” were not saved (")
    assert "Published '2024-13-40'" in notice
