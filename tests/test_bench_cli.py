"""`tfcert-envcheck bench` and `check --no-bench` as a user runs them (tiny sizes)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from envcheck.bench.teardown import wait_odds
from tests.bench_tiny import tiny_matrix
from tests.helpers import json_report, results_by_id, run_cli

pytestmark = pytest.mark.tensorflow


def test_bench_prints_each_category_and_the_verdict(exam_python: Path, tmp_path: Path) -> None:
    matrix = tiny_matrix(tmp_path)
    proc = run_cli(
        "bench",
        "--python",
        str(exam_python),
        "--matrix",
        str(matrix),
        "--category",
        "1",
        "--category",
        "4",
        "-v",
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    # -v: how each prediction is made up, and the teardown odds of this TensorFlow
    assert "1: import " in out and "teardown_waits " in out
    # The odds measured for TF 2.9 with as many CPUs as this test may use.
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    short = wait_odds("2.9.0", cpus=cpus).short
    assert f"x its odds ({short:.0%} for iterators that lived under 5 s" in " ".join(out.split())
    assert "Training benchmark · TensorFlow 2.9.0 · Keras 2.9.0" in out
    assert "Regression" in out and "Text" in out
    assert "Fashion MNIST" not in out  # only the categories asked for
    assert "Ready: " in out and "x3 retrains" in out
    assert "mymodel.h5: " in out and "same predictions" in out
    assert "Traceback" not in proc.stderr


def test_bench_full_compares_actual_with_predicted(exam_python: Path, tmp_path: Path) -> None:
    matrix = tiny_matrix(tmp_path, categories=(1,))
    proc = run_cli(
        "bench",
        "--python",
        str(exam_python),
        "--matrix",
        str(matrix),
        "--full",
        "--category",
        "1",
        "--json",
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = json.loads(proc.stdout)
    (full,) = doc["full_runs"]
    assert full["category"] == 1 and full["problem"] is None
    assert full["actual_s"] > 0 and full["predicted_s"] > 0
    assert full["ratio"] == pytest.approx(full["predicted_s"] / full["actual_s"])
    assert doc["verdict"]["readiness"] == "ready"
    assert doc["run"]["categories"]["1"]["status"] == "done"


def test_bench_full_needs_a_category() -> None:
    proc = run_cli("bench", "--full")
    assert proc.returncode == 2
    assert "--full trains the real reference job: name it with --category N" in proc.stderr


def test_check_runs_the_benchmark_and_no_bench_skips_it(exam_python: Path, tmp_path: Path) -> None:
    matrix = tiny_matrix(tmp_path, categories=(1, 2))
    with_bench = run_cli(
        "check",
        "--python",
        str(exam_python),
        "--matrix",
        str(matrix),
        "--json",
        "--only",
        "benchmark",
        "--only",
        "python.version",
    )
    results = results_by_id(json_report(with_bench))
    assert results["benchmark.category1"]["status"] == "ok"
    assert results["benchmark.category3"]["status"] == "skipped"  # not in this matrix
    assert results["benchmark.total"]["status"] == "ok"
    assert results["benchmark.total"]["summary"].startswith("ready: ")

    without = run_cli(
        "check",
        "--python",
        str(exam_python),
        "--matrix",
        str(matrix),
        "--json",
        "--no-bench",
        "--only",
        "benchmark",
        "--only",
        "python.version",
    )
    ids = results_by_id(json_report(without))
    assert "python.version" in ids
    assert not [i for i in ids if i.startswith("benchmark.")]


def test_ctrl_c_during_bench_prints_what_was_measured(exam_python: Path, tmp_path: Path) -> None:
    # Category 3 at full image size keeps the probe busy long enough to press Ctrl-C.
    matrix = tiny_matrix(tmp_path, categories=(1, 3))
    data = yaml.safe_load(matrix.read_text(encoding="utf-8"))
    data["benchmark"]["workloads"][1]["shape"].update(image_size=300, conv_blocks=5)
    data["benchmark"]["workloads"][1]["quick"].update(train_samples=256, epochs=4)
    matrix.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "envcheck",
            "bench",
            "--python",
            str(exam_python),
            "--matrix",
            str(matrix),
            "--json",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    deadline = time.monotonic() + 120
    while not list(temp.glob("tfcert-bench-*/cat3-*")):  # category 1 is done
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    doc = json.loads(out)
    assert doc["run"]["interrupted"] is True
    assert doc["run"]["categories"]["1"]["status"] == "done"
    # Whether the probe wrote its own JSON in its grace or was killed in a long native
    # call (its events then name the category it was in), category 3 was interrupted.
    assert doc["run"]["categories"]["3"]["status"] == "interrupted", doc["run"]["probe"]
    assert "1" in doc["predictions"] and "3" in doc["problems"]
    assert doc["verdict"]["readiness"] == "could not determine"
    assert not list(temp.glob("tfcert-bench-*"))  # the probe cleaned up on SIGINT
    assert "Traceback" not in err
