"""The one output path every command takes: what to write, redacted or not, and where.

A command parses `--format/--json/-o/--no-redact` into an `Output`
(envcheck.commands.options.output_options), renders its result for
`out.fmt`, and hands the text to `deliver`. `deliver` writes it to stdout or
atomically to the file, and when the file cannot be written after a long run
prints the result instead of losing it. Commands that run for long (`check`,
`bench`) call `out.check_destination()` first, so a bad -o fails before the
run, not after it; and write their result with Ctrl-C deferred
(`envcheck.workflow.ctrl_c_deferred`).

JSON documents of every kind carry `schema_version` and `kind`
(`envelope`); `tfcert-envcheck schema KIND` prints each kind's JSON Schema
(envcheck.schemas).
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from envcheck.errors import OutputError

T = TypeVar("T")


@dataclass(frozen=True)
class Output:
    """Where and how a command writes its result."""

    fmt: str = "text"
    path: Path | None = None
    redact: bool = True

    @property
    def to_stdout(self) -> bool:
        return self.path is None or str(self.path) == "-"

    @property
    def to_terminal(self) -> bool:
        """The human terminal view: text on stdout (colour and width follow the terminal)."""
        return self.to_stdout and self.fmt == "text"

    @property
    def redacted(self) -> bool:
        """Redact before rendering: a shareable format or a file, unless --no-redact."""
        from envcheck.redact import is_shareable

        return self.redact and is_shareable(self.fmt, None if self.to_stdout else self.path)

    def color(self) -> bool:
        from envcheck.ui import color_wanted

        return self.to_terminal and color_wanted(sys.stdout)

    def width(self, default: int = 100, widest: int = 120) -> int:
        """The terminal's width for the terminal view, else a fixed `default`."""
        if not self.to_terminal:
            return default
        return max(60, min(widest, shutil.get_terminal_size((default, 24)).columns))

    def check_destination(self) -> None:
        """Fail now, before a long run, when the file could not be written."""
        from envcheck.output import check_destination, stream_usable

        if self.to_stdout and not stream_usable(sys.stdout):
            raise OutputError(
                "standard output is closed, so the result has nowhere to go: "
                "write it to a file with -o FILE"
            )
        check_destination(None if self.to_stdout else self.path)


def deliver(text: str, out: Output, *, what: str = "result") -> None:
    """`text` to stdout or atomically to `out.path`; never lost when the file fails."""
    from envcheck.errors import reader_may_close
    from envcheck.output import emit
    from envcheck.render import fit_encoding

    def for_stdout(text: str) -> str:
        # cp1252 on a redirected Windows console: escapes each format reads back, no crash.
        return fit_encoding(text, out.fmt, getattr(sys.stdout, "encoding", None))

    try:
        with reader_may_close():  # `| head` must not turn the result's exit code into 1
            emit(for_stdout(text) if out.to_stdout else text, out.path)
    except OutputError as exc:
        from envcheck.output import stream_usable

        if out.to_stdout or not stream_usable(sys.stdout):
            raise
        # The run may have taken many minutes: its result is not lost with the file.
        emit(for_stdout(text), None)
        raise OutputError(f"{exc} (the {what} was printed to stdout instead)") from None


def run_then_write(
    out: Output,
    run: Callable[[], T],
    write: Callable[[T], None],
    exit_code: Callable[[T], int],
) -> int:
    """The path of every command that runs something and writes its result.

    Check the destination before the run (a long run must not end in "cannot
    write"), run (with whatever progress the command shows on stderr), write
    with Ctrl-C deferred so the result is never cut short, and return the exit
    code the result decides. `check`, `bench` and `pycharm` all take it.
    """
    from envcheck.errors import remember_exit_code
    from envcheck.workflow import ctrl_c_deferred

    out.check_destination()
    result = run()
    code = exit_code(result)
    remember_exit_code(code)  # kept should the reader close the pipe while it is written
    with ctrl_c_deferred():
        write(result)
    return code


def envelope(kind: str, body: dict[str, Any], *, schema_version: int = 1) -> dict[str, Any]:
    """A JSON document of `kind`: schema_version and kind first, then `body`."""
    return {"schema_version": schema_version, "kind": kind, **body}


def dump_json(doc: Any) -> str:
    """JSON as every command writes it: indented, UTF-8, C1 controls and bidi escaped."""
    from envcheck.render.json import escape_unsafe

    return escape_unsafe(json.dumps(doc, indent=2, ensure_ascii=False, default=str)) + "\n"
