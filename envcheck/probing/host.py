"""Machine facts read from this tool's own process: memory and disk.

These do not depend on the interpreter under test, and psutil reads them
cheaply on every OS. psutil reports the host's RAM inside a container, not
the container's limit (psutil#2100), so the cgroup limit is read too.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import psutil

CGROUP_ROOT = Path("/sys/fs/cgroup")
_UNLIMITED_V1 = 1 << 60  # cgroup v1 writes a huge page-rounded number for "no limit"


@dataclass(frozen=True)
class Memory:
    total_bytes: int
    available_bytes: int
    cgroup_limit_bytes: int | None
    cgroup_source: str | None

    @property
    def effective_total(self) -> int:
        if self.cgroup_limit_bytes is not None:
            return min(self.total_bytes, self.cgroup_limit_bytes)
        return self.total_bytes

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "effective_total_bytes": self.effective_total}


def memory(cgroup_root: Path = CGROUP_ROOT) -> Memory:
    vm = psutil.virtual_memory()
    limit, source = cgroup_memory_limit(cgroup_root)
    available = vm.available if limit is None else min(vm.available, limit)
    return Memory(int(vm.total), int(available), limit, source)


def cgroup_memory_limit(root: Path = CGROUP_ROOT) -> tuple[int | None, str | None]:
    """The memory limit of this process's cgroup (v2, then v1), or (None, None)."""
    for rel in ("memory.max", "memory/memory.limit_in_bytes"):
        path = root / rel
        with contextlib.suppress(OSError, ValueError):
            raw = path.read_text(encoding="ascii").strip()
            if raw == "max":
                return None, str(path)
            value = int(raw)
            if value >= _UNLIMITED_V1:
                return None, str(path)
            return value, str(path)
    return None, None


def _exists(path: Path) -> bool:
    """Whether `path` can be looked at; a folder we may not enter is measured by its parent."""
    try:
        path.stat()
    except (OSError, ValueError):  # Path.exists() raises on EACCES (an unreadable HOME)
        return False
    return True


@dataclass(frozen=True)
class Disk:
    path: str
    free_bytes: int
    total_bytes: int


def disk(path: Path) -> Disk:
    """Free space on the volume holding `path` (its nearest existing parent)."""
    probe = path
    while not _exists(probe) and probe != probe.parent:
        probe = probe.parent
    usage = shutil.disk_usage(probe)
    return Disk(str(path), int(usage.free), int(usage.total))


def home_folder() -> tuple[Path | None, str]:
    """The user's home folder, or None and why (HOME unset and no passwd entry for the uid)."""
    try:
        return Path.home(), ""
    except (RuntimeError, KeyError, OSError) as exc:
        return None, f"no home folder is known ({exc})"


def working_folder() -> tuple[Path | None, str]:
    """The current folder; when it was deleted, the path the shell still names (PWD), and why."""
    try:
        return Path.cwd(), ""
    except OSError as exc:
        why = f"the current folder no longer exists ({exc.strerror or exc})"
        pwd = os.environ.get("PWD")
        return (Path(pwd) if pwd and Path(pwd).is_absolute() else None), why


def disk_places(project: Path | None) -> tuple[dict[str, Path], list[str]]:
    """Where free space matters (home, the project), and notes on any that is unknown.

    A folder that was deleted is measured on the volume that held it (see `disk`).
    """
    places: dict[str, Path] = {}
    notes: list[str] = []
    home, why = home_folder()
    if home is not None:
        places["home"] = home
    else:
        notes.append(why)
    if project is not None:
        places["project"] = project
    else:
        cwd, why = working_folder()
        if cwd is not None:
            places["project"] = cwd
        if why:
            notes.append(why)
    return places, notes
