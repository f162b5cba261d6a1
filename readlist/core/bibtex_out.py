"""BibTeX and BibLaTeX entries, written with bibtexparser's writer.

Two dialects of one entry:

* **BibTeX** (``@misc``, for bibtex with plain, natbib, IEEEtran, ACL …): every
  field is TeX-encoded to ASCII where a command exists (bibtex is byte-oriented
  and sorts ``{\\'e}`` correctly but not UTF-8), ``year`` and an unbraced
  ``month`` macro exactly as far as they are known, ``eprint`` /
  ``archivePrefix`` / ``primaryClass`` as arXiv writes them, and ``howpublished``
  because most ``.bst`` styles print neither ``eprint`` nor ``url``. The
  record's own date also goes in ``date`` (biber reads it; bibtex ignores it),
  which keeps the day.
* **BibLaTeX** (``@online`` when there is a URL or an arXiv id, ``@misc``
  otherwise): UTF-8 text (biber reads it), ``date`` with its real precision
  (``2023-11``), ``eprinttype = {arxiv}``, ``eprint``, ``eprintclass``.

A *complete* entry (what ``readlist export`` writes) also carries what readlist
needs to read its own file back without loss: the abstract, ``readlist-upvotes``,
every arXiv category in ``readlist-categories`` when there are several (and the
field empty when none is recorded and the primary class shown is only the archive an
old-style id names, ``hep-th/9901001``), the paper's own page in ``readlist-url`` when it is not the cited URL, and
``readlist-date = {arxiv-id}`` on a date known only from the arXiv id (so that
reading it back does not turn it into a date some source gave). Styles ignore
fields they do not know; a citation to paste (``readlist cite``, the TUI) leaves
them out.
With user data they also carry ``keywords`` (tags), ``annote`` (the note),
``readlist-rating`` and ``readlist-status``.

Authors are never invented: names when known, the organization as one braced
corporate author (``{{Spiral Works}}``), and when only a count is known no
``author`` but a ``note`` saying so, plus a ``key`` so that styles can still
sort the entry.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence

from bibtexparser.entrypoint import write_string
from bibtexparser.library import Library
from bibtexparser.middlewares import AddEnclosingMiddleware
from bibtexparser.model import Entry, Field
from bibtexparser.writer import BibtexFormat

from readlist.core.names import bibtex_order, is_literal
from readlist.core.reference import Reference, verbatim_doi
from readlist.core.tex import encode, protect_title

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
UPVOTES_FIELD = "readlist-upvotes"
URL_FIELD = "readlist-url"
CATEGORIES_FIELD = "readlist-categories"
RATING_FIELD = "readlist-rating"
STATUS_FIELD = "readlist-status"
# Marks a date that no source gave: readlist took the year and month from the arXiv id.
DATE_SOURCE_FIELD = "readlist-date"
DATE_FROM_ID = "arxiv-id"


# bibtexparser's constructor carries no annotations; this gives the call a type.
_new_format: Callable[[], BibtexFormat] = BibtexFormat


def _format() -> BibtexFormat:
    fmt = _new_format()
    fmt.indent = "  "
    fmt.block_separator = "\n"
    return fmt


def _authors(ref: Reference, *, ascii_only: bool) -> str | None:
    """``A and B``; a name BibTeX would split wrongly is braced whole; an organization is one braced name."""
    if ref.names:
        written = []
        for name in ref.names:
            if is_literal(name):
                written.append("{" + encode(name, ascii_only=ascii_only) + "}")
            else:
                written.append(encode(bibtex_order(name), ascii_only=ascii_only))
        if ref.more_authors:
            written.append("others")  # what every style prints as "et al."
        return " and ".join(written)
    if ref.organization:
        return "{" + encode(ref.organization, ascii_only=ascii_only) + "}"
    return None


def _common_tail(ref: Reference, *, ascii_only: bool, user_data: bool, complete: bool) -> list[Field]:
    """Fields after the bibliographic ones: with ``complete``, what readlist needs to read its own file back."""
    fields: list[Field] = []
    if ref.doi:
        fields.append(Field("doi", verbatim_doi(ref.doi)))  # verbatim, as the url field
    note = ref.count_note
    if note:
        fields.append(Field("note", note))
    if complete:
        fields += _archival(ref, ascii_only=ascii_only)
    if user_data:
        if ref.tags:
            fields.append(Field("keywords", encode(", ".join(ref.tags), ascii_only=ascii_only)))
        if ref.note:
            fields.append(Field("annote", encode(ref.note, ascii_only=ascii_only)))
        if ref.rating:
            fields.append(Field(RATING_FIELD, str(ref.rating)))
        fields.append(Field(STATUS_FIELD, ref.status))
    return fields


def _archival(ref: Reference, *, ascii_only: bool) -> list[Field]:
    """The abstract and readlist's own fields: not needed to cite, needed to read the export back unchanged."""
    fields: list[Field] = []
    if not ref.own_date and ref.date:
        fields.append(Field(DATE_SOURCE_FIELD, DATE_FROM_ID))
    if ref.abstract:
        fields.append(Field("abstract", encode(ref.abstract, ascii_only=ascii_only)))
    if ref.upvotes is not None:
        fields.append(Field(UPVOTES_FIELD, str(ref.upvotes)))
    if ref.own_url and ref.own_url != ref.url:
        fields.append(Field(URL_FIELD, ref.own_url))
    if len(ref.categories) > 1:
        fields.append(Field(CATEGORIES_FIELD, encode(" ".join(ref.categories), ascii_only=True)))
    elif not ref.categories and ref.primary_class:
        # The primary class written above is only the archive of an old-style id: none is recorded.
        fields.append(Field(CATEGORIES_FIELD, ""))
    return fields


def bibtex_fields(ref: Reference, *, user_data: bool = False, complete: bool = False) -> tuple[str, list[Field]]:
    """The entry type and fields of a classic BibTeX ``@misc`` entry."""
    fields = [Field("title", protect_title(ref.title, ascii_only=True))]
    authors = _authors(ref, ascii_only=True)
    if authors:
        fields.append(Field("author", authors))
        if ref.names and ref.organization:
            fields.append(Field("organization", encode(ref.organization, ascii_only=True)))
    if ref.date:
        fields.append(Field("year", str(ref.date.year)))
        if ref.date.month:
            fields.append(Field("month", _MONTHS[ref.date.month - 1], enclosing="no-enclosing"))
    if ref.own_date:
        fields.append(Field("date", ref.own_date.iso()))
    if ref.arxiv_id:
        fields.append(Field("eprint", encode(ref.arxiv_id, ascii_only=True)))
        fields.append(Field("archivePrefix", "arXiv"))
        if ref.primary_class:
            fields.append(Field("primaryClass", encode(ref.primary_class, ascii_only=True)))
    if ref.url:
        fields.append(Field("url", ref.url))
    if ref.arxiv_id:
        fields.append(Field("howpublished", "arXiv preprint arXiv:" + encode(ref.arxiv_id, ascii_only=True)))
    if not authors:
        # Styles sort by author, else by this key ("to sort, need author or key"); author-year styles (natbib's
        # plainnat) also print it where the authors would go, in the text and at the head of the entry, so it
        # is the title's short form, not the whole title twice. Plain text, math rendered and folded to letters
        # (``S$^{2}$FT`` gives ``S2FT``): alpha-style labels take the key's first characters, and a cut through
        # ``$^{2}$`` leaves TeX that does not compile.
        plain = unicodedata.normalize("NFKC", ref.plain_title)
        fields.append(Field("key", encode(_short_title(plain), ascii_only=True)))
    fields += _common_tail(ref, ascii_only=True, user_data=user_data, complete=complete)
    return "misc", fields


def _short_title(title: str) -> str:
    """What a paper without authors is called in an author-year citation: ``AgentRefine`` for ``AgentRefine:
    Enhancing Agent Generalization …``, else the first three words."""
    head, colon, _ = title.partition(":")
    if colon and 0 < len(head.strip()) <= 40:
        return head.strip()
    return " ".join(title.split()[:3])


def biblatex_fields(ref: Reference, *, user_data: bool = False, complete: bool = False) -> tuple[str, list[Field]]:
    """The entry type and fields of a BibLaTeX ``@online`` entry (``@misc`` without URL or eprint)."""
    fields = [Field("title", protect_title(ref.title, ascii_only=False))]
    authors = _authors(ref, ascii_only=False)
    if authors:
        fields.append(Field("author", authors))
        if ref.names and ref.organization:
            fields.append(Field("organization", encode(ref.organization, ascii_only=False)))
    if ref.date:
        fields.append(Field("date", ref.date.iso()))
    if ref.arxiv_id:
        fields.append(Field("eprinttype", "arxiv"))
        fields.append(Field("eprint", encode(ref.arxiv_id, ascii_only=True)))
        if ref.primary_class:
            fields.append(Field("eprintclass", encode(ref.primary_class, ascii_only=True)))
    if ref.url:
        fields.append(Field("url", ref.url))
        if ref.added_day:
            fields.append(Field("urldate", ref.added_day))
    fields += _common_tail(ref, ascii_only=False, user_data=user_data, complete=complete)
    return ("online" if ref.url or ref.arxiv_id else "misc"), fields


def write_entries(
    refs: Sequence[Reference], keys: Sequence[str], *, biblatex: bool, user_data: bool = False, complete: bool = False
) -> str:
    """Entries separated by a blank line, as bibtexparser writes them."""
    library = Library()
    build = biblatex_fields if biblatex else bibtex_fields
    for ref, key in zip(refs, keys, strict=True):
        entry_type, fields = build(ref, user_data=user_data, complete=complete)
        library.add(Entry(entry_type, key, fields))
    stack = [AddEnclosingMiddleware(reuse_previous_enclosing=False, enclose_integers=True, default_enclosing="{")]
    return write_string(library, unparse_stack=stack, bibtex_format=_format())
