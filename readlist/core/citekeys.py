"""Citation keys: how they are made, how they stay stable, and which keys a user may set.

A key is ``<who><year><word>`` in lower-case ASCII (``flamant2023main``):

* **who**: the first author's family name; without names, the organization;
  without either, the first significant title word (and **word** is then the
  next one), never a placeholder such as ``anon``;
* **year**: the effective publication year (the record's, else the one the arXiv
  id gives); left out when unknown;
* **word**: the first significant title word (stop words skipped).

People paste keys into their papers, so a key must not change once it has been
shown, copied or exported: it is stored in the paper's ``cite_key`` and
:func:`assign_keys` returns a stored key unchanged. New keys avoid every key
already taken in the library; papers that would share one get ``a``, ``b``, …
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from readlist.core.model import Paper, ValidationError
from readlist.core.names import ascii_fold, family_name
from readlist.core.text import clean_line

STOP_WORDS = frozenset(
    "a an the on of towards toward to for in and or with via from by at is are as its into do does "
    "can we our your how what why when which who beyond through using about over under".split()
)
_SPLIT = re.compile(r"[\s\-–—/:;,.!?()\[\]\"'`]+")
# An apostrophe inside a word joins it ("Don't" is "dont", not "don" and "t"); quotes around words still split.
_INNER_APOSTROPHE = re.compile(r"(?<=\w)['’](?=\w)")
# Math markup inside a word is dropped so that ``S$^{2}$FT`` reads as ``s2ft``.
_TEX_MARKUP = re.compile(r"\\[A-Za-z]+|[$^_{}]")
_WHO_LENGTH = 20
_WORD_LENGTH = 20
# What BibTeX, biber, LaTeX's \cite and pandoc's @key all read as one key.
# Punctuation only between letters or digits, one mark at a time: pandoc ends a key at a mark not followed by
# a letter, digit or underscore (`@a--b` cites `a`).
_KEY = re.compile(r"[A-Za-z0-9_]+(?:[:./+-][A-Za-z0-9_]+)*")
MAX_KEY_LENGTH = 100


def title_words(title: str) -> list[str]:
    """Significant title words, ASCII-folded, in order (TeX commands, stop words and empties removed)."""
    out = []
    for raw in _SPLIT.split(_INNER_APOSTROPHE.sub("", _TEX_MARKUP.sub("", clean_line(title)))):
        word = ascii_fold(raw)
        if word and word not in STOP_WORDS:
            out.append(word)
    return out


def key_base(paper: Paper) -> str:
    """The key a paper gets before collisions are resolved."""
    words = title_words(paper.title)
    who = ""
    if paper.authors:
        who = ascii_fold(family_name(paper.authors[0]))[:_WHO_LENGTH]
    if not who and paper.organization:
        who = ascii_fold(paper.organization)[:_WHO_LENGTH]
    if not who and words:
        who = words.pop(0)[:_WHO_LENGTH]
    if not who:
        # A title with no ASCII letters at all (and no authors): the id still gives a stable, readable key, where
        # the year alone would be a bare number (``2020``).
        return "paper" + ascii_fold(paper.id)
    year = paper.year
    return who + (str(year) if year else "") + (words[0][:_WORD_LENGTH] if words else "")


def _suffix(n: int) -> str:
    """a, b, …, z, aa, ab, … for the n-th (0-based) paper sharing a key."""
    letters = ""
    n += 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(ord("a") + rem) + letters
    return letters


def unique_papers(papers: Iterable[Paper]) -> list[Paper]:
    """Papers in the order given, each id once."""
    seen: set[str] = set()
    out = []
    for paper in papers:
        if paper.id not in seen:
            seen.add(paper.id)
            out.append(paper)
    return out


def assign_keys(papers: Iterable[Paper], taken: Iterable[str] = ()) -> dict[str, str]:
    """The citation key of every paper, by paper id.

    ``taken`` is every key stored in the library (the ``cite_key`` values), so a
    new key never repeats one already pasted somewhere. A paper's stored key is
    returned unchanged. New keys are decided in paper-id order: papers that share
    a base all get letter suffixes (``smith2020scalinga``, ``smith2020scalingb``),
    and a base already taken gets the first free suffix, so the same library and
    selection always give the same keys, in whatever order the papers are named.
    Keys compare case-insensitively, as BibTeX does when it warns about them.
    """
    used = {key.casefold() for key in taken}
    keys: dict[str, str] = {}
    claimed: set[str] = set()
    groups: dict[str, list[Paper]] = {}
    for paper in sorted(unique_papers(papers), key=lambda p: p.id):
        stored = paper.cite_key
        if stored and usable_key(stored) and stored.casefold() not in claimed:
            keys[paper.id] = stored
            claimed.add(stored.casefold())
            used.add(stored.casefold())
        else:  # no key yet (or a damaged or hand-edited library: two papers hold one key, or it is unusable)
            groups.setdefault(key_base(paper), []).append(paper)
    singles = {base for base, members in groups.items() if len(members) == 1 and base not in used}
    used |= singles
    for base in sorted(groups):
        members = groups[base]
        if base in singles:
            keys[members[0].id] = base
            continue
        n = 0
        for paper in members:
            while (key := base + _suffix(n)) in used:
                n += 1
            used.add(key)
            keys[paper.id] = key
            n += 1
    return keys


def taken_keys(library: Iterable[Paper]) -> set[str]:
    """Every key stored in a library: what new keys must avoid."""
    return {paper.cite_key for paper in library if paper.cite_key}


def keys_to_store(papers: Iterable[Paper], keys: Mapping[str, str]) -> dict[str, str]:
    """The keys just shown, copied or exported that are not stored yet (paper id → key), to be saved."""
    return {p.id: keys[p.id] for p in papers if not p.cite_key and p.id in keys}


def citation_keys(papers: Sequence[Paper]) -> dict[str, str]:
    """Keys for papers exported on their own (no other keys taken)."""
    return assign_keys(papers)


def usable_key(key: str) -> bool:
    """Whether a stored key can go into a citation as it is; one from a hand-edited or shared library may not.

    A key is written bare (``@misc{key,``, ``ID  - key``), where nothing escapes it: a control character in it
    would reach the terminal or break the file, so an unusable stored key is replaced by a generated one.
    """
    return len(key) <= MAX_KEY_LENGTH and _KEY.fullmatch(key) is not None


def validate_key(key: str, taken: Iterable[str] = ()) -> str:
    """A key the user typed, checked: usable in BibTeX, biber, ``\\cite`` and pandoc, and not another paper's.

    ``taken`` holds the keys of the *other* papers. Returns the key stripped of
    surrounding spaces; raises :class:`ValidationError` with a one-line reason.
    """
    key = key.strip()
    if not key:
        raise ValidationError("a citation key cannot be empty")
    if len(key) > MAX_KEY_LENGTH:
        raise ValidationError(f"a citation key can be at most {MAX_KEY_LENGTH} characters long")
    if not usable_key(key):
        raise ValidationError(
            f"{key!r} is not a usable citation key: use ASCII letters, digits and _ - : . / +, "
            "starting and ending with a letter, digit or _, with one of - : . / + at a time between them"
        )
    if key.casefold() in {k.casefold() for k in taken}:
        raise ValidationError(f"the citation key {key!r} is already used by another paper")
    return key
