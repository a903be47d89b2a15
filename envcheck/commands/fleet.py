"""`tfcert-envcheck fleet`: one row per lab machine from a folder of saved reports."""

from __future__ import annotations

from pathlib import Path

import click

FORMATS = ["text", "json", "markdown"]


@click.command("fleet")
@click.argument("folder", metavar="DIR", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Output format.",
)
def command(folder: Path, fmt: str) -> None:
    """Summarise every *.json report under DIR: one row per machine.

    Shows verdict, failing checks, predicted training time, TensorFlow and
    Python versions; files that are not readable reports are listed, not
    fatal. Exit 0 when every machine is ready and every file was read, 1
    otherwise, 2 when DIR holds no reports.
    """
    from envcheck.fleet import RENDERERS, collect
    from envcheck.output import emit

    fleet = collect(folder)
    emit(RENDERERS[fmt](fleet), None)
    raise SystemExit(fleet.exit_code)
