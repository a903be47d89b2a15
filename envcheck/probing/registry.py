"""Every probe the tool knows, in one place: where it runs and its time limit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class ProbeSpec:
    name: str
    runs_in: Literal["target", "tool"]
    """'target': the interpreter under test (its TensorFlow, its view of the CPU);
    'tool': this tool's own Python (machine facts that need no target, such as the GPU driver)."""
    timeout_s: float
    description: str
    module: str | None = None
    """A tool-side module run as `python -m module <target>` instead of probes/probe_<name>.py."""
    memory_share: float | None = None
    """Cap the probe at this share of the memory available when it starts (see
    runner.memory_cap_mb): a benchmark must stop itself, not freeze the machine."""


PROBES: dict[str, ProbeSpec] = {
    spec.name: spec
    for spec in (
        ProbeSpec("python", "target", 30, "the interpreter: version, origin, venv"),
        ProbeSpec(
            "system", "target", 30, "OS, architecture and CPU features as the target sees them"
        ),
        ProbeSpec(
            "pip",
            "tool",
            60,
            "the target's distributions through pip-api (`pip list`)",
            module="envcheck.probing.pip_list",
        ),
        ProbeSpec("packages", "target", 60, "installed distributions from metadata (no imports)"),
        ProbeSpec(
            "tensorflow", "target", 120, "imports TensorFlow: version, Keras, build, devices"
        ),
        ProbeSpec("nvidia", "tool", 30, "NVIDIA driver and GPUs through NVML, then nvidia-smi"),
        # The quick benchmark aims at 60 s on 2 cores; a full reference run
        # (bench --full) passes its own, longer limit (envcheck.bench.measure).
        ProbeSpec(
            "bench",
            "target",
            240,
            "trains the five exam workloads briefly and times them",
            memory_share=0.75,
        ),
    )
}
