"""The `benchmark:` section of compat_matrix.yaml, as validated data.

The reference workloads are data, not constants in code: their sizes (full
and quick), their shapes and the verdict's budget and thresholds all come
from the matrix, so a user can edit them without a release. The probe's
code only knows the five kinds of model; everything sized lives here.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

WorkloadKind = Literal["regression", "dense", "image_cnn", "text_lstm", "timeseries"]

SHAPE_KEYS: dict[str, frozenset[str]] = {
    "regression": frozenset(),
    "dense": frozenset({"height", "width", "classes", "units"}),
    "image_cnn": frozenset({"image_size", "channels", "classes", "conv_blocks", "dense_units"}),
    "text_lstm": frozenset(
        {"vocab_size", "max_length", "embedding_dim", "lstm_units", "dense_units"}
    ),
    "timeseries": frozenset({"features", "n_past", "n_future", "conv_filters", "lstm_units"}),
}
"""The shape parameters each kind of workload takes (probes/bench_workloads.py)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Sizes(_Strict):
    """How much one training run does: samples (rows for a series), epochs, batch."""

    train_samples: int = Field(gt=0)
    val_samples: int = Field(ge=0)
    epochs: int = Field(gt=0)
    batch_size: int = Field(gt=0)


class Workload(_Strict):
    """One exam category's reference training."""

    category: int = Field(ge=1, le=5)
    kind: WorkloadKind
    title: str
    shape: dict[str, int] = Field(default_factory=dict)
    full: Sizes
    quick: Sizes
    input_pipeline: Literal["arrays", "dataset"] = Field(
        description="How the training data reaches fit(): NumPy arrays (Keras 2 keeps one "
        "input iterator for the whole fit) or a tf.data dataset (a new iterator every "
        "epoch); it decides how often an iterator is torn down (see envcheck.bench.teardown)."
    )
    dataset_length: Literal["known", "unknown"] = Field(
        default="known",
        description="For tf.data input: whether the dataset knows its length (windows "
        "made with flat_map do not). Under Keras 3 an epoch over a dataset of unknown "
        "length can end in a teardown wait inside its last step "
        "(envcheck.bench.teardown.EPOCH_END_ODDS).",
    )
    prepare_scaling: Literal["per_sample", "fixed"] = Field(
        description="Whether data preparation touches every sample (tokenizing, scaling "
        "arrays: predicted in proportion to the sample count) or only builds a lazy "
        "pipeline (tf.data windows: the same at any size)."
    )
    source: str

    @model_validator(mode="after")
    def _consistent(self) -> Workload:
        want = SHAPE_KEYS[self.kind]
        got = set(self.shape)
        if got != want:
            missing = ", ".join(sorted(want - got)) or "none"
            unknown = ", ".join(sorted(got - want)) or "none"
            raise ValueError(
                f"shape of a {self.kind} workload needs exactly: {', '.join(sorted(want)) or '{}'}"
                f" (missing: {missing}; unknown: {unknown})"
            )
        if any(v <= 0 for v in self.shape.values()):
            raise ValueError("shape values must be positive")
        if self.kind == "timeseries" and self.shape["n_past"] != self.shape["n_future"]:
            raise ValueError(
                "n_past and n_future must be equal (the model predicts a window "
                "as long as its input)"
            )
        if self.dataset_length == "unknown" and self.input_pipeline != "dataset":
            raise ValueError("dataset_length: unknown needs input_pipeline: dataset")
        if self.quick.epochs < 2:
            raise ValueError(
                "quick.epochs must be at least 2: the first epoch traces the "
                "model, later ones give the steady state"
            )
        if self.quick.batch_size != self.full.batch_size:
            raise ValueError(
                "quick.batch_size must equal full.batch_size: the step time "
                "depends on the batch size"
            )
        if (self.quick.val_samples == 0) != (self.full.val_samples == 0):
            raise ValueError(
                "quick and full must both validate or both not: the validation "
                "pass is measured, not guessed"
            )
        return self


class Benchmark(_Strict):
    """Workloads, the exam budget and the thresholds of the verdict."""

    exam_budget_s: float = Field(gt=0)
    exam_budget_source: str
    retrain_factor: float = Field(ge=1)
    retrain_source: str
    ready_max_share: float = Field(gt=0, le=1)
    marginal_max_share: float = Field(gt=0, le=1)
    category_warn_share: float = Field(gt=0, le=1)
    thresholds_reasoning: str
    warmup_steps: int = Field(ge=0)
    band_min: float = Field(ge=0, lt=1)
    band_max: float = Field(gt=0, lt=1)
    speed_drift: float = Field(ge=0, lt=2)
    """The band lets steady epochs run up to (1 + speed_drift) x slower, or faster, than the
    quick run saw: the machine's speed over minutes is not its speed of the moment."""
    speed_drift_source: str
    ready_margin: float = Field(ge=0, lt=1)
    """Ready needs the predicted trainings, with retrains, x (1 + ready_margin) within
    the ready limit: the most a measured total has run over its prediction, rounded up."""
    ready_margin_source: str
    quick_target_s: float = Field(gt=0)
    workloads: list[Workload] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Benchmark:
        if self.marginal_max_share < self.ready_max_share:
            raise ValueError("marginal_max_share must be >= ready_max_share")
        if self.band_max < self.band_min:
            raise ValueError("band_max must be >= band_min")
        seen: set[int] = set()
        for workload in self.workloads:
            if workload.category in seen:
                raise ValueError(f"category {workload.category} has two workloads")
            seen.add(workload.category)
        return self

    def workload(self, category: int) -> Workload:
        for workload in self.workloads:
            if workload.category == category:
                return workload
        raise KeyError(category)

    @property
    def categories(self) -> list[int]:
        return sorted(w.category for w in self.workloads)
