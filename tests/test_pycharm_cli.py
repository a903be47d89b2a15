"""The `pycharm` command and `check --project` through the real CLI, on fixture homes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from envcheck.cli import cli
from envcheck.pycharm.layout import HOME_ENV, ROOT_ENV, Layout
from tests.conftest import pyenv_python
from tests.helpers import json_report, results_by_id, run_cli
from tests.pycharm_trees import (
    PYCHARM_FIXTURES,
    copied_config,
    copy_tree,
    real_python_at,
    support_desk,
)


def _tree_env(layout: Layout) -> dict[str, str]:
    return {HOME_ENV: str(layout.home), ROOT_ENV: str(layout.root)}


def _pycharm(layout: Layout, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli,
        ["pycharm", "--os", layout.os, *args],
        env=_tree_env(layout),
        catch_exceptions=False,
    )
    return result.exit_code, result.output


@pytest.fixture
def linux(tmp_path: Path) -> Layout:
    return copy_tree("linux", tmp_path)


def test_text_view(linux: Layout) -> None:
    code, out = _pycharm(linux)
    assert code == 0
    assert "Professional 2021.3.3" in out and "213.7172.26" in out
    assert "~/.config/JetBrains/PyCharm2021.3" in out
    assert "Python 3.8 (tf-exam) (1)" in out
    assert "Docker Compose (web)" in out and "remote: never run" in out
    assert "<No interpreter>" in out
    assert "fix: The exam plugin needs a local interpreter" in out
    assert "Files that could not be used" in out
    assert "PyCharmCE2023.3/options/recentProjects.xml: cut short" in out
    assert "Traceback" not in out


def test_json_view(linux: Layout) -> None:
    real_python_at(linux.home / "PycharmProjects/tf-exam/venv/bin/python")
    code, out = _pycharm(linux, "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["layout"]["os"] == "linux"
    assert len(doc["installs"]) == 6
    assert {c["name"] for c in doc["config_dirs"]} >= {"PyCharm2021.3", "PyCharmCE2019.3"}
    statuses = {Path(p["project"]).name: p["status"] for p in doc["projects"]}
    assert statuses == {
        "tf-exam": "ok",
        "tf-inherited": "home_missing",
        "tf-conda": "home_missing",
        "tf-docker": "remote",
        "tf-missing": "no_interpreter",
        "tf-gone": "home_missing",
        "tf-none": "no_interpreter",
        "tf-ssh": "remote",
        "tf2019": "home_missing",
    }
    assert len(doc["problems"]) == 2


def test_a_file_for_support_is_redacted_unless_asked_not_to(linux: Layout, tmp_path: Path) -> None:
    """`pycharm -o FILE` leaves the machine like `check -o`: no home, user or host name."""
    home = str(linux.home)
    for fmt in ("json", "text"):
        shared = tmp_path / f"pycharm.{fmt}"
        code, _ = _pycharm(linux, "--format", fmt, "-o", str(shared))
        assert code == 0
        text = shared.read_text(encoding="utf-8")
        assert home not in text and "~/PycharmProjects/tf-exam" in text
        if fmt == "json":
            doc = json.loads(text)
            assert doc["layout"]["home"] == "~"
        kept = tmp_path / f"kept.{fmt}"
        assert _pycharm(linux, "--format", fmt, "-o", str(kept), "--no-redact")[0] == 0
        assert home in kept.read_text(encoding="utf-8")
    code, out = _pycharm(linux, "--format", "json")  # JSON is redacted on stdout too
    assert code == 0 and json.loads(out)["layout"]["home"] == "~"


def test_project_option_sets_the_exit_code(linux: Layout) -> None:
    projects = linux.home / "PycharmProjects"
    code, out = _pycharm(linux, "--project", str(projects / "tf-broken"))
    assert code == 1
    assert "misc.xml: cut short" in out
    real_python_at(projects / "tf-exam/venv/bin/python")
    code, _ = _pycharm(linux, "--project", str(projects / "tf-exam"))
    assert code == 0


def test_other_os_layouts_read_in_place() -> None:
    for os_name, home in (("macos", "Users/ada"), ("windows", "Users/ada")):
        root = PYCHARM_FIXTURES / os_name
        layout = Layout.for_tree(os_name, root / home, root=root)  # type: ignore[arg-type]
        code, out = _pycharm(layout, "--json")
        assert code == 0
        doc = json.loads(out)
        assert doc["layout"]["os"] == os_name
        assert len(doc["installs"]) == {"macos": 4, "windows": 5}[os_name]


def test_python_and_project_together_is_a_usage_error(linux: Layout) -> None:
    proc = run_cli(
        "check",
        "--python",
        sys.executable,
        "--project",
        str(linux.home / "PycharmProjects/tf-exam"),
        "--no-bench",
        env=_tree_env(linux),
    )
    assert proc.returncode == 2
    assert "--python and --project" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_check_project_without_interpreter_never_tests_another_python(linux: Layout) -> None:
    proc = run_cli(
        "check",
        "--project",
        str(linux.home / "PycharmProjects/tf-docker"),
        "--json",
        "--only",
        "python.interpreter",
        "--only",
        "pycharm",
        env=_tree_env(linux),
    )
    report = json_report(proc)
    assert proc.returncode == 1
    assert report["target"]["how_chosen"] == "--project"
    assert report["target"]["python"].startswith("docker-compose://")
    results = results_by_id(report)
    # One root cause, one problem: the interpreter check stands on the project's.
    assert results["pycharm.interpreter"]["status"] == "failure"
    assert "needs a local one" in results["pycharm.interpreter"]["summary"]
    assert results["python.interpreter"]["status"] == "skipped"
    assert "because PyCharm project interpreter" in results["python.interpreter"]["summary"]


@pytest.mark.slow
def test_check_project_runs_the_probes_in_the_projects_venv(linux: Layout) -> None:
    """End to end: a PyCharm config whose project SDK is a real venv made here."""
    base = pyenv_python("3.8") or Path(sys.executable)
    venv = linux.home / "PycharmProjects" / "tf-exam" / "venv"
    subprocess.run([str(base), "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    real = subprocess.run(
        [
            str(python),
            "-c",
            "import sys, importlib.metadata as m;"
            "print('%d.%d.%d' % sys.version_info[:3]); print(m.version('pip')); print(sys.prefix)",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    version, pip_version, prefix = real

    proc = run_cli(
        "check",
        "--project",
        str(linux.home / "PycharmProjects" / "tf-exam"),
        "--json",
        "--no-bench",
        "--skip",
        "nvidia",
        "--no-redact",
        env=_tree_env(linux),
    )
    assert "Traceback" not in proc.stderr
    report = json_report(proc)
    assert report["target"]["how_chosen"] == "--project"
    assert report["target"]["python"] == str(python)
    assert report["target"]["project"] == str(linux.home / "PycharmProjects" / "tf-exam")
    results = results_by_id(report)
    assert results["python.interpreter"]["status"] == "ok"
    assert results["python.interpreter"]["observed"] == str(python)
    assert results["python.venv"]["status"] == "ok"
    assert results["python.version"]["observed"] == version
    assert report["facts"]["probes"]["python"]["interpreter"] == str(python)
    assert report["facts"]["packages"]["pip"] == pip_version
    assert Path(prefix) == venv
    pycharm = results["pycharm.interpreter"]
    assert pycharm["status"] == "ok"
    assert pycharm["observed"] == str(python)
    # PyCharm recorded 3.8.10; the interpreter itself was asked
    if version != "3.8.10":
        assert f"PyCharm recorded 3.8.10, the interpreter is really {version}" in pycharm["summary"]
    assert "PyCharm2021.3 opened it last" in pycharm["summary"]
    assert report["facts"]["pycharm"]["project"]["sdk"]["name"] == "Python 3.8 (tf-exam)"
    assert results["pycharm.installs"]["status"] == "ok"
    assert results["pycharm.files"]["status"] == "warning"


def test_recent_projects_whose_folder_is_gone_are_listed_missing(linux: Layout) -> None:
    """PyCharm2023.1 remembers ~/PycharmProjects/tf-course, deleted since."""
    code, out = _pycharm(linux)
    assert code == 0
    (line,) = [ln for ln in out.splitlines() if "tf-course" in ln]
    assert "~/PycharmProjects/tf-course" in line and "missing" in line
    assert "PyCharm2023.1" in line


def _at_the_desk(tmp_path: Path, *args: str) -> tuple[int, str]:
    """`pycharm` run by support staff on Linux (no PyCharm) on a candidate's Windows files."""
    desk = support_desk(tmp_path)
    config = copied_config("windows", "PyCharmCE2021.3")
    return _pycharm(desk, "--pycharm-config", str(config), *args)


def test_a_windows_config_read_on_linux(tmp_path: Path) -> None:
    projects = PYCHARM_FIXTURES / "windows/Users/ada/PycharmProjects"
    code, out = _at_the_desk(tmp_path, "--project", str(projects / "tf-exam"))
    assert code == 1
    # paths as written: one backslash each (a UNC path starts with two)
    assert "points to C:\\Users\\ada\\PycharmProjects\\tf-exam\\venv\\Scripts\\python.exe," in out
    assert "C:\\\\" not in out and "ada\\\\" not in out
    # the config folder is no install, and says so
    assert "Installs\n  none found in the usual places" in out
    assert "settings of PyCharm Community 2021.3, no install found" in out
    # its recent projects are not on this machine: listed, marked missing, as written
    for name in ("tf", "tf-conda", "tf-exam"):
        (line,) = [
            ln for ln in out.splitlines() if f"$USER_HOME$/PycharmProjects/{name} " in ln + " "
        ]
        assert "missing" in line
    # $USER_HOME$ with a Windows venv layout is another OS's path, not a deleted venv
    assert "deleted" not in out
    (sdk_line,) = [ln for ln in out.splitlines() if "Python 3.8 (tf) " in ln]
    assert "path of another OS" in sdk_line and "missing" not in sdk_line


@pytest.mark.parametrize(
    ("project", "words"),
    [
        (
            "tf-exam",
            "points to C:\\Users\\ada\\PycharmProjects\\tf-exam\\venv\\Scripts\\"
            "python.exe, a Windows path: not a path on this machine",
        ),
        ("tf-conda", "points to C:/Users/ada/anaconda3/envs/tf-conda/python.exe, a Windows path"),
    ],
)
def test_check_prints_windows_paths_as_written(tmp_path: Path, project: str, words: str) -> None:
    """`check --project P --pycharm-config C` at the support desk, on a candidate's files."""
    desk = support_desk(tmp_path)
    proc = run_cli(
        "check",
        "--project",
        str(PYCHARM_FIXTURES / "windows/Users/ada/PycharmProjects" / project),
        "--pycharm-config",
        str(copied_config("windows", "PyCharmCE2021.3")),
        "--only",
        "pycharm",
        "--no-bench",
        env={**_tree_env(desk), "NO_COLOR": "1"},
    )
    assert proc.returncode == 1, proc.stderr
    out = " ".join(proc.stdout.split())  # the report wraps long lines
    assert words in out
    assert "\\\\" not in out
    assert "no PyCharm install found" in out
    if project == "tf-conda":
        assert "python.org Python, not Anaconda" in out
