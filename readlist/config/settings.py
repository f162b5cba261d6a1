"""The user's settings file, ``config.toml``: theme, key overrides, sort order, network.

Example::

    theme = "readlist-dark"
    sort = "date"
    pull_sources = ["hf", "arxiv:cs.CL"]
    arxiv_delay = 3

    [keymap]
    # binding id = keys (comma separated), as Textual's keymap expects
    keep = "k,s"
    skip = "d"
"""

from __future__ import annotations

import os
import tomllib
import typing
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from readlist.storage.atomic import atomic_write_bytes, open_regular

if TYPE_CHECKING:
    import tomlkit  # the editor is loaded when a setting is written, not for reading them at every start

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


# The sort keys offered in the UI, in the order the sort key cycles through them; ``sort`` takes one of them (a ``-``
# before it reverses the order) or "auto".
UI_SORT_KEYS: tuple[str, ...] = ("added", "date", "upvotes", "rating", "title", "interest")
AUTO_SORT = "auto"


class Settings(msgspec.Struct, kw_only=True):
    """Every setting config.toml may hold, with its type and default: the file's schema."""

    theme: str | None = None
    sort: str = "auto"  # "auto": interest in the Inbox once there are enough decisions, else date added
    # binding id -> keys (comma separated), as Textual's keymap expects
    keymap: dict[str, str] = msgspec.field(default_factory=dict)
    # The network (see readlist.net.settings for the checks beyond types, and the environment overrides).
    arxiv_api: str | None = None
    hf_api: str | None = None
    arxiv_delay: float | None = None
    offline: bool = False
    # What `readlist pull` with no arguments fetches: "hf", "arxiv:cs.CL", …
    pull_sources: list[str] = msgspec.field(default_factory=lambda: ["hf"])
    # Saved searches, shown as views in the sidebar: name -> query.
    views: dict[str, str] = msgspec.field(default_factory=dict)
    # Sync the library (`readlist sync`) when the app starts and again when it quits.
    sync_on_start_and_quit: bool = False
    # The year rule for dates shown without one (`Jun 20` in a text copy): unset, the page's own year (the latest
    # such day not after the import); a year here, that year, for every import that gives no `--year`.
    year: int | None = None

    def network_values(self) -> dict[str, object]:
        """The network settings that were set, as the network layer reads them."""
        names = ("arxiv_api", "hf_api", "arxiv_delay", "offline", "pull_sources")
        return {name: getattr(self, name) for name in names if getattr(self, name) is not None}


class Config(Settings, kw_only=True):
    """The settings in use, where they came from, and what was wrong with the file (shown, never fatal)."""

    path: Path | None = None
    problems: list[str] = msgspec.field(default_factory=list)


def load_config(path: Path | None = None) -> Config:
    """Read the config; a broken file or setting gives its default plus a problem to show, never a crash.

    Each setting is checked on its own against its declared type, so one bad value does not throw
    away the rest of the file; a table (``[keymap]``) is checked entry by entry the same way.
    """
    path = path or config_path()
    config = Config(path=path)
    try:
        raw = read_regular_file(path)
    except FileNotFoundError:
        return config
    except OSError as exc:
        config.problems.append(f"{path}: cannot be read ({exc.strerror})")
        return config
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError) as exc:
        config.problems.append(f"{path}: not valid TOML ({exc}); using defaults")
        return config
    fields = {info.name: info for info in msgspec.structs.fields(Settings)}
    for name, value in data.items():
        info = fields.get(name)
        if info is None:
            config.problems.append(f"{path}: unknown setting {name!r} (known: {', '.join(fields)}); ignored")
            continue
        setattr(config, name, _typed(path, name, value, info.type, config.problems, getattr(config, name)))
    if config.sort != AUTO_SORT and config.sort.lstrip("+-") not in UI_SORT_KEYS:
        config.problems.append(f"{path}: 'sort' must be \"auto\" or one of {', '.join(UI_SORT_KEYS)} (a - before it "
                               f"reverses), not {config.sort!r}; using \"auto\"")
        config.sort = AUTO_SORT
    if config.year is not None and not YEARS[0] <= config.year <= YEARS[1]:
        config.problems.append(f"{path}: 'year' must be a year from {YEARS[0]} to {YEARS[1]}, not {config.year}; "
                               "using the page's year")
        config.year = None
    return config


# The years ``--year`` and the ``year`` setting take: arXiv began in 1991, and dates beyond 2100 are typing slips.
YEARS = (1990, 2100)


def read_regular_file(path: Path) -> bytes:
    """A settings file's bytes (config.toml, a user theme), opened without blocking and checked to be a regular file.

    Every command reads config.toml, and the app and `readlist themes` every user theme: a named pipe in the place of
    one would make each wait for a writer forever. Raises FileNotFoundError when there is none, and OSError (its
    ``strerror`` says what is there instead) otherwise.
    """
    with open_regular(path) as handle:
        return handle.read()


def _typed(path: Path, name: str, value: object, kind: Any, problems: list[str], default: Any) -> Any:
    """``value`` as the declared type, else the default and a problem naming the setting."""
    if typing.get_origin(kind) is dict and isinstance(value, dict):
        _, item_type = typing.get_args(kind)
        table: dict[str, Any] = {}
        for key, item in value.items():
            try:
                table[str(key)] = msgspec.convert(item, item_type)
            except msgspec.ValidationError:
                problems.append(f"{path}: [{name}] entry {key!r} must be {_describe(item_type)}; ignored")
        return table
    try:
        return msgspec.convert(value, kind)
    except msgspec.ValidationError:
        problems.append(f"{path}: {name!r} must be {_describe(kind)}; using the default")
        return default


def _describe(kind: Any) -> str:
    if kind is str or kind == str | None:
        return "a string"
    if typing.get_origin(kind) is dict:
        return "a table"
    return getattr(kind, "__name__", str(kind))


def _edit(path: Path | None, change: Callable[[tomlkit.TOMLDocument], None]) -> Path:
    """Change config.toml with a style-preserving TOML editor: the user's comments and layout stay as written."""
    import tomlkit
    import tomlkit.exceptions

    path = path or config_path()
    try:
        text = read_regular_file(path).decode("utf-8")
    except FileNotFoundError:
        text = ""
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}); fix it before readlist can change it") from None
    except OSError as exc:
        if isinstance(exc, IsADirectoryError):
            raise  # said as before, by the command that writes
        raise ConfigError(f"{path}: cannot be read ({exc.strerror}); nothing was changed") from None
    try:
        document = tomlkit.parse(text)
    except tomlkit.exceptions.ParseError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}); fix it before readlist can change it") from None
    change(document)
    # A config.toml linked from a dotfiles folder is changed there: replaced by rename, the link would become a
    # file of its own, and the dotfiles copy would never see the change.
    target = path.resolve() if path.is_symlink() else path
    atomic_write_bytes(target, tomlkit.dumps(document).encode("utf-8"))
    return path


def save_setting(name: str, value: str, path: Path | None = None) -> Path:
    """Set one top-level string setting, keeping the rest of the file (and its comments) as written."""

    def put(document: tomlkit.TOMLDocument) -> None:
        document[name] = value

    return _edit(path, put)


def save_view(name: str, query: str | None, path: Path | None = None) -> Path:
    """Save a search as a named view in the ``[views]`` table (``query=None`` removes the view)."""

    def put(document: tomlkit.TOMLDocument) -> None:
        table = document.get("views")
        if not isinstance(table, dict):
            if query is None:
                return
            import tomlkit

            table = tomlkit.table()
            document["views"] = table
        if query is None:
            table.pop(name, None)
        else:
            table[name] = query

    return _edit(path, put)
