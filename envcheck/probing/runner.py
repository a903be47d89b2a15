"""Run one probe in its own process, with a timeout, and classify how it ended.

A probe that crashes is a finding, not our crash: death by SIGILL while
importing TensorFlow says something about the CPU; SIGKILL suggests the
out-of-memory killer; a timeout names the probe and its limit. The caller
gets a `ProbeRun` value in every case and never an exception, except
KeyboardInterrupt (Ctrl-C, or SIGTERM/SIGHUP through envcheck.interrupts),
which is passed on after the child has been stopped and its partial facts
collected (see `ProbeInterrupted`).

This module says what a probe runs with; `process` supervises the process
(group, limits, memory watch, output), `protocol` reads what it said and
names the outcome. Probes and helpers run with the run's scratch folder
(`scratch_folder`) as their working directory, never the user's (see
`helper_command`), and as TMPDIR, so that whatever they or TensorFlow write
lands in one place that is removed at the end; an optional memory cap stops
a probe before it can exhaust the machine's memory (`memory_limit_mb`).
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import probes
from envcheck.probing.process import RLIMIT_HEADROOM, supervise
from envcheck.probing.protocol import (
    PROGRESS_PREFIX,
    PROTOCOL,
    ProbeInterrupted,
    ProbeOutcome,
    ProbeRun,
    ProgressCallback,
    classify,
    describe_signal,
    progress_reader,
)

__all__ = [
    "PROBES_DIR",
    "PROGRESS_PREFIX",
    "PROTOCOL",
    "RLIMIT_HEADROOM",
    "ProbeInterrupted",
    "ProbeOutcome",
    "ProbeRun",
    "ProgressCallback",
    "child_env",
    "describe_signal",
    "helper_command",
    "memory_cap_mb",
    "probe_command",
    "run_command",
    "run_probe",
    "scratch_folder",
    "tool_path",
    "tool_python",
]

PROBES_DIR = Path(probes.__file__).resolve().parent


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
    try:
        ending = supervise(
            argv,
            timeout_s=timeout_s,
            env=child_env(env),
            cwd=cwd if cwd is not None else (_default_cwd(argv) or _private_cwd()),
            memory_limit_mb=memory_limit_mb,
            on_stderr_line=progress_reader(on_progress),
        )
    except OSError as exc:
        return ProbeRun(
            probe,
            interpreter,
            ProbeOutcome.NOT_STARTED,
            message=f"cannot run {interpreter}: {exc.strerror or exc}",
            duration_s=time.monotonic() - started,
        )
    run = classify(probe, interpreter, ending, timeout_s=timeout_s)
    if ending.interrupted:
        raise ProbeInterrupted(run) from None
    return run


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


def tool_python() -> str:
    """The interpreter running this tool, for probes that describe the machine."""
    return sys.executable
