"""The real `check` command against real interpreters found on this machine."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from envcheck.probing.registry import PROBES
from tests.conftest import pyenv_python
from tests.helpers import json_report, results_by_id, run_cli

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def venv_without_tensorflow(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv of another pyenv CPython, with pip but no TensorFlow."""
    for version in ("3.12", "3.9", "3.10", "3.13"):
        base = pyenv_python(version)
        if base is not None and Path(base).resolve() != Path(sys.executable).resolve():
            break
    else:
        pytest.skip("no other pyenv CPython 3.9-3.13 on this machine")
    venv = tmp_path_factory.mktemp("venv") / "no-tf"
    subprocess.run([str(base), "-m", "venv", str(venv)], check=True, timeout=180)
    return venv / "bin" / "python"


@pytest.mark.tensorflow
def test_exam_environment_is_ready(exam_python: Path) -> None:
    proc = run_cli("check", "--python", str(exam_python), "--format", "json", "--skip", "benchmark")
    report = json_report(proc)
    assert "Traceback" not in proc.stderr
    results = results_by_id(report)
    assert report["schema_version"] == 2
    assert {"python", "system", "tensorflow"} <= set(report["facts"]["probes"]) <= set(PROBES)
    assert report["target"]["how_chosen"] == "--python"
    assert results["python.version"]["status"] == "ok"
    assert results["python.version"]["observed"].startswith("3.8.")
    assert results["tensorflow.import"]["status"] == "ok"
    assert results["tensorflow.version"]["observed"] == "2.9.0"
    assert results["tensorflow.version"]["status"] == "ok"
    assert results["tensorflow.keras"]["status"] == "ok"
    assert results["tensorflow.keras"]["observed"].startswith("Keras 2.9")
    assert results["tensorflow.python_range"]["status"] == "ok"
    assert results["packages.tensorflow_distributions"]["observed"] == "tensorflow 2.9.0"
    assert results["packages.installable"]["status"] == "ok"
    # tensorflow 2.9.0's Linux wheel is a CUDA build (tf.sysconfig.get_build_info(), measured).
    assert results["tensorflow.build"]["observed"] == "CUDA 11.2, cuDNN 8"
    failing = [r["id"] for r in report["results"] if r["status"] in ("failure", "error")]
    assert report["verdict"]["ready"] is (not failing)
    assert proc.returncode == (1 if failing else 0)


@pytest.mark.tensorflow
def test_current_tensorflow_is_not_the_exam_one(tf_python: Path) -> None:
    proc = run_cli("check", "--python", str(tf_python), "--json", "--skip", "benchmark")
    assert proc.returncode == 1
    results = results_by_id(json_report(proc))
    assert results["tensorflow.import"]["status"] == "ok"
    assert results["tensorflow.version"]["status"] == "failure"
    assert results["tensorflow.version"]["observed"].startswith("2.")
    assert "tensorflow==2.9.0" in results["tensorflow.version"]["summary"]
    assert results["tensorflow.keras"]["status"] == "warning"
    assert results["python.version"]["status"] == "failure"
    assert results["packages.installable"]["status"] == "failure"
    assert results["tensorflow.build"]["observed"] == "CPU-only build"


def test_interpreter_without_tensorflow(venv_without_tensorflow: Path) -> None:
    proc = run_cli("check", "--python", str(venv_without_tensorflow), "--skip", "benchmark")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "TensorFlow is not installed in this interpreter" in proc.stdout
    assert "pip install tensorflow==2.9.0" in " ".join(proc.stdout.split())  # wrapped to width
    assert proc.stdout.rstrip().splitlines()[-1].startswith("Not ready:")

    as_json = run_cli(
        "check",
        "--python",
        str(venv_without_tensorflow),
        "--json",
        "--only",
        "tensorflow",
        "--only",
        "python.venv",
    )
    results = results_by_id(json_report(as_json))
    assert results["tensorflow.import"]["status"] == "failure"
    assert results["tensorflow.version"]["status"] == "skipped"
    assert "because TensorFlow imports failed" in results["tensorflow.version"]["summary"]
    assert results["python.venv"]["status"] == "ok"
    assert results["python.venv"]["observed"].startswith("venv on ")


def test_json_goes_to_stdout_alone(venv_without_tensorflow: Path) -> None:
    proc = run_cli(
        "check", "--python", str(venv_without_tensorflow), "--format", "json", "--only", "python"
    )
    doc = json.loads(proc.stdout)  # nothing but the document on stdout
    assert set(doc["verdict"]) >= {"ready", "headline", "exit_code", "counts"}
    assert doc["verdict"]["exit_code"] == proc.returncode
    assert [c["key"] for c in doc["categories"]] == ["python"]


def test_text_output_has_no_escape_sequences_when_piped(venv_without_tensorflow: Path) -> None:
    proc = run_cli(
        "check",
        "--python",
        str(venv_without_tensorflow),
        "--only",
        "python",
        env={"NO_COLOR": "", "FORCE_COLOR": ""},
    )
    assert "\x1b[" not in proc.stdout
    assert "\x1b[" not in proc.stderr
    assert "[✓] Python" in proc.stdout or "[✗] Python" in proc.stdout


def test_verbose_lists_every_check_with_timing(venv_without_tensorflow: Path) -> None:
    proc = run_cli("check", "-v", "--python", str(venv_without_tensorflow), "--only", "python")
    for title in (
        "Interpreter under test",
        "Python version",
        "64-bit interpreter",
        "Where Python came from",
        "Virtual environment",
    ):
        assert title in proc.stdout
    assert " s)" in proc.stdout


def test_strict_turns_warnings_into_not_ready(venv_without_tensorflow: Path) -> None:
    # The pins differ in a fresh venv: a warning, which --strict makes fatal.
    plain = run_cli(
        "check", "--python", str(venv_without_tensorflow), "--json", "--only", "packages.pins"
    )
    assert results_by_id(json_report(plain))["packages.pins"]["status"] == "warning"
    assert plain.returncode == 0
    strict = run_cli(
        "check",
        "--python",
        str(venv_without_tensorflow),
        "--json",
        "--strict",
        "--only",
        "packages.pins",
    )
    assert strict.returncode == 1
    assert json_report(strict)["verdict"]["headline"].startswith("Not ready: 1 problem")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--profile", "exam-1999"), "unknown profile 'exam-1999'"),
        (("--only", "gpus"), "no check or category named 'gpus'"),
        (("--timeout-scale", "0"), "Invalid value for '--timeout-scale'"),
        (("--format", "yaml"), "Invalid value for '--format'"),
    ],
)
def test_usage_errors_exit_2_with_one_message(args: tuple[str, ...], message: str) -> None:
    proc = run_cli("check", *args)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_help_documents_exit_codes_and_never_imports_tensorflow() -> None:
    proc = run_cli("--help")
    assert proc.returncode == 0
    assert "Exit codes:" in proc.stdout and "130 interrupted" in proc.stdout
    code = (
        "import sys, runpy; sys.argv=['tfcert-envcheck','check','--help'];"
        "from envcheck.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('tensorflow', 'keras', 'numpy') if m in sys.modules]\n"
        "assert not heavy, heavy"
    )
    check = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert check.returncode == 0, check.stderr
    assert "--python PATH" in check.stdout


def test_list_names_every_check() -> None:
    proc = run_cli("list")
    ids = [line.split()[0] for line in proc.stdout.splitlines()]
    assert {"python.version", "tensorflow.import", "packages.pins", "system.cpu"} <= set(ids)
    assert len(ids) == len(set(ids))
