"""What every report view says about the benchmark, read from the report's details.

The benchmark checks (envcheck.checks.benchmark) leave the total's verdict
in `benchmark.total`'s details["verdict"] and each category's prediction in
details["prediction"]. Reports come from other machines and versions, so
everything is read defensively: a value that is missing or not a number
means "not shown", never a guess.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from envcheck.results import Report, Status

TOTAL_CHECK = "benchmark.total"


MAX_SECONDS = 1e9
"""About 30 years: anything larger (or infinite, or NaN) in a report is not a time."""


def _num(value: Any) -> float | None:
    """A usable non-negative number of seconds (or factor), else None."""
    if (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and 0 <= value <= MAX_SECONDS
    ):
        return float(value)
    return None


@dataclass(frozen=True)
class Total:
    readiness: str
    total_s: float
    low_s: float
    high_s: float
    retrain_factor: float
    budget_s: float
    ready_limit_s: float | None
    marginal_limit_s: float | None

    @property
    def with_retrains_s(self) -> float:
        return self.total_s * self.retrain_factor

    @property
    def share(self) -> float:
        return self.with_retrains_s / self.budget_s


@dataclass(frozen=True)
class CategoryBar:
    category: int
    title: str
    status: Status
    predicted_s: float | None
    low_s: float | None
    high_s: float | None
    problem: str | None = None


def total(report: Report) -> Total | None:
    """The benchmark's verdict on all five trainings, if the report has one."""
    for r in report.results:
        if r.id != TOTAL_CHECK or r.status in (Status.SKIPPED, Status.NOT_RUN):
            continue
        v = r.details.get("verdict")
        if not isinstance(v, dict):
            return None
        nums = {
            k: _num(v.get(k)) for k in ("total_s", "low_s", "high_s", "retrain_factor", "budget_s")
        }
        if any(x is None for x in nums.values()) or not nums["budget_s"]:
            return None
        return Total(
            readiness=str(v.get("readiness", "")),
            total_s=nums["total_s"] or 0.0,
            low_s=nums["low_s"] or 0.0,
            high_s=nums["high_s"] or 0.0,
            retrain_factor=nums["retrain_factor"] or 1.0,
            budget_s=nums["budget_s"] or 1.0,
            ready_limit_s=_num(v.get("ready_limit_s")),
            marginal_limit_s=_num(v.get("marginal_limit_s")),
        )
    return None


def headline(report: Report) -> str | None:
    """'25 min 21 s x3 = 1 h 16 min, 25% of the 5 h 00 min exam', or None."""
    from envcheck.bench.budget import format_duration, percent

    t = total(report)
    if t is None:
        return None
    return (
        f"{format_duration(t.total_s)} of training x{t.retrain_factor:g} = "
        f"{format_duration(t.with_retrains_s)}, {percent(t.share)} of the "
        f"{format_duration(t.budget_s)} exam"
    )


def categories(report: Report) -> list[CategoryBar]:
    """One entry per benchmark category check (benchmark.categoryN), in order."""
    bars: list[CategoryBar] = []
    for r in report.results:
        if r.category != "benchmark" or not r.id.startswith("benchmark.category"):
            continue
        try:
            number = int(r.id.removeprefix("benchmark.category"))
        except ValueError:
            continue
        if r.status in (Status.SKIPPED, Status.NOT_RUN):
            continue
        p = r.details.get("prediction")
        if isinstance(p, dict) and _num(p.get("predicted_s")) is not None:
            title = p.get("title")
            bars.append(
                CategoryBar(
                    number,
                    str(title) if isinstance(title, str) else r.title,
                    r.status,
                    _num(p.get("predicted_s")),
                    _num(p.get("low_s")),
                    _num(p.get("high_s")),
                )
            )
        else:
            bars.append(CategoryBar(number, r.title, r.status, None, None, None, r.summary))
    return bars
