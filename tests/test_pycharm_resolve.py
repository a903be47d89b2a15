"""Which interpreter PyCharm would run each fixture project with, and why."""

from __future__ import annotations

from pathlib import Path

import pytest

from envcheck.probing.interpreter import unsafe_to_run
from envcheck.pycharm.layout import Layout, OsName
from envcheck.pycharm.projects import read_recent_projects
from envcheck.pycharm.resolve import NO_INTERPRETER, Resolution, resolve_project_interpreter
from tests.pycharm_trees import (
    HOMES,
    PYCHARM_FIXTURES,
    copied_config,
    copy_tree,
    layout_for,
    placeholder_at,
    real_python_at,
    support_desk,
)


@pytest.fixture
def linux(tmp_path: Path) -> Layout:
    return copy_tree("linux", tmp_path)


def _resolve(layout: Layout, name: str, config: Path | None = None) -> Resolution:
    return resolve_project_interpreter(layout.home / "PycharmProjects" / name, config, layout)


def test_venv_project_resolves_to_its_interpreter(linux: Layout) -> None:
    python = real_python_at(linux.home / "PycharmProjects/tf-exam/venv/bin/python")
    res = _resolve(linux, "tf-exam")
    assert res.status == "ok"
    assert res.interpreter == python
    assert res.python_for_check == str(python)
    assert res.shown_as == "Python 3.8 (tf-exam)"
    assert res.request is not None and res.request.source == ".idea/tf-exam.iml"
    # opened by 2021.3 (2023-07) after 2023.1 (2023-04): 2021.3's table decides
    assert res.config_dir is not None and res.config_dir.name == "PyCharm2021.3"
    assert "PY-213.7172.26" in (res.config_reason or "")
    assert "also opened by PyCharm2023.1" in res.notes
    assert any("recorded Python 3.8.10" in n for n in res.notes)


def test_the_same_name_in_another_config_is_not_used(linux: Layout) -> None:
    # PyCharm2023.1 has its own "Python 3.8 (tf-exam)" pointing elsewhere: not looked at
    real_python_at(linux.home / "old/tf-exam-venv/bin/python")
    res = _resolve(linux, "tf-exam")
    assert res.status == "home_missing"
    assert res.sdk is not None
    assert res.sdk.local_path == linux.home / "PycharmProjects/tf-exam/venv/bin/python"


def test_inherited_module_sdk_and_duplicate_name(linux: Layout) -> None:
    python = real_python_at(linux.home / "PycharmProjects/tf-inherited/venv/bin/python")
    res = _resolve(linux, "tf-inherited")
    assert res.request is not None and res.request.inherited
    assert res.request.name == "Python 3.8 (tf-exam) (1)"
    assert (res.status, res.interpreter) == ("ok", python)


def test_conda_project(linux: Layout) -> None:
    python = real_python_at(linux.home / "miniconda3/envs/tf/bin/python")
    res = _resolve(linux, "tf-conda")
    assert (res.status, res.interpreter) == ("conda", python)
    assert res.usable
    assert "python.org" in (res.fix() or "")


def test_docker_compose_project_is_remote_and_never_a_local_path(linux: Layout) -> None:
    res = _resolve(linux, "tf-docker")
    assert res.status == "remote"
    assert res.interpreter is None
    assert res.python_for_check.startswith("docker-compose://")
    assert "local interpreter" in (res.fix() or "")
    problem = unsafe_to_run(res.python_for_check)
    assert problem is not None and "remote" in problem.reason


def test_ssh_target_with_a_path_that_exists_here_is_still_not_run(linux: Layout) -> None:
    # The SDK's homePath /home/ada/venv/bin/python is on the SSH host; even if this
    # machine has the same path, it must not be handed to the pipeline.
    placeholder_at(linux.root / "home/ada/venv/bin/python")
    res = _resolve(linux, "tf-ssh")
    assert res.status == "remote"
    assert res.python_for_check == "ssh://" + "/home/ada/venv/bin/python"
    assert unsafe_to_run(res.python_for_check) is not None


def test_missing_home(linux: Layout) -> None:
    res = _resolve(linux, "tf-gone")
    assert res.status == "home_missing"
    assert "no longer exists" in res.summary
    assert res.python_for_check == str(linux.home / "PycharmProjects/tf-gone/venv/bin/python")
    assert "recreate" in (res.fix() or "")


def test_unknown_sdk_name_is_no_interpreter_with_where_it_is(linux: Layout) -> None:
    res = _resolve(linux, "tf-missing")
    assert res.status == "no_interpreter"
    assert res.shown_as == NO_INTERPRETER
    assert "'Python 3.8 (old-venv)'" in res.summary
    assert any("PyCharm2023.1 has an SDK of that name" in n for n in res.notes)
    assert res.python_for_check == NO_INTERPRETER
    assert "Add Interpreter" in (res.fix("3.8") or "")


def test_project_with_no_sdk_at_all(linux: Layout) -> None:
    res = _resolve(linux, "tf-none")
    assert res.status == "no_interpreter"
    assert res.summary.endswith("names no SDK")
    assert res.config_dir is not None and res.config_dir.name == "PyCharmCE2024.1"


def test_2019_old_layout_project(linux: Layout) -> None:
    python = real_python_at(linux.home / "PycharmProjects/tf2019/venv/bin/python")
    res = _resolve(linux, "tf2019")
    assert (res.status, res.interpreter) == ("ok", python)
    assert res.config_dir is not None and res.config_dir.name == "PyCharmCE2019.3"
    assert "recentProjectDirectories.xml" in (res.config_reason or "")


def test_cut_short_misc_xml(linux: Layout) -> None:
    res = _resolve(linux, "tf-broken")
    assert res.status == "unreadable"
    assert "misc.xml" in res.summary and "cut short" in res.summary
    assert [p.path.name for p in res.problems] == ["misc.xml"]
    assert res.shown_as == "(unknown)"


def test_not_a_project(linux: Layout, tmp_path: Path) -> None:
    assert _resolve(linux, "does-not-exist").status == "not_a_project"
    plain = tmp_path / "plain"
    plain.mkdir()
    res = resolve_project_interpreter(plain, None, linux)
    assert res.status == "not_a_project" and ".idea" in res.summary


def test_unlisted_project_uses_the_newest_install(linux: Layout, tmp_path: Path) -> None:
    project = linux.home / "PycharmProjects" / "tf-unlisted"
    (project / ".idea").mkdir(parents=True)
    (project / ".idea" / "misc.xml").write_text(
        '<project version="4"><component name="ProjectRootManager" version="2" '
        'project-jdk-name="Python 3.12" project-jdk-type="Python SDK" /></project>'
    )
    python = real_python_at(linux.root / "usr/bin/python3.12")
    res = resolve_project_interpreter(project, None, linux)
    assert res.config_dir is not None and res.config_dir.name == "PyCharmCE2024.1"
    assert "newest install" in (res.config_reason or "")
    assert (res.status, res.interpreter) == ("ok", python)
    # no module file: the project SDK from misc.xml
    assert res.request is not None and res.request.source == ".idea/misc.xml"


def test_pycharm_config_option_overrides_discovery(linux: Layout) -> None:
    copied = linux.home / ".config/JetBrains/PyCharm2023.1"
    real_python_at(linux.home / "old/tf-exam-venv/bin/python")
    res = _resolve(linux, "tf-exam", config=copied)
    assert res.config_dir is not None and res.config_dir.path == copied
    assert res.config_reason == f"--pycharm-config {copied}"
    assert res.status == "ok"


def test_half_written_recent_projects_fall_back(linux: Layout) -> None:
    flat = linux.home / ".var/app/com.jetbrains.PyCharm-Community/config/JetBrains"
    res = resolve_project_interpreter(linux.home / "PycharmProjects" / "tf-exam", flat, linux)
    # the one given config has an empty jdk.table.xml: PyCharm would show no interpreter
    assert res.status == "no_interpreter"
    assert {p.path.name for p in res.problems} == {"jdk.table.xml"}


def test_windows_tree_with_drive_paths(tmp_path: Path) -> None:
    win = copy_tree("windows", tmp_path)
    exe = placeholder_at(win.root / "Users/ada/PycharmProjects/tf-exam/venv/Scripts/python.exe")
    res = resolve_project_interpreter(win.home / "PycharmProjects" / "tf-exam", None, win)
    assert res.config_dir is not None and res.config_dir.name == "PyCharmCE2021.3"
    assert (res.status, res.interpreter) == ("ok", exe)


def test_windows_recent_key_with_a_drive_letter(tmp_path: Path) -> None:
    win = copy_tree("windows", tmp_path)
    res = resolve_project_interpreter(win.home / "PycharmProjects" / "tf-wsl", None, win)
    assert res.config_dir is not None and res.config_dir.name == "PyCharmCE2024.2"
    assert res.status == "remote" and res.sdk is not None and res.sdk.remote_kind == "WSL"
    assert res.python_for_check.startswith("wsl://Ubuntu/")


def test_windows_conda(tmp_path: Path) -> None:
    win = copy_tree("windows", tmp_path)
    placeholder_at(win.root / "Users/ada/anaconda3/envs/tf-conda/python.exe")
    res = resolve_project_interpreter(win.home / "PycharmProjects" / "tf-conda", None, win)
    assert res.status == "conda"


def test_windows_paths_without_the_drive_are_not_local(tmp_path: Path) -> None:
    win = copy_tree("windows", tmp_path)
    unmapped = Layout.for_tree("windows", win.home, root=win.root)
    res = resolve_project_interpreter(win.home / "PycharmProjects" / "tf-exam", None, unmapped)
    assert res.status == "not_local"
    assert res.python_for_check.startswith("<not on this machine: C:\\Users")


def test_macos_newest_opener_wins(tmp_path: Path) -> None:
    mac = copy_tree("macos", tmp_path)
    python = real_python_at(mac.home / ".virtualenvs/tf-exam/bin/python")
    res = resolve_project_interpreter(mac.home / "PycharmProjects" / "tf-exam", None, mac)
    assert res.config_dir is not None and res.config_dir.name == "PyCharmCE2024.2"
    assert (res.status, res.interpreter) == ("ok", python)


def test_macos_old_sftp_sdk(tmp_path: Path) -> None:
    mac = copy_tree("macos", tmp_path)
    res = resolve_project_interpreter(mac.home / "PycharmProjects" / "tf-remote", None, mac)
    assert res.config_dir is not None and res.config_dir.name == "PyCharm2019.3"
    assert res.status == "remote"
    assert res.python_for_check == "sftp://ada@gpu-box:22/usr/bin/python3"


def test_no_config_anywhere(tmp_path: Path) -> None:
    project = tmp_path / "home" / "proj"
    (project / ".idea").mkdir(parents=True)
    (project / ".idea" / "misc.xml").write_text(
        '<project version="4"><component name="ProjectRootManager" version="2" '
        'project-jdk-name="Python 3.8" project-jdk-type="Python SDK" /></project>'
    )
    layout = Layout.for_tree("linux", tmp_path / "home", root=tmp_path)
    res = resolve_project_interpreter(project, None, layout)
    assert res.status == "no_config"
    assert "--pycharm-config" in (res.fix() or "")


def test_recent_projects_of_both_formats() -> None:
    layout = layout_for("linux")
    new = read_recent_projects(layout.home / ".config/JetBrains/PyCharm2021.3", layout, [])
    assert [r.path.name for r in new if r.path] == [
        "tf-exam",
        "tf-inherited",
        "tf-conda",
        "tf-docker",
        "tf-missing",
        "tf-gone",
    ]  # most recently activated first
    assert {r.build for r in new} == {"PY-213.7172.26"}
    assert {r.product_code for r in new} == {"PY"}
    mac = layout_for("macos")
    old = read_recent_projects(mac.home / "Library/Preferences/PyCharmCE2018.3", mac, [])
    assert [(r.path_raw, r.build) for r in old] == [("$USER_HOME$/PycharmProjects/hello", None)]


def _at_the_desk(tmp_path: Path, os_name: OsName, config: str, project: str) -> Resolution:
    """`check --project P --pycharm-config C` run by support staff on Linux, with a
    candidate's project and config folder copied from a machine of `os_name`."""
    source = PYCHARM_FIXTURES / os_name / HOMES[os_name] / "PycharmProjects" / project
    return resolve_project_interpreter(
        source, copied_config(os_name, config), support_desk(tmp_path)
    )


def test_a_user_home_windows_venv_read_on_linux_is_not_called_deleted(tmp_path: Path) -> None:
    res = _at_the_desk(tmp_path, "windows", "PyCharmCE2021.3", "tf")
    assert res.status == "not_local"
    assert res.summary == (
        "SDK 'Python 3.8 (tf)' points to $USER_HOME$/PycharmProjects/tf/venv/Scripts/python.exe, "
        "a Windows path: not a path on this machine"
    )
    assert "machine this PyCharm config comes from" in (res.fix() or "")
    assert res.python_for_check == (
        "<not on this machine: $USER_HOME$/PycharmProjects/tf/venv/Scripts/python.exe>"
    )


def test_a_c_drive_path_is_printed_as_written(tmp_path: Path) -> None:
    res = _at_the_desk(tmp_path, "windows", "PyCharmCE2021.3", "tf-exam")
    assert res.status == "not_local"
    assert "points to C:\\Users\\ada\\PycharmProjects\\tf-exam\\venv\\Scripts\\python.exe," in (
        res.summary
    )
    assert "\\\\" not in res.summary


_ANACONDA = "the exam guide asks for a python.org Python, not Anaconda"


@pytest.mark.parametrize(
    ("os_name", "config", "project", "status"),
    [
        ("windows", "PyCharmCE2021.3", "tf-conda", "not_local"),  # C:/Users/ada/anaconda3/envs
        ("macos", "PyCharmCE2020.3", "tf-anaconda", "home_missing"),  # $USER_HOME$/opt/anaconda3
        ("macos", "PyCharmCE2024.2", "tf-conda24", "home_missing"),  # CondaEnvSdkFlavor
    ],
)
def test_conda_is_named_whatever_os_the_path_is_from(
    tmp_path: Path, os_name: OsName, config: str, project: str, status: str
) -> None:
    res = _at_the_desk(tmp_path, os_name, config, project)
    assert res.status == status
    assert any(_ANACONDA in note for note in res.notes), res.notes
    assert "not Anaconda" in (res.fix() or "")


def test_a_deleted_conda_env_is_named_conda(linux: Layout) -> None:
    res = _resolve(linux, "tf-conda")  # the env's folder exists, its python does not
    assert res.status == "home_missing"
    assert any(_ANACONDA in note for note in res.notes), res.notes


def _version_notes(res: Resolution) -> list[str]:
    return [n for n in res.notes if "recorded" in n]


@pytest.mark.parametrize(
    ("os_name", "project", "kind"),
    [
        ("linux", "tf-docker", "Docker Compose"),
        ("linux", "tf-ssh", "SSH"),
        ("windows", "tf-wsl", "WSL"),
        ("windows", "tf-docker", "Docker"),
    ],
)
def test_a_remote_sdks_recorded_version_is_never_said_to_be_asked(
    tmp_path: Path, os_name: OsName, project: str, kind: str
) -> None:
    layout = copy_tree(os_name, tmp_path)
    res = resolve_project_interpreter(layout.home / "PycharmProjects" / project, None, layout)
    assert res.status == "remote" and res.sdk is not None and res.sdk.remote_kind == kind
    (note,) = _version_notes(res)
    assert "itself is asked" not in note
    assert f"not checked: this {kind} interpreter is never run" in note


def test_recorded_version_notes_say_what_is_done_with_them(linux: Layout) -> None:
    (gone,) = _version_notes(_resolve(linux, "tf-gone"))
    assert "itself is asked" not in gone and "the interpreter is gone" in gone
    real_python_at(linux.home / "PycharmProjects/tf-exam/venv/bin/python")
    (here,) = _version_notes(_resolve(linux, "tf-exam"))
    assert "the interpreter itself is asked" in here


def test_a_foreign_sdks_recorded_version_is_not_checked_here(tmp_path: Path) -> None:
    (note,) = _version_notes(_at_the_desk(tmp_path, "windows", "PyCharmCE2021.3", "tf-exam"))
    assert "itself is asked" not in note and "cannot be checked here" in note


def test_a_user_home_windows_venv_read_as_windows_is_local(tmp_path: Path) -> None:
    """The same config read as the Windows machine it comes from: an ordinary venv."""
    win = copy_tree("windows", tmp_path)
    python = placeholder_at(win.home / "PycharmProjects/tf/venv/Scripts/python.exe")
    res = resolve_project_interpreter(win.home / "PycharmProjects" / "tf", None, win)
    assert (res.status, res.interpreter) == ("ok", python)
    assert res.config_dir is not None and res.config_dir.name == "PyCharmCE2021.3"
