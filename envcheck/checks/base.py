"""The shape every check has, and the context it reads facts from.

A check is a plain function `(Context) -> Finding` registered with the
`@check` decorator; `envcheck.checks.registry` lists them all. A check never
prints and never runs a process itself: it asks `ctx.facts(probe)`, which
runs the probe once (cached) in the right interpreter. Problems must carry a
fix hint: `warning()`, `failure()` and `error()` take `fix` as a required
keyword argument.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from envcheck.matrix import Matrix, Profile
from envcheck.probing.interpreter import Interpreter, InterpreterProblem
from envcheck.probing.registry import PROBES
from envcheck.probing.runner import (
    ProbeInterrupted,
    ProbeOutcome,
    ProbeRun,
    ProgressCallback,
    helper_command,
    memory_cap_mb,
    run_command,
    run_probe,
    tool_python,
)
from envcheck.results import Status


@dataclass(frozen=True)
class Finding:
    """What a check function returns; the executor adds id, title and timing."""

    status: Status
    summary: str
    observed: str | None = None
    expected: str | None = None
    fix: str | None = None
    source: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


def ok(summary: str, **kw: Any) -> Finding:
    return Finding(Status.OK, summary, **kw)


def skipped(summary: str, **kw: Any) -> Finding:
    return Finding(Status.SKIPPED, summary, **kw)


def warning(summary: str, *, fix: str, **kw: Any) -> Finding:
    return Finding(Status.WARNING, summary, fix=fix, **kw)


def failure(summary: str, *, fix: str, **kw: Any) -> Finding:
    return Finding(Status.FAILURE, summary, fix=fix, **kw)


def error(summary: str, *, fix: str, **kw: Any) -> Finding:
    """The check could not find out: never a guess, always the reason."""
    return Finding(Status.ERROR, summary, fix=fix, **kw)


class ProbeUnavailable(Exception):
    """A probe did not deliver the facts a check asked for."""

    def __init__(self, run: ProbeRun, section: str | None = None, reason: str | None = None):
        self.run = run
        self.section = section
        self.reason = reason or run.message
        super().__init__(self.reason)


@dataclass
class Options:
    """What the user asked for that checks need to know."""

    project: Path | None = None
    strict: bool = False
    timeout_scale: float = 1.0
    extra: dict[str, Any] = field(default_factory=dict)


class Context:
    """Facts for checks: the target interpreter, the matrix, cached probe runs.

    Each probe runs at most once per context and its run is kept under one
    stable key, whether it finished or was interrupted: the probe's name, or
    `<name>@tool` for a run in this tool's own Python standing in for the
    target (see `facts`). The keys are those of a report's `facts.probes`.
    Checks run one after another (`envcheck.pipeline.run_checks`), so the
    runs need no lock.
    """

    def __init__(
        self,
        *,
        interpreter: Interpreter | InterpreterProblem,
        matrix: Matrix,
        profile_name: str,
        options: Options | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> None:
        self.interpreter = interpreter
        self.matrix = matrix
        self.profile_name = profile_name
        self.profile: Profile = matrix.profiles[profile_name]
        self.options = options or Options()
        self.on_progress = on_progress
        self._runs: dict[str, ProbeRun] = {}
        self._args: dict[str, dict[str, Any]] = {}
        """The arguments each probe run was started with (none for a recorded run)."""
        self.shared: dict[str, Any] = {}
        """Values one check computes for others (e.g. parsed GPU facts)."""
        self.reported_probes: set[str] | None = None
        """Probes whose failure a check in this run reports (its `owns`); None: all are.
        A check that meets another failed probe reports the failure itself, so that
        a selection without the owner never turns a dead probe into a quiet skip."""

    @property
    def runs(self) -> dict[str, ProbeRun]:
        return dict(self._runs)

    def record(self, run: ProbeRun) -> None:
        """Use a recorded probe run instead of running the probe.

        The one seam for facts this machine cannot produce (an NVIDIA GPU,
        another OS's layout): tests feed recorded runs through here.
        """
        self._runs[run.probe] = run

    def probe(self, name: str, args: dict[str, Any] | None = None) -> ProbeRun:
        """Run a registered probe once per context, kept under its name.

        A probe runs with one set of arguments per context: asking again with
        other arguments is a programming error (ValueError), not a second run.
        """
        if name in self._runs:
            ran_with = self._args.get(name)
            if ran_with is not None and ran_with != (args or {}):
                raise ValueError(f"probe {name!r} already ran with other arguments")
            return self._runs[name]
        self._args[name] = dict(args or {})
        return self._run_once(name, lambda: self._launch(name, args))

    def _run_once(self, key: str, launch: Callable[[], ProbeRun]) -> ProbeRun:
        """Run and keep under `key`; an interrupted run's partial facts are kept there too."""
        try:
            run = launch()
        except ProbeInterrupted as exc:
            self._runs[key] = exc.run
            raise
        self._runs[key] = run
        return run

    def _launch(self, name: str, args: dict[str, Any] | None) -> ProbeRun:
        spec = PROBES[name]
        if spec.runs_in == "tool" and spec.module is None:
            interpreter = tool_python()
        elif isinstance(self.interpreter, InterpreterProblem):
            return ProbeRun(
                name,
                self.interpreter.path,
                ProbeOutcome.NOT_STARTED,
                message=f"the interpreter {self.interpreter.path} {self.interpreter.reason}",
            )
        elif not self.interpreter.can_run_probes:
            return ProbeRun(
                name,
                self.interpreter.path,
                ProbeOutcome.NOT_STARTED,
                message=f"Python {self.interpreter.version_str} is too old to probe "
                "(probes need 3.7 or newer)",
            )
        else:
            interpreter = self.interpreter.path
        timeout_s = spec.timeout_s * self.options.timeout_scale
        if spec.module is not None:
            # A tool-side helper that looks at the target from outside (pip-api).
            argv = helper_command(spec.module, interpreter)
            run = run_command(name, argv, timeout_s=timeout_s)
        else:
            run = run_probe(
                name,
                interpreter,
                timeout_s=timeout_s,
                args=args,
                on_progress=self.on_progress,
                memory_limit_mb=self.memory_limit_mb(spec.memory_share),
            )
        return run

    def memory_limit_mb(self, share: float | None) -> float | None:
        """A probe's memory cap: options.extra["memory_limit_mb"], else a share of free memory."""
        explicit = self.options.extra.get("memory_limit_mb")
        if isinstance(explicit, int | float):
            return float(explicit)
        return memory_cap_mb(share) if share else None

    @property
    def target_runs_probes(self) -> bool:
        """Whether probes can run in the interpreter under test at all."""
        return isinstance(self.interpreter, Interpreter) and self.interpreter.can_run_probes

    def facts(
        self, name: str, section: str | None = None, *, or_from_tool: bool = False
    ) -> Any:
        """A probe's facts (or one section of them); `ProbeUnavailable` when missing.

        `or_from_tool`: when the interpreter under test cannot run probes at all
        (missing, too old), run the probe in this tool's own Python instead, for
        machine facts that do not depend on the interpreter (the OS, the CPU).
        The run is recorded as `<name>@tool` and its facts say so (`seen_from`).
        """
        if or_from_tool and not self.target_runs_probes:
            return self._facts_of(self._tool_side(name), name, section)
        return self._facts_of(self.probe(name), name, section)

    def _tool_side(self, name: str) -> ProbeRun:
        key = f"{name}@tool"
        if key in self._runs:
            return self._runs[key]
        spec = PROBES[name]
        return self._run_once(
            key,
            lambda: run_probe(
                name,
                tool_python(),
                timeout_s=spec.timeout_s * self.options.timeout_scale,
                on_progress=self.on_progress,
                memory_limit_mb=self.memory_limit_mb(spec.memory_share),
            ),
        )

    @staticmethod
    def _facts_of(run: ProbeRun, name: str, section: str | None) -> Any:
        if not run.outcome.has_facts:
            raise ProbeUnavailable(run)
        if section is None:
            return run.facts
        value = run.facts.get(section)
        if value is None:
            raise ProbeUnavailable(
                run,
                section,
                f"probe {name!r} did not report {section!r}"
                + (f" ({run.message})" if run.message else ""),
            )
        if isinstance(value, dict) and "error" in value and "error_type" in value:
            raise ProbeUnavailable(run, section, f"could not determine {section}: {value['error']}")
        return value


CheckFunc = Callable[[Context], Finding]


@dataclass(frozen=True)
class Check:
    id: str
    title: str
    category: str
    func: CheckFunc
    owns: tuple[str, ...] = ()
    """Probes whose failure this check reports as its own (others then skip)."""
    description: str = ""
    needs: tuple[str, ...] = ()
    """Checks this one stands on (filled from `registry.NEEDS`): when one of them failed or
    errored, this check is skipped "because <that check>" instead of failing for the same
    root cause (see `envcheck.pipeline.run_checks`)."""


def check(
    id: str, title: str, *, owns: tuple[str, ...] = (), registry: list[Check]
) -> Callable[[CheckFunc], CheckFunc]:
    """Register a check function in its module's list."""

    def decorate(func: CheckFunc) -> CheckFunc:
        category = id.split(".", 1)[0]
        doc = (func.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
        registry.append(Check(id, title, category, func, owns, doc))
        return func

    return decorate
