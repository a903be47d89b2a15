"""The wheel a user installs carries the matrix, equal to the top-level file.

`python -m build` makes the sdist and then the wheel from that sdist, as pip
does for a source install, so both halves of the packaging are exercised.
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from tests.helpers import REPO

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(REPO)],
        capture_output=True, text=True, check=False, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return out


def test_wheel_ships_the_top_level_matrix(dists: Path) -> None:
    (wheel,) = dists.glob("*.whl")
    with zipfile.ZipFile(wheel) as zf:
        shipped = zf.read("envcheck/data/compat_matrix.yaml")
        names = zf.namelist()
    assert shipped == (REPO / "compat_matrix.yaml").read_bytes()
    assert "probes/probe_python.py" in names
    assert not any(n.startswith("tests/") for n in names)


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
