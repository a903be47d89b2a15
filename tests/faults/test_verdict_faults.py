"""Verdict integrity: no path from a run that checked little, or nothing, to a bare "Ready".

Every case runs the real CLI and asserts what a user or a CI job sees: the exit
code, the closing line and the one-line error. An empty selection is a usage
error; a partial one says what it left out; a reader that closes the pipe early
does not change the exit code; one root cause is one problem, the checks that
depend on it are skipped naming it; `--python` naming nothing is a usage error.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from envcheck import errors
from tests.conftest import pyenv_python
from tests.faults.support import assert_no_crash, assert_problem, check_env, run_check
from tests.faults.test_pycharm_faults import Tree
from tests.helpers import REPO

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX shell pipelines")

CLI = [sys.executable, "-m", "envcheck"]


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [*CLI, *args],
        capture_output=True,
        text=True,
        timeout=180,
        env=check_env(tmp_path),
        cwd=tmp_path,
        check=False,
    )
    assert_no_crash(proc)
    return proc


def _one_line_usage_error(proc: subprocess.CompletedProcess[str], *phrases: str) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    line = proc.stderr.strip()
    assert "\n" not in line and line.startswith("tfcert-envcheck: error: "), line
    for phrase in phrases:
        assert phrase in line, (phrase, line)
    assert "Ready" not in proc.stdout
    return line


# -- what was selected ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("--only", "benchmark", "--no-bench"),
        ("--only", "system", "--skip", "system"),
        ("--only", "python.version", "--skip", "python"),
    ],
    ids=["only-benchmark-no-bench", "only-x-skip-x", "skip-covers-only"],
)
def test_empty_selection_is_a_usage_error(tmp_path: Path, args: tuple[str, ...]) -> None:
    report = tmp_path / "report.json"
    proc = _cli(tmp_path, "check", "-q", "-o", str(report), *args)
    _one_line_usage_error(proc, "no check", "selection is empty")
    assert not report.exists()


def test_partial_selection_names_what_was_not_checked(tmp_path: Path) -> None:
    out = run_check(tmp_path, "--only", "system.memory", "--only", "system.disk")
    verdict = out.report["verdict"]
    assert out.rc == 0 and verdict["ready"]
    assert verdict["headline"].startswith("Ready for the exam")
    headline = verdict["headline"]
    assert "not checked" in headline
    for key in ("python", "packages", "tensorflow", "nvidia", "pycharm", "benchmark"):
        assert key in headline, (key, headline)
    assert "python.version" in verdict["not_checked"]
    assert "system.memory" not in verdict["not_checked"]
    assert "system.os" in verdict["not_checked"]  # a partly checked category says so too
    # Every format shows the same closing line, from the one Verdict value.
    saved = tmp_path / "report.json"
    for fmt in ("text", "markdown", "junit"):
        shown = _cli(tmp_path, "show", str(saved), "--format", fmt)
        assert shown.returncode == 0, shown.stderr
        assert "not checked: " in shown.stdout, (fmt, shown.stdout)


def test_no_bench_report_says_the_benchmark_was_skipped(tmp_path: Path) -> None:
    out = run_check(tmp_path, "--only", "system.memory", "--only", "benchmark", "--no-bench")
    assert out.rc == 0
    assert "benchmark" in out.report["verdict"]["headline"].split("not checked: ", 1)[1]
    assert "benchmark.total" in out.report["verdict"]["not_checked"]


def test_full_selection_adds_nothing_to_the_headline() -> None:
    from envcheck.checks.registry import all_checks
    from envcheck.outcome import verdict
    from envcheck.results import CheckResult, Status

    results = [
        CheckResult(id=c.id, category=c.category, title=c.title, status=Status.OK, summary="ok")
        for c in all_checks()
    ]
    v = verdict(results, not_checked=[])
    assert v.headline == "Ready for the exam" and v.not_checked == []


# -- a reader that closes the pipe early -------------------------------------------------------


def _piped(tmp_path: Path, check_args: str, reader: str) -> subprocess.CompletedProcess[str]:
    cli = " ".join([*CLI, "check", "-q"])
    script = f"set -o pipefail; {cli} {check_args} | {reader}"
    proc = subprocess.run(
        ["bash", "-c", script],
        capture_output=True,
        text=True,
        timeout=180,
        env=check_env(tmp_path),
        cwd=tmp_path,
        check=False,
    )
    assert_no_crash(proc)
    assert "Exception ignored" not in proc.stderr, proc.stderr
    return proc


@pytest.mark.parametrize("reader", ["true", "head -c1"])
def test_closed_pipe_keeps_a_not_ready_verdict(tmp_path: Path, reader: str) -> None:
    # This Python is not the 3.8 the exam-2022-07 profile needs: not ready.
    proc = _piped(
        tmp_path,
        f"--json --only python.version --profile exam-2022-07 --python {sys.executable}",
        reader,
    )
    assert proc.returncode == 1, proc.stderr


@pytest.mark.parametrize("reader", ["true", "head -c1"])
def test_closed_pipe_keeps_a_ready_verdict(tmp_path: Path, reader: str) -> None:
    """`true` exits before the report is written: the write meets a closed pipe (EPIPE)."""
    proc = _piped(tmp_path, "--json --only system.memory", reader)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize(
    "command",
    [
        "show tests/golden/show-lab-pc-02.json",
        "list",
        "matrix profiles",
        "schema check-report",
    ],
)
def test_closed_pipe_keeps_other_commands_exit_code(tmp_path: Path, command: str) -> None:
    """Every command writes through one path (envcheck.deliver): `| true` is no failure."""
    cli = " ".join(CLI)
    proc = subprocess.run(
        # The reader closes its end before the command writes: the write meets EPIPE.
        ["bash", "-c", f"set -o pipefail; {cli} {command} | {{ exec 0<&-; sleep 1; }}"],
        capture_output=True,
        text=True,
        timeout=60,
        env=check_env(tmp_path),
        cwd=REPO,
        check=False,
    )
    assert_no_crash(proc)
    assert proc.returncode == 0, proc.stderr


def test_broken_pipe_after_a_verdict_keeps_its_exit_code() -> None:
    errors.remember_exit_code(1)
    try:
        with pytest.raises(SystemExit) as exc, errors.error_handler():
            raise BrokenPipeError
        assert exc.value.code == 1
    finally:
        errors.remember_exit_code(None)


# -- one root cause, one problem -------------------------------------------------------------


def test_no_interpreter_project_is_one_problem(tmp_path: Path) -> None:
    tree = Tree(tmp_path)
    project = str(tree.home / "PycharmProjects" / "tf-none")  # PyCharm shows <No interpreter>
    out = run_check(tmp_path, "--project", project, "--no-bench", env=tree.env)
    assert out.rc == 1
    problems = [r for r in out.report["results"] if r["status"] in ("failure", "error")]
    assert [r["id"] for r in problems] == ["pycharm.interpreter"], problems
    assert_problem(out.result("pycharm.interpreter"), "failure", "<No interpreter>")
    for check_id in (
        "python.interpreter",
        "python.version",
        "packages.pins",
        "tensorflow.import",
        "tensorflow.version",
        "system.arch",
    ):
        result = out.result(check_id)
        assert result["status"] == "skipped", result
        assert "because PyCharm project interpreter" in result["summary"], result
        assert result["details"]["skipped_because"] == "pycharm.interpreter"
    # The machine's own facts are still measured, from the tool's side.
    assert out.result("system.os")["status"] == "ok"
    assert out.result("system.cpu")["status"] in ("ok", "warning")
    headline = out.report["verdict"]["headline"]
    assert headline.startswith("Not ready: 1 problem"), headline
    assert "skipped because of it" in headline, headline


def test_broken_venv_link_is_one_problem(tmp_path: Path) -> None:
    """A venv whose base Python was removed: its bin/python is a link to nothing."""
    link = tmp_path / "venv" / "bin" / "python"
    link.parent.mkdir(parents=True)
    link.symlink_to(tmp_path / "uninstalled" / "python3.8")
    out = run_check(tmp_path, "--python", str(link), "--no-bench")
    assert out.rc == 1
    problems = [r["id"] for r in out.report["results"] if r["status"] in ("failure", "error")]
    assert problems == ["python.interpreter"], problems
    assert_problem(out.result("python.interpreter"), "failure", "does not exist")
    assert "because Interpreter under test" in out.result("tensorflow.import")["summary"]
    assert out.report["verdict"]["headline"].startswith("Not ready: 1 problem in 1 category")


@pytest.mark.parametrize("only", ["python.version", "tensorflow", "tensorflow.version"])
def test_check_whose_root_is_not_selected_speaks_for_itself(tmp_path: Path, only: str) -> None:
    """Without python.interpreter in the selection, no check may quietly skip a dead target."""
    link = tmp_path / "venv" / "bin" / "python"
    link.parent.mkdir(parents=True)
    link.symlink_to(tmp_path / "uninstalled" / "python3.8")
    out = run_check(tmp_path, "--python", str(link), "--only", only)
    assert out.rc == 1, out.report["verdict"]
    errored = [r for r in out.report["results"] if r["status"] == "error"]
    assert errored, out.report["results"]
    for result in errored:
        assert_problem(result, "error", "could not determine", "does not exist")


# -- the project's interpreter is judged even with --only pycharm ----------------------------------


def test_only_pycharm_on_a_python_36_project_is_not_ready(tmp_path: Path) -> None:
    old = pyenv_python("3.6")
    if old is None:
        pytest.skip("no pyenv Python 3.6 on this machine")
    tree = Tree(tmp_path)
    tree.python.unlink()
    tree.python.symlink_to(old)
    project = str(tree.home / "PycharmProjects" / "tf-exam")
    out = run_check(tmp_path, "--project", project, "--only", "pycharm", env=tree.env)
    assert out.rc == 1, out.report["verdict"]
    assert_problem(out.result("pycharm.interpreter"), "failure", "3.6.", "cannot run the exam")
    assert "Install Python 3.8" in out.result("pycharm.interpreter")["fix"]


# -- --python that names nothing -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "phrase"),
    [
        ("", "--python ''"),
        ("/no/such/venv/bin/python", "/no/such/venv/bin/python: does not exist"),
        ("python3.8-not-installed-anywhere", "not found on PATH"),
    ],
    ids=["empty", "missing-path", "missing-command"],
)
def test_python_naming_nothing_is_a_usage_error(tmp_path: Path, value: str, phrase: str) -> None:
    report = tmp_path / "report.json"
    proc = _cli(tmp_path, "check", "-q", "--only", "python", "-o", str(report), "--python", value)
    _one_line_usage_error(proc, phrase)
    assert not report.exists()


def test_python_naming_nothing_matches_project_naming_nothing(tmp_path: Path) -> None:
    python = _cli(tmp_path, "check", "-q", "--python", str(tmp_path / "missing"))
    project = _cli(tmp_path, "check", "-q", "--project", str(tmp_path / "missing"))
    assert python.returncode == project.returncode == 2


def test_verdict_json_without_not_checked_still_reads(tmp_path: Path) -> None:
    """Reports written before `not_checked` existed still load in `show`."""
    out = run_check(tmp_path, "--only", "system.memory")
    doc = out.report
    del doc["verdict"]["not_checked"]
    old = tmp_path / "old.json"
    old.write_text(json.dumps(doc), encoding="utf-8")
    shown = _cli(tmp_path, "show", str(old))
    assert shown.returncode == 0, shown.stderr


def test_short_view_names_why_a_category_was_skipped(tmp_path: Path) -> None:
    """The terminal view says why Packages and TensorFlow were not checked, not just '(skipped)'."""
    link = tmp_path / "venv" / "bin" / "python"
    link.parent.mkdir(parents=True)
    link.symlink_to(tmp_path / "uninstalled" / "python3.8")
    proc = subprocess.run(
        [*CLI, "check", "-q", "--no-bench", "--python", str(link)],
        capture_output=True,
        text=True,
        timeout=120,
        env=check_env(tmp_path),
        cwd=tmp_path,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    for category in ("Packages", "TensorFlow"):
        assert (
            f"[-] {category} (skipped: not checked, because Interpreter under test failed "
            "(python.interpreter))"
        ) in proc.stdout
