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


def benchmark_report(base: str, predictions: dict[int, float]) -> Report:
    """`base` with benchmark results shaped like envcheck.bench.predict.Prediction.to_dict().

    The benchmark category is still being built (issue 4); these details
    carry the keys the fleet view reads ("predicted_s" per category).
    """
    report = fixture(base)
    bench = [
        CheckResult(
            id=f"benchmark.category{n}",
            category="benchmark",
            title=f"Category {n} reference training",
            status=Status.OK,
            summary=f"predicted {seconds / 60:.0f} min",
            observed=f"{seconds:.0f} s",
            details={"prediction": {"category": n, "predicted_s": seconds, "low_s": seconds * 0.9}},
            duration_s=8.0,
        )
        for n, seconds in predictions.items()
    ]
    results = [*report.results, *bench]
    updated = with_results(report, results)
    cats = [*report.categories, Category(key="benchmark", title="Training benchmark")]
    return updated.model_copy(update={"categories": cats})


def save(report: Report, path: Path) -> Path:
    path.write_text(report.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return path


def invoke(*args: str) -> Result:
    """The CLI in-process, as `tfcert-envcheck ARGS` (exceptions propagate)."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def as_json(text: str) -> Any:
    return json.loads(text)
