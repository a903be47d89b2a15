"""Python SDKs from a config directory's `options/jdk.table.xml`.

Only `<type value="Python SDK"/>` entries are read. Each SDK is classified
without running anything: a local interpreter (venv, conda or system), a
remote one (docker-compose://, ssh://, sftp://, a WSL/SSH/Docker target,
old-style remote attributes), or a path that belongs to another OS by its
shape (`layout.path_os`: `C:\\`, `\\`, `Scripts/python.exe`, /Users, ...; a
config copied from another machine). Conda is recognised whatever OS the path
is from. The `version` PyCharm recorded may be stale: only a local
interpreter that exists can be asked (see `resolve`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal
from xml.etree.ElementTree import Element

from envcheck.pycharm.files import Problems, component, read_xml
from envcheck.pycharm.layout import Layout, PathOs, is_windows_path, path_os

Location = Literal["local", "remote", "foreign", "unknown"]

CONDA_FLAVORS = {"CondaEnvSdkFlavor", "Conda", "CondaSdkFlavor"}
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_SCHEME_NAMES = {
    "docker-compose": "Docker Compose",
    "docker": "Docker",
    "ssh": "SSH",
    "sftp": "SFTP",
    "vagrant": "Vagrant",
    "wsl": "WSL",
}
_TARGET_NAMES = {
    "wsl": "WSL",
    "ssh/sftp": "SSH",
    "ssh": "SSH",
    "docker": "Docker",
    "docker-compose": "Docker Compose",
    "vagrant": "Vagrant",
}
_OLD_REMOTE_ATTRS = (
    "INTERPRETER_PATH",
    "HOST",
    "DOCKER_CONTAINER_NAME",
    "SERVICE_NAME",
    "DOCKER_COMPOSE_FILE_PATHS",
    "VAGRANT_FOLDER",
    "DISTRIBUTION_ID",
)
_CONDA_DIR = re.compile(
    r"(^|[\\/])(ana|mini)conda\d*|[\\/](miniforge|mambaforge)\d*[\\/]", re.IGNORECASE
)


@dataclass(frozen=True)
class PythonSdk:
    """One Python SDK as PyCharm recorded it, classified."""

    name: str
    config_dir: Path
    home_raw: str
    """homePath as written, macros included."""
    recorded_version: str | None
    flavor_id: str | None
    location: Location
    local_path: Path | None
    """The interpreter on this machine (local SDKs only)."""
    remote_kind: str | None = None
    """"Docker Compose", "WSL", "SSH", ... for remote SDKs."""
    remote_detail: str | None = None
    """Distribution, host or compose service, as far as the file says."""
    conda: bool = False
    conda_reason: str | None = None
    associated_project: str | None = None
    path_os: PathOs | None = None
    """Whose path homePath is by its shape ("windows", "macos", ...; None: anyone's)."""

    def home_exists(self) -> bool | None:
        """Whether the interpreter file is there (None when not local)."""
        if self.local_path is None:
            return None
        try:
            return self.local_path.exists()
        except OSError:
            return False

    @property
    def where(self) -> str:
        """A short description for tables: "venv", "conda", "WSL (Ubuntu)"..."""
        if self.location == "remote":
            detail = f" ({self.remote_detail})" if self.remote_detail else ""
            return f"{self.remote_kind}{detail}"
        if self.location == "foreign":
            return "conda, path of another OS" if self.conda else "path of another OS"
        if self.conda:
            return "conda"
        return {
            "VirtualEnvSdkFlavor": "venv",
            "PipEnvSdkFlavor": "pipenv",
            "PoetrySdkFlavor": "poetry",
        }.get(self.flavor_id or "", "local")

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "config_dir": str(self.config_dir),
            "home_path": self.home_raw,
            "recorded_version": self.recorded_version,
            "flavor_id": self.flavor_id,
            "location": self.location,
            "local_path": str(self.local_path) if self.local_path else None,
            "home_exists": self.home_exists(),
            "remote_kind": self.remote_kind,
            "remote_detail": self.remote_detail,
            "conda": self.conda,
            "conda_reason": self.conda_reason,
            "path_os": self.path_os,
            "kind": self.where,
        }


def jdk_table_path(config_dir: Path) -> Path:
    return config_dir / "options" / "jdk.table.xml"


def read_sdks(config_dir: Path, layout: Layout, problems: Problems) -> list[PythonSdk]:
    """The Python SDKs in a config directory, in file order (PyCharm matches the first)."""
    root = read_xml(jdk_table_path(config_dir), problems)
    table = component(root, "ProjectJdkTable")
    if table is None:
        return []
    sdks: list[PythonSdk] = []
    for jdk in table.findall("jdk"):
        if _value(jdk, "type") != "Python SDK":
            continue
        name = _value(jdk, "name")
        if name is None:
            continue
        sdks.append(classify(name, jdk, config_dir, layout))
    return sdks


def _value(parent: Element, tag: str) -> str | None:
    child = parent.find(tag)
    return child.get("value") if child is not None else None


def classify(name: str, jdk: Element, config_dir: Path, layout: Layout) -> PythonSdk:
    """Turn one `<jdk>` element into a `PythonSdk` without touching the interpreter."""
    home_raw = _value(jdk, "homePath") or ""
    additional = jdk.find("additional")
    settings: dict[str, str] = {}
    attrs: dict[str, str] = {}
    target: Element | None = None
    if additional is not None:
        attrs = dict(additional.attrib)
        for setting in additional.findall("setting"):
            key, value = setting.get("name"), setting.get("value")
            if key and value is not None:
                settings[key] = value
        target = additional.find("targetEnvironmentConfiguration")
    flavor = settings.get("FLAVOR_ID") or attrs.get("FLAVOR_ID")
    base = PythonSdk(
        name=name,
        config_dir=config_dir,
        home_raw=home_raw,
        recorded_version=_value(jdk, "version"),
        flavor_id=flavor,
        location="unknown",
        local_path=None,
        associated_project=attrs.get("ASSOCIATED_PROJECT_PATH") or None,
        path_os=path_os(home_raw) if home_raw else None,
    )
    remote = _remote(home_raw, target, attrs)
    if remote is not None:
        return replace(base, location="remote", remote_kind=remote[0], remote_detail=remote[1])
    local = layout.expand(home_raw) if home_raw else None
    conda, why = _conda(flavor, home_raw, local)
    base = replace(base, conda=conda, conda_reason=why)
    if local is None:
        # Another OS's path by its shape, or an absolute one this machine cannot map
        # (an unmapped drive); a conda environment stays one wherever it is.
        foreign = (
            layout.is_foreign(home_raw) or is_windows_path(home_raw) or home_raw.startswith("/")
        )
        return replace(base, location="foreign") if foreign else base
    return replace(base, location="local", local_path=local)


def _remote(
    home_raw: str, target: Element | None, attrs: dict[str, str]
) -> tuple[str, str | None] | None:
    """(kind, detail) when the SDK is not on this machine's filesystem."""
    if target is not None:
        ttype = (target.get("type") or "").lower()
        kind = _TARGET_NAMES.get(ttype, ttype or "remote target")
        detail = None
        for opt in target.iter("option"):
            if opt.get("name") in ("distributionMsId", "host", "imageId", "serviceName"):
                detail = opt.get("value")
                break
        return kind, detail
    lowered = home_raw.lower()
    if lowered.startswith(("\\\\wsl$\\", "\\\\wsl.localhost\\", "//wsl$/", "//wsl.localhost/")):
        distro = re.split(r"[\\/]+", home_raw.lstrip("\\/"))[1:2]
        return "WSL", distro[0] if distro else None
    scheme = _SCHEME.match(home_raw)
    if scheme and scheme.group(1).lower() != "file":
        kind = _SCHEME_NAMES.get(scheme.group(1).lower(), scheme.group(1))
        rest = home_raw[scheme.end() :]
        if kind == "Docker Compose":
            service = re.search(r"\]:([^/]+)/", rest)
            return kind, service.group(1) if service else None
        host = re.match(r"(?:[^@/]+@)?([^:/]+)", rest)
        return kind, host.group(1) if host else None
    if any(attrs.get(a) for a in _OLD_REMOTE_ATTRS):
        if attrs.get("DISTRIBUTION_ID"):
            return "WSL", attrs["DISTRIBUTION_ID"]
        if attrs.get("SERVICE_NAME") or attrs.get("DOCKER_COMPOSE_FILE_PATHS"):
            return "Docker Compose", attrs.get("SERVICE_NAME")
        if attrs.get("DOCKER_CONTAINER_NAME"):
            return "Docker", attrs.get("DOCKER_CONTAINER_NAME")
        if attrs.get("VAGRANT_FOLDER"):
            return "Vagrant", None
        return "SSH", attrs.get("HOST")
    return None


def _conda(flavor: str | None, home_raw: str, local: Path | None) -> tuple[bool, str | None]:
    """Is this a conda interpreter? The flavor says so, or the folders do (on any OS)."""
    if flavor in CONDA_FLAVORS:
        return True, f"PyCharm recorded flavor {flavor}"
    # The interpreter sits in <prefix>/bin/python (POSIX) or <prefix>/python.exe (Windows).
    for prefix in (local.parent, local.parent.parent) if local is not None else ():
        try:
            if (prefix / "conda-meta").is_dir():
                return True, f"{prefix} has a conda-meta folder"
        except OSError:
            continue
    if flavor is None and _CONDA_DIR.search(home_raw):
        return True, "the path is inside an Anaconda/Miniconda installation"
    return False, None


def find_by_name(sdks: list[PythonSdk], name: str) -> tuple[PythonSdk | None, int]:
    """PyCharm's rule: exact, case-sensitive name; the first wins. Returns (sdk, count)."""
    matches = [s for s in sdks if s.name == name]
    return (matches[0] if matches else None), len(matches)
