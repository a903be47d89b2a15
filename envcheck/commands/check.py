"""`tfcert-envcheck check`: the whole readiness check of one interpreter."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from envcheck.commands.options import (
    matrix_options,
    output_options,
    python_option,
    retrain_factor_option,
    timeout_scale_option,
    verbosity_options,
)
from envcheck.commands.pycharm import project_options
from envcheck.deliver import Output
from envcheck.render import FORMATS

if TYPE_CHECKING:
    from envcheck.pipeline import RunConfig


@click.command("check")
@python_option(
    "The interpreter to check. Default: the exam interpreter found on this machine "
    "(PyCharm's recent projects, ~/PycharmProjects venvs, Pythons of the profile's version); "
    "the report header says which one and why."
)
@project_options
@matrix_options
@output_options(list(FORMATS), what="report")
@click.option(
    "--share",
    is_flag=True,
    help="Also write tfcert-report-DATE.html, .json and .md (redacted) for support staff, "
    "and say which to attach where.",
)
@click.option(
    "--share-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    metavar="DIR",
    help="Write the --share files into DIR instead of the current folder (implies --share).",
)
@verbosity_options("Show every check with details and timings.", "No progress display on stderr.")
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
    out: Output,
    share: bool,
    share_dir: Path | None,
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
    closing verdict; the exit code says ready (0) or not ready (1). With
    --share it also writes the report as HTML (to open), JSON (for `show`
    and `diff`) and Markdown (to paste into an issue), all redacted.
    """
    from envcheck.checks.base import Options
    from envcheck.errors import reader_may_close
    from envcheck.pipeline import RunConfig
    from envcheck.workflow import check_and_report

    config = RunConfig(
        python=python,
        matrix=matrix,
        profile=profile,
        only=only,
        skip=skip,
        no_bench=no_bench,
        strict=strict,
        options=Options(
            timeout_scale=timeout_scale,
            retrain_factor=retrain_factor,
        ),
    )
    _choose_target(config, project, pycharm_config)
    share_to = share_dir if share_dir is not None else (Path.cwd() if share else None)
    with reader_may_close():
        code = check_and_report(
            config,
            fmt=out.fmt,
            output=out.path,
            verbose=verbose,
            quiet=quiet,
            redact=out.redact,
            share_dir=share_to,
        )
    raise SystemExit(code)


def _choose_target(config: RunConfig, project: Path | None, pycharm_config: Path | None) -> None:
    """The interpreter of --project, else (without --python) the one discovery finds."""
    from envcheck.pycharm.integration import apply_project
    from envcheck.pycharm.layout import Layout
    from envcheck.target import apply_discovery

    resolution = apply_project(config, project, pycharm_config)
    if resolution is None:
        apply_discovery(config, config.options.pycharm_layout or Layout.current())
