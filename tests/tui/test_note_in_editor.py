"""N edits the note in $VISUAL or $EDITOR from the app, with the terminal handed over, and saves it as
`readlist note ID --edit` does.

Textual's headless driver (what Pilot runs) cannot hand the terminal over: App.suspend raises there, which one test
checks the app says. The others replace App.suspend alone, by a step that hands nothing over, and run a real
program as $EDITOR: a shell script that edits the draft it is given.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from tui_helpers import SIZE, burst, fresh, settle, topbar

from readlist.app.notes import SaveNote
from readlist.core.text import clean_note
from readlist.tui.app import ReadlistApp
from readlist.tui.screens.main import MainScreen
from readlist.tui.screens.triage import TriageScreen
from readlist.tui.widgets.note import EDITOR_MAX_CHARS
from readlist.tui.widgets.paper_list import PaperList

MakeApp = Callable[..., ReadlistApp]


@pytest.fixture
def drafts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the editor's drafts go (the system's temporary folder, here one of the test's own)."""
    folder = tmp_path / "drafts"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def terminal_handed_over(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """App.suspend, replaced by a step that only counts how often the app handed the terminal over."""
    handed: list[int] = []

    @contextmanager
    def suspend(app: ReadlistApp) -> Iterator[None]:
        handed.append(1)
        yield

    monkeypatch.setattr(ReadlistApp, "suspend", suspend)
    return handed


def editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str) -> None:
    """$EDITOR is a shell script running ``script`` on the draft (``$1``); $VISUAL, which comes first, is unset."""
    path = tmp_path / "editor.sh"
    path.write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    path.chmod(0o755)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", str(path))


def first_paper(app: ReadlistApp) -> str:
    paper = app.screen.query_one(PaperList).current
    assert paper is not None
    return paper.id


def notices(app: ReadlistApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_n_upper_saves_what_the_editor_wrote_as_one_undo_step(
    small_library: Path, make_app: MakeApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, drafts: Path,
    terminal_handed_over: list[int],
) -> None:
    SaveNote(sorted(fresh(small_library).papers)[0], "unused").execute(fresh(small_library))  # another paper's note
    editor(tmp_path, monkeypatch, 'printf "\\nAdded in the editor.\\n" >> "$1"')
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        pid = first_paper(app)
        SaveNote(pid, "# Why\n\nStrong baseline.").execute(app.session.library)
        await pilot.press("N")
        await pilot.pause()
        assert terminal_handed_over == [1]
        assert "Note saved (u undoes)" in topbar(app)
        assert fresh(small_library).papers[pid].note == "# Why\n\nStrong baseline.\n\nAdded in the editor."
        assert list(drafts.iterdir()) == []  # the draft goes once the note is saved
        await pilot.press("u")
        await pilot.pause()
        assert fresh(small_library).papers[pid].note == "# Why\n\nStrong baseline."


async def test_a_note_left_as_it_was_says_nothing_and_records_nothing(
    small_library: Path, make_app: MakeApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, drafts: Path,
    terminal_handed_over: list[int],
) -> None:
    editor(tmp_path, monkeypatch, "exit 0")
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        pid = first_paper(app)
        SaveNote(pid, "kept").execute(app.session.library)
        before = topbar(app)
        await pilot.press("N")
        await pilot.pause()
        assert terminal_handed_over == [1]
        assert topbar(app) == before and notices(app) == []
        assert app.session.history.undo_stack == []
        assert list(drafts.iterdir()) == []
    assert fresh(small_library).papers[pid].note == "kept"


async def test_an_editor_that_fails_changes_nothing_and_says_so(
    small_library: Path, make_app: MakeApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, drafts: Path,
    terminal_handed_over: list[int],
) -> None:
    """`:cq` in vim means "do not save": the note is left as it was, and what the editor had written is kept."""
    editor(tmp_path, monkeypatch, 'printf "Half an hour of notes." > "$1"\nexit 3')
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        pid = first_paper(app)
        await pilot.press("N")
        await pilot.pause()
        [draft] = list(drafts.iterdir())
        said = f"The editor exited with status 3; the note was not changed; your text is kept in {draft}"
        assert said in notices(app)
        assert "│  The editor exited with status 3; the note was not changed" in topbar(app)
        assert draft.read_text(encoding="utf-8") == "Half an hour of notes."
        assert app.session.history.undo_stack == []
    assert fresh(small_library).papers[pid].note == ""


async def test_an_editor_that_cannot_be_run_is_named(
    small_library: Path, make_app: MakeApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, drafts: Path,
    terminal_handed_over: list[int],
) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", str(tmp_path / "no-such-editor"))
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("N")
        await pilot.pause()
        assert any("not found; set $EDITOR; the note was not changed" in said for said in notices(app))
        assert list(drafts.iterdir()) == []


async def test_without_a_terminal_to_hand_over_the_app_says_so(
    small_library: Path, make_app: MakeApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, drafts: Path
) -> None:
    """Pilot's headless terminal cannot be handed to another program (App.suspend raises): one line, no crash."""
    editor(tmp_path, monkeypatch, 'printf "never run" > "$1"')
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        pid = first_paper(app)
        await pilot.press("N")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert f"The terminal cannot be handed to $EDITOR here: `readlist note {pid} --edit`" in topbar(app)
        assert list(drafts.iterdir()) == []
    assert fresh(small_library).papers[pid].note == ""


async def test_the_edited_note_is_cleaned_as_the_command_line_cleans_it(
    small_library: Path, make_app: MakeApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, drafts: Path,
    terminal_handed_over: list[int],
) -> None:
    """What the editor leaves is untrusted text: escape sequences and bidi overrides are not stored."""
    written = "ok \x1b]52;c;ZXZpbA==\x07 \x1b[2J\u202eevil done"
    (tmp_path / "written.txt").write_text(written, encoding="utf-8")
    editor(tmp_path, monkeypatch, f'cat "{tmp_path / "written.txt"}" > "$1"')
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        pid = first_paper(app)
        await pilot.press("N")
        await pilot.pause()
    stored = fresh(small_library).papers[pid].note
    assert stored == clean_note(written) and "\x1b" not in stored and "\u202e" not in stored


async def test_a_note_too_long_for_the_app_s_editor_is_edited_in_editor_and_n_names_the_key(
    small_library: Path, make_app: MakeApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, drafts: Path,
    terminal_handed_over: list[int],
) -> None:
    huge = "\n".join(f"Line {i} " + "word " * 79 for i in range(600))
    assert len(huge) > EDITOR_MAX_CHARS
    editor(tmp_path, monkeypatch, 'printf "The end.\\n" >> "$1"')
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        pid = first_paper(app)
        SaveNote(pid, huge).execute(app.session.library)
        await pilot.press("n")
        await pilot.pause()
        assert f"Note too long to edit here: N (or `readlist note {pid} --edit`) edits it in $EDITOR" in topbar(app)
        await pilot.press("N")
        await pilot.pause()
        assert "Note saved (u undoes)" in topbar(app)
    assert fresh(small_library).papers[pid].note == huge + "\nThe end."


async def test_in_triage_mode_too(
    small_library: Path, make_app: MakeApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, drafts: Path,
    terminal_handed_over: list[int],
) -> None:
    editor(tmp_path, monkeypatch, 'printf "From triage.\\n" > "$1"')
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        pid = first_paper(app)
        await pilot.press("T")
        await pilot.pause()
        assert isinstance(app.screen, TriageScreen)
        await pilot.press("N")
        await pilot.pause()
        assert isinstance(app.screen, TriageScreen)
        assert "Note saved (u undoes)" in notices(app)
    assert fresh(small_library).papers[pid].note == "From triage."


async def test_the_key_can_be_remapped_and_the_refusal_names_it_as_mapped(
    small_library: Path, make_app: MakeApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, drafts: Path,
    terminal_handed_over: list[int], _private_config: Path,
) -> None:
    _private_config.write_text('[keymap]\nnote-in-editor = "ctrl+e, -N"\n', encoding="utf-8")
    editor(tmp_path, monkeypatch, 'printf "Mapped.\\n" > "$1"')
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        pid = first_paper(app)
        SaveNote(pid, "x\n" * 2_001).execute(app.session.library)
        await pilot.press("n")
        await pilot.pause()
        assert f"Note too long to edit here: ^e (or `readlist note {pid} --edit`)" in topbar(app)
        await pilot.press("N")
        await pilot.pause()
        assert terminal_handed_over == []
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert terminal_handed_over == [1]
    assert fresh(small_library).papers[pid].note == "Mapped."


async def test_a_move_typed_just_before_n_upper_leaves_what_the_editor_s_save_says(
    small_library: Path, make_app: MakeApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, drafts: Path,
    terminal_handed_over: list[int],
) -> None:
    """The move was handled after the editor closed, as a fresh one, and took "Note saved" off the top bar."""
    editor(tmp_path, monkeypatch, 'printf "Second paper.\\n" > "$1"')
    app = make_app(small_library)
    async with app.run_test(size=SIZE) as pilot:
        second = app.screen.query_one(PaperList).papers[1].id
        burst(app, "jN")
        await settle(pilot)
        assert "Note saved (u undoes)" in topbar(app)
        await pilot.press("j")
        assert "Note saved" not in topbar(app)
    assert fresh(small_library).papers[second].note == "Second paper."
