from __future__ import annotations

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readlist.core import text as model
from readlist.core.model import (
    Paper,
    Status,
    ValidationError,
    find_arxiv_id,
    normalize_tags,
    normalize_title,
    parse_rating,
    parse_status,
    title_id,
)
from readlist.core.text import clean_block, clean_line, strip_controls


def test_id_is_arxiv_id_when_known_else_title_hash() -> None:
    assert Paper.create(title="X", arxiv_id="https://arxiv.org/abs/2310.01234v3").id == "2310.01234"
    paper = Paper.create(title="Attention Is All You Need")
    assert paper.id == title_id("attention is all you need!")
    assert paper.id.startswith("t-") and len(paper.id) == 12


def test_normalized_title_ignores_case_punctuation_and_spaces() -> None:
    assert normalize_title("LoRA vs. Full  Fine-tuning!") == normalize_title("lora VS full finetuning")
    assert normalize_title("Café") == normalize_title("cafe")


def test_find_arxiv_id_in_ids_urls_and_old_style() -> None:
    assert find_arxiv_id("2106.09608") == "2106.09608"
    assert find_arxiv_id("https://huggingface.co/papers/2509.24002") == "2509.24002"
    assert find_arxiv_id("arXiv:1706.03762v7") == "1706.03762"
    assert find_arxiv_id("hep-th/9901001v2") == "hep-th/9901001"
    assert find_arxiv_id("no id here") is None


def test_validation_of_user_fields() -> None:
    assert parse_rating("5") == 5
    for bad in (6, -1, "x", None):
        with pytest.raises(ValidationError):
            parse_rating(bad)
    assert parse_status("To Read") is Status.TO_READ
    assert parse_status("skip") is Status.SKIPPED
    with pytest.raises(ValidationError, match="unknown status"):
        parse_status("later")
    assert normalize_tags(["RL", "#nlp", " rl ", "", "Multi Agent"]) == ["multi-agent", "nlp", "rl"]
    # A leading + or - is the command line's add/remove; a trailing + belongs to the tag.
    assert normalize_tags(["c++", "+rl", "-old-", "#C++", "+", "-"]) == ["c++", "old", "rl"]


def test_untrusted_text_is_cleaned_but_kept_literal() -> None:
    paper = Paper.create(title="  [red]Big\u00a0\x1b[31mTitle\x07 ", abstract="line one\r\nline\ttwo\x1b]52;c;AAAA\x07")
    assert paper.title == "[red]Big Title"
    assert "\x1b" not in paper.abstract and "\x07" not in paper.abstract
    assert paper.abstract.startswith("line one\nline two")


def test_empty_title_and_bad_date_are_rejected() -> None:
    with pytest.raises(ValidationError):
        Paper.create(title="  ")
    with pytest.raises(ValidationError):
        Paper.create(title="x", published="June 2024")


def test_round_trip_and_public_shape() -> None:
    paper = Paper.create(title="T", authors=["A B", "C D"], tags=["x"], rating=3)
    assert paper.authors_count == 2
    data = paper.public_dict()
    assert list(data)[:3] == ["id", "arxiv_id", "title"]
    assert "prev_status" not in data
    assert msgspec.json.decode(msgspec.json.encode(paper), type=Paper) == paper
    assert Paper.from_dict({**paper.to_dict(), "unknown": 1}) == paper


def test_byline_never_invents_names() -> None:
    assert Paper.create(title="T", authors_count=5).byline == "5 authors"
    assert Paper.create(title="T", organization="Spiral Works", authors_count=3).byline == "Spiral Works"
    assert Paper.create(title="T", authors=["A", "B", "C", "D"]).byline == "A, B, … +2"


_MESSY = st.text(alphabet=st.sampled_from(list("ab .\n\t\r\x1b[31m\u00a0\u2028\x85\x9b\u202e\x07")), max_size=40)


@settings(max_examples=500, deadline=None)
@given(_MESSY)
def test_clean_fast_path_matches_the_full_rewrite(text: str) -> None:
    """Already-clean text skips the rewrite; the result must be what the rewrite would give."""
    # A control that breaks a line (NEL, VT, FF) is a space between words, then the controls go.
    full_line = model._WS.sub(" ", strip_controls(model._BREAKING_CONTROLS.sub(" ", text))).strip()
    block = strip_controls(text.replace("\r\n", "\n").replace("\r", "\n"))
    full_block = model._BLANK_LINES.sub("\n\n", "\n".join(" ".join(x.split()) for x in block.split("\n"))).strip()
    assert clean_line(text) == full_line
    assert clean_block(text) == full_block
    assert clean_line(full_line) == full_line and clean_block(full_block) == full_block
