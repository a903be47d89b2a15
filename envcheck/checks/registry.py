"""The one list of categories and checks, in the order a report shows them,
and the one table of which check stands on which."""

from __future__ import annotations

import dataclasses

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

INTERPRETER = "python.interpreter"
TF_IMPORT = "tensorflow.import"

NEEDS: dict[str, tuple[str, ...]] = {
    # The interpreter PyCharm resolved (with --project) is the one under test.
    INTERPRETER: ("pycharm.interpreter",),
    # Everything read from inside the interpreter under test.
    "system.arch": (INTERPRETER,),  # the target's own view: bits, Rosetta
    "python": (INTERPRETER,),
    "packages": (INTERPRETER,),
    "tensorflow": (INTERPRETER,),
    # What TensorFlow says about itself once imported.
    "tensorflow.version": (TF_IMPORT,),
    "tensorflow.keras": (TF_IMPORT,),
    "tensorflow.python_range": (TF_IMPORT,),
    "tensorflow.build": (TF_IMPORT,),
    "nvidia.tensorflow_gpu": (TF_IMPORT,),
    "benchmark": (INTERPRETER, TF_IMPORT),
}
"""Check id or category key -> the checks it stands on.

When a needed check failed or errored (or was itself skipped for such a
reason), the dependent check is skipped "because <that check>" and the
verdict counts one problem, not one per check that saw the same cause. A
category entry applies to each of its checks except the needed check itself.
A needed check that is not selected (--only, --skip) is not run for it: the
dependent check then reports on its own. Checks not named here (the machine's
memory, disk and GPU driver, PyCharm's files) need nothing.
"""


def needs_of(check_id: str) -> tuple[str, ...]:
    """What `check_id` stands on, from `NEEDS` (category entries first)."""
    category = check_id.split(".", 1)[0]
    found = [*NEEDS.get(category, ()), *NEEDS.get(check_id, ())]
    return tuple(dict.fromkeys(n for n in found if n != check_id))


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
    return [
        dataclasses.replace(c, needs=needs_of(c.id))
        for c in sorted(checks, key=lambda c: order[c.category])
    ]
