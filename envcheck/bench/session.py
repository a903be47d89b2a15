"""`tfcert-envcheck bench` as plain functions: measure, predict, (train fully), report.

The command only parses options into a `BenchConfig` and calls `run_bench`.
A quick run always comes first, because a full run is only worth as much as
the prediction it is compared with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from envcheck import interrupts
from envcheck.bench.analysis import Analysis, Comparison, analyse, compare
from envcheck.bench.budget import Readiness
from envcheck.bench.config import Benchmark
from envcheck.bench.measure import BenchInterrupted, full_timeout, measure
from envcheck.bench.progress import BenchProgress
from envcheck.bench.render import render_json, render_text
from envcheck.deliver import Output, deliver, run_then_write
from envcheck.errors import ConfigError, UsageError
from envcheck.matrix import load_matrix
from envcheck.outcome import ExitCode
from envcheck.probing import interpreter as interp
from envcheck.probing.registry import PROBES
from envcheck.probing.runner import ProgressCallback
from envcheck.redact import Redactor


@dataclass
class BenchConfig:
    python: str | None = None
    matrix: Path | None = None
    categories: tuple[int, ...] = ()
    full: bool = False
    retrain_factor: float | None = None
    out: Output = field(default_factory=Output)
    verbose: bool = False
    quiet: bool = False
    timeout_scale: float = 1.0
    save_check: bool = True
    progress: ProgressCallback | None = field(default=None, repr=False)
    """Extra progress callback (tests, the benchmark script)."""


@dataclass
class BenchOutcome:
    analysis: Analysis
    comparisons: list[Comparison]
    interrupted: bool
    exit_code: int


def _benchmark(config: BenchConfig) -> Benchmark:
    matrix = load_matrix(config.matrix)
    if matrix.benchmark is None:
        raise ConfigError(f"{config.matrix or 'the bundled matrix'}: no benchmark section")
    return matrix.benchmark


def _interpreter(config: BenchConfig) -> str:
    python = config.python or interp.default_interpreter()
    resolved = interp.resolve(python)
    if isinstance(resolved, interp.InterpreterProblem):
        raise UsageError(f"--python {python}: {resolved.reason} ({resolved.fix})")
    if not resolved.can_run_probes:
        raise UsageError(
            f"--python {python}: Python {resolved.version_str} is too old to probe (3.7 or newer)"
        )
    return resolved.path


def execute(config: BenchConfig) -> BenchOutcome:
    """Run quick (and, with --full, the full reference jobs); never raise on Ctrl-C."""
    bench = _benchmark(config)
    categories = config.categories or tuple(bench.categories)
    for category in categories:
        try:
            bench.workload(category)
        except KeyError:
            raise UsageError(f"--category {category}: the matrix has no workload for it") from None
    if config.full and not config.categories:
        raise UsageError(
            "--full trains the real reference job: name it with --category N "
            "(a full run of category 3 or 4 takes minutes to hours)"
        )
    python = _interpreter(config)
    progress = BenchProgress(enabled=False if config.quiet else None)

    def forward(event: dict[str, Any]) -> None:
        progress(event)
        if config.progress is not None:
            config.progress(event)

    comparisons: list[Comparison] = []
    progress.start(list(categories), "quick benchmark")
    try:
        quick = measure(
            python,
            bench,
            categories=categories,
            mode="quick",
            save_check=config.save_check,
            timeout_s=PROBES["bench"].timeout_s * config.timeout_scale,
            on_progress=forward,
        )
    except BenchInterrupted as exc:
        progress.stop()
        partial = analyse(exc.bench_run, bench, retrain_factor=config.retrain_factor)
        return BenchOutcome(partial, [], True, interrupts.exit_code())
    finally:
        progress.stop()
    analysis = analyse(quick, bench, retrain_factor=config.retrain_factor)

    if config.full:
        for category in categories:
            prediction = analysis.predictions.get(category)
            high = prediction.high_s if prediction else 3600.0
            progress.start([category], f"full reference run of category {category}")
            try:
                full = measure(
                    python,
                    bench,
                    categories=[category],
                    mode="full",
                    save_check=False,
                    timeout_s=full_timeout(high) * config.timeout_scale,
                    on_progress=forward,
                )
            except BenchInterrupted as exc:
                progress.stop()
                comparisons.append(compare(category, analysis, exc.bench_run))
                return BenchOutcome(analysis, comparisons, True, interrupts.exit_code())
            finally:
                progress.stop()
            comparisons.append(compare(category, analysis, full))
    return BenchOutcome(analysis, comparisons, False, _exit_code(analysis, comparisons))


def _exit_code(analysis: Analysis, comparisons: list[Comparison]) -> int:
    if any(c.actual_s is None for c in comparisons):
        return ExitCode.NOT_READY
    v = analysis.budget
    if v is None or v.readiness in (Readiness.NOT_READY, Readiness.UNKNOWN):
        return ExitCode.NOT_READY
    return ExitCode.READY


def run_bench(config: BenchConfig) -> int:
    """Measure, render to stdout or -o (the shared output path), and return the exit code."""
    out = config.out

    def write(outcome: BenchOutcome) -> None:
        deliver(render(outcome, config), out)

    return run_then_write(out, lambda: execute(config), write, lambda o: o.exit_code)


def render(outcome: BenchOutcome, config: BenchConfig) -> str:
    """The outcome in `config.out.fmt`, redacted when it is shareable."""
    out = config.out
    redactor = _redactor() if out.redacted else None
    if out.fmt == "json":
        return render_json(outcome.analysis, outcome.comparisons, redactor)
    text = render_text(
        outcome.analysis,
        _benchmark(config),
        comparisons=outcome.comparisons,
        verbose=config.verbose,
        color=out.color(),
        width=out.width(110, 140),
    )
    return redactor.text(text) if redactor is not None else text


def _redactor() -> Redactor:
    """This machine's identity: the benchmark runs here, so its paths name this home."""
    from envcheck.report_build import host_identity

    return Redactor(host_identity())
