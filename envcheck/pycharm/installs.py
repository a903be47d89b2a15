"""Finding PyCharm installs and reading what each one is.

An install is a folder with `product-info.json` (2019.1 on) or `build.txt`
(every version), or a macOS `.app` with them under `Contents/Resources`.
The places looked at are those JetBrains documents for each OS ("Standalone
installation" and "Toolbox App" in the PyCharm installation guide,
https://www.jetbrains.com/help/pycharm/installation-guide.html):
package and tarball folders, snap, flatpak, JetBrains Toolbox (the old
`apps/<product>/ch-N/<build>` layout and the newer per-product folders).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from envcheck.pycharm.files import Problems, read_json_object, read_text
from envcheck.pycharm.layout import Layout

EDITIONS = {"PY": "Professional", "PC": "Community", "PE": "Edu"}
DIR_PREFIX = {"PY": "PyCharm", "PC": "PyCharmCE", "PE": "PyCharmEdu"}

_BUILD = re.compile(r"^\s*([A-Z]{2})-(\d+(?:\.\d+|\.SNAPSHOT)*)\s*$")
_TOOLBOX_BUILD = re.compile(r"^\d+\.\d+(\.\d+)*$")


@dataclass(frozen=True)
class Install:
    """One PyCharm installation and the facts its metadata gives."""

    path: Path
    """The install folder (the `.app` bundle on macOS)."""
    info_file: Path
    """product-info.json, or build.txt when there is no product-info.json."""
    found_in: str
    """Which kind of place it was found in: "/opt", "snap", "Toolbox", ..."""
    product_code: str | None
    version: str | None
    """The marketing version ("2021.3.3"); from build.txt only "2021.3"."""
    build: str | None
    data_directory_name: str | None
    """The config folder name, from product-info.json or derived from code and version."""
    config_path_override: Path | None = None
    """`idea.config.path` from bin/idea.properties, when set."""

    @property
    def edition(self) -> str:
        return EDITIONS.get(self.product_code or "", "unknown edition")

    @property
    def label(self) -> str:
        return f"PyCharm {self.edition} {self.version or '(version unknown)'}"

    def sort_key(self) -> tuple[int, ...]:
        return build_key(self.build)

    def to_dict(self) -> dict[str, object]:
        return {
            "path": str(self.path),
            "info_file": str(self.info_file),
            "found_in": self.found_in,
            "product_code": self.product_code,
            "edition": self.edition,
            "version": self.version,
            "build": self.build,
            "data_directory_name": self.data_directory_name,
            "config_path_override": (
                str(self.config_path_override) if self.config_path_override else None
            ),
        }


def build_key(build: str | None) -> tuple[int, ...]:
    """Sortable form of "213.7172.26" (unknown sorts first)."""
    if not build:
        return ()
    return tuple(int(p) for p in re.findall(r"\d+", build))


def version_from_branch(build: str | None) -> str | None:
    """The release a build belongs to: branch 213 is 2021.3, 193 is 2019.3 (2017 on)."""
    if not build:
        return None
    head = build.split("-")[-1].split(".")[0]
    if not head.isdigit() or not 171 <= int(head) <= 999:
        return None
    branch = int(head)
    return f"{2000 + branch // 10}.{branch % 10}"


def parse_build(text: str) -> tuple[str | None, str | None]:
    """build.txt ("PC-212.5080.64") as (product code, build number)."""
    match = _BUILD.match(text.strip().splitlines()[0] if text.strip() else "")
    if not match:
        return None, None
    return match.group(1), match.group(2)


def data_dir_name(product_code: str | None, version: str | None) -> str | None:
    """The config folder name PyCharm uses: PyCharmCE2021.3, PyCharm2023.1."""
    if not product_code or not version or product_code not in DIR_PREFIX:
        return None
    parts = version.split(".")
    if len(parts) < 2:
        return None
    return f"{DIR_PREFIX[product_code]}{parts[0]}.{parts[1]}"


def read_install(folder: Path, found_in: str, layout: Layout, problems: Problems) -> Install | None:
    """Read an install folder (or `.app`); None when it is not a PyCharm install."""
    resources = folder / "Contents" / "Resources" if folder.suffix == ".app" else folder
    info_path = resources / "product-info.json"
    build_path = resources / "build.txt"
    info = read_json_object(info_path, problems) if info_path.is_file() else None
    build_text = read_text(build_path, problems) if build_path.is_file() else None
    if info is None and build_text is None:
        return None
    code_b, build_b = parse_build(build_text) if build_text is not None else (None, None)
    if info is not None:
        name = str(info.get("name") or "")
        code = _str(info.get("productCode")) or code_b
        if "pycharm" not in name.lower() and code not in EDITIONS:
            return None
        version = _str(info.get("version")) or version_from_branch(build_b)
        build = _str(info.get("buildNumber")) or build_b
        data_dir = _str(info.get("dataDirectoryName")) or data_dir_name(code, version)
        source = info_path
    else:
        if code_b not in EDITIONS:
            return None
        code, build = code_b, build_b
        version = version_from_branch(build)
        data_dir = data_dir_name(code, version)
        source = build_path
    bin_dir = folder / "Contents" / "bin" if folder.suffix == ".app" else folder / "bin"
    override = config_path_from_properties(bin_dir / "idea.properties", folder, layout, problems)
    return Install(
        path=folder,
        info_file=source,
        found_in=found_in,
        product_code=code,
        version=version,
        build=build,
        data_directory_name=data_dir,
        config_path_override=override,
    )


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def config_path_from_properties(
    path: Path, install: Path, layout: Layout, problems: Problems
) -> Path | None:
    """`idea.config.path` from an idea.properties file (Java properties syntax)."""
    if not path.is_file():
        return None
    text = read_text(path, problems)
    if text is None:
        return None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped[0] in "#!":
            continue
        key, sep, value = _split_property(stripped)
        if sep and key == "idea.config.path" and value:
            value = value.replace("${user.home}", "$USER_HOME$")
            value = value.replace("${idea.home.path}", "$APPLICATION_HOME_DIR$")
            if value.startswith("~"):
                value = "$USER_HOME$" + value[1:]
            return layout.expand(value, {"APPLICATION_HOME_DIR": install})
    return None


def _split_property(line: str) -> tuple[str, str, str]:
    match = re.match(r"^((?:\\.|[^=:\s])+)\s*([=:\s])\s*(.*)$", line)
    if not match:
        return line, "", ""
    value = re.sub(r"\\(.)", lambda m: m.group(1), match.group(3))
    return match.group(1), match.group(2), value


def _children(folder: Path, name_filter: str | None = None) -> list[Path]:
    """Child folders, optionally only those whose name contains `name_filter` (checked
    before any stat, so big folders such as /usr/share stay cheap)."""
    try:
        names = [
            p for p in folder.iterdir() if name_filter is None or name_filter in p.name.lower()
        ]
        return sorted(p for p in names if p.is_dir())
    except OSError:
        return []


def _looks_like_pycharm(name: str) -> bool:
    return "pycharm" in name.lower()


def candidate_folders(layout: Layout) -> Iterator[tuple[Path, str]]:
    """Folders that may be PyCharm installs, with the kind of place each is in."""
    if layout.os == "linux":
        yield from _linux_candidates(layout)
    elif layout.os == "macos":
        yield from _macos_candidates(layout)
    else:
        yield from _windows_candidates(layout)


def _linux_candidates(layout: Layout) -> Iterator[tuple[Path, str]]:
    """/opt, /usr/*, snap, flatpak, Toolbox, ~/.local/share/JetBrains and the home."""
    home = layout.home
    for child in _children(layout.under_root("opt")):
        if _looks_like_pycharm(child.name):
            yield child, "/opt"
        else:
            # /opt/JetBrains/pycharm-2023.1 and similar vendor folders
            for grandchild in _children(child, "pycharm"):
                yield grandchild, "/opt"
    for base in ("usr/share", "usr/local", "usr/lib"):
        for child in _children(layout.under_root(*base.split("/")), "pycharm"):
            yield child, f"/{base}"
    yield from _snap_candidates(layout)
    for flat_root, label in (
        (layout.under_root("var", "lib", "flatpak", "app"), "flatpak"),
        (home / ".local" / "share" / "flatpak" / "app", "flatpak (user)"),
    ):
        for app in _children(flat_root):
            if app.name.startswith("com.jetbrains.PyCharm"):
                files = app / "current" / "active" / "files"
                for found in _find_info(files, depth=3):
                    yield found, label
    share = home / ".local" / "share" / "JetBrains"
    yield from _toolbox(share / "Toolbox" / "apps")
    for child in _children(share):
        if child.name != "Toolbox":
            yield child, "~/.local/share/JetBrains"
    for child in _children(home, "pycharm"):
        yield child, "home folder"


def _snap_candidates(layout: Layout) -> Iterator[tuple[Path, str]]:
    """/snap/<name>/current, or each numbered revision when there is no `current`."""
    for snap in ("pycharm-community", "pycharm-professional", "pycharm-educational"):
        folder = layout.under_root("snap", snap)
        if (folder / "current").is_dir():
            yield folder / "current", "snap"
        else:
            for rev in _children(folder):
                if rev.name.isdigit():
                    yield rev, "snap"


def _macos_candidates(layout: Layout) -> Iterator[tuple[Path, str]]:
    """`.app` bundles in /Applications and ~/Applications, and Toolbox's."""
    home = layout.home
    for apps, label in (
        (layout.under_root("Applications"), "/Applications"),
        (home / "Applications", "~/Applications"),
    ):
        for child in _children(apps):
            if child.suffix == ".app" and _looks_like_pycharm(child.name):
                yield child, label
    toolbox = home / "Library" / "Application Support" / "JetBrains" / "Toolbox" / "apps"
    for folder, label in _toolbox(toolbox):
        apps_in = [c for c in _children(folder) if c.suffix == ".app"]
        yield from ((app, label) for app in apps_in) if apps_in else [(folder, label)]


def _windows_candidates(layout: Layout) -> Iterator[tuple[Path, str]]:
    """%ProgramFiles%\\JetBrains, %LOCALAPPDATA%\\Programs and Toolbox."""
    for var in ("ProgramFiles", "ProgramFiles(x86)", "ProgramW6432"):
        value = layout.getenv(var)
        if value:
            for child in _children(Path(value) / "JetBrains"):
                yield child, f"%{var}%\\JetBrains"
    local = layout.getenv("LOCALAPPDATA")
    local_path = Path(local) if local else layout.home / "AppData" / "Local"
    for child in _children(local_path / "Programs"):
        if _looks_like_pycharm(child.name):
            yield child, "%LOCALAPPDATA%\\Programs"
    yield from _toolbox(local_path / "JetBrains" / "Toolbox" / "apps")


def _toolbox(apps: Path) -> Iterator[tuple[Path, str]]:
    """Toolbox: old `apps/PyCharm-P/ch-0/<build>/`, newer `apps/pycharm-professional/`."""
    for product in _children(apps):
        if not _looks_like_pycharm(product.name):
            continue
        channels = [c for c in _children(product) if re.fullmatch(r"ch-\d+", c.name)]
        if channels:
            for channel in channels:
                for build in _children(channel):
                    if _TOOLBOX_BUILD.match(build.name):  # skips <build>.plugins folders
                        yield build, "Toolbox"
        else:
            yield product, "Toolbox"


def _find_info(folder: Path, depth: int) -> Iterator[Path]:
    """Folders under `folder` (itself included) that hold product-info.json or build.txt."""
    if (folder / "product-info.json").is_file() or (folder / "build.txt").is_file():
        yield folder
        return
    if depth <= 0:
        return
    for child in _children(folder):
        yield from _find_info(child, depth - 1)


def find_installs(layout: Layout, problems: Problems) -> list[Install]:
    """Every PyCharm install in the layout's usual places, newest build first."""
    seen: set[Path] = set()
    found: list[Install] = []
    for folder, label in candidate_folders(layout):
        try:
            key = folder.resolve()
        except OSError:
            key = folder
        if key in seen:
            continue
        seen.add(key)
        install = read_install(folder, label, layout, problems)
        if install is not None:
            found.append(install)
    return sorted(found, key=lambda i: i.sort_key(), reverse=True)
