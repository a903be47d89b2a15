"""The one place where results become a verdict and an exit code."""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Sequence
from typing import NamedTuple

from envcheck.results import CheckResult, Status, Verdict
from envcheck.words import plural


class ExitCode(enum.IntEnum):
    """Documented in the README and in `tfcert-envcheck --help`."""

    READY = 0
    NOT_READY = 1
    USAGE = 2
    INTERNAL = 3
    HANGUP = 129
    """SIGHUP (the terminal closed): handled as Ctrl-C, 128 + 1."""
    INTERRUPTED = 130
    TERMINATED = 143
    """SIGTERM (a cancelled CI job, `timeout`): handled as Ctrl-C, 128 + 15."""


def verdict(
    results: list[CheckResult],
    *,
    strict: bool = False,
    interrupted: bool = False,
    not_checked: Sequence[str] = (),
    interrupted_by: str = "Ctrl-C",
    interrupt_exit: int = ExitCode.INTERRUPTED,
) -> Verdict:
    """Reduce check results to the closing line and the exit code.

    Failures and errors (a check that could not find out) make the machine
    not ready; warnings only do so under `--strict`; an interrupted run is
    never "ready" (its code is 130 for Ctrl-C, 128 + N for signal N).
    Problems count root causes: a check skipped because a
    check it needs failed is not a second problem. `not_checked` (the checks
    --only/--skip/--no-bench left out) is named in the closing line, so a
    partial run never reads like a full one.
    """
    counts = Counter(r.status.value for r in results)
    left_out = list(not_checked)
    if interrupted:
        not_run = counts.get("not_run", 0)
        by = "" if interrupted_by == "Ctrl-C" else f" by {interrupted_by}"
        closing = _Closing(
            False,
            f"Interrupted{by}: {len(results) - not_run} checks done, {not_run} not run",
            ExitCode(interrupt_exit),
        )
    else:
        closing = _closing(results, strict, _not_checked_line(results, left_out))
    notes = [n for n in closing.notes if n]
    return Verdict(
        ready=closing.ready,
        headline=closing.headline + (f" ({'; '.join(notes)})" if notes else ""),
        exit_code=closing.code,
        counts={s.value: counts.get(s.value, 0) for s in Status},
        not_checked=left_out,
    )


class _Closing(NamedTuple):
    ready: bool
    headline: str
    code: ExitCode
    notes: tuple[str, ...] = ()
    """Said in brackets after the headline; empty ones are left out."""


def _closing(results: list[CheckResult], strict: bool, unchecked: str) -> _Closing:
    """The closing line of a run that finished: not ready, ready with warnings, or ready."""
    blocking = {Status.FAILURE, Status.ERROR} | ({Status.WARNING} if strict else set())
    problems = [r for r in results if r.status in blocking]
    warnings = [r for r in results if r.status is Status.WARNING]
    if problems:
        n_cats = len({r.category for r in problems})
        dependent = sum(1 for r in results if r.details.get("skipped_because"))
        because = (
            f"{plural(dependent, 'check')} skipped because of "
            f"{'it' if len(problems) == 1 else 'them'}"
            if dependent
            else ""
        )
        return _Closing(
            False,
            f"Not ready: {plural(len(problems), 'problem')} in "
            f"{plural(n_cats, 'category', 'categories')}",
            ExitCode.NOT_READY,
            (because, unchecked),
        )
    if warnings:
        return _Closing(
            True,
            f"Ready for the exam, with {plural(len(warnings), 'warning')}",
            ExitCode.READY,
            (unchecked,),
        )
    return _Closing(True, "Ready for the exam", ExitCode.READY, (unchecked,))


def _not_checked_line(results: list[CheckResult], not_checked: list[str]) -> str:
    """'not checked: python, packages, system (partly)': categories by key, as --only takes."""
    if not not_checked:
        return ""
    ran = {r.category for r in results}
    keys = list(dict.fromkeys(check_id.split(".", 1)[0] for check_id in not_checked))
    return "not checked: " + ", ".join(f"{k} (partly)" if k in ran else k for k in keys)
