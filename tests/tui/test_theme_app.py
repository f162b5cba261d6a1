"""Themes in the running app: defaults, --theme, persistence, palette preview, broken files, snapshots."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.theme import BUILTIN_THEMES

from readlist.config.settings import config_path, load_config, save_setting, user_themes_dir
from readlist.config.themes import READLIST_VARIABLES, ThemeSpec, contrast_ratio, read_theme_file
from readlist.tui.themes import ThemePalette, readlist_variables

THEMES_DIR = Path(__file__).resolve().parents[2] / "themes"
SHIPPED = sorted(p.stem for p in THEMES_DIR.glob("*.toml"))
SIZE = (160, 48)
MakeApp = Callable[..., Any]


def shipped(name: str) -> ThemeSpec:
    return read_theme_file(THEMES_DIR / f"{name}.toml", origin="bundled")


def saved_theme() -> str | None:
    return load_config().theme


async def test_default_theme_is_readlist_dark(small_library: Path, make_app: MakeApp) -> None:
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == "readlist-dark"
        assert app.theme_variables["status-inbox"] == shipped("readlist-dark").variables["status-inbox"]
    assert not config_path().exists(), "opening the app must not write a config"


async def test_choice_persists_and_survives_restart(small_library: Path, make_app: MakeApp) -> None:
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        app.theme = "readlist-light"
        await pilot.pause()
        await pilot.press("q")
    assert saved_theme() == "readlist-light"
    again = make_app(small_library)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert again.theme == "readlist-light"
        assert again.theme_variables["rating-star"] == shipped("readlist-light").variables["rating-star"]


async def test_theme_option_is_for_one_run_only(small_library: Path, make_app: MakeApp) -> None:
    save_setting("theme", "readlist-sepia")
    app = make_app(small_library, theme="readlist-high-contrast")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == "readlist-high-contrast"
    assert saved_theme() == "readlist-sepia"


async def test_palette_previews_then_escape_restores(small_library: Path, make_app: MakeApp) -> None:
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.action_change_theme()
        await pilot.pause()
        assert isinstance(app.screen, ThemePalette)
        seen = set()
        for _ in range(3):
            await pilot.press("down")
            await pilot.pause()
            seen.add(app.theme)
        assert len(seen - {"readlist-dark"}) >= 2, "moving the cursor should preview other themes"
        assert not config_path().exists(), "a preview is not a choice"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.pause()
        assert app.theme == "readlist-dark"
    assert saved_theme() is None


async def test_palette_choice_is_saved(small_library: Path, make_app: MakeApp) -> None:
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.action_change_theme()
        await pilot.pause()
        await pilot.press(*"readlist-sepia")
        await pilot.pause(0.3)
        await pilot.press("down")
        await pilot.pause()
        assert app.theme == "readlist-sepia"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert app.theme == "readlist-sepia"
        assert not isinstance(app.screen, ThemePalette)
        # Said, as every other choice is: the theme changing alone left the last message standing.
        assert "Theme readlist-sepia: kept for the next start (config.toml)" in [n.message for n in app._notifications]
    assert saved_theme() == "readlist-sepia"


async def test_palette_lists_user_and_builtin_themes(small_library: Path, make_app: MakeApp) -> None:
    folder = user_themes_dir()
    folder.mkdir(parents=True)
    (folder / "mine.toml").write_text('name = "my-theme"\n[colors]\nprimary = "#3366aa"\n')
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert {"my-theme", "nord", *SHIPPED} <= set(app.available_themes)
        app.theme = "my-theme"
        await pilot.pause()
        assert app.theme_variables["status-read"].startswith("#")
    assert saved_theme() == "my-theme"


async def test_broken_user_themes_become_notifications(small_library: Path, make_app: MakeApp) -> None:
    folder = user_themes_dir()
    folder.mkdir(parents=True)
    (folder / "[bold]odd.toml").write_text("name = [unclosed")
    (folder / "binary.toml").write_bytes(b"\x00\x01\x02\xff")
    (folder / "ok.toml").write_text('name = "fine"\n[colors]\nprimary = "#3366aa"\n')
    save_setting("theme", "fine")
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == "fine"
        messages = [n.message for n in app._notifications]
        assert any("[bold]odd.toml" in m and "not valid TOML" in m for m in messages), messages
        assert any("binary.toml" in m for m in messages), messages


async def test_unknown_configured_theme_falls_back(small_library: Path, make_app: MakeApp) -> None:
    save_setting("theme", "vanished")
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == "readlist-dark"
        assert any("vanished" in n.message for n in app._notifications)
    assert saved_theme() == "vanished", "a fallback is not the user's choice"


@pytest.mark.parametrize("name", sorted(BUILTIN_THEMES))
def test_builtin_themes_get_legible_readlist_colours(name: str) -> None:
    theme = BUILTIN_THEMES[name]
    values = readlist_variables(theme)
    # An ANSI theme's muted text is the terminal's own text colour, which Textual gives it.
    assert set(values) == set(READLIST_VARIABLES) - ({"text-muted"} if theme.ansi else set())
    if not theme.ansi:
        generated = theme.to_color_system().generate()
        for ground in ("background", "surface"):
            for variable, value in values.items():
                ratio = contrast_ratio(value, generated[ground][:7])
                assert ratio >= 4.5, (name, variable, ground, ratio)
        # On the panel, muted text reaches 4.5:1, or what the theme's own text reaches there where that is less.
        panel = generated["panel"][:7]
        reach = min(4.5, contrast_ratio(generated["foreground"][:7], panel))
        assert contrast_ratio(values["panel-text-muted"], panel) >= reach, name


async def test_app_runs_in_builtin_themes(small_library: Path, make_app: MakeApp) -> None:
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        for name in ("textual-light", "nord", "ansi-dark", "solarized-light"):
            app.theme = name
            await pilot.pause()
            assert app.theme == name
            assert all(variable in app.theme_variables for variable in READLIST_VARIABLES)
            if not app.current_theme.ansi:  # a fixed colour, not Textual's "auto" one
                assert app.theme_variables["text-muted"].startswith("#"), name


@pytest.mark.parametrize("theme", SHIPPED)
def test_main_screen_snapshot(theme: str, seed_library: Path, make_app: MakeApp, snap_compare: Any) -> None:
    app = make_app(seed_library, theme=theme)

    async def settle(pilot: Any) -> None:
        await pilot.pause()
        await pilot.press("j", "j")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


async def test_theme_found_by_name_in_the_main_palette(small_library: Path, make_app: MakeApp) -> None:
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"sepia")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert app.theme == "readlist-sepia"
    assert saved_theme() == "readlist-sepia"


async def test_theme_hooks_are_methods_of_the_app(small_library: Path, make_app: MakeApp) -> None:
    from textual.theme import Theme

    app = make_app(small_library)
    # Nothing is patched onto the instance: the app's own methods do the work.
    assert "get_theme_variable_defaults" not in vars(app)
    assert "search_themes" not in vars(app)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # A theme registered after start-up still gets every readlist variable.
        app.register_theme(Theme(name="late-arrival", primary="#3366aa", dark=True))
        app.theme = "late-arrival"
        await pilot.pause()
        assert all(variable in app.theme_variables for variable in READLIST_VARIABLES)
        app.search_themes()
        await pilot.pause()
        assert isinstance(app.screen, ThemePalette)


async def test_current_view_row_is_legible_in_every_theme(small_library: Path, make_app: MakeApp) -> None:
    from rich.console import Console

    from readlist.tui.widgets.sidebar import ViewSidebar

    app = make_app(small_library)
    console = Console()
    async with app.run_test(size=SIZE) as pilot:
        sidebar = app.screen.query_one(ViewSidebar)
        checked = 0
        for name in app.available_themes:
            if app.get_theme(name).ansi:  # the terminal's own palette: nothing to measure
                continue
            app.theme = name
            await pilot.pause()
            text = sidebar.render()
            first = text.plain.split("\n")[0]
            assert first.strip().startswith("Inbox")
            # The label's first letter and the count's last digit, as drawn on the current row.
            for offset in (first.index("I"), len(first.rstrip()) - 1):
                # What the terminal shows: the widget's own colours under the row's.
                style = sidebar.rich_style + text.get_style_at_offset(console, offset)
                assert style.color is not None and style.bgcolor is not None, name
                fore, back = style.color.get_truecolor().hex, style.bgcolor.get_truecolor().hex
                assert contrast_ratio(fore, back) >= 4.5, (name, first[offset], fore, back)
            checked += 1
        assert checked >= 20
