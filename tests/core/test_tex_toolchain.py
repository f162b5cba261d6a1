"""The exports built by the real tools: pdflatex + bibtex (plain, ieeetr, alpha) and pdflatex + biber.

Every paper from the seed pages and the fixture pages, plus papers with the
awkward cases (TeX math, accents, TeX specials, an injection attempt), is
exported and typeset. The tests fail on any TeX, bibtex or biber error or
warning, when a paper with a known date or arXiv id is printed without its
year, and when a title's math is printed as source instead of as math. Each
skips, saying why, where the tools are not installed (``.ci/run`` installs them
when it runs as root).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from datetime import date
from functools import cache
from pathlib import Path

import pytest

from readlist.core.cite import format_entries
from readlist.core.citekeys import assign_keys
from readlist.core.model import Paper
from readlist.core.names import person
from readlist.core.tex import segments
from readlist.importers import parse_input
from tests.core.test_tex import bibtex_balanced

FIXTURES = Path(__file__).parent.parent / "fixtures"
SOURCES = [
    *sorted((FIXTURES / "seeds").glob("*.txt")),
    *sorted((FIXTURES / "pages").glob("*.html")),
    *sorted((FIXTURES / "pages").glob("*.xml")),  # a real arXiv API answer: $ω$ in a title, accented names
    *sorted((FIXTURES / "api").glob("*.json")),
]
TODAY = date(2025, 12, 20)
PREAMBLE = "\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n"
TIMEOUT = 300


@cache
def papers() -> tuple[Paper, ...]:
    found: dict[str, Paper] = {}
    for source in SOURCES:
        for paper in parse_input(source.read_bytes(), source=source.name, today=TODAY).papers:
            found.setdefault(paper.id, paper)
    extra = [
        Paper.create(
            title="$\\beta$-divergence and {Sparse} Über-Models: 100% & #1 ~ ^ \\cmd_x -- E(3)",
            authors=["José Pérez-García Jr.", "Zoë Ødegård", "María Łukasiewicz", "Ludwig van Beethoven"],
            arxiv_id="2401.00001",
            published="2024-01",
            abstract="Uses $x_{i}^{2}$ and 50% of {braces}.\n\nA second paragraph.",
        ),
        Paper.create(title="Costs $5 and $10: $\\input{/etc/hostname}$ and $\\frac{a}{b}$", organization="R&D Lab",
                     published="2025"),
        Paper.create(title="Quantum Gravity Revisited", authors=["Ada Lovelace"], arxiv_id="hep-th/9901001"),
        Paper.create(title="A Paper With Seven Authors", authors_count=7),
    ]
    for paper in extra:
        found.setdefault(paper.id, paper)
    return tuple(found.values())


def _kpsewhich(name: str) -> bool:
    if shutil.which("kpsewhich") is None:
        return False
    result = subprocess.run(["kpsewhich", name], capture_output=True, text=True, check=False)
    return bool(result.stdout.strip())


def _need(*tools: str, files: tuple[str, ...] = ()) -> None:
    missing = [t for t in tools if shutil.which(t) is None] + [f for f in files if not _kpsewhich(f)]
    if missing:
        pytest.skip(f"TeX tools not installed ({', '.join(missing)}); on Debian/Ubuntu: apt-get install "
                    "texlive-latex-base texlive-latex-recommended texlive-bibtex-extra biber poppler-utils")


def _run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    # Fonts TeX generates on the fly go to the test's directory, never to the user's home.
    env = {**os.environ, "TEXMFVAR": str(cwd / "texmf-var"), "openin_any": "p", "openout_any": "p"}
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, errors="replace", env=env,
                          timeout=TIMEOUT, check=False)


def _pdflatex(cwd: Path) -> None:
    result = _run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", "doc.tex"], cwd)
    errors = [line for line in (cwd / "doc.log").read_text(errors="replace").splitlines() if line.startswith("!")]
    assert result.returncode == 0 and not errors, errors or result.stdout[-3000:]


def _bbl_items(bbl: str, start: str) -> dict[str, str]:
    """The text of each entry in a .bbl, by citation key (after the label alpha-like styles give, ``[Vas17]``)."""
    pattern = re.compile(re.escape(start) + r"(?:\[[^\]\n]*\])?\{([^}]*)\}")
    matches = list(pattern.finditer(bbl))
    return {m.group(1): bbl[m.end(): matches[i + 1].start() if i + 1 < len(matches) else len(bbl)]
            for i, m in enumerate(matches)}


def _math_titles() -> list[tuple[Paper, list[str]]]:
    return [(p, [s.text for s in segments(p.title) if s.math]) for p in papers()
            if any(s.math for s in segments(p.title))]


def _check_pdf_text(cwd: Path) -> None:
    """Math in titles is typeset: S$^{2}$FT prints as S²FT, never as its source."""
    if shutil.which("pdftotext") is None:
        return  # the .bbl checks above still ran; the PDF text needs poppler-utils
    result = _run(["pdftotext", "-enc", "UTF-8", "doc.pdf", "-"], cwd)
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert re.search(r"S ?2 ?FT", text)  # the superscript 2 sits in its own text run
    assert "Only-IF:Revealing" in text
    assert "β-divergence" in text
    assert "\\input{/etc/hostname}" in text  # not run, printed
    for _paper, maths in _math_titles():
        for math in maths:
            assert math not in text, math


def _bibtex_build(cwd: Path, bib: str, preamble: str, style: str, body: str = "\\nocite{*}") -> None:
    """refs.bib through pdflatex, bibtex (no warning, no error) and pdflatex again; ``body`` cites."""
    (cwd / "refs.bib").write_text(bib)
    (cwd / "doc.tex").write_text(
        preamble + f"\\begin{{document}}\n{body}\n\\bibliographystyle{{{style}}}\n"
        "\\bibliography{refs}\n\\end{document}\n"
    )
    _pdflatex(cwd)
    result = _run(["bibtex", "doc"], cwd)
    log = (cwd / "doc.blg").read_text(errors="replace")
    assert result.returncode == 0, log
    assert "Warning--" not in log and "error message" not in log, log
    _pdflatex(cwd)


def _biber_build(cwd: Path, bib: str, preamble: str, body: str = "\\nocite{*}") -> None:
    """refs.bib through pdflatex, biber (no warning, no error) and pdflatex again; ``body`` cites."""
    (cwd / "refs.bib").write_text(bib)
    (cwd / "doc.tex").write_text(
        preamble + "\\usepackage[backend=biber]{biblatex}\n\\addbibresource{refs.bib}\n"
        f"\\begin{{document}}\n{body}\n\\printbibliography\n\\end{{document}}\n"
    )
    _pdflatex(cwd)
    result = _run(["biber", "doc"], cwd)
    log = (cwd / "doc.blg").read_text(errors="replace")
    assert result.returncode == 0, log
    assert [line for line in log.splitlines() if "WARN -" in line or "ERROR -" in line] == []
    _pdflatex(cwd)


@pytest.mark.parametrize("style", ["plain", "ieeetr", "alpha"])
def test_pdflatex_and_bibtex_build_the_bibtex_export(tmp_path: Path, style: str) -> None:
    _need("pdflatex", "bibtex", files=(f"{style}.bst", "amssymb.sty"))
    keys = assign_keys(papers())
    _bibtex_build(tmp_path, format_entries(papers(), "bibtex", keys=keys, user_data=True, complete=True), PREAMBLE,
                  style)
    items = _bbl_items((tmp_path / "doc.bbl").read_text(errors="replace"), "\\bibitem")
    assert len(items) == len(papers())
    for paper in papers():
        item = " ".join(items[keys[paper.id]].split())
        if paper.year:  # from the record or from the arXiv id
            assert str(paper.year) in item, (paper.id, item)
    for paper, maths in _math_titles():
        item = items[keys[paper.id]]
        assert all(math in item for math in maths), (paper.title, item)
    _check_pdf_text(tmp_path)


def test_pdflatex_and_biber_build_the_biblatex_export(tmp_path: Path) -> None:
    _need("pdflatex", "biber", files=("biblatex.sty", "amssymb.sty"))
    keys = assign_keys(papers())
    _biber_build(tmp_path, format_entries(papers(), "biblatex", keys=keys, user_data=True, complete=True), PREAMBLE)
    items = _bbl_items((tmp_path / "doc.bbl").read_text(errors="replace"), "\\entry")
    assert len(items) == len(papers())
    for paper in papers():
        if paper.year:
            assert f"\\field{{year}}{{{paper.year}}}" in items[keys[paper.id]], paper.id
    for paper, maths in _math_titles():
        assert all(math in items[keys[paper.id]] for math in maths), paper.title
    # A family name that begins with a capitalised particle is filed under it, as its owner writes it.
    (flaky,) = [p for p in papers() if "Dario Di Nucci" in p.authors]
    assert "family={Di\\bibnamedelima Nucci}" in items[keys[flaky.id]]
    assert "given={Dario}" in items[keys[flaky.id]]
    _check_pdf_text(tmp_path)


# What a user's document has: T1 fonts, no math packages.
T1_PREAMBLE = "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n"


def _reported() -> list[Paper]:
    """The real entry with ``$ω$Test`` in its title, and a title with ``C#``."""
    atom = FIXTURES / "pages" / "arxiv-api-query-testing.xml"
    omega = next(p for p in parse_input(atom.read_bytes(), source=atom.name).papers if p.id == "2306.03845")
    assert omega.title.startswith("$ω$Test")
    csharp = Paper.create(title="Types in C# and snake_case Code", authors=["Ada Lovelace"], published="2024")
    return [omega, csharp]


def _pdf_text(cwd: Path, *, raw: bool = False) -> str | None:
    """The PDF's text, its spaces and lines made single spaces; ``raw`` in the order it was typeset (a hanging
    label does not split a line apart)."""
    if shutil.which("pdftotext") is None:
        return None
    result = _run(["pdftotext", *(["-raw"] if raw else []), "-enc", "UTF-8", "doc.pdf", "-"], cwd)
    assert result.returncode == 0, result.stderr
    return " ".join(result.stdout.split())


def test_greek_in_math_and_a_one_letter_name_build_with_bibtex(tmp_path: Path) -> None:
    _need("pdflatex", "bibtex", files=("plain.bst", "t1enc.def"))
    papers = _reported()
    keys = assign_keys(papers)
    _bibtex_build(tmp_path, format_entries(papers, "bibtex", keys=keys, complete=True), T1_PREAMBLE, "plain")
    items = _bbl_items((tmp_path / "doc.bbl").read_text(errors="replace"), "\\bibitem")
    assert "{$\\ensuremath{\\omega}$Test}" in items[keys["2306.03845"]]
    assert "Types in {C{\\#}} and" in " ".join(items[keys[papers[1].id]].split())  # the style lowered the rest
    text = _pdf_text(tmp_path)
    if text is not None:
        assert re.search("ω ?Test: WebView-?Oriented testing for android applications", text), text
        assert "Types in C# and snake_case code" in text, text


def test_greek_in_math_builds_with_biber(tmp_path: Path) -> None:
    _need("pdflatex", "biber", files=("biblatex.sty", "t1enc.def"))
    _biber_build(tmp_path, format_entries(_reported(), "biblatex", complete=True), T1_PREAMBLE)
    text = _pdf_text(tmp_path)
    if text is not None:
        assert re.search("ω ?Test: WebView-?Oriented Testing for Android Applications", text), text
        assert "Types in C# and snake_case Code" in text, text


def _letters_and_symbols() -> list[Paper]:
    """Vietnamese names, accents on i, a DOI with ``_``, Greek letters and math symbols in a title."""
    return [
        Paper.create(title="Vietnamese Names in Author Lists", authors=["Nguyễn Văn An", "Trần Thu Hà"],
                     published="2024"),
        Paper.create(title="Accents on i", authors=["José Ramírez", "Jean-Marc Azaïs", "Ana Ǐ"], published="2024",
                     arxiv_id="2405.13786"),
        Paper.create(title="Gravitational Waves", authors=["Ada Lovelace"], arxiv_id="gr-qc/0103067",
                     doi="10.1007/3-540-40988-2_10"),
        Paper.create(title="β-VAE and μP: ∞-former scaling ≤ 2× faster", authors=["Ada Lovelace"],
                     published="2023"),
    ]


DOI = "10.1007/3-540-40988-2_10"


@pytest.mark.parametrize("style", ["plain", "unsrt", "plainnat"])
@pytest.mark.parametrize("preamble", [T1_PREAMBLE, PREAMBLE.replace("amsmath,amssymb", "url")])
def test_letters_dois_and_symbols_build_with_bibtex(tmp_path: Path, style: str, preamble: str) -> None:
    _need("pdflatex", "bibtex", files=(f"{style}.bst", "t1enc.def", "url.sty", "natbib.sty"))
    preamble += "\\usepackage{natbib}\n" if style == "plainnat" else ""
    # A dot below: bibtex keeps the accent command; biber turns it into the letter, which pdflatex lacks.
    dot_below = Paper.create(title="Dots Below", authors=["Lê Thị Ngọc"], published="2024")
    bib = format_entries([*_letters_and_symbols(), dot_below], "bibtex", complete=True)
    assert f"doi = {{{DOI}}}" in bib
    _bibtex_build(tmp_path, bib, preamble, style)
    text = _pdf_text(tmp_path)
    if text is not None and "T1" in preamble:  # OT1 fonts put the accent on a dotless i: the text reads "ı́"
        assert "Ramírez" in text and "Azaïs" in text, text


@pytest.mark.parametrize("fmt", ["bibtex", "biblatex"])
def test_letters_dois_and_symbols_build_with_biber(tmp_path: Path, fmt: str) -> None:
    _need("pdflatex", "biber", files=("biblatex.sty", "t1enc.def"))
    _biber_build(tmp_path, format_entries(_letters_and_symbols(), fmt, complete=True), T1_PREAMBLE)
    bbl = (tmp_path / "doc.bbl").read_text(errors="replace")
    assert f"\\verb{{doi}}\n      \\verb {DOI}\n" in bbl  # verbatim: printed and linked as it is
    assert "ı" not in bbl and "\u0301" not in bbl  # no dotless i with a loose accent
    text = _pdf_text(tmp_path)
    if text is not None:
        assert "Ramírez" in text and "Azaïs" in text, text
        assert "2_10." in text, text  # the underscore printed as itself, not as \\_
        # Math fonts: pdftotext reads μ as the micro sign and puts a space after β.
        assert re.search("β ?-VAE and [μµ]P: ∞-former scaling ≤ 2", text), text


def _text_mode_tex() -> list[Paper]:
    title = "On the Schr\\\"odinger Equation: Caf\\'e, Q\\&A and \\emph{not} $\\ell_1$"
    return [Paper.create(title=title, authors=["Ada Lovelace"], arxiv_id="2401.00001")]


@pytest.mark.parametrize("fmt", ["bibtex", "biblatex"])
def test_tex_outside_math_prints_as_the_letters_it_makes(tmp_path: Path, fmt: str) -> None:
    """arXiv titles hold TeX outside math (``Schr\\"odinger``); LaTeX printed it as typed, backslash and all."""
    bib = format_entries(_text_mode_tex(), fmt, complete=True)
    if fmt == "bibtex":
        _need("pdflatex", "bibtex", "pdftotext", files=("plain.bst", "t1enc.def"))
        _bibtex_build(tmp_path, bib, T1_PREAMBLE, "plain")
    else:
        _need("pdflatex", "biber", "pdftotext", files=("biblatex.sty", "t1enc.def"))
        _biber_build(tmp_path, bib, T1_PREAMBLE)
    text = _pdf_text(tmp_path)
    assert text is not None and "schrödinger equation: café, q&a and not" in text.lower(), text  # plain lowers case
    assert "\\" not in text and "textbackslash" not in text, text


SICI = "10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-0"


def test_a_doi_with_angle_brackets_prints_as_typed_with_biber(tmp_path: Path) -> None:
    """biblatex printed an old (SICI) DOI with ``%3C`` and ``%3E``: a link that resolved, but not the DOI."""
    _need("pdflatex", "biber", "pdftotext", files=("biblatex.sty", "t1enc.def"))
    paper = Paper.create(title="An Old Journal Article", authors=["Ada Lovelace"], published="1998-06", doi=SICI)
    bib = format_entries([paper], "biblatex", keys={paper.id: "sici"})
    assert f"doi = {{{SICI}}}" in bib
    _biber_build(tmp_path, bib, T1_PREAMBLE)
    text = _pdf_text(tmp_path)
    assert text is not None and "49:8<693::AID-ASI4>3.0.CO;2-0" in text.replace(" ", ""), text
    assert "%3C693" in format_entries([paper], "bibtex")  # BibTeX styles print it as text: no < in OT1 fonts


def test_cyrillic_reaches_pdflatex_as_letters_it_names(tmp_path: Path) -> None:
    """Without a Cyrillic font encoding pdflatex cannot print it; the error must name the letter, not the .bbl."""
    _need("pdflatex", "biber", files=("biblatex.sty",))
    paper = Paper.create(title="Title", authors=["Пётр Иванов"], published="2020")
    bib = format_entries([paper], "bibtex", complete=True)
    assert "Пётр Иванов" in bib and "\\CYR" not in bib
    (tmp_path / "refs.bib").write_text(bib)
    (tmp_path / "doc.tex").write_text(
        "\\documentclass{article}\n\\usepackage[backend=biber]{biblatex}\n\\addbibresource{refs.bib}\n"
        "\\begin{document}\n\\nocite{*}\n\\printbibliography\n\\end{document}\n"
    )
    _run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"], tmp_path)
    assert _run(["biber", "doc"], tmp_path).returncode == 0
    _run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"], tmp_path)
    errors = [line for line in (tmp_path / "doc.log").read_text(errors="replace").splitlines()
              if line.startswith("!") and "Fatal" not in line]
    assert errors == ["! LaTeX Error: Unicode character П (U+041F)"], errors


def test_a_paper_without_authors_is_cited_by_its_short_title_in_author_year_styles(tmp_path: Path) -> None:
    """natbib prints the ``key`` where the authors would go (and, by its own rule, then no year): ``AgentRefine``,
    not the whole title, which the entry then repeated."""
    _need("pdflatex", "bibtex", files=("plainnat.bst", "natbib.sty"))
    papers = [
        Paper.create(title="AgentRefine: Enhancing Agent Generalization through Refinement Tuning", published="2025",
                     arxiv_id="2501.01702"),
        Paper.create(title="Calibrated Language Models Must Hallucinate", published="2024"),
    ]
    keys = {p.id: k for p, k in zip(papers, ("agentrefine", "calibrated"), strict=True)}
    bib = format_entries(papers, "bibtex", keys=keys, complete=True)
    assert "key = {AgentRefine}" in bib and "key = {Calibrated Language Models}" in bib
    _bibtex_build(tmp_path, bib, PREAMBLE + "\\usepackage{natbib}\n", "plainnat",
                  body="\\citet{agentrefine} and \\citet{calibrated}.")
    bbl = (tmp_path / "doc.bbl").read_text()
    assert "\\bibitem[AgentRefine()]{agentrefine}\nAgentRefine.\n" in bbl
    assert "\\bibitem[Calibrated Language Models()]{calibrated}" in " ".join(bbl.split())


def _title_only() -> list[Paper]:
    """Papers without authors (one whose title opens with a quote), and one with an author."""
    return [
        Paper.create(title="AgentRefine: Enhancing Agent Generalization through Refinement Tuning", published="2025",
                     arxiv_id="2501.01702"),
        Paper.create(title="\"I'm Not Sure, But...\": Examining the Impact of Large Language Models' Uncertainty "
                           "Expression on User Reliance and Trust", published="2024-05", arxiv_id="2405.00623"),
        Paper.create(title="Attention Is All You Need", authors=["Ashish Vaswani"], published="2017"),
    ]


TITLE_ONLY_KEYS = ("agentrefine", "notsure", "vaswani")
NOT_SURE_TITLE = "“I’m Not Sure, But...”: Examining the Impact of Large Language"
# Without T1: pdftotext reads the quotes of the bitmap T1 fonts a plain TeX Live has as control characters.
OT1_PREAMBLE = "\\documentclass{article}\n"
TITLE_ONLY_CITES = "\\cite{agentrefine}; \\cite{notsure}; \\cite{vaswani}."
# What docs/citations.md gives users of biblatex's alphabetic style: the title's first letters where there is
# no name, after the fields the default template reads.
ALPHABETIC_TITLE_LABELS = (
    "\\DeclareLabelalphaTemplate{\\labelelement{\\field[final]{shorthand}\\field{label}"
    "\\field[strwidth=3,strside=left,ifnames=1]{labelname}\\field[strwidth=1,strside=left]{labelname}"
    "\\field[strwidth=3,strside=left]{labeltitle}}\\labelelement{\\field[strwidth=2,strside=right]{year}}}\n"
)


@pytest.mark.parametrize("style", ["authoryear", "numeric", "alphabetic"])
def test_a_paper_without_authors_is_cited_by_its_title_in_every_biblatex_style(tmp_path: Path, style: str) -> None:
    """A ``label`` field made author-year styles cite and list "ImN 2024" where the title belongs."""
    _need("pdflatex", "biber", "pdftotext", files=("biblatex.sty",))
    papers = _title_only()
    keys = dict(zip((p.id for p in papers), TITLE_ONLY_KEYS, strict=True))
    bib = format_entries(papers, "biblatex", keys=keys, complete=True)
    assert "label = " not in bib
    preamble = OT1_PREAMBLE + f"\\PassOptionsToPackage{{style={style}}}{{biblatex}}\n"
    _biber_build(tmp_path, bib, preamble, body=TITLE_ONLY_CITES)
    text = _pdf_text(tmp_path)
    assert text is not None
    assert "ImN" not in text and "Age " not in text, text
    cited, listed = text.split("References", 1)
    if style == "authoryear":
        assert "Enhancing Agent Generalization through" in cited and "Vaswani 2017" in cited, text
        assert NOT_SURE_TITLE in cited, text
        assert NOT_SURE_TITLE in listed, text
        assert "Enhancing Agent Generalization through" in listed, text
    elif style == "numeric":
        assert re.fullmatch(r"\[[123]\]; \[[123]\]; \[[123]\]\. ", cited), text
        assert NOT_SURE_TITLE in listed, text
    else:
        assert "[Vas17]" in cited, text
        assert NOT_SURE_TITLE in listed, text


def test_a_paper_without_authors_is_labelled_from_its_title_in_alphabetic_with_the_documented_template(
        tmp_path: Path) -> None:
    _need("pdflatex", "biber", "pdftotext", files=("biblatex.sty",))
    papers = _title_only()
    keys = dict(zip((p.id for p in papers), TITLE_ONLY_KEYS, strict=True))
    preamble = OT1_PREAMBLE + "\\PassOptionsToPackage{style=alphabetic}{biblatex}\n"
    (tmp_path / "refs.bib").write_text(format_entries(papers, "biblatex", keys=keys, complete=True))
    (tmp_path / "doc.tex").write_text(
        preamble + "\\usepackage[backend=biber]{biblatex}\n" + ALPHABETIC_TITLE_LABELS
        + "\\addbibresource{refs.bib}\n\\begin{document}\n" + TITLE_ONLY_CITES
        + "\n\\printbibliography\n\\end{document}\n"
    )
    _pdflatex(tmp_path)
    assert _run(["biber", "doc"], tmp_path).returncode == 0
    _pdflatex(tmp_path)
    text = _pdf_text(tmp_path)
    assert text is not None
    assert "[Age25]; [Im 24]; [Vas17]." in text.split("References", 1)[0], text


def test_a_bib_files_and_others_is_printed_as_et_al(tmp_path: Path) -> None:
    """Names a ``.bib`` file ended with ``and others`` stay "et al." in the PDF: the list is not made complete."""
    _need("pdflatex", "bibtex", files=("plain.bst",))
    bib = "@misc{v, title={Attention}, year={2017}, author={Vaswani, Ashish and Shazeer, Noam and others}}"
    papers = parse_input(bib.encode(), source="scholar.bib", today=TODAY).papers
    _bibtex_build(tmp_path, format_entries(papers, "bibtex", keys={papers[0].id: "v"}), PREAMBLE, "plain")
    assert "Ashish Vaswani, Noam Shazeer, et~al." in " ".join((tmp_path / "doc.bbl").read_text().split())


@pytest.mark.parametrize("style", ["alpha", "plain"])
def test_an_organization_with_an_accent_or_ampersand_is_one_author_and_labels_cleanly(tmp_path: Path,
                                                                                     style: str) -> None:
    """alpha labels by the first three letters of the name: the cut fell inside ``{\\&}`` of ``AT&T`` or
    ``{\\v{c}}`` of ``Mič``, leaving ``{AT{\\}}``, which stops pdflatex."""
    _need("pdflatex", "bibtex", files=(f"{style}.bst",))
    orgs = ["AT&T Labs & Friends", "Mič Lab", "Caé Research"]
    papers = [Paper.create(title=f"Report {n}", organization=org, published="2024", arxiv_id=f"2401.0000{n}")
              for n, org in enumerate(orgs, 1)]
    papers.append(Paper.create(title="Report 4", authors=["Ada Lovelace", "Mič & Co, Inc, Ltd"], published="2024",
                               arxiv_id="2401.00004"))
    keys = {p.id: f"r{n}" for n, p in enumerate(papers, 1)}
    bib = format_entries(papers, "bibtex", keys=keys)
    _bibtex_build(tmp_path, bib, PREAMBLE, style)
    if shutil.which("pdftotext"):
        text = " ".join(_run(["pdftotext", "-enc", "UTF-8", "doc.pdf", "-"], tmp_path).stdout.split())
        assert "AT&T Labs & Friends. Report 1." in text and "Ada Lovelace and Mi" in text, text
    bbl = (tmp_path / "doc.bbl").read_text()
    if style == "alpha":
        assert "\\bibitem[{AT}{\\&}24]{r1}" in bbl and "\\bibitem[{Mi}{\\v{c}}24]{r2}" in bbl
    back = parse_input(bib.encode(), source="refs.bib", today=TODAY).papers
    assert [(p.authors, p.organization) for p in back] == [(p.authors, p.organization) for p in papers]


def test_a_name_in_a_title_written_in_sentence_case_keeps_its_capital(tmp_path: Path) -> None:
    """plain lower-cases a title but its braced words: "orthosymmetric Gaussian" printed "gaussian"."""
    _need("pdflatex", "bibtex", files=("plain.bst",))
    papers = [
        Paper.create(title="Testing and estimation in orthosymmetric Gaussian sequence model", arxiv_id="2507.16734",
                     authors=["Zeyu Jia"], published="2025-07"),
        Paper.create(title="On the $\\beta$-divergence of Bayesian mixtures in high dimensional spaces",
                     arxiv_id="2507.00002", authors=["Ada Lovelace"], published="2025-07"),
        Paper.create(title="A Tutorial on Bayesian Optimization", arxiv_id="1807.02811", authors=["Peter I. Frazier"],
                     published="2018-07"),
    ]
    keys = {p.id: f"t{n}" for n, p in enumerate(papers, 1)}
    _bibtex_build(tmp_path, format_entries(papers, "bibtex", keys=keys), PREAMBLE, "plain")
    items = {k: " ".join(v.split()) for k, v in _bbl_items((tmp_path / "doc.bbl").read_text(), "\\bibitem").items()}
    assert "Testing and estimation in orthosymmetric {Gaussian} sequence model" in items["t1"]
    assert "{$\\beta$-divergence} of {Bayesian} mixtures in high dimensional spaces" in items["t2"]
    # Title case: a capitalised word may be a name or not; the style decides, as for any such title.
    assert "A tutorial on bayesian optimization" in items["t3"]


def _braces_in_names() -> list[Paper]:
    """Names holding a brace, a backslash, a tilde or a circumflex, some at the start of a name or name part (a
    hand-made readlist JSON library can hold any of them)."""
    return [
        Paper.create(title="Opening Brace", authors=["{Curly Brace", "Ada {Lovelace", "Bob} Smith"], published="2024"),
        Paper.create(title="Closing Brace", authors=["}Closing Person", "Dan }{ Both", "\\Backslash Person"],
                     published="2024"),
        Paper.create(title="Tilde and Circumflex", authors=["Ann ~Bo Smith", "^Hat Person"], published="2024"),
        Paper.create(title="Specials", authors=["$Dollar Person", "Ann &Amp Smith", "#Hash Person", "_Low Person",
                                                "%Per Cent"], published="2024"),
        Paper.create(title="Braced Organization", organization="{Braced} Lab}", published="2024"),
        Paper.create(title="{every} other word }", authors=["Ada Lovelace"], published="2024", tags=["{tag", "t}"],
                     note="}note {", abstract="{abstract"),
        Paper.create(title="Organization Beside", authors=["Eve Adams"], organization="}Org{ Group", published="2024"),
    ]


BRACE_NAMES_PRINTED = ("{Curly Brace", "Ada {Lovelace", "Bob} Smith", "}Closing Person", "Dan }{ Both",
                       "\\Backslash Person", "{Braced} Lab}", "Ann &Amp Smith", "$Dollar Person", "%Per Cent",
                       "{every} other word }")


@pytest.mark.parametrize("fmt", ["bibtex", "biblatex"])
def test_braces_in_names_build_with_biber(tmp_path: Path, fmt: str) -> None:
    """biber made a name part's initial from its text with the commands taken out: ``{\\textbraceleft}Curly``
    gave the initial ``}``, written into the ``.bbl`` unbalanced, and pdflatex stopped on it."""
    _need("pdflatex", "biber", files=("biblatex.sty", "t1enc.def"))
    papers = _braces_in_names()
    _biber_build(tmp_path, format_entries(papers, fmt, user_data=True, complete=True),
                 T1_PREAMBLE.replace("\\usepackage[T1]", "\\PassOptionsToPackage{style=alphabetic,giveninits,"
                                     "maxnames=9}{biblatex}\n\\usepackage[T1]"))
    assert bibtex_balanced((tmp_path / "doc.bbl").read_text())
    text = _pdf_text(tmp_path)
    if text is not None:  # giveninits shortens no name written whole, and writes no command as an initial
        for name in BRACE_NAMES_PRINTED:
            assert name in text, (name, text)
        assert "bibinitperiod" not in text, text


@pytest.mark.parametrize("style", ["plain", "alpha", "abbrv"])
def test_braces_in_names_build_with_bibtex(tmp_path: Path, style: str) -> None:
    _need("pdflatex", "bibtex", files=(f"{style}.bst", "t1enc.def"))
    papers = _braces_in_names()
    bib = format_entries(papers, "bibtex", user_data=True, complete=True)
    _bibtex_build(tmp_path, bib, T1_PREAMBLE, style)
    text = _pdf_text(tmp_path)
    if text is not None:
        for name in BRACE_NAMES_PRINTED:
            assert name in text, (name, text)
    back = parse_input(bib.encode(), source="refs.bib", today=TODAY).papers
    assert sorted((p.authors, p.organization) for p in back) == sorted((p.authors, p.organization) for p in papers)


def test_a_group_among_the_authors_is_printed_whole_by_bibtex(tmp_path: Path) -> None:
    """"Gemini Team" split as a person gave "T. Gemini" (abbrv) and the alpha label "[TA23]"."""
    _need("pdflatex", "bibtex", files=("alpha.bst",))
    paper = Paper.create(title="Gemini: A Family of Highly Capable Multimodal Models", arxiv_id="2312.11805",
                         authors=["Gemini Team", "Rohan Anil"], published="2023-12-19")
    keys = assign_keys([paper])
    _bibtex_build(tmp_path, format_entries([paper], "bibtex", keys=keys, complete=True),
                  "\\documentclass{article}\n", "alpha")
    bbl = (tmp_path / "doc.bbl").read_text(errors="replace")
    assert "\\bibitem[GA23]" in bbl, bbl
    assert "{Gemini Team} and Rohan Anil." in bbl, bbl


@pytest.mark.parametrize("style", ["plain", "abbrv", "alpha"])
def test_a_family_name_with_a_suffix_and_no_given_name_builds_with_bibtex(tmp_path: Path, style: str) -> None:
    """``Smith, III`` was written ``Smith, III,``: bibtex stopped with "has a comma at the end" (exit 2), and the
    other formats took "III" for the given name. It is one name, written as it stands, in every format."""
    _need("pdflatex", "bibtex", files=(f"{style}.bst",))
    paper = Paper.create(title="Suffixes Without Given Names", authors=["Smith, III", "Ada Lovelace"],
                         published="2020")
    keys = {paper.id: "s"}
    _bibtex_build(tmp_path, format_entries([paper], "bibtex", keys=keys), "\\documentclass{article}\n", style)
    bbl = " ".join((tmp_path / "doc.bbl").read_text().split())
    assert "{Smith, III} and " in bbl, bbl
    csl = json.loads(format_entries([paper], "csl-json", keys=keys))
    assert csl[0]["author"][0] == {"literal": "Smith, III"}
    assert "Smith, III, & Lovelace, A." in format_entries([paper], "text", keys=keys)


def test_a_family_name_with_a_suffix_alone_reads_back_as_an_author_and_keys_by_the_family_name() -> None:
    """Written ``{Lopez, Jr.}``, a single author read back as an organization (a braced name alone is one), and
    the key took the suffix in (``lopezjr2023…``)."""
    paper = Paper.create(title="Benign Overfitting", authors=["Lopez, Jr."], published="2023")
    keys = assign_keys([paper])
    assert keys[paper.id] == "lopez2023benign"
    (back,) = parse_input(format_entries([paper], "bibtex", keys=keys).encode(), source="x.bib").papers
    assert (back.authors, back.organization) == (["Lopez, Jr."], None)


def _particles_and_lower_case() -> Paper:
    return Paper.create(title="Names That Split Twice", published="2021",
                        authors=["Juan de la Cruz Jr.", "Ludwig van Beethoven III", "danah boyd"])


def test_particles_beside_a_suffix_and_a_lower_case_given_name_are_split_right_by_bibtex(tmp_path: Path) -> None:
    """``Juan de la Cruz Jr.`` was written ``Cruz, Jr., Juan de la`` (ieeetr: "J. d. l. Cruz, Jr.") and
    ``danah boyd`` as it stands, which bibtex reads as a particle and a family name ("danah boyd" in ieeetr,
    where every other given name is an initial), and biber too ("boyd, danah" gave it no family name)."""
    _need("pdflatex", "bibtex", files=("ieeetr.bst",))
    paper = _particles_and_lower_case()
    _bibtex_build(tmp_path, format_entries([paper], "bibtex", keys={paper.id: "n"}), "\\documentclass{article}\n",
                  "ieeetr")
    bbl = " ".join((tmp_path / "doc.bbl").read_text().split())
    assert "J.~de~la Cruz, Jr., L.~van Beethoven, III, and d.~{boyd}," in bbl, bbl


def test_particles_beside_a_suffix_and_a_lower_case_given_name_are_split_right_by_biber(tmp_path: Path) -> None:
    _need("pdflatex", "biber", files=("biblatex.sty",))
    paper = _particles_and_lower_case()
    _biber_build(tmp_path, format_entries([paper], "biblatex", keys={paper.id: "n"}), "\\documentclass{article}\n")
    bbl = " ".join((tmp_path / "doc.bbl").read_text().split())
    for parts in ("family={Cruz}", "given={Juan}", "prefix={de\\bibnamedelima la}", "suffix={Jr.}",
                  "family={{boyd}}", "given={danah}"):
        assert parts in bbl, (parts, bbl)
    assert "prefix={danah}" not in bbl
    authors = json.loads(format_entries([paper], "csl-json"))[0]["author"]
    assert authors[0] == {"family": "Cruz", "given": "Juan", "non-dropping-particle": "de la", "suffix": "Jr."}
    assert authors[2] == {"family": "boyd", "given": "danah"}
    (back,) = parse_input(format_entries([paper], "biblatex", keys={paper.id: "n"}).encode(), source="x.bib").papers
    assert [person(name) for name in back.authors] == [person(name) for name in paper.authors]


def _with_venue() -> list[Paper]:
    bib = (r"@inproceedings{c, title = {A Conference Paper}, author = {Fay Author}, year = {2022},"
           r" booktitle = {Advances in Neural Information Processing Systems \& More}, eprint = {2201.00001}}")
    return list(parse_input(bib.encode(), source="refs.bib").papers)


@pytest.mark.parametrize("style", ["plain", "alpha", "plainnat"])
def test_a_venue_the_user_gave_is_printed_by_bibtex(tmp_path: Path, style: str) -> None:
    _need("pdflatex", "bibtex", files=(f"{style}.bst", "natbib.sty"))
    papers = _with_venue()
    _bibtex_build(tmp_path, format_entries(papers, "bibtex", keys={papers[0].id: "c"}, complete=True),
                  PREAMBLE + "\\usepackage{natbib}\n", style)
    bbl = " ".join((tmp_path / "doc.bbl").read_text().split())
    assert "Advances in Neural Information Processing Systems {\\&} More" in bbl, bbl


def test_a_venue_the_user_gave_is_printed_by_biber(tmp_path: Path) -> None:
    _need("pdflatex", "biber", files=("biblatex.sty",))
    papers = _with_venue()
    _biber_build(tmp_path, format_entries(papers, "biblatex", keys={papers[0].id: "c"}, complete=True), PREAMBLE)
    text = _pdf_text(tmp_path)
    if text is not None:
        assert "Advances in Neural Information Processing Systems & More" in text, text


@pytest.mark.parametrize("style", ["plain", "alpha"])  # ieeetr and unsrt format titles as plain does
def test_a_title_in_straight_quotes_opens_with_an_opening_quote_and_keeps_its_capital(tmp_path: Path,
                                                                                     style: str) -> None:
    """TeX printed ``"`` as a closing quote, and styles that lower-case titles kept only the case of the first
    character, the quote: ``”i’m not sure, but...”: Examining``. alpha labelled the paper ``["I']``."""
    _need("pdflatex", "bibtex", "pdftotext", files=(f"{style}.bst",))
    papers = _title_only()
    keys = dict(zip((p.id for p in papers), TITLE_ONLY_KEYS, strict=True))
    _bibtex_build(tmp_path, format_entries(papers, "bibtex", keys=keys, complete=True), OT1_PREAMBLE, style,
                  body=TITLE_ONLY_CITES)
    text = _pdf_text(tmp_path)
    assert text is not None
    # The style lowers the rest, as in every title it prints in sentence case.
    assert "“I’m not sure, but...”: Examining the impact of large language" in text, text
    bbl = (tmp_path / "doc.bbl").read_text()
    if style == "alpha":
        assert "\\bibitem[I'm24]{notsure}" in bbl, bbl
    if style in ("plain", "alpha"):  # sorted: by the title's first letter, not by the quote before it
        assert bbl.index("{agentrefine}") < bbl.index("{notsure}") < bbl.index("{vaswani}"), bbl


def test_single_quotes_open_with_an_opening_quote_and_apostrophes_stay(tmp_path: Path) -> None:
    """``'Attention'`` printed ’Attention’, a closing quote at both ends."""
    _need("pdflatex", "bibtex", "pdftotext", files=("plain.bst",))
    papers = [Paper.create(title="The 'Attention' Paper: Students' Work, Don't Stop", authors=["Ada Lovelace"],
                           published="2020"),
              Paper.create(title="Back to the '90s, When Rock 'n' Roll Ruled", authors=["Ada Lovelace"],
                           published="2021")]
    keys = {papers[0].id: "a", papers[1].id: "b"}
    bib = format_entries(papers, "bibtex", keys=keys)
    _bibtex_build(tmp_path, bib, OT1_PREAMBLE, "plain")
    text = _pdf_text(tmp_path)
    assert text is not None
    assert "The ‘attention’ paper: Students’ work, don’t stop" in text, text
    assert "Back to the ’90s, when rock ’n’ roll ruled" in text, text  # quotes that do not pair are left alone
    assert [p.title for p in parse_input(bib.encode(), source="x.bib").papers] == [p.title for p in papers]


def _doi_only() -> list[Paper]:
    """Papers read from ``.bib`` entries whose one link is their DOI (recorded with the resolver's URL as their
    page), one in a journal."""
    bib = ("@misc{h, title = {A Handbook of Identifiers}, author = {Ada Lovelace}, year = {2020}, doi = {10.1000/182}}"
           "\n@article{j, title = {Persistent Names}, author = {Ada Lovelace}, year = {2021}, doi = {10.1000/183},"
           " journal = {Journal of Identifiers}}")
    papers = list(parse_input(bib.encode(), source="refs.bib", today=TODAY).papers)
    assert [p.url for p in papers] == ["https://doi.org/10.1000/182", "https://doi.org/10.1000/183"]
    return papers


@pytest.mark.parametrize("style", ["plainnat", "biblatex"])
def test_a_doi_that_is_the_only_link_is_printed_once(tmp_path: Path, style: str) -> None:
    """The DOI's resolver URL went out as ``url`` beside ``doi``: biblatex printed the DOI twice and "(visited on
    …)", plainnat twice."""
    papers = _doi_only()
    keys = {papers[0].id: "h", papers[1].id: "j"}
    if style == "biblatex":
        _need("pdflatex", "biber", "pdftotext", files=("biblatex.sty", "url.sty"))
        _biber_build(tmp_path, format_entries(papers, "biblatex", keys=keys, complete=True), OT1_PREAMBLE)
    else:
        _need("pdflatex", "bibtex", "pdftotext", files=("plainnat.bst", "natbib.sty", "url.sty"))
        _bibtex_build(tmp_path, format_entries(papers, "bibtex", keys=keys, complete=True),
                      OT1_PREAMBLE + "\\usepackage{natbib,url}\n", "plainnat")
    text = _pdf_text(tmp_path)
    assert text is not None
    joined = "".join(text.split())  # a URL broken across lines
    assert joined.count("10.1000/182") == 1 and joined.count("10.1000/183") == 1 and "visited on" not in text, text
    assert "Journal of Identifiers" in text, text


@pytest.mark.parametrize("style", ["plain", "plainnat", "apalike"])  # alpha, ieeetr, unsrt: plain's titles
def test_styles_that_lower_titles_keep_sentence_starts_and_lower_hyphenated_words(tmp_path: Path,
                                                                                  style: str) -> None:
    """They lowered the capital after ``? `` ("teaching? a preliminary study") and kept ``{Out-of-Context}``
    capitalised among lowered words."""
    _need("pdflatex", "bibtex", "pdftotext", files=(f"{style}.bst", "natbib.sty"))
    papers = [
        Paper.create(title="Can LLMs Learn by Teaching? A Preliminary Study", authors=["Xuefei Ning"],
                     published="2024-06", arxiv_id="2406.14629"),
        Paper.create(title="Out-of-Context Reasoning in Model-Generated Data for GPT-4 with BERT-based Tools",
                     authors=["Ada Lovelace"], published="2024"),
    ]
    keys = {papers[0].id: "ning", papers[1].id: "lovelace"}
    preamble = OT1_PREAMBLE + ("\\usepackage{natbib}\n" if style in ("plainnat", "apalike") else "")
    _bibtex_build(tmp_path, format_entries(papers, "bibtex", keys=keys, complete=True), preamble, style)
    text = _pdf_text(tmp_path, raw=True)
    assert text is not None
    text = text.replace("- ", "-")  # a line broken after a hyphen
    assert "Can LLMs learn by teaching? A preliminary study" in text, text
    assert "Out-of-context reasoning in model-generated data for GPT-4 with BERT-based tools" in text, text


def _lower_case_given_name() -> Paper:
    """The recorded arXiv answer's "Kyoo il Kim", first author here: a given name with a word in lower case."""
    atom = FIXTURES / "pages" / "arxiv-api-query-testing.xml"
    recorded = next(p for p in parse_input(atom.read_bytes(), source=atom.name).papers if p.id == "2501.05022")
    assert "Kyoo il Kim" in recorded.authors
    return Paper.create(title="Testing Firm Conduct", authors=["Kyoo il Kim", "Youngjin Hong"], published="2025")


def test_a_lower_case_word_of_a_given_name_is_no_particle_to_bibtex(tmp_path: Path) -> None:
    """bibtex took the "il" of "Kyoo il Kim" for a particle: natbib cited "il Kim and Hong (2025)", abbrv listed
    "K. il Kim"."""
    _need("pdflatex", "bibtex", files=("plainnat.bst", "natbib.sty"))
    paper = _lower_case_given_name()
    _bibtex_build(tmp_path, format_entries([paper], "bibtex", keys={paper.id: "kim"}),
                  OT1_PREAMBLE + "\\usepackage{natbib}\n", "plainnat", body="\\citet{kim}")
    bbl = " ".join((tmp_path / "doc.bbl").read_text().split())
    assert "\\bibitem[Kim and Hong(2025)]{kim}" in bbl, bbl
    assert "Kyoo~il Kim and Youngjin Hong." in bbl, bbl


def test_a_lower_case_word_of_a_given_name_is_no_particle_to_biber(tmp_path: Path) -> None:
    _need("pdflatex", "biber", files=("biblatex.sty",))
    paper = _lower_case_given_name()
    _biber_build(tmp_path, format_entries([paper], "biblatex", keys={paper.id: "kim"}), OT1_PREAMBLE)
    bbl = " ".join((tmp_path / "doc.bbl").read_text().split())
    assert "family={Kim}" in bbl and "given={Kyoo\\bibnamedelima il}" in bbl, bbl
    assert "prefix=" not in bbl, bbl


def _escaped_dollars_and_grouped_math() -> list[Paper]:
    """arXiv titles are TeX: a dollar sign is written ``\\$``, and math is sometimes braced with a word."""
    return [
        Paper.create(title="The \\$1M Question: Pricing at 10\\% Off \\& \\$5", authors=["Ada Lovelace"],
                     published="2024"),
        Paper.create(title="The {$\\epsilon$}-Greedy Policy Revisited", authors=["Ada Lovelace"], published="2023"),
    ]


@pytest.mark.parametrize("fmt", ["bibtex", "biblatex"])
def test_an_escaped_dollar_and_braces_around_math_print_no_tex(tmp_path: Path, fmt: str) -> None:
    """``\\$`` was written as typed, with every escape of its run: the PDF read "The \\$1M Question: Pricing at
    10\\% Off \\& \\$5". Braces grouping math with a word were printed: "The {ε}-Greedy"."""
    papers = _escaped_dollars_and_grouped_math()
    bib = format_entries(papers, fmt, keys={papers[0].id: "dollar", papers[1].id: "greedy"}, complete=True)
    if fmt == "bibtex":
        _need("pdflatex", "bibtex", "pdftotext", files=("plain.bst",))
        _bibtex_build(tmp_path, bib, OT1_PREAMBLE, "plain")
    else:
        _need("pdflatex", "biber", "pdftotext", files=("biblatex.sty",))
        _biber_build(tmp_path, bib, OT1_PREAMBLE)
    text = _pdf_text(tmp_path)
    assert text is not None
    assert "\\" not in text and "{" not in text and "}" not in text, text
    assert re.search(r"The \$1M [Qq]uestion: [Pp]ricing at 10% [Oo]ff & \$5", text), text
    assert re.search(r"The [ϵε] ?-Greedy", text), text  # plain lowers "policy revisited", not the braced math word
    back = parse_input(bib.encode(), source="refs.bib").papers
    assert sorted(p.title for p in back) == sorted(p.title for p in papers)


def test_a_line_break_in_a_title_is_a_space_that_styles_lower_around(tmp_path: Path) -> None:
    """``\\\\`` (a line break, as some arXiv titles have one) went into the title as a line break in the middle of
    a word the encoder then braced whole: plain printed "First Line Second line"."""
    _need("pdflatex", "bibtex", "pdftotext", files=("plain.bst",))
    paper = Paper.create(title="Scaling Laws \\\\ Revisited for Sparse Models", authors=["Ada Lovelace"],
                         published="2023")
    bib = format_entries([paper], "bibtex", keys={paper.id: "k"}, complete=True)
    assert "title = {Scaling Laws Revisited for Sparse Models}," in bib
    _bibtex_build(tmp_path, bib, OT1_PREAMBLE, "plain")
    text = _pdf_text(tmp_path)
    assert text is not None and "Scaling laws revisited for sparse models" in text, text
