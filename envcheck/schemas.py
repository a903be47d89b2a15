"""The JSON Schema of every kind of JSON document the commands write.

Every document carries `schema_version` and `kind` (envcheck.deliver.envelope;
the check report has them as model fields). `tfcert-envcheck schema [KIND]`
prints one kind's schema; tests validate each command's JSON output against
it. The check report's schema comes from its pydantic model; the smaller
kinds are pydantic models here, written once and used only for their schema,
so they cannot drift from a hand-written copy. `bench` and `pycharm-survey`
describe their top level exactly and leave the nested measurement and file
records open (they follow the probe's and PyCharm's shapes, which this tool
reads defensively anyway).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

DRAFT = "https://json-schema.org/draft/2020-12/schema"


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid")
    schema_version: Literal[1] = 1


# fleet ------------------------------------------------------------------------


class FleetMachine(BaseModel):
    model_config = ConfigDict(extra="forbid")
    machine: str = Field(description="The report's host name, or its file name if redacted.")
    file: str
    created_at: str
    ready: bool
    verdict: str
    exit_code: int
    failing: list[str] = Field(description="Ids of the checks that failed or were undetermined.")
    warnings: int
    predicted_s: float | None = Field(description="One training of each category, predicted.")
    tensorflow: str | None
    python: str | None
    older_reports: int
    html: str | None = Field(description="The machine's HTML report, relative to the folder.")


class FleetUnreadable(BaseModel):
    model_config = ConfigDict(extra="forbid")
    file: str
    problem: str


class FleetDoc(_Doc):
    """`tfcert-envcheck fleet DIR --format json`."""

    kind: Literal["fleet"]
    machines: list[FleetMachine]
    unreadable: list[FleetUnreadable]


# diff -------------------------------------------------------------------------


class DiffSide(BaseModel):
    model_config = ConfigDict(extra="forbid")
    file: str
    created_at: str
    verdict: str


class DiffChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    title: str
    kind: Literal["status", "observed", "only_in_a", "only_in_b"]
    a_status: str | None
    b_status: str | None
    a_observed: str | None
    b_observed: str | None
    b_summary: str | None
    b_fix: str | None


class DiffDoc(_Doc):
    """`tfcert-envcheck diff A B --format json`."""

    kind: Literal["diff"]
    a: DiffSide
    b: DiffSide
    status_differs: bool
    same: int
    changes: list[DiffChange]


# list, matrix -------------------------------------------------------------------


class ListedCheck(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    category: str
    title: str
    description: str


class CheckListDoc(_Doc):
    """`tfcert-envcheck list --format json`."""

    kind: Literal["check-list"]
    checks: list[ListedCheck]


class Profile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    python: str
    tensorflow: str | None = Field(description="The TensorFlow pin, e.g. '==2.9.0'.")
    title: str
    default: bool


class ProfilesDoc(_Doc):
    """`tfcert-envcheck matrix profiles --format json`."""

    kind: Literal["matrix-profiles"]
    matrix: str
    profiles: list[Profile]


class ValidationDoc(_Doc):
    """`tfcert-envcheck matrix validate --format json` (an invalid matrix exits 2 instead)."""

    kind: Literal["matrix-validation"]
    file: str
    valid: Literal[True]
    profiles: int
    tensorflow_builds: int
    default_profile: str


# bench, pycharm (top level exact, records open) -------------------------------


class BenchDoc(_Doc):
    """`tfcert-envcheck bench --format json`."""

    kind: Literal["bench"]
    run: dict[str, Any] = Field(description="The probe run: environment, per-category results.")
    predictions: dict[str, dict[str, Any]] = Field(
        description="Category number -> predicted full training (seconds, band, parts)."
    )
    problems: dict[str, str] = Field(description="Category number -> why it was not measured.")
    teardown_waits: dict[str, Any] | None
    verdict: dict[str, Any] | None = Field(description="Ready, marginal or not ready, and why.")
    full_runs: list[dict[str, Any]] | None = Field(
        default=None, description="With --full: actual against predicted."
    )


class PycharmDoc(_Doc):
    """`tfcert-envcheck pycharm --format json`."""

    kind: Literal["pycharm-survey"]
    layout: dict[str, str]
    config_source: str
    installs: list[dict[str, Any]]
    config_dirs: list[dict[str, Any]]
    projects: list[dict[str, Any]]
    problems: list[dict[str, Any]]


class SetupDoc(_Doc):
    """`tfcert-envcheck setup --format json`: the plan, and what was done."""

    kind: Literal["setup"]
    profile: str
    base_python: str
    base_python_found: str = Field(description="How the base Python was found.")
    target: str = Field(description="The venv folder.")
    python: str = Field(description="The new venv's interpreter: select it in PyCharm.")
    packages: int = Field(description="How many packages the lock installs.")
    lock_resolved: str
    commands: list[str] = Field(description="Every command setup runs, in order.")
    dry_run: bool | None = None
    error: str | None = Field(default=None, description="Why it was not built.")
    removed: bool | None = Field(default=None, description="The half-made venv was removed.")
    steps: list[dict[str, Any]] | None = None
    check: dict[str, Any] | None = Field(default=None, description="The new venv's verdict.")
    seconds: float | None = None


def _report() -> dict[str, Any]:
    from envcheck.results import Report

    return Report.model_json_schema()


def _model(model: type[BaseModel]) -> Callable[[], dict[str, Any]]:
    return lambda: model.model_json_schema()


KINDS: dict[str, tuple[str, Callable[[], dict[str, Any]]]] = {
    "check-report": ("check/show --format json, check --share's .json", _report),
    "bench": ("bench --format json", _model(BenchDoc)),
    "pycharm-survey": ("pycharm --format json", _model(PycharmDoc)),
    "diff": ("diff --format json", _model(DiffDoc)),
    "fleet": ("fleet --format json", _model(FleetDoc)),
    "matrix-profiles": ("matrix profiles --format json", _model(ProfilesDoc)),
    "matrix-validation": ("matrix validate --format json", _model(ValidationDoc)),
    "check-list": ("list --format json", _model(CheckListDoc)),
    "setup": ("setup --format json", _model(SetupDoc)),
}


def schema(kind: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of `kind`."""
    return {"$schema": DRAFT, **KINDS[kind][1]()}


def schema_text(kind: str) -> str:
    return json.dumps(schema(kind), indent=2, ensure_ascii=False) + "\n"
