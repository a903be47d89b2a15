"""The real benchmark probe in real TensorFlow (Keras 2 and 3), at reduced sizes.

The sizes come from a tiny copy of the matrix (tests/bench_tiny.py): the
same workload code as the quick benchmark and the full reference jobs.
Also: Ctrl-C through the runner keeps what was measured, and a probe killed
outright still leaves its finished categories and a clear message.
"""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path
from typing import Any

import psutil
import pytest

from envcheck.bench.analysis import analyse, compare
from envcheck.bench.budget import Readiness
from envcheck.bench.config import Benchmark
from envcheck.bench.measure import BenchInterrupted, BenchRun, measure
from envcheck.bench.predict import steps_for
from envcheck.matrix import load_matrix
from tests.bench_tiny import tiny_matrix

pytestmark = pytest.mark.tensorflow


USAGE_COUNTS = (
    "minor_faults",
    "major_faults",
    "voluntary_switches",
    "involuntary_switches",
)


def tiny(tmp_path: Path, **kw: Any) -> Benchmark:
    bench = load_matrix(tiny_matrix(tmp_path, **kw)).benchmark
    assert bench is not None
    return bench


def assert_measured_as_asked(run: BenchRun, bench: Benchmark, mode: str) -> None:
    for category in run.requested:
        workload = bench.workload(category)
        sizes = workload.quick if mode == "quick" else workload.full
        result = run.finished(category)
        assert result is not None, run.missing_reason(category)
        assert result["sizes"] == sizes.model_dump()
        epochs = result["epochs"]
        assert len(epochs) == sizes.epochs
        want_steps = steps_for(workload, sizes.train_samples, sizes.batch_size)
        want_val = steps_for(workload, sizes.val_samples, sizes.batch_size)
        for epoch in epochs:
            # A tf.data input of unknown length ends with one more call that hits the end
            # of the data: in epoch 1 (Keras 2 then knows the length) or in every epoch
            # (Keras 3).
            extra = (0, 1) if workload.input_pipeline == "dataset" else (0,)
            assert len(epoch["train_step_s"]) - want_steps in extra, (category, epoch)
            assert len(epoch["val_step_s"]) - want_val in extra, (category, epoch)
            assert all(s > 0 for s in epoch["train_step_s"])
            assert epoch["span_s"] >= sum(epoch["train_step_s"]) + sum(epoch["val_step_s"])
            # Where the epoch's CPU went (getrusage): user + system is the CPU time.
            usage = epoch["usage"]
            assert usage["user_s"] + usage["sys_s"] == pytest.approx(epoch["cpu_s"], abs=0.05)
            assert all(isinstance(usage[k], int) and usage[k] >= 0 for k in USAGE_COUNTS)
            assert usage["threads"] > 1  # Linux: TensorFlow's thread pools are there
        for phase in ("prepare_s", "build_s", "fit_s"):
            assert result[phase] > 0
        assert result["summary"]["train_step"]["n"] > 0


@pytest.mark.parametrize("which", ["exam", "current"])
def test_quick_benchmark_measures_all_five_and_the_h5_save(
    which: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    python = request.getfixturevalue("exam_python" if which == "exam" else "tf_python")
    bench = tiny(tmp_path)
    events: list[dict[str, Any]] = []
    run = measure(str(python), bench, categories=bench.categories, on_progress=events.append)

    assert run.run.outcome == "ok", run.run.message + run.run.stderr_tail[-2000:]
    assert_measured_as_asked(run, bench, "quick")
    env = run.environment or {}
    keras_major = 2 if which == "exam" else 3
    assert env["keras_major"] == keras_major and env["import_s"] > 0
    # Category 3 really wrote (and then read) JPEG files, one folder per class.
    assert run.categories[3]["jpeg_files"] == 48 + 16
    assert run.categories[3]["jpeg_bytes"] > 64 * 500
    assert (
        "Tokenizer" in run.categories[4]["tokenizer"]
        or run.categories[4]["tokenizer"] == "TextVectorization"
    )
    # The temporary folder is gone and was not left for us to clean.
    temp_dir = run.run.facts["temp_dir"]
    assert run.run.facts["temp_dir_removed"] is True and not Path(temp_dir).exists()
    assert run.leftover_removed is None
    save = run.save_check or {}
    assert save["is_hdf5"] and save["same_predictions"] and save["bytes"] > 1000
    assert save["keras_major"] == keras_major
    # Progress: a step event with a readable message, and every category reported done.
    steps = [e for e in events if e.get("event") == "bench_step"]
    assert steps and "epoch" in steps[0]["message"]
    done = [e["category"] for e in events if e.get("event") == "bench_category_done"]
    assert done == [1, 2, 3, 4, 5]

    analysis = analyse(run, bench)
    assert sorted(analysis.predictions) == [1, 2, 3, 4, 5] and not analysis.problems
    for p in analysis.predictions.values():
        assert p.low_s <= p.predicted_s <= p.high_s
        assert p.predicted_s > p.startup_s > env["import_s"]
    assert analysis.budget is not None
    assert analysis.budget.readiness is Readiness.READY  # seconds against 5 hours


def test_full_mode_trains_the_full_sizes_and_compares(exam_python: Path, tmp_path: Path) -> None:
    bench = tiny(tmp_path, categories=(2,))
    quick = analyse(measure(str(exam_python), bench, categories=[2], save_check=False), bench)
    full = measure(str(exam_python), bench, categories=[2], mode="full", save_check=False)
    assert full.run.outcome == "ok", full.run.message
    assert_measured_as_asked(full, bench, "full")
    comparison = compare(2, quick, full)
    assert comparison.problem is None
    assert comparison.actual_s is not None and comparison.full_wall_s is not None
    assert comparison.actual_s < comparison.full_wall_s
    # Seconds of work: a prediction that is off by 3x means the arithmetic broke.
    assert comparison.ratio is not None and 0.33 < comparison.ratio < 3


def _when_category_done(category: int, action: Any) -> Any:
    fired = threading.Event()

    def on_progress(event: dict[str, Any]) -> None:
        if (
            event.get("event") == "bench_category_done"
            and event.get("category") == category
            and not fired.is_set()
        ):
            fired.set()
            action()

    return on_progress


def test_ctrl_c_stops_the_probe_and_keeps_what_was_measured(
    exam_python: Path, tmp_path: Path
) -> None:
    bench = tiny(tmp_path)

    def press_ctrl_c() -> None:
        os.kill(os.getpid(), signal.SIGINT)  # the terminal's Ctrl-C reaches the tool first

    with pytest.raises(BenchInterrupted) as caught:
        measure(
            str(exam_python),
            bench,
            categories=bench.categories,
            on_progress=_when_category_done(1, press_ctrl_c),
        )
    run = caught.value.bench_run
    assert run.interrupted and run.run.outcome == "interrupted"
    assert run.finished(1) is not None  # measured before Ctrl-C, kept
    assert run.finished(5) is None
    # The probe itself wrote its JSON on SIGINT: its facts say so and its folder is gone.
    assert run.run.facts["temp_dir_removed"] is True
    assert not Path(run.run.facts["temp_dir"]).exists()
    analysis = analyse(run, bench)
    assert 1 in analysis.predictions
    assert "interrupted" in analysis.problems[5] or "stopped" in analysis.problems[5]
    assert analysis.budget is not None
    assert analysis.budget.readiness is Readiness.UNKNOWN


def test_a_probe_killed_mid_benchmark_leaves_partial_results_and_a_clear_message(
    exam_python: Path, tmp_path: Path
) -> None:
    bench = tiny(tmp_path)

    def kill_probe() -> None:
        for child in psutil.Process().children(recursive=True):
            if any("probe_bench.py" in part for part in child.cmdline()):
                child.send_signal(signal.SIGKILL)  # as the out-of-memory killer would

    run = measure(
        str(exam_python),
        bench,
        categories=bench.categories,
        on_progress=_when_category_done(2, kill_probe),
    )
    assert run.run.outcome == "signal" and run.run.signal_name == "SIGKILL"
    assert run.run.facts == {}  # the probe never wrote its JSON ...
    assert run.finished(1) is not None and run.finished(2) is not None  # ... but sent these
    assert run.finished(3) is None
    # Killed, the probe could not clean up; the tool removed its announced folder.
    assert run.leftover_removed is not None and not Path(run.leftover_removed).exists()
    analysis = analyse(run, bench)
    assert sorted(analysis.predictions) == [1, 2]
    why = analysis.problems[3]
    assert "SIGKILL" in why and "out-of-memory" in why
