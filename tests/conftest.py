"""Shared fixtures: libraries built from the seed pages copied into tests/fixtures."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from readlist.app.imports import ImportPapers
from tests.fake_services import FakeServer, serve

FIXTURES = Path(__file__).parent / "fixtures"
SEEDS = sorted((FIXTURES / "seeds").glob("*.txt"))
PAGES = FIXTURES / "pages"
# The seed pages were copied in late 2025; a fixed "today" keeps their yearless dates stable.
SEED_TODAY = date(2025, 12, 20)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """The suite runs on every core this process may use (``-n auto`` in pyproject.toml): the cores it is allowed
    to run on, fewer where a container's CPU quota says so (``os.cpu_count()`` counts the host's)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()[:2]
        if quota != "max":
            cores = min(cores, max(1, round(int(quota) / int(period))))
    except (OSError, ValueError):
        pass
    return cores


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Never read or write the real user's library or config from a test."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("READLIST_CONFIG", str(home / "config" / "config.toml"))
    monkeypatch.setenv("READLIST_DB", str(home / "data" / "library.json"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "xdg-config"))
    # Network settings come from the test, never from the developer's shell.
    for name in ("READLIST_ARXIV_API", "READLIST_HF_API", "READLIST_ARXIV_DELAY", "READLIST_OFFLINE"):
        monkeypatch.delenv(name, raising=False)
    yield


@pytest.fixture
def fake_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeServer]:
    """A local arXiv / Hugging Face API stand-in on 127.0.0.1 (see tests/fake_services.py)."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    yield from serve()


@pytest.fixture
def api(fake_server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> FakeServer:
    """The stand-in as the arXiv and Hugging Face APIs readlist talks to, with no wait between arXiv requests."""
    monkeypatch.setenv("READLIST_ARXIV_API", fake_server.arxiv_api)
    monkeypatch.setenv("READLIST_HF_API", fake_server.hf_api)
    monkeypatch.setenv("READLIST_ARXIV_DELAY", "0")
    return fake_server


@pytest.fixture
def seed_library(tmp_path: Path) -> Path:
    """A library file holding the 196 seed papers."""
    from readlist.importers import parse_input
    from readlist.storage.library import Library

    path = tmp_path / "library.json"
    lib = Library(path)
    for seed in SEEDS:
        ImportPapers(parse_input(seed.read_bytes(), source=seed.name, today=SEED_TODAY).papers, seed.name).execute(lib)
    lib.compact(force=True)
    return path


@pytest.fixture
def git_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Real git with none of the developer's configuration (identity, hooks, signing), or a skip without git.

    Returns a folder for the test's repositories.
    """
    import shutil

    if shutil.which("git") is None:
        if os.environ.get("CI"):
            pytest.fail("git is not installed; .ci/run installs it")
        pytest.skip("git is not installed (.ci/run installs it)")
    from readlist.app.sync import GIT_MIN, git_version

    found = git_version()
    if found is not None and found < GIT_MIN:
        pytest.skip(f"readlist sync needs git {'.'.join(map(str, GIT_MIN))} or later; this is git {found}")
    home = tmp_path_factory.mktemp("git-home")
    (home / "gitconfig").write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL",
                 "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "GIT_SSH_COMMAND"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path_factory.mktemp("repos")


def git(folder: Path, *args: str) -> str:
    """Run git in ``folder`` (the test's own checks, not readlist's) and return its output."""
    import subprocess

    done = subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.fixture
def silent_remote() -> Iterator[socket.socket]:
    """A git server that takes the connection and never answers (a host gone quiet behind a firewall).

    Its address is ``silent_address(server)``; ``server.accept()`` returns once git has connected and waits.
    """
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        server.settimeout(60)  # bounds a test whose git never connects
        yield server


def silent_address(server: socket.socket) -> str:
    return f"git://127.0.0.1:{server.getsockname()[1]}/library.git"


def bare_remote(folder: Path, name: str = "remote.git") -> Path:
    """An empty bare repository standing for a USB disk or a server."""
    remote = folder / name
    git(folder, "init", "--quiet", "--bare", "--initial-branch=main", str(remote))
    return remote


@pytest.fixture
def ticking_clock(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every change time readlist stamps is one second after the last: "later" never depends on the machine's speed.

    Returns the count of seconds since 2030-01-01, which a test may move on.
    """
    from datetime import UTC, datetime, timedelta

    import readlist.app.commands
    import readlist.app.details
    import readlist.storage.library

    seconds = [0]

    def tick() -> str:
        seconds[0] += 1
        return (datetime(2030, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds[0])).isoformat()

    monkeypatch.setattr(readlist.app.commands, "now_iso", tick)
    monkeypatch.setattr(readlist.app.details, "now_iso", tick)
    monkeypatch.setattr(readlist.storage.library, "now_iso", tick)
    return seconds
