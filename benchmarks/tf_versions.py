"""How much the TensorFlow version alone changes training speed, from saved rounds.

    python benchmarks/tf_versions.py OLD.json.gz NEW.json.gz [--new-quick QUICK.json.gz]

Both files come from `benchmarks/bench_predict.py --json` on the same machine
(benchmarks/results/ keeps this project's). For each exam category it prints
the steady-state time of one training step (the quick run's median, warm-up
dropped) and the mean time of the full reference trainings under each
TensorFlow version, and how many times slower the newer one is. A second quick
run of the newer version (`--new-quick`) adds its step time as a range. The
README's sentence on why the benchmark must run in the exam's own interpreter
quotes this table; tests/test_bench_scripts.py checks that it still does.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_predict import InterpreterResult, reanalyse


def _step_ms(result: InterpreterResult, category: int) -> float:
    prediction = result.categories[category - 1].runs[0].prediction
    assert prediction is not None, f"{result.label}: no prediction for category {category}"
    return float(prediction.train_step.median_s) * 1000


def _fmt_ms(value: float) -> str:
    return f"{value:.2f} ms" if value < 10 else f"{value:.0f} ms"


def _fmt_ratio(low: float, high: float) -> str:
    return f"{low:.2f}x" if f"{low:.2f}" == f"{high:.2f}" else f"{low:.2f}-{high:.2f}x"


def _fmt_s(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    return f"{int(seconds // 60)} min {seconds % 60:02.0f} s"


def table(old: InterpreterResult, new: list[InterpreterResult]) -> str:
    """One row per category: step times and full-run times, old vs new."""
    lines = [
        f"| category | step: {old.label} | step: {new[0].label} | step ratio (new/old) "
        f"| full run: old | full run: new | full-run ratio |",
        "|---|---|---|---|---|---|---|",
    ]
    for result in old.categories:
        category = result.category
        old_step = _step_ms(old, category)
        new_steps = sorted(_step_ms(n, category) for n in new)
        old_full = result.actual_s
        new_full = new[0].categories[category - 1].actual_s
        assert old_full is not None and new_full is not None, "every full run must be there"
        steps = " / ".join(_fmt_ms(s) for s in new_steps)
        lines.append(
            f"| {category} | {_fmt_ms(old_step)} | {steps} "
            f"| {_fmt_ratio(new_steps[0] / old_step, new_steps[-1] / old_step)} "
            f"| {_fmt_s(old_full)} | {_fmt_s(new_full)} | {new_full / old_full:.2f}x |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old", type=Path, help="saved round under the older TensorFlow")
    parser.add_argument("new", type=Path, help="the same round under the newer TensorFlow")
    parser.add_argument("--new-quick", type=Path, help="a second quick run of the newer one")
    args = parser.parse_args(argv)
    (old,) = reanalyse(args.old, None)
    new = reanalyse(args.new, None)
    if args.new_quick:
        new += reanalyse(args.new, None, quick_from=args.new_quick)
    print(table(old, new))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
