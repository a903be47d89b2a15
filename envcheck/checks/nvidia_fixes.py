"""The fix hints of the NVIDIA checks (`envcheck.checks.nvidia`), one builder per problem.

Each builder returns the text under a warning: what to do on this OS, for this
TensorFlow version and this driver. No checks here.
"""

from __future__ import annotations

from packaging.version import Version

from envcheck import gpu
from envcheck.checks import hints
from envcheck.checks.base import Context
from envcheck.gpu import ComputeCapGap, DriverInfo, DriverState

OPTIONAL = "the GPU is optional for the exam"
CC_LOOKUP = "developer.nvidia.com/cuda-gpus"


def broken_fix(state: DriverState, system: str, wsl: bool) -> str:
    """How to repair a driver that is installed but does not answer."""
    tail = f" If this machine has no NVIDIA GPU, ignore this: {OPTIONAL}."
    if state is DriverState.CANNOT_COMMUNICATE:
        if wsl:
            how = (
                "In WSL2 the driver comes from Windows: install or update the NVIDIA driver "
                "on Windows, never a Linux driver inside WSL, then run `wsl --shutdown`."
            )
        elif system == "Windows":
            how = "Reboot; if that does not help, reinstall the driver from nvidia.com."
        else:
            how = (
                "Reboot; if that does not help, reinstall the driver. `lsmod | grep nvidia` "
                "shows whether the kernel module loaded; Secure Boot can block it."
            )
        return how + tail
    if state is DriverState.VERSION_MISMATCH:
        return (
            "Reboot, so that the kernel loads the updated driver. If it persists, the "
            "driver packages are of mixed versions: reinstall one driver version." + tail
        )
    if state is DriverState.LIBRARY_NOT_FOUND:
        return (
            "Reinstall the NVIDIA driver (libnvidia-ml is part of it). Inside a Docker "
            "container, start it with `--gpus all` (NVIDIA Container Toolkit)." + tail
        )
    if state is DriverState.NVML_UNKNOWN_ERROR:
        return (
            "Reboot. Inside a container this means it lost access to the GPU devices "
            "(e.g. after a systemd daemon-reload on the host, NVIDIA/nvidia-docker#1671): "
            "restart the container." + tail
        )
    if state is DriverState.TIMED_OUT:
        return (
            "The driver may be hung: reboot. On Linux, `sudo dmesg | grep -i xid` shows "
            "GPU errors." + tail
        )
    return (
        "Run `nvidia-smi` to see the full error; reinstalling the driver usually fixes it." + tail
    )


def unknown_cc_fix(info: DriverInfo, system: str) -> str:
    """What to do when the compute capability is unknown: it depends on which is old."""
    which = "`where nvidia-smi`" if system == "Windows" else "`which -a nvidia-smi`"
    stale = (
        f"This nvidia-smi is older than driver {info.driver_version}: an old copy found "
        f"first on PATH, or one bundled in a container or snap. {which} lists the copies; "
        "run the one installed with the driver."
    )
    old = (
        "Driver {v}is too old to report it: update the NVIDIA driver (R525 or newer reports it)."
    ).format(v=f"{info.driver_version} " if info.driver_version else "")
    lookup = (
        f"Meanwhile look your GPU up at {CC_LOOKUP}; the GPU is optional for the exam, so "
        "nothing here stops you."
    )
    if not info.smi_lacks_compute_cap:
        return f"Updating the NVIDIA driver usually makes it report it. {lookup}"
    gap = gpu.compute_cap_gap(info)
    if gap is ComputeCapGap.STALE_SMI:
        return f"{stale} {lookup}"
    if gap is ComputeCapGap.OLD_DRIVER:
        return f"{old} {lookup}"
    both = (
        "Either the driver is too old to report it (then update the NVIDIA driver), or "
        f"the nvidia-smi that ran is older than the driver ({which} lists the copies; run "
        "the one installed with the driver)."
    )
    return f"{both} {lookup}"


def _cuda_libraries(ctx: Context, tf: Version | None) -> str:
    row = ctx.matrix.build_for(str(tf)) if tf else None
    return (
        f"CUDA {row.cuda} and cuDNN {row.cudnn}" if row else "the CUDA and cuDNN it was built for"
    )


def _and_cuda(tf: Version | None, system: str) -> bool:
    """`pip install tensorflow[and-cuda]` brings the CUDA libraries (Linux, TF >= 2.14)."""
    return system == "Linux" and tf is not None and tf.release[:2] >= (2, 14)


def gpu_install_fix(ctx: Context, tf: Version | None, system: str) -> str:
    """How to replace a CPU-only TensorFlow with the GPU build of the same version."""
    pin = f"=={tf}" if tf else ""
    if _and_cuda(tf, system):
        return hints.pip(ctx, f'"tensorflow[and-cuda]{pin}"') + " brings the CUDA libraries."
    return f"Install the `tensorflow{pin}` package (not tensorflow-cpu) and " + (
        f"{_cuda_libraries(ctx, tf)}."
    )


def libraries_fix(ctx: Context, tf: Version | None, system: str, libs: list[str]) -> str:
    """How to give a CUDA build of TensorFlow the libraries it could not load."""
    driver_libs = [lib for lib in libs if lib.startswith(("libcuda.so", "nvcuda.dll"))]
    parts = []
    if driver_libs:
        parts.append(f"{', '.join(driver_libs)} comes with the NVIDIA driver: reinstall it.")
    if len(driver_libs) < len(libs) or not libs:
        pin = f"=={tf}" if tf else ""
        if _and_cuda(tf, system):
            parts.append(
                hints.pip(ctx, f'"tensorflow[and-cuda]{pin}"') + " brings the CUDA libraries."
            )
        else:
            parts.append(
                f"Install {_cuda_libraries(ctx, tf)}, the versions this TensorFlow was built "
                "with, on the loader's path (LD_LIBRARY_PATH on Linux, PATH on Windows) of the "
                "interpreter PyCharm runs."
            )
    return " ".join(parts)
