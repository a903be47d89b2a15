"""Run the benchmark probe and keep every category it finished, whatever happens.

The probe writes its JSON only when it ends by itself, by Ctrl-C or by
SIGTERM. A probe killed outright (SIGKILL, the out-of-memory killer, a
crash in native code) writes nothing, so each finished category is also
sent as a progress event; `EventCollector` keeps those, and `BenchRun`
merges them with whatever JSON arrived. The category the probe was training
when it was stopped is kept too, with the phase it had reached, even where
the probe was killed before it could say so itself (a training step deep in
native code can outlast the grace a stopped probe is given).
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from envcheck.bench.config import Benchmark
from envcheck.probing.protocol import (
    BENCH_CATEGORY_DONE,
    BENCH_CATEGORY_START,
    BENCH_ENVIRONMENT,
    BENCH_PHASE,
    BENCH_SAVE_CHECK,
    BENCH_WORKDIR,
)
from envcheck.probing.registry import PROBES
from envcheck.probing.runner import (
    ProbeInterrupted,
    ProbeOutcome,
    ProbeRun,
    ProgressCallback,
    run_probe,
)

TEMP_PREFIX = "tfcert-bench-"
"""probes/probe_bench.py names its temporary folder like this."""
FULL_TIMEOUT_FLOOR_S = 900.0
FULL_TIMEOUT_FACTOR = 3.0
"""A full run may take this many times its predicted upper bound before it is stopped."""


def probe_args(
    bench: Benchmark,
    categories: Iterable[int],
    *,
    mode: str = "quick",
    save_check: bool = True,
) -> dict[str, Any]:
    """The probe's JSON argument: each workload with the sizes of this mode."""
    workloads = []
    for category in categories:
        workload = bench.workload(category)
        sizes = workload.quick if mode == "quick" else workload.full
        workloads.append(
            {
                "category": workload.category,
                "kind": workload.kind,
                "title": workload.title,
                "shape": dict(workload.shape),
                "sizes": sizes.model_dump(),
            }
        )
    return {
        "mode": mode,
        "workloads": workloads,
        "warmup_steps": bench.warmup_steps,
        "save_check": save_check,
    }


_DOING = {
    "data": "making its data",
    "prepare": "preparing its data",
    "build": "building its model",
    "fit": "training",
}
"""What a category does in each phase probes/bench_workloads.py reports."""


def _during(phase: object) -> str:
    if not isinstance(phase, str) or not phase:
        return ""
    return f" while {_DOING[phase]}" if phase in _DOING else f" in its {phase[:40]!r} phase"


def _is_category(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _unreported(running: Mapping[str, Any], outcome: ProbeOutcome) -> dict[str, Any]:
    """The result of a category the probe was stopped in before it could report it."""
    return {
        "category": running["category"],
        "kind": running.get("kind"),
        "status": "interrupted" if outcome is ProbeOutcome.INTERRUPTED else "stopped",
        "phase": running.get("phase"),
        "reported": False,
    }


class EventCollector:
    """A progress callback that keeps the benchmark's results and passes events on."""

    def __init__(self, forward: ProgressCallback | None = None) -> None:
        self.forward = forward
        self.environment: dict[str, Any] | None = None
        self.categories: dict[int, dict[str, Any]] = {}
        self.save_check: dict[str, Any] | None = None
        self.temp_dir: str | None = None
        self.running: dict[str, Any] | None = None
        """The category started and not yet reported done: category, kind, phase."""
        self._lock = threading.Lock()

    def __call__(self, event: dict[str, Any]) -> None:
        kind = event.get("event")
        with self._lock:
            if kind == BENCH_WORKDIR and isinstance(event.get("temp_dir"), str):
                self.temp_dir = event["temp_dir"]
            elif kind == BENCH_ENVIRONMENT and isinstance(event.get("environment"), dict):
                self.environment = event["environment"]
            elif kind == BENCH_CATEGORY_START and _is_category(event.get("category")):
                self.running = {"category": event["category"], "kind": event.get("kind")}
            elif kind == BENCH_PHASE and self.running is not None:
                if event.get("category") == self.running["category"]:
                    self.running["phase"] = event.get("phase")
            elif kind == BENCH_CATEGORY_DONE and isinstance(event.get("result"), dict):
                result = event["result"]
                if _is_category(result.get("category")):
                    self.categories[result["category"]] = result
                    if self.running is not None and self.running["category"] == result["category"]:
                        self.running = None
            elif kind == BENCH_SAVE_CHECK and isinstance(event.get("result"), dict):
                self.save_check = event["result"]
        if self.forward is not None:
            self.forward(event)


@dataclass(frozen=True)
class BenchRun:
    """What one benchmark probe run delivered, complete or not."""

    mode: str
    requested: tuple[int, ...]
    run: ProbeRun
    environment: dict[str, Any] | None = None
    categories: dict[int, dict[str, Any]] = field(default_factory=dict)
    save_check: dict[str, Any] | None = None
    peak_rss_mib: float | None = None
    wall_s: float | None = None
    interrupted: bool = False
    leftover_removed: str | None = None
    """The temporary folder of a probe killed before it could remove it, removed by us."""

    @property
    def import_s(self) -> float | None:
        value = (self.environment or {}).get("import_s")
        return float(value) if isinstance(value, int | float) else None

    def finished(self, category: int) -> dict[str, Any] | None:
        """The category's result if its training ran to the end."""
        result = self.categories.get(category)
        if result is not None and result.get("status") == "done":
            return result
        return None

    def missing_reason(self, category: int) -> str:
        """Why a category has no finished result, in one line."""
        result = self.categories.get(category)
        if result is not None and result.get("status") == "error":
            return f"its training failed: {result.get('error', 'unknown error')}"
        during = _during(result.get("phase") if result is not None else None)
        if result is not None and result.get("status") == "interrupted":
            return f"it was interrupted (Ctrl-C){during} before it finished"
        if self.run.ok:
            return "the probe did not run it"
        return f"the benchmark stopped{during} before it finished ({self.run.message})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "requested": list(self.requested),
            "probe": self.run.to_dict(),
            "environment": self.environment,
            "categories": {str(k): v for k, v in sorted(self.categories.items())},
            "save_check": self.save_check,
            "peak_rss_mib": self.peak_rss_mib,
            "wall_s": self.wall_s,
            "interrupted": self.interrupted,
            "leftover_removed": self.leftover_removed,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BenchRun:
        """A saved `to_dict()` back (benchmarks/bench_predict.py --reanalyse); the probe's
        raw facts are not saved, the categories' results are."""
        probe = data["probe"]
        return cls(
            mode=data["mode"],
            requested=tuple(data["requested"]),
            run=ProbeRun(
                probe=probe["probe"],
                interpreter=probe["interpreter"],
                outcome=probe["outcome"],
                returncode=probe.get("returncode"),
                signal_name=probe.get("signal"),
                timeout_s=probe.get("timeout_s"),
                duration_s=probe.get("duration_s") or 0.0,
                message=probe.get("message", ""),
                stderr_tail=probe.get("stderr_tail", ""),
                memory_limit_mb=probe.get("memory_limit_mb"),
                peak_rss_mb=probe.get("peak_rss_mb"),
            ),
            environment=data.get("environment"),
            categories={int(k): v for k, v in (data.get("categories") or {}).items()},
            save_check=data.get("save_check"),
            peak_rss_mib=data.get("peak_rss_mib"),
            wall_s=data.get("wall_s"),
            interrupted=bool(data.get("interrupted")),
            leftover_removed=data.get("leftover_removed"),
        )


def from_probe_run(
    run: ProbeRun, collector: EventCollector, requested: Iterable[int], mode: str
) -> BenchRun:
    """Merge the probe's JSON facts (if any) with the results sent as events."""
    facts = run.facts or {}
    categories: dict[int, dict[str, Any]] = dict(collector.categories)
    reported = facts.get("categories")
    if isinstance(reported, Mapping):
        for key, value in reported.items():
            if isinstance(value, dict) and str(key).isdigit():
                categories[int(key)] = value
    running = collector.running
    if running is not None and running["category"] not in categories:
        categories[running["category"]] = _unreported(running, run.outcome)
    environment = facts.get("environment") if isinstance(facts.get("environment"), dict) else None
    save = facts.get("save_check") if isinstance(facts.get("save_check"), dict) else None
    peak = facts.get("peak_rss_mib")
    wall = facts.get("wall_s")
    return BenchRun(
        mode=mode,
        requested=tuple(requested),
        run=run,
        environment=environment or collector.environment,
        categories=categories,
        save_check=save or collector.save_check,
        peak_rss_mib=float(peak) if isinstance(peak, int | float) else None,
        wall_s=float(wall) if isinstance(wall, int | float) else None,
        interrupted=run.outcome is ProbeOutcome.INTERRUPTED,
        leftover_removed=_remove_leftover(collector.temp_dir),
    )


def _remove_leftover(temp_dir: str | None) -> str | None:
    """Remove the probe's temporary folder if it is still there (the probe was killed).

    Only a folder the probe announced, named like the probe names it, directly
    in this machine's temporary directory: never anything else.
    """
    if not temp_dir:
        return None
    path = Path(temp_dir)
    try:
        if (
            not path.name.startswith(TEMP_PREFIX)
            or path.resolve().parent != Path(tempfile.gettempdir()).resolve()
            or not path.is_dir()
        ):
            return None
        shutil.rmtree(path)
    except OSError:
        return None
    return str(path)


class BenchInterrupted(KeyboardInterrupt):
    """Ctrl-C during the benchmark; `bench_run` holds what was measured."""

    def __init__(self, bench_run: BenchRun) -> None:
        super().__init__("benchmark interrupted")
        self.bench_run = bench_run


def measure(
    interpreter: str,
    bench: Benchmark,
    *,
    categories: Iterable[int],
    mode: str = "quick",
    save_check: bool = True,
    timeout_s: float | None = None,
    on_progress: ProgressCallback | None = None,
) -> BenchRun:
    """Run the benchmark probe under `interpreter`; raises BenchInterrupted on Ctrl-C."""
    wanted = tuple(categories)
    collector = EventCollector(on_progress)
    args = probe_args(bench, wanted, mode=mode, save_check=save_check)
    limit = timeout_s if timeout_s is not None else PROBES["bench"].timeout_s
    try:
        run = run_probe("bench", interpreter, timeout_s=limit, args=args, on_progress=collector)
    except ProbeInterrupted as exc:
        raise BenchInterrupted(from_probe_run(exc.run, collector, wanted, mode)) from None
    return from_probe_run(run, collector, wanted, mode)


def full_timeout(predicted_high_s: float) -> float:
    """The time limit for a full reference run predicted to take up to `predicted_high_s`."""
    return max(FULL_TIMEOUT_FLOOR_S, FULL_TIMEOUT_FACTOR * predicted_high_s)
