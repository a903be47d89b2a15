"""`check --share`: three redacted files for support staff, and which goes where."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from tests.helpers import run_cli

USER = "quirinxu"


def _env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / USER
    home.mkdir(exist_ok=True)
    return {"HOME": str(home), "USER": USER, "LOGNAME": USER, "COLUMNS": "100"}


def _check(tmp_path: Path, *extra: str, cwd: Path | None = None):  # type: ignore[no-untyped-def]
    return run_cli(
        "check",
        "--python",
        sys.executable,
        "--only",
        "python",
        "--only",
        "system",
        "-q",
        *extra,
        env=_env(tmp_path),
        cwd=cwd or tmp_path,
        timeout=180,
    )


def test_share_writes_three_redacted_files_and_says_where_they_go(tmp_path: Path) -> None:
    out = tmp_path / "share"
    out.mkdir()
    proc = _check(tmp_path, "--share-dir", str(out))
    assert proc.returncode in (0, 1), proc.stderr
    names = sorted(p.name for p in out.iterdir())
    assert len(names) == 3, names
    stem = names[0].rsplit(".", 1)[0]
    assert re.fullmatch(r"tfcert-report-\d{4}-\d\d-\d\d", stem)
    assert names == [f"{stem}.html", f"{stem}.json", f"{stem}.md"]
    # The terminal view first, then the files and which to attach where.
    assert proc.stdout.index("[") < proc.stdout.index("Report for support")
    for suffix, where in (("html", "browser"), ("json", "tfcert-envcheck show"), ("md", "issue")):
        line = next(
            x
            for x in proc.stdout.splitlines()
            if x.strip().startswith(str(out)) and x.split()[0].endswith("." + suffix)
        )
        assert where in line, line
    for name in names:
        text = (out / name).read_text("utf-8")
        assert str(tmp_path / USER) not in text, name
        assert USER not in text, name
    doc = json.loads((out / f"{stem}.json").read_text("utf-8"))
    assert doc["kind"] == "check-report" and doc["host"]["user"] == "<user>"
    shown = run_cli("show", str(out / f"{stem}.json"))
    assert shown.returncode == 0 and "Saved report: created" in shown.stdout
    assert "Content-Security-Policy" in (out / f"{stem}.html").read_text("utf-8")


def test_share_into_the_current_folder_never_replaces_an_earlier_report(tmp_path: Path) -> None:
    first = _check(tmp_path, "--share")
    second = _check(tmp_path, "--share", "--format", "json")
    assert first.returncode == second.returncode
    html = {p.name for p in tmp_path.glob("tfcert-report-*.html")}
    stem = min(html, key=len).removesuffix(".html")
    assert html == {f"{stem}.html", f"{stem}-2.html"}, html
    # With JSON on stdout, the message goes to stderr and stdout stays one document.
    assert json.loads(second.stdout)["kind"] == "check-report"
    assert "Report for support" in second.stderr


def test_share_dir_that_does_not_exist_fails_before_the_run(tmp_path: Path) -> None:
    proc = _check(tmp_path, "--share-dir", str(tmp_path / "missing"))
    assert proc.returncode == 2
    assert "the --share folder does not exist" in proc.stderr
    assert proc.stdout == ""
