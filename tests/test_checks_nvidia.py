"""The nvidia.* checks from recorded facts: GPUs, drivers and OSes this machine lacks.

NVIDIA facts come from the real `nvidia` probe run against a fake nvidia-smi
or a fake libnvidia-ml.so.1 (tests/_nvidia_fakes.py); TensorFlow and system
facts are recorded values (build info and logs from tests/fixtures/tensorflow).
The last tests import real TensorFlow in the cached test environments.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from packaging.version import Version

from envcheck.checks import nvidia, nvidia_cuda, nvidia_fixes, nvidia_tf
from envcheck.checks.base import Context
from envcheck.checks.registry import all_checks
from envcheck.matrix import load_matrix
from envcheck.pipeline import execute
from envcheck.probing import interpreter as interp
from envcheck.probing.models import TfVersions
from envcheck.probing.runner import ProbeOutcome, ProbeRun
from envcheck.results import CheckResult, Status
from tests._nvidia_fakes import (
    SMI,
    TF_LOGS,
    fake_nvml,
    fake_smi,
    machine_has_nvidia,
    nvml_env,
    run_nvidia_probe,
    run_smi_only,
)
from tests.helpers import recorded_context

__all__ = ["fake_nvml"]  # a pytest fixture, used by name

MATRIX = load_matrix()
IDS = [
    "nvidia.driver",
    "nvidia.driver_version",
    "nvidia.compute_capability",
    "nvidia.tensorflow_gpu",
]

LINUX = {"system": "Linux", "release": "6.1", "machine": "x86_64", "wsl": False}
WSL = {**LINUX, "release": "5.15.153.1-microsoft-standard-WSL2", "wsl": True}
WINDOWS = {"system": "Windows", "release": "10", "machine": "AMD64"}


def build_info(fixture: str) -> dict[str, Any]:
    """get_build_info() as printed in a recorded log (an OrderedDict repr)."""
    text = (TF_LOGS / fixture).read_text(encoding="utf-8")
    start = text.index("OrderedDict(") + len("OrderedDict(")
    return dict(ast.literal_eval(text[start : text.rindex(")")]))


TF26_CUDA = build_info("tf_build-info_2.6.0_conda-forge_cuda11.2_pprint.txt")
TF212_NGC = build_info("tf_build-info_2.12.0_ngc-23.05_cuda12.1_with-container-banner.txt")
CPU_ONLY = {"is_cuda_build": False, "is_rocm_build": False, "is_tensorrt_build": False}


def tf_facts(version: str, info: dict[str, Any], gpus: int = 0) -> dict[str, Any]:
    return {
        "versions": {"tensorflow": version, "keras": version, "keras_source": "keras"},
        "build": {"is_built_with_cuda": bool(info.get("is_cuda_build")), "build_info": info},
        "devices": {
            "gpus": [
                {"name": f"/physical_device:GPU:{i}", "device_type": "GPU"} for i in range(gpus)
            ],
            "cpus": ["/physical_device:CPU:0"],
        },
        "python": [3, 8, 10],
    }


def context(
    nvidia_facts: dict[str, Any],
    *,
    os_info: dict[str, Any] | None = None,
    tf: dict[str, Any] | None = None,
    tf_log: str = "",
) -> Context:
    ctx = recorded_context({"nvidia": nvidia_facts, "system": {"os": os_info or LINUX}})
    if tf is not None:
        ctx.record(ProbeRun("tensorflow", "/fake/python", ProbeOutcome.OK, tf, stderr_tail=tf_log))
    else:
        ctx.record(
            ProbeRun(
                "tensorflow",
                "/fake/python",
                ProbeOutcome.EXIT,
                returncode=1,
                message="probe 'tensorflow' exited with code 1",
            )
        )
    return ctx


def run(ctx: Context, check_id: str) -> CheckResult:
    return execute(next(c for c in nvidia.CHECKS if c.id == check_id), ctx)


def results(ctx: Context) -> dict[str, CheckResult]:
    return {i: run(ctx, i) for i in IDS}


@pytest.fixture
def two_gpus(fake_nvml: Path) -> dict[str, Any]:
    """Driver 570.86.15 (CUDA 12.8), a TITAN V (7.0) and an RTX 5880 Ada (8.9), via NVML."""
    return run_nvidia_probe(env=nvml_env(fake_nvml)).facts


def nvml_facts(lib: Path, mode: str = "ok", **overrides: str) -> dict[str, Any]:
    return run_nvidia_probe(env=nvml_env(lib, mode, **overrides)).facts


def smi_facts(tmp_path: Path, fixture: str, code: int) -> dict[str, Any]:
    fake_smi(tmp_path / "bin", stdout_file=SMI / fixture, exit_code=code)
    return run_smi_only(tmp_path / "bin").facts


def test_registered_in_report_order() -> None:
    ids = [c.id for c in all_checks()]
    assert [i for i in ids if i.startswith("nvidia.")] == IDS
    assert next(c for c in nvidia.CHECKS if c.id == "nvidia.driver").owns == ("nvidia",)


def test_no_driver_is_cpu_only_and_never_a_problem() -> None:
    if machine_has_nvidia():
        pytest.skip("this machine has an NVIDIA driver")
    ctx = context(run_nvidia_probe().facts, tf=tf_facts("2.9.0", TF26_CUDA))
    res = results(ctx)
    assert res["nvidia.driver"].status is Status.OK
    assert res["nvidia.driver"].summary == (
        "CPU-only: no NVIDIA GPU; the GPU is optional for the exam"
    )
    assert res["nvidia.driver"].source == nvidia.OPTIONAL_SOURCE
    for check_id in IDS[1:]:
        assert res[check_id].status is Status.SKIPPED
        assert "no NVIDIA GPU" in res[check_id].summary


def test_working_driver_lists_gpus_with_uuids(two_gpus: dict[str, Any]) -> None:
    ctx = context(two_gpus, tf=tf_facts("2.6.0", TF26_CUDA, gpus=2))
    res = run(ctx, "nvidia.driver")
    assert res.status is Status.OK
    assert res.summary == (
        "NVIDIA driver 570.86.15, supports CUDA 12.8; 2 GPUs: NVIDIA TITAN V (12 GiB, compute "
        "capability 7.0); NVIDIA RTX 5880 Ada Generation (48 GiB, compute capability 8.9)"
    )
    assert [g["uuid"] for g in res.details["gpus"]] == [
        "GPU-b5169cef-2205-c30e-f2b3-220cfa14bafd",
        "GPU-7518f6b0-991f-ce2b-3d37-c779130d3137",
    ]
    assert ctx.shared["nvidia"]["state"] == "ready"  # kept for the report's facts
    tf = run(ctx, "nvidia.tensorflow_gpu")
    assert tf.status is Status.OK
    assert tf.summary == "TensorFlow sees 2 GPUs: /physical_device:GPU:0, /physical_device:GPU:1"


@pytest.mark.parametrize(
    ("fixture", "code", "os_info", "in_fix"),
    [
        (
            "nvidia-smi_error_couldnt-communicate_centos-docker_2018.txt",
            9,
            LINUX,
            "lsmod | grep nvidia",
        ),
        (
            "nvidia-smi_error_couldnt-communicate_wsl2_plus-nvml-shutdown.txt",
            9,
            WSL,
            "wsl --shutdown",
        ),
        (
            "nvidia-smi_error_couldnt-communicate_centos-docker_2018.txt",
            9,
            WINDOWS,
            "reinstall the driver from nvidia.com",
        ),
        (
            "nvidia-smi_error_version-mismatch_nvml-550.144.txt",
            255,
            LINUX,
            "Reboot, so that the kernel loads the updated driver",
        ),
        ("nvidia-smi_error_libnvidia-ml-not-found_docker.txt", 12, LINUX, "--gpus all"),
        (
            "nvidia-smi_error_nvml-unknown-error_docker-510.68.02.txt",
            255,
            LINUX,
            "restart the container",
        ),
    ],
)
def test_installed_but_broken_driver_is_a_warning_with_its_fix(
    tmp_path: Path, fixture: str, code: int, os_info: dict[str, Any], in_fix: str
) -> None:
    ctx = context(
        smi_facts(tmp_path, fixture, code), os_info=os_info, tf=tf_facts("2.9.0", TF26_CUDA)
    )
    res = results(ctx)
    driver = res["nvidia.driver"]
    assert driver.status is Status.WARNING
    first = (SMI / fixture).read_text(encoding="utf-8").strip().splitlines()[0].strip()
    assert driver.observed == first
    assert f"(nvidia-smi: {first})" in driver.summary
    assert driver.fix is not None and in_fix in driver.fix
    assert "the GPU is optional for the exam" in driver.fix
    for check_id in IDS[1:]:
        assert res[check_id].status is Status.SKIPPED
        assert "not working (see nvidia.driver)" in res[check_id].summary


def test_broken_driver_seen_through_nvml(fake_nvml: Path) -> None:
    ctx = context(nvml_facts(fake_nvml, "version_mismatch"))
    res = run(ctx, "nvidia.driver")
    assert res.status is Status.WARNING
    assert res.summary == (
        "the NVIDIA driver was updated but the old one is still loaded "
        "(NVML: NVML error 18: RM has detected an NVML/RM version mismatch.)"
    )


def test_driver_without_gpu_is_fine(fake_nvml: Path) -> None:
    ctx = context(nvml_facts(fake_nvml, "no_devices"), tf=tf_facts("2.9.0", TF26_CUDA))
    res = results(ctx)
    assert res["nvidia.driver"].status is Status.OK
    assert "570.86.15 is installed but lists no GPU" in res["nvidia.driver"].summary
    assert all(res[i].status is Status.SKIPPED for i in IDS[1:])


def test_unreadable_answer_is_an_error_not_a_guess(tmp_path: Path) -> None:
    fake_smi(tmp_path / "bin", stdout="<html>captive portal</html>\n")
    ctx = context(run_smi_only(tmp_path / "bin").facts)
    res = run(ctx, "nvidia.driver")
    assert res.status is Status.ERROR
    assert res.summary.startswith("could not determine the NVIDIA driver's state: unreadable")
    assert "state is unknown" in run(ctx, "nvidia.compute_capability").summary


def test_probe_that_died_is_reported_by_the_driver_check_only() -> None:
    ctx = context({}, tf=tf_facts("2.9.0", TF26_CUDA))
    ctx.record(
        ProbeRun(
            "nvidia",
            "/usr/bin/python3",
            ProbeOutcome.TIMEOUT,
            timeout_s=30,
            message="probe 'nvidia' did not finish within its 30 s limit",
        )
    )
    res = results(ctx)
    assert res["nvidia.driver"].status is Status.ERROR
    assert "did not finish within its 30 s limit" in res["nvidia.driver"].summary
    assert all(res[i].status is Status.SKIPPED for i in IDS[1:])


# --- driver version against TensorFlow's CUDA ----------------------------------------------


@pytest.mark.parametrize(
    ("driver", "os_info", "tf", "status", "expected"),
    [
        ("570.86.15", LINUX, ("2.6.0", TF26_CUDA), Status.OK, ">= 450.80.02 (CUDA 11.2, Linux)"),
        # TensorFlow's install guide of the TF 2.5-2.11 era: "CUDA 11.2 requires 450.80.02 or
        # higher" (CUDA minor-version compatibility), not the 11.2 toolkit's own 460.27.03.
        ("450.80.02", LINUX, ("2.6.0", TF26_CUDA), Status.OK, ">= 450.80.02 (CUDA 11.2, Linux)"),
        ("455.45.01", LINUX, ("2.9.0", TF26_CUDA), Status.OK, ">= 450.80.02 (CUDA 11.2, Linux)"),
        ("450.66", LINUX, ("2.6.0", TF26_CUDA), Status.WARNING, ">= 450.80.02 (CUDA 11.2, Linux)"),
        ("527.41", LINUX, ("2.12.0", TF212_NGC), Status.OK, ">= 525.60.13 (CUDA 12.1, Linux)"),
        (
            "527.41",
            WSL,
            ("2.12.0", TF212_NGC),
            Status.WARNING,
            ">= 528.33 (CUDA 12.1, WSL2 (Windows driver))",
        ),
        # Windows builds write CUDA as "64_112" (tensorflow#6047, cuda_configure.bzl).
        (
            "460.89",
            WINDOWS,
            ("2.9.0", {**TF26_CUDA, "cuda_version": "64_112"}),
            Status.OK,
            ">= 452.39 (CUDA 11.2, Windows)",
        ),
        (
            "452.39",
            WINDOWS,
            ("2.9.0", {**TF26_CUDA, "cuda_version": "64_112"}),
            Status.OK,
            ">= 452.39 (CUDA 11.2, Windows)",
        ),
        (
            "452.06",
            WINDOWS,
            ("2.9.0", {**TF26_CUDA, "cuda_version": "64_112"}),
            Status.WARNING,
            ">= 452.39 (CUDA 11.2, Windows)",
        ),
        # TF 2.4: CUDA 11.0 GA's own driver (NVIDIA's table), not the 11.0.1 RC's 450.36.06.
        (
            "450.36.06",
            LINUX,
            ("2.4.1", {**TF26_CUDA, "cuda_version": "11.0"}),
            Status.WARNING,
            ">= 450.51.05 (CUDA 11.0, Linux)",
        ),
        (
            "451.48",
            WINDOWS,
            ("2.4.1", {**TF26_CUDA, "cuda_version": "64_110"}),
            Status.OK,
            ">= 451.48 (CUDA 11.0, Windows)",
        ),
        # TF 2.3 (the Dec 2020 guide's pin) was built with CUDA 10.1.
        (
            "418.39",
            LINUX,
            ("2.3.0", {**TF26_CUDA, "cuda_version": "10.1"}),
            Status.OK,
            ">= 418.39 (CUDA 10.1, Linux)",
        ),
        (
            "418.81",
            WINDOWS,
            ("2.3.0", {**TF26_CUDA, "cuda_version": "64_101"}),
            Status.WARNING,
            ">= 418.96 (CUDA 10.1, Windows)",
        ),
    ],
)
def test_driver_version_against_the_matrix(
    fake_nvml: Path,
    driver: str,
    os_info: dict[str, Any],
    tf: tuple[str, dict[str, Any]],
    status: Status,
    expected: str,
) -> None:
    facts = nvml_facts(fake_nvml, driver_version=driver)
    ctx = context(facts, os_info=os_info, tf=tf_facts(*tf, gpus=2))
    res = run(ctx, "nvidia.driver_version")
    assert res.status is status, res.summary
    assert res.observed == f"driver {driver}"
    assert res.expected == expected
    cuda = res.details["cuda"]
    row = MATRIX.driver_minimum(cuda)
    assert row is not None and res.source == row.source
    if status is Status.WARNING:
        assert "TensorFlow cannot use the GPU" in res.summary
        assert res.fix is not None and "Update the NVIDIA driver to" in res.fix


def test_driver_version_falls_back_to_the_tested_build_table(two_gpus: dict[str, Any]) -> None:
    no_cuda = {k: v for k, v in TF26_CUDA.items() if k != "cuda_version"}
    ctx = context(two_gpus, tf=tf_facts("2.9.0", no_cuda))
    res = run(ctx, "nvidia.driver_version")
    assert res.status is Status.OK
    assert res.details["cuda"] == "11.2"
    assert res.details["cuda_source"] == MATRIX.tensorflow_builds_source


def test_driver_version_unknown_cuda_is_an_error(two_gpus: dict[str, Any]) -> None:
    ctx = context(two_gpus, tf=tf_facts("2.99.0", {**TF26_CUDA, "cuda_version": "13.0"}))
    res = run(ctx, "nvidia.driver_version")
    assert res.status is Status.ERROR
    assert "no driver_minimums row for CUDA 13.0" in res.summary


def test_driver_version_not_checked_for_cpu_builds_or_without_tensorflow(
    two_gpus: dict[str, Any],
) -> None:
    cpu = run(context(two_gpus, tf=tf_facts("2.21.0", CPU_ONLY)), "nvidia.driver_version")
    assert cpu.status is Status.SKIPPED and "CPU-only build" in cpu.summary
    none = run(context(two_gpus), "nvidia.driver_version")
    assert none.status is Status.SKIPPED
    assert "the tensorflow probe gave no answer" in none.summary


# --- compute capability --------------------------------------------------------------------


def test_compute_capability_ok(two_gpus: dict[str, Any]) -> None:
    res = run(context(two_gpus, tf=tf_facts("2.6.0", TF26_CUDA)), "nvidia.compute_capability")
    assert res.status is Status.OK
    assert res.observed == "NVIDIA TITAN V: 7.0, NVIDIA RTX 5880 Ada Generation: 8.9"
    assert res.expected == ">= 3.5" and res.source == MATRIX.gpu.source


def test_compute_capability_too_low_against_the_matrix(fake_nvml: Path) -> None:
    facts = nvml_facts(fake_nvml, cc0="3.0")
    res = run(context(facts), "nvidia.compute_capability")  # no TensorFlow: matrix floor
    assert res.status is Status.WARNING
    assert res.summary == (
        "NVIDIA TITAN V (3.0): compute capability below 3.5, so TensorFlow "
        "ignores it (1 other GPU usable)"
    )
    assert res.source == MATRIX.gpu.source


def test_compute_capability_floor_from_the_build(fake_nvml: Path) -> None:
    facts = nvml_facts(fake_nvml, cc0="5.0")
    ctx = context(facts, tf=tf_facts("2.12.0", TF212_NGC))  # built for sm_52 and up
    res = run(ctx, "nvidia.compute_capability")
    assert res.status is Status.WARNING
    assert res.expected == ">= 5.2" and res.source == nvidia_cuda.BUILD_ARCH_SOURCE
    same = run(context(facts, tf=tf_facts("2.6.0", TF26_CUDA)), "nvidia.compute_capability")
    assert same.status is Status.OK  # sm_35 build: 5.0 is fine


def test_compute_capability_unknown_is_a_warning_not_a_problem(tmp_path: Path) -> None:
    # The GPU is optional: an nvidia-smi that cannot say must not make the machine not ready.
    netdata = SMI / "query-gpu_csv-nounits_tesla-p100_netdata.csv"  # no driver_version column
    fake_smi(tmp_path / "bin", stdout_file=netdata, reject_compute_cap=True)
    facts = run_smi_only(tmp_path / "bin").facts
    res = run(context(facts), "nvidia.compute_capability")
    assert res.status is Status.WARNING
    assert res.summary.startswith("could not determine the GPUs' compute capability")
    assert "developer.nvidia.com/cuda-gpus" in (res.fix or "")
    # The driver's version is unknown: both causes are named.
    assert "nvidia-smi" in (res.fix or "") and "update the NVIDIA driver" in (res.fix or "")


# Driver facts as nvidia-smi's retry without compute_cap answers them (header line, the probe's
# "csv,nounits"). The pairs of versions are from public reports: an nvidia-smi 470.256.02 inside
# a snap beside a host driver 580.95.05 (canonical/inference-snaps#89); an nvidia-smi and driver
# 470.182.03 (huggingface/candle#733).
_RETRY = (
    "index, name, uuid, driver_version, memory.total [MiB]\n"
    "0, {name}, GPU-00000000-0000-0000-0000-000000000000, {driver}, 8151\n"
)


@pytest.mark.parametrize(
    ("driver", "cause", "not_said"),
    [
        ("580.95.05", "older than driver 580.95.05", "update the NVIDIA driver"),
        ("470.182.03", "update the NVIDIA driver", "older than driver"),
    ],
)
def test_compute_capability_unknown_names_the_right_fix(
    tmp_path: Path, driver: str, cause: str, not_said: str
) -> None:
    text = _RETRY.format(name="NVIDIA RTX PRO 500 Blackwell Generation Laptop GPU", driver=driver)
    fake_smi(tmp_path / "bin", stdout=text, reject_compute_cap=True)
    facts = run_smi_only(tmp_path / "bin").facts
    res = results(context(facts, tf=tf_facts("2.9.0", TF26_CUDA)))
    cc = res["nvidia.compute_capability"]
    assert cc.status is Status.WARNING
    assert cause in (cc.fix or "") and not_said not in (cc.fix or "")
    assert res["nvidia.driver"].status is Status.OK
    assert all(r.status is not Status.ERROR for r in res.values()), {
        i: r.summary for i, r in res.items()
    }


def test_ptx_only_gpu_needs_the_toolkits_own_driver(fake_nvml: Path) -> None:
    # CUDA minor-version compatibility runs an 11.2 build on a 450.80.02 driver, but cannot
    # JIT-compile its PTX: a GPU the build has only PTX for (9.0 here: built up to
    # sm_86/compute_86) needs CUDA 11.2.0's own driver, 460.27.03 (NVIDIA release notes).
    facts = nvml_facts(fake_nvml, driver_version="455.45.01", cc0="9.0")
    res = run(context(facts, tf=tf_facts("2.6.0", TF26_CUDA, gpus=2)), "nvidia.driver_version")
    assert res.status is Status.WARNING, res.summary
    assert "NVIDIA TITAN V (9.0)" in res.summary and "PTX" in res.summary
    assert "460.27.03" in res.summary and res.expected == ">= 460.27.03 (CUDA 11.2, Linux)"
    assert res.fix and "460.27.03" in res.fix
    new_enough = nvml_facts(fake_nvml, driver_version="460.32.03", cc0="9.0")
    ok = run(context(new_enough, tf=tf_facts("2.6.0", TF26_CUDA, gpus=2)), "nvidia.driver_version")
    assert ok.status is Status.OK, ok.summary
    binary = nvml_facts(fake_nvml, driver_version="455.45.01")  # 7.0 and 8.9: machine code
    fine = run(context(binary, tf=tf_facts("2.6.0", TF26_CUDA, gpus=2)), "nvidia.driver_version")
    assert fine.status is Status.OK, fine.summary


def test_arch_names() -> None:
    assert nvidia_cuda.parse_arch("sm_35") == (3, 5)
    assert nvidia_cuda.parse_arch("compute_90") == (9, 0)
    assert nvidia_cuda.parse_arch("sm_100a") == (10, 0)
    assert nvidia_cuda.parse_arch("gfx90a") is None
    assert nvidia_cuda.tf_cuda_version("64_112") == "11.2"
    assert nvidia_cuda.tf_cuda_version("64_101") == "10.1"
    assert nvidia_cuda.tf_cuda_version("12.5.1") == "12.5.1"
    assert nvidia_cuda.tf_cuda_version("garbage") is None


# --- the driver sees a GPU, TensorFlow does not --------------------------------------------


def log(name: str) -> str:
    return (TF_LOGS / name).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("os_info", "tf", "tf_log", "in_summary", "in_fix", "source"),
    [
        (
            LINUX,
            ("2.21.0", CPU_ONLY),
            "",
            "this TensorFlow 2.21.0 is a CPU-only build",
            'pip install "tensorflow[and-cuda]==2.21.0"',
            nvidia_tf.CPU_BUILD_SOURCE,
        ),
        (
            LINUX,
            ("2.9.0", CPU_ONLY),
            "",
            "is a CPU-only build",
            "Install the `tensorflow==2.9.0` package (not tensorflow-cpu) and CUDA 11.2 and "
            "cuDNN 8.1",
            nvidia_tf.CPU_BUILD_SOURCE,
        ),
        (
            WINDOWS,
            ("2.12.0", CPU_ONLY),
            "",
            "TensorFlow 2.12.0 on native Windows has no GPU support (it ended with 2.10)",
            "run TensorFlow in WSL2",
            MATRIX.platform_rules.windows_native_gpu_source,
        ),
        (
            WINDOWS,
            ("2.9.1", {**TF26_CUDA, "cuda_version": "64_112"}),
            log("tf_import_missing-cudart64_110.dll_2.9.1_windows-pycharm-run.txt"),
            "TensorFlow could not load cudart64_110.dll",
            "PATH on Windows",
            MATRIX.tensorflow_builds_source,
        ),
        (
            LINUX,
            ("2.6.0", TF26_CUDA),
            log("tf_missing-libcudart.so.11.0_v100_TRUNCATED.txt"),
            "TensorFlow could not load libcudart.so.11.0",
            "CUDA 11.2 and cuDNN 8.1",
            MATRIX.tensorflow_builds_source,
        ),
        (
            LINUX,
            ("2.12.0", TF212_NGC),
            log("tf_list-gpu_cannot-dlopen_empty_2.12_ubuntu2204.txt"),
            "could not load some GPU libraries (not named in its log)",
            "CUDA 11.8 and cuDNN 8.6",
            MATRIX.tensorflow_builds_source,
        ),
        # Measured on this machine with tensorflow 2.9.0 and no driver (the line after the
        # missing-library lines); alone here to reach the cuInit branch.
        (
            LINUX,
            ("2.9.0", TF26_CUDA),
            "W tensorflow/stream_executor/cuda/cuda_driver.cc:269] failed call to cuInit: "
            "UNKNOWN ERROR (303)\n",
            "CUDA failed to start (UNKNOWN ERROR (303))",
            "nvidia.driver_version",
            "TensorFlow's log (failed call to cuInit)",
        ),
        (
            LINUX,
            ("2.9.0", TF26_CUDA),
            "",
            "and TensorFlow's log does not say why",
            "TF_CPP_MIN_LOG_LEVEL=0",
            nvidia_tf.CPU_BUILD_SOURCE,
        ),
    ],
)
def test_tensorflow_does_not_see_the_gpu_and_why(
    two_gpus: dict[str, Any],
    os_info: dict[str, Any],
    tf: tuple[str, dict[str, Any]],
    tf_log: str,
    in_summary: str,
    in_fix: str,
    source: str,
) -> None:
    ctx = context(two_gpus, os_info=os_info, tf=tf_facts(*tf), tf_log=tf_log)
    res = run(ctx, "nvidia.tensorflow_gpu")
    assert res.status is Status.WARNING
    assert res.summary.startswith("TensorFlow sees no GPU though the driver lists 2")
    assert in_summary in res.summary
    assert res.fix is not None and in_fix in res.fix
    assert res.fix.startswith("The GPU is optional for the exam")
    assert res.source == source
    assert res.observed == "TensorFlow: 0 GPUs; driver: 2 GPUs"


def test_library_fix_depends_on_version_and_os() -> None:
    ctx = context({})
    linux_216 = nvidia_fixes.libraries_fix(ctx, Version("2.16.1"), "Linux", ["libcudnn.so.8"])
    assert (
        linux_216 == '`/fake/python -m pip install "tensorflow[and-cuda]==2.16.1"` brings '
        "the CUDA libraries."
    )  # the interpreter under test by its path, never a bare `python`
    windows_29 = nvidia_fixes.libraries_fix(ctx, Version("2.9.0"), "Windows", ["cudart64_110.dll"])
    assert windows_29.startswith("Install CUDA 11.2 and cuDNN 8.1, the versions this")
    driver_only = nvidia_fixes.libraries_fix(ctx, Version("2.9.0"), "Linux", ["libcuda.so.1"])
    assert driver_only == "libcuda.so.1 comes with the NVIDIA driver: reinstall it."


def test_cuda_visible_devices_hides_the_gpus(fake_nvml: Path) -> None:
    facts = run_nvidia_probe(env={**nvml_env(fake_nvml), "CUDA_VISIBLE_DEVICES": "-1"}).facts
    ctx = context(
        facts,
        tf=tf_facts("2.6.0", TF26_CUDA),
        tf_log=log("tf_missing-libcudart.so.11.0_v100_TRUNCATED.txt"),
    )
    res = run(ctx, "nvidia.tensorflow_gpu")
    assert res.status is Status.WARNING
    assert "CUDA_VISIBLE_DEVICES='-1' hides them" in res.summary


def test_tensorflow_sees_fewer_gpus_than_the_driver(two_gpus: dict[str, Any]) -> None:
    res = run(context(two_gpus, tf=tf_facts("2.6.0", TF26_CUDA, gpus=1)), "nvidia.tensorflow_gpu")
    assert res.status is Status.OK
    assert res.summary == "TensorFlow sees 1 GPU of the 2 the driver lists: /physical_device:GPU:0"


# --- real TensorFlow -----------------------------------------------------------------------


def real_context(python: Path, nvidia_facts: dict[str, Any]) -> Context:
    resolved = interp.resolve(str(python))
    assert isinstance(resolved, interp.Interpreter)
    ctx = Context(interpreter=resolved, matrix=MATRIX, profile_name=MATRIX.default_profile)
    ctx.record(ProbeRun("nvidia", "/usr/bin/python3", ProbeOutcome.OK, nvidia_facts))
    return ctx


@pytest.mark.tensorflow
@pytest.mark.slow
def test_exam_tensorflow_names_the_missing_cuda_runtime(
    exam_python: Path, two_gpus: dict[str, Any]
) -> None:
    """tensorflow 2.9.0 is a CUDA 11.2 build; with no CUDA here it logs what it misses."""
    ctx = real_context(exam_python, two_gpus)
    res = {i: run(ctx, i) for i in IDS}
    assert res["nvidia.driver_version"].status is Status.OK
    assert res["nvidia.driver_version"].expected == ">= 450.80.02 (CUDA 11.2, Linux)"
    # The real 2.9.0 build has machine code up to 7.5 and PTX for 8.0: the TITAN V (7.0)
    # runs its kernels as built, the Ada (8.9) compiles them all from PTX first.
    cc = res["nvidia.compute_capability"]
    assert cc.status is Status.WARNING
    assert (
        "(8.9): TensorFlow 2.9.0 has no CUDA machine code for compute capability 8.9 "
        "(built for sm_35, sm_50, sm_60, sm_70, sm_75, compute_80)" in cc.summary
    )
    assert "TITAN V" not in cc.summary
    gpu_res = res["nvidia.tensorflow_gpu"]
    assert gpu_res.status is Status.WARNING
    assert "TensorFlow could not load libcudart.so.11.0" in gpu_res.summary
    assert "libcudart.so.11.0" in gpu_res.details["missing_libraries"]
    assert gpu_res.fix is not None and "Install CUDA 11.2 and cuDNN 8.1" in gpu_res.fix
    # This machine has no driver at all, so TensorFlow also misses the driver's libcuda.so.1.
    assert "libcuda.so.1 comes with the NVIDIA driver" in gpu_res.fix
    assert "tensorflow-cpu" not in gpu_res.fix  # it is already the CUDA build


@pytest.mark.tensorflow
@pytest.mark.slow
def test_cpu_only_tensorflow_is_named_as_the_cause(
    tf_python: Path, two_gpus: dict[str, Any]
) -> None:
    ctx = real_context(tf_python, two_gpus)
    version = ctx.read(TfVersions).tensorflow
    res = run(ctx, "nvidia.tensorflow_gpu")
    assert res.status is Status.WARNING
    assert f"this TensorFlow {version} is a CPU-only build" in res.summary
    assert res.fix is not None and f'"tensorflow[and-cuda]=={version}"' in res.fix
    assert run(ctx, "nvidia.driver_version").status is Status.SKIPPED
