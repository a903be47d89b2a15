"""`check --share`: the report as three redacted files for support staff.

tfcert-report-DATE.html opens in any browser (self-contained, no scripts),
tfcert-report-DATE.json is what `show` and `diff` read, tfcert-report-DATE.md
pastes into an issue or a support ticket. All three are redacted: they are
meant to leave the machine. A second run on the same day gets -2, -3, ...
rather than replacing files the candidate may already have sent.
"""

from __future__ import annotations

import sys
from pathlib import Path

from envcheck.errors import OutputError
from envcheck.results import Report

SUFFIXES = ("html", "json", "md")
FORMAT_OF = {"html": "html", "json": "json", "md": "markdown"}
WHAT_FOR = {
    "html": "open in a browser, or attach to an e-mail to support",
    "json": "attach for support staff: `tfcert-envcheck show FILE` and `diff` read it",
    "md": "paste into a GitHub/GitLab issue or a support ticket",
}


def check_share_dir(folder: Path) -> None:
    """Before the run: the folder must exist and be a folder."""
    if not folder.is_dir():
        raise OutputError(f"{folder}: the --share folder does not exist")


def share_paths(folder: Path, created_at: str) -> dict[str, Path]:
    """Free names tfcert-report-DATE[-N].{html,json,md} in `folder`."""
    date = created_at[:10] if len(created_at) >= 10 and created_at[4] == "-" else "report"
    base = f"tfcert-report-{date}"
    n = 1
    while True:
        stem = base if n == 1 else f"{base}-{n}"
        paths = {s: folder / f"{stem}.{s}" for s in SUFFIXES}
        if not any(p.exists() or p.is_symlink() for p in paths.values()):
            return paths
        n += 1


def write_share(report: Report, folder: Path) -> dict[str, Path]:
    """Render the redacted report three ways into `folder`; return suffix -> path."""
    from envcheck.deliver import Output, deliver
    from envcheck.redact import redact_report
    from envcheck.render import RenderOptions, renderer

    redacted = redact_report(report)
    paths = share_paths(folder, report.created_at)
    for suffix, path in paths.items():
        fmt = FORMAT_OF[suffix]
        text = renderer(fmt)(redacted, RenderOptions(width=100))
        deliver(text, Output(fmt, path, redact=True), what="report")
    return paths


def share_message(paths: dict[str, Path]) -> str:
    """Which file to attach where."""
    lines = ["", "Report for support (user name, home folder, host name and GPU IDs removed):"]
    width = max(len(str(p)) for p in paths.values())
    lines.extend(f"  {paths[s]!s:<{width}}  {WHAT_FOR[s]}" for s in SUFFIXES)
    return "\n".join(lines) + "\n"


def print_message(paths: dict[str, Path], *, to_stdout: bool) -> None:
    stream = sys.stdout if to_stdout else sys.stderr
    stream.write(share_message(paths))
    stream.flush()
