"""Network settings: where the APIs live, how politely to query them, whether to go online at all.

The values come, weakest first, from the defaults here, the ``config.toml`` keys
(``arxiv_api``, ``hf_api``, ``arxiv_delay``, ``offline``, ``pull_sources``), then the
environment (``READLIST_ARXIV_API``, ``READLIST_HF_API``, ``READLIST_ARXIV_DELAY``,
``READLIST_OFFLINE``); a command-line ``--offline`` is applied last with
:meth:`NetworkSettings.with_offline`. Base URLs are overridable so that mirrors and
tests (a local server) work without touching the code.

A bad value never stops readlist: it is reported as one line in ``problems`` and the
default is used instead, as the config file does for its other keys. An environment
variable that is set but empty (``READLIST_OFFLINE=``, as a shell leaves ``VAR=$UNSET``)
counts as not set: the file's value stands, for every key alike.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from readlist.core.arxiv_taxonomy import category_problem
from readlist.core.model import is_arxiv_category

DEFAULT_ARXIV_API = "https://export.arxiv.org/api/query"
DEFAULT_HF_API = "https://huggingface.co/api"
# arXiv asks API users for no more than one request every three seconds.
DEFAULT_ARXIV_DELAY = 3.0
MAX_ARXIV_DELAY = 600.0
DEFAULT_PULL_SOURCES: tuple[str, ...] = ("hf",)

ENV_ARXIV_API = "READLIST_ARXIV_API"
ENV_HF_API = "READLIST_HF_API"
ENV_ARXIV_DELAY = "READLIST_ARXIV_DELAY"
ENV_OFFLINE = "READLIST_OFFLINE"

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})

@dataclass(frozen=True)
class PullSource:
    """One thing ``readlist pull`` can fetch: Hugging Face Daily Papers, or one arXiv category."""

    kind: str  # "hf" or "arxiv"
    category: str | None = None

    @property
    def key(self) -> str:
        """The name the last successful pull is remembered under (``hf``, ``arxiv:cs.CL``)."""
        return f"arxiv:{self.category}" if self.category else self.kind

    @classmethod
    def parse(cls, text: str) -> PullSource:
        """``hf`` or ``arxiv:CATEGORY``; ValueError with a one-line reason otherwise."""
        value = text.strip()
        if value.lower() in ("hf", "huggingface", "hugging-face"):
            return cls("hf")
        kind, sep, category = value.partition(":")
        if kind.lower() == "arxiv" and sep and is_arxiv_category(category.strip()):
            problem = category_problem(category.strip())
            if problem is not None:
                raise ValueError(f"pull source {text!r}: {problem}")
            return cls("arxiv", category.strip())
        raise ValueError(f"pull source {text!r} is not 'hf' or 'arxiv:CATEGORY' (e.g. 'arxiv:cs.CL')")


@dataclass(frozen=True)
class NetworkSettings:
    arxiv_api: str = DEFAULT_ARXIV_API
    hf_api: str = DEFAULT_HF_API
    arxiv_delay: float = DEFAULT_ARXIV_DELAY
    offline: bool = False
    pull_sources: tuple[PullSource, ...] = tuple(PullSource.parse(s) for s in DEFAULT_PULL_SOURCES)
    # The pull sources config.toml names that are not sources: left out of pull_sources (and said in problems), and
    # kept so that a pull of none but these can say it pulls nothing that was asked for, rather than succeed.
    pull_sources_left_out: tuple[str, ...] = field(default=(), compare=False)
    # One line per value that could not be used (the default was used instead).
    problems: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, config_values: Mapping[str, object] | None = None
    ) -> NetworkSettings:
        """Settings from config values (the parsed top-level ``config.toml`` table) and the environment."""
        env = env or {}
        config_values = config_values or {}
        problems: list[str] = []
        arxiv_api = _url(config_values.get("arxiv_api"), "arxiv_api in config.toml", DEFAULT_ARXIV_API, problems)
        arxiv_api = _url(env.get(ENV_ARXIV_API), ENV_ARXIV_API, arxiv_api, problems)
        hf_api = _url(config_values.get("hf_api"), "hf_api in config.toml", DEFAULT_HF_API, problems)
        hf_api = _url(env.get(ENV_HF_API), ENV_HF_API, hf_api, problems)
        delay = _delay(config_values.get("arxiv_delay"), "arxiv_delay in config.toml", DEFAULT_ARXIV_DELAY, problems)
        delay = _delay(env.get(ENV_ARXIV_DELAY), ENV_ARXIV_DELAY, delay, problems)
        offline = _flag(config_values.get("offline"), "offline in config.toml", False, problems)
        offline = _flag(env.get(ENV_OFFLINE), ENV_OFFLINE, offline, problems)
        left_out: list[str] = []
        sources = _sources(config_values.get("pull_sources"), problems, left_out)
        return cls(
            arxiv_api=arxiv_api,
            hf_api=hf_api.rstrip("/"),
            arxiv_delay=delay,
            offline=offline,
            pull_sources=sources,
            pull_sources_left_out=tuple(left_out),
            problems=tuple(problems),
        )

    def with_offline(self, offline: bool = True) -> NetworkSettings:
        """The same settings with offline mode forced (the ``--offline`` flag)."""
        return replace(self, offline=offline)


def _url(value: object, where: str, default: str, problems: list[str]) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    if not isinstance(value, str):
        problems.append(f"{where} must be a URL string; using {default}")
        return default
    text = value.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        problems.append(f"{where} = {text!r} is not an http:// or https:// URL; using {default}")
        return default
    return text


def _delay(value: object, where: str, default: float, problems: list[str]) -> float:
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    number: float | None = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = None
    if number is None or not math.isfinite(number) or not 0 <= number <= MAX_ARXIV_DELAY:
        problems.append(f"{where} must be a number of seconds from 0 to {MAX_ARXIV_DELAY:g}; using {default:g}")
        return default
    return number


def _flag(value: object, where: str, default: bool, problems: list[str]) -> bool:
    """``value`` as on/off; unset or blank keeps ``default`` (the file's value under an empty variable)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    problems.append(f"{where} must be true or false; using {str(default).lower()}")
    return default


def _sources(value: object, problems: list[str], left_out: list[str]) -> tuple[PullSource, ...]:
    """The pull sources config.toml names; each one that is none is said in ``problems`` and added to ``left_out``."""
    default = tuple(PullSource.parse(s) for s in DEFAULT_PULL_SOURCES)
    if value is None:
        return default
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        problems.append("pull_sources in config.toml must be a list such as [\"hf\", \"arxiv:cs.CL\"]")
        return default
    out: list[PullSource] = []
    for item in value:
        try:
            source = PullSource.parse(str(item))
        except ValueError as exc:
            problems.append(f"pull_sources in config.toml: {exc}; left out")
            left_out.append(str(item))
            continue
        if source not in out:
            out.append(source)
    return tuple(out)
