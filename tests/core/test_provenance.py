"""The kind of a source: from a URL's site, the recorded import format, or how it arrived."""

from __future__ import annotations

import pytest

from readlist.core.provenance import KINDS, canonical_kind, paper_kinds, source_kind


@pytest.mark.parametrize(
    ("label", "kinds"),
    [
        ("https://huggingface.co/papers/2401.00001", {"url", "hf"}),
        ("https://huggingface.co/papers?q=agents", {"url", "hf"}),
        ("https://HuggingFace.co./papers/date/2024-08-01", {"url", "hf"}),
        ("https://hf.co/papers/2401.00001", {"url", "hf"}),
        ("https://arxiv.org/abs/2401.00002v2", {"url", "arxiv"}),
        ("https://export.arxiv.org/api/query?id_list=2401.00002", {"url", "arxiv"}),
        ("http://www.arxiv.org/list/cs.CL/new", {"url", "arxiv"}),
        ("https://notarxiv.org/abs/1", {"url"}),
        ("https://huggingface.co.evil.example/papers", {"url"}),
        ("https://example.com/?next=https://arxiv.org", {"url"}),
        ("http://[::1/broken", {"url"}),
        ("001_eaf0a1b246e94eca.txt", {"file"}),
        ("hf-daily-2024-08-01.html", {"file"}),  # a name says nothing about what is inside
        ("refs.bib", {"file", "bibtex"}),
        ("REFS.BIBTEX", {"file", "bibtex"}),
        ("stdin", {"stdin"}),
        ("clipboard", {"clipboard"}),
        ("", set()),
    ],
)
def test_kind_from_the_label(label: str, kinds: set[str]) -> None:
    assert source_kind(label) == kinds


@pytest.mark.parametrize(
    ("fmt", "kinds"),
    [
        ("hf-text", {"file", "hf-text", "hf"}),
        ("hf-html", {"file", "hf-html", "hf"}),
        ("hf-json", {"file", "hf-json", "hf"}),
        ("arxiv-html", {"file", "arxiv-html", "arxiv"}),
        ("arxiv-atom", {"file", "arxiv-atom", "arxiv"}),
        ("bibtex", {"file", "bibtex"}),
        ("readlist-json", {"file", "readlist-json"}),
        ("HF-Text", {"file", "hf-text", "hf"}),
    ],
)
def test_kind_from_the_recorded_format(fmt: str, kinds: set[str]) -> None:
    assert source_kind("001_eaf0a1b246e94eca.txt", fmt) == kinds


def test_a_paper_has_every_kind_of_its_sources() -> None:
    assert paper_kinds(["a.txt", "https://arxiv.org/abs/1"], ["hf-text"]) == {"file", "url", "arxiv", "hf", "hf-text"}
    assert paper_kinds([]) == set()


def test_kind_names_and_aliases() -> None:
    assert canonical_kind("HF") == "hf"
    assert canonical_kind("huggingface") == canonical_kind("daily") == "hf"
    assert canonical_kind("bib") == "bibtex"
    assert canonical_kind("arxiv-html") == "arxiv-html"
    assert canonical_kind("seeds") is None
    assert {"hf", "arxiv", "bibtex", "url", "file", "stdin", "clipboard"} <= KINDS
