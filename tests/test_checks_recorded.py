"""Checks computed from recorded probe facts: other OSes, CPUs and installs this machine lacks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from envcheck.checks import packages, python, system, tensorflow
from envcheck.checks.base import Check, Context
from envcheck.pipeline import execute
from envcheck.probing import host
from envcheck.probing.runner import ProbeOutcome, ProbeRun
from envcheck.results import Status
from tests.helpers import recorded_context

LINUX = {
    "system": "Linux",
    "release": "6.1",
    "version": "#1",
    "machine": "x86_64",
    "platform": "Linux-6.1",
    "python_bits": 64,
    "distro": "Ubuntu 22.04",
    "wsl": False,
}
MAC_ARM = {**LINUX, "system": "Darwin", "machine": "arm64", "mac_ver": "14.5", "rosetta": False}
MAC_ROSETTA = {**MAC_ARM, "machine": "x86_64", "rosetta": True}
CPU_AVX = {
    "model": "Intel(R) Core(TM) i7-8550U",
    "logical_cores": 8,
    "flags": ["avx", "avx2", "fma", "sse4_2"],
    "flags_source": "/proc/cpuinfo",
}
CPU_NO_AVX = {
    "model": "Intel(R) Pentium(R) CPU G6950",
    "logical_cores": 2,
    "flags": ["sse4_1", "sse4_2"],
    "flags_source": "/proc/cpuinfo",
}


def _by_id(checks: list[Check], check_id: str) -> Check:
    return next(c for c in checks if c.id == check_id)


def run(checks: list[Check], check_id: str, ctx: Context) -> Any:
    return execute(_by_id(checks, check_id), ctx)


def ident(version: list[int], exe: str, base: str) -> dict[str, Any]:
    return {
        "version": version,
        "releaselevel": "final",
        "implementation": "CPython",
        "bits": 64,
        "executable": exe,
        "realpath": exe,
        "prefix": base,
        "base_prefix": base,
    }


@pytest.mark.parametrize(
    ("exe", "base", "origin_extra", "expected", "status"),
    [
        (
            "/Library/Frameworks/Python.framework/Versions/3.8/bin/python3",
            "/Library/Frameworks/Python.framework/Versions/3.8",
            {},
            "python.org",
            Status.OK,
        ),
        (
            "C:/Users/ana/AppData/Local/Programs/Python/Python38/python.exe",
            "C:/Users/ana/AppData/Local/Programs/Python/Python38",
            {},
            "python.org",
            Status.OK,
        ),
        (
            "/home/ana/anaconda3/bin/python",
            "/home/ana/anaconda3",
            {"conda_meta_in_base": True},
            "conda",
            Status.FAILURE,
        ),
        (
            "/opt/homebrew/Cellar/python@3.8/3.8.18/bin/python3.8",
            "/opt/homebrew/Cellar/python@3.8/3.8.18",
            {},
            "homebrew",
            Status.WARNING,
        ),
        (
            "C:/Users/ana/AppData/Local/Microsoft/WindowsApps/PythonSoftwareFoundation.Python.3.8"
            "_qbz5n2kfra8p0/python.exe",
            "C:/Program Files/WindowsApps/PythonSoftwareFoundation."
            "Python.3.8_3.8.2800.0_x64__qbz5n2kfra8p0",
            {},
            "msstore",
            Status.WARNING,
        ),
        ("/usr/bin/python3.8", "/usr", {"externally_managed": True}, "distribution", Status.OK),
        (
            "/home/ana/.pyenv/versions/3.8.18/bin/python3.8",
            "/home/ana/.pyenv/versions/3.8.18",
            {},
            "pyenv",
            Status.OK,
        ),
        ("/srv/py/bin/python3", "/srv/py", {}, "unknown", Status.OK),
    ],
)
def test_python_origin(
    exe: str, base: str, origin_extra: dict[str, Any], expected: str, status: Status
) -> None:
    origin = {
        "exe_realpath": exe,
        "base_realpath": base,
        "conda_meta_in_prefix": False,
        "conda_meta_in_base": False,
        "anaconda_in_version": False,
        **origin_extra,
    }
    ctx = recorded_context(
        {
            "python": {
                "identity": ident([3, 8, 10], exe, base),
                "origin": origin,
                "venv": {"is_venv": False},
            }
        }
    )
    result = run(python.CHECKS, "python.origin", ctx)
    assert result.details["origin"] == expected
    assert result.status is status
    if status is not Status.OK:
        assert result.fix


def test_broken_venv_whose_base_was_removed(tmp_path: Path) -> None:
    venv = {
        "is_venv": True,
        "base_prefix": "/gone",
        "pyvenv_cfg": {"home": str(tmp_path / "uninstalled-python" / "bin"), "version": "3.8.10"},
    }
    ctx = recorded_context({"python": {"venv": venv}})
    result = run(python.CHECKS, "python.venv", ctx)
    assert result.status is Status.FAILURE
    assert "no longer exists" in result.summary
    assert "python -m venv --clear" in (result.fix or "")


@pytest.mark.parametrize(
    ("version", "status"),
    [
        ([3, 8, 0], Status.OK),
        ([3, 8, 18], Status.OK),
        ([3, 9, 1], Status.FAILURE),
        ([3, 7, 9], Status.FAILURE),
    ],
)
def test_python_version_against_profile(version: list[int], status: Status) -> None:
    ctx = recorded_context({"python": {"identity": ident(version, "/p", "/p")}})
    assert run(python.CHECKS, "python.version", ctx).status is status


def test_python_version_of_older_profile() -> None:
    ctx = recorded_context(
        {"python": {"identity": ident([3, 7, 9], "/p", "/p")}}, profile="exam-2020"
    )
    assert run(python.CHECKS, "python.version", ctx).status is Status.OK


def test_cpu_without_avx_fails_with_the_reason() -> None:
    ctx = recorded_context({"system": {"os": LINUX, "cpu": CPU_NO_AVX}})
    result = run(system.CHECKS, "system.cpu", ctx)
    assert result.status is Status.FAILURE
    assert "no AVX" in result.summary
    assert "tensorflow#19104" in (result.source or "")


def test_cpu_with_avx_and_unknown_flags() -> None:
    ok = run(
        system.CHECKS, "system.cpu", recorded_context({"system": {"os": LINUX, "cpu": CPU_AVX}})
    )
    assert ok.status is Status.OK and "AVX/AVX2/FMA" in ok.summary
    unknown = run(
        system.CHECKS,
        "system.cpu",
        recorded_context(
            {"system": {"os": LINUX, "cpu": {**CPU_AVX, "flags": None, "flags_source": None}}}
        ),
    )
    assert unknown.status is Status.WARNING
    assert "could not determine" in unknown.summary


def test_rosetta_python_fails_arch() -> None:
    result = run(
        system.CHECKS,
        "system.arch",
        recorded_context({"system": {"os": MAC_ROSETTA, "cpu": CPU_AVX}}),
    )
    assert result.status is Status.FAILURE
    assert "Rosetta" in result.summary


def test_memory_uses_the_container_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "memory.max").write_text(str(4 * 1024**3) + "\n")
    monkeypatch.setattr(host, "CGROUP_ROOT", tmp_path)
    monkeypatch.setattr(host.memory, "__defaults__", (tmp_path,))
    result = run(system.CHECKS, "system.memory", recorded_context({}))
    assert result.status is Status.FAILURE
    assert "(container limit)" in result.summary
    assert result.details["cgroup_limit_bytes"] == 4 * 1024**3


def test_cgroup_v1_unlimited_is_no_limit(tmp_path: Path) -> None:
    (tmp_path / "memory").mkdir()
    (tmp_path / "memory" / "memory.limit_in_bytes").write_text("9223372036854771712\n")
    assert host.cgroup_memory_limit(tmp_path) == (
        None,
        str(tmp_path / "memory" / "memory.limit_in_bytes"),
    )
    (tmp_path / "memory.max").write_text("max\n")
    assert host.cgroup_memory_limit(tmp_path)[0] is None


def _pip(*dists: tuple[str, str]) -> dict[str, Any]:
    return {
        "packages": {
            "source": "pip-api",
            "distributions": [{"name": n, "version": v, "location": "/site"} for n, v in dists],
        }
    }


def test_several_tensorflow_distributions_fail() -> None:
    ctx = recorded_context(
        {
            "pip": _pip(
                ("tensorflow", "2.9.0"),
                ("tensorflow-intel", "2.12.0"),
                ("tf-nightly", "2.13.0.dev20230301"),
            )
        }
    )
    result = run(packages.CHECKS, "packages.tensorflow_distributions", ctx)
    assert result.status is Status.FAILURE
    assert "3 TensorFlow distributions of different versions" in result.summary
    assert result.fix.startswith(  # the interpreter under test by its path, never a bare pip
        "`/fake/python -m pip uninstall -y tensorflow tensorflow-intel tf-nightly && "
        '/fake/python -m pip install "tensorflow==2.9.0"'
    )


@pytest.mark.parametrize(
    "dists",
    [
        # On Windows `pip install tensorflow` (2.11-2.18) installs tensorflow-intel at the same
        # version by design (tensorflow#58674, #61770, #80629): one release, not a conflict.
        (("tensorflow", "2.11.0"), ("tensorflow-intel", "2.11.0")),
        (("tensorflow", "2.18.0"), ("tensorflow_intel", "2.18.0")),
    ],
)
def test_one_release_under_several_names_is_not_a_conflict(
    dists: tuple[tuple[str, str], ...],
) -> None:
    ctx = recorded_context({"pip": _pip(*dists)})
    result = run(packages.CHECKS, "packages.tensorflow_distributions", ctx)
    assert result.status is Status.OK, result.summary
    assert result.summary.startswith(f"tensorflow {dists[0][1]}, tensorflow")
    assert "one release" in result.summary


def test_the_distribution_names_include_tensorflows_own_self_check_list() -> None:
    # tensorflow/python/platform/self_check.py, _CONFLICTING_DISTRIBUTIONS.
    names = set(recorded_context({}).matrix.tensorflow_distributions.names)
    assert {
        "tensorflow",
        "tensorflow-cpu",
        "tensorflow-intel",
        "tf-nightly",
        "tf-nightly-cpu",
        "tf-nightly-intel",
    } <= names
    ctx = recorded_context(
        {"pip": _pip(("tensorflow", "2.12.0"), ("tf-nightly-intel", "2.13.0.dev20230301"))}
    )
    result = run(packages.CHECKS, "packages.tensorflow_distributions", ctx)
    assert result.status is Status.FAILURE
    assert "2 TensorFlow distributions of different versions" in result.summary


def test_pins_compare_canonical_names() -> None:
    ctx = recorded_context(
        {
            "pip": _pip(
                ("tensorflow", "2.9.0"),
                ("tensorflow_datasets", "4.6.0"),
                ("pillow", "9.1.1"),
                ("pandas", "1.4.2"),
                ("numpy", "1.22.4"),
                ("scipy", "1.7.3"),
            )
        }
    )
    result = run(packages.CHECKS, "packages.pins", ctx)
    assert result.status is Status.OK, result.summary
    wrong = recorded_context({"pip": _pip(("numpy", "1.24.0"))})
    bad = run(packages.CHECKS, "packages.pins", wrong)
    assert bad.status is Status.WARNING
    assert "numpy 1.24.0 (wants ==1.22.4)" in bad.summary
    assert "tensorflow-metadata==1.9.0" in (bad.fix or "")


def test_pip_missing_falls_back_to_metadata() -> None:
    fallback = _pip(("tensorflow", "2.9.0"))
    fallback["packages"]["source"] = "importlib.metadata"
    ctx = recorded_context({"packages": fallback})
    ctx.record(
        ProbeRun(
            "pip",
            "/fake",
            ProbeOutcome.OK,
            {
                "packages": {
                    "error": "`/fake -m pip list` exited with code 1",
                    "error_type": "CalledProcessError",
                }
            },
        )
    )
    result = run(packages.CHECKS, "packages.tensorflow_distributions", ctx)
    assert result.status is Status.OK
    assert result.details["read_with"] == "importlib.metadata"


@pytest.mark.parametrize(
    ("os_info", "version", "status", "needle"),
    [
        (MAC_ARM, [3, 8, 10], Status.FAILURE, "no macOS arm64 wheel before TensorFlow 2.13"),
        (LINUX, [3, 11, 4], Status.FAILURE, "wheels are for Python >=3.7,<3.11, not 3.11"),
        (LINUX, [3, 8, 10], Status.OK, "has wheels"),
    ],
)
def test_pins_installable(
    os_info: dict[str, Any], version: list[int], status: Status, needle: str
) -> None:
    ctx = recorded_context(
        {"system": {"os": os_info}, "python": {"identity": ident(version, "/p", "/p")}}
    )
    result = run(packages.CHECKS, "packages.installable", ctx)
    assert result.status is status
    assert needle in result.summary


def test_sigill_on_import_blames_missing_avx() -> None:
    ctx = recorded_context({"system": {"os": LINUX, "cpu": CPU_NO_AVX}})
    ctx.record(
        ProbeRun(
            "tensorflow",
            "/fake",
            ProbeOutcome.SIGNAL,
            {},
            returncode=-4,
            signal_name="SIGILL",
            message="probe 'tensorflow' was killed by SIGILL",
        )
    )
    result = run(tensorflow.CHECKS, "tensorflow.import", ctx)
    assert result.status is Status.FAILURE
    assert "SIGILL" in result.summary and "has no AVX" in result.summary
    dependent = run(tensorflow.CHECKS, "tensorflow.version", ctx)
    assert dependent.status is Status.SKIPPED


def test_sigill_with_cpu_flags_of_the_wrong_type_keeps_the_general_cause() -> None:
    """Flags sent as one string ("sse4_2 avx2" contains "avx") must not decide the cause."""
    cpu = {**CPU_NO_AVX, "flags": "sse4_2 avx2"}
    ctx = recorded_context({"system": {"os": LINUX, "cpu": cpu}})
    ctx.record(
        ProbeRun(
            "tensorflow", "/fake", ProbeOutcome.SIGNAL, {}, returncode=-4, signal_name="SIGILL"
        )
    )
    result = run(tensorflow.CHECKS, "tensorflow.import", ctx)
    assert result.status is Status.FAILURE
    assert result.summary == (
        "importing TensorFlow died with SIGILL: the CPU lacks an "
        "instruction the TensorFlow binary uses"
    )


def test_sigill_under_rosetta() -> None:
    ctx = recorded_context({"system": {"os": MAC_ROSETTA, "cpu": CPU_AVX}})
    ctx.record(
        ProbeRun(
            "tensorflow", "/fake", ProbeOutcome.SIGNAL, {}, returncode=-4, signal_name="SIGILL"
        )
    )
    result = run(tensorflow.CHECKS, "tensorflow.import", ctx)
    assert "Rosetta" in result.summary
    assert "tensorflow-macos" in (result.fix or "")


FIXTURES = Path(__file__).parent / "fixtures" / "tensorflow"


@pytest.mark.parametrize(
    ("fixture", "library"),
    [
        ("tf_import_missing-cudart64_110.dll_2.9.1_windows-pycharm-run.txt", "cudart64_110.dll"),
        ("tf_missing-libcudart.so.11.0_v100_TRUNCATED.txt", "libcudart.so.11.0"),
    ],
)
def test_missing_libraries_from_recorded_logs(fixture: str, library: str) -> None:
    text = (FIXTURES / fixture).read_text(encoding="utf-8", errors="replace")
    assert library in tensorflow.missing_libraries(text)


def test_generic_dlopen_warning_names_no_library() -> None:
    text = (FIXTURES / "tf_list-gpu_cannot-dlopen_empty_2.12_ubuntu2204.txt").read_text()
    assert tensorflow.missing_libraries(text) == []


def test_keras_mismatch_before_tf_2_16() -> None:
    ctx = recorded_context(
        {
            "tensorflow": {
                "import": {"seconds": 1.0},
                "python": [3, 8, 10],
                "versions": {"tensorflow": "2.9.0", "keras": "2.11.0", "keras_source": "keras"},
            }
        }
    )
    result = run(tensorflow.CHECKS, "tensorflow.keras", ctx)
    assert result.status is Status.FAILURE
    assert "keras==2.9.*" in (result.fix or "")
