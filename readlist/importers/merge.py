"""What an import does to a paper the library already has.

Re-importing fills source fields that are empty, refreshes the ones a source keeps current
(upvotes, abstract: never with the start of the one stored, which a copy cut short gives) and makes a date more
precise (a BibTeX ``2023`` becomes the day a page
gives). It never touches what the user owns (status, rating, tags, note, read date, citation
key, and any detail they corrected by hand), with one exception: a source's keywords become tags of a paper
that has none. A venue the source gives as the user's (a ``.bib`` file's, or one corrected in the library a
readlist export came from) replaces arXiv's journal reference, and keeps its change time. A title that a copy
cut short is completed, and when the author list that came with it begins with the rest of the title (a wrapped
title's second line read as the first author's), the source's author list replaces it.
"""

from __future__ import annotations

from typing import Any

from readlist.core.dates import refines
from readlist.core.model import REFRESHED_FIELDS, SOURCE_FIELDS, Paper, user_edited


def add_source(sources: list[str], source: str) -> list[str]:
    """``sources`` with ``source`` at the end, unless it is empty or already there."""
    return sources if not source or source in sources else [*sources, source]


def add_format(formats: list[str], fmt: str | None) -> list[str]:
    """``formats`` with ``fmt`` added, kept sorted (the order formats were seen in does not matter)."""
    return formats if not fmt or fmt in formats else sorted([*formats, fmt])


def _shown(title: str) -> str:
    """A title as far as it was shown: without an ellipsis that shortened it, spaces and line breaks made one."""
    return " ".join(title.split()).removesuffix("…").removesuffix("...").rstrip()


def completes(old: str, new: str) -> bool:
    """True when ``new`` is ``old`` continued: ``old`` was cut short (a selection ending inside it, or
    shortened with an ellipsis) and ``new`` is the whole title. Spaces and line breaks do not count."""
    before = _shown(old)
    after = " ".join(new.split())
    return bool(before) and len(after) > len(before) and after.startswith(before)


def took_title_words(authors: list[str], old: str, new: str) -> bool:
    """True when an author list begins with the words that ``old``, a title cut short, lacks of ``new``: a copy
    whose title was wrapped onto a second line read that line as the start of its author list (``problems
    without using dynamic programming Pieter M. van Staden``), and those authors are no paper's."""
    rest = " ".join(new.split())[len(_shown(old)):].strip()
    return bool(rest) and " ".join(", ".join(authors).split()).startswith(rest)


def kept_own(existing: Paper, incoming: Paper) -> list[tuple[str, Any, Any]]:
    """The details the user corrected here that the source gives otherwise as the user's too (a venue from a
    ``.bib`` file that changed since): (field, kept value, the source's value). The correction stays; the import
    report names each, so the difference is not dropped without a word."""
    return [(name, getattr(existing, name), getattr(incoming, name)) for name in incoming.changed
            if name in SOURCE_FIELDS and user_edited(existing, name)
            and getattr(incoming, name) not in (None, "", []) and getattr(incoming, name) != getattr(existing, name)]


def merge_changes(existing: Paper, incoming: Paper, source: str, fmt: str | None = None) -> dict[str, Any]:
    """The field values a re-import of ``incoming`` sets on ``existing`` (empty when nothing changes)."""
    changes: dict[str, Any] = {}
    for name in SOURCE_FIELDS:
        new = getattr(incoming, name)
        if new in (None, "", []) or user_edited(existing, name):
            continue
        old = getattr(existing, name)
        if name == "abstract" and old and completes(new, old):
            continue  # a copy cut inside the abstract (a selection, a download that stopped): the whole one stays
        if old in (None, "", []) or (name in REFRESHED_FIELDS and old != new):
            changes[name] = new
        elif name == "journal_ref" and name in incoming.changed and old != new:
            # A venue the user gave (their .bib, a corrected export) over arXiv's journal reference, free text about
            # where the paper appeared that citations leave out. Other details already here stay this library's.
            changes[name] = new
        elif name == "published" and refines(old, new):
            changes[name] = new  # the same date, known more precisely (a BibTeX year, then the day)
        elif name == "title" and completes(old, new):
            changes[name] = new  # a title a copy cut short ("Stock Trend Pred"), now whole
            if (incoming.authors and not user_edited(existing, "authors")
                    and took_title_words(existing.authors, old, new)):
                changes["authors"] = list(incoming.authors)  # the rest of that title was read as authors
    if mine := {name: when for name, when in incoming.changed.items() if name in changes}:
        # A field the source gives as the user's (a .bib file's venue) stays theirs once it is set here.
        changes["changed"] = {**existing.changed, **mine}
    if "authors" in changes and existing.authors_count is not None and incoming.authors:
        changes["authors_count"] = len(incoming.authors)
    if incoming.tags and not existing.tags:
        changes["tags"] = list(incoming.tags)
    sources = add_source(existing.sources, source)
    if sources != existing.sources:
        changes["sources"] = sources
    formats = add_format(existing.source_formats, fmt)
    if formats != existing.source_formats:
        changes["source_formats"] = formats
    return changes
