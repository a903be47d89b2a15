"""Glue between a command's options and the pipeline: run, render, emit, exit code."""

from __future__ import annotations

import sys
from pathlib import Path

from envcheck.output import emit
from envcheck.pipeline import RunConfig, run_check
from envcheck.render import RenderOptions, renderer
from envcheck.results import Report
from envcheck.ui import LiveProgress, color_wanted


def check_and_report(
    config: RunConfig,
    *,
    fmt: str,
    output: Path | None,
    verbose: bool,
    quiet: bool,
    redact: bool = True,
) -> int:
    """Run the check, write the report, and return the exit code from the verdict."""
    progress = LiveProgress(verbose=verbose)
    if quiet:
        progress.enabled = False
    try:
        report = run_check(config, progress)
    finally:
        progress.close()
    write_report(report, fmt=fmt, output=output, verbose=verbose, redact=redact)
    return report.verdict.exit_code


def write_report(
    report: Report, *, fmt: str, output: Path | None, verbose: bool, redact: bool = True
) -> None:
    """Render and emit; shareable output (markdown, junit, any -o file) is redacted first."""
    if redact:
        from envcheck.redact import is_shareable, redact_report

        if is_shareable(fmt, output):
            report = redact_report(report)
    to_terminal = output is None and fmt == "text"
    options = RenderOptions(
        verbose=verbose,
        color=to_terminal and color_wanted(sys.stdout),
        width=_width() if to_terminal else 100,
    )
    emit(renderer(fmt)(report, options), output)


def _width() -> int:
    import shutil

    return max(60, min(120, shutil.get_terminal_size((100, 24)).columns))
