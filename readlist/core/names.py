"""People's names as the record holds them (``José Pérez-García Jr.``), split the way BibTeX splits them.

The record stores names as a page shows them, or ``García Márquez, Gabriel`` where
that is the only way to say which words are the family name (``readlist edit
--authors`` takes it, and a ``.bib`` import keeps a family name its file gives so).
Citation formats need the parts: BibTeX reads ``First von Last`` and ``von Last,
Jr., First``; CSL-JSON wants ``given``/``family``/``suffix``; keys and APA need
the family name. One parser, bibtexparser's implementation of BibTeX's own rules,
decides all of them, so a name splits the same way in every format and reads
back unchanged.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from readlist.core.text import clean_line

# Generational and degree suffixes that follow a name without a comma (``Martin Luther King Jr.``).
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "phd", "md"})
_AND = re.compile(r"(?i)(?:^|\s)and(?:\s|$)")
# Name particles written in lower case before a family name. Only a name made of these and a family name has
# them read as a particle; a lower-case given name (``danah boyd``) stays a given name.
_PARTICLES = frozenset({
    "al", "av", "bin", "da", "das", "de", "degli", "dei", "del", "della", "der", "des", "di", "do", "dos", "du",
    "el", "ibn", "la", "le", "lo", "op", "san", "te", "ten", "ter", "van", "vom", "von", "y", "zu", "zum", "zur",
})
# The same particles written with a capital, as many Romance and Dutch family names are (``Di Nucci``).
_CAPITAL_PARTICLES = frozenset({
    "Da", "Das", "De", "Degli", "Dei", "Del", "Della", "Der", "Des", "Di", "Do", "Dos", "Du", "La", "Le", "Lo",
    "Te", "Ten", "Ter", "Van", "Vom", "Von", "Zu", "Zum", "Zur",
})


@dataclass(frozen=True, slots=True)
class PersonName:
    """One name in parts; ``literal`` holds a name that must not be split (then the parts are empty)."""

    given: str = ""
    particle: str = ""
    family: str = ""
    suffix: str = ""
    literal: str = ""

    @property
    def family_with_particle(self) -> str:
        """``van Beethoven``: how the family name is written in ``Last, First`` order."""
        return f"{self.particle} {self.family}".strip()


_NOT_ASCII_ALNUM = re.compile(r"[^a-z0-9]+")


def ascii_fold(text: str) -> str:
    """Lower-case ASCII letters and digits only: accents transliterated, everything else dropped."""
    if text.isascii():
        return _NOT_ASCII_ALNUM.sub("", text.lower())
    special = {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ł": "l", "þ": "th", "ð": "d", "ı": "i"}
    text = "".join(special.get(ch, ch) for ch in text.casefold())
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if ch.isascii() and ch.isalnum())


def bibtex_order(name: str) -> str:
    """The name in a form BibTeX splits correctly: ``José Pérez-García Jr.`` → ``Pérez-García, Jr., José``.

    BibTeX only recognises a suffix in ``Last, Jr., First``: a suffix after the name, with or without a comma
    (``Sammy Davis, Jr.``, which BibTeX would read as family name "Sammy Davis", given name "Jr."), is moved
    there, with the lower-case particles before the family name (``de la Cruz, Jr., Juan``: left behind they
    would be read as given names). A name written given name first with a word in lower case that is not a
    particle (``danah boyd``, ``bell hooks``, ``Kyoo il Kim``) is turned round too (``Kim, Kyoo il``): BibTeX
    takes every lower-case word before the last for the family name's particle, so ``Kyoo il Kim`` was filed
    under "il Kim" (natbib cited it so, CSL-JSON and RIS wrote "il" as a particle) and ``danah boyd`` had no
    given name. Only the words :data:`_PARTICLES` names are particles. Every other name is kept as written.
    """
    if (split := _comma_suffix(name)) is not None:
        words, suffix = split[0].split(), split[1]
    elif "," in name:
        return name
    else:
        words, suffix = name.split(), ""
        if len(words) > 2 and ascii_fold(words[-1]) in _SUFFIXES:
            words, suffix = words[:-1], words[-1]
    if len(words) < 2:
        return name
    start = _family_start(words)
    as_written = start == len(words) - 1 and not suffix  # ``First von Last``, as BibTeX reads it
    while start > 1 and words[start - 1] in _PARTICLES:
        start -= 1
    if as_written and (all(word in _PARTICLES for word in words[:-1])
                       or not any(word[:1].islower() for word in words[:start])):
        return name
    family, given = " ".join(words[start:]), " ".join(words[:start])
    return f"{family}, {suffix}, {given}" if suffix else f"{family}, {given}"


def _family_start(words: Sequence[str]) -> int:
    """Where the family name begins: at the capitalised particles before the last word (``Di Nucci``), if any.

    BibTeX takes only lower-case words for the family name's particles, so ``Dario Di Nucci`` would be filed
    under "Nucci" with the given name "Dario Di". A run of capitalised particles between a given name and the
    last word is read as the start of the family name, as Italian, French, Portuguese, Spanish and Dutch names
    written this way mean it (``De Castro``, ``Le Gall``, ``Da Lozzo``, ``Van Der Berg``). ``Al`` and ``El``
    are left out: in Arabic names they as often begin a given name (``Mohamed El Amine``).
    """
    start = len(words) - 1
    while start > 1 and words[start - 1] in _CAPITAL_PARTICLES:
        start -= 1
    return start


# The last word of a group listed among a paper's authors (``Gemini Team``, ``The LIGO Scientific Collaboration``,
# ``Meta AI``): no person's family name, so such a name is a group's and is never split into given and family.
_GROUP_WORDS = frozenset({
    "team", "teams", "collaboration", "consortium", "collective", "initiative", "project", "committee", "council",
    "institute", "laboratory", "laboratories", "lab", "labs", "university", "association", "society",
    "foundation", "corporation", "company", "inc", "ltd", "llc", "gmbh", "workshop", "group", "research",
    "deepmind", "community", "contributors", "authors",
})
_GROUP_CAPITALS = frozenset({"AI", "ML", "NLP"})  # written in capitals only: "Ai" is also a family name


def is_group(name: str) -> bool:
    """A group's name among authors (``Qwen Team``): two words or more, the last one naming a group."""
    words = name.split()
    if len(words) < 2:
        return False
    last = words[-1].rstrip(".,")
    return last in _GROUP_CAPITALS or last.casefold() in _GROUP_WORDS


def is_literal(name: str) -> bool:
    """Names BibTeX would misread as several people or as ``Last, First`` parts: keep them whole."""
    if _AND.search(name) or any(ch in name for ch in "{}\\") or is_group(name) or family_and_suffix(name):
        return True
    return name.count(",") > 1 and not _has_suffix_comma(name)


def family_and_suffix(name: str) -> bool:
    """``Smith, III``, a person written whole: BibTeX has no way to write a suffix without a given name
    (``Smith, III,`` is an error, ``Smith, III, {}`` prints a stray space or ``.~Smith``), and CSL would read
    ``III`` as the given name."""
    split = _comma_suffix(name)
    return split is not None and len(split[0].split()) < 2


def _comma_suffix(name: str) -> tuple[str, str] | None:
    """``(name, suffix)`` of a name that ends in one comma and a suffix (``Sammy Davis, Jr.``), else None."""
    head, comma, tail = name.partition(",")
    return (head, tail.strip()) if comma and "," not in tail and ascii_fold(tail) in _SUFFIXES else None


def _has_suffix_comma(name: str) -> bool:
    pieces = [p.strip() for p in name.split(",")]
    return len(pieces) == 3 and ascii_fold(pieces[1]) in _SUFFIXES


@lru_cache(maxsize=65536)
def person(name: str) -> PersonName:
    """Split a record name into its parts (BibTeX's rules; suffixes such as ``Jr.`` recognised).

    Cached: the same names recur across a library, and splitting is the slow part of an export.
    """
    name = clean_line(name)
    if not name:
        return PersonName()
    if is_literal(name):
        return PersonName(literal=name)
    # Imported here: bibtexparser costs start-up time that commands without citations should not pay.
    from bibtexparser.middlewares.names import InvalidNameError, parse_single_name_into_parts

    try:
        parts = parse_single_name_into_parts(bibtex_order(name), strict=False)
    except (InvalidNameError, ValueError, IndexError):
        return PersonName(literal=name)
    family = " ".join(parts.last)
    if not family:
        return PersonName(literal=name)
    given, particle = parts.first, parts.von
    if given and not particle and all(word in _PARTICLES for word in given):
        # ``van Gogh``, ``de la Fontaine``: BibTeX reads the lower-case words before the family name as its
        # von part; bibtexparser, with no given name left, takes them for one.
        given, particle = [], given
    return PersonName(
        given=" ".join(given),
        particle=" ".join(particle),
        family=family,
        suffix=" ".join(parts.jr),
    )


def given_name_first(name: str) -> str:
    """``Knuth, Donald E.`` as running text writes it, ``Donald E. Knuth``; a name written so already, or one
    that cannot be split, as it is. Read as a list, "Knuth, Donald E. and Lamport, Leslie" names four people."""
    if "," not in name:
        return name
    parts = person(name)
    if parts.literal or not parts.given:
        return name
    return " ".join(part for part in (parts.given, parts.particle, parts.family, parts.suffix) if part)


def family_name(name: str) -> str:
    """The family name for keys and short author lists (the whole name when it cannot be split)."""
    parts = person(name)
    if parts.literal and family_and_suffix(parts.literal):
        return parts.literal.partition(",")[0].strip()  # ``Smith, III`` is filed under Smith, as BibTeX files it
    return parts.family or parts.literal
