"""The bench progress bar: fed by probe events, drawn on a terminal, silent otherwise."""

from __future__ import annotations

import io

from rich.console import Console

from envcheck.bench.progress import BenchProgress


def terminal() -> tuple[Console, io.StringIO]:
    buf = io.StringIO()
    return Console(file=buf, force_terminal=True, width=100, color_system=None), buf


def test_bar_follows_categories_epochs_and_steps() -> None:
    console, buf = terminal()
    progress = BenchProgress(console)
    progress.start([1, 2], "quick benchmark")
    assert progress._progress is not None and progress._task is not None
    task = progress._progress.tasks[0]
    progress({"event": "bench_category_done", "category": 1})
    assert task.completed == 1
    progress(
        {
            "event": "bench_step",
            "category": 2,
            "epoch": 2,
            "epochs": 4,
            "step": 5,
            "steps": 10,
            "message": "benchmark 2: Fashion MNIST: epoch 2/4, step 5/10",
        }
    )
    assert task.completed == 1 + (1 + 0.5) / 4
    assert task.description.startswith("benchmark 2: Fashion MNIST: epoch 2/4")
    progress.stop()
    assert "benchmark 2" in buf.getvalue()


def test_not_a_terminal_draws_nothing() -> None:
    buf = io.StringIO()
    progress = BenchProgress(Console(file=buf))
    progress.start([1], "quick benchmark")
    progress({"event": "bench_step", "category": 1, "epoch": 1, "epochs": 2, "message": "x"})
    progress.stop()
    assert buf.getvalue() == ""


def test_broken_events_are_ignored() -> None:
    console, _ = terminal()
    progress = BenchProgress(console)
    progress.start([1], "quick benchmark")
    progress({"event": "bench_step", "category": 1, "epoch": "two", "epochs": None})
    progress({"event": "bench_category_done"})
    assert progress._progress is not None
    assert progress._progress.tasks[0].completed == 0
    progress.stop()


def test_check_shows_the_bar_while_the_benchmark_trains_then_its_spinner_again() -> None:
    """`check` draws the same bar as `bench` in place of its spinner, then resumes it."""
    from envcheck.checks.registry import all_checks
    from envcheck.ui import LiveProgress

    console, buf = terminal()
    live = LiveProgress(console)
    checks = all_checks()
    bench_check = next(c for c in checks if c.id.startswith("benchmark."))
    live.start(bench_check)
    assert live._spinner is not None and live._bar is None
    live.probe_event({"event": "bench_start", "mode": "quick", "categories": [1, 2, 3, 4, 5]})
    assert live._spinner is None and live._bar is not None
    bar = live._bar._progress
    assert bar is not None
    live.probe_event({"event": "bench_category_done", "category": 1})
    live.probe_event(
        {
            "event": "bench_step",
            "category": 2,
            "epoch": 1,
            "epochs": 3,
            "step": 30,
            "steps": 60,
            "message": "benchmark 2: epoch 1/3",
        }
    )
    assert bar.tasks[0].completed == 1 + 0.5 / 3
    assert bar.tasks[0].total == 5
    live.start(checks[0])  # the next check: the bar goes, the spinner comes back
    assert live._bar is None and live._spinner is not None
    live.close()
    assert live._spinner is None
    assert "benchmark 2: epoch 1/3" in buf.getvalue()


def test_check_draws_no_bar_off_a_terminal() -> None:
    from envcheck.ui import LiveProgress

    buf = io.StringIO()
    live = LiveProgress(Console(file=buf))
    live.probe_event({"event": "bench_start", "mode": "quick", "categories": [1]})
    assert live._bar is None
    live.close()
    assert buf.getvalue() == ""
