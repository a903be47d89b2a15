"""The check run as a pipeline of plain functions: select, execute, report.

Each step is testable alone; the CLI only parses options into a `RunConfig`
and calls `run_check`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import platform
import socket
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from envcheck import __version__, interrupts
from envcheck.checks.base import Check, Context, Finding, Options, ProbeUnavailable
from envcheck.checks.registry import CATEGORIES, all_checks
from envcheck.errors import UsageError
from envcheck.matrix import load_matrix
from envcheck.outcome import verdict
from envcheck.probing import host
from envcheck.probing import interpreter as interp
from envcheck.probing.facts import escape_surrogates, representable
from envcheck.probing.runner import ProbeInterrupted, ProbeRun, scratch_folder
from envcheck.results import Category, CheckResult, Report, Status, Target


@dataclass
class RunConfig:
    python: str | None = None
    matrix: Path | None = None
    profile: str | None = None
    only: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    strict: bool = False
    options: Options = field(default_factory=Options)
    how_chosen: str | None = None


class Progress:
    """Hooks for a live display; the default does nothing (tests, --quiet)."""

    def start(self, check: Check) -> None:
        """A check starts."""

    def done(self, check: Check, result: CheckResult) -> None:
        """A check ended."""

    def probe_event(self, event: dict[str, Any]) -> None:
        """A probe reported progress (the benchmark does)."""


def select(checks: Iterable[Check], only: tuple[str, ...], skip: tuple[str, ...]) -> list[Check]:
    """Keep checks whose id or category matches --only, minus those --skip names."""
    checks = list(checks)
    known = {c.id for c in checks} | {c.key for c in CATEGORIES}
    for name in (*only, *skip):
        if not any(_matches(k, name) for k in known):
            raise UsageError(
                f"--only/--skip: no check or category named {name!r} "
                f"(categories: {', '.join(c.key for c in CATEGORIES)}; "
                "`tfcert-envcheck list` shows every check)"
            )
    selected = [c for c in checks if not only or any(_matches(c.id, n) for n in only)]
    return [c for c in selected if not any(_matches(c.id, n) for n in skip)]


def _matches(check_id: str, name: str) -> bool:
    return check_id == name or check_id.startswith(name + ".")


def execute(check: Check, ctx: Context) -> CheckResult:
    """Run one check; whatever happens inside, a result comes out."""
    started = time.monotonic()
    try:
        finding = check.func(ctx)
    except ProbeUnavailable as exc:
        finding = _unavailable(check, exc)
    except (KeyboardInterrupt, ProbeInterrupted):
        raise
    except Exception as exc:  # a bug in one check must not lose the report
        finding = Finding(
            Status.ERROR,
            f"the check itself failed: {type(exc).__name__}: {exc}",
            fix="This is a bug in tfcert-envcheck; please report it with this report attached.",
            details={
                "internal_error": True,
                "traceback": "".join(traceback.format_exception(exc)[-6:]),
            },
        )
    return to_result(check, finding, time.monotonic() - started)


def to_result(check: Check, finding: Finding, duration: float) -> CheckResult:
    """The check's result, always one a report can carry (see envcheck.probing.facts)."""
    fields, _changed = representable(
        {
            "summary": finding.summary,
            "observed": finding.observed,
            "expected": finding.expected,
            "fix": finding.fix,
            "source": finding.source,
            "details": finding.details,
        }
    )
    common = {"id": check.id, "category": check.category, "title": check.title}
    try:
        return CheckResult(
            **common, status=finding.status, **fields, duration_s=round(duration, 4)
        )
    except ValidationError as exc:  # a fact of a type the check passed on unchecked
        where = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:3]
        )
        return CheckResult(
            **common,
            status=Status.ERROR,
            summary="could not determine: the probe reported a value of an unexpected type "
            f"({where}: {escape_surrogates(repr(finding.observed))[:120]})",
            fix="The interpreter answered with something a normal installation does not: run "
            "with -v to see the probe's facts, and report them if the installation is normal.",
            details={"unrepresentable": escape_surrogates(str(exc))[:2000]},
            duration_s=round(duration, 4),
        )


def _unavailable(check: Check, exc: ProbeUnavailable) -> Finding:
    run = exc.run
    if run.probe in check.owns:
        return Finding(
            Status.ERROR,
            f"could not determine: {exc.reason}",
            fix=_probe_fix(run),
            details={"probe": run.to_dict()},
        )
    return Finding(
        Status.SKIPPED,
        f"not checked: the {run.probe} probe gave no answer ({exc.reason})",
        details={"probe": run.probe, "outcome": run.outcome},
    )


_SIGNAL_FIXES = {
    "SIGILL": "The CPU lacks an instruction this Python or TensorFlow build uses: install a "
    "build for this CPU (TensorFlow's prebuilt wheels need AVX).",
    "SIGKILL": "Most often the out-of-memory killer: close memory-hungry programs or add "
    "RAM/swap, then check again.",
    "SIGSEGV": "Native code crashed: reinstall the interpreter's packages in a fresh venv; if "
    "it persists, report the probe output shown with -v.",
}
_NVIDIA_CRASH_FIX = (
    "The NVIDIA driver's library (libnvidia-ml / nvml.dll) crashed the probe: reinstall the "
    "driver, or remove a stray copy of the library from the library path; the GPU is optional "
    "for the exam."
)


def _probe_fix(run: ProbeRun) -> str:
    """A fix hint for a probe that gave no answer, from how it ended."""
    if run.outcome == "signal" and run.probe == "nvidia" and run.signal_name != "SIGKILL":
        return _NVIDIA_CRASH_FIX  # it runs in the tool's Python and loads only the driver
    if run.outcome == "signal" and run.signal_name in _SIGNAL_FIXES:
        return _SIGNAL_FIXES[run.signal_name]
    return {
        "timeout": "Run again with --timeout-scale 3 on a slow or busy machine; if it still "
        "hangs, run the interpreter by hand to see where it stops.",
        "not_started": "Check the interpreter path given with --python or by the PyCharm project.",
        "memory": "Close memory-hungry programs or add RAM, then check again; the exam's "
        "trainings need at least this much free memory.",
        "bad_output": "Something printed instead of the probe's answer: run the interpreter by "
        "hand and look for a sitecustomize.py or .pth file that writes to stdout.",
    }.get(
        run.outcome, "Run with -v to see the probe's output, and report it if it looks like a bug."
    )


def run_checks(
    ctx: Context, checks: list[Check], progress: Progress
) -> tuple[list[CheckResult], bool]:
    """Execute checks in order; on Ctrl-C the rest are marked not run."""
    results: list[CheckResult] = []
    for i, check in enumerate(checks):
        try:
            progress.start(check)
            result = execute(check, ctx)
        except (KeyboardInterrupt, ProbeInterrupted) as exc:
            if isinstance(exc, ProbeInterrupted):
                ctx.record(exc.run)  # its partial facts go into the report
            return results + not_run(checks[i:]), True
        results.append(result)
        progress.done(check, result)
    return results, False


def not_run(checks: list[Check]) -> list[CheckResult]:
    """Results for checks an interrupt (Ctrl-C, SIGTERM, SIGHUP) stopped before they ran."""
    why = f"not run: interrupted ({interrupts.reason()})"
    return [to_result(c, Finding(Status.NOT_RUN, why), 0.0) for c in checks]


def host_identity() -> dict[str, str]:
    """Personal identifiers that shareable formats redact (see envcheck.redact)."""
    ident: dict[str, str] = {}
    home, _ = host.home_folder()  # unknown: HOME unset and the uid not in /etc/passwd
    if home is not None:
        ident["home"] = escape_surrogates(str(home))
    with contextlib.suppress(OSError, KeyError, ImportError):
        ident["user"] = escape_surrogates(getpass.getuser())
    with contextlib.suppress(OSError):
        ident["hostname"] = socket.gethostname()
    ident["platform"] = platform.platform()
    return ident


def run_check(
    config: RunConfig,
    progress: Progress | None = None,
    *,
    checks: list[Check] | None = None,
) -> Report:
    """Load the matrix, resolve the target, run the checks, build the report."""
    progress = progress or Progress()
    matrix = load_matrix(config.matrix)
    profile_name, _ = matrix.profile(config.profile)
    python = config.python or interp.default_interpreter()
    how = config.how_chosen or ("--python" if config.python else "the running interpreter")
    selected = select(checks if checks is not None else all_checks(), config.only, config.skip)
    with scratch_folder():  # probes' temp files; removed even on Ctrl-C or a probe crash
        try:
            resolved: interp.Interpreter | interp.InterpreterProblem = interp.resolve(
                python, timeout_s=interp.HANDSHAKE_TIMEOUT_S * config.options.timeout_scale
            )
        except KeyboardInterrupt:  # Ctrl-C while the interpreter answered: nothing ran yet
            resolved = interp.InterpreterProblem(python, "was not asked (interrupted)", "")
            interrupted_early = True
        else:
            interrupted_early = False
        ctx = Context(
            interpreter=resolved,
            matrix=matrix,
            profile_name=profile_name,
            options=config.options,
            on_progress=progress.probe_event,
        )
        if interrupted_early:
            results, interrupted = not_run(selected), True
        else:
            results, interrupted = run_checks(ctx, selected, progress)
    return build_report(
        ctx,
        results,
        interrupted=interrupted,
        python=python,
        how=how,
        matrix_name=str(config.matrix or "compat_matrix.yaml (bundled)"),
        strict=config.strict,
    )


def build_report(
    ctx: Context,
    results: list[CheckResult],
    *,
    interrupted: bool,
    python: str,
    how: str,
    matrix_name: str,
    strict: bool,
    facts_hook: Callable[[Context], dict[str, Any]] | None = None,
) -> Report:
    facts: dict[str, Any] = {
        "probes": {name: run.to_dict() for name, run in ctx.runs.items()},
    }
    facts.update({k: v for k, v in ctx.shared.items() if isinstance(v, dict | list | str)})
    if facts_hook is not None:
        facts.update(facts_hook(ctx))
    used = {r.category for r in results}
    return Report(
        tool_version=__version__,
        created_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        host=host_identity(),
        target=_target(ctx, python, how),
        profile=ctx.profile_name,
        matrix=matrix_name,
        categories=[Category(key=c.key, title=c.title) for c in CATEGORIES if c.key in used],
        results=results,
        verdict=verdict(
            results,
            strict=strict,
            interrupted=interrupted,
            interrupted_by=interrupts.reason(),
            interrupt_exit=interrupts.exit_code(),
        ),
        facts=representable(facts)[0],
        interrupted=interrupted,
    )


def _target(ctx: Context, python: str, how: str) -> Target:
    """The interpreter as named and resolved; a path that is not UTF-8 is shown escaped."""
    resolved = getattr(ctx.interpreter, "executable", None)
    project = ctx.options.project
    return Target(
        python=escape_surrogates(python),
        resolved=escape_surrogates(resolved) if isinstance(resolved, str) else None,
        how_chosen=how,
        project=escape_surrogates(str(project)) if project else None,
    )
