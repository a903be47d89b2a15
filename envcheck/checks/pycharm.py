"""PyCharm: the installs, their versions, and the interpreter the exam project really uses.

These checks read PyCharm's files only (no probe): what `check --project`
found is in `ctx.options.pycharm_resolution` (set by the check command,
which also made that interpreter the one under test), and the other checks
share one `PycharmFiles` per run (`ctx.memo`). `options.pycharm_config`
(--pycharm-config) and `options.pycharm_layout` (tests) change where the
files are read from.
"""

from __future__ import annotations

from typing import Any

from packaging.version import InvalidVersion, Version

from envcheck.checks.base import (
    Check,
    Context,
    Evidence,
    Finding,
    check,
    error,
    failure,
    ok,
    skipped,
    warning,
)
from envcheck.checks.python import unusable
from envcheck.probing.interpreter import Interpreter, InterpreterProblem
from envcheck.pycharm.configs import ConfigDir
from envcheck.pycharm.layout import Layout
from envcheck.pycharm.resolve import PycharmFiles, Resolution, resolve_project_interpreter

CHECKS: list[Check] = []

DOWNLOAD = "https://www.jetbrains.com/pycharm/download/other.html"
DOWNLOAD_LATEST = "https://www.jetbrains.com/pycharm/download/"


def options_layout(ctx: Context) -> Layout:
    return ctx.options.pycharm_layout or Layout.current()


def pycharm_files(ctx: Context) -> PycharmFiles:
    """One read of PyCharm's files per run, shared by the checks."""
    return ctx.memo(_read_files)


def _read_files(ctx: Context) -> PycharmFiles:
    return PycharmFiles.run(options_layout(ctx), ctx.options.pycharm_config)


def _facts(ctx: Context) -> dict[str, Any]:
    facts = ctx.shared.setdefault("pycharm", {})
    assert isinstance(facts, dict)
    return facts


def _matches(version: str | None, wanted: list[str]) -> bool:
    """ "2021.3.3" matches "2021.3" (and "2021.3.3"); None matches nothing."""
    return bool(version) and any(
        version == w or (version or "").startswith(w + ".") for w in wanted
    )


def _at_least(version: str | None, minimum: str | None) -> bool:
    """ "2024.2.1" is at least "2022.3"; an unreadable version or no minimum is not."""
    if not version or not minimum:
        return False
    try:
        return Version(version) >= Version(minimum)
    except InvalidVersion:
        return False


@check("pycharm.installs", "PyCharm installs", registry=CHECKS)
def installs_check(ctx: Context) -> Finding:
    """PyCharm is installed, in a version the exam guide names (and none it warns against)."""
    disc = pycharm_files(ctx)
    good, minimum = ctx.profile.pycharm.known_good, ctx.profile.pycharm.minimum
    expected = (
        f"PyCharm {' or '.join(good)}"
        if good
        else f"PyCharm {minimum} or newer"
        if minimum
        else "PyCharm (any version)"
    )
    facts = _facts(ctx)
    facts["installs"] = [i.to_dict() for i in disc.installs]
    facts["config_dirs"] = [c.to_dict() for c in disc.configs]
    kw: Evidence = {"expected": expected, "source": ctx.profile.source}

    # Installs only: a config folder (left by an uninstalled PyCharm, or copied from another
    # machine with --pycharm-config) says which version once ran, not what is installed.
    seen: list[tuple[str, str | None]] = [
        (f"{i.label} ({i.found_in}: {i.path})", i.version) for i in disc.installs
    ]
    orphans = [c for c in disc.configs if disc.install_for(c) is None]
    kw["details"] = {
        "found": [label for label, _ in seen],
        "config_dirs_without_install": [str(c.path) for c in orphans],
    }
    install_hint = _install_hint(good, minimum)
    if not seen:
        kw["observed"] = "none found"
        return warning(
            "no PyCharm install found in the usual places" + _not_installs(orphans),
            fix=install_hint + " If it is installed elsewhere, check the exam project with "
            "`tfcert-envcheck check --project DIR`.",
            **kw,
        )
    return _judge_installs(ctx, seen, install_hint, kw)


def _install_hint(good: list[str], minimum: str | None) -> str:
    """Where to get the PyCharm the exam guide asks for."""
    if good:
        return (
            f"Install PyCharm {' or '.join(good)} ({DOWNLOAD}); JetBrains Toolbox can keep "
            "it beside other versions."
        )
    if minimum:
        return f"Install the latest PyCharm, Community or Professional ({DOWNLOAD_LATEST})."
    return f"Install PyCharm Community or Professional ({DOWNLOAD})."


def _judge_installs(
    ctx: Context, seen: list[tuple[str, str | None]], install_hint: str, kw: Evidence
) -> Finding:
    """The found installs (label, version) against the guide's good and bad versions."""
    rules = ctx.profile.pycharm
    good, bad, minimum = rules.known_good, rules.known_bad, rules.minimum
    versions = ", ".join(sorted({v or "unknown" for _, v in seen}, reverse=True))
    kw["observed"] = versions
    known_bad = [label for label, v in seen if _matches(v, bad)]
    known_good = [label for label, v in seen if _matches(v, good) or _at_least(v, minimum)]
    if known_bad and not known_good:
        return failure(
            f"{'; '.join(known_bad)}: the exam guide says the exam plugin does not work with "
            f"PyCharm {', '.join(bad)}",
            fix=install_hint + " Take the exam in that version.",
            **kw,
        )
    if known_bad:
        return warning(
            f"{'; '.join(known_good)} is right, but {'; '.join(known_bad)} is a version the "
            "exam guide warns against",
            fix=f"Open the exam project in PyCharm {' or '.join(good)}, not in {', '.join(bad)}.",
            **kw,
        )
    if known_good or not (good or minimum):
        first = known_good[0] if known_good else seen[0][0]
        more = len(seen) - 1
        return ok(f"{first}" + (f" (and {more} more)" if more else ""), **kw)
    if minimum:
        return warning(
            f"found PyCharm {versions}, older than {minimum}: the exam guide asks for the latest "
            f"PyCharm ({minimum} when it was written)",
            fix=install_hint,
            **kw,
        )
    return warning(
        f"found PyCharm {versions}; the exam guide was tested with {' or '.join(good)}",
        fix=install_hint + " Newer versions may work, but the exam plugin was known to break "
        "in some new releases.",
        **kw,
    )


def _not_installs(configs: list[ConfigDir]) -> str:
    """ "; PyCharm2021.3 is a config folder (settings of PyCharm 2021.3), not an install"."""
    if not configs:
        return ""
    names = ", ".join(c.name for c in configs)
    versions = ", ".join(c.version for c in configs if c.version)
    of = f" (settings of PyCharm {versions})" if versions else ""
    if len(configs) == 1:
        return f"; {names} is a config folder{of}, not an install"
    return f"; {names} are config folders{of}, not installs"


@check("pycharm.files", "PyCharm settings files", registry=CHECKS)
def files_check(ctx: Context) -> Finding:
    """PyCharm's XML and JSON files can be read (PyCharm rewrites them while it runs)."""
    disc = pycharm_files(ctx)
    if not disc.configs and not disc.installs:
        return skipped("no PyCharm config directory or install found")
    for cfg in disc.configs:  # read every file now, so problems show even without --project
        disc.sdks(cfg)
        disc.recents(cfg)
    problems = [p.to_dict() for p in disc.problems]
    _facts(ctx)["file_problems"] = problems
    read = f"{len(disc.configs)} config directories, {len(disc.installs)} installs"
    if not problems:
        return ok(f"all readable ({read})")
    names = "; ".join(f"{p['path']}: {p['reason']}" for p in problems[:3])
    more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
    return warning(
        f"{len(problems)} file(s) could not be used: {names}{more}",
        fix="Close PyCharm (it may have been writing these files) and run again. A file that "
        "stays broken can be deleted: PyCharm writes it again (recent projects are then "
        "forgotten).",
        observed=f"{len(problems)} unreadable",
        details={"problems": problems},
    )


def project_resolution(ctx: Context) -> Resolution | None:
    """What `check --project` resolved, or a fresh resolution of ctx.options.project."""
    given = ctx.options.pycharm_resolution
    if given is not None:
        return given
    if ctx.options.project is None:
        return None
    return resolve_project_interpreter(ctx.options.project, files=pycharm_files(ctx))


_ERROR_STATUSES = ("not_a_project", "unreadable", "no_config")


@check("pycharm.interpreter", "PyCharm project interpreter", registry=CHECKS)
def interpreter_check(ctx: Context) -> Finding:
    """The exam project's interpreter, resolved as PyCharm does, is a local, existing Python."""
    res = project_resolution(ctx)
    if res is None:
        return skipped(
            "no --project given: `tfcert-envcheck check --project DIR` checks the interpreter "
            "PyCharm uses for that project"
        )
    details = res.to_dict()
    _facts(ctx)["project"] = details
    python = ctx.profile.python
    fix = res.fix(python) or ""
    expected = f"a local interpreter (python.org Python {python})"
    kw: Evidence = {"observed": res.shown_as, "expected": expected, "details": details}
    notes = f" ({'; '.join(res.notes)})" if res.notes else ""
    if res.status in _ERROR_STATUSES:
        return error(f"could not determine: {res.summary}", fix=fix, **kw)
    if res.interpreter is None:
        tried = ctx.interpreter  # a missing home was still looked at: say what is there
        if isinstance(tried, InterpreterProblem) and tried.reason != "does not exist":
            notes = f" ({tried.path} {tried.reason})" + notes
        return failure(res.summary + notes, fix=fix, **kw)
    kw["observed"] = str(res.interpreter)
    problem = unusable(ctx)  # the same test as python.interpreter, which needs this check
    if problem is not None:
        reason = problem.details.get("reason", problem.summary)
        kw["source"] = problem.source
        return failure(
            f"PyCharm would run {res.interpreter}, which {reason}",
            fix=problem.fix or "",
            **kw,
        )
    interp = ctx.interpreter
    assert isinstance(interp, Interpreter)
    real = f"Python {interp.version_str}"
    stale = ""
    if res.sdk is not None and res.sdk.recorded_version:
        recorded = res.sdk.recorded_version.replace("Python", "").strip()
        if recorded and recorded != interp.version_str:
            stale = f"; PyCharm recorded {recorded}, the interpreter is really {interp.version_str}"
    if res.problems:
        kw["details"]["warnings"] = [str(p) for p in res.problems]
    summary = f"{res.shown_as}: {res.interpreter} ({real}{stale})"
    if res.status == "conda":
        return warning(f"{summary} is a conda interpreter", fix=fix, **kw)
    if res.problems:
        return warning(
            f"{summary}; but {res.problems[0]}",
            fix="Close PyCharm and run again, so its files are complete.",
            **kw,
        )
    return ok(f"{summary}, chosen because {res.config_reason}", **kw)
