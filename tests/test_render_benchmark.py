"""The benchmark's headline and chart data, read defensively from a report's details."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from envcheck.render import RenderOptions, benchmark, renderer
from envcheck.report_io import load_report
from tests.helpers import run_cli
from tests.report_samples import (
    REPORTS,
    category_predictions,
    fixture,
    partial_benchmark,
    replace_result,
)


def test_headline_is_the_total_times_the_retrain_factor_against_the_budget() -> None:
    report = fixture("lab-pc-01")
    v = next(r for r in report.results if r.id == "benchmark.total").details["verdict"]
    assert v["total_s"] * v["retrain_factor"] / v["budget_s"] == pytest.approx(0.2535, abs=1e-4)
    assert benchmark.headline(report) == (
        "25 min 21 s of training x3 = 1 h 16 min, 25% of the 5 h 00 min exam"
    )
    text = renderer("text")(report, RenderOptions())
    assert (
        "[✓] Training benchmark (25 min 21 s of training x3 = 1 h 16 min, 25% of the 5 h "
        "00 min exam)" in text
    )


def test_a_partial_benchmark_has_no_headline_and_four_bars() -> None:
    report = partial_benchmark("lab-pc-01")
    assert benchmark.headline(report) is None
    bars = benchmark.categories(report)
    assert [b.category for b in bars] == [1, 2, 3, 4, 5]
    assert [b.predicted_s is None for b in bars] == [False] * 4 + [True]
    assert "[?] Training benchmark\n" in renderer("text")(report, RenderOptions())


@pytest.mark.parametrize(
    "bad",
    [
        None,
        "x",
        [],
        {"total_s": "1500"},
        {"total_s": -1, "low_s": 1, "high_s": 2, "retrain_factor": 3, "budget_s": 18000},
        {"total_s": True, "low_s": 1, "high_s": 2, "retrain_factor": 3, "budget_s": 18000},
        {"total_s": 1, "low_s": 1, "high_s": 2, "retrain_factor": 3, "budget_s": 0},
        {"total_s": float("nan"), "low_s": 1, "high_s": 2, "retrain_factor": 3, "budget_s": 1},
        {"total_s": float("inf"), "low_s": 1, "high_s": 2, "retrain_factor": 3, "budget_s": 1},
        {"total_s": 1e308, "low_s": 1, "high_s": 1e308, "retrain_factor": 1e308, "budget_s": 1},
    ],
)
def test_a_broken_verdict_from_another_version_is_not_shown(bad: Any) -> None:
    report = replace_result(fixture("lab-pc-01"), "benchmark.total", details={"verdict": bad})
    assert benchmark.headline(report) is None
    for fmt in ("text", "html", "markdown"):
        assert renderer(fmt)(report, RenderOptions())


def test_fleet_survives_an_infinite_prediction(tmp_path: Path) -> None:
    """`Infinity` is valid to Python's JSON reader; it must not reach the duration maths."""
    doc = json.loads((REPORTS / "lab-pc-01.json").read_text("utf-8"))
    for r in doc["results"]:
        if r["id"] == "benchmark.total":
            r["details"]["verdict"]["total_s"] = float("inf")
    (tmp_path / "lab-pc-01.json").write_text(json.dumps(doc), "utf-8")
    for fmt in ("text", "html", "markdown", "json"):
        proc = run_cli("fleet", str(tmp_path), "--format", fmt)
        assert proc.returncode == 0, proc.stderr
        assert "Traceback" not in proc.stderr
    # The total is not a time, so the per-category predictions are summed instead.
    assert json.loads(run_cli("fleet", str(tmp_path), "--json").stdout)["machines"][0][
        "predicted_s"
    ] == pytest.approx(sum(category_predictions(load_report(tmp_path / "lab-pc-01.json")).values()))
