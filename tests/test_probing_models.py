"""The typed fact models accept what real probes print, and name what they cannot accept.

Real probes in every CPython 3.7-3.13 pyenv has, and in the real TensorFlow
environments (TF 2.9 on Python 3.8, a current TF on 3.11), must parse into
envcheck.probing.models without an error; a fact of the wrong type must
raise `FactTypeError` naming the fact, its value and the type it should have.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from envcheck.probing import models
from envcheck.probing.models import FactModel, FactTypeError
from envcheck.probing.runner import run_probe
from tests.test_probes_interpreters import VERSIONS, _python

FIXTURES = Path(__file__).parent / "fixtures"

SECTIONS: dict[str, list[type[FactModel]]] = {
    "python": [models.PythonIdentity, models.PythonVenv, models.PythonOrigin],
    "system": [models.SystemOs, models.SystemCpu],
    "packages": [models.PackagesFacts],
    "tensorflow": [models.TfImport, models.TfVersions, models.TfBuild, models.TfDevices],
}


def _parse_all(probe: str, facts: dict[str, object]) -> list[FactModel]:
    parsed = []
    for model in SECTIONS[probe]:
        assert model.section in facts, (model.section, sorted(facts))
        parsed.append(model.parse(facts[model.section]))
    return parsed


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("probe", ["python", "system", "packages"])
def test_real_probes_parse_in_each_python(version: str, probe: str) -> None:
    run = run_probe(probe, str(_python(version)), timeout_s=60)
    assert run.outcome == "ok", run.message + run.stderr_tail
    parsed = _parse_all(probe, run.facts)
    if probe == "python":
        identity = parsed[0]
        assert isinstance(identity, models.PythonIdentity)
        assert ".".join(map(str, identity.version[:2])) == version
        assert identity.bits == 64
        assert identity.raw == run.facts["identity"]  # kept as printed, for the details


@pytest.mark.tensorflow
@pytest.mark.slow
@pytest.mark.parametrize("which", ["exam_python", "tf_python"])
def test_real_tensorflow_probe_parses(which: str, request: pytest.FixtureRequest) -> None:
    python: Path = request.getfixturevalue(which)
    run = run_probe("tensorflow", str(python), timeout_s=180)
    assert run.outcome == "ok", run.message + run.stderr_tail
    _, versions, build, devices = _parse_all("tensorflow", run.facts)
    assert isinstance(versions, models.TfVersions) and versions.tensorflow.startswith("2.")
    assert isinstance(build, models.TfBuild) and isinstance(build.is_built_with_cuda, bool)
    assert isinstance(devices, models.TfDevices) and devices.cpus
    assert models.TfPython.parse(run.facts["python"]).version[0] == 3


def test_a_recorded_gpu_build_parses() -> None:
    """get_build_info() of TF 2.9's CUDA wheel, as a lab machine's report recorded it."""
    report = json.loads((FIXTURES / "reports" / "lab-gpu-03.json").read_text(encoding="utf-8"))
    recorded = next(r for r in report["results"] if r["id"] == "tensorflow.build")
    build = models.TfBuild.parse({"is_built_with_cuda": True, **recorded["details"]})
    assert build.build_info.cuda_version == "11.2"
    assert build.build_info.cuda_compute_capabilities == [
        "sm_35",
        "sm_50",
        "sm_60",
        "sm_70",
        "sm_75",
        "compute_80",
    ]
    assert build.build_info.model_extra == {  # unknown keys are kept, not refused
        "cpu_compiler": "/dt9/usr/bin/gcc",
        "is_cuda_build": True,
        "is_rocm_build": False,
        "is_tensorrt_build": True,
    }


def test_the_recorded_nvidia_environment_parses() -> None:
    doc = json.loads(
        (FIXTURES / "gpu-check" / "h200_580.159.04" / "probe-nvidia.json").read_text(
            encoding="utf-8"
        )
    )
    env = models.NvidiaEnvironment.parse(doc["facts"]["environment"])
    assert doc["facts"]["environment"]["CUDA_VISIBLE_DEVICES"] == env.CUDA_VISIBLE_DEVICES


def test_facts_an_os_does_not_print_are_none() -> None:
    windows = models.SystemOs.parse(
        {
            "system": "Windows",
            "release": "10",
            "machine": "AMD64",
            "win32_ver": ["10", "10.0.19045", "SP0", "Multiprocessor"],
        }
    )
    assert windows.wsl is None and windows.rosetta is None and windows.distro is None
    assert models.SystemCpu.parse({"logical_cores": 4}).flags is None


@pytest.mark.parametrize(
    ("model", "facts", "read", "message"),
    [
        (
            models.PythonIdentity,
            {"version": [3, 8, 10], "bits": "64", "executable": "/x"},
            "bits",
            "the python probe reported identity.bits as '64', not an integer",
        ),
        (
            models.PythonIdentity,
            {"version": [3, 8], "bits": 64, "executable": "/x"},
            "version",
            "the python probe reported identity.version as [3, 8], not a list of at least 3 items",
        ),
        (
            models.PythonIdentity,
            {"version": [3, 8, 10], "executable": "/x"},
            "bits",
            "the python probe did not report identity.bits",
        ),
        (
            models.SystemCpu,
            {"flags": "avx avx2"},
            "flags",
            "the system probe reported cpu.flags as 'avx avx2', not a list",
        ),
        (
            models.TfBuild,
            {"is_built_with_cuda": "yes"},
            "is_built_with_cuda",
            "the tensorflow probe reported build.is_built_with_cuda as 'yes', not a boolean",
        ),
        (
            models.TfBuild,
            {"build_info": {"cuda_version": 11.2}},
            "build_info",
            "the tensorflow probe reported build.build_info.cuda_version as 11.2, not a string",
        ),
    ],
    ids=["bits-as-text", "short-version", "missing", "flags-as-text", "bool-as-text", "nested"],
)
def test_a_fact_of_the_wrong_type_is_named_when_read(
    model: type[FactModel], facts: dict[str, object], read: str, message: str
) -> None:
    parsed = model.parse(facts)
    with pytest.raises(FactTypeError) as caught:
        getattr(parsed, read)
    assert str(caught.value) == message


def test_the_other_facts_of_a_section_stay_readable() -> None:
    """Only the checks that need a broken fact fail: python.interpreter still reads its path."""
    identity = models.PythonIdentity.parse(
        {"version": [3, 8, 10], "bits": "64", "executable": "/usr/bin/python3", "new_key": 1}
    )
    assert identity.executable == "/usr/bin/python3"
    assert identity.version == [3, 8, 10]
    assert identity.model_extra == {"new_key": 1}


def test_a_section_that_is_not_an_object_is_named() -> None:
    with pytest.raises(FactTypeError) as caught:
        models.PythonVenv.parse(["not", "an", "object"])
    assert str(caught.value) == (
        "the python probe reported venv as ['not', 'an', 'object'], not an object"
    )


def test_shared_values_reach_the_report_facts_and_private_ones_do_not() -> None:
    """What checks share among themselves (ctx.memo) stays out of the report's facts;
    what they add for the report (ctx.shared: packages, nvidia) is there as before."""
    from envcheck.checks import nvidia, packages
    from envcheck.pipeline import execute
    from envcheck.report_build import build_report
    from tests.helpers import recorded_context

    ctx = recorded_context(
        {
            "pip": {
                "packages": {
                    "source": "pip-api",
                    "distributions": [
                        {"name": "TensorFlow", "version": "2.9.0", "location": "/x"},
                        {"name": "numpy", "version": "1.22.4", "location": "/x"},
                    ],
                }
            },
            "nvidia": {
                "platform": "linux",
                "nvml": {"error": "no library", "error_type": "OSError", "library_missing": True},
                "nvidia_smi": {
                    "error": "not found",
                    "error_type": "FileNotFoundError",
                    "not_found": True,
                },
            },
        }
    )
    results = [execute(c, ctx) for c in [*packages.CHECKS[:2], nvidia.CHECKS[0]]]
    assert packages.installed(ctx) is packages.installed(ctx)  # read once, then shared
    report = build_report(
        ctx,
        results,
        interrupted=False,
        python="/fake/python",
        how="--python",
        matrix_name="bundled",
        strict=False,
    )
    assert report.facts["packages"] == {"numpy": "1.22.4", "TensorFlow": "2.9.0"}
    assert report.facts["nvidia"] == nvidia.driver_info(ctx).to_dict()
    assert not [k for k in report.facts if k.startswith("_")]


def test_what_real_but_unusual_installs_print_is_accepted() -> None:
    """importlib.metadata gives None for a dist-info without Version; an embedded Python
    has no sys.executable. Neither is a wrong type."""
    facts = models.PackagesFacts.parse(
        {
            "source": "importlib.metadata",
            "distributions": [{"name": "half-removed", "version": None, "location": None}],
        }
    )
    assert facts.distributions[0].version is None
    identity = models.PythonIdentity.parse(
        {"version": [3, 11, 7], "bits": 64, "executable": None, "realpath": None}
    )
    assert identity.executable is None and identity.bits == 64
