"""Opening a paper's page: in a browser when there is one to open, and saying honestly when there is not.

A terminal app often runs where no browser can appear: over SSH, in a container, on a console
without a display. Python's ``webbrowser`` would then quietly do nothing, or run a text browser
inside the terminal the app is drawing on; readlist checks first and lets the caller offer the URL
on the clipboard instead.
"""

from __future__ import annotations

import os
import sys
import webbrowser
from dataclasses import dataclass

from readlist.core.model import Paper
from readlist.core.text import web_address

ARXIV_PDF = "https://arxiv.org/pdf/"


@dataclass(frozen=True)
class Opened:
    ok: bool
    reason: str = ""  # why nothing was opened, for the user


def where_no_browser(environ: dict[str, str] | os._Environ[str] = os.environ, platform: str = sys.platform) -> str:
    """Why a browser cannot be opened from here ("" when one can be tried)."""
    if environ.get("SSH_CONNECTION") or environ.get("SSH_TTY"):
        return "this is an SSH session"
    if platform.startswith("linux") and not (environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY")):
        return "there is no graphical display"
    return ""


def open_in_browser(url: str) -> Opened:
    reason = where_no_browser()
    if reason:
        return Opened(False, reason)
    try:
        browser = webbrowser.get()
    except webbrowser.Error:
        return Opened(False, "no browser was found")
    if isinstance(browser, webbrowser.GenericBrowser) and not isinstance(browser, webbrowser.BackgroundBrowser):
        return Opened(False, "the only browser found runs in the terminal")
    try:
        launched = browser.open_new_tab(url)
    except OSError as exc:
        return Opened(False, f"the browser could not be started ({exc.strerror or exc})")
    return Opened(True) if launched else Opened(False, "the browser did not start")


@dataclass(frozen=True)
class Page:
    """The page to open for a paper: ``url`` (None when it has none) and whether it may be handed to a browser."""

    url: str | None
    openable: bool


def page_of(paper: Paper, *, pdf: bool = False) -> Page:
    """The paper's own page, else the one its ids give (arXiv, Hugging Face). Only an http(s) address is ever
    opened: a ``file:``, ``javascript:`` or desktop-handler address from a page or a library file is only shown.

    ``pdf``: its PDF on arXiv, the one full text every paper with an arXiv id has (None without an id).
    """
    if pdf:
        return Page(f"{ARXIV_PDF}{paper.arxiv_id}" if paper.arxiv_id else None, True)
    url = paper.url
    if not url:
        # Imported here: the citation layer (TeX decoding with it) costs the app's start-up 10 ms, and a paper
        # is opened long after the first paint, if at all.
        from readlist.core.cite import paper_url

        url = paper_url(paper)
    return Page(url, web_address(url) is not None)
