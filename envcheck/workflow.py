"""Glue between a command's options and the pipeline: run, render, emit, exit code."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

from envcheck import interrupts
from envcheck.errors import OutputError
from envcheck.output import check_destination, emit
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
    check_destination(output)
    if (output is None or str(output) == "-") and not stream_usable(sys.stdout):
        raise OutputError(
            "standard output is closed, so the report has nowhere to go: "
            "write it to a file with -o FILE"
        )
    progress = LiveProgress(verbose=verbose)
    if quiet:
        progress.enabled = False
    try:
        report = run_check(config, progress)
    finally:
        progress.close()
    with ctrl_c_deferred():
        write_report(report, fmt=fmt, output=output, verbose=verbose, redact=redact)
    return report.verdict.exit_code


def ctrl_c_deferred() -> contextlib.AbstractContextManager[None]:
    """Writing the report is not cut short: a Ctrl-C (or SIGTERM, SIGHUP) takes effect after it."""
    return interrupts.deferred()


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
    text = renderer(fmt)(report, options)
    try:
        emit(text, output)
    except OutputError as exc:
        if output is None or not stream_usable(sys.stdout):
            raise
        # The run may have taken many minutes: its report is not lost with the file.
        emit(text, None)
        raise OutputError(f"{exc} (the report was printed to stdout instead)") from None


def stream_usable(stream: object) -> bool:
    """False for a standard stream the shell closed (`>&-`): Python then sets it to None."""
    if stream is None:
        return False
    try:
        fd = stream.fileno()  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        return True  # not a file (a test's buffer): writable as far as we can tell
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


def _width() -> int:
    import shutil

    return max(60, min(120, shutil.get_terminal_size((100, 24)).columns))
