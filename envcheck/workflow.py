"""Glue between a command's options and the pipeline: run, render, emit, exit code."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

from envcheck import interrupts
from envcheck.deliver import Output, deliver, run_then_write
from envcheck.pipeline import RunConfig, run_check
from envcheck.render import RenderOptions, renderer
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
    share_dir: Path | None = None,
) -> int:
    """Run the check, write the report, and return the exit code from the verdict."""
    from envcheck import share

    if share_dir is not None:
        share.check_share_dir(share_dir)

    def run() -> Report:
        progress = LiveProgress(verbose=verbose)
        if quiet:
            progress.enabled = False
        try:
            return run_check(config, progress)
        finally:
            progress.close()

    def write(report: Report) -> None:
        write_report(report, fmt=fmt, output=output, verbose=verbose, redact=redact)
        if share_dir is not None:
            paths = share.write_share(report, share_dir)
            share.print_message(paths, to_stdout=fmt == "text" and output is None)

    return run_then_write(
        Output(fmt, output, redact), run, write, lambda report: report.verdict.exit_code
    )


def ctrl_c_deferred() -> contextlib.AbstractContextManager[None]:
    """Writing the report is not cut short: a Ctrl-C (or SIGTERM, SIGHUP) takes effect after it."""
    return interrupts.deferred()


def write_report(
    report: Report,
    *,
    fmt: str,
    output: Path | None,
    verbose: bool,
    redact: bool = True,
    saved: bool = False,
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
        saved=saved,
        ascii=not _is_utf8(encoding),
    )
    deliver(renderer(fmt)(report, options), Output(fmt, output, redact), what="report")


def _is_utf8(encoding: str | None) -> bool:
    import codecs

    try:
        return codecs.lookup(encoding or "utf-8").name.startswith("utf")
    except LookupError:
        return False


def _width() -> int:
    import shutil

    return max(60, min(120, shutil.get_terminal_size((100, 24)).columns))
