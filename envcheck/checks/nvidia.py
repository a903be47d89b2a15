"""NVIDIA GPU checks: the driver, its version, the GPUs, and whether TensorFlow uses them.

The GPU is optional for the exam, so nothing here is ever a failure: no
driver is fine (CPU-only), and a driver that is installed but broken, too
old, or unused by TensorFlow is a warning with the fix, because a candidate
who has a GPU usually wants to train on it. Facts come from the `nvidia`
probe (NVML, then nvidia-smi) as interpreted by `envcheck.gpu`, and from the
`tensorflow` and `system` probes.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from typing import Any

from packaging.version import InvalidVersion, Version

from envcheck import gpu
from envcheck.checks import hints
from envcheck.checks.base import (
    Check,
    Context,
    Evidence,
    Finding,
    ProbeUnavailable,
    check,
    error,
    ok,
    skipped,
    warning,
)
from envcheck.checks.tensorflow import missing_libraries
from envcheck.gpu import ComputeCapGap, DriverInfo, DriverState, Gpu
from envcheck.probing.models import (
    NvidiaEnvironment,
    NvidiaFacts,
    SystemOs,
    TfBuild,
    TfDevices,
    TfVersions,
)

CHECKS: list[Check] = []

OPTIONAL_SOURCE = (
    "Exam setup guide (Setting_Up_TF_Developer_Certificate_Exam.pdf): no minimum hardware; "
    "a GPU is optional"
)
CPU_BUILD_SOURCE = (
    "TensorFlow's tf.config.list_physical_devices('GPU') lists no GPU in a CPU-only build, "
    "driver or not; tf.test.is_built_with_cuda() tells the two apart "
    "(https://www.tensorflow.org/api_docs/python/tf/test/is_built_with_cuda)"
)
BUILD_ARCH_SOURCE = "tf.sysconfig.get_build_info()['cuda_compute_capabilities'] of this TensorFlow"
JIT_SOURCE = (
    "TensorFlow's own warning (gpu_device.cc): 'CUDA kernels will be jit-compiled from PTX, "
    "which could take 30 minutes or longer' (tensorflow#60739, #62320); sm_XY builds run on "
    "compute capability X.Y-X.9, compute_XY (PTX) on X.Y and newer: CUDA C++ Programming "
    "Guide, 'Binary Compatibility'"
)
_OPTIONAL = "the GPU is optional for the exam"
CC_LOOKUP = "developer.nvidia.com/cuda-gpus"
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

_CUINIT = re.compile(r"failed call to cuInit: ([^\n]+)")
_IGNORED = re.compile(r"Ignoring visible gpu device \(([^)]*)\) with ([^\n]+)")
_DLOPEN = "Cannot dlopen some GPU libraries"
_WINDOWS_CUDA = re.compile(r"^64_(\d)(\d)(\d)?$")
_ARCH = re.compile(r"^(?:sm|compute)_(\d+)(\d)[a-z]?$")


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
    parts = [p for p in (
        f"{g.memory_mib / 1024:.0f} GiB" if g.memory_mib else None,
        f"compute capability {g.compute_capability_str}" if g.compute_capability else None,
    ) if p]
    return g.name + (f" ({', '.join(parts)})" if parts else "")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _not_checked(info: DriverInfo) -> Finding:
    reason = {
        DriverState.NOT_INSTALLED: "no NVIDIA GPU (CPU-only machine)",
        DriverState.NO_GPU: "the NVIDIA driver lists no GPU",
        DriverState.UNEXPECTED: "the NVIDIA driver's state is unknown (see nvidia.driver)",
    }.get(info.state, "the NVIDIA driver is not working (see nvidia.driver)")
    return skipped(f"not checked: {reason}", details={"driver_state": info.state.value})


def _broken_fix(state: DriverState, system: str, wsl: bool) -> str:
    tail = f" If this machine has no NVIDIA GPU, ignore this: {_OPTIONAL}."
    if state is DriverState.CANNOT_COMMUNICATE:
        if wsl:
            how = ("In WSL2 the driver comes from Windows: install or update the NVIDIA driver "
                   "on Windows, never a Linux driver inside WSL, then run `wsl --shutdown`.")
        elif system == "Windows":
            how = "Reboot; if that does not help, reinstall the driver from nvidia.com."
        else:
            how = ("Reboot; if that does not help, reinstall the driver. `lsmod | grep nvidia` "
                   "shows whether the kernel module loaded; Secure Boot can block it.")
        return how + tail
    if state is DriverState.VERSION_MISMATCH:
        return ("Reboot, so that the kernel loads the updated driver. If it persists, the "
                "driver packages are of mixed versions: reinstall one driver version." + tail)
    if state is DriverState.LIBRARY_NOT_FOUND:
        return ("Reinstall the NVIDIA driver (libnvidia-ml is part of it). Inside a Docker "
                "container, start it with `--gpus all` (NVIDIA Container Toolkit)." + tail)
    if state is DriverState.NVML_UNKNOWN_ERROR:
        return ("Reboot. Inside a container this means it lost access to the GPU devices "
                "(e.g. after a systemd daemon-reload on the host, NVIDIA/nvidia-docker#1671): "
                "restart the container." + tail)
    if state is DriverState.TIMED_OUT:
        return ("The driver may be hung: reboot. On Linux, `sudo dmesg | grep -i xid` shows "
                "GPU errors." + tail)
    return ("Run `nvidia-smi` to see the full error; reinstalling the driver usually fixes "
            "it." + tail)


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
            f"NVIDIA driver {version}{cuda}; {_plural(len(info.gpus), 'GPU')}: {gpus}",
            observed=f"driver {version}" + (f" (CUDA {info.cuda_version})" if cuda else ""),
            expected="optional", source=OPTIONAL_SOURCE, details=details,
        )
    if info.state is DriverState.NOT_INSTALLED:
        return ok(f"CPU-only: no NVIDIA GPU; {_OPTIONAL}", observed="no NVIDIA driver",
                  expected="optional", source=OPTIONAL_SOURCE, details=details)
    if info.state is DriverState.NO_GPU:
        version = f" {info.driver_version}" if info.driver_version else ""
        return ok(f"NVIDIA driver{version} is installed but lists no GPU; training runs on the "
                  f"CPU ({_OPTIONAL})", observed="driver, no GPU", expected="optional",
                  source=OPTIONAL_SOURCE, details=details)
    if info.state is DriverState.UNEXPECTED:
        return error(
            f"could not determine the NVIDIA driver's state: {info.message}",
            fix="Run `nvidia-smi` by hand; if it works, please report this with the output of "
            "`tfcert-envcheck check -v`.",
            observed=info.message, details=details,
        )
    system, wsl = _os(ctx)
    return warning(
        f"{_BROKEN_SUMMARY[info.state]} ({info.source}: {info.message})",
        fix=_broken_fix(info.state, system, wsl),
        observed=info.message, expected="a working NVIDIA driver, or none",
        source=OPTIONAL_SOURCE, details=details,
    )


def tf_cuda_version(raw: str | None) -> str | None:
    """The CUDA version in get_build_info(): "11.2" on Linux, "64_112" on Windows."""
    if not raw:
        return None
    windows = _WINDOWS_CUDA.match(raw)
    if windows:
        major, minor, extra = windows.groups()
        return f"{major}{minor}.{extra}" if extra else f"{major}.{minor}"
    try:
        Version(raw)
    except InvalidVersion:
        return None
    return raw


def _built_cuda(ctx: Context, build: TfBuild) -> tuple[str | None, str]:
    cuda = tf_cuda_version(build.build_info.cuda_version)
    if cuda:
        return cuda, "tf.sysconfig.get_build_info()"
    row = ctx.matrix.build_for(ctx.read(TfVersions).tensorflow)
    if row is None:
        return None, ""
    return row.cuda, ctx.matrix.tensorflow_builds_source


@check("nvidia.driver_version", "Driver new enough for TensorFlow's CUDA", registry=CHECKS)
def driver_version_check(ctx: Context) -> Finding:
    """The driver must be at least the minimum for the CUDA version TensorFlow was built with."""
    info = driver_info(ctx)
    if info.state is not DriverState.READY:
        return _not_checked(info)
    build = ctx.read(TfBuild)
    if not build.is_built_with_cuda:
        return skipped("not checked: this TensorFlow is a CPU-only build and does not use the "
                       "driver (see nvidia.tensorflow_gpu)")
    cuda, cuda_source = _built_cuda(ctx, build)
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
            observed=f"CUDA {cuda}", source=cuda_source,
        )
    system, wsl = _os(ctx)
    windows_driver = system == "Windows" or wsl
    minimum = row.windows if windows_driver else row.linux
    where = "Windows" if system == "Windows" else "WSL2 (Windows driver)" if wsl else "Linux"
    expected = f">= {minimum} (CUDA {cuda}, {where})"
    details: dict[str, Any] = {"cuda": cuda, "cuda_source": cuda_source,
                               "matrix_cuda": row.cuda, "driver_cuda": info.cuda_version}
    if info.driver_version is None:
        return error("could not determine the driver version (the driver did not report it)",
                     fix="Run `nvidia-smi` and compare its driver version with " + expected,
                     expected=expected, source=row.source, details=details)
    try:
        too_old = Version(info.driver_version) < Version(minimum)
    except InvalidVersion:
        return error(f"could not compare the driver version {info.driver_version!r}",
                     fix="Run `nvidia-smi` and compare its driver version with " + expected,
                     observed=info.driver_version, expected=expected, source=row.source,
                     details=details)
    observed = f"driver {info.driver_version}"
    if too_old:
        return warning(
            f"driver {info.driver_version} is older than {minimum}, the minimum for CUDA {cuda} "
            "that this TensorFlow was built with: TensorFlow cannot use the GPU",
            fix=f"Update the NVIDIA driver to {minimum} or newer (nvidia.com/drivers, or your "
            f"distribution's driver packages); until then training runs on the CPU.",
            observed=observed, expected=expected, source=row.source, details=details,
        )
    ptx_minimum = (row.ptx_jit_windows if windows_driver else row.ptx_jit_linux) or minimum
    ptx_only = _ptx_only_gpus(ctx, info)
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
            f"for GPUs this TensorFlow has machine code for ({_OPTIONAL}).",
            observed=observed, expected=f">= {ptx_minimum} (CUDA {cuda}, {where})",
            source=row.source, details=details,
        )
    return ok(f"driver {info.driver_version} >= {minimum}, the minimum for CUDA {cuda}",
              observed=observed, expected=expected, source=row.source, details=details)


def _ptx_only_gpus(ctx: Context, info: DriverInfo) -> list[Gpu]:
    """The GPUs this TensorFlow build reaches only through PTX (see nvidia.compute_capability)."""
    archs, _ = _build_archs(ctx)
    if not archs:
        return []
    return [g for g in info.gpus
            if g.compute_capability and coverage(g.compute_capability, archs) is Coverage.PTX]


def parse_arch(arch: str) -> tuple[int, int] | None:
    """ "sm_35" or "compute_80" (get_build_info's architectures) as (3, 5) or (8, 0)."""
    match = _ARCH.match(arch)
    return (int(match.group(1)), int(match.group(2))) if match else None


class Coverage(str, enum.Enum):
    """How a TensorFlow build's CUDA kernels reach a GPU of one compute capability."""

    BINARY = "binary"
    """Machine code (an sm_XY build of the same major version, minor <= the GPU's)."""
    PTX = "ptx"
    """Only PTX of an older architecture: the driver JIT-compiles every kernel first."""
    NONE = "none"
    """Neither: TensorFlow cannot run its kernels on this GPU."""


def coverage(cc: tuple[int, int], archs: Iterable[str]) -> Coverage:
    """Which kernels of a build with these architectures run on compute capability `cc`.

    TensorFlow's build lists "sm_XY" for machine code and "compute_XY" for PTX.
    """
    parsed = [(str(a).startswith("compute_"), parse_arch(str(a))) for a in archs]
    if any(not ptx and v and v[0] == cc[0] and v[1] <= cc[1] for ptx, v in parsed):
        return Coverage.BINARY
    if any(ptx and v and v <= cc for ptx, v in parsed):
        return Coverage.PTX
    return Coverage.NONE


def _build_archs(ctx: Context) -> tuple[list[str], str | None]:
    """The CUDA architectures this TensorFlow was built for, and its version (or [])."""
    try:
        build = ctx.read(TfBuild)
    except ProbeUnavailable:
        return [], None
    if not build.is_built_with_cuda:
        return [], None
    archs = build.build_info.cuda_compute_capabilities or []
    try:
        version: str | None = ctx.read(TfVersions).tensorflow
    except ProbeUnavailable:
        version = None
    return [str(a) for a in archs if parse_arch(str(a))], version


def _cc_floor(ctx: Context, archs: list[str]) -> tuple[tuple[int, int], str, str]:
    """The lowest compute capability TensorFlow runs on: (value, as text, source).

    `archs` is what `_build_archs` found; a CUDA build whose lowest architecture is
    above the matrix's floor raises it.
    """
    matrix_floor = Version(ctx.matrix.gpu.min_compute_capability)
    floor = (matrix_floor.major, matrix_floor.minor)
    built = [a for a in (parse_arch(x) for x in archs) if a]
    if built and min(built) > floor:
        lowest = min(built)
        return lowest, f"{lowest[0]}.{lowest[1]}", BUILD_ARCH_SOURCE
    return floor, ctx.matrix.gpu.min_compute_capability, ctx.matrix.gpu.source


def _unknown_cc_fix(info: DriverInfo, system: str) -> str:
    """What to do when the compute capability is unknown: it depends on which is old."""
    which = "`where nvidia-smi`" if system == "Windows" else "`which -a nvidia-smi`"
    stale = (f"This nvidia-smi is older than driver {info.driver_version}: an old copy found "
             f"first on PATH, or one bundled in a container or snap. {which} lists the copies; "
             "run the one installed with the driver.")
    old = ("Driver {v}is too old to report it: update the NVIDIA driver (R525 or newer "
           "reports it).").format(v=f"{info.driver_version} " if info.driver_version else "")
    lookup = (f"Meanwhile look your GPU up at {CC_LOOKUP}; the GPU is optional for the exam, so "
              "nothing here stops you.")
    if not info.smi_lacks_compute_cap:
        return f"Updating the NVIDIA driver usually makes it report it. {lookup}"
    gap = gpu.compute_cap_gap(info)
    if gap is ComputeCapGap.STALE_SMI:
        return f"{stale} {lookup}"
    if gap is ComputeCapGap.OLD_DRIVER:
        return f"{old} {lookup}"
    both = ("Either the driver is too old to report it (then update the NVIDIA driver), or "
            f"the nvidia-smi that ran is older than the driver ({which} lists the copies; run "
            "the one installed with the driver).")
    return f"{both} {lookup}"


@check("nvidia.compute_capability", "GPU compute capability", registry=CHECKS)
def compute_capability_check(ctx: Context) -> Finding:
    """Each GPU's CUDA compute capability against the lowest TensorFlow runs on."""
    info = driver_info(ctx)
    if info.state is not DriverState.READY:
        return _not_checked(info)
    archs, tf_version = _build_archs(ctx)
    floor, floor_text, source = _cc_floor(ctx, archs)
    expected = f">= {floor_text}"
    details: dict[str, Any] = {"gpus": [g.to_dict() for g in info.gpus], "minimum": floor_text}
    known = [g for g in info.gpus if g.compute_capability]
    if not known:
        system, _ = _os(ctx)
        details["cause"] = gpu.compute_cap_gap(info).value
        return warning(
            "could not determine the GPUs' compute capability: "
            + ("this nvidia-smi cannot report it" if info.smi_lacks_compute_cap
               else "the driver did not report it"),
            fix=_unknown_cc_fix(info, system),
            expected=expected, source=SMI_SOURCE if info.smi_lacks_compute_cap else source,
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
            + (f" ({_plural(usable, 'other GPU')} usable)" if usable else
               "; training runs on the CPU"),
            fix=f"Nothing to do for the exam ({_OPTIONAL}). To train on a GPU you need one of "
            f"compute capability {floor_text} or higher.",
            observed=observed, expected=expected, source=source, details=details,
        )
    covered = {g: coverage(g.compute_capability, archs) for g in known
               if g.compute_capability and archs}
    details["built_for"] = archs or None
    tf_name = f"TensorFlow {tf_version}" if tf_version else "This TensorFlow"
    built = ", ".join(archs)
    for kind in (Coverage.NONE, Coverage.PTX):  # the worse problem first
        gpus = [g for g, c in covered.items() if c is kind]
        if not gpus:
            continue
        cc = gpus[0].compute_capability_str
        names = ", ".join(f"{g.name} ({g.compute_capability_str})" for g in gpus)
        if kind is Coverage.NONE:
            summary = (f"{tf_name} has no CUDA kernels for compute capability {cc} (built for "
                       f"{built}), so it cannot train on {'it' if len(gpus) == 1 else 'them'}")
            fix = (f"Nothing to do for the exam ({_OPTIONAL}): training runs on the CPU. To "
                   "use this GPU, use a TensorFlow release built for it.")
            wanted = f"a build for {cc}"
        else:
            summary = (f"{tf_name} has no CUDA machine code for compute capability {cc} (built "
                       f"for {built}); the driver JIT-compiles its kernels from PTX at first "
                       "use, which can take 30 minutes or longer")
            fix = ("Before the exam, train any small model on the GPU once and let it finish "
                   "(the compiled kernels are cached for later runs; set "
                   "CUDA_CACHE_MAXSIZE=4294967296 if they do not fit the driver's cache), or "
                   "train on the CPU.")
            wanted = f"machine code for {cc}"
        return warning(f"{names}: {summary}", fix=fix, observed=observed, expected=wanted,
                       source=JIT_SOURCE, details=details)
    unknown = len(info.gpus) - len(known)
    note = f" ({_plural(unknown, 'GPU')} did not report it)" if unknown else ""
    return ok(f"compute capability {observed}{note}", observed=observed, expected=expected,
              source=source, details=details)


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


def _cuda_libraries(ctx: Context, tf: Version | None) -> str:
    row = ctx.matrix.build_for(str(tf)) if tf else None
    return (f"CUDA {row.cuda} and cuDNN {row.cudnn}" if row
            else "the CUDA and cuDNN it was built for")


def _and_cuda(tf: Version | None, system: str) -> bool:
    """`pip install tensorflow[and-cuda]` brings the CUDA libraries (Linux, TF >= 2.14)."""
    return system == "Linux" and tf is not None and tf.release[:2] >= (2, 14)


def _gpu_install_fix(ctx: Context, tf: Version | None, system: str) -> str:
    """How to replace a CPU-only TensorFlow with the GPU build of the same version."""
    pin = f"=={tf}" if tf else ""
    if _and_cuda(tf, system):
        return hints.pip(ctx, f'"tensorflow[and-cuda]{pin}"') + " brings the CUDA libraries."
    return f"Install the `tensorflow{pin}` package (not tensorflow-cpu) and " + (
        f"{_cuda_libraries(ctx, tf)}.")


def _libraries_fix(ctx: Context, tf: Version | None, system: str, libs: list[str]) -> str:
    """How to give a CUDA build of TensorFlow the libraries it could not load."""
    driver_libs = [lib for lib in libs if lib.startswith(("libcuda.so", "nvcuda.dll"))]
    parts = []
    if driver_libs:
        parts.append(f"{', '.join(driver_libs)} comes with the NVIDIA driver: reinstall it.")
    if len(driver_libs) < len(libs) or not libs:
        pin = f"=={tf}" if tf else ""
        if _and_cuda(tf, system):
            parts.append(hints.pip(ctx, f'"tensorflow[and-cuda]{pin}"')
                         + " brings the CUDA libraries.")
        else:
            parts.append(
                f"Install {_cuda_libraries(ctx, tf)}, the versions this TensorFlow was built "
                "with, on the loader's path (LD_LIBRARY_PATH on Linux, PATH on Windows) of the "
                "interpreter PyCharm runs.")
    return " ".join(parts)


@check("nvidia.tensorflow_gpu", "TensorFlow uses the GPU", registry=CHECKS)
def tensorflow_gpu_check(ctx: Context) -> Finding:
    """The driver lists GPUs: does TensorFlow see them too, and if not, why not."""
    info = driver_info(ctx)
    if info.state is not DriverState.READY:
        return _not_checked(info)
    devices = ctx.read(TfDevices)
    tf_gpus = devices.gpus
    n_driver = len(info.gpus)
    observed = f"TensorFlow: {_plural(len(tf_gpus), 'GPU')}; driver: {_plural(n_driver, 'GPU')}"
    expected = "TensorFlow sees the driver's GPUs"
    details: dict[str, Any] = {
        "tensorflow_gpus": devices.raw.get("gpus") or [], "driver_gpus": n_driver,
    }
    if tf_gpus:
        names = ", ".join(str(g.name) for g in tf_gpus)
        some = "" if len(tf_gpus) >= n_driver else f" of the {n_driver} the driver lists"
        return ok(f"TensorFlow sees {_plural(len(tf_gpus), 'GPU')}{some}: {names}",
                  observed=observed, expected=expected, details=details)

    system, _ = _os(ctx)
    tf = _tf_version(ctx)
    build = ctx.read(TfBuild)

    def seen(source: str) -> Evidence:
        return {"observed": observed, "expected": expected, "details": details, "source": source}

    lead = f"TensorFlow sees no GPU though the driver lists {n_driver}"
    optional = "The GPU is optional for the exam; to use it: "

    hidden = _hidden_by_env(ctx)
    if hidden is not None:
        return warning(f"{lead}: CUDA_VISIBLE_DEVICES={hidden!r} hides them",
                       fix=optional + "unset CUDA_VISIBLE_DEVICES (or list GPU numbers in it).",
                       **seen("CUDA_VISIBLE_DEVICES in this environment"))
    last_gpu = Version(ctx.matrix.platform_rules.windows_native_gpu_last_tensorflow)
    if system == "Windows" and tf is not None and tf.release[:2] > last_gpu.release[:2]:
        return warning(
            f"{lead}: TensorFlow {tf} on native Windows has no GPU support (it ended with "
            f"{last_gpu})",
            fix=optional + f"run TensorFlow in WSL2, or use TensorFlow {last_gpu} or older "
            "(the exam's 2.9 included) with its CUDA and cuDNN.",
            **seen(ctx.matrix.platform_rules.windows_native_gpu_source),
        )
    if not build.is_built_with_cuda:
        return warning(
            f"{lead}: this TensorFlow{f' {tf}' if tf else ''} is a CPU-only build "
            "(e.g. tensorflow-cpu)",
            fix=optional + _gpu_install_fix(ctx, tf, system),
            **seen(CPU_BUILD_SOURCE),
        )
    log = ctx.probe("tensorflow").stderr_tail
    libs = missing_libraries(log)
    if libs or _DLOPEN in log:
        named = ", ".join(libs) if libs else "some GPU libraries (not named in its log)"
        details["missing_libraries"] = libs
        return warning(
            f"{lead}: TensorFlow could not load {named}",
            fix=optional + _libraries_fix(ctx, tf, system, libs),
            **seen(ctx.matrix.tensorflow_builds_source),
        )
    cuinit = _CUINIT.search(log)
    if cuinit:
        details["cuinit"] = cuinit.group(1).strip()
        return warning(
            f"{lead}: CUDA failed to start ({cuinit.group(1).strip()})",
            fix=optional + "check nvidia.driver_version: a driver older than the CUDA "
            "TensorFlow was built with, or an updated driver without a reboot, are the usual "
            "causes.",
            **seen("TensorFlow's log (failed call to cuInit)"),
        )
    ignored = _IGNORED.search(log)
    if ignored:
        return warning(
            f"{lead}: TensorFlow ignores the GPU ({ignored.group(2).strip()})",
            fix=optional + "a GPU of higher compute capability (see nvidia.compute_capability).",
            **seen("TensorFlow's log (Ignoring visible gpu device)"),
        )
    return warning(
        f"{lead}, and TensorFlow's log does not say why",
        fix=optional + "run `python -c \"import tensorflow as tf; "
        "print(tf.config.list_physical_devices('GPU'))\"` in this interpreter with "
        "TF_CPP_MIN_LOG_LEVEL=0 and read the messages about CUDA.",
        **seen(CPU_BUILD_SOURCE),
    )
