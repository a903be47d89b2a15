"""Markdown output, rendered to HTML by a CommonMark parser with raw HTML enabled.

markdown-it-py (rich's own Markdown parser) stands in for GitHub's and
GitLab's renderers: raw HTML passes through as it does there, so anything
the escaping missed would show up as a tag, a link or a split table cell.
"""

from __future__ import annotations

from html.parser import HTMLParser

from markdown_it import MarkdownIt

from envcheck.render import RenderOptions, renderer
from envcheck.render.safe import clean
from envcheck.results import Report
from tests.report_samples import HOSTILE, fixture, hostile_report

render = renderer("markdown")


class _Cells(HTMLParser):
    """Collects table rows as lists of cell texts, and every tag opened."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _html(report: Report, verbose: bool = False) -> tuple[str, _Cells]:
    md = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")
    html = md.render(render(report, RenderOptions(verbose=verbose)))
    cells = _Cells()
    cells.feed(html)
    return html, cells


def test_summary_table_first_then_problems_with_fixes() -> None:
    report = fixture("lab-pc-02")
    text = render(report, RenderOptions())
    lines = text.splitlines()
    assert lines[0] == "## tfcert-envcheck: ✗ Not ready: 3 problems in 3 categories"
    assert text.index("| Category | Status | Checks |") < text.index("### Problems")
    assert text.index("### Problems") < text.index("<details>")
    _, cells = _html(report)
    summary = [row for row in cells.rows if len(row) == 3][1:]
    assert summary == [
        ["System", "✓ ok", "5 ok"],
        ["Python", "✗ failure", "1 failure, 4 ok"],
        ["Packages", "✗ failure", "1 failure, 1 warning, 1 ok"],
        ["TensorFlow", "✗ failure", "1 failure, 1 warning, 3 ok"],
        ["NVIDIA GPU", "✓ ok", "1 ok, 3 skipped"],
        ["PyCharm", "! warning", "1 warning, 2 skipped"],
        ["Training benchmark", "! warning", "1 warning, 6 ok"],
    ]
    for result in report.results:
        if result.status.is_problem:
            assert result.fix is not None
            assert f"**Fix:** {result.fix[:40]}" in text.replace("\\", "").replace("`", "")


def test_every_check_is_in_a_collapsible_section() -> None:
    report = fixture("lab-gpu-03")
    text = render(report, RenderOptions())
    assert text.count("<details>") == text.count("</details>") == len(report.categories) + 1
    _, cells = _html(report)
    check_rows = [row for row in cells.rows if len(row) == 6 and row[1] != "Check"]
    assert [row[1] for row in check_rows] == [f"{r.title} ({r.id})" for r in report.results]


def test_hostile_text_renders_as_the_literal_text() -> None:
    html, cells = _html(hostile_report(), verbose=True)
    # Nothing from the report became a tag, a link or emphasis.
    assert not [t for t, _ in cells.tags if t in ("script", "a", "em")]
    assert "<!-- comment -->" not in html
    assert html.count("<details>") == html.count("</details>")
    # A pipe in the text did not split the cell: the whole text is one cell.
    pins = next(row for row in cells.rows if len(row) == 6 and "(packages.pins)" in row[1])
    assert pins[2] == clean(f"1 pin differs: evil-pkg {HOSTILE}")
    assert pins[3] == clean(f"evil-pkg {HOSTILE}")
    # Escape sequences are shown, never emitted; @mentions sit in code spans.
    assert "\x1b" not in html and "\\x1b[31mred" in pins[2]
    assert "<code>@octocat</code>" in html


def test_details_json_cannot_close_its_fence() -> None:
    report = hostile_report()
    results = [
        r.model_copy(update={"details": {"text": "```\n</details>\n```"}})
        if r.id == "system.os"
        else r
        for r in report.results
    ]
    text = render(report.model_copy(update={"results": results}), RenderOptions(verbose=True))
    assert "````json\n" in text
    html, _ = _html(report.model_copy(update={"results": results}), verbose=True)
    assert html.count("<details>") == html.count("</details>")
