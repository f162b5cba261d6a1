"""Three clones, one bare remote, 1,000 random actions with syncs in between: nothing is lost.

Every action is made through the same commands the CLI and the app run, on one of three libraries
(a laptop, a workstation, a lab member), and every so often one of them syncs. The checker records
what each action did (from its outcome and the change times the library stamped) and, after a final
round of syncs, proves for every paper of the pool:

* every clone holds the same library (papers and tombstones);
* a paper is there exactly when its latest addition or timed edit is later than its latest deletion;
* of a paper that is there: status (with its read date) and rating are those of the latest change
  made since its last deletion; each tag is present exactly when its latest add or remove since
  then was an add; every paragraph appended to its note since then is in the note, unless a later
  rewrite replaced that very line.

That is "no change is lost except where a rule says a later change wins" made checkable: the only
values allowed to disappear are those a later change (an edit, or a deletion) overruled.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec
import pytest

from readlist.app.commands import AppendNote, Delete, EditTags, Rate, SetStatus
from readlist.app.imports import ImportPapers
from readlist.app.notes import SaveNote
from readlist.app.sync import init, sync
from readlist.core.model import Paper, tag_time_key
from readlist.storage.library import Library
from tests.conftest import bare_remote

ACTIONS = 1000
CLONES = 3
POOL = [f"2401.{n:05d}" for n in range(1, 31)]
TAGS = ["rl", "agents", "vision", "theory", "todo"]
STATUSES = ["inbox", "to-read", "reading", "read", "skipped"]
SEED = 20261130
SYNC_EVERY = 14  # on average, one sync every this many actions


@dataclass
class Checker:
    """What every action did, with the time its change was stamped with."""

    revived: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # additions and timed edits
    deletions: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    status: dict[str, list[tuple[str, str, str | None]]] = field(default_factory=lambda: defaultdict(list))
    rating: dict[str, list[tuple[str, int]]] = field(default_factory=lambda: defaultdict(list))
    tags: dict[tuple[str, str], list[tuple[str, bool]]] = field(default_factory=lambda: defaultdict(list))
    tokens: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))
    rewritten: set[str] = field(default_factory=set)
    done: Counter[str] = field(default_factory=Counter)

    def last_deletion(self, pid: str) -> str:
        return max(self.deletions[pid], default="")

    def check(self, lib: Library) -> dict[str, int]:
        checked: Counter[str] = Counter()
        for pid in POOL:
            gone = self.last_deletion(pid)
            present = max(self.revived[pid], default="") > gone
            assert (pid in lib.papers) == present, f"{pid}: expected {'present' if present else 'absent'}"
            if not present:
                if gone:
                    assert pid in lib.deleted, f"{pid}: deleted without a tombstone"
                    checked["deletions"] += 1
                continue
            paper = lib.papers[pid]
            since = [e for e in self.status[pid] if e[0] > gone]
            if since:
                _, status, read_at = max(since)
                assert (paper.status, paper.read_at) == (status, read_at), f"{pid}: status lost"
                checked["status"] += 1
            ratings = [e for e in self.rating[pid] if e[0] > gone]
            if ratings:
                assert paper.rating == max(ratings)[1], f"{pid}: rating lost"
                checked["rating"] += 1
            for tag in TAGS:
                events = [e for e in self.tags[(pid, tag)] if e[0] > gone]
                if events:
                    assert (tag in paper.tags) == max(events)[1], f"{pid}: tag {tag} lost"
                    checked["tags"] += 1
            for when, token in self.tokens[pid]:
                if when > gone and token not in self.rewritten:
                    assert token in paper.note, f"{pid}: note paragraph {token} lost"
                    checked["note paragraphs"] += 1
        return dict(checked)


def state(lib: Library) -> tuple[list[dict[str, object]], dict[str, str]]:
    lib.refresh()
    return [lib.papers[pid].to_dict() for pid in sorted(lib.papers)], dict(sorted(lib.deleted.items()))


def act(rng: random.Random, lib: Library, checker: Checker, seconds: list[int], counter: list[int]) -> None:
    """One random action on one clone, recorded with its effect."""
    papers = sorted(lib.papers)
    kind = rng.choices(["import", "status", "rating", "tag", "append", "rewrite", "delete"],
                       weights=[3, 4, 3, 4, 3, 1, 1])[0]
    if kind == "import" or not papers:
        pid = rng.choice(POOL)
        seconds[0] += 1
        stamp = (datetime(2030, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds[0])).isoformat()  # as the clock reads
        incoming = msgspec.convert({"id": pid, "arxiv_id": pid, "title": f"Pool paper {pid}", "added": stamp,
                                    "updated": stamp, "upvotes": rng.randrange(100)}, Paper)
        report = ImportPapers([incoming], "pool").execute(lib).report
        if report.added:
            checker.revived[pid].append(stamp)
        checker.done["import"] += 1
        return
    pid = rng.choice(papers)
    if kind == "status":
        outcome = SetStatus([pid], rng.choice(STATUSES)).execute(lib)
        if outcome.changes:
            p = lib.papers[pid]
            checker.status[pid].append((p.changed["status"], p.status, p.read_at))
            checker.revived[pid].append(p.changed["status"])
    elif kind == "rating":
        outcome = Rate([pid], rng.randrange(6)).execute(lib)
        if outcome.changes:
            p = lib.papers[pid]
            checker.rating[pid].append((p.changed["rating"], p.rating))
            checker.revived[pid].append(p.changed["rating"])
    elif kind == "tag":
        tag = rng.choice(TAGS)
        adding = rng.random() < 0.6
        outcome = EditTags([pid], add=[tag] if adding else [], remove=[] if adding else [tag]).execute(lib)
        if outcome.changes:
            when = lib.papers[pid].changed[tag_time_key(tag)]
            checker.tags[(pid, tag)].append((when, adding))
            checker.revived[pid].append(when)
    elif kind == "append":
        counter[0] += 1
        token = f"para{counter[0]:05d}"
        outcome = AppendNote(pid, token).execute(lib)
        when = lib.papers[pid].changed["note"]
        checker.tokens[pid].append((when, token))
        checker.revived[pid].append(when)
    elif kind == "rewrite":
        note = lib.papers[pid].note
        lines = [line for line in note.splitlines() if line.startswith("para")]
        if not lines:
            kind = "append"  # nothing to rewrite yet
            outcome = AppendNote(pid, f"para-start-{pid}").execute(lib)
            checker.rewritten.add(f"para-start-{pid}")
            checker.revived[pid].append(lib.papers[pid].changed["note"])
            checker.done[kind] += 1
            return
        old = rng.choice(lines)
        counter[0] += 1
        token = f"para{counter[0]:05d}"
        outcome = SaveNote(pid, note.replace(old, token, 1), base=note).execute(lib)
        when = lib.papers[pid].changed["note"]
        checker.rewritten.add(old)
        checker.tokens[pid].append((when, token))
        checker.revived[pid].append(when)
    else:
        outcome = Delete([pid]).execute(lib)
        if outcome.changes:
            checker.deletions[pid].append(lib.deleted[pid])
    checker.done[kind] += 1


@pytest.mark.parametrize("seed", [SEED])
def test_a_thousand_random_actions_on_three_clones_lose_nothing(git_env: Path, ticking_clock: list[int],
                                                                seed: int) -> None:
    rng = random.Random(seed)
    remote = bare_remote(git_env)
    first = Library(git_env / "clone0" / "library.json")
    checker = Checker()
    counter = [0]
    for _ in range(8):
        act(rng, first, checker, ticking_clock, counter)
    init(first, str(remote))
    clones = [first]
    for n in range(1, CLONES):
        lib = Library(git_env / f"clone{n}" / "library.json")
        init(lib, str(remote))
        clones.append(lib)
    syncs = merges = 0
    for _ in range(ACTIONS):
        lib = rng.choice(clones)
        act(rng, lib, checker, ticking_clock, counter)
        if rng.randrange(SYNC_EVERY) == 0:
            report = sync(rng.choice(clones))
            syncs += 1
            merges += bool(report.received and report.sent)
    for _ in range(2):  # a final round of syncs: the last clone to sync has everything, then the others take it
        for lib in clones:
            sync(lib)
    final = [state(lib) for lib in clones]
    assert all(one == final[0] for one in final[1:]), "the clones differ after the final syncs"
    checked = checker.check(clones[0])
    assert sum(checker.done.values()) == ACTIONS + 8
    assert syncs > 30 and merges > 10, (syncs, merges)
    print(f"actions {dict(checker.done)}; {syncs} syncs, {merges} merges; checked {checked}")
    # The run exercised every rule it checks.
    for what in ("status", "rating", "tags", "note paragraphs", "deletions"):
        assert checked.get(what, 0) > 0, (what, checked)
