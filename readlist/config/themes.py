"""Theme files: TOML data → a validated :class:`ThemeSpec`, plus WCAG contrast helpers.

Kept free of Textual so the command line can list and check themes without loading the UI.
A theme file looks like this (see ``docs/themes.md``)::

    name = "my-theme"
    dark = true
    description = "optional, one line"

    [colors]            # Textual theme colours; only primary is required
    primary = "#5fa8d3"
    background = "#161a1f"
    ...

    [variables]         # readlist variables; missing ones are derived from [colors]
    status-inbox = "#8fb8de"
    rating-star = "#e8c04a"

Every colour is normalised to ``#rrggbb`` here, so nothing a user writes can reach Textual's
CSS parser in a form it would reject.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec

from readlist.config.settings import read_regular_file, user_themes_dir

Origin = Literal["bundled", "user", "built-in"]

COLOR_FIELDS: tuple[str, ...] = (
    "primary",
    "secondary",
    "accent",
    "background",
    "surface",
    "panel",
    "foreground",
    "warning",
    "error",
    "success",
)
"""The ``[colors]`` keys: the colour fields of ``textual.theme.Theme``."""

STATUS_VARIABLES: dict[str, str] = {
    "inbox": "status-inbox",
    "to-read": "status-to-read",
    "reading": "status-reading",
    "read": "status-read",
    "skipped": "status-skipped",
}
"""Paper status → the CSS variable holding its colour."""

READLIST_VARIABLES: tuple[str, ...] = (*STATUS_VARIABLES.values(), "rating-star", "text-muted", "panel-text-muted")
"""The readlist text colours in ``[variables]``; ``text-muted`` also overrides Textual's own.

``panel-text-muted`` is muted text on ``panel`` (the top bar, the triage progress line): every other
variable is made for the background and the side panels.
"""

PANEL_VARIABLES: frozenset[str] = frozenset({"panel-text-muted"})
"""The readlist variables drawn on ``panel`` rather than on the background and the side panels."""

FOOTER_TEXT: dict[str, str] = {
    "footer-key-foreground": "footer-key-background",
    "footer-description-foreground": "footer-description-background",
}
"""Textual's footer text colours, each with the variable of its own background (``transparent`` by default)."""

CURSOR_VARIABLES: tuple[str, ...] = (
    "block-cursor-background",
    "block-cursor-foreground",
    "block-cursor-blurred-background",
)
"""Textual's own variables for the highlighted row, which a theme may also set in ``[variables]``."""

ALLOWED_VARIABLES: tuple[str, ...] = READLIST_VARIABLES + CURSOR_VARIABLES

DEFAULT_THEME = "readlist-dark"
MIN_CONTRAST = 4.5
"""WCAG AA for body text: what every derived variable is nudged to reach."""

MAX_FILE_BYTES = 64 * 1024
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_HEX_RE = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")

# What Textual uses when a theme leaves these out; needed to derive variables and check contrast.
_FALLBACKS = {
    True: {"background": "#121212", "surface": "#1e1e1e", "foreground": "#ededed"},
    False: {"background": "#efefef", "surface": "#f5f5f5", "foreground": "#101010"},
}


class ThemeFileError(ValueError):
    """A theme file that cannot be used; the message says what is wrong, without the file name."""


@dataclass(frozen=True)
class ThemeSpec:
    """One theme as readlist knows it, whichever layer it came from."""

    name: str
    colors: dict[str, str]
    variables: dict[str, str] = field(default_factory=dict)
    dark: bool = True
    description: str = ""
    origin: Origin = "bundled"
    path: Path | None = None

    def color(self, key: str) -> str:
        """A colour field, falling back the way Textual does for the few that matter here."""
        value = self.colors.get(key)
        if value:
            return value
        if key == "panel":  # a tint of primary on surface, and in a dark theme Textual's 4% "boost" of white
            panel = mix(self.color("surface"), self.colors["primary"], 0.1)
            return mix(panel, "#ffffff", 0.04) if self.dark else panel
        return _FALLBACKS[self.dark].get(key) or self.colors["primary"]

    def resolved_variables(self) -> dict[str, str]:
        """The theme's own variables plus derived values for every readlist variable it leaves out."""
        return {**derived_variables(self.colors, dark=self.dark, given=self.variables), **self.variables}


@dataclass
class ThemeProblem:
    """A theme file that was skipped, and why."""

    path: Path
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass
class LoadResult:
    themes: list[ThemeSpec] = field(default_factory=list)
    problems: list[ThemeProblem] = field(default_factory=list)


# ---------------------------------------------------------------------------
# colours


def parse_color(value: object) -> str:
    """A colour as ``#rrggbb``; accepts ``#rgb``, ``#rrggbb``, ``rgb(r, g, b)`` and Rich colour names."""
    if not isinstance(value, str) or not value.strip():
        raise ThemeFileError(f"{value!r} is not a colour (use #rrggbb)")
    text = value.strip()
    if _HEX_RE.match(text):
        digits = text[1:]
        if len(digits) == 3:
            digits = "".join(ch * 2 for ch in digits)
        return "#" + digits.lower()
    from rich.color import Color, ColorParseError

    if text.lower() == "default":
        raise ThemeFileError("'default' is not a colour (use #rrggbb)")
    try:
        triplet = Color.parse(text.lower()).get_truecolor()
    except ColorParseError:
        raise ThemeFileError(f"unknown colour {text!r} (use #rrggbb)") from None
    return triplet.hex


def _rgb(color: str) -> tuple[int, int, int]:
    value = parse_color(color)
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


def relative_luminance(color: str) -> float:
    """WCAG 2 relative luminance of an sRGB colour."""

    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2 contrast ratio, 1.0 (none) to 21.0 (black on white)."""
    la, lb = relative_luminance(a), relative_luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def mix(a: str, b: str, amount: float) -> str:
    """``a`` moved ``amount`` (0–1) of the way towards ``b``."""
    ra, rb = _rgb(a), _rgb(b)
    return "#" + "".join(f"{round(x + (y - x) * amount):02x}" for x, y in zip(ra, rb, strict=True))


def ensure_contrast(color: str, backgrounds: Iterable[str], minimum: float = MIN_CONTRAST, steps: int = 20) -> str:
    """The colour, nudged towards black or white until it reaches ``minimum`` on every background.

    It moves in ``steps`` equal steps at most, so it can end up to one step past ``minimum``.
    """
    grounds = list(backgrounds)
    if all(contrast_ratio(color, bg) >= minimum for bg in grounds):
        return parse_color(color)
    darkest = min(grounds, key=relative_luminance)
    target = "#ffffff" if relative_luminance(darkest) < 0.18 else "#000000"
    for step in range(1, steps + 1):
        candidate = mix(color, target, step / steps)
        if all(contrast_ratio(candidate, bg) >= minimum for bg in grounds):
            return candidate
    return target


def derived_variables(
    colors: Mapping[str, str], *, dark: bool, given: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Status, star and muted text colours taken from a palette and made legible on its background and surface.

    Used for Textual's built-in themes and for user themes that leave variables out. Muted text is
    a fixed colour here, not Textual's own (a share of black or white worked out against whatever is
    behind it): the list and the sidebar draw it over their own rows, where an "auto" colour falls
    back to plain white.

    Muted text on ``panel`` is the theme's muted text (``given``'s ``text-muted`` if it sets one), nudged
    to 4.5:1 on ``panel`` where it falls short, or, where the theme's own text colour reaches less there,
    only as far as that (it would otherwise stand out more than the text it is muted beside).
    """
    spec = ThemeSpec(name="derived", colors=dict(colors), dark=dark)
    grounds = [spec.color("background"), spec.color("surface")]
    foreground = spec.color("foreground")
    muted = mix(foreground, spec.color("background"), 0.35)
    inbox = spec.color("accent") if colors.get("accent") else foreground
    reading = spec.color("warning") if colors.get("warning") else spec.color("primary")
    if inbox.lower() == reading.lower():  # e.g. textual-dark: accent and warning are the same orange
        inbox = spec.color("secondary") if colors.get("secondary") else foreground
    picks = {
        "status-inbox": inbox,
        "status-to-read": spec.color("primary"),
        "status-reading": reading,
        "status-read": spec.color("success") if colors.get("success") else foreground,
        "status-skipped": muted,
        "rating-star": spec.color("warning") if colors.get("warning") else spec.color("accent"),
        "text-muted": muted,
    }
    values = {name: ensure_contrast(value, grounds) for name, value in picks.items()}
    panel = spec.color("panel")
    muted_given = _solid((given or {}).get("text-muted")) or values["text-muted"]
    reach = min(MIN_CONTRAST, contrast_ratio(foreground, panel))
    # Fine steps: muted text held back to what the text colour reaches should land there, not a step past it.
    values["panel-text-muted"] = ensure_contrast(muted_given, [panel], reach, steps=100)
    return values


def _solid(value: str | None) -> str | None:
    """A variable's value as ``#rrggbb`` where it is an opaque hex colour; None for anything else."""
    if value is None or not value.startswith("#"):
        return None
    if len(value) == 9:  # Textual writes a colour with transparency as #rrggbbaa
        if value[7:].lower() != "ff":
            return None
        value = value[:7]
    try:
        return parse_color(value)
    except ThemeFileError:
        return None


def legible_footer(variables: Mapping[str, str]) -> dict[str, str]:
    """Textual's footer key and description colours, nudged to 4.5:1 on the footer where a theme's fall short.

    ``variables`` are the ones Textual generates for a theme; the answer has only the colours that
    change. Several of Textual's own themes draw the keys in their accent on the panel at under
    2:1 (atom-one-light, catppuccin-latte), and solarized draws cream on blue at 3.4:1.
    A colour Textual draws with transparency, or one of the terminal's own, cannot be measured and is left.
    """
    footer = _solid(variables.get("footer-background"))
    if footer is None:
        return {}
    fixed: dict[str, str] = {}
    for name, background in FOOTER_TEXT.items():
        color = _solid(variables.get(name))
        ground = _solid(variables.get(background)) or footer
        if color is not None and contrast_ratio(color, ground) < MIN_CONTRAST:
            fixed[name] = ensure_contrast(color, [ground])
    return fixed


# ---------------------------------------------------------------------------
# parsing


# The keys each table accepts, as types built from the lists above (so they are written once).
ColorField = Literal[COLOR_FIELDS]  # type: ignore[valid-type]
VariableField = Literal[ALLOWED_VARIABLES]  # type: ignore[valid-type]


class ThemeFile(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A theme file's schema; colour values are checked (and normalised) after, since names are allowed too."""

    name: Annotated[str, msgspec.Meta(pattern=_NAME_RE.pattern)]
    colors: dict[ColorField, str]
    dark: bool = True
    description: str = ""
    variables: dict[VariableField, str] = msgspec.field(default_factory=dict)


def _file_problem(exc: msgspec.ValidationError, data: Mapping[str, Any]) -> str:
    """msgspec's message for a theme file, in the words of the file's format."""
    text = str(exc)
    if "missing required field `name`" in text:
        return "missing 'name'"
    if "missing required field `colors`" in text or text.endswith("at `$.colors`"):
        return "missing [colors] table"
    if text.startswith("Object contains unknown field"):
        field = text.split("`")[1]
        return f"unknown key {field!r} (expected name, dark, description, [colors], [variables])"
    if text.endswith("at `$.name`"):
        return (f"name {data.get('name')!r} is not allowed (lower-case letters, digits, '-' and '_', "
                "at most 64 characters)")
    for table, allowed in (("colors", COLOR_FIELDS), ("variables", ALLOWED_VARIABLES)):
        if f"in `$.{table}`" in text and text.startswith("Invalid enum value"):
            key = text.split("'")[1]
            return f"[{table}] has unknown key {key!r} (expected {', '.join(allowed)})"
        if text.endswith(f"at `$.{table}`"):
            return f"[{table}] must be a table"
    if text.endswith("at `$.dark`"):
        return "'dark' must be true or false"
    if text.endswith("at `$.description`"):
        return "'description' must be a string"
    return text


def parse_theme(data: Mapping[str, Any], *, origin: Origin = "user", path: Path | None = None) -> ThemeSpec:
    """Validate one parsed TOML document; raises :class:`ThemeFileError` naming the first problem."""
    try:
        theme = msgspec.convert(dict(data), ThemeFile)
    except msgspec.ValidationError as exc:
        raise ThemeFileError(_file_problem(exc, data)) from None
    colors = _parse_colors("colors", theme.colors)
    if "primary" not in colors:
        raise ThemeFileError("[colors] needs at least 'primary'")
    return ThemeSpec(
        name=theme.name,
        colors=colors,
        variables=_parse_colors("variables", theme.variables),
        dark=theme.dark,
        description=" ".join(theme.description.split()),
        origin=origin,
        path=path,
    )


def _parse_colors(table: str, values: Mapping[str, str]) -> dict[str, str]:
    colors: dict[str, str] = {}
    for key, value in values.items():
        try:
            colors[key] = parse_color(value)
        except ThemeFileError as exc:
            raise ThemeFileError(f"[{table}] {key}: {exc}") from None
    return colors


def read_theme_file(path: Path, *, origin: Origin = "user") -> ThemeSpec:
    """Read and validate one file; every failure becomes a :class:`ThemeFileError`."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ThemeFileError(f"file is too large ({size} bytes) to be a theme")
        raw = read_regular_file(path)
    except OSError as exc:
        raise ThemeFileError(f"cannot be read ({exc.strerror or exc})") from None
    if b"\x00" in raw:
        raise ThemeFileError("not a text file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ThemeFileError("not a UTF-8 text file") from None
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError) as exc:
        raise ThemeFileError(f"not valid TOML ({exc})") from None
    return parse_theme(data, origin=origin, path=path)


def load_theme_dir(folder: Path, *, origin: Origin, reserved: Iterable[str] = ()) -> LoadResult:
    """Every ``*.toml`` in a folder, sorted by file name; broken or clashing files become problems."""
    result = LoadResult()
    taken = {name: "" for name in reserved}
    try:
        files = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".toml")
    except FileNotFoundError:
        return result
    except OSError as exc:
        result.problems.append(ThemeProblem(folder, f"cannot be read ({exc.strerror or exc})"))
        return result
    for path in files:
        try:
            spec = read_theme_file(path, origin=origin)
        except ThemeFileError as exc:
            result.problems.append(ThemeProblem(path, str(exc)))
            continue
        if spec.name in taken:
            where = taken[spec.name]
            clash = f"defined in {where}" if where else "a bundled or built-in theme"
            result.problems.append(ThemeProblem(path, f"theme name {spec.name!r} is already taken ({clash})"))
            continue
        taken[spec.name] = path.name
        result.themes.append(spec)
    return result


def bundled_themes_dir() -> Path:
    """Where the shipped themes are: inside the installed package, or the repo's ``themes/`` when run from source."""
    packaged = Path(str(resources.files("readlist") / "bundled_themes"))
    if packaged.is_dir():
        return packaged
    repo = Path(__file__).resolve().parents[2]
    if (repo / "pyproject.toml").is_file() and (repo / "themes").is_dir():
        return repo / "themes"
    return packaged


def load_bundled_themes() -> LoadResult:
    return load_theme_dir(bundled_themes_dir(), origin="bundled")


def load_user_themes(reserved: Iterable[str] = (), folder: Path | None = None) -> LoadResult:
    """The user's themes; names in ``reserved`` (bundled and built-in) cannot be reused."""
    if folder is None:
        folder = user_themes_dir()
    return load_theme_dir(folder, origin="user", reserved=reserved)


def contrast_warnings(spec: ThemeSpec, minimum: float = MIN_CONTRAST) -> list[str]:
    """Text colours of a theme that fall below ``minimum`` contrast on the backgrounds they are drawn on."""
    warnings: list[str] = []
    grounds = {"background": spec.color("background"), "surface": spec.color("surface")}
    if "block-cursor-background" in spec.variables:
        grounds["highlighted row"] = spec.variables["block-cursor-background"]
    checks: list[tuple[str, str, dict[str, str]]] = [
        ("foreground", spec.color("foreground"), {**grounds, "panel": spec.color("panel")}),
    ]
    variables = spec.resolved_variables()
    panel = {"panel": spec.color("panel")}
    for name in READLIST_VARIABLES:
        if name in variables:
            checks.append((name, variables[name], panel if name in PANEL_VARIABLES else grounds))
    for label, color, backs in checks:
        for where, back in backs.items():
            ratio = contrast_ratio(color, back)
            if ratio < minimum:
                warnings.append(f"{label} on {where} has contrast {ratio:.1f}:1 (below {minimum}:1)")
    return warnings
