"""Which interpreter `check` runs against when the user named none.

`apply_discovery` turns what `envcheck.discovery` found into the run's
target and the header's "why"; with nothing found the pipeline checks the
machine alone (`machine_only`) and fails one check (`none_found_problem`)
whose fix is `tfcert-envcheck setup`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from envcheck.checks.base import Check, Context, Finding, skipped
from envcheck.discovery import CONDA_WARNING, SETUP_FIX, Found, discover, is_tool_python
from envcheck.matrix import load_matrix
from envcheck.probing.interpreter import InterpreterProblem
from envcheck.probing.registry import PROBES
from envcheck.probing.runner import run_probe, tool_python
from envcheck.pycharm.layout import Layout

if TYPE_CHECKING:
    from envcheck.pipeline import RunConfig

NONE_FOUND = "<no exam interpreter found>"


def apply_discovery(config: RunConfig, layout: Layout) -> Found | None:
    """Choose the interpreter for `check` when neither --python nor --project chose one.

    Fills `config` in place; returns what was found (None when the user chose).
    With --python naming the tool's own Python, the header says so.
    """
    if config.python is not None:
        if config.how_chosen is None and is_tool_python(config.python):
            config.how_chosen = "--python: the tool's own Python"
        return None
    _, profile = load_matrix(config.matrix).profile(config.profile)
    found = discover(profile.python, layout, pycharm_config=config.options.pycharm_config)
    config.options.discovery = found
    chosen = found.chosen
    if chosen is None:
        config.python = NONE_FOUND
        config.how_chosen = "searched PyCharm projects, venvs and Pythons: none found"
        return found
    config.python = str(chosen.python)
    config.how_chosen = chosen.why
    if found.resolution is not None:
        config.options.project = found.resolution.project
        config.options.pycharm_resolution = found.resolution
    return found


def none_found_problem(found: Found) -> InterpreterProblem:
    """The failed interpreter check when discovery found nothing to check."""
    conda = [c for c in found.others if c.conda]
    seen = f"; {len(conda)} conda environment(s) found, not used: {CONDA_WARNING}" if conda else ""
    return InterpreterProblem(
        "no exam interpreter found",
        f"(searched PyCharm's recent projects, venvs in ~/PycharmProjects and Python "
        f"{found.python_version} installs{seen})",
        SETUP_FIX,
    )


MACHINE_CHECKS = ("system.", "nvidia.", "pycharm.", "python.interpreter")
"""Checks that still mean something when no exam interpreter was found."""


def machine_only(checks: list[Check], ctx: Context) -> list[Check]:
    """With no interpreter found: check the machine, skip what needs the interpreter.

    The system probe runs in the tool's own Python (OS, CPU and memory are
    the machine's), recorded through `Context.record` like any other run.
    """
    ctx.record(
        run_probe(
            "system",
            tool_python(),
            timeout_s=PROBES["system"].timeout_s * ctx.options.timeout_scale,
        )
    )
    return [c if c.id.startswith(MACHINE_CHECKS) else _skip(c) for c in checks]


def _skip(c: Check) -> Check:
    def func(ctx: Context) -> Finding:
        return skipped("not checked: no exam interpreter found (see Python)")

    return Check(c.id, c.title, c.category, func, (), c.description)
