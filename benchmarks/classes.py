"""Prediction vs full trainings across machine classes, from saved measurements.

    python benchmarks/classes.py FILE[+MORE...][,QUICK] ... [--svg docs/img/benchmark-classes.svg]

Each FILE is one `benchmarks/bench_predict.py --json` file (benchmarks/results/
keeps this project's); it says which machine class it was measured in
(`--class`; files from before the option are the "vm" class). `FILE,QUICK`
predicts from QUICK's quick run instead (one made with `--skip-full`);
`FILE+MORE` adds MORE's full runs (the same interpreter and class, a category
measured later on its own) to FILE's, predicted from FILE's quick run.

For every (class, TensorFlow, category) cell it prints the prediction and its
band, the mean of the full runs with their range, their ratio and whether the
band held every run; then one line per class and TensorFlow version against
the goals of docs/benchmark.md: each category within +/-15 % of its full runs'
mean in at least 90 % of the cells, the total within +/-10 %, the band holding
every run, the verdict (ready / marginal / not ready) the same as the full
runs', the quick run within 60 s on 2 vCPUs and 2 GiB. `--svg` draws the
ratios as one picture. docs/benchmark.md quotes both; tests/test_bench_scripts.py
recomputes them.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_predict import (  # a script beside this one
    CATEGORY_TOLERANCE,
    MEMORY_TARGET_MIB,
    QUICK_TARGET_S,
    TOTAL_TOLERANCE,
    CategoryResult,
    InterpreterResult,
    reanalyse,
)

from envcheck.bench.budget import (
    Readiness,
    TimeBudget,
    classify,
    format_duration,
    share_of_budget,
    time_budget,
)
from envcheck.bench.config import Benchmark
from envcheck.matrix import load_matrix

CLASS_ORDER = ["vm", "1cpu", "half-cpu", "mem4g"]
GOAL_CELL_SHARE = 0.90


@dataclass
class Cell:
    """One (class, TensorFlow) row: a saved file, reanalysed."""

    machine_class: str
    tensorflow: str
    result: InterpreterResult
    source: str

    @property
    def date(self) -> str:
        """The day it was measured (the file name's first part)."""
        return self.source.split("_")[0]

    @property
    def quick_of_all(self) -> bool:
        """Whether its quick run trained all five categories (as `check` does), so
        that its time compares with another class's."""
        requested = self.result.raw.get("quick", {}).get("run", {}).get("requested", [])
        return sorted(requested) == [1, 2, 3, 4, 5]

    @property
    def measured(self) -> list[CategoryResult]:
        """Categories with a prediction and every full run finished."""
        return [c for c in self.result.categories if c.ratio is not None]


def load(spec: str) -> list[Cell]:
    files, _, quick = spec.partition(",")
    full, *more = files.split("+")
    results = reanalyse(Path(full), None, Path(quick) if quick else None, [Path(m) for m in more])
    cells = []
    for r in results:
        machine = r.raw.get("machine_class") or {"name": "vm"}
        tensorflow = r.label.split("TF ")[1].split(",")[0] if "TF " in r.label else "?"
        cells.append(Cell(str(machine.get("name", "vm")), tensorflow, r, Path(full).name))
    return cells


def _order(cell: Cell) -> tuple[int, tuple[int, ...], str]:
    rank = CLASS_ORDER.index(cell.machine_class) if cell.machine_class in CLASS_ORDER else 99
    version = tuple(int(p) for p in cell.tensorflow.split(".") if p.isdigit())
    return rank, version, cell.date


def _ratio_range(c: CategoryResult) -> str:
    ratios = c.run_ratios
    if len(ratios) < 2:
        return ""
    return f" ({min(ratios):.2f}-{max(ratios):.2f})"


def _band_holds(c: CategoryResult) -> bool:
    return all(run.within_band for run in c.runs)


def _actual_text(c: CategoryResult) -> str:
    actuals = c.actuals
    assert c.actual_s is not None
    spread = (
        f" ({format_duration(min(actuals))}-{format_duration(max(actuals))}, {len(actuals)} runs)"
        if len(actuals) > 1
        else ""
    )
    return format_duration(c.actual_s) + spread


def cell_table(cells: list[Cell]) -> str:
    """One row per (class, TensorFlow, category), then the total."""
    lines = [
        "| class | TF | measured | cat | predicted (band) | actual: mean (range, runs) "
        "| ratio (per run) | band holds every run |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for cell in cells:
        first = True
        for c in cell.measured:
            p = c.prediction
            head = (
                f"| {cell.machine_class} | {cell.tensorflow} | {cell.date} " if first else "| | | "
            )
            first = False
            lines.append(
                f"{head}| {c.category} | {format_duration(p.predicted_s)} "
                f"({format_duration(p.low_s)}-{format_duration(p.high_s)}) "
                f"| {_actual_text(c)} | {c.ratio:.2f}{_ratio_range(c)} "
                f"| {'yes' if _band_holds(c) else 'no'} |"
            )
        predicted, actual = totals(cell)
        if len(cell.measured) > 1:
            lines.append(
                f"| | | | **total** | {format_duration(predicted)} | {format_duration(actual)} "
                f"| {predicted / actual:.2f} | |"
            )
    return "\n".join(lines)


def totals(cell: Cell) -> tuple[float, float]:
    predicted = sum(c.prediction.predicted_s for c in cell.measured)
    actual = sum(c.actual_s or 0.0 for c in cell.measured)
    return predicted, actual


def _benchmark() -> Benchmark:
    bench = load_matrix(None).benchmark
    assert bench is not None, "the matrix has no benchmark section"
    return bench


def verdicts(cell: Cell, bench: Benchmark) -> tuple[TimeBudget, Readiness]:
    """The tool's own verdict from the cell's predictions (its ready margin included),
    and where the full runs' total falls."""
    budget = time_budget([c.prediction for c in cell.measured], bench)
    actual = totals(cell)[1]
    return budget, classify(share_of_budget(actual, bench, budget.retrain_factor), bench)


def summary_table(cells: list[Cell]) -> str:
    """One row per (class, TensorFlow) against the goals."""
    bench = _benchmark()
    lines = [
        "| class | TF | measured | categories | within +/-15 % | total ratio "
        "| band holds every run | verdict, with retrains: predicted / full runs "
        "| quick run (x vm) "
        "| full runs (x vm) | quick-run peak memory |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    # The vm row to scale by: the same TensorFlow, measured the same day where there is
    # one (this machine's speed changed from one day to the next), else the latest.
    vm = {
        (cell.tensorflow, day): cell
        for cell in cells
        if cell.machine_class == "vm" and len(cell.measured) == 5 and cell.quick_of_all
        for day in (cell.date, None)
    }
    for cell in cells:
        measured = cell.measured
        within = sum(1 for c in measured if abs((c.ratio or 0) - 1) <= CATEGORY_TOLERANCE)
        held = sum(1 for c in measured if _band_holds(c))
        predicted, actual = totals(cell)
        budget, actual_readiness = verdicts(cell, bench)
        verdict = (
            f"{budget.readiness.value} ({format_duration(budget.with_retrains_s)}, "
            f"+{budget.ready_margin:.0%} {format_duration(budget.with_margin_s)}) / "
            f"{actual_readiness.value} ({format_duration(actual * budget.retrain_factor)})"
            if len(measured) == 5
            else "-"
        )
        r = cell.result
        base = vm.get((cell.tensorflow, cell.date)) or vm.get((cell.tensorflow, None))
        quick_scale = full_scale = ""
        if base is not None and base is not cell:
            if cell.quick_of_all:
                quick_scale = f" ({r.quick_wall_s / base.result.quick_wall_s:.2f})"
            full_scale = _full_scale(cell, base)
        if not cell.quick_of_all:
            quick_scale = f", of {', '.join(str(c.category) for c in measured)} only"
        lines.append(
            f"| {cell.machine_class} | {cell.tensorflow} | {cell.date} "
            f"| {', '.join(str(c.category) for c in measured)} "
            f"| {within} of {len(measured)} | {predicted / actual:.2f} | {held} of {len(measured)} "
            f"| {verdict} | {r.quick_wall_s:.1f} s{quick_scale} | {format_duration(actual)}"
            f"{full_scale} | {r.quick_peak_mib or 0:.0f} MiB |"
        )
    return "\n".join(lines)


def _full_scale(cell: Cell, base: Cell) -> str:
    """How much longer the full runs took than on the vm class, over the categories
    measured in both."""
    mine = {c.category: c.actual_s or 0.0 for c in cell.measured}
    theirs = {c.category: c.actual_s or 0.0 for c in base.measured}
    common = sorted(set(mine) & set(theirs))
    if not common:
        return ""
    return f" ({sum(mine[c] for c in common) / sum(theirs[c] for c in common):.2f})"


def goal_lines(cells: list[Cell]) -> list[str]:
    measured = [(cell, c) for cell in cells for c in cell.measured]
    within = [(cell, c) for cell, c in measured if abs((c.ratio or 0) - 1) <= CATEGORY_TOLERANCE]
    missed = [
        f"{cell.machine_class}/{cell.tensorflow}/cat {c.category} at {c.ratio:.2f}"
        for cell, c in measured
        if (cell, c) not in within
    ]
    share = len(within) / len(measured) if measured else 0.0
    complete = [cell for cell in cells if len(cell.measured) == 5]
    total_ok = [
        cell for cell in complete if abs(totals(cell)[0] / totals(cell)[1] - 1) <= TOTAL_TOLERANCE
    ]
    unheld = [
        f"{cell.machine_class}/{cell.tensorflow}/cat {c.category}"
        for cell, c in measured
        if not _band_holds(c)
    ]
    vm_quick = [
        cell.result.quick_wall_s
        for cell in cells
        if cell.machine_class in ("vm", "mem4g") and cell.quick_of_all
    ]
    peaks = [cell.result.quick_peak_mib or 0.0 for cell in cells]
    bench = _benchmark()
    judged = [(cell, *verdicts(cell, bench)) for cell in complete]
    wrong = [
        f"{cell.machine_class}/{cell.tensorflow} {budget.readiness.value} where the full "
        f"runs make {actual.value}"
        for cell, budget, actual in judged
        if budget.readiness is not actual
    ]
    over = max(complete, key=lambda cell: totals(cell)[1] / totals(cell)[0], default=None)
    return [
        f"cells within +/-{CATEGORY_TOLERANCE:.0%}: {len(within)} of {len(measured)} "
        f"({share:.0%}; goal {GOAL_CELL_SHARE:.0%})"
        + (f"; outside: {', '.join(missed)}" if missed else ""),
        f"total within +/-{TOTAL_TOLERANCE:.0%}: {len(total_ok)} of {len(complete)} complete "
        "class/TF rows",
        "band holds every full run: "
        + ("in every cell" if not unheld else f"not in {', '.join(unheld)}"),
        f"verdict right in {len(judged) - len(wrong)} of {len(judged)} complete rows"
        + (f"; not: {', '.join(wrong)}" if wrong else ""),
        "the most a total ran over its prediction: "
        + (
            f"{totals(over)[1] / totals(over)[0]:.2f} x ({over.machine_class}/{over.tensorflow});"
            f" ready margin {bench.ready_margin:.0%}"
            if over is not None
            else "-"
        ),
        "quick run of all five on two vCPUs (vm, mem4g): "
        f"{', '.join(f'{s:.1f} s' for s in vm_quick) or '-'} "
        f"(goal <= {QUICK_TARGET_S:.0f} s); peak memory at most "
        f"{max(peaks, default=0.0):.0f} MiB (goal <= {MEMORY_TARGET_MIB:.0f})",
    ]


# --- the chart ------------------------------------------------------------------

_LOW, _HIGH = 0.4, 1.8
_LEFT, _WIDTH, _ROW, _TOP = 150, 560, 70, 46
_STACK = 11.0
"""Vertical distance between a row's categories (1 at the top, the total below 5)."""


def _x(ratio: float) -> float:
    clipped = min(max(ratio, _LOW), _HIGH)
    return _LEFT + (clipped - _LOW) / (_HIGH - _LOW) * _WIDTH


def svg(cells: list[Cell]) -> str:
    """Predicted / actual per cell: one row per class and TensorFlow, one numbered
    mark per category at its ratio to the full runs' mean, a line over its runs'
    ratios; the shaded band is the +/-15 % goal."""
    height = _TOP + _ROW * len(cells) + 40
    width = _LEFT + _WIDTH + 30
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        "<title>Predicted / actual training time per machine class and category</title>",
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<rect x="{_x(1 - CATEGORY_TOLERANCE):.1f}" y="{_TOP - 10}" '
        f'width="{_x(1 + CATEGORY_TOLERANCE) - _x(1 - CATEGORY_TOLERANCE):.1f}" '
        f'height="{_ROW * len(cells) + 10}" fill="#dff0d8"/>',
        f'<text x="{_LEFT}" y="18" font-weight="bold">predicted / actual '
        "(mean of the full runs); shaded: within 15 %</text>",
        f'<text x="{_LEFT}" y="34">digits: category (red: outside 15 %); T: total '
        "(red: outside 10 %); lines: each run's ratio</text>",
    ]
    for tick in (0.5, 0.75, 1.0, 1.25, 1.5, 1.75):
        x = _x(tick)
        out.append(
            f'<line x1="{x:.1f}" y1="{_TOP - 10}" x2="{x:.1f}" '
            f'y2="{_TOP + _ROW * len(cells)}" stroke="#999999" '
            f'stroke-dasharray="{"0" if tick == 1.0 else "3,3"}"/>'
        )
        out.append(
            f'<text x="{x:.1f}" y="{_TOP + _ROW * len(cells) + 18}" '
            f'text-anchor="middle">{tick:.2f}</text>'
        )
    for row, cell in enumerate(cells):
        y = _TOP + row * _ROW + _ROW / 2
        if row:
            out.append(
                f'<line x1="10" y1="{_TOP + row * _ROW - 4}" x2="{width - 10}" '
                f'y2="{_TOP + row * _ROW - 4}" stroke="#dddddd"/>'
            )
        # A row of some categories only says which: rows of one day can share the rest.
        some = len(cell.measured) < 5
        which = ", ".join(str(c.category) for c in cell.measured)
        only = f"categor{'ies' if len(cell.measured) > 1 else 'y'} {which} only" if some else ""
        out.append(
            f'<text x="{_LEFT - 10}" y="{y + 4:.1f}" text-anchor="end">'
            f"{cell.machine_class}, TF {cell.tensorflow}, {cell.date[5:]}</text>"
        )
        if only:
            out.append(
                f'<text x="{_LEFT - 10}" y="{y + 18:.1f}" text-anchor="end" font-size="10">'
                f"{only}</text>"
            )
        for c in cell.measured:
            offset = (c.category - 3.5) * _STACK
            ratios = c.run_ratios
            if len(ratios) > 1:
                out.append(
                    f'<line x1="{_x(min(ratios)):.1f}" y1="{y + offset:.1f}" '
                    f'x2="{_x(max(ratios)):.1f}" y2="{y + offset:.1f}" stroke="#555555"/>'
                )
            inside = abs((c.ratio or 0) - 1) <= CATEGORY_TOLERANCE
            colour = "#1a7f37" if inside else "#cf222e"
            cx = _x(c.ratio or 0)
            if not _LOW <= (c.ratio or 0) <= _HIGH:  # off the axis: say where
                out.append(
                    f'<text x="{cx + (10 if cx > _LEFT else -10):.1f}" y="{y + offset + 4:.1f}" '
                    f'text-anchor="{"start" if cx > _LEFT else "end"}" font-size="10">'
                    f"{c.ratio:.2f}</text>"
                )
            out.append(f'<circle cx="{cx:.1f}" cy="{y + offset:.1f}" r="6" fill="{colour}"/>')
            out.append(
                f'<text x="{cx:.1f}" y="{y + offset + 3.5:.1f}" text-anchor="middle" '
                f'fill="#ffffff" font-size="9">{c.category}</text>'
            )
        if len(cell.measured) == 5:
            predicted, actual = totals(cell)
            inside = abs(predicted / actual - 1) <= TOTAL_TOLERANCE
            tx, ty = _x(predicted / actual), y + 2.5 * _STACK
            out.append(
                f'<rect x="{tx - 7:.1f}" y="{ty - 6:.1f}" width="14" height="12" '
                f'fill="{"#0b3d91" if inside else "#cf222e"}"/>'
            )
            out.append(
                f'<text x="{tx:.1f}" y="{ty + 3.5:.1f}" text-anchor="middle" fill="#ffffff" '
                'font-size="9">T</text>'
            )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "files", nargs="+", metavar="FILE[+MORE...][,QUICK]", help="saved measurements"
    )
    parser.add_argument("--svg", type=Path, help="also draw the ratios into this SVG file")
    args = parser.parse_args(argv)
    cells = sorted((cell for spec in args.files for cell in load(spec)), key=_order)
    print(cell_table(cells))
    print()
    print(summary_table(cells))
    print()
    print("\n".join(goal_lines(cells)))
    if args.svg:
        args.svg.write_text(svg(cells), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
