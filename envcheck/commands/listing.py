"""`tfcert-envcheck list`: every check, its category and what it looks at."""

from __future__ import annotations

import click

from envcheck.commands.options import output_options
from envcheck.deliver import Output


@click.command("list")
@output_options(["text", "json"], what="list")
def command(out: Output) -> None:
    """List every check (ids work with check --only/--skip)."""
    from envcheck.checks.registry import all_checks
    from envcheck.deliver import deliver, dump_json, envelope

    checks = all_checks()
    if out.fmt == "json":
        rows = [
            {"id": c.id, "category": c.category, "title": c.title, "description": c.description}
            for c in checks
        ]
        text = dump_json(envelope("check-list", {"checks": rows}))
    else:
        text = "".join(f"{c.id:<36} {c.title}: {c.description}\n" for c in checks)
    deliver(text, out)
