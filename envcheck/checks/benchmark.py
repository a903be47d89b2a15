"""Training benchmark: will the five exam trainings fit the 5-hour exam?

One quick run of probes/probe_bench.py (about a minute on 2 CPU cores)
measures all five reference workloads and the .h5 save; the checks read its
`Analysis` (envcheck.bench.analysis), computed once through `ctx.memo`. `check
--no-bench` skips the whole category; `--retrain-factor` reaches the verdict
through `ctx.options.retrain_factor`.
"""

from __future__ import annotations

from typing import Any

from envcheck.bench.analysis import Analysis, analyse
from envcheck.bench.budget import (
    Readiness,
    TimeBudget,
    bar,
    format_duration,
    margin_note,
    percent,
    share_of_budget,
)
from envcheck.bench.config import Benchmark
from envcheck.bench.measure import EventCollector, from_probe_run, probe_args
from envcheck.bench.predict import Prediction
from envcheck.checks import hints
from envcheck.checks.base import (
    Check,
    Context,
    Evidence,
    Finding,
    check,
    error,
    failure,
    ok,
    skipped,
    warning,
)
from envcheck.probing.runner import ProbeInterrupted, ProbeOutcome

CHECKS: list[Check] = []

_SPEEDUP_FIX = (
    "Close other programs while training; train on a supported NVIDIA GPU if you have one "
    "(see the nvidia checks); during the exam, train for fewer epochs with a callback that "
    "stops at the target accuracy."
)


class _NoBenchmark(Exception):
    """The matrix has no benchmark section, or the probe gave nothing to analyse."""


def _config(ctx: Context) -> Benchmark:
    bench = ctx.matrix.benchmark
    if bench is None:
        raise _NoBenchmark("the matrix has no benchmark section")
    return bench


def retrain_factor(ctx: Context, bench: Benchmark) -> float:
    value = ctx.options.retrain_factor
    return value if value is not None else bench.retrain_factor


def analysis(ctx: Context) -> Analysis:
    """Run the quick benchmark once per check run; every benchmark check reads it."""
    return ctx.memo(_analysis)


def _analysis(ctx: Context) -> Analysis:
    bench = _config(ctx)
    requested = bench.categories
    collector = EventCollector(ctx.on_progress)
    recorded = ctx.runs.get("bench")  # tests feed a recorded run through ctx.record
    if recorded is not None:
        run = recorded
    else:
        forward = ctx.on_progress
        ctx.on_progress = collector  # keep finished categories even if the probe is killed
        try:
            run = ctx.probe("bench", probe_args(bench, requested, mode="quick"))
        except ProbeInterrupted as exc:
            partial = analyse(
                from_probe_run(exc.run, collector, requested, "quick"),
                bench,
                retrain_factor=retrain_factor(ctx, bench),
            )
            ctx.shared["benchmark"] = partial.to_dict()
            raise
        finally:
            ctx.on_progress = forward
    result = analyse(
        from_probe_run(run, collector, requested, "quick"),
        bench,
        retrain_factor=retrain_factor(ctx, bench),
    )
    ctx.shared["benchmark"] = result.to_dict()  # lands in the report's facts
    return result


def _no_tensorflow(result: Analysis) -> str | None:
    """Why nothing could be measured at all (TensorFlow does not import), if so."""
    if result.run.environment is None:
        return result.run.run.message or "the benchmark probe reported nothing"
    return None


def _category_check(category: int) -> None:
    def run_check(ctx: Context) -> Finding:
        try:
            bench = _config(ctx)
            bench.workload(category)
        except (_NoBenchmark, KeyError):
            return skipped(f"no reference workload for category {category} in the matrix")
        result = analysis(ctx)
        dead = _no_tensorflow(result)
        if dead is not None:
            return skipped(f"not measured: {dead}")
        prediction = result.predictions.get(category)
        if prediction is None:
            why = result.problems.get(category, "no result")
            return error(
                f"could not determine the training time: {why}",
                fix="Run `tfcert-envcheck bench --category "
                f"{category}` to see the measurement, with -v for the probe's output.",
                details={"probe": result.run.run.to_dict()},
            )
        return _category_finding(prediction, bench, retrain_factor(ctx, bench), result)

    workload_titles = {
        1: "regression",
        2: "Fashion MNIST",
        3: "image CNN",
        4: "text",
        5: "time series",
    }
    run_check.__doc__ = f"Predicted time of the category {category} reference training."
    check(
        f"benchmark.category{category}",
        f"Category {category} training ({workload_titles[category]})",
        owns=("bench",),
        registry=CHECKS,
    )(run_check)


def _category_finding(p: Prediction, bench: Benchmark, factor: float, result: Analysis) -> Finding:
    share = share_of_budget(p.predicted_s, bench, factor)
    observed = (
        f"{format_duration(p.predicted_s)} ({format_duration(p.low_s)}-"
        f"{format_duration(p.high_s)}) per training"
    )
    summary = (
        f"{observed}; x{factor:g} = {format_duration(p.predicted_s * factor)}, "
        f"{percent(share)} of the exam {bar(share, 10)}"
    )
    details: dict[str, Any] = {
        "workload": p.title,
        "prediction": p.to_dict(),
        "share_with_retrains": share,
        "measured": result.run.categories.get(p.category, {}).get("summary"),
    }
    if share > bench.category_warn_share:
        return warning(
            summary,
            fix=f"This question alone would take more than {bench.category_warn_share:.0%} "
            f"of the exam. {_SPEEDUP_FIX}",
            observed=observed,
            expected=f"under {format_duration(bench.exam_budget_s * bench.category_warn_share)}"
            " with retrains",
            details=details,
            source=bench.thresholds_reasoning,
        )
    return ok(summary, observed=observed, details=details)


for _category in range(1, 6):
    _category_check(_category)


@check(
    "benchmark.total",
    "All five trainings against the 5-hour budget",
    owns=("bench",),
    registry=CHECKS,
)
def total_check(ctx: Context) -> Finding:
    """Sum of the predicted trainings x retrain factor against the exam budget."""
    try:
        bench = _config(ctx)
    except _NoBenchmark as exc:
        return skipped(f"not measured: {exc}")
    result = analysis(ctx)
    dead = _no_tensorflow(result)
    v = result.budget
    if dead is not None or v is None:
        probe = result.run.run
        if probe.outcome is ProbeOutcome.MEMORY:
            # Stopped before it could exhaust the machine: that is the finding.
            return failure(
                f"not enough memory to train the exam models: the benchmark {probe.message}",
                fix="Close memory-hungry programs (browsers, Docker, other IDEs) and run again; "
                "if it stops again, this machine needs more RAM for the exam's image and text "
                "trainings.",
                details={"benchmark": result.to_dict()},
            )
        return error(
            "could not determine whether the trainings fit the exam: "
            + (dead or "no category was measured"),
            fix="Make TensorFlow import in this interpreter first (see the tensorflow checks), "
            "then run `tfcert-envcheck bench`.",
            details={"benchmark": result.to_dict()},
        )
    return _budget_finding(v, bench, result)


def _budget_finding(v: TimeBudget, bench: Benchmark, result: Analysis) -> Finding:
    observed = (
        f"{format_duration(v.total_s)} for one training of each category "
        f"({format_duration(v.low_s)}-{format_duration(v.high_s)}); "
        f"x{v.retrain_factor:g} = {format_duration(v.with_retrains_s)}, "
        f"{v.share:.0%} of {format_duration(v.budget_s)} {bar(v.share)}"
    )
    expected = (
        f"ready up to {bench.ready_max_share:.0%} ({format_duration(v.ready_limit_s)}), "
        f"marginal up to {bench.marginal_max_share:.0%} ({format_duration(v.marginal_limit_s)})"
    )
    details = {"verdict": result.to_dict()["verdict"]}
    kw: Evidence = {
        "observed": observed,
        "expected": expected,
        "source": bench.thresholds_reasoning,
        "details": details,
    }
    if v.readiness is Readiness.READY:
        return ok(f"ready: {observed}", **kw)
    if v.readiness is Readiness.MARGINAL:
        return warning(f"marginal: {observed}{margin_note(v)}", fix=_SPEEDUP_FIX, **kw)
    if v.readiness is Readiness.NOT_READY:
        missing = (
            f" (without categories {', '.join(map(str, v.missing))}, which were not measured)"
            if v.missing
            else ""
        )
        return failure(f"not ready: {observed}{missing}", fix=_SPEEDUP_FIX, **kw)
    missing_list = ", ".join(str(c) for c in v.missing)
    reasons = "; ".join(f"{c}: {result.problems[c]}" for c in v.missing)
    return error(
        f"could not determine: categories {missing_list} were not measured ({reasons}); "
        f"the others take {observed}",
        fix="Run `tfcert-envcheck bench` to measure them, with -v for the probe's output.",
        **kw,
    )


@check("benchmark.h5_save", "Saving a model as mymodel.h5", owns=("bench",), registry=CHECKS)
def h5_save_check(ctx: Context) -> Finding:
    """Save a small model as .h5 (what "Submit and Test" uploads) and load it back."""
    try:
        _config(ctx)
    except _NoBenchmark as exc:
        return skipped(f"not measured: {exc}")
    result = analysis(ctx)
    dead = _no_tensorflow(result)
    if dead is not None:
        return skipped(f"not checked: {dead}")
    save = result.run.save_check
    if save is None:
        return error(
            f"could not determine: the save check did not run ({result.run.run.message})",
            fix="Run `tfcert-envcheck bench` with -v to see where the probe stopped.",
        )
    if "error" in save:
        return failure(
            f"saving or reloading mymodel.h5 failed: {save['error']}",
            fix="The exam grades the .h5 file each question saves: install h5py in this "
            f"interpreter ({hints.pip(ctx, 'h5py')}) and check the model saves.",
            details={"save_check": save},
        )
    size = f"{int(save.get('bytes', 0)) / 1024:.1f} KiB"
    if not save.get("is_hdf5") or not save.get("same_predictions"):
        return failure(
            f"mymodel.h5 ({size}) was written but "
            + (
                "is not an HDF5 file"
                if not save.get("is_hdf5")
                else "gives different predictions after reloading"
            ),
            fix="Reinstall TensorFlow and h5py in this interpreter; the exam grades this file.",
            details={"save_check": save},
        )
    if save.get("keras_major") == 3:
        said = f" (Keras said: {save['warnings'][0]})" if save.get("warnings") else ""
        return warning(
            f"mymodel.h5 saved ({size}) and reloaded, but by Keras 3, for which .h5 is a "
            f"legacy format kept for compatibility; its native format is .keras{said}",
            fix="Train and save with the exam's pinned TensorFlow (see the packages checks): "
            "the grader used TensorFlow 2.x with Keras 2, and a .h5 written by Keras 3 does "
            "not load there (measured: TensorFlow 2.9 refuses a TF 2.21 mymodel.h5 with "
            "\"Unrecognized keyword arguments: ['batch_shape', 'optional']\").",
            source="measured 2026-11-29: a Sequential model saved as .h5 by TF 2.21 / Keras 3.15 "
            "and loaded with tf.keras.models.load_model in TF 2.9 / Keras 2.9",
            details={"save_check": save},
        )
    return ok(
        f"mymodel.h5 saved ({size}), reloaded, same predictions (Keras {save.get('keras_major')})",
        details={"save_check": save},
    )
