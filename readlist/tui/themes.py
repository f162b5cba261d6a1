"""Themes in the running app: register readlist's and the user's themes, apply the chosen one, keep it.

The app calls :func:`install_themes` once from ``__init__``. From then on:

* every theme (bundled, user, and Textual's built-ins) defines the readlist variables
  (``$status-inbox`` … ``$rating-star``, ``$text-muted``, ``$panel-text-muted``), so the stylesheet
  works in all of them; muted text is a fixed colour in every one, since the list and the sidebar
  draw it in part styles, which cannot work out Textual's own "auto" muted colour (they draw it white);
* the footer's keys and their descriptions reach 4.5:1 on the footer in every theme that is not
  ANSI: where a theme's own colours fall short, they are nudged (:meth:`ThemeController.generated_overrides`);
* a row the theme highlights (the cursor, the selection) keeps its text legible: see
  :func:`legible_row` and :func:`legible_part`; on a terminal of 16 colours, where a theme's
  tints can come out alike, or with ``NO_COLOR``, the list draws its cursor otherwise (:func:`few_colours`);
* the "Change theme" palette lists every theme with its origin and previews each one as the
  cursor moves over it; Esc goes back to the theme in use;
* any theme change that is not a preview or a one-run ``--theme`` override is saved to config.toml;
* broken user theme files are shown as notifications instead of stopping the app.
"""

from __future__ import annotations

import dataclasses
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rich.color import Color as RichColor
from rich.color import ColorType
from rich.style import Style
from textual import on
from textual.app import App
from textual.command import Command, CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.theme import BUILTIN_THEMES, Theme
from textual.widgets import OptionList

from readlist.config.settings import Config, ConfigError, save_setting
from readlist.config.themes import (
    DEFAULT_THEME,
    MIN_CONTRAST,
    READLIST_VARIABLES,
    ThemeProblem,
    ThemeSpec,
    contrast_ratio,
    derived_variables,
    legible_footer,
    load_bundled_themes,
    load_user_themes,
)
from readlist.core.text import inert_text

ORIGIN_ORDER = {"bundled": 0, "user": 1, "built-in": 2}
BASIC_COLOUR_SYSTEMS = frozenset({"standard", "windows"})
"""Rich's names for the colour systems of a terminal with 16 colours (``windows``: the legacy console)."""
PART_CONTRAST = 3.0
"""What a part of a highlighted row drawn in its own colour (status glyph, rating, date, upvotes, tags) must
reach on the row's background to keep that colour (WCAG AA for large text and for interface parts)."""

# Plain terminal colours for Textual's ANSI themes, whose palette is the terminal's own. Muted text there is the
# terminal's text colour, drawn dim (see readlist.tcss).
_ANSI_VARIABLES = {
    True: {
        "status-inbox": "ansi_bright_cyan",
        "status-to-read": "ansi_bright_blue",
        "status-reading": "ansi_bright_yellow",
        "status-read": "ansi_bright_green",
        "status-skipped": "ansi_bright_black",
        "rating-star": "ansi_bright_yellow",
        "panel-text-muted": "ansi_default",
    },
    False: {
        "status-inbox": "ansi_cyan",
        "status-to-read": "ansi_blue",
        "status-reading": "ansi_magenta",
        "status-read": "ansi_green",
        "status-skipped": "ansi_bright_black",
        "rating-star": "ansi_red",
        "panel-text-muted": "ansi_default",
    },
}


@dataclass
class ThemeCatalog:
    """Every theme readlist can offer, in display order, plus the user theme files that were skipped."""

    themes: dict[str, ThemeSpec] = field(default_factory=dict)
    problems: list[ThemeProblem] = field(default_factory=list)

    def names(self) -> list[str]:
        return list(self.themes)


def builtin_specs() -> list[ThemeSpec]:
    """Textual's built-in themes described as specs, for listing next to readlist's own."""
    specs = []
    for theme in BUILTIN_THEMES.values():
        colors = {
            key: value
            for key in ("primary", "background", "surface", "panel", "foreground")
            if isinstance(value := getattr(theme, key), str)
        }
        specs.append(ThemeSpec(name=theme.name, colors=colors, dark=theme.dark, origin="built-in"))
    return specs


def load_catalog() -> ThemeCatalog:
    """Bundled themes first, then the user's, then Textual's; user files may not reuse a taken name."""
    catalog = ThemeCatalog()
    bundled = load_bundled_themes()
    builtin = builtin_specs()
    user = load_user_themes(reserved=[t.name for t in bundled.themes] + [t.name for t in builtin])
    for spec in [*bundled.themes, *user.themes, *builtin]:
        catalog.themes.setdefault(spec.name, spec)
    catalog.problems = bundled.problems + user.problems
    return catalog


def to_textual(spec: ThemeSpec) -> Theme:
    """A Textual theme with every readlist variable filled in."""
    c = spec.colors
    return Theme(
        name=spec.name,
        primary=c["primary"],
        secondary=c.get("secondary"),
        accent=c.get("accent"),
        background=c.get("background"),
        surface=c.get("surface"),
        panel=c.get("panel"),
        foreground=c.get("foreground"),
        warning=c.get("warning"),
        error=c.get("error"),
        success=c.get("success"),
        dark=spec.dark,
        variables=spec.resolved_variables(),
    )


def readlist_variables(theme: Theme) -> dict[str, str]:
    """Values for the readlist variables a (possibly foreign) theme leaves out, taken from its own palette.

    An ANSI theme's muted text is left to Textual, which gives it the terminal's own text colour. Muted text on
    the panel starts from the theme's own muted text where it sets one.
    """
    missing = [name for name in READLIST_VARIABLES if name not in theme.variables]
    if not missing:
        return {}
    if theme.ansi:
        values = _ANSI_VARIABLES[theme.dark]
    else:
        generated = theme.to_color_system().generate()
        palette = {
            key: generated[key][:7]
            for key in ("primary", "accent", "warning", "success", "background", "surface", "panel", "foreground")
            if generated.get(key, "").startswith("#")
        }
        try:
            values = derived_variables(palette, dark=theme.dark, given=theme.variables)
        except ValueError:
            values = _ANSI_VARIABLES[theme.dark]
    return {name: values[name] for name in missing if name in values}


def few_colours(app: App[Any]) -> bool:
    """Whether the app draws in 16 colours (``TERM=xterm``, ``screen`` or ``linux``, no ``COLORTERM``) or none.

    In 16 colours every colour is drawn as the nearest of them, and tints a theme tells apart come out as
    one; with ``NO_COLOR`` set the app draws no colours at all, so a tint is not shown.
    """
    return app.no_color or app.console.color_system in BASIC_COLOUR_SYSTEMS


def _hex(color: RichColor | None) -> str | None:
    """A colour as ``#rrggbb``, or None where it is one of the terminal's own (which cannot be measured)."""
    if color is None or color.type is not ColorType.TRUECOLOR:
        return None
    return color.get_truecolor().hex


def legible_row(style: Style) -> Style:
    """A highlighted row's style, its text black or white instead where the theme pairs text and row at under 4.5:1.

    Several of Textual's own themes do: gruvbox's cursor is cream on sage, 2.4:1.
    """
    fore, back = _hex(style.color), _hex(style.bgcolor)
    if fore is None or back is None or contrast_ratio(fore, back) >= MIN_CONTRAST:
        return style
    best = max(("#000000", "#ffffff"), key=lambda candidate: contrast_ratio(candidate, back))
    return style + Style(color=best)


def legible_part(part: Style, row: Style) -> Style:
    """A part of a highlighted row in its own colour where that reads on the row, else in the row's text colour.

    The part colours are made for the list's background; a cursor row can be light in a dark theme
    (nord's is pale blue), where a date or a star in them would all but vanish. A colour of the
    terminal's own palette (an ANSI theme) cannot be measured, so there the row's colour is used.
    """
    if part.color is None or row.color is None:
        return part
    colour, back = _hex(part.color), _hex(row.bgcolor)
    if colour is not None and back is not None and contrast_ratio(colour, back) >= PART_CONTRAST:
        return part
    return part + Style(color=row.color)


def with_readlist_variables(theme: Theme) -> Theme:
    extra = readlist_variables(theme)
    return dataclasses.replace(theme, variables={**extra, **theme.variables}) if extra else theme


# ---------------------------------------------------------------------------
# the controller that lives as long as the app


_CONTROLLERS: weakref.WeakKeyDictionary[App[Any], ThemeController] = weakref.WeakKeyDictionary()


def controller_for(app: App[Any]) -> ThemeController | None:
    return _CONTROLLERS.get(app)


class ThemeController:
    """Remembers where each theme came from, previews without saving, saves real choices."""

    def __init__(self, app: App[Any], catalog: ThemeCatalog) -> None:
        self.app = app
        self.catalog = catalog
        self.saved: str | None = None
        self._quiet = 0
        self._preview_from: str | None = None
        self.save_errors: list[str] = []

    @property
    def in_use(self) -> str:
        """The theme the user has, as opposed to one being previewed."""
        return self._preview_from or self.app.theme

    def origin(self, name: str) -> str:
        spec = self.catalog.themes.get(name)
        return spec.origin if spec else "app"

    def set_quietly(self, name: str) -> None:
        """Change the theme without saving it (a preview, or a ``--theme`` override)."""
        self._quiet += 1
        try:
            self.app.theme = name
        finally:
            self._quiet -= 1

    def on_theme_changed(self, name: str) -> None:
        if self._quiet or self._preview_from is not None:
            return
        self.save(name)

    def save(self, name: str) -> bool:
        """Keep ``name`` in config.toml; False when it could not be (said in a notification)."""
        if name == self.saved:
            return True
        try:
            save_setting("theme", name)
        except (OSError, ConfigError) as exc:
            message = f"Could not save the theme to config.toml: {exc}"
            self.save_errors.append(message)
            self.app.notify(message, severity="error", markup=False)
            return False
        self.saved = name
        return True

    # palette previews
    def begin_preview(self) -> None:
        if self._preview_from is None:
            self._preview_from = self.app.theme

    def preview(self, name: str) -> None:
        self.begin_preview()
        if name in self.app.available_themes and name != self.app.theme:
            self.set_quietly(name)

    def choose(self, name: str) -> None:
        """The palette's selection: keep this theme and save it."""
        self._preview_from = None
        if name in self.app.available_themes:
            self.set_quietly(name)
            if self.save(name):  # a save that failed said so already
                self.app.notify(f"Theme {name}: kept for the next start (config.toml)", markup=False)

    def end_preview(self) -> None:
        """The palette closed: go back to the theme in use unless one was chosen."""
        original, self._preview_from = self._preview_from, None
        if original is not None and original != self.app.theme and original in self.app.available_themes:
            self.set_quietly(original)

    def open_picker(self) -> None:
        self.app.push_screen(ThemePalette())

    def variable_defaults(self) -> dict[str, str]:
        """The readlist variables the current theme leaves out, so even a theme registered later styles the app."""
        return readlist_variables(self.app.current_theme)

    def generated_overrides(self, generated: Mapping[str, str]) -> dict[str, str]:
        """Variables Textual generates itself (``generated``, for the current theme) that readlist replaces.

        ``text-muted`` where the theme leaves it out: Textual's own is an "auto" colour, which the
        list and the sidebar cannot use (see :func:`readlist.config.themes.derived_variables`).
        The footer's key and description colours where they fall short of 4.5:1 on the footer
        (:func:`readlist.config.themes.legible_footer`), whoever set them. Textual's generated
        values win over :meth:`variable_defaults`, so these go over them.
        """
        theme = self.app.current_theme
        if theme.ansi:
            return {}
        overrides = legible_footer(generated)
        if "text-muted" not in theme.variables and (muted := readlist_variables(theme).get("text-muted")):
            overrides["text-muted"] = muted
        return overrides

    def palette_commands(self) -> list[tuple[str, str, Callable[[], None]]]:
        """One "Theme: NAME" command per theme, so typing a theme's name in the main palette finds it."""
        current = self.in_use
        rows = []
        for name in self.app.available_themes:
            origin = self.origin(name)
            help_text = f"Use the {origin} theme {name} and keep it" + (" · in use" if name == current else "")
            rows.append((ORIGIN_ORDER.get(origin, 3), name, help_text))
        rows.sort()
        return [(f"Theme: {name}", help_text, _ChooseTheme(self.app, name)) for _, name, help_text in rows]


# ---------------------------------------------------------------------------
# the palette


@dataclass(frozen=True)
class _ChooseTheme:
    """A palette command that knows which theme it stands for, so highlighting can preview it."""

    app: App[Any]
    name: str

    def __call__(self) -> None:
        controller = controller_for(self.app)
        if controller is not None:
            controller.choose(self.name)
        else:
            self.app.theme = self.name


class ThemeProvider(Provider):
    """Every registered theme, with its origin as help text."""

    def _commands(self) -> list[tuple[str, str, _ChooseTheme]]:
        controller = controller_for(self.app)
        current = controller.in_use if controller else self.app.theme
        rows = []
        for name in self.app.available_themes:
            origin = controller.origin(name) if controller else "built-in"
            help_text = f"{origin} theme" + (" · in use" if name == current else "")
            rows.append((ORIGIN_ORDER.get(origin, 3), name, help_text))
        rows.sort()
        return [(name, help_text, _ChooseTheme(self.app, name)) for _, name, help_text in rows]

    async def discover(self) -> Hits:
        for name, help_text, command in self._commands():
            yield DiscoveryHit(name, command, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, command in self._commands():
            if (score := matcher.match(name)) > 0:
                yield Hit(score, matcher.highlight(name), command, text=name, help=help_text)


class ThemePalette(CommandPalette):
    """Textual's theme picker, plus a live preview of the highlighted theme."""

    def __init__(self) -> None:
        super().__init__(providers=[ThemeProvider], placeholder="Search for themes… (Esc keeps the current one)")

    def on_mount(self) -> None:
        controller = controller_for(self.app)
        if controller is not None:
            controller.begin_preview()

    @on(OptionList.OptionHighlighted)
    def _preview_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        option = event.option
        controller = controller_for(self.app)
        if controller is not None and isinstance(option, Command) and isinstance(option.hit.command, _ChooseTheme):
            controller.preview(option.hit.command.name)

    def on_unmount(self) -> None:
        controller = controller_for(self.app)
        if controller is not None:
            # After a selection, the chosen command runs first (it was queued before this).
            self.app.call_later(controller.end_preview)


# ---------------------------------------------------------------------------
# the one call the app makes


def install_themes(app: App[Any], requested: str | None, config: Config) -> list[str]:
    """Register every theme on ``app``, apply ``requested`` (one run) or the configured one, return problems.

    Call from the app's ``__init__``, after ``super().__init__()``: the stylesheet is parsed when
    the app starts and needs the readlist variables by then. The app's own
    ``get_theme_variable_defaults`` and ``search_themes`` delegate to the controller registered here
    (see :func:`controller_for`). Problems (broken user theme files, an
    unknown configured theme) are also shown as notifications once the app runs.
    """
    catalog = load_catalog()
    controller = ThemeController(app, catalog)
    _CONTROLLERS[app] = controller

    # Textual's own themes are left as they are: the app's get_theme_variable_defaults fills in the readlist
    # variables of the theme in use, so the twenty or so that are never shown cost nothing at start-up.
    for spec in catalog.themes.values():
        if spec.origin != "built-in":
            app.register_theme(to_textual(spec))

    problems = [str(problem) for problem in catalog.problems]
    if requested:
        if requested in app.available_themes:
            controller.set_quietly(requested)
        else:
            problems.append(f"Unknown theme {requested!r}; using {DEFAULT_THEME!r}")
            controller.set_quietly(DEFAULT_THEME)
    else:
        wanted = config.theme or DEFAULT_THEME
        if wanted not in app.available_themes:
            problems.append(f"{config.path}: theme {wanted!r} is not available; using {DEFAULT_THEME!r}")
            wanted = DEFAULT_THEME
        controller.set_quietly(wanted)
        controller.saved = config.theme
    app.stylesheet.set_variables(app.get_css_variables())
    app.watch(app, "theme", controller.on_theme_changed, init=False)
    for problem in problems:
        # Shown as typed: a file named "[b]x.toml" stays literal, control characters are dropped.
        app.notify(inert_text(problem), title="Theme problem", severity="warning", timeout=10, markup=False)
    return problems
