"""Files that are not regular files, given where the tool reads or writes one.

`-o` onto a FIFO, a character device (/dev/null), /dev/stdout, a socket or a
symlink; `show`, `matrix validate` and PyCharm's XML reading a FIFO or
/dev/zero; a matrix whose YAML keys are not plain strings or whose thresholds
are NaN. Through the real CLI: the tool writes through devices and FIFOs
without replacing them, refuses what it cannot write or read with one line
(exit 2), never hangs and never reads without a limit.
"""

from __future__ import annotations

import os
import resource
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml

from envcheck.matrix import BUNDLED_MATRIX
from envcheck.pycharm.files import FileProblem, read_xml
from tests.faults.support import assert_no_crash, check_argv, check_env, fake_python
from tests.pycharm_trees import copy_tree

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file kinds")

GOOD = Path(__file__).resolve().parent.parent / "fixtures" / "reports" / "lab-pc-01.json"


def _memory_cap() -> None:
    # Before the fix, /dev/zero was read until memory ran out: keep that to 1 GiB here.
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def _cli(tmp_path: Path, *argv: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "envcheck", *argv],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=check_env(tmp_path),
        cwd=tmp_path,
        check=False,
        preexec_fn=_memory_cap,
    )
    assert_no_crash(proc)
    return proc


def _one_line_error(proc: subprocess.CompletedProcess[str], *phrases: str) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    line = proc.stderr.strip()
    assert "\n" not in line and line.startswith("tfcert-envcheck: error: "), line
    for phrase in phrases:
        assert phrase in line, (phrase, line)
    return line


# -- -o onto something that is not a regular file ----------------------------------


def test_o_onto_a_fifo_writes_through_it(tmp_path: Path) -> None:
    fifo = tmp_path / "report.pipe"
    os.mkfifo(fifo)
    got = tmp_path / "got.json"
    reader = subprocess.Popen(["sh", "-c", f'cat "{fifo}" > "{got}"'])
    try:
        proc = _cli(tmp_path, "show", str(GOOD), "--json", "-o", str(fifo))
        reader.wait(timeout=20)
    finally:
        reader.kill()
        reader.wait()
    assert proc.returncode == 0, proc.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode), "the FIFO was replaced by a file"
    assert '"schema_version"' in got.read_text(encoding="utf-8")


def test_o_onto_a_fifo_nobody_reads_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "report.pipe"
    os.mkfifo(fifo)
    started = time.monotonic()
    proc = subprocess.run(
        check_argv(fifo, "--python", str(fake_python(tmp_path, "hang_probe"))),
        capture_output=True,
        text=True,
        timeout=60,
        env=check_env(tmp_path),
        cwd=tmp_path,
        check=False,
    )
    assert time.monotonic() - started < 10  # refused before any probe ran
    _one_line_error(proc, str(fifo), "FIFO", "no reader")
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_o_onto_a_character_device_writes_through_it(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("making a device node needs root")
    null = tmp_path / "null"
    os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # a second /dev/null
    proc = _cli(tmp_path, "show", str(GOOD), "--json", "-o", str(null))
    assert proc.returncode == 0, proc.stderr
    assert stat.S_ISCHR(null.lstat().st_mode), "the device node was replaced by a file"


def test_o_dev_null_stays_a_device(tmp_path: Path) -> None:
    before = os.stat("/dev/null")
    assert stat.S_ISCHR(before.st_mode)
    proc = _cli(tmp_path, "show", str(GOOD), "--json", "-o", "/dev/null")
    after = os.stat("/dev/null")
    assert proc.returncode == 0, proc.stderr
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev
    assert proc.stdout == ""


def test_o_dev_stdout_writes_to_stdout(tmp_path: Path) -> None:
    link = os.readlink("/dev/stdout") if os.path.islink("/dev/stdout") else None
    proc = _cli(tmp_path, "show", str(GOOD), "--json", "-o", "/dev/stdout")
    assert proc.returncode == 0, proc.stderr
    assert '"schema_version"' in proc.stdout
    if link is not None:
        assert os.path.islink("/dev/stdout") and os.readlink("/dev/stdout") == link


def test_o_onto_a_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(str(path))
        proc = _cli(tmp_path, "show", str(GOOD), "--json", "-o", str(path))
        _one_line_error(proc, str(path), "socket")
        assert stat.S_ISSOCK(path.lstat().st_mode), "the socket was replaced by a file"
    finally:
        sock.close()


def test_o_through_a_symlink_replaces_its_target_and_keeps_the_link(tmp_path: Path) -> None:
    target = tmp_path / "reports" / "2026-11-30.json"
    target.parent.mkdir()
    target.write_text("old\n", encoding="utf-8")
    link = tmp_path / "latest.json"
    link.symlink_to(target)
    proc = _cli(tmp_path, "show", str(GOOD), "--json", "-o", str(link))
    assert proc.returncode == 0, proc.stderr
    assert link.is_symlink() and link.resolve() == target.resolve()
    assert '"schema_version"' in target.read_text(encoding="utf-8")


# -- reading something that is not a regular file -----------------------------------


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "input.pipe"
    os.mkfifo(path)
    return path


def test_show_of_a_fifo_is_refused_without_waiting(tmp_path: Path, fifo: Path) -> None:
    _one_line_error(_cli(tmp_path, "show", str(fifo)), str(fifo), "not a regular file")


def test_show_of_dev_zero_is_refused(tmp_path: Path) -> None:
    _one_line_error(_cli(tmp_path, "show", "/dev/zero"), "/dev/zero", "not a regular file")


def test_matrix_validate_of_a_fifo_is_refused(tmp_path: Path, fifo: Path) -> None:
    proc = _cli(tmp_path, "matrix", "validate", str(fifo))
    _one_line_error(proc, str(fifo), "not a regular file")


def test_matrix_validate_of_dev_zero_is_refused(tmp_path: Path) -> None:
    proc = _cli(tmp_path, "matrix", "validate", "/dev/zero")
    _one_line_error(proc, "/dev/zero", "not a regular file")


def _read_xml_within_seconds(path: Path) -> list[str]:
    """read_xml in a thread that must end soon (it hung on a FIFO before the fix)."""
    problems: list[FileProblem] = []
    worker = threading.Thread(target=read_xml, args=(path, problems), daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert not worker.is_alive(), f"reading {path} did not end"
    return [str(p) for p in problems]


def test_pycharm_xml_that_is_a_fifo_is_a_finding(tmp_path: Path) -> None:
    layout = copy_tree("linux", tmp_path / "tree")
    table = next(layout.home.glob(".config/JetBrains/PyCharm2021.3/options/jdk.table.xml"))
    table.unlink()
    os.mkfifo(table)
    assert _read_xml_within_seconds(table) == [f"{table}: is a FIFO, not a regular file"]
    env = {"TFCERT_ENVCHECK_HOME": str(layout.home), "TFCERT_ENVCHECK_ROOT": str(layout.root)}
    proc = subprocess.run(
        [sys.executable, "-m", "envcheck", "pycharm"],
        capture_output=True,
        text=True,
        timeout=30,
        env=check_env(tmp_path, env),
        cwd=tmp_path,
        check=False,
    )
    assert_no_crash(proc)
    assert proc.returncode in (0, 1), proc.stderr
    assert "jdk.table.xml" in proc.stdout + proc.stderr


def test_pycharm_xml_that_is_dev_zero_is_a_finding() -> None:
    problems = _read_xml_within_seconds(Path("/dev/zero"))
    assert problems == ["/dev/zero: is a character device, not a regular file"]


# -- matrix keys and numbers YAML allows but a matrix must not hold -----------------


def _matrix(tmp_path: Path, old: str, new: str) -> Path:
    text = BUNDLED_MATRIX.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "matrix.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _hardware_line(key: str) -> str:
    data = yaml.safe_load(BUNDLED_MATRIX.read_text(encoding="utf-8"))
    value = data["hardware"][key]
    return f"{key}: {value}"


KEY_CASES = {
    "list_key": ("hardware:\n", "hardware:\n  [a, b]: 1\n", ("line", "a list", "key")),
    "mapping_key": ("hardware:\n", "hardware:\n  ? {a: 1}\n  : 1\n", ("line", "a mapping", "key")),
    "merge_key": (
        "hardware:\n",
        "base: &base {ram_source: x}\nhardware:\n  <<: *base\n",
        ("line", "merge key", "<<"),
    ),
}


@pytest.mark.parametrize("case", sorted(KEY_CASES))
def test_matrix_with_a_key_that_is_not_a_string(tmp_path: Path, case: str) -> None:
    old, new, phrases = KEY_CASES[case]
    path = _matrix(tmp_path, old, new)
    _one_line_error(_cli(tmp_path, "matrix", "validate", str(path)), path.name, *phrases)


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf", ".NaN"])
def test_matrix_with_a_threshold_that_is_not_a_number(tmp_path: Path, value: str) -> None:
    line = _hardware_line("ram_total_min_gib")
    path = _matrix(tmp_path, line, f"ram_total_min_gib: {value}")
    proc = _cli(tmp_path, "matrix", "validate", str(path))
    _one_line_error(proc, path.name, "hardware.ram_total_min_gib", "finite")
