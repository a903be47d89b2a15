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


def output_options(formats: list[str]) -> Callable[[F], F]:
    """--format, --json and -o: what to write and where."""

    def decorate(func: F) -> F:
        func = click.option(
            "-o",
            "--output",
            type=click.Path(path_type=Path),
            default=None,
            metavar="FILE",
            help="Write the report to FILE (atomically) instead of stdout.",
        )(func)
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
    """--no-redact: keep user name, home, host name and GPU UUIDs in shareable output."""
    return click.option(
        "--no-redact",
        is_flag=True,
        help="Keep the user name, home folder, host name and GPU UUIDs in markdown, junit "
        "and -o files (redacted by default; the terminal view always shows them).",
    )(func)
