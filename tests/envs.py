"""Create the real interpreters the test suite checks (idempotent, cached).

    python tests/envs.py          # what .ci/run and the README's test command run

- exam-py38: CPython 3.8 (from pyenv, or TFCERT_PYTHON38) built by
  `tfcert-envcheck setup` itself, the tool's own code path, from the
  exam-2022-07 lock in compat_matrix.yaml (tensorflow==2.9.0, Keras 2.9, the
  guide's pins and the four extra pins that make them install today), so CI
  proves the lock still installs and that setup's environment checks ready.
- tf-py311: the tool's own Python with the newest tensorflow-cpu (Keras 3).

Each lives under $TFCERT_CI_CACHE (default ~/.cache/tfcert-ci) and is only
rebuilt when its requirement list changes. Missing base interpreters are
reported, not fatal: the tests that need them skip with the reason.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

CACHE = Path(os.environ.get("TFCERT_CI_CACHE", Path.home() / ".cache" / "tfcert-ci"))

EXAM_PROFILE = "exam-2022-07"
ENVS: dict[str, tuple[str, list[str]]] = {
    "tf-py311": ("tool", ["tensorflow-cpu==2.21.0"]),
}


def find_python(version: str) -> str | None:
    if version == "tool":
        return sys.executable
    override = os.environ.get(f"TFCERT_PYTHON{version.replace('.', '')}")
    if override:
        return override
    roots = [os.environ.get("PYENV_ROOT", ""), str(Path.home() / ".pyenv")]
    if shutil.which("pyenv"):
        out = subprocess.run(["pyenv", "root"], capture_output=True, text=True, check=False)
        roots.insert(0, out.stdout.strip())
    for root in filter(None, roots):
        versions = Path(root) / "versions"
        if versions.is_dir():
            for d in sorted(versions.iterdir(), reverse=True):
                if d.name.startswith(version + ".") and (d / "bin" / "python3").is_file():
                    return str(d / "bin" / "python3")
    return shutil.which(f"python{version}")


def ensure(name: str, version: str, requirements: list[str]) -> None:
    env = CACHE / name
    stamp = env / ".requirements"
    wanted = hashlib.sha256("\n".join(requirements).encode()).hexdigest()
    if stamp.is_file() and stamp.read_text() == wanted and (env / "bin" / "python").is_file():
        print(f"{name}: up to date ({env})")
        return
    base = find_python(version)
    if base is None:
        print(f"{name}: no Python {version} on this machine; tests that need it will skip")
        return
    print(f"{name}: creating with {base}: {' '.join(requirements)}", flush=True)
    if env.exists():
        shutil.rmtree(env)
    subprocess.run([base, "-m", "venv", str(env)], check=True)
    pip = [str(env / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, *requirements], check=True)
    stamp.write_text(wanted)
    print(f"{name}: ready", flush=True)


def ensure_exam(name: str = "exam-py38", profile: str = EXAM_PROFILE) -> int:
    """Build the exam environment with `tfcert-envcheck setup`; 0 when it checks ready."""
    from envcheck.matrix import load_matrix

    lock = load_matrix().locks[profile]
    env = CACHE / name
    stamp = env / ".requirements"
    key = "\n".join(["setup", profile, *lock.requirements()])
    wanted = hashlib.sha256(key.encode()).hexdigest()
    if stamp.is_file() and stamp.read_text() == wanted and (env / "bin" / "python").is_file():
        print(f"{name}: up to date ({env})")
        return 0
    base = find_python(lock.python)
    if base is None:
        print(f"{name}: no Python {lock.python} on this machine; tests that need it will skip")
        return 0
    print(
        f"{name}: tfcert-envcheck setup {env} --profile {profile} --base-python {base}", flush=True
    )
    if env.exists():
        shutil.rmtree(env)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "envcheck",
            "setup",
            str(env),
            "--profile",
            profile,
            "--base-python",
            base,
        ],
        check=False,
    )
    if proc.returncode != 0:
        print(f"{name}: setup failed (exit {proc.returncode})", flush=True)
        return proc.returncode
    stamp.write_text(wanted)
    print(f"{name}: ready", flush=True)
    return 0


def main() -> int:
    CACHE.mkdir(parents=True, exist_ok=True)
    rc = ensure_exam()
    for name, (version, requirements) in ENVS.items():
        ensure(name, version, requirements)
    return rc


if __name__ == "__main__":
    raise SystemExit(main())
