"""Nothing in the folder `check` runs from is ever imported or run by the tool's processes.

A project folder can hold anything: a `subprocess.py` of the user's own, a
`json.py`, a `pip/` or `encodings/` package, or something planted. Helpers
(the pip-api helper, the `-m pip` it runs, the version handshake) and probes
run with the working folder off sys.path. Each planted module below writes a
marker file when imported; no marker may appear. The tool itself is started
isolated (`-I`), as the installed `tfcert-envcheck` script starts, so that only
what the tool starts is tested.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import pyenv_python
from tests.faults.support import assert_no_crash, check_env

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX paths in the plants")

PLANTED_MODULES = (
    "subprocess.py",
    "json.py",
    "runpy.py",
    "platform.py",
    "sitecustomize.py",
    "usercustomize.py",
    "pip_api.py",
    "pip/__init__.py",
    "pip/__main__.py",
    "encodings/__init__.py",
    "tensorflow/__init__.py",
    "_probelib.py",
)


def _plant(folder: Path, markers: Path) -> None:
    for rel in PLANTED_MODULES:
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            "import os\n"
            f"open(os.path.join({str(markers)!r}, {rel.replace('/', '.')!r} + '-' "
            "+ str(os.getpid())), 'w').close()\n",
            encoding="utf-8",
        )


def _check_in(folder: Path, tmp_path: Path, python: str, *, pythonpath: str = "") -> dict:
    report = tmp_path / "report.json"
    env = check_env(tmp_path, {"PYTHONPATH": pythonpath} if pythonpath else None)
    proc = subprocess.run(
        [
            sys.executable,
            "-I",
            "-m",
            "envcheck",
            "check",
            "--json",
            "-q",
            "-o",
            str(report),
            "--python",
            python,
            "--no-bench",
            "--only",
            "python",
            "--only",
            "packages",
            "--only",
            "tensorflow",
            "--only",
            "system",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=folder,
        check=False,
    )
    assert_no_crash(proc)
    doc: dict = json.loads(report.read_text(encoding="utf-8"))
    return doc


@pytest.mark.parametrize("version", ["3.7", "3.13"])
def test_modules_in_the_working_folder_are_never_imported(tmp_path: Path, version: str) -> None:
    python = pyenv_python(version)
    if python is None:
        pytest.skip(f"no pyenv CPython {version}")
    markers = tmp_path / "markers"
    markers.mkdir()
    project = tmp_path / "project"
    _plant(project, markers)
    doc = _check_in(project, tmp_path, str(python))
    assert sorted(p.name for p in markers.iterdir()) == []
    statuses = {r["id"]: r["status"] for r in doc["results"]}
    assert statuses["python.interpreter"] == "ok", statuses
    probes = doc["facts"]["probes"]
    assert probes["pip"]["outcome"] == "ok", probes["pip"]  # pip list ran, and ran clean
    assert probes["python"]["outcome"] == "ok", probes["python"]


def test_the_tools_own_python_in_a_planted_folder(tmp_path: Path) -> None:
    """Without --python the tool checks its own interpreter; helpers still import nothing here."""
    markers = tmp_path / "markers"
    markers.mkdir()
    project = tmp_path / "project"
    _plant(project, markers)
    doc = _check_in(project, tmp_path, sys.executable)
    assert sorted(p.name for p in markers.iterdir()) == []
    assert doc["facts"]["probes"]["pip"]["outcome"] == "ok", doc["facts"]["probes"]["pip"]


def test_pythonpath_is_honoured_by_probes_as_by_the_interpreter(tmp_path: Path) -> None:
    """PYTHONPATH is part of how the user's interpreter behaves: probes see it (documented)."""
    site = tmp_path / "site"
    (site / "tensorflow").mkdir(parents=True)
    (site / "tensorflow" / "__init__.py").write_text('__version__ = "2.9.0"\n', encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    doc = _check_in(project, tmp_path, sys.executable, pythonpath=str(site))
    tf = doc["facts"]["probes"]["tensorflow"]
    assert tf["outcome"] in ("ok", "partial"), tf
    version = next(r for r in doc["results"] if r["id"] == "tensorflow.version")
    assert "2.9.0" in (version["observed"] or version["summary"]), version
