"""Sync through real git: a bare remote in a temporary folder and clones standing for machines."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import msgspec
import pytest
from filelock import FileLock, Timeout

import readlist.app.sync as sync_module
from readlist.app.commands import AppendNote, Delete, EditTags, Rate, SetStatus
from readlist.app.details import EditDetails
from readlist.app.enrich import ApplyEnrichment, Change
from readlist.app.imports import ImportPapers
from readlist.app.library_merge import BOTH_VERSIONS, END_OF_VERSIONS
from readlist.app.notes import SaveNote
from readlist.app.sync import SyncError, init, is_set_up, load_state, sync
from readlist.core.model import Paper
from readlist.storage.backups import list_backups
from readlist.storage.errors import LibraryError
from readlist.storage.library import Library
from readlist.storage.paths import lock_path, sync_pending_path
from readlist.storage.snapshot import decode_snapshot, encode_snapshot, read_snapshot
from tests.conftest import bare_remote, git, silent_address


def paper(n: int, **values: object) -> Paper:
    return Paper.create(id=f"2401.{n:05d}", arxiv_id=f"2401.{n:05d}", title=f"Paper number {n}", **values)


def machine(root: Path, name: str, papers: int = 0) -> Library:
    lib = Library(root / name / "library.json")
    if papers:
        ImportPapers([paper(n) for n in range(1, papers + 1)], "seed").execute(lib)
    return lib


def records(lib: Library) -> dict[str, dict[str, object]]:
    lib.refresh()
    return {pid: p.to_dict() for pid, p in sorted(lib.papers.items())}


def commit_on_remote(git_env: Path, remote: Path, message: str, change: Callable[[Path], object]) -> str:
    """Someone else's clone of the remote: ``change`` made in its folder, committed and pushed. The commit, short."""
    clone = git_env / f"clone-{len(list(git_env.glob('clone-*')))}"
    git(git_env, "clone", "--quiet", str(remote), str(clone))
    change(clone)
    git(clone, "add", "--all", "--force")
    git(clone, "-c", "user.name=v", "-c", "user.email=v@x", "commit", "--quiet", "-m", message)
    git(clone, "push", "--quiet", "origin", "main")
    return git(clone, "rev-parse", "--short", "HEAD")


@pytest.fixture(autouse=True)
def _clock(ticking_clock: list[int]) -> None:
    """Changes are stamped one second apart, so "the later change" is the one made later in the test."""


@pytest.fixture
def two_machines(git_env: Path) -> tuple[Library, Library, Path]:
    """A laptop with three papers, synced to a bare remote, and a workstation that joined it."""
    remote = bare_remote(git_env)
    laptop = machine(git_env, "laptop", papers=3)
    init(laptop, str(remote))
    workstation = machine(git_env, "workstation")
    init(workstation, str(remote))
    return laptop, workstation, remote


def test_init_versions_only_the_library_file(git_env: Path) -> None:
    lib = machine(git_env, "laptop", papers=2)
    Rate(["2401.00001"], 3).execute(lib)  # leaves a journal, a backup and a lock beside the library
    report = init(lib)
    folder = lib.path.parent
    assert report.created and report.remote is None
    assert git(folder, "ls-files").split("\n") == [".gitattributes", ".gitignore", "library.json"]
    assert git(folder, "status", "--porcelain") == ""
    assert git(folder, "check-attr", "merge", "--", "library.json").endswith("merge: readlist")
    driver = git(folder, "config", "merge.readlist.driver")
    assert driver.endswith("merge-driver %O %A %B %P") and "readlist" in driver
    for local in ("library.json.journal", "library.json.lock", "library.json.backups/x", "library.json.pulls",
                  "library.json.last-change", "library.json.quarantine-1.json", "library.json.journal.foreign-1",
                  "library.json.sync", "notes.txt"):
        assert git(folder, "check-ignore", "--no-index", "-q", local) == ""  # raises when not ignored
    assert read_snapshot(lib.path).papers[0].rating in (0, 3)
    assert is_set_up(lib.path)
    again = init(lib)  # on every machine, as often as wanted
    assert not again.created and git(folder, "log", "--format=%s").count("\n") == 0


def test_a_new_machine_takes_the_library_from_the_remote(two_machines: tuple[Library, Library, Path]) -> None:
    laptop, workstation, _ = two_machines
    assert records(workstation) == records(laptop)
    assert len(workstation.papers) == 3
    assert git(workstation.path.parent, "status", "--porcelain") == ""


def test_a_sync_reads_each_commits_library_once(two_machines: tuple[Library, Library, Path],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Checking that the remote holds this library and taking its changes read the same two files: at 100,000
    papers each read is half a second, and they were read twice and three times."""
    laptop, workstation, _ = two_machines
    Rate(["2401.00001"], 4).execute(laptop)
    sync(laptop)
    reads: list[str] = []
    real_run = sync_module.Git.run

    def counting(self: sync_module.Git, *args: str, **kwargs: object) -> subprocess.CompletedProcess[bytes]:
        if args[:2] == ("cat-file", "blob"):
            reads.append(args[2])
        return real_run(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(sync_module.Git, "run", counting)
    report = sync(workstation)
    assert report.changed_there and workstation.papers["2401.00001"].rating == 4
    assert len(reads) == len(set(reads)) == 2  # this machine's commit and the remote's, once each


def test_changes_on_two_machines_merge_paper_by_paper(two_machines: tuple[Library, Library, Path]) -> None:
    laptop, workstation, _ = two_machines
    SetStatus(["2401.00001"], "read").execute(laptop)
    AppendNote("2401.00002", "laptop: strong baseline").execute(laptop)
    Rate(["2401.00001"], 4).execute(workstation)
    EditTags(["2401.00003"], add=["rl"]).execute(workstation)
    AppendNote("2401.00002", "workstation: check the appendix").execute(workstation)
    first = sync(laptop)
    assert first.sent and not first.received and first.changed_here == 2
    second = sync(workstation)
    assert second.received and second.sent
    assert (second.changed_here, second.changed_there) == (3, 2)
    assert second.merge.notes_merged == ["2401.00002"]
    assert "3 papers changed here, 2 there, 1 note merged" in second.summary()
    third = sync(laptop)
    assert third.received and not third.sent and third.changed_there == 3
    assert records(laptop) == records(workstation)
    paper2 = laptop.papers["2401.00002"]
    assert "strong baseline" in paper2.note and "check the appendix" in paper2.note
    got = laptop.papers["2401.00001"]
    assert (got.status, got.rating, laptop.papers["2401.00003"].tags) == ("read", 4, ["rl"])
    for lib in (laptop, workstation):
        assert git(lib.path.parent, "status", "--porcelain") == ""


def test_the_papers_settled_by_the_later_change_are_named(git_env: Path) -> None:
    remote = bare_remote(git_env)
    laptop = machine(git_env, "laptop", papers=6)
    init(laptop, str(remote))
    workstation = machine(git_env, "workstation")
    init(workstation, str(remote))
    Rate(["2401.00002"], 1).execute(laptop)
    Rate(["2401.00002"], 4).execute(workstation)  # the later one
    sync(laptop)
    report = sync(workstation)
    assert "1 settled by the later change (2401.00002)" in report.summary()
    assert "1 settled by the later change (2401.00002)" in report.to_dict()["summary"]
    ids = [f"2401.{n:05d}" for n in range(1, 6)]
    Rate(ids, 2).execute(workstation)
    Rate(ids, 3).execute(laptop)
    sync(workstation)
    assert "5 settled by the later change (2401.00001, 2401.00002, 2401.00003 and 2 more)" in sync(laptop).summary()
    sync(workstation)
    assert records(laptop) == records(workstation) and laptop.papers["2401.00001"].rating == 3


def test_details_corrected_differently_on_two_machines_are_named_as_settled_by_the_later_change(
        two_machines: tuple[Library, Library, Path]) -> None:
    laptop, workstation, _ = two_machines
    EditDetails("2401.00001", {"title": "A"}).execute(laptop)
    EditDetails("2401.00001", {"title": "B"}).execute(workstation)  # the later one
    EditDetails("2401.00002", {"title": "Same on both"}).execute(laptop)
    EditDetails("2401.00002", {"title": "Same on both"}).execute(workstation)
    sync(laptop)
    report = sync(workstation)
    assert report.merge.later_won == ["2401.00001"]
    assert report.to_dict()["merge"]["later_won"] == ["2401.00001"]
    assert "1 settled by the later change (2401.00001)" in report.summary()
    sync(laptop)
    assert laptop.papers["2401.00001"].title == workstation.papers["2401.00001"].title == "B"


def test_the_state_before_a_sync_stays_in_history_and_in_a_backup(two_machines: tuple[Library, Library, Path]) -> None:
    laptop, workstation, _ = two_machines
    Rate(["2401.00001"], 5).execute(workstation)
    sync(workstation)
    Rate(["2401.00002"], 1).execute(laptop)
    before = len(list_backups(laptop.path))
    report = sync(laptop)
    assert report.backup is not None and len(list_backups(laptop.path)) >= min(before + 1, 5)
    log = git(laptop.path.parent, "log", "--format=%s", "--first-parent")
    assert log.splitlines()[1].startswith("Library changes on")  # the laptop's own commit, before the merge
    old = git(laptop.path.parent, "show", "HEAD^1:library.json")
    assert {p.id: p.rating for p in decode_snapshot(old.encode()).papers}["2401.00001"] == 0


def test_an_edit_later_than_a_deletion_elsewhere_keeps_the_paper_and_the_user_is_told(
    two_machines: tuple[Library, Library, Path],
) -> None:
    laptop, workstation, _ = two_machines
    Delete(["2401.00003"]).execute(laptop)
    sync(laptop)
    SetStatus(["2401.00003"], "reading").execute(workstation)  # later than the deletion
    report = sync(workstation)
    assert report.merge.kept_here == ["2401.00003"]
    assert any("deleted on the other copy, kept" in line for line in report.details())
    sync(laptop)
    assert laptop.papers["2401.00003"].status == "reading"


def test_a_deletion_later_than_an_edit_elsewhere_wins_and_the_user_is_told(
    two_machines: tuple[Library, Library, Path],
) -> None:
    laptop, workstation, _ = two_machines
    Rate(["2401.00003"], 2).execute(workstation)
    Delete(["2401.00003"]).execute(laptop)  # later than the rating
    sync(laptop)
    report = sync(workstation)
    assert report.merge.dropped_here == ["2401.00003"]
    assert "2401.00003" not in workstation.papers and "2401.00003" in workstation.deleted
    sync(laptop)
    assert records(laptop) == records(workstation)


@pytest.mark.parametrize("merged", [False, True], ids=["received", "merged"])
def test_a_deletion_that_outran_a_note_from_here_is_named_here_too(
    two_machines: tuple[Library, Library, Path], merged: bool,
) -> None:
    """The note reached the other copy first, whose merge kept its own later deletion and said so there; the
    copy that wrote the note then just received a deletion, and its note went without a word."""
    laptop, workstation, _ = two_machines
    SaveNote("2401.00003", "precious").execute(workstation)
    Delete(["2401.00003"]).execute(laptop)  # later than the note
    sync(workstation)
    assert sync(laptop).merge.dropped_there == ["2401.00003"]
    if merged:  # something else changed here meanwhile: a merge rather than taking the remote's commit
        Rate(["2401.00001"], 5).execute(workstation)
    report = sync(workstation)
    assert "2401.00003" not in workstation.papers
    assert report.merge.noted_gone_here == ["2401.00003"]
    assert any(line.startswith("2401.00003: deleted on the other copy, with the note it had here (the note is in "
                               "the backup this sync made, ") and line.endswith(", and in git's history)")
               for line in report.details())
    # A paper without a note deleted there is no news.
    Delete(["2401.00002"]).execute(laptop)
    sync(laptop)
    assert sync(workstation).merge.noted_gone_here == []


def test_an_old_copy_never_brings_a_deleted_paper_back(two_machines: tuple[Library, Library, Path]) -> None:
    laptop, workstation, _ = two_machines
    Delete(["2401.00001"]).execute(laptop)
    sync(laptop)
    Rate(["2401.00002"], 3).execute(workstation)  # the workstation still has 2401.00001, untouched
    sync(workstation)
    sync(laptop)
    assert "2401.00001" not in laptop.papers and "2401.00001" not in workstation.papers


def test_edits_under_an_old_id_land_on_the_renamed_paper(git_env: Path) -> None:
    remote = bare_remote(git_env)
    laptop = machine(git_env, "laptop")
    text_copy = Paper.create(title="Attention is all you need, again")
    ImportPapers([text_copy], "seed").execute(laptop)
    init(laptop, str(remote))
    workstation = machine(git_env, "workstation")
    init(workstation, str(remote))
    ApplyEnrichment([Change(text_copy.id, text_copy.title, new_id="2401.09999",
                            fields={"arxiv_id": "2401.09999", "authors": ["A. Vaswani"]})]).execute(laptop)
    sync(laptop)
    SetStatus([text_copy.id], "read").execute(workstation)
    AppendNote(text_copy.id, "read on the workstation").execute(workstation)
    report = sync(workstation)
    assert report.merge.renamed == {text_copy.id: "2401.09999"}
    sync(laptop)
    for lib in (laptop, workstation):
        assert list(lib.papers) == ["2401.09999"] and not lib.deleted
        got = lib.papers["2401.09999"]
        assert (got.status, got.note.strip(), got.authors) == ("read", "read on the workstation", ["A. Vaswani"])
        assert lib.resolve(text_copy.id).id == "2401.09999"  # the old id still finds it
        assert lib.resolve(text_copy.id[:6]).id == "2401.09999"  # and a prefix of it


def test_a_paper_added_on_two_machines_one_from_a_text_copy_one_from_arxiv_is_one_paper(
        two_machines: tuple[Library, Library, Path]) -> None:
    """Each import alone would have found the other record (the import's dedup rule); the merge does the same."""
    laptop, workstation, _ = two_machines
    ImportPapers([Paper.create(title="Zeta: A Study of Things")], "copied text").execute(laptop)
    copied = next(pid for pid in laptop.papers if pid.startswith("t-"))
    SetStatus([copied], "read").execute(laptop)
    ImportPapers([Paper.create(title="Zeta: a study of things", arxiv_id="2312.00001")], "arxiv").execute(workstation)
    Rate(["2312.00001"], 4).execute(workstation)
    sync(laptop)
    sync(workstation)
    sync(laptop)
    assert records(laptop) == records(workstation)
    zeta = [p for p in laptop.papers.values() if "Zeta" in p.title]
    assert [(p.id, p.status, p.rating, p.aliases) for p in zeta] == [("2312.00001", "read", 4, [copied])]
    assert laptop.resolve(copied).id == "2312.00001"


def test_a_damaged_library_on_the_remote_is_refused_and_nothing_changes_here(
    two_machines: tuple[Library, Library, Path], git_env: Path,
) -> None:
    laptop, _, remote = two_machines

    def damage(clone: Path) -> None:
        data = json.loads((clone / "library.json").read_text())
        data["papers"][next(iter(data["papers"]))]["rating"] = "five"
        (clone / "library.json").write_text(json.dumps(data))

    commit_on_remote(git_env, remote, "damage", damage)
    head = git(laptop.path.parent, "rev-parse", "HEAD")
    before = laptop.path.read_bytes()
    with pytest.raises(SyncError, match="not valid") as caught:
        sync(laptop)  # a fast-forward onto a damaged file
    assert "\n" not in str(caught.value)
    assert "undo the commit that damaged it on the remote (`git revert` in a clone of it" in str(caught.value)
    Rate(["2401.00001"], 4).execute(laptop)
    laptop.compact(force=True)
    before = laptop.path.read_bytes()
    with pytest.raises(SyncError) as merging:
        sync(laptop)  # a merge with it: the driver refuses the damaged side, and the advice is the same
    assert str(merging.value) == str(caught.value)
    assert laptop.path.read_bytes() == before
    assert git(laptop.path.parent, "rev-parse", "HEAD^") == head
    assert load_state(laptop.path) is not None and not load_state(laptop.path).ok  # type: ignore[union-attr]


def test_a_library_from_a_newer_readlist_on_the_remote_asks_for_an_upgrade_here(
    two_machines: tuple[Library, Library, Path], git_env: Path,
) -> None:
    """The remote is fine: this readlist is the old one. Reverting the commit there would undo the newer one's work."""
    laptop, _, remote = two_machines

    def newer(clone: Path) -> None:
        text = (clone / "library.json").read_text()
        (clone / "library.json").write_text(text.replace('"schema":3', '"schema":4', 1))

    commit_on_remote(git_env, remote, "schema 4", newer)
    head = git(laptop.path.parent, "rev-parse", "HEAD")
    expected = (f"the library on {remote} was written by a newer readlist (library schema 4; this version reads up "
                "to 3): upgrade readlist on this machine (`pip install -U readlist`), then sync again; nothing was "
                "changed here")
    with pytest.raises(SyncError) as received:
        sync(laptop)  # a fast-forward
    assert str(received.value) == expected
    Rate(["2401.00001"], 4).execute(laptop)
    laptop.compact(force=True)
    before = laptop.path.read_bytes()
    with pytest.raises(SyncError) as merging:
        sync(laptop)  # a merge: the driver refuses the newer side
    assert str(merging.value) == expected
    assert laptop.path.read_bytes() == before and git(laptop.path.parent, "rev-parse", "HEAD^") == head


def test_a_library_that_is_not_a_plain_file_in_the_remote_is_refused(
    two_machines: tuple[Library, Library, Path], git_env: Path,
) -> None:
    laptop, _, remote = two_machines
    vandal = git_env / "vandal"
    git(git_env, "clone", "--quiet", str(remote), str(vandal))
    (vandal / "library.json").unlink()
    (vandal / "library.json").symlink_to("/etc/passwd")
    git(vandal, "-c", "user.name=v", "-c", "user.email=v@x", "commit", "--quiet", "-am", "link")
    git(vandal, "push", "--quiet", "origin", "main")
    with pytest.raises(SyncError, match="not a plain file"):
        sync(laptop)
    assert len(Library(laptop.path).papers) == 3


@pytest.mark.parametrize("name", [".gitignore", ".gitattributes"])
def test_a_settings_file_that_is_a_link_on_the_remote_is_refused_and_its_target_never_sent(
        two_machines: tuple[Library, Library, Path], name: str) -> None:
    """Checked out as a link, the next sync read through it and committed and pushed the file it named."""
    laptop, _, remote = two_machines
    secret = laptop.path.parents[1] / "id_ed25519"
    secret.write_text("PRIVATE KEY\n")
    attacker = laptop.path.parents[1] / "attacker"
    git(laptop.path.parents[1], "clone", "--quiet", str(remote), str(attacker))
    (attacker / name).unlink()
    (attacker / name).symlink_to(secret)
    git(attacker, "add", name)
    git(attacker, "-c", "user.name=a", "-c", "user.email=a@example.org", "commit", "--quiet", "-m", "link")
    git(attacker, "push", "--quiet", "origin", "main")
    before = (laptop.path.parent / name).read_bytes()
    Rate(["2401.00001"], 5).execute(laptop)
    with pytest.raises(SyncError, match=f"{name} in commit .* is not a plain file"):
        sync(laptop)
    assert not (laptop.path.parent / name).is_symlink() and (laptop.path.parent / name).read_bytes() == before
    with pytest.raises(SyncError, match="not a plain file"):
        init(machine(laptop.path.parents[1], "desk"), str(remote))
    assert "PRIVATE KEY" not in git(remote, "log", "--all", "-p")


def test_a_settings_file_that_is_a_link_here_is_replaced_not_read_through(
        two_machines: tuple[Library, Library, Path]) -> None:
    laptop, _, remote = two_machines
    secret = laptop.path.parents[1] / "id_ed25519"
    secret.write_text("PRIVATE KEY\n")
    ignore = laptop.path.parent / ".gitignore"
    ignore.unlink()
    ignore.symlink_to(secret)
    Rate(["2401.00001"], 5).execute(laptop)
    assert sync(laptop).sent
    assert not ignore.is_symlink() and "PRIVATE KEY" not in ignore.read_text()
    assert secret.read_text() == "PRIVATE KEY\n"
    assert "PRIVATE KEY" not in git(remote, "log", "--all", "-p")


def test_a_remote_whose_library_file_was_deleted_is_refused_and_nothing_changes_here(
    two_machines: tuple[Library, Library, Path], git_env: Path,
) -> None:
    """Not "received" with the branch moved to a commit without the library (the file left untracked here)."""
    laptop, workstation, remote = two_machines
    vandal = git_env / "vandal"
    git(git_env, "clone", "--quiet", str(remote), str(vandal))
    git(vandal, "rm", "--quiet", "library.json")
    git(vandal, "-c", "user.name=v", "-c", "user.email=v@x", "commit", "--quiet", "-m", "gone")
    git(vandal, "push", "--quiet", "origin", "main")
    gone = git(vandal, "rev-parse", "--short", "HEAD")
    Rate(["2401.00001"], 4).execute(laptop)
    for lib in (workstation, laptop):  # a fast-forward (nothing changed here) and a merge (a rating changed here)
        head = git(lib.path.parent, "rev-parse", "HEAD")
        before = lib.path.read_bytes() if lib is workstation else None
        with pytest.raises(SyncError) as caught:
            sync(lib)
        assert str(caught.value) == (
            f"the library file 'library.json' was deleted on the remote by commit {gone}; nothing was changed here: "
            f"undo that commit on the remote (`git revert {gone}` in a clone of it), then sync again")
        assert git(lib.path.parent, "ls-files", "library.json") == "library.json"
        assert git(lib.path.parent, "rev-parse", "HEAD" if lib is workstation else "HEAD^") == head
        if before is not None:
            assert lib.path.read_bytes() == before
    assert len(Library(workstation.path).papers) == 3 and Library(laptop.path).papers["2401.00001"].rating == 4
    git(vandal, "-c", "user.name=v", "-c", "user.email=v@x", "revert", "--no-edit", gone)  # the advice, followed
    git(vandal, "push", "--quiet", "origin", "main")
    assert sync(laptop).sent
    sync(workstation)
    assert records(workstation) == records(laptop) and workstation.papers["2401.00001"].rating == 4


def test_another_librarys_file_committed_over_the_library_on_the_remote_is_refused(
    two_machines: tuple[Library, Library, Path], git_env: Path,
) -> None:
    """A library file copied over from another machine's own library and pushed: every paper it lacks was deleted
    here, and the sync said "received"."""
    laptop, workstation, remote = two_machines
    other = machine(git_env, "other", papers=0)
    ImportPapers([paper(9)], "elsewhere").execute(other)
    other.compact(force=True)
    replaced = commit_on_remote(git_env, remote, "replace",
                                lambda clone: (clone / "library.json").write_bytes(other.path.read_bytes()))
    commit_on_remote(git_env, remote, "later", lambda clone: (clone / "notes.txt").write_text("x"))
    Rate(["2401.00001"], 4).execute(laptop)
    for lib in (workstation, laptop):  # a fast-forward (nothing changed here) and a merge (a rating changed here)
        lib.compact(force=True)
        before = lib.path.read_bytes()
        with pytest.raises(SyncError) as caught:
            sync(lib)
        said = str(caught.value)
        assert said.startswith(f"the library file 'library.json' on {remote} was replaced by commit {replaced} "
                               "with another library's (its id is ")
        assert said.endswith(f"nothing was changed here: undo that commit on the remote (`git revert {replaced}` in "
                             "a clone of it), then sync again")
        assert lib.path.read_bytes() == before and len(Library(lib.path).papers) == 3
    assert Library(laptop.path).papers["2401.00001"].rating == 4


def test_a_library_joined_on_the_remote_is_taken_whichever_id_it_keeps(git_env: Path) -> None:
    """The joined library's id may win the join: the copies that sync after it take it, as they always did."""
    remote = bare_remote(git_env)
    laptop = machine(git_env, "laptop", papers=2)
    init(laptop, str(remote))
    for n in range(3):
        workstation = machine(git_env, f"workstation-{n}")
        ImportPapers([paper(10 + n)], "elsewhere").execute(workstation)
        assert init(workstation, str(remote)).joined
        Rate(["2401.00001"], 1 + n).execute(laptop)  # a change here too: a merge, not a fast-forward
        sync(laptop)
        assert sorted(laptop.papers) == sorted(workstation.papers)
    assert len(laptop.papers) == 5 and laptop.papers["2401.00001"].rating == 3


def test_a_remote_that_never_held_a_library_is_refused_with_what_to_check(git_env: Path) -> None:
    remote = bare_remote(git_env)
    project = git_env / "project"
    git(git_env, "clone", "--quiet", str(remote), str(project))
    (project / "README").write_text("a project\n")
    git(project, "add", "README")
    git(project, "-c", "user.name=p", "-c", "user.email=p@x", "commit", "--quiet", "-m", "start")
    git(project, "push", "--quiet", "origin", "main")
    laptop = machine(git_env, "laptop", papers=1)
    with pytest.raises(SyncError) as caught:
        init(laptop, str(remote))
    assert str(caught.value) == (
        "the remote has no library file 'library.json' (it is not a readlist library, or the file was deleted there); "
        "nothing was changed: check the remote's address, or undo the commit that deleted the file on the remote "
        "(`git revert` in a clone of it), then sync again")
    assert not (laptop.path.parent / ".git").exists()


def test_a_manual_git_pull_uses_the_merge_driver(two_machines: tuple[Library, Library, Path]) -> None:
    laptop, workstation, _ = two_machines
    Rate(["2401.00001"], 5).execute(laptop)
    sync(laptop)
    EditTags(["2401.00001"], add=["by-hand"]).execute(workstation)
    workstation.compact(force=True)
    folder = workstation.path.parent
    git(folder, "-c", "user.name=w", "-c", "user.email=w@x", "commit", "--quiet", "-am", "by hand")
    git(folder, "-c", "user.name=w", "-c", "user.email=w@x", "pull", "--quiet", "--no-rebase", "--no-edit")
    got = Library(workstation.path).papers["2401.00001"]
    assert (got.rating, got.tags) == (5, ["by-hand"])


def test_the_driver_fails_on_an_unreadable_side_so_git_keeps_the_conflict(
    two_machines: tuple[Library, Library, Path],
) -> None:
    laptop, workstation, _ = two_machines
    Rate(["2401.00001"], 5).execute(laptop)
    sync(laptop)
    folder = workstation.path.parent
    workstation.compact(force=True)
    ours = workstation.path.read_bytes().replace(b'"papers":{', b'"papers":{"9":{"title":7},', 1)
    workstation.path.write_bytes(ours)
    git(folder, "-c", "user.name=w", "-c", "user.email=w@x", "commit", "--quiet", "-am", "damaged here")
    done = subprocess.run(["git", "-c", "user.name=w", "-c", "user.email=w@x", "pull", "--no-rebase", "--no-edit"],
                          cwd=folder, capture_output=True, text=True)
    assert done.returncode != 0 and "readlist merge-driver" in done.stderr
    assert "library.json" in git(folder, "diff", "--name-only", "--diff-filter=U")
    assert workstation.path.read_bytes() == ours  # the driver wrote nothing


def test_two_libraries_started_apart_join_into_one(git_env: Path) -> None:
    remote = bare_remote(git_env)
    laptop = machine(git_env, "laptop", papers=2)
    init(laptop, str(remote))
    workstation = machine(git_env, "workstation")
    ImportPapers([paper(2, note="mine"), paper(7)], "elsewhere").execute(workstation)
    report = init(workstation, str(remote))
    assert report.joined
    sync(laptop)
    assert sorted(laptop.papers) == sorted(workstation.papers) == ["2401.00001", "2401.00002", "2401.00007"]
    assert laptop.papers["2401.00002"].note == "mine"


def test_libraries_that_imported_the_same_papers_join_without_a_contest_and_count_only_real_changes(
    git_env: Path,
) -> None:
    """Both machines imported the same papers before they first synced; one rated a paper, the other tagged it. The
    join keeps both changes and names no paper as settled by the later change (nothing was decided against a
    change); the first machine then hears of the one paper that changed there, not of every paper whose record only
    took the other copy's later write time."""
    remote = bare_remote(git_env)
    laptop, workstation = machine(git_env, "laptop", papers=4), machine(git_env, "workstation", papers=4)
    Rate(["2401.00002"], 4).execute(laptop)
    EditTags(["2401.00002"], add=["rl"]).execute(workstation)
    init(laptop, str(remote))
    joined = init(workstation, str(remote))
    assert joined.joined and joined.sync is not None and joined.sync.merge.later_won == []
    # Only the paper each machine did something with counts as changed there; the rest were imported on both.
    assert joined.sync.changes() == "1 paper changed here, 1 there, 4 papers added on both copies"
    report = sync(laptop)
    assert (report.changed_here, report.changed_there) == (0, 1)
    assert (laptop.papers["2401.00002"].rating, laptop.papers["2401.00002"].tags) == (4, ["rl"])
    assert records(laptop) == records(workstation)


def test_a_push_that_loses_a_race_merges_again(two_machines: tuple[Library, Library, Path],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    laptop, workstation, _ = two_machines
    Rate(["2401.00001"], 5).execute(laptop)
    Rate(["2401.00002"], 2).execute(workstation)
    real_push = sync_module._push
    raced: list[bool] = []

    def push_after_the_other_machine(repo: sync_module.Repo, branch: str, fetched: str | None) -> bool:
        if not raced:
            raced.append(True)
            sync(workstation)  # gets there first
        return real_push(repo, branch, fetched)

    monkeypatch.setattr(sync_module, "_push", push_after_the_other_machine)
    report = sync(laptop)
    assert report.sent and report.received
    monkeypatch.undo()
    sync(workstation)
    assert records(laptop) == records(workstation)
    assert laptop.papers["2401.00001"].rating == 5 and laptop.papers["2401.00002"].rating == 2


def test_a_branch_moved_by_a_killed_syncs_push_counts_as_moved(two_machines: tuple[Library, Library, Path]) -> None:
    """A sync killed while it pushed leaves its git push running; as that push ends it moves the remote's branch
    and this machine's remote-tracking branch too. The next sync's push, refused as the branch moved under it
    ("cannot lock ref … is at X but expected Y"), then found the branch where the tracking branch said, and
    failed instead of fetching and merging again: the branch is compared with where the fetch found it."""
    laptop, workstation, _ = two_machines
    folder = laptop.path.parent
    repo = sync_module.Repo.at(laptop.path)
    git(folder, "fetch", "--quiet", "origin")
    fetched = repo.git.rev("refs/remotes/origin/main")
    Rate(["2401.00002"], 2).execute(workstation)
    sync(workstation)  # the remote's branch moves on
    git(folder, "fetch", "--quiet", "origin")  # as the killed sync's push updates the tracking branch as it ends
    assert sync_module._moved(repo, "main", fetched)
    assert not sync_module._moved(repo, "main", repo.git.rev("refs/remotes/origin/main"))


def test_a_push_the_remote_refuses_is_told_with_its_reason_and_tried_once(
        two_machines: tuple[Library, Library, Path]) -> None:
    """A hook (a protected branch, a read-only mirror) refusing the push is no race: no fetch and merge again."""
    laptop, _, remote = two_machines
    tried = remote / "pushes-tried"
    hook = remote / "hooks" / "pre-receive"
    hook.write_text(f"#!/bin/sh\necho tried >> '{tried}'\necho 'this mirror is read-only' >&2\nexit 1\n")
    hook.chmod(0o755)
    Rate(["2401.00001"], 5).execute(laptop)
    with pytest.raises(SyncError) as raised:
        sync(laptop)
    message = str(raised.value)
    assert "pre-receive hook declined" in message and "this mirror is read-only" in message, message
    assert "kept changing" not in message and "committed here" in message
    assert tried.read_text().splitlines() == ["tried"]
    assert git(laptop.path.parent, "status", "--porcelain") == ""  # the change is committed here


def sync_in_background(lib: Library, stop: threading.Event) -> tuple[threading.Thread, list[BaseException]]:
    """A sync running as the app runs it (a thread, the app's ``stop``); what it raised lands in the list."""
    failed: list[BaseException] = []

    def run() -> None:
        try:
            sync(lib, stop=stop)
        except BaseException as exc:
            failed.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    return worker, failed


def test_a_sync_waiting_for_a_silent_remote_stops_when_asked_and_keeps_what_was_committed(
        two_machines: tuple[Library, Library, Path], silent_remote: socket.socket) -> None:
    """The app asks when it closes: it waited for the remote's five-minute limit with its screen already gone."""
    laptop, _, _ = two_machines
    Rate(["2401.00001"], 5).execute(laptop)
    git(laptop.path.parent, "remote", "set-url", "origin", silent_address(silent_remote))
    stop = threading.Event()
    worker, failed = sync_in_background(laptop, stop)
    connection, _ = silent_remote.accept()  # git is connected and waiting for an answer that never comes
    with connection:
        stop.set()
        worker.join(60)  # bounds a hang; the stop is seen within a tenth of a second
    assert not worker.is_alive()
    assert len(failed) == 1 and isinstance(failed[0], SyncError), failed
    assert "git fetch was stopped while it waited for the remote" in str(failed[0])
    assert "nothing was lost" in str(failed[0])
    assert records(laptop)["2401.00001"]["rating"] == 5
    assert git(laptop.path.parent, "status", "--porcelain") == ""  # the change is committed here, for next time
    state = load_state(laptop.path)
    assert state is not None and not state.ok and "stopped while it waited" in state.message
    assert not list((laptop.path.parent / ".git").rglob("*.lock"))


def test_a_lock_file_left_by_a_stopped_git_is_named_and_the_sync_after_its_removal_works(
        two_machines: tuple[Library, Library, Path]) -> None:
    """git's own advice ends with "remove the file manually to continue" and never names the file."""
    laptop, workstation, _ = two_machines
    left = laptop.path.parent / ".git" / "index.lock"
    left.write_bytes(b"")  # a git stopped by the machine turning off
    Rate(["2401.00001"], 5).execute(laptop)
    with pytest.raises(SyncError) as raised:
        sync(laptop)
    message = str(raised.value)
    assert str(left) in message and "when none is running, remove that file" in message, message
    left.unlink()
    assert sync(laptop).sent
    sync(workstation)
    assert workstation.papers["2401.00001"].rating == 5


def test_a_sync_init_whose_push_is_refused_after_the_merge_keeps_its_repository(
        two_machines: tuple[Library, Library, Path]) -> None:
    """The library file holds the merge with the remote; the message says it is committed here and sent next time."""
    _, workstation, remote = two_machines
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\nexit 1\n")
    hook.chmod(0o755)
    desk = machine(workstation.path.parents[1], "desk")
    ImportPapers([paper(9)], "desk").execute(desk)
    with pytest.raises(SyncError) as raised:
        init(desk, str(remote))
    assert "committed here" in str(raised.value)
    assert sorted(records(desk)) == ["2401.00001", "2401.00002", "2401.00003", "2401.00009"]
    assert is_set_up(desk.path) and git(desk.path.parent, "status", "--porcelain") == ""
    hook.unlink()
    assert sync(desk).sent
    sync(workstation)
    assert "2401.00009" in workstation.papers


def test_a_sync_init_whose_first_push_fails_keeps_the_commit_the_message_speaks_of(git_env: Path) -> None:
    """"Your changes are committed here and will be sent by the next sync": the repository is kept for it."""
    remote = bare_remote(git_env)
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'error: refusing to update checked out branch' >&2\necho 'more advice' >&2\n"
                    "exit 1\n")
    hook.chmod(0o755)
    laptop = machine(git_env, "laptop", papers=2)
    with pytest.raises(SyncError, match="refusing to update checked out branch; your changes are committed here"):
        init(laptop, str(remote))
    assert is_set_up(laptop.path) and git(laptop.path.parent, "status", "--porcelain") == ""
    hook.unlink()
    assert sync(laptop).sent
    workstation = machine(git_env, "workstation")
    assert init(workstation, str(remote)).joined and sorted(workstation.papers) == sorted(laptop.papers)


def test_a_sync_init_to_a_repository_with_a_working_copy_says_a_remote_must_be_bare(git_env: Path) -> None:
    """git refuses every push into the branch such a repository has checked out: no later sync would send it."""
    checked_out = git_env / "checked-out"
    git(git_env, "init", "--quiet", "--initial-branch=main", str(checked_out))
    laptop = machine(git_env, "laptop", papers=2)
    with pytest.raises(SyncError) as raised:
        init(laptop, str(checked_out))
    assert str(raised.value) == (
        f"the remote {checked_out} is a repository with a working copy; a sync remote must be a bare repository "
        "(`git init --bare -b main PATH`); nothing was changed here")
    assert not any((laptop.path.parent / name).exists() for name in (".git", ".gitignore", ".gitattributes"))
    remote = bare_remote(git_env)
    assert init(laptop, str(remote)).sync.sent  # type: ignore[union-attr]


def test_a_synced_library_moved_to_a_repository_with_a_working_copy_keeps_its_remote(
        two_machines: tuple[Library, Library, Path], git_env: Path) -> None:
    laptop, workstation, remote = two_machines
    clone = git_env / "clone"
    git(git_env, "clone", "--quiet", str(remote), str(clone))  # holds the library, its branch checked out
    Rate(["2401.00001"], 5).execute(laptop)
    with pytest.raises(SyncError) as raised:
        init(laptop, str(clone))
    assert str(raised.value) == (
        f"the remote {clone} is a repository with a working copy; a sync remote must be a bare repository "
        "(`git init --bare -b main PATH`); the library, merged with the one it holds, is committed here, and the "
        f"library keeps its remote {remote}")
    assert git(laptop.path.parent, "remote", "get-url", "origin") == str(remote)
    git(laptop.path.parent, "remote", "set-url", "origin", str(clone))  # set by hand: the sync says the same
    with pytest.raises(SyncError) as again:
        sync(laptop)
    assert str(again.value) == (
        f"the remote {clone} is a repository with a working copy; a sync remote must be a bare repository "
        "(`git init --bare -b main PATH`): make one and move the library to it with `readlist sync init PATH`; "
        "your changes are committed here")
    git(laptop.path.parent, "remote", "set-url", "origin", str(remote))
    assert sync(laptop).sent
    sync(workstation)
    assert workstation.papers["2401.00001"].rating == 5


def test_a_synced_library_moved_to_an_empty_remote_sends_itself_there(
        two_machines: tuple[Library, Library, Path], git_env: Path) -> None:
    """What the old remote held says nothing of the new one: the library is sent, not found "already in step"."""
    laptop, _, _ = two_machines
    empty = bare_remote(git_env, "empty.git")
    assert init(laptop, str(empty)).sync.sent  # type: ignore[union-attr]
    assert laptop.path.name in git(git_env, "--git-dir", str(empty), "ls-tree", "--name-only", "main").splitlines()
    checked_out = git_env / "checked-out"
    git(git_env, "init", "--quiet", "--initial-branch=main", str(checked_out))
    with pytest.raises(SyncError, match="a sync remote must be a bare repository"):
        init(laptop, str(checked_out))
    assert git(laptop.path.parent, "remote", "get-url", "origin") == str(empty)


@pytest.mark.parametrize("gone", ["remote made again", "branch deleted"])
def test_a_remote_emptied_since_the_last_sync_is_sent_the_library(
        two_machines: tuple[Library, Library, Path], git_env: Path, gone: str) -> None:
    """The branch this copy last fetched is remembered after it went from the remote: the sync took that memory for
    the remote, found itself in step with it, and sent nothing."""
    laptop, workstation, remote = two_machines
    if gone == "remote made again":
        shutil.rmtree(remote)
        bare_remote(git_env)
    else:
        git(git_env, "--git-dir", str(remote), "update-ref", "-d", "refs/heads/main")
    report = sync(laptop)
    assert report.sent and not report.received
    assert report.summary() == f"3 papers changed here, 0 there; sent ({remote})"
    assert laptop.path.name in git(git_env, "--git-dir", str(remote), "ls-tree", "--name-only", "main").splitlines()
    Rate(["2401.00001"], 4).execute(workstation)  # the other copy, which remembers the old branch too, goes on
    assert sync(workstation).sent
    assert sync(laptop).received and laptop.papers["2401.00001"].rating == 4


def test_a_sync_init_refused_before_it_took_anything_leaves_the_folder_as_it_was(
        two_machines: tuple[Library, Library, Path]) -> None:
    _, workstation, remote = two_machines
    (remote / "objects").rename(remote / "objects-gone")  # a remote that cannot be read
    desk = machine(workstation.path.parents[1], "desk")
    ImportPapers([paper(9)], "desk").execute(desk)
    with pytest.raises(SyncError):
        init(desk, str(remote))
    assert not any((desk.path.parent / name).exists() for name in (".git", ".gitignore", ".gitattributes"))
    assert list(records(desk)) == ["2401.00009"]


def test_a_read_only_library_file_is_not_replaced_by_a_sync(two_machines: tuple[Library, Library, Path]) -> None:
    """Every command refuses to change a library file the user made read-only; a sync replaced it by rename."""
    laptop, workstation, _ = two_machines
    Rate(["2401.00001"], 5).execute(workstation)
    sync(workstation)
    laptop.path.chmod(0o444)
    before = laptop.path.read_bytes()
    with pytest.raises(LibraryError, match="read-only"):
        sync(laptop)
    assert laptop.path.read_bytes() == before and laptop.path.stat().st_mode & 0o777 == 0o444
    state = load_state(laptop.path)
    assert state is not None and not state.ok and "read-only" in state.message
    laptop.path.chmod(0o600)
    assert sync(laptop).received and laptop.papers["2401.00001"].rating == 5


def test_a_disk_too_full_to_fold_the_journal_says_nothing_was_synced(
    two_machines: tuple[Library, Library, Path], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """It said only what the library says of a failed rewrite, not that the sync did not happen."""
    import errno

    import readlist.storage.library as library_module

    laptop, _, _ = two_machines
    Rate(["2401.00001"], 5).execute(laptop)  # in the journal: a sync folds it into the file first

    def full(*_: object, **__: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(library_module, "atomic_write_chunks", full)
    with pytest.raises(LibraryError) as caught:
        sync(laptop)
    message = str(caught.value)
    assert message.startswith("nothing was synced: ") and "\n" not in message
    assert message.endswith("; free some space, then run `readlist sync` again")
    monkeypatch.undo()
    assert sync(laptop).sent and Library(laptop.path).papers["2401.00001"].rating == 5


def test_a_sync_stopped_by_the_librarys_lock_is_recorded_as_failed(two_machines: tuple[Library, Library, Path]) -> None:
    """The app's header said "synced" after a sync that had waited for the lock in vain."""
    laptop, _, _ = two_machines
    sync(laptop)
    waiting = Library(laptop.path, lock_timeout=0.1)
    with FileLock(str(lock_path(laptop.path))), pytest.raises(LibraryError, match="waited"):
        sync(waiting)
    state = load_state(laptop.path)
    assert state is not None and not state.ok and "waited" in state.message


def test_the_merge_commit_pushed_to_the_remote_names_it_without_its_token(
        two_machines: tuple[Library, Library, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    laptop, workstation, remote = two_machines
    Rate(["2401.00001"], 5).execute(laptop)
    sync(laptop)
    Rate(["2401.00002"], 2).execute(workstation)
    url = "https://me:s3cret-token@example.org/lab.git"  # as `git remote get-url` gives it; git itself uses the folder
    monkeypatch.setattr(sync_module.Repo, "remote_url", lambda self: url)
    report = sync(workstation)
    assert report.received and report.sent and report.remote == "https://example.org/lab.git"
    messages = git(remote, "log", "--format=%B", "main")
    assert "Merge the library from https://example.org/lab.git" in messages and "s3cret" not in messages


def test_the_library_is_locked_while_the_working_tree_changes(two_machines: tuple[Library, Library, Path],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    laptop, workstation, _ = two_machines
    Rate(["2401.00001"], 5).execute(workstation)
    sync(workstation)
    real = sync_module.Repo.move_to
    held: list[bool] = []

    def checked(self: sync_module.Repo, commit: str, blob: bytes | None) -> None:
        held.append(not _lock_is_free(laptop.path))
        real(self, commit, blob)

    monkeypatch.setattr(sync_module.Repo, "move_to", checked)
    sync(laptop)
    assert held == [True]


def test_sync_refuses_cleanly_without_git(two_machines: tuple[Library, Library, Path],
                                          monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    laptop, _, _ = two_machines
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(SyncError, match="needs git, which is not installed"):
        sync(laptop)
    with pytest.raises(SyncError, match="needs git"):
        init(laptop)


def test_a_git_init_cut_short_leaves_no_git_folder_and_init_works_later(
    git_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = machine(git_env, "laptop", papers=1)
    folder = lib.path.parent
    real = sync_module.Git.run

    def disk_full_in_init(self: sync_module.Git, *args: str, **kwargs: object) -> object:
        if args[0] == "init":  # what git leaves when the disk fills while it copies its templates
            (folder / ".git").mkdir()
            (folder / ".git" / "description").write_bytes(b"")
            raise SyncError("git init failed: fatal: cannot copy …: No space left on device")
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(sync_module.Git, "run", disk_full_in_init)
    with pytest.raises(SyncError, match="No space left"):
        init(lib)
    monkeypatch.undo()
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith("library.json")) == []
    assert init(lib).created and is_set_up(lib.path)


def test_a_library_inside_another_repository_is_refused(git_env: Path) -> None:
    project = git_env / "project"
    project.mkdir()
    git(project, "init", "--quiet")
    lib = machine(project, "papers", papers=1)
    with pytest.raises(SyncError, match="is inside the git repository"):
        init(lib)
    assert not (project / "papers" / ".git").exists()


def test_a_library_at_the_top_of_a_project_repository_is_refused(git_env: Path) -> None:
    """A library kept in the top folder of a project under git is in another repository as much as one in a
    subfolder is: sync init took that repository over, adding `/*` to its .gitignore (every file the project
    adds from then on ignored) and committing the library to the project's history."""
    project = git_env / "project"
    project.mkdir()
    git(project, "init", "--quiet", "--initial-branch=main")
    (project / ".gitignore").write_text("*.log\n")
    (project / "main.py").write_text("print('hi')\n")
    git(project, "add", ".")
    git(project, "-c", "user.name=Ada", "-c", "user.email=ada@example.org", "commit", "--quiet", "-m", "project")
    head = git(project, "rev-parse", "HEAD")
    lib = Library(project / "papers.json")
    ImportPapers([paper(1)], "seed").execute(lib)
    with pytest.raises(SyncError, match=r"holds other files \(main\.py\)") as refused:
        init(lib)
    assert "nothing was changed" in str(refused.value) and "\n" not in str(refused.value)
    assert (project / ".gitignore").read_text() == "*.log\n" and not (project / ".gitattributes").exists()
    assert git(project, "rev-parse", "HEAD") == head


def test_a_library_in_the_home_folder_is_not_made_a_repository(git_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every folder below would be inside it: a lab's list in ~/lab could then not be set up for sync at all."""
    home = git_env / "home"
    monkeypatch.setenv("HOME", str(home))
    papers = machine(home, ".", papers=1)
    with pytest.raises(SyncError, match="your home folder"):
        init(papers)
    assert not (home / ".git").exists() and not (home / ".gitignore").exists()
    lab = machine(home, "lab", papers=1)
    assert init(lab).created


def test_a_repository_made_for_the_library_alone_is_taken(git_env: Path) -> None:
    """A folder made a repository by hand for the library (nothing tracked yet, or the library only) is set up."""
    folder = git_env / "papers"
    folder.mkdir()
    git(folder, "init", "--quiet", "--initial-branch=main")
    lib = machine(git_env, "papers", papers=1)
    assert not init(lib).created and is_set_up(lib.path)
    assert not init(lib).created  # and again, once it is set up


def test_a_remote_holding_another_library_file_is_refused(git_env: Path) -> None:
    remote = bare_remote(git_env)
    laptop = machine(git_env, "laptop", papers=1)
    init(laptop, str(remote))
    other = Library(git_env / "lab" / "lab.json")
    with pytest.raises(SyncError, match=r"holds the library 'library\.json'"):
        init(other, str(remote))
    assert sorted(p.name for p in (git_env / "lab").iterdir()) == ["lab.json.lock", "lab.json.sync-lock"]


@pytest.mark.parametrize("wrong", ["missing", "another library"])
def test_a_sync_init_to_a_wrong_remote_keeps_the_remote_the_library_syncs_with(
        two_machines: tuple[Library, Library, Path], wrong: str) -> None:
    """A mistyped path, or a remote of another library: refused, and `readlist sync` still works as before."""
    laptop, workstation, remote = two_machines
    elsewhere = laptop.path.parents[1] / "elsewhere.git"
    if wrong == "another library":
        bare_remote(elsewhere.parent, elsewhere.name)
        lab = Library(laptop.path.parents[1] / "lab" / "lab.json")
        ImportPapers([paper(8)], "lab").execute(lab)
        init(lab, str(elsewhere))
    with pytest.raises(SyncError):
        init(laptop, str(elsewhere))
    assert git(laptop.path.parent, "remote", "get-url", "origin") == str(remote)
    Rate(["2401.00001"], 5).execute(laptop)
    assert sync(laptop).sent
    sync(workstation)
    assert workstation.papers["2401.00001"].rating == 5


def test_a_remote_holding_another_library_of_the_same_name_is_refused_and_nothing_changes_here(
    two_machines: tuple[Library, Library, Path], git_env: Path,
) -> None:
    """Its history shares nothing with this library's: merging it would mix two libraries in every copy."""
    laptop, _, remote = two_machines
    other_remote = bare_remote(git_env, "other.git")
    other = machine(git_env, "other", papers=0)
    ImportPapers([paper(n) for n in range(7, 10)], "other").execute(other)
    init(other, str(other_remote))
    Delete(["2401.00003"]).execute(laptop)
    sync(laptop)
    head, before = git(laptop.path.parent, "rev-parse", "HEAD"), laptop.path.read_bytes()
    expected = "holds another library than this one (their histories share nothing); nothing was changed here"
    with pytest.raises(SyncError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        init(laptop, str(other_remote))  # moving an already synced library onto another library's remote
    assert git(laptop.path.parent, "remote", "get-url", "origin") == str(remote)
    git(git_env, "-C", str(remote), "fetch", "--quiet", str(other_remote), "+main:main")  # the remote replaced
    with pytest.raises(SyncError) as caught:
        sync(laptop)
    assert str(caught.value).startswith(f"{remote} {expected}") and "\n" not in str(caught.value)
    assert (git(laptop.path.parent, "rev-parse", "HEAD"), laptop.path.read_bytes()) == (head, before)
    assert "2401.00003" not in laptop.papers and "2401.00007" not in laptop.papers


def test_a_sync_init_to_a_missing_remote_adds_none(git_env: Path) -> None:
    laptop = machine(git_env, "laptop", papers=1)
    init(laptop)
    with pytest.raises(SyncError):
        init(laptop, str(git_env / "missing.git"))
    assert git(laptop.path.parent, "remote") == ""
    assert sync(laptop).remote is None


def test_a_missing_library_file_is_not_synced_as_an_empty_library(two_machines: tuple[Library, Library, Path]) -> None:
    laptop, workstation, _ = two_machines
    laptop.path.unlink()
    with pytest.raises(SyncError, match="is missing"):
        sync(Library(laptop.path))
    sync(workstation)
    assert len(workstation.papers) == 3


def test_an_untracked_library_is_not_synced(git_env: Path) -> None:
    lib = machine(git_env, "laptop", papers=1)
    with pytest.raises(SyncError, match="not set up for sync"):
        sync(lib)


def test_a_merged_library_has_a_newer_generation_than_either_side(two_machines: tuple[Library, Library, Path]) -> None:
    laptop, workstation, _ = two_machines
    for _ in range(3):
        Rate(["2401.00001"], 1).execute(laptop)
        Rate(["2401.00001"], 2).execute(laptop)
        laptop.compact(force=True)
    Rate(["2401.00002"], 4).execute(workstation)
    gens = (read_snapshot(laptop.path).gen, read_snapshot(workstation.path).gen)
    sync(laptop)
    sync(workstation)
    assert read_snapshot(workstation.path).gen > max(gens)


def test_the_merge_driver_merges_an_added_file_with_no_common_ancestor(tmp_path: Path) -> None:
    empty = tmp_path / "base"
    empty.write_bytes(b"")
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    ours.write_bytes(encode_snapshot(1, [paper(1)], "aaa"))
    theirs.write_bytes(encode_snapshot(4, [paper(2)], "bbb", {"2401.00005": "2030-01-01T00:00:00+00:00"}))
    sync_module.merge_files(empty, ours, theirs, "library.json")
    merged = decode_snapshot(ours.read_bytes())
    assert [p.id for p in merged.papers] == ["2401.00001", "2401.00002"]
    assert merged.deleted == {"2401.00005": "2030-01-01T00:00:00+00:00"}
    assert merged.header is not None and (merged.header.gen, merged.header.library) == (5, "aaa")


def test_a_library_written_elsewhere_keeps_its_values_as_text(two_machines: tuple[Library, Library, Path],
                                                              git_env: Path) -> None:
    """Another person's library is untrusted: it is validated, and what it holds stays data."""
    laptop, _, remote = two_machines
    other = git_env / "other"
    git(git_env, "clone", "--quiet", str(remote), str(other))
    snap = decode_snapshot((other / "library.json").read_bytes())
    hostile = msgspec.structs.replace(snap.papers[0], note="\x1b[31mred\x1b]52;c;aGk=\x07 [b]x[/b]")
    assert snap.header is not None
    (other / "library.json").write_bytes(encode_snapshot(snap.gen + 1, [hostile, *snap.papers[1:]],
                                                         snap.header.library))
    git(other, "-c", "user.name=o", "-c", "user.email=o@x", "commit", "--quiet", "-am", "odd note")
    git(other, "push", "--quiet", "origin", "main")
    sync(laptop)
    assert laptop.papers[hostile.id].note == hostile.note  # stored as written; every sink cleans it
    assert os.environ.get("GIT_CONFIG_NOSYSTEM") == "1"


class Killed(BaseException):
    """Stands for the process being killed: nothing after it runs, no handler catches it."""


def _both_edit_one_note(laptop: Library, workstation: Library) -> None:
    """Both copies rewrite the same line of one note, so merging keeps both versions between marker lines."""
    SaveNote("2401.00002", "the method is new").execute(laptop)
    sync(laptop)
    sync(workstation)
    SaveNote("2401.00002", "laptop: the method is an old one").execute(laptop)
    sync(laptop)
    SaveNote("2401.00002", "workstation: the method is not new").execute(workstation)


def _killed_before_the_branch_moves(monkeypatch: pytest.MonkeyPatch, library: Path, at: str) -> None:
    """Stop a sync after it replaced the library file: at ``update-ref``, or before it noted the file replaced."""
    real_run, real_write = sync_module.Git.run, sync_module.atomic_write_bytes

    def killed_at_update_ref(self: sync_module.Git, *args: str, **kwargs: object) -> object:
        if args[0] == "update-ref":
            raise Killed
        return real_run(self, *args, **kwargs)  # type: ignore[arg-type]

    writes: list[Path] = []

    def killed_after_the_library(path: Path, data: bytes) -> None:
        writes.append(path)
        if writes == [sync_pending_path(library), library, sync_pending_path(library)]:
            raise Killed
        real_write(path, data)

    if at == "update-ref":
        monkeypatch.setattr(sync_module.Git, "run", killed_at_update_ref)
    else:
        monkeypatch.setattr(sync_module, "atomic_write_bytes", killed_after_the_library)


KILL_POINTS = ["update-ref", "record"]


def _kill_a_merging_sync(laptop: Library, workstation: Library, monkeypatch: pytest.MonkeyPatch, at: str) -> None:
    """Both machines edit one note; the workstation's sync merges and is killed at ``at``."""
    _both_edit_one_note(laptop, workstation)
    _killed_before_the_branch_moves(monkeypatch, workstation.path, at)
    with pytest.raises(Killed):
        sync(workstation)
    monkeypatch.undo()


@pytest.mark.parametrize("at", KILL_POINTS)
def test_a_sync_killed_after_replacing_the_library_finishes_next_time_without_merging_again(
    two_machines: tuple[Library, Library, Path], monkeypatch: pytest.MonkeyPatch, at: str,
) -> None:
    laptop, workstation, _ = two_machines
    _kill_a_merging_sync(laptop, workstation, monkeypatch, at)
    folder = workstation.path.parent
    merged = workstation.path.read_bytes()
    assert git(folder, "show", "HEAD:library.json").encode() != merged  # the library file is ahead of the branch
    report = sync(workstation)
    assert report.sent and not report.committed
    note = Library(workstation.path).papers["2401.00002"].note
    assert note.count(BOTH_VERSIONS) == 1 and note.count(END_OF_VERSIONS) == 1
    assert workstation.path.read_bytes() == merged
    assert git(folder, "status", "--porcelain") == ""
    assert git(folder, "log", "-1", "--format=%s").startswith("Merge the library from")
    sync(laptop)
    assert records(laptop) == records(workstation)
    assert not sync_pending_path(workstation.path).exists()


@pytest.mark.parametrize(("at", "paper_id"), [("update-ref", "2401.00002"), ("update-ref", "2401.00003"),
                                              ("record", "2401.00003")])
def test_edits_made_after_a_killed_sync_are_committed_on_top_of_its_merge(
    two_machines: tuple[Library, Library, Path], monkeypatch: pytest.MonkeyPatch, at: str, paper_id: str,
) -> None:
    """Edits to the merged paper itself, too, when the sync had noted that the file was replaced."""
    laptop, workstation, _ = two_machines
    _kill_a_merging_sync(laptop, workstation, monkeypatch, at)
    folder = workstation.path.parent
    merge = git(folder, "rev-parse", "HEAD")
    again = Library(workstation.path)
    Rate([paper_id], 4).execute(again)
    again.compact(force=True)  # the edit is in the library file itself, not only in the journal
    report = sync(Library(workstation.path))
    assert report.committed and report.sent
    assert any("stopped after it had updated the library file" in line for line in report.details())
    assert git(folder, "log", "-1", "--format=%s").startswith("Library changes on")
    assert git(folder, "rev-parse", "HEAD^") != merge  # on top of the merge commit, not of the old one
    assert git(folder, "log", "-1", "--format=%s", "HEAD^").startswith("Merge the library from")
    got = Library(workstation.path)
    assert got.papers[paper_id].rating == 4 and got.papers["2401.00002"].note.count(BOTH_VERSIONS) == 1
    assert git(folder, "status", "--porcelain") == ""


def test_a_sync_killed_before_replacing_the_library_merges_as_usual_next_time(
    two_machines: tuple[Library, Library, Path], monkeypatch: pytest.MonkeyPatch,
) -> None:
    laptop, workstation, _ = two_machines
    _both_edit_one_note(laptop, workstation)
    real = sync_module.atomic_write_bytes

    def killed_at_the_library(path: Path, data: bytes) -> None:
        if path == workstation.path:
            raise Killed
        real(path, data)

    monkeypatch.setattr(sync_module, "atomic_write_bytes", killed_at_the_library)
    with pytest.raises(Killed):
        sync(workstation)
    monkeypatch.undo()
    assert sync_pending_path(workstation.path).exists()
    again = Library(workstation.path)
    Rate(["2401.00003"], 4).execute(again)
    again.compact(force=True)
    report = sync(Library(workstation.path))
    assert report.received and report.sent
    assert not any("stopped after" in line for line in report.details())
    got = Library(workstation.path)
    assert got.papers["2401.00003"].rating == 4 and got.papers["2401.00002"].note.count(BOTH_VERSIONS) == 1
    assert "laptop: the method is an old one" in got.papers["2401.00002"].note
    assert not sync_pending_path(workstation.path).exists()


@pytest.mark.parametrize("record", [b"", b"{not json", b'["0123456789abcdef0123456789abcdef01234567", ""]',
                                    b'["0123456789abcdef0123456789abcdef01234567", "", true]', b'["--all", "", true]',
                                    b"stale"])
def test_a_damaged_or_foreign_record_of_a_move_is_passed_over(
    two_machines: tuple[Library, Library, Path], record: bytes,
) -> None:
    laptop, workstation, _ = two_machines
    _both_edit_one_note(laptop, workstation)
    if record == b"stale":  # a commit of this repository, but the branch is no longer where the move started
        first = git(workstation.path.parent, "rev-list", "--max-parents=0", "HEAD")
        record = json.dumps([git(workstation.path.parent, "rev-parse", "origin/main"), first, True]).encode()
    sync_pending_path(workstation.path).write_bytes(record)
    report = sync(workstation)
    assert report.received and report.sent
    assert Library(workstation.path).papers["2401.00002"].note.count(BOTH_VERSIONS) == 1
    assert not any("stopped after" in line for line in report.details())


def test_a_failed_merge_leaves_none_of_gits_temporary_copies_of_the_library(
    two_machines: tuple[Library, Library, Path], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """git keeps each version of the library in a `.merge_file_XXXXXX` while it merges; when it dies (a full
    disk), they stay behind. Sync removes the ones it left, and nothing else."""
    laptop, workstation, _ = two_machines
    Rate(["2401.00001"], 5).execute(laptop)
    sync(laptop)
    Rate(["2401.00002"], 3).execute(workstation)
    folder = workstation.path.parent
    kept = [folder / ".merge_file_a1B2c3", folder / ".merge_file_kept.txt", folder / ".merge_files_x1y2z3"]
    for path in kept:
        path.write_bytes(b"not sync's")
    # git dies in the middle of the merge (as it does when it cannot write the file a merge needs).
    monkeypatch.setattr(sync_module, "driver_command", lambda: "kill -9 $PPID; exit 1")
    for _ in range(2):
        with pytest.raises(SyncError, match="could not be merged"):
            sync(workstation)
        assert sorted(p.name for p in folder.iterdir() if p.name.startswith(".merge")) == sorted(p.name for p in kept)
    monkeypatch.undo()
    assert sync(workstation).received
    assert all(path.read_bytes() == b"not sync's" for path in kept)


def test_an_interrupted_merge_and_a_killed_ones_old_copies_leave_nothing_behind(
    two_machines: tuple[Library, Library, Path], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ctrl-C while git merged left its copies of the library (12 MB each at 5,000 papers) for good, and so did a
    sync killed outright; the next sync kept them as not its own. An interrupted sync removes the copies made
    while it ran; one older than any merge takes is a killed sync's, and the next sync removes it."""
    import os
    import time

    laptop, workstation, _ = two_machines
    Rate(["2401.00001"], 5).execute(laptop)
    sync(laptop)
    Rate(["2401.00002"], 3).execute(workstation)
    folder = workstation.path.parent
    killed = folder / ".merge_file_Old123"
    killed.write_bytes(b"a killed sync's copy")
    hour_ago = time.time() - 3600
    os.utime(killed, (hour_ago, hour_ago))
    real_run = sync_module.Git.run

    def interrupted(self: object, *args: str, **kwargs: object) -> object:
        if args and args[0] == "merge-tree":
            (folder / ".merge_file_Zz9Yy8").write_bytes(b"git's copy")
            raise KeyboardInterrupt
        return real_run(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(sync_module.Git, "run", interrupted)
    with pytest.raises(KeyboardInterrupt):
        sync(workstation)
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".merge_file_")]
    monkeypatch.undo()
    assert sync(workstation).received


def test_quitting_during_a_merge_ends_it_and_the_next_sync_merges_again(
    two_machines: tuple[Library, Library, Path], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The app closing (its ``stop``) waited for the rest of the merge, up to 45 s at 100,000 papers, with the screen
    already gone. Up to the replacement of the library file a merge changes nothing here, so it is ended instead."""
    laptop, workstation, _ = two_machines
    Rate(["2401.00001"], 5).execute(laptop)
    sync(laptop)
    Rate(["2401.00002"], 3).execute(workstation)
    before = records(workstation)
    folder = workstation.path.parent
    started = folder.parent / "driver-started"
    # A merge driver that takes far longer than the test waits: only ending it lets the sync return in time.
    monkeypatch.setattr(sync_module, "driver_command", lambda: f"touch {started}; sleep 120; exit 1")
    stop = threading.Event()
    worker, failed = sync_in_background(workstation, stop)
    for _ in range(600):  # the driver starts within a second or two; bounded at a minute
        if started.exists():
            break
        worker.join(0.1)
    assert started.exists(), "the merge driver never ran"
    stop.set()
    worker.join(60)  # bounds a hang: the stop is seen within a tenth of a second, the driver ended at once
    assert not worker.is_alive()
    assert len(failed) == 1 and isinstance(failed[0], SyncError), failed
    message = str(failed[0])
    assert "stopped as readlist closed" in message and "nothing was lost" in message, message
    # Nothing changed here (the journal was folded into the library file, the papers are as they were), the change
    # is committed for the next sync, and git's copies of the library are gone.
    assert records(workstation) == before
    assert {p.id: p.to_dict() for p in read_snapshot(workstation.path).papers} == before
    assert git(folder, "status", "--porcelain") == ""
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".merge_file_")]
    assert not list((folder / ".git").rglob("*.lock"))
    state = load_state(workstation.path)
    assert state is not None and not state.ok and "stopped as readlist closed" in state.message
    monkeypatch.undo()
    report = sync(workstation)
    assert report.received and report.sent
    merged = records(workstation)
    assert merged["2401.00001"]["rating"] == 5 and merged["2401.00002"]["rating"] == 3


def test_quitting_while_the_remote_library_is_read_ends_the_sync_before_it_changes_anything(
    two_machines: tuple[Library, Library, Path], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A fast-forward reads and checks both libraries first (a second or two each at 100,000 papers): the app closing
    meanwhile ends it there, and the next sync takes the remote's changes."""
    laptop, workstation, _ = two_machines
    Rate(["2401.00001"], 5).execute(laptop)
    sync(laptop)
    before = records(workstation)
    stop = threading.Event()
    read = sync_module.Repo.snapshot_blob
    reads: list[str] = []

    def read_then_close(self: sync_module.Repo, commit: str) -> bytes | None:
        reads.append(commit)
        stop.set()  # the app closes while the first of the two libraries is read
        return read(self, commit)

    monkeypatch.setattr(sync_module.Repo, "snapshot_blob", read_then_close)
    with pytest.raises(SyncError, match="stopped as readlist closed"):
        sync(workstation, stop=stop)
    assert reads == [git(workstation.path.parent, "rev-parse", "HEAD")]  # the remote's library was not read as well
    assert records(workstation) == before
    monkeypatch.undo()
    assert sync(workstation).received
    assert records(workstation)["2401.00001"]["rating"] == 5


def test_a_paper_renamed_on_the_other_machine_is_counted_once_and_said_to_be_renamed(git_env: Path) -> None:
    remote = bare_remote(git_env)
    laptop = machine(git_env, "laptop")
    first, second = Paper.create(title="Attention is all you need, again"), Paper.create(title="Zeta: a study")
    ImportPapers([first, second, paper(1)], "seed").execute(laptop)
    init(laptop, str(remote))
    workstation = machine(git_env, "workstation")
    init(workstation, str(remote))
    ApplyEnrichment([Change(first.id, first.title, new_id="2401.09999",
                            fields={"arxiv_id": "2401.09999"})]).execute(laptop)
    sent = sync(laptop)
    assert sent.changed_here == 1 and sent.merge.renamed == {first.id: "2401.09999"}
    received = sync(workstation)  # a fast-forward: nothing changed here
    assert (received.changed_here, received.changed_there) == (0, 1)
    assert received.summary().startswith("0 papers changed here, 1 there;")
    assert f"{first.id}: renamed to 2401.09999" in received.details()
    assert received.to_dict()["merge"]["renamed"] == {first.id: "2401.09999"}
    # Both copies changed the library: the merge counts it once too.
    ApplyEnrichment([Change(second.id, second.title, new_id="2401.09998",
                            fields={"arxiv_id": "2401.09998"})]).execute(laptop)
    sync(laptop)
    Rate(["2401.00001"], 3).execute(workstation)
    merged = sync(workstation)
    assert (merged.changed_here, merged.changed_there) == (1, 1)
    assert merged.details() == [f"{second.id}: renamed to 2401.09998"]


def _readlist(db: Path, *args: str) -> str:
    """A readlist command in a process of its own, as the app or a shell would run it beside the sync."""
    done = subprocess.run([sys.executable, "-m", "readlist", "--db", str(db), *args], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _lock_is_free(library: Path) -> bool:
    """Whether another writer could take the library's lock now (a handle of its own, as another process has)."""
    free: list[bool] = []

    def probe() -> None:
        try:
            with FileLock(str(lock_path(library)), timeout=0):
                free.append(True)
        except Timeout:
            free.append(False)

    thread = threading.Thread(target=probe)
    thread.start()
    thread.join()
    return free == [True]


def _while_merged(monkeypatch: pytest.MonkeyPatch, act: Callable[[int], None]) -> None:
    """Run ``act(n)`` at the ``n``-th point where a sync has merged and not yet replaced the library file."""
    real = sync_module._driver_report
    calls = [0]

    def paused(record: Path) -> object:
        found = real(record)
        calls[0] += 1
        act(calls[0])
        return found

    monkeypatch.setattr(sync_module, "_driver_report", paused)


def _changed_on_both(laptop: Library, workstation: Library) -> None:
    """A paper rated on each machine, the laptop's sent: the workstation's next sync merges."""
    Rate(["2401.00001"], 5).execute(laptop)
    sync(laptop)
    Rate(["2401.00002"], 3).execute(workstation)


@pytest.mark.parametrize("where", ["journal", "library file"])
def test_a_change_made_while_the_sync_merges_is_kept_and_sent(
    two_machines: tuple[Library, Library, Path], monkeypatch: pytest.MonkeyPatch, where: str,
) -> None:
    """The library's lock is free while the sync merges; a change made then is merged in, never overwritten."""
    laptop, workstation, _ = two_machines
    _changed_on_both(laptop, workstation)
    free: list[bool] = []

    def change(n: int) -> None:
        free.append(_lock_is_free(workstation.path))
        if n == 1 and free[-1]:
            _readlist(workstation.path, "rate", "2401.00003", "4")
            if where == "library file":
                _readlist(workstation.path, "doctor", "--compact")

    _while_merged(monkeypatch, change)
    report = sync(workstation)
    assert free == [True, True]  # merged twice: again with the change made meanwhile
    assert report.received and report.sent and report.committed
    got = Library(workstation.path)
    assert {pid: p.rating for pid, p in got.papers.items()} == {"2401.00001": 5, "2401.00002": 3, "2401.00003": 4}
    folder = workstation.path.parent
    assert git(folder, "status", "--porcelain") == "" and not sync_pending_path(workstation.path).exists()
    assert "healthy" in _readlist(workstation.path, "doctor")
    sync(laptop)
    assert records(laptop) == records(workstation)


def test_a_sync_whose_library_keeps_changing_while_it_merges_holds_the_lock_through_its_last_merge(
    two_machines: tuple[Library, Library, Path], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Someone changing the library every few seconds (triage in the app) overtook every merge, and the sync gave up
    after three, every time: the third merge now keeps the changes waiting, so the sync finishes and sends them."""
    laptop, workstation, _ = two_machines
    _changed_on_both(laptop, workstation)
    free: list[bool] = []

    def change_when_free(n: int) -> None:
        free.append(_lock_is_free(workstation.path))
        if free[-1]:
            _readlist(workstation.path, "tag", "2401.00003", f"+round{n}")

    _while_merged(monkeypatch, change_when_free)
    report = sync(workstation)
    assert free == [True, True, False] and report.received and report.sent
    assert load_state(workstation.path).ok  # type: ignore[union-attr]
    got = Library(workstation.path)
    assert got.papers["2401.00003"].tags == ["round1", "round2"] and got.papers["2401.00001"].rating == 5
    assert git(workstation.path.parent, "status", "--porcelain") == ""
    assert not sync_pending_path(workstation.path).exists()
    monkeypatch.undo()
    sync(laptop)
    assert records(laptop) == records(workstation)


def test_a_sync_killed_while_it_merges_loses_nothing_made_meanwhile(
    two_machines: tuple[Library, Library, Path], monkeypatch: pytest.MonkeyPatch,
) -> None:
    laptop, workstation, _ = two_machines
    _changed_on_both(laptop, workstation)

    def change_then_die(n: int) -> None:
        _readlist(workstation.path, "note", "2401.00003", "--append", "written while the sync merged")
        raise Killed

    _while_merged(monkeypatch, change_then_die)
    with pytest.raises(Killed):
        sync(workstation)
    monkeypatch.undo()
    assert "written while the sync merged" in Library(workstation.path).papers["2401.00003"].note
    assert sync(Library(workstation.path)).received
    got = Library(workstation.path)
    assert "written while the sync merged" in got.papers["2401.00003"].note and got.papers["2401.00001"].rating == 5
    assert "healthy" in _readlist(workstation.path, "doctor")


def test_a_push_that_loses_the_remotes_ref_lock_to_another_push_merges_again(
        two_machines: tuple[Library, Library, Path]) -> None:
    """Two pushes at once: git refuses the one whose ref update comes second ("[remote rejected] (failed to update
    ref)": the branch is no longer where that push found it). That is a race lost, as "fetch first" is, not a
    refusal: the sync fetches, merges and pushes again.

    The remote's pre-receive hook stands for the other push: the first time it runs, it moves the branch to the
    laptop's commit (sent to another branch beforehand), after the workstation's push checked the branch and
    before it updates it, which is where a real push arriving at the same moment lands.
    """
    laptop, workstation, remote = two_machines
    Rate(["2401.00001"], 5).execute(laptop)
    laptop.compact(force=True)
    assert sync_module.Repo.at(laptop.path).commit_local("the laptop's change")
    git(laptop.path.parent, "push", "--quiet", "origin", "HEAD:refs/heads/elsewhere")
    once = remote / "raced"
    hook = remote / "hooks" / "pre-receive"
    hook.write_text(f"#!/bin/sh\nif [ ! -e '{once}' ]; then\n  touch '{once}'\n"
                    "  env -u GIT_QUARANTINE_PATH git update-ref refs/heads/main refs/heads/elsewhere\nfi\n")
    hook.chmod(0o755)
    Rate(["2401.00002"], 2).execute(workstation)
    report = sync(workstation)
    assert once.exists() and report.sent and report.received
    sync(laptop)
    assert records(laptop) == records(workstation)
    assert laptop.papers["2401.00001"].rating == 5 and laptop.papers["2401.00002"].rating == 2


def test_what_the_merge_driver_reports_stays_in_the_repository_and_a_leftover_goes(
        two_machines: tuple[Library, Library, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An app closed in the middle of a merge abandons it: the merge driver's report must not pile up in the
    system's temporary folder, and the one left in the repository goes with the next merge."""
    laptop, workstation, _ = two_machines
    temp = tmp_path / "system-temp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr("tempfile.tempdir", None)
    git_dir = workstation.path.parent / ".git"
    left = git_dir / "readlist-merge-abandoned.jsonl"
    left.write_text('{"changed_here": []}\n')
    reports: list[Path] = []
    read_report = sync_module._driver_report

    def reading(record: Path) -> object:
        reports.append(record)
        return read_report(record)

    monkeypatch.setattr(sync_module, "_driver_report", reading)
    AppendNote("2401.00002", "laptop: strong baseline").execute(laptop)
    AppendNote("2401.00002", "workstation: check the appendix").execute(workstation)
    sync(laptop)
    merged = sync(workstation)
    assert merged.merge.notes_merged == ["2401.00002"]
    assert [record.parent for record in reports] == [git_dir]
    assert list(temp.iterdir()) == []
    assert sorted(p.name for p in git_dir.glob("readlist-merge-*")) == []
