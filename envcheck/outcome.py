"""The one place where results become a verdict and an exit code."""

from __future__ import annotations

import enum
from collections import Counter

from envcheck.results import CheckResult, Status, Verdict


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
    interrupted_by: str = "Ctrl-C",
    interrupt_exit: int = ExitCode.INTERRUPTED,
) -> Verdict:
    """Reduce check results to the closing line and the exit code.

    Failures and errors (a check that could not find out) make the machine
    not ready; warnings only do so under `--strict`; an interrupted run is
    never "ready" (its code is 130 for Ctrl-C, 128 + N for signal N).
    """
    counts = Counter(r.status.value for r in results)
    blocking = {Status.FAILURE, Status.ERROR} | ({Status.WARNING} if strict else set())
    problems = [r for r in results if r.status in blocking]
    warnings = [r for r in results if r.status is Status.WARNING]
    full_counts = {s.value: counts.get(s.value, 0) for s in Status}

    if interrupted:
        by = "" if interrupted_by == "Ctrl-C" else f" by {interrupted_by}"
        return Verdict(
            ready=False,
            headline=f"Interrupted{by}: {len(results) - counts.get('not_run', 0)} checks done, "
            f"{counts.get('not_run', 0)} not run",
            exit_code=interrupt_exit,
            counts=full_counts,
        )
    if problems:
        n_cats = len({r.category for r in problems})
        return Verdict(
            ready=False,
            headline=f"Not ready: {_plural(len(problems), 'problem')} in "
            f"{_plural(n_cats, 'category', 'categories')}",
            exit_code=ExitCode.NOT_READY,
            counts=full_counts,
        )
    if warnings:
        return Verdict(
            ready=True,
            headline=f"Ready for the exam, with {_plural(len(warnings), 'warning')}",
            exit_code=ExitCode.READY,
            counts=full_counts,
        )
    return Verdict(
        ready=True, headline="Ready for the exam", exit_code=ExitCode.READY, counts=full_counts
    )


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"
