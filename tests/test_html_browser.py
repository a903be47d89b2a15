"""The HTML reports, opened in a real headless Chromium (issue 12).

What support staff see: the verdict, the number of failed checks, the
benchmark chart with one bar per category, the checks; and what an attacker
cannot do with a report: add an element, change the page's title, or make
the page fetch anything. The pages come from the real CLI (`show --format
html`, `fleet --format html`); the browser's DOM dump is the DOM after it
parsed the page, so a string that had become markup would show up as an
element there. Screenshots of the golden reports are kept in
$TFCERT_TEST_ARTIFACTS when it is set (.ci/run sets it).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from envcheck.report_io import load_report
from envcheck.results import Report, Status
from tests import browser
from tests.helpers import run_cli
from tests.report_samples import REPORTS, hostile_report, partial_benchmark, save

pytestmark = pytest.mark.skipif(
    browser.find() is None,
    reason="no Chromium to render HTML in (Debian: apt-get install chromium; .ci/run does)",
)

GOLDEN = ("lab-pc-01", "lab-pc-02", "lab-gpu-03")

EVIL_IMG = '"><img src=x onerror="document.title=\'pwned\'">'
EVIL_LINK = "javascript:document.title='pwned'"
EVIL_CSS = "</style><style>body{display:none}</style>"
EVIL_TITLE = "</title><title>pwned</title>"
EVIL_REMOTE = (
    '<img src="https://evil.example/pixel.png"><link rel=stylesheet href=//evil.example/x.css>'
)


def _artifacts(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("TFCERT_TEST_ARTIFACTS") or tmp_path / "artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _html(report_json: Path, page: Path, *extra: str) -> Path:
    proc = run_cli("show", str(report_json), "--format", "html", "-o", str(page), *extra)
    assert proc.returncode == 0, proc.stderr
    return page


def _no_requests(loaded: browser.Loaded, page: Path) -> None:
    """The page asked the network for nothing (the browser's own requests aside)."""
    assert loaded.requests == [], (page, loaded.requests)


def test_the_network_check_sees_a_page_request(tmp_path: Path) -> None:
    """The control: a page without the CSP that loads a remote image is caught."""
    page = tmp_path / "leaky.html"
    page.write_text('<!DOCTYPE html><p>x</p><img src="http://evil.example/pixel.png">', "utf-8")
    loaded = browser.load(page)
    assert loaded.requests == ["http://evil.example/pixel.png"]


def _failed(report: Report) -> int:
    return sum(1 for r in report.results if r.status in (Status.FAILURE, Status.ERROR))


def _bench_categories(report: Report) -> int:
    return sum(
        1
        for r in report.results
        if r.id.startswith("benchmark.category") and isinstance(r.details.get("prediction"), dict)
    )


@pytest.mark.parametrize("name", GOLDEN)
def test_golden_report_in_chromium(name: str, tmp_path: Path) -> None:
    report = load_report(REPORTS / f"{name}.json")
    page = _html(REPORTS / f"{name}.json", tmp_path / f"{name}.html")
    shot = _artifacts(tmp_path) / f"report-{name}.png"
    loaded = browser.load(page, screenshot=shot, height=2400)
    dom = browser.Dom(loaded.dom)
    assert dom.by_id("verdict").text == report.verdict.headline
    assert dom.by_id("failed-count").attrs["data-count"] == str(_failed(report))
    title = dom.find("title")[0].text
    assert title.startswith(
        "tfcert-envcheck report: " + ("ready" if report.verdict.ready else "not ready")
    )
    bars = dom.find("rect", class_="bar")
    if _bench_categories(report):
        chart = dom.by_id("bench-chart")
        assert chart.tag == "svg"
        assert len(bars) == _bench_categories(report)
        assert dom.by_id("bench-chart-desc").text.count("category ") == len(bars)
    else:
        assert not dom.find("svg")
    # Problems are open, passes folded.
    checks = dom.find("details", class_="check")
    assert len(checks) == len(report.results)
    for element in checks:
        problem = Status(element.attrs["data-status"]).is_problem
        assert ("open" in element.attrs) == problem, element.attrs
    assert not dom.find("script")
    assert shot.stat().st_size > 20_000  # a real rendering, not a blank page
    _no_requests(loaded, page)


def test_not_ready_report_shows_its_failures(tmp_path: Path) -> None:
    report = partial_benchmark("lab-pc-02")
    source = save(report, tmp_path / "partial.json")
    page = _html(source, tmp_path / "partial.html")
    dom = browser.Dom(browser.load(page).dom)
    assert dom.by_id("verdict").text.startswith("Not ready")
    assert dom.by_id("failed-count").attrs["data-count"] == str(_failed(report)) != "0"
    failed = [
        e
        for e in dom.find("details", class_="check")
        if e.attrs["data-status"] in ("failure", "error")
    ]
    assert len(failed) == _failed(report)
    assert all("open" in e.attrs for e in failed)
    # Category 5 was not measured: four bars, and the table says why.
    assert len(dom.find("rect", class_="bar")) == 4
    assert "not measured" in dom.by_id("bench-table").text
    assert "could not be determined" in dom.by_id("bench-headline").text
    # A fix hint is a copyable code block.
    assert any("tfcert-envcheck bench --category 5" in e.text for e in dom.find("code"))


def _hostile() -> Report:
    report = hostile_report()
    results = []
    for r in report.results:
        if r.id == "python.version":
            r = r.model_copy(
                update={
                    "summary": f"{EVIL_IMG} {EVIL_TITLE}",
                    "source": EVIL_LINK,
                    "observed": EVIL_CSS,
                    "fix": EVIL_REMOTE,
                }
            )
        if r.id == "benchmark.category1":
            details = dict(r.details)
            details["prediction"] = {**details["prediction"], "title": EVIL_IMG}
            r = r.model_copy(update={"title": EVIL_TITLE, "details": details})
        results.append(r)
    categories = [
        c.model_copy(update={"title": EVIL_CSS}) if c.key == "system" else c
        for c in report.categories
    ]
    verdict = report.verdict.model_copy(update={"headline": f"Ready {EVIL_TITLE} {EVIL_IMG}"})
    host = {**report.host, "hostname": EVIL_IMG, "platform": EVIL_REMOTE}
    return report.model_copy(
        update={
            "results": results,
            "categories": categories,
            "verdict": verdict,
            "host": host,
            "profile": EVIL_LINK,
        }
    )


def test_hostile_report_renders_as_text(tmp_path: Path) -> None:
    report = _hostile()
    source = save(report, tmp_path / "hostile.json")
    page = _html(source, tmp_path / "hostile.html", "--no-redact")
    loaded = browser.load(page, screenshot=_artifacts(tmp_path) / "report-hostile.png")
    dom = browser.Dom(loaded.dom)
    # No string became an element or an attribute that acts.
    assert not dom.find("script")
    assert not dom.find("img")
    assert not dom.find("a")
    assert not dom.find("link")
    assert len(dom.find("style")) == 1
    titles = dom.find("title")
    assert [t.attrs.get("id") for t in titles] == [None, "bench-chart-title", "total-chart-title"]
    for element in dom.elements:
        for attr, value in element.attrs.items():
            assert not attr.startswith("on"), (element.tag, attr)
            assert "javascript:" not in value.lower() or attr == "content", (element.tag, attr)
    # The title is the tool's words, not the report's.
    problems = sum(1 for r in report.results if r.status.is_problem)
    assert titles[0].text == f"tfcert-envcheck report: not ready ({problems} problems)"
    # The hostile strings are there, as text.
    text = dom.by_id("verdict").text
    assert EVIL_TITLE in text and EVIL_IMG in text
    body = "".join(e.text for e in dom.find("body"))
    for evil in (EVIL_LINK, EVIL_CSS, EVIL_REMOTE, "<script>alert(1)</script>"):
        assert evil in body, evil
    _no_requests(loaded, page)


def test_fleet_of_five_links_each_machine_report(tmp_path: Path) -> None:
    folder = tmp_path / "lab"
    folder.mkdir()
    names = ["lab-pc-01", "lab-pc-02", "lab-gpu-03", "candidate-alice"]
    for name in names:
        shutil.copy(REPORTS / f"{name}.json", folder / f"{name}.json")
    partial = partial_benchmark("lab-pc-01")
    save(
        partial.model_copy(update={"host": {**partial.host, "hostname": "lab-pc-04"}}),
        folder / "lab-pc-04.json",
    )
    # Two machines have their own HTML report beside their JSON.
    for name in ("lab-pc-02", "lab-pc-04"):
        _html(folder / f"{name}.json", folder / f"{name}.html")
    page = folder / "index.html"
    proc = run_cli("fleet", str(folder), "--format", "html", "-o", str(page))
    assert proc.returncode == 1, proc.stderr  # not every machine is ready
    loaded = browser.load(page, screenshot=_artifacts(tmp_path) / "fleet.png")
    dom = browser.Dom(loaded.dom)
    rows = [e for e in dom.find("tr") if "data-ready" in e.attrs]
    assert len(rows) == 5
    assert dom.by_id("verdict").text == "tfcert-envcheck fleet: 2 of 5 machines ready"
    links = {e.text: e.attrs["href"] for e in dom.find("a")}
    assert links == {"lab-pc-02": "./lab-pc-02.html", "lab-pc-04": "./lab-pc-04.html"}
    for href in links.values():
        assert (folder / href).is_file()
    _no_requests(loaded, page)


def test_fleet_link_cannot_become_a_script(tmp_path: Path) -> None:
    folder = tmp_path / "lab"
    folder.mkdir()
    evil = "javascript:alert(1)"
    shutil.copy(REPORTS / "lab-pc-01.json", folder / f"{evil}.json")
    (folder / f"{evil}.html").write_text("<p>hi</p>", "utf-8")
    page = tmp_path / "fleet.html"
    proc = run_cli("fleet", str(folder), "--format", "html", "-o", str(page))
    assert proc.returncode == 0, proc.stderr
    dom = browser.Dom(browser.load(page).dom)
    (link,) = dom.find("a")
    assert link.attrs["href"] == "./lab/javascript%3Aalert%281%29.html"


def test_dark_scheme_renders(tmp_path: Path) -> None:
    page = _html(REPORTS / "lab-pc-02.json", tmp_path / "dark.html")
    shot = _artifacts(tmp_path) / "report-lab-pc-02-dark.png"
    loaded = browser.load(page, screenshot=shot, dark=True)
    assert shot.stat().st_size > 20_000
    _no_requests(loaded, page)
