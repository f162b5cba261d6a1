"""Copying text to the user's clipboard, from the TUI or the command line.

Two ways exist and neither always works:

* the system clipboard through pyperclip (xclip, xsel, wl-copy, pbcopy, the
  Windows API, …), which needs a desktop session on the machine running readlist;
* OSC 52, an escape sequence asking the *terminal* to set its clipboard. It
  reaches the computer the user is sitting at, even through SSH and tmux, but
  only when the terminal allows it, and the program cannot find out whether it did.

Policy:

* Locally: pyperclip first; when it has no mechanism, OSC 52.
* Over SSH (``SSH_TTY`` or ``SSH_CONNECTION`` set) without X11 forwarding: OSC 52
  first, because pyperclip there would fill the clipboard of the remote
  machine's desktop (an inherited ``DISPLAY`` or ``WAYLAND_DISPLAY``), which the
  user cannot paste from. With X11 forwarding (``DISPLAY=localhost:10.0``)
  xclip talks to the user's own X server, so pyperclip goes first again.
* ``READLIST_CLIPBOARD=system|osc52|auto`` overrides the choice.

The TUI passes ``osc52_writer=app.copy_to_clipboard`` (Textual writes the
sequence through its driver); the CLI writes it to the controlling terminal
``/dev/tty``, never to stdout, so pipes and redirections stay clean.
"""

from __future__ import annotations

import base64
import contextlib
import os
import re
import shutil
import socket
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from readlist.core.text import strip_controls

ENV_CLIPBOARD = "READLIST_CLIPBOARD"
# Some terminals drop OSC 52 payloads above roughly this many bytes of base64 (hterm, older tmux).
OSC52_SOFT_LIMIT = 74_994

# pyperclip's copy function name → the mechanism as users know it.
_MECHANISMS = {
    "copy_xclip": "xclip",
    "copy_xsel": "xsel",
    "copy_wl": "wl-copy",
    "copy_osx_pbcopy": "pbcopy",
    "copy_osx_pyobjc": "macOS pasteboard",
    "copy_windows": "Windows clipboard",
    "copy_wsl": "clip.exe",
    "copy_qt": "Qt",
    "copy_klipper": "Klipper",
    "copy_dev_clipboard": "/dev/clipboard",
}
NO_CLIPBOARD_HINT = "install xclip (X11) or wl-clipboard (Wayland), or use a terminal that supports OSC 52"


@dataclass(frozen=True)
class CopyResult:
    """What happened, in a form both the TUI (notify) and the CLI (stderr) can show."""

    ok: bool
    method: str  # "xclip", "wl-copy", "pbcopy", …, "pyperclip", "osc52" or "none"
    message: str


def osc52_sequence(text: str) -> str:
    """The OSC 52 "set clipboard" sequence for ``text`` (BEL-terminated, widely understood)."""
    payload = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return f"\x1b]52;c;{payload}\a"


def tty_osc52_writer(path: str = "/dev/tty") -> Callable[[str], None] | None:
    """A writer that sends OSC 52 to the controlling terminal, or None when there is none."""
    try:
        handle = open(path, "w", encoding="ascii")  # closed by the writer
    except OSError:
        return None

    def write(text: str) -> None:
        try:
            handle.write(osc52_sequence(text))
            handle.flush()
        finally:
            handle.close()

    return write


def over_ssh(env: Mapping[str, str] | None = None) -> bool:
    env = os.environ if env is None else env
    return bool(env.get("SSH_TTY") or env.get("SSH_CONNECTION") or env.get("SSH_CLIENT"))


def x11_forwarded(env: Mapping[str, str] | None = None) -> bool:
    """``DISPLAY`` names a host (``localhost:10.0``): an X server reached over the network or SSH."""
    env = os.environ if env is None else env
    display = env.get("DISPLAY", "")
    return bool(display) and not display.startswith(":") and ":" in display and not display.startswith("/")


def prefer_osc52(env: Mapping[str, str] | None = None) -> bool:
    """Whether to try OSC 52 before the system clipboard (see the module docstring)."""
    env = os.environ if env is None else env
    choice = env.get(ENV_CLIPBOARD, "auto").strip().lower()
    if choice == "osc52":
        return True
    if choice == "system":
        return False
    return over_ssh(env) and not x11_forwarded(env)


@contextlib.contextmanager
def _detached_stdio() -> Iterator[None]:
    """Point stdout/stderr at /dev/null while pyperclip runs, unless they are terminals.

    xclip, xsel and wl-copy stay in the background to serve the selection and
    inherit our stdout/stderr; when those are pipes, ``readlist cite ID --copy |
    less`` or ``$(readlist cite ID --copy)`` would wait for end-of-file until the
    clipboard changes hands. Terminals (the TUI's, an interactive shell's) are
    left alone, so nothing the TUI is drawing is ever redirected.
    """
    saved: list[tuple[int, int]] = []
    try:
        for fd in (1, 2):
            try:
                if not os.isatty(fd):
                    saved.append((fd, os.dup(fd)))
            except OSError:  # closed descriptor: nothing to protect
                continue
        if saved:
            for stream in (sys.stdout, sys.stderr):
                with contextlib.suppress(Exception):
                    stream.flush()
            devnull = os.open(os.devnull, os.O_WRONLY)
            try:
                for fd, _ in saved:
                    os.dup2(devnull, fd)
            finally:
                os.close(devnull)
        yield
    finally:
        for fd, copy in saved:
            os.dup2(copy, fd)
            os.close(copy)


def _pyperclip_copy(text: str) -> str | None:
    """Copy with pyperclip; the mechanism's name, or None when it has none (or it failed)."""
    try:
        import pyperclip
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    try:
        with _detached_stdio():
            pyperclip.copy(text)
    except pyperclip.PyperclipException:
        return None
    except OSError:  # a mechanism that vanished between detection and use
        return None
    name = getattr(pyperclip.copy, "__name__", "")
    return _MECHANISMS.get(name, "pyperclip")


def unreachable_display(env: Mapping[str, str] | None = None) -> str | None:
    """``DISPLAY`` when it names an X server on this machine (``:1``) that does not answer, else None.

    A terminal session can outlive the desktop it was started from (tmux reattached from an SSH login keeps the
    old ``DISPLAY``): xclip and xsel then exit with an error, which pyperclip does not look at, so the copy would
    be reported done while the clipboard still holds what it held."""
    env = os.environ if env is None else env
    display = env.get("DISPLAY", "")
    found = re.fullmatch(r"(?:unix)?:(\d+)(?:\.\d+)?", display)
    if found is None:
        return None
    path = f"/tmp/.X11-unix/X{found.group(1)}"
    for address in ("\0" + path, path):  # servers on Linux listen on the abstract socket too
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            probe.settimeout(2)
            try:
                probe.connect(address)
            except OSError:
                continue
            return None
    return display


def copy_text(
    text: str,
    *,
    osc52_writer: Callable[[str], None] | None = None,
    what: str | None = None,
    env: Mapping[str, str] | None = None,
) -> CopyResult:
    """Put ``text`` on the user's clipboard by the best available route and say which one.

    ``osc52_writer`` sends the raw text as OSC 52 (the TUI passes
    ``app.copy_to_clipboard``); without it the sequence goes to ``/dev/tty``.
    ``what`` names the content for the message ("1 citation"). ``env`` stands in
    for ``os.environ`` in the routing decision (SSH, ``READLIST_CLIPBOARD``).
    """
    # The payload is data, like an export: whatever the caller built, no escape sequence, control
    # character or bidi override reaches the clipboard (tabs and newlines stay).
    text = strip_controls(text)
    subject = f" {what}" if what else ""

    def via_osc52() -> CopyResult | None:
        writer = osc52_writer if osc52_writer is not None else tty_osc52_writer()
        if writer is None:
            return None
        try:
            writer(text)
        except OSError:
            return None
        # The condition comes first: a message cut to a narrow line must still say the copy is not certain.
        condition = "if your terminal allows it"
        if len(base64.b64encode(text.encode("utf-8"))) > OSC52_SOFT_LIMIT:
            condition += " and takes one this large"
        return CopyResult(True, "osc52", f"Copied{subject or ' the text'} {condition} (sent as OSC 52)")

    failed: list[str] = []

    def via_system() -> CopyResult | None:
        method = _pyperclip_copy(text)
        if method is None:
            return None
        if method in ("xclip", "xsel") and (display := unreachable_display(env)) is not None:
            failed.append(f"{method} found no X server at DISPLAY={display}")
            return None
        return CopyResult(True, method, f"Copied{subject or ' to the clipboard'} with {method}")

    order = (via_osc52, via_system) if prefer_osc52(env) else (via_system, via_osc52)
    for attempt in order:
        result = attempt()
        if result is not None:
            return result
    if failed:
        return CopyResult(False, "none", f"The clipboard cannot be reached: {failed[0]} (a desktop session that "
                                         "has ended?); "
                                         "set DISPLAY to a running one, or use a terminal that supports OSC 52")
    return CopyResult(False, "none", f"No clipboard available: {_no_clipboard_hint(env)}")


def _no_clipboard_hint(env: Mapping[str, str] | None) -> str:
    """What to do when nothing could copy: installing xclip is no help where it is installed and only the
    desktop session is missing (a console, or an SSH login without X forwarding)."""
    missing = missing_desktop(env)
    if missing is not None:
        return f"{missing}; run readlist in a desktop's terminal, or use a terminal that supports OSC 52"
    return NO_CLIPBOARD_HINT


def missing_desktop(env: Mapping[str, str] | None = None) -> str | None:
    """Why an installed clipboard tool cannot work here (no desktop session for it), else None."""
    env = os.environ if env is None else env
    if sys.platform.startswith("linux") and not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        tool = next((name for name in ("xclip", "xsel", "wl-copy") if shutil.which(name)), None)
        if tool is not None:
            return f"no desktop session here for {tool} to reach (DISPLAY and WAYLAND_DISPLAY are unset)"
    return None
