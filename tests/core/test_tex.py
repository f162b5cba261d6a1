"""TeX in BibTeX fields: math kept, text encoded, capitals protected, and decoded back exactly."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readlist.core.reference import clean_field
from readlist.core.tex import (
    TEX_SPECIALS,
    Segment,
    _needs_protection,
    capitals_matter,
    decode,
    encode,
    encode_text,
    protect_title,
    safe_math,
    segments,
    ungroup_math,
)


def bibtex_balanced(value: str) -> bool:
    """Balanced for BibTeX's own brace counter, which does not honour backslashes."""
    depth = 0
    for ch in value:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


@pytest.mark.parametrize("ascii_only", [True, False])
def test_math_titles_keep_their_math_and_protect_it(ascii_only: bool) -> None:
    assert protect_title("S$^{2}$FT: Efficient, Scalable LLM Fine-tuning", ascii_only=ascii_only) == (
        "{S$^{2}$FT}: Efficient, Scalable {LLM} Fine-tuning"
    )
    assert protect_title("$\\textbf{Only-IF}$:Revealing the Effect", ascii_only=ascii_only) == (
        "{$\\textbf{Only-IF}$:Revealing} the Effect"
    )
    assert protect_title("$\\beta$-divergence Meets $O(n \\log n)$ Sorting", ascii_only=ascii_only) == (
        "{$\\beta$-divergence} Meets {$O(n \\log n)$} Sorting"
    )


def test_words_whose_capitals_matter_are_protected_consistently() -> None:
    title = "LLaMA and GPT-4o on Stress-Testing E(3) Llama2 3D Fine-tuning Intra- & Extra-Source Models"
    assert protect_title(title, ascii_only=True) == (
        "{LLaMA} and {GPT-4o} on Stress-Testing {E(3)} {Llama2} {3D} Fine-tuning Intra- {\\&} Extra-Source Models"
    )
    # Punctuation around a protected word stays outside its braces.
    assert protect_title("(MCPMark): a {BERT}, “GPT”.", ascii_only=False) == (
        "({MCPMark}): a {\\textbraceleft}{BERT}{\\textbraceright}, “{GPT}”."
    )


@pytest.mark.parametrize("ascii_only", [True, False])
def test_unicode_in_math_is_written_as_math_commands(ascii_only: bool) -> None:
    """pdflatex takes no Unicode inside math: ``$ω$`` goes out as ``\\omega`` and reads back as ``ω``."""
    title = "$ω$Test: WebView-Oriented Testing for Android Applications"
    written = protect_title(title, ascii_only=ascii_only)
    assert written == "{$\\ensuremath{\\omega}$Test}: {WebView-Oriented} Testing for Android Applications"
    assert decode(written) == title
    text = "$x ≤ y$, $a × b → ℝ^n$ and $Ω_{i} ∈ Σ$"
    written = encode(text, ascii_only=ascii_only)
    assert written == (
        "$x \\ensuremath{\\leq} y$, $a \\ensuremath{\\times} b \\ensuremath{\\rightarrow} "
        "\\ensuremath{\\mathbb{R}}^n$ and $\\ensuremath{\\Omega}_{i} \\ensuremath{\\in} \\ensuremath{\\Sigma}$"
    )
    assert written.isascii() and decode(written) == text


def test_math_commands_someone_typed_stay_as_typed() -> None:
    assert decode("$\\omega$ and $\\times$") == "$\\omega$ and $\\times$"
    assert encode("$\\omega$ and $ω$", ascii_only=False) == "$\\omega$ and $\\ensuremath{\\omega}$"
    # Typed by hand it is text, so that every \\ensuremath read back from math is the encoder's.
    typed = "$\\ensuremath{\\omega}$"
    assert not any(s.math for s in segments(typed)) and decode(encode(typed, ascii_only=True)) == typed


def test_math_with_a_character_math_cannot_take_is_written_as_text() -> None:
    for text in ("$é$ text", "$x²$", "$中$"):
        assert not any(s.math for s in segments(text)), text
        assert decode(encode(text, ascii_only=True)) == text


def test_a_capital_that_is_the_only_letter_is_protected() -> None:
    title = "Types in C# and snake_case: A Study of R, C++ and A* for Plan B, as I Saw It"
    assert protect_title(title, ascii_only=True) == (
        "Types in {C{\\#}} and snake{\\_}case: A Study of {R}, {C++} and {A*} for Plan {B}, as {I} Saw It"
    )
    assert protect_title("Towards A Theory of É", ascii_only=False) == "Towards A Theory of {É}"
    assert decode(protect_title(title, ascii_only=True)) == title


@pytest.mark.parametrize(
    "text",
    [
        "$\\input{/etc/passwd}$",  # reads a file
        "$\\immediate\\write18{rm -rf ~}$",  # runs a program where shell escape is on
        "$\\def\\x{y}$",
        "$^^5cinput{x}$",  # ^^5c is a backslash to TeX's input reader
        "$50% off$",  # a comment would swallow the rest of the line
        "$a#b$",
        "$a&b$",
        "${a$",  # unbalanced
        "$\\{a$",  # balanced for TeX, not for BibTeX's counter
        "$\\directlua{os.exit()}$",
    ],
)
def test_unsafe_math_is_written_as_text(text: str) -> None:
    assert not any(s.math for s in segments(text))
    written = encode(text, ascii_only=True)
    assert "\\input" not in written.replace("{\\textbackslash}input", "")
    assert decode(written) == text
    assert bibtex_balanced(written)


def test_dollars_that_are_not_math_stay_dollars() -> None:
    for text in ("Costs $5 and $10", "$ 5$", "a $b $c", "$$x$$"):
        assert not any(s.math for s in segments(text)), text
        assert decode(encode(text, ascii_only=True)) == text
    assert safe_math("\\frac{a}{b}^{2}") and safe_math("\\mathbb{R}^n") and safe_math("x_{i}\\,\\%")


def test_bibtex_values_are_ascii_where_tex_has_a_command() -> None:
    assert encode_text("María Ødegård Łukasz Straße – β", ascii_only=True) == (
        "Mar{\\'i}a {\\O}deg{\\r{a}}rd {\\L}ukasz Stra{\\ss}e {\\textendash} {\\ensuremath{\\beta}}"
    )
    assert encode_text("María", ascii_only=False) == "María"
    # No TeX command reads back as these, so they stay UTF-8 rather than turn into something else.
    assert encode_text("中文 Ά", ascii_only=True) == "中文 Ά"
    for char in TEX_SPECIALS:
        assert encode_text(char, ascii_only=False) != char and decode(encode_text(char, ascii_only=False)) == char


def test_an_at_sign_never_opens_a_line_of_a_value() -> None:
    written = encode("note\n@misc{x,\n  @book(y", ascii_only=False)
    assert not any(line.lstrip().startswith("@") for line in written.splitlines())
    assert decode(written) == "note\n@misc{x,\n  @book(y"


def test_decoding_gives_the_unicode_a_web_page_gives() -> None:
    maria = decode("Mar{\\'\\i}a")
    assert maria == "María" and len(maria) == 5 and unicodedata.is_normalized("NFC", maria)
    assert decode('Sch{\\"o}lkopf') == "Schölkopf" and decode('Sch\\"{o}lkopf') == "Schölkopf"
    assert decode("R\\&D \\emph{Fast} 50\\%") == "R&D Fast 50%"
    assert decode("{\\'E}cole na\\\"ive \\c{c}a \\v{S}koda") == "École naïve ça Škoda"
    assert decode("Value--at--Risk --- really ``quoted''") == "Value--at--Risk --- really ``quoted''"
    assert decode("A~B") == "A B"
    assert decode("S$^{2}$FT and $\\beta$") == "S$^{2}$FT and $\\beta$"
    assert decode("50% of it % all of it") == "50% of it % all of it"  # BibTeX reads a bare % as a percent sign
    assert decode("\\url{https://x.org/a_b}") == "https://x.org/a_b"
    assert decode("line one\n\n    indented\nend") == "line one\n\n    indented\nend"
    assert decode("unbalanced {brace") == "unbalanced brace"
    # An accent over nothing is the character itself, as TeX prints it; a line break before a tie stays one.
    assert decode("with \\~{} and \\^{} in it") == "with ~ and ^ in it"
    assert decode("home/\\~{}ada") == "home/~ada" and decode("\\~{n}") == "ñ"
    assert decode("a\\\\~{}b") == "a\n b"


text_without_controls = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("{}\\%&#_$~^@\"'`-–—,.:;()[]<>|*=+ ωΩ≤×→ℝé²")),
        st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")),
    ),
    min_size=1,
    max_size=60,
)


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=text_without_controls)
def test_titles_read_back_exactly_and_stay_balanced(title: str) -> None:
    title = unicodedata.normalize("NFC", clean_field(title))
    if not title:
        return
    for ascii_only in (True, False):
        written = protect_title(title, ascii_only=ascii_only)
        assert bibtex_balanced(written), written
        assert decode(written) == title, written


@settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(note=st.lists(text_without_controls, min_size=1, max_size=4).map("\n".join))
def test_multi_line_values_read_back_exactly(note: str) -> None:
    note = unicodedata.normalize("NFC", note)
    written = encode(note, ascii_only=True)
    assert bibtex_balanced(written)
    assert decode(written) == note


@given(word=st.text(alphabet=st.characters(max_codepoint=127, exclude_categories=("Cc",)), max_size=12))
def test_the_ascii_fast_path_protects_the_same_words(word: str) -> None:
    assert _needs_protection([Segment(word)]) == capitals_matter(word)


def test_letters_without_one_command_are_nested_accents_that_read_back() -> None:
    # Vietnamese names: two marks on one letter; the outer accent's argument braced twice for biber.
    assert encode_text("Nguyễn Trần Phặm", ascii_only=True) == "Nguy{\\~{{\\^e}}}n Tr{\\`{{\\^a}}}n Ph{\\u{{\\d{a}}}}m"
    for text in ("Nguyễn", "Trần", "ặ", "ḯ", "ǰ", "Ǐ"):
        assert encode_text(text, ascii_only=True).isascii()
        assert decode(encode_text(text, ascii_only=True)) == text
    # No text accent for a horn, a hook above or a comma below: these stay UTF-8, never something else.
    assert encode_text("Trương ả ș", ascii_only=True) == "Trương ả ș"


def test_accents_on_i_and_j_use_the_plain_letter() -> None:
    # An accent on \i becomes a dotless i plus a combining mark in biber's output, which pdflatex cannot print.
    forms = {"í": "{\\'i}", "ï": '{\\"i}', "ì": "{\\`i}", "î": "{\\^i}", "ǐ": "{\\v{i}}", "ĵ": "{\\^{j}}",
             "ǰ": "{\\v{j}}", "Í": "{\\'I}"}
    for char, tex in forms.items():
        assert encode_text(char, ascii_only=True) == tex
        assert decode(tex) == char
    for code in range(0x80, 0x2000):
        char = chr(code)
        encoded = encode_text(char, ascii_only=True)
        assert not re.search(r"\\(?:[`'^\"~=.]|[uvHcdbkr]\{?)\{?\\[ij](?![A-Za-z])", encoded), (char, encoded)
        assert decode(encoded) == unicodedata.normalize("NFC", char) or encoded == char


def test_cyrillic_stays_utf8() -> None:
    # \CYRP and friends need the T2A encoding, and biber writes them into a .bbl that breaks even then.
    assert encode_text("Пётр Иванов", ascii_only=True) == "Пётр Иванов"


def test_biblatex_keeps_latin_letters_and_writes_math_only_characters_as_commands() -> None:
    title = "β-VAE and μP: ∞-former ≤ 2× faster, by Pérez, Łukasz, Dvořák, Nguyễn"
    encoded = encode_text(title, ascii_only=False)
    assert encoded == ("{\\ensuremath{\\beta}}-VAE and {\\ensuremath{\\mu}}P: {\\ensuremath{\\infty}}-former "
                       "{\\ensuremath{\\leq}} 2× faster, by Pérez, Łukasz, Dvořák, Nguy{\\~{{\\^e}}}n")
    assert decode(encoded) == title


@pytest.mark.parametrize("ascii_only", [True, False])
def test_straight_quotes_that_pair_are_written_as_opening_and_closing_quotes(ascii_only: bool) -> None:
    """TeX prints ``"`` as a closing quote, and a style that lower-cases titles kept the quote's case, not the I's."""
    title = "\"I'm Not Sure, But...\": Examining the Impact"
    written = protect_title(title, ascii_only=ascii_only)
    assert written == "{``}{I'm} Not Sure, But...{''}: Examining the Impact"
    assert decode(written) == title
    assert protect_title('Title: "Quoted" Part', ascii_only=ascii_only) == "Title: {``}{Quoted}{''} Part"
    # Inches, and a quote that never closes, stay as typed; so does a quote in math.
    for text in ('12" Displays', 'An "Open Quote', "$f^{\"}$ and more"):
        assert '"' in protect_title(text, ascii_only=ascii_only), text
        assert decode(protect_title(text, ascii_only=ascii_only)) == text
    # Quotes typed in a .bib file read as typed; only the braced pair is read as the straight quote.
    assert decode("``typed'' and {``}braced{''} and $x^{''}$") == "``typed'' and \"braced\" and $x^{''}$"


@pytest.mark.parametrize("ascii_only", [True, False])
def test_a_hyphenated_word_in_title_case_is_lowered_with_its_neighbours(ascii_only: bool) -> None:
    """``{Out-of-Context}`` stayed capitalised among the words a style lowers; acronyms and intercaps in a
    part of the word, and a part that is one capital, still keep their case."""
    title = ("Out-of-Context Reasoning in Model-Generated Fine-Tuning Data: Self-Play Value--at--Risk Über-Models "
             "vs GPT-4 LLMs BERT-based iPhone AlphaGo t-SNE Q-Learning k-Means")
    expected = ("Out-of-Context Reasoning in Model-Generated Fine-Tuning Data: Self-Play Value--at--Risk {Ü}ber-Models "
                "vs {GPT-4} {LLMs} {BERT-based} {iPhone} {AlphaGo} {t-SNE} {Q-Learning} k-Means")
    if ascii_only:
        expected = expected.replace("{Ü}ber", '{\\"U}ber')
    else:
        expected = expected.replace("{Ü}ber", "Über")
    assert protect_title(title, ascii_only=ascii_only) == expected
    for word in ("Out-of-Context", "Über-Models", "Value–at–Risk", "k-Means"):
        assert not capitals_matter(word), word
    for word in ("GPT-4", "BERT-based", "Q-Learning", "X–Ray", "iPhone-Like", "Über-MODELS"):
        assert capitals_matter(word), word


@pytest.mark.parametrize("ascii_only", [True, False])
def test_a_capital_that_starts_a_sentence_after_the_first_is_protected(ascii_only: bool) -> None:
    """Styles keep the case of a title's first letter and of the one after ``: ``, and lowered the rest:
    ``Can LLMs learn by teaching? a preliminary study``."""
    assert protect_title("Can LLMs Learn by Teaching? A Preliminary Study", ascii_only=ascii_only) == (
        "Can {LLMs} Learn by Teaching? {A} Preliminary Study"
    )
    assert protect_title("Why think step by step? Reasoning emerges", ascii_only=ascii_only) == (
        "Why think step by step? {Reasoning} emerges"
    )
    assert protect_title("It Works! Really. Humans vs. Machines, U.S. Army, Wait... What", ascii_only=ascii_only) == (
        "It Works! {Really}. {Humans} vs. Machines, {U.S}. Army, Wait... What"
    )
    assert protect_title("Why? lower case stays", ascii_only=ascii_only) == "Why? lower case stays"


@pytest.mark.parametrize(("title", "written"), [
    ("The 'Attention' Paper", "The {`}Attention' Paper"),
    ("Students' Work and Don't Stop", "Students' Work and Don't Stop"),
    ("Back to the '90s", "Back to the '90s"),
    ("It's 'LLaMA' Time", "It's {`}{LLaMA}' Time"),
    ('A "Double" and \'single\' Mix', "A {``}Double{''} and {`}single' Mix"),
])
def test_a_pair_of_single_quotes_opens_with_an_opening_quote(title: str, written: str) -> None:
    assert protect_title(title, ascii_only=True) == written
    assert decode(written) == title


def test_a_math_word_mark_left_without_its_pair_is_dropped_not_followed_forever() -> None:
    from readlist.core.tex import MATH_WORD_CLOSE, MATH_WORD_OPEN, mark_protected

    def braced(word: str) -> str:
        return "{" + word + "}"

    assert mark_protected(f"An {MATH_WORD_OPEN}O(n) unclosed LLaMA", braced) == "An O(n) unclosed {LLaMA}"
    assert mark_protected(f"An {MATH_WORD_OPEN}O(n){MATH_WORD_CLOSE}: Fast", braced) == "An {O(n)}: Fast"


@pytest.mark.parametrize(("text", "ungrouped"), [
    ("The {$\\epsilon$}-Greedy Policy", "The $\\epsilon$-Greedy Policy"),
    ("{S$^{2}$FT}: Efficient {LLM} Tuning", "S$^{2}$FT: Efficient {LLM} Tuning"),  # a group without math stays
    ("a {b $x$ c {d} $y$} e", "a b $x$ c {d} $y$ e"),
    ("{$x$}5", "{$x$}5"),  # without the brace the digit would end the math: left as it is
    ("{$x$} and } {", "{$x$} and } {"),  # braces that do not pair up: left as they are
    ("\\{$x$\\}", "\\{$x$\\}"),  # braces to print
    ("{$5 and $10}", "{$5 and $10}"),  # no math
])
def test_braces_that_only_group_math_with_words_are_taken_away(text: str, ungrouped: str) -> None:
    assert ungroup_math(text) == ungrouped
