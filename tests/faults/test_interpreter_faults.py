"""Faults of the interpreter under test: wrong paths, old Pythons, and probes that misbehave.

Every case runs the real CLI (`check --json -o report.json`) and asserts what the
user sees: the check's status, a summary naming the cause, a fix hint, exit code
1 (not ready), a report on disk, no traceback, and the run's temp folder gone.
Fake interpreters answer the version question truthfully and fail in the probes,
so the runner's classification is what is tested.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from tests.conftest import pyenv_python
from tests.faults.support import (
    assert_no_crash,
    assert_problem,
    assert_scratch_removed,
    check_argv,
    check_env,
    fake_python,
    fake_site,
    run_check,
)

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="fakes are POSIX sh wrappers")

PYTHON_ONLY = ("--only", "python")


# -- the path itself ---------------------------------------------------------------------


def test_missing_interpreter(tmp_path: Path) -> None:
    """A --python that names nothing is the caller's mistake: exit 2, as --project's is."""
    missing = tmp_path / "venv" / "bin" / "python"
    proc = subprocess.run(
        check_argv(tmp_path / "report.json", "--python", str(missing), *PYTHON_ONLY),
        capture_output=True,
        text=True,
        timeout=60,
        env=check_env(tmp_path),
        check=False,
    )
    assert_no_crash(proc)
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"tfcert-envcheck: error: --python {missing}: does not exist"
    assert not (tmp_path / "report.json").exists()


def test_venv_whose_base_python_is_gone(tmp_path: Path) -> None:
    """The venv's python is a link to an uninstalled Python: a finding, not a usage error."""
    link = tmp_path / "venv" / "bin" / "python"
    link.parent.mkdir(parents=True)
    link.symlink_to(tmp_path / "uninstalled" / "bin" / "python3.8")
    out = run_check(tmp_path, "--python", str(link), *PYTHON_ONLY)
    assert out.rc == 1
    assert_problem(out.result("python.interpreter"), "failure", "does not exist")
    assert "Create the environment again" in out.result("python.interpreter")["fix"]
    assert_scratch_removed(tmp_path)


def test_interpreter_not_executable(tmp_path: Path) -> None:
    exe = tmp_path / "python"
    exe.write_text("#!/bin/sh\necho should never run > ran.txt\n")
    exe.chmod(0o644)
    if os.access(exe, os.X_OK):  # root may execute anything with an x bit; here there is none
        pytest.skip("this user can execute files without an x bit")
    out = run_check(tmp_path, "--python", str(exe), *PYTHON_ONLY)
    assert out.rc == 1
    assert_problem(out.result("python.interpreter"), "failure", "is not executable")
    assert not (out.workdir / "ran.txt").exists()


def test_interpreter_is_a_directory(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").symlink_to(sys.executable)
    out = run_check(tmp_path, "--python", str(venv), *PYTHON_ONLY)
    assert out.rc == 1
    result = out.result("python.interpreter")
    assert_problem(result, "failure", "is a directory")
    assert result["fix"].endswith("/venv/bin/python")  # names the interpreter inside (redacted)


def test_interpreter_is_not_a_binary(tmp_path: Path) -> None:
    """An executable text file without a #! line: the OS refuses to run it (ENOEXEC)."""
    exe = tmp_path / "python"
    exe.write_text("this is a text file, not a program\n")
    exe.chmod(0o755)
    out = run_check(tmp_path, "--python", str(exe), *PYTHON_ONLY)
    assert out.rc == 1
    assert_problem(out.result("python.interpreter"), "failure", "cannot be run", "format")


def test_remote_interpreter_is_never_run(tmp_path: Path) -> None:
    out = run_check(tmp_path, "--python", "ssh://exam@lab/usr/bin/python3", *PYTHON_ONLY)
    assert out.rc == 1
    assert_problem(out.result("python.interpreter"), "failure", "remote interpreter")
    assert "local venv" in out.result("python.interpreter")["fix"]


def test_not_a_python_at_all(tmp_path: Path) -> None:
    """A wrapper that prints a banner and HTML whatever it is asked."""
    out = run_check(tmp_path, "--python", str(fake_python(tmp_path, "not_python")), *PYTHON_ONLY)
    assert out.rc == 1
    assert_problem(
        out.result("python.interpreter"), "failure", "does not behave like a Python interpreter"
    )


# -- old Pythons (real pyenv interpreters) ----------------------------------------------


@pytest.mark.parametrize("version", ["2.7", "3.6"])
def test_python_too_old_to_probe(tmp_path: Path, version: str) -> None:
    exe = pyenv_python(version)
    if exe is None:
        pytest.skip(f"no pyenv Python {version} on this machine")
    out = run_check(tmp_path, "--python", str(exe))  # the whole check, every category
    assert out.rc == 1
    result = out.result("python.interpreter")
    assert_problem(result, "failure", f"is Python {version}.", "cannot run the exam")
    assert "Install Python 3.8" in result["fix"]
    # No probe ran in it (its syntax would fail): one problem, the rest say why, none guesses.
    assert "python" not in out.report["facts"]["probes"]
    for check_id in ("python.version", "tensorflow.import", "packages.pins", "system.arch"):
        assert out.result(check_id)["status"] == "skipped"
        assert "because Interpreter under test failed" in out.result(check_id)["summary"]
    assert out.report["verdict"]["headline"].startswith("Not ready: 1 problem in 1 category")
    # The OS and the CPU are the machine's: read from the tool's own Python, and said so.
    system_os = out.result("system.os")
    assert system_os["status"] == "ok"
    assert system_os["details"]["seen_from"] == "tfcert-envcheck's own Python"
    assert out.report["facts"]["probes"]["system@tool"]["outcome"] == "ok"
    assert_scratch_removed(tmp_path)


# -- probes that misbehave ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("fake", "phrases", "fix"),
    [
        ("garbage", ("printed no valid result", "not JSON"), "sitecustomize.py"),
        ("stderr_only", ("printed no valid result", "empty output"), "sitecustomize.py"),
        ("exit_nonzero", ("exited with code 7", "standard library is damaged"), "-v"),
        ("flood", ("printed more than 32 MiB", "stopped"), "sitecustomize.py"),
        ("deep_json", ("printed no valid result", "nested too deeply"), "sitecustomize.py"),
        ("sigill", ("SIGILL", "illegal instruction"), "instruction"),
        ("sigsegv", ("SIGSEGV", "segmentation fault"), "fresh venv"),
        ("sigkill", ("SIGKILL", "out-of-memory killer"), "RAM"),
    ],
)
def test_probe_fault_is_a_clear_error(
    tmp_path: Path, fake: str, phrases: tuple[str, ...], fix: str
) -> None:
    out = run_check(tmp_path, "--python", str(fake_python(tmp_path, fake)), *PYTHON_ONLY)
    assert out.rc == 1
    # One problem, reported once: the interpreter check owns the probe's failure,
    # the checks that needed its facts say they were not checked and why.
    result = out.result("python.interpreter")
    assert_problem(result, "error", "could not determine", *phrases)
    assert fix in result["fix"]
    for check_id in ("python.version", "python.venv"):
        dependent = out.result(check_id)
        assert dependent["status"] == "skipped"
        assert "because Interpreter under test could not be determined" in dependent["summary"]
    probe = out.report["facts"]["probes"]["python"]
    assert probe["outcome"] in ("bad_output", "exit", "signal")
    assert_scratch_removed(tmp_path)


def test_probe_killed_by_sigill_while_importing_tensorflow(tmp_path: Path) -> None:
    """The interpreter itself dies by SIGILL: tensorflow.import explains what SIGILL means."""
    out = run_check(
        tmp_path, "--python", str(fake_python(tmp_path, "sigill")), "--only", "tensorflow.import"
    )
    assert out.rc == 1
    assert_problem(out.result("tensorflow.import"), "failure", "SIGILL", "instruction")


def test_flood_is_stopped_early_and_memory_stays_bounded(tmp_path: Path) -> None:
    """`yes`-like output is stopped at 32 MiB, long before the probe's time limit."""
    started = time.monotonic()
    out = run_check(tmp_path, "--python", str(fake_python(tmp_path, "flood")), *PYTHON_ONLY)
    assert time.monotonic() - started < 20  # the python probe's limit is 30 s
    assert out.report["facts"]["probes"]["python"]["outcome"] == "bad_output"


def test_handshake_hangs(tmp_path: Path) -> None:
    """Not even the version question is answered: stopped at the (scaled) limit."""
    started = time.monotonic()
    out = run_check(
        tmp_path,
        "--python",
        str(fake_python(tmp_path, "hang_handshake")),
        *PYTHON_ONLY,
        "--timeout-scale",
        "0.1",
    )
    assert time.monotonic() - started < 15
    assert out.rc == 1
    result = out.result("python.interpreter")
    assert_problem(result, "failure", "did not answer within 2 s")
    assert "--timeout-scale" in result["fix"]
    assert_scratch_removed(tmp_path)


def test_probe_hangs(tmp_path: Path) -> None:
    started = time.monotonic()
    out = run_check(
        tmp_path,
        "--python",
        str(fake_python(tmp_path, "hang_probe")),
        *PYTHON_ONLY,
        "--timeout-scale",
        "0.1",
    )
    assert time.monotonic() - started < 15
    assert out.rc == 1
    result = out.result("python.interpreter")
    assert_problem(result, "error", "did not finish within its 3 s limit", "stopped")
    assert "--timeout-scale 3" in result["fix"]
    assert out.report["facts"]["probes"]["python"]["outcome"] == "timeout"


def test_probe_ignores_sigterm(tmp_path: Path) -> None:
    """SIGTERM at the limit is ignored: SIGKILL follows after the grace period."""
    started = time.monotonic()
    out = run_check(
        tmp_path,
        "--python",
        str(fake_python(tmp_path, "ignore_sigterm")),
        *PYTHON_ONLY,
        "--timeout-scale",
        "0.1",
    )
    elapsed = time.monotonic() - started
    assert elapsed < 20, elapsed  # 3 s limit + 3 s grace, not forever
    assert out.rc == 1
    assert_problem(out.result("python.interpreter"), "error", "did not finish", "stopped")
    assert_scratch_removed(tmp_path)


def _assert_all_ended(pids: Path, what: str) -> None:
    """Every process the fake wrote to `pids` is gone once the run has ended."""
    started = [int(p) for p in pids.read_text().split()]
    assert started, f"the fake started no {what}"
    for pid in started:
        assert not _running(pid), f"the probe's {what} {pid} outlived the run"


def test_probe_leaves_a_child_holding_its_output(tmp_path: Path) -> None:
    """A child the probe started keeps stdout open: the tool neither waits nor leaves it."""
    pids = tmp_path / "child-pids.txt"
    started = time.monotonic()
    out = run_check(
        tmp_path,
        "--python",
        str(fake_python(tmp_path, "orphan")),
        *PYTHON_ONLY,
        env={"FAKE_CHILD_PID_FILE": str(pids)},
    )
    assert time.monotonic() - started < 8  # no 5 s waits on a pipe per probe
    assert out.result("python.interpreter")["status"] == "ok"  # the real probe answered
    _assert_all_ended(pids, "child")


def test_probe_hangs_and_its_daemon_holds_stdout(tmp_path: Path) -> None:
    """A daemon (own session) holding the pipe does not stretch the probe's time limit."""
    pids = tmp_path / "daemon-pids.txt"
    started = time.monotonic()
    out = run_check(
        tmp_path,
        "--python",
        str(fake_python(tmp_path, "daemon")),
        *PYTHON_ONLY,
        "--timeout-scale",
        "0.1",
        env={"FAKE_CHILD_PID_FILE": str(pids), "FAKE_DAEMON_THEN": "hang"},
    )
    elapsed = time.monotonic() - started
    assert elapsed < 8, elapsed  # the 3 s limit and the stop, not 3 + 2 x 5 s of waiting
    assert_problem(out.result("python.interpreter"), "error", "did not finish within its 3 s")
    _assert_all_ended(pids, "daemon")
    assert_scratch_removed(tmp_path)


def test_probe_answers_but_its_daemon_holds_stdout(tmp_path: Path) -> None:
    pids = tmp_path / "daemon-pids.txt"
    started = time.monotonic()
    out = run_check(
        tmp_path,
        "--python",
        str(fake_python(tmp_path, "daemon")),
        *PYTHON_ONLY,
        env={"FAKE_CHILD_PID_FILE": str(pids)},
    )
    assert time.monotonic() - started < 8
    assert out.result("python.interpreter")["status"] == "ok"
    for pid in [int(p) for p in pids.read_text().split()]:
        assert not _running(pid), f"the probe's daemon {pid} outlived the run"


def test_megabytes_of_protocol_looking_lines_are_parsed_quickly(tmp_path: Path) -> None:
    """Searching stdout for the document is linear in its size, not minutes for 2 MiB."""
    started = time.monotonic()
    out = run_check(
        tmp_path, "--python", str(fake_python(tmp_path, "protocol_lines")), *PYTHON_ONLY
    )
    assert time.monotonic() - started < 20
    assert_problem(out.result("python.interpreter"), "error", "printed no valid result")


def test_stdout_noise_at_interpreter_startup_is_ignored(tmp_path: Path) -> None:
    """A sitecustomize.py that greets on stdout must not break the probes' answers."""
    out = run_check(
        tmp_path,
        "--python",
        sys.executable,
        *PYTHON_ONLY,
        env={"PYTHONPATH": fake_site("noisy_startup")},
    )
    assert out.result("python.interpreter")["status"] == "ok"
    assert out.result("python.bits")["status"] == "ok"


def test_bare_command_name_is_found_on_path(tmp_path: Path) -> None:
    """`--python python3` means the python3 on PATH, as in a shell, not a missing file."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "python3").symlink_to(sys.executable)
    out = run_check(
        tmp_path,
        "--python",
        "python3",
        *PYTHON_ONLY,
        env={"PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}"},
    )
    assert out.result("python.interpreter")["status"] == "ok"


def _running(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
