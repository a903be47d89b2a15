"""Python: the interpreter under test, its version, build and origin."""

from __future__ import annotations

from pathlib import Path

from envcheck.checks.base import (
    Check,
    Context,
    Evidence,
    Finding,
    check,
    failure,
    ok,
    warning,
)
from envcheck.probing.interpreter import Interpreter, InterpreterProblem
from envcheck.probing.models import PythonIdentity, PythonOrigin, PythonVenv

CHECKS: list[Check] = []

PYTHON_ORG = "https://www.python.org/downloads/"


def unusable(ctx: Context) -> Finding | None:
    """Why the interpreter under test cannot be used at all, as a failure; None if it can.

    The one definition of "usable", shared by python.interpreter and the PyCharm
    project check: it exists, runs, and is a Python the probes (and the exam) can use.
    """
    interp = ctx.interpreter
    if isinstance(interp, InterpreterProblem):
        return failure(
            f"{interp.path} {interp.reason}",
            fix=interp.fix,
            observed=interp.path,
            expected="a working local Python interpreter",
            details={"reason": interp.reason},
        )
    if not interp.can_run_probes:
        reason = f"is Python {interp.version_str}, which cannot run the exam"
        return failure(
            f"{interp.path} {reason}",
            fix=f"Install Python {ctx.profile.python} from {PYTHON_ORG} and point PyCharm at it.",
            observed=f"Python {interp.version_str}",
            expected=f"Python {ctx.profile.python}",
            source=ctx.profile.source,
            details={"reason": reason},
        )
    return None


@check("python.interpreter", "Interpreter under test", owns=("python",), registry=CHECKS)
def interpreter_check(ctx: Context) -> Finding:
    """The interpreter exists, runs, and is a Python the probes can talk to."""
    problem = unusable(ctx)
    if problem is not None:
        return problem
    interp = ctx.interpreter
    assert isinstance(interp, Interpreter)
    ident = ctx.read(PythonIdentity)
    return ok(
        f"{ident.executable} ({ident.implementation} {interp.version_str})",
        observed=ident.executable,
        details={"executable": ident.executable, "realpath": ident.realpath},
    )


@check("python.version", "Python version", registry=CHECKS)
def version_check(ctx: Context) -> Finding:
    """The exam guide names one Python minor version; the plugin's pins need it."""
    interp = ctx.interpreter
    if isinstance(interp, Interpreter) and not interp.can_run_probes:
        # Too old for the probes, but the handshake already told us the version.
        version = list(interp.version)
        implementation: str | None = interp.implementation
        releaselevel: str | None = "final"
    else:
        ident = ctx.read(PythonIdentity)
        version = ident.version
        implementation, releaselevel = ident.implementation, ident.releaselevel
    major, minor, micro = version[:3]
    required = ctx.profile.python_version
    observed = f"{major}.{minor}.{micro}"
    expected = f"{required.major}.{required.minor}.x"
    kw: Evidence = {"observed": observed, "expected": expected, "source": ctx.profile.source}
    if implementation != "CPython":
        return failure(
            f"{implementation} {observed}: the exam needs CPython",
            fix=f"Install CPython {required} from {PYTHON_ORG}.",
            **kw,
        )
    if (major, minor) != (required.major, required.minor):
        return failure(
            f"Python {observed}, but the {ctx.profile_name} exam needs Python {expected}",
            fix=f"Install Python {required.major}.{required.minor} from {PYTHON_ORG}, then let "
            "`tfcert-envcheck setup` build the exam venv with it (or create one yourself) and "
            "select it as the project interpreter in PyCharm.",
            **kw,
        )
    if releaselevel != "final":
        return warning(
            f"Python {observed} is a pre-release ({releaselevel})",
            fix=f"Install a final release of Python {expected} from {PYTHON_ORG}.",
            **kw,
        )
    return ok(f"Python {observed}", **kw)


@check("python.bits", "64-bit interpreter", registry=CHECKS)
def bits_check(ctx: Context) -> Finding:
    """TensorFlow publishes 64-bit wheels only."""
    bits = ctx.read(PythonIdentity).bits
    if bits != 64:
        return failure(
            f"{bits}-bit Python: TensorFlow has no wheels for it",
            fix=f"Install the 64-bit Python {ctx.profile.python} installer from {PYTHON_ORG}.",
            observed=f"{bits}-bit",
            expected="64-bit",
        )
    return ok("64-bit", observed="64-bit", expected="64-bit")


def classify_origin(origin: PythonOrigin) -> tuple[str, str]:
    """Name where a Python came from: (key, human description)."""
    exe = (origin.exe_realpath or "").replace("\\", "/")
    base = (origin.base_realpath or "").replace("\\", "/")
    both = f"{exe} {base}"
    if origin.conda_meta_in_prefix or origin.conda_meta_in_base or origin.anaconda_in_version:
        return "conda", "conda / Anaconda"
    if "/WindowsApps/" in both or "PythonSoftwareFoundation.Python" in both:
        return "msstore", "Microsoft Store"
    if "/Cellar/" in both or base.startswith("/opt/homebrew") or "/homebrew/" in both:
        return "homebrew", "Homebrew"
    if "/.pyenv/" in both or "/pyenv-win/" in both:
        return "pyenv", "pyenv"
    if "/uv/python/" in both or "/rye/py/" in both:
        return "standalone", "python-build-standalone (uv/rye)"
    if "/Library/Frameworks/Python.framework/" in both:
        return "python.org", "python.org installer (macOS framework)"
    if "/Programs/Python/Python" in both or "/Program Files/Python" in both:
        return "python.org", "python.org installer (Windows)"
    if base in ("/usr", "/usr/local") and (origin.externally_managed or base == "/usr"):
        return "distribution", "the Linux distribution's package"
    if base.startswith("/usr/local"):
        return "source", "built from source or installed under /usr/local"
    return "unknown", "could not determine (no known installer's layout matched)"


@check("python.origin", "Where Python came from", registry=CHECKS)
def origin_check(ctx: Context) -> Finding:
    """The exam guide asks for a python.org Python, not Anaconda."""
    origin = ctx.read(PythonOrigin)
    key, described = classify_origin(origin)
    kw: Evidence = {
        "observed": described,
        "expected": "python.org (or another plain CPython)",
        "source": "Exam setup guide: 'Python from python.org, not Anaconda'",
        "details": {"origin": key, **origin.raw},
    }
    if key == "conda":
        return failure(
            f"{described}: the exam guide asks not to use Anaconda",
            fix=f"Install Python {ctx.profile.python} from {PYTHON_ORG} and create a plain venv "
            "for the exam project (python -m venv).",
            **kw,
        )
    if key == "msstore":
        return warning(
            f"{described}: its sandboxed paths are known to confuse PyCharm and pip",
            fix=f"Prefer the installer from {PYTHON_ORG}.",
            **kw,
        )
    if key == "homebrew":
        return warning(
            f"{described}: Homebrew upgrades Python underneath venvs",
            fix=f"Use the python.org installer for Python {ctx.profile.python}; the guide warns "
            "that Homebrew's python3 is often the newest, not the required version.",
            **kw,
        )
    return ok(described, **kw)


@check("python.venv", "Virtual environment", registry=CHECKS)
def venv_check(ctx: Context) -> Finding:
    """Whether the target is a venv, on which base, and whether that base still exists."""
    venv = ctx.read(PythonVenv)
    if not venv.is_venv:
        return ok(
            "not a virtual environment (a base interpreter)",
            observed="base interpreter",
            details=venv.raw,
        )
    cfg = venv.pyvenv_cfg or {}
    home = cfg.get("home")
    base = venv.base_prefix
    observed = f"venv on {home or base}"
    if home and not Path(home).exists():
        return failure(
            f"the venv's base interpreter folder {home} no longer exists",
            fix="Recreate the venv with an installed Python (python -m venv --clear DIR).",
            observed=observed,
            details=venv.raw,
        )
    version = cfg.get("version") or cfg.get("version_info")
    return ok(
        observed + (f" (created with {version})" if version else ""),
        observed=observed,
        details=venv.raw,
    )
