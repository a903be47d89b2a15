"""Shared fixtures: real interpreters found on the machine, and a guarded home.

Real interpreters come from environment variables that .ci/run sets, with
the cache paths .ci/run uses as defaults, so a developer who ran .ci/run once
gets the same environments. A test that needs one that is absent is skipped
with the reason, never silently passed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

REAL_HOME = Path.home()
CI_CACHE = Path(os.environ.get("TFCERT_CI_CACHE", REAL_HOME / ".cache" / "tfcert-ci"))
REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _python_in(var: str, default: Path) -> Path | None:
    value = os.environ.get(var)
    path = Path(value) if value else default
    return path if path.is_file() else None


EXAM_PYTHON = _python_in("TFCERT_TEST_EXAM_PYTHON", CI_CACHE / "exam-py38" / "bin" / "python")
"""CPython 3.8 with tensorflow==2.9.0 and the last exam guide's pins."""
TF_PYTHON = _python_in("TFCERT_TEST_TF_PYTHON", CI_CACHE / "tf-py311" / "bin" / "python")
"""A current CPython with the newest tensorflow-cpu (Keras 3)."""


def pyenv_python(version: str) -> Path | None:
    """The pyenv-installed interpreter for a minor version ('3.9'), if any."""
    root = os.environ.get("PYENV_ROOT") or (
        subprocess.run(
            ["pyenv", "root"], capture_output=True, text=True, check=False
        ).stdout.strip()
        if shutil.which("pyenv")
        else ""
    )
    if not root:
        root = str(REAL_HOME / ".pyenv")
    versions = Path(root) / "versions"
    if not versions.is_dir():
        return None
    matches = sorted(
        (p for p in versions.iterdir() if p.name == version or p.name.startswith(version + ".")),
        key=lambda p: [int(x) if x.isdigit() else 0 for x in p.name.split(".")],
    )
    for match in reversed(matches):
        exe = match / "bin" / ("python" if version.startswith("2") else "python3")
        if exe.is_file():
            return exe
    return None


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/* from the current renderers (then review the diff)",
    )


@pytest.fixture
def exam_python() -> Path:
    if EXAM_PYTHON is None:
        pytest.skip("no exam environment (Python 3.8 + tensorflow 2.9.0); .ci/run creates it")
    return EXAM_PYTHON


@pytest.fixture
def tf_python() -> Path:
    if TF_PYTHON is None:
        pytest.skip("no current TensorFlow environment; .ci/run creates it")
    return TF_PYTHON


@pytest.fixture(autouse=True)
def _guard_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """Tests never read or write the developer's real home, PyCharm config included."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USERPROFILE", str(home))
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "APPDATA", "LOCALAPPDATA"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("PIP_CACHE_DIR", str(home / ".pip-cache"))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    yield home
