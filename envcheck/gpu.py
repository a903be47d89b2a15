"""NVIDIA driver facts as typed values: what the `nvidia` probe collected, interpreted.

The probe records NVML's answers and nvidia-smi's output verbatim; this
module turns them into one `DriverInfo`: the state of the driver (working,
absent, installed but broken, and how), its version, the CUDA version it
supports and the GPUs it lists. NVML is preferred (no text to parse);
nvidia-smi fills in when NVML could not be loaded, and its error messages
name the problem when both fail.
"""

# Over 400 lines: one DriverInfo from two sources (NVML, nvidia-smi), fallbacks read together.
from __future__ import annotations

import csv
import enum
import re
from dataclasses import dataclass, field, replace
from typing import Any

from packaging.version import InvalidVersion, Version

MIB = 1024 * 1024


class DriverState(str, enum.Enum):
    """What the NVIDIA driver said, from best to most puzzling."""

    READY = "ready"
    """The driver answers and lists at least one GPU."""
    NO_GPU = "no_gpu"
    """The driver answers but lists no GPU ("No devices were found")."""
    NOT_INSTALLED = "not_installed"
    """Neither the NVML library nor nvidia-smi exists: a CPU-only machine."""
    CANNOT_COMMUNICATE = "cannot_communicate"
    """Installed, but the kernel driver is not loaded or not reachable."""
    VERSION_MISMATCH = "version_mismatch"
    """The user-space library and the loaded kernel module differ (updated, not rebooted)."""
    LIBRARY_NOT_FOUND = "library_not_found"
    """nvidia-smi exists but cannot find libnvidia-ml (a broken install, a container)."""
    NVML_UNKNOWN_ERROR = "nvml_unknown_error"
    """NVML fails with "Unknown Error" (often a container that lost its device access)."""
    FAILED = "failed"
    """The driver is installed and answered with another error."""
    TIMED_OUT = "timed_out"
    """nvidia-smi did not answer in time (a hung driver)."""
    UNEXPECTED = "unexpected"
    """An answer this tool cannot read."""

    @property
    def installed_but_broken(self) -> bool:
        return self in _BROKEN


_BROKEN = frozenset(
    {
        DriverState.CANNOT_COMMUNICATE,
        DriverState.VERSION_MISMATCH,
        DriverState.LIBRARY_NOT_FOUND,
        DriverState.NVML_UNKNOWN_ERROR,
        DriverState.FAILED,
        DriverState.TIMED_OUT,
    }
)

# When NVML and nvidia-smi both fail, the more specific diagnosis wins.
_PROBLEM_ORDER = [
    DriverState.VERSION_MISMATCH,
    DriverState.CANNOT_COMMUNICATE,
    DriverState.LIBRARY_NOT_FOUND,
    DriverState.NVML_UNKNOWN_ERROR,
    DriverState.FAILED,
    DriverState.TIMED_OUT,
    DriverState.UNEXPECTED,
    DriverState.NOT_INSTALLED,
]

# nvml.h nvmlReturn_t codes that name a driver state.
_NVML_INIT_CODES = {
    9: DriverState.CANNOT_COMMUNICATE,  # NVML_ERROR_DRIVER_NOT_LOADED
    12: DriverState.LIBRARY_NOT_FOUND,  # NVML_ERROR_LIBRARY_NOT_FOUND
    18: DriverState.VERSION_MISMATCH,  # NVML_ERROR_LIB_RM_VERSION_MISMATCH
    999: DriverState.NVML_UNKNOWN_ERROR,  # NVML_ERROR_UNKNOWN
}

# nvidia-smi's own messages, as recorded in tests/fixtures/nvidia-smi.
_SMI_MESSAGES = [
    ("couldn't communicate with the nvidia driver", DriverState.CANNOT_COMMUNICATE),
    ("driver/library version mismatch", DriverState.VERSION_MISMATCH),
    ("failed to initialize nvml: unknown error", DriverState.NVML_UNKNOWN_ERROR),
    ("couldn't find libnvidia-ml.so", DriverState.LIBRARY_NOT_FOUND),
    ("nvml shared library not found", DriverState.LIBRARY_NOT_FOUND),
    ("no devices were found", DriverState.NO_GPU),
    ("failed to initialize nvml", DriverState.FAILED),
]

_NOT_A_VALUE = {"", "n/a", "[n/a]", "[not supported]", "[unknown error]"}
_UNIT = re.compile(r"\s*\[[^\]]*\]$")
_FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
_NO_COMPUTE_CAP = '"compute_cap" is not a valid field to query'


class CsvFormatError(ValueError):
    """nvidia-smi's csv did not have the shape asked for."""


@dataclass(frozen=True)
class Gpu:
    """One GPU as the driver lists it."""

    index: int | None
    name: str
    uuid: str | None = None
    memory_mib: int | None = None
    compute_capability: tuple[int, int] | None = None

    @property
    def compute_capability_str(self) -> str | None:
        cc = self.compute_capability
        return f"{cc[0]}.{cc[1]}" if cc else None

    def to_dict(self) -> dict[str, Any]:
        # "uuid" is the key the report redactor looks for.
        return {
            "index": self.index,
            "name": self.name,
            "uuid": self.uuid,
            "memory_mib": self.memory_mib,
            "compute_capability": self.compute_capability_str,
        }


@dataclass(frozen=True)
class DriverInfo:
    """Everything the checks need to know about the NVIDIA driver."""

    state: DriverState
    source: str
    """Which tool gave the answer: "NVML", "nvidia-smi" or "none"."""
    message: str = ""
    """The driver's own words when it failed (an NVML error string, nvidia-smi's line)."""
    driver_version: str | None = None
    cuda_version: str | None = None
    """The newest CUDA version the driver supports (NVML only)."""
    gpus: tuple[Gpu, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)
    smi_lacks_compute_cap: bool = False
    """nvidia-smi answered that compute_cap "is not a valid field to query"."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "state": self.state.value,
            "source": self.source,
            "message": self.message,
            "driver_version": self.driver_version,
            "cuda_version": self.cuda_version,
            "gpus": [g.to_dict() for g in self.gpus],
            "notes": list(self.notes),
        }


def cuda_version_from_int(value: int) -> str:
    """NVML's CUDA driver version integer (12020) as "12.2"."""
    return f"{value // 1000}.{(value % 1000) // 10}"


def classify_smi_output(text: str) -> DriverState | None:
    """The driver state an nvidia-smi error message names, or None if it names none."""
    low = text.lower()
    for needle, state in _SMI_MESSAGES:
        if needle in low:
            return state
    return None


def first_line(text: str) -> str:
    """The first non-blank line, which is where nvidia-smi says what went wrong."""
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:300]
    return ""


def _field_name(cell: str) -> str:
    return _UNIT.sub("", cell.strip())


def parse_query_csv(text: str, fields: list[str] | None = None) -> list[dict[str, str | None]]:
    """Rows of `nvidia-smi --query-gpu=... --format=csv[,noheader][,nounits]`.

    With a header line the columns are named by it (units such as " [MiB]"
    dropped); without one, `fields` (the names asked for) must be given.
    Cells are stripped, so padded and unpadded output read the same;
    "[N/A]" and "[Not Supported]" become None.
    """
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return []
    rows = list(csv.reader(lines, skipinitialspace=True))
    names = [_field_name(c) for c in rows[0]]
    if names == fields or all(_FIELD_NAME.match(n) for n in names):
        columns, rows = names, rows[1:]
    elif fields is not None:
        columns = fields
    else:
        raise CsvFormatError(f"no header line and no field list: {lines[0][:120]!r}")
    parsed: list[dict[str, str | None]] = []
    for number, row in enumerate(rows, start=1):
        if len(row) != len(columns):
            raise CsvFormatError(
                f"row {number} has {len(row)} values for {len(columns)} fields: {row!r}"
            )
        parsed.append({name: _value(cell) for name, cell in zip(columns, row, strict=True)})
    return parsed


def _value(cell: str) -> str | None:
    value = cell.strip()
    if value.lower() in _NOT_A_VALUE or value.startswith("[Requested functionality"):
        return None
    return value


def _mib(value: str | None) -> int | None:
    if value is None:
        return None
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(MiB|GiB)?", value)
    if not match:
        raise CsvFormatError(f"memory.total is not a size: {value!r}")
    number = float(match.group(1))
    return round(number * 1024) if match.group(2) == "GiB" else round(number)


def parse_compute_capability(value: str | None) -> tuple[int, int] | None:
    """ "8.9" as (8, 9); None stays None."""
    if value is None:
        return None
    match = re.fullmatch(r"(\d+)\.(\d+)", value.strip())
    if not match:
        raise CsvFormatError(f"compute_cap is not MAJOR.MINOR: {value!r}")
    return int(match.group(1)), int(match.group(2))


def gpus_from_rows(rows: list[dict[str, str | None]]) -> list[Gpu]:
    """GPUs from parsed query rows; columns that were not asked for stay None."""
    gpus = []
    for position, row in enumerate(rows):
        index = row.get("index")
        gpus.append(
            Gpu(
                index=int(index) if index is not None and index.isdigit() else position,
                name=row.get("name") or "unknown GPU",
                uuid=row.get("uuid"),
                memory_mib=_mib(row.get("memory.total")),
                compute_capability=parse_compute_capability(row.get("compute_cap")),
            )
        )
    return gpus


def _is_error(section: Any) -> bool:
    return isinstance(section, dict) and "error" in section and "error_type" in section


def from_nvml(section: Any) -> DriverInfo:
    """Interpret the probe's "nvml" section."""
    if not isinstance(section, dict):
        return DriverInfo(DriverState.UNEXPECTED, "NVML", "the probe reported no NVML facts")
    if _is_error(section):
        return DriverInfo(DriverState.UNEXPECTED, "NVML", f"NVML query failed: {section['error']}")
    status = section.get("status")
    if status == "library_not_found":
        tried = "; ".join(str(t.get("error")) for t in section.get("tried", []))
        return DriverInfo(DriverState.NOT_INSTALLED, "NVML", tried or "no NVML library")
    if status == "init_failed":
        init = section.get("init") or {}
        code = init.get("code")
        words = f"NVML error {code}: {init.get('error') or 'no error string'}"
        state = (
            _NVML_INIT_CODES.get(code, DriverState.FAILED)
            if isinstance(code, int)
            else (DriverState.FAILED)
        )
        return DriverInfo(state, "NVML", words)
    if status != "ok":
        return DriverInfo(DriverState.UNEXPECTED, "NVML", f"unknown NVML status {status!r}")
    errors: dict[str, Any] = section.get("errors") or {}
    cuda = section.get("cuda_driver_version")
    common: dict[str, Any] = {
        "driver_version": section.get("driver_version"),
        "cuda_version": cuda_version_from_int(cuda) if isinstance(cuda, int) and cuda else None,
    }
    if "device_count" not in section:
        failed = errors.get("device_count") or {}
        return DriverInfo(
            DriverState.FAILED,
            "NVML",
            f"NVML could not count GPUs: error {failed.get('code')}: {failed.get('error')}",
            **common,
        )
    gpus, notes = [], []
    for device in section.get("devices") or []:
        for what, failed in (device.get("errors") or {}).items():
            notes.append(f"GPU {device.get('index')}: no {what} (NVML: {failed.get('error')})")
        if "name" not in device and "uuid" not in device:
            continue
        cc = device.get("compute_capability")
        total = device.get("memory_total_bytes")
        gpus.append(
            Gpu(
                index=device.get("index"),
                name=device.get("name") or "unknown GPU",
                uuid=device.get("uuid"),
                memory_mib=total // MIB if isinstance(total, int) else None,
                compute_capability=(int(cc[0]), int(cc[1])) if cc else None,
            )
        )
    state = DriverState.READY if gpus else DriverState.NO_GPU
    return DriverInfo(state, "NVML", "", gpus=tuple(gpus), notes=tuple(notes), **common)


def from_smi(section: Any) -> DriverInfo:
    """Interpret the probe's "nvidia_smi" section (the last attempt counts)."""
    if not isinstance(section, dict):
        return DriverInfo(DriverState.UNEXPECTED, "nvidia-smi", "the probe reported nothing")
    if _is_error(section):
        return DriverInfo(
            DriverState.UNEXPECTED, "nvidia-smi", f"running nvidia-smi failed: {section['error']}"
        )
    if not section.get("found"):
        return DriverInfo(DriverState.NOT_INSTALLED, "nvidia-smi", "nvidia-smi not found")
    attempts = section.get("attempts") or []
    if not attempts:
        return DriverInfo(DriverState.UNEXPECTED, "nvidia-smi", "nvidia-smi was not run")
    last: dict[str, Any] = attempts[-1]
    if "start_error" in last:
        return DriverInfo(DriverState.FAILED, "nvidia-smi", str(last["start_error"]))
    if last.get("timed_out"):
        return DriverInfo(
            DriverState.TIMED_OUT,
            "nvidia-smi",
            f"nvidia-smi did not answer within {last.get('timeout_s')} s",
        )
    out, err = str(last.get("stdout") or ""), str(last.get("stderr") or "")
    said = out + "\n" + err
    named = classify_smi_output(said)
    if named is not None:
        return DriverInfo(named, "nvidia-smi", first_line(said))
    if last.get("returncode") != 0:
        words = first_line(said) or "no output"
        return DriverInfo(
            DriverState.FAILED,
            "nvidia-smi",
            f"nvidia-smi exited with code {last.get('returncode')}: {words}",
        )
    try:
        rows = parse_query_csv(out, _asked_fields(last.get("argv") or []))
        gpus = gpus_from_rows(rows)
    except CsvFormatError as exc:
        return DriverInfo(
            DriverState.UNEXPECTED, "nvidia-smi", f"unreadable nvidia-smi output: {exc}"
        )
    if not gpus:
        return DriverInfo(DriverState.UNEXPECTED, "nvidia-smi", "nvidia-smi printed no GPU rows")
    drivers = sorted({v for row in rows if (v := row.get("driver_version"))})
    lacks = any(
        _NO_COMPUTE_CAP in str(a.get("stdout") or "") + str(a.get("stderr") or "")
        for a in attempts[:-1]
    )
    notes = ("this nvidia-smi cannot report compute_cap",) if lacks else ()
    return DriverInfo(
        DriverState.READY,
        "nvidia-smi",
        "",
        driver_version=drivers[0] if drivers else None,
        gpus=tuple(gpus),
        notes=notes,
        smi_lacks_compute_cap=lacks,
    )


class ComputeCapGap(str, enum.Enum):
    """Why nvidia-smi could not report the compute capability, from the driver's version."""

    STALE_SMI = "stale_smi"
    """The driver is new enough; the nvidia-smi that ran is an older copy."""
    OLD_DRIVER = "old_driver"
    """The driver itself is from before nvidia-smi knew the field."""
    UNKNOWN = "unknown"
    """The driver's version does not tell which (or is unknown)."""


# Recorded answers: nvidia-smi 470.82.01 and 470.182.03 reject compute_cap
# (NVIDIA/TensorRT-LLM#735, huggingface/candle#733); 525.89.02 and later answer
# it (chelsea0x3b/dfdx#619, tests/fixtures/nvidia-smi). The driver_version field
# is the loaded driver's even when the nvidia-smi binary is older: an nvidia-smi
# 470.256.02 reports "Driver Version: 580.95.05" (canonical/inference-snaps#89).
SMI_WITHOUT_COMPUTE_CAP_BRANCH = 470
SMI_WITH_COMPUTE_CAP = "525.89.02"


def compute_cap_gap(info: DriverInfo) -> ComputeCapGap:
    """Whether an nvidia-smi without compute_cap is older than its driver, or the driver is."""
    try:
        driver = Version(info.driver_version or "")
    except InvalidVersion:
        return ComputeCapGap.UNKNOWN
    if driver >= Version(SMI_WITH_COMPUTE_CAP):
        return ComputeCapGap.STALE_SMI
    if driver.major <= SMI_WITHOUT_COMPUTE_CAP_BRANCH:
        return ComputeCapGap.OLD_DRIVER
    return ComputeCapGap.UNKNOWN


def _asked_fields(argv: list[str]) -> list[str] | None:
    for arg in argv:
        if arg.startswith("--query-gpu="):
            return arg.split("=", 1)[1].split(",")
    return None


def interpret(facts: dict[str, Any]) -> DriverInfo:
    """One verdict on the driver from both sources: NVML first, nvidia-smi second."""
    nvml = from_nvml(facts.get("nvml"))
    smi = from_smi(facts.get("nvidia_smi"))
    for state in (DriverState.READY, DriverState.NO_GPU):
        if nvml.state is state:
            return _fill_from_smi(nvml, smi)
        if smi.state is state:
            return smi
    nvml_rank, smi_rank = _PROBLEM_ORDER.index(nvml.state), _PROBLEM_ORDER.index(smi.state)
    chosen, other = (nvml, smi) if nvml_rank <= smi_rank else (smi, nvml)
    if chosen.state is DriverState.NOT_INSTALLED:
        return DriverInfo(
            DriverState.NOT_INSTALLED,
            "none",
            "no NVML library and no nvidia-smi",
            notes=(f"NVML: {nvml.message}", f"nvidia-smi: {smi.message}"),
        )
    notes = (f"{other.source}: {other.message}",) if other.message else ()
    return DriverInfo(chosen.state, chosen.source, chosen.message, notes=notes)


def _fill_from_smi(nvml: DriverInfo, smi: DriverInfo) -> DriverInfo:
    """NVML's answer, with compute capabilities nvidia-smi knew and NVML did not."""
    if smi.state is not DriverState.READY or all(g.compute_capability for g in nvml.gpus):
        return nvml
    if smi.smi_lacks_compute_cap:
        return replace(nvml, notes=nvml.notes + smi.notes, smi_lacks_compute_cap=True)
    by_uuid = {g.uuid: g for g in smi.gpus if g.uuid}
    gpus = []
    for gpu in nvml.gpus:
        twin = by_uuid.get(gpu.uuid) if gpu.uuid else None
        if gpu.compute_capability is None and twin and twin.compute_capability:
            gpu = replace(gpu, compute_capability=twin.compute_capability)
        gpus.append(gpu)
    return replace(nvml, gpus=tuple(gpus))
