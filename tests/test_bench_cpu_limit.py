"""How many CPUs the benchmark's process may use: affinity and the cgroup CPU limit.

The teardown odds differ by it (docs/benchmark.md, "Across machine classes"), so the
bench probe reports both. The cgroup files are laid out as the kernel lays them out,
in a temporary folder: cgroup v1 (cpu.cfs_quota_us, cpu.cfs_period_us, under the
controller's own mount) and v2 (cpu.max under the unified mount).
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO

sys.path.insert(0, str(REPO / "probes"))
# The probe runs in the interpreter under test: stdlib only when imported.
probe_bench = importlib.import_module("probe_bench")


def _tree(root: Path, files: dict[str, str], own: str) -> tuple[str, str]:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    proc = root / "proc-self-cgroup"
    proc.write_text(own, encoding="utf-8")
    return str(root / "sys-fs-cgroup"), str(proc)


V1_HALF = {  # cgroup v1: the cpu controller's own mount, a quota on the process's group
    "sys-fs-cgroup/cpu,cpuacct/bench/cpu.cfs_quota_us": "50000\n",
    "sys-fs-cgroup/cpu,cpuacct/bench/cpu.cfs_period_us": "100000\n",
    "sys-fs-cgroup/cpu,cpuacct/cpu.cfs_quota_us": "-1\n",
    "sys-fs-cgroup/cpu,cpuacct/cpu.cfs_period_us": "100000\n",
}
V2_NESTED = {  # cgroup v2: the smallest limit on the way up counts
    "sys-fs-cgroup/cpu.max": "max 100000\n",
    "sys-fs-cgroup/user.slice/cpu.max": "150000 100000\n",
    "sys-fs-cgroup/user.slice/bench/cpu.max": "max 100000\n",
}


@pytest.mark.parametrize(
    ("files", "own", "cpus"),
    [
        (V1_HALF, "4:memory:/bench\n3:cpu,cpuacct:/bench\n0::/\n", 0.5),
        (V2_NESTED, "0::/user.slice/bench\n", 1.5),
    ],
)
def test_the_cgroup_cpu_limit_is_read_as_the_kernel_lays_it_out(
    tmp_path: Path, files: dict[str, str], own: str, cpus: float
) -> None:
    root, proc = _tree(tmp_path, files, own)
    assert probe_bench._cgroup_cpu_limit(root, proc) == cpus


@pytest.mark.parametrize(
    ("files", "own"),
    [
        ({"sys-fs-cgroup/cpu.max": "max 100000\n"}, "0::/\n"),  # no limit
        ({}, "0::/\n"),  # no cpu controller files
        ({"sys-fs-cgroup/cpu.max": "fifty 100000\n"}, "0::/\n"),  # unreadable
        ({"sys-fs-cgroup/cpu.max": "5 0\n"}, "0::/\n"),
        ({}, "garbage\n"),
    ],
)
def test_no_limit_or_an_unreadable_one_is_none(
    tmp_path: Path, files: dict[str, str], own: str
) -> None:
    root, proc = _tree(tmp_path, files, own)
    assert probe_bench._cgroup_cpu_limit(root, proc) is None


def test_a_missing_proc_file_is_none(tmp_path: Path) -> None:
    assert probe_bench._cgroup_cpu_limit(str(tmp_path), str(tmp_path / "absent")) is None


def test_usable_cpus_follows_the_affinity() -> None:
    if not hasattr(os, "sched_getaffinity"):
        pytest.skip("no sched_getaffinity here")
    assert probe_bench._usable_cpus() == len(os.sched_getaffinity(0))
