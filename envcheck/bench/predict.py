"""From a quick measurement to the time a full reference training takes.

    predicted = startup + epochs x (steps x step_time + val_steps x val_step_time
                                    + per-epoch overhead) + teardown waits

startup is the TensorFlow import, data preparation (scaled by the sample
count where it touches every sample), build and compile, plus what the
first epoch costs beyond a steady one (tracing, the first batch). The step
times come from the steady epochs only: the first `warmup_steps` of the first
epoch are dropped. The band comes from the spread of the steps (1.4826 x MAD
/ median, the jitter tf_cnn_benchmarks prints), held between the matrix's
band_min and band_max, and widened by its speed_drift (a machine's speed over
minutes is not its speed of the moment; the startup drifts too) and by the
teardown waits (none at the low end, all at the high end). The waits
(envcheck.bench.teardown) come where Keras drops an input iterator: between
epochs or when fit returns, and, under Keras 3 over a dataset of unknown
length, inside an epoch's last step; the quick run's steps are timed without
that last wait.

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
from envcheck.bench.teardown import (
    TEARDOWN_MIN_DETECTABLE_S,
    TeardownWaits,
    epoch_end_excess,
    expected_teardown_wait,
    fit_iterator_lifetime,
    is_teardown_wait,
    iterator_lifetimes,
    leading_gap,
    worst_teardown_wait,
)

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


@dataclass(frozen=True)
class _Steps:
    """The quick run's epochs and the step timings of its steady ones."""

    first: Mapping[str, Any]
    steady: list[Mapping[str, Any]]
    train: StepStats
    """Steps of the steady epochs: their mean is the predicted step time."""
    spread: StepStats
    """Those plus the first epoch's after `warmup_steps`: the band's jitter."""
    val: StepStats
    has_val: bool
    lived: tuple[float, ...]
    """How long each epoch's input iterator lived but the last's, as measured (the
    epoch-end waits still in): what a gap before the next epoch is matched against."""


def _steps(quick: Mapping[str, Any], bench: Benchmark, epoch_end_waits: bool) -> _Steps:
    sizes = quick.get("sizes") or {}
    epochs = _epochs(quick)
    if len(epochs) < 2:
        raise MeasurementError(
            f"only {len(epochs)} of {sizes.get('epochs', '?')} quick epochs finished; "
            "two are needed (the first traces the model)"
        )
    first, steady = epochs[0], epochs[1:]
    lived = tuple(iterator_lifetimes(epochs)[:-1])
    if epoch_end_waits:
        steady = [_without_epoch_end_wait(e) for e in steady]
    train_samples = [s for e in steady for s in _samples(e, "train_step_s")]
    val_samples = [s for e in steady for s in _samples(e, "val_step_s")]
    if not train_samples:
        raise MeasurementError("no training step was timed")
    warm = _samples(first, "train_step_s")[bench.warmup_steps :]
    return _Steps(
        first=first,
        steady=steady,
        train=StepStats.of(train_samples),
        spread=StepStats.of(warm + train_samples),
        val=StepStats.of(val_samples),
        has_val=bool(val_samples),
        lived=lived,
    )


def _epochs(quick: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [e for e in quick.get("epochs", []) if isinstance(e, Mapping)]


def _without_epoch_end_wait(epoch: Mapping[str, Any]) -> Mapping[str, Any]:
    """The epoch as if its last step had not waited: that step at the median's time
    and the epoch that much shorter. The wait is predicted on its own
    (`_epoch_end_waits`); left in, one wait of 0.4 s in a quick epoch of 63 steps of
    15 ms would price every step of the full run 40 % too high."""
    excess = epoch_end_excess(epoch)
    if excess <= 0:
        return epoch
    steps = _samples(epoch, "train_step_s")
    steps[-1] -= excess
    return {**epoch, "train_step_s": steps, "span_s": float(epoch.get("span_s", 0.0)) - excess}


def _epoch_overhead(s: _Steps, iterator_per_epoch: bool) -> float:
    """What a steady epoch costs beyond its steps.

    The gap before an epoch is either a cost every epoch pays or a teardown
    wait; the cost is the mean of the gaps that are not waits, and waits are
    predicted on their own. Waits too short to predict (under
    TEARDOWN_MIN_DETECTABLE_S) stay in the mean, which is where
    `_expected_waits` counts them. Where every epoch makes a new iterator, a
    gap that matches the wait of the previous epoch's iterator is not a cost,
    and the first epoch's gap (no teardown before it) is one more sample of
    the cost: on one CPU nearly every steady gap is a wait. (The first
    epoch's iterator lived from the end of its tracing: the gap after it is a
    wait far more often than the whole epoch's sawtooth says;
    `iterator_lifetimes`.) The mean, not the
    smallest gap: Keras 3 on one CPU started every epoch 50 ms late, quick and
    full run alike, with a few at 10 ms; the smallest predicted 26 s of a
    63 s training (category 1, 2026-11-30).
    """
    befores = [leading_gap(e) for e in s.steady]
    overheads = []
    for epoch, before in zip(s.steady, befores, strict=True):
        span = float(epoch.get("span_s", 0.0)) - before
        n_train = len(_samples(epoch, "train_step_s"))
        n_val = len(_samples(epoch, "val_step_s"))
        overheads.append(span - n_train * s.train.mean_s - n_val * s.val.mean_s)
    fixed = befores
    if iterator_per_epoch:
        fixed = [
            b for b, life in zip(befores, s.lived, strict=True) if not is_teardown_wait(life, b)
        ]
        fixed.append(leading_gap(s.first))
    return max(0.0, statistics.median(overheads) + statistics.fmean(fixed))


def _first_epoch_extra(s: _Steps, overhead: float) -> float:
    """What the first epoch costs beyond a steady one of its size (tracing, the first batch)."""
    first_steps = len(_samples(s.first, "train_step_s"))
    first_val = len(_samples(s.first, "val_step_s"))
    steady_epoch_like_first = first_steps * s.train.mean_s + first_val * s.val.mean_s + overhead
    return max(0.0, float(s.first.get("span_s", 0.0)) - steady_epoch_like_first)


def _fit_outside_epochs(quick: Mapping[str, Any], waits: TeardownWaits) -> float:
    head = quick.get("fit_head_s")
    if isinstance(head, int | float) and waits.odds is not None:
        return float(head)  # a tail is a teardown wait, predicted on its own
    spans = sum(float(e.get("span_s", 0.0)) for e in _epochs(quick))
    return max(0.0, _number(quick, "fit_s") - spans)


def _prepare_seconds(workload: Workload, quick: Mapping[str, Any], full: Sizes) -> float:
    """The quick run's data preparation, scaled to the full sample count where it
    touches every sample."""
    prepare = _number(quick, "prepare_s")
    if workload.prepare_scaling == "per_sample":
        sizes = quick.get("sizes") or {}
        quick_n = int(sizes.get("train_samples", 0)) + int(sizes.get("val_samples", 0))
        if quick_n <= 0:
            raise MeasurementError("the quick run reported no sample count")
        prepare *= (full.train_samples + full.val_samples) / quick_n
    return prepare


def _full_steps(workload: Workload, full: Sizes, s: _Steps) -> tuple[int, int]:
    """Training and validation batches per epoch of the full run."""
    steps = steps_for(workload, full.train_samples, full.batch_size)
    val_steps = steps_for(workload, full.val_samples, full.batch_size)
    if full.val_samples and not s.has_val:
        raise MeasurementError("the validation pass was not timed")
    return steps, val_steps


def _band(bench: Benchmark, spread: StepStats) -> tuple[float, float]:
    """How much slower and faster than predicted the steady epochs may run: the steps'
    jitter (held between the matrix's band_min and band_max) and the speed drift."""
    band = min(bench.band_max, max(bench.band_min, spread.jitter))
    return (1 - band) / (1 + bench.speed_drift), (1 + band) * (1 + bench.speed_drift)


def _iterator_per_epoch(workload: Workload, waits: TeardownWaits) -> bool:
    """tf.data input, or arrays under Keras 3: a new iterator every epoch."""
    return workload.input_pipeline == "dataset" or waits.arrays_per_epoch


def _expected_waits(
    workload: Workload,
    waits: TeardownWaits,
    epochs: int,
    epoch_s: float,
    fit_lifetime_s: float,
    band: tuple[float, float],
) -> tuple[float, float]:
    """(expected waits, every wait) over a full training: (0, 0) without odds.

    A new iterator every epoch: every wait is each epoch's wait averaged over the
    lifetimes near the epoch's (all of them waiting is already the extreme). One
    iterator for the whole fit: its one wait at its worst over the lifetimes the band
    allows, since a single teardown just after a wake-up waits a whole period."""
    if waits.odds is None:
        return 0.0, 0.0
    if _iterator_per_epoch(workload, waits):
        # a new iterator, torn down, every epoch
        lifetime = epoch_s
        per_epoch = expected_teardown_wait(lifetime)
        # Waits this short are already in the measured per-epoch overhead.
        all_waits = epochs * per_epoch if per_epoch >= TEARDOWN_MIN_DETECTABLE_S else 0.0
        return all_waits * waits.odds.at(lifetime), all_waits
    lifetime = fit_lifetime_s
    odds = waits.fit_end or waits.odds
    expected = expected_teardown_wait(lifetime) * odds.at(lifetime)
    return expected, worst_teardown_wait(lifetime * band[0], lifetime * band[1])


def _has_epoch_end_waits(workload: Workload, waits: TeardownWaits) -> bool:
    return waits.epoch_end is not None and workload.dataset_length == "unknown"


def _epoch_end_waits(
    workload: Workload, waits: TeardownWaits, epochs: int, epoch_s: float
) -> tuple[float, float]:
    """(expected, every) epoch-end wait over a full training: Keras 3 over a dataset of
    unknown length, where every epoch after the first can end in the teardown wait of
    an iterator that lived about an epoch (the previous validation and this training:
    `envcheck.bench.teardown.epoch_end_lifetime`)."""
    if waits.epoch_end is None or not _has_epoch_end_waits(workload, waits) or epochs < 2:
        return 0.0, 0.0
    per_epoch = expected_teardown_wait(epoch_s)
    if per_epoch < TEARDOWN_MIN_DETECTABLE_S:
        return 0.0, 0.0  # within the measured steps
    every = (epochs - 1) * per_epoch
    return every * waits.epoch_end.at(epoch_s), every


def predict(
    workload: Workload,
    quick: Mapping[str, Any],
    import_s: float,
    bench: Benchmark,
    full: Sizes | None = None,
    waits: TeardownWaits | None = None,
) -> Prediction:
    """Predict the full training of `workload` from its quick measurement `quick`.

    `quick` is one category's result from probes/probe_bench.py: phase times
    (prepare_s, build_s, fit_s) and per-epoch records (span_s, train_step_s,
    val_step_s). Raises MeasurementError when it is too incomplete.
    """
    full = full or workload.full
    waits = waits or TeardownWaits(False, None)
    s = _steps(quick, bench, _has_epoch_end_waits(workload, waits))
    train, val = s.train, s.val
    overhead = _epoch_overhead(s, _iterator_per_epoch(workload, waits))
    steps, val_steps = _full_steps(workload, full, s)
    first_extra = _first_epoch_extra(s, overhead)
    fit_outside_epochs = _fit_outside_epochs(quick, waits)
    prepare = _prepare_seconds(workload, quick, full)
    build = _number(quick, "build_s")

    epoch_s = steps * train.mean_s + val_steps * val.mean_s + overhead
    startup = import_s + prepare + build + first_extra + fit_outside_epochs
    steady_total = full.epochs * epoch_s
    band = _band(bench, s.spread)
    wait_s, all_waits = _expected_waits(
        workload,
        waits,
        full.epochs,
        epoch_s,
        # the fit (its first epoch, then the steady ones) from its first batch on
        fit_iterator_lifetime(first_extra + steady_total, _epochs(quick)),
        band,
    )
    end_s, all_end = _epoch_end_waits(workload, waits, full.epochs, epoch_s)
    # No waits at all is the low end, every one the high end.
    # The startup drifts with the machine too: a full run's TensorFlow import is not
    # its quick run's (docs/benchmark.md, "How it predicts", gives the measured spread).
    drift = 1 + bench.speed_drift
    low = startup / drift + steady_total * band[0]
    high = startup * drift + steady_total * band[1] + all_waits + all_end
    return Prediction(
        category=workload.category,
        title=workload.title,
        predicted_s=startup + steady_total + wait_s + end_s,
        low_s=low,
        high_s=high,
        startup_s=startup,
        epoch_s=epoch_s,
        epochs=full.epochs,
        steps_per_epoch=steps,
        val_steps_per_epoch=val_steps,
        train_step=s.spread,
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
            "teardown_waits_s": wait_s,
            "epoch_end_waits_s": end_s,
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
