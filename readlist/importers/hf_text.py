"""Hugging Face Daily Papers pages copied as text (select all, copy, paste or save).

A copy is a run of blank-line separated paragraphs: page chrome (``new``,
``Subscribe``, ``Daily Papers`` …) with the page's own date, then per paper a
title, its abstract and, on some pages, a metadata block::

      • 5 authors            (or an organization line: ``spiralworks Spiral Works``)
    ·
    Jun 20 2               (date, optionally with a year, then the upvote count)

The page's date is a day (``Dec 12``) on a day's list; a week's or a month's list has a header of its own
(``Week 49, 2025``, ``December 2025``), whose last day stands for the page date.

A title or an abstract is one line on the page: line breaks inside a paragraph are a copy's hard wraps, and the
abstract is made one paragraph again, as the saved page and the API give it.

Several pages pasted one after another simply repeat the chrome. Files joined with ``cat`` may
lack the newline between them, so the next page's first line can be stuck to the end of the last
line before it (``Sep 11, 2022new``); that is undone before the copy is read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from readlist.importers.base import (
    MONTHS,
    ImportFormatError,
    ParseResult,
    decode,
    latest_not_after,
    month_day,
    period_end,
)
from readlist.importers.hf_json import unwrap

FORMAT = "hf-text"

CHROME = frozenset(
    line.casefold()
    for line in (
        "new",
        "Get trending papers in your email inbox!",
        "Subscribe",
        "Daily Papers",
        "byAK and the research community",
        "by AK and the research community",
        "Trending Papers",
        "Submit a paper",
    )
)
# The rest of the site around the papers in a select-all copy: navigation, footer, the lines of a card that are
# no paper's text (who submitted it, the upvote button, upvote and comment counts). Dropped wherever they are.
SITE = frozenset(
    line.casefold()
    for line in (
        "Hugging Face",
        "Hugging Face's logo",
        "Hugging Face's logo Hugging Face",
        "Models",
        "Datasets",
        "Spaces",
        "Posts",
        "Docs",
        "Community",
        "System theme",
        "Solutions",
        "Enterprise",
        "Pricing",
        "Log In",
        "Sign Up",
        "Get trending papers in your email inbox once a day!",
        "by",
        "AK",
        "and the research community",
        "Search by arxiv id or title",
        "Upvote",
        "Previous",
        "Next",
        "Company",
        "© Hugging Face",
        "TOS",
        "Privacy",
        "About",
        "Jobs",
        "Website",
        "Daily",
        "Weekly",
        "Monthly",
    )
)
_SUBMITTED_BY = "submitted by"
# The line that names who submitted a card's paper: ``Submitted by``, with the user name or on its own.
# A terminal browser's dump names the user's picture before the name (``Submitted by [1674929746] akhaliq``).
_SUBMITTER = re.compile(r"^submitted by(?: \[[^\s\[\]]*\])?(?: \S+)?$", re.IGNORECASE)
_MAX_HEADER = 20  # the longest header of a week's or a month's list (``September 2025``, ``Week 49, 2025``)
_COUNT = re.compile(r"^\d[\d,]{0,11}$")
# Counts are capped at 12 characters: int() refuses thousands of digits, and no page shows such a count.
_AUTHORS = re.compile(r"^(?:[•·\-*]\s*)?(\d[\d,]{0,11})\s+authors?$", re.IGNORECASE)
_DATE_LINE = re.compile(r"^(?P<date>[A-Za-z]{3,9}\.? \d{1,2}(?:, ?\d{4})?)(?:\s+(?P<votes>\d[\d,]{0,11}))?$")
_SEPARATOR = {"·", "•", "-"}
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")


def _normalize(text: str) -> list[list[str]]:
    """Split a copy into paragraphs of cleaned, non-empty lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    if "\u200b" in text:
        text = text.replace("\u200b", " ")  # the one space in _SPACES that str.split() does not know
    paragraphs: list[list[str]] = []
    current: list[str] = []
    for raw in text.split("\n"):
        # Same folding as _SPACES plus strip(), but in C: a 10,000-paper copy is ~1M lines.
        line = " ".join(raw.split())
        if line:
            current.append(line)
        elif current:
            paragraphs.append(current)
            current = []
    if current:
        paragraphs.append(current)
    return paragraphs


# What a terminal browser's dump of the page (lynx, w3m) draws for its controls and lists: a list item's bullet
# (``* Models``, ``• Models``), a button (``(BUTTON)``), a checkbox or a text field (``[ ]``, ``____``), a rule,
# and an image without a description named by its file (``[2407]``, ``[be9c948ecf]``; ``by [papers-by]AK``).
_DRAWN_START = frozenset("*•(_━─═")
_BULLET = re.compile(r"^[*•] (?=\S)")
_BUTTON = re.compile(r"^\(BUTTON\) ?")
_IMAGE_IN_TEXT = re.compile(r"\[[\w.-]+\](?=\w)")
_DRAWN = re.compile(r"^(?:\*|\[[^\s\[\]]*\]|\[ \]|[_━─═]{3,})$")


def _drop_drawn(paragraphs: list[list[str]]) -> list[list[str]]:
    """The paragraphs without what a terminal browser draws for the page's controls and lists (``_undrawn``); a
    line that held nothing else goes, and leaves no blank line: the lines around it stay one paragraph."""
    out: list[list[str]] = []
    for paragraph in paragraphs:
        if any(line[0] in _DRAWN_START or "[" in line for line in paragraph):
            paragraph = [kept for line in paragraph if (kept := _undrawn(line))]
            if not paragraph:
                continue
        out.append(paragraph)
    return out


def _undrawn(line: str) -> str:
    """``line`` without what a terminal browser draws for the page's controls: empty when that is all it holds.

    What is drawn is taken off a line of the site (``* Models``, ``(BUTTON) Solutions``, ``by [papers-by]AK and
    the research community``) or a metadata block's separator (``* ·``); any other line is the page's text and
    stays as it is (``[Re] Reproducing …``, ``• 3 authors``). A bullet alone (``•``) stays too: it may be the
    separator of a metadata block.
    """
    bare = _BUTTON.sub("", _BULLET.sub("", line))
    if "[" in bare:
        bare = _IMAGE_IN_TEXT.sub("", bare)
    if not bare or _DRAWN.match(bare):
        return ""
    if bare != line and (bare in _SEPARATOR or bare.casefold() in CHROME or _is_site_line(bare)):
        return bare
    return line


# A line this long is an abstract (no title or byline comes close): two in one paragraph are two cards' text.
_LONG_LINE = 250


def _split_run_together(paragraphs: list[list[str]]) -> list[list[str]]:
    """Cut a paragraph that holds several cards, as in a copy without any blank lines, or lines of the site
    among a card's, into the paragraphs a copy with blank lines has: one per line, and one per metadata block
    (its byline, ``·`` and date lines).

    A paragraph holds several cards when it has two metadata blocks, two author counts or two abstracts (lines
    of 250 characters or more). On a Hugging Face page a card's title and abstract are each one line, so a line
    is a paragraph; which line is a title and which an abstract is then decided as for a copy with blank lines.
    A browser's copy of a day's list has blank lines (or lines of a single space) in some places only, between
    the submitter and the upvote count, and none between one card and the next: its paragraphs hold the end of
    one card and the start of the next, or the menu with the page's header, and are read a line at a time too.
    """
    out: list[list[str]] = []
    for paragraph in paragraphs:
        if (len(paragraph) < 4 or not _holds_several_cards(paragraph)) and not _holds_page_lines(paragraph):
            out.append(paragraph)  # a metadata block alone has 3 lines
            continue
        _join_blocks([[line] for line in _unglue_pages(paragraph)], out)
    return out


def _holds_page_lines(paragraph: list[str]) -> bool:
    """Whether a paragraph of several lines holds lines of the site among a card's: who submitted a paper, the
    ``·`` before a day's list's author count, or two lines of the menu, the page header or the counts.

    One such line alone is not enough: a title a copy wrapped may end in a word of the menu (``Language`` /
    ``Models``), and an abstract's wrapped line may be a number.
    """
    if len(paragraph) < 2:
        return False
    site = 0
    for index, line in enumerate(paragraph):
        if _SUBMITTER.match(line) or (line in _SEPARATOR and index + 1 < len(paragraph)
                                      and _AUTHORS.match(paragraph[index + 1])):
            return True
        if _is_site_line(line) or line.casefold() in CHROME:
            site += 1
            if site >= 2:
                return True
    return False


def _rejoin_spread_blocks(paragraphs: list[list[str]]) -> list[list[str]]:
    """Put a metadata block back together when a blank line came between each of its lines.

    Some editors and mail programs paste a copy with a blank line after every line, so a block's byline,
    ``·`` and date become three paragraphs, and each would be read as a paper's title. In any other copy the
    ``·`` never stands alone: it opens a line of its block or shares the paragraph with its date.
    """
    out: list[list[str]] = []
    _join_blocks(paragraphs, out)
    return out


def _join_blocks(paragraphs: list[list[str]], out: list[list[str]]) -> None:
    """Append ``paragraphs`` to ``out``, a metadata block whose lines stand as paragraphs of one line each (its
    byline, ``·`` and date) joined into one paragraph again; the byline may be the last paragraph ``out`` has."""
    last = len(paragraphs) - 1
    index = 0
    while index <= last:
        paragraph = paragraphs[index]
        if (len(paragraph) == 1 and paragraph[0] in _SEPARATOR and index < last
                and len(paragraphs[index + 1]) == 1 and _is_date_line(paragraphs[index + 1][0])):
            block = [paragraph[0], paragraphs[index + 1][0]]
            if out and len(out[-1]) == 1 and _is_byline(out[-1][0]):
                block.insert(0, out.pop()[0])
            out.append(block)
            index += 2
            continue
        out.append(paragraph)
        index += 1


def _unglue_pages(lines: list[str]) -> list[str]:
    """The lines with a page's first line that is stuck to the line before it (``Sep 11, 2022new``) cut off:
    ``_split_joined_pages`` with each line a paragraph."""
    return [line for paragraph in _split_joined_pages([[line] for line in lines]) for line in paragraph]


def _holds_several_cards(paragraph: list[str]) -> bool:
    blocks = abstracts = bylines = 0
    for index, line in enumerate(paragraph):
        if len(line) >= _LONG_LINE:
            abstracts += 1
        elif line in _SEPARATOR and index + 1 < len(paragraph) and _is_date_line(paragraph[index + 1]):
            blocks += 1
        elif _AUTHORS.match(line):
            bylines += 1
        if blocks >= 2 or abstracts >= 2 or bylines >= 2:
            return True
    return False


def _is_date_line(line: str) -> bool:
    match = _DATE_LINE.match(line)
    return match is not None and _names_a_month(match.group("date"))


def _names_a_month(text: str) -> bool:
    """A card's date (``Jun 20``, ``Sep 11, 2022``), also one that is no day (``Feb 30``: a damaged copy): its
    block is still a metadata block, and the date alone is left out, not the block read as a paper's title."""
    return text.split(" ", 1)[0].rstrip(".").lower() in MONTHS


def _is_byline(line: str) -> bool:
    """An author count or an organization line (``spiralworks Spiral Works``), as a metadata block opens."""
    return _AUTHORS.match(line) is not None or len(line) <= _MAX_BYLINE


class _Votes(list[str]):
    """A card's upvote count, kept where the site lines were dropped: on a day's list it stands between the
    submitter's name and the paper's title, and belongs to that title."""


_MAX_SITE_LINE = 120  # longer than every site line, and than several of them run together
# Site lines that a copy may run together on one line (``Previous Next``, ``TOS Privacy About Jobs``).
_SITE_WORDS = frozenset(line for line in SITE if " " not in line) | {"©", "hugging", "face"}


def _is_site_line(line: str) -> bool:
    if len(line) > _MAX_SITE_LINE:  # a title or an abstract: most lines of a copy, so told apart at once
        return False
    folded = line.casefold()
    if folded in SITE or folded in MONTHS or _COUNT.match(folded):
        return True
    words = folded.split()
    return len(words) > 1 and all(word in _SITE_WORDS for word in words)


def _drop_site_lines(paragraphs: list[list[str]]) -> list[list[str]]:
    """The paragraphs without the site's navigation, footer and card buttons (see ``SITE``)."""
    out: list[list[str]] = []
    submitter_next = votes_next = False
    for paragraph in paragraphs:
        first = paragraph[0].casefold()
        if submitter_next and len(paragraph) == 1:
            submitter_next, votes_next = False, True  # the user name under "Submitted by"
            continue
        submitter_next = False
        if votes_next and len(paragraph) == 1 and _COUNT.match(first):
            out.append(_Votes(paragraph))
            votes_next = False
            continue
        votes_next = False
        if first == _SUBMITTED_BY or first.startswith(_SUBMITTED_BY + " "):
            submitter_next = len(paragraph) == 1 and first == _SUBMITTED_BY
            votes_next = len(paragraph) == 1 and not submitter_next
            continue
        if all(_is_site_line(line) for line in paragraph):
            continue
        out.append(paragraph)
    return out


def _is_chrome(paragraph: list[str]) -> bool:
    return len(paragraph) == 1 and paragraph[0].casefold() in CHROME


def _split_joined_pages(paragraphs: list[list[str]]) -> list[list[str]]:
    """Give back the first line of a page copy that ended up inside the paragraph before it.

    Two saved copies joined without a newline between them glue the second page's first line onto the
    first page's last line (``Sep 11, 2022new``); joined with a single newline, that line lands in the same
    paragraph. Either way the metadata block or abstract it ends would be misread: a block that no longer
    parses becomes a paper of its own and the paper above it loses its date. Only a paragraph followed by
    page chrome is looked at, since within one copy chrome opens the page and nothing comes before it; and
    a paragraph followed by the very chrome line it ends with is left whole, as that page's start is intact.
    """
    out: list[list[str]] = []
    last = len(paragraphs) - 1
    for index, paragraph in enumerate(paragraphs):
        following = paragraphs[index + 1] if index < last else None
        if following is not None and _is_chrome(following) and not _is_chrome(paragraph):
            split = _trailing_chrome(paragraph[-1])
            if split is not None and split[1].casefold() != following[0].casefold():
                before, chrome = split
                body = [*paragraph[:-1], before] if before else paragraph[:-1]
                if body:
                    out.append(body)
                out.append([chrome])
                continue
        out.append(paragraph)
    return out


def _trailing_chrome(line: str) -> tuple[str, str] | None:
    """``line`` cut into what comes before a chrome line it is or ends with, and that chrome line.

    Chrome after a space is a word of the text (a title ending in "new"), not a page glued on.
    """
    for chrome in CHROME:  # none ends with another, so the order does not matter
        cut = len(line) - len(chrome)
        if cut >= 0 and line[cut:].casefold() == chrome and (cut == 0 or not line[cut - 1].isspace()):
            return line[:cut], line[cut:]
    return None


_INLINE_META = re.compile(r"^(?P<before>.*?)\s*·\s+(?P<date>[^·]+)$")
# An organization line is a handle and a name (``spiralworks Spiral Works``); longer text is an abstract.
_MAX_BYLINE = 80


@dataclass
class _Meta:
    lead: list[str]  # text copied into the same paragraph before the block (an abstract, or title and abstract)
    byline: list[str]
    date_text: str
    votes: int | None


def _meta_lines(paragraph: list[str]) -> list[str]:
    """The paragraph with a block copied onto one line (``• 3 authors · Nov 7, 2023 2``) given its own lines."""
    match = _INLINE_META.match(paragraph[-1]) if "·" in paragraph[-1] else None
    if match is None or _DATE_LINE.match(match.group("date")) is None:
        return paragraph
    before = match.group("before")
    return [*paragraph[:-1], *([before] if before else []), "·", match.group("date")]


def _meta(paragraph: list[str]) -> _Meta | None:
    """Recognise a metadata block, and any text copied into its paragraph before it."""
    paragraph = _meta_lines(paragraph)
    if len(paragraph) < 2 or paragraph[-2] not in _SEPARATOR:
        return None
    match = _DATE_LINE.match(paragraph[-1])
    if not match or not _names_a_month(match.group("date")):
        return None
    votes = match.group("votes")
    lines = [line for line in paragraph[:-2] if line not in _SEPARATOR]
    # The byline is the author count, or the organization shown instead of it; what comes before it is text
    # that a copy without blank lines put into the same paragraph.
    start = len(lines)
    while start > 0 and _AUTHORS.match(lines[start - 1]):
        start -= 1
    if start == len(lines) and lines and len(lines[-1]) <= _MAX_BYLINE:
        start -= 1
    return _Meta(lines[:start], lines[start:], match.group("date"), int(votes.replace(",", "")) if votes else None)


def _looks_like_abstract(paragraph: list[str]) -> bool:
    text = " ".join(paragraph)
    if len(paragraph) > 1 or len(text) >= 250:
        return True
    return len(text) >= 80 and text.count(". ") >= 1 and text.rstrip().endswith((".", ")", "!", "?"))


def _short_abstract(paragraphs: list[list[str]], index: int) -> bool:
    """A one-sentence abstract under a title, in a copy without metadata blocks (``We review Bayesian
    optimization.``): a sentence, ending with a full stop as titles do not, and not followed by an abstract,
    which would make it a title with its abstract below."""
    paragraph = paragraphs[index]
    if len(paragraph) > 1 or not paragraph[0].endswith(".") or len(paragraph[0].split()) < 3:
        return False
    following = paragraphs[index + 1] if index + 1 < len(paragraphs) else None
    return following is None or not _looks_like_abstract(following)


@dataclass
class _Draft:
    title: str
    abstract: str = ""
    page_date: date | None = None
    has_meta: bool = False
    fields: dict[str, object] = field(default_factory=dict)


def sniff(text: str) -> bool:
    """True when the text looks like a Daily Papers copy (chrome lines or metadata blocks)."""
    head = text[:20000]
    lines = {_SPACES.sub(" ", line).strip().casefold() for line in head.splitlines()}
    if len(lines & CHROME) >= 2:
        return True
    return bool(re.search(r"^\s*[•·]\s*\d[\d,]* authors?\s*(?:·.*)?$", head, re.MULTILINE))


def parse(data: bytes | str, *, source: str = "", today: date | None = None, year: int | None = None) -> ParseResult:
    today = today or date.today()
    text = decode(data)
    result = ParseResult(format=FORMAT)
    drafts: list[_Draft] = []
    page_date = date(year, today.month, today.day) if year else today
    after_chrome = False
    pending: _Draft | None = None

    paragraphs = _drop_drawn(_normalize(text))
    paragraphs = _drop_site_lines(_split_joined_pages(_split_run_together(_rejoin_spread_blocks(paragraphs))))
    votes: int | None = None
    for index, paragraph in enumerate(paragraphs):
        if isinstance(paragraph, _Votes):
            votes = int(paragraph[0].replace(",", ""))
            continue
        if _is_chrome(paragraph):
            after_chrome = True
            pending = None
            continue
        if (
            len(paragraph) == 1
            and len(paragraph[0]) <= _MAX_HEADER
            and (end := period_end(paragraph[0], today=today, year=year)) is not None
        ):
            # The header of a week's or a month's papers (``Week 49, 2025``, ``December 2025``): its last day is
            # the page date that gives the year to the dates of the cards under it.
            page_date = end
            continue
        if len(paragraph) == 1 and (after_chrome or not drafts) and (md := month_day(paragraph[0])) is not None:
            # The page's own date, under the chrome, or first in a copy that starts below the chrome.
            month, day, explicit = md
            if explicit:
                page_date = date(explicit, month, day)
            elif year:
                page_date = date(year, month, day) if (month, day) != (2, 29) else date(year, 2, 28)
            else:
                page_date = latest_not_after(month, day, today)
            continue
        after_chrome = False
        if all(line in _SEPARATOR or _AUTHORS.match(line) for line in paragraph):
            # The author count without a date, as cards on a day's list show it: it belongs to the title above,
            # and ends its card (a title on two lines below it, as a terminal browser wraps one, is the next's).
            counts = [match for line in paragraph if (match := _AUTHORS.match(line))]
            if counts and drafts and not drafts[-1].has_meta and drafts[-1] is pending:
                drafts[-1].fields["authors_count"] = int(counts[-1].group(1).replace(",", ""))
                pending = None
            continue
        meta = _meta(paragraph)
        if meta is not None:
            if meta.lead:
                if pending is not None and not pending.abstract:
                    pending.abstract = unwrap("\n".join(meta.lead))
                elif len(meta.lead[0]) > 300:  # a copy that starts within an abstract
                    result.skipped.append((meta.lead[0][:80], "text with no title before it"))
                    continue
                else:
                    drafts.append(_Draft(meta.lead[0], unwrap("\n".join(meta.lead[1:])), page_date))
            if not drafts or drafts[-1].has_meta:
                result.skipped.append((" ".join(paragraph)[:80], "metadata block without a title before it"))
                continue
            if not _apply_meta(drafts[-1], meta, page_date=page_date):
                result.notes.append((drafts[-1].title[:80], f"date {meta.date_text!r} is no day of the year; left out"))
            pending = None
            continue
        # Title, abstract, metadata block: when the block follows, the paragraph between is the abstract,
        # however short (a one-sentence abstract would otherwise pass for a second title).
        following = _meta(paragraphs[index + 1]) if index + 1 < len(paragraphs) else None
        followed_by_meta = following is not None and not following.lead
        if pending is not None and not pending.abstract and (
                followed_by_meta or _looks_like_abstract(paragraph) or _short_abstract(paragraphs, index)):
            # A paragraph's line breaks are a copy's hard wraps (an abstract is one line on the page): one paragraph.
            pending.abstract = unwrap("\n".join(paragraph))
            continue
        title = " ".join(paragraph)
        if _looks_like_abstract(paragraph) and len(title) > 300:
            result.skipped.append((title[:80], "text with no title before it"))
            pending = None
            continue
        pending = _Draft(title=title, page_date=page_date)
        if votes is not None:
            pending.fields["upvotes"] = votes
        votes = None
        drafts.append(pending)

    if drafts and not any(draft.abstract or draft.fields for draft in drafts):
        # Every card on a papers page shows more than its title: an abstract, an author count or a date, upvotes.
        # Titles alone are lines of a page laid out otherwise than readlist knows, which would be added as papers.
        raise ImportFormatError(
            f"no papers found in this Hugging Face text copy: none of the {len(drafts)} titles it seems to hold has "
            "an abstract, author count, date or upvote count with it, as every paper on a Hugging Face papers page "
            "has; save the page as HTML or import its URL"
        )
    if drafts and (note := _cut_short(drafts)) is not None:
        result.notes.append((drafts[-1].title[:80], note))
    for draft in drafts:
        record: dict[str, object] = {"title": draft.title, "abstract": draft.abstract, **draft.fields}
        result.add(record, draft.title)
    if not result.papers:
        raise ImportFormatError("no papers found in this Hugging Face text copy")
    return result


def _cut_short(drafts: list[_Draft]) -> str | None:
    """What the report says of the copy's last paper when the copy plainly ends inside its card: None when not.

    As for the last entry of an arXiv listing without its ``Subjects:`` line, the card's own end is missing: in
    a copy whose cards end with a metadata block, the last one has none (nor an author count), and either its
    abstract stops where no abstract ends (not after a sentence's last mark, nor after a link, as some end), or
    there is no abstract after its title, which may itself be cut short. A cut abstract is left out: imported
    over the whole one of a paper the library has, it would replace it. A copy without metadata blocks (titles
    and abstracts only) is never said to be cut: its last abstract may well end without a full stop.
    """
    last = drafts[-1]
    if last.has_meta or {"authors_count", "organization"} & last.fields.keys():
        return None
    if not any(draft.has_meta for draft in drafts[:-1]):
        return None
    if not last.abstract:
        return "the copy ends after this title, which may be cut short; copy the whole card to complete it"
    if _ends_as_written(last.abstract):
        return None
    last.abstract = ""
    return "the copy ends inside this paper's abstract, which is left out; copy the whole card to add it"


_CLOSING = "\"')]}»”’"


def _ends_as_written(abstract: str) -> bool:
    """Whether an abstract ends as abstracts do: after a sentence's last mark (a quote or bracket may follow) or
    a link (``… at https://github.com/owenzx/data4comp``)."""
    text = abstract.rstrip().rstrip(_CLOSING)
    if text.endswith((".", "!", "?", "…")):
        return True
    last_word = text.rsplit(None, 1)[-1] if text else ""
    return "://" in last_word or last_word.startswith("www.")


def _apply_meta(draft: _Draft, meta: _Meta, *, page_date: date) -> bool:
    """Fill the draft from its metadata block; False when the block's date is no day (it is left out)."""
    draft.has_meta = True
    for line in meta.byline:
        match = _AUTHORS.match(line)
        if match:
            draft.fields["authors_count"] = int(match.group(1).replace(",", ""))
        else:
            handle, _, name = line.partition(" ")
            draft.fields["organization"] = name.strip() or handle
    md = month_day(meta.date_text)
    if md is not None:
        month, day, explicit = md
        published = date(explicit, month, day) if explicit else latest_not_after(month, day, page_date)
        draft.fields["published"] = published.isoformat()
    # A page that shows metadata shows the upvote count only when it is above zero.
    draft.fields["upvotes"] = meta.votes if meta.votes is not None else 0
    return md is not None
