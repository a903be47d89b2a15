"""Facts a report cannot carry as they are: the check errs with the cause, the report is written.

A fake interpreter runs the real probe and changes one fact of its answer
(fakes/mutate_facts.py): an `Infinity`, a value of the wrong type, text that
is not valid UTF-8, a nesting deeper than any serialiser allows. And a real
venv in a folder whose name is not UTF-8. Before, each ended in exit 3 with
no report.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.faults.support import Outcome, assert_problem, fake_python, run_check

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="fakes are POSIX sh wrappers")

PYTHON_ONLY = ("--only", "python")


def _mutated(tmp_path: Path, **spec: object) -> tuple[Outcome, str]:
    spec.setdefault("probe", "python")
    out = run_check(
        tmp_path,
        "--python",
        str(fake_python(tmp_path, "mutate_facts")),
        *PYTHON_ONLY,
        env={"FAKE_MUTATE": json.dumps(spec)},
    )
    assert out.rc == 1, out.proc.stderr
    return out, (tmp_path / "report.json").read_text(encoding="utf-8")


def test_a_version_of_infinity(tmp_path: Path) -> None:
    out, _ = _mutated(tmp_path, path=["identity", "version"], raw="Infinity")
    assert_problem(out.result("python.interpreter"), "error", "could not determine", "Infinity")


def test_a_fact_of_the_wrong_type(tmp_path: Path) -> None:
    out, _ = _mutated(tmp_path, path=["identity", "executable"], value=["not", "a", "path"])
    result = out.result("python.interpreter")
    assert_problem(result, "error", "unexpected type", "['not', 'a', 'path']")


@pytest.mark.parametrize(
    ("raw", "shown"),
    [(r'"/opt/\udcff/bin/python"', r"/opt/\\xff/bin/python"), (r'"/opt/\ud800"', r"/opt/\\ud800")],
    ids=["not-utf8-byte", "lone-surrogate"],
)
def test_text_that_is_not_utf8(tmp_path: Path, raw: str, shown: str) -> None:
    _, report = _mutated(tmp_path, path=["identity", "executable"], raw=raw)
    assert shown in report  # kept, escaped, in the report's facts


def test_facts_nested_too_deep_for_a_report(tmp_path: Path) -> None:
    out, _ = _mutated(tmp_path, path=["venv"], value=1, depth=600)
    assert_problem(out.result("python.interpreter"), "error", "nested deeper than 64 levels")


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS file names must be UTF-8")
def test_a_venv_in_a_folder_whose_name_is_not_utf8(tmp_path: Path) -> None:
    made = tmp_path / "v"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(made)], check=True)
    parent = os.fsencode(tmp_path) + b"/caf\xe9"
    os.mkdir(parent)
    os.rename(os.fsencode(made), parent + b"/venv")
    python = os.fsdecode(parent + b"/venv/bin/python")
    out = run_check(tmp_path, "--python", python, *PYTHON_ONLY)
    assert out.report["target"]["python"].endswith("/caf\\xe9/venv/bin/python")
    interp = out.result("python.interpreter")
    assert interp["status"] == "ok", interp
    assert "caf\\xe9" in interp["summary"]


def test_bits_reported_as_text_is_not_a_32_bit_python(tmp_path: Path) -> None:
    """`identity.bits` as "64" once made python.bits say "TensorFlow has no wheels for it"."""
    out, _ = _mutated(tmp_path, path=["identity", "bits"], value="64")
    result = out.result("python.bits")
    assert_problem(
        result,
        "error",
        "could not determine",
        "the python probe reported identity.bits as '64', not an integer",
    )
    assert "no wheels" not in result["summary"]
