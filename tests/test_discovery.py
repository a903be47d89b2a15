"""`check` with no --python/--project finds the exam interpreter (envcheck/discovery.py).

Fake homes are copies of the PyCharm fixture trees (tests/pycharm_trees.py);
the interpreter checked end to end is a real venv made from pyenv's 3.8.
Another OS's facts (the `py -0p` list, python.org folders) come in through
`Machine`, discovery's one seam, from files under tests/fixtures/discovery/.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from envcheck.discovery import Machine, discover
from envcheck.pycharm.layout import HOME_ENV, ROOT_ENV, Layout
from tests.conftest import FIXTURES, pyenv_python
from tests.helpers import json_report, results_by_id, run_cli
from tests.pycharm_trees import copy_tree, placeholder_at

NOTHING = Machine(None, lambda: None, None)


def _env(layout: Layout) -> dict[str, str]:
    return {HOME_ENV: str(layout.home), ROOT_ENV: str(layout.root)}


def _venv(base: Path, dest: Path) -> Path:
    subprocess.run([str(base), "-m", "venv", "--without-pip", str(dest)], check=True, timeout=120)
    return dest / "bin" / "python"


@pytest.fixture
def py38() -> Path:
    found = pyenv_python("3.8")
    if found is None:
        pytest.skip("no pyenv Python 3.8 on this machine")
    return found


@pytest.mark.slow
def test_check_with_no_options_checks_the_pycharm_exam_project(tmp_path: Path, py38: Path) -> None:
    linux = copy_tree("linux", tmp_path)
    python = _venv(py38, linux.home / "PycharmProjects" / "tf-exam" / "venv")
    proc = run_cli("check", "--no-bench", "--only", "python", "--no-redact", env=_env(linux))
    header = "".join(proc.stdout.split("\n\n")[0].splitlines())  # the header, unwrapped
    assert str(python) in header
    assert "the interpreter of PyCharm project" in header
    assert "tf-exam" in header
    assert "Traceback" not in proc.stderr

    report = json_report(
        run_cli("check", "--no-bench", "--only", "python", "--json", "--no-redact", env=_env(linux))
    )
    assert report["target"]["python"] == str(python)
    assert report["target"]["project"] == str(linux.home / "PycharmProjects" / "tf-exam")
    results = results_by_id(report)
    assert results["python.version"]["status"] == "ok"
    assert results["python.venv"]["status"] == "ok"


@pytest.mark.slow
def test_other_candidates_are_listed_with_the_command_that_checks_each(
    tmp_path: Path, py38: Path
) -> None:
    linux = copy_tree("linux", tmp_path)
    _venv(py38, linux.home / "PycharmProjects" / "tf-exam" / "venv")
    other = _venv(py38, linux.home / "PycharmProjects" / "practice" / ".venv")
    conda = placeholder_at(linux.home / "miniconda3" / "envs" / "tf" / "bin" / "python")
    (conda.parent.parent / "conda-meta" / "python-3.8.13-h12debd9_0.json").write_text("{}")
    proc = run_cli("check", "--no-bench", "--only", "python", "--no-redact", env=_env(linux))
    assert "also found (not checked):" in proc.stdout
    assert f"tfcert-envcheck check --python {other}" in proc.stdout
    assert f"tfcert-envcheck check --python {conda}" in proc.stdout
    assert "not Anaconda" in " ".join(proc.stdout.split())


def test_no_interpreter_found_fails_one_check_whose_fix_is_setup(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    proc = run_cli("check", "--no-bench", "--json", env={HOME_ENV: str(home)})
    assert proc.returncode == 1, proc.stderr
    report = json_report(proc)
    failed = [r for r in report["results"] if r["status"] in ("failure", "error")]
    assert [r["id"] for r in failed] == ["python.interpreter"]
    assert failed[0]["summary"].startswith("no exam interpreter found")
    assert "tfcert-envcheck setup" in failed[0]["fix"]
    results = results_by_id(report)
    assert results["system.os"]["status"] == "ok"  # the machine is still checked
    assert results["packages.pins"]["status"] == "skipped"


def test_a_conda_env_alone_is_listed_never_chosen(tmp_path: Path) -> None:
    home = tmp_path / "home"
    conda = placeholder_at(home / "miniconda3" / "envs" / "tf" / "bin" / "python")
    (home / "miniconda3" / "conda-meta").mkdir(parents=True)
    (conda.parent.parent / "conda-meta").mkdir()
    (conda.parent.parent / "conda-meta" / "python-3.8.13-h12debd9_0.json").write_text("{}")
    found = discover("3.8", Layout.for_tree("linux", home), NOTHING)
    assert found.chosen is None
    assert [c.python for c in found.others] == [conda]
    assert found.others[0].version == "3.8.13"
    assert "not Anaconda" in json.dumps(found.to_dict())


def test_the_profiles_version_beats_another_and_pyenv_is_searched(tmp_path: Path) -> None:
    home = tmp_path / "home"
    for name, version in (("new", "3.11.7"), ("exam", "3.8.18")):
        venv = home / "PycharmProjects" / name / "venv"
        placeholder_at(venv / "bin" / "python")
        (venv / "pyvenv.cfg").write_text(f"home = /usr/bin\nversion = {version}\n")
    pyenv = placeholder_at(home / ".pyenv" / "versions" / "3.8.18" / "bin" / "python3.8")
    placeholder_at(home / ".pyenv" / "versions" / "3.9.18" / "bin" / "python3.9")
    found = discover("3.8", Layout.for_tree("linux", home), NOTHING)
    assert found.chosen is not None
    assert found.chosen.python == home / "PycharmProjects" / "exam" / "venv" / "bin" / "python"
    assert found.chosen.why == f"the venv of {home / 'PycharmProjects' / 'exam'}"
    assert [c.python for c in found.others][-1] == pyenv


def test_python_on_path_skips_pyenv_shims(tmp_path: Path) -> None:
    shims = tmp_path / ".pyenv" / "shims"
    bindir = tmp_path / "bin"
    for folder in (shims, bindir):
        exe = placeholder_at(folder / "python3.8")
        exe.chmod(0o755)
    machine = Machine(f"{shims}:{bindir}", lambda: None, None)
    found = discover("3.8", Layout.for_tree("linux", tmp_path / "home"), machine)
    assert found.chosen is not None
    assert found.chosen.python == bindir / "python3.8"
    assert found.chosen.why == "python3.8 on PATH"
    assert found.others == []


@pytest.mark.parametrize("listing", ["py-0p-3.12-launcher.txt", "py-0p-3.10-launcher.txt"])
def test_windows_py_launcher_and_python_org_folders(tmp_path: Path, listing: str) -> None:
    windows = copy_tree("windows", tmp_path)
    user = placeholder_at(windows.home / "AppData/Local/Programs/Python/Python38/python.exe")
    machine_wide = placeholder_at(windows.root / "Program Files/Python38/python.exe")
    text = (FIXTURES / "discovery" / listing).read_text()
    found = discover("3.8", windows, Machine(None, lambda: text, None))
    everything = [found.chosen, *found.others]
    by_path = {c.python: c for c in everything if c is not None}
    assert user in by_path
    assert machine_wide in by_path
    kinds = {c.kind for c in by_path.values()}
    assert "py_launcher" in kinds or "python_org" in kinds
    listed = [c for c in by_path.values() if c.kind == "py_launcher"]
    assert listed and all(c.version == "3.8" for c in listed)
    spaced = by_path[machine_wide].command("windows")
    assert spaced == f'tfcert-envcheck check --python "{machine_wide}"'


def test_macos_python_org_framework(tmp_path: Path) -> None:
    macos = copy_tree("macos", tmp_path)
    fw = placeholder_at(
        macos.root / "Library/Frameworks/Python.framework/Versions/3.8/bin/python3.8"
    )
    found = discover("3.8", macos, NOTHING)
    paths = [c.python for c in [found.chosen, *found.others] if c is not None]
    assert fw in paths
    match = next(c for c in [found.chosen, *found.others] if c and c.python == fw)
    assert match.kind == "python_org"


def test_python_pointing_at_the_tools_own_python_says_so() -> None:
    proc = run_cli("check", "--python", sys.executable, "--only", "python.interpreter")
    assert "the tool's own Python" in " ".join(proc.stdout.split("\n\n")[0].split())


def test_the_tools_own_python_is_never_chosen(tmp_path: Path) -> None:
    home = tmp_path / "home"
    machine = Machine(str(Path(sys.executable).parent), lambda: None, None)
    found = discover(
        f"{sys.version_info[0]}.{sys.version_info[1]}", Layout.for_tree("linux", home), machine
    )
    assert all(Path(sys.executable) != c.python for c in [found.chosen, *found.others] if c)
