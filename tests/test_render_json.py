"""JSON output escapes C1 controls and bidi overrides, and still round-trips."""

from __future__ import annotations

import json

from envcheck.render import RenderOptions
from envcheck.render.json import render
from envcheck.report_io import parse_report
from tests.report_samples import fixture, replace_result


def test_json_escapes_c1_controls_and_bidi_overrides() -> None:
    hostile = "pkg\u009b31m\u202ename"
    first = fixture("lab-pc-02").results[0]
    report = replace_result(fixture("lab-pc-02"), first.id, summary=hostile)
    text = render(report, RenderOptions())
    assert "\u009b" not in text and "\u202e" not in text
    assert "\\u009b31m\\u202ename" in text
    assert parse_report(text).results[0].summary == hostile
    assert json.loads(text)["results"][0]["summary"] == hostile
