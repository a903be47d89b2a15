"""`tfcert-envcheck diff`: what differs between two saved reports, problems first."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from envcheck.commands.options import redact_option

FORMATS = ["text", "json", "markdown"]


@click.command("diff")
@click.argument("a", type=click.Path(path_type=Path))
@click.argument("b", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Output format.",
)
@redact_option
def command(a: Path, b: Path, fmt: str, no_redact: bool) -> None:
    """Compare reports A and B check by check (status and observed values).

    Checks whose status differs come first, worst first; then checks whose
    observed value changed. Exit 0 when no check differs in status, 1 when
    any does (a check missing from one report counts), 2 if a file is not a
    readable report. Output is redacted unless --no-redact, except text
    shown on a terminal.
    """
    from envcheck.compare import RENDERERS, compare
    from envcheck.output import emit
    from envcheck.redact import is_shareable, redact_report
    from envcheck.render import fit_encoding
    from envcheck.report_io import load_report

    ra, rb = load_report(a), load_report(b)
    if not no_redact and is_shareable(fmt, None):
        ra, rb = redact_report(ra), redact_report(rb)
    result = compare(ra, rb, a_name=str(a), b_name=str(b))
    emit(fit_encoding(RENDERERS[fmt](result), fmt, getattr(sys.stdout, "encoding", None)), None)
    raise SystemExit(result.exit_code)
