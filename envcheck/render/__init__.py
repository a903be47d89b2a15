"""Renderers turn a `Report` into text; they never run a check or decide where it goes.

FORMATS is the one list of output formats; each maps to a module with a
`render(report, options) -> str` function, imported only when used.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from envcheck.results import Report, Status


@dataclass(frozen=True)
class RenderOptions:
    verbose: bool = False
    color: bool = False
    width: int = 100
    saved: bool = False
    """The report is a saved file being shown (`show`), not this run's result."""
    ascii: bool = False
    """Marks and punctuation in ASCII ([OK], [X], ->): the output's encoding is not UTF-8."""


ASCII_MARKS = {
    Status.OK: "OK",
    Status.SKIPPED: "-",
    Status.NOT_RUN: ".",
    Status.WARNING: "!",
    Status.ERROR: "?",
    Status.FAILURE: "X",
}
"""Text and Markdown marks for output whose encoding has none of ✓ ✗ (cp1252, ASCII)."""

Renderer = Callable[[Report, RenderOptions], str]

FORMATS: dict[str, str] = {
    "text": "envcheck.render.text",
    "json": "envcheck.render.json",
    "junit": "envcheck.render.junit",
    "markdown": "envcheck.render.markdown",
    "html": "envcheck.render.html",
}


def renderer(fmt: str) -> Renderer:
    module = importlib.import_module(FORMATS[fmt])
    func: Renderer = module.render
    return func


def when(created_at: str) -> str:
    """An ISO timestamp from a report as '2026-11-29 09:00 UTC' (as given if unparsable)."""
    from datetime import datetime, timezone

    try:
        moment = datetime.fromisoformat(created_at)
    except ValueError:
        return created_at
    if moment.tzinfo is None:
        return moment.strftime("%Y-%m-%d %H:%M")
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def fit_encoding(text: str, fmt: str, encoding: str | None) -> str:
    """`text` made writable in `encoding` without losing what it says.

    JSON gets `\\uXXXX` escapes and XML character references, both of which
    their parsers read back as the original characters; text and Markdown get
    visible backslash escapes. Windows uses cp1252 for redirected output.
    """
    import codecs
    import json
    import re

    try:
        name = codecs.lookup(encoding or "utf-8").name
    except LookupError:
        name = "ascii"
    if name.startswith("utf"):
        return text
    try:
        text.encode(name)
    except UnicodeEncodeError:
        pass
    else:
        return text
    if fmt == "json":
        # Non-ASCII only occurs inside JSON strings, where an escape means the same.
        return re.sub(r"[^\x00-\x7f]+", lambda m: json.dumps(m.group(0))[1:-1], text)
    if fmt == "junit":
        return text.encode("ascii", "xmlcharrefreplace").decode("ascii")
    return text.encode(name, "backslashreplace").decode(name)
