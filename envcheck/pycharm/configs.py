"""PyCharm config directories: where each version keeps its SDKs and recent projects.

2020.1 and later: `<base>/JetBrains/<PyCharmCE2021.3>` (XDG_CONFIG_HOME or
~/.config on Linux, ~/Library/Application Support on macOS, %APPDATA% on
Windows). 2019.3 and earlier: `~/.<dir>/config` (Linux, Windows) or
`~/Library/Preferences/<dir>` (macOS). An install's `idea.config.path` moves
it anywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from envcheck.pycharm.installs import DIR_PREFIX, Install
from envcheck.pycharm.layout import Layout

_DIR_NAME = re.compile(r"^(PyCharm(?:CE|Edu)?)(\d{4})\.(\d+)$")
_PREFIX_CODE = {prefix: code for code, prefix in DIR_PREFIX.items()}


@dataclass(frozen=True)
class ConfigDir:
    """One config directory (the folder that holds `options/`)."""

    path: Path
    name: str
    """The product directory name, e.g. PyCharmCE2021.3."""
    product_code: str | None
    version: str | None
    """"2021.3" from the name; None for an unusual name (idea.config.path, --pycharm-config)."""
    kind: str
    """"2020.1+", "2019.3 and earlier", "idea.config.path" or "given"."""

    @property
    def options(self) -> Path:
        return self.path / "options"

    def sort_key(self) -> tuple[int, ...]:
        if not self.version:
            return ()
        return tuple(int(p) for p in self.version.split("."))

    def to_dict(self) -> dict[str, object]:
        return {
            "path": str(self.path),
            "name": self.name,
            "product_code": self.product_code,
            "version": self.version,
            "kind": self.kind,
        }


def parse_dir_name(name: str) -> tuple[str | None, str | None]:
    """ "PyCharmCE2021.3" -> ("PC", "2021.3"); anything else -> (None, None)."""
    match = _DIR_NAME.match(name)
    if not match:
        return None, None
    return _PREFIX_CODE.get(match.group(1)), f"{match.group(2)}.{match.group(3)}"


def _config_dir(path: Path, name: str, kind: str) -> ConfigDir:
    code, version = parse_dir_name(name)
    return ConfigDir(path=path, name=name, product_code=code, version=version, kind=kind)


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def find_config_dirs(layout: Layout, installs: list[Install]) -> list[ConfigDir]:
    """Every PyCharm config directory in the layout, newest version first."""
    found: dict[Path, ConfigDir] = {}

    def add(cfg: ConfigDir) -> None:
        try:
            key = cfg.path.resolve()
        except OSError:
            key = cfg.path
        found.setdefault(key, cfg)

    for install in installs:
        if install.config_path_override is not None and _is_dir(install.config_path_override):
            name = install.data_directory_name or install.config_path_override.name
            add(_config_dir(install.config_path_override, name, "idea.config.path"))
    for base, _label in layout.config_bases():
        try:
            children = sorted(p for p in base.iterdir() if p.is_dir())
        except OSError:
            continue
        for child in children:
            if _DIR_NAME.match(child.name):
                add(_config_dir(child, child.name, "2020.1+"))
    for candidate in layout.old_config_candidates():
        name = candidate.name if layout.os == "macos" else candidate.parent.name.lstrip(".")
        if _DIR_NAME.match(name) and _is_dir(candidate):
            add(_config_dir(candidate, name, "2019.3 and earlier"))
    return sorted(found.values(), key=lambda c: c.sort_key(), reverse=True)


def given_config_dirs(folder: Path) -> list[ConfigDir]:
    """`--pycharm-config DIR`: one config directory, or a folder of them.

    A folder with `options/` is one config directory (named after the
    folder, or after its parent for the old `~/.PyCharm2019.3/config`);
    otherwise each child that has `options/`, or is such an old-layout
    parent, is one.
    """
    if (folder / "options").is_dir():
        name = folder.name
        if name == "config" and _DIR_NAME.match(folder.parent.name.lstrip(".")):
            name = folder.parent.name.lstrip(".")
        return [_config_dir(folder, name, "given")]
    result: list[ConfigDir] = []
    try:
        children = sorted(p for p in folder.iterdir() if p.is_dir())
    except OSError:
        return []
    for child in children:
        if (child / "options").is_dir():
            result.append(_config_dir(child, child.name, "given"))
        elif (child / "config" / "options").is_dir():
            result.append(_config_dir(child / "config", child.name.lstrip("."), "given"))
    return sorted(result, key=lambda c: c.sort_key(), reverse=True)


def config_for_install(install: Install, configs: list[ConfigDir]) -> ConfigDir | None:
    """The config directory an install uses, matched by dataDirectoryName (or its override)."""
    if install.config_path_override is not None:
        for cfg in configs:
            if cfg.path == install.config_path_override:
                return cfg
    if not install.data_directory_name:
        return None
    matches = [c for c in configs if c.name == install.data_directory_name]
    # An idea.config.path dir of another install does not belong to this one.
    plain = [c for c in matches if c.kind != "idea.config.path"]
    chosen = plain or matches
    return chosen[0] if chosen else None
