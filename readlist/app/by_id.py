"""Papers named by their arXiv id, looked up on the arXiv API: ``readlist import 2310.01234``, or the app's import box.

The quickest way to add the paper a colleague mentioned is its id, without saving a page first. Every id named
goes out together (at most 100 to a request, as :class:`~readlist.net.arxiv_api.ArxivClient` batches them), and
each comes back as a source of its own, so the import report says of each id what happened: imported, unknown
to arXiv, or why the network failed. The papers are then stored like any other import (same dedup and merge
rules: a paper already in the library is completed, never duplicated, its status and note untouched).

What counts as an id is what the arXiv API accepts (``2310.01234``, ``2310.01234v2``, ``arXiv:2310.01234``,
``hep-th/9901001``). A file of that name in the current folder is a file: it was named as one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from readlist.core.model import find_arxiv_id, is_arxiv_id
from readlist.importers.base import ParseResult

if TYPE_CHECKING:
    from readlist.net.arxiv_api import ArxivClient

# How these papers' provenance is recorded (``provenance.py`` knows it: what arXiv's API vouches for).
FORMAT = "arxiv-api"
LABEL_PREFIX = "arxiv:"


def names_an_arxiv_id(source: str) -> bool:
    """True for an import source that is an arXiv id and not a file."""
    return is_arxiv_id(source) and not Path(source).expanduser().exists()


# Links that name an arXiv paper: its arXiv page (abs, pdf, html) or its Hugging Face page.
_PAPER_LINK = re.compile(r"https?://(?:[\w-]+\.)?(?:arxiv\.org/(?:abs|pdf|html)|huggingface\.co/papers)/\S+", re.I)
# Ids copied from somewhere: a few lines, never a page.
_MAX_COPIED = 16 * 1024
# What separates the ids of a list written by hand ("2310.01234, 2402.00001"), and what a chat or a mail writes
# around a link (<https://…>, "(…)"), none of which is part of an id.
_SEPARATORS = re.compile(r"[\s,;]+")
_AROUND = "<>()[]\"'`"


def ids_in(data: bytes | bytearray | str) -> list[str] | None:
    """The arXiv ids a copied text consists of (ids, or links to papers' arXiv or Hugging Face pages), or None.

    Only a text that is nothing but those counts: an abstract that mentions an id is a page to parse. The ids
    may be separated by commas or semicolons as well as spaces, and a link written in angle brackets.
    """
    if len(data) > _MAX_COPIED:
        return None
    try:
        text = data if isinstance(data, str) else bytes(data).decode("utf-8")
    except UnicodeDecodeError:
        return None
    ids: list[str] = []
    for token in filter(None, (part.strip(_AROUND) for part in _SEPARATORS.split(text))):
        if is_arxiv_id(token):
            ids.append(token)
        elif _PAPER_LINK.fullmatch(token) and (found := find_arxiv_id(token)):
            ids.append(found)
        else:
            return None
    return ids or None


def look_up_ids(sources: Sequence[str], arxiv: ArxivClient, *,
                cancelled: Callable[[], bool] | None = None) -> dict[str, ParseResult | str]:
    """For each name in ``sources`` (an arXiv id as typed): the paper found, or why there is none.

    A failed request fails every id it carried, with the network's message (the ids before it keep what
    they found); ids not reached because the user cancelled say so.
    """
    from readlist.net.errors import NetworkError

    wanted = {source: find_arxiv_id(source.strip()) for source in sources}
    found: dict[str, ParseResult] = {}
    missing: set[str] = set()
    # Why an id is missing from an answer that held other papers: then it is not arXiv's "no such paper".
    otherwise: dict[str, str] = {}
    error: str | None = None
    try:
        for batch in arxiv.by_id_batches([i for i in wanted.values() if i], cancelled=cancelled):
            for known, paper in batch.found.items():
                found[known] = ParseResult(format=FORMAT, papers=[paper])
            missing.update(batch.missing)
            missing.update(batch.invalid)
            otherwise.update((absent, why) for absent in batch.missing if (why := batch.answered_otherwise(absent)))
    except NetworkError as exc:
        error = str(exc)
    answers: dict[str, ParseResult | str] = {}
    for source, arxiv_id in wanted.items():
        if arxiv_id is not None and arxiv_id in found:
            answers[source] = found[arxiv_id]
        elif arxiv_id is not None and arxiv_id in otherwise:
            answers[source] = otherwise[arxiv_id]
        elif arxiv_id is not None and arxiv_id in missing:
            answers[source] = f"arXiv has no paper {arxiv_id}; check the id"
        else:
            answers[source] = error or "not looked up: cancelled"
    return answers


def source_label(result: ParseResult) -> str:
    """What the paper's ``sources`` records: ``arxiv:ID``, as a pull records ``arxiv:CATEGORY``."""
    return LABEL_PREFIX + (result.papers[0].arxiv_id or "")
