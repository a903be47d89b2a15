"""Turn a benchmark analysis (and full-run comparisons) into text or JSON.

Renderers only render: they take values and return a string; the command
decides where it goes. Strings that came from the probe go through
`safe.clean` and into `rich.text.Text`, never into markup.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from envcheck.bench.analysis import Analysis, Comparison
from envcheck.bench.budget import (
    Readiness,
    bar,
    format_duration,
    margin_note,
    percent,
    share_of_budget,
)
from envcheck.bench.config import Benchmark
from envcheck.bench.measure import BenchRun
from envcheck.bench.teardown import TEARDOWN_SHORT_S
from envcheck.deliver import dump_json, envelope
from envcheck.redact import Redactor
from envcheck.render.safe import clean, report_console

_READINESS_STYLE = {
    Readiness.READY: "green",
    Readiness.MARGINAL: "yellow",
    Readiness.NOT_READY: "red",
    Readiness.UNKNOWN: "magenta",
}


def _console(buf: io.StringIO, color: bool, width: int) -> Console:
    return report_console(buf, color=color, width=width)


def _short(title: str, verbose: bool) -> str:
    """'Image CNN: 300x300 JPEGs ...' -> 'Image CNN' (the whole title with -v)."""
    return title if verbose else title.split(":", 1)[0]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def render_text(
    analysis: Analysis,
    bench: Benchmark,
    *,
    comparisons: Sequence[Comparison] = (),
    verbose: bool = False,
    color: bool = False,
    width: int = 100,
) -> str:
    """The per-category table, the time budget, the .h5 check and any full-run comparison."""
    buf = io.StringIO()
    console = _console(buf, color, width)
    console.print(_heading(analysis.run))
    console.print(_category_table(analysis, bench, verbose))
    for line in (
        _budget_line(analysis, bench),
        _save_line(analysis.run),
        _ending_line(analysis.run),
        _footer(analysis.run),
    ):
        if line is not None:
            console.print(line)
    if comparisons:
        console.print()
        console.print(Text("Full reference runs", style="bold"))
        console.print(_comparison_table(comparisons))
    if verbose:
        for line in _details(analysis):
            console.print(line)
    return buf.getvalue()


def _heading(run: BenchRun) -> Text:
    env = run.environment or {}
    head = Text("Training benchmark", style="bold")
    if env:
        head.append(
            f" · TensorFlow {clean(str(env.get('tensorflow')))} · Keras "
            f"{clean(str(env.get('keras')))} · Python {clean(str(env.get('python')))} · "
            f"{clean(str(env.get('device')))}",
            style="dim",
        )
    return head


def _category_table(analysis: Analysis, bench: Benchmark, verbose: bool) -> Table:
    """One row per requested category: its step time, size, startup and prediction."""
    factor = analysis.budget.retrain_factor if analysis.budget else bench.retrain_factor
    table = Table(box=None, pad_edge=False, show_edge=False)
    for name, justify in (
        ("cat", "right"),
        ("workload", "left"),
        ("step", "right"),
        ("steps x epochs", "right"),
        ("startup", "right"),
        ("predicted (band)", "right"),
        (f"x{factor:g} of exam", "left"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for category in analysis.run.requested:
        workload = bench.workload(category)
        p = analysis.predictions.get(category)
        if p is None:
            why = analysis.problems.get(category, "not measured")
            table.add_row(
                str(category),
                Text(clean(_short(workload.title, verbose))),
                Text(f"not measured: {clean(why)}", style="magenta"),
            )
            continue
        share = share_of_budget(p.predicted_s, bench, factor)
        jitter = f" ±{p.train_step.jitter:.0%}" if p.train_step.n else ""
        table.add_row(
            str(category),
            Text(clean(_short(workload.title, verbose))),
            f"{_ms(p.train_step.median_s)}{jitter}",
            f"{p.steps_per_epoch} x {p.epochs}",
            format_duration(p.startup_s),
            f"{format_duration(p.predicted_s)} ({format_duration(p.low_s)}-"
            f"{format_duration(p.high_s)})",
            f"{bar(share, 10)} {percent(share)}",
        )
    return table


def _budget_line(analysis: Analysis, bench: Benchmark) -> Text | None:
    v = analysis.budget
    if v is None:
        return None
    line = Text(f"{v.readiness.value.capitalize()}: ", style=_READINESS_STYLE[v.readiness])
    line.append(
        f"{format_duration(v.total_s)} for one training of each "
        f"({format_duration(v.low_s)}-{format_duration(v.high_s)}); x{v.retrain_factor:g} "
        f"retrains = {format_duration(v.with_retrains_s)}, {v.share:.0%} of the "
        f"{format_duration(v.budget_s)} exam {bar(v.share)} (ready up to "
        f"{bench.ready_max_share:.0%}, marginal up to {bench.marginal_max_share:.0%})"
        f"{margin_note(v)}"
    )
    return line


def _save_line(run: BenchRun) -> Text | None:
    """The mymodel.h5 save-and-reload check, when the run made one."""
    save = run.save_check
    if save is None:
        return None
    if "error" in save:
        return Text(f"mymodel.h5: saving failed: {clean(str(save['error']))}", style="red")
    note = (
        " (Keras 3: .h5 is its legacy format; native is .keras)"
        if save.get("keras_major") == 3
        else ""
    )
    return Text(
        f"mymodel.h5: {int(save.get('bytes', 0)) / 1024:.1f} KiB, reloaded: "
        f"{'same predictions' if save.get('same_predictions') else 'DIFFERENT predictions'}"
        f"{note}"
    )


def _ending_line(run: BenchRun) -> Text | None:
    """Why the table may be incomplete: Ctrl-C, or a probe that stopped early."""
    if run.interrupted:
        return Text(
            "Interrupted (Ctrl-C): the categories above are what was measured.", style="yellow"
        )
    if not run.run.ok:
        return Text(f"The benchmark stopped early: {clean(run.run.message)}", style="magenta")
    return None


def _footer(run: BenchRun) -> Text | None:
    footer = []
    if run.wall_s is not None:
        footer.append(f"quick run {run.wall_s:.1f} s")
    if run.peak_rss_mib is not None:
        footer.append(f"peak memory {run.peak_rss_mib:.0f} MiB")
    return Text(" · ".join(footer), style="dim") if footer else None


def _comparison_table(comparisons: Sequence[Comparison]) -> Table:
    """Each full reference run's real time next to its quick prediction."""
    ctable = Table(box=None, pad_edge=False, show_edge=False)
    for name in ("cat", "predicted (band)", "actual", "ratio", "in band"):
        ctable.add_column(name, justify="right")
    for c in comparisons:
        if c.actual_s is None or c.prediction is None:
            ctable.add_row(str(c.category), Text(clean(c.problem or "no result"), style="magenta"))
            continue
        ratio = c.ratio or 0.0
        ctable.add_row(
            str(c.category),
            f"{format_duration(c.prediction.predicted_s)} "
            f"({format_duration(c.prediction.low_s)}-{format_duration(c.prediction.high_s)})",
            format_duration(c.actual_s),
            Text(f"{ratio:.2f}", style="green" if abs(ratio - 1) <= 0.15 else "yellow"),
            "yes" if c.within_band else "no",
        )
    return ctable


def _details(analysis: Analysis) -> list[Text]:
    """-v: how each prediction is made up, and the teardown odds it used."""
    lines = []
    for category, p in sorted(analysis.predictions.items()):
        parts = ", ".join(
            f"{k.removesuffix('_s')} {format_duration(v)}" for k, v in p.parts.items()
        )
        lines.append(
            Text(
                f"  {category}: {parts}; per epoch {format_duration(p.epoch_s)} "
                f"(overhead {_ms(p.epoch_overhead_s)})",
                style="dim",
            )
        )
    waits = analysis.teardown_waits
    if waits is not None and waits.odds is not None:
        lines.append(
            Text(
                "  teardown_waits: the expected wait for tf.data's autotuning thread when an "
                f"iterator is dropped, x its odds ({waits.odds.short:.0%} for iterators that "
                f"lived under {TEARDOWN_SHORT_S:g} s, {waits.odds.long:.0%} for longer ones; "
                f"measured: {clean(waits.odds.basis)})",
                style="dim",
            )
        )
    ends = waits.epoch_end if waits is not None else None
    if ends is not None and any(
        p.parts.get("epoch_end_waits_s") for p in analysis.predictions.values()
    ):
        lines.append(
            Text(
                "  epoch_end_waits: Keras 3 over a dataset of unknown length: every epoch "
                "after the first may end in a second such wait inside its last step, x its "
                f"odds ({ends.long:.0%} for epochs of {TEARDOWN_SHORT_S:g} s or more; "
                f"measured: {clean(ends.basis)})",
                style="dim",
            )
        )
    return lines


def render_json(
    analysis: Analysis, comparisons: Sequence[Comparison] = (), redactor: Redactor | None = None
) -> str:
    body: dict[str, Any] = analysis.to_dict()
    if comparisons:
        body["full_runs"] = [c.to_dict() for c in comparisons]
    doc = envelope("bench", dict(sorted(body.items())))
    return dump_json(redactor.value(doc) if redactor is not None else doc)
