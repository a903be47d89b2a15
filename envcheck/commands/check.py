"""`tfcert-envcheck check`: the whole readiness check of one interpreter."""

from __future__ import annotations

from pathlib import Path

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


@click.command("check")
@python_option
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

    if python is not None:
        python = existing_python(python)
    config = RunConfig(
        python=python,
        matrix=matrix,
        profile=profile,
        only=only,
        skip=skip,
        no_bench=no_bench,
        strict=strict,
        options=Options(
            strict=strict,
            timeout_scale=timeout_scale,
            extra={"retrain_factor": retrain_factor} if retrain_factor is not None else {},
        ),
    )
    from envcheck.pycharm.integration import apply_project

    apply_project(config, project, pycharm_config)
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


def existing_python(value: str) -> str:
    """--python must name something: an empty value or a path to nothing is a usage error.

    An empty CI variable (`--python "$EXAM_PYTHON"`) must not quietly check this
    tool's own Python, and a typo must not read as a broken machine. Something
    that exists but is not a working interpreter (a directory, a dangling venv
    link, Python 2.7) is a finding about the machine: the checks report it.
    """
    import os
    import shutil

    from envcheck.errors import UsageError

    if not value.strip():
        raise UsageError(
            f"--python {value!r}: empty; give the interpreter's path (an unset CI variable?)"
        )
    if "://" in value:
        return value  # a remote interpreter: python.interpreter explains it is never run
    bare = os.sep not in value and not (os.altsep and os.altsep in value)
    if bare and not os.path.lexists(value):
        if shutil.which(value) is None:
            raise UsageError(f"--python {value}: not found on PATH, and no such file here")
        return value
    if not os.path.lexists(value):
        raise UsageError(f"--python {value}: does not exist")
    return value
