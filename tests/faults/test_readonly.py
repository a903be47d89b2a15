"""The read-only guarantee: a full `check` changes nothing it looks at.

Before and after a real run, the interpreter under test (its prefix with
site-packages, and the base installation behind a venv), the PyCharm config,
the project and the home folder are snapshotted: every path, its type, size,
modification time and content hash (symlinks by target). Any difference fails
the test with the paths that changed. The run's temp folder must be gone too.

The PyCharm side is the Linux fixture tree (tests/fixtures/pycharm/linux), copied
and read through the layout's documented seam (TFCERT_ENVCHECK_HOME/_ROOT); its
project SDK points at the interpreter under test, and `check --project` runs
the whole check on it the way a user does.
"""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import pyenv_python
from tests.faults.support import assert_scratch_removed, run_check

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="POSIX fixture tree"),
]

Snapshot = dict[str, tuple[object, ...]]


def snapshot(*roots: Path) -> Snapshot:
    """Every path under `roots`: (kind, size, mtime_ns, blake2b digest or link target)."""
    seen: Snapshot = {}
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            for name in (*dirnames, *filenames):
                path = Path(dirpath, name)
                st = path.lstat()
                if stat.S_ISLNK(st.st_mode):
                    seen[str(path)] = ("link", os.readlink(path))
                elif stat.S_ISDIR(st.st_mode):
                    seen[str(path)] = ("dir", st.st_mtime_ns)
                else:
                    seen[str(path)] = ("file", st.st_size, st.st_mtime_ns, _digest(path))
            seen[dirpath] = seen.get(dirpath, ("dir", Path(dirpath).lstat().st_mtime_ns))
    return seen


def _digest(path: Path) -> str:
    h = hashlib.blake2b(digest_size=16)
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def assert_unchanged(before: Snapshot, after: Snapshot) -> None:
    added = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))
    changed = sorted(p for p in set(before) & set(after) if before[p] != after[p])
    assert (added, removed, changed) == ([], [], []), {
        "added": added[:20],
        "removed": removed[:20],
        "changed": changed[:20],
    }


def _pycharm_project(
    tmp_path: Path, base: Path, extra_site: Path | None = None
) -> tuple[dict[str, str], Path, Path]:
    """A copy of the Linux PyCharm tree whose tf-exam project has a real venv of `base`.

    With `extra_site`, the venv also sees that site-packages through a .pth file (how
    the exam environment's TensorFlow is reached without copying 1.7 GB).
    """
    from envcheck.pycharm.layout import HOME_ENV, ROOT_ENV
    from tests.pycharm_trees import copy_tree

    layout = copy_tree("linux", tmp_path / "tree")
    project = layout.home / "PycharmProjects" / "tf-exam"
    venv = project / "venv"  # the SDK's homePath in PyCharm2021.3/options/jdk.table.xml
    subprocess.run([str(base), "-m", "venv", str(venv)], check=True, timeout=300)
    if extra_site is not None:
        (site,) = venv.glob("lib/python3.*/site-packages")
        (site / "exam-env.pth").write_text(f"{extra_site}\n", encoding="utf-8")
    env = {HOME_ENV: str(layout.home), ROOT_ENV: str(layout.root)}
    return env, Path(layout.root), project


def _prefixes(python: Path) -> list[Path]:
    """The interpreter's prefix and base prefix, as it reports them."""
    out = subprocess.run(
        [str(python), "-c", "import sys; print(sys.prefix); print(sys.base_prefix)"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    ).stdout.split("\n")
    return sorted({Path(out[0]), Path(out[1])})


def _base_prefix(python: Path) -> str:
    return subprocess.run(
        [str(python), "-c", "import sys; print(sys.base_prefix)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def _run_and_compare(
    tmp_path: Path, base: Path, *args: str, extra: Path | None = None, timeout: float
) -> dict[str, dict[str, Any]]:
    env, tree, project = _pycharm_project(tmp_path, base, extra)
    roots = [*_prefixes(base), tree, Path.home(), *([extra] if extra else [])]
    before = snapshot(*roots)
    out = run_check(tmp_path, "--project", str(project), *args, env=env, timeout=timeout)
    after = snapshot(*roots)
    assert out.report["target"]["how_chosen"] == "--project"
    assert out.result("python.interpreter")["status"] == "ok"
    assert out.result("pycharm.interpreter")["status"] in ("ok", "warning")
    assert_unchanged(before, after)
    assert list(out.workdir.iterdir()) == []  # the folder it ran from got nothing either
    assert_scratch_removed(tmp_path)
    return out.results


def test_check_changes_nothing_in_a_fresh_venv(tmp_path: Path) -> None:
    """A new venv (with pip, no TensorFlow): every check but the benchmark."""
    base = pyenv_python("3.8") or Path(sys.executable)
    _run_and_compare(tmp_path, base, "--no-bench", timeout=300)


@pytest.mark.tensorflow
def test_full_check_with_benchmark_changes_nothing(tmp_path: Path, exam_python: Path) -> None:
    """TensorFlow 2.9.0 of the exam environment, every check and the benchmark."""
    site = next(exam_python.parent.parent.glob("lib/python3.*/site-packages"))
    base = Path(_base_prefix(exam_python)) / "bin" / "python3"
    results = _run_and_compare(tmp_path, base, extra=site, timeout=900)
    assert results["tensorflow.import"]["status"] == "ok"
    assert results["benchmark.total"]["status"] != "not_run"
