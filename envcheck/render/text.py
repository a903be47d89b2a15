"""The terminal view: one line per category, fix hints under problems, a verdict.

flutter doctor's shape: a category shows its worst check's mark; the short
view lists only problems, `-v` lists every check with observed and expected
values, source and timing. Every string from the report goes through
`safe.clean` and into `rich.text.Text`, never into markup.
"""

from __future__ import annotations

import io
import re

from rich.console import Console
from rich.table import Table
from rich.text import Text

from envcheck.render import ASCII_MARKS, RenderOptions, benchmark, when
from envcheck.render.safe import clean, line, report_console
from envcheck.results import CheckResult, Report, Status, worst

MARKS = {
    Status.OK: ("✓", "green"),
    Status.SKIPPED: ("-", "dim"),
    Status.NOT_RUN: ("·", "dim"),
    Status.WARNING: ("!", "yellow"),
    Status.ERROR: ("?", "magenta"),
    Status.FAILURE: ("✗", "red"),
}


def _symbol(status: Status, options: RenderOptions) -> tuple[str, str]:
    symbol, style = MARKS[status]
    return (ASCII_MARKS[status] if options.ascii else symbol), style


def _mark(status: Status, options: RenderOptions) -> Text:
    symbol, style = _symbol(status, options)
    return Text(f"[{symbol}]", style=style)


def render(report: Report, options: RenderOptions) -> str:
    buf = io.StringIO()
    console = report_console(buf, color=options.color, width=options.width)
    dot = "-" if options.ascii else "·"
    header = Text(f"tfcert-envcheck {line(report.tool_version)}", style="bold")
    header.append(f" {dot} profile {line(report.profile)} {dot} ", style="dim")
    header.append(line(report.target.resolved or report.target.python))
    header.append(f" ({line(report.target.how_chosen)})", style="dim")
    console.print(header)
    if options.saved:
        console.print(Text(saved_line(report), style="dim"))
    if report.target.project:
        console.print(Text("project: ", style="dim") + Text(line(report.target.project)))
    _print_other_candidates(console, report)
    console.print()

    for category, results in report.by_category():
        status = worst([r.status for r in results])
        row = _mark(status, options) + Text(" " + line(category.title), style="bold")
        shown = results if options.verbose else [r for r in results if r.status.is_problem]
        bench = benchmark.headline(report) if category.key == "benchmark" else None
        if bench is not None:
            row.append(f" ({line(bench)})", style="dim")
        elif not options.verbose and status in (Status.OK, Status.SKIPPED):
            row.append(" " + _category_summary(results), style="dim")
        console.print(row)
        for result in shown:
            _print_result(console, result, options)

    console.print()
    console.print(_verdict_line(report))
    # The grids pad cells to the full width: drop the trailing blanks they leave.
    return "".join(row.rstrip() + "\n" for row in buf.getvalue().splitlines())


def saved_line(report: Report) -> str:
    """'Saved report: created 2026-11-29 09:00 UTC on <host>': not a live run."""
    host = report.host.get("hostname") or "an unnamed host"
    return clean(f"Saved report: created {when(report.created_at)} on {host}", keep_newlines=False)


def _print_other_candidates(console: Console, report: Report) -> None:
    """The other interpreters `check` found by itself, each with the command that checks it."""
    found = report.facts.get("discovery")
    others = found.get("others") if isinstance(found, dict) else None
    if not others:
        return
    console.print(Text("also found (not checked):", style="dim"))
    for other in others[:MAX_OTHERS]:
        warn = f" ({other['warning']})" if other.get("warning") else ""
        console.print(Text(f"  {line(str(other['why']))}{line(warn)}", style="dim"))
        # Never wrapped: the command must survive copy and paste.
        console.print(Text(f"    {line(str(other['command']))}"), soft_wrap=True)
    if len(others) > MAX_OTHERS:
        console.print(
            Text(
                f"  ... and {len(others) - MAX_OTHERS} more (--format json lists them all)",
                style="dim",
            )
        )


MAX_OTHERS = 5


def _category_summary(results: list[CheckResult]) -> str:
    oks = [r for r in results if r.status is Status.OK]
    if not oks:
        # "(skipped: not checked, because Interpreter under test failed (python.interpreter))"
        whys = {r.summary for r in results if r.details.get("skipped_because")}
        if len(whys) == 1 and len(results) > 0:
            return f"(skipped: {line(whys.pop())})"
        return "(skipped)" if results else ""
    first = clean(oks[0].summary, keep_newlines=False)
    return f"({first})" if len(first) < 70 else ""


def _hanging(console: Console, head: Text, body: Text) -> None:
    """Print `head` then `body`, wrapping the body under itself (a hanging indent)."""
    grid = Table.grid(padding=0)
    grid.add_column(width=head.cell_len, no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row(head, body)
    console.print(grid)


def _print_fix(console: Console, head: Text, fix: str) -> None:
    """The fix under its arrow, wrapped, but never inside a `command`: a command broken
    over two lines runs as two when pasted into a shell. A command longer than a line
    gets a line of its own, which the terminal folds for the eye only."""
    indent = " " * head.cell_len
    for n, row in enumerate(_wrap_keeping_code(fix, max(20, console.width - head.cell_len))):
        console.print((head if n == 0 else Text(indent)) + Text(row), soft_wrap=True)


def _wrap_keeping_code(text: str, width: int) -> list[str]:
    """Greedy word wrap in which each backquoted span is one unbreakable word."""
    rows: list[str] = []
    row = ""
    for paragraph in text.split("\n"):
        words = [w for w in re.split(r"(`[^`\n]+`[^\s`]*)|\s+", paragraph) if w]
        for word in words:
            if row and len(row) + 1 + len(word) > width:
                rows.append(row)
                row = ""
            row = f"{row} {word}" if row else word
        rows.append(row)
        row = ""
    return rows


def _print_result(console: Console, result: CheckResult, options: RenderOptions) -> None:
    symbol, style = _symbol(result.status, options)
    head = Text("    ") + Text(symbol, style=style) + Text(" ")
    body = Text(line(result.title), style="bold")
    body.append(": " + clean(result.summary, keep_newlines=False))
    if options.verbose:
        body.append(f"  ({result.duration_s:.2f} s)", style="dim")
    _hanging(console, head, body)
    if result.fix and result.status.is_problem:
        arrow = "->" if options.ascii else "→"
        _print_fix(console, Text(f"      {arrow} ", style=style), clean(result.fix))
    if options.verbose:
        for label, value in (
            ("observed", result.observed),
            ("expected", result.expected),
            ("source", result.source),
        ):
            if value:
                _hanging(console, Text(f"      {label}: ", style="dim"), Text(clean(value)))


def _verdict_line(report: Report) -> Text:
    v = report.verdict
    style = "bold green" if v.ready and v.exit_code == 0 else "bold red"
    if v.ready and v.counts.get("warning"):
        style = "bold yellow"
    return Text(line(v.headline), style=style)
