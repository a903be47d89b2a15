"""The HTML renderer without a browser: its page is closed to scripts and remote loads."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from envcheck.render import RenderOptions
from envcheck.render.html import render
from tests.report_samples import HOSTILE, fixture, hostile_report, invoke, save


def _csp(page: str) -> dict[str, str]:
    content = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page)
    assert content is not None
    return dict(d.strip().split(" ", 1) for d in content.group(1).split(";"))


def test_csp_allows_only_its_own_style_block() -> None:
    page = render(fixture("lab-pc-01"), RenderOptions())
    csp = _csp(page)
    assert csp["default-src"] == "'none'"
    assert csp["script-src"] == "'none'"
    assert csp["connect-src"] == "'none'"
    (style,) = re.findall(r"<style>(.*?)</style>", page, re.S)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert csp["style-src"] == f"'sha256-{digest}'"
    assert "style=" not in page  # no inline style attribute (the CSP would block it anyway)


def test_hostile_text_is_escaped_everywhere() -> None:
    page = render(hostile_report(), RenderOptions())
    assert "<script" not in page
    assert "\x1b" not in page and "\u202e" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert HOSTILE not in page


def test_every_check_is_on_the_page_with_problems_open() -> None:
    report = fixture("lab-pc-02")
    page = render(report, RenderOptions())
    for r in report.results:
        tag = re.search(rf'<details class="check" data-id="{re.escape(r.id)}"[^>]*>', page)
        assert tag is not None, r.id
        assert (" open>" in tag.group(0)) == r.status.is_problem, r.id


def test_html_on_stdout_is_redacted_like_markdown(tmp_path: Path) -> None:
    """HTML is meant to be sent: redacted even on stdout, unless --no-redact."""
    report = fixture("lab-pc-02")
    source = save(report, tmp_path / "r.json")
    page = invoke("show", str(source), "--format", "html").stdout
    assert "/home/student" not in page
    assert "~/.cache/tfcert-ci" in page
    kept = invoke("show", str(source), "--format", "html", "--no-redact").stdout
    assert "/home/student/.cache/tfcert-ci" in kept
