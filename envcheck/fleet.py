"""Many reports, one row per machine: what `tfcert-envcheck fleet` shows a lab admin.

A lab collects one JSON report per machine (a CI job per runner). The
fleet view reads every `*.json` under a folder, keeps the newest report per
machine, and shows its verdict, failing checks, predicted training time and
TensorFlow and Python versions. A file that is not a readable report is
listed with its problem and does not stop the others.

Host names stay visible here: the machines belong to the lab that runs this
command, and the host name is how an admin finds the machine. A report saved
with redaction (the default for `-o`) has no host name; its file name
(without .json) names the machine instead, so name files after the runner.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from envcheck.deliver import dump_json, envelope
from envcheck.errors import ReportError, UsageError
from envcheck.redact import HOST
from envcheck.render import markdown as md
from envcheck.render.safe import clean
from envcheck.report_io import load_report
from envcheck.results import Report, Status
from envcheck.words import plural

# Where the benchmark (envcheck.checks.benchmark) leaves its prediction: the
# total's details["verdict"]["total_s"], or per category details["prediction"].
_TOTAL_CHECK = "benchmark.total"


@dataclass(frozen=True)
class Machine:
    """One machine's newest report, reduced to what the fleet table shows."""

    machine: str
    file: str
    created_at: str
    ready: bool
    verdict: str
    exit_code: int
    failing: list[str]
    warnings: int
    predicted_s: float | None
    tensorflow: str | None
    python: str | None
    older_reports: int = 0
    html: str | None = None
    """NAME.html beside NAME.json, relative to the fleet folder: fleet HTML links to it."""


@dataclass
class Fleet:
    folder: Path = Path()
    machines: list[Machine] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 when every machine is ready and every file was read, else 1."""
        return (
            0
            if self.machines and all(m.ready for m in self.machines) and not self.unreadable
            else 1
        )


def collect(folder: Path) -> Fleet:
    """Read every report under `folder` (recursively, hidden files skipped)."""
    if not folder.is_dir():
        raise UsageError(f"{folder}: not a folder (fleet reads the *.json reports in a folder)")
    files = sorted(_report_files(folder))
    if not files:
        raise UsageError(f"{folder}: no *.json reports in this folder")
    fleet = Fleet(folder=folder)
    newest: dict[str, tuple[Report, Path, int]] = {}
    for path in files:
        try:
            report = load_report(path)
        except ReportError as exc:
            fleet.unreadable.append((str(path), str(exc).removeprefix(f"{path}: ")))
            continue
        name = machine_name(report, path)
        if name in newest:
            kept, kept_path, older = newest[name]
            if report.created_at > kept.created_at:
                newest[name] = (report, path, older + 1)
            else:
                newest[name] = (kept, kept_path, older + 1)
        else:
            newest[name] = (report, path, 0)
    fleet.machines = [_row(name, r, p, older, folder) for name, (r, p, older) in newest.items()]
    fleet.machines.sort(key=lambda m: (m.ready, m.machine))
    return fleet


def _report_files(folder: Path) -> Iterator[Path]:
    for path in folder.rglob("*.json"):
        if path.is_file() and not any(p.startswith(".") for p in path.relative_to(folder).parts):
            yield path


def machine_name(report: Report, path: Path) -> str:
    """The host name the report recorded, or the file's name if it was redacted away."""
    host = report.host.get("hostname", "")
    return host if host and host != HOST else path.stem


def _row(name: str, report: Report, path: Path, older: int, folder: Path) -> Machine:
    page = path.with_suffix(".html")
    v = report.verdict
    return Machine(
        machine=name,
        file=str(path),
        created_at=report.created_at,
        ready=v.ready,
        verdict=v.headline,
        exit_code=v.exit_code,
        failing=[r.id for r in report.results if r.status in (Status.FAILURE, Status.ERROR)],
        warnings=sum(1 for r in report.results if r.status is Status.WARNING),
        predicted_s=predicted_seconds(report),
        tensorflow=_observed(report, "tensorflow.version"),
        python=_observed(report, "python.version"),
        older_reports=older,
        html=page.relative_to(folder).as_posix() if page.is_file() else None,
    )


def _observed(report: Report, check_id: str) -> str | None:
    for r in report.results:
        if r.id == check_id and r.status in (Status.OK, Status.WARNING, Status.FAILURE):
            return r.observed
    return None


def predicted_seconds(report: Report) -> float | None:
    """One training of each exam category, predicted by the report's benchmark.

    Read defensively, since reports come from other versions: the total the
    benchmark stated, else the sum of the per-category predictions found in
    the benchmark's details (a partial run), else None.
    """
    bench = [
        r
        for r in report.results
        if r.category == "benchmark" and r.status not in (Status.SKIPPED, Status.NOT_RUN)
    ]
    for r in bench:
        verdict = r.details.get("verdict") if r.id == _TOTAL_CHECK else None
        if isinstance(verdict, dict) and _is_seconds(verdict.get("total_s")):
            return float(verdict["total_s"])
    parts: dict[str, float] = {}
    for r in bench:
        for found in _walk(r.details):
            if _is_seconds(found.get("predicted_s")) and "category" in found:
                parts[str(found["category"])] = float(found["predicted_s"])
    return sum(parts.values()) if parts else None


def _walk(value: Any) -> Iterator[dict[str, Any]]:
    """Every dict nested in a details value, outermost first."""
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)


def _is_seconds(value: Any) -> bool:
    """A finite, non-negative time no longer than about 30 years (else not a time)."""
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and 0 <= value <= 1e9
    )


def duration(seconds: float | None) -> str:
    """45 s, 12 min, 2 h 05 min; "-" when unknown."""
    if seconds is None:
        return "-"
    if seconds < 90:
        return f"{seconds:.0f} s"
    minutes = round(seconds / 60)
    if minutes < 90:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def _verdict_word(m: Machine) -> str:
    if not m.ready:
        return "interrupted" if m.exit_code in (129, 130, 143) else "NOT READY"
    return f"ready ({plural(m.warnings, 'warning')})" if m.warnings else "ready"


def _cells(m: Machine) -> list[str]:
    return [
        m.machine,
        _verdict_word(m),
        ", ".join(m.failing) or "-",
        duration(m.predicted_s),
        m.tensorflow or "-",
        m.python or "-",
    ]


HEADERS = ["machine", "verdict", "failing checks", "predicted training", "TensorFlow", "Python"]


def render_text(fleet: Fleet) -> str:
    rows = [HEADERS] + [[clean(c, keep_newlines=False) for c in _cells(m)] for m in fleet.machines]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADERS))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
    ready = sum(1 for m in fleet.machines if m.ready)
    lines.append("")
    lines.append(f"{ready} of {plural(len(fleet.machines), 'machine')} ready")
    older = sum(m.older_reports for m in fleet.machines)
    if older:
        lines.append(f"{plural(older, 'older report')} of the same machines not shown")
    if fleet.unreadable:
        lines.append("")
        lines.append(f"{plural(len(fleet.unreadable), 'file')} could not be read:")
        lines.extend(
            f"  {clean(f, keep_newlines=False)}: {clean(p, keep_newlines=False)}"
            for f, p in fleet.unreadable
        )
    return "\n".join(lines) + "\n"


def render_json(fleet: Fleet) -> str:
    doc = envelope(
        "fleet",
        {
            "machines": [asdict(m) for m in fleet.machines],
            "unreadable": [{"file": f, "problem": p} for f, p in fleet.unreadable],
        },
    )
    return dump_json(doc)


def render_markdown(fleet: Fleet) -> str:
    ready = sum(1 for m in fleet.machines if m.ready)
    lines = [
        f"## tfcert-envcheck fleet: {ready} of {plural(len(fleet.machines), 'machine')} ready",
        "",
        "| " + " | ".join(h.capitalize() if h[0].islower() else h for h in HEADERS) + " |",
        "|" + "---|" * len(HEADERS),
    ]
    lines.extend("| " + " | ".join(md.text(c) for c in _cells(m)) + " |" for m in fleet.machines)
    if fleet.unreadable:
        lines += ["", "### Unreadable files", ""]
        lines.extend(f"- {md.text(f)}: {md.text(p)}" for f, p in fleet.unreadable)
    return "\n".join(lines) + "\n"


def render_html(fleet: Fleet, links_from: Path | None = None) -> str:
    """`links_from`: the folder DIR's machines' pages are linked relative to (default DIR)."""
    from envcheck.render.html import render_fleet

    return render_fleet(fleet, links_from)


def redacted(fleet: Fleet) -> Fleet:
    """File paths without this machine's home folder and user name (machine names stay)."""
    from envcheck.redact import Redactor
    from envcheck.report_build import host_identity

    ident = host_identity()
    ident.pop("hostname", None)  # the machine names are the point of the table
    r = Redactor(ident)
    return Fleet(
        folder=fleet.folder,
        machines=[replace(m, file=r.text(m.file)) for m in fleet.machines],
        unreadable=[(r.text(f), r.text(p)) for f, p in fleet.unreadable],
    )


RENDERERS = {
    "text": render_text,
    "json": render_json,
    "markdown": render_markdown,
    "html": render_html,
}
