"""Faults of PyCharm's files, through the real `check --project` on a copy of a fixture home.

The Linux fixture tree (tests/fixtures/pycharm/linux) is copied and read through
the layout's documented seam (TFCERT_ENVCHECK_HOME/_ROOT); each test breaks one
file or path in the copy. The project's SDK points at a symlink to this Python, so
a healthy project checks "ok" and every difference comes from the fault.
Nothing in these files is ever executed, expanded or fetched, a broken file is
named with its reason, and names are shown escaped, never as terminal controls.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from envcheck.pycharm.layout import HOME_ENV, ROOT_ENV
from tests.faults.support import assert_no_crash, assert_problem, check_env, run_check
from tests.pycharm_trees import copy_tree, placeholder_at, real_python_at

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX fixture tree")

JDK = ".config/JetBrains/PyCharm2021.3/options/jdk.table.xml"
MISC = "PycharmProjects/tf-exam/.idea/misc.xml"
SDK_HOME = "$USER_HOME$/PycharmProjects/tf-exam/venv/bin/python"
CONTROLS = ("\x1b", "\x07", "\x9b", "\x85", "\r")


class Tree:
    """A writable copy of the Linux fixture home, with tf-exam's venv python answering."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.layout = copy_tree("linux", tmp_path / "tree")
        self.home = self.layout.home
        self.python = real_python_at(self.home / "PycharmProjects/tf-exam/venv/bin/python")
        self.env = {HOME_ENV: str(self.layout.home), ROOT_ENV: str(self.layout.root)}

    def edit(self, rel: str, old: str, new: str) -> Path:
        path = self.home / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, (rel, old)
        path.write_text(text.replace(old, new), encoding="utf-8")
        return path

    def check(self, project: str = "tf-exam", *args: str) -> Any:
        return run_check(
            self.tmp_path,
            "--project",
            str(self.home / "PycharmProjects" / project),
            "--only",
            "pycharm",
            "--only",
            "python.interpreter",
            *args,
            env=self.env,
        )


def _file_problem(out: Any, path: Path) -> str:
    """The reason pycharm.files gives for `path` (it must be named)."""
    files = out.result("pycharm.files")
    assert files["status"] == "warning" and files["fix"]
    # -o reports are redacted (the user name may appear inside temp paths): match the tail.
    tail = str(path.relative_to(path.parents[3]))
    reasons = [p["reason"] for p in files["details"]["problems"] if p["path"].endswith(tail)]
    assert len(reasons) == 1, files["details"]["problems"]
    return str(reasons[0])


def _skipped_because_of_the_project(out: Any) -> None:
    """One root cause, one problem: the interpreter check stands on the project's."""
    result = out.result("python.interpreter")
    assert result["status"] == "skipped", result
    assert result["details"]["skipped_because"] == "pycharm.interpreter"
    assert out.report["verdict"]["headline"].startswith("Not ready: 1 problem"), out.report


def test_healthy_copy_is_ok(tmp_path: Path) -> None:
    """The baseline the faults are measured against."""
    out = Tree(tmp_path).check()
    assert out.result("python.interpreter")["status"] == "ok"
    assert out.result("pycharm.interpreter")["status"] == "ok"


def test_sdk_table_is_not_xml(tmp_path: Path) -> None:
    tree = Tree(tmp_path)
    table = tree.home / JDK
    table.write_text("this is not xml at all {", encoding="utf-8")
    out = tree.check()
    assert "not valid XML" in _file_problem(out, table)
    assert_problem(out.result("pycharm.interpreter"), "failure", "does not define")
    assert out.rc == 1


def test_project_file_cut_short(tmp_path: Path) -> None:
    tree = Tree(tmp_path)
    misc = tree.home / MISC
    misc.write_text(misc.read_text(encoding="utf-8")[:60], encoding="utf-8")
    out = tree.check()
    result = out.result("pycharm.interpreter")
    assert_problem(result, "error", "could not determine", "misc.xml: cut short")
    assert "Close PyCharm" in result["fix"]
    assert out.rc == 1


def test_entity_expansion_is_refused(tmp_path: Path) -> None:
    """'Billion laughs': nine levels of ten entities (10^9 'lol's if expanded)."""
    tree = Tree(tmp_path)
    levels = "".join(
        f' <!ENTITY lol{i} "' + f"&lol{i - 1 if i > 1 else ''};" * 10 + '">\n' for i in range(1, 10)
    )
    table = tree.home / JDK
    table.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n{levels}]>\n'
        "<application>&lol9;</application>\n",
        encoding="utf-8",
    )
    started = time.monotonic()
    out = tree.check()
    assert time.monotonic() - started < 20
    assert "refused" in _file_problem(out, table)
    assert "lollol" not in tmp_path.joinpath("report.json").read_text(encoding="utf-8")


def test_external_entity_is_never_read(tmp_path: Path) -> None:
    tree = Tree(tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-TOKEN", encoding="utf-8")
    (tree.home / MISC).write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE project [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
        '<project version="4"><component name="ProjectRootManager" version="2" '
        'project-jdk-name="&xxe;" project-jdk-type="Python SDK" /></project>\n',
        encoding="utf-8",
    )
    out = tree.check()
    result = out.result("pycharm.interpreter")
    assert_problem(result, "error", "could not determine", "refused")
    report = tmp_path.joinpath("report.json").read_text(encoding="utf-8")
    assert "TOP-SECRET-TOKEN" not in report + out.proc.stdout + out.proc.stderr


def test_home_path_with_dot_dot(tmp_path: Path) -> None:
    """`..` segments are followed like PyCharm does: here they lead back to the venv."""
    tree = Tree(tmp_path)
    tree.edit(
        JDK, SDK_HOME, "$USER_HOME$/PycharmProjects/tf-missing/../tf-exam/venv/bin/../bin/python"
    )
    out = tree.check()
    assert out.result("python.interpreter")["status"] == "ok"
    assert out.result("pycharm.interpreter")["status"] == "ok"


def test_home_path_with_dot_dot_to_nowhere(tmp_path: Path) -> None:
    tree = Tree(tmp_path)
    tree.edit(JDK, SDK_HOME, "$USER_HOME$/PycharmProjects/tf-exam/../../gone/venv/bin/python")
    out = tree.check()
    assert_problem(out.result("pycharm.interpreter"), "failure", "no longer exists")
    _skipped_because_of_the_project(out)


def test_interpreter_is_a_symlink_loop(tmp_path: Path) -> None:
    tree = Tree(tmp_path)
    tree.python.unlink()
    (tree.python.parent / "python3").symlink_to("python")
    tree.python.symlink_to("python3")
    out = tree.check()
    result = out.result("pycharm.interpreter")
    assert_problem(result, "failure", "loop of symbolic links")
    assert "recreate it" in result["fix"]
    _skipped_because_of_the_project(out)


def test_config_folders_with_symlink_loops(tmp_path: Path) -> None:
    """Loops in the folders scanned for configs end neither in a hang nor a crash."""
    tree = Tree(tmp_path)
    jetbrains = tree.home / ".config/JetBrains"
    (jetbrains / "PyCharm2021.3/options/loop").symlink_to("..")
    (jetbrains / "PyCharm2099.1").symlink_to("PyCharm2099.1")  # points at itself
    (jetbrains / "loop").symlink_to(".")
    started = time.monotonic()
    out = tree.check()
    assert time.monotonic() - started < 20
    assert out.result("pycharm.interpreter")["status"] == "ok"


@pytest.mark.parametrize("kind", ["text file", "fifo", "directory"])
def test_project_interpreter_that_is_not_an_executable_is_never_run(
    tmp_path: Path, kind: str
) -> None:
    """What the project names is run only if it is a local regular executable file."""
    tree = Tree(tmp_path)
    tree.python.unlink()
    marker = tmp_path / "ran"
    if kind == "text file":
        placeholder_at(tree.python).write_text(f"#!/bin/sh\ntouch {marker}\n")
        expected = "is not executable"
    elif kind == "fifo":
        os.mkfifo(tree.python)  # opening it would block forever
        expected = "is not a regular file"
    else:
        tree.python.mkdir()
        expected = "is a directory"
    started = time.monotonic()
    out = tree.check()
    assert time.monotonic() - started < 20
    assert_problem(out.result("pycharm.interpreter"), "failure", expected)
    _skipped_because_of_the_project(out)
    assert not marker.exists()


def test_remote_interpreter_is_never_run(tmp_path: Path) -> None:
    out = Tree(tmp_path).check("tf-ssh")
    assert_problem(out.result("pycharm.interpreter"), "failure", "needs a local one")
    _skipped_because_of_the_project(out)


def test_control_characters_in_names_are_shown_escaped(tmp_path: Path) -> None:
    """A folder name and an SDK name carrying terminal controls (ESC, BEL, C1 CSI, NEL)."""
    tree = Tree(tmp_path)
    jetbrains = tree.home / ".config/JetBrains"
    evil_config = jetbrains / "PyCharm2021.3\x1b]0;pwned\x07\x1b[2J"
    shutil.copytree(jetbrains / "PyCharm2021.3", evil_config)
    tree.edit(
        JDK,
        '<name value="Python 3.8 (tf-exam)" />',
        '<name value="Python 3.8 &#155;31m&#133;line&#10;two (tf-exam)" />',
    )
    project = tree.home / "PycharmProjects" / "tf\x1b[31mexam\rline"
    shutil.copytree(tree.home / "PycharmProjects/tf-exam", project, symlinks=True)
    for argv in (
        ["check", "--project", str(project), "--only", "pycharm", "-v"],
        ["check", "--project", str(project), "--only", "pycharm", "--format", "markdown"],
        ["pycharm"],
        ["pycharm", "--project", str(project)],
    ):
        proc = subprocess.run(
            [sys.executable, "-m", "envcheck", *argv],
            capture_output=True,
            text=True,
            timeout=60,
            env=check_env(tmp_path, tree.env),
            cwd=tmp_path,
            check=False,
        )
        assert_no_crash(proc)
        shown = proc.stdout + proc.stderr
        assert [c for c in CONTROLS if c in shown] == [], (argv, shown[:2000])
    assert "tf\\x1b[31mexam" in proc.stdout  # the project is named, escaped
