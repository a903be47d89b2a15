"""Machine classes for validating the benchmark's prediction on one computer.

Candidates' laptops are not this project's 2-core VM. Each class below makes
this machine behave like a smaller one for everything the measurement script
starts (children inherit CPU affinity and cgroup membership):

- ``vm``: the machine as it is;
- ``1cpu``: pinned to one CPU (``sched_setaffinity``, like ``taskset -c 0``);
- ``half-cpu``: one CPU at half speed (pinned, plus a CFS quota of 50 ms per
  100 ms in a cpu cgroup: cgroup v1 ``cpu.cfs_quota_us``, v2 ``cpu.max``);
- ``mem4g``: a memory cgroup limited to 4 GiB (v1 ``memory.limit_in_bytes``,
  v2 ``memory.max``).

The cgroup classes need root and a writable cgroup controller; where either
is missing, ``machine_class`` raises ``ClassUnavailable`` with the reason, and
the script stops before measuring anything. Everything set up is undone on
exit: the process moves back to its own cgroup and the new one is removed.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
HALF_CPU_QUOTA_US = 50_000
CFS_PERIOD_US = 100_000
MEM4G_BYTES = 4 * 1024**3

CLASSES = {
    "vm": "this machine as it is",
    "1cpu": "pinned to one CPU",
    "half-cpu": "one CPU at half speed (CFS quota 50 ms per 100 ms)",
    "mem4g": "memory limited to 4 GiB (cgroup)",
}


class ClassUnavailable(RuntimeError):
    """The class cannot be set up here (not root, no such cgroup controller, ...)."""


@dataclass
class Applied:
    """What was set up, saved beside the measurements."""

    name: str
    description: str
    cpus: list[int]
    settings: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "description": self.description,
            "cpus": self.cpus,
            "settings": self.settings,
        }


def _own_cgroup(controller: str) -> tuple[Path, str] | None:
    """(folder of this process's cgroup, file to join it) for a v1 controller or v2."""
    try:
        lines = Path("/proc/self/cgroup").read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controller in controllers.split(","):
            folder = CGROUP_ROOT / controller / path.lstrip("/")
            if folder.is_dir():
                return folder, "cgroup.procs"
    for line in lines:
        if line.startswith("0::"):
            for base in (CGROUP_ROOT / "unified", CGROUP_ROOT):
                folder = base / line[3:].lstrip("/")
                if (folder / "cgroup.controllers").is_file():
                    return folder, "cgroup.procs"
    return None


@contextlib.contextmanager
def _cgroup(
    controller: str, settings: dict[str, str], v2_settings: dict[str, str], applied: Applied
) -> Iterator[None]:
    if os.geteuid() != 0:
        raise ClassUnavailable(f"{applied.name} needs root to create a {controller} cgroup")
    found = _own_cgroup(controller)
    if found is None:
        raise ClassUnavailable(f"no writable {controller} cgroup controller is mounted")
    parent, procs = found
    is_v2 = (parent / "cgroup.controllers").is_file()
    if is_v2:
        enabled = (parent / "cgroup.controllers").read_text(encoding="utf-8").split()
        if controller not in enabled:
            raise ClassUnavailable(f"the cgroup v2 folder {parent} has no {controller} controller")
        settings = v2_settings
    group = parent / f"tfcert-bench-{os.getpid()}"
    try:
        group.mkdir()
    except OSError as exc:
        raise ClassUnavailable(f"cannot create {group}: {exc.strerror}") from None
    try:
        for name, value in settings.items():
            (group / name).write_text(value, encoding="utf-8")
            applied.settings[f"{controller}/{name}"] = value
        (group / procs).write_text(str(os.getpid()), encoding="utf-8")
        yield
    finally:
        with contextlib.suppress(OSError):
            (parent / procs).write_text(str(os.getpid()), encoding="utf-8")
        with contextlib.suppress(OSError):
            group.rmdir()


@contextlib.contextmanager
def machine_class(name: str) -> Iterator[Applied]:
    """Make this process and its future children run as the named class."""
    if name not in CLASSES:
        raise ClassUnavailable(f"unknown class {name!r} (known: {', '.join(CLASSES)})")
    before = sorted(os.sched_getaffinity(0))
    applied = Applied(name, CLASSES[name], before)
    with contextlib.ExitStack() as stack:
        if name in {"1cpu", "half-cpu"}:
            os.sched_setaffinity(0, {before[0]})
            stack.callback(os.sched_setaffinity, 0, set(before))
            applied.cpus = [before[0]]
        if name == "half-cpu":
            stack.enter_context(
                _cgroup(
                    "cpu",
                    {
                        "cpu.cfs_period_us": str(CFS_PERIOD_US),
                        "cpu.cfs_quota_us": str(HALF_CPU_QUOTA_US),
                    },
                    {"cpu.max": f"{HALF_CPU_QUOTA_US} {CFS_PERIOD_US}"},
                    applied,
                )
            )
        if name == "mem4g":
            stack.enter_context(
                _cgroup(
                    "memory",
                    {"memory.limit_in_bytes": str(MEM4G_BYTES)},
                    {"memory.max": str(MEM4G_BYTES)},
                    applied,
                )
            )
        yield applied
