"""Folders readlist creates are 0700 and config.toml is 0600, whatever the umask.

Run as root, permission checks are skipped by the kernel, so the subprocesses here drop the
capabilities that bypass them (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER): a folder
readlist could not write into then fails as it would for any user.
"""

from __future__ import annotations

import ctypes
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from readlist.config.settings import save_setting
from readlist.storage.paths import ensure_private_dir

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")

SEED = sorted((Path(__file__).parents[1] / "fixtures" / "seeds").glob("*.txt"))[0]
UMASKS = [0o022, 0o000, 0o277]
PR_CAPBSET_DROP = 24
DAC_CAPABILITIES = (1, 2, 3)  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask() -> Iterator[None]:
    saved = os.umask(0o022)
    yield
    os.umask(saved)


def _as_a_user(umask: int) -> None:
    """In the child before exec: the umask, and for root no way around file modes."""
    if os.geteuid() == 0 and sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        for capability in DAC_CAPABILITIES:
            libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0)
    os.umask(umask)


def readlist(umask: int, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "readlist", *args], preexec_fn=lambda: _as_a_user(umask), env=env,
        capture_output=True, text=True, timeout=120, check=False,
    )


def child_env(tmp_path: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in ("READLIST_DB", "READLIST_CONFIG")}
    env.update(XDG_DATA_HOME=str(tmp_path / "home" / "share"), XDG_CONFIG_HOME=str(tmp_path / "home" / "config"),
               HOME=str(tmp_path / "home"))
    return env


@pytest.mark.parametrize("mask", UMASKS, ids=oct)
def test_every_missing_folder_is_made_0700(tmp_path: Path, umask: None, mask: int) -> None:
    os.umask(mask)
    target = tmp_path / "a" / "b" / "c"
    ensure_private_dir(target)
    for folder in (tmp_path / "a", tmp_path / "a" / "b", target):
        assert mode(folder) == 0o700, (oct(mask), folder)
    (target / "file").write_bytes(b"usable")


def test_a_folder_that_exists_is_left_alone(tmp_path: Path, umask: None) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o755)
    ensure_private_dir(shared)
    ensure_private_dir(shared / "mine")
    assert mode(shared) == 0o755 and mode(shared / "mine") == 0o700


@pytest.mark.parametrize("mask", [0o022, 0o000], ids=oct)
def test_config_toml_is_0600_in_a_0700_folder(
    tmp_path: Path, umask: None, mask: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where platformdirs puts it (the theme picker saves the theme there), parents included."""
    monkeypatch.delenv("READLIST_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    os.umask(mask)
    config = save_setting("theme", "nord")
    assert config == tmp_path / "cfg" / "readlist" / "config.toml"
    assert mode(config) == 0o600
    assert mode(config.parent) == 0o700 and mode(config.parent.parent) == 0o700
    config.chmod(0o644)  # a file the user made readable: the next write makes it private again
    save_setting("sort", "title", config)
    assert mode(config) == 0o600
    assert 'theme = "nord"' in config.read_text() and 'sort = "title"' in config.read_text()


@pytest.mark.parametrize(
    "mask",
    [0o022, 0o000, 0o277],
    ids=oct,
)
def test_the_command_line_makes_private_folders_and_can_use_them(tmp_path: Path, mask: int) -> None:
    env = child_env(tmp_path)
    db = tmp_path / "new" / "deeper" / "library.json"
    imported = readlist(mask, env, "--db", str(db), "import", str(SEED))
    assert imported.returncode == 0, imported.stderr
    assert mode(tmp_path / "new") == 0o700 and mode(tmp_path / "new" / "deeper") == 0o700
    assert mode(db) == 0o600
    listed = readlist(mask, env, "--db", str(db), "list", "--json", "--limit", "1")
    assert listed.returncode == 0, listed.stderr
    paper = listed.stdout.split('"id": "')[1].split('"')[0]
    rated = readlist(mask, env, "--db", str(db), "rate", paper, "4")  # keeps a backup first
    assert rated.returncode == 0, rated.stderr
    for item in db.parent.rglob("*"):
        assert mode(item) == (0o700 if item.is_dir() else 0o600), item


@pytest.mark.parametrize("mask", [0o022, 0o000], ids=oct)
def test_the_platform_data_folder_and_its_parents_are_0700(tmp_path: Path, mask: int) -> None:
    env = child_env(tmp_path)
    result = readlist(mask, env, "import", str(SEED))
    assert result.returncode == 0, result.stderr
    share = tmp_path / "home" / "share"
    assert (share / "readlist" / "library.json").is_file()
    for folder in (tmp_path / "home", share, share / "readlist"):
        assert mode(folder) == 0o700, folder
