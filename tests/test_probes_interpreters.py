"""Probes run in every CPython the exam world uses: 3.7 to 3.13, found via pyenv."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from envcheck.probing.interpreter import Interpreter, InterpreterProblem, resolve
from envcheck.probing.runner import PROBES_DIR, run_probe
from tests.conftest import pyenv_python

VERSIONS = ["3.7", "3.8", "3.9", "3.10", "3.11", "3.12", "3.13"]
PROBE_FILES = sorted(PROBES_DIR.glob("*.py"))


def _python(version: str) -> Path:
    exe = pyenv_python(version)
    if exe is None:
        pytest.skip(f"no CPython {version} installed by pyenv here")
    return exe


def test_probe_files_exist() -> None:
    names = {p.name for p in PROBE_FILES}
    assert {
        "_probelib.py",
        "probe_python.py",
        "probe_system.py",
        "probe_packages.py",
        "probe_tensorflow.py",
    } <= names


def test_every_probe_compiles_under_python_3_7() -> None:
    """No syntax newer than 3.7 in probes/: the oldest exam interpreter must parse them."""
    exe = _python("3.7")
    code = (
        "import sys\n"
        "for path in sys.argv[1:]:\n"
        "    compile(open(path, encoding='utf-8').read(), path, 'exec')\n"
    )
    proc = subprocess.run(
        [str(exe), "-c", code, *map(str, PROBE_FILES)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("probe", ["python", "system", "packages"])
def test_probe_runs_in_each_python(version: str, probe: str) -> None:
    exe = _python(version)
    run = run_probe(probe, str(exe), timeout_s=60)
    assert run.outcome == "ok", run.message + run.stderr_tail
    errors = {k: v for k, v in run.facts.items() if isinstance(v, dict) and "error" in v}
    assert not errors
    if probe == "python":
        assert ".".join(map(str, run.facts["identity"]["version"][:2])) == version
    if probe == "packages":
        names = {d["name"].lower() for d in run.facts["packages"]["distributions"]}
        assert "pip" in names


@pytest.mark.parametrize("version", ["2.7", "3.6"])
def test_too_old_pythons_are_identified_not_crashed(version: str) -> None:
    exe = _python(version)
    found = resolve(str(exe))
    assert isinstance(found, Interpreter)
    assert found.version[:2] == tuple(int(x) for x in version.split("."))
    assert not found.can_run_probes


def test_resolve_refuses_what_is_not_a_local_executable(tmp_path: Path) -> None:
    assert isinstance(resolve(str(tmp_path / "missing")), InterpreterProblem)
    assert "directory" in resolve(str(tmp_path)).reason  # type: ignore[union-attr]
    script = tmp_path / "python"
    script.write_text("#!/bin/sh\necho hi\n")
    assert resolve(str(script)).reason == "is not executable"  # type: ignore[union-attr]
    remote = resolve("ssh://ana@lab/usr/bin/python3")
    assert isinstance(remote, InterpreterProblem)
    assert "remote" in remote.reason
