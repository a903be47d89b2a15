"""Supervise one probe process: its own process group, a time limit, a memory cap, its output.

Nothing here knows the probe protocol: `supervise` starts a command, waits
for it within its limits, stops it (and whatever it started) when they are
reached or when the tool is interrupted, and returns an `Ending`: the exit
status, the bytes on stdout and the last stderr lines. The time limit holds
even when the probe leaves a daemon holding its output (see `_finish`).
`envcheck.probing.protocol` then says what that ending means.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from envcheck import interrupts

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

LineFilter = Callable[[str], bool]
"""Called with each stderr line; True: the line was consumed (not kept in the tail)."""


@dataclass(frozen=True)
class MemoryUse:
    """The memory cap a process ran under and what its tree used at most."""

    limit_mb: float
    peak_mb: float
    exceeded: bool


@dataclass(frozen=True)
class Ending:
    """What a supervised process did, before anyone interprets it."""

    returncode: int | None
    stdout: bytes
    stdout_overflow: bool
    """It printed more than MAX_STDOUT_BYTES and was stopped; `stdout` is then empty."""
    stderr_lines: tuple[str, ...]
    """The last STDERR_KEEP_LINES lines the filter did not consume."""
    timed_out: bool
    interrupted: bool
    """Ctrl-C (or SIGTERM, SIGHUP) reached the tool; the process was asked to stop."""
    duration_s: float
    memory: MemoryUse | None
    """None: no memory cap was set."""


def supervise(
    argv: list[str],
    *,
    timeout_s: float,
    env: Mapping[str, str],
    cwd: Path,
    memory_limit_mb: float | None = None,
    on_stderr_line: LineFilter | None = None,
) -> Ending:
    """Run `argv` in a new process group within its limits and return how it ended.

    With `memory_limit_mb`, the process tree's resident memory is watched and
    the tree stopped above the cap; on Linux a kernel limit (RLIMIT_DATA) a
    little above the cap also refuses allocations the watchdog would be too
    slow to see. OSError: the command could not be started. KeyboardInterrupt
    only when it arrives before the process exists; afterwards the process is
    stopped and the ending says `interrupted`.
    """
    started = time.monotonic()
    proc: subprocess.Popen[bytes] | None = None
    interrupted = False
    try:
        # An interrupt while the process starts waits until Popen has returned it, so
        # that the probe is known, and stopped, rather than left running on its own.
        with interrupts.deferred():
            proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=dict(env),
                cwd=cwd,
                **_new_group_kwargs(),
            )
    except KeyboardInterrupt:
        if proc is None:
            raise
        interrupted = True
    watched = _Watched(proc, memory_limit_mb, on_stderr_line)
    # From here on an interrupt (Ctrl-C, SIGTERM, SIGHUP) always stops the process and
    # keeps what it had said, wherever it lands.
    timed_out = False
    try:
        if interrupted:
            raise KeyboardInterrupt
        timed_out = watched.run(started + timeout_s)
    except KeyboardInterrupt:
        _interrupt(proc)
        _finish(proc, watched.readers)
        interrupted, timed_out = True, False
    return watched.ending(
        timed_out=timed_out, interrupted=interrupted, duration_s=time.monotonic() - started
    )


class _Watched:
    """A started process with its output readers and memory watch."""

    def __init__(
        self,
        proc: subprocess.Popen[bytes],
        memory_limit_mb: float | None,
        on_stderr_line: LineFilter | None,
    ) -> None:
        assert proc.stdout is not None and proc.stderr is not None
        self.proc = proc
        self.memory_limit_mb = memory_limit_mb
        self.out = _Capture(proc)
        self.err_lines: deque[str] = deque(maxlen=STDERR_KEEP_LINES)
        self.readers = (
            threading.Thread(target=self.out.read, args=(proc.stdout,), daemon=True),
            threading.Thread(
                target=_read_lines, args=(proc.stderr, self.err_lines, on_stderr_line), daemon=True
            ),
        )
        self.watch: _MemoryWatch | None = None

    def run(self, deadline: float) -> bool:
        """Start watching, wait for the end within the limits, collect. True: timed out."""
        _limit_resources(self.proc, self.memory_limit_mb)
        if self.memory_limit_mb:
            self.watch = _MemoryWatch(self.proc, self.memory_limit_mb)
        for reader in self.readers:
            reader.start()
        timed_out = _wait(self.proc, deadline, self.watch)
        if _finish(self.proc, self.readers) and not timed_out and time.monotonic() > deadline:
            timed_out = True  # something of the probe's kept its output open past the limit
        return timed_out

    def ending(self, *, timed_out: bool, interrupted: bool, duration_s: float) -> Ending:
        watch = self.watch
        return Ending(
            returncode=self.proc.returncode,
            stdout=self.out.data,
            stdout_overflow=self.out.overflow,
            stderr_lines=tuple(self.err_lines),
            timed_out=timed_out,
            interrupted=interrupted,
            duration_s=duration_s,
            memory=(
                MemoryUse(watch.limit_mb, watch.peak_mb, watch.exceeded)
                if watch is not None
                else None
            ),
        )


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
    """Wait for the threads (started or not) until `until`; True when all have ended."""
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


def _read_lines(stream: Any, lines: deque[str], on_line: LineFilter | None) -> None:
    with contextlib.suppress(OSError, ValueError):
        for raw in iter(lambda: stream.readline(MAX_STDERR_LINE), b""):
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if on_line is not None and on_line(line):
                continue
            lines.append(line)
