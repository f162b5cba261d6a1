"""The Python versions readlist says it supports agree: pyproject's floor and classifiers, and the README's line."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _classified_versions() -> list[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    found = [re.fullmatch(r"Programming Language :: Python :: (3\.\d+)", c) for c in project["classifiers"]]
    return [m.group(1) for m in found if m]


def test_classifiers_name_each_version_from_the_floor_up_with_no_gap() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    floor = project["requires-python"].removeprefix(">=")
    versions = _classified_versions()
    assert versions[0] == floor
    minors = [int(v.split(".")[1]) for v in versions]
    assert minors == list(range(minors[0], minors[0] + len(minors)))
    assert {"3.12", "3.13"} <= set(versions)


def test_the_readme_requirement_line_names_the_classified_versions() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    first, *middle, last = _classified_versions()
    assert "Python " + ", ".join([first, *middle]) + f" or {last}" in " ".join(readme.split())

