"""Python SDKs from jdk.table.xml: local, conda, remote and other-OS paths, never run."""

from __future__ import annotations

from pathlib import Path

import pytest

from envcheck.pycharm.files import FileProblem
from envcheck.pycharm.layout import Layout, OsName
from envcheck.pycharm.sdks import PythonSdk, find_by_name, read_sdks
from tests.pycharm_trees import layout_for

LINUX = layout_for("linux")
MACOS = layout_for("macos")
WINDOWS = layout_for("windows")


def _sdks(layout: Layout, config: str) -> dict[str, PythonSdk]:
    problems: list[FileProblem] = []
    found = read_sdks(layout.home / config, layout, problems)
    assert problems == []
    return {s.name: s for s in found}


def test_only_python_sdks_in_file_order() -> None:
    problems: list[FileProblem] = []
    sdks = read_sdks(LINUX.home / ".config/JetBrains/PyCharm2021.3", LINUX, problems)
    assert [s.name for s in sdks] == [
        "Python 3.8 (tf-exam)",
        "Python 3.8 (tf-exam) (1)",
        "Python 3.8 (tf)",
        "Remote Python 3.8.10 Docker Compose (web)",
        "Python 3.8 (tf-gone)",
    ]  # the JavaSDK "17" is skipped


def test_user_home_macro_and_recorded_version() -> None:
    sdk = _sdks(LINUX, ".config/JetBrains/PyCharm2021.3")["Python 3.8 (tf-exam)"]
    assert sdk.home_raw == "$USER_HOME$/PycharmProjects/tf-exam/venv/bin/python"
    assert sdk.local_path == LINUX.home / "PycharmProjects/tf-exam/venv/bin/python"
    assert sdk.location == "local"
    assert sdk.recorded_version == "Python 3.8.10"
    assert sdk.home_exists() is False
    assert sdk.associated_project == "$USER_HOME$/PycharmProjects/tf-exam"


def test_duplicate_name_suffix_is_its_own_sdk() -> None:
    sdks = read_sdks(LINUX.home / ".config/JetBrains/PyCharm2021.3", LINUX, [])
    plain, count = find_by_name(sdks, "Python 3.8 (tf-exam)")
    dup, _ = find_by_name(sdks, "Python 3.8 (tf-exam) (1)")
    assert count == 1
    assert plain is not None and dup is not None
    assert dup.local_path == LINUX.home / "PycharmProjects/tf-inherited/venv/bin/python"
    # exact and case-sensitive, as PyCharm matches
    assert find_by_name(sdks, "python 3.8 (tf-exam)") == (None, 0)


def test_conda_from_conda_meta_folder() -> None:
    sdk = _sdks(LINUX, ".config/JetBrains/PyCharm2021.3")["Python 3.8 (tf)"]
    assert sdk.conda
    assert sdk.flavor_id is None  # 2021.3 recorded no flavor
    assert "conda-meta" in (sdk.conda_reason or "")
    assert sdk.where == "conda"


def test_conda_from_recorded_flavor() -> None:
    sdk = _sdks(MACOS, "Library/Application Support/JetBrains/PyCharmCE2024.2")["tf"]
    assert sdk.conda and sdk.flavor_id == "CondaEnvSdkFlavor"


def test_conda_base_from_its_folder_name() -> None:
    sdk = _sdks(MACOS, "Library/Application Support/JetBrains/PyCharmCE2020.3")["Python 3.8 (base)"]
    assert sdk.conda
    assert "Anaconda" in (sdk.conda_reason or "")


def test_venv_is_not_conda() -> None:
    sdks = _sdks(MACOS, "Library/Application Support/JetBrains/PyCharm2023.2")
    sdk = sdks["Python 3.8 (tf-exam)"]
    assert not sdk.conda and sdk.where == "venv"


def test_docker_compose_sdk_is_remote() -> None:
    sdks = _sdks(LINUX, ".config/JetBrains/PyCharm2021.3")
    sdk = sdks["Remote Python 3.8.10 Docker Compose (web)"]
    assert (sdk.location, sdk.remote_kind, sdk.remote_detail) == ("remote", "Docker Compose", "web")
    assert sdk.local_path is None and sdk.home_exists() is None


def test_ssh_target_sdk_is_remote_even_with_a_plain_path() -> None:
    sdks = _sdks(LINUX, ".config/JetBrains/PyCharmCE2024.1")
    sdk = sdks["Remote Python 3.8.10 (sftp://ada@gpu-box:22/home/ada/venv/bin/python)"]
    assert sdk.home_raw == "/home/ada/venv/bin/python"
    assert (sdk.location, sdk.remote_kind) == ("remote", "SSH")


def test_old_sftp_sdk_is_remote() -> None:
    sdks = _sdks(MACOS, "Library/Preferences/PyCharm2019.3")
    sdk = sdks["Remote Python 3.6.9 (sftp://ada@gpu-box:22/usr/bin/python3)"]
    assert (sdk.location, sdk.remote_kind, sdk.remote_detail) == ("remote", "SFTP", "gpu-box")


def test_wsl_target_and_wsl_unc_path_are_remote() -> None:
    new = _sdks(WINDOWS, "AppData/Roaming/JetBrains/PyCharmCE2024.2")
    wsl = new["Python 3.10.6 WSL (Ubuntu): (/home/ada/venvs/tf/bin/python)"]
    assert (wsl.location, wsl.remote_kind, wsl.remote_detail) == ("remote", "WSL", "Ubuntu")
    old = _sdks(WINDOWS, "AppData/Roaming/JetBrains/PyCharmCE2021.3")
    unc = old["Python 3.8 (WSL Ubuntu-20.04)"]
    assert (unc.location, unc.remote_kind, unc.remote_detail) == ("remote", "WSL", "Ubuntu-20.04")


def test_docker_target_is_remote() -> None:
    sdks = _sdks(WINDOWS, "AppData/Roaming/JetBrains/PyCharm2023.3")
    sdk = sdks["Remote Python 3.8.10 Docker (tensorflow/tensorflow:2.9.0)"]
    assert (sdk.remote_kind, sdk.remote_detail) == ("Docker", "tensorflow/tensorflow:2.9.0")


def test_windows_paths_map_through_the_drive() -> None:
    sdks = _sdks(WINDOWS, "AppData/Roaming/JetBrains/PyCharmCE2021.3")
    root = WINDOWS.root
    assert sdks["Python 3.8 (tf-exam)"].local_path == (
        root / "Users/ada/PycharmProjects/tf-exam/venv/Scripts/python.exe"
    )
    # forward slashes and $USER_HOME$ with Windows separators too
    assert sdks["Python 3.8 (tf-conda)"].local_path == (
        root / "Users/ada/anaconda3/envs/tf-conda/python.exe"
    )
    assert sdks["Python 3.8 (tf-conda)"].conda
    assert sdks["Python 3.8"].local_path == (
        WINDOWS.home / "AppData/Local/Programs/Python/Python38/python.exe"
    )


def test_windows_paths_are_foreign_without_a_drive_mapping() -> None:
    layout = Layout.for_tree("windows", WINDOWS.home, root=WINDOWS.root)
    sdks = {
        s.name: s
        for s in read_sdks(WINDOWS.home / "AppData/Roaming/JetBrains/PyCharmCE2021.3", layout, [])
    }
    sdk = sdks["Python 3.8 (tf-exam)"]
    assert (sdk.location, sdk.local_path) == ("foreign", None)
    assert sdk.where == "path of another OS"


def test_windows_path_in_a_linux_layout_is_foreign(tmp_path: Path) -> None:
    config = tmp_path / "PyCharm2021.3"
    (config / "options").mkdir(parents=True)
    (config / "options" / "jdk.table.xml").write_text(
        '<application><component name="ProjectJdkTable"><jdk version="2">'
        '<name value="Python 3.8" /><type value="Python SDK" />'
        '<homePath value="C:\\Python38\\python.exe" /></jdk></component></application>'
    )
    layout = Layout.for_tree("linux", tmp_path / "home", root=tmp_path)
    (sdk,) = read_sdks(config, layout, [])
    assert sdk.location == "foreign"


def test_absolute_paths_stay_inside_the_tree() -> None:
    sdk = _sdks(LINUX, ".PyCharmCE2019.3/config")["Python 3.7"]
    assert sdk.local_path == LINUX.root / "usr/bin/python3.7"


def test_missing_table_gives_no_sdks_and_no_problem(tmp_path: Path) -> None:
    problems: list[FileProblem] = []
    assert read_sdks(tmp_path, LINUX, problems) == []
    assert problems == []


def test_empty_table_is_a_problem_naming_the_file() -> None:
    problems: list[FileProblem] = []
    flatpak = LINUX.home / ".var/app/com.jetbrains.PyCharm-Community"
    config = flatpak / "config/JetBrains/PyCharmCE2023.3"
    assert read_sdks(config, LINUX, problems) == []
    assert [p.path for p in problems] == [config / "options/jdk.table.xml"]
    assert "empty" in problems[0].reason


def _one_sdk(tmp_path: Path, layout: Layout, home_path: str) -> PythonSdk:
    """One SDK whose jdk.table.xml entry is written the way PyCharm writes it."""
    config = tmp_path / "PyCharmCE2021.3"
    (config / "options").mkdir(parents=True, exist_ok=True)
    (config / "options" / "jdk.table.xml").write_text(
        '<application>\n  <component name="ProjectJdkTable">\n    <jdk version="2">\n'
        '      <name value="Python 3.8 (tf)" />\n      <type value="Python SDK" />\n'
        '      <version value="Python 3.8.10" />\n'
        f'      <homePath value="{home_path}" />\n      <additional />\n'
        "    </jdk>\n  </component>\n</application>\n",
        encoding="utf-8",
    )
    problems: list[FileProblem] = []
    (sdk,) = read_sdks(config, layout, problems)
    assert problems == []
    return sdk


@pytest.mark.parametrize(
    ("home_path", "path_os", "conda"),
    [
        ("$USER_HOME$/PycharmProjects/tf/venv/Scripts/python.exe", "windows", False),
        ("$USER_HOME$\\PycharmProjects\\tf\\venv\\Scripts\\python.exe", "windows", False),
        ("$USER_HOME$/AppData/Local/Programs/Python/Python38/python.exe", "windows", False),
        ("C:\\Users\\ada\\PycharmProjects\\tf\\venv\\Scripts\\python.exe", "windows", False),
        ("C:\\Users\\ada\\Anaconda3\\envs\\tf\\python.exe", "windows", True),
        ("$USER_HOME$/miniconda3/envs/tf/python.exe", "windows", True),
        ("/Users/ada/miniconda3/envs/tf/bin/python", "macos", True),
        ("/Users/ada/PycharmProjects/tf/venv/bin/python", "macos", False),
        ("/Library/Frameworks/Python.framework/Versions/3.8/bin/python3", "macos", False),
    ],
)
def test_another_os_path_read_on_linux_is_foreign_by_its_shape(
    tmp_path: Path, home_path: str, path_os: str, conda: bool
) -> None:
    """A config copied from Windows or macOS, read on Linux: the path's shape says whose it is,
    with or without $USER_HOME$, and a conda environment is one on any OS."""
    layout = Layout.for_tree("linux", tmp_path / "home", root=tmp_path)
    sdk = _one_sdk(tmp_path, layout, home_path)
    assert (sdk.location, sdk.local_path, sdk.path_os) == ("foreign", None, path_os)
    assert sdk.conda is conda
    assert sdk.where == ("conda, path of another OS" if conda else "path of another OS")


@pytest.mark.parametrize(
    "home_path",
    [
        "$USER_HOME$/PycharmProjects/tf/venv/bin/python",
        "/usr/bin/python3.8",
        "/home/ada/.pyenv/versions/3.8.10/bin/python3.8",
        "/opt/conda/envs/tf/bin/python",
        "$USER_HOME$/scripts/python",  # a wrapper in ~/scripts, not a Windows venv's Scripts
    ],
)
def test_linux_shaped_paths_stay_local_on_linux(tmp_path: Path, home_path: str) -> None:
    layout = Layout.for_tree("linux", tmp_path / "home", root=tmp_path)
    sdk = _one_sdk(tmp_path, layout, home_path)
    assert sdk.location == "local" and sdk.local_path is not None


@pytest.mark.parametrize(
    ("os_name", "home_path", "path_os"),
    [
        ("windows", "$USER_HOME$/miniconda3/envs/tf/bin/python", "posix"),
        ("windows", "/home/ada/venv/bin/python", "linux"),
        ("macos", "C:\\Users\\ada\\venv\\Scripts\\python.exe", "windows"),
        ("macos", "$USER_HOME$/venv/Scripts/python.exe", "windows"),
        ("macos", "/home/ada/venv/bin/python", "linux"),
    ],
)
def test_another_os_path_read_as_windows_or_macos(
    tmp_path: Path, os_name: OsName, home_path: str, path_os: str
) -> None:
    root = tmp_path / os_name
    home = root / ("Users/ada")
    layout = Layout.for_tree(
        os_name, home, root=root, drives={"C": root} if os_name == "windows" else None
    )
    sdk = _one_sdk(tmp_path, layout, home_path)
    assert (sdk.location, sdk.local_path, sdk.path_os) == ("foreign", None, path_os)


def test_a_windows_config_read_on_linux() -> None:
    """The Windows fixture config as support staff read it on Linux (--pycharm-config)."""
    desk = Layout.for_tree("linux", Path("/nonexistent/home/sam"), root=Path("/nonexistent"))
    config = WINDOWS.home / "AppData/Roaming/JetBrains/PyCharmCE2021.3"
    sdks = {s.name: s for s in read_sdks(config, desk, [])}
    assert {n: s.location for n, s in sdks.items()} == {
        "Python 3.8 (tf-exam)": "foreign",
        "Python 3.8": "foreign",  # $USER_HOME$/AppData/.../python.exe
        "Python 3.8 (tf-conda)": "foreign",
        "Python 3.8 (WSL Ubuntu-20.04)": "remote",
        "Python 3.8 (tf)": "foreign",  # $USER_HOME$/PycharmProjects/tf/venv/Scripts/python.exe
    }
    assert sdks["Python 3.8 (tf-conda)"].conda


def test_a_macos_shaped_path_that_exists_here_is_local(tmp_path: Path) -> None:
    """/Users on a Linux machine is rare but real: a path that exists here is never foreign."""
    layout = Layout.for_tree("linux", tmp_path / "home", root=tmp_path)
    python = tmp_path / "Users" / "ada" / "venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text("")
    sdk = _one_sdk(tmp_path, layout, "/Users/ada/venv/bin/python")
    assert sdk.location == "local" and sdk.local_path is not None
    gone = _one_sdk(tmp_path, layout, "/Users/bob/venv/bin/python")
    assert gone.location == "foreign"
