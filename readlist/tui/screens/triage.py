"""Triage mode: one paper at a time, full abstract, one key per decision, then a summary."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from readlist.core.model import Status
from readlist.tui.screens.main import TRIAGE_BINDINGS
from readlist.tui.viewmodel import Changes
from readlist.tui.widgets.detail import paper_header

if TYPE_CHECKING:
    from readlist.tui.app import ReadlistApp


class TriageScreen(Screen[None]):
    """Walks through a fixed list of papers; status keys decide and advance, ratings stay."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *TRIAGE_BINDINGS,
        Binding("down,j,right", "next", "Next", show=False, id="triage-next"),
        Binding("up,k,left", "previous", "Previous", show=False, id="triage-previous"),
        Binding("o", "open_url", "Open", show=False, id="open-url"),
        Binding("y", "cite", "Cite", show=False, id="cite"),
        Binding("escape", "back", "Back", id="triage-back"),
        Binding("question_mark", "help", "Help", id="help"),
    ]
    HELP_TITLE = "triage mode"

    def __init__(self, paper_ids: Sequence[str], start: int = 0) -> None:
        super().__init__(id="triage")
        self.paper_ids = list(paper_ids)
        self.index = max(0, min(start, len(self.paper_ids)))
        self.start_state: dict[str, tuple[str, int]] = {}
        self.done = False

    @property
    def rl(self) -> ReadlistApp:
        from readlist.tui.app import ReadlistApp

        assert isinstance(self.app, ReadlistApp)
        return self.app

    def compose(self) -> ComposeResult:
        yield Static(id="triage-progress", markup=False)
        with VerticalScroll(id="triage-body"):
            yield Static(id="triage-header", markup=False)
            yield Static(id="triage-abstract", markup=False)
            yield Static(id="triage-summary", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        lib = self.rl.lib
        for pid in self.paper_ids:
            paper = lib.get(pid)
            if paper is not None:
                self.start_state[pid] = (paper.status, paper.rating)
        self.show()

    # -- drawing ---------------------------------------------------------------

    def show(self) -> None:
        progress = self.query_one("#triage-progress", Static)
        header = self.query_one("#triage-header", Static)
        abstract = self.query_one("#triage-abstract", Static)
        summary = self.query_one("#triage-summary", Static)
        total = len(self.paper_ids)
        if self.done or self.index >= total:
            self.done = True
            progress.update(Text(f" Triage · done · {total} / {total}", style="bold"))
            header.display = abstract.display = False
            summary.display = True
            summary.update(self.summary_text())
            return
        header.display = abstract.display = True
        summary.display = False
        paper = self.rl.lib.get(self.paper_ids[self.index])
        progress.update(Text.assemble(
            (f" Triage · {self.index + 1} / {total}", "bold"),
            ("   s keep · x skip · R reading · r read · 1-5 rate · u undo · j/k move · Esc back", "dim"),
        ))
        if paper is None:
            header.update(Text("This paper is no longer in the library.", style="dim"))
            abstract.update(Text(""))
            return
        header.update(paper_header(paper))
        abstract.update(Text(paper.abstract or "(no abstract)"))
        self.query_one("#triage-body", VerticalScroll).scroll_home(animate=False)

    def tally(self) -> dict[str, int]:
        """What this session changed, read from the library so undo is accounted for."""
        result = {"kept": 0, "skipped": 0, "reading": 0, "read": 0, "rated": 0}
        names = {Status.TO_READ.value: "kept", Status.SKIPPED.value: "skipped",
                 Status.READING.value: "reading", Status.READ.value: "read"}
        for pid, (status, rating) in self.start_state.items():
            paper = self.rl.lib.get(pid)
            if paper is None:
                continue
            if paper.status != status and paper.status in names:
                result[names[paper.status]] += 1
            if paper.rating != rating and paper.rating:
                result["rated"] += 1
        return result

    def summary_text(self) -> Text:
        t = self.tally()
        text = Text()
        text.append("Triage finished\n\n", style="bold")
        text.append(f"{len(self.paper_ids)} papers looked at\n")
        text.append(f"  kept     {t['kept']}\n")
        text.append(f"  skipped  {t['skipped']}\n")
        text.append(f"  reading  {t['reading']}\n")
        text.append(f"  read     {t['read']}\n")
        text.append(f"  rated    {t['rated']}\n\n")
        text.append("Esc goes back to the list; u undoes the last decision.", style="dim")
        return text

    # -- decisions ---------------------------------------------------------------

    def _decide(self, label: str, change: Callable[[list[str]], Changes], *, advance: bool) -> None:
        if self.done or self.index >= len(self.paper_ids):
            return
        pid = self.paper_ids[self.index]
        if self.rl.lib.get(pid) is None:
            self.action_next()
            return
        before = self.rl.run_change(label, lambda: change([pid]))
        if before is None:
            return
        if advance:
            self.index += 1
        self.show()

    def action_keep(self) -> None:
        self._decide("Kept", lambda ids: self.rl.lib.set_status(ids, Status.TO_READ), advance=True)

    def action_skip(self) -> None:
        self._decide("Skipped", lambda ids: self.rl.lib.set_status(ids, Status.SKIPPED), advance=True)

    def action_reading(self) -> None:
        self._decide("Reading", lambda ids: self.rl.lib.set_status(ids, Status.READING), advance=True)

    def action_toggle_read(self) -> None:
        self._decide("Toggled read", lambda ids: self.rl.lib.toggle_read(ids), advance=True)

    def action_rate(self, rating: int) -> None:
        self._decide(f"Rated {rating}", lambda ids: self.rl.lib.set_rating(ids, rating), advance=False)

    def action_undo(self) -> None:
        step = self.rl.undo()
        if step is None:
            self.notify("Nothing to undo.", markup=False)
            return
        for pid in step.before:
            if pid in self.paper_ids:
                self.index = self.paper_ids.index(pid)
                self.done = False
                break
        self.show()

    def action_redo(self) -> None:
        if self.rl.redo() is None:
            self.notify("Nothing to redo.", markup=False)
        self.show()

    def action_next(self) -> None:
        if not self.done:
            self.index += 1
            self.show()

    def action_previous(self) -> None:
        if self.index > 0:
            self.index -= 1
            self.done = False
            self.show()

    def action_open_url(self) -> None:
        if self.done or self.index >= len(self.paper_ids):
            return
        paper = self.rl.lib.get(self.paper_ids[self.index])
        if paper is not None and paper.url:
            self.app.open_url(paper.url)
        else:
            self.notify("This paper has no URL.", severity="warning", markup=False)

    def action_cite(self) -> None:
        if self.done or self.index >= len(self.paper_ids):
            return
        paper = self.rl.lib.get(self.paper_ids[self.index])
        if paper is not None:
            self.rl.copy_citation([paper], "bibtex")

    def action_help(self) -> None:
        self.rl.show_help()

    def action_back(self) -> None:
        self.dismiss(None)

    def library_changed(self) -> None:
        self.show()
