"""The check run as a pipeline of plain functions: select, execute, report.

Each step is testable alone; the CLI only parses options into a `RunConfig`
and calls `run_check`.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from envcheck import interrupts
from envcheck.checks.base import Check, Context, Finding, Options, ProbeUnavailable
from envcheck.checks.registry import CATEGORIES, all_checks
from envcheck.errors import UsageError, remember_exit_code
from envcheck.matrix import load_matrix
from envcheck.probing import interpreter as interp
from envcheck.probing.facts import escape_surrogates, representable
from envcheck.probing.models import FactTypeError
from envcheck.probing.runner import ProbeInterrupted, ProbeOutcome, ProbeRun, scratch_folder
from envcheck.report_build import build_report
from envcheck.results import CheckResult, Report, Status
from envcheck.target import machine_only, none_found_problem


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
    no_bench: bool = False
    """--no-bench: the benchmark category is skipped (and named as such in errors)."""


class Progress:
    """Hooks for a live display; the default does nothing (tests, --quiet)."""

    def start(self, check: Check) -> None:
        """A check starts."""

    def done(self, check: Check, result: CheckResult) -> None:
        """A check ended."""

    def probe_event(self, event: dict[str, Any]) -> None:
        """A probe reported progress (the benchmark does)."""


def select(
    checks: Iterable[Check], only: tuple[str, ...], skip: tuple[str, ...], *, no_bench: bool = False
) -> list[Check]:
    """Keep checks whose id or category matches --only, minus those --skip names.

    A selection that leaves nothing is a usage error: a run that checked
    nothing must never end in "Ready for the exam".
    """
    checks = list(checks)
    skip = (*skip, "benchmark") if no_bench else skip
    known = {c.id for c in checks} | {c.key for c in CATEGORIES}
    for name in (*only, *skip):
        if not any(_matches(k, name) for k in known):
            raise UsageError(
                f"--only/--skip: no check or category named {name!r} "
                f"(categories: {', '.join(c.key for c in CATEGORIES)}; "
                "`tfcert-envcheck list` shows every check)"
            )
    selected = [c for c in checks if not only or any(_matches(c.id, n) for n in only)]
    selected = [c for c in selected if not any(_matches(c.id, n) for n in skip)]
    if not selected:
        given = [*(f"--only {n}" for n in only), *(f"--skip {n}" for n in skip)]
        if no_bench:
            given = [g for g in given if g != "--skip benchmark"] + ["--no-bench"]
        raise UsageError(
            f"the selection is empty: {' '.join(given)} leaves no check to run "
            "(`tfcert-envcheck list` shows every check)"
        )
    return selected


def _matches(check_id: str, name: str) -> bool:
    return check_id == name or check_id.startswith(name + ".")


def execute(check: Check, ctx: Context) -> CheckResult:
    """Run one check; whatever happens inside, a result comes out."""
    started = time.monotonic()
    try:
        finding = check.func(ctx)
    except ProbeUnavailable as exc:
        finding = _unavailable(check, exc, ctx)
    except FactTypeError as exc:
        finding = _invalid(exc)
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
        return CheckResult(**common, status=finding.status, **fields, duration_s=round(duration, 4))
    except ValidationError as exc:  # a fact of a type the check passed on unchecked
        where = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:3]
        )
        return CheckResult(
            **common,
            status=Status.ERROR,
            summary="could not determine: the probe reported a value of an unexpected type "
            f"({where}: {escape_surrogates(repr(finding.observed))[:120]})",
            fix=_UNUSUAL_FIX,
            details={"unrepresentable": escape_surrogates(str(exc))[:2000]},
            duration_s=round(duration, 4),
        )


_UNUSUAL_FIX = (
    "The interpreter answered with something a normal installation does not: run with -v to "
    "see the probe's facts, and report them if the installation is normal."
)


def _invalid(exc: FactTypeError) -> Finding:
    """A fact the check needs is missing or of the wrong type: never a guess from it."""
    why = " (a value of an unexpected type)" if exc.expected is not None else ""
    return Finding(
        Status.ERROR,
        f"could not determine: {exc}{why}",
        fix=_UNUSUAL_FIX,
        details={
            "probe": exc.probe,
            "fact": exc.field,
            "value": escape_surrogates(repr(exc.value))[:2000],
        },
    )


def _unavailable(check: Check, exc: ProbeUnavailable, ctx: Context) -> Finding:
    """A probe gave no answer: its owner reports why; others skip, unless no owner runs.

    A probe that ran but lacks a section (TensorFlow does not import) is not a
    failure of its own: checks needing that section skip, whatever the selection.
    """
    run = exc.run
    answered = run.outcome.has_facts  # it ran, but lacks this section
    unowned = (
        not answered and ctx.reported_probes is not None and run.probe not in ctx.reported_probes
    )
    if run.probe in check.owns or unowned:
        return Finding(
            Status.ERROR,
            f"could not determine: {exc.reason}",
            fix=_probe_fix(run),
            details={"probe": run.to_dict()},
        )
    if answered:  # e.g. TensorFlow does not import, so there is no build to compare with
        return Finding(
            Status.SKIPPED,
            f"not checked: {exc.reason}",
            details={"probe": run.probe, "outcome": run.outcome},
        )
    return Finding(
        Status.SKIPPED,
        f"not checked: the {run.probe} probe gave no answer ({exc.reason})",
        details={"probe": run.probe, "outcome": run.outcome.value},
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


_OUTCOME_FIXES = {
    ProbeOutcome.TIMEOUT: "Run again with --timeout-scale 3 on a slow or busy machine; if it "
    "still hangs, run the interpreter by hand to see where it stops.",
    ProbeOutcome.NOT_STARTED: "Check the interpreter path given with --python or by the PyCharm "
    "project.",
    ProbeOutcome.MEMORY: "Close memory-hungry programs or add RAM, then check again; the exam's "
    "trainings need at least this much free memory.",
    ProbeOutcome.BAD_OUTPUT: "Something printed instead of the probe's answer: run the "
    "interpreter by hand and look for a sitecustomize.py or .pth file that writes to stdout.",
}


def _probe_fix(run: ProbeRun) -> str:
    """A fix hint for a probe that gave no answer, from how it ended."""
    crashed = run.outcome is ProbeOutcome.SIGNAL
    if crashed and run.probe == "nvidia" and run.signal_name != "SIGKILL":
        return _NVIDIA_CRASH_FIX  # it runs in the tool's Python and loads only the driver
    if crashed and run.signal_name in _SIGNAL_FIXES:
        return _SIGNAL_FIXES[run.signal_name]
    return _OUTCOME_FIXES.get(
        run.outcome, "Run with -v to see the probe's output, and report it if it looks like a bug."
    )


def run_checks(
    ctx: Context, checks: list[Check], progress: Progress
) -> tuple[list[CheckResult], bool]:
    """Execute checks, each after the checks it needs; results come back in `checks` order.

    A check whose needed check failed is skipped naming it (`skipped_because`);
    on Ctrl-C the checks not yet done are marked not run.
    """
    done: dict[str, CheckResult] = {}
    order = execution_order(checks)
    ctx.reported_probes = {probe for c in checks for probe in c.owns}
    interrupted = False
    for i, check in enumerate(order):
        try:
            progress.start(check)
            result = skipped_because(check, done) or execute(check, ctx)
        except (KeyboardInterrupt, ProbeInterrupted) as exc:
            if isinstance(exc, ProbeInterrupted) and not _kept(ctx, exc.run):
                ctx.record(exc.run)  # its partial facts go into the report
            done.update((r.id, r) for r in not_run(order[i:]))
            interrupted = True
            break
        done[check.id] = result
        progress.done(check, result)
    return [done[c.id] for c in checks], interrupted


def _kept(ctx: Context, run: ProbeRun) -> bool:
    """Whether the context already keeps this run (`Context.probe` keeps interrupted runs)."""
    return any(kept is run for kept in ctx.runs.values())


def execution_order(checks: list[Check]) -> list[Check]:
    """Report order, except that a check runs after the selected checks it needs."""
    by_id = {c.id: c for c in checks}
    order: list[Check] = []
    placed: set[str] = set()

    def place(check: Check, visiting: frozenset[str]) -> None:
        if check.id in placed or check.id in visiting:  # a cycle is ignored, not looped on
            return
        for need in check.needs:
            if need in by_id:
                place(by_id[need], visiting | {check.id})
        placed.add(check.id)
        order.append(check)

    for check in checks:
        place(check, frozenset())
    return order


def skipped_because(check: Check, done: dict[str, CheckResult]) -> CheckResult | None:
    """A skipped result when a check this one needs failed (naming the root cause)."""
    for need in check.needs:
        cause = done.get(need)
        if cause is None:
            continue  # not selected: this check speaks for itself
        root_id = cause.details.get("skipped_because")
        if cause.status is Status.SKIPPED and isinstance(root_id, str) and root_id in done:
            cause = done[root_id]
        if cause.status in (Status.FAILURE, Status.ERROR):
            how = "failed" if cause.status is Status.FAILURE else "could not be determined"
            finding = Finding(
                Status.SKIPPED,
                f"not checked, because {cause.title} {how} ({cause.id})",
                details={"skipped_because": cause.id},
            )
            return to_result(check, finding, 0.0)
    return None


def not_run(checks: list[Check]) -> list[CheckResult]:
    """Results for checks an interrupt (Ctrl-C, SIGTERM, SIGHUP) stopped before they ran."""
    why = f"not run: interrupted ({interrupts.reason()})"
    return [to_result(c, Finding(Status.NOT_RUN, why), 0.0) for c in checks]


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
    universe = checks if checks is not None else all_checks()
    selected = select(universe, config.only, config.skip, no_bench=config.no_bench)
    chosen = {c.id for c in selected}
    left_out = [c.id for c in universe if c.id not in chosen]
    with scratch_folder():  # probes' temp files; removed even on Ctrl-C or a probe crash
        found = config.options.discovery
        try:
            resolved: interp.Interpreter | interp.InterpreterProblem = (
                none_found_problem(found)
                if found is not None and found.chosen is None
                else interp.resolve(
                    python, timeout_s=interp.HANDSHAKE_TIMEOUT_S * config.options.timeout_scale
                )
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
        if found is not None:
            ctx.shared["discovery"] = found.to_dict()
            if found.chosen is None and not interrupted_early:
                selected = machine_only(selected, ctx)
        if interrupted_early:
            results, interrupted = not_run(selected), True
        else:
            results, interrupted = run_checks(ctx, selected, progress)
    report = build_report(
        ctx,
        results,
        interrupted=interrupted,
        python=python,
        how=how,
        matrix_name=str(config.matrix or "compat_matrix.yaml (bundled)"),
        strict=config.strict,
        not_checked=left_out,
    )
    remember_exit_code(report.verdict.exit_code)  # kept should the reader close the pipe early
    return report
