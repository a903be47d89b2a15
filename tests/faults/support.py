"""Shared by the fault tests: fake interpreters, the real CLI, and the report it wrote.

Faults are injected at one narrow boundary each: a fake interpreter is a wrapper
that runs a small script from fakes/ with the real Python; a broken TensorFlow is
a fake `tensorflow` package put on the real interpreter's path with PYTHONPATH.
Everything else (the CLI, the probes, the runner, the report file) is real.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FAKES = Path(__file__).resolve().parent / "fakes"
NEVER = ("Traceback (most recent call last)", "internal error")
"""What no fault may produce on the tool's stderr."""


def fake_python(tmp_path: Path, name: str) -> Path:
    """An executable the tool takes for an interpreter: it runs fakes/<name>.py."""
    exe = tmp_path / f"fake-{name}" / "bin" / "python"
    exe.parent.mkdir(parents=True)
    exe.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{FAKES / (name + ".py")}" "$@"\n')
    exe.chmod(0o755)
    return exe


def fake_site(name: str) -> str:
    """A folder with a fake package (or sitecustomize) for PYTHONPATH: fakes/site_<name>."""
    path = FAKES / f"site_{name}"
    assert path.is_dir(), path
    return str(path)


@dataclass
class Outcome:
    """What the user got from one `check` run: exit code, streams, the report file."""

    proc: subprocess.CompletedProcess[str]
    report: dict[str, Any]
    workdir: Path

    @property
    def rc(self) -> int:
        return self.proc.returncode

    @property
    def results(self) -> dict[str, dict[str, Any]]:
        return {r["id"]: r for r in self.report["results"]}

    def result(self, check_id: str) -> dict[str, Any]:
        return self.results[check_id]


def check_env(tmp_path: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a `check` run: the test's, with its own empty TMPDIR."""
    env = dict(os.environ)
    tmp = tmp_path / "tmpdir"
    tmp.mkdir(exist_ok=True)
    env["TMPDIR"] = str(tmp)
    env.pop("PYTHONPATH", None)
    env.update(extra or {})
    return env


def check_argv(report: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "envcheck", "check", "--json", "-q", "-o", str(report), *args]


def run_check(
    tmp_path: Path,
    *args: str,
    env: dict[str, str] | None = None,
    timeout: float = 180,
) -> Outcome:
    """`tfcert-envcheck check --json -o report.json ARGS` as a user runs it, in a project dir."""
    workdir = tmp_path / "project"
    workdir.mkdir(exist_ok=True)
    report = tmp_path / "report.json"
    proc = subprocess.run(
        check_argv(report, *args),
        capture_output=True,
        text=True,
        timeout=timeout,
        env=check_env(tmp_path, env),
        cwd=workdir,
        check=False,
    )
    assert_no_crash(proc)
    assert report.is_file(), f"no report written; stderr:\n{proc.stderr}"
    outcome = Outcome(proc, json.loads(report.read_text(encoding="utf-8")), workdir)
    crashed = [r for r in outcome.report["results"] if r["details"].get("internal_error")]
    assert crashed == [], crashed  # no check may fail on a fault as if it were a tool bug
    return outcome


def assert_no_crash(proc: subprocess.CompletedProcess[str]) -> None:
    """Never a traceback, never exit 3 (the tool's own failure)."""
    assert proc.returncode != 3, proc.stderr
    for text in NEVER:
        assert text not in proc.stderr, proc.stderr
        assert text not in proc.stdout, proc.stdout


def assert_problem(result: dict[str, Any], status: str, *phrases: str) -> None:
    """The check shows `status`, its summary names the cause, and it has a fix hint."""
    assert result["status"] == status, result
    for phrase in phrases:
        assert phrase in result["summary"], (phrase, result["summary"])
    if status in ("failure", "error", "warning"):
        assert result["fix"], result


def assert_scratch_removed(tmp_path: Path) -> None:
    """The run's temp folder (and anything probes wrote to TMPDIR) is gone."""
    leftovers = list((tmp_path / "tmpdir").iterdir())
    assert leftovers == [], leftovers
