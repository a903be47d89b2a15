"""The NVIDIA code against a real driver's answers, recorded on an H200 by .ci/gpu-check.

tests/fixtures/gpu-check/README.md says where and how they were recorded.
Here they go through the same interpretation and checks as live facts do;
the nvidia-smi output is also replayed by a fake nvidia-smi through the real
probe.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from envcheck import gpu
from envcheck.checks import nvidia
from envcheck.checks.base import Context
from envcheck.checks.nvidia_cuda import Coverage, coverage
from envcheck.gpu import DriverState, Gpu
from envcheck.pipeline import execute
from envcheck.probing.runner import ProbeOutcome, ProbeRun
from envcheck.results import CheckResult, Status
from tests._nvidia_fakes import fake_smi, run_smi_only
from tests.helpers import recorded_context

H200 = Path(__file__).resolve().parent / "fixtures" / "gpu-check" / "h200_580.159.04"
THE_GPU = Gpu(
    index=0,
    name="NVIDIA H200",
    uuid="GPU-ac5473ef-7dab-546b-f8d1-e9ff6926bc80",
    memory_mib=143771,
    compute_capability=(9, 0),
)
# tf.sysconfig.get_build_info()["cuda_compute_capabilities"] of the tensorflow
# 2.9.0 manylinux wheel (the exam's pin), read 2026-11-29 in tests/envs.py's
# exam environment: machine code up to 7.5, PTX for 8.0.
TF29_ARCHS = ["sm_35", "sm_50", "sm_60", "sm_70", "sm_75", "compute_80"]
# The NGC 23.05 container's TensorFlow 2.12 (tests/fixtures/tensorflow).
TF212_NGC_ARCHS = ["sm_52", "sm_60", "sm_61", "sm_70", "sm_75", "sm_80", "sm_86", "compute_90"]


def recorded() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((H200 / "probe-nvidia.json").read_text(encoding="utf-8"))
    assert doc["complete"] is True and doc["probe"] == "nvidia"
    facts: dict[str, Any] = doc["facts"]
    return facts


def smi_stdout() -> str:
    [attempt] = recorded()["nvidia_smi"]["attempts"]
    text: str = attempt["stdout"]
    return text


def context(tf_archs: list[str] | None, tf_version: str = "2.9.0") -> Context:
    ctx = recorded_context(
        {
            "nvidia": recorded(),
            "system": {
                "os": {"system": "Linux", "release": "6.18.44", "machine": "x86_64", "wsl": False}
            },
        }
    )
    if tf_archs is None:
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
    info = {
        "is_cuda_build": True,
        "cuda_version": "11.2",
        "cudnn_version": "8",
        "cuda_compute_capabilities": tf_archs,
    }
    ctx.record(
        ProbeRun(
            "tensorflow",
            "/fake/python",
            ProbeOutcome.OK,
            {
                "versions": {
                    "tensorflow": tf_version,
                    "keras": tf_version,
                    "keras_source": "keras",
                },
                "build": {"is_built_with_cuda": True, "build_info": info},
                "devices": {
                    "gpus": [{"name": "/physical_device:GPU:0", "device_type": "GPU"}],
                    "cpus": ["/physical_device:CPU:0"],
                },
                "python": [3, 8, 10],
            },
        )
    )
    return ctx


def run(ctx: Context, check_id: str) -> CheckResult:
    return execute(next(c for c in nvidia.CHECKS if c.id == check_id), ctx)


def test_nvml_answers_read_as_the_driver_gave_them() -> None:
    info = gpu.interpret(recorded())
    assert info.state is DriverState.READY
    assert info.source == "NVML"
    assert info.driver_version == "580.159.04"
    assert info.cuda_version == "13.0"  # NVML's 13000
    assert info.gpus == (THE_GPU,)
    assert info.notes == ()


def test_nvidia_smi_alone_gives_the_same_answer() -> None:
    """A machine where only nvidia-smi answers (NVML not loadable by the probe)."""
    facts = copy.deepcopy(recorded())
    facts["nvml"] = {
        "status": "library_not_found",
        "tried": [{"path": "libnvidia-ml.so.1", "error": "not found"}],
    }
    info = gpu.interpret(facts)
    assert info.state is DriverState.READY
    assert info.source == "nvidia-smi"
    assert info.driver_version == "580.159.04"
    assert info.gpus == (THE_GPU,)


def test_recorded_nvidia_smi_replayed_through_the_real_probe(tmp_path: Path) -> None:
    fake_smi(tmp_path / "bin", stdout=smi_stdout())
    run_ = run_smi_only(tmp_path / "bin")
    assert run_.outcome == "ok", run_.message
    info = gpu.interpret(run_.facts)
    assert (info.state, info.source) == (DriverState.READY, "nvidia-smi")
    assert info.gpus == (THE_GPU,)


def test_the_plain_table_and_version_agree_with_the_probe() -> None:
    """The human-readable outputs recorded beside it say the same as the probe read."""
    text = (H200 / "nvidia-smi.txt").read_text(encoding="utf-8")
    assert "Driver Version: 580.159.04     CUDA Version: 13.0" in text
    assert "0MiB / 143771MiB" in text
    assert "GPU 0: NVIDIA H200 (UUID: GPU-ac5473ef-7dab-546b-f8d1-e9ff6926bc80)" in text
    assert "8 of 8 values agree" in (H200 / "crosscheck.txt").read_text(encoding="utf-8")


def test_driver_check_reports_the_h200() -> None:
    res = run(context(None), "nvidia.driver")
    assert res.status is Status.OK
    assert res.summary == (
        "NVIDIA driver 580.159.04, supports CUDA 13.0; 1 GPU: NVIDIA H200 (140 GiB, compute "
        "capability 9.0)"
    )


def test_exam_tensorflow_on_hopper_jit_compiles_from_ptx() -> None:
    """TF 2.9 has machine code up to 7.5 and PTX for 8.0: a 9.0 GPU compiles it all first."""
    res = run(context(TF29_ARCHS), "nvidia.compute_capability")
    assert res.status is Status.WARNING
    assert res.summary == (
        "NVIDIA H200 (9.0): TensorFlow 2.9.0 has no CUDA machine code for compute capability "
        "9.0 (built for sm_35, sm_50, sm_60, sm_70, sm_75, compute_80); the driver "
        "JIT-compiles its kernels from PTX at first use, which can take 30 minutes or longer"
    )
    assert res.fix is not None and "train any small model on the GPU once" in res.fix
    assert res.source == nvidia.JIT_SOURCE
    assert res.details["built_for"] == TF29_ARCHS


def test_driver_is_new_enough_for_the_exam_tensorflow() -> None:
    res = run(context(TF29_ARCHS), "nvidia.driver_version")
    assert res.status is Status.OK, res.summary


def test_a_build_with_hopper_ptx_still_jit_compiles_and_one_without_cannot_run() -> None:
    res = run(context(TF212_NGC_ARCHS, "2.12.0"), "nvidia.compute_capability")
    assert res.status is Status.WARNING and "JIT-compiles" in res.summary
    res = run(context(["sm_70", "sm_80", "sm_86"], "2.12.0"), "nvidia.compute_capability")
    assert res.status is Status.WARNING
    assert "has no CUDA kernels for compute capability 9.0" in res.summary
    assert res.fix is not None and "training runs on the CPU" in res.fix


def test_a_build_with_hopper_machine_code_is_ok() -> None:
    res = run(context(["sm_80", "sm_90", "compute_90"], "2.16.1"), "nvidia.compute_capability")
    assert res.status is Status.OK
    assert res.summary == "compute capability NVIDIA H200: 9.0"


@pytest.mark.parametrize(
    ("cc", "archs", "expected"),
    [
        ((8, 6), TF29_ARCHS, Coverage.PTX),  # RTX 30xx under the exam's TensorFlow
        ((8, 9), TF29_ARCHS, Coverage.PTX),  # RTX 40xx
        ((7, 5), TF29_ARCHS, Coverage.BINARY),
        ((6, 1), TF29_ARCHS, Coverage.BINARY),  # sm_60 runs on 6.1 (same major)
        ((8, 6), ["sm_80"], Coverage.BINARY),
        ((9, 0), ["sm_80", "sm_86"], Coverage.NONE),  # machine code never crosses majors
        ((7, 0), ["sm_75", "compute_75"], Coverage.NONE),  # nor runs on a lower minor
        ((9, 0), ["compute_90"], Coverage.PTX),
        ((12, 0), TF212_NGC_ARCHS, Coverage.PTX),
    ],
)
def test_kernel_coverage_follows_cuda_compatibility(
    cc: tuple[int, int], archs: list[str], expected: Coverage
) -> None:
    assert coverage(cc, archs) is expected


def test_cpu_only_tensorflow_build_says_nothing_about_kernels() -> None:
    ctx = context(None)
    res = run(ctx, "nvidia.compute_capability")
    assert res.status is Status.OK
    assert res.details["built_for"] is None
