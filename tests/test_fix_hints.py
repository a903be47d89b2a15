"""Fix hints name the interpreter under test: never a bare `python -m pip` (issue 11).

A bare `python` runs whichever Python the shell finds first, the very
wrong-interpreter trap the tool exists to catch.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from envcheck.shell import pip_install, quote_path
from tests.conftest import FIXTURES
from tests.helpers import json_report, results_by_id, run_cli

GOLDEN = Path(__file__).resolve().parent / "golden"
BARE_PIP = re.compile(r"(?<![\w/\\\"'.~-])python3?(?:\.exe)? -m pip\b")
"""`python -m pip` not preceded by a path: the bare form."""


def _reports() -> list[Path]:
    return sorted((FIXTURES / "reports").glob("*.json"))


def test_the_pattern_tells_bare_from_full_paths() -> None:
    assert BARE_PIP.search("run: python -m pip install x")
    assert BARE_PIP.search("(python3 -m pip install h5py)")
    assert not BARE_PIP.search("run: /home/u/venv/bin/python -m pip install x")
    assert not BARE_PIP.search('& "C:\\Program Files\\Python38\\python.exe" -m pip install x')
    assert not BARE_PIP.search("~/venv/bin/python -m pip install x")


@pytest.mark.parametrize("path", [*_reports(), *sorted(GOLDEN.glob("*.*"))], ids=lambda p: p.name)
def test_no_saved_or_golden_report_says_bare_python_m_pip(path: Path) -> None:
    text = path.read_text("utf-8")
    if path.suffix == ".json":
        text = json.dumps(json.loads(text))  # one line: a hint wrapped in a golden view
    assert not BARE_PIP.search(" ".join(text.split())), path.name


@pytest.mark.slow
def test_a_real_check_names_the_interpreter_and_shows_the_pin_command_once() -> None:
    proc = run_cli(
        "check",
        "--python",
        sys.executable,
        "--no-bench",
        "--json",
        "--no-redact",
        "--only",
        "packages",
        "--only",
        "tensorflow",
        "--only",
        "python",
    )
    report = json_report(proc)
    fixes = [r["fix"] for r in report["results"] if r.get("fix")]
    assert fixes, proc.stderr
    for fix in fixes:
        assert not BARE_PIP.search(fix), fix
    pins = results_by_id(report)["packages.pins"]
    assert pins["status"] == "warning"
    assert f"{quote_path(sys.executable)} -m pip install tensorflow==2.9.0" in pins["fix"]
    assert "tfcert-envcheck setup" in pins["fix"]
    long_command = [f for f in fixes if "tensorflow-metadata==1.9.0" in f]
    assert len(long_command) == 1
    tf = results_by_id(report)["tensorflow.import"]
    if tf.get("fix"):
        assert "shown under Packages" in tf["fix"]


def test_windows_paths_are_quoted_for_powershell() -> None:
    cmd = pip_install(r"C:\Program Files\Python38\python.exe", "h5py", "windows")
    assert cmd == r'& "C:\Program Files\Python38\python.exe" -m pip install h5py'
    plain = pip_install(r"C:\Users\ada\venv\Scripts\python.exe", "h5py", "windows")
    assert plain == r"C:\Users\ada\venv\Scripts\python.exe -m pip install h5py"
    posix = pip_install("/home/a b/venv/bin/python", "h5py", "posix")
    assert posix == "'/home/a b/venv/bin/python' -m pip install h5py"
