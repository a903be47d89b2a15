"""Low memory: a probe under a memory cap stops itself before it can exhaust the machine.

The cap is the runner's `memory_limit_mb`: a watchdog on the probe tree's
resident memory, plus on Linux a kernel limit (RLIMIT_DATA, 1.25 x the cap) for
bursts. RLIMIT_DATA, unlike RLIMIT_AS, leaves TensorFlow's large virtual
reservations alone (measured: TensorFlow 2.9 fails to import under RLIMIT_AS =
1000 MiB with "failed to map segment from shared object"; it imports under
RLIMIT_DATA = 1000 MiB with 346 MiB resident).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from envcheck.probing.runner import (
    RLIMIT_HEADROOM,
    ProbeRun,
    memory_cap_mb,
    run_command,
    run_probe,
)
from envcheck.results import CheckResult
from tests.faults.support import FAKES

CAP_MB = 300.0


def test_memory_hog_is_stopped_at_its_cap() -> None:
    """A probe that allocates without end is stopped near its cap, not by the OOM killer."""
    started = time.monotonic()
    run = run_command(
        "hog",
        [sys.executable, str(FAKES / "memory_hog.py")],
        timeout_s=60,
        memory_limit_mb=CAP_MB,
    )
    assert time.monotonic() - started < 20
    assert run.outcome == "memory"
    # The watchdog usually sees it first ("used more than its memory cap"); on a busy
    # machine the kernel limit may refuse the next block first ("hit its memory cap").
    assert "memory cap of 300 MiB" in run.message
    assert "stopped before it could exhaust the machine's memory" in run.message
    assert run.peak_rss_mb is not None
    assert CAP_MB <= run.peak_rss_mb <= CAP_MB * RLIMIT_HEADROOM + 64
    assert run.to_dict()["memory_limit_mb"] == CAP_MB


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_DATA via prlimit")
def test_allocation_burst_is_refused_by_the_kernel_limit() -> None:
    """3 GiB at once is faster than any poll: the kernel limit refuses it (MemoryError)."""
    run = run_command(
        "burst",
        [sys.executable, "-c", "block = bytearray(b'1') * (3 * 2**30)"],
        timeout_s=60,
        memory_limit_mb=CAP_MB,
    )
    assert run.outcome == "memory"
    assert "hit its memory cap of 300 MiB" in run.message
    assert "MemoryError" in run.stderr_tail
    assert (run.peak_rss_mb or 0) < CAP_MB * RLIMIT_HEADROOM + 64


def test_no_cap_no_watchdog() -> None:
    """Without a cap a normal probe is untouched and reports no memory figures."""
    run = run_probe("python", sys.executable, timeout_s=60)
    assert run.outcome == "ok"
    assert run.memory_limit_mb is None and run.peak_rss_mb is None


def test_default_cap_is_a_share_of_available_memory() -> None:
    import psutil

    available_mb = psutil.virtual_memory().available / 2**20
    cap = memory_cap_mb(0.5)
    assert 0.4 * available_mb < cap < 0.6 * available_mb


@pytest.mark.tensorflow
def test_tensorflow_imports_under_a_cap_that_fits(exam_python: Path) -> None:
    run = run_probe("tensorflow", str(exam_python), timeout_s=180, memory_limit_mb=800)
    assert run.outcome == "ok", run.message
    assert run.facts["versions"]["tensorflow"] == "2.9.0"
    assert run.peak_rss_mb is not None and 100 < run.peak_rss_mb < 800


@pytest.fixture(scope="module")
def capped_benchmark() -> tuple[ProbeRun, list[CheckResult]]:
    """The real benchmark probe under a 250 MiB cap (TensorFlow alone needs more), and what
    the benchmark checks make of that very run."""
    from envcheck.bench.measure import probe_args
    from envcheck.checks.base import Context
    from envcheck.checks.registry import all_checks
    from envcheck.matrix import load_matrix
    from envcheck.pipeline import Progress, run_checks
    from envcheck.probing.interpreter import resolve
    from tests.conftest import EXAM_PYTHON

    if EXAM_PYTHON is None:
        pytest.skip("no exam environment (Python 3.8 + tensorflow 2.9.0); .ci/run creates it")
    matrix = load_matrix()
    bench = matrix.benchmark
    if bench is None:
        pytest.skip("the matrix has no benchmark section")
    started = time.monotonic()
    run = run_probe(
        "bench",
        str(EXAM_PYTHON),
        timeout_s=240,
        args=probe_args(bench, bench.categories, mode="quick"),
        memory_limit_mb=250,
    )
    assert time.monotonic() - started < 60
    ctx = Context(
        interpreter=resolve(str(EXAM_PYTHON)),
        matrix=matrix,
        profile_name=matrix.default_profile,
    )
    ctx.record(run)
    checks = [c for c in all_checks() if c.category == "benchmark"]
    results, _ = run_checks(ctx, checks, Progress())
    return run, results


@pytest.mark.tensorflow
def test_benchmark_under_a_small_cap_stops_and_reports_not_ready(
    capped_benchmark: tuple[ProbeRun, list[CheckResult]],
) -> None:
    from envcheck.outcome import verdict

    run, results = capped_benchmark
    assert run.outcome == "memory", run.message
    assert (run.peak_rss_mb or 0) < 250 * RLIMIT_HEADROOM + 64
    outcome = verdict(results)
    assert outcome.ready is False and outcome.exit_code == 1
    total = next(r for r in results if r.id == "benchmark.total")
    assert total.status.value == "failure"
    assert "memory cap of 250 MiB" in total.summary
    assert total.fix


@pytest.mark.tensorflow
def test_benchmark_memory_stop_fix_is_about_memory(
    capped_benchmark: tuple[ProbeRun, list[CheckResult]],
) -> None:
    _, results = capped_benchmark
    total = next(r for r in results if r.id == "benchmark.total")
    assert "memory" in (total.fix or "").lower()
