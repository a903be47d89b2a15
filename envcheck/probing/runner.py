"""Run one probe in its own process, with a timeout, and classify how it ended.

A probe that crashes is a finding, not our crash: death by SIGILL while
importing TensorFlow says something about the CPU; SIGKILL suggests the
out-of-memory killer; a timeout names the probe and its limit. The caller
gets a `ProbeRun` value in every case and never an exception, except
KeyboardInterrupt (Ctrl-C, or SIGTERM/SIGHUP through envcheck.interrupts),
which is passed on after the child has been stopped and its partial facts
collected (see `ProbeInterrupted`). The time limit holds even when the probe
leaves a daemon holding its output (see `_finish`).

Probes and helpers run with the run's scratch folder (`scratch_folder`) as
their working directory, never the user's (see `helper_command`), and as
TMPDIR, so that whatever they or TensorFlow write lands in one place that is
removed at the end; an optional memory cap stops a probe before it can
exhaust the machine's memory (`memory_limit_mb`).
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import probes
from envcheck import interrupts
from envcheck.probing.facts import representable

PROBES_DIR = Path(probes.__file__).resolve().parent
PROTOCOL = 1
PROGRESS_PREFIX = "@@envcheck-progress "
STDERR_KEEP_LINES = 400
TERM_GRACE_S = 3.0
INTERRUPT_GRACE_S = 5.0
PIPE_GRACE_S = 1.0
"""How long the probe's output may stay open after its main process ended."""
MAX_STDOUT_BYTES = 32 * 1024 * 1024
"""A probe's document is at most a few hundred KB; more is a runaway, which is stopped."""
MAX_STDERR_LINE = 64 * 1024
"""Longer stderr lines are split, so that a flood without newlines cannot fill memory."""
MEMORY_POLL_S = 0.1
RLIMIT_HEADROOM = 1.25
"""The kernel limit (Linux RLIMIT_DATA) sits above the watched cap: the watchdog gives the
clear message, the kernel limit stops an allocation burst faster than the watchdog polls."""

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
    JSON), "interrupted" (Ctrl-C), "not_started" (could not be launched),
    "memory" (stopped at its memory cap, see `run_command`).
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
    memory_limit_mb: float | None = None
    peak_rss_mb: float | None = None

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
            "memory_limit_mb": self.memory_limit_mb,
            "peak_rss_mb": self.peak_rss_mb,
        }


class ProbeInterrupted(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM, SIGHUP) arrived while a probe ran; `run` holds what it had measured."""

    def __init__(self, run: ProbeRun) -> None:
        super().__init__(f"interrupted while running probe {run.probe}")
        self.run = run


def probe_command(interpreter: str, probe: str, args: Mapping[str, Any] | None) -> list[str]:
    script = PROBES_DIR / f"probe_{probe}.py"
    return [interpreter, str(script), json.dumps(dict(args or {}))]


_scratch: Path | None = None


@contextlib.contextmanager
def scratch_folder() -> Iterator[Path]:
    """One temp folder for every probe of a run, removed at the end even on Ctrl-C.

    Probes get it as their working directory and TMPDIR/TEMP/TMP, so a crash
    dump, a checkpoint or TensorFlow's temp files never land in the project.
    """
    global _scratch
    path = Path(tempfile.mkdtemp(prefix="tfcert-envcheck-"))
    previous, _scratch = _scratch, path
    try:
        yield path
    finally:
        _scratch = previous
        shutil.rmtree(path, ignore_errors=True)


def _private_cwd() -> Path:
    """An empty folder of the tool's to work in when no run's scratch folder is active."""
    global _empty_dir
    if _empty_dir is None or not _empty_dir.is_dir():
        _empty_dir = Path(tempfile.mkdtemp(prefix="tfcert-envcheck-cwd-"))
        atexit.register(shutil.rmtree, _empty_dir, True)
    return _empty_dir


_empty_dir: Path | None = None


def current_scratch() -> Path | None:
    """The active scratch folder, for code that must place a file for a probe."""
    return _scratch


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The probe's environment: the user's, minus ways to write into the target."""
    env = dict(os.environ)
    env["PYTHONIOENCODING"] = "utf-8"
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # the read-only guarantee: no __pycache__ in site-packages
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"  # no network, no selfcheck file
    env.pop("PYTHONSTARTUP", None)
    if _scratch is not None:
        for var in ("TMPDIR", "TEMP", "TMP"):
            env[var] = str(_scratch)
        if not _keras_config_exists(env):
            # Keras writes ~/.keras/keras.json on first import; where the user has none
            # yet, it gets the defaults from a folder of ours instead.
            env["KERAS_HOME"] = str(_scratch / "keras")
    if extra:
        env.update(extra)
    return env


def _keras_config_exists(env: Mapping[str, str]) -> bool:
    """Whether the user has a keras.json; False when unknown (no home folder, or unreadable)."""
    try:
        keras_dir = Path(env.get("KERAS_HOME") or Path.home() / ".keras")
        return (keras_dir / "keras.json").is_file()
    except (OSError, RuntimeError, KeyError):  # HOME unset and no passwd entry; HOME unreadable
        return False


def run_probe(
    probe: str,
    interpreter: str,
    *,
    timeout_s: float,
    args: Mapping[str, Any] | None = None,
    on_progress: ProgressCallback | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    memory_limit_mb: float | None = None,
) -> ProbeRun:
    """Run probes/probe_<probe>.py under `interpreter` and classify the result."""
    argv = probe_command(interpreter, probe, args)
    return run_command(
        probe,
        argv,
        timeout_s=timeout_s,
        on_progress=on_progress,
        env=env,
        cwd=cwd,
        memory_limit_mb=memory_limit_mb,
    )


def memory_cap_mb(fraction: float = 0.75) -> float:
    """A cap for a memory-hungry probe: a share of the memory available right now.

    What is available (not the total) is what the probe can take without
    pushing the user's other programs into swap or the OOM killer.
    """
    import psutil

    return round(psutil.virtual_memory().available * fraction / 2**20, 1)


def run_command(
    probe: str,
    argv: list[str],
    *,
    timeout_s: float,
    on_progress: ProgressCallback | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    memory_limit_mb: float | None = None,
) -> ProbeRun:
    """Run any command that follows the probe protocol (one JSON document on stdout).

    With `memory_limit_mb`, the probe's process group is watched (resident
    memory, children included) and stopped when it exceeds the cap, outcome
    "memory"; on Linux a kernel limit (RLIMIT_DATA) a little above the cap
    also refuses allocations the watchdog would be too slow to see.
    """
    interpreter = argv[0]
    started = time.monotonic()
    proc: subprocess.Popen[bytes] | None = None
    interrupted_at_start = False
    try:
        # An interrupt while the process starts waits until Popen has returned it, so
        # that the probe is known, and stopped, rather than left running on its own.
        with interrupts.deferred():
            proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=child_env(env),
                cwd=cwd if cwd is not None else (_default_cwd(argv) or _private_cwd()),
                **_new_group_kwargs(),
            )
    except KeyboardInterrupt:
        if proc is None:
            raise
        interrupted_at_start = True
    except OSError as exc:
        return ProbeRun(
            probe,
            interpreter,
            "not_started",
            message=f"cannot run {interpreter}: {exc.strerror or exc}",
            duration_s=time.monotonic() - started,
        )
    out = _Capture(proc)
    err_lines: deque[str] = deque(maxlen=STDERR_KEEP_LINES)
    assert proc.stdout is not None and proc.stderr is not None
    out_reader = threading.Thread(target=out.read, args=(proc.stdout,), daemon=True)
    err_reader = threading.Thread(
        target=_read_lines, args=(proc.stderr, err_lines, on_progress), daemon=True
    )
    readers = (out_reader, err_reader)
    watch: _MemoryWatch | None = None
    timed_out = False
    # From here on an interrupt (Ctrl-C, SIGTERM, SIGHUP) always stops the probe and
    # keeps what it had said, wherever it lands.
    try:
        if interrupted_at_start:
            raise KeyboardInterrupt
        _limit_resources(proc, memory_limit_mb)
        watch = _MemoryWatch(proc, memory_limit_mb) if memory_limit_mb else None
        out_reader.start()
        err_reader.start()
        timed_out = _wait(proc, started + timeout_s, watch)
        if _finish(proc, readers) and not timed_out and time.monotonic() > started + timeout_s:
            timed_out = True  # something of the probe's kept its output open past the limit
    except KeyboardInterrupt:
        _interrupt(proc)
        _finish(proc, readers)
        run = _classify(
            probe,
            interpreter,
            proc,
            out,
            err_lines,
            timed_out=False,
            timeout_s=timeout_s,
            started=started,
            interrupted=True,
            watch=watch,
        )
        raise ProbeInterrupted(run) from None
    return _classify(
        probe,
        interpreter,
        proc,
        out,
        err_lines,
        timed_out=timed_out,
        timeout_s=timeout_s,
        started=started,
        interrupted=False,
        watch=watch,
    )


def _default_cwd(argv: list[str]) -> Path | None:
    """Every probe and helper works in the scratch folder, never where the tool was started.

    The working folder of a `-c` or `-m` process is on its sys.path: a
    `subprocess.py` or `json.py` in the user's folder would be imported.
    """
    return _scratch


# Runs in the tool's own Python (>= 3.10) under -I: sys.path is exactly the list
# given in argv[1], so nothing from the working folder, PYTHONPATH or a user site
# the tool does not itself use is importable; then the module runs as `-m` would.
_HELPER_BOOT = (
    "import sys, json, runpy; sys.path[:] = json.loads(sys.argv[1]); m = sys.argv[2]; "
    "del sys.argv[1:3]; runpy.run_module(m, run_name='__main__', alter_sys=True)"
)


def helper_command(module: str, *args: str) -> list[str]:
    """`python -m module args` for a tool-side helper, isolated from the working folder.

    The helper sees the tool's own import path (where envcheck and its
    dependencies are) minus relative entries and the current folder: `-I`
    drops PYTHONPATH, the user site and the working folder, `-B` writes no
    bytecode; the tool's path is then set explicitly.
    """
    return [tool_python(), "-I", "-B", "-c", _HELPER_BOOT, json.dumps(tool_path()), module, *args]


def tool_path() -> list[str]:
    """The tool's sys.path as a helper gets it: the envcheck package's root first, no cwd."""
    root = str(Path(__file__).resolve().parents[2])
    try:
        here: Path | None = Path.cwd().resolve()
    except OSError:  # the working folder was deleted
        here = None
    path = [root]
    for entry in sys.path:
        if not entry or not Path(entry).is_absolute() or entry in path:
            continue
        with contextlib.suppress(OSError):
            if here is not None and Path(entry).resolve() == here and entry != root:
                continue
        path.append(entry)
    return path


def _wait(proc: subprocess.Popen[bytes], deadline: float, watch: _MemoryWatch | None) -> bool:
    """Wait for the probe to end; stop it at the deadline or the memory cap. True: timed out."""
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            _stop(proc)
            return True
        try:
            proc.wait(timeout=min(remaining, MEMORY_POLL_S) if watch else remaining)
            return False
        except subprocess.TimeoutExpired:
            if watch is not None and watch.check():
                _signal_group(proc, getattr(signal, "SIGKILL", signal.SIGTERM))
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=TERM_GRACE_S)
                return False


def _finish(proc: subprocess.Popen[bytes], readers: tuple[threading.Thread, ...]) -> bool:
    """After the probe's main process ended: stop what it left behind, collect, close.

    True when its output was still held open by a process that escaped its group.
    """
    # A child the probe started (and did not wait for) may still hold the
    # pipes open; it belongs to the probe's group, which ends with the probe.
    _signal_group(proc, getattr(signal, "SIGKILL", signal.SIGTERM))
    if _join(readers, time.monotonic() + PIPE_GRACE_S):
        _close(proc)
        return False
    # A daemon that left the group (setsid after a double fork) still holds the
    # pipes: it is one of the probe's, as no other process was given them.
    _kill_pipe_holders(proc)
    if _join(readers, time.monotonic() + PIPE_GRACE_S):
        _close(proc)
    # else: a holder that cannot be killed; the blocked readers (daemon threads)
    # keep their streams, which are not closed under them.
    return True


def _join(threads: tuple[threading.Thread, ...], until: float) -> bool:
    """Wait for the (started) threads until `until`; True when all have ended."""
    for thread in threads:
        if thread.is_alive():
            thread.join(max(0.0, until - time.monotonic()))
    return not any(thread.is_alive() for thread in threads)


def _kill_pipe_holders(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL every other process holding the probe's stdout or stderr pipe (Linux /proc)."""
    proc_root = Path("/proc")
    if not (proc_root / "self" / "fd").is_dir():
        return  # elsewhere the run just stops waiting for the pipes
    targets = set()
    for stream in (proc.stdout, proc.stderr):
        with contextlib.suppress(OSError, ValueError):
            if stream is not None:
                targets.add(f"pipe:[{os.fstat(stream.fileno()).st_ino}]")
    me = os.getpid()
    for entry in proc_root.iterdir():
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        with contextlib.suppress(OSError):
            for fd in (entry / "fd").iterdir():
                with contextlib.suppress(OSError):
                    if str(fd.readlink()) in targets:
                        os.kill(int(entry.name), signal.SIGKILL)
                        break


class _Capture:
    """A probe's stdout, kept up to MAX_STDOUT_BYTES; a runaway beyond that is stopped."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self.proc = proc
        self.chunks: list[bytes] = []
        self.size = 0
        self.overflow = False

    def read(self, stream: Any) -> None:
        with contextlib.suppress(OSError, ValueError):
            for chunk in iter(lambda: stream.read1(65536), b""):
                if self.overflow:
                    continue
                if self.size + len(chunk) > MAX_STDOUT_BYTES:
                    self.overflow = True
                    self.chunks.clear()
                    _signal_group(self.proc, getattr(signal, "SIGKILL", signal.SIGTERM))
                    continue
                self.chunks.append(chunk)
                self.size += len(chunk)

    @property
    def data(self) -> bytes:
        return b"".join(self.chunks)


class _MemoryWatch:
    """Resident memory of a probe's process tree, polled, against a cap."""

    def __init__(self, proc: subprocess.Popen[bytes], limit_mb: float) -> None:
        import psutil

        self.limit_mb = limit_mb
        self.peak_mb = 0.0
        self.exceeded = False
        try:
            self._root: Any = psutil.Process(proc.pid)
        except psutil.Error:
            self._root = None

    def check(self) -> bool:
        """Sample once; True when the tree is over the cap."""
        import psutil

        if self._root is None:
            return False
        total = 0
        try:
            procs = [self._root, *self._root.children(recursive=True)]
        except psutil.Error:
            return False
        for p in procs:
            with contextlib.suppress(psutil.Error):
                total += p.memory_info().rss
        mb = total / 2**20
        self.peak_mb = max(self.peak_mb, mb)
        if mb > self.limit_mb:
            self.exceeded = True
        return self.exceeded


def _limit_resources(proc: subprocess.Popen[bytes], memory_limit_mb: float | None) -> None:
    """No core dumps from a crashing probe; the kernel side of the memory cap (Linux)."""
    if os.name == "nt":
        return
    import resource

    prlimit = getattr(resource, "prlimit", None)  # Linux only; elsewhere the watchdog alone
    if prlimit is None:
        return
    with contextlib.suppress(OSError, ValueError):
        prlimit(proc.pid, resource.RLIMIT_CORE, (0, 0))
    if memory_limit_mb:
        limit = int(memory_limit_mb * RLIMIT_HEADROOM * 2**20)
        with contextlib.suppress(OSError, ValueError):
            prlimit(proc.pid, resource.RLIMIT_DATA, (limit, limit))


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


def _read_lines(stream: Any, lines: deque[str], on_progress: ProgressCallback | None) -> None:
    with contextlib.suppress(OSError, ValueError):
        for raw in iter(lambda: stream.readline(MAX_STDERR_LINE), b""):
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
    out: _Capture,
    err_lines: deque[str],
    *,
    timed_out: bool,
    timeout_s: float,
    started: float,
    interrupted: bool,
    watch: _MemoryWatch | None = None,
) -> ProbeRun:
    rc = proc.returncode
    duration = time.monotonic() - started
    stderr_tail = "\n".join(err_lines)
    doc, parse_problem = _parse(out.data)
    facts: dict[str, Any] = doc.get("facts", {}) if doc else {}
    # What no report could carry is escaped (text that is not UTF-8) or refused
    # (nesting beyond any serialiser): the probe's answer is then not used.
    facts, unrepresentable = representable(facts)
    too_deep = [p for p in unrepresentable if "nested deeper" in p]
    if doc is not None and too_deep:
        doc, facts, parse_problem = None, {}, f"it reported {too_deep[0]}"
    common: dict[str, Any] = {
        "returncode": rc,
        "timeout_s": timeout_s,
        "duration_s": duration,
        "stderr_tail": stderr_tail,
    }
    if watch is not None:
        common["memory_limit_mb"] = watch.limit_mb
        common["peak_rss_mb"] = round(watch.peak_mb, 1)

    if interrupted:
        return ProbeRun(
            probe,
            interpreter,
            "interrupted",
            facts,
            message=f"probe {probe!r} was interrupted ({interrupts.reason()}); "
            "partial results kept",
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
    if watch is not None and (watch.exceeded or _out_of_memory(doc, stderr_tail)):
        how = (
            f"used more than its memory cap of {watch.limit_mb:g} MiB "
            f"(peak {watch.peak_mb:.0f} MiB)"
            if watch.exceeded
            else f"hit its memory cap of {watch.limit_mb:g} MiB (the system refused more)"
        )
        return ProbeRun(
            probe,
            interpreter,
            "memory",
            facts,
            signal_name=_death_signal(rc),
            message=f"probe {probe!r} {how} and stopped before it could exhaust "
            "the machine's memory",
            **common,
        )
    if out.overflow:
        return ProbeRun(
            probe,
            interpreter,
            "bad_output",
            facts,
            message=f"probe {probe!r} printed more than {MAX_STDOUT_BYTES // 2**20} MiB "
            "on stdout and was stopped",
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


_OOM_MARKERS = ("MemoryError", "std::bad_alloc", "Cannot allocate memory", "ResourceExhausted")


def _out_of_memory(doc: dict[str, Any] | None, stderr_tail: str) -> bool:
    """Whether a probe under a memory cap says it was refused memory."""
    said = str((doc or {}).get("error") or "") + "\n" + stderr_tail[-8000:]
    return any(marker in said for marker in _OOM_MARKERS)


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


def _parse(data: bytes) -> tuple[dict[str, Any] | None, str]:
    """The probe document: all of stdout, or its last document after stray output.

    Something in the interpreter's startup (a sitecustomize.py, a .pth file)
    can print to stdout before the probe takes it over; the document is
    still found at the end and the stray text ignored. The search is linear
    in the output's size: at most MAX_DOC_CANDIDATES starts are tried, each
    parsed in place (no copy of the rest), and only a document that ends the
    output counts.
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


def tool_python() -> str:
    """The interpreter running this tool, for probes that describe the machine."""
    return sys.executable
