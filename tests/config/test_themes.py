"""Theme files: the shipped palettes parse and are legible; broken user files are reported, not fatal."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from readlist.cli import main
from readlist.config.settings import save_setting, user_themes_dir
from readlist.config.themes import (
    COLOR_FIELDS,
    CURSOR_VARIABLES,
    READLIST_VARIABLES,
    STATUS_VARIABLES,
    ThemeFileError,
    ThemeSpec,
    bundled_themes_dir,
    contrast_ratio,
    contrast_warnings,
    derived_variables,
    ensure_contrast,
    legible_footer,
    load_bundled_themes,
    load_user_themes,
    parse_color,
    read_theme_file,
)

REPO_THEMES = Path(__file__).resolve().parents[2] / "themes"
SHIPPED = sorted(REPO_THEMES.glob("*.toml"))
SHIPPED_SPECS = {path.stem: read_theme_file(path, origin="bundled") for path in SHIPPED}

GOOD_THEME = """
name = "{name}"
dark = false
[colors]
primary = "#224488"
background = "#ffffff"
foreground = "#111111"
"""


def write(folder: Path, name: str, content: str | bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


# ---------------------------------------------------------------------------
# shipped themes


def test_shipped_themes_cover_light_dark_and_high_contrast() -> None:
    assert len(SHIPPED) >= 4
    names = set(SHIPPED_SPECS)
    assert {"readlist-dark", "readlist-light", "readlist-high-contrast"} <= names
    assert not SHIPPED_SPECS["readlist-light"].dark
    assert SHIPPED_SPECS["readlist-dark"].dark
    assert any(not spec.dark for spec in SHIPPED_SPECS.values())


def test_bundled_loader_finds_every_shipped_file() -> None:
    result = load_bundled_themes()
    assert result.problems == []
    assert [spec.name for spec in result.themes] == [p.stem for p in SHIPPED]
    assert bundled_themes_dir().is_dir()


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_theme_is_complete(path: Path) -> None:
    spec = SHIPPED_SPECS[path.stem]
    assert spec.name == path.stem, "file name and theme name should agree"
    assert set(spec.colors) == set(COLOR_FIELDS)
    assert set(spec.variables) == set(READLIST_VARIABLES) | set(CURSOR_VARIABLES)
    assert spec.description
    # The raw file uses plain #rrggbb so it doubles as a readable example.
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    for value in [*raw["colors"].values(), *raw["variables"].values()]:
        assert value.startswith("#") and len(value) == 7


def _contrast_cases() -> list[tuple[str, str, str, str]]:
    cases = []
    for name, spec in SHIPPED_SPECS.items():
        for ground in ("background", "surface", "panel"):
            cases.append((name, "foreground", spec.color("foreground"), ground))
        cases.append((name, "foreground", spec.color("foreground"), "block-cursor-background"))
        for variable in READLIST_VARIABLES:
            for ground in ("background", "surface", "block-cursor-background"):
                cases.append((name, variable, spec.variables[variable], ground))
    return cases


@pytest.mark.parametrize(("theme", "what", "color", "ground"), _contrast_cases())
def test_shipped_theme_text_contrast(theme: str, what: str, color: str, ground: str) -> None:
    spec = SHIPPED_SPECS[theme]
    back = spec.variables[ground] if ground in CURSOR_VARIABLES else spec.color(ground)
    ratio = contrast_ratio(color, back)
    assert ratio >= 4.5, f"{theme}: {what} {color} on {ground} {back} is {ratio:.2f}:1"


def test_high_contrast_theme_is_really_high_contrast() -> None:
    spec = SHIPPED_SPECS["readlist-high-contrast"]
    assert contrast_ratio(spec.color("foreground"), spec.color("background")) >= 15
    for variable in READLIST_VARIABLES:
        assert contrast_ratio(spec.variables[variable], spec.color("background")) >= 7, variable


@pytest.mark.parametrize("name", sorted(SHIPPED_SPECS))
def test_status_colours_are_distinguishable(name: str) -> None:
    spec = SHIPPED_SPECS[name]
    colors = [spec.variables[v] for v in STATUS_VARIABLES.values()]
    assert len(set(colors)) == len(colors)
    assert contrast_warnings(spec) == []


# ---------------------------------------------------------------------------
# colour helpers


def test_parse_color_normalises() -> None:
    assert parse_color("#ABC") == "#aabbcc"
    assert parse_color(" #A0b1C2 ") == "#a0b1c2"
    assert parse_color("rgb(255, 0, 16)") == "#ff0010"
    assert parse_color("white").startswith("#")
    for bad in ("", "#12345", "nope", "default", 12, None, "#ggg"):
        with pytest.raises(ThemeFileError):
            parse_color(bad)


def test_contrast_ratio_reference_values() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#777777") == pytest.approx(1.0)
    # A well-known pair: #767676 on white is the lightest grey that passes AA.
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


def test_ensure_contrast_fixes_a_weak_colour() -> None:
    fixed = ensure_contrast("#333333", ["#222222", "#2a2a2a"])
    assert contrast_ratio(fixed, "#222222") >= 4.5 and contrast_ratio(fixed, "#2a2a2a") >= 4.5
    assert ensure_contrast("#eeeeee", ["#000000"]) == "#eeeeee"


def test_derived_variables_are_legible_for_a_sparse_palette() -> None:
    for dark in (True, False):
        values = derived_variables({"primary": "#777777"}, dark=dark)
        spec = ThemeSpec(name="x", colors={"primary": "#777777"}, dark=dark)
        assert set(values) == set(READLIST_VARIABLES)
        for value in values.values():
            assert contrast_ratio(value, spec.color("background")) >= 4.5


def test_muted_text_on_the_panel_reaches_what_the_text_colour_reaches() -> None:
    # The panel is dark enough that muted text needs nudging.
    palette = {"primary": "#3366aa", "background": "#ffffff", "surface": "#f4f4f4", "panel": "#b8b8b8",
               "foreground": "#000000"}
    values = derived_variables(palette, dark=False)
    assert contrast_ratio(values["text-muted"], "#b8b8b8") < 4.5  # made for background and surface only
    assert contrast_ratio(values["panel-text-muted"], "#b8b8b8") >= 4.5
    # The theme's own muted text is where it starts from, and is kept where it is legible on the panel.
    given = derived_variables(palette, dark=False, given={"text-muted": "#202020"})
    assert given["panel-text-muted"] == "#202020"
    # Where the text colour itself falls short on the panel, muted text goes as far as it, and no louder.
    weak = {**palette, "foreground": "#4a4a4a"}
    reach = contrast_ratio("#4a4a4a", "#b8b8b8")
    assert reach < 4.5
    muted = derived_variables(weak, dark=False)["panel-text-muted"]
    assert reach <= contrast_ratio(muted, "#b8b8b8") < reach + 0.1


def test_footer_text_is_nudged_only_where_it_falls_short() -> None:
    # solarized-light's footer: cream keys and descriptions on blue.
    solarized = {"footer-background": "#268bd2", "footer-key-foreground": "#fdf6e3",
                 "footer-key-background": "transparent", "footer-description-foreground": "#FDF6E3"}
    fixed = legible_footer(solarized)
    assert set(fixed) == {"footer-key-foreground", "footer-description-foreground"}
    assert all(contrast_ratio(color, "#268bd2") >= 4.5 for color in fixed.values())
    # Legible already: left alone; a key on its own background is measured on that.
    assert legible_footer({"footer-background": "#202020", "footer-key-foreground": "#e0e0e0",
                           "footer-description-foreground": "#ffffff"}) == {}
    on_own = legible_footer({"footer-background": "#000000", "footer-key-foreground": "#777777",
                             "footer-key-background": "#808080", "footer-description-foreground": "#ffffff"})
    assert contrast_ratio(on_own["footer-key-foreground"], "#808080") >= 4.5
    # What cannot be measured is left: colours with transparency, the terminal's own.
    assert legible_footer({"footer-background": "ansi_default", "footer-key-foreground": "ansi_magenta"}) == {}
    assert legible_footer({"footer-background": "#202020", "footer-key-foreground": "#30303080"}) == {}


# ---------------------------------------------------------------------------
# user themes


def test_broken_user_themes_are_reported_and_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "themes"
    write(folder, "good.toml", GOOD_THEME.format(name="good-one"))
    write(folder, "also-good.toml", GOOD_THEME.format(name="good-two"))
    write(folder, "syntax.toml", 'name = "x"\n[colors\nprimary = "#fff"\n')
    write(folder, "colour.toml", 'name = "bad-colour"\n[colors]\nprimary = "sort-of-blue"\n')
    write(folder, "nameless.toml", '[colors]\nprimary = "#123456"\n')
    write(folder, "binary.toml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")
    write(folder, "latin1.toml", 'name = "caf\xe9"\n'.encode("latin-1"))
    write(folder, "clash.toml", GOOD_THEME.format(name="readlist-dark"))
    write(folder, "twin.toml", GOOD_THEME.format(name="good-one"))
    write(folder, "unknown-var.toml", GOOD_THEME.format(name="extra") + '[variables]\nstatus-lost = "#ffffff"\n')
    write(folder, "notes.txt", "not a theme, ignored")

    result = load_user_themes(reserved=["readlist-dark"], folder=folder)

    assert sorted(spec.name for spec in result.themes) == ["good-one", "good-two"]
    assert all(spec.origin == "user" for spec in result.themes)
    problems = {p.path.name: p.message for p in result.problems}
    assert set(problems) == {
        "syntax.toml",
        "colour.toml",
        "nameless.toml",
        "binary.toml",
        "latin1.toml",
        "clash.toml",
        "twin.toml",
        "unknown-var.toml",
    }
    assert "not valid TOML" in problems["syntax.toml"]
    assert "sort-of-blue" in problems["colour.toml"] and "primary" in problems["colour.toml"]
    assert "missing 'name'" in problems["nameless.toml"]
    assert "text file" in problems["binary.toml"]
    assert "UTF-8" in problems["latin1.toml"]
    assert "already taken" in problems["clash.toml"]
    assert "defined in good.toml" in problems["twin.toml"]
    assert "status-lost" in problems["unknown-var.toml"]
    # Every message names its file when shown.
    assert all(str(p).startswith(str(folder)) for p in result.problems)


def test_user_theme_variables_fall_back_to_its_palette(tmp_path: Path) -> None:
    path = write(tmp_path, "t.toml", GOOD_THEME.format(name="sparse") + '[variables]\nrating-star = "#884400"\n')
    spec = read_theme_file(path)
    resolved = spec.resolved_variables()
    assert resolved["rating-star"] == "#884400"
    assert set(READLIST_VARIABLES) <= set(resolved)
    assert contrast_ratio(resolved["status-skipped"], "#ffffff") >= 4.5


def test_missing_theme_folder_is_fine(tmp_path: Path) -> None:
    result = load_user_themes(folder=tmp_path / "nowhere")
    assert result.themes == [] and result.problems == []


# ---------------------------------------------------------------------------
# readlist themes


def test_themes_command_lists_every_origin_and_marks_current() -> None:
    write(user_themes_dir(), "mine.toml", GOOD_THEME.format(name="my-own"))
    write(user_themes_dir(), "broken.toml", "name = [")
    result = CliRunner().invoke(main, ["themes"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    current = [line for line in lines if line.startswith("* ")]
    assert len(current) == 1 and "readlist-dark" in current[0]
    assert any("readlist-light" in line and "bundled" in line for line in lines)
    assert any("my-own" in line and "user" in line for line in lines)
    assert any("nord" in line and "built-in" in line for line in lines)
    assert any("broken.toml" in line and "not valid TOML" in line for line in lines)


def test_themes_command_follows_config_and_override() -> None:
    save_setting("theme", "readlist-sepia")
    output = CliRunner().invoke(main, ["themes"]).output
    assert [line.split()[1] for line in output.splitlines() if line.startswith("* ")] == ["readlist-sepia"]
    output = CliRunner().invoke(main, ["--theme", "nord", "themes"]).output
    assert [line.split()[1] for line in output.splitlines() if line.startswith("* ")] == ["nord"]


def test_themes_command_json() -> None:
    write(user_themes_dir(), "mine.toml", GOOD_THEME.format(name="my-own"))
    write(user_themes_dir(), "bad.toml", 'name = "x"\n[colors]\nprimary = "blurple"\n')
    result = CliRunner().invoke(main, ["themes", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["current"] == "readlist-dark"
    by_name = {row["name"]: row for row in data["themes"]}
    assert by_name["readlist-dark"]["current"] is True
    assert sum(row["current"] for row in data["themes"]) == 1
    assert by_name["readlist-light"]["origin"] == "bundled" and by_name["readlist-light"]["dark"] is False
    assert by_name["my-own"]["origin"] == "user" and by_name["my-own"]["path"].endswith("mine.toml")
    assert by_name["textual-dark"]["origin"] == "built-in"
    assert [Path(p["path"]).name for p in data["problems"]] == ["bad.toml"]
    assert "blurple" in data["problems"][0]["problem"]
    assert data["user_themes_dir"] == str(user_themes_dir())


def test_a_pipe_among_the_user_themes_is_a_problem_not_a_hang() -> None:
    """`readlist themes` and the app read every user theme: a FIFO named like one made them wait for a writer
    forever. It is named as a problem, as a folder or a file too large is; the other themes load."""
    import os
    import threading

    write(user_themes_dir(), "mine.toml", GOOD_THEME.format(name="my-own"))
    fifo = user_themes_dir() / "pipe.toml"
    os.mkfifo(fifo)
    rescued = threading.Event()

    def rescue() -> None:  # were the read to wait for a writer, this one ends the wait (and the test fails)
        if not done.wait(10):
            rescued.set()
            with open(fifo, "wb"):
                pass

    done = threading.Event()
    threading.Thread(target=rescue, daemon=True).start()
    result = CliRunner().invoke(main, ["themes", "--json"])
    done.set()
    assert not rescued.is_set()
    data = json.loads(result.output)
    assert [(Path(p["path"]).name, p["problem"]) for p in data["problems"]] == [
        ("pipe.toml", "cannot be read (it is a named pipe, not a file)")]
    assert "my-own" in {row["name"] for row in data["themes"]}


def test_configured_theme_that_vanished_is_noted() -> None:
    save_setting("theme", "gone-theme")
    data = json.loads(CliRunner().invoke(main, ["themes", "--json"]).output)
    assert data["current"] == "readlist-dark"
    assert "gone-theme" in data["notes"][0]


def test_unknown_theme_option_is_a_clear_usage_error() -> None:
    result = CliRunner().invoke(main, ["--theme", "no-such-theme"])
    assert result.exit_code == 2
    assert "unknown theme 'no-such-theme'" in result.output
    for name in ("readlist-dark", "readlist-light", "textual-dark"):
        assert name in result.output
    # Checked while parsing, so it fails the same way in front of a sub-command.
    assert CliRunner().invoke(main, ["--theme", "no-such-theme", "themes"]).exit_code == 2


def test_documented_example_theme_is_valid_and_legible(tmp_path: Path) -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "themes.md").read_text(encoding="utf-8")
    example = doc.split("```toml\n", 1)[1].split("```", 1)[0]
    spec = read_theme_file(write(tmp_path, "harbour.toml", example))
    assert spec.name == "harbour"
    assert set(spec.colors) == set(COLOR_FIELDS)
    assert contrast_warnings(spec) == []


def test_theme_option_is_checked_by_the_main_command_not_a_parse_callback() -> None:
    from click.testing import CliRunner

    from readlist.cli import main

    theme_option = next(p for p in main.params if p.name == "theme")
    assert theme_option.callback is None
    result = CliRunner().invoke(main, ["--theme", "no-such-theme", "themes"])
    assert result.exit_code == 2
    assert "Invalid value for '--theme'" in result.output and "readlist-sepia" in result.output


def test_derived_inbox_and_reading_colours_differ_when_accent_is_warning() -> None:
    from readlist.config.themes import derived_variables

    # textual-dark's palette: accent and warning are the same orange.
    palette = {"primary": "#0178d4", "secondary": "#004578", "accent": "#ffa62b", "warning": "#ffa62b",
               "background": "#121212", "surface": "#1e1e1e", "foreground": "#e0e0e0", "success": "#4ebf71"}
    values = derived_variables(palette, dark=True)
    assert values["status-inbox"] != values["status-reading"]
