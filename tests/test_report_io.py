"""Reading saved reports: round trips, schema versions, and one-line refusals."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from envcheck import report_io
from envcheck.errors import ReportError
from envcheck.report_io import load_report, upgrade
from envcheck.results import SCHEMA_VERSION, Report
from tests.helpers import run_cli
from tests.report_samples import REPORTS, invoke


def _write(tmp_path: Path, content: str | bytes, name: str = "report.json") -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def _doc(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((REPORTS / "lab-pc-01.json").read_text("utf-8"))
    doc.update(changes)
    return doc


@pytest.mark.parametrize("name", ["lab-pc-01", "lab-pc-02", "lab-gpu-03", "candidate-alice"])
def test_recorded_reports_load_and_survive_a_round_trip(name: str, tmp_path: Path) -> None:
    report = load_report(REPORTS / f"{name}.json")
    again = load_report(_write(tmp_path, report.model_dump_json(indent=2)))
    assert again == report
    assert report.schema_version == SCHEMA_VERSION


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("", "not a JSON report (Expecting value: line 1 column 1)"),
        ("{\n  'schema_version': 1\n}", "not a JSON report (Expecting property name enclosed"),
        (b"\xff\xfe{}", "not a JSON report (not UTF-8 text"),
        ("[1, 2]", "not a tfcert-envcheck report (a JSON array, not an object)"),
        ('{"name": "my-package", "version": "1.0"}', "not a tfcert-envcheck report (no schema"),
        ('{"tool": "pip-audit", "schema_version": 1}', "not a tfcert-envcheck report (tool is"),
        ('{"schema_version": "one"}', "schema_version 'one' is not a version number"),
        ('{"schema_version": 99}', "report schema_version 99 is newer than this tool reads"),
    ],
)
def test_unusable_files_are_refused_in_one_line(
    content: str | bytes, problem: str, tmp_path: Path
) -> None:
    path = _write(tmp_path, content)
    with pytest.raises(ReportError) as info:
        load_report(path)
    message = str(info.value)
    assert message.startswith(f"{path}: {problem}")
    assert "\n" not in message


def test_wrong_schema_names_the_field(tmp_path: Path) -> None:
    doc = _doc()
    doc["results"][3]["status"] = "maybe"
    with pytest.raises(ReportError, match=r"not a valid report: results\.3\.status: Input should"):
        load_report(_write(tmp_path, json.dumps(doc)))
    doc = _doc(surprise=True)
    with pytest.raises(ReportError, match=r"surprise: Extra inputs are not permitted"):
        load_report(_write(tmp_path, json.dumps(doc)))


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match=r"nope\.json: cannot read: No such file"):
        load_report(tmp_path / "nope.json")
    with pytest.raises(ReportError, match="is a folder, not a regular file"):
        load_report(tmp_path)


def test_oversized_file_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(report_io, "MAX_BYTES", 1000)
    with pytest.raises(ReportError, match="is too large for a report"):
        load_report(REPORTS / "lab-pc-01.json")


def test_older_versions_are_migrated_step_by_step() -> None:
    """The hook a schema version 2 will use: v1 documents upgraded before validation."""

    def v1_to_v2(doc: dict[str, Any]) -> dict[str, Any]:
        doc["host"] = {**doc["host"], "migrated": "from v1"}
        return doc

    doc = upgrade(_doc(), current=2, migrations={1: v1_to_v2})
    assert doc["schema_version"] == 2
    assert doc["host"]["migrated"] == "from v1"
    with pytest.raises(ReportError, match="schema_version 1 is no longer supported"):
        upgrade(_doc(), name="old.json", current=2, migrations={})


def test_show_refuses_a_newer_report_with_exit_2(tmp_path: Path) -> None:
    path = _write(tmp_path, json.dumps(_doc(schema_version=SCHEMA_VERSION + 1)))
    proc = run_cli("show", str(path))
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr == (
        f"tfcert-envcheck: error: {path}: report schema_version {SCHEMA_VERSION + 1} is newer "
        f"than this tool reads (up to {SCHEMA_VERSION}); upgrade tfcert-envcheck to read it\n"
    )


def test_schema_command_prints_the_report_json_schema() -> None:
    import jsonschema

    result = invoke("schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["properties"]["schema_version"]["default"] == SCHEMA_VERSION
    assert schema == {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **Report.model_json_schema(),
    }
    for path in REPORTS.glob("*.json"):
        jsonschema.validate(json.loads(path.read_text("utf-8")), schema)
    bad = _doc()
    bad["results"][0]["status"] = "maybe"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def _raw(name: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((REPORTS / f"{name}.json").read_text("utf-8"))
    return doc


@pytest.mark.parametrize("name", ["lab-pc-01", "lab-pc-02", "lab-gpu-03", "candidate-alice"])
def test_version_1_reports_key_probe_runs_by_probe_name(name: str) -> None:
    """Version 1 keyed the benchmark's run by a repr of its arguments; version 2 by `bench`."""
    raw = _raw(name)
    assert raw["schema_version"] == 1  # the fixtures stay as recorded
    old = raw["facts"]["probes"]
    report = load_report(REPORTS / f"{name}.json")
    assert report.schema_version == SCHEMA_VERSION == 2
    probes = report.facts["probes"]
    assert list(probes) == [run["probe"] for run in old.values()]
    assert list(probes.values()) == list(old.values())
    assert ("bench" in probes) == any(key.startswith("bench:[") for key in old)


def test_a_version_1_key_that_would_collide_is_kept_as_it_was() -> None:
    doc = _doc()
    probes = doc["facts"]["probes"]
    long_key = next(key for key in probes if key.startswith("bench:"))
    probes["bench"] = {**probes[long_key], "outcome": "interrupted"}
    upgraded = upgrade(doc)
    assert list(upgraded["facts"]["probes"]) == list(probes)  # both kept, in order
    assert upgraded["facts"]["probes"]["bench"]["outcome"] == "interrupted"
    assert doc["facts"]["probes"] is probes and long_key in probes  # the input is not changed


@pytest.mark.parametrize(
    "args",
    [
        ["-v"],
        ["--format", "json"],
        ["--format", "markdown", "-v"],
        ["--format", "junit"],
        ["--format", "html"],
    ],
)
@pytest.mark.parametrize("name", ["lab-pc-01", "lab-pc-02"])
def test_a_version_1_report_renders_as_its_version_2_copy(
    name: str, args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """show reads the old file as if it had been written today: same output, byte for byte."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "100")
    v1 = _raw(name)
    v2 = {**v1, "schema_version": 2}
    v2["facts"] = {
        **v1["facts"],
        "probes": {run["probe"]: run for run in v1["facts"]["probes"].values()},
    }
    (tmp_path / "report.json").write_text(json.dumps(v1), "utf-8")
    old = invoke("show", "report.json", *args)
    (tmp_path / "report.json").write_text(json.dumps(v2), "utf-8")
    new = invoke("show", "report.json", *args)
    assert old.exit_code == new.exit_code
    assert old.stdout == new.stdout
    assert len(old.stdout) > 1000
