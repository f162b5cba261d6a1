r"""BibTeX and BibLaTeX files (``.bib``), read with bibtexparser 2 and decoded with pylatexenc.

Fields used: ``title``, ``author`` (a single braced name such as
``{{Spiral Works}}`` is an organization, not a person; a name keeps the family
name the file gives it, see :func:`_person`), ``organization``,
``abstract``, ``url``, ``doi``, the arXiv id (``eprint``, an arXiv ``url``/``doi``
or ``arXiv:XXXX`` in ``journal``/``note``), ``primaryClass``/``eprintclass``, the
date and ``keywords`` (which become tags, applied by the store only to papers
that have none). What readlist itself writes comes back too: ``annote`` (the
note), ``readlist-upvotes``, ``readlist-url``, ``readlist-title``, ``readlist-categories``, ``readlist-rating``,
``readlist-status`` and the author-count ``note``.

TeX is decoded by the same library that encodes readlist's exports
(:func:`readlist.core.tex.decode`): ``{\'\i}`` is ``í``, ``{\"o}`` is ``ö``,
``\&`` is ``&``, ``{\TeX}`` is ``TeX``, math ``$…$`` and ligatures such as ``--``
stay as written, and the result is NFC-normalised so that names and titles equal
their Unicode forms from web pages. A command the decoder does not know stays
visible as its name: a title is never stored, and its id never computed, with a
word missing.

Dates keep the precision the file gives: ``date = {2023-06}`` (BibLaTeX, and
what readlist writes) is used as it is; otherwise ``year`` (and ``month``, and
``day``) give ``2023``, ``2023-06`` or ``2023-06-20``, never an invented month or
day. A date readlist wrote only from the arXiv id (``readlist-date =
{arxiv-id}``) is not stored: the id still gives it.
"""

from __future__ import annotations

import logging
import re
from datetime import date
from urllib.parse import unquote

from bibtexparser.entrypoint import parse_string
from bibtexparser.library import Library
from bibtexparser.middlewares.enclosing import RemoveEnclosingMiddleware
from bibtexparser.middlewares.middleware import LibraryMiddleware
from bibtexparser.middlewares.names import InvalidNameError, parse_single_name_into_parts, split_multiple_persons_names
from bibtexparser.model import DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, Entry, Field

from readlist.core.bibtex_out import CATEGORIES_FIELD, DATE_FROM_ID, DATE_SOURCE_FIELD, STATUS_FIELD, TITLE_FIELD
from readlist.core.dates import PartialDate
from readlist.core.model import ValidationError, find_arxiv_id, now_iso, parse_rating, parse_status
from readlist.core.names import family_and_suffix, person
from readlist.core.reference import parse_count_note
from readlist.core.tex import decode as decode_tex
from readlist.core.text import strip_controls
from readlist.importers.base import MONTHS, ImportFormatError, ParseResult, decode
from readlist.importers.hf_json import unwrap

FORMAT = "bibtex"

_ENTRY = re.compile(r"^[ \t]*@[ \t]*([A-Za-z]+)[ \t]*[{(][ \t]*[^\s,{}()]*[ \t]*,", re.MULTILINE)
_NOT_ENTRIES = frozenset({"string", "comment", "preamble"})
_CATEGORY = re.compile(r"^[a-z][a-z\-]*(?:\.[A-Za-z\-]+)?$")
_OTHERS = frozenset({"others", "et al.", "et al"})


def sniff(text: str) -> bool:
    """At least one ``@type{key,`` entry that is not a string, comment or preamble; never markup or JSON."""
    head = text.lstrip()[:1]
    if head in ("<", "{", "["):
        return False
    return any(m.group(1).lower() not in _NOT_ENTRIES for m in _ENTRY.finditer(text[:200000]))


def delatex(text: str) -> str:
    """Plain one-line text from a TeX field value (accents, escapes, formatting commands, braces)."""
    return re.sub(r"\s+", " ", decode_tex(text)).strip()


def _braced_whole(name: str) -> bool:
    """``{Spiral Works}``: a literal, not First/Last parts. One brace group around the whole name, or brace
    groups side by side with nothing between them (``{AT}{\\&}{T Labs}``, as readlist writes a literal name
    with a TeX command in it so that alpha-style labels never cut the command)."""
    if not (name.startswith("{") and name.endswith("}")):
        return False
    depth = 0
    for char in name:
        if depth == 0 and char != "{":
            return False  # text outside the groups: a name with braced parts (``{\\'E}mile Zola``)
        depth += {"{": 1, "}": -1}.get(char, 0)
    return depth == 0


def _person(name: str) -> str:
    """A name as the record holds it, with the family name the file gives (BibTeX's rules split it).

    A name the file writes ``First von Last`` is ``First von Last Jr.``, as before: readlist's name rules
    split it for citations (:func:`readlist.core.names.person`), and they read some names better than
    BibTeX does (``Dario Di Nucci``, ``Martin Luther King Jr.``). A name the file splits itself, with a comma
    (``García Márquez, Gabriel``) or a brace group of several words (``Gabriel {García Márquez}``), keeps that
    split: ``First von Last Jr.`` when readlist splits it back into the same given name, family name (with
    its von part) and suffix (``Knuth, Donald E.`` is ``Donald E. Knuth``, as a web page writes it), else
    ``von Last, Jr., First``, which readlist splits as BibTeX does. In ``Gabriel García Márquez`` every
    citation would have lost all of the family name but its last word. A name neither form gives back is
    kept in the first, as before.
    """
    if _braced_whole(name):
        return delatex(name)
    name = _classic_name(name)
    try:
        parts = parse_single_name_into_parts(name, strict=False)
    except (InvalidNameError, ValueError, IndexError):
        return delatex(name)
    given, family, suffix = (delatex(" ".join(words)) for words in (parts.first, [*parts.von, *parts.last], parts.jr))
    ordered = " ".join(part for part in (given, family, suffix) if part)
    if not (given and family and _splits_itself(name)):
        return ordered
    for written in (ordered, f"{family}, {suffix}, {given}" if suffix else f"{family}, {given}"):
        split = person(written)
        if (split.given, split.family_with_particle, split.suffix) == (given, family, suffix):
            return written
    return ordered


# biblatex's extended name format: ``family=Gogh, prefix=van, given=Vincent`` (biber reads it; BibTeX does not).
_EXTENDED_PART = re.compile(r"\s*(family|given|prefix|suffix|useprefix|[a-z]+-i)\s*=", re.IGNORECASE)


def _classic_name(name: str) -> str:
    """A name in biblatex's extended format written the classic way, ``van {Gogh}, Vincent``; any other as it is."""
    if not _EXTENDED_PART.match(name):
        return name
    parts: dict[str, str] = {}
    for piece in _top_level_commas(name):
        key, equals, value = piece.partition("=")
        if not equals:
            return name  # not the extended format after all
        value = value.strip()
        if len(value) >= 2 and value[0] + value[-1] in ("{}", '""'):
            value = value[1:-1].strip()
        parts[key.strip().lower()] = value
    family = parts.get("family", "")
    if not family:
        return name
    written = (parts["prefix"] + " " if parts.get("prefix") else "") + "{" + family + "}"
    if parts.get("suffix"):
        written += ", " + parts["suffix"]
    return written + (", " + parts["given"] if parts.get("given") else "")


def _top_level_commas(text: str) -> list[str]:
    """``text`` split at the commas outside braces."""
    pieces, depth, start = [], 0, 0
    for index, char in enumerate(text):
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(depth - 1, 0)
        elif char == "," and depth == 0:
            pieces.append(text[start:index])
            start = index + 1
    pieces.append(text[start:])
    return [piece for piece in pieces if piece.strip()]


def _splits_itself(name: str) -> bool:
    """Whether a name says where its family name starts: a comma outside braces, or a brace group of several
    words (``{van der Waals}``; a group that starts with a command, ``{\\c c}``, is one letter)."""
    depth = 0
    for index, char in enumerate(name):
        if char == "{":
            if depth == 0 and name[index + 1:index + 2] != "\\":
                end = _string_end(name, index + 1, braced=True)
                if end > 0 and any(c.isspace() for c in name[index + 1:end]):
                    return True
            depth += 1
        elif char == "}":
            depth = max(depth - 1, 0)
        elif char == "," and depth == 0:
            return True
    return False


def split_names(value: str) -> list[str]:
    """The names of an ``author`` field, split on ``and`` outside braces (``others``, i.e. et al., is no name)."""
    return [n for n in split_multiple_persons_names(value.strip()) if n.strip().casefold() not in _OTHERS]


def lists_others(value: str) -> bool:
    """Whether an ``author`` field ends its names with ``others`` (et al.): the paper has more authors."""
    return any(n.strip().casefold() in _OTHERS for n in split_multiple_persons_names(value.strip()))


def split_authors(value: str) -> list[str]:
    """Names as a reader writes them: ``Last, First`` → ``First Last``."""
    return [name for name in (_person(n) for n in split_names(value)) if name]


def _authors(fields: dict[str, str]) -> tuple[list[str], str | None]:
    """Authors and organization: one braced name alone (``{{Spiral Works}}``) is a corporate author."""
    organization = delatex(fields.get("organization", "")) or None
    names = split_names(fields.get("author", ""))
    if len(names) == 1 and _braced_whole(names[0].strip()) and not family_and_suffix(delatex(names[0])):
        return [], organization or delatex(names[0])
    return [n for n in (_person(n) for n in names) if n], organization


def _date_from_fields(fields: dict[str, str]) -> PartialDate | None:
    """``date``, else ``year``/``month``/``day``; only the parts that are there and real."""
    raw_date = fields.get("date", "").strip()
    if raw_date:
        found = PartialDate.parse(raw_date.split("/", 1)[0])  # a range: its start
        if found:
            return found
    match = re.search(r"(?<!\d)(\d{4})(?!\d)", fields.get("year", ""))  # 2020a (told apart by a letter) too
    if not match:
        return None
    month = _month(fields.get("month", ""))
    if month is None:
        return PartialDate.parse(match[1])
    day = fields.get("day", "").strip()
    text = f"{match[1]}-{month:02d}" + (f"-{int(day):02d}" if day.isdigit() and len(day) <= 2 else "")
    return PartialDate.parse(text)


def _published(fields: dict[str, str]) -> str | None:
    marked = fields.get(DATE_SOURCE_FIELD, "").strip()
    if marked == DATE_FROM_ID:
        return None  # readlist wrote a date it only knew from the arXiv id: the id still says it
    if (own := PartialDate.parse(marked)) is not None:
        return own.iso()  # the record's own date, where readlist wrote the arXiv id's more precise one
    found = _date_from_fields(fields)
    return found.iso() if found else None


def _month(value: str) -> int | None:
    value = decode_tex(value).strip().strip("{}").lower().rstrip(".")
    if value.isascii() and value.isdigit() and len(value) <= 2:
        month = int(value)
        return month if 1 <= month <= 12 else None
    return MONTHS.get(value, MONTHS.get(value[:3]))


def _arxiv_id(fields: dict[str, str]) -> str | None:
    prefix = (fields.get("archiveprefix") or fields.get("eprinttype") or "").strip().lower()
    eprint = fields.get("eprint", "")
    if eprint and prefix in ("", "arxiv"):
        found = find_arxiv_id(eprint)
        if found:
            return found
    for key in ("arxiv", "arxivid"):
        if fields.get(key):
            found = find_arxiv_id(fields[key])
            if found:
                return found
    doi = fields.get("doi", "")
    match = re.search(r"10\.48550/arxiv\.(\S+)", doi, re.IGNORECASE)
    if match:
        return find_arxiv_id(match.group(1))
    for key in ("url", "journal", "note", "howpublished", "booktitle"):
        value = fields.get(key, "")
        if "arxiv" in value.lower():
            found = find_arxiv_id(value)
            if found:
                return found
    return None


# A ``journal`` that only says where a preprint is: Google Scholar's "arXiv preprint arXiv:…", DBLP's "CoRR".
_NOT_A_VENUE = re.compile(r"\barxiv\b|^\s*corr\s*$|^\s*$", re.IGNORECASE)


def _venue(fields: dict[str, str]) -> str | None:
    """Where the paper was published (``journal``, else ``booktitle``), unless it names the preprint server."""
    for key in ("journal", "journaltitle", "booktitle"):
        value = delatex(fields.get(key, ""))
        if value and not _NOT_A_VENUE.search(value):
            return value
    return None


def _url(value: str) -> str | None:
    """A URL exactly as written (``\\url{…}`` unwrapped), when it is http(s)."""
    url = value.strip()
    match = re.fullmatch(r"\\url\s*\{(.*)\}", url, re.DOTALL)
    if match:
        url = match.group(1).strip()
    return url if re.match(r"^https?://\S+$", url) else None


def _doi(value: str) -> str:
    """A DOI as typed: verbatim like a URL (what readlist writes), or TeX-escaped (``{\\_}``, older files)."""
    value = value.strip()
    if "\\" in value or "{" in value:
        value = decode_tex(value).strip()
    return unquote(value) if "%" in value else value


def _categories(fields: dict[str, str]) -> list[str]:
    """The arXiv categories readlist wrote, else the primary one (``primaryClass`` / ``eprintclass``).

    readlist writes ``readlist-categories`` empty when it recorded no category and the primary class it
    wrote is only the archive an old-style id names (``hep-th`` for ``hep-th/9901001``): then there is none.
    """
    written = fields.get(CATEGORIES_FIELD, "")
    listed = [c for c in decode_tex(written).split() if _CATEGORY.match(c)]
    if listed or (CATEGORIES_FIELD in fields and not written.strip()):
        return listed
    value = (fields.get("primaryclass") or fields.get("eprintclass") or "").strip()
    return [value] if _CATEGORY.match(value) else []


def _count(value: str) -> int | None:
    value = value.strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


def _note(value: str, *, exact: bool) -> str:
    """The user's note (``annote``): decoded, with its lines and indentation kept; ``exact`` (readlist's own
    export) keeps the spaces that end a line (two make a line break in Markdown) and the blank lines at either
    end as well, which in another's file are the layout of the file."""
    lines = decode_tex(value).replace("\r\n", "\n")
    if exact:
        return lines
    return "\n".join(line.rstrip() for line in lines.split("\n")).strip("\n")


def _record(entry: Entry) -> dict[str, object]:
    fields = {key.lower(): str(value) for key, value in entry.items() if key not in ("ID", "ENTRYTYPE")}
    arxiv_id = _arxiv_id(fields)
    url = _url(fields.get("readlist-url", "")) or _url(fields.get("url", ""))
    doi = _doi(fields.get("doi", ""))
    if url is None and arxiv_id:
        url = f"https://arxiv.org/abs/{arxiv_id}"
    elif url is None and doi:
        url = f"https://doi.org/{doi}"
    authors, organization = _authors(fields)
    # Escape sequences go before the split: one has semicolons, and its pieces would be tags of their own.
    # Others separate keywords with ";" too; readlist's own export (its status written) only with ", ", and a tag
    # may hold a ";" (``x;y`` came back as the two tags x and y).
    separators = r"," if STATUS_FIELD in fields else r"[,;]"
    keywords = [k for k in re.split(separators, strip_controls(delatex(fields.get("keywords", "")))) if k.strip()]
    record: dict[str, object] = {
        "title": delatex(fields.get(TITLE_FIELD) or fields.get("title", "")),
        "authors": authors,
        "organization": organization,
        "abstract": unwrap(decode_tex(fields.get("abstract", ""))),
        "arxiv_id": arxiv_id,
        "categories": _categories(fields),
        "published": _published(fields),
        "url": url,
        "doi": doi or None,
        "upvotes": _count(fields.get("readlist-upvotes", "")),
        "tags": keywords,
        "note": _note(fields.get("annote", ""), exact=STATUS_FIELD in fields),
    }
    venue = _venue(fields)
    if venue:
        # The venue a .bib gives is the user's, as one set with `readlist edit --journal`: it is cited, and
        # arXiv's own journal reference (free text, often "Accepted at …") does not replace it.
        record["journal_ref"] = venue
        record["changed"] = {"journal_ref": now_iso()}
    if not authors and not organization:
        record["authors_count"] = parse_count_note(delatex(fields.get("note", "")))
    elif authors and lists_others(fields.get("author", "")):
        # "A and B and others": more authors than the names, how many is not said. The count says "more".
        record["authors_count"] = len(authors) + 1
    # A readlist export with user data: kept on new papers (the store never lets an import change them on
    # papers already in the library).
    try:
        if fields.get("readlist-rating", "").strip():
            record["rating"] = parse_rating(fields["readlist-rating"].strip())
        if fields.get(STATUS_FIELD, "").strip():
            record["status"] = parse_status(fields[STATUS_FIELD]).value
    except ValidationError:
        pass  # someone else's field of the same name: ignore rather than refuse the paper
    return record


# BibTeX's own month macros (plain.bst and every standard style define them); an @string of the same name wins.
_MONTH_MACROS = {
    "jan": "January", "feb": "February", "mar": "March", "apr": "April", "may": "May", "jun": "June",
    "jul": "July", "aug": "August", "sep": "September", "oct": "October", "nov": "November", "dec": "December",
}
# One part of a value: a braced or quoted string, or a bare word (a macro name or a number).
_VALUE_PART = re.compile(r'\s*(?:(\{)|(")|([^\s#{}"]+))')
# The longest value macros may expand to (a .bib file's longest fields, abstracts, are a few thousand characters),
# and how much macro text one file may add in all beyond its own size: macros that double each other, or a long
# one used in every entry, would otherwise fill the memory.
_MAX_EXPANDED = 100_000
_EXPANSION_ALLOWANCE = 1_000_000


class _ExpandStrings(LibraryMiddleware):
    """``@string`` macros and BibTeX's month macros expanded, ``#`` concatenations joined (``title = a # " x"``).

    bibtexparser's own middleware only replaces a value that is one macro name, and its enclosing step then
    cuts a concatenation's outer braces or quotes as if they were one value's. A value this changes is written
    back braced, so that step takes it as one string; a value it cannot expand (not BibTeX, or past the limits
    above) is left as written, as is every use of a macro that could not be.
    """

    def __init__(self, size: int) -> None:
        super().__init__(allow_inplace_modification=True)
        self._budget = _EXPANSION_ALLOWANCE + 4 * size
        self._macros = dict(_MONTH_MACROS)
        self._broken: set[str] = set()

    @classmethod
    def metadata_key(cls) -> str:
        return "readlist_expand_strings"

    def transform(self, library: Library) -> Library:
        for key, string in library.strings_dict.items():  # in file order: a macro may use an earlier one
            name, expanded = key.lower(), self._expanded(str(string.value))
            if expanded is None:
                self._macros.pop(name, None)
                self._broken.add(name)
            else:
                self._macros[name] = expanded
                self._broken.discard(name)
        for entry in library.entries:
            for field in entry.fields:
                raw = field.value
                # A braced or quoted value without "#", nearly every one, is one string: left to the next step.
                if not isinstance(raw, str) or (
                    "#" not in raw and (raw[:1] in '{"' or raw.lower() not in self._macros)
                ):
                    continue
                expanded = self._expanded(raw)
                if expanded is not None:
                    field.value = "{" + expanded + "}"
        return library

    def _expanded(self, raw: str) -> str | None:
        """``raw``, a value as a .bib file writes it, as BibTeX reads it: the parts between top-level ``#`` joined,
        each braced or quoted string's text as it is, each bare word a macro's text (a number, or a name that is
        no macro, as it is). None if ``raw`` is not such a value or cannot be expanded."""
        text: list[str] = []
        pos, end, size = 0, len(raw), 0
        while True:
            match = _VALUE_PART.match(raw, pos)
            if not match:
                return None
            if match[3] is not None:
                name = match[3].lower()
                if name in self._broken:
                    return None
                text.append(self._macros.get(name, match[3]))
                size += len(text[-1])
                pos = match.end()
            else:
                pos = _string_end(raw, match.end(), braced=match[1] is not None)
                if pos < 0:
                    return None
                text.append(raw[match.end() : pos])
                pos += 1
            while pos < end and raw[pos].isspace():
                pos += 1
            if pos >= end:
                break
            if raw[pos] != "#":
                return None
            pos += 1
        if size > _MAX_EXPANDED or size > self._budget:
            return None
        self._budget -= size
        return "".join(text)


def _string_end(raw: str, start: int, *, braced: bool) -> int:
    """Where a string that opens before ``start`` closes: a braced one at its closing brace, a quoted one at a
    quote outside braces; -1 if it does not."""
    depth = 1 if braced else 0
    for pos in range(start, len(raw)):
        char = raw[pos]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return -1
            if braced and depth == 0:
                return pos
        elif char == '"' and not braced and depth == 0:
            return pos
    return -1


# Entry types that are a volume other entries are part of, not a paper of their own, when one names it in crossref.
_VOLUMES = frozenset({"proceedings", "mvproceedings", "book", "mvbook", "collection", "mvcollection", "reference"})


def _with_crossrefs(entries: list[Entry], notes: list[tuple[str, str]]) -> list[Entry]:
    """The entries with what each takes from the entry its ``crossref`` names, as BibTeX gives it: every field
    it lacks, and the volume's title as its ``booktitle``. A volume (``@proceedings``, ``@book``) an entry names
    is not a paper of its own: it is left out, with a note (it was imported as a paper without authors, which
    bibtex's styles warned about).
    """
    if not any("crossref" in entry.fields_dict for entry in entries):
        return entries
    by_key = {entry.key.casefold(): entry for entry in entries}
    volumes: set[str] = set()
    for entry in entries:
        named = entry.fields_dict.get("crossref")
        parent = by_key.get(str(named.value).strip().casefold()) if named is not None else None
        if parent is None or parent is entry:
            continue
        own = {name.casefold() for name in entry.fields_dict}
        for item in parent.fields:
            name = item.key.casefold()
            if name == "title" and parent.entry_type.lower() in _VOLUMES:
                name = "booktitle"
            if name not in own and name not in ("crossref", "key", "label", "ids"):
                entry.set_field(Field(name, item.value))
                own.add(name)
        if parent.entry_type.lower() in _VOLUMES:
            volumes.add(parent.key)
    for key in volumes:
        volume = by_key[key.casefold()]
        notes.append((f"@{volume.entry_type}{{{volume.key}}}",
                      "a volume entries take their details from (crossref), not a paper: not imported"))
    return [entry for entry in entries if entry.key not in volumes]


def _say_no_date(entry: Entry, label: str, notes: list[tuple[str, str]]) -> None:
    """A note for an entry whose ``date`` or ``year`` is written but gives no date (``in press``, ``12345``)."""
    fields = {name.lower(): str(item.value).strip() for name, item in entry.fields_dict.items()}
    if _date_from_fields(fields) is not None:
        return  # a date is there (readlist's own export may leave it to the arXiv id)
    name = "date" if fields.get("date") else "year" if fields.get("year") else None
    if name is not None:
        notes.append((label, f"{name} {fields[name][:40]!r} is no date: the paper has none"))


def _recovered(split: Library, notes: list[tuple[str, str]]) -> tuple[Library, dict[str, str]]:
    """The library with the entries bibtexparser set aside that BibTeX reads, and the real keys of those it gives
    a key of their own.

    The same key twice is still two papers (dedup is by id or title), and the second must be read as the first
    is: bibtexparser sets it aside unread, past the steps that expand ``@string`` macros and take off the braces
    and quotes (its author was stored with the quotes, ``"Bob Jones``). An entry that gives a field twice is
    read with the first, as BibTeX reads it (it was skipped whole); ``notes`` says which field.
    """
    if not any(isinstance(block, (DuplicateBlockKeyBlock, DuplicateFieldKeyBlock)) for block in split.failed_blocks):
        return split, {}
    twice: dict[str, str] = {}
    keys: set[str] = set()
    blocks = []
    for block in split.blocks:
        if isinstance(block, DuplicateFieldKeyBlock) and isinstance(block.ignore_error_block, Entry):
            block = _first_of_each_field(block.ignore_error_block, block.duplicate_keys, notes)
        elif isinstance(block, DuplicateBlockKeyBlock) and isinstance(block.ignore_error_block, Entry):
            block = block.ignore_error_block
        if isinstance(block, Entry):
            if block.key in keys:
                stand_in = f"{block.key}\x00{len(twice)}"  # no key holds a NUL
                twice[stand_in] = block.key
                block.key = stand_in
            keys.add(block.key)
        blocks.append(block)
    return Library(blocks), twice


def _first_of_each_field(entry: Entry, repeated: set[str], notes: list[tuple[str, str]]) -> Entry:
    """The entry with the first value of each field it gives more than once, as BibTeX reads it; said in ``notes``."""
    seen: set[str] = set()
    kept = []
    for item in entry.fields:
        if item.key.lower() not in seen:
            seen.add(item.key.lower())
            kept.append(item)
    entry.fields = kept
    notes.append((f"@{entry.entry_type}{{{entry.key}}}",
                  f"{', '.join(sorted(repeated))} given twice: the first kept, as BibTeX keeps it"))
    return entry


def parse(data: bytes | str, *, source: str = "", today: date | None = None, year: int | None = None) -> ParseResult:
    text = decode(data)
    # bibtexparser logs every bad block; those become skip reasons in the report instead.
    logger = logging.getLogger("bibtexparser")
    level = logger.level
    logger.setLevel(logging.CRITICAL)  # also silences its child loggers (splitter, middlewares)
    recovered_notes: list[tuple[str, str]] = []
    try:
        library, twice = _recovered(parse_string(text, parse_stack=[]), recovered_notes)
        for step in (_ExpandStrings(len(text)), RemoveEnclosingMiddleware()):
            library = step.transform(library)
    except RecursionError:
        raise ImportFormatError("the BibTeX is nested too deeply to read") from None
    except Exception as exc:  # the library's own errors have no common base class
        raise ImportFormatError(f"the BibTeX could not be read ({type(exc).__name__}: {exc})") from None
    finally:
        logger.setLevel(level)
    result = ParseResult(format=FORMAT, notes=recovered_notes)
    entries: list[Entry] = list(library.entries)
    for entry in entries:
        entry.key = twice.get(entry.key, entry.key)
    entries = _with_crossrefs(entries, result.notes)
    for block in library.failed_blocks:
        where = f"line {block.start_line + 1}" if isinstance(block.start_line, int) else "a block"
        raw = (block.raw or "").strip().splitlines()
        result.skipped.append((raw[0][:80] if raw else where, f"{where}: not a valid BibTeX entry"))
    for entry in entries:
        label = f"@{entry.entry_type}{{{entry.key}}}"
        try:
            record = _record(entry)
        except (KeyError, TypeError, AttributeError, ValueError, IndexError) as exc:
            result.skipped.append((label, f"malformed entry ({type(exc).__name__})"))
            continue
        if not record["title"]:
            result.skipped.append((label, "no title"))
            continue
        if record.get("published") is None:
            _say_no_date(entry, label, result.notes)
        record["cite_key"] = result.usable_key(entry.key, label)
        result.add(record, label)
    if not result.papers:
        reason = f" ({result.skipped[0][1]})" if result.skipped else ""
        raise ImportFormatError(f"no papers found in this BibTeX{reason}")
    return result
