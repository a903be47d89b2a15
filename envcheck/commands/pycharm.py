"""`tfcert-envcheck pycharm`: installs, SDKs, recent projects and their interpreters.

Also defines `project_options`, the --project/--pycharm-config pair the
`check` command shares.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

import click

from envcheck.commands.options import output_options
from envcheck.deliver import Output

F = TypeVar("F", bound=Callable[..., Any])

_DIR = click.Path(exists=True, file_okay=False, path_type=Path)


def _config_option(func: F) -> F:
    return click.option(
        "--pycharm-config",
        type=_DIR,
        default=None,
        metavar="DIR",
        help="Read PyCharm's settings from DIR (a config folder with options/, e.g. a copy of "
        "~/.config/JetBrains/PyCharm2021.3, or a folder of them) instead of finding them.",
    )(func)


def project_options(func: F) -> F:
    """--project and --pycharm-config for `check`."""
    func = _config_option(func)
    func = click.option(
        "--project",
        type=_DIR,
        default=None,
        metavar="DIR",
        help="Check the interpreter PyCharm uses for this project folder (instead of "
        "--python), and how PyCharm resolves it.",
    )(func)
    return func


@click.command("pycharm")
@click.option(
    "--project",
    "projects",
    type=_DIR,
    multiple=True,
    metavar="DIR",
    help="Also resolve this project's interpreter (repeatable; recent projects always are).",
)
@_config_option
@click.option(
    "--home",
    type=_DIR,
    default=None,
    metavar="DIR",
    envvar="TFCERT_ENVCHECK_HOME",
    help="Look for PyCharm under this home folder instead of yours (a copied home; "
    "env TFCERT_ENVCHECK_HOME).",
)
@click.option(
    "--os",
    "os_name",
    type=click.Choice(["linux", "macos", "windows"]),
    default=None,
    help="Read the home as this OS lays it out (default: this machine's).",
)
@output_options(["text", "json"], what="survey")
def command(
    projects: tuple[Path, ...],
    pycharm_config: Path | None,
    home: Path | None,
    os_name: str | None,
    out: Output,
) -> None:
    """Show PyCharm installs, their Python SDKs, recent projects and their interpreters.

    Reads PyCharm's files only: nothing is run, remote interpreters are only
    reported. Exit code 0, or 1 when a project given with --project has no
    usable local interpreter.
    """
    from envcheck.deliver import deliver, run_then_write
    from envcheck.pycharm.layout import Layout, OsName
    from envcheck.pycharm.render import render_json, render_text
    from envcheck.pycharm.survey import Survey, survey
    from envcheck.redact import Redactor
    from envcheck.report_build import host_identity

    layout = Layout.current(home=home, os_name=cast("OsName | None", os_name))

    def write(result: Survey) -> None:
        redactor = None
        if out.redacted:
            # A file for support staff: the home read (a copied one with --home), the user
            # name and the host name become placeholders, as in `check -o`.
            redactor = Redactor({**host_identity(), "home": str(layout.home)})
        if out.fmt == "json":
            text = render_json(result, redactor)
        else:
            text = render_text(result, color=out.color(), width=out.width(100, 140))
            if redactor is not None:
                text = redactor.text(text)
        deliver(text, out)

    def exit_code(result: Survey) -> int:
        wanted = {p.absolute() for p in projects}
        unusable = [r for r in result.projects if r.project in wanted and not r.usable]
        return 1 if unusable else 0

    raise SystemExit(
        run_then_write(
            out, lambda: survey(layout, config=pycharm_config, projects=projects), write, exit_code
        )
    )
