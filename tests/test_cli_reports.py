"""`show`, `diff` and `fleet` on realistic report sets, through the real CLI."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from junitparser import JUnitXml

from envcheck.fleet import duration, predicted_seconds
from envcheck.render import FORMATS
from envcheck.report_io import load_report
from envcheck.results import Status
from tests.helpers import run_cli
from tests.report_samples import (
    REPORTS,
    category_predictions,
    fixture,
    hostile_report,
    invoke,
    partial_benchmark,
    replace_result,
    save,
    with_results,
)

NAMES = ["lab-pc-01", "lab-pc-02", "lab-gpu-03"]


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "100")
    return tmp_path


# --- show -------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_json_round_trips_through_show_byte_for_byte(name: str, here: Path) -> None:
    first = here / "first.json"
    second = here / "second.json"
    invoke(
        "show", str(REPORTS / f"{name}.json"), "--format", "json", "-o", str(first), "--no-redact"
    )
    invoke("show", str(first), "--format", "json", "-o", str(second), "--no-redact")
    assert first.read_bytes() == second.read_bytes()
    assert load_report(first) == load_report(REPORTS / f"{name}.json")
    for fmt in FORMATS:
        for verbose in ([], ["-v"]):
            a = invoke("show", str(REPORTS / f"{name}.json"), "--format", fmt, *verbose)
            b = invoke("show", str(second), "--format", fmt, *verbose)
            assert a.exit_code == b.exit_code == 0
            assert a.stdout == b.stdout, (fmt, verbose)


def test_show_prints_what_the_live_check_printed(here: Path) -> None:
    """A real run, saved and shown, reads like the run on the terminal, marked as saved."""
    env = {"COLUMNS": "100"}
    args = ["check", "--python", sys.executable, "--only", "system", "--only", "python"]
    live = run_cli(*args, env=env, timeout=120)
    assert live.returncode in (0, 1), live.stderr
    saved = run_cli(
        *args, "--format", "json", "-o", "saved.json", "--no-redact", env=env, cwd=here, timeout=120
    )
    assert saved.returncode == live.returncode
    shown = run_cli("show", str(here / "saved.json"), env=env)
    assert shown.returncode == 0
    saved_lines = [line for line in shown.stdout.splitlines() if line.startswith("Saved report:")]
    assert len(saved_lines) == 1, shown.stdout
    assert re.fullmatch(
        r"Saved report: created \d{4}-\d\d-\d\d \d\d:\d\d UTC on .+", saved_lines[0]
    ), saved_lines
    assert shown.stdout.replace(saved_lines[0] + "\n", "", 1) == live.stdout
    assert "Saved report" not in live.stdout
    assert "[✓] System" in shown.stdout


def test_show_never_runs_the_interpreter_named_in_the_report(here: Path) -> None:
    marker = here / "ran"
    trap = here / "python"
    trap.write_text(f"#!/bin/sh\ntouch {marker}\n", "utf-8")
    trap.chmod(0o755)
    report = fixture("lab-pc-02")
    target = report.target.model_copy(update={"python": str(trap), "resolved": str(trap)})
    path = save(report.model_copy(update={"target": target}), here / "trap.json")
    for fmt in FORMATS:
        proc = run_cli(
            "show",
            str(path),
            "--format",
            fmt,
            "-v",
            env={"PATH": f"{here}:" + os.environ.get("PATH", "")},
        )
        assert proc.returncode == 0, proc.stderr
    assert not marker.exists()


def test_show_renders_terminal_escapes_and_markup_as_text(here: Path) -> None:
    path = save(hostile_report(), here / "hostile.json")
    result = invoke("show", str(path), "-v")
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "\\x1b[31mred\\x1b[0m [bold red]markup[/bold red]" in result.stdout.replace("\n", "")


def test_show_unreadable_report_is_exit_2_one_line(here: Path) -> None:
    (here / "half.json").write_text('{"schema_version": 1, "results": [', "utf-8")
    proc = run_cli("show", str(here / "half.json"))
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1
    expected = f"tfcert-envcheck: error: {here / 'half.json'}: not a JSON report"
    assert proc.stderr.startswith(expected)


# --- diff -------------------------------------------------------------------


def _diff(here: Path, a: str, b: str, *extra: str) -> tuple[int, dict[str, Any]]:
    result = invoke("diff", a, b, "--format", "json", *extra)
    return result.exit_code, json.loads(result.stdout)


def test_diff_lists_status_changes_first_worst_first(here: Path) -> None:
    code, doc = _diff(here, str(REPORTS / "lab-pc-01.json"), str(REPORTS / "lab-pc-02.json"))
    assert code == 1 and doc["status_differs"] is True
    changes = doc["changes"]
    assert isinstance(changes, list)
    kinds = [c["kind"] for c in changes]
    assert kinds == sorted(kinds, key=lambda k: k == "observed")
    assert [c["b_status"] for c in changes[:4]] == ["failure", "failure", "failure", "warning"]
    python = next(c for c in changes if c["id"] == "python.version")
    assert (python["a_observed"], python["b_observed"]) == ("3.8.18", "3.11.7")
    assert python["b_fix"].startswith("Install Python 3.8")


def test_diff_of_a_report_with_itself_is_empty_and_exit_0(here: Path) -> None:
    path = str(REPORTS / "lab-gpu-03.json")
    code, doc = _diff(here, path, path)
    assert code == 0 and doc["changes"] == [] and doc["same"] == 25
    text = invoke("diff", path, path).stdout
    assert "0 checks differ in status, 0 in observed value only, 25 the same" in text


def test_diff_observed_value_only_is_exit_0(here: Path) -> None:
    base = fixture("lab-pc-01")
    later = replace_result(base, "system.memory", observed="23.5 GiB total, 4.0 GiB available")
    save(base, here / "a.json")
    save(later, here / "b.json")
    code, doc = _diff(here, "a.json", "b.json")
    assert code == 0
    assert [(c["id"], c["kind"]) for c in doc["changes"]] == [("system.memory", "observed")]


def test_diff_check_missing_from_one_report_counts_as_status(here: Path) -> None:
    base = fixture("lab-gpu-03")
    no_gpu = with_results(base, [r for r in base.results if r.category != "nvidia"])
    save(base, here / "a.json")
    save(no_gpu, here / "b.json")
    code, doc = _diff(here, "a.json", "b.json")
    assert code == 1
    assert {c["kind"] for c in doc["changes"]} == {"only_in_a"}
    assert "(absent)" in invoke("diff", "a.json", "b.json").stdout


def test_diff_with_a_broken_file_is_exit_2(here: Path) -> None:
    (here / "broken.json").write_text("not json at all", "utf-8")
    proc = run_cli("diff", str(REPORTS / "lab-pc-01.json"), str(here / "broken.json"))
    assert proc.returncode == 2 and proc.stdout == ""
    assert f"{here / 'broken.json'}: not a JSON report" in proc.stderr


# --- fleet ------------------------------------------------------------------


@pytest.fixture
def lab(here: Path) -> Path:
    """A lab's report folder as CI artifacts arrive: one subfolder per job, some debris."""
    folder = here / "reports"
    for name in NAMES:
        (folder / name).mkdir(parents=True)
        shutil.copy(REPORTS / f"{name}.json", folder / name / "envcheck.json")
    old = fixture("lab-pc-02")
    old = replace_result(old, "python.version", status=Status.OK, observed="3.8.10")
    save(
        old.model_copy(update={"created_at": "2026-11-01T08:00:00+00:00"}),
        folder / "lab-pc-02" / "envcheck-november.json",
    )
    partial = partial_benchmark("lab-pc-01")
    save(
        partial.model_copy(update={"host": {**partial.host, "hostname": "lab-pc-04"}}),
        folder / "lab-pc-04.json",
    )
    redacted = invoke(
        "show",
        str(REPORTS / "lab-pc-01.json"),
        "--format",
        "json",
        "-o",
        str(folder / "lab-pc-05.json"),
    )
    assert redacted.exit_code == 0
    (folder / "broken.json").write_text('{"schema_version": 1, "tool": "tfcert-en', "utf-8")
    (folder / "package.json").write_text('{"name": "lab-dashboard"}', "utf-8")
    (folder / ".envcheck.json.tmp1234.json").write_text("half-written", "utf-8")
    (folder / "notes.txt").write_text("not a report", "utf-8")
    return folder


def test_fleet_one_row_per_machine_unreadable_listed(lab: Path) -> None:
    result = invoke("fleet", "reports", "--format", "json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    rows = {m["machine"]: m for m in doc["machines"]}
    assert list(rows) == ["lab-pc-02", "lab-pc-04", "lab-gpu-03", "lab-pc-01", "lab-pc-05"]
    assert rows["lab-pc-02"]["failing"] == [
        "python.version",
        "packages.installable",
        "tensorflow.version",
    ]
    assert rows["lab-pc-02"]["older_reports"] == 1
    assert rows["lab-pc-02"]["python"] == "3.11.7"  # the newest report, not November's
    assert (rows["lab-pc-01"]["tensorflow"], rows["lab-pc-01"]["python"]) == ("2.9.0", "3.8.18")
    # The benchmark's stated total; a partial run sums what was measured; none: null.
    lab_pc_01 = fixture("lab-pc-01")
    total = next(r for r in lab_pc_01.results if r.id == "benchmark.total")
    assert rows["lab-pc-01"]["predicted_s"] == total.details["verdict"]["total_s"]
    measured = category_predictions(lab_pc_01)
    assert rows["lab-pc-04"]["predicted_s"] == pytest.approx(sum(measured[c] for c in (1, 2, 3, 4)))
    assert rows["lab-pc-04"]["failing"] == ["benchmark.category5", "benchmark.total"]
    assert rows["lab-gpu-03"]["predicted_s"] is None
    assert rows["lab-pc-05"]["file"] == "reports/lab-pc-05.json"  # redacted: named by its file
    assert sorted(u["file"] for u in doc["unreadable"]) == [
        "reports/broken.json",
        "reports/package.json",
    ]
    text = invoke("fleet", "reports").stdout
    cells = {
        line.split()[0]: [c.strip() for c in line.split("  ") if c.strip()]
        for line in text.splitlines()
        if line.startswith("lab-")
    }
    assert cells["lab-pc-01"] == [
        "lab-pc-01",
        "ready (2 warnings)",
        "-",
        "25 min",
        "2.9.0",
        "3.8.18",
    ]
    assert cells["lab-gpu-03"][3] == "-"
    assert "2 files could not be read:" in text
    assert "1 older report of the same machines not shown" in text
    md = invoke("fleet", "reports", "--format", "markdown").stdout
    assert md.count("\n| lab-") == 5


def test_fleet_all_ready_is_exit_0_and_empty_folder_exit_2(here: Path) -> None:
    (here / "ok").mkdir()
    shutil.copy(REPORTS / "lab-pc-01.json", here / "ok" / "a.json")
    shutil.copy(REPORTS / "lab-gpu-03.json", here / "ok" / "b.json")
    assert invoke("fleet", "ok").exit_code == 0
    (here / "empty").mkdir()
    proc = run_cli("fleet", str(here / "empty"))
    assert proc.returncode == 2 and "no *.json reports" in proc.stderr
    proc = run_cli("fleet", str(here / "missing"))
    assert proc.returncode == 2 and "not a folder" in proc.stderr


def test_predicted_time_from_total_or_categories_never_from_skipped() -> None:
    report = fixture("lab-pc-02")
    total = next(r for r in report.results if r.id == "benchmark.total")
    assert predicted_seconds(report) == total.details["verdict"]["total_s"]
    assert predicted_seconds(partial_benchmark("lab-pc-02")) == pytest.approx(
        sum(v for c, v in category_predictions(report).items() if c != 5)
    )
    skipped = with_results(
        report,
        [
            r.model_copy(update={"status": Status.SKIPPED}) if r.category == "benchmark" else r
            for r in report.results
        ],
    )
    assert predicted_seconds(skipped) is None
    assert predicted_seconds(fixture("lab-gpu-03")) is None  # checked with --no-bench
    assert [duration(s) for s in (None, 42.0, 660.0, 5400.0, 7575.0)] == [
        "-",
        "42 s",
        "11 min",
        "1 h 30 min",
        "2 h 06 min",
    ]


def test_live_check_writes_junit_and_markdown(here: Path) -> None:
    """`check` itself (not only `show`) writes every format, redacted, through -o."""
    args = ["check", "--python", sys.executable, "--only", "system", "--only", "python"]
    junit = run_cli(*args, "--format", "junit", "-o", "r.xml", cwd=here, timeout=120)
    markdown = run_cli(*args, "--format", "markdown", "-o", "r.md", cwd=here, timeout=120)
    assert junit.returncode == markdown.returncode
    assert junit.returncode in (0, 1), junit.stderr
    xml = JUnitXml.fromfile(str(here / "r.xml"))
    assert [s.name for s in xml] == ["system", "python"]
    assert all(s.hostname == "<host>" for s in xml)
    text = (here / "r.md").read_text("utf-8")
    assert text.startswith("## tfcert-envcheck: ")
    assert "| System |" in text and "| Python |" in text
    assert str(Path.home()) not in text


def test_diff_and_fleet_show_hostile_text_as_text(here: Path) -> None:
    hostile = hostile_report()
    hostile = hostile.model_copy(update={"host": {**hostile.host, "hostname": "\x1b[2Jlab"}})
    save(hostile, here / "hostile.json")
    shutil.copy(REPORTS / "lab-pc-02.json", here / "lab-pc-02.json")
    for args in (
        ["diff", "lab-pc-02.json", "hostile.json"],
        ["diff", "lab-pc-02.json", "hostile.json", "--format", "markdown"],
        ["fleet", "."],
        ["fleet", ".", "--format", "markdown"],
    ):
        out = invoke(*args).stdout
        assert "\x1b" not in out and "\x07" not in out, args
    assert "\\x1b[2Jlab" in invoke("fleet", ".").stdout
    assert (
        "&lt;script&gt;"
        in invoke("diff", "lab-pc-02.json", "hostile.json", "--format", "markdown").stdout
    )
