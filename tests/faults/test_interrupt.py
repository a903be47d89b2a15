"""Ctrl-C: the report is still written, atomically, with what was done and the rest not run.

A real terminal's Ctrl-C sends SIGINT to the tool (probes run in their own
session, so the tool decides how they stop); the tests send the same signal to
a real `check -o report.json` process at a known moment: while TensorFlow
imports (a fake that takes 600 s) and while the interpreter is being asked its
version (a fake that never answers).
"""

from __future__ import annotations

import json
import os
import pty
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psutil
import pytest

from envcheck.workflow import ctrl_c_deferred
from tests.faults.support import (
    NEVER,
    assert_scratch_removed,
    check_argv,
    check_env,
    fake_python,
    fake_site,
)

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a process")


def _start(tmp_path: Path, report: Path, *args: str, env: dict[str, str] | None = None) -> Any:
    return subprocess.Popen(
        check_argv(report, *args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=check_env(tmp_path, env),
        cwd=tmp_path,
    )


def _wait_for_child(tool: subprocess.Popen[str], marker: str, timeout: float = 60) -> int:
    """The pid of the tool's descendant whose command line contains `marker`."""
    deadline = time.monotonic() + timeout
    parent = psutil.Process(tool.pid)
    while time.monotonic() < deadline:
        assert tool.poll() is None, tool.communicate()
        for child in parent.children(recursive=True):
            try:
                if any(marker in part for part in child.cmdline()):
                    return child.pid
            except psutil.Error:
                continue
        time.sleep(0.05)
    raise AssertionError(f"no child running {marker!r}")


class _Terminal:
    """The tool's stderr on a pseudo-terminal, as in a user's shell, where it shows its
    progress; what it prints there is collected as it comes."""

    def __init__(self) -> None:
        self.master, self.slave = pty.openpty()
        self._chunks: list[bytes] = []
        self._reader = threading.Thread(target=self._read, daemon=True)

    def attached(self) -> None:
        """The tool has the terminal: only it holds the writing end now."""
        os.close(self.slave)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:  # EIO: the tool, and every process it started, closed it
                return
            if not data:
                return
            self._chunks.append(data)

    @property
    def text(self) -> str:
        return b"".join(self._chunks).decode("utf-8", "replace")

    def wait_for(self, tool: subprocess.Popen[str], *markers: str, timeout: float = 60) -> None:
        """Until one line of what the tool printed holds every marker (in order)."""
        pattern = re.compile(".*?".join(map(re.escape, markers)))
        deadline = time.monotonic() + timeout
        while not pattern.search(self.text):
            assert tool.poll() is None, (tool.returncode, self.text[-2000:])
            if time.monotonic() >= deadline:
                tool.kill()
                raise AssertionError(f"never printed {markers!r}: {self.text[-2000:]!r}")
            time.sleep(0.1)

    def close(self) -> str:
        """Everything printed, once the tool has ended."""
        self._reader.join(timeout=10)
        os.close(self.master)
        return self.text


def _interrupt(tool: subprocess.Popen[str]) -> tuple[int, str]:
    tool.send_signal(signal.SIGINT)
    _out, err = tool.communicate(timeout=30)
    for text in NEVER:
        assert text not in err, err
    return tool.returncode, err


def _gone(pid: int, within_s: float = 10.0) -> bool:
    """The process has ended (dead or a zombie) within `within_s`.

    The tool SIGKILLs the probe's whole process group before it exits, but a
    grandchild of the tool is reaped by init, not by the tool, and on a busy
    machine its death can lag the tool's exit by a moment.
    """
    deadline = time.monotonic() + within_s
    while True:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


def test_ctrl_c_while_tensorflow_imports(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    report.write_text("an older report", encoding="utf-8")
    tool = _start(
        tmp_path,
        report,
        "--python",
        sys.executable,
        "--only",
        "system",
        "--only",
        "python",
        "--only",
        "tensorflow",
        env={"PYTHONPATH": fake_site("tf_slow")},
    )
    probe_pid = _wait_for_child(tool, "probe_tensorflow.py")
    started = time.monotonic()
    rc, _ = _interrupt(tool)
    assert time.monotonic() - started < 15  # the probe gets 5 s to write what it has
    assert rc == 130

    doc = json.loads(report.read_text(encoding="utf-8"))  # replaced whole, never half-written
    assert doc["interrupted"] is True
    assert doc["verdict"]["exit_code"] == 130
    assert doc["verdict"]["ready"] is False
    assert doc["verdict"]["headline"].startswith("Interrupted:")
    statuses = {r["id"]: r["status"] for r in doc["results"]}
    done = [i for i in statuses if i.startswith(("system.", "python."))]
    assert done and all(statuses[i] != "not_run" for i in done), statuses
    rest = [i for i in statuses if i.startswith("tensorflow.")]
    assert rest and all(statuses[i] == "not_run" for i in rest), statuses
    tf_import = next(r for r in doc["results"] if r["id"] == "tensorflow.import")
    assert "interrupted (Ctrl-C)" in tf_import["summary"]
    assert doc["facts"]["probes"]["tensorflow"]["outcome"] == "interrupted"

    assert _gone(probe_pid), "the TensorFlow probe outlived the tool"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".report")] == []
    assert_scratch_removed(tmp_path)


def test_ctrl_c_while_the_interpreter_is_asked_its_version(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    fake = fake_python(tmp_path, "hang_handshake")
    tool = _start(tmp_path, report, "--python", str(fake), "--only", "python")
    child = _wait_for_child(tool, "hang_handshake.py")
    rc, _ = _interrupt(tool)
    assert rc == 130
    doc = json.loads(report.read_text(encoding="utf-8"))
    assert doc["interrupted"] is True
    assert doc["results"] and all(r["status"] == "not_run" for r in doc["results"])
    assert _gone(child)
    assert_scratch_removed(tmp_path)


def test_ctrl_c_while_the_report_is_written_waits_for_it() -> None:
    """A Ctrl-C during the write takes effect after it: the file is complete, then 130."""
    written: list[str] = []
    with pytest.raises(KeyboardInterrupt), ctrl_c_deferred():
        signal.raise_signal(signal.SIGINT)
        written.append("the whole report")
    assert written == ["the whole report"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


@pytest.mark.tensorflow
@pytest.mark.slow
def test_ctrl_c_during_the_benchmark(tmp_path: Path, exam_python: Path) -> None:
    """The longest step, for real: the benchmark probe training in the exam environment."""
    report = tmp_path / "report.json"
    terminal = _Terminal()
    tool = subprocess.Popen(
        # Not -q: the benchmark's progress bar is the marker waited for.
        [
            sys.executable,
            "-m",
            "envcheck",
            "check",
            "--json",
            "-o",
            str(report),
            "--python",
            str(exam_python),
            "--only",
            "benchmark",
        ],
        stdout=subprocess.PIPE,
        stderr=terminal.slave,
        text=True,
        env=check_env(tmp_path, {"TERM": "xterm", "COLUMNS": "200"}),
        cwd=tmp_path,
    )
    terminal.attached()
    probe_pid = _wait_for_child(tool, "probe_bench.py", timeout=120)
    # Past TensorFlow's import, into the training: the bar shows the first step.
    terminal.wait_for(tool, "benchmark 1: ", "epoch 1/", timeout=180)
    tool.send_signal(signal.SIGINT)
    tool.communicate(timeout=30)
    err = terminal.close()
    for text in NEVER:
        assert text not in err, err
    assert tool.returncode == 130, err
    doc = json.loads(report.read_text(encoding="utf-8"))
    assert doc["interrupted"] is True and doc["verdict"]["exit_code"] == 130
    statuses = {r["id"]: r["status"] for r in doc["results"]}
    assert statuses and all(s == "not_run" for s in statuses.values()), statuses
    assert doc["facts"]["probes"]["bench"]["outcome"] == "interrupted"
    assert "benchmark" in doc["facts"]  # what was measured before Ctrl-C is kept
    assert _gone(probe_pid)
    assert_scratch_removed(tmp_path)


@pytest.mark.parametrize(
    ("signame", "code"), [("SIGTERM", 143), ("SIGHUP", 129)], ids=["sigterm", "sighup"]
)
def test_stop_signal_while_tensorflow_imports(tmp_path: Path, signame: str, code: int) -> None:
    """CI cancelling a job and `timeout` send SIGTERM, a closed terminal SIGHUP: as Ctrl-C."""
    report = tmp_path / "report.json"
    tool = _start(
        tmp_path,
        report,
        "--python",
        sys.executable,
        "--only",
        "system",
        "--only",
        "python",
        "--only",
        "tensorflow",
        env={"PYTHONPATH": fake_site("tf_slow")},
    )
    probe_pid = _wait_for_child(tool, "probe_tensorflow.py")
    started = time.monotonic()
    tool.send_signal(getattr(signal, signame))
    _out, err = tool.communicate(timeout=30)
    for text in NEVER:
        assert text not in err, err
    assert time.monotonic() - started < 15
    assert tool.returncode == code, err

    doc = json.loads(report.read_text(encoding="utf-8"))
    assert doc["interrupted"] is True
    assert doc["verdict"]["exit_code"] == code
    assert doc["verdict"]["ready"] is False
    assert doc["verdict"]["headline"].startswith(f"Interrupted by {signame}:")
    statuses = {r["id"]: r["status"] for r in doc["results"]}
    done = [i for i in statuses if i.startswith(("system.", "python."))]
    assert done and all(statuses[i] != "not_run" for i in done), statuses
    rest = [i for i in statuses if i.startswith("tensorflow.")]
    assert rest and all(statuses[i] == "not_run" for i in rest), statuses
    tf_import = next(r for r in doc["results"] if r["id"] == "tensorflow.import")
    assert f"interrupted ({signame})" in tf_import["summary"]
    assert doc["facts"]["probes"]["tensorflow"]["outcome"] == "interrupted"

    assert _gone(probe_pid), "the TensorFlow probe outlived the tool"
    assert_scratch_removed(tmp_path)


def test_sigterm_while_the_interpreter_is_asked_its_version(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    fake = fake_python(tmp_path, "hang_handshake")
    tool = _start(tmp_path, report, "--python", str(fake), "--only", "python")
    child = _wait_for_child(tool, "hang_handshake.py")
    tool.send_signal(signal.SIGTERM)
    _out, err = tool.communicate(timeout=30)
    assert tool.returncode == 143, err
    doc = json.loads(report.read_text(encoding="utf-8"))
    assert doc["interrupted"] is True
    assert doc["results"] and all(r["status"] == "not_run" for r in doc["results"])
    assert _gone(child)
    assert_scratch_removed(tmp_path)


def test_sighup_under_nohup_is_still_ignored(tmp_path: Path) -> None:
    """`nohup tfcert-envcheck check` asked for hangups to be ignored: the run goes on."""
    report = tmp_path / "report.json"
    tool = subprocess.Popen(
        [
            "sh",
            "-c",
            'trap "" HUP; exec "$@"',
            "sh",
            *check_argv(report, "--python", sys.executable, "--only", "tensorflow"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=check_env(tmp_path, {"PYTHONPATH": fake_site("tf_slow")}),
        cwd=tmp_path,
    )
    _wait_for_child(tool, "probe_tensorflow.py")
    tool.send_signal(signal.SIGHUP)
    with pytest.raises(subprocess.TimeoutExpired):  # a hangup taken would end it at once
        tool.wait(timeout=1)
    rc, _ = _interrupt(tool)  # Ctrl-C still ends it
    assert rc == 130
    assert json.loads(report.read_text(encoding="utf-8"))["verdict"]["exit_code"] == 130
