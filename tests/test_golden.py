"""Golden files: every output format of show, diff and fleet, byte for byte.

The inputs are the recorded reports in tests/fixtures/reports/ (and a hostile
variation), rendered through the real CLI. After an intended change to a
renderer, regenerate with

    python -m pytest tests/test_golden.py --update-golden

and review `git diff tests/golden/` like any other change.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.report_samples import (
    REPORTS,
    hostile_report,
    invoke,
    partial_benchmark,
    save,
)

GOLDEN = Path(__file__).resolve().parent / "golden"

# golden file -> CLI arguments; "OUT" is replaced by a file to write with -o.
CASES: dict[str, list[str]] = {
    "show-lab-pc-02.txt": ["show", "lab-pc-02.json"],
    "show-lab-pc-02-verbose.txt": ["show", "lab-pc-02.json", "-v"],
    "show-lab-pc-02.json": ["show", "lab-pc-02.json", "--format", "json", "-o", "OUT"],
    "show-lab-pc-02.xml": ["show", "lab-pc-02.json", "--format", "junit", "-o", "OUT"],
    "show-lab-pc-02.md": ["show", "lab-pc-02.json", "--format", "markdown", "-o", "OUT"],
    "show-lab-pc-02.html": ["show", "lab-pc-02.json", "--format", "html", "-o", "OUT"],
    "show-hostile.html": ["show", "hostile.json", "--format", "html"],
    "show-lab-pc-02-verbose.md": ["show", "lab-pc-02.json", "--format", "markdown", "-v"],
    "show-lab-gpu-03.xml": ["show", "lab-gpu-03.json", "--format", "junit"],
    "show-lab-gpu-03.md": ["show", "lab-gpu-03.json", "--format", "markdown"],
    "show-lab-pc-01.txt": ["show", "lab-pc-01.json"],
    "show-hostile.txt": ["show", "hostile.json", "-v"],
    "show-hostile.xml": ["show", "hostile.json", "--format", "junit"],
    "show-hostile.md": ["show", "hostile.json", "--format", "markdown", "-v"],
    "diff.txt": ["diff", "lab-pc-01.json", "lab-pc-02.json"],
    "diff.json": ["diff", "lab-pc-01.json", "lab-pc-02.json", "--format", "json"],
    "diff.md": ["diff", "lab-pc-01.json", "lab-pc-02.json", "--format", "markdown"],
    "fleet.txt": ["fleet", "fleet"],
    "fleet.json": ["fleet", "fleet", "--format", "json"],
    "fleet.md": ["fleet", "fleet", "--format", "markdown"],
    "fleet.html": ["fleet", "fleet", "--format", "html"],
}


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The report files under short relative names, so outputs name no temp folder."""
    for name in ("lab-pc-01", "lab-pc-02", "lab-gpu-03"):
        shutil.copy(REPORTS / f"{name}.json", tmp_path / f"{name}.json")
    save(hostile_report(), tmp_path / "hostile.json")
    fleet = tmp_path / "fleet"
    fleet.mkdir()
    for name in ("lab-pc-01", "lab-pc-02", "lab-gpu-03"):
        shutil.copy(REPORTS / f"{name}.json", fleet / f"{name}.json")
    partial = partial_benchmark("lab-pc-01")
    partial = partial.model_copy(update={"host": {**partial.host, "hostname": "lab-pc-04"}})
    save(partial, fleet / "lab-pc-04.json")
    (fleet / "truncated.json").write_text('{"schema_version": 1, "tool": "tfcert-en', "utf-8")
    (fleet / "newer.json").write_text('{"schema_version": 99, "tool": "tfcert-envcheck"}', "utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "100")
    return tmp_path


@pytest.mark.parametrize("golden", sorted(CASES))
def test_output_matches_golden_file(
    golden: str, workdir: Path, request: pytest.FixtureRequest
) -> None:
    args = [str(workdir / "out") if a == "OUT" else a for a in CASES[golden]]
    result = invoke(*args)
    assert result.exit_code in (0, 1), result.output
    actual = (workdir / "out").read_text("utf-8") if "OUT" in CASES[golden] else result.stdout
    path = GOLDEN / golden
    if request.config.getoption("--update-golden"):
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(actual, "utf-8", newline="\n")
        return
    assert path.is_file(), f"{path} is missing: run pytest {__file__} --update-golden"
    assert actual == path.read_text("utf-8"), (
        f"{golden} differs from the golden file; if the change is intended, run "
        "`python -m pytest tests/test_golden.py --update-golden` and review the diff"
    )


def test_every_golden_file_has_a_case() -> None:
    """A golden file whose case was removed would silently stop being checked."""
    stale = {p.name for p in GOLDEN.iterdir() if p.name != "README.md"} - set(CASES)
    assert not stale
