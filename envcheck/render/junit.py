"""JUnit XML for CI dashboards: one test suite per category, one test case per check.

Jenkins (junit step), GitLab (artifacts:reports:junit) and GitHub test
reporters all read the Ant JUnit shape that `junitparser` writes:
classname is the category, name the check id (stable, so dashboards keep
each check's history), failures and errors carry the summary as message and
the fix hint in their text, skipped and not-run checks are skipped. A
warning passes, as it does for the exit code, with the warning in
system-out; under --strict, where warnings fail the run, they fail here.
Report text goes through `safe.clean`, so escape sequences and characters
XML 1.0 forbids never reach the file.
"""

from __future__ import annotations

import datetime as dt
import io
import re

from junitparser import Error, Failure, JUnitXml, Skipped, TestCase, TestSuite

from envcheck.render import RenderOptions
from envcheck.render.safe import clean
from envcheck.results import CheckResult, Report, Status

# Characters XML 1.0 cannot carry at all, even escaped (lone surrogates, U+FFFE/U+FFFF).
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")


def render(report: Report, options: RenderOptions) -> str:
    xml = JUnitXml(name=_x(f"tfcert-envcheck: {report.verdict.headline}"))
    strict = _warnings_blocked(report)
    for category, results in report.by_category():
        suite = TestSuite(_x(category.key))
        timestamp = _timestamp(report.created_at)
        if timestamp:
            suite.timestamp = timestamp
        suite.hostname = _x(report.host.get("hostname", ""))
        for key, value in _suite_properties(report, category.title):
            suite.add_property(key, _x(value))
        suite.add_testcases([_case(r, strict) for r in results])  # also counts tests and time
        xml.add_testsuite(suite)
    xml.update_statistics()  # type: ignore[no-untyped-call]  # junitparser leaves it untyped
    buf = io.BytesIO()
    xml.write(buf, pretty=True)
    return buf.getvalue().decode("utf-8")


def _timestamp(created_at: str) -> str | None:
    """The report's time in UTC without offset, the form the JUnit schema allows."""
    try:
        when = dt.datetime.fromisoformat(created_at)
    except ValueError:
        return None
    if when.tzinfo is not None:
        when = when.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return when.isoformat(timespec="seconds")


def _suite_properties(report: Report, title: str) -> list[tuple[str, str]]:
    props = [
        ("category", title),
        ("profile", report.profile),
        ("interpreter", report.target.resolved or report.target.python),
        ("tool_version", report.tool_version),
        ("verdict", report.verdict.headline),
    ]
    if report.host.get("platform"):
        props.append(("platform", report.host["platform"]))
    return props


def _warnings_blocked(report: Report) -> bool:
    """True when warnings alone made the verdict "not ready" (a --strict run).

    Then they are failures here too, so the dashboard agrees with the exit code.
    """
    v = report.verdict
    return (
        not v.ready
        and not report.interrupted
        and v.counts.get("failure", 0) == 0
        and v.counts.get("error", 0) == 0
        and v.counts.get("warning", 0) > 0
    )


def _case(result: CheckResult, strict: bool) -> TestCase:
    case = TestCase(_x(result.id), classname=_x(result.category), time=result.duration_s)
    message = _x(clean(result.summary, keep_newlines=False))
    body = _x(_body(result))
    if result.status is Status.FAILURE or (strict and result.status is Status.WARNING):
        failure = Failure(message, type_=result.status.value)
        failure.text = body
        case.result = [failure]
    elif result.status is Status.ERROR:
        error = Error(message, type_="error")
        error.text = body
        case.result = [error]
    elif result.status in (Status.SKIPPED, Status.NOT_RUN):
        skipped = Skipped(message, type_=result.status.value)
        case.result = [skipped]
    else:
        prefix = "WARNING: " if result.status is Status.WARNING else ""
        case.system_out = _x(prefix + _body(result))
    return case


def _body(result: CheckResult) -> str:
    """What a reader of the CI page needs: the title, the problem, how to fix it, the values."""
    lines = [f"{result.title}: {result.summary}"]
    if result.fix and result.status.is_problem:
        lines.append(f"Fix: {result.fix}")
    for label, value in (
        ("Observed", result.observed),
        ("Expected", result.expected),
        ("Source", result.source),
    ):
        if value:
            lines.append(f"{label}: {value}")
    return "\n".join(lines)


def _x(text: str) -> str:
    return _NOT_XML.sub("\ufffd", clean(text))
