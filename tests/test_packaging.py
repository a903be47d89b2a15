"""Packaging: what a user installs, and where the tool refuses to install.

`python -m build` makes the sdist and then the wheel from that sdist, as pip
does for a source install, so both halves of the packaging are exercised; the
wheel carries the top-level matrix. A candidate's likely first move is
`pip install .` into the exam's own Python 3.8: the metadata must build there,
so that pip itself refuses with "requires a different Python", not with a
setuptools error about `project.license` (87 lines when `license` used the
SPDX string form).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO, pyenv_python


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(REPO)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return out


@pytest.mark.slow
def test_wheel_ships_the_top_level_matrix(dists: Path) -> None:
    (wheel,) = dists.glob("*.whl")
    with zipfile.ZipFile(wheel) as zf:
        shipped = zf.read("envcheck/data/compat_matrix.yaml")
        names = zf.namelist()
    assert shipped == (REPO / "compat_matrix.yaml").read_bytes()
    assert "probes/probe_python.py" in names
    assert not any(n.startswith("tests/") for n in names)


@pytest.mark.slow
def test_sdist_carries_the_matrix_and_no_symlinks(dists: Path) -> None:
    (sdist,) = dists.glob("*.tar.gz")
    with tarfile.open(sdist) as tf:
        members = tf.getmembers()
    assert not [m.name for m in members if m.issym() or m.islnk()]
    assert any(m.name.endswith("/compat_matrix.yaml") and m.name.count("/") == 1 for m in members)


def test_package_and_top_level_have_no_symlinks() -> None:
    """A clone on Windows without symlink support must get every file the tool uses.

    Test fixtures may model a real layout that has links (snap's `current`).
    """
    files = subprocess.run(
        ["git", "ls-files", "-s"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    links = [line.split("\t", 1)[1] for line in files if line.startswith("120000")]
    assert not [path for path in links if not path.startswith("tests/fixtures/")]


@pytest.mark.slow
def test_pip_install_into_python_38_fails_with_one_clear_line(tmp_path: Path) -> None:
    py38 = pyenv_python("3.8")
    if py38 is None:
        pytest.skip("no pyenv Python 3.8 on this machine")
    venv = tmp_path / "exam"
    subprocess.run([str(py38), "-m", "venv", str(venv)], check=True, timeout=120)
    src = tmp_path / "src"
    shutil.copytree(
        REPO,
        src,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "*.egg-info", "build", "__pycache__", ".mypy_cache", ".ruff_cache"
        ),
    )
    proc = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--no-deps", "."],
        cwd=src,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1
    errors = [ln for ln in out.splitlines() if ln.startswith("ERROR")]
    assert errors == [
        "ERROR: Package 'tfcert-envcheck' requires a different Python: "
        f"{_version(venv)} not in '>=3.10'"
    ], out
    assert "project.license" not in out
    assert "Traceback" not in out


def test_the_license_the_metadata_names_is_there() -> None:
    text = (REPO / "pyproject.toml").read_text()
    assert 'license = { text = "Apache-2.0" }' in text
    assert "Apache License" in (REPO / "LICENSE").read_text()
    assert "Version 2.0, January 2004" in (REPO / "LICENSE").read_text()


def _version(venv: Path) -> str:
    return subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import platform; print(platform.python_version())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_no_doc_installs_the_tool_by_name_from_an_index() -> None:
    """It is not published: `pip install tfcert-envcheck` would find nothing (or another's)."""
    by_name = re.compile(r"pip install (?:-{1,2}\S+ )*[\"']?tfcert-envcheck(?:[\"'\[\s]|$)", re.M)
    for doc in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        assert not by_name.search(doc.read_text("utf-8")), doc.name
