"""A progress bar on stderr while the benchmark probe trains.

It reads the probe's progress events (probes/bench_timing.py and
probe_bench.py send them) and shows the share of the requested categories
done, the running category's epoch and step. Silent when stderr is not a
terminal or with --quiet; it never writes to stdout.
"""

from __future__ import annotations

import threading
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from envcheck.probing.protocol import BENCH_CATEGORY_DONE, BENCH_STEP
from envcheck.render.safe import clean


class BenchProgress:
    """A rich progress bar fed by probe events (a `ProgressCallback`)."""

    def __init__(self, console: Console | None = None, *, enabled: bool | None = None) -> None:
        self.console = console or Console(stderr=True, highlight=False, markup=False)
        self.enabled = self.console.is_terminal if enabled is None else enabled
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self._order: list[int] = []
        self._done: set[int] = set()
        self._lock = threading.Lock()

    def start(self, categories: list[int], label: str) -> None:
        """Show a bar for `categories`; each counts as one unit of work."""
        self._order = list(categories)
        self._done = set()
        if not self.enabled:
            return
        self._progress = Progress(
            TextColumn("{task.description}", markup=False),  # probe text is not markup
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TimeElapsedColumn(),
            console=self.console,
            transient=True,
        )
        self._progress.start()
        self._task = self._progress.add_task(clean(label), total=max(1, len(self._order)))

    def __call__(self, event: dict[str, Any]) -> None:
        if self._progress is None or self._task is None:
            return
        with self._lock:
            kind = event.get("event")
            category = event.get("category")
            completed = float(len(self._done))
            if kind == BENCH_CATEGORY_DONE and isinstance(category, int):
                self._done.add(category)
                completed = float(len(self._done))
            elif kind == BENCH_STEP and isinstance(category, int):
                completed += _fraction(event)
            message = event.get("message")
            update: dict[str, Any] = {"completed": completed}
            if isinstance(message, str):
                update["description"] = clean(message, keep_newlines=False)[:70]
            self._progress.update(self._task, **update)

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
            self._task = None


def _fraction(event: dict[str, Any]) -> float:
    """How far the running category is, from its epoch and step counters."""
    epoch, epochs = event.get("epoch"), event.get("epochs")
    step, steps = event.get("step"), event.get("steps")
    if not isinstance(epoch, int) or not isinstance(epochs, int) or epochs <= 0:
        return 0.0
    within = step / steps if isinstance(step, int) and isinstance(steps, int) and steps else 0.0
    return min(0.99, max(0.0, (epoch - 1 + min(1.0, within)) / epochs))
