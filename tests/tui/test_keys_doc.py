"""The key tables in the README and docs/tui.md are the bindings the app really has."""

from __future__ import annotations

from pathlib import Path

import pytest

from readlist.tui.bindings import MAIN, TRIAGE
from readlist.tui.keys_doc import END, key_tables, replace_between_markers

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("doc", ["README.md", "docs/tui.md"])
def test_documented_keys_are_current(doc: str) -> None:
    text = (ROOT / doc).read_text(encoding="utf-8")
    assert replace_between_markers(text) == text, f"run `python scripts/keys.py` to refresh {doc}"


def test_tables_name_every_key_of_the_main_screen_and_triage() -> None:
    tables = key_tables("main")
    for binding in [*MAIN, *TRIAGE]:
        first_key = binding.key.split(",")[0]  # type: ignore[union-attr]
        if first_key.isdigit():
            continue  # ratings are one row, checked below
        assert (binding.tooltip or binding.description) in tables, binding  # type: ignore[union-attr]
    assert "| `1`–`5` | Rate 1 to 5 stars |" in tables


def test_every_screen_has_its_table_among_every_key() -> None:
    """docs/tui.md says "every key of every screen": a screen with keys of its own (the details form's
    ctrl+s and Esc) has its table there, not only its ids in the keymap table."""
    from readlist.tui.keymap import SCREENS
    from readlist.tui.keys_doc import SCOPES

    assert set(SCOPES["all"]) == set(SCREENS)
    tables = key_tables("all")
    assert "**Details form**\n\n| key | action |\n|---|---|\n| `esc` | Discard |\n| `ctrl+s` | Save |" in tables


def test_changing_a_binding_makes_the_docs_stale() -> None:
    doc = (ROOT / "README.md").read_text(encoding="utf-8")
    edited = doc.replace("| `s` | Keep: status to-read |", "| `k` | Keep: status to-read |", 1)
    assert edited != doc
    assert replace_between_markers(edited) == doc


def test_markers_are_required() -> None:
    with pytest.raises(ValueError, match="markers"):
        replace_between_markers("no tables here\n")
    with pytest.raises(ValueError, match="no " + END):
        replace_between_markers("<!-- keys:start all -->\nunfinished\n")


def test_every_remappable_id_is_documented_with_its_keys() -> None:
    """docs/tui.md lists every id ``[keymap]`` accepts (an unknown one is refused), with its keys as shipped."""
    from textual.binding import Binding

    from readlist.tui.keymap import SCREENS, resolve

    doc = (ROOT / "docs" / "tui.md").read_text(encoding="utf-8")
    start = doc.index("<!-- keys:start keymap -->")
    table = doc[start:doc.index(END, start)]
    ids = {b.id: b for group in SCREENS.values() for b in group if isinstance(b, Binding) and b.id}
    for binding_id in ["delete", "enrich", "more-like", "text-down", "text-up", "half-page-down", "half-page-up",
                       "save-search", "save-search-list", "cancel-prompt", "close-help"]:
        assert binding_id in ids
    for binding_id, binding in ids.items():
        assert not resolve({binding_id: "f12"}).problems, binding_id  # the keymap takes it…
        keys = " ".join(f"`{k.strip()}`" for k in binding.key.split(","))
        assert f"| `{binding_id}` | {keys} |" in table, binding_id  # …and the docs say so
    assert resolve({"no-such-action": "f12"}).problems


def test_a_keymap_that_gave_e_to_another_action_is_told_e_now_edits_details() -> None:
    """`e` became the details form's key: a keymap made before keeps working, minus `e`, and says why."""
    from readlist.tui.keymap import resolve

    keymap = resolve({"keep": "e"})
    assert keymap.keys["keep"] == "s"
    (problem,) = keymap.problems
    assert "'e' already means Details on the paper list" in problem and 'edit-details = "OTHER_KEY, -e"' in problem
    # The way out it names works: e for keep, another key for the form.
    moved = resolve({"keep": "e", "edit-details": "ctrl+e, -e"})
    assert moved.keys == {"keep": "s,e", "edit-details": "ctrl+e"} and not moved.problems


def test_a_key_an_action_cannot_give_up_is_not_handed_to_another_as_well() -> None:
    """Removing an action's only key leaves it that key, so no other action may take it too."""
    from readlist.tui.keymap import resolve

    keymap = resolve({"keep": "n", "note": "-n"})
    assert keymap.keys == {"keep": "s", "note": "n"}
    assert len(keymap.problems) == 2 and "without a key" in keymap.problems[0]


async def test_the_help_says_what_t_enter_and_tab_do_on_the_list(tmp_path: Path) -> None:
    """T and Enter both open triage mode, but Enter opens the paper full-screen: the help says each; Tab is listed."""
    from textual.widgets import Input
    from tui_helpers import SIZE, build_library, open_app

    from readlist.tui.screens.help import HelpScreen, bindings_table
    from readlist.tui.screens.main import MainScreen
    from readlist.tui.widgets.paper_list import PaperList

    app = open_app(build_library(tmp_path / "library.json", limit=3))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        rows = {row.keys: row.long for row in bindings_table(app, app.screen)}
        assert rows["T"] == "Triage mode: one paper at a time"
        assert rows["⏎"] == "Open the paper full-screen (triage mode from it; Esc returns)"
        keys = {row.long: set(row.keys.split()) for row in bindings_table(app, app.screen)}
        assert keys["Search (Esc clears)"] == {"/"}
        assert keys["To the search box, keeping the search typed there"] == {"tab"}
        await pilot.press("tab")
        assert isinstance(app.screen.focused, Input)
        search_keys = {row.long: set(row.keys.split()) for row in bindings_table(app, app.screen)}
        assert search_keys["To the list"] == {"↓", "tab"}
        await pilot.press("tab")
        assert isinstance(app.screen.focused, PaperList)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_the_statistics_help_lists_the_keys_that_work_there(tmp_path: Path) -> None:
    from tui_helpers import build_library, open_app

    from readlist.tui.screens.help import bindings_table
    from readlist.tui.screens.main import MainScreen
    from readlist.tui.screens.stats import StatsScreen

    app = open_app(build_library(tmp_path / "library.json", limit=30))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("S")
        await pilot.pause()
        assert isinstance(app.screen, StatsScreen)
        rows = {row.keys: row.long for row in bindings_table(app, app.screen)}
        assert rows["j ↓"] == "Scroll down" and rows["k ↑"] == "Scroll up"
        assert rows["pgdn"] == "Page down" and rows["pgup"] == "Page up"
        assert rows["esc q S"] == "Back"
        body = app.screen.query_one("#stats-body")
        await pilot.press("down")
        await pilot.pause()
        assert body.scroll_y == 1
        await pilot.press("pagedown")
        await pilot.pause()
        assert body.scroll_y > 2
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)  # q goes back here, as the docs say


def test_the_docs_say_where_q_goes_back_instead_of_quitting() -> None:
    assert "on the statistics and help screens `q` goes back instead" in key_tables("all")
