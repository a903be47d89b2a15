"""System: OS, architecture, CPU features, memory and disk.

The OS and the CPU are the machine's, whichever Python asks: when the
interpreter under test cannot run probes (missing, too old), they are read
from this tool's own Python and say so. The architecture is the target's own
(an x86 Python under Rosetta), so that check needs a working interpreter
(`registry.NEEDS`).
"""

from __future__ import annotations

from envcheck.checks.base import (
    Check,
    Context,
    Evidence,
    Finding,
    check,
    error,
    failure,
    ok,
    warning,
)
from envcheck.probing import host
from envcheck.probing.models import SystemCpu, SystemOs

CHECKS: list[Check] = []
GIB = 1024**3


def _gib(n: float) -> str:
    return f"{n / GIB:.1f} GiB"


TOOL_SIDE_NOTE = " (as this tool's own Python sees it)"


def _seen_from(ctx: Context) -> tuple[str, dict[str, str]]:
    """A note for facts read from the tool's side: (summary suffix, details)."""
    if ctx.target_runs_probes:
        return "", {}
    return TOOL_SIDE_NOTE, {"seen_from": "tfcert-envcheck's own Python"}


@check("system.os", "Operating system", owns=("system",), registry=CHECKS)
def os_check(ctx: Context) -> Finding:
    """The OS family and version, as the target interpreter (else this tool) reports them."""
    info = ctx.read(SystemOs, or_from_tool=True)
    system = info.system
    described = {
        "Linux": info.distro or f"Linux {info.release}",
        "Darwin": f"macOS {info.mac_ver or info.release}",
        "Windows": f"Windows {info.release} ({info.version})",
    }.get(system, f"{system} {info.release}")
    if info.wsl:
        described += " under WSL"
    details: dict[str, str | None] = {
        "system": info.system,
        "release": info.release,
        "version": info.version,
        "machine": info.machine,
        "platform": info.platform,
    }
    note, seen = _seen_from(ctx)
    details.update(seen)
    if system not in ("Linux", "Darwin", "Windows"):
        return warning(
            f"{described}: not an OS the exam supports",
            fix="The exam runs PyCharm on Windows, macOS or Linux; use one of those.",
            observed=described,
            expected="Windows, macOS or Linux",
            details=details,
        )
    return ok(described + note, observed=described, details=details)


@check("system.arch", "Machine architecture", owns=("system",), registry=CHECKS)
def arch_check(ctx: Context) -> Finding:
    """The architecture the target runs as; an x86 Python under Rosetta cannot run TF."""
    info = ctx.read(SystemOs)
    machine = info.machine
    bits = info.python_bits
    if info.rosetta:
        return failure(
            f"{machine} Python running under Rosetta translation on Apple Silicon",
            fix="Install the arm64 (universal2) Python 3.8+ from python.org and recreate the "
            "venv; an x86 TensorFlow dies with SIGILL under Rosetta (tensorflow#46628).",
            observed=f"{machine} (Rosetta)",
            expected="arm64 native",
            source=ctx.matrix.platform_rules.macos_arm64_source,
        )
    if machine.lower() in ("x86_64", "amd64", "arm64", "aarch64"):
        return ok(f"{machine}, {bits}-bit Python", observed=machine)
    return warning(
        f"{machine}: no TensorFlow wheels are published for this architecture",
        fix="Use an x86_64 or arm64 machine for the exam.",
        observed=machine,
        expected="x86_64 or arm64",
    )


@check("system.cpu", "CPU and AVX", owns=("system",), registry=CHECKS)
def cpu_check(ctx: Context) -> Finding:
    """Prebuilt TensorFlow needs AVX on x86; without it `import tensorflow` dies."""
    cpu = ctx.read(SystemCpu, or_from_tool=True)
    os_info = ctx.read(SystemOs, or_from_tool=True)
    note, seen = _seen_from(ctx)
    rules = ctx.matrix.platform_rules
    model = cpu.model or "unknown CPU model"
    cores = cpu.usable_cores or cpu.logical_cores
    flags = cpu.flags
    observed = f"{model}, {cores} cores"
    details = {
        "model": model,
        "cores": cores,
        "flags": flags,
        "flags_source": cpu.flags_source,
        **seen,
    }
    x86 = os_info.machine.lower() in ("x86_64", "amd64", "i386", "i686", "x86")
    if not x86:
        return ok(
            f"{observed} ({os_info.machine}: AVX does not apply){note}",
            observed=observed,
            details=details,
        )
    if flags is None:
        return warning(
            f"{observed}; could not determine whether the CPU has AVX "
            f"(no feature list from {cpu.flags_source or 'the OS'})",
            fix="Look up the CPU model's specifications: TensorFlow's prebuilt wheels need AVX.",
            observed=observed,
            expected="AVX",
            source=rules.avx_source,
            details=details,
        )
    wanted = [f for f in ("avx", "avx2", "fma") if f in flags]
    if rules.avx_required and "avx" not in flags:
        return failure(
            f"{observed}: no AVX, so the prebuilt TensorFlow cannot run on this CPU",
            fix="Use a machine whose CPU has AVX (Intel since 2011 Sandy Bridge, AMD since 2011 "
            "Bulldozer); in a VM, pass the host CPU's features through to the guest.",
            observed=f"{observed}, flags: {' '.join(flags) or 'none'}",
            expected="AVX",
            source=rules.avx_source,
            details=details,
        )
    return ok(
        f"{observed}, {'/'.join(f.upper() for f in wanted)}{note}",
        observed=observed,
        expected="AVX",
        source=rules.avx_source,
        details=details,
    )


@check("system.memory", "Memory", registry=CHECKS)
def memory_check(ctx: Context) -> Finding:
    """Total RAM (or the container's limit) against the matrix thresholds."""
    mem = host.memory()
    hw = ctx.matrix.hardware
    total = mem.effective_total
    limited = (
        " (container limit)"
        if mem.cgroup_limit_bytes is not None and mem.cgroup_limit_bytes < mem.total_bytes
        else ""
    )
    observed = f"{_gib(total)} total{limited}, {_gib(mem.available_bytes)} available"
    expected = f">= {hw.ram_total_min_gib:g} GiB (>= {hw.ram_total_warn_gib:g} GiB recommended)"
    kw: Evidence = {
        "observed": observed,
        "expected": expected,
        "source": hw.ram_source,
        "details": mem.to_dict(),
    }
    if total < hw.ram_total_min_gib * GIB:
        return failure(
            f"{observed}: too little memory for the image and text trainings",
            fix="Use a machine with more RAM, or raise the container/VM memory limit.",
            **kw,
        )
    if total < hw.ram_total_warn_gib * GIB:
        return warning(
            f"{observed}: enough, with little room to spare",
            fix="Close other applications (browsers, Docker) during the exam.",
            **kw,
        )
    return ok(observed, **kw)


@check("system.disk", "Free disk space", registry=CHECKS)
def disk_check(ctx: Context) -> Finding:
    """Free space where the exam project lives and in the home directory."""
    hw = ctx.matrix.hardware
    places, unknown = host.disk_places(ctx.options.project)
    if not places:
        return error(
            f"could not determine: {'; '.join(unknown)}",
            fix="Set HOME to your home folder and run the check from your project folder.",
        )
    disks = {name: host.disk(path) for name, path in places.items()}
    worst_name, worst = min(disks.items(), key=lambda kv: kv[1].free_bytes)
    observed = ", ".join(
        [f"{name}: {_gib(d.free_bytes)} free" for name, d in disks.items()] + unknown
    )
    expected = (
        f">= {hw.disk_free_min_gib:g} GiB free (>= {hw.disk_free_warn_gib:g} GiB recommended)"
    )
    kw: Evidence = {
        "observed": observed,
        "expected": expected,
        "source": hw.disk_source,
        "details": {
            name: {"path": d.path, "free_bytes": d.free_bytes, "total_bytes": d.total_bytes}
            for name, d in disks.items()
        },
    }
    if worst.free_bytes < hw.disk_free_min_gib * GIB:
        return failure(
            f"only {_gib(worst.free_bytes)} free on the {worst_name} volume",
            fix=f"Free space on the volume holding {worst.path}.",
            **kw,
        )
    if worst.free_bytes < hw.disk_free_warn_gib * GIB:
        return warning(
            f"{_gib(worst.free_bytes)} free on the {worst_name} volume: tight",
            fix=f"Free some space on the volume holding {worst.path}.",
            **kw,
        )
    return ok(observed, **kw)
