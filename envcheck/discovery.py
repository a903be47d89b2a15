"""Find the exam interpreter on this machine without being told where it is.

`check` with neither --python nor --project calls `discover`: PyCharm's
recent projects (newest first, resolved exactly as --project resolves them),
venvs in the usual project folders, Pythons of the profile's version
(`python3.8` on PATH, the Windows `py` launcher's list, python.org's install
folders, pyenv's versions) and conda environments (listed, never chosen: the
exam guide asks for a python.org Python). Everything here reads files; no
found interpreter is run. Versions come from `pyvenv.cfg`, folder names and
conda-meta, which are enough to rank candidates; the pipeline then runs only
the chosen one.

Other operating systems' layouts come from `Layout` (fixture trees in
tests/fixtures/pycharm/<os>/); the one fact that needs a process, the Windows
launcher's list, goes through `Machine.py_launcher_list`, the one seam tests
replace with a recorded `py -0p` output.
"""

# Over 400 lines: one search over six sources, each a short function, ranked in one place.
from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from envcheck.pycharm.layout import HOME_ENV, Layout
from envcheck.pycharm.resolve import PycharmFiles, Resolution, resolve_project_interpreter
from envcheck.shell import quote_path

CandidateKind = Literal["pycharm", "venv", "path", "py_launcher", "python_org", "pyenv", "conda"]
"""Where a candidate was found (its JSON key "kind"); not a JSON document's kind."""

KIND_LABELS: dict[CandidateKind, str] = {
    "pycharm": "PyCharm project",
    "venv": "project venv",
    "path": "on PATH",
    "py_launcher": "py launcher",
    "python_org": "python.org install",
    "pyenv": "pyenv",
    "conda": "conda environment",
}
_RANK: dict[CandidateKind, int] = {k: i for i, k in enumerate(KIND_LABELS)}

CONDA_WARNING = "conda environment: the exam guide asks for a python.org Python, not Anaconda"
SETUP_FIX = (
    "Create the exam environment with `tfcert-envcheck setup` (a new venv with the exam's "
    "Python and pinned packages), or name one with --python PATH or --project DIR."
)
_PY_LAUNCHER_LINE = re.compile(
    r"^\s*-(?:V:)?(?P<tag>[\w.\-]+)\s*\*?\s+(?P<path>[A-Za-z]:\\.+?)(?:\s+\*)?\s*$"
)
_CONDA_PYTHON = re.compile(r"^python-(\d+\.\d+(?:\.\d+)?)-")


@dataclass(frozen=True)
class Candidate:
    """One interpreter that may be the exam's, and why it was found."""

    python: Path
    kind: CandidateKind
    why: str
    version: str | None = None
    """Read from files (pyvenv.cfg, folder names, conda-meta); None when unknown."""
    project: Path | None = None
    opened: dt.datetime | None = None

    @property
    def conda(self) -> bool:
        return self.kind == "conda"

    def matches(self, python: str) -> bool | None:
        """Whether its version is the profile's minor version; None when unknown."""
        if self.version is None:
            return None
        return self.version == python or self.version.startswith(python + ".")

    def command(self, os_name: str) -> str:
        """The exact command that checks this candidate."""
        if self.kind == "pycharm" and self.project is not None:
            return f"tfcert-envcheck check --project {quote_path(str(self.project), os_name)}"
        return f"tfcert-envcheck check --python {quote_path(str(self.python), os_name)}"

    def to_dict(self, os_name: str) -> dict[str, object]:
        return {
            "python": str(self.python),
            "kind": self.kind,
            "why": self.why,
            "version": self.version,
            "project": str(self.project) if self.project else None,
            "command": self.command(os_name),
            "warning": CONDA_WARNING if self.conda else None,
        }


@dataclass(frozen=True)
class Found:
    """What discovery found: the one to check (or None) and the others."""

    python_version: str
    chosen: Candidate | None
    others: list[Candidate]
    os_name: str
    resolution: Resolution | None = None
    """The PyCharm resolution of the chosen project, so the PyCharm checks see it."""

    def to_dict(self) -> dict[str, object]:
        return {
            "python_version": self.python_version,
            "chosen": self.chosen.to_dict(self.os_name) if self.chosen else None,
            "others": [c.to_dict(self.os_name) for c in self.others],
        }


def _run_py_launcher() -> str | None:
    """`py -0p` on Windows: the launcher's list of installed Pythons (it runs none of them)."""
    exe = shutil.which("py")
    if exe is None:
        return None
    try:
        proc = subprocess.run([exe, "-0p"], capture_output=True, text=True, timeout=3, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout if proc.returncode == 0 else None


@dataclass(frozen=True)
class Machine:
    """The facts discovery needs from outside the file tree, one function each."""

    path_env: str | None
    """PATH to search for pythonX.Y; None for a tree from elsewhere."""
    py_launcher_list: Callable[[], str | None]
    pyenv_root: Path | None

    @classmethod
    def for_layout(cls, layout: Layout) -> Machine:
        """This machine for its own layout; nothing outside the tree for a moved one."""
        moved = bool(os.environ.get(HOME_ENV)) or not layout.is_native
        if moved:
            return cls(None, lambda: None, None)
        pyenv = os.environ.get("PYENV_ROOT")
        return cls(
            os.environ.get("PATH", ""),
            _run_py_launcher if layout.os == "windows" else (lambda: None),
            Path(pyenv) if pyenv else None,
        )


def discover(
    python_version: str,
    layout: Layout | None = None,
    machine: Machine | None = None,
    pycharm_config: Path | None = None,
) -> Found:
    """Every candidate, the best one chosen; never runs any of them.

    `pycharm_config` (--pycharm-config) replaces the search for PyCharm's settings.
    """
    layout = layout or Layout.current()
    machine = machine or Machine.for_layout(layout)
    candidates: list[Candidate] = []
    resolutions: dict[Path, Resolution] = {}
    for cand, res in _pycharm(layout, pycharm_config):
        candidates.append(cand)
        resolutions[cand.python] = res
    candidates += _project_venvs(layout)
    candidates += _on_path(python_version, machine.path_env, layout)
    candidates += parse_py_launcher(machine.py_launcher_list() or "", layout, python_version)
    candidates += _python_org(layout, python_version)
    candidates += _pyenv(layout, machine.pyenv_root, python_version)
    candidates += _conda(layout)
    unique = _dedupe(c for c in candidates if not _is_tool_python(c.python))
    good = [c for c in unique if not c.conda]
    ranked = sorted(good, key=lambda c: _score(c, python_version))
    chosen = ranked[0] if ranked else None
    others = [c for c in unique if c is not chosen]
    return Found(
        python_version,
        chosen,
        others,
        layout.os,
        resolutions.get(chosen.python) if chosen else None,
    )


def _score(c: Candidate, python: str) -> tuple[int, int, float]:
    match = c.matches(python)
    fit = 0 if match else (1 if match is None else 2)
    opened = -(c.opened.timestamp()) if c.opened else 0.0
    return (fit, _RANK[c.kind], opened)


def _dedupe(cands: Iterable[Candidate]) -> list[Candidate]:
    seen: set[str] = set()
    out: list[Candidate] = []
    for c in cands:
        key = os.path.normcase(str(c.python.absolute()))
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


def is_tool_python(path: str | Path) -> bool:
    """Whether `path` is the interpreter (or the venv) running this tool."""
    return _is_tool_python(Path(path))


def _is_tool_python(path: Path) -> bool:
    try:
        mine = Path(sys.executable).absolute()
        if path.absolute() == mine:
            return True
        return path.absolute().parent.parent == Path(sys.prefix).absolute()
    except OSError:
        return False


def _exists(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:
        return False


def _venv_python(venv: Path, os_name: str) -> Path:
    if os_name == "windows":
        return venv / "Scripts" / "python.exe"
    return venv / "bin" / "python"


def venv_version(venv: Path) -> str | None:
    """`version` (venv) or `version_info` (virtualenv) from pyvenv.cfg, read as text."""
    try:
        text = (venv / "pyvenv.cfg").read_text(encoding="utf-8", errors="replace")[:4096]
    except OSError:
        return None
    values: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            values[key.strip().lower()] = value.strip()
    raw = values.get("version") or values.get("version_info") or ""
    m = re.match(r"^(\d+\.\d+(?:\.\d+)?)", raw)
    return m.group(1) if m else None


def _pycharm(layout: Layout, config: Path | None) -> list[tuple[Candidate, Resolution]]:
    """Interpreters of PyCharm's recent projects, most recently opened first."""
    disc = PycharmFiles.run(layout, config)
    recents = [r for cfg in disc.configs for r in disc.recents(cfg)]
    recents.sort(key=lambda r: -(r.opened_ms or 0))
    out: list[tuple[Candidate, Resolution]] = []
    seen: set[str] = set()
    for recent in recents:
        if recent.path is None or not recent.exists() or str(recent.path) in seen:
            continue
        seen.add(str(recent.path))
        res = resolve_project_interpreter(recent.path, files=disc)
        if res.interpreter is None:
            continue
        opened = (
            dt.datetime.fromtimestamp(recent.opened_ms / 1000, dt.timezone.utc)
            if recent.opened_ms
            else None
        )
        when = f", opened last on {opened:%Y-%m-%d}" if opened else ""
        version = venv_version(res.interpreter.parent.parent)
        if version is None and res.sdk is not None and res.sdk.recorded_version:
            m = re.search(r"(\d+\.\d+(?:\.\d+)?)", res.sdk.recorded_version)
            version = m.group(1) if m else None
        kind: CandidateKind = "conda" if res.status == "conda" else "pycharm"
        why = f"the interpreter of PyCharm project {recent.path}{when}"
        out.append((Candidate(res.interpreter, kind, why, version, recent.path, opened), res))
    return out


def _project_venvs(layout: Layout) -> list[Candidate]:
    base = layout.home / "PycharmProjects"
    try:
        projects = sorted(p for p in base.iterdir() if p.is_dir())
    except OSError:
        return []
    out = []
    for project in projects:
        for name in ("venv", ".venv"):
            python = _venv_python(project / name, layout.os)
            if _exists(python):
                out.append(
                    Candidate(
                        python,
                        "venv",
                        f"the venv of {project}",
                        venv_version(project / name),
                        project,
                    )
                )
    return out


def _on_path(python: str, path_env: str | None, layout: Layout) -> list[Candidate]:
    if not path_env:
        return []
    name = f"python{python}" + (".exe" if layout.os == "windows" else "")
    out = []
    for folder in path_env.split(os.pathsep):
        # pyenv's shims are scripts that pick a version at run time; pyenv's
        # own versions are found below, from its folders.
        if not folder or "shims" in Path(folder).parts:
            continue
        exe = Path(folder) / name
        if _exists(exe) and os.access(exe, os.X_OK):
            out.append(Candidate(exe, "path", f"{name} on PATH", python))
    return out


def parse_py_launcher(text: str, layout: Layout, python: str) -> list[Candidate]:
    """Candidates from `py -0p` output.

    Two formats, written after docs.python.org/3/using/windows.html ("Python
    Launcher for Windows", `py --list-paths`), not captured on a machine: the
    launcher of CPython 3.11+ (` -V:3.8 *        C:\\...\\python.exe`) and the
    older one (` -3.8-64        C:\\...\\python.exe *`); `*` marks the default.
    """
    out = []
    for line in text.splitlines():
        m = _PY_LAUNCHER_LINE.match(line)
        if not m:
            continue
        tag = m.group("tag")
        version = re.match(r"^(\d+\.\d+)", tag)
        if not version or version.group(1) != python:
            continue
        local = layout.expand(m.group("path"))
        if local is None:
            continue
        out.append(
            Candidate(local, "py_launcher", f"`py -{version.group(1)}` (py -0p)", version.group(1))
        )
    return out


def _python_org(layout: Layout, python: str) -> list[Candidate]:
    """python.org's default install folders (docs.python.org/3/using/windows.html, mac.html)."""
    digits = python.replace(".", "")
    paths: list[Path] = []
    if layout.os == "windows":
        local = layout.getenv("LOCALAPPDATA")
        programs = [layout.getenv("ProgramFiles"), layout.getenv("ProgramFiles(x86)")]
        folders = [Path(local) / "Programs" / "Python"] if local else []
        folders += [Path(p) for p in programs if p]
        for folder in folders:
            for suffix in ("", "-32", "-arm64"):
                paths.append(folder / f"Python{digits}{suffix}" / "python.exe")
    elif layout.os == "macos":
        fw = layout.under_root("Library", "Frameworks", "Python.framework", "Versions", python)
        paths.append(fw / "bin" / f"python{python}")
    return [
        Candidate(p, "python_org", f"python.org's Python {python} ({p.parent})", python)
        for p in paths
        if _exists(p)
    ]


def _pyenv(layout: Layout, root: Path | None, python: str) -> list[Candidate]:
    """pyenv's versions (pyenv-win keeps them under pyenv-win/versions)."""
    roots = [root] if root else []
    roots += [layout.home / ".pyenv", layout.home / ".pyenv" / "pyenv-win"]
    out = []
    for r in roots:
        try:
            versions = sorted((r / "versions").iterdir(), reverse=True)
        except OSError:
            continue
        for v in versions:
            if not re.match(rf"^{re.escape(python)}\.\d+$", v.name):
                continue
            exe = v / "python.exe" if layout.os == "windows" else v / "bin" / f"python{python}"
            if _exists(exe):
                out.append(Candidate(exe, "pyenv", f"pyenv's Python {v.name}", v.name))
    return out


def _conda(layout: Layout) -> list[Candidate]:
    """Conda environments: base installs, their envs/, and ~/.conda/environments.txt."""
    prefixes: list[Path] = []
    for name in ("anaconda3", "miniconda3", "miniforge3", "mambaforge", "Anaconda3", "Miniconda3"):
        base = layout.home / name
        if (base / "conda-meta").is_dir():
            prefixes.append(base)
            with contextlib.suppress(OSError):
                prefixes += sorted(p for p in (base / "envs").iterdir() if p.is_dir())
    try:
        listed = (layout.home / ".conda" / "environments.txt").read_text("utf-8", "replace")
    except OSError:
        listed = ""
    for line in listed.splitlines()[:200]:
        local = layout.expand(line.strip()) if line.strip() else None
        if local is not None:
            prefixes.append(local)
    out = []
    for prefix in prefixes:
        exe = prefix / "python.exe" if layout.os == "windows" else prefix / "bin" / "python"
        if _exists(exe):
            out.append(
                Candidate(exe, "conda", f"conda environment {prefix.name}", conda_version(prefix))
            )
    return out


def conda_version(prefix: Path) -> str | None:
    """The Python version from conda-meta/python-X.Y.Z-<build>.json, without running it."""
    try:
        names = [p.name for p in (prefix / "conda-meta").iterdir()]
    except OSError:
        return None
    for name in names:
        m = _CONDA_PYTHON.match(name)
        if m:
            return m.group(1)
    return None
