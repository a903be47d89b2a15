"""`tfcert-envcheck schema`: the JSON Schema of each kind of JSON document the tool writes."""

from __future__ import annotations

from pathlib import Path

import click

# Listed here, not imported from envcheck.schemas, so `--help` does not load pydantic's
# models; tests/test_output_contract.py checks the two lists are the same.
KINDS = [
    "check-report",
    "bench",
    "pycharm-survey",
    "diff",
    "fleet",
    "matrix-profiles",
    "matrix-validation",
    "check-list",
    "setup",
]


@click.command("schema")
@click.argument("kind", type=click.Choice(KINDS), default="check-report", required=False)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    metavar="FILE",
    help="Write the schema to FILE (atomically) instead of stdout.",
)
def command(kind: str, output: Path | None) -> None:
    """Print the JSON Schema (draft 2020-12) of KIND (default: check-report).

    Every JSON document the tool writes names its kind and schema_version at
    its top: check-report (check, show, check --share), bench, pycharm-survey,
    diff, fleet, matrix-profiles, matrix-validation, check-list (list), setup.
    """
    from envcheck.deliver import Output, deliver
    from envcheck.schemas import schema_text

    deliver(schema_text(kind), Output("json", output, redact=False))
