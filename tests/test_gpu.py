"""envcheck.gpu on recorded nvidia-smi outputs and on NVML facts in the probe's shape."""

from __future__ import annotations

from typing import Any

import pytest

from envcheck import gpu
from envcheck.gpu import CsvFormatError, DriverState, Gpu
from tests._nvidia_fakes import NO_COMPUTE_CAP, SMI


def read(name: str) -> str:
    return (SMI / name).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("fixture", "state"),
    [
        (
            "nvidia-smi_error_couldnt-communicate_centos-docker_2018.txt",
            DriverState.CANNOT_COMMUNICATE,
        ),
        (
            "nvidia-smi_error_couldnt-communicate_wsl2_plus-nvml-shutdown.txt",
            DriverState.CANNOT_COMMUNICATE,
        ),
        ("nvidia-smi_error_libnvidia-ml-not-found_docker.txt", DriverState.LIBRARY_NOT_FOUND),
        (
            "nvidia-smi_error_nvml-unknown-error_docker-510.68.02.txt",
            DriverState.NVML_UNKNOWN_ERROR,
        ),
        ("nvidia-smi_error_version-mismatch_nvml-550.144.txt", DriverState.VERSION_MISMATCH),
        ("nvidia-smi_error_version-mismatch_nvml-570.124.txt", DriverState.VERSION_MISMATCH),
    ],
)
def test_error_messages_are_classified(fixture: str, state: DriverState) -> None:
    assert gpu.classify_smi_output(read(fixture)) is state


@pytest.mark.parametrize(
    "fixture",
    [
        "nvidia-smi_table_550.90.07_8x-h100_multigpu.txt",
        "nvidia-smi-L_570.86.15_titan-v_rtx5880ada.txt",
        "query-gpu_595.71.05_rtx4080super_fedora_full.csv",
    ],
)
def test_healthy_output_names_no_problem(fixture: str) -> None:
    assert gpu.classify_smi_output(read(fixture)) is None


def test_no_devices_and_other_nvml_failures() -> None:
    # "No devices were found" is nvidia-smi's answer with a driver and no GPU.
    assert gpu.classify_smi_output("No devices were found\n") is DriverState.NO_GPU
    assert (
        gpu.classify_smi_output("Failed to initialize NVML: Insufficient Permissions\n")
        is DriverState.FAILED
    )
    assert gpu.classify_smi_output("something else entirely") is None


def test_full_query_with_units_and_masked_uuid() -> None:
    rows = gpu.parse_query_csv(read("query-gpu_595.71.05_rtx4080super_fedora_full.csv"))
    assert len(rows) == 1
    row = rows[0]
    assert row["driver_version"] == "595.71.05"
    assert row["memory.total"] == "16376 MiB"
    assert row["serial"] is None  # "[N/A]"
    assert row["display_mode"] is None  # "[Requested functionality has been deprecated]"
    [card] = gpu.gpus_from_rows(rows)
    assert card == Gpu(
        0,
        "NVIDIA GeForce RTX 4080 SUPER",
        "GPU-00000000-0000-0000-0000-000000000000",
        16376,
        (8, 9),
    )


def test_nounits_without_final_newline() -> None:
    text = read("query-gpu_csv-nounits_tesla-p100_netdata.csv")
    assert not text.endswith("\n")
    rows = gpu.parse_query_csv(text)
    assert rows[0]["memory.free"] == "16280"  # header "memory.free [MiB]", value without unit
    assert rows[0]["fan.speed"] is None
    [card] = gpu.gpus_from_rows(rows)
    assert (card.name, card.uuid) == (
        "Tesla P100-PCIE-16GB",
        "GPU-ef1b2c9b-38d8-2090-2bd1-f567a3eb42a6",
    )
    assert card.compute_capability is None and card.memory_mib is None  # not asked for


def test_two_gpus_and_single_column() -> None:
    cards = gpu.gpus_from_rows(
        gpu.parse_query_csv(
            read("query-gpu_570.86.15_compute_cap-compute_mode-driver_version-name-index.csv")
        )
    )
    assert [(c.index, c.name, c.compute_capability) for c in cards] == [
        (0, "NVIDIA TITAN V", (7, 0)),
        (1, "NVIDIA RTX 5880 Ada Generation", (8, 9)),
    ]
    only = gpu.parse_query_csv(read("query-gpu_525.89.02_compute_cap-only.csv"))
    assert only == [{"compute_cap": "8.9"}]


def test_padded_noheader_and_unpadded_read_the_same() -> None:
    text = read("query-gpu_570.86.15_compute_cap-compute_mode-driver_version-name-index.csv")
    header, *rows = text.splitlines()
    fields = [f.strip() for f in header.split(",")]
    cells = [[c.strip() for c in r.split(",")] for r in rows]
    padded = "\n".join("  " + " ,  ".join(c.ljust(12) for c in r) + "   " for r in cells)
    unpadded = "\n".join(",".join(r) for r in cells)
    expected = gpu.parse_query_csv(text)
    assert gpu.parse_query_csv(padded, fields) == expected
    assert gpu.parse_query_csv(unpadded + "\n\n", fields) == expected


def test_malformed_csv_is_refused() -> None:
    with pytest.raises(CsvFormatError, match="row 1 has 2 values for 3 fields"):
        gpu.parse_query_csv("0, TITAN V\n", ["index", "name", "uuid"])
    with pytest.raises(CsvFormatError, match="no header line"):
        gpu.parse_query_csv("0, TITAN V, GPU-1\n")
    with pytest.raises(CsvFormatError, match="compute_cap"):
        gpu.gpus_from_rows([{"name": "x", "compute_cap": "eight"}])
    assert gpu.parse_query_csv("\n  \n") == []


def test_cuda_version_from_nvml_integer() -> None:
    assert gpu.cuda_version_from_int(12020) == "12.2"
    assert gpu.cuda_version_from_int(11080) == "11.8"
    assert gpu.cuda_version_from_int(12080) == "12.8"


# --- from the probe's sections -------------------------------------------------------------

ASKED = "--query-gpu=index,name,uuid,driver_version,memory.total,compute_cap"


def attempt(stdout: str = "", returncode: int | None = 0, **kw: Any) -> dict[str, Any]:
    return {
        "argv": ["nvidia-smi", ASKED, "--format=csv,nounits"],
        "returncode": returncode,
        "stdout": stdout,
        "stderr": "",
        "timed_out": False,
        **kw,
    }


def smi(*attempts: dict[str, Any]) -> dict[str, Any]:
    return {"found": True, "path": "/usr/bin/nvidia-smi", "attempts": list(attempts)}


ABSENT_SMI = {"found": False, "searched": ["PATH"]}
ABSENT_NVML = {
    "status": "library_not_found",
    "tried": [
        {
            "path": "libnvidia-ml.so.1",
            "error": "libnvidia-ml.so.1: cannot open shared object file: No such file or directory",
        }
    ],
}


def nvml_ok(*devices: dict[str, Any], **kw: Any) -> dict[str, Any]:
    return {
        "status": "ok",
        "library": "libnvidia-ml.so.1",
        "driver_version": "535.129.03",
        "cuda_driver_version": 12020,
        "device_count": len(devices),
        "devices": list(devices),
        "errors": {},
        **kw,
    }


def nvml_failed(code: int, words: str) -> dict[str, Any]:
    return {
        "status": "init_failed",
        "library": "libnvidia-ml.so.1",
        "init": {"function": "nvmlInit_v2", "code": code, "error": words},
    }


QUADRO: dict[str, Any] = {
    "index": 0,
    "name": "Quadro RTX 4000",
    "uuid": "GPU-c7b57be0-94ff-d352-a59b-d0ee00aeed43",
    "memory_total_bytes": 8192 * 1024 * 1024,
    "compute_capability": [7, 5],
}


def test_nothing_installed() -> None:
    info = gpu.interpret({"nvml": ABSENT_NVML, "nvidia_smi": ABSENT_SMI})
    assert info.state is DriverState.NOT_INSTALLED
    assert any("cannot open shared object file" in n for n in info.notes)


def test_nvml_is_preferred_and_complete() -> None:
    smi_broken = smi(attempt(read("nvidia-smi_error_version-mismatch_nvml-550.144.txt"), 18))
    info = gpu.interpret({"nvml": nvml_ok(QUADRO), "nvidia_smi": smi_broken})
    assert info.state is DriverState.READY and info.source == "NVML"
    assert (info.driver_version, info.cuda_version) == ("535.129.03", "12.2")
    assert info.gpus == (Gpu(0, "Quadro RTX 4000", QUADRO["uuid"], 8192, (7, 5)),)
    assert info.to_dict()["gpus"][0]["uuid"] == QUADRO["uuid"]


def test_nvidia_smi_fills_in_when_nvml_is_absent() -> None:
    csv = read("query-gpu_595.71.05_rtx4080super_fedora_full.csv")
    info = gpu.interpret({"nvml": ABSENT_NVML, "nvidia_smi": smi(attempt(csv))})
    assert info.state is DriverState.READY and info.source == "nvidia-smi"
    assert info.driver_version == "595.71.05" and info.cuda_version is None
    assert info.gpus[0].memory_mib == 16376


def test_compute_capability_from_smi_when_nvml_lacks_it() -> None:
    no_cc = {k: v for k, v in QUADRO.items() if k != "compute_capability"}
    no_cc["errors"] = {"compute_capability": {"code": 3, "error": "Not Supported"}}
    row = f"0, Quadro RTX 4000, {QUADRO['uuid']}, 535.129.03, 8192, 7.5\n"
    info = gpu.interpret({"nvml": nvml_ok(no_cc), "nvidia_smi": smi(attempt(row))})
    assert info.gpus[0].compute_capability == (7, 5)
    assert "GPU 0: no compute_capability (NVML: Not Supported)" in info.notes


@pytest.mark.parametrize(
    ("code", "words", "state"),
    [
        (9, "Driver Not Loaded", DriverState.CANNOT_COMMUNICATE),
        (18, "RM has detected an NVML/RM version mismatch.", DriverState.VERSION_MISMATCH),
        (999, "Unknown Error", DriverState.NVML_UNKNOWN_ERROR),
        (4, "Insufficient Permissions", DriverState.FAILED),
    ],
)
def test_nvml_init_failures(code: int, words: str, state: DriverState) -> None:
    info = gpu.interpret({"nvml": nvml_failed(code, words), "nvidia_smi": ABSENT_SMI})
    assert info.state is state
    assert info.message == f"NVML error {code}: {words}"
    assert info.state.installed_but_broken


def test_the_more_specific_diagnosis_wins() -> None:
    lib_missing = smi(attempt(read("nvidia-smi_error_libnvidia-ml-not-found_docker.txt"), 12))
    info = gpu.interpret({"nvml": ABSENT_NVML, "nvidia_smi": lib_missing})
    assert info.state is DriverState.LIBRARY_NOT_FOUND and info.source == "nvidia-smi"
    assert info.message.startswith("NVIDIA-SMI couldn't find libnvidia-ml.so")

    mismatch = smi(attempt(read("nvidia-smi_error_version-mismatch_nvml-570.124.txt"), 18))
    info = gpu.interpret({"nvml": nvml_failed(999, "Unknown Error"), "nvidia_smi": mismatch})
    assert info.state is DriverState.VERSION_MISMATCH
    assert info.notes == ("NVML: NVML error 999: Unknown Error",)


def test_driver_without_gpus() -> None:
    info = gpu.interpret({"nvml": nvml_ok(), "nvidia_smi": ABSENT_SMI})
    assert info.state is DriverState.NO_GPU and info.driver_version == "535.129.03"
    no_devices = smi(attempt("No devices were found\n", 6))
    assert gpu.interpret({"nvml": ABSENT_NVML, "nvidia_smi": no_devices}).state is (
        DriverState.NO_GPU
    )


def test_smi_timeout_unknown_exit_and_garbage() -> None:
    hung = smi(attempt(returncode=-9, timed_out=True, timeout_s=10.0))
    info = gpu.interpret({"nvml": ABSENT_NVML, "nvidia_smi": hung})
    assert info.state is DriverState.TIMED_OUT and "10.0 s" in info.message

    odd_exit = smi(attempt("Segmentation fault\n", 139))
    info = gpu.interpret({"nvml": ABSENT_NVML, "nvidia_smi": odd_exit})
    assert info.state is DriverState.FAILED
    assert info.message == "nvidia-smi exited with code 139: Segmentation fault"

    garbage = smi(attempt("<html>not csv</html>\n"))
    assert gpu.interpret({"nvml": ABSENT_NVML, "nvidia_smi": garbage}).state is (
        DriverState.UNEXPECTED
    )
    empty = smi(attempt(""))
    assert gpu.interpret({"nvml": ABSENT_NVML, "nvidia_smi": empty}).state is (
        DriverState.UNEXPECTED
    )


def test_retry_without_compute_cap_is_read_by_its_own_header() -> None:
    first = attempt(NO_COMPUTE_CAP, 2)
    second = attempt(read("query-gpu_csv-nounits_tesla-p100_netdata.csv"))
    second["argv"] = [
        "nvidia-smi",
        "--query-gpu=index,name,uuid,driver_version,memory.total",
        "--format=csv,nounits",
    ]
    info = gpu.interpret({"nvml": ABSENT_NVML, "nvidia_smi": smi(first, second)})
    assert info.state is DriverState.READY
    assert info.gpus[0].name == "Tesla P100-PCIE-16GB"
    assert info.gpus[0].compute_capability is None
    assert any("compute_cap" in n for n in info.notes)


def test_a_failed_probe_section_is_unexpected_not_absent() -> None:
    crashed = {"error": "OSError: boom", "error_type": "OSError", "traceback": "..."}
    info = gpu.interpret({"nvml": crashed, "nvidia_smi": crashed})
    assert info.state is DriverState.UNEXPECTED
    assert "boom" in info.message
