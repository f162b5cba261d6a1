"""Build hook: ship the repository's top-level ``themes/`` inside the package as ``readlist/bundled_themes``.

setuptools cannot map a data-only folder from outside the package tree while also discovering the
packages automatically, so the theme files are copied when the wheel is built. All other metadata is
in pyproject.toml; editable installs read ``themes/`` in place (see ``readlist.config.themes.bundled_themes_dir``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

THEMES = Path(__file__).resolve().parent / "themes"


class BuildPyWithThemes(build_py):
    """The usual build_py, plus the bundled theme files."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "readlist" / "bundled_themes"
        target.mkdir(parents=True, exist_ok=True)
        for theme in sorted(THEMES.glob("*.toml")):
            shutil.copyfile(theme, target / theme.name)


setup(cmdclass={"build_py": BuildPyWithThemes})
