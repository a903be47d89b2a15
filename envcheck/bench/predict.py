"""From a quick measurement to the time a full reference training takes.

    predicted = startup + epochs x (steps x step_time + val_steps x val_step_time
                                    + per-epoch overhead)

startup is the TensorFlow import, data preparation (scaled by the sample
count where it touches every sample), build and compile, plus what the
first epoch costs beyond a steady one (tracing, the first batch). The step
times come from the steady epochs only: the first `warmup_steps` of the first
epoch are dropped. The band comes from the spread of the steps (1.4826 x MAD
/ median, the jitter tf_cnn_benchmarks prints), held between the matrix's
band_min and band_max, and widened by its speed_drift (a machine's speed over
minutes is not its speed of the moment) and by the teardown waits (none at
the low end, all at the high end).

Why the step time is a mean over whole steady epochs and not the median of
steps: some input pipelines do a whole epoch's decoding in a few steps
(Keras 2's image_dataset_from_directory shuffles *decoded* images in a
256-image buffer, so the first step of an epoch decodes 256 files and the
last eight decode none). The median then misses the decoding; the mean over
whole epochs counts every image once, as the full run does. The median and
MAD are still reported as the steps' spread.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from envcheck.bench.config import Benchmark, Sizes, Workload

MAD_TO_SIGMA = 1.4826

AUTOTUNE_FIRST_PERIOD_S = 0.01
AUTOTUNE_MAX_PERIOD_S = 60.0
"""tf.data's autotuning thread wakes 10 ms after an iterator starts, then at periods
doubling up to 60 s (kOptimizationPeriodThresholdMs in model_dataset_op.cc)."""
TEARDOWN_SHORT_S = 5.0
"""Iterators that lived less than this wait far less often (WaitOdds.short)."""
TEARDOWN_MIN_DETECTABLE_S = 0.04
"""A predicted wait shorter than this is not used to detect the behaviour (timer noise)."""


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


def autotune_wake_after(lifetime_s: float) -> float:
    """The first wake-up of tf.data's autotuning thread at or after `lifetime_s`."""
    wake, period = 0.0, AUTOTUNE_FIRST_PERIOD_S
    while wake < lifetime_s:
        wake += period
        period = min(period * 2, AUTOTUNE_MAX_PERIOD_S)
    return wake


def teardown_wait(lifetime_s: float) -> float:
    """How long destroying an iterator that lived `lifetime_s` waits, when it waits."""
    return autotune_wake_after(lifetime_s) - lifetime_s


def expected_teardown_wait(lifetime_s: float, spread: float = 0.15, points: int = 61) -> float:
    """The wait averaged over lifetimes within +/- `spread`: the sawtooth jumps from 0 to
    a whole period at each wake-up, so a point prediction of it would be a coin toss."""
    if lifetime_s <= 0:
        return 0.0
    low, high = lifetime_s * (1 - spread), lifetime_s * (1 + spread)
    step = (high - low) / (points - 1)
    return statistics.fmean(teardown_wait(low + i * step) for i in range(points))


@dataclass(frozen=True)
class WaitOdds:
    """How often an iterator's teardown waited for the autotuning thread, as measured
    under one TensorFlow version: by the iterator's lifetime, short or long."""

    short: float
    """Share of the teardowns of iterators that lived under TEARDOWN_SHORT_S."""
    long: float
    """Share of the others."""
    basis: str
    """What was measured."""

    def at(self, lifetime_s: float) -> float:
        return self.short if lifetime_s < TEARDOWN_SHORT_S else self.long


TEARDOWN_ODDS: tuple[tuple[tuple[int, int], WaitOdds], ...] = (
    ((2, 16), WaitOdds(0.23, 0.51, "TensorFlow 2.21, rounds 1-2 of benchmarks/results/: 9 of 39 "
                                   "teardowns of iterators that lived under 5 s waited, 55 of "
                                   "108 longer-lived ones")),
    ((0, 0), WaitOdds(0.09, 0.46, "TensorFlow 2.9, rounds 1-2 of benchmarks/results/: 1 of 11 "
                                  "teardowns of iterators that lived under 5 s waited, 25 of 54 "
                                  "longer-lived ones")),
)
"""Measured odds by the first TensorFlow version they apply to, newest first: 2.9's for
versions before 2.16 (Keras 2), 2.21's from 2.16 on (Keras 3)."""


def wait_odds(tensorflow: str | None) -> WaitOdds:
    """The measured odds for this TensorFlow version (the newest ones if it is unknown)."""
    version = _major_minor(tensorflow)
    for first, odds in TEARDOWN_ODDS:
        if version is None or version >= first:
            return odds
    return TEARDOWN_ODDS[-1][1]


def _major_minor(version: str | None) -> tuple[int, int] | None:
    parts = (version or "").split(".")
    try:
        return int(parts[0]), int(parts[1])
    except (ValueError, IndexError):
        return None


@dataclass(frozen=True)
class TeardownWaits:
    """Whether this interpreter's tf.data makes an iterator's teardown wait.

    Measured with TensorFlow 2.9 and 2.21: when Keras drops an input
    iterator (every epoch for tf.data input, and under Keras 3 for arrays
    too; under Keras 2 arrays keep one iterator until fit returns), the
    program sometimes stops, idle, until tf.data's autotuning thread next
    wakes up: up to 60 s. How often is measured per TensorFlow version
    (`odds`); the quick run's short epochs show the same sawtooth at a small
    scale when it happens there (`present`, evidence only: short-lived
    iterators seldom wait). Each sample is (predicted wait, observed gap).
    """

    present: bool
    odds: WaitOdds | None
    """None: predict no waits at all."""
    samples: tuple[tuple[float, float], ...] = ()
    arrays_per_epoch: bool = False
    """Keras 3 makes a new iterator every epoch for NumPy input as well."""

    @property
    def matched(self) -> int:
        return sum(1 for pred, obs in self.samples if _matches(pred, obs))


def _matches(predicted: float, observed: float) -> bool:
    return abs(observed - predicted) <= max(0.015, 0.3 * predicted)


def leading_gap(epoch: Mapping[str, Any]) -> float:
    """From the previous epoch's end to this epoch's first step: where Keras swaps
    iterators (Keras 2 before on_epoch_begin, Keras 3 after it)."""
    return _gap(epoch, "before_epoch") + _gap(epoch, "to_first_step")


def _teardown_samples(quick: Mapping[str, Any]) -> list[tuple[float, float]]:
    samples: list[tuple[float, float]] = []
    epochs = [e for e in quick.get("epochs", []) if isinstance(e, Mapping)]
    for before, after in itertools.pairwise(epochs):
        lifetime = float(before.get("span_s", 0.0)) - leading_gap(before)
        samples.append((teardown_wait(lifetime), leading_gap(after)))
    inner, tail = quick.get("fit_inner_s"), quick.get("fit_tail_s")
    if isinstance(inner, int | float) and isinstance(tail, int | float):
        samples.append((teardown_wait(float(inner)), float(tail)))
    return samples


def detect_teardown_waits(
    measured: Sequence[Mapping[str, Any]],
    keras_major: int | None = None,
    tensorflow: str | None = None,
) -> TeardownWaits:
    """The odds of teardown waits under this TensorFlow, and whether the quick run's
    epoch boundaries and fit endings showed the sawtooth."""
    samples = tuple(
        (pred, obs)
        for result in measured
        for pred, obs in _teardown_samples(result)
        if pred >= TEARDOWN_MIN_DETECTABLE_S
    )
    present = any(_matches(pred, obs) for pred, obs in samples)
    return TeardownWaits(
        present,
        wait_odds(tensorflow),
        samples,
        arrays_per_epoch=keras_major is not None and keras_major >= 3,
    )


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
    waits: TeardownWaits | None = None,
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

    # The gap before an epoch is either a fixed cost or a teardown wait; the
    # fixed part is its smallest value, waits are predicted on their own.
    befores = [leading_gap(e) for e in steady]
    overheads = []
    for epoch, before in zip(steady, befores, strict=True):
        span = float(epoch.get("span_s", 0.0)) - before
        n_train = len(_samples(epoch, "train_step_s"))
        n_val = len(_samples(epoch, "val_step_s"))
        overheads.append(span - n_train * train.mean_s - n_val * val.mean_s)
    overhead = max(0.0, statistics.median(overheads) + min(befores))

    steps = steps_for(workload, full.train_samples, full.batch_size)
    val_steps = steps_for(workload, full.val_samples, full.batch_size)
    if full.val_samples and not val_samples:
        raise MeasurementError("the validation pass was not timed")

    first_steps = len(_samples(first, "train_step_s"))
    first_val = len(_samples(first, "val_step_s"))
    steady_epoch_like_first = first_steps * train.mean_s + first_val * val.mean_s + overhead
    first_extra = max(0.0, float(first.get("span_s", 0.0)) - steady_epoch_like_first)
    waits = waits or TeardownWaits(False, None)
    head = quick.get("fit_head_s")
    if isinstance(head, int | float) and waits.odds is not None:
        fit_outside_epochs = float(head)  # a tail is a teardown wait, predicted on its own
    else:
        spans = sum(float(e.get("span_s", 0.0)) for e in epochs)
        fit_outside_epochs = max(0.0, _number(quick, "fit_s") - spans)

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
    wait_s = all_waits = 0.0
    if waits.odds is not None:
        if workload.input_pipeline == "dataset" or waits.arrays_per_epoch:
            # a new iterator, torn down, every epoch
            lifetime = epoch_s
            per_epoch = expected_teardown_wait(lifetime)
            # Waits this short are already in the measured per-epoch overhead.
            all_waits = full.epochs * per_epoch if per_epoch >= TEARDOWN_MIN_DETECTABLE_S else 0.0
        else:  # one iterator for the whole fit
            lifetime = first_extra + steady_total
            all_waits = expected_teardown_wait(lifetime)
        wait_s = all_waits * waits.odds.at(lifetime)
    predicted = startup + steady_total + wait_s
    band = min(bench.band_max, max(bench.band_min, spread.jitter))
    # Waits come or not: none at all is the low end, every one the high end.
    return Prediction(
        category=workload.category,
        title=workload.title,
        predicted_s=predicted,
        low_s=startup + steady_total * (1 - band) / (1 + bench.speed_drift),
        high_s=startup + steady_total * (1 + band) * (1 + bench.speed_drift) + all_waits,
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
            "teardown_waits_s": wait_s,
        },
    )


def _gap(epoch: Mapping[str, Any], key: str) -> float:
    gaps = epoch.get("gaps_s")
    if isinstance(gaps, Mapping):
        value = gaps.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    return 0.0


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
