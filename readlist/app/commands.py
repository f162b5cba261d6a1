"""Every change a user can make to the library, as one command each.

A command is a small value (what to do, to which papers) with an ``execute`` method that makes
the change in one library transaction and returns an :class:`Outcome`: per paper, the values the
changed fields had before and have after. The CLI verbs and the TUI keys build the same commands
and run them through a :class:`~readlist.app.session.Session`, so a change means the same thing
wherever it is made, and undo (:mod:`readlist.app.history`) works on outcomes alone.

Adding an action: write the command here (validate in ``execute``, under the library's lock, so a
change computed from the current value never overwrites what another process just wrote), give
it a CLI verb in ``readlist/cli`` and a key in ``readlist/tui/bindings.py``.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

import msgspec

from readlist.core.model import (
    FIELD_DEFAULTS,
    TIMED_FIELDS,
    USER_FIELDS,
    Paper,
    Status,
    ValidationError,
    normalize_tags,
    now_iso,
    parse_rating,
    parse_status,
    tag_time_key,
)
from readlist.core.text import clean_note
from readlist.storage.library import MIN_ID_PREFIX, Library, Transaction

Change = dict[str, Any]


@dataclass(frozen=True)
class PaperChange:
    """One paper before and after a command.

    For an edit, both sides hold the changed fields only. A paper that appeared has ``before``
    None and its whole record as ``after``; a paper that went has its whole record as ``before``
    and ``after`` None. Undo puts ``before`` back; redo puts ``after`` back.
    """

    before: Change | None
    after: Change | None

    def inverse(self) -> PaperChange:
        return PaperChange(self.after, self.before)


@dataclass
class Outcome:
    """What a command changed, paper by paper; empty ``changes`` means nothing needed changing."""

    label: str
    changes: dict[str, PaperChange] = field(default_factory=dict)
    # Other processes' changes came in with this one (the library caught up before writing):
    # a UI should redraw from the whole library rather than from ``changes`` alone.
    caught_up: bool = False

    def __len__(self) -> int:
        """How many papers changed; a paper whose id changed (see :meth:`renames`) counts once."""
        return len(self.changes) - len(self.renames())

    @property
    def fields(self) -> set[str]:
        """Every field name the command changed (a paper that appeared or went counts as all of them)."""
        names: set[str] = set()
        for change in self.changes.values():
            for side in (change.before, change.after):
                if side is not None:
                    names.update(side)
        return names

    @property
    def added(self) -> list[str]:
        return [pid for pid, c in self.changes.items() if c.before is None]

    @property
    def removed(self) -> list[str]:
        return [pid for pid, c in self.changes.items() if c.after is None]

    def renames(self) -> dict[str, str]:
        """The papers this step gave another id, old id → new id. Such a paper went under one id and came under
        the other, the old one among its aliases (enrichment or an import gave it its arXiv id) or the new one
        among the aliases it had (the undo of that)."""
        went = {pid: c.before for pid, c in self.changes.items() if c.after is None and c.before}
        came = {pid: c.after for pid, c in self.changes.items() if c.before is None and c.after}
        if not went or not came:
            return {}
        pairs: dict[str, str] = {}
        for new, after in came.items():
            for old in after.get("aliases") or ():
                if old in went:
                    pairs.setdefault(old, new)
        for old, before in went.items():
            for new in before.get("aliases") or ():
                if new in came:
                    pairs.setdefault(old, new)
        return pairs

    def renamed_to(self, paper_id: str) -> str | None:
        """The id ``paper_id`` has after this step when the step gave it another (:meth:`renames`), else None."""
        change = self.changes.get(paper_id)
        if change is None or change.after is not None:
            return None
        return self.renames().get(paper_id)

    def before_values(self) -> dict[str, Change | None]:
        """Per paper, what the changed fields held before (the whole record for a paper that went)."""
        return {pid: change.before for pid, change in self.changes.items()}

    def inverse(self, label: str) -> Outcome:
        return Outcome(label, {pid: change.inverse() for pid, change in self.changes.items()})

    def then(self, later: Outcome) -> Outcome:
        """This change followed by ``later``, as one step: what one command made of several (an import of
        three files is undone as one, as the user typed it)."""
        joined = Outcome(self.label, dict(self.changes), caught_up=self.caught_up or later.caught_up)
        for pid, change in later.changes.items():
            joined.fold(pid, change)
        return joined

    def fold(self, paper_id: str, change: PaperChange) -> None:
        """Add a later change of ``paper_id`` to this step (a command that changes one paper twice, as an import
        of a source listing it twice does, is still undone to the paper as it was before the command)."""
        first = self.changes.get(paper_id)
        joined = change if first is None else _in_turn(first, change)
        if joined.before is None and joined.after is None:
            del self.changes[paper_id]  # appeared, then went: nothing to undo
        else:
            self.changes[paper_id] = joined


def _in_turn(first: PaperChange, second: PaperChange) -> PaperChange:
    """One paper's two changes as one: before as the first found it, after as the second left it.

    Each side of an edit holds only the fields that edit changed; a field only one of them changed is
    the same before the other, so each side takes it from whichever edit knew it. A side that is a whole
    record (the paper appeared or went) stays whole.
    """
    if first.before is None:
        before = None
    else:  # an edit then a removal gives the whole record as it was before the edit
        before = {**second.before, **first.before} if second.before is not None else dict(first.before)
    if second.after is None or first.after is None:
        after = second.after
    else:
        after = {**first.after, **second.after}
    return PaperChange(before, after)


O_co = TypeVar("O_co", bound=Outcome, covariant=True)


class Command(Protocol[O_co]):
    """Something a user does to the library."""

    def execute(self, library: Library) -> O_co: ...


def copy_value(value: Any) -> Any:
    """A value safe to keep while the paper it came from changes (lists are copied)."""
    return list(value) if isinstance(value, list) else value


def validate_user_changes(paper: Paper, wanted: Mapping[str, Any], stamp: str) -> Change:
    """Clean user-edited values, adding what they imply (marking read stamps the read date).

    Raises :class:`ValidationError` for a value a paper cannot hold or a field users do not edit.
    """
    clean: Change = {}
    for name, value in wanted.items():
        if name == "status":
            status = parse_status(str(value)).value
            clean["status"] = status
            if status == Status.READ.value and paper.status != Status.READ.value:
                clean["read_at"] = stamp
                clean["prev_status"] = paper.status
            elif status != Status.READ.value and paper.status == Status.READ.value:
                clean["read_at"] = None
        elif name == "rating":
            clean["rating"] = parse_rating(value)
        elif name == "tags":
            clean["tags"] = normalize_tags(value)
        elif name == "note":
            clean["note"] = clean_note(str(value))
        elif name in USER_FIELDS or name == "prev_status":
            clean[name] = value
        else:
            raise ValidationError(f"{name!r} is not a field the user edits")
    return clean


Wanted = Change | Callable[[Paper], Change]


def edit_papers(library: Library, label: str, wanted: Mapping[str, Wanted]) -> Outcome:
    """Set validated user fields on several papers in one durable batch.

    A wanted change may be a function of the paper; it is called under the lock, after catching up
    with other processes, so a change computed from the current value (add a tag, append to a note)
    never overwrites what another process just wrote. A paper given another id meanwhile (its arXiv id,
    by enrichment elsewhere) is found by the old one. Papers that are not in the library, and
    fields that already hold the wanted value, are left alone.
    """
    outcome = Outcome(label)
    with library.transaction() as txn:
        stamp = now_iso()
        for wanted_id, want in wanted.items():
            paper = library.named_by_id(wanted_id)
            if paper is None:
                continue
            paper_id = paper.id
            values = want(paper) if callable(want) else want
            clean = validate_user_changes(paper, values, stamp)
            diff = {k: v for k, v in clean.items() if getattr(paper, k) != v}
            if not diff:
                continue
            before = {k: copy_value(getattr(paper, k)) for k in diff}
            txn.set(paper, {**diff, "updated": stamp, "changed": stamped(paper, diff, stamp)})
            outcome.changes[paper_id] = PaperChange(before, {k: copy_value(v) for k, v in diff.items()})
    return outcome


def stamped(paper: Paper, changes: Mapping[str, Any], stamp: str, *, base: Mapping[str, str] | None = None) -> dict[
    str, str
]:
    """``paper.changed`` (or ``base``) with the user's fields among ``changes`` marked as changed at ``stamp``.

    A change of tags also stamps each tag added or removed. These times are what lets the later of two
    edits made on different machines win when their libraries are merged (see readlist.app.library_merge);
    other fields need none.
    """
    changed = {**(paper.changed if base is None else base), **{name: stamp for name in changes if name in TIMED_FIELDS}}
    if "tags" in changes:
        for tag in set(paper.tags) ^ set(changes["tags"]):
            changed[tag_time_key(tag)] = stamp
    return changed


STATUS_LABELS = {
    Status.INBOX: "Back to inbox",
    Status.TO_READ: "Kept",
    Status.READING: "Reading",
    Status.READ: "Marked read",
    Status.SKIPPED: "Skipped",
}


@dataclass(frozen=True)
class SetStatus:
    ids: Sequence[str]
    status: Status | str

    def execute(self, library: Library) -> Outcome:
        status = parse_status(str(self.status))
        return edit_papers(library, STATUS_LABELS[status], {pid: {"status": status.value} for pid in self.ids})


@dataclass(frozen=True)
class ToggleRead:
    """Mark read, or put a read paper back to the status it had before."""

    ids: Sequence[str]

    def execute(self, library: Library) -> Outcome:
        def toggled(paper: Paper) -> Change:
            if paper.status == Status.READ.value:
                return _back_from_read(paper)
            return {"status": Status.READ.value}

        return _said_which_way(edit_papers(library, "Toggled read", dict.fromkeys(self.ids, toggled)))


@dataclass(frozen=True)
class Unread:
    """Put read papers back to the status they had before, as toggling read does; other papers stay as they are."""

    ids: Sequence[str]

    def execute(self, library: Library) -> Outcome:
        def back(paper: Paper) -> Change:
            return _back_from_read(paper) if paper.status == Status.READ.value else {}

        return _said_which_way(edit_papers(library, "Marked unread", dict.fromkeys(self.ids, back)))


def _back_from_read(paper: Paper) -> Change:
    return {"status": paper.prev_status or Status.TO_READ.value}


def _said_which_way(outcome: Outcome) -> Outcome:
    """A toggle of read labelled by where its papers went: "Marked read", "Back to Inbox" (every paper back to one
    status), "Marked unread" (back to several), or how many went each way; "Toggled read" alone said neither."""
    went = [str(change.after["status"]) for change in outcome.changes.values()
            if change.after and "status" in change.after]
    read = went.count(Status.READ.value)
    back = {status for status in went if status != Status.READ.value}
    if went and read == len(went):
        outcome.label = STATUS_LABELS[Status.READ]
    elif len(back) == 1 and not read:
        outcome.label = f"Back to {Status(back.pop()).label}"
    elif back and not read:
        outcome.label = "Marked unread"
    elif went:
        outcome.label = f"Marked {read} read, {len(went) - read} unread"
    return outcome


@dataclass(frozen=True)
class Rate:
    ids: Sequence[str]
    rating: int

    def execute(self, library: Library) -> Outcome:
        value = parse_rating(self.rating)
        label = f"Rated {value}" if value else "Cleared rating"
        return edit_papers(library, label, {pid: {"rating": value} for pid in self.ids})


@dataclass(frozen=True)
class EditTags:
    """Add and remove tags, on each paper's tags as they are on disk now."""

    ids: Sequence[str]
    add: Sequence[str] = ()
    remove: Sequence[str] = ()

    def execute(self, library: Library) -> Outcome:
        add, remove = set(normalize_tags(list(self.add))), set(normalize_tags(list(self.remove)))

        def retagged(paper: Paper) -> Change:
            # Stored tags as they are written back (a hand edit may have left controls or spaces in one), so
            # removing a tag by the form it is shown in removes it instead of only cleaning it.
            return {"tags": sorted((set(normalize_tags(list(paper.tags))) | add) - remove)}

        return edit_papers(library, "Tags edited", dict.fromkeys(self.ids, retagged))


@dataclass(frozen=True)
class AppendNote:
    """Add a paragraph to the note as it is on disk now, not as this process last saw it."""

    paper_id: str
    text: str

    def execute(self, library: Library) -> Outcome:
        text = self.text

        def appended(paper: Paper) -> Change:
            if not paper.note.strip():
                return {"note": text}
            return {"note": (paper.note.rstrip() + "\n\n" + text).strip() + "\n"}

        return edit_papers(library, "Note appended", {self.paper_id: appended})


def key_names_another(library: Library, key: str, paper_id: str, ids: Sequence[str]) -> str | None:
    """Why ``key`` cannot be ``paper_id``'s citation key because it names another paper by id, or None.

    ``ids`` are the library's paper ids, sorted (made once for an import that brings many keys).
    """
    named = library.named_by_id(key)
    if named is not None and named.id != paper_id:
        # `readlist show KEY` would find that paper, by its id, and never this one by its key.
        return f"{key!r} is the id of another paper ({named.id})"
    if len(key) >= MIN_ID_PREFIX:
        # A key is found before an id prefix: `readlist rm t-7841` would remove this paper, not the one whose id
        # the user was abbreviating.
        at = bisect.bisect_left(ids, key)
        begun = next((pid for pid in ids[at:at + 2] if pid != paper_id and pid.startswith(key)), None)
        if begun is not None:
            return f"{key!r} begins the id of another paper ({begun}), which it would stop naming"
    return None


@dataclass(frozen=True)
class SetKey:
    """Set a paper's citation key by hand (checked: usable by BibTeX, biber and pandoc, and not another paper's)."""

    paper_id: str
    key: str

    def execute(self, library: Library) -> Outcome:
        from readlist.core.citekeys import taken_keys, validate_key  # the name rules load only for this command

        def keyed(paper: Paper) -> Change:
            others = taken_keys(p for p in library.papers.values() if p.id != paper.id)
            key = validate_key(self.key, others)
            clash = key_names_another(library, key, paper.id, sorted(library.papers))
            if clash is not None:
                raise ValidationError(f"{clash}; choose another citation key")
            return {"cite_key": key}

        return edit_papers(library, "Citation key set", {self.paper_id: keyed})


@dataclass(frozen=True)
class KeepKeys:
    """Store the citation keys just shown, copied or exported, so they never change (people paste them in papers).

    A key another process stored meanwhile wins. This is bookkeeping, not an edit: it does not touch the
    paper's change time, and callers run it without recording an undo step.
    """

    keys: Mapping[str, str]

    def execute(self, library: Library) -> Outcome:
        outcome = Outcome("Citation keys kept")
        if not self.keys:
            return outcome
        with library.transaction() as txn:
            stamp = now_iso()
            for paper_id, key in self.keys.items():
                paper = library.get(paper_id)
                if paper is not None and not paper.cite_key:
                    txn.set(paper, {"cite_key": key, "changed": stamped(paper, {"cite_key": key}, stamp)})
                    outcome.changes[paper_id] = PaperChange({"cite_key": None}, {"cite_key": key})
        return outcome


@dataclass(frozen=True)
class Delete:
    """Remove papers from the library; undo puts the whole records back."""

    ids: Sequence[str]

    def execute(self, library: Library) -> Outcome:
        outcome = Outcome("Deleted")
        with library.transaction() as txn:
            for wanted_id in dict.fromkeys(self.ids):
                # By the id it has now: the paper the user confirmed may have been given its arXiv id elsewhere.
                found = library.named_by_id(wanted_id)
                paper = txn.delete(found.id) if found is not None else None
                if paper is not None:
                    outcome.changes[paper.id] = PaperChange(paper.to_dict(), None)
        return outcome


def _record(values: Change) -> Paper:
    try:
        return msgspec.convert(values, Paper)
    except msgspec.ValidationError as exc:
        raise ValidationError(f"cannot put back paper {values.get('id')!r}: {exc}") from None


def put_back(txn: Transaction, library: Library, changes: Mapping[str, PaperChange], *, stamp: str) -> dict[
    str, PaperChange
]:
    """Make each paper hold its ``after`` values again; what was changed, as new paper changes.

    This is how undo and redo are applied: an ``after`` of None removes the paper, a paper that is
    not in the library comes back whole, and otherwise the fields are set (with a new change time).
    """
    done: dict[str, PaperChange] = {}
    for paper_id, change in changes.items():
        paper = library.get(paper_id)
        target = change.after
        if target is None:
            if paper is not None:
                txn.delete(paper_id)
                done[paper_id] = PaperChange(paper.to_dict(), None)
            continue
        if paper is None:
            if change.before is None:  # the whole record: it was removed, bring it back
                restored = _record(target)
                txn.put(restored)
                done[paper_id] = PaperChange(None, restored.to_dict())
            continue
        diff = {k: copy_value(v) for k, v in target.items() if k != "changed" and getattr(paper, k) != v}
        if diff:
            if "changed" in target:  # the step kept the change times of the fields it changed (a details edit)
                diff["changed"] = stamps_of(paper, diff, target["changed"])
            before = {k: copy_value(getattr(paper, k)) for k in diff}
            changed = stamped(paper, diff, stamp, base=diff.get("changed"))
            txn.set(paper, {**diff, "updated": stamp, "changed": changed})
            done[paper_id] = PaperChange(before, diff)
    return done


def stamps_of(paper: Paper, fields: Iterable[str], times: Mapping[str, str]) -> dict[str, str]:
    """``paper.changed`` with the change times of ``fields`` as ``times`` has them (absent there: removed): the
    fields a revert puts back get the times they had, and a field changed elsewhere since keeps its own."""
    changed = dict(paper.changed)
    for name in fields:
        if name in times:
            changed[name] = times[name]
        else:
            changed.pop(name, None)
    return changed


def unchanged_since(library: Library, changes: Mapping[str, PaperChange]) -> tuple[dict[str, PaperChange], list[str]]:
    """Split changes into those whose papers still hold the ``before`` values, and the ids changed since.

    Undoing a change someone made later would silently throw their work away, so undo (in the app and
    ``readlist undo``) reverts only what is still as the change left it. A paper whose removal is undone but
    that is back meanwhile gets its user data back where it holds none of its own (:func:`user_data_back`).
    """
    safe: dict[str, PaperChange] = {}
    changed: list[str] = []
    for paper_id, change in changes.items():
        paper = library.get(paper_id)
        expected = change.before
        if expected is None and paper is not None and change.after is not None:
            # Undoing a removal of a paper that is back (imported again meanwhile): what the user had given it
            # (a note, a rating…) is put back where the paper holds nothing of that yet, and what it was given
            # since is kept.
            back, kept = user_data_back(paper, change.after)
            if back:
                safe[paper_id] = PaperChange({k: copy_value(getattr(paper, k)) for k in back}, back)
            if kept:
                changed.append(paper_id)
            continue
        if expected is None:
            ok = paper is None
        elif paper is None:
            ok = False
        else:
            # The bookkeeping is not the user's change: a rating given elsewhere changes the paper's change
            # times, and must not keep a details edit of the same paper from being undone. Nor is the citation key
            # kept when a citation of a new paper was copied or exported (KeepKeys): undoing its import takes the
            # key with the paper, as it would have before the copy.
            passed = ("updated", "changed", "cite_key") if change.after is None and not expected.get("cite_key") \
                else _BOOKKEEPING
            ok = _holds(paper, expected, passed)
        if ok:
            safe[paper_id] = change
        else:
            changed.append(paper_id)
    # A paper the change gave another id is one paper under two: reverting one side alone would leave it twice
    # (or not at all), so both sides are reverted or neither.
    for went, came in Outcome("", dict(changes)).renames().items():
        if went in changed or came in changed:
            for pid in (went, came):
                if safe.pop(pid, None) is not None:
                    changed.append(pid)
    return safe, changed


_BOOKKEEPING = ("updated", "changed")


def _holds(paper: Paper, values: Change, passed: tuple[str, ...] = _BOOKKEEPING) -> bool:
    return all(getattr(paper, k, None) == v for k, v in values.items() if k not in passed)


def put_back_already(library: Library, changes: Mapping[str, PaperChange]) -> list[str]:
    """The papers of ``changes`` that already hold the values reverting them gives (absent where it removes them).

    A revert of these very changes was made and nobody could note it: ``readlist undo`` killed after its revert was
    saved but before its record said so. Undoing again would find every paper changed since and refuse for ever.
    """
    there: list[str] = []
    for paper_id, change in changes.items():
        paper = library.get(paper_id)
        target = change.after
        if (paper is None) if target is None else (paper is not None and _holds(paper, target)):
            there.append(paper_id)
    return there


def user_data_back(paper: Paper, record: Change) -> tuple[Change, bool]:
    """The user's fields of the removed ``record`` that ``paper`` (the same paper, back again) holds nothing in,
    and whether it holds other values of its own in some of them, which stay."""
    back: Change = {}
    kept = False
    for name in sorted(TIMED_FIELDS):
        value, now = record.get(name, FIELD_DEFAULTS[name]), getattr(paper, name)
        if value == now or value == FIELD_DEFAULTS[name]:
            continue
        if now == FIELD_DEFAULTS[name]:
            back[name] = copy_value(value)
        else:
            kept = True
    if "status" not in back:  # the read date and the status before reading go with the status they belong to
        back.pop("read_at", None)
        back.pop("prev_status", None)
    return back, kept


@dataclass
class Reverted(Outcome):
    """What a revert changed, and the papers it left alone because they changed since."""

    skipped: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Revert:
    """Put papers back to one side of earlier changes (what undo and redo run).

    With ``only_unchanged``, papers that no longer hold the values the reverted change left are
    skipped; the check runs under the lock, after catching up with other processes.
    """

    label: str
    changes: Mapping[str, PaperChange]
    only_unchanged: bool = False

    def execute(self, library: Library) -> Reverted:
        with library.transaction() as txn:
            changes: Mapping[str, PaperChange] = self.changes
            skipped: list[str] = []
            if self.only_unchanged:
                changes, skipped = unchanged_since(library, changes)
            done = put_back(txn, library, changes, stamp=now_iso())
        return Reverted(self.label, done, skipped=skipped)


def ids_of(papers: Iterable[Paper]) -> list[str]:
    return [paper.id for paper in papers]
