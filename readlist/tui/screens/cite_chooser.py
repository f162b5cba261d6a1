"""A modal that lets the user pick a citation format while seeing exactly what will be copied."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, OptionList, TextArea
from textual.widgets.option_list import Option

from readlist.core.cite import FORMAT_LABELS, FORMATS, format_entries
from readlist.core.citekeys import unique_papers
from readlist.core.model import Paper
from readlist.core.text import counted, inert_text
from readlist.tui import bindings
from readlist.tui.keymap import DeclaredOrder

# The preview shows this many citations; more would only be scrolled past, and thousands took seconds to format
# and lay out (the copy itself has them all).
PREVIEW_PAPERS = 30


class CiteChooser(DeclaredOrder, ModalScreen[str | None]):
    """Choose a citation format; dismisses with the format name, or None on Esc or q.

    The preview is a read-only TextArea: it shows the citation as plain text
    (web titles are never parsed as markup) and scrolls for long selections. Of a selection of
    more than PREVIEW_PAPERS papers it shows the first ones and says how many more are copied.
    """

    DEFAULT_CSS = """
    CiteChooser {
        align: center middle;
    }
    CiteChooser > Vertical {
        width: 90%;
        max-width: 120;
        height: 95%;  /* the footer below takes a line */
        border: thick $accent;
        background: $surface;
        padding: 0 1;
    }
    CiteChooser #cite-title {
        text-style: bold;
        padding: 0 0 1 0;
    }
    CiteChooser OptionList {
        height: auto;
        max-height: 8;  /* every format at once (6) inside the list's border */
        margin-bottom: 1;
    }
    CiteChooser TextArea {
        height: 1fr;
    }
    CiteChooser #cite-help {
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings.CITE_CHOOSER

    def __init__(
        self, papers: Sequence[Paper], *, initial: str = "bibtex", keys: Mapping[str, str] | None = None
    ) -> None:
        super().__init__()
        self.papers = unique_papers(papers)
        # The keys the copy will use and store, so the preview shows exactly what is copied.
        self.keys = dict(keys or {})
        self.initial = initial if initial in FORMATS else FORMATS[0]
        self._previews: dict[str, str] = {}

    def preview_text(self, fmt: str) -> str:
        """The text that choosing ``fmt`` copies (computed once per format), made inert for the screen."""
        if fmt not in self._previews:
            shown = self.papers[:PREVIEW_PAPERS]
            text = inert_text(format_entries(shown, fmt, keys=self.keys or None), multiline=True)
            if len(self.papers) > len(shown):
                text += f"\n… and {counted(len(self.papers) - len(shown), 'more citation')}, copied with these\n"
            self._previews[fmt] = text
        return self._previews[fmt]

    def compose(self) -> ComposeResult:
        count = len(self.papers)
        with Vertical():
            yield Label(f"Copy {counted(count, 'citation')} as…", id="cite-title", markup=False)
            yield OptionList(*(Option(FORMAT_LABELS[f], id=f) for f in FORMATS), id="cite-formats")
            yield TextArea(
                self.preview_text(self.initial), read_only=True, soft_wrap=True, show_line_numbers=False,
                id="cite-preview",
            )
            yield Label("↑/↓ choose · Enter copy · Esc or q cancel", id="cite-help", markup=False)
        yield Footer()  # this dialog's keys, over the list's (which do nothing here)

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = FORMATS.index(self.initial)
        options.focus()

    @property
    def preview(self) -> str:
        return self.query_one("#cite-preview", TextArea).text

    @on(OptionList.OptionHighlighted, "#cite-formats")
    def _show_preview(self, event: OptionList.OptionHighlighted) -> None:
        fmt = event.option.id or FORMATS[0]
        area = self.query_one("#cite-preview", TextArea)
        area.load_text(self.preview_text(fmt))

    @on(OptionList.OptionSelected, "#cite-formats")
    def _choose(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cursor_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)
