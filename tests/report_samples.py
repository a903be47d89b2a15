"""Saved reports for the report tests: the recorded fixtures and variations of them.

The fixtures in tests/fixtures/reports/ are real runs (see the README there);
the variations change one thing a test is about (hostile text, a benchmark
result, a Windows home) and keep everything else real.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from envcheck.cli import cli
from envcheck.outcome import verdict
from envcheck.report_io import load_report
from envcheck.results import Category, CheckResult, Report, Status

REPORTS = Path(__file__).resolve().parent / "fixtures" / "reports"

HOSTILE = (
    "\x1b[31mred\x1b[0m [bold red]markup[/bold red] <script>alert(1)</script> "
    "| pipe | `tick` **bold** _em_ [link](https://evil.example) @octocat "
    "<!-- comment --> </details> \x07bell \u202eevil"
)
"""Text a hostile or broken machine could put in a report."""


def fixture(name: str) -> Report:
    return load_report(REPORTS / f"{name}.json")


def replace_result(report: Report, check_id: str, **changes: Any) -> Report:
    """`report` with one check's fields changed and the verdict recomputed."""
    results = [r.model_copy(update=changes) if r.id == check_id else r for r in report.results]
    assert any(r.id == check_id for r in report.results), check_id
    return with_results(report, results)


def with_results(report: Report, results: list[CheckResult], **changes: Any) -> Report:
    keys = list(dict.fromkeys(r.category for r in results))
    known = {c.key: c for c in report.categories}
    categories = [known.get(k) or Category(key=k, title=k.capitalize()) for k in keys]
    return report.model_copy(
        update={
            "results": results,
            "categories": categories,
            "verdict": verdict(results, interrupted=report.interrupted),
            **changes,
        }
    )


def hostile_report() -> Report:
    """lab-pc-02 with hostile text in a package pin, an error message and a path."""
    report = fixture("lab-pc-02")
    report = replace_result(
        report,
        "packages.pins",
        summary=f"1 pin differs: evil-pkg {HOSTILE}",
        observed=f"evil-pkg {HOSTILE}",
        fix=f"pip install 'evil-pkg{HOSTILE}'\nthen restart PyCharm",
        details={"evil-pkg": HOSTILE, "nested": [{"text": HOSTILE}]},
    )
    report = replace_result(
        report,
        "tensorflow.import",
        status=Status.ERROR,
        summary=f"could not determine: import failed: {HOSTILE}",
        observed=None,
        fix="Run the interpreter by hand: `python -c 'import tensorflow'`",
    )
    return report.model_copy(
        update={"target": report.target.model_copy(update={"python": f"/opt/{HOSTILE}/python"})}
    )


def partial_benchmark(base: str) -> Report:
    """`base` whose benchmark lost category 5 (the probe died) and so has no total."""
    report = fixture(base)
    report = replace_result(
        report,
        "benchmark.category5",
        status=Status.ERROR,
        summary="could not determine: the benchmark probe was killed (signal 9)",
        observed=None,
        fix="Run `tfcert-envcheck bench --category 5` to see the measurement.",
        details={"probe": {"outcome": "signal", "signal": 9}},
    )
    return replace_result(
        report,
        "benchmark.total",
        status=Status.ERROR,
        summary="could not determine: categories 5 were not measured",
        fix="Run `tfcert-envcheck bench` to measure them, with -v for the probe's output.",
        details={"verdict": None},
    )


def category_predictions(report: Report) -> dict[int, float]:
    """The per-category predicted seconds the report's benchmark recorded."""
    out: dict[int, float] = {}
    for r in report.results:
        prediction = r.details.get("prediction") if r.category == "benchmark" else None
        if isinstance(prediction, dict):
            out[int(prediction["category"])] = float(prediction["predicted_s"])
    return out


def save(report: Report, path: Path) -> Path:
    path.write_text(report.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return path


def invoke(*args: str) -> Result:
    """The CLI in-process, as `tfcert-envcheck ARGS` (exceptions propagate)."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def as_json(text: str) -> Any:
    return json.loads(text)
