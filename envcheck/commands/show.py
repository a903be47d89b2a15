"""`tfcert-envcheck show`: a saved report, rendered as the live run rendered it."""

from __future__ import annotations

from pathlib import Path

import click

from envcheck.commands.options import output_options, verbosity_options
from envcheck.deliver import Output
from envcheck.render import FORMATS


@click.command("show")
@click.argument("report", type=click.Path(path_type=Path))
@output_options(list(FORMATS), what="report")
@verbosity_options("Show every check with details and timings.")
def command(report: Path, out: Output, verbose: bool) -> None:
    """Render REPORT (a file from `check --format json -o`) in any format.

    Support staff see the candidate's terminal view, headed by when and on
    which (redacted) host the report was saved; the same renderer as `check`
    is used, and nothing named in the report is ever run. Exit 0 once
    rendered (the report's own verdict is in the output), 2 if the file is
    not a readable report.
    """
    from envcheck.report_io import load_report
    from envcheck.workflow import write_report

    write_report(
        load_report(report),
        fmt=out.fmt,
        output=out.path,
        verbose=verbose,
        redact=out.redact,
        saved=True,
    )
