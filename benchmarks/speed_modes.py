"""Two-speed epochs in full trainings: how many, how much slower, and where the time went.

    python benchmarks/speed_modes.py FILE ... [--category 4]

For each full reference run saved by `benchmarks/bench_predict.py --json`, each
steady epoch (the first is left out) is "slow" when its median training step is
more than SLOW_FACTOR times the run's typical fast step (the 20th percentile of
its epochs' medians). Printed per file and category: slow epochs of all, the fast
and the slow median step, the CPU seconds per step in each (the CPU time the
process used, all threads together: more CPU per step means the same work cost
more cycles, not that it waited), CPU share (CPU per wall second), and, where the
file has them (from 2026-11-30), the involuntary context switches per step and the
system share of the CPU time. The quick run's own steady median step is printed
beside them: a quick run that saw only the fast speed predicts the fast speed.

docs/benchmark.md quotes the table; tests/test_bench_scripts.py recomputes it.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SLOW_FACTOR = 1.35
"""An epoch whose median step is this much slower than the run's fast epochs is slow."""


@dataclass
class Mode:
    """The epochs of one speed in one run."""

    epochs: int = 0
    steps: int = 0
    span_s: float = 0.0
    cpu_s: float = 0.0
    sys_s: float = 0.0
    involuntary: int = 0
    has_usage: bool = True
    medians: list[float] | None = None

    def add(self, epoch: dict[str, Any], median: float) -> None:
        self.epochs += 1
        self.steps += len(epoch["train_step_s"]) + len(epoch.get("val_step_s", []))
        self.span_s += float(epoch["span_s"])
        self.cpu_s += float(epoch["cpu_s"])
        usage = epoch.get("usage")
        if isinstance(usage, dict):
            self.sys_s += float(usage["sys_s"])
            self.involuntary += int(usage["involuntary_switches"])
        else:
            self.has_usage = False
        self.medians = [*(self.medians or []), median]


def _fmt_ms(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    ms = seconds * 1000
    return f"{ms:.1f}" if ms < 100 else f"{ms:.0f}"


def modes(epochs: list[dict[str, Any]]) -> tuple[Mode, Mode]:
    """(fast, slow) epochs of one full run, the first epoch left out."""
    steady = [e for e in epochs[1:] if e.get("train_step_s")]
    medians = [statistics.median(e["train_step_s"]) for e in steady]
    fast, slow = Mode(), Mode()
    if not medians:
        return fast, slow
    typical = (
        sorted(medians)[max(0, int(len(medians) * 0.2) - 1)] if len(medians) > 1 else medians[0]
    )
    for epoch, median in zip(steady, medians, strict=True):
        (slow if median > SLOW_FACTOR * typical else fast).add(epoch, median)
    return fast, slow


def _row(label: str, category: str, quick_step: float | None, run: int, epochs: list[Any]) -> str:
    fast, slow = modes(epochs)
    total = fast.epochs + slow.epochs

    def per_step(mode: Mode) -> str:
        return _fmt_ms(mode.cpu_s / mode.steps) if mode.steps else "-"

    def median_of(mode: Mode) -> float | None:
        return statistics.median(mode.medians) if mode.medians else None

    def share(mode: Mode) -> str:
        return f"{mode.cpu_s / mode.span_s:.2f}" if mode.span_s else "-"

    def switches(mode: Mode) -> str:
        if not mode.steps or not mode.has_usage:
            return "-"
        return f"{mode.involuntary / mode.steps:.1f}"

    def sys_share(mode: Mode) -> str:
        if not mode.cpu_s or not mode.has_usage:
            return "-"
        return f"{mode.sys_s / mode.cpu_s:.0%}"

    return (
        f"| {label} | {category} | {run} | {_fmt_ms(quick_step)} | {slow.epochs} of {total} "
        f"| {_fmt_ms(median_of(fast))} / {_fmt_ms(median_of(slow))} "
        f"| {per_step(fast)} / {per_step(slow)} | {share(fast)} / {share(slow)} "
        f"| {switches(fast)} / {switches(slow)} | {sys_share(fast)} / {sys_share(slow)} |"
    )


def _quick_step(env: dict[str, Any], category: str) -> float | None:
    result = env["quick"]["run"]["categories"].get(category) or {}
    steps = [s for e in result.get("epochs", [])[1:] for s in e.get("train_step_s", [])]
    return statistics.median(steps) if steps else None


def table(paths: list[Path], categories: list[str]) -> str:
    lines = [
        "| file | cat | run | quick-run step (ms) | slow epochs | median step, fast / slow (ms) "
        "| CPU per step, fast / slow (ms) | CPU share, fast / slow "
        "| involuntary switches per step, fast / slow | system share of CPU, fast / slow |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for path in paths:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            data: list[dict[str, Any]] = json.load(fh)
        for env in data:
            label = path.name.removesuffix(".json.gz")
            for category in categories:
                saved = env["full"].get(category, [])
                runs = saved if isinstance(saved, list) else [{"run": saved}]  # older files
                for number, item in enumerate(runs, 1):
                    result = item["run"]["categories"].get(category) or {}
                    lines.append(
                        _row(
                            label,
                            category,
                            _quick_step(env, category),
                            number,
                            result.get("epochs", []),
                        )
                    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path, help="bench_predict.py --json files")
    parser.add_argument(
        "--category",
        action="append",
        choices=["1", "2", "3", "4", "5"],
        help="only these categories (repeatable; default 3, 4 and 5: the long ones)",
    )
    args = parser.parse_args(argv)
    print(table(args.files, args.category or ["3", "4", "5"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
