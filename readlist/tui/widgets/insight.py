"""The detail pane's last part: why the paper under the cursor scores as it does, and papers like it.

Both answers come from the newest interest result (see ``readlist.app.interest``); in the app they are
questions to the child process that computed it (``readlist.app.interest_process``). Explaining one paper
and finding its neighbours takes milliseconds at 10,000 papers, but not nothing, and asking another process
waits on a pipe, so they are worked out on a thread: at once for a paper the cursor moves to after a rest, and
only once it settles when it moves in a run (holding ``j`` down draws rows, not this section). A result for a
paper the cursor has already left is dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from time import monotonic
from typing import ClassVar

from rich.style import Style, StyleType
from rich.text import Text
from textual.timer import Timer

from readlist.app.interest import InterestResult
from readlist.core.model import Paper, Status
from readlist.core.texrender import render_tex
from readlist.core.text import inert_text
from readlist.tui.widgets.muted import MUTED, MutedText

# How soon after the previous move a move counts as one of a run (a held key repeats every ~30 ms): within a run the
# explanation and related papers are worked out only once the cursor has rested this long, so holding j works
# nothing out for the rows passed. A move after a rest is worked out at once.
SETTLE_SECONDS = 0.05
RELATED_SHOWN = 5
REASONS_SHOWN = 5

Lookup = Callable[[str], Paper | None]
# What pushed a score up or down, drawn in the theme's colours for them (readlist.tcss): ANSI green and red were
# the terminal palette's, at 3.3-3.7:1 in some themes. Plain green and red where drawn elsewhere.
FOR = Style(color="green", meta={"readlist": "for"})
AGAINST = Style(color="red", meta={"readlist": "against"})


def _line(text: str, width: int, indent: str, style: StyleType = "") -> Text:
    """One line, cut with an ellipsis to ``width``: a related title wrapped under its bullet reads as two papers."""
    line = Text(indent + text, style=style, no_wrap=True)
    line.truncate(max(width, len(indent) + 4), overflow="ellipsis")
    return line


def insight_text(paper: Paper, snapshot: InterestResult | None, lookup: Lookup, width: int = 80) -> Text:
    """The section's text for ``paper``: its interest score with reasons, then the related papers."""
    text = Text()
    text.append("Interest", style="bold")
    if snapshot is None:
        text.append("\nLearning from your decisions…\n", style=MUTED)
        return text
    score = snapshot.score_of(paper.id)
    if not snapshot.ready:
        # Under the heading, "interest needs…" would say it twice; what is missing is the news.
        text.append(f"\nNot learned yet: {snapshot.to_go or 'more decisions'} to go.\n", style=MUTED)
    elif score is None:
        text.append("\nNot scored yet: it is learned again after your next decision.\n", style=MUTED)
    else:
        text.append(f"  {score:.0%}", style="bold")
        text.append("  how likely you are to keep it, from your decisions\n", style=MUTED)
        for reason in snapshot.explain(paper, REASONS_SHOWN):
            # One line each, the weight always in view: a word or a name can run to thousands of characters
            # (a run-on "word" in an abstract, an author list pasted as one name) and wrapped it filled the pane.
            weight = f"  {reason.weight:+.2f}"
            style = FOR if reason.weight >= 0 else AGAINST
            text.append_text(_line(inert_text(reason.label), width - len(weight), "  ", style))
            text.append(weight + "\n", style=MUTED)
    related = snapshot.related(paper.id, RELATED_SHOWN)
    text.append("\nRelated in your library\n", style="bold")
    if not related:
        text.append("Nothing close yet.\n", style=MUTED)
    for item in related:
        other = lookup(item.paper_id)
        if other is None:
            continue
        # The status glyph the list shows (• inbox, ✓ read, ✗ skipped, …): kept and skipped look alike otherwise.
        text.append_text(_line(inert_text(render_tex(other.title)), width, f"  {Status(other.status).glyph} "))
        text.append("\n")
        text.append_text(_line(inert_text(item.reason), width, "    ", MUTED))
        text.append("\n")
    return text


class InsightPane(MutedText):
    """Interest score, its reasons and related papers for one paper, filled in off the UI thread.

    The text is worked out once per paper, result and width; its muted parts, and the reasons for and against,
    take the theme's colours when drawn.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {*MutedText.COMPONENT_CLASSES, "insight--for", "insight--against"}
    MARKS: ClassVar[dict[Style, str]] = {**MutedText.MARKS, FOR: "insight--for", AGAINST: "insight--against"}

    def __init__(self, lookup: Lookup, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self.lookup = lookup
        self.snapshot: InterestResult | None = None
        self.paper: Paper | None = None
        self._timer: Timer | None = None
        # (paper id, generation, width) of what is shown, so an unchanged answer is not worked out twice.
        self._shown: tuple[str, int, int] | None = None
        self._cut_for = 0  # the width of the text last shown or being worked out
        self._asked_at = float("-inf")  # when the paper, result or width last changed (``time.monotonic``)

    def set_snapshot(self, snapshot: InterestResult) -> None:
        self.snapshot = snapshot
        self._schedule()

    def show(self, paper: Paper | None) -> None:
        self.paper = paper
        self._schedule()

    def on_resize(self) -> None:
        """Related titles are cut to the pane's width when worked out: in a pane made narrower (``L``, a smaller
        terminal) they wrapped, each title's end on a line of its own, and in a wider one they stayed cut short.
        A new width works them out again (the text shown stays until then); a new height changes nothing."""
        if self.paper is not None and self._width() != self._cut_for:
            self._schedule()

    def _key(self) -> tuple[str, int, int] | None:
        if self.paper is None:
            return None
        generation = self.snapshot.generation if self.snapshot is not None else -1
        return (self.paper.id, generation, self._width())

    def _width(self) -> int:
        """The width related titles are cut to (80 before the pane is laid out)."""
        return self.content_size.width or 80

    def _schedule(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        key = self._key()
        if key == self._shown:
            return
        if self.paper is None:
            self._shown = None
            self.display = False
            return
        self.display = True
        if self.snapshot is None or key is None:
            # Nothing learned yet: saying so costs nothing and needs no thread.
            self._shown = key
            self._cut_for = self._width()
            self.update(insight_text(self.paper, None, self.lookup))
            return
        if self._shown is None or self._shown[0] != self.paper.id:
            # The previous paper's answer must not stay under this one while the new one is worked out.
            self.update(Text.assemble(("Interest", "bold"), ("\nWorking out…\n", MUTED)))
        now = monotonic()
        in_a_run, self._asked_at = now - self._asked_at < SETTLE_SECONDS, now
        if in_a_run:
            self._timer = self.set_timer(SETTLE_SECONDS, self._start)
        else:
            self._start()

    def _start(self) -> None:
        self._timer = None
        paper, snapshot, key = self.paper, self.snapshot, self._key()
        if paper is None or key is None:
            return
        self._cut_for = key[2]
        work = partial(self._work, paper, snapshot, key, key[2])
        self.run_worker(work, thread=True, exclusive=True, group="insight")

    def _work(self, paper: Paper, snapshot: InterestResult | None, key: tuple[str, int, int], width: int) -> None:
        try:
            text = insight_text(paper, snapshot, self.lookup, width)
        except Exception as exc:  # the maths failing must not take the app down; say so where it would be
            text = Text.assemble(("Interest", "bold"), (f"\nUnavailable: {inert_text(str(exc))}\n", MUTED))
        self.app.call_from_thread(self._finished, key, text)

    def _finished(self, key: tuple[str, int, int], text: Text) -> None:
        if key != self._key():
            return  # the cursor moved on, or a newer snapshot arrived: its own answer is on the way
        self._shown = key
        self.update(text)
