"""The citation format chooser on its own: live preview, Enter picks, Esc cancels."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Label, OptionList

from readlist.core.cite import format_entries
from readlist.core.model import Paper
from readlist.tui.screens.cite_chooser import CiteChooser

PAPERS = [
    Paper.create(
        title="[bold]Not markup[/bold] LLaMA: Open and Efficient Foundation Language Models",
        authors=["Hugo Touvron", "Thibaut Lavril"],
        arxiv_id="2302.13971",
        published="2023-02-27",
    ),
    Paper.create(title="Combinatorial Creativity", organization="Spiral Works", published="2025-09-25"),
]


class ChooserApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.results: list[str | None] = []

    def compose(self) -> ComposeResult:
        yield Label("main")

    def on_mount(self) -> None:
        self.push_screen(CiteChooser(PAPERS), self.results.append)


async def test_down_enter_returns_the_format_and_preview_follows_the_cursor() -> None:
    app = ChooserApp()
    async with app.run_test() as pilot:
        await pilot.pause()
        chooser = app.screen
        assert isinstance(chooser, CiteChooser)
        assert chooser.preview == format_entries(PAPERS, "bibtex")
        assert "markup[/bold]" in chooser.preview  # shown as typed, not styled
        await pilot.press("down")
        await pilot.pause()
        assert chooser.preview == format_entries(PAPERS, "biblatex")
        await pilot.press("down")
        await pilot.pause()
        assert chooser.preview.startswith("- [\\[bold\\]Not markup")
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == ["markdown"]


async def test_escape_returns_none() -> None:
    app = ChooserApp()
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.screen.query_one(OptionList).highlighted == 0
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, CiteChooser)
    assert app.results == [None]


async def test_every_format_is_in_sight_at_80_by_24_and_wider() -> None:
    """The formats further down (CSL-JSON, RIS) must not hide behind a scrollbar in a list of six."""
    for size in ((80, 24), (160, 48)):
        app = ChooserApp()
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            options = app.screen.query_one(OptionList)
            assert options.option_count >= 6
            assert options.scrollable_content_region.height >= options.option_count, size
            assert app.screen.query_one("#cite-preview").size.height >= 5, size


async def test_a_large_selection_previews_its_first_citations_and_says_how_many_more(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Thousands of citations took seconds to format and lay out for a preview nobody scrolls through."""
    from readlist.tui.screens import cite_chooser

    many = [Paper.create(title=f"Paper {i}", arxiv_id=f"2401.{i:05d}", published="2024-01-02") for i in range(400)]
    formatted: list[int] = []
    real = cite_chooser.format_entries

    def counted(papers: list[Paper], fmt: str, **kwargs: object) -> str:
        formatted.append(len(papers))
        return real(papers, fmt, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(cite_chooser, "format_entries", counted)

    class ManyApp(App[None]):
        def __init__(self) -> None:
            super().__init__()
            self.results: list[str | None] = []

        def on_mount(self) -> None:
            self.push_screen(CiteChooser([*many, many[0]]), self.results.append)

    app = ManyApp()
    async with app.run_test() as pilot:
        await pilot.pause()
        chooser = app.screen
        assert isinstance(chooser, CiteChooser)
        shown = many[: cite_chooser.PREVIEW_PAPERS]
        more = len(many) - len(shown)
        assert chooser.preview == real(shown, "bibtex") + f"\n… and {more} more citations, copied with these\n"
        assert "Copy 400 citations as…" in str(chooser.query_one("#cite-title", Label).render())
        await pilot.press("down", "enter")
        await pilot.pause()
    assert formatted and max(formatted) == cite_chooser.PREVIEW_PAPERS
    assert app.results == ["biblatex"]
