"""`tfcert-envcheck bench`: the training benchmark alone, with per-category details."""

from __future__ import annotations

from pathlib import Path

import click

from envcheck.commands.options import (
    matrix_option,
    output_options,
    python_option,
    retrain_factor_option,
    timeout_scale_option,
    verbosity_options,
)
from envcheck.deliver import Output


@click.command("bench")
@python_option(
    "The interpreter to benchmark (default: the one running this tool). "
    "Point it at the exam project's venv, e.g. ~/exam/venv/bin/python."
)
@matrix_option("Use this compat_matrix.yaml (its benchmark: section) instead of the bundled one.")
@click.option(
    "--category",
    "categories",
    type=click.IntRange(1, 5),
    multiple=True,
    metavar="N",
    help="Only this exam category (1-5, repeatable); default: all five.",
)
@click.option(
    "--full",
    is_flag=True,
    help="Also really train the reference job at full size (with --category) and print "
    "actual vs predicted time.",
)
@retrain_factor_option
@output_options(["text", "json"], what="result")
@verbosity_options("Show how each prediction is made up.", "No progress bar on stderr.")
@timeout_scale_option("the benchmark's time limits")
def command(
    python: str | None,
    matrix: Path | None,
    categories: tuple[int, ...],
    full: bool,
    retrain_factor: float | None,
    out: Output,
    verbose: bool,
    quiet: bool,
    timeout_scale: float,
) -> None:
    """Predict whether the five exam trainings fit the 5-hour exam.

    Trains each category's reference workload briefly in the interpreter
    under test (about a minute on 2 CPU cores), predicts its full training
    time with a band, and compares trainings x retrain factor with the exam
    budget: ready, marginal or not ready. `--full --category N` really trains
    the full job and prints actual vs predicted. Ctrl-C stops cleanly and
    prints what was measured (exit code 130).
    """
    from envcheck.bench.session import BenchConfig, run_bench

    code = run_bench(
        BenchConfig(
            python=python,
            matrix=matrix,
            categories=categories,
            full=full,
            retrain_factor=retrain_factor,
            out=out,
            verbose=verbose,
            quiet=quiet,
            timeout_scale=timeout_scale,
        )
    )
    raise SystemExit(code)
