"""Clipboard routing: system clipboard, OSC 52 to the TUI or the tty, and nothing (said plainly)."""

from __future__ import annotations

import base64
import os
import select
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pyperclip
import pytest

from readlist.app import clipboard
from readlist.app.clipboard import copy_text, osc52_sequence, prefer_osc52, tty_osc52_writer, x11_forwarded
from readlist.app.imports import ImportPapers

LOCAL: dict[str, str] = {}
SSH = {"SSH_CONNECTION": "10.0.0.2 51234 10.0.0.1 22", "SSH_TTY": "/dev/pts/3"}


def _copy_ok(calls: list[str]) -> Callable[[str], None]:
    def copy_xclip(text: str) -> None:  # the name pyperclip gives its xclip mechanism
        calls.append(text)

    return copy_xclip


def _copy_missing(text: str) -> None:
    raise pyperclip.PyperclipException("Pyperclip could not find a copy/paste mechanism for your system.")


@pytest.fixture
def no_tty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clipboard, "tty_osc52_writer", lambda path="/dev/tty": None)


def test_system_clipboard_first_locally(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    sent: list[str] = []
    monkeypatch.setattr(pyperclip, "copy", _copy_ok(calls))
    result = copy_text("@misc{x}", osc52_writer=sent.append, what="1 citation", env=LOCAL)
    assert result == clipboard.CopyResult(True, "xclip", "Copied 1 citation with xclip")
    assert calls == ["@misc{x}"] and sent == []


def test_unknown_mechanism_is_reported_as_pyperclip(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pyperclip, "copy", lambda text: None)
    expected = clipboard.CopyResult(True, "pyperclip", "Copied to the clipboard with pyperclip")
    assert copy_text("x", env=LOCAL) == expected


def test_falls_back_to_the_tui_osc52_writer(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[str] = []
    monkeypatch.setattr(pyperclip, "copy", _copy_missing)
    result = copy_text("hello", osc52_writer=sent.append, what="2 citations", env=LOCAL)
    assert result.ok and result.method == "osc52"
    assert result.message == "Copied 2 citations if your terminal allows it (sent as OSC 52)"
    assert sent == ["hello"]  # the TUI writer gets raw text; Textual encodes it


def test_falls_back_to_the_controlling_tty(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake_tty = tmp_path / "tty"
    fake_tty.write_text("")
    monkeypatch.setattr(pyperclip, "copy", _copy_missing)
    monkeypatch.setattr(clipboard, "tty_osc52_writer", lambda path="/dev/tty": tty_osc52_writer(str(fake_tty)))
    result = copy_text("héllo", env=LOCAL)
    assert result.method == "osc52"
    written = fake_tty.read_text()
    assert written == "\x1b]52;c;" + base64.b64encode("héllo".encode()).decode() + "\a"


def test_nothing_available_says_so(monkeypatch: pytest.MonkeyPatch, no_tty: None) -> None:
    monkeypatch.setattr(pyperclip, "copy", _copy_missing)
    monkeypatch.setattr(clipboard.shutil, "which", lambda name: None)
    result = copy_text("x", env=LOCAL)
    assert not result.ok and result.method == "none"
    assert result.message == f"No clipboard available: {clipboard.NO_CLIPBOARD_HINT}"
    assert "install xclip" in result.message


def test_without_a_desktop_the_hint_is_not_to_install_what_is_installed(
    monkeypatch: pytest.MonkeyPatch, no_tty: None
) -> None:
    """xclip installed, no DISPLAY (a console, SSH without X forwarding): installing xclip would not help."""
    monkeypatch.setattr(pyperclip, "copy", _copy_missing)
    monkeypatch.setattr(clipboard.shutil, "which", lambda name: f"/usr/bin/{name}" if name == "xclip" else None)
    monkeypatch.setattr(clipboard.sys, "platform", "linux")  # DISPLAY and WAYLAND_DISPLAY are Linux desktops'
    result = copy_text("x", env=LOCAL)
    assert not result.ok and "install" not in result.message
    assert result.message.startswith("No clipboard available: no desktop session here for xclip to reach")
    # With a desktop named, the tools are what is missing or broken: the usual hint.
    assert copy_text("x", env={"WAYLAND_DISPLAY": "wayland-0"}).message.endswith(clipboard.NO_CLIPBOARD_HINT)


def test_tty_that_cannot_be_opened_means_none() -> None:
    assert tty_osc52_writer("/nonexistent/dir/tty") is None


def test_failing_osc52_writer_falls_through(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(text: str) -> None:
        raise OSError("terminal gone")

    calls: list[str] = []
    monkeypatch.setattr(pyperclip, "copy", _copy_ok(calls))
    result = copy_text("x", osc52_writer=broken, env=SSH)
    assert result.method == "xclip" and calls == ["x"]


def test_over_ssh_osc52_goes_first(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    sent: list[str] = []
    monkeypatch.setattr(pyperclip, "copy", _copy_ok(calls))
    result = copy_text("x", osc52_writer=sent.append, env={**SSH, "DISPLAY": ":0"})
    assert result.method == "osc52" and sent == ["x"] and calls == []


def test_over_ssh_without_a_terminal_channel_uses_the_system_clipboard(
    monkeypatch: pytest.MonkeyPatch, no_tty: None
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(pyperclip, "copy", _copy_ok(calls))
    assert copy_text("x", env=SSH).method == "xclip" and calls == ["x"]


def test_x11_forwarding_keeps_the_system_clipboard_first(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    sent: list[str] = []
    monkeypatch.setattr(pyperclip, "copy", _copy_ok(calls))
    result = copy_text("x", osc52_writer=sent.append, env={**SSH, "DISPLAY": "localhost:10.0"})
    assert result.method == "xclip" and sent == []


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, False),
        (SSH, True),
        ({"SSH_CLIENT": "1.2.3.4 5 22"}, True),
        ({**SSH, "DISPLAY": "localhost:10.0"}, False),
        ({**SSH, "DISPLAY": ":1"}, True),
        ({"READLIST_CLIPBOARD": "osc52"}, True),
        ({**SSH, "READLIST_CLIPBOARD": "system"}, False),
        ({**SSH, "READLIST_CLIPBOARD": "auto"}, True),
    ],
)
def test_prefer_osc52(env: dict[str, str], expected: bool) -> None:
    assert prefer_osc52(env) is expected


def test_x11_forwarded_shapes() -> None:
    assert x11_forwarded({"DISPLAY": "localhost:10.0"})
    assert not x11_forwarded({"DISPLAY": ":0"})
    assert not x11_forwarded({"DISPLAY": "/private/tmp/com.apple.launchd.x/org.xquartz:0"})
    assert not x11_forwarded({})


def test_osc52_sequence_is_inert_base64() -> None:
    seq = osc52_sequence("\x1b]0;pwned\a")
    assert seq.count("\x1b") == 1 and seq.endswith("\a")
    assert base64.b64decode(seq[len("\x1b]52;c;") : -1]).decode() == "\x1b]0;pwned\a"


def test_large_osc52_payload_carries_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pyperclip, "copy", _copy_missing)
    result = copy_text("x" * 100_000, osc52_writer=lambda t: None, env=LOCAL)
    assert result.ok and "large" in result.message


# ---------------------------------------------------------------------------
# the real thing: pyperclip → xclip → an X server, read back with xclip


@pytest.fixture
def xvfb(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    if not (shutil.which("Xvfb") and shutil.which("xclip")):
        pytest.skip("Xvfb and xclip are not installed")
    # -displayfd: Xvfb picks a free display number and writes it once it accepts connections.
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-nolisten", "tcp", "-screen", "0", "640x480x24"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        pass_fds=(write_fd,),
    )
    os.close(write_fd)
    try:
        number = b""
        deadline = time.monotonic() + 10
        while not number.endswith(b"\n"):
            ready, _, _ = select.select([read_fd], [], [], max(0.0, deadline - time.monotonic()))
            chunk = os.read(read_fd, 16) if ready else b""
            if not chunk:
                pytest.skip("Xvfb did not start")
            number += chunk
        display = ":" + number.decode().strip()
        monkeypatch.setenv("DISPLAY", display)
        monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
        # pyperclip picks its mechanism once per process; make it look again under this DISPLAY.
        monkeypatch.setattr(pyperclip, "copy", pyperclip.lazy_load_stub_copy)
        monkeypatch.setattr(pyperclip, "paste", pyperclip.lazy_load_stub_paste)
        yield display
    finally:
        os.close(read_fd)
        proc.terminate()
        proc.wait(timeout=5)


def test_real_copy_through_xclip(xvfb: str) -> None:
    text = "@misc{touvron2023llama,\n  title = {Über {LLaMA}}\n}\n"
    result = copy_text(text, what="1 citation", env={"DISPLAY": xvfb})
    assert result == clipboard.CopyResult(True, "xclip", "Copied 1 citation with xclip")
    assert _paste() == text


def _paste(attempts: int = 100) -> str:
    """What the clipboard holds. The xclip that serves it runs on in the background and, on a busy machine, may
    not have answered the X server yet when the copy returns: ask again until it has (or give up)."""
    for _ in range(attempts):
        done = subprocess.run(["xclip", "-o", "-selection", "clipboard"], capture_output=True, timeout=5,
                              env={**os.environ})
        if done.returncode == 0:
            return done.stdout.decode()
        time.sleep(0.05)
    raise AssertionError(f"the clipboard stayed empty: {done.stderr.decode().strip()}")


def test_cli_copy_does_not_hold_a_pipe_open(xvfb: str, tmp_path: Path) -> None:
    """xclip lingers to serve the selection; `readlist cite ID --copy | less` must still see end-of-file."""
    import sys

    from readlist.core.model import Paper
    from readlist.storage.library import Library

    db = tmp_path / "lib.json"
    pipes = Paper.create(title="Pipes", authors=["Ada Lovelace"], arxiv_id="2401.00001")
    ImportPapers([pipes], "test").execute(Library(db))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SSH_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "readlist", "--db", str(db), "cite", "2401", "--copy"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**env, "DISPLAY": xvfb, "READLIST_CLIPBOARD": "system"},
        start_new_session=True,  # no controlling terminal, like a pipeline in cron
    )
    try:
        out, err = proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail("the copy kept stdout/stderr open after readlist exited")
    assert proc.returncode == 0, err
    assert out.decode().startswith("@misc{lovelace2024pipes,")  # the year comes from the arXiv id
    assert err.decode().strip() == "Copied 1 citation with xclip"
    assert _paste() == out.decode()


def _dead_display() -> str:
    """A display number no X server here answers on."""
    number = next(n for n in range(4000, 5000) if not os.path.exists(f"/tmp/.X11-unix/X{n}"))
    return f":{number}"


def test_xclip_to_an_x_server_that_is_gone_is_not_reported_as_copied(monkeypatch: pytest.MonkeyPatch,
                                                                     no_tty: None) -> None:
    """xclip fails there (pyperclip does not look at its exit status): the copy must not be said done."""
    calls: list[str] = []
    monkeypatch.setattr(pyperclip, "copy", _copy_ok(calls))
    display = _dead_display()
    result = copy_text("@misc{x}", what="1 citation", env={"DISPLAY": display})
    assert not result.ok and calls == ["@misc{x}"]
    assert result.message.startswith(f"The clipboard cannot be reached: xclip found no X server at DISPLAY={display}")
    # With a terminal to send it to, OSC 52 takes over.
    sent: list[str] = []
    result = copy_text("@misc{x}", osc52_writer=sent.append, env={"DISPLAY": display})
    assert result.ok and result.method == "osc52" and sent == ["@misc{x}"]


def test_a_display_that_answers_or_is_not_local_is_not_second_guessed(xvfb: str) -> None:
    assert clipboard.unreachable_display({"DISPLAY": xvfb}) is None
    assert clipboard.unreachable_display({"DISPLAY": xvfb + ".0"}) is None
    assert clipboard.unreachable_display({"DISPLAY": "localhost:10.0"}) is None  # forwarded: not checked here
    assert clipboard.unreachable_display({}) is None
    assert clipboard.unreachable_display({"DISPLAY": _dead_display()}) == _dead_display()


def test_cli_copy_to_an_x_server_that_is_gone_says_nothing_was_copied(tmp_path: Path) -> None:
    """The real xclip, to a display no server answers on."""
    import sys

    from readlist.core.model import Paper
    from readlist.storage.library import Library

    if not shutil.which("xclip"):
        pytest.skip("xclip is not installed")
    db = tmp_path / "lib.json"
    ImportPapers([Paper.create(title="Pipes", authors=["Ada Lovelace"], arxiv_id="2401.00001")], "t").execute(
        Library(db))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SSH_", "WAYLAND"))}
    done = subprocess.run([sys.executable, "-m", "readlist", "--db", str(db), "cite", "2401", "--copy"],
                          env={**env, "DISPLAY": _dead_display(), "READLIST_CLIPBOARD": "system"},
                          capture_output=True, timeout=60, start_new_session=True)
    assert done.stdout.decode().startswith("@misc{lovelace2024pipes,")
    assert "Copied" not in done.stderr.decode()
    assert "xclip found no X server" in done.stderr.decode() and "nothing was copied" in done.stderr.decode()
