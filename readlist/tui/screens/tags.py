"""Editing tags: an input with completion of the tag being typed from the tags already in use."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Footer, Input, Static

from readlist.core.model import Paper, normalize_tag, split_tag_words
from readlist.core.text import inert_text
from readlist.tui import bindings
from readlist.tui.keymap import DeclaredOrder
from readlist.tui.widgets.muted import MUTED, MutedText
from readlist.tui.widgets.text_input import TextInput, keys_taken


def split_tags(text: str) -> list[str]:
    """Tags typed by the user, comma or space separated (as ``readlist tag`` reads them)."""
    return split_tag_words(text)


class TagSuggester(Suggester):
    """Completes the last tag in a comma or space separated list from the known tags."""

    def __init__(self, tags: Sequence[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=False)
        self.tags = sorted(tags)

    async def get_suggestion(self, value: str) -> str | None:
        return self.complete(value)

    def complete(self, value: str) -> str | None:
        """``value`` with its last tag completed, or None: at once, where the box's suggestion comes a moment later
        (from a worker), too late for a Tab typed right after the letters."""
        if not value or value[-1] in ", ":
            return None
        cut = max(value.rfind(","), value.rfind(" "))
        head, partial = value[: cut + 1], value[cut + 1 :]
        sign = ""
        if partial[:1] in "+-" and partial[:1]:
            sign, partial = partial[0], partial[1:]
        if not partial:
            return None
        typed = {t.lstrip("+-") for t in split_tags(head)}
        for tag in self.tags:
            if tag.startswith(partial) and tag != partial and tag not in typed:
                return head + sign + tag
        return None


def parse_tag_input(value: str, aliases: Mapping[str, str] | None = None) -> tuple[list[str], list[str]]:
    """(tags to set or add, tags to remove): ``-tag`` removes, ``+tag`` or ``tag`` adds.

    ``aliases`` maps a tag as the box showed it (see :func:`shown_tags`) back to the stored tag.
    """
    aliases = aliases or {}
    add: list[str] = []
    remove: list[str] = []
    for token in split_tags(value):
        if token.startswith("-") and len(token) > 1:
            remove.append(normalize_tag(token[1:]))
        else:
            add.append(normalize_tag(token))
    return [aliases.get(t, t) for t in add if t], [aliases.get(t, t) for t in remove if t]


def shown_tags(tags: Sequence[str]) -> tuple[list[str], dict[str, str]]:
    """Tags as the box shows them, and the stored tag each shown form that differs stands for.

    A tag in a hand-edited library can hold controls, spaces or commas; the box shows it inert
    and as one word (the form typing it would give), and saving an unchanged box must still mean
    "no change", so the shown form maps back to the stored tag.
    """
    shown = [normalize_tag(inert_text(tag)) or inert_text(tag) for tag in tags]
    aliases = {s: tag for s, tag in zip(shown, tags, strict=True) if s != tag}
    return shown, aliases


def tag_changes(
    opened: Sequence[str], value: str, aliases: Mapping[str, str] | None = None
) -> tuple[list[str], list[str]]:
    """(added, removed) in a single paper's tag box, relative to the tags the box opened with.

    Saving only this difference, rather than the whole list, keeps a tag another process
    added while the box was open. ``-tag`` removes a tag here too.
    """
    typed, dropped = parse_tag_input(value, aliases)
    before, kept, gone = set(opened), set(typed), set(dropped)
    return sorted(kept - before - gone), sorted((before - kept) | gone)


TagChange = tuple[list[str], list[str]]


class TagInput(TextInput):
    """The tag box: a space typed after a space is left out, as tags are one word and the separators one.

    A completion ends in ", " so that the next tag can be typed at once; the space typed after it out of
    habit showed as a second one ("llm,  survey").
    """

    async def _on_key(self, event: events.Key) -> None:
        if event.character == " " and self.selection.is_empty and self.value[: self.cursor_position].endswith(" "):
            event.stop()
            event.prevent_default()  # nor does TextInput's or Input's own handler see it


class TagEditor(DeclaredOrder, ModalScreen[TagChange | None]):
    """Enter saves, Esc cancels; dismissed with the tags to add and to remove.

    For one paper the change is measured against the tags the box opened with (see
    :func:`tag_changes`), so only the difference is written and a tag another process added
    meanwhile survives. With several papers the words add tags and ``-tag`` removes one.
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings.TAG_EDITOR
    HELP_TITLE = "tags"

    def __init__(self, papers: Sequence[Paper], known: Sequence[str],
                 keep: Callable[[TagChange], None] | None = None) -> None:
        super().__init__(id="tag-editor")
        self.papers = list(papers)
        self.keep = keep  # what saves a change, for quitting with one typed (Enter dismisses with it)
        self.known = list(known)
        # What the box opened with: the baseline the user's additions and removals are measured from.
        self.opened = list(self.papers[0].tags) if len(self.papers) == 1 else []
        # Library text is shown inert; the aliases turn what was shown back into the stored tags.
        self.shown_known, self.aliases = shown_tags(self.known)
        self.suggester = TagSuggester(self.shown_known)
        shown_opened, opened_aliases = shown_tags(self.opened)
        self.shown_opened = shown_opened
        self.aliases.update(opened_aliases)

    def compose(self) -> ComposeResult:
        single = len(self.papers) == 1
        if single:
            heading = Text.assemble(("Tags for ", "bold"), inert_text(self.papers[0].title))
            hint = "Comma or space separated; Tab or → accepts the completion; Enter saves; Esc cancels."
            # A separator after the last tag, so what is typed is a new tag rather than the end of the last one.
            value = "".join(f"{tag}, " for tag in self.shown_opened)
        else:
            heading = Text(f"Tags for {len(self.papers)} selected papers", style="bold")
            hint = "tag adds, -tag removes; Tab or → accepts the completion; Enter saves; Esc cancels."
            value = ""
        with Vertical(id="tag-dialog"):
            yield Static(heading, id="tag-heading", markup=False)
            # Not selected on focus (Textual's default): the first key typed would replace every tag the paper has.
            yield TagInput(value=value, suggester=self.suggester, id="tag-input", placeholder="tags",
                           select_on_focus=False)
            yield MutedText(Text(hint, style=MUTED), id="tag-hint", markup=False)
            known = ", ".join(self.shown_known[:40]) + (" …" if len(self.known) > 40 else "")
            yield MutedText(Text("In use: " + (known or "none yet"), style=MUTED), id="tag-known", markup=False)
        yield Footer()  # this box's keys, over the list's (which do nothing here)

    def on_mount(self) -> None:
        self.query_one("#tag-input", Input).focus()

    @on(Input.Submitted, "#tag-input")
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(self._change(event.value))

    def _change(self, typed: str) -> TagChange:
        if len(self.papers) == 1:
            return tag_changes(self.opened, typed, self.aliases)
        return parse_tag_input(typed, self.aliases)

    def keep_on_quit(self) -> str | None:
        """The tags typed saved as Enter would save them."""
        change = self._change(self.query_one("#tag-input", Input).value)
        if self.keep is not None and (change[0] or change[1]):
            self.keep(change)
        return None

    async def action_complete(self) -> None:
        """Complete the tag typed last (the Input itself only accepts its suggestion, on →).

        Tab is read by the app before the letters typed ahead of it reach the box (the letters after it would
        otherwise be typed before the completion): it waits for the box to take those, then completes what
        they spell, not the suggestion shown, which can still be the one for fewer letters.
        """
        tag_input = self.query_one("#tag-input", Input)
        await keys_taken(tag_input)
        completion = self.suggester.complete(tag_input.value.casefold())  # casefolded, as the box asks for it
        if completion is not None:
            tag_input.value = completion
        tag_input.cursor_position = len(tag_input.value)
        if tag_input.value and not tag_input.value.endswith((",", " ")):
            tag_input.insert_text_at_cursor(", ")

    async def action_cancel(self) -> None:
        await keys_taken(self.query_one("#tag-input", Input))
        self.dismiss(None)
