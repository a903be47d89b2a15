"""The report of a check run: facts, verdict and who ran it, from the checks' results.

`envcheck.pipeline` runs the checks and calls `build_report`; `host_identity`
is also what the other commands (bench, setup, pycharm, matrix, fleet) put in
their reports, for `envcheck.redact` to hide in shareable formats.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import platform
import socket
from typing import Any

from envcheck import __version__, interrupts
from envcheck.checks.base import Context
from envcheck.checks.registry import CATEGORIES
from envcheck.outcome import verdict
from envcheck.probing import host
from envcheck.probing.facts import escape_surrogates, representable
from envcheck.results import Category, CheckResult, Report, Target


def host_identity() -> dict[str, str]:
    """Personal identifiers that shareable formats redact (see envcheck.redact)."""
    ident: dict[str, str] = {}
    home, _ = host.home_folder()  # unknown: HOME unset and the uid not in /etc/passwd
    if home is not None:
        ident["home"] = escape_surrogates(str(home))
    with contextlib.suppress(OSError, KeyError, ImportError):
        ident["user"] = escape_surrogates(getpass.getuser())
    with contextlib.suppress(OSError):
        ident["hostname"] = socket.gethostname()
    ident["platform"] = platform.platform()
    return ident


def build_report(
    ctx: Context,
    results: list[CheckResult],
    *,
    interrupted: bool,
    python: str,
    how: str,
    matrix_name: str,
    strict: bool,
    not_checked: list[str] | None = None,
) -> Report:
    facts: dict[str, Any] = {
        "probes": {name: run.to_dict() for name, run in ctx.runs.items()},
    }
    facts.update({k: v for k, v in ctx.shared.items() if isinstance(v, dict | list | str)})
    used = {r.category for r in results}
    return Report(
        tool_version=__version__,
        created_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        host=host_identity(),
        target=_target(ctx, python, how),
        profile=ctx.profile_name,
        matrix=matrix_name,
        categories=[Category(key=c.key, title=c.title) for c in CATEGORIES if c.key in used],
        results=results,
        verdict=verdict(
            results,
            strict=strict,
            interrupted=interrupted,
            interrupted_by=interrupts.reason(),
            interrupt_exit=interrupts.exit_code(),
            not_checked=not_checked or [],
        ),
        facts=representable(facts)[0],
        interrupted=interrupted,
    )


def _target(ctx: Context, python: str, how: str) -> Target:
    """The interpreter as named and resolved; a path that is not UTF-8 is shown escaped."""
    resolved = getattr(ctx.interpreter, "executable", None)
    project = ctx.options.project
    return Target(
        python=escape_surrogates(python),
        resolved=escape_surrogates(resolved) if isinstance(resolved, str) else None,
        how_chosen=how,
        project=escape_surrogates(str(project)) if project else None,
    )
