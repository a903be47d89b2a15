"""The `pycharm` command's text and JSON views of a `Survey` (render only)."""

from __future__ import annotations

import io
from collections.abc import Callable

from rich.console import Console
from rich.table import Table
from rich.text import Text

from envcheck.deliver import dump_json, envelope
from envcheck.pycharm.installs import EDITIONS
from envcheck.pycharm.layout import Layout
from envcheck.pycharm.resolve import Resolution
from envcheck.pycharm.sdks import PythonSdk
from envcheck.pycharm.survey import ConfigReport, MissingProject, Survey
from envcheck.redact import Redactor
from envcheck.render.safe import clean, report_console

_MARK = {
    "ok": ("✓", "green"),
    "warn": ("!", "yellow"),
    "bad": ("✗", "red"),
    "unknown": ("?", "magenta"),
    "none": ("-", "dim"),
}
_RES_MARK = {
    "ok": "ok",
    "conda": "warn",
    "not_a_project": "unknown",
    "unreadable": "unknown",
    "no_config": "unknown",
}


def _mark(kind: str) -> Text:
    symbol, style = _MARK[kind]
    return Text(f"[{symbol}]", style=style)


def render_json(survey: Survey, redactor: Redactor | None = None) -> str:
    data = envelope("pycharm-survey", survey.to_dict())
    if redactor is not None:
        data = redactor.value(data)
    return dump_json(data)


def render_text(
    survey: Survey, *, color: bool = False, width: int = 100, python: str = "3.8"
) -> str:
    buf = io.StringIO()
    console = report_console(buf, color=color, width=width, soft_wrap=True)  # paths stay whole
    lay = survey.layout
    short = _shortener(lay)
    head = Text("PyCharm on this machine", style="bold")
    head.append(f" · {lay.os} layout · home {clean(str(lay.home))}", style="dim")
    if survey.config_source != "discovered":
        head.append(f" · configs from {clean(survey.config_source)}", style="dim")
    console.print(head)

    console.print(Text("\nInstalls", style="bold"))
    if not survey.installs:
        console.print(Text("  none found in the usual places", style="dim"))
    else:
        table = Table(
            box=None, show_header=True, header_style="dim", pad_edge=False, padding=(0, 1)
        )
        for col in ("PyCharm", "build", "found in", "config", "path"):
            table.add_column(col, overflow="fold")
        config_of = {c.install.path: c.config.name for c in survey.configs if c.install}
        for inst in survey.installs:
            table.add_row(
                clean(f"{inst.edition} {inst.version or '?'}"),
                clean(inst.build or "?"),
                clean(inst.found_in),
                clean(config_of.get(inst.path, "(none yet)")),
                short(inst.path),
            )
        console.print(table)

    console.print(Text("\nConfig directories and Python SDKs", style="bold"))
    if not survey.configs:
        console.print(Text("  none found", style="dim"))
    for report in survey.configs:
        console.print(_config_line(report, short))
        for sdk in report.sdks:
            console.print(_sdk_line(sdk, short))

    console.print(Text("\nProjects (interpreter resolved as PyCharm would)", style="bold"))
    if not survey.projects and not survey.missing:
        console.print(Text("  no recent project folder found; use --project DIR", style="dim"))
    for res in survey.projects:
        _print_resolution(console, res, python, short)
    for gone in survey.missing:
        console.print(_missing_line(gone, survey.config_source != "discovered", short))

    if survey.problems:
        console.print(Text("\nFiles that could not be used", style="bold"))
        for problem in survey.problems:
            console.print(
                Text("  ")
                + _mark("warn")
                + Text(f" {short(problem.path)}: {clean(problem.reason)}")
            )
    return buf.getvalue()


def _shortener(layout: Layout) -> Callable[[object], str]:
    """Paths under the home shown as ~/...: the text view is for reading, JSON keeps them whole."""
    home = str(layout.home).rstrip("/\\")

    def short(path: object) -> str:
        text = str(path)
        if home:
            if text == home:
                text = "~"
            for sep in ("/", "\\"):
                text = text.replace(home + sep, "~" + sep)
        return clean(text)

    return short


def _config_line(report: ConfigReport, short: Callable[[object], str]) -> Text:
    """A config folder is no install: one without its install says so."""
    cfg = report.config
    line = Text(f"  {clean(cfg.name)}", style="bold")
    line.append(f"  {short(cfg.path)} ({clean(cfg.kind)}; ", style="dim")
    if report.install is None:
        edition = EDITIONS.get(cfg.product_code or "")
        what = " ".join(w for w in ("PyCharm", edition, cfg.version) if w)
        line.append(f"settings of {clean(what)}, no install found", style="yellow")
        line.append("; ", style="dim")
    line.append(
        f"{len(report.sdks)} Python SDKs, {len(report.recents)} recent projects)", style="dim"
    )
    return line


def _missing_line(gone: MissingProject, given: bool, short: Callable[[object], str]) -> Text:
    """A recent project whose folder is not here: as written when the config came from
    elsewhere (its `$USER_HOME$` is another person's home), else as a path here."""
    recent = gone.recent
    shown = clean(recent.path_raw) if given or recent.path is None else short(recent.path)
    line = Text("  ") + _mark("none") + Text(f" {shown}")
    by = f", build {recent.build}" if recent.build else ""
    line.append(
        f"  (missing: no such folder on this machine; in the recent projects of "
        f"{clean(gone.config.name)}{clean(by)})",
        style="dim",
    )
    return line


def _sdk_line(sdk: PythonSdk, short: Callable[[object], str]) -> Text:
    exists = sdk.home_exists()
    if sdk.location == "remote":
        kind, note = "bad", "remote: never run"
    elif sdk.location != "local":
        kind, note = "unknown", "not a path on this machine"
    elif not exists:
        kind, note = "bad", "missing"
    elif sdk.conda:
        kind, note = "warn", "conda"
    else:
        kind, note = "ok", ""
    line = Text("    ") + _mark(kind) + Text(f" {clean(sdk.name)}")
    line.append(f"  {clean(sdk.where)}", style="dim")
    line.append(f"  {short(sdk.local_path or sdk.home_raw)}")
    if note:
        line.append(f"  ({note})", style="dim")
    return line


def _print_resolution(
    console: Console, res: Resolution, python: str, short: Callable[[object], str]
) -> None:
    kind = _RES_MARK.get(res.status, "bad")
    line = Text("  ") + _mark(kind) + Text(f" {short(res.project)}")
    line.append(f"  →  {clean(res.shown_as)}", style="bold")
    console.print(line)
    console.print(Text(f"      {short(res.summary)}"))
    if res.config_reason:
        console.print(Text(f"      {clean(res.config_reason)}", style="dim"))
    for note in res.notes:
        console.print(Text(f"      {clean(note)}", style="dim"))
    for problem in res.problems:
        if str(problem) not in res.summary:
            console.print(Text(f"      warning: {short(problem)}", style="yellow"))
    fix = res.fix(python)
    if fix:
        console.print(Text(f"      fix: {clean(fix)}", style="cyan"))
