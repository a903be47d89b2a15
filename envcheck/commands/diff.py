"""`tfcert-envcheck diff`: what differs between two saved reports, problems first."""

from __future__ import annotations

from pathlib import Path

import click

from envcheck.commands.options import output_options
from envcheck.deliver import Output


@click.command("diff")
@click.argument("a", type=click.Path(path_type=Path))
@click.argument("b", type=click.Path(path_type=Path))
@output_options(["text", "json", "markdown"], what="comparison")
def command(a: Path, b: Path, out: Output) -> None:
    """Compare reports A and B check by check (status and observed values).

    Checks whose status differs come first, worst first; then checks whose
    observed value changed. Exit 0 when no check differs in status, 1 when
    any does (a check missing from one report counts), 2 if a file is not a
    readable report. Output is redacted unless --no-redact, except text
    shown on a terminal.
    """
    from envcheck.compare import RENDERERS, compare
    from envcheck.deliver import deliver
    from envcheck.redact import redact_report
    from envcheck.report_io import load_report

    ra, rb = load_report(a), load_report(b)
    if out.redacted:
        ra, rb = redact_report(ra), redact_report(rb)
    result = compare(ra, rb, a_name=str(a), b_name=str(b))
    deliver(RENDERERS[out.fmt](result), out)
    raise SystemExit(result.exit_code)
