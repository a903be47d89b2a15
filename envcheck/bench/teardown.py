"""The teardown-wait model: when Keras drops a tf.data iterator, the program may
sit idle until tf.data's autotuning thread next wakes up (up to 60 s).

The wait is a sawtooth of the iterator's lifetime (`teardown_wait`); how often
it happens was measured per TensorFlow version (`TEARDOWN_ODDS`, counted by
benchmarks/teardown_odds.py); `detect_teardown_waits` looks for it in a quick
run's epoch boundaries. `envcheck.bench.predict` adds the expected waits to a
prediction and its band.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

AUTOTUNE_FIRST_PERIOD_S = 0.01
AUTOTUNE_MAX_PERIOD_S = 60.0
"""tf.data's autotuning thread wakes 10 ms after an iterator starts, then at periods
doubling up to 60 s (kOptimizationPeriodThresholdMs in model_dataset_op.cc)."""
TEARDOWN_SHORT_S = 5.0
"""Iterators that lived less than this wait far less often (WaitOdds.short)."""
TEARDOWN_MIN_DETECTABLE_S = 0.04
"""A predicted wait shorter than this is not used to detect the behaviour (timer noise)."""


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


def worst_teardown_wait(shortest_s: float, longest_s: float) -> float:
    """The longest wait of an iterator that lived anywhere from `shortest_s` to
    `longest_s`: just after a wake-up inside that range it waits a whole period.
    What "every wait happens" means for a single teardown whose lifetime is known
    only to within the band (measured: category 2 under TF 2.9 pinned to one CPU,
    an iterator of 22.9 s that waited 18.4 s, for the wake-up at 40.95 s, where the
    average over +/-15 % of the lifetime is 14.7 s)."""
    worst = teardown_wait(shortest_s) if shortest_s > 0 else 0.0
    wake, period = 0.0, AUTOTUNE_FIRST_PERIOD_S
    while wake < longest_s:
        if wake >= shortest_s:
            worst = max(worst, period)
        wake += period
        period = min(period * 2, AUTOTUNE_MAX_PERIOD_S)
    return worst


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
    (
        (2, 16),
        WaitOdds(
            0.26,
            0.51,
            "TensorFlow 2.21, rounds 1-2 of benchmarks/results/: 10 of 38 "
            "teardowns of iterators that lived under 5 s waited, 55 of "
            "108 longer-lived ones",
        ),
    ),
    (
        (0, 0),
        WaitOdds(
            0.25,
            0.46,
            "TensorFlow 2.9, rounds 1-2 of benchmarks/results/: 1 of 4 "
            "teardowns of iterators made every epoch that lived under 5 s waited, "
            "23 of 50 longer-lived ones",
        ),
    ),
)
"""Measured odds by the first TensorFlow version they apply to, newest first: 2.9's for
versions before 2.16 (Keras 2), 2.21's from 2.16 on (Keras 3). Keras 2's one iterator
per fit over NumPy arrays has odds of its own (FIT_END_ODDS); under Keras 3 every
iterator is an epoch's."""


SINGLE_CPU_ODDS = WaitOdds(
    1.0,
    0.94,
    "TensorFlow 2.9 on one CPU (benchmarks/results/2026-11-30_1cpu-tf2.9.0): 6 of 6 "
    "teardowns of iterators that lived under 5 s waited, 31 of 33 longer-lived ones",
)
"""Where the training has one CPU or less to itself, nearly every teardown waits (two
vCPUs: about half). Measured with TensorFlow 2.9 only; used for every version."""


EPOCH_END_ODDS = WaitOdds(
    0.0,
    0.25,
    "TensorFlow 2.21 (Keras 3), rounds 1-2 of benchmarks/results/, category 5 (a "
    "dataset of unknown length): 0 of 1 epochs whose iterator lived under 5 s ended "
    "in the wait, 4 of 16 longer-lived ones",
)
"""How often an epoch over a dataset of unknown length ends in a teardown wait inside
its last training step, under Keras 3 on two vCPUs or more (one CPU or less:
SINGLE_CPU_ODDS; Keras 2 never: tests/test_bench_scripts.py checks every saved run)."""


FIT_END_ODDS = WaitOdds(
    0.12,
    0.29,
    "TensorFlow 2.9 (Keras 2) on two vCPUs, every run in benchmarks/results/ up to "
    "2026-11-30's mem4g-tf2.9.0-cat45 (rounds 1-3, denormals, mem4g): 1 of 8 "
    "iterators over NumPy arrays that lived under 5 s waited when fit returned, "
    "6 of 21 longer-lived ones",
)
"""How often the one iterator of a whole fit (Keras 2 over NumPy arrays: categories 1,
2 and 4) waited when fit returned, on two vCPUs or more: less often than the
iterators made every epoch (TEARDOWN_ODDS), for a reason not found. One CPU or less:
SINGLE_CPU_ODDS, counted over both kinds."""


def effective_cpus(environment: Mapping[str, Any]) -> float | None:
    """The CPUs the benchmark's process could use: its affinity, lowered by a cgroup CPU
    limit; None where the probe did not say (reports from before it did)."""
    values = [
        float(environment[key])
        for key in ("usable_cpus", "cpu_limit")
        if isinstance(environment.get(key), int | float)
        and not isinstance(environment.get(key), bool)
        and environment[key] > 0
    ]
    return min(values) if values else None


def wait_odds(tensorflow: str | None, cpus: float | None = None) -> WaitOdds:
    """The measured odds for this TensorFlow version (the newest ones if it is unknown),
    or the single-CPU ones where the process has one CPU or less."""
    if cpus is not None and cpus <= 1:
        return SINGLE_CPU_ODDS
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
    epoch_end: WaitOdds | None = None
    """Keras 3: the odds that an epoch over a dataset of unknown length ends in a
    teardown wait inside its last step (EPOCH_END_ODDS); None: it never does."""
    fit_end: WaitOdds | None = None
    """Keras 2: the odds that the one iterator of a fit over NumPy arrays waits when
    fit returns (FIT_END_ODDS); None: `odds`."""

    @property
    def matched(self) -> int:
        return sum(1 for pred, obs in self.samples if _matches(pred, obs))


def _matches(predicted: float, observed: float) -> bool:
    return abs(observed - predicted) <= max(0.015, 0.3 * predicted)


def is_teardown_wait(lifetime_s: float, gap_s: float) -> bool:
    """Whether a gap after an iterator that lived `lifetime_s` is its teardown wait:
    the sawtooth's value for that lifetime, to within 30 %."""
    predicted = teardown_wait(lifetime_s)
    return predicted >= TEARDOWN_MIN_DETECTABLE_S and _matches(predicted, gap_s)


def tracing_seconds(epochs: Sequence[Mapping[str, Any]]) -> float:
    """What the first epoch's first step took beyond a later epoch's first step (their
    median): the tracing, done before the step reads its first batch. A later epoch's
    first step may be long too (category 3 fills a 256-image shuffle buffer there),
    but that is reading, inside the iterator's life."""
    firsts = [steps[0] for steps in map(_train_steps, epochs) if steps]
    if len(firsts) < 2:
        return 0.0
    return max(0.0, firsts[0] - statistics.median(firsts[1:]))


def iterator_lifetimes(epochs: Sequence[Mapping[str, Any]]) -> list[float]:
    """How long each epoch's input iterator lived, as its teardown wait counts it: the
    epoch less the gap before it and, in the first epoch, the tracing
    (`tracing_seconds`): the autotuning thread starts with the first batch read.
    Measured: after the first epoch, waits match this sawtooth far more often than the
    whole epoch's (tests/test_bench_scripts.py recounts both)."""
    traced = tracing_seconds(epochs)
    return [
        float(e.get("span_s", 0.0)) - leading_gap(e) - (traced if i == 0 else 0.0)
        for i, e in enumerate(epochs)
    ]


def fit_iterator_lifetime(fit_inner_s: float, epochs: Sequence[Mapping[str, Any]]) -> float:
    """How long one iterator for the whole fit lived (Keras 2 with NumPy input): the fit
    less what it spent before the first batch was read (the first epoch's gap and
    tracing). Measured as for `iterator_lifetimes`."""
    if not epochs:
        return fit_inner_s
    return fit_inner_s - leading_gap(epochs[0]) - tracing_seconds(epochs)


def epoch_end_excess(epoch: Mapping[str, Any]) -> float:
    """How much longer the epoch's last training step took than its median step: an
    epoch-end teardown wait where there is one (the last step's own work is a step's)."""
    steps = _train_steps(epoch)
    if len(steps) < 2:
        return 0.0
    return max(0.0, steps[-1] - statistics.median(steps[:-1]))


def epoch_end_lifetime(previous: Mapping[str, Any], epoch: Mapping[str, Any]) -> float:
    """How long the iterator torn down at the end of `epoch`'s training lived.

    Measured under Keras 3, for a dataset of unknown length: the wait inside an epoch's
    last training step is the sawtooth of the time since the previous epoch's training
    ended (its validation, the gaps, this epoch's steps before the last): within
    0.25 s in every full-run epoch of benchmarks/results/ that waited there but the
    first steady one, which on one CPU or less ended up to 1.1 s later than that
    (tests/test_bench_scripts.py checks them all). The clock starts where Keras 3's
    EpochIterator makes a new iterator once an epoch's steps are done
    (keras/src/trainers/epoch_iterator.py); which object's teardown then waits was
    not traced, only timed. Keras 2 never waits there, nor does Keras 3 on input of
    known length (categories 1-4)."""
    validation = sum(_floats(previous, "val_step_s"))
    return (
        validation
        + _gap(previous, "after_validation")
        + leading_gap(epoch)
        + sum(_train_steps(epoch)[:-1])
    )


def _train_steps(epoch: Mapping[str, Any]) -> list[float]:
    return _floats(epoch, "train_step_s")


def _floats(epoch: Mapping[str, Any], key: str) -> list[float]:
    values = epoch.get(key)
    if not isinstance(values, list):
        return []
    return [float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)]


def leading_gap(epoch: Mapping[str, Any]) -> float:
    """From the previous epoch's end to this epoch's first step: where Keras swaps
    iterators (Keras 2 before on_epoch_begin, Keras 3 after it)."""
    return _gap(epoch, "before_epoch") + _gap(epoch, "to_first_step")


def _teardown_samples(quick: Mapping[str, Any]) -> list[tuple[float, float]]:
    samples: list[tuple[float, float]] = []
    epochs = [e for e in quick.get("epochs", []) if isinstance(e, Mapping)]
    for lifetime, after in zip(iterator_lifetimes(epochs), epochs[1:], strict=False):
        samples.append((teardown_wait(lifetime), leading_gap(after)))
    inner, tail = quick.get("fit_inner_s"), quick.get("fit_tail_s")
    if isinstance(inner, int | float) and isinstance(tail, int | float):
        lifetime = fit_iterator_lifetime(float(inner), epochs)
        samples.append((teardown_wait(lifetime), float(tail)))
    return samples


def detect_teardown_waits(
    measured: Sequence[Mapping[str, Any]],
    keras_major: int | None = None,
    tensorflow: str | None = None,
    cpus: float | None = None,
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
    keras3 = keras_major is not None and keras_major >= 3
    return TeardownWaits(
        present,
        wait_odds(tensorflow, cpus),
        samples,
        arrays_per_epoch=keras3,
        epoch_end=epoch_end_odds(cpus) if keras3 else None,
        fit_end=None if keras3 else fit_end_odds(cpus),
    )


def epoch_end_odds(cpus: float | None = None) -> WaitOdds:
    """EPOCH_END_ODDS, or the single-CPU odds where the process has one CPU or less
    (measured there: 9 of 9 epochs of category 5 under TensorFlow 2.21 ended waiting)."""
    return SINGLE_CPU_ODDS if cpus is not None and cpus <= 1 else EPOCH_END_ODDS


def fit_end_odds(cpus: float | None = None) -> WaitOdds:
    """FIT_END_ODDS, or the single-CPU odds where the process has one CPU or less
    (measured on classes 1cpu and half-cpu under TF 2.9: 10 of 12 such fits that lived
    5 s or more waited)."""
    return SINGLE_CPU_ODDS if cpus is not None and cpus <= 1 else FIT_END_ODDS


def _gap(epoch: Mapping[str, Any], key: str) -> float:
    gaps = epoch.get("gaps_s")
    if isinstance(gaps, Mapping):
        value = gaps.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    return 0.0
