"""The README's commands and options are the real CLI's (pip-audit's check-readme habit)."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from envcheck.cli import COMMANDS, cli
from envcheck.outcome import ExitCode
from tests.helpers import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def _help(*args: str) -> str:
    result = CliRunner().invoke(cli, [*args, "--help"])
    assert result.exit_code == 0, result.output
    return result.output


def _options_in_help(text: str) -> set[str]:
    return set(re.findall(r"(?<![\w-])(--[a-z][a-z-]+)", text)) - {"--help"}


def _section(title: str) -> str:
    match = re.search(rf"^#+ {re.escape(title)}\n(.*?)(?=^#+ |\Z)", README, re.M | re.S)
    assert match, f"README has no section {title!r}"
    return match.group(1)


def test_every_command_is_documented() -> None:
    for name in COMMANDS:
        assert f"`tfcert-envcheck {name}" in README, f"README does not document `{name}`"


def _option_table(command: str) -> str:
    """The README table of a command's options: under "### `X` options", or headed "`X` option"."""
    header = re.search(rf"^\| `{command}` option \|.*\n((?:\|.*\n)+)", README, re.M)
    if header:
        return header.group(1)
    return _section(f"`{command}` options")


@pytest.mark.parametrize("command", ["check", "bench", "pycharm", "setup"])
def test_options_match_the_cli(command: str) -> None:
    documented = _options_in_help(_option_table(command))
    real = _options_in_help(_help(command))
    assert documented == real


def test_exit_codes_match_help() -> None:
    table = _section("Exit codes")
    codes = set(re.findall(r"^\| (\d+) \|", table, re.M))
    helped = set(re.findall(r"^\s+(\d+)\s", _help()[_help().index("Exit codes:") :], re.M))
    assert codes == helped == {"0", "1", "2", "3", "130", "143", "129"}
    assert helped == {str(int(code)) for code in ExitCode}


def test_reliability_rows_are_numbered_and_counted() -> None:
    """docs/reliability.md's count line, its rows 1..N and the README's number agree."""
    doc = (REPO / "docs" / "reliability.md").read_text("utf-8")
    rows = [int(n) for n in re.findall(r"^\| (\d+) \|", doc, re.M)]
    assert rows == list(range(1, len(rows) + 1))
    assert f"**Count: {len(rows)} fault cases**" in doc
    assert f"lists the {len(rows)} faults the test suite injects" in README


def test_layout_names_every_module() -> None:
    """The README's map of envcheck/ is the tree: a new module or folder must appear in it."""
    layout = _section("How it works").split("```")[1]
    package = REPO / "envcheck"
    missing = [
        path.name + ("/" if path.is_dir() else "")
        for path in sorted(package.iterdir())
        if (path.is_dir() and (path / "__init__.py").exists() and f"{path.name}/" not in layout)
        or (
            path.suffix == ".py"
            and not path.name.startswith("__")
            and not re.search(rf"(?<![\w/]){re.escape(path.name)}", layout)
        )
    ]
    assert not missing, f"README's layout does not name {missing}"


def test_glossary_points_at_real_files() -> None:
    """Every file docs/architecture.md names in its glossary exists."""
    text = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`((?:[\w]+/)*\w+\.(?:py|yaml))`", text))
    assert len(named) > 20
    bases = (REPO, REPO / "envcheck")
    absent = [n for n in sorted(named) if not any((b / n).exists() for b in bases)]
    assert not absent, absent
