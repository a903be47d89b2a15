"""compat_matrix.yaml: the bundled file is valid, and a broken one says exactly what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from envcheck.errors import ConfigError
from envcheck.matrix import BUNDLED_MATRIX, load_matrix, parse_matrix
from tests.helpers import REPO, run_cli


def _bundled() -> dict:  # type: ignore[type-arg]
    data = yaml.safe_load(BUNDLED_MATRIX.read_text())
    assert isinstance(data, dict)
    return data


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "matrix.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_bundled_matrix_is_the_repository_file() -> None:
    assert BUNDLED_MATRIX.read_text() == (REPO / "compat_matrix.yaml").read_text()


def test_default_profile_is_the_last_known_exam() -> None:
    m = load_matrix()
    name, profile = m.profile(None)
    assert name == "exam-2023-01"
    assert profile.python == "3.8"
    assert profile.pin("tensorflow") == "==2.9.0"


@pytest.mark.parametrize(
    ("tf", "python", "cuda"),
    [
        ("2.9.0", ">=3.7,<3.11", "11.2"),
        ("2.21.0", ">=3.10,<3.14", "12.5"),
        ("2.12.1", ">=3.8,<3.12", "11.8"),
        ("2.16.0rc0", ">=3.9,<3.13", "12.3"),
    ],
)
def test_build_table_lookup(tf: str, python: str, cuda: str) -> None:
    row = load_matrix().build_for(tf)
    assert row is not None
    assert (row.python, row.cuda) == (python, cuda)


def test_build_table_unknown_version() -> None:
    assert load_matrix().build_for("1.15.0") is None
    assert load_matrix().build_for("not-a-version") is None


def test_driver_minimum_prefers_the_most_specific_row() -> None:
    m = load_matrix()
    assert m.driver_minimum("11.2") is not None
    assert m.driver_minimum("11.2").linux == "450.80.02"  # type: ignore[union-attr]
    assert m.driver_minimum("12.5").linux == "525.60.13"  # type: ignore[union-attr]
    assert m.driver_minimum("10.0") is None


@pytest.mark.parametrize(
    ("cuda", "linux", "windows", "ptx_linux", "ptx_windows", "cited"),
    [
        # TensorFlow's install guide (TF 2.5-2.11): "CUDA 11.2 requires 450.80.02 or higher";
        # PTX JIT needs CUDA 11.2.0's own driver (NVIDIA's CUDA release notes, table 3).
        ("11.2", "450.80.02", "452.39", "460.27.03", "460.82", "tensorflow/docs/pull/1902"),
        # CUDA 11.0 GA (11.0.2), not the 11.0.1 RC (450.36.06 / 451.22).
        ("11.0", "450.51.05", "451.48", "450.51.05", "451.48", "cuda-toolkit-release-notes"),
        ("10.1", "418.39", "418.96", "418.39", "418.96", "cuda-toolkit-release-notes"),
        ("11.8", "450.80.02", "452.39", "520.61.05", "520.06", "tensorflow.org/install/pip"),
    ],
)
def test_driver_rows_match_their_sources(
    cuda: str, linux: str, windows: str, ptx_linux: str, ptx_windows: str, cited: str
) -> None:
    row = load_matrix().driver_minimum(cuda)
    assert row is not None and row.cuda == cuda
    assert (row.linux, row.windows) == (linux, windows)
    assert (row.ptx_jit_linux or row.linux, row.ptx_jit_windows or row.windows) == (
        ptx_linux,
        ptx_windows,
    )
    assert cited in row.source


def test_every_pinned_tensorflow_has_a_build_row() -> None:
    m = load_matrix()
    for name, profile in m.profiles.items():
        pin = profile.pin("tensorflow")
        if pin and pin.startswith("=="):
            assert m.build_for(pin[2:]) is not None, name
    tf23 = m.build_for("2.3.0")
    assert tf23 is not None
    assert (tf23.python, tf23.cuda, tf23.cudnn) == (">=3.5,<3.9", "10.1", "7.6")


def test_the_guide_of_june_2021_is_a_profile() -> None:
    _, june = load_matrix().profile("exam-2021-06")
    assert june.guide_date == "2021-06-23" and june.python == "3.8"
    assert june.packages == {
        "tensorflow": "==2.5.0",
        "tensorflow-datasets": "==4.3.0",
        "Pillow": "==8.2.0",
        "pandas": "==1.2.4",
        "numpy": "==1.19.5",
        "scipy": "==1.7.0",
    }
    assert june.pycharm.known_good == ["2021"]


def test_the_first_guide_is_dated() -> None:
    _, first = load_matrix().profile("exam-2020")
    assert first.guide_date == "2020-07-29"
    assert "undated" not in (first.title + first.source).lower()
    assert "July 29, 2020" in first.source


def test_the_guides_of_july_2022_and_january_2023_are_two_profiles() -> None:
    m = load_matrix()
    _, july = m.profile("exam-2022-07")
    _, january = m.profile("exam-2023-01")
    assert july.packages == january.packages
    assert july.pycharm.known_good == ["2021.3"] and july.pycharm.minimum is None
    # "install the latest version of PyCharm": any release from the one current then.
    assert january.pycharm.known_good == [] and january.pycharm.minimum == "2022.3"
    assert "Jan 2023" in january.title and "Jan 2023" not in july.title


def _sources(node: object, path: str = "") -> list[tuple[str, object]]:
    """Every (key path, value) under a key that names a source in the raw matrix."""
    found: list[tuple[str, object]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            where = f"{path}.{key}" if path else str(key)
            if str(key) == "source" or str(key).endswith("_source"):
                found.append((where, value))
            found.extend(_sources(value, where))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found.extend(_sources(value, f"{path}[{i}]"))
    return found


def test_every_source_can_be_checked_from_the_repository() -> None:
    sources = _sources(_bundled())
    assert len(sources) > 20
    for where, value in sources:
        assert isinstance(value, str) and value.strip(), f"{where}: empty source"
        assert "REFERENCE.md" not in value, f"{where} cites REFERENCE.md, not in the repository"


def _code_strings(path: Path) -> list[tuple[int, str]]:
    """String constants of a module other than docstrings, with their line numbers."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (n.lineno, n.value)
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings
    ]


def test_no_source_in_the_code_cites_reference_md() -> None:
    cited = [
        f"{path.relative_to(REPO)}:{line}"
        for folder in ("envcheck", "probes")
        for path in sorted((REPO / folder).rglob("*.py"))
        for line, text in _code_strings(path)
        if "REFERENCE.md" in text
    ]
    assert cited == []


def test_unknown_profile_is_a_one_line_config_error() -> None:
    with pytest.raises(ConfigError, match=r"unknown profile 'exam-1999'.*exam-2022-07"):
        load_matrix().profile("exam-1999")


def test_every_fact_has_a_source() -> None:
    m = load_matrix()
    assert all(p.source for p in m.profiles.values())
    assert all(d.source for d in m.driver_minimums)
    assert m.tensorflow_builds_source and m.gpu.source and m.hardware.ram_source


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: d["profiles"]["exam-2022-07"].update(pyhton="3.8"),
            "profiles.exam-2022-07.pyhton: unknown key",
        ),
        (
            lambda d: d["profiles"]["exam-2022-07"].pop("source"),
            "profiles.exam-2022-07.source: required key is missing",
        ),
        (
            lambda d: d["hardware"].update(ram_total_min_gib="eight"),
            "hardware.ram_total_min_gib: Input should be a valid number",
        ),
        (
            lambda d: d["profiles"]["exam-2022-07"]["packages"].update(numpy="=>1.0"),
            "profiles.exam-2022-07.packages.numpy: Value error, not a version specifier",
        ),
        (
            lambda d: d.update(default_profile="exam-2030"),
            "default_profile 'exam-2030' names no entry under profiles",
        ),
        (lambda d: d.update(schema_version=9), "schema_version 9 is not supported"),
        (
            lambda d: d["profiles"]["exam-2022-07"].update(python=3.8),
            "profiles.exam-2022-07.python: Input should be a valid string (got 3.8)",
        ),
    ],
)
def test_invalid_matrix_names_the_key(tmp_path: Path, mutate, message: str) -> None:  # type: ignore[no-untyped-def]
    data = _bundled()
    mutate(data)
    path = _write(tmp_path, data)
    with pytest.raises(ConfigError) as info:
        load_matrix(path)
    text = str(info.value)
    assert text.startswith(str(path.resolve()))
    assert message in text
    assert "\n" not in text


def test_yaml_syntax_error_gives_line_and_column() -> None:
    with pytest.raises(ConfigError, match=r"m.yaml: line 2, column \d+: invalid YAML"):
        parse_matrix("a: 1\nb: {c: [1, 2}\n", "m.yaml")


def test_duplicate_keys_are_refused() -> None:
    with pytest.raises(ConfigError, match="duplicate key 'a'"):
        parse_matrix("a: 1\na: 2\n", "m.yaml")


def test_yaml_tags_that_construct_objects_are_refused() -> None:
    with pytest.raises(ConfigError, match="invalid YAML"):
        parse_matrix("a: !!python/object/apply:os.system ['echo pwned']\n", "m.yaml")


def test_top_level_must_be_a_mapping() -> None:
    with pytest.raises(ConfigError, match="top level must be a mapping, not list"):
        parse_matrix("- 1\n- 2\n", "m.yaml")


def test_cli_validate_ok_and_broken(tmp_path: Path) -> None:
    good = run_cli("matrix", "validate")
    assert good.returncode == 0, good.stderr
    assert "valid (7 profiles" in good.stdout

    data = _bundled()
    data["hardware"]["disk_free_warn_gib"] = 1  # below the minimum
    bad = run_cli("matrix", "validate", str(_write(tmp_path, data)))
    assert bad.returncode == 2
    assert bad.stderr.count("\n") == 1
    assert "disk_free_warn_gib must be >= disk_free_min_gib" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_cli_missing_matrix_file(tmp_path: Path) -> None:
    proc = run_cli("check", "--matrix", str(tmp_path / "nope.yaml"))
    assert proc.returncode == 2
    assert "nope.yaml: no such file" in proc.stderr


def test_cli_profiles_lists_every_profile() -> None:
    proc = run_cli("matrix", "profiles")
    assert proc.returncode == 0
    names = [line.split()[0] for line in proc.stdout.splitlines()]
    assert names == list(load_matrix().profiles)
    assert "(default)" in next(line for line in proc.stdout.splitlines() if "exam-2023-01" in line)


def test_a_lock_serves_the_profiles_it_names_and_meets_their_pins(tmp_path: Path) -> None:
    m = load_matrix()
    assert m.lock_for("exam-2023-01") is m.lock_for("exam-2022-07") is not None
    assert m.lock_for("exam-2020") is None
    data = _bundled()
    data["locks"]["exam-2022-07"]["packages"]["numpy"] = "1.22.3"
    with pytest.raises(ConfigError, match=r"locks.exam-2022-07.*numpy 1.22.3 does not meet"):
        load_matrix(_write(tmp_path, data))
    data = _bundled()
    data["locks"]["exam-2022-07"]["also_for"] = ["exam-2021-06"]
    with pytest.raises(ConfigError, match=r"also_for 'exam-2021-06'.*does not meet"):
        load_matrix(_write(tmp_path, data))
