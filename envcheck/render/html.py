"""One self-contained HTML file for support staff: verdict first, nothing to fetch.

Inline CSS and SVG only, and a Content-Security-Policy that allows no
script, no remote load and only the one style block (by its hash), so the
file is safe to open from an e-mail attachment, offline. Report content is
untrusted text: every string goes through `safe.clean` (control characters
made visible) and `html.escape` (quotes included) and is only ever placed as
element text or a quoted attribute value; nothing from a report becomes a
tag, an attribute name, a URL or CSS. Failures are open, passes folded in
`<details>`, so the page reads without JavaScript. The stdlib escaper is
enough here: the page has a fixed shape, and a template engine would add a
dependency without removing the need to think about each context.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from envcheck.render import RenderOptions, benchmark, when
from envcheck.render.safe import clean
from envcheck.results import CheckResult, Report, Status, worst

if TYPE_CHECKING:
    from envcheck.fleet import Fleet

MARKS = {
    Status.OK: "✓",
    Status.SKIPPED: "–",
    Status.NOT_RUN: "·",
    Status.WARNING: "!",
    Status.ERROR: "?",
    Status.FAILURE: "✗",
}
WORDS = {
    Status.OK: "ok",
    Status.SKIPPED: "skipped",
    Status.NOT_RUN: "not run",
    Status.WARNING: "warning",
    Status.ERROR: "could not determine",
    Status.FAILURE: "failed",
}

CSS = """
:root{color-scheme:light dark;--bg:#fff;--fg:#1d232a;--muted:#5b6672;--line:#d5dbe1;
--card:#f6f8fa;--ok:#1a7f37;--warn:#9a6700;--bad:#cf222e;--unk:#8250df;--bar:#0969da;
--band:#1d232a}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9aa6b2;
--line:#30363d;--card:#161b22;--ok:#3fb950;--warn:#d29922;--bad:#f85149;--unk:#bc8cff;
--bar:#4493f8;--band:#e6edf3}}
*{box-sizing:border-box}
body{margin:0 auto;max-width:62rem;padding:1.5rem;background:var(--bg);color:var(--fg);
font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.2rem;margin:1.6rem 0 .5rem}
.verdict{border-left:.5rem solid var(--ok);padding:.6rem 1rem;background:var(--card)}
.verdict.not-ready{border-color:var(--bad)}.verdict.warned{border-color:var(--warn)}
.meta,.muted{color:var(--muted)}.meta{margin:.3rem 0 0}
.counts span{margin-right:1rem}
ul.problems{list-style:none;padding-left:0}ul.problems li{margin:.25rem 0}
ul.problems .title{font-weight:600}
.s-ok{color:var(--ok)}.s-warning{color:var(--warn)}.s-failure{color:var(--bad)}
.s-error{color:var(--unk)}.s-skipped,.s-not_run{color:var(--muted)}
.mark{display:inline-block;width:1.4em;font-weight:700;text-align:center}
section.category{border:1px solid var(--line);border-radius:6px;margin:.8rem 0;padding:.2rem .8rem}
section.category>h3{margin:.5rem 0;font-size:1.05rem}
details.check{border-top:1px solid var(--line);padding:.3rem 0}
details.check>summary{cursor:pointer}
details.check>summary .title{font-weight:600}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:.4rem 0 .4rem 1.6rem}
dt{color:var(--muted)}dd{margin:0;overflow-wrap:anywhere}
pre{background:var(--card);border:1px solid var(--line);border-radius:4px;padding:.5rem;
white-space:pre-wrap;overflow-wrap:anywhere;margin:.2rem 0}
code,pre{font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid var(--line);padding:.3rem .5rem;text-align:left;
vertical-align:top;overflow-wrap:anywhere}
th{color:var(--muted);font-weight:600;overflow-wrap:normal}
a{color:var(--bar)}
td.num{text-align:right;white-space:nowrap}
svg.chart{width:100%;height:auto;max-width:46rem;display:block;margin:.4rem 0}
svg .bar{fill:var(--bar)}svg .bar.over{fill:var(--bad)}svg .band{stroke:var(--band);stroke-width:2}
svg .limit{stroke:var(--muted);stroke-dasharray:4 3}svg .axis{stroke:var(--line)}
svg text{fill:var(--fg);font:12px system-ui,sans-serif}svg text.small{fill:var(--muted)}
svg .track{fill:var(--card);stroke:var(--line)}
footer{margin-top:2rem;color:var(--muted);font-size:.85rem}
@media print{body{max-width:none;padding:0;font-size:11pt}
section.category,details.check{break-inside:avoid}
:root{--bg:#fff;--fg:#000;--card:#fff}}
""".strip()


def _csp(css: str) -> str:
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    return (
        "default-src 'none'; script-src 'none'; connect-src 'none'; img-src 'none'; "
        f"style-src 'sha256-{digest}'; font-src 'none'; object-src 'none'; frame-src 'none'; "
        "base-uri 'none'; form-action 'none'"
    )


def esc(value: object) -> str:
    """Untrusted text as HTML element text or a quoted attribute value."""
    return html.escape(clean(str(value)), quote=True)


def _page(title: str, body: Iterable[str]) -> str:
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{_csp(CSS)}">',
            '<meta name="referrer" content="no-referrer">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{esc(title)}</title>",
            f"<style>{CSS}</style>",
            "</head>",
            "<body>",
            *body,
            "</body>",
            "</html>",
            "",
        ]
    )


def _mark(status: Status) -> str:
    return (
        f'<span class="mark s-{status.value}" aria-label="{WORDS[status]}">{MARKS[status]}</span>'
    )


def render(report: Report, options: RenderOptions) -> str:
    """The whole report as one HTML page."""
    failed = sum(1 for r in report.results if r.status in (Status.FAILURE, Status.ERROR))
    body: list[str] = [*_verdict(report, failed), *_problems(report), *_benchmark(report)]
    body.append('<h2 id="checks">Checks</h2>')
    for category, results in report.by_category():
        body.extend(_category(category.key, category.title, results))
    body.extend(_facts(report))
    body.append(
        f"<footer>tfcert-envcheck {esc(report.tool_version)} · report schema "
        f"{esc(report.schema_version)} · open `tfcert-envcheck show FILE.json` for the "
        "terminal view</footer>"
    )
    return _page(page_title(report), body)


def page_title(report: Report) -> str:
    """Made of the tool's own words and numbers only: no report text can change it."""
    v = report.verdict
    if report.interrupted:
        word = "interrupted"
    else:
        word = "ready" if v.ready else "not ready"
    problems = sum(1 for r in report.results if r.status.is_problem)
    return f"tfcert-envcheck report: {word} ({problems} problems)"


def _verdict(report: Report, failed: int) -> list[str]:
    v = report.verdict
    klass = "verdict" if v.ready else "verdict not-ready"
    if v.ready and v.counts.get("warning"):
        klass += " warned"
    counts = [
        f'<span id="failed-count" data-count="{failed}">{failed} failed or undetermined</span>',
        f"<span>{v.counts.get('warning', 0)} warnings</span>",
        f"<span>{v.counts.get('ok', 0)} ok</span>",
        f"<span>{v.counts.get('skipped', 0)} skipped</span>",
    ]
    target = report.target.resolved or report.target.python
    host = report.host.get("hostname") or "an unnamed host"
    lines = [
        f'<header class="{klass}">',
        f'<h1 id="verdict">{esc(v.headline)}</h1>',
        f'<p class="counts">{"".join(counts)}</p>',
        f'<p class="meta">Profile {esc(report.profile)} · interpreter <code>{esc(target)}'
        f"</code> ({esc(report.target.how_chosen)}) · created {esc(when(report.created_at))} on "
        f"{esc(host)}</p>",
    ]
    if report.host.get("redacted"):
        lines.append(f'<p class="meta">Redacted: {esc(report.host["redacted"])}</p>')
    if report.interrupted:
        lines.append(
            '<p class="meta s-warning">Interrupted (Ctrl-C): checks that did not run '
            "are marked not run.</p>"
        )
    lines.append("</header>")
    return lines


def _problems(report: Report) -> list[str]:
    """Every problem in one list under the verdict, worst first (details below)."""
    titles = {c.key: c.title for c in report.categories}
    problems = sorted(
        (r for r in report.results if r.status.is_problem), key=lambda r: -r.status.severity
    )
    if not problems:
        return []
    items = [
        f'<li data-id="{esc(r.id)}">{_mark(r.status)} {esc(titles.get(r.category, r.category))}'
        f' · <span class="title">{esc(r.title)}</span>: '
        f"{esc(clean(r.summary, keep_newlines=False))}</li>"
        for r in problems
    ]
    return ['<h2 id="problems">Problems</h2>', '<ul class="problems">', *items, "</ul>"]


def _category(key: str, title: str, results: list[CheckResult]) -> list[str]:
    status = worst([r.status for r in results])
    lines = [
        f'<section class="category" id="cat-{esc(key)}" data-status="{status.value}">',
        f"<h3>{_mark(status)} {esc(title)}</h3>",
    ]
    for r in results:
        lines.extend(_check(r))
    lines.append("</section>")
    return lines


def _check(r: CheckResult) -> list[str]:
    is_open = " open" if r.status.is_problem else ""
    lines = [
        f'<details class="check" data-id="{esc(r.id)}" data-status="{r.status.value}"{is_open}>',
        f'<summary>{_mark(r.status)} <span class="title">{esc(r.title)}</span>: '
        f"{esc(clean(r.summary, keep_newlines=False))}</summary>",
        "<dl>",
        f"<dt>check</dt><dd><code>{esc(r.id)}</code> ({WORDS[r.status]}, "
        f"{r.duration_s:.2f} s)</dd>",
    ]
    for label, value in (("observed", r.observed), ("expected", r.expected)):
        if value:
            lines.append(f"<dt>{label}</dt><dd>{esc(value)}</dd>")
    if r.fix:
        lines.append(f'<dt>fix</dt><dd><pre class="fix"><code>{esc(r.fix)}</code></pre></dd>')
    if r.source:
        lines.append(f"<dt>source</dt><dd>{esc(r.source)}</dd>")
    lines.append("</dl>")
    if r.details:
        text = json.dumps(r.details, indent=2, ensure_ascii=False, default=str)
        lines.append(
            f'<details class="raw"><summary class="muted">details</summary>'
            f"<pre><code>{esc(text)}</code></pre></details>"
        )
    lines.append("</details>")
    return lines


# The benchmark ------------------------------------------------------------------


def _benchmark(report: Report) -> list[str]:
    from envcheck.bench.budget import format_duration as fd
    from envcheck.bench.budget import percent
    from envcheck.render import chart

    bars = benchmark.categories(report)
    total = benchmark.total(report)
    if not bars and total is None:
        return []
    factor = total.retrain_factor if total else 1.0
    times = "x" + f"{factor:g}" if total else "one training"
    lines = ['<h2 id="benchmark">Training benchmark</h2>']
    head = benchmark.headline(report)
    lines.append(
        f'<p id="bench-headline">{esc(head)}</p>'
        if head
        else '<p id="bench-headline">The total could not be determined: not every '
        "category was measured.</p>"
    )
    measured = [b for b in bars if b.predicted_s is not None]
    if measured:
        lines.extend(chart.categories(bars, total, factor))
    if total is not None:
        lines.extend(chart.total(total))
    rows = []
    for b in bars:
        if b.predicted_s is None:
            rows.append(
                f'<tr><td class="num">{b.category}</td><td>{esc(b.title)}</td>'
                f'<td colspan="3" class="s-error">not measured: '
                f"{esc(b.problem or '')}</td></tr>"
            )
            continue
        band = (
            f"{fd(b.low_s)}–{fd(b.high_s)}" if b.low_s is not None and b.high_s is not None else "–"
        )
        share = percent(b.predicted_s * factor / total.budget_s) if total else "–"
        rows.append(
            f'<tr><td class="num">{b.category}</td><td>{esc(b.title)}</td>'
            f'<td class="num">{fd(b.predicted_s)} ({band})</td>'
            f'<td class="num">{fd(b.predicted_s * factor)}</td><td class="num">{share}</td></tr>'
        )
    lines.extend(
        [
            '<table id="bench-table"><thead><tr><th>#</th><th>Workload</th>'
            f"<th>One training (band)</th><th>{esc(times)}</th><th>Share of the exam</th></tr>"
            "</thead><tbody>",
            *rows,
            "</tbody></table>",
        ]
    )
    return lines


def _facts(report: Report) -> list[str]:
    rows: list[tuple[str, str]] = [
        ("Host", report.host.get("hostname", "")),
        ("Platform", report.host.get("platform", "")),
        ("Interpreter as given", report.target.python),
        ("Resolved interpreter", report.target.resolved or ""),
        ("Chosen by", report.target.how_chosen),
        ("Project", report.target.project or ""),
        ("Profile", report.profile),
        ("Matrix", report.matrix),
        ("Report created", report.created_at),
    ]
    for r in report.results:
        if r.category in ("system", "python", "tensorflow", "nvidia") and r.observed:
            rows.append((r.title, r.observed))
    cells = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows if v)
    return ['<h2 id="facts">Machine facts</h2>', f'<table id="facts-table">{cells}</table>']


# The fleet page ---------------------------------------------------------------


def render_fleet(fleet: Fleet, links_from: Path | None = None) -> str:
    """One table of machines; each links to NAME.html when it sits beside NAME.json.

    Links are relative to `links_from` (the folder the page is written to), or
    to the fleet folder itself when the page goes to stdout.
    """
    from envcheck.fleet import HEADERS, _cells

    ready = sum(1 for m in fleet.machines if m.ready)
    title = f"tfcert-envcheck fleet: {ready} of {len(fleet.machines)} machines ready"
    klass = "verdict" if ready == len(fleet.machines) and fleet.machines else "verdict not-ready"
    body = [
        f'<header class="{klass}"><h1 id="verdict">{esc(title)}</h1></header>',
        '<table id="fleet-table"><thead><tr>',
        "".join(f"<th>{esc(h)}</th>" for h in HEADERS),
        "</tr></thead><tbody>",
    ]
    for m in fleet.machines:
        cells = _cells(m)
        name = esc(cells[0])
        if m.html:
            href = _href(fleet.folder / m.html, links_from or fleet.folder)
            name = f'<a href="{href}">{name}</a>'
        status = "ok" if m.ready else "failure"
        body.append(
            f'<tr data-ready="{str(m.ready).lower()}"><td>{name}</td>'
            f'<td class="s-{status}">{esc(cells[1])}</td>'
            + "".join(f"<td>{esc(c)}</td>" for c in cells[2:])
            + "</tr>"
        )
    body.append("</tbody></table>")
    if fleet.unreadable:
        body.append('<h2 id="unreadable">Files that could not be read</h2><ul>')
        body.extend(f"<li><code>{esc(f)}</code>: {esc(p)}</li>" for f, p in fleet.unreadable)
        body.append("</ul>")
    return _page(title, body)


def _href(target: Path, base: Path) -> str:
    """A relative file link that no file name can turn into another scheme."""
    rel = os.path.relpath(target.absolute(), base.absolute()).replace(os.sep, "/")
    return html.escape("./" + quote(rel, safe="/"), quote=True)
