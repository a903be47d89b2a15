"""Everything `tfcert-envcheck pycharm` shows, as one value.

The survey reads installs, config directories, their SDKs and recent
projects once, and resolves the interpreter of every recent project that
still exists (plus the ones asked for with --project). Recent projects whose
folder is not here (deleted, or a config copied from another machine) are
kept as `missing`, so the view can list them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from envcheck.pycharm.configs import ConfigDir
from envcheck.pycharm.files import FileProblem
from envcheck.pycharm.installs import Install
from envcheck.pycharm.layout import Layout
from envcheck.pycharm.projects import RecentProject
from envcheck.pycharm.resolve import PycharmFiles, Resolution, resolve_project_interpreter
from envcheck.pycharm.sdks import PythonSdk


@dataclass(frozen=True)
class ConfigReport:
    """One config directory with the install that uses it, its SDKs and recent projects."""

    config: ConfigDir
    install: Install | None
    sdks: list[PythonSdk]
    recents: list[RecentProject]

    def to_dict(self) -> dict[str, object]:
        return {
            **self.config.to_dict(),
            "install": str(self.install.path) if self.install else None,
            "sdks": [s.to_dict() for s in self.sdks],
            "recent_projects": [r.to_dict() for r in self.recents],
        }


@dataclass(frozen=True)
class MissingProject:
    """A recent project whose folder is not on this machine, and the config that lists it."""

    recent: RecentProject
    config: ConfigDir


@dataclass(frozen=True)
class Survey:
    layout: Layout
    config_source: str
    installs: list[Install]
    configs: list[ConfigReport]
    projects: list[Resolution]
    problems: list[FileProblem]
    missing: list[MissingProject] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "layout": {
                "os": self.layout.os,
                "home": str(self.layout.home),
                "root": str(self.layout.root),
            },
            "config_source": self.config_source,
            "installs": [i.to_dict() for i in self.installs],
            "config_dirs": [c.to_dict() for c in self.configs],
            "projects": [p.to_dict() for p in self.projects],
            "problems": [p.to_dict() for p in self.problems],
        }


def survey(layout: Layout, *, config: Path | None = None, projects: Iterable[Path] = ()) -> Survey:
    """Read everything once and resolve each recent (and each given) project."""
    disc = PycharmFiles.run(layout, config)
    reports = [
        ConfigReport(cfg, disc.install_for(cfg), disc.sdks(cfg), disc.recents(cfg))
        for cfg in disc.configs
    ]
    wanted: list[Path] = [Path(p).absolute() for p in projects]
    missing: list[MissingProject] = []
    seen: set[str] = set()
    for report in reports:
        for recent in report.recents:
            if recent.path is not None and recent.exists():
                wanted.append(recent.path)
            elif _first(layout, recent.path_raw if recent.path is None else str(recent.path), seen):
                missing.append(MissingProject(recent, report.config))
    resolutions = [
        resolve_project_interpreter(path, files=disc)
        for path in wanted
        if _first(layout, str(path), seen)
    ]
    return Survey(
        layout,
        disc.config_source,
        disc.installs,
        reports,
        resolutions,
        list(disc.problems),
        missing,
    )


def _first(layout: Layout, path: str, seen: set[str]) -> bool:
    """True the first time a path is met (compared as the layout's OS compares paths)."""
    key = layout.normalize(path)
    key = key.lower() if layout.os in ("windows", "macos") else key
    if key in seen:
        return False
    seen.add(key)
    return True
