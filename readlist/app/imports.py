"""Importing: read a source, parse it, and store its papers with the merge rules.

Reading and parsing happen outside the library's lock (a slow download or a large page never
blocks another process); storing is one :class:`ImportPapers` command per source, so an import
can be undone like any other change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from readlist.app.commands import Outcome, PaperChange, copy_value, key_names_another
from readlist.app.session import Session
from readlist.core.model import Paper, other_arxiv_ids, title_id
from readlist.core.text import clean_line
from readlist.importers import ExportFile, ImportFormatError, ParseResult, parse_input
from readlist.importers.merge import add_format, add_source, kept_own, merge_changes
from readlist.storage.library import Library, Transaction

if TYPE_CHECKING:
    from readlist.app.network import Network


@dataclass
class ParsedSource:
    source: str
    result: ParseResult | None
    error: str | None
    # What the papers' ``sources`` record, when not the name's own label (an arXiv id looked up: ``arxiv:ID``).
    label: str | None = None

    @property
    def stored_as(self) -> str:
        """The label the papers' ``sources`` record: ``label``, else the name's (see :func:`source_label`)."""
        return self.label or source_label(self.source)


def source_label(source: str) -> str:
    """How a source is remembered on a paper: a file's name, a URL in full, or stdin/clipboard."""
    if source == "-":
        return "stdin"
    if source == "clipboard" or "://" in source[:16]:
        return source
    return Path(source).name or source


def parse_source(
    source: str,
    *,
    fmt: str | None = None,
    today: date | None = None,
    year: int | None = None,
    data: bytes | bytearray | str | None = None,
    offline: bool = False,
) -> ParsedSource:
    """Read and parse one source; failures become a message, never an exception.

    ``offline`` (as :func:`readlist.app.network.network_settings` decides it) refuses URLs without touching the
    network. A file larger than any page that is readlist's own JSON export is not read here but by its importer, a
    record at a time (:func:`readlist.app.sources.export_file`).
    """
    try:
        read: bytes | bytearray | str | ExportFile | None = data
        if read is None:
            # Imported here: the HTTP client costs start-up time that only imports need.
            from readlist.app.sources import export_file, is_url, read_source
            from readlist.net.errors import OFFLINE

            if offline and is_url(source):
                return ParsedSource(source, None, OFFLINE)
            read = export_file(source) or read_source(source, offline=offline)
        result = parse_input(read, source=source_label(source), fmt=fmt, today=today, year=year)
    except ImportFormatError as exc:
        return ParsedSource(source, None, str(exc))
    except RecursionError:
        return ParsedSource(source, None, "input is nested too deeply to parse")
    if not result.papers:
        return ParsedSource(source, None, "no papers found")
    return ParsedSource(source, result, None)


def split_sources(text: str) -> list[str]:
    """Sources typed on one line (the app's import box): separated by spaces, quoted as a shell would quote them.

    A path with spaces is typed in quotes, as on the command line; a stray quote does not make the line
    unreadable, it is split at spaces instead. A list of arXiv ids pasted from a mail or a chat
    ("2310.01234, 2402.00001") is those ids: the commas are no part of them.
    """
    import shlex

    from readlist.app.by_id import ids_in

    try:
        words = shlex.split(text)
    except ValueError:
        words = text.split()
    # (A link is left whole: a paper's Hugging Face page gives what its arXiv id does not, upvotes first.)
    return [source for word in words for source in ((None if "://" in word else ids_in(word)) or [word])]


def read_sources(
    sources: Sequence[str],
    *,
    network: Callable[[], Network],
    fmt: str | None = None,
    today: date | None = None,
    year: int | None = None,
    offline: bool = False,
    advance: Callable[[int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> list[ParsedSource]:
    """Every source of one import read and parsed, in the order named (see :func:`parse_source`).

    arXiv ids (:mod:`readlist.app.by_id`), typed as sources or making up the whole of the clipboard or standard
    input (an id or an arXiv link copied from a chat), are looked up on the arXiv API together, through the
    clients ``network()`` builds (only when there are ids, and closed after). ``advance(n)`` is told as sources
    are done.
    """
    from readlist.app import by_id
    from readlist.app.sources import read_source

    streams: dict[str, bytes | bytearray | str | ParsedSource] = {}
    for source in sources:
        if source in ("-", "clipboard") and source not in streams:
            try:
                streams[source] = read_source(source)
            except ImportFormatError as exc:
                streams[source] = ParsedSource(source, None, str(exc))
    typed = [s for s in dict.fromkeys(sources) if s not in ("-", "clipboard") and by_id.names_an_arxiv_id(s)]
    listed = {s: ids for s, copied in streams.items()
              if not isinstance(copied, ParsedSource) and (ids := by_id.ids_in(copied))}
    wanted = [*typed, *(i for ids in listed.values() for i in ids)]
    answers: dict[str, ParseResult | str] = {}
    if wanted and offline:
        from readlist.net.errors import OFFLINE

        answers = dict.fromkeys(wanted, OFFLINE)
    elif wanted:
        net = network()
        try:
            answers = by_id.look_up_ids(wanted, net.arxiv, cancelled=cancelled)
        finally:
            net.close()
    parsed = []
    for source in sources:
        if source in listed:
            parsed.append(_found_in(source, [(i, answers[i]) for i in listed[source]]))
        elif source in typed:
            answer = answers[source]
            parsed.append(ParsedSource(source, None, answer) if isinstance(answer, str)
                          else ParsedSource(source, answer, None, label=by_id.source_label(answer)))
        elif isinstance(data := streams.get(source), ParsedSource):
            parsed.append(data)
        else:
            parsed.append(parse_source(source, fmt=fmt, today=today, year=year, data=data, offline=offline))
        if advance is not None:
            advance(1)
    return parsed


def _found_in(source: str, answers: Sequence[tuple[str, ParseResult | str]]) -> ParsedSource:
    """One source (the clipboard, standard input) that held arXiv ids: every paper found, each id not found skipped."""
    result = ParseResult(format="arxiv-api")
    for arxiv_id, answer in answers:
        if isinstance(answer, str):
            result.skipped.append((arxiv_id, answer))
        else:
            result.papers.extend(answer.papers)
    if not result.papers:
        return ParsedSource(source, None, result.skipped[0][1])
    return ParsedSource(source, result, None)


@dataclass
class ImportReport:
    """What one source's import did, paper by paper."""

    source: str
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    # Papers imported with something left out, such as a citation key (item, what and why).
    notes: list[tuple[str, str]] = field(default_factory=list)
    error: str | None = None
    format: str | None = None

    @property
    def total(self) -> int:
        return len(self.added) + len(self.updated) + len(self.unchanged)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "format": self.format,
            "added": len(self.added),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "skipped": [{"item": what, "reason": why} for what, why in self.skipped],
            "notes": [{"item": what, "note": note} for what, note in self.notes],
            "error": self.error,
            "ids": {"added": self.added, "updated": self.updated, "unchanged": self.unchanged},
        }


@dataclass
class Imported(Outcome):
    report: ImportReport = field(default_factory=lambda: ImportReport(""))


@dataclass(frozen=True)
class ImportPapers:
    """Add new papers and fill or refresh known ones (see :mod:`readlist.importers.merge`)."""

    papers: Iterable[Paper]
    source: str
    format: str | None = None  # the importer that read the source (hf-text, bibtex, …)
    # A new paper that lists its sources keeps them as they are (ParseResult.provenance: readlist's own export).
    provenance: bool = False

    def execute(self, library: Library) -> Imported:
        report = ImportReport(source=self.source)
        outcome = Imported("Imported", report=report)
        # A file's name or a URL is text from outside like any other: its escapes and bidi overrides are not stored.
        source = clean_line(self.source)
        with library.transaction() as txn:
            seen: set[str] = set()
            keys = _KeyOwners(library)
            named = _FormerIds(library)
            for incoming in self.papers:
                existing = library.find_existing(incoming) or named.find(incoming)
                if existing is None:
                    named.settle(incoming, report.notes)
                    if incoming.cite_key and (why := keys.claim(incoming.cite_key, incoming.id)) is not None:
                        report.notes.append(_key_taken(incoming, incoming.cite_key, why))
                        incoming.cite_key = None
                    if not (self.provenance and incoming.sources):
                        incoming.sources = add_source(incoming.sources, source)
                        incoming.source_formats = add_format(incoming.source_formats, self.format)
                    txn.put(incoming)
                    named.added(incoming)
                    outcome.changes[incoming.id] = PaperChange(None, incoming.to_dict())
                    report.added.append(incoming.id)
                    seen.add(incoming.id)
                    continue
                changes = merge_changes(existing, incoming, source, self.format)
                for name, kept, given in kept_own(existing, incoming):
                    report.notes.append((_label(existing), f"keeps its {name.removesuffix('_ref')} {kept!r}, "
                                                           f"which is yours; the source gives {given!r}"))
                if aliases := named.more_for(existing, incoming):
                    changes["aliases"] = aliases
                key = incoming.cite_key
                if key and not existing.cite_key:
                    if (why := keys.claim(key, existing.id)) is None:
                        changes["cite_key"] = key
                    else:
                        report.notes.append(_key_taken(existing, key, why))
                elif key and existing.cite_key != key:
                    report.notes.append((_label(existing), f"keeps its citation key {existing.cite_key!r}; the source "
                                                           f"calls it {key!r}"))
                paper_id, counted_already = existing.id, existing.id in seen
                if (arxiv_id := changes.get("arxiv_id")) and arxiv_id != paper_id and library.get(arxiv_id) is None:
                    paper_id = _rename(txn, outcome, report, existing, changes, arxiv_id)
                elif changes:
                    before = {k: copy_value(getattr(existing, k)) for k in changes}
                    txn.set(existing, changes)
                    outcome.fold(paper_id, PaperChange(before, {k: copy_value(v) for k, v in changes.items()}))
                if not counted_already:
                    # Recording one more source is bookkeeping, not an update the user cares about.
                    meaningful = bool(changes.keys() - {"sources", "source_formats", "aliases"})
                    (report.updated if meaningful else report.unchanged).append(paper_id)
                seen.add(paper_id)
        return outcome


def _rename(txn: Transaction, outcome: Outcome, report: ImportReport, paper: Paper, changes: dict[str, Any],
            arxiv_id: str) -> str:
    """Give ``paper``, which an import just told its arXiv id, that id (with ``changes`` made), as enrichment does.

    A paper's id is its arXiv id once known; the id it had stays an alias, so it still finds the paper (and a
    copy of the library synced elsewhere takes the change as a rename). Returns the new id.
    """
    renamed = Paper.from_dict({**paper.to_dict(), **changes, "id": arxiv_id})
    renamed.aliases = sorted({*renamed.aliases, paper.id} - {arxiv_id})
    txn.rename(paper.id, renamed)
    outcome.fold(paper.id, PaperChange(paper.to_dict(), None))  # added earlier in this import: then it never was
    outcome.fold(renamed.id, PaperChange(None, renamed.to_dict()))
    report.added[:] = [renamed.id if pid == paper.id else pid for pid in report.added]
    return renamed.id


class _FormerIds:
    """The ids an incoming paper says it had (readlist's own export: its id and ``aliases``), against the library.

    A paper read from a page has none beyond the id its arXiv id or title gives. One from an export of another
    library may: the ``t-…`` id of each title it was imported under (its title corrected since) and the ids of
    records merged into it. A title's id finds the paper that answers to it here, by the rules that find a paper
    by its title (:meth:`Library.find_existing`); an id another paper of this library answers to is never taken.
    """

    def __init__(self, library: Library) -> None:
        self.library = library
        # The t-… id of each paper's title, made on the first id no other lookup answers (one SHA-1 a paper).
        self._titles: dict[str, str] | None = None

    @staticmethod
    def claimed(paper: Paper) -> list[str]:
        """The ids ``paper`` says it had besides those its arXiv id and title give it."""
        own = {paper.arxiv_id, title_id(paper.title)}
        return [pid for pid in dict.fromkeys((paper.id, *paper.aliases)) if pid not in own]

    def owner(self, pid: str) -> Paper | None:
        """The paper of the library that answers to ``pid``: by id, an id it had, its arXiv id, or its title."""
        found = self.library.named_by_id(pid)
        if found is not None or not pid.startswith("t-"):
            return found
        if self._titles is None:
            self._titles = {title_id(paper.title): paper.id for paper in self.library.papers.values()}
        titled = self._titles.get(pid)
        return None if titled is None else self.library.named_by_id(titled)

    def find(self, incoming: Paper) -> Paper | None:
        """The paper already in the library that one of the titles ``incoming`` had names (None for most imports).

        Only a title's ``t-…`` id finds a paper: it says no more than a page with that title would. A paper's arXiv
        id is its own ``arxiv_id``; a file that says a paper once had another is not trusted to find that one.
        """
        for pid in self.claimed(incoming):
            found = self.owner(pid) if pid.startswith("t-") else None
            if found is not None and not other_arxiv_ids(incoming, found):
                return found
        return None

    def settle(self, incoming: Paper, notes: list[tuple[str, str]]) -> None:
        """Take from ``incoming``, a new paper, the ids other papers of the library answer to, saying so."""
        for pid in self.claimed(incoming):
            found = self.owner(pid)
            if found is None:
                continue
            notes.append((_label(incoming), f"id {pid} is {found.id}'s in this library; left out"))
            if pid == incoming.id:
                incoming.id = incoming.arxiv_id or title_id(incoming.title)
        incoming.aliases = [pid for pid in incoming.aliases if pid != incoming.id and self.owner(pid) is None]

    def added(self, paper: Paper) -> None:
        """Count ``paper``, just added, among the titles (its ids are indexed by the library itself)."""
        if self._titles is not None:
            self._titles.setdefault(title_id(paper.title), paper.id)

    def more_for(self, existing: Paper, incoming: Paper) -> list[str] | None:
        """``existing``'s aliases with the ids ``incoming`` had that no paper answers to yet; None if none."""
        more = {pid for pid in self.claimed(incoming) if pid != existing.id and self.owner(pid) is None}
        return sorted({*existing.aliases, *more}) if more - set(existing.aliases) else None


class _KeyOwners:
    """Which paper holds each citation key, compared without case as BibTeX does: keys stay unique."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self._owners: dict[str, str] | None = None
        self._ids: list[str] | None = None  # the library's ids, sorted, on the first key that is not taken

    def owner(self, key: str) -> str | None:
        if self._owners is None:  # built on the first key an import brings, under the lock
            self._owners = {p.cite_key.casefold(): p.id for p in self.library.papers.values() if p.cite_key}
        return self._owners.get(key.casefold())

    def claim(self, key: str, paper_id: str) -> str | None:
        """Record ``key`` as ``paper_id``'s; why not, when another paper holds it or is named by it as an id (its
        id, an id it had, its arXiv id, or a prefix of its id: `readlist show KEY` would find that paper)."""
        owner = self.owner(key)
        if owner is not None and owner != paper_id:
            return f"it is already the key of {owner}"
        if self._ids is None:
            self._ids = sorted(self.library.papers)
        clash = key_names_another(self.library, key, paper_id, self._ids)
        if clash is not None:
            return "it " + clash.removeprefix(f"{key!r} ")
        assert self._owners is not None
        self._owners[key.casefold()] = paper_id
        return None


def _label(paper: Paper) -> str:
    return f"{paper.id} {paper.title[:60]}"


def _key_taken(paper: Paper, key: str, why: str) -> tuple[str, str]:
    return (_label(paper), f"citation key {key!r} not kept: {why}")


def import_parsed(
    session: Session,
    parsed: Sequence[ParsedSource],
    *,
    advance: Callable[[int], None] | None = None,
    run: Callable[[ImportPapers], Imported | None] | None = None,
) -> list[ImportReport]:
    """Store every parsed source as one undo step, one report each; ``advance(n)`` is told as papers are saved.

    Each source is stored by ``run`` (default :meth:`Session.run`, whose failure stops the import, the sources
    stored before it kept and undone as one). The app passes its own, which tells the user why a source could not
    be stored and returns None: that source then has no report and the next one is stored.
    """
    store = run if run is not None else session.run
    reports: list[ImportReport] = []
    with session.one_step():
        for item in parsed:
            if item.result is None:
                reports.append(ImportReport(source=item.source, error=item.error))
                continue
            papers: Iterable[Paper] = item.result.papers
            if advance is not None:
                papers = _counting(papers, advance)
            imported = store(ImportPapers(papers, item.stored_as, item.result.format, item.result.provenance))
            if imported is not None:
                reports.append(_report_of(item.source, item.result, imported.report))
    return reports


def _report_of(source: str, parsed: ParseResult, report: ImportReport) -> ImportReport:
    """The stored report, with what parsing the source found (skipped records, notes, the format)."""
    report.source = source
    report.skipped.extend(parsed.skipped)
    report.notes[:0] = parsed.notes
    report.format = parsed.format
    return report


def _counting(papers: Iterable[Paper], advance: Callable[[int], None], step: int = 250) -> Iterator[Paper]:
    """Yield papers, reporting progress every ``step`` of them."""
    count = 0
    for paper in papers:
        yield paper
        count += 1
        if count == step:
            advance(count)
            count = 0
    if count:
        advance(count)
