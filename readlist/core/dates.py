"""Publication dates with the precision their source gave: a year, a month or a day.

Sources differ: a BibTeX file often knows only the year, an arXiv id names the
month a paper was first submitted, a Hugging Face page gives the day. The
record keeps exactly what was given (``2023``, ``2023-11`` or ``2023-11-05``)
so that nothing downstream prints a month or a day that was never known.

When the record has no date, or only a year, an arXiv id still tells the year
and month: new-style ids start with ``YYMM`` (``2011.00552`` is November 2020),
old-style ids end with ``YYMMNNN`` (``hep-th/9901001`` is January 1999). The
*effective* date combines the two; citation keys, exports, ``year:`` queries and
sorting use it, while the record itself stays as the source gave it.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from functools import lru_cache

# The stored form: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.
PUBLISHED_PATTERN = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
_PARTS = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_NEW_STYLE = re.compile(r"^(\d{2})(\d{2})\.\d{4,5}$")
_OLD_STYLE = re.compile(r"^[a-z][a-z\-]*(?:\.[A-Za-z\-]+)?/(\d{2})(\d{2})\d{3}$")
# Old-style ids ran from 1991 to March 2007; two-digit years below this are 20YY.
_OLD_STYLE_CENTURY_SPLIT = 91


@dataclass(frozen=True, slots=True, order=True)
class PartialDate:
    """A date known to the year, the month or the day (``month``/``day`` None when unknown)."""

    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def parse(cls, value: str | None) -> PartialDate | None:
        """The leading ``YYYY[-MM[-DD]]`` of a string, keeping only the parts that are real.

        ``2023-13-45`` gives the year alone, ``2023-02-30`` the year and month: a
        part that cannot exist is dropped rather than guessed.
        """
        return _parsed(value) if value else None

    def iso(self) -> str:
        """``2023``, ``2023-11`` or ``2023-11-05``: the stored form."""
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
            if self.day is not None:
                text += f"-{self.day:02d}"
        return text

    def parts(self) -> list[int]:
        """``[2023, 11]``: as many parts as are known (CSL ``date-parts`` shape)."""
        return [p for p in (self.year, self.month, self.day) if p is not None]

    @property
    def precision(self) -> int:
        """1 for a year, 2 for a month, 3 for a day (the number of known parts)."""
        return 1 + (self.month is not None) + (self.day is not None)

    def agrees_with(self, other: PartialDate) -> bool:
        """Whether the two could be the same date: equal in every part both know."""
        return self.parts()[: other.precision] == other.parts()[: self.precision]


_MONTH_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def days_in_month(year: int, month: int) -> int:
    """``calendar.monthrange(year, month)[1]`` without working out the weekday the month starts on."""
    return 29 if month == 2 and calendar.isleap(year) else _MONTH_DAYS[month]


@lru_cache(maxsize=8192)
def _parsed(value: str) -> PartialDate | None:
    """:meth:`PartialDate.parse`, remembered: a library's dates repeat, and an export parses each paper's twice."""
    match = _PARTS.match(value.strip())
    if not match:
        return None
    year = int(match[1])
    if year < 1:
        return None
    month = int(match[2]) if match[2] else None
    if month is None or not 1 <= month <= 12:
        return PartialDate(year)
    day = int(match[3]) if match[3] else None
    if day is None or not 1 <= day <= days_in_month(year, month):
        return PartialDate(year, month)
    return PartialDate(year, month, day)


def arxiv_date(arxiv_id: str | None) -> PartialDate | None:
    """The year and month an arXiv id encodes (new-style ``YYMM.NNNNN``, old-style ``archive/YYMMNNN``)."""
    if not arxiv_id:
        return None
    match = _NEW_STYLE.match(arxiv_id)
    if match:
        year = 2000 + int(match[1])
    else:
        match = _OLD_STYLE.match(arxiv_id)
        if not match:
            return None
        yy = int(match[1])
        year = (1900 if yy >= _OLD_STYLE_CENTURY_SPLIT else 2000) + yy
    month = int(match[2])
    if not 1 <= month <= 12:
        return None
    return PartialDate(year, month)


def effective_date(published: str | None, arxiv_id: str | None) -> PartialDate | None:
    """The most precise date known for a paper.

    The record's own date wins; when it is missing, or is only a year that the
    arXiv id agrees with, the id's year and month fill in. A record date that
    disagrees with the id (a journal year, say) is kept as it is.
    """
    own = PartialDate.parse(published)
    if own is not None and own.day is not None:
        return own  # an id says a year and a month at most; every line of `readlist list` asks this
    from_id = arxiv_date(arxiv_id)
    if own is None:
        return from_id
    if from_id is not None and own.precision < from_id.precision and own.agrees_with(from_id):
        return from_id
    return own


def refines(old: str | None, new: str | None) -> bool:
    """Whether ``new`` says more than ``old`` about the same date (``2023`` → ``2023-11-05``).

    For merging a re-import: a year-only date from a BibTeX file should give way
    to the day a Hugging Face or arXiv page gives, never to a different date.
    """
    before, after = PartialDate.parse(old), PartialDate.parse(new)
    if after is None or (new or "") != after.iso():
        return False
    return before is None or (after.precision > before.precision and before.agrees_with(after))


def effective_year(published: str | None, arxiv_id: str | None) -> int | None:
    """The year of :func:`effective_date`, on the fast path used by queries over large libraries."""
    if published and published[:4].isdigit():
        return int(published[:4])
    found = arxiv_date(arxiv_id)
    return found.year if found else None


def sort_key(published: str | None, arxiv_id: str | None) -> str:
    """A string that sorts papers by their effective date (more precise dates after less precise ones)."""
    if published and len(published) == 10:
        return published
    if not published and arxiv_id and len(arxiv_id) > 5 and arxiv_id[4] == "." and "01" <= arxiv_id[2:4] <= "12":
        return "20" + arxiv_id[:2] + "-" + arxiv_id[2:4]  # a new-style id, without the regex (sorting 100k papers)
    found = effective_date(published, arxiv_id)
    return found.iso() if found else ""
