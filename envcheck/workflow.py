"""Glue between a command's options and the pipeline: run, render, emit, exit code."""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

from envcheck.errors import OutputError
from envcheck.output import check_destination, emit
from envcheck.pipeline import RunConfig, run_check
from envcheck.render import RenderOptions, fit_encoding, renderer
from envcheck.results import Report
from envcheck.ui import LiveProgress, color_wanted, stdout_is_terminal


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


@contextlib.contextmanager
def ctrl_c_deferred() -> Iterator[None]:
    """Writing the report is not cut short: a Ctrl-C meanwhile takes effect after it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.SIG_DFL)
    if caught:
        raise KeyboardInterrupt


def write_report(
    report: Report, *, fmt: str, output: Path | None, verbose: bool, redact: bool = True
) -> None:
    """Render and emit, redacted unless `redact` is False (see `redact.is_shareable`)."""
    to_stdout = output is None or str(output) == "-"
    to_terminal = to_stdout and fmt == "text" and stdout_is_terminal()
    if redact:
        from envcheck.redact import is_shareable, redact_report

        if is_shareable(fmt, output, to_terminal=to_terminal):
            report = redact_report(report)
    encoding = getattr(sys.stdout, "encoding", None) if to_stdout else "utf-8"
    options = RenderOptions(
        verbose=verbose,
        color=to_terminal and color_wanted(sys.stdout),
        width=_width() if to_terminal else 100,
        ascii=not _is_utf8(encoding),
    )
    text = fit_encoding(renderer(fmt)(report, options), fmt, encoding)
    try:
        emit(text, output)
    except OutputError as exc:
        if output is None:
            raise
        # The run may have taken many minutes: its report is not lost with the file.
        emit(fit_encoding(text, fmt, getattr(sys.stdout, "encoding", None)), None)
        raise OutputError(f"{exc} (the report was printed to stdout instead)") from None


def _is_utf8(encoding: str | None) -> bool:
    import codecs

    try:
        return codecs.lookup(encoding or "utf-8").name.startswith("utf")
    except LookupError:
        return False


def _width() -> int:
    import shutil

    return max(60, min(120, shutil.get_terminal_size((100, 24)).columns))
