"""Enrichment: what the arXiv and Hugging Face APIs can add to papers already in the library.

The result is a plan, not a change: per paper, the arXiv id it turns out to have (the
paper's id becomes that id) and the field values to set, plus the papers that could
not be settled. The caller turns the plan into one undoable command, merging a
renamed paper into a record that already has its arXiv id.

How a paper without an arXiv id is found: one title search on arXiv. A candidate is
accepted only when its normalized title (case, punctuation and spacing ignored) is
identical to the paper's (or to the title it was imported under, when the user corrected
it since), or, when none is, when it is the single near-identical
candidate and its author count agrees with the one recorded. Anything else is
reported as ambiguous (several candidates, or a near match that cannot be
confirmed) or not found, never guessed.

Papers with an arXiv id are looked up 100 per request; every arXiv request waits its
turn on the client's delay. Hugging Face is asked, per paper with a new-style arXiv
id, for what only it has (upvotes, AI summary and keywords, code and project links).

A long run goes in groups (:func:`enrich_in_groups`, for the command line and the app alike), each read from
the library only when its turn comes and applied as soon as it is planned: a run of hours neither plans a paper
from a record changed since it began nor loses what it found when stopped.

Only source fields are ever planned; the user's fields (status, rating, tags, note,
read date, citation key) are never in a plan. Empty fields are filled, a value the
paper already has is kept (upvotes excepted: they are refreshed, as re-import does).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import TYPE_CHECKING, Any

from readlist.app.commands import Outcome, PaperChange, copy_value
from readlist.core.model import (
    FIELD_NAMES,
    USER_FIELDS,
    Paper,
    find_arxiv_id,
    is_arxiv_id,
    merge_papers,
    normalize_title,
    title_id,
    user_edited,
)
from readlist.net.errors import NetworkError
from readlist.storage.library import Library, Transaction

if TYPE_CHECKING:
    from readlist.net.arxiv_api import ArxivClient
    from readlist.net.hf_api import HfClient

# Normalized titles this similar (difflib ratio) are "near-identical": a changed word or two.
NEAR_IDENTICAL = 0.9
# Failures that say nothing about the paper asked for, only about one request.
_PER_REQUEST_KINDS = frozenset({"http", "query", "malformed"})

# What arXiv is trusted for, and what only Hugging Face has.
ARXIV_FIELDS = ("authors", "categories", "published", "doi", "journal_ref", "url", "abstract")
HF_FIELDS = ("upvotes", "ai_summary", "ai_keywords", "github_repo", "project_page", "organization", "authors",
             "abstract", "published")
# Source metadata that changes over time: refreshed rather than only filled.
_REFRESHED = frozenset({"upvotes"})

Progress = Callable[[str, int, int], None]
Cancelled = Callable[[], bool]


@dataclass
class Candidate:
    arxiv_id: str | None
    title: str
    authors: int

    def to_json(self) -> dict[str, Any]:
        return {"arxiv_id": self.arxiv_id, "title": self.title, "authors": self.authors}


@dataclass
class Change:
    """What to do to one paper: rename it to ``new_id`` (when set) and set ``fields``."""

    paper_id: str
    title: str
    new_id: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    # Which services the values come from ("arXiv", "Hugging Face").
    via: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.paper_id, "title": self.title, "new_id": self.new_id, "fields": dict(self.fields),
                "via": list(self.via)}

    def apply(self, paper: Paper) -> Paper:
        """The paper with this change made (a new record; the user's fields carried over untouched).

        Merging into another record that already has ``new_id`` is the caller's business: it
        knows the library.
        """
        data = paper.to_dict()
        # Checked again here: the user may have corrected a field since the plan was made.
        data.update({k: v for k, v in self.fields.items() if k not in USER_FIELDS and not user_edited(paper, k)})
        if self.new_id:
            data["id"] = self.new_id
        return Paper.from_dict(data)


@dataclass
class Unsettled:
    """A paper the plan leaves alone, and why (with the candidates when there were several)."""

    paper_id: str
    title: str
    reason: str
    candidates: list[Candidate] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.paper_id, "title": self.title, "reason": self.reason,
                "candidates": [c.to_json() for c in self.candidates]}


@dataclass
class EnrichPlan:
    changes: list[Change] = field(default_factory=list)
    # Looked up and found, with nothing to add.
    unchanged: list[str] = field(default_factory=list)
    ambiguous: list[Unsettled] = field(default_factory=list)
    not_found: list[Unsettled] = field(default_factory=list)
    failed: list[Unsettled] = field(default_factory=list)
    # Papers not reached because the user cancelled or the network gave out.
    pending: list[str] = field(default_factory=list)
    cancelled: bool = False
    # The failure that stopped the run (one line), when one did.
    error: str | None = None
    requests: dict[str, int] = field(default_factory=dict)
    # The papers of the groups an :func:`enrich_in_groups` run reached (those left pending in them too): what a
    # summary such as "enriched 3 of 20 papers" counts. Not part of the JSON plan.
    reached: int = 0

    @property
    def failed_papers(self) -> int:
        """How many papers failed; one can fail twice (on arXiv and on Hugging Face)."""
        return len({item.paper_id for item in self.failed})

    def add(self, part: EnrichPlan) -> None:
        """Add one group's plan to the whole run's (the request counts are the clients', already totals)."""
        self.changes += part.changes
        self.unchanged += part.unchanged
        self.ambiguous += part.ambiguous
        self.not_found += part.not_found
        self.failed += part.failed
        self.pending += part.pending
        self.cancelled = self.cancelled or part.cancelled
        self.error = self.error or part.error
        self.requests = dict(part.requests)
        self.reached += part.reached

    def to_json(self) -> dict[str, Any]:
        return {
            "changes": [c.to_json() for c in self.changes],
            "unchanged": list(self.unchanged),
            "ambiguous": [u.to_json() for u in self.ambiguous],
            "not_found": [u.to_json() for u in self.not_found],
            "failed": [u.to_json() for u in self.failed],
            "pending": list(self.pending),
            "cancelled": self.cancelled,
            "error": self.error,
            "requests": dict(self.requests),
        }


@dataclass
class TitleMatch:
    paper: Paper | None
    status: str  # "match", "ambiguous" or "not-found"
    reason: str = ""
    candidates: list[Paper] = field(default_factory=list)


def recorded_author_count(paper: Paper) -> int | None:
    if paper.authors:
        return len(paper.authors)
    return paper.authors_count or None


def match_title(paper: Paper, candidates: Sequence[Paper]) -> TitleMatch:
    """Decide which candidate, if any, is ``paper``: identical title, or one confirmed near-identical one."""
    key = normalize_title(paper.title)
    unique: list[Paper] = []
    for candidate in candidates:
        if all(candidate.arxiv_id != c.arxiv_id for c in unique):
            unique.append(candidate)
    count = recorded_author_count(paper)
    # A title the paper was imported under counts as its own (its t-… id is the paper's id or an alias): the user
    # may have corrected the title arXiv still has.
    imported_as = {paper.id, *paper.aliases}
    identical = [c for c in unique if normalize_title(c.title) == key or title_id(c.title) in imported_as]
    if len(identical) == 1:
        return TitleMatch(identical[0], "match")
    if identical:
        agreeing = [c for c in identical if count is not None and len(c.authors) == count]
        if len(agreeing) == 1:
            return TitleMatch(agreeing[0], "match")
        return TitleMatch(None, "ambiguous", f"{len(identical)} arXiv papers have this title", identical)
    near = [c for c in unique if SequenceMatcher(None, key, normalize_title(c.title)).ratio() >= NEAR_IDENTICAL]
    if not near:
        return TitleMatch(None, "not-found", "no arXiv paper has this title", [])
    if len(near) > 1:
        return TitleMatch(None, "ambiguous", f"{len(near)} arXiv papers have a similar title", near)
    only = near[0]
    if count is None:
        return TitleMatch(None, "ambiguous", "a similar title, but no author count is recorded to confirm it", near)
    if len(only.authors) != count:
        return TitleMatch(
            None, "ambiguous",
            f"a similar title, but {len(only.authors)} authors on arXiv and {count} recorded", near,
        )
    return TitleMatch(only, "match")


def fill(paper: Paper, found: Paper, names: Sequence[str], already: dict[str, Any]) -> dict[str, Any]:
    """The values of ``found`` for ``names`` that ``paper`` lacks (and refreshed upvotes), not yet in ``already``."""
    out: dict[str, Any] = {}
    for name in names:
        if name in USER_FIELDS or name in already or user_edited(paper, name):
            continue
        new = getattr(found, name)
        if _empty(new):
            continue
        old = getattr(paper, name)
        if name in _REFRESHED:
            if new != old:
                out[name] = new
        elif _empty(old):
            out[name] = list(new) if isinstance(new, list) else new
    if "authors" in out and recorded_author_count(paper) != len(out["authors"]):
        out["authors_count"] = len(out["authors"])
    return out


def _empty(value: object) -> bool:
    return value is None or value == "" or value == []


def plan_enrichment(
    papers: Sequence[Paper],
    *,
    arxiv: ArxivClient | None,
    hf: HfClient | None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> EnrichPlan:
    """Look every paper up and decide what to fill; see the module docstring for the rules.

    ``progress(phase, done, total)`` is called as work advances; ``cancelled()`` is checked
    before each request, and a cancelled run returns what it settled so far (the rest in
    ``pending``). A network failure that is not about one request (offline, no network,
    rate limited after retries, …) stops the run the same way, with ``error`` set.
    """
    plan = EnrichPlan()
    by_id = {p.id: p for p in papers}
    order = list(by_id)
    changes: dict[str, Change] = {}
    found_arxiv: dict[str, Paper] = {}  # paper id -> the arXiv record it is
    settled: set[str] = set()

    def stop(error: NetworkError | None) -> None:
        if error is not None:
            plan.error = str(error)
        else:
            plan.cancelled = True

    def is_cancelled() -> bool:
        return cancelled is not None and cancelled()

    with_id = [p for p in by_id.values() if p.arxiv_id]
    without_id = [p for p in by_id.values() if not p.arxiv_id]
    halted = False

    # 1. Papers with an arXiv id: batched lookups.
    if arxiv is not None and with_id:
        valid = [p for p in with_id if p.arxiv_id and is_arxiv_id(p.arxiv_id)]
        valid_ids = {p.id for p in valid}
        for paper in with_id:
            if paper.id not in valid_ids:
                plan.failed.append(Unsettled(paper.id, paper.title, f"{paper.arxiv_id!r} is not an arXiv id"))
                settled.add(paper.id)
        wanted = {find_arxiv_id(p.arxiv_id or "") or "": p for p in valid}

        def id_progress(done: int, total: int) -> None:
            if progress is not None:
                progress("arXiv ids", done, total)

        batches = arxiv.by_id_batches(list(wanted), progress=id_progress, cancelled=cancelled)
        try:
            for lookup in batches:
                for arxiv_id, record in lookup.found.items():
                    found_arxiv[wanted[arxiv_id].id] = record
                for arxiv_id in lookup.missing:
                    paper = wanted[arxiv_id]
                    why = lookup.answered_otherwise(arxiv_id) or f"arXiv has no paper {arxiv_id}"
                    plan.not_found.append(Unsettled(paper.id, paper.title, why))
                    settled.add(paper.id)
        except NetworkError as exc:
            if exc.kind not in _PER_REQUEST_KINDS:
                stop(exc)
                halted = True
            else:
                for paper in valid:
                    if paper.id not in found_arxiv and paper.id not in settled:
                        plan.failed.append(Unsettled(paper.id, paper.title, str(exc)))
                        settled.add(paper.id)
        if is_cancelled():
            stop(None)
            halted = True

    # 2. Papers without one: a title search each.
    if arxiv is not None and not halted:
        for done, paper in enumerate(without_id):
            if is_cancelled():
                stop(None)
                halted = True
                break
            if progress is not None:
                progress("arXiv titles", done, len(without_id))
            try:
                candidates = arxiv.search_title(paper.title)
            except NetworkError as exc:
                if exc.kind in _PER_REQUEST_KINDS:
                    plan.failed.append(Unsettled(paper.id, paper.title, str(exc)))
                    settled.add(paper.id)
                    continue
                stop(exc)
                halted = True
                break
            match = match_title(paper, candidates)
            if match.paper is not None:
                found_arxiv[paper.id] = match.paper
                continue
            unsettled = Unsettled(
                paper.id, paper.title, match.reason,
                [Candidate(c.arxiv_id, c.title, len(c.authors)) for c in match.candidates],
            )
            (plan.ambiguous if match.status == "ambiguous" else plan.not_found).append(unsettled)
            settled.add(paper.id)
        else:
            if progress is not None and without_id:
                progress("arXiv titles", len(without_id), len(without_id))

    # What arXiv gave: the id (and the rename), then the fields.
    for paper_id, arxiv_record in found_arxiv.items():
        paper = by_id[paper_id]
        change = Change(paper.id, paper.title)
        found_id = arxiv_record.arxiv_id
        if found_id and paper.arxiv_id != found_id:
            change.fields["arxiv_id"] = found_id
        if found_id and paper.id != found_id:
            change.new_id = found_id
        change.fields.update(fill(paper, arxiv_record, ARXIV_FIELDS, change.fields))
        change.via.append("arXiv")
        changes[paper.id] = change
        settled.add(paper.id)

    # 3. Hugging Face: per paper with a new-style id, for what only it has.
    if hf is not None and not halted:
        asked = [
            p for p in by_id.values()
            if _hf_id(p, changes.get(p.id)) is not None and (p.ai_summary is None or p.upvotes is None)
        ]
        for done, paper in enumerate(asked):
            if is_cancelled():
                stop(None)
                halted = True
                break
            if progress is not None:
                progress("Hugging Face", done, len(asked))
            hf_id = _hf_id(paper, changes.get(paper.id)) or ""
            try:
                hf_record = hf.paper(hf_id)
            except NetworkError as exc:
                if exc.kind in _PER_REQUEST_KINDS:
                    plan.failed.append(Unsettled(paper.id, paper.title, str(exc)))
                    continue
                stop(exc)
                halted = True
                break
            settled.add(paper.id)
            if hf_record is None:
                continue
            change = changes.setdefault(paper.id, Change(paper.id, paper.title))
            extra = fill(paper, hf_record, HF_FIELDS, change.fields)
            if extra:
                change.fields.update(extra)
                change.via.append("Hugging Face")
        else:
            if progress is not None and asked:
                progress("Hugging Face", len(asked), len(asked))

    for paper_id in order:
        planned = changes.get(paper_id)
        if planned is not None and (planned.fields or planned.new_id):
            plan.changes.append(planned)
        elif planned is not None:
            plan.unchanged.append(paper_id)
        elif paper_id not in settled and (halted or arxiv is None):
            plan.pending.append(paper_id)
        elif paper_id not in settled:
            plan.unchanged.append(paper_id)
    if arxiv is not None:
        plan.requests["arxiv"] = arxiv.requests
    if hf is not None:
        plan.requests["hf"] = hf.requests
    assert not any(USER_FIELDS & planned.fields.keys() for planned in plan.changes)
    return plan


def enrich_in_groups(
    ids: Sequence[str],
    size: int,
    *,
    read: Callable[[Sequence[str]], list[Paper]],
    apply: Callable[[EnrichPlan], None],
    arxiv: ArxivClient | None,
    hf: HfClient | None,
    plan: EnrichPlan | None = None,
    starting: Callable[[int, int, int], Progress | None] | None = None,
    cancelled: Cancelled | None = None,
) -> EnrichPlan:
    """Enrich the papers ``ids`` name, ``size`` at a time: each group read, planned, then handed to ``apply``.

    A long run (``enrich --all`` at 100,000 papers takes hours at arXiv's pace) must not plan a paper from a record
    read at its start: another process, or an earlier group, may have corrected, deleted or renamed it since. So
    each group is read by ``read(ids)`` only when its turn comes (:func:`papers_now` gives the papers as a library
    has them: one deleted left out, one renamed under the id it has now), and a paper already looked up in this run
    is not looked up again. ``apply(part)`` gets every group's plan as soon as it is made (the caller makes it one
    command, or nothing for a dry run), so that an interrupted run keeps the groups applied before it.

    ``starting(first, last, total)`` is told which papers of the run a group is before it is looked up, and may
    return the progress callback for that group's lookups. The run stops after a group whose plan was cancelled or
    stopped by a network failure, and before any group once ``cancelled()`` holds; the ids of the groups not reached
    are then ``pending``. The groups' plans are gathered into ``plan`` (given, it holds what was gathered even when
    an exception, such as Ctrl-C, ends the run), each after its ``apply`` has returned.
    """
    plan = plan if plan is not None else EnrichPlan()
    looked_up: set[str] = set()
    for start in range(0, len(ids), size):
        if cancelled is not None and cancelled():
            plan.cancelled = True
            plan.pending += ids[start:]
            break
        group = [p for p in read(ids[start:start + size]) if p.id not in looked_up]
        if not group:
            continue
        looked_up.update(p.id for p in group)
        first = plan.reached + 1
        told = starting(first, first + len(group) - 1, len(ids)) if starting is not None else None
        part = plan_enrichment(group, arxiv=arxiv, hf=hf, progress=told, cancelled=cancelled)
        part.reached = len(group)
        apply(part)
        plan.add(part)  # after applying: an interrupted run counts the plan's changes as kept
        if part.error or part.cancelled:
            plan.pending += ids[start + size:]
            break
    return plan


def papers_now(library: Library, ids: Iterable[str]) -> list[Paper]:
    """The papers ``ids`` name as ``library`` has them now, each once: one renamed since (an import or enrichment
    gave it its arXiv id) under the id it has now, one deleted since left out."""
    found: dict[str, Paper] = {}
    for paper_id in ids:
        paper = library.named_by_id(paper_id)
        if paper is not None:
            found.setdefault(paper.id, paper)
    return list(found.values())


def _hf_id(paper: Paper, change: Change | None) -> str | None:
    arxiv_id = paper.arxiv_id or (change.fields.get("arxiv_id") if change else None)
    if isinstance(arxiv_id, str) and "/" not in arxiv_id and is_arxiv_id(arxiv_id):
        return arxiv_id
    return None


def needs_enrichment(paper: Paper) -> bool:
    """A paper enrichment can add to: no arXiv id, or no author names, or no URL to open."""
    return not paper.arxiv_id or not paper.authors or not paper.url


def enrich_hint(papers: Sequence[Paper], *, source: str | None = None) -> str | None:
    """The one line shown after an import that brought in papers without arXiv ids; None when all have one.

    With ``source`` (a file name without spaces or quotes), the command names just those papers.
    """
    missing = sum(1 for p in papers if not p.arxiv_id)
    if not missing:
        return None
    query = "-is:arxiv"
    if source and re.fullmatch(r"[\w.@+/:-]+", source):
        query += f" source:{source}"
    papers_word = "paper has" if missing == 1 else "papers have"
    return (
        f"{missing} {papers_word} no arXiv id; "
        f"`readlist enrich --query '{query}'` (or E in the app) looks them up on arXiv for ids, authors and links"
    )


@dataclass(frozen=True)
class ApplyEnrichment:
    """Make the changes of a plan, as one undoable command.

    A paper that turns out to have an arXiv id takes it as its id (its old id is kept as an alias, so
    lookups by it still work); when the library already holds a record with that id, the two are merged
    into it, the user's status, rating, tags and notes of both kept (see :func:`merge_papers`).
    """

    changes: Sequence[Change]

    def execute(self, library: Library) -> Outcome:
        outcome = Outcome("Enriched")
        with library.transaction() as txn:
            for change in self.changes:
                paper = library.get(change.paper_id)
                if paper is None:
                    continue  # deleted since the plan was made
                enriched = change.apply(paper)
                other = library.get(enriched.id) if enriched.id != paper.id else None
                if enriched.id == paper.id:
                    _set_differences(txn, outcome, paper, enriched)
                    continue
                outcome.changes[paper.id] = PaperChange(paper.to_dict(), None)
                txn.delete(paper.id)
                if other is None:
                    enriched.aliases = sorted({*enriched.aliases, paper.id})
                    txn.put(enriched)
                    outcome.changes[enriched.id] = PaperChange(None, enriched.to_dict())
                else:
                    merged = merge_papers(other, enriched)
                    merged.aliases = sorted({*merged.aliases, paper.id} - {merged.id})
                    _set_differences(txn, outcome, other, merged)
        return outcome


def _set_differences(txn: Transaction, outcome: Outcome, paper: Paper, wanted: Paper) -> None:
    diff = {name: copy_value(getattr(wanted, name)) for name in FIELD_NAMES
            if name != "id" and getattr(wanted, name) != getattr(paper, name)}
    if not diff:
        return
    before = {name: copy_value(getattr(paper, name)) for name in diff}
    txn.set(paper, diff)
    outcome.changes[paper.id] = PaperChange(before, {k: copy_value(v) for k, v in diff.items()})
