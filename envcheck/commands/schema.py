"""`tfcert-envcheck schema`: the JSON Schema of the report `check --format json` writes."""

from __future__ import annotations

import click


@click.command("schema")
def command() -> None:
    """Print the JSON Schema (draft 2020-12) of a saved report."""
    from envcheck.report_io import report_schema

    click.echo(report_schema())
