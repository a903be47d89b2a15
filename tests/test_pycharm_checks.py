"""The pycharm.* checks on fixture trees, with real interpreters where one is run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from envcheck.checks import pycharm as checks
from envcheck.checks.base import Context, Options
from envcheck.matrix import load_matrix
from envcheck.probing import interpreter as interp
from envcheck.pycharm.layout import Layout
from envcheck.results import Status
from tests.pycharm_trees import copy_tree, layout_for, placeholder_at, real_python_at


def _context(
    layout: Layout,
    *,
    profile: str | None = None,
    project: Path | None = None,
    python: str | None = None,
    config: Path | None = None,
) -> Context:
    matrix = load_matrix()
    name, _ = matrix.profile(profile)
    return Context(
        interpreter=interp.resolve(python or "/nonexistent/python"),
        matrix=matrix,
        profile_name=name,
        options=Options(project=project, pycharm_layout=layout, pycharm_config=config),
    )


def _tree_with_installs(tmp_path: Path, versions: list[str]) -> Layout:
    home = tmp_path / "home"
    for version in versions:
        folder = home / f"pycharm-community-{version}"
        folder.mkdir(parents=True)
        info = {
            "name": "PyCharm",
            "version": version,
            "buildNumber": "202.8194.15",
            "productCode": "PC",
        }
        (folder / "product-info.json").write_text(json.dumps(info))
    return Layout.for_tree("linux", home, root=tmp_path)


def test_the_guides_version_is_installed() -> None:
    finding = checks.installs_check(_context(layout_for("linux"), profile="exam-2022-07"))
    assert finding.status is Status.OK
    assert finding.summary.startswith("PyCharm Professional 2021.3.3 (Toolbox")
    assert finding.summary.endswith("(and 5 more)")
    assert finding.expected == "PyCharm 2021.3"


def test_only_untested_versions_is_a_warning() -> None:
    finding = checks.installs_check(_context(layout_for("macos"), profile="exam-2022-07"))
    assert finding.status is Status.WARNING
    assert "tested with 2021.3" in finding.summary
    assert finding.fix and "Install PyCharm 2021.3" in finding.fix
    assert finding.observed == "2024.2.1, 2023.2.5, 2020.3.5, 2018.3.7"


def test_a_known_bad_version_alone_fails() -> None:
    # The guide of Dec 2020: 2020.3 "doesn't yet work", 2020.2 does.
    finding = checks.installs_check(_context(layout_for("macos"), profile="exam-2020-12"))
    assert finding.status is Status.FAILURE
    assert "2020.3.5" in finding.summary and "does not work" in finding.summary
    assert finding.fix and "2020.2" in finding.fix


def test_good_and_bad_side_by_side_is_a_warning(tmp_path: Path) -> None:
    layout = _tree_with_installs(tmp_path, ["2020.2.5", "2020.3.1"])
    finding = checks.installs_check(_context(layout, profile="exam-2020-12"))
    assert finding.status is Status.WARNING
    assert finding.fix == "Open the exam project in PyCharm 2020.2, not in 2020.3."


def test_a_profile_without_versions_accepts_any(tmp_path: Path) -> None:
    layout = _tree_with_installs(tmp_path, ["2020.3.1"])
    assert checks.installs_check(_context(layout, profile="exam-2020")).status is Status.OK


@pytest.mark.parametrize(
    ("versions", "status"),
    [(["2024.2.1"], Status.OK), (["2022.3.1"], Status.OK), (["2021.3.3"], Status.WARNING)],
)
def test_the_guide_of_january_2023_asks_for_the_latest_pycharm(
    tmp_path: Path, versions: list[str], status: Status
) -> None:
    # "install the latest version of PyCharm" (5 Jan 2023): newer is never wrong.
    layout = _tree_with_installs(tmp_path, versions)
    finding = checks.installs_check(_context(layout, profile="exam-2023-01"))
    assert finding.status is status, finding.summary
    assert finding.expected == "PyCharm 2022.3 or newer"
    if status is Status.WARNING:
        assert "older than 2022.3" in finding.summary
        assert finding.fix and "latest" in finding.fix


def test_the_guide_of_july_2022_still_names_2021_3(tmp_path: Path) -> None:
    layout = _tree_with_installs(tmp_path, ["2024.2.1"])
    finding = checks.installs_check(_context(layout, profile="exam-2022-07"))
    assert finding.status is Status.WARNING
    assert "tested with 2021.3" in finding.summary


def test_no_pycharm_at_all(tmp_path: Path) -> None:
    layout = Layout.for_tree("linux", tmp_path / "home", root=tmp_path)
    finding = checks.installs_check(_context(layout))
    assert finding.status is Status.WARNING
    assert finding.summary == "no PyCharm install found in the usual places"
    assert finding.fix and "--project" in finding.fix


def test_a_copied_config_is_not_an_install(tmp_path: Path) -> None:
    """Support staff read a candidate's config on a machine without PyCharm: the config
    names a version, but nothing here is installed."""
    layout = Layout.for_tree("linux", tmp_path / "home", root=tmp_path)
    config = layout_for("linux").home / ".config/JetBrains/PyCharm2021.3"
    finding = checks.installs_check(_context(layout, config=config))
    assert finding.status is Status.WARNING
    assert finding.observed == "none found"
    assert finding.summary == (
        "no PyCharm install found in the usual places; PyCharm2021.3 is a config folder "
        "(settings of PyCharm 2021.3), not an install"
    )


def test_a_config_folder_left_by_an_uninstalled_pycharm_is_not_an_install(
    tmp_path: Path,
) -> None:
    """PyCharm 2021.3 was uninstalled; its settings stayed in ~/.config/JetBrains."""
    home = tmp_path / "home"
    shutil.copytree(
        layout_for("linux").home / ".config/JetBrains/PyCharm2021.3",
        home / ".config/JetBrains/PyCharm2021.3",
    )
    layout = Layout.for_tree("linux", home, root=tmp_path)
    finding = checks.installs_check(_context(layout, profile="exam-2022-07"))
    assert finding.status is Status.WARNING
    assert finding.summary.startswith("no PyCharm install found in the usual places; ")
    assert finding.details["found"] == []
    assert finding.details["config_dirs_without_install"] == [
        str(home / ".config/JetBrains/PyCharm2021.3")
    ]
    assert finding.fix and "Install PyCharm 2021.3" in finding.fix


def test_unreadable_settings_files_are_a_warning_naming_them() -> None:
    finding = checks.files_check(_context(layout_for("linux")))
    assert finding.status is Status.WARNING
    assert finding.summary.startswith("2 file(s) could not be used")
    assert "PyCharmCE2023.3/options/jdk.table.xml: is empty" in finding.summary
    assert finding.fix and finding.fix.startswith("Close PyCharm")


def test_readable_settings_files() -> None:
    finding = checks.files_check(_context(layout_for("windows")))
    assert finding.status is Status.OK


def test_without_project_the_interpreter_check_is_skipped() -> None:
    finding = checks.interpreter_check(_context(layout_for("linux")))
    assert finding.status is Status.SKIPPED
    assert "--project" in finding.summary


@pytest.fixture
def linux(tmp_path: Path) -> Layout:
    return copy_tree("linux", tmp_path)


def test_project_interpreter_ok_with_stale_recorded_version(linux: Layout) -> None:
    python = real_python_at(linux.home / "PycharmProjects/tf-exam/venv/bin/python")
    ctx = _context(linux, project=linux.home / "PycharmProjects/tf-exam", python=str(python))
    finding = checks.interpreter_check(ctx)
    assert finding.status is Status.OK
    assert finding.observed == str(python)
    real = ctx.interpreter.version_str  # type: ignore[union-attr]
    assert f"PyCharm recorded 3.8.10, the interpreter is really {real}" in finding.summary
    assert "PyCharm2021.3 opened it last" in finding.summary
    assert ctx.shared["pycharm"]["project"]["status"] == "ok"


def test_conda_interpreter_is_a_warning(linux: Layout) -> None:
    python = real_python_at(linux.home / "miniconda3/envs/tf/bin/python")
    ctx = _context(linux, project=linux.home / "PycharmProjects/tf-conda", python=str(python))
    finding = checks.interpreter_check(ctx)
    assert finding.status is Status.WARNING
    assert finding.fix and "not Anaconda" in finding.fix and "Python 3.8" in finding.fix


@pytest.mark.parametrize(
    ("project", "status", "words"),
    [
        ("tf-docker", Status.FAILURE, "the exam plugin needs a local one"),
        ("tf-ssh", Status.FAILURE, "remote interpreter (SSH)"),
        ("tf-missing", Status.FAILURE, "<No interpreter>"),
        ("tf-none", Status.FAILURE, "<No interpreter>"),
        ("tf-gone", Status.FAILURE, "no longer exists"),
        ("tf-broken", Status.ERROR, "could not determine"),
    ],
)
def test_project_problems(linux: Layout, project: str, status: Status, words: str) -> None:
    ctx = _context(linux, project=linux.home / "PycharmProjects" / project)
    finding = checks.interpreter_check(ctx)
    assert finding.status is status
    assert words in finding.summary
    assert finding.fix


def test_no_interpreter_is_shown_as_pycharm_shows_it(linux: Layout) -> None:
    ctx = _context(linux, project=linux.home / "PycharmProjects/tf-missing")
    finding = checks.interpreter_check(ctx)
    assert finding.observed == "<No interpreter>"
    assert finding.fix and "Add Local Interpreter" in finding.fix


def test_an_interpreter_that_does_not_run(linux: Layout) -> None:
    stub = placeholder_at(linux.home / "PycharmProjects/tf-exam/venv/bin/python")
    ctx = _context(linux, project=linux.home / "PycharmProjects/tf-exam", python=str(stub))
    finding = checks.interpreter_check(ctx)
    assert finding.status is Status.FAILURE
    assert "is not executable" in finding.summary
