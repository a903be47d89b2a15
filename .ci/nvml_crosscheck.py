"""Compare the nvidia probe's NVML answers with nvidia-ml-py's reading of the same driver.

    python .ci/nvml_crosscheck.py probe-nvidia.json

The probe reads NVML through its own ctypes declarations (it runs with the
standard library only); nvidia-ml-py is NVIDIA's own binding. Equal answers
on a real driver show the probe's structures and calls are right. Exit 0 when
every value agrees, 1 on a difference, 3 when nvidia-ml-py is not installed,
2 when the probe's file is unreadable. Used by .ci/gpu-check.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def reference() -> dict[str, Any]:
    import pynvml  # nvidia-ml-py

    pynvml.nvmlInit()
    try:
        count = pynvml.nvmlDeviceGetCount()
        devices = []
        for index in range(count):
            handle = pynvml.nvmlDeviceGetHandleByIndex(index)
            devices.append(
                {
                    "name": _text(pynvml.nvmlDeviceGetName(handle)),
                    "uuid": _text(pynvml.nvmlDeviceGetUUID(handle)),
                    "memory_total_bytes": int(pynvml.nvmlDeviceGetMemoryInfo(handle).total),
                    "compute_capability": list(pynvml.nvmlDeviceGetCudaComputeCapability(handle)),
                }
            )
        return {
            "driver_version": _text(pynvml.nvmlSystemGetDriverVersion()),
            "nvml_version": _text(pynvml.nvmlSystemGetNVMLVersion()),
            "cuda_driver_version": int(pynvml.nvmlSystemGetCudaDriverVersion_v2()),
            "device_count": count,
            "devices": devices,
        }
    finally:
        pynvml.nvmlShutdown()


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    try:
        doc = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
        nvml = doc["facts"]["nvml"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"{argv[1]}: not a probe_nvidia output ({exc})", file=sys.stderr)
        return 2
    try:
        theirs = reference()
    except ImportError:
        print("nvidia-ml-py is not installed: nothing to compare with")
        return 3
    pairs: list[tuple[str, Any, Any]] = [
        (key, nvml.get(key), theirs[key])
        for key in ("driver_version", "nvml_version", "cuda_driver_version", "device_count")
    ]
    ours_devices = nvml.get("devices") or []
    for index, device in enumerate(theirs["devices"]):
        mine = ours_devices[index] if index < len(ours_devices) else {}
        pairs += [(f"gpu{index}.{key}", mine.get(key), value) for key, value in device.items()]
    width = max(len(name) for name, _, _ in pairs)
    differ = 0
    print(f"NVML status in the probe: {nvml.get('status')}; library {nvml.get('library')}")
    for name, mine, ref in pairs:
        same = mine == ref
        differ += not same
        print(
            f"{name:<{width}}  {'same' if same else 'DIFFERENT'}  probe={mine!r}  "
            f"nvidia-ml-py={ref!r}"
        )
    if nvml.get("errors"):
        print(f"probe errors: {nvml['errors']!r}")
        differ += 1
    print(f"{len(pairs) - differ} of {len(pairs)} values agree")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
