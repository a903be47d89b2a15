"""Typed views of what the probes print: each section parsed once, checked for its types.

A probe prints JSON whose shape the checks rely on (probes/probe_python.py,
probe_system.py, probe_packages.py, probe_tensorflow.py, probe_nvidia.py and
envcheck/probing/pip_list.py). Each section a check reads has a model here
(as envcheck/gpu.py has `DriverInfo` for the NVIDIA facts), so checks read
typed attributes instead of dict keys. The models are strict: a fact of the
wrong type (`identity.bits` as the text "64") raises `FactTypeError` when a
check reads that attribute (the section's other facts stay readable), and
the check reports "could not determine", never a wrong answer. They are
also lenient where probes legitimately differ: keys a model does not name
are kept (extra="allow"), and a fact an older interpreter or another OS does
not print is None. `raw` keeps the section exactly as printed, for the
report's details.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, ClassVar, TypeVar, cast

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from envcheck.probing.facts import escape_surrogates

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails  # what ValidationError.errors() lists

_EXPECTED = {
    "int_type": "an integer",
    "int_from_float": "an integer",
    "string_type": "a string",
    "bool_type": "a boolean",
    "float_type": "a number",
    "finite_number": "a finite number",
    "list_type": "a list",
    "dict_type": "an object",
    "model_type": "an object",
    "model_attributes_type": "an object",
}


class FactTypeError(ValueError):
    """A probe's fact is missing or of a type no real interpreter prints."""

    def __init__(self, probe: str, field: str, value: object, expected: str | None) -> None:
        self.probe = probe
        self.field = field
        self.value = value
        self.expected = expected
        if expected is None:
            text = f"the {probe} probe did not report {field}"
        else:
            shown = escape_surrogates(repr(value))
            if len(shown) > 120:
                shown = shown[:117] + "..."
            text = f"the {probe} probe reported {field} as {shown}, not {expected}"
        super().__init__(text)


M = TypeVar("M", bound="FactModel")


class FactModel(BaseModel):
    """One section of one probe's facts; `probe` and `section` say where it is read from."""

    model_config = ConfigDict(frozen=True, strict=True, extra="allow")

    probe: ClassVar[str]
    section: ClassVar[str | None]
    """The key in the probe's facts (None: the facts themselves)."""

    _raw: dict[str, Any] = PrivateAttr(default_factory=dict)
    _invalid: dict[str, FactTypeError] = PrivateAttr(default_factory=dict)

    @property
    def raw(self) -> dict[str, Any]:
        """The section exactly as the probe printed it (for the report's details)."""
        return self._raw

    @classmethod
    def parse(cls: type[M], raw: object) -> M:
        """The typed section; a fact of the wrong type raises `FactTypeError` when read."""
        if not isinstance(raw, dict):
            raise FactTypeError(cls.probe, cls.section or "facts", raw, "an object")
        try:
            model = cls.model_validate(raw)
        except ValidationError as exc:
            model = cls._partly(raw, exc)
        model._raw = raw
        return model

    @classmethod
    def _partly(cls: type[M], raw: dict[str, Any], exc: ValidationError) -> M:
        """The model with its valid facts; each invalid one kept as the error reading it raises."""
        invalid: dict[str, FactTypeError] = {}
        for problem in exc.errors():
            name = str(problem["loc"][0])
            if name not in invalid:
                invalid[name] = _problem(cls.probe, cls.section, problem)
        extra = {k: v for k, v in raw.items() if k not in cls.model_fields}
        model = cast(M, cls.model_construct(**extra))
        for name in cls.model_fields:
            if name in invalid:
                model.__dict__.pop(name, None)  # reading it raises (see __getattr__)
            elif name in raw:
                # The same validation as model_validate, for this one field.
                cls.__pydantic_validator__.validate_assignment(model, name, raw[name])
        model._invalid = invalid
        return model

    if not TYPE_CHECKING:  # to mypy, a model has only its declared attributes

        def __getattr__(self, name: str) -> Any:
            invalid = (object.__getattribute__(self, "__pydantic_private__") or {}).get("_invalid")
            if invalid and name in invalid:
                raise invalid[name]
            return super().__getattr__(name)


def _problem(probe: str, section: str | None, error: ErrorDetails) -> FactTypeError:
    loc = [str(p) for p in error["loc"]]
    field = ".".join(([section] if section else []) + loc)
    if error["type"] == "missing":
        return FactTypeError(probe, field, None, None)
    if error["type"] == "too_short":
        expected = f"a list of at least {error.get('ctx', {}).get('min_length')} items"
    else:
        expected = _EXPECTED.get(error["type"], f"a valid value ({error['msg']})")
    return FactTypeError(probe, field, error["input"], expected)


# -- probe_python ---------------------------------------------------------------


class PythonIdentity(FactModel):
    probe = "python"
    section = "identity"

    version: Annotated[list[int], Field(min_length=3)]
    """sys.version_info[:3]"""
    bits: int
    executable: str | None
    releaselevel: str | None = None
    implementation: str | None = None
    realpath: str | None = None


class PythonVenv(FactModel):
    probe = "python"
    section = "venv"

    is_venv: bool
    pyvenv_cfg: dict[str, str] | None = None
    base_prefix: str | None = None


class PythonOrigin(FactModel):
    """Markers of where a Python came from; `checks.python.classify_origin` names it."""

    probe = "python"
    section = "origin"

    conda_meta_in_prefix: bool | None = None
    conda_meta_in_base: bool | None = None
    anaconda_in_version: bool | None = None
    base_realpath: str | None = None
    exe_realpath: str | None = None
    externally_managed: bool | None = None


# -- probe_system ----------------------------------------------------------------


class SystemOs(FactModel):
    probe = "system"
    section = "os"

    system: str
    release: str
    machine: str
    version: str | None = None
    platform: str | None = None
    python_bits: int | None = None
    distro: str | None = None
    """Linux: PRETTY_NAME of os-release."""
    wsl: bool | None = None
    """Linux only."""
    mac_ver: str | None = None
    """macOS only."""
    rosetta: bool | None = None
    """macOS only: an x86_64 process translated on Apple Silicon."""


class SystemCpu(FactModel):
    probe = "system"
    section = "cpu"

    model: str | None = None
    logical_cores: int | None = None
    usable_cores: int | None = None
    """Linux: the cores this process may run on (sched_getaffinity)."""
    flags: list[str] | None = None
    """The x86 features the probe looks for; None: the OS gave no feature list."""
    flags_source: str | None = None


# -- probe_packages and pip_list ---------------------------------------------------


class Distribution(FactModel):
    name: str
    version: str | None
    """None where a distribution's metadata has no Version (importlib.metadata says so)."""


class PackagesFacts(FactModel):
    """The `packages` section of the `packages` probe (and of the tool-side `pip` helper)."""

    probe = "packages"
    section = "packages"

    source: str
    distributions: list[Distribution]


class PipFacts(PackagesFacts):
    probe = "pip"


# -- probe_tensorflow --------------------------------------------------------------


class TfImport(FactModel):
    """How `import tensorflow` went; on failure `error` (and `missing` when not installed)."""

    probe = "tensorflow"
    section = "import"

    seconds: float | None = None
    error: str | None = None
    error_type: str | None = None
    missing: bool | None = None
    traceback: str | None = None


class TfVersions(FactModel):
    probe = "tensorflow"
    section = "versions"

    tensorflow: str
    keras: str | None = None
    keras_source: str | None = None
    keras_import_error: str | None = None
    tf_keras_error: str | None = None


class TfBuildInfo(FactModel):
    """tf.sysconfig.get_build_info(); {"error": ...} where that call failed."""

    cuda_version: str | None = None
    """"11.2" on Linux, "64_112" on Windows."""
    cudnn_version: str | None = None
    cuda_compute_capabilities: list[str] | None = None
    """"sm_35", "compute_80", ..."""


class TfBuild(FactModel):
    probe = "tensorflow"
    section = "build"

    is_built_with_cuda: bool | None = None
    build_info: TfBuildInfo = TfBuildInfo()


class TfGpu(FactModel):
    name: str | None = None
    device_type: str | None = None


class TfDevices(FactModel):
    probe = "tensorflow"
    section = "devices"

    gpus: list[TfGpu] = []
    cpus: list[str] | None = None


class TfPython(FactModel):
    """The Python version TensorFlow was imported in (a list, not a section: see `python`)."""

    probe = "tensorflow"
    section = "python"

    version: Annotated[list[int], Field(min_length=2)]

    @classmethod
    def parse(cls, raw: object) -> TfPython:
        """The bare list, parsed as if it were {"version": [...]}."""
        try:
            return cls.model_validate({"version": raw})
        except ValidationError as exc:
            problem = _problem(cls.probe, None, exc.errors()[0])
            raise FactTypeError(cls.probe, "python", problem.value, problem.expected) from None


# -- probe_nvidia (the driver facts themselves: envcheck.gpu) ------------------------


class NvidiaFacts(FactModel):
    """The whole `nvidia` probe: envcheck.gpu.interpret reads its nvml and nvidia_smi."""

    probe = "nvidia"
    section = None

    platform: str | None = None
    """sys.platform of this tool's Python ("linux", "win32", "darwin")."""


class NvidiaEnvironment(FactModel):
    probe = "nvidia"
    section = "environment"

    CUDA_VISIBLE_DEVICES: str | None = None
    """Hides GPUs from CUDA (and TensorFlow), not from NVML."""
