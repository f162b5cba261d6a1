"""Triage mode: one paper at a time, full abstract, one key per decision, then a summary."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from readlist.app.session import Session
from readlist.core.model import Status
from readlist.core.text import inert_text, web_address
from readlist.tui import bindings
from readlist.tui.messages import LibraryChanged
from readlist.tui.screens.base import ReadlistScreen, decision
from readlist.tui.widgets.detail import paper_header


class TriageScreen(ReadlistScreen[None]):
    """Walks through a fixed list of papers; status keys decide and advance, ratings stay."""

    BINDINGS: ClassVar[list[BindingType]] = bindings.TRIAGE
    HELP_TITLE = "triage mode"

    def __init__(self, session: Session, paper_ids: Sequence[str], start: int = 0) -> None:
        super().__init__(session, id="triage")
        self.paper_ids = list(paper_ids)
        self.index = max(0, min(start, len(self.paper_ids)))
        self.start_state: dict[str, tuple[str, int]] = {}
        self.done = False

    def compose(self) -> ComposeResult:
        yield Static(id="triage-progress", markup=False)
        with VerticalScroll(id="triage-body"):
            yield Static(id="triage-header", markup=False)
            yield Static(id="triage-abstract", markup=False)
            yield Static(id="triage-summary", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        lib = self.session.library
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
        paper = self.session.library.get(self.paper_ids[self.index])
        progress.update(Text.assemble(
            (f" Triage · {self.index + 1} / {total}", "bold"),
            ("   s keep · x skip · R reading · r read · 1-5 rate · u undo · j/k move · Esc back", "dim"),
        ))
        if paper is None:
            header.update(Text("This paper is no longer in the library.", style="dim"))
            abstract.update(Text(""))
            return
        header.update(paper_header(paper))
        abstract.update(Text(inert_text(paper.abstract, multiline=True) or "(no abstract)"))
        self.query_one("#triage-body", VerticalScroll).scroll_home(animate=False)

    def tally(self) -> dict[str, int]:
        """What this session changed, read from the library so undo is accounted for."""
        result = {"kept": 0, "skipped": 0, "reading": 0, "read": 0, "rated": 0}
        names = {Status.TO_READ.value: "kept", Status.SKIPPED.value: "skipped",
                 Status.READING.value: "reading", Status.READ.value: "read"}
        for pid, (status, rating) in self.start_state.items():
            paper = self.session.library.get(pid)
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

    def action_decide(self, name: str) -> None:
        """Decide about the paper shown; status decisions move on to the next paper, ratings stay."""
        if self.done or self.index >= len(self.paper_ids):
            return
        pid = self.paper_ids[self.index]
        if self.session.library.get(pid) is None:
            self.action_next()
            return
        command, advances = decision(name, [pid])
        if self.run_command(command) is None:
            return
        if advances:
            self.index += 1
        self.show()

    def action_undo(self) -> None:
        done = self.undo()
        if done is None:
            self.notify("Nothing to undo.", markup=False)
            return
        for pid in done.step.changes:
            if pid in self.paper_ids:
                self.index = self.paper_ids.index(pid)
                self.done = False
                break
        self.show()

    def action_redo(self) -> None:
        if self.redo() is None:
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
        paper = self.session.library.get(self.paper_ids[self.index])
        if paper is not None and paper.url:
            if web_address(paper.url) is None:
                self.notify(f"Not opened: {paper.url} is not an http(s) address.", severity="warning", markup=False)
            else:
                self.app.open_url(paper.url)
        else:
            self.notify("This paper has no URL.", severity="warning", markup=False)

    def action_cite(self) -> None:
        if self.done or self.index >= len(self.paper_ids):
            return
        paper = self.session.library.get(self.paper_ids[self.index])
        if paper is not None:
            self.copy_citation([paper], "bibtex")

    def action_back(self) -> None:
        self.dismiss(None)

    @on(LibraryChanged)
    def _library_changed(self) -> None:
        self.show()
