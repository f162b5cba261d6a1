"""TeX in abstracts, shown as Unicode text: ``$\\Omega \\subset \\mathbb R^n$`` reads ``Ω ⊂ ℝⁿ``.

arXiv abstracts are written in TeX, and Hugging Face copies them with the markup
left in (``52.56\\%``, ``{\\em i)}``, ``\\textbf{x}``). ``render_tex`` turns that
into plain text for display only; the stored abstract keeps the source.

pylatexenc does the parsing and knows the symbols, accents and font macros. What it
leaves to its user is added here: sub- and superscripts as Unicode where every
character has a sub/superscript form (``R^n`` → ``Rⁿ``, ``\\mu_1`` → ``μ₁``), spaces
around relations (``⊂``, ``≤``, ``→``), math operators (``\\log``, ``\\max``,
``\\operatorname{softmax}``) with the space TeX sets before them after a letter, a
digit or a closing bracket (``O(n\\log n)`` → ``O(n log n)``, not ``O(nlog n)``),
fractions with their parts bracketed, and ``\\href``. Abstracts also contain plain
text that only looks like TeX, so before parsing: a ``%`` or ``&`` is a percent sign
or an ampersand, never a comment or an alignment tab (outside environments); ``~`` after a space is "about", not a tie;
``$`` only opens math when a closing ``$`` pairs with it the way Pandoc pairs them
(``$5 and $10`` stays money); outside math, ``_`` is left alone (``f_theta``,
``snake_case``, URLs) and ``^`` only becomes a superscript when its whole argument
has one.

The function never raises: on anything pylatexenc cannot handle it returns the input.
Text with no TeX characters is returned as it is, without parsing.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Any

from readlist.core.text import clean_block, inert_text

__all__ = ["render_tex", "subscript", "superscript"]

# Text without any of these has no TeX to render (a lone "_" renders as itself).
_TEX_START = re.compile(r"[\\${^]")

_SUPERSCRIPT = dict(
    zip(
        "0123456789+-−=()"
        "abcdefghijklmnoprstuvwxyz"
        "ABDEGHIJKLMNOPRTUVW"
        "αβγδεθιφχ⊤ ",
        "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾"
        "ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻ"
        "ᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂ"
        "ᵅᵝᵞᵟᵋᶿᶥᵠᵡᵀ ",
        strict=True,
    )
)
_SUBSCRIPT = dict(
    zip(
        "0123456789+-−=()aehijklmnoprstuvxβγρφχ ",
        "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ ",
        strict=True,
    )
)
_PRIMES = frozenset("′″‴'")

# Relations, arrows and binary operators: TeX spaces them, and pylatexenc's symbols come out glued.
_SPACED = (
    "subset subseteq supset supseteq subsetneq supsetneq in notin ni leq le geq ge neq ne equiv approx sim simeq "
    "cong propto ll gg to rightarrow leftarrow Rightarrow Leftarrow leftrightarrow Leftrightarrow mapsto "
    "longrightarrow implies iff times pm mp cup cap setminus vee wedge oplus otimes coloneqq"
).split()


# Math operators, set in roman: pylatexenc glued them to what precedes (``O(n\\log n)`` read ``O(nlog n)``) or,
# for some (``\\det``, ``\\arg``), dropped them.
_OPERATORS = (
    "arccos arcsin arctan arg cos cosh cot coth csc deg det dim exp gcd hom inf ker lg lim liminf limsup ln log "
    "max min Pr sec sin sinh sup tan tanh"
).split()
_OPERATOR_NAMES = {"liminf": "lim inf", "limsup": "lim sup"}
# What an operator is spaced from, as TeX spaces it: a letter, a digit or a closing bracket before it (``n\\log``,
# ``(x)\\max``); an ordinary letter or group after it (``\\log{n}``, ``\\log\\theta``), not a bracket (``\\min\\{``).
_SPACED_BEFORE = frozenset(")]}|'")
_SPACED_AFTER = re.compile(r"[^\W_]|\{|\\[A-Za-z]")


def superscript(text: str) -> str | None:
    """``text`` in Unicode superscript characters, or None when one of them has no superscript form."""
    out = [_SUPERSCRIPT.get(ch) for ch in text]
    return None if not text or None in out else "".join(out)  # type: ignore[arg-type]


def subscript(text: str) -> str | None:
    """``text`` in Unicode subscript characters, or None when one of them has no subscript form."""
    out = [_SUBSCRIPT.get(ch) for ch in text]
    return None if not text or None in out else "".join(out)  # type: ignore[arg-type]


# -- preparing text that only looks like TeX ---------------------------------------------------------

_ESCAPED = re.compile(r"\\.", re.DOTALL)
_DOLLAR = re.compile(r"(?<!\\)(?:\\\\)*(\$\$?)")
_ENV = re.compile(r"\\(begin|end)\s*\{[^{}]*\}")
# Font macros whose backslash a copy-paste lost ("$textbf{specialist}$"): nothing else spells them so.
_LOST_BACKSLASH = re.compile(r"(?<![\\A-Za-z])(textbf|textit|texttt|emph|mathbb|mathcal|mathrm|mathbf)(?=\{)")


def _protect(text: str) -> str:
    """Escape the characters that are text here but would be markup to a TeX parser."""
    text = _LOST_BACKSLASH.sub(r"\\\1", text)
    math = _math_dollars(text)
    envs = _environment_spans(text)
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\":
            out.append(text[i : i + 2])
            i += 2
            continue
        if ch == "$" and i not in math:
            out.append("\\$")
        elif ch == "%":
            out.append("\\%")
        elif ch == "&" and not any(a <= i < b for a, b in envs):
            out.append("\\&")
        elif ch == "~" and (i == 0 or text[i - 1].isspace() or text[i - 1] in "([{"):
            out.append("\\textasciitilde{}")
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def _math_dollars(text: str) -> set[int]:
    """Offsets of the ``$`` characters that open or close math, all others are text.

    Pandoc's rule: an opening ``$`` has a non-space after it, a closing one a non-space
    before it and no digit after it; and here the closing one is the very next ``$``.
    """
    marks = [(m.start(1), m.group(1)) for m in _DOLLAR.finditer(text)]
    math: set[int] = set()
    k = 0
    while k < len(marks):
        start, delim = marks[k]
        after = start + len(delim)
        # The next dollar must close it; one that cannot ("$5 and $10") leaves both as text.
        if after < len(text) and not text[after].isspace() and k + 1 < len(marks):
            end, closing = marks[k + 1]
            following = end + len(closing)
            if (
                closing == delim
                and not text[end - 1].isspace()
                and not (following < len(text) and text[following].isdigit())
            ):
                math.update(range(start, after))
                math.update(range(end, following))
                k += 1
        k += 1
    return math


def _environment_spans(text: str) -> list[tuple[int, int]]:
    """Where ``\\begin{…}`` … ``\\end{…}`` blocks are, outermost only (an ``&`` inside aligns columns)."""
    spans: list[tuple[int, int]] = []
    depth, start = 0, 0
    for m in _ENV.finditer(text):
        if m.group(1) == "begin":
            if depth == 0:
                start = m.start()
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                spans.append((start, m.end()))
    if depth:
        spans.append((start, len(text)))
    return spans


# Inside a word, these make it TeX (``\`` macros, groups, math, scripts, escapes, TeX quotes).
_TEXISH = re.compile(r"[\\${}^_~#]|``|''")
_WORDS = re.compile(r"\s+|\S+")
_JOIN_BELOW = 80


def _chunks(text: str) -> list[tuple[str, bool]]:
    """The protected text cut at spaces outside groups, math and environments: (piece, has TeX).

    Only pieces with TeX go through the parser, which costs time per character and
    would also retypeset plain text around them (``--``); the rest is kept as it is.
    Adjacent TeX pieces stay together so a macro keeps its arguments.
    """
    units: list[list[str]] = [[]]
    depth = 0  # braces, math and environments all count
    in_math = False
    envs = 0
    for word in _WORDS.findall(text):
        if word[0].isspace():
            if depth == 0 and not in_math and envs == 0:
                units.append([word])
                units.append([])
            else:
                units[-1].append(word)
            continue
        units[-1].append(word)
        i, n = 0, len(word)
        while i < n:
            ch = word[i]
            if ch == "\\":
                rest = word[i + 1 :]
                if rest.startswith("begin"):
                    envs += 1
                elif rest.startswith("end") and envs:
                    envs -= 1
                i += 2
                continue
            if ch == "{":
                depth += 1
            elif ch == "}" and depth:
                depth -= 1
            elif ch == "$":
                in_math = not in_math
                if word.startswith("$", i + 1):
                    i += 1
            i += 1
    pieces: list[tuple[str, bool]] = []
    for unit in units:
        piece = "".join(unit)
        if piece:
            tex = not piece[0].isspace() and _TEXISH.search(piece) is not None
            if pieces and pieces[-1][1] == tex:
                pieces[-1] = (pieces[-1][0] + piece, tex)
            else:
                pieces.append((piece, tex))
    # A short plain run between two TeX pieces joins them: one parse is cheaper than two, and the
    # spaces between a macro and its argument stay with it ("\\textbf {x}"). Its "--" must stay "--".
    merged: list[tuple[str, bool]] = []
    for piece, tex in pieces:
        if tex and len(merged) >= 2 and merged[-2][1] and len(merged[-1][0]) < _JOIN_BELOW:
            plain = merged.pop()[0].replace("-", "-{}")
            merged[-1] = (merged[-1][0] + plain + piece, True)
        else:
            merged.append((piece, tex))
    return merged


# -- the pylatexenc converter, built once -------------------------------------------------------------

_lock = threading.Lock()
_converter: tuple[Any, Any] | None = None


def _arg_text(node: Any, l2tobj: Any) -> tuple[str, Any]:
    args = node.nodeargd.argnlist if node.nodeargd is not None and node.nodeargd.argnlist else []
    arg = args[0] if args else None
    return (l2tobj._groupnodecontents_to_text(arg) if arg is not None else ""), arg


def _script(node: Any, l2tobj: Any) -> str:
    """``^`` and ``_``: Unicode sub/superscripts when every character has one, else the TeX-like text."""
    text, arg = _arg_text(node, l2tobj)
    sup = node.specials_chars == "^"
    in_math = bool(getattr(node.parsing_state, "in_math_mode", False))
    verbatim: str = node.latex_verbatim()
    if arg is None:
        return verbatim
    if not in_math:
        if not sup:
            return verbatim  # snake_case, URLs, f_theta: plain text
        source: str = node.parsing_state.s
        end = node.pos + node.len
        glued = end < len(source) and source[end].isalnum()
        braced = arg.isNodeType(_latexwalker().LatexGroupNode)
        if not braced and glued:
            return verbatim  # x^10 in plain text means x to the 10th, not x¹0
        rendered = superscript(text)
        return rendered if rendered is not None else verbatim
    text = text.strip()
    if sup and text and all(ch in _PRIMES for ch in text):
        return text.replace("'", "′")
    rendered = superscript(text) if sup else subscript(text)
    if rendered is not None:
        return rendered
    mark = "^" if sup else "_"
    return mark + text if len(text) == 1 else f"{mark}({text})"


def _frac(node: Any, l2tobj: Any) -> str:
    args = node.nodeargd.argnlist if node.nodeargd is not None and node.nodeargd.argnlist else []
    parts = [l2tobj._groupnodecontents_to_text(a).strip() if a is not None else "" for a in args[-2:]]
    if len(parts) != 2:
        return "/".join(parts)
    return "/".join(p if len(p) <= 1 or p.isalnum() else f"({p})" for p in parts)


def _operator_spacing(node: Any, name: str) -> str:
    """``name`` with a space before it where TeX sets one (``n\\log n`` reads ``n log n``), and after it before a
    letter or digit that follows with no space (``\\log{n}``)."""
    source: str = node.parsing_state.s
    before = source[node.pos - 1] if node.pos > 0 else " "
    spaced_before = before.isalnum() or before in _SPACED_BEFORE
    spaced_after = _SPACED_AFTER.match(source, node.pos + node.len) is not None
    return (" " if spaced_before else "") + name + (" " if spaced_after else "")


def _operator(name: str) -> Any:
    text = _OPERATOR_NAMES.get(name, name)
    return lambda node, l2tobj: _operator_spacing(node, text)


def _operatorname(node: Any, l2tobj: Any) -> str:
    """``\\operatorname{softmax}`` (or ``\\operatorname*``): its name, spaced as the built-in operators are."""
    args = node.nodeargd.argnlist if node.nodeargd is not None and node.nodeargd.argnlist else []
    arg = args[-1] if args else None
    text = l2tobj._groupnodecontents_to_text(arg).strip() if arg is not None else ""
    return _operator_spacing(node, text) if text else ""


def _href(node: Any, l2tobj: Any) -> str:
    args = [a for a in (node.nodeargd.argnlist if node.nodeargd is not None else []) or [] if a is not None]
    texts = [l2tobj._groupnodecontents_to_text(a).strip() for a in args]
    if len(texts) >= 2:
        return f"{texts[1]} <{texts[0]}>" if texts[1] else texts[0]
    return texts[0] if texts else ""


def _latexwalker() -> Any:
    from pylatexenc import latexwalker

    return latexwalker


def _quick_specials(db: Any) -> None:
    """Give the parser's context an O(1) specials test per character.

    pylatexenc's ``test_for_specials`` tries every known special at every character
    of the input, which is two thirds of the time spent on an abstract. This one
    looks up only the specials that start with the character at hand and keeps the
    same rule: the longest match wins, the earliest category on a tie.
    """
    by_first: dict[str, list[tuple[str, Any]]] = {}
    for spec in db.iter_specials_specs():
        by_first.setdefault(spec.specials_chars[:1], []).append((spec.specials_chars, spec))

    def test_for_specials(s: str, pos: int, parsing_state: Any = None) -> Any:
        candidates = by_first.get(s[pos : pos + 1])
        if not candidates:
            return None
        best, best_len = None, 0
        for chars, spec in candidates:
            if len(chars) > best_len and s.startswith(chars, pos):
                best, best_len = spec, len(chars)
        return best

    db.test_for_specials = test_for_specials


def _build() -> tuple[Any, Any]:
    from pylatexenc import macrospec
    from pylatexenc.latex2text import (
        LatexNodes2Text,
        MacroTextSpec,
        SpecialsTextSpec,
        get_default_latex_context_db,
    )

    walker_db = _latexwalker().get_default_latex_context_db()
    walker_db.add_context_category(
        "readlist",
        prepend=True,
        macros=[macrospec.MacroSpec("href", "{{"), macrospec.MacroSpec("frac", "{{"),
                macrospec.MacroSpec("operatorname", "*{")],
        specials=[
            macrospec.SpecialsSpec("^", args_parser=macrospec.MacroStandardArgsParser("{")),
            macrospec.SpecialsSpec("_", args_parser=macrospec.MacroStandardArgsParser("{")),
        ],
    )
    _quick_specials(walker_db)
    text_db = get_default_latex_context_db()
    spaced = []
    for name in _SPACED:
        spec = text_db.get_macro_spec(name)
        if spec is not None and isinstance(spec.simplify_repl, str):
            spaced.append(MacroTextSpec(name, simplify_repl=f" {spec.simplify_repl} "))
    text_db.add_context_category(
        "readlist",
        prepend=True,
        macros=[
            *spaced,
            MacroTextSpec("frac", simplify_repl=_frac),
            MacroTextSpec("dfrac", simplify_repl=_frac),
            MacroTextSpec("tfrac", simplify_repl=_frac),
            MacroTextSpec("href", simplify_repl=_href),
            *(MacroTextSpec(name, simplify_repl=_operator(name)) for name in _OPERATORS),
            MacroTextSpec("operatorname", simplify_repl=_operatorname),
            # Font and box macros the parser knows but the converter would drop with their text.
            *(MacroTextSpec(name, simplify_repl="%s") for name in ("mbox", "textmd", "textsf", "texttt", "textup")),
            MacroTextSpec("LaTeX", simplify_repl="LaTeX"),
            MacroTextSpec("TeX", simplify_repl="TeX"),
            MacroTextSpec("xrightarrow", simplify_repl=" → "),
            MacroTextSpec("xleftarrow", simplify_repl=" ← "),
            *(MacroTextSpec(name, simplify_repl="<cit.>") for name in ("citealt", "citealp", "Citet", "Citep")),
        ],
        specials=[SpecialsTextSpec("^", simplify_repl=_script), SpecialsTextSpec("_", simplify_repl=_script)],
    )
    text_db.set_unknown_macro_spec(MacroTextSpec("", simplify_repl=_unknown_macro))
    to_text = LatexNodes2Text(latex_context=text_db, math_mode="text", strict_latex_spaces="macros")
    return walker_db, to_text


# Declarations the converter does not know that change only how text looks or where it breaks (``{\\em i)}``).
_LOOKS_ONLY = frozenset(
    "em bf it rm sc sl sf tt normalfont bfseries itshape scshape ttfamily sffamily rmfamily upshape mdseries slshape "
    "small footnotesize scriptsize tiny large Large LARGE huge Huge normalsize centering noindent indent raggedright "
    "raggedleft newline linebreak nobreak par smallskip medskip bigskip hfill vfill protect relax newpage "
    "clearpage".split())


def _unknown_macro(node: Any, l2tobj: Any) -> str:
    """A command of the text the converter does not know, as written (``\\ours``, ``C:\\Users``): it used to
    vanish, taking a word with it ("we propose , a method"). One followed by a group (``\\mymacro{text}``) gives
    way to the group's text, as before, as do declarations of how text looks and unknown commands in math
    (``\\left``, ``\\big``, ``\\displaystyle``: layout). An empty group ends a command's name where a space
    would be eaten (``\\ours{} is``): that command stays."""
    del l2tobj  # the converter passes it by this name
    state = node.parsing_state
    after = state.s[node.pos + node.len: node.pos + node.len + 2]
    if (after[:1] == "{" and after != "{}") or state.in_math_mode or node.macroname in _LOOKS_ONLY:
        return ""
    return f"\\{node.macroname}{node.macro_post_space}"


def _parts() -> tuple[Any, Any]:
    global _converter
    if _converter is None:
        with _lock:
            if _converter is None:
                _converter = _build()
    return _converter


_SPACES = re.compile(r"[ \u00a0]{2,}|\u00a0")


@lru_cache(maxsize=512)
def render_tex(text: str) -> str:
    """The text with its TeX rendered as Unicode; the input itself when there is none or it cannot be read.

    Control characters never come out, not even from a raw input handed back (abstracts in the library have
    none, so those come back as the very same string): like every screen, each escape sequence, control
    character or bidi override shows as one ``MARK``, so the reader sees something was there.
    """
    text = inert_text(text, multiline=True)  # the one screen sanitizer, before TeX is read
    if not _TEX_START.search(text):
        return text
    try:
        walker_db, to_text = _parts()
        latexwalker = _latexwalker()
        out: list[str] = []
        for piece, tex in _chunks(_protect(text)):
            if not tex:
                out.append(piece)
                continue
            walker = latexwalker.LatexWalker(piece, latex_context=walker_db, tolerant_parsing=True)
            rendered = to_text.nodelist_to_text(walker.get_latex_nodes()[0])
            if not isinstance(rendered, str):
                return text
            out.append(rendered)
    except Exception:  # pylatexenc raises many kinds of errors on odd input; the raw text is still readable
        return text
    return clean_block(_SPACES.sub(" ", "".join(out)))
