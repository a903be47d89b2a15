"""Faults of the report's destination: a missing, unwritable or full place, a closed pipe.

A destination that cannot work is refused before any probe runs (exit 2, one
line); a write that fails at the end (a full disk) still shows the report on
stdout, so a long run is never lost; a half-written file never replaces a good one.
"""

from __future__ import annotations

import errno
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from envcheck.errors import OutputError
from envcheck.output import write_atomic
from tests.faults.support import assert_no_crash, check_argv, check_env, fake_python

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions and limits")


def _run(
    tmp_path: Path, report: Path, *args: str, preexec: Callable[[], object] | None = None
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        check_argv(report, *args),
        capture_output=True,
        text=True,
        timeout=120,
        env=check_env(tmp_path),
        cwd=tmp_path,
        check=False,
        preexec_fn=preexec,
    )
    assert_no_crash(proc)
    return proc


def _refused_before_probes(tmp_path: Path, report: Path, *phrases: str) -> None:
    """A fake interpreter that hangs 30 s in every probe proves no probe ran."""
    started = time.monotonic()
    proc = _run(tmp_path, report, "--python", str(fake_python(tmp_path, "hang_probe")))
    assert time.monotonic() - started < 10
    assert proc.returncode == 2
    line = proc.stderr.strip()
    assert "\n" not in line and line.startswith("tfcert-envcheck: error: "), line
    for phrase in phrases:
        assert phrase in line, (phrase, line)


def test_folder_does_not_exist(tmp_path: Path) -> None:
    report = tmp_path / "no-such-folder" / "report.json"
    _refused_before_probes(tmp_path, report, "no-such-folder", "does not exist")
    assert not report.parent.exists()


def test_destination_is_a_folder(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    _refused_before_probes(tmp_path, folder, "is a folder")
    assert list(folder.iterdir()) == []


def test_folder_not_writable(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        # root writes anywhere a mode allows nothing; sysfs refuses even root.
        folder = Path("/sys")
        if not folder.is_dir() or _can_create_in(folder):
            pytest.skip("no folder here that refuses root")
    else:
        folder = tmp_path / "locked"
        folder.mkdir()
        folder.chmod(0o555)
    _refused_before_probes(tmp_path, folder / "report.json", "cannot write in", "denied")


def _can_create_in(folder: Path) -> bool:
    try:
        (folder / ".tfcert-probe").touch()
    except OSError:
        return False
    (folder / ".tfcert-probe").unlink()
    return True


def test_full_disk_keeps_the_report_on_stdout_and_the_old_file(tmp_path: Path) -> None:
    """The kernel refuses to grow files past 512 bytes (RLIMIT_FSIZE): the write fails for real."""
    report = tmp_path / "report.json"
    report.write_text('{"old": "report"}', encoding="utf-8")

    def limit_file_size() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (512, 512))

    proc = _run(
        tmp_path, report, "--python", sys.executable, "--only", "python", preexec=limit_file_size
    )
    assert proc.returncode == 2
    line = proc.stderr.strip()
    assert "\n" not in line, line
    assert "report.json: cannot write: File too large" in line
    assert "printed to stdout instead" in line
    shown = json.loads(proc.stdout)  # the whole report, not lost
    assert {r["id"] for r in shown["results"]} >= {"python.interpreter", "python.version"}
    assert report.read_text(encoding="utf-8") == '{"old": "report"}'  # never half-replaced
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".report")) == []


def test_no_space_left_removes_the_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ENOSPC at the boundary (fsync): one-line error, old file intact, no temp file left."""
    report = tmp_path / "report.json"
    report.write_text("previous", encoding="utf-8")

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(OutputError, match=r"report\.json: cannot write: No space left on device"):
        write_atomic(report, '{"new": "report"}')
    assert report.read_text(encoding="utf-8") == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_report_file_gets_the_mode_a_plain_write_would(tmp_path: Path) -> None:
    """Support staff and CI archivers must be able to read it: umask, not mkstemp's 0600."""
    fresh, kept = tmp_path / "fresh.json", tmp_path / "kept.json"
    kept.write_text("old", encoding="utf-8")
    kept.chmod(0o640)
    old_umask = os.umask(0o022)
    try:
        write_atomic(fresh, "{}")
        write_atomic(kept, "{}")
    finally:
        os.umask(old_umask)
    assert fresh.stat().st_mode & 0o777 == 0o644
    assert kept.stat().st_mode & 0o777 == 0o640  # an existing file keeps its mode
    assert kept.read_text(encoding="utf-8") == "{}"


def test_stdout_closed_early(tmp_path: Path) -> None:
    """`check --json | head -c 64`: the reader went away; no traceback, no hang."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "envcheck", "check", "--json", "-q", "--only", "python"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=check_env(tmp_path),
        cwd=tmp_path,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(64)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=60) in (0, 1)
    assert "Traceback" not in err
