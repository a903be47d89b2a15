"""Why TensorFlow sees no GPU though the NVIDIA driver lists some (nvidia.tensorflow_gpu).

The causes are tried from the environment outward: a CUDA_VISIBLE_DEVICES that
hides the GPUs, a platform without GPU support, a CPU-only build, then what
TensorFlow's own log says. No checks here: `envcheck.checks.nvidia` has them.
"""

from __future__ import annotations

import re

from packaging.version import InvalidVersion, Version

from envcheck.checks.base import Context, Evidence, Finding, ProbeUnavailable, warning
from envcheck.checks.nvidia_fixes import gpu_install_fix, libraries_fix
from envcheck.checks.tensorflow import missing_libraries
from envcheck.probing.models import NvidiaEnvironment, TfBuild, TfVersions

CPU_BUILD_SOURCE = (
    "TensorFlow's tf.config.list_physical_devices('GPU') lists no GPU in a CPU-only build, "
    "driver or not; tf.test.is_built_with_cuda() tells the two apart "
    "(https://www.tensorflow.org/api_docs/python/tf/test/is_built_with_cuda)"
)
_CUINIT = re.compile(r"failed call to cuInit: ([^\n]+)")
_IGNORED = re.compile(r"Ignoring visible gpu device \(([^)]*)\) with ([^\n]+)")
_DLOPEN = "Cannot dlopen some GPU libraries"
_TO_USE_IT = "The GPU is optional for the exam; to use it: "


def _seen(evidence: Evidence, source: str) -> Evidence:
    return {**evidence, "source": source}


def _hidden_by_env(ctx: Context) -> str | None:
    """The CUDA_VISIBLE_DEVICES that hides every GPU from TensorFlow, if it does."""
    try:
        value = ctx.read(NvidiaEnvironment).CUDA_VISIBLE_DEVICES
    except ProbeUnavailable:
        return None
    if value is None:
        return None
    entries = [v.strip() for v in value.split(",") if v.strip()]
    # CUDA stops at the first invalid entry: "" or "-1" hides every GPU.
    if not entries or entries[0].startswith("-"):
        return str(value)
    return None


def _tf_version(ctx: Context) -> Version | None:
    try:
        return Version(ctx.read(TfVersions).tensorflow)
    except (ProbeUnavailable, InvalidVersion):
        return None


def why_no_gpu(ctx: Context, system: str, n_driver: int, evidence: Evidence) -> Finding:
    """The driver lists GPUs and TensorFlow none: the settings and builds that explain it."""
    tf = _tf_version(ctx)
    build = ctx.read(TfBuild)

    lead = f"TensorFlow sees no GPU though the driver lists {n_driver}"

    hidden = _hidden_by_env(ctx)
    if hidden is not None:
        return warning(
            f"{lead}: CUDA_VISIBLE_DEVICES={hidden!r} hides them",
            fix=_TO_USE_IT + "unset CUDA_VISIBLE_DEVICES (or list GPU numbers in it).",
            **_seen(evidence, "CUDA_VISIBLE_DEVICES in this environment"),
        )
    last_gpu = Version(ctx.matrix.platform_rules.windows_native_gpu_last_tensorflow)
    if system == "Windows" and tf is not None and tf.release[:2] > last_gpu.release[:2]:
        return warning(
            f"{lead}: TensorFlow {tf} on native Windows has no GPU support (it ended with "
            f"{last_gpu})",
            fix=_TO_USE_IT + f"run TensorFlow in WSL2, or use TensorFlow {last_gpu} or older "
            "(the exam's 2.9 included) with its CUDA and cuDNN.",
            **_seen(evidence, ctx.matrix.platform_rules.windows_native_gpu_source),
        )
    if not build.is_built_with_cuda:
        return warning(
            f"{lead}: this TensorFlow{f' {tf}' if tf else ''} is a CPU-only build "
            "(e.g. tensorflow-cpu)",
            fix=_TO_USE_IT + gpu_install_fix(ctx, tf, system),
            **_seen(evidence, CPU_BUILD_SOURCE),
        )
    return _log_cause(ctx, tf, system, lead, evidence)


def _log_cause(
    ctx: Context, tf: Version | None, system: str, lead: str, evidence: Evidence
) -> Finding:
    """What TensorFlow's own log says about why a CUDA build uses no GPU."""
    details = evidence["details"]

    log = ctx.probe("tensorflow").stderr_tail
    libs = missing_libraries(log)
    if libs or _DLOPEN in log:
        named = ", ".join(libs) if libs else "some GPU libraries (not named in its log)"
        details["missing_libraries"] = libs
        return warning(
            f"{lead}: TensorFlow could not load {named}",
            fix=_TO_USE_IT + libraries_fix(ctx, tf, system, libs),
            **_seen(evidence, ctx.matrix.tensorflow_builds_source),
        )
    cuinit = _CUINIT.search(log)
    if cuinit:
        details["cuinit"] = cuinit.group(1).strip()
        return warning(
            f"{lead}: CUDA failed to start ({cuinit.group(1).strip()})",
            fix=_TO_USE_IT + "check nvidia.driver_version: a driver older than the CUDA "
            "TensorFlow was built with, or an updated driver without a reboot, are the usual "
            "causes.",
            **_seen(evidence, "TensorFlow's log (failed call to cuInit)"),
        )
    ignored = _IGNORED.search(log)
    if ignored:
        return warning(
            f"{lead}: TensorFlow ignores the GPU ({ignored.group(2).strip()})",
            fix=_TO_USE_IT + "a GPU of higher compute capability (see nvidia.compute_capability).",
            **_seen(evidence, "TensorFlow's log (Ignoring visible gpu device)"),
        )
    return warning(
        f"{lead}, and TensorFlow's log does not say why",
        fix=_TO_USE_IT + 'run `python -c "import tensorflow as tf; '
        "print(tf.config.list_physical_devices('GPU'))\"` in this interpreter with "
        "TF_CPP_MIN_LOG_LEVEL=0 and read the messages about CUDA.",
        **_seen(evidence, CPU_BUILD_SOURCE),
    )
