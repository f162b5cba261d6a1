"""Correcting a paper's details by hand: title, authors, organization, date, links, venue, abstract.

Imports describe a paper as its source shows it, and sources are sometimes wrong or thin: a text copy cut a
title short, a name is misspelt, arXiv does not know the journal the paper appeared in. The user's correction
is then the truth, and it has to stay so: a field corrected by hand is stamped in ``Paper.changed`` (as the
user's own fields are), and from then on imports and enrichment fill and refresh the paper's other fields but
leave that one as corrected; when two copies of the library are synced, the later correction wins over the
other copy's correction or import. ``u`` (and ``readlist undo``) takes a correction back whole: the value and
the stamp, so the field is the sources' again.

A corrected title must not lose the paper: imports, enrichment and sync find a paper without an arXiv id by its
title, and the sources still have the old one. The title's ``t-…`` id (``title_id``) stands for it: the id of a
paper imported without an arXiv id, an alias once it has one, and the alias a paper from arXiv is given when its
source title is first corrected (see ``Library.find_existing``).

One command for both the app's details form and ``readlist edit``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from readlist.app.commands import Outcome, PaperChange, copy_value
from readlist.core.dates import PUBLISHED_PATTERN, PartialDate
from readlist.core.model import (
    EDITABLE_FIELDS,
    Paper,
    ValidationError,
    now_iso,
    other_arxiv_ids,
    title_id,
    user_edited,
)
from readlist.core.text import clean_line, web_address
from readlist.storage.errors import NotFoundError
from readlist.storage.library import Library

# How a field is named to the user (the command line's options, the form's labels).
FIELD_LABELS = {
    "title": "Title",
    "authors": "Authors",
    "organization": "Organization",
    "published": "Published",
    "url": "URL",
    "doi": "DOI",
    "journal_ref": "Journal",
    "abstract": "Abstract",
}
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)


def split_authors(text: str) -> list[str]:
    """Authors typed on one line, separated by semicolons (a name may hold a comma: "King, Jr., Martin").

    The line is cleaned before it is split: a terminal sequence pasted with a name (a link, ``ESC ]8;;URL``)
    has semicolons of its own, and split first it left its address behind as an author.
    """
    return [name for name in (clean_line(part) for part in clean_line(text).split(";")) if name]


def join_authors(authors: Sequence[str]) -> str:
    return "; ".join(authors)


class FieldError(ValidationError):
    """A value that cannot be the detail it was given for, whatever the library holds (a month 13, an ftp: link, an
    empty title): the command line says it as a wrong value (exit 2), the form beside its box."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _doi(value: str) -> str | None:
    doi = _DOI_PREFIX.sub("", clean_line(value))
    if not doi:
        return None
    if not re.fullmatch(r"10\.\d{4,9}/\S+", doi):
        raise FieldError("doi", f"{value!r} is not a DOI (a DOI looks like 10.1145/3368089.3409671)")
    return doi


def _published(value: str) -> str | None:
    text = clean_line(value)
    if not text:
        return None
    if not PUBLISHED_PATTERN.match(text):
        raise FieldError("published",
                         f"{value!r} is not a date: give YYYY, YYYY-MM or YYYY-MM-DD (2024, 2024-05, 2024-05-02)")
    found = PartialDate.parse(text)
    if found is None or found.iso() != text:  # 2024-13 would be kept as the year alone: said, not guessed
        raise FieldError("published", f"{value!r} is no day of the calendar (a month 01-12, a day that month has)")
    return text


def _url(value: str) -> str | None:
    url = clean_line(value)
    if not url:
        return None
    if web_address(url) is None:
        raise FieldError("url", f"{value!r} is not a web address (it must start with https:// or http://)")
    return url


def clean_details(paper: Paper, wanted: Mapping[str, Any]) -> dict[str, Any]:
    """The values ``wanted`` asks for, cleaned as an import's would be; raises :class:`ValidationError`.

    An empty value clears a field, except the title, which a paper cannot be without.
    """
    unknown = wanted.keys() - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(f"{', '.join(sorted(unknown))}: not a detail that can be edited "
                              f"(these can: {', '.join(EDITABLE_FIELDS)})")
    clean: dict[str, Any] = {}
    for name, value in wanted.items():
        if name == "authors":
            clean[name] = split_authors(value) if isinstance(value, str) else [str(a) for a in value or []]
        elif name == "doi":
            clean[name] = _doi(str(value or ""))
        elif name == "url":
            clean[name] = _url(str(value or ""))
        elif name == "published":
            clean[name] = _published(str(value or ""))
        else:
            clean[name] = value if value is None else str(value)
            if name == "title" and not clean_line(clean[name] or ""):
                raise FieldError("title", "a paper needs a title")
    # The rest is cleaned and checked as any paper's values are (a title, a date of the right form).
    record = Paper.create(**{name: clean.get(name, getattr(paper, name)) for name in EDITABLE_FIELDS})
    return {name: getattr(record, name) for name in clean}


@dataclass(frozen=True)
class EditDetails:
    """Set a paper's details to the values the user typed; the fields changed become the user's."""

    paper_id: str
    values: Mapping[str, Any]

    def execute(self, library: Library) -> Outcome:
        outcome = Outcome("Edited details")
        with library.transaction() as txn:
            paper = library.named_by_id(self.paper_id)  # given its arXiv id elsewhere while the form was open, too
            if paper is None:
                raise NotFoundError(f"no paper with id {self.paper_id!r}")
            clean = clean_details(paper, self.values)
            diff = {name: value for name, value in clean.items() if getattr(paper, name) != value}
            if not diff:
                return outcome
            if "title" in diff:
                _check_title(library, paper, diff["title"])
                aliases = _imported_title_kept(library, paper)
                if aliases is not None:
                    diff["aliases"] = aliases
            if "authors" in diff:
                diff["authors_count"] = _author_count(paper, diff["authors"])
            stamp = now_iso()
            changed = {**paper.changed, **{name: stamp for name in diff if name in EDITABLE_FIELDS}}
            before = {name: copy_value(getattr(paper, name)) for name in diff}
            before["changed"] = dict(paper.changed)  # undo puts back the stamps too: the field is the sources' again
            txn.set(paper, {**diff, "updated": stamp, "changed": changed})
            outcome.changes[paper.id] = PaperChange(before, {**{k: copy_value(v) for k, v in diff.items()},
                                                             "changed": dict(changed)})
        return outcome


def _check_title(library: Library, paper: Paper, title: str) -> None:
    """A new title may not be another paper's, nor one another paper was imported under: two records of one paper
    would follow (dedup is by title).

    The paper looked for is the one with that title, whatever the edited paper's arXiv id (looked up by
    the id, the edited paper would find itself); as dedup has it, two papers with different arXiv ids may
    share a title.
    """
    wanted = Paper.create(title=title)
    other = library.find_existing(wanted)
    if other is None or other.id == paper.id:
        return
    if not other_arxiv_ids(paper, other):
        has = "has this title" if other.dedup_keys[-1] == wanted.dedup_keys[-1] else "was imported under this title"
        raise ValidationError(f"another paper in the library {has} ({other.id}); "
                              "if they are the same paper, remove one of them")


def _imported_title_kept(library: Library, paper: Paper) -> list[str] | None:
    """The aliases ``paper`` needs to be found by the title it was imported under once that is corrected; None
    when it is found so already.

    Imports and enrichment find a paper without an arXiv id by its title, and a title corrected by hand is no
    longer the one a text copy or arXiv has. A title's ``t-…`` id (:func:`title_id`) names it instead: a paper
    imported without an arXiv id has that id, or keeps it as an alias once it has its arXiv id; a paper imported
    from arXiv gets the id of its source title as an alias here. Only a source's title is kept so (a title the
    user typed before is no import's), and not when another paper already answers to that id.
    """
    if user_edited(paper, "title"):
        return None
    tid = title_id(paper.title)
    if tid == paper.id or tid in paper.aliases or library.named_by_id(tid) is not None:
        return None
    return sorted({*paper.aliases, tid})


def _author_count(paper: Paper, authors: list[str]) -> int | None:
    """The count that goes with the names typed: theirs, or, when they were all removed, the source's count."""
    if authors:
        return len(authors)
    return paper.authors_count if paper.authors_count != len(paper.authors) else None
