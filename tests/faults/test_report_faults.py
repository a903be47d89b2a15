"""Faults of reports handed to `show`, `diff` and `fleet` (a candidate's file is untrusted).

Through the real CLI in a subprocess: an unreadable report is one line naming the
file, exit 2 (show, diff) or a listed, non-fatal row (fleet, exit 1); hostile
strings inside a valid report are printed as text, never as terminal controls,
markup or raw HTML, and JUnit stays well-formed XML. Nothing in a report is run.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.faults.support import assert_no_crash, check_env

SAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "reports"
GOOD = SAMPLES / "lab-pc-01.json"
HOSTILE = (
    "\x1b[2J\x1b]0;pwned\x07 [bold red]markup[/bold red] \u009b31m \r overwrite "
    "<script>alert(1)</script> | pipe `tick` **bold**\n# heading"
)
CONTROLS = ("\x1b", "\x07", "\x9b", "\r")


def _good() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(GOOD.read_text(encoding="utf-8"))
    return doc


def _cli(tmp_path: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "envcheck", *argv],
        capture_output=True,
        text=True,
        timeout=60,
        env=check_env(tmp_path),
        cwd=tmp_path,
        check=False,
    )
    assert_no_crash(proc)
    return proc


def _json(doc: object) -> bytes:
    return json.dumps(doc).encode()


BROKEN: dict[str, tuple[Callable[[], bytes], str]] = {
    "not_json": (lambda: b"Hello, this is my report!\n", "not a JSON report"),
    "not_utf8": (lambda: b'{"schema_version": 1, "x": "\xff\xfe"}', "not UTF-8"),
    "empty": (lambda: b"", "not a JSON report"),
    "a_list": (lambda: b"[1, 2, 3]", "not a tfcert-envcheck report"),
    "no_schema_version": (lambda: _json({"results": []}), "no schema_version"),
    "newer_schema": (lambda: _json({**_good(), "schema_version": 99}), "schema_version 99"),
    "wrong_type": (
        lambda: _json({**_good(), "results": "all fine"}),
        "not a valid report: results",
    ),
    "unknown_status": (
        lambda: _json({**_good(), "results": [{**_good()["results"][0], "status": "sort of ok"}]}),
        "not a valid report: results.0.status",
    ),
    "nan_version": (lambda: b'{"schema_version": NaN}', "is not a version number"),
}
BROKEN_DEEP: dict[str, tuple[Callable[[], bytes], str]] = {
    # json.loads raises RecursionError / ValueError here (exit 3 until report_io caught them).
    "deeply_nested": (lambda: b"[" * 100000 + b"]" * 100000, "not a JSON report"),
    "huge_integer": (lambda: b'{"schema_version": ' + b"9" * 5000 + b"}", "not a JSON report"),
}


def _write(tmp_path: Path, name: str, make: Callable[[], bytes]) -> Path:
    path = tmp_path / f"{name}.json"
    path.write_bytes(make())
    return path


def _assert_refused(proc: subprocess.CompletedProcess[str], path: Path, phrase: str) -> None:
    assert proc.returncode == 2, proc.stderr
    line = proc.stderr.strip()
    assert "\n" not in line and line.startswith("tfcert-envcheck: error: "), line
    assert path.name in line and phrase in line, (phrase, line)


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_show_refuses_an_unreadable_report(tmp_path: Path, case: str) -> None:
    make, phrase = BROKEN[case]
    path = _write(tmp_path, case, make)
    _assert_refused(_cli(tmp_path, "show", str(path)), path, phrase)


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_diff_refuses_an_unreadable_report(tmp_path: Path, case: str) -> None:
    make, phrase = BROKEN[case]
    path = _write(tmp_path, case, make)
    _assert_refused(_cli(tmp_path, "diff", str(GOOD), str(path)), path, phrase)


@pytest.mark.parametrize("case", sorted(BROKEN_DEEP))
def test_show_refuses_a_report_that_breaks_the_json_parser(tmp_path: Path, case: str) -> None:
    make, phrase = BROKEN_DEEP[case]
    path = _write(tmp_path, case, make)
    _assert_refused(_cli(tmp_path, "show", str(path)), path, phrase)


def test_show_of_a_folder_and_of_a_missing_file(tmp_path: Path) -> None:
    folder = tmp_path / "reports.json"
    folder.mkdir()
    _assert_refused(_cli(tmp_path, "show", str(folder)), folder, "is a folder")
    missing = tmp_path / "gone.json"
    proc = _cli(tmp_path, "show", str(missing))
    assert proc.returncode == 2 and "gone.json" in proc.stderr


def test_fleet_lists_unreadable_reports_and_goes_on(tmp_path: Path) -> None:
    lab = tmp_path / "lab"
    lab.mkdir()
    for sample in ("lab-pc-01.json", "lab-pc-02.json"):
        shutil.copy(SAMPLES / sample, lab / sample)
    broken = {name: BROKEN[name] for name in ("not_json", "a_list", "newer_schema", "not_utf8")}
    for name, (make, _) in broken.items():
        _write(lab, name, make)
    proc = _cli(tmp_path, "fleet", str(lab))
    assert proc.returncode == 1  # not every file was read
    for name in broken:
        assert f"{name}.json" in proc.stdout, proc.stdout
    assert "lab-pc-01" in proc.stdout and "lab-pc-02" in proc.stdout


def test_fleet_survives_a_report_that_breaks_the_json_parser(tmp_path: Path) -> None:
    lab = tmp_path / "lab"
    lab.mkdir()
    shutil.copy(GOOD, lab / GOOD.name)
    _write(lab, "deeply_nested", BROKEN_DEEP["deeply_nested"][0])
    proc = _cli(tmp_path, "fleet", str(lab))
    assert proc.returncode == 1 and "deeply_nested.json" in proc.stdout


def _hostile(tmp_path: Path) -> Path:
    doc = _good()
    first = doc["results"][0]
    doc["results"][0] = {
        **first,
        "status": "failure",
        "summary": HOSTILE,
        "fix": HOSTILE,
        "observed": HOSTILE,
    }
    doc["host"] = {**doc["host"], "hostname": HOSTILE}
    doc["target"] = {**doc["target"], "python": HOSTILE}
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", ["text", "markdown", "junit"])
def test_show_prints_hostile_strings_as_text(tmp_path: Path, fmt: str) -> None:
    path = _hostile(tmp_path)
    # --no-redact: the hostile text is also the host name, which redaction would replace.
    proc = _cli(tmp_path, "show", str(path), "--format", fmt, "-v", "--no-redact")
    assert proc.returncode == 0
    assert [c for c in CONTROLS if c in proc.stdout] == []
    if fmt == "text":
        assert "[bold red]markup[/bold red]" in proc.stdout  # markup shown, not applied
        assert "\\x1b[2J" in proc.stdout  # the escape is visible as text
    if fmt == "markdown":
        assert "<script>" not in proc.stdout
    if fmt == "junit":
        ET.fromstring(proc.stdout)  # still well-formed XML


@pytest.mark.parametrize(
    ("command", "fmt"),
    [("diff", "text"), ("diff", "markdown"), ("fleet", "text"), ("fleet", "markdown")],
)
def test_diff_and_fleet_print_hostile_strings_as_text(
    tmp_path: Path, command: str, fmt: str
) -> None:
    lab = tmp_path / "lab"
    lab.mkdir()
    hostile = _hostile(lab)
    shutil.copy(GOOD, lab / GOOD.name)
    argv = [command, str(GOOD), str(hostile)] if command == "diff" else [command, str(lab)]
    proc = _cli(tmp_path, *argv, "--format", fmt)
    assert proc.returncode in (0, 1)
    assert [c for c in CONTROLS if c in proc.stdout] == [], proc.stdout[:2000]
    if fmt == "markdown":
        assert "<script>" not in proc.stdout


def test_nothing_named_in_a_report_is_run(tmp_path: Path) -> None:
    """The interpreter path and shell syntax in a report stay text in show, diff and fleet."""
    marker = tmp_path / "ran"
    script = tmp_path / "python"
    script.write_text(f"#!/bin/sh\ntouch {marker}\n", encoding="utf-8")
    script.chmod(0o755)
    doc = _good()
    doc["target"] = {**doc["target"], "python": str(script), "resolved": str(script)}
    doc["results"][0] = {**doc["results"][0], "fix": f"$(touch {marker}) `touch {marker}`"}
    lab = tmp_path / "lab"
    lab.mkdir()
    path = lab / "candidate.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    for argv in (
        ["show", str(path), "-v"],
        ["show", str(path), "--format", "markdown"],
        ["diff", str(GOOD), str(path)],
        ["fleet", str(lab)],
    ):
        proc = _cli(tmp_path, *argv)
        assert proc.returncode in (0, 1), (argv, proc.stderr)
    assert not marker.exists()
