"""Triage mode: one paper at a time, full abstract, one key per decision, then a summary."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, NamedTuple

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from readlist.app.commands import EditTags, Outcome
from readlist.app.session import Session
from readlist.core.model import Paper
from readlist.core.texrender import render_tex
from readlist.core.text import counted, inert_text
from readlist.tui import bindings
from readlist.tui.messages import LibraryChanged
from readlist.tui.screens.base import ReadlistScreen, decision
from readlist.tui.screens.note_editor import NOTE_SAVED, NoteEditor
from readlist.tui.screens.tags import TagChange, TagEditor
from readlist.tui.widgets.detail import paper_header
from readlist.tui.widgets.muted import MUTED, MutedText
from readlist.tui.widgets.note import NoteView


class Decision(NamedTuple):
    paper_id: str
    status: str | None  # keep, skip, reading, toggle_read; None for a rating
    rating: int | None
    # The change it made: undo takes out the decision of the step it reverts (a tag edit's undo takes out
    # none), redo puts it back.
    step: Outcome


class TriageScreen(ReadlistScreen[str | None]):
    """Walks through a fixed list of papers; status keys decide and advance, ratings stay.

    Leaving returns the id of the paper on screen, so the list puts its cursor there: the reader goes on
    from where triage stopped even when the list was re-ranked meanwhile (the interest order moves
    after every decision, so "the same row" would be another paper). Quitting from here keeps that
    paper as the place to reopen at, the same way.
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings.TRIAGE
    HELP_TITLE = "triage mode"

    def __init__(self, session: Session, paper_ids: Sequence[str], start: int = 0) -> None:
        super().__init__(session, id="triage")
        self.paper_ids = list(paper_ids)
        self.index = max(0, min(start, len(self.paper_ids)))
        self.decisions: list[Decision] = []  # made in this session, in order, undone ones taken out
        self._undone: list[Decision] = []
        self.done = False
        self._footer_done = False
        self._hints: tuple[str, str] | None = None  # the key line, long and short, as the keys are mapped
        # What the last decision did, said on the progress line in place of the keys until the next one is drawn.
        self._said = ""
        self._scrolled_for: str | None = None  # the paper the text is scrolled for: another starts at the top
        self.seen: set[str] = set()  # the papers shown in this session (it may start anywhere in the list)

    def compose(self) -> ComposeResult:
        yield MutedText(id="triage-progress", markup=False)
        # Not focusable: focused, its own keys (↓, ↑, →, ←, pgdn, pgup, home, end) would scroll the abstract when it
        # is long instead of doing what triage mode's keys say, and show twice in help with other names.
        body = VerticalScroll(id="triage-body")
        body.can_focus = False
        with body:
            yield MutedText(id="triage-header", markup=False)
            yield Static(id="triage-abstract", markup=False)
            yield NoteView("triage")  # the note as the detail pane shows it: Markdown
            yield MutedText(id="triage-summary", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.show()

    # -- drawing ---------------------------------------------------------------

    def show(self) -> None:
        progress = self.query_one("#triage-progress", Static)
        header = self.query_one("#triage-header", Static)
        abstract = self.query_one("#triage-abstract", Static)
        note = self.query_one(NoteView)
        summary = self.query_one("#triage-summary", Static)
        total = len(self.paper_ids)
        if self.done or self.index >= total:
            self.done = True
            progress.update(Text(f" Triage · done · {total} / {total}", style="bold"))
            header.display = abstract.display = note.display = False
            summary.display = True
            summary.update(self.summary_text())
            self._footer_follows()
            return
        self._footer_follows()
        header.display = abstract.display = True
        summary.display = False
        self.seen.add(self.paper_ids[self.index])
        paper = self.session.library.get(self.paper_ids[self.index])
        where = f" Triage · {self.index + 1} / {total}"
        full, short = self._key_hints()
        # Too narrow: the keys that decide and the way out, whole (? lists all).
        hint = full if len(where) + len(full) <= self.size.width else short
        said, self._said = self._said, ""
        if said:  # the paper just decided has gone by: what happened to it, once (the list says it in its top bar)
            progress.update(Text.assemble((where, "bold"), (f"  ·  {said}", "bold")))
        else:
            progress.update(Text.assemble((where, "bold"), (hint, MUTED)))
        if paper is None:
            header.update(Text("This paper is no longer in the library.", style=MUTED))
            abstract.update(Text(""))
            note.show(None)
            return
        header.update(paper_header(paper))
        abstract.update(Text(inert_text(render_tex(paper.abstract), multiline=True) or "(no abstract)"))
        note.show(paper.note)
        if paper.id != self._scrolled_for:  # the same paper rated, tagged or noted stays where it was read
            self._scrolled_for = paper.id
            self.query_one("#triage-body", VerticalScroll).scroll_home(animate=False)

    def _key_hints(self) -> tuple[str, str]:
        """``s keep · x skip · …`` with the keys as config.toml's keymap maps them (worked out once)."""
        if self._hints is None:
            from readlist.tui.screens.help import bindings_table

            keys = {row.action: [inert_text(k) for k in row.keys.split()] for row in bindings_table(self.app, self)}
            first = {action: {"esc": "Esc"}.get(shown[0], shown[0]) for action, shown in keys.items() if shown}
            if all(first.get(f"decide('rate_{n}')") == str(n) for n in range(1, 6)):
                first["rate"] = "1-5"
            if "next" in keys and "previous" in keys:
                pair = ("j", "k") if "j" in keys["next"] and "k" in keys["previous"] else (first["next"],
                                                                                           first["previous"])
                first["move"] = "/".join(pair)

            def line(*items: tuple[str, str]) -> str:
                return "   " + " · ".join(f"{first[action]} {what}" for action, what in items if action in first)

            decide = [("decide('keep')", "keep"), ("decide('skip')", "skip")]
            self._hints = (
                line(*decide, ("decide('reading')", "reading"), ("decide('toggle_read')", "read"), ("rate", "rate"),
                     ("note", "note"), ("tags", "tags"), ("undo", "undo"), ("move", "move"), ("back", "back")),
                line(*decide, ("decide('toggle_read')", "read"), ("undo", "undo"), ("back", "back")),
            )
        return self._hints

    def tally(self) -> dict[str, int]:
        """The decisions of this session (the last one per paper; undone ones are gone), whatever they changed.

        Keeping a paper that was already to-read is a decision like any other, so it counts.
        """
        result = {"kept": 0, "skipped": 0, "reading": 0, "read": 0, "rated": 0}
        names = {"keep": "kept", "skip": "skipped", "reading": "reading", "toggle_read": "read"}
        last_status: dict[str, str] = {}
        rated: set[str] = set()
        for pid, status, rating, _ in self.decisions:
            if status is not None:
                last_status[pid] = status
            if rating:
                rated.add(pid)
            elif rating == 0:
                rated.discard(pid)
        for name in last_status.values():
            result[names[name]] += 1
        result["rated"] = len(rated)
        return result

    def summary_text(self) -> Text:
        t = self.tally()
        text = Text()
        text.append("Triage finished\n\n", style="bold")
        text.append(f"{counted(len(self.seen), 'paper')} looked at\n")
        text.append(f"  kept     {t['kept']}\n")
        text.append(f"  skipped  {t['skipped']}\n")
        text.append(f"  reading  {t['reading']}\n")
        text.append(f"  read     {t['read']}\n")
        text.append(f"  rated    {t['rated']}\n\n")
        text.append("Esc goes back to the list; u undoes the last decision.", style=MUTED)
        return text

    # Keys about the paper shown, which the summary at the end has none of: hidden from the footer there.
    _ABOUT_A_PAPER = frozenset({"decide", "note", "tags", "open_url", "cite", "next", "scroll_text", "page_text"})

    def _footer_follows(self) -> None:
        if self._footer_done != self.done:
            self._footer_done = self.done
            self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.done and action in self._ABOUT_A_PAPER:
            return False
        return super().check_action(action, parameters)

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
        outcome = self.run_command(command)
        if outcome is None:
            return
        rating = int(name.removeprefix("rate_")) if name.startswith("rate_") else None
        self.decisions.append(Decision(pid, None if rating is not None else name, rating, outcome))
        self._said = f"{outcome.label} (u undoes)" if outcome.changes else f"{outcome.label}: already so"
        if advances:
            self.index += 1
        self.show()

    def action_undo(self) -> None:
        done = self.undo()
        if done is None:
            self.notify("Nothing to undo.", markup=False)
            return
        # The step undone may be from before triage, on a paper that is not in it: say which.
        self.notify(self.reverted("Undid", done), markup=False)
        if done.outcome.changes:  # else its paper was changed elsewhere since and left so: the decision stands
            self._undone += [made for made in self.decisions if made.step is done.step]
            self.decisions = [made for made in self.decisions if made.step is not done.step]
        self._go_to_paper_of(done.step)
        self.show()

    def _go_to_paper_of(self, step: Outcome, *, past: bool = False) -> None:
        for pid in step.changes:
            if pid in self.paper_ids:
                self.index = self.paper_ids.index(pid) + (1 if past else 0)
                self.done = False
                return

    def _shown_paper(self) -> Paper | None:
        if self.done or self.index >= len(self.paper_ids):
            return None
        return self.session.library.get(self.paper_ids[self.index])

    def action_note(self) -> None:
        paper = self._shown_paper()
        if paper is None:
            return

        def closed(changed: bool | None) -> None:
            self.show()
            if changed:
                self.notify(NOTE_SAVED, markup=False)

        self.app.push_screen(NoteEditor(self.session, paper.id), closed)

    def action_tags(self) -> None:
        paper = self._shown_paper()
        if paper is None:
            return
        paper_id = paper.id

        def keep(change: TagChange) -> None:
            self.run_command(EditTags([paper_id], add=change[0], remove=change[1]))

        def done(change: TagChange | None) -> None:
            if change is not None and (change[0] or change[1]):
                keep(change)
            self.show()

        known = sorted({tag for p in self.session.library.papers.values() for tag in p.tags})
        self.app.push_screen(TagEditor([paper], known, keep=keep), done)

    def action_redo(self) -> None:
        done = self.redo()
        if done is None:
            self.notify("Nothing to redo.", markup=False)
            return
        self.notify(self.reverted("Redid", done), markup=False)
        # A decision redone counts again and moves on as it did when it was made; a rating stays on its paper.
        redone = [made for made in self._undone if made.step is done.step]
        self._undone = [made for made in self._undone if made.step is not done.step]
        self.decisions += redone
        self._go_to_paper_of(done.step, past=any(made.status is not None for made in redone))
        self.show()

    def action_scroll_text(self, direction: int) -> None:
        self.query_one("#triage-body", VerticalScroll).scroll_relative(y=direction * 3, animate=False)

    def action_page_text(self, direction: int) -> None:
        body = self.query_one("#triage-body", VerticalScroll)
        body.scroll_relative(y=direction * max(body.size.height - 2, 1), animate=False)

    def action_next(self) -> None:
        if not self.done:
            self.index += 1
            self.show()

    def action_first(self) -> None:
        self._go_to(0)

    def action_last(self) -> None:
        self._go_to(len(self.paper_ids) - 1)

    def _go_to(self, index: int) -> None:
        """To the paper at ``index`` of the pile, from any paper or from the summary after the last one."""
        if self.paper_ids:
            self.index = index
            self.done = False
            self.show()

    def action_previous(self) -> None:
        if self.index > 0:
            self.index -= 1
            self.done = False
            self.show()

    def action_open_url(self, pdf: bool = False) -> None:
        if self.done or self.index >= len(self.paper_ids):
            return
        paper = self.session.library.get(self.paper_ids[self.index])
        if paper is not None:
            message = self.open_paper(paper, pdf=pdf)
            if message:
                self.notify(message, markup=False)

    def action_open_pdf(self) -> None:
        self.action_open_url(pdf=True)

    def action_cite(self) -> None:
        if self.done or self.index >= len(self.paper_ids):
            return
        paper = self.session.library.get(self.paper_ids[self.index])
        if paper is not None:
            copied = self.copy_citation([paper], "bibtex")
            if copied:
                self.notify(copied, markup=False)

    @property
    def place(self) -> str | None:
        """The paper the list's cursor goes to when triage ends here (None after the last paper: where it was)."""
        shown = self._shown_paper()
        return None if shown is None else shown.id

    def action_back(self) -> None:
        self.dismiss(self.place)

    @on(LibraryChanged)
    def _library_changed(self) -> None:
        self.show()
