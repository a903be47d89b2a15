"""The benchmark as inline SVG for the HTML report: one bar per category, one for all five.

Each category's bar is its predicted training time times the retrain
factor, with the band as a line across its end, against a fifth of the
exam (dashed); the total's bar sits in a track as long as the exam, with
the ready and marginal limits marked. Each chart has a <title> and a
<desc> for screen readers; the HTML page puts a table of the numbers
after it. Geometry only: CSS classes colour it (envcheck.render.html.CSS).
"""

from __future__ import annotations

from envcheck.render import benchmark
from envcheck.render.html import esc

_W = 640
_LABEL = 150
_ROW = 30


def _x(seconds: float, scale: float) -> float:
    """Where `seconds` lies on a bar whose full length is `scale` seconds."""
    return _LABEL + (_W - _LABEL - 20) * min(seconds, scale) / scale


def categories(
    bars: list[benchmark.CategoryBar], total: benchmark.Total | None, factor: float
) -> list[str]:
    """One bar per category (x `factor`), against a fifth of the exam when the budget is known."""
    from envcheck.bench.budget import format_duration as fd

    fifth = total.budget_s / 5 if total else None
    highs = [(b.high_s or b.predicted_s or 0.0) * factor for b in bars]
    scale = max([*highs, (fifth or 0.0) * 1.2, 1.0])
    height = 30 + _ROW * len(bars)
    desc = "; ".join(
        f"category {b.category}: "
        + (f"{fd(b.predicted_s * factor)}" if b.predicted_s is not None else "not measured")
        for b in bars
    )
    what = f"x{factor:g} retrains" if total else "one training"
    out = [
        f'<svg class="chart" id="bench-chart" role="img" viewBox="0 0 {_W} {height}" '
        f'aria-labelledby="bench-chart-title bench-chart-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="bench-chart-title">Predicted training time per category ({esc(what)})</title>',
        f'<desc id="bench-chart-desc">{esc(desc)}</desc>',
    ]
    for i, b in enumerate(bars):
        y = 10 + i * _ROW
        label = esc(b.title.split(":", 1)[0])[:24]
        out.append(f'<text x="4" y="{y + 15}">{b.category} {label}</text>')
        if b.predicted_s is None:
            out.append(f'<text x="{_LABEL}" y="{y + 15}" class="small">not measured</text>')
            continue
        end = _x(b.predicted_s * factor, scale)
        over = " over" if fifth is not None and b.predicted_s * factor > fifth else ""
        out.append(
            f'<rect class="bar{over}" data-category="{b.category}" x="{_LABEL}" '
            f'y="{y + 4}" width="{max(end - _LABEL, 1.5):.1f}" height="14"/>'
        )
        right = end
        if b.low_s is not None and b.high_s is not None:
            lo, hi = _x(b.low_s * factor, scale), _x(b.high_s * factor, scale)
            out.append(
                f'<line class="band" x1="{lo:.1f}" x2="{hi:.1f}" y1="{y + 11}" y2="{y + 11}"/>'
            )
            right = max(end, hi)
        out.append(
            f'<text x="{min(right + 6, _W - 80):.1f}" y="{y + 15}" class="small">'
            f"{fd(b.predicted_s * factor)}</text>"
        )
    bottom = 10 + _ROW * len(bars)
    out.append(f'<line class="axis" x1="{_LABEL}" x2="{_LABEL}" y1="6" y2="{bottom}"/>')
    if fifth is not None:
        fx = _x(fifth, scale)
        out.append(f'<line class="limit" x1="{fx:.1f}" x2="{fx:.1f}" y1="6" y2="{bottom}"/>')
        out.append(
            f'<text x="{fx:.1f}" y="{bottom + 14}" class="small" text-anchor="middle">'
            f"a fifth of the exam ({fd(fifth)})</text>"
        )
    out.append("</svg>")
    return out


def total(t: benchmark.Total) -> list[str]:
    """All five trainings with retrains in a track as long as the exam, limits marked."""
    from envcheck.bench.budget import format_duration as fd
    from envcheck.bench.budget import percent

    scale = max(t.budget_s, t.high_s * t.retrain_factor)
    y = 16
    end = _x(t.with_retrains_s, scale)
    over = " over" if t.with_retrains_s > (t.marginal_limit_s or t.budget_s) else ""
    desc = (
        f"All five trainings x{t.retrain_factor:g}: {fd(t.with_retrains_s)}, "
        f"{percent(t.share)} of the {fd(t.budget_s)} exam ({t.readiness})"
    )
    out = [
        f'<svg class="chart" id="total-chart" role="img" viewBox="0 0 {_W} 70" '
        'aria-labelledby="total-chart-title total-chart-desc" xmlns="http://www.w3.org/2000/svg">',
        '<title id="total-chart-title">All trainings against the exam</title>',
        f'<desc id="total-chart-desc">{esc(desc)}</desc>',
        f'<text x="4" y="{y + 15}">all five x{t.retrain_factor:g}</text>',
        f'<rect class="track" x="{_LABEL}" y="{y + 2}" '
        f'width="{_x(t.budget_s, scale) - _LABEL:.1f}" height="18"/>',
        f'<rect class="total{over} bar" x="{_LABEL}" y="{y + 4}" '
        f'width="{max(end - _LABEL, 1.5):.1f}" height="14"/>',
        f'<line class="band" x1="{_x(t.low_s * t.retrain_factor, scale):.1f}" '
        f'x2="{_x(t.high_s * t.retrain_factor, scale):.1f}" y1="{y + 11}" y2="{y + 11}"/>',
    ]
    for limit, name in ((t.ready_limit_s, "ready"), (t.marginal_limit_s, "marginal")):
        if limit is not None:
            lx = _x(limit, scale)
            out.append(f'<line class="limit" x1="{lx:.1f}" x2="{lx:.1f}" y1="{y}" y2="{y + 24}"/>')
            out.append(
                f'<text x="{lx:.1f}" y="{y + 38}" class="small" text-anchor="middle">{name}</text>'
            )
    out.append(
        f'<text x="{_x(t.budget_s, scale):.1f}" y="{y + 38}" class="small" '
        f'text-anchor="end">{fd(t.budget_s)} exam</text>'
    )
    out.append("</svg>")
    return out
