"""Citations: BibTeX, BibLaTeX, Markdown and plain-text (APA-like) renderings of papers.

Pure functions, no UI imports, so the CLI, the TUI and the exporters share one
implementation. Policies (documented for users in ``docs/citations.md``):

* Every field is cleaned first: ANSI/OSC escape sequences, control characters
  and bidi overrides are removed and whitespace is collapsed. Titles and author
  names come from web pages and must never drive a terminal or a TeX run.
* Non-ASCII text stays UTF-8 in field values (biber, bibtex8 and modern LaTeX
  read UTF-8); citation keys are plain ``[a-z0-9]`` ASCII.
* BibTeX specials are escaped: ``% & # _ $`` become ``\\%`` etc., ``\\ ~ ^ { }``
  become ``{\\textbackslash}`` and friends, so every value has balanced braces
  even for BibTeX's own brace counter (which ignores backslashes).
* Words with capitals after their first letter (``BERT``, ``LLaMA``, ``GPT-4o``)
  are wrapped in braces so bibliography styles do not lower-case them.
* Authors are never invented: names when known, the organization as a single
  braced corporate author, and when only a count is known no ``author`` field
  but a ``note`` saying how many authors the source listed.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Sequence
from urllib.parse import quote, urlsplit

from readlist.core.model import Paper, find_arxiv_id
from readlist.core.text import clean_line, strip_controls

FORMATS: tuple[str, ...] = ("bibtex", "biblatex", "markdown", "text")
FORMAT_LABELS: dict[str, str] = {
    "bibtex": "BibTeX",
    "biblatex": "BibLaTeX",
    "markdown": "Markdown",
    "text": "Plain text (APA-like)",
}

# Escape sequences first (so their parameters go with them), then lone controls.
_ANSI = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC, terminated or not
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS/SOS/PM/APC
    r"|\x1b[@-Z\\-_]"  # two-byte escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
STOP_WORDS = frozenset(
    "a an the on of towards toward to for in and or with via from by at is are as its into do does "
    "can we our your how what why when which who beyond through using about over under".split()
)
_NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "phd", "md"})

# One character at a time, so the backslashes we add are never escaped again.
_TEX_ESCAPES: dict[str, str] = {
    "\\": r"{\textbackslash}",
    "{": r"{\textbraceleft}",
    "}": r"{\textbraceright}",
    "~": r"{\textasciitilde}",
    "^": r"{\textasciicircum}",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "_": r"\_",
    "$": r"\$",
}
_TEX_UNESCAPE = {v: k for k, v in _TEX_ESCAPES.items()}
_UNESCAPE_RE = re.compile("|".join(re.escape(v) for v in sorted(_TEX_UNESCAPE, key=len, reverse=True)) + r"|[{}]")
# Inline Markdown/HTML syntax; block syntax only matters at the start of a line (handled separately).
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~$])|&(?=#?\w+;)")
# A word split into leading punctuation, the part to protect, trailing punctuation.
_WORD_CORE = re.compile(r"^([^\w{}\\]*)(.*?)([.,:;!?\"')\]]*)$", re.DOTALL)
_MD_LINE_START = re.compile(r"^(?:[#>+=-]|\d+[.)])")


# ---------------------------------------------------------------------------
# cleaning


def clean_field(text: str | None) -> str:
    """One-line, inert text: escape sequences and control characters removed, spaces collapsed."""
    if not text:
        return ""
    return clean_line(_ANSI.sub("", str(text)))


def clean_block(text: str | None) -> str:
    """Multi-line inert text (abstracts, notes): escape sequences and controls removed, indentation kept."""
    if not text:
        return ""
    text = _ANSI.sub("", str(text).replace("\r\n", "\n").replace("\r", "\n"))
    return "\n".join(strip_controls(line).rstrip() for line in text.split("\n")).strip("\n")


def ascii_fold(text: str) -> str:
    """Lower-case ASCII letters and digits only: accents transliterated, everything else dropped."""
    special = {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ł": "l", "þ": "th", "ð": "d", "ı": "i"}
    text = "".join(special.get(ch, ch) for ch in text.casefold())
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if ch.isascii() and ch.isalnum())


def safe_url(url: str | None) -> str | None:
    """The URL when it is http(s), with characters that would break a field or a link percent-encoded."""
    url = clean_field(url)
    if not url:
        return None
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    if scheme not in ("http", "https"):
        return None
    return quote(url, safe="/:?#[]@!$&'*+,;=%-._~")


def paper_url(paper: Paper) -> str | None:
    """The page to cite: the arXiv abstract page when the id is known (permanent, what readers expect), else the
    paper's own page (e.g. its Hugging Face page)."""
    arxiv = find_arxiv_id(clean_field(paper.arxiv_id))
    if arxiv:
        return "https://arxiv.org/abs/" + arxiv
    return safe_url(paper.url)


# ---------------------------------------------------------------------------
# TeX escaping


def tex_escape(text: str) -> str:
    """Escape BibTeX/LaTeX specials in cleaned text; the result always has balanced braces."""
    return "".join(_TEX_ESCAPES.get(ch, ch) for ch in text)


def protect_title(text: str) -> str:
    """Escape a title and brace the words whose capitalisation must survive the style."""
    words = []
    for word in text.split(" "):
        match = _WORD_CORE.match(word)
        lead, core, trail = match.groups() if match else ("", word, "")
        letters = [ch for ch in core if ch.isalpha()]
        if any(ch.isupper() for ch in letters[1:]):
            words.append(tex_escape(lead) + "{" + tex_escape(core) + "}" + tex_escape(trail))
        else:
            words.append(tex_escape(word))
    return " ".join(words)


def tex_unescape(value: str) -> str:
    """Undo :func:`tex_escape` and :func:`protect_title` (used to check round trips)."""
    return _UNESCAPE_RE.sub(lambda m: _TEX_UNESCAPE.get(m.group(0), ""), value)


# ---------------------------------------------------------------------------
# names and keys


def last_name(name: str) -> str:
    """The family name of a person as written in a paper's author list."""
    name = clean_field(name)
    if "," in name:
        return name.split(",", 1)[0].strip()
    parts = [p for p in name.split(" ") if p]
    while len(parts) > 1 and ascii_fold(parts[-1]) in _NAME_SUFFIXES:
        parts.pop()
    return parts[-1] if parts else ""


def title_words(title: str) -> list[str]:
    """Significant title words, ASCII-folded, in order (stop words and empties removed)."""
    out = []
    for raw in re.split(r"[\s\-–—/:;,.!?()\[\]{}\"'`]+", clean_field(title)):
        word = ascii_fold(raw)
        if word and word not in STOP_WORDS:
            out.append(word)
    return out


def key_base(paper: Paper) -> str:
    """``<who><year><word>``: first author's family name, else organization, else ``anon``."""
    who = ""
    if paper.authors:
        who = ascii_fold(last_name(paper.authors[0]))
    if not who and paper.organization:
        who = ascii_fold(paper.organization)[:20]
    who = who or "anon"
    year = paper.published[:4] if paper.published else ""
    words = title_words(paper.title)
    return who + year + (words[0][:20] if words else "")


def _suffix(n: int) -> str:
    """a, b, …, z, aa, ab, … for the n-th (0-based) paper sharing a key."""
    letters = ""
    n += 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(ord("a") + rem) + letters
    return letters


def citation_keys(papers: Sequence[Paper]) -> dict[str, str]:
    """Unique keys for a set of papers, by paper id.

    Papers sharing a base key all get letter suffixes, assigned in paper-id
    order, so the same set of papers always gets the same keys whatever order
    they are given in.
    """
    groups: dict[str, list[Paper]] = {}
    for paper in _unique(papers):
        groups.setdefault(key_base(paper), []).append(paper)
    keys: dict[str, str] = {}
    used: set[str] = {base for base, members in groups.items() if len(members) == 1}
    for base in sorted(groups):
        members = groups[base]
        if len(members) == 1:
            keys[members[0].id] = base
            continue
        n = 0
        for paper in sorted(members, key=lambda p: p.id):
            while (key := base + _suffix(n)) in used:
                n += 1
            used.add(key)
            keys[paper.id] = key
            n += 1
    return keys


def citation_key(paper: Paper) -> str:
    """The key a paper gets when cited on its own."""
    return key_base(paper)


def _unique(papers: Sequence[Paper]) -> list[Paper]:
    seen: set[str] = set()
    out = []
    for paper in papers:
        if paper.id not in seen:
            seen.add(paper.id)
            out.append(paper)
    return out


# ---------------------------------------------------------------------------
# BibTeX / BibLaTeX


def _authors_field(paper: Paper) -> str | None:
    if paper.authors:
        names = []
        for name in (clean_field(a) for a in paper.authors):
            if not name:
                continue
            escaped = tex_escape(_bibtex_name(name))
            # A name containing the word "and" (or a comma, meaning Last, First twice) is one literal name.
            if re.search(r"(?i)(^|\s)and(\s|$)", name) or name.count(",") > 1:
                escaped = "{" + escaped + "}"
            names.append(escaped)
        if names:
            return " and ".join(names)
    if paper.organization and clean_field(paper.organization):
        return "{" + tex_escape(clean_field(paper.organization)) + "}"
    return None


def _bibtex_name(name: str) -> str:
    """``José Pérez Jr.`` → ``Pérez, Jr., José``, the only form in which BibTeX reads a suffix."""
    parts = name.split(" ")
    if "," not in name and len(parts) > 2 and ascii_fold(parts[-1]) in _NAME_SUFFIXES:
        return f"{parts[-2]}, {parts[-1]}, {' '.join(parts[:-2])}"
    return name


def _count_note(paper: Paper) -> str | None:
    if paper.authors or paper.organization or not paper.authors_count:
        return None
    n = paper.authors_count
    return f"{n} author{'s' if n != 1 else ''}; names not recorded in the source"


def _primary_class(paper: Paper, arxiv_id: str) -> str | None:
    """The primary category once known (enrichment records it first); else an old-style id's archive
    (``hep-th/9901001``); new-style ids carry none."""
    if paper.categories:
        return clean_field(paper.categories[0]) or None
    if "/" in arxiv_id:
        return arxiv_id.split("/", 1)[0].split(".", 1)[0] or None
    return None


def _valid_date(value: str) -> bool:
    """The record's pattern check lets ``2023-13-45`` through; styles and biber would choke on it."""
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _render_entry(entry_type: str, key: str, fields: list[tuple[str, str]], raw: frozenset[str]) -> str:
    lines = [f"@{entry_type}{{{key},"]
    body = []
    for name, value in fields:
        body.append(f"  {name} = {value}" if name in raw else f"  {name} = {{{value}}}")
    lines.append(",\n".join(body))
    lines.append("}")
    return "\n".join(lines)


def _title_and_authors(paper: Paper) -> list[tuple[str, str]]:
    """The fields every entry type starts with."""
    fields = [("title", protect_title(clean_field(paper.title)))]
    authors = _authors_field(paper)
    if authors:
        fields.append(("author", authors))
    return fields


def bibtex_entry(paper: Paper, key: str | None = None) -> str:
    """A classic BibTeX ``@misc`` entry (works with natbib, plain, IEEEtran, …)."""
    key = key or citation_key(paper)
    fields = _title_and_authors(paper)
    if paper.published:
        fields.append(("year", paper.published[:4]))
        if _valid_date(paper.published):
            fields.append(("month", _MONTHS[int(paper.published[5:7]) - 1]))
    arxiv = clean_field(paper.arxiv_id)
    if arxiv:
        fields.append(("eprint", tex_escape(arxiv)))
        fields.append(("archivePrefix", "arXiv"))
        primary = _primary_class(paper, arxiv)
        if primary:
            fields.append(("primaryClass", tex_escape(primary)))
    url = paper_url(paper)
    if url:
        fields.append(("url", url))
    if arxiv:
        fields.append(("howpublished", "arXiv preprint arXiv:" + tex_escape(arxiv)))
    note = _count_note(paper)
    if note:
        fields.append(("note", note))
    return _render_entry("misc", key, fields, frozenset({"month"}))


def biblatex_entry(paper: Paper, key: str | None = None) -> str:
    """A BibLaTeX ``@online`` entry (``@misc`` when there is neither URL nor eprint)."""
    key = key or citation_key(paper)
    fields = _title_and_authors(paper)
    if paper.published:
        fields.append(("date", paper.published if _valid_date(paper.published) else paper.published[:4]))
    arxiv = clean_field(paper.arxiv_id)
    if arxiv:
        fields.append(("eprinttype", "arxiv"))
        fields.append(("eprint", tex_escape(arxiv)))
        primary = _primary_class(paper, arxiv)
        if primary:
            fields.append(("eprintclass", tex_escape(primary)))
    url = paper_url(paper)
    if url:
        fields.append(("url", url))
        added = (paper.added or "")[:10]
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", added):
            fields.append(("urldate", added))
    note = _count_note(paper)
    if note:
        fields.append(("note", note))
    entry_type = "online" if (url or arxiv) else "misc"
    return _render_entry(entry_type, key, fields, frozenset())


# ---------------------------------------------------------------------------
# Markdown and plain text


def md_escape(text: str, *, line_start: bool = False) -> str:
    """Backslash-escape Markdown syntax so web text renders as typed, never as markup or HTML."""
    text = _MD_SPECIAL.sub(lambda m: "\\" + (m.group(1) or "&"), text)
    if line_start and _MD_LINE_START.match(text):
        text = "\\" + text if not text[0].isdigit() else re.sub(r"^(\d+)([.)])", r"\1\\\2", text)
    return text


def _short_authors(paper: Paper) -> str:
    names = [n for n in (clean_field(a) for a in paper.authors) if n]
    if names:
        if len(names) > 3:
            return f"{names[0]} et al."
        if len(names) == 3:
            return f"{names[0]}, {names[1]} and {names[2]}"
        return " and ".join(names)
    if paper.organization and clean_field(paper.organization):
        return clean_field(paper.organization)
    if paper.authors_count:
        return f"{paper.authors_count} author" + ("s" if paper.authors_count != 1 else "")
    return ""


def markdown_entry(paper: Paper) -> str:
    """``[Title](url) — Authors, Year``; without a URL the title is plain text."""
    url = paper_url(paper)
    title = md_escape(clean_field(paper.title), line_start=not url)
    head = f"[{title}]({url})" if url else title
    tail = ", ".join(x for x in (md_escape(_short_authors(paper)), str(paper.year or "")) if x)
    return f"{head} — {tail}" if tail else head


def _apa_name(name: str) -> str:
    """``Ada María Lovelace`` → ``Lovelace, A. M.``; names already in ``Last, First`` form are kept."""
    if "," in name:
        last, first = (s.strip() for s in name.split(",", 1))
    else:
        parts = name.split(" ")
        suffix = ""
        if len(parts) > 2 and ascii_fold(parts[-1]) in _NAME_SUFFIXES:
            suffix = parts.pop()
        if len(parts) == 1:
            return name
        last, first = parts[-1], " ".join(parts[:-1])
        if suffix:
            last = f"{last} {suffix}"
    initials = " ".join(
        "-".join(seg[0] + "." for seg in part.split("-") if seg) for part in first.split(" ") if part
    )
    return f"{last}, {initials}" if initials else last


def _apa_authors(names: list[str]) -> str:
    formatted = [_apa_name(n) for n in names]
    if len(formatted) == 1:
        return formatted[0]
    if len(formatted) <= 20:
        return ", ".join(formatted[:-1]) + ", & " + formatted[-1]
    return ", ".join(formatted[:19]) + ", . . . " + formatted[-1]


def _sentence(text: str) -> str:
    return text if text.endswith((".", "?", "!")) else text + "."


def text_entry(paper: Paper) -> str:
    """An APA-7-like reference: ``Authors (Year). Title. arXiv:ID. URL``."""
    title = clean_field(paper.title)
    year = f"({paper.year})" if paper.year else "(n.d.)"
    names = [n for n in (clean_field(a) for a in paper.authors) if n]
    org = clean_field(paper.organization)
    if names:
        head = f"{_sentence(_apa_authors(names))} {year}. {_sentence(title)}"
    elif org:
        head = f"{_sentence(org)} {year}. {_sentence(title)}"
    else:
        # APA: without an author the title takes the author's place.
        head = f"{_sentence(title)} {year}."
    parts = [head]
    arxiv = clean_field(paper.arxiv_id)
    if arxiv:
        parts.append(f"arXiv:{arxiv}.")
    url = paper_url(paper)
    if url:
        parts.append(url)
    return " ".join(parts)


# ---------------------------------------------------------------------------


def format_entries(papers: Sequence[Paper], fmt: str = "bibtex") -> str:
    """All papers in one format, in the order given (duplicates dropped), keys unique within the call."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown citation format {fmt!r} (known: {', '.join(FORMATS)})")
    unique = _unique(papers)
    if not unique:
        return ""
    if fmt in ("bibtex", "biblatex"):
        keys = citation_keys(unique)
        render = bibtex_entry if fmt == "bibtex" else biblatex_entry
        return "\n\n".join(render(p, keys[p.id]) for p in unique) + "\n"
    if fmt == "markdown":
        lines = [markdown_entry(p) for p in unique]
        if len(lines) > 1:
            lines = ["- " + line for line in lines]
        return "\n".join(lines) + "\n"
    return "\n".join(text_entry(p) for p in unique) + "\n"
