"""The command palette's entries, shown exactly as written.

Textual's own provider of the app's commands reads each entry's title and help as Content markup.
readlist's entries name views after tags and saved searches, which are library or user text: a tag
``[bold]`` vanished from its "View: #[bold]" entry and a saved search named ``[i]mine[/i]`` showed as
"mine" in italics. Escaping cannot fix that for every text (Textual's ``escape`` leaves ``[$x]`` and
``[ b]`` to be read as markup), so here titles and help are plain :class:`~textual.content.Content`
from the start, and the letters matching what was typed are highlighted on the plain title.
"""

from __future__ import annotations

from typing import cast

from textual.command import DiscoveryHit, Hit, Hits
from textual.content import Content
from textual.fuzzy import Matcher
from textual.system_commands import SystemCommandsProvider


def _plain(text: str) -> str:
    """``text`` as content never read as markup; the palette takes Content where it expects a help string."""
    return cast(str, Content(text))


def _highlighted(matcher: Matcher, title: str) -> Content:
    """``title`` as plain text, the letters the query matched in the matcher's style (its ``highlight`` reads
    the title as markup)."""
    content = Content(title)
    _, offsets = matcher.fuzzy_search.match(matcher.query, title)
    for offset in offsets:
        if not title[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


class PlainCommands(SystemCommandsProvider):
    """The app's commands (``App.get_system_commands``), found and listed as Textual's provider does."""

    async def discover(self) -> Hits:
        for command in sorted(self.app.get_system_commands(self.screen), key=lambda command: command.title):
            if command.discover:
                yield DiscoveryHit(Content(command.title), command.callback, text=command.title,
                                   help=_plain(command.help))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self.app.get_system_commands(self.screen):
            if (score := matcher.match(command.title)) > 0:
                yield Hit(score, _highlighted(matcher, command.title), command.callback, text=command.title,
                          help=_plain(command.help))
