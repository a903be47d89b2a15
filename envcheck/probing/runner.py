"""Run one probe in its own process, with a timeout, and classify how it ended.

A probe that crashes is a finding, not our crash: death by SIGILL while
importing TensorFlow says something about the CPU; SIGKILL suggests the
out-of-memory killer; a timeout names the probe and its limit. The caller
gets a `ProbeRun` value in every case and never an exception, except
KeyboardInterrupt, which is passed on after the child has been stopped and
its partial facts collected (see `ProbeInterrupted`).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import probes

PROBES_DIR = Path(probes.__file__).resolve().parent
PROTOCOL = 1
PROGRESS_PREFIX = "@@envcheck-progress "
STDERR_KEEP_LINES = 400
TERM_GRACE_S = 3.0
INTERRUPT_GRACE_S = 5.0

ProgressCallback = Callable[[dict[str, Any]], None]

# Windows NTSTATUS codes seen as exit codes of a crashed process.
_WINDOWS_CRASHES = {
    0xC000001D: ("STATUS_ILLEGAL_INSTRUCTION", "SIGILL"),
    0xC0000005: ("STATUS_ACCESS_VIOLATION", "SIGSEGV"),
    0xC00000FD: ("STATUS_STACK_OVERFLOW", "SIGSEGV"),
    0xC0000409: ("STATUS_STACK_BUFFER_OVERRUN", "SIGABRT"),
}


@dataclass(frozen=True)
class ProbeRun:
    """How one probe process ended and what it reported.

    outcome is one of: "ok" (a complete JSON document), "partial" (JSON but
    the probe stopped early), "timeout", "signal" (killed by a signal),
    "exit" (non-zero exit without JSON), "bad_output" (exit 0 but no valid
    JSON), "interrupted" (Ctrl-C), "not_started" (could not be launched).
    """

    probe: str
    interpreter: str
    outcome: str
    facts: dict[str, Any] = field(default_factory=dict)
    returncode: int | None = None
    signal_name: str | None = None
    timeout_s: float | None = None
    duration_s: float = 0.0
    stderr_tail: str = ""
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"

    def to_dict(self) -> dict[str, Any]:
        return {
            "probe": self.probe,
            "interpreter": self.interpreter,
            "outcome": self.outcome,
            "returncode": self.returncode,
            "signal": self.signal_name,
            "timeout_s": self.timeout_s,
            "duration_s": round(self.duration_s, 3),
            "message": self.message,
            "stderr_tail": self.stderr_tail[-4000:],
        }


class ProbeInterrupted(KeyboardInterrupt):
    """Ctrl-C arrived while a probe ran; `run` holds what it had measured."""

    def __init__(self, run: ProbeRun) -> None:
        super().__init__(f"interrupted while running probe {run.probe}")
        self.run = run


def probe_command(interpreter: str, probe: str, args: Mapping[str, Any] | None) -> list[str]:
    script = PROBES_DIR / f"probe_{probe}.py"
    return [interpreter, str(script), json.dumps(dict(args or {}))]


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The probe's environment: the user's, minus ways to write into the target."""
    env = dict(os.environ)
    env["PYTHONIOENCODING"] = "utf-8"
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # the read-only guarantee: no __pycache__ in site-packages
    env.pop("PYTHONSTARTUP", None)
    if extra:
        env.update(extra)
    return env


def run_probe(
    probe: str,
    interpreter: str,
    *,
    timeout_s: float,
    args: Mapping[str, Any] | None = None,
    on_progress: ProgressCallback | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> ProbeRun:
    """Run probes/probe_<probe>.py under `interpreter` and classify the result."""
    argv = probe_command(interpreter, probe, args)
    return run_command(probe, argv, timeout_s=timeout_s, on_progress=on_progress, env=env, cwd=cwd)


def run_command(
    probe: str,
    argv: list[str],
    *,
    timeout_s: float,
    on_progress: ProgressCallback | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> ProbeRun:
    """Run any command that follows the probe protocol (one JSON document on stdout)."""
    interpreter = argv[0]
    started = time.monotonic()
    try:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=child_env(env),
            cwd=cwd,
            **_new_group_kwargs(),
        )
    except OSError as exc:
        return ProbeRun(
            probe,
            interpreter,
            "not_started",
            message=f"cannot run {interpreter}: {exc.strerror or exc}",
            duration_s=time.monotonic() - started,
        )

    out_chunks: list[bytes] = []
    err_lines: deque[str] = deque(maxlen=STDERR_KEEP_LINES)
    assert proc.stdout is not None and proc.stderr is not None
    out_reader = threading.Thread(target=_read_all, args=(proc.stdout, out_chunks), daemon=True)
    err_reader = threading.Thread(
        target=_read_lines, args=(proc.stderr, err_lines, on_progress), daemon=True
    )
    out_reader.start()
    err_reader.start()

    timed_out = False
    try:
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            timed_out = True
            _stop(proc)
    except KeyboardInterrupt:
        _interrupt(proc)
        out_reader.join(2)
        err_reader.join(2)
        _close(proc)
        run = _classify(
            probe,
            interpreter,
            proc,
            out_chunks,
            err_lines,
            timed_out=False,
            timeout_s=timeout_s,
            started=started,
            interrupted=True,
        )
        raise ProbeInterrupted(run) from None
    out_reader.join(5)
    err_reader.join(5)
    _close(proc)
    return _classify(
        probe,
        interpreter,
        proc,
        out_chunks,
        err_lines,
        timed_out=timed_out,
        timeout_s=timeout_s,
        started=started,
        interrupted=False,
    )


def _close(proc: subprocess.Popen[bytes]) -> None:
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()


def _new_group_kwargs() -> dict[str, Any]:
    # A new session/process group, so that a timeout can stop the probe and
    # everything it started, and so that the terminal's Ctrl-C reaches us
    # first and we decide how the probe stops.
    if sys.platform == "win32":
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
    return {"start_new_session": True}


def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError, OSError):
        if os.name == "nt":
            if sig == getattr(signal, "SIGKILL", None) or sig == signal.SIGTERM:
                proc.kill()
            else:
                proc.send_signal(signal.CTRL_BREAK_EVENT)  # type: ignore[attr-defined]
        else:
            os.killpg(proc.pid, sig)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the probe's group, then SIGKILL it if it ignores that."""
    _signal_group(proc, signal.SIGTERM)
    try:
        proc.wait(timeout=TERM_GRACE_S)
    except subprocess.TimeoutExpired:
        _signal_group(proc, getattr(signal, "SIGKILL", signal.SIGTERM))
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=TERM_GRACE_S)
    # Whatever the leader left running in its group goes too.
    _signal_group(proc, getattr(signal, "SIGKILL", signal.SIGTERM))


def _interrupt(proc: subprocess.Popen[bytes]) -> None:
    """Ask the probe to stop as after Ctrl-C, so it can still write its JSON."""
    _signal_group(proc, signal.SIGINT)
    try:
        proc.wait(timeout=INTERRUPT_GRACE_S)
    except (subprocess.TimeoutExpired, KeyboardInterrupt):
        _stop(proc)


def _read_all(stream: Any, chunks: list[bytes]) -> None:
    with contextlib.suppress(OSError, ValueError):
        for chunk in iter(lambda: stream.read(65536), b""):
            chunks.append(chunk)


def _read_lines(stream: Any, lines: deque[str], on_progress: ProgressCallback | None) -> None:
    with contextlib.suppress(OSError, ValueError):
        for raw in stream:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if line.startswith(PROGRESS_PREFIX):
                if on_progress is not None:
                    with contextlib.suppress(ValueError, TypeError):
                        event = json.loads(line[len(PROGRESS_PREFIX) :])
                        if isinstance(event, dict):
                            # A broken progress display must never kill the probe run.
                            with contextlib.suppress(Exception):
                                on_progress(event)
                continue
            lines.append(line)


def describe_signal(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


def _classify(
    probe: str,
    interpreter: str,
    proc: subprocess.Popen[bytes],
    out_chunks: list[bytes],
    err_lines: deque[str],
    *,
    timed_out: bool,
    timeout_s: float,
    started: float,
    interrupted: bool,
) -> ProbeRun:
    rc = proc.returncode
    duration = time.monotonic() - started
    stderr_tail = "\n".join(err_lines)
    doc, parse_problem = _parse(b"".join(out_chunks))
    facts: dict[str, Any] = doc.get("facts", {}) if doc else {}
    common: dict[str, Any] = {
        "returncode": rc,
        "timeout_s": timeout_s,
        "duration_s": duration,
        "stderr_tail": stderr_tail,
    }

    if interrupted:
        return ProbeRun(
            probe,
            interpreter,
            "interrupted",
            facts,
            message=f"probe {probe!r} was interrupted (Ctrl-C); partial results kept",
            **common,
        )
    if timed_out:
        return ProbeRun(
            probe,
            interpreter,
            "timeout",
            facts,
            message=f"probe {probe!r} did not finish within its {timeout_s:g} s limit "
            "and was stopped",
            **common,
        )
    signame = _death_signal(rc)
    if signame is not None:
        return ProbeRun(
            probe,
            interpreter,
            "signal",
            facts,
            signal_name=signame,
            message=f"probe {probe!r} was killed by {signame} ({_signal_meaning(signame)})",
            **common,
        )
    if doc is not None:
        if doc.get("complete") and rc == 0:
            return ProbeRun(probe, interpreter, "ok", facts, **common)
        why = doc.get("error") or ("interrupted" if doc.get("interrupted") else f"exit code {rc}")
        return ProbeRun(
            probe,
            interpreter,
            "partial",
            facts,
            message=f"probe {probe!r} stopped early: {why}",
            **common,
        )
    if rc != 0:
        last = _last_meaningful_line(stderr_tail)
        return ProbeRun(
            probe,
            interpreter,
            "exit",
            facts,
            message=f"probe {probe!r} exited with code {rc}" + (f": {last}" if last else ""),
            **common,
        )
    return ProbeRun(
        probe,
        interpreter,
        "bad_output",
        facts,
        message=f"probe {probe!r} printed no valid result ({parse_problem})",
        **common,
    )


def _death_signal(rc: int | None) -> str | None:
    if rc is None:
        return None
    if rc < 0:
        return describe_signal(-rc)
    if os.name == "nt" and (rc & 0xFFFFFFFF) in _WINDOWS_CRASHES:
        return _WINDOWS_CRASHES[rc & 0xFFFFFFFF][1]
    return None


def _signal_meaning(signame: str) -> str:
    return {
        "SIGILL": "illegal instruction: the CPU lacks an instruction the binary uses",
        "SIGKILL": "killed from outside, most often by the out-of-memory killer",
        "SIGSEGV": "a segmentation fault in native code",
        "SIGABRT": "native code aborted",
        "SIGBUS": "a bus error in native code",
        "SIGTERM": "terminated from outside",
    }.get(signame, "terminated by a signal")


def _parse(data: bytes) -> tuple[dict[str, Any] | None, str]:
    text = data.decode("utf-8", "replace").strip()
    if not text:
        return None, "empty output"
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, f"not JSON: {exc.msg} at position {exc.pos}"
    if not isinstance(doc, dict) or doc.get("protocol") != PROTOCOL:
        return None, f"not a probe document of protocol {PROTOCOL}"
    if not isinstance(doc.get("facts"), dict):
        return None, "the document has no facts"
    return doc, ""


def _last_meaningful_line(text: str) -> str:
    for line in reversed(text.splitlines()):
        if line.strip():
            return line.strip()[:300]
    return ""


def tool_python() -> str:
    """The interpreter running this tool, for probes that describe the machine."""
    return sys.executable
