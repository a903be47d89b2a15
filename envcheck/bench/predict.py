"""From a quick measurement to the time a full reference training takes.

    predicted = startup + epochs x (steps x step_time + val_steps x val_step_time
                                    + per-epoch overhead)

startup is the TensorFlow import, data preparation (scaled by the sample
count where it touches every sample), build and compile, plus what the
first epoch costs beyond a steady one (tracing, the first batch). The step
times come from the steady epochs only: the first `warmup_steps` of the first
epoch are dropped. The band comes from the spread of the steps (1.4826 x MAD
/ median, the jitter tf_cnn_benchmarks prints), held between the matrix's
band_min and band_max.

Why the step time is a mean over whole steady epochs and not the median of
steps: some input pipelines do a whole epoch's decoding in a few steps
(Keras 2's image_dataset_from_directory shuffles *decoded* images in a
256-image buffer, so the first step of an epoch decodes 256 files and the
last eight decode none). The median then misses the decoding; the mean over
whole epochs counts every image once, as the full run does. The median and
MAD are still reported as the steps' spread.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from envcheck.bench.config import Benchmark, Sizes, Workload

MAD_TO_SIGMA = 1.4826


class MeasurementError(ValueError):
    """A quick measurement that cannot support a prediction (and why)."""


@dataclass(frozen=True)
class StepStats:
    """Per-step timing samples of the steady state, in seconds."""

    n: int
    mean_s: float
    median_s: float
    mad_s: float

    @property
    def jitter(self) -> float:
        """1.4826 x MAD relative to the median: a robust relative sigma of a step."""
        if self.median_s <= 0:
            return 0.0
        return MAD_TO_SIGMA * self.mad_s / self.median_s

    @classmethod
    def of(cls, samples: Sequence[float]) -> StepStats:
        if not samples:
            return cls(0, 0.0, 0.0, 0.0)
        med = statistics.median(samples)
        return cls(
            n=len(samples),
            mean_s=statistics.fmean(samples),
            median_s=med,
            mad_s=statistics.median(abs(s - med) for s in samples),
        )


@dataclass(frozen=True)
class Prediction:
    """The predicted time of one category's full reference training, with its parts."""

    category: int
    title: str
    predicted_s: float
    low_s: float
    high_s: float
    startup_s: float
    epoch_s: float
    epochs: int
    steps_per_epoch: int
    val_steps_per_epoch: int
    train_step: StepStats
    val_step: StepStats
    epoch_overhead_s: float
    parts: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def steps_for(workload: Workload, samples: int, batch_size: int) -> int:
    """Batches per epoch for `samples` (rows of the series for a time series)."""
    if workload.kind == "timeseries":
        samples -= workload.shape["n_past"] + workload.shape["n_future"] - 1
    if samples <= 0:
        return 0
    return math.ceil(samples / batch_size)


def _number(result: Mapping[str, Any], key: str) -> float:
    value = result.get(key)
    if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
        raise MeasurementError(f"the probe reported no {key.removesuffix('_s')} time")
    return float(value)


def _samples(epoch: Mapping[str, Any], key: str) -> list[float]:
    values = epoch.get(key, [])
    if not isinstance(values, list):
        raise MeasurementError(f"{key} is not a list of times")
    return [float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)]


def predict(
    workload: Workload,
    quick: Mapping[str, Any],
    import_s: float,
    bench: Benchmark,
    full: Sizes | None = None,
) -> Prediction:
    """Predict the full training of `workload` from its quick measurement `quick`.

    `quick` is one category's result from probes/probe_bench.py: phase times
    (prepare_s, build_s, fit_s) and per-epoch records (span_s, train_step_s,
    val_step_s). Raises MeasurementError when it is too incomplete.
    """
    full = full or workload.full
    sizes = quick.get("sizes") or {}
    epochs = [e for e in quick.get("epochs", []) if isinstance(e, Mapping)]
    if len(epochs) < 2:
        raise MeasurementError(
            f"only {len(epochs)} of {sizes.get('epochs', '?')} quick epochs finished; "
            "two are needed (the first traces the model)"
        )
    steady = epochs[1:]
    first = epochs[0]

    train_samples = [s for e in steady for s in _samples(e, "train_step_s")]
    val_samples = [s for e in steady for s in _samples(e, "val_step_s")]
    if not train_samples:
        raise MeasurementError("no training step was timed")
    warm = _samples(first, "train_step_s")[bench.warmup_steps :]
    train = StepStats.of(train_samples)
    spread = StepStats.of(warm + train_samples)
    val = StepStats.of(val_samples)

    overheads = []
    for epoch in steady:
        span = float(epoch.get("span_s", 0.0))
        n_train = len(_samples(epoch, "train_step_s"))
        n_val = len(_samples(epoch, "val_step_s"))
        overheads.append(span - n_train * train.mean_s - n_val * val.mean_s)
    overhead = max(0.0, statistics.median(overheads))

    steps = steps_for(workload, full.train_samples, full.batch_size)
    val_steps = steps_for(workload, full.val_samples, full.batch_size)
    if full.val_samples and not val_samples:
        raise MeasurementError("the validation pass was not timed")

    first_steps = len(_samples(first, "train_step_s"))
    first_val = len(_samples(first, "val_step_s"))
    steady_epoch_like_first = first_steps * train.mean_s + first_val * val.mean_s + overhead
    first_extra = max(0.0, float(first.get("span_s", 0.0)) - steady_epoch_like_first)
    spans = sum(float(e.get("span_s", 0.0)) for e in epochs)
    fit_s = _number(quick, "fit_s")
    fit_outside_epochs = max(0.0, fit_s - spans)

    prepare = _number(quick, "prepare_s")
    if workload.prepare_scaling == "per_sample":
        quick_n = int(sizes.get("train_samples", 0)) + int(sizes.get("val_samples", 0))
        if quick_n <= 0:
            raise MeasurementError("the quick run reported no sample count")
        prepare *= (full.train_samples + full.val_samples) / quick_n
    build = _number(quick, "build_s")

    epoch_s = steps * train.mean_s + val_steps * val.mean_s + overhead
    startup = import_s + prepare + build + first_extra + fit_outside_epochs
    steady_total = full.epochs * epoch_s
    predicted = startup + steady_total
    band = min(bench.band_max, max(bench.band_min, spread.jitter))
    return Prediction(
        category=workload.category,
        title=workload.title,
        predicted_s=predicted,
        low_s=startup + steady_total * (1 - band),
        high_s=startup + steady_total * (1 + band),
        startup_s=startup,
        epoch_s=epoch_s,
        epochs=full.epochs,
        steps_per_epoch=steps,
        val_steps_per_epoch=val_steps,
        train_step=spread,
        val_step=val,
        epoch_overhead_s=overhead,
        parts={
            "import_s": import_s,
            "prepare_s": prepare,
            "build_s": build,
            "first_epoch_extra_s": first_extra,
            "fit_outside_epochs_s": fit_outside_epochs,
            "train_s": full.epochs * steps * train.mean_s,
            "validation_s": full.epochs * val_steps * val.mean_s,
            "epoch_overhead_total_s": full.epochs * overhead,
        },
    )


def actual_seconds(full_result: Mapping[str, Any], import_s: float) -> float:
    """What a full reference run took, measured the way `predict` counts it:
    import + prepare + build + fit (the synthetic data generation is ours,
    not the exam's, and is left out)."""
    return (
        import_s
        + _number(full_result, "prepare_s")
        + _number(full_result, "build_s")
        + _number(full_result, "fit_s")
    )
