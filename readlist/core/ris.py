"""RIS, the tagged format every reference manager imports (Zotero, EndNote, Mendeley, Citavi).

One ``TAG  - value`` line per field, ``TY`` first and ``ER`` last. Papers are
``UNPB`` (unpublished work: a preprint), names ``Family, Given, Suffix`` in
``AU``, ``PY`` the year and ``DA`` the date with as many parts as are known
(``2023/11/05/``, ``2023/11//``), the arXiv id as ``arXiv:ID`` in ``M1`` with
``PB  - arXiv``, the abstract in ``AB`` in a complete record. With user data, every tag is a ``KW`` line and the note an
``N1`` whose further lines follow as continuation lines (what Zotero reads as a
multi-line note). A value never contains a line that could be read as a tag.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from readlist.core.names import PersonName
from readlist.core.reference import Reference

_TAG_LIKE = re.compile(r"^[A-Z][A-Z0-9]  -")


def _line(tag: str, value: str) -> str:
    return f"{tag}  - {value}"


def _continued(value: str) -> list[str]:
    """A multi-line value: the first line after the tag, the others as they are, none looking like a tag."""
    lines = value.split("\n")
    return [lines[0], *(" " + line if _TAG_LIKE.match(line) or line.startswith("ER  -") else line
                        for line in lines[1:])]


def _person(person: PersonName, written: str) -> str:
    if person.literal or not person.family:
        return person.literal or written
    parts = [person.family_with_particle]
    if person.given:
        parts.append(person.given)
    if person.suffix:
        parts.append(person.suffix)
    return ", ".join(parts)


def _date(ref: Reference) -> str | None:
    if not ref.date or ref.date.month is None:
        return None
    day = f"{ref.date.day:02d}" if ref.date.day else ""
    return f"{ref.date.year:04d}/{ref.date.month:02d}/{day}/"


def ris_entry(ref: Reference, key: str, *, user_data: bool = False, complete: bool = False) -> str:
    lines = [_line("TY", "JOUR" if ref.venue else "UNPB"), _line("ID", key), _line("TI", ref.plain_title)]
    if ref.names:
        lines += [_line("AU", _person(p, n)) for p, n in zip(ref.people, ref.names, strict=True)]
    elif ref.organization:
        lines.append(_line("AU", ref.organization))
    if ref.date:
        lines.append(_line("PY", f"{ref.date.year:04d}"))
        date = _date(ref)
        if date:
            lines.append(_line("DA", date))
    if ref.venue:
        lines.append(_line("T2", ref.venue))
    if ref.arxiv_id:
        if not ref.venue:
            lines.append(_line("PB", "arXiv"))
        lines.append(_line("M1", "arXiv:" + ref.arxiv_id))
    if ref.doi:
        lines.append(_line("DO", ref.doi))
    url = ref.url_beside_doi  # not the DOI a second time
    if url:
        lines.append(_line("UR", url))
    abstract = ref.abstract if complete else ""  # read from the library file on each access: once
    if abstract:
        # Paragraphs joined: an abstract is one field and most readers take it from one line.
        lines.append(_line("AB", " ".join(abstract.split())))
    note = ref.count_note
    if note:
        lines.append(_line("N1", note))
    if user_data:
        lines += [_line("KW", tag) for tag in ref.tags]
        note = ref.note.strip("\n")  # a blank line ends a record for some readers
        if note.strip():
            first, *rest = _continued(note)
            lines.append(_line("N1", first))
            lines += rest
    lines.append("ER  - ")
    return "\n".join(lines)


def iter_ris_entries(
    refs: Iterable[Reference], keys: Iterable[str], *, user_data: bool = False, complete: bool = False
) -> Iterator[str]:
    """Records separated by a blank line, a record at a time (the blank line before each but the first)."""
    separator = ""
    for ref, key in zip(refs, keys, strict=True):
        yield separator + ris_entry(ref, key, user_data=user_data, complete=complete) + "\n"
        separator = "\n"
