"""`tfcert-envcheck show`: a saved report, rendered as the live run rendered it."""

from __future__ import annotations

from pathlib import Path

import click

from envcheck.commands.options import output_options, redact_option
from envcheck.render import FORMATS


@click.command("show")
@click.argument("report", type=click.Path(path_type=Path))
@output_options(list(FORMATS))
@redact_option
@click.option("-v", "--verbose", is_flag=True, help="Show every check with details and timings.")
def command(
    report: Path, fmt: str, as_json: bool, output: Path | None, no_redact: bool, verbose: bool
) -> None:
    """Render REPORT (a file from `check --format json -o`) in any format.

    Support staff see the candidate's terminal view; the same renderer as
    `check` is used, and nothing named in the report is ever run. Exit 0
    once rendered (the report's own verdict is in the output), 2 if the
    file is not a readable report.
    """
    from envcheck.report_io import load_report
    from envcheck.workflow import write_report

    write_report(
        load_report(report),
        fmt="json" if as_json else fmt,
        output=output,
        verbose=verbose,
        redact=not no_redact,
    )
