"""`readlist sync init`, `sync` and `merge-driver` on the command line, and the walkthrough in docs/sync.md."""

from __future__ import annotations

import errno
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from readlist.app.imports import ImportPapers
from readlist.app.sync import remote_address
from readlist.cli import main
from readlist.core.model import Paper
from readlist.storage.library import Library
from readlist.storage.snapshot import encode_snapshot
from tests.conftest import PAGES, bare_remote, silent_address

DOCS = Path(__file__).parents[2] / "docs" / "sync.md"


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args])


def library(path: Path, count: int = 2) -> Path:
    ImportPapers([Paper.create(title=f"Paper {n}", arxiv_id=f"2401.{n:05d}") for n in range(1, count + 1)],
                 "t").execute(Library(path))
    return path


def test_sync_init_and_sync_report_in_one_line_and_as_json(git_env: Path) -> None:
    remote = bare_remote(git_env)
    laptop = library(git_env / "laptop" / "library.json")
    done = run(laptop, "sync", "init", str(remote))
    assert done.exit_code == 0, done.output
    assert done.stdout.splitlines() == [f"Set up for sync in {laptop.parent} (a new git repository), remote {remote}",
                                        f"2 papers changed here, 0 there; sent ({remote})"]
    workstation = git_env / "workstation" / "library.json"
    joined = run(workstation, "sync", "init", str(remote), "--json")
    assert joined.exit_code == 0
    data = json.loads(joined.stdout)
    assert data["joined"] and data["sync"]["received"] and data["sync"]["changed_there"] == 2
    assert run(workstation, "rate", "2401.00001", "4").exit_code == 0
    synced = run(workstation, "sync")
    assert synced.exit_code == 0 and synced.stdout.splitlines() == [
        f"1 paper changed here, 0 there; sent ({remote})"]
    report = json.loads(run(laptop, "sync", "--json").stdout)
    assert (report["received"], report["changed_there"], report["summary"]) == (
        True, 1, f"0 papers changed here, 1 there; received ({remote})")
    assert Library(laptop).papers["2401.00001"].rating == 4


def test_ctrl_c_during_a_sync_says_nothing_was_lost_and_what_to_run(
    git_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while a sync waits on a remote that does not answer printed only "interrupted"."""
    import readlist.app.sync as sync_module

    remote = bare_remote(git_env)
    laptop = library(git_env / "laptop" / "library.json")
    assert run(laptop, "sync", "init", str(remote)).exit_code == 0
    assert run(laptop, "rate", "2401.00001", "4").exit_code == 0
    real_run = sync_module.Git.run

    def unanswered(self: object, *args: str, **kwargs: object) -> object:
        if args and args[0] == "fetch":
            raise KeyboardInterrupt
        return real_run(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(sync_module.Git, "run", unanswered)
    stopped = run(laptop, "sync")
    assert stopped.exit_code == 130
    assert stopped.stderr.splitlines() == [
        "readlist: interrupted; nothing was lost: the changes made here are kept (committed for the next sync), and "
        "`readlist sync` again finishes what this one began"]
    monkeypatch.undo()
    assert "sent" in run(laptop, "sync").stdout
    assert Library(laptop).papers["2401.00001"].rating == 4


def test_sync_of_a_library_not_set_up_fails_in_one_line(git_env: Path) -> None:
    db = library(git_env / "solo" / "library.json")
    done = run(db, "sync")
    assert done.exit_code == 1
    assert done.stderr.strip().splitlines() == [
        f"readlist: {db} is not set up for sync; run `readlist sync init [REMOTE]` first"]


def test_sync_init_without_git_fails_in_one_line(git_env: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    db = library(git_env / "solo" / "library.json")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    done = run(db, "sync", "init")
    assert done.exit_code == 1 and len(done.stderr.strip().splitlines()) == 1
    assert "needs git" in done.stderr
    assert not (db.parent / ".git").exists()


def test_a_remote_that_cannot_be_reached_is_named_with_the_reason(git_env: Path) -> None:
    """git's reason, not the last line of its advice ("and the repository exists.")."""
    remote = bare_remote(git_env)
    db = library(git_env / "laptop" / "library.json")
    assert run(db, "sync", "init", str(remote)).exit_code == 0
    remote.rename(git_env / "unplugged.git")  # the USB disk is not there
    done = run(db, "sync")
    assert done.exit_code == 1 and len(done.stderr.strip().splitlines()) == 1
    assert done.stderr.startswith("readlist: git fetch failed: fatal: ")
    assert f"'{remote}' does not appear to be a git repository" in done.stderr
    assert done.stderr.rstrip().endswith(
        f"; the changes made here are committed on this machine and safe: check that the remote ({remote}) is "
        "there and reachable, then run `readlist sync` again")


def test_a_remote_given_by_a_path_relative_to_the_current_folder_is_stored_as_an_absolute_one(
        git_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """git runs in the library's folder: a relative path kept as typed would be looked for there."""
    remote = bare_remote(git_env, "rel.git")
    db = library(git_env / "c" / "lib.json")
    monkeypatch.chdir(git_env)
    done = run(Path("c/lib.json"), "sync", "init", "rel.git")
    assert done.exit_code == 0, done.output
    assert done.stdout.splitlines() == [f"Set up for sync in {db.parent} (a new git repository), remote {remote}",
                                        f"2 papers changed here, 0 there; sent ({remote})"]
    assert subprocess.run(["git", "-C", str(db.parent), "remote", "get-url", "origin"], capture_output=True,
                          text=True, check=True).stdout.strip() == str(remote)
    monkeypatch.chdir(db.parent)  # the stored remote works from anywhere
    assert run(db, "rate", "2401.00001", "4").exit_code == 0
    assert run(db, "sync").stdout == f"1 paper changed here, 0 there; sent ({remote})\n"


@pytest.mark.parametrize("remote", ["server:rel.git", "me@server:lab/rel.git", "ssh://server/rel.git",
                                    "file://rel.git", "missing.git"])
def test_urls_scp_like_addresses_and_paths_not_found_here_are_stored_as_typed(
        git_env: Path, monkeypatch: pytest.MonkeyPatch, remote: str) -> None:
    """Even where a local file bears the name: git takes ``host:path`` for a host, not a path."""
    (git_env / "server:rel.git").mkdir()
    (git_env / "me@server:lab").mkdir()
    monkeypatch.chdir(git_env)
    assert remote_address(remote) == remote
    assert remote_address(f"./{remote}") == (str(git_env / remote) if remote.startswith("server:") else f"./{remote}")


def test_a_library_the_users_gitignore_ignores_is_named_with_the_line(git_env: Path) -> None:
    """git add's own last line named only the file; the line that ignores it is what the user has to change."""
    remote = bare_remote(git_env)
    db = library(git_env / "laptop" / "library.json")
    (db.parent / ".gitignore").write_text("/*\n!/.gitignore\n!/.gitattributes\n!/library.json\n*.json\n")
    done = run(db, "sync", "init", str(remote))
    assert done.exit_code == 1
    assert done.stderr.strip().splitlines() == [
        "readlist: library.json is ignored by line 5 of .gitignore (*.json), so git cannot share it; remove that "
        "line (or move it above readlist's lines), then try again"]
    assert not (db.parent / ".git").exists()
    (db.parent / ".gitignore").write_text("*.json\n")  # before readlist's lines, which come after it: shared
    assert run(db, "sync", "init", str(remote)).exit_code == 0


def test_a_token_in_the_remotes_url_is_never_shown_recorded_or_committed(git_env: Path) -> None:
    """The sync line, --json, the sync state and the merge commit (pushed to everyone) name the remote without it."""
    remote = bare_remote(git_env)
    url = "https://me:s3cret-token@example.org/lab.git"
    subprocess.run(["git", "config", "--global", f"url.{remote}.insteadOf", url], check=True)  # no network
    laptop = library(git_env / "laptop" / "library.json")
    done = run(laptop, "sync", "init", url)
    assert done.exit_code == 0, done.output
    assert done.stdout.splitlines()[0].endswith("remote https://example.org/lab.git")
    workstation = git_env / "workstation" / "library.json"
    joined = run(workstation, "sync", "init", url, "--json")
    assert joined.exit_code == 0 and json.loads(joined.stdout)["remote"] == "https://example.org/lab.git"
    assert run(laptop, "rate", "2401.00001", "4").exit_code == 0
    assert run(workstation, "rate", "2401.00002", "5").exit_code == 0
    assert run(laptop, "sync").exit_code == 0
    assert run(workstation, "sync").exit_code == 0  # a merge commit
    for db in (laptop, workstation):
        assert "s3cret" not in (db.parent / "library.json.sync").read_text()
    assert "s3cret" not in subprocess.run(["git", "log", "--format=%B", "main"], cwd=remote, capture_output=True,
                                          text=True, check=True).stdout


def test_a_remote_url_loses_its_password_or_token_and_nothing_else() -> None:
    from readlist.app.sync import without_credentials

    assert without_credentials("https://me:tok@example.org/lab.git") == "https://example.org/lab.git"
    assert without_credentials("git fetch failed: unable to access 'HTTPS://ghp_x@host/a.git/'") == (
        "git fetch failed: unable to access 'HTTPS://host/a.git/'")
    for kept in ("git@github.com:me/lab.git", "ssh://me@server/srv/lab.git", "/media/usb/papers.git",
                 "https://example.org/a@b.git"):
        assert without_credentials(kept) == kept


def test_a_library_folder_another_user_owns_is_named_as_the_reason(git_env: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """git's safe.directory refusal made sync say "not the top of its git repository", sync init "not in a git
    directory"; git's own switch stands for a folder another user owns (a shared folder, a disk, sudo)."""
    remote = bare_remote(git_env)
    laptop = library(git_env / "laptop" / "library.json")
    assert run(laptop, "sync", "init", str(remote)).exit_code == 0
    desk = library(git_env / "desk" / "library.json")
    subprocess.run(["git", "init", "--quiet", str(desk.parent)], check=True)
    monkeypatch.setenv("GIT_TEST_ASSUME_DIFFERENT_OWNER", "1")
    for db, args in ((laptop, ["sync"]), (desk, ["sync", "init", str(remote)])):
        done = run(db, *args)
        assert done.exit_code == 1
        assert done.stderr.strip().splitlines() == [
            f"readlist: git refuses to work in {db.parent}: it belongs to another user (git's safe.directory check); "
            f"if you trust it, run `git config --global --add safe.directory {db.parent}`, then try again; nothing "
            "was changed"]
    assert not (desk.parent / ".gitignore").exists()


def test_a_sync_lock_that_cannot_be_made_fails_in_one_line(git_env: Path) -> None:
    """A folder where the sync lock cannot be written (read-only, say) is one line, not a traceback."""
    db = library(git_env / "solo" / "library.json")
    assert run(db, "sync", "init").exit_code == 0
    (db.parent / "library.json.sync-lock").unlink()
    (db.parent / "library.json.sync-lock").mkdir()  # open() fails on it as on a read-only folder, even for root
    done = run(db, "sync")
    assert done.exit_code == 1 and done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        f"readlist: sync stopped: {db.parent / 'library.json.sync-lock'} could not be written (Is a directory); "
        "nothing was lost (the library file is whole); free some space or make the folder writable, then run "
        "`readlist sync` again"]


def _laptop_rated_and_synced(git_env: Path) -> tuple[Path, Path]:
    """Two machines sharing a remote; the laptop rated a paper and synced, the workstation has not fetched it.
    The remote and the workstation's library."""
    remote = bare_remote(git_env)
    laptop = library(git_env / "laptop" / "library.json")
    workstation = git_env / "workstation" / "library.json"
    assert run(laptop, "sync", "init", str(remote)).exit_code == 0
    assert run(workstation, "sync", "init", str(remote)).exit_code == 0
    assert run(laptop, "rate", "2401.00001", "4").exit_code == 0
    assert run(laptop, "sync").exit_code == 0
    return remote, workstation


def test_a_full_disk_while_sync_replaces_the_library_says_so_and_changes_nothing(
    git_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not "could not write the output": the library file is what could not be written, and it is as it was."""
    import readlist.app.sync as sync_module

    _, workstation = _laptop_rated_and_synced(git_env)
    before = workstation.read_bytes()
    real = sync_module.atomic_write_bytes

    def full_disk(path: Path, data: bytes) -> None:
        if path == workstation:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real(path, data)

    monkeypatch.setattr(sync_module, "atomic_write_bytes", full_disk)
    done = run(workstation, "sync")
    assert done.exit_code == 1 and done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        f"readlist: sync stopped: {workstation} could not be written (No space left on device); nothing was lost "
        "(the library file is whole); free some space or make the folder writable, then run `readlist sync` again"]
    assert workstation.read_bytes() == before
    monkeypatch.undo()
    assert run(workstation, "sync").exit_code == 0
    assert Library(workstation).papers["2401.00001"].rating == 4


def _git_failing(folder: Path, verb: str, said: str) -> str:
    """A PATH on which `git VERB` fails, saying ``said`` as git does on a full disk; every other command is git's."""
    real = shutil.which("git")
    assert real is not None
    place = folder / f"git-failing-{verb}"
    place.mkdir()
    script = place / "git"
    script.write_text(f'#!/bin/sh\nfor arg in "$@"; do\n  if [ "$arg" = {verb} ]; then\n'
                      f"    printf '%s' {shlex.quote(said)} >&2\n    exit 128\n  fi\ndone\n"
                      f'exec {shlex.quote(real)} "$@"\n')
    script.chmod(0o755)
    return f"{place}{os.pathsep}{os.environ['PATH']}"


@pytest.mark.parametrize(("said", "line"), [
    ("error: file write error: No space left on device\nfatal: unpack-objects failed\n",
     "error: file write error: No space left on device"),
    ("fatal: unable to write new index file\n", "fatal: unable to write new index file"),
])
def test_a_full_disk_while_fetching_is_told_as_such_not_blamed_on_the_remote(
    git_env: Path, monkeypatch: pytest.MonkeyPatch, said: str, line: str,
) -> None:
    remote, workstation = _laptop_rated_and_synced(git_env)
    before = workstation.read_bytes()
    monkeypatch.setenv("PATH", _git_failing(git_env, "fetch", said))
    done = run(workstation, "sync")
    assert done.exit_code == 1 and done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        f"readlist: no space left on this disk (git fetch: {line}); nothing was changed here; free some space, then "
        "run `readlist sync` again"]
    assert workstation.read_bytes() == before
    desk = library(git_env / "desk" / "library.json")
    joining = run(desk, "sync", "init", str(remote))
    assert joining.exit_code == 1 and joining.stderr.strip().splitlines() == [
        f"readlist: no space left on this disk (git fetch: {line}); nothing was changed here; free some space, then "
        "run `readlist sync init` again"]
    assert not (desk.parent / ".git").exists()
    monkeypatch.undo()
    assert run(workstation, "sync").exit_code == 0
    assert Library(workstation).papers["2401.00001"].rating == 4


def test_a_full_disk_on_the_remote_while_pushing_is_told_as_such(git_env: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    remote, workstation = _laptop_rated_and_synced(git_env)
    assert run(workstation, "rate", "2401.00002", "2").exit_code == 0
    said = ("remote: fatal: write error: No space left on device\n"
            "error: remote unpack failed: unpack-objects abnormal exit\n"
            f"error: failed to push some refs to '{remote}'\n")
    monkeypatch.setenv("PATH", _git_failing(git_env, "push", said))
    done = run(workstation, "sync")
    assert done.exit_code == 1 and done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        "readlist: git push failed: no space left on the remote's disk (fatal: write error: No space left on device); "
        "free some space there, then run `readlist sync` again; your changes are committed here and will be sent by "
        "the next sync the remote accepts"]
    monkeypatch.undo()
    assert run(workstation, "sync").stdout.startswith("1 paper changed here, 0 there; sent")


def test_the_merge_driver_prints_nothing_and_writes_the_merge_into_ours(tmp_path: Path) -> None:
    base, ours, theirs = tmp_path / "O", tmp_path / "A", tmp_path / "B"
    one = Paper.create(title="One", arxiv_id="2401.00001")
    base.write_bytes(encode_snapshot(1, [one], "lib"))
    ours.write_bytes(encode_snapshot(2, [Paper.create(title="One", arxiv_id="2401.00001", rating=3)], "lib"))
    theirs.write_bytes(encode_snapshot(2, [one, Paper.create(title="Two", arxiv_id="2401.00002")], "lib"))
    done = subprocess.run([sys.executable, "-m", "readlist", "merge-driver", str(base), str(ours), str(theirs),
                           "library.json"], capture_output=True, text=True)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    merged = Library(ours, tidy=False)
    assert sorted(merged.papers) == ["2401.00001", "2401.00002"] and merged.papers["2401.00001"].rating == 3


def test_the_merge_driver_fails_on_a_side_that_is_not_a_library(tmp_path: Path) -> None:
    base, ours, theirs = tmp_path / "O", tmp_path / "A", tmp_path / "B"
    base.write_bytes(encode_snapshot(1, [], "lib"))
    ours.write_bytes(encode_snapshot(1, [], "lib"))
    theirs.write_bytes(b"<<<<<<< not a library")
    before = ours.read_bytes()
    result = CliRunner().invoke(main, ["merge-driver", str(base), str(ours), str(theirs), "library.json"])
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("readlist merge-driver: library.json: the other side's version is not a valid")
    assert ours.read_bytes() == before


def _walkthrough() -> list[tuple[str, str, list[str]]]:
    """(machine, command, lines it prints) for every prompt in the walkthrough's console block."""
    block = DOCS.read_text(encoding="utf-8").split("```console\n", 1)[1].split("```", 1)[0]
    steps: list[tuple[str, str, list[str]]] = []
    for line in block.splitlines():
        prompt = re.match(r"^(laptop|workstation)\$ (.*)$", line)
        if prompt:
            steps.append((prompt.group(1), prompt.group(2), []))
        elif line.strip():
            steps[-1][2].append(line)
    return steps


def test_the_walkthrough_in_the_docs_works_as_written(git_env: Path) -> None:
    """Each command of docs/sync.md's walkthrough, run in a shell on the machine its prompt names."""
    steps = _walkthrough()
    assert len(steps) >= 10
    usb, downloads = git_env / "usb", git_env / "Downloads"
    usb.mkdir()
    downloads.mkdir()
    shutil.copy(PAGES / "arxiv-abs-2004.02153.html", downloads / "2004.02153.html")
    scripts = Path(sys.executable).parent
    for machine, command, expected in steps:
        home = git_env / machine
        home.mkdir(exist_ok=True)
        env = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / ".local" / "share"),
               "PATH": f"{scripts}{os.pathsep}{os.environ['PATH']}"}
        env.pop("READLIST_DB")  # each machine's default library, in its own data folder
        shell = command.replace("/media/usb", str(usb)).replace("~/Downloads", str(downloads))
        jq = "| jq '{status, rating, note}'"
        shell = shell.replace(jq, "")  # jq need not be installed here: the same fields are picked below
        done = subprocess.run(["bash", "-c", shell], env=env, capture_output=True, text=True)
        assert done.returncode == 0, (command, done.stdout, done.stderr)
        out = done.stdout.replace(str(usb), "/media/usb").replace(str(downloads), "/home/me/Downloads")
        out = out.replace(str(home), "/home/me")
        if jq in command:
            shown = json.loads(out)
            out = json.dumps({key: shown[key] for key in ("status", "rating", "note")}, indent=2)
        for line in expected:
            assert line in out.splitlines(), (command, line, out)


def test_the_merge_driver_on_a_full_disk_says_so_in_words(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import readlist.app.sync as sync_module

    base, ours, theirs = tmp_path / "O", tmp_path / "A", tmp_path / "B"
    for path in (base, ours, theirs):
        path.write_bytes(encode_snapshot(1, [Paper.create(title="One", arxiv_id="2401.00001")], "lib"))
    before = ours.read_bytes()

    def full_disk(path: Path, data: bytes) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(sync_module, "atomic_write_bytes", full_disk)
    result = CliRunner().invoke(main, ["merge-driver", str(base), str(ours), str(theirs), "library.json"])
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.splitlines() == [
        "readlist merge-driver: library.json: the merged library could not be written: No space left on device"]
    assert ours.read_bytes() == before


# The merge driver as git runs it, on a disk with no room for the merged library.
FULL_DISK_DRIVER = """
import errno, os, sys
import readlist.app.sync as sync_module
def full_disk(path, data):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
sync_module.atomic_write_bytes = full_disk
sys.exit(sync_module.run_merge_driver(sys.argv[1:]))
"""


def test_a_full_disk_in_the_merge_driver_is_told_in_words_by_sync(git_env: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import readlist.app.sync as sync_module

    remote, workstation = _laptop_rated_and_synced(git_env)
    assert run(workstation, "rate", "2401.00002", "2").exit_code == 0
    script = git_env / "full_disk_driver.py"
    script.write_text(FULL_DISK_DRIVER, encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parents[2]))
    monkeypatch.setattr(sync_module, "driver_command", lambda: f"{sys.executable} {script} %O %A %B %P")
    done = run(workstation, "sync")
    assert done.exit_code == 1 and done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        f"readlist: the library from {remote} could not be merged with this one (readlist merge-driver: library.json: "
        "the merged library could not be written: No space left on device); nothing was changed here; free some "
        "space, then run `readlist sync` again"]
    monkeypatch.undo()
    assert run(workstation, "sync").exit_code == 0
    assert Library(workstation).papers["2401.00001"].rating == 4


def test_an_undo_of_a_change_another_copy_overrode_says_nothing_was_undone(git_env: Path) -> None:
    """Not "undid rated 4: 0 papers": every paper of the change was changed since, on the other machine."""
    _, workstation = _laptop_rated_and_synced(git_env)
    laptop = git_env / "laptop" / "library.json"
    assert run(workstation, "sync").exit_code == 0
    assert run(workstation, "rate", "2401.00001", "2").exit_code == 0  # later than the laptop's rating
    assert run(workstation, "sync").exit_code == 0
    assert run(laptop, "sync").exit_code == 0
    for _ in range(2):  # again: the same, as the record of the last change is still that one
        undone = run(laptop, "undo")
        assert undone.exit_code == 1 and undone.stdout == ""
        assert undone.stderr.splitlines() == [
            "readlist: nothing undone (rated 4): 2401.00001 changed since (here or on another copy), and undo never "
            "reverts a later change; `readlist undo` again changes nothing (only the last command's change is kept "
            "for it), so change it by hand if need be"]
        assert Library(laptop).papers["2401.00001"].rating == 2
    assert json.loads(run(laptop, "undo", "--json").stdout)["skipped"] == ["2401.00001"]


def test_a_backup_restored_before_a_sync_never_undoes_the_other_machines_work(git_env: Path) -> None:
    """The backup the receiving sync made is restored, then synced: it is merged as the old state it is."""
    remote = bare_remote(git_env)
    laptop = library(git_env / "laptop" / "library.json")
    workstation = git_env / "workstation" / "library.json"
    assert run(laptop, "sync", "init", str(remote)).exit_code == 0
    assert run(workstation, "sync", "init", str(remote)).exit_code == 0
    assert run(laptop, "rate", "2401.00001", "5").exit_code == 0
    assert run(laptop, "note", "2401.00001", "A careful note").exit_code == 0
    assert run(laptop, "sync").exit_code == 0
    assert run(workstation, "sync").exit_code == 0  # receives them, with a backup made just before
    restored = run(workstation, "doctor", "--restore")
    assert restored.exit_code == 0, restored.output
    assert "the next `readlist sync` merges the restored library with the one last synced" in restored.stdout
    assert Library(workstation).papers["2401.00001"].rating == 0  # the backup, as it was
    after = run(workstation, "sync")
    assert after.exit_code == 0, after.output
    assert after.stdout.startswith("0 papers changed here, 0 there;")
    assert "1 paper keeps what was changed since the backup, here or on another copy (2401.00001)" in after.stdout
    assert run(laptop, "sync").exit_code == 0
    for copy in (laptop, workstation):
        got = Library(copy).papers["2401.00001"]
        assert (got.rating, got.note) == (5, "A careful note")
    # A change made here after the restore is newer than anything synced: it is sent as usual.
    assert run(workstation, "doctor", "--restore").exit_code == 0
    assert run(workstation, "rate", "2401.00002", "3").exit_code == 0
    assert run(workstation, "sync").stdout.startswith("1 paper changed here, 0 there; sent")
    assert run(laptop, "sync").exit_code == 0
    got = Library(laptop).papers
    assert (got["2401.00001"].rating, got["2401.00001"].note, got["2401.00002"].rating) == (5, "A careful note", 3)


@pytest.mark.parametrize(("rated", "said"), [
    (["2401.00001"], "so 1 paper keeps what was changed since the backup, here or on another copy (2401.00001)"),
    (["2401.00001", "2401.00002"],
     "so 2 papers keep what was changed since the backup, here or on another copy (2401.00001, 2401.00002)"),
], ids=["one", "two"])
def test_the_papers_that_keep_a_change_made_since_a_restored_backup_are_counted_in_good_grammar(
        git_env: Path, rated: list[str], said: str) -> None:
    remote = bare_remote(git_env)
    laptop = library(git_env / "laptop" / "library.json")
    workstation = git_env / "workstation" / "library.json"
    assert run(laptop, "sync", "init", str(remote)).exit_code == 0
    assert run(workstation, "sync", "init", str(remote)).exit_code == 0
    assert run(laptop, "rate", *rated, "5").exit_code == 0
    assert run(laptop, "sync").exit_code == 0
    assert run(workstation, "sync").exit_code == 0  # receives them, with a backup made just before
    assert run(workstation, "doctor", "--restore").exit_code == 0
    after = run(workstation, "sync")
    assert after.exit_code == 0, after.output
    assert said in after.stdout


@pytest.mark.parametrize("stop", ["SIGTERM", "SIGHUP"])
def test_a_sync_init_ended_by_a_signal_keeps_the_remote_it_had_and_ends_git(
    git_env: Path, silent_remote: socket.socket, stop: str,
) -> None:
    """`kill`, `timeout` or a terminal closed while `sync init` waits for a new remote: as with Ctrl-C."""
    remote = bare_remote(git_env)
    laptop = library(git_env / "laptop" / "library.json")
    assert run(laptop, "sync", "init", str(remote)).exit_code == 0
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    waiting = subprocess.Popen([sys.executable, "-m", "readlist", "--db", str(laptop), "sync", "init",
                                silent_address(silent_remote)], env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        connection, _ = silent_remote.accept()  # git is waiting for the remote
        with connection:
            waiting.send_signal(getattr(signal, stop))
            waiting.communicate(timeout=60)
            connection.settimeout(60)  # a git still running: the test fails on the timeout
            while connection.recv(4096):  # what git asked for, then nothing: its end was closed
                pass
    finally:
        if waiting.poll() is None:
            waiting.kill()
            waiting.communicate()
    assert waiting.returncode == 128 + getattr(signal, stop)
    assert subprocess.run(["git", "-C", str(laptop.parent), "remote", "get-url", "origin"], capture_output=True,
                          text=True, check=True).stdout.strip() == str(remote)
    assert run(laptop, "rate", "2401.00001", "4").exit_code == 0
    assert run(laptop, "sync").stdout.startswith("1 paper changed here, 0 there; sent")
