"""compat_matrix.yaml: loading, validation and the questions checks ask it.

The file is validated against pydantic models (unknown keys and wrong types
are refused), so a typo becomes one line naming the file, the key path and
the problem, never a KeyError three modules later.
"""

# Over 400 lines: the schema of one file; models and cross-field validators belong together.
from __future__ import annotations

import functools
import math
from pathlib import Path
from typing import Annotated, Any

import yaml
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from envcheck.bench.config import Benchmark
from envcheck.errors import ConfigError
from envcheck.reading import NotARegularFile, TooLarge, read_limited

MATRIX_SCHEMA_VERSION = 1
MAX_MATRIX_BYTES = 2 * 1024 * 1024
"""A matrix is a few hundred lines; a multi-megabyte file is a mistake, not data."""


def _bundled_matrix() -> Path:
    """The matrix a wheel ships in envcheck/data/, else the checkout's top-level file.

    setup.py copies the top-level compat_matrix.yaml into the wheel; a source
    checkout or an editable install reads the top-level file itself.
    """
    packaged = Path(__file__).parent / "data" / "compat_matrix.yaml"
    return packaged if packaged.is_file() else Path(__file__).parent.parent / "compat_matrix.yaml"


BUNDLED_MATRIX = _bundled_matrix()


def _specifier(value: str) -> str:
    try:
        SpecifierSet(value)
    except InvalidSpecifier as exc:
        raise ValueError(f"not a version specifier: {value!r}") from exc
    return value


def _version(value: str) -> str:
    try:
        Version(value)
    except InvalidVersion as exc:
        raise ValueError(f"not a version: {value!r}") from exc
    return value


Spec = Annotated[str, AfterValidator(_specifier)]
Ver = Annotated[str, AfterValidator(_version)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class PyCharmVersions(_Strict):
    known_good: list[str] = Field(default_factory=list)
    known_bad: list[str] = Field(default_factory=list)
    minimum: Ver | None = Field(
        default=None,
        description="A guide that asks for the latest PyCharm: the release current when it was "
        "written; it and every newer one are right.",
    )


class Profile(_Strict):
    title: str
    guide_date: str
    python: Ver = Field(description="The Python minor version the exam guide requires.")
    packages: dict[str, Spec]
    install_command: str | None = None
    pycharm: PyCharmVersions = Field(default_factory=PyCharmVersions)
    source: str

    @property
    def python_version(self) -> Version:
        return Version(self.python)

    def pin(self, name: str) -> str | None:
        return self.packages.get(name)


class Lock(_Strict):
    """A profile's complete resolved package set, installed by `tfcert-envcheck setup`."""

    python: Ver
    resolved: str = Field(description="The date the set was resolved (YYYY-MM-DD).")
    resolved_on: str
    source: str
    packages: dict[str, Ver] = Field(min_length=1)
    also_for: list[str] = Field(
        default_factory=list,
        description="Other profiles with the same Python and pins, which this lock builds too.",
    )

    def requirements(self) -> list[str]:
        """One `name==version` line per package."""
        return [f"{name}=={version}" for name, version in self.packages.items()]


class TensorFlowDistributions(_Strict):
    names: list[str]
    source: str


class TensorFlowBuild(_Strict):
    tensorflow: Spec
    python: Spec
    cuda: Ver
    cudnn: Ver


class DriverMinimum(_Strict):
    cuda: str
    linux: Ver
    windows: Ver
    ptx_jit_linux: Ver | None = Field(
        default=None,
        description="The toolkit's own driver, needed to JIT-compile PTX (minor-version "
        "compatibility cannot); only GPUs a build has no machine code for need it. "
        "None: the same as `linux`.",
    )
    ptx_jit_windows: Ver | None = None
    source: str


class GpuRules(_Strict):
    min_compute_capability: Ver
    source: str


class PlatformRules(_Strict):
    windows_native_gpu_last_tensorflow: Ver
    windows_native_gpu_source: str
    macos_arm64_first_tensorflow: Ver
    macos_arm64_source: str
    macos_x86_last_tensorflow: Ver
    macos_x86_source: str
    avx_required: bool
    avx_source: str


class Hardware(_Strict):
    ram_total_min_gib: float
    ram_total_warn_gib: float
    ram_source: str
    disk_free_min_gib: float
    disk_free_warn_gib: float
    disk_source: str

    @model_validator(mode="after")
    def _ordered(self) -> Hardware:
        if self.ram_total_warn_gib < self.ram_total_min_gib:
            raise ValueError("ram_total_warn_gib must be >= ram_total_min_gib")
        if self.disk_free_warn_gib < self.disk_free_min_gib:
            raise ValueError("disk_free_warn_gib must be >= disk_free_min_gib")
        return self


def _lock_meets_pins(where: str, lock: Lock, profile: Profile) -> None:
    """Every pin of the profile is met by the version the lock installs."""
    locked = {canonicalize_name(n): v for n, v in lock.packages.items()}
    for package, spec in profile.packages.items():
        version = locked.get(canonicalize_name(package))
        if version is None or version not in SpecifierSet(spec):
            raise ValueError(
                f"{where}: {package} {version or 'missing'} does not meet the profile's pin {spec}"
            )


class Matrix(_Strict):
    """The validated contents of compat_matrix.yaml."""

    schema_version: int
    default_profile: str
    profiles: dict[str, Profile]
    tensorflow_distributions: TensorFlowDistributions
    tensorflow_builds: list[TensorFlowBuild]
    tensorflow_builds_source: str
    driver_minimums: list[DriverMinimum]
    gpu: GpuRules
    platform_rules: PlatformRules
    hardware: Hardware
    benchmark: Benchmark | None = Field(
        default=None, description="Benchmark workloads and verdict thresholds (see envcheck.bench)."
    )
    locks: dict[str, Lock] = Field(
        default_factory=dict, description="Resolved package sets per profile (envcheck.setup)."
    )

    @model_validator(mode="after")
    def _locks_match_profiles(self) -> Matrix:
        for name, lock in self.locks.items():
            for served in (name, *lock.also_for):
                where = f"locks.{name}" + (f".also_for {served!r}" if served != name else "")
                profile = self.profiles.get(served)
                if profile is None:
                    raise ValueError(f"{where} names no entry under profiles")
                if lock.python != profile.python:
                    raise ValueError(
                        f"{where}: python {lock.python!r} is not the profile's {profile.python!r}"
                    )
                _lock_meets_pins(where, lock, profile)
        return self

    def lock_for(self, profile: str) -> Lock | None:
        """The lock that builds `profile`: its own, or one that lists it in `also_for`."""
        if profile in self.locks:
            return self.locks[profile]
        return next((lock for lock in self.locks.values() if profile in lock.also_for), None)

    @model_validator(mode="after")
    def _consistent(self) -> Matrix:
        if self.schema_version != MATRIX_SCHEMA_VERSION:
            raise ValueError(
                f"schema_version {self.schema_version} is not supported "
                f"(this tool reads version {MATRIX_SCHEMA_VERSION})"
            )
        if self.default_profile not in self.profiles:
            raise ValueError(
                f"default_profile {self.default_profile!r} names no entry under profiles "
                f"(known: {', '.join(sorted(self.profiles))})"
            )
        return self

    def profile(self, name: str | None) -> tuple[str, Profile]:
        key = name or self.default_profile
        try:
            return key, self.profiles[key]
        except KeyError:
            raise ConfigError(
                f"unknown profile {key!r}; known profiles: {', '.join(self.profiles)} "
                "(see `tfcert-envcheck matrix profiles`)"
            ) from None

    def build_for(self, tf_version: str) -> TensorFlowBuild | None:
        """The tested build row for a TensorFlow version (pre-releases included)."""
        try:
            v = Version(tf_version)
        except InvalidVersion:
            return None
        release = Version(v.base_version)
        for row in self.tensorflow_builds:
            if SpecifierSet(row.tensorflow).contains(release, prereleases=True):
                return row
        return None

    def driver_minimum(self, cuda: str) -> DriverMinimum | None:
        """The most specific driver row for a CUDA version ("11.2" before "11", "12")."""
        try:
            cv = Version(cuda)
        except InvalidVersion:
            return None
        best: DriverMinimum | None = None
        for row in self.driver_minimums:
            rv = Version(row.cuda)
            parts = len(row.cuda.split("."))
            if cv.release[:parts] == rv.release[:parts] and (
                best is None or parts > len(best.cuda.split("."))
            ):
                best = row
        return best


class _Loader(yaml.SafeLoader):
    """SafeLoader that also refuses duplicate keys (a silent overwrite hides typos)."""


_MERGE_TAG = "tag:yaml.org,2002:merge"


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> dict[Any, Any]:
    """Keys are plain scalars: a list or mapping as a key, or a merge key `<<`, is refused.

    A merge key would copy another mapping's keys in unseen; a list or mapping
    key cannot name anything in the matrix.
    """
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        if key_node.tag == _MERGE_TAG:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                "a YAML merge key `<<` is not allowed (write the keys out)",
                key_node.start_mark,
            )
        if not isinstance(key_node, yaml.ScalarNode):
            what = "a list" if isinstance(key_node, yaml.SequenceNode) else "a mapping"
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"{what} used as a key; keys must be plain names",
                key_node.start_mark,
            )
        key = loader.construct_object(key_node)
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node)
    return mapping


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_matrix(path: Path | None = None) -> Matrix:
    """Read and validate a matrix file; any problem is one `ConfigError` line."""
    path = path or BUNDLED_MATRIX
    return _load_cached(path.resolve() if path.exists() else path)


@functools.lru_cache(maxsize=8)
def _load_cached(path: Path) -> Matrix:
    try:
        text = read_limited(path, MAX_MATRIX_BYTES).decode("utf-8")
    except TooLarge as exc:
        raise ConfigError(
            f"{path}: {exc.size} bytes is too large for a matrix (limit {MAX_MATRIX_BYTES})"
        ) from None
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except NotARegularFile as exc:
        raise ConfigError(f"{path}: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    return parse_matrix(text, str(path))


def parse_matrix(text: str, name: str) -> Matrix:
    try:
        data = yaml.load(text, Loader=_Loader)  # _Loader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"{name}:{where}: invalid YAML: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{name}: invalid YAML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{name}: invalid YAML: nested too deeply") from None
    except ValueError as exc:  # an integer beyond Python's digit limit, from the constructor
        raise ConfigError(f"{name}: invalid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{name}: the top level must be a mapping, not {type(data).__name__}")
    try:
        bad = _non_finite(data)
    except RecursionError:
        raise ConfigError(f"{name}: invalid YAML: nested too deeply") from None
    if bad is not None:
        where, value = bad
        # NaN compares false with everything, so a NaN threshold would pass every machine.
        raise ConfigError(f"{name}: {where}: must be a finite number (got {value})")
    try:
        return Matrix.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{name}: {_first_error(exc)}") from None


def _non_finite(
    value: Any, where: str = "", seen: set[int] | None = None
) -> tuple[str, float] | None:
    """The key path and value of the first NaN or infinity in the loaded YAML, if any.

    Each list or mapping is visited once: YAML aliases share them, and an
    alias bomb would otherwise be walked hundreds of millions of times.
    """
    if isinstance(value, float) and not math.isfinite(value):
        return where or "(top level)", value
    if not isinstance(value, dict | list):
        return None
    seen = set() if seen is None else seen
    if id(value) in seen:
        return None
    seen.add(id(value))
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, item in items:
        found = _non_finite(item, f"{where}.{key}" if where else str(key), seen)
        if found is not None:
            return found
    return None


def _first_error(exc: ValidationError) -> str:
    errors = exc.errors(include_url=False)
    first = errors[0]
    loc = ".".join(str(p) for p in first["loc"]) or "(top level)"
    msg = first["msg"]
    if first["type"] == "extra_forbidden":
        msg = "unknown key"
    elif first["type"] == "missing":
        msg = "required key is missing"
    more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
    value = first.get("input")
    shown = ""
    if first["type"] not in ("missing", "extra_forbidden") and isinstance(
        value, str | int | float | bool
    ):
        shown = f" (got {value!r})"
    return f"{loc}: {msg}{shown}{more}"
