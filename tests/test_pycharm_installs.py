"""PyCharm installs: every place of each OS layout, and the recorded metadata files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from envcheck.pycharm.files import FileProblem
from envcheck.pycharm.installs import (
    data_dir_name,
    find_installs,
    parse_build,
    read_install,
    version_from_branch,
)
from envcheck.pycharm.layout import Layout
from tests.pycharm_trees import PYCHARM_FIXTURES, layout_for

RECORDED = PYCHARM_FIXTURES / "recorded"


def _by_version(layout: Layout) -> dict[str, tuple[str, str, str | None, str | None]]:
    problems: list[FileProblem] = []
    found = find_installs(layout, problems)
    assert problems == []
    return {
        (i.version or "?"): (i.edition, i.found_in, i.build, i.data_directory_name) for i in found
    }


def test_linux_places() -> None:
    found = _by_version(layout_for("linux"))
    assert found == {
        "2024.1.4": ("Community", "Toolbox", "241.18034.82", "PyCharmCE2024.1"),
        "2023.3.2": ("Community", "flatpak", "233.13135.95", "PyCharmCE2023.3"),
        "2023.1": ("Professional", "snap", "231.8109.197", "PyCharm2023.1"),
        "2021.3.3": ("Professional", "Toolbox", "213.7172.26", "PyCharm2021.3"),
        "2021.1.1": ("Community", "/opt", "211.7142.13", "PyCharmCE2021.1"),
        # 2019.3 has no dataDirectoryName: derived from product code and version
        "2019.3.5": ("Community", "/opt", "193.7288.30", "PyCharmCE2019.3"),
    }


def test_linux_snap_revision_and_current_link_are_one_install() -> None:
    installs = find_installs(layout_for("linux"), [])
    snaps = [i for i in installs if i.found_in == "snap"]
    assert len(snaps) == 1
    assert snaps[0].path.name == "current"


def test_linux_toolbox_plugins_folder_is_not_an_install() -> None:
    installs = find_installs(layout_for("linux"), [])
    assert not any(i.path.name.endswith(".plugins") for i in installs)


def test_linux_idea_config_path_moves_the_config() -> None:
    layout = layout_for("linux")
    installs = {i.version: i for i in find_installs(layout, [])}
    assert installs["2021.1.1"].config_path_override == layout.home / "pycharm-settings" / "config"
    assert installs["2021.3.3"].config_path_override is None


def test_macos_places() -> None:
    found = _by_version(layout_for("macos"))
    assert found == {
        "2024.2.1": ("Community", "~/Applications", "242.21829.153", "PyCharmCE2024.2"),
        "2023.2.5": ("Professional", "/Applications", "232.10227.11", "PyCharm2023.2"),
        "2020.3.5": ("Community", "Toolbox", "203.7717.65", "PyCharmCE2020.3"),
        "2018.3.7": ("Community", "/Applications", "183.6156.16", "PyCharmCE2018.3"),
    }


def test_macos_install_is_the_app_bundle() -> None:
    installs = find_installs(layout_for("macos"), [])
    assert all(i.path.suffix == ".app" for i in installs)
    assert {i.info_file.parent.name for i in installs} == {"Resources"}


def test_windows_places() -> None:
    found = _by_version(layout_for("windows"))
    assert found == {
        "2024.2": ("Community", "%ProgramFiles%\\JetBrains", "242.20224.347", "PyCharmCE2024.2"),
        "2023.3.4": ("Professional", "%LOCALAPPDATA%\\Programs", "233.14475.56", "PyCharm2023.3"),
        "2021.3.3": ("Community", "Toolbox", "213.7172.26", "PyCharmCE2021.3"),
        # only build.txt (PC-212.5080.64): the release comes from the branch number
        "2021.2": ("Community", "%ProgramFiles%\\JetBrains", "212.5080.64", "PyCharmCE2021.2"),
        "2019.3.5": ("Professional", "%ProgramFiles%\\JetBrains", "193.7288.30", "PyCharm2019.3"),
    }


def test_newest_build_first() -> None:
    installs = find_installs(layout_for("windows"), [])
    builds = [i.sort_key() for i in installs]
    assert builds == sorted(builds, reverse=True)


def test_an_empty_home_has_no_installs(tmp_path: Path) -> None:
    for os_name in ("linux", "macos", "windows"):
        layout = Layout.for_tree(os_name, tmp_path / "home", root=tmp_path)  # type: ignore[arg-type]
        assert find_installs(layout, []) == []


@pytest.mark.parametrize(
    ("name", "version", "build", "code", "data_dir"),
    [
        (
            "pycharm_product-info_PC-2018.3.7_macos.json",
            "2018.3.7",
            "183.6156.16",
            "PC",
            "PyCharmCE2018.3",
        ),
        (
            "pycharm_product-info_PC-2019.1.1_linux.json",
            "2019.1.1",
            "191.6605.12",
            "PC",
            "PyCharmCE2019.1",
        ),
        (
            "pycharm_product-info_PC-2021.1.1_linux.json",
            "2021.1.1",
            "211.7142.13",
            "PC",
            "PyCharmCE2021.1",
        ),
        (
            "pycharm_product-info_PC-2024.2_windows.json",
            "2024.2",
            "242.20224.347",
            "PC",
            "PyCharmCE2024.2",
        ),
    ],
)
def test_recorded_product_info(
    tmp_path: Path, name: str, version: str, build: str, code: str, data_dir: str
) -> None:
    folder = tmp_path / "pycharm"
    folder.mkdir()
    (folder / "product-info.json").write_bytes((RECORDED / name).read_bytes())
    install = read_install(folder, "test", layout_for("linux"), [])
    assert install is not None
    assert (install.version, install.build, install.product_code) == (version, build, code)
    assert install.data_directory_name == data_dir
    assert install.edition == "Community"


@pytest.mark.parametrize(
    ("name", "code", "build", "release"),
    [
        ("pycharm_build.txt_PC-2018.3.7_macos.txt", "PC", "183.6156.16", "2018.3"),
        ("pycharm_build.txt_PC-2019.1.1_linux.txt", "PC", "191.6605.12", "2019.1"),
        ("pycharm_build.txt_PC-2024.2_windows.txt", "PC", "242.20224.347", "2024.2"),
        # recorded without a final newline
        ("pycharm_build.txt_PC-212.5080.64_windows.txt", "PC", "212.5080.64", "2021.2"),
    ],
)
def test_recorded_build_txt(name: str, code: str, build: str, release: str) -> None:
    text = (RECORDED / name).read_text()
    assert parse_build(text) == (code, build)
    assert version_from_branch(build) == release


def test_build_txt_only_install(tmp_path: Path) -> None:
    (tmp_path / "build.txt").write_bytes(
        (RECORDED / "pycharm_build.txt_PC-2019.1.1_linux.txt").read_bytes()
    )
    install = read_install(tmp_path, "test", layout_for("linux"), [])
    assert install is not None
    assert install.version == "2019.1"
    assert install.data_directory_name == "PyCharmCE2019.1"
    assert install.info_file.name == "build.txt"


def test_other_jetbrains_products_are_not_pycharm(tmp_path: Path) -> None:
    info = {
        "name": "IntelliJ IDEA",
        "version": "2023.1",
        "buildNumber": "231.8109.175",
        "productCode": "IC",
        "dataDirectoryName": "IdeaIC2023.1",
    }
    (tmp_path / "product-info.json").write_text(json.dumps(info))
    assert read_install(tmp_path, "test", layout_for("linux"), []) is None
    (tmp_path / "product-info.json").unlink()
    (tmp_path / "build.txt").write_text("IC-231.8109.175")
    assert read_install(tmp_path, "test", layout_for("linux"), []) is None


def test_broken_product_info_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "product-info.json").write_text('{"name": "PyCharm", "version": "2023.')
    (tmp_path / "build.txt").write_text("PY-231.8109.197\n")
    problems: list[FileProblem] = []
    install = read_install(tmp_path, "test", layout_for("linux"), problems)
    # build.txt still identifies the install
    assert install is not None and install.build == "231.8109.197"
    assert install.version == "2023.1"
    assert [p.path.name for p in problems] == ["product-info.json"]
    assert "not valid JSON" in problems[0].reason


def test_idea_properties_with_windows_escapes(tmp_path: Path) -> None:
    root = tmp_path / "win"
    layout = Layout.for_tree("windows", root / "Users" / "ada", root=root, drives={"C": root})
    install = root / "Program Files" / "JetBrains" / "PyCharm 2021.3"
    (install / "bin").mkdir(parents=True)
    (install / "build.txt").write_text("PY-213.7172.26")
    (install / "bin" / "idea.properties").write_text(
        "# idea.config.path=${user.home}/ignored\n"
        "idea.config.path=C:\\\\PyCharmSettings\\\\config\n"
    )
    found = read_install(install, "test", layout, [])
    assert found is not None
    assert found.config_path_override == root / "PyCharmSettings" / "config"


def test_names_and_branches() -> None:
    assert data_dir_name("PY", "2021.3.3") == "PyCharm2021.3"
    assert data_dir_name("PC", "2019.3") == "PyCharmCE2019.3"
    assert data_dir_name("IC", "2021.3") is None
    assert version_from_branch("PY-193.7288.30") == "2019.3"
    assert version_from_branch("241.18034.82") == "2024.1"
    assert version_from_branch("not a build") is None
    assert parse_build("") == (None, None)
    assert parse_build("garbage") == (None, None)


def test_linux_package_folders(tmp_path: Path) -> None:
    """Distribution packages: /usr/share/pycharm (Arch), /opt/<vendor>/pycharm-* folders."""
    for folder, build in (
        ("usr/share/pycharm", "PC-241.18034.82"),
        ("opt/JetBrains/pycharm-2023.1", "PY-231.8109.197"),
        ("usr/share/doc/not-pycharm-related", None),
    ):
        (tmp_path / folder).mkdir(parents=True)
        if build:
            (tmp_path / folder / "build.txt").write_text(build)
    layout = Layout.for_tree("linux", tmp_path / "home", root=tmp_path)
    found = {(i.found_in, i.version) for i in find_installs(layout, [])}
    assert found == {("/usr/share", "2024.1"), ("/opt", "2023.1")}
