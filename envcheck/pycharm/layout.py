"""Which operating system's PyCharm layout to read, and where its home is.

Every path this package looks at comes from a `Layout`, never from
`Path.home()` or `os.environ` directly, so tests (and support staff with a
copied home folder) can point the whole discovery at a tree for any of the
three operating systems on any machine.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Literal

OsName = Literal["linux", "macos", "windows"]
PathOs = Literal["linux", "macos", "windows", "posix"]
"""Whose path a path is, by its shape: "posix" is Linux or macOS."""
PATH_OS_NAMES: dict[PathOs, str] = {
    "linux": "Linux",
    "macos": "macOS",
    "windows": "Windows",
    "posix": "Linux or macOS",
}

HOME_ENV = "TFCERT_ENVCHECK_HOME"
"""Read PyCharm's files under this home instead of the real one."""
ROOT_ENV = "TFCERT_ENVCHECK_ROOT"
"""Look for system-wide installs (/opt, /snap, /Applications) under this folder instead of /."""

_WINDOWS_ABS = re.compile(r"^(?:[A-Za-z]:[\\/]|\\\\|//(?!/))")
_MACRO = re.compile(r"\$([A-Z_]+)\$")
# Folders only macOS has at the top of its filesystem (and Homebrew's on Apple silicon).
_MACOS_TOPS = ("/Users/", "/Applications/", "/Library/", "/System/", "/Volumes/", "/opt/homebrew/")


def native_os() -> OsName:
    """The layout of the machine this tool runs on."""
    if sys.platform == "win32":
        return "windows"
    if sys.platform == "darwin":
        return "macos"
    return "linux"


def is_windows_path(raw: str) -> bool:
    """`C:\\...`, `C:/...` or a UNC path `\\\\server\\share`."""
    return bool(_WINDOWS_ABS.match(raw))


def path_os(raw: str) -> PathOs | None:
    """Whose path this is by its shape alone, macros or not (None: it could be anyone's).

    Windows: a drive letter or UNC start, any backslash, an `.exe`, or a venv's
    `Scripts` folder (`$USER_HOME$/.../venv/Scripts/python.exe` included).
    macOS: /Users, /Library, /Applications, ... Linux: /home. POSIX: an
    interpreter in a `bin` folder, which Windows does not use.
    """
    text = raw.strip().removeprefix("file://")
    if is_windows_path(text) or "\\" in text:
        return "windows"
    macro = _MACRO.match(text)
    parts = [p for p in text[macro.end() if macro else 0 :].split("/") if p]
    if parts and (
        parts[-1].lower().endswith(".exe") or (len(parts) > 1 and parts[-2] == "Scripts")
    ):
        return "windows"
    if not macro and text.startswith(_MACOS_TOPS):
        return "macos"
    if not macro and text.startswith("/home/"):
        return "linux"
    if len(parts) > 1 and parts[-2] == "bin":
        return "posix"
    return None


def _session_home() -> Path:
    """This session's home; with none known (HOME unset, the uid not in /etc/passwd), a path
    that does not exist, as /etc/passwd gives system users: no PyCharm folders are found."""
    try:
        return Path.home()
    except (RuntimeError, KeyError, OSError):
        return Path("/nonexistent")


@dataclass(frozen=True)
class Layout:
    """One OS's PyCharm locations, rooted at a home and a filesystem root.

    `env` holds only the variables that move PyCharm's folders
    (XDG_CONFIG_HOME, APPDATA, LOCALAPPDATA, ProgramFiles); `drives` maps a
    Windows drive letter to a local folder so a Windows tree can be read on
    another OS (empty on a real Windows machine, where paths are native).
    """

    os: OsName
    home: Path
    root: Path = Path("/")
    env: Mapping[str, str] = field(default_factory=dict)
    drives: Mapping[str, Path] = field(default_factory=dict)

    @classmethod
    def current(cls, *, home: Path | None = None, os_name: OsName | None = None) -> Layout:
        """This machine's layout; TFCERT_ENVCHECK_HOME/ROOT (or `home`) move it."""
        env_home = os.environ.get(HOME_ENV)
        env_root = os.environ.get(ROOT_ENV)
        chosen_home = home or (Path(env_home) if env_home else _session_home())
        chosen_os = os_name or native_os()
        moved = home is not None or bool(env_home) or chosen_os != native_os()
        root = Path(env_root) if env_root else Path(chosen_home.anchor or "/")
        if moved:
            # A copied or test home: derive the folders from it, not from this session.
            return cls.for_tree(chosen_os, chosen_home, root=root)
        keep = (
            "XDG_CONFIG_HOME",
            "XDG_DATA_HOME",
            "APPDATA",
            "LOCALAPPDATA",
            "ProgramFiles",
            "ProgramFiles(x86)",
            "ProgramW6432",
        )
        env = {k: v for k in keep if (v := os.environ.get(k))}
        return cls(os=chosen_os, home=chosen_home, root=root, env=env)

    @classmethod
    def for_tree(
        cls,
        os_name: OsName,
        home: Path,
        *,
        root: Path | None = None,
        env: Mapping[str, str] | None = None,
        drives: Mapping[str, Path] | None = None,
    ) -> Layout:
        """A layout for a folder tree laid out like `os_name` (fixtures, copied homes)."""
        root = root if root is not None else Path(home.anchor or "/")
        derived: dict[str, str] = {}
        if os_name == "windows":
            derived = {
                "APPDATA": str(home / "AppData" / "Roaming"),
                "LOCALAPPDATA": str(home / "AppData" / "Local"),
                "ProgramFiles": str(root / "Program Files"),
                "ProgramFiles(x86)": str(root / "Program Files (x86)"),
            }
        derived.update(env or {})
        return cls(os=os_name, home=home, root=root, env=derived, drives=dict(drives or {}))

    @property
    def is_native(self) -> bool:
        return self.os == native_os() and not self.drives

    def getenv(self, key: str) -> str | None:
        value = self.env.get(key)
        return value or None

    def under_root(self, *parts: str) -> Path:
        return self.root.joinpath(*parts)

    # Config folders: JetBrains' "Directories used by the IDE" page
    # (https://www.jetbrains.com/help/pycharm/directories-used-by-the-ide-to-store-settings-caches-plugins-and-logs.html),
    # 2020.1 and later, and the pre-2020.1 layout it describes.

    def config_bases(self) -> list[tuple[Path, str]]:
        """Folders holding 2020.1+ config dirs (`<base>/<PyCharm2021.3>`), with a label."""
        if self.os == "linux":
            xdg = self.getenv("XDG_CONFIG_HOME")
            bases = [(Path(xdg) if xdg else self.home / ".config") / "JetBrains"]
            flatpak = self.home / ".var" / "app"
            labels = ["XDG_CONFIG_HOME" if xdg else "~/.config"]
            for app in _sorted_dirs(flatpak, "com.jetbrains.PyCharm"):
                bases.append(app / "config" / "JetBrains")
                labels.append(f"flatpak {app.name}")
            return list(zip(bases, labels, strict=True))
        if self.os == "macos":
            return [
                (
                    self.home / "Library" / "Application Support" / "JetBrains",
                    "~/Library/Application Support",
                )
            ]
        appdata = self.getenv("APPDATA")
        base = Path(appdata) if appdata else self.home / "AppData" / "Roaming"
        return [(base / "JetBrains", "%APPDATA%")]

    def old_config_candidates(self) -> list[Path]:
        """Every folder that may be an old-layout config dir."""
        if self.os == "macos":
            return _sorted_dirs(self.home / "Library" / "Preferences", "PyCharm")
        return [p / "config" for p in _sorted_dirs(self.home, ".PyCharm")]

    # Paths written inside PyCharm's files.

    def expand(self, raw: str, macros: Mapping[str, Path] | None = None) -> Path | None:
        """A path from a PyCharm file as a local path, or None when it is not local here.

        `$USER_HOME$` and the given macros (`$PROJECT_DIR$`, `$MODULE_DIR$`,
        `$APPLICATION_HOME_DIR$`, `$APP_CONFIG$`) are replaced; an unknown macro,
        a URL-like remote path or a path of another OS (`is_foreign`) gives None.
        """
        if self.is_foreign(raw):
            return None
        known: dict[str, Path] = {"USER_HOME": self.home, **(macros or {})}
        text = raw.strip()
        if text.startswith("file://"):
            text = text[len("file://") :]
        match = _MACRO.match(text)
        if match:
            base = known.get(match.group(1))
            if base is None:
                return None
            rest = text[match.end() :]
            return base.joinpath(*self._split(rest)) if rest.strip("\\/") else base
        if "$" in text and _MACRO.search(text):
            return None
        if "://" in text:
            return None
        if self.os == "windows":
            if not is_windows_path(text):
                return None
            if self.is_native or not self.drives:
                return Path(text) if native_os() == "windows" else None
            pure = PureWindowsPath(text)
            letter = pure.drive[:1].upper()
            mapped = self.drives.get(letter) if pure.drive.endswith(":") else None
            if mapped is None:
                return None
            return mapped.joinpath(*pure.parts[1:])
        if is_windows_path(text) or not text.startswith("/"):
            return None
        if native_os() == "windows":
            return None
        # A tree read from elsewhere (fixtures, a copied disk) has its own "/".
        return self.root.joinpath(*self._split(text)) if self.root != Path("/") else Path(text)

    def is_foreign(self, raw: str) -> bool:
        """Whether a path's shape (`path_os`) says it belongs to another OS than this layout's."""
        shape = path_os(raw)
        if shape is None:
            return False
        if shape == "posix":
            return self.os == "windows"
        if shape != self.os and shape in ("macos", "linux") and self._exists_here(raw):
            return False  # a /Users or /home folder that really is on this machine
        return shape != self.os

    def _exists_here(self, raw: str) -> bool:
        text = raw.strip().removeprefix("file://")
        try:
            return (self.root / text.lstrip("/")).exists()
        except (OSError, ValueError):
            return False

    def _split(self, rest: str) -> list[str]:
        seps = r"[\\/]" if self.os == "windows" else "/"
        return [p for p in re.split(seps, rest) if p]

    def same_path(self, a: str, b: str) -> bool:
        """Compare two paths the way this OS does (case-insensitive on Windows and macOS)."""
        na, nb = self.normalize(a), self.normalize(b)
        return na.lower() == nb.lower() if self.os in ("windows", "macos") else na == nb

    def normalize(self, raw: str) -> str:
        if self.os == "windows":
            return str(PureWindowsPath(raw.replace("/", "\\"))).rstrip("\\")
        return str(PurePosixPath(raw)).rstrip("/") or "/"


def _sorted_dirs(folder: Path, prefix: str) -> list[Path]:
    """Child folders whose name starts with `prefix`; nothing when unreadable."""
    try:
        return sorted(p for p in folder.iterdir() if p.name.startswith(prefix) and p.is_dir())
    except OSError:
        return []
