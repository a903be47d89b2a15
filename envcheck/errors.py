"""User-facing errors and the one handler that maps failures to exit codes.

Bad input (a matrix with a typo, an unreadable report, a missing file) is a
`UsageError`: one line naming the file, key or value at fault, exit 2.
Anything else that escapes is a bug in this tool: exit 3 with a short report
a user can paste into an issue, never a bare traceback.
"""

from __future__ import annotations

import contextlib
import os
import platform
import sys
import traceback
from collections.abc import Iterator

from envcheck import __version__
from envcheck.outcome import ExitCode


class EnvcheckError(Exception):
    """Base class for errors this tool reports as one line."""

    exit_code: int = ExitCode.USAGE


class UsageError(EnvcheckError):
    """The user's input is at fault (a file, an option value, a key)."""


class ConfigError(UsageError):
    """compat_matrix.yaml (or a file given with --matrix) is invalid."""


class ReportError(UsageError):
    """A saved report cannot be read."""


class OutputError(EnvcheckError):
    """The output file cannot be written."""


_verdict_exit_code: list[int] = []
"""The exit code of the verdict this run reached, once it has one (see `remember_exit_code`)."""


def remember_exit_code(code: int | None) -> None:
    """Keep the verdict's exit code for a run whose reader closes the pipe early.

    `check | head -c1` closes the pipe while the report is written: the run
    still ends with its verdict's code, never a reassuring 0 for a machine
    that is not ready (nor a 1 for one that is). None forgets it (tests).
    """
    _verdict_exit_code.clear()
    if code is not None:
        _verdict_exit_code.append(int(code))


def _reader_gone_exit_code() -> int:
    """The exit code after a closed pipe: the verdict's; 0 for commands without a verdict."""
    return _verdict_exit_code[-1] if _verdict_exit_code else ExitCode.READY


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so the flush at exit does not fail a second time."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


@contextlib.contextmanager
def reader_may_close() -> Iterator[None]:
    """A reader that closes stdout early ends the command with its verdict's exit code.

    Used inside a click command: click itself would turn a closed pipe into exit 1.
    """
    try:
        yield
    except BrokenPipeError:
        _quiet_stdout()
        raise SystemExit(_reader_gone_exit_code()) from None


def _echo_err(message: str) -> None:
    # Plain stderr write: the error path must not depend on rich or a TTY. With stderr
    # closed (`2>&-`) there is no one to tell: the exit code still says it.
    if sys.stderr is None:
        return
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write(message.rstrip("\n") + "\n")
        sys.stderr.flush()


@contextlib.contextmanager
def error_handler() -> Iterator[None]:
    """Turn exceptions into the documented exit codes (pre-commit's pattern)."""
    try:
        yield
    except EnvcheckError as exc:
        _echo_err(f"tfcert-envcheck: error: {exc}")
        raise SystemExit(exc.exit_code) from None
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM/SIGHUP (envcheck.interrupts)
        from envcheck.interrupts import exit_code_of, reason

        code = exit_code_of(exc)
        _echo_err("tfcert-envcheck: interrupted" + ("" if code == 130 else f" ({reason()})"))
        raise SystemExit(code) from None
    except BrokenPipeError:
        # `tfcert-envcheck check --format json | head` closed the pipe: not our failure,
        # and not a reason to change the verdict's exit code either.
        _quiet_stdout()
        raise SystemExit(_reader_gone_exit_code()) from None
    except Exception as exc:  # the last line of defence: report, don't crash
        tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)[-6:])
        _echo_err(
            "tfcert-envcheck: internal error (this is a bug in the tool, not in your setup).\n"
            "Please paste the following into an issue:\n"
            f"  tfcert-envcheck {__version__}, Python {platform.python_version()} "
            f"on {platform.platform()}\n"
            f"  {type(exc).__name__}: {exc}\n" + _indent(tb)
        )
        raise SystemExit(ExitCode.INTERNAL) from None


def _indent(text: str) -> str:
    return "".join("    " + line + "\n" for line in text.splitlines())
