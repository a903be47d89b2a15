"""`tfcert-envcheck setup`: one command from "not ready" to a ready exam environment."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from envcheck.commands.options import matrix_options


@click.command("setup")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@matrix_options
@click.option("--base-python", metavar="PATH",
              help="The Python to build the venv from (default: one of the profile's version "
              "found on this machine).")
@click.option("--find-links", multiple=True, metavar="DIR",
              type=click.Path(path_type=Path, file_okay=False),
              help="Also look for wheels in DIR (repeatable): a lab's wheelhouse.")
@click.option("--no-index", is_flag=True, help="Do not use PyPI: only --find-links folders.")
@click.option("--dry-run", is_flag=True, help="Print every command and change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Report what was done as JSON on stdout.")
@click.option("-q", "--quiet", is_flag=True, help="No progress display on stderr.")
def command(
    directory: Path | None,
    matrix: Path | None,
    profile: str | None,
    base_python: str | None,
    find_links: tuple[Path, ...],
    no_index: bool,
    dry_run: bool,
    as_json: bool,
    quiet: bool,
) -> None:
    """Create a new exam environment in DIRECTORY and check it.

    DIRECTORY defaults to ~/PycharmProjects/tf-exam/venv and must be new
    or empty. The venv is made from a Python of the profile's version and
    gets the profile's complete lock from compat_matrix.yaml, installed by
    the venv's own pip, told to install into a venv only. Ctrl-C or a failed install
    removes the half-made venv. Exit 0: built and ready; 1: not built (no
    suitable Python, a failed download or install) or built but not ready;
    2: bad options or an existing folder; 130: interrupted.
    """
    from envcheck import provision

    say = provision.stderr_say(quiet)
    p = provision.plan(profile=profile, target=directory, base_python=base_python,
                       find_links=find_links, no_index=no_index, matrix=matrix)
    say(f"Python {p.lock.python} found: {p.base_python} ({p.base_how})", False)
    if dry_run:
        if as_json:
            click.echo(json.dumps({**p.to_dict(), "dry_run": True}, indent=2))
        else:
            for line in p.to_dict()["commands"]:  # type: ignore[attr-defined]
                click.echo(line)
        raise SystemExit(0)
    try:
        outcome = provision.execute(p, say)
    except provision.SetupFailed as exc:
        if as_json:
            click.echo(json.dumps({**p.to_dict(), "error": str(exc), "removed": True}, indent=2))
        raise
    say("checking the new environment (check --no-bench)", False)
    outcome.verdict = provision.prove(p)
    if as_json:
        click.echo(json.dumps(outcome.to_dict(), indent=2))
    else:
        _summary(outcome)
    raise SystemExit(0 if outcome.verdict["ready"] else 1)


def _summary(outcome: object) -> None:
    from envcheck.provision import PYCHARM_STEP, Outcome
    from envcheck.shell import quote_path

    assert isinstance(outcome, Outcome)
    verdict = outcome.verdict or {}
    out = sys.stdout
    out.write(f"{verdict.get('headline')} ({outcome.plan.venv_python}, "
              f"built in {outcome.seconds:.0f} s)\n")
    for problem in verdict.get("problems", []):  # type: ignore[attr-defined]
        out.write(f"  {problem}\n")
    python = quote_path(str(outcome.plan.venv_python))
    out.write(f"Details: tfcert-envcheck check --python {python}\n")
    out.write(PYCHARM_STEP.format(python=outcome.plan.venv_python) + "\n")
