"""The command line: a thin click layer over envcheck.commands.*.

Each subcommand lives in its own module under envcheck/commands/ and only
parses options into values and calls one function. Heavy imports (pydantic
models, rich, the checks) happen inside the commands, so `--help` stays fast.
"""

from __future__ import annotations

import importlib

import click

from envcheck import __version__
from envcheck.errors import error_handler

EXIT_CODES_HELP = """\b
Exit codes:
  0  ready (warnings allowed; --strict makes warnings fail)
  1  not ready: at least one check failed or could not be determined
  2  usage or configuration error (bad option, invalid matrix or report file)
  3  the tool itself failed unexpectedly (a bug: the message says what to report)
  130 interrupted (Ctrl-C); a partial report is still written
  143 stopped by SIGTERM (a cancelled CI job, `timeout`): as Ctrl-C, 128 + 15
  129 stopped by SIGHUP (the terminal closed): as Ctrl-C, 128 + 1
"""

# name -> module under envcheck.commands that defines `command`.
COMMANDS: dict[str, str] = {
    "check": "check",
    "setup": "setup",
    "bench": "bench",
    "matrix": "matrix",
    "list": "listing",
    "pycharm": "pycharm",
    "show": "show",
    "diff": "diff",
    "fleet": "fleet",
    "schema": "schema",
}


class LazyGroup(click.Group):
    """Imports a subcommand's module only when that subcommand is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMANDS.get(cmd_name)
        if module is None:
            return None
        mod = importlib.import_module(f"envcheck.commands.{module}")
        command: click.Command = mod.command
        return command


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=EXIT_CODES_HELP,
)
@click.version_option(__version__, prog_name="tfcert-envcheck")
def cli() -> None:
    """Is this machine ready for the TensorFlow Developer Certificate exam?

    Probes the interpreter the exam uses (Python, TensorFlow, packages, GPU,
    PyCharm) against compat_matrix.yaml and predicts whether the five exam
    trainings fit the 5-hour budget. Start with `tfcert-envcheck check`.
    """


def main() -> None:
    """The console script: click errors keep click's format, exit codes stay ours."""
    from envcheck.interrupts import stop_signals_interrupt

    with error_handler(), stop_signals_interrupt():
        try:
            cli.main(standalone_mode=False, prog_name="tfcert-envcheck")
        except click.exceptions.Exit as exc:
            raise SystemExit(exc.exit_code) from None
        except click.ClickException as exc:
            exc.show()
            raise SystemExit(2) from None
        except click.exceptions.Abort:
            raise KeyboardInterrupt from None
