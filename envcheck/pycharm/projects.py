"""Projects: which SDK a project asks for, and which PyCharm opened it last.

A project's `.idea/misc.xml` names its SDK (`project-jdk-name`); a module's
`.iml` may name its own (`orderEntry type="jdk"`) or inherit the project's.
The name is looked up exactly, case-sensitively, in the jdk.table.xml of the
config directory that opens the project (docs/pycharm.md).
Recent projects come from `options/recentProjects.xml` (2020.1+, with the
build that opened each) and the older `recentProjectDirectories.xml`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import Element

from envcheck.pycharm.files import FileProblem, Problems, component, read_xml
from envcheck.pycharm.installs import build_key
from envcheck.pycharm.layout import Layout

RECENT_FILES = ("recentProjects.xml", "recentProjectDirectories.xml")
PYTHON_SDK_TYPE = "Python SDK"


@dataclass(frozen=True)
class SdkRequest:
    """What a project asks for: an SDK name (None: no interpreter) and where it says so."""

    name: str | None
    source: str
    """".idea/misc.xml" or ".idea/<module>.iml"."""
    sdk_type: str | None = None
    module: str | None = None
    inherited: bool = False

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "source": self.source,
            "sdk_type": self.sdk_type,
            "module": self.module,
            "inherited": self.inherited,
        }


@dataclass(frozen=True)
class RecentProject:
    """One entry of a config directory's recent-projects list."""

    path_raw: str
    path: Path | None
    config_dir: Path
    source_file: Path
    build: str | None = None
    """The build that last opened it, e.g. "PC-213.7172.26" (recentProjects.xml only)."""
    product_code: str | None = None
    opened_ms: int | None = None

    def exists(self) -> bool:
        try:
            return self.path is not None and self.path.is_dir()
        except OSError:
            return False

    def to_dict(self) -> dict[str, object]:
        return {
            "path": str(self.path) if self.path else self.path_raw,
            "config_dir": str(self.config_dir),
            "source_file": str(self.source_file),
            "build": self.build,
            "product_code": self.product_code,
            "opened_ms": self.opened_ms,
            "exists": self.exists(),
        }


def read_recent_projects(
    config_dir: Path, layout: Layout, problems: Problems
) -> list[RecentProject]:
    """Recent projects of one config directory, most recently opened first where known."""
    found: dict[str, RecentProject] = {}
    for file_name in RECENT_FILES:
        path = config_dir / "options" / file_name
        root = read_xml(path, problems)
        if root is None:
            continue
        for comp_name in ("RecentProjectsManager", "RecentDirectoryProjectsManager"):
            comp = component(root, comp_name)
            if comp is None:
                continue
            for raw, meta in _entries(comp):
                key = layout.normalize(raw)
                if key in found and meta is None:
                    continue
                found[key] = _recent(raw, meta, config_dir, path, layout)
    return sorted(found.values(), key=lambda r: -(r.opened_ms or 0))


def _entries(comp: Element) -> list[tuple[str, dict[str, str] | None]]:
    """(path, metadata) pairs from `additionalInfo` and the older `recentPaths` list."""
    result: list[tuple[str, dict[str, str] | None]] = []
    for opt in comp.findall("option"):
        name = opt.get("name")
        if name == "additionalInfo":
            for entry in opt.iter("entry"):
                key = entry.get("key")
                if not key:
                    continue
                info = entry.find("value/RecentProjectMetaInfo")
                meta: dict[str, str] = {}
                if info is not None:
                    meta = {o.get("name", ""): o.get("value", "") for o in info.findall("option")}
                    meta.update(info.attrib)
                result.append((key, meta))
        elif name in ("recentPaths", "openPaths"):
            for item in opt.iter("option"):
                value = item.get("value")
                if value:
                    result.append((value, None))
    return result


def _recent(
    raw: str, meta: dict[str, str] | None, config_dir: Path, source: Path, layout: Layout
) -> RecentProject:
    meta = meta or {}
    opened = None
    for key in ("activationTimestamp", "projectOpenTimestamp"):
        value = meta.get(key, "")
        if value.isdigit():
            opened = int(value)
            break
    return RecentProject(
        path_raw=raw,
        path=layout.expand(raw),
        config_dir=config_dir,
        source_file=source,
        build=meta.get("build") or None,
        product_code=meta.get("productionCode") or None,
        opened_ms=opened,
    )


def read_sdk_request(project: Path, problems: Problems) -> SdkRequest | FileProblem:
    """The SDK name a project's module runs with (module SDK, else the project's).

    A `FileProblem` when `.idea/misc.xml` is missing or unreadable, since
    then PyCharm's choice cannot be known.
    """
    idea = project / ".idea"
    misc_path = idea / "misc.xml"
    before = len(problems)
    misc = read_xml(misc_path, problems)
    if misc is None:
        if len(problems) > before:
            return problems[-1]
        return FileProblem(misc_path, "does not exist: PyCharm has not saved this project yet")
    manager = component(misc, "ProjectRootManager")
    project_name = manager.get("project-jdk-name") if manager is not None else None
    project_type = manager.get("project-jdk-type") if manager is not None else None
    project_req = SdkRequest(project_name or None, ".idea/misc.xml", project_type)

    module = _main_module(project, problems)
    if module is None:
        return project_req
    iml_path, name = module
    iml = read_xml(iml_path, problems)
    rel = _relative(iml_path, project)
    if iml is None:
        return project_req
    roots = component(iml, "NewModuleRootManager")
    if roots is None:
        return project_req
    for entry in roots.findall("orderEntry"):
        etype = entry.get("type")
        if etype == "jdk":
            return SdkRequest(entry.get("jdkName") or None, rel, entry.get("jdkType"), name)
        if etype == "inheritedJdk":
            return SdkRequest(project_req.name, rel, project_req.sdk_type, name, inherited=True)
    # A module with no SDK entry at all has no interpreter in PyCharm.
    return SdkRequest(None, rel, None, name)


def _relative(path: Path, project: Path) -> str:
    try:
        return path.relative_to(project).as_posix()
    except ValueError:
        return str(path)


def _main_module(project: Path, problems: Problems) -> tuple[Path, str] | None:
    """The module whose content root is the project folder (else the first listed)."""
    modules = read_xml(project / ".idea" / "modules.xml", problems)
    manager = component(modules, "ProjectModuleManager")
    if manager is None:
        return None
    listed: list[Path] = []
    for mod in manager.iter("module"):
        raw = mod.get("filepath") or (mod.get("fileurl") or "").removeprefix("file://")
        if not raw:
            continue
        raw = raw.replace("$PROJECT_DIR$", str(project))
        listed.append(Path(raw.replace("\\", "/")))
    try:
        here = project.resolve()
    except OSError:
        here = project
    for iml in listed:
        content = _content_root(iml)
        if content is not None and content == here:
            return iml, iml.stem
    return (listed[0], listed[0].stem) if listed else None


def _content_root(iml: Path) -> Path | None:
    root = read_xml(iml, [])  # problems are reported when the module is read for real
    manager = component(root, "NewModuleRootManager")
    if manager is None:
        return None
    content = manager.find("content")
    url = content.get("url") if content is not None else None
    if not url:
        return None
    # A module file kept in .idea/ has the project folder as its $MODULE_DIR$.
    module_dir = iml.parent.parent if iml.parent.name == ".idea" else iml.parent
    raw = url.removeprefix("file://").replace("$MODULE_DIR$", str(module_dir))
    try:
        return Path(raw).resolve()
    except OSError:
        return None


def opened_by(project: Path, recents: list[RecentProject], layout: Layout) -> list[RecentProject]:
    """Recent-project entries for this folder, most recent first."""
    target = str(project)
    hits = [r for r in recents if r.path is not None and layout.same_path(str(r.path), target)]
    return sorted(hits, key=lambda r: (r.opened_ms or 0, build_key(r.build)), reverse=True)
