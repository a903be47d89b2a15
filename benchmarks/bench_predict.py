"""Quick benchmark vs full reference trainings, side by side, in one table.

    python benchmarks/bench_predict.py --python ~/.cache/tfcert-ci/exam-py38/bin/python \
        --python ~/.cache/tfcert-ci/tf-py311/bin/python --markdown docs/benchmark-table.md

For each interpreter: one quick run of the chosen categories (what `check`
and `bench` do), then one full reference training per category (what
`bench --full` does), each in its own process. Prints category, predicted
(band), actual, ratio, the category's time inside the quick run, and the
full run's wall time; then the quick run's wall time and peak memory
against the targets (60 s, 2 GiB) and the prediction error against +/-15 %
per category and 10 % in total. Full runs of categories 3-5 take minutes
each on 2 CPU cores: run it in the background and keep the machine quiet
(the load average before and after each run is printed, because other
processes' load goes straight into the timings).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from envcheck.bench.analysis import Comparison, analyse, compare
from envcheck.bench.measure import full_timeout, measure
from envcheck.bench.verdict import format_duration
from envcheck.matrix import load_matrix

QUICK_TARGET_S = 60.0
MEMORY_TARGET_MIB = 2048.0
CATEGORY_TOLERANCE = 0.15
TOTAL_TOLERANCE = 0.10


@dataclass
class InterpreterResult:
    python: str
    label: str
    quick_wall_s: float
    quick_peak_mib: float | None
    comparisons: list[Comparison]
    shares: dict[int, tuple[float | None, float | None]]
    loads: list[tuple[str, float, float]]
    raw: dict[str, Any]


def load() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


def run_one(python: str, categories: list[int], matrix: Path | None, skip_full: bool,
            log: Any) -> InterpreterResult:
    m = load_matrix(matrix)
    bench = m.benchmark
    assert bench is not None, "the matrix has no benchmark section"
    loads: list[tuple[str, float, float]] = []
    before = load()
    started = time.perf_counter()
    quick_run = measure(python, bench, categories=categories, mode="quick", save_check=True,
                        timeout_s=600)
    quick_wall = time.perf_counter() - started
    loads.append(("quick", before, load()))
    quick = analyse(quick_run, bench)
    env = quick_run.environment or {}
    label = f"Python {env.get('python')}, TF {env.get('tensorflow')}, Keras {env.get('keras')}"
    print(f"{label}: quick run {quick_wall:.1f} s, peak {quick_run.peak_rss_mib} MiB, "
          f"outcome {quick_run.run.outcome} {quick_run.run.message}", file=log, flush=True)
    comparisons: list[Comparison] = []
    shares: dict[int, tuple[float | None, float | None]] = {}
    raw: dict[str, Any] = {"quick": quick.to_dict(), "full": {}}
    if not skip_full:
        for category in categories:
            prediction = quick.predictions.get(category)
            limit = full_timeout(prediction.high_s if prediction else 3600.0)
            before = load()
            full = measure(python, bench, categories=[category], mode="full", save_check=False,
                           timeout_s=limit)
            loads.append((f"full {category}", before, load()))
            comparison = compare(category, quick, full)
            comparisons.append(comparison)
            shares[category] = (cpu_share(quick_run.categories.get(category)),
                                cpu_share(full.categories.get(category)))
            raw["full"][str(category)] = full.to_dict()
            print(f"  category {category}: " + json.dumps(comparison.to_dict()), file=log,
                  flush=True)
    else:
        comparisons = [compare(c, quick, quick_run) for c in categories]
        shares = {c: (cpu_share(quick_run.categories.get(c)), None) for c in categories}
    return InterpreterResult(python, label, quick_wall, quick_run.peak_rss_mib, comparisons,
                             shares, loads, raw)


def cpu_share(result: dict[str, Any] | None) -> float | None:
    """CPU seconds per wall second over the steady epochs: how many of the cores the
    training got (about 1.9 alone on 2 cores; less means other processes took some)."""
    if not result:
        return None
    epochs = result.get("epochs", [])[1:]
    wall = sum(e.get("span_s", 0.0) for e in epochs)
    cpu = sum(e.get("cpu_s", 0.0) for e in epochs)
    return cpu / wall if wall > 0 else None


def _fmt(seconds: float | None) -> str:
    return "-" if seconds is None else format_duration(seconds)


def table(results: list[InterpreterResult], skip_full: bool) -> str:
    lines = [
        "| environment | category | predicted (band) | actual | ratio | quick-run time | "
        "full-run time | CPU share quick/full |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        total_pred = total_actual = 0.0
        complete = True
        for c in r.comparisons:
            p = c.prediction
            band = f"{_fmt(p.predicted_s)} ({_fmt(p.low_s)}-{_fmt(p.high_s)})" if p else "-"
            actual = None if skip_full else c.actual_s
            ratio = f"{c.ratio:.2f}" if c.ratio and not skip_full else "-"
            full_wall = None if skip_full else c.full_wall_s
            if p is None or actual is None:
                complete = False
            else:
                total_pred += p.predicted_s
                total_actual += actual
            note = f" ({c.problem})" if c.problem and not skip_full else ""
            quick_share, full_share = r.shares.get(c.category, (None, None))
            share = "/".join("-" if x is None else f"{x:.2f}" for x in (quick_share, full_share))
            lines.append(f"| {r.label} | {c.category} | {band} | {_fmt(actual)}{note} | {ratio} "
                         f"| {_fmt(c.quick_s)} | {_fmt(full_wall)} | {share} |")
        ratio_total = f"{total_pred / total_actual:.2f}" if complete and total_actual else "-"
        full_sum = sum(c.full_wall_s or 0.0 for c in r.comparisons) if not skip_full else None
        lines.append(
            f"| {r.label} | **total** | {_fmt(total_pred)} | "
            f"{_fmt(total_actual) if complete and not skip_full else '-'} | {ratio_total} | "
            f"{_fmt(r.quick_wall_s)} (whole quick run, peak {r.quick_peak_mib or 0:.0f} MiB) | "
            f"{_fmt(full_sum)} | |"
        )
    return "\n".join(lines) + "\n"


def verdict_lines(results: list[InterpreterResult], skip_full: bool) -> list[str]:
    out = []
    for r in results:
        out.append(f"{r.label}: quick run {r.quick_wall_s:.1f} s (target <= {QUICK_TARGET_S:.0f})"
                   f", peak {r.quick_peak_mib} MiB (target <= {MEMORY_TARGET_MIB:.0f})")
        if skip_full:
            continue
        off = [c.category for c in r.comparisons
               if c.ratio is None or abs(c.ratio - 1) > CATEGORY_TOLERANCE]
        pred = sum(c.prediction.predicted_s for c in r.comparisons if c.prediction)
        act = sum(c.actual_s or 0.0 for c in r.comparisons)
        total_ok = act > 0 and abs(pred / act - 1) <= TOTAL_TOLERANCE
        out.append(f"  categories outside +/-{CATEGORY_TOLERANCE:.0%}: {off or 'none'}; "
                   f"total within +/-{TOTAL_TOLERANCE:.0%}: {'yes' if total_ok else 'no'}")
        out.append("  load average (1 min) before/after: " + ", ".join(
            f"{name} {a:.1f}/{b:.1f}" for name, a, b in r.loads))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", action="append", required=True,
                        help="an interpreter with TensorFlow (repeatable)")
    parser.add_argument("--category", type=int, action="append", choices=range(1, 6),
                        help="only these categories (repeatable; default all five)")
    parser.add_argument("--matrix", type=Path, default=None, help="another compat_matrix.yaml")
    parser.add_argument("--skip-full", action="store_true",
                        help="only the quick runs (checks the 60 s / 2 GiB targets)")
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    parser.add_argument("--json", type=Path, help="write every raw measurement to this file")
    args = parser.parse_args(argv)
    categories = sorted(set(args.category or [1, 2, 3, 4, 5]))
    results = [run_one(p, categories, args.matrix, args.skip_full, sys.stderr)
               for p in args.python]
    text = table(results, args.skip_full)
    notes = verdict_lines(results, args.skip_full)
    print(text)
    print("\n".join(notes))
    if args.markdown:
        args.markdown.write_text(text + "\n" + "\n".join(f"    {n}" for n in notes) + "\n",
                                 encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps([{"python": r.python, "label": r.label, **r.raw}
                                         for r in results], indent=1, default=str),
                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
