"""Compare two reports check by check: what `tfcert-envcheck diff` shows.

A support engineer holds a known-good report next to a candidate's and asks
"what is different here?". Checks are matched by id; a change of status
(or a check present in only one report) matters most and is listed first,
worst status first; a change of observed value with the same status
follows. The exit code says whether any status differs (1) or not (0), so
a lab script can compare a machine against its reference.
"""

from __future__ import annotations

from dataclasses import dataclass

from envcheck.deliver import dump_json, envelope
from envcheck.render import markdown as md
from envcheck.render.safe import clean, line
from envcheck.results import CheckResult, Report, Status

STATUS = "status"
OBSERVED = "observed"
ONLY_A = "only_in_a"
ONLY_B = "only_in_b"


@dataclass(frozen=True)
class Change:
    """One check that differs between report A and report B."""

    id: str
    title: str
    kind: str
    a: CheckResult | None
    b: CheckResult | None

    @property
    def rank(self) -> tuple[int, int]:
        """Sort key: status changes before observed ones, the worse outcome first."""
        b_sev = self.b.status.severity if self.b else Status.NOT_RUN.severity
        a_sev = self.a.status.severity if self.a else Status.NOT_RUN.severity
        return (1 if self.kind == OBSERVED else 0, -max(a_sev, b_sev))

    def to_dict(self) -> dict[str, str | None]:
        return {
            "id": self.id,
            "title": self.title,
            "kind": self.kind,
            "a_status": self.a.status.value if self.a else None,
            "b_status": self.b.status.value if self.b else None,
            "a_observed": self.a.observed if self.a else None,
            "b_observed": self.b.observed if self.b else None,
            "b_summary": self.b.summary if self.b else None,
            "b_fix": self.b.fix if self.b and self.b.status.is_problem else None,
        }


@dataclass(frozen=True)
class ReportDiff:
    a_name: str
    b_name: str
    a: Report
    b: Report
    changes: list[Change]
    same: int

    @property
    def status_differs(self) -> bool:
        return any(c.kind != OBSERVED for c in self.changes)

    @property
    def exit_code(self) -> int:
        return 1 if self.status_differs else 0


def compare(a: Report, b: Report, *, a_name: str = "A", b_name: str = "B") -> ReportDiff:
    """Match checks by id and keep those whose status or observed value differs."""
    a_by_id = {r.id: r for r in a.results}
    b_by_id = {r.id: r for r in b.results}
    ids = list(a_by_id) + [i for i in b_by_id if i not in a_by_id]
    changes: list[Change] = []
    same = 0
    for check_id in ids:
        ra, rb = a_by_id.get(check_id), b_by_id.get(check_id)
        if ra is None and rb is not None:
            changes.append(Change(check_id, rb.title, ONLY_B, None, rb))
        elif rb is None and ra is not None:
            changes.append(Change(check_id, ra.title, ONLY_A, ra, None))
        elif ra is None or rb is None:
            continue
        elif ra.status is not rb.status:
            changes.append(Change(check_id, rb.title, STATUS, ra, rb))
        elif (ra.observed or "") != (rb.observed or ""):
            changes.append(Change(check_id, rb.title, OBSERVED, ra, rb))
        else:
            same += 1
    changes.sort(key=lambda c: c.rank)
    return ReportDiff(a_name, b_name, a, b, changes, same)


def _status(result: CheckResult | None) -> str:
    return md.status_cell(result.status) if result else "(absent)"


def _observed(result: CheckResult | None) -> str:
    return (result.observed or "") if result else ""


def _headline(d: ReportDiff) -> str:
    n_status = sum(1 for c in d.changes if c.kind != OBSERVED)
    n_obs = len(d.changes) - n_status
    return (
        f"{n_status} {'check differs' if n_status == 1 else 'checks differ'} in status, "
        f"{n_obs} in observed value only, {d.same} the same"
    )


def render_text(d: ReportDiff) -> str:
    lines = []
    for label, name, report in (("A", d.a_name, d.a), ("B", d.b_name, d.b)):
        lines.append(
            f"{label}: {line(name)}: {line(report.verdict.headline)} "
            f"(profile {line(report.profile)}, {line(report.created_at)})"
        )
    if d.a.profile != d.b.profile:
        lines.append("note: the reports were checked against different exam profiles")
    lines.extend(["", _headline(d)])
    for change in d.changes:
        lines.append("")
        lines.append(
            f"  {line(change.id)} ({line(change.title)}): "
            f"{_status(change.a)} -> {_status(change.b)}"
        )
        a_obs = change.a.observed if change.a else None
        b_obs = change.b.observed if change.b else None
        if (a_obs or b_obs) and a_obs != b_obs:
            lines.append(
                f"      observed: {clean(a_obs or '-', keep_newlines=False)} -> "
                f"{clean(b_obs or '-', keep_newlines=False)}"
            )
        if change.b and change.b.status.is_problem and change.kind != OBSERVED:
            lines.append(f"      B: {clean(change.b.summary, keep_newlines=False)}")
            if change.b.fix:
                lines.append(f"      → {clean(change.b.fix, keep_newlines=False)}")
    return "\n".join(lines) + "\n"


def render_json(d: ReportDiff) -> str:
    doc = envelope(
        "diff",
        {
            "a": {"file": d.a_name, "created_at": d.a.created_at, "verdict": d.a.verdict.headline},
            "b": {"file": d.b_name, "created_at": d.b.created_at, "verdict": d.b.verdict.headline},
            "status_differs": d.status_differs,
            "same": d.same,
            "changes": [c.to_dict() for c in d.changes],
        },
    )
    return dump_json(doc)


def render_markdown(d: ReportDiff) -> str:
    lines = [
        f"## tfcert-envcheck diff: {md.text(_headline(d))}",
        "",
        "| | Report | Verdict | Profile | Created |",
        "|---|---|---|---|---|",
    ]
    for label, name, r in (("A", d.a_name, d.a), ("B", d.b_name, d.b)):
        lines.append(
            f"| {label} | {md.text(name)} | {md.text(r.verdict.headline)} | "
            f"{md.text(r.profile)} | {md.text(r.created_at)} |"
        )
    if d.changes:
        lines += [
            "",
            "| Check | A | B | Observed in A | Observed in B | B says |",
            "|---|---|---|---|---|---|",
        ]
        for c in d.changes:
            says = c.b.summary if c.b and c.kind != OBSERVED and c.b.status.is_problem else ""
            lines.append(
                f"| {md.text(c.title)} ({md.text(c.id)}) | {_status(c.a)} | {_status(c.b)} | "
                f"{md.text(_observed(c.a))} | {md.text(_observed(c.b))} | {md.text(says)} |"
            )
    return "\n".join(lines) + "\n"


RENDERERS = {"text": render_text, "json": render_json, "markdown": render_markdown}
