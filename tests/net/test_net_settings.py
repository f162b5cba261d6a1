"""Network settings from config values and the environment."""

from __future__ import annotations

import re

import pytest

from readlist.net.settings import DEFAULT_ARXIV_API, DEFAULT_HF_API, NetworkSettings, PullSource


def test_defaults() -> None:
    settings = NetworkSettings.from_env({}, {})
    assert settings.arxiv_api == DEFAULT_ARXIV_API == "https://export.arxiv.org/api/query"
    assert settings.hf_api == DEFAULT_HF_API == "https://huggingface.co/api"
    assert settings.arxiv_delay == 3.0
    assert settings.offline is False
    assert settings.pull_sources == (PullSource("hf"),)
    assert settings.problems == ()


def test_environment_beats_config() -> None:
    settings = NetworkSettings.from_env(
        {"READLIST_ARXIV_API": "http://127.0.0.1:9/q", "READLIST_HF_API": "http://127.0.0.1:9/hf/",
         "READLIST_ARXIV_DELAY": "0", "READLIST_OFFLINE": "yes"},
        {"arxiv_api": "https://mirror.example/api/query", "hf_api": "https://hf.example/api", "arxiv_delay": 5,
         "offline": False},
    )
    assert settings.arxiv_api == "http://127.0.0.1:9/q"
    assert settings.hf_api == "http://127.0.0.1:9/hf"
    assert settings.arxiv_delay == 0
    assert settings.offline is True


def test_config_values() -> None:
    settings = NetworkSettings.from_env(
        {}, {"arxiv_api": "https://mirror.example/api/query", "arxiv_delay": 4.5, "offline": True,
             "pull_sources": ["hf", "arxiv:cs.CL", "arxiv:hep-th", "hf"]},
    )
    assert settings.arxiv_api == "https://mirror.example/api/query"
    assert settings.arxiv_delay == 4.5
    assert settings.offline is True
    assert [s.key for s in settings.pull_sources] == ["hf", "arxiv:cs.CL", "arxiv:hep-th"]
    assert settings.with_offline(False).offline is False


@pytest.mark.parametrize(
    ("env", "config", "problem"),
    [
        ({"READLIST_ARXIV_API": "ftp://x/q"}, {}, "READLIST_ARXIV_API = 'ftp://x/q' is not an http"),
        ({}, {"hf_api": 5}, "hf_api in config.toml must be a URL string"),
        ({"READLIST_ARXIV_DELAY": "-1"}, {}, "READLIST_ARXIV_DELAY must be a number of seconds"),
        ({}, {"arxiv_delay": "soon"}, "arxiv_delay in config.toml must be a number"),
        ({}, {"arxiv_delay": float("nan")}, "arxiv_delay in config.toml must be a number"),
        ({"READLIST_OFFLINE": "maybe"}, {}, "READLIST_OFFLINE must be true or false"),
        ({}, {"pull_sources": ["hf", "arxiv:not a category"]}, "pull source 'arxiv:not a category'"),
        ({}, {"pull_sources": {"hf": 1}}, "pull_sources in config.toml must be a list"),
    ],
)
def test_bad_values_fall_back_with_one_line(env: dict[str, str], config: dict[str, object], problem: str) -> None:
    settings = NetworkSettings.from_env(env, config)
    assert len(settings.problems) == 1
    assert problem in settings.problems[0]
    assert "\n" not in settings.problems[0]
    defaults = NetworkSettings()
    assert settings.arxiv_api == defaults.arxiv_api
    assert settings.arxiv_delay == defaults.arxiv_delay
    assert settings.offline is False


def test_pull_source_parsing() -> None:
    assert PullSource.parse("hf").key == "hf"
    assert PullSource.parse("arxiv:cs.CL") == PullSource("arxiv", "cs.CL")
    with pytest.raises(ValueError, match="not 'hf' or 'arxiv:CATEGORY'"):
        PullSource.parse("arxiv")
    # A category arXiv does not have would pull nothing every day without a word: said when the file is read.
    with pytest.raises(ValueError, match=re.escape("pull source 'arxiv:cs.cl': 'cs.cl' is written 'cs.CL' on arXiv")):
        PullSource.parse("arxiv:cs.cl")
    with pytest.raises(ValueError, match=re.escape("'nosuch.CAT' is not an arXiv category")):
        PullSource.parse("arxiv:nosuch.CAT")
