"""Repairing a library file whose records do not validate: ``readlist doctor --repair``.

A library written by hand, by another program or by a future sync can hold a record with a value
of the wrong type (a rating of ``"five"``), or two records with one id. Opening such a library is
refused (see :mod:`readlist.storage.snapshot`); this module makes it usable again without losing
anything:

* a value that means the same in the right type is converted (``"5"`` → 5, ``"rl, agents"`` →
  ``["agents", "rl"]``, a note of ``7`` → ``"7"``, ``"To Read"`` → ``to-read``);
* a value that cannot be understood is reset to the field's default, and the original is written to
  the quarantine file beside the library, so nothing is lost;
* records with one id are merged into one (user fields combined: both notes kept, tags joined,
  the higher rating);
* a record that cannot be a paper at all (no title) is moved whole into the quarantine file.

The original file is kept as a backup first, and the repaired library is written as a new snapshot
generation, so a crash leaves either the old file or the repaired one.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec

from readlist.core.model import (
    CHANGE_TIME_PATTERN,
    FIELD_DEFAULTS,
    FIELD_NAMES,
    Paper,
    ValidationError,
    find_arxiv_id,
    merge_papers,
    normalize_tags,
    parse_rating,
    parse_status,
    title_id,
)
from readlist.core.text import clean_line, clean_note
from readlist.storage.atomic import atomic_write_bytes
from readlist.storage.backups import make_backup
from readlist.storage.errors import LibraryError
from readlist.storage.journal import apply_ops, read_journal
from readlist.storage.library import check_writable, held, library_lock
from readlist.storage.paths import journal_path
from readlist.storage.snapshot import (
    LINES_SCHEMA,
    deleted_table,
    encode_snapshot,
    field_problem,
    new_library_id,
    papers_table,
    repeated_fields,
    snapshot_header,
    table_records,
)
from readlist.storage.undo_step import load_folded_step, newest_step, save_folded_step

_CHANGE_TIME = re.compile(CHANGE_TIME_PATTERN)
_LIST_FIELDS = {"authors", "tags", "sources", "categories", "ai_keywords"}
_WORD_RATINGS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5}


@dataclass
class RepairReport:
    library: Path
    fixed: list[str] = field(default_factory=list)  # one line per value converted or reset
    merged: list[str] = field(default_factory=list)  # ids whose duplicate records were merged
    quarantined: list[str] = field(default_factory=list)  # records moved out whole
    quarantine_file: Path | None = None
    backup: Path | None = None
    papers: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.fixed or self.merged or self.quarantined)

    def to_dict(self) -> dict[str, Any]:
        return {
            "library": str(self.library),
            "fixed": self.fixed,
            "merged": self.merged,
            "quarantined": self.quarantined,
            "quarantine_file": str(self.quarantine_file) if self.quarantine_file else None,
            "backup": str(self.backup) if self.backup else None,
            "papers": self.papers,
        }


def _coerce(name: str, value: Any) -> Any:
    """``value`` as field ``name`` holds it, when that keeps its meaning; raises ValueError otherwise."""
    if name == "rating":
        if isinstance(value, str) and value.strip().lower() in _WORD_RATINGS:
            return _WORD_RATINGS[value.strip().lower()]
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return parse_rating(value)
    if name in ("status", "prev_status"):
        if value is None and name == "prev_status":
            return None
        return parse_status(str(value)).value
    if name == "tags":
        return normalize_tags(value if isinstance(value, str | list) else [])
    if name == "changed" and isinstance(value, dict):
        # When each field last changed (what sync merges by): the times that read as times are kept.
        kept = {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str) and _CHANGE_TIME.match(v)}
        if kept == value:
            raise ValueError("not a table of change times")
        return kept
    if name in _LIST_FIELDS:
        if isinstance(value, str):
            return [clean_line(part) for part in value.split(";" if ";" in value else ",") if clean_line(part)]
        if isinstance(value, list):
            return [clean_line(str(v)) for v in value if clean_line(str(v))]
        raise ValueError("not a list")
    if name == "note":
        if isinstance(value, str | int | float):
            return clean_note(str(value))
        raise ValueError("not text")
    if name == "published":
        text = str(value) if isinstance(value, str) else ""
        if len(text) >= 10 and text[4] == "-" and text[7] == "-":
            return text[:10]
        raise ValueError("not a date")
    if name in ("authors_count", "upvotes"):
        if isinstance(value, str) and value.strip().isdigit():
            return int(value.strip())
        raise ValueError("not a number")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise ValueError("cannot be converted")


_QUARANTINE_ENCODER = msgspec.json.Encoder(decimal_format="number")


def _shown(value: Any) -> str:
    """A value as a repair note quotes it: a number of 5,000 digits, or a long text, is not repeated whole."""
    text = str(value) if isinstance(value, Decimal) else repr(value)
    return text if len(text) <= 80 else f"{text[:40]}… ({len(text)} characters)"


def repair_record(raw: Any) -> tuple[Paper | None, list[str], dict[str, Any]]:
    """A valid paper from a raw record, what was done, and the original values that had to be dropped."""
    if not isinstance(raw, dict):
        return None, ["not a record"], {}
    values = {k: v for k, v in raw.items() if k in FIELD_NAMES}
    notes: list[str] = []
    dropped: dict[str, Any] = {k: v for k, v in raw.items() if k not in FIELD_NAMES}
    if dropped:
        notes.append(f"unknown field(s) {', '.join(sorted(dropped))} moved to the quarantine file")
    for name, given in repeated_fields(raw).items():
        dropped[f"{name} (given earlier)"] = given[:-1]
        notes.append(f"{name} was given {len(given)} times; the last value is kept, the others are in the quarantine "
                     "file")
    title = values.get("title")
    if not isinstance(title, str) or not clean_line(title):
        return None, ["no title"], {}
    if not isinstance(values.get("id"), str) or not values.get("id"):
        arxiv = values.get("arxiv_id")
        values["id"] = (find_arxiv_id(arxiv) if isinstance(arxiv, str) else None) or title_id(title)
        notes.append(f"id was missing; set to {values['id']}")
    for _ in range(len(FIELD_NAMES)):
        try:
            return msgspec.convert(values, Paper), notes, dropped
        except msgspec.ValidationError as exc:
            name = field_problem(exc).split(":", 1)[0].split(".")[0].split("[")[0]
            if name not in values:
                return None, [field_problem(exc)], dropped
            original = values[name]
            try:
                values[name] = _coerce(name, original)
                notes.append(f"{name} {_shown(original)} read as {values[name]!r}")
                continue
            except (ValueError, ValidationError):
                pass
            default = FIELD_DEFAULTS.get(name)
            values[name] = [] if name in _LIST_FIELDS else default
            dropped[name] = original
            notes.append(
                f"{name} {_shown(original)} could not be understood; reset (the original is in the quarantine file)"
            )
    return None, ["could not be repaired"], dropped


def repair_library(path: Path) -> RepairReport:
    """Repair the library file at ``path`` in place (backup and quarantine file first); see the module doc."""
    report = RepairReport(path)
    check_writable(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise LibraryError(f"{path}: cannot be read ({exc.strerror or exc}); nothing was repaired") from None
    header = snapshot_header(raw)
    table = papers_table(raw)
    if header is None or table is None:
        raise LibraryError(
            f"{path}: the file is not a readable library (damaged JSON or header), so its records cannot be repaired; "
            f"restore a backup with `readlist --db {path} doctor --restore`"
        )
    try:
        # Every record, two under one id included (a plain JSON decode would keep only the last).
        records = table_records(table)
    except ValueError:
        raise LibraryError(f"{path}: the papers table is not a table of records; restore a backup instead") from None
    keyed = header.schema >= LINES_SCHEMA
    papers: dict[str, Paper] = {}
    quarantine: list[dict[str, Any]] = []
    for key, record in records:
        paper, notes, dropped = repair_record(record)
        if paper is not None and keyed and key != paper.id:
            notes.append(f"was filed under {key!r}; filed under its own id")
        label = f"record {key}" if paper is None else f"paper {paper.id}"
        if paper is None:
            report.quarantined.append(f"{label}: {'; '.join(notes)}")
            quarantine.append({"record": record, "why": notes})
            continue
        if notes:
            report.fixed.extend(f"{label}: {note}" for note in notes)
        if dropped:
            quarantine.append({"id": paper.id, "dropped": dropped, "why": notes})
        if paper.id in papers:
            papers[paper.id] = merge_papers(papers[paper.id], paper)
            report.merged.append(paper.id)
        else:
            papers[paper.id] = paper
    if not report.changed:
        report.papers = len(papers)
        return report
    # Changes already confirmed in the journal still belong on top of the repaired records.
    deleted = deleted_table(raw)
    journal = read_journal(journal_path(path), header.gen, header.library)
    for ops, at in zip(journal.batches, journal.stamps, strict=True):
        apply_ops(papers, ops, deleted, at)
    with held(library_lock(path), path):
        try:
            report.backup = make_backup(path)
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            if quarantine:
                report.quarantine_file = path.with_name(f"{path.name}.quarantine-{stamp}.json")
                atomic_write_bytes(
                    # A number too long for an int (read as a Decimal) is written back as the same number.
                    report.quarantine_file, msgspec.json.format(_QUARANTINE_ENCODER.encode(quarantine), indent=2)
                )
            library_id = header.library or new_library_id()
            if (step := newest_step(journal.steps)) and step != load_folded_step(path):
                save_folded_step(path, step)  # the journal goes: `readlist undo` still needs its newest step
            atomic_write_bytes(path, encode_snapshot(header.gen + 1, papers.values(), library_id, deleted))
        except OSError as exc:
            # A quarantine file beside an unrepaired library would claim values were taken out that are still in it.
            if report.quarantine_file is not None:
                report.quarantine_file.unlink(missing_ok=True)
            raise LibraryError(
                f"{path}: could not repair the library ({exc.strerror or exc}); the file was left as it was: "
                "free some space (or make the folder writable) and repair again"
            ) from exc
        with contextlib.suppress(OSError):
            journal_path(path).unlink()
    report.papers = len(papers)
    return report
