"""Reduced benchmark workloads for tests: the same probe code, smaller numbers.

The sizes of the reference workloads are data (compat_matrix.yaml); tests
write a copy of the bundled matrix whose `benchmark.workloads` are tiny, so
that a real probe in a real TensorFlow trains all five in seconds.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from envcheck.matrix import BUNDLED_MATRIX

TINY_WORKLOADS: dict[int, dict[str, Any]] = {
    1: {
        "shape": {},
        "full": {"train_samples": 6, "val_samples": 0, "epochs": 12, "batch_size": 32},
        "quick": {"train_samples": 6, "val_samples": 0, "epochs": 6, "batch_size": 32},
    },
    2: {
        "shape": {"height": 28, "width": 28, "classes": 10, "units": 16},
        "full": {"train_samples": 640, "val_samples": 128, "epochs": 3, "batch_size": 32},
        "quick": {"train_samples": 320, "val_samples": 64, "epochs": 2, "batch_size": 32},
    },
    3: {
        "shape": {
            "image_size": 40,
            "channels": 3,
            "classes": 2,
            "conv_blocks": 2,
            "dense_units": 16,
        },
        "full": {"train_samples": 48, "val_samples": 16, "epochs": 2, "batch_size": 16},
        "quick": {"train_samples": 48, "val_samples": 16, "epochs": 2, "batch_size": 16},
    },
    4: {
        "shape": {
            "vocab_size": 100,
            "max_length": 20,
            "embedding_dim": 8,
            "lstm_units": 8,
            "dense_units": 8,
        },
        "full": {"train_samples": 256, "val_samples": 64, "epochs": 2, "batch_size": 32},
        "quick": {"train_samples": 128, "val_samples": 64, "epochs": 2, "batch_size": 32},
    },
    5: {
        "shape": {"features": 3, "n_past": 6, "n_future": 6, "conv_filters": 8, "lstm_units": 8},
        "full": {"train_samples": 331, "val_samples": 75, "epochs": 2, "batch_size": 32},
        "quick": {"train_samples": 171, "val_samples": 75, "epochs": 2, "batch_size": 32},
    },
}


def bundled_data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(BUNDLED_MATRIX.read_text(encoding="utf-8"))
    return data


def tiny_matrix(
    folder: Path,
    *,
    categories: tuple[int, ...] = (1, 2, 3, 4, 5),
    name: str = "tiny_matrix.yaml",
    **benchmark: Any,
) -> Path:
    """Write the bundled matrix with tiny workloads (and any benchmark key overridden)."""
    data = bundled_data()
    section = copy.deepcopy(data["benchmark"])
    workloads = []
    for workload in section["workloads"]:
        if workload["category"] in categories:
            workload.update(copy.deepcopy(TINY_WORKLOADS[workload["category"]]))
            workloads.append(workload)
    section["workloads"] = workloads
    section.update(benchmark)
    data["benchmark"] = section
    path = folder / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path
