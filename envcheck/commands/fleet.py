"""`tfcert-envcheck fleet`: one row per lab machine from a folder of saved reports."""

from __future__ import annotations

from pathlib import Path

import click

from envcheck.commands.options import output_options
from envcheck.deliver import Output


@click.command("fleet")
@click.argument("folder", metavar="DIR", type=click.Path(path_type=Path))
@output_options(["text", "json", "markdown", "html"], what="fleet table")
def command(folder: Path, out: Output) -> None:
    """Summarise every *.json report under DIR: one row per machine.

    Shows verdict, failing checks, predicted training time, TensorFlow and
    Python versions; files that are not readable reports are listed, not
    fatal. HTML links each machine to its own report (NAME.html beside
    NAME.json) when there is one. Machine names stay visible in every format
    (they are how an admin finds a machine); shareable output has this
    machine's home folder and user name redacted unless --no-redact. Exit 0
    when every machine is ready and every file was read, 1 otherwise, 2 when
    DIR holds no reports.
    """
    from envcheck.deliver import deliver
    from envcheck.fleet import RENDERERS, collect, redacted

    fleet = collect(folder)
    if out.redacted:
        fleet = redacted(fleet)
    if out.fmt == "html":
        from envcheck.fleet import render_html

        text = render_html(fleet, None if out.to_stdout else out.path.parent)  # type: ignore[union-attr]
    else:
        text = RENDERERS[out.fmt](fleet)
    deliver(text, out)
    raise SystemExit(fleet.exit_code)
