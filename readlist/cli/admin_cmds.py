"""``readlist doctor``: check the library files, list and restore backups, fold the journal in."""

from __future__ import annotations

import contextlib
import os
import stat
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from rich.text import Text

from readlist.cli.context import library_path_of, made_durable
from readlist.cli.output import console, echo_err, fail, info, print_json
from readlist.core.text import counted, first_few, inert_text
from readlist.storage.atomic import open_regular, stale_temp_files
from readlist.storage.backups import list_backups, newest_good_backup
from readlist.storage.errors import LibraryError
from readlist.storage.journal import WHY_KEPT_ASIDE, kept_aside_journals, read_journal
from readlist.storage.library import Library
from readlist.storage.paths import backup_dir, journal_path, lock_path
from readlist.storage.recovery import PaperCounts, restore_backup
from readlist.storage.repair import repair_library
from readlist.storage.snapshot import HEAD_BYTES, SnapshotHeader, may_be_json, snapshot_header, snapshot_problems


@dataclass
class BackupInfo:
    path: Path
    taken: str | None
    papers: int | None
    problem: str | None
    size: int

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "taken": self.taken, "papers": self.papers, "problem": self.problem,
                "bytes": self.size}


@dataclass
class Report:
    library: Path
    papers: int | None = None
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    journal: dict[str, Any] = field(default_factory=dict)
    backups: list[BackupInfo] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "library": str(self.library),
            "healthy": self.healthy,
            "papers": self.papers,
            "problems": self.problems,
            "warnings": self.warnings,
            "notes": self.notes,
            "journal": self.journal,
            "backups": [b.to_dict() for b in self.backups],
        }


def _taken(backup: Path) -> str | None:
    """The backup's time, from its name (a UTC timestamp)."""
    try:
        when = datetime.strptime(backup.name[:23], "%Y%m%dT%H%M%S.%fZ").replace(tzinfo=UTC)
    except ValueError:
        return None
    return when.isoformat(timespec="seconds")


def describe_backups(path: Path, counts: PaperCounts | None = None) -> list[BackupInfo]:
    out = []
    counts = counts or PaperCounts()
    for backup in list_backups(path):
        papers, problem = counts.of_backup(path, backup)
        size = sum(f.stat().st_size for f in backup.iterdir() if f.is_file())
        out.append(BackupInfo(backup, _taken(backup), papers, problem, size))
    return out


def _private(item: Path, wanted: int, report: Report) -> None:
    with contextlib.suppress(OSError):
        current = stat.S_IMODE(item.stat().st_mode)
        if current & 0o077:
            report.warnings.append(f"{item} is readable by other users (mode {current:o}); `chmod {wanted:o}` it")


def diagnose(path: Path) -> Report:
    """Check everything about a library without changing a byte."""
    report = Report(path)
    if not path.exists() and not path.is_symlink():
        report.notes.append("no library file yet; it is created by the first import")
        return report
    counts = PaperCounts()  # the newest backups share the library's file: it is read once for them all
    try:
        report.papers = counts.of_library(path)
    except LibraryError as exc:
        report.problems.append(str(exc))
    raw = _library_bytes(path)
    if raw is not None:
        _check_records(raw, path, report)
    header = snapshot_header(raw) if raw is not None else None
    del raw  # the whole file, at 100,000 papers a quarter of a gigabyte: the journal needs its header only
    _check_journal(path, report, header)
    before = len(report.problems)
    _check_kept_aside(path, report)
    set_aside = report.problems[before:]  # files beside the library to read and delete: no backup brings them back
    for temp in stale_temp_files(path):
        report.warnings.append(f"{temp} is left over from an interrupted write (safe to delete; "
                               "`readlist doctor --compact` removes it)")
    if path.is_file():
        _private(path, 0o600, report)
    for item in (journal_path(path), lock_path(path)):
        if item.is_file():
            _private(item, 0o600, report)
    if backup_dir(path).is_dir():
        _private(backup_dir(path), 0o700, report)
    report.backups = describe_backups(path, counts)
    for backup in report.backups:
        if backup.problem:
            report.warnings.append(f"backup {backup.path.name} cannot be restored: {backup.problem}")
    if [problem for problem in report.problems if problem not in set_aside]:
        good = newest_good_backup(path)
        if good is not None:
            report.notes.append(f"restore the newest good backup with `readlist --db {path} doctor --restore`"
                                f" ({good.parent.name})")
    return report


def _library_bytes(path: Path) -> bytes | None:
    """The library file's bytes, read once for the checks of its records and of its journal; None when there are
    none to check: no regular file (a pipe would be waited on for ever; opening the library said what it is), one
    that cannot be read, or one that is not JSON from its first byte (not read on: gigabytes of zeros, say)."""
    try:
        with open_regular(path) as handle:
            head = handle.read(HEAD_BYTES)
            return head + handle.read() if may_be_json(head) else None
    except OSError:
        return None


def _check_records(raw: bytes, path: Path, report: Report) -> None:
    """Every record that does not validate, and every id used twice, even when the library cannot open."""
    unknown: dict[str, list[str]] = {}
    problems = snapshot_problems(raw, unknown=unknown)
    for name, keys in sorted(unknown.items()):
        shown = first_few(keys, 3)
        report.warnings.append(
            f"{counted(len(keys), 'paper')} ({shown}) {'holds' if len(keys) == 1 else 'hold'} a field this readlist "
            f"does not know, {name!r}: the next change rewrites the library without it (the backup made before "
            "that change keeps it)")
    duplicates = sorted({p.paper_id or p.key for p in problems if p.duplicate})
    if duplicates:
        report.problems.append(
            f"{len(duplicates)} paper id(s) appear more than once in the library file: {', '.join(duplicates[:5])}"
        )
    bad = [str(p) for p in problems if not p.duplicate]
    if bad:
        report.problems.append(f"{len(bad)} paper record(s) do not validate: " + "; ".join(bad))
    if problems:
        report.notes.append(f"`readlist --db {path} doctor --repair` fixes these records (the file is backed up "
                            "first; values it cannot use go to a quarantine file beside the library)")


def _check_kept_aside(path: Path, report: Report) -> None:
    for kept in kept_aside_journals(path):
        reason = kept.name.removeprefix(path.name + ".journal.").split("-")[0]
        if reason == "damaged":
            report.problems.append(
                f"{kept}: a journal with damaged lines, kept when it was folded in: its readable changes are in the "
                "library, the damaged lines are not. Read it (one JSON line per change), re-apply what you need, "
                "then delete it"
            )
            continue
        why = next((w for b, w in WHY_KEPT_ASIDE.items() if b.value == reason), "was set aside")
        report.problems.append(
            f"{kept}: a journal kept aside because it {why}; its changes were never applied. Read it (one JSON "
            "line per change), re-apply what you need, then delete it"
        )


def _check_journal(path: Path, report: Report, header: SnapshotHeader | None) -> None:
    """The journal beside the library, read as belonging to the library file whose ``header`` is given."""
    journal = journal_path(path)
    if not journal.exists():
        report.journal = {"exists": False}
        return
    if not journal.is_file():
        if not any(problem.startswith(f"{journal} is ") for problem in report.problems):  # said when it was opened
            report.problems.append(f"{journal} is not a file; move it away")
        report.journal = {"exists": True, "file": False}
        return
    size = journal.stat().st_size
    gen, library = (header.gen, header.library) if header is not None else (-1, "")
    try:
        read = read_journal(journal, gen, library)
    except LibraryError as exc:
        report.problems.append(str(exc))
        return
    snapshot_size = path.stat().st_size if path.is_file() else 0
    report.journal = {
        "exists": True,
        "bytes": size,
        "live": read.live,
        "entries": len(read.batches),
        "bad_lines": read.bad_lines,
        "torn_bytes": read.torn_bytes,
        "belongs": read.belonging.value,
    }
    if read.belonging.kept_aside:
        report.problems.append(
            f"{journal.name} {WHY_KEPT_ASIDE[read.belonging]}: none of its changes are applied; readlist moves it "
            "aside (never deletes it) the next time it opens the library"
        )
        return
    if not read.live:
        report.warnings.append(
            f"{journal.name} belongs to an older generation of the library (already folded in) and is ignored"
        )
        return
    if read.bad_lines:
        report.problems.append(
            f"{journal.name}: {read.bad_lines} damaged line(s) were skipped; a backup holds the journal as it "
            "was before each session"
        )
    if read.torn_bytes:
        report.warnings.append(
            f"{journal.name} ends with a change cut off by a crash ({read.torn_bytes} bytes); it was never "
            "confirmed and is ignored"
        )
    if snapshot_size and size > max(snapshot_size // 4, 1024 * 1024):
        report.warnings.append(
            f"{journal.name} is {size / 1e6:.1f} MB; `readlist doctor --compact` folds it into the library file"
        )


def _print_report(report: Report) -> None:
    header = Text()
    header.append("library  ", style="dim")
    header.append(inert_text(str(report.library)))
    if report.papers is not None:
        header.append(f"  ({counted(report.papers, 'paper')})")
    console.print(header)
    j = report.journal
    if j.get("exists") and "bytes" in j:
        state = "live" if j.get("live") else "stale"
        info(f"journal  {j['bytes']} bytes, {state}, {j.get('entries', 0)} change(s) not yet folded in")
    elif not j.get("exists"):
        info("journal  none (everything is in the library file)")
    if report.backups:
        info(f"backups  {len(report.backups)} in {backup_dir(report.library)}")
        for backup in report.backups:
            _print_backup(backup)
    else:
        info("backups  none yet (one is kept before each session that changes the library)")
    for problem in report.problems:
        line = Text("✗ ", style="bold red")
        line.append(inert_text(problem))
        console.print(line)
    for warning in report.warnings:
        line = Text("! ", style="bold yellow")
        line.append(inert_text(warning))
        console.print(line)
    for note in report.notes:
        info(note)
    if report.healthy:
        console.print(Text("✓ the library is healthy", style="bold green"))


def _print_backup(backup: BackupInfo) -> None:
    line = Text("  ")
    line.append(backup.path.name, style="cyan")
    when = (backup.taken or "?").replace("T", " ").replace("+00:00", " UTC")
    line.append(f"  {when}  ")
    if backup.papers is not None:
        line.append(counted(backup.papers, "paper"))
    else:
        line.append("damaged", style="red")
    line.append(f"  {backup.size / 1e6:.1f} MB", style="dim")
    console.print(line)


def _find_backup(path: Path, name: str) -> Path:
    """A backup by directory name (or a unique prefix of one) or by path; never the library itself."""
    given = Path(name).expanduser()
    found = given if given.is_dir() and (given / path.name).is_file() else None
    if found is None and given.is_file() and given.name == path.name:
        found = given.parent
    if found is not None:
        # Its own folder given as a path (`.` where it lives) would be "restored" onto itself, one more backup kept.
        if path.exists() and os.path.samefile(found / path.name, path):
            raise LibraryError(f"{name!r} is the library itself (or its folder), not a backup: nothing was "
                               "restored; `readlist doctor --list-backups` lists the backups")
        return found
    matches = [b for b in list_backups(path) if b.name.startswith(name)]
    if len(matches) == 1:
        return matches[0]
    known = ", ".join(b.name for b in list_backups(path)) or "none"
    if not matches:
        raise LibraryError(f"no backup named {name!r} for {path} (backups: {known})")
    raise LibraryError(f"backup name {name!r} is ambiguous (backups: {known})")


# ``--restore`` given without a value: distinct from any name a user can type, so ``--restore ""`` (an empty
# shell variable, say) is an error rather than "the newest backup".
NEWEST = "\0newest"


@click.command("doctor")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option(
    "--restore",
    "restore",
    is_flag=False,
    flag_value=NEWEST,
    default=None,
    metavar="[BACKUP]",
    help="Restore the newest good backup, or the one named; the current files are backed up first.",
)
@click.option("--compact", is_flag=True, help="Fold the journal into the library file and remove stale temp files.")
@click.option("--list-backups", "list_only", is_flag=True, help="List the backups with their dates and sizes.")
@click.option(
    "--repair", is_flag=True,
    help="Fix records that do not validate and merge duplicate ids (original kept as a backup, nothing dropped).",
)
@click.pass_context
def doctor_cmd(
    ctx: click.Context, as_json: bool, restore: str | None, compact: bool, list_only: bool, repair: bool
) -> None:
    """Check the library files, and list or restore backups.

    Checks the header and schema, that every paper record is valid, duplicate
    ids, the journal of recent changes, leftovers of interrupted writes, file
    permissions and the backups. Exits 0 when the library is healthy and 1
    when a problem was found.

    \b
    Examples:
      readlist doctor
      readlist doctor --list-backups
      readlist doctor --restore                    the newest good backup
      readlist doctor --restore 20250101T120000    a named one
      readlist doctor --compact
      readlist doctor --repair                     fix damaged records, merge duplicate ids
    """
    path = library_path_of(ctx)
    if restore is not None:
        _restore(ctx, path, restore, as_json)
        return
    if compact:
        _compact(ctx, path, as_json)
        return
    if repair:
        _repair(ctx, path, as_json)
        return
    if list_only:
        backups = describe_backups(path)
        if as_json:
            print_json([b.to_dict() for b in backups])
        elif not backups:  # on stderr: a pipe reading the backups gets none, not this sentence as one
            echo_err(f"no backups of {path} yet")
        else:
            for backup in backups:
                _print_backup(backup)
        return
    report = diagnose(path)
    if as_json:
        print_json(report.to_dict())
    else:
        _print_report(report)
    if not report.healthy:
        raise SystemExit(1)


def _restore(ctx: click.Context, path: Path, name: str, as_json: bool) -> None:
    if name == NEWEST:
        snapshot = newest_good_backup(path)
        if snapshot is None:
            fail(f"{path}: no good backup to restore (backups live in {backup_dir(path)})")
        backup = snapshot.parent
    elif not name.strip():
        fail("--restore was given an empty backup name: name one (see `readlist doctor --list-backups`), "
             "or give --restore alone for the newest good backup")
    else:
        backup = _find_backup(path, name)
    restore_backup(path, backup)
    made_durable(ctx)
    kept = list_backups(path)[0] if path.exists() else None
    papers = len(Library(path))
    from readlist.app.sync import after_restore  # only here: doctor's other uses need no sync

    synced = after_restore(path)
    if as_json:
        print_json({"restored": str(backup), "library": str(path), "papers": papers,
                    "previous_kept_in": str(kept) if kept else None, "sync": synced})
        return
    info(f"restored {path} from backup {backup.name} ({counted(papers, 'paper')})")
    if kept is not None and kept != backup:
        info(f"the library as it was before is kept as backup {kept.name}")
    if synced is not None:
        info(synced)


def _repair(ctx: click.Context, path: Path, as_json: bool) -> None:
    report = repair_library(path)
    if report.changed:
        made_durable(ctx)
    if as_json:
        print_json(report.to_dict())
        return
    if not report.changed:
        info(f"{path}: every record is valid; nothing to repair ({counted(report.papers, 'paper')})")
        return
    for line in report.fixed:
        info(f"fixed        {line}")
    for pid in report.merged:
        info(f"merged       two records of {pid} into one (both notes kept)")
    for line in report.quarantined:
        info(f"quarantined  {line}")
    info(f"{path}: repaired ({counted(report.papers, 'paper')})")
    if report.backup is not None:
        info(f"the file as it was is kept as backup {report.backup.name}")
    if report.quarantine_file is not None:
        info(f"values and records that could not be kept are in {report.quarantine_file}")


def _compact(ctx: click.Context, path: Path, as_json: bool) -> None:
    lib = Library(path)
    if not path.exists():
        fail(f"{path}: no library file to compact")
    removed: list[str] = []
    had_journal = journal_path(path).exists()
    with lib.locked():
        folded = lib.compact(force=True)
        for temp in stale_temp_files(path):
            with contextlib.suppress(OSError):
                os.unlink(temp)
                removed.append(str(temp))
    made_durable(ctx)
    notices = lib.take_notices()  # damaged journal lines skipped, and the journal kept for them
    if as_json:
        print_json({"library": str(path), "compacted": folded, "papers": len(lib), "removed": removed,
                    "notices": notices})
        return
    for notice in notices:
        echo_err(f"readlist: {notice}")
    if had_journal:
        info(f"{path}: journal folded into the library file ({counted(len(lib), 'paper')})")
    else:
        info(f"{path}: no journal to fold in; the library file was rewritten ({counted(len(lib), 'paper')})")
    for name in removed:
        info(f"removed {name}")


COMMANDS = [doctor_cmd]
