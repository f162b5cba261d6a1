"""Verbs are loaded when they run: `--version` and `--help` start without the library code or Textual."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from readlist.cli import VERBS, main

HEAVY = ("textual", "readlist.tui", "readlist.storage.library", "readlist.app.commands", "httpx", "sklearn")


def loaded_after(*args: str) -> set[str]:
    """The modules a fresh interpreter has loaded after running ``readlist ARGS``."""
    code = (
        "import sys, json\n"
        "from readlist.cli import main\n"
        "try:\n"
        f"    main({list(args)!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "sys.stdout.write('\\n' + json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return set(json.loads(out.splitlines()[-1]))


@pytest.mark.parametrize("args", [["--version"], ["--help"]])
def test_version_and_help_load_no_verb(args: list[str]) -> None:
    loaded = loaded_after(*args)
    assert not [m for m in loaded if m.startswith(HEAVY)], sorted(m for m in loaded if m.startswith(HEAVY))
    assert not {module for module, _ in VERBS.values()} & loaded


def test_list_help_does_not_load_the_terminal_ui() -> None:
    loaded = loaded_after("list", "--help")
    assert "readlist.cli.list_cmds" in loaded
    assert not [m for m in loaded if m.startswith(("textual", "readlist.tui", "sklearn"))]


@pytest.mark.parametrize("verb", sorted(VERBS))
def test_each_summary_is_the_first_sentence_of_the_verbs_help(verb: str) -> None:
    module, summary = VERBS[verb]
    command = next(c for c in importlib.import_module(module).COMMANDS if c.name == verb)
    assert command.get_short_help_str(limit=1000) == summary or (command.hidden and summary == "")


def test_every_verb_module_command_is_listed() -> None:
    listed = {name for name, _ in VERBS.items()}
    for module in {module for module, _ in VERBS.values()}:
        for command in importlib.import_module(module).COMMANDS:
            assert isinstance(command, click.Command)
            assert command.name in listed, f"{command.name} from {module} is missing from VERBS"


def test_help_lists_every_verb_with_its_summary() -> None:
    result = CliRunner().invoke(main, ["--help"], terminal_width=200)
    assert result.exit_code == 0
    assert "merge-driver" not in result.output
    for verb, (_, summary) in VERBS.items():
        if not summary:
            continue
        line = next(line for line in result.output.splitlines() if line.strip().startswith(verb + " "))
        assert summary.split(" (")[0].rstrip(".")[:30] in line
