"""Library statistics: the numbers, the week rules, and the `readlist stats` command."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from rich.console import Console

from readlist.cli import main
from readlist.core.model import Paper
from readlist.core.stats import (
    column_rows,
    compute_stats,
    fold,
    hbar,
    render_text,
    source_name,
    sparkline,
    utc_date,
    week_start,
)

SEEDS = sorted((Path(__file__).parent.parent / "fixtures" / "seeds").glob("*.txt"))


def paper(title: str, **fields: Any) -> Paper:
    fields.setdefault("added", "2025-01-01T12:00:00+00:00")
    return Paper.create(title=title, **fields)


def counts(series: list[dict[str, Any]]) -> dict[str, int]:
    return {w["week"]: w["count"] for w in series}


# ---------------------------------------------------------------------------
# compute_stats


def test_empty_library_has_every_key_and_zero_filled_series() -> None:
    data = compute_stats([], today=date(2025, 3, 12)).to_dict()
    assert data["total"] == 0
    assert data["by_status"] == {"inbox": 0, "to-read": 0, "reading": 0, "read": 0, "skipped": 0}
    assert data["by_rating"] == {"0": 0, "1": 0, "2": 0, "3": 0, "4": 0, "5": 0}
    assert data["rated"] == 0 and data["average_rating"] is None
    assert data["top_tags"] == [] and data["sources"] == []
    for key in ("read_per_week", "added_per_week"):
        series = data[key]
        assert len(series) == 26
        assert all(w["count"] == 0 for w in series)
        assert series[-1] == {"week": "2025-W11", "start": "2025-03-10", "count": 0}
        starts = [date.fromisoformat(w["start"]) for w in series]
        assert all(b - a == timedelta(weeks=1) for a, b in pairwise(starts))
        assert all(s.weekday() == 0 for s in starts)
    assert json.loads(json.dumps(data)) == data


def test_weeks_cross_the_year_boundary_with_iso_labels() -> None:
    papers = [
        # Sunday 2024-12-29 is the last day of 2024-W52.
        paper("a", read_at="2024-12-29T23:59:59+00:00", status="read"),
        # Monday 2024-12-30 already belongs to 2025-W01, as does 2025-01-05 (Sunday).
        paper("b", read_at="2024-12-30T00:00:00+00:00", status="read"),
        paper("c", read_at="2025-01-05T10:00:00+00:00", status="read"),
        paper("d", read_at="2025-01-06T10:00:00+00:00", status="read"),
    ]
    data = compute_stats(papers, today=date(2025, 1, 8), weeks=4).to_dict()
    assert [w["week"] for w in data["read_per_week"]] == ["2024-W51", "2024-W52", "2025-W01", "2025-W02"]
    assert counts(data["read_per_week"]) == {"2024-W51": 0, "2024-W52": 1, "2025-W01": 2, "2025-W02": 1}
    assert data["read_per_week"][2]["start"] == "2024-12-30"
    assert data["read_this_week"] == 1
    assert data["read_this_month"] == 2  # 5 and 6 January


def test_week_53_and_timezones_are_taken_in_utc() -> None:
    papers = [
        # 2020 has an ISO week 53 (Dec 28 2020 - Jan 3 2021).
        paper("a", added="2021-01-03T12:00:00+00:00"),
        # 22:30 in New York on Sunday 3 January is already Monday in UTC.
        paper("b", added="2021-01-03T22:30:00-05:00"),
        # No offset: read as UTC.
        paper("c", added="2020-12-28T00:00:00"),
        paper("d", added="2021-01-04T08:00:00Z"),
    ]
    data = compute_stats(papers, today=date(2021, 1, 4), weeks=2).to_dict()
    assert counts(data["added_per_week"]) == {"2020-W53": 2, "2021-W01": 2}
    assert data["added_this_week"] == 2


def test_dates_outside_the_window_or_unreadable_are_left_out_of_the_series() -> None:
    papers = [
        paper("old", added="2020-01-01T00:00:00+00:00"),
        paper("future", added="2031-01-01T00:00:00+00:00"),
        paper("now", added="2025-06-11T00:00:00+00:00"),
    ]
    broken = Paper(**{"id": "x", "title": "broken", "added": "not a date", "read_at": "2025-13-40"})
    stats = compute_stats([*papers, broken], today=date(2025, 6, 12))
    assert stats.total == 4
    assert sum(w.count for w in stats.added_per_week) == 1
    assert sum(w.count for w in stats.read_per_week) == 0
    assert stats.added_per_week[-1].count == 1


def test_counts_ratings_notes_tags_and_sources() -> None:
    papers = [
        paper("a", status="read", rating=5, tags=["rl", "llm"], note="good", sources=["/home/me/Downloads/p.txt"]),
        paper("b", status="read", rating=4, tags=["llm"], note="  \n", sources=["p.txt", "https://hf.co/papers"]),
        paper("c", status="skipped", rating=0, tags=["zeta"], sources=["C:\\Users\\me\\q.html"]),
        paper("d", status="to-read", rating=3, tags=["alpha"]),
        paper("e"),
    ]
    stats = compute_stats(papers, today=date(2025, 1, 1))
    data = stats.to_dict()
    assert data["by_status"] == {"inbox": 1, "to-read": 1, "reading": 0, "read": 2, "skipped": 1}
    assert data["by_rating"] == {"0": 2, "1": 0, "2": 0, "3": 1, "4": 1, "5": 1}
    assert data["rated"] == 3 and data["average_rating"] == 4.0
    assert data["with_notes"] == 1  # whitespace is not a note
    assert data["tagged"] == 4 and data["distinct_tags"] == 4
    # Most used first, ties by name.
    assert data["top_tags"] == [
        {"tag": "llm", "count": 2},
        {"tag": "alpha", "count": 1},
        {"tag": "rl", "count": 1},
        {"tag": "zeta", "count": 1},
    ]
    # A path and its base name are one source; a paper listing it twice would still count once.
    assert data["sources"] == [
        {"source": "p.txt", "count": 2},
        {"source": "https://hf.co/papers", "count": 1},
        {"source": "q.html", "count": 1},
    ]


def test_top_tags_are_limited_to_ten() -> None:
    papers = [paper(f"p{i}", tags=[f"t{j:02d}" for j in range(i + 1)]) for i in range(15)]
    top = compute_stats(papers, today=date(2025, 1, 1)).top_tags
    assert [t.name for t in top] == [f"t{j:02d}" for j in range(10)]
    assert [t.count for t in top] == [15 - j for j in range(10)]


def test_result_does_not_depend_on_input_order() -> None:
    papers = [paper(f"p{i}", tags=["a", "b"][: i % 3], rating=i % 6, added=f"2025-02-{i + 1:02d}T00:00:00+00:00")
              for i in range(20)]
    one = compute_stats(papers, today=date(2025, 2, 28)).to_dict()
    two = compute_stats(list(reversed(papers)), today=date(2025, 2, 28)).to_dict()
    assert one == two


def test_week_helpers() -> None:
    assert week_start(date(2025, 1, 1)) == date(2024, 12, 30)
    assert week_start(date(2024, 12, 30)) == date(2024, 12, 30)
    assert utc_date("2025-01-01") == date(2025, 1, 1)
    assert utc_date("2025-01-01T01:00:00+02:00") == date(2024, 12, 31)
    assert utc_date("") is None and utc_date(None) is None and utc_date("yesterday") is None
    assert source_name("https://example.org/a/b.html") == "https://example.org/a/b.html"
    assert source_name("dir/sub/page.txt") == "page.txt" and source_name("-") == "-"
    with pytest.raises(ValueError):
        compute_stats([], weeks=0)


def test_drawing_helpers() -> None:
    assert hbar(0, 10, 8) == "" and hbar(10, 10, 4) == "████"
    assert hbar(1, 1000, 4) == "▏"  # never invisible when non-zero
    assert hbar(5, 10, 3) == "█▌"
    assert sparkline([0, 1, 8]) == " ▁█"
    assert column_rows([0, 4, 8], 2) == ["  █", " ██"]
    assert column_rows([1, 100], 2) == [" █", "▁█"]
    assert fold([1, 2, 3], 5) == ([1, 2, 3], 1)
    # Runs are counted back from the newest week, so the last column is whole.
    assert fold(list(range(10)), 4) == ([0, 1 + 2 + 3, 4 + 5 + 6, 7 + 8 + 9], 3)


def test_a_long_history_is_folded_to_fit_the_terminal() -> None:
    papers = [paper(f"p{i}", added=f"{2016 + i % 10}-03-0{1 + i % 7}T00:00:00+00:00") for i in range(70)]
    stats = compute_stats(papers, today=date(2025, 3, 9), weeks=520)
    assert sum(w.count for w in stats.added_per_week) == 70
    console = Console(width=80, record=True, markup=False, color_system=None)
    console.print(render_text(stats, width=80), crop=False)
    out = console.export_text()
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "each column is 8 weeks" in out


# ---------------------------------------------------------------------------
# the command


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args], catch_exceptions=False)


def listed(db: Path) -> list[dict[str, Any]]:
    result = run(db, "list", "--json")
    assert result.exit_code == 0, result.output
    records: list[dict[str, Any]] = json.loads(result.stdout)
    return records


def test_stats_json_agrees_with_list_json_after_cli_changes(tmp_path: Path) -> None:
    db = tmp_path / "library.json"
    assert run(db, "import", *map(str, SEEDS)).exit_code == 0
    ids = [r["id"] for r in listed(db)]
    assert len(ids) == 196
    for args in (
        ["mark", *ids[0:7], "read"],
        ["mark", *ids[7:12], "to-read"],
        ["mark", *ids[12:15], "reading"],
        ["mark", *ids[15:24], "skipped"],
        ["mark", ids[3], "inbox"],  # read, then back: no longer counts as read
        ["rate", *ids[0:4], "5"],
        ["rate", *ids[4:6], "2"],
        ["rate", ids[30], "1"],
        ["tag", *ids[0:9], "+rl", "+agents"],
        ["tag", *ids[5:12], "+[bold]markup[/bold]"],
        ["tag", ids[0], "-agents"],
        ["note", ids[2], "worth a second read"],
    ):
        result = run(db, *args)
        assert result.exit_code == 0, (args, result.output)

    records = listed(db)
    result = run(db, "stats", "--json")
    assert result.exit_code == 0, result.output
    stats = json.loads(result.stdout)

    assert stats["total"] == len(records) == 196
    assert stats["by_status"] == {s: sum(r["status"] == s for r in records)
                                  for s in ("inbox", "to-read", "reading", "read", "skipped")}
    assert stats["by_status"]["read"] == 6 and stats["by_status"]["skipped"] == 9
    assert stats["by_rating"] == {str(n): sum(r["rating"] == n for r in records) for n in range(6)}
    rated = [r["rating"] for r in records if r["rating"]]
    assert stats["rated"] == len(rated) == 7
    assert stats["average_rating"] == round(sum(rated) / len(rated), 2)
    assert stats["with_notes"] == sum(bool(r["note"].strip()) for r in records) == 1
    tag_counts = Counter(t for r in records for t in r["tags"])
    assert {t["tag"]: t["count"] for t in stats["top_tags"]} == dict(tag_counts)
    assert dict(tag_counts) == {"rl": 9, "agents": 8, "[bold]markup[/bold]": 7}
    source_counts = Counter(Path(s).name for r in records for s in r["sources"])
    assert {s["source"]: s["count"] for s in stats["sources"]} == dict(source_counts)

    # Each weekly column holds exactly the records whose UTC date falls in that Monday-to-Sunday week.
    for key, field in (("read_per_week", "read_at"), ("added_per_week", "added")):
        days = [date.fromisoformat(r[field][:10]) for r in records if r[field]]
        for week in stats[key]:
            start = date.fromisoformat(week["start"])
            assert week["count"] == sum(start <= d < start + timedelta(days=7) for d in days), (key, week)
    assert sum(w["count"] for w in stats["read_per_week"]) == 6
    assert sum(w["count"] for w in stats["added_per_week"]) == 196
    assert stats["read_this_week"] == stats["read_per_week"][-1]["count"]

def test_stats_picture_shows_every_section_and_keeps_names_inert(tmp_path: Path) -> None:
    db = tmp_path / "library.json"
    run(db, "import", str(SEEDS[0]))
    first = listed(db)[0]["id"]
    run(db, "tag", first, "+[red]boom[/red]")
    run(db, "mark", first, "read")
    result = run(db, "stats", "--weeks", "8")
    assert result.exit_code == 0, result.output
    out = result.stdout
    for heading in ("Status", "Rating", "Read per week", "Added per week", "Top tags", "Sources"):
        assert heading in out
    assert "#[red]boom[/red]" in out  # printed as typed, not as red "boom"
    assert SEEDS[0].name in out and str(SEEDS[0].parent) not in out.split("\n", 1)[1]
    assert "█" in out
    assert "\x1b" not in out
    assert json.loads(run(db, "stats", "--json", "--weeks", "8").stdout)["weeks"] == 8
    assert run(db, "stats", "--weeks", "0").exit_code == 2


def test_render_text_has_no_markup_and_fits_the_width() -> None:
    papers = [paper("a", tags=["[link=http://x]x[/link]"], sources=["[b]src.txt", "https://x.org/[red]y[/red]"],
                    status="read",
                    read_at="2025-05-05T00:00:00+00:00")]
    text = render_text(compute_stats(papers, today=date(2025, 5, 7)), width=80)
    assert "[link=http://x]x[/link]" in text.plain and "[b]src.txt" in text.plain
    assert "https://x.org/[red]y[/red]" in text.plain
    assert all(not span.style or "link" not in str(span.style) for span in text.spans)
    console = Console(width=80, record=True, markup=False, color_system=None)
    console.print(text, crop=False)
    assert max(len(line) for line in console.export_text().splitlines()) <= 80


def test_stats_module_does_not_load_the_ui_toolkit() -> None:
    code = "import sys, readlist.core.stats; print(any(m.split('.')[0] == 'textual' for m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=Path(__file__).resolve().parents[2])
    assert result.stdout.strip() == "False"
