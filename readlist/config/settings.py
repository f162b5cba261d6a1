"""The user's settings file, ``config.toml``: theme, key overrides, sort order.

Example::

    theme = "readlist-dark"
    sort = "date"

    [keymap]
    # binding id = keys (comma separated), as Textual's keymap expects
    keep = "k,s"
    skip = "d"
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from readlist.storage.atomic import atomic_write_bytes

ENV_CONFIG = "READLIST_CONFIG"


class ConfigError(ValueError):
    """A config file that cannot be read; the message names the file and the problem."""


def config_dir() -> Path:
    env = os.environ.get(ENV_CONFIG)
    if env:
        return Path(env).expanduser().parent
    import platformdirs

    return Path(platformdirs.user_config_dir("readlist", appauthor=False))


def config_path() -> Path:
    env = os.environ.get(ENV_CONFIG)
    return Path(env).expanduser() if env else config_dir() / "config.toml"


def user_themes_dir() -> Path:
    return config_dir() / "themes"


@dataclass
class Config:
    theme: str | None = None
    sort: str = "added"
    keymap: dict[str, str] = field(default_factory=dict)
    path: Path | None = None
    problems: list[str] = field(default_factory=list)


def load_config(path: Path | None = None) -> Config:
    """Read the config; a broken file gives defaults plus a problem to show, never a crash."""
    path = path or config_path()
    config = Config(path=path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return config
    except OSError as exc:
        config.problems.append(f"{path}: cannot be read ({exc.strerror})")
        return config
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        config.problems.append(f"{path}: not valid TOML ({exc}); using defaults")
        return config
    theme = data.get("theme")
    if isinstance(theme, str) and theme.strip():
        config.theme = theme.strip()
    sort = data.get("sort")
    if isinstance(sort, str):
        config.sort = sort
    keymap = data.get("keymap", {})
    if isinstance(keymap, dict):
        for key, value in keymap.items():
            if isinstance(value, str):
                config.keymap[str(key)] = value
            else:
                config.problems.append(f"{path}: keymap entry {key!r} must be a string of keys")
    else:
        config.problems.append(f"{path}: [keymap] must be a table")
    return config




def save_setting(name: str, value: str, path: Path | None = None) -> Path:
    """Set one top-level string setting, keeping the rest of the file (and its comments) as written."""

    path = path or config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    line = f"{name} = {_toml_string(value)}"
    pattern = re.compile(rf"^{re.escape(name)}\s*=.*$", re.MULTILINE)
    head, sep, tail = text.partition("\n[")
    if pattern.search(head):
        head = pattern.sub(lambda _: line, head, count=1)
    else:
        head = line + "\n" + head if head else line + "\n"
    atomic_write_bytes(path, (head + sep + tail).encode("utf-8"))
    return path


def _toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
