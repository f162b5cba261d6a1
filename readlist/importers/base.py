"""What every importer shares: the result type, errors, decoding and date rules."""

from __future__ import annotations

import calendar
import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from readlist.core.citekeys import validate_key
from readlist.core.model import Paper, ValidationError, is_arxiv_category

# Inputs larger than this are refused before parsing: no real page comes close,
# and parsing an arbitrary amount of text would hold it all in memory.
MAX_INPUT_BYTES = 64 * 1024 * 1024
# The one input larger than a page: readlist's own JSON export of a whole library (~2.6 KB a paper, 260 MB at
# 100,000 papers), which is how a library is moved or restored. A file that starts as one is read a record at
# a time (readlist_json.parse_file), never whole, up to this size.
MAX_EXPORT_BYTES = 1024 * 1024 * 1024
# The largest count (upvotes, authors) a source may give: integers JSON readers such as JavaScript hold
# exactly. JSON itself allows any size, and a larger number is a damaged or hostile value, not a count.
MAX_COUNT = 2**53 - 1

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}


class ImportFormatError(ValueError):
    """An input that cannot be imported; the message is for the user."""


@dataclass(frozen=True)
class ExportFile:
    """A file larger than :data:`MAX_INPUT_BYTES` that starts as readlist's own JSON export: named, not read, so
    that its importer reads it a record at a time."""

    path: Path


@dataclass
class ParseResult:
    format: str
    papers: list[Paper] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    # Papers read, with something of theirs left out (an unusable citation key): (item, what and why).
    notes: list[tuple[str, str]] = field(default_factory=list)
    # Whether each record says itself where its paper came from (readlist's own export): a new paper that does
    # keeps that, without the file it was read from, which is a copy of the paper and not where it came from.
    provenance: bool = False

    def usable_key(self, key: str, label: str) -> str | None:
        """A citation key the source gives, checked as ``readlist key`` checks a typed one (it is written bare
        into citations); None, with a note for the report, when it cannot be kept."""
        try:
            return validate_key(key)
        except ValidationError as exc:
            self.notes.append((label, f"citation key not kept: {exc}"))
            return None

    def add(self, build: dict[str, object], label: str) -> None:
        """Validate one parsed record; a bad one becomes a skip with its reason, not a failure."""
        try:
            self.papers.append(Paper.from_dict(build))
        except (ValidationError, TypeError, ValueError, OverflowError) as exc:
            self.skipped.append((label[:80] or "(untitled)", str(exc)))


def load_json(text: str) -> object:
    """Decoded JSON, or an ImportFormatError saying in one line why it cannot be read."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFormatError(f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except RecursionError:
        raise ImportFormatError("the JSON is nested too deeply to read") from None
    except ValueError as exc:  # e.g. an integer of thousands of digits
        raise ImportFormatError(f"the JSON could not be read ({exc})") from None


def decode(data: bytes | bytearray | str) -> str:
    """Turn raw input into text, refusing binary data with a clear reason."""
    return decode_counted(data)[0]


def decode_counted(data: bytes | bytearray | str) -> tuple[str, int | str]:
    """:func:`decode`, and how many bytes of text that is otherwise UTF-8 were not UTF-8 (each read as U+FFFD), or
    the name of the legacy encoding the input was read in (see :func:`_not_quite_utf8`)."""
    replaced: int | str = 0
    if isinstance(data, str):
        text = data
    else:
        if len(data) > MAX_INPUT_BYTES:
            raise ImportFormatError(
                f"input is {len(data) / 1e6:.0f} MB; readlist imports pages up to "
                f"{MAX_INPUT_BYTES // (1024 * 1024)} MB"
            )
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            try:
                text = data.decode("utf-16")
            except UnicodeDecodeError:
                raise ImportFormatError("input starts with a UTF-16 mark but is not valid UTF-16") from None
        else:
            if b"\x00" in data[:8192]:
                raise ImportFormatError("input looks binary (it contains NUL bytes), not a page or text copy")
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                text, replaced = _not_quite_utf8(data)
    text = text.lstrip("\ufeff")
    if "\x00" in text:
        raise ImportFormatError("input looks binary (it contains NUL characters)")
    return text, replaced


# A byte that is not UTF-8, as ``surrogateescape`` keeps it: one lone surrogate per byte.
_NOT_UTF8 = re.compile("[\udc80-\udcff]")


# The encoding a saved page declares: ``<meta charset="windows-1251">``, ``<meta http-equiv="Content-Type"
# content="text/html; charset=koi8-r">`` or ``<?xml version="1.0" encoding="Shift_JIS"?>``.
_DECLARED_ENCODING = re.compile(
    rb"""<meta[^>]{0,300}?charset\s*=\s*["']?([A-Za-z0-9_.:-]{1,40})|<\?xml[^>]{0,300}?encoding\s*=\s*["']"""
    rb"""([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE)
# Text in another script read as Windows-1252 (Cyrillic, Greek, Japanese, Chinese in their legacy encodings): runs
# of accented letters and typographic signs (``Îáîáùåíèå``, ``“ú–{Œê``) that no Western European text has.
_GARBLED = re.compile("[^\x00-\x7f]{3,}")


def _not_quite_utf8(data: bytes | bytearray) -> tuple[str, int | str]:
    """Input that is not valid UTF-8: UTF-8 with a few bad bytes (a copy damaged in transit), or a legacy encoding.

    It is UTF-8 when it holds more valid multi-byte UTF-8 characters than bytes that are not UTF-8; each of those is
    then read as U+FFFD, and their count is returned. Otherwise (no valid multi-byte character, or as many bad
    bytes) it is in a legacy encoding: the one a saved page declares, else Windows-1252 (what browsers assume for
    Western text), whose name is returned for the report. Read as Windows-1252, text in another encoding (Cyrillic,
    Japanese) came out garbled and replaced good abstracts without a word: such input is refused instead.
    """
    text = data.decode("utf-8-sig", errors="surrogateescape")
    bad = len(_NOT_UTF8.findall(text))
    multibyte = len(text) - len(text.encode("ascii", errors="ignore")) - bad
    if bad < multibyte:
        return _NOT_UTF8.sub("\ufffd", text), bad
    declared = _DECLARED_ENCODING.search(data[:16384])
    if declared is not None:
        name = (declared.group(1) or declared.group(2)).decode("ascii")
        try:
            return data.decode(name), name
        except (LookupError, UnicodeDecodeError):
            pass  # an encoding Python does not know, or one the bytes do not follow: read as below
    text = data.decode("cp1252", errors="replace")
    garbled = _GARBLED.search(text)
    if "\ufffd" in text or garbled is not None:
        shown = f" ({garbled.group()[:12]})" if garbled is not None else ""
        raise ImportFormatError(
            f"input is not UTF-8, and read as Windows-1252 it comes out garbled{shown}: it is in another encoding; "
            "convert it to UTF-8 (iconv -f ITS-ENCODING -t UTF-8 FILE > NEW-FILE, or save it again as UTF-8) and "
            "import that")
    return text, "Windows-1252"


def replaced_bytes_note(count: int | str) -> tuple[str, str]:
    """The import report's note on bytes that were not UTF-8 in text that otherwise is, or on the legacy encoding
    the input was read in."""
    if isinstance(count, str):
        return "input", f"not UTF-8: read as {count}; if letters look wrong, convert the file to UTF-8 and import again"
    which = "1 byte that is" if count == 1 else f"{count:,} bytes that are"
    return "input", f"{which} not valid UTF-8 read as \ufffd (U+FFFD); the rest is read as UTF-8"


_YMD = re.compile(r"^(\d{4})[/-](\d{1,2})[/-](\d{1,2})")


def iso_day(value: object) -> str | None:
    """``2024-07-31T17:54:27Z`` or ``2021/06/17`` → ``2024-07-31``; None for anything that is not a real date."""
    if not isinstance(value, str):
        return None
    match = _YMD.match(value.strip())
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3])).isoformat()
    except ValueError:
        return None


_DATE_TEXT = re.compile(r"^(?P<mon>[A-Za-z]{3,9})\.?\s+(?P<day>\d{1,2})(?:,?\s+(?P<year>\d{4}))?$")


def month_day(text: str) -> tuple[int, int, int | None] | None:
    """Parse `Mon D` or `Mon D, YYYY`; None when the text is not such a date."""
    match = _DATE_TEXT.match(text.strip())
    if not match:
        return None
    month = MONTHS.get(match.group("mon").lower())
    if month is None:
        return None
    day = int(match.group("day"))
    year = int(match.group("year")) if match.group("year") else None
    try:
        date(year or 2000, month, day)  # 2000 is a leap year, so Feb 29 passes without a year
    except ValueError:
        return None
    return month, day, year


# The dateline of an arXiv abstract page: the day of the first submission.
SUBMITTED_ON = re.compile(r"Submitted on (\d{1,2}) ([A-Za-z]{3,9})\.? (\d{4})")


def submitted_on(text: str) -> str | None:
    """The first-submission day of an arXiv abstract page's dateline (``[Submitted on 17 Jun 2021 (v1), …]``)."""
    match = SUBMITTED_ON.search(text)
    if not match:
        return None
    month = MONTHS.get(match[2].lower())
    if month is None:
        return None
    try:
        return date(int(match[3]), month, int(match[1])).isoformat()
    except ValueError:
        return None


# A category in parentheses, as arXiv's "Subjects" line names each one: ``Machine Learning (cs.LG)``.
_SUBJECT = re.compile(r"\(([a-z][a-z-]*(?:\.[A-Za-z][A-Za-z-]*)?)\)")


def subject_categories(text: str) -> list[str]:
    """The arXiv categories of an arXiv page's "Subjects" field, the primary one (listed first) first, each once.

    Every arXiv category has a dot (``cs.LG``) or a hyphen (``hep-th``, ``gr-qc``): a word in parentheses
    without either ("(primary)" in MSC classes that a broken-up copy runs into the field) is not one.
    """
    found: list[str] = []
    for match in _SUBJECT.finditer(text):
        name = match[1]
        if is_arxiv_category(name) and ("." in name or "-" in name) and name not in found:
            found.append(name)
    return found


def latest_not_after(month: int, day: int, limit: date) -> date:
    """The latest `month day` that is not after ``limit`` (the year rule for page dates)."""
    for year in range(limit.year, limit.year - 8, -1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue  # Feb 29 in a non-leap year
        if candidate <= limit:
            return candidate
    return date(limit.year - 1, month, min(day, 28))


_WEEK_HEADER = re.compile(
    r"^(?:Week\s*|W)(?P<week>\d{1,2})(?:,?\s+(?P<year>\d{4}))?$|^(?P<iso_year>\d{4})-W(?P<iso_week>\d{1,2})$",
    re.IGNORECASE,
)
_MONTH_HEADER = re.compile(r"^(?P<mon>[A-Za-z]{3,9})\.?,?\s+(?P<year>\d{4})$")


def period_end(text: str, *, today: date, year: int | None = None) -> date | None:
    """The last day of the week or month a page header names (``Week 49, 2025``, ``2025-W49``, ``December 2025``).

    A week without a year (``Week 49``) is the latest such week that has begun by ``today``, or that week of
    ``year``. None when the text is no such header.
    """
    text = text.strip()
    if not text or len(text) > 20 or not (text[0].isalpha() or text[0].isdigit()):
        return None
    match = _WEEK_HEADER.match(text)
    if match is not None:
        week = int(match["week"] or match["iso_week"])
        explicit = match["year"] or match["iso_year"]
        years = [int(explicit)] if explicit else [year] if year else range(today.year, today.year - 8, -1)
        for candidate in years:
            try:
                monday, sunday = date.fromisocalendar(candidate, week, 1), date.fromisocalendar(candidate, week, 7)
            except ValueError:
                continue  # week 0, or week 53 of a year that has 52
            if explicit or year or monday <= today:
                return sunday
        return None
    match = _MONTH_HEADER.match(text)
    if match is not None:
        month = MONTHS.get(match["mon"].lower())
        if month is None or not 1 <= int(match["year"]) <= 9999:
            return None
        return date(int(match["year"]), month, calendar.monthrange(int(match["year"]), month)[1])
    return None


def resolve_year(month: int, day: int, page_date: date) -> date:
    """A paper date without a year takes the page's year, rolling back one when that lands after the page."""
    return latest_not_after(month, day, page_date)


# What arXiv puts after the first names of a long list: ``et al. (523 additional authors not shown)``.
_NOT_SHOWN = re.compile(r"\(\s*(\d+)\s+additional authors? not shown\s*\)", re.IGNORECASE)
_NO_SCRIPT = re.compile(r"You must enable JavaScript to view (?:the )?entire author list\.?", re.IGNORECASE)
# "et al." after the last name shown, with or without a comma before it.
_ET_AL = re.compile(r"(?:^|\s)et\.? al\.?$", re.IGNORECASE)


def arxiv_author_names(text: str) -> tuple[list[str], int]:
    """The names in an author list as arXiv shows it, and how many more it says it does not show.

    A long list ends ``Zihao Yue et al. (25 additional authors not shown)  You must enable JavaScript to view
    entire author list.``: the names are those before "et al.", and the 25 are counted.

    Names are separated by commas; what stands in parentheses is an affiliation, not part of a name, whether
    after the name (``Ada Lovelace (MIT)``) or numbered with the numbers resolved at the end (``José Pérez (1),
    Li Wei (2) ((1) MIT, (2) Tsinghua University)``), and the commas inside it separate nothing. The page's
    links hold the names alone, as the HTML importer reads them; the copy holds the whole line.
    """
    text = _NO_SCRIPT.sub(" ", text)
    match = _NOT_SHOWN.search(text)
    not_shown = int(match[1]) if match else 0
    if text.count("(") != text.count(")"):
        pieces = text.split(",")  # a parenthesis the copy cut off: no telling what it enclosed
    else:
        pieces, piece, depth = [], [], 0
        for char in text:
            if char in "()":
                depth = depth + 1 if char == "(" else max(depth - 1, 0)
                piece.append(" ")
            elif depth:
                continue
            elif char == ",":
                pieces.append("".join(piece))
                piece = []
            else:
                piece.append(char)
        pieces.append("".join(piece))
    names = [_ET_AL.sub("", " ".join(piece.split())).strip() for piece in pieces]
    return [name for name in names if name], not_shown
