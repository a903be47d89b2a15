"""Markdown to paste into a support ticket or an issue: summary first, details folded.

GitHub and GitLab flavoured Markdown: a table with one row per category,
then every problem with its fix hint, then one collapsible `<details>`
section per category with every check (and, with -v, each check's
structured details). Report content is untrusted text: `text()` escapes
everything Markdown or HTML would interpret (pipes that would split a table
cell, backticks, emphasis, links, tags such as `<script>`), and
`safe.clean` makes control characters visible, so a pasted report shows
exactly what the machine reported and nothing else.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from envcheck.render import ASCII_MARKS, RenderOptions
from envcheck.render.safe import clean
from envcheck.results import CheckResult, Report, Status, worst

MARKS = {
    Status.OK: "✓",
    Status.SKIPPED: "-",
    Status.NOT_RUN: "·",
    Status.WARNING: "!",
    Status.ERROR: "?",
    Status.FAILURE: "✗",
}

# Inline Markdown syntax (CommonMark's backslash-escapable set, minus characters
# that only matter at the start of a line, which report text never occupies).
_INLINE = re.compile(r"([\\`*_\[\]|~#!{}$])")
# "@name" would notify that user on GitHub or GitLab; in a code span it does not.
_MENTION = re.compile(r"(?<![\w`\\])(@[A-Za-z0-9][A-Za-z0-9-]*)")
# What GitHub and GitLab turn into links without any Markdown syntax (GFM's
# extended autolinks): URLs with a scheme, "www." names, e-mail addresses. In a
# code span they stay text. A pipe or backtick ends one (it would end the span).
_AUTOLINK = re.compile(
    r"(?i)(?:\b[a-z][a-z0-9+.-]*://|\bwww\.)[^\s<>`|]+"
    r"|[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
)


def _inline(part: str) -> str:
    escaped = _INLINE.sub(r"\\\1", html.escape(part, quote=False))
    return _MENTION.sub(r"`\1`", escaped)


def text(value: str) -> str:
    """Untrusted text as literal inline Markdown, safe in a table cell (one line)."""
    lines = clean(value).replace("\r", "").strip().split("\n")
    out = []
    for line in lines:
        pieces, start = [], 0
        for m in _AUTOLINK.finditer(line):
            # Trailing punctuation ends a sentence, not the link (GFM leaves it out too).
            link = m.group(0).rstrip(".,:;!?*_~'\")")
            pieces.append(_inline(line[start : m.start()]))
            pieces.append(f"`{link}`")
            start = m.start() + len(link)
        pieces.append(_inline(line[start:]))
        out.append("".join(pieces))
    return "<br>".join(out)


def html_text(value: str) -> str:
    """Untrusted text inside raw HTML (a <summary>), where Markdown is not parsed."""
    return html.escape(clean(value, keep_newlines=False), quote=True)


def code_block(value: str, lang: str = "") -> str:
    """A fenced block whose fence no line of `value` can close."""
    body = clean(value)
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{lang}\n{body}\n{fence}"


Marks = dict[Status, str]


def status_cell(status: Status, marks: Marks = MARKS) -> str:
    return f"{marks[status]} {status.value.replace('_', ' ')}"


def render(report: Report, options: RenderOptions) -> str:
    out: list[str] = []
    v = report.verdict
    marks = ASCII_MARKS if options.ascii else MARKS
    mark = marks[Status.OK] if v.ready else marks[Status.FAILURE]
    dot = "-" if options.ascii else "·"
    out.append(f"## tfcert-envcheck: {mark} {text(v.headline)}")
    out.append("")
    target = report.target.resolved or report.target.python
    out.append(
        f"Profile {text(report.profile)} {dot} interpreter {text(target)} "
        f"({text(report.target.how_chosen)}) {dot} "
        f"tfcert-envcheck {text(report.tool_version)} {dot} "
        f"{text(report.created_at)}"
    )
    out.append("")
    out.extend(_summary_table(report, marks))
    out.append("")
    out.extend(_problems(report, marks))
    for category, results in report.by_category():
        out.append("")
        out.extend(_category_details(category.title, results, options.verbose, marks))
    out.append("")
    out.extend(_environment(report))
    return "\n".join(out) + "\n"


def _summary_table(report: Report, marks: Marks) -> list[str]:
    rows = ["| Category | Status | Checks |", "|---|---|---|"]
    for category, results in report.by_category():
        status = worst([r.status for r in results])
        cell = status_cell(status, marks)
        rows.append(f"| {text(category.title)} | {cell} | {_counts(results)} |")
    return rows


def _counts(results: list[CheckResult]) -> str:
    parts = []
    for status in sorted(Status, key=lambda s: -s.severity):
        n = sum(1 for r in results if r.status is status)
        if n:
            parts.append(f"{n} {status.value.replace('_', ' ')}")
    return ", ".join(parts) or "none"


def _problems(report: Report, marks: Marks) -> list[str]:
    problems = sorted(
        (r for r in report.results if r.status.is_problem), key=lambda r: -r.status.severity
    )
    if not problems:
        return ["No problems found."]
    lines = ["### Problems", ""]
    for r in problems:
        lines.append(f"- {marks[r.status]} **{text(r.title)}** ({text(r.id)}): {text(r.summary)}")
        if r.fix:
            lines.append(f"  <br>**Fix:** {text(r.fix)}")
    return lines


def _category_details(
    title: str, results: list[CheckResult], verbose: bool, marks: Marks
) -> list[str]:
    status = worst([r.status for r in results])
    lines = [
        "<details>",
        f"<summary>{marks[status]} {html_text(title)}: {_counts(results)}</summary>",
        "",
        "| | Check | Result | Observed | Expected | Time |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {marks[r.status]} | {text(r.title)} ({text(r.id)}) | {text(r.summary)} "
            f"| {text(r.observed or '')} | {text(r.expected or '')} | {r.duration_s:.2f} s |"
        )
    if verbose:
        for r in results:
            if r.source or r.details:
                lines.extend(_check_details(r))
    lines.extend(["", "</details>"])
    return lines


def _check_details(r: CheckResult) -> list[str]:
    lines = ["", f"**{text(r.id)}**"]
    if r.source:
        lines.append(f"<br>Source: {text(r.source)}")
    if r.details:
        lines.extend(["", code_block(_json(r.details), "json")])
    return lines


def _environment(report: Report) -> list[str]:
    rows: list[tuple[str, str]] = [
        ("Platform", report.host.get("platform", "")),
        ("Interpreter as given", report.target.python),
        ("Resolved interpreter", report.target.resolved or ""),
        ("Project", report.target.project or ""),
        ("Matrix", report.matrix),
        ("Report created", report.created_at),
        ("Schema version", str(report.schema_version)),
    ]
    if report.host.get("redacted"):
        rows.append(("Redacted", report.host["redacted"]))
    lines = ["<details>", "<summary>Environment</summary>", "", "| | |", "|---|---|"]
    lines.extend(f"| {label} | {text(value)} |" for label, value in rows if value)
    lines.extend(["", "</details>"])
    return lines


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)
