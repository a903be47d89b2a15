"""The one list of categories and checks, in the order a report shows them."""

from __future__ import annotations

from envcheck.checks.base import Check
from envcheck.results import Category

CATEGORIES: list[Category] = [
    Category(key="system", title="System"),
    Category(key="python", title="Python"),
    Category(key="packages", title="Packages"),
    Category(key="tensorflow", title="TensorFlow"),
    Category(key="nvidia", title="NVIDIA GPU"),
    Category(key="pycharm", title="PyCharm"),
    Category(key="benchmark", title="Training benchmark"),
]


def all_checks() -> list[Check]:
    """Every registered check, grouped by category in report order."""
    from envcheck.checks import benchmark, nvidia, packages, pycharm, python, system, tensorflow

    checks: list[Check] = [
        *system.CHECKS,
        *python.CHECKS,
        *packages.CHECKS,
        *tensorflow.CHECKS,
        *nvidia.CHECKS,
        *pycharm.CHECKS,
        *benchmark.CHECKS,
    ]
    order = {c.key: i for i, c in enumerate(CATEGORIES)}
    return sorted(checks, key=lambda c: order[c.category])
