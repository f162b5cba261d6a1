"""``readlist themes``: what can be picked, where each theme comes from, and which user files are broken.

Also provides the check ``readlist --theme NAME`` runs (from the main command) so a typo is a clear
usage error before the terminal UI takes over the screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click
from rich.text import Text

from readlist.cli.output import console, print_json
from readlist.config.settings import config_path, load_config, user_themes_dir
from readlist.config.themes import DEFAULT_THEME, contrast_warnings
from readlist.core.text import inert_text

if TYPE_CHECKING:
    from readlist.tui.themes import ThemeCatalog


def _catalog() -> ThemeCatalog:
    from readlist.tui.themes import load_catalog

    return load_catalog()


def _current(catalog: ThemeCatalog, override: str | None) -> tuple[str, str | None]:
    """The theme the app would open with, and a note when the configured one cannot be used."""
    if override and override in catalog.themes:
        return override, None
    configured = load_config().theme
    if configured is None:
        return DEFAULT_THEME, None
    if configured in catalog.themes:
        return configured, None
    return DEFAULT_THEME, f"config.toml names theme {configured!r}, which is not available; using {DEFAULT_THEME!r}"


def check_theme_name(ctx: click.Context, value: str | None) -> str | None:
    """Reject an unknown ``--theme`` before the terminal UI takes over the screen, listing the themes that exist.

    Raises a usage error (exit status 2) that names the option, like any other bad option value.
    """
    if value is None:
        return None
    catalog = _catalog()
    if value in catalog.themes:
        return value
    by_origin: dict[str, list[str]] = {}
    for spec in catalog.themes.values():
        by_origin.setdefault(spec.origin, []).append(spec.name)
    listing = "; ".join(f"{origin}: {', '.join(names)}" for origin, names in by_origin.items())
    raise click.BadParameter(f"unknown theme {value!r}. Available themes — {listing}.", ctx=ctx, param_hint="'--theme'")


@click.command("themes")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@click.pass_context
def themes_cmd(ctx: click.Context, as_json: bool) -> None:
    """List the themes and mark the one in use.
    Every theme: bundled, user and built-in;
    broken user themes are reported.

    Pick one in the app (ctrl+p, "Theme"), with `readlist --theme NAME` for one run,
    or with `theme = "NAME"` in config.toml. User themes go in the folder shown at the end.

    \b
    Examples:
      readlist themes
      readlist themes --json | jq -r '.themes[].name'
      readlist --theme readlist-light
    """
    catalog = _catalog()
    override = ctx.find_root().params.get("theme")
    current, note = _current(catalog, override)
    rows: list[dict[str, Any]] = []
    for spec in catalog.themes.values():
        rows.append(
            {
                "name": spec.name,
                "origin": spec.origin,
                "dark": spec.dark,
                "current": spec.name == current,
                "description": spec.description,
                "path": str(spec.path) if spec.origin == "user" and spec.path else None,
                "warnings": contrast_warnings(spec) if spec.origin == "user" else [],
            }
        )
    problems = [{"path": str(p.path), "problem": p.message} for p in catalog.problems]
    if as_json:
        print_json(
            {
                "current": current,
                "config": str(config_path()),
                "user_themes_dir": str(user_themes_dir()),
                "themes": rows,
                "problems": problems,
                "notes": [note] if note else [],
            }
        )
        return

    width = max(len(row["name"]) for row in rows)
    for row in rows:
        line = Text()
        line.append("* " if row["current"] else "  ", style="bold green")
        line.append(f"{inert_text(row['name']):<{width}}  ", style="bold" if row["current"] else "")
        line.append(f"{row['origin']:<8}  ", style="cyan")
        line.append(f"{'dark' if row['dark'] else 'light':<5}", style="dim")
        if row["description"]:
            line.append("  " + inert_text(row["description"]))
        if row["path"]:
            line.append(f"  ({inert_text(row['path'])})", style="dim")
        console.print(line)
        for warning in row["warnings"]:
            console.print(Text("      warning: ", style="yellow") + Text(inert_text(warning)))
    if note:
        console.print(Text("note: ", style="yellow") + Text(inert_text(note)))
    if problems:
        console.print(Text(f"\nSkipped user themes ({len(problems)}):", style="bold red"))
        for problem in problems:
            console.print(Text("  ✗ ", style="red")
                          + Text(inert_text(problem["path"]) + ": " + inert_text(problem["problem"])))
    console.print(
        Text(f"\n(* = in use)  User themes go in {inert_text(str(user_themes_dir()))}/  ·  docs/themes.md",
             style="dim")
    )


COMMANDS = [themes_cmd]
