"""Collect raw NVIDIA driver facts: NVML through ctypes, then nvidia-smi.

Runs in the tool's own Python (the driver is a machine fact, not the
interpreter's). It only collects: NVML answers are recorded as NVML gives
them, nvidia-smi's output is recorded verbatim, and envcheck.gpu interprets
both. Every NVML failure keeps its return code and nvmlErrorString text, so
the tool can tell "driver not loaded" from "version mismatch" from "no
library at all".
"""

import ctypes
import os
import shutil
import subprocess
import sys
import time

import _probelib

QUERY_FIELDS = ["index", "name", "uuid", "driver_version", "memory.total", "compute_cap"]
# "csv,nounits" keeps the header line: the tool maps columns by name, so the
# retry without compute_cap (and any older binary) is read the same way.
QUERY_FORMAT = "--format=csv,nounits"
NO_COMPUTE_CAP = '"compute_cap" is not a valid field to query'
SMI_TIMEOUT_S = 10.0
KILL_WAIT_S = 2.0
OUTPUT_LIMIT = 20000

# nvml.h: nvmlReturn_t values the probe itself needs to recognise.
NVML_SUCCESS = 0
NVML_ERROR_FUNCTION_NOT_FOUND = 13
BUFFER_SIZE = 256  # larger than every NVML string buffer size constant (80, 96)


class _Memory(ctypes.Structure):
    """nvmlMemory_t (version 1): sizes in bytes."""

    _fields_ = [
        ("total", ctypes.c_ulonglong),
        ("free", ctypes.c_ulonglong),
        ("used", ctypes.c_ulonglong),
    ]


def _windows_dirs():
    system_root = os.environ.get("SystemRoot") or os.environ.get("windir") or r"C:\Windows"
    program_files = (
        os.environ.get("ProgramW6432") or os.environ.get("ProgramFiles") or (r"C:\Program Files")
    )
    return [
        os.path.join(system_root, "System32"),
        os.path.join(program_files, "NVIDIA Corporation", "NVSMI"),
    ]


def nvml_candidates(args=None):
    """Where the NVML library is looked for, in order.

    The probe argument "nvml_paths" replaces the list: tests that fake only
    nvidia-smi point it at a file that does not exist, so that a real driver
    on the test machine cannot answer in the fake's place.
    """
    paths = (args or {}).get("nvml_paths")
    if paths:
        return [str(path) for path in paths]
    if os.name == "nt":
        return [os.path.join(d, "nvml.dll") for d in _windows_dirs()]
    # The soname the driver installs; the loader's search path finds it.
    return ["libnvidia-ml.so.1"]


class _Nvml(object):
    """Thin calls into a loaded NVML; each returns (code, value)."""

    def __init__(self, lib):
        self.lib = lib

    def _function(self, names):
        for name in names:
            try:
                func = getattr(self.lib, name)
            except AttributeError:
                continue
            func.restype = ctypes.c_int
            return name, func
        return names[0], None

    def error_string(self, code):
        try:
            func = self.lib.nvmlErrorString
        except AttributeError:
            return None
        func.restype = ctypes.c_char_p
        func.argtypes = [ctypes.c_int]
        raw = func(code)
        return raw.decode("utf-8", "replace") if raw else None

    def call(self, names, *args):
        """Call the first function of `names` the library has; a failure record or None."""
        name, func = self._function(names)
        if func is None:
            return {
                "function": name,
                "code": NVML_ERROR_FUNCTION_NOT_FOUND,
                "error": "this NVML has none of: %s" % ", ".join(names),
            }
        code = func(*args)
        if code == NVML_SUCCESS:
            return None
        return {"function": name, "code": code, "error": self.error_string(code)}

    def string(self, names, *args):
        buf = ctypes.create_string_buffer(BUFFER_SIZE)
        failed = self.call(names, *(args + (buf, ctypes.c_uint(BUFFER_SIZE))))
        if failed:
            return failed, None
        return None, buf.value.decode("utf-8", "replace")


def _load_nvml(args):
    tried = []
    for path in nvml_candidates(args):
        try:
            return ctypes.CDLL(path), path, tried
        except OSError as exc:
            tried.append({"path": path, "error": str(exc)})
    return None, None, tried


def _device(nvml, index, errors):
    handle = ctypes.c_void_p()
    failed = nvml.call(
        ["nvmlDeviceGetHandleByIndex_v2", "nvmlDeviceGetHandleByIndex"],
        ctypes.c_uint(index),
        ctypes.byref(handle),
    )
    device = {"index": index}
    if failed:
        errors["handle"] = failed
        return device
    failed, device["name"] = nvml.string(["nvmlDeviceGetName"], handle)
    if failed:
        errors["name"] = failed
    failed, device["uuid"] = nvml.string(["nvmlDeviceGetUUID"], handle)
    if failed:
        errors["uuid"] = failed
    memory = _Memory()
    failed = nvml.call(["nvmlDeviceGetMemoryInfo"], handle, ctypes.byref(memory))
    if failed:
        errors["memory"] = failed
    else:
        device["memory_total_bytes"] = memory.total
    major, minor = ctypes.c_int(), ctypes.c_int()
    failed = nvml.call(
        ["nvmlDeviceGetCudaComputeCapability"], handle, ctypes.byref(major), ctypes.byref(minor)
    )
    if failed:
        errors["compute_capability"] = failed
    else:
        device["compute_capability"] = [major.value, minor.value]
    return device


def _nvml(args):
    lib, path, tried = _load_nvml(args)
    if lib is None:
        return {"status": "library_not_found", "tried": tried}
    nvml = _Nvml(lib)
    info = {"library": path, "tried": tried}
    failed = nvml.call(["nvmlInit_v2", "nvmlInit"])
    if failed:
        info.update(status="init_failed", init=failed)
        return info
    info["status"] = "ok"
    errors = {}
    try:
        failed, info["driver_version"] = nvml.string(["nvmlSystemGetDriverVersion"])
        if failed:
            errors["driver_version"] = failed
        failed, info["nvml_version"] = nvml.string(["nvmlSystemGetNVMLVersion"])
        if failed:
            errors["nvml_version"] = failed
        cuda = ctypes.c_int()
        failed = nvml.call(
            ["nvmlSystemGetCudaDriverVersion_v2", "nvmlSystemGetCudaDriverVersion"],
            ctypes.byref(cuda),
        )
        if failed:
            errors["cuda_driver_version"] = failed
        else:
            info["cuda_driver_version"] = cuda.value
        count = ctypes.c_uint()
        failed = nvml.call(["nvmlDeviceGetCount_v2", "nvmlDeviceGetCount"], ctypes.byref(count))
        if failed:
            errors["device_count"] = failed
        else:
            info["device_count"] = count.value
            info["devices"] = []
            for index in range(count.value):
                device_errors = {}
                device = _device(nvml, index, device_errors)
                if device_errors:
                    device["errors"] = device_errors
                info["devices"].append(device)
    finally:
        shutdown = nvml.call(["nvmlShutdown"])
        if shutdown:
            errors["shutdown"] = shutdown
    info["errors"] = errors
    return info


def smi_candidates():
    """nvidia-smi on PATH first, then where Windows drivers put it."""
    found = shutil.which("nvidia-smi")
    paths = [found] if found else []
    if os.name == "nt":
        for directory in _windows_dirs():
            path = os.path.join(directory, "nvidia-smi.exe")
            if path not in paths and os.path.isfile(path):
                paths.append(path)
    return paths


def _text(data):
    text = data.decode("utf-8", "replace") if data else ""
    return text[:OUTPUT_LIMIT]


def run_smi(argv, timeout_s):
    """Run nvidia-smi once; record what it said, or that it did not answer in time."""
    started = time.time()
    record = {"argv": argv, "timed_out": False}
    try:
        proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
    except OSError as exc:
        record["start_error"] = "%s: %s" % (type(exc).__name__, exc)
        return record
    try:
        out, err = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        record["timed_out"] = True
        record["timeout_s"] = timeout_s
        proc.kill()
        try:
            out, err = proc.communicate(timeout=KILL_WAIT_S)
        except subprocess.TimeoutExpired:
            # A process stuck in the kernel (a hung driver) may not die at once;
            # its output is not worth waiting for.
            out, err = b"", b""
    record["returncode"] = proc.returncode
    record["stdout"] = _text(out)
    record["stderr"] = _text(err)
    record["duration_s"] = round(time.time() - started, 3)
    return record


def _nvidia_smi(args):
    paths = smi_candidates()
    if not paths:
        searched = ["PATH"] + (_windows_dirs() if os.name == "nt" else [])
        return {"found": False, "searched": searched}
    timeout_s = float(args.get("nvidia_smi_timeout_s", SMI_TIMEOUT_S))
    fields = list(QUERY_FIELDS)
    attempts = []
    for _ in range(2):
        argv = [paths[0], "--query-gpu=" + ",".join(fields), QUERY_FORMAT]
        attempt = run_smi(argv, timeout_s)
        attempts.append(attempt)
        said = attempt.get("stdout", "") + attempt.get("stderr", "")
        if NO_COMPUTE_CAP in said and "compute_cap" in fields:
            fields.remove("compute_cap")  # drivers before ~510 lack the field
            continue
        break
    return {"found": True, "path": paths[0], "candidates": paths, "attempts": attempts}


def _environment(args):
    # CUDA_VISIBLE_DEVICES hides GPUs from CUDA (and TensorFlow), not from NVML.
    return {"CUDA_VISIBLE_DEVICES": os.environ.get("CUDA_VISIBLE_DEVICES")}


def collect(facts, args):
    facts["platform"] = sys.platform
    _probelib.section(facts, "nvml", _nvml, args)
    _probelib.section(facts, "nvidia_smi", _nvidia_smi, args)
    _probelib.section(facts, "environment", _environment, args)


if __name__ == "__main__":
    _probelib.run("nvidia", collect)
