"""Which CUDA a TensorFlow build uses and which GPUs its kernels reach.

Helpers of the checks in `envcheck.checks.nvidia` (the driver's minimum
version and the compute capability both depend on them); no checks here.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable

from packaging.version import InvalidVersion, Version

from envcheck.checks.base import Context, ProbeUnavailable
from envcheck.gpu import DriverInfo, Gpu
from envcheck.probing.models import TfBuild, TfVersions

BUILD_ARCH_SOURCE = "tf.sysconfig.get_build_info()['cuda_compute_capabilities'] of this TensorFlow"

_WINDOWS_CUDA = re.compile(r"^64_(\d)(\d)(\d)?$")
_ARCH = re.compile(r"^(?:sm|compute)_(\d+)(\d)[a-z]?$")


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


def built_cuda(ctx: Context, build: TfBuild) -> tuple[str | None, str]:
    """The CUDA version this TensorFlow was built with and its source (None, "" if unknown)."""
    cuda = tf_cuda_version(build.build_info.cuda_version)
    if cuda:
        return cuda, "tf.sysconfig.get_build_info()"
    row = ctx.matrix.build_for(ctx.read(TfVersions).tensorflow)
    if row is None:
        return None, ""
    return row.cuda, ctx.matrix.tensorflow_builds_source


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


def build_archs(ctx: Context) -> tuple[list[str], str | None]:
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


def ptx_only_gpus(ctx: Context, info: DriverInfo) -> list[Gpu]:
    """The GPUs this TensorFlow build reaches only through PTX (see nvidia.compute_capability)."""
    archs, _ = build_archs(ctx)
    if not archs:
        return []
    return [
        g
        for g in info.gpus
        if g.compute_capability and coverage(g.compute_capability, archs) is Coverage.PTX
    ]


def cc_floor(ctx: Context, archs: list[str]) -> tuple[tuple[int, int], str, str]:
    """The lowest compute capability TensorFlow runs on: (value, as text, source).

    `archs` is what `build_archs` found; a CUDA build whose lowest architecture is
    above the matrix's floor raises it.
    """
    matrix_floor = Version(ctx.matrix.gpu.min_compute_capability)
    floor = (matrix_floor.major, matrix_floor.minor)
    built = [a for a in (parse_arch(x) for x in archs) if a]
    if built and min(built) > floor:
        lowest = min(built)
        return lowest, f"{lowest[0]}.{lowest[1]}", BUILD_ARCH_SOURCE
    return floor, ctx.matrix.gpu.min_compute_capability, ctx.matrix.gpu.source
