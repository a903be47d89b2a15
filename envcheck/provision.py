"""`tfcert-envcheck setup`: build a new exam environment from a profile's lock.

Plain steps, each testable alone: `plan` decides everything (the Python to
build from, the folder, the commands) and changes nothing; `execute` runs
the plan's commands, shows progress and, on Ctrl-C or any failure, removes
what it made; `prove` runs `check` on the result. The new venv's own pip
installs the profile's complete lock from compat_matrix.yaml with
`--require-virtualenv`, so no other environment is ever touched.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from envcheck.discovery import Candidate, discover
from envcheck.errors import EnvcheckError, UsageError
from envcheck.matrix import Lock, load_matrix
from envcheck.outcome import ExitCode
from envcheck.probing import interpreter as interp
from envcheck.pycharm.layout import Layout
from envcheck.shell import python_command, quote_path

PYTHON_ORG_38 = "https://www.python.org/downloads/release/python-3810/"
"""3.8.10 is the last 3.8 release with Windows and macOS installers (python.org)."""
PYCHARM_STEP = (
    "In PyCharm: Settings > Project > Python Interpreter > Add Interpreter > "
    "Add Local Interpreter > Existing > {python}"
)
BASE_KINDS = ("path", "py_launcher", "python_org", "pyenv")
"""Discovery kinds that are base installs a venv can be made from."""


class SetupFailed(EnvcheckError):
    """Setup could not finish; what it made was removed. Exit 1."""

    exit_code = ExitCode.NOT_READY


@dataclass(frozen=True)
class Plan:
    """Everything setup will do, decided before anything changes."""

    profile: str
    lock: Lock
    base_python: str
    base_how: str
    target: Path
    find_links: tuple[Path, ...] = ()
    no_index: bool = False
    matrix: Path | None = None

    @property
    def venv_python(self) -> Path:
        if os.name == "nt":
            return self.target / "Scripts" / "python.exe"
        return self.target / "bin" / "python"

    def venv_command(self) -> list[str]:
        # pip comes in a step of its own, so that its errors (a full disk) are shown.
        return [self.base_python, "-m", "venv", "--without-pip", str(self.target)]

    def ensurepip_command(self) -> list[str]:
        return [str(self.venv_python), "-m", "ensurepip", "--default-pip"]

    def pip_command(self) -> list[str]:
        argv = [
            str(self.venv_python),
            "-m",
            "pip",
            "install",
            "--require-virtualenv",
            "--disable-pip-version-check",
            "--progress-bar",
            "off",
        ]
        if self.no_index:
            argv.append("--no-index")
        for folder in self.find_links:
            argv += ["--find-links", str(folder)]
        return argv + self.lock.requirements()

    def shown(self, argv: list[str]) -> str:
        """A command as a user would type it in this OS's shell."""
        return " ".join([python_command(argv[0]), *(quote_path(a) for a in argv[1:])])

    def to_dict(self) -> dict[str, object]:
        return {
            "profile": self.profile,
            "base_python": self.base_python,
            "base_python_found": self.base_how,
            "target": str(self.target),
            "python": str(self.venv_python),
            "packages": len(self.lock.packages),
            "lock_resolved": self.lock.resolved,
            "commands": [
                self.shown(c)
                for c in (self.venv_command(), self.ensurepip_command(), self.pip_command())
            ],
        }


def default_target(layout: Layout) -> Path:
    return layout.home / "PycharmProjects" / "tf-exam" / "venv"


def plan(
    *,
    profile: str | None,
    target: Path | None,
    base_python: str | None,
    find_links: tuple[Path, ...] = (),
    no_index: bool = False,
    matrix: Path | None = None,
    layout: Layout | None = None,
) -> Plan:
    """Decide what to do, or say why not; reads and asks, changes nothing."""
    layout = layout or Layout.current()
    loaded = load_matrix(matrix)
    name, prof = loaded.profile(profile)
    lock = loaded.lock_for(name)
    if lock is None:
        buildable = [p for p in loaded.profiles if loaded.lock_for(p) is not None]
        raise UsageError(
            f"profile {name!r} has no lock in the matrix, so setup cannot build it "
            f"(profiles with one: {', '.join(buildable) or 'none'})"
        )
    dest = (target or default_target(layout)).absolute()
    refuse_existing(dest)
    for folder in find_links:
        if not folder.is_dir():
            raise UsageError(f"--find-links {folder}: not a folder")
    python, how = find_base_python(prof.python, base_python, layout)
    return Plan(
        name, lock, python, how, dest, tuple(f.absolute() for f in find_links), no_index, matrix
    )


def refuse_existing(dest: Path) -> None:
    """Never build into a folder that holds anything (another environment, a project)."""
    try:
        if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
            raise UsageError(
                f"{dest} already exists and is not empty; setup never builds into an existing "
                "folder: give a new one (tfcert-envcheck setup DIR)"
            )
    except OSError as exc:
        raise UsageError(f"{dest}: cannot be inspected: {exc.strerror}") from None


def find_base_python(version: str, given: str | None, layout: Layout) -> tuple[str, str]:
    """A working Python of the profile's version: the one given, else the first found."""
    if given is not None:
        return _verified(given, version, "--base-python"), "--base-python"
    found = discover(version, layout)
    candidates: list[Candidate] = [
        c
        for c in [*([found.chosen] if found.chosen else []), *found.others]
        if c.kind in BASE_KINDS and c.matches(version)
    ]
    for cand in candidates:
        try:
            return _verified(str(cand.python), version, cand.why), cand.why
        except SetupFailed:
            continue
    from_uv = uv_python(version)
    if from_uv is not None:
        how = f"uv python find {version}"
        with contextlib.suppress(SetupFailed):
            return _verified(from_uv, version, how), how
    raise SetupFailed(
        f"no Python {version} found on this machine (searched PATH, pyenv, python.org's "
        f"install folders, the py launcher and uv); install Python {version} "
        f"({PYTHON_ORG_38} has the last installers for Windows and macOS; on Linux use "
        f"pyenv or your distribution), or name one with --base-python PATH"
    )


def uv_python(version: str) -> str | None:
    """A Python uv already has (`uv python find`, which downloads nothing), or None."""
    uv = shutil.which("uv")
    if uv is None:
        return None
    try:
        proc = subprocess.run(
            [uv, "python", "find", version],
            capture_output=True,
            text=True,
            timeout=15,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    lines = proc.stdout.strip().splitlines()
    return lines[-1].strip() if proc.returncode == 0 and lines else None


def _verified(path: str, version: str, how: str) -> str:
    """Run the handshake: the base Python must answer and be the right version."""
    found = interp.resolve(path)
    if isinstance(found, interp.InterpreterProblem):
        raise SetupFailed(f"{how} {found.path} {found.reason}")
    have = f"{found.version[0]}.{found.version[1]}"
    if have != version:
        raise SetupFailed(
            f"{how} {path} is Python {found.version_str}, but the profile needs Python "
            f"{version}; install it from {PYTHON_ORG_38} or name one with --base-python"
        )
    return found.path


@dataclass
class Outcome:
    """What setup did, for the text summary and --json."""

    plan: Plan
    steps: list[dict[str, object]] = field(default_factory=list)
    verdict: dict[str, object] | None = None
    seconds: float = 0.0

    def to_dict(self) -> dict[str, object]:
        return {
            **self.plan.to_dict(),
            "steps": self.steps,
            "check": self.verdict,
            "seconds": round(self.seconds, 1),
        }


Say = Callable[[str, bool], None]
"""Progress output: (line, transient). Transient lines may be overwritten."""


def execute(p: Plan, say: Say) -> Outcome:
    """Make the venv and install the lock; on any failure or Ctrl-C remove the folder."""
    outcome = Outcome(p)
    started = time.monotonic()
    existed = p.target.exists()
    made = _first_missing(p.target)  # venv makes the missing parents too; they go as well
    try:
        _step(outcome, say, "venv", p.venv_command(), f"venv made: {p.target}")
        _step(outcome, say, "pip", p.ensurepip_command(), "pip ready in the venv")
        total = len(p.lock.packages)
        _pip(outcome, say, p.pip_command(), total)
    except BaseException:
        remove(made or p.target, existed)
        say(f"removed the half-made environment {p.target}", False)
        raise
    outcome.seconds = time.monotonic() - started
    return outcome


def _first_missing(target: Path) -> Path | None:
    """The outermost folder on the way to `target` that does not exist yet."""
    missing = None
    for folder in [target, *target.parents]:
        if folder.exists():
            break
        missing = folder
    return missing


def remove(target: Path, existed: bool) -> None:
    """Remove what setup made: the folder, or its contents when it was an empty folder."""
    if not existed:
        shutil.rmtree(target, ignore_errors=True)
        return
    for child in target.iterdir() if target.is_dir() else []:
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


def _step(outcome: Outcome, say: Say, name: str, argv: list[str], done: str) -> None:
    started = time.monotonic()
    try:
        proc = subprocess.run(
            argv, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL
        )
    except OSError as exc:
        raise SetupFailed(f"{name}: cannot run {argv[0]}: {exc.strerror}") from None
    if proc.returncode != 0:
        out = proc.stdout + proc.stderr
        raise SetupFailed(f"{name} failed: {_last_error(out).rstrip('.')}.{_why(out)}")
    outcome.steps.append({"step": name, "seconds": round(time.monotonic() - started, 1)})
    say(done, False)


def _pip(outcome: Outcome, say: Say, argv: list[str], total: int) -> None:
    """Run pip, turning its 'Collecting' lines into 'N of M packages'."""
    started = time.monotonic()
    tail: list[str] = []
    collected = 0
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PIP_NO_INPUT": "1"}
    with subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        stdin=subprocess.DEVNULL,
        env=env,
        errors="replace",
    ) as proc:
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                tail = [*tail[-40:], line.rstrip()]
                if line.startswith("Collecting "):
                    collected += 1
                    what = line.split()[1]
                    say(f"downloading: {min(collected, total)} of {total} packages ({what})", True)
                elif line.startswith("Installing collected packages"):
                    say(f"installing {total} packages (the slow part: TensorFlow is large)", True)
            proc.wait()
        except BaseException:
            proc.kill()
            proc.wait()
            raise
    if proc.returncode != 0:
        text = "\n".join(tail)
        raise SetupFailed(f"pip install failed: {_last_error(text).rstrip('.')}.{_why(text)}")
    outcome.steps.append(
        {"step": "install", "packages": total, "seconds": round(time.monotonic() - started, 1)}
    )
    say(f"{total} of {total} packages installed", False)


_DISK = ("No space left", "File too large", "Errno 28", "Errno 27", "Disk quota")
_OFFLINE = (
    "No matching distribution",
    "Could not find a version",
    "NewConnectionError",
    "Temporary failure in name resolution",
    "Network is unreachable",
)
ENV_SIZE = "about 1.7 GB"
"""The exam-2022-07 environment on disk, measured here (du -sh, 2026-11-30)."""


def _why(text: str) -> str:
    """A fix for the failures users meet: a full disk, no network."""
    if any(s in text for s in _DISK):
        return (
            f" The disk (or a quota) is full: the exam environment needs {ENV_SIZE}; "
            "free some space or give another DIR."
        )
    if any(s in text for s in _OFFLINE):
        return (
            " Without PyPI, give a folder of wheels with --find-links DIR (made with "
            "`pip download` for the same OS and Python on a machine with internet)."
        )
    return ""


def _last_error(text: str) -> str:
    """pip's own one-line reason (its last ERROR line), else the last line."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith("ERROR:")]
    return (errors[-1] if errors else (lines[-1] if lines else "no output"))[:400]


def prove(p: Plan) -> dict[str, object]:
    """`check --no-bench` on the new environment; its verdict."""
    from envcheck.pipeline import RunConfig, run_check

    report = run_check(
        RunConfig(
            python=str(p.venv_python),
            matrix=p.matrix,
            profile=p.profile,
            skip=("benchmark", "pycharm"),
            how_chosen="tfcert-envcheck setup",
        )
    )
    problems = [f"{r.title}: {r.summary}" for r in report.results if r.status.is_problem]
    return {
        "ready": report.verdict.ready,
        "headline": report.verdict.headline,
        "exit_code": report.verdict.exit_code,
        "problems": problems,
    }


def stderr_say(quiet: bool) -> Say:
    """Progress on stderr: transient lines overwrite each other on a terminal."""
    tty = sys.stderr.isatty()
    state = {"transient": False}

    def say(line: str, transient: bool) -> None:
        if quiet or (transient and not tty):
            return
        prefix = "\r\x1b[K" if state["transient"] else ""
        sys.stderr.write(prefix + line + ("" if transient else "\n"))
        sys.stderr.flush()
        state["transient"] = transient

    return say
