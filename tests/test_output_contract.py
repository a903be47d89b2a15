"""One output contract for every command that prints a result (issue 12).

Every such command takes --format (text first and default), --json, -o/--output
FILE and --no-redact; its JSON names its `kind` and `schema_version` and is
valid against `tfcert-envcheck schema KIND`; -o writes the same document to the
file and nothing to stdout; a file is redacted unless --no-redact. The commands
run for real (the CLI in a subprocess) on recorded reports, a copied PyCharm
home and the tool's own interpreter (which has no TensorFlow, so `bench` stops
early and fast, with a real document).
"""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.conftest import pyenv_python
from tests.helpers import run_cli
from tests.report_samples import REPORTS

USER = "zoltanq"


@dataclass(frozen=True)
class Case:
    args: tuple[str, ...]
    kind: str
    formats: tuple[str, ...]
    secret: str | None
    """A string of the identity that redaction removes from files; None: none is shown."""


def _cases() -> dict[str, Case]:
    py = sys.executable
    return {
        "check": Case(
            ("check", "--python", py, "--only", "python.version", "-q"),
            "check-report",
            ("text", "json", "junit", "markdown", "html"),
            None,
        ),
        "bench": Case(
            ("bench", "--python", py, "-q", "--category", "1"), "bench", ("text", "json"), None
        ),
        "pycharm": Case(
            ("pycharm", "--home", "HOME", "--os", "linux"),
            "pycharm-survey",
            ("text", "json"),
            "HOME",
        ),
        "show": Case(
            ("show", "WORK/lab-pc-02.json"),
            "check-report",
            ("text", "json", "junit", "markdown", "html"),
            "/home/student",
        ),
        "diff": Case(
            ("diff", "WORK/lab-pc-01.json", "WORK/lab-pc-02.json"),
            "diff",
            ("text", "json", "markdown"),
            "/home/student",
        ),
        "fleet": Case(
            ("fleet", "HOME/fleet"), "fleet", ("text", "json", "markdown", "html"), "HOME"
        ),
        "list": Case(("list",), "check-list", ("text", "json"), None),
        "matrix-profiles": Case(
            ("matrix", "profiles", "--matrix", "HOME/matrix.yaml"),
            "matrix-profiles",
            ("text", "json"),
            "HOME",
        ),
        "matrix-validate": Case(
            ("matrix", "validate", "HOME/matrix.yaml"),
            "matrix-validation",
            ("text", "json"),
            "HOME",
        ),
        # --dry-run plans everything (a real Python 3.8 found, the lock read) and changes nothing.
        "setup": Case(
            ("setup", "--dry-run", "-q", "--base-python", "PY38", "HOME/exam/venv"),
            "setup",
            ("text", "json"),
            "HOME",
        ),
    }


CASES = _cases()


@pytest.fixture
def setup(tmp_path: Path) -> dict[str, Any]:
    """A home folder named after a user, holding the inputs, and that identity in env."""
    home = tmp_path / USER
    (home / ".config").mkdir(parents=True)
    shutil.copy(REPORTS.parent.parent.parent / "compat_matrix.yaml", home / "matrix.yaml")
    fleet = home / "fleet"
    fleet.mkdir()
    for name in ("lab-pc-01", "lab-pc-02"):
        shutil.copy(REPORTS / f"{name}.json", fleet / f"{name}.json")
        shutil.copy(REPORTS / f"{name}.json", tmp_path / f"{name}.json")
    env = {"HOME": str(home), "USER": USER, "LOGNAME": USER, "COLUMNS": "100"}
    return {"home": home, "work": tmp_path, "env": env}


def _args(case: Case, setup: dict[str, Any]) -> list[str]:
    out = []
    for a in case.args:
        if a == "PY38":
            py38 = pyenv_python("3.8")
            if py38 is None:
                pytest.skip("setup needs a Python 3.8 to plan with; pyenv has none here")
            a = str(py38)
        a = a.replace("HOME", str(setup["home"])) if a.startswith("HOME") else a
        out.append(a.replace("WORK", str(setup["work"])) if a.startswith("WORK") else a)
    return out


def _secret(case: Case, setup: dict[str, Any]) -> str | None:
    return str(setup["home"]) if case.secret == "HOME" else case.secret


def _run(case: Case, setup: dict[str, Any], *extra: str) -> Any:
    proc = run_cli(*_args(case, setup), *extra, env=setup["env"], cwd=setup["work"], timeout=180)
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr
    return proc


def _validate(doc: Any, kind: str) -> None:
    schema = json.loads(run_cli("schema", kind).stdout)
    jsonschema.validate(doc, schema, cls=jsonschema.Draft202012Validator)
    assert doc["kind"] == kind
    assert isinstance(doc["schema_version"], int)


@pytest.mark.parametrize("name", sorted(CASES))
def test_help_shows_the_shared_options(name: str) -> None:
    case = CASES[name]
    command = list(case.args[:2]) if case.args[0] == "matrix" else [case.args[0]]
    text = run_cli(*command, "--help").stdout
    for option in ("--format", "--json", "-o, --output", "--no-redact"):
        assert option in text, (name, option)
    # The formats that make sense for the command, text first (the default).
    choices = text.split("--format [", 1)[1].split("]", 1)[0].split("|")
    assert tuple(choices) == case.formats


@pytest.mark.parametrize("name", sorted(CASES))
def test_json_names_its_kind_and_matches_its_schema(name: str, setup: dict[str, Any]) -> None:
    case = CASES[name]
    long = _run(case, setup, "--format", "json")
    short = _run(case, setup, "--json")
    assert long.returncode == short.returncode
    doc = json.loads(long.stdout)
    _validate(doc, case.kind)
    _validate(json.loads(short.stdout), case.kind)
    assert list(doc)[:2] == ["schema_version", "kind"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_json_and_another_format_contradict(name: str, setup: dict[str, Any]) -> None:
    case = CASES[name]
    proc = run_cli(*_args(case, setup), "--json", "--format", "text", env=setup["env"])
    assert proc.returncode == 2
    assert "--json and --format text contradict each other" in proc.stderr


@pytest.mark.parametrize("name", sorted(CASES))
def test_output_file_is_written_and_redacted(name: str, setup: dict[str, Any]) -> None:
    case = CASES[name]
    target = setup["work"] / "out.json"
    proc = _run(case, setup, "--format", "json", "-o", str(target))
    assert proc.stdout == ""
    doc = json.loads(target.read_text("utf-8"))
    _validate(doc, case.kind)
    kept = setup["work"] / "kept.json"
    _run(case, setup, "--format", "json", "-o", str(kept), "--no-redact")
    _validate(json.loads(kept.read_text("utf-8")), case.kind)
    secret = _secret(case, setup)
    if secret is not None:
        assert secret in kept.read_text("utf-8"), "the test's identity is not in the output"
        assert secret not in target.read_text("utf-8")
    assert not [p.name for p in setup["work"].iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_format_renders(name: str, setup: dict[str, Any]) -> None:
    case = CASES[name]
    for fmt in case.formats:
        proc = _run(case, setup, "--format", fmt)
        assert proc.stdout.strip(), (name, fmt)
        if fmt == "html":
            assert proc.stdout.startswith("<!DOCTYPE html>")


def test_every_kind_has_a_valid_schema_and_every_command_is_covered(tmp_path: Path) -> None:
    from envcheck.commands.schema import KINDS as CLI_KINDS
    from envcheck.schemas import KINDS

    assert {c.kind for c in CASES.values()} == set(KINDS) == set(CLI_KINDS)
    for kind in KINDS:
        proc = run_cli("schema", kind, "-o", str(tmp_path / f"{kind}.json"))
        assert proc.returncode == 0 and proc.stdout == "", proc.stderr
        schema = json.loads((tmp_path / f"{kind}.json").read_text("utf-8"))
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["$schema"].endswith("2020-12/schema")
        assert "kind" in schema["properties"], kind
    # Without KIND: the check report's, as before.
    assert json.loads(run_cli("schema").stdout)["title"] == "Report"


def test_a_document_of_another_kind_is_refused_by_show(tmp_path: Path) -> None:
    fleet = tmp_path / "fleet.json"
    (tmp_path / "in").mkdir()
    shutil.copy(REPORTS / "lab-pc-01.json", tmp_path / "in" / "a.json")
    run_cli("fleet", str(tmp_path / "in"), "--json", "-o", str(fleet))
    proc = run_cli("show", str(fleet))
    assert proc.returncode == 2
    assert "a 'fleet' document, not a check report" in proc.stderr
    assert "Traceback" not in proc.stderr
