"""The benchmark.* checks on a real quick run (tiny sizes) and on the verdict's thresholds.

One real probe run in the exam interpreter is recorded and replayed into
contexts whose matrices differ only in the budget, so each threshold is
tested on the same real measurement.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from envcheck.checks import benchmark
from envcheck.checks.base import Context, Options
from envcheck.matrix import load_matrix
from envcheck.pipeline import execute
from envcheck.probing import interpreter as interp
from envcheck.probing.runner import ProbeRun
from envcheck.results import CheckResult, Status
from tests.bench_tiny import tiny_matrix
from tests.conftest import EXAM_PYTHON, TF_PYTHON

pytestmark = pytest.mark.tensorflow

IDS = [f"benchmark.category{c}" for c in range(1, 6)] + ["benchmark.total", "benchmark.h5_save"]


def context(python: str, matrix: Path, options: Options | None = None) -> Context:
    loaded = load_matrix(matrix)
    resolved = interp.resolve(python)
    return Context(
        interpreter=resolved,
        matrix=loaded,
        profile_name=loaded.default_profile,
        options=options or Options(),
    )


def run_all(ctx: Context) -> dict[str, CheckResult]:
    return {c.id: execute(c, ctx) for c in benchmark.CHECKS}


def bench_run(ctx: Context) -> ProbeRun:
    return next(run for run in ctx.runs.values() if run.probe == "bench")


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ProbeRun, dict[str, Any]]]:
    """One real quick run in the exam interpreter, and the checks' results on it."""
    if EXAM_PYTHON is None:
        pytest.skip("no exam environment (Python 3.8 + tensorflow 2.9.0)")
    folder = tmp_path_factory.mktemp("bench")
    ctx = context(str(EXAM_PYTHON), tiny_matrix(folder))
    results = run_all(ctx)
    yield bench_run(ctx), results


def replay(run: ProbeRun, matrix: Path, options: Options | None = None) -> dict[str, CheckResult]:
    assert EXAM_PYTHON is not None
    ctx = context(str(EXAM_PYTHON), matrix, options)
    ctx.record(run)
    return run_all(ctx)


def test_a_fast_machine_is_ready(recorded: tuple[ProbeRun, dict[str, CheckResult]]) -> None:
    run, results = recorded
    assert run.outcome == "ok", run.message
    assert [results[i].status for i in IDS] == [Status.OK] * 7, {i: results[i].summary for i in IDS}
    total = results["benchmark.total"]
    assert total.summary.startswith("ready: ")
    assert "x3 = " in total.summary and "of 5 h 00 min" in total.summary
    cat3 = results["benchmark.category3"]
    assert cat3.details["prediction"]["predicted_s"] > 0
    assert cat3.details["measured"]["train_step"]["n"] > 0
    assert "mymodel.h5 saved" in results["benchmark.h5_save"].summary
    assert "Keras 2" in results["benchmark.h5_save"].summary


def test_a_budget_the_trainings_exceed_is_not_ready(
    recorded: tuple[ProbeRun, dict[str, CheckResult]], tmp_path: Path
) -> None:
    run, _ = recorded
    results = replay(run, tiny_matrix(tmp_path, exam_budget_s=5))
    total = results["benchmark.total"]
    assert total.status is Status.FAILURE
    assert total.summary.startswith("not ready: ")
    assert total.fix and "GPU" in total.fix
    for category in range(1, 6):
        result = results[f"benchmark.category{category}"]
        assert result.status is Status.WARNING, result.summary
        assert result.fix and "This question alone" in result.fix


def test_between_the_thresholds_is_marginal(
    recorded: tuple[ProbeRun, dict[str, CheckResult]], tmp_path: Path
) -> None:
    run, results = recorded
    total_s = results["benchmark.total"].details["verdict"]["total_s"]
    # x3 retrains at 50 % of the budget: between ready (40 %) and marginal (60 %).
    budget = total_s * 3 / 0.5
    marginal = replay(run, tiny_matrix(tmp_path, exam_budget_s=budget))["benchmark.total"]
    assert marginal.status is Status.WARNING
    assert marginal.summary.startswith("marginal: ") and "50%" in marginal.summary


def test_retrain_factor_option_reaches_the_verdict(
    recorded: tuple[ProbeRun, dict[str, CheckResult]], tmp_path: Path
) -> None:
    run, results = recorded
    total_s = results["benchmark.total"].details["verdict"]["total_s"]
    matrix = tiny_matrix(tmp_path, exam_budget_s=total_s * 3 / 0.5)
    once = replay(run, matrix, Options(retrain_factor=1.0))["benchmark.total"]
    assert once.status is Status.OK
    assert "x1 = " in once.summary


def test_without_tensorflow_nothing_is_guessed(tmp_path: Path) -> None:
    # The tool's own Python has no TensorFlow: the probe cannot import it.
    results = run_all(context(sys.executable, tiny_matrix(tmp_path, categories=(1,))))
    assert results["benchmark.category1"].status is Status.SKIPPED
    assert "tensorflow" in results["benchmark.category1"].summary.lower()
    assert results["benchmark.category2"].status is Status.SKIPPED  # no workload for it
    total = results["benchmark.total"]
    assert total.status is Status.ERROR
    assert total.summary.startswith("could not determine")
    assert results["benchmark.h5_save"].status is Status.SKIPPED


def test_keras_3_h5_is_saved_but_flagged_as_legacy(tmp_path: Path) -> None:
    if TF_PYTHON is None:
        pytest.skip("no current TensorFlow environment")
    results = run_all(context(str(TF_PYTHON), tiny_matrix(tmp_path, categories=(1,))))
    h5 = results["benchmark.h5_save"]
    assert h5.status is Status.WARNING, h5.summary
    assert "Keras 3" in h5.summary and "legacy" in h5.summary
    assert h5.details["save_check"]["is_hdf5"] is True
    assert h5.details["save_check"]["same_predictions"] is True
