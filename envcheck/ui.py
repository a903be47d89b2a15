"""Human progress on stderr while checks run; silent when stderr is not a terminal."""

from __future__ import annotations

import os
import sys
from typing import Any

from rich.console import Console
from rich.status import Status as Spinner
from rich.text import Text

from envcheck.bench.progress import BenchProgress
from envcheck.checks.base import Check
from envcheck.pipeline import Progress
from envcheck.probing.protocol import BENCH_START
from envcheck.render.safe import clean
from envcheck.render.text import MARKS
from envcheck.results import CheckResult


def stderr_console() -> Console:
    return Console(stderr=True, highlight=False, markup=False, emoji=False)


def color_wanted(stream: Any) -> bool:
    """Colour only on a terminal that is not TERM=dumb, never under NO_COLOR (no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("TERM", "").lower() == "dumb":
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


class LiveProgress(Progress):
    """A spinner naming the running check, and one line per check as it ends.

    While the benchmark probe trains, a progress bar (categories done, the
    running one's epoch and step) takes the spinner's place, as in `bench`.
    """

    def __init__(self, console: Console | None = None, verbose: bool = False) -> None:
        self.console = console or stderr_console()
        self.verbose = verbose
        # A dumb terminal cannot redraw a line: no spinner there.
        self.enabled = self.console.is_terminal and not self.console.is_dumb_terminal
        self._spinner: Spinner | None = None
        self._bar: BenchProgress | None = None

    def start(self, check: Check) -> None:
        if not self.enabled:
            return
        self._stop_bar()
        # Text, not str: rich parses a str label as markup ("[link=...]" would be a link).
        label = Text(f"{clean(check.title, keep_newlines=False)}…")
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
        if not self.enabled:
            return
        categories = event.get("categories")
        if event.get("event") == BENCH_START and isinstance(categories, list):
            # One live display at a time: the bar replaces the spinner until the next check.
            self._stop_spinner()
            self._stop_bar()
            self._bar = BenchProgress(self.console, enabled=True)
            self._bar.start([c for c in categories if isinstance(c, int)], "quick benchmark")
            return
        if self._bar is not None:
            self._bar(event)
            return
        message = event.get("message") or event.get("event")
        if self._spinner is not None and isinstance(message, str):
            self._spinner.update(Text(clean(message, keep_newlines=False)))

    def _stop_bar(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def _stop_spinner(self) -> None:
        if self._spinner is not None:
            self._spinner.stop()
            self._spinner = None

    def close(self) -> None:
        self._stop_bar()
        self._stop_spinner()


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()
