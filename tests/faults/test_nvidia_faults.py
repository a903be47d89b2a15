"""Faults of the NVIDIA driver, through the real `check --only nvidia`.

The driver is the one thing this machine lacks, so it is faked at its two
boundaries, as the nvidia tests do (tests/_nvidia_fakes.py): an `nvidia-smi`
first on PATH, and a `libnvidia-ml.so.1` on LD_LIBRARY_PATH (the recorded-answer
fake, and here also one whose nvmlInit_v2 crashes). The probe, the runner, the
checks and the CLI are real. The GPU is optional for the exam: a machine without
one is ready; a broken driver is a warning with its fix; an answer nobody can
read is "could not determine", never a guess.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from tests._nvidia_fakes import SMI, fake_nvml, fake_smi, machine_has_nvidia, nvml_env, path_with
from tests.faults.support import FAKES, assert_problem, assert_scratch_removed, run_check

pytestmark = [
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux driver layout"),
    pytest.mark.skipif(machine_has_nvidia(), reason="a real NVIDIA driver is present"),
]
__all__ = ["fake_nvml"]  # the session fixture, used by name below

NVIDIA = ("--only", "nvidia")


def test_no_driver_at_all_is_cpu_only_and_ready(tmp_path: Path) -> None:
    out = run_check(tmp_path, *NVIDIA)
    assert out.rc == 0
    driver = out.result("nvidia.driver")
    assert driver["status"] == "ok"
    assert "CPU-only" in driver["summary"] and "optional" in driver["summary"]


def test_nvidia_smi_prints_an_unexpected_format(tmp_path: Path) -> None:
    smi = fake_smi(tmp_path / "bin", stdout="<html>captive portal</html>\n")
    out = run_check(tmp_path, *NVIDIA, env={"PATH": path_with(smi.parent)})
    assert out.rc == 1
    assert_problem(
        out.result("nvidia.driver"), "error", "could not determine", "unreadable nvidia-smi output"
    )
    assert "state is unknown" in out.result("nvidia.compute_capability")["summary"]


def test_nvidia_smi_fails_with_the_drivers_message(tmp_path: Path) -> None:
    recorded = SMI / "nvidia-smi_error_couldnt-communicate_centos-docker_2018.txt"
    smi = fake_smi(tmp_path / "bin", stdout_file=recorded, exit_code=9)
    out = run_check(tmp_path, *NVIDIA, env={"PATH": path_with(smi.parent)})
    assert out.rc == 0  # a broken optional GPU is a warning, not "not ready"
    driver = out.result("nvidia.driver")
    assert_problem(driver, "warning", "installed but not running", "couldn't communicate")
    assert "Reboot" in driver["fix"]


def test_old_nvidia_smi_without_compute_cap_is_ready(tmp_path: Path) -> None:
    """An nvidia-smi that rejects the compute_cap field (R470 and older, or an old copy
    beside a newer driver) leaves the compute capability unknown: a warning, never
    "not ready", since the GPU is optional."""
    netdata = SMI / "query-gpu_csv-nounits_tesla-p100_netdata.csv"
    smi = fake_smi(tmp_path / "bin", stdout_file=netdata, reject_compute_cap=True)
    out = run_check(tmp_path, *NVIDIA, env={"PATH": path_with(smi.parent)})
    assert out.rc == 0
    cc = out.result("nvidia.compute_capability")
    assert_problem(
        cc,
        "warning",
        "could not determine the GPUs' compute capability",
        "this nvidia-smi cannot report it",
    )
    assert "developer.nvidia.com/cuda-gpus" in cc["fix"]


@pytest.mark.slow
def test_nvidia_smi_hangs(tmp_path: Path) -> None:
    """The probe stops nvidia-smi at its own 10 s limit and says so."""
    smi = fake_smi(tmp_path / "bin", sleep_s=120, stdout="never printed")
    started = time.monotonic()
    out = run_check(tmp_path, *NVIDIA, env={"PATH": path_with(smi.parent)})
    assert time.monotonic() - started < 25
    driver = out.result("nvidia.driver")
    assert driver["status"] in ("warning", "error"), driver
    assert "nvidia-smi did not answer within 10" in driver["summary"]
    assert driver["fix"]
    assert not _still_running(smi)


def test_probe_stopped_while_nvidia_smi_hangs_leaves_no_process(tmp_path: Path) -> None:
    """The probe's own limit (3 s here) ends it and the nvidia-smi it started."""
    smi = fake_smi(tmp_path / "bin", sleep_s=120)
    out = run_check(
        tmp_path, *NVIDIA, "--timeout-scale", "0.1", env={"PATH": path_with(smi.parent)}
    )
    assert out.rc == 1
    assert_problem(out.result("nvidia.driver"), "error", "did not finish within its 3 s limit")
    assert not _still_running(smi)
    assert_scratch_removed(tmp_path)


@pytest.mark.parametrize(
    ("mode", "phrases", "fix"),
    [
        ("unknown", ("fails with an unknown error", "NVML error 999"), "Reboot"),
        ("version_mismatch", ("updated but the old one is still loaded",), "Reboot"),
        ("driver_not_loaded", ("NVML error 9",), "driver"),
    ],
)
def test_nvml_reports_an_error(
    tmp_path: Path, fake_nvml: Path, mode: str, phrases: tuple[str, ...], fix: str
) -> None:
    out = run_check(tmp_path, *NVIDIA, env=nvml_env(fake_nvml, mode))
    assert out.rc == 0
    driver = out.result("nvidia.driver")
    assert_problem(driver, "warning", *phrases)
    assert fix in driver["fix"]


def test_nvml_crashes_the_probe(tmp_path: Path) -> None:
    """nvmlInit_v2 itself dies (SIGSEGV): an error naming the crash and the driver."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        pytest.skip("no C compiler for the crashing libnvidia-ml.so.1")
    lib = tmp_path / "lib"
    lib.mkdir()
    subprocess.run(
        [
            compiler,
            "-shared",
            "-fPIC",
            "-Wall",
            "-Werror",
            "-o",
            str(lib / "libnvidia-ml.so.1"),
            str(FAKES / "crashing_nvml.c"),
        ],
        check=True,
        capture_output=True,
    )
    out = run_check(tmp_path, *NVIDIA, env={"LD_LIBRARY_PATH": str(lib)})
    assert out.rc == 1
    driver = out.result("nvidia.driver")
    assert_problem(driver, "error", "could not determine", "SIGSEGV")
    assert "NVIDIA driver" in driver["fix"]
    assert "optional" in driver["fix"]


def test_driver_present_without_a_gpu(tmp_path: Path, fake_nvml: Path) -> None:
    out = run_check(tmp_path, *NVIDIA, env=nvml_env(fake_nvml, "no_devices"))
    assert out.rc == 0
    driver = out.result("nvidia.driver")
    assert driver["status"] == "ok"
    assert "installed but lists no GPU" in driver["summary"]
    assert all(r["status"] == "skipped" for i, r in out.results.items() if i != "nvidia.driver")


def _still_running(script: Path) -> bool:
    for proc in psutil.process_iter(["cmdline"]):
        cmdline = proc.info.get("cmdline") or []
        if any(str(script) == part for part in cmdline):
            try:
                if proc.status() != psutil.STATUS_ZOMBIE:
                    return True
            except psutil.Error:
                continue
    return False
