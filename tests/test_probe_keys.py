"""Probe runs are kept under one stable key per probe: its name (`<name>@tool` in our Python).

The key is the same whether the probe finished or was interrupted, so a
report's `facts.probes` names each probe the same way however the run ended.
"""

from __future__ import annotations

import sys
from typing import Any

import pytest

from envcheck.checks import base
from envcheck.checks.base import Check, Context, Finding, ok
from envcheck.matrix import load_matrix
from envcheck.pipeline import Progress, run_checks
from envcheck.probing import interpreter as interp
from envcheck.probing.runner import ProbeInterrupted, ProbeOutcome, ProbeRun


def _context(target: interp.Interpreter | interp.InterpreterProblem) -> Context:
    matrix = load_matrix()
    name, _ = matrix.profile(None)
    return Context(interpreter=target, matrix=matrix, profile_name=name)


def test_a_probe_run_with_arguments_is_kept_under_its_name() -> None:
    ctx = _context(interp.resolve(sys.executable, timeout_s=60))
    first = ctx.probe("python", {"unused": "x" * 100})
    assert first.outcome is ProbeOutcome.OK, first.message
    assert list(ctx.runs) == ["python"]
    assert ctx.probe("python", {"unused": "x" * 100}) is first  # run once per context
    with pytest.raises(ValueError, match="probe 'python' already ran with other arguments"):
        ctx.probe("python", {"unused": "y"})


def test_the_tool_side_run_is_kept_as_name_at_tool() -> None:
    ctx = _context(interp.InterpreterProblem("/nowhere/python", "does not exist", "fix"))
    os_info = ctx.facts("system", "os", or_from_tool=True)
    assert isinstance(os_info, dict) and os_info
    assert list(ctx.runs) == ["system@tool"]


def test_an_interrupted_probe_keeps_the_key_a_finished_one_has(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ctrl-C (or SIGTERM) during the tool-side system probe: still `system@tool`."""

    def interrupted(name: str, interpreter: str, **kw: Any) -> ProbeRun:
        raise ProbeInterrupted(ProbeRun(name, interpreter, ProbeOutcome.INTERRUPTED, {"os": {}}))

    monkeypatch.setattr(base, "run_probe", interrupted)  # the process boundary
    ctx = _context(interp.InterpreterProblem("/nowhere/python", "does not exist", "fix"))

    def needs_system(c: Context) -> Finding:
        c.facts("system", "os", or_from_tool=True)
        return ok("unreachable")

    checks = [Check("system.os", "Operating system", "system", needs_system)]
    results, was_interrupted = run_checks(ctx, checks, Progress())
    assert was_interrupted
    assert results[0].status.value == "not_run"
    assert list(ctx.runs) == ["system@tool"]
    assert ctx.runs["system@tool"].outcome is ProbeOutcome.INTERRUPTED
