"""Quick benchmark vs full reference trainings, side by side, in one table.

    python benchmarks/bench_predict.py --python ~/.cache/tfcert-ci/exam-py38/bin/python \
        --python ~/.cache/tfcert-ci/tf-py311/bin/python --repeat 3 --wait-quiet 120 \
        --markdown docs/benchmark-table.md

For each interpreter: one quick run of the chosen categories (what `check`
and `bench` do), then `--repeat` full reference trainings per category (what
`bench --full` does), each in its own process. Prints category, predicted
(band), actual (the mean of the full runs, and their range), the ratio to
the mean and to each run, the category's time inside the quick run, the
full run's wall time, the CPU share each got, and how many cores other
processes took meanwhile; then the quick run's wall time and peak memory
against the targets (60 s, 2 GiB) and the prediction error against +/-15 %
per category and 10 % in total.

Why the mean of several runs: under TensorFlow 2.9 a full training's time
varies run to run by up to a minute, because tf.data's autotuning thread
sometimes holds up an iterator's teardown (docs/benchmark.md); the
prediction is the expected time. Why "others' CPU": on a 2-core machine
another process's load goes straight into the timings, so each run says
how much of the machine it did not have. Full runs of categories 3-5 take
minutes each on 2 CPU cores: run it in the background on a quiet machine.

`--class` runs everything as a smaller machine (one CPU, one CPU at half
speed, 4 GiB of memory: benchmarks/machine_class.py), and the saved
measurements say which class they were made in.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from machine_class import CLASSES, ClassUnavailable, machine_class  # a script beside this one

from envcheck.bench.analysis import Comparison, analyse, compare
from envcheck.bench.budget import format_duration
from envcheck.bench.measure import BenchRun, full_timeout, measure
from envcheck.matrix import load_matrix

QUICK_TARGET_S = 60.0
MEMORY_TARGET_MIB = 2048.0
CATEGORY_TOLERANCE = 0.15
TOTAL_TOLERANCE = 0.10
BUSY_OTHERS_CORES = 0.15
"""Other processes using more than this many cores during a run make it 'contended'."""
_IDLE_FIELDS = {"idle", "iowait", "steal", "guest", "guest_nice"}


class MachineLoad:
    """CPU the rest of the machine used while one run went on: cores taken by other
    processes (machine-wide busy time less this process and its finished children,
    the probe among them) and cores stolen by the hypervisor, per wall second."""

    def __init__(self) -> None:
        self._cpu = psutil.cpu_times()
        self._own = os.times()
        self._t = time.perf_counter()

    def stop(self) -> tuple[float, float]:
        wall = time.perf_counter() - self._t
        cpu, own = psutil.cpu_times(), os.times()
        fields = [f for f in cpu._fields if f not in _IDLE_FIELDS]
        busy = sum(getattr(cpu, f) - getattr(self._cpu, f) for f in fields)
        ours = sum(b - a for a, b in zip(self._own[:4], own[:4], strict=True))
        steal = getattr(cpu, "steal", 0.0) - getattr(self._cpu, "steal", 0.0)
        if wall <= 0:
            return 0.0, 0.0
        return max(0.0, busy - ours) / wall, max(0.0, steal) / wall


def wait_until_quiet(max_wait_s: float, log: Any) -> None:
    """Sample the machine for 3 s at a time until other processes use under
    BUSY_OTHERS_CORES, for at most `max_wait_s`."""
    deadline = time.monotonic() + max_wait_s
    while True:
        sample = MachineLoad()
        time.sleep(3.0)
        others, _ = sample.stop()
        if others < BUSY_OTHERS_CORES or time.monotonic() >= deadline:
            if others >= BUSY_OTHERS_CORES:
                print(
                    f"  still busy after {max_wait_s:.0f} s ({others:.2f} cores used by "
                    "others): measuring anyway",
                    file=log,
                    flush=True,
                )
            return


@dataclass
class CategoryResult:
    """One category: its prediction next to one or more full reference runs."""

    category: int
    runs: list[Comparison]
    full_shares: list[float | None]
    others: list[float]
    """Cores other processes used during each full run."""

    @property
    def prediction(self) -> Any:
        return self.runs[0].prediction

    @property
    def actuals(self) -> list[float]:
        return [c.actual_s for c in self.runs if c.actual_s]

    @property
    def actual_s(self) -> float | None:
        """The mean of the full runs: the prediction is an expected value."""
        values = self.actuals
        return sum(values) / len(values) if values and len(values) == len(self.runs) else None

    @property
    def ratio(self) -> float | None:
        actual = self.actual_s
        return self.prediction.predicted_s / actual if self.prediction and actual else None

    @property
    def run_ratios(self) -> list[float]:
        return [c.ratio for c in self.runs if c.ratio]

    @property
    def problem(self) -> str | None:
        return next((c.problem for c in self.runs if c.problem), None)


@dataclass
class InterpreterResult:
    python: str
    label: str
    quick_wall_s: float
    quick_peak_mib: float | None
    quick_others: float
    quick_shares: dict[int, float | None]
    categories: list[CategoryResult]
    raw: dict[str, Any]
    skip_full: bool


def run_one(
    python: str,
    categories: list[int],
    matrix: Path | None,
    *,
    skip_full: bool,
    repeat: tuple[int, dict[int, int]],
    quiet_wait_s: float,
    log: Any,
    machine_info: dict[str, Any] | None = None,
    checkpoint: Callable[[str, str, dict[str, Any]], None] | None = None,
    full_categories: list[int] | None = None,
) -> InterpreterResult:
    """One quick run and the full runs; `checkpoint(python, label, raw)` is called
    after every run, so a session that ends mid-way keeps what was measured."""
    m = load_matrix(matrix)
    bench = m.benchmark
    assert bench is not None, "the matrix has no benchmark section"
    if quiet_wait_s > 0:
        wait_until_quiet(quiet_wait_s, log)
    machine = MachineLoad()
    started = time.perf_counter()
    quick_run = measure(
        python, bench, categories=categories, mode="quick", save_check=True, timeout_s=600
    )
    quick_wall = time.perf_counter() - started
    quick_others, quick_steal = machine.stop()
    quick = analyse(quick_run, bench)
    env = quick_run.environment or {}
    label = f"Python {env.get('python')}, TF {env.get('tensorflow')}, Keras {env.get('keras')}"
    if machine_info is not None and machine_info.get("name", "vm") != "vm":
        label += f" [{machine_info['name']}]"
    print(
        f"{label}: quick run {quick_wall:.1f} s, peak {quick_run.peak_rss_mib} MiB, "
        f"others {quick_others:.2f} cores, steal {quick_steal:.2f}, "
        f"outcome {quick_run.run.outcome} {quick_run.run.message}",
        file=log,
        flush=True,
    )
    raw: dict[str, Any] = {
        "quick": quick.to_dict(),
        "quick_others_cores": quick_others,
        "full": {},
        "machine_class": machine_info or {"name": "vm"},
    }
    if checkpoint is not None:
        checkpoint(python, label, raw)
    results: list[CategoryResult] = []
    for category in categories:
        if not skip_full and full_categories and category not in full_categories:
            continue  # in the quick run only
        if skip_full:
            results.append(
                CategoryResult(category, [compare(category, quick, quick_run)], [None], [])
            )
            continue
        prediction = quick.predictions.get(category)
        limit = full_timeout(prediction.high_s if prediction else 3600.0)
        result = CategoryResult(category, [], [], [])
        runs = repeat[1].get(category, repeat[0])
        for attempt in range(runs):
            if quiet_wait_s > 0:
                wait_until_quiet(quiet_wait_s, log)
            machine = MachineLoad()
            full = measure(
                python, bench, categories=[category], mode="full", save_check=False, timeout_s=limit
            )
            others, steal = machine.stop()
            comparison = compare(category, quick, full)
            result.runs.append(comparison)
            result.full_shares.append(cpu_share(full.categories.get(category)))
            result.others.append(others)
            raw["full"].setdefault(str(category), []).append(
                {"run": full.to_dict(), "others_cores": others, "steal_cores": steal}
            )
            print(
                f"  category {category} run {attempt + 1}/{runs}: others {others:.2f} "
                f"cores, steal {steal:.2f}; " + json.dumps(comparison.to_dict()),
                file=log,
                flush=True,
            )
            if checkpoint is not None:
                checkpoint(python, label, raw)
        results.append(result)
    shares = {c: cpu_share(quick_run.categories.get(c)) for c in categories}
    return InterpreterResult(
        python,
        label,
        quick_wall,
        quick_run.peak_rss_mib,
        quick_others,
        shares,
        results,
        raw,
        skip_full,
    )


def read_raw(path: Path) -> list[dict[str, Any]]:
    """A --json file, gzip-compressed or not (benchmarks/results/ keeps them compressed).
    One that cannot be read, or is not such a file, ends the script with one line."""
    try:
        with (
            gzip.open(path, "rt", encoding="utf-8")
            if path.suffix == ".gz"
            else path.open(encoding="utf-8")
        ) as fh:
            data = json.load(fh)
    except OSError as exc:  # missing, unreadable, not gzip (gzip.BadGzipFile)
        raise SystemExit(f"{path}: cannot read: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SystemExit(f"{path}: not a bench_predict.py --json file: {exc}") from None
    if not isinstance(data, list) or not all(
        isinstance(env, dict) and isinstance(env.get("quick"), dict) for env in data
    ):
        raise SystemExit(f"{path}: not a bench_predict.py --json file (no list of runs)")
    return data


def write_raw(path: Path, data: list[dict[str, Any]]) -> None:
    """Write (replace) atomically: a checkpoint cut short leaves the last one whole."""
    text = json.dumps(data, indent=1, default=str)
    partial = path.with_name(path.name + ".partial")
    if path.suffix == ".gz":
        with gzip.open(partial, "wt", encoding="utf-8") as fh:
            fh.write(text)
    else:
        partial.write_text(text, encoding="utf-8")
    partial.replace(path)


def reanalyse(
    path: Path,
    matrix: Path | None,
    quick_from: Path | None = None,
    full_from: Sequence[Path] = (),
) -> list[InterpreterResult]:
    """The table again from a --json file, with the current prediction arithmetic;
    with `quick_from`, the predictions come from that file's quick run instead;
    `full_from` adds the full runs of other files of the same interpreter and
    machine class (a category measured later on its own) to this file's."""
    m = load_matrix(matrix)
    bench = m.benchmark
    assert bench is not None, "the matrix has no benchmark section"
    quicks = {env["label"]: env for env in read_raw(quick_from)} if quick_from else {}
    results = []
    for env in read_raw(path):
        env = _with_full_runs_of(env, full_from)
        if quick_from is not None:
            if env["label"] not in quicks:
                raise SystemExit(f"{quick_from}: no quick run of {env['label']}")
            env = {
                **env,
                "quick": quicks[env["label"]]["quick"],
                "quick_others_cores": quicks[env["label"]].get("quick_others_cores"),
            }
        quick_run = BenchRun.from_dict(_with_class_cpus(env["quick"]["run"], env))
        quick = analyse(quick_run, bench)
        categories = []
        for key, saved in sorted(env["full"].items(), key=lambda kv: int(kv[0])):
            category = int(key)
            runs = full_runs(saved)
            result = CategoryResult(category, [], [], [])
            for item in runs:
                full = BenchRun.from_dict(item["run"])
                result.runs.append(compare(category, quick, full))
                result.full_shares.append(cpu_share(full.categories.get(category)))
                if "others_cores" in item:
                    result.others.append(item["others_cores"])
            categories.append(result)
        results.append(
            InterpreterResult(
                env["python"],
                env["label"],
                quick_run.wall_s or 0.0,
                quick_run.peak_rss_mib,
                _number_or_nan(env.get("quick_others_cores")),
                {c.category: cpu_share(quick_run.categories.get(c.category)) for c in categories},
                categories,
                env,
                skip_full=not categories,
            )
        )
    return results


def full_runs(saved: Any) -> list[dict[str, Any]]:
    """A category's saved full runs as a list of {"run": ...} items (files from before
    --repeat saved a single run)."""
    return list(saved) if isinstance(saved, list) else [{"run": saved}]


def _interpreter(env: dict[str, Any]) -> str:
    return str(env["label"]).split(" [", 1)[0]


def _class_name(env: dict[str, Any]) -> str:
    return str((env.get("machine_class") or {}).get("name", "vm"))


def _with_full_runs_of(env: dict[str, Any], others: Sequence[Path]) -> dict[str, Any]:
    """`env` with the full runs of the same interpreter and class in `others` added."""
    if not others:
        return env
    full = {key: full_runs(runs) for key, runs in env["full"].items()}
    for other in others:
        # The label names the class too ("... [1cpu]"): match without it, then say
        # which class the other file was measured as.
        same = [e for e in read_raw(other) if _interpreter(e) == _interpreter(env)]
        if not same:
            raise SystemExit(f"{other}: no full runs of {_interpreter(env)}")
        for extra in same:
            if _class_name(extra) != _class_name(env):
                raise SystemExit(
                    f"{other}: measured as class {_class_name(extra)!r}, "
                    f"not {_class_name(env)!r} like the file it adds to"
                )
            for key, runs in extra["full"].items():
                full.setdefault(key, []).extend(full_runs(runs))
    return {**env, "full": full}


def _with_class_cpus(run: dict[str, Any], saved: dict[str, Any]) -> dict[str, Any]:
    """Files from before the probe reported `usable_cpus` (the 1cpu class's first
    one): the CPUs the machine class pinned it to, from the file itself."""
    environment = run.get("environment") or {}
    cpus = (saved.get("machine_class") or {}).get("cpus")
    if "usable_cpus" in environment or not isinstance(cpus, list) or not cpus:
        return run
    return {**run, "environment": {**environment, "usable_cpus": len(cpus)}}


def _number_or_nan(value: Any) -> float:
    return float(value) if isinstance(value, int | float) else float("nan")


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


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _range(values: list[float], fmt: Any) -> str:
    if len(values) < 2:
        return ""
    return f" ({fmt(min(values))}-{fmt(max(values))})"


def table(results: list[InterpreterResult]) -> str:
    lines = [
        "| environment | category | predicted (band) | actual: mean (range) | ratio: to mean "
        "(per run) | quick-run time | full-run time | CPU share quick/full | "
        "others' CPU quick/full |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        total_pred = total_actual = 0.0
        complete = True
        for c in r.categories:
            p = c.prediction
            band = f"{_fmt(p.predicted_s)} ({_fmt(p.low_s)}-{_fmt(p.high_s)})" if p else "-"
            actual = None if r.skip_full else c.actual_s
            total_pred += p.predicted_s if p else 0.0
            if p is None or actual is None:
                complete = False
            else:
                total_actual += actual
            if r.skip_full:
                actual_text = ratio = full_wall = "-"
            else:
                note = f" ({c.problem})" if c.problem else ""
                runs = "" if len(c.runs) < 2 else f", {len(c.runs)} runs"
                actual_text = f"{_fmt(actual)}{_range(c.actuals, _fmt)}{runs}{note}"
                ratio = (f"{c.ratio:.2f}" if c.ratio else "-") + _range(
                    c.run_ratios, lambda x: f"{x:.2f}"
                )
                full_wall = _fmt(_mean([x.full_wall_s for x in c.runs if x.full_wall_s]))
            full_share = _mean([x for x in c.full_shares if x is not None])
            share = "/".join(
                "-" if x is None else f"{x:.2f}"
                for x in (r.quick_shares.get(c.category), full_share)
            )
            others = (
                ("-" if math.isnan(r.quick_others) else f"{r.quick_others:.2f}")
                + "/"
                + ("-" if not c.others else f"{max(c.others):.2f}")
            )
            lines.append(
                f"| {r.label} | {c.category} | {band} | {actual_text} | {ratio} "
                f"| {_fmt(c.runs[0].quick_s)} | {full_wall} | {share} | {others} |"
            )
        ratio_total = f"{total_pred / total_actual:.2f}" if complete and total_actual else "-"
        lines.append(
            f"| {r.label} | **total** | {_fmt(total_pred)} | "
            f"{_fmt(total_actual) if complete and not r.skip_full else '-'} | {ratio_total} | "
            f"{_fmt(r.quick_wall_s)} (whole quick run, peak {r.quick_peak_mib or 0:.0f} MiB) | "
            "| | |"
        )
    return "\n".join(lines) + "\n"


def verdict_lines(results: list[InterpreterResult]) -> list[str]:
    out = []
    for r in results:
        out.append(
            f"{r.label}: quick run {r.quick_wall_s:.1f} s (target <= {QUICK_TARGET_S:.0f})"
            f", peak {r.quick_peak_mib} MiB (target <= {MEMORY_TARGET_MIB:.0f})"
        )
        if r.skip_full:
            continue
        off = [
            c.category
            for c in r.categories
            if c.ratio is None or abs(c.ratio - 1) > CATEGORY_TOLERANCE
        ]
        single = [
            c.category
            for c in r.categories
            if any(abs(x - 1) > CATEGORY_TOLERANCE for x in c.run_ratios)
        ]
        pred = sum(c.prediction.predicted_s for c in r.categories if c.prediction)
        act = sum(c.actual_s or 0.0 for c in r.categories)
        total_ok = act > 0 and abs(pred / act - 1) <= TOTAL_TOLERANCE
        out.append(
            f"  categories outside +/-{CATEGORY_TOLERANCE:.0%} of the mean: "
            f"{off or 'none'}; of a single run: {single or 'none'}; "
            f"total within +/-{TOTAL_TOLERANCE:.0%}: {'yes' if total_ok else 'no'}"
        )
        busy = [
            f"{c.category}" for c in r.categories if c.others and max(c.others) > BUSY_OTHERS_CORES
        ]
        if r.quick_others > BUSY_OTHERS_CORES:
            busy.insert(0, "quick")
        out.append(
            f"  contended runs (others > {BUSY_OTHERS_CORES} cores): {', '.join(busy) or 'none'}"
        )
    return out


def repeat_spec(text: str) -> tuple[int, dict[int, int]]:
    """'N' or 'N,C=M,...': N full runs of each category, M of category C."""
    default, overrides = 1, {}
    try:
        for i, part in enumerate(p.strip() for p in text.split(",")):
            if "=" in part:
                category, count = (int(x) for x in part.split("=", 1))
                if category not in range(1, 6):
                    raise ValueError(f"no category {category}")
                overrides[category] = count
            elif i == 0:
                default = int(part)
            else:
                raise ValueError(f"{part!r} is not C=M")
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r}: {exc}") from None
    if min([default, *overrides.values()]) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: every count must be at least 1")
    return default, overrides


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--python", action="append", help="an interpreter with TensorFlow (repeatable)"
    )
    parser.add_argument(
        "--reanalyse",
        type=Path,
        action="append",
        metavar="RAW.json",
        help="no runs: the table again from a --json file, with the current "
        "prediction arithmetic (repeatable)",
    )
    parser.add_argument(
        "--quick-from",
        type=Path,
        metavar="RAW.json",
        help="with --reanalyse: predict from this file's quick run (one made "
        "with --skip-full) instead of the one saved beside the full runs",
    )
    parser.add_argument(
        "--full-from",
        type=Path,
        action="append",
        default=[],
        metavar="RAW.json",
        help="with --reanalyse: add this file's full runs (the same interpreter and "
        "machine class, e.g. a category measured later on its own) to those "
        "saved beside the quick run (repeatable)",
    )
    parser.add_argument(
        "--category",
        type=int,
        action="append",
        choices=range(1, 6),
        help="only these categories (repeatable; default all five)",
    )
    parser.add_argument(
        "--full-category",
        type=int,
        action="append",
        choices=range(1, 6),
        help="full runs of these categories only (repeatable; default: every category "
        "of the quick run, which still runs them all)",
    )
    parser.add_argument("--matrix", type=Path, default=None, help="another compat_matrix.yaml")
    parser.add_argument(
        "--skip-full",
        action="store_true",
        help="only the quick runs (checks the 60 s / 2 GiB targets)",
    )
    parser.add_argument(
        "--repeat",
        type=repeat_spec,
        default=(1, {}),
        metavar="N[,C=M...]",
        help="full runs per category (default 1), e.g. '2,1=5,2=5' for two "
        "of each and five of the short categories 1 and 2; the actual time "
        "is their mean, since TensorFlow's iterator teardown waits vary run "
        "to run",
    )
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="before each run, wait up to SECONDS for other processes to use "
        f"under {BUSY_OTHERS_CORES} cores",
    )
    parser.add_argument(
        "--class",
        dest="machine_class",
        choices=sorted(CLASSES),
        default="vm",
        help="run as this machine class: "
        + "; ".join(f"{k}: {v}" for k, v in CLASSES.items())
        + " (the cgroup classes need root; the script says why when it "
        "cannot set one up, and undoes it at the end)",
    )
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    parser.add_argument("--json", type=Path, help="write every raw measurement to this file")
    args = parser.parse_args(argv)
    categories = sorted(set(args.category or [1, 2, 3, 4, 5]))
    if bool(args.python) == bool(args.reanalyse):
        parser.error("give --python (to measure) or --reanalyse (saved measurements)")
    if (args.quick_from or args.full_from) and not args.reanalyse:
        parser.error("--quick-from and --full-from go with --reanalyse")
    if args.reanalyse:
        results = [
            r
            for path in args.reanalyse
            for r in reanalyse(path, args.matrix, args.quick_from, args.full_from)
        ]
    else:
        saved: dict[str, dict[str, Any]] = {}

        def checkpoint(python: str, label: str, raw: dict[str, Any]) -> None:
            saved[python] = {"python": python, "label": label, **raw}
            if args.json:
                write_raw(args.json, list(saved.values()))

        try:
            with machine_class(args.machine_class) as applied:
                print(
                    f"machine class {applied.name}: {applied.description}; CPUs "
                    f"{applied.cpus}; {applied.settings or 'no cgroup settings'}",
                    file=sys.stderr,
                    flush=True,
                )
                results = [
                    run_one(
                        p,
                        categories,
                        args.matrix,
                        skip_full=args.skip_full,
                        repeat=args.repeat,
                        quiet_wait_s=args.wait_quiet,
                        log=sys.stderr,
                        machine_info=applied.to_dict(),
                        checkpoint=checkpoint,
                        full_categories=args.full_category,
                    )
                    for p in args.python
                ]
        except ClassUnavailable as exc:
            print(
                f"bench_predict: cannot run as class {args.machine_class}: {exc}", file=sys.stderr
            )
            return 2
    text = table(results)
    notes = verdict_lines(results)
    print(text)
    print("\n".join(notes))
    if args.markdown:
        args.markdown.write_text(
            text + "\n" + "\n".join(f"    {n}" for n in notes) + "\n", encoding="utf-8"
        )
    if args.json:
        write_raw(args.json, [{"python": r.python, "label": r.label, **r.raw} for r in results])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
