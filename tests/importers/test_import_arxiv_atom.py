"""arXiv API Atom answers as an import format (a real 100-entry answer, old-style ids included)."""

from __future__ import annotations

from pathlib import Path

import pytest

from readlist.core.cite import citation_key
from readlist.importers import ImportFormatError, parse_input
from readlist.importers.arxiv_atom import read_feed, repair_mojibake

NET = Path(__file__).parent.parent / "fixtures" / "net"
REAL = NET / "arxiv-api-query-testing.xml"


@pytest.fixture(scope="module")
def real() -> dict[str, object]:
    result = parse_input(REAL.read_bytes(), source="saved-query.xml")
    return {"result": result, "by_id": {p.arxiv_id: p for p in result.papers}}


def test_sniffed_and_every_entry_imported(real: dict) -> None:
    result = real["result"]
    assert result.format == "arxiv-atom"
    assert len(result.papers) == 100
    assert result.skipped == []
    assert len(real["by_id"]) == 100


def test_entry_fields(real: dict) -> None:
    paper = real["by_id"]["2202.12139"]
    assert paper.id == "2202.12139"
    assert paper.title == "Testing Deep Learning Models: A First Comparative Study of Multiple Testing Techniques"
    assert paper.authors == ["Mohit Kumar Ahuja", "Arnaud Gotlieb", "Helge Spieker"]
    assert paper.categories == ["cs.SE", "cs.LG"]
    assert paper.published == "2022-02-24"
    assert paper.doi == "10.1109/ICSTW55395.2022.00035"
    assert paper.journal_ref.startswith("Artificial Intelligence in Software Testing @ 2022 IEEE")
    assert paper.url == "https://arxiv.org/abs/2202.12139"
    assert paper.abstract.startswith("Deep Learning (DL) has revolutionized")
    assert "\n" not in paper.abstract


def test_old_style_ids(real: dict) -> None:
    old = sorted(i for i in real["by_id"] if "/" in i)
    assert old == ["cs/0503050", "gr-qc/0103067", "hep-ph/0301050"]
    anarchy = real["by_id"]["hep-ph/0301050"]  # listed as hep-ph/0301050v2
    assert anarchy.id == "hep-ph/0301050"
    assert anarchy.title == "Statistical Test of Anarchy"
    assert anarchy.authors == ["Andre de Gouvea", "Hitoshi Murayama"]
    assert anarchy.published == "2003-01-08"  # the first version's date, not the latest update
    assert anarchy.url == "https://arxiv.org/abs/hep-ph/0301050"
    assert anarchy.dedup_keys[0] == "a:hep-ph/0301050"


def test_primary_category_comes_first() -> None:
    text = REAL.read_text(encoding="utf-8").replace(
        '<arxiv:primary_category term="cs.SE"/>', '<arxiv:primary_category term="cs.LG"/>', 1
    )
    first = parse_input(text).papers[0]
    assert first.categories == ["cs.LG", "cs.SE"]


def test_acm_and_msc_classes_are_not_categories() -> None:
    feed = _feed(_entry(categories=["math.OC", "68T05", "I.2.6; I.2.8", "cs.LG"]))
    assert parse_input(feed).papers[0].categories == ["math.OC", "cs.LG"]


def test_api_error_report_is_an_import_error() -> None:
    error = (
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><id>https://arxiv.org/api/x</id>'
        "<title>Error</title><entry><id>https://arxiv.org/api/errors#incorrect_id_format_for_1234</id>"
        "<title>Error</title><summary>incorrect id format for 1234</summary></entry></feed>"
    )
    with pytest.raises(ImportFormatError, match="error report: incorrect id format for 1234"):
        parse_input(error)


def test_truncated_file_keeps_what_was_read() -> None:
    text = REAL.read_text(encoding="utf-8")
    cut = text[: text.index("<entry>", text.index("<entry>") + 10) + 200]
    result = parse_input(cut)
    assert result.papers[0].arxiv_id == "2202.12139"
    assert any("damaged" in reason for _, reason in result.skipped)


def test_markup_and_controls_stay_text() -> None:
    feed = _feed(_entry(title="x &lt; y \u202e for \x1b[31mall", summary="a &lt;b&gt; c &amp; d"))
    paper = parse_input(feed).papers[0]
    assert paper.title == "x < y for all"
    assert paper.abstract == "a <b> c & d"


@pytest.mark.parametrize("title", ["\x9dFast quick model", "Fast \x9d quick model", "Fast quick\x90 model"])
def test_a_stray_c1_introducer_in_a_title_keeps_the_title(title: str) -> None:
    """feedparser reads U+009C as Windows-1252 (an oe ligature), so nothing ends the string an introducer starts."""
    page = read_feed(_feed(_entry(title=title)))
    assert [paper.title for paper in page.result.papers] == ["Fast quick model"]
    assert page.result.skipped == []


def test_not_fooled_by_file_names() -> None:
    # feedparser opens a string naming a file or URL; readlist hands it bytes in a stream only.
    page = read_feed("/etc/hostname")
    assert page.result.papers == []
    assert page.damaged


def _entry(*, title: str = "A Title", summary: str = "Text.", categories: list[str] | None = None) -> str:
    cats = "".join(f'<category term="{c}" scheme="http://arxiv.org/schemas/atom"/>' for c in categories or ["cs.LG"])
    return (
        f"<entry><id>http://arxiv.org/abs/2301.00001v1</id><title>{title}</title><summary>{summary}</summary>"
        f"{cats}<published>2023-01-01T00:00:00Z</published><author><name>A B</name></author></entry>"
    )


def _feed(*entries: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
        'xmlns:arxiv="http://arxiv.org/schemas/atom"><id>https://arxiv.org/api/q</id>' + "".join(entries) + "</feed>"
    )


def test_double_encoded_author_names_are_repaired(real: dict) -> None:
    """The real answer spells some names as UTF-8 read as Latin-1; titles and names come out right alike."""
    papers = real["result"].papers
    garbled = [(p.arxiv_id, a) for p in papers for a in p.authors if "Ã" in a or "Â" in a]
    assert garbled == []
    names = {a for p in papers for a in p.authors}
    for name in ("Jean-Marc Azaïs", "Stéphane Mourareau", "Aurora Ramírez", "Katharina Götz", "Oliver Weißl",
                 "Florian Kroiß", "C. Lämmerzahl", "Sólrún Einarsdóttir", "Lasse Møldrup"):
        assert name in names
    assert real["by_id"]["2306.03845"].title == "$ω$Test: WebView-Oriented Testing for Android Applications"
    assert citation_key(real["by_id"]["1706.00679"]) == "azais2017testing"


@pytest.mark.parametrize(
    "name",
    ["Müller", "Stéphane", "Ødegård", "Łukasz", "Ã", "ÃX", "Jiajun Hu", "中文", "Â€ plain", "Gauß"],
)
def test_names_that_are_right_are_left_alone(name: str) -> None:
    """Correct text is never valid UTF-8 once written as Latin-1 bytes (or is not Latin-1 at all)."""
    assert repair_mojibake(name) == name


def test_the_repair_applies_to_names_in_any_feed() -> None:
    feed = REAL.read_text(encoding="utf-8")
    one = feed[: feed.index("<entry>")] + (
        "<entry><id>http://arxiv.org/abs/2401.00001v1</id><title>T</title>"
        "<author><name>JosÃ© RaÃºl Romero</name></author><author><name>José Müller</name></author></entry></feed>"
    )
    paper = parse_input(one.encode(), source="q.xml").papers[0]
    assert paper.authors == ["José Raúl Romero", "José Müller"]
