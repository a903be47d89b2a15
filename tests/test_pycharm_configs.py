"""Config directories: 2019.3-and-earlier and 2020.1+ layouts on three OSes, moved ones."""

from __future__ import annotations

from pathlib import Path

from envcheck.pycharm.configs import (
    config_for_install,
    find_config_dirs,
    given_config_dirs,
    parse_dir_name,
)
from envcheck.pycharm.installs import find_installs
from envcheck.pycharm.layout import Layout
from tests.pycharm_trees import layout_for


def _configs(layout: Layout) -> dict[str, tuple[str, Path]]:
    installs = find_installs(layout, [])
    return {c.name: (c.kind, c.path) for c in find_config_dirs(layout, installs)}


def test_linux_config_dirs() -> None:
    layout = layout_for("linux")
    home = layout.home
    assert _configs(layout) == {
        "PyCharmCE2024.1": ("2020.1+", home / ".config/JetBrains/PyCharmCE2024.1"),
        "PyCharmCE2023.3": (
            "2020.1+",
            home / ".var/app/com.jetbrains.PyCharm-Community/config/JetBrains/PyCharmCE2023.3",
        ),
        "PyCharm2023.1": ("2020.1+", home / ".config/JetBrains/PyCharm2023.1"),
        "PyCharm2021.3": ("2020.1+", home / ".config/JetBrains/PyCharm2021.3"),
        "PyCharmCE2021.1": ("idea.config.path", home / "pycharm-settings/config"),
        "PyCharmCE2019.3": ("2019.3 and earlier", home / ".PyCharmCE2019.3/config"),
    }


def test_macos_config_dirs() -> None:
    layout = layout_for("macos")
    home = layout.home
    support = home / "Library/Application Support/JetBrains"
    assert _configs(layout) == {
        "PyCharmCE2024.2": ("2020.1+", support / "PyCharmCE2024.2"),
        "PyCharm2023.2": ("2020.1+", support / "PyCharm2023.2"),
        "PyCharmCE2020.3": ("2020.1+", support / "PyCharmCE2020.3"),
        "PyCharm2019.3": ("2019.3 and earlier", home / "Library/Preferences/PyCharm2019.3"),
        "PyCharmCE2018.3": ("2019.3 and earlier", home / "Library/Preferences/PyCharmCE2018.3"),
    }


def test_windows_config_dirs() -> None:
    layout = layout_for("windows")
    home = layout.home
    roaming = home / "AppData/Roaming/JetBrains"
    assert _configs(layout) == {
        "PyCharmCE2024.2": ("2020.1+", roaming / "PyCharmCE2024.2"),
        "PyCharm2023.3": ("2020.1+", roaming / "PyCharm2023.3"),
        "PyCharmCE2021.3": ("2020.1+", roaming / "PyCharmCE2021.3"),
        "PyCharm2019.3": ("2019.3 and earlier", home / ".PyCharm2019.3/config"),
    }


def test_each_install_finds_its_config_by_data_directory_name() -> None:
    layout = layout_for("windows")
    installs = find_installs(layout, [])
    configs = find_config_dirs(layout, installs)
    owned = {
        i.version: (c.name if (c := config_for_install(i, configs)) else None) for i in installs
    }
    assert owned == {
        "2024.2": "PyCharmCE2024.2",
        "2023.3.4": "PyCharm2023.3",
        "2021.3.3": "PyCharmCE2021.3",
        "2021.2": None,  # installed, never started: no config folder yet
        "2019.3.5": "PyCharm2019.3",
    }


def test_xdg_config_home_moves_the_linux_configs(tmp_path: Path) -> None:
    xdg = tmp_path / "xdg"
    (xdg / "JetBrains" / "PyCharmCE2022.3" / "options").mkdir(parents=True)
    (tmp_path / "home" / ".config" / "JetBrains" / "PyCharm2021.3").mkdir(parents=True)
    layout = Layout.for_tree(
        "linux", tmp_path / "home", root=tmp_path, env={"XDG_CONFIG_HOME": str(xdg)}
    )
    assert [c.path for c in find_config_dirs(layout, [])] == [xdg / "JetBrains" / "PyCharmCE2022.3"]


def test_appdata_moves_the_windows_configs(tmp_path: Path) -> None:
    appdata = tmp_path / "roaming"
    (appdata / "JetBrains" / "PyCharm2024.1").mkdir(parents=True)
    layout = Layout.for_tree(
        "windows", tmp_path / "home", root=tmp_path, env={"APPDATA": str(appdata)}
    )
    assert [c.name for c in find_config_dirs(layout, [])] == ["PyCharm2024.1"]


def test_other_products_and_backups_are_not_pycharm_configs(tmp_path: Path) -> None:
    base = tmp_path / "home" / ".config" / "JetBrains"
    for name in ("IdeaIC2023.1", "PyCharm2023.1-backup", "PyCharmCE2023.1", "Toolbox"):
        (base / name).mkdir(parents=True)
    layout = Layout.for_tree("linux", tmp_path / "home", root=tmp_path)
    assert [c.name for c in find_config_dirs(layout, [])] == ["PyCharmCE2023.1"]


def test_given_config_forms(tmp_path: Path) -> None:
    single = tmp_path / "copied" / "PyCharm2021.3"
    (single / "options").mkdir(parents=True)
    assert [(c.name, c.kind) for c in given_config_dirs(single)] == [("PyCharm2021.3", "given")]
    old = tmp_path / "old" / ".PyCharmCE2019.3" / "config"
    (old / "options").mkdir(parents=True)
    assert [c.name for c in given_config_dirs(old)] == ["PyCharmCE2019.3"]
    assert [c.name for c in given_config_dirs(tmp_path / "old")] == ["PyCharmCE2019.3"]
    (tmp_path / "copied" / "PyCharmCE2024.1" / "options").mkdir(parents=True)
    assert [c.name for c in given_config_dirs(tmp_path / "copied")] == [
        "PyCharmCE2024.1",
        "PyCharm2021.3",
    ]
    assert given_config_dirs(tmp_path / "nothing-here") == []


def test_dir_names() -> None:
    assert parse_dir_name("PyCharmCE2021.3") == ("PC", "2021.3")
    assert parse_dir_name("PyCharm2025.1") == ("PY", "2025.1")
    assert parse_dir_name("PyCharmEdu2022.2") == ("PE", "2022.2")
    assert parse_dir_name("IdeaIC2023.1") == (None, None)
