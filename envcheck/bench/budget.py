"""The benchmark's time budget: do all trainings, retrains included, fit the exam?

total = sum of the five predicted trainings x retrain factor, as a share of
the exam budget: ready up to ready_max_share, marginal up to
marginal_max_share, not ready beyond (values and reasoning in
compat_matrix.yaml). "Ready" is a promise: it also needs the total with its
ready margin (the most a measured total has run over its prediction, rounded
up) within the ready limit, else the answer is marginal. With categories
missing the readiness is only certain when what was measured already exceeds
the limit.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from envcheck.bench.config import Benchmark
from envcheck.bench.predict import Prediction


class Readiness(str, enum.Enum):
    """The benchmark's answer; the run's own answer is its verdict (results.Verdict)."""

    READY = "ready"
    MARGINAL = "marginal"
    NOT_READY = "not ready"
    UNKNOWN = "could not determine"


@dataclass(frozen=True)
class TimeBudget:
    """The predicted trainings against the exam's time, and the readiness that gives."""

    readiness: Readiness
    total_s: float
    """One training of each measured category, summed."""
    low_s: float
    high_s: float
    retrain_factor: float
    budget_s: float
    ready_limit_s: float
    marginal_limit_s: float
    missing: tuple[int, ...] = ()
    ready_margin: float = 0.0
    margin_over: bool = False
    """The point prediction is within the ready limit, with the ready margin it is not:
    marginal, not ready."""

    @property
    def with_margin_s(self) -> float:
        """The trainings with retrains, x (1 + ready margin)."""
        return self.with_retrains_s * (1 + self.ready_margin)

    @property
    def with_retrains_s(self) -> float:
        return self.total_s * self.retrain_factor

    @property
    def share(self) -> float:
        """Trainings with retrains as a share of the exam's time."""
        return self.with_retrains_s / self.budget_s


def margin_note(v: TimeBudget) -> str:
    """Why a prediction within the ready limit is marginal; empty when it is not."""
    if not v.margin_over:
        return ""
    return (
        f"; with the {v.ready_margin:.0%} margin measured totals have needed, "
        f"{format_duration(v.with_margin_s)}, it would pass the "
        f"{format_duration(v.ready_limit_s)} that ready allows"
    )


def share_of_budget(seconds: float, bench: Benchmark, retrain_factor: float) -> float:
    """A training repeated `retrain_factor` times, as a share of the exam."""
    return seconds * retrain_factor / bench.exam_budget_s


def classify(share: float, bench: Benchmark) -> Readiness:
    """Ready, marginal or not ready for trainings taking `share` of the exam."""
    if share <= bench.ready_max_share:
        return Readiness.READY
    if share <= bench.marginal_max_share:
        return Readiness.MARGINAL
    return Readiness.NOT_READY


def time_budget(
    predictions: Iterable[Prediction],
    bench: Benchmark,
    *,
    retrain_factor: float | None = None,
    missing: Iterable[int] = (),
) -> TimeBudget:
    """Reduce per-category predictions to ready / marginal / not ready."""
    factor = bench.retrain_factor if retrain_factor is None else retrain_factor
    if factor < 1:
        raise ValueError("the retrain factor must be at least 1")
    preds = list(predictions)
    gaps = tuple(sorted(set(missing)))
    total = sum(p.predicted_s for p in preds)
    high = sum(p.high_s for p in preds)
    share = share_of_budget(total, bench, factor)
    readiness = classify(share, bench)
    margin_over = readiness is Readiness.READY and (
        classify(share * (1 + bench.ready_margin), bench) is not Readiness.READY
    )
    if margin_over:
        readiness = Readiness.MARGINAL
    if gaps and readiness is not Readiness.NOT_READY:
        # What is missing can only add time: only "not ready" is certain.
        readiness, margin_over = Readiness.UNKNOWN, False
    return TimeBudget(
        readiness=readiness,
        total_s=total,
        low_s=sum(p.low_s for p in preds),
        high_s=high,
        retrain_factor=factor,
        budget_s=bench.exam_budget_s,
        ready_limit_s=bench.exam_budget_s * bench.ready_max_share,
        marginal_limit_s=bench.exam_budget_s * bench.marginal_max_share,
        missing=gaps,
        ready_margin=bench.ready_margin,
        margin_over=margin_over,
    )


def format_duration(seconds: float) -> str:
    """'42 s', '3 min 05 s', '1 h 07 min': precise enough for a prediction."""
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.1f} s" if seconds < 10 else f"{seconds:.0f} s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def percent(share: float) -> str:
    """A share as a percentage, with a decimal below 10 % ('4.2%', '37%')."""
    return f"{share:.1%}" if share < 0.1 else f"{share:.0%}"


def bar(share: float, width: int = 20) -> str:
    """A text bar of a share of the budget: '[####................]'."""
    filled = min(width, max(0, round(share * width)))
    if share > 0 and filled == 0:
        filled = 1
    return "[" + "#" * filled + "." * (width - filled) + "]"
