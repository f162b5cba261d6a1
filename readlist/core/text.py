"""Untrusted text: what may be stored, and what may reach a terminal.

Titles, abstracts, author names and notes come from web pages and from library files
that other programs (or other people) wrote. Every sink that shows or writes them uses
these functions, so there is one definition of "inert" text in readlist:

* stored text, exports and the clipboard: escape sequences and controls are removed
  (:func:`strip_controls`, :func:`clean_line`, :func:`clean_block`, :func:`clean_note`);
* JSON: the same characters written as ``\\u`` escapes, the data unchanged (:func:`inert_json`);
* the screen (the terminal UI and the command line's human output): each escape sequence,
  control character or bidi override is replaced by one visible :data:`MARK`
  (:func:`inert_text`), so the user sees that something was there; a Unicode line or paragraph
  separator is a space.
"""

from __future__ import annotations

import html
import re
import signal
from collections.abc import Sequence
from urllib.parse import unquote, urlsplit

_WS = re.compile(r"\s+")
_BLANK_LINES = re.compile(r"\n{3,}")
# Characters that have no business in a title, abstract or note shown in a terminal:
# C0/C1 controls except tab and newline (ESC among them) and bidi overrides.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# Whole escape sequences, so that no half of one ("[31m") is left behind as text:
# CSI (ESC [ or the 8-bit form), OSC/DCS/APC/PM/SOS strings with their terminator, then any ESC + one char.
# A string is whole only when its terminator (BEL, ESC \, ST) ends it within _STRING_MAX characters and no
# other control comes first. Otherwise only its introducer goes: U+009D (8-bit OSC) is common in mojibake
# (a closing quote U+201D, UTF-8 E2 80 9D, read as Latin-1 ends in it), and an introducer that swallowed
# everything after it would delete the rest of a title or note. What is left is plain text, inert on a terminal.
# (The atomic group spares the engine a futile backtrack: its class holds no terminator.)
_STRING_MAX = 4096
_ESCAPE_SEQ = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    rf"|(?:\x1b[\]PX^_]|[\x90\x9d\x98\x9e\x9f])(?>[^\x00-\x1f\x7f-\x9f]{{0,{_STRING_MAX}}})(?:\x07|\x1b\\|\x9c)"
    r"|\x1b[ -~]?"
)
_ESCAPE_START = re.compile(r"[\x1b\x80-\x9f]")


def strip_controls(text: str | None, *, mark: str = "") -> str:
    """Text that can never drive a terminal: escape sequences, control characters and bidi overrides removed.

    This is readlist's one sanitizer: every sink that shows or writes untrusted text (the TUI, the
    command line, exports, the clipboard) passes it through here or through a function below that
    builds on it. Tabs and newlines stay. With ``mark``, each whole escape sequence and each other
    such character is replaced by ``mark`` instead of removed.
    """
    if not text:
        return ""
    if _ESCAPE_START.search(text):
        text = _ESCAPE_SEQ.sub(mark, text)
    return _CONTROL.sub(mark, text)


# What the screen shows in place of an escape sequence, a control character or a bidi override:
# the Unicode replacement character, one cell wide in every terminal font, and never a command.
MARK = "\ufffd"
# Anything inert_text would change, for the fast path; the second form lets newlines through.
_UNSHOWABLE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_UNSHOWABLE_BLOCK = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\t\u2028\u2029]")
# U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR: some terminals start a new line at them (where the
# TUI has not laid one out, so the rest of the screen shifts), others show a box.
_SEPARATORS = re.compile("[\u2028\u2029]")


def inert_text(text: str | None, *, multiline: bool = False) -> str:
    """Untrusted text as readlist puts it on a screen: nothing in it can drive the terminal.

    Every display sink (the paper list, the detail pane, triage, the sidebar, dialogs,
    notifications, the command line's human output) shows text through here. Each escape
    sequence (CSI, OSC, DCS, APC, PM, SOS, in 7- or 8-bit form) becomes one :data:`MARK`, as does
    each other C0 or C1 control and each bidi override or isolate (U+202A-U+202E, U+2066-U+2069).
    Replacing rather than removing shows the reader that the text held something odd, and that it
    is not what the terminal made of it. On one line (``multiline=False``) tabs and line breaks
    become spaces; in a block newlines stay (``\\r\\n`` and ``\\r`` become ``\\n``) and tabs become spaces.
    U+2028 and U+2029, line and paragraph separators, are a space in both: the library stores them so
    (imports fold them as whitespace), and only a hand-made file or a note holds one. U+0085 (NEXT LINE)
    is a C1 control and shows as a mark.
    """
    if not text:
        return ""
    if not (_UNSHOWABLE_BLOCK if multiline else _UNSHOWABLE_LINE).search(text):
        return text
    if multiline:
        text = unify_line_ends(text)
        if "\t" in text:
            text = text.expandtabs(4)
        text = _SEPARATORS.sub(" ", text)
    else:
        text = _LINE_BREAKS.sub(" ", text)
    return strip_controls(text, mark=MARK)


def web_address(url: str | None) -> str | None:
    """``url`` when it is an http(s) address that may be handed to a browser, else None.

    Addresses come from web pages and library files. Another scheme (``file:``, ``javascript:``,
    a desktop handler's) could open local files or start programs, and controls or spaces have no
    place in an address, so such a URL is shown but never opened.
    """
    if not url or _UNSHOWABLE_LINE.search(url) or any(c.isspace() for c in url):
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # a malformed address, e.g. an unclosed [IPv6] host
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    return url


def unify_line_ends(text: str) -> str:
    """Windows (``\r\n``) and old Mac (``\r``) line ends made ``\n``."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def clean_note(text: str | None) -> str:
    """A note as the library stores it: inert, with Windows and old Mac line ends made ``\n``."""
    return strip_controls(unify_line_ends(text or ""))


# Controls that break a line or a page (VT, FF, NEL, the information separators): a space between the words
# they separated, not nothing, once the controls go.
_BREAKING_CONTROLS = re.compile(r"[\x0b\x0c\x1c-\x1f\x85]")


def editable_line(text: str | None) -> str:
    """Untrusted text as a one-line text box of the TUI holds it: as a save would store it, on one line.

    An edit box shows what saving it keeps, not display marks a save would write back: escape sequences,
    controls and bidi overrides are left out (:func:`strip_controls`), and each tab or line break (U+2028 and
    U+2029 too) is a space. Whatever sets a box's value (a paper's field, the saved search restored at start)
    goes through here, so nothing in it reaches the terminal.
    """
    if not text:
        return ""
    text = strip_controls(_BREAKING_CONTROLS.sub(" ", text))  # as clean_line takes them: a space, not nothing
    if "\t" in text:
        text = text.replace("\t", " ")
    lines = text.splitlines()
    return text if len(lines) == 1 and lines[0] == text else " ".join(lines)


def editable_text(text: str | None) -> str:
    """Untrusted text as a many-line text box (the note editor, an abstract) holds it: :func:`clean_note`, with
    U+2028 and U+2029 as the line breaks the box makes of them."""
    text = clean_note(text)
    if "\u2028" in text or "\u2029" in text:
        text = _SEPARATORS.sub("\n", text)
    return text


# JSON escapes C0 controls, but the encoders write DEL, C1 controls (U+0080-U+009F), the line and paragraph
# separators and bidi overrides raw; a UTF-8 terminal may act on C1 (U+009B is CSI), some break the line at
# U+2028 and U+2029 (as do readers that split a stream into lines by Unicode's rules, such as Python's
# splitlines), and bidi overrides reorder what is shown. They can only occur inside JSON strings, so writing
# them as \u escapes keeps the data identical.
_JSON_UNSAFE = [0x7F, *range(0x80, 0xA0), 0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_JSON_ESCAPES = {chr(c).encode(): f"\\u{c:04x}".encode() for c in _JSON_UNSAFE}
# Their UTF-8 forms by lead byte. Each pattern starts with one literal byte, which the regex engine scans for
# quickly; output is mostly ASCII, and text with typographic punctuation (U+2014 is E2 80 94) has many E2 bytes.
_JSON_C1 = re.compile(rb"\xc2[\x80-\x9f]")
_JSON_BIDI = re.compile(rb"\xe2(?:\x80[\xa8-\xae]|\x81[\xa6-\xa9])")


def _json_escape(match: re.Match[bytes]) -> bytes:
    return _JSON_ESCAPES[match.group()]


def inert_json(data: bytes) -> bytes:
    """JSON bytes with DEL, C1 controls, line separators and bidi overrides as ``\\u`` escapes (same data, inert on
    a terminal, one line for a reader of lines).

    ``list --json`` passes hundreds of megabytes through this: a one-byte search (memchr) rules each kind out
    before any pattern runs.
    """
    if b"\x7f" in data:
        data = data.replace(b"\x7f", _JSON_ESCAPES[b"\x7f"])
    if b"\xc2" in data:
        data = _JSON_C1.sub(_json_escape, data)
    if b"\xe2" in data:
        data = _JSON_BIDI.sub(_json_escape, data)
    return data


# Characters clean_line / clean_block would change: controls, bidi marks and every whitespace but
# space and newline. One character-class scan (plus a few substring checks) lets text that is
# already clean, nearly all of it, skip the rewriting passes.
_ODD_CHARS = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202a-\u202f\u205f\u3000\u2066-\u2069]"
)


def clean_line(text: str) -> str:
    """Collapse all whitespace (including non-breaking spaces) to single spaces."""
    # The checks spelled out: an export asks this of every name and title of the library.
    if not _ODD_CHARS.search(text) and "\n" not in text and "  " not in text and text == text.strip():
        return text
    return _WS.sub(" ", strip_controls(_BREAKING_CONTROLS.sub(" ", text))).strip()


def clean_lines(values: list[str]) -> tuple[str, ...]:
    """:func:`clean_line` of each value, the empty ones dropped (a paper's authors, categories).

    Values that are clean already, nearly all of them, are told so by one scan of them joined by newlines:
    with exactly one newline between each two (none inside a value) and none at either end, no value is
    empty, and no space runs, starts or ends one.
    """
    joined = "\n".join(values)
    if (joined and joined.count("\n") == len(values) - 1 and not _ODD_CHARS.search(joined) and "  " not in joined
            and " \n" not in joined and "\n " not in joined and "\n\n" not in joined and joined == joined.strip()):
        return tuple(values)
    return tuple(line for line in (clean_line(str(value)) if value else "" for value in values) if line)


def clean_block(text: str) -> str:
    """Normalize a multi-line text: controls removed, newlines kept, runs of spaces folded."""
    if (not _ODD_CHARS.search(text) and "  " not in text and " \n" not in text and "\n " not in text
            and "\n\n\n" not in text and text == text.strip()):
        return text
    text = strip_controls(unify_line_ends(text))
    # " ".join(line.split()) folds the same whitespace as [^\S\n]+ and strips, several times faster.
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()




_CHAR_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));")
# A link's scheme as a viewer may see it: a Markdown link destination decodes character references
# (``java&#x73;cript:``, ``javascript&#58;``), and a browser drops tabs and newlines inside an address and
# ignores case. So what stands before the first colon (also one written ``&#58;`` or ``&colon;``) is
# decoded before it is compared; see :func:`_script_scheme`.
_SCHEME = (
    r"([^:\n<>()\[\]\"'`]{1,80}?)(\s*)(:|&(?:#0*58(?![0-9])|#[xX]0*3[aA](?![0-9a-fA-F])|colon);?)"
)
_SCRIPT_LINK = re.compile(r"(\]\(\s*<?\s*|<|\b(?:href|src)\s*=\s*[\"']?\s*)" + _SCHEME, re.IGNORECASE)
# A link reference definition (``[label]: javascript:…``), also inside a quote or a list item: ``[text][label]``
# links to it from anywhere in the document.
_SCRIPT_REFERENCE = re.compile(
    r"(^(?:[ \t>]|[-+*][ \t]|[0-9]{1,9}[.)][ \t])*\[[^\]\n]+\]:[ \t]*\n?[ \t>]*<?[ \t]*)" + _SCHEME,
    re.MULTILINE,
)
_SCRIPT_SCHEMES = frozenset({"javascript", "vbscript", "data", "file"})
# What a browser ignores in a scheme: ASCII whitespace and C0 controls (and what a careless decoder drops).
_SCHEME_NOISE = re.compile(r"[\x00-\x20\x7f-\x9f]+")


def _script_scheme(scheme: str) -> bool:
    """Whether ``scheme`` (as written before a link's colon) names a script scheme once a viewer decodes it."""
    if "&" in scheme:
        scheme = html.unescape(scheme)
    if "%" in scheme:
        scheme = unquote(scheme)
    return _SCHEME_NOISE.sub("", scheme).lower() in _SCRIPT_SCHEMES


def _defused_link(match: re.Match[str]) -> str:
    prefix, scheme, space, _colon = match.groups()
    return f"{prefix}{scheme}{space}%3A" if _script_scheme(scheme) else match.group(0)


# Raw HTML a Markdown viewer would act on: an element that runs or loads something by itself, or any tag with
# attributes (``<img src=x onerror=…>``, ``<a href=…>``). Plain ones (``<br>``, ``<sub>``, ``</a>``) are harmless.
_ACTIVE_TAG = re.compile(
    r"<(?=(?:script|style|iframe|frame|frameset|object|embed|applet|svg|math|link|meta|base|form|template|"
    r"noscript|textarea|title|xmp|plaintext)\b|[A-Za-z][A-Za-z0-9-]*[\s/]+[^\s>/])",
    re.IGNORECASE,
)


def defused_markdown(text: str) -> str:
    """Markdown from a library (a note) as an export writes it: still Markdown, never a command to a viewer.

    Three things a Markdown viewer acts on pass every character check: a character reference (``&#x202e;``)
    that it decodes to a bidi override or control, a link to a script (``[x](javascript:…)``, ``<vbscript:…>``,
    a reference definition ``[x]: javascript:…``), and raw HTML that runs or loads something (an ``onerror``
    handler, a ``<script>``). A link's scheme counts as the viewer reads it: character references decoded
    (``java&#x73;cript:``, ``javascript&#58;``), percent-escapes, case, spaces and controls ignored. The reference
    is written so it shows as typed (``&amp;#x202e;``), the link's colon so it is no scheme (``javascript%3A``),
    such a tag as text (``&lt;img src=x …>``, which a viewer shows as ``<img src=x …>``; inside code it shows the
    entity, the price of never missing one); everything else stays as the user wrote it.
    """

    def reference(match: re.Match[str]) -> str:
        hexa, decimal = match.groups()
        code = int(hexa, 16) if hexa else int(decimal)
        unsafe = code > 0x10FFFF or bool(_UNSHOWABLE_BLOCK.match(chr(code)))
        return "&amp;" + match.group(0)[1:] if unsafe else match.group(0)

    if ":" in text or "&" in text:
        for link in (_SCRIPT_LINK, _SCRIPT_REFERENCE):
            text = link.sub(_defused_link, text)
    if "&#" in text:
        text = _CHAR_REFERENCE.sub(reference, text)
    if "<" in text:
        text = _ACTIVE_TAG.sub("&lt;", text)
    return text


def signal_name(number: int) -> str:
    """A signal as people know it (``SIGKILL``), for saying what stopped a child process."""
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def counted(n: int, word: str) -> str:
    """``1 paper``, ``3 papers``: a count with its noun (regular plurals only)."""
    return f"{n} {word}" + ("" if n == 1 else "s")


def first_few(names: Sequence[str], most: int = 5) -> str:
    """``a, b, c and 4 more``: the first names of a list a message cannot hold whole, and how many it leaves out."""
    return ", ".join(names[:most]) + (f" and {len(names) - most} more" if len(names) > most else "")
