"""`tfcert-envcheck list`: every check, its category and what it looks at."""

from __future__ import annotations

import click


@click.command("list")
def command() -> None:
    """List every check (ids work with check --only/--skip)."""
    from envcheck.checks.registry import all_checks

    for c in all_checks():
        click.echo(f"{c.id:<36} {c.title}: {c.description}")
