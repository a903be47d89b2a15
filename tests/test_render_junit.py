"""JUnit XML, read back the way CI servers read it: junitparser and a plain XML parser."""

from __future__ import annotations

from collections import Counter

import defusedxml.ElementTree as SafeET
import pytest
from junitparser import Error, Failure, JUnitXml, Skipped

from envcheck.outcome import verdict
from envcheck.render import RenderOptions, renderer
from envcheck.results import Report, Status
from tests.report_samples import fixture, hostile_report, replace_result

render = renderer("junit")


def _parse(report: Report) -> JUnitXml:
    return JUnitXml.fromstring(render(report, RenderOptions()).encode("utf-8"))


@pytest.mark.parametrize("name", ["lab-pc-01", "lab-pc-02", "lab-gpu-03"])
def test_one_suite_per_category_one_case_per_check(name: str) -> None:
    report = fixture(name)
    xml = _parse(report)
    suites = list(xml)
    assert [s.name for s in suites] == [c.key for c in report.categories]
    for suite, (category, results) in zip(suites, report.by_category(), strict=True):
        cases = list(suite)
        assert [c.name for c in cases] == [r.id for r in results]
        assert {c.classname for c in cases} == {category.key}
        assert suite.tests == len(results)
        assert [c.time for c in cases] == pytest.approx([r.duration_s for r in results])
    assert xml.tests == len(report.results)


def test_failures_errors_and_skips_carry_message_and_fix() -> None:
    report = fixture("lab-pc-02")
    report = replace_result(
        report,
        "tensorflow.build",
        status=Status.ERROR,
        summary="could not determine: the probe timed out",
        fix="Run again with --timeout-scale 3",
    )
    report = replace_result(
        report,
        "system.arch",
        status=Status.NOT_RUN,
        summary="not run: interrupted (Ctrl-C)",
        fix=None,
    )
    by_id = {r.id: r for r in report.results}
    kinds: Counter[str] = Counter()
    for suite in _parse(report):
        for case in suite:
            result = by_id[case.name]
            outcome = case.result
            if result.status is Status.FAILURE:
                (failure,) = outcome
                assert isinstance(failure, Failure)
                assert failure.message == result.summary
                assert f"Fix: {result.fix}" in (failure.text or "")
                kinds["failure"] += 1
            elif result.status is Status.ERROR:
                (error,) = outcome
                assert isinstance(error, Error)
                assert error.message == result.summary
                assert "Fix: Run again with --timeout-scale 3" in (error.text or "")
                kinds["error"] += 1
            elif result.status in (Status.SKIPPED, Status.NOT_RUN):
                (skipped,) = outcome
                assert isinstance(skipped, Skipped)
                assert skipped.message == result.summary
                kinds["skipped"] += 1
            else:
                assert case.is_passed
                if result.status is Status.WARNING:
                    assert (case.system_out or "").startswith("WARNING: ")
                    assert f"Fix: {result.fix}" in (case.system_out or "")
                kinds["passed"] += 1
    assert kinds == {"failure": 3, "error": 1, "skipped": 6, "passed": 22}


def test_plain_xml_parser_sees_the_ant_junit_shape() -> None:
    """What Jenkins' and GitLab's parsers look at: root, counts, attributes."""
    report = fixture("lab-pc-02")
    root = SafeET.fromstring(render(report, RenderOptions()).encode("utf-8"))
    assert root.tag == "testsuites"
    assert int(root.get("failures", "")) == report.verdict.counts["failure"] == 3
    assert int(root.get("tests", "")) == len(report.results)
    for suite in root.findall("testsuite"):
        assert suite.get("timestamp") == "2026-11-29T09:05:00"
        for case in suite.findall("testcase"):
            assert case.get("classname") == suite.get("name")
            float(case.get("time", ""))


def test_hostile_text_is_escaped_and_the_xml_stays_well_formed() -> None:
    report = hostile_report()
    report = replace_result(report, "system.os", summary="lone surrogate \ud800 and \uffff")
    text = render(report, RenderOptions())
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    root = SafeET.fromstring(text.encode("utf-8"))
    messages = [el.get("message") for el in root.iter("error")]
    assert messages == [
        "could not determine: import failed: \\x1b[31mred\\x1b[0m [bold red]markup[/bold red] "
        "<script>alert(1)</script> | pipe | `tick` **bold** _em_ [link](https://evil.example) "
        "@octocat <!-- comment --> </details> \\x07bell \\u202eevil"
    ]
    assert "<script>" not in text  # escaped as &lt;script&gt; in the file


def test_warnings_fail_only_when_they_made_the_run_fail() -> None:
    """Under --strict the dashboard must agree with the red job; otherwise warnings pass."""
    report = fixture("lab-pc-01")
    strict = report.model_copy(update={"verdict": verdict(report.results, strict=True)})
    assert strict.verdict.exit_code == 1
    for rep, failed in ((report, []), (strict, ["packages.pins", "pycharm.installs"])):
        xml = _parse(rep)
        assert [c.name for s in xml for c in s if c.is_failure] == failed
