"""The shape every check has, and the context it reads facts from.

A check is a plain function `(Context) -> Finding` registered with the
`@check` decorator; `envcheck.checks.registry` lists them all. A check never
prints and never runs a process itself: it asks `ctx.read(Model)` for a
probe's facts as a typed model (envcheck.probing.models), which runs the probe
once (cached) in the right interpreter. Problems must carry a
fix hint: `warning()`, `failure()` and `error()` take `fix` as a required
keyword argument.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar, cast

from envcheck.matrix import Matrix, Profile
from envcheck.probing.interpreter import Interpreter, InterpreterProblem
from envcheck.probing.models import FactModel
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

if TYPE_CHECKING:
    from typing_extensions import Unpack  # typing.Unpack from Python 3.11

    from envcheck.discovery import Found
    from envcheck.pycharm.layout import Layout
    from envcheck.pycharm.resolve import Resolution

M = TypeVar("M", bound=FactModel)
T = TypeVar("T")


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


class Evidence(TypedDict, total=False):
    """The fields of a Finding besides status, summary and fix: what a check saw and
    against what. A check whose results share them builds one and passes `**evidence`."""

    observed: str | None
    expected: str | None
    source: str | None
    details: dict[str, Any]


def ok(summary: str, **kw: Unpack[Evidence]) -> Finding:
    return Finding(Status.OK, summary, **kw)


def skipped(summary: str, **kw: Unpack[Evidence]) -> Finding:
    return Finding(Status.SKIPPED, summary, **kw)


def warning(summary: str, *, fix: str, **kw: Unpack[Evidence]) -> Finding:
    return Finding(Status.WARNING, summary, fix=fix, **kw)


def failure(summary: str, *, fix: str, **kw: Unpack[Evidence]) -> Finding:
    return Finding(Status.FAILURE, summary, fix=fix, **kw)


def error(summary: str, *, fix: str, **kw: Unpack[Evidence]) -> Finding:
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
    timeout_scale: float = 1.0
    retrain_factor: float | None = None
    """--retrain-factor; None: the matrix's benchmark.retrain_factor."""
    pycharm_layout: Layout | None = None
    """Where PyCharm's files are (another OS's layout in tests); None: this machine's."""
    pycharm_config: Path | None = None
    """--pycharm-config: the PyCharm config folder to read instead of the usual ones."""
    pycharm_resolution: Resolution | None = None
    """The project interpreter `check --project` (or discovery) resolved."""
    discovery: Found | None = None
    """What `check` found when neither --python nor --project chose the interpreter."""


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
        """Facts checks add to the report (`facts` in it: "nvidia", "packages", "pycharm", ...).
        Values only checks share go through `memo` instead."""
        self._memo: dict[Callable[..., Any], Any] = {}
        self.pin_install_shown = False
        """Whether a fix hint already showed the long pin-install command (see hints)."""
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
        """A probe's memory cap: a share of the memory free when it starts (None: no cap)."""
        return memory_cap_mb(share) if share else None

    def memo(self, compute: Callable[[Context], T]) -> T:
        """`compute(self)`, computed once per context: a value several checks share
        (the installed distributions, the benchmark's analysis, PyCharm's files).
        Nothing is kept when `compute` raises."""
        if compute not in self._memo:
            self._memo[compute] = compute(self)
        return cast(T, self._memo[compute])

    def read(self, model: type[M], *, or_from_tool: bool = False) -> M:
        """One section of a probe's facts as its typed model (envcheck.probing.models).

        `ProbeUnavailable` when the probe gave no answer (see `facts`);
        `FactTypeError` when a fact is of a type no real interpreter prints,
        which the check then reports as "could not determine" (pipeline.execute).
        """
        return model.parse(self.facts(model.probe, model.section, or_from_tool=or_from_tool))

    @property
    def target_runs_probes(self) -> bool:
        """Whether probes can run in the interpreter under test at all."""
        return isinstance(self.interpreter, Interpreter) and self.interpreter.can_run_probes

    def facts(self, name: str, section: str | None = None, *, or_from_tool: bool = False) -> object:
        """A probe's facts (or one section of them), untyped; `ProbeUnavailable` when missing.

        Checks read them through `read` and a model of envcheck.probing.models.

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
    def _facts_of(run: ProbeRun, name: str, section: str | None) -> object:
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
