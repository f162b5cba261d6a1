"""The tag and note editors against another process writing the same paper while they are open."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import Input, TextArea
from tui_helpers import SIZE, fresh

from readlist.app.commands import AppendNote, EditTags, Rate
from readlist.app.imports import ImportPapers
from readlist.app.notes import ADDED_ELSEWHERE, CHANGED_ELSEWHERE, SaveNote, outside_tail
from readlist.core.model import Paper
from readlist.storage.library import Library
from readlist.tui.app import ReadlistApp
from readlist.tui.screens.main import MainScreen
from readlist.tui.screens.note_editor import NoteEditor
from readlist.tui.screens.tags import TagEditor, tag_changes
from readlist.tui.widgets.paper_list import PaperList

MakeApp = Callable[..., ReadlistApp]


def current_id(app: ReadlistApp) -> str:
    paper = app.screen.query_one(PaperList).current
    assert paper is not None
    return paper.id


def test_tag_changes_are_relative_to_what_the_box_opened_with() -> None:
    assert tag_changes(["a", "b"], "a, b") == ([], [])
    assert tag_changes(["a", "b"], "a c") == (["c"], ["b"])
    assert tag_changes(["a"], "a, New -a") == (["new"], ["a"])
    assert tag_changes([], "") == ([], [])


async def test_tag_added_elsewhere_while_the_editor_is_open_survives(seed_library: Path, make_app: MakeApp) -> None:
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        main = app.screen
        assert isinstance(main, MainScreen)
        main.set_view_key("tag:llm")
        await pilot.pause()
        pid = current_id(app)
        assert fresh(seed_library).papers[pid].tags == ["generalization", "llm"]
        await pilot.press("t")
        assert isinstance(app.screen, TagEditor)
        # Another terminal: `readlist tag ID +elsewhere`.
        EditTags([pid], add=["elsewhere"]).execute(Library(seed_library))
        tag_input = app.screen.query_one("#tag-input", Input)
        tag_input.value = "llm"  # the user drops "generalization"…
        tag_input.cursor_position = len(tag_input.value)
        await pilot.press(*", mine", "enter")  # …and adds "mine"
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert fresh(seed_library).papers[pid].tags == ["elsewhere", "llm", "mine"]
        # The list shows what is on disk, and one undo step puts back the tags from just before the save.
        kept = app.session.library.get(pid)
        assert kept is not None and kept.tags == ["elsewhere", "llm", "mine"]
        await pilot.press("u")
        await pilot.pause()
        assert fresh(seed_library).papers[pid].tags == ["elsewhere", "generalization", "llm"]


async def test_unchanged_tag_box_writes_nothing(seed_library: Path, make_app: MakeApp) -> None:
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        pid = current_id(app)
        await pilot.press("t")
        EditTags([pid], add=["elsewhere"]).execute(Library(seed_library))
        await pilot.press("enter")
        await pilot.pause()
        assert fresh(seed_library).papers[pid].tags == ["elsewhere"]
        assert not app.session.history.undo_stack


def test_outside_tail_keeps_only_what_was_added_elsewhere() -> None:
    assert outside_tail("mine", "old", "old\n\nappended\n") == f"\n\n{ADDED_ELSEWHERE}\n\nappended\n"
    assert outside_tail("mine\n", "old", "rewritten") == f"\n{CHANGED_ELSEWHERE}\n\nrewritten\n"
    assert outside_tail("mine", "old", "") == ""  # cleared elsewhere: nothing to keep
    assert outside_tail("keep this", "", "this") == ""  # already in the user's text
    assert outside_tail("", "", "new") == f"{ADDED_ELSEWHERE}\n\nnew\n"


async def test_note_changed_elsewhere_is_kept_after_the_users_text(
    small_library: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("readlist.tui.screens.note_editor.AUTOSAVE_SECONDS", 0.2)
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        pid = current_id(app)
        SaveNote(pid, "first thoughts\n").execute(Library(small_library))
        await pilot.pause(1.2)  # the app polls the file and picks the note up
        await pilot.press("n")
        editor = app.screen
        assert isinstance(editor, NoteEditor)
        await pilot.press(*"mine")
        await pilot.pause(0.5)
        assert fresh(small_library).papers[pid].note == "first thoughts\nmine"
        # Another terminal rewrites the note while the user keeps typing.
        SaveNote(pid, "written elsewhere").execute(Library(small_library))
        await pilot.press(*" more")
        await pilot.pause(0.5)
        on_disk = fresh(small_library).papers[pid].note
        assert on_disk.startswith("first thoughts\nmine more\n")
        assert CHANGED_ELSEWHERE in on_disk and on_disk.rstrip().endswith("written elsewhere")
        # The editor shows the same text, so the next save does not drop the other version again.
        assert editor.query_one("#note-text", TextArea).text == on_disk
        assert any("changed outside this editor" in n.message for n in app._notifications)
        # The cursor stayed at the end of the user's text.
        await pilot.press(*" end")
        await pilot.press("escape")
        await pilot.pause()
        final = fresh(small_library).papers[pid].note
        assert final.startswith("first thoughts\nmine more end\n\n") and final.rstrip().endswith("written elsewhere")
        # One undo goes back to the other process's version, not to the note from before both.
        await pilot.press("u")
        await pilot.pause()
        assert fresh(small_library).papers[pid].note == "written elsewhere"


async def test_note_appended_elsewhere_keeps_just_the_addition(
    seed_library: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The append must come before any save here: on a slow machine a 3 s autosave could beat it, and so could the
    # save half a second after typing stops.
    monkeypatch.setattr("readlist.tui.screens.note_editor.AUTOSAVE_SECONDS", 3600.0)
    monkeypatch.setattr("readlist.tui.screens.note_editor.SAVE_AFTER_TYPING", 3600.0)
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        pid = current_id(app)
        await pilot.press("n")
        assert isinstance(app.screen, NoteEditor)
        await pilot.press(*"draft")
        # `readlist note ID --append` in another terminal, before anything was saved here.
        AppendNote(pid, "from the CLI").execute(Library(seed_library))
        await pilot.press("escape")
        await pilot.pause()
    assert fresh(seed_library).papers[pid].note == f"draft\n\n{ADDED_ELSEWHERE}\n\nfrom the CLI\n"


async def test_undo_leaves_a_note_appended_elsewhere_since_and_says_so(
    seed_library: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("readlist.tui.screens.note_editor.AUTOSAVE_SECONDS", 3600.0)
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        pid = current_id(app)
        await pilot.press("n")
        assert isinstance(app.screen, NoteEditor)
        await pilot.press(*"draft", "escape")
        await pilot.pause()
        # Then, in another terminal: `readlist note ID --append …`; back in the app, `u`.
        AppendNote(pid, "from the CLI").execute(Library(seed_library))
        await pilot.press("u")
        await pilot.pause()
        assert fresh(seed_library).papers[pid].note == "draft\n\nfrom the CLI\n"
        title = fresh(seed_library).papers[pid].title
        assert any(n.message == f"Left as it is, changed elsewhere since: “{title}”" for n in app._notifications)
        main = app.screen
        assert isinstance(main, MainScreen) and main._message == f"Nothing undone: note edited — “{title}”"


async def test_an_undo_that_left_everything_as_it_is_says_the_next_undo_goes_further_back(
    seed_library: Path, make_app: MakeApp,
) -> None:
    """The step of which nothing could be undone is passed: the next undo reverts the change before it."""
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        first = current_id(app)
        await pilot.press("2", "j")
        await pilot.pause()
        second = current_id(app)
        assert second != first
        await pilot.press("3")
        await pilot.pause()
        Rate([second], 5).execute(Library(seed_library))  # `readlist rate ID 5` in another terminal, then `u` here
        await pilot.press("u")
        await pilot.pause()
        title = fresh(seed_library).papers[second].title
        assert any(n.message == f"Left as it is, changed elsewhere since: “{title}”; undo again goes back to the "
                   "change before" for n in app._notifications)
        await pilot.press("u")
        await pilot.pause()
        papers = fresh(seed_library).papers
        assert (papers[first].rating, papers[second].rating) == (0, 5)


async def test_note_and_tags_typed_while_the_paper_gets_its_arxiv_id_elsewhere_are_saved(
    seed_library: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("readlist.tui.screens.note_editor.AUTOSAVE_SECONDS", 3600.0)
    app = make_app(seed_library)
    async with app.run_test(size=SIZE) as pilot:
        pid = current_id(app)
        assert pid.startswith("t-")
        title = fresh(seed_library).papers[pid].title
        await pilot.press("n", *"before")
        await pilot.pause(0.8)  # saved half a second after typing stops
        # `readlist enrich` in another terminal: the paper is found on arXiv and takes its arXiv id.
        ImportPapers([Paper.create(title=title, arxiv_id="2311.99999")], "arxiv").execute(Library(seed_library))
        await pilot.press(*" after", "escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        papers = fresh(seed_library).papers
        assert pid not in papers and papers["2311.99999"].note == "before after"
        assert not any("deleted" in n.message for n in app._notifications)
        # The tag box too, on the next paper.
        await pilot.press("j")
        other = papers[current_id(app)]
        assert other.id.startswith("t-")
        await pilot.press("t")
        assert isinstance(app.screen, TagEditor)
        ImportPapers([Paper.create(title=other.title, arxiv_id="2311.99998")], "arxiv").execute(Library(seed_library))
        await pilot.press(*" renamed", "enter")
        await pilot.pause()
        assert "renamed" in fresh(seed_library).papers["2311.99998"].tags
