"""Make docs/img/report-lab-pc-02.png, the screenshot the README shows.

    python tests/screenshots.py

Renders the recorded report tests/fixtures/reports/lab-pc-02.json with the
real CLI (`show --format html`, redacted) and photographs it in headless
Chromium, as tests/test_html_browser.py does. Rerun it after changing the
HTML renderer; never edit the image by hand.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests import browser  # noqa: E402

OUT = REPO / "docs" / "img" / "report-lab-pc-02.png"


def main() -> int:
    if browser.find() is None:
        print("no Chromium (Debian: apt-get install chromium)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "report.html"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "envcheck",
                "show",
                str(REPO / "tests" / "fixtures" / "reports" / "lab-pc-02.json"),
                "--format",
                "html",
                "-o",
                str(page),
            ],
            check=True,
            cwd=REPO,
        )
        loaded = browser.load(page, screenshot=OUT, width=1000, height=1500)
    assert not loaded.requests, loaded.requests
    print(OUT.relative_to(REPO))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
