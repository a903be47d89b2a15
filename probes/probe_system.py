"""System facts as the interpreter under test sees them.

Runs in the target interpreter because the architecture it reports matters:
an x86_64 Python under Rosetta on Apple Silicon sees no AVX, and that is
exactly the machine on which importing TensorFlow dies with SIGILL.
"""

import os
import platform
import re
import shutil
import subprocess
import sys

import _probelib

# The flags that matter for TensorFlow wheels; the full list is noise in a report.
INTERESTING_FLAGS = frozenset(
    "sse4_1 sse4_2 avx avx2 fma avx512f avx512_vnni avx_vnni amx_tile asimd neon".split()
)


def _os_info(args):
    info = {
        "system": platform.system(),
        "release": platform.release(),
        "version": platform.version(),
        "machine": platform.machine(),
        "platform": platform.platform(),
        "python_bits": 64 if sys.maxsize > 2**32 else 32,
    }
    if info["system"] == "Linux":
        info["distro"] = _os_release()
        info["wsl"] = _is_wsl()
    elif info["system"] == "Darwin":
        info["mac_ver"] = platform.mac_ver()[0]
        info["rosetta"] = _sysctl("sysctl.proc_translated") == "1"
    elif info["system"] == "Windows":
        info["win32_ver"] = list(platform.win32_ver())
    return info


def _os_release():
    for path in ("/etc/os-release", "/usr/lib/os-release"):
        try:
            with open(path) as fh:
                fields = dict(line.rstrip("\n").split("=", 1) for line in fh if "=" in line)
            return fields.get("PRETTY_NAME", "").strip('"') or None
        except OSError:
            continue
    return None


def _is_wsl():
    try:
        with open("/proc/version") as fh:
            return "microsoft" in fh.read().lower()
    except OSError:
        return False


def _sysctl(name):
    exe = shutil.which("sysctl") or "/usr/sbin/sysctl"
    try:
        out = subprocess.run(
            [exe, "-n", name], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=5
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.decode("utf-8", "replace").strip() if out.returncode == 0 else None


def _cpu(args):
    system = platform.system()
    cpu = {"logical_cores": os.cpu_count(), "model": None, "flags": None, "flags_source": None}
    if hasattr(os, "sched_getaffinity"):
        cpu["usable_cores"] = len(os.sched_getaffinity(0))
    if system == "Linux":
        path = args.get("cpuinfo", "/proc/cpuinfo")
        with open(path) as fh:
            text = fh.read()
        model = re.search(r"^(?:model name|Hardware|cpu model)\s*:\s*(.+)$", text, re.M)
        cpu["model"] = model.group(1).strip() if model else None
        flags = re.search(r"^(?:flags|Features)\s*:\s*(.*)$", text, re.M)
        if flags:
            cpu["flags"] = sorted(set(flags.group(1).split()) & INTERESTING_FLAGS)
            cpu["flags_source"] = path
    elif system == "Darwin":
        cpu["model"] = _sysctl("machdep.cpu.brand_string")
        feats = " ".join(
            filter(None, [_sysctl("machdep.cpu.features"), _sysctl("machdep.cpu.leaf7_features")])
        )
        if feats:
            names = set(f.lower().replace(".", "_") for f in feats.split())
            cpu["flags"] = sorted(names & INTERESTING_FLAGS)
            cpu["flags_source"] = "sysctl machdep.cpu"
        elif platform.machine() == "arm64":
            cpu["flags"] = []
            cpu["flags_source"] = "arm64 (no x86 features)"
    elif system == "Windows":
        cpu["model"] = platform.processor() or None
        cpu["flags"] = _windows_flags()
        cpu["flags_source"] = "IsProcessorFeaturePresent"
    return cpu


def _windows_flags():
    import ctypes

    present = ctypes.windll.kernel32.IsProcessorFeaturePresent
    # PF_AVX_INSTRUCTIONS_AVAILABLE = 39, PF_AVX2 = 40, PF_AVX512F = 41 (winnt.h)
    flags = []
    for code, name in ((39, "avx"), (40, "avx2"), (41, "avx512f")):
        if present(code):
            flags.append(name)
    # No Windows API reports FMA; AVX2 machines have had it since Haswell.
    return flags


def collect(facts, args):
    _probelib.section(facts, "os", _os_info, args)
    _probelib.section(facts, "cpu", _cpu, args)


if __name__ == "__main__":
    _probelib.run("system", collect)
