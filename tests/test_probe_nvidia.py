"""The real `nvidia` probe, run by the real runner in this interpreter.

This machine has no NVIDIA driver: first the probe must say so; then a fake
`nvidia-smi` first on PATH prints recorded outputs (or hangs), and a fake
libnvidia-ml.so.1 on LD_LIBRARY_PATH answers NVML calls.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from envcheck import gpu
from envcheck.gpu import DriverState
from tests._nvidia_fakes import (
    NO_COMPUTE_CAP,
    SMI,
    fake_nvml,
    fake_smi,
    machine_has_nvidia,
    nvml_env,
    path_with,
    run_nvidia_probe,
    run_smi_only,
    smi_calls,
)

__all__ = ["fake_nvml"]  # a pytest fixture, used by name


def test_this_machine_has_no_driver() -> None:
    if machine_has_nvidia():
        pytest.skip("this machine has an NVIDIA driver")
    run = run_nvidia_probe()
    assert run.outcome == "ok", run.message
    nvml = run.facts["nvml"]
    assert nvml["status"] == "library_not_found"
    assert nvml["tried"][0]["path"] == "libnvidia-ml.so.1"
    assert "libnvidia-ml.so.1" in nvml["tried"][0]["error"]
    assert run.facts["nvidia_smi"]["found"] is False
    info = gpu.interpret(run.facts)
    assert info.state is DriverState.NOT_INSTALLED and info.gpus == ()


# (fixture, exit code, expected state). Exit codes: nvidia-smi(1) RETURN VALUE lists 9 for
# "driver not loaded", 12 for "NVML shared library couldn't be found", 255 for other errors.
RECORDED = [
    (
        "nvidia-smi_error_couldnt-communicate_centos-docker_2018.txt",
        9,
        DriverState.CANNOT_COMMUNICATE,
    ),
    (
        "nvidia-smi_error_couldnt-communicate_wsl2_plus-nvml-shutdown.txt",
        9,
        DriverState.CANNOT_COMMUNICATE,
    ),
    ("nvidia-smi_error_libnvidia-ml-not-found_docker.txt", 12, DriverState.LIBRARY_NOT_FOUND),
    (
        "nvidia-smi_error_nvml-unknown-error_docker-510.68.02.txt",
        255,
        DriverState.NVML_UNKNOWN_ERROR,
    ),
    ("nvidia-smi_error_version-mismatch_nvml-550.144.txt", 255, DriverState.VERSION_MISMATCH),
    ("nvidia-smi_error_version-mismatch_nvml-570.124.txt", 255, DriverState.VERSION_MISMATCH),
    ("query-gpu_595.71.05_rtx4080super_fedora_full.csv", 0, DriverState.READY),
    (
        "query-gpu_570.86.15_compute_cap-compute_mode-driver_version-name-index.csv",
        0,
        DriverState.READY,
    ),
    ("query-gpu_csv-nounits_tesla-p100_netdata.csv", 0, DriverState.READY),
]


@pytest.mark.parametrize(("fixture", "code", "state"), RECORDED)
def test_fake_nvidia_smi_output_is_recorded_verbatim(
    tmp_path: Path, fixture: str, code: int, state: DriverState
) -> None:
    fake_smi(tmp_path / "bin", stdout_file=SMI / fixture, exit_code=code)
    run = run_smi_only(tmp_path / "bin")
    assert run.outcome == "ok", run.message
    section = run.facts["nvidia_smi"]
    assert section["found"] is True and section["path"] == str(tmp_path / "bin" / "nvidia-smi")
    [attempt] = section["attempts"]
    assert attempt["stdout"] == (SMI / fixture).read_text(encoding="utf-8")
    assert attempt["returncode"] == code and attempt["timed_out"] is False
    assert smi_calls(tmp_path / "bin") == [
        [
            "--query-gpu=index,name,uuid,driver_version,memory.total,compute_cap",
            "--format=csv,nounits",
        ]
    ]
    info = gpu.interpret(run.facts)
    assert info.state is state
    if state is DriverState.READY:
        assert info.source == "nvidia-smi" and info.gpus
    else:
        assert info.message == gpu.first_line((SMI / fixture).read_text(encoding="utf-8"))


def test_stderr_is_kept_apart(tmp_path: Path) -> None:
    fake_smi(tmp_path / "bin", stderr="Failed to initialize NVML: Unknown Error\n", exit_code=255)
    run = run_smi_only(tmp_path / "bin")
    [attempt] = run.facts["nvidia_smi"]["attempts"]
    assert attempt["stdout"] == ""
    assert attempt["stderr"] == "Failed to initialize NVML: Unknown Error\n"
    assert gpu.interpret(run.facts).state is DriverState.NVML_UNKNOWN_ERROR


def test_old_nvidia_smi_is_asked_again_without_compute_cap(tmp_path: Path) -> None:
    netdata = SMI / "query-gpu_csv-nounits_tesla-p100_netdata.csv"
    fake_smi(tmp_path / "bin", stdout_file=netdata, reject_compute_cap=True)
    run = run_smi_only(tmp_path / "bin")
    first, second = run.facts["nvidia_smi"]["attempts"]
    assert first["returncode"] == 2 and first["stdout"] == NO_COMPUTE_CAP
    assert smi_calls(tmp_path / "bin") == [
        [
            "--query-gpu=index,name,uuid,driver_version,memory.total,compute_cap",
            "--format=csv,nounits",
        ],
        ["--query-gpu=index,name,uuid,driver_version,memory.total", "--format=csv,nounits"],
    ]
    assert second["returncode"] == 0
    info = gpu.interpret(run.facts)
    assert info.state is DriverState.READY
    assert info.gpus[0].name == "Tesla P100-PCIE-16GB"


def test_a_hanging_nvidia_smi_is_stopped(tmp_path: Path) -> None:
    fake_smi(tmp_path / "bin", sleep_s=60, stdout="never printed")
    started = time.monotonic()
    run = run_smi_only(tmp_path / "bin", nvidia_smi_timeout_s=1)
    elapsed = time.monotonic() - started
    assert run.outcome == "ok", run.message  # the probe itself finished
    assert elapsed < 15
    [attempt] = run.facts["nvidia_smi"]["attempts"]
    assert attempt["timed_out"] is True and attempt["timeout_s"] == 1
    assert "never printed" not in attempt["stdout"]
    info = gpu.interpret(run.facts)
    assert info.state is DriverState.TIMED_OUT
    assert info.message == "nvidia-smi did not answer within 1.0 s"


def test_fake_nvml_two_gpus(fake_nvml: Path) -> None:
    run = run_nvidia_probe(env=nvml_env(fake_nvml))
    assert run.outcome == "ok", run.message
    nvml = run.facts["nvml"]
    assert nvml["status"] == "ok" and nvml["errors"] == {}
    assert (nvml["driver_version"], nvml["cuda_driver_version"]) == ("570.86.15", 12080)
    assert [d["compute_capability"] for d in nvml["devices"]] == [[7, 0], [8, 9]]
    info = gpu.interpret(run.facts)
    assert info.state is DriverState.READY and info.source == "NVML"
    assert info.cuda_version == "12.8"
    assert [(g.name, g.uuid, g.memory_mib, g.compute_capability) for g in info.gpus] == [
        ("NVIDIA TITAN V", "GPU-b5169cef-2205-c30e-f2b3-220cfa14bafd", 12288, (7, 0)),
        (
            "NVIDIA RTX 5880 Ada Generation",
            "GPU-7518f6b0-991f-ce2b-3d37-c779130d3137",
            49152,
            (8, 9),
        ),
    ]


@pytest.mark.parametrize(
    ("mode", "code", "words", "state"),
    [
        ("driver_not_loaded", 9, "Driver Not Loaded", DriverState.CANNOT_COMMUNICATE),
        (
            "version_mismatch",
            18,
            "RM has detected an NVML/RM version mismatch.",
            DriverState.VERSION_MISMATCH,
        ),
        ("unknown", 999, "Unknown Error", DriverState.NVML_UNKNOWN_ERROR),
    ],
)
def test_fake_nvml_init_failures_keep_code_and_error_string(
    fake_nvml: Path, mode: str, code: int, words: str, state: DriverState
) -> None:
    run = run_nvidia_probe(env=nvml_env(fake_nvml, mode))
    nvml = run.facts["nvml"]
    assert nvml["status"] == "init_failed"
    assert nvml["init"] == {"function": "nvmlInit_v2", "code": code, "error": words}
    info = gpu.interpret(run.facts)
    assert info.state is state and words in info.message


def test_fake_nvml_without_devices_and_with_a_failing_call(fake_nvml: Path) -> None:
    run = run_nvidia_probe(env=nvml_env(fake_nvml, "no_devices"))
    assert run.facts["nvml"]["device_count"] == 0
    assert gpu.interpret(run.facts).state is DriverState.NO_GPU

    run = run_nvidia_probe(env=nvml_env(fake_nvml, "memory_error"))
    second = run.facts["nvml"]["devices"][1]
    assert "memory_total_bytes" not in second
    assert second["errors"]["memory"] == {
        "function": "nvmlDeviceGetMemoryInfo",
        "code": 3,
        "error": "Not Supported",
    }
    info = gpu.interpret(run.facts)
    assert info.state is DriverState.READY and info.gpus[1].memory_mib is None
    assert info.notes == ("GPU 1: no memory (NVML: Not Supported)",)


def test_nvml_answers_and_nvidia_smi_broken_both_recorded(fake_nvml: Path, tmp_path: Path) -> None:
    mismatch = SMI / "nvidia-smi_error_version-mismatch_nvml-570.124.txt"
    fake_smi(tmp_path / "bin", stdout_file=mismatch, exit_code=255)
    env = {**nvml_env(fake_nvml), "PATH": path_with(tmp_path / "bin"), "CUDA_VISIBLE_DEVICES": "-1"}
    run = run_nvidia_probe(env=env)
    assert run.facts["nvml"]["status"] == "ok"
    assert run.facts["nvidia_smi"]["attempts"][0]["returncode"] == 255
    assert run.facts["environment"] == {"CUDA_VISIBLE_DEVICES": "-1"}
    assert gpu.interpret(run.facts).state is DriverState.READY  # NVML is believed first
