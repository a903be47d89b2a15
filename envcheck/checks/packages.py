"""Packages: the profile's pins, conflicting TensorFlow installs, installability."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from envcheck.checks import hints
from envcheck.checks.base import (
    Check,
    Context,
    Evidence,
    Finding,
    ProbeUnavailable,
    check,
    failure,
    ok,
    skipped,
    warning,
)
from envcheck.probing.models import PackagesFacts, PipFacts, PythonIdentity, SystemOs

CHECKS: list[Check] = []


class PinRow(TypedDict):
    """One pinned package in packages.pins' details."""

    name: str
    expected: str
    installed: str | None
    ok: bool


@dataclass(frozen=True)
class Installed:
    source: str
    versions: dict[str, str | None]
    """canonical name -> version (None: its metadata names none)"""
    names: dict[str, str]
    """canonical name -> name as published"""


def installed(ctx: Context) -> Installed:
    """The target's distributions: pip-api first, package metadata when pip is absent."""
    return ctx.memo(_read_installed)


def _read_installed(ctx: Context) -> Installed:
    facts: PackagesFacts
    try:
        facts = ctx.read(PipFacts)
    except ProbeUnavailable as pip_problem:
        try:
            facts = ctx.read(PackagesFacts)
        except ProbeUnavailable:
            raise pip_problem from None
    versions: dict[str, str | None] = {}
    names: dict[str, str] = {}
    for dist in facts.distributions:
        key = canonicalize_name(dist.name)
        versions.setdefault(key, dist.version)
        names.setdefault(key, dist.name)
    ctx.shared["packages"] = {names[k]: v for k, v in sorted(versions.items())}
    return Installed(facts.source, versions, names)


def _satisfies(version: str, spec: str) -> bool:
    try:
        return SpecifierSet(spec).contains(Version(version), prereleases=True)
    except InvalidVersion:
        return False


@check(
    "packages.tensorflow_distributions",
    "One TensorFlow distribution",
    owns=("pip", "packages"),
    registry=CHECKS,
)
def distributions_check(ctx: Context) -> Finding:
    """TensorFlow distributions of different versions in one environment mix two releases.

    They all unpack into the same `tensorflow` folder. Several names at one version
    are one release (on Windows `tensorflow` requires `tensorflow-intel` at its own
    version), so, like TensorFlow's own self_check.py, only differing versions fail.
    """
    inst = installed(ctx)
    known = [canonicalize_name(n) for n in ctx.matrix.tensorflow_distributions.names]
    present = {inst.names[k]: inst.versions[k] for k in known if k in inst.versions}
    observed = ", ".join(f"{n} {v}" for n, v in present.items()) or "none"
    source = ctx.matrix.tensorflow_distributions.source
    if len(set(present.values())) > 1:
        pin = ctx.profile.pin("tensorflow")
        return failure(
            f"{len(present)} TensorFlow distributions of different versions installed at once: "
            f"{observed}",
            fix=f"`{hints.command(ctx, ' '.join(present), 'uninstall -y')} && "
            f"{hints.command(ctx, chr(34) + 'tensorflow' + (pin or '') + chr(34))}`; "
            f"{hints.SETUP_HINT}",
            observed=observed,
            expected="one TensorFlow release",
            source=source,
            details={"distributions": present, "read_with": inst.source},
        )
    if not present:
        return skipped(
            "no TensorFlow distribution installed (see tensorflow.import)",
            observed=observed,
            details={"read_with": inst.source},
        )
    names = f" (one release under {len(present)} names)" if len(present) > 1 else ""
    return ok(
        observed + names,
        observed=observed,
        expected="one TensorFlow release",
        source=source,
        details={"read_with": inst.source},
    )


@check("packages.pins", "Pinned package versions", owns=("pip", "packages"), registry=CHECKS)
def pins_check(ctx: Context) -> Finding:
    """The profile's pins other than tensorflow (tensorflow.version checks that one)."""
    pins = {n: s for n, s in ctx.profile.packages.items() if canonicalize_name(n) != "tensorflow"}
    if not pins:
        return skipped(f"the {ctx.profile_name} profile pins no packages besides TensorFlow")
    inst = installed(ctx)
    rows: list[PinRow] = []
    for name, spec in pins.items():
        have = inst.versions.get(canonicalize_name(name))
        rows.append(
            {
                "name": name,
                "expected": spec,
                "installed": have,
                "ok": have is not None and _satisfies(have, spec),
            }
        )
    bad = [r for r in rows if not r["ok"]]
    observed = ", ".join(f"{r['name']} {r['installed'] or 'missing'}" for r in rows)
    expected = ", ".join(f"{n}{s}" for n, s in pins.items())
    kw: Evidence = {
        "observed": observed,
        "expected": expected,
        "source": ctx.profile.source,
        "details": {"pins": rows, "read_with": inst.source},
    }
    if bad:
        listed = ", ".join(
            f"{r['name']} {r['installed'] or 'missing'} (wants {r['expected']})" for r in bad
        )
        return warning(
            f"{len(bad)} of {len(rows)} pins differ: {listed}",
            fix="The exam plugin installs its pins into the exam project; to practise in the same "
            f"environment run: {hints.pin_install(ctx)}; {hints.SETUP_HINT}",
            **kw,
        )
    return ok(f"all {len(rows)} pins match", **kw)


@check("packages.installable", "Pins installable here", owns=("system", "python"), registry=CHECKS)
def installable_check(ctx: Context) -> Finding:
    """Whether the pinned TensorFlow has a wheel for this Python, OS and architecture."""
    pin = ctx.profile.pin("tensorflow")
    if not pin or not pin.startswith("=="):
        return skipped(f"the {ctx.profile_name} profile pins no exact TensorFlow version")
    tf_version = pin[2:]
    ident = ctx.read(PythonIdentity)
    os_info = ctx.read(SystemOs)
    py = Version(".".join(str(p) for p in ident.version[:2]))
    problem = tensorflow_wheel_problem(ctx, tf_version, py, os_info.system, os_info.machine)
    observed = f"Python {py} on {os_info.system} {os_info.machine}"
    if problem is not None:
        why, fix, source = problem
        return failure(
            f"tensorflow=={tf_version} cannot be installed here: {why}",
            fix=fix,
            observed=observed,
            expected=f"a tensorflow=={tf_version} wheel",
            source=source,
        )
    return ok(
        f"tensorflow=={tf_version} has wheels for {observed}",
        observed=observed,
        source=ctx.matrix.tensorflow_builds_source,
    )


def tensorflow_wheel_problem(
    ctx: Context, tf_version: str, python: Version, system: str, machine: str
) -> tuple[str, str, str] | None:
    """(why, fix, source) when no wheel of tf_version fits, else None."""
    rules = ctx.matrix.platform_rules
    tf = Version(tf_version)
    build = ctx.matrix.build_for(tf_version)
    arch = machine.lower()
    if system == "Darwin" and arch == "arm64" and tf < Version(rules.macos_arm64_first_tensorflow):
        return (
            f"no macOS arm64 wheel before TensorFlow {rules.macos_arm64_first_tensorflow}",
            f"On Apple Silicon install tensorflow-macos=={tf_version} (with tensorflow-metal for "
            "the GPU) in a Python 3.8-3.10 venv; the exam plugin's pin may still fail there.",
            rules.macos_arm64_source,
        )
    last_x86 = Version(rules.macos_x86_last_tensorflow).release[:2]
    if system == "Darwin" and arch == "x86_64" and tf.release[:2] > last_x86:
        return (
            f"no macOS x86 wheels after TensorFlow {rules.macos_x86_last_tensorflow}",
            "Use an older TensorFlow or another machine.",
            rules.macos_x86_source,
        )
    if build is None:
        return None
    if not SpecifierSet(build.python).contains(python):
        return (
            f"its wheels are for Python {build.python}, not {python}",
            f"Install Python {ctx.profile.python} from https://www.python.org/downloads/ and "
            "build the exam venv with it: `tfcert-envcheck setup`.",
            ctx.matrix.tensorflow_builds_source,
        )
    return None
