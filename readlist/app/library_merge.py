"""Merging two copies of a library that grew apart from a common one, paper by paper and field by field.

Two machines (or two members of a lab) change their copies of one library; git knows the copy they
last shared (the *base*). :func:`merge_libraries` combines *ours* and *theirs* record by record, so
that changes that do not contradict each other never conflict, and decides the ones that do by the
rules in ``docs/sync.md``:

* a field changed on one side only takes that side's value;
* status (with the read date and the status before reading that go with it), rating and citation key:
  the later change wins, by the per-field change times records keep (``Paper.changed``);
* tags: a three-way set merge, each tag on its own (a tag added on one side and left alone on the
  other is added; a later explicit add or remove of the same tag wins over an earlier one);
* the note: a three-way merge of its lines; where both sides edited the same lines, both versions are
  kept one after the other under a marker line, so no text is ever dropped;
* imported metadata: the import rules (an empty field is filled, upvotes only grow, a date gives way
  to a more precise form of itself), with a fixed order where two imports disagree;
* deletion: papers deleted on one side are deleted, unless the other side changed them later than the
  deletion, which keeps them (and says so); tombstones keep deletions from coming back;
* an id change (a text copy's ``t-…`` id replaced by its arXiv id, the old id kept as an alias) is a
  rename: the other side's record under the old id is merged into the renamed paper; so is a paper one
  side added without an arXiv id and the other with one, under the same title (the import's dedup rule).

The result does not depend on which side is "ours": merging A into B gives the library merging B into A
gives; only the report (here and there) is mirrored. Every tie is broken by the values themselves.
Nothing here reads or writes files: the merge driver and ``readlist sync`` parse and validate the sides
with :mod:`readlist.storage.snapshot` and write the result the same way.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import msgspec

from readlist.core.dates import refines
from readlist.core.model import (
    EDITABLE_FIELDS,
    FIELD_DEFAULTS,
    FIELD_NAMES,
    REFRESHED_FIELDS,
    SOURCE_FIELDS,
    TAG_TIME_PREFIX,
    TIMED_FIELDS,
    Paper,
    Status,
    merge_papers,
    normalize_title,
    tag_time_key,
    user_edited,
)

# Written around the two versions of a part of a note that both sides edited.
BOTH_VERSIONS = "── This part of the note was edited in two copies of the library; both versions follow ──"
OTHER_VERSION = "── the other version ──"
END_OF_VERSIONS = "── end of the two versions ──"

# How far along a paper is: when two equally recent status changes disagree, the further one is kept.
_STATUS_ORDER = (Status.INBOX.value, Status.SKIPPED.value, Status.TO_READ.value, Status.READING.value,
                 Status.READ.value)
# Status, with what marking read sets beside it: decided together, so a merged record never says "skipped"
# with a read date from the other side.
_STATUS_GROUP = ("status", "read_at", "prev_status")
# Fields decided by the later change (status is decided with its group above).
_LATER_WINS = ("rating", "cite_key")
# Ordered lists merged as sets, and sets kept sorted.
_SET_FIELDS = ("sources", "source_formats", "aliases")
_HANDLED = frozenset({"id", "tags", "note", "changed", "added", "updated", *_STATUS_GROUP, *_LATER_WINS,
                      *_SET_FIELDS})


@dataclass
class Side:
    """One copy of the library: its papers by id, and its tombstones (deleted id -> when)."""

    papers: dict[str, Paper]
    deleted: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, papers: Iterable[Paper], deleted: Mapping[str, str] | None = None) -> Side:
        return cls({paper.id: paper for paper in papers}, dict(deleted or {}))


@dataclass
class MergeReport:
    """What a merge did, from the point of view of "ours" (here) and "theirs" (there)."""

    changed_here: list[str] = field(default_factory=list)  # papers whose record differs from the base here
    changed_there: list[str] = field(default_factory=list)
    notes_merged: list[str] = field(default_factory=list)  # notes edited on both sides, merged line by line
    notes_both_kept: list[str] = field(default_factory=list)  # of those, notes holding both versions of a part
    later_won: list[str] = field(default_factory=list)  # papers where a field changed on both sides went to the later
    kept_here: list[str] = field(default_factory=list)  # deleted there, kept: changed here after the deletion
    kept_there: list[str] = field(default_factory=list)  # deleted here, kept: changed there after the deletion
    dropped_here: list[str] = field(default_factory=list)  # changed here, then deleted there later: gone
    dropped_there: list[str] = field(default_factory=list)
    # Deleted there, untouched here since the last sync, but holding a note here: the deletion may have been
    # decided before that note reached the other copy (its merge told that copy, not this one), so it is named.
    noted_gone_here: list[str] = field(default_factory=list)
    noted_gone_there: list[str] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)  # an old id edited on one side -> the renamed paper
    # Papers with no common record that both sides hold: added on each (the same papers pulled or imported on both
    # machines). Counted as changed on a side only where the user did something with them (see :func:`touched`).
    added_on_both: list[str] = field(default_factory=list)

    def mirrored(self) -> MergeReport:
        """The same report seen from the other side."""
        return MergeReport(
            changed_here=self.changed_there, changed_there=self.changed_here, notes_merged=self.notes_merged,
            notes_both_kept=self.notes_both_kept, later_won=self.later_won, kept_here=self.kept_there,
            kept_there=self.kept_here, dropped_here=self.dropped_there, dropped_there=self.dropped_here,
            noted_gone_here=self.noted_gone_there, noted_gone_there=self.noted_gone_here, renamed=self.renamed,
            added_on_both=self.added_on_both,
        )

    def to_dict(self) -> dict[str, Any]:
        return {name: (sorted(value) if isinstance(value, list) else dict(sorted(value.items())))
                for name, value in self.__dict__.items()}


@dataclass
class Merged:
    papers: list[Paper]  # sorted by id
    deleted: dict[str, str]
    report: MergeReport


def merge_libraries(base: Side, ours: Side, theirs: Side) -> Merged:
    """The library combining ``ours`` and ``theirs``, which both grew from ``base`` (see the module doc)."""
    canonical = _renames(base, ours, theirs)
    b, o, t = (_rekey(side, canonical) for side in (base, ours, theirs))
    report = MergeReport()
    report.renamed = {old: new for old, new in canonical.items()
                      if old in ours.papers or old in theirs.papers}
    papers: dict[str, Paper] = {}
    deleted: dict[str, str] = {}
    for key in sorted(set(b.papers) | set(o.papers) | set(t.papers) | set(o.deleted) | set(t.deleted)):
        bp, op, tp = b.papers.get(key), o.papers.get(key), t.papers.get(key)
        if bp is None and op is not None and tp is not None:
            # Added on both sides (the same day's papers pulled on each machine, a library joined to another):
            # each side changed it only if the user did something with it there.
            report.added_on_both.append(key)
            if touched(op):
                report.changed_here.append(key)
            if touched(tp):
                report.changed_there.append(key)
        else:
            if record_changed(bp, op):
                report.changed_here.append(key)
            if record_changed(bp, tp):
                report.changed_there.append(key)
        if op is not None and tp is not None:
            papers[key] = _merge_record(key, bp, op, tp, report)
            continue
        if op is None and tp is None:
            stamp = max(o.deleted.get(key, ""), t.deleted.get(key, ""))
            if stamp:
                deleted[key] = stamp
            continue
        here = op is not None
        kept = op if op is not None else tp
        assert kept is not None
        gone_at = (t if here else o).deleted.get(key, "")
        changed_at = _change_time(bp, kept)
        if bp is None and gone_at and gone_at == b.deleted.get(key):
            papers[key] = kept  # deleted before the base; added again on one side since: a one-sided change
        elif kept == bp:
            deleted[key] = gone_at or _record_time(bp)  # untouched here, deleted there
            if kept.note:
                (report.noted_gone_here if here else report.noted_gone_there).append(key)
        elif changed_at > gone_at:
            papers[key] = kept
            if gone_at or bp is not None:  # a deletion it outlived: the user is told
                (report.kept_here if here else report.kept_there).append(key)
        else:
            deleted[key] = gone_at or changed_at or _record_time(kept)
            (report.dropped_here if here else report.dropped_there).append(key)
    return Merged([papers[key] for key in sorted(papers)], deleted, report)


def touched(paper: Paper) -> bool:
    """Whether the user did anything with ``paper`` since it was imported: a field corrected by hand (any change
    time kept), or one of their own fields changed with no common record to compare with (see
    :func:`_changed_since`, which the merge of such a paper goes by)."""
    return bool(paper.changed) or any(_changed_since(paper, None, name) for name in TIMED_FIELDS)


def record_changed(old: Paper | None, new: Paper | None) -> bool:
    """Whether a paper's record changed in anything but the time it was last written (``updated``).

    Merging a paper both sides hold keeps the later of their write times: the side whose time was earlier receives
    a record that differs in that alone, which is no change to count (a library joined to another that held the
    same papers would otherwise hear that all of them changed there).
    """
    if old is None or new is None:
        return old is not new
    return old != new and msgspec.structs.replace(old, updated=new.updated) != new


# -- renames -------------------------------------------------------------------------------------------


def _renames(base: Side, *copies: Side) -> dict[str, str]:
    """Old id -> the id the paper has now, for every id some side keeps as an alias of another paper.

    A record with no arXiv id whose title is the title of a paper another record holds under its arXiv id
    counts as such an old id too (:func:`_same_by_title`).
    """
    targets: dict[str, set[str]] = {}
    for side in (base, *copies):
        for paper in side.papers.values():
            for alias in paper.aliases:
                if alias != paper.id:
                    targets.setdefault(alias, set()).add(paper.id)
    for old, new in _same_by_title(base, *copies).items():
        targets.setdefault(old, set()).add(new)
    direct = {alias: min(ids) for alias, ids in targets.items()}
    resolved: dict[str, str] = {}
    for alias in direct:
        seen = [alias]
        current = direct[alias]
        while current in direct and current not in seen:
            seen.append(current)
            current = direct[current]
        if current in seen:  # a cycle of renames (hand-edited files): settle on one of its ids
            current = min(seen)
        if current != alias:
            resolved[alias] = current
    return resolved


def _same_by_title(base: Side, *copies: Side) -> dict[str, str]:
    """Records of one paper under two ids because each copy added it apart: the id without an arXiv id -> the other.

    One library holds a paper once (the import's dedup rule: the same arXiv id, or, lacking one, the same
    normalized title), since an import finds the paper it already has. Two copies do not see each other's
    imports: one adds a paper from a text copy (``t-…``, no arXiv id), the other from arXiv (its arXiv id),
    and matching by id alone would leave the merged library with both records, the status on one and the
    note on the other. So a record with no arXiv id is merged into the one paper with an arXiv id and the
    same normalized title, as if renamed; with two such papers (two arXiv ids, one title) it is left alone,
    as an import leaves it. Every side counts alike, so the result does not depend on which is ours.

    Only a pair one of whose records was added since the base can be new: with none added (most syncs) no
    title is read, and otherwise each title is normalized once however many sides hold it.
    """
    sides = (base, *copies)
    if all(pid in base.papers for copy in copies for pid in copy.papers):
        return {}
    normalized: dict[str, str] = {}

    def key(paper: Paper) -> str:
        found = normalized.get(paper.title)
        if found is None:
            found = normalized[paper.title] = normalize_title(paper.title)
        return found

    untitled: dict[str, set[str]] = {}  # normalized title -> ids of records with no arXiv id
    titled: dict[str, set[str]] = {}  # normalized title -> ids of records with an arXiv id
    for side in sides:
        for paper in side.papers.values():
            if title := key(paper):
                (titled if paper.arxiv_id else untitled).setdefault(title, set()).add(paper.id)
    renames: dict[str, str] = {}
    for title, olds in untitled.items():
        ids = titled.get(title, set())
        if len(ids) == 1 and any(pid not in base.papers for pid in olds | ids):
            (target,) = ids
            renames.update((old, target) for old in olds if old != target)
    return renames


def _rekey(side: Side, canonical: Mapping[str, str]) -> Side:
    """The side with every paper under its current id; records of one paper under old ids merged into it."""
    if not any(pid in canonical for pid in side.papers):
        return Side(side.papers, {pid: stamp for pid, stamp in side.deleted.items() if pid not in canonical})
    groups: dict[str, list[Paper]] = {}
    for pid in sorted(side.papers):
        groups.setdefault(canonical.get(pid, pid), []).append(side.papers[pid])
    papers: dict[str, Paper] = {}
    for key, records in groups.items():
        records.sort(key=lambda p: (p.id != key, p.id))  # the record already under the key first
        merged = records[0]
        for other in records[1:]:
            merged = merge_papers(merged, other)
        if merged.id != key or len(records) > 1:
            old_ids = {p.id for p in records}
            merged = msgspec.structs.replace(
                merged, id=key, aliases=sorted((set(merged.aliases) | old_ids) - {key}))
        papers[key] = merged
    deleted = {pid: stamp for pid, stamp in side.deleted.items() if pid not in canonical and pid not in papers}
    return Side(papers, deleted)


# -- one record ----------------------------------------------------------------------------------------


def _merge_record(key: str, base: Paper | None, ours: Paper, theirs: Paper, report: MergeReport) -> Paper:
    if ours == theirs:
        return ours
    values: dict[str, Any] = {"id": key}
    times: dict[str, str] = {}
    later = False

    # Status, the read date and the status before reading: one decision.
    side, decided_later = _decide("status", base, ours, theirs, _status_rank)
    later |= decided_later
    if side is None:
        for name in _STATUS_GROUP:
            value, when, decided_later = _later_wins(name, base, ours, theirs)
            values[name], later = value, later or decided_later
            if when:
                times[name] = when
    else:
        for name in _STATUS_GROUP:
            values[name] = getattr(side, name)
            if name in side.changed:
                times[name] = side.changed[name]

    for name in _LATER_WINS:
        value, when, decided_later = _later_wins(name, base, ours, theirs)
        values[name], later = value, later or decided_later
        if when:
            times[name] = when

    values["tags"], tag_times = _merge_tags(base, ours, theirs)
    times.update(tag_times)
    if "tags" in ours.changed or "tags" in theirs.changed:
        times["tags"] = max(ours.changed.get("tags", ""), theirs.changed.get("tags", ""))

    note, both_kept = _merge_note(base, ours, theirs)
    if note is not None:
        values["note"] = note
        report.notes_merged.append(key)
        if both_kept:
            report.notes_both_kept.append(key)
    else:
        values["note"] = _one_sided("note", base, ours, theirs)
    note_from = _chosen_side("note", base, ours, theirs)
    when = (note_from.changed.get("note", "") if note_from is not None
            else max(ours.changed.get("note", ""), theirs.changed.get("note", "")))
    if when:
        times["note"] = when

    for name in _SET_FIELDS:
        values[name] = _merge_set(name, base, ours, theirs)
    values["aliases"] = [alias for alias in values["aliases"] if alias != key]
    values["added"] = min((v for v in (ours.added, theirs.added) if v), default="")
    values["updated"] = max(ours.updated, theirs.updated)

    for name in FIELD_NAMES:
        if name in _HANDLED:
            continue
        values[name], decided_later = _merge_plain(name, base, ours, theirs)
        later |= decided_later
    values["authors_count"] = _count_of_corrected_names(values["authors"], ours, theirs, values["authors_count"])

    for name in EDITABLE_FIELDS:  # a detail corrected by hand stays the user's, unless the side taken undid it
        edited_by = _chosen_side(name, base, ours, theirs)
        when = (edited_by.changed.get(name, "") if edited_by is not None
                else max(ours.changed.get(name, ""), theirs.changed.get(name, "")))
        if when:
            times[name] = when
    for name in set(ours.changed) | set(theirs.changed):  # times of fields no rule above covers
        if name not in times and not name.startswith(TAG_TIME_PREFIX) and name not in values:
            times[name] = max(ours.changed.get(name, ""), theirs.changed.get(name, ""))
    values["changed"] = dict(sorted(times.items()))
    if later:
        report.later_won.append(key)
    return msgspec.convert(values, Paper)


def _changed_since(paper: Paper, base: Paper | None, name: str) -> bool:
    """Whether ``paper`` changed field ``name`` since ``base``: a new value, or a new change time.

    A status set to "skipped", then "inbox", then "skipped" again ends where it began, but it is a
    change made later than the base, and must still beat an older change on the other side.

    A paper with no base was added on both sides (both machines pulled the same day's papers, or a library joined
    to another): a field one side never gave a value nor a change time holds what its import left there, which is
    no change of that side's, so the other side's value is one-sided rather than a contest the later change decides
    (a paper rated on one machine and only imported on the other is not "settled by the later change").
    """
    if base is None:
        return name in paper.changed or getattr(paper, name) != FIELD_DEFAULTS[name]
    if getattr(paper, name) != getattr(base, name):
        return True
    return name in TIMED_FIELDS and paper.changed.get(name) != base.changed.get(name)


def _chosen_side(name: str, base: Paper | None, ours: Paper, theirs: Paper) -> Paper | None:
    """The one side whose value of ``name`` the result takes, when only one side changed it; else None."""
    if getattr(ours, name) == getattr(theirs, name):
        return None
    mine, yours = _changed_since(ours, base, name), _changed_since(theirs, base, name)
    if mine != yours:
        return ours if mine else theirs
    return None


def _one_sided(name: str, base: Paper | None, ours: Paper, theirs: Paper) -> Any:
    side = _chosen_side(name, base, ours, theirs)
    return getattr(side if side is not None else ours, name)


def _decide(name: str, base: Paper | None, ours: Paper, theirs: Paper, rank: Any) -> tuple[Paper | None, bool]:
    """The side whose value of ``name`` wins (None when both agree), and whether the later change decided it."""
    mine, yours = getattr(ours, name), getattr(theirs, name)
    if mine == yours:
        return None, False
    side = _chosen_side(name, base, ours, theirs)
    if side is not None:
        return side, False
    mine_at, yours_at = ours.changed.get(name, ""), theirs.changed.get(name, "")
    if mine_at != yours_at:
        return (ours if mine_at > yours_at else theirs), True
    return (ours if rank(mine) > rank(yours) else theirs), False


def _later_wins(name: str, base: Paper | None, ours: Paper, theirs: Paper) -> tuple[Any, str, bool]:
    """Value, its change time and whether a later change decided it, for a field where the later change wins."""
    side, later = _decide(name, base, ours, theirs, lambda value: _rank(name, value))
    if side is None:
        return getattr(ours, name), max(ours.changed.get(name, ""), theirs.changed.get(name, "")), False
    return getattr(side, name), side.changed.get(name, ""), later


def _status_rank(value: str) -> int:
    return _STATUS_ORDER.index(value) if value in _STATUS_ORDER else -1


def _rank(name: str, value: Any) -> tuple[Any, ...]:
    """The order that breaks a tie between two equally recent (or equally unknown) changes of a field."""
    if name == "rating":
        return (value,)  # the higher rating
    if name == "prev_status":
        return (value is not None, _status_rank(value) if value else -1)
    if name == "read_at":
        return (value is not None, _inverted(value or ""))  # a read date over none; then the earlier
    return (value is not None, _inverted(_order(value)))  # a value over none; then the smaller


def _inverted(text: str | bytes) -> tuple[int, ...]:
    raw = text.encode() if isinstance(text, str) else text
    return (*(-byte for byte in raw), 1)


def _order(value: Any) -> bytes:
    return msgspec.json.encode(value)


def _merge_tags(base: Paper | None, ours: Paper, theirs: Paper) -> tuple[list[str], dict[str, str]]:
    """Each tag on its own: kept if both sides have it or one added it; a later explicit add or remove wins."""
    old = set(base.tags) if base is not None else set()
    mine, yours = set(ours.tags), set(theirs.tags)
    result: set[str] = set()
    times: dict[str, str] = {}
    timed = {key[len(TAG_TIME_PREFIX):] for side in (ours, theirs) for key in side.changed
             if key.startswith(TAG_TIME_PREFIX)}
    for tag in sorted(old | mine | yours | timed):
        key = tag_time_key(tag)
        mine_at, yours_at = ours.changed.get(key, ""), theirs.changed.get(key, "")
        base_at = base.changed.get(key, "") if base is not None else ""
        if (tag in mine) == (tag in yours):
            present, when = tag in mine, max(mine_at, yours_at)
        else:
            # One side differs from the base; the other kept it as it was, or changed it back since.
            same, differs = ((ours, theirs) if (tag in mine) == (tag in old) else (theirs, ours))
            same_at, differs_at = same.changed.get(key, ""), differs.changed.get(key, "")
            winner = same if same_at > max(base_at, differs_at) else differs
            present, when = tag in winner.tags, winner.changed.get(key, "")
        if present:
            result.add(tag)
        if when:
            times[key] = when
    return sorted(result), times


def _merge_set(name: str, base: Paper | None, ours: Paper, theirs: Paper) -> list[str]:
    """A list merged as a set: what both keep, plus what either added, minus what either removed."""
    mine, yours = getattr(ours, name), getattr(theirs, name)
    if mine == yours:
        return list(mine)
    old = list(getattr(base, name)) if base is not None else []
    kept = (set(mine) & set(yours)) | (set(mine) - set(old)) | (set(yours) - set(old))
    if name in ("source_formats", "aliases"):
        return sorted(kept)
    return [item for item in old if item in kept] + sorted(kept - set(old))  # first sources stay first


def _count_of_corrected_names(authors: list[str], ours: Paper, theirs: Paper, merged_count: int | None) -> int | None:
    """The author count that goes with the names the merge took, when they are names corrected by hand.

    The count is no detail of its own (``readlist edit`` sets it with the names): the larger count an import
    brought on the other side would make the corrected list read as cut short ("and others" in a citation).
    """
    for side, other in ((ours, theirs), (theirs, ours)):
        if user_edited(side, "authors") and side.authors == authors and other.authors != authors:
            return side.authors_count
    return merged_count


def _merge_plain(name: str, base: Paper | None, ours: Paper, theirs: Paper) -> tuple[Any, bool]:
    """Imported metadata (and any other field): one-sided changes apply; two imports that disagree are settled
    by the import rules, and otherwise by a fixed order, so both copies settle on the same value.

    Also whether the later change decided it: a detail both sides changed to different values, corrected by hand on
    one side at least, goes to the later correction, which may have replaced one made here; the merge names the
    paper then, as it does for a rating both sides changed.
    """
    mine, yours = getattr(ours, name), getattr(theirs, name)
    if mine == yours:
        return mine, False
    side = _chosen_side(name, base, ours, theirs)
    if side is not None:
        return getattr(side, name), False
    mine_at, yours_at = ours.changed.get(name, ""), theirs.changed.get(name, "")
    if name in EDITABLE_FIELDS and mine_at != yours_at:
        # Corrected by hand on one side at least: the later correction wins, and any correction wins over
        # an import (which stamps nothing).
        return (mine if mine_at > yours_at else yours), True
    return _settled_by_import_rules(name, mine, yours), False


def _settled_by_import_rules(name: str, mine: Any, yours: Any) -> Any:
    """Two values of an imported field, neither corrected later than the other: the one an import would keep."""
    empty: tuple[Any, ...] = (None, "", [])
    if mine in empty or yours in empty:
        return yours if mine in empty else mine
    if name == "published":
        if refines(mine, yours):
            return yours
        if refines(yours, mine):
            return mine
    if name in ("upvotes", "authors_count") and isinstance(mine, int) and isinstance(yours, int):
        return max(mine, yours)
    if name in REFRESHED_FIELDS or name in SOURCE_FIELDS:
        # The fuller value (a longer abstract, more authors), then a fixed order.
        return max(mine, yours, key=lambda value: (len(_order(value)), _order(value)))
    return max(mine, yours, key=_order)


# -- notes ---------------------------------------------------------------------------------------------


def _merge_note(base: Paper | None, ours: Paper, theirs: Paper) -> tuple[str | None, bool]:
    """The merged note when both sides changed it (None otherwise), and whether both versions of a part were kept.

    The two versions of a part both sides edited are written in the order they were last edited (the
    earlier first; equal or unknown times by their text), so the result does not depend on which side
    is ours.
    """
    if ours.note == theirs.note or _chosen_side("note", base, ours, theirs) is not None:
        return None, False
    first, second = sorted((ours, theirs), key=lambda p: (p.changed.get("note", ""), p.note))
    text, both = merge_text(base.note if base is not None else "", first.note, second.note)
    for side in (first, second):  # one side's note whole: keep it exactly as written (its last line end too)
        if text.rstrip("\n") == side.note.rstrip("\n"):
            return side.note, both
    return text, both


def _lines(text: str) -> list[str]:
    if text and not text.endswith("\n"):
        text += "\n"
    return text.splitlines(keepends=True)


def merge_text(base: str, first: str, second: str) -> tuple[str, bool]:
    """A three-way merge of the lines of two texts grown from ``base``; whether both versions of a part were kept.

    Lines changed on one side only take that side; where both sides added lines at the same place, both
    additions are kept (``first``'s, then ``second``'s); where both changed the same lines differently,
    both versions are kept between marker lines. Nothing either side wrote is ever dropped.

    This is the classic diff3 algorithm on :mod:`difflib`'s matching blocks: the places where both texts
    still match the base split them into regions, and each region between them is decided on its own.
    """
    old, one, two = _lines(base), _lines(first), _lines(second)
    out: list[str] = []
    conflict = False
    z = a = b = 0
    for z_start, z_end, a_start, b_start in _stable_regions(old, one, two):
        chunk_z, chunk_a, chunk_b = old[z:z_start], one[a:a_start], two[b:b_start]
        if chunk_a == chunk_b or chunk_b == chunk_z:
            out += chunk_a
        elif chunk_a == chunk_z:
            out += chunk_b
        elif not chunk_z:
            out += _both_additions(chunk_a, chunk_b)
        else:
            conflict = True
            out += [BOTH_VERSIONS + "\n", *chunk_a, OTHER_VERSION + "\n", *chunk_b, END_OF_VERSIONS + "\n"]
        length = z_end - z_start
        out += old[z_start:z_end]
        z, a, b = z_end, a_start + length, b_start + length
    return "".join(out), conflict


def _both_additions(first: list[str], second: list[str]) -> list[str]:
    """Lines both sides inserted at one place: one of them when it holds the other, else both, a blank line apart."""
    if second[: len(first)] == first:
        return second
    if first[: len(second)] == second:
        return first
    gap = [] if first[-1].strip() == "" or second[0].strip() == "" else ["\n"]
    return [*first, *gap, *second]


def _stable_regions(base: list[str], one: list[str], two: list[str]) -> list[tuple[int, int, int, int]]:
    """Runs of base lines that both texts kept, as (base start, base end, start in one, start in two).

    Ends with an empty run at the end of all three, so the last stretch of changes is decided too.
    """
    ones = difflib.SequenceMatcher(None, base, one, autojunk=False).get_matching_blocks()
    twos = difflib.SequenceMatcher(None, base, two, autojunk=False).get_matching_blocks()
    regions: list[tuple[int, int, int, int]] = []
    i = j = 0
    while i < len(ones) - 1 and j < len(twos) - 1:
        a_base, a_at, a_len = ones[i]
        b_base, b_at, b_len = twos[j]
        start, end = max(a_base, b_base), min(a_base + a_len, b_base + b_len)
        if start < end:
            regions.append((start, end, a_at + start - a_base, b_at + start - b_base))
        if a_base + a_len < b_base + b_len:
            i += 1
        else:
            j += 1
    regions.append((len(base), len(base), len(one), len(two)))
    return regions


# -- deletions -----------------------------------------------------------------------------------------


def _record_time(paper: Paper) -> str:
    """When a record was last touched, as far as it says."""
    return max([paper.added, paper.updated, *paper.changed.values()])


def _change_time(base: Paper | None, paper: Paper) -> str:
    """When ``paper`` last changed since ``base`` ("" when it did not, or when no change of it has a time)."""
    if base is None:
        return _record_time(paper)
    times = [paper.changed.get(name, "") for name in FIELD_NAMES
             if name != "changed" and getattr(paper, name) != getattr(base, name)
             and name not in ("updated", "added")]
    times += [stamp for key, stamp in paper.changed.items()
              if key.startswith(TAG_TIME_PREFIX) and stamp != base.changed.get(key)]
    if paper.updated != base.updated:
        times.append(paper.updated)
    if paper.added != base.added:
        times.append(paper.added)
    return max(times, default="")


# -- a restored backup ------------------------------------------------------------------------------------


def restored_base(restored: Side, synced: Side) -> Side:
    """The base that merges a restored backup (``restored``) with the library as last synced (``synced``) as the old
    state it is: every field the two hold differently goes to the later change.

    A backup is older than the commits it is restored over; committed as it is, it would count as a change made
    here, the newest of all, and undo everything every copy did since it was made (a rating, a note written on
    another machine) in every copy. Merged with this base (:func:`merge_libraries` of this, ``restored``,
    ``synced``), a field takes the restored value only where its change time is later than the synced one's (a
    change made here that never reached a commit, lost with a damaged file); anywhere else, an unknown time
    included, the synced value stands. Papers held by one side only are left to the deletion rule: no base
    record, so the later of the change and the deletion decides.
    """
    papers: dict[str, Paper] = {}
    for pid, old in restored.papers.items():
        new = synced.papers.get(pid)
        if new is None or new == old:
            if new is not None:
                papers[pid] = old
            continue
        papers[pid] = _older_record(old, new)
    return Side(papers, {})


def _older_record(old: Paper, new: Paper) -> Paper:
    """``old`` with each field that ``new`` changed later than ``old`` set to ``new``'s value: what both grew from."""
    values: dict[str, Any] = {}
    changed = dict(old.changed)
    newer = [name for name in (*_STATUS_GROUP[:1], *_LATER_WINS, "note")
             if old.changed.get(name, "") > new.changed.get(name, "")]
    for name in newer:
        group = _STATUS_GROUP if name == "status" else (name,)
        for member in group:
            values[member] = getattr(new, member)
            if member in new.changed:
                changed[member] = new.changed[member]
            else:
                changed.pop(member, None)
    tags = set(old.tags)
    for tag in set(old.tags) ^ set(new.tags):
        key = tag_time_key(tag)
        if old.changed.get(key, "") > new.changed.get(key, ""):
            tags.symmetric_difference_update({tag})  # the restored side's add or remove is the later change
            if key in new.changed:
                changed[key] = new.changed[key]
            else:
                changed.pop(key, None)
    values["tags"] = sorted(tags)
    values["changed"] = changed
    return msgspec.structs.replace(old, **values)
