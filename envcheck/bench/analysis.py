"""A benchmark run turned into predictions and a time budget, as one value.

Checks, the `bench` command and benchmarks/bench_predict.py all read this,
so the three can never disagree about what a measurement means.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from envcheck.bench.budget import TimeBudget, time_budget
from envcheck.bench.config import Benchmark
from envcheck.bench.measure import BenchRun
from envcheck.bench.predict import MeasurementError, Prediction, actual_seconds, predict
from envcheck.bench.teardown import TeardownWaits, detect_teardown_waits, effective_cpus


@dataclass(frozen=True)
class Analysis:
    run: BenchRun
    predictions: dict[int, Prediction] = field(default_factory=dict)
    problems: dict[int, str] = field(default_factory=dict)
    """Category -> why it has no prediction."""
    budget: TimeBudget | None = None
    teardown_waits: TeardownWaits | None = None

    def to_dict(self) -> dict[str, Any]:
        v = self.budget
        return {
            "run": self.run.to_dict(),
            "predictions": {str(k): p.to_dict() for k, p in sorted(self.predictions.items())},
            "problems": {str(k): why for k, why in sorted(self.problems.items())},
            "teardown_waits": None
            if self.teardown_waits is None
            else {
                "present": self.teardown_waits.present,
                "odds": None
                if self.teardown_waits.odds is None
                else asdict(self.teardown_waits.odds),
                "matched": self.teardown_waits.matched,
                "samples": [list(s) for s in self.teardown_waits.samples],
                "epoch_end_odds": None
                if self.teardown_waits.epoch_end is None
                else asdict(self.teardown_waits.epoch_end),
                "fit_end_odds": None
                if self.teardown_waits.fit_end is None
                else asdict(self.teardown_waits.fit_end),
            },
            "verdict": None
            if v is None
            else {
                "readiness": v.readiness.value,
                "total_s": v.total_s,
                "low_s": v.low_s,
                "high_s": v.high_s,
                "retrain_factor": v.retrain_factor,
                "with_retrains_s": v.with_retrains_s,
                "share": v.share,
                "budget_s": v.budget_s,
                "ready_limit_s": v.ready_limit_s,
                "marginal_limit_s": v.marginal_limit_s,
                "missing": list(v.missing),
                "ready_margin": v.ready_margin,
                "with_margin_s": v.with_margin_s,
                "margin_over": v.margin_over,
            },
        }


def analyse(run: BenchRun, bench: Benchmark, *, retrain_factor: float | None = None) -> Analysis:
    """Predict every requested category that finished; say why for the others."""
    predictions: dict[int, Prediction] = {}
    problems: dict[int, str] = {}
    import_s = run.import_s
    finished = [(c, run.finished(c)) for c in run.requested]
    env = run.environment or {}
    keras, tensorflow = env.get("keras_major"), env.get("tensorflow")
    waits = detect_teardown_waits(
        [result for _, result in finished if result is not None],
        keras_major=keras if isinstance(keras, int) else None,
        tensorflow=tensorflow if isinstance(tensorflow, str) else None,
        cpus=effective_cpus(env),
    )
    for category, result in finished:
        if result is None:
            problems[category] = run.missing_reason(category)
            continue
        if import_s is None:
            problems[category] = "the probe reported no TensorFlow import time"
            continue
        try:
            predictions[category] = predict(
                bench.workload(category), result, import_s, bench, waits=waits
            )
        except MeasurementError as exc:
            problems[category] = str(exc)
    budget = None
    if predictions:
        budget = time_budget(
            predictions.values(), bench, retrain_factor=retrain_factor, missing=problems
        )
    return Analysis(run, predictions, problems, budget, waits)


@dataclass(frozen=True)
class Comparison:
    """A full reference run of one category next to its quick prediction."""

    category: int
    prediction: Prediction | None
    actual_s: float | None
    """import + prepare + build + fit of the full run (what `predict` predicts)."""
    quick_s: float | None
    """The category's own time inside the quick run (data, prepare, build, fit)."""
    full_wall_s: float | None
    """The whole full-run probe process, synthetic data included."""
    problem: str | None = None

    @property
    def ratio(self) -> float | None:
        if self.prediction is None or not self.actual_s:
            return None
        return self.prediction.predicted_s / self.actual_s

    @property
    def within_band(self) -> bool | None:
        if self.prediction is None or self.actual_s is None:
            return None
        return self.prediction.low_s <= self.actual_s <= self.prediction.high_s

    def to_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "predicted_s": self.prediction.predicted_s if self.prediction else None,
            "low_s": self.prediction.low_s if self.prediction else None,
            "high_s": self.prediction.high_s if self.prediction else None,
            "actual_s": self.actual_s,
            "ratio": self.ratio,
            "within_band": self.within_band,
            "quick_s": self.quick_s,
            "full_wall_s": self.full_wall_s,
            "problem": self.problem,
        }


def quick_seconds(result: dict[str, Any] | None) -> float | None:
    """How long one category took inside the quick run."""
    if result is None:
        return None
    parts = [result.get(k) for k in ("data_s", "prepare_s", "build_s", "fit_s")]
    return sum(float(p) for p in parts if isinstance(p, int | float))


def compare(category: int, quick: Analysis, full: BenchRun) -> Comparison:
    """Put a full run's real time next to the quick run's prediction."""
    prediction = quick.predictions.get(category)
    quick_s = quick_seconds(quick.run.categories.get(category))
    result = full.finished(category)
    problem = None
    actual = None
    if result is None:
        problem = full.missing_reason(category)
    elif full.import_s is None:
        problem = "the full run reported no import time"
    else:
        try:
            actual = actual_seconds(result, full.import_s)
        except MeasurementError as exc:
            problem = str(exc)
    if prediction is None and problem is None:
        problem = quick.problems.get(category, "no prediction")
    return Comparison(category, prediction, actual, quick_s, full.run.duration_s or None, problem)
