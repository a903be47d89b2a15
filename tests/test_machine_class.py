"""benchmarks/machine_class.py: each class really constrains the processes it starts.

Checked from a child process, the way the benchmark's probes see it: its CPU
affinity and the cgroup it lands in, with the limits read back from the
kernel's own files. The cgroup classes need root and a writable controller;
where those are missing the test skips with the reason the script gives.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
import machine_class as mc  # noqa: E402  (a script beside bench_predict.py, not a package)

CHILD = (
    "import os, sys; print(sorted(os.sched_getaffinity(0)));print(open('/proc/self/cgroup').read())"
)


def _child() -> tuple[str, str]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD], capture_output=True, text=True, check=True
    ).stdout
    affinity, cgroups = out.split("\n", 1)
    return affinity, cgroups


def test_vm_changes_nothing() -> None:
    before = _child()
    with mc.machine_class("vm") as applied:
        assert _child() == before
    assert applied.settings == {}


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two CPUs to see a change")
def test_one_cpu_pins_children_and_is_undone() -> None:
    before = sorted(os.sched_getaffinity(0))
    with mc.machine_class("1cpu") as applied:
        assert _child()[0] == str([before[0]])
        assert applied.cpus == [before[0]]
    assert sorted(os.sched_getaffinity(0)) == before


@pytest.mark.parametrize(
    ("name", "controller", "limit_files"),
    [
        ("half-cpu", "cpu", {"cpu.cfs_quota_us": "50000", "cpu.max": "50000 100000"}),
        (
            "mem4g",
            "memory",
            {"memory.limit_in_bytes": str(4 * 1024**3), "memory.max": str(4 * 1024**3)},
        ),
    ],
)
def test_cgroup_classes_limit_children_and_clean_up(
    name: str, controller: str, limit_files: dict[str, str]
) -> None:
    try:
        context = mc.machine_class(name)
        applied = context.__enter__()
    except mc.ClassUnavailable as exc:
        pytest.skip(f"{name}: {exc}")
    try:
        _, cgroups = _child()
        joined = [line for line in cgroups.splitlines() if f"tfcert-bench-{os.getpid()}" in line]
        assert len(joined) == 1, cgroups
        assert controller in joined[0].split(":")[1].split(",") or joined[0].startswith("0::")
        group = joined[0]
        folders = [
            p for p in Path("/sys/fs/cgroup").rglob(f"tfcert-bench-{os.getpid()}") if p.is_dir()
        ]
        assert folders, group
        values = {
            f: (folders[0] / f).read_text().strip()
            for f in limit_files
            if (folders[0] / f).is_file()
        }
        assert values and all(limit_files[f] == v for f, v in values.items()), values
        assert applied.settings
    finally:
        context.__exit__(None, None, None)
    assert not list(Path("/sys/fs/cgroup").rglob(f"tfcert-bench-{os.getpid()}"))
    assert f"tfcert-bench-{os.getpid()}" not in _child()[1]


def test_unknown_class_is_refused() -> None:
    with pytest.raises(mc.ClassUnavailable, match="unknown class 'tiny'"), mc.machine_class("tiny"):
        pass
