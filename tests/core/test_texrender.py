"""TeX in abstracts rendered as Unicode text, on hand cases and on the real abstracts in the fixtures."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from readlist.core import texrender
from readlist.core.model import Paper
from readlist.core.texrender import render_tex, subscript, superscript
from readlist.importers import parse_input

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SEED_TODAY_ISO = (2025, 12, 20)
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.mark.parametrize(
    ("tex", "text"),
    [
        (r"$\Omega \subset \mathbb R^n$", "Ω ⊂ ℝⁿ"),
        (r"domains $\Omega \subset \mathbb R^n$, $n \geq 2$, for", "domains Ω ⊂ ℝⁿ, n ≥ 2, for"),
        (r"This includes {\em i)} the square-root", "This includes i) the square-root"),
        (r"reaches only 52.56\% pass@1", "reaches only 52.56% pass@1"),
        (r"a \textbf{x} b", "a x b"),
        (r"called \textbf{Traits Run Deep}. It", "called Traits Run Deep. It"),
        (r"$x_1^2 + x_{ij} + W^{-1} + A^\top$", "x₁² + xᵢⱼ + W⁻¹ + Aᵀ"),
        (r"$\mu \equiv \mu_1 > 0$", "μ ≡ μ₁ > 0"),
        (r"$\kappa > \frac{2n+4}{n+4}$", "κ > (2n+4)/(n+4)"),
        (r"$\frac12$ and $\frac{a}{b}$", "1/2 and a/b"),
        (r"$u^\kappa$ and $p_\theta$", "u^κ and p_θ"),  # no Unicode superscript kappa, subscript theta
        (r"$x^{1/2}$", "x^(1/2)"),
        (r"$f^{\prime}$", "f′"),
        (r"S$^{2}$FT", "S²FT"),
        (r"Fine-Tuning (S^{2}FT) methods", "Fine-Tuning (S²FT) methods"),
        (r"denoted as ZS^2, and pass^4.", "denoted as ZS², and pass⁴."),
        (r"x^10 grows \% fast", "x^10 grows % fast"),  # plain-text x^10 is not x¹0
        (r"Dark Z\"urich", "Dark Zürich"),
        (r"over \$16.9B of volume", "over $16.9B of volume"),
        (r"$\mathcal{O}(n \log n)$ time", "𝒪(n log n) time"),
        # Operators are spaced from what they follow, as TeX sets them, and none is dropped.
        (r"$O(n\log n)$ and $2\sin\theta$", "O(n log n) and 2 sin θ"),
        (r"$e^{x}\log{y}$, $(\log n)$, $\frac{\log n}{2}$", "eˣ log y, (log n), (log n)/2"),
        (r"$\det A + \arg\max_x f$", "det A + arg maxₓ f"),
        (r"$\kappa>\min\{1,2\}$ and $\alpha\log x$", "κ>min{1,2} and α log x"),
        (r"$W\operatorname{softmax}(x)$ and $\operatorname*{arg\,min}_x$", "W softmax(x) and arg minₓ"),
        (r"\href{https://example.org}{the code}", "the code <https://example.org>"),
        (r"\texttt{code_x} and \LaTeX", "code_x and LaTeX"),
        (r"``cluster assumption'' with $x$", "“cluster assumption” with x"),
        # What only looks like TeX stays text.
        (r"costs $5 and $10, a $\alpha$ term", "costs $5 and $10, a α term"),
        (r"10% of Q&A pairs, ~2x faster, \textbf{yes}", "10% of Q&A pairs, ~2x faster, yes"),
        (r"see https://github.com/a/Generalist_or_Specialist and f_theta, \emph{ok}",
         "see https://github.com/a/Generalist_or_Specialist and f_theta, ok"),
        (r"$textbf{specialist}$ models", "specialist models"),  # a copy that lost the backslash
        (r"a -- b \% c", "a -- b % c"),
        (r"system \begin{align*} u_t &= \Delta u, & x \in \Omega \\ v &= 1 \end{align*} in",
         "system\nuₜ = Δ u, x ∈ Ω\nv = 1\nin"),
    ],
)
def test_hand_cases(tex: str, text: str) -> None:
    assert render_tex(tex) == text


def test_text_without_tex_is_returned_as_it_is() -> None:
    for text in ("A plain abstract -- with ``quotes'', 10% & ~2x.", "two  spaces\n\n\n\nand lines", ""):
        assert render_tex(text) is text


def test_scripts_map_only_what_unicode_has() -> None:
    assert superscript("2n") == "²ⁿ" and subscript("ij") == "ᵢⱼ"
    assert superscript("q") is None and subscript("y") is None and superscript("") is None


def test_a_converter_failure_gives_the_input_back(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> None:
        raise IndexError("pylatexenc failed")

    monkeypatch.setattr(texrender, "_parts", broken)
    text = r"reaches 52.56\% on a new input"
    assert render_tex.__wrapped__(text) is text
    # Still never a control character: it shows as one mark, as on every screen.
    assert render_tex.__wrapped__("\x1b[31m" + text) == "\ufffd" + text


@given(st.lists(st.sampled_from([*"ab 2\\${}^_%&~#'`-\n\t\x1b\x07\u202e", "\\frac", "\\em", "\\begin{x}", "\\end{x}",
                                 "\\href", "\\alpha", "\\mathbb", "\\\\", "$$"]), max_size=30).map("".join))
def test_never_raises_and_never_emits_control_characters(text: str) -> None:
    out = render_tex.__wrapped__(text)
    assert isinstance(out, str) and not CONTROL.search(out)


@given(st.text(alphabet=st.characters(exclude_characters="\\${^", exclude_categories=["Cc"]), max_size=60))
def test_anything_without_tex_characters_is_untouched(text: str) -> None:
    if not CONTROL.search(text):  # bidi overrides are not in category Cc
        assert render_tex.__wrapped__(text) is text


# -- the real abstracts ------------------------------------------------------------------------------------


def _fixture_papers() -> list[Paper]:
    from datetime import date

    papers: list[Paper] = []
    for path in sorted((FIXTURES / "seeds").glob("*.txt")) + sorted((FIXTURES / "pages").glob("*.html")):
        papers.extend(parse_input(path.read_bytes(), source=path.name, today=date(*SEED_TODAY_ISO)).papers)
    return papers


@pytest.fixture(scope="module")
def abstracts() -> dict[str, str]:
    return {p.id: p.abstract for p in _fixture_papers()}


def test_fixture_abstracts_with_math(abstracts: dict[str, str]) -> None:
    chemotaxis = render_tex(abstracts["2004.02153"])
    assert "domains Ω ⊂ ℝⁿ, n ≥ 2, for certain choices of λ, μ and κ." in chemotaxis
    assert "μ(x) = |x|ᵅ with α < 2" in chemotaxis
    assert "κ > min{(2n-2)/n, (2n+4)/(n+4)}" in chemotaxis
    assert "uₜ = Δ u - ∇· (u ∇ v) + λ(x) u - μ(x) u^κ," in chemotaxis
    assert "\\" not in chemotaxis and "$" not in chemotaxis

    market = render_tex(abstracts["2303.08867"])
    assert "This includes i) the square-root" in market and "ii) it's" in market and "{\\em" not in market
    assert "over $16.9B of total" in render_tex(abstracts["2303.09393"])
    assert "0.1% of NFT traders" in render_tex(abstracts["2303.09393"])

    agents = render_tex(abstracts["2509.24002"])
    assert "only 52.56% pass@1 and 33.86% pass⁴," in agents


def test_fixture_abstracts_from_text_copies(abstracts: dict[str, str]) -> None:
    rendered = {pid: render_tex(text) for pid, text in abstracts.items()}
    joined = "\n".join(rendered.values())
    assert "S²FT" in joined and "S^{2}FT" not in joined
    assert "Dark Zürich" in joined
    assert "called Traits Run Deep. It employs psychology-informed prompts" in joined
    assert "\\textbf" not in joined and "\\%" not in joined and "{\\em" not in joined
    # Identifiers and URLs with underscores in abstracts that also carry TeX are kept.
    assert "https://github.com/DavidFanzz/Generalist_or_Specialist." in joined


def _in_order(part: str, whole: str) -> bool:
    letters = iter(whole)
    return all(ch in letters for ch in part)


def test_every_fixture_abstract_renders_cleanly(abstracts: dict[str, str]) -> None:
    changed = 0
    for text in abstracts.values():
        out = render_tex(text)
        assert not CONTROL.search(out)
        if not re.search(r"[\\${^]", text):
            assert out == text  # untouched (the same string, maybe from the cache)
        elif out != text:
            changed += 1
            # Rendering removes markup and maps symbols; it never invents or reorders words.
            assert _in_order(re.sub(r"[^A-Za-z]", "", out), re.sub(r"[^A-Za-z]", "", text))
    assert changed >= 20


def test_titles_and_abstracts_show_a_mark_where_a_control_was_as_every_other_field_does() -> None:
    assert render_tex.__wrapped__("EVIL\x1b[31mRED") == "EVIL\ufffdRED"
    assert render_tex.__wrapped__("a\u202eb $x^2$ c\x07") == "a\ufffdb x² c\ufffd"
    assert render_tex.__wrapped__("one\r\ntwo") == "one\ntwo"  # a line break, not a mark


@pytest.mark.parametrize(("tex", "text"), [
    ("we propose \\ours, a method", "we propose \\ours, a method"),
    ("Matching paths like C:\\Users\\me", "Matching paths like C:\\Users\\me"),
    ("\\mymacro{wrapped words} stay", "wrapped words stay"),
    ("This includes {\\em i)} and {\\bf ii)}", "This includes i) and ii)"),
    ("$\\left( x \\right) \\big| \\displaystyle y$", "( x ) | y"),
])
def test_a_command_it_does_not_know_keeps_its_words(tex: str, text: str) -> None:
    """An unknown command used to vanish with its name: "we propose , a method", "C:: A Study". Layout commands
    in math and declarations of how text looks still go."""
    assert render_tex(tex) == text
