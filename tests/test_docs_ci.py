"""docs/ci.md's CI files parse, and every tfcert-envcheck command line in them is real."""

from __future__ import annotations

import re
import shlex
import sys

import click
import pytest
import yaml
from click.testing import CliRunner

from envcheck.cli import cli
from tests.helpers import REPO

DOCS = [REPO / "docs" / "ci.md", REPO / "docs" / "reports.md"]


def _yaml_blocks() -> list[str]:
    text = (REPO / "docs" / "ci.md").read_text("utf-8")
    return re.findall(r"```yaml\n(.*?)```", text, re.S)


def _command_lines() -> list[list[str]]:
    lines = []
    for doc in DOCS:
        for match in re.finditer(r"tfcert-envcheck ([a-z]+ [^\n`|>#;]*)", doc.read_text("utf-8")):
            words = shlex.split(match.group(1).replace("$", "X").replace('"', ""))
            if words and words[0] in ("check", "show", "diff", "fleet", "schema"):
                lines.append(words)
    return lines


def test_the_workflows_are_valid_yaml() -> None:
    blocks = _yaml_blocks()
    assert len(blocks) == 2
    github, gitlab = (yaml.safe_load(b) for b in blocks)
    assert set(github["jobs"]) == {"check", "fleet"}
    assert gitlab["envcheck"]["artifacts"]["reports"]["junit"] == "envcheck.xml"


@pytest.mark.parametrize("words", _command_lines(), ids=" ".join)
def test_documented_command_lines_parse(words: list[str]) -> None:
    """Options and their values as click parses them (nothing is run).

    `--python` must name an existing file when parsed: the documented placeholders
    (`$EXAM_PYTHON`, `~/PycharmProjects/...`) stand for one, so this interpreter does.
    """
    words = [sys.executable if i and words[i - 1] == "--python" else w for i, w in enumerate(words)]
    group_ctx = click.Context(cli)
    command = cli.get_command(group_ctx, words[0])
    assert command is not None
    with command.make_context(words[0], words[1:], parent=group_ctx) as ctx:
        assert ctx.params is not None


def test_help_of_every_report_command_works() -> None:
    for name in ("show", "diff", "fleet", "schema"):
        result = CliRunner().invoke(cli, [name, "--help"])
        assert result.exit_code == 0
