"""A session broken around the tool: closed streams, no home, a foreign HOME, a deleted folder.

None of these has anything to do with the exam environment, so none may
fail a check that is not about it, lose the report or crash the tool:
stdout closed (`check >&-`) is a one-line error and exit 2 unless `-o` names
a file; HOME unset with a uid that /etc/passwd does not know, a HOME the user
cannot read (`su` without `-`), and a deleted working folder are facts the
report states. The user and HOME cases run the real CLI as another uid
(root only, with setpriv) from a venv of the system Python that uid can reach.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.support import NEVER, assert_no_crash, check_argv, check_env
from tests.helpers import REPO

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX sessions")

UNKNOWN_UID = 54321
"""A uid with no /etc/passwd entry (checked in the fixture)."""


def _sh(tmp_path: Path, redirect: str, *args: str) -> subprocess.CompletedProcess[str]:
    """The real CLI under `sh -c 'exec ... REDIRECT'`: how a shell closes a stream."""
    return subprocess.run(
        ["sh", "-c", f'exec "$@" {redirect}', "sh", *args],
        capture_output=True,
        text=True,
        timeout=180,
        env=check_env(tmp_path),
        cwd=tmp_path,
        check=False,
    )


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "envcheck", "check", *args]


def test_stdout_closed_is_one_line_and_exit_2(tmp_path: Path) -> None:
    proc = _sh(tmp_path, ">&-", *_cli("--only", "python.bits"))
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "standard output is closed" in lines[0] and "-o FILE" in lines[0]


def test_stdout_closed_with_o_writes_the_report(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    proc = _sh(tmp_path, ">&-", *_cli("--json", "-o", str(report), "--only", "python.bits"))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(report.read_text(encoding="utf-8"))["verdict"]["exit_code"] == 0


def test_stderr_closed(tmp_path: Path) -> None:
    proc = _sh(tmp_path, "2>&-", *_cli("--json", "--only", "python.bits"))
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["verdict"]["exit_code"] == 0


def test_deleted_working_folder(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    gone = tmp_path / "gone"
    gone.mkdir()
    argv = check_argv(report, "--python", sys.executable, "--only", "system", "--only", "python")
    # The tool itself starts isolated (-I): `-m` would need the deleted folder for sys.path.
    argv.insert(1, "-I")
    proc = subprocess.run(
        ["sh", "-c", 'cd "$1" && rmdir "$1" && shift && exec "$@"', "sh", str(gone), *argv],
        capture_output=True,
        text=True,
        timeout=180,
        env={**check_env(tmp_path), "PWD": str(gone)},
        check=False,
    )
    assert_no_crash(proc)
    doc = json.loads(report.read_text(encoding="utf-8"))
    results = {r["id"]: r for r in doc["results"]}
    errored = [i for i, r in results.items() if r["status"] == "error"]
    assert errored == [], [(i, results[i]["summary"]) for i in errored]
    assert "the current folder no longer exists" in results["system.disk"]["summary"]


@pytest.fixture(scope="module")
def other_user_python() -> Iterator[Path]:
    """A venv of the system Python, with the tool on its path, that any uid can run."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to run the CLI as another uid")
    import pwd

    try:
        pwd.getpwuid(UNKNOWN_UID)
        pytest.skip(f"uid {UNKNOWN_UID} exists here")
    except KeyError:
        pass
    minor = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    system = Path("/usr/bin") / minor
    if not system.is_file():
        pytest.skip(f"no /usr/bin/{minor} (the tool's compiled dependencies need its ABI)")
    base = Path(tempfile.mkdtemp(prefix="tfcert-other-user-"))
    base.chmod(0o755)
    try:
        venv = base / "venv"
        subprocess.run([str(system), "-m", "venv", "--without-pip", str(venv)], check=True)
        site = venv / "lib" / minor / "site-packages"
        (site / "tfcert_tool.pth").write_text(
            f"{REPO}\n{sysconfig.get_paths()['purelib']}\n", encoding="utf-8"
        )
        yield venv / "bin" / "python"
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _as_other_user(python: Path, home: str | None) -> tuple[subprocess.CompletedProcess[str], dict]:
    work = Path(tempfile.mkdtemp(prefix="tfcert-other-user-work-"))
    work.chmod(0o777)
    try:
        env = {k: v for k, v in os.environ.items() if k not in ("HOME", "USER", "LOGNAME")}
        env.pop("PYTHONPATH", None)
        env["TMPDIR"] = str(work)
        if home is not None:
            env["HOME"] = home
        report = work / "report.json"
        proc = subprocess.run(
            [
                "setpriv",
                f"--reuid={UNKNOWN_UID}",
                f"--regid={UNKNOWN_UID}",
                "--clear-groups",
                str(python),
                "-I",
                "-m",
                "envcheck",
                "check",
                "--json",
                "-q",
                "-o",
                str(report),
                "--python",
                str(python),
                "--no-bench",
                "--skip",
                "nvidia",
            ],
            capture_output=True,
            text=True,
            timeout=300,
            env=env,
            cwd=work,
            check=False,
        )
        for text in NEVER:
            assert text not in proc.stderr, proc.stderr
        assert report.is_file(), proc.stderr
        doc: dict = json.loads(report.read_text(encoding="utf-8"))
        assert [p.name for p in work.iterdir() if p.name != "report.json"] == []
        return proc, doc
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _errored(doc: dict) -> list[tuple[str, str]]:
    return [(r["id"], r["summary"]) for r in doc["results"] if r["status"] == "error"]


def test_no_home_and_a_uid_missing_from_passwd(other_user_python: Path) -> None:
    proc, doc = _as_other_user(other_user_python, home=None)
    assert proc.returncode == 1, proc.stderr  # not ready (no TensorFlow), never 3
    assert _errored(doc) == []
    assert "home" not in doc["host"] and "user" not in doc["host"]
    disk = next(r for r in doc["results"] if r["id"] == "system.disk")
    assert "no home folder is known" in disk["summary"]


def test_a_home_this_user_cannot_read(other_user_python: Path) -> None:
    """`su` without `-`: HOME still names the previous user's folder, closed to this one."""
    unreadable = Path(tempfile.mkdtemp(prefix="tfcert-closed-home-"))
    try:
        (unreadable / ".keras").mkdir()
        (unreadable / ".keras" / "keras.json").write_text("{}", encoding="utf-8")
        unreadable.chmod(0o700)
        proc, doc = _as_other_user(other_user_python, home=str(unreadable))
        assert proc.returncode == 1, proc.stderr
        assert _errored(doc) == []
    finally:
        shutil.rmtree(unreadable, ignore_errors=True)
