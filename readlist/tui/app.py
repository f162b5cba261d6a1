"""The Textual application: a thin shell that owns the session and routes messages between screens.

:func:`create_app` builds the app from a session (tests hand it any session they like); the main
screen, triage mode, the note editor and the rest receive the session and post messages up.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from functools import partial
from pathlib import Path
from typing import ClassVar

from textual import events, on
from textual.actions import ActionParseResult
from textual.app import App, SystemCommand
from textual.binding import BindingType
from textual.command import Provider
from textual.dom import DOMNode
from textual.driver import Driver
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.timer import Timer

from readlist.app.first_screen import FirstScreen, kept_first_screen, save_first_screen
from readlist.app.foreground import Foreground
from readlist.app.interest import InterestResult
from readlist.app.interest_process import InterestProcess
from readlist.app.remembered_interest import RememberedInterest, about_library, recall_scores
from readlist.app.session import Session
from readlist.app.sync import SyncError, is_set_up, sync
from readlist.app.ui_state import load_ui_state
from readlist.app.views import UI_SORT_KEYS
from readlist.config.settings import load_config
from readlist.core.text import clean_note, inert_text, web_address
from readlist.storage.errors import LibraryError
from readlist.tui import bindings
from readlist.tui.key_order import KeyOrder
from readlist.tui.key_parser import plain_key
from readlist.tui.keymap import resolve as resolve_keymap
from readlist.tui.messages import (
    ExternalChanges,
    FirstScreenShown,
    InterestUpdated,
    LibraryChanged,
    LibraryLoaded,
    PapersEdited,
)
from readlist.tui.palette import PlainCommands
from readlist.tui.screens.base import KeepsTyping
from readlist.tui.screens.main import MainScreen
from readlist.tui.themes import ThemeController, controller_for, install_themes

POLL_SECONDS = 1.0
# A key's change waits at most this long for another process's lock (a command holds it for milliseconds; a
# large import or `doctor --compact` for a few seconds). The wait stops the screen, and keys typed meanwhile
# would act later on whatever is then under the cursor: past it, the change is refused with a message instead.
UI_LOCK_TIMEOUT = 3.0
# The interest model is first trained this long after start-up (after the first paint and the search index),
# and again this long after the last of a burst of decisions, so a fast triage retrains once, not per key:
# retraining takes a core for 0.1-0.3 s at 10k papers, and a list re-ranked under a burst of keys would move
# papers while they are being decided.
INTEREST_START_SECONDS = 1.5
INTEREST_SETTLE_SECONDS = 1.0
# Before there are enough decisions the answer is only a count of what is missing ("7 more decisions"), which the
# child works out without a model in milliseconds, and nothing is re-ranked: it follows the keys at once, instead of
# saying "10 more" through a whole burst of decisions.
COLD_SETTLE_SECONDS = 0.1
# What the user does that the app's background threads wait for the answer to (see readlist.app.foreground).
_ANSWERED_FIRST = (events.Key, events.MouseDown, events.MouseScrollDown, events.MouseScrollUp)
# Signals that close the app the way quitting does, so nothing typed is lost: the terminal went away (SIGHUP:
# its window was closed, an SSH connection dropped) or the system asked (SIGTERM: logout, shutdown, `kill`).
# Python's own response is to end at once, which lost a note typed in the half second before (the editor saves
# after a pause in typing).
# (Windows has neither a hang-up signal nor asyncio's signal handlers: there the app ends as Python does.)
HANG_UP: int = getattr(signal, "SIGHUP", 1)
ENDING_SIGNALS = tuple(getattr(signal, name) for name in ("SIGHUP", "SIGTERM") if hasattr(signal, name))
# Closing writes to the terminal, and one that is gone can make that fail or hang: past this, the process ends
# anyway (every change is on disk by then; the library is folded together on the next start).
FORCED_EXIT_SECONDS = 5.0
# The variables readlist's stylesheet uses beyond Textual's own, for when themes cannot be installed.
FALLBACK_VARIABLES = {
    "status-inbox": "#8fb8de",
    "status-to-read": "#7fc97f",
    "status-reading": "#e8c04a",
    "status-read": "#9e9e9e",
    "status-skipped": "#9e6b6b",
    "rating-star": "#e8c04a",
    "panel-text-muted": "#a0a0a0",
}


class ReadlistApp(App[None]):
    """Keyboard-driven triage of a readlist library."""

    CSS_PATH = "readlist.tcss"
    TITLE = "readlist"
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {PlainCommands}
    BINDINGS: ClassVar[list[BindingType]] = bindings.APP

    def __init__(
        self,
        session: Session,
        *,
        theme: str | None = None,
        demo: bool = False,
        today: date | None = None,
        interest_start: float | None = INTEREST_START_SECONDS,
        first_screen: FirstScreen | None = None,
        remembered: InterestResult | None = None,
        handle_signals: bool = False,
    ) -> None:
        self._theme_fallback = False
        # NO_COLOR: Textual turns every colour into a grey unless the app draws in the terminal's own colours,
        # and then it leaves colours out altogether, which is what NO_COLOR asks. The cursor, the current view
        # and the other highlights are then shown in reverse video (readlist.tcss, PaperList).
        super().__init__(ansi_color=True if "NO_COLOR" in os.environ else None)
        self.session = session
        self._handle_signals = handle_signals
        # The signal that closed the app (SIGHUP, SIGTERM), if one did: the terminal may be gone.
        self.ended_by: int | None = None
        self._forced_exit: threading.Timer | None = None
        # Set by the quit key (or a signal): keys typed after it are dropped, not acted on while the app closes.
        self.quitting = False
        self._quit_waited = False  # a quit has waited for keys pressed while the library loaded (see _quit_now)
        self.first_screen = first_screen
        self.load_error = ""  # why a library opened in the background could not be read
        # What the user must be told once the terminal is back (a note kept in a file because it could not be
        # saved while the app closed); the exit status is then 1.
        self.exit_notices: list[str] = []
        self._loading = False
        # Told of every key and click, so that the app's own background threads (the search index's build) wait
        # for its answer instead of running in turns with it (see readlist.app.foreground).
        self.foreground = Foreground()
        # Keys typed in a burst are handled one at a time, each where the one before left the app (a box it opened).
        self.key_order = KeyOrder(self, self._handle_key)
        self.settings = session.settings
        self.demo = demo
        self.today = today or date.today()
        sort = self.settings.sort
        self.initial_sort = sort if sort == "auto" or sort.lstrip("+-") in UI_SORT_KEYS else "auto"
        # Interest scores and related papers, computed in a child process that reads the same library, so the
        # model's memory and work stay out of the app's (see readlist.app.interest_process).
        self.interest = InterestProcess(session.library.path, self._interest_ready_threaded,
                                        on_error=self._interest_failed_threaded)
        # The newest scores; at first the last session's, when they were kept (the Inbox starts in their order).
        self.interest_snapshot: InterestResult | None = remembered
        if session.library.ready:
            self._check_remembered()
        self._interest_start = interest_start  # None: only when asked (tests that picture the screen)
        self._interest_timer: Timer | None = None
        self.theme_problem = ""
        self._install_themes(theme)
        keymap = resolve_keymap(self.settings.keymap)
        self.keymap_problems = keymap.problems
        if keymap.keys:
            self.set_keymap(keymap.keys)

    def get_driver_class(self) -> type[Driver]:
        """Textual's driver for the platform; for a POSIX terminal, the one whose key parser keeps an Esc typed just
        before another key (see readlist.tui.key_parser)."""
        driver = super().get_driver_class()
        # Told by name: the module of Textual's POSIX driver cannot be imported on Windows.
        if driver.__module__ == "textual.drivers.linux_driver" and driver.__name__ == "LinuxDriver":
            from readlist.tui.terminal_driver import TerminalDriver

            return TerminalDriver
        return driver

    def on_mount(self) -> None:
        self.push_screen(MainScreen(self.session, sort=self.initial_sort, today=self.today,
                                    first_screen=self.first_screen, interest=self.interest_snapshot))
        self.set_interval(POLL_SECONDS, self.poll_library)
        if self._handle_signals:
            loop = asyncio.get_running_loop()
            for ending in ENDING_SIGNALS:
                with contextlib.suppress(NotImplementedError):
                    loop.add_signal_handler(ending, self.end_on_signal, ending)
            if _terminal_there():
                self.set_interval(POLL_SECONDS, self._check_terminal)
        if self.session.library.ready:
            self._start_with_library()
        for problem in [*self.settings.problems, *self.keymap_problems]:
            self.notify(problem, severity="warning", markup=False, timeout=12)
        if self.theme_problem:
            self.notify(self.theme_problem, severity="warning", markup=False)
        if self.demo:
            self.notify("Demo library: changes go to a temporary file.", markup=False)
        self._tell_notices()

    @on(FirstScreenShown)
    def _load_in_background(self) -> None:
        """The main screen shows the last run's first screen: read the library now, off the UI thread."""
        if not self.session.library.ready and not self._loading:
            self._loading = True
            threading.Thread(target=self._load_library, name="readlist-load", daemon=True).start()

    def _load_library(self) -> None:
        try:
            self.session.load()
        except LibraryError as exc:
            if self.is_running:
                self.call_from_thread(self._load_failed, str(exc))
            return
        if self.is_running:  # else the app was quit while it loaded, with no key waiting for it
            self.call_from_thread(self._library_loaded)

    def _library_loaded(self) -> None:
        self._tell_notices()
        self._check_remembered()
        for screen in self.screen_stack:
            screen.post_message(LibraryLoaded())
        self._start_with_library()

    def _check_remembered(self) -> None:
        """Once the library is read: kept scores that are not about it (another library's) are not used."""
        snapshot = self.interest_snapshot
        if (isinstance(snapshot, RememberedInterest)
                and not about_library(snapshot, self.session.library.papers.keys())):
            self.interest_snapshot = None
            for screen in self.screen_stack:
                if isinstance(screen, MainScreen):
                    screen.interest = None  # before it draws the library, on the message that follows

    def _start_with_library(self) -> None:
        """What waits for the library: syncing at start-up, the search index and the first interest scores."""
        if self.settings.sync_on_start_and_quit and not self.demo and is_set_up(self.session.library.path):
            for screen in self.screen_stack:
                if isinstance(screen, MainScreen):
                    self.call_after_refresh(screen.sync_now)  # config.toml: sync_on_start_and_quit
                    break
        # After the first paint, not competing with it; the build gives way to keys (Foreground).
        self.set_timer(1.0, partial(self.session.views.warm_search, self.foreground.give_way))
        # So that the first change waits for no import: the lock's module is loaded in the background.
        threading.Thread(target=self.session.library.prepare_lock, name="readlist-lock", daemon=True).start()
        if self._interest_start is not None:
            self.set_timer(self._interest_start, self._first_interest)

    def _load_failed(self, problem: str) -> None:
        self.load_error = problem
        self.exit(return_code=1)

    def _tell_notices(self) -> None:
        """What the library found and did on its own (a journal set aside, say), once each."""
        for notice in self.session.library.take_notices():
            self.notify(notice, severity="warning", markup=False, timeout=20)

    def _install_themes(self, requested: str | None) -> None:
        """Register readlist's themes (they define the variables the stylesheet uses)."""
        try:
            install_themes(self, requested, self.settings)
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
        if self._theme_fallback:
            return {**FALLBACK_VARIABLES, **defaults}
        return defaults

    def get_css_variables(self) -> dict[str, str]:
        """Textual's variables for the current theme, with readlist's muted text and footer colours over Textual's own.

        See :meth:`ThemeController.generated_overrides`.
        """
        variables = super().get_css_variables()
        controller = self._theme_controller()
        overrides = controller.generated_overrides(variables) if controller is not None else {}
        if overrides:
            variables = {**variables, **overrides}
            self.theme_variables = variables
        return variables

    def search_themes(self) -> None:
        """The theme picker with live preview and origins, instead of Textual's plain list."""
        controller = self._theme_controller()
        if controller is not None:
            controller.open_picker()
        else:
            super().search_themes()

    def _theme_controller(self) -> ThemeController | None:
        return controller_for(self)

    # -- what reaches the terminal and the desktop ----------------------------------

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification, the app's and every screen's, shown inert: they quote titles, paths and errors."""
        message, title = inert_text(message, multiline=True), inert_text(title)
        if timeout is None:
            super().notify(message, title=title, severity=severity, markup=markup)
        else:
            super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    async def on_event(self, event: events.Event) -> None:
        """Keys and clicks go before the app's background work; pasted text is cleaned before any input sees it.

        It is as untrusted as a library file (copied from a web page, say): escape sequences in it
        would be drawn raw by the search box, the tag box or the note editor, and stored cleaned anyway.
        """
        if isinstance(event, _ANSWERED_FIRST) and not event.is_forwarded:
            self.foreground.key_pressed()
        if isinstance(event, events.Paste) and not event.is_forwarded:
            event.text = clean_note(event.text)
            await self.key_order.take(event)
            return
        if isinstance(event, events.Key) and not event.is_forwarded:
            for key in self._escape_then(event) or (event,):
                await self.key_order.take(key)
            return
        await super().on_event(event)

    async def _on_key(self, event: events.Key) -> None:
        # A key that went up to the app: Textual's handler runs its binding, here rather than after this one (every
        # class's handler runs unless one prevents the rest), so the key order hears when it is done.
        await super()._on_key(event)
        event.prevent_default()
        self.key_order.reached_app(event)

    async def _handle_key(self, typed: events.Key | events.Paste) -> None:
        """What Textual does with a key or a paste: a priority binding, else handed to the widget in focus."""
        await super().on_event(typed)

    def _escape_then(self, event: events.Key) -> tuple[events.Key, ...]:
        """Esc and the key typed right after it, for an Alt key nothing is bound to; else nothing.

        A terminal without the kitty keyboard protocol (xterm, tmux) sends Esc as a bare escape character and Alt+j
        as that character followed by j, so Esc typed just before j in one burst (a fast typist, SSH) reached the app
        as Alt+j: a text box typed it as j, the list ignored it, and the Esc was lost. readlist binds no Alt key, so
        one nothing is bound to (``[keymap]`` can bind one) is taken as the two keys the terminal most likely had.
        The key parser names every key read after a bare escape character so (Alt+Enter, Alt+4), not only letters.
        """
        character = event.character
        if not event.key.startswith("alt+") or character is None or len(character) != 1:
            return ()
        if any(event.key in bound.key_to_bindings for _, bound in self.screen._binding_chain):
            return ()
        return events.Key("escape", "\x1b"), plain_key(character)

    async def run_action(
        self,
        action: str | ActionParseResult,
        default_namespace: DOMNode | None = None,
        namespaces: Mapping[str, DOMNode] | None = None,
    ) -> bool:
        """Every key binding runs its action through here: once the app is quitting, keys typed after q are
        swallowed. One that opens a dialog opened it on a closing app, which crashed (a traceback, exit status
        1); one that changes a paper would change it after the user asked to leave. What was typed before q is
        handled ahead of it and kept."""
        if self.quitting:
            return True
        return await super().run_action(action, default_namespace, namespaces)

    def open_url(self, url: str, *, new_tab: bool = True) -> None:
        """Hand only http(s) addresses to the browser (note links included).

        A library file is untrusted: a ``file:`` or other scheme would have the desktop open local
        files or start other programs.
        """
        address = web_address(url)
        if address is None:
            self.notify(f"Not opened: {url} is not an http(s) address.", severity="warning", markup=False)
            return
        super().open_url(address, new_tab=new_tab)

    # -- the library changing under the screens -----------------------------------

    def poll_library(self) -> None:
        """Pick up changes another process (a CLI command, say) made to the library."""
        if not self.session.library.ready:
            return  # still loading: it reads the files as they are when it gets to them
        try:
            changed = self.session.refresh()
        except LibraryError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        except Exception as exc:  # a file half-written by another tool: try again next tick
            self.log.warning(f"refresh failed: {exc}")
            return
        self._tell_notices()
        if changed:
            self._tell_screens()
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                screen.check_outside_files()

    @on(ExternalChanges)
    def _external_changes(self) -> None:
        # After the keypress that brought them in has been handled and drawn.
        self.call_after_refresh(self._tell_screens)

    def _tell_screens(self) -> None:
        self.session.views.invalidate()
        for screen in self.screen_stack:
            screen.post_message(LibraryChanged())
        self._interest_soon()

    # -- interest: learned in the background, handed to the screens when ready --------

    @on(PapersEdited)
    def _papers_edited(self) -> None:
        self._interest_soon()

    def _interest_soon(self) -> None:
        if self._interest_timer is not None:
            self._interest_timer.stop()
        snapshot = self.interest_snapshot
        cold = snapshot is not None and snapshot.to_go is not None
        self._interest_timer = self.set_timer(COLD_SETTLE_SECONDS if cold else INTEREST_SETTLE_SECONDS,
                                              self.retrain_interest)

    def _first_interest(self) -> None:
        if self.interest.generation == 0:  # nothing asked for it yet
            self.retrain_interest()

    def retrain_interest(self) -> int:
        """Ask for new scores over the library as it is now; the UI never waits for them.

        Every change is durable in the journal by now, so the child process reading the file sees it.
        """
        self._interest_timer = None
        try:
            return self.interest.submit()
        except RuntimeError:  # closed: the app is shutting down
            return 0

    def _interest_ready_threaded(self, snapshot: InterestResult) -> None:
        with contextlib.suppress(RuntimeError):  # the app stopped while the worker finished
            self.call_from_thread(self._interest_ready, snapshot)

    def _interest_failed_threaded(self, error: BaseException) -> None:
        with contextlib.suppress(RuntimeError):
            self.call_from_thread(self._interest_failed, error)

    def _interest_ready(self, snapshot: InterestResult) -> None:
        if not self.interest.is_current(snapshot.generation):
            return  # a newer decision is being learned; its result follows
        self.interest_snapshot = snapshot
        for screen in self.screen_stack:
            screen.post_message(InterestUpdated(snapshot))

    def _interest_failed(self, error: BaseException) -> None:
        self.notify(f"Interest ranking is unavailable: {error}", severity="warning", markup=False, timeout=12)

    def on_unmount(self) -> None:
        self.interest.close(timeout=0)

    # -- app-wide actions ------------------------------------------------------------

    def save_open_editors(self) -> None:
        """Write any note being edited, and what a form or the tag box holds (used on quit, so leaving never
        loses typing)."""
        editors = sys.modules.get("readlist.tui.screens.note_editor")  # loaded with the first editor opened
        for screen in self.screen_stack:
            if editors is not None and isinstance(screen, editors.NoteEditor):
                screen.save()
            elif isinstance(screen, KeepsTyping) and (notice := screen.keep_on_quit()) is not None:
                self.exit_notices.append(notice)

    async def action_quit(self) -> None:
        self._quit()

    def _quit(self, return_code: int = 0) -> None:
        self.quitting = True
        # Keys typed just before the quit key (or the signal) may still wait in the focused widget's own queue (a
        # fast typist's last words in a note): quit once it has handled them, so they are saved too.
        focused = self.focused
        if focused is not None and focused.call_later(self._quit_now, return_code):
            return
        self._quit_now(return_code)

    def _quit_now(self, return_code: int = 0) -> None:
        if not self._quit_waited:
            self._quit_waited = True  # once: what loading runs then comes back here, to quit
            waiting = partial(self._quit_now, return_code)
            if any(isinstance(screen, MainScreen) and screen.quit_once_loaded(waiting) for screen in self.screen_stack):
                return
        self.save_open_editors()
        place = self._triage_place()
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                screen.remember_state(place)
                screen.stop_online()
        self.exit(return_code=return_code)

    def _triage_place(self) -> str | None:
        """The paper triage mode shows (under a note or tag editor too): quitting there remembers it, as Esc
        would leave the list's cursor on it."""
        triage = sys.modules.get("readlist.tui.screens.triage")  # loaded with the first triage opened
        if triage is None:
            return None
        for screen in reversed(self.screen_stack):
            if isinstance(screen, triage.TriageScreen):
                place: str | None = screen.place
                return place
        return None

    def end_on_signal(self, signum: int) -> None:
        """Close as quitting does (the note being typed saved, the screen remembered) when the terminal went away
        or the system asked; the exit status is then 128 + the signal's number, as for a process it ended.

        The signal is heard at once, between two of the app's messages: keys the terminal had already handed over
        may still wait in the app's queue (a loaded machine), so the quit goes in behind them, as a quit key would.
        """
        if self.ended_by is not None:
            return
        self.ended_by = signum
        if self._handle_signals:  # the real app's own process, never a test runner's
            self._forced_exit = threading.Timer(FORCED_EXIT_SECONDS, os._exit, args=(128 + signum,))
            self._forced_exit.daemon = True
            self._forced_exit.start()
        if not self.call_later(self._quit, 128 + signum):
            self._quit(128 + signum)

    def _check_terminal(self) -> None:
        """A terminal closed without a hang-up signal (the program holding it ended, and this process does not
        have it as its controlling terminal) is noticed here: closed as on SIGHUP. Otherwise Textual's input
        thread, reading nothing from it over and over, keeps a core busy for as long as the process lives."""
        if not _terminal_there():
            self.end_on_signal(HANG_UP)

    def closed(self) -> None:
        """The app has returned from ``run``: what is left to do after a signal may take its time."""
        if self._forced_exit is not None:
            self._forced_exit.cancel()

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        # Of Textual's own entries, the theme and quit: its key panel lists widget keys readlist does not use
        # (and Esc does not close it), its screenshot has nowhere set to go, and maximize hides the views.
        yield from (command for command in super().get_system_commands(screen) if command.title in _KEPT_SYSTEM)
        # Textual's own says "as soon as possible"; readlist saves what is being typed first.
        yield SystemCommand("Quit", "Leave readlist; a note, the details form or the tag box being edited is saved "
                                    "first · key: q (ctrl+q in a text box)", self.action_quit)
        seen = {"quit", "app.quit", "command_palette"}
        from readlist.tui.screens.help import bindings_table

        for row in bindings_table(self, screen):
            if row.action in seen or not row.description:
                continue
            seen.add(row.action)
            yield SystemCommand(row.description, f"{row.long} · key: {row.keys}", _runner(self, row.action, row.node))
        if isinstance(screen, MainScreen):
            for title, help_text, callback in screen.palette_commands():
                yield SystemCommand(title, help_text, callback)
        controller = self._theme_controller()
        if controller is not None:
            # Found by typing a theme's name; left out of the opening list, which "Theme" already covers.
            for title, help_text, callback in controller.palette_commands():
                yield SystemCommand(title, help_text, callback, discover=False)


_KEPT_SYSTEM = frozenset({"Theme"})


def _runner(app: App[None], action: str, namespace: object) -> Callable[[], object]:
    async def run() -> None:
        await app.run_action(action, namespace)  # type: ignore[arg-type]

    return run


def create_app(
    session: Session,
    *,
    theme: str | None = None,
    demo: bool = False,
    today: date | None = None,
    interest_start: float | None = INTEREST_START_SECONDS,
    first_screen: FirstScreen | None = None,
    remembered: InterestResult | None = None,
    handle_signals: bool = False,
) -> ReadlistApp:
    """The app for a session: the one way the CLI, the tests and the screenshots build it.

    ``interest_start`` is how long after start-up the interest model is first trained; None leaves it
    until ``retrain_interest`` is called (after a decision, or by a test that wants a fixed picture).
    A session whose library is not loaded yet is loaded in the background after the first paint,
    which shows ``first_screen`` (what the last run's first screen showed) meanwhile. ``remembered``: the
    last session's interest scores, which order the Inbox until the model has been trained again.
    ``handle_signals``: close as quitting does on SIGHUP and SIGTERM (the real app; tests call
    ``end_on_signal`` themselves rather than take over the test runner's signals).
    """
    session.library.set_lock_timeout(min(session.library.lock_timeout, UI_LOCK_TIMEOUT))
    return ReadlistApp(session, theme=theme, demo=demo, today=today, interest_start=interest_start,
                       first_screen=first_screen, remembered=remembered, handle_signals=handle_signals)


def sync_on_quit(session: Session) -> bool:
    """config.toml's sync_on_start_and_quit: sync once the app has closed, and say how it went on one line.

    False when the sync failed: ``readlist`` then ends with exit status 1, as ``readlist sync`` would, so a
    script that closes the app and goes on (shuts the laptop down) can tell the changes were not sent.
    """
    print("readlist: syncing …", file=sys.stderr)
    try:
        report = sync(session.library, interactive=sys.stdin is not None and sys.stdin.isatty())
    except (SyncError, LibraryError) as exc:
        print(f"readlist: sync failed: {inert_text(str(exc))}", file=sys.stderr)
        return False
    print(f"readlist: synced: {inert_text(report.summary())}", file=sys.stderr)
    for line in report.details():
        print(f"readlist:   {inert_text(line)}", file=sys.stderr)
    return True


def run_app(db_path: Path, *, theme: str | None = None, demo: bool = False) -> None:
    """Open the library in the TUI; an unusable library is one line on stderr and exit status 1.

    When the last run kept its first screen and the files are exactly as it left them, the app paints
    that at once and reads the library in the background; otherwise it reads the library first.
    """
    settings = load_config()
    first_screen = None if demo else kept_first_screen(db_path)
    remembered = None if demo else recall_scores(db_path)
    try:
        session = Session.open(db_path, settings=settings, load=first_screen is None)
    except LibraryError as exc:
        print(f"readlist: {inert_text(str(exc))}", file=sys.stderr)
        raise SystemExit(1) from None
    app = create_app(session, theme=theme, demo=demo, first_screen=first_screen, remembered=remembered,
                     handle_signals=True)
    app.run()
    app.closed()
    synced = True  # or not asked for
    if app.load_error:
        _say(f"readlist: {inert_text(app.load_error)}")
    for notice in app.exit_notices:
        _say(f"readlist: {inert_text(notice)}")
    if session.library.ready:
        try:
            # Fold the journal into the snapshot so plain TinyDB readers see the session's changes.
            session.library.compact()
        except LibraryError as exc:
            _say(f"readlist: {inert_text(str(exc))}")
        state = load_ui_state(db_path)  # where the next start goes back to: keep that screen for it
        if state is not None and not demo:
            save_first_screen(session, state.view, state.sort or app.initial_sort, state.search, state.paper,
                              settings.views)
        # Not after a signal: the terminal may be gone and the system waiting for the process to end.
        if (session.settings.sync_on_start_and_quit and not demo and app.ended_by is None
                and is_set_up(session.library.path)):
            synced = sync_on_quit(session)
    if app.return_code or app.exit_notices or not synced:
        raise SystemExit(app.return_code or 1)


def _terminal_there() -> bool:
    """Whether the terminal the app reads keys from is still there (once closed, it is no longer a tty)."""
    stdin = sys.__stdin__
    try:
        return stdin is not None and os.isatty(stdin.fileno())
    except (OSError, ValueError):
        return False


def _say(line: str) -> None:
    """One line on stderr, if there is still a terminal to show it (closed by a hang-up, writing fails)."""
    with contextlib.suppress(OSError):
        print(line, file=sys.stderr)
