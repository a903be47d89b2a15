"""Option groups shared by several commands, as decorators.

`output_options` is the output contract every command that prints a result
follows (issue 12): `--format` (the formats that make sense for it, text by
default), `--json` (short for `--format json`), `-o/--output FILE` (written
atomically) and `--no-redact`. The command receives them as one `Output`
value and hands it to `envcheck.deliver`, so a new command or a new format
is added in one place.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar, cast

import click

from envcheck.deliver import Output

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
    func = matrix_option()(func)
    return func


def matrix_option(
    help_text: str = "Use this compat_matrix.yaml instead of the bundled one.",
) -> Callable[[F], F]:
    """--matrix FILE alone."""
    return click.option(
        "--matrix",
        type=click.Path(path_type=Path),
        default=None,
        metavar="FILE",
        help=help_text,
    )


def output_options(formats: Sequence[str], *, what: str = "result") -> Callable[[F], F]:
    """--format, --json, -o/--output and --no-redact, passed on as `out: Output`.

    `formats` are the values --format accepts; the first is the default.
    The decorated function takes one `out` parameter instead of four.
    """
    choices = list(formats)
    if choices[0] != "text" or "json" not in choices:
        raise ValueError(f"output formats must start with text and include json: {choices}")

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            fmt: str = kwargs.pop("fmt")
            as_json: bool = kwargs.pop("as_json")
            output: Path | None = kwargs.pop("output")
            no_redact: bool = kwargs.pop("no_redact")
            if as_json:
                source = click.get_current_context().get_parameter_source("fmt")
                if fmt != "json" and source is not click.core.ParameterSource.DEFAULT:
                    raise click.UsageError(f"--json and --format {fmt} contradict each other")
                fmt = "json"
            kwargs["out"] = Output(fmt=fmt, path=output, redact=not no_redact)
            return func(*args, **kwargs)

        command = click.option(
            "--no-redact",
            is_flag=True,
            help="Keep the user name, home folder, host name and GPU UUIDs (redacted by "
            "default in every format and destination except the text view on a terminal).",
        )(wrapper)
        command = click.option(
            "-o",
            "--output",
            type=click.Path(path_type=Path),
            default=None,
            metavar="FILE",
            help=f"Write the {what} to FILE (atomically) instead of stdout.",
        )(command)
        command = click.option(
            "--json", "as_json", is_flag=True, help="Shorthand for --format json."
        )(command)
        command = click.option(
            "--format",
            "fmt",
            type=click.Choice(choices),
            default=choices[0],
            show_default=True,
            help="Output format.",
        )(command)
        return cast(F, command)

    return decorate


def python_option(help_text: str) -> Callable[[F], F]:
    """--python PATH, refused at once when it names nothing (`existing_python`)."""

    def decorate(func: F) -> F:
        return click.option(
            "--python",
            metavar="PATH",
            default=None,
            callback=lambda _ctx, _param, value: None if value is None else existing_python(value),
            help=help_text,
        )(func)

    return decorate


def verbosity_options(verbose_help: str, quiet_help: str | None = None) -> Callable[[F], F]:
    """-v/--verbose and (with `quiet_help`) -q/--quiet, with what each means for the command."""

    def decorate(func: F) -> F:
        if quiet_help is not None:
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
