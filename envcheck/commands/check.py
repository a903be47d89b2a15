"""`tfcert-envcheck check`: the whole readiness check of one interpreter."""

from __future__ import annotations

from pathlib import Path

import click

from envcheck.commands.options import (
    matrix_options,
    output_options,
    redact_option,
    retrain_factor_option,
    timeout_scale_option,
    verbosity_options,
)
from envcheck.commands.pycharm import project_options
from envcheck.render import FORMATS


@click.command("check")
@click.option(
    "--python",
    metavar="PATH",
    default=None,
    help="The interpreter to check. Default: the exam interpreter found on this machine "
    "(PyCharm's recent projects, ~/PycharmProjects venvs, Pythons of the profile's version); "
    "the report header says which one and why.",
)
@project_options
@matrix_options
@output_options(list(FORMATS))
@redact_option
@verbosity_options("Show every check with details and timings.",
                   "No progress display on stderr.")
@click.option("--strict", is_flag=True, help="Warnings fail too (exit code 1).")
@click.option(
    "--only",
    multiple=True,
    metavar="ID",
    help="Run only these checks or categories (repeatable), e.g. --only tensorflow.",
)
@click.option(
    "--skip",
    multiple=True,
    metavar="ID",
    help="Skip these checks or categories (repeatable), e.g. --skip nvidia.",
)
@timeout_scale_option("every probe's time limit")
@click.option("--no-bench", is_flag=True, help="Skip the training benchmark (about a minute).")
@retrain_factor_option
def command(
    python: str | None,
    project: Path | None,
    pycharm_config: Path | None,
    matrix: Path | None,
    profile: str | None,
    fmt: str,
    as_json: bool,
    output: Path | None,
    no_redact: bool,
    verbose: bool,
    quiet: bool,
    strict: bool,
    only: tuple[str, ...],
    skip: tuple[str, ...],
    timeout_scale: float,
    no_bench: bool,
    retrain_factor: float | None,
) -> None:
    """Check an interpreter and this machine against the exam profile.

    Prints one line per category, a fix hint under every problem and a
    closing verdict; the exit code says ready (0) or not ready (1).
    """
    from envcheck.checks.base import Options
    from envcheck.pipeline import RunConfig
    from envcheck.workflow import check_and_report

    config = RunConfig(
        python=python,
        matrix=matrix,
        profile=profile,
        only=only,
        skip=skip + (("benchmark",) if no_bench else ()),
        strict=strict,
        options=Options(
            strict=strict,
            timeout_scale=timeout_scale,
            extra={"retrain_factor": retrain_factor} if retrain_factor is not None else {},
        ),
    )
    from envcheck.pycharm.integration import apply_project
    from envcheck.target import apply_discovery

    resolution = apply_project(config, project, pycharm_config)
    if resolution is None:
        apply_discovery(config, config.options.extra["pycharm_layout"])
    code = check_and_report(
        config,
        fmt="json" if as_json else fmt,
        output=output,
        verbose=verbose,
        quiet=quiet,
        redact=not no_redact,
    )
    raise SystemExit(code)
