"""Find out what the interpreter under test is before running real probes on it.

The handshake is a one-liner that any Python (2.7 included) can run, so that
"this is Python 2.7" is a clear finding rather than a SyntaxError from a probe.
Nothing is executed unless the path is a local, regular, executable file.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

from envcheck.probing.runner import PROTOCOL, ProbeOutcome, run_command

HANDSHAKE_TIMEOUT_S = 20.0
MIN_PROBE_PYTHON = (3, 7)

# Runs on Python 2.7 and every Python 3: no f-strings, print as a function call.
# It answers in the probe protocol, so the runner's timeout, output limit,
# crash classification and Ctrl-C handling apply to it as to any probe.
_HANDSHAKE = (
    "import sys, json, platform;"
    "sys.stdout.write(json.dumps({'protocol': " + str(PROTOCOL) + ", 'probe': 'handshake',"
    "'complete': True,"
    "'facts': {'version': list(sys.version_info[:3]),"
    "'releaselevel': sys.version_info[3],"
    "'implementation': platform.python_implementation(),"
    "'executable': sys.executable, 'prefix': sys.prefix}}))"
)


@dataclass(frozen=True)
class Interpreter:
    """An interpreter that answered the handshake."""

    path: str
    executable: str
    version: tuple[int, int, int]
    implementation: str
    prefix: str

    @property
    def version_str(self) -> str:
        return ".".join(str(p) for p in self.version)

    @property
    def can_run_probes(self) -> bool:
        return self.version >= (*MIN_PROBE_PYTHON, 0)


@dataclass(frozen=True)
class InterpreterProblem:
    """Why an interpreter could not be used: said to the user as a failed check."""

    path: str
    reason: str
    fix: str


def resolve(
    path: str, *, timeout_s: float = HANDSHAKE_TIMEOUT_S
) -> Interpreter | InterpreterProblem:
    """Check the path, then ask the interpreter who it is.

    Ctrl-C while it answers raises `ProbeInterrupted` (a KeyboardInterrupt),
    after the interpreter has been stopped.
    """
    path = _on_path(path)
    problem = unsafe_to_run(path)
    if problem is not None:
        return problem
    run = run_command("handshake", [path, "-c", _HANDSHAKE], timeout_s=timeout_s)
    if run.outcome is ProbeOutcome.NOT_STARTED:
        return InterpreterProblem(
            path,
            f"cannot be run: {run.message.rsplit(': ', 1)[-1]}",
            "Point --python at a Python interpreter executable (python.exe on Windows).",
        )
    if run.outcome is ProbeOutcome.TIMEOUT:
        return InterpreterProblem(
            path,
            f"did not answer within {timeout_s:g} s",
            "Run it by hand to see where it hangs; a broken sitecustomize or .pth file is "
            "a common cause. On a slow machine, use --timeout-scale 3.",
        )
    if run.outcome in (ProbeOutcome.SIGNAL, ProbeOutcome.EXIT):
        how = (
            f"was killed by {run.signal_name}"
            if run.outcome is ProbeOutcome.SIGNAL
            else f"exited with code {run.returncode}"
        )
        last = run.stderr_tail.strip().splitlines()
        return InterpreterProblem(
            path,
            f"{how} when asked for its version" + (f": {last[-1][:200]}" if last else ""),
            "Check that this is a working Python interpreter: run it with --version.",
        )
    try:
        data = run.facts if run.outcome is ProbeOutcome.OK else {}
        version = tuple(int(x) for x in data["version"])
        return Interpreter(
            path=path,
            executable=str(data.get("executable") or path),
            version=(version[0], version[1], version[2]),
            implementation=str(data.get("implementation", "unknown")),
            prefix=str(data.get("prefix", "")),
        )
    except (ValueError, KeyError, TypeError, IndexError):
        return InterpreterProblem(
            path,
            "does not behave like a Python interpreter (unexpected answer to a version query)",
            "Point --python at a CPython interpreter.",
        )


def unsafe_to_run(path: str) -> InterpreterProblem | None:
    """Only a local, regular, executable file is ever run."""
    if "://" in path:
        return InterpreterProblem(
            path,
            "is a remote interpreter, which this tool never runs",
            "The exam plugin needs a local interpreter: create a local venv with Python 3.8.",
        )
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        return InterpreterProblem(
            path,
            "does not exist",
            "Create the environment again, or point to an existing interpreter.",
        )
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return InterpreterProblem(
                path,
                "is a loop of symbolic links",
                "The environment is damaged: recreate it (python -m venv --clear DIR), or point "
                "to another interpreter.",
            )
        return InterpreterProblem(path, f"cannot be inspected: {exc.strerror}", "Check the path.")
    if stat.S_ISDIR(st.st_mode):
        hint = _python_in_dir(p)
        return InterpreterProblem(
            path,
            "is a directory, not an interpreter",
            f"Use {hint}" if hint else "Point to the python executable inside it (bin/python).",
        )
    if not stat.S_ISREG(st.st_mode):
        return InterpreterProblem(path, "is not a regular file", "Point to a python executable.")
    if os.name != "nt" and not os.access(p, os.X_OK):
        return InterpreterProblem(
            path, "is not executable", "Point to the python executable, or fix its permissions."
        )
    return None


def _on_path(name: str) -> str:
    """A bare command name (`--python python3.8`) is looked up on PATH, as a shell would."""
    if os.sep in name or (os.altsep and os.altsep in name) or Path(name).exists():
        return name
    return shutil.which(name) or name


def _python_in_dir(directory: Path) -> str | None:
    for rel in ("bin/python", "bin/python3", "Scripts/python.exe", "python.exe"):
        candidate = directory / rel
        if candidate.is_file():
            return str(candidate)
    return None


def default_interpreter() -> str:
    """The interpreter running this tool: what `check` tests without --python."""
    return sys.executable or shutil.which("python3") or "python3"
