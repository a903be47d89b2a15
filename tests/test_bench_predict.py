"""The prediction arithmetic: startup + epochs x (steps x step + val + overhead), with a band."""

from __future__ import annotations

from typing import Any

import pytest

from envcheck.bench.config import Benchmark, Sizes, Workload
from envcheck.bench.predict import MeasurementError, StepStats, actual_seconds, predict, steps_for
from envcheck.bench.teardown import (
    EPOCH_END_ODDS,
    FIT_END_ODDS,
    SINGLE_CPU_ODDS,
    TEARDOWN_MIN_DETECTABLE_S,
    TEARDOWN_ODDS,
    TEARDOWN_SHORT_S,
    TeardownWaits,
    WaitOdds,
    autotune_wake_after,
    detect_teardown_waits,
    effective_cpus,
    epoch_end_excess,
    epoch_end_lifetime,
    expected_teardown_wait,
    fit_iterator_lifetime,
    iterator_lifetimes,
    teardown_wait,
    tracing_seconds,
    wait_odds,
    worst_teardown_wait,
)
from envcheck.matrix import load_matrix


@pytest.fixture
def bench() -> Benchmark:
    matrix = load_matrix()
    assert matrix.benchmark is not None
    return matrix.benchmark


def quick_result(
    *,
    steps: int = 10,
    val_steps: int = 3,
    epochs: int = 3,
    step_s: float | list[float] = 0.01,
    val_s: float = 0.004,
    overhead_s: float = 0.02,
    first_extra_s: float = 1.5,
    prepare_s: float = 0.5,
    build_s: float = 0.2,
    outside_s: float = 0.1,
    sizes: dict[str, int] | None = None,
) -> dict[str, Any]:
    """A probe result shaped like probes/probe_bench.py's, with chosen timings."""
    records: list[dict[str, Any]] = []
    for epoch in range(epochs):
        train = list(step_s) if isinstance(step_s, list) else [step_s] * steps
        if epoch == 0:
            train[0] += first_extra_s
        val = [val_s] * val_steps
        records.append(
            {"span_s": sum(train) + sum(val) + overhead_s, "train_step_s": train, "val_step_s": val}
        )
    return {
        "status": "done",
        "sizes": sizes
        or {"train_samples": 320, "val_samples": 96, "epochs": epochs, "batch_size": 32},
        "prepare_s": prepare_s,
        "build_s": build_s,
        "fit_s": sum(r["span_s"] for r in records) + outside_s,
        "epochs": records,
    }


def dense_workload(bench: Benchmark, **full: int) -> Workload:
    workload = bench.workload(2)
    sizes = {"train_samples": 64000, "val_samples": 9600, "epochs": 10, "batch_size": 32}
    sizes.update(full)
    return workload.model_copy(update={"full": Sizes(**sizes)})


def test_prediction_is_startup_plus_epochs_times_steady_epoch(bench: Benchmark) -> None:
    workload = dense_workload(bench)  # 2000 steps and 300 validation steps per epoch
    p = predict(workload, quick_result(), import_s=1.25, bench=bench)

    epoch = 2000 * 0.01 + 300 * 0.004 + 0.02
    prepare = 0.5 * (64000 + 9600) / (320 + 96)  # dense preparation touches every sample
    startup = 1.25 + prepare + 0.2 + 1.5 + 0.1
    assert p.steps_per_epoch == 2000 and p.val_steps_per_epoch == 300
    assert p.epoch_s == pytest.approx(epoch)
    assert p.epoch_overhead_s == pytest.approx(0.02)
    assert p.parts["first_epoch_extra_s"] == pytest.approx(1.5)
    assert p.startup_s == pytest.approx(startup)
    assert p.predicted_s == pytest.approx(startup + 10 * epoch)


def test_fixed_preparation_does_not_scale(bench: Benchmark) -> None:
    series = bench.workload(5)
    assert series.prepare_scaling == "fixed"
    p = predict(series, quick_result(prepare_s=0.3), import_s=0.0, bench=bench)
    assert p.parts["prepare_s"] == pytest.approx(0.3)


def test_time_series_steps_count_windows_not_rows(bench: Benchmark) -> None:
    series = bench.workload(5)
    # 43200 rows give 43200 - 48 + 1 windows of 24 past + 24 future steps.
    assert steps_for(series, 43200, 32) == -(-(43200 - 47) // 32) == 1349
    assert steps_for(series, 40, 32) == 0
    assert steps_for(bench.workload(2), 60000, 32) == 1875


def test_warm_up_steps_are_left_out_of_the_step_time(bench: Benchmark) -> None:
    result = quick_result(first_extra_s=5.0)
    result["epochs"][0]["train_step_s"][1] += 3.0  # a second slow warm-up step
    result["epochs"][0]["span_s"] += 3.0
    p = predict(dense_workload(bench), result, import_s=0.0, bench=bench)
    assert p.train_step.median_s == pytest.approx(0.01)
    assert p.train_step.n == 8 + 2 * 10  # first epoch minus 2 warm-up steps, then 2 epochs
    assert p.parts["first_epoch_extra_s"] == pytest.approx(8.0)


def test_band_comes_from_the_step_spread(bench: Benchmark) -> None:
    steps = [0.009, 0.011] * 5
    p = predict(dense_workload(bench), quick_result(step_s=steps), import_s=0.0, bench=bench)
    jitter = 1.4826 * 0.001 / 0.01
    steady = p.predicted_s - p.startup_s
    drift = 1 + bench.speed_drift  # minutes-long runs may go slower or faster than the moment
    assert p.high_s - p.startup_s * drift == pytest.approx(steady * (1 + jitter) * drift)
    assert p.low_s - p.startup_s / drift == pytest.approx(steady * (1 - jitter) / drift)


def test_the_band_lets_the_startup_drift_too(bench: Benchmark) -> None:
    """A full run's TensorFlow import took 0.56-1.47 x its quick run's in the saved runs;
    in a 3-second training (category 1) that alone had put runs above the band."""
    fast = predict(dense_workload(bench), quick_result(), import_s=0.0, bench=bench)
    slow = predict(dense_workload(bench), quick_result(), import_s=10.0, bench=bench)
    drift = 1 + bench.speed_drift
    assert slow.high_s - fast.high_s == pytest.approx(10.0 * drift)
    assert slow.low_s - fast.low_s == pytest.approx(10.0 / drift)
    assert slow.predicted_s - fast.predicted_s == pytest.approx(10.0)


def test_band_is_held_between_the_matrix_bounds(bench: Benchmark) -> None:
    even = predict(dense_workload(bench), quick_result(), import_s=0.0, bench=bench)
    steady = even.predicted_s - even.startup_s
    drift = 1 + bench.speed_drift
    top = even.high_s - even.startup_s * drift
    assert top == pytest.approx(steady * (1 + bench.band_min) * drift)

    wild = predict(
        dense_workload(bench), quick_result(step_s=[0.001, 0.1] * 5), import_s=0.0, bench=bench
    )
    steady = wild.predicted_s - wild.startup_s
    top = wild.high_s - wild.startup_s * drift
    assert top == pytest.approx(steady * (1 + bench.band_max) * drift)


def test_a_measurement_with_one_epoch_cannot_predict(bench: Benchmark) -> None:
    with pytest.raises(MeasurementError, match="only 1 of 3 quick epochs finished"):
        predict(
            dense_workload(bench),
            quick_result(epochs=1) | {"sizes": {"epochs": 3}},
            import_s=1.0,
            bench=bench,
        )


def test_validation_must_have_been_timed_when_the_full_run_validates(bench: Benchmark) -> None:
    with pytest.raises(MeasurementError, match="validation pass was not timed"):
        predict(dense_workload(bench), quick_result(val_steps=0), import_s=1.0, bench=bench)


def test_missing_phase_time_is_an_error_not_a_zero(bench: Benchmark) -> None:
    result = quick_result()
    del result["build_s"]
    with pytest.raises(MeasurementError, match="no build time"):
        predict(dense_workload(bench), result, import_s=1.0, bench=bench)


def test_actual_time_counts_what_the_prediction_counts() -> None:
    full = {"data_s": 99.0, "prepare_s": 1.0, "build_s": 0.5, "fit_s": 100.0}
    assert actual_seconds(full, import_s=2.0) == pytest.approx(103.5)


def test_step_stats_are_robust_to_one_outlier() -> None:
    stats = StepStats.of([0.01] * 9 + [1.0])
    assert stats.median_s == pytest.approx(0.01)
    assert stats.mad_s == pytest.approx(0.0)
    assert stats.mean_s == pytest.approx(0.109)


def test_autotune_wake_ups_double_up_to_sixty_seconds() -> None:
    # 10 ms, then 20, 40, ... ms later; 40.95 s is the 12th wake-up, then +40.96 s,
    # then every 60 s.
    assert autotune_wake_after(0.005) == pytest.approx(0.01)
    assert autotune_wake_after(0.02) == pytest.approx(0.03)
    assert autotune_wake_after(40.0) == pytest.approx(40.95)
    assert autotune_wake_after(42.41) == pytest.approx(81.91)
    assert autotune_wake_after(504.0) == pytest.approx(561.91)
    # What the category 5 full run under TF 2.9 waited after a 42.41 s epoch: 39.5 s.
    assert teardown_wait(42.41) == pytest.approx(39.5)


def test_expected_wait_averages_the_sawtooth() -> None:
    # Near a wake-up the point value jumps from ~0 to a whole period; the average
    # over +/-15 % lies in between.
    assert teardown_wait(40.9) == pytest.approx(0.05)
    assert teardown_wait(41.0) == pytest.approx(40.91)
    assert 5 < expected_teardown_wait(40.9) < 35


def test_worst_wait_is_a_whole_period_after_a_wake_up_in_the_range() -> None:
    # Category 2, TF 2.9, one CPU: the fit's iterator lived 22.9 s and its teardown
    # waited 18.4 s, for the wake-up at 40.95 s; an iterator just past the wake-up at
    # 20.47 s would wait 20.48 s.
    assert worst_teardown_wait(17.4, 23.6) == pytest.approx(20.48)
    assert worst_teardown_wait(17.4, 23.6) > 1.9 * expected_teardown_wait(20.5)
    # No wake-up inside: the wait at the shortest lifetime is the longest.
    assert worst_teardown_wait(21.0, 40.0) == pytest.approx(teardown_wait(21.0))
    # Past a minute the periods stop doubling.
    assert worst_teardown_wait(400.0, 600.0) == pytest.approx(60.0)
    assert worst_teardown_wait(0.0, 0.0) == 0.0


def dataset_epochs(
    lifetimes: list[float], gaps: list[float], where: str = "before_epoch"
) -> list[dict[str, Any]]:
    return [
        {
            "span_s": life + gap,
            "train_step_s": [life],
            "val_step_s": [],
            "gaps_s": {"before_epoch": 0.0, "to_first_step": 0.0, where: gap},
        }
        for life, gap in zip(lifetimes, gaps, strict=True)
    ]


@pytest.mark.parametrize("where", ["before_epoch", "to_first_step"])  # Keras 2, Keras 3
def test_teardown_waits_are_detected_in_the_quick_epochs(where: str) -> None:
    # After an epoch of 0.55 s the next wake-up is at 0.63 s: a gap of 0.08 s.
    waiting = {"epochs": dataset_epochs([0.55, 0.55, 0.55], [0.01, 0.081, 0.004], where)}
    found = detect_teardown_waits([waiting])
    assert found.present and found.matched == 1
    quiet = {"epochs": dataset_epochs([0.55, 0.55, 0.55], [0.01, 0.002, 0.003], where)}
    assert not detect_teardown_waits([quiet]).present
    # Evidence only: the odds come from measurements of the TensorFlow version.
    assert detect_teardown_waits([quiet], tensorflow="2.9.0").odds == wait_odds("2.9.0")


def test_a_wait_when_fit_returns_is_detected_too() -> None:
    # NumPy input under Keras 2: one iterator for the whole fit, dropped when fit returns.
    ending = {"epochs": [], "fit_inner_s": 0.5, "fit_tail_s": 0.128}  # next wake-up: 0.63 s
    assert detect_teardown_waits([ending]).present
    assert not detect_teardown_waits([{**ending, "fit_tail_s": 0.001}]).present


def test_predicted_waits_follow_the_input_pipeline(bench: Benchmark) -> None:
    waits = TeardownWaits(True, WaitOdds(0.5, 0.5, "test"))
    base = predict(dense_workload(bench), quick_result(), import_s=0.0, bench=bench)
    arrays = predict(dense_workload(bench), quick_result(), import_s=0.0, bench=bench, waits=waits)
    # The iterator lives from the first batch on: the quick run's tracing (1.5 s) is out.
    fit_time = base.parts["first_epoch_extra_s"] + 10 * base.epoch_s - 1.5
    once = 0.5 * expected_teardown_wait(fit_time)
    assert arrays.parts["teardown_waits_s"] == pytest.approx(once)
    assert arrays.predicted_s == pytest.approx(base.predicted_s + once)
    # Every wait happens: the one teardown at its worst over the band's lifetimes.
    steady = 10 * base.epoch_s
    drift = 1 + bench.speed_drift
    slowest = (base.high_s - base.startup_s * drift) / steady
    fastest = (base.low_s - base.startup_s / drift) / steady
    worst = worst_teardown_wait(fit_time * fastest, fit_time * slowest)
    assert arrays.high_s == pytest.approx(base.high_s + worst)
    assert worst >= 2 * once
    assert arrays.low_s == pytest.approx(base.low_s)  # none happens

    every_epoch = 10 * 0.5 * expected_teardown_wait(base.epoch_s)
    as_dataset = dense_workload(bench).model_copy(update={"input_pipeline": "dataset"})
    per_epoch = predict(as_dataset, quick_result(), import_s=0.0, bench=bench, waits=waits)
    assert per_epoch.parts["teardown_waits_s"] == pytest.approx(every_epoch)
    # Keras 3 makes a new iterator every epoch for arrays as well.
    keras3 = TeardownWaits(True, WaitOdds(0.5, 0.5, "test"), arrays_per_epoch=True)
    arrays3 = predict(
        dense_workload(bench), quick_result(), import_s=0.0, bench=bench, waits=keras3
    )
    assert arrays3.parts["teardown_waits_s"] == pytest.approx(every_epoch)


def _ending_in_a_wait(quick: dict[str, Any], wait_s: float) -> dict[str, Any]:
    """`quick` with every steady epoch's last step `wait_s` longer, as Keras 3 ends an
    epoch over a dataset of unknown length when its teardown waits."""
    for epoch in quick["epochs"][1:]:
        epoch["train_step_s"][-1] += wait_s
        epoch["span_s"] += wait_s
    quick["fit_s"] += wait_s * (len(quick["epochs"]) - 1)
    return quick


def test_keras3_epochs_over_a_dataset_of_unknown_length_end_in_a_wait(
    bench: Benchmark,
) -> None:
    """Measured (category 5 under TF 2.21, every saved file): an epoch's last step waits
    for the sawtooth of an iterator that lived about an epoch. The quick run's steps are
    priced without that wait (one of 0.4 s in 63 steps of 15 ms would price every full
    step 40 % too high); the full run gets it in every epoch after the first, at the
    measured odds, and all of them at the band's high end."""
    unknown = dense_workload(bench).model_copy(
        update={"input_pipeline": "dataset", "dataset_length": "unknown"}
    )
    known = unknown.model_copy(update={"dataset_length": "known"})
    odds = WaitOdds(0.5, 0.4, "test")
    keras3 = TeardownWaits(False, WaitOdds(0.0, 0.0, "test"), epoch_end=odds)
    keras2 = TeardownWaits(False, WaitOdds(0.0, 0.0, "test"))
    plain = predict(unknown, quick_result(), import_s=0.0, bench=bench, waits=keras3)
    ending = _ending_in_a_wait(quick_result(), wait_s=0.4)
    waited = predict(unknown, ending, import_s=0.0, bench=bench, waits=keras3)

    assert waited.train_step.mean_s == pytest.approx(plain.train_step.mean_s)
    assert waited.epoch_s == pytest.approx(plain.epoch_s)
    every = 9 * expected_teardown_wait(plain.epoch_s)  # 10 epochs, the first never ends so
    assert every > 0
    assert waited.parts["epoch_end_waits_s"] == pytest.approx(odds.at(plain.epoch_s) * every)
    base = predict(unknown, quick_result(), import_s=0.0, bench=bench, waits=keras2)
    assert waited.predicted_s == pytest.approx(base.predicted_s + odds.long * every)
    assert waited.high_s == pytest.approx(base.high_s + every)
    assert waited.low_s == pytest.approx(base.low_s)

    # Keras 2, or a dataset of known length: no such wait, and a long last step is work.
    for workload, waits in [(unknown, keras2), (known, keras3)]:
        other = predict(workload, ending, import_s=0.0, bench=bench, waits=waits)
        assert other.parts["epoch_end_waits_s"] == 0.0
        assert other.epoch_s > plain.epoch_s + 0.3


def test_the_epoch_end_wait_is_the_sawtooth_since_the_previous_training_ended() -> None:
    previous = {
        "span_s": 30.0,
        "train_step_s": [0.01] * 100,
        "val_step_s": [0.005] * 1000,
        "gaps_s": {"after_validation": 0.25},
    }
    epoch = {
        "span_s": 40.0,
        "train_step_s": [0.02] * 999 + [15.0],
        "gaps_s": {"before_epoch": 0.5, "to_first_step": 0.25},
    }
    assert epoch_end_lifetime(previous, epoch) == pytest.approx(5 + 0.25 + 0.75 + 19.98)
    assert epoch_end_excess(epoch) == pytest.approx(15.0 - 0.02)
    assert epoch_end_excess({"train_step_s": [0.02, 0.01]}) == 0.0  # a quick last step
    assert epoch_end_excess({"train_step_s": [0.02]}) == 0.0
    assert epoch_end_excess({"train_step_s": "broken"}) == 0.0


def test_an_iterator_lives_from_its_first_batch_not_through_the_tracing() -> None:
    """Measured: the waits after the first epoch, and when a fit with one iterator
    returns, match the sawtooth of the lifetime from the first batch on far more often
    than that of the whole epoch or fit (tests/test_bench_scripts.py recounts it)."""
    epochs = [
        {"span_s": 3.0, "train_step_s": [1.2, 0.1, 0.1], "gaps_s": {"to_first_step": 0.25}},
        {"span_s": 2.0, "train_step_s": [0.7, 0.1, 0.1], "gaps_s": {"to_first_step": 0.5}},
        {"span_s": 2.0, "train_step_s": [0.5, 0.1, 0.1], "gaps_s": {"to_first_step": 0.5}},
    ]
    # A later epoch's first step can be long too (filling a shuffle buffer): that is
    # reading, so only the first epoch's excess over their median is tracing.
    assert tracing_seconds(epochs) == pytest.approx(1.2 - 0.6)
    assert iterator_lifetimes(epochs) == pytest.approx([3.0 - 0.25 - 0.6, 1.5, 1.5])
    assert fit_iterator_lifetime(7.0, epochs) == pytest.approx(7.0 - 0.25 - 0.6)
    assert tracing_seconds(epochs[:1]) == 0.0  # nothing to compare with
    assert fit_iterator_lifetime(7.0, []) == 7.0
    assert tracing_seconds([epochs[1], epochs[0]]) == 0.0  # never negative


def test_keras3_gets_the_epoch_end_odds_and_keras2_none() -> None:
    assert detect_teardown_waits([], keras_major=3).epoch_end == EPOCH_END_ODDS
    assert detect_teardown_waits([], keras_major=3, cpus=1).epoch_end == SINGLE_CPU_ODDS
    assert detect_teardown_waits([], keras_major=2).epoch_end is None
    assert detect_teardown_waits([]).epoch_end is None  # Keras unknown: not predicted
    assert "4 of 16" in EPOCH_END_ODDS.basis


def test_wait_odds_follow_the_tensorflow_version_and_the_lifetime() -> None:
    tf29, tf221 = wait_odds("2.9.0"), wait_odds("2.21.0")
    assert "2.9" in tf29.basis and "2.21" in tf221.basis
    assert wait_odds("2.15.1") == tf29 and wait_odds("2.16.0rc0") == tf221
    assert wait_odds(None) == wait_odds("nonsense") == TEARDOWN_ODDS[0][1]  # newest
    assert tf29.at(TEARDOWN_SHORT_S - 0.1) == tf29.short < tf29.long == tf29.at(TEARDOWN_SHORT_S)
    for _, odds in TEARDOWN_ODDS:
        assert 0 <= odds.short <= odds.long <= 1


def test_one_cpu_or_less_gets_the_single_cpu_odds() -> None:
    assert wait_odds("2.9.0", cpus=1) == wait_odds("2.21.0", cpus=0.5) == SINGLE_CPU_ODDS
    assert wait_odds("2.9.0", cpus=2) == wait_odds("2.9.0") != SINGLE_CPU_ODDS
    assert SINGLE_CPU_ODDS.long > wait_odds("2.9.0").long
    # The probe says how many: affinity, lowered by a cgroup CPU limit.
    assert effective_cpus({"usable_cpus": 1, "cpu_limit": 0.5}) == 0.5
    assert effective_cpus({"usable_cpus": 2, "cpu_limit": None}) == 2
    assert effective_cpus({"cpu_count": 2}) is None  # reports from before it said
    assert effective_cpus({"usable_cpus": True, "cpu_limit": "1"}) is None


def test_keras_2s_one_iterator_per_fit_gets_its_own_odds(bench: Benchmark) -> None:
    """Keras 2 over NumPy arrays: the fit's one teardown takes FIT_END_ODDS (one CPU or
    less: the single-CPU odds); the iterators of tf.data input made every epoch keep the
    version's odds, and Keras 3 has no iterator per fit."""
    quiet = quick_result()
    keras2 = detect_teardown_waits([quiet], keras_major=2, tensorflow="2.9.0", cpus=2)
    assert keras2.fit_end == FIT_END_ODDS and keras2.odds == wait_odds("2.9.0")
    assert FIT_END_ODDS.long < wait_odds("2.9.0").long
    one_cpu = detect_teardown_waits([quiet], keras_major=2, tensorflow="2.9.0", cpus=1)
    assert one_cpu.fit_end == SINGLE_CPU_ODDS
    assert detect_teardown_waits([quiet], keras_major=3, tensorflow="2.21.0").fit_end is None
    per_fit = predict(dense_workload(bench), quiet, import_s=0.0, bench=bench, waits=keras2)
    pooled = predict(
        dense_workload(bench),
        quiet,
        import_s=0.0,
        bench=bench,
        waits=TeardownWaits(False, wait_odds("2.9.0")),
    )
    ratio = FIT_END_ODDS.long / wait_odds("2.9.0").long
    assert per_fit.parts["teardown_waits_s"] == pytest.approx(
        pooled.parts["teardown_waits_s"] * ratio
    )
    assert per_fit.high_s == pytest.approx(pooled.high_s)  # the band's top: it waits


def test_short_and_long_iterators_get_their_own_odds(bench: Benchmark) -> None:
    """One iterator per fit (Keras 2 arrays): the fit's length picks the odds."""
    odds = WaitOdds(0.1, 0.6, "test")
    base = predict(dense_workload(bench), quick_result(), import_s=0.0, bench=bench)
    fit_time = base.parts["first_epoch_extra_s"] + 10 * base.epoch_s - 1.5  # less the tracing
    waited = predict(
        dense_workload(bench),
        quick_result(),
        import_s=0.0,
        bench=bench,
        waits=TeardownWaits(False, odds),
    )
    expected = odds.at(fit_time) * expected_teardown_wait(fit_time)
    assert waited.parts["teardown_waits_s"] == pytest.approx(expected)
    assert waited.high_s - base.high_s >= expected_teardown_wait(fit_time)
    none = predict(
        dense_workload(bench),
        quick_result(),
        import_s=0.0,
        bench=bench,
        waits=TeardownWaits(False, None),
    )
    assert none.parts["teardown_waits_s"] == 0.0


def test_a_gap_every_epoch_pays_is_a_cost_of_every_epoch(bench: Benchmark) -> None:
    """Measured, Keras 3 on one CPU (category 1, 2026-11-30): every epoch but the first
    started about 50 ms late, in the quick run and in 1000 full epochs alike, idle
    for most of it, with a few at 10-13 ms; the sawtooth gives 16 ms for iterators of
    13 ms, too short to be predicted as a wait. The gap is priced at its mean over the
    epochs (the first one's, with no teardown before it, among them), not at its
    smallest (which predicted 26 s where 63 s came)."""
    as_dataset = dense_workload(bench, val_samples=0).model_copy(
        update={"input_pipeline": "dataset"}
    )
    quiet = quick_result(steps=1, val_steps=0, epochs=12, overhead_s=0.0)
    slow = quick_result(steps=1, val_steps=0, epochs=12, overhead_s=0.0)
    for index, epoch in enumerate(slow["epochs"][1:]):
        gap = 0.011 if index == 5 else 0.05
        epoch["gaps_s"] = {"to_first_step": gap}
        epoch["span_s"] += gap
    odds = TeardownWaits(True, WaitOdds(1.0, 1.0, "test"))
    base = predict(as_dataset, quiet, import_s=0.0, bench=bench, waits=odds)
    gapped = predict(as_dataset, slow, import_s=0.0, bench=bench, waits=odds)
    mean_gap = (10 * 0.05 + 0.011 + 0.0) / 12  # the first epoch's gap: none
    assert gapped.epoch_overhead_s - base.epoch_overhead_s == pytest.approx(mean_gap)


def test_teardown_waits_in_the_quick_run_are_not_taken_for_a_fixed_epoch_cost(
    bench: Benchmark,
) -> None:
    """On one CPU every quick epoch starts with its predecessor's teardown wait; the
    fixed cost before an epoch is what is left when the waits are taken out (they
    are predicted on their own), not the smallest wait (measured: half a CPU,
    category 3's quick epochs started 6.3 and 6.9 s late)."""
    as_dataset = dense_workload(bench).model_copy(update={"input_pipeline": "dataset"})
    quiet = quick_result(step_s=0.05)
    waiting = quick_result(step_s=0.05)
    # the sawtooth's wait for the previous iterator's lifetime (its epoch from its first
    # batch on: less the wait before it, and the first epoch's tracing)
    lifetimes = iterator_lifetimes(waiting["epochs"])
    for lifetime, epoch in zip(lifetimes, waiting["epochs"][1:], strict=False):
        gap = teardown_wait(lifetime)
        assert gap >= TEARDOWN_MIN_DETECTABLE_S
        epoch["gaps_s"] = {"before_epoch": gap}
        epoch["span_s"] += gap
    waiting["fit_s"] = sum(e["span_s"] for e in waiting["epochs"]) + 0.1
    odds = TeardownWaits(True, WaitOdds(1.0, 1.0, "test"))
    base = predict(as_dataset, quiet, import_s=0.0, bench=bench, waits=odds)
    waited = predict(as_dataset, waiting, import_s=0.0, bench=bench, waits=odds)
    assert waited.epoch_overhead_s == pytest.approx(base.epoch_overhead_s)
    assert waited.predicted_s == pytest.approx(base.predicted_s, rel=0.01)
    # Input that keeps one iterator (NumPy under Keras 2): a gap before an epoch is
    # not a teardown, and every gap is a cost of its epoch.
    arrays = predict(dense_workload(bench), waiting, import_s=0.0, bench=bench, waits=odds)
    assert arrays.epoch_overhead_s > base.epoch_overhead_s
