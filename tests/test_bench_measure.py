"""What the tool keeps of a benchmark run from the probe's progress events alone.

A probe stopped in a long native call (the first training step of a large
model compiles for seconds) can outlast the grace it is given and be killed
before it writes its JSON. The events it sent say which category it was in
and how far that category had got; the report must say so, not drop it.
The real probe killed mid-run is in test_bench_probe.py; here the events
are the probe's own words, as recorded, and the ending is given.
"""

from __future__ import annotations

from typing import Any

import pytest

from envcheck.bench.measure import EventCollector, from_probe_run
from envcheck.probing.protocol import (
    BENCH_CATEGORY_DONE,
    BENCH_CATEGORY_START,
    BENCH_PHASE,
    ProbeOutcome,
    ProbeRun,
)


def _events(collector: EventCollector, *, through_phase: str | None = "fit") -> None:
    collector({"event": BENCH_CATEGORY_START, "category": 1, "kind": "dense", "epochs": 2})
    collector({"event": BENCH_PHASE, "category": 1, "phase": "fit"})
    collector(
        {"event": BENCH_CATEGORY_DONE, "result": {"category": 1, "kind": "dense", "status": "done"}}
    )
    collector({"event": BENCH_CATEGORY_START, "category": 3, "kind": "cnn", "epochs": 4})
    for phase in ("data", "prepare", "build", "fit"):
        collector({"event": BENCH_PHASE, "category": 3, "phase": phase})
        if phase == through_phase:
            break


def _run(outcome: ProbeOutcome, facts: dict[str, Any] | None = None) -> ProbeRun:
    return ProbeRun(
        "bench",
        "/usr/bin/python3",
        outcome,
        facts or {},
        signal_name="SIGKILL" if outcome is ProbeOutcome.SIGNAL else None,
        message="probe 'bench' was killed by SIGKILL",
    )


def test_a_category_interrupted_before_the_probe_could_report_it_is_kept() -> None:
    collector = EventCollector()
    _events(collector)
    bench_run = from_probe_run(_run(ProbeOutcome.INTERRUPTED), collector, (1, 3), "quick")
    assert bench_run.finished(1) is not None
    stub = bench_run.categories[3]
    assert stub == {
        "category": 3,
        "kind": "cnn",
        "status": "interrupted",
        "phase": "fit",
        "reported": False,
    }
    assert bench_run.finished(3) is None
    why = bench_run.missing_reason(3)
    assert why == "it was interrupted (Ctrl-C) while training before it finished"
    assert bench_run.to_dict()["categories"]["3"]["status"] == "interrupted"


@pytest.mark.parametrize(
    ("phase", "words"),
    [("data", "while making its data"), ("build", "while building its model"), (None, "")],
)
def test_a_killed_probe_names_the_phase_its_category_was_in(phase: str | None, words: str) -> None:
    collector = EventCollector()
    _events(collector, through_phase=phase)
    if phase is None:  # started, no phase reported yet
        collector.running = {"category": 3, "kind": "cnn"}
    bench_run = from_probe_run(_run(ProbeOutcome.SIGNAL), collector, (1, 3), "quick")
    assert bench_run.categories[3]["status"] == "stopped"
    assert bench_run.missing_reason(3) == (
        f"the benchmark stopped{' ' + words if words else ''} before it finished "
        "(probe 'bench' was killed by SIGKILL)"
    )


def test_what_the_probe_reported_wins_over_what_its_events_said() -> None:
    collector = EventCollector()
    _events(collector)
    reported = {"category": 3, "kind": "cnn", "status": "interrupted", "epochs": [{"loss": 1.0}]}
    facts = {"categories": {"1": {"category": 1, "status": "done"}, "3": reported}}
    bench_run = from_probe_run(_run(ProbeOutcome.INTERRUPTED, facts), collector, (1, 3), "quick")
    assert bench_run.categories[3] is reported


def test_a_finished_category_is_no_longer_in_progress() -> None:
    collector = EventCollector()
    _events(collector)
    collector(
        {"event": BENCH_CATEGORY_DONE, "result": {"category": 3, "kind": "cnn", "status": "done"}}
    )
    assert collector.running is None
    bench_run = from_probe_run(_run(ProbeOutcome.SIGNAL), collector, (1, 3), "quick")
    assert bench_run.finished(3) is not None


@pytest.mark.parametrize("category", [True, "3", 3.0, None])
def test_an_event_with_no_category_number_starts_nothing(category: object) -> None:
    collector = EventCollector()
    collector({"event": BENCH_CATEGORY_START, "category": category, "kind": "cnn"})
    assert collector.running is None
