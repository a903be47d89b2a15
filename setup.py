"""Build hook: ship the top-level compat_matrix.yaml inside the package.

The matrix lives at the repository's top level, where users look for it; an
installed tool reads its copy from envcheck/data/. A symlink did this before,
which breaks clones on Windows without symlink support. All metadata stays in
pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class BuildPyWithMatrix(build_py):
    """build_py, plus the matrix copied to envcheck/data/ in the build tree."""

    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "envcheck" / "data" / "compat_matrix.yaml"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(HERE / "compat_matrix.yaml", target)


setup(cmdclass={"build_py": BuildPyWithMatrix})
