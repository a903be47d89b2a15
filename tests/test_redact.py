"""Shareable reports carry no user name, home folder, host name or GPU UUID."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from envcheck.redact import redact_report
from envcheck.report_build import host_identity
from envcheck.report_io import load_report
from envcheck.results import Report
from tests.helpers import run_cli
from tests.report_samples import REPORTS, fixture, invoke, save

ALICE = re.compile(r"alice|thinkpad", re.IGNORECASE)


def _dump(report: Report) -> str:
    return report.model_dump_json()


def test_a_report_full_of_personal_paths_is_clean_after_redaction() -> None:
    report = fixture("candidate-alice")
    assert len(ALICE.findall(_dump(report))) > 20
    redacted = redact_report(report)
    assert ALICE.findall(_dump(redacted)) == []
    assert redacted.host == {
        "home": "~",
        "user": "<user>",
        "hostname": "<host>",
        "platform": report.host["platform"],
        "redacted": "user name, home folder, host name, GPU identifiers",
    }
    assert redacted.target.python == "~/.cache/tfcert-ci/tf-py311/bin/python"
    disk = next(r for r in redacted.results if r.id == "system.disk")
    assert disk.details["project"]["path"] == "~/PycharmProjects/tf-exam"
    # What the report says about the machine is unchanged.
    assert [(r.id, r.status, r.title) for r in redacted.results] == [
        (r.id, r.status, r.title) for r in report.results
    ]
    assert redacted.verdict == report.verdict
    assert redact_report(redacted) == redacted


def test_windows_paths_in_any_spelling() -> None:
    text = (REPORTS / "candidate-alice.json").read_text("utf-8")
    text = text.replace("/home/alice/.cache", "C:\\\\Users\\\\Alice\\\\.cache")
    text = text.replace("/home/alice/.pyenv", "c:/users/alice/.pyenv")
    text = text.replace("/home/alice", "C:\\\\\\\\Users\\\\\\\\ALICE")  # escaped twice, as in logs
    doc = json.loads(text)
    doc["host"] = {
        "home": "C:\\Users\\Alice",
        "user": "Alice",
        "hostname": "DESKTOP-AB12CD",
        "platform": "Windows-10-10.0.19045-SP0",
    }
    doc["results"][0]["summary"] = "Windows 10 on DESKTOP-AB12CD.corp.example, user alice"
    report = Report.model_validate(doc)
    assert "C:\\Users\\Alice\\.cache" in report.target.python
    redacted = redact_report(report)
    dump = _dump(redacted)
    assert re.findall(r"alice|DESKTOP-AB12CD", dump, re.IGNORECASE) == []
    assert redacted.target.python == "~\\.cache/tfcert-ci/tf-py311/bin/python"
    assert redacted.results[0].summary == "Windows 10 on <host>, user <user>"


def test_gpu_uuids_are_numbered_placeholders() -> None:
    report = fixture("lab-gpu-03")
    dump = _dump(report)
    assert "GPU-b5169cef-2205-c30e-f2b3-220cfa14bafd" in dump
    redacted = redact_report(report)
    dump = _dump(redacted)
    assert re.findall(r"GPU-[0-9a-f]{8}", dump) == []
    for check_id in ("nvidia.driver", "nvidia.compute_capability"):
        gpus = next(r for r in redacted.results if r.id == check_id).details["gpus"]
        assert [g["uuid"] for g in gpus] == ["GPU-<redacted-1>", "GPU-<redacted-2>"]
        assert [g["name"] for g in gpus] == ["NVIDIA TITAN V", "NVIDIA RTX 5880 Ada Generation"]


def test_uuid_in_free_text_and_serial_keys() -> None:
    report = fixture("lab-gpu-03")
    results = list(report.results)
    results[0] = results[0].model_copy(
        update={
            "summary": "GPU 0: NVIDIA TITAN V (UUID: GPU-b5169cef-2205-c30e-f2b3-220cfa14bafd)",
            "details": {
                "board_serial": "1320219031477",
                "mig": "MIG-5b8a0c2e-1d3f-4a6b-9c7e-0f1e2d3c4b5a",
                "gpu_uuid": "unknown-format-123",
            },
        }
    )
    redacted = redact_report(report.model_copy(update={"results": results}))
    first = redacted.results[0]
    assert first.summary == "GPU 0: NVIDIA TITAN V (UUID: GPU-<redacted-1>)"
    assert first.details == {
        "board_serial": "<redacted>",
        "mig": "MIG-<redacted-2>",
        "gpu_uuid": "<redacted>",
    }


def test_placeholders_are_never_rewritten_and_bare_roots_are_kept() -> None:
    report = fixture("lab-pc-01")
    report = report.model_copy(
        update={"host": {"home": "/", "user": "host", "hostname": "user", "platform": "Linux"}}
    )
    results = list(report.results)
    results[0] = results[0].model_copy(update={"summary": "host user /usr/lib user-data"})
    redacted = redact_report(report.model_copy(update={"results": results}))
    assert redacted.results[0].summary == "<user> <host> /usr/lib <host>-data"
    assert redacted.target.python == report.target.python  # "/" was not treated as a home


def test_root_is_nobody_in_particular() -> None:
    """A lab's CI job runs as root: its home is redacted, the account name is left alone."""
    from envcheck.redact import Redactor

    r = Redactor({"home": "/root", "user": "root", "hostname": "lab-pc-07"})
    assert r.text("/root/.pyenv/versions/3.8.18 /tmp/pytest-of-root on lab-pc-07") == (
        "~/.pyenv/versions/3.8.18 /tmp/pytest-of-root on <host>"
    )


@pytest.fixture
def alice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return save(load_report(REPORTS / "candidate-alice.json"), tmp_path / "candidate.json")


@pytest.mark.parametrize(
    ("args", "personal"),
    [
        # Text on a terminal shows the truth (tests/faults/test_output_text.py, with a pty);
        # stdout here is not a terminal, so text is redacted like every other format.
        (["show", "candidate.json"], False),
        (["show", "candidate.json", "--format", "json"], False),  # e.g. `--json > f`
        (["show", "candidate.json", "--format", "json", "--no-redact"], True),
        (["show", "candidate.json", "--format", "json", "-o", "out"], False),
        (["show", "candidate.json", "--format", "json", "-o", "out", "--no-redact"], True),
        (["show", "candidate.json", "--format", "text", "-o", "out"], False),
        (["show", "candidate.json", "--format", "markdown", "-v"], False),
        (["show", "candidate.json", "--format", "markdown", "-v", "--no-redact"], True),
        (["show", "candidate.json", "--format", "junit"], False),
        (["diff", "candidate.json", "candidate.json", "--format", "markdown"], False),
    ],
)
def test_which_outputs_are_redacted(args: list[str], personal: bool, alice: Path) -> None:
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    text = Path("out").read_text("utf-8") if "out" in args else result.stdout
    assert bool(ALICE.search(text)) is personal


def test_a_real_check_written_with_o_names_nobody(tmp_path: Path) -> None:
    """The real system probe on this machine: its home, user and host stay out of -o files."""
    ident = host_identity()
    out = tmp_path / "report.json"
    proc = run_cli(
        "check",
        "--python",
        sys.executable,
        "--only",
        "system",
        "--only",
        "python",
        "--format",
        "json",
        "-o",
        str(out),
        timeout=120,
    )
    assert proc.returncode in (0, 1), proc.stderr
    text = out.read_text("utf-8")
    assert ident["home"] in run_cli(
        "show", str(out), "--format", "json", "--no-redact"
    ).stdout.replace("~", ident["home"])
    assert ident["home"] not in text
    user = ident.get("user")
    for name in (None if user == "root" else user, ident.get("hostname")):
        if name:  # root is nobody in particular (test_root_is_nobody_in_particular)
            assert not re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", text, re.IGNORECASE)
    doc = json.loads(text)
    assert doc["host"]["home"] == "~"
    assert any("~" in json.dumps(r["details"]) for r in doc["results"])

    kept = tmp_path / "kept.json"
    run_cli(
        "check",
        "--python",
        sys.executable,
        "--only",
        "system",
        "--format",
        "json",
        "-o",
        str(kept),
        "--no-redact",
        timeout=120,
    )
    assert json.loads(kept.read_text("utf-8"))["host"]["home"] == ident["home"]
