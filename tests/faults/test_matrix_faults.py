"""Faults of compat_matrix.yaml given with --matrix: each is one line naming the file and what
is wrong, exit 2, before any probe runs; nothing in the file is ever constructed or executed.

Each broken file is the real bundled matrix with one thing broken, used through the
real CLI both as `check --matrix FILE -o report.json` and `matrix validate FILE`.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from envcheck.matrix import BUNDLED_MATRIX, MAX_MATRIX_BYTES
from tests.faults.support import assert_no_crash, check_argv, check_env

Breaker = Callable[[Path], Path]


def _bundled() -> dict[str, Any]:
    data = yaml.safe_load(BUNDLED_MATRIX.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _dump(path: Path, data: object) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def malformed(p: Path) -> Path:
    text = BUNDLED_MATRIX.read_text(encoding="utf-8")
    default = next(line for line in text.splitlines() if line.startswith("default_profile: "))
    return _text(p, text.replace(default, "default_profile: a: b", 1))


def wrong_type(p: Path) -> Path:
    data = _bundled()
    data["hardware"]["ram_total_min_gib"] = "lots"
    return _dump(p, data)


def unknown_key(p: Path) -> Path:
    data = _bundled()
    data["profiles"]["exam-2022-07"]["pyhton"] = "3.8"  # a typo of `python`
    return _dump(p, data)


def missing_profile(p: Path) -> Path:
    data = _bundled()
    data["default_profile"] = "exam-2099"
    return _dump(p, data)


def bad_specifier(p: Path) -> Path:
    data = _bundled()
    data["profiles"]["exam-2022-07"]["packages"]["tensorflow"] = "=2.9.0"
    return _dump(p, data)


def huge(p: Path) -> Path:
    text = BUNDLED_MATRIX.read_text(encoding="utf-8")
    padding = "# padding\n" * (MAX_MATRIX_BYTES // 10 + 10)
    return _text(p, text + padding)


def python_object_tag(p: Path) -> Path:
    """A tag that, under an unsafe loader, would run a command creating `pwned`."""
    marker = p.parent / "pwned"
    text = BUNDLED_MATRIX.read_text(encoding="utf-8")
    tag = f'!!python/object/apply:os.system ["touch {marker}"]'
    return _text(p, text.replace("schema_version: 1", f"schema_version: {tag}", 1))


def python_name_tag(p: Path) -> Path:
    text = BUNDLED_MATRIX.read_text(encoding="utf-8")
    return _text(p, text.replace("schema_version: 1", "schema_version: !!python/name:os.system", 1))


def alias_bomb(p: Path) -> Path:
    """'Billion laughs' in YAML: nine levels of nine aliases (387 million strings if expanded)."""
    lines = ['  l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        lines.append(f"  l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * 9) + "]")
    text = BUNDLED_MATRIX.read_text(encoding="utf-8")
    return _text(p, text + "\nlaughs:\n" + "\n".join(lines) + "\n")


def deeply_nested(p: Path) -> Path:
    text = BUNDLED_MATRIX.read_text(encoding="utf-8")
    return _text(p, text + "\ndeep: " + "[" * 100000 + "]" * 100000 + "\n")


def huge_integer(p: Path) -> Path:
    """5000 digits: beyond Python's limit for converting text to int (CVE-2020-10735)."""
    text = BUNDLED_MATRIX.read_text(encoding="utf-8")
    return _text(p, text.replace("schema_version: 1", "schema_version: " + "9" * 5000, 1))


def duplicate_key(p: Path) -> Path:
    text = BUNDLED_MATRIX.read_text(encoding="utf-8")
    return _text(p, text.replace("schema_version: 1\n", "schema_version: 1\nschema_version: 1\n"))


def not_utf8(p: Path) -> Path:
    p.write_bytes(BUNDLED_MATRIX.read_bytes().replace(b"Exam setup", b"Exam \xe9\xff setup", 1))
    return p


def not_a_mapping(p: Path) -> Path:
    return _text(p, "- just\n- a list\n")


def empty(p: Path) -> Path:
    return _text(p, "")


def newer_schema(p: Path) -> Path:
    data = _bundled()
    data["schema_version"] = 2
    return _dump(p, data)


def missing_file(p: Path) -> Path:
    return p.parent / "no-such-matrix.yaml"


def a_directory(p: Path) -> Path:
    d = p.parent / "matrix-dir.yaml"
    d.mkdir()
    return d


CASES: list[tuple[Breaker, tuple[str, ...]]] = [
    (malformed, ("line 7, column", "invalid YAML", "mapping values are not allowed")),
    (wrong_type, ("hardware.ram_total_min_gib",)),
    (unknown_key, ("profiles.exam-2022-07.pyhton", "unknown key")),
    (missing_profile, ("default_profile 'exam-2099' names no entry under profiles",)),
    (bad_specifier, ("packages.tensorflow", "not a version specifier")),
    (huge, ("too large",)),
    (python_object_tag, ("python/object/apply",)),
    (python_name_tag, ("python/name",)),
    (alias_bomb, ("laughs", "unknown key")),
    (deeply_nested, ("invalid YAML", "nested too deeply")),
    (
        huge_integer,
        ("invalid YAML", "4300 digits")
        if hasattr(sys, "get_int_max_str_digits")  # the limit exists since 3.10.7 / 3.11
        else ("schema_version", "is not supported"),
    ),
    (duplicate_key, ("duplicate key 'schema_version'",)),
    (not_utf8, ("not UTF-8",)),
    (not_a_mapping, ("top level must be a mapping",)),
    (empty, ("top level must be a mapping",)),
    (newer_schema, ("schema_version 2 is not supported",)),
    (missing_file, ("no such file",)),
    (a_directory, ("is a folder, not a regular file",)),
]


def _cli(tmp_path: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        argv,
        capture_output=True,
        text=True,
        timeout=60,
        env=check_env(tmp_path),
        cwd=tmp_path,
        check=False,
    )
    assert_no_crash(proc)
    return proc


def _assert_one_line_error(
    proc: subprocess.CompletedProcess[str], path: Path, phrases: tuple[str, ...]
) -> None:
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("tfcert-envcheck: error: "), lines[0]
    assert path.name in lines[0], lines[0]
    for phrase in phrases:
        assert phrase in lines[0], (phrase, lines[0])


@pytest.mark.parametrize(("breaker", "phrases"), CASES, ids=[c[0].__name__ for c in CASES])
def test_broken_matrix_stops_check_with_one_line(
    tmp_path: Path, breaker: Breaker, phrases: tuple[str, ...]
) -> None:
    path = breaker(tmp_path / "matrix.yaml")
    report = tmp_path / "report.json"
    started = time.monotonic()
    proc = _cli(tmp_path, *check_argv(report, "--matrix", str(path), "--python", sys.executable))
    assert time.monotonic() - started < 20
    _assert_one_line_error(proc, path, phrases)
    assert not report.exists()  # nothing ran, so nothing half-done was written
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize(("breaker", "phrases"), CASES, ids=[c[0].__name__ for c in CASES])
def test_broken_matrix_fails_validation(
    tmp_path: Path, breaker: Breaker, phrases: tuple[str, ...]
) -> None:
    path = breaker(tmp_path / "matrix.yaml")
    proc = _cli(tmp_path, sys.executable, "-m", "envcheck", "matrix", "validate", str(path))
    _assert_one_line_error(proc, path, phrases)
    assert not (tmp_path / "pwned").exists()


def test_unknown_profile_option(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    proc = _cli(tmp_path, *check_argv(report, "--profile", "exam-2099"))
    assert proc.returncode == 2
    assert "unknown profile 'exam-2099'" in proc.stderr
    assert "matrix profiles" in proc.stderr  # where to find the known ones
    assert not report.exists()
