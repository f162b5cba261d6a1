"""Pages saved as a single file (MHTML), made from the real saved pages as Chrome writes them."""

from __future__ import annotations

import base64
from datetime import date
from pathlib import Path

import pytest

from readlist.core.model import Paper
from readlist.importers import ImportFormatError, parse_input

PAGES = Path(__file__).parent.parent / "fixtures" / "pages"
TODAY = date(2026, 11, 22)
BOUNDARY = "----MultipartBoundary--q2kSzNHk2kA1ThJ9WUTfExF7xjyfsL6NFvWUjdZMvZ----"


def _plain(papers: list[Paper]) -> list[dict[str, object]]:
    return [{k: v for k, v in p.to_dict().items() if k not in ("added", "updated")} for p in papers]


@pytest.mark.parametrize(
    ("mhtml", "html", "fmt", "count"),
    [
        ("hf-daily-2024-08-01.mhtml", "hf-daily-2024-08-01.html", "hf-html", 13),  # quoted-printable, no charset
        ("arxiv-abs-2106.09608.mhtml", "arxiv-abs-2106.09608.html", "arxiv-html", 1),
        ("hf-paper-2509.24002.mht", "hf-paper-2509.24002-prettified.html", "hf-html", 1),  # base64, charset=utf-8
    ],
)
def test_a_page_saved_as_a_single_file_gives_what_the_saved_page_gives(mhtml: str, html: str, fmt: str,
                                                                        count: int) -> None:
    expected = parse_input((PAGES / html).read_bytes(), today=TODAY)
    result = parse_input((PAGES / mhtml).read_bytes(), source=mhtml, today=TODAY)
    assert result.format == fmt
    assert len(result.papers) == count
    assert _plain(result.papers) == _plain(expected.papers)


def test_non_ascii_text_survives_quoted_printable() -> None:
    data = (PAGES / "hf-daily-2024-08-01.mhtml").read_bytes()
    assert b"=C3=87elebi" in data  # UTF-8 encoded by quoted-printable, with no charset declared on the part
    llama = parse_input(data, today=TODAY).papers[0]
    assert {"Onur \u00c7elebi", "Francisco Guzm\u00e1n"} <= set(llama.authors)


def test_the_named_format_reads_the_page_inside() -> None:
    result = parse_input((PAGES / "arxiv-abs-2106.09608.mhtml").read_bytes(), fmt="arxiv-html")
    assert [p.arxiv_id for p in result.papers] == ["2106.09608"]


def test_a_charset_python_does_not_know_is_read_as_a_saved_page() -> None:
    data = (PAGES / "hf-paper-2509.24002.mht").read_bytes().replace(b'charset="utf-8"', b'charset="x-unheard-of"')
    (paper,) = parse_input(data, today=TODAY).papers
    assert paper.arxiv_id == "2509.24002"


def _message(*parts: str, boundary: str | None = BOUNDARY) -> bytes:
    content_type = f'multipart/related;\r\n\ttype="text/html";\r\n\tboundary="{boundary}"' if boundary else (
        'multipart/related;\r\n\ttype="text/html"')
    head = ("From: <Saved by Blink>\r\nSubject: Daily Papers\r\nMIME-Version: 1.0\r\n"
            f"Content-Type: {content_type}\r\n\r\n")
    body = "".join(f"--{BOUNDARY}\r\n{part}\r\n" for part in parts) + f"--{BOUNDARY}--\r\n"
    return (head + body).encode()


CSS_PART = "Content-Type: text/css\r\nContent-Location: cid:a@mhtml.blink\r\n\r\nbody { color: red; }"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_message(CSS_PART), "holds no HTML page"),
        (_message("Content-Type: text/html\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n  "),
         "holds no HTML page"),
        (_message(CSS_PART, boundary=None), "holds no HTML page"),
        ((PAGES / "hf-daily-2024-08-01.mhtml").read_bytes()[:300], "holds no HTML page"),
    ],
    ids=["no-html-part", "empty-html-part", "no-boundary", "cut-off-in-the-headers"],
)
def test_a_damaged_single_file_page_gets_one_clear_line(data: bytes, message: str) -> None:
    with pytest.raises(ImportFormatError, match=message) as caught:
        parse_input(data)
    assert "\n" not in str(caught.value)
    assert "(MHTML)" in str(caught.value) and "save the page again" in str(caught.value)


def test_base64_html_part_with_a_declared_latin_1_charset() -> None:
    html = "<html><head><meta name='citation_arxiv_id' content='2106.09608'><meta name='citation_title' " \
           "content='Caf\u00e9 na\u00efve'></head><body></body></html>"
    part = ("Content-Type: text/html; charset=iso-8859-1\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + base64.encodebytes(html.encode("latin-1")).decode("ascii"))
    (paper,) = parse_input(_message(part)).papers
    assert paper.title == "Caf\u00e9 na\u00efve"
