"""The time budget's readiness thresholds and the benchmark section's validation."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from envcheck.bench.budget import (
    Readiness,
    bar,
    classify,
    format_duration,
    margin_note,
    time_budget,
)
from envcheck.bench.config import Benchmark
from envcheck.bench.predict import Prediction, StepStats
from envcheck.errors import ConfigError
from envcheck.matrix import load_matrix, parse_matrix
from tests.bench_tiny import bundled_data


@pytest.fixture
def bench() -> Benchmark:
    matrix = load_matrix()
    assert matrix.benchmark is not None
    return matrix.benchmark


def prediction(category: int, seconds: float, slow: float = 1.1) -> Prediction:
    """A prediction whose band runs from 0.9 x to `slow` x its point."""
    stats = StepStats(10, 0.01, 0.01, 0.0)
    return Prediction(
        category=category,
        title=f"cat {category}",
        predicted_s=seconds,
        low_s=seconds * 0.9,
        high_s=seconds * slow,
        startup_s=1.0,
        epoch_s=1.0,
        epochs=1,
        steps_per_epoch=1,
        val_steps_per_epoch=0,
        train_step=stats,
        val_step=stats,
        epoch_overhead_s=0.0,
    )


def five(total_s: float, slow: float = 1.1) -> list[Prediction]:
    return [prediction(c, total_s / 5, slow) for c in range(1, 6)]


def test_bundled_thresholds_are_the_documented_ones(bench: Benchmark) -> None:
    assert (bench.exam_budget_s, bench.retrain_factor) == (18000, 3)
    assert (bench.ready_max_share, bench.marginal_max_share) == (0.4, 0.6)
    assert bench.categories == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    ("total_s", "readiness"),
    [
        (2400, Readiness.READY),  # x3 = 2 h = 40 % of 5 h: the ready limit itself
        (2401, Readiness.MARGINAL),
        (3600, Readiness.MARGINAL),  # x3 = 3 h = 60 %
        (3601, Readiness.NOT_READY),
        (60, Readiness.READY),
    ],
)
def test_readiness_thresholds(bench: Benchmark, total_s: float, readiness: Readiness) -> None:
    no_margin = bench.model_copy(update={"ready_margin": 0.0})
    v = time_budget(five(total_s), no_margin)
    assert v.readiness is readiness
    assert v.total_s == pytest.approx(total_s)
    assert v.with_retrains_s == pytest.approx(total_s * 3)


def test_ready_needs_the_prediction_with_its_margin_within_the_ready_limit(
    bench: Benchmark,
) -> None:
    """Measured (docs/benchmark.md, "Across machine classes"): the five full trainings
    took up to 1.15 x their prediction; the bundled margin rounds that up to a fifth."""
    assert bench.ready_margin == 0.2
    fits = time_budget(five(2000), bench)  # x3 = 1 h 40 min, x1.2 = 2 h
    assert fits.readiness is Readiness.READY and not fits.margin_over
    assert fits.with_margin_s == pytest.approx(7200)
    over = time_budget(five(2100), bench)  # x3 = 1 h 45 min, x1.2 = 2 h 06 min
    assert over.readiness is Readiness.MARGINAL and over.margin_over
    assert margin_note(over) == (
        "; with the 20% margin measured totals have needed, 2 h 06 min, it would pass "
        "the 2 h 00 min that ready allows"
    )
    assert margin_note(fits) == ""
    # The band's slow end is shown, not judged: a wide band alone is no "marginal".
    assert time_budget(five(1000, slow=3.0), bench).readiness is Readiness.READY
    # Beyond ready on its own: the margin does not change marginal or not ready.
    assert time_budget(five(3000), bench).readiness is Readiness.MARGINAL
    assert not time_budget(five(3000), bench).margin_over
    assert time_budget(five(4000), bench).readiness is Readiness.NOT_READY
    # A missing category still leaves only "not ready" certain.
    partial = time_budget([prediction(1, 2000)], bench, missing=[2])
    assert partial.readiness is Readiness.UNKNOWN and not partial.margin_over


def test_retrain_factor_changes_the_readiness(bench: Benchmark) -> None:
    assert time_budget(five(3000), bench).readiness is Readiness.MARGINAL
    once = time_budget(five(3000), bench, retrain_factor=1)
    assert once.readiness is Readiness.READY
    assert once.share == pytest.approx(3000 / 18000)
    assert time_budget(five(3000), bench, retrain_factor=5).readiness is Readiness.NOT_READY
    with pytest.raises(ValueError, match="at least 1"):
        time_budget(five(3000), bench, retrain_factor=0.5)


def test_missing_categories_leave_only_not_ready_certain(bench: Benchmark) -> None:
    partial = [prediction(1, 100), prediction(2, 100)]
    unsure = time_budget(partial, bench, missing=[3, 4, 5])
    assert unsure.readiness is Readiness.UNKNOWN
    assert unsure.missing == (3, 4, 5)
    over = time_budget([prediction(3, 5000)], bench, missing=[4])
    assert over.readiness is Readiness.NOT_READY


def test_classify_uses_the_matrix_thresholds(bench: Benchmark) -> None:
    strict = bench.model_copy(update={"ready_max_share": 0.1, "marginal_max_share": 0.2})
    assert classify(0.15, bench) is Readiness.READY
    assert classify(0.15, strict) is Readiness.MARGINAL
    assert classify(0.25, strict) is Readiness.NOT_READY


def test_durations_and_bars_read_well() -> None:
    assert format_duration(4.25) == "4.2 s"
    assert format_duration(42) == "42 s"
    assert format_duration(185) == "3 min 05 s"
    assert format_duration(4020) == "1 h 07 min"
    assert bar(0.5, 10) == "[#####.....]"
    assert bar(0.001, 10) == "[#.........]"  # something, however little, shows
    assert bar(3.0, 10) == "[##########]"


def _with_benchmark(
    change: dict[str, Any] | None = None, workload: dict[str, Any] | None = None, index: int = 1
) -> str:
    data = bundled_data()
    section = copy.deepcopy(data["benchmark"])
    section.update(change or {})
    if workload is not None:
        section["workloads"][index] = {**section["workloads"][index], **workload}
    data["benchmark"] = section
    return yaml.safe_dump(data, sort_keys=False)


@pytest.mark.parametrize(
    ("change", "workload", "message"),
    [
        ({"marginal_max_share": 0.3}, None, "marginal_max_share must be >= ready_max_share"),
        ({"retrain_factor": 0.5}, None, "benchmark.retrain_factor"),
        ({"ready_margin": 1.5}, None, "benchmark.ready_margin"),
        ({"ready_margin": -0.1}, None, "benchmark.ready_margin"),
        ({"budget": 1}, None, "benchmark.budget: unknown key"),
        (None, {"shape": {"height": 28, "width": 28, "classes": 10}}, "missing: units"),
        (
            None,
            {"quick": {"train_samples": 10, "val_samples": 5, "epochs": 1, "batch_size": 32}},
            "quick.epochs must be at least 2",
        ),
        (
            None,
            {"quick": {"train_samples": 10, "val_samples": 5, "epochs": 2, "batch_size": 64}},
            "quick.batch_size must equal full.batch_size",
        ),
        (
            None,
            {"quick": {"train_samples": 10, "val_samples": 0, "epochs": 2, "batch_size": 32}},
            "both validate or both not",
        ),
        (None, {"kind": "cnn"}, "benchmark.workloads.1.kind"),
        (None, {"dataset_length": "unknown"}, "dataset_length: unknown needs input_pipeline"),
        (None, {"dataset_length": "endless"}, "benchmark.workloads.1.dataset_length"),
        (None, {"category": 1}, "category 1 has two workloads"),
    ],
)
def test_benchmark_section_errors_name_the_key(
    change: dict[str, Any] | None, workload: dict[str, Any] | None, message: str
) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        parse_matrix(_with_benchmark(change, workload), "m.yaml")


def test_time_series_windows_must_be_symmetric() -> None:
    shape = {"features": 7, "n_past": 24, "n_future": 12, "conv_filters": 64, "lstm_units": 64}
    with pytest.raises(ConfigError, match="n_past and n_future must be equal"):
        parse_matrix(_with_benchmark(workload={"shape": shape}, index=4), "m.yaml")
