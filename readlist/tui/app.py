"""The Textual application: owns the library, the undo history and app-wide actions."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, TypeVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from readlist.config.settings import load_config
from readlist.core.model import Paper, ValidationError
from readlist.core.query import SORT_KEYS
from readlist.store import Library, LibraryError
from readlist.tui.viewmodel import Changes, History, ListModel, Step

if TYPE_CHECKING:
    from readlist.tui.themes import ThemeController

POLL_SECONDS = 1.0
T = TypeVar("T")
# The variables readlist's stylesheet uses beyond Textual's own, for when themes cannot be installed.
FALLBACK_VARIABLES = {
    "status-inbox": "#8fb8de",
    "status-to-read": "#7fc97f",
    "status-reading": "#e8c04a",
    "status-read": "#9e9e9e",
    "status-skipped": "#9e6b6b",
    "rating-star": "#e8c04a",
}


class ReadlistApp(App[None]):
    """Keyboard-driven triage of a readlist library."""

    CSS_PATH = "readlist.tcss"
    TITLE = "readlist"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="quit"),
    ]

    def __init__(
        self,
        db_path: Path,
        *,
        theme: str | None = None,
        demo: bool = False,
        today: date | None = None,
    ) -> None:
        super().__init__()
        # Opening may raise LibraryError; run_app turns that into a one-line message.
        self.lib = Library(Path(db_path))
        self.config = load_config()
        self.demo = demo
        self.today = today or date.today()
        self.history = History()
        self.model = ListModel(self.lib)
        sort = self.config.sort
        self.initial_sort = sort if sort.lstrip("+-") in SORT_KEYS else "added"
        self.theme_problem = ""
        self._install_themes(theme)
        if self.config.keymap:
            self.set_keymap(self.config.keymap)

    def on_mount(self) -> None:
        from readlist.tui.screens.main import MainScreen

        self.push_screen(MainScreen())
        self.set_interval(POLL_SECONDS, self.poll_library)
        self.set_timer(1.0, self.model.warm_search)  # after the first paint, not competing with it
        for problem in self.config.problems:
            self.notify(problem, severity="warning", markup=False, timeout=8)
        if self.theme_problem:
            self.notify(self.theme_problem, severity="warning", markup=False)
        if self.demo:
            self.notify("Demo library: changes go to a temporary file.", markup=False)

    def _install_themes(self, requested: str | None) -> None:
        """Register readlist's themes (they define the variables the stylesheet uses)."""
        try:
            from readlist.tui.themes import install_themes

            install_themes(self, requested)
        except Exception as exc:  # a broken theme setup must not stop the app: fall back to defaults
            self._theme_fallback = True
            self.theme_problem = f"Themes could not be loaded ({exc}); using the default look."

    def get_theme_variable_defaults(self) -> dict[str, str]:
        """Textual's defaults plus the readlist variables the current theme leaves out.

        Derived from the current theme on every call, so a theme registered after start-up
        (or one of Textual's own) still defines everything the stylesheet uses.
        """
        defaults = super().get_theme_variable_defaults()
        controller = self._theme_controller()
        if controller is not None:
            return {**controller.variable_defaults(), **defaults}
        if getattr(self, "_theme_fallback", False):
            return {**FALLBACK_VARIABLES, **defaults}
        return defaults

    def search_themes(self) -> None:
        """The theme picker with live preview and origins, instead of Textual's plain list."""
        controller = self._theme_controller()
        if controller is not None:
            controller.open_picker()
        else:
            super().search_themes()

    def _theme_controller(self) -> ThemeController | None:
        # Called by Textual while App.__init__ runs, before themes are installed.
        try:
            from readlist.tui.themes import controller_for
        except ImportError:
            return None
        return controller_for(self)

    # -- library changes -------------------------------------------------------

    def _guarded(self, work: Callable[[], T]) -> T | None:
        """Run a library write; errors become a notification, not a crash.

        A write first catches up with other processes. When that brought in their
        changes too (the version moved more than our own commit explains), the
        screens rebuild from the whole library once this keypress is handled.
        """
        version = self.lib.version
        try:
            result = work()
        except (LibraryError, ValidationError) as exc:
            self.notify(str(exc), severity="error", markup=False)
            return None
        ours = 1 if result else 0
        if self.lib.version - version > ours:
            self.call_after_refresh(self._external_change)
        return result

    def run_change(self, label: str, change: Callable[[], Changes]) -> Changes | None:
        """Run a library change and record it for undo."""
        before = self._guarded(change)
        if before is not None:
            self.history.record(self.lib, label, before)
        return before

    def undo(self) -> Step | None:
        return self._guarded(lambda: self.history.undo(self.lib))

    def redo(self) -> Step | None:
        return self._guarded(lambda: self.history.redo(self.lib))

    def poll_library(self) -> None:
        """Pick up changes another process (a CLI command, say) made to the library."""
        try:
            changed = self.lib.refresh()
        except LibraryError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        except Exception as exc:  # a file half-written by another tool: try again next tick
            self.log.warning(f"refresh failed: {exc}")
            return
        if changed:
            self._external_change()

    def _external_change(self) -> None:
        self.model.invalidate()
        for screen in self.screen_stack:
            refresh = getattr(screen, "library_changed", None)
            if callable(refresh):
                refresh()

    # -- app-wide actions ------------------------------------------------------------

    def copy_citation(self, papers: Sequence[Paper], fmt: str = "bibtex") -> None:
        if not papers:
            self.notify("No paper to cite.", severity="warning", markup=False)
            return
        try:
            from readlist.app.clipboard import copy_text
            from readlist.core.cite import format_entries
        except ImportError:
            self.notify("Citations are not available in this build.", severity="error", markup=False)
            return
        try:
            text = format_entries(list(papers), fmt)
        except (ValueError, KeyError) as exc:
            self.notify(f"Could not format the citation: {exc}", severity="error", markup=False)
            return
        count = len(papers)
        what = f"{count} citation" + ("" if count == 1 else "s")
        result = copy_text(text, osc52_writer=self.copy_to_clipboard, what=what)
        self.notify(result.message, severity="information" if result.ok else "error", markup=False)

    def action_stats(self) -> None:
        try:
            from readlist.tui.screens.stats import StatsScreen
        except ImportError:
            self.notify("The statistics screen is not available in this build.", severity="error", markup=False)
            return
        self.push_screen(StatsScreen(self.lib))

    def show_help(self) -> None:
        from readlist.tui.screens.help import HelpScreen, bindings_table

        self.push_screen(HelpScreen(bindings_table(self, self.screen), title=_screen_title(self.screen)))

    def save_open_editors(self) -> None:
        """Write any note being edited (used on quit, so leaving never loses typing)."""
        from readlist.tui.screens.note_editor import NoteEditor

        for screen in self.screen_stack:
            if isinstance(screen, NoteEditor):
                screen.save()

    async def action_quit(self) -> None:
        self.save_open_editors()
        self.exit()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        from readlist.tui.screens.help import bindings_table

        seen = {"quit", "app.quit", "command_palette"}
        for row in bindings_table(self, screen):
            if row.action in seen or not row.description:
                continue
            seen.add(row.action)
            yield SystemCommand(row.description, f"{row.long} · key: {row.keys}", _runner(self, row.action, row.node))
        extra = getattr(screen, "palette_commands", None)
        if callable(extra):
            for title, help_text, callback in extra():
                yield SystemCommand(title, help_text, callback)
        controller = self._theme_controller()
        if controller is not None:
            # Found by typing a theme's name; left out of the opening list, which "Theme" already covers.
            for title, help_text, callback in controller.palette_commands():
                yield SystemCommand(title, help_text, callback, discover=False)


def _runner(app: App[None], action: str, namespace: object) -> Callable[[], object]:
    async def run() -> None:
        await app.run_action(action, namespace)  # type: ignore[arg-type]

    return run


def _screen_title(screen: Screen) -> str:
    return getattr(screen, "HELP_TITLE", "") or "readlist"
