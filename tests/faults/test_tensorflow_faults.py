"""Faults of `import tensorflow` in the interpreter under test.

The interpreter is the real one running these tests; a fake `tensorflow` package
from fakes/site_tf_* is put first on its path with PYTHONPATH, so the real probe
imports it in a real process and the real runner classifies what happened.
"""

from __future__ import annotations

import ctypes
import sys
import time
from pathlib import Path

import pytest

from tests.faults.support import assert_problem, assert_scratch_removed, fake_site, run_check

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and loader")

TF_IMPORT = ("--only", "tensorflow.import")


def _check_with(tmp_path: Path, site: str, *args: str) -> dict[str, object]:
    out = run_check(
        tmp_path,
        "--python",
        sys.executable,
        *TF_IMPORT,
        *args,
        env={"PYTHONPATH": fake_site(site)},
    )
    assert out.rc == 1
    assert_scratch_removed(tmp_path)
    return out.result("tensorflow.import")


def test_import_error(tmp_path: Path) -> None:
    result = _check_with(tmp_path, "tf_importerror")
    assert_problem(result, "failure", "importing TensorFlow failed", "pywrap_tensorflow")
    assert "fresh venv" in str(result["fix"])


def test_missing_shared_library(tmp_path: Path) -> None:
    try:
        ctypes.CDLL("libcudart.so.9.0")
    except OSError:
        pass
    else:
        pytest.skip("this machine has CUDA 9's runtime, which the fake expects to be absent")
    result = _check_with(tmp_path, "tf_missing_lib")
    assert_problem(result, "failure", "cannot load libcudart.so.9.0")
    assert "CUDA" in str(result["fix"]) and "tensorflow-cpu" in str(result["fix"])
    assert result["details"]["missing_libraries"] == ["libcudart.so.9.0"]  # type: ignore[index]


def test_import_slower_than_its_limit(tmp_path: Path) -> None:
    started = time.monotonic()
    result = _check_with(tmp_path, "tf_slow", "--timeout-scale", "0.1")
    assert time.monotonic() - started < 30  # 12 s limit, not the fake's 600 s
    assert_problem(result, "error", "did not finish within 12 s")
    assert "--timeout-scale 3" in str(result["fix"])


def test_import_dies_by_sigill(tmp_path: Path) -> None:
    result = _check_with(tmp_path, "tf_sigill")
    assert_problem(result, "failure", "died with SIGILL")
    assert "AVX" in str(result["fix"]) or "instruction" in str(result["fix"])


def test_import_killed_out_of_memory(tmp_path: Path) -> None:
    result = _check_with(tmp_path, "tf_oom")
    assert_problem(result, "failure", "SIGKILL", "out of memory")
    assert "RAM" in str(result["fix"])


def test_crash_after_writing_temp_files_leaves_nothing_behind(tmp_path: Path) -> None:
    """The probe writes to TMPDIR and to its working directory, then dies by SIGKILL."""
    out = run_check(
        tmp_path,
        "--python",
        sys.executable,
        *TF_IMPORT,
        env={"PYTHONPATH": fake_site("tf_crash_tmp")},
    )
    assert_problem(out.result("tensorflow.import"), "failure", "SIGKILL")
    assert list(out.workdir.iterdir()) == []  # the user's folder got no stray file
    assert_scratch_removed(tmp_path)  # the temp file went with the scratch folder
