"""Renderers turn a `Report` into text; they never run a check or decide where it goes.

FORMATS is the one list of output formats; each maps to a module with a
`render(report, options) -> str` function, imported only when used.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from envcheck.results import Report


@dataclass(frozen=True)
class RenderOptions:
    verbose: bool = False
    color: bool = False
    width: int = 100


Renderer = Callable[[Report, RenderOptions], str]

FORMATS: dict[str, str] = {
    "text": "envcheck.render.text",
    "json": "envcheck.render.json",
    "junit": "envcheck.render.junit",
    "markdown": "envcheck.render.markdown",
}


def renderer(fmt: str) -> Renderer:
    module = importlib.import_module(FORMATS[fmt])
    func: Renderer = module.render
    return func
