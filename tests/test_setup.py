"""`tfcert-envcheck setup` through the real CLI: refusals, failures and clean-up.

The full build of the exam profile (about 600 MB from PyPI) runs in
tests/envs.py, through this same command; these tests cover everything
that must happen before or instead of a successful install, with real
Pythons from pyenv and the kernel's own refusals (RLIMIT_FSIZE).
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from envcheck.matrix import load_matrix
from envcheck.pycharm.layout import HOME_ENV
from tests.conftest import pyenv_python
from tests.helpers import run_cli


@pytest.fixture
def py38() -> Path:
    found = pyenv_python("3.8")
    if found is None:
        pytest.skip("no pyenv Python 3.8 on this machine")
    return found


def test_every_profile_lock_pins_the_profiles_own_pins() -> None:
    matrix = load_matrix()
    assert matrix.locks, "the bundled matrix has no lock"
    for name, lock in matrix.locks.items():
        pins = {k.lower().replace("_", "-"): v for k, v in lock.packages.items()}
        for pkg, spec in matrix.profiles[name].packages.items():
            assert f"=={pins[pkg.lower().replace('_', '-')]}" == spec, (name, pkg)


def test_dry_run_prints_every_command_and_changes_nothing(tmp_path: Path, py38: Path) -> None:
    target = tmp_path / "exam" / "venv"
    proc = run_cli("setup", str(target), "--base-python", str(py38), "--dry-run", "--no-redact")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == f"{py38} -m venv --without-pip {target}"
    assert lines[1] == f"{target}/bin/python -m ensurepip --default-pip"
    assert lines[2].startswith(f"{target}/bin/python -m pip install --require-virtualenv ")
    assert "tensorflow==2.9.0" in lines[2]
    assert "protobuf==3.19.6" in lines[2]
    assert not target.exists()
    assert not target.parent.exists()


def test_dry_run_json_names_the_plan(tmp_path: Path, py38: Path) -> None:
    target = tmp_path / "venv"
    proc = run_cli(
        "setup", str(target), "--base-python", str(py38), "--dry-run", "--json", "--no-redact"
    )
    plan = json.loads(proc.stdout)
    assert plan["dry_run"] is True
    assert plan["python"] == str(target / "bin" / "python")
    assert plan["packages"] == len(load_matrix().locks["exam-2022-07"].packages)
    assert not target.exists()


def test_an_existing_folder_is_never_used(tmp_path: Path) -> None:
    target = tmp_path / "project"
    target.mkdir()
    (target / "main.py").write_text("keep me\n")
    proc = run_cli("setup", str(target), "--dry-run")
    assert proc.returncode == 2
    assert "already exists and is not empty" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert [p.name for p in target.iterdir()] == ["main.py"]


def test_a_python_of_the_wrong_version_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "venv"
    proc = run_cli("setup", str(target), "--base-python", sys.executable)
    assert proc.returncode == 1
    assert "but the profile needs Python 3.8" in proc.stderr
    assert "python.org" in proc.stderr
    assert not target.exists()


def test_no_python_of_the_version_found_says_where_to_get_one(tmp_path: Path) -> None:
    env = {HOME_ENV: str(tmp_path / "home"), "PATH": "/nonexistent"}
    proc = run_cli("setup", str(tmp_path / "venv"), env=env)
    assert proc.returncode == 1
    assert "no Python 3.8 found" in proc.stderr
    assert "https://www.python.org/downloads/release/python-3810/" in proc.stderr


def test_a_profile_without_a_lock_is_a_usage_error(tmp_path: Path) -> None:
    proc = run_cli("setup", str(tmp_path / "venv"), "--profile", "exam-2020", "--dry-run")
    assert proc.returncode == 2
    assert "has no lock" in proc.stderr


def test_uv_provides_a_python_when_nothing_else_does(tmp_path: Path, py38: Path) -> None:
    """`uv python find` (it downloads nothing) is asked last; a fake uv answers here."""
    fake = tmp_path / "bin" / "uv"
    fake.parent.mkdir()
    fake.write_text(f'#!/bin/sh\n[ "$1 $2 $3" = "python find 3.8" ] && echo {py38}\n')
    fake.chmod(0o755)
    env = {HOME_ENV: str(tmp_path / "home"), "PATH": f"{fake.parent}:/usr/bin:/bin"}
    proc = run_cli("setup", str(tmp_path / "venv"), "--dry-run", "--no-redact", env=env)
    assert proc.returncode == 0, proc.stderr
    assert f"Python 3.8 found: {py38} (uv python find 3.8)" in proc.stderr
    assert proc.stdout.startswith(f"{py38} -m venv")


@pytest.mark.slow
def test_no_network_and_no_wheelhouse_removes_the_half_made_venv(
    tmp_path: Path, py38: Path
) -> None:
    empty = tmp_path / "wheels"
    empty.mkdir()
    target = tmp_path / "exam" / "venv"
    proc = run_cli(
        "setup",
        str(target),
        "--base-python",
        str(py38),
        "--no-index",
        "--find-links",
        str(empty),
        "--json",
        timeout=300,
        env={"PIP_FIND_LINKS": "", "PIP_CONFIG_FILE": os.devnull},
    )
    assert proc.returncode == 1, proc.stderr
    assert "pip install failed" in proc.stderr
    assert "No matching distribution found for" in proc.stderr
    assert "--find-links DIR" in proc.stderr
    assert f"removed the half-made environment {target}" in proc.stderr
    assert not target.parent.exists()  # the folder setup made on the way, too
    assert "Traceback" not in proc.stderr
    done = json.loads(proc.stdout)
    assert done["removed"] is True
    assert "No matching distribution found for" in done["error"]


@pytest.mark.slow
def test_a_full_disk_removes_the_half_made_venv(tmp_path: Path, py38: Path) -> None:
    target = tmp_path / "venv"

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024, 256 * 1024))

    proc = subprocess.run(
        [sys.executable, "-m", "envcheck", "setup", str(target), "--base-python", str(py38)],
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=small_files,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert "File too large" in proc.stderr
    assert "The disk (or a quota) is full" in proc.stderr
    assert f"removed the half-made environment {target}" in proc.stderr
    assert not target.exists()
    assert "Traceback" not in proc.stderr


@pytest.mark.slow
def test_ctrl_c_removes_the_half_made_venv_and_exits_130(tmp_path: Path, py38: Path) -> None:
    target = tmp_path / "venv"
    proc = subprocess.Popen(
        [sys.executable, "-m", "envcheck", "setup", str(target), "--base-python", str(py38)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not (target / "pyvenv.cfg").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert (target / "pyvenv.cfg").exists(), "the venv was never started"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert f"removed the half-made environment {target}" in err
    assert not target.exists()
