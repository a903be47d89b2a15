"""The probe protocol on the tool's side: outcomes, the shared constants, classification.

Classification is tested here from what a process did (`process.Ending`);
tests/faults/ covers the same outcomes end to end with real processes.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from envcheck.bench.measure import BenchRun
from envcheck.probing import process, protocol
from envcheck.probing.protocol import ProbeOutcome, ProbeRun, classify
from probes import _probelib
from tests.helpers import REPO

ALL_OUTCOMES = {
    "ok",
    "partial",
    "timeout",
    "signal",
    "exit",
    "bad_output",
    "interrupted",
    "not_started",
    "memory",
}


def test_outcomes_are_the_strings_reports_have_always_carried() -> None:
    assert {o.value for o in ProbeOutcome} == ALL_OUTCOMES
    assert ProbeOutcome("bad_output") is ProbeOutcome.BAD_OUTPUT
    assert str.__eq__(ProbeOutcome.BAD_OUTPUT, "bad_output")
    assert str(ProbeOutcome.TIMEOUT) == "timeout"
    assert f"{ProbeOutcome.MEMORY}" == "memory"
    assert json.dumps({"outcome": ProbeOutcome.SIGNAL}) == '{"outcome": "signal"}'
    assert [o for o in ProbeOutcome if o.has_facts] == [ProbeOutcome.OK, ProbeOutcome.PARTIAL]


def test_a_run_built_from_saved_text_gets_the_enum_and_refuses_unknown_outcomes() -> None:
    run = ProbeRun("python", "/usr/bin/python3", "partial")  # type: ignore[arg-type]
    assert run.outcome is ProbeOutcome.PARTIAL
    assert run.to_dict()["outcome"] == "partial"
    assert type(run.to_dict()["outcome"]) is str
    with pytest.raises(ValueError, match="'finished' is not a valid ProbeOutcome"):
        ProbeRun("python", "/usr/bin/python3", "finished")  # type: ignore[arg-type]


def test_a_saved_benchmark_run_round_trips_with_its_outcome() -> None:
    run = ProbeRun(
        "bench",
        "/x/python",
        ProbeOutcome.MEMORY,
        returncode=-9,
        signal_name="SIGKILL",
        timeout_s=240.0,
        duration_s=12.5,
        message="stopped",
        memory_limit_mb=800.0,
        peak_rss_mb=812.3,
    )
    saved = BenchRun("quick", (1, 2), run, interrupted=False).to_dict()
    again = BenchRun.from_dict(json.loads(json.dumps(saved)))
    assert again.run.outcome is ProbeOutcome.MEMORY
    assert again.run == run
    assert again.to_dict() == saved


def test_protocol_constants_are_the_probes_own() -> None:
    assert protocol.PROTOCOL is _probelib.PROTOCOL
    assert protocol.PROGRESS_PREFIX is _probelib.PROGRESS_PREFIX


def test_reading_the_probe_library_from_the_tool_runs_nothing() -> None:
    """Importing probes._probelib prints nothing, claims no stream and imports only stdlib."""
    code = (
        "import sys, json; before = set(sys.modules); import probes._probelib; "
        "new = sorted({m.split('.')[0] for m in set(sys.modules) - before}); "
        "print(json.dumps([m for m in new if m not in sys.stdlib_module_names]))"
    )
    proc = subprocess.run(
        [sys.executable, "-I", "-c", code],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert proc.stderr == ""
    assert json.loads(proc.stdout) == ["probes"]


def _ending(**changes: object) -> process.Ending:
    values: dict[str, object] = {
        "returncode": 0,
        "stdout": b'{"protocol": 1, "probe": "x", "complete": true, "facts": {"a": 1}}',
        "stdout_overflow": False,
        "stderr_lines": ("warming up",),
        "timed_out": False,
        "interrupted": False,
        "duration_s": 1.5,
        "memory": None,
    }
    values.update(changes)
    return process.Ending(**values)  # type: ignore[arg-type]


_CAP = process.MemoryUse(limit_mb=500.0, peak_mb=650.0, exceeded=True)
_PARTIAL = b'{"protocol": 1, "probe": "x", "complete": false, "error": "boom", "facts": {"a": 1}}'


@pytest.mark.parametrize(
    ("changes", "outcome", "message"),
    [
        ({}, "ok", ""),
        ({"interrupted": True, "returncode": -2}, "interrupted", "probe 'x' was interrupted ("),
        (
            {"timed_out": True, "returncode": -15},
            "timeout",
            "probe 'x' did not finish within its 30 s limit and was stopped",
        ),
        (
            {"memory": _CAP, "returncode": -9},
            "memory",
            "probe 'x' used more than its memory cap of 500 MiB (peak 650 MiB) and stopped",
        ),
        (
            {
                "memory": process.MemoryUse(500.0, 100.0, False),
                "returncode": 1,
                "stdout": b"",
                "stderr_lines": ("MemoryError",),
            },
            "memory",
            "probe 'x' hit its memory cap of 500 MiB (the system refused more)",
        ),
        (
            {"stdout_overflow": True, "returncode": -9, "stdout": b""},
            "bad_output",
            "probe 'x' printed more than 32 MiB on stdout and was stopped",
        ),
        (
            {"returncode": -4, "stdout": b""},
            "signal",
            "probe 'x' was killed by SIGILL (illegal instruction: the CPU lacks",
        ),
        ({"stdout": _PARTIAL, "returncode": 1}, "partial", "probe 'x' stopped early: boom"),
        (
            {"stdout": b"", "returncode": 3, "stderr_lines": ("Traceback", "ImportError: no", "")},
            "exit",
            "probe 'x' exited with code 3: ImportError: no",
        ),
        ({"stdout": b"hello"}, "bad_output", "probe 'x' printed no valid result (not JSON: "),
    ],
)
def test_each_way_a_probe_ends_has_one_outcome_and_message(
    changes: dict[str, object], outcome: str, message: str
) -> None:
    run = classify("x", "/py", _ending(**changes), timeout_s=30.0)
    assert run.outcome is ProbeOutcome(outcome)
    assert run.message.startswith(message), run.message
    assert run.duration_s == 1.5 and run.timeout_s == 30.0
    assert run.stderr_tail == "\n".join(_ending(**changes).stderr_lines)
    killed = {"signal": "SIGILL", "memory": "SIGKILL" if changes.get("returncode") == -9 else None}
    assert run.signal_name == killed.get(outcome)
    if outcome in ("ok", "partial", "interrupted", "timeout"):
        assert run.facts == ({"a": 1} if changes.get("stdout", b"x") else {})
    if "memory" in changes:
        assert run.memory_limit_mb == 500.0
