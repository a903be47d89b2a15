"""The PyCharm fixture trees (tests/fixtures/pycharm/<os>/) and layouts pointing at them.

Each tree is a filesystem root laid out like one OS, with the user's home
inside; `layout_for` reads it in place, `copy_tree` gives a writable copy
for tests that add interpreters (a venv cannot be committed).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from envcheck.pycharm.layout import Layout, OsName

PYCHARM_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "pycharm"
HOMES: dict[OsName, str] = {
    "linux": "home/ada",
    "macos": "Users/ada",
    "windows": "Users/ada",
}


def layout_for(os_name: OsName, root: Path | None = None) -> Layout:
    """A layout reading the fixture tree (or a copy of it at `root`) as `os_name` does."""
    root = root or PYCHARM_FIXTURES / os_name
    drives = {"C": root} if os_name == "windows" else None
    return Layout.for_tree(os_name, root / HOMES[os_name], root=root, drives=drives)


def copy_tree(os_name: OsName, dest: Path) -> Layout:
    """A writable copy of one fixture tree, and its layout."""
    root = dest / os_name
    shutil.copytree(PYCHARM_FIXTURES / os_name, root, symlinks=True)
    return layout_for(os_name, root)


def real_python_at(path: Path) -> Path:
    """Put the running interpreter at `path` (a symlink), so it answers the handshake."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(sys.executable, path)
    return path


def placeholder_at(path: Path) -> Path:
    """A file that exists but is never run (paths of another OS's interpreters)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("not an interpreter\n")
    return path


def copied_config(os_name: OsName, name: str) -> Path:
    """A config directory of one fixture tree, as support staff get it from a candidate."""
    bases: dict[OsName, str] = {
        "linux": ".config/JetBrains",
        "macos": "Library/Application Support/JetBrains",
        "windows": "AppData/Roaming/JetBrains",
    }
    return PYCHARM_FIXTURES / os_name / HOMES[os_name] / bases[os_name] / name


def support_desk(tmp_path: Path) -> Layout:
    """This machine as support staff have it: Linux, an empty home, no PyCharm installed."""
    root = tmp_path / "desk"
    (root / "home" / "sam").mkdir(parents=True)
    return Layout.for_tree("linux", root / "home" / "sam", root=root)
