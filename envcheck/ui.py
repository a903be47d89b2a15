"""Human progress on stderr while checks run; silent when stderr is not a terminal."""

from __future__ import annotations

import os
import sys
from typing import Any

from rich.console import Console
from rich.status import Status as Spinner
from rich.text import Text

from envcheck.checks.base import Check
from envcheck.pipeline import Progress
from envcheck.render.safe import clean
from envcheck.render.text import MARKS
from envcheck.results import CheckResult


def stderr_console() -> Console:
    return Console(stderr=True, highlight=False, markup=False, emoji=False)


def color_wanted(stream: Any) -> bool:
    """Colour only on a terminal, never under NO_COLOR (https://no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return bool(getattr(stream, "isatty", lambda: False)())


class LiveProgress(Progress):
    """A spinner naming the running check, and one line per check as it ends."""

    def __init__(self, console: Console | None = None, verbose: bool = False) -> None:
        self.console = console or stderr_console()
        self.verbose = verbose
        self.enabled = self.console.is_terminal
        self._spinner: Spinner | None = None
        self._bench: dict[str, Any] = {}

    def start(self, check: Check) -> None:
        if not self.enabled:
            return
        label = f"{check.title}…"
        if self._spinner is None:
            self._spinner = self.console.status(label)
            self._spinner.start()
        else:
            self._spinner.update(label)

    def done(self, check: Check, result: CheckResult) -> None:
        if not self.enabled or not self.verbose:
            return
        symbol, style = MARKS[result.status]
        self.console.print(
            Text(f"  {symbol} ", style=style)
            + Text(clean(check.id))
            + Text(f" {result.duration_s:.2f} s", style="dim")
        )

    def probe_event(self, event: dict[str, Any]) -> None:
        if not self.enabled or self._spinner is None:
            return
        message = event.get("message") or event.get("event")
        if isinstance(message, str):
            self._spinner.update(clean(message, keep_newlines=False))

    def close(self) -> None:
        if self._spinner is not None:
            self._spinner.stop()
            self._spinner = None


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()
