"""The text view: a command in a fix hint is never broken over two lines.

A terminal user copies the pin-install command from the report; had the
renderer wrapped it like prose, the shell would run two half-commands.
"""

from __future__ import annotations

import sys

from envcheck.render.text import _wrap_keeping_code
from tests.helpers import run_cli


def test_a_backquoted_command_is_one_unbreakable_word() -> None:
    fix = "to practise run: `/home/u/venv/bin/python -m pip install tensorflow==2.9.0 numpy` now"
    rows = _wrap_keeping_code(fix, 30)
    assert rows == [
        "to practise run:",
        "`/home/u/venv/bin/python -m pip install tensorflow==2.9.0 numpy`",
        "now",
    ]
    assert _wrap_keeping_code("a b c", 30) == ["a b c"]
    assert _wrap_keeping_code("one\ntwo", 30) == ["one", "two"]


def test_the_pin_install_command_stays_on_one_line_in_a_narrow_terminal() -> None:
    proc = run_cli(
        "check",
        "--python",
        sys.executable,
        "--only",
        "packages",
        "-q",
        "--profile",
        "exam-2023-01",
        env={"COLUMNS": "60"},
    )
    assert proc.returncode == 1, proc.stderr
    commands = [row.strip() for row in proc.stdout.splitlines() if " -m pip install " in row]
    assert commands, proc.stdout
    for row in commands:
        assert row.startswith("`") and "protobuf==3.19.6`" in row, row
