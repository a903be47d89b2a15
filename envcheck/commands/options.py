"""Option groups shared by several commands, as decorators."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def matrix_options(func: F) -> F:
    """--matrix and --profile: which knowledge and which exam to check against."""
    func = click.option(
        "--profile",
        metavar="NAME",
        default=None,
        help="Exam profile from the matrix (default: the matrix's default_profile; "
        "`tfcert-envcheck matrix profiles` lists them).",
    )(func)
    func = click.option(
        "--matrix",
        type=click.Path(path_type=Path),
        default=None,
        metavar="FILE",
        help="Use this compat_matrix.yaml instead of the bundled one.",
    )(func)
    return func


def output_file_option(what: str = "report") -> Callable[[F], F]:
    """-o/--output: a file written atomically instead of stdout."""
    return click.option(
        "-o",
        "--output",
        type=click.Path(path_type=Path),
        default=None,
        metavar="FILE",
        help=f"Write the {what} to FILE (atomically) instead of stdout.",
    )


def output_options(formats: list[str]) -> Callable[[F], F]:
    """--format, --json and -o: what to write and where."""

    def decorate(func: F) -> F:
        func = output_file_option()(func)
        func = click.option(
            "--json",
            "as_json",
            is_flag=True,
            help="Shorthand for --format json.",
        )(func)
        func = click.option(
            "--format",
            "fmt",
            type=click.Choice(formats),
            default="text",
            show_default=True,
            help="Report format.",
        )(func)
        return func

    return decorate


def python_option(func: F) -> F:
    return click.option(
        "--python",
        metavar="PATH",
        default=None,
        help="The interpreter to check (default: the one running this tool). "
        "Point it at the exam project's venv, e.g. ~/exam/venv/bin/python.",
    )(func)


def redact_option(func: F) -> F:
    """--no-redact: keep user name, home, host name and GPU UUIDs (see redact.is_shareable)."""
    return click.option(
        "--no-redact",
        is_flag=True,
        help="Keep the user name, home folder, host name and GPU UUIDs (redacted by default "
        "in every format and destination except the text view on a terminal).",
    )(func)


def verbosity_options(verbose_help: str, quiet_help: str) -> Callable[[F], F]:
    """-v/--verbose and -q/--quiet, with what each means for the command."""

    def decorate(func: F) -> F:
        func = click.option("-q", "--quiet", is_flag=True, help=quiet_help)(func)
        return click.option("-v", "--verbose", is_flag=True, help=verbose_help)(func)

    return decorate


def timeout_scale_option(limits: str) -> Callable[[F], F]:
    """--timeout-scale: stretch the time limits of `limits` on slow or busy machines."""
    return click.option(
        "--timeout-scale",
        type=click.FloatRange(0.1, 100),
        default=1.0,
        show_default=True,
        help=f"Multiply {limits} (slow or busy machines).",
    )


def retrain_factor_option(func: F) -> F:
    """--retrain-factor: how many times a candidate trains each exam model."""
    return click.option(
        "--retrain-factor",
        type=click.FloatRange(min=1.0),
        default=None,
        metavar="N",
        help="How many times each exam model is trained (default from the matrix: 3).",
    )(func)
