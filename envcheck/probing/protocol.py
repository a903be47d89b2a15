"""The probe protocol on the tool's side: read what a probe process said, name how it ended.

A probe prints one JSON document on stdout (`probes/_probelib.run`) and
progress events on stderr; the constants both sides use (the protocol
version, the progress marker, the benchmark's event names) are read from
probes/_probelib, which defines them and nothing else at import. `classify`
turns what the process did (`process.Ending`) into a `ProbeRun`: the first
row of `_RULES` that matches names the outcome and writes its message.
"""

from __future__ import annotations

import contextlib
import enum
import json
import os
import re
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from envcheck import interrupts
from envcheck.probing.facts import representable
from envcheck.probing.process import MAX_STDOUT_BYTES, Ending
from probes import _probelib

PROTOCOL: int = _probelib.PROTOCOL
PROGRESS_PREFIX: str = _probelib.PROGRESS_PREFIX
# The benchmark's progress events that the tool acts on (the "event" field).
BENCH_START: str = _probelib.BENCH_START
BENCH_WORKDIR: str = _probelib.BENCH_WORKDIR
BENCH_ENVIRONMENT: str = _probelib.BENCH_ENVIRONMENT
BENCH_CATEGORY_START: str = _probelib.BENCH_CATEGORY_START
BENCH_PHASE: str = _probelib.BENCH_PHASE
BENCH_STEP: str = _probelib.BENCH_STEP
BENCH_CATEGORY_DONE: str = _probelib.BENCH_CATEGORY_DONE
BENCH_SAVE_CHECK: str = _probelib.BENCH_SAVE_CHECK

ProgressCallback = Callable[[dict[str, Any]], None]


class ProbeOutcome(str, enum.Enum):
    """How a probe process ended; the value is the word reports have always carried.

    A `str` enum (StrEnum's behaviour, which Python 3.10 lacks): it compares
    equal to its value, and JSON and f-strings write the plain word.
    """

    OK = "ok"
    """A complete JSON document."""
    PARTIAL = "partial"
    """A JSON document, but the probe stopped early (an error or Ctrl-C inside it)."""
    TIMEOUT = "timeout"
    SIGNAL = "signal"
    """Killed by a signal (a crash: SIGILL, SIGSEGV; or SIGKILL from outside)."""
    EXIT = "exit"
    """A non-zero exit without a document."""
    BAD_OUTPUT = "bad_output"
    """Exit 0 but no valid document, or a runaway amount of output."""
    INTERRUPTED = "interrupted"
    """Ctrl-C, SIGTERM or SIGHUP reached the tool while the probe ran."""
    NOT_STARTED = "not_started"
    MEMORY = "memory"
    """Stopped at its memory cap (see `runner.run_command`)."""

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)

    @property
    def has_facts(self) -> bool:
        """Whether the probe answered: checks may read its facts (complete or partial)."""
        return self in (ProbeOutcome.OK, ProbeOutcome.PARTIAL)


@dataclass(frozen=True)
class ProbeRun:
    """How one probe process ended and what it reported.

    `outcome` given as its word (a saved report, a recorded run) becomes the
    enum member; a word that is not one is refused (ValueError).
    """

    probe: str
    interpreter: str
    outcome: ProbeOutcome
    facts: dict[str, Any] = field(default_factory=dict)
    returncode: int | None = None
    signal_name: str | None = None
    timeout_s: float | None = None
    duration_s: float = 0.0
    stderr_tail: str = ""
    message: str = ""
    memory_limit_mb: float | None = None
    peak_rss_mb: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "outcome", ProbeOutcome(self.outcome))

    @property
    def ok(self) -> bool:
        return self.outcome is ProbeOutcome.OK

    def to_dict(self) -> dict[str, Any]:
        return {
            "probe": self.probe,
            "interpreter": self.interpreter,
            "outcome": self.outcome.value,
            "returncode": self.returncode,
            "signal": self.signal_name,
            "timeout_s": self.timeout_s,
            "duration_s": round(self.duration_s, 3),
            "message": self.message,
            "stderr_tail": self.stderr_tail[-4000:],
            "memory_limit_mb": self.memory_limit_mb,
            "peak_rss_mb": self.peak_rss_mb,
        }


class ProbeInterrupted(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM, SIGHUP) arrived while a probe ran; `run` holds what it had measured."""

    def __init__(self, run: ProbeRun) -> None:
        super().__init__(f"interrupted while running probe {run.probe}")
        self.run = run


def progress_reader(on_progress: ProgressCallback | None) -> Callable[[str], bool]:
    """A stderr line filter: progress lines go to `on_progress` (True), others are kept."""

    def read(line: str) -> bool:
        if not line.startswith(PROGRESS_PREFIX):
            return False
        if on_progress is not None:
            with contextlib.suppress(ValueError, TypeError):
                event = json.loads(line[len(PROGRESS_PREFIX) :])
                if isinstance(event, dict):
                    # A broken progress display must never kill the probe run.
                    with contextlib.suppress(Exception):
                        on_progress(event)
        return True

    return read


# What classification looks at, gathered once from the process's ending.
@dataclass(frozen=True)
class _Seen:
    probe: str
    timeout_s: float
    ending: Ending
    doc: dict[str, Any] | None
    parse_problem: str
    stderr_tail: str
    death_signal: str | None


@dataclass(frozen=True)
class _Rule:
    outcome: ProbeOutcome
    applies: Callable[[_Seen], bool]
    message: Callable[[_Seen], str]
    keeps_signal: bool = False
    """Whether the run names the signal that ended the process (`signal_name`)."""


def _over_memory(s: _Seen) -> bool:
    cap = s.ending.memory
    return cap is not None and (cap.exceeded or _out_of_memory(s.doc, s.stderr_tail))


def _memory_message(s: _Seen) -> str:
    cap = s.ending.memory
    assert cap is not None
    how = (
        f"used more than its memory cap of {cap.limit_mb:g} MiB (peak {cap.peak_mb:.0f} MiB)"
        if cap.exceeded
        else f"hit its memory cap of {cap.limit_mb:g} MiB (the system refused more)"
    )
    return f"probe {s.probe!r} {how} and stopped before it could exhaust the machine's memory"


def _stopped_early(s: _Seen) -> str:
    doc = s.doc or {}
    rc = s.ending.returncode
    why = doc.get("error") or ("interrupted" if doc.get("interrupted") else f"exit code {rc}")
    return f"probe {s.probe!r} stopped early: {why}"


def _exited(s: _Seen) -> str:
    last = _last_meaningful_line(s.stderr_tail)
    return f"probe {s.probe!r} exited with code {s.ending.returncode}" + (
        f": {last}" if last else ""
    )


_RULES: tuple[_Rule, ...] = (
    _Rule(
        ProbeOutcome.INTERRUPTED,
        lambda s: s.ending.interrupted,
        lambda s: (
            f"probe {s.probe!r} was interrupted ({interrupts.reason()}); partial results kept"
        ),
    ),
    _Rule(
        ProbeOutcome.TIMEOUT,
        lambda s: s.ending.timed_out,
        lambda s: (
            f"probe {s.probe!r} did not finish within its {s.timeout_s:g} s limit and was stopped"
        ),
    ),
    _Rule(ProbeOutcome.MEMORY, _over_memory, _memory_message, keeps_signal=True),
    _Rule(
        ProbeOutcome.BAD_OUTPUT,
        lambda s: s.ending.stdout_overflow,
        lambda s: (
            f"probe {s.probe!r} printed more than {MAX_STDOUT_BYTES // 2**20} MiB "
            "on stdout and was stopped"
        ),
    ),
    _Rule(
        ProbeOutcome.SIGNAL,
        lambda s: s.death_signal is not None,
        lambda s: (
            f"probe {s.probe!r} was killed by {s.death_signal} "
            f"({_signal_meaning(s.death_signal or '')})"
        ),
        keeps_signal=True,
    ),
    _Rule(
        ProbeOutcome.OK,
        lambda s: s.doc is not None and bool(s.doc.get("complete")) and s.ending.returncode == 0,
        lambda s: "",
    ),
    _Rule(ProbeOutcome.PARTIAL, lambda s: s.doc is not None, _stopped_early),
    _Rule(ProbeOutcome.EXIT, lambda s: s.ending.returncode != 0, _exited),
    _Rule(
        ProbeOutcome.BAD_OUTPUT,
        lambda s: True,
        lambda s: f"probe {s.probe!r} printed no valid result ({s.parse_problem})",
    ),
)
"""How a probe ended, most decisive first: an interrupt or a limit outranks what it printed."""


def classify(probe: str, interpreter: str, ending: Ending, *, timeout_s: float) -> ProbeRun:
    """The `ProbeRun` for a probe process that ended as `ending` describes."""
    doc, parse_problem = parse_document(ending.stdout)
    facts: dict[str, Any] = doc.get("facts", {}) if doc else {}
    # What no report could carry is escaped (text that is not UTF-8) or refused
    # (nesting beyond any serialiser): the probe's answer is then not used.
    facts, unrepresentable = representable(facts)
    too_deep = [p for p in unrepresentable if "nested deeper" in p]
    if doc is not None and too_deep:
        doc, facts, parse_problem = None, {}, f"it reported {too_deep[0]}"
    seen = _Seen(
        probe=probe,
        timeout_s=timeout_s,
        ending=ending,
        doc=doc,
        parse_problem=parse_problem,
        stderr_tail="\n".join(ending.stderr_lines),
        death_signal=_death_signal(ending.returncode),
    )
    rule = next(r for r in _RULES if r.applies(seen))
    cap = ending.memory
    return ProbeRun(
        probe,
        interpreter,
        rule.outcome,
        facts,
        returncode=ending.returncode,
        signal_name=seen.death_signal if rule.keeps_signal else None,
        timeout_s=timeout_s,
        duration_s=ending.duration_s,
        stderr_tail=seen.stderr_tail,
        message=rule.message(seen),
        memory_limit_mb=cap.limit_mb if cap is not None else None,
        peak_rss_mb=round(cap.peak_mb, 1) if cap is not None else None,
    )


_OOM_MARKERS = ("MemoryError", "std::bad_alloc", "Cannot allocate memory", "ResourceExhausted")


def _out_of_memory(doc: dict[str, Any] | None, stderr_tail: str) -> bool:
    """Whether a probe under a memory cap says it was refused memory."""
    said = str((doc or {}).get("error") or "") + "\n" + stderr_tail[-8000:]
    return any(marker in said for marker in _OOM_MARKERS)


# Windows NTSTATUS codes seen as exit codes of a crashed process.
_WINDOWS_CRASHES = {
    0xC000001D: ("STATUS_ILLEGAL_INSTRUCTION", "SIGILL"),
    0xC0000005: ("STATUS_ACCESS_VIOLATION", "SIGSEGV"),
    0xC00000FD: ("STATUS_STACK_OVERFLOW", "SIGSEGV"),
    0xC0000409: ("STATUS_STACK_BUFFER_OVERRUN", "SIGABRT"),
}


def describe_signal(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


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


_DOC_START = re.compile(r'\{\s*"(?:complete|protocol)"\s*:')
MAX_DOC_CANDIDATES = 64
"""Places in stray output where a document may start that are tried, last first."""


def parse_document(data: bytes) -> tuple[dict[str, Any] | None, str]:
    """The probe document: all of stdout, or its last document after stray output.

    Something in the interpreter's startup (a sitecustomize.py, a .pth file)
    can print to stdout before the probe takes it over; the document is
    still found at the end and the stray text ignored. The search is linear
    in the output's size: at most MAX_DOC_CANDIDATES starts are tried, each
    parsed in place (no copy of the rest), and only a document that ends the
    output counts. Returns the document, or None and why there is none.
    """
    text = data.decode("utf-8", "replace").strip()
    if not text:
        return None, "empty output"
    doc, problem = _document(text)
    if doc is not None:
        return doc, ""
    starts = [m.start() for m in _DOC_START.finditer(text)]
    decoder = json.JSONDecoder(parse_constant=_reject_constant)
    for start in reversed(starts[-MAX_DOC_CANDIDATES:]):
        try:
            found, end = decoder.raw_decode(text, start)
        except (ValueError, RecursionError):
            continue
        if end == len(text) and _document_problem(found) is None:
            return found, ""
    return None, problem


def _reject_constant(name: str) -> Any:
    """NaN and Infinity are not JSON, and no report can carry them: the document is refused."""
    raise ValueError(f"{name} is not a JSON value")


def _document(text: str) -> tuple[dict[str, Any] | None, str]:
    try:
        doc = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        return None, f"not JSON: {exc.msg} at position {exc.pos}"
    except RecursionError:
        return None, "not JSON: nested too deeply"
    except ValueError as exc:  # e.g. an integer beyond the interpreter's digit limit
        return None, f"not JSON: {exc}"
    problem = _document_problem(doc)
    return (None, problem) if problem else (doc, "")


def _document_problem(doc: Any) -> str | None:
    if not isinstance(doc, dict) or doc.get("protocol") != PROTOCOL:
        return f"not a probe document of protocol {PROTOCOL}"
    if not isinstance(doc.get("facts"), dict):
        return "the document has no facts"
    return None


def _last_meaningful_line(text: str) -> str:
    for line in reversed(text.splitlines()):
        if line.strip():
            return line.strip()[:300]
    return ""
