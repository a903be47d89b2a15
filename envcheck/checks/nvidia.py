"""NVIDIA GPU checks: the driver, its version, the GPUs, and whether TensorFlow uses them.

The GPU is optional for the exam, so nothing here is ever a failure: no
driver is fine (CPU-only), and a driver that is installed but broken, too
old, or unused by TensorFlow is a warning with the fix, because a candidate
who has a GPU usually wants to train on it. Facts come from the `nvidia`
probe (NVML, then nvidia-smi) as interpreted by `envcheck.gpu`, and from the
`tensorflow` and `system` probes. Helpers beside this module hold no checks:
nvidia_cuda.py (the build's CUDA and architectures), nvidia_fixes.py (the fix
hints) and nvidia_tf.py (why TensorFlow sees no GPU).
"""

from __future__ import annotations

from typing import Any

from packaging.version import InvalidVersion, Version

from envcheck import gpu
from envcheck.checks.base import (
    Check,
    Context,
    Finding,
    ProbeUnavailable,
    check,
    error,
    ok,
    skipped,
    warning,
)
from envcheck.checks.nvidia_cuda import (
    Coverage,
    build_archs,
    built_cuda,
    cc_floor,
    coverage,
    ptx_only_gpus,
)
from envcheck.checks.nvidia_fixes import OPTIONAL, broken_fix, unknown_cc_fix
from envcheck.checks.nvidia_tf import why_no_gpu
from envcheck.gpu import DriverInfo, DriverState, Gpu
from envcheck.matrix import DriverMinimum
from envcheck.probing.models import (
    NvidiaFacts,
    SystemOs,
    TfBuild,
    TfDevices,
)
from envcheck.words import plural

CHECKS: list[Check] = []

OPTIONAL_SOURCE = (
    "Exam setup guide (Setting_Up_TF_Developer_Certificate_Exam.pdf): no minimum hardware; "
    "a GPU is optional"
)
JIT_SOURCE = (
    "TensorFlow's own warning (gpu_device.cc): 'CUDA kernels will be jit-compiled from PTX, "
    "which could take 30 minutes or longer' (tensorflow#60739, #62320); sm_XY builds run on "
    "compute capability X.Y-X.9, compute_XY (PTX) on X.Y and newer: CUDA C++ Programming "
    "Guide, 'Binary Compatibility'"
)
SMI_SOURCE = (
    "nvidia-smi of R470 and older rejects the compute_cap query field (NVIDIA/TensorRT-LLM#735, "
    "huggingface/candle#733); an older nvidia-smi beside a newer driver reports the driver's "
    "version (canonical/inference-snaps#89)"
)

_BROKEN_SUMMARY = {
    DriverState.CANNOT_COMMUNICATE: "the NVIDIA driver is installed but not running",
    DriverState.VERSION_MISMATCH: "the NVIDIA driver was updated but the old one is still loaded",
    DriverState.LIBRARY_NOT_FOUND: "nvidia-smi is installed but the NVIDIA library (NVML) is not",
    DriverState.NVML_UNKNOWN_ERROR: "the NVIDIA driver fails with an unknown error",
    DriverState.FAILED: "the NVIDIA driver is installed but did not answer",
    DriverState.TIMED_OUT: "the NVIDIA driver did not answer in time",
}


def driver_info(ctx: Context) -> DriverInfo:
    """The interpreted `nvidia` probe; also kept in ctx.shared for the report's facts."""
    info = gpu.interpret(ctx.read(NvidiaFacts).raw)
    ctx.shared["nvidia"] = info.to_dict()
    return info


def _os(ctx: Context) -> tuple[str, bool]:
    """(platform.system(), is WSL) of this machine; the nvidia probe's platform if need be."""
    try:
        os_info = ctx.read(SystemOs)
        return os_info.system, bool(os_info.wsl)
    except ProbeUnavailable:
        plat = ctx.read(NvidiaFacts).platform or ""
        system = {"win32": "Windows", "darwin": "Darwin"}.get(plat, "Linux")
        return system, False


def _describe(g: Gpu) -> str:
    parts = [
        p
        for p in (
            f"{g.memory_mib / 1024:.0f} GiB" if g.memory_mib else None,
            f"compute capability {g.compute_capability_str}" if g.compute_capability else None,
        )
        if p
    ]
    return g.name + (f" ({', '.join(parts)})" if parts else "")


def _not_checked(info: DriverInfo) -> Finding:
    reason = {
        DriverState.NOT_INSTALLED: "no NVIDIA GPU (CPU-only machine)",
        DriverState.NO_GPU: "the NVIDIA driver lists no GPU",
        DriverState.UNEXPECTED: "the NVIDIA driver's state is unknown (see nvidia.driver)",
    }.get(info.state, "the NVIDIA driver is not working (see nvidia.driver)")
    return skipped(f"not checked: {reason}", details={"driver_state": info.state.value})


@check("nvidia.driver", "NVIDIA driver and GPUs", owns=("nvidia",), registry=CHECKS)
def driver_check(ctx: Context) -> Finding:
    """The NVIDIA driver answers (NVML, then nvidia-smi) and lists GPUs; no driver is fine."""
    info = driver_info(ctx)
    details = info.to_dict()
    if info.state is DriverState.READY:
        version = info.driver_version or "(version unknown)"
        cuda = f", supports CUDA {info.cuda_version}" if info.cuda_version else ""
        gpus = "; ".join(_describe(g) for g in info.gpus)
        return ok(
            f"NVIDIA driver {version}{cuda}; {plural(len(info.gpus), 'GPU')}: {gpus}",
            observed=f"driver {version}" + (f" (CUDA {info.cuda_version})" if cuda else ""),
            expected="optional",
            source=OPTIONAL_SOURCE,
            details=details,
        )
    if info.state is DriverState.NOT_INSTALLED:
        return ok(
            f"CPU-only: no NVIDIA GPU; {OPTIONAL}",
            observed="no NVIDIA driver",
            expected="optional",
            source=OPTIONAL_SOURCE,
            details=details,
        )
    if info.state is DriverState.NO_GPU:
        version = f" {info.driver_version}" if info.driver_version else ""
        return ok(
            f"NVIDIA driver{version} is installed but lists no GPU; training runs on the "
            f"CPU ({OPTIONAL})",
            observed="driver, no GPU",
            expected="optional",
            source=OPTIONAL_SOURCE,
            details=details,
        )
    if info.state is DriverState.UNEXPECTED:
        return error(
            f"could not determine the NVIDIA driver's state: {info.message}",
            fix="Run `nvidia-smi` by hand; if it works, please report this with the output of "
            "`tfcert-envcheck check -v`.",
            observed=info.message,
            details=details,
        )
    system, wsl = _os(ctx)
    return warning(
        f"{_BROKEN_SUMMARY[info.state]} ({info.source}: {info.message})",
        fix=broken_fix(info.state, system, wsl),
        observed=info.message,
        expected="a working NVIDIA driver, or none",
        source=OPTIONAL_SOURCE,
        details=details,
    )


@check("nvidia.driver_version", "Driver new enough for TensorFlow's CUDA", registry=CHECKS)
def driver_version_check(ctx: Context) -> Finding:
    """The driver must be at least the minimum for the CUDA version TensorFlow was built with."""
    info = driver_info(ctx)
    if info.state is not DriverState.READY:
        return _not_checked(info)
    build = ctx.read(TfBuild)
    if not build.is_built_with_cuda:
        return skipped(
            "not checked: this TensorFlow is a CPU-only build and does not use the "
            "driver (see nvidia.tensorflow_gpu)"
        )
    cuda, cuda_source = built_cuda(ctx, build)
    if cuda is None:
        return error(
            "could not determine the CUDA version TensorFlow was built with: its build info "
            "has none and the version is not in the tested build table",
            fix="Update compat_matrix.yaml's tensorflow_builds (see `tfcert-envcheck matrix`).",
            details={"build_info": build.raw.get("build_info")},
        )
    row = ctx.matrix.driver_minimum(cuda)
    if row is None:
        return error(
            f"could not determine the minimum driver: compat_matrix.yaml has no "
            f"driver_minimums row for CUDA {cuda}",
            fix="Add a driver_minimums row for this CUDA version to a copy of the matrix and "
            "pass it with --matrix, or update tfcert-envcheck.",
            observed=f"CUDA {cuda}",
            source=cuda_source,
        )
    return _compare_driver(ctx, info, cuda, cuda_source, row)


def _compare_driver(
    ctx: Context, info: DriverInfo, cuda: str, cuda_source: str, row: DriverMinimum
) -> Finding:
    """The driver's version against the minimum for `cuda` (and for PTX of it, if needed)."""
    system, wsl = _os(ctx)
    windows_driver = system == "Windows" or wsl
    minimum = row.windows if windows_driver else row.linux
    where = "Windows" if system == "Windows" else "WSL2 (Windows driver)" if wsl else "Linux"
    expected = f">= {minimum} (CUDA {cuda}, {where})"
    details: dict[str, Any] = {
        "cuda": cuda,
        "cuda_source": cuda_source,
        "matrix_cuda": row.cuda,
        "driver_cuda": info.cuda_version,
    }
    if info.driver_version is None:
        return error(
            "could not determine the driver version (the driver did not report it)",
            fix="Run `nvidia-smi` and compare its driver version with " + expected,
            expected=expected,
            source=row.source,
            details=details,
        )
    try:
        too_old = Version(info.driver_version) < Version(minimum)
    except InvalidVersion:
        return error(
            f"could not compare the driver version {info.driver_version!r}",
            fix="Run `nvidia-smi` and compare its driver version with " + expected,
            observed=info.driver_version,
            expected=expected,
            source=row.source,
            details=details,
        )
    observed = f"driver {info.driver_version}"
    if too_old:
        return warning(
            f"driver {info.driver_version} is older than {minimum}, the minimum for CUDA {cuda} "
            "that this TensorFlow was built with: TensorFlow cannot use the GPU",
            fix=f"Update the NVIDIA driver to {minimum} or newer (nvidia.com/drivers, or your "
            f"distribution's driver packages); until then training runs on the CPU.",
            observed=observed,
            expected=expected,
            source=row.source,
            details=details,
        )
    ptx_minimum = (row.ptx_jit_windows if windows_driver else row.ptx_jit_linux) or minimum
    ptx_only = ptx_only_gpus(ctx, info)
    if ptx_only and Version(info.driver_version) < Version(ptx_minimum):
        names = ", ".join(f"{g.name} ({g.compute_capability_str})" for g in ptx_only)
        them = "it" if len(ptx_only) == 1 else "them"
        details["ptx_only_gpus"] = [g.to_dict() for g in ptx_only]
        return warning(
            f"{names}: this TensorFlow has only PTX for {them}, and driver "
            f"{info.driver_version} cannot JIT-compile PTX of CUDA {cuda} (that needs "
            f"{ptx_minimum}, the CUDA {cuda} toolkit's own driver): TensorFlow cannot run its "
            f"kernels on {them}",
            fix=f"Update the NVIDIA driver to {ptx_minimum} or newer; {minimum} is enough only "
            f"for GPUs this TensorFlow has machine code for ({OPTIONAL}).",
            observed=observed,
            expected=f">= {ptx_minimum} (CUDA {cuda}, {where})",
            source=row.source,
            details=details,
        )
    return ok(
        f"driver {info.driver_version} >= {minimum}, the minimum for CUDA {cuda}",
        observed=observed,
        expected=expected,
        source=row.source,
        details=details,
    )


@check("nvidia.compute_capability", "GPU compute capability", registry=CHECKS)
def compute_capability_check(ctx: Context) -> Finding:
    """Each GPU's CUDA compute capability against the lowest TensorFlow runs on."""
    info = driver_info(ctx)
    if info.state is not DriverState.READY:
        return _not_checked(info)
    archs, tf_version = build_archs(ctx)
    floor, floor_text, source = cc_floor(ctx, archs)
    expected = f">= {floor_text}"
    details: dict[str, Any] = {"gpus": [g.to_dict() for g in info.gpus], "minimum": floor_text}
    known = [g for g in info.gpus if g.compute_capability]
    if not known:
        system, _ = _os(ctx)
        details["cause"] = gpu.compute_cap_gap(info).value
        return warning(
            "could not determine the GPUs' compute capability: "
            + (
                "this nvidia-smi cannot report it"
                if info.smi_lacks_compute_cap
                else "the driver did not report it"
            ),
            fix=unknown_cc_fix(info, system),
            expected=expected,
            source=SMI_SOURCE if info.smi_lacks_compute_cap else source,
            details=details,
        )
    observed = ", ".join(f"{g.name}: {g.compute_capability_str}" for g in known)
    too_low = [g for g in known if g.compute_capability and g.compute_capability < floor]
    if too_low:
        names = ", ".join(f"{g.name} ({g.compute_capability_str})" for g in too_low)
        usable = len(known) - len(too_low)
        return warning(
            f"{names}: compute capability below {floor_text}, so TensorFlow ignores "
            f"{'it' if len(too_low) == 1 else 'them'}"
            + (
                f" ({plural(usable, 'other GPU')} usable)"
                if usable
                else "; training runs on the CPU"
            ),
            fix=f"Nothing to do for the exam ({OPTIONAL}). To train on a GPU you need one of "
            f"compute capability {floor_text} or higher.",
            observed=observed,
            expected=expected,
            source=source,
            details=details,
        )
    details["built_for"] = archs or None
    problem = _coverage_finding(known, archs, tf_version, observed, details)
    if problem is not None:
        return problem
    unknown = len(info.gpus) - len(known)
    note = f" ({plural(unknown, 'GPU')} did not report it)" if unknown else ""
    return ok(
        f"compute capability {observed}{note}",
        observed=observed,
        expected=expected,
        source=source,
        details=details,
    )


def _coverage_finding(
    known: list[Gpu],
    archs: list[str],
    tf_version: str | None,
    observed: str,
    details: dict[str, Any],
) -> Finding | None:
    """A warning for GPUs this build has no kernels (or only PTX) for; None if all have them."""
    covered = {
        g: coverage(g.compute_capability, archs) for g in known if g.compute_capability and archs
    }
    tf_name = f"TensorFlow {tf_version}" if tf_version else "This TensorFlow"
    built = ", ".join(archs)
    for kind in (Coverage.NONE, Coverage.PTX):  # the worse problem first
        gpus = [g for g, c in covered.items() if c is kind]
        if not gpus:
            continue
        cc = gpus[0].compute_capability_str
        names = ", ".join(f"{g.name} ({g.compute_capability_str})" for g in gpus)
        if kind is Coverage.NONE:
            summary = (
                f"{tf_name} has no CUDA kernels for compute capability {cc} (built for "
                f"{built}), so it cannot train on {'it' if len(gpus) == 1 else 'them'}"
            )
            fix = (
                f"Nothing to do for the exam ({OPTIONAL}): training runs on the CPU. To "
                "use this GPU, use a TensorFlow release built for it."
            )
            wanted = f"a build for {cc}"
        else:
            summary = (
                f"{tf_name} has no CUDA machine code for compute capability {cc} (built "
                f"for {built}); the driver JIT-compiles its kernels from PTX at first "
                "use, which can take 30 minutes or longer"
            )
            fix = (
                "Before the exam, train any small model on the GPU once and let it finish "
                "(the compiled kernels are cached for later runs; set "
                "CUDA_CACHE_MAXSIZE=4294967296 if they do not fit the driver's cache), or "
                "train on the CPU."
            )
            wanted = f"machine code for {cc}"
        return warning(
            f"{names}: {summary}",
            fix=fix,
            observed=observed,
            expected=wanted,
            source=JIT_SOURCE,
            details=details,
        )
    return None


@check("nvidia.tensorflow_gpu", "TensorFlow uses the GPU", registry=CHECKS)
def tensorflow_gpu_check(ctx: Context) -> Finding:
    """The driver lists GPUs: does TensorFlow see them too, and if not, why not."""
    info = driver_info(ctx)
    if info.state is not DriverState.READY:
        return _not_checked(info)
    devices = ctx.read(TfDevices)
    tf_gpus = devices.gpus
    n_driver = len(info.gpus)
    observed = f"TensorFlow: {plural(len(tf_gpus), 'GPU')}; driver: {plural(n_driver, 'GPU')}"
    expected = "TensorFlow sees the driver's GPUs"
    details: dict[str, Any] = {
        "tensorflow_gpus": devices.raw.get("gpus") or [],
        "driver_gpus": n_driver,
    }
    if tf_gpus:
        names = ", ".join(str(g.name) for g in tf_gpus)
        some = "" if len(tf_gpus) >= n_driver else f" of the {n_driver} the driver lists"
        return ok(
            f"TensorFlow sees {plural(len(tf_gpus), 'GPU')}{some}: {names}",
            observed=observed,
            expected=expected,
            details=details,
        )

    system, _ = _os(ctx)
    return why_no_gpu(
        ctx, system, n_driver, {"observed": observed, "expected": expected, "details": details}
    )
