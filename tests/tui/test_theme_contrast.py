"""Every theme the app offers draws the paper list and the sidebar legibly, on every kind of row and terminal.

The colours are read from what the widgets draw, cell by cell, after the row's own colours (the
cursor, the selection) are laid under the parts that have a colour of their own: the status glyph,
the rating, the date, the upvotes and the sidebar's counts. A theme that looks right on its own
background can still draw a part in a colour meant for another background (or in an "auto" colour
that a part's style cannot work out), and only the drawn cells show that. A terminal with only
16 colours shows each colour as the nearest of its own, where a theme's tints for the cursor and
for the selection can come out as one.

The muted text around them (the top bar's totals and sort, the detail pane's facts and hints, the
search box's placeholder) and the footer's keys are measured the same way, on their own backgrounds.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len
from rich.color import Color, ColorSystem, ColorType
from rich.style import Style
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets._footer import FooterKey, FooterLabel

from readlist.config.themes import contrast_ratio
from readlist.tui.widgets.paper_list import PaperList
from readlist.tui.widgets.sidebar import ViewSidebar

SIZE = (160, 48)
TEXT = 4.5  # titles, on every row
SECONDARY = 3.0  # status glyph, rating, date, upvotes, sidebar counts
DATE = re.compile(r"^\d{4}-\d\d-\d\d$")
TOLERANCE = 0.05  # a muted colour worked out to match the theme's own text may land a hair under it
MakeApp = Callable[..., Any]


def drawn(widget: Widget) -> list[list[tuple[str, Style]]]:
    """Each line the widget draws, as (character, style) per cell."""
    width, height = widget.size
    lines: list[Strip] = widget.render_lines(Region(0, 0, width, height))
    cells: list[list[tuple[str, Style]]] = []
    for strip in lines:
        row: list[tuple[str, Style]] = []
        for segment in strip:
            style = segment.style or Style()
            for char in segment.text:
                row.extend([(char, style)] * cell_len(char))
        cells.append(row)
    return cells


def shown(style: Style) -> tuple[str, str] | None:
    """The (text, background) colours a terminal shows for a style, or None where they are its own palette."""
    fore, back = style.color, style.bgcolor
    if fore is None or back is None or ColorType.TRUECOLOR not in (fore.type, back.type):
        return None
    pair = (fore.get_truecolor().hex, back.get_truecolor().hex)
    return (pair[1], pair[0]) if style.reverse else pair


def row_spans(paper_list: PaperList, row: int) -> list[tuple[str, int, int]]:
    """(kind, first cell, end cell) of the parts of a row whose colour matters."""
    width = paper_list.scrollable_content_region.width
    parts = paper_list.row_parts(paper_list.papers[row], width)
    spans: list[tuple[str, int, int]] = []
    x = 0
    for index, (text, _) in enumerate(parts):
        end = x + cell_len(text)
        kind = {1: "status", 2: "rating", 3: "title"}.get(index)
        if DATE.match(text.strip()):
            kind = "date"
        elif text.strip().startswith("▲"):
            kind = "upvotes"
        if kind:
            spans.append((kind, x, end))
        x = end
    return spans


def problems(app: Any, rows: dict[int, str]) -> list[tuple[str, str, str, float]]:
    """Every part drawn below its contrast floor: (part, row kind, colours, ratio)."""
    paper_list = app.screen.query_one(PaperList)
    found: list[tuple[str, str, str, float]] = []
    lines = drawn(paper_list)
    for row, row_kind in rows.items():
        for kind, start, end in row_spans(paper_list, row):
            floor = TEXT if kind == "title" else SECONDARY
            for char, style in lines[row][start:end]:
                colours = shown(style)
                if char.isspace() or colours is None:
                    continue
                ratio = contrast_ratio(*colours)
                if ratio < floor:
                    found.append((kind, row_kind, "{} on {}".format(*colours), round(ratio, 2)))
                    break
    sidebar = app.screen.query_one(ViewSidebar)
    for line in drawn(sidebar):
        text = "".join(char for char, _ in line).rstrip()
        count = re.search(r"\d+$", text)
        if count is None:
            continue
        char, style = line[count.end() - 1]
        colours = shown(style)
        if colours is not None and (ratio := contrast_ratio(*colours)) < SECONDARY:
            found.append(("count", text.split()[0], "{} on {}".format(*colours), round(ratio, 2)))
    return found


# Themes in which text drawn dim, or in the terminal palette's green and red, fell below 4.5:1.
DIM_FELL_SHORT = frozenset({"atom-one-dark", "atom-one-light", "catppuccin-latte", "readlist-sepia", "rose-pine-dawn",
                            "solarized-light"})


async def measured_themes(app: Any, pilot: Any, only: frozenset[str] | None = None) -> AsyncIterator[str]:
    """Each offered theme but the ANSI ones (the terminal's own palette: nothing to measure), put on in turn
    (``only``: those of them)."""
    for name in sorted(app.available_themes):
        if app.get_theme(name).ansi or (only is not None and name not in only):
            continue
        app.theme = name
        await pilot.pause()
        yield name


async def test_every_offered_theme_draws_the_list_and_sidebar_legibly(small_library: Path, make_app: MakeApp) -> None:
    app = make_app(small_library)
    failures: dict[str, list[tuple[str, str, str, float]]] = {}
    measured = 0
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # Row 0 selected and rated, row 1 selected and rated under the cursor, row 2 plain and unrated.
        await pilot.press("3", "space", "4", "space", "k")
        await pilot.pause()
        async for name in measured_themes(app, pilot):
            found = problems(app, {0: "selected", 1: "cursor on selected", 2: "plain"})
            # Then the cursor on a rated row that is not selected.
            await pilot.press("j", "j", "5")
            await pilot.pause()
            found += problems(app, {3: "cursor"})
            await pilot.press("0", "k", "k")
            await pilot.pause()
            if found:
                failures[name] = found
            measured += 1
    assert measured >= 20
    assert not failures, "\n".join(f"{name}: {found}" for name, found in failures.items())


def basic(color: Color | None, default: str) -> int | str:
    """The number of the colour a 16-colour terminal shows for a colour, or ``default`` for its default colour."""
    number = None if color is None else color.downgrade(ColorSystem.STANDARD).number
    return default if number is None else number


def on_basic_terminal(style: Style) -> tuple[int | str, int | str]:
    """The (text, background) colours a 16-colour terminal shows for a style, as numbers of its 16.

    The terminal's default colours are "text" and "background", so that reverse video is seen too.
    """
    fore, back = basic(style.color, "text"), basic(style.bgcolor, "background")
    return (back, fore) if style.reverse else (fore, back)


async def test_on_a_16_colour_terminal_the_cursor_stands_out_from_the_selection(
    small_library: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.delenv("COLORTERM")
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        assert app.console.color_system == "standard"
        await pilot.pause()
        # Rows 0-2 selected, the cursor back on row 2: walking through a selected block.
        await pilot.press("space", "space", "space", "k")
        await pilot.pause()
        paper_list = app.screen.query_one(PaperList)
        assert paper_list.cursor == 2
        alike: dict[str, tuple[tuple[int | str, int | str], ...]] = {}
        for name in sorted(app.available_themes):
            app.theme = name
            await pilot.pause()
            lines = drawn(paper_list)
            title = next(start for kind, start, _ in row_spans(paper_list, 2) if kind == "title")
            selected, cursor, plain = (on_basic_terminal(lines[row][title][1]) for row in (1, 2, 3))
            # (text, background): the cursor's background is neither the selection's nor a plain row's.
            if cursor[1] in (selected[1], plain[1]) or cursor[0] == cursor[1]:
                alike[name] = (selected, cursor, plain)
        assert not alike, "\n".join(f"{name}: selected, cursor, plain {rows}" for name, rows in alike.items())
        # In the search box, the list's cursor is still to be seen: underlined.
        app.theme = "readlist-dark"
        await pilot.press("tab")
        await pilot.pause()
        assert not paper_list.has_focus
        assert drawn(paper_list)[2][title][1].underline


def muted_floor(app: Any, back: str) -> float:
    """What muted text must reach on ``back``: 4.5:1, or the theme's own text colour's ratio where that is lower."""
    foreground = app.theme_variables["foreground"][:7]
    return min(TEXT, contrast_ratio(foreground, back)) - TOLERANCE


def below(app: Any, part: str, cells: list[tuple[str, Style]], floor: Callable[[str], float] | None = None
          ) -> list[tuple[str, str, float]]:
    """The first drawn character of ``cells`` below its floor, as (part, colours, ratio); none if all reach it."""
    for char, style in cells:
        colours = shown(style)
        if char.isspace() or colours is None:
            continue
        ratio = contrast_ratio(*colours)
        if ratio < (floor(colours[1]) if floor else muted_floor(app, colours[1])):
            return [(part, "{} on {}".format(*colours), round(ratio, 2))]
    return []


def cells_of(line: list[tuple[str, Style]], pattern: str) -> list[tuple[str, Style]]:
    """The cells of ``line`` that the first match of ``pattern`` covers (none if it does not occur)."""
    text = "".join(char for char, _ in line)
    match = re.search(pattern, text)
    return line[match.start():match.end()] if match else []


def muted_problems(app: Any) -> list[tuple[str, str, float]]:
    """The muted text of the main screen and the footer's keys, wherever drawn below their floor."""
    screen = app.screen
    found: list[tuple[str, str, float]] = []
    topbar = drawn(screen.query_one("#topbar"))[0]
    for part, pattern in (("top bar totals", r"\d+ papers? · \d+ in inbox"), ("top bar sort", r"sort: [\w ]+")):
        cells = cells_of(topbar, pattern)
        assert cells, f"no {pattern!r} in the top bar"
        found += below(app, part, cells)
    header = drawn(screen.query_one("#detail-header"))
    for part, pattern in (("detail facts", r"^\d{4}-\d\d-\d\d .*"), ("detail id", r"^id \S+")):
        cells = next((cells for line in header if (cells := cells_of(line, pattern))), [])
        assert cells, f"no {pattern!r} in the detail pane's header"
        found += below(app, part, cells)
    insight = drawn(screen.query_one("#detail-insight"))
    hint = r"^(Learning from your decisions|Working out|Not learned yet|Not scored yet).*"
    cells = next((cells for line in insight if (cells := cells_of(line, hint))), [])
    assert cells, "no hint in the detail pane's interest section"
    found += below(app, "interest hint", cells)
    keys = list(screen.query(FooterKey))
    labels = list(screen.query(FooterLabel))
    assert keys and labels, "no keys or no group label in the footer"
    # The footer's keys and what they do are always legible: black or white reaches 4.5:1 on any footer.
    footer: list[tuple[str, list[tuple[str, Style]]]] = []
    for key in keys:
        line = drawn(key)[0]
        shown_key = cells_of(line, re.escape(key.key_display) + r"( .*)?")  # the key, then what it does
        letters = len(key.key_display)
        footer += [(f"footer key {key.key_display}", shown_key[:letters]), ("footer description", shown_key[letters:])]
    footer += [("footer group label", drawn(label)[0]) for label in labels]
    for part, cells in footer:
        if problem := below(app, part, cells, floor=lambda _: TEXT):
            found += problem
            break  # one is enough: the others are drawn alike
    return found


def placeholder_problems(app: Any, focused: bool) -> list[tuple[str, str, float]]:
    search = app.screen.query_one("#search")
    assert search.has_focus == focused
    line = drawn(search)[0]
    cells = cells_of(line, re.escape(search.placeholder))
    assert cells, "no placeholder in the search box"
    # Focused, the first cell is the cursor, drawn in the cursor's own colours.
    return below(app, "placeholder" + (" (focused)" if focused else ""), cells[1:] if focused else cells)


async def test_every_offered_theme_draws_muted_text_and_footer_keys_legibly(
    small_library: Path, make_app: MakeApp
) -> None:
    app = make_app(small_library)
    failures: dict[str, list[tuple[str, str, float]]] = {}
    measured = 0
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("3")  # a rated paper: the stars are among the detail pane's muted facts
        await pilot.pause()
        async for name in measured_themes(app, pilot):
            found = muted_problems(app) + placeholder_problems(app, focused=False)
            await pilot.press("slash")
            await pilot.pause()
            found += placeholder_problems(app, focused=True)
            await pilot.press("escape")
            await pilot.pause()
            if found:
                failures[name] = found
            measured += 1
    assert measured >= 20
    assert not failures, "\n".join(f"{name}: {found}" for name, found in failures.items())


async def test_the_dialogs_draw_their_muted_lines_in_the_muted_colour(small_library: Path, make_app: MakeApp) -> None:
    """The tag box's hints, the delete confirmation's keys and the note editor's status line were drawn dim (the
    note editor's over the muted colour itself, faded twice): under 3:1 in several themes."""
    app = make_app(small_library)
    failures: dict[str, list[tuple[str, str, float]]] = {}
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # The themes in which dim text fell short (light and dark). That every theme's muted colour reaches 4.5:1
        # on these backgrounds is checked with the theme variables (tests/config/test_themes.py and
        # test_theme_app.py); here, that the dialogs draw in it.
        for key, parts in (("t", ("#tag-hint", "#tag-known")), ("D", ("#confirm-keys",)), ("n", ("#note-status",))):
            await pilot.press(key)
            await pilot.pause()
            async for name in measured_themes(app, pilot, only=DIM_FELL_SHORT):
                for part in parts:
                    line = drawn(app.screen.query_one(part))[0]
                    cells = [cell for cell in line if not cell[0].isspace()]
                    assert cells, f"nothing drawn in {part}"
                    failures.setdefault(name, []).extend(below(app, part, cells))
            await pilot.press("escape")
            await pilot.pause()
    failures = {name: found for name, found in failures.items() if found}
    assert not failures, "\n".join(f"{name}: {found}" for name, found in failures.items())


async def test_the_reasons_for_and_against_a_score_are_drawn_in_legible_colours(
    tmp_path: Path, make_app: MakeApp
) -> None:
    """The words that pushed a score up or down were the terminal palette's green and red: 3.3-3.7:1 in some
    themes (atom-one-dark's red, the light themes' green)."""
    from test_interest_tui import decided_library, learned, settled_insight

    app = make_app(decided_library(tmp_path))
    failures: dict[str, list[tuple[str, str, float]]] = {}
    async with app.run_test(size=SIZE) as pilot:
        await learned(app)
        await settled_insight(app, "how likely you are to keep it")
        measured = 0
        async for name in measured_themes(app, pilot, only=DIM_FELL_SHORT):
            found: list[tuple[str, str, float]] = []
            for line in drawn(app.screen.query_one("#detail-insight")):
                text = "".join(char for char, _ in line)
                if re.search(r" [+-]\d\.\d\d\s*$", text):  # a reason: its words, then its weight
                    words = [cell for cell in line[: text.rstrip().rfind(" ")] if not cell[0].isspace()]
                    found += below(app, "reason", words, floor=lambda _: TEXT)
                    measured += 1
            if found:
                failures[name] = found[:2]
        assert measured >= 8
    assert not failures, "\n".join(f"{name}: {found}" for name, found in failures.items())
