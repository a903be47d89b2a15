"""Result values: what every check produces and every renderer consumes.

A check never prints; it returns a `CheckResult`. A `Report` is the whole
run as data: it is what `--format json` writes, what `show` reads back and
what the exit code is computed from (`envcheck.outcome`).
"""

from __future__ import annotations

import enum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 2
"""Bump when a report's JSON changes incompatibly; `envcheck.report_io` refuses newer ones
and migrates older ones. 2: `facts.probes` is keyed by probe name (see `Report.facts`)."""


class Status(str, enum.Enum):
    """How one check ended, ordered from best to worst by `severity`."""

    OK = "ok"
    SKIPPED = "skipped"
    NOT_RUN = "not_run"
    WARNING = "warning"
    ERROR = "error"
    FAILURE = "failure"

    @property
    def severity(self) -> int:
        return _SEVERITY[self]

    @property
    def is_problem(self) -> bool:
        return self in (Status.WARNING, Status.ERROR, Status.FAILURE, Status.NOT_RUN)


_SEVERITY = {
    Status.OK: 0,
    Status.SKIPPED: 0,
    Status.NOT_RUN: 1,
    Status.WARNING: 2,
    Status.ERROR: 3,
    Status.FAILURE: 4,
}


def worst(statuses: list[Status]) -> Status:
    """The status a category shows: its worst child's (flutter doctor's rule)."""
    if not statuses:
        return Status.SKIPPED
    if all(s is Status.SKIPPED for s in statuses):
        return Status.SKIPPED
    return max(statuses, key=lambda s: s.severity)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CheckResult(_Frozen):
    """One check's verdict with everything needed to act on it.

    `summary` is the one line a user reads; `fix` is mandatory for every
    problem (enforced by `envcheck.checks.base`); `observed`/`expected` are
    short strings for tables and diffs; `details` holds the structured facts.
    A check skipped because a check it needs failed has
    `details["skipped_because"]`: that check's id (the root cause).
    """

    id: str = Field(description="Stable dotted identifier, e.g. 'python.version'.")
    category: str = Field(description="Category key, e.g. 'python'.")
    title: str
    status: Status
    summary: str
    observed: str | None = None
    expected: str | None = None
    fix: str | None = None
    source: str | None = Field(default=None, description="Where the expectation comes from.")
    details: dict[str, Any] = Field(default_factory=dict)
    duration_s: float = 0.0


class Category(_Frozen):
    key: str
    title: str


class Target(_Frozen):
    """The interpreter under test, as the user named it and as it resolved."""

    python: str = Field(description="Path of the interpreter under test as given.")
    resolved: str | None = None
    how_chosen: str = Field(description="'--python', '--project', or 'the running interpreter'.")
    project: str | None = None


class Verdict(_Frozen):
    ready: bool
    headline: str
    exit_code: int
    counts: dict[str, int]
    not_checked: list[str] = Field(
        default_factory=list,
        description="Checks the selection left out (--only, --skip, --no-bench); the headline "
        "names their categories. Absent in reports written before it existed.",
    )


class Report(_Frozen):
    """The complete record of one run; `schema` prints its JSON Schema."""

    schema_version: int = SCHEMA_VERSION
    kind: Literal["check-report"] = Field(
        default="check-report", description="What this JSON document is (see `schema`)."
    )
    tool: str = "tfcert-envcheck"
    tool_version: str
    created_at: str
    host: dict[str, str] = Field(default_factory=dict)
    target: Target
    profile: str
    matrix: str
    categories: list[Category]
    results: list[CheckResult]
    verdict: Verdict
    facts: dict[str, Any] = Field(
        default_factory=dict,
        description="Raw probe facts, for support staff. `probes` holds how each probe ran, "
        "keyed by probe name; `<name>@tool` is a probe run in the tool's own Python because "
        "the interpreter under test could not run it (schema_version 2; version 1 keyed a "
        "probe run with arguments by a repr of them).",
    )
    interrupted: bool = False

    def by_category(self) -> list[tuple[Category, list[CheckResult]]]:
        return [(c, [r for r in self.results if r.category == c.key]) for c in self.categories]
