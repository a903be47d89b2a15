"""TensorFlow: does it import, which version, which Keras, which build."""

from __future__ import annotations

import re
from typing import TypeVar

from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

from envcheck.checks import hints
from envcheck.checks.base import (
    Check,
    Context,
    Evidence,
    Finding,
    ProbeUnavailable,
    check,
    error,
    failure,
    ok,
    warning,
)
from envcheck.probing.models import (
    FactModel,
    FactTypeError,
    SystemCpu,
    SystemOs,
    TfBuild,
    TfDevices,
    TfImport,
    TfPython,
    TfVersions,
)
from envcheck.probing.runner import ProbeOutcome, ProbeRun

CHECKS: list[Check] = []

_MISSING_LIB = re.compile(
    r"(?:Could not load dynamic library '([^']+)'|([\w.+-]+\.(?:so(?:\.[\d.]+)?|dll|dylib))"
    r"[^\n]*(?:cannot open shared object file|not found|could not be found))"
)


M = TypeVar("M", bound=FactModel)


def tf_facts(ctx: Context, model: type[M]) -> M:
    """A section of the TensorFlow probe, or a clear reason why it is missing."""
    run = ctx.probe("tensorflow")
    imported = run.facts.get("import")
    if isinstance(imported, dict) and "error" in imported:
        raise ProbeUnavailable(
            run, model.section, "TensorFlow did not import (see tensorflow.import)"
        )
    return ctx.read(model)


def missing_libraries(text: str) -> list[str]:
    """Shared libraries TensorFlow (or the loader) reported it could not load."""
    found: list[str] = []
    for m in _MISSING_LIB.finditer(text):
        name = m.group(1) or m.group(2)
        if name and name not in found:
            found.append(name)
    return found


def _install_fix(ctx: Context) -> str:
    return f"run {hints.pin_install(ctx)}; {hints.SETUP_HINT}"


def import_failure(ctx: Context, run: ProbeRun) -> Finding:
    """Explain why the TensorFlow probe died, from how it died and the CPU facts."""
    details = {"probe": run.to_dict()}
    if run.outcome is ProbeOutcome.SIGNAL and run.signal_name == "SIGILL":
        cause = "the CPU lacks an instruction the TensorFlow binary uses"
        fix = "Use a CPU with AVX, or a TensorFlow build for this CPU and architecture."
        try:
            os_info = ctx.read(SystemOs)
            cpu = ctx.read(SystemCpu)
            if os_info.rosetta:
                cause = "an x86_64 TensorFlow under Rosetta, which has no AVX"
                fix = (
                    "Install the arm64 Python from python.org and, for TensorFlow < 2.13, "
                    "tensorflow-macos instead of tensorflow."
                )
            elif (
                cpu.flags is not None
                and "avx" not in cpu.flags
                and os_info.machine.lower() in ("x86_64", "amd64")
            ):
                cause = f"the CPU ({cpu.model or 'unknown model'}) has no AVX"
                fix = (
                    "Use a machine whose CPU has AVX; prebuilt TensorFlow wheels require it "
                    "(tensorflow#19104)."
                )
        except (ProbeUnavailable, FactTypeError):
            pass  # the general cause stands: TensorFlow did die with SIGILL
        return failure(
            f"importing TensorFlow died with SIGILL: {cause}",
            fix=fix,
            source=ctx.matrix.platform_rules.avx_source,
            details=details,
        )
    if run.outcome is ProbeOutcome.SIGNAL and run.signal_name == "SIGKILL":
        return failure(
            "importing TensorFlow was killed (SIGKILL), most likely out of memory",
            fix="Close memory-hungry programs or add RAM/swap, then check again.",
            details=details,
        )
    if run.outcome is ProbeOutcome.SIGNAL:
        return failure(
            f"importing TensorFlow crashed: {run.message}",
            fix="Reinstall TensorFlow in a fresh venv; if it persists, report the "
            "probe output shown with -v.",
            details=details,
        )
    if run.outcome is ProbeOutcome.TIMEOUT:
        return error(
            f"importing TensorFlow did not finish within {run.timeout_s:g} s",
            fix="Run again with --timeout-scale 3 (a cold disk or antivirus scan can be "
            'slow); if it still hangs, run `python -c "import tensorflow"` by hand.',
            details=details,
        )
    return error(
        f"could not determine: {run.message}",
        fix="Run with -v to see the probe's output.",
        details=details,
    )


@check("tensorflow.import", "TensorFlow imports", owns=("tensorflow",), registry=CHECKS)
def import_check(ctx: Context) -> Finding:
    """`import tensorflow` in the target, in its own process, timed."""
    run = ctx.probe("tensorflow")
    if not run.outcome.has_facts:
        if run.outcome is ProbeOutcome.NOT_STARTED:
            # The interpreter cannot run (python.interpreter, when selected, says so first
            # and this check is then skipped because of it): could not determine.
            raise ProbeUnavailable(run)
        return import_failure(ctx, run)
    imported = TfImport.parse(run.facts.get("import", {}))
    if imported.error is not None:
        err = imported.error
        if imported.missing:
            return failure(
                "TensorFlow is not installed in this interpreter",
                fix="Install it, " + _install_fix(ctx),
                observed="not installed",
                expected=f"tensorflow{ctx.profile.pin('tensorflow') or ''}",
                source=ctx.profile.source,
            )
        libs = missing_libraries(err + "\n" + run.stderr_tail)
        if libs:
            return failure(
                f"importing TensorFlow failed: cannot load {', '.join(libs)}",
                fix="Install the CUDA/cuDNN versions this TensorFlow was built for, or the "
                "CPU-only package (tensorflow-cpu) if you do not need the GPU.",
                observed=err[:300],
                details={"missing_libraries": libs, "error": err},
            )
        return failure(
            f"importing TensorFlow failed: {err[:300]}",
            fix="Reinstall it in a fresh venv; " + _install_fix(ctx),
            observed=err[:300],
            details={"error": err, "traceback": imported.traceback},
        )
    seconds = imported.seconds
    return ok(
        f"imports in {seconds:.1f} s" if seconds is not None else "imports",
        observed=f"{seconds} s",
        details=imported.raw,
    )


@check("tensorflow.version", "TensorFlow version", registry=CHECKS)
def version_check(ctx: Context) -> Finding:
    """The imported TensorFlow (not just the installed metadata) against the pin."""
    have = tf_facts(ctx, TfVersions).tensorflow
    pin = ctx.profile.pin("tensorflow")
    kw: Evidence = {"observed": have, "expected": pin or "any", "source": ctx.profile.source}
    if pin is None:
        return ok(f"TensorFlow {have} (the profile pins no version)", **kw)
    try:
        matches = SpecifierSet(pin).contains(Version(have), prereleases=True)
    except InvalidVersion:
        matches = False
    if not matches:
        return failure(
            f"TensorFlow {have}, but the {ctx.profile_name} exam pins tensorflow{pin}",
            fix="Models trained and graded under another TensorFlow behave and train at another "
            "speed; to install the exam's version, " + _install_fix(ctx),
            **kw,
        )
    return ok(f"TensorFlow {have}", **kw)


@check("tensorflow.keras", "Keras version", registry=CHECKS)
def keras_check(ctx: Context) -> Finding:
    """Keras must match TensorFlow: Keras 2.x of the same minor before TF 2.16, Keras 3 after."""
    versions = tf_facts(ctx, TfVersions)
    tf_v = Version(versions.tensorflow)
    keras = versions.keras
    if not keras:
        why = versions.keras_import_error or versions.tf_keras_error or "unknown"
        return failure(
            f"Keras could not be imported: {why}",
            fix="Reinstall TensorFlow, which brings the matching Keras.",
            observed="not importable",
        )
    k_v = Version(keras)
    observed = f"Keras {keras} ({versions.keras_source})"
    if tf_v.release[:2] < (2, 16):
        if k_v.major == 3 or k_v.release[:2] != tf_v.release[:2]:
            return failure(
                f"{observed} does not match TensorFlow {tf_v}",
                fix=hints.pip(ctx, f'"keras=={tf_v.major}.{tf_v.minor}.*"'),
                observed=observed,
                expected=f"Keras {tf_v.major}.{tf_v.minor}.x",
            )
        return ok(observed, observed=observed, expected=f"Keras {tf_v.major}.{tf_v.minor}.x")
    pin = ctx.profile.pin("tensorflow")
    if (
        pin
        and k_v.major >= 3
        and any(
            s.operator in ("==", "~=") and Version(s.version).release[:2] < (2, 16)
            for s in SpecifierSet(pin)
        )
    ):
        return warning(
            f"{observed}: the exam used Keras 2, whose .h5 saving and layer APIs differ",
            fix="Practise with the exam's TensorFlow (Keras 2); to install it, "
            + _install_fix(ctx),
            observed=observed,
            expected="Keras 2 (as in the exam)",
            source=ctx.profile.source,
        )
    return ok(observed, observed=observed)


@check("tensorflow.python_range", "Tested Python range", registry=CHECKS)
def python_range_check(ctx: Context) -> Finding:
    """TensorFlow's tested build table gives the Python versions each release supports."""
    tf_version = tf_facts(ctx, TfVersions).tensorflow
    py = ".".join(str(p) for p in tf_facts(ctx, TfPython).version[:2])
    build = ctx.matrix.build_for(tf_version)
    source = ctx.matrix.tensorflow_builds_source
    if build is None:
        return warning(
            f"TensorFlow {tf_version} is not in the tested build table",
            fix="Use a released TensorFlow listed in compat_matrix.yaml, or update the matrix.",
            observed=tf_version,
            source=source,
        )
    if not SpecifierSet(build.python).contains(Version(py)):
        return failure(
            f"TensorFlow {tf_version} is tested on Python {build.python}, not {py}",
            fix="Use a Python inside the tested range.",
            observed=f"Python {py}",
            expected=f"Python {build.python}",
            source=source,
        )
    return ok(
        f"Python {py} is in TensorFlow {tf_version}'s tested range {build.python}",
        observed=f"Python {py}",
        expected=build.python,
        source=source,
    )


@check("tensorflow.build", "CUDA build and devices", registry=CHECKS)
def build_check(ctx: Context) -> Finding:
    """CUDA or CPU-only build, its CUDA/cuDNN versions against the table, and the devices."""
    build = tf_facts(ctx, TfBuild)
    versions = tf_facts(ctx, TfVersions)
    devices = tf_facts(ctx, TfDevices)
    info = build.build_info
    gpus = devices.gpus
    where = f"{len(gpus)} GPU{'s' if len(gpus) != 1 else ''} visible" if gpus else "CPU only"
    details = {"build_info": build.raw.get("build_info", {}), "gpus": devices.raw.get("gpus", [])}
    if not build.is_built_with_cuda:
        return ok(
            f"CPU-only build; training runs on the CPU ({where})",
            observed="CPU-only build",
            details=details,
        )
    cuda, cudnn = info.cuda_version, info.cudnn_version
    observed = f"CUDA {cuda}, cuDNN {cudnn}"
    row = ctx.matrix.build_for(versions.tensorflow)
    if row is not None and cuda and not _same_release(cuda, row.cuda):
        return warning(
            f"{observed}: not the tested CUDA {row.cuda} for this TensorFlow (a custom build?)",
            fix="Prefer the pip wheel from PyPI, which is built against the tested CUDA.",
            observed=observed,
            expected=f"CUDA {row.cuda}, cuDNN {row.cudnn}",
            source=ctx.matrix.tensorflow_builds_source,
            details=details,
        )
    return ok(
        f"{observed} build; {where}",
        observed=observed,
        expected=f"CUDA {row.cuda}, cuDNN {row.cudnn}" if row else None,
        source=ctx.matrix.tensorflow_builds_source,
        details=details,
    )


def _same_release(have: str, want: str) -> bool:
    try:
        h, w = Version(have), Version(want)
    except InvalidVersion:
        return False
    n = min(len(h.release), len(w.release))
    return h.release[:n] == w.release[:n]
