"""What a citation says about a paper, decided once for every format.

Each citation format (BibTeX, BibLaTeX, CSL-JSON, RIS, Markdown, text) renders
the same :class:`Reference`, so they agree on the things that are easy to get
subtly different: which URL is cited, which date (and how precisely), how names
split, when an organization stands in for authors. Every text field is cleaned
first (escape sequences, control characters and bidi overrides removed): titles
and names come from web pages and must never drive a terminal or a TeX run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from readlist.core.dates import PartialDate
from readlist.core.model import Paper, find_arxiv_id, user_edited
from readlist.core.names import PersonName, person
from readlist.core.tex import (
    balanced_braces,
    mark_math_words,
    outside_math,
    refused_math,
    segments,
    typeset_dashes,
    ungroup_math,
)
from readlist.core.texrender import render_tex
from readlist.core.text import clean_line, clean_lines, strip_controls

ARXIV_ABS = "https://arxiv.org/abs/"
# Characters a URL may not contain as such (RFC 3986 plus what breaks a BibTeX field): percent-encoded.
# Everything else, ``(`` ``)`` ``%`` ``#`` included, is written byte for byte.
_URL_SAFE = "!#$%&'()*+,-./:;=?@[]_~"
# An http(s) URL that quote() leaves as it is and urlsplit() cannot refuse (no brackets: an IPv6 host may be
# malformed).
_PLAIN_URL = re.compile(r"https?://[A-Za-z0-9_.\-~!#$%&'()*+,/:;=?@]*")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_PRINTABLE_ASCII = re.compile(r"[ -~\n]*")
_COUNT_NOTE = re.compile(r"^(\d+) authors?; names not recorded in the source$")


def clean_field(text: object) -> str:
    """One-line, inert text: escape sequences and control characters removed, spaces collapsed."""
    return clean_line(str(text)) if text else ""


def clean_note(text: object, *, exact: bool = False) -> str:
    """Multi-line inert text (notes, abstracts): controls removed, line breaks and indentation kept; with
    ``exact``, the spaces that end a line and the line breaks at either end too (a note's: two spaces ending a
    Markdown line break it, and an export must read back as the note was)."""
    if not text:
        return ""
    text = str(text)
    if exact:
        return "\n".join(strip_controls(line) for line in _SEPARATED_LINES.split(text))
    return text if _kept_as_is(text) else _cleaned_note(text)


# What ends a line of a note: a line feed, Windows' and old Macs' line ends, U+2028 and U+2029.
_SEPARATED_LINES = re.compile("\r\n|[\r\n\u2028\u2029]")


def _cleaned_note(text: str) -> str:
    """:func:`clean_note` the long way: line by line. U+2028 and U+2029 (line and paragraph separators, which a
    hand-made library may hold in a note) end a line as ``\\n`` does: left in, a terminal the export is printed
    on may break the line there or show a box, and a reader of lines (an RIS or CSV reader) may start a new
    record line where the format has none."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n").split("\n")
    return "\n".join(strip_controls(line).rstrip() for line in lines).strip("\n")


def _kept_as_is(text: str) -> bool:
    """Whether :func:`clean_note` leaves ``text`` as it is, told without splitting it (an export asks this of
    every abstract): no control, bidi mark or other character that is not printable but the newline (the only
    whitespace that is printable is the space), no space ending a line, no newline at either end."""
    printable = _PRINTABLE_ASCII.fullmatch(text) is not None if text.isascii() else text.replace("\n", "").isprintable()
    return printable and " \n" not in text and text[-1] != " " and text[0] != "\n" and text[-1] != "\n"


def safe_url(url: object) -> str | None:
    """The URL when it is http(s); characters that no URL may hold as such are percent-encoded."""
    text = clean_field(url)
    if not text:
        return None
    if _PLAIN_URL.fullmatch(text):
        return text  # what _checked_url gives for it, without taking the URL apart (an export has 100,000)
    return _checked_url(text)


def _checked_url(text: str) -> str | None:
    """:func:`safe_url` the long way: the scheme read by urllib, the rest percent-encoded where it must be."""
    try:
        scheme = urlsplit(text).scheme.lower()
    except ValueError:
        return None
    if scheme not in ("http", "https"):
        return None
    return quote(text, safe=_URL_SAFE)


def verbatim_doi(doi: str, *, biblatex: bool = False) -> str:
    """A DOI as a ``.bib`` file holds it: as typed, like a URL (biblatex prints ``doi`` verbatim and links it).

    Only characters that no URL may contain unencoded (spaces, braces, quotes, ``<``, ``>``, ``\\``,
    non-ASCII) are percent-encoded, as :func:`safe_url` does, so braces stay balanced for BibTeX. For biblatex
    ``<`` and ``>`` stay as typed: it prints the field verbatim, and an old DOI such as
    ``10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-0`` printed with ``%3C`` was not the DOI.
    BibTeX styles print ``doi`` as text, where the usual fonts have no ``<``.
    """
    return quote(doi, safe=_URL_SAFE + ("<>" if biblatex else ""))


def count_note(count: int) -> str:
    """The note written when a source gave only how many authors a paper has."""
    return f"{count} author{'s' if count != 1 else ''}; names not recorded in the source"


# The addresses of the DOI resolver a URL may give a DOI by (``https://doi.org/10.1000/182``).
_DOI_RESOLVER = re.compile(r"https?://(?:dx\.)?doi\.org/", re.IGNORECASE)


def _resolves_doi(url: str, doi: str) -> bool:
    """Whether ``url`` is the resolver's address of ``doi`` (DOIs are compared without case, as they are)."""
    match = _DOI_RESOLVER.match(url)
    return match is not None and unquote(url[match.end():]).casefold() == doi.casefold()


def parse_count_note(note: str) -> int | None:
    """The author count in a note :func:`count_note` wrote, else None."""
    match = _COUNT_NOTE.match(note.strip())
    return int(match.group(1)) if match else None


def primary_class(arxiv_id: str | None, categories: list[str]) -> str | None:
    """The primary arXiv category: recorded (enrichment), or the archive an old-style id names."""
    if categories and clean_field(categories[0]):
        return clean_field(categories[0])
    if arxiv_id and "/" in arxiv_id:
        return arxiv_id.split("/", 1)[0].split(".", 1)[0] or None
    return None


@dataclass(frozen=True, slots=True)
class Reference:
    """A paper as every citation format sees it: cleaned text, split names, the date and the URL to cite."""

    paper: Paper
    title: str
    names: tuple[str, ...]
    organization: str
    authors_count: int | None
    date: PartialDate | None  # the effective date: the record's, completed from the arXiv id
    own_date: PartialDate | None  # the record's date exactly as stored
    arxiv_id: str
    primary_class: str | None
    categories: tuple[str, ...]
    url: str | None  # the URL to cite: the arXiv abstract page when there is an id, else the paper's page
    own_url: str | None  # the paper's recorded page (may be a Hugging Face page)
    doi: str
    upvotes: int | None
    added_day: str | None
    venue: str  # where it was published, when the user gave it (``edit --journal``, a .bib file); else ""

    # Text that only complete exports and user data need is cleaned when asked for.
    @property
    def abstract(self) -> str:
        return clean_note(self.paper.abstract)

    @property
    def note(self) -> str:
        return clean_note(self.paper.note, exact=True)

    @property
    def tags(self) -> list[str]:
        return [t for t in (clean_field(t) for t in self.paper.tags) if t]

    @property
    def rating(self) -> int:
        return self.paper.rating

    @property
    def status(self) -> str:
        return self.paper.status

    @property
    def plain_title(self) -> str:
        """The title as a reader sees it: TeX math rendered as Unicode (``S$^{2}$FT`` reads ``S²FT``), and ``--``
        and ``---`` as the en and em dashes the BibTeX export prints for them (``Value--at--Risk`` reads
        ``Value–at–Risk``).

        For the formats whose readers take a title as plain text (CSL-JSON, RIS, Markdown, the text reference):
        pandoc and Zotero would otherwise print the dollar signs and backslashes, and two hyphens where the PDF
        built from the BibTeX export has a dash. BibTeX and BibLaTeX keep the title as recorded, where TeX is
        what it is written in.
        """
        return plain_text(self.title)

    @property
    def tex_title(self) -> str:
        """The title for BibTeX and BibLaTeX: its math as recorded, the TeX around it as a reader sees it.

        A title from arXiv is written in TeX, and not only in its math: ``Schr\\"odinger``, ``Caf\\'e``,
        ``\\emph{not}``, ``Q\\&A``. The exports write text outside math as text, backslashes and braces
        included, so LaTeX printed ``Schr\\"odinger`` as typed; rendered first (see :func:`tex_text`), it is
        written ``Schr{\\"o}dinger`` and prints as the other formats show it.
        """
        return tex_text(self.title)

    @property
    def plain_title_math_marked(self) -> str:
        """:attr:`plain_title` with each word that was math marked (see :func:`readlist.core.tex.mark_math_words`)."""
        return plain_text(mark_math_words(self.title))

    @property
    def url_beside_doi(self) -> str | None:
        """The URL to cite next to the DOI: :attr:`url`, unless it only resolves the DOI.

        A paper whose one link is its DOI (a ``.bib`` file with only ``doi``) is recorded with
        ``https://doi.org/…`` as its page. Written beside ``doi`` as well, biblatex printed the DOI twice and
        "(visited on …)", plainnat twice, and citeproc and reference managers likewise; the record keeps it.
        """
        url = self.url
        if url and self.doi and _resolves_doi(url, self.doi):
            return None
        return url

    @property
    def people(self) -> list[PersonName]:
        """The names split into their parts (for formats that write family and given names apart)."""
        return [person(name) for name in self.names]

    @property
    def more_authors(self) -> bool:
        """The names are only some of the authors (a ``.bib`` file's ``and others``): citations say et al."""
        return bool(self.names) and (self.authors_count or 0) > len(self.names)

    @property
    def count_note(self) -> str | None:
        """The note for a paper whose source gave only an author count."""
        if self.names or self.organization or not self.authors_count:
            return None
        return count_note(self.authors_count)


def plain_text(tex: str) -> str:
    """TeX rendered as a reader sees it (see :attr:`Reference.plain_title`); cleaned again, as what the rendering
    makes is text from a page too.

    A run outside math whose braces do not pair up is not TeX anyone wrote, and the TeX formats print it as typed
    (see :func:`tex_text`): so do these. Rendered, its braces vanished (``Sets {a, b} and {c`` read "Sets a, b and
    c") and its commands with them, where the PDF built from the BibTeX export showed every one. So does math the
    TeX formats refuse to write as math (``$\\input{/etc/hostname}$``, ``$\\mymacro$``): rendered, the commands
    vanished with all their text, and the title lost a word the PDF showed.
    """
    if ("{" not in tex and "}" not in tex and "$" not in tex) or _AS_TYPED in tex:
        return clean_line(render_tex(typeset_dashes(tex)))
    tex = ungroup_math(tex)
    kept: list[str] = []

    def set_aside(run: str) -> str:
        if not balanced_braces(run):
            kept.append(typeset_dashes(run))
            return _AS_TYPED
        out: list[str] = []
        last = 0
        for refused in refused_math(run):
            out += [run[last : refused.start()], _AS_TYPED]
            kept.append(refused.group())
            last = refused.end()
        out.append(run[last:])
        # A dollar left in the run is text (its only math is the refused, set aside): escaped, so that the renderer
        # pairs none of them with another, or with the dollars of the math beside the run.
        return _BARE_DOLLAR.sub(r"\\$", "".join(out))

    rendered = render_tex(typeset_dashes(outside_math(tex, set_aside)))
    return clean_line(_AS_TYPED_HERE.sub(lambda _: kept.pop(0), rendered) if kept else rendered)


# Where :func:`plain_text` puts a run it keeps as typed while the rest of the text is rendered.
_AS_TYPED = "\ufdd6"
_AS_TYPED_HERE = re.compile(_AS_TYPED)


# Text-mode TeX: a command, an accent or a group outside math.
_TEXT_MODE_TEX = re.compile(r"[\\{}]")


def tex_text(text: str) -> str:
    """``text`` with the TeX outside its math rendered as Unicode (accents, letters like ``\\ss``, escaped
    specials like ``\\&``, font commands), its math kept as written: what the TeX formats encode again.

    A command the renderer does not know stays as written, as in the plain formats (it is then printed as
    typed, backslash included). A run whose braces do not pair up is not TeX anyone wrote (``0{``): it is left
    as it is, and printed as typed; braces that only group math with the words around it (``{$\\epsilon$}-Greedy``)
    are taken away first (see :func:`~readlist.core.tex.ungroup_math`). An escaped dollar (``The \\$1M
    Question``) is rendered as the dollar sign it prints, which the encoder writes as text, unless the title's
    math would then read differently (``\\$x\\$`` renders as ``$x$``, math to the encoder): only then is a run
    with one left as typed, as is one with a dollar sign that is not escaped. Left so, the PDF showed its
    backslashes and those of every escape beside them (``10\\% Off \\& \\$5``).
    """
    if not _TEXT_MODE_TEX.search(text):
        return text
    text = ungroup_math(text)
    rendered = outside_math(text, _rendered_run)
    if "$" in rendered and _math_of(rendered) != _math_of(text):
        return outside_math(text, _rendered_run_without_dollars)
    return rendered


def _math_of(text: str) -> list[str]:
    """The math segments the encoder finds in ``text``, in order."""
    return [segment.text for segment in segments(text) if segment.math]


def _rendered_run_without_dollars(run: str) -> str:
    """:func:`_rendered_run`, but a run whose rendering holds a dollar sign as typed."""
    rendered = _rendered_run(run)
    return run if "$" in rendered and rendered != run else rendered


# A dollar sign that is no escaped one (``\\$``): math the encoder would not write as math, or money.
_BARE_DOLLAR = re.compile(r"(?<!\\)\$")


def _rendered_run(run: str) -> str:
    """A run outside math rendered, or as typed: when its braces do not pair up, or it holds a dollar sign that is
    not escaped (the renderer would take ``$\\input{x}$``, which the encoder does not run, for math)."""
    if not _TEXT_MODE_TEX.search(run) or not balanced_braces(run) or _BARE_DOLLAR.search(run):
        return run
    rendered = " ".join(render_tex(run).split())  # ``\\`` renders as a line break: in a title, a space
    lead, trail = run[: len(run) - len(run.lstrip())], run[len(run.rstrip()) :]
    return lead + rendered + trail if rendered else run


def reference(paper: Paper) -> Reference:
    names = clean_lines(paper.authors)
    arxiv = find_arxiv_id(clean_field(paper.arxiv_id)) or ""
    own_url = safe_url(paper.url)
    added = (paper.added or "")[:10]
    return Reference(
        paper=paper,
        title=clean_field(paper.title),
        names=names,
        organization=clean_field(paper.organization),
        authors_count=paper.authors_count,
        date=paper.date,
        own_date=PartialDate.parse(paper.published),
        arxiv_id=arxiv,
        primary_class=primary_class(arxiv, paper.categories),
        categories=clean_lines(paper.categories),
        url=ARXIV_ABS + arxiv if arxiv else own_url,
        own_url=own_url,
        doi=clean_field(paper.doi),
        upvotes=paper.upvotes,
        added_day=added if _DAY.fullmatch(added) else None,
        venue=clean_field(paper.journal_ref) if user_edited(paper, "journal_ref") else "",
    )
