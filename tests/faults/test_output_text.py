"""What reaches the reader: redaction whatever the destination, escaped text, any encoding.

Through the real CLI (`show`, `diff` on saved reports; a pseudo-terminal where
the terminal matters): a report is redacted by one rule however it is saved,
a home reached through a symlink does not leak its real path, nothing from a
report turns into markup, a link or an extra line, TERM=dumb gets no colour,
and an output encoding that is not UTF-8 never crashes the tool.
"""

from __future__ import annotations

import io
import json
import os
import pty
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from rich.console import Console

from envcheck.render import markdown as md
from envcheck.report_io import load_report
from envcheck.results import Report, Status
from tests.faults.support import assert_no_crash, check_env
from tests.report_samples import REPORTS, replace_result, save

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX terminals")

ALICE = re.compile(r"alice|thinkpad", re.IGNORECASE)


def _cli(
    tmp_path: Path, *argv: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "envcheck", *argv],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="strict",
        timeout=60,
        env=check_env(tmp_path, env),
        cwd=tmp_path,
        check=False,
    )
    assert_no_crash(proc)
    return proc


def _on_a_terminal(tmp_path: Path, *argv: str, env: dict[str, str]) -> str:
    """stdout of the real CLI when stdout is a pseudo-terminal."""
    main, child = pty.openpty()
    full = check_env(tmp_path, env)
    full.pop("NO_COLOR", None)  # tests run with NO_COLOR set (conftest)
    full.update(env)
    err = tmp_path / "stderr.txt"
    with err.open("wb") as err_file:
        proc = subprocess.Popen(
            [sys.executable, "-m", "envcheck", *argv],
            stdin=subprocess.DEVNULL,
            stdout=child,
            stderr=err_file,
            env=full,
            cwd=tmp_path,
        )
    os.close(child)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    proc.wait(timeout=60)
    assert proc.returncode == 0, err.read_text(encoding="utf-8", errors="replace")
    return b"".join(chunks).decode("utf-8")


@pytest.fixture
def alice(tmp_path: Path) -> Path:
    return save(load_report(REPORTS / "candidate-alice.json"), tmp_path / "candidate.json")


# -- item: redaction by one rule whatever the destination --------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["--format", "json"],  # `show r.json --json > f` kept everything before
        ["--format", "junit"],
        ["--format", "markdown"],
        ["--format", "text"],  # text to a pipe or a file is shareable too
    ],
)
def test_stdout_that_is_not_a_terminal_is_redacted(
    tmp_path: Path, alice: Path, args: list[str]
) -> None:
    proc = _cli(tmp_path, "show", str(alice), *args)
    assert proc.returncode == 0, proc.stderr
    assert not ALICE.search(proc.stdout), ALICE.findall(proc.stdout)[:5]
    kept = _cli(tmp_path, "show", str(alice), *args, "--no-redact")
    assert ALICE.search(kept.stdout)


def test_diff_json_is_redacted(tmp_path: Path, alice: Path) -> None:
    other = str(REPORTS / "lab-pc-01.json")
    proc = _cli(tmp_path, "diff", other, str(alice), "--format", "json")
    assert proc.returncode == 1, proc.stderr
    assert not ALICE.search(proc.stdout.replace(str(alice), "")), proc.stdout
    kept = _cli(tmp_path, "diff", other, str(alice), "--format", "json", "--no-redact")
    assert ALICE.search(kept.stdout.replace(str(alice), ""))


def test_text_on_a_terminal_shows_the_users_own_paths(tmp_path: Path, alice: Path) -> None:
    out = _on_a_terminal(tmp_path, "show", str(alice), env={"NO_COLOR": "1"})
    assert "/home/alice" in out


def test_a_home_reached_through_a_symlink_hides_its_real_path(tmp_path: Path) -> None:
    real = tmp_path / "data" / "users" / "alice"
    real.mkdir(parents=True)
    home = tmp_path / "home-alice"
    home.symlink_to(real)
    report = load_report(REPORTS / "candidate-alice.json")
    doc = json.loads(report.model_dump_json().replace("/home/alice/.cache", f"{real}/.cache"))
    doc["host"]["home"] = str(home)
    saved = tmp_path / "r.json"
    saved.write_text(json.dumps(doc), encoding="utf-8")
    assert str(real) in saved.read_text(encoding="utf-8")
    out = tmp_path / "out.json"
    proc = _cli(tmp_path, "show", str(saved), "--json", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    text = out.read_text(encoding="utf-8")
    assert str(real) not in text and str(home) not in text
    assert json.loads(text)["target"]["python"].startswith("~/.cache/")


# -- item: nothing from a report becomes markup, a link or an extra line ----------


def _forged(tmp_path: Path) -> Path:
    report = load_report(REPORTS / "lab-pc-01.json")
    first = report.results[0]
    report = replace_result(
        report,
        first.id,
        id=f"{first.id}\n[✓] Forged: all good",
        status=Status.FAILURE,
        summary="broken",
        title="Title\nReady for the exam",
    )
    report = report.model_copy(update={"profile": "exam-2022-07\nReady for the exam"})
    return save(report, tmp_path / "forged.json")


def test_newlines_in_ids_and_profile_forge_no_line_in_text(tmp_path: Path) -> None:
    forged = _forged(tmp_path)
    good = str(REPORTS / "lab-pc-01.json")
    for argv in (["show", str(forged), "-v"], ["diff", good, str(forged)]):
        proc = _cli(tmp_path, *argv, "--no-redact")
        lines = proc.stdout.splitlines()
        assert not [x for x in lines if x.lstrip().startswith(("Ready for the exam", "[✓] Forged"))]
        assert "\\n" in proc.stdout  # the newline is shown, escaped


def test_bare_urls_and_emails_are_not_links_in_markdown() -> None:
    out = md.text("see https://evil.example/x, www.evil.example and mail bob@evil.example")
    outside_code = re.sub(r"`[^`]*`", "", out)
    assert "evil.example" not in outside_code, out
    assert "`https://evil.example/x,`" in out or "`https://evil.example/x`" in out


def test_rich_markup_from_a_probe_is_shown_as_text_in_progress() -> None:
    from envcheck.ui import LiveProgress

    console = Console(file=io.StringIO(), force_terminal=True, width=100)
    progress = LiveProgress(console)
    check = type("C", (), {"title": "TensorFlow [link=https://evil.example]x[/link]"})()
    progress.start(check)  # type: ignore[arg-type]
    progress.probe_event({"message": "[link=https://evil.example]click[/link] [bold]me"})
    assert progress._spinner is not None
    shown = Console(file=io.StringIO(), width=200, record=True)
    shown.print(progress._spinner.renderable)
    progress.close()
    assert "[link=https://evil.example]click[/link] [bold]me" in shown.export_text()


def test_term_dumb_means_no_colour(tmp_path: Path) -> None:
    good = REPORTS / "lab-pc-02.json"
    coloured = _on_a_terminal(tmp_path, "show", str(good), env={"TERM": "xterm-256color"})
    assert "\x1b[" in coloured  # the control: a real terminal gets colour
    dumb = _on_a_terminal(tmp_path, "show", str(good), env={"TERM": "dumb"})
    assert "\x1b[" not in dumb


# -- item: an output encoding that is not UTF-8 -----------------------------------


def _hostile_non_ascii(tmp_path: Path) -> Path:
    report: Report = load_report(REPORTS / "lab-pc-02.json")
    first = report.results[0]
    report = replace_result(report, first.id, summary="Ünïcödé ✓ 😀 \u2192 path C:\\Users\\Zoë")
    report = report.model_copy(update={"host": {**report.host, "hostname": "labor-zoë-✓-01"}})
    return save(report, tmp_path / "unicode.json")


@pytest.mark.parametrize("encoding", ["cp1252", "ascii"])
@pytest.mark.parametrize("fmt", ["text", "markdown", "json", "junit"])
def test_output_encoding_that_is_not_utf8(tmp_path: Path, encoding: str, fmt: str) -> None:
    saved = _hostile_non_ascii(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "envcheck", "show", str(saved), "--format", fmt, "-v"],
        capture_output=True,
        timeout=60,
        cwd=tmp_path,
        env=check_env(tmp_path, {"PYTHONIOENCODING": encoding}),
        check=False,
    )
    stderr = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 0, stderr
    out = proc.stdout.decode(encoding)  # every byte is valid in the promised encoding
    if fmt == "json":
        doc = json.loads(out)
        assert doc["results"][0]["summary"].startswith("Ünïcödé ✓ 😀 \u2192")
    elif fmt == "junit":
        assert "Ünïcödé ✓ 😀" in ET.tostring(ET.fromstring(out.encode(encoding)), "unicode")
    elif fmt == "text":
        assert "[X]" in out or "[!]" in out  # ASCII marks, readable anywhere


def test_rich_markup_from_the_benchmark_probe_is_shown_as_text_in_its_bar() -> None:
    from envcheck.ui import LiveProgress

    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=120, color_system=None)
    progress = LiveProgress(console)
    progress.probe_event({"event": "bench_start", "categories": [1, 2]})
    progress.probe_event(
        {"event": "bench_step", "category": 1, "message": "[link=https://evil.example]x[/link]"}
    )
    progress.close()
    assert "[link=https://evil.example]x[/link]" in out.getvalue()


@pytest.mark.parametrize("command", ["diff", "fleet"])
def test_diff_and_fleet_survive_an_output_encoding_that_is_not_utf8(
    tmp_path: Path, command: str
) -> None:
    saved = _hostile_non_ascii(tmp_path)
    argv = [str(REPORTS / "lab-pc-01.json"), str(saved)] if command == "diff" else [str(tmp_path)]
    for fmt in ("text", "markdown", "json"):
        proc = subprocess.run(
            [sys.executable, "-m", "envcheck", command, *argv, "--format", fmt],
            capture_output=True,
            timeout=60,
            cwd=tmp_path,
            env=check_env(tmp_path, {"PYTHONIOENCODING": "cp1252"}),
            check=False,
        )
        assert proc.returncode in (0, 1), proc.stderr.decode("utf-8", "replace")
        out = proc.stdout.decode("cp1252")
        if fmt == "json":
            json.loads(out)
