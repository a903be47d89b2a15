"""Small builders shared by tests: run the real CLI, make a Context from recorded facts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from envcheck.checks.base import Context, Options
from envcheck.matrix import load_matrix
from envcheck.probing.interpreter import Interpreter
from envcheck.probing.runner import ProbeOutcome, ProbeRun

REPO = Path(__file__).resolve().parent.parent


def run_cli(
    *args: str, timeout: float = 300, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """The real CLI, as a user runs it: `python -m envcheck ...` in a subprocess."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "envcheck", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full_env,
        cwd=cwd,
        check=False,
    )


def results_by_id(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in report["results"]}


def json_report(proc: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(proc.stdout)
    return doc


def recorded_context(
    probes: dict[str, dict[str, Any]],
    *,
    version: tuple[int, int, int] = (3, 8, 10),
    profile: str | None = None,
    options: Options | None = None,
) -> Context:
    """A Context whose probes answer with recorded facts (another OS, a GPU...)."""
    matrix = load_matrix()
    name, _ = matrix.profile(profile)
    ctx = Context(
        interpreter=Interpreter("/fake/python", "/fake/python", version, "CPython", "/fake"),
        matrix=matrix,
        profile_name=name,
        options=options or Options(),
    )
    for probe, facts in probes.items():
        ctx.record(ProbeRun(probe, "/fake/python", ProbeOutcome.OK, facts))
    return ctx
