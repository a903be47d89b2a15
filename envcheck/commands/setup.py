"""`tfcert-envcheck setup`: one command from "not ready" to a ready exam environment."""

from __future__ import annotations

from pathlib import Path

import click

from envcheck.commands.options import matrix_options, output_options
from envcheck.deliver import Output


@click.command("setup")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@matrix_options
@click.option(
    "--base-python",
    metavar="PATH",
    help="The Python to build the venv from (default: one of the profile's version "
    "found on this machine).",
)
@click.option(
    "--find-links",
    multiple=True,
    metavar="DIR",
    type=click.Path(path_type=Path, file_okay=False),
    help="Also look for wheels in DIR (repeatable): a lab's wheelhouse.",
)
@click.option("--no-index", is_flag=True, help="Do not use PyPI: only --find-links folders.")
@click.option("--dry-run", is_flag=True, help="Print every command and change nothing.")
@output_options(["text", "json"], what="account of what was done")
@click.option("-q", "--quiet", is_flag=True, help="No progress display on stderr.")
def command(
    directory: Path | None,
    matrix: Path | None,
    profile: str | None,
    base_python: str | None,
    find_links: tuple[Path, ...],
    no_index: bool,
    dry_run: bool,
    out: Output,
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
    out.check_destination()
    p = provision.plan(
        profile=profile,
        target=directory,
        base_python=base_python,
        find_links=find_links,
        no_index=no_index,
        matrix=matrix,
    )
    say(f"Python {p.lock.python} found: {p.base_python} ({p.base_how})", False)
    if dry_run:
        commands = p.to_dict()["commands"]
        assert isinstance(commands, list)
        _write({**p.to_dict(), "dry_run": True}, "".join(f"{c}\n" for c in commands), out)
        raise SystemExit(0)
    try:
        outcome = provision.execute(p, say)
    except provision.SetupFailed as exc:
        if out.fmt == "json":
            _write({**p.to_dict(), "error": str(exc), "removed": True}, "", out)
        raise
    say("checking the new environment (check --no-bench)", False)
    outcome.verdict = provision.prove(p)
    _write(outcome.to_dict(), _summary(outcome), out)
    raise SystemExit(0 if outcome.verdict["ready"] else 1)


def _write(doc: dict[str, object], text: str, out: Output) -> None:
    """The setup document as JSON (kind "setup"), or the text; redacted like every command's."""
    from envcheck.deliver import deliver, dump_json, envelope
    from envcheck.redact import Redactor
    from envcheck.report_build import host_identity

    redactor = Redactor(host_identity()) if out.redacted else None
    if out.fmt == "json":
        body = redactor.value(doc) if redactor else doc
        deliver(dump_json(envelope("setup", body)), out)
    else:
        deliver(redactor.text(text) if redactor else text, out)


def _summary(outcome: object) -> str:
    from envcheck.provision import PYCHARM_STEP, Outcome
    from envcheck.shell import quote_path

    assert isinstance(outcome, Outcome)
    verdict = outcome.verdict or {}
    lines = [
        f"{verdict.get('headline')} ({outcome.plan.venv_python}, built in {outcome.seconds:.0f} s)"
    ]
    lines += [f"  {problem}" for problem in verdict.get("problems", [])]  # type: ignore[attr-defined]
    python = quote_path(str(outcome.plan.venv_python))
    lines.append(f"Details: tfcert-envcheck check --python {python}")
    lines.append(PYCHARM_STEP.format(python=outcome.plan.venv_python))
    return "".join(line + "\n" for line in lines)
