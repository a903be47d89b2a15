"""Fakes for the one boundary this machine lacks: the NVIDIA driver.

`fake_smi` writes an executable `nvidia-smi` (a tiny Python script) that
prints a recorded fixture and exits with a chosen code, or sleeps; tests put
its folder first on PATH. `fake_nvml` compiles tests/fixtures/fake-nvml into
a `libnvidia-ml.so.1` for LD_LIBRARY_PATH. The probe itself runs for real,
through envcheck.probing.runner, in this interpreter.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from envcheck.probing.runner import ProbeRun, run_probe

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SMI = FIXTURES / "nvidia-smi"
TF_LOGS = FIXTURES / "tensorflow"
FAKE_NVML_SOURCE = FIXTURES / "fake-nvml" / "fake_nvml.c"

# What a 470.x nvidia-smi answers when asked for compute_cap (and it exits 2);
# quoted in /work/shared/fixtures/README.md, no capture file of its own.
NO_COMPUTE_CAP = 'Field "compute_cap" is not a valid field to query.\n\n'

_SCRIPT = """
import json, os, sys, time
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "spec.json")) as fh:
    spec = json.load(fh)
with open(os.path.join(here, "calls.jsonl"), "a") as fh:
    fh.write(json.dumps(sys.argv[1:]) + "\\n")
if spec["reject_compute_cap"] and any("compute_cap" in a for a in sys.argv[1:]):
    sys.stdout.write(spec["reject_text"])
    sys.exit(2)
time.sleep(spec["sleep_s"])
if spec["stdout_file"]:
    with open(spec["stdout_file"], "rb") as fh:
        sys.stdout.buffer.write(fh.read())
sys.stdout.write(spec["stdout"])
sys.stderr.write(spec["stderr"])
sys.exit(spec["exit_code"])
"""


def fake_smi(
    directory: Path,
    *,
    stdout_file: Path | None = None,
    stdout: str = "",
    stderr: str = "",
    exit_code: int = 0,
    sleep_s: float = 0.0,
    reject_compute_cap: bool = False,
) -> Path:
    """An executable `nvidia-smi` in `directory` that logs each argv to calls.jsonl."""
    directory.mkdir(parents=True, exist_ok=True)
    spec = {
        "stdout_file": str(stdout_file) if stdout_file else None,
        "stdout": stdout,
        "stderr": stderr,
        "exit_code": exit_code,
        "sleep_s": sleep_s,
        "reject_compute_cap": reject_compute_cap,
        "reject_text": NO_COMPUTE_CAP,
    }
    (directory / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
    script = directory / "nvidia-smi"
    script.write_text(f"#!{sys.executable}\n{_SCRIPT}", encoding="utf-8")
    script.chmod(0o755)
    return script


def smi_calls(directory: Path) -> list[list[str]]:
    log = directory / "calls.jsonl"
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


def path_with(directory: Path) -> str:
    return str(directory) + os.pathsep + os.environ.get("PATH", "")


def run_nvidia_probe(
    env: dict[str, str] | None = None, args: dict[str, Any] | None = None, timeout_s: float = 30
) -> ProbeRun:
    """The real `nvidia` probe in this interpreter, as the tool runs it."""
    return run_probe("nvidia", sys.executable, timeout_s=timeout_s, args=args, env=env)


# A library path that cannot load: with it the probe finds no NVML even on a
# machine with a real driver (whose libnvidia-ml.so.1 the loader would find
# through its cache, whatever LD_LIBRARY_PATH says).
NO_NVML = {"nvml_paths": ["/nonexistent/tfcert-envcheck-tests/libnvidia-ml.so.1"]}


def run_smi_only(bin_dir: Path, *, timeout_s: float = 30, **args: Any) -> ProbeRun:
    """The probe with the fake nvidia-smi in `bin_dir` first on PATH and no NVML at all."""
    return run_nvidia_probe(
        env={"PATH": path_with(bin_dir)}, args={**NO_NVML, **args}, timeout_s=timeout_s
    )


def machine_has_nvidia() -> bool:
    """A real driver here would make 'absent' tests meaningless."""
    import ctypes

    if shutil.which("nvidia-smi"):
        return True
    try:
        ctypes.CDLL("libnvidia-ml.so.1")
    except OSError:
        return False
    return True


@pytest.fixture(scope="session")
def fake_nvml(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding the compiled fake libnvidia-ml.so.1 (for LD_LIBRARY_PATH)."""
    if not sys.platform.startswith("linux"):
        pytest.skip("the fake NVML is a Linux shared library")
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        pytest.skip("no C compiler to build the fake libnvidia-ml.so.1")
    out = tmp_path_factory.mktemp("fake-nvml")
    subprocess.run(
        [
            compiler,
            "-shared",
            "-fPIC",
            "-O1",
            "-Wall",
            "-Werror",
            "-o",
            str(out / "libnvidia-ml.so.1"),
            str(FAKE_NVML_SOURCE),
        ],
        check=True,
        capture_output=True,
    )
    return out


def nvml_env(lib_dir: Path, mode: str = "ok", **overrides: str) -> dict[str, str]:
    """Environment that makes the probe load the fake NVML in `mode`."""
    env = {"LD_LIBRARY_PATH": str(lib_dir), "FAKE_NVML_MODE": mode}
    env.update({f"FAKE_NVML_{k.upper()}": v for k, v in overrides.items()})
    return env
