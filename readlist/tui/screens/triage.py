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
from readlist.tui.screens.base import NOTE_SAVED, ReadlistScreen, decision
from readlist.tui.screens.note_editor import NoteEditor
from readlist.tui.screens.tags import TagChange, TagEditor
from readlist.tui.widgets.detail import paper_header
from readlist.tui.widgets.muted import MUTED, MutedText
from readlist.tui.widgets.note import NoteView, editor_refusal, too_long_to_edit


class Decision(NamedTuple):
    paper_id: str
    status: str | None  # keep, skip, reading, toggle_read; None for a rating
    rating: int | None
    # The change it made: undo takes out the decision of the step it reverts (a tag edit's undo takes out
    # none), redo puts it back.
    step: Outcome
    # What moving on after it did, for undo to take back with it: the paper it brought on screen for the first
    # time (shown for a moment, not looked at, once the decision is undone), and whether it went round from the
    # last paper to the top for the first time.
    first_shown: str | None = None
    went_round: bool = False


class Moved(NamedTuple):
    """What moving on to the next paper did (see :meth:`TriageScreen.move_on`)."""

    first_shown: str | None
    went_round: bool


class TriageScreen(ReadlistScreen[str | None]):
    """Walks through a fixed list of papers; status keys decide and advance, ratings stay.

    It starts at the list's cursor, which may be far down the list (after an import, say, or ``G``): the papers
    above it belong to the pile as much as those below, so past the last paper triage goes on at the top, and
    the summary comes once every paper has been looked at (see :meth:`move_on`).

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
        self.start = self.index  # once round from the last paper to the top, reaching it again ends the round
        self._round = False
        self.decisions: list[Decision] = []  # made in this session, in order, undone ones taken out
        self._undone: list[Decision] = []
        self.done = False
        self._footer_done = False
        self._hints: tuple[str, str] | None = None  # the key line, long and short, as the keys are mapped
        # What the last decision did, said on the progress line in place of the keys until the next one is drawn.
        self._said = ""
        self._went = ""  # where moving on went when it was not the next paper (round to the top), said first
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
            yield NoteView("triage", self.bound_key)  # as the detail pane shows it: Markdown
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
            # About the paper the last decision left: said on it again after an undo, they would be untrue.
            self._said = self._went = ""
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
        said = [part for part in (self._went, self._said) if part]
        self._said = self._went = ""
        if said:  # the paper just decided has gone by: what happened to it, once (the list says it in its top bar)
            line = Text.assemble((where, "bold"), *((f"  ·  {part}", "bold") for part in said))
            if line.cell_len > self.size.width:  # where triage went matters more than what was done (u says it)
                line = Text.assemble((where, "bold"), (f"  ·  {said[0]}", "bold"))
            progress.update(line)
        else:
            progress.update(Text.assemble((where, "bold"), (hint, MUTED)))
        if paper is None:
            header.update(Text("This paper is no longer in the library.", style=MUTED))
            abstract.update(Text(""))
            note.show(None)
            return
        header.update(paper_header(paper))
        abstract.update(Text(inert_text(render_tex(paper.abstract), multiline=True) or "(no abstract)"))
        note.show(paper.note, paper.id)
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
        for made in self.decisions:
            if made.status is not None:
                last_status[made.paper_id] = made.status
            if made.rating:
                rated.add(made.paper_id)
            elif made.rating == 0:
                rated.discard(made.paper_id)
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
        key = self.undo_key()
        text.append(f"Esc goes back to the list; {key} undoes the last decision." if key else
                    "Esc goes back to the list.", style=MUTED)
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
        self._said = self.undoable(outcome.label) if outcome.changes else f"{outcome.label}: already so"
        moved = self.move_on() if advances else Moved(None, False)
        self.decisions.append(Decision(pid, None if rating is not None else name, rating, outcome, *moved))
        self.show()

    def move_on(self) -> Moved:
        """To the next paper, as a decision or ``j`` moves on (what it did, for undo to take back).

        Past the last paper, triage goes on at the top when papers were not looked at yet (the ones above where it
        started, or ones ``G`` passed over), and once it has gone round, reaching the paper it started at again is
        the end of the round: it goes on to a paper not looked at yet, if any is left. Only when every paper of
        the pile has been looked at does the summary come. The top line says where it went and how many are left.
        """
        total = len(self.paper_ids)
        after = self.index + 1
        if after < total and not (self._round and after == self.start):
            self.index = after
            return Moved(self._first_time(), False)
        left = [place for place, pid in enumerate(self.paper_ids) if pid not in self.seen]
        if not left:
            self.index = after  # the summary, with k back to the paper before it
            self.done = True
            return Moved(None, False)
        self.index = next((place for place in left if place >= after), left[0])
        still = f"{counted(len(left), 'paper')} not looked at yet"
        if self.index >= after:  # round already, back where it started: on past the papers looked at since
            if self.index > after:
                self._went = f"On past the papers looked at: {still}"
            return Moved(self._first_time(), False)
        self._went = f"Back at the top: {still}"
        went_round, self._round = not self._round, True
        return Moved(self._first_time(), went_round)

    def _first_time(self) -> str | None:
        """The paper triage is at, when it has not been on screen yet in this triage."""
        pid = self.paper_ids[self.index]
        return None if pid in self.seen else pid

    def _take_back(self, undone: Sequence[Decision]) -> None:
        """Undo of ``undone`` puts triage back as it was before them: the paper moving on showed for a moment is not
        looked at yet (unless it was decided since), and a round they began is not begun."""
        for made in undone:
            if made.went_round:
                self._round = False
            if made.first_shown is not None and all(other.paper_id != made.first_shown for other in self.decisions):
                self.seen.discard(made.first_shown)

    def action_undo(self) -> None:
        done = self.undo()
        if done is None:
            self.notify("Nothing to undo.", markup=False)
            return
        # The step undone may be from before triage, on a paper that is not in it: say which.
        self.notify(self.reverted("Undid", done), markup=False)
        if done.outcome.changes:  # else its paper was changed elsewhere since and left so: the decision stands
            undone = [made for made in self.decisions if made.step is done.step]
            self._undone += undone
            self.decisions = [made for made in self.decisions if made.step is not done.step]
            self._take_back(undone)
        self._go_to_paper_of(done.step)
        self.show()

    def _go_to_paper_of(self, step: Outcome, *, past: bool = False) -> Moved:
        """To the paper ``step`` changed, or (``past``) on from it as a decision moves on."""
        for pid in step.changes:
            if pid in self.paper_ids:
                self.index = self.paper_ids.index(pid)
                self.done = False
                return self.move_on() if past else Moved(None, False)
        return Moved(None, False)

    def _shown_paper(self) -> Paper | None:
        if self.done or self.index >= len(self.paper_ids):
            return None
        return self.session.library.get(self.paper_ids[self.index])

    def action_note(self) -> None:
        paper = self._shown_paper()
        if paper is None:
            return
        if too_long_to_edit(paper.note):
            line, why = editor_refusal(paper.id, paper.note, self.bound_key("note_in_editor"))
            self.notify(why, title=line, severity="warning", markup=False, timeout=12)
            return

        def closed(changed: bool | None) -> None:
            self.show()
            if changed:
                self.notify(self.undoable(NOTE_SAVED), markup=False)

        self.app.push_screen(NoteEditor(self.session, paper.id), closed)

    def action_note_in_editor(self) -> None:
        paper = self._shown_paper()
        if paper is None:
            return
        closed = self.note_in_editor(paper.id)
        self.show()
        if closed.said:  # said as the app's own editor says it here: under the paper would be gone at the next key
            self.notify(closed.said, severity=closed.severity, markup=False,
                        timeout=15 if closed.severity != "information" else None)

    def action_tags(self) -> None:
        paper = self._shown_paper()
        if paper is None:
            return
        paper_id = paper.id

        def keep(change: TagChange) -> None:
            outcome = self.run_command(EditTags([paper_id], add=change[0], remove=change[1]))
            if outcome is not None and outcome.changes:  # said as a decision is, under the paper
                self._said = self.undoable(outcome.label)

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
        moved = self._go_to_paper_of(done.step, past=any(made.status is not None for made in redone))
        # What moving on did this time is what the next undo takes back.
        self.decisions += [made._replace(first_shown=moved.first_shown, went_round=moved.went_round)
                           if made.status is not None else made for made in redone]
        self.show()

    def action_scroll_text(self, direction: int) -> None:
        self.query_one("#triage-body", VerticalScroll).scroll_relative(y=direction * 3, animate=False)

    def action_page_text(self, direction: int) -> None:
        body = self.query_one("#triage-body", VerticalScroll)
        body.scroll_relative(y=direction * max(body.size.height - 2, 1), animate=False)

    def action_next(self) -> None:
        if not self.done:
            self.move_on()
            self.show()

    def action_first(self) -> None:
        self._go_to(0)

    def action_last(self) -> None:
        self._go_to(len(self.paper_ids) - 1)

    def _go_to(self, index: int) -> None:
        """To the paper at ``index`` of the pile, from any paper or from the summary."""
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
