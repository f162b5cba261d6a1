"""TeX in BibTeX fields: plain text encoded for TeX, math kept as math, and decoded back.

Titles and abstracts from arXiv and Hugging Face are plain text that sometimes
carries TeX math (``S$^{2}$FT``, ``$\\beta$-divergence``). When a field is
written:

* a math segment ``$…$`` passes through verbatim, so it prints as math
  (``S²FT``), provided it is safe: balanced braces both for TeX and for
  BibTeX's own brace counter, no ``%``, ``#``, ``&`` or ``^^``, and only control
  sequences that typeset something (those pylatexenc knows how to render, plus a
  few math-spacing ones). Anything else in a web title (``\\input``,
  ``\\write18``, ``\\def``…) is not run: the segment is written as text.
  Non-ASCII characters in math (``$ω$Test``, ``$x ≤ y$``) become pylatexenc's math
  commands, written ``\\ensuremath{\\omega}``: pdflatex takes no Unicode in math,
  and that one form reads back as the character, while a ``\\omega`` someone typed
  stays ``\\omega``. A segment with a character that has no math command
  (``$é$``) is written as text;
* every other character is encoded by pylatexenc: TeX specials become
  commands (``%`` → ``\\%``, ``\\`` → ``\\textbackslash``), braces become
  ``\\textbraceleft``/``\\textbraceright`` (BibTeX counts braces even after a
  backslash, so ``\\{`` would unbalance the file), and, for BibTeX files,
  accented letters become their TeX commands (``é`` → ``{\\'e}``) so that
  bibtex, which is byte-oriented, sorts and case-changes them correctly. A
  character is written as a command only when decoding that command gives the
  same character back; the rest stay UTF-8;
* TeX ligatures are left as typed: ``--`` in a title is an en dash in the PDF,
  as the arXiv author meant, and reads back as ``--``.

In a title, straight double quotes that pair up are written as TeX's quotes,
each braced (``{``}I'm Not Sure{''}``): TeX prints ``"`` as a closing quote, and
styles that lower-case titles keep only the first character's case, which was
the quote's (see :func:`protect_title`).

Decoding goes through the same library (pylatexenc's latex2text) with math kept
verbatim (except the ``\\ensuremath`` forms above, which become their characters
again, and the braced quotes, which become the straight quote again) and ligatures
kept as typed, then NFC normalisation, so ``Mar{\\'\\i}a``
reads as ``María`` (one precomposed letter), exactly the string a web page
gives, and search and dedup see one name. Outside math no command is dropped
with the text it prints: the TeX logos (``{\\TeX}`` → ``TeX``, ``\\LaTeXe`` →
``LaTeX2ε``) and the text symbols pylatexenc does not know (``\\S``, ``\\slash``,
``\\copyright``…) are added to it, and a command it still does not know is its
name (``{\\sys}`` → ``sys``), unless it is a switch (``{\\em …}``), spacing, or a
wrapper whose argument follows (``\\NoCaseChange{DNA}`` → ``DNA``).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from pylatexenc import latex2text
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, SpecialsTextSpec
from pylatexenc.latexencode import RULE_DICT, UnicodeToLatexConversionRule, UnicodeToLatexEncoder

# ---------------------------------------------------------------------------
# decoding

_KEEP_AS_TYPED = ("---", "--", "``", "''", "!`", "?`")

# Commands that print text and that pylatexenc does not know (it drops them, and "The {\TeX}book" read "The
# book"): the TeX logos and the text symbols of LaTeX's kernel and textcomp that titles and names use. A logo
# is its name as a reader writes it without the typesetting; one whose printed form differs from its name
# (``\LaTeXe``, ``\MF``) says so.
_TEXT_COMMANDS = {
    **{logo: logo for logo in ("TeX", "LaTeX", "BibTeX", "XeTeX", "XeLaTeX", "LuaTeX", "LuaLaTeX", "pdfTeX",
                               "pdfLaTeX", "ConTeXt", "METAFONT", "METAPOST", "SliTeX", "PiCTeX")},
    "LaTeXe": "LaTeX2ε", "AmS": "AMS", "AMS": "AMS", "AmSTeX": "AMS-TeX", "AmSLaTeX": "AMS-LaTeX",
    "MF": "METAFONT", "MP": "METAPOST", "eTeX": "e-TeX",
    "slash": "/", "S": "§", "P": "¶", "ddag": "‡", "copyright": "©", "pounds": "£",
    "euro": "€", "textless": "<", "textgreater": ">", "textunderscore": "_", "textquotedbl": '"',
    "textbar": "|", "textminus": "−", "textpilcrow": "¶", "checkmark": "✓",
}
# Commands with an argument whose text pylatexenc drops with the command (it knows their argument, not that
# they print it): boxes and font families.
_TEXT_ARGUMENT_COMMANDS = ("mbox", "textmd", "textsf", "texttt", "textup")
# Commands that print nothing in a title or a name and that pylatexenc does not know: font and size switches
# (``{\em …}``, ``{\sc …}``, ``{\small …}``), spacing, line breaking and ``\protect``. Every other command it
# does not know is kept visible (see :meth:`_Decoder.macro_node_to_text`).
_SILENT_COMMANDS = frozenset(
    "em bf it sl sc tt rm sf bfseries mdseries itshape scshape upshape slshape sffamily ttfamily rmfamily "
    "normalfont tiny scriptsize footnotesize small normalsize large Large LARGE huge Huge protect relax xspace "
    "null nobreak allowbreak linebreak newline noindent hfill unskip ignorespaces strut bgroup egroup".split()
)


@cache
def _decoder() -> LatexNodes2Text:
    """Built on first use (it takes a noticeable fraction of a second)."""
    db = latex2text.get_default_latex_context_db()
    db.add_context_category(
        "readlist-bibtex",
        prepend=True,
        macros=[
            # The ASCII character, not the spacing modifier U+02C6 pylatexenc maps it to.
            MacroTextSpec("textasciicircum", "^"),
            MacroTextSpec("textbraceleft", "{"),
            MacroTextSpec("textbraceright", "}"),
            MacroTextSpec("url", simplify_repl="%s"),
            *(MacroTextSpec(name, text) for name, text in _TEXT_COMMANDS.items()),
            *(MacroTextSpec(name, simplify_repl="%s") for name in _TEXT_ARGUMENT_COMMANDS),
        ],
        specials=[
            *(SpecialsTextSpec(chars, chars) for chars in _KEEP_AS_TYPED),
            SpecialsTextSpec("~", " "),  # a tie is a space to a reader and to search
        ],
    )
    return _Decoder(latex_context=db, math_mode="verbatim")


class _Decoder(LatexNodes2Text):  # type: ignore[misc]  # pylatexenc has no type information
    """latex2text with math kept verbatim, except the characters the math encoder wrote as commands, and with
    the commands it does not know kept visible."""

    def math_node_to_text(self, node: object) -> str:
        text: str = super().math_node_to_text(node)
        if _ENSUREMATH in text:
            text = _ENSUREMATH_ARG.sub(_math_character_back, text)
        return text

    def macro_node_to_text(self, node: Any) -> str:
        """A command pylatexenc does not know, and that is no switch, spacing or wrapper, is its name.

        pylatexenc drops such a command, and with it the word it stood for: a title written with a macro of
        the author's own (``{\\sys}: Fast Search``) lost the name of the system. The name keeps it visible in
        the title, where ``readlist edit`` can correct it. It is not kept as TeX: outside math a stored title
        is text, which the BibTeX export writes as characters (a backslash prints as one) and every other
        format and the screen render with pylatexenc, which would drop the command again. A command followed
        by a braced argument (``\\NoCaseChange{DNA}``, ``\\mkbibemph{x}``) wraps that text, which is kept
        without the name, as before; one followed by ``{}`` (``\\sys{} is``) is a word, and so is its name.
        The space after the name stays: the command's own definition, which would say whether it adds one,
        is not in the file.
        """
        name: str = node.macroname
        if self.latex_context.get_macro_spec(name) is not None or not name.isalpha() or name in _SILENT_COMMANDS:
            text: str = super().macro_node_to_text(node)
            return text
        if node.nodeargd is not None and node.nodeargd.argnlist:
            return ""  # one whose arguments pylatexenc knows sets something up (``\label``, ``\color``)
        after = node.parsing_state.s[node.pos + node.len:]
        if after.startswith("{") and not after.startswith("{}"):
            return ""  # a wrapper: its argument follows as text
        space: str = node.macro_post_space or ""
        return name + space


# A value without any of these is plain text already (the common case on import).
_TEX_SYNTAX = re.compile(r"[\\{}$~`']")
# Dotless i/j under an accent (``{\'\i}``): the decoder gives ``ı`` + U+0301, which has no precomposed form.
_DOTLESS_ACCENT = re.compile("([ıȷ])([\u0300-\u036f]+)")
_UNBRACED = re.compile(r"[{}]")
_BARE_PERCENT = re.compile(r"(?<!\\)((?:\\\\)*)%")


_EMPTY_ACCENT = re.compile(r"(?<!\\)((?:\\\\)*)\\([~^])\{\}")  # not the end of a ``\\`` line break
_ACCENT_ALONE = {"~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


# The quotes a title's straight quotes are written as (``{``}I'm{''}``, ``{`}single'``), and the math they are not
# read in.
_BRACED_QUOTE = re.compile(r"\{(?:``|''|`)\}")
_DOLLAR_MATH = re.compile(r"(?<!\\)\$(?:[^$\\]|\\.)*\$")


def _straight_quote(match: re.Match[str]) -> str:
    return "'" if match.group() == "{`}" else '"'


def _straight_quotes(value: str) -> str:
    """The braced TeX quotes outside math as the straight quote they were written for."""
    if "$" not in value:
        return _BRACED_QUOTE.sub(_straight_quote, value)
    out: list[str] = []
    last = 0
    for match in _DOLLAR_MATH.finditer(value):
        out.append(_BRACED_QUOTE.sub(_straight_quote, value[last:match.start()]))
        out.append(match.group())
        last = match.end()
    out.append(_BRACED_QUOTE.sub(_straight_quote, value[last:]))
    return "".join(out)


def decode(value: str) -> str:
    """Unicode text from a TeX field value: commands and accents resolved, math and ligatures kept."""
    if not _TEX_SYNTAX.search(value):
        return unicodedata.normalize("NFC", value)
    if "{`" in value or "{''}" in value:
        value = _straight_quotes(value)
    # BibTeX itself reads a bare % as a percent sign; to TeX it would start a comment and eat the line.
    value = _BARE_PERCENT.sub(r"\1\\%", value)
    # An accent over nothing (``\~{}``, ``\^{}``) is how TeX writes the character itself; pylatexenc drops it.
    value = _EMPTY_ACCENT.sub(lambda m: m.group(1) + _ACCENT_ALONE[m.group(2)], value)
    logger = logging.getLogger("pylatexenc")
    level = logger.level
    logger.setLevel(logging.CRITICAL)  # it logs every unknown macro; unknown ones are simply dropped
    try:
        text = _decoder().latex_to_text(value)
    except Exception:  # a malformed value from someone else's file: keep its text, drop the braces
        text = _UNBRACED.sub("", value)
    finally:
        logger.setLevel(level)
    text = _DOTLESS_ACCENT.sub(lambda m: {"ı": "i", "ȷ": "j"}[m.group(1)] + m.group(2), text)
    return unicodedata.normalize("NFC", text)


# ---------------------------------------------------------------------------
# encoding

@cache
def _encoder() -> UnicodeToLatexEncoder:
    return UnicodeToLatexEncoder(
        conversion_rules=[
            # pylatexenc's default is \{ and \}: fine for TeX, unbalanced for BibTeX's brace counter.
            UnicodeToLatexConversionRule(RULE_DICT, {ord("{"): r"\textbraceleft", ord("}"): r"\textbraceright"}),
            "defaults",
        ],
        replacement_latex_protection="braces-all",
        unknown_char_policy="keep",
        unknown_char_warning=False,
    )


# Characters that must never reach a field unencoded.
TEX_SPECIALS = frozenset("\\{}$&%#_~^")


@cache
def _accent_commands() -> dict[str, str]:
    """TeX's text accent commands by the combining mark they add (U+0303 → ``~``), as pylatexenc decodes them."""
    found: dict[str, str] = {}
    db = latex2text.get_default_latex_context_db()
    for spec in db.iter_macro_specs(["latex-base"]):
        name = spec.macroname
        if len(name) != 1:
            continue  # the text accents are \' \^ \~ … and \v \H \d …; longer names are math accents
        parts = unicodedata.normalize("NFD", decode("{\\" + name + "{a}}"))
        if len(parts) == 2 and parts[0] == "a" and unicodedata.category(parts[1]) == "Mn":
            found.setdefault(parts[1], name)
    return found


def _accented(char: str) -> str | None:
    """A Latin letter as nested TeX accents on its ASCII base (``ễ`` → ``{\\~{{\\^e}}}``, ``í`` → ``{\\'i}``).

    None when the letter does not decompose into an ASCII letter and marks that all have a text accent
    command (``ư``'s horn, ``ả``'s hook and ``ș``'s comma below have none). An outer accent's argument
    is braced twice: biber turns the inner accent into its Unicode letter and would otherwise write
    ``\\~ê``, where ``\\~`` takes only the first byte of ``ê``. The base stays a plain ``i``: an accent
    on ``\\i`` becomes a dotless ı plus a combining mark in biber's output, which pdflatex cannot print.
    """
    parts = unicodedata.normalize("NFD", char)
    base, marks = parts[0], parts[1:]
    accents = _accent_commands()
    if not (marks and base.isascii() and base.isalpha() and all(mark in accents for mark in marks)):
        return None
    tex = base
    for depth, mark in enumerate(marks):
        name = accents[mark]
        if depth:
            tex = "\\" + name + "{{" + tex + "}}"
        else:
            tex = "\\" + name + ("{" + tex + "}" if name.isalpha() else tex)
    return "{" + tex + "}"


# An accent on a dotless i or j (``{\\'\\i}``): see :func:`_accented`.
_DOTLESS_BASE = re.compile(r"\\[ij](?![A-Za-z])")
# Commands of the Cyrillic font encoding (T2A): only a document that loads it can run them, and biber
# writes them into a .bbl that breaks even then. The letter itself works wherever Cyrillic is set up.
_FONT_ENCODING_ONLY = re.compile(r"\\(?:CYR|cyr)[A-Za-z]")


@cache
def _char_command(char: str) -> str:
    """The TeX for one character, or the character itself when no command reads back as it."""
    encoded: str = _encoder().unicode_to_latex(char)
    if encoded == char or _DOTLESS_BASE.search(encoded):
        accented = _accented(char)
        if accented is not None and decode(accented) == char:
            return accented
    if _FONT_ENCODING_ONLY.search(encoded):
        return char
    if encoded != char and decode(encoded) == char:
        return encoded
    if char in TEX_SPECIALS:
        raise AssertionError(f"no reversible TeX for {char!r}")  # pylatexenc always has one
    return char


# Letters of Unicode's Latin Extended Additional block (Vietnamese ễ, ạ, …), which pdflatex's UTF-8
# support does not set up; the Latin letters before it (é, ő, ł, ș, ǐ) it does.
_LATIN_EXTENDED_ADDITIONAL = range(0x1E00, 0x1F00)


def _biblatex_char(char: str) -> str:
    """A character for a UTF-8 (biber) file: UTF-8 where pdflatex typesets it, else its TeX command.

    Math-only characters (Greek letters, ``∞``, ``≤``) are written in the ``\\ensuremath`` form the
    BibTeX dialect uses, and letters of Latin Extended Additional as nested accents.
    """
    command = _char_command(char)
    if command.startswith("{\\ensuremath{") or ord(char) in _LATIN_EXTENDED_ADDITIONAL:
        return command
    return char


class _Table(dict[int, str]):
    """A ``str.translate`` table filled on first use of each character."""

    def __init__(self, ascii_only: bool) -> None:
        super().__init__()
        self.ascii_only = ascii_only

    def __missing__(self, code: int) -> str:
        char = chr(code)
        if code < 128 or self.ascii_only:
            value = _char_command(char)
        else:
            value = _biblatex_char(char)
        self[code] = value
        return value


_TABLES = {True: _Table(ascii_only=True), False: _Table(ascii_only=False)}
_PLAIN_ASCII = re.compile(r"[ !\"'()*+,\-./0-9:;=?@A-Z\[\]`a-z]*")


# An ``@`` opening a line of a value would look like the start of a new entry to some parsers.
_LINE_START_AT = re.compile(r"(?m)^([ \t]*)@")


def encode_text(text: str, *, ascii_only: bool) -> str:
    """Text (no math) as TeX; ``ascii_only`` also turns accented letters into commands (BibTeX)."""
    if not _PLAIN_ASCII.fullmatch(text):
        text = unicodedata.normalize("NFC", text).translate(_TABLES[ascii_only])
    return _LINE_START_AT.sub(r"\1{@}", text) if "@" in text else text


# ---------------------------------------------------------------------------
# math segments

# Pandoc's rule for inline math: ``$`` followed by a non-space opens, a non-space followed by ``$``
# (and no digit after it) closes, so ``$5 and $10`` stays text. The noncharacters this module and its users put in
# a text as marks (:data:`MATH_WORD_OPEN`…) count as spaces: a mark before a word's ``$`` made ``$5: ⟨mark⟩$``
# math.
_MATH = re.compile(
    r"(?<![\\$])\$(?=[^\s$\ufdd0-\ufdef])((?:[^$\\\n]|\\[^\n])+?)(?<=[^\s\\\ufdd0-\ufdef])\$(?![\d$])"
)
_CONTROL_WORD = re.compile(r"\\([A-Za-z]+)")
_UNESCAPED = re.compile(r"(?<!\\)(?:\\\\)*[%#&]")
_MATH_EXTRA = frozenset(
    "left right middle big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr Biggl Biggr operatorname boldsymbol "
    "displaystyle textstyle scriptstyle scriptscriptstyle limits nolimits texttt textsf mathnormal "
    "lbrace rbrace lfloor rfloor lceil rceil colon".split()
)
_NOT_TYPESETTING = frozenset({"input", "include", "today", "texorpdfstring", "href", "url", "footnote", "item",
                              "maketitle", "title", "author", "date", "section", "subsection", "subsubsection",
                              "chapter", "part", "paragraph", "subparagraph", "colorbox", "fcolorbox",
                              "textcolor", "hspace", "vspace"})
# Written by the encoder itself for a Unicode character in math: math that already holds it goes out as
# text, so that every \ensuremath read back inside math is one the encoder wrote.
_ENCODER_ONLY = frozenset({"ensuremath"})


@cache
def _math_commands() -> frozenset[str]:
    """Control words allowed in verbatim math: ones that only typeset (what pylatexenc can render)."""
    db = latex2text.get_default_latex_context_db()
    known = {spec.macroname for spec in db.iter_macro_specs(["latex-base", "advanced-symbols",
                                                              "latex-approximations"])}
    return frozenset((known | _MATH_EXTRA) - _NOT_TYPESETTING)


def _typesets(name: str) -> bool:
    return name in _math_commands() and name not in _ENCODER_ONLY


def _balanced(text: str, *, skip_escaped: bool) -> bool:
    depth = 0
    pattern = r"(?<!\\)[{}]" if skip_escaped else r"[{}]"
    for match in re.finditer(pattern, text):
        depth += 1 if match.group() == "{" else -1
        if depth < 0:
            return False
    return depth == 0


def balanced_braces(text: str) -> bool:
    """Whether every brace TeX reads as a group's (``\\{`` is a brace to print) is closed, in order."""
    return _balanced(text, skip_escaped=True)


def safe_math(body: str) -> bool:
    """Whether ``$body$`` may be written verbatim: it typesets and cannot break the file or run anything."""
    if "^^" in body or _UNESCAPED.search(body):
        return False
    # Balanced for BibTeX (which counts every brace) and for TeX (which skips \{ and \}).
    if not (_balanced(body, skip_escaped=False) and _balanced(body.replace("\\\\", ""), skip_escaped=True)):
        return False
    return all(_typesets(name) for name in _CONTROL_WORD.findall(body))


# How a character the math encoder converted is written inside math, and found again on reading.
_ENSUREMATH = "\\ensuremath{"
_ENSUREMATH_ARG = re.compile(r"\\ensuremath\{((?:[^{}]|\{[^{}]*\})*)\}")
_TEXT_FORM = re.compile(r"\{\\ensuremath\{(.*)\}\}", re.DOTALL)
_MATH_CATEGORIES = ("Sm", "Po")


@cache
def _symbol_macros() -> dict[str, tuple[str, ...]]:
    """pylatexenc's macros for each non-ASCII character, in its own order (``×``: ``times``, ``texttimes``)."""
    db = latex2text.get_default_latex_context_db()
    found: dict[str, list[str]] = {}
    for spec in db.iter_macro_specs(["latex-base", "advanced-symbols"]):
        repl = getattr(spec, "simplify_repl", None)
        if isinstance(repl, str) and len(repl) == 1 and not repl.isascii():
            found.setdefault(repl, []).append(spec.macroname)
    return {char: tuple(names) for char, names in found.items()}


@cache
def math_command(char: str) -> str | None:
    """The math-mode TeX for one non-ASCII character (``ω`` → ``\\omega``), or None when there is none.

    pylatexenc's encoder marks math-only symbols with ``\\ensuremath`` (Greek letters, ``≤``, ``∈``,
    ``ℝ``); for a math symbol it writes as a text command (``×`` → ``\\texttimes``, ``→`` →
    ``\\textrightarrow``) its decoder's table gives the math one (``\\times``, ``\\rightarrow``). Either is
    kept only when it reads back as the character and only typesets.
    """
    candidates: list[str] = []
    text_form = _TEXT_FORM.fullmatch(_encoder().unicode_to_latex(char))
    if text_form:
        candidates.append(text_form.group(1))
    if unicodedata.category(char) in _MATH_CATEGORIES:
        candidates += ["\\" + name for name in _symbol_macros().get(char, ()) if not name.startswith("text")]
    for command in candidates:
        if safe_math(command) and decode(_ENSUREMATH + command + "}") == char:
            return command
    return None


def _math_character(command: str) -> str | None:
    """The character whose math form is ``command``, or None (not one :func:`math_command` writes)."""
    char = decode(_ENSUREMATH + command + "}")
    return char if len(char) == 1 and math_command(char) == command else None


def _math_character_back(match: re.Match[str]) -> str:
    return _math_character(match.group(1)) or match.group(0)


def _math_tex(segment: str) -> str | None:
    """A math segment with its non-ASCII characters as math commands; None if one of them has none."""
    if segment.isascii():
        return segment
    out: list[str] = []
    for char in segment:
        if char.isascii():
            out.append(char)
            continue
        command = math_command(char)
        if command is None:
            return None
        out.append(_ENSUREMATH + command + "}")
    return "".join(out)


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of a field: plain text, or a math segment as TeX to write (with its dollars)."""

    text: str
    math: bool = False


def _math_matches(text: str) -> list[tuple[re.Match[str], str]]:
    """The safe ``$…$`` math segments of ``text`` and each as TeX to write (non-ASCII characters as commands)."""
    found: list[tuple[re.Match[str], str]] = []
    for match in _MATH.finditer(text):
        if not safe_math(match.group(1)):
            continue
        math = _math_tex(match.group(0))
        if math is not None:
            found.append((match, math))
    return found


def segments(text: str) -> list[Segment]:
    """Split text into plain runs and safe ``$…$`` math segments (their non-ASCII characters as commands)."""
    out: list[Segment] = []
    last = 0
    for match, math in _math_matches(text):
        if match.start() > last:
            out.append(Segment(text[last:match.start()]))
        out.append(Segment(math, math=True))
        last = match.end()
    if last < len(text):
        out.append(Segment(text[last:]))
    return out


def refused_math(run: str) -> list[re.Match[str]]:
    """The ``$…$`` segments of a run outside safe math (see :func:`outside_math`): math to the eye that is not safe
    to write as math (``$\\input{x}$``, a command of the author's own), which the TeX formats write as typed."""
    return list(_MATH.finditer(run))


def outside_math(text: str, change: Callable[[str], str]) -> str:
    """``text`` with each run outside its safe ``$…$`` math (as :func:`segments` finds it) made ``change(run)``;
    the math kept exactly as written."""
    out: list[str] = []
    last = 0
    for match, _ in _math_matches(text):
        if match.start() > last:
            out.append(change(text[last:match.start()]))
        out.append(match.group(0))
        last = match.end()
    if last < len(text):
        out.append(change(text[last:]))
    return "".join(out)


# A brace TeX reads as a group's (``\\{`` is one to print).
_GROUP_BRACE = re.compile(r"(?<!\\)[{}]")


def ungroup_math(text: str) -> str:
    """``text`` without the braces that group a safe ``$…$`` math segment with the text around it
    (``The {$\\epsilon$}-Greedy Policy``, ``{S$^2$FT}``), when every brace outside math pairs up.

    Such a pair prints nothing in TeX, but each run between the math then has a brace that pairs with none: the
    BibTeX export wrote those runs as typed, so the PDF showed ``{ε}-Greedy``. The math stays exactly as it was
    found; if taking the braces away would change it (``{$x$}5``: a digit after a closing ``$`` makes it text),
    ``text`` is returned as it is.
    """
    if "{" not in text or "$" not in text:
        return text
    found = _math_matches(text)
    if not found:
        return text
    spans = [match.span() for match, _ in found]
    ends = [end for _, end in spans]
    opened: list[int] = []
    dropped: list[int] = []
    for brace in _GROUP_BRACE.finditer(text):
        at = brace.start()
        if any(start <= at < end for start, end in spans):
            continue  # the math's own braces, balanced in it
        if brace.group() == "{":
            opened.append(at)
        elif not opened:
            return text
        elif bisect_right(ends, (start := opened.pop())) != bisect_right(ends, at):
            dropped += (start, at)  # math lies between them
    if opened or not dropped:
        return text
    gone = set(dropped)
    out = "".join(char for index, char in enumerate(text) if index not in gone)
    return out if [m.group() for m, _ in _math_matches(out)] == [m.group() for m, _ in found] else text


_TEX_DASH = re.compile(r"---?")
_DASHES = {"---": "\u2014", "--": "\u2013"}


def typeset_dashes(text: str) -> str:
    """``--`` and ``---`` outside math as the en and em dashes TeX makes of them: what the BibTeX export prints.

    Every source readlist reads a title from writes it in arXiv's TeX-flavoured text: arXiv's pages and API,
    Hugging Face pages (which repeat arXiv's title as submitted: ``Python Libraries -- Case Studies``), a
    ``.bib`` file (decoded with its ligatures kept). The BibTeX export writes the title as it is, so bibtex and
    biber print ``--`` as an en dash, ``---`` as an em dash (longest first, as TeX reads ``----``: an em dash
    and a hyphen), and ``-{}-`` as two hyphens; the formats read as plain text (CSL-JSON, RIS) say the same.
    Math segments, which the BibTeX export writes as math, keep their minus signs.
    """
    if "--" not in text:
        return text
    if "$" not in text:
        return _TEX_DASH.sub(lambda m: _DASHES[m.group()], text)
    return "".join(s.text if s.math else _TEX_DASH.sub(lambda m: _DASHES[m.group()], s.text) for s in segments(text))


def encode(text: str, *, ascii_only: bool) -> str:
    """A field value: math verbatim, everything else encoded."""
    if "$" not in text:
        return encode_text(text, ascii_only=ascii_only)
    return "".join(s.text if s.math else encode_text(s.text, ascii_only=ascii_only) for s in segments(text))


# ---------------------------------------------------------------------------
# titles

# A closing bracket stays inside a protected word when the word opened it: ``E(3)``.
_PAIRS = {")": "(", "]": "[", "}": "{"}


def _punct(char: str) -> bool:
    return not char.isalnum() and char != "$"


# Symbols that end a name rather than a sentence: ``C#``, ``C++``, ``A*``.
_NAME_ENDINGS = frozenset("#+*")


def _lead(text: str) -> str:
    end = 0
    while end < len(text) and _punct(text[end]):
        end += 1
    return text[:end]


def _trail(text: str) -> str:
    """Trailing punctuation, except a closing bracket opened inside the word and the ``#`` of ``C#``."""
    start = len(text)
    while start and _punct(text[start - 1]):
        if text[start - 1] in _NAME_ENDINGS and text[: start - 1].rstrip("#+*")[-1:].isalnum():
            break
        opener = _PAIRS.get(text[start - 1])
        if opener and text.count(opener, 0, start - 1) >= text.count(text[start - 1], 0, start):
            break
        start -= 1
    return text[start:]


# A capital after a letter of the same part of a hyphenated word (``LLaMA``, ``GPT-4o``, not ``Out-of-Context``).
_ASCII_INNER_CAPITAL = re.compile(r"[A-Za-z][^A-Z-]*[A-Z]")
# A part of a hyphenated word whose one letter is a capital (``Q-Learning``, ``X-Ray``).
_ASCII_ONE_CAPITAL_PART = re.compile(r"(?<![^-])[^A-Za-z-]*[A-Z][^A-Za-z-]*(?![^-])")
_ASCII_FIRST_LETTER_CAPITAL = re.compile(r"[^A-Za-z]*[A-Z]")
_ASCII_ONE_CAPITAL = re.compile(r"[^A-Za-z]*[A-Z][^A-Za-z]*")
_ASCII_DIGIT = re.compile(r"[0-9]")
# Title case capitalises the article; a style may lower it.
_ARTICLE = "A"


def _needs_protection(word: list[Segment]) -> bool:
    """Math, or capitals whose case bibliography styles must not change (see :func:`_text_needs_protection`)."""
    if any(s.math for s in word):
        return True
    return _text_needs_protection("".join(s.text for s in word))


def _text_needs_protection(core: str) -> bool:
    """Capitals after the first letter of a word or of a part of a hyphenated one (``LLaMA``, ``GPT-4o``,
    ``BERT-based``, ``iPhone``), a capital with a digit (``E(3)``, ``Llama2``, ``3D``), a capital that is the
    word's one letter (``C#``, ``R``, ``I``, but not the article ``A``) or a part's (``Q-Learning``): words whose
    case bibliography styles must not change. A hyphenated word capitalised part by part as title case
    capitalises words (``Out-of-Context``, ``Fine-Tuning``) is not one of them: it is lowered with its
    neighbours."""
    if core.isascii():  # the same rule, with regular expressions (most titles are ASCII)
        if _ASCII_INNER_CAPITAL.search(core):
            return True
        if _ASCII_ONE_CAPITAL.fullmatch(core):
            return _bare(core) != _ARTICLE
        if "-" in core and _ASCII_ONE_CAPITAL_PART.search(core):
            return True
        return _ASCII_DIGIT.search(core) is not None and bool(_ASCII_FIRST_LETTER_CAPITAL.match(core))
    return capitals_matter(core)


def _bare(word: str) -> str:
    """A word without the punctuation around it (what stays inside its braces)."""
    lead = _lead(word)
    return word[len(lead): len(word) - len(_trail(word[len(lead):]))]


# What joins the parts of a hyphenated word: a hyphen, and the dashes ``--`` and ``---`` read as in a plain title.
_HYPHENS = re.compile("[-\u2010\u2011\u2013\u2014]")


def capitals_matter(text: str) -> bool:
    """The protection rule on any text: a capital after the first letter of the word or of a part of it
    between hyphens, a first capital and a digit, a capital that is the one letter (except the article
    ``A``), or a part of a hyphenated word whose one letter is a capital."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return False
    parts = [[ch for ch in part if ch.isalpha()] for part in _HYPHENS.split(text)] if len(letters) > 1 else [letters]
    if any(ch.isupper() for part in parts for ch in part[1:]):
        return True
    if not letters[0].isupper():
        return len(parts) > 1 and any(len(part) == 1 and part[0].isupper() for part in parts)
    if any(ch.isdigit() for ch in text):
        return True
    if len(letters) == 1:
        return _bare(text) != _ARTICLE
    return len(parts) > 1 and any(len(part) == 1 and part[0].isupper() for part in parts)


def _words(text: str) -> list[list[Segment]]:
    """Space-separated words as segment lists; a math segment stays inside its word even if it has spaces."""
    words: list[list[Segment]] = [[]]
    for segment in segments(text):
        if segment.math:
            words[-1].append(segment)
            continue
        pieces = segment.text.split(" ")
        for i, piece in enumerate(pieces):
            if i:
                words.append([])
            if piece:
                words[-1].append(Segment(piece))
    return words


# Every word of a plain ASCII title that the rule of :func:`_text_needs_protection` protects, in its order: one
# with a letter followed by a capital in the same part between hyphens, one whose one letter is a capital
# (``one_letter``: the article ``A`` is told apart after), a hyphenated one with a part whose one letter is a
# capital, or one with a first capital and a digit. Whole words only: a match starts after a space.
_MAYBE_PROTECTED = re.compile(
    r"(?<![^ ])(?:(?=[^ ]*?[A-Za-z][^A-Z \-]*[A-Z])|(?=[^A-Za-z ]*[A-Z][^A-Za-z ]*(?![^ ]))(?P<one_letter>)"
    r"|(?=[^ ]*-)(?=[^ ]*?(?<![^ \-])[^A-Za-z \-]*[A-Z][^A-Za-z \-]*(?![^ \-]))"
    r"|(?=[^A-Za-z ]*[A-Z])(?=[^ ]*[0-9]))[^ ]+"
)
# A title in which no character needs encoding and no word starts with ``@``.
_PLAIN_TITLE = re.compile(r"[ !\"'()*+,\-./0-9:;=?A-Z\[\]`a-z]*")


def protect_title(text: str, *, ascii_only: bool) -> str:
    """A title value: encoded, with every word whose capitals or math must survive the style wrapped in braces.

    Punctuation around a protected word stays outside its braces: ``{LLaMA}:``. In a title written in sentence
    case, a capitalised word is a name and is protected too (see :func:`_names_in_sentence_case`), and so is
    a capitalised word that starts a sentence after the first, or the title or a clause behind a quote or a
    bracket (see :func:`_sentence_starts`).
    Straight double quotes that pair up are written as TeX's opening and closing quotes (see
    :func:`paired_quotes`), and so is the opening one of a pair of straight single quotes (see
    :func:`paired_single_quotes`).

    An export runs this on every title of the library, so the common cases take shorter ways to the same
    text: a title without math is handled a word at a time as plain strings, and a plain ASCII title (nothing
    to encode) in one pass of a regular expression that stops only at the words that may need braces.
    """
    quoted = text
    if '"' in quoted:
        quoted = paired_quotes(quoted) or quoted
    if "'" in quoted:
        quoted = paired_single_quotes(quoted) or quoted
    if quoted is not text:
        return tex_quotes(_protect_title(quoted, ascii_only=ascii_only))
    return _protect_title(text, ascii_only=ascii_only)


def tex_quotes(written: str) -> str:
    """A title protected with the stand-ins of :func:`paired_quotes` and :func:`paired_single_quotes` in it, with
    TeX's quotes for them."""
    return (written.replace(_OPEN_QUOTE, _TEX_OPEN_QUOTE).replace(_CLOSE_QUOTE, _TEX_CLOSE_QUOTE)
            .replace(_OPEN_SINGLE, _TEX_OPEN_SINGLE))


# Stand-ins for the straight double quotes of a title while its words are protected: punctuation to the rules
# (they stay outside a word's braces), written as TeX's quotes at the end.
_OPEN_QUOTE = "\ufdd0"
_CLOSE_QUOTE = "\ufdd1"
# Braced, so that reading the file back gives the straight quote the title had (see :func:`decode`), while a
# ````` or ``''`` typed in a ``.bib`` file stays as typed; styles change no case inside braces.
_TEX_OPEN_QUOTE = "{``}"
_TEX_CLOSE_QUOTE = "{''}"
# The same for the opening one of a pair of straight single quotes (TeX prints the closing one, ``'``, right).
_OPEN_SINGLE = "\ufdd5"
_TEX_OPEN_SINGLE = "{`}"
# Where a quote may open (after a space or an opening bracket, or at the start) and close (before a space or
# punctuation, or at the end).
_BEFORE_OPENING = frozenset(" ([{/-\u2013\u2014")


def paired_quotes(text: str) -> str | None:
    """The title with its straight double quotes outside math as the stand-ins of the opening and closing
    quotes, or None when they do not pair up (``12" Displays``), and are then left as they are.

    TeX prints ``"`` as a closing quote in every font (``”I'm Not Sure”``), and BibTeX, which keeps the case of
    a title's first character only, took the quote for it and lower-cased the ``I`` behind it. An opening quote
    starts a word and a closing one ends it, one after the other.
    """
    if _OPEN_QUOTE in text or _CLOSE_QUOTE in text:
        return None
    chars = list(text)
    opening = True
    for index, before, after in _quotes_outside_math(text, '"'):
        if opening and before in _BEFORE_OPENING and not after.isspace():
            chars[index] = _OPEN_QUOTE
        elif not opening and not before.isspace() and not after.isalnum():
            chars[index] = _CLOSE_QUOTE
        else:
            return None
        opening = not opening
    return "".join(chars) if opening else None


def _quotes_outside_math(text: str, quote: str) -> Iterator[tuple[int, str, str]]:
    """Where ``quote`` stands in ``text`` outside math, with the characters before and after it (a space past
    either end)."""
    spans = [match.span() for match, _ in _math_matches(text)] if "$" in text else []
    for index, char in enumerate(text):
        if char == quote and not any(start <= index < end for start, end in spans):
            yield index, text[index - 1] if index else " ", text[index + 1] if index + 1 < len(text) else " "


def paired_single_quotes(text: str) -> str | None:
    """The title with the opening quote of each pair of straight single quotes outside math as its stand-in, or
    None when the quotes that are not apostrophes do not pair up (``'90s``).

    TeX prints ``'`` as a closing quote, so ``'Single'`` printed ’Single’. An apostrophe inside a word (``Don't``)
    is neither quote; an opening quote starts a word and a closing one ends it, one after the other.
    """
    if _OPEN_SINGLE in text:
        return None
    chars = list(text)
    opening = True
    for index, before, after in _quotes_outside_math(text, "'"):
        if before.isalnum() and (after.isalnum() or opening):
            continue  # an apostrophe: Don't, it's, and with no quote open, Students' Work
        if opening and before in _BEFORE_OPENING and after.isalnum():
            chars[index] = _OPEN_SINGLE
        elif opening or before.isspace() or after.isalnum():
            return None  # neither an opening quote nor the closing one of the open pair
        opening = not opening
    return "".join(chars) if opening and _OPEN_SINGLE in chars else None


def _protect_title(text: str, *, ascii_only: bool) -> str:
    """:func:`protect_title` once its quotes are decided."""
    names = _names_in_sentence_case(text) | _sentence_starts(text)
    if "$" not in text:
        if names:
            return " ".join(_braced(word, ascii_only=ascii_only) if i in names else _protected_word(word, ascii_only)
                            for i, word in enumerate(text.split(" ")))
        if _PLAIN_TITLE.fullmatch(text):
            return _MAYBE_PROTECTED.sub(_braced_match, text)
        return " ".join(_protected_word(word, ascii_only) for word in text.split(" "))
    return _protect_segments(text, ascii_only=ascii_only, names=names)


# Words a title in title case still writes in lower case: they say nothing of how the title is written.
_MINOR_WORDS = frozenset(
    "a an and are as at but by for from in into is nor of on or over than the to under using via vs with "
    "within without".split()
)
# A word that ends a sentence or a clause after which a title starts again with a capital: ``Title: Subtitle``.
_CLAUSE_END = re.compile(r"(?:[:?!.]|--|—|–)[\"')\]\ufdd1]*$|^(?:-|--|---|–|—)$")
# Cheap tests first (an export runs them on every title): two words in lower case that are not minor ones, and
# a capitalised word after the first.
_LOWER_WORD = re.compile(r" (?!(?:" + "|".join(sorted(_MINOR_WORDS)) + r")\b)[a-z]")
_LATER_CAPITAL = re.compile(r" [\"'(\[\ufdd0\ufdd5]*[A-Z]")


def _names_in_sentence_case(text: str) -> frozenset[int]:
    """The positions (in ``text.split(" ")``) of the capitalised words of a title written in sentence case.

    Styles such as plain, abbrv and plainnat lower-case a title but its braced words, so "Testing and
    estimation in orthosymmetric Gaussian sequence model" printed "… gaussian sequence model". In a title
    written in sentence case a capital that does not start the title or a clause (after ``:``, ``?``, a dash)
    is the author's: a name (``Gaussian``, ``Bayesian``, ``Bulgaria``). A title counts as in sentence case
    when its lower-case words, not counting the minor ones (``of``, ``the``), are at least two and at least
    twice as many as the capitalised ones; in a title in title case (``Learning World Models of Textual Environments``)
    nothing can tell a name from a capitalised word, and they are left to the style, as before.
    """
    if len(_LOWER_WORD.findall(text)) < 2 or _LATER_CAPITAL.search(text) is None:
        return frozenset()  # most titles: in title case, or with no capital after the first word
    lower = 0
    capitalised: list[int] = []
    starts_clause = True
    for index, word in enumerate(text.split(" ")):
        first = starts_clause
        starts_clause = _CLAUSE_END.search(word) is not None
        core = word.strip("\"'()[],;:.!?\ufdd0\ufdd1\ufdd5")
        if first or "$" in word or not core[:1].isalpha() or core.casefold() in _MINOR_WORDS:
            continue
        if core[0].islower():
            lower += 1
        elif core[0].isupper() and not capitals_matter(core):
            capitalised.append(index)
    if capitalised and lower >= 2 and lower >= 2 * len(capitalised):
        return frozenset(capitalised)
    return frozenset()


# Quotes and brackets that may open a title or a clause before its first letter.
_OPENERS = "\"'`([{\u201c\u2018" + _OPEN_QUOTE + _OPEN_SINGLE


# A word that may end a sentence: ``?``, ``!`` or ``.``, then closing quotes or brackets.
_SENTENCE_END = re.compile(r"[?!.][\"')\]\u201d\u2019\ufdd1]*$")
_MAYBE_SENTENCES = re.compile(r"[?!.][\"')\]\u201d\u2019\ufdd1]* ")
# Words a period ends that end no sentence: ``Humans vs. Machines``.
_ABBREVIATIONS = frozenset("al cf co dr eq etc fig inc jr ltd mr mrs ms no sr st viz vol vs".split())


def _ends_sentence(word: str) -> bool:
    """Whether a title goes on after ``word`` with a new sentence: ``Teaching?``, ``Works.``, but not ``vs.``,
    ``U.S.``, an initial (``J.``) or an ellipsis."""
    if not _SENTENCE_END.search(word):
        return False
    body = word.rstrip("\"')]\u201d\u2019" + _CLOSE_QUOTE)
    if body[-1] in "?!":
        return True
    core = body[:-1].lstrip(_OPENERS)
    return len(core) > 1 and "." not in core and core.casefold() not in _ABBREVIATIONS


def _sentence_starts(text: str) -> frozenset[int]:
    """The positions (in ``text.split(" ")``) of the capitalised words that start a sentence after the first
    (``Teaching? A Study``), or start the title or a clause behind an opening quote or bracket (``"I'm Not
    Sure"``, ``Title: (Almost) Everything``).

    Styles that lower-case a title keep the case of its first character and of the one after a colon and a
    space, and of no other: ``Can LLMs learn by teaching? a preliminary study``; and when that first character
    is a quote, the capital behind it was lowered (``"i'm not sure"``).
    """
    if not text or (text[0] not in _OPENERS and ": " not in text and not _MAYBE_SENTENCES.search(text)):
        return frozenset()
    starts: set[int] = set()
    starts_clause = True
    after_sentence = False
    for index, word in enumerate(text.split(" ")):
        if not word:
            continue
        if after_sentence or (starts_clause and word[0] in _OPENERS):
            if word.lstrip(_OPENERS)[:1].isupper():
                starts.add(index)
        starts_clause = word.endswith(":")
        after_sentence = _ends_sentence(word)
    return frozenset(starts)


# Around each word of a title that holds math (:func:`mark_math_words`), kept through the rendering to plain text.
MATH_WORD_OPEN = "\ufdd2"
MATH_WORD_CLOSE = "\ufdd3"
_MATH_WORD = re.compile(f"{MATH_WORD_OPEN}([^{MATH_WORD_CLOSE}]*){MATH_WORD_CLOSE}")
_MATH_WORD_HERE = "\ufdd4"


def mark_math_words(text: str) -> str:
    """A TeX title with each word that holds math (to the spaces outside math around it: ``$k$-means``,
    ``$O(n \\log n)$``) between :data:`MATH_WORD_OPEN` and :data:`MATH_WORD_CLOSE`.

    Rendered to plain text, such a word no longer says it was math (``O(n log n)``), and a style that puts
    titles in title case printed ``O(n Log n)`` and ``k-Means``; the BibTeX export braces these words whole.
    A word with math that is printed as typed (see :func:`refused_math`) is marked too: a style printed
    ``$\\input{x}$`` as ``$\\Input{X}$``.
    """
    if "$" not in text or any(mark in text for mark in (MATH_WORD_OPEN, MATH_WORD_CLOSE, _MATH_WORD_HERE)):
        return text
    words: list[tuple[int, int]] = []
    for match in _MATH.finditer(text):
        start = text.rfind(" ", 0, match.start()) + 1
        end = text.find(" ", match.end())
        end = len(text) if end < 0 else end
        if words and start <= words[-1][1]:
            words[-1] = (words[-1][0], max(end, words[-1][1]))
        else:
            words.append((start, end))
    out: list[str] = []
    last = 0
    for start, end in words:
        out += [text[last:start], MATH_WORD_OPEN, text[start:end], MATH_WORD_CLOSE]
        last = end
    return "".join(out) + text[last:]


def mark_protected(text: str, mark: Callable[[str], str]) -> str:
    """A plain title (no TeX: what :attr:`~readlist.core.reference.Reference.plain_title` gives) with ``mark``
    applied to each word :func:`protect_title` would brace, the punctuation around it left outside.

    For the CSL-JSON export, which protects the same words from a style's case changes with its own markup.
    A word between :data:`MATH_WORD_OPEN` and :data:`MATH_WORD_CLOSE` (it was math) is marked whole.
    """
    if MATH_WORD_OPEN in text:
        math_words: list[str] = []

        def set_aside(match: re.Match[str]) -> str:
            lead, core, trail = _affixes(match.group(1))
            if not core:
                return match.group(1)
            math_words.append(mark(core))
            return lead + _MATH_WORD_HERE + trail  # its punctuation still ends a clause (``S²FT:``)

        # A mark the rendering left without its pair is dropped: the text is marked as if it had none.
        rest = _MATH_WORD.sub(set_aside, text).replace(MATH_WORD_OPEN, "").replace(MATH_WORD_CLOSE, "")
        marked = mark_protected(rest, mark)
        return re.sub(_MATH_WORD_HERE, lambda _: math_words.pop(0), marked)
    names = _names_in_sentence_case(text) | _sentence_starts(text)
    if not names and _PLAIN_TITLE.fullmatch(text):
        return _MAYBE_PROTECTED.sub(lambda match: _marked_match(match, mark), text)
    out: list[str] = []
    for index, word in enumerate(text.split(" ")):
        if word and (index in names or _text_needs_protection(word)):
            lead, core, trail = _affixes(word)
            if core:
                word = lead + mark(core) + trail
        out.append(word)
    return " ".join(out)


def _marked_match(match: re.Match[str], mark: Callable[[str], str]) -> str:
    """:func:`_braced_match` with another mark than braces."""
    word = match.group()
    if match.lastgroup == "one_letter" and _bare(word) == _ARTICLE:
        return word
    lead, core, trail = _affixes(word)
    return lead + mark(core) + trail


def _braced_match(match: re.Match[str]) -> str:
    """A word of a plain title that needs braces (nothing in it to encode), or the article ``A`` as it is."""
    word = match.group()
    if match.lastgroup == "one_letter" and _bare(word) == _ARTICLE:
        return word
    lead, core, trail = _affixes(word)
    return lead + "{" + core + "}" + trail


def _protected_word(word: str, ascii_only: bool) -> str:
    """One word of a title without math, as :func:`_protect_segments` writes it."""
    if word and _text_needs_protection(word):
        return _braced(word, ascii_only=ascii_only)
    return encode_text(word, ascii_only=ascii_only)


def _braced(word: str, *, ascii_only: bool) -> str:
    lead, core, trail = _affixes(word)
    return (encode_text(lead, ascii_only=ascii_only) + "{" + encode_text(core, ascii_only=ascii_only) + "}"
            + encode_text(trail, ascii_only=ascii_only))


def _affixes(word: str) -> tuple[str, str, str]:
    """The punctuation before a word, the word, the punctuation after it (``"(LLaMA):"``: ``(``, ``LLaMA``, ``):``).

    A word that begins or ends with a letter or digit has nothing to look for there (most words).
    """
    lead = "" if word[:1].isalnum() else _lead(word)
    rest = word[len(lead):]
    trail = "" if rest[-1:].isalnum() else _trail(rest)
    return lead, rest[: len(rest) - len(trail)], trail


def _protect_segments(text: str, *, ascii_only: bool, names: frozenset[int] | None = None) -> str:
    """:func:`protect_title` for any title, math included, one word of segments at a time (``names``: the
    positions of the words to protect as names, counted as ``text.split(" ")`` counts them, when known)."""
    if names is None:
        names = _names_in_sentence_case(text) | _sentence_starts(text)
    out: list[str] = []
    position = 0
    for word in _words(text):
        named = position in names
        position += sum(s.text.count(" ") for s in word if s.math) + 1
        if not (named or _needs_protection(word)):
            out.append("".join(s.text if s.math else encode_text(s.text, ascii_only=ascii_only) for s in word))
            continue
        lead = trail = ""
        if word and not word[0].math:
            lead = _lead(word[0].text)
            word[0] = Segment(word[0].text[len(lead):])
        if word and not word[-1].math:
            trail = _trail(word[-1].text)
            word[-1] = Segment(word[-1].text[: len(word[-1].text) - len(trail)])
        core = "".join(s.text if s.math else encode_text(s.text, ascii_only=ascii_only) for s in word)
        out.append(
            encode_text(lead, ascii_only=ascii_only) + "{" + core + "}" + encode_text(trail, ascii_only=ascii_only)
        )
    return " ".join(out)
